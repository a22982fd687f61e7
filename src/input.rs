//! Reading input: a file opened once, its kind and size taken from the open handle, at most
//! max-file-size + 1 bytes read; FIFOs and devices never read; UTF-16 and UTF-32 with a byte
//! order mark decoded.

use std::path::Path;

/// The bytes of the head of a file larger than max-file-size that are read, to tell a huge
/// template from a huge data file.
pub(crate) const HEAD_BYTES: u64 = 64 * 1024;

/// What reading a file gave.
pub(crate) enum FileBytes {
    /// The whole file, at most max-file-size bytes.
    Bytes(Vec<u8>),
    /// More than max-file-size: its first bytes, and its size when the file system gave it (a
    /// file that grew while it was read, and standard input, are only known to be larger).
    TooLarge { head: Vec<u8>, size: Option<u64> },
    /// Not a regular file (a FIFO, a device, a socket): never read. What it is.
    NotRegular(&'static str),
}

/// Opens a file for reading. On Unix without blocking: opening a FIFO for reading waits for
/// a writer, and opening a terminal would make it the controlling one; a regular file reads
/// the same either way.
pub(crate) fn open_for_reading(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    o.open(path)
}

/// What a file that is not a regular file is, for messages.
pub(crate) fn kind_of(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a folder"
    } else if t.is_symlink() {
        "a symbolic link"
    } else if t.is_file() {
        "a regular file"
    } else {
        "not a file"
    }
}

/// Reads a file: opened once, its kind and size taken from the open handle; read up to that
/// size (what a file gains while it is read is not; one that ends sooner ends sooner), or, when
/// it reports none, to its end, at most `max + 1` bytes.
/// A folder is an error; a FIFO or a device is not read.
pub(crate) fn read_limited(path: &Path, max: u64) -> std::io::Result<FileBytes> {
    use std::io::Read;
    let file = open_for_reading(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "is a folder, not a file",
        ));
    }
    if !meta.is_file() {
        return Ok(FileBytes::NotRegular(kind_of(&meta.file_type())));
    }
    if meta.len() > max {
        let mut head = Vec::new();
        file.take(HEAD_BYTES).read_to_end(&mut head)?;
        return Ok(FileBytes::TooLarge {
            head,
            size: Some(meta.len()),
        });
    }
    let size = meta.len();
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    // Read up to the size the file reports (one read, usually): the read that would only
    // confirm the end is not made (a run reads thousands of files). One that reports no size
    // (such as /proc's) is read to its end, at most `max + 1` bytes.
    if size == 0 {
        (&file)
            .take(max.saturating_add(1))
            .read_to_end(&mut bytes)?;
    } else {
        (&file).take(size).read_to_end(&mut bytes)?;
    }
    if bytes.len() as u64 > max {
        bytes.truncate(HEAD_BYTES as usize);
        bytes.shrink_to_fit();
        return Ok(FileBytes::TooLarge {
            head: bytes,
            size: None,
        });
    }
    Ok(FileBytes::Bytes(bytes))
}

/// The message of a file larger than max-file-size.
pub(crate) fn too_large_message(what: &str, size: Option<u64>, max: u64) -> String {
    match size {
        Some(n) => format!(
            "{what} is {n} bytes, more than max-file-size ({max} bytes): it is not analysed"
        ),
        None => format!("{what} is more than max-file-size ({max} bytes): it is not analysed"),
    }
}

/// An I/O error as a message: the error itself, without the `(os error N)` suffix.
pub(crate) fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// A file's text, decoded.
pub(crate) enum Decoded {
    Text(String),
    Invalid(Invalid),
}

/// A text not valid in its encoding.
pub(crate) struct Invalid {
    /// The text decoded with U+FFFD for what is invalid.
    pub text: String,
    /// Offset and length of the first U+FFFD put in (length 0 at a cut-off end).
    pub at: usize,
    pub len: usize,
    pub encoding: &'static str,
    /// What is wrong: `invalid UTF-16 at byte 12 (an unpaired surrogate 0xD800)`.
    pub problem: String,
}

impl Decoded {
    /// The text, U+FFFD where it is invalid.
    pub fn lossy(self) -> String {
        match self {
            Decoded::Text(t) => t,
            Decoded::Invalid(i) => i.text,
        }
    }
}

/// A file's text for the stack loaders (a manifest, a parameter file, a parent template):
/// read through [`read_limited`] (no FIFO, at most `max` bytes) and [`decode`]d; `None` when it
/// cannot be read, is too large or is not valid text.
pub(crate) fn read_text(path: &Path, max: u64) -> Option<String> {
    match read_limited(path, max).ok()? {
        FileBytes::Bytes(b) => match decode(b) {
            Decoded::Text(t) => Some(t),
            Decoded::Invalid(_) => None,
        },
        _ => None,
    }
}

