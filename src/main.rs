//! The `cfn-cognito-lint` binary: arguments → library → report → exit code.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};

use cfn_cognito_lint::baseline::Baseline;
use cfn_cognito_lint::config::{self, Config};
use cfn_cognito_lint::report::{self, escape_controls};
use cfn_cognito_lint::rules::registry::{self, RULES};
use cfn_cognito_lint::rules::{Settings, Severity};
use cfn_cognito_lint::{Options, Outcome, lint_paths_with, lint_stdin};
use cfn_cognito_lint::{fix, output};

mod cli_graph;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
    Github,
    Junit,
    Parseable,
}

/// When to colour the output (`--color`); no doc comments on the variants, which would make
/// `--help` list them one per line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum FailLevel {
    Error,
    Warning,
    Info,
    None,
}

impl FailLevel {
    /// The lowest severity that fails the run; `None` for `none`.
    fn severity(self) -> Option<Severity> {
        match self {
            FailLevel::Error => Some(Severity::Error),
            FailLevel::Warning => Some(Severity::Warning),
            FailLevel::Info => Some(Severity::Info),
            FailLevel::None => None,
        }
    }
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
  cfn-cognito-lint --color always . | less -R     keep the colours through a pager
  cfn-cognito-lint --list-rules                   every rule with its default severity
  cfn-cognito-lint --list-rules --format json     the same as JSON
  cfn-cognito-lint --explain TR001                a rule's documentation
  cfn-cognito-lint --diff --unsafe-fixes .        show the available fixes (--fix applies them)
  cfn-cognito-lint --write-baseline base.json .   adopt on an old repository (then --baseline)
  cfn-cognito-lint graph --format html -o g.html  who can do what (see `graph --help`)
  cfn-cognito-lint server                         the language server, for editors

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
    /// Print a table of every rule and exit (with `--format json`, a JSON array).
    #[arg(long)]
    list_rules: bool,
    /// Print a rule's documentation and exit.
    #[arg(long, value_name = "RULE")]
    explain: Option<String>,
    /// Print only findings (no summary line).
    #[arg(short, long)]
    quiet: bool,
    /// Colour the report and the help. `auto`: on a terminal; FORCE_COLOR set (not empty) turns
    /// it on, else NO_COLOR set turns it off. `always` and `never` win over both variables.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    color: ColorWhen,
    #[command(flatten)]
    stack: StackArgs,
    /// Apply the safe fixes in place (and `--unsafe-fixes`); the report shows what remains.
    #[arg(long, conflicts_with = "diff")]
    fix: bool,
    /// Print the fixes as a unified diff and change nothing (exit 1 when a file would change).
    #[arg(long)]
    diff: bool,
    /// With --fix or --diff, also the fixes that change what the stack does.
    #[arg(long)]
    unsafe_fixes: bool,
    /// Report only the findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Write today's findings to this baseline file (JSON) and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["fix", "diff"])]
    write_baseline: Option<PathBuf>,
}

/// How the stacks are assembled and standard input named: options the lint and `graph` share.
#[derive(clap::Args, Debug)]
struct StackArgs {
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

impl StackArgs {
    /// The `--parameters` values and where they come from (`--parameters FILE`); none without
    /// the option.
    fn load_parameters(&self) -> Result<(Vec<(String, String)>, String), String> {
        match &self.parameters {
            Some(p) => cfn_cognito_lint::stack::params::load(p, self.config_env.as_deref())
                .map(|v| (v, format!("--parameters {}", p.display()))),
            None => Ok((Vec::new(), String::new())),
        }
    }

