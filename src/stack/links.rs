//! Which templates of a run are one group ([`super::group`]): a parent and its nested
//! children, and the stacks one run's export table links (`Outputs.*.Export.Name` matched with
//! `Fn::ImportValue` of the same name).
//!
//! Each template of the run that may nest, export or import (found by a look at its text) is
//! parsed once to list its nested templates, export names and import names; templates joined
//! by a nesting or by an import of a name exactly one of them exports, are one group (a
//! union-find over the run's templates, linear in templates and names). The export table is
//! kept per repository (the folder [`super::repository_root_in`] gives), so unrelated projects
//! linted in one run do not link.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use foldhash::{HashMap, HashMapExt};

use super::group::{self, ChildAt, FileIndex, ParamFiles, Start};
use super::names::{Joined, NameCx, default_of, exports_of, imports_of, samconfig_stack_name};
use super::{Stack, display_path, repository_root_in};
use crate::template::parse::{self, Limits};
use crate::template::{NodeId, Tree};

/// A template of the run that no other stack holds.
pub struct Candidate<'a> {
    /// Absolute path.
    pub abs: &'a Path,
    pub limits: &'a Limits,
}

/// A group to assemble: its start templates (indexes of the candidates), in order.
pub struct Planned {
    pub starts: Vec<usize>,
    pub root_dir: PathBuf,
    stack_names: Vec<Option<String>>,
}

/// What a template says about other stacks.
#[derive(Default, Clone)]
pub struct Scan {
    pub(crate) children: Vec<PathBuf>,
    exports: Vec<String>,
    imports: Vec<String>,
    /// A nested template that cannot be read (TM011): linted through the group.
    problem: bool,
    stack_name: Option<String>,
    root_dir: PathBuf,
}

/// File indexes per repository, shared by the run.
#[derive(Default)]
pub struct Indexes {
    by_root: Mutex<HashMap<PathBuf, Arc<FileIndex>>>,
}

impl Indexes {
    pub fn of(&self, root: &Path) -> Arc<FileIndex> {
        let mut g = self.by_root.lock().unwrap_or_else(|p| p.into_inner());
        g.entry(root.to_path_buf())
            .or_insert_with(|| Arc::new(FileIndex::new(root.to_path_buf())))
            .clone()
    }
}

/// Whether a text may nest, export or import (cheap: no parse).
fn may_link(text: &str) -> bool {
    // Every template of a run is looked at, four times when it links nothing: the searchers
    // are built once.
    static FINDERS: std::sync::OnceLock<[memchr::memmem::Finder<'static>; 4]> =
        std::sync::OnceLock::new();
    let finders = FINDERS.get_or_init(|| {
        [
            "ImportValue",
            "Export",
            "AWS::CloudFormation::Stack",
            "AWS::Serverless::Application",
        ]
        .map(memchr::memmem::Finder::new)
    });
    finders.iter().any(|f| f.find(text.as_bytes()).is_some())
}

/// The `stack_name` of a `samconfig.toml` beside a template.
fn stack_name_beside(abs: &Path) -> Option<String> {
    let dir = crate::stack::parent(abs)?;
    let text = crate::read_text(&dir.join("samconfig.toml"), Limits::default().max_file_size)?;
    samconfig_stack_name(&text)
}

/// Looks at the templates of one run for what they nest, export and import; shared by the
/// run's threads (repository roots and file indexes are found once each).
pub struct Scanner<'a> {
    given_dirs: &'a [PathBuf],
    indexes: Indexes,
    roots: Mutex<HashMap<PathBuf, PathBuf>>,
    param_files: ParamFiles,
    /// Templates outside the run looked at for nesting a named file, by path (`None`: nests
    /// nothing).
    outside: Mutex<HashMap<PathBuf, Option<Scan>>>,
}

/// The templates outside a run in and above its folders ([`Scanner::upward`]), by folder.
pub struct Upward(HashMap<std::ffi::OsString, Vec<PathBuf>>);

