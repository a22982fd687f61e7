//! The GitHub Actions job summary (CLI.md, `github`): when `GITHUB_STEP_SUMMARY` names a file,
//! whatever the format, the run appends a Markdown summary to it: the counts per severity, a
//! table of the counts per rule, a table of the findings (errors, then warnings, then infos;
//! each location a link to its line when the commit is known) and extra sections (the access
//! graph of each stack, as Mermaid). GitHub shows only ten annotations of each kind per step;
//! the summary shows them all, up to GitHub's limit of 1 MiB per step, before which the
//! findings table is cut with a note.

use std::cmp::Reverse;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use super::{Summary, is_hidden, plural, write_escaped};
use crate::FileReport;
use crate::paths::{self, Anchor};
use crate::rules::{Finding, Severity};

/// What a step's summary may hold: GitHub's limit is 1 MiB (1,048,576 bytes) per step, all
/// appends of the step together; this leaves a margin of about 48 KB.
pub const LIMIT: usize = 1_000_000;

/// The room kept for the note that closes a cut findings table.
const NOTE_ROOM: usize = 128;

/// Where a location links to: `{server}/{repository}/blob/{sha}/{path}#L{line}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Links {
    pub server: String,
    pub repository: String,
    pub sha: String,
}

impl Links {
    /// From `GITHUB_SERVER_URL`, `GITHUB_REPOSITORY` and `GITHUB_SHA`, when all three are set
    /// and none holds a character that would end a Markdown link (space, `(`, `)`, `<`, `>`,
    /// `|`, `[`, `]`, a control).
    pub fn from_env() -> Option<Links> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Links::new(
            &var("GITHUB_SERVER_URL")?,
            &var("GITHUB_REPOSITORY")?,
            &var("GITHUB_SHA")?,
        )
    }

    /// Links from the three values, or `None` if one of them cannot be part of a link.
    pub fn new(server: &str, repository: &str, sha: &str) -> Option<Links> {
        let fits = |s: &str| {
            !s.chars()
                .any(|c| c.is_whitespace() || c.is_control() || "()<>|[]\\`".contains(c))
        };
        (fits(server) && fits(repository) && fits(sha)).then(|| Links {
            server: server.trim_end_matches('/').to_string(),
            repository: repository.trim_matches('/').to_string(),
            sha: sha.to_string(),
        })
    }
}

/// What the summary needs besides the findings.
pub struct Context<'a> {
    /// Makes report paths relative to the repository root (as the annotations do).
    pub anchor: &'a Anchor,
    /// Links to the lines, when the commit is known.
    pub links: Option<&'a Links>,
    /// Sections added after the findings, one per stack: (stack name, Mermaid diagram),
    /// each written as `### Access graph: <stack>` and a ```` ```mermaid ```` block.
    pub extra_sections: &'a [(String, String)],
}

/// Appends `text`'s characters to `out` as Markdown text that renders as written, also in a
/// table cell: `|` as `\|` (GitHub splits cells before anything else), `&`, `<`, `>` as
/// entities (no HTML), the punctuation that starts emphasis, links, code or strikethrough
/// backslash-escaped, line breaks as `<br>`, other controls written visibly (`\x1b`).
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => {}
            '\n' => out.push_str("<br>"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '#' | '!' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c if is_hidden(c) => {
                let mut visible = String::new();
                write_escaped(&mut visible, c);
                escape_into(out, &visible);
            }
            c => out.push(c),
        }
    }
}

/// [`escape_into`] returning a new string.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(&mut out, text);
    out
}

/// A finding's message as Markdown: the parts the linter writes between backticks
/// (`` `Ref` to `Missing` ``) as `<code>` elements, everything [escaped](escape_into), so
/// nothing in a template's names can open a code span, a link or HTML, or split the cell.
/// An unpaired backtick is text.
pub fn message(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let pieces: Vec<&str> = text.split('`').collect();
    // With an odd number of backticks the last one has no partner: it stays text.
    let paired = if pieces.len() % 2 == 1 {
        pieces.len()
    } else {
        pieces.len() - 1
    };
    for (i, piece) in pieces.iter().enumerate() {
        if i >= paired {
            out.push_str("\\`");
            escape_into(&mut out, piece);
        } else if i % 2 == 1 {
            out.push_str("<code>");
            escape_into(&mut out, piece);
            out.push_str("</code>");
        } else {
            escape_into(&mut out, piece);
        }
    }
    out
}

