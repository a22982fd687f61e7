//! UC: user pool clients.

use super::{Context, Emitter, Loc};
use crate::template::intrinsic::{self, Target, Value};
use crate::template::{NodeId, Template};

rule! {
    UC001, "secret-on-public-client", ["browser" = error, "mobile" = warning],
    summary: "`GenerateSecret: true` on a client that runs in a browser or a mobile app",
    help: "set `GenerateSecret: false` for browser and mobile clients; keep secrets for server-side clients",
}

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

/// UC001: a client secret on a client that runs in a browser or a mobile app.
pub fn check_secret_on_public_client(cx: &Context<'_>, out: &mut Emitter<'_>) {
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
        let secret = tree
            .get(props, "GenerateSecret")
            .and_then(|g| intrinsic::find(intrinsic::value(t, g), |v| v.bool(tree) == Some(true)));
        let Some((secret, on)) = secret.and_then(|v| Some((v, v.at()?))) else {
            continue;
        };
        let flows: Vec<Value<'_>> = tree
            .get(props, "AllowedOAuthFlows")
            .map(|n| intrinsic::value_items(t, n))
            .unwrap_or_default();
        // Unknown flows are left out: they may be `client_credentials` too.
        let known_flows: Vec<&str> = flows.iter().filter_map(|f| f.text(tree)).collect();
        if !known_flows.is_empty() && known_flows.iter().all(|f| *f == "client_credentials") {
            continue;
        }
        // A client that signs in for an Application Load Balancer keeps its secret in the ALB.
        if tree
            .get(props, "CallbackURLs")
            .is_some_and(|urls| serves_load_balancer(t, urls))
        {
            continue;
        }
        // Names with what they rest on (a ClientName from a parameter's default).
        let mut names: Vec<(String, Option<Value<'_>>)> = vec![(client.name.to_string(), None)];
        if let Some(n) = tree.get(props, "ClientName") {
            for v in intrinsic::values(tree, n) {
                let value = intrinsic::branch_value(t, v);
                if let Some(s) = value.text(tree) {
                    names.push((s.to_string(), Some(value)));
                } else if let Some(("Fn::Sub", arg, _)) = intrinsic::as_intrinsic(tree, v) {
                    // The literal parts of a Sub name: `${Env}-web` → `-web`.
                    if let Some(s) = tree.str(arg) {
                        names.push((intrinsic::sub_replace(s, " "), None));
                    }
                }
            }
        }
        let hit = |list: &super::TokenPatterns| {
            names.iter().find_map(|(n, from)| {
                let toks = tokens(n);
                list.find(&toks).map(|tok| (tok.clone(), *from))
            })
        };
        // The implicit flow tells a browser client only when it is the client's only user flow:
        // with the `code` flow (or a flow that may be `code`) and a secret, the client is a
        // server-side web app that exchanges codes with its secret.
        let code_too = flows
            .iter()
            .any(|f| f.is_unknown() || f.text(tree) == Some("code"));
        let implicit = intrinsic::find(flows.iter().copied(), |f| f.text(tree) == Some("implicit"))
            .filter(|_| !code_too);
        let (tier, reason, from) = if let Some(f) = implicit {
            (
                "browser",
                format!(
                    "its only user flow is the `implicit` OAuth flow{}, which only browsers use",
                    f.origin()
                ),
                Some(f),
            )
        } else if let Some((tok, from)) = hit(&opts.browser_tokens) {
            (
                "browser",
                format!(
                    "its name says `{tok}`{}: a browser client",
                    from.map(Value::origin).unwrap_or_default()
                ),
                from,
            )
        } else if let Some((tok, from)) = hit(&opts.mobile_tokens) {
            (
                "mobile",
                format!(
                    "its name says `{tok}`{}: a mobile client",
                    from.map(Value::origin).unwrap_or_default()
                ),
                from,
            )
        } else {
            continue;
        };
        let runtime = if tier == "browser" {
            "browser libraries (Amplify, amazon-cognito-identity-js) cannot use a client secret, so sign-in fails, and a secret in a page is not secret"
        } else {
            "a secret shipped in an app binary is not secret"
        };
        let f = out.emit(
            &UC001,
            Some(tier),
            Loc::Node(on),
            format!(
                "`GenerateSecret: true`{} on `{}`: {reason}; {runtime}",
                secret.origin(),
                client.name
            ),
        );
        f.rests_on(tree, secret);
        if let Some(from) = from {
            f.rests_on(tree, from);
        }
    }
}

