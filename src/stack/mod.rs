//! Stacks: what CloudFormation deploys, written as one or several files.
//!
//! Loaders turn the paths of a run into [`Stack`]s: a plain template is a stack of one file; a
//! Serverless Framework service ([`serverless`]) and the fragments a config names
//! ([`fragments`]) are stacks of several. Each stack has one merged tree whose spans are
//! offsets in the stack's *address space*: every file occupies its own range (`base..base +
//! len`), so a node keeps its file and position wherever it ends up in the merged tree, and the
//! graph, the policy model and the rules run on a stack exactly as on one template.

pub mod amplify;
pub mod cdk;
pub mod fragments;
pub mod group;
pub mod links;
pub(crate) mod names;
pub mod params;
pub mod plugins;
pub mod serverless;
pub mod sls_names;
mod vars;

pub use vars::is_framework_variable;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt};

use crate::template::parse::{self, Limits, ParseIssue};
use crate::template::{Entry, LineIndex, NodeId, Span, Style, Template, Tree};

/// One file of a stack, with its place in the stack's address space.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as reported (relative where it was given relative).
    pub path: String,
    pub text: String,
    pub index: LineIndex,
    /// Offset of the file's first byte in the stack's address space.
    pub base: u32,
    /// The file on disk (absolute, normalised); `None` for standard input.
    pub abs: Option<PathBuf>,
}

impl SourceFile {
    pub fn new(path: String, text: String, base: u32) -> SourceFile {
        SourceFile {
            index: LineIndex::new(&text),
            path,
            text,
            base,
            abs: None,
        }
    }
    /// This file's part of a stack span, as a span in the file.
    pub fn local(&self, span: Span) -> Option<Span> {
        let end = self.base as usize + self.text.len();
        if (span.start as usize) < self.base as usize || span.start as usize > end {
            return None;
        }
        Some(Span {
            start: span.start - self.base,
            end: span.end.min(end as u32) - self.base,
        })
    }
}

/// The texts of a stack, to read a span's text (where a `${Var}` of a `Fn::Sub` is written).
pub struct Sources<'a> {
    parts: Vec<(u32, &'a str)>,
}

impl<'a> Sources<'a> {
    pub fn single(text: &'a str) -> Sources<'a> {
        Sources {
            parts: vec![(0, text)],
        }
    }
    pub fn of(files: &'a [Arc<SourceFile>]) -> Sources<'a> {
        Sources {
            parts: files.iter().map(|f| (f.base, f.text.as_str())).collect(),
        }
    }
    /// The text under a stack span, when it lies in one file.
    pub fn slice(&self, span: Span) -> Option<&'a str> {
        let i = self
            .parts
            .partition_point(|(base, _)| *base <= span.start)
            .checked_sub(1)?;
        let (base, text) = self.parts[i];
        text.get((span.start - base) as usize..(span.end - base) as usize)
    }
}

/// How a stack is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StackKind {
    Serverless,
    Fragments,
    /// Nested and linked templates ([`group`]).
    Group,
}

/// A stack of several files, assembled.
#[derive(Debug)]
pub struct Stack {
    /// The service or config stack name.
    pub name: String,
    pub kind: StackKind,
    pub files: Vec<Arc<SourceFile>>,
    /// The merged template; `None` when the stack holds no CloudFormation (a service without
    /// `resources` and without anything the framework generates that the rules read).
    pub template: Option<Template>,
    /// Findings of assembling and parsing (TM001, TM002, TM008, TM010, TM011), in stack spans.
    pub issues: Vec<ParseIssue>,
    /// What `--verbose` says about the stack (files, parameter sources).
    pub notes: Vec<String>,
}

impl Stack {
    /// The file a stack span lies in.
    pub fn file_of(&self, span: Span) -> Option<usize> {
        file_at(&self.files, span)
    }
}

/// The file (index) of a stack's files a stack span starts in.
pub(crate) fn file_at<F: std::borrow::Borrow<SourceFile>>(
    files: &[F],
    span: Span,
) -> Option<usize> {
    files
        .partition_point(|f| f.borrow().base <= span.start)
        .checked_sub(1)
}

