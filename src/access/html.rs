//! The access graph as one self-contained html page: an SVG laid out here (columns left to
//! right: identity pools, doors, roles, what roles may do), a panel that shows the node a
//! reader clicks (a role's statements and the findings with file:line), the findings of each
//! stack as a table, and print styles. No network: no external script, style, font or image.
//!
//! Large stacks stay usable: above [`COLLAPSE_ABOVE`] nodes, roles without a finding (on
//! themselves, what they may do, or the edges into them) are not drawn, and the page says how
//! many.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use super::{AccessGraph, Edge, Node, NodeKind, class_of, colours, edge_lines, node_lines};

/// Above this many nodes, roles without findings are collapsed.
pub const COLLAPSE_ABOVE: usize = 150;

const COL_WIDTH: f64 = 240.0;
const COL_GAP: f64 = 130.0;
const LINE: f64 = 14.0;
const PAD: f64 = 8.0;
const GAP: f64 = 14.0;
const WRAP: usize = 36;

/// Text for html and SVG: `&`, `<`, `>`, quotes escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Lines cut to at most `width` characters, at spaces where there are some.
fn wrap(line: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in line.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            out.push(word[..width].iter().collect());
            word.drain(..width);
        }
        let word: String = word.into_iter().collect();
        let len = cur.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&word);
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

struct Placed {
    x: f64,
    y: f64,
    h: f64,
    lines: Vec<String>,
}

/// What is drawn of a graph: the nodes and edges kept, and the roles collapsed.
struct Drawn<'g> {
    nodes: Vec<&'g Node>,
    edges: Vec<&'g Edge>,
    collapsed_roles: Vec<&'g str>,
    collapsed_nodes: usize,
}

impl<'g> Drawn<'g> {
    /// The position of each drawn node, by its ID.
    fn index(&self) -> HashMap<&'g str, usize> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.as_str(), i))
            .collect()
    }
}

fn select(g: &AccessGraph) -> Drawn<'_> {
    if g.nodes.len() <= COLLAPSE_ABOVE {
        return Drawn {
            nodes: g.nodes.iter().collect(),
            edges: g.edges.iter().collect(),
            collapsed_roles: Vec::new(),
            collapsed_nodes: 0,
        };
    }
    let by_id: HashMap<&str, &Node> = g.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    // A role is kept when it, what it grants, or an edge into it has a finding.
    let mut hot: HashSet<&str> = HashSet::new();
    for e in &g.edges {
        let to = by_id.get(e.to.as_str());
        if to.is_some_and(|n| n.kind == NodeKind::Role) && !e.findings.is_empty() {
            hot.insert(&e.to);
        }
        if e.kind == super::EdgeKind::Grants
            && by_id
                .get(e.to.as_str())
                .is_some_and(|n| !n.findings.is_empty())
        {
            hot.insert(&e.from);
        }
    }
    for n in &g.nodes {
        if n.kind == NodeKind::Role && !n.findings.is_empty() {
            hot.insert(&n.id);
        }
    }
    let mut dropped: HashSet<&str> = HashSet::new();
    let mut collapsed_roles = Vec::new();
    for n in &g.nodes {
        if n.kind == NodeKind::Role && !hot.contains(n.id.as_str()) {
            dropped.insert(&n.id);
            collapsed_roles.push(n.label.trim_start_matches("Role ").trim());
        }
    }
    for e in &g.edges {
        if e.kind == super::EdgeKind::Grants && dropped.contains(e.from.as_str()) {
            dropped.insert(&e.to);
        }
    }
    // What a kept role grants stays, even when another, collapsed role shares the node.
    for e in &g.edges {
        if e.kind == super::EdgeKind::Grants && !dropped.contains(e.from.as_str()) {
            dropped.remove(e.to.as_str());
        }
    }
    Drawn {
        nodes: g
            .nodes
            .iter()
            .filter(|n| !dropped.contains(n.id.as_str()))
            .collect(),
        edges: g
            .edges
            .iter()
            .filter(|e| !dropped.contains(e.from.as_str()) && !dropped.contains(e.to.as_str()))
            .collect(),
        collapsed_nodes: dropped.len(),
        collapsed_roles,
    }
}

