//! Expanding the paths of a run: folders walked (ignore files as git applies them, the
//! config's `exclude` relative to its folder, hidden entries and symbolic links judged and
//! never skipped silently), each file once by its real path.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::paths::Style;

use crate::input::{FileBytes, HEAD_BYTES, decode, io_message, kind_of, read_limited};
use crate::{
    FileReport, Options, TEMPLATE_EXTENSIONS, looks_like_source, raw_looks_like_template, stack,
};

/// The config's `exclude` globs (gitignore syntax), relative to the config's folder
/// (`exclude_root`; the current directory when there is none).
pub(crate) struct Exclude {
    matcher: ignore::gitignore::Gitignore,
    root: PathBuf,
}

impl Exclude {
    pub(crate) fn new(options: &Options) -> Result<Exclude, String> {
        let root = match &options.exclude_root {
            Some(r) => stack::absolute(r),
            None => stack::absolute(Path::new("")),
        };
        let mut b = ignore::gitignore::GitignoreBuilder::new(&root);
        for g in &options.exclude {
            b.add_line(None, g)
                .map_err(|e| format!("exclude `{g}`: {e}"))?;
        }
        let matcher = b.build().map_err(|e| e.to_string())?;
        Ok(Exclude { matcher, root })
    }

    /// Whether a path (as given or found) is excluded; `parents`: or one of its folders (a file
    /// named explicitly; a walk does not enter excluded folders). Paths outside the config's
    /// folder are not.
    pub(crate) fn excludes(&self, path: &Path, is_dir: bool, parents: bool) -> bool {
        if self.matcher.is_empty() {
            return false;
        }
        let abs = stack::absolute(path);
        match (abs.to_str(), self.root.to_str()) {
            (Some(abs), Some(root)) => self.excludes_in(root, abs, is_dir, parents, Style::HOST),
            // A name that is not UTF-8: the host's own path rules.
            _ => match abs.strip_prefix(&self.root) {
                Ok(rel) if !rel.as_os_str().is_empty() => self.matches(rel, is_dir, parents),
                _ => false,
            },
        }
    }

    /// Whether the absolute path `abs` (a string in `style`) is excluded, its globs relative to
    /// `root`: the path relative to the root with `/` between folders is matched, so globs
    /// (gitignore syntax, always with `/`) match Windows paths written with `\`.
    fn excludes_in(
        &self,
        root: &str,
        abs: &str,
        is_dir: bool,
        parents: bool,
        style: Style,
    ) -> bool {
        match crate::paths::relative_to(root, root, abs, style) {
            Some(rel) => self.matches(Path::new(&rel), is_dir, parents),
            None => false,
        }
    }

    fn matches(&self, rel: &Path, is_dir: bool, parents: bool) -> bool {
        if parents {
            self.matcher
                .matched_path_or_any_parents(rel, is_dir)
                .is_ignore()
        } else {
            self.matcher.matched(rel, is_dir).is_ignore()
        }
    }
}

/// Whether a walked entry is hidden (its name starts with a dot).
fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// Whether a file name has an extension a walk picks up (in any case: `.YAML`, `.Json`).
pub(crate) fn has_template_extension(path: &Path) -> bool {
    // (The extension of the name alone: `Path::extension` parses the whole path.)
    let name = crate::stack::file_name(path).map(Path::new);
    name.and_then(Path::extension)
        .and_then(|x| x.to_str())
        .is_some_and(|x| {
            TEMPLATE_EXTENSIONS
                .iter()
                .any(|t| t.eq_ignore_ascii_case(x))
        })
}

/// The head of a regular file (64 KiB), to tell whether it looks like a template or a
/// Serverless service without linting it; `None` when it cannot be read or is not a regular
/// file.
fn peek(path: &Path) -> Option<String> {
    match read_limited(path, HEAD_BYTES).ok()? {
        FileBytes::Bytes(head) | FileBytes::TooLarge { head, .. } => Some(decode(head).lossy()),
        FileBytes::NotRegular(_) => None,
    }
}

/// A report of a file that was found and not linted, with the reason (`--verbose` lists it).
fn skipped_report(path: &Path, reason: String) -> FileReport {
    let display = path.to_string_lossy();
    let mut r = FileReport::new(
        display.strip_prefix("./").unwrap_or(&display),
        String::new(),
    );
    r.skipped = Some(reason);
    r
}

