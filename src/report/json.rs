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
    let mut text =
        super::to_json_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
