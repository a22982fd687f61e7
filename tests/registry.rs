//! The registry: unique IDs and names, docs with every heading, and each doc's Example fires
//! its rule while its "Use instead" gives nothing at warning or above.

mod common;

use std::collections::HashSet;

use cfn_cognito_lint::rules::registry::{self, RULES};
use cfn_cognito_lint::rules::{Settings, Severity};

const HEADINGS: &[&str] = &[
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Options",
    "## Known limitations",
    "## References",
];

#[test]
fn ids_and_names_are_unique_and_well_formed() {
    let mut ids = HashSet::new();
    let mut names = HashSet::new();
    for r in RULES {
        assert!(ids.insert(r.id), "duplicate id {}", r.id);
        assert!(names.insert(r.name), "duplicate name {}", r.name);
        let b = r.id.as_bytes();
        assert!(
            b.len() == 5
                && b[..2].iter().all(u8::is_ascii_uppercase)
                && b[2..].iter().all(u8::is_ascii_digit),
            "{}",
            r.id
        );
        assert!(
            r.name.bytes().all(|c| c.is_ascii_lowercase() || c == b'-'),
            "{} is not kebab-case",
            r.name
        );
        assert!(!r.tiers.is_empty());
        assert_eq!(registry::find(r.id).map(|m| m.id), Some(r.id));
        assert_eq!(registry::find(r.name).map(|m| m.id), Some(r.id));
    }
}

#[test]
fn ids_follow_the_catalog() {
    let Some(shared) = common::shared() else {
        eprintln!("skipped: ../shared/spec/RULES.md is absent");
        return;
    };
    let catalog = std::fs::read_to_string(shared.join("spec/RULES.md")).unwrap_or_default();
    for r in RULES {
        let row = format!("| {} | {} |", r.id, r.name);
        assert!(
            catalog.contains(&row),
            "{} {} is not in RULES.md with that name",
            r.id,
            r.name
        );
    }
}

fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let start = doc.find(heading).map_or(doc.len(), |i| i + heading.len());
    let rest = &doc[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    &rest[..end]
}

fn yaml_block(section: &str) -> String {
    let blocks: Vec<&str> = section.split("```").collect();
    assert!(blocks.len() >= 3, "no fenced block");
    blocks[1]
        .strip_prefix("yaml")
        .unwrap_or(blocks[1])
        .trim_start_matches('\n')
        .to_string()
}

#[test]
fn docs_have_every_heading_in_order() {
    for r in RULES {
        let first = r.doc.lines().next().unwrap_or_default();
        assert_eq!(first, format!("# {} {}", r.id, r.name));
        let mut last = 0;
        for h in HEADINGS {
            let pos = r
                .doc
                .find(&format!("\n{h}\n"))
                .unwrap_or_else(|| panic!("{} misses {h}", r.id));
            assert!(pos > last, "{}: {h} out of order", r.id);
            last = pos;
        }
    }
}

#[test]
fn doc_examples_fire_and_use_instead_is_clean() {
    for r in RULES {
        let mut settings = Settings::default();
        if !["TM003", "TM004", "TM005"].contains(&r.id) {
            settings.disabled.extend(["TM003", "TM004", "TM005"]);
        }
        let bad = yaml_block(section(r.doc, "## Example"));
        let report = common::lint_text(&format!("{}-example.yaml", r.id), &bad, settings.clone());
        assert!(
            report.findings.iter().any(|f| f.rule.id == r.id),
            "{}: Example does not fire it: {:?}",
            r.id,
            common::rule_lines(&report)
        );
        let good = yaml_block(section(r.doc, "## Use instead"));
        let report = common::lint_text(&format!("{}-use-instead.yaml", r.id), &good, settings);
        let loud: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
            .map(|f| (f.rule.id, f.message.clone()))
            .collect();
        assert!(loud.is_empty(), "{}: Use instead gives {loud:?}", r.id);
    }
}

/// Rules RULES.md added for an open issue, not built yet (none: issue 10's are built).
const PLANNED: &[&str] = &[];

#[test]
fn every_catalog_rule_is_implemented() {
    let Some(shared) = common::shared() else {
        eprintln!("skipped: ../shared/spec/RULES.md is absent");
        return;
    };
    let catalog = std::fs::read_to_string(shared.join("spec/RULES.md")).unwrap_or_default();
    let ids: Vec<&str> = catalog
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(' ').next())
        .filter(|id| {
            id.len() == 5
                && id[..2].bytes().all(|b| b.is_ascii_uppercase())
                && id[2..].bytes().all(|b| b.is_ascii_digit())
        })
        .collect();
    assert!(ids.len() >= 40, "{} IDs in RULES.md", ids.len());
    for id in ids {
        if PLANNED.contains(&id) {
            assert!(
                registry::find(id).is_none(),
                "{id} is implemented: remove it from PLANNED"
            );
            continue;
        }
        assert!(
            registry::find(id).is_some(),
            "{id} of RULES.md is not implemented"
        );
    }
}
