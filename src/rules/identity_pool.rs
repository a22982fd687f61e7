//! IP: identity pools and their role attachments.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use super::{Context, Emitter, Loc};
use crate::policy::{AUD_KEY, Tier};
use crate::template::intrinsic::{self, Target, Value};
use crate::template::{NodeId, Template};

rule! {
    IP001, "guest-access", ["default" = info, "exposed" = warning],
    summary: "AllowUnauthenticatedIdentities: true (warning when a guest role holds wildcard, unscoped or escalation permissions)",
    help: "keep guest access only if the app needs it, and give the guest role the narrowest permissions",
}
rule! {
    IP002, "provider-client-mismatch", [error],
    summary: "CognitoIdentityProviders entry whose ClientId belongs to a different user pool than its ProviderName",
    help: "pair each client with the ProviderName of its own user pool (`!GetAtt <Pool>.ProviderName`)",
}
rule! {
    IP003, "malformed-provider-name", [error],
    summary: "ProviderName not of the form cognito-idp.<region>.amazonaws.com/<pool id>",
    help: "use `!GetAtt <UserPool>.ProviderName` (not ProviderURL or Arn)",
}
rule! {
    IP004, "token-check-off", [info],
    summary: "CognitoIdentityProviders entry without ServerSideTokenCheck: true",
    help: "set `ServerSideTokenCheck: true` so signed-out and revoked tokens are refused",
}
rule! {
    IP005, "attachment-gap", [warning],
    summary: "identity pool without role attachment, guest role attached to a pool without guests, or a role its pool never hands out",
    help: "attach the roles with an AWS::Cognito::IdentityPoolRoleAttachment that matches the pool's settings",
}
rule! {
    IP006, "same-role-both-slots", [error],
    summary: "the same role attached as both authenticated and unauthenticated",
    help: "give guests their own role with narrower permissions",
}
rule! {
    IP007, "classic-flow", [warning],
    summary: "AllowClassicFlow: true: the basic flow lets a client ask STS for any role whose trust admits the pool",
    help: "remove `AllowClassicFlow` (the enhanced flow hands out the attached and mapped roles only)",
}
rule! {
    IP008, "role-mapping-rules", ["writable-claim" = error, "loose-match" = warning, "ambiguous" = info],
    summary: "role mapping rules that decide a role from a claim users can write, match loosely (Contains, StartsWith, NotEqual), or fall back to the authenticated role",
    help: "decide roles from claims users cannot write (groups, an immutable or read-only attribute) with `MatchType: Equals`, and set `AmbiguousRoleResolution: Deny`",
}
rule! {
    IP009, "open-sign-up-access", ["default" = info, "exposed" = warning],
    summary: "identity pool whose signed-in door is open to anyone (open self sign-up, public social sign-in): warning when a role behind it holds wildcard, unscoped or escalation permissions",
    help: "close self sign-up (`AllowAdminCreateUserOnly: true`) or vet new users in a PreSignUp trigger, and give the signed-in role only what any stranger may hold",
}

const POOL: &str = "AWS::Cognito::IdentityPool";
const USER_POOL: &str = "AWS::Cognito::UserPool";
const CLIENT: &str = "AWS::Cognito::UserPoolClient";

static PROVIDER_NAME: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^cognito-idp\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com(\.cn)?/[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$").ok()
});

/// The user pool a ProviderName value names (`!GetAtt P.ProviderName`, `!Sub …/${P}`).
fn provider_pool(t: &Template, node: NodeId) -> Vec<usize> {
    let tree = &t.tree;
    let mut out = intrinsic::resources_of_type(t, node, USER_POOL);
    for v in intrinsic::values(tree, node) {
        if let Some(("Fn::Sub", arg, _)) = intrinsic::as_intrinsic(tree, v) {
            if let Some(s) = tree.str(arg) {
                for var in intrinsic::sub_vars(s) {
                    if let Some(i) = t
                        .resource_idx(var.name)
                        .filter(|i| t.resources[*i].type_name.as_deref() == Some(USER_POOL))
                    {
                        out.push(i);
                    }
                }
            }
        }
    }
    out
}

