//! `json`: one document with the version, counts and every finding (CLI.md).

use rayon::prelude::*;
use serde::Serialize;

use super::Summary;
use crate::FileReport;

#[derive(Serialize)]
struct Doc<'a> {
    version: &'static str,
    files: usize,
    summary: Counts,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct Counts {
    error: usize,
    warning: usize,
    info: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'static str,
    name: &'static str,
    severity: &'static str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    resource: Option<&'a str>,
    /// The CDK construct path, for CDK output.
    #[serde(skip_serializing_if = "Option::is_none")]
    construct: Option<&'a str>,
    path: &'a str,
    message: &'a str,
    help: &'a str,
    stack: &'a str,
    related: Vec<JsonPlace<'a>>,
}

#[derive(Serialize)]
struct JsonPlace<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
}

pub fn render(reports: &[FileReport]) -> String {
    let s = Summary::of(reports);
    // Built in parallel (line and column of every span), in order.
    let findings: Vec<JsonFinding> = reports
        .par_iter()
        .flat_map_iter(|r| r.findings.iter().map(move |f| (r, f)))
        .map(|(r, f)| {
            let (start, end) = r.index.span(&r.source, f.span);
            JsonFinding {
                rule: f.rule.id,
                name: f.rule.name,
                severity: f.severity.as_str(),
                file: &r.path,
                line: start.line,
                column: start.column,
                end_line: end.line,
                end_column: end.column,
                resource: f.resource.as_deref(),
                construct: f.construct.as_deref(),
                path: &f.pointer,
                message: &f.message,
                help: &f.help,
                stack: super::stack_of(r, f),
                related: super::related(r, f)
                    .into_iter()
                    .map(|p| JsonPlace {
                        file: p.path,
                        line: p.start.line,
                        column: p.start.column,
                        end_line: p.end.line,
                        end_column: p.end.column,
                        message: p.message,
                    })
                    .collect(),
            }
        })
        .collect();
    let doc = Doc {
        version: env!("CARGO_PKG_VERSION"),
        files: s.files,
        summary: Counts {
            error: s.error,
            warning: s.warning,
            info: s.info,
        },
        findings,
    };
    let mut text = write_doc(doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// The document as `to_json_pretty` writes it, its findings written in parallel (the report
/// is most of a run's serial end): each as the pretty printer writes an element of the
/// top-level `findings` array, its lines indented by two levels (strings hold no raw line
/// break: JSON escapes it), joined into the document written without them.
fn write_doc(mut doc: Doc<'_>) -> Result<String, serde_json::Error> {
    let findings = std::mem::take(&mut doc.findings);
    let parts: Vec<String> = findings
        .par_iter()
        .map(|f| {
            let one = super::to_json_pretty(f)?;
            let mut indented = String::with_capacity(one.len() + 64);
            for (i, line) in one.split('\n').enumerate() {
                if i > 0 {
                    indented.push('\n');
                }
                indented.push_str("    ");
                indented.push_str(line);
            }
            Ok(indented)
        })
        .collect::<Result<_, serde_json::Error>>()?;
    let head = super::to_json_pretty(&doc)?;
    // The document without findings ends with `"findings": []` and the closing brace.
    let (false, Some(head)) = (parts.is_empty(), head.strip_suffix("[]\n}")) else {
        doc.findings = findings;
        return super::to_json_pretty(&doc);
    };
    let mut text =
        String::with_capacity(head.len() + parts.iter().map(|p| p.len() + 2).sum::<usize>() + 8);
    text.push_str(head);
    text.push_str("[\n");
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            text.push_str(",\n");
        }
        text.push_str(p);
    }
    text.push_str("\n  ]\n}");
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(i: usize) -> JsonFinding<'static> {
        JsonFinding {
            rule: "TM001",
            name: "name",
            severity: "error",
            file: "a \"b\"\n\u{202e}.yaml",
            line: i,
            column: 2,
            end_line: 3,
            end_column: 4,
            resource: if i.is_multiple_of(2) { Some("R") } else { None },
            construct: if i.is_multiple_of(3) {
                Some("c/d")
            } else {
                None
            },
            path: "/Resources/R",
            message: "m\u{7f}\t",
            help: "h",
            stack: "",
            related: (0..i % 3)
                .map(|j| JsonPlace {
                    file: "x",
                    line: j,
                    column: 1,
                    end_line: 1,
                    end_column: 1,
                    message: "r",
                })
                .collect(),
        }
    }

    /// The findings written one by one and joined give the bytes of the whole document
    /// written at once (none, one, several; escapes, optional fields, nested arrays).
    #[test]
    fn parallel_findings_give_the_whole_document() {
        for n in [0usize, 1, 2, 5] {
            let doc = || Doc {
                version: "1",
                files: n,
                summary: Counts {
                    error: 1,
                    warning: 2,
                    info: 3,
                },
                findings: (0..n).map(finding).collect(),
            };
            let expected = crate::report::to_json_pretty(&doc()).ok();
            assert!(n == 0 || expected.as_ref().is_some_and(|e| e.contains("\\u202e")));
            assert_eq!(write_doc(doc()).ok(), expected, "{n} findings");
        }
    }
}