/// Places the nodes: a column per kind, each node as near the middle of the nodes that lead to
/// it as the column allows, in a stable order.
fn layout(d: &Drawn<'_>) -> (Vec<Placed>, f64, f64) {
    let index = d.index();
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); d.nodes.len()];
    for e in &d.edges {
        if let (Some(&f), Some(&t)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) {
            if d.nodes[f].kind.column() < d.nodes[t].kind.column() {
                preds[t].push(f);
            }
        }
    }
    let mut placed: Vec<Placed> = d
        .nodes
        .iter()
        .map(|n| {
            let lines: Vec<String> = node_lines(n).iter().flat_map(|l| wrap(l, WRAP)).collect();
            Placed {
                x: 20.0 + n.kind.column() as f64 * (COL_WIDTH + COL_GAP),
                y: 0.0,
                h: lines.len() as f64 * LINE + 2.0 * PAD,
                lines,
            }
        })
        .collect();
    let mut height: f64 = 0.0;
    for col in 0..4 {
        let mut members: Vec<usize> = (0..d.nodes.len())
            .filter(|&i| d.nodes[i].kind.column() == col)
            .collect();
        // The middle the predecessors want (already placed: earlier columns).
        let want = |i: usize, placed: &[Placed]| -> Option<f64> {
            let p = &preds[i];
            if p.is_empty() {
                return None;
            }
            Some(
                p.iter()
                    .map(|&k| placed[k].y + placed[k].h / 2.0)
                    .sum::<f64>()
                    / p.len() as f64,
            )
        };
        members.sort_by(|&a, &b| {
            let (wa, wb) = (want(a, &placed), want(b, &placed));
            let ka = wa.unwrap_or(f64::MAX);
            let kb = wb.unwrap_or(f64::MAX);
            ka.total_cmp(&kb)
                .then_with(|| d.nodes[a].id.cmp(&d.nodes[b].id))
        });
        let mut cursor = 40.0;
        for i in members {
            let y = match want(i, &placed) {
                Some(mid) => (mid - placed[i].h / 2.0).max(cursor),
                None => cursor,
            };
            placed[i].y = y;
            cursor = y + placed[i].h + GAP;
        }
        height = height.max(cursor);
    }
    let width = 20.0 + 4.0 * COL_WIDTH + 3.0 * COL_GAP + 20.0;
    (placed, width, height + 20.0)
}

