//! Byte offsets to 1-based line and column (columns in Unicode code points).
//!
//! Lines break where YAML breaks them: at LF, CRLF and a lone CR (a JSON file too: its line
//! breaks are whitespace, and one notion of line serves every output format and the human
//! renderer). A column costs at most the distance from a checkpoint, never the length of the
//! line: a minified JSON file of one 5 MB line answers every position in constant time.

use super::tree::Span;

/// Bytes between two code-point checkpoints of a non-ASCII text.
const CHECKPOINT: usize = 1024;

#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    bom: bool,
    /// For a text that is not all ASCII: `(offset, code points before it)` at the first
    /// character boundary at or after every multiple of [`CHECKPOINT`]. Empty for ASCII text,
    /// where a column is a byte distance.
    checkpoints: Vec<(u32, u32)>,
}

/// A 1-based line and column; the column counts Unicode code points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Code points in `bytes` (a run of whole UTF-8 characters): the bytes that do not continue a
/// character.
fn code_points(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

fn to_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0u32];
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            // CRLF is one break, counted at its LF.
            if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                continue;
            }
            line_starts.push(to_u32(i + 1));
        }
        let mut checkpoints = Vec::new();
        if !text.is_ascii() {
            let mut chars = 0usize;
            let mut at = 0usize;
            while at < bytes.len() {
                checkpoints.push((to_u32(at), to_u32(chars)));
                let mut next = (at + CHECKPOINT).min(bytes.len());
                while !text.is_char_boundary(next) {
                    next += 1;
                }
                chars += code_points(&bytes[at..next]);
                at = next;
            }
        }
        LineIndex {
            line_starts,
            bom: text.starts_with('\u{feff}'),
            checkpoints,
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The byte range of a 1-based line, its line break left out; `None` past the last line.
    pub fn line_range(&self, text: &str, line: usize) -> Option<std::ops::Range<usize>> {
        let start = *self.line_starts.get(line.checked_sub(1)?)? as usize;
        let next = self
            .line_starts
            .get(line)
            .map_or(text.len(), |&s| s as usize);
        let bytes = text.as_bytes();
        let mut end = next.min(text.len()).max(start);
        if end > start && bytes.get(end - 1) == Some(&b'\n') {
            end -= 1;
        }
        if end > start && bytes.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Some(start..end)
    }

    /// The 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s as usize <= offset)
            .max(1)
    }

    /// Code points before `offset` (a character boundary) in the whole text.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let k = self
            .checkpoints
            .partition_point(|&(at, _)| at as usize <= offset)
            .saturating_sub(1);
        let (at, chars) = self.checkpoints.get(k).copied().unwrap_or((0, 0));
        let at = (at as usize).min(offset);
        chars as usize + code_points(&text.as_bytes()[at..offset])
    }

    /// Line and column of a byte offset; offsets inside a character count as that character.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = (offset as usize).min(text.len());
        let line = self.line_of(offset);
        let mut start = self.line_starts[line - 1] as usize;
        if line == 1 && self.bom {
            start = start.max(3).min(offset);
        }
        let mut off = offset;
        while off > start && !text.is_char_boundary(off) {
            off -= 1;
        }
        let width = if self.checkpoints.is_empty() {
            off - start
        } else if off - start <= 2 * CHECKPOINT {
            code_points(&text.as_bytes()[start..off])
        } else {
            self.chars_before(text, off) - self.chars_before(text, start)
        };
        LineCol {
            line,
            column: width + 1,
        }
    }

    pub fn span(&self, text: &str, span: Span) -> (LineCol, LineCol) {
        (
            self.line_col(text, span.start),
            self.line_col(text, span.end),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line and column the slow way: every break (LF, CRLF, lone CR) from the start.
    fn naive(text: &str, offset: usize) -> LineCol {
        let mut off = offset.min(text.len());
        while !text.is_char_boundary(off) {
            off -= 1;
        }
        let before = &text[..off];
        let bytes = before.as_bytes();
        let mut line = 1;
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let brk = b == b'\n' || (b == b'\r' && text.as_bytes().get(i + 1) != Some(&b'\n'));
            if brk {
                line += 1;
                start = i + 1;
            }
        }
        if line == 1 && text.starts_with('\u{feff}') {
            start = start.max(3).min(off);
        }
        LineCol {
            line,
            column: text[start..off].chars().count() + 1,
        }
    }

    #[test]
    fn breaks_are_lf_crlf_and_lone_cr() {
        let text = "a\nb\r\nc\rd\r\r\ne";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 6);
        for (i, _) in text.char_indices() {
            assert_eq!(
                index.line_col(text, to_u32(i)),
                naive(text, i),
                "{text:?} at {i}"
            );
        }
        let at = |s: &str| to_u32(text.find(s).unwrap_or_default());
        assert_eq!(
            index.line_col(text, at("d")),
            LineCol { line: 4, column: 1 }
        );
        assert_eq!(
            index.line_col(text, at("e")),
            LineCol { line: 6, column: 1 }
        );
        assert_eq!(index.line_range(text, 2), Some(2..3));
        assert_eq!(index.line_range(text, 5), Some(9..9));
        assert_eq!(index.line_range(text, 7), None);
    }

    #[test]
    fn long_lines_count_code_points_from_checkpoints() {
        // One long line of mixed widths, a BOM in front, then short lines.
        let mut text = String::from("\u{feff}");
        for i in 0..5000 {
            text.push_str(["a", "é", "漢", "🦀"][i % 4]);
            if i % 7 == 0 {
                text.push(' ');
            }
        }
        text.push_str("\nxé\r\n🦀y");
        let index = LineIndex::new(&text);
        for i in (0..=text.len()).step_by(37).chain([0, 1, 3, text.len()]) {
            assert_eq!(index.line_col(&text, to_u32(i)), naive(&text, i), "at {i}");
        }
    }

    #[test]
    fn ascii_is_a_byte_distance() {
        let text = "x: 1\r\n  y: 2\r\n";
        let index = LineIndex::new(text);
        assert!(index.checkpoints.is_empty());
        for i in 0..=text.len() {
            assert_eq!(index.line_col(text, to_u32(i)), naive(text, i), "at {i}");
        }
    }
}
