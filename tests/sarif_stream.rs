//! The streamed SARIF report (issue 14): valid against the official schema on several
//! templates, with what GitHub code scanning reads (rule `security-severity` and `tags`,
//! `partialFingerprints`, `%SRCROOT%`-relative URIs); fingerprints that survive lines inserted
//! above a finding; and a report of 50,000 findings written under a memory limit the old
//! `serde_json::Value` tree could not live in.

mod common;

use std::process::{Command, Stdio};

use cfn_cognito_lint::report::sarif;
use cfn_cognito_lint::rules::Settings;
use serde_json::Value;

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON: {e}"))
}

fn results(doc: &Value) -> &Vec<Value> {
    doc["runs"][0]["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results array"))
}

fn fingerprint(result: &Value) -> String {
    result["partialFingerprints"]["cfnCognitoLint/v1"]
        .as_str()
        .unwrap_or_else(|| panic!("no fingerprint: {result}"))
        .to_string()
}

#[test]
fn sarif_of_several_templates_is_valid_and_carries_code_scanning_properties() {
    let reports = vec![
        common::lint("fixtures/seeds/user-pool.yaml"),
        common::lint("fixtures/seeds/identity-pool.yaml"),
        common::lint("fixtures/TR005/bad.yaml"),
        common::lint("fixtures/TR003/bad.yaml"),
        common::lint("fixtures/PM001/bad.yaml"),
    ];
    let doc = parse(&sarif::render(
        &reports,
        Some("https://docs.example.org/rules/"),
    ));

    match common::shared() {
        None => {
            eprintln!("skipped schema validation: ../shared/schemas/sarif-2.1.0.json is absent")
        }
        Some(shared) => {
            let text = std::fs::read_to_string(shared.join("schemas/sarif-2.1.0.json"))
                .unwrap_or_else(|e| panic!("schema: {e}"));
            let validator = jsonschema::validator_for(&parse(&text))
                .unwrap_or_else(|e| panic!("schema does not compile: {e}"));
            let errors: Vec<String> = validator
                .iter_errors(&doc)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "SARIF invalid: {errors:?}");
        }
    }

    let run = &doc["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert!(
        run["originalUriBaseIds"]["%SRCROOT%"].is_object(),
        "{}",
        run["originalUriBaseIds"]
    );

    // Rules: tags (security, the family) and a numeric security-severity GitHub can read.
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap_or_else(|| panic!("no rules"));
    let severity_of = |id: &str| -> String {
        rules
            .iter()
            .find(|r| r["id"] == id)
            .and_then(|r| r["properties"]["security-severity"].as_str())
            .unwrap_or_else(|| panic!("{id}: no security-severity"))
            .to_string()
    };
    for rule in rules {
        let id = rule["id"].as_str().unwrap_or_default();
        let sev = rule["properties"]["security-severity"]
            .as_str()
            .unwrap_or_else(|| panic!("{id}: no security-severity"));
        assert!(["9.0", "8.0", "5.0", "2.0"].contains(&sev), "{id}: {sev}");
        let tags: Vec<&str> = rule["properties"]["tags"]
            .as_array()
            .unwrap_or_else(|| panic!("{id}: no tags"))
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(tags.first(), Some(&"security"), "{id}: {tags:?}");
        assert!(tags.len() >= 2, "{id}: no family tag: {tags:?}");
        assert_eq!(
            rule["helpUri"],
            format!("https://docs.example.org/rules/{id}")
        );
    }
    assert_eq!(
        severity_of("PM001"),
        "9.0",
        "guest / open sign-up tiers are critical"
    );
    assert_eq!(severity_of("TR001"), "8.0");
    assert_eq!(severity_of("TR004"), "5.0");
    assert_eq!(severity_of("UP003"), "2.0");

    // Results: a fingerprint each, URIs under %SRCROOT%, related locations where labelled.
    let found = results(&doc);
    assert!(found.len() > 10, "{}", found.len());
    let mut with_related = 0;
    for r in found {
        let fp = fingerprint(r);
        assert!(
            fp.len() == 16 && fp.chars().all(|c| c.is_ascii_hexdigit()),
            "{fp}"
        );
        let artifact = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%", "{artifact}");
        let uri = artifact["uri"].as_str().unwrap_or_default();
        assert!(
            uri.starts_with("fixtures/") && uri.ends_with(".yaml"),
            "{uri}"
        );
        if let Some(related) = r["relatedLocations"].as_array() {
            with_related += 1;
            for (i, place) in related.iter().enumerate() {
                assert_eq!(place["id"], i + 1);
                assert!(place["message"]["text"].is_string(), "{place}");
                assert_eq!(
                    place["physicalLocation"]["artifactLocation"]["uriBaseId"],
                    "%SRCROOT%"
                );
            }
        }
    }
    assert!(with_related > 0, "no result has relatedLocations");
}

