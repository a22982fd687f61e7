//! Hostile and odd input: a clear finding with its position, never a panic or a hang; and
//! positions in files with non-ASCII text.

mod common;

use cfn_cognito_lint::rules::Settings;
use cfn_cognito_lint::rules::registry::RULES;
use cfn_cognito_lint::{Options, lint_bytes};

/// Only the template rules (TM): these tests are about reading input.
fn template_rules() -> Settings {
    let mut s = Settings::default();
    s.disabled.extend(
        RULES
            .iter()
            .map(|r| r.id)
            .filter(|id| !id.starts_with("TM")),
    );
    s
}

fn findings(name: &str, text: &str) -> Vec<(String, usize, usize)> {
    let r = common::lint_text(name, text, template_rules());
    r.findings
        .iter()
        .map(|f| {
            let p = r.index.line_col(&r.source, f.span.start);
            (f.rule.id.to_string(), p.line, p.column)
        })
        .collect()
}

fn rules(name: &str, text: &str) -> Vec<String> {
    findings(name, text).into_iter().map(|f| f.0).collect()
}

#[test]
fn korean_text_counts_code_points() {
    // 사용자 풀 = "user pool"; the value `false` comes after 6 Korean characters on its line.
    let text = "AWSTemplateFormatVersion: '2010-09-09'\nDescription: 한국어 설명 # 사용자 풀\nResources:\n  Pool: # 사용자 풀\n    Type: AWS::Cognito::UserPool\n    Properties:\n      Schema:\n        - { Name: email, Description: \"이메일 주소\", Mutable: false }\n";
    let r = common::lint_text("k.yaml", text, Settings::default());
    let up: Vec<_> = r.findings.iter().filter(|f| f.rule.id == "UP001").collect();
    assert_eq!(up.len(), 1);
    let (s, e) = r.index.span(&r.source, up[0].span);
    // `        - { Name: email, Description: "이메일 주소", Mutable: ` is 57 code points.
    assert_eq!((s.line, s.column, e.line, e.column), (8, 58, 8, 63));
    let json = "{\"Description\": \"한국어\", \"Resources\": {\"P\": {\"Type\": \"AWS::Cognito::UserPool\", \"Properties\": {\"Name\": {\"Ref\": \"없음\"}}}}}";
    let r = common::lint_text("k.json", json, template_rules());
    let (s, e) = r.index.span(&r.source, r.findings[0].span);
    assert_eq!(r.findings[0].rule.id, "TM003");
    let col = json
        .find("\"없음\"")
        .map(|b| json[..b].chars().count() + 1)
        .unwrap_or_default();
    assert_eq!((s.line, s.column, e.column), (1, col, col + 4));
}

#[test]
fn deep_nesting_is_tm010() {
    let yaml = format!(
        "Resources:\n  R:\n    Type: X\n    Properties: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_eq!(rules("deep.yaml", &yaml), ["TM010"]);
    let json = format!(
        "{{\"Resources\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_eq!(rules("deep.json", &json), ["TM010"]);
    let mut block = String::from("Resources:\n");
    for i in 0..400 {
        block.push_str(&" ".repeat(i + 2));
        block.push_str("k:\n");
    }
    assert_eq!(rules("deep-block.yaml", &block), ["TM010"]);
}

#[test]
fn alias_bomb_is_tm010() {
    let mut text = String::from(
        "Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Metadata:\n      a: &a [x, x, x, x, x, x, x, x, x]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(", ");
        text.push_str(&format!("      {}: &{} [{refs}]\n", w[1], w[1]));
    }
    let start = std::time::Instant::now();
    assert_eq!(rules("bomb.yaml", &text), ["TM010"]);
    assert!(start.elapsed().as_secs() < 5);
}

#[test]
fn aliases_and_merge_keys_are_seen_through() {
    let text = "Resources:\n  Base: &base\n    Type: AWS::SNS::Topic\n  T:\n    <<: *base\n    Properties:\n      TopicName: !Ref Missing\n";
    let f = findings("alias.yaml", text);
    assert_eq!(
        f,
        [("TM008".to_string(), 5, 9), ("TM003".to_string(), 7, 23)]
    );
}

#[test]
fn invalid_utf8_binary_and_empty() {
    let options = Options::default();
    let mut bytes = b"AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n# \xff\xfe\n".to_vec();
    let r = lint_bytes("bad.yaml", bytes.clone(), true, &options);
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].rule.id, "TM001");
    assert_eq!(
        r.index.line_col(&r.source, r.findings[0].span.start).line,
        3
    );
    bytes = vec![0, 159, 146, 150, 255, 0, 1];
    let r = lint_bytes("bin.dat", bytes, true, &options);
    assert!(r.skipped.is_some() && r.findings.is_empty());
    let r = lint_bytes("empty.yaml", Vec::new(), true, &options);
    assert!(r.skipped.is_some());
    let strict = Options {
        strict: true,
        ..Options::default()
    };
    let r = lint_bytes("empty.yaml", Vec::new(), true, &strict);
    assert_eq!(r.findings[0].rule.id, "TM001");
}

