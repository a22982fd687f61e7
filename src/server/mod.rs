//! `cfn-cognito-lint server`: the Language Server Protocol over standard input and output.
//!
//! Open documents are linted as they are typed: each change waits for a quiet spell (the
//! debounce), then the document is linted as part of its stack, assembled from disk with every
//! open buffer in place of its file (the mechanism `--stdin-filename` uses, [`lint_document`]).
//! Diagnostics go to every file of the stack that has findings, and are cleared from those
//! that no longer do. A failure while linting one document is reported in that document and in
//! the log; it never ends the server.

mod config;
mod convert;

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{RecvTimeoutError, Sender};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeDescription, Diagnostic, DiagnosticRelatedInformation,
    DiagnosticSeverity, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, FileSystemWatcher, GlobPattern, Hover,
    HoverContents, HoverParams, HoverProviderCapability, InitializeParams, Location,
    LogMessageParams, MarkupContent, MarkupKind, MessageType, NumberOrString, Position,
    PublishDiagnosticsParams, Range, Registration, RegistrationParams, SaveOptions,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, TextEdit, Url, WorkspaceEdit,
};

use crate::fix::{Fix, apply_checked, fixes_for};
use crate::rules::{Finding, RuleMeta, Severity};
use crate::template::parse::Limits;
use crate::{FileReport, lint_document, lint_source};
use convert::{Encoding, Text};

/// The default quiet spell after a change before the document is linted.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// The code action kind of "every safe fix of the document".
const FIX_ALL: &str = "source.fixAll.cfn-cognito-lint";

/// What an unsafe fix's title ends with.
const UNSAFE: &str = " (unsafe: changes the deployed stack)";

/// What `diagnostic.source` says.
const SOURCE: &str = "cfn-cognito-lint";

const USAGE: &str = "\
Usage: cfn-cognito-lint server

Speaks the Language Server Protocol over standard input and output: diagnostics for open
CloudFormation and Serverless documents as they are typed, code actions for the fixes
(`source.fixAll.cfn-cognito-lint`: every safe one), hover with the rule's documentation.
`--stdio` (which some clients add) is accepted and changes nothing.
Initialization option: {\"debounceMs\": N} (default 100, at most 150).";

/// The `server` subcommand: `args` are the arguments after `server`.
pub fn main(args: &[OsString]) -> ExitCode {
    for a in args {
        match a.to_str() {
            Some("--stdio") => {}
            Some("-h" | "--help") => {
                // (A closed pipe, `| head`, is not an error.)
                let _ = writeln!(std::io::stdout(), "{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ => {
                eprintln!(
                    "cfn-cognito-lint server: unexpected argument `{}`\n\n{USAGE}",
                    a.to_string_lossy()
                );
                return ExitCode::from(2);
            }
        }
    }
    // Parsers recurse up to the nesting limit: the loop runs on a thread with a large stack,
    // as the command line's workers do.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(32 * 1024 * 1024)
        .build_global();
    let (connection, io_threads) = Connection::stdio();
    let ran = std::thread::Builder::new()
        .name("cfn-cognito-lint-server".into())
        .stack_size(32 * 1024 * 1024)
        .spawn(move || run(connection))
        .map_err(|e| e.to_string())
        .and_then(|h| {
            h.join()
                .unwrap_or_else(|_| Err("the server panicked".into()))
        });
    let code = match ran {
        Ok(code) => code,
        Err(e) => {
            eprintln!("cfn-cognito-lint server: {e}");
            ExitCode::from(1)
        }
    };
    if let Err(e) = io_threads.join() {
        eprintln!("cfn-cognito-lint server: {e}");
    }
    code
}

/// Runs the protocol on a connection until `exit`: 0 after `shutdown`, 1 without (as the
/// protocol says), and an error when the client goes away without `exit`.
pub fn run(connection: Connection) -> Result<ExitCode, String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    // Paths are shown relative to the workspace, and its folder bounds stacks outside git.
    #[allow(deprecated)]
    let root = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| f.uri.clone())
        .or_else(|| params.root_uri.clone())
        .and_then(|u| u.to_file_path().ok());
    if let Some(root) = root.filter(|r| r.is_dir()) {
        let _ = std::env::set_current_dir(root);
    }
    let enc = Encoding::negotiate(
        params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref()),
    );
    let debounce = params
        .initialization_options
        .as_ref()
        .and_then(|o| o.get("debounceMs"))
        .and_then(serde_json::Value::as_u64)
        .map_or(DEBOUNCE, |ms| Duration::from_millis(ms.min(150)));
    let capabilities = ServerCapabilities {
        position_encoding: Some(enc.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, CodeActionKind::new(FIX_ALL)]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    };
    let result = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": ServerInfo {
            name: "cfn-cognito-lint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let mut server = Server::new(connection.sender.clone(), enc, debounce);
    let watch = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|w| w.dynamic_registration)
        .unwrap_or(false);
    if watch {
        server.register_watchers();
    }
    loop {
        let msg = match server.next_due() {
            None => connection
                .receiver
                .recv()
                .map_err(|_| RecvTimeoutError::Disconnected),
            Some(due) => connection
                .receiver
                .recv_timeout(due.saturating_duration_since(Instant::now())),
        };
        match msg {
            Ok(msg) => {
                if let Some(code) = server.handle(msg) {
                    return Ok(code);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                return Err("the client closed the connection without `exit`".into());
            }
        }
        server.lint_due();
    }
}

