//! TR: trust policies of Cognito-assumable roles. One walk over each role's Cognito trust
//! statements serves TR001, TR002, TR004 and TR005.

use super::{Context, Emitter, FixHint, Loc};
use crate::policy::{AMR_KEY, AUD_KEY, Clause, Role, Slot, Statement};
use crate::template::intrinsic::{self, Target, Value};
use crate::template::{NodeId, Tree};

rule! {
    TR001, "trust-without-aud", [error],
    summary: "Cognito trust statement without a cognito-identity.amazonaws.com:aud condition: any identity pool in any account can assume the role",
    help: "add `StringEquals: {cognito-identity.amazonaws.com:aud: !Ref IdentityPool}` to the statement's Condition",
}
rule! {
    TR002, "aud-not-pinned", ["default" = error, "several" = warning],
    summary: "the aud condition does not pin exactly one identity pool",
    help: "use `StringEquals` with exactly one identity pool ID",
}
rule! {
    TR004, "trust-without-amr", [warning],
    summary: "no cognito-identity.amazonaws.com:amr condition: the role does not say whether guests or signed-in users may assume it",
    help: "add `ForAnyValue:StringLike: {cognito-identity.amazonaws.com:amr: authenticated}` (or `unauthenticated` for a guest role)",
}
rule! {
    TR005, "amr-wrong", ["default" = error, "operator" = warning],
    summary: "the amr condition contradicts the role's use, names an unknown value, or uses a single-valued operator",
    help: "use `ForAnyValue:StringLike` with `authenticated` for signed-in roles and `unauthenticated` for guest roles",
}

rule! {
    TR003, "aud-wrong-pool", [error],
    summary: "aud names something other than the identity pool the role is attached to (a user pool, a client, another pool)",
    help: "set the aud condition to `!Ref` the identity pool that the role attachment names",
}
rule! {
    TR006, "trust-wrong-action", ["default" = error, "broad" = warning],
    summary: "Cognito trust statement with `sts:AssumeRole` (never works), `sts:*`/`*`, `NotPrincipal` or `NotAction`",
    help: "use `Action: sts:AssumeRoleWithWebIdentity` (and `sts:TagSession` for attributes for access control)",
}

/// TR003: the aud value resolves to something of this template that is not the attached pool.
fn check_aud_target(cx: &Context<'_>, out: &mut Emitter<'_>, role: &Role, c: &Clause<'_>) {
    let t = cx.template;
    let tree = &t.tree;
    let attached: Vec<&crate::policy::Attached> =
        role.attached.iter().filter(|a| a.pool.is_some()).collect();
    for item in intrinsic::items(tree, c.value) {
        for (node, target) in intrinsic::resolve(t, item) {
            // A parameter's given value (or its default) is a literal pool ID.
            let value = intrinsic::branch_value(t, node);
            let (what, wrong) = match &target {
                Target::Resource { index, .. } => {
                    let r = &t.resources[*index];
                    match r.type_name.as_deref() {
                        Some("AWS::Cognito::UserPool") => {
                            (format!("the user pool `{}`", r.name), true)
                        }
                        Some("AWS::Cognito::UserPoolClient") => {
                            (format!("the user pool client `{}`", r.name), true)
                        }
                        Some("AWS::Cognito::IdentityPool") => {
                            let elsewhere = !attached.is_empty()
                                && attached.iter().all(|a| a.pool != Some(*index));
                            (format!("the identity pool `{}`", r.name), elsewhere)
                        }
                        _ => (format!("`{}`", r.name), true),
                    }
                }
                Target::Literal(_) => ("a literal pool ID".to_string(), !attached.is_empty()),
                Target::Parameter { .. } if value.param().is_some() => (
                    format!("a literal pool ID{}", value.origin()),
                    !attached.is_empty(),
                ),
                _ => continue,
            };
            if !wrong {
                continue;
            }
            let role_name = &t.resources[role.resource].name;
            let f = match attached.first().and_then(|a| a.pool) {
                Some(p) => out.emit(
                    &TR003,
                    None,
                    Loc::Node(node),
                    format!(
                        "aud names {what}, but `{role_name}` is attached to the identity pool `{}`",
                        t.resources[p].name
                    ),
                ),
                None => out.emit(
                    &TR003,
                    None,
                    Loc::Node(node),
                    format!("aud names {what}: the aud condition takes an identity pool ID"),
                ),
            };
            for a in &attached {
                f.label(
                    tree.key_span(a.value).unwrap_or_else(|| tree.span(a.value)),
                    format!("attached as `{}` here", a.slot.name()),
                );
            }
            // The other end: where the resource the aud names is defined (in another stack's
            // file when the aud imports its export).
            if let Target::Resource { index, .. } = &target {
                f.label(
                    t.resources[*index].key_span,
                    format!("{what} is defined here"),
                );
            }
            f.rests_on(tree, value);
        }
    }
}

