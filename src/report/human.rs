//! `human`: one miette diagnostic per finding (snippet, labels, help), then a summary line.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use rayon::prelude::*;

use super::{Summary, escape_controls, is_hidden};
use crate::FileReport;
use crate::rules::{Finding, Severity};
use crate::template::LineIndex;

/// The file's text, named, with columns counted in characters (miette counts bytes). miette
/// reads a byte slice from its start to find a span's lines, so each read is handed only a
/// window of whole lines around the span ([`window`]) and its answer moved back to the file's
/// offsets and line numbers: the cost of a finding no longer grows with the file.
struct FileSource<'a> {
    path: &'a str,
    text: &'a str,
    index: &'a LineIndex,
    /// The file has a lone `\r`, a line break for miette but not for the line index: such a
    /// file is read whole, as miette would.
    whole: bool,
}

impl<'a> FileSource<'a> {
    /// `whole` knows the files with a lone `\r` (others are looked at here).
    fn new(path: &'a str, text: &'a str, index: &'a LineIndex, whole: &Whole) -> FileSource<'a> {
        FileSource {
            path,
            text,
            index,
            whole: whole
                .get(&(text.as_ptr() as usize))
                .copied()
                .unwrap_or_else(|| has_lone_cr(text)),
        }
    }
}

/// Whether `text` has a `\r` not followed by `\n`.
fn has_lone_cr(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.contains(&b'\r')
        && bytes
            .iter()
            .enumerate()
            .any(|(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
}

/// The lines miette reads for a span from `start` to `end` with `before` and `after` lines of
/// context, with a line of margin on each side: the byte range (whole lines, so on character
/// boundaries) and the 0-based number of its first line.
fn window(
    text: &str,
    index: &LineIndex,
    start: usize,
    end: usize,
    before: usize,
    after: usize,
) -> (usize, usize, usize) {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let start = start.min(len);
    let end = end.clamp(start, len);
    // Back over the span's own line and `before + 1` lines more.
    let mut from = start;
    for k in 0..before + 2 {
        match bytes[..from].iter().rposition(|&b| b == b'\n') {
            Some(p) if k == before + 1 => from = p + 1,
            Some(p) => from = p,
            None => {
                from = 0;
                break;
            }
        }
    }
    // Forward over the span's last line and `after + 2` lines more.
    let mut to = end.saturating_sub(1).max(start);
    for _ in 0..after + 3 {
        match bytes[to..].iter().position(|&b| b == b'\n') {
            Some(p) => to += p + 1,
            None => {
                to = len;
                break;
            }
        }
    }
    let first_line = u32::try_from(from).map_or(0, |at| index.line_col(text, at).line - 1);
    (from, to, first_line)
}

impl SourceCode for FileSource<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.text;
        let (from, to, first_line) = if self.whole {
            (0, text.len(), 0)
        } else {
            let start = span.offset();
            window(text, self.index, start, start + span.len(), before, after)
        };
        let part = text.get(from..to).ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new(
            span.offset()
                .checked_sub(from)
                .ok_or(MietteError::OutOfBounds)?
                .into(),
            span.len(),
        );
        let inner = part.read_span(&local, before, after)?;
        let column = if before == 0 {
            let at = u32::try_from(span.offset()).unwrap_or(u32::MAX);
            self.index.line_col(text, at).column - 1
        } else {
            inner.column()
        };
        let read = inner.span();
        Ok(Box::new(MietteSpanContents::new_named(
            self.path.to_string(),
            inner.data(),
            SourceSpan::new((read.offset() + from).into(), read.len()),
            inner.line() + first_line,
            column,
            inner.line_count() + first_line,
        )))
    }
}

struct Diag<'a> {
    finding: &'a Finding,
    report: &'a FileReport,
    source: FileSource<'a>,
    /// Whether to draw the source snippet (not for lines too long to read).
    snippet: bool,
    /// Labels in other files of the stack, each drawn with its own file's snippet.
    related: Vec<RelatedDiag<'a>>,
}

