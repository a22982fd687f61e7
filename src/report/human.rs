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
///
/// Lines break at LF, CRLF and a lone CR, as in the line index (YAML's breaks). miette's line
/// counter agrees, but its snippet drawer keeps a lone CR inside a line: a file with one is
/// handed to miette with each lone CR read as LF ([`Normal`]; same length, so every offset
/// holds).
struct FileSource<'a> {
    path: &'a str,
    text: &'a str,
    index: &'a LineIndex,
}

impl<'a> FileSource<'a> {
    /// `normal` holds the texts that are not shown as they are written ([`shown_text`]).
    fn new(
        path: &'a str,
        text: &'a str,
        index: &'a LineIndex,
        normal: &'a Normal,
    ) -> FileSource<'a> {
        FileSource {
            path,
            text: normal
                .get(&(text.as_ptr() as usize))
                .and_then(Option::as_deref)
                .unwrap_or(text),
            index,
        }
    }
}

/// `text` as miette is handed it, if that differs: each lone `\r` read as `\n` (a line
/// break, as the line index counts it), and each other character a terminal would act on
/// instead of showing (an escape, a bidirectional override: issue 12) replaced by a visible
/// character of the same UTF-8 length, so every byte offset, line and column stays: `?` for a
/// C0 control or DEL, `¿` for a C1 control, `�` for a bidirectional control. Tabs, `\n` and
/// `\r\n` stay.
fn shown_text(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    // Only C0 controls, DEL and the lead bytes of C1 (0xC2) and of U+2000–U+2FFF (0xE2) can
    // start a replaced character: looked for in blocks without a branch per byte (the test
    // vectorizes; every text of a report with findings passes through here).
    let may_change =
        |b: u8| (b < 0x20 && b != b'\n' && b != b'\t') | (b == 0x7f) | (b == 0xc2) | (b == 0xe2);
    if !bytes
        .chunks(64)
        .any(|block| block.iter().fold(false, |found, &b| found | may_change(b)))
    {
        return None;
    }
    // The text is copied in runs between the characters replaced; none replaced: `None`.
    let mut out: Option<String> = None;
    let mut copied = 0;
    for (i, c) in text.char_indices() {
        if let Some(r) = shown_as(c, bytes.get(i + 1) == Some(&b'\n')) {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(&text[copied..i]);
            o.push(r);
            copied = i + c.len_utf8();
        }
    }
    let mut out = out?;
    out.push_str(&text[copied..]);
    Some(out)
}

/// What [`shown_text`] puts in place of `c` (followed by a line feed or not), if anything.
fn shown_as(c: char, before_lf: bool) -> Option<char> {
    match c {
        '\n' | '\t' => None,
        '\r' if before_lf => None,
        '\r' => Some('\n'),
        c if is_hidden(c) => Some(match c.len_utf8() {
            1 => '?',
            2 => '\u{bf}',
            _ => '\u{fffd}',
        }),
        _ => None,
    }
}

/// The lines miette reads for a span from `start` to `end` with `before` and `after` lines of
/// context, with a line of margin on each side: the byte range (whole lines, so on character
/// boundaries) and the 0-based number of its first line. Found in the line index: no scan of
/// the text, whatever the length of its lines.
fn window(
    text: &str,
    index: &LineIndex,
    start: usize,
    end: usize,
    before: usize,
    after: usize,
) -> (usize, usize, usize) {
    let len = text.len();
    let start = start.min(len);
    let end = end.clamp(start, len);
    // The span's first line and `before + 1` lines more; its last line and `after + 2` more.
    let first = index.line_of(start).saturating_sub(before + 1).max(1);
    let last = index.line_of(end.saturating_sub(1).max(start)) + after + 2;
    let line_start = |line: usize| index.line_range(text, line).map(|r| r.start);
    let from = line_start(first).unwrap_or(0);
    let to = line_start(last + 1).unwrap_or(len);
    (from, to, first - 1)
}

/// Whether every line miette would draw for these spans (each with a line of context) is short
/// enough to show: the line index answers, so a 5 MB line costs nothing to look at.
fn drawable(
    text: &str,
    index: &LineIndex,
    spans: impl IntoIterator<Item = (usize, usize)>,
) -> bool {
    spans.into_iter().all(|(start, end)| {
        let first = index.line_of(start).saturating_sub(1).max(1);
        let last = index.line_of(end.max(start)) + 1;
        (first..=last).all(|line| {
            index
                .line_range(text, line)
                .is_none_or(|r| r.len() <= MAX_SNIPPET_LINE)
        })
    })
}

impl SourceCode for FileSource<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.text;
        let start = span.offset();
        let (from, to, first_line) =
            window(text, self.index, start, start + span.len(), before, after);
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
    /// The label's text; with its place when no snippet is drawn.
    message: std::borrow::Cow<'a, str>,
    /// `None` when a line to draw is too long to show.
    source: Option<FileSource<'a>>,
    span: SourceSpan,
}