    /// The options a config and these arguments give (limits, excludes, stage, parameters, the
    /// config's stacks); the rest default.
    fn options(
        &self,
        config: &Config,
        parameters: &[(String, String)],
        parameters_source: &str,
    ) -> Result<Options, String> {
        Ok(Options {
            limits: config.limits,
            exclude: config.exclude.clone(),
            // Globs are relative to the config file's folder.
            exclude_root: config
                .path
                .as_deref()
                .map(|p| cfn_cognito_lint::stack::absolute(p.parent().unwrap_or(Path::new("")))),
            stage: self.stage.clone(),
            parameters: parameters.to_vec(),
            parameters_source: parameters_source.to_string(),
            config_stacks: cfn_cognito_lint::config_stacks(config, self.config_env.as_deref())?,
            ..Options::default()
        })
    }
}

/// Standard input, at most `max_file_size` + 1 bytes: endless input (`yes |`, `< /dev/zero`)
/// stops there and is a TM010.
fn read_stdin(max_file_size: u64) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    std::io::stdin()
        .lock()
        .take(max_file_size.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| format!("reading standard input: {e}"))?;
    Ok(buf)
}

/// Prints each line of `msg` as an error of the tool (several config errors come at once) and
/// returns exit code 2.
fn usage_error(msg: &str) -> ExitCode {
    for line in msg.lines() {
        eprintln!("cfn-cognito-lint: {line}");
    }
    ExitCode::from(2)
}

/// Every error in the rules and levels of `--select`, `--ignore` and `--severity`, each with
/// the nearest rule or level as a suggestion.
fn cli_errors(cli: &Cli) -> Vec<String> {
    let mut errors = Vec::new();
    for (flag, keys) in [("--select", &cli.select), ("--ignore", &cli.ignore)] {
        for key in keys.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
            if registry::matching(key).is_empty() {
                errors.push(registry::unknown_rule(key, flag));
            }
        }
    }
    for item in &cli.severity {
        let Some((rule, level)) = item.split_once('=') else {
            errors.push(format!(
                "--severity takes RULE=LEVEL, got `{}`",
                escape_controls(item)
            ));
            continue;
        };
        let rule = rule.trim();
        if registry::matching(rule).is_empty() {
            errors.push(registry::unknown_rule(rule, "--severity"));
        }
        if Severity::parse(level.trim()).is_none() {
            let levels = ["error", "warning", "info"];
            errors.push(cfn_cognito_lint::suggest::unknown(
                "severity",
                level.trim(),
                " in --severity",
                levels,
                &levels.join(", "),
            ));
        }
    }
    errors
}

/// Settings from the config, with the command line winning: `--select` replaces the config's
/// `select`, `--ignore` adds to its `ignore`, `--severity` overrides its `severity`.
fn settings(cli: &Cli, config: &Config) -> Result<Settings, String> {
    config::settings(config, &cli.select, &cli.ignore, &cli.severity)
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

/// What the environment says about colour, for `--color auto`: `FORCE_COLOR` set and not empty
/// turns it on whatever its value (force-color.org), else `NO_COLOR` set and not empty turns it
/// off (no-color.org); `None` leaves it to the terminal. FORCE_COLOR wins over NO_COLOR as in
/// force-color.org's reference code (it is read after NO_COLOR): NO_COLOR is a standing
/// preference, FORCE_COLOR is usually set for one job (CI logs that show colour).
fn color_from_env() -> Option<bool> {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if set("FORCE_COLOR") {
        Some(true)
    } else if set("NO_COLOR") {
        Some(false)
    } else {
        None
    }
}

/// Whether the report is coloured. `--color always`/`never` win over the environment (both
/// standards: a command-line argument overrides the variable). A report written to a file
/// (`-o`) is coloured only with `--color always`: FORCE_COLOR is for logs and pipes.
fn use_color(when: ColorWhen, to_file: bool) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            !to_file && color_from_env().unwrap_or_else(|| std::io::stdout().is_terminal())
        }
    }
}

