//! The whole pipeline (parse, graph, policy model, every rule, suppressions, reports) on
//! arbitrary bytes: never panics, every finding's position lies inside the file.
#![no_main]

use cfn_cognito_lint::report::{json, sarif};
use cfn_cognito_lint::{Options, lint_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let report = lint_bytes("fuzz.yaml", data.to_vec(), true, &Options::default());
    for f in &report.findings {
        assert!(f.span.start <= f.span.end && f.span.end as usize <= report.source.len());
        for (span, _) in &f.labels {
            assert!(span.end as usize <= report.source.len());
        }
    }
    let reports = [report];
    let _ = json::render(&reports);
    let _ = sarif::render(&reports, None);
});
