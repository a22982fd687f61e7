//! Issue 12, hostile input to the parser, the positions and the renderers: inputs whose cost
//! used to grow with the square of their size, line breaks, spans, JSON/YAML detection, several
//! documents, circular conditions, deep `Fn::If`. Inputs are generated here; the slow cases run
//! the binary under a memory limit and a timeout (`common::hostile`), and their time bound is
//! only a guard against a hang.

mod common;

use std::time::Duration;

use common::hostile;
use common::{Parseable, parse_parseable};

/// A generous bound for a case that is linear now (a quadratic one took far longer).
const HANG_GUARD: Duration = Duration::from_secs(15);

/// Writes `text` as `name` in a fresh folder and runs the binary on it with `args` (a config
/// that lifts the file-size limit is beside it).
fn run_on(case: &str, name: &str, text: &str, args: &[&str]) -> hostile::Run {
    let dir = hostile::scratch(case);
    common::write_file(&dir, name, text);
    common::write_file(&dir, "big.yaml", "limits: {max-file-size: 1GiB}\n");
    let mut all = vec!["--config", "big.yaml", "--fail-level", "none"];
    all.extend_from_slice(args);
    all.push(name);
    let run = hostile::run(case, &dir, &all, None);
    eprintln!("{case}: {:?}", run.elapsed);
    assert!(
        !run.stderr.contains("panicked"),
        "{case}: the binary panicked:\n{}",
        run.stderr
    );
    assert_eq!(run.code, Some(0), "{case}: {}", run.stderr);
    assert!(
        run.elapsed < HANG_GUARD,
        "{case}: {:?} (a hang guard; linear cases take a fraction of it)",
        run.elapsed
    );
    run
}

fn parseable(case: &str, name: &str, text: &str) -> Vec<Parseable> {
    parse_parseable(&run_on(case, name, text, &["--format", "parseable"]).stdout)
}

/// (rule, line, column) of findings.
fn places(found: &[Parseable]) -> Vec<(String, usize, usize)> {
    found
        .iter()
        .map(|f| (f.rule.clone(), f.line, f.col))
        .collect()
}

fn place(rule: &str, line: usize, col: usize) -> (String, usize, usize) {
    (rule.to_string(), line, col)
}

// ------------------------------------------------------------------------------------------------
// Item 1: Fn::Sub with many variables
// ------------------------------------------------------------------------------------------------

/// A template whose one `Fn::Sub` string has `n` distinct undefined variables `${V0}-${V1}-…`.
fn sub_template(n: usize) -> String {
    let body: Vec<String> = (0..n).map(|i| format!("${{V{i}}}")).collect();
    format!(
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '{}'\n",
        body.join("-")
    )
}

/// The column of `${V<i>}` in [`sub_template`]'s line 5.
fn sub_column(i: usize) -> usize {
    let prefix = "      TopicName: !Sub '".len();
    let before: usize = (0..i).map(|k| format!("${{V{k}}}-").len()).sum();
    prefix + before + 1
}

#[test]
fn sub_with_100k_variables_is_linear_and_each_is_placed() {
    let n = 100_000;
    let found = parseable("sub-100k", "t.yaml", &sub_template(n));
    assert_eq!(found.len(), n);
    assert!(found.iter().all(|f| f.rule == "TM005" && f.line == 5));
    for i in [0, 1, 4_999, 99_999] {
        let f = &found[i];
        assert_eq!(
            (f.col, f.end_col),
            (sub_column(i), sub_column(i) + format!("${{V{i}}}").len())
        );
        assert!(f.message.contains(&format!("`${{V{i}}}`")), "{}", f.message);
    }
}

