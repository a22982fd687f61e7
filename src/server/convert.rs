//! Positions between the linter (byte offsets in UTF-8 text) and the Language Server Protocol
//! (a 0-based line and a character offset counted in the encoding the client negotiated).
//!
//! Lines break where the protocol breaks them, at LF, CRLF and a lone CR, which is also where
//! [`LineIndex`] breaks them. A character offset past the end of its line means the end of the
//! line (the protocol says so); a line past the end of the text means the end of the text.

use lsp_types::{Position, PositionEncodingKind, Range};

use crate::template::{LineIndex, Span};

/// How the client counts characters in a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    /// The encoding to use: the first of the client's `general.positionEncodings` this server
    /// knows (the client lists them in its order of preference); UTF-16 when it offers none.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        offered
            .unwrap_or_default()
            .iter()
            .find_map(|k| Encoding::of(k.as_str()))
            .unwrap_or(Encoding::Utf16)
    }

    fn of(name: &str) -> Option<Encoding> {
        match name {
            "utf-8" => Some(Encoding::Utf8),
            "utf-16" => Some(Encoding::Utf16),
            "utf-32" => Some(Encoding::Utf32),
            _ => None,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    /// Units of one character.
    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf32 => 1,
        }
    }

    /// Units in a run of whole characters.
    fn units(self, s: &str) -> usize {
        match self {
            Encoding::Utf8 => s.len(),
            Encoding::Utf16 => s.chars().map(char::len_utf16).sum(),
            Encoding::Utf32 => s.chars().count(),
        }
    }
}

fn to_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// A text with its line index, to convert positions both ways.
pub struct Text<'a> {
    text: &'a str,
    index: std::borrow::Cow<'a, LineIndex>,
}

impl<'a> Text<'a> {
    pub fn new(text: &'a str) -> Text<'a> {
        Text {
            text,
            index: std::borrow::Cow::Owned(LineIndex::new(text)),
        }
    }

    /// A text whose index is already built (a report's).
    pub fn with_index(text: &'a str, index: &'a LineIndex) -> Text<'a> {
        Text {
            text,
            index: std::borrow::Cow::Borrowed(index),
        }
    }

    /// The protocol position of a byte offset; an offset inside a character counts as that
    /// character's start.
    pub fn position(&self, offset: u32, enc: Encoding) -> Position {
        let mut off = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(off) {
            off -= 1;
        }
        let line = self.index.line_of(off);
        let start = self
            .index
            .line_range(self.text, line)
            .map_or(0, |r| r.start)
            .min(off);
        Position {
            line: to_u32(line - 1),
            character: to_u32(enc.units(&self.text[start..off])),
        }
    }

    pub fn range(&self, span: Span, enc: Encoding) -> Range {
        Range {
            start: self.position(span.start, enc),
            end: self.position(span.end.max(span.start), enc),
        }
    }

    /// The byte offset of a protocol position: past the end of its line is the line's end
    /// (before its break); a line past the last is the end of the text; a position inside a
    /// character (half of a UTF-16 surrogate pair) is that character's start.
    pub fn offset(&self, pos: Position, enc: Encoding) -> usize {
        let Some(range) = self.index.line_range(self.text, pos.line as usize + 1) else {
            return self.text.len();
        };
        let line = &self.text[range.clone()];
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            let w = enc.width(c);
            if units + w > pos.character as usize {
                return range.start + i;
            }
            units += w;
        }
        range.end
    }
}

/// Applies one change of `textDocument/didChange` to `text`: a replacement of `range`, or the
/// whole text when there is no range.
pub fn apply_change(text: &mut String, range: Option<Range>, new: &str, enc: Encoding) {
    let Some(range) = range else {
        *text = new.to_string();
        return;
    };
    let t = Text::new(text);
    let start = t.offset(range.start, enc);
    let end = t.offset(range.end, enc).max(start);
    text.replace_range(start..end, new);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn columns_count_in_the_negotiated_encoding() {
        // `한` is 3 bytes, 1 UTF-16 unit; `🦀` is 4 bytes, 2 UTF-16 units, 1 code point.
        let text = "a: 1\r\nk: 한🦀x\ry";
        let t = Text::new(text);
        let x = text.find('x').unwrap_or_default() as u32;
        assert_eq!(t.position(x, Encoding::Utf8), pos(1, 10));
        assert_eq!(t.position(x, Encoding::Utf16), pos(1, 6));
        assert_eq!(t.position(x, Encoding::Utf32), pos(1, 5));
        let y = text.find('y').unwrap_or_default() as u32;
        assert_eq!(t.position(y, Encoding::Utf16), pos(2, 0));
        // Inside the crab: its start.
        assert_eq!(t.position(x - 2, Encoding::Utf16), pos(1, 4));
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            // (Every character start but the LF of a CRLF, which is no position of its own.)
            for (i, _) in text.char_indices().filter(|&(i, _)| i != 5) {
                let p = t.position(i as u32, enc);
                assert_eq!(t.offset(p, enc), i, "{enc:?} at {i}");
            }
        }
        // Past the end of a line: its end, before the CRLF; past the last line: the end.
        assert_eq!(t.offset(pos(0, 99), Encoding::Utf16), 4);
        assert_eq!(t.offset(pos(9, 0), Encoding::Utf16), text.len());
        // Half of a surrogate pair: the character's start.
        assert_eq!(t.offset(pos(1, 5), Encoding::Utf16), x as usize - 4);
    }

    #[test]
    fn negotiation_takes_the_first_known_offer() {
        let offer = |v: &[&'static str]| {
            let kinds: Vec<PositionEncodingKind> =
                v.iter().map(|s| PositionEncodingKind::new(s)).collect();
            Encoding::negotiate(Some(&kinds))
        };
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        assert_eq!(offer(&[]), Encoding::Utf16);
        assert_eq!(offer(&["utf-8", "utf-16"]), Encoding::Utf8);
        assert_eq!(offer(&["latin-1", "utf-32"]), Encoding::Utf32);
    }

    #[test]
    fn changes_apply_in_the_negotiated_encoding() {
        let mut text = String::from("k: 한🦀x\n");
        apply_change(
            &mut text,
            Some(Range {
                start: pos(0, 4),
                end: pos(0, 6),
            }),
            "!",
            Encoding::Utf16,
        );
        assert_eq!(text, "k: 한!x\n");
        apply_change(&mut text, None, "new", Encoding::Utf16);
        assert_eq!(text, "new");
    }
}