fn svg(g: &AccessGraph, d: &Drawn<'_>, stack_ix: usize) -> String {
    let (placed, width, height) = layout(d);
    let index = d.index();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg class=\"graph\" viewBox=\"0 0 {width:.0} {height:.0}\" style=\"max-width:{width:.0}px\" role=\"img\" aria-label=\"access graph of {}\">",
        escape(&g.stack)
    );
    for (c, title) in ["Identity pools", "Doors", "Roles", "What roles may do"]
        .iter()
        .enumerate()
    {
        let _ = writeln!(
            out,
            "<text class=\"col\" x=\"{:.0}\" y=\"22\">{title}</text>",
            20.0 + c as f64 * (COL_WIDTH + COL_GAP)
        );
    }
    let mut labels = Vec::new();
    for (k, e) in d.edges.iter().enumerate() {
        let (Some(&f), Some(&t)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) else {
            continue;
        };
        let (a, b) = (&placed[f], &placed[t]);
        let (x1, y1) = (a.x + COL_WIDTH, a.y + a.h / 2.0);
        let (x2, y2) = (b.x, b.y + b.h / 2.0);
        let dx = ((x2 - x1) / 2.0).max(40.0);
        let (_, stroke) = colours(e.severity);
        let stroke = if e.severity.is_some() { stroke } else { "#777" };
        let dash = if e.kind.dashed() {
            " stroke-dasharray=\"6 4\""
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<path class=\"edge\" data-edge=\"{k}\" d=\"M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}\" stroke=\"{stroke}\"{dash} marker-end=\"url(#arrow{stack_ix})\"/>",
            x1 + dx,
            x2 - dx
        );
        // An edge across a column: its label in the last gap, before the box it points at.
        let skips = d.nodes[t].kind.column() > d.nodes[f].kind.column() + 1;
        let (mx, my) = if skips {
            (x2 - COL_GAP / 2.0, y2 - 8.0)
        } else {
            ((x1 + x2) / 2.0, (y1 + y2) / 2.0)
        };
        labels.push((e, mx, my, stroke));
    }
    for (i, n) in d.nodes.iter().enumerate() {
        let p = &placed[i];
        let (fill, stroke) = colours(n.severity);
        let width = if n.kind == NodeKind::Role { 2.5 } else { 1.2 };
        let rx = match n.kind {
            NodeKind::Door => 16,
            NodeKind::IdentityPool => 2,
            _ => 6,
        };
        let _ = writeln!(
            out,
            "<g class=\"node {} {}\" data-node=\"{i}\" tabindex=\"0\"><title>{}</title>",
            n.kind.as_str(),
            class_of(n.severity),
            escape(&n.id)
        );
        let _ = writeln!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{COL_WIDTH:.0}\" height=\"{:.1}\" rx=\"{rx}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{width}\"/>",
            p.x, p.y, p.h
        );
        for (k, l) in p.lines.iter().enumerate() {
            let class = if k == 0 { "t head" } else { "t" };
            let _ = writeln!(
                out,
                "<text class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                p.x + PAD,
                p.y + PAD + (k as f64 + 1.0) * LINE - 3.0,
                escape(l)
            );
        }
        out.push_str("</g>\n");
    }
    // Edge labels last, over the boxes they may overlap.
    for (e, mx, my, stroke) in labels {
        let lines = edge_lines(e);
        let n = lines.len() as f64;
        for (i, l) in lines.iter().enumerate() {
            let _ = writeln!(
                out,
                "<text class=\"elabel\" x=\"{mx:.1}\" y=\"{:.1}\" fill=\"{stroke}\">{}</text>",
                my - (n - 1.0) * 6.0 + i as f64 * 12.0 + 3.0,
                escape(l)
            );
        }
    }
    let _ = write!(
        out,
        "<defs><marker id=\"arrow{stack_ix}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#777\"/></marker></defs>\n</svg>\n"
    );
    out
}

/// The data the panel shows, per stack: the drawn nodes and edges.
#[derive(serde::Serialize)]
struct PanelData<'g> {
    nodes: Vec<&'g Node>,
    edges: Vec<&'g Edge>,
}

/// JSON inside a `<script>` element: `<` escaped so no `</script>` can close it.
fn script_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
}