impl<'a> Scanner<'a> {
    pub fn new(given_dirs: &'a [PathBuf]) -> Scanner<'a> {
        Scanner {
            given_dirs,
            indexes: Indexes::default(),
            roots: Mutex::new(HashMap::new()),
            param_files: ParamFiles::default(),
            outside: Mutex::new(HashMap::new()),
        }
    }

    /// The repository of a folder, found once per folder.
    fn root_of(&self, dir: &Path) -> PathBuf {
        let mut g = self.roots.lock().unwrap_or_else(|p| p.into_inner());
        g.entry(dir.to_path_buf())
            .or_insert_with(|| repository_root_in(dir, self.given_dirs))
            .clone()
    }

    /// The templates outside the run (`in_run`: the run's files) in each of `dirs` and upwards
    /// to its repository root, in that order: where [`Scanner::parents_upward`] looks. (Apart,
    /// so that a run lists its folders while its files are linted: it needs no scan.) A run
    /// names thousands of files of a few folders: each folder is walked up and listed once.
    pub fn upward(&self, dirs: &[&Path], in_run: &foldhash::HashSet<&Path>) -> Upward {
        // The run's file names by folder (keys as bytes: a `Path` is hashed by its
        // components, and thousands of listed files are looked up).
        let mut run_names: HashMap<&std::ffi::OsStr, foldhash::HashSet<&std::ffi::OsStr>> =
            HashMap::new();
        for p in in_run {
            if let (Some(d), Some(n)) = (super::parent(p), super::file_name(p)) {
                run_names.entry(d.as_os_str()).or_default().insert(n);
            }
        }
        let mut listed: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
        let mut upward: HashMap<std::ffi::OsString, Vec<PathBuf>> = HashMap::new();
        for &dir in dirs {
            if upward.contains_key(dir.as_os_str()) {
                continue;
            }
            let top = self.root_of(dir);
            let mut all = Vec::new();
            for folder in dir.ancestors().take_while(|d| d.starts_with(&top)) {
                // The folder's templates outside the run, listed once per folder.
                let files = listed.entry(folder.to_path_buf()).or_insert_with(|| {
                    let in_folder = run_names.get(folder.as_os_str());
                    let mut v: Vec<PathBuf> = std::fs::read_dir(folder)
                        .map(|rd| {
                            rd.filter_map(Result::ok)
                                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                                .filter(|e| {
                                    let n = e.file_name();
                                    crate::walk::has_template_extension(Path::new(&n))
                                        && !in_folder.is_some_and(|s| s.contains(n.as_os_str()))
                                })
                                .map(|e| e.path())
                                .filter(|p| !in_run.contains(p.as_path()))
                                .collect()
                        })
                        .unwrap_or_default();
                    v.sort();
                    v
                });
                all.extend(files.iter().cloned());
            }
            upward.insert(dir.as_os_str().to_os_string(), all);
        }
        Upward(upward)
    }

    /// The templates outside the run that nest one of `named` (files the run was given, that
    /// no template of the run nests): looked for in each file's folder and upwards to its
    /// repository root (`upward`, made for the named files' folders), as pre-commit passes a
    /// changed child alone. Each parent once, with its scan.
    pub fn parents_upward(
        &self,
        named: &[(&Path, &Limits)],
        upward: &Upward,
    ) -> Vec<(PathBuf, Limits, Scan)> {
        let mut out: Vec<(PathBuf, Limits, Scan)> = Vec::new();
        for &(child, limits) in named {
            let (Some(dir), Some(name)) = (super::parent(child), super::file_name(child)) else {
                continue;
            };
            let Some(files) = upward.0.get(dir.as_os_str()) else {
                continue;
            };
            let name = name.to_string_lossy();
            for f in files {
                let Some(scan) = self.outside_scan(f, limits, &name) else {
                    continue;
                };
                if scan.children.iter().any(|c| c == child) && !out.iter().any(|(p, _, _)| p == f) {
                    out.push((f.clone(), *limits, scan));
                }
            }
        }
        out
    }

    /// The scan of a template outside the run, read once; only one whose text names `name`
    /// and may nest is parsed.
    fn outside_scan(&self, abs: &Path, limits: &Limits, name: &str) -> Option<Scan> {
        let cached = {
            let g = self.outside.lock().unwrap_or_else(|p| p.into_inner());
            g.get(abs).cloned()
        };
        if let Some(c) = cached {
            return c;
        }
        let text = crate::read_text(abs, limits.max_file_size)?;
        if !(text.contains(name)
            && (text.contains("AWS::CloudFormation::Stack")
                || text.contains("AWS::Serverless::Application")))
        {
            // Not cached: another named file's name may be in it.
            return None;
        }
        let parsed = parse::parse(&text, limits);
        let scan = parsed
            .root
            .and_then(|root| self.scan(abs, &text, &parsed.tree, root));
        let mut g = self.outside.lock().unwrap_or_else(|p| p.into_inner());
        g.insert(abs.to_path_buf(), scan.clone());
        scan
    }

    /// What the template at `abs` says about other stacks, from the text and the tree the
    /// run's lint has just read and parsed; `None` when it neither nests, exports nor imports
    /// (most templates: a look at the text tells).
    pub fn scan(&self, abs: &Path, text: &str, tree: &Tree, root: NodeId) -> Option<Scan> {
        if !may_link(text) {
            return None;
        }
        let root_dir = self.root_of(crate::stack::parent(abs).unwrap_or(Path::new("")));
        let resources = tree.get(root, "Resources")?;
        let mut out = Scan {
            stack_name: stack_name_beside(abs),
            ..Scan::default()
        };
        for e in tree.entries(resources).unwrap_or_default() {
            let Some(url) = group::nested_url(tree, tree.deref(e.value)) else {
                continue;
            };
            match group::child_at(tree, url, abs, &root_dir, &self.indexes.of(&root_dir)) {
                ChildAt::File(p, _) => out.children.push(p),
                ChildAt::Problem(_) => out.problem = true,
                ChildAt::Unknown(_) => {}
            }
        }
        let param = |n: &str| default_of(tree, root, n);
        let cx = NameCx {
            tree,
            root: Some(root),
            stack_name: out.stack_name.as_deref(),
            param: &param,
        };
        out.exports = exports_of(&cx).into_iter().map(|e| e.0).collect();
        if text.contains("ImportValue") {
            let ids = 0..u32::try_from(tree.len()).unwrap_or(u32::MAX);
            out.imports = imports_of(&cx, ids).into_iter().map(|i| i.1).collect();
            out.imports.sort();
            out.imports.dedup();
        }
        out.root_dir = root_dir;
        Some(out)
    }
}

/// The groups among a run's templates (see the module doc), from their scans
/// ([`Scanner::scan`], one per candidate).
pub fn plan(cands: &[Candidate<'_>], scans: &[Option<Scan>]) -> Vec<Planned> {
    if scans.iter().all(Option::is_none) {
        return Vec::new();
    }
    let index: HashMap<&Path, usize> = cands.iter().enumerate().map(|(i, c)| (c.abs, i)).collect();
    let mut joined = Joined::new(cands.len());
    let mut nested_in_run = vec![false; cands.len()];
    let mut grouped = vec![false; cands.len()];
    let mut exports: HashMap<(&Path, &str), Vec<usize>> = HashMap::new();
    for (i, s) in scans.iter().enumerate() {
        let Some(s) = s else { continue };
        if !s.children.is_empty() || s.problem {
            grouped[i] = true;
        }
        for c in &s.children {
            if let Some(&j) = index.get(c.as_path()) {
                if j != i {
                    nested_in_run[j] = true;
                    joined.join(i, j);
                }
            }
        }
        for e in &s.exports {
            exports.entry((&s.root_dir, e)).or_default().push(i);
        }
    }
    // Two templates exporting one name are TM011 only where they are one group for other
    // reasons (nested in one parent, linked by other imports): across a run, a twin written
    // in JSON and YAML, or an unrelated sample, exports one name without being deployed
    // together.
    for (i, s) in scans.iter().enumerate() {
        let Some(s) = s else { continue };
        for name in &s.imports {
            if let Some(ex) = exports.get(&(s.root_dir.as_path(), name.as_str())) {
                // The exporter nearest the importer (deepest common folder); several equally
                // near cannot be told apart, and the import stays unknown (unrelated projects
                // linted in one run that use one name do not link).
                let depth = |e: usize| {
                    cands[i]
                        .abs
                        .components()
                        .zip(cands[e].abs.components())
                        .take_while(|(a, b)| a == b)
                        .count()
                };
                let best = ex.iter().map(|&e| depth(e)).max().unwrap_or(0);
                let nearest: Vec<usize> =
                    ex.iter().copied().filter(|&e| depth(e) == best).collect();
                if nearest.len() != 1 {
                    continue;
                }
                for &e in &nearest {
                    if e != i {
                        grouped[i] = true;
                        grouped[e] = true;
                        joined.join(i, e);
                    }
                }
            }
        }
    }
    let mut comps: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..cands.len() {
        if grouped[i] || nested_in_run[i] {
            comps.entry(joined.find(i)).or_default().push(i);
        }
    }
    let mut out: Vec<Planned> = comps
        .into_values()
        .filter(|m| m.iter().any(|&i| grouped[i]))
        .map(|mut members| {
            members.sort_by(|a, b| cands[*a].abs.cmp(cands[*b].abs));
            let mut starts: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&i| !nested_in_run[i])
                .collect();
            if starts.is_empty() {
                starts.push(members[0]);
            }
            let root_dir = scans[starts[0]]
                .as_ref()
                .map(|s| s.root_dir.clone())
                .unwrap_or_default();
            let stack_names = starts
                .iter()
                .map(|&i| scans[i].as_ref().and_then(|s| s.stack_name.clone()))
                .collect();
            Planned {
                starts,
                root_dir,
                stack_names,
            }
        })
        .collect();
    out.sort_by(|a, b| cands[a.starts[0]].abs.cmp(cands[b.starts[0]].abs));
    out
}

impl Scanner<'_> {
    /// Assembles a planned group; `overrides` are texts read instead of the files on disk (an
    /// editor's unsaved buffer).
    pub fn assemble(
        &self,
        p: &Planned,
        cands: &[Candidate<'_>],
        overrides: &[(PathBuf, String)],
    ) -> Stack {
        let starts: Vec<Start> = p
            .starts
            .iter()
            .zip(&p.stack_names)
            .map(|(&i, name)| Start {
                path: cands[i].abs.to_path_buf(),
                stack_name: name.clone(),
            })
            .collect();
        let first = &cands[p.starts[0]];
        let name = display_path(first.abs);
        group::assemble(
            &name,
            &starts,
            first.limits,
            p.root_dir.clone(),
            &self.indexes.of(&p.root_dir),
            &self.param_files,
            overrides,
        )
    }
}
