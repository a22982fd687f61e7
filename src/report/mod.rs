//! Renderers: one per output format. They return text; the binary decides where it goes.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod parseable;
pub mod sarif;

use crate::FileReport;
use crate::rules::Severity;

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
