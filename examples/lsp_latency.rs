//! Latency of `cfn-cognito-lint server`: the time from sending `textDocument/didChange` to
//! receiving the `publishDiagnostics` of that version, for one template (bench/lsp-latency.sh
//! passes a 500-resource one from bench/gen-stress.py). Each edit changes a password policy's
//! `MinimumLength` between 12 and 6 (a finding comes and goes), as a typing user would, one
//! edit at a time.
//!
//! `cargo run --release --example lsp_latency -- BINARY TEMPLATE [EDITS] [DEBOUNCE_MS]`
//! Prints min, median, p90 and max in milliseconds.

#[path = "../tests/common/lsp_frame.rs"]
mod lsp_frame;

use std::io::BufReader;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use lsp_frame::{read_message, write_message};
use serde_json::{Value, json};

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(bin), Some(template)) = (args.first(), args.get(1)) else {
        return Err("usage: lsp_latency BINARY TEMPLATE [EDITS] [DEBOUNCE_MS]".into());
    };
    let edits: usize = args
        .get(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(40)
        .max(1);
    let debounce: u64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(100);
    let path = std::fs::canonicalize(template).map_err(|e| format!("{template}: {e}"))?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{template}: {e}"))?;
    let (line, col) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find("MinimumLength: 12").map(|c| (i, c + 15)))
        .ok_or("the template has no `MinimumLength: 12` to edit")?;
    let dir: PathBuf = path.parent().map(PathBuf::from).unwrap_or_default();
    let uri = format!("file://{}", path.display());

    let mut child = Command::new(bin)
        .arg("server")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{bin}: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = mpsc::channel::<(Instant, Value)>();
    std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        while let Some(v) = read_message(&mut r) {
            if tx.send((Instant::now(), v)).is_err() {
                break;
            }
        }
    });
    let mut send = |v: Value| -> Result<(), String> {
        write_message(&mut stdin, &v).map_err(|e| e.to_string())
    };
    let wait = |pick: &dyn Fn(&Value) -> bool| -> Result<Instant, String> {
        loop {
            match rx.recv_timeout(Duration::from_secs(30)) {
                Ok((t, v)) if pick(&v) => return Ok(t),
                Ok(_) => {}
                Err(e) => return Err(format!("no answer: {e}")),
            }
        }
    };
    send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": null, "rootUri": format!("file://{}", dir.display()), "capabilities": {},
            "initializationOptions": {"debounceMs": debounce},
        }}),
    )?;
    wait(&|v| v["id"] == 1)?;
    send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}))?;
    send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text},
        }}),
    )?;
    wait(&|v| v["method"] == "textDocument/publishDiagnostics" && v["params"]["version"] == 1)?;

    let mut times: Vec<f64> = Vec::with_capacity(edits);
    for k in 0..edits {
        let version = k as i64 + 2;
        // Odd edits weaken the policy (a finding appears), even ones restore it.
        let (old, new) = if k % 2 == 0 { ("12", "6") } else { ("6", "12") };
        let range = json!({"start": {"line": line, "character": col},
                           "end": {"line": line, "character": col + old.len()}});
        let sent = Instant::now();
        send(
            json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": range, "text": new}],
            }}),
        )?;
        let got = wait(&|v| {
            v["method"] == "textDocument/publishDiagnostics" && v["params"]["version"] == version
        })?;
        times.push(got.duration_since(sent).as_secs_f64() * 1000.0);
        std::thread::sleep(Duration::from_millis(20));
    }
    send(json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null}))?;
    wait(&|v| v["id"] == 2)?;
    send(json!({"jsonrpc": "2.0", "method": "exit", "params": null}))?;
    let _ = child.wait();

    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "edits={} debounce_ms={debounce} bytes={} didChange->publishDiagnostics ms: min {:.1} median {:.1} p90 {:.1} max {:.1} (median minus debounce {:.1})",
        times.len(),
        text.len(),
        at(0.0),
        at(0.5),
        at(0.9),
        at(1.0),
        at(0.5) - debounce as f64
    );
    Ok(())
}
