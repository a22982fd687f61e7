//! Projects written as stacks of several files (CLI.md, *Stacks*), linted through the binary
//! with the project folder as the current directory: Serverless Framework services
//! (`fixtures/projects/sls-*`), config fragment stacks (`fixtures/projects/config-*`), a file
//! given alone that belongs to a service (pre-commit), and hostile includes generated in a
//! temporary folder. Each test asserts the exact (file, rule, line) list and the exit code.
//!
//! Known wrong today (kept out of the expectations so the suite stays green; see the comments
//! where they apply):
//! - sls-inline: a Cognito-assumable role with `ManagedPolicyArns: [arn:aws:iam::aws:policy/
//!   AdministratorAccess]` gets no finding; RULES.md (*Policies*) wants PM001 (signed-in tier,
//!   warning) at the ARN, naming the policy (AWS managed policies are not read).
//! - A `${file(...)}` include that is a symlink inside the repository to a file outside it is
//!   read and reported (only the lexical path is checked); RULES.md TM011 wants it refused.

mod common;

use std::path::{Path, PathBuf};

use common::{
    BinRun, Parseable, assert_findings, at, expected, file_rule_lines, parse_parseable,
    parseable_in, project, run_bin_in,
};
use serde_json::Value;

/// Runs the binary in `dir` with `--format json` and `args`.
fn json_in(dir: &Path, args: &[&str]) -> (BinRun, Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let run = run_bin_in(dir, &all);
    run.assert_no_panic(&format!("{} {args:?}", dir.display()));
    let v: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    (run, v)
}

/// The JSON finding of `rule` at `file:line`.
fn json_at<'a>(report: &'a Value, file: &str, rule: &str, line: u64) -> &'a Value {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["file"] == file && f["rule"] == rule && f["line"] == line)
        .unwrap_or_else(|| panic!("no {rule} at {file}:{line} in {report:#}"))
}

// ------------------------------------------------------------------------------------------------
// sls-includes: resources: [${file(user-pool)}, ${file(identity-pool)}], ${self:…} variables
// ------------------------------------------------------------------------------------------------

/// The identity pool file names the user pool and client of the other file (no TM003–TM005);
/// the guest role's `cognito-identity:*` is PM001 of the guest tier, and the pool's guest door
/// is IP001, a warning because its guest role has that PM001. The user pool keeps
/// case-sensitive usernames (UP011, info).
const SLS_INCLUDES_DEV: &[(&str, &str, usize)] = &[
    ("resources/identity-pool.yml", "IP001", 6),
    ("resources/identity-pool.yml", "PM001", 68),
    ("resources/user-pool.yml", "UP011", 2),
];

#[test]
fn sls_includes_merges_the_included_files_into_one_stack() {
    let dir = project("sls-includes");
    let (run, found) = parseable_in(&dir, &[]);
    assert_findings(&run, &found, SLS_INCLUDES_DEV, 1);
    let pm001 = at(&found, "resources/identity-pool.yml", "PM001", 68);
    assert_eq!(pm001.severity, "error");
    assert!(pm001.message.contains("guest"), "{}", pm001.message);
    assert_eq!(
        (pm001.col, pm001.end_line, pm001.end_col),
        (21, 68, 39),
        "the span is the action string"
    );
    let ip001 = at(&found, "resources/identity-pool.yml", "IP001", 6);
    assert_eq!(ip001.severity, "warning");
    // The same run as JSON names the stack: `<service>-<stage>`, the stage from the written
    // default of `${opt:stage, 'dev'}`.
    let (_, report) = json_in(&dir, &[]);
    for f in report["findings"].as_array().into_iter().flatten() {
        assert_eq!(f["stack"], "notes-dev", "{f:#}");
    }
    assert_eq!(
        json_at(&report, "resources/identity-pool.yml", "PM001", 68)["resource"],
        "GuestRole"
    );
}