/// IP003: what is wrong with a provider name's text, if anything.
fn provider_text_problem(text: &str) -> Option<String> {
    let re = PROVIDER_NAME.as_ref()?;
    if re.is_match(text) {
        None
    } else if text.starts_with("https://") {
        Some(format!(
            "`{text}` is a provider URL: ProviderName has no `https://`"
        ))
    } else if text.starts_with("arn:") {
        Some(format!("`{text}` is an ARN, not a provider name"))
    } else {
        Some(format!(
            "`{text}` is not of the form `cognito-idp.<region>.amazonaws.com/<user pool id>`"
        ))
    }
}

/// IP003: what is wrong with one branch of a ProviderName value, if we can tell, and the
/// parameter values the verdict rests on.
fn provider_name_problem(t: &Template, v: NodeId) -> Option<(String, Vec<Value<'_>>)> {
    let tree = &t.tree;
    let check = provider_text_problem;
    // A parameter (`!Ref P`, `!Sub '${P}'`): judged by its given value or its default.
    let value = intrinsic::branch_value(t, v);
    if value.param().is_some() {
        let problem = check(value.text(tree)?)?;
        return Some((format!("{problem}{}", value.origin()), vec![value]));
    }
    match intrinsic::as_intrinsic(tree, v) {
        None => tree.str(v).and_then(check).map(|p| (p, Vec::new())),
        Some(("Fn::GetAtt", arg, _)) => {
            let (res, attr) = intrinsic::getatt_parts(tree, arg)?;
            let attr = attr?;
            let is_pool = t
                .resource(&res)
                .is_some_and(|r| r.type_name.as_deref() == Some(USER_POOL));
            (is_pool && attr != "ProviderName").then(|| {
                (
                    format!("`{res}.{attr}` is not a provider name: use `{res}.ProviderName`"),
                    Vec::new(),
                )
            })
        }
        Some(("Fn::Sub", arg, _)) => {
            let s = tree.str(arg)?;
            // The text with the variables substituted, up to the first one we cannot tell.
            let mut text = String::new();
            let mut rests = Vec::new();
            let mut complete = true;
            let mut last = 0;
            for var in intrinsic::sub_vars(s) {
                text.push_str(s.get(last..var.start).unwrap_or_default());
                last = var.end;
                let value;
                let with = match var.name {
                    "AWS::Region" => "us-east-1",
                    "AWS::URLSuffix" => "amazonaws.com",
                    "AWS::AccountId" | "AWS::Partition" | "AWS::StackName" => return None,
                    n if n.contains('.') => return None,
                    n if t.parameter(n).is_some() => {
                        value = intrinsic::param_value(t, n, v);
                        match value.text(tree) {
                            Some(given) => {
                                rests.push(value);
                                given
                            }
                            None => {
                                complete = false;
                                break;
                            }
                        }
                    }
                    _ => "us-east-1_Abc123",
                };
                text.push_str(with);
            }
            let wrong = if complete {
                text.push_str(s.get(last..).unwrap_or_default());
                check(&text).is_some()
            } else {
                // An unknown parameter may hold any text: only a literal start that no
                // provider name has can be judged (`https://…/${PoolId}`).
                const START: &str = "cognito-idp.";
                !(text.starts_with(START) || START.starts_with(text.as_str()))
            };
            // Judge the substituted text, report the template's own.
            wrong.then(|| {
                let origins = intrinsic::origins(rests.iter().copied());
                (
                    format!(
                        "`{s}` is not of the form `cognito-idp.<region>.amazonaws.com/<user pool id>`{origins}"
                    ),
                    rests,
                )
            })
        }
        Some(("Ref", arg, _)) => {
            let name = tree.str(arg)?;
            let is_pool = t
                .resource(name)
                .is_some_and(|r| r.type_name.as_deref() == Some(USER_POOL));
            is_pool.then(|| (format!("`!Ref {name}` is the user pool ID, not its provider name: use `!GetAtt {name}.ProviderName`"), Vec::new()))
        }
        Some(_) => None,
    }
}

