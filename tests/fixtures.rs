//! Every fixture: `bad*` files give exactly the findings their `# expect:` markers (or
//! `.expect` sidecar) name, `good*` files give nothing at warning or above; a snapshot of the
//! human output of each.

mod common;

use std::collections::BTreeSet;

use cfn_cognito_lint::rules::Severity;
use cfn_cognito_lint::rules::registry::RULES;

fn expectations(path: &std::path::Path, text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let sidecar = path.with_file_name(format!(
        "{}.expect",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
    ));
    if let Ok(side) = std::fs::read_to_string(&sidecar) {
        for l in side
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            let mut parts = l.split_whitespace();
            let (Some(rule), Some(line)) = (parts.next(), parts.next()) else {
                panic!("bad line in {}: {l}", sidecar.display())
            };
            out.push((
                rule.to_string(),
                line.parse()
                    .unwrap_or_else(|_| panic!("bad line number in {}: {l}", sidecar.display())),
            ));
        }
        return out;
    }
    for (i, line) in text.lines().enumerate() {
        if let Some(pos) = line.find("# expect:") {
            for rule in line[pos + 9..].split([' ', ',']).filter(|s| !s.is_empty()) {
                out.push((rule.to_string(), i + 1));
            }
        }
    }
    out
}

#[test]
fn fixtures_match_their_expectations() {
    let root = common::root();
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut snapshots: Vec<(String, String)> = Vec::new();
    for rule in RULES {
        let dir = root.join("fixtures").join(rule.id);
        for path in common::files_in(&dir) {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            if name.ends_with(".expect") {
                continue;
            }
            let rel = format!("fixtures/{}/{name}", rule.id);
            let report = common::lint(&rel);
            assert!(
                report.skipped.is_none(),
                "{rel} was skipped: {:?}",
                report.skipped
            );
            let actual = common::rule_lines(&report);
            if name.starts_with("bad") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let mut expected = expectations(&path, &text);
                let compared: BTreeSet<String> = expected
                    .iter()
                    .map(|e| e.0.clone())
                    .chain([rule.id.to_string()])
                    .collect();
                let mut got: Vec<(String, usize)> = actual
                    .into_iter()
                    .filter(|(r, _)| compared.contains(r))
                    .collect();
                expected.sort();
                got.sort();
                if !expected.iter().any(|e| e.0 == rule.id) {
                    failures.push(format!("{rel}: no `expect: {}` marker", rule.id));
                }
                if expected != got {
                    failures.push(format!("{rel}: expected {expected:?}, got {got:?}"));
                }
            } else if name.starts_with("good") {
                let bad: Vec<String> = report
                    .findings
                    .iter()
                    .filter(|f| f.severity >= Severity::Warning || f.rule.id == rule.id)
                    .map(|f| {
                        format!(
                            "{} line {}: {}",
                            f.rule.id,
                            report.index.line_col(&report.source, f.span.start).line,
                            f.message
                        )
                    })
                    .collect();
                if !bad.is_empty() {
                    failures.push(format!("{rel}: good fixture has findings {bad:?}"));
                }
            } else {
                failures.push(format!("{rel}: fixture names start with bad or good"));
            }
            snapshots.push((
                format!("{}__{}", rule.id, name.replace('.', "_")),
                common::human(&report),
            ));
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "fixture failures:\n{}",
        failures.join("\n")
    );
    assert!(checked > 0);
    for (name, text) in snapshots {
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn every_rule_has_bad_and_good_fixtures() {
    for rule in RULES {
        let files = common::files_in(&common::root().join("fixtures").join(rule.id));
        let names: Vec<String> = files
            .iter()
            .filter_map(|p| p.file_name().and_then(|n| n.to_str()).map(String::from))
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("bad")),
            "{} has no bad fixture",
            rule.id
        );
        assert!(
            names.iter().any(|n| n.starts_with("good")),
            "{} has no good fixture",
            rule.id
        );
    }
}

/// Realistic stacks that follow the guidance (web app, guest access scoped to one table, IoT
/// per-identity topics, Amplify deny-only placeholder, pools from a parameter and an import,
/// ABAC with sts:TagSession, a SAM trigger with a Cognito event): nothing at warning or above.
#[test]
fn clean_stacks_give_no_warning() {
    let dir = common::root().join("fixtures").join("stacks");
    let files = common::files_in(&dir);
    assert!(files.len() >= 8, "{} stacks", files.len());
    let mut loud = Vec::new();
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let report = common::lint(&format!("fixtures/stacks/{name}"));
        assert!(report.skipped.is_none(), "{name} skipped");
        for f in report
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
        {
            loud.push(format!("{name}: {} {}", f.rule.id, f.message));
        }
    }
    assert!(loud.is_empty(), "{loud:#?}");
}