#[test]
fn sls_includes_stage_prod_changes_a_resolved_value() {
    // `RefreshTokenValidity: ${self:custom.refreshDays.${self:custom.stage}}`: 30 days in dev,
    // 90 in prod, a UC002 warning at the value where it is written (custom.refreshDays.prod).
    let dir = project("sls-includes");
    let (run, found) = parseable_in(&dir, &["--stage", "prod", "--verbose"]);
    let mut want = SLS_INCLUDES_DEV.to_vec();
    want.push(("serverless.yml", "UC002", 16));
    assert_findings(&run, &found, &want, 1);
    let uc002 = at(&found, "serverless.yml", "UC002", 16);
    assert_eq!(uc002.severity, "warning");
    assert!(
        uc002.message.contains("`UserPoolClient`") && uc002.message.contains("90 days"),
        "{}",
        uc002.message
    );
    assert!(
        run.stderr
            .contains("stack `notes-prod` (Serverless service serverless.yml)"),
        "{}",
        run.stderr
    );
    let (_, report) = json_in(&dir, &["--stage", "prod"]);
    let uc002 = json_at(&report, "serverless.yml", "UC002", 16);
    assert_eq!(uc002["stack"], "notes-prod");
    assert_eq!(uc002["resource"], "UserPoolClient");
    assert_eq!(
        uc002["path"],
        "/Resources/UserPoolClient/Properties/RefreshTokenValidity"
    );
}

#[test]
fn pre_commit_one_included_file_lints_the_whole_service() {
    // pre-commit passes the changed file only: the service that includes it (found upwards) is
    // linted whole, and only that file's findings are reported.
    let dir = project("sls-includes");
    let (run, found) = parseable_in(&dir, &["resources/identity-pool.yml", "--verbose"]);
    assert_findings(&run, &found, &SLS_INCLUDES_DEV[..2], 1);
    assert!(
        run.stderr
            .contains("stack `notes-dev` (Serverless service serverless.yml)")
            && run.stderr.contains("includes resources/identity-pool.yml"),
        "{}",
        run.stderr
    );
    // From inside the folder of the file: paths are shown relative to the current directory.
    let (run, found) = parseable_in(&dir.join("resources"), &["identity-pool.yml"]);
    assert_findings(
        &run,
        &found,
        &[
            ("identity-pool.yml", "IP001", 6),
            ("identity-pool.yml", "PM001", 68),
        ],
        1,
    );
    // The other include alone: its own findings only. With --stage prod the UC002 about its
    // client is written in serverless.yml (custom.refreshDays.prod), a file not given: not
    // reported (CLI.md: the findings whose primary location is in the files given).
    let (run, found) = parseable_in(&dir, &["resources/user-pool.yml", "--stage", "prod"]);
    assert_findings(&run, &found, &[("resources/user-pool.yml", "UP011", 2)], 0);
}

// ------------------------------------------------------------------------------------------------
// sls-inline: resources.Resources inline, provider.iam.role.statements, a cognitoUserPool event
// ------------------------------------------------------------------------------------------------

#[test]
fn sls_inline_resources_provider_statements_and_generated_pool() {
    let dir = project("sls-inline");
    let (run, found) = parseable_in(&dir, &[]);
    assert_findings(
        &run,
        &found,
        &[
            // `dynamodb:*` of provider.iam.role.statements: the execution role, tier other.
            ("serverless.yml", "PM001", 14),
            // CognitoUserPoolMyPool, made by the framework for the cognitoUserPool event
            // (its PreSignUp trigger has the framework's permission: no UP005), with every
            // default: MFA off, threat protection off, no retain policy. At the event.
            ("serverless.yml", "UP003", 26),
            ("serverless.yml", "UP004", 26),
            ("serverless.yml", "UP006", 26),
            ("serverless.yml", "UP011", 26),
            // CognitoUserPoolMembers sets no UsernameConfiguration (UP011, info).
            ("serverless.yml", "UP011", 44),
            // `MfaConfiguration: OFF` unquoted: YAML 1.2 reads the string OFF (no TM008), MFA
            // is off. The `*tags` aliases are expanded by the framework: no TM008 either.
            ("serverless.yml", "UP003", 52),
            // A warning (signed-in tier) at `arn:aws:iam::aws:policy/AdministratorAccess` of
            // the Cognito-assumable StaffRole (RULES.md *Policies*: AWS managed policies
            // attached by ARN are read by PM001).
            ("serverless.yml", "PM001", 106),
        ],
        1,
    );
    let admin = at(&found, "serverless.yml", "PM001", 106);
    assert_eq!(admin.severity, "warning");
    assert!(
        admin.message.contains("`AdministratorAccess` grants `*`"),
        "{}",
        admin.message
    );
    let pm001 = at(&found, "serverless.yml", "PM001", 14);
    assert_eq!(pm001.severity, "info");
    assert_eq!((pm001.col, pm001.end_col), (15, 25));
    assert!(
        pm001.message.contains("IamRoleLambdaExecution"),
        "{}",
        pm001.message
    );
    assert_eq!(
        at(&found, "serverless.yml", "UP003", 52).message,
        "multi-factor authentication is off for `StaffPool`"
    );
    let (_, report) = json_in(&dir, &[]);
    assert_eq!(
        json_at(&report, "serverless.yml", "UP006", 26)["resource"],
        "CognitoUserPoolMyPool"
    );
    assert_eq!(
        json_at(&report, "serverless.yml", "PM001", 14)["path"],
        "/Resources/IamRoleLambdaExecution/Properties/Policies/0/PolicyDocument/Statement/0/Action/0"
    );
}

