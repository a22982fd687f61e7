//! cfn-cognito-lint: lints CloudFormation templates that wire Amazon Cognito to IAM.
//!
//! The library parses, builds the graph and runs the rules; it never prints or exits.
//! [`lint_source`] lints one text, [`lint_paths`] files and directories in parallel.

pub mod access;
pub mod baseline;
pub mod config;
pub mod fix;
pub mod graph;
pub mod iam;
mod input;
pub mod output;
pub mod paths;
pub mod policy;
pub mod report;
pub mod rules;
pub mod schema;
pub mod server;
pub mod stack;
pub mod suggest;
pub mod suppress;
mod table;
pub mod template;
mod walk;

pub(crate) use input::{
    Decoded, FileBytes, Invalid, decode, read_limited, read_text, too_large_message,
};
use input::{HEAD_BYTES, io_message};

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use rules::registry::CHECKS;
use rules::template::{TM001, TM002, TM008, TM010, TM011};
use rules::{Context, Emitter, Finding, Loc, RuleMeta, Settings};
use template::parse;
use template::{Limits, LineIndex, NodeId, NotTemplate, Span, Template};

/// Everything a run needs besides the paths.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub settings: Settings,
    pub limits: Limits,
    /// A non-template named explicitly is TM001 instead of skipped.
    pub strict: bool,
    /// Globs (gitignore syntax) of paths not to lint, relative to `exclude_root`.
    pub exclude: Vec<String>,
    /// The folder `exclude` is relative to: the config file's (the current directory when
    /// `None`).
    pub exclude_root: Option<PathBuf>,
    /// The Serverless stage (`--stage`).
    pub stage: Option<String>,
    /// Parameter values for every stack that declares them (`--parameters`), and their source.
    pub parameters: Vec<(String, String)>,
    pub parameters_source: String,
    /// Stacks the config names as fragments.
    pub config_stacks: Vec<ConfigStack>,
    /// The file lies under a Serverless service written as code (`serverless.ts`), which this
    /// tool cannot read: a fragment there (no `AWSTemplateFormatVersion`) may use names that
    /// service defines or generates.
    pub names_defined_elsewhere: bool,
    /// Called with every stack (and single template) the run analyses, after its rules ran:
    /// the access graph (`graph` subcommand) reads the assembled template and its findings.
    pub visit: Option<Visitor>,
}

/// A stack the run analysed: its name, files, assembled template and findings (in stack spans,
/// rules turned off removed).
pub struct StackView<'a> {
    pub name: &'a str,
    pub files: &'a [std::sync::Arc<stack::SourceFile>],
    pub template: &'a Template,
    pub findings: &'a [Finding],
}

/// What [`Options::visit`] calls.
#[derive(Clone)]
pub struct Visitor(pub std::sync::Arc<dyn Fn(StackView<'_>) + Send + Sync>);

impl std::fmt::Debug for Visitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Visitor")
    }
}

/// A stack a config names: `stacks: {NAME: {files: [...], parameters: FILE}}`.
#[derive(Clone, Debug, Default)]
pub struct ConfigStack {
    pub name: String,
    /// Absolute paths.
    pub files: Vec<PathBuf>,
    /// Parameter values from the stack's parameter file, and that file's display name.
    pub parameters: Vec<(String, String)>,
    pub parameters_source: String,
    /// The config file (display path, text) and the fragments it names that cannot be read:
    /// TM011 findings at their span in the config.
    pub config_display: String,
    pub config_text: String,
    pub problems: Vec<(Span, String)>,
}

/// The stacks a config names, paths resolved from the config's folder (globs expanded).
pub fn config_stacks(
    config: &config::Config,
    config_env: Option<&str>,
) -> Result<Vec<ConfigStack>, String> {
    let Some(path) = &config.path else {
        return Ok(Vec::new());
    };
    let dir = stack::parent(path)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut out = Vec::new();
    for spec in &config.stacks {
        let mut cs = ConfigStack {
            name: spec.name.clone(),
            config_display: stack::display_path(path),
            config_text: config.text.clone(),
            ..ConfigStack::default()
        };
        for (f, span) in &spec.files {
            if f.contains(['*', '?', '[']) {
                let mut b = ignore::gitignore::GitignoreBuilder::new(&dir);
                b.add_line(None, f)
                    .map_err(|e| format!("stacks: `{f}`: {e}"))?;
                let m = b.build().map_err(|e| e.to_string())?;
                let mut found: Vec<PathBuf> = ignore::WalkBuilder::new(&dir)
                    .build()
                    .filter_map(Result::ok)
                    .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
                    .map(ignore::DirEntry::into_path)
                    .filter(|p| {
                        m.matched(p.strip_prefix(&dir).unwrap_or(p), false)
                            .is_ignore()
                    })
                    .collect();
                found.sort();
                if found.is_empty() {
                    cs.problems.push((*span, format!("`{f}` matches no file")));
                }
                cs.files.extend(found.iter().map(|p| stack::absolute(p)));
            } else {
                let p = stack::absolute(&dir.join(f));
                if p.is_file() {
                    cs.files.push(p);
                } else {
                    cs.problems.push((
                        *span,
                        format!("fragment `{f}` of stack `{}` does not exist", spec.name),
                    ));
                }
            }
        }
        if let Some((pfile, _)) = &spec.parameters {
            let pp = dir.join(pfile);
            cs.parameters = stack::params::load(&pp, config_env)?;
            cs.parameters_source = format!(
                "stack `{}` parameters {}",
                spec.name,
                stack::display_path(&pp)
            );
        }
        out.push(cs);
    }
    Ok(out)
}

/// The result of linting one file.
#[derive(Debug)]
pub struct FileReport {
    /// The path as given or found (relative where it was relative).
    pub path: String,
    pub source: String,
    /// The line index of `source`, which the reports use for positions: built only for a
    /// report with findings (most files of a run have none), empty otherwise.
    pub index: LineIndex,
    pub findings: Vec<Finding>,
    /// Why the file was not linted, when it was skipped.
    pub skipped: Option<String>,
}

impl FileReport {
    fn new(path: &str, source: String) -> FileReport {
        FileReport {
            path: path.to_string(),
            index: LineIndex::new(&source),
            source,
            findings: Vec::new(),
            skipped: None,
        }
    }

    /// A report whose line index is built later ([`FileReport::index_if_needed`]).
    fn unindexed(path: &str, source: String) -> FileReport {
        FileReport {
            path: path.to_string(),
            index: LineIndex::new(""),
            source,
            findings: Vec::new(),
            skipped: None,
        }
    }

