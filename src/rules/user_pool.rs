//! UP: user pools.

use super::{Context, Emitter, Loc};
use crate::policy::strings;
use crate::template::intrinsic::{self, Target};
use crate::template::{NodeId, Template};

rule! {
    UP001, "immutable-email", [warning],
    summary: "`email` or `phone_number` schema attribute with `Mutable: false`: it can never be changed",
    help: "remove `Mutable: false` (schema attributes cannot be changed after the pool is created, so decide before the first deploy)",
}

pub fn check(cx: &Context<'_>, out: &mut Emitter<'_>) {
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
            if let Some(v) = intrinsic::find_value(tree, tree.get(attr, "Mutable"), |v| {
                tree.bool_value(v) == Some(false)
            }) {
                out.emit(&UP001, None, Loc::Node(v), format!("`{name}` is immutable: users can never change it, and sign-in through an external identity provider that maps `{name}` fails"));
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
    UP006, "pool-not-retained", [warning],
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
            if intrinsic::find_value(tree, tree.get(props, "Principal"), |v| {
                tree.str(v) == Some("cognito-idp.amazonaws.com")
            })
            .is_none()
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

pub fn check_catalog(cx: &Context<'_>, out: &mut Emitter<'_>) {
    let t = cx.template;
    let tree = &t.tree;
    let min_len = cx.settings.options.min_password_length;
    let mut invokable: Option<Invokable> = None;
    for (_, pool) in t.resources_of_type("AWS::Cognito::UserPool") {
        let props = pool.properties;
        let get = |path: &[&str]| props.and_then(|p| tree.get_path(p, path));
        let name = &pool.name;
        // UP002, over every branch of Policies and PasswordPolicy.
        let policies = get(&["Policies"])
            .map(|p| intrinsic::values(tree, p))
            .unwrap_or_default();
        // (the PasswordPolicy value as written, one branch of it)
        for (written, pp) in policies
            .into_iter()
            .filter_map(|p| tree.get(p, "PasswordPolicy"))
            .flat_map(|w| intrinsic::values(tree, w).into_iter().map(move |b| (w, b)))
        {
            if let Some(v) = intrinsic::find_value(tree, tree.get(pp, "MinimumLength"), |v| {
                tree.number(v).is_some_and(|n| n < min_len as f64)
            }) {
                out.emit(
                    &UP002,
                    None,
                    Loc::Node(v),
                    format!(
                        "minimum password length {} is below {min_len}",
                        tree.str(v).unwrap_or_default()
                    ),
                );
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
                        if let Some(v) = intrinsic::find_value(tree, Some(n), |v| {
                            tree.bool_value(v) == Some(false)
                        }) {
                            out.emit(
                                &UP002,
                                None,
                                Loc::Node(v),
                                format!("`{key}: false` weakens the password policy"),
                            );
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
            Some(m) => {
                if let Some(v) = intrinsic::find_value(tree, Some(m), |v| {
                    tree.str(v) == Some("OFF") || tree.yaml11_bool(v) == Some(false)
                }) {
                    out.emit(
                        &UP003,
                        None,
                        Loc::Node(v),
                        format!("multi-factor authentication is off for `{name}`"),
                    );
                } else if intrinsic::may_be_absent(tree, m) {
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
        let tier = get(&["UserPoolTier"]);
        let mode = get(&["UserPoolAddOns", "AdvancedSecurityMode"]);
        let plus = tier.and_then(|v| tree.str(v)) == Some("PLUS");
        let enforced = mode.and_then(|v| tree.str(v)) == Some("ENFORCED");
        if !(plus && enforced) {
            let loc = match (mode, tier) {
                (Some(m), _) if !enforced => Loc::Node(m),
                (_, Some(tr)) if !plus => Loc::Node(tr),
                _ => Loc::Key(pool.node),
            };
            out.emit(&UP004, None, loc, format!("threat protection is not enforced for `{name}` (needs UserPoolTier PLUS and AdvancedSecurityMode ENFORCED)"));
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
        let attr = |k: &str| tree.get(pool.node, k).and_then(|v| tree.str(v));
        let retained = matches!(
            attr("DeletionPolicy"),
            Some("Retain" | "RetainExceptOnCreate")
        ) && attr("UpdateReplacePolicy") == Some("Retain");
        let protected = get(&["DeletionProtection"]).and_then(|v| tree.str(v)) == Some("ACTIVE");
        if !retained && !protected {
            out.emit(
                &UP006,
                None,
                Loc::Key(pool.node),
                format!("deleting or replacing the stack destroys `{name}` and every user in it"),
            );
        }
        // UP007
        let verified = get(&["AutoVerifiedAttributes"])
            .map(|n| strings(tree, Some(n)))
            .unwrap_or_default();
        if let Some((email, _)) = verified.iter().find(|(_, v)| *v == "email") {
            let developer = get(&["EmailConfiguration", "EmailSendingAccount"])
                .and_then(|v| tree.str(v))
                == Some("DEVELOPER");
            if !developer {
                out.emit(&UP007, None, Loc::Node(*email), "email verification through Cognito's default email sender, which is capped at a low daily quota");
            }
        }
        // UP008
        let admin_only = intrinsic::find_value(
            tree,
            get(&["AdminCreateUserConfig", "AllowAdminCreateUserOnly"]),
            |v| tree.bool_value(v) == Some(true),
        )
        .is_some();
        let sms_verify = verified.iter().any(|(_, v)| *v == "phone_number");
        let mfas: Vec<&str> = get(&["EnabledMfas"])
            .map(|n| strings(tree, Some(n)).into_iter().map(|x| x.1).collect())
            .unwrap_or_default();
        let mfa_on = get(&["MfaConfiguration"])
            .and_then(|v| tree.str(v))
            .is_some_and(|m| m == "ON" || m == "OPTIONAL");
        let sms_mfa = mfas.contains(&"SMS_MFA")
            || (mfa_on && mfas.is_empty() && get(&["SmsConfiguration"]).is_some());
        if !admin_only && (sms_verify || sms_mfa) {
            let what = if sms_verify {
                "SMS verification"
            } else {
                "SMS MFA"
            };
            out.emit(&UP008, None, Loc::Key(pool.node), format!("anyone can sign up to `{name}` and trigger {what}: SMS-pumping (toll fraud) exposure"));
        }
    }
}
