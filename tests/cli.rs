//! The binary: exit codes 0/1/2, formats, --list-rules, --explain, stdin, directories.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::{fresh_temp_dir as temp_dir, output_in as run_in};

fn run(args: &[&str]) -> Output {
    common::output_in(&common::root(), args)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn seed_has_findings_and_exits_1() {
    let out = run(&["fixtures/seeds/user-pool.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("[fixtures/seeds/user-pool.yaml:126:13]"),
        "{stdout}"
    );
    assert!(stdout.contains("TM004 undefined-getatt"));
    assert!(
        stdout
            .trim_end()
            .ends_with("1 error, 11 warnings, 7 infos in 1 file"),
        "{stdout}"
    );
}

#[test]
fn fail_level_none_exits_0_and_error_level_counts_errors_only() {
    assert_eq!(
        run(&["--fail-level", "none", "fixtures/seeds/user-pool.yaml"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run(&[
            "--fail-level",
            "error",
            "--ignore",
            "TM004",
            "fixtures/seeds/user-pool.yaml"
        ])
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        run(&["--fail-level", "error", "fixtures/seeds/user-pool.yaml"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn json_format_is_the_cli_md_document() {
    let out = run(&["--format", "json", "fixtures/seeds/user-pool.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(doc["files"], 1);
    assert_eq!(doc["summary"]["error"], 1);
    assert_eq!(doc["summary"]["warning"], 11);
    assert_eq!(doc["summary"]["info"], 7);
    // The seed is one stack with identity-pool.yaml (fixtures/seeds/.cfn-cognito-lint.yaml).
    assert_eq!(doc["findings"][0]["stack"], "iot-tutorial");
    let f = &doc["findings"][8];
    assert_eq!(f["rule"], "TM004");
    assert_eq!(f["name"], "undefined-getatt");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["file"], "fixtures/seeds/user-pool.yaml");
    assert_eq!(
        (
            f["line"].as_u64(),
            f["column"].as_u64(),
            f["end_line"].as_u64(),
            f["end_column"].as_u64()
        ),
        (Some(126), Some(13), Some(126), Some(29))
    );
    assert_eq!(f["resource"], "CognitoUserPool");
    assert_eq!(
        f["path"],
        "/Resources/CognitoUserPool/Properties/LambdaConfig/PreSignUp/Fn::GetAtt/0"
    );
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| m.contains("CognitoPreSignUp"))
    );
    assert!(f["help"].as_str().is_some_and(|m| !m.is_empty()));
}

/// `CFN_COGNITO_LINT_TIMINGS` (README, Performance): the run's phases, in order, on standard error;
/// the report is the same as without it.
#[test]
fn timings_go_to_stderr_in_phase_order_and_leave_the_report_alone() {
    let args = ["--format", "json", "fixtures/seeds/user-pool.yaml"];
    let plain = run(&args);
    let timed = Command::new(env!("CARGO_BIN_EXE_cfn-cognito-lint"))
        .args(args)
        .current_dir(common::root())
        .env("CFN_COGNITO_LINT_TIMINGS", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run the binary: {e}"));
    assert_eq!(timed.status.code(), plain.status.code());
    assert_eq!(timed.stdout, plain.stdout);
    assert!(plain.stderr.is_empty(), "{}", text(&plain.stderr));
    let err = text(&timed.stderr);
    let phases: Vec<&str> = err
        .lines()
        .map(|l| l.split_once(" ms  ").map_or("", |(_, p)| p))
        .collect();
    assert_eq!(
        phases,
        [
            "main",
            "options",
            "expanded",
            "stacks assembled",
            "stacks linted",
            "free linted",
            "planned",
            "merged",
            "linted",
            "rendered",
            "written"
        ],
        "{err}"
    );
    let times: Vec<f64> = err
        .lines()
        .filter_map(|l| l.split_once(" ms").and_then(|(t, _)| t.trim().parse().ok()))
        .collect();
    assert_eq!(times.len(), phases.len(), "{err}");
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{err}");
}

#[test]
fn missing_path_exits_2_with_one_line_error_and_lints_the_rest() {
    let out = run(&["does/not/exist.yaml", "fixtures/seeds/user-pool.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("does/not/exist.yaml"));
    assert!(text(&out.stdout).contains("TM004"));
}

#[test]
fn unknown_rule_and_bad_severity_exit_2() {
    assert_eq!(
        run(&["--ignore", "XX999", "fixtures/seeds/user-pool.yaml"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["--severity", "PM001=loud", "fixtures/seeds/user-pool.yaml"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(run(&["--explain", "NOPE"]).status.code(), Some(2));
}

#[test]
fn severity_override_replaces_every_tier() {
    let out = run(&[
        "--format",
        "json",
        "--severity",
        "wildcard-action=error",
        "fixtures/seeds/user-pool.yaml",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let pm: Vec<&str> = doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "PM001")
        .filter_map(|f| f["severity"].as_str())
        .collect();
    // The execution role's two wildcards (the signed-in role's are in identity-pool.yaml, whose
    // definition of the role wins in the seed stack).
    assert_eq!(pm, ["error"; 2]);
}

#[test]
fn select_by_prefix() {
    let out = run(&[
        "--format",
        "json",
        "--select",
        "UP00,immutable-email",
        "--ignore",
        "UP002,UP003",
        "fixtures/seeds/user-pool.yaml",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let mut rules: Vec<&str> = doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    rules.sort_unstable();
    assert_eq!(rules, ["UP001", "UP004", "UP006", "UP007"]);
}

#[test]
fn list_rules_and_explain() {
    let out = run(&["--list-rules"]);
    assert_eq!(out.status.code(), Some(0));
    let list = text(&out.stdout);
    for id in ["TM001", "TR001", "PM001", "UC001", "UP001"] {
        assert!(list.contains(id), "{id} missing from --list-rules");
    }
    // 100 columns (CLI.md); a rule with tiers lists its severities, highest first.
    assert!(list.lines().all(|l| l.chars().count() <= 100), "{list}");
    assert!(
        list.lines()
            .any(|l| l.starts_with("PM001  wildcard-action") && l.contains("error/warning/info")),
        "{list}"
    );
    let out = run(&["--explain", "TR001"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("# TR001 trust-without-aud"));
}

#[test]
fn stdin_with_a_name() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cfn-cognito-lint"))
        .args([
            "--format",
            "json",
            "--select",
            "TM",
            "-",
            "--stdin-filename",
            "piped.yaml",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let template = "Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      Name: !Ref Missing\n";
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(template.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(doc["findings"][0]["file"], "piped.yaml");
    assert_eq!(doc["findings"][0]["rule"], "TM003");
    assert_eq!(doc["findings"][0]["line"], 5);
    assert_eq!(doc["findings"][0]["column"], 18);
}

#[test]
fn directory_walk_skips_non_templates() {
    let dir = std::env::temp_dir().join(format!("cfn-cognito-lint-walk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap_or_else(|e| panic!("{e}"));
    let write = |name: &str, body: &str| {
        std::fs::write(dir.join(name), body).unwrap_or_else(|e| panic!("{e}"))
    };
    write("ci.yml", "on: push\njobs: {}\n");
    write("package.json", "{\"name\": \"x\"}\n");
    write(
        "sub/stack.yaml",
        "Resources:\n  R:\n    Type: AWS::SNS::Topic\n    DependsOn: Nope\n",
    );
    write("notes.txt", "Resources: not yaml at all");
    let out = run(&["--format", "json", dir.to_str().unwrap_or_default()]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(doc["files"], 1);
    assert_eq!(doc["findings"][0]["rule"], "TM007");
    assert!(
        doc["findings"][0]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("sub/stack.yaml"))
    );
    assert_eq!(out.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_shows_examples() {
    let out = run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("Examples:"));
}

fn rules_in(out: &Output) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["rule"].as_str().map(String::from))
        .collect()
}

const CLIENT: &str = "Resources:\n  WebClient:\n    Type: AWS::Cognito::UserPoolClient\n    Properties:\n      UserPoolId: pool\n      PreventUserExistenceErrors: ENABLED\n      RefreshTokenValidity: 90\n";

#[test]
fn config_is_found_upwards_and_the_command_line_wins() {
    let dir = temp_dir("config");
    std::fs::create_dir_all(dir.join("a/b")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("a/b/stack.yaml"), CLIENT).unwrap_or_else(|e| panic!("{e}"));
    // Without config: UC002 warns about 90 days.
    let out = run_in(&dir.join("a/b"), &["--format", "json", "stack.yaml"]);
    assert_eq!(rules_in(&out), ["UC002"]);
    assert_eq!(out.status.code(), Some(1));
    // The config two levels up raises the limit and sets fail-level.
    std::fs::write(
        dir.join(".cfn-cognito-lint.yaml"),
        "rules:\n  UC002:\n    max-days: 120\nfail-level: error\nseverity: {UC002: info}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = run_in(&dir.join("a/b"), &["--format", "json", "stack.yaml"]);
    assert_eq!(rules_in(&out), Vec::<String>::new());
    assert_eq!(out.status.code(), Some(0));
    // The config's severity and fail-level, and the command line overriding both.
    std::fs::write(
        dir.join(".cfn-cognito-lint.yaml"),
        "fail-level: error\nseverity: {UC002: info}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = run_in(&dir.join("a/b"), &["--format", "json", "stack.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    let out = run_in(
        &dir.join("a/b"),
        &["--format", "json", "--fail-level", "info", "stack.yaml"],
    );
    assert_eq!(out.status.code(), Some(1));
    let out = run_in(
        &dir.join("a/b"),
        &[
            "--format",
            "json",
            "--severity",
            "UC002=error",
            "--fail-level",
            "error",
            "stack.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    // --ignore adds to the config's ignore; --config names another file.
    let out = run_in(
        &dir.join("a/b"),
        &[
            "--format",
            "json",
            "--ignore",
            "UC002",
            "--fail-level",
            "info",
            "stack.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    std::fs::write(dir.join("other.yaml"), "ignore: [long-refresh-token]\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = run_in(
        &dir.join("a/b"),
        &[
            "--format",
            "json",
            "--config",
            "../../other.yaml",
            "stack.yaml",
        ],
    );
    assert_eq!(rules_in(&out), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn config_errors_exit_2_naming_file_and_line() {
    let dir = temp_dir("config-errors");
    std::fs::write(dir.join("stack.yaml"), CLIENT).unwrap_or_else(|e| panic!("{e}"));
    let cases = [
        (
            "select: [TR]\nignore: [XX123]\n",
            "2:10: unknown rule `XX123`",
        ),
        (
            "select: [TR]\nunknown-key: 1\n",
            "2:1: unknown key `unknown-key`",
        ),
        (
            "severity:\n  UC002: loud\n",
            "2:10: unknown severity `loud`",
        ),
        (
            "rules:\n  UC001:\n    browser-tokens: ['web(']\n",
            "3:21: invalid pattern `web(`",
        ),
        (
            "rules:\n  UC002:\n    max-dayz: 3\n",
            "3:5: unknown option `max-dayz` for UC002",
        ),
        (
            "limits:\n  max-depth: 0\n",
            "2:14: max-depth must be between",
        ),
        ("fail-level: loud\n", "1:13: unknown fail-level `loud`"),
        ("select: [TR\n", "YAML syntax error"),
    ];
    for (config, expected) in cases {
        std::fs::write(dir.join(".cfn-cognito-lint.yaml"), config)
            .unwrap_or_else(|e| panic!("{e}"));
        let out = run_in(&dir, &["stack.yaml"]);
        assert_eq!(out.status.code(), Some(2), "{config}");
        let err = text(&out.stderr);
        assert!(
            err.contains(".cfn-cognito-lint.yaml:") && err.contains(expected),
            "{config}: {err}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn suppressions_need_a_reason_and_must_match() {
    let dir = temp_dir("suppress");
    let with = |meta: &str| {
        format!(
            "Resources:\n  WebClient:\n    Type: AWS::Cognito::UserPoolClient\n    Metadata:\n      cfn-cognito-lint:\n        ignore:\n{meta}    Properties:\n      UserPoolId: pool\n      PreventUserExistenceErrors: ENABLED\n      RefreshTokenValidity: 90\n"
        )
    };
    let cases = [
        (
            "          - rule: UC002\n            reason: reviewed, mobile app keeps users signed in\n",
            vec![],
        ),
        (
            "          - rule: long-refresh-token\n            reason: reviewed\n",
            vec![],
        ),
        (
            "          - rule: UC002\n",
            vec![("TM009", 7), ("UC002", 11)],
        ),
        (
            "          - rule: XX001\n            reason: typo\n",
            vec![("TM009", 7), ("UC002", 12)],
        ),
        (
            "          - rule: UC002\n            reason: ok\n          - rule: PM001\n            reason: stale\n",
            vec![("TM009", 9)],
        ),
    ];
    for (meta, expected) in cases {
        std::fs::write(dir.join("stack.yaml"), with(meta)).unwrap_or_else(|e| panic!("{e}"));
        let out = run_in(&dir, &["--format", "json", "stack.yaml"]);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let got: Vec<(String, u64)> = doc["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap_or_default().to_string(),
                    f["line"].as_u64().unwrap_or_default(),
                )
            })
            .collect();
        let expected: Vec<(String, u64)> =
            expected.iter().map(|(r, l)| (r.to_string(), *l)).collect();
        assert_eq!(got, expected, "{meta}");
    }
    // A suppression never hides a resource from the other rules: the suppressed client still counts.
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_format_is_accepted_and_output_goes_to_a_file() {
    let dir = temp_dir("formats");
    let out_file = dir.join("report.sarif");
    let out = run(&[
        "--format",
        "sarif",
        "-o",
        out_file.to_str().unwrap_or_default(),
        "fixtures/seeds/user-pool.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap_or_default())
            .unwrap_or_default();
    assert_eq!(sarif["version"], "2.1.0");
    for f in ["github", "junit", "parseable", "human", "json"] {
        let out = run(&["--format", f, "fixtures/seeds/user-pool.yaml"]);
        assert_eq!(out.status.code(), Some(1), "{f}");
        assert!(!out.stdout.is_empty(), "{f}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A Serverless service file is never skipped silently: a service without CloudFormation says
/// so on stderr (without --verbose), and is not an error.
#[test]
fn service_without_cloudformation_is_noted() {
    let dir = std::env::temp_dir().join(format!("cfn-cognito-lint-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("serverless.yml");
    std::fs::write(&file, "service: empty\nprovider:\n  name: aws\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = run(&[file.to_str().unwrap_or_default()]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("serverless.yml: Serverless service without CloudFormation"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(dir);
}

/// A reader that stops early (`| head`): no "Broken pipe", and the exit code is the findings'.
#[test]
fn closed_pipe_ends_quietly_with_the_findings_exit_code() {
    // More than a pipe holds, so the binary is still writing when the reader goes away.
    let expected = run(&["fixtures"]);
    assert!(
        expected.stdout.len() > 256 * 1024,
        "{}",
        expected.stdout.len()
    );
    for args in [&["fixtures"][..], &["--list-rules"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cfn-cognito-lint"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .env_remove("FORCE_COLOR")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run the binary: {e}"));
        // Read a little, then close the read end.
        let mut stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let mut first = [0u8; 16];
        let _ = std::io::Read::read(&mut stdout, &mut first);
        drop(stdout);
        let out = child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("cannot wait for the binary: {e}"));
        let code = if args[0] == "fixtures" {
            expected.status.code()
        } else {
            Some(0)
        };
        assert_eq!(out.status.code(), code, "{args:?}: {}", text(&out.stderr));
        assert_eq!(text(&out.stderr), "", "{args:?}");
    }
}

/// The report is never written over a template: not over an input (`-o b.yaml b.yaml`), and not
/// over a template that `--output` took as its value (pre-commit appends the staged files after
/// `args: [--format, sarif, --output]`). A report file of its own is written, and rewritten.
#[test]
fn output_never_overwrites_a_template() {
    let dir = std::env::temp_dir().join(format!("cfn-cognito-lint-output-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let seed = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/stacks/web-app.yaml"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    for f in ["a.yaml", "b.yaml"] {
        std::fs::write(dir.join(f), &seed).unwrap_or_else(|e| panic!("{e}"));
    }
    let run_in = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cfn-cognito-lint"))
            .args(args)
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .env_remove("FORCE_COLOR")
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    for args in [
        &["--format", "sarif", "--output", "a.yaml", "b.yaml"][..],
        &["--format", "sarif", "-o", "b.yaml", "a.yaml", "b.yaml"][..],
    ] {
        let out = run_in(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains("refusing to overwrite"),
            "{}",
            text(&out.stderr)
        );
    }
    for f in ["a.yaml", "b.yaml"] {
        assert_eq!(
            std::fs::read(dir.join(f)).unwrap_or_default(),
            seed,
            "{f} changed"
        );
    }
    for _ in 0..2 {
        let out = run_in(&["--format", "json", "-o", "report.json", "a.yaml"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let report = std::fs::read_to_string(dir.join("report.json")).unwrap_or_default();
    assert!(report.contains("\"findings\""), "{report}");
    let _ = std::fs::remove_dir_all(dir);
}

/// A file the run read that does not look like a template (a Serverless variables file) is
/// never overwritten either, also when `--output` names it through a symbolic link (the
/// identity of the file, not its spelling, decides).
#[cfg(unix)]
#[test]
fn output_never_overwrites_a_file_the_run_read_through_a_link() {
    let dir = std::env::temp_dir().join(format!(
        "cfn-cognito-lint-output-link-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let vars = "guests: false\n";
    std::fs::write(
        dir.join("serverless.yml"),
        "service: notes\nprovider:\n  name: aws\ncustom: ${file(vars.yml)}\nresources:\n  Resources:\n    Pool:\n      Type: AWS::Cognito::IdentityPool\n      Properties:\n        AllowUnauthenticatedIdentities: ${self:custom.guests}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("vars.yml"), vars).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink("vars.yml", dir.join("report.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let run_in = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cfn-cognito-lint"))
            .args(args)
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    for target in ["vars.yml", "report.json"] {
        let out = run_in(&["--format", "json", "-o", target, "serverless.yml"]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{target}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains("refusing to overwrite"),
            "{}",
            text(&out.stderr)
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("vars.yml")).unwrap_or_default(),
            vars
        );
    }
    // A report of its own, and a device, are written.
    let out = run_in(&["--format", "json", "-o", "own.json", "serverless.yml"]);
    assert!(out.status.code() != Some(2), "{}", text(&out.stderr));
    let out = run_in(&["--format", "json", "-o", "/dev/null", "serverless.yml"]);
    assert!(out.status.code() != Some(2), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(dir);
}
