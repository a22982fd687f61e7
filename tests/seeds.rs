//! The two seed templates (from the tutorials in ../shared/seeds, copied as they are): exactly
//! which findings each gives, as RULES.md defines them (each file is its own stack).

mod common;

fn owned(v: &[(&str, &str, usize)]) -> Vec<(String, String, usize)> {
    v.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), *c))
        .collect()
}

/// User-pool template: the roles trust `CognitoIdentityPool` but nothing attaches them (IP005),
/// `mobileanalytics:PutEvents` (PM003), `iot:*` and the other service wildcards on the signed-in
/// role (PM001 warning) and on the Lambda execution role (PM001 info), the dangling
/// `CognitoPreSignUp` GetAtt (TM004), the weak password policy (UP002), the immutable `email`
/// (UP001), no retention (UP006), 365-day refresh tokens (UC002), LEGACY user-existence errors
/// (UC003), and the info rules on the pool and the identity pool.
#[test]
fn user_pool_seed() {
    let r = common::lint("fixtures/seeds/user-pool.yaml");
    let expected = owned(&[
        ("IP005", "CognitoAuthorizedRole", 21),
        ("PM003", "CognitoAuthorizedRole", 30),
        ("PM001", "CognitoAuthorizedRole", 31),
        ("PM001", "CognitoAuthorizedRole", 32),
        ("PM001", "CognitoAuthorizedRole", 33),
        ("PM001", "CognitoExecutionRole", 57),
        ("PM001", "CognitoExecutionRole", 58),
        ("IP005", "CognitoIdentityPool", 66),
        ("IP004", "CognitoIdentityPool", 70),
        ("IP004", "CognitoIdentityPool", 76),
        ("IP005", "CognitoUnAuthorizedRole", 99),
        ("PM003", "CognitoUnAuthorizedRole", 108),
        ("UP003", "CognitoUserPool", 115),
        ("UP004", "CognitoUserPool", 115),
        ("UP006", "CognitoUserPool", 115),
        ("UP007", "CognitoUserPool", 120),
        ("TM004", "CognitoUserPool", 126),
        ("UP002", "CognitoUserPool", 130),
        ("UP002", "CognitoUserPool", 131),
        ("UP002", "CognitoUserPool", 132),
        ("UP002", "CognitoUserPool", 133),
        ("UP002", "CognitoUserPool", 134),
        ("UP001", "CognitoUserPool", 138),
        ("UC003", "CognitoUserPoolAppClient", 148),
        ("UC002", "CognitoUserPoolAppClient", 153),
        ("UC003", "CognitoUserPoolWebClient", 158),
        ("UC002", "CognitoUserPoolWebClient", 163),
    ]);
    assert_eq!(common::rule_resource_lines(&r), expected);
}

/// Identity-pool fragment: the undefined `${Environment}` (TM005) and the user pool and clients
/// it uses without defining them (TM003, TM004), an unauthenticated role attached while the pool
/// allows no guests (IP005), `mobileanalytics:PutEvents` (PM003), the service wildcards (PM001).
#[test]
fn identity_pool_seed() {
    let r = common::lint("fixtures/seeds/identity-pool.yaml");
    let expected = owned(&[
        ("TM005", "CognitoIdentityPool", 6),
        ("IP004", "CognitoIdentityPool", 9),
        ("TM003", "CognitoIdentityPool", 10),
        ("TM004", "CognitoIdentityPool", 13),
        ("IP004", "CognitoIdentityPool", 15),
        ("TM003", "CognitoIdentityPool", 16),
        ("TM004", "CognitoIdentityPool", 19),
        ("IP005", "IdentityPoolRoleMapping", 31),
        ("PM003", "CognitoAuthorizedRole", 59),
        ("PM001", "CognitoAuthorizedRole", 60),
        ("PM001", "CognitoAuthorizedRole", 61),
        ("PM001", "CognitoAuthorizedRole", 62),
        ("PM003", "CognitoUnAuthorizedRole", 88),
    ]);
    assert_eq!(common::rule_resource_lines(&r), expected);
}

#[test]
fn seed_severities() {
    let r = common::lint("fixtures/seeds/user-pool.yaml");
    let pm001: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.rule.id == "PM001")
        .map(|f| f.severity.as_str())
        .collect();
    assert_eq!(pm001, ["warning", "warning", "warning", "info", "info"]);
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