/// The path an Application Load Balancer's Cognito authentication receives the user at.
const ALB_CALLBACK: &str = "/oauth2/idpresponse";

/// Whether some callback URL a client can have is an Application Load Balancer's
/// `…/oauth2/idpresponse`: as written, from a list parameter's value or default, or as the
/// literal end of a `Fn::Sub` or `Fn::Join` (`!Sub 'https://${Domain}/oauth2/idpresponse'`).
fn serves_load_balancer(t: &Template, urls: NodeId) -> bool {
    let tree = &t.tree;
    let literal_end = |node: NodeId| -> Option<&str> {
        match intrinsic::as_intrinsic(tree, node)? {
            ("Fn::Sub", arg, _) => tree
                .str(arg)
                .or_else(|| tree.items(arg)?.first().and_then(|s| tree.str(*s))),
            ("Fn::Join", arg, _) => {
                let parts = tree.items(tree.items(arg)?.get(1).copied()?)?;
                tree.str(*parts.last()?)
            }
            _ => None,
        }
    };
    intrinsic::value_items(t, urls).into_iter().any(|v| {
        v.text(tree)
            .or_else(|| v.at().and_then(literal_end))
            .is_some_and(|url| url.trim_end_matches('/').ends_with(ALB_CALLBACK))
    })
}

rule! {
    UC002, "long-refresh-token", ["default" = warning, "limit" = error],
    summary: "refresh token valid longer than the day limit (default 30), or a token validity outside the service limits",
    help: "keep refresh tokens at 30 days or less (option `max-days`); mind `TokenValidityUnits`",
}
rule! {
    UC003, "user-existence-errors", [warning],
    summary: "PreventUserExistenceErrors not ENABLED: sign-in errors reveal whether a user exists",
    help: "set `PreventUserExistenceErrors: ENABLED`",
}
rule! {
    UC004, "token-revocation-off", [info],
    summary: "EnableTokenRevocation explicitly false",
    help: "remove `EnableTokenRevocation: false` (revocation is on by default)",
}
rule! {
    UC005, "password-auth-on-public-client", [warning],
    summary: "USER_PASSWORD_AUTH on a public client: the password leaves the device instead of SRP",
    help: "use `ALLOW_USER_SRP_AUTH` (and `ALLOW_REFRESH_TOKEN_AUTH`) instead",
}
rule! {
    UC006, "implicit-flow", [warning],
    summary: "OAuth implicit flow enabled (tokens in URL fragments)",
    help: "use the authorization code flow with PKCE (`AllowedOAuthFlows: [code]`)",
}

const MINUTES: f64 = 1.0;
const HOUR: f64 = 60.0;
const DAY: f64 = 24.0 * HOUR;

fn unit_minutes(unit: &str) -> Option<f64> {
    match unit {
        "seconds" => Some(MINUTES / 60.0),
        "minutes" => Some(MINUTES),
        "hours" => Some(HOUR),
        "days" => Some(DAY),
        _ => None,
    }
}

/// A duration for a message: `1 day`, `41.67 days`, `90 minutes`.
fn show(minutes: f64) -> String {
    // The largest unit that says the value exactly (to two decimals): 86,401 seconds is not
    // "1 day" (a message that says it is outside limits of 1 day must not round to it).
    let units = [
        (DAY, "day"),
        (HOUR, "hour"),
        (1.0, "minute"),
        (1.0 / 60.0, "second"),
    ];
    let exact = |n: f64| ((n * 100.0).round() - n * 100.0).abs() < 1e-6;
    let (n, unit) = units
        .iter()
        .find(|(size, _)| minutes >= *size && exact(minutes / size))
        .map_or((minutes * 60.0, "second"), |(size, unit)| {
            (minutes / size, *unit)
        });
    let text = format!("{n:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} {unit}{}", if text == "1" { "" } else { "s" })
}

