//! PM: permissions of Cognito-assumable roles, and of every IAM policy at lower severity.

use super::{Context, Emitter, Loc, RuleMeta, Severity};
use crate::iam;
use crate::policy::Tier;

pub static PM001: RuleMeta = RuleMeta {
    id: "PM001",
    name: "wildcard-action",
    tiers: &[
        ("guest", Severity::Error),
        ("signed-in", Severity::Warning),
        ("other", Severity::Info),
    ],
    summary: "wildcard action (`*`, `service:*`), graded by who holds it: guests, signed-in Cognito identities, others",
    help: "list the actions the application calls, e.g. `iot:Connect`, `iot:Subscribe`, `iot:Receive`",
    doc: include_str!("../../rules/PM001.md"),
};

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

pub fn check(cx: &Context<'_>, out: &mut Emitter<'_>) {
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
                let Some(what) = wildcard_reach(action) else {
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
