//! The CI-facing outputs (issue 14): GitHub annotation paths from the repository root, the
//! Markdown job summary appended to `GITHUB_STEP_SUMMARY`, JUnit honouring `--fail-level`,
//! SARIF related locations and distinct fingerprints.

mod common;

use std::path::Path;
use std::process::Command;

use cfn_cognito_lint::FileReport;
use cfn_cognito_lint::paths::{Anchor, Style};
use cfn_cognito_lint::report::summary::{self, Context, Links};
use cfn_cognito_lint::report::{json, junit, sarif};
use cfn_cognito_lint::rules::registry::RULES;
use cfn_cognito_lint::rules::{Settings, Severity};
use serde_json::Value;

const MISSING_REF: &str =
    "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref Missing\n";

struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the binary in `dir` with `args`, none of the CI variables but `env`.
fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Ran {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cfn-cognito-lint"));
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
    for var in [
        "GITHUB_WORKSPACE",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_SERVER_URL",
        "GITHUB_REPOSITORY",
        "GITHUB_SHA",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run the binary: {e}"));
    Ran {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The `file=` property of every annotation.
fn annotated_files(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.split_once(" file=").map(|(_, rest)| rest))
        .map(|rest| rest.split(',').next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn annotation_paths_are_relative_to_the_workspace_from_a_subfolder() {
    let dir = common::fresh_temp_dir("ci-annotations");
    let ws = dir.join("ws");
    common::write_file(&ws, "infra/stack.yaml", MISSING_REF);
    common::write_file(&dir, "outside.yaml", MISSING_REF);
    let sub = ws.join("infra");
    let ws_text = ws.to_string_lossy().into_owned();
    let env = [("GITHUB_WORKSPACE", ws_text.as_str())];

    let r = run(&sub, &["-f", "github", "stack.yaml"], &env);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(
        annotated_files(&r.stdout),
        ["infra/stack.yaml"],
        "{}",
        r.stdout
    );
    // Named by another route to the same file; and a file outside the workspace as given.
    let r = run(
        &sub,
        &[
            "-f",
            "github",
            "../infra/./stack.yaml",
            "../../outside.yaml",
        ],
        &env,
    );
    assert_eq!(
        annotated_files(&r.stdout),
        ["../../outside.yaml", "infra/stack.yaml"],
        "{}",
        r.stdout
    );
    // An absolute path under the workspace.
    let abs = sub.join("stack.yaml").to_string_lossy().into_owned();
    let r = run(&dir, &["-f", "github", &abs], &env);
    assert_eq!(
        annotated_files(&r.stdout),
        ["infra/stack.yaml"],
        "{}",
        r.stdout
    );

    // No workspace: the git work tree holding the working directory.
    std::fs::create_dir_all(ws.join(".git")).unwrap_or_else(|e| panic!("mkdir: {e}"));
    let r = run(&sub, &["-f", "github", "stack.yaml"], &[]);
    assert_eq!(
        annotated_files(&r.stdout),
        ["infra/stack.yaml"],
        "{}",
        r.stdout
    );
    // Neither (outside any work tree): as given.
    let r = run(&dir, &["-f", "github", "ws/infra/stack.yaml"], &[]);
    assert_eq!(
        annotated_files(&r.stdout),
        ["ws/infra/stack.yaml"],
        "{}",
        r.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------------------------------------------
// The job summary
// ------------------------------------------------------------------------------------------------

fn repo_anchor() -> Anchor {
    let root = common::root().to_string_lossy().into_owned();
    Anchor::new(Some(&root), &root, Style::HOST)
}

fn links() -> Links {
    Links::new("https://github.com", "octo/infra", "0123abc")
        .unwrap_or_else(|| panic!("links refused"))
}

/// Every table of `md` (lines starting with `|`, in blocks) has the same number of cells on
/// each row, its second row is a delimiter row, and a blank line precedes it. Returns the
/// tables (rows of cells).
fn tables(md: &str) -> Vec<Vec<Vec<String>>> {
    let mut out: Vec<Vec<Vec<String>>> = Vec::new();
    let mut current: Vec<Vec<String>> = Vec::new();
    let mut previous = "";
    for line in md.lines().chain([""]) {
        if let Some(body) = line.strip_prefix('|') {
            if current.is_empty() {
                assert!(
                    previous.is_empty(),
                    "no blank line before the table at: {line}"
                );
            }
            assert!(line.ends_with('|'), "row not closed: {line}");
            // Cells: split on `|` not escaped by a backslash.
            let mut cells = Vec::new();
            let mut cell = String::new();
            let mut escaped = false;
            for c in body.chars() {
                match c {
                    '|' if !escaped => cells.push(std::mem::take(&mut cell)),
                    c => cell.push(c),
                }
                escaped = c == '\\' && !escaped;
            }
            assert!(cell.is_empty(), "text after the last cell: {line}");
            current.push(cells.iter().map(|c| c.trim().to_string()).collect());
        } else if !current.is_empty() {
            let width = current[0].len();
            for row in &current {
                assert_eq!(
                    row.len(),
                    width,
                    "row of {} cells in a table of {width}: {row:?}",
                    row.len()
                );
            }
            assert!(
                current.len() >= 2
                    && current[1]
                        .iter()
                        .all(|c| c.chars().all(|c| "-:".contains(c)) && c.contains('-')),
                "no delimiter row: {:?}",
                current.get(1)
            );
            out.push(std::mem::take(&mut current));
        }
        previous = line;
    }
    out
}

fn seed_reports() -> Vec<FileReport> {
    common::lint_run(&["fixtures/seeds"]).reports
}

#[test]
fn summary_of_the_seed_stack() {
    let reports = seed_reports();
    let anchor = repo_anchor();
    let links = links();
    let ctx = Context {
        anchor: &anchor,
        links: Some(&links),
        extra_sections: &[],
    };
    let md =
        summary::render(&reports, &ctx, summary::LIMIT).unwrap_or_else(|| panic!("no summary"));
    insta::assert_snapshot!("summary_seeds", md);

    let t = tables(&md);
    assert_eq!(t.len(), 3, "severity, per rule, findings");
    assert_eq!(t[0][0], ["Severity", "Findings"]);
    assert_eq!(t[1][0], ["Rule", "Name", "Severity", "Findings"]);
    assert_eq!(t[2][0], ["Severity", "Rule", "Location", "Message"]);
    let rows = &t[2][2..];
    // Every finding, once, errors first, then warnings, then infos.
    let all: Vec<(&FileReport, &cfn_cognito_lint::rules::Finding)> = reports
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| (r, f)))
        .collect();
    assert_eq!(rows.len(), all.len());
    let ranks: Vec<usize> = rows
        .iter()
        .map(|r| {
            ["error", "warning", "info"]
                .iter()
                .position(|s| *s == r[0])
                .unwrap_or(9)
        })
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    for (r, f) in &all {
        let line = r.index.line_col(&r.source, f.span.start).line;
        let link = format!(
            "[{}:{line}](https://github.com/octo/infra/blob/0123abc/{}#L{line})",
            r.path, r.path
        );
        assert!(
            rows.iter()
                .any(|row| row[1] == f.rule.id && row[2] == link && row[0] == f.severity.as_str()),
            "{} at {link} missing",
            f.rule.id
        );
    }
    // The counts per rule add up.
    let counted: usize = t[1][2..]
        .iter()
        .map(|row| row[3].parse::<usize>().unwrap_or_default())
        .sum();
    assert_eq!(counted, all.len());
}

#[test]
fn summary_without_links_names_plain_locations_and_adds_extra_sections() {
    let reports = vec![common::lint_text(
        "infra/a|b.yaml",
        MISSING_REF,
        Settings::default(),
    )];
    let anchor = Anchor::new(None, "/", Style::Posix);
    let extra = vec![(
        "api".to_string(),
        "graph LR\n  A[\"guest\"] --> B[\"s3:*\"]\n".to_string(),
    )];
    let ctx = Context {
        anchor: &anchor,
        links: None,
        extra_sections: &extra,
    };
    let md = summary::render(&reports, &ctx, summary::LIMIT).unwrap_or_default();
    let t = tables(&md);
    assert_eq!(t[2][2][2], "infra/a\\|b.yaml:5", "{md}");
    assert!(
        md.ends_with(
            "\n### Access graph: api\n\n```mermaid\ngraph LR\n  A[\"guest\"] --> B[\"s3:*\"]\n```\n"
        ),
        "{md}"
    );
}

/// A template with `n` TM005 findings (one `Fn::Sub` line per ten variables).
fn many_findings(n: usize) -> FileReport {
    let mut text = String::from("Resources:\n");
    for i in 0..n / 10 {
        text.push_str(&format!(
            "  T{i}:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '"
        ));
        for k in 0..10 {
            text.push_str(&format!("${{V{i}x{k}}}"));
        }
        text.push_str("'\n");
    }
    common::lint_text("many.yaml", &text, Settings::default())
}

#[test]
fn summary_is_cut_before_the_step_limit() {
    let reports = vec![many_findings(20_000)];
    assert_eq!(reports[0].findings.len(), 20_000);
    let anchor = repo_anchor();
    let links = links();
    let ctx = Context {
        anchor: &anchor,
        links: Some(&links),
        extra_sections: &[],
    };
    for budget in [summary::LIMIT, 600_000, 20_000] {
        let md =
            summary::render(&reports, &ctx, budget).unwrap_or_else(|| panic!("{budget}: none"));
        assert!(md.len() <= budget, "{budget}: {} bytes", md.len());
        let t = tables(&md);
        let shown = t[2].len() - 2;
        let note = format!(
            "\n… {} more findings not shown (the job summary is limited to 1 MiB per step); see the SARIF/JSON report.\n",
            20_000 - shown
        );
        assert!(
            md.ends_with(&note),
            "{budget}: {}",
            &md[md.len().saturating_sub(300)..]
        );
        // The cut leaves little room unused: one more row would not have fitted.
        assert!(
            md.len() + 400 > budget - 128,
            "{budget}: only {} bytes",
            md.len()
        );
        assert!(shown > 10, "{budget}: {shown}");
    }
    // No room even for the head: nothing.
    assert!(summary::render(&reports, &ctx, 300).is_none());
}

#[test]
fn summary_is_appended_to_the_step_file() {
    let dir = common::fresh_temp_dir("ci-summary");
    common::write_file(&dir, "stack.yaml", MISSING_REF);
    let file = dir.join("summary.md");
    std::fs::write(&file, "# Earlier step output\n\n").unwrap_or_else(|e| panic!("{e}"));
    let file_text = file.to_string_lossy().into_owned();
    let env = [("GITHUB_STEP_SUMMARY", file_text.as_str())];
    for format in ["json", "github"] {
        let r = run(&dir, &["-f", format, "stack.yaml"], &env);
        assert_eq!(r.code, Some(1), "{}", r.stderr);
        assert!(r.stderr.is_empty(), "{}", r.stderr);
    }
    let md = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        md.starts_with("# Earlier step output\n\n## cfn-cognito-lint\n"),
        "{md}"
    );
    assert_eq!(md.matches("## cfn-cognito-lint\n").count(), 2, "{md}");
    assert_eq!(
        md.matches("| error | TM003 | stack.yaml:5 |").count(),
        2,
        "{md}"
    );

    // A file already near the limit: this run's part keeps the total under it.
    let filler = "x".repeat(summary::LIMIT - 2_000) + "\n";
    std::fs::write(&file, &filler).unwrap_or_else(|e| panic!("{e}"));
    let r = run(&dir, &["-f", "json", "stack.yaml"], &env);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    let after = std::fs::metadata(&file)
        .map(|m| m.len())
        .unwrap_or_default();
    assert!(
        after > filler.len() as u64 && after <= summary::LIMIT as u64,
        "{after}"
    );
    // Full: a warning, the lint's own exit code.
    std::fs::write(&file, "x".repeat(summary::LIMIT)).unwrap_or_else(|e| panic!("{e}"));
    let r = run(&dir, &["-f", "json", "stack.yaml"], &env);
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr.contains("warning: job summary not written"),
        "{}",
        r.stderr
    );

    // A summary file that cannot be written (a folder): a warning, the report still written.
    let r = run(
        &dir,
        &["-f", "parseable", "stack.yaml"],
        &[("GITHUB_STEP_SUMMARY", dir.to_string_lossy().as_ref())],
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stdout.contains(":TM003:"), "{}", r.stdout);
    assert!(
        r.stderr.contains("warning: job summary not written"),
        "{}",
        r.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------------------------------------------
// JUnit and --fail-level
// ------------------------------------------------------------------------------------------------

/// Only TM004 (error), UP002 (warning) and UP003 (info) on the seed user pool.
fn three_severities() -> (Vec<FileReport>, Settings) {
    let mut settings = Settings::default();
    settings.disabled.extend(
        RULES
            .iter()
            .map(|r| r.id)
            .filter(|id| !["TM004", "UP002", "UP003"].contains(id)),
    );
    let options = cfn_cognito_lint::Options {
        settings: settings.clone(),
        ..cfn_cognito_lint::Options::default()
    };
    (
        vec![common::lint_with("fixtures/seeds/user-pool.yaml", &options)],
        settings,
    )
}

#[test]
fn junit_failures_follow_the_fail_level() {
    let (reports, settings) = three_severities();
    let severities: Vec<Severity> = reports[0].findings.iter().map(|f| f.severity).collect();
    for s in [Severity::Error, Severity::Warning, Severity::Info] {
        assert!(severities.contains(&s), "{severities:?}");
    }
    let error = junit::render(&reports, &settings, Some(Severity::Error));
    let warning = junit::render(&reports, &settings, Some(Severity::Warning));
    let none = junit::render(&reports, &settings, None);
    insta::assert_snapshot!("junit_fail_level_error", error);
    insta::assert_snapshot!("junit_fail_level_warning", warning);
    insta::assert_snapshot!("junit_fail_level_none", none);
    assert_eq!(error.matches("<failure ").count(), 1);
    assert_eq!(warning.matches("<failure ").count(), 6);
    assert_eq!(none.matches("<failure ").count(), 0);
    assert!(none.contains("failures=\"0\""));
}

#[test]
fn junit_of_the_binary_is_green_when_the_exit_code_is() {
    let dir = common::fresh_temp_dir("ci-junit");
    common::write_file(&dir, "stack.yaml", MISSING_REF);
    let r = run(
        &dir,
        &["-f", "junit", "--fail-level", "none", "stack.yaml"],
        &[],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(!r.stdout.contains("<failure"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("<system-out>stack.yaml:5:23: error: `Ref` to `Missing`"),
        "{}",
        r.stdout
    );
    let r = run(&dir, &["-f", "junit", "stack.yaml"], &[]);
    assert_eq!(r.code, Some(1));
    assert!(r.stdout.contains("<failure type=\"error\""), "{}", r.stdout);
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------------------------------------------
// SARIF
// ------------------------------------------------------------------------------------------------

/// Each finding's `related` (JSON) is its `relatedLocations` (SARIF), in order.
#[test]
fn sarif_related_locations_are_the_json_related() {
    let reports = seed_reports();
    let doc: Value = serde_json::from_str(&json::render(&reports)).unwrap_or_default();
    let log: Value = serde_json::from_str(&sarif::render(&reports, None)).unwrap_or_default();
    let findings = doc["findings"].as_array().cloned().unwrap_or_default();
    let results = log["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(findings.len(), results.len());
    let mut with_related = 0;
    let mut across_files = 0;
    for (f, r) in findings.iter().zip(&results) {
        assert_eq!(f["rule"], r["ruleId"]);
        let related = f["related"].as_array().cloned().unwrap_or_default();
        let locations = r["relatedLocations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(related.len(), locations.len(), "{}", f["rule"]);
        for (j, l) in related.iter().zip(&locations) {
            let p = &l["physicalLocation"];
            assert_eq!(p["artifactLocation"]["uri"], j["file"]);
            assert_eq!(p["region"]["startLine"], j["line"]);
            assert_eq!(p["region"]["startColumn"], j["column"]);
            assert_eq!(p["region"]["endLine"], j["end_line"]);
            assert_eq!(p["region"]["endColumn"], j["end_column"]);
            assert_eq!(l["message"]["text"], j["message"]);
            if j["file"] != f["file"] {
                across_files += 1;
            }
        }
        with_related += usize::from(!related.is_empty());
    }
    assert!(with_related >= 5, "{with_related}");
    assert!(across_files >= 1, "no related location in another file");
}

#[test]
fn identical_findings_get_distinct_fingerprints() {
    let text = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '${X}-${X}-${X}'\n";
    let print = |text: &str| -> Vec<String> {
        let r = common::lint_text("stack.yaml", text, Settings::default());
        let log: Value = serde_json::from_str(&sarif::render(&[r], None)).unwrap_or_default();
        log["runs"][0]["results"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                r["partialFingerprints"]["cfnCognitoLint/v1"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    };
    let prints = print(text);
    assert_eq!(prints.len(), 3);
    let hash = &prints[0];
    assert_eq!(hash.len(), 16, "{hash}");
    assert_eq!(
        prints,
        [hash.clone(), format!("{hash}:2"), format!("{hash}:3")]
    );
    // Lines inserted above: the same fingerprints.
    assert_eq!(print(&format!("# a\n# b\n{text}")), prints);
}

/// The job summary carries the access graph of each stack with a finding at warning or above
/// (the seed stack: guests off, an open sign-up door to a role with wildcards), and none for a
/// stack whose graph has no warning.
#[test]
fn summary_carries_the_access_graph_of_stacks_with_warnings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = common::fresh_temp_dir("ci-summary-graph");
    let file = dir.join("summary.md");
    let file_text = file.to_string_lossy().into_owned();
    let env = [("GITHUB_STEP_SUMMARY", file_text.as_str())];
    let r = run(root, &["-f", "parseable", "fixtures/seeds"], &env);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let md = std::fs::read_to_string(&file).unwrap_or_default();
    let graph = md
        .split_once("### Access graph: iot-tutorial\n\n```mermaid\nflowchart LR\n")
        .map(|(_, g)| g.split_once("\n```").map_or(g, |(g, _)| g))
        .unwrap_or_else(|| panic!("no access graph section:\n{md}"));
    for node in [
        "n_role_CognitoAuthorizedRole[\"Role CognitoAuthorizedRole<br/>tier: signed-in<br/>anyone can sign up to CognitoUserPool",
        "n_door_CognitoIdentityPool_guest(\"Guests (off)",
        "open sign-up: self sign-up (AllowAdminCreateUserOnly not true)",
    ] {
        assert!(graph.contains(node), "{node}\n{graph}");
    }
    assert_eq!(md.matches("```mermaid").count(), 1, "{md}");

    std::fs::remove_file(&file).unwrap_or_else(|e| panic!("{e}"));
    let r = run(
        root,
        &["-f", "parseable", "fixtures/graph/clean.yaml"],
        &env,
    );
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    let md = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(md.starts_with("## cfn-cognito-lint\n"), "{md}");
    assert!(!md.contains("Access graph"), "{md}");
}