    /// Builds the line index when the report has findings to place.
    fn index_if_needed(&mut self) {
        if !self.findings.is_empty() {
            self.index = LineIndex::new(&self.source);
        }
    }
}

/// Whether a text looks like a CloudFormation template or a Serverless service (the report must
/// never be written over one: `--output` followed by staged files takes the first as its value).
pub fn looks_like_source(text: &str) -> bool {
    raw_looks_like_template(text)
        || text.lines().any(|l| l.starts_with("service:")) && text.contains("provider")
}

/// Raw text that looks like a template even though it does not parse.
pub(crate) fn raw_looks_like_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || text.contains("\"Resources\"")
        || text.lines().any(|l| l.starts_with("Resources:"))
}

fn parse_finding(
    meta: &'static RuleMeta,
    span: Span,
    pointer: &str,
    message: String,
    settings: &Settings,
) -> Finding {
    Finding {
        rule: meta,
        severity: settings.severity_of(meta, None),
        span,
        pointer: pointer.to_string(),
        resource: None,
        message,
        help: meta.help.to_string(),
        labels: Vec::new(),
        related: Vec::new(),
        stack: None,
        construct: None,
        fix_hint: None,
    }
}

/// TM001 at 1:1 for a file named with `--strict` that parses but is not a template: its
/// syntax is fine, so the help is not TM001's "fix the syntax".
fn not_a_template(message: &str, settings: &Settings) -> Finding {
    let mut f = parse_finding(&TM001, Span::new(0, 0), "", message.to_string(), settings);
    f.help = "--strict reports every file named on the command line that is not a template: \
              name only templates (for pre-commit, narrow the hook's `files:` pattern), or \
              drop --strict to skip such files"
        .to_string();
    f
}

fn meta_of(id: &str) -> &'static RuleMeta {
    match id {
        "TM002" => &TM002,
        "TM008" => &TM008,
        "TM010" => &TM010,
        "TM011" => &TM011,
        _ => &TM001,
    }
}

/// Lints one template text. `explicit`: the file was named by the user (not found in a walk).
pub fn lint_source(path: &str, text: String, explicit: bool, options: &Options) -> FileReport {
    lint_source_with(path, text, explicit, options, None)
}

fn lint_source_with(
    path: &str,
    text: String,
    explicit: bool,
    options: &Options,
    on_parse: OnParse<'_>,
) -> FileReport {
    // A Serverless service (top-level `service:` and `provider:`) is a stack; the check looks
    // at line starts only, so other templates are not parsed twice.
    let top_level = |key: &str| {
        text.starts_with(key)
            || memchr::memmem::find_iter(text.as_bytes(), key.as_bytes())
                .any(|i| i > 0 && text.as_bytes()[i - 1] == b'\n')
    };
    if !parse::looks_like_json(&text) && top_level("service:") && top_level("provider:") {
        let p = Path::new(path);
        let dir = stack::parent(p).map(Path::to_path_buf).unwrap_or_default();
        let root = stack::repository_root(&dir);
        if let Some(st) = stack::serverless::assemble_text(
            p,
            path,
            text.clone(),
            options.stage.as_deref(),
            &options.limits,
            root,
        ) {
            let findings = lint_stack(&st, options);
            let mut reports = distribute(&st, findings, &|i| i == 0);
            if !reports.is_empty() {
                return reports.swap_remove(0);
            }
        }
    }
    let mut report = FileReport::unindexed(path, text);
    let findings = lint_text(path, &report.source, explicit, options, on_parse);
    match findings {
        Ok(mut findings) => {
            findings.retain(|f| options.settings.enabled(f.rule.id));
            findings.sort_by(|a, b| {
                (a.span.start, a.rule.id, a.span.end).cmp(&(b.span.start, b.rule.id, b.span.end))
            });
            findings.dedup_by(|a, b| {
                a.span == b.span && a.rule.id == b.rule.id && a.message == b.message
            });
            report.findings = findings;
        }
        Err(reason) => report.skipped = Some(reason),
    }
    report.index_if_needed();
    report
}

