//! `sarif`: SARIF 2.1.0 (validated against the official schema in the tests), good for GitHub
//! code scanning. Regions are 1-based, columns in Unicode code points.
//!
//! The log is written by serde straight from borrowed structs: each result is built, written
//! and dropped in turn (no `serde_json::Value` tree of the whole report), so memory grows with
//! the output text only.

use std::collections::HashMap;
use std::io;

use serde::{Serialize, Serializer};

use crate::FileReport;
use crate::paths::{self, Anchor, Style};
use crate::rules::registry::RULES;
use crate::rules::{Finding, RuleMeta, Severity};

/// The base the artifact URIs are relative to (CLI.md): the repository root when run inside a
/// git work tree, the working directory otherwise.
const SRCROOT: &str = "%SRCROOT%";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A URI reference for a report path, in the host's path style (see [`crate::paths::uri`]):
/// relative paths are relative references with every name percent-encoded, absolute ones
/// `file:` URIs.
pub fn uri(path: &str) -> String {
    paths::uri(path, Style::HOST)
}

/// The artifact location of a report path: relative to `%SRCROOT%` when it lies under it; a
/// path outside (`../x.yaml`, an absolute path elsewhere) is written as given, without a
/// base.
fn locate(anchor: &Anchor, path: &str) -> Artifact {
    match anchor.relative(path) {
        Some(rel) => Artifact {
            uri: paths::uri(&rel, anchor.style()),
            uri_base_id: Some(SRCROOT),
        },
        None => Artifact {
            uri: paths::uri(path, anchor.style()),
            uri_base_id: None,
        },
    }
}

/// The hash behind a finding's `partialFingerprints` value: the rule, the file (its URI under
/// `%SRCROOT%`), the resource, the JSON pointer and the message with its digits left out (a
/// parser message may name a line). No line or column goes in, so inserting lines above a
/// finding does not change it.
fn fingerprint_hash(f: &Finding, file: &str) -> u64 {
    let mut h = super::Fnv::new();
    h.field(f.rule.id);
    h.field(file);
    h.field(f.resource.as_deref().unwrap_or(""));
    h.field(&f.pointer);
    let text: String = f.message.chars().filter(|c| !c.is_ascii_digit()).collect();
    h.field(&text);
    h.0
}

/// The `partialFingerprints` value: the hash, and for the second and later of the results of
/// a file with the same hash (`${X}-${X}`: two findings of one rule at one pointer with one
/// message) their occurrence in report order, `:2`, `:3`, …, since GitHub expects the
/// fingerprints of distinct results to differ.
fn fingerprint(hash: u64, occurrence: u32) -> String {
    if occurrence <= 1 {
        format!("{hash:016x}")
    } else {
        format!("{hash:016x}:{occurrence}")
    }
}

/// `properties.security-severity` of a rule (CLI.md): 9.0 when a tier that exposes the account
/// to anyone (guests, open sign-up) is an error, else by the rule's highest severity.
fn security_severity(r: &RuleMeta) -> &'static str {
    let exposed = r
        .tiers
        .iter()
        .any(|(tier, s)| matches!(*tier, "guest" | "open-sign-up") && *s == Severity::Error);
    if exposed {
        return "9.0";
    }
    match r.default_severity() {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    }
}

/// The CWE of a rule, where one plainly fits (GitHub's `external/cwe/cwe-N` tag form).
fn cwe(id: &str) -> Option<&'static str> {
    Some(match id {
        "TR001" | "TR002" | "TR003" | "IP001" | "IP009" => "external/cwe/cwe-284",
        "PM001" | "PM002" => "external/cwe/cwe-732",
        "PM008" => "external/cwe/cwe-269",
        "UP002" => "external/cwe/cwe-521",
        "UP003" => "external/cwe/cwe-308",
        "UC003" => "external/cwe/cwe-204",
        "UC007" => "external/cwe/cwe-319",
        "IP008" => "external/cwe/cwe-639",
        _ => return None,
    })
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    original_uri_base_ids: BaseIds,
    column_kind: &'static str,
    results: Results<'a>,
}

#[derive(Serialize)]
struct BaseIds {
    #[serde(rename = "%SRCROOT%")]
    srcroot: BaseDescription,
}

