//! Issue 10's acceptance cases: who can assume a role (guest, open sign-up, signed-in) decides
//! the severity of PM001/PM002, the message says why, and AWS managed policies are read.

mod common;

/// (fixture, rule, severity, text the message must contain).
const CASES: &[(&str, &str, &str, &str)] = &[
    (
        "fixtures/PM001/bad-managed-admin.yaml",
        "PM001",
        "error",
        "`AdministratorAccess` grants `*`",
    ),
    (
        "fixtures/PM001/bad-open-sign-up.yaml",
        "PM001",
        "error",
        "anyone can sign up to `UserPool` and assume this role",
    ),
    (
        "fixtures/PM001/bad-admin-only.yaml",
        "PM001",
        "warning",
        "to every signed-in Cognito identity (role `UserRole`)",
    ),
    (
        "fixtures/PM001/bad-google-client.yaml",
        "PM001",
        "error",
        "with a Google account (client `Client`)",
    ),
    (
        "fixtures/PM001/bad-pre-sign-up.yaml",
        "PM001",
        "warning",
        "unless the PreSignUp trigger of `UserPool` rejects them",
    ),
    (
        "fixtures/PM002/bad-secrets-guest.yaml",
        "PM002",
        "error",
        "`secretsmanager:GetSecretValue`",
    ),
    ("fixtures/IP009/bad.yaml", "IP009", "warning", "PM001"),
    (
        "fixtures/IP009/bad-login-provider.yaml",
        "IP009",
        "info",
        "anyone with a Google account",
    ),
    (
        "fixtures/TR001/bad-find-in-map.yaml",
        "TR001",
        "error",
        "aud",
    ),
];

#[test]
fn severities_and_messages() {
    let mut failures = Vec::new();
    for (file, rule, severity, text) in CASES {
        let report = common::lint(file);
        let found: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.rule.id == *rule)
            .collect();
        if found.is_empty() {
            failures.push(format!("{file}: no {rule}"));
        }
        for f in found {
            if f.severity.as_str() != *severity || !f.message.contains(text) {
                failures.push(format!(
                    "{file}: {rule} {} `{}` (want {severity}, `{text}`)",
                    f.severity.as_str(),
                    f.message
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The same signed-in role, admin-only sign-up: no IP009 and a warning only.
#[test]
fn closed_sign_up_is_signed_in() {
    let report = common::lint("fixtures/PM001/bad-admin-only.yaml");
    assert!(!report.findings.iter().any(|f| f.rule.id == "IP009"));
}
