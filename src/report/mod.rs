//! Renderers: one per output format. They return text; the binary decides where it goes.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod parseable;
pub mod sarif;

use crate::FileReport;
use crate::rules::{Finding, Severity};
use crate::template::LineCol;

/// A secondary location of a finding, in its own file or another file of the stack.
pub struct Place<'a> {
    pub path: &'a str,
    pub start: LineCol,
    pub end: LineCol,
    pub message: &'a str,
}

/// Every secondary location of a finding: its labels (in the report's file), then the labels
/// in other files of its stack.
pub fn related<'a>(report: &'a FileReport, f: &'a Finding) -> Vec<Place<'a>> {
    let mut out: Vec<Place<'a>> = f
        .labels
        .iter()
        .map(|(span, text)| {
            let (start, end) = report.index.span(&report.source, *span);
            Place {
                path: &report.path,
                start,
                end,
                message: text,
            }
        })
        .collect();
    out.extend(f.related.iter().map(|r| {
        let (start, end) = r.file.index.span(&r.file.text, r.span);
        Place {
            path: &r.file.path,
            start,
            end,
            message: &r.message,
        }
    }));
    out
}

/// The stack a finding was judged in: its stack's name, or the file for a single template.
pub fn stack_of<'a>(report: &'a FileReport, f: &'a Finding) -> &'a str {
    f.stack.as_deref().unwrap_or(&report.path)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Summary {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    pub files: usize,
}

impl Summary {
    pub fn of(reports: &[FileReport]) -> Summary {
        let mut s = Summary {
            files: reports.iter().filter(|r| r.skipped.is_none()).count(),
            ..Summary::default()
        };
        for f in reports.iter().flat_map(|r| &r.findings) {
            match f.severity {
                Severity::Error => s.error += 1,
                Severity::Warning => s.warning += 1,
                Severity::Info => s.info += 1,
            }
        }
        s
    }

    pub fn line(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        format!(
            "{}, {}, {} in {}",
            plural(self.error, "error"),
            plural(self.warning, "warning"),
            plural(self.info, "info"),
            plural(self.files, "file")
        )
    }
}