#[test]
fn sub_with_100k_variables_costs_nothing_more_with_the_rule_ignored() {
    let run = run_on(
        "sub-100k-ignored",
        "t.yaml",
        &sub_template(100_000),
        &["--format", "parseable", "--ignore", "TM005"],
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn sub_local_variables_many() {
    // `[string, {V0: a, …}]`: every variable is a local one; no finding.
    let n = 50_000;
    let body: Vec<String> = (0..n).map(|i| format!("${{V{i}}}")).collect();
    let locals: Vec<String> = (0..n).map(|i| format!("V{i}: x")).collect();
    let text = format!(
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub\n        - '{}'\n        - {{{}}}\n",
        body.join("-"),
        locals.join(", ")
    );
    assert_eq!(parseable("sub-locals", "t.yaml", &text), vec![]);
}

#[test]
fn sub_variable_written_twice_is_reported_at_each_place() {
    let text = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '${Missing}-${Missing}'\n";
    let found = parseable("sub-twice", "t.yaml", text);
    assert_eq!(
        places(&found),
        vec![place("TM005", 5, 24), place("TM005", 5, 35)]
    );
}

// ------------------------------------------------------------------------------------------------
// Item 2: one-line (minified) JSON
// ------------------------------------------------------------------------------------------------

/// One line of JSON with `n` resources, each with a `Ref` to an undefined name (TM003) and a
/// `DependsOn` to a missing resource (TM007); names padded with non-ASCII characters so
/// columns (code points) and bytes differ.
fn minified(n: usize) -> String {
    let resources: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#""Topic{i}":{{"Type":"AWS::SNS::Topic","DependsOn":"Missing{i}","Properties":{{"TopicName":{{"Ref":"Undefined{i}"}},"DisplayName":"é漢🦀"}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"AWSTemplateFormatVersion":"2010-09-09","Resources":{{{}}}}}"#,
        resources.join(",")
    )
}

/// (line, column) of the `k`-th occurrence of `needle` in a one-line text, column in code points.
fn column_of(text: &str, needle: &str, k: usize) -> usize {
    let at = text
        .match_indices(needle)
        .nth(k)
        .map_or_else(|| panic!("no {needle} #{k}"), |(i, _)| i);
    text[..at].chars().count() + 1
}

#[test]
fn minified_json_is_linear_in_every_format() {
    let n = 10_000;
    let text = minified(n);
    let found = parseable("minified-parseable", "t.json", &text);
    assert_eq!(found.len(), 2 * n);
    // Sorted by position: for each resource its DependsOn (TM007) comes before its Ref (TM003).
    for i in [0, 1, n / 2, n - 1] {
        let dep = &found[2 * i];
        let r = &found[2 * i + 1];
        assert_eq!(
            (dep.rule.as_str(), dep.line, dep.col),
            ("TM007", 1, column_of(&text, &format!("\"Missing{i}\""), 0))
        );
        assert_eq!(
            (r.rule.as_str(), r.line, r.col),
            (
                "TM003",
                1,
                column_of(&text, &format!("\"Undefined{i}\""), 0)
            )
        );
    }
    for format in ["human", "json", "sarif", "github", "junit"] {
        let run = run_on(
            &format!("minified-{format}"),
            "t.json",
            &text,
            &["--format", format],
        );
        assert!(run.stdout.len() > n, "{format}");
    }
}

#[test]
fn human_on_a_long_line_names_the_place_without_drawing_it() {
    let text = minified(3);
    let run = run_on("minified-human-3", "t.json", &text, &["--format", "human"]);
    let col = column_of(&text, "\"Undefined1\"", 0);
    assert!(
        run.stdout
            .contains(&format!("t.json:1:{col} (line too long to show)")),
        "{}",
        run.stdout
    );
}

// ------------------------------------------------------------------------------------------------
// Item 4: line breaks
// ------------------------------------------------------------------------------------------------

/// A finding after lone-CR and `\r\r\n` line ends has one position in every format: the
/// machine formats and the human renderer both break lines at LF, CRLF and a lone CR, as YAML
/// does.
#[test]
fn lone_cr_and_cr_cr_lf_count_as_yaml_counts() {
    for (case, nl) in [("lone-cr", "\r"), ("cr-cr-lf", "\r\r\n"), ("crlf", "\r\n")] {
        let lines = [
            "Resources:",
            "  Topic:",
            "    Type: AWS::SNS::Topic",
            "    Properties:",
            "      TopicName: !Ref Nowhere",
        ];
        let text = lines.join(nl) + nl;
        let found = parseable(case, "t.yaml", &text);
        // `\r\r\n` is two breaks for YAML: an empty line after each line.
        let line = if nl == "\r\r\n" { 9 } else { 5 };
        assert_eq!(places(&found), vec![place("TM003", line, 23)], "{case}");
        let human = run_on(&format!("{case}-human"), "t.yaml", &text, &[]).stdout;
        assert!(
            human.contains(&format!("[t.yaml:{line}:23]")),
            "{case}: {human}"
        );
        let drawn = format!("{line} │       TopicName: !Ref Nowhere");
        assert!(human.contains(&drawn), "{case}: {human}");
        assert!(!human.contains('\r'), "{case}: a CR reached the terminal");
    }
}

// ------------------------------------------------------------------------------------------------
// Item 3: a long dependency cycle
// ------------------------------------------------------------------------------------------------

/// `n` topics, each depending on the next, the last on the first.
fn cycle_template(n: usize) -> String {
    let mut out = String::from("Resources:\n");
    for i in 0..n {
        out.push_str(&format!(
            "  R{i}:\n    Type: AWS::SNS::Topic\n    DependsOn: R{}\n",
            (i + 1) % n
        ));
    }
    out
}

#[test]
fn cycle_of_10k_resources_names_20_and_keeps_all_in_json() {
    let n = 10_000;
    let text = cycle_template(n);
    let found = parseable("cycle-10k", "t.yaml", &text);
    assert_eq!(places(&found), vec![place("TM006", 2, 3)]);
    let names: Vec<String> = (0..20).map(|i| format!("R{i}")).collect();
    assert_eq!(
        found[0].message,
        format!(
            "circular dependency of {n} resources: {} → … and {} more → R0",
            names.join(" → "),
            n - 20
        )
    );
    // JSON: every edge of the cycle, in order, each at its DependsOn value.
    let json = run_on("cycle-10k-json", "t.yaml", &text, &["--format", "json"]).stdout;
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    let related = doc["findings"][0]["related"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(related.len(), n);
    for i in [0, 1, n - 1] {
        assert_eq!(related[i]["line"], 3 * i + 4);
        assert_eq!(related[i]["column"], 16);
        assert_eq!(
            related[i]["message"],
            format!("`R{i}` depends on the next resource here")
        );
    }
    // Human: the first 20 labels drawn, not the rest.
    let human = run_on("cycle-10k-human", "t.yaml", &text, &[]).stdout;
    assert!(human.contains("`R19` depends on the next resource here"));
    assert!(!human.contains("`R20` depends on the next resource here"));
    for format in ["sarif", "github", "junit"] {
        run_on(
            &format!("cycle-10k-{format}"),
            "t.yaml",
            &text,
            &["--format", format],
        );
    }
}

#[test]
fn short_cycle_message_is_unchanged() {
    let found = parseable("cycle-3", "t.yaml", &cycle_template(3));
    assert_eq!(places(&found), vec![place("TM006", 2, 3)]);
    assert_eq!(found[0].message, "circular dependency: R0 → R1 → R2 → R0");
}

// ------------------------------------------------------------------------------------------------
// Item 8: circular conditions
// ------------------------------------------------------------------------------------------------

#[test]
fn conditions_that_use_each_other_are_a_cycle() {
    let text = "\
Parameters:
  Env: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  A: !And [!Condition IsProd, !Condition B]
  B:
    Fn::Or:
      - Condition: C
      - Fn::Not: [{Condition: A}]
  C: !Not [!Condition B]
  Self: {Condition: Self}
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Condition: A
";
    let found = parseable("conditions-cycle", "t.yaml", text);
    assert_eq!(
        places(&found),
        vec![place("TM006", 5, 3), place("TM006", 11, 3)]
    );
    assert_eq!(
        found[0].message,
        "conditions use each other in a circle: A → B → A; CloudFormation rejects the template"
    );
    assert_eq!(
        found[1].message,
        "conditions use each other in a circle: Self → Self; CloudFormation rejects the template"
    );
    let json = run_on(
        "conditions-cycle-json",
        "t.yaml",
        text,
        &["--format", "json"],
    )
    .stdout;
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    let related = doc["findings"][0]["related"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let at: Vec<(u64, u64)> = related
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap_or(0),
                r["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(at, vec![(5, 42), (9, 31)]);
}

#[test]
fn conditions_without_a_cycle_are_quiet() {
    let text = "\
Parameters:
  Env: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Condition NotProd]
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Condition: Both
";
    assert_eq!(parseable("conditions-dag", "t.yaml", text), vec![]);
}

// ------------------------------------------------------------------------------------------------
// Item 9: Fn::If nested too deep
// ------------------------------------------------------------------------------------------------

/// A property whose value is `depth` `Fn::If` nested in each other's false branch (JSON).
fn nested_if(depth: usize) -> String {
    let mut value = String::from("\"end\"");
    for _ in 0..depth {
        value = format!("{{\"Fn::If\": [\"C\", \"x\", {value}]}}");
    }
    format!(
        "{{\"Parameters\": {{\"Env\": {{\"Type\": \"String\"}}}},\n\"Conditions\": {{\"C\": {{\"Fn::Equals\": [{{\"Ref\": \"Env\"}}, \"prod\"]}}}},\n\"Resources\": {{\"Topic\": {{\"Type\": \"AWS::SNS::Topic\", \"Properties\": {{\"TopicName\":\n{value}}}}}}}}}\n"
    )
}

#[test]
fn fn_if_nested_past_64_is_tm010_at_the_65th() {
    assert_eq!(parseable("if-64", "t.json", &nested_if(64)), vec![]);
    let text = nested_if(65);
    let found = parseable("if-65", "t.json", &text);
    // The 65th `Fn::If` from the outside is the innermost.
    let col = column_of(text.lines().nth(3).unwrap_or_default(), "\"Fn::If\"", 64);
    assert_eq!(places(&found), vec![place("TM010", 4, col)]);
    assert_eq!(
        found[0].message,
        "`Fn::If` nested more than 64 levels deep in the branches of another `Fn::If`: the file is not analysed"
    );
}

#[test]
fn fn_if_short_form_nested_past_64_points_at_the_tag() {
    let mut value = String::from("end");
    for _ in 0..65 {
        value = format!("!If [C, x, {value}]");
    }
    let text = format!(
        "Conditions:\n  C: !Equals [a, b]\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: {value}\n"
    );
    let found = parseable("if-65-yaml", "t.yaml", &text);
    let col = column_of(text.lines().nth(6).unwrap_or_default(), "!If", 64);
    assert_eq!(places(&found), vec![place("TM010", 7, col)]);
}

// ------------------------------------------------------------------------------------------------
// Item 5: block scalars
// ------------------------------------------------------------------------------------------------

#[test]
fn block_scalar_finding_ends_at_its_last_character() {
    let text = "\
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Ref >-
        Missing

      DisplayName: x
";
    let found = parseable("block-scalar", "t.yaml", text);
    assert_eq!(places(&found), vec![place("TM003", 6, 9)]);
    assert_eq!((found[0].end_line, found[0].end_col), (6, 16));
}

// ------------------------------------------------------------------------------------------------
// Item 6: JSON or YAML
// ------------------------------------------------------------------------------------------------

#[test]
fn yaml_flow_mapping_at_the_start_is_read_as_yaml() {
    let text = "{AWSTemplateFormatVersion: '2010-09-09',\n Resources: {Topic: {Type: 'AWS::SNS::Topic',\n   Properties: {TopicName: !Ref Nowhere}}}}\n";
    let found = parseable("yaml-brace", "t.yaml", text);
    assert_eq!(places(&found), vec![place("TM003", 3, 33)]);
}

#[test]
fn broken_json_gets_the_json_error_and_broken_yaml_the_yaml_error() {
    // Written as JSON (a quoted first key), a missing comma: JSON's error.
    let json = "{\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\"} \"X\": 1}}\n";
    let found = parseable("json-broken", "t.json", json);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, "TM001");
    assert!(
        found[0].message.starts_with("JSON syntax error"),
        "{}",
        found[0].message
    );
    // Written as YAML (a bare first key): YAML's error.
    let yaml = "{AWSTemplateFormatVersion: '2010-09-09', Resources: {T: {Type: AWS::SNS::Topic}}\n";
    let found = parseable("yaml-brace-broken", "t.yaml", yaml);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, "TM001");
    assert!(
        found[0].message.starts_with("YAML syntax error"),
        "{}",
        found[0].message
    );
}

#[test]
fn json_lone_surrogate_escape_is_accepted() {
    // `\ud800` alone, `\udc00` alone, a proper pair, and an escaped backslash before `ud800`.
    let text = r#"{"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {
  "DisplayName": "a\ud800b\udc00c\ud834\udd1e\\ud800",
  "TopicName": {"Ref": "Nowhere"}}}}}