/// Called with a template's tree right after it is parsed (and before it is linted): lets the
/// run learn what it nests, exports and imports from the parse the lint makes anyway.
type OnParse<'a> = Option<&'a mut (dyn FnMut(&template::Tree, NodeId, &str) + 'a)>;

fn lint_text(
    path: &str,
    text: &str,
    explicit: bool,
    options: &Options,
    on_parse: OnParse<'_>,
) -> Result<Vec<Finding>, String> {
    let settings = &options.settings;
    let limits = &options.limits;
    let strict = explicit && options.strict;
    if text.len() as u64 > limits.max_file_size {
        return Ok(vec![parse_finding(
            &TM010,
            Span::new(0, 0),
            "",
            format!(
                "the file is {} bytes, more than max-file-size ({} bytes): it is not analysed",
                text.len(),
                limits.max_file_size
            ),
            settings,
        )]);
    }
    let parsed = template::parse::parse(text, limits);
    if let Some(fatal) = parsed.fatal {
        if !strict && !raw_looks_like_template(text) {
            return Err(format!("not a CloudFormation template ({})", fatal.message));
        }
        let mut f = parse_finding(meta_of(fatal.rule), fatal.span, "", fatal.message, settings);
        if let Some((span, label)) = fatal.label {
            f.labels.push((span, label));
        }
        return Ok(vec![f]);
    }
    let Some(root) = parsed.root else {
        if strict {
            return Ok(vec![not_a_template(
                "empty file: not a CloudFormation template",
                settings,
            )]);
        }
        return Err("empty file".to_string());
    };
    if let Some(f) = on_parse {
        f(&parsed.tree, root, text);
    }
    let mut template = match Template::build(parsed.tree, root, limits) {
        Ok(t) => t,
        Err(NotTemplate::Other) => {
            if strict {
                return Ok(vec![not_a_template(
                    "not a CloudFormation template: the file parses, but has no top-level `Resources` or `AWSTemplateFormatVersion`",
                    settings,
                )]);
            }
            return Err(
                "not a CloudFormation template (no Resources, no AWSTemplateFormatVersion)"
                    .to_string(),
            );
        }
        Err(NotTemplate::BadResources(span)) => {
            return Ok(vec![parse_finding(
                &TM001,
                span,
                "/Resources",
                "`Resources` is not a mapping of logical IDs to resources".into(),
                settings,
            )]);
        }
    };
    if !options.parameters.is_empty() {
        stack::params::apply(
            &mut template,
            &options.parameters,
            &options.parameters_source,
        );
    }
    // A fragment of a service this tool cannot read: the names it uses are the service's.
    template.names_defined_elsewhere = options.names_defined_elsewhere
        && template
            .tree
            .get(template.root, "AWSTemplateFormatVersion")
            .is_none();
    let findings = run_rules(
        &template,
        &stack::Sources::single(text),
        parsed.issues,
        options,
    );
    if let Some(visit) = &options.visit {
        let files = [std::sync::Arc::new(stack::SourceFile::new(
            path.to_string(),
            text.to_string(),
            0,
        ))];
        let enabled: Vec<Finding> = findings
            .iter()
            .filter(|f| options.settings.enabled(f.rule.id))
            .cloned()
            .collect();
        (visit.0)(StackView {
            name: path,
            files: &files,
            template: &template,
            findings: &enabled,
        });
    }
    Ok(findings)
}

/// Runs the graph and every check on a parsed template.
fn run_rules(
    template: &Template,
    sources: &stack::Sources<'_>,
    issues: Vec<template::ParseIssue>,
    options: &Options,
) -> Vec<Finding> {
    let settings = &options.settings;
    let mut out = Emitter::new(template, settings);
    for issue in issues {
        let meta = meta_of(issue.rule);
        let loc = match issue.node {
            Some(node) => Loc::Part(node, issue.span),
            None => Loc::Raw(issue.span, ""),
        };
        let f = out.emit(meta, None, loc, issue.message);
        if let Some((span, label)) = issue.label {
            f.label(span, label);
        }
    }
    let graph = graph::build(template, sources);
    let model = policy::Model::build(template);
    let cx = Context {
        template,
        graph: &graph,
        model: &model,
        settings,
    };
    for check in CHECKS {
        check(&cx, &mut out);
    }
    suppress::apply(template, settings, out.findings)
}

/// The report of an input larger than max-file-size, from its head: TM010 at 1:1 when it looks
/// like a template (or `--strict` and named), skipped otherwise. Only the first lines are kept,
/// for the snippet.
fn too_large(
    display: &str,
    what: &str,
    head: Vec<u8>,
    size: Option<u64>,
    explicit: bool,
    options: &Options,
) -> FileReport {
    let head_text = decode(head).lossy();
    let mut report = FileReport::new(display, String::new());
    if !(raw_looks_like_template(&head_text) || explicit && options.strict) {
        report.skipped =
            Some("not a CloudFormation template (larger than max-file-size)".to_string());
        return report;
    }
    let message = too_large_message(what, size, options.limits.max_file_size);
    if !options.settings.enabled(TM010.id) {
        report.skipped = Some(message);
        return report;
    }
    // The first two lines (at most 4 KiB), for the snippet at 1:1.
    let mut keep = memchr::memchr_iter(b'\n', head_text.as_bytes())
        .nth(1)
        .map_or(head_text.len(), |i| i + 1)
        .min(4096);
    while !head_text.is_char_boundary(keep) {
        keep -= 1;
    }
    let mut report = FileReport::new(display, head_text[..keep].to_string());
    report.findings.push(parse_finding(
        &TM010,
        Span::new(0, 0),
        "",
        message,
        &options.settings,
    ));
    report
}

/// The report of a path that is not a regular file (a FIFO, a device): TM010 at 1:1, never
/// read. Skipped with the reason when TM010 is off.
fn not_regular(display: &str, kind: &str, options: &Options) -> FileReport {
    let mut report = FileReport::new(display, String::new());
    let message = format!("not a regular file ({kind}): not read");
    if options.settings.enabled(TM010.id) {
        report.findings.push(parse_finding(
            &TM010,
            Span::new(0, 0),
            "",
            message,
            &options.settings,
        ));
    } else {
        report.skipped = Some(message);
    }
    report
}

/// Reads and lints one file; never writes to it. The file is opened once; a FIFO or a device
/// is a TM010 finding and is not read; at most max-file-size bytes are read.
pub fn lint_file(
    path: &Path,
    display: &str,
    explicit: bool,
    options: &Options,
) -> Result<FileReport, String> {
    lint_file_with(path, display, explicit, options, None)
}

fn lint_file_with(
    path: &Path,
    display: &str,
    explicit: bool,
    options: &Options,
    on_parse: OnParse<'_>,
) -> Result<FileReport, String> {
    match read_limited(path, options.limits.max_file_size) {
        Err(e) => Err(format!("{display}: {}", io_message(&e))),
        Ok(FileBytes::NotRegular(kind)) => Ok(not_regular(display, kind, options)),
        Ok(FileBytes::TooLarge { head, size }) => Ok(too_large(
            display, "the file", head, size, explicit, options,
        )),
        Ok(FileBytes::Bytes(bytes)) => {
            Ok(lint_bytes_with(display, bytes, explicit, options, on_parse))
        }
    }
}

/// Lints standard input named `display` (`--stdin-filename`): when that path belongs to a stack
/// (a Serverless include, a config fragment), the stack is linted with this text in place of
/// the file (an editor's unsaved buffer), and the findings in it are reported.
/// `bytes` is what was read, at most max-file-size + 1 bytes: more is a TM010 (standard input
/// is only known to be larger).
pub fn lint_stdin(display: &str, bytes: Vec<u8>, options: &Options) -> FileReport {
    if bytes.len() as u64 > options.limits.max_file_size {
        let mut head = bytes;
        head.truncate(HEAD_BYTES as usize);
        return too_large(display, "standard input", head, None, true, options);
    }
    let text = match decode(bytes) {
        Decoded::Text(t) => t,
        Decoded::Invalid(invalid) => return lint_invalid(display, invalid, true, options),
    };
    let abs = stack::absolute(Path::new(display));
    let mut reports = lint_in_stack(display, &abs, &text, &[], options, false);
    match reports.is_empty() {
        false => reports.swap_remove(0).1,
        true => lint_source(display, text, true, options),
    }
}

/// Lints an editor's document (`abs`, its unsaved `text`) as part of the stack it belongs to,
/// assembled from disk with the other open buffers (`open`: absolute path, text) in place of
/// their files: the report of every file of that stack (the document's among them), each with
/// its absolute path, so findings the document causes in an include (or an include's findings
/// that the service file's text decides) are shown where they are written.
pub fn lint_document(
    abs: &Path,
    text: &str,
    open: &[(PathBuf, String)],
    options: &Options,
) -> Vec<(Option<PathBuf>, FileReport)> {
    let display = stack::display_path(abs);
    if text.len() as u64 > options.limits.max_file_size {
        let report = lint_source(&display, text.to_string(), true, options);
        return vec![(Some(abs.to_path_buf()), report)];
    }
    lint_in_stack(&display, abs, text, open, options, true)
}

/// The stack a buffer belongs to, linted with the buffer (and `open`) in place of the files:
/// the buffer's report only, or (`all`) every file's. A buffer that belongs to no stack is
/// linted alone.
fn lint_in_stack(
    display: &str,
    abs: &Path,
    text: &str,
    open: &[(PathBuf, String)],
    options: &Options,
    all: bool,
) -> Vec<(Option<PathBuf>, FileReport)> {
    let abs = abs.to_path_buf();
    let overrides: Vec<(PathBuf, String)> = open
        .iter()
        .filter(|(p, _)| *p != abs)
        .cloned()
        .chain(std::iter::once((abs.clone(), text.to_string())))
        .collect();
    let override_map = || {
        overrides
            .iter()
            .cloned()
            .collect::<foldhash::HashMap<_, _>>()
    };
    let reports_of = |st: stack::Stack| -> Option<Vec<(Option<PathBuf>, FileReport)>> {
        let i = st.files.iter().position(|f| f.abs.as_ref() == Some(&abs))?;
        let findings = lint_stack(&st, options);
        let wanted = |j: usize| all || j == i;
        let paths = (0..st.files.len())
            .filter(|&j| wanted(j))
            .map(|j| st.files[j].abs.clone());
        let reports = distribute(&st, findings, &wanted);
        let mut out: Vec<_> = paths.zip(reports).collect();
        // The buffer's own report first.
        if let Some(k) = out.iter().position(|(p, _)| p.as_ref() == Some(&abs)) {
            out.swap(0, k);
        }
        Some(out)
    };
    for cs in &options.config_stacks {
        if cs.files.contains(&abs) {
            let root = stack::parent(&abs)
                .map(stack::repository_root)
                .unwrap_or_default();
            let mut st = stack::fragments::assemble_with(cs, &options.limits, root, override_map());
            if let Some(t) = &mut st.template {
                stack::params::apply(t, &cs.parameters, &cs.parameters_source);
                stack::params::apply(t, &options.parameters, &options.parameters_source);
            }
            if let Some(r) = reports_of(st) {
                return r;
            }
        }
    }
    let is_service = stack::serverless::is_service_file(&abs);
    if let (Some(dir), true, true) = (stack::parent(&abs), is_service, all) {
        // An editor's service file: its includes are reported too, open buffers in place.
        let found = stack::serverless::assemble_with(
            &abs,
            options.stage.as_deref(),
            &options.limits,
            stack::repository_root(dir),
            override_map(),
        );
        if let Some(mut st) = found {
            if let Some(t) = &mut st.template {
                stack::params::apply(t, &options.parameters, &options.parameters_source);
            }
            if let Some(r) = reports_of(st) {
                return r;
            }
        }
    }
    if let (Some(dir), false) = (stack::parent(&abs), is_service) {
        let top = stack::repository_root(dir);
        for d in dir.ancestors().take_while(|d| d.starts_with(&top)) {
            for candidate in stack::serverless::service_files_in(d) {
                let found = stack::serverless::assemble_with(
                    &candidate,
                    options.stage.as_deref(),
                    &options.limits,
                    top.clone(),
                    override_map(),
                );
                if let Some(mut st) = found {
                    if let Some(t) = &mut st.template {
                        stack::params::apply(t, &options.parameters, &options.parameters_source);
                    }
                    if let Some(r) = reports_of(st) {
                        return r;
                    }
                }
            }
        }
    }
    // A template that nests others, or a nested child whose parent is in its folder or
    // upwards: linted as the group, with this text in place of the file.
    let parsed = template::parse::parse(text, &options.limits);
    if let (Some(root), Some(dir)) = (parsed.root, stack::parent(&abs)) {
        let given_dirs = [dir.to_path_buf()];
        let scanner = stack::links::Scanner::new(&given_dirs);
        let scan = scanner.scan(&abs, text, &parsed.tree, root);
        let in_run: foldhash::HashSet<&Path> = std::iter::once(abs.as_path()).collect();
        let upward = scanner.upward(&[dir], &in_run);
        let parents = scanner.parents_upward(&[(abs.as_path(), &options.limits)], &upward);
        let mut cands = vec![stack::links::Candidate {
            abs: &abs,
            limits: &options.limits,
        }];
        let mut scans = vec![scan];
        for (p, limits, sc) in &parents {
            cands.push(stack::links::Candidate { abs: p, limits });
            scans.push(Some(sc.clone()));
        }
        if let Some(p) = stack::links::plan(&cands, &scans).first() {
            let mut st = scanner.assemble(p, &cands, &overrides);
            if let Some(t) = &mut st.template {
                stack::params::apply(t, &options.parameters, &options.parameters_source);
            }
            if let Some(r) = reports_of(st) {
                return r;
            }
        }
    }
    drop(parsed);
    vec![(
        Some(abs.clone()),
        lint_source(display, text.to_string(), true, options),
    )]
}

/// Lints raw bytes: UTF-8, or UTF-16/UTF-32 with a byte order mark (decoded); text that cannot
/// be decoded is a TM001 at the first bad character (or a skip for non-templates).
pub fn lint_bytes(display: &str, bytes: Vec<u8>, explicit: bool, options: &Options) -> FileReport {
    lint_bytes_with(display, bytes, explicit, options, None)
}

fn lint_bytes_with(
    display: &str,
    bytes: Vec<u8>,
    explicit: bool,
    options: &Options,
    on_parse: OnParse<'_>,
) -> FileReport {
    match decode(bytes) {
        Decoded::Text(text) => lint_source_with(display, text, explicit, options, on_parse),
        Decoded::Invalid(invalid) => lint_invalid(display, invalid, explicit, options),
    }
}

/// The report of a text that cannot be decoded: TM001 at the first bad character when it looks
/// like a template (or `--strict` and named), skipped otherwise.
fn lint_invalid(display: &str, invalid: Invalid, explicit: bool, options: &Options) -> FileReport {
    let Invalid {
        text,
        at,
        len,
        encoding,
        problem,
    } = invalid;
    // Offsets in the lossy text: everything before `at` is decoded as written.
    if !(raw_looks_like_template(&text) || explicit && options.strict) {
        let mut report = FileReport::new(display, String::new());
        report.skipped = Some(format!(
            "not a CloudFormation template (not valid {encoding})"
        ));
        return report;
    }
    let mut report = FileReport::new(display, text);
    let message = match encoding {
        "UTF-8" => format!("{problem}: CloudFormation templates are UTF-8 text"),
        _ => problem,
    };
    report.findings.push(parse_finding(
        &TM001,
        Span::new(at, at + len),
        "",
        message,
        &options.settings,
    ));
    report
}

/// The extensions a directory walk picks up.
pub const TEMPLATE_EXTENSIONS: &[&str] = &["yaml", "yml", "json", "template"];

/// The outcome of linting paths: one report per file, sorted by path, and errors that make
/// the run exit 2 (paths that do not exist, unreadable files).
#[derive(Debug, Default)]
pub struct Outcome {
    pub reports: Vec<FileReport>,
    pub errors: Vec<String>,
    /// What `--verbose` says about stacks: each stack, its files, where parameters came from.
    pub notes: Vec<String>,
    /// Every file the run read (absolute paths): a report must never be written over one.
    pub read: Vec<PathBuf>,
    /// One-line notes printed whatever `--verbose` says: files that may be templates and were
    /// not linted (in hidden folders, behind symbolic links out of the walked folders).
    pub summary_notes: Vec<String>,
}

/// Drops the text of a report that no format will show: a skipped file's, and a file's without
/// findings (a run keeps only what its reports need).
fn shed(mut r: FileReport) -> FileReport {
    if r.skipped.is_some() || r.findings.is_empty() {
        r.source = String::new();
        r.index = LineIndex::new("");
    }
    r
}

/// How a run finds the options of a file: from the folder it lies in (the nearest config
/// upwards, as ruff does), or the same for every file.
pub type OptionsFor<'a> = dyn Fn(&Path) -> Result<std::sync::Arc<Options>, String> + Sync + 'a;

/// The options of each folder of a run: the nearest config upwards from it (or the one config
/// `--config` names), each config read and turned into options once, each folder looked up
/// once (most files of a run share a few folders). [`OptionsByDir::get`] serves as
/// [`OptionsFor`].
pub struct OptionsByDir<'a> {
    /// The config `--config` names: every folder takes it.
    fixed: Option<Option<PathBuf>>,
    make: &'a (dyn Fn(&config::Config) -> Result<Options, String> + Sync),
    by_file: std::sync::Mutex<std::collections::HashMap<Option<PathBuf>, std::sync::Arc<Options>>>,
    by_dir: std::sync::Mutex<std::collections::HashMap<PathBuf, std::sync::Arc<Options>>>,
}