// ------------------------------------------------------------------------------------------------
// sls-override: resources deep-merge into generated resources; resources.extensions
// ------------------------------------------------------------------------------------------------

#[test]
fn sls_override_findings_land_where_the_overriding_text_is_written() {
    // resources/overrides.yml deep-merges Properties into CognitoUserPoolMembers (generated
    // for the cognitoUserPool event): its `MinimumLength: 6` is UP002 there. The extensions
    // in serverless.yml add `UpdateReplacePolicy: Retain` (with the override's
    // `DeletionPolicy: Retain`: no UP006) and `AdvancedSecurityMode: AUDIT` (UP004 at AUDIT:
    // AUDIT counts as off). The trigger keeps the framework's permission (no UP005), the
    // client's `!Ref CognitoUserPoolMembers` names a generated resource (no TM003), and
    // `MfaConfiguration: OPTIONAL` keeps UP003 quiet.
    let dir = project("sls-override");
    let (run, found) = parseable_in(&dir, &[]);
    assert_findings(
        &run,
        &found,
        &[
            ("resources/overrides.yml", "UP011", 4),
            ("resources/overrides.yml", "UP002", 17),
            ("serverless.yml", "UP004", 35),
        ],
        1,
    );
    let (_, report) = json_in(&dir, &[]);
    let up002 = json_at(&report, "resources/overrides.yml", "UP002", 17);
    assert_eq!(up002["resource"], "CognitoUserPoolMembers");
    assert_eq!(
        up002["path"],
        "/Resources/CognitoUserPoolMembers/Properties/Policies/PasswordPolicy/MinimumLength"
    );
    assert_eq!(up002["stack"], "forum-dev");
    let up004 = json_at(&report, "serverless.yml", "UP004", 35);
    assert_eq!(
        up004["path"],
        "/Resources/CognitoUserPoolMembers/Properties/UserPoolAddOns/AdvancedSecurityMode"
    );
}

// ------------------------------------------------------------------------------------------------
// sls-broken: three services in one tree, two that cannot be assembled
// ------------------------------------------------------------------------------------------------

#[test]
fn sls_broken_reports_tm011_at_the_include_and_lints_the_rest() {
    let dir = project("sls-broken");
    let (run, found) = parseable_in(&dir, &[]);
    let want = [
        // a: `${file(resources/roles.yml)}`, a file that does not exist.
        ("a/resources/user-pool.yml", "UP011", 2),
        ("a/serverless.yml", "TM011", 9),
        // b: `custom.poolName: ${self:custom.poolName}-users` refers to itself, and
        // `${file(serverless.yml)}` includes the service file itself.
        ("b/serverless.yml", "TM011", 8),
        ("b/serverless.yml", "TM011", 11),
        ("b/serverless.yml", "UP011", 13),
        // c: fine, with one real finding (and the info UP011).
        ("c/resources/cognito.yml", "UP011", 2),
        ("c/resources/cognito.yml", "UC003", 16),
    ];
    assert_findings(&run, &found, &want, 1);
    let spans: Vec<(usize, usize, usize, usize)> = found
        .iter()
        .filter(|f| f.rule == "TM011")
        .map(|f| (f.line, f.col, f.end_line, f.end_col))
        .collect();
    assert_eq!(spans, [(9, 5, 9, 33), (8, 13, 8, 42), (11, 5, 11, 28)]);
    for f in found.iter().filter(|f| f.rule == "TM011") {
        assert_eq!(f.severity, "error");
    }
    assert!(
        at(&found, "a/serverless.yml", "TM011", 9)
            .message
            .starts_with("`${file(resources/roles.yml)}` cannot be included"),
        "{found:#?}"
    );
    assert!(
        at(&found, "b/serverless.yml", "TM011", 8)
            .message
            .contains("refers to itself")
    );
    assert!(
        at(&found, "b/serverless.yml", "TM011", 11)
            .message
            .contains("include cycle")
    );
    // The same tree named explicitly, and the good service alone.
    let (run, found2) = parseable_in(&dir, &["."]);
    assert_eq!(
        file_rule_lines(&found2),
        file_rule_lines(&found),
        "{}",
        run.stderr
    );
    let c_findings = [
        ("c/resources/cognito.yml", "UP011", 2),
        ("c/resources/cognito.yml", "UC003", 16),
    ];
    let (run, found) = parseable_in(&dir, &["c"]);
    assert_findings(&run, &found, &c_findings, 1);
    let (run, found) = parseable_in(&dir, &["c", "--fail-level", "error"]);
    assert_findings(&run, &found, &c_findings, 0);
}

