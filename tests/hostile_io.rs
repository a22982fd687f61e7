//! Hostile input, reading and walking (issue 12): FIFOs and devices, endless standard input,
//! files that lie about their size, what a run keeps in memory, `exclude` relative to the
//! config's folder, a file named twice, unreadable folders, and files a walk must not skip
//! silently (UTF-16/UTF-32, symbolic links, upper-case extensions, a `.gitignore` outside a
//! repository, hidden folders). Every input is made by the test in a scratch folder.

mod common;

use std::path::Path;

use common::hostile::{run, scratch};

/// A template with exactly one finding: TM003 at 6:23–6:27 (`Nöpe`, after non-ASCII text on
/// line 1, so positions count code points in the decoded text).
const TEMPLATE: &str = "Description: \"café ☕ 𝄞\"\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref Nöpe\n";

/// A template without findings.
const CLEAN: &str = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n";

/// The parseable line of [`TEMPLATE`]'s finding in `file`.
fn tm003(file: &str) -> String {
    format!(
        "{file}:6:23:6:27:TM003:error:`Ref` to `Nöpe`, which is neither a parameter, a resource nor a pseudo parameter\n"
    )
}

fn write(dir: &Path, rel: &str, bytes: impl AsRef<[u8]>) {
    common::write_file(dir, rel, bytes);
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "mkfifo {} failed", path.display());
}

fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::os::unix::fs::symlink(target.as_ref(), link)
        .unwrap_or_else(|e| panic!("symlink {}: {e}", link.display()));
}

/// Lines of `stderr` that are not the limits line `--verbose` ends with.
fn verbose_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| !l.starts_with("limits:"))
        .collect()
}

// ------------------------------------------------------------------------------------------------
// 1. FIFOs, devices, endless input
// ------------------------------------------------------------------------------------------------

#[test]
fn fifo_and_devices_named_explicitly_are_tm010_without_being_read() {
    let dir = scratch("fifo-named");
    mkfifo(&dir.join("stack.yaml"));
    // Names the run reads as Serverless stacks, too.
    mkfifo(&dir.join("serverless.yml"));
    mkfifo(&dir.join("serverless-compose.yml"));
    // Opening the FIFO for reading would block until a writer comes: none ever does.
    let r = run(
        "fifo-named",
        &dir,
        &[
            "-f",
            "parseable",
            "stack.yaml",
            "serverless.yml",
            "serverless-compose.yml",
            "/dev/zero",
            "/dev/null",
        ],
        None,
    );
    assert_eq!(
        r.stdout,
        "/dev/null:1:1:1:1:TM010:error:not a regular file (a character device): not read\n\
         /dev/zero:1:1:1:1:TM010:error:not a regular file (a character device): not read\n\
         serverless-compose.yml:1:1:1:1:TM010:error:not a regular file (a FIFO): not read\n\
         serverless.yml:1:1:1:1:TM010:error:not a regular file (a FIFO): not read\n\
         stack.yaml:1:1:1:1:TM010:error:not a regular file (a FIFO): not read\n",
        "stderr: {}",
        r.stderr
    );
    assert_eq!(r.code, Some(1), "stderr: {}", r.stderr);
    // The human report draws it at 1:1 of an empty text.
    let r = run("fifo-named-human", &dir, &["stack.yaml"], None);
    assert!(
        r.stdout.contains("× not a regular file (a FIFO): not read")
            && r.stdout.contains("[stack.yaml:1:1]"),
        "{}",
        r.stdout
    );
    assert_eq!(r.code, Some(1));
}

#[test]
fn fifo_in_a_walk_is_skipped_with_a_verbose_note() {
    let dir = scratch("fifo-walked");
    write(&dir, "t.yaml", TEMPLATE);
    mkfifo(&dir.join("pipe.yaml"));
    let r = run(
        "fifo-walked",
        &dir,
        &["--verbose", "-f", "parseable", "."],
        None,
    );
    assert_eq!(r.stdout, tm003("t.yaml"));
    assert_eq!(
        verbose_lines(&r.stderr),
        ["skipped pipe.yaml: not a regular file (a FIFO): not read"]
    );
    assert_eq!(r.code, Some(1));
}