"#;
    let found = parseable("json-surrogate", "t.json", text);
    assert_eq!(places(&found), vec![place("TM003", 3, 24)]);
}

/// A template whose one property nests `depth` arrays (JSON).
fn deep_json(depth: usize) -> String {
    format!(
        "{{\"Resources\": {{\"Topic\": {{\"Type\": \"AWS::SNS::Topic\", \"Properties\": {{\"TopicName\": {{\"Ref\": \"Nowhere\"}}, \"Tags\":\n{}{}}}}}}}}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

#[test]
fn json_deeper_than_512_is_analysed_when_max_depth_allows() {
    for depth in [500, 600, 2000] {
        let case = format!("json-deep-{depth}");
        let dir = hostile::scratch(&case);
        common::write_file(&dir, "t.json", deep_json(depth));
        common::write_file(&dir, "deep.yaml", "limits: {max-depth: 4096}\n");
        let run = hostile::run(
            &case,
            &dir,
            &[
                "--config",
                "deep.yaml",
                "--format",
                "parseable",
                "--fail-level",
                "none",
                "t.json",
            ],
            None,
        );
        assert_eq!(run.code, Some(0), "{case}: {}", run.stderr);
        let col = column_of(&deep_json(1), "\"Nowhere\"", 0);
        assert_eq!(
            places(&parse_parseable(&run.stdout)),
            vec![place("TM003", 1, col)],
            "{case}"
        );
    }
    // Under the default max-depth: TM010 at the first bracket too deep.
    let found = parseable("json-deep-default", "t.json", &deep_json(600));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, "TM010");
    assert_eq!((found[0].line, found[0].col), (2, 253));
}

// ------------------------------------------------------------------------------------------------
// Item 7: several YAML documents
// ------------------------------------------------------------------------------------------------

const TEMPLATE_DOC: &str = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref Nowhere\n";

#[test]
fn template_after_an_empty_or_comment_document_is_linted_and_noted() {
    for (case, before) in [
        ("docs-empty", "---\n"),
        ("docs-comment", "---\n# generated, do not edit\n"),
        ("docs-data", "name: settings\n"),
    ] {
        let text = format!("{before}---\n{TEMPLATE_DOC}");
        let found = parseable(case, "t.yaml", &text);
        let start = before.lines().count() + 1;
        assert_eq!(
            places(&found),
            vec![place("TM008", start, 1), place("TM003", start + 5, 23)],
            "{case}"
        );
        assert_eq!(
            found[0].message,
            "the file holds more than one YAML document: CloudFormation reads one template per file; the documents before document 2 are not templates, only document 2 is linted",
            "{case}"
        );
    }
}

#[test]
fn first_document_template_is_linted_and_later_ones_noted() {
    let text = format!("{TEMPLATE_DOC}---\nother: 1\n");
    let found = parseable("docs-first", "t.yaml", &text);
    assert_eq!(
        places(&found),
        vec![place("TM003", 5, 23), place("TM008", 6, 1)]
    );
    assert!(
        found[1]
            .message
            .ends_with("only the first document is linted")
    );
    // A template as the second document, a third after it.
    let text = format!("---\n---\n{TEMPLATE_DOC}---\nother: 1\n");
    let found = parseable("docs-second-of-three", "t.yaml", &text);
    assert_eq!(
        places(&found),
        vec![place("TM003", 7, 23), place("TM008", 8, 1)]
    );
    assert!(
        found[1]
            .message
            .ends_with("only document 2 (the first that is a template) is linted"),
        "{}",
        found[1].message
    );
}
