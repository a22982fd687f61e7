//! UP: user pools.

use super::{Context, Emitter, Loc};
use crate::template::intrinsic::{self, Target, Value};
use crate::template::{NodeId, Template, Tree};

rule! {
    UP001, "immutable-email", [warning],
    summary: "`email` or `phone_number` schema attribute with `Mutable: false`: it can never be changed",
    help: "remove `Mutable: false` (schema attributes cannot be changed after the pool is created, so decide before the first deploy)",
}

/// UP001: an `email` or `phone_number` schema attribute that is not mutable.
pub fn check_immutable_email(cx: &Context<'_>, out: &mut Emitter<'_>) {
    let t = cx.template;
    let tree = &t.tree;
    for (_, pool) in t.resources_of_type("AWS::Cognito::UserPool") {
        let Some(schema) = pool.properties.and_then(|p| tree.get(p, "Schema")) else {
            continue;
        };
        for attr in intrinsic::items(tree, schema) {
            let Some(name) = tree.get(attr, "Name").and_then(|n| tree.str(n)) else {
                continue;
            };
            if !matches!(name, "email" | "phone_number") {
                continue;
            }
            let Some(mutable) = tree.get(attr, "Mutable") else {
                continue;
            };
            let immutable = intrinsic::find(intrinsic::value(t, mutable), |v| {
                v.bool(tree) == Some(false)
            });
            if let Some((v, at)) = immutable.and_then(|v| Some((v, v.at()?))) {
                out.emit(&UP001, None, Loc::Node(at), format!("`{name}` is immutable{}: users can never change it, and sign-in through an external identity provider that maps `{name}` fails", v.origin()))
                    .rests_on(tree, v);
            }
        }
    }
}

rule! {
    UP002, "weak-password-policy", [warning],
    summary: "password policy with MinimumLength below the minimum, or a character class not required",
    help: "require at least 8 characters (option `min-length`) with lowercase, uppercase, numbers and symbols",
}
rule! {
    UP003, "mfa-off", [info],
    summary: "MfaConfiguration is OFF or not set",
    help: "set `MfaConfiguration: 'ON'` (or 'OPTIONAL') with `EnabledMfas: [SOFTWARE_TOKEN_MFA]`",
}
rule! {
    UP004, "threat-protection-off", [info],
    summary: "threat protection not enforced (UserPoolTier PLUS with AdvancedSecurityMode ENFORCED)",
    help: "set `UserPoolTier: PLUS` and `UserPoolAddOns: {AdvancedSecurityMode: ENFORCED}`",
}
rule! {
    UP005, "trigger-without-permission", [error],
    summary: "LambdaConfig trigger whose function has no AWS::Lambda::Permission for cognito-idp.amazonaws.com",
    help: "add an `AWS::Lambda::Permission` with `Action: lambda:InvokeFunction`, `Principal: cognito-idp.amazonaws.com`, `FunctionName: !GetAtt Fn.Arn` and `SourceArn: !GetAtt UserPool.Arn`",
}
rule! {
    UP006, "pool-not-retained", ["default" = warning, "replacement" = info],
    summary: "user pool that deleting or replacing the stack would destroy with every user in it",
    help: "add `DeletionPolicy: Retain` and `UpdateReplacePolicy: Retain`, or `DeletionProtection: ACTIVE`",
}
rule! {
    UP007, "default-email-sender", [info],
    summary: "email verification through Cognito's default sender, capped at a low daily quota",
    help: "configure `EmailConfiguration` with `EmailSendingAccount: DEVELOPER` and an SES identity",
}
rule! {
    UP008, "sms-pumping-exposure", [info],
    summary: "open self sign-up with SMS verification or SMS MFA: SMS-pumping (toll fraud) exposure",
    help: "set `AdminCreateUserConfig: {AllowAdminCreateUserOnly: true}`, or verify by email and use TOTP MFA",
}

