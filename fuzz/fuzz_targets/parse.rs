//! The parser (YAML and JSON) on arbitrary bytes: never panics, spans stay inside the input.
#![no_main]

use cfn_cognito_lint::template::parse::{Limits, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = parse(text, &Limits::default());
    for issue in parsed.issues.iter().chain(parsed.fatal.iter()) {
        assert!(issue.span.end as usize <= text.len() && issue.span.start <= issue.span.end);
    }
});