/// The settings of each user pool client: token validity (UC002), user existence errors
/// (UC003), token revocation (UC004), password auth on a public client (UC005), implicit flow
/// (UC006).
pub fn check_client_settings(cx: &Context<'_>, out: &mut Emitter<'_>) {
    let t = cx.template;
    let tree = &t.tree;
    let max_days = cx.settings.options.max_refresh_days;
    for (_, client) in t.resources_of_type("AWS::Cognito::UserPoolClient") {
        let Some(props) = client.properties else {
            out.emit(&UC003, None, Loc::Key(client.node), format!("`{}` does not set PreventUserExistenceErrors: sign-in errors reveal whether a user exists", client.name));
            continue;
        };
        let name = &client.name;
        // UC002: (property, unit key, default unit, min, max)
        let tokens: [(&str, &str, &str, f64, f64); 3] = [
            (
                "RefreshTokenValidity",
                "RefreshToken",
                "days",
                60.0 * MINUTES,
                3650.0 * DAY,
            ),
            (
                "AccessTokenValidity",
                "AccessToken",
                "hours",
                5.0 * MINUTES,
                DAY,
            ),
            ("IdTokenValidity", "IdToken", "hours", 5.0 * MINUTES, DAY),
        ];
        for (prop, unit_key, default_unit, min, max) in tokens {
            // Each unit a branch can give (absent: the default unit); an unknown unit proves
            // nothing, so the validity is judged only in the units we know, the written ones
            // (and absence) before a parameter's default.
            let mut units: Vec<(&str, Value<'_>)> =
                intrinsic::property(t, tree.get_path(props, &["TokenValidityUnits", unit_key]))
                    .into_iter()
                    .filter_map(|u| match u {
                        Value::Absent => Some((default_unit, u)),
                        _ => u.text(tree).map(|text| (text, u)),
                    })
                    .collect();
            units.sort_by_key(|(_, u)| u.weight());
            let Some(validity) = tree.get(props, prop) else {
                continue;
            };
            for v in intrinsic::value(t, validity) {
                let (Some(n), Some(at)) = (v.number(tree), v.at()) else {
                    continue;
                };
                for &(unit, u) in &units {
                    let Some(per) = unit_minutes(unit) else {
                        continue;
                    };
                    let minutes = n * per;
                    let origin = format!("{}{}", v.origin(), u.origin());
                    if minutes < min || minutes > max {
                        out.emit(
                            &UC002,
                            Some("limit"),
                            Loc::Node(at),
                            format!(
                                "`{prop}: {}` ({unit}) is {}, outside the service limits ({} to {}){origin}",
                                v.text(tree).unwrap_or_default(),
                                show(minutes),
                                show(min),
                                show(max)
                            ),
                        )
                        .rests_on(tree, v)
                        .rests_on(tree, u);
                    } else if prop == "RefreshTokenValidity" && minutes > max_days * DAY {
                        out.emit(&UC002, None, Loc::Node(at), format!("refresh tokens of `{name}` stay valid for {}: longer than {max_days} days{origin}", show(minutes)))
                            .rests_on(tree, v)
                            .rests_on(tree, u);
                    } else {
                        continue;
                    }
                    break; // one finding per value, in the strongest unit that gives one
                }
            }
        }
        // UC003
        match tree.get(props, "PreventUserExistenceErrors") {
            Some(p) => {
                let not_enabled =
                    intrinsic::find(intrinsic::value(t, p), |v| v.text(tree) != Some("ENABLED"));
                let absent = intrinsic::may_be_absent(tree, p);
                // An absent branch is known: it wins over a parameter's default.
                if let Some((v, at)) = not_enabled
                    .filter(|v| !(absent && v.is_default()))
                    .and_then(|v| Some((v, v.at()?)))
                {
                    out.emit(&UC003, None, Loc::Node(at), format!("`PreventUserExistenceErrors` is not ENABLED on `{name}`{}: sign-in errors reveal whether a user exists", v.origin()))
                        .rests_on(tree, v);
                } else if absent {
                    out.emit(&UC003, None, Loc::Key(client.node), format!("`{name}` may leave PreventUserExistenceErrors unset (the API default is LEGACY): sign-in errors reveal whether a user exists"));
                }
            }
            None => {
                out.emit(&UC003, None, Loc::Key(client.node), format!("`{name}` does not set PreventUserExistenceErrors (the API default is LEGACY): sign-in errors reveal whether a user exists"));
            }
        }
        // UC004
        let revocation_off = tree
            .get(props, "EnableTokenRevocation")
            .and_then(|r| intrinsic::find(intrinsic::value(t, r), |v| v.bool(tree) == Some(false)));
        if let Some((v, at)) = revocation_off.and_then(|v| Some((v, v.at()?))) {
            out.emit(&UC004, None, Loc::Node(at), format!("token revocation is turned off for `{name}`{}: signed-out refresh tokens stay valid", v.origin()))
                .rests_on(tree, v);
        }
        // UC005
        // Public on some branch: no GenerateSecret, or a value that is not true. A client whose
        // secret is unknown may have one.
        let secret = match tree.get(props, "GenerateSecret") {
            None => vec![Value::Absent],
            Some(s) => intrinsic::value(t, s),
        };
        if let Some(public) = intrinsic::find(secret, |v| v.bool(tree) != Some(true)) {
            let migration = tree.get(props, "UserPoolId").is_some_and(|p| {
                intrinsic::resolve(t, p)
                    .into_iter()
                    .any(|(_, target)| match target {
                        Target::Resource { index, .. } => t.resources[index]
                            .properties
                            .and_then(|pp| tree.get_path(pp, &["LambdaConfig", "UserMigration"]))
                            .is_some(),
                        _ => false,
                    })
            });
            if !migration {
                for v in tree
                    .get(props, "ExplicitAuthFlows")
                    .map(|n| intrinsic::value_items(t, n))
                    .unwrap_or_default()
                {
                    let (Some(flow), Some(at)) = (v.text(tree), v.at()) else {
                        continue;
                    };
                    if matches!(flow, "ALLOW_USER_PASSWORD_AUTH" | "USER_PASSWORD_AUTH") {
                        out.emit(&UC005, None, Loc::Node(at), format!("`{flow}`{} on the public client `{name}`{}: the password is sent to Cognito instead of an SRP proof", v.origin(), public.origin()))
                            .rests_on(tree, v)
                            .rests_on(tree, public);
                    }
                }
            }
        }
        // UC006
        for v in tree
            .get(props, "AllowedOAuthFlows")
            .map(|n| intrinsic::value_items(t, n))
            .unwrap_or_default()
        {
            if let (Some("implicit"), Some(at)) = (v.text(tree), v.at()) {
                out.emit(&UC006, None, Loc::Node(at), format!("the implicit OAuth flow on `{name}`{} returns tokens in the URL fragment, where browser history and referrers leak them", v.origin()))
                    .rests_on(tree, v);
            }
        }
    }
}

rule! {
    UC007, "unsafe-redirect-url", ["default" = error, "localhost" = info],
    summary: "redirect URL with `http://` to a host other than localhost or with a `#fragment` (the deploy fails), or `http://localhost` beside deployed URLs",
    help: "use `https://` (plain HTTP only for `http://localhost`) and no `#fragment`; keep localhost URLs in a development client",
}

/// A URL's host (lowercase, without user info and port) and whether the scheme is `http`.
fn url_host(url: &str) -> Option<(bool, String)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    Some((
        scheme.eq_ignore_ascii_case("http"),
        host.to_ascii_lowercase(),
    ))
}

