//! `sarif`: SARIF 2.1.0 (validated against the official schema in the tests), good for GitHub
//! code scanning. Regions are 1-based, columns in Unicode code points.

use serde_json::{Value, json};

use crate::FileReport;
use crate::rules::registry::RULES;
use crate::rules::{RuleMeta, Severity};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative URI reference for a path (RFC 3986): every byte of the UTF-8 text outside the
/// unreserved characters (`A-Z a-z 0-9 - . _ ~`) and `/` percent-encoded (`%20`, `%23`,
/// `%C3%A9`), so a `:` in a first segment, `#`, `?`, `%`, spaces and controls stay part of the
/// path. On Windows a backslash separates folders and is written `/`; elsewhere it is a
/// character of the name (`%5C`).
pub fn uri(path: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'\\' if std::path::MAIN_SEPARATOR == '\\' => out.push('/'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(b));
            }
            b => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xF)]));
            }
        }
    }
    out
}

fn rule_descriptor(r: &RuleMeta, docs_url: Option<&str>) -> Value {
    let mut d = json!({
        "id": r.id,
        "name": r.name,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": format!("{} {}: {}", r.id, r.name, r.summary)},
        "help": {"text": r.help, "markdown": r.doc},
        "defaultConfiguration": {"level": level(r.default_severity())},
    });
    if let Some(base) = docs_url {
        d["helpUri"] = json!(format!("{base}{}", r.id));
    }
    d
}

pub fn render(reports: &[FileReport], docs_url: Option<&str>) -> String {
    let mut results = Vec::new();
    for r in reports {
        for f in &r.findings {
            let (s, e) = r.index.span(&r.source, f.span);
            let index = RULES.iter().position(|m| m.id == f.rule.id).unwrap_or(0);
            let mut result = json!({
                "ruleId": f.rule.id,
                "ruleIndex": index,
                "level": level(f.severity),
                "message": {"text": format!("{} (help: {})", f.message, f.help)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&r.path)},
                        "region": {"startLine": s.line, "startColumn": s.column, "endLine": e.line, "endColumn": e.column}
                    },
                    "logicalLocations": [{
                        "name": f.resource.clone().unwrap_or_else(|| "template".to_string()),
                        "fullyQualifiedName": if f.pointer.is_empty() { "/".to_string() } else { f.pointer.clone() },
                        "kind": "resource"
                    }]
                }]
            });
            if let Some(c) = &f.construct {
                result["properties"] = json!({"construct": c});
            }
            let places = super::related(r, f);
            if !places.is_empty() {
                let related: Vec<Value> = places
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        json!({
                            "id": i + 1,
                            "message": {"text": p.message},
                            "physicalLocation": {
                                "artifactLocation": {"uri": uri(p.path)},
                                "region": {"startLine": p.start.line, "startColumn": p.start.column, "endLine": p.end.line, "endColumn": p.end.column}
                            }
                        })
                    })
                    .collect();
                result["relatedLocations"] = Value::Array(related);
            }
            results.push(result);
        }
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "cfn-cognito-lint",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": RULES.iter().map(|r| rule_descriptor(r, docs_url)).collect::<Vec<_>>()
            }},
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    });
    let mut text = super::to_json_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
