//! Generated stacks (CLI.md, *Stacks*: Amplify, CDK): Amplify Gen 1 projects read with their
//! `parameters.json` and `team-provider-info.json`, linted through the binary with the project
//! folder (`fixtures/projects/<name>`) as the current directory; and the real projects of
//! `../shared/corpus/stacks` (skipped with a reason when it is absent).

mod common;

use std::path::{Path, PathBuf};

use common::{Parseable, assert_findings, file_rule_lines, parseable_in, project, run_bin_in};

// ------------------------------------------------------------------------------------------------
// Amplify Gen 1
// ------------------------------------------------------------------------------------------------

const GUESTS_AUTH: &str =
    "amplify/backend/auth/demo1a2b3c4d/build/demo1a2b3c4d-cloudformation-template.json";
const NO_GUESTS_AUTH: &str =
    "amplify/backend/auth/demo5e6f7a8b/build/demo5e6f7a8b-cloudformation-template.json";

/// The root stack passes only the role ARNs; `parameters.json` beside the auth template turns
/// guests on: IP001 on the pool's `AllowUnauthenticatedIdentities`, naming the file. The root's
/// deny-only placeholder roles are attached by the auth stack: no TR or IP005 finding.
#[test]
fn amplify_guests_from_parameters_json() {
    let dir = project("amplify-guests");
    for args in [&["."][..], &["--stage", "dev", "."], &[GUESTS_AUTH]] {
        let (run, found) = parseable_in(&dir, args);
        assert_findings(&run, &found, &[(GUESTS_AUTH, "IP001", 119)], 0);
        let f = &found[0];
        assert_eq!(f.severity, "info");
        assert!(
            f.message.contains(
                "parameter `allowUnauthenticatedIdentities` = `true`, from amplify/backend/auth/demo1a2b3c4d/build/parameters.json"
            ),
            "{}",
            f.message
        );
    }
}

/// Guests off in `parameters.json`: the unauthenticated slot holds the root's placeholder role,
/// which is no IP005; environment `prod` of `team-provider-info.json` turns guests on and wins
/// over `parameters.json`. The `#current-cloud-backend` copy (guests on) is skipped in a walk,
/// although `.gitignore` lists it and `build/` (the `build` folders are walked all the same).
#[test]
fn amplify_no_guests_and_environments() {
    let dir = project("amplify-no-guests");
    for args in [
        &["."][..],
        &["--stage", "dev", "."],
        &[NO_GUESTS_AUTH],
        &["--stage", "dev", NO_GUESTS_AUTH],
    ] {
        let (run, found) = parseable_in(&dir, args);
        assert_findings(&run, &found, &[], 0);
    }
    for args in [
        &["--stage", "prod", "."][..],
        &["--stage", "prod", NO_GUESTS_AUTH],
    ] {
        let (run, found) = parseable_in(&dir, args);
        assert_findings(&run, &found, &[(NO_GUESTS_AUTH, "IP001", 119)], 0);
        assert!(
            found[0]
                .message
                .contains("from amplify/team-provider-info.json (environment `prod`)"),
            "{}",
            found[0].message
        );
    }
    // `--verbose` names the environment, the sources and the skipped copy.
    let run = run_bin_in(&dir, &["--verbose", "--stage", "prod", "."]);
    run.assert_no_panic("verbose");
    for want in [
        "stack `amplify` (Amplify project, environment `prod` (--stage))",
        "from amplify/team-provider-info.json (environment `prod`)",
        "from amplify/backend/auth/demo5e6f7a8b/build/parameters.json",
        "skipped amplify/#current-cloud-backend/auth/demo5e6f7a8b/build/demo5e6f7a8b-cloudformation-template.json: Amplify's #current-cloud-backend copy of amplify/backend/auth/demo5e6f7a8b/build/demo5e6f7a8b-cloudformation-template.json",
    ] {
        assert!(run.stderr.contains(want), "{want}\n{}", run.stderr);
    }
    // Several environments and no `--stage`: the file is not read, and the run says so.
    let run = run_bin_in(&dir, &["--verbose", "."]);
    assert!(
        run.stderr
            .contains("lists several environments (dev, prod): give --stage to read one"),
        "{}",
        run.stderr
    );
}