/// What a directory walk found besides the files to lint.
#[derive(Default)]
struct WalkFound {
    /// Regular files with a template extension.
    files: Vec<PathBuf>,
    /// Symbolic links found.
    links: Vec<PathBuf>,
    /// Hidden files and folders not walked (`.git` aside).
    hidden: Vec<(PathBuf, bool)>,
    /// FIFOs, devices and sockets with a template's extension: path, what it is.
    special: Vec<(PathBuf, &'static str)>,
    errors: Vec<String>,
}

/// The generated folders directly under `dir` that this tool reads as stacks (Amplify's
/// `build` and `#current-cloud-backend`), which a walk enters even when an ignore file lists
/// them (the config's `exclude` still drops them).
fn generated_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut out = stack::amplify::generated_dirs(dir);
    out.extend(stack::cdk::generated_dirs(dir));
    out
}

/// Walks a folder: files with a template extension (any case), honouring `.ignore` files
/// and, inside a git work tree, `.gitignore` (as git does), and the config's `exclude`. Hidden
/// entries and symbolic links are collected for the caller to judge.
fn walk(dir: &Path, exclude: &std::sync::Arc<Exclude>) -> WalkFound {
    use std::sync::{Arc, Mutex};
    let hidden: Arc<Mutex<Vec<(PathBuf, bool)>>> = Arc::default();
    // Folders walked, and generated folders under them this tool reads as stacks (walked
    // below when an ignore file kept the walk out of them).
    let dirs: Arc<Mutex<(Vec<PathBuf>, Vec<PathBuf>)>> =
        Arc::new(Mutex::new((Vec::new(), generated_dirs(dir))));
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .git_ignore(true)
        .require_git(true)
        .filter_entry({
            let exclude = exclude.clone();
            let hidden = hidden.clone();
            let dirs = dirs.clone();
            move |e| {
                if e.depth() == 0 {
                    return true;
                }
                let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                if exclude.excludes(e.path(), is_dir, false) {
                    return false;
                }
                if is_hidden(e.file_name()) {
                    if e.file_name() != ".git" {
                        let mut guard = hidden.lock().unwrap_or_else(|p| p.into_inner());
                        guard.push((e.path().to_path_buf(), is_dir));
                    }
                    return false;
                }
                if is_dir && stack::cdk::is_asset_dir(e.path()) {
                    return false;
                }
                if is_dir {
                    let generated = generated_dirs(e.path());
                    let mut guard = dirs.lock().unwrap_or_else(|p| p.into_inner());
                    guard.0.push(e.path().to_path_buf());
                    guard.1.extend(generated);
                }
                true
            }
        })
        .build_parallel();
    // Walked on several threads; the order is restored by sorting below.
    let found = Mutex::new(WalkFound::default());
    walker.run(|| {
        let found = &found;
        Box::new(move |entry| {
            let mut guard = found.lock().unwrap_or_else(|p| p.into_inner());
            match entry {
                Ok(e) => match e.file_type() {
                    Some(t) if t.is_file() && has_template_extension(e.path()) => {
                        guard.files.push(e.into_path());
                    }
                    Some(t) if t.is_symlink() => guard.links.push(e.into_path()),
                    Some(t)
                        if !t.is_file()
                            && !t.is_dir()
                            && e.depth() > 0
                            && has_template_extension(e.path()) =>
                    {
                        guard.special.push((e.into_path(), kind_of(&t)));
                    }
                    _ => {}
                },
                Err(err) => guard.errors.push(err.to_string()),
            }
            ignore::WalkState::Continue
        })
    });
    let mut found = found.into_inner().unwrap_or_else(|p| p.into_inner());
    found.hidden = std::mem::take(&mut *hidden.lock().unwrap_or_else(|p| p.into_inner()));
    let (walked, mut generated) =
        std::mem::take(&mut *dirs.lock().unwrap_or_else(|p| p.into_inner()));
    let walked: std::collections::HashSet<PathBuf> = walked.into_iter().collect();
    generated.sort();
    generated.dedup();
    for g in generated {
        if walked.contains(&g) || exclude.excludes(&g, true, true) {
            continue;
        }
        let sub = walk(&g, exclude);
        found.files.extend(sub.files);
        found.links.extend(sub.links);
        found.hidden.extend(sub.hidden);
        found.special.extend(sub.special);
        found.errors.extend(sub.errors);
    }
    sort_by_path(&mut found.files, |p| (p, ()));
    found.links.sort();
    found.hidden.sort();
    found.special.sort();
    found
}