// ------------------------------------------------------------------------------------------------
// config-fragments: `stacks: {auth: {files: [cognito.yaml, roles.yaml], parameters: …}}`
// ------------------------------------------------------------------------------------------------

#[test]
fn config_fragments_are_one_stack_with_tm002_across_files() {
    let dir = project("config-fragments");
    let (run, found) = parseable_in(&dir, &[]);
    assert_findings(
        &run,
        &found,
        &[
            // The user pool keeps case-sensitive usernames (info).
            ("cognito.yaml", "UP011", 12),
            // `AllowUnauthenticatedIdentities: !Ref GuestAccess`, given `true` by params.json.
            ("cognito.yaml", "IP001", 41),
            // GuestRole is defined in both fragments: TM002 at the second definition.
            ("roles.yaml", "TM002", 37),
            // The second definition wins: its `firehose:*`, guest tier (unauthenticated slot
            // of the attachment in roles.yaml, aud the identity pool of cognito.yaml).
            ("roles.yaml", "PM001", 58),
        ],
        1,
    );
    let ip001 = at(&found, "cognito.yaml", "IP001", 41);
    assert_eq!(ip001.severity, "warning");
    assert!(
        ip001.message.contains(
            "(parameter `GuestAccess` = `true`, from stack `auth` parameters params.json)"
        ),
        "{}",
        ip001.message
    );
    assert_eq!(at(&found, "roles.yaml", "PM001", 58).severity, "error");
    let (_, report) = json_in(&dir, &[]);
    let tm002 = json_at(&report, "roles.yaml", "TM002", 37);
    assert_eq!(tm002["stack"], "auth");
    assert_eq!(
        tm002["related"],
        serde_json::json!([{
            "file": "cognito.yaml", "line": 48, "column": 3, "end_line": 48, "end_column": 12,
            "message": "first defined here"
        }])
    );
    assert!(
        tm002["message"]
            .as_str()
            .is_some_and(|m| m.contains("also defined at cognito.yaml:48")),
        "{tm002:#}"
    );
}

#[test]
fn config_fragments_parameter_given_on_the_command_line_wins() {
    // `--parameters` comes before the config stack's `parameters`: guests off, so IP001 is
    // gone and the unauthenticated attachment is IP005. (PM001 of GuestRole stays in the guest
    // tier: RULES.md calls a role in an `unauthenticated` slot guest-reachable.)
    let dir = project("config-fragments");
    let (run, found) = parseable_in(&dir, &["--parameters", "no-guests.json"]);
    assert_findings(
        &run,
        &found,
        &[
            ("cognito.yaml", "UP011", 12),
            ("roles.yaml", "IP005", 11),
            ("roles.yaml", "TM002", 37),
            ("roles.yaml", "PM001", 58),
        ],
        1,
    );
    let ip005 = at(&found, "roles.yaml", "IP005", 11);
    assert!(
        ip005
            .message
            .contains("(parameter `GuestAccess` = `false`, from --parameters no-guests.json)"),
        "{}",
        ip005.message
    );
    // The label at the pool's setting lies in the other fragment: a `related` location.
    let (_, report) = json_in(&dir, &["--parameters", "no-guests.json"]);
    assert_eq!(
        json_at(&report, "roles.yaml", "IP005", 11)["related"],
        serde_json::json!([{
            "file": "cognito.yaml", "line": 41, "column": 39, "end_line": 41, "end_column": 55,
            "message": "guests are off here"
        }])
    );
}

