//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod hostile;

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

/// The entries of `dir` that `keep` accepts, sorted.
fn entries_in(dir: &Path, keep: fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| keep(p))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The folders in `dir`, sorted.
pub fn dirs_in(dir: &Path) -> Vec<PathBuf> {
    entries_in(dir, Path::is_dir)
}

/// The files in `dir` (not its folders), sorted.
pub fn files_in(dir: &Path) -> Vec<PathBuf> {
    entries_in(dir, Path::is_file)
}

/// Lints paths as the binary does: each file with the nearest config upwards (its `stacks`
/// included), default settings otherwise.
pub fn lint_run(rels: &[&str]) -> cfn_cognito_lint::Outcome {
    lint_run_visiting(rels, None)
}

/// [`lint_run`], each analysed stack handed to `visit` (an access-graph collector).
pub fn lint_run_visiting(
    rels: &[&str],
    visit: Option<cfn_cognito_lint::Visitor>,
) -> cfn_cognito_lint::Outcome {
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
            visit: visit.clone(),
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

// ------------------------------------------------------------------------------------------------
// The binary, run in a project folder (tests/projects.rs, tests/stacks.rs)
// ------------------------------------------------------------------------------------------------

/// What one run of the binary gave.
pub struct BinRun {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: std::time::Duration,
}

impl BinRun {
    /// Fails the test when the binary panicked.
    pub fn assert_no_panic(&self, what: &str) {
        assert!(
            !self.stderr.contains("panicked"),
            "{what}: the binary panicked:\n{}",
            self.stderr
        );
    }
}

/// Runs the binary with `args`, the current directory set to `dir`; no colour, and none of
/// the CI variables that would add output.
pub fn output_in(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cfn-cognito-lint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_WORKSPACE")
        .env_remove("FORCE_COLOR")
        .env_remove("CFN_COGNITO_LINT_TIMINGS")
        .output()
        .unwrap_or_else(|e| panic!("cannot run the binary in {}: {e}", dir.display()))
}

/// [`output_in`], its output as text and the time it took.
pub fn run_bin_in(dir: &Path, args: &[&str]) -> BinRun {
    let start = std::time::Instant::now();
    let out = output_in(dir, args);
    BinRun {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: start.elapsed(),
    }
}

/// One line of `--format parseable` output:
/// `file:line:col:end_line:end_col:RULE:severity:message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parseable {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub end_line: usize,
    pub end_col: usize,
    pub rule: String,
    pub severity: String,
    pub message: String,
}

/// The findings of `--format parseable` output, in output order.
pub fn parse_parseable(stdout: &str) -> Vec<Parseable> {
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let p: Vec<&str> = l.splitn(8, ':').collect();
            assert_eq!(p.len(), 8, "not a parseable line: {l}");
            let n = |s: &str| {
                s.parse::<usize>()
                    .unwrap_or_else(|_| panic!("not a number `{s}` in: {l}"))
            };
            Parseable {
                file: p[0].to_string(),
                line: n(p[1]),
                col: n(p[2]),
                end_line: n(p[3]),
                end_col: n(p[4]),
                rule: p[5].to_string(),
                severity: p[6].to_string(),
                message: p[7].to_string(),
            }
        })
        .collect()
}

/// (file, rule, line) of parseable findings.
pub fn file_rule_lines(found: &[Parseable]) -> Vec<(String, String, usize)> {
    found
        .iter()
        .map(|f| (f.file.clone(), f.rule.clone(), f.line))
        .collect()
}

/// A fresh, empty folder under the system's temporary folder (removed first if a previous run
/// left it).
pub fn fresh_temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cfn-cognito-lint-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// Writes `text` at `dir/rel`, creating folders.
pub fn write_file(dir: &Path, rel: &str, text: impl AsRef<[u8]>) {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
    }
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", p.display()));
}

/// A project of `fixtures/projects/`.
pub fn project(name: &str) -> PathBuf {
    root().join("fixtures").join("projects").join(name)
}

/// Runs the binary in `dir` with `--format parseable` and `args`.
pub fn parseable_in(dir: &Path, args: &[&str]) -> (BinRun, Vec<Parseable>) {
    let mut all = vec!["--format", "parseable"];
    all.extend_from_slice(args);
    let run = run_bin_in(dir, &all);
    run.assert_no_panic(&format!("{} {args:?}", dir.display()));
    let found = parse_parseable(&run.stdout);
    (run, found)
}

/// (file, rule, line) triples as owned strings.
pub fn expected(list: &[(&str, &str, usize)]) -> Vec<(String, String, usize)> {
    list.iter()
        .map(|(f, r, l)| (f.to_string(), r.to_string(), *l))
        .collect()
}

/// Asserts the exact (file, rule, line) list and the exit code.
pub fn assert_findings(run: &BinRun, found: &[Parseable], want: &[(&str, &str, usize)], code: i32) {
    assert_eq!(
        file_rule_lines(found),
        expected(want),
        "stdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(run.code, Some(code), "stderr:\n{}", run.stderr);
}

/// The finding of `rule` at `file:line`.
pub fn at<'a>(found: &'a [Parseable], file: &str, rule: &str, line: usize) -> &'a Parseable {
    found
        .iter()
        .find(|f| f.file == file && f.rule == rule && f.line == line)
        .unwrap_or_else(|| panic!("no {rule} at {file}:{line} in {found:#?}"))
}
