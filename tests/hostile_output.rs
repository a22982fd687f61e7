//! Hostile input against the reports and the config (issue 12): control characters, XML's
//! forbidden characters and odd file names in every output format, SARIF URIs, config values
//! and structure, and a suppression beside a YAML alias. Exact output, through the binary.

mod common;

use std::path::Path;

use common::hostile::{Run, run, scratch};

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", p.display()));
}

/// The binary in `dir` with `args`, which must end with `code`.
fn lint(case: &str, dir: &Path, args: &[&str], code: i32) -> Run {
    let out = run(case, dir, args, None);
    assert_eq!(out.code, Some(code), "{case}: {out:?}");
    out
}

/// A character a terminal acts on: C0 controls (but tab and newline), DEL, C1 controls,
/// bidirectional controls.
fn acts_on_terminal(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn assert_terminal_safe(case: &str, text: &str) {
    let bad: Vec<String> = text
        .chars()
        .filter(|c| acts_on_terminal(*c))
        .map(|c| format!("{c:?}"))
        .collect();
    assert!(
        bad.is_empty(),
        "{case}: {bad:?} reach the terminal:\n{text}"
    );
}

/// A template whose only finding (TM003) quotes a `Ref` target holding the characters under
/// test: ESC, CR, a C1 CSI and a right-to-left override, written as YAML escapes; a raw
/// right-to-left override in a comment of the same line.
const CONTROLS_YAML: &str = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref \"x\\e[2J\\ry\\u009b\\u202e\"  # \u{202e} note\n";

/// A file name with an escape sequence, a carriage return and a newline.
const HOSTILE_NAME: &str = "a\u{1b}[31mb\rc\nd.yaml";

// ------------------------------------------------------------------------------------------------
// human
// ------------------------------------------------------------------------------------------------

#[test]
fn human_escapes_controls_in_messages_file_names_and_snippets() {
    let dir = scratch("human-controls");
    write(&dir, HOSTILE_NAME, CONTROLS_YAML);
    let out = lint("human-controls", &dir, &[HOSTILE_NAME], 1);
    assert_terminal_safe("human-controls", &out.stdout);
    let expected = concat!(
        "TM003 undefined-ref\n",
        "\n",
        "  × `Ref` to `x\\x1b[2J\\ry\\u{9b}\\u{202e}`, which is neither a parameter, a resource nor a pseudo\n",
        "  │ parameter\n",
        "   ╭─[a\\x1b[31mb\\rc\\nd.yaml:5:23]\n",
        " 4 │     Properties:\n",
        " 5 │       TopicName: !Ref \"x\\e[2J\\ry\\u009b\\u202e\"  # \u{fffd} note\n",
        "   ·                       ───────────┬───────────\n",
        "   ·                                  ╰── error\n",
        "   ╰────\n",
        "  help: define the parameter or resource, or fix the name\n",
        "\n",
        "1 error, 0 warnings, 0 infos in 1 file\n",
    );
    assert_eq!(out.stdout, expected);
}

/// Characters written raw in the file (YAML refuses ESC: a TM001 whose snippet shows it; JSON
/// takes a lone CR as white space) are drawn as visible characters of the same length, so the
/// underline and the line number stay right (miette would take the lone CR as a line break).
#[test]
fn human_snippets_show_raw_controls_visibly() {
    let dir = scratch("human-raw");
    write(
        &dir,
        "esc.yaml",
        "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: \u{1b}[2J\n",
    );
    write(
        &dir,
        "cr.json",
        "{\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\",\r\"Properties\": {\"TopicName\": {\"Ref\": \"nope\"}}}}}\n",
    );
    let out = lint("human-raw", &dir, &["cr.json", "esc.yaml"], 1);
    assert_terminal_safe("human-raw", &out.stdout);
    let expected = concat!(
        "TM003 undefined-ref\n",
        "\n",
        "  × `Ref` to `nope`, which is neither a parameter, a resource nor a pseudo parameter\n",
        // A lone carriage return is a line break (YAML's LF, CRLF, CR), as in every format.
        "   ╭─[cr.json:2:37]\n",
        " 1 │ {\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\",\n",
        " 2 │ \"Properties\": {\"TopicName\": {\"Ref\": \"nope\"}}}}}\n",
        "   ·                                     ───┬──\n",
        "   ·                                        ╰── error\n",
        "   ╰────\n",
        "  help: define the parameter or resource, or fix the name\n",
        "\n",
        "TM001 unparsable-template\n",
        "\n",
        "  × YAML syntax error: unexpected character: `\\u{1b}'\n",
        "   ╭─[esc.yaml:5:18]\n",
        " 4 │     Properties:\n",
        " 5 │       TopicName: ?[2J\n",
        "   ·                  ┬\n",
        "   ·                  ╰── error\n",
        "   ╰────\n",
        "  help: fix the syntax at the position shown; CloudFormation rejects the whole template\n",
        "\n",
        "2 errors, 0 warnings, 0 infos in 2 files\n",
    );
    assert_eq!(out.stdout, expected);
}

// ------------------------------------------------------------------------------------------------
// parseable, github, json
// ------------------------------------------------------------------------------------------------

#[test]
fn parseable_keeps_one_line_per_finding() {
    let dir = scratch("parseable-controls");
    write(&dir, HOSTILE_NAME, CONTROLS_YAML);
    let out = lint(
        "parseable-controls",
        &dir,
        &["-f", "parseable", HOSTILE_NAME],
        1,
    );
    assert_terminal_safe("parseable-controls", &out.stdout);
    assert_eq!(
        out.stdout,
        "a\\x1b[31mb\\rc\\nd.yaml:5:23:5:46:TM003:error:`Ref` to `x\\x1b[2J\\ry\\u{9b}\\u{202e}`, which is neither a parameter, a resource nor a pseudo parameter\n"
    );
    let found = common::parse_parseable(&out.stdout);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].file, "a\\x1b[31mb\\rc\\nd.yaml");
}