/// A label in another file of the stack.
struct RelatedDiag<'a> {
    message: &'a str,
    source: FileSource<'a>,
    span: SourceSpan,
}

impl fmt::Debug for RelatedDiag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}
impl fmt::Display for RelatedDiag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", escape_controls(self.message))
    }
}
impl std::error::Error for RelatedDiag<'_> {}
impl Diagnostic for RelatedDiag<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(None, self.span),
        )))
    }
}

/// Lines longer than this are not drawn (minified JSON, generated nesting).
const MAX_SNIPPET_LINE: usize = 400;

impl fmt::Debug for Diag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.finding.message)
    }
}
impl fmt::Display for Diag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", escape_controls(&self.finding.message))
    }
}
impl std::error::Error for Diag<'_> {}

fn source_span(text: &str, span: crate::template::Span) -> SourceSpan {
    let len = text.len();
    let start = (span.start as usize).min(len);
    let end = (span.end as usize).clamp(start, len);
    SourceSpan::new(start.into(), end - start)
}

impl Diagnostic for Diag<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "{} {}",
            self.finding.rule.id, self.finding.rule.name
        )))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(escape_controls(&self.finding.help)))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.then_some(&self.source as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if !self.snippet {
            return None;
        }
        let r = self.report;
        let f = self.finding;
        let primary = LabeledSpan::new_primary_with_span(
            Some(f.severity.as_str().to_string()),
            source_span(&r.source, f.span),
        );
        let others = f.labels.iter().map(move |(span, text)| {
            LabeledSpan::new_with_span(
                Some(escape_controls(text).into_owned()),
                source_span(&r.source, *span),
            )
        });
        Some(Box::new(std::iter::once(primary).chain(others)))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
    }
}

/// Rendering choices: colour and width.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

fn handler(style: Style) -> GraphicalReportHandler {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_context_lines(1)
}

/// Whether each file a report's findings are drawn from has a lone `\r`, by the address of its
/// text: found once per file, not once per finding.
type Whole = HashMap<usize, bool>;

fn whole_of(report: &FileReport) -> Whole {
    let mut whole = Whole::new();
    whole.insert(report.source.as_ptr() as usize, has_lone_cr(&report.source));
    for r in report.findings.iter().flat_map(|f| &f.related) {
        whole
            .entry(r.file.text.as_ptr() as usize)
            .or_insert_with(|| has_lone_cr(&r.file.text));
    }
    whole
}

/// The texts of a report's files that hold characters a terminal acts on, by the address of
/// the original text, each with those characters replaced by [`visible_text`].
type Shown = HashMap<usize, String>;

