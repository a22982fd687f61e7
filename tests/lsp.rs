//! `cfn-cognito-lint server` driven as an editor drives it: the binary spawned, messages framed
//! with `Content-Length` on its standard input and output.

mod common;
#[path = "common/lsp_frame.rs"]
mod lsp_frame;

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use lsp_frame::{read_message, write_message};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(20);

/// An editor: the server's process, its input, and the messages it sent, read on a thread.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    inbox: mpsc::Receiver<Value>,
    /// Messages read while waiting for another.
    seen: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn spawn(dir: &Path) -> Client {
        Client::spawn_with(dir, &[])
    }

    fn spawn_with(dir: &Path, args: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cfn-cognito-lint"))
            .arg("server")
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run the server: {e}"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let (tx, inbox) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(v) = read_message(&mut r) {
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        Client {
            stdin: child.stdin.take(),
            child,
            inbox,
            seen: Vec::new(),
            next_id: 0,
        }
    }

    fn write(&mut self, v: &Value) {
        let stdin = self
            .stdin
            .as_mut()
            .unwrap_or_else(|| panic!("stdin closed"));
        write_message(stdin, v).unwrap_or_else(|e| panic!("cannot write to the server: {e}"));
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.write(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next message `pick` accepts (earlier ones it skipped stay for later waits).
    fn wait_for(&mut self, what: &str, pick: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.seen.iter().position(&pick) {
            return self.seen.remove(i);
        }
        let end = Instant::now() + WAIT;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.inbox.recv_timeout(left) {
                Ok(v) if pick(&v) => return v,
                Ok(v) => self.seen.push(v),
                Err(_) => panic!("no {what} within {WAIT:?}; seen: {:#?}", self.seen),
            }
        }
    }

    /// Sends a request and returns its response.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.write(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait_for(&format!("response to {method}"), |v| {
            v.get("id") == Some(&json!(id)) && v.get("method").is_none()
        })
    }

    fn initialize(&mut self, dir: &Path, capabilities: Value, options: Value) -> Value {
        let r = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(dir),
                "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        self.notify("initialized", json!({}));
        r
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Value {
        let m = self.wait_for(&format!("diagnostics for {uri}"), |v| {
            v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == uri
        });
        m["params"].clone()
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
    }

    /// `shutdown`, then `exit`: the process ends with 0.
    fn shut_down(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null, "{r}");
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        let status = self.wait_exit();
        assert_eq!(status, Some(0));
    }

    fn wait_exit(&mut self) -> Option<i32> {
        let end = Instant::now() + WAIT;
        loop {
            match self.child.try_wait() {
                Ok(Some(s)) => return s.code(),
                Ok(None) if Instant::now() < end => std::thread::sleep(Duration::from_millis(10)),
                _ => {
                    let _ = self.child.kill();
                    panic!("the server did not exit");
                }
            }
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A failed test must not leave the server running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = common::fresh_temp_dir(&format!("lsp-{name}"));
    // Its own repository root: stacks are not looked for above it.
    std::fs::create_dir_all(dir.join(".git")).unwrap_or_else(|e| panic!("{e}"));
    dir
}

/// A role whose trust statement (one line, after Korean text and a crab) pins no identity pool.
const BAD: &str = r#"AWSTemplateFormatVersion: '2010-09-09'
Description: 신원 풀 🦀
Resources:
  IdentityPool:
    Type: AWS::Cognito::IdentityPool
    Properties:
      AllowUnauthenticatedIdentities: false
  AuthenticatedRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - {Sid: "로그인🦀", Effect: Allow, Principal: {Federated: cognito-identity.amazonaws.com}, Action: sts:AssumeRoleWithWebIdentity, Condition: {ForAnyValue:StringLike: {cognito-identity.amazonaws.com:amr: authenticated}}}
  IdentityPoolRoles:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref IdentityPool
      Roles:
        authenticated: !GetAtt AuthenticatedRole.Arn
"#;

/// Line 13 (0-based): where `Condition` starts and ends, in UTF-16 units and in UTF-8 bytes.
/// (`로그인` is 3 UTF-16 units and 9 bytes; `🦀` 2 units and 4 bytes; both count 1 in the
/// code-point column the command line prints: 137.)
const UTF16: (u32, u32) = (137, 146);
const UTF8: (u32, u32) = (145, 154);

fn range(line: u32, (start, end): (u32, u32)) -> Value {
    json!({"start": {"line": line, "character": start}, "end": {"line": line, "character": end}})
}

#[test]
fn editor_session_with_utf16_positions() {
    let dir = temp_dir("session");
    let path = dir.join("auth.yaml");
    std::fs::write(&path, BAD).unwrap_or_else(|e| panic!("{e}"));
    let doc = uri(&path);
    let mut c = Client::spawn(&dir);
    let init = c.initialize(&dir, json!({}), json!({"debounceMs": 20}));
    assert_eq!(
        init["result"]["capabilities"]["positionEncoding"], "utf-16",
        "{init}"
    );
    assert_eq!(init["result"]["serverInfo"]["name"], "cfn-cognito-lint");

    c.open(&doc, BAD);
    let d = c.diagnostics(&doc);
    assert_eq!(d["version"], 1);
    let diags = d["diagnostics"].as_array().cloned().unwrap_or_default();
    assert_eq!(diags.len(), 1, "{d:#}");
    let tr001 = &diags[0];
    assert_eq!(tr001["range"], range(13, UTF16));
    assert_eq!(tr001["code"], "TR001");
    assert_eq!(tr001["severity"], 1);
    assert_eq!(tr001["source"], "cfn-cognito-lint");
    assert!(
        tr001["message"].as_str().is_some_and(|m| m.starts_with(
            "Cognito trust statement without a `cognito-identity.amazonaws.com:aud` condition"
        )),
        "{tr001}"
    );
    assert!(
        tr001.get("codeDescription").is_none(),
        "no docs-url configured"
    );
    assert_eq!(tr001["data"]["rule"], "TR001");

    // Hover inside the finding: the rule, the message, the help and the rule's doc.
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": {"line": 13, "character": 140}}),
    );
    let text = h["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(h["result"]["contents"]["kind"], "markdown");
    assert!(
        text.starts_with("**TR001** `trust-without-aud` (error)"),
        "{text}"
    );
    assert!(text.contains("*help:* add `StringEquals"), "{text}");
    assert!(
        text.contains("# TR001 trust-without-aud\n\n## What it does"),
        "{text}"
    );
    assert_eq!(h["result"]["range"], range(13, UTF16));
    // Before the finding (on the crab): nothing.
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": {"line": 13, "character": 20}}),
    );
    assert_eq!(h["result"], Value::Null, "{h}");

    // Typing the fix (an incremental change, in UTF-16 units, right after `Condition: {`).
    let at = UTF16.1 + 3;
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": doc, "version": 2},
            "contentChanges": [{
                "range": range(13, (at, at)),
                "text": "StringEquals: {cognito-identity.amazonaws.com:aud: !Ref IdentityPool}, ",
            }],
        }),
    );
    let d = c.diagnostics(&doc);
    assert_eq!(d["version"], 2);
    assert_eq!(d["diagnostics"], json!([]), "{d:#}");
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": {"line": 13, "character": 140}}),
    );
    assert_eq!(h["result"], Value::Null, "{h}");

    // An unknown request is an error, and the server goes on.
    let r = c.request("textDocument/definition", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");

    c.shut_down();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    let dir = temp_dir("utf8");
    let path = dir.join("auth.yaml");
    // Never saved: the buffer alone is linted.
    let doc = uri(&path);
    let mut c = Client::spawn(&dir);
    let init = c.initialize(
        &dir,
        json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
        Value::Null,
    );
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-8");
    c.open(&doc, BAD);
    let d = c.diagnostics(&doc);
    assert_eq!(d["diagnostics"][0]["range"], range(13, UTF8), "{d:#}");
    // A change counted in bytes: `Condition` written again over itself (a wrong byte range
    // would break the key, and TR001 would move or go).
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": doc, "version": 2},
            "contentChanges": [{"range": range(13, (UTF8.0, UTF8.1)), "text": "Condition"}],
        }),
    );
    let d = c.diagnostics(&doc);
    assert_eq!(d["version"], 2);
    assert_eq!(d["diagnostics"][0]["range"], range(13, UTF8), "{d:#}");
    // Closed: its diagnostics are cleared.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": doc}}),
    );
    let d = c.diagnostics(&doc);
    assert_eq!(d["diagnostics"], json!([]), "{d:#}");
    assert_eq!(d.get("version"), None, "{d:#}");
    c.shut_down();
    let _ = std::fs::remove_dir_all(dir);
}