/// GitHub's own escaping (`%25`, `%0D`, `%0A`; `%3A` and `%2C` in properties), and the other
/// controls written visibly.
#[test]
fn github_annotations_escape_as_github_documents() {
    let dir = scratch("github-controls");
    let name = "a\u{1b}[31mb\rc\nd%e:f,g.yaml";
    write(&dir, name, CONTROLS_YAML);
    let out = lint("github-controls", &dir, &["-f", "github", name], 1);
    assert_terminal_safe("github-controls", &out.stdout);
    assert_eq!(
        out.stdout,
        "::error file=a\\x1b[31mb%0Dc%0Ad%25e%3Af%2Cg.yaml,line=5,col=23,endLine=5,endColumn=46,title=TM003 undefined-ref::`Ref` to `x\\x1b[2J%0Dy\\u{9b}\\u{202e}`, which is neither a parameter, a resource nor a pseudo parameter (define the parameter or resource, or fix the name)\n"
    );
}

/// JSON keeps the data exact: C0 controls escaped by serde_json, and DEL, C1 and
/// bidirectional controls (which JSON lets through raw) escaped as `\u` too.
#[test]
fn json_escapes_what_a_terminal_acts_on_and_keeps_the_data() {
    let dir = scratch("json-controls");
    write(&dir, HOSTILE_NAME, CONTROLS_YAML);
    let out = lint("json-controls", &dir, &["-f", "json", HOSTILE_NAME], 1);
    assert_terminal_safe("json-controls", &out.stdout);
    assert!(
        out.stdout.contains(
            "\"message\": \"`Ref` to `x\\u001b[2J\\ry\\u009b\\u202e`, which is neither a parameter, a resource nor a pseudo parameter\","
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("\"file\": \"a\\u001b[31mb\\rc\\nd.yaml\","),
        "{}",
        out.stdout
    );
    let doc: serde_json::Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(
        doc["findings"][0]["message"],
        "`Ref` to `x\u{1b}[2J\ry\u{9b}\u{202e}`, which is neither a parameter, a resource nor a pseudo parameter"
    );
    assert_eq!(doc["findings"][0]["file"], HOSTILE_NAME);
}

// ------------------------------------------------------------------------------------------------
// junit
// ------------------------------------------------------------------------------------------------

/// Whether XML 1.0's `Char` production admits `c`.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// Decodes the references of attribute values and text: the five named entities and
/// numeric references to allowed characters; anything else is an error.
fn xml_decode(s: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find(['&', '<']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('<') {
            return Err(format!("`<` in text: {s}"));
        }
        let end = rest
            .find(';')
            .ok_or_else(|| format!("unterminated reference: {s}"))?;
        let name = &rest[1..end];
        let c = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            n => {
                let code = if let Some(hex) = n.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else {
                    n.strip_prefix('#').and_then(|d| d.parse().ok())
                };
                code.and_then(char::from_u32)
                    .filter(|c| xml_char(*c))
                    .ok_or_else(|| format!("bad reference `&{n};`"))?
            }
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// An element: name, attributes (decoded), children, text (decoded).
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
}

/// A strict reader for the XML the JUnit report writes (declaration, elements, attributes in
/// double quotes, text, references): every character must be one XML 1.0 allows, every tag
/// closed in order, every reference known. Returns the root element.
fn parse_xml(doc: &str) -> Result<Element, String> {
    if let Some(c) = doc.chars().find(|c| !xml_char(*c)) {
        return Err(format!("character {c:?} is not allowed in XML 1.0"));
    }
    let mut rest = doc
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        .ok_or("no XML declaration")?;
    let mut stack: Vec<Element> = vec![Element::default()];
    while !rest.is_empty() {
        let lt = rest.find('<').unwrap_or(rest.len());
        let text = xml_decode(&rest[..lt])?;
        if let Some(top) = stack.last_mut() {
            top.text.push_str(&text);
        }
        rest = &rest[lt..];
        if rest.is_empty() {
            break;
        }
        let gt = rest.find('>').ok_or("unterminated tag")?;
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let done = stack.pop().ok_or("unbalanced")?;
            if done.name != name {
                return Err(format!("</{name}> closes <{}>", done.name));
            }
            stack
                .last_mut()
                .ok_or("closed the document")?
                .children
                .push(done);
            continue;
        }
        let (tag, empty) = match tag.strip_suffix('/') {
            Some(t) => (t, true),
            None => (tag, false),
        };
        let name_end = tag.find(' ').unwrap_or(tag.len());
        let mut el = Element {
            name: tag[..name_end].to_string(),
            ..Element::default()
        };
        let mut attrs = tag[name_end..].trim_start();
        while !attrs.is_empty() {
            let eq = attrs
                .find("=\"")
                .ok_or_else(|| format!("bad attribute in <{tag}>"))?;
            let key = attrs[..eq].to_string();
            let after = &attrs[eq + 2..];
            let close = after.find('"').ok_or("unterminated attribute")?;
            el.attrs.push((key, xml_decode(&after[..close])?));
            attrs = after[close + 1..].trim_start();
        }
        if empty {
            stack.last_mut().ok_or("no parent")?.children.push(el);
        } else {
            stack.push(el);
        }
    }
    let mut doc = stack.pop().ok_or("no document")?;
    if !stack.is_empty() {
        return Err("unclosed element".to_string());
    }
    if doc.children.len() != 1 || !doc.text.trim().is_empty() {
        return Err("not one root element".to_string());
    }
    doc.children.pop().ok_or_else(|| "no root".to_string())
}

#[test]
fn the_xml_reader_rejects_what_xml_forbids() {
    let ok = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x=\"1&#10;&amp;\"><b/>t</a>\n";
    let root = parse_xml(ok).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(root.attrs, vec![("x".to_string(), "1\n&".to_string())]);
    for bad in [
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x=\"\u{ffff}\"/>\n",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>\u{1b}</a>\n",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>&#27;</a>\n",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>&</a>\n",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a><b></a>\n",
    ] {
        assert!(parse_xml(bad).is_err(), "{bad:?}");
    }
}

/// U+FFFF, U+FFFE, ESC, form feed and NUL from a template (JSON `\u` escapes), and a file name
/// with an escape, CR and newline: the JUnit report is still XML, with the forbidden
/// characters written visibly and CR, LF, tab as references a parser keeps.
#[test]
fn junit_is_xml_whatever_the_template_holds() {
    let dir = scratch("junit-xml");
    let name = "j\u{1b}[1m\r\n.json";
    write(
        &dir,
        name,
        "{\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\", \"Properties\": {\"TopicName\": {\"Ref\": \"a\\uffff\\ufffe\\u001b[2J\\u000c\\u0000\\r\\n\\t<&\\\"'>b\"}}}}}\n",
    );
    let out = lint(
        "junit-xml",
        &dir,
        &["-f", "junit", "--select", "TM003", name],
        1,
    );
    let expected = concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<testsuites name=\"cfn-cognito-lint\" tests=\"1\" failures=\"1\">\n",
        "  <testsuite name=\"j\\x1b[1m&#13;&#10;.json\" tests=\"1\" failures=\"1\">\n",
        "    <testcase name=\"TM003 undefined-ref\" classname=\"j\\x1b[1m&#13;&#10;.json\">\n",
        "      <failure type=\"error\" message=\"`Ref` to `a\\u{ffff}\\u{fffe}\\x1b[2J\\x0c\\x00&#13;&#10;&#9;&lt;&amp;&quot;&apos;&gt;b`, which is neither a parameter, a resource nor a pseudo parameter\">j\\x1b[1m&#13;&#10;.json:1:85: define the parameter or resource, or fix the name</failure>\n",
        "    </testcase>\n",
        "  </testsuite>\n",
        "</testsuites>\n",
    );
    assert_eq!(out.stdout, expected);
    let root = parse_xml(&out.stdout).unwrap_or_else(|e| panic!("not XML: {e}"));
    let suite = &root.children[0];
    assert_eq!(
        suite.attrs[0],
        ("name".to_string(), "j\\x1b[1m\r\n.json".to_string())
    );
    let failure = &suite.children[0].children[0];
    assert_eq!(failure.name, "failure");
    assert_eq!(
        failure.attrs[1].1,
        "`Ref` to `a\\u{ffff}\\u{fffe}\\x1b[2J\\x0c\\x00\r\n\t<&\"'>b`, which is neither a parameter, a resource nor a pseudo parameter"
    );
}

