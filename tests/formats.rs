//! Every output format on one multi-finding fixture (snapshots), the SARIF validated against
//! the official SARIF 2.1.0 schema, and GitHub's escaping.

mod common;

use cfn_cognito_lint::paths::{Anchor, Style};
use cfn_cognito_lint::report::{github, json, junit, parseable, sarif};
use cfn_cognito_lint::rules::{Settings, Severity};

/// No root: annotation paths as given.
fn as_given() -> Anchor {
    Anchor::new(None, "/", Style::HOST)
}

const FIXTURE: &str = "fixtures/seeds/user-pool.yaml";

#[test]
fn every_format_snapshot() {
    let r = vec![common::lint(FIXTURE)];
    insta::assert_snapshot!("format_human", common::human(&r[0]));
    let json_text = json::render(&r).replace(env!("CARGO_PKG_VERSION"), "VERSION");
    insta::assert_snapshot!("format_json", json_text);
    insta::assert_snapshot!("format_github", github::render(&r, &as_given()));
    insta::assert_snapshot!("format_parseable", parseable::render(&r));
    insta::assert_snapshot!(
        "format_junit",
        junit::render(&r, &Settings::default(), Some(Severity::Warning))
    );
    let sarif_text = sarif::render(&r, None).replace(env!("CARGO_PKG_VERSION"), "VERSION");
    // The rule docs are long; the snapshot keeps the results and the descriptor shape.
    let mut doc: serde_json::Value = serde_json::from_str(&sarif_text).unwrap_or_default();
    if let Some(rules) = doc["runs"][0]["tool"]["driver"]["rules"].as_array_mut() {
        for rule in rules {
            rule["help"]["markdown"] = serde_json::json!("<rules/ID.md>");
        }
    }
    insta::assert_snapshot!(
        "format_sarif",
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    );
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let Some(shared) = common::shared() else {
        eprintln!("skipped: ../shared/schemas/sarif-2.1.0.json is absent");
        return;
    };
    let schema_text =
        std::fs::read_to_string(shared.join("schemas/sarif-2.1.0.json")).unwrap_or_default();
    let schema: serde_json::Value =
        serde_json::from_str(&schema_text).unwrap_or_else(|e| panic!("schema: {e}"));
    let validator = jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("schema does not compile: {e}"));
    let reports = vec![
        common::lint(FIXTURE),
        common::lint("fixtures/seeds/identity-pool.yaml"),
        common::lint("fixtures/TR005/bad.yaml"),
    ];
    for docs_url in [None, Some("https://docs.example.org/rules/")] {
        let text = sarif::render(&reports, docs_url);
        let doc: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "SARIF invalid: {errors:?}");
        let results = doc["runs"][0]["results"].as_array().map_or(0, Vec::len);
        assert!(results > 10);
        for r in doc["runs"][0]["results"].as_array().into_iter().flatten() {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            assert!(
                region["startLine"].as_u64() >= Some(1)
                    && region["startColumn"].as_u64() >= Some(1),
                "{region}"
            );
        }
        let has_uri = doc["runs"][0]["tool"]["driver"]["rules"][0]
            .get("helpUri")
            .is_some();
        assert_eq!(has_uri, docs_url.is_some());
        // The validator does reject what the schema forbids: a (0, 0) region.
        let mut broken = doc.clone();
        broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
            serde_json::json!(0);
        assert!(validator.iter_errors(&broken).next().is_some());
    }
}

#[test]
fn github_escapes_properties_and_data() {
    let text = "Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref 'a,b:c%d'\n";
    let r = common::lint_text("dir,x/st:ack%.yaml", text, Settings::default());
    let out = github::render(&[r], &as_given());
    assert!(
        out.starts_with("::error file=dir%2Cx/st%3Aack%25.yaml,line=5,col=23,"),
        "{out}"
    );
    assert!(
        out.contains("title=TM003 undefined-ref::`Ref` to `a,b:c%25d`"),
        "{out}"
    );
}

/// The README shows every finding of the seed stack; it must stay what the linter prints.
#[test]
fn readme_shows_the_current_seed_output() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap_or_default();
    let expected = parseable::render(&common::lint_run(&["fixtures/seeds"]).reports);
    assert!(
        readme.contains(&expected),
        "README.md's seed output is stale; expected:\n{expected}"
    );
}