impl<'a> OptionsByDir<'a> {
    /// `first`: a config already read (its path, `None` for no config) and its options;
    /// `fixed`: whether that config serves every folder (`--config`).
    pub fn new(
        first: (Option<PathBuf>, Options),
        fixed: bool,
        make: &'a (dyn Fn(&config::Config) -> Result<Options, String> + Sync),
    ) -> OptionsByDir<'a> {
        let (path, options) = first;
        OptionsByDir {
            fixed: fixed.then(|| path.clone()),
            make,
            by_file: std::sync::Mutex::new(std::collections::HashMap::from([(
                path,
                std::sync::Arc::new(options),
            )])),
            by_dir: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// The options of the files of a folder.
    pub fn get(&self, dir: &Path) -> Result<std::sync::Arc<Options>, String> {
        if let Some(o) = lock(&self.by_dir).get(dir) {
            return Ok(o.clone());
        }
        let path = match &self.fixed {
            Some(p) => p.clone(),
            None => config::find(dir),
        };
        let o = {
            let mut by_file = lock(&self.by_file);
            match by_file.get(&path) {
                Some(o) => o.clone(),
                None => {
                    let config = match &path {
                        Some(p) => config::load(p)?,
                        None => config::Config::default(),
                    };
                    let o = std::sync::Arc::new((self.make)(&config)?);
                    by_file.insert(path, o.clone());
                    o
                }
            }
        };
        lock(&self.by_dir).insert(dir.to_path_buf(), o.clone());
        Ok(o)
    }
}

/// A lock whose holder panicked still guards consistent data here (each insert is whole).
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Expands paths (directories walked recursively, honouring .gitignore) and lints every file
/// in parallel, every file with `options`.
pub fn lint_paths(paths: &[PathBuf], options: &Options) -> Outcome {
    let shared = std::sync::Arc::new(options.clone());
    lint_paths_with(paths, options, &|_| Ok(shared.clone()))
}

/// Like [`lint_paths`], each file (and stack) with the options `options_for` gives for its
/// folder; `options` gives the walk's `exclude` (relative to its `exclude_root`).
pub fn lint_paths_with(
    paths: &[PathBuf],
    options: &Options,
    options_for: &OptionsFor<'_>,
) -> Outcome {
    let mut outcome = Outcome::default();
    let exclude = match walk::Exclude::new(options) {
        Ok(m) => std::sync::Arc::new(m),
        Err(e) => {
            outcome.errors.push(e);
            return outcome;
        }
    };
    let expanded = walk::expand(paths, &exclude);
    crate::timing("expanded");
    let files = expanded.files;
    let special = expanded.special;
    let mut given_dirs = expanded.given_dirs;
    outcome.errors.extend(expanded.errors);
    outcome.notes.extend(expanded.notes);
    outcome.summary_notes.extend(expanded.summary_notes);
    outcome.reports.extend(expanded.skipped);
    // The options of each file, from its folder's config (errors: exit 2, the file is skipped).
    // (In parallel: the absolute path and the options lookup are most of a run's serial work.)
    let looked_up: Vec<Result<RunFile, String>> = files
        .into_par_iter()
        .map(|(p, explicit)| {
            let abs = stack::absolute(&p);
            let o = options_for(stack::parent(&abs).unwrap_or(Path::new("")))?;
            Ok((p, explicit, o, abs))
        })
        .collect();
    let mut with_options: Vec<RunFile> = Vec::with_capacity(looked_up.len());
    for r in looked_up {
        match r {
            Ok(f) => with_options.push(f),
            Err(e) => {
                if !outcome.errors.contains(&e) {
                    outcome.errors.push(e);
                }
            }
        }
    }
    given_dirs.sort();
    given_dirs.dedup();
    let stacks = assemble_stacks(&with_options, &given_dirs, options_for, &mut outcome.notes);
    crate::timing("stacks assembled");
    outcome
        .read
        .extend(with_options.iter().map(|f| f.3.clone()));
    let in_stacks: PathSet = stacks
        .iter()
        .flat_map(|(st, _, _)| st.files.iter().filter_map(|f| f.abs.clone()))
        .collect();
    outcome.read.extend(in_stacks.iter().cloned());
    let stack_reports = lint_run_stacks(&stacks);
    // (Freed by the pool: a stack's merged tree and texts were 17M instructions of the
    // corpus run's serial end.)
    stacks.into_par_iter().for_each(drop);
    crate::timing("stacks linted");
    // Folders under a Serverless service written as code (`serverless.ts`/`.js`), which this tool
    // cannot read: a fragment there may use names that service defines or generates.
    let code_services = code_service_dirs(&with_options, &in_stacks, &given_dirs);
    // The files no stack holds: each is read and linted once, and the text it was read with
    // tells (a look, then a parse only where it may) what it nests, exports and imports.
    let free: Vec<&RunFile> = with_options
        .iter()
        .filter(|(_, _, _, abs)| !in_stacks.contains(abs))
        .collect();
    let scanner = stack::links::Scanner::new(&given_dirs);
    let in_run: foldhash::HashSet<&Path> = free.iter().map(|f| f.3.as_path()).collect();
    // The folders of the files named (where a parent outside the run is looked for), listed
    // with the folders above them while the files are linted (it needs no file's scan).
    let mut named_dirs: Vec<&Path> = free
        .iter()
        .filter(|f| f.1)
        .filter_map(|f| stack::parent(&f.3))
        .collect();
    named_dirs.dedup();
    let ((results, scans), upward): ((Vec<Result<FileReport, String>>, Vec<_>), _) = rayon::join(
        || lint_free(&free, &special, &code_services, &scanner),
        || scanner.upward(&named_dirs, &in_run),
    );
    crate::timing("free linted");
    // Templates that nest, or link through exports and imports, are linted again as one group
    // (a few files of a run); their reports as single files give way to the group's.
    // A nested child named alone (pre-commit passes the changed file): its parent outside the
    // run, looked for in its folder and upwards, joins the run's templates (its own findings
    // are not reported: it was not given).
    let mut scans = scans;
    let nested: foldhash::HashSet<&Path> = scans
        .iter()
        .flatten()
        .flat_map(|s| s.children.iter().map(PathBuf::as_path))
        .collect();
    let named: Vec<(&Path, &Limits)> = free
        .iter()
        .filter(|f| f.1 && !nested.contains(f.3.as_path()))
        .map(|f| (f.3.as_path(), &f.2.limits))
        .collect();
    let parents = scanner.parents_upward(&named, &upward);
    drop(nested);
    let mut cands: Vec<stack::links::Candidate<'_>> = free
        .iter()
        .map(|f| stack::links::Candidate {
            abs: &f.3,
            limits: &f.2.limits,
        })
        .collect();
    let mut opts_of: Vec<std::sync::Arc<Options>> = free.iter().map(|f| f.2.clone()).collect();
    for (abs, limits, scan) in &parents {
        cands.push(stack::links::Candidate { abs, limits });
        scans.push(Some(scan.clone()));
        opts_of.push(std::sync::Arc::new(Options {
            limits: *limits,
            ..options.clone()
        }));
    }
    let planned = stack::links::plan(&cands, &scans);
    crate::timing("planned");
    let given: PathSet = with_options.iter().map(|f| f.3.clone()).collect();
    let groups: Vec<RunStack> = planned
        .par_iter()
        .map(|p| {
            let st = scanner.assemble(p, &cands, &[]);
            // The options of the group's first file the run was given.
            let o = p
                .starts
                .iter()
                .copied()
                .find(|&i| i < free.len())
                .or_else(|| {
                    st.files
                        .iter()
                        .filter_map(|f| f.abs.as_deref())
                        .find_map(|a| free.iter().position(|f| f.3 == a))
                })
                .map_or_else(|| opts_of[p.starts[0]].clone(), |i| opts_of[i].clone());
            (st, o)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|(st, o)| finish_stack(st, o, &given, &mut outcome.notes))
        .collect();
    let in_groups: foldhash::HashSet<&Path> = groups
        .iter()
        .flat_map(|(st, _, _)| st.files.iter().filter_map(|f| f.abs.as_deref()))
        .collect();
    outcome
        .read
        .extend(in_groups.iter().map(|p| p.to_path_buf()));
    let group_reports = lint_run_stacks(&groups);
    for (r, f) in results.into_iter().zip(&free) {
        if in_groups.contains(f.3.as_path()) {
            continue;
        }
        match r {
            Ok(report) => outcome.reports.push(report),
            Err(e) => outcome.errors.push(e),
        }
    }
    drop(in_groups);
    groups.into_par_iter().for_each(drop);
    outcome.reports.extend(
        stack_reports
            .into_iter()
            .chain(group_reports)
            .flatten()
            .map(shed),
    );
    outcome.reports = merge_reports(std::mem::take(&mut outcome.reports));
    crate::timing("merged");
    outcome.errors.sort();
    outcome
}

/// The reports of the run's stacks (in parallel): each stack linted whole, its findings
/// handed to the files whose findings are reported.
fn lint_run_stacks(stacks: &[RunStack]) -> Vec<Vec<FileReport>> {
    stacks
        .par_iter()
        .map(|(st, wanted, opts)| {
            let findings = lint_stack(st, opts);
            distribute(st, findings, &|i| wanted.contains(&i))
        })
        .collect()
}

/// The run's files that no stack holds, each read and linted once (in parallel), with what
/// its text tells of what it nests, exports and imports.
fn lint_free(
    free: &[&RunFile],
    special: &std::collections::HashMap<PathBuf, &'static str>,
    code_services: &PathSet,
    scanner: &stack::links::Scanner<'_>,
) -> (
    Vec<Result<FileReport, String>>,
    Vec<Option<stack::links::Scan>>,
) {
    // (In pieces of a few files: rayon's default splitting leaves pieces of hundreds of files
    // that a thread gone idle cannot take from, and the run's files differ a hundredfold in
    // size; measured: the corpus run's lint phase 100 ms -> 86 ms on 2 cores.)
    free.par_iter()
        .with_max_len(4)
        .map(|(path, explicit, opts, abs)| {
            let display = path.to_string_lossy();
            let display = display.strip_prefix("./").unwrap_or(&display);
            // A FIFO or a device named explicitly: never opened.
            if let Some(kind) = special.get(path) {
                return (Ok(not_regular(display, kind, opts)), None);
            }
            let mut scan = None;
            let mut on_parse = |tree: &template::Tree, root: NodeId, text: &str| {
                scan = scanner.scan(abs, text, tree, root);
            };
            let report = if stack::parent(abs).is_some_and(|d| code_services.contains(d)) {
                let o = Options {
                    names_defined_elsewhere: true,
                    ..(**opts).clone()
                };
                lint_file_with(path, display, *explicit, &o, Some(&mut on_parse))
            } else {
                lint_file_with(path, display, *explicit, opts, Some(&mut on_parse))
            };
            // Only the text a report shows is kept until the end of the run.
            (report.map(shed), scan)
        })
        .unzip()
}

/// The folders (of the run's single files) that lie in or under a folder holding a Serverless
/// service written as code (`serverless.ts`, `.js`, `.mjs`, `.cjs`), within the repository.
fn code_service_dirs(files: &[RunFile], in_stacks: &PathSet, given_dirs: &[PathBuf]) -> PathSet {
    const CODE: &[&str] = &[
        "serverless.ts",
        "serverless.js",
        "serverless.mjs",
        "serverless.cjs",
    ];
    // Whether a folder itself holds such a file; the folders already judged.
    let mut has_code: std::collections::HashMap<PathBuf, bool> = std::collections::HashMap::new();
    let mut judged = PathSet::default();
    let mut out = PathSet::default();
    for (_, _, _, abs) in files {
        if in_stacks.contains(abs) {
            continue;
        }
        let Some(dir) = stack::parent(abs) else {
            continue;
        };
        if !judged.insert(dir.to_path_buf()) {
            continue;
        }
        let top = stack::repository_root_in(dir, given_dirs);
        let found = dir
            .ancestors()
            .take_while(|d| d.starts_with(&top))
            .any(|d| {
                *has_code
                    .entry(d.to_path_buf())
                    .or_insert_with(|| CODE.iter().any(|n| d.join(n).is_file()))
            });
        if found {
            out.insert(dir.to_path_buf());
        }
    }
    out
}

/// Reports of one file from several stacks (a shared include) become one.
fn merge_reports(mut reports: Vec<FileReport>) -> Vec<FileReport> {
    reports.sort_by(|a, b| a.path.cmp(&b.path));
    let mut out: Vec<FileReport> = Vec::with_capacity(reports.len());
    for r in reports {
        match out.last_mut() {
            Some(last) if last.path == r.path => {
                if last.skipped.is_some() {
                    *last = r;
                } else if r.skipped.is_none() {
                    last.findings.extend(r.findings);
                    sort_findings(&mut last.findings);
                }
            }
            _ => out.push(r),
        }
    }
    out
}

fn sort_findings(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        (a.span.start, a.rule.id, a.span.end).cmp(&(b.span.start, b.rule.id, b.span.end))
    });
    findings.dedup_by(|a, b| a.span == b.span && a.rule.id == b.rule.id && a.message == b.message);
}

