//! `github`: GitHub Actions workflow commands, one per finding, escaped as GitHub documents.

use crate::FileReport;
use crate::rules::Severity;

/// Escaping of a command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a property value (also `:` and `,`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        for f in &r.findings {
            let (s, e) = r.index.span(&r.source, f.span);
            let cmd = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            out.push_str(&format!(
                "::{cmd} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                property(&r.path),
                s.line,
                s.column,
                e.line,
                e.column,
                property(&format!("{} {}", f.rule.id, f.rule.name)),
                data(&format!("{} ({})", f.message, f.help))
            ));
        }
    }
    out
}
