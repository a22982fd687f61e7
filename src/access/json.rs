//! The access graph as JSON for other tools (the contract is in the README, *Reading the
//! graph*): `{"version": 1, "stacks": [{stack, files, nodes, edges, outside}]}`.

use super::AccessGraph;

#[derive(serde::Serialize)]
struct Doc<'a> {
    version: u32,
    stacks: &'a [AccessGraph],
}

pub fn render(graphs: &[AccessGraph]) -> String {
    let doc = Doc {
        version: 1,
        stacks: graphs,
    };
    let mut s =
        crate::report::to_json_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