#[test]
fn endless_stdin_stops_at_max_file_size() {
    let dir = scratch("stdin-endless");
    write(
        &dir,
        ".cfn-cognito-lint.yaml",
        "limits:\n  max-file-size: 1KiB\n",
    );
    // A template head, then more than the limit.
    let mut input = TEMPLATE.as_bytes().to_vec();
    input.extend(b"# padding padding padding padding\n".repeat(1000));
    let r = run(
        "stdin-endless",
        &dir,
        &["-f", "parseable", "-", "--stdin-filename", "s.yaml"],
        Some(&input),
    );
    assert_eq!(
        r.stdout,
        "s.yaml:1:1:1:1:TM010:error:standard input is more than max-file-size (1024 bytes): it is not analysed\n"
    );
    assert_eq!(r.code, Some(1));
}

/// Runs the binary with standard input read from a file (a device), under the same limits as
/// the shared helper.
fn run_with_stdin_from(
    case: &str,
    dir: &Path,
    args: &[&str],
    stdin: &Path,
) -> (Option<i32>, String, String) {
    use std::process::{Command, Stdio};
    let bin = env!("CARGO_BIN_EXE_cfn-cognito-lint");
    let input = std::fs::File::open(stdin).unwrap_or_else(|e| panic!("{case}: {e}"));
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {} && exec \"$0\" \"$@\"",
            common::hostile::MEMORY_LIMIT_KB
        ))
        .arg(bin)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::from(input))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{case}: {e}"));
    let start = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > common::hostile::TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{case}: no answer within {:?} (a hang)",
                    common::hostile::TIMEOUT
                );
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(5)),
            Err(e) => panic!("{case}: {e}"),
        }
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("{case}: {e}"));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn stdin_from_dev_zero_ends_at_the_limit() {
    let dir = scratch("stdin-zero");
    // Not a template: skipped, and --verbose says why.
    let (code, stdout, stderr) = run_with_stdin_from(
        "stdin-zero",
        &dir,
        &["--verbose", "-f", "parseable", "-"],
        Path::new("/dev/zero"),
    );
    assert_eq!((code, stdout.as_str()), (Some(0), ""));
    assert_eq!(
        verbose_lines(&stderr),
        ["skipped <stdin>: not a CloudFormation template (larger than max-file-size)"]
    );
    // Named with --strict: TM010.
    let (code, stdout, _) = run_with_stdin_from(
        "stdin-zero-strict",
        &dir,
        &["--strict", "-f", "parseable", "-"],
        Path::new("/dev/zero"),
    );
    assert_eq!(
        stdout,
        "<stdin>:1:1:1:1:TM010:error:standard input is more than max-file-size (33554432 bytes): it is not analysed\n"
    );
    assert_eq!(code, Some(1));
}

#[test]
fn a_file_that_says_it_is_empty_is_read_only_up_to_the_limit() {
    // `/proc/self/environ` is a regular file whose size is 0, whatever it holds.
    let environ = Path::new("/proc/self/environ");
    if !environ.exists() {
        eprintln!("skipped: no /proc/self/environ on this system");
        return;
    }
    let dir = scratch("size-lies");
    write(
        &dir,
        ".cfn-cognito-lint.yaml",
        "limits:\n  max-file-size: 16B\n",
    );
    let r = run(
        "size-lies",
        &dir,
        &[
            "--config",
            ".cfn-cognito-lint.yaml",
            "--strict",
            "-f",
            "parseable",
            "/proc/self/environ",
        ],
        None,
    );
    assert_eq!(
        r.stdout,
        "/proc/self/environ:1:1:1:1:TM010:error:the file is more than max-file-size (16 bytes): it is not analysed\n",
        "stderr: {}",
        r.stderr
    );
    assert_eq!(r.code, Some(1));
}

// ------------------------------------------------------------------------------------------------
// 2. What a run keeps
// ------------------------------------------------------------------------------------------------