/// IP009: an identity pool whose signed-in door anyone can walk through (RULES.md, *open sign-up*),
/// graded by the PM001, PM002 and PM008 findings of the roles behind it. A door a `PreSignUp`
/// trigger may close is an info that says so.
pub fn check_open_sign_up(cx: &Context<'_>, out: &mut Emitter<'_>) {
    if !out.enabled(&IP009) {
        return;
    }
    let t = cx.template;
    let tree = &t.tree;
    let model = cx.model;
    // One pass each over roles, policies and findings (not one per identity pool): the roles
    // behind each pool's door, the policies of each role, the permission rules that fired on
    // each resource.
    let mut behind_of: HashMap<usize, Vec<usize>> = HashMap::new();
    for r in &model.roles {
        if let (Tier::OpenSignUp | Tier::SignedIn, Some(d)) = (r.tier, r.door.as_ref()) {
            behind_of
                .entry(d.identity_pool)
                .or_default()
                .push(r.resource);
        }
    }
    let mut owners_of: HashMap<usize, Vec<usize>> = HashMap::new();
    for p in &model.policies {
        for &r in &p.roles {
            owners_of.entry(r).or_default().push(p.owner);
        }
    }
    let mut fired: HashMap<&str, Vec<&'static str>> = HashMap::new();
    for f in &out.findings {
        if let ("PM001" | "PM002" | "PM008", Some(r)) = (f.rule.id, f.resource.as_deref()) {
            fired.entry(r).or_default().push(f.rule.id);
        }
    }
    let fired: HashMap<String, Vec<&'static str>> =
        fired.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    for (pi, pool) in t.resources_of_type(POOL) {
        let Some(door) = model.door_of(pi) else {
            continue;
        };
        let behind: Vec<usize> = behind_of.get(&pi).cloned().unwrap_or_default();
        let mut holders: Vec<usize> = behind.clone();
        for r in &behind {
            holders.extend(owners_of.get(r).into_iter().flatten().copied());
        }
        let mut rules: Vec<&'static str> = holders
            .iter()
            .filter_map(|h| fired.get(&*t.resources[*h].name))
            .flatten()
            .copied()
            .collect();
        rules.sort_unstable();
        rules.dedup();
        let roles = behind
            .iter()
            .map(|r| format!("`{}`", t.resources[*r].name))
            .collect::<Vec<_>>()
            .join(", ");
        let findings = if rules.is_empty() {
            String::new()
        } else {
            format!(
                "; its signed-in role{} {roles} {} {} findings",
                if behind.len() == 1 { "" } else { "s" },
                if behind.len() == 1 { "has" } else { "have" },
                rules.join(", ")
            )
        };
        let tier = if door.open() && !rules.is_empty() {
            "exposed"
        } else {
            "default"
        };
        let at = if door.at_key {
            Loc::Key(door.at)
        } else {
            Loc::Node(door.at)
        };
        let message = match door.via {
            crate::policy::Via::Login { .. } => format!(
                "{} (`SupportedLoginProviders`) and become a signed-in identity{findings}",
                door.who(t)
            ),
            _ => format!(
                "{} and become a signed-in identity of `{}`{}{findings}",
                door.who(t),
                pool.name,
                door.unless(t)
            ),
        };
        let f = out.emit(&IP009, Some(tier), at, message);
        if let Some(c) = door.cause {
            f.label(
                tree.span(c),
                match door.via {
                    crate::policy::Via::Social { provider, .. } => {
                        format!("{provider} sign-in offered here")
                    }
                    _ => "self sign-up open here".to_string(),
                },
            );
        }
        if let Some(trigger) = door.trigger {
            f.label(
                tree.key_span(trigger).unwrap_or_else(|| tree.span(trigger)),
                "PreSignUp trigger here",
            );
        }
    }
}

