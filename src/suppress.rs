//! In-template suppressions in `Metadata` (`cfn-cognito-lint: {ignore: [{rule, reason}]}`), on a
//! resource or the template. Applied after every rule ran, so no resource is ever hidden from
//! the cross-resource rules; bad suppressions are TM009 findings.

use crate::rules::registry;
use crate::rules::template::TM009;
use crate::rules::{Emitter, Finding, Loc, Settings};
use crate::template::{NodeId, Template};

struct Suppression {
    /// The resource it applies to (`None`: the whole file).
    resource: Option<String>,
    rule: &'static str,
    entry: NodeId,
    used: bool,
}

fn collect(
    t: &Template,
    metadata: NodeId,
    resource: Option<&str>,
    out: &mut Emitter<'_>,
    list: &mut Vec<Suppression>,
) {
    let tree = &t.tree;
    let Some(ignore) = tree.get_path(metadata, &["cfn-cognito-lint", "ignore"]) else {
        return;
    };
    let items: Vec<NodeId> = tree.items(ignore).map_or_else(
        || vec![ignore],
        |i| i.iter().map(|n| tree.deref(*n)).collect(),
    );
    for entry in items {
        let Some(rule_node) = tree.get(entry, "rule") else {
            out.emit(&TM009, None, Loc::Node(entry), "suppression without `rule`");
            continue;
        };
        let Some(key) = tree.str(rule_node) else {
            out.emit(
                &TM009,
                None,
                Loc::Node(rule_node),
                "a suppression's `rule` names one rule ID or name",
            );
            continue;
        };
        let Some(meta) = registry::find(key) else {
            out.emit(
                &TM009,
                None,
                Loc::Node(rule_node),
                format!("suppression of unknown rule `{key}`"),
            );
            continue;
        };
        let reason = tree
            .get(entry, "reason")
            .and_then(|r| tree.str(r))
            .is_some_and(|r| !r.trim().is_empty());
        if !reason {
            out.emit(
                &TM009,
                None,
                Loc::Node(entry),
                format!(
                    "suppression of {} without a `reason`: say why the finding is accepted",
                    meta.id
                ),
            );
            continue;
        }
        list.push(Suppression {
            resource: resource.map(str::to_string),
            rule: meta.id,
            entry,
            used: false,
        });
    }
}

/// Removes suppressed findings and reports TM009 for suppressions without reason, of unknown
/// rules, or that suppress nothing (among the rules that ran).
pub fn apply(t: &Template, settings: &Settings, findings: Vec<Finding>) -> Vec<Finding> {
    let tree = &t.tree;
    let mut out = Emitter::new(t, settings);
    let mut list = Vec::new();
    if let Some(m) = tree.get(t.root, "Metadata") {
        collect(t, m, None, &mut out, &mut list);
    }
    for r in &t.resources {
        if let Some(m) = tree.get(r.node, "Metadata") {
            collect(t, m, Some(&r.name), &mut out, &mut list);
        }
    }
    if list.is_empty() {
        let mut findings = findings;
        findings.extend(out.findings);
        return findings;
    }
    let mut kept = Vec::with_capacity(findings.len());
    for f in findings {
        let hit = list
            .iter_mut()
            .find(|s| s.rule == f.rule.id && (s.resource.is_none() || s.resource == f.resource));
        match hit {
            Some(s) => s.used = true,
            None => kept.push(f),
        }
    }
    for s in list.iter().filter(|s| !s.used && settings.enabled(s.rule)) {
        out.emit(
            &TM009,
            None,
            Loc::Node(s.entry),
            format!("this suppression of {} suppresses nothing", s.rule),
        );
    }
    kept.extend(out.findings);
    kept
}