const STYLE: &str = r#"
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; color: #111; background: #fff; }
header, section.stack { padding: 12px 20px; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 18px 0 6px; }
.legend span { display: inline-block; padding: 2px 8px; margin-right: 6px; border: 1.5px solid; border-radius: 4px; font-size: 12px; }
.note { color: #555; font-size: 13px; }
.wrap { display: flex; gap: 16px; align-items: flex-start; }
.canvas { overflow: auto; border: 1px solid #ddd; border-radius: 6px; max-height: 80vh; flex: 1 1 auto; }
svg.graph { display: block; width: 100%; height: auto; }
svg .t { font: 11.5px system-ui, Helvetica, Arial, sans-serif; fill: #111; }
svg .t.head { font-weight: 600; }
svg .col { font: 600 13px system-ui, Helvetica, Arial, sans-serif; fill: #444; }
svg .edge { fill: none; stroke-width: 1.4; }
svg .elabel { font: 10.5px system-ui, Helvetica, Arial, sans-serif; text-anchor: middle; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
svg .node { cursor: pointer; }
svg .node:hover rect, svg .node:focus rect, svg .node.sel rect { stroke-width: 3.5; }
aside.panel { width: 340px; flex: 0 0 340px; border: 1px solid #ddd; border-radius: 6px; padding: 10px 12px; max-height: 80vh; overflow: auto; font-size: 13px; }
aside.panel h3 { margin: 10px 0 6px; font-size: 15px; }
aside.panel { overflow-wrap: anywhere; }
.finding { border-bottom: 1px solid #eee; padding: 4px 0; }
aside.panel table, table.findings { border-collapse: collapse; width: 100%; }
aside.panel td, aside.panel th, table.findings td, table.findings th { border-bottom: 1px solid #eee; padding: 3px 4px; text-align: left; vertical-align: top; }
.sev-error { color: #c62828; font-weight: 600; }
.sev-warning { color: #b26a00; font-weight: 600; }
.sev-info { color: #1565c0; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
@media print {
  .canvas { max-height: none; overflow: visible; border: none; }
  svg.graph { width: 100%; height: auto; }
  aside.panel { display: none; }
  .wrap { display: block; }
  section.stack { page-break-before: always; }
  section.stack:first-of-type { page-break-before: auto; }
  table.findings { font-size: 11px; }
}
"#;

const SCRIPT: &str = r#"
(function () {
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function findingsList(list) {
    var box = el('div');
    list.forEach(function (f) {
      var item = el('div', null, 'finding');
      var head = el('div');
      head.appendChild(el('b', f.rule + ' '));
      head.appendChild(el('span', f.severity, 'sev-' + f.severity));
      head.appendChild(el('code', ' ' + f.file + ':' + f.line));
      item.appendChild(head);
      item.appendChild(el('div', f.message));
      box.appendChild(item);
    });
    return box;
  }
  function show(section, data, i) {
    var n = data.nodes[i];
    var panel = section.querySelector('aside.panel');
    panel.textContent = '';
    panel.appendChild(el('h3', n.label));
    var meta = n.kind + (n.file ? ' \u2014 ' + n.file + ':' + n.line : '');
    panel.appendChild(el('div', meta, 'note'));
    (n.details || []).forEach(function (d) { panel.appendChild(el('div', d)); });
    var findings = (n.findings || []).slice();
    var into = [];
    data.edges.forEach(function (e) {
      if (e.to === n.id && e.findings) into = into.concat(e.findings);
      if (e.from === n.id && e.kind === 'grants') {
        data.nodes.forEach(function (m) { if (m.id === e.to && m.findings) findings = findings.concat(m.findings); });
      }
    });
    findings = findings.concat(into);
    findings.sort(function (a, b) { return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line; });
    panel.appendChild(el('h3', 'Findings (' + findings.length + ')'));
    if (findings.length) panel.appendChild(findingsList(findings)); else panel.appendChild(el('div', 'none', 'note'));
    if (n.statements && n.statements.length) {
      panel.appendChild(el('h3', 'Statements (' + n.statements.length + ')'));
      var t = el('table');
      n.statements.forEach(function (s) {
        var r = el('tr');
        r.appendChild(el('td', s.effect + (s.not_action ? ' NotAction' : ''), s.effect === 'Allow' ? '' : 'sev-info'));
        var what = el('td');
        what.appendChild(el('code', s.actions.join(', ')));
        what.appendChild(el('div', 'on ' + (s.not_resource ? 'all but ' : '') + (s.resources.length ? s.resources.join(', ') : '(none)') + (s.conditional ? ' (with a condition)' : ''), 'note'));
        what.appendChild(el('div', s.source + ' \u2014 ' + s.file + ':' + s.line, 'note'));
        r.appendChild(what);
        t.appendChild(r);
      });
      panel.appendChild(t);
    }
    section.querySelectorAll('.node.sel').forEach(function (g) { g.classList.remove('sel'); });
    var g = section.querySelector('.node[data-node="' + i + '"]');
    if (g) g.classList.add('sel');
  }
  // `#select=ID` opens a node's panel on load (a link to a role, a screenshot of one).
  var wanted = decodeURIComponent((location.hash || '').replace(/^#select=/, ''));
  document.querySelectorAll('section.stack').forEach(function (section) {
    var src = section.querySelector('script.data');
    if (!src) return;
    var data = JSON.parse(src.textContent);
    data.nodes.forEach(function (n, i) { if (wanted && n.id === wanted) show(section, data, i); });
    section.querySelectorAll('.node').forEach(function (g) {
      var i = Number(g.getAttribute('data-node'));
      g.addEventListener('click', function () { show(section, data, i); });
      g.addEventListener('keydown', function (ev) { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); show(section, data, i); } });
    });
  });
})();
"#;

pub fn render(graphs: &[AccessGraph]) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n<title>cfn-cognito-lint access graph</title>\n<style>",
    );
    out.push_str(STYLE);
    out.push_str(
        "</style>\n</head>\n<body>\n<header>\n<h1>Who can do what: the access graph</h1>\n",
    );
    out.push_str("<div class=\"note\">Left to right: identity pools, their doors (guests, signed-in users of each provider, the classic flow), the roles each door leads to, and what each role may do. Click a node to see its findings and, for a role, its statements.</div>\n<div class=\"legend\">");
    for (s, text) in super::LEGEND {
        let (fill, stroke) = colours(*s);
        let _ = write!(
            out,
            "<span style=\"background:{fill};border-color:{stroke}\">{}</span>",
            escape(text)
        );
    }
    out.push_str(
        "<span style=\"border-style:dashed;border-color:#777\">dashed edge: classic flow, or a role that trusts a pool that hands it out through nothing</span></div>\n</header>\n",
    );
    if graphs.is_empty() {
        out.push_str("<section class=\"stack\"><p>No identity pool and no Cognito-assumable role in these templates.</p></section>\n");
    }
    for (k, g) in graphs.iter().enumerate() {
        let d = select(g);
        let _ = writeln!(
            out,
            "<section class=\"stack\" id=\"stack-{k}\">\n<h2>{}</h2>\n<div class=\"note\">{}</div>",
            escape(&g.stack),
            escape(&g.files.join(", "))
        );
        if !d.collapsed_roles.is_empty() {
            let shown: Vec<&str> = d.collapsed_roles.iter().take(20).copied().collect();
            let more = d.collapsed_roles.len() - shown.len();
            let _ = writeln!(
                out,
                "<p class=\"note\">{} roles without findings are collapsed ({} nodes not drawn): {}{}.</p>",
                d.collapsed_roles.len(),
                d.collapsed_nodes,
                escape(&shown.join(", ")),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            );
        }
        out.push_str("<div class=\"wrap\">\n<div class=\"canvas\">\n");
        out.push_str(&svg(g, &d, k));
        out.push_str("</div>\n<aside class=\"panel\"><div class=\"note\">Click a role (or any node) to see its statements and findings.</div></aside>\n</div>\n");
        let _ = writeln!(
            out,
            "<script type=\"application/json\" class=\"data\">{}</script>",
            script_json(&PanelData {
                nodes: d.nodes.clone(),
                edges: d.edges.clone(),
            })
        );
        // Every finding of the stack, for print and for reading without clicking.
        let mut all: Vec<(&super::FindingRef, String)> = Vec::new();
        for n in &g.nodes {
            all.extend(n.findings.iter().map(|f| (f, n.label.clone())));
        }
        for e in &g.edges {
            all.extend(
                e.findings
                    .iter()
                    .map(|f| (f, format!("{} → {}", e.from, e.to))),
            );
        }
        all.extend(
            g.outside
                .iter()
                .map(|f| (f, "outside the graph".to_string())),
        );
        all.sort_by(|a, b| (&a.0.file, a.0.line, a.0.rule).cmp(&(&b.0.file, b.0.line, b.0.rule)));
        all.dedup_by(|a, b| a.0 == b.0);
        let _ = writeln!(out, "<h2>Findings ({})</h2>", all.len());
        if !all.is_empty() {
            out.push_str("<table class=\"findings\"><tr><th>where</th><th>rule</th><th>severity</th><th>on</th><th>message</th></tr>\n");
            for (f, on) in all {
                let _ = writeln!(
                    out,
                    "<tr><td><code>{}:{}</code></td><td>{}</td><td class=\"sev-{}\">{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&f.file),
                    f.line,
                    f.rule,
                    f.severity.as_str(),
                    f.severity.as_str(),
                    escape(&on),
                    escape(&f.message)
                );
            }
            out.push_str("</table>\n");
        }
        out.push_str("</section>\n");
    }
    out.push_str("<script>");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}