pub fn check(cx: &Context<'_>, out: &mut Emitter<'_>) {
    let t = cx.template;
    let tree = &t.tree;
    let model = cx.model;
    let attachments: Vec<usize> = t
        .resources_of_type("AWS::Cognito::IdentityPoolRoleAttachment")
        .map(|(i, _)| i)
        .collect();
    // Computed once: the guest roles each pool reaches, the policies of each role, the
    // permission findings of each resource, and the pools some attachment names.
    let mut guest_roles_of: HashMap<usize, Vec<usize>> = HashMap::new();
    for r in model.roles.iter().filter(|r| r.tier == Tier::Guest) {
        for &p in &r.pools {
            guest_roles_of.entry(p).or_default().push(r.resource);
        }
    }
    let mut policy_owners_of: HashMap<usize, Vec<usize>> = HashMap::new();
    for p in &model.policies {
        for r in &p.roles {
            policy_owners_of.entry(*r).or_default().push(p.owner);
        }
    }
    let mut permission_findings: HashMap<String, Vec<&'static str>> = HashMap::new();
    for f in out
        .findings
        .iter()
        .filter(|f| matches!(f.rule.id, "PM001" | "PM002" | "PM008"))
    {
        if let Some(r) = &f.resource {
            permission_findings
                .entry(r.clone())
                .or_default()
                .push(f.rule.id);
        }
    }
    let attached_pools: HashSet<usize> = attachments
        .iter()
        .filter_map(|a| {
            t.resources[*a]
                .properties
                .and_then(|p| tree.get(p, "IdentityPoolId"))
        })
        .flat_map(|id| intrinsic::resources_of_type(t, id, POOL))
        .collect();
    for (pi, pool) in t.resources_of_type(POOL) {
        let props = pool.properties;
        let allow_guests = props.and_then(|p| tree.get(p, "AllowUnauthenticatedIdentities"));
        let guests_on = allow_guests
            .and_then(|a| intrinsic::find(intrinsic::value(t, a), |v| v.bool(tree) == Some(true)));
        if let Some((guests, v)) = guests_on.and_then(|g| Some((g, g.at()?))) {
            let roles = guest_roles_of.get(&pi).map_or(&[][..], Vec::as_slice);
            let holders = roles.iter().flat_map(|r| {
                policy_owners_of
                    .get(r)
                    .map_or(&[][..], Vec::as_slice)
                    .iter()
                    .chain(std::iter::once(r))
            });
            let mut rules: Vec<&'static str> = holders
                .flat_map(|h| {
                    permission_findings
                        .get(&*t.resources[*h].name)
                        .map_or(&[][..], Vec::as_slice)
                        .iter()
                        .copied()
                })
                .collect();
            rules.sort_unstable();
            rules.dedup();
            if rules.is_empty() {
                out.emit(
                    &IP001,
                    None,
                    Loc::Node(v),
                    format!(
                        "`{}` hands out credentials to anyone, without sign-in (guest access){}",
                        pool.name,
                        guests.origin()
                    ),
                )
                .rests_on(tree, guests);
            } else {
                out.emit(
                    &IP001,
                    Some("exposed"),
                    Loc::Node(v),
                    format!(
                        "`{}` hands out credentials to anyone{}, and its guest role has {} findings",
                        pool.name,
                        guests.origin(),
                        rules.join(", ")
                    ),
                )
                .rests_on(tree, guests);
            }
        }
        // IP002, IP003, IP004
        let providers = props
            .and_then(|p| tree.get(p, "CognitoIdentityProviders"))
            .map(|n| intrinsic::items(tree, n))
            .unwrap_or_default();
        for entry in providers {
            let client = tree.get(entry, "ClientId");
            let name = tree.get(entry, "ProviderName");
            if let (Some(c), Some(n)) = (client, name) {
                let client_pools: Vec<usize> =
                    intrinsic::resources_of_type(t, c, "AWS::Cognito::UserPoolClient")
                        .into_iter()
                        .filter_map(|ci| {
                            t.resources[ci]
                                .properties
                                .and_then(|p| tree.get(p, "UserPoolId"))
                        })
                        .flat_map(|u| intrinsic::resources_of_type(t, u, USER_POOL))
                        .collect();
                let named = provider_pool(t, n);
                if let (Some(&cp), Some(&np)) = (client_pools.first(), named.first()) {
                    if cp != np {
                        out.emit(&IP002, None, Loc::Node(c), format!("this client belongs to the user pool `{}`, but the provider name is that of `{}`: sign-in tokens of the client are refused", t.resources[cp].name, t.resources[np].name))
                            .label(tree.span(n), format!("provider name of `{}`", t.resources[np].name));
                    }
                }
            }
            if let Some(n) = name {
                for v in intrinsic::values(tree, n) {
                    if let Some((problem, rests)) = provider_name_problem(t, v) {
                        let f = out.emit(&IP003, None, Loc::Node(v), problem);
                        for r in rests {
                            f.rests_on(tree, r);
                        }
                    }
                }
            }
            match tree.get(entry, "ServerSideTokenCheck") {
                Some(s) => {
                    // Off on some branch we can tell; an unknown value may be true.
                    let off =
                        intrinsic::find(intrinsic::value(t, s), |v| v.bool(tree) != Some(true));
                    if let Some(v) = off {
                        out.emit(&IP004, None, Loc::Node(s), format!("`ServerSideTokenCheck` is off{}: the identity pool accepts tokens of signed-out users until they expire", v.origin()))
                            .rests_on(tree, v);
                    }
                }
                None => {
                    out.emit(&IP004, None, Loc::Node(entry), "no `ServerSideTokenCheck: true`: the identity pool accepts tokens of signed-out users until they expire");
                }
            }
        }
        // IP005: a pool no attachment names.
        if !attached_pools.contains(&pi) {
            out.emit(&IP005, None, Loc::Key(pool.node), format!("`{}` has no AWS::Cognito::IdentityPoolRoleAttachment: its identities get no role", pool.name));
        }
    }
    // IP005 (guest slot on a pool without guests) and IP006.
    for &a in &attachments {
        let Some(props) = t.resources[a].properties else {
            continue;
        };
        let pools = tree
            .get(props, "IdentityPoolId")
            .map(|id| intrinsic::resources_of_type(t, id, POOL))
            .unwrap_or_default();
        let Some(roles) = tree.get(props, "Roles") else {
            continue;
        };
        let auth = tree.get(roles, "authenticated");
        let unauth = tree.get(roles, "unauthenticated");
        // A guest role whose trust only denies Cognito (Amplify's placeholder, rewritten at
        // deploy time by its own custom resource) is not a role the template hands out.
        let placeholder = unauth.is_some_and(|u| {
            let roles = intrinsic::resource_targets(t, u);
            !roles.is_empty()
                && roles.iter().all(|&r| {
                    cx.model.role_of(r).is_some_and(|role| {
                        role.cognito_statements().next().is_some()
                            && role.cognito_allows(tree).next().is_none()
                    })
                })
        });
        if let (Some(u), false) = (unauth, placeholder) {
            for p in &pools {
                let allow = t.resources[*p]
                    .properties
                    .and_then(|pp| tree.get(pp, "AllowUnauthenticatedIdentities"));
                // Guests are off when no branch turns them on; an unknown branch may.
                let branches = match allow {
                    None => vec![Value::Absent],
                    Some(n) => intrinsic::value(t, n),
                };
                let on = branches
                    .iter()
                    .any(|v| v.is_unknown() || v.bool(tree) == Some(true));
                if !on {
                    let origins = intrinsic::origins(branches.iter().copied());
                    let f = out.emit(&IP005, None, Loc::Key(u), format!("an unauthenticated role is attached, but `{}` does not allow unauthenticated identities{origins}: the role is never used", t.resources[*p].name));
                    if let Some(n) = allow {
                        f.label(tree.span(n), "guests are off here");
                    }
                    for v in branches {
                        f.rests_on(tree, v);
                    }
                }
            }
            if let Some(au) = auth {
                let a_roles: Vec<usize> = intrinsic::resolve(t, au)
                    .into_iter()
                    .filter_map(|(_, x)| {
                        if let Target::Resource { index, .. } = x {
                            Some(index)
                        } else {
                            None
                        }
                    })
                    .collect();
                let same = intrinsic::resolve(t, u)
                    .into_iter()
                    .find_map(|(_, x)| match x {
                        Target::Resource { index, .. } if a_roles.contains(&index) => Some(index),
                        _ => None,
                    });
                if let Some(r) = same {
                    out.emit(&IP006, None, Loc::Key(u), format!("`{}` is attached as both authenticated and unauthenticated: guests get every permission of signed-in users", t.resources[r].name))
                        .label(tree.key_span(au).unwrap_or_else(|| tree.span(au)), "also attached as authenticated here");
                }
            }
        }
    }
    // IP005: a Cognito role whose aud names a pool of this template that no attachment gives it.
    for role in &model.roles {
        for st in role.cognito_allows(tree) {
            for c in st
                .clauses(tree)
                .into_iter()
                .filter(|c| c.key.eq_ignore_ascii_case(AUD_KEY))
            {
                for item in intrinsic::items(tree, c.value) {
                    let pool = intrinsic::resources_of_type(t, item, POOL)
                        .into_iter()
                        .find(|p| !role.attached.iter().any(|a| a.pool == Some(*p)));
                    if let Some(p) = &pool {
                        out.emit(&IP005, None, Loc::Node(item), format!("`{}` trusts the identity pool `{}`, but no role attachment gives it to that pool: the role is never used", t.resources[role.resource].name, t.resources[*p].name));
                    }
                }
            }
        }
    }
}

