//! The two seed templates (from the tutorials in ../shared/seeds, copied as they are) are one
//! stack, as the tutorial deploys them: `fixtures/seeds/.cfn-cognito-lint.yaml` names both files
//! as the fragments of stack `iot-tutorial`. Exactly which findings the stack gives, as RULES.md
//! defines them.

mod common;

fn owned(v: &[(&str, &str, &str, usize)]) -> Vec<(String, String, String, usize)> {
    v.iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), *d))
        .collect()
}

const IP: &str = "fixtures/seeds/identity-pool.yaml";
const UP: &str = "fixtures/seeds/user-pool.yaml";

/// The identity-pool part repeats the identity pool and both roles of the user-pool part (TM002
/// at each second definition, which wins) and adds the role attachment; it attaches an
/// unauthenticated role although the pool allows no guests (IP005); the signed-in role holds
/// service wildcards (PM001) and the retired `mobileanalytics:PutEvents` (PM003). The user-pool
/// part keeps its own problems: the dangling `CognitoPreSignUp` trigger (TM004), the weak
/// password policy (UP002), the immutable `email` (UP001), no retention (UP006), 365-day refresh
/// tokens (UC002), LEGACY user-existence errors (UC003), and the info rules. No TM003/TM005 and
/// no "never attached" IP005: those were artefacts of linting the fragments one by one.
#[test]
fn seed_stack() {
    let outcome = common::lint_run(&["fixtures/seeds"]);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let expected = owned(&[
        (IP, "TM002", "CognitoIdentityPool", 2),
        (IP, "IP004", "CognitoIdentityPool", 9),
        (IP, "IP009", "CognitoIdentityPool", 12),
        (IP, "IP004", "CognitoIdentityPool", 15),
        (IP, "IP005", "IdentityPoolRoleMapping", 31),
        (IP, "TM002", "CognitoAuthorizedRole", 35),
        (IP, "PM003", "CognitoAuthorizedRole", 59),
        (IP, "PM001", "CognitoAuthorizedRole", 60),
        (IP, "PM001", "CognitoAuthorizedRole", 61),
        (IP, "PM001", "CognitoAuthorizedRole", 62),
        (IP, "TM002", "CognitoUnAuthorizedRole", 64),
        (IP, "PM003", "CognitoUnAuthorizedRole", 88),
        (UP, "PM001", "CognitoExecutionRole", 57),
        (UP, "PM001", "CognitoExecutionRole", 58),
        (UP, "UP003", "CognitoUserPool", 115),
        (UP, "UP004", "CognitoUserPool", 115),
        (UP, "UP006", "CognitoUserPool", 115),
        (UP, "UP011", "CognitoUserPool", 115),
        (UP, "UP007", "CognitoUserPool", 120),
        (UP, "UP010", "CognitoUserPool", 120),
        (UP, "TM004", "CognitoUserPool", 126),
        (UP, "UP002", "CognitoUserPool", 130),
        (UP, "UP002", "CognitoUserPool", 131),
        (UP, "UP002", "CognitoUserPool", 132),
        (UP, "UP002", "CognitoUserPool", 133),
        (UP, "UP002", "CognitoUserPool", 134),
        (UP, "UP001", "CognitoUserPool", 138),
        (UP, "UC003", "CognitoUserPoolAppClient", 148),
        (UP, "UC002", "CognitoUserPoolAppClient", 153),
        (UP, "UC003", "CognitoUserPoolWebClient", 158),
        (UP, "UC002", "CognitoUserPoolWebClient", 163),
    ]);
    assert_eq!(common::run_findings(&outcome), expected);
}

/// Given alone (as pre-commit passes a changed file), the identity-pool fragment is still
/// linted as part of its stack: the same findings in that file, nothing from the other.
#[test]
fn one_fragment_given_alone_is_linted_with_its_stack() {
    let whole = common::run_findings(&common::lint_run(&["fixtures/seeds"]));
    let alone = common::run_findings(&common::lint_run(&[IP]));
    let expected: Vec<_> = whole.into_iter().filter(|f| f.0 == IP).collect();
    assert_eq!(alone, expected);
}

/// TM002 across fragments names the first definition, in the other file.
#[test]
fn duplicate_across_fragments_points_at_the_first_definition() {
    let outcome = common::lint_run(&["fixtures/seeds"]);
    let Some(report) = outcome
        .reports
        .iter()
        .find(|r| r.path.ends_with("identity-pool.yaml"))
    else {
        panic!("identity-pool.yaml is not reported")
    };
    let Some(tm002) = report.findings.iter().find(|f| f.rule.id == "TM002") else {
        panic!("no TM002")
    };
    assert_eq!(tm002.stack.as_deref(), Some("iot-tutorial"));
    assert_eq!(tm002.pointer, "/Resources/CognitoIdentityPool");
    let rel = &tm002.related[0];
    assert!(
        rel.file.path.ends_with("user-pool.yaml"),
        "{}",
        rel.file.path
    );
    let at = rel.file.index.line_col(&rel.file.text, rel.span.start);
    assert_eq!((at.line, at.column), (66, 3));
    assert_eq!(rel.message, "first defined here");
}

#[test]
fn seed_severities() {
    let outcome = common::lint_run(&["fixtures/seeds"]);
    let pm001: Vec<&str> = outcome
        .reports
        .iter()
        .flat_map(|r| &r.findings)
        .filter(|f| f.rule.id == "PM001")
        .map(|f| f.severity.as_str())
        .collect();
    assert_eq!(pm001, ["warning", "warning", "warning", "info", "info"]);
}

/// The seed's user pool has open self sign-up and a `PreSignUp` trigger: the door stays
/// signed-in, so the signed-in role's wildcards stay warnings, and their messages (and IP009's,
/// an info) say that anyone may sign up unless the trigger rejects them.
#[test]
fn seed_open_sign_up_behind_a_trigger() {
    let outcome = common::lint_run(&["fixtures/seeds"]);
    let findings: Vec<_> = outcome.reports.iter().flat_map(|r| &r.findings).collect();
    let signed_in: Vec<_> = findings
        .iter()
        .filter(|f| f.rule.id == "PM001" && f.resource.as_deref() == Some("CognitoAuthorizedRole"))
        .collect();
    assert_eq!(signed_in.len(), 3);
    for f in signed_in {
        assert_eq!(f.severity.as_str(), "warning");
        assert!(
            f.message
                .contains("anyone can sign up to `CognitoUserPool`")
                && f.message.contains("unless the PreSignUp trigger"),
            "{}",
            f.message
        );
    }
    let Some(ip009) = findings.iter().find(|f| f.rule.id == "IP009") else {
        panic!("no IP009")
    };
    assert_eq!(ip009.severity.as_str(), "info");
    assert!(ip009.message.contains("unless the PreSignUp trigger"));
}

#[test]
fn seed_snapshots() {
    let outcome = common::lint_run(&["fixtures/seeds"]);
    for r in &outcome.reports {
        let name = if r.path.ends_with("user-pool.yaml") {
            "seed_user_pool"
        } else {
            "seed_identity_pool"
        };
        insta::assert_snapshot!(name, common::human(r));
    }
}
