//! The corpus of real multi-file stacks (`../shared/corpus/stacks`, see its README and
//! MANIFEST.tsv): every project of kind `serverless` and `params` is linted through the binary
//! the way a user would point it at the project (current directory = the project folder, the
//! manifest's entry files as arguments; for `params` the template with `--parameters <file>`),
//! with `--format json --fail-level none`. Skipped, with the reason printed, where ../shared is
//! absent.
//!
//! Asserted for every run: no panic; exit code 0 (`--fail-level none`), or 2 where listed in
//! [`EXIT_2`] with the reason; every finding's (and related label's) position inside its file;
//! the TM003–TM007 findings are exactly [`TRUE_UNDEFINED`] (names really undefined, judged by
//! reading the projects: nothing defined by a sibling file or by the framework); the
//! error-level findings are exactly [`JUDGED_ERRORS`].

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// TM003–TM007 findings judged TRUE: (project, file, rule, line, why).
const TRUE_UNDEFINED: &[(&str, &str, &str, u64, &str)] = &[
    (
        "MikaelConecto__services-splitted-stacks",
        "services/cognito/identity-pools/contacts.yml",
        "TM003",
        72,
        "`Ref: ApiGatewayRestApi` in the identity-pool include of services/cognito, a service \
         without functions: the framework makes no REST API there, so the deploy fails (the \
         same file included by services/contacts, which has http events, is fine there)",
    ),
    (
        "mariberg__gardening-agent",
        "backend/cloudformation/infrastructure.yaml",
        "TM006",
        154,
        "LambdaExecutionRole's SelfInvoke policy names !GetAtt GardeningApiHandlerFunction.Arn \
         and the function's Role is !GetAtt LambdaExecutionRole.Arn: a real cycle",
    ),
];

/// Error-level findings judged TRUE: (project, file, rule, line). Every other error fails the
/// test: judge it (RULES.md) and add it here, or report it as a false positive.
const JUDGED_ERRORS: &[(&str, &str, &str, u64)] = &[
    (
        "MikaelConecto__services-splitted-stacks",
        "services/cognito/identity-pools/contacts.yml",
        "TM003",
        72,
    ),
    (
        "mariberg__gardening-agent",
        "backend/cloudformation/infrastructure.yaml",
        "TM006",
        154,
    ),
    // Issue 10, open sign-up: the user pool sets no AdminCreateUserConfig, so anyone can sign
    // up and assume CognitoAuthRole, which holds `cognito-sync:*` and `cognito-identity:*` on
    // every resource (the latter lets a stranger update or delete every identity pool of the
    // account) and `s3:*` on the caller's own private prefix. All true.
    (
        "Enterprise-CMCS__macpro-quickstart-serverless",
        "services/ui-auth/serverless.yml",
        "PM001",
        271,
    ),
    (
        "Enterprise-CMCS__macpro-quickstart-serverless",
        "services/ui-auth/serverless.yml",
        "PM001",
        272,
    ),
    (
        "Enterprise-CMCS__macpro-quickstart-serverless",
        "services/ui-auth/serverless.yml",
        "PM001",
        280,
    ),
    // The same in flamous-backend: its user pool sets no AdminCreateUserConfig (its email says
    // "Here is your sign-up code"; the PreSignUp trigger is commented out), so anyone can sign
    // up and hold `cognito-sync:*` and `cognito-identity:*` on every resource. True.
    (
        "Flamous__flamous-backend",
        "resources/cognito-identity-pool.yml",
        "PM001",
        54,
    ),
    (
        "Flamous__flamous-backend",
        "resources/cognito-identity-pool.yml",
        "PM001",
        55,
    ),
    // And in services-splitted-stacks: ContactsCognitoUserPool sets no AdminCreateUserConfig
    // and no PreSignUp trigger. True.
    (
        "MikaelConecto__services-splitted-stacks",
        "services/cognito/identity-pools/contacts.yml",
        "PM001",
        54,
    ),
    (
        "MikaelConecto__services-splitted-stacks",
        "services/cognito/identity-pools/contacts.yml",
        "PM001",
        55,
    ),
];