/// TR006: the action of a Cognito trust statement.
fn check_action(cx: &Context<'_>, out: &mut Emitter<'_>, st: &Statement) {
    let tree = &cx.template.tree;
    for (node, action) in st.actions(tree) {
        if action.eq_ignore_ascii_case("sts:AssumeRole") {
            out.emit(&TR006, None, Loc::Node(node), "`sts:AssumeRole` for the `cognito-identity.amazonaws.com` principal can never succeed: identity pools call `AssumeRoleWithWebIdentity`");
        } else if action == "*" || action.eq_ignore_ascii_case("sts:*") {
            out.emit(
                &TR006,
                Some("broad"),
                Loc::Node(node),
                format!("`{action}` lets Cognito identities call every STS action on this role"),
            );
        }
    }
    for (key, node) in [
        ("NotPrincipal", st.not_principal),
        ("NotAction", st.not_action),
    ] {
        if let Some(n) = node {
            out.emit(
                &TR006,
                Some("broad"),
                Loc::Key(n),
                format!("`{key}` in a Cognito trust statement trusts everything not listed"),
            );
        }
    }
}

pub fn check(cx: &Context<'_>, out: &mut Emitter<'_>) {
    let tree = &cx.template.tree;
    for role in &cx.model.roles {
        // Deny-only placeholders (Amplify) are fine: only Allow statements let identities in.
        for st in role.cognito_allows(tree) {
            let clauses = st.clauses(tree);
            let aud: Vec<&Clause> = clauses
                .iter()
                .filter(|c| c.key.eq_ignore_ascii_case(AUD_KEY))
                .collect();
            let amr: Vec<&Clause> = clauses
                .iter()
                .filter(|c| c.key.eq_ignore_ascii_case(AMR_KEY))
                .collect();
            let anchor = statement_anchor(tree, st);
            if aud.is_empty() {
                out.emit(&TR001, None, anchor, "Cognito trust statement without a `cognito-identity.amazonaws.com:aud` condition: IAM refuses such a trust policy, so the deployment fails; a role created before that check can be assumed by identities of any identity pool, in any AWS account")
                    .fix_hint = attached_pool(cx, role).map(FixHint::AudPool);
            }
            for c in &aud {
                check_aud(cx, out, c);
                check_aud_target(cx, out, role, c);
            }
            check_action(cx, out, st);
            if amr.is_empty() {
                out.emit(&TR004, None, anchor, "Cognito trust statement without a `cognito-identity.amazonaws.com:amr` condition: both guests and signed-in users of the pool can assume this role")
                    .fix_hint = attached_slot(role).map(FixHint::AmrSlot);
            }
            for c in &amr {
                check_amr(cx, out, role, c);
            }
        }
    }
}

/// The logical ID of the identity pool the role is attached to, when there is exactly one and
/// this stack creates it (an attachment to a pool from elsewhere makes it unknown).
fn attached_pool(cx: &Context<'_>, role: &Role) -> Option<String> {
    let mut pools = role.attached.iter().map(|a| a.pool);
    let first = pools.next()??;
    if !pools.all(|p| p == Some(first)) {
        return None;
    }
    Some(cx.template.resources.get(first)?.name.to_string())
}

/// The amr value of the role's slot, when every attachment hands it out in the same one:
/// `unauthenticated` for the guest slot, `authenticated` for the signed-in slot, role-mapping
/// rules and user-pool groups (which serve signed-in identities only).
fn attached_slot(role: &Role) -> Option<&'static str> {
    let mut words = role.attached.iter().map(|a| match a.slot {
        Slot::Unauthenticated => "unauthenticated",
        Slot::Authenticated | Slot::Mapping | Slot::Group => "authenticated",
    });
    let first = words.next()?;
    words.all(|w| w == first).then_some(first)
}

/// Where a statement-level finding points: its Condition key, else the federated principal.
fn statement_anchor(tree: &Tree, st: &Statement) -> Loc {
    match (st.condition, st.federated(tree)) {
        (Some(c), _) => Loc::Key(c),
        (None, Some(f)) => Loc::Node(f),
        (None, None) => Loc::Node(st.node),
    }
}

