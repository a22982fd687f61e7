//! Parameters are unknown unless a value is given (RULES.md, *Unknown is not wrong*): a `Ref`
//! to a parameter without default never causes a finding, a default may support one of at most
//! a warning that names the parameter, and a value given for the deployment counts like a
//! literal, the message naming where it came from. And the parameter files `--parameters`
//! reads (CLI.md).

mod common;

use cfn_cognito_lint::rules::{Settings, Severity};
use cfn_cognito_lint::stack::params;
use cfn_cognito_lint::{FileReport, Options};

const SOURCE: &str = "--parameters params/prod.json";

/// (line, severity, message) of the findings of one rule.
fn of(r: &FileReport, rule: &str) -> Vec<(usize, Severity, String)> {
    assert!(
        r.skipped.is_none(),
        "{} was skipped: {:?}",
        r.path,
        r.skipped
    );
    r.findings
        .iter()
        .filter(|f| f.rule.id == rule)
        .map(|f| {
            (
                r.index.line_col(&r.source, f.span.start).line,
                f.severity,
                f.message.clone(),
            )
        })
        .collect()
}

fn lines(found: &[(usize, Severity, String)]) -> Vec<usize> {
    found.iter().map(|f| f.0).collect()
}

fn unknown(rule: &str) -> FileReport {
    common::lint(&format!("fixtures/projects/params-unknown/{rule}.yaml"))
}

fn default(rule: &str) -> FileReport {
    common::lint(&format!("fixtures/projects/params-default/{rule}.yaml"))
}

/// Lints a fixture with parameter values given for it.
fn given_in(dir: &str, rule: &str, values: &[(&str, &str)]) -> FileReport {
    given_with(dir, rule, values, &Options::default())
}

fn given_with(dir: &str, rule: &str, values: &[(&str, &str)], options: &Options) -> FileReport {
    let rel = format!("fixtures/projects/{dir}/{rule}.yaml");
    let text = std::fs::read_to_string(common::root().join(&rel)).unwrap_or_default();
    let values: Vec<(String, String)> = values
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    params::lint_source_with(&rel, text, &values, SOURCE, options)
}

fn given(rule: &str, values: &[(&str, &str)]) -> FileReport {
    given_in("params-unknown", rule, values)
}

/// The rule is quiet on the fixture whose parameters have no default.
fn assert_quiet_when_unknown(rule: &str) {
    let found = of(&unknown(rule), rule);
    assert!(
        found.is_empty(),
        "{rule} fired on unknown parameters: {found:?}"
    );
}

/// The rule fires exactly at `at` on the fixture with defaults, at most a warning, naming
/// each parameter and labelling its default.
fn assert_default_finding(rule: &str, at: &[usize], params: &[&str]) {
    let report = default(rule);
    let found = of(&report, rule);
    assert_eq!(lines(&found), at, "{rule} on defaults: {found:?}");
    for ((_, severity, message), param) in found.iter().zip(params) {
        assert!(
            *severity <= Severity::Warning,
            "{rule}: {severity:?} rests on a default"
        );
        assert!(
            message.contains(&format!("(from the default of parameter `{param}`)")),
            "{rule}: the message does not name `{param}`: {message}"
        );
    }
    for f in report.findings.iter().filter(|f| f.rule.id == rule) {
        assert!(
            f.labels
                .iter()
                .any(|(_, l)| l.starts_with("default of parameter `")),
            "{rule}: no label at the default: {:?}",
            f.labels
        );
    }
}

/// The rule fires exactly at `at` with the given values, naming the parameter and the source.
fn assert_given_finding(rule: &str, values: &[(&str, &str)], at: &[usize], param: &str) {
    let found = of(&given(rule, values), rule);
    assert_eq!(lines(&found), at, "{rule} with {values:?}: {found:?}");
    for (_, _, message) in &found {
        assert!(
            message.contains(&format!("parameter `{param}` = `"))
                && message.contains(&format!("from {SOURCE})")),
            "{rule}: the message does not say where `{param}` came from: {message}"
        );
    }
}

fn assert_given_quiet(rule: &str, values: &[(&str, &str)]) {
    let found = of(&given(rule, values), rule);
    assert!(found.is_empty(), "{rule} with {values:?}: {found:?}");
}

#[test]
fn up004_threat_protection() {
    assert_quiet_when_unknown("UP004");
    assert_default_finding("UP004", &[26], &["SecurityMode"]);
    assert_given_quiet("UP004", &[("Tier", "PLUS"), ("SecurityMode", "ENFORCED")]);
    assert_given_finding(
        "UP004",
        &[("Tier", "PLUS"), ("SecurityMode", "AUDIT")],
        &[24],
        "SecurityMode",
    );
    assert_given_finding(
        "UP004",
        &[("Tier", "ESSENTIALS"), ("SecurityMode", "ENFORCED")],
        &[22],
        "Tier",
    );
}

