//! Renderers: one per output format. They return text; the binary decides where it goes.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod parseable;
pub mod sarif;
pub mod summary;

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io;

use serde_json::ser::{Formatter, PrettyFormatter};

use crate::FileReport;
use crate::rules::{Finding, Severity};
use crate::template::LineCol;

/// A character a terminal acts on instead of showing (issue 12): C0 controls but the tab,
/// DEL, C1 controls (`U+009B` is a CSI for some terminals), and the bidirectional embeddings,
/// overrides and isolates that reorder the text shown ("Trojan Source", CVE-2021-42574).
pub fn is_hidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{a}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// How a hidden character is written visibly: `\n`, `\r`, `\x1b`, `\u{9b}`, `\u{202e}`.
pub fn write_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// `s` with every [hidden](is_hidden) character written as its escape (`\x1b`, `\n`, …), for
/// text that reaches a terminal or a line-based format: message texts, help, labels and file
/// names in the human, parseable and config-error output. Other text is borrowed as it is.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hidden(c) {
            write_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Pretty JSON (two-space indent, as `serde_json::to_string_pretty`) in which the
/// [hidden](is_hidden) characters JSON lets through raw — DEL, C1 controls, bidirectional
/// controls — are written as `\u` escapes too: the same data, but nothing a terminal acts on
/// when the report is printed (issue 12). `serde_json` already escapes C0 controls.
pub fn to_json_pretty<T: serde::Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(4096);
    write_json_pretty(value, &mut out).map_err(serde_json::Error::io)?;
    // The serializer writes UTF-8 (escapes are ASCII); lossy never replaces anything here.
    Ok(String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// [`to_json_pretty`] written to `w` as it is serialized.
pub fn write_json_pretty<T: serde::Serialize, W: io::Write>(value: &T, w: W) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, Escaping(PrettyFormatter::new()));
    value.serialize(&mut ser).map_err(io::Error::other)
}

/// [`PrettyFormatter`] with [hidden](is_hidden) characters of strings written as `\u` escapes.
struct Escaping(PrettyFormatter<'static>);

impl Formatter for Escaping {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // Most strings are printable ASCII, where nothing is hidden: a byte test instead of
        // decoding every character (the JSON report is written on one thread).
        if fragment
            .bytes()
            .all(|b| (b >= 0x20 || b == b'\t') && b < 0x7f)
        {
            return w.write_all(fragment.as_bytes());
        }
        let mut rest = fragment;
        while let Some((at, c)) = rest.char_indices().find(|&(_, c)| is_hidden(c)) {
            w.write_all(&rest.as_bytes()[..at])?;
            write!(w, "\\u{:04x}", c as u32)?;
            rest = &rest[at + c.len_utf8()..];
        }
        w.write_all(rest.as_bytes())
    }
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

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

/// `n` and `word`, with an `s` unless `n` is 1: `1 error`, `2 warnings`.
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
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
        format!(
            "{}, {}, {} in {}",
            plural(self.error, "error"),
            plural(self.warning, "warning"),
            plural(self.info, "info"),
            plural(self.files, "file")
        )
    }
}

/// 64-bit FNV-1a: a fixed, documented hash (std's hasher is seeded per process), so a SARIF
/// fingerprint or a baseline entry is the same on every run and machine.
pub(crate) struct Fnv(pub(crate) u64);

impl Fnv {
    pub(crate) fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub(crate) fn bytes(&mut self, data: &[u8]) {
        for &b in data {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    /// A field, closed by a byte UTF-8 never uses, so fields cannot run into each other.
    pub(crate) fn field(&mut self, data: &str) {
        self.bytes(data.as_bytes());
        self.bytes(&[0xFF]);
    }
}