const TRIGGERS: &[&[&str]] = &[
    &["PreSignUp"],
    &["PostConfirmation"],
    &["PreAuthentication"],
    &["PostAuthentication"],
    &["DefineAuthChallenge"],
    &["CreateAuthChallenge"],
    &["VerifyAuthChallengeResponse"],
    &["PreTokenGeneration"],
    &["PreTokenGenerationConfig", "LambdaArn"],
    &["CustomMessage"],
    &["UserMigration"],
    &["CustomEmailSender", "LambdaArn"],
    &["CustomSMSSender", "LambdaArn"],
];

const FUNCTION_TYPES: &[&str] = &["AWS::Lambda::Function", "AWS::Serverless::Function"];

/// The function (resource index) a Lambda reference names: a function, or its alias/version.
fn function_of(t: &Template, node: NodeId) -> Vec<usize> {
    function_of_depth(t, node, 0)
}

/// Aliases of aliases are followed a few steps only: a cycle of aliases must not recurse forever.
fn function_of_depth(t: &Template, node: NodeId, depth: usize) -> Vec<usize> {
    let mut out = Vec::new();
    if depth > 4 {
        return out;
    }
    for (_, target) in intrinsic::resolve(t, node) {
        let Target::Resource { index, .. } = target else {
            continue;
        };
        match t.resources[index].type_name.as_deref() {
            Some(ty) if FUNCTION_TYPES.contains(&ty) => out.push(index),
            Some("AWS::Lambda::Alias" | "AWS::Lambda::Version") => {
                if let Some(f) = t.resources[index]
                    .properties
                    .and_then(|p| t.tree.get(p, "FunctionName"))
                {
                    out.extend(function_of_depth(t, f, depth + 1));
                }
            }
            _ => {}
        }
    }
    out
}

/// What Cognito may invoke, from every `AWS::Lambda::Permission` for `cognito-idp.amazonaws.com`
/// (computed once per file): the functions they name, literal function names, and whether one
/// names a function we cannot tell (unknown is not wrong).
struct Invokable {
    functions: std::collections::HashSet<usize>,
    names: Vec<String>,
    unknown: bool,
}

impl Invokable {
    fn of(t: &Template) -> Invokable {
        let tree = &t.tree;
        let mut inv = Invokable {
            functions: Default::default(),
            names: Vec::new(),
            unknown: false,
        };
        for (_, p) in t.resources_of_type("AWS::Lambda::Permission") {
            let Some(props) = p.properties else { continue };
            // A principal we cannot tell may be Cognito's (unknown is not wrong).
            let principal = intrinsic::property(t, tree.get(props, "Principal"));
            if !principal
                .iter()
                .any(|v| v.is_unknown() || v.text(tree) == Some("cognito-idp.amazonaws.com"))
            {
                continue;
            }
            let Some(fname) = tree.get(props, "FunctionName") else {
                continue;
            };
            for (n, target) in intrinsic::resolve(t, fname) {
                match target {
                    Target::Resource { .. } => inv.functions.extend(function_of(t, n)),
                    Target::Literal(l) => inv.names.extend(tree.str(l).map(str::to_string)),
                    _ => inv.unknown = true,
                }
            }
        }
        inv
    }

    /// Whether Cognito may invoke a function: a permission names it (or a function we cannot
    /// tell), or a SAM `Events` entry of `Type: Cognito` gives it an implicit permission.
    fn allows(&self, t: &Template, function: usize) -> bool {
        let tree = &t.tree;
        let f = &t.resources[function];
        let sam_event = f
            .properties
            .and_then(|p| tree.get(p, "Events"))
            .and_then(|e| tree.entries(e))
            .is_some_and(|events| {
                events.iter().any(|e| {
                    tree.get(e.value, "Type").and_then(|ty| tree.str(ty)) == Some("Cognito")
                })
            });
        if sam_event || self.unknown || self.functions.contains(&function) {
            return true;
        }
        let name = f
            .properties
            .and_then(|p| tree.get(p, "FunctionName"))
            .and_then(|n| tree.str(n));
        name.is_some_and(|nm| {
            self.names
                .iter()
                .any(|s| s == nm || s.ends_with(&format!(":function:{nm}")))
        })
    }
}