/// No absolute `uri`: the report stays the same on every machine; the consumer (GitHub's
/// upload) resolves `%SRCROOT%` to its checkout.
#[derive(Serialize)]
struct BaseDescription {
    description: Text<&'static str>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
struct Driver {
    name: &'static str,
    version: &'static str,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
struct Text<T> {
    text: T,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text<&'static str>,
    full_description: Text<String>,
    help: Help,
    default_configuration: Level,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Help {
    text: &'static str,
    markdown: &'static str,
}

#[derive(Serialize)]
struct Level {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

fn descriptor(r: &RuleMeta, docs_url: Option<&str>) -> Descriptor {
    let mut tags = vec!["security", r.family()];
    tags.extend(cwe(r.id));
    Descriptor {
        id: r.id,
        name: r.name,
        short_description: Text { text: r.summary },
        full_description: Text {
            text: format!("{} {}: {}", r.id, r.name, r.summary),
        },
        help: Help {
            text: r.help,
            markdown: r.doc,
        },
        default_configuration: Level {
            level: level(r.default_severity()),
        },
        help_uri: docs_url.map(|base| format!("{base}{}", r.id)),
        properties: RuleProperties {
            tags,
            security_severity: security_severity(r),
        },
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Artifact {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: Artifact,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Logical<'a> {
    name: &'a str,
    fully_qualified_name: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: Physical,
    logical_locations: [Logical<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation<'a> {
    id: usize,
    message: Text<&'a str>,
    physical_location: Physical,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "cfnCognitoLint/v1")]
    v1: String,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    construct: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text<String>,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation<'a>>,
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties<'a>>,
}

/// A finding's result; `seen`: how many results of its file have had each fingerprint hash
/// so far.
fn result<'a>(
    r: &'a FileReport,
    f: &'a Finding,
    base: &Anchor,
    seen: &mut HashMap<u64, u32>,
) -> SarifResult<'a> {
    let (s, e) = r.index.span(&r.source, f.span);
    let artifact = locate(base, &r.path);
    let hash = fingerprint_hash(f, &artifact.uri);
    let occurrence = seen.entry(hash).or_insert(0);
    *occurrence += 1;
    let partial_fingerprints = Fingerprints {
        v1: fingerprint(hash, *occurrence),
    };
    let related_locations = super::related(r, f)
        .into_iter()
        .enumerate()
        .map(|(i, p)| RelatedLocation {
            id: i + 1,
            message: Text { text: p.message },
            physical_location: Physical {
                artifact_location: locate(base, p.path),
                region: Region {
                    start_line: p.start.line,
                    start_column: p.start.column,
                    end_line: p.end.line,
                    end_column: p.end.column,
                },
            },
        })
        .collect();
    SarifResult {
        rule_id: f.rule.id,
        rule_index: RULES.iter().position(|m| m.id == f.rule.id).unwrap_or(0),
        level: level(f.severity),
        message: Text {
            text: format!("{} (help: {})", f.message, f.help),
        },
        locations: [Location {
            physical_location: Physical {
                artifact_location: artifact,
                region: Region {
                    start_line: s.line,
                    start_column: s.column,
                    end_line: e.line,
                    end_column: e.column,
                },
            },
            logical_locations: [Logical {
                name: f.resource.as_deref().unwrap_or("template"),
                fully_qualified_name: if f.pointer.is_empty() {
                    "/"
                } else {
                    &f.pointer
                },
                kind: "resource",
            }],
        }],
        related_locations,
        partial_fingerprints,
        properties: f
            .construct
            .as_deref()
            .map(|construct| ResultProperties { construct }),
    }
}

/// The results, serialized one at a time as the sequence is written.
struct Results<'a> {
    reports: &'a [FileReport],
    base: &'a Anchor,
}

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let base = self.base;
        s.collect_seq(self.reports.iter().flat_map(|r| {
            let mut seen = HashMap::new();
            r.findings
                .iter()
                .map(move |f| result(r, f, base, &mut seen))
        }))
    }
}

/// The log as text (see [`write`]).
pub fn render(reports: &[FileReport], docs_url: Option<&str>) -> String {
    let mut out = Vec::with_capacity(4096);
    // Writing to a vector fails only if serializing does, which these structs never do.
    let _ = write(reports, docs_url, &mut out);
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Writes the log to `w` as it is serialized: no copy of the whole text is held in memory
/// (200,000 findings make about 220 MB of SARIF).
pub fn write<W: io::Write>(reports: &[FileReport], docs_url: Option<&str>, w: W) -> io::Result<()> {
    let base = Anchor::work_tree_or_cwd();
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "cfn-cognito-lint",
                    version: env!("CARGO_PKG_VERSION"),
                    rules: RULES.iter().map(|r| descriptor(r, docs_url)).collect(),
                },
            },
            original_uri_base_ids: BaseIds {
                srcroot: BaseDescription {
                    description: Text {
                        text: "The root of the git work tree the linter ran in, or its working directory outside one",
                    },
                },
            },
            column_kind: "unicodeCodePoints",
            results: Results {
                reports,
                base: &base,
            },
        }],
    };
    let mut w = w;
    super::write_json_pretty(&log, &mut w)?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Artifact locations of Windows paths (checked on every system through the Windows
    /// style): under the root relative to `%SRCROOT%` with `/`, elsewhere a `file:` URI.
    #[test]
    fn artifact_locations_of_windows_paths() {
        let anchor = Anchor::new(Some(r"C:\repo"), r"C:\repo\infra", Style::Windows);
        let at = |path: &str| {
            let a = locate(&anchor, path);
            (a.uri, a.uri_base_id)
        };
        assert_eq!(
            at(r"stacks\auth stack.yaml"),
            ("infra/stacks/auth%20stack.yaml".to_string(), Some(SRCROOT))
        );
        assert_eq!(
            at(r"C:\repo\stack.yaml"),
            ("stack.yaml".to_string(), Some(SRCROOT))
        );
        assert_eq!(
            at(r"c:/REPO/x#1.yaml"),
            ("x%231.yaml".to_string(), Some(SRCROOT))
        );
        assert_eq!(
            at(r"D:\other\stack.yaml"),
            ("file:///D:/other/stack.yaml".to_string(), None)
        );
        assert_eq!(at(r"..\..\up.yaml"), ("../../up.yaml".to_string(), None));
        let posix = Anchor::new(Some("/repo"), "/repo", Style::Posix);
        let a = locate(&posix, r"a\b.yaml");
        assert_eq!(
            (a.uri.as_str(), a.uri_base_id),
            ("a%5Cb.yaml", Some(SRCROOT))
        );
        let a = locate(&posix, "/srv/x.yaml");
        assert_eq!(
            (a.uri.as_str(), a.uri_base_id),
            ("file:///srv/x.yaml", None)
        );
    }
}
