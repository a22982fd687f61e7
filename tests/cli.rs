//! The binary: exit codes 0/1/2, formats, --list-rules, --explain, stdin, directories.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cfn-cognito-lint"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run the binary: {e}"))
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
            .ends_with("1 error, 4 warnings, 2 infos in 1 file"),
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
    assert_eq!(doc["summary"]["warning"], 4);
    assert_eq!(doc["summary"]["info"], 2);
    let f = &doc["findings"][5];
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
    assert_eq!(pm, ["error"; 5]);
}

#[test]
fn select_by_prefix() {
    let out = run(&[
        "--format",
        "json",
        "--select",
        "UP",
        "fixtures/seeds/user-pool.yaml",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(rules, ["UP001"]);
}

#[test]
fn list_rules_and_explain() {
    let out = run(&["--list-rules"]);
    assert_eq!(out.status.code(), Some(0));
    let list = text(&out.stdout);
    for id in ["TM001", "TR001", "PM001", "UC001", "UP001"] {
        assert!(list.contains(id), "{id} missing from --list-rules");
    }
    assert!(list.contains("error (guest) / warning (signed-in) / info (other)"));
    let out = run(&["--explain", "TR001"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("# TR001 trust-without-aud"));
}

#[test]
fn stdin_with_a_name() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cfn-cognito-lint"))
        .args(["--format", "json", "-", "--stdin-filename", "piped.yaml"])
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