// ------------------------------------------------------------------------------------------------
// sarif
// ------------------------------------------------------------------------------------------------

/// RFC 3986 `URI-reference`, as far as characters go: unreserved, reserved and `%HH`
/// only, and (a relative reference) no `:` before the first `/` unless a scheme is there.
fn is_uri_reference(s: &str) -> bool {
    let bytes = s.as_bytes();
    let chars_ok = bytes.iter().enumerate().all(|(i, &b)| match b {
        b'%' => {
            bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
        }
        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => true,
        b'-' | b'.' | b'_' | b'~' => true,
        b':' | b'/' | b'?' | b'#' | b'[' | b']' | b'@' => true,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' => true,
        _ => false,
    });
    let first = s.split(['/', '?', '#']).next().unwrap_or_default();
    let scheme = first.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    chars_ok && (scheme || !first.contains(':'))
}

/// A percent-encoded path decoded (`%20` → space), as bytes read as UTF-8.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = s
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn the_uri_check_refuses_what_rfc_3986_refuses() {
    for ok in [
        "a/b.yaml",
        "a%20b",
        "%C3%A9/x",
        "x%3Ay",
        "https://example.org/a?b#c",
    ] {
        assert!(is_uri_reference(ok), "{ok}");
    }
    for bad in ["a b", "é", "50%", "%zz", "1x:y/z", "a\\b"] {
        assert!(!is_uri_reference(bad), "{bad}");
    }
}