/// The repository root around a path: the nearest folder upwards with a `.git`; else the
/// current directory when the path lies under it; else the path's own folder. Includes never
/// read outside it.
pub fn repository_root(dir: &Path) -> PathBuf {
    repository_root_in(dir, &[])
}

/// Like [`repository_root`], for a run whose paths are `given` (absolute folders): outside a
/// git work tree and the current directory, the folder of the run's path that holds `dir` is
/// the boundary (so a walk of `../project` reads the project's sibling services, nothing
/// above it).
pub fn repository_root_in(dir: &Path, given: &[PathBuf]) -> PathBuf {
    let abs = absolute(dir);
    for a in abs.ancestors() {
        if a.join(".git").exists() {
            return a.to_path_buf();
        }
    }
    if let Some(cwd) = current_dir() {
        if abs.starts_with(cwd) {
            return cwd.to_path_buf();
        }
    }
    given
        .iter()
        .filter(|g| abs.starts_with(g))
        .min_by_key(|g| g.components().count())
        .cloned()
        .unwrap_or(abs)
}

/// The current directory, read once per process (a run does not change it).
fn current_dir() -> Option<&'static Path> {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok()).as_deref()
}

/// An absolute, lexically normalised path (`..` and `.` removed; no symlinks followed).
pub fn absolute(p: &Path) -> PathBuf {
    // Most paths of a run are already absolute and normal (the walk's, the current
    // directory's): kept as they are without a pass over their components.
    if p.is_absolute() && is_normal(p) {
        return p.to_path_buf();
    }
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        match current_dir() {
            Some(c) => c.join(p),
            None => p.to_path_buf(),
        }
    };
    normalise(&joined)
}

/// [`Path::file_name`], without parsing the path's components where its last separator
/// tells (a run asks it of every file several times; `Path` parses the whole path from the end
/// each time): the same answer for every path.
pub fn file_name(p: &Path) -> Option<&std::ffi::OsStr> {
    match last_name(p) {
        Some((_, name)) => Some(name),
        None => p.file_name(),
    }
}

/// [`Path::parent`], the same way as [`file_name`].
pub fn parent(p: &Path) -> Option<&Path> {
    match last_name(p) {
        Some((dir, _)) => Some(dir),
        None => p.parent(),
    }
}

/// A path's folder and name where its bytes alone tell them: a last component that is a plain
/// name (not `.`, `..` or empty), after a separator that is neither doubled nor the root's, or
/// a relative path of one name. `None` (ask [`Path`]) otherwise.
fn last_name(p: &Path) -> Option<(&Path, &std::ffi::OsStr)> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let b = p.as_os_str().as_bytes();
        let (dir, name) = match memchr::memrchr(b'/', b) {
            Some(i) => (&b[..i], &b[i + 1..]),
            None => (&b[..0], b),
        };
        let plain = !name.is_empty() && name != b"." && name != b"..";
        // `a/./b` and `a//b` (the folder ends in `.` or `/`) and `/b` are left to `Path`.
        let simple_dir = dir.is_empty() && !b.starts_with(b"/")
            || !dir.is_empty() && !dir.ends_with(b"/") && !dir.ends_with(b"/.") && dir != b".";
        (plain && simple_dir).then(|| {
            (
                Path::new(std::ffi::OsStr::from_bytes(dir)),
                std::ffi::OsStr::from_bytes(name),
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        None
    }
}

/// `.` and `..` components removed, lexically (`..` at the root stays at the root).
#[cfg(unix)]
fn normalise(p: &Path) -> PathBuf {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let b = p.as_os_str().as_bytes();
    // (Bytes, not `components()`: a run normalises every path it is given.)
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let rooted = b.starts_with(b"/");
    if rooted {
        out.push(b'/');
    }
    for seg in b.split(|&c| c == b'/') {
        match seg {
            b"" | b"." => {}
            b".." => {
                let keep = out.iter().rposition(|&c| c == b'/').unwrap_or(0);
                // The root's separator stays.
                out.truncate(if keep == 0 && rooted { 1 } else { keep });
            }
            _ => {
                if !(out.is_empty() || out == b"/") {
                    out.push(b'/');
                }
                out.extend_from_slice(seg);
            }
        }
    }
    PathBuf::from(std::ffi::OsString::from_vec(out))
}

/// Normalisation by components (`..` pops one, `.` goes): [`normalise`] off unix, and the
/// reference the byte-level unix one is tested against.
#[cfg(any(not(unix), test))]
fn by_components(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(not(unix))]
fn normalise(p: &Path) -> PathBuf {
    by_components(p)
}

/// Whether an absolute path's components, joined again, give back the same bytes: no `.` or
/// `..` component, no doubled or trailing separator (what [`absolute`] would change).
fn is_normal(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let b = p.as_os_str().as_bytes();
        // A leading `//` is kept by the components (POSIX leaves it implementation-defined).
        b.len() > 1
            && !b.ends_with(b"/")
            && !b.starts_with(b"//")
            && b[1..]
                .split(|&c| c == b'/')
                .all(|seg| !seg.is_empty() && seg != b"." && seg != b"..")
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        false
    }
}