#[test]
fn a_run_keeps_only_the_text_of_files_with_findings() {
    let dir = scratch("kept-text");
    write(&dir, "t.yaml", TEMPLATE);
    write(&dir, "clean.yaml", CLEAN);
    // A large data file that is not a template.
    let data = format!("[{}0]\n", "1234567890, ".repeat(100_000));
    write(&dir, "data.json", &data);
    let outcome = cfn_cognito_lint::lint_paths(
        std::slice::from_ref(&dir),
        &cfn_cognito_lint::Options::default(),
    );
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let base = format!("{}/", dir.display());
    let kept: Vec<(String, usize, bool, usize)> = outcome
        .reports
        .iter()
        .map(|r| {
            (
                r.path.strip_prefix(&base).unwrap_or(&r.path).to_string(),
                r.source.len(),
                r.skipped.is_some(),
                r.index.line_count(),
            )
        })
        .collect();
    assert_eq!(
        kept,
        [
            ("clean.yaml".to_string(), 0, false, 1),
            ("data.json".to_string(), 0, true, 1),
            ("t.yaml".to_string(), TEMPLATE.len(), false, 7),
        ]
    );
}

// ------------------------------------------------------------------------------------------------
// 3. `exclude` is relative to the config's folder
// ------------------------------------------------------------------------------------------------

#[test]
fn exclude_is_relative_to_the_config_folder() {
    let dir = scratch("exclude");
    write(&dir, ".cfn-cognito-lint.yaml", "exclude: [\"gen/**\"]\n");
    write(&dir, "gen/a.yaml", TEMPLATE);
    // Anchored at the config's folder: a `gen` elsewhere is linted.
    write(&dir, "src/gen/b.yaml", TEMPLATE);
    write(&dir, "src/c.yaml", TEMPLATE);
    let abs = dir.to_string_lossy().into_owned();
    let src = dir.join("src");
    let cases: Vec<(&str, &Path, Vec<String>, String)> = vec![
        (
            "from the config's folder",
            &dir,
            vec![".".into()],
            tm003("src/c.yaml") + &tm003("src/gen/b.yaml"),
        ),
        (
            "absolute path",
            &dir,
            vec![abs.clone()],
            tm003(&format!("{abs}/src/c.yaml")) + &tm003(&format!("{abs}/src/gen/b.yaml")),
        ),
        (
            "run from a subfolder",
            &src,
            vec!["..".into()],
            tm003("../src/c.yaml") + &tm003("../src/gen/b.yaml"),
        ),
        (
            "files named from a subfolder",
            &src,
            vec!["../gen/a.yaml".into(), "gen/b.yaml".into()],
            tm003("gen/b.yaml"),
        ),
        (
            "file named by its absolute path",
            &src,
            vec![format!("{abs}/gen/a.yaml"), "c.yaml".into()],
            tm003("c.yaml"),
        ),
    ];
    for (what, cwd, paths, expected) in cases {
        let mut args = vec!["-f", "parseable"];
        args.extend(paths.iter().map(String::as_str));
        let r = run("exclude", cwd, &args, None);
        assert_eq!(r.stdout, expected, "{what}; stderr: {}", r.stderr);
        assert_eq!(r.code, Some(1), "{what}");
    }
}

// ------------------------------------------------------------------------------------------------
// 4. A file named twice is linted once
// ------------------------------------------------------------------------------------------------

#[test]
fn a_file_named_twice_is_linted_once() {
    let dir = scratch("named-twice");
    write(&dir, "a.yaml", TEMPLATE);
    symlink("a.yaml", &dir.join("link.yaml"));
    let abs = format!("{}/a.yaml", dir.display());
    let cases: [(Vec<&str>, &str); 5] = [
        (vec![".", "a.yaml"], "a.yaml"),
        (vec!["a.yaml", "./a.yaml"], "a.yaml"),
        (vec![abs.as_str(), "a.yaml"], abs.as_str()),
        (vec!["a.yaml", "link.yaml"], "a.yaml"),
        (vec!["link.yaml", "a.yaml"], "link.yaml"),
    ];
    for (paths, shown) in cases {
        let mut args = vec!["-f", "parseable"];
        args.extend(paths.iter().copied());
        let r = run("named-twice", &dir, &args, None);
        assert_eq!(r.stdout, tm003(shown), "{paths:?}; stderr: {}", r.stderr);
        assert_eq!(r.code, Some(1));
        let mut args = vec!["-f", "json"];
        args.extend(paths.iter().copied());
        let r = run("named-twice-json", &dir, &args, None);
        assert!(
            r.stdout.contains("\"files\": 1,"),
            "{paths:?}: {}",
            r.stdout
        );
    }
}