#[test]
fn bom_crlf_tabs() {
    let text = "\u{feff}Resources:\r\n  T:\r\n    Type: AWS::SNS::Topic\r\n    Properties:\r\n      TopicName: !Ref Nope\r\n";
    assert_eq!(findings("crlf.yaml", text), [("TM003".to_string(), 5, 23)]);
    let json = "\u{feff}{\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\", \"Properties\": {\"TopicName\": {\"Ref\": \"Nope\"}}}}}";
    assert_eq!(rules("bom.json", json), ["TM003"]);
    let tabs = "Resources:\n\tT:\n    Type: AWS::SNS::Topic\n";
    assert_eq!(rules("tabs.yaml", tabs), ["TM001"]);
}

#[test]
fn several_documents_trailing_garbage_and_list_resources() {
    let text = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n---\nResources: {}\n";
    assert_eq!(findings("multi.yaml", text), [("TM008".to_string(), 4, 1)]);
    let json = "{\"Resources\": {}} trailing";
    assert_eq!(rules("garbage.json", json), ["TM001"]);
    let list = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  - Type: AWS::SNS::Topic\n";
    assert_eq!(rules("list.yaml", list), ["TM001"]);
}

#[test]
fn duplicate_keys_keep_the_last_value() {
    let text = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref A\n      TopicName: !Ref B\n";
    // Only the last value is analysed: one TM003 for B, and TM002 on the second key.
    assert_eq!(
        findings("dup.yaml", text),
        [("TM002".to_string(), 6, 7), ("TM003".to_string(), 6, 23)]
    );
}

#[test]
fn yaml_11_booleans_are_read_as_cloudformation_does() {
    let text = "Resources:\n  P:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      MfaConfiguration: ON\n      UserPoolName: 'ON'\n";
    assert_eq!(findings("mfa.yaml", text), [("TM008".to_string(), 5, 25)]);
}

#[test]
fn short_and_long_forms_resolve_alike() {
    let text = r#"Parameters:
  Env: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Pool
      ClientName: !Sub ['${Env}-${Pool}-${X}', {X: !GetAtt Pool.Arn}]
      ExplicitAuthFlows: !If [IsProd, !Split [',', 'a,b'], !Ref 'AWS::NoValue']
      A: !Join ['', [!Select [0, !GetAZs ''], !FindInMap [M, K, V], !ImportValue x, !Base64 y, !Cidr [a, 1, 2]]]
      B: {'Fn::GetAtt': [Pool, ProviderName]}
      C: {'Fn::GetAtt': 'Pool.ProviderURL'}
      D: !GetAtt [Pool, Arn]
      E: !And [!Not [!Condition IsProd], !Or [!Condition IsProd, !Condition IsProd]]
"#;
    assert_eq!(rules("forms.yaml", text), Vec::<String>::new());
    let bad = "Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      A: !GetAtt Pool.Nope\n      B: !GetAtt [Pool]\n      C: !Sub ['${Y}', 3]\n      D: !Splitt [',', 'a']\n      E: !If [Nope, a, b]\n";
    assert_eq!(
        findings("forms-bad.yaml", bad),
        [
            // a resource that refers to itself is a cycle, as CloudFormation says
            ("TM006".to_string(), 2, 3),
            ("TM004".to_string(), 5, 18),
            ("TM007".to_string(), 6, 10),
            ("TM007".to_string(), 7, 10),
            ("TM007".to_string(), 8, 10),
            ("TM007".to_string(), 9, 15)
        ]
    );
}

#[test]
fn non_templates_are_skipped_unless_strict() {
    let text = "name: ci\non: push\n";
    let r = common::lint_text("ci.yml", text, Settings::default());
    assert!(r.skipped.is_some());
    let strict = Options {
        strict: true,
        ..Options::default()
    };
    let r = cfn_cognito_lint::lint_source("ci.yml", text.to_string(), true, &strict);
    assert_eq!(r.findings[0].rule.id, "TM001");
}

