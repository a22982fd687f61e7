//! The baseline (CLI.md, *Baseline*): written, lines inserted above (still matched), a new
//! problem (only it reported), a problem removed (its entry listed as stale with --verbose);
//! the file sorted and stable; errors exit 2.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

fn temp_dir(name: &str) -> PathBuf {
    let dir = common::fresh_temp_dir(&format!("baseline-{name}"));
    std::fs::create_dir_all(dir.join("infra")).unwrap_or_else(|e| panic!("{e}"));
    dir
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    common::output_in(dir, args)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn rules(out: &Output) -> Vec<String> {
    text(&out.stdout)
        .lines()
        .filter_map(|l| {
            let parts: Vec<&str> = l.split(':').collect();
            (parts.len() > 6).then(|| format!("{}:{}:{}", parts[0], parts[1], parts[5]))
        })
        .collect()
}

const TEMPLATE: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  WebClient:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: us-east-1_abc
      GenerateSecret: false
      EnableTokenRevocation: false
  MobileClient:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: us-east-1_abc
      GenerateSecret: false
      EnableTokenRevocation: false
";

#[test]
fn write_insert_lines_add_and_remove_problems() {
    let dir = temp_dir("cycle");
    let file = dir.join("infra/clients.yaml");
    std::fs::write(&file, TEMPLATE).unwrap_or_else(|e| panic!("{e}"));
    let lint = |extra: &[&str]| {
        let mut args = vec!["--format", "parseable", "--select", "UC003,UC004", "infra"];
        args.extend(extra);
        run_in(&dir, &args)
    };
    assert_eq!(
        rules(&lint(&[])),
        [
            "infra/clients.yaml:3:UC003",
            "infra/clients.yaml:8:UC004",
            "infra/clients.yaml:9:UC003",
            "infra/clients.yaml:14:UC004"
        ]
    );
    let out = lint(&["--write-baseline", "baseline.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "",
        "writing the baseline prints no report"
    );
    assert!(text(&out.stderr).contains("wrote 4 findings to baseline.json"));
    let written = std::fs::read_to_string(dir.join("baseline.json")).unwrap_or_default();
    insta::assert_snapshot!("baseline", written);

    // Everything is in the baseline: nothing reported, exit 0.
    let out = lint(&["--baseline", "baseline.json"]);
    assert_eq!((rules(&out), out.status.code()), (vec![], Some(0)));

    // Lines inserted above (and a block re-indented) keep every entry matched.
    let moved = TEMPLATE.replacen(
        "Resources:\n",
        "Description: moved down\nMetadata:\n  Owner: auth-team\nResources:\n",
        1,
    );
    std::fs::write(&file, &moved).unwrap_or_else(|e| panic!("{e}"));
    let out = lint(&["--baseline", "baseline.json", "--verbose"]);
    assert_eq!((rules(&out), out.status.code()), (vec![], Some(0)));
    assert!(
        !text(&out.stderr).contains("stale"),
        "{}",
        text(&out.stderr)
    );

    // A new problem: only it is reported.
    let added = format!(
        "{moved}  AdminClient:\n    Type: AWS::Cognito::UserPoolClient\n    Properties:\n      UserPoolId: us-east-1_abc\n      GenerateSecret: false\n      PreventUserExistenceErrors: ENABLED\n      EnableTokenRevocation: false\n"
    );
    std::fs::write(&file, &added).unwrap_or_else(|e| panic!("{e}"));
    let out = lint(&["--baseline", "baseline.json"]);
    assert_eq!(rules(&out), ["infra/clients.yaml:24:UC004"]);
    assert_eq!(out.status.code(), Some(0), "UC004 is info");
    assert!(
        text(&out.stdout).contains("`AdminClient`"),
        "{}",
        text(&out.stdout)
    );

    // A problem removed: its entry is stale, listed with --verbose only.
    let removed = added.replacen(
        "      GenerateSecret: false\n      EnableTokenRevocation: false\n  MobileClient",
        "      GenerateSecret: false\n  MobileClient",
        1,
    );
    assert_ne!(removed, added);
    std::fs::write(&file, &removed).unwrap_or_else(|e| panic!("{e}"));
    let out = lint(&["--baseline", "baseline.json", "--verbose"]);
    assert_eq!(rules(&out), ["infra/clients.yaml:23:UC004"]);
    let stale: Vec<String> = text(&out.stderr)
        .lines()
        .filter(|l| l.contains("stale"))
        .map(str::to_string)
        .collect();
    assert_eq!(
        stale,
        [
            "baseline.json: stale entry: UC004 infra/clients.yaml resource `WebClient` /Resources/WebClient/Properties/EnableTokenRevocation (no longer found)"
        ]
    );
    let out = lint(&["--baseline", "baseline.json"]);
    assert!(!text(&out.stderr).contains("stale"));
    let _ = std::fs::remove_dir_all(dir);
}

/// Identical findings are counted: two entries absorb two findings, not three.
#[test]
fn matching_is_a_multiset() {
    let dir = temp_dir("multiset");
    std::fs::write(dir.join("infra/a.yaml"), TEMPLATE).unwrap_or_else(|e| panic!("{e}"));
    let out = run_in(
        &dir,
        &["--select", "UC004", "--write-baseline", "b.json", "infra"],
    );
    assert_eq!(out.status.code(), Some(0));
    let doc = std::fs::read_to_string(dir.join("b.json")).unwrap_or_default();
    let mut v: serde_json::Value = serde_json::from_str(&doc).unwrap_or_default();
    let entries = v["findings"].as_array().cloned().unwrap_or_default();
    assert_eq!(entries.len(), 2);
    // Both entries made identical to the first: they absorb the first finding once (the second
    // finding, whose key differs, is reported) and one of them is stale.
    v["findings"] = serde_json::Value::Array(vec![entries[0].clone(), entries[0].clone()]);
    std::fs::write(dir.join("b.json"), v.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let out = run_in(
        &dir,
        &[
            "--select",
            "UC004",
            "--format",
            "parseable",
            "--baseline",
            "b.json",
            "--verbose",
            "infra",
        ],
    );
    assert_eq!(rules(&out), ["infra/a.yaml:8:UC004"]);
    assert_eq!(
        text(&out.stderr).matches("stale entry").count(),
        1,
        "{}",
        text(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_baselines_exit_2_and_templates_are_never_overwritten() {
    let dir = temp_dir("errors");
    std::fs::write(dir.join("infra/a.yaml"), TEMPLATE).unwrap_or_else(|e| panic!("{e}"));
    let out = run_in(&dir, &["--baseline", "missing.json", "infra"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--baseline missing.json"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(dir.join("bad.json"), "{\"version\": 1}").unwrap_or_else(|e| panic!("{e}"));
    let out = run_in(&dir, &["--baseline", "bad.json", "infra"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not a cfn-cognito-lint baseline"),
        "{}",
        text(&out.stderr)
    );
    let out = run_in(&dir, &["--write-baseline", "infra/a.yaml", "infra"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("refusing to overwrite"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("infra/a.yaml")).unwrap_or_default(),
        TEMPLATE
    );
    // A path that does not exist: nothing written, exit 2.
    let out = run_in(&dir, &["--write-baseline", "b.json", "infra", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.join("b.json").exists());
    let _ = std::fs::remove_dir_all(dir);
}

/// Paths are relative to the baseline's folder: the same baseline works from a subfolder.
#[test]
fn paths_are_relative_to_the_baseline() {
    let dir = temp_dir("relative");
    std::fs::write(dir.join("infra/a.yaml"), TEMPLATE).unwrap_or_else(|e| panic!("{e}"));
    let out = run_in(
        &dir,
        &["--select", "UC004", "--write-baseline", "b.json", "infra"],
    );
    assert_eq!(out.status.code(), Some(0));
    let out = run_in(
        &dir.join("infra"),
        &[
            "--select",
            "UC004",
            "--format",
            "parseable",
            "--baseline",
            "../b.json",
            "a.yaml",
        ],
    );
    assert_eq!(rules(&out), Vec::<String>::new(), "{}", text(&out.stdout));
    let _ = std::fs::remove_dir_all(dir);
}