#[test]
fn fingerprints_do_not_move_with_the_lines() {
    let path = "fixtures/seeds/user-pool.yaml";
    let text = std::fs::read_to_string(common::root().join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let before = parse(&sarif::render(
        &[common::lint_text(path, &text, Settings::default())],
        None,
    ));
    let shifted = format!("# one\n# two\n\n# three\n{text}");
    let after = parse(&sarif::render(
        &[common::lint_text(path, &shifted, Settings::default())],
        None,
    ));
    let (b, a) = (results(&before), results(&after));
    assert!(!b.is_empty());
    assert_eq!(b.len(), a.len());
    for (x, y) in b.iter().zip(a) {
        let line =
            |r: &Value| r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64();
        assert_eq!(
            line(x).map(|l| l + 4),
            line(y),
            "the finding moved down four lines"
        );
        assert_eq!(fingerprint(x), fingerprint(y), "{}", x["ruleId"]);
    }
    // Different findings get different fingerprints.
    let mut prints: Vec<String> = b.iter().map(fingerprint).collect();
    prints.sort();
    prints.dedup();
    assert_eq!(prints.len(), b.len());
}

/// Address-space limit of the large run: the report of 50,000 findings is about 57 MB of
/// text; the old renderer, with its `Value` per result, aborted under this limit (it needed
/// about 625 MB resident, more in address space).
const LIMIT_KB: u64 = 1024 * 1024;

#[test]
fn fifty_thousand_findings_are_written_in_bounded_memory() {
    // 5,000 topics, each naming ten undefined `Fn::Sub` variables: 50,000 TM005 findings with
    // little lint work, so the run is about the report.
    let mut text = String::from("Resources:\n");
    for i in 0..5000 {
        text.push_str(&format!(
            "  T{i}:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '"
        ));
        for k in 0..10 {
            text.push_str(&format!("${{M{i}x{k}}}"));
        }
        text.push_str("'\n");
    }
    let dir = common::hostile::scratch("sarif-stream-50k");
    std::fs::write(dir.join("many.yaml"), &text).unwrap_or_else(|e| panic!("write: {e}"));
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {LIMIT_KB} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_cfn-cognito-lint"))
        .args(["-f", "sarif", "many.yaml"])
        .current_dir(&dir)
        .env("RAYON_NUM_THREADS", "2")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run the binary: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); stderr: {stderr}"));
    let found = results(&doc);
    assert_eq!(found.len(), 50_000);
    assert!(found.iter().all(|r| r["ruleId"] == "TM005"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Inside a git work tree, URIs are relative to its root (`%SRCROOT%`), wherever in the tree
/// the linter runs; a file outside the tree keeps its path, without a base.
#[test]
fn uris_are_relative_to_the_work_tree_root() {
    let dir = common::hostile::scratch("sarif-srcroot");
    let repo = dir.join("repo");
    let sub = repo.join("infra");
    std::fs::create_dir_all(repo.join(".git")).unwrap_or_else(|e| panic!("mkdir: {e}"));
    std::fs::create_dir_all(&sub).unwrap_or_else(|e| panic!("mkdir: {e}"));
    let template = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref Missing\n";
    std::fs::write(sub.join("stack.yaml"), template).unwrap_or_else(|e| panic!("write: {e}"));
    std::fs::write(dir.join("outside.yaml"), template).unwrap_or_else(|e| panic!("write: {e}"));
    let run = common::hostile::run(
        "sarif-srcroot",
        &sub,
        &["-f", "sarif", "stack.yaml", "../../outside.yaml"],
        None,
    );
    assert_eq!(run.code, Some(1), "stderr: {}", run.stderr);
    let doc = parse(&run.stdout);
    let artifacts: Vec<(String, Value)> = results(&doc)
        .iter()
        .map(|r| {
            let a = &r["locations"][0]["physicalLocation"]["artifactLocation"];
            (
                a["uri"].as_str().unwrap_or_default().to_string(),
                a["uriBaseId"].clone(),
            )
        })
        .collect();
    assert!(
        artifacts.contains(&("infra/stack.yaml".to_string(), Value::from("%SRCROOT%"))),
        "{artifacts:?}"
    );
    assert!(
        artifacts.contains(&("../../outside.yaml".to_string(), Value::Null)),
        "{artifacts:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
