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

const POOL: &str = "AWS::Cognito::IdentityPool";
const USER_POOL: &str = "AWS::Cognito::UserPool";

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
        if let Some(u) = unauth {
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
