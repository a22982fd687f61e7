//! Runs the binary on hostile input under a memory limit and a timeout (issue 12): a case
//! that hangs is killed and fails its test instead of hanging the suite, and one that needs
//! unbounded memory aborts under the limit instead of swapping the machine.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Address-space limit of every hostile run (KiB, for `ulimit -v`).
pub const MEMORY_LIMIT_KB: u64 = 2 * 1024 * 1024;
/// Wall-time limit of every hostile run.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// What a hostile run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    /// The exit code; `None` when killed by a signal (the timeout, or an abort).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

/// Runs `cfn-cognito-lint ARGS` in `dir` with `stdin` (if any) under [`MEMORY_LIMIT_KB`] and
/// [`TIMEOUT`]; panics (naming the case) when it times out.
pub fn run(case: &str, dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let bin = env!("CARGO_BIN_EXE_cfn-cognito-lint");
    // `ulimit -v` in a shell that then execs the binary: no unsafe `pre_exec` needed.
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("ulimit -v {MEMORY_LIMIT_KB} && exec \"$0\" \"$@\""))
        .arg(bin)
        .args(args)
        .current_dir(dir)
        // The exact human reports of these tests are drawn 100 columns wide, without colour,
        // whatever the caller's environment says.
        .env("COLUMNS", "100")
        .env_remove("FORCE_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{case}: cannot start the binary: {e}"));
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        let input = input.to_vec();
        // Written from a thread: a binary that stops reading must not block the test.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
    }
    // Drained from threads, so a chatty child never blocks on a full pipe.
    let out = child.stdout.take().map(drain);
    let err = child.stderr.take().map(drain);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{case}: no answer within {TIMEOUT:?} (a hang)");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("{case}: cannot wait for the binary: {e}"),
        }
    };
    let elapsed = start.elapsed();
    let collect = |h: Option<std::thread::JoinHandle<Vec<u8>>>| {
        h.and_then(|h| h.join().ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    Run {
        code: status.code(),
        stdout: collect(out),
        stderr: collect(err),
        elapsed,
    }
}

fn drain<R: std::io::Read + Send + 'static>(mut r: R) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        buf
    })
}

/// A fresh empty folder for one case, in the system's temporary folder: outside any git work
/// tree (the target folder sits in the repository, whose `.gitignore` would apply to it), one
/// per test process.
pub fn scratch(case: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("cfn-cognito-lint-hostile-{}", std::process::id()))
        .join(case);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{case}: {e}"));
    dir
}