/// The resources of this template a value refers to anywhere inside it (`Ref`, `GetAtt`,
/// `Fn::Sub` variables, in `Fn::Join` and `Fn::If` alike).
fn referenced_resources(t: &Template, node: NodeId, depth: usize, out: &mut Vec<usize>) {
    let tree = &t.tree;
    let node = tree.deref(node);
    if depth > 32 {
        return;
    }
    let mut name = |n: &str| {
        if let Some(i) = t.resource_idx(n) {
            out.push(i);
        }
    };
    match intrinsic::as_intrinsic(tree, node) {
        Some(("Ref", arg, _)) => {
            if let Some(n) = tree.str(arg) {
                name(n);
            }
            return;
        }
        Some(("Fn::GetAtt", arg, _)) => {
            if let Some((res, _)) = intrinsic::getatt_parts(tree, arg) {
                name(&res);
            }
            return;
        }
        Some(("Fn::Sub", arg, _)) => {
            let s = intrinsic::sub_string(tree, arg);
            for var in s.map(intrinsic::sub_vars).unwrap_or_default() {
                name(var.name.split('.').next().unwrap_or_default());
            }
        }
        _ => {}
    }
    if let Some(entries) = tree.entries(node) {
        for e in entries {
            referenced_resources(t, e.value, depth + 1, out);
        }
    } else if let Some(items) = tree.items(node) {
        for i in items {
            referenced_resources(t, *i, depth + 1, out);
        }
    }
}