/// Sets of paths (foldhash: a path's hash walks its bytes, SipHash on top doubled that).
type PathSet = foldhash::HashSet<PathBuf>;

/// A file of the run: its path as given or found, whether it was named explicitly, its
/// options, its absolute path.
type RunFile = (PathBuf, bool, std::sync::Arc<Options>, PathBuf);

/// A stack of the run, the indexes of its files whose findings are reported, its options.
type RunStack = (stack::Stack, Vec<usize>, std::sync::Arc<Options>);

/// The stacks of a run, each with the indexes of its files whose findings are reported: every
/// file of a stack whose service file is among the paths, else only the files given (a
/// pre-commit run on one included file lints the whole service and reports that file).
fn assemble_stacks(
    files: &[RunFile],
    given_dirs: &[PathBuf],
    options_for: &OptionsFor<'_>,
    notes: &mut Vec<String>,
) -> Vec<RunStack> {
    use std::sync::Arc;
    let mut given: PathSet = files.iter().map(|f| f.3.clone()).collect();
    let options_of = |p: &Path| {
        let dir = stack::absolute(stack::parent(p).unwrap_or(Path::new("")));
        options_for(&dir).ok()
    };
    // Service files among the paths, and the services of compose files.
    let mut roots: Vec<(PathBuf, Arc<Options>)> = Vec::new();
    for (p, _, o, _) in files {
        if stack::serverless::is_service_file(p) {
            roots.push((p.clone(), o.clone()));
        } else if stack::serverless::is_compose_file(p) {
            // The compose file names its services: each is linted whole, like a service file
            // given on the command line.
            for s in stack::serverless::compose_services(p) {
                given.insert(stack::absolute(&s));
                if let Some(o) = options_of(&s) {
                    roots.push((s, o));
                }
            }
        }
    }
    roots.sort_by(|a, b| a.0.cmp(&b.0));
    roots.dedup_by(|a, b| a.0 == b.0);
    let mut stacks: Vec<(stack::Stack, Arc<Options>)> = roots
        .par_iter()
        .filter_map(|(p, o)| {
            let dir = stack::parent(p).map(Path::to_path_buf).unwrap_or_default();
            stack::serverless::assemble(
                p,
                o.stage.as_deref(),
                &o.limits,
                stack::repository_root_in(&dir, given_dirs),
            )
            .map(|st| (st, o.clone()))
        })
        .collect();
    // The fragment stacks of every config that governs a file of the run.
    let mut configs: Vec<Arc<Options>> = Vec::new();
    for (_, _, o, _) in files {
        if !configs.iter().any(|c| Arc::ptr_eq(c, o)) {
            configs.push(o.clone());
        }
    }
    for o in &configs {
        for cs in &o.config_stacks {
            if cs.files.iter().any(|f| given.contains(f)) {
                let root = cs
                    .files
                    .first()
                    .and_then(|f| f.parent())
                    .map(|d| stack::repository_root_in(d, given_dirs))
                    .unwrap_or_default();
                let mut st = stack::fragments::assemble(cs, &o.limits, root);
                if let Some(t) = &mut st.template {
                    stack::params::apply(t, &cs.parameters, &cs.parameters_source);
                }
                stacks.push((st, o.clone()));
            }
        }
    }
    // A file given alone that belongs to a service: the service upwards that includes it.
    let mut covered: PathSet = stacks
        .iter()
        .flat_map(|(st, _)| st.files.iter().filter_map(|f| f.abs.clone()))
        .collect();
    let assembled: PathSet = roots.iter().map(|r| stack::absolute(&r.0)).collect();
    // Services found upwards, assembled once each (None: not a service), whether used, and the
    // service files of each folder looked at.
    let mut found: std::collections::HashMap<PathBuf, Option<(stack::Stack, Arc<Options>, bool)>> =
        std::collections::HashMap::new();
    let mut services_in: std::collections::HashMap<PathBuf, Vec<PathBuf>> =
        std::collections::HashMap::new();
    let mut candidates_of: std::collections::HashMap<PathBuf, Vec<(PathBuf, PathBuf)>> =
        std::collections::HashMap::new();
    for (_, explicit, _, abs) in files {
        let abs = abs.clone();
        if !explicit || covered.contains(&abs) {
            continue;
        }
        let Some(dir) = abs.parent() else { continue };
        // The service files upwards from this folder, found once per folder.
        if !candidates_of.contains_key(dir) {
            let top = stack::repository_root_in(dir, given_dirs);
            let mut list = Vec::new();
            for d in dir.ancestors().take_while(|d| d.starts_with(&top)) {
                let here = services_in.entry(d.to_path_buf()).or_insert_with(|| {
                    let mut found = stack::serverless::service_files_in(d);
                    found.retain(|c| !assembled.contains(c));
                    found
                });
                list.extend(here.iter().map(|c| (c.clone(), top.clone())));
            }
            candidates_of.insert(dir.to_path_buf(), list);
        }
        let candidates = candidates_of.get(dir).cloned().unwrap_or_default();
        {
            for (candidate, top) in candidates {
                let entry = found.entry(candidate.clone()).or_insert_with(|| {
                    let o = options_of(&candidate)?;
                    let st = stack::serverless::assemble(
                        &candidate,
                        o.stage.as_deref(),
                        &o.limits,
                        top.clone(),
                    )?;
                    Some((st, o, false))
                });
                if let Some((st, _, used)) = entry {
                    if st.files.iter().any(|f| f.abs.as_ref() == Some(&abs)) {
                        *used = true;
                        covered.extend(st.files.iter().filter_map(|f| f.abs.clone()));
                    }
                }
            }
        }
    }
    let mut upward: Vec<(PathBuf, stack::Stack, Arc<Options>)> = found
        .into_iter()
        .filter_map(|(p, v)| v.filter(|x| x.2).map(|(st, o, _)| (p, st, o)))
        .collect();
    upward.sort_by(|a, b| a.0.cmp(&b.0));
    stacks.extend(upward.into_iter().map(|(_, st, o)| (st, o)));
    let (cdk, whole) = stack::cdk::stacks_of_run(files, &stacks, given_dirs);
    given.extend(whole);
    stacks.extend(cdk);
    let amplify = stack::amplify::stacks_of_run(files, &stacks, given_dirs);
    stacks.extend(amplify);
    stacks
        .into_iter()
        .map(|(st, o)| finish_stack(st, o, &given, notes))
        .collect()
}