fn check_aud(cx: &Context<'_>, out: &mut Emitter<'_>, c: &Clause<'_>) {
    let t = cx.template;
    let tree = &t.tree;
    let op = c.op;
    let values: Vec<(NodeId, &str, Value<'_>)> = intrinsic::value_items(t, c.value)
        .into_iter()
        .filter_map(|v| Some((v.at()?, v.text(tree)?, v)))
        .collect();
    let all_items = crate::template::intrinsic::items(tree, c.value);
    if op.starts_with("ForAllValues:") {
        out.emit(&TR002, None, Loc::Key(c.op_node), format!("`{op}` on the aud key is true when the key is absent: it does not pin an identity pool"));
        return;
    }
    if op.ends_with("IfExists") {
        out.emit(
            &TR002,
            None,
            Loc::Key(c.op_node),
            format!("`{op}` on the aud key is true when the key is absent"),
        );
        return;
    }
    if op.contains("Not") {
        out.emit(
            &TR002,
            None,
            Loc::Key(c.op_node),
            format!("negated operator `{op}` on the aud key admits every other identity pool"),
        );
        return;
    }
    let base = op.strip_prefix("ForAnyValue:").unwrap_or(op);
    let like = base == "StringLike";
    if base != "StringEquals" && !like {
        out.emit(
            &TR002,
            None,
            Loc::Key(c.op_node),
            format!(
                "`{op}` on the aud key: only `StringEquals` with one identity pool ID pins the pool"
            ),
        );
        return;
    }
    if all_items.is_empty() {
        out.emit(
            &TR002,
            None,
            Loc::Key(c.value),
            "empty aud list: no identity pool is pinned",
        );
        return;
    }
    for &(node, v, value) in &values {
        if like && (v.contains('*') || v.contains('?')) {
            out.emit(
                &TR002,
                None,
                Loc::Node(node),
                format!(
                    "`{op}` with wildcard `{v}`{} admits more than one identity pool",
                    value.origin()
                ),
            )
            .rests_on(tree, value);
            return;
        }
        if !like && v == "*" {
            out.emit(&TR002, None, Loc::Node(node), format!("`StringEquals` with `*`{} matches no identity pool ID literally: the role is unusable, not open", value.origin()))
                .help("put the identity pool ID here (`!Ref IdentityPool`)")
                .rests_on(tree, value);
            return;
        }
    }
    if tree.items(c.value).is_some_and(|l| l.len() > 1) {
        out.emit(&TR002, Some("several"), Loc::Key(c.value), format!("the aud condition lists {} identity pools: one role per pool keeps their permissions apart", tree.items(c.value).map_or(0, <[NodeId]>::len)));
    }
}

/// Identity-provider names an amr value may carry besides authenticated/unauthenticated.
fn known_amr(value: &str, developer_providers: &[&str]) -> bool {
    const PROVIDERS: &[&str] = &[
        "graph.facebook.com",
        "accounts.google.com",
        "www.amazon.com",
        "appleid.apple.com",
        "api.twitter.com",
        "www.digits.com",
    ];
    if matches!(value, "authenticated" | "unauthenticated")
        || PROVIDERS.contains(&value)
        || developer_providers.contains(&value)
    {
        return true;
    }
    if let Some(rest) = value.strip_prefix("cognito-idp.") {
        return rest.contains(".amazonaws.com") && rest.contains('/');
    }
    value.starts_with("arn:aws")
        && (value.contains(":oidc-provider/") || value.contains(":saml-provider/"))
}

fn check_amr(cx: &Context<'_>, out: &mut Emitter<'_>, role: &Role, c: &Clause<'_>) {
    let t = cx.template;
    let tree = &t.tree;
    let op = c.op;
    if matches!(op, "StringEquals" | "StringLike") {
        out.emit(
            &TR005,
            Some("operator"),
            Loc::Key(c.op_node),
            format!(
                "`{op}` on the multi-valued amr key: for signed-in users amr carries several values"
            ),
        )
        .help(format!("use `ForAnyValue:{op}`"));
    }
    // Developer provider names of the template's pools, looked up only for an unusual value.
    let developer = || -> Vec<&str> {
        t.resources_of_type("AWS::Cognito::IdentityPool")
            .filter_map(|(_, r)| {
                r.properties
                    .and_then(|p| tree.get(p, "DeveloperProviderName"))
                    .and_then(|n| tree.str(n))
            })
            .collect()
    };
    let items = intrinsic::value_items(t, c.value);
    let values: Vec<(NodeId, &str, Value<'_>)> = items
        .iter()
        .filter_map(|v| Some((v.at()?, v.text(tree)?, *v)))
        .collect();
    for &(node, v, value) in &values {
        let wildcard = op.contains("Like") && (v.contains('*') || v.contains('?'));
        if !wildcard && !known_amr(v, &[]) && !known_amr(v, &developer()) {
            out.emit(&TR005, None, Loc::Node(node), format!("amr value `{v}`{} is neither `authenticated`, `unauthenticated` nor an identity provider name", value.origin()))
                .rests_on(tree, value);
        }
    }
    // Only when every item is known: an unknown one may name the other slot.
    let only = |word: &str| {
        !values.is_empty()
            && !items.iter().any(|v| v.is_unknown())
            && values.iter().all(|(_, v, _)| *v == word)
    };
    for a in &role.attached {
        let clash = match a.slot {
            Slot::Authenticated => only("unauthenticated"),
            Slot::Unauthenticated => only("authenticated"),
            Slot::Mapping | Slot::Group => false,
        };
        if !clash {
            continue;
        }
        let Some(&(node, v, _)) = values.first() else {
            continue;
        };
        let attachment = &t.resources[a.attachment].name;
        let origins = intrinsic::origins(values.iter().map(|(_, _, v)| *v));
        let f = out.emit(&TR005, None, Loc::Node(node), format!("amr `{v}`{origins} but the role is attached as `{}` by `{attachment}`: the role can never be assumed in that slot", a.slot.name()));
        f.label(
            tree.key_span(a.value).unwrap_or_else(|| tree.span(a.value)),
            format!("attached as `{}` here", a.slot.name()),
        );
        for &(_, _, v) in &values {
            f.rests_on(tree, v);
        }
    }
}