/// A fence for `body`: three backticks, or one more than its longest run of backticks.
fn fence(body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

/// The location cell of a finding: `path:line`, a link to the line when `links` are known and
/// the file lies in the repository.
fn location(ctx: &Context, report_path: &str, line: usize) -> String {
    let shown = ctx.anchor.display(report_path);
    let text = escape(&format!("{shown}:{line}"));
    match (ctx.links, ctx.anchor.relative(report_path)) {
        (Some(l), Some(rel)) => format!(
            "[{text}]({}/{}/blob/{}/{}#L{line})",
            l.server,
            l.repository,
            l.sha,
            paths::uri(&rel, ctx.anchor.style())
        ),
        _ => text,
    }
}

/// The extra sections (see [`Context::extra_sections`]) as Markdown.
fn extra(ctx: &Context) -> Vec<String> {
    ctx.extra_sections
        .iter()
        .map(|(stack, diagram)| {
            let f = fence(diagram);
            let body = diagram.trim_end_matches('\n');
            format!(
                "\n### Access graph: {}\n\n{f}mermaid\n{body}\n{f}\n",
                escape(stack)
            )
        })
        .collect()
}

/// The summary, at most `budget` bytes; `None` when even its head does not fit. The findings
/// table is cut (with a note naming how many findings it leaves out) where the next row would
/// pass the budget; an extra section that does not fit is left out with a note.
pub fn render(reports: &[FileReport], ctx: &Context, budget: usize) -> Option<String> {
    let counts = Summary::of(reports);
    let mut out = String::from("## cfn-cognito-lint\n\n");
    let total = counts.error + counts.warning + counts.info;
    let _ = writeln!(out, "**{}**\n", counts.line());
    let mut found: Vec<(&FileReport, &Finding)> = reports
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| (r, f)))
        .collect();
    // Errors first, then warnings, then infos; in report order (file, line, column, rule)
    // within a severity.
    found.sort_by_key(|(_, f)| Reverse(f.severity));

    if total > 0 {
        out.push_str("| Severity | Findings |\n|---|---:|\n");
        for (name, n) in [
            ("error", counts.error),
            ("warning", counts.warning),
            ("info", counts.info),
        ] {
            let _ = writeln!(out, "| {name} | {n} |");
        }
        // One row per rule and severity (a rule's tiers may differ in severity).
        let mut per_rule: Vec<(Reverse<Severity>, &str, &str, &str, usize)> = Vec::new();
        for (_, f) in &found {
            let key = (Reverse(f.severity), f.rule.id);
            match per_rule.iter_mut().find(|r| (r.0, r.1) == key) {
                Some(row) => row.4 += 1,
                None => per_rule.push((key.0, f.rule.id, f.rule.name, f.severity.as_str(), 1)),
            }
        }
        per_rule.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        out.push_str("\n### Findings per rule\n\n| Rule | Name | Severity | Findings |\n|---|---|---|---:|\n");
        for (_, id, name, severity, n) in per_rule {
            let _ = writeln!(out, "| {id} | {} | {severity} | {n} |", escape(name));
        }
    }

    // The extra sections: kept whole when they fit beside the head, else each one that does
    // not is named in a note.
    let mut extras = String::new();
    for (section, (stack, _)) in extra(ctx).into_iter().zip(ctx.extra_sections) {
        if out.len() + extras.len() + section.len() + NOTE_ROOM <= budget {
            extras.push_str(&section);
        } else {
            let _ = write!(
                extras,
                "\n### Access graph: {}\n\nNot shown: the job summary is limited to 1 MiB per step.\n",
                escape(stack)
            );
        }
    }
    if out.len() + extras.len() + NOTE_ROOM > budget {
        return None;
    }

    if total > 0 {
        let head =
            "\n### Findings\n\n| Severity | Rule | Location | Message |\n|---|---|---|---|\n";
        let mut rows = String::new();
        let mut shown = 0;
        let room = budget.saturating_sub(out.len() + extras.len() + NOTE_ROOM + head.len());
        let mut row = String::new();
        for (r, f) in &found {
            let line = r.index.line_col(&r.source, f.span.start).line;
            row.clear();
            let _ = writeln!(
                row,
                "| {} | {} | {} | {} |",
                f.severity.as_str(),
                f.rule.id,
                location(ctx, &r.path, line),
                message(&f.message)
            );
            if rows.len() + row.len() > room {
                break;
            }
            rows.push_str(&row);
            shown += 1;
        }
        if shown > 0 {
            out.push_str(head);
            out.push_str(&rows);
        }
        if shown < found.len() {
            let _ = writeln!(
                out,
                "\n… {} not shown (the job summary is limited to 1 MiB per step); see the SARIF/JSON report.",
                plural(found.len() - shown, "more finding")
            );
        }
    }
    out.push_str(&extras);
    Some(out)
}

/// Appends the summary to the file `path` (`GITHUB_STEP_SUMMARY`), within what [`LIMIT`]
/// leaves after what the file already holds (earlier steps' writers of the same step).
pub fn append(path: &Path, reports: &[FileReport], ctx: &Context) -> Result<(), String> {
    let held = std::fs::metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .map_or(0, |m| usize::try_from(m.len()).unwrap_or(usize::MAX));
    let Some(text) = render(reports, ctx, LIMIT.saturating_sub(held)) else {
        return Err(format!(
            "{} already holds {held} bytes: no room for the job summary (GitHub keeps 1 MiB per step)",
            path.display()
        ));
    };
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_table_cells() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("<img src=x>&"), "&lt;img src=x&gt;&amp;");
        assert_eq!(
            escape("*x* _y_ [l](u) ~~s~~"),
            "\\*x\\* \\_y\\_ \\[l\\](u) \\~\\~s\\~\\~"
        );
        assert_eq!(escape("line\r\nnext"), "line<br>next");
        assert_eq!(escape("\u{1b}[31m"), "\\\\x1b\\[31m");
    }

    #[test]
    fn messages_keep_their_code_spans() {
        assert_eq!(
            message("`Ref` to `a|b<c>`"),
            "<code>Ref</code> to <code>a\\|b&lt;c&gt;</code>"
        );
        // An unpaired backtick is text.
        assert_eq!(message("`a` and ` b"), "<code>a</code> and \\` b");
        assert_eq!(message("no code"), "no code");
        assert_eq!(message("``"), "<code></code>");
    }

    #[test]
    fn fences_are_longer_than_the_backticks_inside() {
        assert_eq!(fence("graph TD"), "```");
        assert_eq!(fence("a ```` b"), "`````");
    }

    #[test]
    fn links_refuse_values_that_end_a_link() {
        assert!(
            Links::new("https://github.com/", "o/r", "abc")
                .is_some_and(|l| l.server == "https://github.com")
        );
        assert!(Links::new("https://github.com", "o/r) [x](y", "abc").is_none());
        assert!(Links::new("https://github.com", "o/r", "a b").is_none());
    }
}