/// A Serverless service whose include holds the Cognito resources: opening the include shows
/// the stack's findings for it; editing the (unsaved) service buffer updates them.
#[test]
fn serverless_include_follows_the_service_buffer() {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/lsp/sls");
    let dir = temp_dir("sls");
    for f in ["serverless.yml", "cognito.yml"] {
        std::fs::copy(fixture.join(f), dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    }
    let include = uri(&dir.join("cognito.yml"));
    let service = uri(&dir.join("serverless.yml"));
    let mut c = Client::spawn(&dir);
    c.initialize(&dir, json!({}), json!({"debounceMs": 10}));
    let include_text = std::fs::read_to_string(dir.join("cognito.yml")).unwrap_or_default();
    c.open(&include, &include_text);
    // `guests: false` in the service: the guest role is never handed out (IP005), at the
    // attachment's `unauthenticated` key in the include. Alone, the include would not know.
    let d = c.diagnostics(&include);
    let diags = d["diagnostics"].as_array().cloned().unwrap_or_default();
    assert_eq!(diags.len(), 1, "{d:#}");
    assert_eq!(diags[0]["code"], "IP005");
    assert_eq!(diags[0]["range"], range(26, (8, 23)));
    // The related label is in the service file, where `false` is written.
    let related = &diags[0]["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], service.as_str());
    assert_eq!(related["location"]["range"], range(8, (10, 15)));
    assert_eq!(related["message"], "guests are off here");

    let service_text = std::fs::read_to_string(dir.join("serverless.yml")).unwrap_or_default();
    c.open(&service, &service_text);
    let d = c.diagnostics(&service);
    assert_eq!(d["diagnostics"], json!([]), "{d:#}");
    // The buffer says guests come in (not saved): the include's IP005 goes, and the service
    // file gets IP001 where `true` is written.
    let line = service_text
        .lines()
        .position(|l| l.contains("guests: false"))
        .unwrap_or_default() as u32;
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": service, "version": 2},
            "contentChanges": [{"range": range(line, (10, 15)), "text": "true"}],
        }),
    );
    let d = c.diagnostics(&service);
    assert_eq!(d["version"], 2);
    let diags = d["diagnostics"].as_array().cloned().unwrap_or_default();
    assert_eq!(diags.len(), 1, "{d:#}");
    assert_eq!(diags[0]["code"], "IP001");
    assert_eq!(diags[0]["severity"], 3);
    assert_eq!(diags[0]["range"], range(line, (10, 14)));
    let d = c.diagnostics(&include);
    assert_eq!(d["diagnostics"], json!([]), "{d:#}");
    c.shut_down();
    let _ = std::fs::remove_dir_all(dir);
}