impl fmt::Debug for RelatedDiag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}
impl fmt::Display for RelatedDiag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}
impl std::error::Error for RelatedDiag<'_> {}
impl Diagnostic for RelatedDiag<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(None, self.span),
        )))
    }
}

/// Lines longer than this are not drawn (minified JSON, generated nesting).
const MAX_SNIPPET_LINE: usize = 400;

/// Secondary labels drawn with a finding's snippet; the structured formats list them all. miette
/// lays out every label against every drawn line, so a cycle of thousands of resources would
/// cost their square.
const MAX_DRAWN_LABELS: usize = 20;

impl fmt::Debug for Diag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.finding.message)
    }
}
impl fmt::Display for Diag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", escape_controls(&self.finding.message))?;
        match (&self.finding.construct, &self.finding.resource) {
            (Some(c), Some(r)) => write!(
                f,
                " [`{}`: construct `{}`]",
                escape_controls(r),
                escape_controls(c)
            ),
            (Some(c), None) => write!(f, " [construct `{}`]", escape_controls(c)),
            _ => Ok(()),
        }
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
        let others = f
            .labels
            .iter()
            .take(MAX_DRAWN_LABELS)
            .map(move |(span, text)| {
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
    /// The width messages, help lines and the summary are wrapped to, in columns. Lines drawn
    /// from the source (numbered lines, their underlines and labels, the `╭─[file:line:col]`
    /// header) are drawn as written: miette does not wrap them, since the underlines must stay
    /// under their columns.
    pub width: usize,
}

/// `line` broken at spaces into lines of at most `width` characters (a longer word stays
/// whole), each ended by a newline.
pub fn wrapped(line: &str, width: usize) -> String {
    let mut out = String::with_capacity(line.len() + 1);
    let mut used = 0;
    for word in line.split(' ') {
        let len = word.chars().count();
        if used > 0 && used + 1 + len > width {
            out.push('\n');
            used = 0;
        } else if used > 0 {
            out.push(' ');
            used += 1;
        }
        out.push_str(word);
        used += len;
    }
    out.push('\n');
    out
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

/// The texts a report's findings are drawn from, by address, as miette is handed them
/// ([`shown_text`]; [`FileSource`]): made once per file, not once per finding. `None` for a
/// text shown as it is written (looked at once too).
type Normal = HashMap<usize, Option<String>>;

fn normal_of(report: &FileReport) -> Normal {
    let mut normal = Normal::new();
    let texts = std::iter::once(report.source.as_str()).chain(
        report
            .findings
            .iter()
            .flat_map(|f| &f.related)
            .map(|r| r.file.text.as_str()),
    );
    for text in texts {
        normal
            .entry(text.as_ptr() as usize)
            .or_insert_with(|| shown_text(text));
    }
    normal
}

/// One finding, as miette draws it.
pub fn render_finding(report: &FileReport, finding: &Finding, style: Style) -> String {
    render_with(report, finding, style, &normal_of(report))
}

fn render_with(report: &FileReport, finding: &Finding, style: Style, normal: &Normal) -> String {
    // miette is handed file names with control characters made visible (texts: `normal_of`).
    let paths: Vec<Cow<'_, str>> = std::iter::once(&report.path)
        .chain(finding.related.iter().map(|r| &r.file.path))
        .map(|p| escape_controls(p))
        .collect();
    let text = report.source.as_str();
    let index = &report.index;
    let range = |span: crate::template::Span| {
        let s = source_span(text, span);
        (s.offset(), s.offset() + s.len())
    };
    let snippet = drawable(
        text,
        index,
        std::iter::once(range(finding.span)).chain(
            finding
                .labels
                .iter()
                .take(MAX_DRAWN_LABELS)
                .map(|l| range(l.0)),
        ),
    );
    let related = finding
        .related
        .iter()
        .zip(&paths[1..])
        .map(|(r, path)| {
            let span = source_span(&r.file.text, r.span);
            let (start, end) = (span.offset(), span.offset() + span.len());
            if drawable(&r.file.text, &r.file.index, [(start, end)]) {
                RelatedDiag {
                    message: escape_controls(&r.message),
                    source: Some(FileSource::new(path, &r.file.text, &r.file.index, normal)),
                    span,
                }
            } else {
                let (s, _) = r.file.index.span(&r.file.text, r.span);
                RelatedDiag {
                    message: std::borrow::Cow::Owned(format!(
                        "{} ({}:{}:{}, line too long to show)",
                        escape_controls(&r.message),
                        path,
                        s.line,
                        s.column
                    )),
                    source: None,
                    span,
                }
            }
        })
        .collect();
    let path = &paths[0];
    let diag = Diag {
        finding,
        report,
        source: FileSource::new(path, &report.source, &report.index, normal),
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
            let normal = normal_of(r);
            r.findings
                .par_iter()
                .map(|f| render_with(r, f, style, &normal))
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
        out.push_str(&wrapped(&Summary::of(reports).line(), style.width));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source<'a>(text: &'a str, index: &'a LineIndex, normal: &'a Normal) -> FileSource<'a> {
        FileSource::new("t.yaml", text, index, normal)
    }

    fn normal(text: &str) -> Normal {
        std::iter::once((text.as_ptr() as usize, shown_text(text))).collect()
    }

    /// What the window hands miette: (line, column, line count, read span, data).
    fn read(
        text: &str,
        start: usize,
        len: usize,
        context: usize,
    ) -> (usize, usize, usize, (usize, usize), String) {
        let index = LineIndex::new(text);
        let normal = normal(text);
        let src = source(text, &index, &normal);
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

    /// The character-by-character reading `shown_text` stands for (every character pushed).
    fn shown_text_by_chars(text: &str) -> Option<String> {
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut changed = false;
        for (i, c) in text.char_indices() {
            let replaced = shown_as(c, bytes.get(i + 1) == Some(&b'\n'));
            changed |= replaced.is_some();
            out.push(replaced.unwrap_or(c));
        }
        changed.then_some(out)
    }

    #[test]
    fn shown_text_replaces_what_a_terminal_acts_on_and_nothing_else() {
        let long = "a".repeat(200);
        let texts = [
            String::new(),
            "plain: text\n".to_string(),
            "tab\tand CRLF\r\n".to_string(),
            "lone\rCR".to_string(),
            "esc \u{1b}[31m red".to_string(),
            "del \u{7f} and C1 \u{9b}".to_string(),
            "em dash \u{2014} stays, override \u{202e} does not, isolate \u{2066}".to_string(),
            "latin \u{e9}\u{fc} \u{c2}\u{a0}".to_string(),
            format!("{long}\u{1b}{long}\r{long}\u{202e}"),
            format!("{long}\u{2019}{long}"),
            "\r\r\n\r".to_string(),
        ];
        for text in &texts {
            assert_eq!(shown_text(text), shown_text_by_chars(text), "{text:?}");
        }
        assert_eq!(
            shown_text("a\u{1b}b\u{202e}c\rd").as_deref(),
            Some("a?b\u{fffd}c\nd")
        );
    }

    #[test]
    fn summary_wrapped_at_spaces() {
        let line = "4 errors, 17 warnings, 10 infos in 2 files";
        assert_eq!(wrapped(line, 80), format!("{line}\n"));
        assert_eq!(wrapped(line, 42), format!("{line}\n"));
        assert_eq!(
            wrapped(line, 41),
            "4 errors, 17 warnings, 10 infos in 2\nfiles\n"
        );
        assert_eq!(
            wrapped(line, 8),
            "4\nerrors,\n17\nwarnings,\n10 infos\nin 2\nfiles\n"
        );
        assert_eq!(wrapped("", 40), "\n");
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
            "a\r\r\nb: é\rc\r\n\rd",
            "0\n1\n2\n3: é\n4\n5\n6: 漢\n7\n8\n9\n10\n11",
            "0\r\n1\r\n2\r\n3: é\r\n4\r\n5\r\n6\r\n7: ü\r\n8\r\n9\r\n10\r\n",
        ];
        for text in texts {
            let index = LineIndex::new(text);
            let normal = normal(text);
            let src = source(text, &index, &normal);
            // miette's line counter breaks at a lone CR too, its drawer does not: the window
            // hands it the text with lone CRs read as LF, which both read alike.
            let seen = shown_text(text).unwrap_or_else(|| text.to_string());
            let seen = seen.as_str();
            for start in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                for end in (start..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                    let span = SourceSpan::new(start.into(), end - start);
                    for context in [0, 1, 2] {
                        let whole = seen.read_span(&span, context, context);
                        let part = src.read_span(&span, context, context);
                        let (Ok(w), Ok(p)) = (whole, part) else {
                            panic!("{text:?} {start}..{end}: no contents");
                        };
                        assert_eq!(w.data(), p.data(), "{text:?} {start}..{end} {context}");
                        assert_eq!(w.span(), p.span(), "{text:?} {start}..{end} {context}");
                        assert_eq!(w.line(), p.line(), "{text:?} {start}..{end} {context}");
                        assert_eq!(w.line_count(), p.line_count(), "{text:?} {start}..{end}");
                        let column = if context == 0 {
                            seen[..start]
                                .rsplit('\n')
                                .next()
                                .map_or(0, |l| l.chars().count())
                        } else {
                            w.column()
                        };
                        assert_eq!(column, p.column(), "{text:?} {start}..{end} {context}");
                    }
                }
            }
        }
    }
}