#[test]
fn config_fragment_given_alone_is_linted_with_its_stack() {
    let dir = project("config-fragments");
    let (run, found) = parseable_in(&dir, &["roles.yaml", "--verbose"]);
    assert_findings(
        &run,
        &found,
        &[("roles.yaml", "TM002", 37), ("roles.yaml", "PM001", 58)],
        1,
    );
    assert!(
        run.stderr.contains("stack `auth` (config fragments)"),
        "{}",
        run.stderr
    );
    let (run, found) = parseable_in(&dir, &["cognito.yaml"]);
    assert_findings(
        &run,
        &found,
        &[("cognito.yaml", "UP011", 12), ("cognito.yaml", "IP001", 41)],
        1,
    );
}

// ------------------------------------------------------------------------------------------------
// Hostile includes, generated in a temporary folder (a `.git` marks its repository root)
// ------------------------------------------------------------------------------------------------

const SERVICE_HEAD: &str = "service: hostile\n\nprovider:\n  name: aws\n\n";

/// A temporary repository with a service folder `svc` holding `serverless.yml` = `service`.
fn hostile_repo(name: &str, service: &str) -> (PathBuf, PathBuf) {
    let base = common::fresh_temp_dir(name);
    let repo = base.join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap_or_else(|e| panic!("{e}"));
    let svc = repo.join("svc");
    common::write_file(&svc, "serverless.yml", format!("{SERVICE_HEAD}{service}"));
    (base, svc)
}

