//! Stacks that span templates (CLI.md, *Stacks*; issue 13): nested stacks, stacks linked by
//! `Export`/`Fn::ImportValue`, Amplify Gen 1 projects and CDK output, linted through the binary
//! with the project folder (`fixtures/projects/<name>`) as the current directory. Each test
//! asserts the exact (file, rule, line) list and the exit code.

mod common;

use common::{assert_findings, at, parseable_in, project, run_bin_in};

// ------------------------------------------------------------------------------------------------
// nested-parent: main.yaml nests children/auth.yaml and children/roles.yaml, and a missing one
// ------------------------------------------------------------------------------------------------

/// The parent passes `AllowGuests: !Ref Guests` (default 'true'), so the identity pool's guest
/// door is open (IP001, from the parent's default); the roles child receives the pool's ID as
/// `!GetAtt Auth.Outputs.IdentityPoolId`, so its attachment names the pool (no IP005 "no
/// attachment" on the pool) and its aud is pinned to it (no TR003); the missing child is TM011
/// at its URL, and the rest is linted.
const NESTED: &[(&str, &str, usize)] = &[
    ("children/auth.yaml", "IP001", 13),
    ("main.yaml", "TM011", 24),
];

#[test]
fn nested_children_are_linted_with_the_parent_parameters_and_outputs() {
    let dir = project("nested-parent");
    let (run, found) = parseable_in(&dir, &["--fail-level", "none", "."]);
    assert_findings(&run, &found, NESTED, 0);
    let ip001 = at(&found, "children/auth.yaml", "IP001", 13);
    assert!(ip001.message.contains("parameter `Guests`"), "{ip001:?}");
    let tm011 = at(&found, "main.yaml", "TM011", 24);
    assert!(tm011.message.contains("children/missing.yaml"), "{tm011:?}");
}

#[test]
fn nested_parent_given_alone_lints_its_children() {
    let dir = project("nested-parent");
    let (run, found) = parseable_in(&dir, &["--fail-level", "none", "main.yaml"]);
    // Only the file given is reported; its children are read to judge it.
    assert_findings(&run, &found, &[("main.yaml", "TM011", 24)], 0);
}

#[test]
fn nested_child_alone_is_linted_with_its_parent() {
    // Named alone (pre-commit passes the changed file), the child is found from its folder
    // upwards (to the repository root) in `main.yaml`, and judged in that stack: the parent's
    // `Guests` default opens the pool (IP001), and the attachment in the sibling child gives
    // its roles (no false IP005 "no attachment"). The parent's own findings are not reported.
    let dir = project("nested-parent");
    let (run, found) = parseable_in(&dir, &["--fail-level", "none", "children/auth.yaml"]);
    assert_findings(&run, &found, &[("children/auth.yaml", "IP001", 13)], 0);
}

// ------------------------------------------------------------------------------------------------
// linked-clean / linked-wrong: pools.yaml exports the pools, roles.yaml imports them
// ------------------------------------------------------------------------------------------------

/// The user pool's info findings only: the attachment of roles.yaml names the exported
/// identity pool (no IP005 "no attachment" on it) and the aud imports that pool (no TR003).
const LINKED_CLEAN: &[(&str, &str, usize)] = &[
    ("pools.yaml", "UP003", 7),
    ("pools.yaml", "UP004", 7),
    ("pools.yaml", "UP011", 7),
];

#[test]
fn linked_stacks_import_the_identity_pool_clean() {
    let dir = project("linked-clean");
    let (run, found) = parseable_in(&dir, &["--fail-level", "none", "."]);
    assert_findings(&run, &found, LINKED_CLEAN, 0);
}

#[test]
fn linked_stacks_aud_importing_the_user_pool_is_tr003_across_files() {
    let dir = project("linked-wrong");
    let (run, found) = parseable_in(&dir, &["--fail-level", "none", "pools.yaml", "roles.yaml"]);
    let mut want = LINKED_CLEAN.to_vec();
    want.push(("roles.yaml", "TR003", 15));
    assert_findings(&run, &found, &want, 0);
    let f = at(&found, "roles.yaml", "TR003", 15);
    assert!(
        f.message.contains("the user pool `UserPool`")
            && f.message.contains("identity pool `IdentityPool`"),
        "{f:?}"
    );
    // Both ends are labelled: the attachment in roles.yaml and the pool in pools.yaml.
    let run = run_bin_in(&dir, &["-f", "json", "pools.yaml", "roles.yaml"]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_default();
    let places: Vec<(String, u64, String)> = doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "TR003")
        .flat_map(|f| f["related"].as_array().cloned().unwrap_or_default())
        .map(|p| {
            (
                p["file"].as_str().unwrap_or_default().to_string(),
                p["line"].as_u64().unwrap_or_default(),
                p["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        places,
        vec![
            (
                "roles.yaml".to_string(),
                23,
                "attached as `authenticated` here".to_string()
            ),
            (
                "pools.yaml".to_string(),
                7,
                "the user pool `UserPool` is defined here".to_string()
            ),
        ],
        "{}",
        run.stdout
    );
}

#[test]
fn an_import_with_no_export_in_the_run_stays_unknown() {
    // roles.yaml alone: its imports name nothing of the run, nothing is reported.
    let dir = project("linked-wrong");
    let (run, found) = parseable_in(&dir, &["--fail-level", "none", "roles.yaml"]);
    assert_findings(&run, &found, &[], 0);
}

/// An editor's unsaved buffer of a nested child (`--stdin-filename`): linted with the parent
/// that nests it, with the buffer's text in place of the file on disk.
#[test]
fn nested_child_on_standard_input_is_linted_with_its_parent_and_the_buffer() {
    let dir = project("nested-parent");
    let on_disk = std::fs::read_to_string(dir.join("children/auth.yaml"))
        .unwrap_or_else(|e| panic!("children/auth.yaml: {e}"));
    let args = [
        "-f",
        "parseable",
        "--fail-level",
        "none",
        "--stdin-filename",
        "children/auth.yaml",
        "-",
    ];
    // As on disk: the parent's `Guests` default opens the pool; no false IP005 (the
    // attachment is in the sibling child).
    let run = common::hostile::run("stdin-child", &dir, &args, Some(on_disk.as_bytes()));
    assert_eq!(
        run.stdout,
        "children/auth.yaml:13:39:13:55:IP001:info:`IdentityPool` hands out credentials to anyone, without sign-in (guest access) (from the default of parameter `Guests`)\n",
        "stderr: {}",
        run.stderr
    );
    // The buffer closes guest access: nothing, whatever the file on disk says.
    let edited = on_disk.replace(
        "AllowUnauthenticatedIdentities: !Ref AllowGuests",
        "AllowUnauthenticatedIdentities: false",
    );
    assert_ne!(edited, on_disk);
    let run = common::hostile::run("stdin-child-edited", &dir, &args, Some(edited.as_bytes()));
    assert_eq!(run.stdout, "", "stderr: {}", run.stderr);
    assert_eq!(run.code, Some(0));
}