/// UP003: a `MfaConfiguration` value that turns MFA off (`OFF`, or an unquoted `OFF` that YAML
/// 1.1 reads as false).
fn mfa_off(tree: &Tree, v: Value<'_>) -> bool {
    match v {
        Value::Known(n) => tree.str(n) == Some("OFF") || tree.yaml11_bool(n) == Some(false),
        _ => matches!(v.text(tree), Some("OFF" | "false")),
    }
}

/// `ExplicitAuthFlows` that never take a password: custom authentication (a Lambda-defined
/// challenge, e.g. a magic link or one-time code) and refreshing tokens.
const PASSWORDLESS_FLOWS: &[&str] = &[
    "ALLOW_CUSTOM_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY",
    "ALLOW_REFRESH_TOKEN_AUTH",
];

/// Whether a client of a pool may let users sign in with a password: an `ExplicitAuthFlows`
/// entry (or branch) that is not passwordless or is unknown, no `ExplicitAuthFlows` (the defaults
/// include SRP), `ALLOW_USER_AUTH` unless the pool's `SignInPolicy.AllowedFirstAuthFactors` is
/// known and leaves out `PASSWORD`, or managed login (hosted UI) with the `COGNITO` provider.
fn client_takes_password(t: &Template, client: NodeId, pool: Option<NodeId>) -> bool {
    let tree = &t.tree;
    let flows = match tree.get(client, "ExplicitAuthFlows") {
        None => return true,
        Some(f) if intrinsic::may_be_absent(tree, f) => return true,
        Some(f) => intrinsic::value_items(t, f),
    };
    let password_first = || {
        let factors = pool.and_then(|p| {
            tree.get_path(p, &["Policies", "SignInPolicy", "AllowedFirstAuthFactors"])
        });
        match factors {
            None => true,
            Some(f) => {
                intrinsic::may_be_absent(tree, f)
                    || intrinsic::value_items(t, f)
                        .into_iter()
                        .any(|v| v.is_unknown() || v.text(tree) == Some("PASSWORD"))
            }
        }
    };
    let api = flows.into_iter().any(|v| match v.text(tree) {
        None => true,
        Some("ALLOW_USER_AUTH") => password_first(),
        Some(flow) => !PASSWORDLESS_FLOWS.contains(&flow),
    });
    let hosted = tree
        .get(client, "AllowedOAuthFlowsUserPoolClient")
        .is_some_and(|o| {
            intrinsic::value(t, o)
                .into_iter()
                .any(|v| v.is_unknown() || v.bool(tree) == Some(true))
        })
        && tree
            .get(client, "SupportedIdentityProviders")
            .is_some_and(|p| {
                intrinsic::value_items(t, p)
                    .into_iter()
                    .any(|v| v.is_unknown() || v.text(tree) == Some("COGNITO"))
            });
    api || hosted
}

/// Whether users of the pool (resource index) sign in with a password: `false` only when the
/// stack has clients of the pool and none of them takes a password (UP002 and UP003 are then
/// moot); a pool without clients in the stack may have clients elsewhere.
fn signs_in_with_password(t: &Template, pool: usize, clients: &ClientsByPool) -> bool {
    let pool_props = t.resources[pool].properties;
    match clients.get(&pool) {
        None => true,
        Some(list) => list
            .iter()
            .any(|&c| client_takes_password(t, c, pool_props)),
    }
}

/// The clients (their `Properties`) of each user pool of the stack, found in one pass.
type ClientsByPool = std::collections::HashMap<usize, Vec<NodeId>>;

fn clients_by_pool(t: &Template) -> ClientsByPool {
    let tree = &t.tree;
    let mut out: ClientsByPool = std::collections::HashMap::new();
    for (_, c) in t.resources_of_type("AWS::Cognito::UserPoolClient") {
        let Some(props) = c.properties else { continue };
        let Some(u) = tree.get(props, "UserPoolId") else {
            continue;
        };
        let mut pools = intrinsic::resources_of_type(t, u, "AWS::Cognito::UserPool");
        pools.sort_unstable();
        pools.dedup();
        for p in pools {
            out.entry(p).or_default().push(props);
        }
    }
    out
}