#[test]
fn korean_fixtures_positions() {
    // Counted by hand in code points: (rule, line, column, end line, end column).
    type Pos = (&'static str, usize, usize, usize, usize);
    let cases: [(&str, [Pos; 3]); 2] = [
        (
            "fixtures/positions/korean.yaml",
            [
                ("TM005", 14, 44, 14, 54),
                ("UP001", 17, 45, 17, 50),
                ("TR005", 37, 79, 37, 84),
            ],
        ),
        (
            "fixtures/positions/korean.json",
            [
                ("TM005", 13, 55, 13, 65),
                ("UP001", 15, 48, 15, 53),
                ("TR005", 35, 82, 35, 87),
            ],
        ),
    ];
    for (file, expected) in cases {
        let r = common::lint(file);
        let got: Vec<(&str, usize, usize, usize, usize)> = r
            .findings
            .iter()
            .filter(|f| ["TM005", "UP001", "TR005"].contains(&f.rule.id))
            .map(|f| {
                let (s, e) = r.index.span(&r.source, f.span);
                (f.rule.id, s.line, s.column, e.line, e.column)
            })
            .collect();
        assert_eq!(got, expected, "{file}");
    }
}

#[test]
fn a_100_mb_file_is_tm010_without_reading_it_all() {
    use std::io::Write;
    let path =
        std::env::temp_dir().join(format!("cfn-cognito-lint-huge-{}.yaml", std::process::id()));
    {
        let mut f = std::fs::File::create(&path).unwrap_or_else(|e| panic!("{e}"));
        f.write_all(b"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let chunk = "  # padding padding padding padding padding padding padding padding padding\n"
            .repeat(1000);
        while f.metadata().map_or(0, |m| m.len()) < 100 * 1024 * 1024 {
            f.write_all(chunk.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let start = std::time::Instant::now();
    let r = cfn_cognito_lint::lint_file(&path, "huge.yaml", true, &Options::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_file(&path);
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].rule.id, "TM010");
    assert!(r.findings[0].message.contains("max-file-size"));
    assert!(start.elapsed().as_secs() < 5);
}

#[test]
fn limits_are_configurable() {
    let text = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      Tags: [{Key: a, Value: [[[[1]]]]}]\n";
    let tight = Options {
        limits: cfn_cognito_lint::template::Limits {
            max_depth: 5,
            ..Default::default()
        },
        ..Options::default()
    };
    let r = cfn_cognito_lint::lint_source("t.yaml", text.to_string(), true, &tight);
    assert_eq!(
        r.findings.iter().map(|f| f.rule.id).collect::<Vec<_>>(),
        ["TM010"]
    );
    assert_eq!(
        r.index.line_col(&r.source, r.findings[0].span.start).line,
        5
    );
    let small = Options {
        limits: cfn_cognito_lint::template::Limits {
            max_file_size: 10,
            ..Default::default()
        },
        ..Options::default()
    };
    let r = cfn_cognito_lint::lint_source("t.yaml", text.to_string(), true, &small);
    assert_eq!(r.findings[0].rule.id, "TM010");
    let bomb = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Metadata:\n      a: &a [x, x, x]\n      b: [*a, *a, *a]\n";
    let strict = Options {
        limits: cfn_cognito_lint::template::Limits {
            max_alias_visits: 1,
            ..Default::default()
        },
        ..Options::default()
    };
    let r = cfn_cognito_lint::lint_source("t.yaml", bomb.to_string(), true, &strict);
    assert_eq!(
        r.findings.iter().map(|f| f.rule.id).collect::<Vec<_>>(),
        ["TM010"]
    );
}

#[test]
fn every_robustness_file_gets_findings_or_is_linted() {
    let Some(shared) = common::shared() else {
        eprintln!("skipped: ../shared/corpus is absent");
        return;
    };
    for path in common::files_in(&shared.join("corpus/robustness")) {
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let r = cfn_cognito_lint::lint_file(&path, "robust", true, &Options::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(r.skipped.is_none(), "{}", path.display());
        assert!(
            !r.findings.iter().any(|f| f.rule.id == "TM001"),
            "{}",
            path.display()
        );
    }
}

#[test]
fn a_cycle_of_lambda_aliases_does_not_recurse_forever() {
    let text = "Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      LambdaConfig:\n        PreSignUp: !Ref A\n  A:\n    Type: AWS::Lambda::Alias\n    Properties: {FunctionName: !Ref B, FunctionVersion: '1', Name: a}\n  B:\n    Type: AWS::Lambda::Alias\n    Properties: {FunctionName: !Ref A, FunctionVersion: '1', Name: b}\n";
    assert_eq!(
        findings("alias-cycle.yaml", text),
        [("TM006".to_string(), 7, 3)]
    );
}
