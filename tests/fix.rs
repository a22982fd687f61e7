//! Fixes (CLI.md, *Fixes*): for each fixable rule a block YAML, a flow YAML and a JSON fixture
//! (`fixtures/fix/`; TM008 has no JSON one: JSON has no unquoted words): the fixed text as a
//! snapshot, a second `--fix` changing nothing, the fixed file clean for the rule; unsafe fixes
//! only with `--unsafe-fixes`; line breaks, comments and untouched bytes kept; `--diff`; a
//! property test that fixing randomly edited fixtures never leaves a file that does not parse.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use cfn_cognito_lint::fix::{self, fixes_for};
use cfn_cognito_lint::template::parse::{self, Limits};
use cfn_cognito_lint::{Options, lint_source};
use proptest::prelude::*;

/// (rule, fixture, safe)
const CASES: &[(&str, &str, bool)] = &[
    ("TM008", "TM008-block.yaml", true),
    ("TM008", "TM008-flow.yaml", true),
    ("PM006", "PM006-block.yaml", true),
    ("PM006", "PM006-flow.yaml", true),
    ("PM006", "PM006.json", true),
    ("UC001", "UC001-block.yaml", false),
    ("UC001", "UC001-flow.yaml", false),
    ("UC001", "UC001.json", false),
    ("UC003", "UC003-block.yaml", false),
    ("UC003", "UC003-flow.yaml", false),
    ("UC003", "UC003.json", false),
    ("UC004", "UC004-block.yaml", false),
    ("UC004", "UC004-flow.yaml", false),
    ("UC004", "UC004.json", false),
    ("TR001", "TR001-block.yaml", false),
    ("TR001", "TR001-flow.yaml", false),
    ("TR001", "TR001.json", false),
    ("TR004", "TR004-block.yaml", false),
    ("TR004", "TR004-flow.yaml", false),
    ("TR004", "TR004.json", false),
    ("TR005", "TR005-block.yaml", false),
    ("TR005", "TR005-flow.yaml", false),
    ("TR005", "TR005.json", false),
];