/// The `--color` given on the command line, read before clap parses it, so that clap's own
/// help and errors follow it too (the last one given wins, as clap takes it; nothing after `--`).
fn color_flag(args: &[std::ffi::OsString]) -> Option<ColorWhen> {
    let mut found = None;
    let mut args = args.iter().skip(1).map(|a| a.to_str());
    while let Some(arg) = args.next() {
        let value = match arg {
            Some("--") => break,
            Some("--color") => args.next().flatten(),
            Some(a) => a.strip_prefix("--color="),
            None => None,
        };
        if let Some(v) = value.and_then(|v| ColorWhen::from_str(v, false).ok()) {
            found = Some(v);
        }
    }
    found
}

/// The width the human report is wrapped to: the terminal's when the report goes to a
/// terminal, else `COLUMNS` when it is a number, else 80 (CLI.md), kept within 40..=400.
fn report_width(to_file: bool) -> usize {
    let stdout = std::io::stdout();
    let terminal = (!to_file && stdout.is_terminal())
        .then(|| terminal_size::terminal_size_of(stdout))
        .flatten()
        .map(|(w, _)| usize::from(w.0))
        .filter(|w| *w > 0);
    let columns = || {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|w| *w > 0)
    };
    terminal.or_else(columns).unwrap_or(80).clamp(40, 400)
}

/// One rule in `--list-rules --format json`.
#[derive(serde::Serialize)]
struct RuleEntry {
    id: &'static str,
    name: &'static str,
    /// The default severity: the highest of the rule's tiers.
    severity: &'static str,
    /// The rule's tiers and their severities, for a rule that has several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tiers: Vec<TierEntry>,
    summary: &'static str,
    family: &'static str,
}

#[derive(serde::Serialize)]
struct TierEntry {
    tier: &'static str,
    severity: &'static str,
}

