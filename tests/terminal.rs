//! Terminal manners of the binary (issue 14): `--color` and the colour variables, the human
//! report's width, config and command-line errors all at once with suggestions, `--list-rules`
//! (its width, its JSON), `--strict` on a file that is not a template, `--help`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::root;

/// Runs the binary in `dir` with `env`, and none of the caller's colour and width variables.
fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cfn-cognito-lint"));
    cmd.args(args).current_dir(dir);
    for var in [
        "NO_COLOR",
        "FORCE_COLOR",
        "CLICOLOR",
        "CLICOLOR_FORCE",
        "COLUMNS",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run the binary: {e}"))
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    run_env(&root(), args, env)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn has_escapes(b: &[u8]) -> bool {
    b.windows(2).any(|w| w == b"\x1b[")
}

/// `text` without its SGR escapes (`ESC [ digits ; m`).
fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\x1b[") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 2..];
        let end = tail
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(tail.len());
        rest = tail.get(end + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

fn temp_dir(name: &str) -> PathBuf {
    common::fresh_temp_dir(&format!("terminal-{name}"))
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("{name}: {e}"));
}

const SEEDS: &str = "fixtures/seeds";

/// Arguments, environment variables, and whether the output is coloured.
type Case = (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
    bool,
);

// ------------------------------------------------------------------------------------------------
// colour
// ------------------------------------------------------------------------------------------------

#[test]
fn colour_follows_the_flag_then_force_color_then_no_color() {
    let cases: [Case; 11] = [
        // Standard output is a pipe here: no colour unless asked for.
        (&[], &[], false),
        (&[], &[("FORCE_COLOR", "1")], true),
        // Any value that is not empty forces it (force-color.org), "0" too.
        (&[], &[("FORCE_COLOR", "0")], true),
        (&[], &[("FORCE_COLOR", "")], false),
        (&[], &[("NO_COLOR", "1")], false),
        // FORCE_COLOR wins over NO_COLOR (force-color.org's reference code reads it last).
        (&[], &[("NO_COLOR", "1"), ("FORCE_COLOR", "1")], true),
        (&["--color", "always"], &[], true),
        // The flag wins over both variables.
        (&["--color=always"], &[("NO_COLOR", "1")], true),
        (&["--color", "never"], &[("FORCE_COLOR", "1")], false),
        (&["--color", "auto"], &[("FORCE_COLOR", "1")], true),
        (&["--color", "auto"], &[], false),
    ];
    let reference = run(&[SEEDS], &[]);
    assert_eq!(reference.status.code(), Some(1));
    for (flags, env, coloured) in cases {
        let mut args = flags.to_vec();
        args.push(SEEDS);
        let out = run(&args, env);
        assert_eq!(out.status.code(), Some(1), "{flags:?} {env:?}");
        assert_eq!(has_escapes(&out.stdout), coloured, "{flags:?} {env:?}");
        // Colour only adds escapes: the text is the plain report's.
        assert_eq!(
            plain(&text(&out.stdout)),
            text(&reference.stdout),
            "{flags:?} {env:?}"
        );
    }
}

#[test]
fn colour_in_a_report_file_only_when_asked_for() {
    let dir = temp_dir("colour-file");
    let seed = root().join("fixtures/seeds/user-pool.yaml");
    let seed = seed.to_string_lossy();
    let out = run_env(&dir, &["-o", "report.txt", &seed], &[("FORCE_COLOR", "1")]);
    assert_eq!(out.status.code(), Some(1));
    let written = std::fs::read(dir.join("report.txt")).unwrap_or_default();
    assert!(
        text(&written).contains("PM001 wildcard-action"),
        "{}",
        text(&written)
    );
    assert!(!has_escapes(&written));
    let out = run_env(&dir, &["--color", "always", "-o", "report.txt", &seed], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(has_escapes(
        &std::fs::read(dir.join("report.txt")).unwrap_or_default()
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_is_coloured_by_the_same_choice() {
    let cases: [Case; 5] = [
        (&["--help"], &[], false),
        (&["--help"], &[("FORCE_COLOR", "1")], true),
        (
            &["--help", "--color", "never"],
            &[("FORCE_COLOR", "1")],
            false,
        ),
        (&["--color=always", "--help"], &[("NO_COLOR", "1")], true),
        (&["--help"], &[("NO_COLOR", "1")], false),
    ];
    for (args, env, coloured) in cases {
        let out = run(args, env);
        assert_eq!(out.status.code(), Some(0), "{args:?} {env:?}");
        assert_eq!(has_escapes(&out.stdout), coloured, "{args:?} {env:?}");
    }
    // clap's own errors too.
    let out = run(&["--no-such-flag"], &[("FORCE_COLOR", "1")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(has_escapes(&out.stderr));
    let out = run(&["--no-such-flag"], &[]);
    assert!(!has_escapes(&out.stderr));
    let out = run(&["--color", "sometimes", SEEDS], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("possible values: auto, always, never"));
}

// ------------------------------------------------------------------------------------------------
// width
// ------------------------------------------------------------------------------------------------

/// Whether miette draws `line` from the source, as written (not wrapped): a numbered source
/// line (` 12 │ `), an underline or label under one (`   · `), a snippet's header
/// (`   ╭─[file:line:col]`).
fn from_source(line: &str) -> bool {
    let t = line.trim_start();
    let numbered = t
        .split_once(" │")
        .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    numbered || t.starts_with('·') || t.starts_with("╭─[")
}

/// The widest line of a report that is not drawn from the source, in characters.
fn widest(report: &str) -> usize {
    report
        .lines()
        .filter(|l| !from_source(l))
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
}

#[test]
fn human_report_is_wrapped_to_columns_else_80() {
    // (COLUMNS, the width the report is wrapped to).
    let cases: [(Option<&str>, usize); 8] = [
        (Some("60"), 60),
        (None, 80),
        (Some("abc"), 80),
        (Some("0"), 80),
        (Some(""), 80),
        (Some("100"), 100),
        // Kept within 40..=400.
        (Some("10"), 40),
        (Some("200"), 200),
    ];
    for (columns, width) in cases {
        let env: Vec<(&str, &str)> = columns.map(|c| ("COLUMNS", c)).into_iter().collect();
        let out = run(&[SEEDS], &env);
        assert_eq!(out.status.code(), Some(1));
        let report = text(&out.stdout);
        let wide = widest(&report);
        // Wrapped at the width, not narrower: the seeds' messages are long enough to fill it
        // to within a word.
        assert!(
            wide <= width && wide + 12 > width,
            "COLUMNS={columns:?}: widest line {wide}, expected up to {width}\n{report}"
        );
    }
}

#[test]
fn lines_drawn_from_the_source_are_not_wrapped() {
    // A source line longer than the width stays whole (miette keeps underlines under their
    // columns); everything else fits.
    let long = format!(
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref {}\n",
        "Undefined".repeat(8)
    );
    let dir = temp_dir("long-line");
    write(&dir, "t.yaml", &long);
    let out = run_env(&dir, &["t.yaml"], &[("COLUMNS", "60")]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stdout);
    assert!(widest(&report) <= 60, "{report}");
    let source = report
        .lines()
        .find(|l| l.contains("TopicName: !Ref Undefined"))
        .unwrap_or_default();
    assert_eq!(
        source,
        format!(" 5 │       TopicName: !Ref {}", "Undefined".repeat(8)),
        "{report}"
    );
    assert_eq!(source.chars().count(), 99);
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------------------------------------------
// config and command-line errors
// ------------------------------------------------------------------------------------------------

const CONFIG_WITH_ERRORS: &str = "\
ignroe: [UP003]
select: [TR01, trust-without-au, PM]
severity:
  UC02: error
  UC002: warn
fail-level: errror
rules:
  UC002:
    max-dayz: 3
    min-length: 4
  UC003:
    foo: 1
  XX9:
    a: 1
limits:
  max-dept: 3
  max-depth: 0
stacks:
  auth:
    file: [a.yaml]
zzz: 1
";

#[test]
fn config_errors_all_at_once_with_suggestions() {
    let dir = temp_dir("config-errors");
    write(
        &dir,
        "stack.yaml",
        "Resources:\n  T:\n    Type: AWS::SNS::Topic\n",
    );
    write(&dir, "lint.yaml", CONFIG_WITH_ERRORS);
    let out = run_env(&dir, &["--config", "lint.yaml", "stack.yaml"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "");
    assert_eq!(
        text(&out.stderr),
        "\
cfn-cognito-lint: lint.yaml:1:1: unknown key `ignroe`: did you mean `ignore`?
cfn-cognito-lint: lint.yaml:2:10: unknown rule `TR01` in select: did you mean `TR001`?
cfn-cognito-lint: lint.yaml:2:16: unknown rule `trust-without-au` in select: did you mean `trust-without-aud`?
cfn-cognito-lint: lint.yaml:4:3: unknown rule `UC02` in severity: did you mean `UC002`?
cfn-cognito-lint: lint.yaml:5:10: unknown severity `warn`: did you mean `warning`?
cfn-cognito-lint: lint.yaml:6:13: unknown fail-level `errror`: did you mean `error`?
cfn-cognito-lint: lint.yaml:9:5: unknown option `max-dayz` for UC002: did you mean `max-days`?
cfn-cognito-lint: lint.yaml:10:5: unknown option `min-length` for UC002 (an option of UP002)
cfn-cognito-lint: lint.yaml:12:5: unknown option `foo` for UC003 (UC003 has no options)
cfn-cognito-lint: lint.yaml:13:3: unknown rule `XX9` in rules (see --list-rules)
cfn-cognito-lint: lint.yaml:16:3: unknown limit `max-dept`: did you mean `max-depth`?
cfn-cognito-lint: lint.yaml:17:14: max-depth must be between 1 and 4096, not `0`
cfn-cognito-lint: lint.yaml:20:5: unknown key `file` in stack `auth`: did you mean `files`?
cfn-cognito-lint: lint.yaml:21:1: unknown key `zzz` (select, ignore, severity, fail-level, exclude, rules, limits, docs-url, stacks)
"
    );
    // The same config found upwards, with the command line's errors after it, in one run.
    write(
        &dir,
        ".cfn-cognito-lint.yaml",
        "ignore: [UP03]\nfail-level: none\n",
    );
    let out = run_env(
        &dir,
        &[
            "--select",
            "TR01,TM",
            "--ignore",
            "wildcard-actoin",
            "--severity",
            "PM001=Error",
            "--severity",
            "XX1=loud",
            "--severity",
            "PM001",
            "stack.yaml",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let found = dir.join(".cfn-cognito-lint.yaml");
    assert_eq!(
        text(&out.stderr),
        format!(
            "\
cfn-cognito-lint: {}:1:10: unknown rule `UP03` in ignore: did you mean `UP003`?
cfn-cognito-lint: unknown rule `TR01` in --select: did you mean `TR001`?
cfn-cognito-lint: unknown rule `wildcard-actoin` in --ignore: did you mean `wildcard-action`?
cfn-cognito-lint: unknown severity `Error` in --severity: did you mean `error`?
cfn-cognito-lint: unknown rule `XX1` in --severity (see --list-rules)
cfn-cognito-lint: unknown severity `loud` in --severity (error, warning, info)
cfn-cognito-lint: --severity takes RULE=LEVEL, got `PM001`
",
            found.display()
        )
    );
    // Valid keys, rules and values still read: nothing to say.
    write(
        &dir,
        ".cfn-cognito-lint.yaml",
        "ignore: [up003, trust-without-aud, PM00]\nseverity: {UC002: warning}\nfail-level: none\n",
    );
    let out = run_env(&dir, &["--select", "tr,TM", "stack.yaml"], &[]);
    assert_eq!(
        (out.status.code(), text(&out.stderr)),
        (Some(0), String::new())
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn explain_suggests_the_nearest_rule() {
    let out = run(&["--explain", "TR01"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "cfn-cognito-lint: unknown rule `TR01`: did you mean `TR001`?\n"
    );
    let out = run(&["--explain", "nothing-like-it"], &[]);
    assert_eq!(
        text(&out.stderr),
        "cfn-cognito-lint: unknown rule `nothing-like-it` (see --list-rules)\n"
    );
}

// ------------------------------------------------------------------------------------------------
// --list-rules
// ------------------------------------------------------------------------------------------------

#[test]
fn list_rules_table_fits_100_columns() {
    for args in [&["--list-rules"][..], &["--list-rules", "--verbose"]] {
        let out = run(args, &[("COLUMNS", "300")]);
        assert_eq!(out.status.code(), Some(0));
        let table = text(&out.stdout);
        let widest = table.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!((90..=100).contains(&widest), "{widest}\n{table}");
        // Each rule once, in ID order.
        let ids: Vec<&str> = table
            .lines()
            .filter_map(|l| l.split(' ').next())
            .filter(|w| !w.is_empty() && cfn_cognito_lint::rules::registry::find(w).is_some())
            .collect();
        let all: Vec<&str> = cfn_cognito_lint::rules::registry::RULES
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(ids, all);
    }
}

#[test]
fn list_rules_as_json() {
    let out = run(&["--list-rules", "--format", "json"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let json = text(&out.stdout);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    let rules = doc.as_array().cloned().unwrap_or_default();
    assert_eq!(rules.len(), cfn_cognito_lint::rules::registry::RULES.len());
    for r in &rules {
        let keys: Vec<&str> = r
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let mut expected = vec!["family", "id", "name", "severity", "summary"];
        if r.get("tiers").is_some() {
            expected.push("tiers");
        }
        let mut keys = keys;
        keys.sort_unstable();
        expected.sort_unstable();
        assert_eq!(keys, expected, "{r}");
    }
    let pm001 = rules.iter().find(|r| r["id"] == "PM001");
    assert_eq!(
        pm001.map(|r| (r["severity"].clone(), r["tiers"].clone())),
        Some((
            serde_json::json!("error"),
            serde_json::json!([
                {"tier": "guest", "severity": "error"},
                {"tier": "open-sign-up", "severity": "error"},
                {"tier": "signed-in", "severity": "warning"},
                {"tier": "other", "severity": "info"}
            ])
        ))
    );
    insta::assert_snapshot!("list_rules_json", json);
    // Other formats have no rule list.
    let out = run(&["--list-rules", "--format", "sarif"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "cfn-cognito-lint: --list-rules prints a table (--format human) or JSON (--format json)\n"
    );
}

// ------------------------------------------------------------------------------------------------
// --strict
// ------------------------------------------------------------------------------------------------

#[test]
fn strict_names_a_non_template_as_such_and_a_broken_file_as_syntax() {
    let dir = temp_dir("strict");
    write(
        &dir,
        "package.json",
        "{\"name\": \"app\", \"version\": \"1.0.0\", \"scripts\": {\"test\": \"jest\"}}\n",
    );
    write(
        &dir,
        "ci.yml",
        "name: ci\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n",
    );
    write(&dir, "broken.json", "{\"name\": \"app\", \"scripts\": {\n");
    let files = ["package.json", "ci.yml", "broken.json"];
    let mut args = vec!["--strict", "-f", "parseable"];
    args.extend(files);
    let out = run_env(&dir, &args, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "\
broken.json:1:28:2:1:TM001:error:JSON syntax error: Unterminated object
ci.yml:1:1:1:1:TM001:error:not a CloudFormation template: the file parses, but has no top-level `Resources` or `AWSTemplateFormatVersion`
package.json:1:1:1:1:TM001:error:not a CloudFormation template: the file parses, but has no top-level `Resources` or `AWSTemplateFormatVersion`
"
    );
    // The help says what to do about it, not "fix the syntax"; a broken file keeps TM001's.
    let out = run_env(
        &dir,
        &["--strict", "-f", "json", "package.json", "broken.json"],
        &[],
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let helps: Vec<(&str, &str)> = doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["file"].as_str().unwrap_or(""),
                f["help"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        helps,
        [
            (
                "broken.json",
                "fix the syntax at the position shown; CloudFormation rejects the whole template"
            ),
            (
                "package.json",
                "--strict reports every file named on the command line that is not a template: name only templates (for pre-commit, narrow the hook's `files:` pattern), or drop --strict to skip such files"
            ),
        ]
    );
    // Without --strict all three are skipped.
    let mut args = vec!["-f", "parseable"];
    args.extend(files);
    let out = run_env(&dir, &args, &[]);
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(0), String::new())
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------------------------------------------
// --help
// ------------------------------------------------------------------------------------------------

#[test]
fn help_shows_color_and_examples() {
    for flag in ["--help", "-h"] {
        let out = run(&[flag], &[("COLUMNS", "100")]);
        assert_eq!(out.status.code(), Some(0));
        let help = text(&out.stdout);
        for wanted in [
            "--color <WHEN>",
            "[possible values: auto, always, never]",
            "FORCE_COLOR",
            "NO_COLOR",
            "Examples:",
            "cfn-cognito-lint --color always . | less -R",
            "cfn-cognito-lint --list-rules --format json",
            "Exit codes: 0",
        ] {
            assert!(help.contains(wanted), "{flag}: no {wanted:?}\n{help}");
        }
        assert!(
            help.lines().all(|l| l.chars().count() <= 100),
            "{flag}\n{help}"
        );
    }
}