fn temp_dir(name: &str) -> PathBuf {
    common::fresh_temp_dir(&format!("fix-{name}"))
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    common::output_in(dir, args)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(common::root().join("fixtures/fix").join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The rules of the findings of a text.
fn rules_of(name: &str, source: &str) -> Vec<&'static str> {
    lint_source(name, source.to_string(), true, &Options::default())
        .findings
        .iter()
        .map(|f| f.rule.id)
        .collect()
}

fn parses(text: &str) -> bool {
    let p = parse::parse(text, &Limits::default());
    p.fatal.is_none() && p.root.is_some()
}

#[test]
fn each_fixable_rule_is_fixed_once_and_for_all() {
    let dir = temp_dir("rules");
    for &(rule, name, safe) in CASES {
        let before = fixture(name);
        assert!(rules_of(name, &before).contains(&rule), "{name}: no {rule}");
        std::fs::write(dir.join(name), &before).unwrap_or_else(|e| panic!("{e}"));
        // Without --unsafe-fixes an unsafe fix is not applied (and is said to exist).
        let out = run_in(&dir, &["--fix", "--select", rule, name]);
        let after_safe = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        if safe {
            assert_ne!(after_safe, before, "{name}: safe fix not applied");
        } else {
            assert_eq!(
                after_safe, before,
                "{name}: unsafe fix applied without the flag"
            );
            assert!(
                text(&out.stderr).contains("with --unsafe-fixes"),
                "{name}: {}",
                text(&out.stderr)
            );
        }
        let out = run_in(&dir, &["--fix", "--unsafe-fixes", "--select", rule, name]);
        let fixed = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(parses(&fixed), "{name}: fixed file does not parse");
        // The fixed file is clean for the rule, and the report says so (exit 0).
        assert!(!rules_of(name, &fixed).contains(&rule), "{name}:\n{fixed}");
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stdout));
        // A second run changes nothing.
        let out = run_in(&dir, &["--fix", "--unsafe-fixes", "--select", rule, name]);
        assert_eq!(
            std::fs::read_to_string(dir.join(name)).unwrap_or_default(),
            fixed,
            "{name}: second --fix changed the file"
        );
        assert!(
            !text(&out.stderr).contains("fixed"),
            "{}",
            text(&out.stderr)
        );
        insta::assert_snapshot!(
            format!("fixed-{}", name.replace('.', "-")),
            similar_diff(&before, &fixed),
            &format!("{rule} {name}")
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The change, line by line (what a reviewer of the snapshot needs).
fn similar_diff(before: &str, after: &str) -> String {
    let out = run_diff(before, after);
    format!("{out}\n--- fixed ---\n{after}")
}

fn run_diff(before: &str, after: &str) -> String {
    let b: Vec<&str> = before.lines().collect();
    let a: Vec<&str> = after.lines().collect();
    let mut out = String::new();
    for l in b.iter().filter(|l| !a.contains(l)) {
        out.push_str(&format!("- {l}\n"));
    }
    for l in a.iter().filter(|l| !b.contains(l)) {
        out.push_str(&format!("+ {l}\n"));
    }
    out
}

#[test]
fn crlf_comments_and_other_bytes_are_kept() {
    let dir = temp_dir("crlf");
    let before = fixture("TM008-block.yaml").replace('\n', "\r\n");
    std::fs::write(dir.join("t.yaml"), &before).unwrap_or_else(|e| panic!("{e}"));
    let pm = fixture("PM006-block.yaml").replace('\n', "\r\n");
    std::fs::write(dir.join("p.yaml"), &pm).unwrap_or_else(|e| panic!("{e}"));
    let out = run_in(&dir, &["--fix", "t.yaml", "p.yaml"]);
    assert!(
        text(&out.stderr).contains("fixed 3 findings in 2 files"),
        "{}",
        text(&out.stderr)
    );
    let after = std::fs::read_to_string(dir.join("t.yaml")).unwrap_or_default();
    assert_eq!(
        after,
        before
            .replace("MfaConfiguration: ON ", "MfaConfiguration: 'ON' ")
            .replace("Billing: yes", "Billing: 'yes'")
    );
    let after = std::fs::read_to_string(dir.join("p.yaml")).unwrap_or_default();
    assert_eq!(
        after,
        pm.replacen(
            "        # no Version: the 2008 policy language\r\n",
            "        # no Version: the 2008 policy language\r\n        Version: '2012-10-17'\r\n",
            1
        )
    );
    // The document with policy variables is left alone: adding Version would change it.
    assert_eq!(after.matches("Version: '2012-10-17'").count(), 1);
    let _ = std::fs::remove_dir_all(dir);
}

/// A file whose quoted scalars use double quotes gets double quotes.
#[test]
fn quotes_follow_the_file() {
    let src = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  UserPool:\n    Type: \"AWS::Cognito::UserPool\"\n    Properties:\n      MfaConfiguration: OFF\n";
    let report = lint_source("q.yaml", src.to_string(), true, &Options::default());
    let fixes = fixes_for(src, &report.findings, &Limits::default());
    let tm008: Vec<_> = fixes.iter().filter(|f| f.rule == "TM008").collect();
    assert_eq!(tm008.len(), 1);
    assert!(tm008[0].safe);
    assert_eq!(tm008[0].edits[0].replacement, "\"OFF\"");
    assert_eq!(&src[tm008[0].edits[0].start..tm008[0].edits[0].end], "OFF");
}

#[test]
fn diff_prints_and_changes_nothing() {
    let dir = temp_dir("diff");
    let before = fixture("PM006.json");
    std::fs::write(dir.join("p.json"), &before).unwrap_or_else(|e| panic!("{e}"));
    let out = run_in(&dir, &["--diff", "p.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "--- a/p.json\n+++ b/p.json\n@@ -6,6 +6,7 @@\n       \"Type\": \"AWS::IAM::ManagedPolicy\",\n       \"Properties\": {\n         \"PolicyDocument\": {\n+          \"Version\": \"2012-10-17\",\n           \"Statement\": [\n             {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::photos/*\"}\n           ]\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("p.json")).unwrap_or_default(),
        before
    );
    // Nothing safe to fix: exit 0, no output, though findings remain.
    std::fs::write(dir.join("u.yaml"), fixture("UC004-block.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = run_in(&dir, &["--diff", "u.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_eq!(text(&out.stdout), "");
    let _ = std::fs::remove_dir_all(dir);
}

/// A UTF-16 file (decoded for the lint) is never written: `--diff` offers no fix for it (it
/// printed a diff and exit 1 that `--fix` then did not apply), `--fix` leaves its bytes and both
/// say why. A UTF-8 copy with a byte order mark is fixed and keeps the mark.
#[test]
fn utf16_files_are_not_offered_fixes_they_cannot_take() {
    let dir = temp_dir("utf16");
    let source = fixture("PM006.json");
    let mut le = vec![0xFF, 0xFE];
    le.extend(source.encode_utf16().flat_map(u16::to_le_bytes));
    let mut be = vec![0xFE, 0xFF];
    be.extend(source.encode_utf16().flat_map(u16::to_be_bytes));
    for (name, bytes) in [("le.json", &le), ("be.json", &be)] {
        std::fs::write(dir.join(name), bytes).unwrap_or_else(|e| panic!("{e}"));
        let out = run_in(&dir, &["--diff", name]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
        assert_eq!(text(&out.stdout), "");
        assert!(
            text(&out.stderr).contains(&format!(
                "{name}: not fixed: it is stored in UTF-16 or UTF-32; fixes are written to UTF-8 files only"
            )),
            "{}",
            text(&out.stderr)
        );
        let out = run_in(&dir, &["--fix", "--format", "json", name]);
        assert!(
            text(&out.stdout).contains("\"PM006\""),
            "{}",
            text(&out.stdout)
        );
        assert!(text(&out.stderr).contains("not fixed: it is stored in UTF-16"));
        assert_eq!(std::fs::read(dir.join(name)).ok().as_ref(), Some(bytes));
    }
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(source.as_bytes());
    std::fs::write(dir.join("bom.json"), &bom).unwrap_or_else(|e| panic!("{e}"));
    let out = run_in(&dir, &["--fix", "bom.json"]);
    assert!(
        text(&out.stderr).contains("fixed 1 finding"),
        "{}",
        text(&out.stderr)
    );
    let fixed = std::fs::read(dir.join("bom.json")).unwrap_or_default();
    assert!(fixed.starts_with(b"\xEF\xBB\xBF{"));
    assert!(text(&fixed).contains("\"Version\": \"2012-10-17\""));
    let _ = std::fs::remove_dir_all(dir);
}

/// A file without a fix is never written (its modification time and inode stay).
#[test]
fn a_file_without_a_fix_is_not_touched() {
    let dir = temp_dir("untouched");
    std::fs::write(dir.join("u.yaml"), fixture("UC004-block.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let before = std::fs::metadata(dir.join("u.yaml"))
        .and_then(|m| m.modified())
        .ok();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let out = run_in(&dir, &["--fix", "--select", "UC004", "u.yaml"]);
    assert_eq!(out.status.code(), Some(0), "info findings only");
    assert!(text(&out.stdout).contains("UC004"), "{}", text(&out.stdout));
    let after = std::fs::metadata(dir.join("u.yaml"))
        .and_then(|m| m.modified())
        .ok();
    assert_eq!(before, after);
    let _ = std::fs::remove_dir_all(dir);
}

/// After --fix the report shows what remains: the unsafe findings, not the fixed ones.
#[test]
fn the_report_after_fix_shows_what_remains() {
    let dir = temp_dir("remains");
    let src = format!(
        "{}{}",
        fixture("TM008-block.yaml"),
        "  WebClient:\n    Type: AWS::Cognito::UserPoolClient\n    Properties:\n      UserPoolId: !Ref UserPool\n      GenerateSecret: false\n"
    );
    std::fs::write(dir.join("t.yaml"), &src).unwrap_or_else(|e| panic!("{e}"));
    let out = run_in(
        &dir,
        &[
            "--fix",
            "--format",
            "parseable",
            "--select",
            "TM008,UC003",
            "t.yaml",
        ],
    );
    let report = text(&out.stdout);
    assert!(!report.contains("TM008"), "{report}");
    assert!(
        report.contains("t.yaml:14:3:14:12:UC003:warning"),
        "{report}"
    );
    assert_eq!(out.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(dir);
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_tree_are_not_followed_and_links_stay_links() {
    let dir = temp_dir("links");
    let outside = temp_dir("links-outside");
    let src = fixture("TM008-flow.yaml");
    std::fs::write(outside.join("t.yaml"), &src).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(dir.join("tree")).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(outside.join("t.yaml"), dir.join("tree/out.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = run_in(&dir, &["--fix", "tree/out.yaml"]);
    assert!(
        text(&out.stderr).contains("outside the linted folders"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(outside.join("t.yaml")).unwrap_or_default(),
        src
    );
    // A link inside the tree: the target is fixed, the link stays a link.
    std::fs::write(dir.join("tree/real.yaml"), &src).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink("real.yaml", dir.join("tree/in.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = run_in(&dir, &["--fix", "tree/in.yaml"]);
    assert!(
        text(&out.stderr).contains("fixed 2 findings"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        std::fs::symlink_metadata(dir.join("tree/in.yaml"))
            .is_ok_and(|m| m.file_type().is_symlink())
    );
    assert!(
        std::fs::read_to_string(dir.join("tree/real.yaml"))
            .unwrap_or_default()
            .contains("'OFF'")
    );
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(outside);
}

#[cfg(unix)]
#[test]
fn permissions_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("perm");
    std::fs::write(dir.join("t.yaml"), fixture("TM008-flow.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(dir.join("t.yaml"), std::fs::Permissions::from_mode(0o640))
        .unwrap_or_else(|e| panic!("{e}"));
    run_in(&dir, &["--fix", "t.yaml"]);
    let mode = std::fs::metadata(dir.join("t.yaml"))
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0);
    assert_eq!(mode, 0o640);
    assert!(
        std::fs::read_to_string(dir.join("t.yaml"))
            .unwrap_or_default()
            .contains("'OFF'")
    );
    let _ = std::fs::remove_dir_all(dir);
}

fn all_fixtures() -> &'static [String] {
    static ALL: std::sync::LazyLock<Vec<String>> =
        std::sync::LazyLock::new(|| CASES.iter().map(|(_, name, _)| fixture(name)).collect());
    &ALL
}

const TOKENS: &[&str] = &[
    "\n",
    "  ",
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "'",
    "\"",
    "#",
    "ON",
    "no",
    "\r\n",
    "&a ",
    "*a",
    "Version",
    "EnableTokenRevocation: false",
    "StringEquals: ",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    /// Random edits of the fixtures, then every fix (safe and unsafe): a text that parsed
    /// still parses.
    #[test]
    fn fixing_edited_fixtures_never_breaks_them(
        pick in any::<usize>(),
        edits in prop::collection::vec((any::<usize>(), 0usize..20, 0usize..3), 1..6),
    ) {
        let all = all_fixtures();
        let mut src = all[pick % all.len()].clone();
        for (at, token, len) in edits {
            let mut at = at % (src.len() + 1);
            while !src.is_char_boundary(at) { at -= 1; }
            let mut end = (at + len).min(src.len());
            while !src.is_char_boundary(end) { end += 1; }
            src.replace_range(at..end, TOKENS[token % TOKENS.len()]);
        }
        prop_assume!(parses(&src));
        let report = lint_source("p.yaml", src.clone(), true, &Options::default());
        let fixes = fixes_for(&src, &report.findings, &Limits::default());
        let (fixed, _, _) = fix::apply_checked(&src, &fixes, &Limits::default());
        prop_assert!(parses(&fixed), "{src}\n=>\n{fixed}");
    }
}

/// A role of one pool and slot whose trust statement has no Condition: the TR001 fix adds the
/// aud and the amr conditions at once (two fixes would each add a `Condition`), TR004 has no
/// fix of its own, and the result is clean for both.
#[test]
fn tr001_and_tr004_on_one_statement_are_one_fix() {
    let src = fixture("TR004.json");
    let report = lint_source("t.json", src.clone(), true, &Options::default());
    let fixes = fixes_for(&src, &report.findings, &Limits::default());
    let rules: Vec<&str> = fixes.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["TR001"]);
    assert!(!fixes[0].safe);
    assert_eq!(
        fixes[0].description,
        "add `StringEquals: {cognito-identity.amazonaws.com:aud: !Ref IdentityPool}` and \
         `ForAnyValue:StringLike: {cognito-identity.amazonaws.com:amr: authenticated}` to the \
         trust statement's Condition: only signed-in identities of the identity pool \
         `IdentityPool` can assume the role"
    );
    let (fixed, applied, dropped) = fix::apply_checked(&src, &fixes, &Limits::default());
    assert_eq!((applied.len(), dropped.len()), (1, 0));
    assert!(
        fixed.contains(
            "              \"Action\": \"sts:AssumeRoleWithWebIdentity\",\n              \"Condition\": {\n                \"StringEquals\": {\n                  \"cognito-identity.amazonaws.com:aud\": {\"Ref\": \"IdentityPool\"}\n                },\n                \"ForAnyValue:StringLike\": {\n                  \"cognito-identity.amazonaws.com:amr\": \"authenticated\"\n                }\n              }\n"
        ),
        "{fixed}"
    );
    let after = rules_of("t.json", &fixed);
    assert!(
        !after.contains(&"TR001") && !after.contains(&"TR004"),
        "{after:?}"
    );
}

/// The pool to pin is the one the role is attached to: none when the role is attached to two
/// pools, to a pool from elsewhere, or to none; the amr slot likewise.
#[test]
fn no_trust_fix_when_the_pool_or_slot_is_not_known() {
    let base = fixture("TR004-flow.yaml").replace(
        "Condition: {StringEquals: {'cognito-identity.amazonaws.com:aud': !Ref IdentityPool}}",
        "Condition: {StringEquals: {'aws:RequestedRegion': eu-west-1}}",
    );
    let fixable = |src: &str| -> Vec<&'static str> {
        let report = lint_source("t.yaml", src.to_string(), true, &Options::default());
        let found: Vec<&str> = report.findings.iter().map(|f| f.rule.id).collect();
        assert!(
            found.contains(&"TR001") && found.contains(&"TR004"),
            "{found:?}\n{src}"
        );
        fixes_for(src, &report.findings, &Limits::default())
            .iter()
            .map(|f| f.rule)
            .collect()
    };
    // Known: one pool, one slot (the check that the cases below can fail).
    assert_eq!(fixable(&base), ["TR001"]);
    // Two pools (in the same slot: the amr value is known).
    let two_pools = base.replace(
        "  IdentityPoolRoles:\n",
        "  OtherPool:\n    Type: AWS::Cognito::IdentityPool\n    Properties: {AllowUnauthenticatedIdentities: false}\n  OtherRoles:\n    Type: AWS::Cognito::IdentityPoolRoleAttachment\n    Properties: {IdentityPoolId: !Ref OtherPool, Roles: {authenticated: !GetAtt AuthenticatedRole.Arn}}\n  IdentityPoolRoles:\n",
    );
    assert_eq!(fixable(&two_pools), ["TR004"]);
    // A pool from another stack: the amr slot is known, the pool is not.
    let imported = base.replace(
        "IdentityPoolId: !Ref IdentityPool, Roles",
        "IdentityPoolId: !ImportValue shared-pool, Roles",
    );
    assert_eq!(fixable(&imported), ["TR004"]);
    // Both slots: the pool is known, the amr value is not.
    let both_slots = base.replace(
        "Roles: {authenticated: !GetAtt AuthenticatedRole.Arn}",
        "Roles: {authenticated: !GetAtt AuthenticatedRole.Arn, unauthenticated: !GetAtt AuthenticatedRole.Arn}",
    );
    assert_eq!(fixable(&both_slots), ["TR001"]);
    let report = lint_source("t.yaml", both_slots.clone(), true, &Options::default());
    let fixes = fixes_for(&both_slots, &report.findings, &Limits::default());
    assert!(
        !fixes[0].description.contains("amr"),
        "{}",
        fixes[0].description
    );
    // Not attached at all.
    let unattached = base.replace(
        "Roles: {authenticated: !GetAtt AuthenticatedRole.Arn}",
        "Roles: {}",
    );
    let report = lint_source("t.yaml", unattached.clone(), true, &Options::default());
    assert!(
        fixes_for(&unattached, &report.findings, &Limits::default()).is_empty(),
        "{unattached}"
    );
}

/// A Serverless service whose Cognito resources live in an included file: the fixes of the
/// stack's findings land in the file where the text is written (the include), and the service
/// file, which has no fix, is not touched. (No TM008 here: the framework reads YAML 1.2, where
/// `ON` is a plain string.)
#[test]
fn fixes_in_an_included_file_land_in_that_file() {
    let dir = temp_dir("sls-include");
    let service = "service: notes\nprovider:\n  name: aws\n  runtime: nodejs20.x\nresources:\n  - ${file(cognito.yml)}\n";
    let cognito = "Resources:\n  UserPool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      MfaConfiguration: ON\n      AdminCreateUserConfig:\n        AllowAdminCreateUserOnly: true\n  Client:\n    Type: AWS::Cognito::UserPoolClient\n    Properties:\n      UserPoolId: !Ref UserPool\n";
    std::fs::write(dir.join("serverless.yml"), service).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("cognito.yml"), cognito).unwrap_or_else(|e| panic!("{e}"));
    let before = run_in(
        &dir,
        &["--format", "parseable", "--fail-level", "none", "."],
    );
    let found = text(&before.stdout);
    assert!(found.contains("cognito.yml:8:3:8:9:UC003:"), "{found}");
    assert!(!found.contains(":TM008:"), "{found}");

    let diff = run_in(&dir, &["--diff", "--unsafe-fixes", "."]);
    assert_eq!(diff.status.code(), Some(1), "{}", text(&diff.stderr));
    let diff_text = text(&diff.stdout);
    assert!(
        diff_text.contains("+++ b/cognito.yml") || diff_text.contains("cognito.yml"),
        "{diff_text}"
    );
    assert!(!diff_text.contains("serverless.yml"), "{diff_text}");

    let fixed = run_in(
        &dir,
        &["--fix", "--unsafe-fixes", "--fail-level", "none", "."],
    );
    assert!(fixed.status.success(), "{}", text(&fixed.stderr));
    let after = std::fs::read_to_string(dir.join("cognito.yml")).unwrap_or_default();
    assert!(
        after.contains("PreventUserExistenceErrors: ENABLED"),
        "{after}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("serverless.yml")).unwrap_or_default(),
        service
    );
    let again = run_in(
        &dir,
        &["--format", "parseable", "--fail-level", "none", "."],
    );
    let left = text(&again.stdout);
    assert!(
        !left.contains(":TM008:") && !left.contains(":UC003:"),
        "{left}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