/// The settings of each user pool: password policy (UP002), MFA (UP003), threat protection
/// (UP004), trigger permissions (UP005), retention (UP006), email sender (UP007), SMS-pumping
/// exposure (UP008).
pub fn check_pool_settings(cx: &Context<'_>, out: &mut Emitter<'_>) {
    let t = cx.template;
    let tree = &t.tree;
    let min_len = cx.settings.options.min_password_length;
    let mut invokable: Option<Invokable> = None;
    let clients = clients_by_pool(t);
    for (index, pool) in t.resources_of_type("AWS::Cognito::UserPool") {
        let props = pool.properties;
        let get = |path: &[&str]| props.and_then(|p| tree.get_path(p, path));
        let name = &pool.name;
        // UP002 and UP003 only where users sign in with a password.
        let password = signs_in_with_password(t, index, &clients);
        // UP002, over every branch of Policies and PasswordPolicy.
        let policies = get(&["Policies"])
            .filter(|_| password)
            .map(|p| intrinsic::values(tree, p))
            .unwrap_or_default();
        // (the PasswordPolicy value as written, one branch of it)
        for (written, pp) in policies
            .into_iter()
            .filter_map(|p| tree.get(p, "PasswordPolicy"))
            .flat_map(|w| intrinsic::values(tree, w).into_iter().map(move |b| (w, b)))
        {
            let short = tree.get(pp, "MinimumLength").and_then(|n| {
                intrinsic::find(intrinsic::value(t, n), |v| {
                    v.number(tree).is_some_and(|n| n < min_len as f64)
                })
            });
            if let Some((v, at)) = short.and_then(|v| Some((v, v.at()?))) {
                out.emit(
                    &UP002,
                    None,
                    Loc::Node(at),
                    format!(
                        "minimum password length {} is below {min_len}{}",
                        v.text(tree).unwrap_or_default(),
                        v.origin()
                    ),
                )
                .rests_on(tree, v);
            }
            let mut omitted = Vec::new();
            for key in [
                "RequireLowercase",
                "RequireUppercase",
                "RequireNumbers",
                "RequireSymbols",
            ] {
                match tree.get(pp, key) {
                    None => omitted.push(key),
                    Some(n) => {
                        if intrinsic::may_be_absent(tree, n) {
                            omitted.push(key);
                        }
                        let off = intrinsic::find(intrinsic::value(t, n), |v| {
                            v.bool(tree) == Some(false)
                        });
                        if let Some((v, at)) = off.and_then(|v| Some((v, v.at()?))) {
                            out.emit(
                                &UP002,
                                None,
                                Loc::Node(at),
                                format!("`{key}: false`{} weakens the password policy", v.origin()),
                            )
                            .rests_on(tree, v);
                        }
                    }
                }
            }
            if !omitted.is_empty() {
                let loc = Loc::Key(written);
                out.emit(
                    &UP002,
                    None,
                    loc,
                    format!(
                        "the password policy omits {} (omitted means false)",
                        omitted.join(", ")
                    ),
                );
            }
        }
        // UP003
        match get(&["MfaConfiguration"]) {
            _ if !password => {}
            Some(m) => {
                let off = intrinsic::find(intrinsic::value(t, m), |v| mfa_off(tree, v));
                let absent = intrinsic::may_be_absent(tree, m);
                // An absent branch is known: it wins over a parameter's default.
                if let Some((v, at)) = off
                    .filter(|v| !(absent && v.is_default()))
                    .and_then(|v| Some((v, v.at()?)))
                {
                    out.emit(
                        &UP003,
                        None,
                        Loc::Node(at),
                        format!(
                            "multi-factor authentication is off for `{name}`{}",
                            v.origin()
                        ),
                    )
                    .rests_on(tree, v);
                } else if absent {
                    out.emit(&UP003, None, Loc::Key(pool.node), format!("`{name}` may set no MfaConfiguration: multi-factor authentication is then off"));
                }
            }
            None => {
                out.emit(
                    &UP003,
                    None,
                    Loc::Key(pool.node),
                    format!(
                        "`{name}` sets no MfaConfiguration: multi-factor authentication is off"
                    ),
                );
            }
        }
        // UP004
        // Off when some branch of the mode is not ENFORCED or of the tier not PLUS (absent
        // counts: the defaults are off); an unknown branch proves nothing. The finding points at
        // the strongest evidence, the mode before the tier, a written value before an absence.
        let tier = intrinsic::property(t, get(&["UserPoolTier"]));
        let mode = intrinsic::property(t, get(&["UserPoolAddOns", "AdvancedSecurityMode"]));
        let mode_off = intrinsic::find(mode, |v| v.text(tree) != Some("ENFORCED"));
        let tier_off = intrinsic::find(tier, |v| v.text(tree) != Some("PLUS"));
        if let Some(v) = [mode_off, tier_off]
            .into_iter()
            .flatten()
            .min_by_key(|v| (v.is_default(), v.at().is_none()))
        {
            let loc = v.at().map_or(Loc::Key(pool.node), Loc::Node);
            out.emit(&UP004, None, loc, format!("threat protection is not enforced for `{name}` (needs UserPoolTier PLUS and AdvancedSecurityMode ENFORCED){}", v.origin()))
                .rests_on(tree, v);
        }
        // UP005
        if let Some(lc) = get(&["LambdaConfig"]) {
            for path in TRIGGERS {
                let Some(v) = tree.get_path(lc, path) else {
                    continue;
                };
                let invokable = invokable.get_or_insert_with(|| Invokable::of(t));
                for f in function_of(t, v) {
                    if !invokable.allows(t, f) {
                        let fr = &t.resources[f];
                        out.emit(&UP005, None, Loc::Node(v), format!("the `{}` trigger's function `{}` has no AWS::Lambda::Permission for `cognito-idp.amazonaws.com`: Cognito cannot invoke it and the flow fails", path.join("."), fr.name))
                            .label(fr.key_span, "function defined here");
                    }
                }
            }
        }
        // UP006
        // Destroyed on some branch: DeletionPolicy or UpdateReplacePolicy does not retain it,
        // and DeletionProtection is not ACTIVE (`Ref` to a parameter is allowed in both
        // attributes; an unknown value proves nothing). Deleting the stack is a warning; a
        // pool that only a replacing update destroys is information.
        let attr = |k: &str| intrinsic::property(t, tree.get(pool.node, k));
        let deletion = intrinsic::find(attr("DeletionPolicy"), |v| {
            !matches!(v.text(tree), Some("Retain" | "RetainExceptOnCreate"))
        });
        let replace = intrinsic::find(attr("UpdateReplacePolicy"), |v| {
            v.text(tree) != Some("Retain")
        });
        let unprotected =
            intrinsic::find(intrinsic::property(t, get(&["DeletionProtection"])), |v| {
                v.text(tree) != Some("ACTIVE")
            });
        if let Some(unprotected) = unprotected {
            // A policy written as `!If [Cond, Retain, Delete]` destroys the pool on one branch
            // only: the message says which (when the other branch is a literal that keeps it).
            let when = |k: &str, v: Option<intrinsic::Value<'_>>, keeps: &[&str]| {
                let (cond, holds, other) = if_branch(tree, tree.get(pool.node, k)?, v?.at()?)?;
                keeps
                    .contains(&tree.str(other)?)
                    .then(|| format!(" when condition `{cond}` is {holds}"))
            };
            let on_delete = when(
                "DeletionPolicy",
                deletion,
                &["Retain", "RetainExceptOnCreate"],
            );
            let on_replace = when("UpdateReplacePolicy", replace, &["Retain"]);
            // (Both attributes: said only when both hang on the same branch.)
            let when = match (deletion, replace) {
                (Some(_), Some(_)) if on_delete == on_replace => on_delete,
                (Some(_), Some(_)) => None,
                (Some(_), None) => on_delete,
                _ => on_replace,
            }
            .unwrap_or_default();
            let finding = match (deletion, replace) {
                (Some(d), Some(r)) => Some((
                    "default",
                    format!(
                        "deleting the stack, or an update that replaces the pool, destroys `{name}` and every user in it{when}{}",
                        intrinsic::origins([d, r, unprotected])
                    ),
                    [d, r],
                )),
                (Some(d), None) => Some((
                    "default",
                    format!(
                        "deleting the stack destroys `{name}` and every user in it{when}{}",
                        intrinsic::origins([d, unprotected])
                    ),
                    [d, d],
                )),
                (None, Some(r)) => {
                    let written = match r.text(tree) {
                        Some(text) => format!("`UpdateReplacePolicy: {text}`{}", r.origin()),
                        None => "no `UpdateReplacePolicy: Retain`".to_string(),
                    };
                    // (Retained on deletion unless the DeletionPolicy is unknown.)
                    let retained = if attr("DeletionPolicy").iter().any(|v| v.is_unknown()) {
                        ""
                    } else {
                        " is retained when the stack is deleted, but"
                    };
                    Some((
                        "replacement",
                        format!(
                            "`{name}`{retained} with {written} an update that replaces the pool destroys it and every user in it{when}{}",
                            unprotected.origin()
                        ),
                        [r, r],
                    ))
                }
                (None, None) => None,
            };
            if let Some((tier, what, [a, b])) = finding {
                out.emit(&UP006, Some(tier), Loc::Key(pool.node), what)
                    .rests_on(tree, a)
                    .rests_on(tree, b)
                    .rests_on(tree, unprotected);
            }
        }
        // UP007
        let verified = get(&["AutoVerifiedAttributes"])
            .map(|n| intrinsic::value_items(t, n))
            .unwrap_or_default();
        let verifies =
            |what: &str| intrinsic::find(verified.iter().copied(), |v| v.text(tree) == Some(what));
        if let Some((email, at)) = verifies("email").and_then(|v| Some((v, v.at()?))) {
            let sender = intrinsic::find(
                intrinsic::property(t, get(&["EmailConfiguration", "EmailSendingAccount"])),
                |v| v.text(tree) != Some("DEVELOPER"),
            );
            if let Some(sender) = sender {
                out.emit(&UP007, None, Loc::Node(at), format!("email verification through Cognito's default email sender, which is capped at a low daily quota{}", intrinsic::origins([email, sender])))
                    .rests_on(tree, email)
                    .rests_on(tree, sender);
            }
        }
        // UP008
        // Self sign-up is open unless some branch is true (or unknown: it may be).
        let admin_only = intrinsic::property(
            t,
            get(&["AdminCreateUserConfig", "AllowAdminCreateUserOnly"]),
        );
        let open = if admin_only
            .iter()
            .any(|v| v.is_unknown() || v.bool(tree) == Some(true))
        {
            None
        } else {
            intrinsic::find(admin_only, |_| true)
        };
        let sms_verify = verifies("phone_number");
        let mfas = get(&["EnabledMfas"]).map(|n| intrinsic::value_items(t, n));
        let sms_mfa = match &mfas {
            Some(list) if !list.is_empty() => {
                intrinsic::find(list.iter().copied(), |v| v.text(tree) == Some("SMS_MFA"))
            }
            // No EnabledMfas: with MFA on and an SMS configuration, SMS MFA is the default.
            _ => get(&["MfaConfiguration"])
                .and_then(|m| {
                    intrinsic::find(intrinsic::value(t, m), |v| {
                        matches!(v.text(tree), Some("ON" | "OPTIONAL"))
                    })
                })
                .filter(|_| get(&["SmsConfiguration"]).is_some()),
        };
        if let (Some(open), Some((what, sms))) = (
            open,
            sms_verify
                .map(|v| ("SMS verification", v))
                .or(sms_mfa.map(|v| ("SMS MFA", v))),
        ) {
            out.emit(&UP008, None, Loc::Key(pool.node), format!("anyone can sign up to `{name}`{} and trigger {what}{}: SMS-pumping (toll fraud) exposure", open.origin(), sms.origin()))
                .rests_on(tree, open)
                .rests_on(tree, sms);
        }
    }
}

