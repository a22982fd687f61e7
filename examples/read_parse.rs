//! The floor of a whole run: a process that only reads and parses the files it is given, on
//! every core (rayon, the binary's allocator), and exits. No rules, no stacks, no report.
//! `bench/throughput.sh` runs it beside the linter on the same file list, to tell how much of a
//! run's time any run must spend (start-up, opening and reading the files, the parse, exit)
//! from what the lint adds.
//! `target/release/examples/read_parse [--read-only] FILE...`

// The binary's allocator, so that the floor is measured as the binary allocates.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use rayon::prelude::*;

use cfn_cognito_lint::template::{Limits, parse::parse};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let read_only = args.first().is_some_and(|a| a == "--read-only");
    if read_only {
        args.remove(0);
    }
    let limits = Limits::default();
    let nodes: usize = args
        .par_iter()
        .with_max_len(4)
        .map(|p| match std::fs::read_to_string(p) {
            Ok(text) if read_only => text.len(),
            Ok(text) => parse(&text, &limits).tree.len(),
            Err(_) => 0,
        })
        .sum();
    std::hint::black_box(nodes);
}
