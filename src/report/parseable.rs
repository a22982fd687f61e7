//! `parseable`: `file:line:col:end_line:end_col:RULE:severity:message`, one per line.
//!
//! A file name or message holding a newline would split its line, and an escape or carriage
//! return would act on the terminal: both are written with control characters escaped (`\n`,
//! `\x1b`, see [`super::escape_controls`]).

use super::escape_controls;
use crate::FileReport;

pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        let path = escape_controls(&r.path);
        for f in &r.findings {
            let (s, e) = r.index.span(&r.source, f.span);
            out.push_str(&format!(
                "{}:{}:{}:{}:{}:{}:{}:{}\n",
                path,
                s.line,
                s.column,
                e.line,
                e.column,
                f.rule.id,
                f.severity.as_str(),
                escape_controls(&f.message)
            ));
        }
    }
    out
}
