//! Graphviz DOT of the access graph (`dot -Tsvg`).

use super::{AccessGraph, LEGEND, NodeKind, class_of, colours, edge_lines, node_lines};

/// Text inside a quoted DOT string: backslashes and quotes escaped, line breaks as `\n`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

fn label(lines: &[String]) -> String {
    super::join_escaped(lines, escape, "\\n")
}

/// The digraph of one stack.
pub fn render_one(g: &AccessGraph) -> String {
    let mut out = format!("digraph \"{}\" {{\n", escape(&g.stack));
    out.push_str(&format!(
        "  graph [rankdir=LR, fontname=\"Helvetica\", labelloc=t, label=\"access graph of {}\"];\n",
        escape(&g.stack)
    ));
    out.push_str(
        "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10];\n",
    );
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    for n in &g.nodes {
        let (fill, stroke) = colours(n.severity);
        let shape = match n.kind {
            NodeKind::IdentityPool => "box3d",
            NodeKind::Door => "box",
            NodeKind::Role => "box",
            NodeKind::Permissions | NodeKind::ManagedPolicy => "note",
        };
        let pen = if n.kind == NodeKind::Role { 2 } else { 1 };
        out.push_str(&format!(
            "  \"{}\" [label=\"{}\", shape={shape}, fillcolor=\"{fill}\", color=\"{stroke}\", penwidth={pen}, class=\"{}\"];\n",
            escape(&n.id),
            label(&node_lines(n)),
            class_of(n.severity)
        ));
    }
    for e in &g.edges {
        let mut attrs = vec![format!("id=\"{}\"", escape(&e.id))];
        let lines = edge_lines(e);
        if !lines.is_empty() {
            attrs.push(format!("label=\"{}\"", label(&lines)));
        }
        if e.kind.dashed() {
            attrs.push("style=dashed".into());
        }
        if e.severity.is_some() {
            let (_, stroke) = colours(e.severity);
            attrs.push(format!(
                "color=\"{stroke}\", fontcolor=\"{stroke}\", penwidth=2"
            ));
        }
        out.push_str(&format!(
            "  \"{}\" -> \"{}\" [{}];\n",
            escape(&e.from),
            escape(&e.to),
            attrs.join(", ")
        ));
    }
    out.push_str("  subgraph cluster_legend {\n    label=\"Legend\";\n");
    for (k, (s, text)) in LEGEND.iter().enumerate() {
        let (fill, stroke) = colours(*s);
        out.push_str(&format!(
            "    \"legend:{k}\" [label=\"{}\", fillcolor=\"{fill}\", color=\"{stroke}\"];\n",
            escape(text)
        ));
    }
    out.push_str("  }\n}\n");
    out
}

/// Every stack, one digraph after the other (Graphviz reads them in turn).
pub fn render(graphs: &[AccessGraph]) -> String {
    graphs.iter().map(render_one).collect::<Vec<_>>().join("\n")
}