/// An open document.
struct Doc {
    text: String,
    version: i32,
    /// Its file, for a `file:` URI.
    path: Option<PathBuf>,
}

/// A finding as a diagnostic, with what hover shows and the fixes code actions offer.
#[derive(Clone)]
struct Item {
    diagnostic: Diagnostic,
    rule: Option<&'static RuleMeta>,
    help: String,
    /// The finding's fixes, in the offsets of `source`.
    fixes: Vec<Fix>,
    /// The text of the finding's file the fixes were made for (with fixes only).
    source: Option<Arc<FixSource>>,
}

/// The text of a file that has fixes, and how it was parsed.
struct FixSource {
    text: String,
    limits: Limits,
}

struct Server {
    sender: Sender<Message>,
    enc: Encoding,
    debounce: Duration,
    docs: HashMap<Url, Doc>,
    /// Documents waiting to be linted, and when.
    pending: HashMap<Url, Instant>,
    /// By linted document: the files of its stack and their items.
    results: HashMap<Url, Vec<(Url, Vec<Item>)>>,
    /// What each file was last sent.
    published: HashMap<Url, Vec<Diagnostic>>,
    configs: config::Configs,
    shutdown: bool,
    next_id: i32,
}

impl Server {
    fn new(sender: Sender<Message>, enc: Encoding, debounce: Duration) -> Server {
        Server {
            sender,
            enc,
            debounce,
            docs: HashMap::new(),
            pending: HashMap::new(),
            results: HashMap::new(),
            published: HashMap::new(),
            configs: config::Configs::default(),
            shutdown: false,
            next_id: 0,
        }
    }