/// A stack of the run ready to lint: the run's parameter values applied, the files whose
/// findings are reported (those the run was given: `given`, absolute paths), its notes kept.
fn finish_stack(
    mut st: stack::Stack,
    o: std::sync::Arc<Options>,
    given: &PathSet,
    notes: &mut Vec<String>,
) -> RunStack {
    // Parameter values of the run (`--parameters`) win over a config stack's.
    if let Some(t) = &mut st.template {
        stack::params::apply(t, &o.parameters, &o.parameters_source);
    }
    let root_given = st.kind == stack::StackKind::Serverless
        && st
            .files
            .first()
            .and_then(|f| f.abs.as_ref())
            .is_some_and(|a| given.contains(a));
    let wanted: Vec<usize> = (0..st.files.len())
        .filter(|&i| {
            // Files without a path of their own (the config of a fragment stack) are
            // always reported: the run named the stack through them.
            root_given || st.files[i].abs.as_ref().is_none_or(|a| given.contains(a))
        })
        .collect();
    notes.extend(st.notes.iter().cloned());
    (st, wanted, o)
}

/// Lints an assembled stack: findings in stack spans.
pub fn lint_stack(st: &stack::Stack, options: &Options) -> Vec<Finding> {
    let settings = &options.settings;
    let mut findings = match &st.template {
        Some(t) => run_rules(
            t,
            &stack::Sources::of(&st.files),
            st.issues.clone(),
            options,
        ),
        None => st
            .issues
            .iter()
            .map(|i| {
                let mut f = parse_finding(meta_of(i.rule), i.span, "", i.message.clone(), settings);
                if let Some((span, label)) = &i.label {
                    f.labels.push((*span, label.clone()));
                }
                f
            })
            .collect(),
    };
    // A limit exceeded in a file stops that file's other findings.
    findings.retain(|f| settings.enabled(f.rule.id));
    if let (Some(visit), Some(t)) = (&options.visit, &st.template) {
        (visit.0)(StackView {
            name: &st.name,
            files: &st.files,
            template: t,
            findings: &findings,
        });
    }
    findings
}

