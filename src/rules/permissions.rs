//! PM: permissions of Cognito-assumable roles, and of every IAM policy at lower severity.

use super::{Context, Emitter, Loc};
use std::sync::LazyLock;

use crate::iam;
use crate::policy::{Document, Tier, strings};
use crate::template::{NodeId, Template, Tree, intrinsic};

rule! {
    PM001, "wildcard-action", ["guest" = error, "open-sign-up" = error, "signed-in" = warning, "other" = info],
    summary: "wildcard action (`*`, `service:*`), graded by who holds it: guests, anyone who can sign up, signed-in Cognito identities, others",
    help: "list the actions the application calls, e.g. `iot:Connect`, `iot:Subscribe`, `iot:Receive`",
}

/// `*` or `service:*` (a whole service).
pub fn is_service_wildcard(action: &str) -> bool {
    if action == "*" {
        return true;
    }
    match action.split_once(':') {
        Some((service, "*")) => !service.is_empty() && !iam::has_wildcard(service),
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
    if !iam::has_wildcard(action) {
        return None;
    }
    // The answer depends on the action string and the IAM table only, and a run meets the
    // same few prefix wildcards (`logs:Create*`, `s3:Get*`) in many policies and templates:
    // each is matched against its service's actions once per thread.
    thread_local! {
        static REACH: std::cell::RefCell<foldhash::HashMap<String, Option<String>>> =
            std::cell::RefCell::new(foldhash::HashMap::default());
    }
    if let Some(known) = REACH.with(|r| r.borrow().get(action).cloned()) {
        return known;
    }
    let reach = prefix_wildcard_reach(action);
    REACH.with(|r| {
        r.borrow_mut().insert(action.to_string(), reach.clone());
    });
    reach
}

/// [`wildcard_reach`] of a prefix wildcard (`s3:Get*`): the write actions it matches.
fn prefix_wildcard_reach(action: &str) -> Option<String> {
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
    wildcard_reach(action).is_some() && !(tier != Tier::Other && escalates(action))
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
        let who = who(cx, tier, &policy.roles);
        let (holder, why) = holders(cx, &policy.roles);
        for st in policy.doc.statements.iter().filter(|s| s.is_allow(tree)) {
            for (node, action) in st.actions(tree) {
                let Some(what) = wildcard_reach(action).filter(|_| pm001_reports(action, tier))
                else {
                    continue;
                };
                out.emit(
                    &PM001,
                    Some(tier.name()),
                    Loc::Node(node),
                    format!("`{action}` grants {what} to {who}{holder}{why}"),
                );
            }
        }
    }
}

/// Who holds a policy's roles, for messages: [`Tier::holders`], or, for signed-in roles that
/// Cognito hands only to the members of user-pool groups ([`crate::policy::Model::group_only`]),
/// those members.
fn who(cx: &Context<'_>, tier: Tier, roles: &[usize]) -> String {
    if matches!(tier, Tier::SignedIn | Tier::OpenSignUp) {
        let mut groups: Vec<String> = Vec::new();
        let only_groups = roles
            .iter()
            .filter_map(|r| cx.model.role_of(*r))
            .filter(|r| r.tier != Tier::Other)
            .all(|r| match cx.model.group_only(r) {
                Some(g) => {
                    groups.extend(g);
                    true
                }
                None => false,
            });
        groups.sort();
        groups.dedup();
        if only_groups && !groups.is_empty() {
            return format!(
                "the signed-in members of user-pool group{} {}",
                if groups.len() > 1 { "s" } else { "" },
                groups
                    .iter()
                    .map(|g| format!("`{g}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    tier.holders().to_string()
}

/// For messages: the roles a policy applies to (` (role `R`)`), and why anyone can assume
/// them when a door is open to strangers (`: anyone can sign up to `UserPool` and assume this
/// role`).
fn holders(cx: &Context<'_>, roles: &[usize]) -> (String, String) {
    let t = cx.template;
    let names: Vec<&str> = roles.iter().map(|r| &*t.resources[*r].name).collect();
    let holder = match names.as_slice() {
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
    let why = cx
        .model
        .exposed_role(roles)
        .filter(|r| matches!(r.tier, Tier::OpenSignUp | Tier::SignedIn))
        .and_then(|r| r.door.as_ref())
        .map(|d| format!(": {}", d.why(t)))
        .unwrap_or_default();
    (holder, why)
}

rule! {
    PM002, "unscoped-identity-access", ["guest" = error, "open-sign-up" = error, "signed-in" = warning],
    summary: "sensitive actions (IoT, DynamoDB items, S3 objects, secrets, parameters, keys, invocations, writes) on `Resource: '*'` for Cognito identities",
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
    PM006, "malformed-policy", ["default" = error, "version" = info],
    summary: "policy document structure: Effect, Action, Resource, condition operators, Version",
    help: "see the IAM JSON policy element reference",
}
rule! {
    PM007, "allow-not-action", [warning],
    summary: "`Allow` with `NotAction` or `NotResource`: grants everything not listed, including future actions",
    help: "list the allowed actions and resources instead",
}
rule! {
    PM008, "escalation-to-identities", ["guest" = error, "open-sign-up" = error, "signed-in" = warning],
    summary: "privilege-escalation or account-level actions granted to Cognito identities",
    help: "keep administrative actions on server-side roles; app users must never hold them",
}

static RETIRED: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| iam::patterns(include_str!("../../rules/data/retired-actions.txt")));
static SENSITIVE: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    let mut list = iam::patterns(include_str!("../../rules/data/sensitive-actions.txt"));
    list.retain(|(p, _)| !p.starts_with('!'));
    list
});
/// The `!` lines of `sensitive-actions.txt`: Write-level actions that are not sensitive.
static NOT_SENSITIVE: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    iam::patterns(include_str!("../../rules/data/sensitive-actions.txt"))
        .into_iter()
        .filter_map(|(p, n)| p.strip_prefix('!').map(|p| (p, n)))
        .collect()
});
static ESCALATION: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| iam::patterns(include_str!("../../rules/data/escalation-actions.txt")));

