//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use cfn_cognito_lint::report::human::{self, Style};
use cfn_cognito_lint::rules::Settings;
use cfn_cognito_lint::{FileReport, Options, lint_file, lint_source};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the repository, if present.
pub fn shared() -> Option<PathBuf> {
    let p = root().join("..").join("shared");
    p.join("spec").is_dir().then_some(p)
}

pub fn lint(rel: &str) -> FileReport {
    lint_with(rel, &Options::default())
}

pub fn lint_with(rel: &str, options: &Options) -> FileReport {
    let path = root().join(rel);
    match lint_file(&path, rel, true, options) {
        Ok(r) => r,
        Err(e) => panic!("cannot lint {rel}: {e}"),
    }
}

pub fn lint_text(name: &str, text: &str, settings: Settings) -> FileReport {
    let options = Options {
        settings,
        ..Options::default()
    };
    lint_source(name, text.to_string(), true, &options)
}

/// (rule, line) of every finding.
pub fn rule_lines(r: &FileReport) -> Vec<(String, usize)> {
    r.findings
        .iter()
        .map(|f| {
            (
                f.rule.id.to_string(),
                r.index.line_col(&r.source, f.span.start).line,
            )
        })
        .collect()
}

/// (rule, resource, line) of every finding.
pub fn rule_resource_lines(r: &FileReport) -> Vec<(String, String, usize)> {
    r.findings
        .iter()
        .map(|f| {
            (
                f.rule.id.to_string(),
                f.resource.clone().unwrap_or_default(),
                r.index.line_col(&r.source, f.span.start).line,
            )
        })
        .collect()
}

pub fn human(r: &FileReport) -> String {
    human::render(
        std::slice::from_ref(r),
        Style {
            color: false,
            width: 100,
        },
        false,
    )
}

/// The folders in `dir`, sorted.
pub fn dirs_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The files in `dir` (not its folders), sorted.
pub fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Lints paths as the binary does: each file with the nearest config upwards (its `stacks`
/// included), default settings otherwise.
pub fn lint_run(rels: &[&str]) -> cfn_cognito_lint::Outcome {
    use std::sync::Arc;
    let paths: Vec<PathBuf> = rels.iter().map(|r| root().join(r)).collect();
    let options_for = |dir: &Path| -> Result<Arc<Options>, String> {
        let config = match cfn_cognito_lint::config::find(dir) {
            Some(p) => cfn_cognito_lint::config::load(&p)?,
            None => cfn_cognito_lint::config::Config::default(),
        };
        Ok(Arc::new(Options {
            config_stacks: cfn_cognito_lint::config_stacks(&config, None)?,
            limits: config.limits,
            ..Options::default()
        }))
    };
    cfn_cognito_lint::lint_paths_with(&paths, &Options::default(), &options_for)
}

/// (file relative to the repository, rule, resource, line) of every finding of a run.
pub fn run_findings(outcome: &cfn_cognito_lint::Outcome) -> Vec<(String, String, String, usize)> {
    let base = format!("{}/", root().display());
    let mut out = Vec::new();
    for r in &outcome.reports {
        let file = r.path.strip_prefix(&base).unwrap_or(&r.path).to_string();
        for f in &r.findings {
            out.push((
                file.clone(),
                f.rule.id.to_string(),
                f.resource.clone().unwrap_or_default(),
                r.index.line_col(&r.source, f.span.start).line,
            ));
        }
    }
    out
}