/// A config that cannot be read is a diagnostic on the document (the server goes on); fixed on
/// disk, it is read again when the client says it changed.
#[test]
fn config_errors_are_shown_and_the_config_is_reloaded() {
    let dir = temp_dir("config");
    let path = dir.join("auth.yaml");
    std::fs::write(&path, BAD).unwrap_or_else(|e| panic!("{e}"));
    let config = dir.join(".cfn-cognito-lint.yaml");
    std::fs::write(&config, "ignroe: [TR001]\n").unwrap_or_else(|e| panic!("{e}"));
    let doc = uri(&path);
    let mut c = Client::spawn(&dir);
    c.initialize(
        &dir,
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
        json!({"debounceMs": 10}),
    );
    // The server asks to watch config files and templates.
    let reg = c.wait_for("client/registerCapability", |v| {
        v["method"] == "client/registerCapability"
    });
    let watchers = &reg["params"]["registrations"][0]["registerOptions"]["watchers"];
    assert_eq!(
        watchers[0]["globPattern"], "**/.cfn-cognito-lint.yaml",
        "{reg}"
    );
    c.write(&json!({"jsonrpc": "2.0", "id": reg["id"], "result": null}));

    c.open(&doc, BAD);
    let d = c.diagnostics(&doc);
    let diags = d["diagnostics"].as_array().cloned().unwrap_or_default();
    assert_eq!(diags.len(), 1, "{d:#}");
    assert_eq!(diags[0]["range"], range(0, (0, 0)));
    let message = diags[0]["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("config: "), "{message}");
    assert!(message.contains("ignroe"), "{message}");
    let log = c.wait_for("a log message", |v| v["method"] == "window/logMessage");
    assert!(
        log["params"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("ignroe")),
        "{log}"
    );

    // Fixed on disk: TR001 is off.
    std::fs::write(&config, "ignore: [TR001]\n").unwrap_or_else(|e| panic!("{e}"));
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    let d = c.diagnostics(&doc);
    assert_eq!(d["diagnostics"], json!([]), "{d:#}");
    // Turned on again, and the saved config names it: read again on save too.
    std::fs::write(&config, "ignore: [UP003]\n").unwrap_or_else(|e| panic!("{e}"));
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&config)}}),
    );
    let d = c.diagnostics(&doc);
    assert_eq!(d["diagnostics"][0]["code"], "TR001", "{d:#}");
    c.shut_down();
    let _ = std::fs::remove_dir_all(dir);
}

