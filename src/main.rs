//! The `cfn-cognito-lint` binary: arguments → library → report → exit code.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::HashMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::{Parser, ValueEnum};

use cfn_cognito_lint::config::{self, Config};
use cfn_cognito_lint::report::{self, Summary};
use cfn_cognito_lint::rules::registry::{self, RULES};
use cfn_cognito_lint::rules::{Settings, Severity};
use cfn_cognito_lint::{Options, Outcome, lint_paths_with, lint_stdin};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
    Github,
    Junit,
    Parseable,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum FailLevel {
    Error,
    Warning,
    Info,
    None,
}

const EXAMPLES: &str = "\
Examples:
  cfn-cognito-lint stack.yaml                     lint one template
  cfn-cognito-lint templates/ infra/auth.json     lint files and directories (recursively)
  cfn-cognito-lint --format json stack.yaml       machine-readable findings
  cfn-cognito-lint --fail-level error .           exit 1 only for errors
  cfn-cognito-lint --ignore UP003,PM00 stack.yaml turn rules off by ID, prefix or name
  cfn-cognito-lint --severity PM001=error t.yaml  override a rule's severity
  cat stack.yaml | cfn-cognito-lint - --stdin-filename stack.yaml
  cfn-cognito-lint serverless.yml                 lint a Serverless service as one stack
  cfn-cognito-lint resources/cognito.yml          lint the service that includes this file
  cfn-cognito-lint --stage prod --parameters params/prod.json template.yaml
  cfn-cognito-lint --list-rules                   every rule with its default severity
  cfn-cognito-lint --explain TR001                a rule's documentation

Exit codes: 0 no finding at or above --fail-level, 1 findings, 2 the tool could not do its job.";

/// Lints CloudFormation templates that wire Amazon Cognito to IAM: trust policies, identity
/// pools, role attachments, user pools, clients and the permissions of Cognito identities.
#[derive(Parser, Debug)]
#[command(name = "cfn-cognito-lint", version, about, after_help = EXAMPLES)]
struct Cli {
    /// Template files or directories (default: the current directory); `-` reads standard input.
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value = "human")]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1 [default: warning, or the config's].
    #[arg(long, value_enum)]
    fail_level: Option<FailLevel>,
    /// Config file for every file [default: for each file, the nearest .cfn-cognito-lint.yaml
    /// upwards from its folder].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Run only these rules (IDs, prefixes such as `TR` or `PM00`, or names), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    select: Vec<String>,
    /// Turn these rules off (IDs, prefixes or names), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    ignore: Vec<String>,
    /// Override a rule's severity, every tier of it: `PM001=error` (repeatable).
    #[arg(long, value_name = "RULE=LEVEL")]
    severity: Vec<String>,
    /// A file named explicitly that is not a template is a TM001 finding instead of skipped.
    #[arg(long)]
    strict: bool,
    /// Also list skipped files and the limits in force.
    #[arg(long)]
    verbose: bool,
    /// Print a table of every rule and exit.
    #[arg(long)]
    list_rules: bool,
    /// Print a rule's documentation and exit.
    #[arg(long, value_name = "RULE")]
    explain: Option<String>,
    /// Print only findings (no summary line).
    #[arg(short, long)]
    quiet: bool,
    /// The Serverless stage (`${sls:stage}`, `${opt:stage}`) [default: the one written in the
    /// service file, else `dev`].
    #[arg(long, value_name = "NAME")]
    stage: Option<String>,
    /// Parameter values for the stacks linted: CloudFormation's `[{ParameterKey, ParameterValue}]`
    /// JSON, a `{Parameters: {...}}` or plain `{Key: Value}` mapping, or `samconfig.toml`.
    #[arg(long, value_name = "FILE")]
    parameters: Option<PathBuf>,
    /// The samconfig.toml environment whose `parameter_overrides` `--parameters` reads.
    #[arg(long, value_name = "ENV")]
    config_env: Option<String>,
    /// The name standard input is reported under.
    #[arg(long, value_name = "NAME", default_value = "<stdin>")]
    stdin_filename: String,
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("cfn-cognito-lint: {msg}");
    ExitCode::from(2)
}