/// Decodes a file: UTF-32 or UTF-16 when it starts with their byte order mark (kept as U+FEFF,
/// which the parser and the line index skip, as for UTF-8), UTF-8 otherwise. Positions are
/// then offsets in the decoded text; lines and columns (code points) are the file's.
pub(crate) fn decode(bytes: Vec<u8>) -> Decoded {
    // (UTF-32 first: its little-endian mark starts with UTF-16's.)
    if bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return decode_wide(&bytes, 4, |c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]));
    }
    if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) {
        return decode_wide(&bytes, 4, |c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]));
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return decode_wide(&bytes, 2, |c| u32::from(u16::from_be_bytes([c[0], c[1]])));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return decode_wide(&bytes, 2, |c| u32::from(u16::from_le_bytes([c[0], c[1]])));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Decoded::Text(text),
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            Decoded::Invalid(Invalid {
                text: String::from_utf8_lossy(err.as_bytes()).into_owned(),
                at,
                len: '\u{fffd}'.len_utf8(),
                encoding: "UTF-8",
                problem: format!("invalid UTF-8 at byte {at}"),
            })
        }
    }
}

/// Decodes UTF-16 (`width` 2) or UTF-32 (`width` 4) code units read by `unit`.
fn decode_wide(bytes: &[u8], width: usize, unit: impl Fn(&[u8]) -> u32) -> Decoded {
    let encoding = if width == 2 { "UTF-16" } else { "UTF-32" };
    let chunks = bytes.chunks_exact(width);
    let rest = chunks.remainder().len();
    let mut text = String::with_capacity(bytes.len() / width);
    // The first problem: offset in the text, byte in the file, what.
    let mut first: Option<(usize, usize, String)> = None;
    let mut bad = |text: &mut String, byte: usize, what: String| {
        if first.is_none() {
            first = Some((text.len(), byte, what));
        }
        text.push('\u{fffd}');
    };
    if width == 2 {
        // (Code units counted to give the byte of a bad one.)
        let mut i = 0;
        for c in char::decode_utf16(chunks.map(|c| unit(c) as u16)) {
            match c {
                Ok(c) => {
                    text.push(c);
                    i += c.len_utf16();
                }
                Err(e) => {
                    let what = format!("an unpaired surrogate 0x{:04X}", e.unpaired_surrogate());
                    bad(&mut text, i * 2, what);
                    i += 1;
                }
            }
        }
    } else {
        for (i, u) in chunks.map(unit).enumerate() {
            match char::from_u32(u) {
                Some(c) => text.push(c),
                None => bad(
                    &mut text,
                    i * 4,
                    format!("0x{u:08X} is not a Unicode character"),
                ),
            }
        }
    }
    if rest > 0 {
        let byte = bytes.len() - rest;
        let what = format!("the file ends within a character: {rest} bytes left over");
        if first.is_none() {
            first = Some((text.len(), byte, what));
        }
    }
    match first {
        None => Decoded::Text(text),
        Some((at, byte, what)) => Decoded::Invalid(Invalid {
            len: if at < text.len() {
                '\u{fffd}'.len_utf8()
            } else {
                0
            },
            text,
            at,
            encoding,
            problem: format!("invalid {encoding} at byte {byte} ({what})"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_of(r: std::io::Result<FileBytes>) -> Option<Vec<u8>> {
        match r {
            Ok(FileBytes::Bytes(b)) => Some(b),
            _ => None,
        }
    }

    #[test]
    fn reads_whole_files_up_to_the_limit() -> std::io::Result<()> {
        let dir =
            std::env::temp_dir().join(format!("cfn-cognito-lint-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let p = dir.join("t.yaml");
        // Empty, one byte, a text larger than any single read buffer; each also exactly at
        // the limit.
        for len in [0usize, 1, 200_000] {
            let text: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            std::fs::write(&p, &text)?;
            assert_eq!(
                bytes_of(read_limited(&p, 1 << 20)),
                Some(text.clone()),
                "{len} bytes"
            );
            assert_eq!(
                bytes_of(read_limited(&p, len as u64)),
                Some(text),
                "{len} bytes at max"
            );
        }
        std::fs::write(&p, b"0123456789")?;
        assert!(matches!(
            read_limited(&p, 9),
            Ok(FileBytes::TooLarge { head, size: Some(10) }) if head == b"0123456789"
        ));
        std::fs::remove_dir_all(&dir)
    }
}