/// The files under a hidden folder (or the hidden file itself) that look like templates or
/// Serverless services: what skipping it leaves out.
/// Each with what it looks like.
fn templates_in_hidden(
    path: &Path,
    is_dir: bool,
    exclude: &Exclude,
) -> Vec<(PathBuf, &'static str)> {
    let looks = |p: PathBuf| -> Option<(PathBuf, &'static str)> {
        if !has_template_extension(&p) {
            return None;
        }
        let head = peek(&p)?;
        if raw_looks_like_template(&head) {
            Some((p, "a template"))
        } else if looks_like_source(&head) {
            Some((p, "a Serverless service"))
        } else {
            None
        }
    };
    if !is_dir {
        return looks(path.to_path_buf()).into_iter().collect();
    }
    let mut out: Vec<(PathBuf, &'static str)> = ignore::WalkBuilder::new(path)
        .hidden(false)
        .git_ignore(true)
        .require_git(true)
        // A cloud assembly's asset folders are never linted, hidden or not (Amplify Gen 2's
        // `.amplify/artifacts/cdk.out` is read through its manifest).
        .filter_entry(|e| {
            e.file_name() != ".git"
                && !(e.file_type().is_some_and(|t| t.is_dir())
                    && stack::cdk::is_asset_dir(e.path()))
        })
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter(|e| !exclude.excludes(e.path(), false, true))
        .filter_map(|e| looks(e.into_path()))
        .collect();
    out.sort();
    out
}

/// How the run's paths were expanded: the files to lint (path as given or found, named
/// explicitly), reports of what was found and not linted, notes.
#[derive(Default)]
pub(crate) struct Expanded {
    pub files: Vec<(PathBuf, bool)>,
    /// Paths named explicitly that are not regular files (a FIFO, a device): what they are.
    pub special: std::collections::HashMap<PathBuf, &'static str>,
    /// Files found and not linted, with the reason (`--verbose` lists them).
    pub skipped: Vec<FileReport>,
    pub notes: Vec<String>,
    pub summary_notes: Vec<String>,
    pub errors: Vec<String>,
    /// The folders the run was given (and those of the files named), absolute.
    pub given_dirs: Vec<PathBuf>,
}

/// Something a walk left out that may be a template, judged once the run's files are known
/// (a hidden folder also named on the command line is linted, not left out).
struct Unlinted {
    /// Its real path (a symbolic link's target).
    real: PathBuf,
    /// The target is a folder (a symbolic link to a folder).
    folder: bool,
    /// What `--verbose` says: a skipped report, or a note for a folder.
    report: Result<FileReport, String>,
    why: Why,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Why {
    /// Hidden, or in a hidden folder: looks like a template / a Serverless service.
    Hidden { service: bool },
    /// A symbolic link out of the walked folder.
    LinkOutside,
}

/// A path with its symbolic links resolved; absolute (lexically) when it cannot be resolved.
fn real_path(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| stack::absolute(p))
}

/// The path as shown: without a leading `./`.
fn shown(p: &Path) -> String {
    let s = p.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

/// Expands the run's paths: folders walked, files named kept unless excluded; each file once
/// (by its real path: `a.yaml ./a.yaml`, a relative and an absolute spelling, a symbolic link
/// and its target), shown as first written and named explicitly when any spelling was.
/// Sorts as `v.sort()` would, where `by` gives each item's path and then the rest of its
/// order: with keys that compare as plain bytes (Unix). Sorting the thousands of paths of a
/// run compared them component by component, parsing both paths again at every comparison
/// (37M instructions of the serial start for the corpus folder).
fn sort_by_path<T, K: Ord>(v: &mut [T], by: impl Fn(&T) -> (&PathBuf, K)) {
    #[cfg(unix)]
    v.sort_by_cached_key(|t| {
        let (p, rest) = by(t);
        (path_key(p), rest)
    });
    #[cfg(not(unix))]
    v.sort_by(|a, b| {
        let (pa, ra) = by(a);
        let (pb, rb) = by(b);
        pa.cmp(pb).then(ra.cmp(&rb))
    });
}

/// A key that orders paths as `Path`'s own order does (component by component: the root,
/// `.`, `..`, then names byte by byte), compared as plain bytes.
#[cfg(unix)]
fn path_key(p: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    use std::path::Component;
    let mut key = Vec::with_capacity(p.as_os_str().len() + 8);
    for c in p.components() {
        match c {
            // (No prefixes on Unix.)
            Component::Prefix(_) => key.push(0),
            Component::RootDir => key.push(1),
            Component::CurDir => key.push(2),
            Component::ParentDir => key.push(3),
            // A name holds no NUL byte: the 0 ends it, below every byte that may follow.
            Component::Normal(name) => {
                key.push(4);
                key.extend_from_slice(name.as_bytes());
                key.push(0);
            }
        }
    }
    key
}

pub(crate) fn expand(paths: &[PathBuf], exclude: &std::sync::Arc<Exclude>) -> Expanded {
    let mut out = Expanded::default();
    // Each path's kind (a symbolic link followed, and whether it was one): looked up in
    // parallel (a run given thousands of files spends most of its serial start-up in these).
    let kinds: Vec<Result<(std::fs::FileType, bool), String>> = paths
        .par_iter()
        .map(|p| {
            let lm = std::fs::symlink_metadata(p)
                .map_err(|e| format!("{}: {}", p.display(), io_message(&e)))?;
            if !lm.file_type().is_symlink() {
                return Ok((lm.file_type(), false));
            }
            match std::fs::metadata(p) {
                Ok(m) => Ok((m.file_type(), true)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
                    "{}: a symbolic link to a path that does not exist",
                    p.display()
                )),
                Err(e) => Err(format!("{}: {}", p.display(), io_message(&e))),
            }
        })
        .collect();
    // The real folder of each file named, resolved once per folder (the file itself is not a
    // symbolic link: its real path is its real folder and its name).
    let folder_of = |p: &Path| -> PathBuf {
        match stack::parent(p) {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        }
    };
    let mut folders: Vec<PathBuf> = paths
        .iter()
        .zip(&kinds)
        .filter(|(_, k)| matches!(k, Ok((t, false)) if !t.is_dir()))
        .map(|(p, _)| folder_of(p))
        .collect();
    folders.sort();
    folders.dedup();
    let real_folders: std::collections::HashMap<PathBuf, PathBuf> = folders
        .into_par_iter()
        .map(|d| {
            let real = real_path(&d);
            (d, real)
        })
        .collect();
    // Each file named: its absolute path, whether `exclude` drops it, its real path (in
    // parallel: thousands of files are named when pre-commit or xargs passes them).
    let named: Vec<Option<(PathBuf, bool, PathBuf)>> = paths
        .par_iter()
        .zip(&kinds)
        .map(|(p, kind)| {
            let (t, link) = kind.as_ref().ok()?;
            if t.is_dir() {
                return None;
            }
            let excluded = exclude.excludes(p, false, true);
            let real = if *link {
                real_path(p)
            } else {
                match (real_folders.get(&folder_of(p)), stack::file_name(p)) {
                    (Some(d), Some(name)) => d.join(name),
                    _ => stack::absolute(p),
                }
            };
            Some((stack::absolute(p), excluded, real))
        })
        .collect();
    // (path, named explicitly, real path) in the order found.
    let mut found: Vec<(PathBuf, bool, PathBuf)> = Vec::new();
    let mut unlinted: Vec<Unlinted> = Vec::new();
    // How many folders were walked.
    let mut walked = 0usize;
    for ((p, kind), named) in paths.iter().zip(kinds).zip(named) {
        let t = match kind {
            Ok((t, _)) => t,
            Err(e) => {
                out.errors.push(e);
                continue;
            }
        };
        if let Some((a, excluded, real)) = named {
            let dir = stack::parent(&a).map(Path::to_path_buf).unwrap_or(a);
            // (Files of one folder come together: their folder is noted once.)
            if out.given_dirs.last() != Some(&dir) {
                out.given_dirs.push(dir);
            }
            if excluded {
                continue;
            }
            if !t.is_file() {
                out.special.insert(p.clone(), kind_of(&t));
            }
            found.push((p.clone(), true, real));
            continue;
        }
        out.given_dirs.push(stack::absolute(p));
        walked += 1;
        let root = real_path(p);
        // The real path of a path the walk found (it follows no symbolic link).
        let real_of = |path: &Path| match path.strip_prefix(p) {
            Ok(rel) => root.join(rel),
            Err(_) => stack::absolute(path),
        };
        let w = walk(p, exclude);
        out.errors.extend(w.errors);
        let mut linked = Vec::new();
        for l in &w.links {
            let Ok(target) = std::fs::canonicalize(l) else {
                if has_template_extension(l) {
                    out.skipped.push(skipped_report(
                        l,
                        "a symbolic link to a path that does not exist: not read".into(),
                    ));
                }
                continue;
            };
            let Ok(m) = std::fs::metadata(&target) else {
                continue;
            };
            let inside = target.starts_with(&root);
            if m.is_dir() {
                if inside {
                    out.notes.push(format!(
                        "skipped {}: a symbolic link to a folder: not followed",
                        shown(l)
                    ));
                } else {
                    unlinted.push(Unlinted {
                        report: Err(format!(
                            "skipped {}: a symbolic link to a folder outside the walked folder ({}): not followed",
                            shown(l),
                            target.display()
                        )),
                        real: target,
                        folder: true,
                        why: Why::LinkOutside,
                    });
                }
            } else if !has_template_extension(l) {
                // Not a file a walk picks.
            } else if !inside {
                unlinted.push(Unlinted {
                    report: Ok(skipped_report(
                        l,
                        format!(
                            "a symbolic link to a file outside the walked folder ({}): not followed",
                            target.display()
                        ),
                    )),
                    real: target,
                    folder: false,
                    why: Why::LinkOutside,
                });
            } else if exclude.excludes(&target, false, true) {
                // Excluded where it is: excluded through a link too.
            } else if m.is_file() {
                linked.push((l.clone(), target));
            } else {
                out.skipped.push(skipped_report(
                    l,
                    format!("a symbolic link to {}: not read", kind_of(&m.file_type())),
                ));
            }
        }
        for (path, kind) in w.special {
            out.skipped.push(skipped_report(
                &path,
                format!("not a regular file ({kind}): not read"),
            ));
        }
        for (h, is_dir) in &w.hidden {
            let templates = templates_in_hidden(h, *is_dir, exclude);
            if *is_dir && templates.is_empty() {
                out.notes.push(format!(
                    "skipped {}/: a hidden folder, not walked (no file in it looks like a template)",
                    shown(h)
                ));
            }
            for (t, what) in templates {
                let reason = if *is_dir {
                    format!(
                        "looks like {what}, in the hidden folder {}/, which a walk does not enter: name it to lint it",
                        shown(h)
                    )
                } else {
                    format!(
                        "looks like {what}, but is a hidden file, which a walk does not pick: name it to lint it"
                    )
                };
                unlinted.push(Unlinted {
                    real: real_of(&t),
                    folder: false,
                    report: Ok(skipped_report(&t, reason)),
                    why: Why::Hidden {
                        service: what != "a template",
                    },
                });
            }
        }
        // Regular files first, then files reached through symbolic links inside the walked
        // folder: a file found both ways is shown by its own name.
        for path in w.files {
            if let Some(why) = stack::cdk::not_a_stack_file(&path) {
                out.skipped.push(skipped_report(&path, why));
                continue;
            }
            if let Some(b) = stack::amplify::current_copy_of(&path) {
                let why = format!(
                    "Amplify's {} copy of {}, which is linted",
                    stack::amplify::CURRENT,
                    shown(&b)
                );
                out.skipped.push(skipped_report(&path, why));
                continue;
            }
            let real = real_of(&path);
            found.push((path, false, real));
        }
        found.extend(linked.into_iter().map(|(l, target)| (l, false, target)));
    }
    // Each file once, as first written; named explicitly when any spelling was.
    // (Keyed by the path's bytes: real paths are normalised, and hashing a `Path` walks its
    // components.)
    let mut first: foldhash::HashMap<std::ffi::OsString, usize> =
        foldhash::HashMap::with_capacity_and_hasher(found.len(), Default::default());
    for (path, explicit, real) in found {
        let real = real.into_os_string();
        match first.get(&real) {
            Some(&i) => {
                if let Some(f) = out.files.get_mut(i) {
                    f.1 |= explicit;
                }
            }
            None => {
                first.insert(real, out.files.len());
                out.files.push((path, explicit));
            }
        }
    }
    sort_by_path(&mut out.files, |(p, explicit)| (p, *explicit));
    // What was left out and is not linted another way.
    let (mut hidden, mut services, mut links) = (0usize, false, 0usize);
    for u in unlinted {
        let linted = if u.folder {
            first.keys().any(|k| Path::new(k).starts_with(&u.real))
        } else {
            first.contains_key(u.real.as_os_str())
        };
        if linted {
            continue;
        }
        match u.why {
            Why::Hidden { service } => {
                hidden += 1;
                services |= service;
            }
            Why::LinkOutside => links += 1,
        }
        match u.report {
            Ok(r) => out.skipped.push(r),
            Err(note) => out.notes.push(note),
        }
    }
    let mut parts = Vec::new();
    if hidden > 0 {
        let what = match (hidden, services) {
            (1, false) => "looks like a template",
            (1, true) => "looks like a Serverless service",
            (_, false) => "look like templates",
            (_, true) => "look like templates or Serverless services",
        };
        parts.push(if hidden == 1 {
            format!("1 file that {what}, hidden or in a hidden folder")
        } else {
            format!("{hidden} files that {what}, hidden or in hidden folders")
        });
    }
    if links > 0 {
        let folder = if walked == 1 {
            "the walked folder"
        } else {
            "the walked folders"
        };
        parts.push(if links == 1 {
            format!("1 symbolic link to a path outside {folder}")
        } else {
            format!("{links} symbolic links to paths outside {folder}")
        });
    }
    if !parts.is_empty() {
        out.summary_notes.push(format!(
            "not linted: {} (--verbose lists them)",
            parts.join("; ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The config's globs match Windows paths (backslashes, drive letters, any case) as they
    /// match POSIX ones, and a POSIX name holding a backslash stays one name.
    #[test]
    fn exclude_globs_match_paths_of_either_style() {
        let options = Options {
            exclude: vec!["cdk.out/**".to_string(), "legacy/*.yaml".to_string()],
            ..Options::default()
        };
        let ex = match Exclude::new(&options) {
            Ok(e) => e,
            Err(e) => panic!("{e}"),
        };
        let win = |abs: &str, parents: bool| {
            ex.excludes_in(r"C:\repo", abs, false, parents, Style::Windows)
        };
        assert!(win(r"C:\repo\cdk.out\Stack.template.json", false));
        assert!(win(r"c:\REPO\cdk.out\nested\a.json", true));
        assert!(win(r"\\?\C:\repo\legacy\old.yaml", false));
        assert!(win("C:/repo/legacy\\old.yaml", false));
        assert!(!win(r"C:\repo\legacy\sub\old.yaml", false));
        assert!(!win(r"C:\repo\infra\stack.yaml", true));
        assert!(!win(r"D:\repo\cdk.out\x.json", true));
        let posix = |abs: &str| ex.excludes_in("/repo", abs, false, true, Style::Posix);
        assert!(posix("/repo/cdk.out/x.json"));
        assert!(posix("/repo/legacy/old.yaml"));
        // `legacy\old.yaml` is a file of the root whose name holds a backslash.
        assert!(!posix(r"/repo/legacy\old.yaml"));
        assert!(!posix("/other/cdk.out/x.json"));
    }
}

#[cfg(all(test, unix))]
mod path_key_tests {
    use super::*;

    /// The byte keys order paths as `Path::cmp` does: names that are prefixes of others, `-`
    /// and `.` (below `/` as bytes), `..` and `.` components, roots, doubled separators.
    #[test]
    fn path_keys_order_as_paths() {
        let paths = [
            "/a",
            "/a/b",
            "/a-b",
            "/a.b",
            "/a/b/c",
            "/ab",
            "a",
            "a/b",
            "a-b/c",
            "../a",
            "../-x",
            "./a",
            "..a/b",
            "/a//b",
            "/a/b/",
            "/",
            "",
            ".",
            "..",
            "/a/./b",
            "a/../b",
            "/A",
            "/a b",
            "/a\u{e9}",
            "/a/\u{e9}",
        ];
        for x in paths {
            for y in paths {
                let (px, py) = (Path::new(x), Path::new(y));
                assert_eq!(path_key(px).cmp(&path_key(py)), px.cmp(py), "{x:?} {y:?}");
            }
        }
        let mut v: Vec<PathBuf> = paths.iter().rev().map(PathBuf::from).collect();
        let mut w = v.clone();
        w.sort();
        sort_by_path(&mut v, |p| (p, ()));
        assert_eq!(v, w);
    }
}
