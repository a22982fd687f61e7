//! `github`: GitHub Actions workflow commands, one per finding, escaped as GitHub documents
//! (`%`, `\r`, `\n` in the message; also `:` and `,` in property values). Other control
//! characters would reach the log (which draws ANSI escapes) or a terminal as they are: they
//! are written visibly (`\x1b`, see [`super::escape_controls`]).

use super::{is_hidden, write_escaped};
use crate::FileReport;
use crate::paths::Anchor;
use crate::rules::Severity;

/// Escaping of a command's message (`property`: of a property value, `:` and `,` too).
fn escape(s: &str, property: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c if is_hidden(c) => write_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

fn data(s: &str) -> String {
    escape(s, false)
}

fn property(s: &str) -> String {
    escape(s, true)
}

/// The annotations of every finding; `anchor` makes the paths relative to the repository root
/// ([`Anchor::github`]: `GITHUB_WORKSPACE`, else the git work tree), with `/` between folders.
pub fn render(reports: &[FileReport], anchor: &Anchor) -> String {
    let mut out = String::new();
    for r in reports {
        let file = property(&anchor.display(&r.path));
        for f in &r.findings {
            let (s, e) = r.index.span(&r.source, f.span);
            let cmd = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            out.push_str(&format!(
                "::{cmd} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                file,
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
