//! PM: permissions of Cognito-assumable roles, and of every IAM policy at lower severity.

use super::{Context, Emitter, Loc};
use std::sync::LazyLock;

use crate::iam;
use crate::policy::{Document, Tier, strings};
use crate::template::{NodeId, Template, Tree, intrinsic};

rule! {
    PM001, "wildcard-action", ["guest" = error, "signed-in" = warning, "other" = info],
    summary: "wildcard action (`*`, `service:*`), graded by who holds it: guests, signed-in Cognito identities, others",
    help: "list the actions the application calls, e.g. `iot:Connect`, `iot:Subscribe`, `iot:Receive`",
}

/// `*` or `service:*` (a whole service).
pub fn is_service_wildcard(action: &str) -> bool {
    if action == "*" {
        return true;
    }
    match action.split_once(':') {
        Some((service, "*")) => !service.is_empty() && !service.contains(['*', '?']),
        _ => false,
    }
}

/// What a wildcard action hands out, if PM001 should report it: `*`, `service:*`, or a prefix
/// wildcard that covers write or permissions-management actions of the IAM table.
pub fn wildcard_reach(action: &str) -> Option<String> {
    if action == "*" {
        return Some("every action of every AWS service".to_string());
    }
    if is_service_wildcard(action) {
        return Some(format!(
            "every action of `{}`",
            action.trim_end_matches(":*")
        ));
    }
    if !action.contains(['*', '?']) {
        return None;
    }
    let writes: Vec<String> = iam::expand(action)
        .into_iter()
        .filter(|a| a.2.is_write())
        .map(|(p, a, _)| format!("{p}:{a}"))
        .collect();
    match writes.as_slice() {
        [] => None,
        [one] => Some(format!("the write action `{one}`")),
        [a, b, rest @ ..] => Some(format!(
            "{} write or permissions-management actions (`{a}`, `{b}`{})",
            writes.len(),
            if rest.is_empty() { "" } else { ", …" }
        )),
    }
}

/// Whether PM001 reports an action string: `*` and `service:*` always; a prefix wildcard that
/// covers write actions unless it covers an escalation action held by Cognito identities,
/// which PM008 reports instead (one finding per action string).
fn pm001_reports(action: &str, tier: Tier) -> bool {
    if action == "*" || is_service_wildcard(action) {
        return true;
    }
    wildcard_reach(action).is_some()
        && !(tier != Tier::Other && listed(&ESCALATION, action).is_some())
}

/// PM001: wildcard actions (`*`, `service:*`, prefix wildcards that reach write actions), graded
/// by who holds the policy.
pub fn check_wildcard_actions(cx: &Context<'_>, out: &mut Emitter<'_>) {
    if !out.enabled(&PM001) {
        return;
    }
    let t = cx.template;
    let tree = &t.tree;
    for policy in &cx.model.policies {
        let tier = cx.model.policy_tier(policy);
        let who = match tier {
            Tier::Guest => "guest (unauthenticated) identities",
            Tier::SignedIn => "every signed-in Cognito identity",
            Tier::Other => "its principals",
        };
        let roles: Vec<&str> = policy
            .roles
            .iter()
            .map(|r| &*t.resources[*r].name)
            .collect();
        for st in policy.doc.statements.iter().filter(|s| s.is_allow(tree)) {
            for (node, action) in st.actions(tree) {
                let Some(what) = wildcard_reach(action).filter(|_| pm001_reports(action, tier))
                else {
                    continue;
                };
                let holder = match roles.as_slice() {
                    [] => String::new(),
                    [one] => format!(" (role `{one}`)"),
                    many => format!(
                        " (roles {})",
                        many.iter()
                            .map(|r| format!("`{r}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                out.emit(
                    &PM001,
                    Some(tier.name()),
                    Loc::Node(node),
                    format!("`{action}` grants {what} to {who}{holder}"),
                );
            }
        }
    }
}

rule! {
    PM002, "unscoped-identity-access", [warning],
    summary: "sensitive data actions (IoT, DynamoDB items, S3 objects) on `Resource: '*'` for Cognito identities",
    help: "scope the resource per identity with the `${cognito-identity.amazonaws.com:sub}` policy variable (in `!Sub`, write `${!cognito-identity.amazonaws.com:sub}`)",
}
rule! {
    PM003, "retired-service-action", [warning],
    summary: "action of a retired service or feature (Mobile Analytics, Cognito Sync, Pinpoint engagement features)",
    help: "remove the action; see the message for what replaces the service",
}
rule! {
    PM004, "malformed-action", [warning],
    summary: "malformed action: not `service:action`, spaces, or a service prefix the IAM table does not know",
    help: "write actions as `service:ActionName` (see the Service Authorization Reference)",
}
rule! {
    PM005, "unknown-action", [warning],
    summary: "action name unknown for a known service (wildcards are matched against the IAM table)",
    help: "check the action's spelling in the Service Authorization Reference",
}
rule! {
    PM006, "malformed-policy", ["default" = error, "version" = warning],
    summary: "policy document structure: Effect, Action, Resource, condition operators, Version",
    help: "see the IAM JSON policy element reference",
}
rule! {
    PM007, "allow-not-action", [warning],
    summary: "`Allow` with `NotAction` or `NotResource`: grants everything not listed, including future actions",
    help: "list the allowed actions and resources instead",
}
rule! {
    PM008, "escalation-to-identities", ["guest" = error, "signed-in" = warning],
    summary: "privilege-escalation or account-level actions granted to Cognito identities",
    help: "keep administrative actions on server-side roles; app users must never hold them",
}

static RETIRED: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| iam::patterns(include_str!("../../rules/data/retired-actions.txt")));
static SENSITIVE: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| iam::patterns(include_str!("../../rules/data/sensitive-actions.txt")));
static ESCALATION: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| iam::patterns(include_str!("../../rules/data/escalation-actions.txt")));

