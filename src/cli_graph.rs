//! `cfn-cognito-lint graph [PATH]... --format mermaid|dot|json|html [-o FILE]`: the access graph
//! of every stack (CLI.md, *Graph*). The stacks are found and linted by the lint's own pipeline
//! (`lint_paths_with`), which hands each analysed stack to the graph's collector.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

use cfn_cognito_lint::access::{self, Collector};
use cfn_cognito_lint::config::{self, Config};
use cfn_cognito_lint::rules::Settings;
use cfn_cognito_lint::{Options, lint_paths_with, lint_stdin};

const GRAPH_EXAMPLES: &str = "\
Examples:
  cfn-cognito-lint graph stack.yaml                  Mermaid (renders in GitHub Markdown)
  cfn-cognito-lint graph --format html -o g.html .   one self-contained page: click a role
  cfn-cognito-lint graph --format json sls.yml       nodes and edges (the README's contract)
  cfn-cognito-lint graph --format dot . | dot -Tsvg > graph.svg

A folder named `graph` is written `./graph` in the lint's paths.";

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum GraphFormat {
    Mermaid,
    Dot,
    Json,
    Html,
}

/// Who can do what: the access graph of every identity pool — its doors (guests, signed-in
/// users of each provider, the classic flow), the roles they lead to and what each role may
/// do, with the findings on each node and edge.
#[derive(Parser, Debug)]
#[command(
    name = "cfn-cognito-lint graph",
    bin_name = "cfn-cognito-lint graph",
    version,
    after_help = GRAPH_EXAMPLES
)]
struct GraphCli {
    /// Template files or directories (default: the current directory); `-` reads standard input.
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value = "mermaid")]
    format: GraphFormat,
    /// Write the graph to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Config file for every file [default: for each file, the nearest .cfn-cognito-lint.yaml
    /// upwards from its folder].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    stack: super::StackArgs,
}

/// Runs `graph` when it is the first argument (a path named `graph` is written `./graph`).
pub fn dispatch() -> Option<ExitCode> {
    let mut args = std::env::args_os();
    let bin = args.next()?;
    if args.next()? != "graph" {
        return None;
    }
    let cli = GraphCli::parse_from(std::iter::once(bin).chain(args));
    Some(run(&cli))
}

/// Settings a config gives (rules turned off, severities): the graph colours by them.
fn settings_of(config: &Config) -> Result<Settings, String> {
    config::settings(config, &[], &[], &[])
}

fn run(cli: &GraphCli) -> ExitCode {
    let collector = Collector::default();
    let (parameters, parameters_source) = match cli.stack.load_parameters() {
        Ok(p) => p,
        Err(e) => return super::usage_error(&e),
    };
    let options_of = |config: &Config| -> Result<Options, String> {
        Ok(Options {
            settings: settings_of(config)?,
            visit: Some(collector.visitor()),
            ..cli.stack.options(config, &parameters, &parameters_source)?
        })
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let config_path = cli.config.clone().or_else(|| config::find(&cwd));
    let options = match config_path
        .as_deref()
        .map(config::load)
        .transpose()
        .and_then(|c| options_of(&c.unwrap_or_default()))
    {
        Ok(o) => o,
        Err(e) => return super::usage_error(&e),
    };
    let by_dir = cfn_cognito_lint::OptionsByDir::new(
        (config_path.clone(), options.clone()),
        cli.config.is_some(),
        &options_of,
    );
    let options_for = |dir: &Path| by_dir.get(dir);
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(32 * 1024 * 1024)
        .build_global();
    let mut errors = Vec::new();
    let mut paths: Vec<PathBuf> = Vec::new();
    for p in &cli.paths {
        if p.as_os_str() == "-" {
            let buf = match super::read_stdin(options.limits.max_file_size) {
                Ok(buf) => buf,
                Err(e) => return super::usage_error(&e),
            };
            lint_stdin(&cli.stack.stdin_filename, buf, &options);
        } else {
            paths.push(p.clone());
        }
    }
    if cli.paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let mut read = Vec::new();
    if !paths.is_empty() {
        let outcome = lint_paths_with(&paths, &options, &options_for);
        errors.extend(outcome.errors);
        read = outcome.read;
    }
    for e in &errors {
        eprintln!("cfn-cognito-lint: {e}");
    }
    let graphs = collector.graphs();
    if graphs.is_empty() {
        eprintln!("note: no identity pool and no Cognito-assumable role in these templates");
    }
    let text = match cli.format {
        GraphFormat::Mermaid => access::mermaid::render(&graphs),
        GraphFormat::Dot => access::dot::render(&graphs),
        GraphFormat::Json => access::json::render(&graphs),
        GraphFormat::Html => access::html::render(&graphs),
    };
    let written = match &cli.output {
        Some(path) => {
            if let Err(e) = cfn_cognito_lint::output::refuse_overwrite("--output", path, &read) {
                return super::usage_error(&e);
            }
            cfn_cognito_lint::output::write_through_temp(path, text.as_bytes())
                .map_err(|e| format!("{}: {e}", path.display()))
        }
        None => match super::write_stdout(&text) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            r => r.map_err(|e| e.to_string()),
        },
    };
    if let Err(e) = written {
        return super::usage_error(&format!("writing the graph: {e}"));
    }
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
