//! The framing of the language server protocol: each message a `Content-Length` header, a blank
//! line and its JSON body. Shared by tests/lsp.rs and examples/lsp_latency.rs (which includes
//! it with `#[path]`: an example cannot import a test's module).

use std::io::{BufRead, Write};

use serde_json::Value;

/// The next message, `None` at the end of the stream or on a malformed one.
pub fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0u8; length?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// Writes one message and flushes.
pub fn write_message(w: &mut impl Write, v: &Value) -> std::io::Result<()> {
    let body = v.to_string();
    write!(w, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    w.flush()
}