rule! {
    UP009, "sms-account-recovery", [info],
    summary: "account recovery that prefers SMS (`verified_phone_number` first, or the legacy default on a pool that verifies phone numbers): SIM-swap takeover",
    help: "set `AccountRecoverySetting: {RecoveryMechanisms: [{Name: verified_email, Priority: 1}]}` (SMS second at most)",
}
rule! {
    UP010, "unverified-attribute-update", [info],
    summary: "auto-verified `email` or `phone_number` that `UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate` does not list: a changed address takes effect before it is verified",
    help: "set `UserAttributeUpdateSettings: {AttributesRequireVerificationBeforeUpdate: [email]}` (and `phone_number` when it is auto-verified)",
}
rule! {
    UP011, "case-sensitive-usernames", [info],
    summary: "no `UsernameConfiguration.CaseSensitive: false`: `Alice` and `alice` become two users",
    help: "set `UsernameConfiguration: {CaseSensitive: false}` when the pool is created (it cannot change afterwards)",
}

/// Whether one branch of a list-valued property may hold `what`: a known item equal to it, a
/// list parameter's value that names it, or an item we cannot tell (unknown is not wrong). An
/// item with a branch that gives something else (or `AWS::NoValue`) does not hold it on that
/// branch.
fn list_may_hold(t: &Template, list: NodeId, what: &str) -> bool {
    let tree = &t.tree;
    let items: Vec<NodeId> = match tree.items(list) {
        Some(items) => items.to_vec(),
        None => vec![list],
    };
    items.into_iter().any(|item| {
        intrinsic::branches(tree, item).into_iter().all(|b| {
            b.is_some_and(|v| {
                let v = intrinsic::branch_value(t, v);
                v.is_unknown()
                    || v.text(tree)
                        .is_some_and(|s| s.split(',').any(|s| s.trim() == what))
            })
        })
    })
}