#[test]
fn up006_deletion_protection() {
    assert_quiet_when_unknown("UP006");
    assert_default_finding("UP006", &[11], &["Protection"]);
    assert_given_quiet("UP006", &[("Protection", "ACTIVE")]);
    assert_given_finding("UP006", &[("Protection", "INACTIVE")], &[10], "Protection");
}

#[test]
fn up007_email_sender() {
    assert_quiet_when_unknown("UP007");
    assert_default_finding("UP007", &[23], &["SendingAccount"]);
    assert_given_quiet("UP007", &[("SendingAccount", "DEVELOPER")]);
    assert_given_finding(
        "UP007",
        &[("SendingAccount", "COGNITO_DEFAULT")],
        &[22],
        "SendingAccount",
    );
}

#[test]
fn up008_sms_pumping() {
    assert_quiet_when_unknown("UP008");
    assert_default_finding("UP008", &[13], &["AdminOnly"]);
    assert_given_quiet("UP008", &[("AdminOnly", "true")]);
    assert_given_finding("UP008", &[("AdminOnly", "false")], &[12], "AdminOnly");
}

#[test]
fn uc002_token_validity() {
    assert_quiet_when_unknown("UC002");
    // Refresh: 60 days (warning); access: 48 hours, outside the service limits (an error
    // tier), graded a warning because it rests on a default.
    assert_default_finding("UC002", &[29, 30], &["RefreshUnit", "AccessHours"]);
    assert_given_quiet("UC002", &[("RefreshUnit", "minutes"), ("AccessHours", "1")]);
    assert_given_finding("UC002", &[("RefreshUnit", "days")], &[27], "RefreshUnit");
    // A given value is known: the limit tier is an error again.
    let found = of(&given("UC002", &[("AccessHours", "48")]), "UC002");
    assert_eq!(lines(&found), [28]);
    assert_eq!(found[0].1, Severity::Error);
}

#[test]
fn uc002_default_stays_a_warning_under_a_severity_override() {
    let mut settings = Settings::default();
    settings.severity.insert("UC002", Severity::Error);
    let report = common::lint_with(
        "fixtures/projects/params-default/UC002.yaml",
        &Options {
            settings,
            ..Options::default()
        },
    );
    let found = of(&report, "UC002");
    assert_eq!(lines(&found), [29, 30]);
    assert!(found.iter().all(|f| f.1 == Severity::Warning), "{found:?}");
}