/// The SARIF validator of `../shared/schemas/sarif-2.1.0.json`, when it is there. The schema
/// is draft 4, which has no `uri-reference` format (the validator would skip it): that format
/// is checked with [`is_uri_reference`].
fn sarif_validator() -> Option<jsonschema::Validator> {
    let Some(shared) = common::shared() else {
        eprintln!("skipped schema validation: ../shared/schemas/sarif-2.1.0.json is absent");
        return None;
    };
    let text = std::fs::read_to_string(shared.join("schemas/sarif-2.1.0.json"))
        .unwrap_or_else(|e| panic!("schema: {e}"));
    let schema: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("schema: {e}"));
    Some(
        jsonschema::options()
            .should_validate_formats(true)
            .with_format("uri-reference", is_uri_reference)
            .build(&schema)
            .unwrap_or_else(|e| panic!("schema: {e}")),
    )
}

#[test]
fn sarif_uris_are_percent_encoded() {
    use cfn_cognito_lint::report::sarif::uri;
    assert_eq!(uri("a b#c%d?e.yaml"), "a%20b%23c%25d%3Fe.yaml");
    assert_eq!(uri("é/漢 字.yaml"), "%C3%A9/%E6%BC%A2%20%E5%AD%97.yaml");
    assert_eq!(
        uri("x:y/[z]@!$&'()*+,;=.json"),
        "x%3Ay/%5Bz%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D.json"
    );
    assert_eq!(uri("A-z_0.9~/x"), "A-z_0.9~/x");
    assert_eq!(uri("n\nl\u{1b}.yaml"), "n%0Al%1B.yaml");
    let backslash = if std::path::MAIN_SEPARATOR == '\\' {
        "a/b.yaml"
    } else {
        "a%5Cb.yaml"
    };
    assert_eq!(uri("a\\b.yaml"), backslash);
}