/// `text` with each character a terminal would act on instead of showing (an escape, a lone
/// carriage return, a bidirectional override: issue 12) replaced by a visible character of
/// the same UTF-8 length, so every byte offset, line and column stays as it was: `?` for a
/// C0 control or DEL, `¿` for a C1 control, `�` for a bidirectional control. Tabs and line
/// breaks (`\n`, `\r\n`) stay. `None` when there is nothing to replace.
fn visible_text(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    // Only C0 controls, DEL and the lead bytes of C1 (0xC2) and of U+2000–U+2FFF (0xE2) can
    // start a replaced character.
    if !bytes
        .iter()
        .any(|&b| (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f || b == 0xc2 || b == 0xe2)
    {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    for (i, c) in text.char_indices() {
        let keep = !is_hidden(c) || c == '\n' || (c == '\r' && bytes.get(i + 1) == Some(&b'\n'));
        if keep {
            out.push(c);
            continue;
        }
        changed = true;
        out.push(match c.len_utf8() {
            1 => '?',
            2 => '\u{bf}',
            _ => '\u{fffd}',
        });
    }
    changed.then_some(out)
}

/// [`Shown`] for a report's files; each replaced text is marked in `whole` as having no lone
/// `\r` (those are replaced too).
fn shown_of(report: &FileReport, whole: &mut Whole) -> Shown {
    let mut shown = Shown::new();
    let texts = std::iter::once(report.source.as_str()).chain(
        report
            .findings
            .iter()
            .flat_map(|f| &f.related)
            .map(|r| r.file.text.as_str()),
    );
    for text in texts {
        let at = text.as_ptr() as usize;
        if shown.contains_key(&at) {
            continue;
        }
        if let Some(visible) = visible_text(text) {
            whole.insert(visible.as_ptr() as usize, false);
            shown.insert(at, visible);
        }
    }
    shown
}

/// One finding, as miette draws it.
pub fn render_finding(report: &FileReport, finding: &Finding, style: Style) -> String {
    let mut whole = whole_of(report);
    let shown = shown_of(report, &mut whole);
    render_with(report, finding, style, &whole, &shown)
}

fn render_with(
    report: &FileReport,
    finding: &Finding,
    style: Style,
    whole: &Whole,
    shown: &Shown,
) -> String {
    // miette is handed file names and texts with control characters made visible.
    fn visible<'a>(shown: &'a Shown, text: &'a str) -> &'a str {
        shown
            .get(&(text.as_ptr() as usize))
            .map_or(text, String::as_str)
    }
    let paths: Vec<Cow<'_, str>> = std::iter::once(&report.path)
        .chain(finding.related.iter().map(|r| &r.file.path))
        .map(|p| escape_controls(p))
        .collect();
    let text = report.source.as_str();
    let line_len = |at: u32| {
        let bytes = text.as_bytes();
        let at = (at as usize).min(bytes.len());
        let start = bytes[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let end = bytes[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| at + i);
        end - start
    };
    let snippet = std::iter::once(finding.span.start)
        .chain(finding.labels.iter().map(|l| l.0.start))
        .all(|at| line_len(at) <= MAX_SNIPPET_LINE);
    let related = finding
        .related
        .iter()
        .zip(&paths[1..])
        .map(|(r, path)| RelatedDiag {
            message: &r.message,
            source: FileSource::new(path, visible(shown, &r.file.text), &r.file.index, whole),
            span: source_span(&r.file.text, r.span),
        })
        .collect();
    let path = &paths[0];
    let diag = Diag {
        finding,
        report,
        source: FileSource::new(path, visible(shown, text), &report.index, whole),
        snippet,
        related,
    };
    let mut out = String::new();
    if !snippet {
        let (s, _) = report.index.span(text, finding.span);
        out.push_str(&format!(
            "{path}:{}:{} (line too long to show)\n",
            s.line, s.column
        ));
    }
    if handler(style).render_report(&mut out, &diag).is_err() {
        // Fall back to the parseable line if miette cannot draw the snippet.
        let (s, _) = report.index.span(&report.source, finding.span);
        out = format!(
            "{path}:{}:{}: {} {}: {}\n",
            s.line,
            s.column,
            finding.rule.id,
            finding.severity.as_str(),
            escape_controls(&finding.message)
        );
    }
    out
}

/// Every finding of every file, then the summary line (unless `quiet`).
pub fn render(reports: &[FileReport], style: Style, quiet: bool) -> String {
    // Drawn in parallel, file by file and finding by finding, then joined in order.
    let drawn: Vec<Vec<String>> = reports
        .par_iter()
        .map(|r| {
            let mut whole = whole_of(r);
            let shown = shown_of(r, &mut whole);
            r.findings
                .par_iter()
                .map(|f| render_with(r, f, style, &whole, &shown))
                .collect()
        })
        .collect();
    let size = drawn.iter().flatten().map(|d| d.len() + 1).sum::<usize>() + 100;
    let mut out = String::with_capacity(size);
    for d in drawn.iter().flatten() {
        out.push_str(d);
        out.push('\n');
    }
    if !quiet {
        out.push_str(&Summary::of(reports).line());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source<'a>(text: &'a str, index: &'a LineIndex) -> FileSource<'a> {
        FileSource {
            path: "t.yaml",
            text,
            index,
            whole: has_lone_cr(text),
        }
    }

    /// What the window hands miette: (line, column, line count, read span, data).
    fn read(
        text: &str,
        start: usize,
        len: usize,
        context: usize,
    ) -> (usize, usize, usize, (usize, usize), String) {
        let index = LineIndex::new(text);
        let src = source(text, &index);
        let Ok(c) = src.read_span(&SourceSpan::new(start.into(), len), context, context) else {
            panic!("no contents for {start}+{len}");
        };
        let data = String::from_utf8_lossy(c.data()).into_owned();
        (
            c.line(),
            c.column(),
            c.line_count(),
            (c.span().offset(), c.span().len()),
            data,
        )
    }

    #[test]
    fn window_lines_and_columns() {
        // Ten lines; the span on line 6 (0-based 5), after two non-ASCII characters.
        let text = "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\néé: x\ng: 7\nh: 8\ni: 9\nj: 10\n";
        let at = text.find("x").unwrap_or_default();
        let (line, column, _, span, data) = read(text, at, 1, 1);
        assert_eq!(line, 4);
        assert_eq!(column, 0);
        assert_eq!(data, "e: 5\néé: x\ng: 7\n");
        assert_eq!(span.0, text.find("e: 5").unwrap_or_default());
        // Without context: the column counts characters, not bytes.
        let (line, column, _, _, data) = read(text, at, 1, 0);
        assert_eq!((line, column, data.as_str()), (5, 4, "x"));
    }

    #[test]
    fn window_crlf_and_last_line_without_newline() {
        let text = "a: 1\r\nb: ü\r\nc: 3\r\nd: 4";
        let at = text.find("ü").unwrap_or_default();
        let (line, column, _, _, data) = read(text, at, 2, 1);
        assert_eq!((line, column), (0, 0));
        assert_eq!(data, "a: 1\r\nb: ü\r\nc: 3\r\n");
        assert_eq!(read(text, at, 2, 0).1, 3);
        let last = text.find("4").unwrap_or_default();
        let (line, _, _, _, data) = read(text, last, 1, 1);
        assert_eq!(line, 2);
        assert_eq!(data, "c: 3\r\nd: 4");
        assert_eq!(read(text, last, 1, 0).1, 3);
    }

    /// The window's answer is miette's answer on the whole text, for every span of a few texts.
    #[test]
    fn window_matches_miette_on_whole_text() {
        let texts = [
            "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\ng: 7\n",
            "a: 1\nbé: ü\n\nc: 漢字\nd: 4",
            "a: 1\r\nb: ü\r\n\r\nc: 3\r\nd: 4\r\n",
            "x",
            "\n\n\n",
            "a\rb\nc\rd\n",
            "0\n1\n2\n3: é\n4\n5\n6: 漢\n7\n8\n9\n10\n11",
            "0\r\n1\r\n2\r\n3: é\r\n4\r\n5\r\n6\r\n7: ü\r\n8\r\n9\r\n10\r\n",
        ];
        for text in texts {
            let index = LineIndex::new(text);
            let src = source(text, &index);
            for start in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                for end in (start..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                    let span = SourceSpan::new(start.into(), end - start);
                    for context in [0, 1, 2] {
                        let whole = text.read_span(&span, context, context);
                        let part = src.read_span(&span, context, context);
                        let (Ok(w), Ok(p)) = (whole, part) else {
                            panic!("{text:?} {start}..{end}: no contents");
                        };
                        assert_eq!(w.data(), p.data(), "{text:?} {start}..{end} {context}");
                        assert_eq!(w.span(), p.span(), "{text:?} {start}..{end} {context}");
                        assert_eq!(w.line(), p.line(), "{text:?} {start}..{end} {context}");
                        assert_eq!(w.line_count(), p.line_count(), "{text:?} {start}..{end}");
                        let column = if context == 0 {
                            text[..start]
                                .rsplit('\n')
                                .next()
                                .map_or(0, |l| l.chars().count())
                        } else {
                            w.column()
                        };
                        if !text.contains('\r') || context > 0 {
                            assert_eq!(column, p.column(), "{text:?} {start}..{end} {context}");
                        }
                    }
                }
            }
        }
    }
}
