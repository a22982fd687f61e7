//! `junit`: JUnit XML, one testsuite per file and one testcase per rule that ran; a rule's
//! findings are the failures of its testcase.

use crate::FileReport;
use crate::rules::Settings;
use crate::rules::registry::RULES;

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn render(reports: &[FileReport], settings: &Settings) -> String {
    let rules: Vec<_> = RULES.iter().filter(|r| settings.enabled(r.id)).collect();
    let tests = rules.len() * reports.len();
    let failures: usize = reports
        .iter()
        .map(|r| {
            rules
                .iter()
                .filter(|m| r.findings.iter().any(|f| f.rule.id == m.id))
                .count()
        })
        .sum();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"cfn-cognito-lint\" tests=\"{tests}\" failures=\"{failures}\">\n"
    );
    for r in reports {
        let failed = rules
            .iter()
            .filter(|m| r.findings.iter().any(|f| f.rule.id == m.id))
            .count();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\">\n",
            xml(&r.path),
            rules.len()
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
            for f in mine {
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
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