/// Runs that end with exit code 2, and why that is right: (project, text stderr must hold).
/// None today. (Lovv_BE's samconfig.toml sets `parameter_overrides =
/// "file://parameters/dev.yaml"`: exit 2 until the tool learnt to read that file.)
const EXIT_2: &[(&str, &str)] = &[];

/// Runs besides the manifest's: Lovv_BE with the JSON form of its dev parameters, which must
/// give the same findings as its samconfig.toml (`file://parameters/dev.yaml`).
const EXTRA_RUNS: &[(&str, &[&str])] = &[(
    "Joraemon-s-Secret-Gadgets__Lovv_BE",
    &["template.yaml", "--parameters", "parameters/dev.json"],
)];

struct Project {
    dir: String,
    kind: String,
    entries: Vec<String>,
}

fn stacks_corpus() -> Option<(PathBuf, Vec<Project>)> {
    let corpus = common::shared()?.join("corpus").join("stacks");
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).ok()?;
    let projects = manifest
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(cols.len() >= 5, "bad MANIFEST.tsv line: {l}");
            Project {
                dir: cols[0].to_string(),
                kind: cols[3].to_string(),
                entries: cols[4].split(';').map(str::to_string).collect(),
            }
        })
        .collect();
    Some((corpus, projects))
}

fn is_parameter_file(entry: &str) -> bool {
    entry.ends_with(".json") || entry.ends_with(".toml")
}

/// The arguments a user would give for a project.
fn args_of(p: &Project) -> Vec<String> {
    if p.kind == "params" {
        let template = p
            .entries
            .iter()
            .find(|e| !is_parameter_file(e))
            .unwrap_or_else(|| panic!("{}: no template among {:?}", p.dir, p.entries));
        let mut args = vec![template.clone()];
        if let Some(pf) = p.entries.iter().find(|e| is_parameter_file(e)) {
            args.push("--parameters".into());
            args.push(pf.clone());
        }
        args
    } else {
        p.entries.clone()
    }
}

/// A finding or related label whose position is outside its file, described.
fn position_problem(base: &Path, v: &Value) -> Option<String> {
    let file = v["file"].as_str()?;
    let text = match std::fs::read(base.join(file)) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => return Some(format!("{file}: cannot read it: {e}")),
    };
    let lines: Vec<&str> = text.split('\n').collect();
    let n = |k: &str| v[k].as_u64().unwrap_or(0) as usize;
    let (line, col, end_line, end_col) = (n("line"), n("column"), n("end_line"), n("end_column"));
    let inside = |l: usize, c: usize| {
        l >= 1 && l <= lines.len() && c >= 1 && c <= lines[l - 1].chars().count() + 1
    };
    if !inside(line, col) || !inside(end_line, end_col) || (end_line, end_col) < (line, col) {
        return Some(format!(
            "{file}:{line}:{col}-{end_line}:{end_col} is not inside the file ({} lines)",
            lines.len()
        ));
    }
    None
}

/// One run: (project, findings) after the checks every run gets.
fn sweep_run(corpus: &Path, dir: &str, args: &[String], problems: &mut Vec<String>) -> Vec<Value> {
    let base = corpus.join(dir);
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend(["--format", "json", "--fail-level", "none"]);
    let run = common::run_bin_in(&base, &all);
    run.assert_no_panic(&format!("{dir} {args:?}"));
    if let Some((_, why)) = EXIT_2.iter().find(|(d, _)| *d == dir) {
        if run.code != Some(2) || !run.stderr.contains(why) {
            problems.push(format!(
                "{dir} {args:?}: expected exit 2 with `{why}`, got {:?}: {}",
                run.code, run.stderr
            ));
        }
        return Vec::new();
    }
    if run.code != Some(0) {
        problems.push(format!(
            "{dir} {args:?}: exit code {:?} with --fail-level none: {}",
            run.code, run.stderr
        ));
        return Vec::new();
    }
    let report: Value = match serde_json::from_str(&run.stdout) {
        Ok(v) => v,
        Err(e) => {
            problems.push(format!("{dir} {args:?}: not JSON ({e}): {}", run.stdout));
            return Vec::new();
        }
    };
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    for f in &findings {
        if let Some(p) = position_problem(&base, f) {
            problems.push(format!("{dir}: {} {p}", f["rule"]));
        }
        for r in f["related"].as_array().into_iter().flatten() {
            if let Some(p) = position_problem(&base, r) {
                problems.push(format!("{dir}: related label of {} {p}", f["rule"]));
            }
        }
    }
    findings
}

