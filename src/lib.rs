//! cfn-cognito-lint: lints CloudFormation templates that wire Amazon Cognito to IAM.
//!
//! The library parses, builds the graph and runs the rules; it never prints or exits.
//! [`lint_source`] lints one text, [`lint_paths`] files and directories in parallel.

pub mod config;
pub mod graph;
pub mod iam;
pub mod policy;
pub mod report;
pub mod rules;
pub mod schema;
pub mod suppress;
mod table;
pub mod template;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use rules::registry::CHECKS;
use rules::template::{TM001, TM002, TM008, TM010};
use rules::{Context, Emitter, Finding, Loc, RuleMeta, Settings};
use template::{Limits, LineIndex, NotTemplate, Span, Template};

/// Everything a run needs besides the paths.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub settings: Settings,
    pub limits: Limits,
    /// A non-template named explicitly is TM001 instead of skipped.
    pub strict: bool,
    /// Globs (gitignore syntax) of paths not to lint.
    pub exclude: Vec<String>,
}

/// The result of linting one file.
#[derive(Debug)]
pub struct FileReport {
    /// The path as given or found (relative where it was relative).
    pub path: String,
    pub source: String,
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
}

/// Raw text that looks like a template even though it does not parse.
fn raw_looks_like_template(text: &str) -> bool {
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
    }
}

fn meta_of(id: &str) -> &'static RuleMeta {
    match id {
        "TM002" => &TM002,
        "TM008" => &TM008,
        "TM010" => &TM010,
        _ => &TM001,
    }
}

/// Lints one template text. `explicit`: the file was named by the user (not found in a walk).
pub fn lint_source(path: &str, text: String, explicit: bool, options: &Options) -> FileReport {
    let mut report = FileReport::new(path, text);
    let findings = lint_text(&report.source, explicit, options);
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
    report
}