/// Account recovery (UP009), verification before an address changes (UP010) and username case
/// sensitivity (UP011) of each user pool.
pub fn check_account_settings(cx: &Context<'_>, out: &mut Emitter<'_>) {
    let t = cx.template;
    let tree = &t.tree;
    for (_, pool) in t.resources_of_type("AWS::Cognito::UserPool") {
        let props = pool.properties;
        let get = |path: &[&str]| props.and_then(|p| tree.get_path(p, path));
        let name = &pool.name;
        let verified = get(&["AutoVerifiedAttributes"])
            .map(|n| intrinsic::value_items(t, n))
            .unwrap_or_default();
        let verifies =
            |what: &str| intrinsic::find(verified.iter().copied(), |v| v.text(tree) == Some(what));
        // UP009: each branch of the recovery setting; SMS first in a written list, or no list
        // (the legacy default) on a pool that verifies phone numbers.
        let mut legacy = false;
        for setting in intrinsic::property(t, get(&["AccountRecoverySetting"])) {
            let mechanisms = match setting {
                Value::Absent => vec![Value::Absent],
                Value::Known(s) => intrinsic::property(t, tree.get(s, "RecoveryMechanisms")),
                _ => continue,
            };
            for list in mechanisms {
                let list = match list {
                    Value::Absent => {
                        legacy = true;
                        continue;
                    }
                    Value::Known(l) => l,
                    _ => continue,
                };
                for m in intrinsic::items(tree, list) {
                    let (Some(n), Some(p)) = (tree.get(m, "Name"), tree.get(m, "Priority")) else {
                        continue;
                    };
                    let first =
                        intrinsic::find(intrinsic::value(t, p), |v| v.number(tree) == Some(1.0));
                    let phone = intrinsic::find(intrinsic::value(t, n), |v| {
                        v.text(tree) == Some("verified_phone_number")
                    });
                    if let (Some(first), Some((phone, at))) =
                        (first, phone.and_then(|v| Some((v, v.at()?))))
                    {
                        out.emit(&UP009, None, Loc::Node(at), format!("`{name}` recovers accounts by SMS first{}: whoever takes over the phone number (SIM swap, a recycled number) can reset the password", intrinsic::origins([phone, first])))
                            .rests_on(tree, phone)
                            .rests_on(tree, first);
                    }
                }
            }
        }
        if legacy {
            if let Some((phone, at)) = verifies("phone_number").and_then(|v| Some((v, v.at()?))) {
                out.emit(&UP009, None, Loc::Node(at), format!("`{name}` verifies phone numbers{} and sets no AccountRecoverySetting: the legacy default recovers accounts by SMS first, so whoever takes over the phone number (SIM swap, a recycled number) can reset the password", phone.origin()))
                    .rests_on(tree, phone);
            }
        }
        // UP010: on some branch of the update settings, an auto-verified address is not listed.
        let settings = intrinsic::property(t, get(&["UserAttributeUpdateSettings"]));
        for what in ["email", "phone_number"] {
            let Some((auto, at)) = verifies(what).and_then(|v| Some((v, v.at()?))) else {
                continue;
            };
            let mut unlisted = false;
            for s in &settings {
                let lists = match s {
                    Value::Absent => vec![Value::Absent],
                    Value::Known(s) => intrinsic::property(
                        t,
                        tree.get(*s, "AttributesRequireVerificationBeforeUpdate"),
                    ),
                    _ => continue,
                };
                for list in lists {
                    unlisted |= match list {
                        Value::Absent => true,
                        Value::Known(l) => !list_may_hold(t, l, what),
                        // A parameter's value: its text is the list.
                        v => v
                            .text(tree)
                            .is_some_and(|s| !s.split(',').any(|s| s.trim() == what)),
                    };
                }
            }
            if unlisted {
                let f = out.emit(&UP010, None, Loc::Node(at), format!("`{what}` is auto-verified on `{name}`{}, but `UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate` does not list it: a changed address takes effect (for sign-in and recovery) before the user proves it is theirs", auto.origin()));
                f.rests_on(tree, auto);
                if let Some(s) = get(&["UserAttributeUpdateSettings"]) {
                    f.label(tree.span(s), "update settings here");
                }
            }
        }
        // UP011: each branch of UsernameConfiguration and of its CaseSensitive.
        let config = get(&["UsernameConfiguration"]);
        let mut sensitive: Option<(Loc, Value<'_>)> = None;
        for c in intrinsic::property(t, config) {
            let (loc, value) = match c {
                Value::Absent => (config.map_or(Loc::Key(pool.node), Loc::Key), Value::Absent),
                Value::Known(c) => {
                    let cs = tree.get(c, "CaseSensitive");
                    match intrinsic::find(intrinsic::property(t, cs), |v| {
                        v.bool(tree) != Some(false)
                    }) {
                        Some(v) => (v.at().map_or(Loc::Key(c), Loc::Node), v),
                        None => continue,
                    }
                }
                _ => continue,
            };
            if sensitive.is_none_or(|(_, s)| value.weight() < s.weight()) {
                sensitive = Some((loc, value));
            }
        }
        if let Some((loc, v)) = sensitive {
            let what = match v {
                Value::Absent => {
                    "does not set `UsernameConfiguration.CaseSensitive: false`".to_string()
                }
                _ => format!("has case-sensitive usernames{}", v.origin()),
            };
            out.emit(&UP011, None, loc, format!("`{name}` {what}: `Alice` and `alice` become two users, and the setting cannot change after the pool is created"))
                .rests_on(tree, v);
        }
    }
}

/// For a value taken from a resource attribute written as `Fn::If` (not nested): the
/// condition, whether the value is its `true` or `false` branch, and the other branch.
fn if_branch(
    tree: &crate::template::Tree,
    attr: NodeId,
    value: NodeId,
) -> Option<(&str, &'static str, NodeId)> {
    let (cond, yes, no) = intrinsic::if_parts(tree, attr)?;
    if yes == value {
        Some((cond, "true", no))
    } else if no == value {
        Some((cond, "false", yes))
    } else {
        None
    }
}