// ------------------------------------------------------------------------------------------------
// 5. A file under an unreadable folder: permission denied
// ------------------------------------------------------------------------------------------------

#[test]
fn a_file_under_an_unreadable_folder_is_permission_denied() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("unreadable");
    write(&dir, "locked/a.yaml", TEMPLATE);
    let locked = dir.join("locked");
    let set = |mode: u32| {
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(mode))
            .unwrap_or_else(|e| panic!("chmod: {e}"));
    };
    set(0o000);
    let enforced = std::fs::read(locked.join("a.yaml")).is_err();
    let args = ["-f", "parseable", "locked/a.yaml"];
    let (code, stdout, stderr) = if enforced {
        let r = run("unreadable", &dir, &args, None);
        (r.code, r.stdout, r.stderr)
    } else {
        // Permissions are not enforced for this user (root): run the binary as `nobody`
        // through setpriv when it can, else skip.
        let out = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_cfn-cognito-lint"))
            .args(args)
            .current_dir(&dir)
            .output();
        match out {
            Ok(o) if !String::from_utf8_lossy(&o.stderr).contains("setpriv") => (
                o.status.code(),
                String::from_utf8_lossy(&o.stdout).into_owned(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            ),
            other => {
                set(0o755);
                eprintln!(
                    "skipped: permissions are not enforced for this user (root) and setpriv cannot run the binary as another user: {other:?}"
                );
                return;
            }
        }
    };
    set(0o755);
    assert_eq!(stdout, "", "stderr: {stderr}");
    assert_eq!(
        stderr,
        "cfn-cognito-lint: locked/a.yaml: permission denied\n"
    );
    assert_eq!(code, Some(2));
}

// ------------------------------------------------------------------------------------------------
// 6. Nothing skipped silently
// ------------------------------------------------------------------------------------------------

#[test]
fn utf16_and_utf32_files_with_a_bom_are_decoded() {
    let dir = scratch("wide");
    let units16: Vec<u16> = TEMPLATE.encode_utf16().collect();
    let le16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(units16.iter().flat_map(|u| u.to_le_bytes()))
        .collect();
    let be16: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(units16.iter().flat_map(|u| u.to_be_bytes()))
        .collect();
    let le32: Vec<u8> = [0xFF, 0xFE, 0, 0]
        .into_iter()
        .chain(TEMPLATE.chars().flat_map(|c| u32::from(c).to_le_bytes()))
        .collect();
    let be32: Vec<u8> = [0, 0, 0xFE, 0xFF]
        .into_iter()
        .chain(TEMPLATE.chars().flat_map(|c| u32::from(c).to_be_bytes()))
        .collect();
    write(&dir, "le16.yaml", &le16);
    write(&dir, "be16.yaml", &be16);
    write(&dir, "le32.yaml", &le32);
    write(&dir, "be32.yaml", &be32);
    // An unpaired surrogate after the text (line 7), and UTF-32 with a value out of range.
    let mut bad16 = le16.clone();
    bad16.extend([0x00, 0xD8, b'x', 0]);
    write(&dir, "bad16.yaml", &bad16);
    let mut bad32 = be32.clone();
    bad32.extend([0, 0x11, 0, 0]);
    write(&dir, "bad32.yaml", &bad32);
    let r = run("wide", &dir, &["-f", "parseable", "."], None);
    let expected = [
        format!(
            "bad16.yaml:7:1:7:2:TM001:error:invalid UTF-16 at byte {} (an unpaired surrogate 0xD800)\n",
            le16.len()
        ),
        format!(
            "bad32.yaml:7:1:7:2:TM001:error:invalid UTF-32 at byte {} (0x00110000 is not a Unicode character)\n",
            be32.len()
        ),
        tm003("be16.yaml"),
        tm003("be32.yaml"),
        tm003("le16.yaml"),
        tm003("le32.yaml"),
    ]
    .concat();
    assert_eq!(r.stdout, expected, "stderr: {}", r.stderr);
    assert_eq!(r.code, Some(1));
    // Standard input too.
    let r = run(
        "wide-stdin",
        &dir,
        &["-f", "parseable", "-", "--stdin-filename", "in.yaml"],
        Some(&le16),
    );
    assert_eq!(r.stdout, tm003("in.yaml"));
}