fn rules_of(keys: &[String]) -> Result<Vec<&'static str>, String> {
    let mut ids = Vec::new();
    for key in keys.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
        let found = registry::matching(key);
        if found.is_empty() {
            return Err(format!("unknown rule `{key}` (see --list-rules)"));
        }
        ids.extend(found.iter().map(|r| r.id));
    }
    Ok(ids)
}

/// Settings from the config, with the command line winning: `--select` replaces the config's
/// `select`, `--ignore` adds to its `ignore`, `--severity` overrides its `severity`.
fn settings(cli: &Cli, config: &Config) -> Result<Settings, String> {
    let mut s = Settings {
        options: config.options.clone(),
        ..Settings::default()
    };
    let select = if cli.select.is_empty() {
        config.select.clone().unwrap_or_default()
    } else {
        cli.select.clone()
    };
    s.disabled.extend(rules_of(&config.ignore)?);
    for (rule, level) in &config.severity {
        for id in rules_of(std::slice::from_ref(rule))? {
            s.severity.insert(id, *level);
        }
    }
    if !select.is_empty() {
        let selected = rules_of(&select)?;
        s.disabled.extend(
            RULES
                .iter()
                .map(|r| r.id)
                .filter(|id| !selected.contains(id)),
        );
    }
    s.disabled.extend(rules_of(&cli.ignore)?);
    for item in &cli.severity {
        let Some((rule, level)) = item.split_once('=') else {
            return Err(format!("--severity takes RULE=LEVEL, got `{item}`"));
        };
        let level = Severity::parse(level.trim())
            .ok_or_else(|| format!("unknown severity `{level}` (error, warning, info)"))?;
        for id in rules_of(&[rule.to_string()])? {
            s.severity.insert(id, level);
        }
    }
    Ok(s)
}