type Key = (String, String, String, u64);

fn key(dir: &str, f: &Value) -> Key {
    (
        dir.to_string(),
        f["file"].as_str().unwrap_or_default().to_string(),
        f["rule"].as_str().unwrap_or_default().to_string(),
        f["line"].as_u64().unwrap_or(0),
    )
}

#[test]
fn serverless_and_params_stacks_of_the_corpus() {
    let Some((corpus, projects)) = stacks_corpus() else {
        eprintln!("skipped: ../shared/corpus/stacks is absent");
        return;
    };
    let swept: Vec<&Project> = projects
        .iter()
        .filter(|p| p.kind == "serverless" || p.kind == "params")
        .collect();
    assert!(
        swept.len() >= 14,
        "the manifest lists {} serverless/params projects",
        swept.len()
    );
    let mut problems = Vec::new();
    let mut undefined = BTreeSet::new();
    let mut errors = BTreeSet::new();
    let mut runs: Vec<(String, Vec<String>)> =
        swept.iter().map(|p| (p.dir.clone(), args_of(p))).collect();
    for (dir, args) in EXTRA_RUNS {
        runs.push((
            dir.to_string(),
            args.iter().map(|a| a.to_string()).collect(),
        ));
    }
    let mut per_run: Vec<BTreeSet<Key>> = Vec::new();
    for (dir, args) in &runs {
        let findings = sweep_run(&corpus, dir, args, &mut problems);
        per_run.push(findings.iter().map(|f| key(dir, f)).collect());
        for f in findings {
            let rule = f["rule"].as_str().unwrap_or_default();
            if matches!(rule, "TM003" | "TM004" | "TM005" | "TM006" | "TM007") {
                undefined.insert((key(dir, &f), f["message"].to_string()));
            }
            if f["severity"] == "error" {
                errors.insert((key(dir, &f), f["message"].to_string()));
            }
        }
    }
    // An extra run finds what the manifest's run of the same project finds.
    for (i, (dir, args)) in runs.iter().enumerate().skip(swept.len()) {
        if let Some(j) = runs.iter().position(|(d, _)| d == dir) {
            if per_run[i] != per_run[j] {
                problems.push(format!(
                    "{dir} {args:?} finds {:?}, the manifest's run {:?}",
                    per_run[i], per_run[j]
                ));
            }
        }
    }
    let allowed: BTreeSet<Key> = TRUE_UNDEFINED
        .iter()
        .map(|(d, f, r, l, _)| (d.to_string(), f.to_string(), r.to_string(), *l))
        .collect();
    let seen: BTreeSet<Key> = undefined.iter().map(|(k, _)| k.clone()).collect();
    for (k, msg) in &undefined {
        if !allowed.contains(k) {
            problems.push(format!("TM003–TM007 not judged true: {k:?}: {msg}"));
        }
    }
    for k in allowed.difference(&seen) {
        problems.push(format!("judged-true TM003–TM007 no longer reported: {k:?}"));
    }
    let judged: BTreeSet<Key> = JUDGED_ERRORS
        .iter()
        .map(|(d, f, r, l)| (d.to_string(), f.to_string(), r.to_string(), *l))
        .collect();
    let seen: BTreeSet<Key> = errors.iter().map(|(k, _)| k.clone()).collect();
    for (k, msg) in &errors {
        if !judged.contains(k) {
            problems.push(format!("error-level finding not judged: {k:?}: {msg}"));
        }
    }
    for k in judged.difference(&seen) {
        problems.push(format!("judged error no longer reported: {k:?}"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