/// Hands a stack's findings to the files their spans lie in (spans made local); labels in other
/// files become `related`. Only the files `wanted` says are reported.
pub fn distribute(
    st: &stack::Stack,
    findings: Vec<Finding>,
    wanted: &dyn Fn(usize) -> bool,
) -> Vec<FileReport> {
    let name: std::sync::Arc<str> = st.name.as_str().into();
    let mut per_file: Vec<Vec<Finding>> = vec![Vec::new(); st.files.len()];
    for mut f in findings {
        let i = st.file_of(f.span).unwrap_or(0);
        if !wanted(i) {
            continue;
        }
        let Some(file) = st.files.get(i) else {
            continue;
        };
        f.span = file.local(f.span).unwrap_or_default();
        let labels = std::mem::take(&mut f.labels);
        for (span, text) in labels {
            let j = st.file_of(span).unwrap_or(0);
            let Some(other) = st.files.get(j) else {
                continue;
            };
            let local = other.local(span).unwrap_or_default();
            if j == i {
                f.labels.push((local, text));
            } else {
                f.related.push(rules::Related {
                    file: other.clone(),
                    span: local,
                    message: text,
                });
            }
        }
        f.stack = Some(name.clone());
        per_file[i].push(f);
    }
    let mut out = Vec::new();
    for (i, mut findings) in per_file.into_iter().enumerate() {
        if !wanted(i) {
            continue;
        }
        let file = &st.files[i];
        // The stack file's own line index (of the same text), where there are findings.
        let mut report = FileReport::unindexed(&file.path, file.text.clone());
        if !findings.is_empty() {
            report.index = file.index.clone();
        }
        sort_findings(&mut findings);
        report.findings = findings;
        if i == 0 && st.template.is_none() && report.findings.is_empty() {
            report.skipped = Some(match st.kind {
                stack::StackKind::Serverless => {
                    "Serverless service without CloudFormation: no `resources` and no functions"
                        .to_string()
                }
                stack::StackKind::Fragments | stack::StackKind::Group => {
                    "stack without CloudFormation sections".to_string()
                }
            });
        }
        out.push(report);
    }
    out
}

/// With `CFN_COGNITO_LINT_TIMINGS` set, writes to standard error how long the run has taken
/// when it reaches `phase` (milliseconds since the first call, made at the start of `main`):
/// where a large run spends its serial time (README, Performance). Otherwise nothing.
#[doc(hidden)]
pub fn timing(phase: &str) {
    static START: std::sync::OnceLock<Option<std::time::Instant>> = std::sync::OnceLock::new();
    let start = START.get_or_init(|| {
        std::env::var_os("CFN_COGNITO_LINT_TIMINGS").map(|_| std::time::Instant::now())
    });
    if let Some(s) = start {
        eprintln!("{:>9.2} ms  {phase}", s.elapsed().as_secs_f64() * 1000.0);
    }
}