/// The user pools of this template a role mapping's `IdentityProvider` names, directly or
/// through one of their clients.
fn mapping_user_pools(t: &Template, provider: NodeId) -> Vec<usize> {
    let tree = &t.tree;
    let mut refs = Vec::new();
    referenced_resources(t, provider, 0, &mut refs);
    let mut pools = Vec::new();
    for r in refs {
        match t.resources[r].type_name.as_deref() {
            Some(USER_POOL) => pools.push(r),
            Some(CLIENT) => pools.extend(
                t.resources[r]
                    .properties
                    .and_then(|p| tree.get(p, "UserPoolId"))
                    .map(|u| intrinsic::resources_of_type(t, u, USER_POOL))
                    .unwrap_or_default(),
            ),
            _ => {}
        }
    }
    pools.sort_unstable();
    pools.dedup();
    pools
}

/// IP008: where a user can write the custom attribute `attr` (without `custom:`) of a user
/// pool: the schema attribute (mutable, not developer-only), a client of the pool that may
/// write it (`WriteAttributes` lists it or is absent), and the values that rests on.
fn user_writable<'a>(
    t: &'a Template,
    pool: usize,
    attr: &str,
) -> Option<(NodeId, usize, Vec<Value<'a>>)> {
    let tree = &t.tree;
    let schema = t.resources[pool]
        .properties
        .and_then(|p| tree.get(p, "Schema"))?;
    let claim = format!("custom:{attr}");
    let (defined, mutable) = intrinsic::items(tree, schema).into_iter().find_map(|a| {
        let n = tree.get(a, "Name")?;
        if tree.str(n) != Some(attr) {
            return None;
        }
        // Developer-only attributes (`dev:custom:…`) are written by administrators only.
        let dev = intrinsic::property(t, tree.get(a, "DeveloperOnlyAttribute"));
        if dev
            .iter()
            .all(|v| v.is_unknown() || v.bool(tree) == Some(true))
        {
            return None;
        }
        // Mutable unless `Mutable: false` (Cognito's default is mutable).
        let mutable = intrinsic::find(intrinsic::property(t, tree.get(a, "Mutable")), |v| {
            v.bool(tree) != Some(false)
        })?;
        Some((n, mutable))
    })?;
    let client = t
        .resources_of_type(CLIENT)
        .filter(|(_, c)| {
            c.properties
                .and_then(|p| tree.get(p, "UserPoolId"))
                .is_some_and(|u| intrinsic::resources_of_type(t, u, USER_POOL).contains(&pool))
        })
        .find_map(|(ci, c)| {
            let write = c.properties.and_then(|p| tree.get(p, "WriteAttributes"));
            let writes = intrinsic::property(t, write)
                .into_iter()
                .flat_map(|v| match v {
                    Value::Known(l) => intrinsic::value_items(t, l),
                    v => vec![v],
                })
                .collect::<Vec<_>>();
            let w = intrinsic::find(writes, |v| {
                v == Value::Absent || v.text(tree) == Some(claim.as_str())
            })?;
            Some((ci, w))
        });
    let (ci, w) = client?;
    Some((defined, ci, vec![mutable, w]))
}