/// Whether PM008 reports an action (maybe a wildcard): it can match a pattern of
/// `escalation-actions.txt`, and when that pattern is itself a wildcard (`cognito-idp:Admin*`),
/// some action both cover is one the IAM table classes Write or Permissions management: the
/// Read and List actions a wildcard pattern also covers (`cognito-idp:AdminGetUser`,
/// `cognito-idp:AdminListGroupsForUser`) neither escalate privileges nor change the account.
/// An action the table does not know is judged by the pattern alone.
fn escalates(action: &str) -> bool {
    let wild = iam::has_wildcard(action);
    ESCALATION.iter().any(|(p, _)| {
        if !entry_matches(p, action, wild) {
            return false;
        }
        if !iam::has_wildcard(p) {
            return true;
        }
        let covered = iam::expand(action);
        let pattern = p.split_once(':').map_or(*p, |(_, name)| name);
        covered.is_empty()
            || covered
                .iter()
                .any(|(_, a, level)| level.is_write() && iam::glob_match(pattern, a))
    })
}

/// Who escalates, for PM008's message.
fn escalators(tier: Tier) -> &'static str {
    if tier == Tier::Guest {
        "guest (unauthenticated) identities"
    } else {
        "signed-in Cognito identities"
    }
}

/// `a`, `b`, … (at most six, then the count of the rest).
fn quoted(actions: &[&str]) -> String {
    let mut out = actions
        .iter()
        .take(6)
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if actions.len() > 6 {
        out.push_str(&format!(" and {} more", actions.len() - 6));
    }
    out
}

/// PM002: an action that Cognito identities must not hold on `*` (and that PM001 and PM008 do
/// not report): one listed in `sensitive-actions.txt`, or one the IAM table classes Write or
/// Permissions management — unless the list exempts it (`!` lines) or it is a retired
/// service's (PM003's).
fn is_sensitive(action: &str) -> bool {
    if listed(&NOT_SENSITIVE, action).is_some() {
        return false;
    }
    if listed(&SENSITIVE, action).is_some() {
        return true;
    }
    if listed(&RETIRED, action).is_some() || iam::has_wildcard(action) {
        return false;
    }
    iam::expand(action).iter().any(|a| a.2.is_write())
}

/// Whether an action (maybe a wildcard) can match one of the listed patterns.
fn listed<'l>(
    list: &'l [(&'static str, &'static str)],
    action: &str,
) -> Option<&'l (&'static str, &'static str)> {
    let wild = iam::has_wildcard(action);
    list.iter().find(|(p, _)| entry_matches(p, action, wild))
}