fn loopback(host: &str) -> bool {
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

/// What a redirect URL is, as far as its text tells: the text with each `${Var}` of a
/// `Fn::Sub` replaced by a NUL (what the variable holds is unknown).
#[derive(PartialEq)]
enum UrlKind {
    /// `http://` to a host other than the local machine, or with a `#fragment`: the deploy
    /// fails. (`http://127.0.0.1` and `http://[::1]` deploy like `http://localhost`: real
    /// stacks in the corpus update with them, see rules/UC007.md.)
    Invalid(String),
    /// `http://localhost` (or a loopback address): a test URL.
    Localhost,
    /// A URL whose host is known and not local (any scheme but `http://localhost`).
    Deployed,
    /// Anything we cannot tell.
    Unknown,
}

fn url_kind(text: &str) -> UrlKind {
    let mut problems = Vec::new();
    let parsed = url_host(text);
    if let Some((true, host)) = &parsed {
        if !host.contains('\0') && !loopback(host) {
            problems.push(format!(
                "plain `http://` to `{host}` (Cognito accepts `http://` only for the local machine: `localhost`, `127.0.0.1`, `[::1]`)"
            ));
        }
    }
    if text.contains('#') {
        problems.push("a `#fragment` (Cognito refuses redirect URLs with fragments)".to_string());
    }
    if !problems.is_empty() {
        return UrlKind::Invalid(problems.join(" and "));
    }
    match parsed {
        Some((_, host)) if host.contains('\0') || host.is_empty() => UrlKind::Unknown,
        Some((true, _)) => UrlKind::Localhost,
        Some((false, host)) if !loopback(&host) => UrlKind::Deployed,
        Some(_) => UrlKind::Unknown,
        // A custom scheme without `://` (`myapp:callback`) is an app's, not a test URL.
        None if text.contains(':') && !text.contains('\0') => UrlKind::Deployed,
        None => UrlKind::Unknown,
    }
}

/// The text of one URL value: a literal, a parameter's value, or a `Fn::Sub` string with its
/// variables blanked out (an invalid scheme, host or fragment written literally is known).
fn url_text(t: &Template, item: NodeId, v: Value<'_>) -> Option<String> {
    let tree = &t.tree;
    if let Some(s) = v.text(tree) {
        return Some(s.to_string());
    }
    let Some(("Fn::Sub", arg, _)) = intrinsic::as_intrinsic(tree, item) else {
        return None;
    };
    let s = intrinsic::sub_string(tree, arg)?;
    Some(intrinsic::sub_replace(s, "\0"))
}

/// UC007: the redirect URLs of each client.
pub fn check_redirect_urls(cx: &Context<'_>, out: &mut Emitter<'_>) {
    let t = cx.template;
    let tree = &t.tree;
    for (_, client) in t.resources_of_type("AWS::Cognito::UserPoolClient") {
        let Some(props) = client.properties else {
            continue;
        };
        let name = &client.name;
        for prop in ["CallbackURLs", "LogoutURLs", "DefaultRedirectURI"] {
            let Some(node) = tree.get(props, prop) else {
                continue;
            };
            // Each branch of the list on its own: a test URL is only beside deployed URLs when
            // both are in one list CloudFormation can produce.
            for list in intrinsic::values(tree, node) {
                let raw: Vec<NodeId> = match tree.items(list) {
                    Some(items) => items.to_vec(),
                    None => vec![list],
                };
                let mut local: Vec<(Value<'_>, NodeId, String)> = Vec::new();
                let mut deployed = false;
                for item in raw {
                    // A conditional test URL is a choice, not a leftover.
                    let conditional = intrinsic::values(tree, item) != vec![tree.deref(item)];
                    for b in intrinsic::values(tree, item) {
                        let v = intrinsic::branch_value(t, b);
                        let (Some(text), Some(at)) = (url_text(t, b, v), v.at()) else {
                            continue;
                        };
                        // A list parameter's value holds several URLs.
                        let urls: Vec<&str> = if v.param().is_some() {
                            text.split(',').map(str::trim).collect()
                        } else {
                            vec![text.as_str()]
                        };
                        for url in urls {
                            let shown = url.replace('\0', "…");
                            match url_kind(url) {
                                UrlKind::Invalid(problem) => {
                                    out.emit(&UC007, None, Loc::Node(at), format!("`{shown}` in `{prop}` of `{name}`{} has {problem}: the deploy fails", v.origin()))
                                        .rests_on(tree, v);
                                }
                                UrlKind::Localhost if !conditional => local.push((v, at, shown)),
                                UrlKind::Deployed => deployed = true,
                                _ => {}
                            }
                        }
                    }
                }
                if !deployed {
                    continue;
                }
                for (v, at, shown) in local {
                    out.emit(&UC007, Some("localhost"), Loc::Node(at), format!("`{shown}` in `{prop}` of `{name}`{} sits beside deployed URLs: a test URL left in a deployed client", v.origin()))
                        .rests_on(tree, v);
                }
            }
        }
    }
}
