//! The two seed templates (from the tutorials in ../shared/seeds, copied as they are): exactly
//! which findings each gives.

mod common;

fn owned(v: &[(&str, &str, usize)]) -> Vec<(String, String, usize)> {
    v.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), *c))
        .collect()
}

#[test]
fn user_pool_seed() {
    let r = common::lint("fixtures/seeds/user-pool.yaml");
    let expected = owned(&[
        // iot:* and the other service wildcards on the signed-in role
        ("PM001", "CognitoAuthorizedRole", 31),
        ("PM001", "CognitoAuthorizedRole", 32),
        ("PM001", "CognitoAuthorizedRole", 33),
        // the Lambda execution role: not Cognito-assumable, tier "other"
        ("PM001", "CognitoExecutionRole", 57),
        ("PM001", "CognitoExecutionRole", 58),
        // the dangling CognitoPreSignUp GetAtt
        ("TM004", "CognitoUserPool", 126),
        // the immutable email
        ("UP001", "CognitoUserPool", 138),
    ]);
    assert_eq!(common::rule_resource_lines(&r), expected);
    let sev: Vec<&str> = r.findings.iter().map(|f| f.severity.as_str()).collect();
    assert_eq!(
        sev,
        [
            "warning", "warning", "warning", "info", "info", "error", "warning"
        ]
    );
}

#[test]
fn identity_pool_seed() {
    let r = common::lint("fixtures/seeds/identity-pool.yaml");
    let expected = owned(&[
        // the undefined ${Environment} (the fragment has no Parameters)
        ("TM005", "CognitoIdentityPool", 6),
        // the resources the fragment uses but does not define
        ("TM003", "CognitoIdentityPool", 10),
        ("TM004", "CognitoIdentityPool", 13),
        ("TM003", "CognitoIdentityPool", 16),
        ("TM004", "CognitoIdentityPool", 19),
        ("PM001", "CognitoAuthorizedRole", 60),
        ("PM001", "CognitoAuthorizedRole", 61),
        ("PM001", "CognitoAuthorizedRole", 62),
    ]);
    assert_eq!(common::rule_resource_lines(&r), expected);
}

#[test]
fn seed_snapshots() {
    insta::assert_snapshot!(
        "seed_user_pool",
        common::human(&common::lint("fixtures/seeds/user-pool.yaml"))
    );
    insta::assert_snapshot!(
        "seed_identity_pool",
        common::human(&common::lint("fixtures/seeds/identity-pool.yaml"))
    );
}