/// Whether `.gitignore` files between `root` and `path` ignore `path` (a file kept out of the
/// repository on purpose, such as `secrets.yml`).
pub fn ignored_by_git(root: &Path, path: &Path) -> bool {
    let abs = absolute(path);
    // (The matcher requires a path under its root.)
    let Some(dir) = abs.parent().filter(|_| abs.starts_with(root)) else {
        return false;
    };
    let mut b = ignore::gitignore::GitignoreBuilder::new(root);
    let mut dirs: Vec<&Path> = dir
        .ancestors()
        .take_while(|d| d.starts_with(root))
        .collect();
    dirs.reverse();
    for d in dirs {
        let gi = d.join(".gitignore");
        if gi.is_file() {
            let _ = b.add(gi);
        }
    }
    match b.build() {
        Ok(m) => m.matched_path_or_any_parents(&abs, false).is_ignore(),
        Err(_) => false,
    }
}

/// The display form of a path: relative to the current directory (with `..` when it lies
/// outside it, as a user who wrote `../project/serverless.yml` sees it).
pub fn display_path(p: &Path) -> String {
    let abs = absolute(p);
    let Some(cwd) = current_dir() else {
        return abs.to_string_lossy().replace('\\', "/");
    };
    let (a, c): (Vec<_>, Vec<_>) = (abs.components().collect(), cwd.components().collect());
    let common = a.iter().zip(&c).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return abs.to_string_lossy().replace('\\', "/");
    }
    let mut rel = PathBuf::new();
    for _ in common..c.len() {
        rel.push("..");
    }
    for part in &a[common..] {
        rel.push(part);
    }
    rel.to_string_lossy().replace('\\', "/")
}

/// The most nested include or section the assembler follows.
pub const MAX_INCLUDE_DEPTH: usize = 64;

/// Builds the merged tree of a stack: files are parsed one by one and appended to one tree.
pub(crate) struct Assembler<'l> {
    pub tree: Tree,
    pub files: Vec<SourceFile>,
    pub issues: Vec<ParseIssue>,
    pub limits: &'l Limits,
    /// Includes must stay under this folder.
    pub root_dir: PathBuf,
    next_base: u32,
    /// Files already read: absolute path → root node (None: read but unusable).
    loaded: HashMap<PathBuf, Option<NodeId>>,
    /// Node budget for copies (variables that name whole subtrees).
    pub copy_budget: usize,
    /// Texts to use instead of what is on disk (standard input, an editor's unsaved buffer),
    /// by absolute path.
    pub overrides: HashMap<PathBuf, String>,
}

/// Why a file could not be read into the stack (reported at the include).
pub(crate) enum LoadError {
    /// Missing, unreadable, a folder: the message says which.
    Missing(String),
    /// Outside the repository root.
    Outside,
}

