//! Mermaid flowcharts of the access graph (they render in GitHub Markdown).

use super::{AccessGraph, LEGEND, class_of, colours, edge_lines, node_lines, safe_ids};

/// Text inside a quoted Mermaid label: quotes, `#`, `<`, `>`, `&` and backticks as Mermaid's
/// entity codes, line breaks as spaces.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn label(lines: &[String]) -> String {
    super::join_escaped(lines, escape, "<br/>")
}

/// The diagram of one stack.
pub fn render_one(g: &AccessGraph) -> String {
    let ids = safe_ids(g, "n_");
    let id = |s: &str| ids.get(s).cloned().unwrap_or_else(|| "n_".to_string());
    let mut out = String::from("flowchart LR\n");
    out.push_str(&format!(
        "  %% access graph of stack {}\n",
        g.stack.replace('\n', " ")
    ));
    for n in &g.nodes {
        let text = label(&node_lines(n));
        let (open, close) = match n.kind {
            super::NodeKind::IdentityPool => ("[[\"", "\"]]"),
            super::NodeKind::Door => ("(\"", "\")"),
            super::NodeKind::Role => ("[\"", "\"]"),
            super::NodeKind::Permissions | super::NodeKind::ManagedPolicy => ("[/\"", "\"/]"),
        };
        out.push_str(&format!("  {}{open}{text}{close}\n", id(&n.id)));
    }
    let mut styles = Vec::new();
    for (k, e) in g.edges.iter().enumerate() {
        let arrow = if e.kind.dashed() { "-.->" } else { "-->" };
        let lines = edge_lines(e);
        if lines.is_empty() {
            out.push_str(&format!("  {} {arrow} {}\n", id(&e.from), id(&e.to)));
        } else {
            out.push_str(&format!(
                "  {} {arrow}|\"{}\"| {}\n",
                id(&e.from),
                label(&lines),
                id(&e.to)
            ));
        }
        if e.severity.is_some() {
            let (_, stroke) = colours(e.severity);
            styles.push(format!(
                "  linkStyle {k} stroke:{stroke},stroke-width:2px\n"
            ));
        }
    }
    out.push_str("  subgraph legend[\"Legend\"]\n");
    for (k, (s, text)) in LEGEND.iter().enumerate() {
        out.push_str(&format!("    legend{k}[\"{}\"]\n", escape(text)));
        let _ = s;
    }
    out.push_str("  end\n");
    for s in styles {
        out.push_str(&s);
    }
    for (s, _) in LEGEND {
        let (fill, stroke) = colours(*s);
        out.push_str(&format!(
            "  classDef {} fill:{fill},stroke:{stroke},color:#111\n",
            class_of(*s)
        ));
    }
    for (s, _) in LEGEND {
        let mut members: Vec<String> = g
            .nodes
            .iter()
            .filter(|n| n.severity == *s)
            .map(|n| id(&n.id))
            .collect();
        if let Some(k) = LEGEND.iter().position(|(l, _)| l == s) {
            members.push(format!("legend{k}"));
        }
        out.push_str(&format!("  class {} {}\n", members.join(","), class_of(*s)));
    }
    out
}

/// Every stack: one diagram alone; several as Markdown, a heading and a fenced diagram each.
pub fn render(graphs: &[AccessGraph]) -> String {
    match graphs {
        [one] => render_one(one),
        _ => {
            let mut out = String::new();
            for g in graphs {
                out.push_str(&format!(
                    "## {}\n\n```mermaid\n{}```\n\n",
                    g.stack,
                    render_one(g)
                ));
            }
            out
        }
    }
}