#[test]
fn symbolic_links_in_a_walk_are_followed_inside_and_reported_outside() {
    let base = scratch("links");
    let dir = base.join("project");
    write(&dir, ".shared/inside.yaml", TEMPLATE);
    write(&dir, "real.yaml", TEMPLATE);
    write(&base, "outside.yaml", TEMPLATE);
    // To a file the walk does not reach itself (a hidden folder): linted under the link's name.
    symlink(".shared/inside.yaml", &dir.join("via-link.yaml"));
    // To a file the walk reaches: linted once, under its own name.
    symlink("real.yaml", &dir.join("a-link.yaml"));
    // Out of the walked folder: not followed, and said so.
    symlink("../outside.yaml", &dir.join("out.yaml"));
    write(&base, "ext/x.yaml", TEMPLATE);
    symlink("../ext", &dir.join("ext-link"));
    // A folder inside: not followed (its files are walked where they are).
    std::fs::create_dir_all(dir.join("sub")).unwrap_or_else(|e| panic!("{e}"));
    symlink("sub", &dir.join("sub-link"));
    let r = run("links", &dir, &["-f", "parseable", "."], None);
    assert_eq!(r.stdout, tm003("real.yaml") + &tm003("via-link.yaml"));
    // (The file in the hidden folder is linted through the link: not said to be left out.)
    assert_eq!(
        r.stderr,
        "note: not linted: 2 symbolic links to paths outside the walked folder (--verbose lists them)\n"
    );
    assert_eq!(r.code, Some(1));
    // The target named too: linted, so not said to be left out.
    let r = run(
        "links-target-named",
        &dir,
        &["-f", "parseable", ".", "../outside.yaml"],
        None,
    );
    assert_eq!(
        r.stdout,
        tm003("../outside.yaml") + &tm003("real.yaml") + &tm003("via-link.yaml")
    );
    assert_eq!(
        r.stderr,
        "note: not linted: 1 symbolic link to a path outside the walked folder (--verbose lists them)\n"
    );
    let r = run(
        "links-verbose",
        &dir,
        &["--verbose", "-q", "-f", "parseable", "."],
        None,
    );
    let real = |rel: &str| {
        std::fs::canonicalize(base.join(rel))
            .unwrap_or_else(|e| panic!("{e}"))
            .display()
            .to_string()
    };
    assert_eq!(
        verbose_lines(&r.stderr),
        [
            "note: not linted: 2 symbolic links to paths outside the walked folder (--verbose lists them)"
                .to_string(),
            "skipped sub-link: a symbolic link to a folder: not followed".to_string(),
            format!(
                "skipped ext-link: a symbolic link to a folder outside the walked folder ({}): not followed",
                real("ext")
            ),
            format!(
                "skipped out.yaml: a symbolic link to a file outside the walked folder ({}): not followed",
                real("outside.yaml")
            ),
        ]
    );
}

#[test]
fn upper_case_extensions_are_walked() {
    let dir = scratch("upper-case");
    write(&dir, "A.YAML", TEMPLATE);
    write(&dir, "b.Yml", TEMPLATE);
    write(
        &dir,
        "c.JSON",
        "{\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\", \"Properties\": {\"TopicName\": {\"Ref\": \"Nope\"}}}}}\n",
    );
    write(&dir, "d.Template", TEMPLATE);
    let r = run("upper-case", &dir, &["-f", "parseable", "."], None);
    assert_eq!(
        r.stdout,
        tm003("A.YAML")
            + &tm003("b.Yml")
            + "c.JSON:1:85:1:91:TM003:error:`Ref` to `Nope`, which is neither a parameter, a resource nor a pseudo parameter\n"
            + &tm003("d.Template"),
        "stderr: {}",
        r.stderr
    );
}

