//! Byte offsets to 1-based line and column (columns in Unicode code points).

use super::tree::Span;

#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    bom: bool,
}

/// A 1-based line and column; the column counts Unicode code points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0u32];
        line_starts.extend(
            memchr::memchr_iter(b'\n', text.as_bytes())
                .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        LineIndex {
            line_starts,
            bom: text.starts_with('\u{feff}'),
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Line and column of a byte offset; offsets inside a character count as that character.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = (offset as usize).min(text.len());
        let line = self
            .line_starts
            .partition_point(|&s| s as usize <= offset)
            .max(1);
        let mut start = self.line_starts[line - 1] as usize;
        if line == 1 && self.bom {
            start = start.max(3).min(offset);
        }
        let mut off = offset;
        while off > start && !text.is_char_boundary(off) {
            off -= 1;
        }
        let column = text.get(start..off).map_or(0, |s| s.chars().count()) + 1;
        LineCol { line, column }
    }

    pub fn span(&self, text: &str, span: Span) -> (LineCol, LineCol) {
        (
            self.line_col(text, span.start),
            self.line_col(text, span.end),
        )
    }
}