// ------------------------------------------------------------------------------------------------
// The real projects of ../shared/corpus/stacks
// ------------------------------------------------------------------------------------------------

/// A project of the corpus manifest: its directory and entry files.
type CorpusProject = (String, Vec<String>);

/// The `kind` projects of the corpus manifest, and the folder they lie in.
fn corpus_projects(kind: &str) -> Option<(PathBuf, Vec<CorpusProject>)> {
    let Some(shared) = common::shared() else {
        eprintln!("skipped: ../shared is absent");
        return None;
    };
    let stacks = shared.join("corpus").join("stacks");
    let Ok(manifest) = std::fs::read_to_string(stacks.join("MANIFEST.tsv")) else {
        eprintln!("skipped: ../shared/corpus/stacks/MANIFEST.tsv is absent");
        return None;
    };
    let projects = manifest
        .lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols.get(3) == Some(&kind)).then(|| {
                (
                    cols[0].to_string(),
                    cols[4].split(';').map(str::to_string).collect(),
                )
            })
        })
        .collect();
    Some((stacks, projects))
}

/// Each run of a real project: no panic, no exit 2, no TM finding (the stack is assembled);
/// `amplify`: no finding this stacks would make false: no error, no TR or IP005
/// finding (the root stack's placeholder roles, the auth stack's role wiring). (The CDK
/// projects have true ones: mojayaute's `StringEquals` aud `*`, judged by reading it.)
fn check_real(dir: &Path, args: &[&str], amplify: bool) -> Vec<Parseable> {
    let mut all = vec!["--fail-level", "none"];
    all.extend_from_slice(args);
    let (run, found) = parseable_in(dir, &all);
    assert_eq!(
        run.code,
        Some(0),
        "{} {args:?}:\n{}",
        dir.display(),
        run.stderr
    );
    for f in &found {
        let false_for_amplify =
            f.severity == "error" || f.rule.starts_with("TR") || f.rule == "IP005";
        assert!(
            !(f.rule.starts_with("TM") || (amplify && false_for_amplify)),
            "{} {args:?}: {f:?}",
            dir.display()
        );
    }
    found
}

#[test]
fn real_amplify_projects() {
    let Some((stacks, projects)) = corpus_projects("amplify") else {
        return;
    };
    assert_eq!(projects.len(), 5);
    for (name, entries) in projects {
        let dir = stacks.join(&name);
        let entries: Vec<&str> = entries.iter().map(String::as_str).collect();
        let from_entries = check_real(&dir, &entries, true);
        let from_folder = check_real(&dir, &["."], true);
        // The auth template's findings are the same either way.
        let auth = |f: &[Parseable]| -> Vec<(String, String, usize)> {
            file_rule_lines(f)
                .into_iter()
                .filter(|x| x.0 == entries[1])
                .collect()
        };
        assert_eq!(auth(&from_entries), auth(&from_folder), "{name}");
        assert!(!auth(&from_folder).is_empty(), "{name}");
    }
}

// ------------------------------------------------------------------------------------------------
// CDK
// ------------------------------------------------------------------------------------------------

const API: &str = "cdk.out/ApiStack.template.json";
const NESTED: &str = "cdk.out/AuthStackRolesE5F6A7B8.nested.template.json";