/// Files whose names hold a space, `#`, `%`, `?`, `:` and non-ASCII letters, linted through
/// the binary: each result's URI is the encoded path, and the report is valid SARIF.
#[test]
fn sarif_with_odd_file_names_is_valid() {
    let dir = scratch("sarif-uris");
    let names = ["a b#c%d?e.yaml", "x:y.yaml", "é/漢 字.yaml"];
    let template = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref Nope\n";
    for name in names {
        if let Some(parent) = dir.join(name).parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        write(&dir, name, template);
    }
    let out = lint("sarif-uris", &dir, &["-f", "sarif", "."], 1);
    let doc: serde_json::Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"));
    let uris: Vec<&str> = doc["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert_eq!(
        uris,
        [
            "a%20b%23c%25d%3Fe.yaml",
            "x%3Ay.yaml",
            "%C3%A9/%E6%BC%A2%20%E5%AD%97.yaml"
        ]
    );
    let Some(validator) = sarif_validator() else {
        return;
    };
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF invalid: {errors:?}");
    for (uri, name) in uris.iter().zip(names) {
        assert_eq!(percent_decode(uri), name);
    }
    // The schema's `uri-reference` format is checked: the path as it is written is refused.
    let mut raw = doc.clone();
    raw["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        serde_json::json!("a b#c%d?e.yaml");
    assert!(
        validator.iter_errors(&raw).next().is_some(),
        "format not checked"
    );
}

// ------------------------------------------------------------------------------------------------
// config
// ------------------------------------------------------------------------------------------------

/// Each config and the one error it gives (exit 2), after `cfn-cognito-lint: PATH:`.
#[test]
fn config_rejects_fractions_negatives_duplicate_keys_and_second_documents() {
    let dir = scratch("config-errors");
    write(
        &dir,
        "stack.yaml",
        "Resources:\n  T:\n    Type: AWS::SNS::Topic\n",
    );
    let cases = [
        (
            "limits:\n  max-depth: 1.9\n",
            "2:14: max-depth must be a whole number between 1 and 4096, not `1.9`",
        ),
        (
            "limits:\n  max-depth: -3\n",
            "2:14: max-depth must be a whole number between 1 and 4096, not `-3`",
        ),
        (
            "limits:\n  max-depth: 0\n",
            "2:14: max-depth must be between 1 and 4096, not `0`",
        ),
        (
            "limits:\n  max-depth: 99999999999999999999999\n",
            "2:14: max-depth must be between 1 and 4096, not `99999999999999999999999`",
        ),
        (
            "limits:\n  max-depth: [3]\n",
            "2:14: max-depth must be a whole number between 1 and 4096",
        ),
        (
            "rules:\n  UP002:\n    min-length: 7.5\n",
            "3:17: min-length must be a whole number, not `7.5`",
        ),
        (
            "rules:\n  UP002:\n    min-length: -8\n",
            "3:17: min-length must be a whole number, not `-8`",
        ),
        (
            "rules:\n  UC002:\n    max-days: -1\n",
            "3:15: max-days must be a non-negative number",
        ),
        (
            "ignore: [UP003]\nfail-level: error\nignore: [UP004]\n",
            "3:1: duplicate key `ignore` (first written at line 1, column 1): a config key is written once",
        ),
        (
            "limits: {max-depth: 3, max-depth: 4}\n",
            "1:24: duplicate key `max-depth` (first written at line 1, column 10): a config key is written once",
        ),
        (
            "{\"ignore\": [\"UP003\"], \"ignore\": []}\n",
            "1:23: duplicate key `ignore` (first written at line 1, column 2): a config key is written once",
        ),
        (
            "ignore: [UP003]\n---\nignore: [UP004]\n",
            "2:1: a second YAML document starts here: a config file holds one document",
        ),
        (
            "ignore: [UP003]\nignore: [UP004]\n---\nfail-level: none\n",
            "2:1: duplicate key `ignore` (first written at line 1, column 1): a config key is written once\ncfn-cognito-lint: CONFIG:3:1: a second YAML document starts here: a config file holds one document",
        ),
        (
            "select: [TR]\n\"unknown\\e[2J\": 1\n",
            "2:1: unknown key `unknown\\x1b[2J` (select, ignore, severity, fail-level, exclude, rules, limits, docs-url, stacks)",
        ),
    ];
    for (config, expected) in cases {
        write(&dir, ".cfn-cognito-lint.yaml", config);
        let out = lint("config-errors", &dir, &["stack.yaml"], 2);
        let path = dir.join(".cfn-cognito-lint.yaml").display().to_string();
        let expected = expected.replace("CONFIG", &path);
        assert_eq!(
            out.stderr,
            format!("cfn-cognito-lint: {path}:{expected}\n"),
            "{config}"
        );
        assert_eq!(out.stdout, "", "{config}");
    }
    // What stays accepted: whole numbers (quoted too), an explicit document start and end,
    // aliases.
    for config in [
        "limits:\n  max-depth: 12\n",
        "limits:\n  max-depth: '12'\n",
        "limits:\n  max-depth: +12\n",
        "rules:\n  UP002:\n    min-length: 10\n  UC002:\n    max-days: 7.5\n",
        "---\nignore: [UP003]\n...\n",
        "ignore: &off [UP003]\nselect: [TM, UP]\n",
    ] {
        write(&dir, ".cfn-cognito-lint.yaml", config);
        let out = lint("config-accepted", &dir, &["-q", "stack.yaml"], 0);
        assert_eq!(
            (out.stdout.as_str(), out.stderr.as_str()),
            ("", ""),
            "{config}"
        );
    }
}

// ------------------------------------------------------------------------------------------------
// suppression beside an alias
// ------------------------------------------------------------------------------------------------

/// A trust policy anchored in `ReaderRole` and repeated by alias in `EditorRole`, with a
/// suppression of TR001 on one of them.
fn aliased_trust(suppressed_in: &str) -> String {
    let meta = "    Metadata:\n      cfn-cognito-lint:\n        ignore:\n          - rule: TR001\n            reason: reviewed\n";
    let (reader, editor) = if suppressed_in == "ReaderRole" {
        (meta, "")
    } else {
        ("", meta)
    };
    format!(
        "AWSTemplateFormatVersion: '2010-09-09'
Resources:
  IdentityPool:
    Type: AWS::Cognito::IdentityPool
    Properties:
      AllowUnauthenticatedIdentities: false
  ReaderRole:
    Type: AWS::IAM::Role
{reader}    Properties:
      AssumeRolePolicyDocument: &trust
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              Federated: cognito-identity.amazonaws.com
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              ForAnyValue:StringLike:
                cognito-identity.amazonaws.com:amr: authenticated
  EditorRole:
    Type: AWS::IAM::Role
{editor}    Properties:
      AssumeRolePolicyDocument: *trust
  IdentityPoolRoles:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref IdentityPool
      Roles:
        authenticated: !GetAtt ReaderRole.Arn
      RoleMappings:
        userpool:
          Type: Rules
          AmbiguousRoleResolution: Deny
          IdentityProvider: cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123:1example23456789
          RulesConfiguration:
            Rules:
              - Claim: cognito:groups
                MatchType: Equals
                Value: editors
                RoleARN: !GetAtt EditorRole.Arn
"
    )
}

/// A suppression on the resource that holds the anchor removes only that resource's finding:
/// the finding of the resource that repeats it by alias stays, named after that resource, at
/// the alias; and the reverse.
#[test]
fn a_suppression_beside_an_alias_keeps_the_other_resources_finding() {
    let settings = cfn_cognito_lint::rules::Settings::default;
    let r = common::lint_text("alias.yaml", &aliased_trust("ReaderRole"), settings());
    assert_eq!(
        common::rule_resource_lines(&r),
        [
            ("TM008".to_string(), "EditorRole".to_string(), 28),
            ("TR001".to_string(), "EditorRole".to_string(), 28)
        ],
        "{}",
        common::human(&r)
    );
    let r = common::lint_text("alias.yaml", &aliased_trust("EditorRole"), settings());
    assert_eq!(
        common::rule_resource_lines(&r),
        [
            ("TR001".to_string(), "ReaderRole".to_string(), 17),
            ("TM008".to_string(), "EditorRole".to_string(), 28)
        ],
        "{}",
        common::human(&r)
    );
}

/// Every character a terminal acts on has a visible escape, and nothing else is touched.
#[test]
fn escape_controls_writes_each_hidden_character_visibly() {
    use cfn_cognito_lint::report::escape_controls;
    assert_eq!(
        escape_controls("a\u{0}\u{7}\t\n\r\u{1b}\u{7f}\u{85}\u{9b}\u{202e}\u{2066}é漢\u{ffff}"),
        "a\\x00\\x07\t\\n\\r\\x1b\\x7f\\u{85}\\u{9b}\\u{202e}\\u{2066}é漢\u{ffff}"
    );
    for c in (0..=0x2100u32).filter_map(char::from_u32) {
        let shown = escape_controls(&c.to_string()).into_owned();
        assert!(!shown.chars().any(acts_on_terminal), "{c:?} → {shown:?}");
    }
}
