//! `human`: one miette diagnostic per finding (snippet, labels, help), then a summary line.

use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::Summary;
use crate::FileReport;
use crate::rules::{Finding, Severity};

/// The file's text, named, with columns counted in characters (miette counts bytes).
struct FileSource<'a> {
    path: &'a str,
    text: &'a str,
    index: &'a crate::template::LineIndex,
}

impl SourceCode for FileSource<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.text;
        let inner = text.read_span(span, before, after)?;
        let column = if before == 0 {
            let at = u32::try_from(span.offset()).unwrap_or(u32::MAX);
            self.index.line_col(text, at).column - 1
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.path.to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
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
        write!(f, "{}", self.message)
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
        write!(f, "{}", self.finding.message)
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
        Some(Box::new(&self.finding.help))
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
            LabeledSpan::new_with_span(Some(text.clone()), source_span(&r.source, *span))
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

/// One finding, as miette draws it.
pub fn render_finding(report: &FileReport, finding: &Finding, style: Style) -> String {
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
        .map(|r| RelatedDiag {
            message: &r.message,
            source: FileSource {
                path: &r.file.path,
                text: &r.file.text,
                index: &r.file.index,
            },
            span: source_span(&r.file.text, r.span),
        })
        .collect();
    let diag = Diag {
        finding,
        report,
        source: FileSource {
            path: &report.path,
            text: &report.source,
            index: &report.index,
        },
        snippet,
        related,
    };
    let mut out = String::new();
    if !snippet {
        let (s, _) = report.index.span(text, finding.span);
        out.push_str(&format!(
            "{}:{}:{} (line too long to show)\n",
            report.path, s.line, s.column
        ));
    }
    if handler(style).render_report(&mut out, &diag).is_err() {
        // Fall back to the parseable line if miette cannot draw the snippet.
        let (s, _) = report.index.span(&report.source, finding.span);
        out = format!(
            "{}:{}:{}: {} {}: {}\n",
            report.path,
            s.line,
            s.column,
            finding.rule.id,
            finding.severity.as_str(),
            finding.message
        );
    }
    out
}

/// Every finding of every file, then the summary line (unless `quiet`).
pub fn render(reports: &[FileReport], style: Style, quiet: bool) -> String {
    let mut out = String::new();
    for r in reports {
        for f in &r.findings {
            out.push_str(&render_finding(r, f, style));
            out.push('\n');
        }
    }
    if !quiet {
        out.push_str(&Summary::of(reports).line());
        out.push('\n');
    }
    out
}