/// Classic flow (IP007) and role mapping rules (IP008).
pub fn check_flows_and_mappings(cx: &Context<'_>, out: &mut Emitter<'_>) {
    let t = cx.template;
    let tree = &t.tree;
    // IP007
    for (_, pool) in t.resources_of_type(POOL) {
        let classic = pool
            .properties
            .and_then(|p| tree.get(p, "AllowClassicFlow"))
            .and_then(|c| intrinsic::find(intrinsic::value(t, c), |v| v.bool(tree) == Some(true)));
        if let Some((v, at)) = classic.and_then(|v| Some((v, v.at()?))) {
            out.emit(&IP007, None, Loc::Node(at), format!("`{}` allows the classic (basic) flow{}: a client can ask STS for any role whose trust admits the pool, so the role attachment and role mappings no longer decide which role a user gets, and guest credentials lose the enhanced flow's scope-down policy", pool.name, v.origin()))
                .rests_on(tree, v);
        }
    }
    // IP008
    for (_, attachment) in t.resources_of_type("AWS::Cognito::IdentityPoolRoleAttachment") {
        let Some(mappings) = attachment
            .properties
            .and_then(|p| tree.get(p, "RoleMappings"))
        else {
            continue;
        };
        for entries in intrinsic::values(tree, mappings) {
            for entry in tree.entries(entries).unwrap_or_default() {
                for m in intrinsic::values(tree, entry.value) {
                    let rules_type = tree.get(m, "Type").and_then(|ty| {
                        intrinsic::find(intrinsic::value(t, ty), |v| v.text(tree) == Some("Rules"))
                    });
                    let Some(rules_type) = rules_type else {
                        continue;
                    };
                    let pools = tree
                        .get(m, "IdentityProvider")
                        .map(|p| mapping_user_pools(t, p))
                        .unwrap_or_default();
                    let rules = tree
                        .get_path(m, &["RulesConfiguration", "Rules"])
                        .map(|r| intrinsic::items(tree, r))
                        .unwrap_or_default();
                    for rule in rules {
                        let role = tree
                            .get(rule, "RoleARN")
                            .and_then(|r| intrinsic::resource_targets(t, r).first().copied())
                            .map_or_else(
                                || "the rule's role".to_string(),
                                |r| format!("`{}`", t.resources[r].name),
                            );
                        let Some(claim) = tree.get(rule, "Claim") else {
                            continue;
                        };
                        let loose = tree.get(rule, "MatchType").and_then(|mt| {
                            intrinsic::find(intrinsic::value(t, mt), |v| {
                                matches!(v.text(tree), Some("Contains" | "StartsWith" | "NotEqual"))
                            })
                        });
                        let mut writable = false;
                        for c in intrinsic::value(t, claim) {
                            let (Some(text), Some(at)) = (c.text(tree), c.at()) else {
                                continue;
                            };
                            let Some(attr) = text.strip_prefix("custom:") else {
                                continue;
                            };
                            let Some((defined, client, rests)) =
                                pools.iter().find_map(|p| user_writable(t, *p, attr))
                            else {
                                continue;
                            };
                            writable = true;
                            let f = out.emit(&IP008, Some("writable-claim"), Loc::Node(at), format!("the rule gives {role} to users whose `{text}`{} matches, and users can write `{text}` themselves (a mutable attribute the client `{}` may write){}: a user sets the attribute and takes the role", c.origin(), t.resources[client].name, intrinsic::origins(rests.iter().copied())));
                            f.label(tree.span(defined), "mutable custom attribute defined here")
                                .label(t.resources[client].key_span, "a client that may write it")
                                .rests_on(tree, c)
                                .rests_on(tree, rules_type);
                            for r in rests {
                                f.rests_on(tree, r);
                            }
                        }
                        if writable {
                            continue;
                        }
                        let Some((mt, at)) = loose.and_then(|v| Some((v, v.at()?))) else {
                            continue;
                        };
                        // `cognito:groups` is a list of groups only administrators assign:
                        // `Contains` is how a rule tests membership.
                        let claims: Vec<Value<'_>> = intrinsic::value(t, claim);
                        if mt.text(tree) == Some("Contains")
                            && claims
                                .iter()
                                .all(|c| c.is_unknown() || c.text(tree) == Some("cognito:groups"))
                        {
                            continue;
                        }
                        let what = match mt.text(tree) {
                            Some("NotEqual") => {
                                "gives the role to every user whose claim differs from one value, a deny-list"
                            }
                            Some("StartsWith") => "gives the role to any value with that prefix",
                            _ => "gives the role to any value that contains the text",
                        };
                        out.emit(&IP008, Some("loose-match"), Loc::Node(at), format!("`MatchType: {}`{} {what}: the rule for {role} matches more users than the value names", mt.text(tree).unwrap_or_default(), mt.origin()))
                            .rests_on(tree, mt)
                            .rests_on(tree, rules_type);
                    }
                    let ambiguous = tree.get(m, "AmbiguousRoleResolution").and_then(|a| {
                        intrinsic::find(intrinsic::value(t, a), |v| {
                            v.text(tree) == Some("AuthenticatedRole")
                        })
                    });
                    if let Some((v, at)) = ambiguous.and_then(|v| Some((v, v.at()?))) {
                        out.emit(&IP008, Some("ambiguous"), Loc::Node(at), format!("`AmbiguousRoleResolution: AuthenticatedRole`{}: users no rule matches get the pool's default authenticated role", v.origin()))
                            .rests_on(tree, v)
                            .rests_on(tree, rules_type);
                    }
                }
            }
        }
    }
}
