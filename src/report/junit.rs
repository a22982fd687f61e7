//! `junit`: JUnit XML, one testsuite per file and one testcase per rule that ran; a rule's
//! findings at or above the fail level are the failures of its testcase, the others its
//! `<system-out>`.

use super::write_escaped;
use crate::FileReport;
use crate::rules::registry::RULES;
use crate::rules::{Finding, Settings, Severity};

/// Whether XML 1.0 forbids `c` in a document (its `Char` production: tab, LF, CR,
/// U+0020–U+D7FF, U+E000–U+FFFD, U+10000 and above; surrogates cannot occur in a `str`).
pub fn forbidden_in_xml(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// Text for an attribute value or element content. Characters XML forbids are written
/// visibly (`\x1b`, `\u{ffff}`): a document holding them is not XML. Tab, LF and CR are
/// character references, which a parser keeps (it would turn them into spaces in attributes,
/// and CR into LF in content).
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if forbidden_in_xml(c) => write_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// The report; `fail_level` is the lowest severity that fails the run (`None`: nothing
/// does, `--fail-level none`). Only findings at or above it are `<failure>`s (CLI.md); the
/// others are lines of their testcase's `<system-out>`, so a green exit code is a green test
/// report.
pub fn render(reports: &[FileReport], settings: &Settings, fail_level: Option<Severity>) -> String {
    let fails = |f: &Finding| fail_level.is_some_and(|l| f.severity >= l);
    let rules: Vec<_> = RULES.iter().filter(|r| settings.enabled(r.id)).collect();
    let tests = rules.len() * reports.len();
    // Failed testcases of a file: its rules with a finding that fails.
    let failed_in = |r: &FileReport| {
        rules
            .iter()
            .filter(|m| r.findings.iter().any(|f| f.rule.id == m.id && fails(f)))
            .count()
    };
    let failures: usize = reports.iter().map(failed_in).sum();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"cfn-cognito-lint\" tests=\"{tests}\" failures=\"{failures}\">\n"
    );
    for r in reports {
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">\n",
            xml(&r.path),
            rules.len(),
            failed_in(r)
        ));
        for m in &rules {
            let mine: Vec<_> = r.findings.iter().filter(|f| f.rule.id == m.id).collect();
            let name = format!("{} {}", m.id, m.name);
            if mine.is_empty() {
                out.push_str(&format!(
                    "    <testcase name=\"{}\" classname=\"{}\"/>\n",
                    xml(&name),
                    xml(&r.path)
                ));
                continue;
            }
            out.push_str(&format!(
                "    <testcase name=\"{}\" classname=\"{}\">\n",
                xml(&name),
                xml(&r.path)
            ));
            for f in mine.iter().filter(|f| fails(f)) {
                let (s, _) = r.index.span(&r.source, f.span);
                out.push_str(&format!(
                    "      <failure type=\"{}\" message=\"{}\">{}:{}:{}: {}</failure>\n",
                    f.severity.as_str(),
                    xml(&f.message),
                    xml(&r.path),
                    s.line,
                    s.column,
                    xml(&f.help)
                ));
            }
            // Below the fail level: one line each (`file:line:col: severity: message (help)`).
            let passing: Vec<_> = mine.iter().filter(|f| !fails(f)).collect();
            if !passing.is_empty() {
                out.push_str("      <system-out>");
                for f in passing {
                    let (s, _) = r.index.span(&r.source, f.span);
                    out.push_str(&format!(
                        "{}:{}:{}: {}: {} ({})\n",
                        xml(&r.path),
                        s.line,
                        s.column,
                        f.severity.as_str(),
                        xml(&f.message),
                        xml(&f.help)
                    ));
                }
                out.push_str("</system-out>\n");
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