    fn send(&self, msg: impl Into<Message>) {
        // A client that is gone is noticed by the reader: the loop ends there.
        let _ = self.sender.send(msg.into());
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_string(), params));
    }

    fn log(&self, typ: MessageType, message: String) {
        self.notify::<lsp_types::notification::LogMessage>(LogMessageParams { typ, message });
    }

    /// Asks the client to tell when config files and templates change on disk.
    fn register_watchers(&mut self) {
        let watcher = |glob: &str| FileSystemWatcher {
            glob_pattern: GlobPattern::String(glob.to_string()),
            kind: None,
        };
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![
                watcher(&format!("**/{}", config::FILE_NAME)),
                watcher("**/*.{yaml,yml,json,template,toml}"),
            ],
        };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "cfn-cognito-lint-watched-files".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        self.next_id += 1;
        self.send(Request::new(
            RequestId::from(self.next_id),
            "client/registerCapability".into(),
            params,
        ));
    }

    /// When the next pending document is due.
    fn next_due(&self) -> Option<Instant> {
        self.pending.values().min().copied()
    }

    /// One message; `Some(exit code)` on `exit`.
    fn handle(&mut self, msg: Message) -> Option<ExitCode> {
        match msg {
            Message::Request(req) => {
                self.request(req);
                None
            }
            Message::Notification(n) if n.method == "exit" => Some(if self.shutdown {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }),
            Message::Notification(n) => {
                if !self.shutdown {
                    self.notification(n);
                }
                None
            }
            // Answers to our requests (the watcher registration): nothing to do.
            Message::Response(_) => None,
        }
    }

    fn request(&mut self, req: Request) {
        if self.shutdown {
            self.send(Response::new_err(
                req.id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".into(),
            ));
            return;
        }
        match req.method.as_str() {
            "shutdown" => {
                self.shutdown = true;
                self.pending.clear();
                self.send(Response::new_ok(req.id, ()));
            }
            "textDocument/hover" => match serde_json::from_value::<HoverParams>(req.params) {
                Ok(p) => {
                    let hover = self.hover(
                        &p.text_document_position_params.text_document.uri,
                        p.text_document_position_params.position,
                    );
                    self.send(Response::new_ok(req.id, hover));
                }
                Err(e) => self.send(Response::new_err(
                    req.id,
                    ErrorCode::InvalidParams as i32,
                    e.to_string(),
                )),
            },
            "textDocument/codeAction" => {
                match serde_json::from_value::<CodeActionParams>(req.params) {
                    Ok(p) => {
                        let actions = self.code_actions(&p);
                        self.send(Response::new_ok(req.id, actions));
                    }
                    Err(e) => self.send(Response::new_err(
                        req.id,
                        ErrorCode::InvalidParams as i32,
                        e.to_string(),
                    )),
                }
            }
            _ => self.send(Response::new_err(
                req.id,
                ErrorCode::MethodNotFound as i32,
                format!("unknown request `{}`", req.method),
            )),
        }
    }

    fn notification(&mut self, n: Notification) {
        let method = n.method.clone();
        let failed = |e: serde_json::Error| format!("{method}: {e}");
        let outcome: Result<(), String> = match n.method.as_str() {
            "textDocument/didOpen" => serde_json::from_value::<DidOpenTextDocumentParams>(n.params)
                .map_err(failed)
                .map(|p| {
                    let d = p.text_document;
                    let path = d.uri.to_file_path().ok();
                    self.docs.insert(
                        d.uri.clone(),
                        Doc {
                            text: d.text,
                            version: d.version,
                            path,
                        },
                    );
                    // Opened: linted at once.
                    self.pending.insert(d.uri, Instant::now());
                }),
            "textDocument/didChange" => {
                serde_json::from_value::<DidChangeTextDocumentParams>(n.params)
                    .map_err(failed)
                    .map(|p| {
                        let uri = p.text_document.uri;
                        if let Some(doc) = self.docs.get_mut(&uri) {
                            for c in p.content_changes {
                                convert::apply_change(&mut doc.text, c.range, &c.text, self.enc);
                            }
                            doc.version = p.text_document.version;
                            self.pending.insert(uri, Instant::now() + self.debounce);
                        }
                    })
            }
            "textDocument/didClose" => {
                serde_json::from_value::<DidCloseTextDocumentParams>(n.params)
                    .map_err(failed)
                    .map(|p| self.close(&p.text_document.uri))
            }
            "textDocument/didSave" => serde_json::from_value::<DidSaveTextDocumentParams>(n.params)
                .map_err(failed)
                .map(|p| {
                    let is_config = p
                        .text_document
                        .uri
                        .to_file_path()
                        .is_ok_and(|f| config::is_config_file(&f));
                    if is_config {
                        self.config_changed();
                    }
                }),
            "workspace/didChangeWatchedFiles" => {
                serde_json::from_value::<DidChangeWatchedFilesParams>(n.params)
                    .map_err(failed)
                    .map(|p| {
                        let paths: Vec<PathBuf> = p
                            .changes
                            .iter()
                            .filter_map(|c| c.uri.to_file_path().ok())
                            .collect();
                        if paths.iter().any(|f| config::is_config_file(f)) {
                            self.config_changed();
                        } else if paths.iter().any(|f| !self.is_open(f)) {
                            // A file of some stack changed on disk (an open one is its buffer).
                            self.relint_all();
                        }
                    })
            }
            _ => Ok(()),
        };
        if let Err(e) = outcome {
            self.log(MessageType::ERROR, e);
        }
    }

    fn is_open(&self, path: &std::path::Path) -> bool {
        self.docs.values().any(|d| d.path.as_deref() == Some(path))
    }

    fn config_changed(&mut self) {
        self.configs.clear();
        self.log(
            MessageType::INFO,
            "a config file changed: read again".into(),
        );
        self.relint_all();
    }

    /// Every open document, after the debounce.
    fn relint_all(&mut self) {
        let due = Instant::now() + self.debounce;
        for uri in self.docs.keys() {
            self.pending.insert(uri.clone(), due);
        }
    }

    fn close(&mut self, uri: &Url) {
        self.docs.remove(uri);
        self.pending.remove(uri);
        let files: Vec<Url> = self
            .results
            .remove(uri)
            .into_iter()
            .flatten()
            .map(|(f, _)| f)
            .chain(std::iter::once(uri.clone()))
            .collect();
        // The other documents of its stack now read the file from disk.
        let dependents = self.dependents(uri);
        let due = Instant::now();
        for d in dependents {
            self.pending.insert(d, due);
        }
        for f in files {
            self.publish(&f, false);
        }
    }

    /// Open documents whose last lint read `file` (their stack holds it).
    fn dependents(&self, file: &Url) -> Vec<Url> {
        self.results
            .iter()
            .filter(|(doc, files)| *doc != file && files.iter().any(|(f, _)| f == file))
            .map(|(doc, _)| doc.clone())
            .collect()
    }

    /// Lints the documents that are due, and those whose stacks hold them.
    fn lint_due(&mut self) {
        let now = Instant::now();
        let mut due: Vec<Url> = self
            .pending
            .iter()
            .filter(|(_, t)| **t <= now)
            .map(|(u, _)| u.clone())
            .collect();
        if due.is_empty() {
            return;
        }
        due.sort();
        let mut seen: HashSet<Url> = due.iter().cloned().collect();
        let mut dependents = Vec::new();
        for u in &due {
            for d in self.dependents(u) {
                if seen.insert(d.clone()) {
                    dependents.push(d);
                }
            }
        }
        for u in due.iter().chain(&dependents) {
            self.pending.remove(u);
        }
        for u in due {
            self.lint(&u, true);
        }
        for u in dependents {
            self.lint(&u, false);
        }
    }

    /// Lints one document and publishes what changed; `own`: the document itself changed (or
    /// was opened), so its diagnostics are sent even when they are the same.
    fn lint(&mut self, uri: &Url, own: bool) {
        if !self.docs.contains_key(uri) {
            return;
        }
        let resolved = match self.docs.get(uri).and_then(|d| d.path.as_deref()) {
            Some(p) => Some(self.configs.for_dir(p.parent().unwrap_or(p))),
            None => None,
        };
        let Some(doc) = self.docs.get(uri) else {
            return;
        };
        let ran =
            std::panic::catch_unwind(AssertUnwindSafe(|| self.lint_files(uri, doc, resolved)));
        let files = match ran {
            Ok(Ok(files)) => files,
            Ok(Err(e)) => {
                self.log(MessageType::ERROR, format!("{uri}: {e}"));
                vec![(uri.clone(), vec![problem(e)])]
            }
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".into());
                let e = format!("internal error while linting this document: {what}");
                self.log(MessageType::ERROR, format!("{uri}: {e}"));
                vec![(uri.clone(), vec![problem(e)])]
            }
        };
        let mut affected: Vec<Url> = files.iter().map(|(f, _)| f.clone()).collect();
        if let Some(old) = self.results.insert(uri.clone(), files) {
            affected.extend(old.into_iter().map(|(f, _)| f));
        }
        affected.sort();
        affected.dedup();
        for f in &affected {
            self.publish(f, own && f == uri);
        }
    }

    /// The files of `doc`'s stack and their items.
    fn lint_files(
        &self,
        uri: &Url,
        doc: &Doc,
        resolved: Option<Result<std::sync::Arc<config::Resolved>, String>>,
    ) -> Result<Vec<(Url, Vec<Item>)>, String> {
        let (Some(path), Some(resolved)) = (&doc.path, resolved) else {
            // Not a file (an untitled buffer): linted alone, with the defaults.
            let report = lint_source(uri.as_str(), doc.text.clone(), true, &Default::default());
            let limits = crate::Options::default().limits;
            return Ok(vec![(uri.clone(), self.items(&report, uri, None, &limits))]);
        };
        let resolved = resolved.map_err(|e| format!("config: {e}"))?;
        if resolved
            .exclude
            .as_ref()
            .is_some_and(|x| x.excludes(path, false, true))
        {
            return Ok(vec![(uri.clone(), Vec::new())]);
        }
        let open: Vec<(PathBuf, String)> = self
            .docs
            .iter()
            .filter(|(u, _)| *u != uri)
            .filter_map(|(_, d)| Some((d.path.clone()?, d.text.clone())))
            .collect();
        let reports = lint_document(path, &doc.text, &open, &resolved.options);
        let docs_url = resolved.docs_url.as_deref();
        Ok(reports
            .into_iter()
            .filter_map(|(abs, report)| {
                let file = Url::from_file_path(abs?).ok()?;
                let items = self.items(&report, &file, docs_url, &resolved.options.limits);
                Some((file, items))
            })
            .collect())
    }

    fn items(
        &self,
        report: &FileReport,
        file: &Url,
        docs_url: Option<&str>,
        limits: &Limits,
    ) -> Vec<Item> {
        if report.skipped.is_some() {
            return Vec::new();
        }
        let text = Text::with_index(&report.source, &report.index);
        let mut fixes: Vec<Vec<Fix>> = vec![Vec::new(); report.findings.len()];
        let mut source = None;
        for fix in fixes_for(&report.source, &report.findings, limits) {
            if let Some(slot) = fixes.get_mut(fix.finding) {
                slot.push(fix);
                source.get_or_insert_with(|| {
                    Arc::new(FixSource {
                        text: report.source.clone(),
                        limits: *limits,
                    })
                });
            }
        }
        report
            .findings
            .iter()
            .zip(fixes)
            .map(|(f, fixes)| {
                let mut item = self.item(f, &text, file, docs_url);
                if !fixes.is_empty() {
                    item.source.clone_from(&source);
                    item.fixes = fixes;
                }
                item
            })
            .collect()
    }

    fn item(&self, f: &Finding, text: &Text<'_>, file: &Url, docs_url: Option<&str>) -> Item {
        let mut related: Vec<DiagnosticRelatedInformation> = Vec::new();
        for r in &f.related {
            let Some(uri) = r
                .file
                .abs
                .as_ref()
                .and_then(|a| Url::from_file_path(a).ok())
            else {
                continue;
            };
            let other = Text::with_index(&r.file.text, &r.file.index);
            related.push(DiagnosticRelatedInformation {
                location: Location {
                    uri,
                    range: other.range(r.span, self.enc),
                },
                message: r.message.clone(),
            });
        }
        let diagnostic = Diagnostic {
            range: text.range(f.span, self.enc),
            severity: Some(match f.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
                Severity::Info => DiagnosticSeverity::INFORMATION,
            }),
            code: Some(NumberOrString::String(f.rule.id.to_string())),
            code_description: docs_url
                .and_then(|u| Url::parse(&format!("{u}{}", f.rule.id)).ok())
                .map(|href| CodeDescription { href }),
            source: Some(SOURCE.into()),
            message: f.message.clone(),
            // Labels in this file, then those in other files of the stack.
            related_information: (!f.labels.is_empty() || !related.is_empty()).then(|| {
                f.labels
                    .iter()
                    .map(|(span, label)| DiagnosticRelatedInformation {
                        location: Location {
                            uri: file.clone(),
                            range: text.range(*span, self.enc),
                        },
                        message: label.clone(),
                    })
                    .chain(related)
                    .collect()
            }),
            tags: None,
            data: Some(serde_json::json!({
                "rule": f.rule.id,
                "name": f.rule.name,
                "pointer": f.pointer,
                "resource": f.resource,
            })),
        };
        Item {
            diagnostic,
            rule: Some(f.rule),
            help: f.help.clone(),
            fixes: Vec::new(),
            source: None,
        }
    }

    /// Every item for a file, from every document whose stack holds it (the same finding
    /// once).
    fn items_of(&self, file: &Url) -> Vec<&Item> {
        let mut out: Vec<&Item> = Vec::new();
        let mut docs: Vec<&Url> = self.results.keys().collect();
        docs.sort();
        for d in docs {
            for (f, items) in self.results.get(d).into_iter().flatten() {
                if f != file {
                    continue;
                }
                for it in items {
                    let same = |o: &&Item| {
                        o.diagnostic.range == it.diagnostic.range
                            && o.diagnostic.code == it.diagnostic.code
                            && o.diagnostic.message == it.diagnostic.message
                    };
                    if !out.iter().any(same) {
                        out.push(it);
                    }
                }
            }
        }
        out.sort_by_key(|it| (it.diagnostic.range.start, it.diagnostic.range.end));
        out
    }

    /// Sends a file's diagnostics when they changed (or `always`).
    fn publish(&mut self, file: &Url, always: bool) {
        let diagnostics: Vec<Diagnostic> = self
            .items_of(file)
            .into_iter()
            .map(|it| it.diagnostic.clone())
            .collect();
        let before = self.published.get(file);
        let unchanged = match before {
            Some(b) => *b == diagnostics,
            None => diagnostics.is_empty(),
        };
        if unchanged && !always {
            return;
        }
        let version = self.docs.get(file).map(|d| d.version);
        self.notify::<lsp_types::notification::PublishDiagnostics>(PublishDiagnosticsParams {
            uri: file.clone(),
            diagnostics: diagnostics.clone(),
            version,
        });
        if diagnostics.is_empty() {
            self.published.remove(file);
        } else {
            self.published.insert(file.clone(), diagnostics);
        }
    }

    /// Lints every document still waiting for its debounce, so that what follows sees the
    /// buffers as they are now.
    fn lint_pending_now(&mut self) {
        let now = Instant::now();
        for due in self.pending.values_mut() {
            *due = now;
        }
        self.lint_due();
    }

    /// `textDocument/codeAction`: a quick fix for each fix of the findings the range touches
    /// (safe ones preferred, unsafe ones saying so), and `source.fixAll.cfn-cognito-lint` with
    /// every safe fix of the document, as `context.only` asks. The edits are made for the text
    /// that was linted: documents waiting for their debounce are linted first.
    fn code_actions(&mut self, p: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        self.lint_pending_now();
        let uri = &p.text_document.uri;
        let only = p.context.only.as_deref();
        // A kind is asked for when `only` is absent or names it or a kind it is under.
        let asked = |kind: &str| {
            only.is_none_or(|o| {
                o.iter().any(|k| {
                    let k = k.as_str();
                    kind == k || kind.strip_prefix(k).is_some_and(|r| r.starts_with('.'))
                })
            })
        };
        let mut out = Vec::new();
        let items = self.items_of(uri);
        if asked(CodeActionKind::QUICKFIX.as_str()) {
            let range = p.range;
            for it in &items {
                let r = it.diagnostic.range;
                if r.start > range.end || range.start > r.end {
                    continue;
                }
                let Some(source) = &it.source else { continue };
                for fix in &it.fixes {
                    // Offered only when the text still parses with it.
                    let (_, applied, _) =
                        apply_checked(&source.text, std::slice::from_ref(fix), &source.limits);
                    if applied.is_empty() {
                        continue;
                    }
                    let title = if fix.safe {
                        fix.description.clone()
                    } else {
                        format!("{}{UNSAFE}", fix.description)
                    };
                    out.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title,
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![it.diagnostic.clone()]),
                        edit: Some(self.workspace_edit(uri, &source.text, &[fix])),
                        is_preferred: Some(fix.safe),
                        ..CodeAction::default()
                    }));
                }
            }
        }
        if only.is_some() && asked(FIX_ALL) {
            if let Some(action) = self.fix_all(uri, &items) {
                out.push(CodeActionOrCommand::CodeAction(action));
            }
        }
        out
    }

    /// Every safe fix of a document's findings at once (those that overlap another wait for
    /// the next time; one that would break the text is left out).
    fn fix_all(&self, uri: &Url, items: &[&Item]) -> Option<CodeAction> {
        // The text the fixes were made for: the buffer's (or the first one found for a file
        // that is not open); fixes made for another text are left out.
        let source = match self.docs.get(uri) {
            Some(d) => items
                .iter()
                .filter_map(|it| it.source.as_ref())
                .find(|s| s.text == d.text)?,
            None => items.iter().find_map(|it| it.source.as_ref())?,
        };
        let mut fixes: Vec<Fix> = Vec::new();
        let mut diagnostics = Vec::new();
        for it in items {
            if it.source.as_ref().is_none_or(|s| s.text != source.text) {
                continue;
            }
            let safe: Vec<&Fix> = it.fixes.iter().filter(|f| f.safe).collect();
            if safe.is_empty() {
                continue;
            }
            diagnostics.push(it.diagnostic.clone());
            fixes.extend(safe.into_iter().cloned());
        }
        let (_, applied, _) = apply_checked(&source.text, &fixes, &source.limits);
        if applied.is_empty() {
            return None;
        }
        let n = applied.len();
        Some(CodeAction {
            title: format!(
                "fix {n} finding{} of cfn-cognito-lint (safe fixes)",
                if n == 1 { "" } else { "s" }
            ),
            kind: Some(CodeActionKind::new(FIX_ALL)),
            diagnostics: Some(diagnostics),
            edit: Some(self.workspace_edit(uri, &source.text, &applied)),
            ..CodeAction::default()
        })
    }

    /// The edits of fixes made for `text`, the file at `file`, in the negotiated encoding.
    fn workspace_edit(&self, file: &Url, text: &str, fixes: &[&Fix]) -> WorkspaceEdit {
        let t = Text::new(text);
        let mut edits: Vec<TextEdit> = fixes
            .iter()
            .flat_map(|f| &f.edits)
            .map(|e| TextEdit {
                range: t.range(crate::template::Span::new(e.start, e.end), self.enc),
                new_text: e.replacement.clone(),
            })
            .collect();
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        WorkspaceEdit {
            changes: Some(HashMap::from([(file.clone(), edits)])),
            ..WorkspaceEdit::default()
        }
    }

    /// The findings at a position: rule, message, help and the rule's documentation.
    fn hover(&self, uri: &Url, pos: Position) -> Option<Hover> {
        let at: Vec<&Item> = self
            .items_of(uri)
            .into_iter()
            .filter(|it| {
                let r = it.diagnostic.range;
                r.start <= pos && pos <= r.end
            })
            .collect();
        let first = at.first()?;
        let range: Range = first.diagnostic.range;
        let mut parts: Vec<String> = Vec::new();
        let mut docs: Vec<&'static str> = Vec::new();
        for it in &at {
            let d = &it.diagnostic;
            let mut s = match it.rule {
                Some(rule) => format!(
                    "**{}** `{}` ({})\n\n{}",
                    rule.id,
                    rule.name,
                    match d.severity {
                        Some(DiagnosticSeverity::ERROR) => "error",
                        Some(DiagnosticSeverity::WARNING) => "warning",
                        _ => "info",
                    },
                    d.message
                ),
                None => d.message.clone(),
            };
            if !it.help.is_empty() {
                s.push_str(&format!("\n\n*help:* {}", it.help));
            }
            if let (Some(href), Some(rule)) = (d.code_description.as_ref(), it.rule) {
                s.push_str(&format!("\n\n[{}]({})", rule.id, href.href));
            }
            parts.push(s);
            if let Some(rule) = it.rule {
                if !docs.contains(&rule.doc) {
                    docs.push(rule.doc);
                }
            }
        }
        parts.extend(docs.iter().map(|d| d.trim_end().to_string()));
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: parts.join("\n\n---\n\n"),
            }),
            range: Some(range),
        })
    }
}

/// A diagnostic at the start of the document for a failure while linting it.
fn problem(message: String) -> Item {
    Item {
        diagnostic: Diagnostic {
            range: Range::default(),
            severity: Some(DiagnosticSeverity::ERROR),
            source: Some(SOURCE.into()),
            message,
            ..Diagnostic::default()
        },
        rule: None,
        help: String::new(),
        fixes: Vec::new(),
        source: None,
    }
}