fn lint_text(text: &str, explicit: bool, options: &Options) -> Result<Vec<Finding>, String> {
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
            return Ok(vec![parse_finding(
                &TM001,
                Span::new(0, 0),
                "",
                "empty file: not a CloudFormation template".into(),
                settings,
            )]);
        }
        return Err("empty file".to_string());
    };
    let template = match Template::build(parsed.tree, root, limits) {
        Ok(t) => t,
        Err(NotTemplate::Other) => {
            if strict {
                return Ok(vec![parse_finding(
                    &TM001,
                    Span::new(0, 0),
                    "",
                    "not a CloudFormation template: no `Resources` and no `AWSTemplateFormatVersion`".into(),
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
    Ok(run_rules(&template, text, parsed.issues, options))
}

/// Runs the graph and every check on a parsed template.
fn run_rules(
    template: &Template,
    text: &str,
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
    let graph = graph::build(template, text, &mut out);
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

/// Reads and lints one file; never writes to it.
pub fn lint_file(
    path: &Path,
    display: &str,
    explicit: bool,
    options: &Options,
) -> Result<FileReport, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{display}: {e}"))?;
    if meta.len() > options.limits.max_file_size {
        // Look at the head only, to tell a huge template from a huge data file.
        use std::io::Read;
        let mut head = vec![0u8; 64 * 1024];
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .map_err(|e| format!("{display}: {e}"))?;
        let head_text = String::from_utf8_lossy(&head[..n]);
        let mut report = FileReport::new(display, head_text.to_string());
        if !(raw_looks_like_template(&head_text) || explicit && options.strict) {
            report.skipped =
                Some("not a CloudFormation template (larger than max-file-size)".to_string());
            return Ok(report);
        }
        report.findings.push(parse_finding(
            &TM010,
            Span::new(0, 0),
            "",
            format!(
                "the file is {} bytes, more than max-file-size ({} bytes): it is not analysed",
                meta.len(),
                options.limits.max_file_size
            ),
            &options.settings,
        ));
        return Ok(report);
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{display}: {e}"))?;
    Ok(lint_bytes(display, bytes, explicit, options))
}

/// Lints raw bytes: invalid UTF-8 is a TM001 at the first bad byte (or a skip for non-templates).
pub fn lint_bytes(display: &str, bytes: Vec<u8>, explicit: bool, options: &Options) -> FileReport {
    match String::from_utf8(bytes) {
        Ok(text) => lint_source(display, text, explicit, options),
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            let mut report = FileReport::new(display, text);
            // Offsets in the lossy text: everything before `at` is unchanged.
            if !(raw_looks_like_template(&report.source) || explicit && options.strict) {
                report.skipped =
                    Some("not a CloudFormation template (not valid UTF-8)".to_string());
                return report;
            }
            report.findings.push(parse_finding(
                &TM001,
                Span::new(at, at + '\u{fffd}'.len_utf8()),
                "",
                format!("invalid UTF-8 at byte {at}: CloudFormation templates are UTF-8 text"),
                &options.settings,
            ));
            report
        }
    }
}

/// The extensions a directory walk picks up.
pub const TEMPLATE_EXTENSIONS: &[&str] = &["yaml", "yml", "json", "template"];

/// The outcome of linting paths: one report per file, sorted by path, and errors that make
/// the run exit 2 (paths that do not exist, unreadable files).
#[derive(Debug, Default)]
pub struct Outcome {
    pub reports: Vec<FileReport>,
    pub errors: Vec<String>,
}

/// The config's `exclude` globs (gitignore syntax, relative to the current directory).
fn exclude_matcher(globs: &[String]) -> Result<ignore::gitignore::Gitignore, String> {
    let mut b = ignore::gitignore::GitignoreBuilder::new(".");
    for g in globs {
        b.add_line(None, g)
            .map_err(|e| format!("exclude `{g}`: {e}"))?;
    }
    b.build().map_err(|e| e.to_string())
}

/// Expands paths (directories walked recursively, honouring .gitignore) and lints every file
/// in parallel.
pub fn lint_paths(paths: &[PathBuf], options: &Options) -> Outcome {
    let mut outcome = Outcome::default();
    let mut files: Vec<(PathBuf, bool)> = Vec::new();
    let exclude = match exclude_matcher(&options.exclude) {
        Ok(m) => m,
        Err(e) => {
            outcome.errors.push(e);
            return outcome;
        }
    };
    // An explicitly named file is excluded when it or one of its folders matches.
    let excluded = |p: &Path, dir: bool| {
        let rel = p.strip_prefix("./").unwrap_or(p);
        exclude.matched(rel, dir).is_ignore()
            || rel
                .ancestors()
                .skip(1)
                .any(|a| !a.as_os_str().is_empty() && exclude.matched(a, true).is_ignore())
    };
    for p in paths {
        if p.is_dir() {
            let walker = ignore::WalkBuilder::new(p)
                .hidden(true)
                .git_ignore(true)
                .require_git(false)
                .filter_entry({
                    let exclude = exclude.clone();
                    move |e| {
                        let rel = e.path().strip_prefix("./").unwrap_or(e.path());
                        !exclude
                            .matched(rel, e.file_type().is_some_and(|t| t.is_dir()))
                            .is_ignore()
                    }
                })
                .build_parallel();
            // Walked on several threads; the order is restored by sorting below.
            let found = std::sync::Mutex::new((Vec::new(), Vec::new()));
            walker.run(|| {
                let found = &found;
                Box::new(move |entry| {
                    let mut guard = match found.lock() {
                        Ok(g) => g,
                        Err(poisoned) => poisoned.into_inner(),
                    };
                    match entry {
                        Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                            let ext = e.path().extension().and_then(|x| x.to_str()).unwrap_or("");
                            if TEMPLATE_EXTENSIONS.contains(&ext) {
                                guard.0.push((e.into_path(), false));
                            }
                        }
                        Ok(_) => {}
                        Err(err) => guard.1.push(err.to_string()),
                    }
                    ignore::WalkState::Continue
                })
            });
            let (walked, errors) = found.into_inner().unwrap_or_else(|p| p.into_inner());
            files.extend(walked);
            outcome.errors.extend(errors);
        } else if p.exists() {
            if !excluded(p, false) {
                files.push((p.clone(), true));
            }
        } else {
            outcome
                .errors
                .push(format!("{}: no such file or directory", p.display()));
        }
    }
    files.sort();
    files.dedup();
    let results: Vec<Result<FileReport, String>> = files
        .par_iter()
        .map(|(path, explicit)| {
            let display = path.to_string_lossy();
            let display = display.strip_prefix("./").unwrap_or(&display);
            lint_file(path, display, *explicit, options)
        })
        .collect();
    for r in results {
        match r {
            Ok(report) => outcome.reports.push(report),
            Err(e) => outcome.errors.push(e),
        }
    }
    outcome.reports.sort_by(|a, b| a.path.cmp(&b.path));
    outcome.errors.sort();
    outcome
}