impl<'l> Assembler<'l> {
    pub fn new(limits: &'l Limits, root_dir: PathBuf) -> Assembler<'l> {
        Assembler {
            tree: Tree::default(),
            files: Vec::new(),
            issues: Vec::new(),
            limits,
            root_dir,
            next_base: 0,
            loaded: HashMap::new(),
            copy_budget: 0,
            overrides: HashMap::new(),
        }
    }

    /// A finding of the stack at a stack span.
    pub fn issue(&mut self, rule: &'static str, span: Span, node: Option<NodeId>, msg: String) {
        self.issues.push(ParseIssue {
            rule,
            span,
            node,
            message: msg,
            label: None,
        });
    }

    /// Reads and parses a file into the merged tree; `yaml12`: the file is read the Serverless
    /// Framework's way (YAML 1.2: `on`/`off`/`yes`/`no` are strings; aliases are expanded by the
    /// framework, so they are not findings). Parse errors become findings in that file.
    pub fn load(&mut self, path: &Path, yaml12: bool) -> Result<Option<NodeId>, LoadError> {
        let abs = absolute(path);
        if !abs.starts_with(&self.root_dir) {
            return Err(LoadError::Outside);
        }
        if let Some(done) = self.loaded.get(&abs) {
            return Ok(*done);
        }
        if let Some(text) = self.overrides.remove(&abs) {
            let root = self.load_text(display_path(path), text, yaml12);
            self.register(path, root);
            return Ok(root);
        }
        // A symbolic link (of the file or a folder on the way) must not lead out of the
        // repository either: the check is made again on the real path.
        if let (Ok(real), Ok(root)) = (
            std::fs::canonicalize(&abs),
            std::fs::canonicalize(&self.root_dir),
        ) {
            if !real.starts_with(&root) {
                return Err(LoadError::Outside);
            }
        }
        // Opened once; a FIFO or a device is never read; at most max-file-size bytes are.
        let read = crate::read_limited(&abs, self.limits.max_file_size).map_err(|e| {
            LoadError::Missing(match e.kind() {
                std::io::ErrorKind::IsADirectory => {
                    format!("{} is not a regular file (a folder)", display_path(path))
                }
                _ => format!("{}: {e}", display_path(path)),
            })
        })?;
        let display = display_path(path);
        let base = self.next_base;
        let bytes = match read {
            crate::FileBytes::NotRegular(kind) => {
                return Err(LoadError::Missing(format!(
                    "{} is not a regular file ({kind})",
                    display_path(path)
                )));
            }
            crate::FileBytes::TooLarge { size, .. } => {
                self.add_file(display, String::new());
                if let Some(f) = self.files.last_mut() {
                    f.abs = Some(abs.clone());
                }
                self.issue(
                    "TM010",
                    Span::new(base as usize, base as usize),
                    None,
                    crate::too_large_message("the file", size, self.limits.max_file_size),
                );
                self.loaded.insert(abs, None);
                return Ok(None);
            }
            crate::FileBytes::Bytes(bytes) => bytes,
        };
        let text = match crate::decode(bytes) {
            crate::Decoded::Text(t) => t,
            crate::Decoded::Invalid(crate::Invalid {
                text,
                at,
                len,
                encoding,
                problem,
            }) => {
                self.add_file(display, text);
                if let Some(f) = self.files.last_mut() {
                    f.abs = Some(abs.clone());
                }
                let message = match encoding {
                    "UTF-8" => format!("{problem}: templates and their includes are UTF-8 text"),
                    _ => problem,
                };
                self.issue(
                    "TM001",
                    Span::new(base as usize + at, base as usize + at + len),
                    None,
                    message,
                );
                self.loaded.insert(abs, None);
                return Ok(None);
            }
        };
        let root = self.load_text(display, text, yaml12);
        if let Some(f) = self.files.last_mut() {
            f.abs = Some(abs.clone());
        }
        self.loaded.insert(abs, root);
        Ok(root)
    }

    /// Parses a text (a file read, or standard input) into the merged tree.
    pub fn load_text(&mut self, display: String, text: String, yaml12: bool) -> Option<NodeId> {
        let base = self.next_base;
        let parsed = parse::parse(&text, self.limits);
        self.add_file(display, text);
        let shift = |s: Span| Span {
            start: s.start.saturating_add(base),
            end: s.end.saturating_add(base),
        };
        if let Some(fatal) = parsed.fatal {
            let mut issue = fatal;
            issue.span = shift(issue.span);
            issue.node = None;
            issue.label = issue.label.map(|(s, l)| (shift(s), l));
            self.issues.push(issue);
            return None;
        }
        let offset = self.tree.append(parsed.tree, base);
        let node_shift = |n: NodeId| NodeId(n.0.saturating_add(offset));
        for mut issue in parsed.issues {
            if yaml12 && issue.rule == "TM008" && issue.message.starts_with("YAML alias") {
                continue;
            }
            issue.span = shift(issue.span);
            issue.node = issue.node.map(node_shift);
            issue.label = issue.label.map(|(s, l)| (shift(s), l));
            self.issues.push(issue);
        }
        let root = parsed.root.map(node_shift);
        if let (true, Some(r)) = (yaml12, root) {
            self.read_yaml12(r);
        }
        self.copy_budget = self.copy_budget.saturating_add(
            self.tree
                .len()
                .saturating_mul(self.limits.max_alias_visits.max(1)),
        );
        root
    }

    /// Records that the file at `path` is the last file loaded (read by the caller), so an
    /// include of it is the same file.
    pub fn register(&mut self, path: &Path, root: Option<NodeId>) {
        let abs = absolute(path);
        if let Some(f) = self.files.last_mut() {
            f.abs = Some(abs.clone());
        }
        self.loaded.insert(abs, root);
    }

    /// Adds a file that is not parsed (a config whose lines findings point at); returns its base.
    pub fn add_file_text(&mut self, display: String, text: String) -> u32 {
        let base = self.next_base;
        self.add_file(display, text);
        base
    }

    fn add_file(&mut self, display: String, text: String) {
        let base = self.next_base;
        let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
        self.next_base = base.saturating_add(len).saturating_add(1);
        self.files.push(SourceFile::new(display, text, base));
    }

    /// YAML 1.2 reading of the scalars under `root`: the YAML 1.1 booleans other than
    /// true/false are strings.
    fn read_yaml12(&mut self, root: NodeId) {
        let mut words = Vec::new();
        let _ = self.tree.walk(root, self.tree.len(), |id| {
            if let Some(b) = self.tree.yaml11_bool(id) {
                let text = self.tree.str(id).unwrap_or_default();
                if !text.eq_ignore_ascii_case("true") && !text.eq_ignore_ascii_case("false") {
                    let _ = b;
                    words.push(id);
                }
            }
        });
        for id in words {
            let text = self.tree.str(id).unwrap_or_default().to_string();
            self.tree.set_scalar(id, &text, Style::Quoted);
        }
    }

    /// The stack's files, shared.
    pub fn into_parts(self) -> (Tree, Vec<Arc<SourceFile>>, Vec<ParseIssue>) {
        (
            self.tree,
            self.files.into_iter().map(Arc::new).collect(),
            self.issues,
        )
    }
}

/// The sections of a template a stack merges, in the order they are written out.
pub const SECTIONS: &[&str] = &[
    "Parameters",
    "Mappings",
    "Conditions",
    "Resources",
    "Outputs",
    "Rules",
];

/// Sections being merged: entries per section, with where each came from.
#[derive(Default)]
pub(crate) struct Sections {
    pub sections: Vec<(&'static str, Vec<Entry>)>,
    pub transform: Option<NodeId>,
    pub description: Option<NodeId>,
    /// (section, key) → position in its section: merging stays linear in the entries.
    index: HashMap<(&'static str, Box<str>), usize>,
}

impl Sections {
    /// Where `key` sits in section `name`, if it was added.
    pub fn find(&self, name: &'static str, key: &str) -> Option<usize> {
        self.index.get(&(name, Box::from(key))).copied()
    }
    /// Adds an entry at the end of section `name`.
    pub fn push(&mut self, name: &'static str, entry: Entry) {
        let key = entry.key.clone();
        let list = self.section(name);
        list.push(entry);
        let at = list.len() - 1;
        self.index.insert((name, key), at);
    }
    /// The entry at `i` of section `name`.
    pub fn entry_mut(&mut self, name: &'static str, i: usize) -> Option<&mut Entry> {
        self.section(name).get_mut(i)
    }
    fn section(&mut self, name: &'static str) -> &mut Vec<Entry> {
        if let Some(i) = self.sections.iter().position(|(n, _)| *n == name) {
            return &mut self.sections[i].1;
        }
        self.sections.push((name, Vec::new()));
        let last = self.sections.len() - 1;
        &mut self.sections[last].1
    }

    /// The merged root: `AWSTemplateFormatVersion` and every non-empty section.
    pub fn into_root(mut self, tree: &mut Tree, span: Span) -> NodeId {
        let mut root = Vec::new();
        let version = tree.push_scalar("2010-09-09", Style::Quoted, span);
        root.push(Entry {
            key: "AWSTemplateFormatVersion".into(),
            key_span: span,
            value: version,
        });
        if let Some(t) = self.transform {
            root.push(Entry {
                key: "Transform".into(),
                key_span: tree.key_span(t).unwrap_or(span),
                value: t,
            });
        }
        if let Some(d) = self.description {
            root.push(Entry {
                key: "Description".into(),
                key_span: tree.key_span(d).unwrap_or(span),
                value: d,
            });
        }
        self.sections
            .sort_by_key(|(n, _)| SECTIONS.iter().position(|s| s == n));
        for (name, entries) in self.sections {
            let map = tree.push_map(entries, span);
            root.push(Entry {
                key: name.into(),
                key_span: span,
                value: map,
            });
        }
        tree.push_map(root, span)
    }
}

/// Builds the template of an assembled stack.
pub(crate) fn template_of(tree: Tree, root: NodeId, limits: &Limits) -> Option<Template> {
    Template::build(tree, root, limits).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_and_parent_are_paths() {
        let cases = [
            "",
            "/",
            "//",
            "a",
            "a/",
            "a/b",
            "a/b/",
            "/a",
            "/a/b",
            "/a/b/",
            "//a",
            "//a/b",
            "a//b",
            "a/./b",
            "a/.",
            "a/..",
            "../a",
            "./a",
            "./a/b",
            ".",
            "..",
            "/.",
            "/..",
            "a/b/.",
            "a/b/..",
            "a/../b",
            ".a",
            "a/.b",
            "a/b.",
            "a./b",
            "/a/b.yaml",
            "x/./",
            "a/.//b",
            "../../c/d.json",
            "./",
            "a/ b",
            "é/ü.yml",
        ];
        for c in cases {
            let p = Path::new(c);
            assert_eq!(file_name(p), p.file_name(), "file_name of {c:?}");
            // (Compared by bytes: `Path`'s equality would hide a different spelling.)
            assert_eq!(
                parent(p).map(|d| d.as_os_str()),
                p.parent().map(|d| d.as_os_str()),
                "parent of {c:?}"
            );
        }
    }

    #[test]
    fn normalise_matches_components() {
        let cases = [
            "/",
            "/a",
            "/a/",
            "/a/b",
            "/a//b",
            "/a/./b",
            "/a/../b",
            "/..",
            "/../a",
            "/a/b/..",
            "/a/b/../..",
            "/a/b/../../..",
            "//a",
            "/a/.",
            "/a/b/.",
            "a",
            "a/b",
            "a/..",
            "../a",
            "./a",
            "./a/../..",
            "a/./b/",
            "",
            ".",
            "..",
            "/x/y/../z/./w//",
        ];
        for c in cases {
            let p = Path::new(c);
            assert_eq!(normalise(p), by_components(p), "{c:?}");
            if p.is_absolute() {
                // Conservative: a path said to be normal is its own normal form.
                if is_normal(p) {
                    assert_eq!(by_components(p).as_os_str(), p.as_os_str(), "{c:?}");
                }
                assert_eq!(absolute(p), by_components(p), "{c:?}");
            }
        }
    }
}