/// Whether an action (maybe a wildcard) can match one of the listed patterns.
fn listed<'l>(
    list: &'l [(&'static str, &'static str)],
    action: &str,
) -> Option<&'l (&'static str, &'static str)> {
    list.iter().find(|(p, _)| {
        iam::glob_match(p, action) || (action.contains(['*', '?']) && iam::overlaps(action, p))
    })
}

/// IAM condition operators (without `ForAllValues:`/`ForAnyValue:` and `IfExists`).
const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

fn known_operator(op: &str) -> bool {
    let base = op
        .strip_prefix("ForAllValues:")
        .or_else(|| op.strip_prefix("ForAnyValue:"))
        .unwrap_or(op);
    let base = if base == "Null" {
        base
    } else {
        base.strip_suffix("IfExists").unwrap_or(base)
    };
    OPERATORS.contains(&base)
}

/// PM004–PM005 on one action string, and PM003 on identity policies (`retired`); not called
/// for actions PM001 reports.
fn check_action(out: &mut Emitter<'_>, node: NodeId, action: &str, retired: bool) {
    if action == "*" {
        return;
    }
    let malformed = action.chars().any(char::is_whitespace)
        || action.matches(':').count() != 1
        || action.split_once(':').is_some_and(|(s, a)| {
            s.is_empty()
                || a.is_empty()
                || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if malformed {
        out.emit(
            &PM004,
            None,
            Loc::Node(node),
            format!("`{action}` is not of the form `service:ActionName`"),
        );
        return;
    }
    let Some((prefix, name)) = action.split_once(':') else {
        return;
    };
    if let Some((_, note)) = listed(&RETIRED, action) {
        if retired {
            out.emit(&PM003, None, Loc::Node(node), format!("`{action}`: {note}"));
        }
        return;
    }
    let Some(service) = iam::service(prefix) else {
        if !RETIRED.iter().any(|(p, _)| {
            p.split_once(':')
                .is_some_and(|(s, _)| s.eq_ignore_ascii_case(prefix))
        }) {
            out.emit(
                &PM004,
                None,
                Loc::Node(node),
                format!("`{prefix}` is not a service prefix the IAM action table knows"),
            );
        }
        return;
    };
    // Wildcards are matched against the table, never rejected as unknown.
    if !name.contains(['*', '?']) && !service.has(name) {
        out.emit(
            &PM005,
            None,
            Loc::Node(node),
            format!("{} has no action `{name}`", service.name),
        );
    }
}

/// Whether a document uses `${…}` policy variables (which need Version 2012-10-17).
fn uses_policy_variables(tree: &Tree, doc: NodeId) -> bool {
    let mut found = false;
    let _ = tree.walk(doc, tree.len(), |id| {
        if let Some(s) = tree.str(id) {
            // `${!aws:username}` in a Sub, `${aws:username}` in a plain string; `${AWS::Region}` is a
            // pseudo parameter, not a policy variable.
            if s.contains("${!")
                || intrinsic::sub_vars(s)
                    .iter()
                    .any(|v| v.name.contains(':') && !v.name.contains("::"))
            {
                found = true;
            }
        }
    });
    found
}

/// PM006 on a document: Version, and each statement's Effect, Action, Resource, operators.
fn check_structure(out: &mut Emitter<'_>, t: &Template, doc: &Document, identity: bool) {
    let tree = &t.tree;
    // A Version from a parameter: its given value or default; unknown proves nothing.
    let from_param = doc
        .version
        .filter(|v| intrinsic::as_intrinsic(tree, *v).is_some_and(|(f, _, _)| f != "Fn::If"))
        .map(|v| intrinsic::branch_value(t, v));
    let version = match from_param {
        Some(v) => v.text(tree),
        None => doc.version.and_then(|v| tree.str(v)),
    };
    if from_param.is_some_and(|v| v.param().is_none()) {
        // Unknown (or not a parameter): not judged.
    } else if version != Some("2012-10-17") {
        let vars = uses_policy_variables(tree, doc.node);
        let tier = if vars { "default" } else { "version" };
        let why = if vars {
            "it uses `${…}` policy variables, which only Version 2012-10-17 substitutes"
        } else {
            "without it IAM applies the 2008 language"
        };
        let origin = from_param.map(|v| v.origin()).unwrap_or_default();
        let (loc, what) = match (doc.version, version) {
            (Some(v), Some(text)) => (
                Loc::Node(v),
                format!("policy Version `{text}`{origin} is not `2012-10-17`: {why}"),
            ),
            _ => (
                Loc::Key(doc.node),
                format!("policy document without `Version: '2012-10-17'`: {why}"),
            ),
        };
        let f = out.emit(&PM006, Some(tier), loc, what);
        if let Some(v) = from_param {
            f.rests_on(tree, v);
        }
    }
    for st in &doc.statements {
        match st.effect {
            None => {
                out.emit(
                    &PM006,
                    None,
                    Loc::Node(st.node),
                    "statement without `Effect`",
                );
            }
            Some(e) => {
                if let Some(text) = tree.str(e).filter(|t| !matches!(*t, "Allow" | "Deny")) {
                    out.emit(
                        &PM006,
                        None,
                        Loc::Node(e),
                        format!("`Effect: {text}`: IAM accepts only `Allow` or `Deny`"),
                    );
                }
            }
        }
        if st.action.is_none() && st.not_action.is_none() {
            out.emit(
                &PM006,
                None,
                Loc::Node(st.node),
                "statement without `Action` or `NotAction`",
            );
        }
        if identity && st.resource.is_none() && st.not_resource.is_none() {
            out.emit(
                &PM006,
                None,
                Loc::Node(st.node),
                "identity-policy statement without `Resource` or `NotResource`",
            );
        }
        for c in st.clauses(tree).iter().filter(|c| !known_operator(c.op)) {
            out.emit(
                &PM006,
                None,
                Loc::Key(c.op_node),
                format!("unknown condition operator `{}`", c.op),
            );
        }
    }
}

/// The statements of every policy document: PM002–PM008 on identity policies; PM004–PM006 on
/// resource-based and trust policies.
pub fn check_policy_documents(cx: &Context<'_>, out: &mut Emitter<'_>) {
    let t = cx.template;
    let tree = &t.tree;
    for policy in &cx.model.policies {
        let tier = cx.model.policy_tier(policy);
        check_structure(out, t, &policy.doc, true);
        for st in &policy.doc.statements {
            let allow = st.is_allow(tree);
            if allow {
                for (key, node) in [
                    ("NotAction", st.not_action),
                    ("NotResource", st.not_resource),
                ] {
                    if let Some(n) = node {
                        out.emit(&PM007, None, Loc::Key(n), format!("`Allow` with `{key}` grants everything not listed, including actions AWS adds later"));
                    }
                }
            }
            let mut sensitive: Vec<&str> = Vec::new();
            for (node, action) in st
                .actions(tree)
                .into_iter()
                .chain(strings(tree, st.not_action))
            {
                if pm001_reports(action, tier) {
                    continue; // one finding per action string
                }
                check_action(out, node, action, true);
                if !allow || tier == Tier::Other || st.action.is_none() {
                    continue;
                }
                if listed(&ESCALATION, action).is_some() {
                    out.emit(
                        &PM008,
                        Some(tier.name()),
                        Loc::Node(node),
                        format!(
                            "`{action}` lets {} escalate privileges or change the account",
                            if tier == Tier::Guest {
                                "guest (unauthenticated) identities"
                            } else {
                                "signed-in Cognito identities"
                            }
                        ),
                    );
                } else if listed(&SENSITIVE, action).is_some() {
                    sensitive.push(action);
                }
            }
            if !sensitive.is_empty() && st.not_action.is_none() {
                if let Some((star, _)) = strings(tree, st.resource)
                    .into_iter()
                    .find(|(_, r)| *r == "*")
                {
                    let list = sensitive
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    out.emit(&PM002, None, Loc::Node(star), format!("{list} on every resource: each Cognito identity can reach every other identity's data"));
                }
            }
        }
    }
    for (doc, _, trust) in &cx.model.resource_policies {
        check_structure(out, t, doc, false);
        for st in &doc.statements {
            for (node, action) in st
                .actions(tree)
                .into_iter()
                .chain(strings(tree, st.not_action))
            {
                if *trust || wildcard_reach(action).is_none() {
                    check_action(out, node, action, false);
                }
            }
        }
    }
}
