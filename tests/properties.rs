//! Property tests: templates built from the fixtures by random edits (cut, duplicate, insert
//! YAML/JSON tokens) never make the linter panic, and every reported position lies inside
//! the file.

mod common;

use cfn_cognito_lint::report::{human, json};
use cfn_cognito_lint::{Options, lint_bytes};
use proptest::prelude::*;

fn fixtures() -> &'static [Vec<u8>] {
    static ALL: std::sync::LazyLock<Vec<Vec<u8>>> = std::sync::LazyLock::new(read_fixtures);
    &ALL
}

fn read_fixtures() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for dir in common::dirs_in(&common::root().join("fixtures")) {
        for f in common::files_in(&dir) {
            if f.extension().is_some_and(|e| e == "yaml" || e == "json") {
                if let Ok(b) = std::fs::read(&f) {
                    out.push(b);
                }
            }
        }
    }
    out
}

const TOKENS: &[&str] = &[
    "!Ref ",
    "!GetAtt ",
    "!Sub '${",
    "}",
    "{",
    "[",
    "]",
    ": ",
    "- ",
    "\n",
    "  ",
    "&a ",
    "*a",
    "<<: ",
    "---\n",
    "\"",
    "'",
    "#",
    "\t",
    "Fn::If",
    "AWS::NoValue",
    "Resources:",
    "Properties:",
    "Condition:",
    "é",
    "한",
    "\u{feff}",
    "\\u",
    ",",
    "null",
    "~",
];

#[derive(Debug, Clone)]
enum Edit {
    Cut(usize, usize),
    Dup(usize, usize),
    Insert(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0usize..64).prop_map(|(a, n)| Edit::Cut(a, n)),
        (any::<usize>(), 0usize..128).prop_map(|(a, n)| Edit::Dup(a, n)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(a, t)| Edit::Insert(a, t)),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = bytes.len().max(1);
        match *e {
            Edit::Cut(at, n) => {
                let at = at % len;
                let end = (at + n).min(bytes.len());
                if at < end {
                    bytes.drain(at..end);
                }
            }
            Edit::Dup(at, n) => {
                let at = at % len;
                let end = (at + n).min(bytes.len());
                if at < end {
                    let chunk = bytes[at..end].to_vec();
                    bytes.splice(at..at, chunk);
                }
            }
            Edit::Insert(at, t) => {
                let at = (at % len).min(bytes.len());
                bytes.splice(at..at, TOKENS[t].bytes());
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn edited_fixtures_never_panic_and_positions_stay_inside(pick in any::<usize>(), edits in prop::collection::vec(edit(), 1..8)) {
        let all = fixtures();
        prop_assume!(!all.is_empty());
        let bytes = apply(all[pick % all.len()].clone(), &edits);
        let report = lint_bytes("prop.yaml", bytes, true, &Options { strict: true, ..Options::default() });
        let lines: Vec<&str> = report.source.split('\n').collect();
        for f in &report.findings {
            prop_assert!(f.span.start <= f.span.end && f.span.end as usize <= report.source.len());
            let (s, e) = report.index.span(&report.source, f.span);
            for p in [s, e] {
                prop_assert!(p.line >= 1 && p.line <= lines.len());
                prop_assert!(p.column >= 1 && p.column <= lines[p.line - 1].chars().count() + 1);
            }
        }
        let reports = [report];
        let _ = json::render(&reports);
        let _ = human::render(&reports, human::Style { color: false, width: 80 }, false);
    }
}
