//! `cfn-cognito-lint graph [PATH]... --format mermaid|dot|json|html [-o FILE]`: the access graph
//! of every stack (CLI.md, *Graph*). The stacks are found and linted by the lint's own pipeline
//! (`lint_paths_with`), which hands each analysed stack to the graph's collector.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

use cfn_cognito_lint::Options;
use cfn_cognito_lint::access::{self, Collector};
use cfn_cognito_lint::config::{self, Config};

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

fn run(cli: &GraphCli) -> ExitCode {
    let collector = Collector::default();
    let (parameters, parameters_source) = match cli.stack.load_parameters() {
        Ok(p) => p,
        Err(e) => return super::usage_error(&e),
    };
    let options_of = |config: &Config| -> Result<Options, String> {
        Ok(Options {
            // The config's rules and severities: the graph colours by them.
            settings: config::settings(config, &[], &[], &[])?,
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
    let stdin = match cli.paths.iter().any(|p| p.as_os_str() == "-") {
        true => match super::read_stdin(options.limits.max_file_size) {
            Ok(buf) => Some(buf),
            Err(e) => return super::usage_error(&e),
        },
        false => None,
    };
    let outcome = super::lint_inputs(
        &cli.paths,
        stdin.as_deref(),
        &cli.stack.stdin_filename,
        &options,
        &options_for,
    );
    let errors = outcome.errors;
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
    match super::write_output(cli.output.as_deref(), &outcome.read, |w| {
        w.write_all(text.as_bytes())
    }) {
        Err(super::Unwritten::Refused(e)) => return super::usage_error(&e),
        Err(super::Unwritten::Failed(e)) => {
            return super::usage_error(&format!("writing the graph: {e}"));
        }
        Ok(()) => {}
    }
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