/// Whether a list's entry (an action or a pattern) covers `action` or, when `action` has a
/// wildcard (`wild`), overlaps it.
fn entry_matches(entry: &str, action: &str, wild: bool) -> bool {
    iam::glob_match(entry, action) || (wild && iam::overlaps(action, entry))
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
        || action.bytes().filter(|&b| b == b':').count() != 1
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
    if !iam::has_wildcard(name) && !service.has(name) {
        // An API name whose permission differs (`bedrock:Converse`): say which one to grant.
        let hint = iam::hint(action);
        let message = match hint {
            Some(h) => format!("{} has no action `{name}`: {}", service.name, h.note),
            None => format!("{} has no action `{name}`", service.name),
        };
        let finding = out.emit(&PM005, None, Loc::Node(node), message);
        if let Some(h) = hint {
            let grant: Vec<String> = h
                .permissions
                .split_whitespace()
                .map(|p| format!("`{p}`"))
                .collect();
            finding.help(format!(
                "grant {} instead; see {}",
                grant.join(", "),
                h.source
            ));
        }
    }
}

/// Whether a document uses `${…}` policy variables (which need Version 2012-10-17).
fn uses_policy_variables(tree: &Tree, doc: NodeId) -> bool {
    let mut found = false;
    let _ = tree.walk(doc, tree.len(), |id| {
        if let Some(s) = tree.str(id) {
            // `${!aws:username}` in a Sub, `${aws:username}` in a plain string; `${AWS::Region}` is a
            // pseudo parameter, not a policy variable.
            // (Both need a `$`: one byte search rules out most strings.)
            if !s.as_bytes().contains(&b'$') {
                return;
            }
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

/// What PM006 says about one value of a document's `Version` (`None`: the property is absent or
/// null): `None` when the value is fine, else the tier and the message.
fn version_finding(text: Option<&str>, origin: &str, vars: bool) -> Option<(&'static str, String)> {
    let old = match text {
        Some("2012-10-17") => return None,
        Some("2008-10-17") => {
            format!("policy Version `2008-10-17`{origin} is the old policy language")
        }
        None => "policy document without `Version`: IAM applies the old 2008-10-17 policy language"
            .to_string(),
        Some(other) => {
            return Some((
                "default",
                format!(
                    "policy Version `{other}`{origin} is not a policy language version: IAM rejects the document (only `2012-10-17` and the old `2008-10-17` exist)"
                ),
            ));
        }
    };
    Some(if vars {
        (
            "default",
            format!(
                "{old}, in which `${{…}}` policy variables are not substituted: the document's variables are compared as literal text and match nothing; set `Version: '2012-10-17'`"
            ),
        )
    } else {
        (
            "version",
            format!(
                "{old}; set `Version: '2012-10-17'` before adding policy variables or newer features"
            ),
        )
    })
}

/// PM006 on a document's `Version`, over every branch: a value IAM rejects and a 2008 (or
/// missing) Version in a document with policy variables are errors; a 2008 or missing Version
/// otherwise is information. A parameter's default supports at most a warning; an unknown value
/// proves nothing. One finding per document, for its worst branch.
fn check_version(out: &mut Emitter<'_>, t: &Template, doc: &Document) {
    let tree = &t.tree;
    let vars = uses_policy_variables(tree, doc.node);
    let worst = intrinsic::property(t, doc.version)
        .into_iter()
        .filter(|v| !v.is_unknown())
        .filter_map(|v| {
            let (tier, what) = version_finding(v.text(tree), &v.origin(), vars)?;
            Some((tier, what, v))
        })
        .min_by_key(|(tier, _, v)| (*tier != "default", v.weight()));
    let Some((tier, what, v)) = worst else {
        return;
    };
    let loc = v.at().map_or(Loc::Key(doc.node), Loc::Node);
    out.emit(&PM006, Some(tier), loc, what).rests_on(tree, v);
}

/// PM006 on a document: Version, and each statement's Effect, Action, Resource, operators.
fn check_structure(out: &mut Emitter<'_>, t: &Template, doc: &Document, identity: bool) {
    let tree = &t.tree;
    check_version(out, t, doc);
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

/// PM001, PM002 and PM008 on the AWS managed policies attached by ARN to Cognito-assumable
/// roles (the only rules that read AWS's documents, from the shipped table): one finding per
/// rule and attachment, at the ARN, naming the policy and what it grants. Only statements that
/// apply to every resource without a condition count, and an action an unconditional `Deny` of
/// the same policy takes back does not.
pub fn check_managed_policies(cx: &Context<'_>, out: &mut Emitter<'_>) {
    for m in &cx.model.managed {
        let tier = cx
            .model
            .exposed_role(&m.roles)
            .map_or(Tier::Other, |r| r.tier);
        if tier == Tier::Other {
            continue;
        }
        let Some(policy) = m.policy() else {
            continue; // not in the table: unknown
        };
        let denied = |action: &str| {
            policy.statements.iter().any(|s| {
                !s.allow
                    && !s.conditional
                    && !s.not_action
                    && !s.not_resource
                    && s.resources.contains(&"*")
                    && s.actions.iter().any(|d| iam::glob_match(d, action))
            })
        };
        let mut wild: Vec<&str> = Vec::new();
        let mut except: Vec<&str> = Vec::new();
        let mut escalation: Vec<&str> = Vec::new();
        let mut sensitive: Vec<&str> = Vec::new();
        for st in &policy.statements {
            if !st.allow || st.conditional || st.not_resource || !st.resources.contains(&"*") {
                continue;
            }
            if st.not_action {
                except.extend(st.actions.iter().copied());
                continue;
            }
            for &action in &st.actions {
                if denied(action) {
                    continue;
                }
                if pm001_reports(action, tier) {
                    wild.push(action);
                } else if escalates(action) {
                    escalation.push(action);
                } else if is_sensitive(action) {
                    sensitive.push(action);
                }
            }
        }
        let name = policy.name();
        let who = who(cx, tier, &m.roles);
        let (holder, why) = holders(cx, &m.roles);
        if !wild.is_empty() || !except.is_empty() {
            let what = match (wild.as_slice(), except.is_empty()) {
                (["*"], _) => "`*` (every action of every AWS service)".to_string(),
                ([], false) => format!("every action except {}", quoted(&except)),
                (list, true) => quoted(list),
                (list, false) => format!(
                    "every action except {}, and {}",
                    quoted(&except),
                    quoted(list)
                ),
            };
            out.emit(
                &PM001,
                Some(tier.name()),
                Loc::Node(m.arn),
                format!("`{name}` grants {what} to {who}{holder}{why}"),
            );
        }
        if !escalation.is_empty() {
            out.emit(
                &PM008,
                Some(tier.name()),
                Loc::Node(m.arn),
                format!(
                    "`{name}` grants {} on every resource: it lets {} escalate privileges or change the account{holder}{why}",
                    quoted(&escalation),
                    escalators(tier)
                ),
            );
        }
        if !sensitive.is_empty() {
            out.emit(
                &PM002,
                Some(tier.name()),
                Loc::Node(m.arn),
                format!(
                    "`{name}` grants {} on every resource to {who}{holder}{why}",
                    quoted(&sensitive)
                ),
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
                for (node, what) in [
                    (
                        st.not_action,
                        "`Allow` with `NotAction` grants every action not listed, including actions AWS adds later",
                    ),
                    (
                        st.not_resource,
                        "`Allow` with `NotResource` grants the statement's actions on every resource not listed, including resources created later",
                    ),
                ] {
                    if let Some(n) = node {
                        out.emit(&PM007, None, Loc::Key(n), what);
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
                if escalates(action) {
                    let (holder, why) = holders(cx, &policy.roles);
                    out.emit(
                        &PM008,
                        Some(tier.name()),
                        Loc::Node(node),
                        format!(
                            "`{action}` lets {} escalate privileges or change the account{holder}{why}",
                            escalators(tier)
                        ),
                    );
                } else if is_sensitive(action) {
                    sensitive.push(action);
                }
            }
            if !sensitive.is_empty() && st.not_action.is_none() {
                if let Some((star, _)) = strings(tree, st.resource)
                    .into_iter()
                    .find(|(_, r)| *r == "*")
                {
                    let (holder, why) = holders(cx, &policy.roles);
                    out.emit(
                        &PM002,
                        Some(tier.name()),
                        Loc::Node(star),
                        format!(
                            "{} on every resource lets {}{holder} {}{why}",
                            quoted(&sensitive),
                            who(cx, tier, &policy.roles),
                            // Data actions read or change what other identities own; the
                            // write actions the IAM table adds change account resources.
                            if sensitive.iter().any(|a| listed(&SENSITIVE, a).is_some()) {
                                "reach every other identity's data and every resource of the account"
                            } else {
                                "change every resource of the account these actions apply to, not only its own"
                            }
                        ),
                    );
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