/// The `--list-rules` table, 100 columns wide: the severities of a rule's tiers (highest
/// first; `--explain ID` names the tiers) and its summary wrapped under its column.
fn list_rules() -> String {
    const WIDTH: usize = 100;
    let mut out = format!(
        "{:<6} {:<29} {:<19} {}\n",
        "ID", "NAME", "SEVERITY", "SUMMARY"
    );
    for r in RULES {
        let mut levels: Vec<Severity> = r.tiers.iter().map(|t| t.1).collect();
        levels.sort_unstable_by(|a, b| b.cmp(a));
        levels.dedup();
        let severity = levels
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join("/");
        let head = format!("{:<6} {:<29} {:<19} ", r.id, r.name, severity);
        let indent = head.chars().count();
        let room = WIDTH.saturating_sub(indent).max(20);
        let mut line = String::new();
        let mut lines: Vec<String> = Vec::new();
        // (A word longer than the column, such as a property path, is cut where it must be.)
        let words = r.summary.split_whitespace().flat_map(|w| {
            let chars: Vec<char> = w.chars().collect();
            chars
                .chunks(room)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
        });
        for word in words {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > room {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        lines.push(line);
        for (i, l) in lines.iter().enumerate() {
            if i == 0 {
                out.push_str(&head);
            } else {
                out.push_str(&" ".repeat(indent));
            }
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

fn main() -> ExitCode {
    // The language server (a path named `server` is written `./server`).
    if std::env::args_os().nth(1).is_some_and(|a| a == "server") {
        return cfn_cognito_lint::server::main(&std::env::args_os().skip(2).collect::<Vec<_>>());
    }
    let cli = Cli::parse();
    if cli.list_rules {
        let mut text = list_rules();
        if cli.verbose {
            let (source, date) = cfn_cognito_lint::iam::source();
            text.push_str(&format!("\nIAM action table: {source}; data date {date}\n"));
        }
        return print_quietly(&text);
    }
    if let Some(key) = &cli.explain {
        return match registry::find(key) {
            Some(r) => print_quietly(r.doc),
            None => usage_error(&format!("unknown rule `{key}` (see --list-rules)")),
        };
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let config_path = cli.config.clone().or_else(|| config::find(&cwd));
    let config = match config_path.as_deref().map(config::load).transpose() {
        Ok(c) => c.unwrap_or_default(),
        Err(e) => return usage_error(&e),
    };
    let fail_level = match (cli.fail_level, config.fail_level.as_deref()) {
        (Some(l), _) => l,
        (None, Some("error")) => FailLevel::Error,
        (None, Some("info")) => FailLevel::Info,
        (None, Some("none")) => FailLevel::None,
        (None, _) => FailLevel::Warning,
    };
    let (parameters, parameters_source) = match &cli.parameters {
        Some(p) => match cfn_cognito_lint::stack::params::load(p, cli.config_env.as_deref()) {
            Ok(v) => (v, format!("--parameters {}", p.display())),
            Err(e) => return usage_error(&e),
        },
        None => (Vec::new(), String::new()),
    };
    // The options a config gives (with the command line winning).
    let options_of = |config: &Config| -> Result<Options, String> {
        Ok(Options {
            settings: settings(&cli, config)?,
            strict: cli.strict,
            limits: config.limits,
            exclude: config.exclude.clone(),
            // Globs are relative to the config file's folder.
            exclude_root: config
                .path
                .as_deref()
                .map(|p| cfn_cognito_lint::stack::absolute(p.parent().unwrap_or(Path::new("")))),
            stage: cli.stage.clone(),
            parameters: parameters.clone(),
            parameters_source: parameters_source.clone(),
            config_stacks: cfn_cognito_lint::config_stacks(config, cli.config_env.as_deref())?,
            names_defined_elsewhere: false,
        })
    };
    let options = match options_of(&config) {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };
    // Each file takes the nearest config upwards from its folder (unless --config names one).
    let shared = Arc::new(options.clone());
    let cache: Mutex<HashMap<Option<PathBuf>, Arc<Options>>> =
        Mutex::new(HashMap::from([(config_path.clone(), shared.clone())]));
    // Folders already seen (most files of a run share a few folders).
    let by_dir: Mutex<HashMap<PathBuf, Arc<Options>>> = Mutex::new(HashMap::new());
    let options_for = |dir: &std::path::Path| -> Result<Arc<Options>, String> {
        if let Some(o) = by_dir.lock().unwrap_or_else(|p| p.into_inner()).get(dir) {
            return Ok(o.clone());
        }
        let path = match &cli.config {
            Some(_) => config_path.clone(),
            None => config::find(dir),
        };
        let mut guard = cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(o) = guard.get(&path) {
            by_dir
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(dir.to_path_buf(), o.clone());
            return Ok(o.clone());
        }
        let config = match &path {
            Some(p) => config::load(p)?,
            None => Config::default(),
        };
        let o = Arc::new(options_of(&config)?);
        guard.insert(path, o.clone());
        by_dir
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(dir.to_path_buf(), o.clone());
        Ok(o)
    };
    // Large stacks: parsers recurse up to the nesting limit.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(32 * 1024 * 1024)
        .build_global();

    let mut outcome = Outcome::default();
    let mut paths: Vec<PathBuf> = Vec::new();
    for p in &cli.paths {
        if p.as_os_str() == "-" {
            // At most max-file-size + 1 bytes: endless input (`yes |`, `< /dev/zero`) stops
            // there and is a TM010.
            let mut buf = Vec::new();
            let limit = options.limits.max_file_size.saturating_add(1);
            if let Err(e) = std::io::stdin().lock().take(limit).read_to_end(&mut buf) {
                return usage_error(&format!("reading standard input: {e}"));
            }
            outcome
                .reports
                .push(lint_stdin(&cli.stdin_filename, buf, &options));
        } else {
            paths.push(p.clone());
        }
    }
    if cli.paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    if !paths.is_empty() {
        let more = lint_paths_with(&paths, &options, &options_for);
        outcome.reports.extend(more.reports);
        outcome.errors.extend(more.errors);
        outcome.notes.extend(more.notes);
        outcome.summary_notes.extend(more.summary_notes);
        outcome.reports.sort_by(|a, b| a.path.cmp(&b.path));
    }
    for e in &outcome.errors {
        eprintln!("cfn-cognito-lint: {e}");
    }
    // A Serverless service file is never skipped silently.
    for r in outcome.reports.iter() {
        let service_file =
            cfn_cognito_lint::stack::serverless::is_service_file(std::path::Path::new(&r.path));
        if let Some(why) = r
            .skipped
            .as_deref()
            .filter(|w| service_file || w.starts_with("Serverless"))
        {
            eprintln!("note: {}: {why}", r.path);
        }
    }
    // Files that may be templates and were not linted: never skipped silently.
    for n in &outcome.summary_notes {
        eprintln!("note: {n}");
    }
    if cli.verbose {
        for n in &outcome.notes {
            eprintln!("{n}");
        }
        if !options.parameters.is_empty() {
            eprintln!(
                "parameter values from {}: {}",
                options.parameters_source,
                options
                    .parameters
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        for r in outcome.reports.iter().filter(|r| r.skipped.is_some()) {
            eprintln!(
                "skipped {}: {}",
                r.path,
                r.skipped.as_deref().unwrap_or_default()
            );
        }
        let l = options.limits;
        eprintln!(
            "limits: max-file-size {} bytes, max-depth {}, max-alias-visits {}x",
            l.max_file_size, l.max_depth, l.max_alias_visits
        );
    }
    let linted: Vec<_> = outcome
        .reports
        .into_iter()
        .filter(|r| r.skipped.is_none())
        .collect();

    let to_file = cli.output.is_some();
    let color = !to_file
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let text = match cli.format {
        Format::Human => {
            let width = if color { terminal_width() } else { 100 };
            report::human::render(&linted, report::human::Style { color, width }, cli.quiet)
        }
        Format::Json => report::json::render(&linted),
        Format::Sarif => report::sarif::render(&linted, config.docs_url.as_deref()),
        Format::Github => report::github::render(&linted),
        Format::Junit => report::junit::render(&linted, &options.settings),
        Format::Parseable => report::parseable::render(&linted),
    };
    let written = match &cli.output {
        Some(path) => {
            // Never write the report over a file the run read (pre-commit appends the staged
            // files after `--output`, so the first one would become the output).
            let target = cfn_cognito_lint::stack::absolute(path);
            let real = |p: &std::path::Path| std::fs::canonicalize(p).ok();
            // An existing template or service that this run did not read is refused too.
            let existing_source = std::fs::metadata(path).is_ok_and(|m| m.is_file()) && {
                use std::io::Read;
                let mut head = Vec::new();
                let _ = std::fs::File::open(path)
                    .and_then(|f| f.take(64 * 1024).read_to_end(&mut head));
                cfn_cognito_lint::looks_like_source(&String::from_utf8_lossy(&head))
            };
            if existing_source
                || outcome
                    .read
                    .iter()
                    .any(|r| *r == target || real(r).is_some_and(|a| Some(a) == real(&target)))
            {
                return usage_error(&format!(
                    "--output {} names a template or a file this run reads: refusing to overwrite it (give the report its own file name, e.g. cognito.sarif)",
                    path.display()
                ));
            }
            write_through_temp(path, text.as_bytes())
                .map_err(|e| format!("{}: {e}", path.display()))
        }
        None => match write_stdout(&text) {
            // A reader that stopped reading (`| head`) is not the tool failing: the exit code
            // stays the findings'.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            r => r.map_err(|e| e.to_string()),
        },
    };
    if let Err(e) = written {
        return usage_error(&format!("writing the report: {e}"));
    }
    if !outcome.errors.is_empty() {
        return ExitCode::from(2);
    }
    let summary = Summary::of(&linted);
    let failing = match fail_level {
        FailLevel::None => false,
        FailLevel::Error => summary.error > 0,
        FailLevel::Warning => summary.error + summary.warning > 0,
        FailLevel::Info => summary.error + summary.warning + summary.info > 0,
    };
    if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Writes `text` to standard output and flushes it.
fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

/// Prints `text` on standard output: success, also when the reader closed the pipe
/// (`--list-rules | head`); 2 when the output cannot be written.
fn print_quietly(text: &str) -> ExitCode {
    match write_stdout(text) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            usage_error(&format!("writing the output: {e}"))
        }
        _ => ExitCode::SUCCESS,
    }
}

/// Writes a file through a temporary file beside it, renamed at the end, so an interrupted
/// run never leaves a half-written report.
fn write_through_temp(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    // A device or a pipe (`-o /dev/null`, `-o /dev/stdout`) is written as it is: renaming over
    // it would replace it.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return std::fs::write(path, bytes);
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}