#[test]
fn gitignore_applies_only_inside_a_git_work_tree() {
    // Outside any repository, a .gitignore above the project is not a rule (git ignores it).
    let base = scratch("gitignore-outside");
    write(&base, ".gitignore", "*.yaml\n");
    write(&base, "project/t.yaml", TEMPLATE);
    let r = run(
        "gitignore-outside",
        &base.join("project"),
        &["-f", "parseable", "."],
        None,
    );
    assert_eq!(r.stdout, tm003("t.yaml"), "stderr: {}", r.stderr);
    // Inside a work tree it is.
    let base = scratch("gitignore-inside");
    std::fs::create_dir_all(base.join(".git")).unwrap_or_else(|e| panic!("{e}"));
    write(&base, ".gitignore", "*.yaml\n");
    write(&base, "project/t.yaml", TEMPLATE);
    let r = run(
        "gitignore-inside",
        &base.join("project"),
        &["-f", "parseable", "."],
        None,
    );
    assert_eq!(
        (r.stdout.as_str(), r.code),
        ("", Some(0)),
        "stderr: {}",
        r.stderr
    );
}

#[test]
fn hidden_folders_are_skipped_and_said_so() {
    let dir = scratch("hidden");
    write(&dir, "t.yaml", TEMPLATE);
    write(&dir, ".github/workflows/ci.yml", "on: push\njobs: {}\n");
    write(&dir, ".aws-sam/build/template.yaml", TEMPLATE);
    write(&dir, ".hidden.yaml", CLEAN);
    write(
        &dir,
        ".sechub/serverless.yml",
        "service: sechub\nprovider:\n  name: aws\n",
    );
    let r = run("hidden", &dir, &["-f", "parseable", "."], None);
    assert_eq!(r.stdout, tm003("t.yaml"));
    // (A Serverless service file is always named when it is not linted.)
    assert_eq!(
        r.stderr,
        "note: .sechub/serverless.yml: looks like a Serverless service, in the hidden folder .sechub/, which a walk does not enter: name it to lint it\n\
         note: not linted: 3 files that look like templates or Serverless services, hidden or in hidden folders (--verbose lists them)\n"
    );
    let r = run(
        "hidden-verbose",
        &dir,
        &["--verbose", "-q", "-f", "parseable", "."],
        None,
    );
    assert_eq!(
        verbose_lines(&r.stderr),
        [
            "note: .sechub/serverless.yml: looks like a Serverless service, in the hidden folder .sechub/, which a walk does not enter: name it to lint it",
            "note: not linted: 3 files that look like templates or Serverless services, hidden or in hidden folders (--verbose lists them)",
            "skipped .github/: a hidden folder, not walked (no file in it looks like a template)",
            "skipped .aws-sam/build/template.yaml: looks like a template, in the hidden folder .aws-sam/, which a walk does not enter: name it to lint it",
            "skipped .hidden.yaml: looks like a template, but is a hidden file, which a walk does not pick: name it to lint it",
            "skipped .sechub/serverless.yml: looks like a Serverless service, in the hidden folder .sechub/, which a walk does not enter: name it to lint it",
        ]
    );
    // Named, a hidden folder or file is linted, and no longer said to be left out.
    let r = run(
        "hidden-named",
        &dir,
        &["-f", "parseable", ".", ".aws-sam", ".hidden.yaml"],
        None,
    );
    assert_eq!(
        r.stdout,
        tm003(".aws-sam/build/template.yaml") + &tm003("t.yaml")
    );
    assert_eq!(
        r.stderr,
        "note: .sechub/serverless.yml: looks like a Serverless service, in the hidden folder .sechub/, which a walk does not enter: name it to lint it\n\
         note: not linted: 1 file that looks like a Serverless service, hidden or in a hidden folder (--verbose lists them)\n"
    );
}