#[test]
fn hostile_binary_include_is_tm001_not_a_panic() {
    let (base, svc) = hostile_repo(
        "binary-include",
        "resources:\n  - ${file(logo.yml)}\n  - ${file(nul.yml)}\n",
    );
    // A PNG header (invalid UTF-8), and NUL bytes in valid UTF-8.
    common::write_file(&svc, "logo.yml", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0");
    common::write_file(&svc, "nul.yml", b"A\0B: c\n");
    let (run, found) = parseable_in(&svc, &[]);
    assert_findings(
        &run,
        &found,
        &[("logo.yml", "TM001", 1), ("nul.yml", "TM001", 1)],
        1,
    );
    assert_eq!(
        (found[0].col, found[1].col),
        (1, 2),
        "at the first bad byte: {found:#?}"
    );
    let _ = std::fs::remove_dir_all(base);
}

#[test]
fn hostile_include_chain_of_10000_files_stops_at_the_depth_limit() {
    let (base, svc) = hostile_repo("include-chain", "resources:\n  - ${file(chain/f0.yml)}\n");
    // Includes resolve from the service folder, as the framework's `file` source does.
    for i in 0..10_000 {
        common::write_file(
            &svc,
            &format!("chain/f{i}.yml"),
            format!("next: ${{file(chain/f{}.yml)}}\n", i + 1),
        );
    }
    let (run, found) = parseable_in(&svc, &[]);
    assert!(
        run.elapsed < std::time::Duration::from_secs(10),
        "took {:?}",
        run.elapsed
    );
    assert_findings(&run, &found, &[("chain/f63.yml", "TM011", 1)], 1);
    let f = &found[0];
    assert_eq!((f.col, f.end_line, f.end_col), (7, 1, 29));
    assert!(
        f.message.contains("deeper than 64") && f.message.contains("${file(chain/f64.yml)}"),
        "{}",
        f.message
    );
    let _ = std::fs::remove_dir_all(base);
}

#[test]
fn hostile_include_cycle_is_tm011_at_the_include() {
    let (base, svc) = hostile_repo("include-cycle", "resources:\n  - ${file(a.yml)}\n");
    common::write_file(&svc, "a.yml", "Resources:\n  A: ${file(b.yml)}\n");
    common::write_file(&svc, "b.yml", "Resources:\n  B: ${file(a.yml)}\n");
    let (run, found) = parseable_in(&svc, &[]);
    assert_findings(&run, &found, &[("b.yml", "TM011", 2)], 1);
    assert_eq!((found[0].col, found[0].end_col), (6, 20));
    assert!(
        found[0].message.contains("include cycle"),
        "{}",
        found[0].message
    );
    let _ = std::fs::remove_dir_all(base);
}

#[test]
fn hostile_include_outside_the_repository_is_not_read() {
    let (base, svc) = hostile_repo(
        "include-outside",
        "resources:\n  - ${file(../../outside.yml)}\n",
    );
    // base/outside.yml: beside the repository, not in it.
    common::write_file(
        &base,
        "outside.yml",
        "Resources:\n  OutsidePool:\n    Type: AWS::Cognito::UserPool\n",
    );
    let (run, found) = parseable_in(&svc, &[]);
    assert_findings(&run, &found, &[("serverless.yml", "TM011", 7)], 1);
    assert_eq!((found[0].col, found[0].end_col), (5, 31));
    assert!(
        found[0].message.contains("outside the repository"),
        "{}",
        found[0].message
    );
    assert!(!run.stdout.contains("OutsidePool"), "{}", run.stdout);
    let _ = std::fs::remove_dir_all(base);
}

/// A symbolic link inside the repository that points outside it is not followed out.
#[cfg(unix)]
#[test]
fn hostile_symlink_out_of_the_repository_is_not_read() {
    let (base, svc) = hostile_repo("include-symlink", "resources:\n  - ${file(link.yml)}\n");
    common::write_file(
        &base,
        "secret.yml",
        "Resources:\n  OutsidePool:\n    Type: AWS::Cognito::UserPool\n# db_password: hunter2\n",
    );
    std::os::unix::fs::symlink(base.join("secret.yml"), svc.join("link.yml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let (run, found) = parseable_in(&svc, &[]);
    assert_findings(&run, &found, &[("serverless.yml", "TM011", 7)], 1);
    assert!(
        found[0].message.contains("outside the repository"),
        "{}",
        found[0].message
    );
    let (human, _) = (run_bin_in(&svc, &[]), ());
    assert!(!human.stdout.contains("hunter2"), "{}", human.stdout);
    let _ = std::fs::remove_dir_all(base);
}

/// Variables that name the same value many times (10 levels of 10 references: 10^10 nodes if
/// expanded) stop at the expansion budget with one TM010, fast.
#[test]
fn hostile_variable_fan_out_stops_at_the_budget() {
    let mut custom = String::from("custom:\n  l0: [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("'${{self:custom.l{}}}'", i - 1); 10].join(", ");
        custom.push_str(&format!("  l{i}: [{refs}]\n"));
    }
    custom.push_str("resources:\n  Resources:\n    T:\n      Type: AWS::SNS::Topic\n      Properties:\n        Tags: ${self:custom.l9}\n");
    let (base, svc) = hostile_repo("variable-fan-out", &custom);
    let (run, found) = parseable_in(&svc, &[]);
    assert!(
        run.elapsed < std::time::Duration::from_secs(10),
        "took {:?}",
        run.elapsed
    );
    assert_eq!(
        found.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
        ["TM010"],
        "{}",
        run.stdout
    );
    assert_eq!(run.code, Some(1));
    let _ = std::fs::remove_dir_all(base);
}

/// Includes that include the same file many times (9 levels of 10) are resolved once each.
#[test]
fn hostile_include_fan_out_stops_at_the_budget() {
    let (base, svc) = hostile_repo(
        "include-fan-out",
        "resources:\n  Resources:\n    T:\n      Type: AWS::SNS::Topic\n      Properties:\n        Tags: ${file(f0.yml)}\n",
    );
    for i in 0..9 {
        let line = format!("- ${{file(f{}.yml)}}\n", i + 1);
        common::write_file(&svc, &format!("f{i}.yml"), line.repeat(10));
    }
    common::write_file(&svc, "f9.yml", "- {Key: k, Value: v}\n");
    let (run, found) = parseable_in(&svc, &[]);
    assert!(
        run.elapsed < std::time::Duration::from_secs(10),
        "took {:?}",
        run.elapsed
    );
    assert_eq!(
        found.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
        ["TM010"],
        "{}",
        run.stdout
    );
    let _ = std::fs::remove_dir_all(base);
}

// ------------------------------------------------------------------------------------------------
// What a review of the Serverless loader found (fixtures/projects/sls-regressions/<case>)
// ------------------------------------------------------------------------------------------------

fn regression(case: &str) -> (BinRun, Vec<Parseable>) {
    let dir = common::root()
        .join("fixtures/projects/sls-regressions")
        .join(case);
    parseable_in(&dir, &["--fail-level", "warning", "serverless.yml"])
}

/// Names the framework generates for `url`, `provisionedConcurrency`, `apiKeys` and `cors`
/// count as defined.
#[test]
fn regression_generated_names_of_function_settings() {
    let (run, found) = regression("gennames");
    assert_findings(&run, &found, &[], 0);
}

/// `functions` written as a list of includes is merged like a mapping.
#[test]
fn regression_functions_as_a_list() {
    let (run, found) = regression("fnlist");
    let loud: Vec<_> = found.iter().filter(|f| f.severity != "info").collect();
    assert_eq!(
        loud.iter()
            .map(|f| (f.rule.as_str(), f.line))
            .collect::<Vec<_>>(),
        [("UP006", 8)],
        "{}",
        run.stdout
    );
}

/// `${self:provider.stage}` with no `provider.stage` is the framework's default, `dev`.
#[test]
fn regression_provider_stage_defaults_to_dev() {
    let (run, found) = regression("stagedefault");
    let f = at(&found, "serverless.yml", "UC002", 7);
    assert!(f.message.contains("90 days"), "{}", run.stdout);
}

/// Lists in later `resources` entries merge item by item into earlier ones.
#[test]
fn regression_lists_merge_by_position() {
    let (run, found) = regression("arraymerge");
    assert_findings(
        &run,
        &found,
        &[
            ("serverless.yml", "UP011", 6),
            ("serverless.yml", "UC005", 24),
        ],
        1,
    );
}

/// `extensions` apply after every `Resources`, whatever the order they are written in.
#[test]
fn regression_extensions_apply_last() {
    let (run, found) = regression("extorder");
    assert_findings(&run, &found, &[("serverless.yml", "UP011", 10)], 0);
}

/// Extending a resource nobody defines is TM011 at the extension.
#[test]
fn regression_extension_of_a_missing_resource() {
    let (run, found) = regression("extmissing");
    assert_findings(&run, &found, &[("serverless.yml", "TM011", 6)], 1);
}

/// A value that rests on a written default (`${param:x, 4000}`) supports at most a warning,
/// and the message names the variable.
#[test]
fn regression_written_default_is_at_most_a_warning() {
    let (run, found) = regression("writtendefault");
    let f = at(&found, "serverless.yml", "UC002", 5);
    assert_eq!(f.severity, "warning", "{}", run.stdout);
    assert!(f.message.contains("`param:refreshDays`"), "{}", f.message);
}

#[test]
fn hostile_variable_referring_to_itself_is_tm011() {
    let (base, svc) = hostile_repo(
        "self-variable",
        "custom:\n  name: ${self:custom.name}\n\nresources:\n  Resources:\n    Topic:\n      Type: AWS::SNS::Topic\n      Properties:\n        TopicName: ${self:custom.name}\n",
    );
    let (run, found) = parseable_in(&svc, &[]);
    assert_findings(&run, &found, &[("serverless.yml", "TM011", 7)], 1);
    assert_eq!((found[0].col, found[0].end_col), (9, 28));
    assert!(
        found[0].message.contains("refers to itself"),
        "{}",
        found[0].message
    );
    let _ = std::fs::remove_dir_all(base);
}

/// Standard input named as an included file (an editor's unsaved buffer) is linted with its
/// service, the buffer in place of the file on disk.
#[test]
fn stdin_named_as_an_included_file_is_linted_with_its_service() {
    use std::io::Write;
    let dir = common::root().join("fixtures/projects/sls-includes");
    let lint = |text: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cfn-cognito-lint"))
            .current_dir(&dir)
            .args([
                "--format",
                "parseable",
                "-",
                "--stdin-filename",
                "resources/identity-pool.yml",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(text.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
        (out.status.code(), parse_parseable(&stdout))
    };
    let on_disk = std::fs::read_to_string(dir.join("resources/identity-pool.yml"))
        .unwrap_or_else(|e| panic!("{e}"));
    // As on disk: the service's names are defined (no TM003/TM004/TM005), the guest wildcard.
    let (code, found) = lint(&on_disk);
    assert_eq!(
        file_rule_lines(&found),
        expected(&[
            ("resources/identity-pool.yml", "IP001", 6),
            ("resources/identity-pool.yml", "PM001", 68),
        ])
    );
    assert_eq!(code, Some(1));
    // The unsaved buffer fixes the wildcard: the disk's version is not what is judged.
    let fixed = on_disk.replace("cognito-identity:*", "cognito-identity:GetId");
    let (code, found) = lint(&fixed);
    assert_eq!(
        file_rule_lines(&found),
        expected(&[("resources/identity-pool.yml", "IP001", 6)])
    );
    assert_eq!(code, Some(0));
}

/// A config stack naming a fragment that does not exist: TM011 at that line of the config, and
/// the other fragments are still linted as the stack.
#[test]
fn config_stack_with_a_missing_fragment_is_tm011_in_the_config() {
    let base = common::fresh_temp_dir("config-missing-fragment");
    std::fs::create_dir_all(base.join(".git")).unwrap_or_else(|e| panic!("{e}"));
    common::write_file(
        &base,
        ".cfn-cognito-lint.yaml",
        "stacks:\n  auth:\n    files:\n      - cognito.yaml\n      - roles.yaml\n",
    );
    common::write_file(
        &base,
        "cognito.yaml",
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !GetAtt Missing.TopicName\n",
    );
    let (run, found) = parseable_in(&base, &["cognito.yaml"]);
    assert_findings(
        &run,
        &found,
        &[
            (".cfn-cognito-lint.yaml", "TM011", 5),
            ("cognito.yaml", "TM004", 5),
        ],
        1,
    );
    assert!(
        found[0].message.contains("`roles.yaml`"),
        "{}",
        found[0].message
    );
    assert_eq!((found[0].col, found[0].end_col), (9, 19));
    let _ = std::fs::remove_dir_all(base);
}

/// An include the framework reads as "no value" is not a TM011: a missing file with a fallback
/// after it (`${file(x.yml):k, 'y'}`), and a file `.gitignore` keeps out of the repository on
/// purpose (secrets that exist where the service is deployed). A plain missing include still is.
#[test]
fn missing_include_with_fallback_or_gitignored_is_not_tm011() {
    let (base, svc) = hostile_repo(
        "missing-ok",
        "custom:\n  secrets: ${file(secrets.yml)}\n  region: ${file(region.yml):region, 'eu-west-1'}\n  other: ${file(other.yml)}\nresources:\n  Resources:\n    Topic:\n      Type: AWS::SNS::Topic\n      Properties:\n        TopicName: ${self:custom.secrets.topic}\n        DisplayName: ${self:custom.region}\n        KmsMasterKeyId: ${self:custom.other}\n",
    );
    common::write_file(&svc, ".gitignore", "secrets.yml\n");
    let (run, found) = parseable_in(&svc, &[]);
    assert_findings(&run, &found, &[("serverless.yml", "TM011", 9)], 1);
    assert!(
        found[0].message.contains("other.yml"),
        "{}",
        found[0].message
    );
    let _ = std::fs::remove_dir_all(base);
}

/// A fragment under a Serverless service written as code (`serverless.ts`, which this tool
/// cannot read) may use names that service defines: no TM003/TM004/TM005 there; the same
/// fragment elsewhere still gets them.
#[test]
fn fragment_under_a_typescript_service_has_no_undefined_names() {
    let base = common::fresh_temp_dir("ts-service");
    std::fs::create_dir_all(base.join(".git")).unwrap_or_else(|e| panic!("{e}"));
    let fragment = "Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      UserPoolName: !Sub '${AWS::StackName}-${Stage}'\n      LambdaConfig:\n        PreSignUp: !GetAtt PreSignUpLambdaFunction.Arn\n";
    common::write_file(&base, "ts/serverless.ts", "export default {};\n");
    common::write_file(&base, "ts/resources/cognito.yml", fragment);
    common::write_file(&base, "plain/cognito.yml", fragment);
    let (run, found) = parseable_in(&base, &["--select", "TM", "ts", "plain"]);
    assert_findings(
        &run,
        &found,
        &[
            ("plain/cognito.yml", "TM005", 5),
            ("plain/cognito.yml", "TM004", 7),
        ],
        1,
    );
    let _ = std::fs::remove_dir_all(base);
}
