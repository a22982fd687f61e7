//! `parseable`: `file:line:col:end_line:end_col:RULE:severity:message`, one per line.

use crate::FileReport;

pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        for f in &r.findings {
            let (s, e) = r.index.span(&r.source, f.span);
            let message = f.message.replace(['\n', '\r'], " ");
            out.push_str(&format!(
                "{}:{}:{}:{}:{}:{}:{}:{}\n",
                r.path,
                s.line,
                s.column,
                e.line,
                e.column,
                f.rule.id,
                f.severity.as_str(),
                message
            ));
        }
    }
    out
}
