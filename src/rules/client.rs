//! UC: user pool clients.

use super::{Context, Emitter, Loc, RuleMeta, Severity};
use crate::policy::strings;
use crate::template::intrinsic;

pub static UC001: RuleMeta = RuleMeta {
    id: "UC001",
    name: "secret-on-public-client",
    tiers: &[("browser", Severity::Error), ("mobile", Severity::Warning)],
    summary: "`GenerateSecret: true` on a client that runs in a browser or a mobile app",
    help: "set `GenerateSecret: false` for browser and mobile clients; keep secrets for server-side clients",
    doc: include_str!("../../rules/UC001.md"),
};

/// Splits a name into lowercase tokens at camelCase, `-`, `_`, spaces and other separators.
pub fn tokens(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(&prev) = i.checked_sub(1).and_then(|p| chars.get(p)) {
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let boundary = (c.is_uppercase() && prev.is_lowercase())
                || (c.is_uppercase() && prev.is_uppercase() && next_lower)
                || (c.is_ascii_digit() != prev.is_ascii_digit() && prev.is_alphanumeric());
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

pub fn check(cx: &Context<'_>, out: &mut Emitter<'_>) {
    if !out.enabled(&UC001) {
        return;
    }
    let t = cx.template;
    let tree = &t.tree;
    let opts = &cx.settings.options;
    for (_, client) in t.resources_of_type("AWS::Cognito::UserPoolClient") {
        let Some(props) = client.properties else {
            continue;
        };
        let Some(secret) = tree.get(props, "GenerateSecret") else {
            continue;
        };
        let Some(on) = intrinsic::values(tree, secret)
            .into_iter()
            .find(|v| tree.bool_value(*v) == Some(true))
        else {
            continue;
        };
        let flows: Vec<&str> = strings(tree, tree.get(props, "AllowedOAuthFlows"))
            .into_iter()
            .map(|(_, f)| f)
            .collect();
        if !flows.is_empty() && flows.iter().all(|f| *f == "client_credentials") {
            continue;
        }
        let mut names: Vec<String> = vec![client.name.to_string()];
        if let Some(n) = tree.get(props, "ClientName") {
            for v in intrinsic::values(tree, n) {
                if let Some(s) = tree.str(v) {
                    names.push(s.to_string());
                } else if let Some(("Fn::Sub", arg, _)) = intrinsic::as_intrinsic(tree, v) {
                    // The literal parts of a Sub name: `${Env}-web` → `-web`.
                    if let Some(s) = tree.str(arg) {
                        let mut lit = s.to_string();
                        for var in intrinsic::sub_vars(s).iter().rev() {
                            lit.replace_range(var.start..var.end, " ");
                        }
                        names.push(lit);
                    }
                }
            }
        }
        let toks: Vec<String> = names.iter().flat_map(|n| tokens(n)).collect();
        let hit = |list: &[String]| {
            toks.iter()
                .find(|t| list.iter().any(|w| w.eq_ignore_ascii_case(t)))
                .cloned()
        };
        let (tier, reason) = if flows.contains(&"implicit") {
            (
                "browser",
                "it enables the `implicit` OAuth flow, which only browsers use".to_string(),
            )
        } else if let Some(tok) = hit(&opts.browser_tokens) {
            (
                "browser",
                format!("its name says `{tok}`: a browser client"),
            )
        } else if let Some(tok) = hit(&opts.mobile_tokens) {
            ("mobile", format!("its name says `{tok}`: a mobile client"))
        } else {
            continue;
        };
        let runtime = if tier == "browser" {
            "browser libraries (Amplify, amazon-cognito-identity-js) cannot use a client secret, so sign-in fails, and a secret in a page is not secret"
        } else {
            "a secret shipped in an app binary is not secret"
        };
        out.emit(
            &UC001,
            Some(tier),
            Loc::Node(on),
            format!(
                "`GenerateSecret: true` on `{}`: {reason}; {runtime}",
                client.name
            ),
        );
    }
}
