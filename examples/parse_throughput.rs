//! Parser throughput on ../shared/corpus (or the paths given): parse-only and full lint, MB/s.
//! `cargo run --release --example parse_throughput [PATH...]`

// The binary's allocator, so that the parse-only limit is measured as the binary parses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::time::Instant;

use cfn_cognito_lint::template::{Limits, parse::parse};
use cfn_cognito_lint::{Options, lint_source};

fn main() {
    let args: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let files: Vec<PathBuf> = if args.is_empty() {
        let corpus = PathBuf::from("../shared/corpus");
        let manifest = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).unwrap_or_default();
        manifest
            .lines()
            .skip(1)
            .filter_map(|l| l.split('\t').next())
            .map(|f| corpus.join(f))
            .collect()
    } else {
        args
    };
    let texts: Vec<(String, String)> = files
        .iter()
        .filter_map(|p| {
            std::fs::read_to_string(p)
                .ok()
                .map(|t| (p.display().to_string(), t))
        })
        .collect();
    let bytes: usize = texts.iter().map(|t| t.1.len()).sum();
    let limits = Limits::default();
    let rounds = 5;
    let mut best_parse = f64::MAX;
    let mut best_lint = f64::MAX;
    let options = Options::default();
    for _ in 0..rounds {
        let t = Instant::now();
        let mut nodes = 0usize;
        for (_, text) in &texts {
            nodes += parse(text, &limits).tree.len();
        }
        best_parse = best_parse.min(t.elapsed().as_secs_f64());
        std::hint::black_box(nodes);
        let t = Instant::now();
        let mut findings = 0usize;
        for (name, text) in &texts {
            findings += lint_source(name, text.clone(), true, &options)
                .findings
                .len();
        }
        best_lint = best_lint.min(t.elapsed().as_secs_f64());
        std::hint::black_box(findings);
    }
    let mb = bytes as f64 / 1_000_000.0;
    println!(
        "{} files, {:.2} MB, one thread, best of {rounds}",
        texts.len(),
        mb
    );
    println!(
        "parse only: {:.1} ms, {:.1} MB/s",
        best_parse * 1000.0,
        mb / best_parse
    );
    println!(
        "full lint:  {:.1} ms, {:.1} MB/s",
        best_lint * 1000.0,
        mb / best_lint
    );
}