/// `exit` without `shutdown` ends the process with 1, as the protocol says; requests after
/// `shutdown` are refused.
#[test]
fn exit_codes_follow_the_protocol() {
    let dir = temp_dir("exit");
    let mut c = Client::spawn(&dir);
    c.initialize(&dir, json!({}), Value::Null);
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), Some(1));

    // `--stdio`, which some clients add, changes nothing.
    let mut c = Client::spawn_with(&dir, &["--stdio"]);
    c.initialize(&dir, json!({}), Value::Null);
    let r = c.request("shutdown", Value::Null);
    assert!(r.get("error").is_none(), "{r}");
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&dir.join("a.yaml"))}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(r["error"]["code"], -32600, "{r}");
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), Some(0));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn server_arguments() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cfn-cognito-lint"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run the binary: {e}"))
    };
    let help = run(&["server", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).starts_with("Usage: cfn-cognito-lint server\n"));
    let bad = run(&["server", "--port", "1"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("unexpected argument `--port`"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    // A path named `server` is written `./server`: linted, not a language server.
    let dir = temp_dir("path");
    std::fs::create_dir_all(dir.join("server")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("server/bad.yaml"), BAD).unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(env!("CARGO_BIN_EXE_cfn-cognito-lint"))
        .args(["--format", "parseable", "./server"])
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the binary: {e}"));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .and_then(|l| l.split(':').nth(1)),
        Some("14"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A user pool whose `MfaConfiguration: ON` (TM008, safe fix) follows Korean text and a crab on
/// its line, and a client with `EnableTokenRevocation: false` (UC004, unsafe fix).
const FIXABLE: &str = r#"AWSTemplateFormatVersion: '2010-09-09'
Description: 사용자 풀 🦀
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
    Properties: {UserPoolName: "사용자🦀", MfaConfiguration: ON, EnabledMfas: [SOFTWARE_TOKEN_MFA]}
  WebClient:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref UserPool
      GenerateSecret: false
      PreventUserExistenceErrors: ENABLED
      EnableTokenRevocation: false
"#;

/// The byte offset of a UTF-16 position (lines break at LF only in these texts).
fn utf16_offset(text: &str, pos: &Value) -> usize {
    let line = pos["line"].as_u64().unwrap_or(u64::MAX) as usize;
    let character = pos["character"].as_u64().unwrap_or(u64::MAX) as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character || c == '\n' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// Applies a workspace edit's text edits for `uri` (positions in the original text).
fn apply_edit(text: &str, edit: &Value, uri: &str) -> String {
    let edits = edit["changes"][uri]
        .as_array()
        .unwrap_or_else(|| panic!("no edits for {uri}: {edit}"));
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                utf16_offset(text, &e["range"]["start"]),
                utf16_offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, &new);
    }
    out
}

/// The rules of a file's diagnostics, sorted.
fn codes(d: &Value) -> Vec<String> {
    let mut out: Vec<String> = d["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x["code"].as_str().map(str::to_string))
        .collect();
    out.sort();
    out
}

fn find_diag<'v>(d: &'v Value, code: &str) -> &'v Value {
    d["diagnostics"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["code"] == code))
        .unwrap_or_else(|| panic!("no {code}: {d:#}"))
}

#[test]
fn code_actions_fix_the_buffer() {
    let dir = temp_dir("actions");
    let path = dir.join("pool.yaml");
    // On disk, two lines more at the top: fixes made from the disk's text would land two lines
    // off in the buffer.
    std::fs::write(&path, format!("# saved\n# earlier\n{FIXABLE}"))
        .unwrap_or_else(|e| panic!("{e}"));
    let doc = uri(&path);
    let mut c = Client::spawn(&dir);
    let init = c.initialize(&dir, json!({}), json!({"debounceMs": 150}));
    let provider = &init["result"]["capabilities"]["codeActionProvider"];
    assert_eq!(
        provider["codeActionKinds"],
        json!(["quickfix", "source.fixAll.cfn-cognito-lint"]),
        "{init}"
    );
    c.open(&doc, FIXABLE);
    let d = c.diagnostics(&doc);
    // (The user pool's UP findings have no fix.)
    assert_eq!(
        codes(&d),
        ["TM008", "UC004", "UP004", "UP006", "UP011"],
        "{d:#}"
    );
    // `ON` on line 5: after `    Properties: {UserPoolName: "사용자🦀", MfaConfiguration: `,
    // 58 UTF-16 units (the crab counts 2), 66 bytes.
    let tm008 = find_diag(&d, "TM008").clone();
    assert_eq!(tm008["range"], range(5, (58, 60)), "{tm008}");

    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": range(5, (59, 59)), "context": {"diagnostics": [tm008]}}),
    );
    let list = actions["result"].as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 1, "{actions:#}");
    let a = &list[0];
    assert_eq!(a["title"], "quote `ON` so that it stays the string `ON`");
    assert_eq!(a["kind"], "quickfix");
    assert_eq!(a["isPreferred"], true);
    assert_eq!(a["diagnostics"], json!([tm008]));
    assert_eq!(
        a["edit"]["changes"][&doc],
        json!([{"range": range(5, (58, 60)), "newText": "'ON'"}]),
        "{a:#}"
    );
    let fixed = apply_edit(FIXABLE, &a["edit"], &doc);
    assert!(
        fixed.contains(r#"{UserPoolName: "사용자🦀", MfaConfiguration: 'ON', EnabledMfas"#),
        "{fixed}"
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let d = c.diagnostics(&doc);
    assert_eq!(d["version"], 2);
    assert_eq!(codes(&d), ["UC004", "UP004", "UP006", "UP011"], "{d:#}");

    // Typed and asked at once (inside the debounce): the actions are for the text as typed,
    // a line added at the top.
    let typed = format!("# 신원\n{fixed}");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 3}, "contentChanges": [{"range": range(0, (0, 0)), "text": "# 신원\n"}]}),
    );
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": range(13, (0, 40)), "context": {"diagnostics": []}}),
    );
    let list = actions["result"].as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 1, "{actions:#}");
    let a = &list[0];
    let title = a["title"].as_str().unwrap_or_default();
    assert!(
        title.starts_with("remove `EnableTokenRevocation: false`")
            && title.ends_with(" (unsafe: changes the deployed stack)"),
        "{title}"
    );
    assert_eq!(a["isPreferred"], false);
    assert_eq!(a["diagnostics"][0]["code"], "UC004");
    let removed = apply_edit(&typed, &a["edit"], &doc);
    assert_eq!(
        removed,
        typed.replace("      EnableTokenRevocation: false\n", ""),
        "{a:#}"
    );
    // Away from any finding: nothing.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": range(1, (0, 3)), "context": {"diagnostics": []}}),
    );
    assert_eq!(actions["result"], json!([]), "{actions:#}");
    c.shut_down();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn fix_all_applies_only_the_safe_fixes() {
    let dir = temp_dir("fixall");
    let path = dir.join("pool.yaml");
    // Two TM008 (one in the tags), one UC004: the fixAll action holds the two quotes alone.
    let text = FIXABLE.replace(
        "EnabledMfas: [SOFTWARE_TOKEN_MFA]}",
        "EnabledMfas: [SOFTWARE_TOKEN_MFA], UserPoolTags: {Billing: yes}}",
    );
    let doc = uri(&path);
    let mut c = Client::spawn(&dir);
    c.initialize(
        &dir,
        json!({"general": {"positionEncodings": ["utf-16"]}}),
        json!({"debounceMs": 10}),
    );
    c.open(&doc, &text);
    let d = c.diagnostics(&doc);
    assert_eq!(
        codes(&d),
        ["TM008", "TM008", "UC004", "UP004", "UP006", "UP011"],
        "{d:#}"
    );
    let whole = json!({"start": {"line": 0, "character": 0}, "end": {"line": 99, "character": 0}});
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": whole, "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let list = actions["result"].as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 1, "{actions:#}");
    let a = &list[0];
    assert_eq!(a["kind"], "source.fixAll.cfn-cognito-lint");
    assert_eq!(
        a["title"],
        "fix 2 findings of cfn-cognito-lint (safe fixes)"
    );
    let codes_fixed: Vec<&Value> = a["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| &x["code"])
        .collect();
    assert_eq!(codes_fixed, [&json!("TM008"), &json!("TM008")], "{a:#}");
    let fixed = apply_edit(&text, &a["edit"], &doc);
    assert_eq!(
        fixed,
        text.replace("MfaConfiguration: ON", "MfaConfiguration: 'ON'")
            .replace("Billing: yes", "Billing: 'yes'")
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let d = c.diagnostics(&doc);
    assert_eq!(codes(&d), ["UC004", "UP004", "UP006", "UP011"], "{d:#}");
    // The quick fixes of the whole range: only UC004's (unsafe) is left; `only: quickfix`
    // leaves fixAll out, which has nothing left to do anyway.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": whole, "context": {"diagnostics": [], "only": ["quickfix"]}}),
    );
    let list = actions["result"].as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 1, "{actions:#}");
    assert_eq!(list[0]["kind"], "quickfix");
    assert_eq!(list[0]["isPreferred"], false);
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": whole, "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    assert_eq!(actions["result"], json!([]), "{actions:#}");
    c.shut_down();
    let _ = std::fs::remove_dir_all(dir);
}