#[test]
fn uc003_user_existence_errors() {
    assert_quiet_when_unknown("UC003");
    assert_default_finding("UC003", &[25], &["ExistenceErrors"]);
    assert_given_quiet("UC003", &[("ExistenceErrors", "ENABLED")]);
    assert_given_finding(
        "UC003",
        &[("ExistenceErrors", "LEGACY")],
        &[24],
        "ExistenceErrors",
    );
    // A given value wins over the default.
    let found = of(
        &given_in("params-default", "UC003", &[("ExistenceErrors", "ENABLED")]),
        "UC003",
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn uc005_password_auth() {
    assert_quiet_when_unknown("UC005");
    // ApiClient: public by the default of WithSecret; WebClient: the flow from the default of
    // the list parameter AuthFlows.
    assert_default_finding("UC005", &[30, 38], &["WithSecret", "AuthFlows"]);
    assert_given_quiet(
        "UC005",
        &[
            ("WithSecret", "true"),
            ("AuthFlows", "ALLOW_USER_SRP_AUTH,ALLOW_REFRESH_TOKEN_AUTH"),
        ],
    );
    assert_given_finding("UC005", &[("WithSecret", "false")], &[28], "WithSecret");
    // A list parameter: each comma-separated item is a value; the finding points at the Ref.
    assert_given_finding(
        "UC005",
        &[("AuthFlows", "ALLOW_USER_SRP_AUTH, ALLOW_USER_PASSWORD_AUTH")],
        &[36],
        "AuthFlows",
    );
}

#[test]
fn ip005_guest_role_on_a_pool_without_guests() {
    assert_quiet_when_unknown("IP005");
    assert_default_finding("IP005", &[51], &["AllowGuests"]);
    assert_given_quiet("IP005", &[("AllowGuests", "true")]);
    assert_given_finding("IP005", &[("AllowGuests", "false")], &[50], "AllowGuests");
}

#[test]
fn other_rules_stay_quiet_on_unknown_parameters() {
    // Each fired on these `Ref`s to parameters without default before.
    let r = unknown("IP003-IP004");
    assert_eq!(of(&r, "IP003"), []);
    assert_eq!(of(&r, "IP004"), []);
    assert_eq!(of(&unknown("TR005"), "TR005"), []);
    assert_eq!(of(&unknown("UP005"), "UP005"), []);
    assert_eq!(of(&unknown("PM006"), "PM006"), []);
}

#[test]
fn other_rules_judge_given_values() {
    let r = given(
        "IP003-IP004",
        &[
            (
                "PartnerProviderName",
                "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12",
            ),
            ("TokenCheck", "false"),
        ],
    );
    let ip003 = of(&r, "IP003");
    assert_eq!(lines(&ip003), [20, 23]);
    assert!(ip003[0].2.contains("provider URL"), "{ip003:?}");
    assert!(
        ip003
            .iter()
            .all(|f| f.2.contains("parameter `PartnerProviderName` = `https://")),
        "{ip003:?}"
    );
    assert_eq!(lines(&of(&r, "IP004")), [21]);
    let ok = given(
        "IP003-IP004",
        &[
            (
                "PartnerProviderName",
                "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12",
            ),
            ("TokenCheck", "true"),
        ],
    );
    assert_eq!(of(&ok, "IP003"), []);
    assert_eq!(of(&ok, "IP004"), []);
    // A given amr value is known: `authenticated` alone contradicts the guest slot.
    let found = of(&given("TR005", &[("ExtraAmr", "authenticated")]), "TR005");
    assert_eq!(lines(&found), [28], "{found:?}");
    assert_eq!(
        of(&given("TR005", &[("ExtraAmr", "unauthenticated")]), "TR005"),
        []
    );
    let found = of(&given("PM006", &[("PolicyVersion", "2008-10-17")]), "PM006");
    assert_eq!(lines(&found), [22], "{found:?}");
    assert_eq!(
        of(&given("PM006", &[("PolicyVersion", "2012-10-17")]), "PM006"),
        []
    );
}

#[test]
fn ssm_parameter_types_stay_unknown() {
    // The default (and a given value) of an SSM parameter type is the name of an SSM
    // parameter, not the value the stack receives.
    let text = "\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  ExistenceErrors:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /shop/prevent-user-existence-errors
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
  AppClient:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref UserPool
      PreventUserExistenceErrors: !Ref ExistenceErrors
";
    let r = common::lint_text("ssm.yaml", text, Settings::default());
    assert_eq!(of(&r, "UC003"), []);
}

#[test]
fn parameter_file_values_reach_the_rules() {
    let file = common::root().join("fixtures/projects/params-files/samconfig.toml");
    let values = params::load(&file, None).unwrap_or_else(|e| panic!("{e}"));
    let rel = "fixtures/projects/params-unknown/IP005.yaml";
    let text = std::fs::read_to_string(common::root().join(rel)).unwrap_or_default();
    let source = "--parameters samconfig.toml";
    let r = params::lint_source_with(rel, text, &values, source, &Options::default());
    let found = of(&r, "IP005");
    assert_eq!(lines(&found), [50]);
    assert!(
        found[0]
            .2
            .contains("(parameter `AllowGuests` = `false`, from --parameters samconfig.toml)"),
        "{found:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Parameter files

fn load(name: &str, env: Option<&str>) -> Result<Vec<(String, String)>, String> {
    params::load(
        &common::root()
            .join("fixtures/projects/params-files")
            .join(name),
        env,
    )
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The error of a file that must not load, with the path made relative.
fn error(name: &str, env: Option<&str>) -> String {
    match load(name, env) {
        Ok(v) => panic!("{name} loaded: {v:?}"),
        Err(e) => {
            let dir = common::root().join("fixtures/projects/params-files");
            e.replace(&format!("{}/", dir.display()), "")
        }
    }
}

#[test]
fn cloudformation_parameter_list_json_and_yaml() {
    let expected = pairs(&[
        ("Stage", "prod"),
        ("RefreshDays", "90"),
        ("AuthFlows", "ALLOW_USER_SRP_AUTH,ALLOW_REFRESH_TOKEN_AUTH"),
    ]);
    // `DbPassword` has `UsePreviousValue: true` and no value: unknown, left out.
    assert_eq!(load("cloudformation.json", None), Ok(expected.clone()));
    assert_eq!(load("cloudformation.yaml", None), Ok(expected));
}

#[test]
fn template_configuration_parameters_mapping() {
    assert_eq!(
        load("template-configuration.json", None),
        Ok(pairs(&[("Stage", "prod"), ("RefreshDays", "90")]))
    );
}

#[test]
fn plain_mappings() {
    assert_eq!(
        load("plain.json", None),
        Ok(pairs(&[
            ("Stage", "prod"),
            ("RefreshDays", "90"),
            ("AllowGuests", "false"),
            ("AuthFlows", "ALLOW_USER_SRP_AUTH,ALLOW_REFRESH_TOKEN_AUTH"),
        ]))
    );
    assert_eq!(
        load("plain.yaml", None),
        Ok(pairs(&[
            ("Stage", "prod"),
            ("RefreshDays", "90"),
            ("AllowGuests", "false"),
            ("AuthFlows", "ALLOW_USER_SRP_AUTH,ALLOW_REFRESH_TOKEN_AUTH"),
            ("Ratio", "1.50"),
        ]))
    );
}

#[test]
fn samconfig_toml_environments() {
    // `default`: the global section, then deploy's own (which wins for `Stage`).
    let default = pairs(&[
        ("Stage", "prod"),
        ("Team", "identity"),
        ("RefreshDays", "90"),
        ("Greeting", "hello world"),
        ("AllowGuests", "false"),
    ]);
    assert_eq!(load("samconfig.toml", None), Ok(default.clone()));
    assert_eq!(load("samconfig.toml", Some("default")), Ok(default));
    // A list of "K=V" strings.
    assert_eq!(
        load("samconfig.toml", Some("prod")),
        Ok(pairs(&[
            ("Stage", "prod"),
            ("Greeting", "hello world"),
            ("RefreshDays", "30"),
        ]))
    );
    assert_eq!(
        error("samconfig.toml", Some("staging")),
        "samconfig.toml: no environment `staging` (--config-env); it has default, prod"
    );
}

#[test]
fn errors_name_the_file_and_line() {
    assert_eq!(
        error("bad-entry.json", None),
        "bad-entry.json:3: entry 1 has no `ParameterKey`"
    );
    assert_eq!(
        error("bad-value.yaml", None),
        "bad-value.yaml:3: the value of `Network` is a mapping: a parameter value is a string, a number, a boolean or a list"
    );
    assert!(
        error("bad-syntax.toml", None).starts_with("bad-syntax.toml:3: "),
        "{}",
        error("bad-syntax.toml", None)
    );
    assert_eq!(
        error("bad-override.toml", None),
        "bad-override.toml:5: [default.deploy.parameters] parameter_overrides: the value of `Greeting` has no closing `\"`"
    );
    // `file://` names a parameter file beside the samconfig; a missing one is an error there.
    let file_ref = error("samconfig-file.toml", None);
    assert!(
        file_ref.starts_with("samconfig-file.toml:4: ") && file_ref.contains("params/prod.json"),
        "{file_ref}"
    );
    assert_eq!(
        load("samconfig-ref.toml", None),
        load("cloudformation.json", None)
    );
    let missing = error("missing.json", None);
    assert!(missing.starts_with("missing.json: "), "{missing}");
}

#[test]
fn apply_sets_only_declared_parameters() {
    let text = "\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Stage:
    Type: String
Resources: {}
";
    let limits = cfn_cognito_lint::template::Limits::default();
    let parsed = cfn_cognito_lint::template::parse::parse(text, &limits);
    let Some(root) = parsed.root else {
        panic!("no root")
    };
    let Ok(mut t) = cfn_cognito_lint::template::Template::build(parsed.tree, root, &limits) else {
        panic!("not a template")
    };
    params::apply(
        &mut t,
        &pairs(&[("Stage", "prod"), ("Other", "x")]),
        "--parameters p.json",
    );
    assert_eq!(t.param_values.len(), 1);
    let v = t
        .param_values
        .get("Stage")
        .map(|p| (p.value.as_str(), p.source.as_str()));
    assert_eq!(v, Some(("prod", "--parameters p.json")));
}

#[test]
fn uc001_error_tier_resting_on_a_default_is_a_warning() {
    let text = "\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  WithSecret:
    Type: String
    Default: 'true'
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
  WebClient:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref UserPool
      GenerateSecret: !Ref WithSecret
";
    let r = common::lint_text("uc001.yaml", text, Settings::default());
    let found = of(&r, "UC001");
    assert_eq!(lines(&found), [13]);
    assert_eq!(found[0].1, Severity::Warning);
    assert!(
        found[0]
            .2
            .contains("(from the default of parameter `WithSecret`)"),
        "{found:?}"
    );
    // Given, the value is known: the browser tier is an error.
    let values = pairs(&[("WithSecret", "true")]);
    let r = params::lint_source_with(
        "uc001.yaml",
        text.into(),
        &values,
        SOURCE,
        &Options::default(),
    );
    let found = of(&r, "UC001");
    assert_eq!(lines(&found), [13]);
    assert_eq!(found[0].1, Severity::Error);
    // Without a default, unknown: quiet.
    let text = text.replace("    Default: 'true'\n", "");
    let r = common::lint_text("uc001.yaml", &text, Settings::default());
    assert_eq!(of(&r, "UC001"), []);
}