/// `cdk.out` (listed in `.gitignore`) is read through its manifest: ApiStack's role trusts the
/// identity pool AuthStack exports (`AuthStack:ExportsOutputRef...`), which no attachment gives
/// it (IP005, across stacks); the nested stack (found by its `aws:asset:path`) receives the
/// pool as a parameter and attaches its role, whose policy grants `s3:*` (PM001, signed-in).
/// AuthStack imports `${AWS::StackName}-ApiEndpoint` of ApiStack (stackName `demo-api` in the
/// manifest). CDKMetadata, BootstrapVersion, the asset manifests, `tree.json` and the template
/// under `asset.*` give nothing.
#[test]
fn cdk_assembly() {
    let dir = project("cdk-app");
    let want = &[(API, "IP005", 17), (NESTED, "PM001", 46)];
    for args in [&["."][..], &["cdk.out"], &["cdk.out/manifest.json"]] {
        let (run, found) = parseable_in(&dir, args);
        assert_findings(&run, &found, want, 1);
    }
    // A template named alone is linted with its assembly; only its findings are reported.
    let (run, found) = parseable_in(&dir, &[API]);
    assert_findings(&run, &found, &[(API, "IP005", 17)], 1);
    // The construct path, in JSON and SARIF.
    let run = run_bin_in(&dir, &["-f", "json", "."]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_default();
    let constructs: Vec<(String, String)> = doc["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap_or("").to_string(),
                        f["construct"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        constructs,
        vec![
            (
                "IP005".to_string(),
                "ApiStack/ReaderRole/Resource".to_string()
            ),
            (
                "PM001".to_string(),
                "AuthStack/Roles/AuthenticatedRole/DefaultPolicy/Resource".to_string()
            ),
        ],
        "{}",
        run.stdout
    );
    let run = run_bin_in(&dir, &["-f", "sarif", "."]);
    assert!(
        run.stdout
            .contains("\"construct\": \"ApiStack/ReaderRole/Resource\""),
        "{}",
        run.stdout
    );
    let run = run_bin_in(&dir, &["--verbose", "."]);
    for want in [
        "stack `AuthStack + demo-api` (CDK cloud assembly cdk.out/manifest.json)",
        "(nested stack `RolesNestedStackRolesNestedStackResourceA1B2C3D4` of cdk.out/AuthStack.template.json)",
        "2 import(s) resolved to exports of the run",
        "skipped cdk.out/tree.json: a file of the CDK cloud assembly cdk.out",
    ] {
        assert!(run.stderr.contains(want), "{want}\n{}", run.stderr);
    }
    assert!(
        !run.stderr.contains("stale.template.json"),
        "{}",
        run.stderr
    );
}

#[test]
fn real_cdk_projects() {
    let Some((stacks, projects)) = corpus_projects("cdk") else {
        return;
    };
    assert_eq!(projects.len(), 4);
    for (name, entries) in projects {
        let dir = stacks.join(&name);
        let entries: Vec<&str> = entries.iter().map(String::as_str).collect();
        let from_manifest = check_real(&dir, &entries, false);
        let from_folder = check_real(&dir, &["."], false);
        assert_eq!(
            file_rule_lines(&from_manifest),
            file_rule_lines(&from_folder),
            "{name}"
        );
        assert!(!from_folder.is_empty(), "{name}");
    }
}

/// Amplify Gen 2 synthesizes a cloud assembly under the hidden `.amplify/artifacts/cdk.out`:
/// read through its manifest like `cdk.out`, and its asset folders are not "templates left
/// out" (no note says so).
#[test]
fn amplify_gen2_cloud_assembly_is_read_through_its_manifest() {
    let dir = common::hostile::scratch("amplify-gen2");
    let assembly = dir.join(".amplify/artifacts/cdk.out");
    let source = project("cdk-app").join("cdk.out");
    let copy = |from: &Path, to: &Path| {
        std::fs::create_dir_all(to.parent().unwrap_or(to)).unwrap_or_else(|e| panic!("{e}"));
        std::fs::copy(from, to).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    };
    for entry in std::fs::read_dir(&source).unwrap_or_else(|e| panic!("{e}")) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        let name = entry.file_name();
        if entry.path().is_dir() {
            for inner in std::fs::read_dir(entry.path()).unwrap_or_else(|e| panic!("{e}")) {
                let inner = inner.unwrap_or_else(|e| panic!("{e}"));
                copy(&inner.path(), &assembly.join(&name).join(inner.file_name()));
            }
        } else {
            copy(&entry.path(), &assembly.join(&name));
        }
    }
    let (run, found) = parseable_in(&dir, &["."]);
    let prefix = ".amplify/artifacts/";
    let want = [
        (format!("{prefix}{API}"), "IP005", 17),
        (format!("{prefix}{NESTED}"), "PM001", 46),
    ];
    let want: Vec<(&str, &str, usize)> =
        want.iter().map(|(f, r, l)| (f.as_str(), *r, *l)).collect();
    assert_findings(&run, &found, &want, 1);
    assert!(
        !run.stderr.contains("not linted"),
        "stderr:\n{}",
        run.stderr
    );
}