/// `--list-rules --format json`: an array, one object per rule, in ID order.
fn list_rules_json() -> String {
    let entries: Vec<RuleEntry> = RULES
        .iter()
        .map(|r| RuleEntry {
            id: r.id,
            name: r.name,
            severity: r.default_severity().as_str(),
            tiers: if r.tiers.len() > 1 {
                r.tiers
                    .iter()
                    .map(|&(tier, severity)| TierEntry {
                        tier,
                        severity: severity.as_str(),
                    })
                    .collect()
            } else {
                Vec::new()
            },
            summary: r.summary,
            family: r.family(),
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&entries).unwrap_or_else(|_| "[]".to_string());
    text.push('\n');
    text
}

fn main() -> ExitCode {
    cfn_cognito_lint::timing("main");
    huge_pages(false);
    // The language server (a path named `server` is written `./server`).
    if std::env::args_os().nth(1).is_some_and(|a| a == "server") {
        return cfn_cognito_lint::server::main(&std::env::args_os().skip(2).collect::<Vec<_>>());
    }
    if let Some(code) = cli_graph::dispatch() {
        return code;
    }
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let help_color = match color_flag(&args) {
        Some(ColorWhen::Always) => clap::ColorChoice::Always,
        Some(ColorWhen::Never) => clap::ColorChoice::Never,
        _ => match color_from_env() {
            Some(true) => clap::ColorChoice::Always,
            Some(false) => clap::ColorChoice::Never,
            None => clap::ColorChoice::Auto,
        },
    };
    let cli = match Cli::command()
        .color(help_color)
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if cli.list_rules {
        let (source, date) = cfn_cognito_lint::iam::source();
        // Within the table's 100 columns.
        let iam = [
            format!("IAM action table: {source}"),
            format!("IAM action data date: {date}"),
        ]
        .map(|l| report::human::wrapped(&l, 100))
        .concat();
        let text = match cli.format {
            Format::Human if cli.verbose => format!("{}\n{iam}", list_rules()),
            Format::Human => list_rules(),
            Format::Json => {
                if cli.verbose {
                    eprint!("{iam}");
                }
                list_rules_json()
            }
            _ => {
                return usage_error(
                    "--list-rules prints a table (--format human) or JSON (--format json)",
                );
            }
        };
        return print_quietly(&text);
    }
    if let Some(key) = &cli.explain {
        return match registry::find(key) {
            Some(r) => print_quietly(r.doc),
            None => usage_error(&registry::unknown_rule(key, "")),
        };
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let config_path = cli.config.clone().or_else(|| config::find(&cwd));
    // Every error of the config and of the command line's rules at once.
    let mut errors = Vec::new();
    let config = match config_path.as_deref().map(config::load).transpose() {
        Ok(c) => c.unwrap_or_default(),
        Err(e) => {
            errors.push(e);
            Config::default()
        }
    };
    errors.extend(cli_errors(&cli));
    if !errors.is_empty() {
        return usage_error(&errors.join("\n"));
    }
    let fail_level = match (cli.fail_level, config.fail_level.as_deref()) {
        (Some(l), _) => l,
        (None, Some("error")) => FailLevel::Error,
        (None, Some("info")) => FailLevel::Info,
        (None, Some("none")) => FailLevel::None,
        (None, _) => FailLevel::Warning,
    };
    let (parameters, parameters_source) = match cli.stack.load_parameters() {
        Ok(p) => p,
        Err(e) => return usage_error(&e),
    };
    // The job summary of GitHub Actions carries each stack's access graph: collected while the
    // run analyses its stacks (nothing is built when there is no summary to write).
    let summary_path = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty());
    let graphs = cfn_cognito_lint::access::Collector::default();
    let visit = summary_path.is_some().then(|| graphs.visitor());
    let baseline = match cli.baseline.as_deref().map(Baseline::load).transpose() {
        Ok(b) => b,
        Err(e) => return usage_error(&e),
    };
    // The options a config gives (with the command line winning).
    let options_of = |config: &Config| -> Result<Options, String> {
        Ok(Options {
            settings: settings(&cli, config)?,
            strict: cli.strict,
            names_defined_elsewhere: false,
            visit: visit.clone(),
            ..cli.stack.options(config, &parameters, &parameters_source)?
        })
    };
    let options = match options_of(&config) {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };
    // Each file takes the nearest config upwards from its folder (unless --config names one).
    let by_dir = cfn_cognito_lint::OptionsByDir::new(
        (config_path.clone(), options.clone()),
        cli.config.is_some(),
        &options_of,
    );
    let options_for = |dir: &Path| by_dir.get(dir);
    // A run of many files (or of a folder, or of the current one) keeps megabytes of pages:
    // huge pages spare it most of its page faults.
    if cli.paths.is_empty() || cli.paths.len() > 16 || cli.paths.iter().any(|p| p.is_dir()) {
        huge_pages(true);
    }
    // Large stacks: parsers recurse up to the nesting limit.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(32 * 1024 * 1024)
        .build_global();

    // Standard input is read once (a run after --fix lints it again from these bytes).
    let mut stdin_bytes = None;
    if cli.paths.iter().any(|p| p.as_os_str() == "-") {
        match read_stdin(options.limits.max_file_size) {
            Ok(buf) => stdin_bytes = Some(buf),
            Err(e) => return usage_error(&e),
        }
    }
    let lint_all = || {
        lint_inputs(
            &cli.paths,
            stdin_bytes.as_deref(),
            &cli.stack.stdin_filename,
            &options,
            &options_for,
        )
    };
    cfn_cognito_lint::timing("options");
    let mut outcome = lint_all();
    cfn_cognito_lint::timing("linted");
    if let Some(path) = &cli.write_baseline {
        return write_baseline(path, &outcome);
    }
    let mut stale = baseline.as_ref().map(|b| b.filter(&mut outcome.reports));
    if cli.fix || cli.diff {
        let stdin_name = stdin_bytes
            .as_ref()
            .map(|_| cli.stack.stdin_filename.as_str());
        let run = fix::run(&outcome.reports, &fix_mode(&cli, &options, stdin_name));
        for m in &run.messages {
            eprintln!("cfn-cognito-lint: {m}");
        }
        if cli.diff {
            return print_diff(&cli, &run.diff, &outcome);
        }
        if run.files_changed > 0 {
            // The job summary's graphs are those of the fixed files.
            drop(graphs.graphs());
            outcome = lint_all();
            stale = baseline.as_ref().map(|b| b.filter(&mut outcome.reports));
        }
    }
    for line in outcome.errors.iter().flat_map(|e| e.lines()) {
        eprintln!("cfn-cognito-lint: {line}");
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
        for n in stale.iter().flatten() {
            eprintln!("{n}");
        }
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

    // Annotations and the job summary name files from the repository root.
    let anchor = cfn_cognito_lint::paths::Anchor::github();
    let to_file = cli.output.is_some();
    // SARIF (the largest report: about 1.1 KB a finding) is written as it is serialized; the
    // other formats are rendered to a text first.
    let text = match cli.format {
        Format::Sarif => String::new(),
        Format::Human => {
            let style = report::human::Style {
                color: use_color(cli.color, to_file),
                width: report_width(to_file),
            };
            report::human::render(&linted, style, cli.quiet)
        }
        Format::Json => report::json::render(&linted),
        Format::Github => report::github::render(&linted, &anchor),
        Format::Junit => report::junit::render(&linted, &options.settings, fail_level.severity()),
        Format::Parseable => report::parseable::render(&linted),
    };
    cfn_cognito_lint::timing("rendered");
    let emit = |w: &mut dyn Write| -> std::io::Result<()> {
        match cli.format {
            Format::Sarif => report::sarif::write(&linted, config.docs_url.as_deref(), w),
            _ => w.write_all(text.as_bytes()),
        }
    };
    match write_output(cli.output.as_deref(), &outcome.read, emit) {
        Err(Unwritten::Refused(e)) => return usage_error(&e),
        Err(Unwritten::Failed(e)) => return usage_error(&format!("writing the report: {e}")),
        Ok(()) => {}
    }
    // The job summary of GitHub Actions, whatever the format; a failure to write it is not the
    // lint's (the report is written).
    if let Some(path) = summary_path {
        let links = report::summary::Links::from_env();
        let sections = cfn_cognito_lint::access::mermaid_for_summary(&graphs.graphs());
        let ctx = report::summary::Context {
            anchor: &anchor,
            links: links.as_ref(),
            // The access graph of each stack with a finding at warning or above.
            extra_sections: &sections,
        };
        if let Err(e) = report::summary::append(Path::new(&path), &linted, &ctx) {
            eprintln!("cfn-cognito-lint: warning: job summary not written: {e}");
        }
    }
    cfn_cognito_lint::timing("written");
    if !outcome.errors.is_empty() {
        exit_now(2);
    }
    let failing = fail_level.severity().is_some_and(|level| {
        linted
            .iter()
            .flat_map(|r| &r.findings)
            .any(|f| f.severity >= level)
    });
    exit_now(if failing { 1 } else { 0 })
}

/// Transparent huge pages for the process's memory (the allocator asks for them): off at
/// start-up, where zeroing 2 MiB pages costs a small run about a millisecond; on for a large
/// run, where they spare it most of its page faults (the corpus run: 4,800 -> 1,300 faults, its
/// two threads busier: 1.75 -> 1.89 cores). Where the system has none, nothing changes.
#[cfg(target_os = "linux")]
fn huge_pages(on: bool) {
    let _ = nix::sys::prctl::set_thp_disable(!on);
}

#[cfg(not(target_os = "linux"))]
fn huge_pages(_on: bool) {}

/// Ends the process once the report is written, without freeing what the run holds (every
/// report, finding and text: the system takes the memory back at once, where freeing it piece
/// by piece is a serial tail of a large run). Standard output and error are flushed.
fn exit_now(code: i32) -> ! {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    std::process::exit(code)
}

/// Lints the paths of a run (`-` is standard input, read beforehand; none: the current
/// folder), each file with the options of its folder; reports sorted by file.
fn lint_inputs(
    given: &[PathBuf],
    stdin: Option<&[u8]>,
    stdin_name: &str,
    options: &Options,
    options_for: &cfn_cognito_lint::OptionsFor<'_>,
) -> Outcome {
    let mut outcome = Outcome::default();
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut stdin = stdin.map(<[u8]>::to_vec);
    for p in given {
        if p.as_os_str() == "-" {
            let buf = stdin.take().unwrap_or_default();
            outcome.reports.push(lint_stdin(stdin_name, buf, options));
        } else {
            paths.push(p.clone());
        }
    }
    if given.is_empty() {
        paths.push(PathBuf::from("."));
    }
    if !paths.is_empty() {
        let more = lint_paths_with(&paths, options, options_for);
        outcome.reports.extend(more.reports);
        outcome.errors.extend(more.errors);
        outcome.notes.extend(more.notes);
        outcome.summary_notes.extend(more.summary_notes);
        outcome.read.extend(more.read);
        outcome.reports.sort_by(|a, b| a.path.cmp(&b.path));
    }
    outcome
}

/// Why an output (`--output` or standard output) was not written.
enum Unwritten {
    /// `--output` names a template or a file the run read.
    Refused(String),
    Failed(String),
}

/// Writes what `emit` writes to `--output` (never over a file the run read, through a
/// temporary file) or to standard output, where a reader that stopped reading (`| head`) is not
/// the tool failing.
fn write_output(
    output: Option<&Path>,
    read: &[PathBuf],
    emit: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Unwritten> {
    match output {
        Some(path) => {
            output::refuse_overwrite("--output", path, read).map_err(Unwritten::Refused)?;
            output::write_through_temp_with(path, emit)
                .map_err(|e| Unwritten::Failed(format!("{}: {e}", path.display())))
        }
        None => match write_stdout_with(emit) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            r => r.map_err(|e| Unwritten::Failed(e.to_string())),
        },
    }
}

/// Writes `text` to standard output and flushes it.
fn write_stdout(text: &str) -> std::io::Result<()> {
    write_stdout_with(|w| w.write_all(text.as_bytes()))
}

/// Runs `emit` on (buffered) standard output and flushes it.
fn write_stdout_with(
    emit: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut stdout = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    emit(&mut stdout)?;
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

/// `--write-baseline`: today's findings to the file; 0, or 2 when the run could not lint
/// every path (an incomplete baseline is not written).
fn write_baseline(path: &Path, outcome: &Outcome) -> ExitCode {
    for e in &outcome.errors {
        eprintln!("cfn-cognito-lint: {e}");
    }
    if !outcome.errors.is_empty() {
        return usage_error(&format!("{}: not written", path.display()));
    }
    match cfn_cognito_lint::baseline::write(path, &outcome.reports, &outcome.read) {
        Ok(n) => {
            eprintln!("cfn-cognito-lint: wrote {n} findings to {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => usage_error(&e),
    }
}

fn fix_mode(cli: &Cli, options: &Options, stdin_name: Option<&str>) -> fix::Mode {
    fix::Mode {
        write: cli.fix,
        unsafe_fixes: cli.unsafe_fixes,
        roots: if cli.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            cli.paths.clone()
        },
        stdin_name: stdin_name.map(str::to_string),
        limits: options.limits,
        quiet: cli.quiet,
    }
}

/// `--diff`: the diff on standard output (or `--output`); 1 when a fix would change a file.
fn print_diff(cli: &Cli, diff: &str, outcome: &Outcome) -> ExitCode {
    for e in &outcome.errors {
        eprintln!("cfn-cognito-lint: {e}");
    }
    let written = write_output(cli.output.as_deref(), &outcome.read, |w| {
        w.write_all(diff.as_bytes())
    })
    .map_err(|(Unwritten::Refused(e) | Unwritten::Failed(e))| e);
    match written {
        Err(e) => usage_error(&format!("writing the diff: {e}")),
        Ok(()) if !outcome.errors.is_empty() => ExitCode::from(2),
        Ok(()) => ExitCode::from(u8::from(!diff.is_empty())),
    }
}
