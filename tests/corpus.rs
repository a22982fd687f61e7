//! The whole corpus of real templates in ../shared/corpus: no panic, no TM001 on a file that
//! cfn-lint parses, and every position inside its file. Skipped (with a reason) where absent.

mod common;

use std::collections::HashSet;
use std::path::PathBuf;

use cfn_cognito_lint::{Options, lint_paths};

#[test]
fn corpus_is_processed_without_panic_and_positions_stay_in_files() {
    let Some(shared) = common::shared() else {
        eprintln!("skipped: ../shared/corpus is absent");
        return;
    };
    let corpus = shared.join("corpus");
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).unwrap_or_default();
    let files: Vec<PathBuf> = manifest
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .map(|f| corpus.join(f))
        .collect();
    assert!(files.len() > 2000, "manifest lists {} files", files.len());
    let failures: HashSet<String> =
        std::fs::read_to_string(corpus.join("cfn-lint-parse-failures.txt"))
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| l.trim().to_string())
            .collect();
    let mut robustness: Vec<PathBuf> = common::files_in(&corpus.join("robustness"))
        .into_iter()
        .filter(|p| !p.ends_with("README.md"))
        .collect();
    let mut all = files.clone();
    all.append(&mut robustness);
    let outcome = lint_paths(&all, &Options::default());
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let mut problems = Vec::new();
    for r in &outcome.reports {
        let rel = r
            .path
            .split("/corpus/")
            .nth(1)
            .unwrap_or(&r.path)
            .to_string();
        let lines: Vec<&str> = r.source.split('\n').collect();
        for f in &r.findings {
            if f.rule.id == "TM001" && !failures.contains(&rel) {
                problems.push(format!(
                    "TM001 on {rel}, which cfn-lint parses: {}",
                    f.message
                ));
            }
            let (s, e) = r.index.span(&r.source, f.span);
            for p in [s, e] {
                let ok = p.line >= 1
                    && p.line <= lines.len()
                    && p.column >= 1
                    && p.column <= lines[p.line - 1].chars().count() + 1;
                if !ok {
                    problems.push(format!(
                        "{rel}: {} position {}:{} outside the file",
                        f.rule.id, p.line, p.column
                    ));
                }
            }
            if (e.line, e.column) < (s.line, s.column) {
                problems.push(format!("{rel}: {} ends before it starts", f.rule.id));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    eprintln!("corpus: {} files linted", outcome.reports.len());
}
