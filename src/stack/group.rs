//! Stacks that span templates (CLI.md, *Stacks*): nested stacks and stacks linked by
//! `Export`/`Fn::ImportValue`, assembled as one *group*, so the cross-resource rules judge
//! what is deployed together as they judge one template (RULES.md, *Stacks, not files*).
//!
//! A group is one merged tree, like a config stack's fragments ([`super::fragments`]): every
//! member template is read into the group's address space, so each node keeps its file and
//! position. Three steps make the members one template:
//!
//! 1. **Names.** A logical ID, parameter, condition, mapping or output that an earlier member
//!    already uses is renamed `<qualifier>/<name>` (the qualifier is the nested stack's logical
//!    ID in its parent, or the template's file stem), and every reference inside that member
//!    (`Ref`, `Fn::GetAtt`, `Fn::Sub` variables, `DependsOn`, conditions, `Fn::FindInMap`) is
//!    rewritten. Afterwards a name means one thing anywhere in the group.
//! 2. **Bindings.** Each reference that another stack answers is bound to the node that
//!    answers it: a nested child's parameter to the value its parent passes in the nested
//!    stack's `Parameters` (or, for Amplify, `parameters.json`), `!GetAtt Child.Outputs.X` to the
//!    child's output `Value`, and `Fn::ImportValue` of a name one member exports to that
//!    output's `Value`. A parameter bound to a literal becomes a given value (like
//!    `--parameters`, with where it came from); one bound to an expression has its `Default`
//!    dropped (the default is not what is deployed).
//! 3. **Substitution.** Every bound reference is replaced by a copy of the node it is bound to;
//!    the copy takes the span of the reference it replaces, so a finding about the value points
//!    where the reference is written, and the resources it names keep their own spans (labels
//!    in the other file). Copies are scanned again (a child output that is itself a parameter
//!    of the child), within the assembler's copy budget, so a cycle cannot run away.
//!
//! What the group cannot tell stays unknown: a URL without a matching template, an import of a
//! name no member exports, a name that does not resolve.

use std::path::{Path, PathBuf};

use foldhash::{HashMap, HashMapExt, HashSet};

use super::names::{NameCx, default_of, exports_of, imports_of};
use super::{Assembler, LoadError, Sections, Stack, StackKind, absolute, display_path};
use crate::template::intrinsic::{as_intrinsic, sub_vars};
use crate::template::parse::Limits;
use crate::template::{Entry, Kind, NodeId, ParamValue, Tree};

/// The deepest nesting followed (a parent, its child, the child's child…).
pub const MAX_NESTING: usize = 10;

/// A template a group starts from (not nested in another member).
#[derive(Clone, Debug)]
pub struct Start {
    /// Absolute path.
    pub path: PathBuf,
    /// The deployed stack's name, when known (`${AWS::StackName}` in export names).
    pub stack_name: Option<String>,
}

/// Where a nested stack's template is.
#[derive(Debug, PartialEq)]
pub(crate) enum ChildAt {
    /// A template file (absolute), and whether it was matched by file name from a URL.
    File(PathBuf, bool),
    /// Not a local file and no single template of that name: unknown.
    Unknown(String),
    /// A local path that cannot be read: TM011.
    Problem(String),
}

/// Finds templates by file name under a folder (for URLs of nested templates): the files of
/// the repository, listed once.
pub struct FileIndex {
    root: PathBuf,
    by_name: std::sync::OnceLock<HashMap<String, Vec<PathBuf>>>,
}

/// The most files the index lists.
const MAX_INDEXED: usize = 200_000;

impl FileIndex {
    pub fn new(root: PathBuf) -> FileIndex {
        FileIndex {
            root,
            by_name: std::sync::OnceLock::new(),
        }
    }

    fn names(&self) -> &HashMap<String, Vec<PathBuf>> {
        self.by_name.get_or_init(|| {
            let mut map: HashMap<String, Vec<PathBuf>> = HashMap::new();
            let walk = ignore::WalkBuilder::new(&self.root)
                .hidden(true)
                .git_ignore(false)
                .ignore(false)
                .parents(false)
                .filter_entry(|e| e.file_name() != "node_modules")
                .build();
            for e in walk.filter_map(Result::ok).take(MAX_INDEXED) {
                if !e.file_type().is_some_and(|t| t.is_file()) {
                    continue;
                }
                if let Some(n) = e.file_name().to_str() {
                    map.entry(n.to_string())
                        .or_default()
                        .push(absolute(e.path()));
                }
            }
            map
        })
    }

    /// The one template named `name` nearest `dir`: under `dir`, else under each folder upwards
    /// (to the index's root), the first folder with any is taken; a copy under Amplify's
    /// `#current-cloud-backend` counts only when no other exists there. `None` when none or
    /// several are equally near.
    pub fn nearest(&self, dir: &Path, name: &str) -> Option<PathBuf> {
        let all = self.names().get(name)?;
        for d in dir.ancestors().take_while(|d| d.starts_with(&self.root)) {
            let mut under: Vec<&PathBuf> = all.iter().filter(|p| p.starts_with(d)).collect();
            if under.len() > 1 {
                let current = |p: &&PathBuf| {
                    p.components()
                        .any(|c| c.as_os_str() == "#current-cloud-backend")
                };
                if under.iter().any(|p| !current(p)) {
                    under.retain(|p| !current(p));
                }
            }
            match under.len() {
                0 => continue,
                1 => return Some(under[0].clone()),
                _ => return None,
            }
        }
        None
    }
}

/// A nested stack resource's template location node (`TemplateURL`, `Location`).
pub(crate) fn nested_url(tree: &Tree, resource: NodeId) -> Option<NodeId> {
    let ty = tree.get(resource, "Type").and_then(|t| tree.str(t))?;
    let key = match ty {
        "AWS::CloudFormation::Stack" => "TemplateURL",
        "AWS::Serverless::Application" => "Location",
        _ => return None,
    };
    let props = tree.get(resource, "Properties")?;
    tree.get(props, key).map(|n| tree.deref(n))
}

/// The template of a CDK nested stack: the file its `aws:asset:path` metadata names beside the
/// parent (a `*.template.json` of the cloud assembly), when the asset is its `TemplateURL`.
pub(crate) fn asset_child(
    tree: &Tree,
    resource: NodeId,
    parent: &Path,
    root_dir: &Path,
) -> Option<PathBuf> {
    let meta = tree.get(resource, "Metadata")?;
    if tree
        .get(meta, "aws:asset:property")
        .and_then(|p| tree.str(p))
        != Some("TemplateURL")
    {
        return None;
    }
    let name = tree.get(meta, "aws:asset:path").and_then(|p| tree.str(p))?;
    if !name.ends_with(".template.json") {
        return None;
    }
    let path = absolute(&parent.parent()?.join(name));
    (path.starts_with(root_dir) && path.is_file()).then_some(path)
}

/// The file name at the end of a URL written as a literal, a `Fn::Sub` or a `Fn::Join` whose
/// last part is literal.
fn url_text(tree: &Tree, node: NodeId) -> Option<(String, bool)> {
    if let Some(s) = tree.str(node) {
        if as_intrinsic(tree, node).is_none() {
            return Some((s.to_string(), true));
        }
    }
    let (f, arg, _) = as_intrinsic(tree, node)?;
    let tail = match f {
        "Fn::Sub" => {
            let s = tree.str(arg)?;
            s.rsplit('/').next()?.to_string()
        }
        "Fn::Join" => {
            let items = tree.items(arg)?;
            let parts = tree.items(tree.deref(*items.get(1)?))?;
            let last = tree.str(tree.deref(*parts.last()?))?;
            last.rsplit('/').next()?.to_string()
        }
        _ => return None,
    };
    (!tail.contains("${") && !tail.is_empty()).then_some((tail, false))
}

/// Where the template of a nested stack is: a local path relative to the parent's folder, or
/// a URL matched by its file name to the one template of that name nearest the parent.
pub(crate) fn child_at(
    tree: &Tree,
    url: NodeId,
    parent: &Path,
    root_dir: &Path,
    index: &FileIndex,
) -> ChildAt {
    let Some((text, whole)) = url_text(tree, url) else {
        return ChildAt::Unknown("its location is not a literal".into());
    };
    let dir = parent.parent().unwrap_or(Path::new(""));
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    let remote = ["https://", "http://", "s3://"]
        .iter()
        .any(|p| lower.starts_with(p))
        || !whole;
    if remote {
        let name = text
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .rsplit('/')
            .next()
            .unwrap_or("");
        if name.is_empty() {
            return ChildAt::Unknown(format!("`{text}` names no file"));
        }
        return match index.nearest(dir, name) {
            Some(p) => ChildAt::File(p, true),
            None => ChildAt::Unknown(format!(
                "no single template named `{name}` in the project for `{text}`"
            )),
        };
    }
    // Only a path to a template file is read: anything else (a dynamic reference, a
    // placeholder word) is not something this tool can follow.
    let template_like = [".yaml", ".yml", ".json", ".template"]
        .iter()
        .any(|e| lower.ends_with(e));
    if !template_like || text.contains("{{") {
        return ChildAt::Unknown(format!("`{text}` is not a path to a template file"));
    }
    let path = absolute(&dir.join(text));
    if !path.starts_with(root_dir) {
        return ChildAt::Problem(format!(
            "the nested template `{text}` lies outside the repository"
        ));
    }
    if !path.is_file() {
        return ChildAt::Problem(format!(
            "the nested template `{text}` does not exist ({})",
            display_path(&path)
        ));
    }
    ChildAt::File(path, false)
}

/// One template of a group.
struct Member {
    abs: PathBuf,
    root: NodeId,
    /// The member's own nodes: `first..end` (copies made later lie beyond every member).
    first: u32,
    end: u32,
    qualifier: String,
    stack_name: Option<String>,
    /// Its nested stacks: (the resource's logical ID as written, the child member).
    nested: Vec<(String, usize)>,
    /// Renamed names, per namespace.
    refs: HashMap<String, String>,
    conds: HashMap<String, String>,
    maps: HashMap<String, String>,
    outs: HashMap<String, String>,
    /// Parameter values from files beside the template (Amplify's `team-provider-info.json`
    /// and `parameters.json`), first source wins.
    param_sources: Vec<LoadedSource>,
}

/// A source of parameter values for one template of a group (Amplify), after the group
/// started: first source wins, after the parent's `Parameters`.
#[derive(Clone, Debug)]
pub enum ParamSource {
    /// A JSON or YAML file whose mapping at `at` (keys from the file's root; empty: the root)
    /// holds values by parameter name. `expressions`: values written as functions (Amplify's
    /// `{"Fn::GetAtt": ["AuthRole", "Arn"]}`, which names a resource of the root stack) are
    /// bound; otherwise only literals are, and a function leaves the parameter unknown.
    File {
        path: PathBuf,
        at: Vec<String>,
        /// Shown as where the values came from (`--verbose`, messages).
        shown: String,
        expressions: bool,
    },
    /// One value (Amplify's `env`: the environment), with where it came from.
    Value {
        name: String,
        value: String,
        source: String,
    },
}

/// A [`ParamSource`] read into the group's tree.
enum LoadedSource {
    File(NodeId, String, bool),
    Value(String, String, String),
}

/// Parameter sources a group reads beside its templates (Amplify), by template (absolute).
pub type ParamFiles = HashMap<PathBuf, Vec<ParamSource>>;

/// Assembles a group from its start templates.
pub fn assemble(
    name: &str,
    starts: &[Start],
    limits: &Limits,
    root_dir: PathBuf,
    index: &FileIndex,
    param_files: &ParamFiles,
    overrides: &[(PathBuf, String)],
) -> Stack {
    let how = Assembly {
        what: "nested and linked templates",
        late: &[],
        param_files,
        overrides,
    };
    assemble_with(name, starts, limits, root_dir, index, &how)
}

/// How a group is assembled, besides its start templates.
pub struct Assembly<'a> {
    /// What the group is (`--verbose`: "stack `name` (what)").
    pub what: &'a str,
    /// Templates that start the group only when no other member nests them (absolute, in
    /// order): an Amplify project's category templates, nested by its root stack when it
    /// names them.
    pub late: &'a [PathBuf],
    pub param_files: &'a ParamFiles,
    /// Texts to read instead of what is on disk (an editor's unsaved buffer), by absolute path.
    pub overrides: &'a [(PathBuf, String)],
}

/// Assembles a group from its start templates, then its `late` templates that no member
/// nests.
pub fn assemble_with(
    name: &str,
    starts: &[Start],
    limits: &Limits,
    root_dir: PathBuf,
    index: &FileIndex,
    how: &Assembly<'_>,
) -> Stack {
    let param_files = how.param_files;
    let mut asm = Assembler::new(limits, root_dir.clone());
    for (path, text) in how.overrides {
        asm.overrides.insert(path.clone(), text.clone());
    }
    let mut notes = vec![format!("stack `{name}` ({})", how.what)];
    let mut members: Vec<Member> = Vec::new();
    let mut by_path: HashMap<PathBuf, usize> = HashMap::new();
    // (path, qualifier, stack name, parent (member, logical ID), ancestors' paths)
    type Pending = (
        PathBuf,
        String,
        Option<String>,
        Option<(usize, String)>,
        Vec<PathBuf>,
    );
    let stem = |p: &Path| {
        p.file_stem()
            .and_then(|x| x.to_str())
            .unwrap_or("stack")
            .to_string()
    };
    let mut queue: std::collections::VecDeque<Pending> = starts
        .iter()
        .map(|s| {
            (
                s.path.clone(),
                s.stack_name.clone().unwrap_or_else(|| stem(&s.path)),
                s.stack_name.clone(),
                None,
                Vec::new(),
            )
        })
        .collect();
    let mut late = how.late.iter();
    loop {
        let next = match queue.pop_front() {
            Some(x) => x,
            None => {
                let Some(p) = late.find(|p| !by_path.contains_key(*p)) else {
                    break;
                };
                (p.clone(), stem(p), None, None, Vec::new())
            }
        };
        let (path, qualifier, stack_name, parent, chain) = next;
        if let Some(&m) = by_path.get(&path) {
            // Nested twice (or also a start): one member; its parameters are bound by each.
            if let Some((p, id)) = parent {
                members[p].nested.push((id, m));
            }
            continue;
        }
        let first = asm.tree.len() as u32;
        let root = match asm.load(&path, false) {
            Ok(Some(r)) => r,
            Ok(None) => continue,
            Err(LoadError::Missing(msg)) => {
                notes.push(format!("  cannot read: {msg}"));
                continue;
            }
            Err(LoadError::Outside) => {
                notes.push(format!(
                    "  {} lies outside the repository: not read",
                    display_path(&path)
                ));
                continue;
            }
        };
        let end = asm.tree.len() as u32;
        let i = members.len();
        by_path.insert(path.clone(), i);
        notes.push(format!(
            "  file {}{}",
            display_path(&path),
            match &parent {
                Some((p, id)) => format!(
                    " (nested stack `{id}` of {})",
                    display_path(&members[*p].abs)
                ),
                None => String::new(),
            }
        ));
        if let Some((p, id)) = &parent {
            members[*p].nested.push((id.clone(), i));
        }
        let mut param_sources = Vec::new();
        for src in param_files
            .get(&path)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            match src {
                ParamSource::File {
                    path: pf,
                    at,
                    shown,
                    expressions,
                } => {
                    let Some(root) = asm.load(pf, false).ok().flatten() else {
                        continue;
                    };
                    let keys: Vec<&str> = at.iter().map(String::as_str).collect();
                    let Some(node) = asm.tree.get_path(root, &keys).map(|n| asm.tree.deref(n))
                    else {
                        continue;
                    };
                    if asm.tree.entries(node).is_none() {
                        continue;
                    }
                    notes.push(format!(
                        "  parameter values of {} from {shown}",
                        display_path(&path)
                    ));
                    param_sources.push(LoadedSource::File(node, shown.clone(), *expressions));
                }
                ParamSource::Value {
                    name,
                    value,
                    source,
                } => {
                    param_sources.push(LoadedSource::Value(
                        name.clone(),
                        value.clone(),
                        source.clone(),
                    ));
                }
            }
        }
        members.push(Member {
            abs: path.clone(),
            root,
            first,
            end,
            qualifier,
            stack_name,
            nested: Vec::new(),
            refs: HashMap::new(),
            conds: HashMap::new(),
            maps: HashMap::new(),
            outs: HashMap::new(),
            param_sources,
        });
        // Its nested stacks.
        let resources: Vec<Entry> = asm
            .tree
            .get(root, "Resources")
            .and_then(|r| asm.tree.entries(r))
            .map(<[Entry]>::to_vec)
            .unwrap_or_default();
        let mut chain = chain;
        chain.push(path.clone());
        for r in resources {
            let node = asm.tree.deref(r.value);
            let Some(url) = nested_url(&asm.tree, node) else {
                continue;
            };
            let at = asm.tree.span(url);
            let located = match asset_child(&asm.tree, node, &path, &root_dir) {
                Some(p) => ChildAt::File(p, false),
                None => child_at(&asm.tree, url, &path, &root_dir, index),
            };
            match located {
                ChildAt::File(child, by_name) => {
                    if chain.contains(&child) {
                        asm.issue(
                            "TM011",
                            at,
                            Some(url),
                            format!(
                                "nested stack `{}` includes {}, which includes this template: a nesting cycle",
                                r.key,
                                display_path(&child)
                            ),
                        );
                    } else if chain.len() >= MAX_NESTING {
                        asm.issue(
                            "TM011",
                            at,
                            Some(url),
                            format!(
                                "nested stack `{}` is nested more than {MAX_NESTING} deep: not followed",
                                r.key
                            ),
                        );
                    } else {
                        if by_name {
                            notes.push(format!(
                                "  nested stack `{}`: URL matched by file name to {}",
                                r.key,
                                display_path(&child)
                            ));
                        }
                        queue.push_back((
                            child,
                            r.key.to_string(),
                            None,
                            Some((i, r.key.to_string())),
                            chain.clone(),
                        ));
                    }
                }
                ChildAt::Unknown(why) => {
                    notes.push(format!(
                        "  nested stack `{}`: unknown template ({why})",
                        r.key
                    ));
                }
                ChildAt::Problem(msg) => asm.issue("TM011", at, Some(url), msg),
            }
        }
    }
    rename(&mut asm.tree, &mut members);
    let given = bind(&mut asm, &members, &mut notes);
    let mut sections = Sections::default();
    let mut transforms: Vec<NodeId> = Vec::new();
    for m in &members {
        merge(&mut asm, &mut sections, m, &mut transforms);
    }
    if !transforms.is_empty() {
        let span = asm.tree.span(transforms[0]);
        sections.transform = Some(asm.tree.push_seq(transforms, span));
    }
    let mut st = super::fragments::finish(asm, sections, name, StackKind::Group, notes);
    if let Some(t) = &mut st.template {
        for (k, v) in given {
            t.param_values.insert(k.into(), v);
        }
    }
    st
}

/// Namespaces of names: `Ref` names (parameters and resources), conditions, mappings, outputs.
const SECTION_SPACE: &[(&str, usize)] = &[
    ("Parameters", 0),
    ("Resources", 0),
    ("Conditions", 1),
    ("Mappings", 2),
    ("Outputs", 3),
];

/// Step 1: names an earlier member uses are renamed in later members.
fn rename(tree: &mut Tree, members: &mut [Member]) {
    let mut taken: [HashSet<String>; 4] = Default::default();
    // Pseudo parameters are never renamed or taken.
    for m in members.iter_mut() {
        for (section, space) in SECTION_SPACE {
            let Some(entries) = tree.get(m.root, section).and_then(|s| tree.entries(s)) else {
                continue;
            };
            let keys: Vec<String> = entries.iter().map(|e| e.key.to_string()).collect();
            for k in keys {
                let new = if taken[*space].contains(&k) {
                    let mut n = format!("{}/{k}", m.qualifier);
                    let mut i = 2;
                    while taken[*space].contains(&n) {
                        n = format!("{}{i}/{k}", m.qualifier);
                        i += 1;
                    }
                    n
                } else {
                    k.clone()
                };
                taken[*space].insert(new.clone());
                if new != k {
                    let map = match space {
                        0 => &mut m.refs,
                        1 => &mut m.conds,
                        2 => &mut m.maps,
                        _ => &mut m.outs,
                    };
                    map.insert(k, new);
                }
            }
        }
        if !(m.refs.is_empty() && m.conds.is_empty() && m.maps.is_empty()) {
            rewrite_refs(tree, m);
        }
    }
}

/// Rewrites the references of a member to its renamed names.
fn rewrite_refs(tree: &mut Tree, m: &Member) {
    let scalar = |tree: &mut Tree, n: NodeId, map: &HashMap<String, String>| {
        let n = tree.deref(n);
        if let Some((s, style)) = tree.scalar(n) {
            if let Some(new) = map.get(s) {
                let new = new.clone();
                tree.set_scalar(n, &new, style);
            }
        }
    };
    for id in m.first..m.end {
        let id = NodeId(id);
        let Kind::Map(entries) = tree.kind(id) else {
            continue;
        };
        let entries: Vec<(Box<str>, NodeId)> =
            entries.iter().map(|e| (e.key.clone(), e.value)).collect();
        if let [(key, arg)] = entries.as_slice() {
            let arg = tree.deref(*arg);
            match &**key {
                "Ref" => scalar(tree, arg, &m.refs),
                "Condition" => scalar(tree, arg, &m.conds),
                "Fn::GetAtt" => {
                    if let Some((s, style)) = tree.scalar(arg) {
                        if let Some((r, a)) = s.split_once('.') {
                            if let Some(new) = m.refs.get(r) {
                                let text = format!("{new}.{a}");
                                tree.set_scalar(arg, &text, style);
                            }
                        } else {
                            scalar(tree, arg, &m.refs);
                        }
                    } else if let Some(first) = tree.items(arg).and_then(|i| i.first()).copied() {
                        scalar(tree, first, &m.refs);
                    }
                }
                "Fn::If" => {
                    if let Some(first) = tree.items(arg).and_then(|i| i.first()).copied() {
                        scalar(tree, first, &m.conds);
                    }
                }
                "Fn::FindInMap" => {
                    if let Some(first) = tree.items(arg).and_then(|i| i.first()).copied() {
                        scalar(tree, first, &m.maps);
                    }
                }
                "Fn::Sub" => {
                    let (s_node, locals) = match tree.items(arg) {
                        Some(items) => (
                            items.first().map(|n| tree.deref(*n)),
                            items.get(1).map(|n| tree.deref(*n)),
                        ),
                        None => (Some(arg), None),
                    };
                    if let Some(s_node) = s_node {
                        rewrite_sub(tree, s_node, locals, &m.refs);
                    }
                }
                _ => {}
            }
        }
        for (key, value) in entries {
            match &*key {
                // The attribute of a resource or output (the function is handled above).
                "Condition"
                    if tree.get(id, "Type").is_some() || tree.get(id, "Value").is_some() =>
                {
                    scalar(tree, value, &m.conds)
                }
                "DependsOn" => {
                    let v = tree.deref(value);
                    match tree.items(v).map(<[NodeId]>::to_vec) {
                        Some(items) => items.into_iter().for_each(|i| scalar(tree, i, &m.refs)),
                        None => scalar(tree, v, &m.refs),
                    }
                }
                _ => {}
            }
        }
    }
}

/// Rewrites the `${Name}` and `${Name.Attr}` variables of a `Fn::Sub` string.
fn rewrite_sub(
    tree: &mut Tree,
    node: NodeId,
    locals: Option<NodeId>,
    map: &HashMap<String, String>,
) {
    let Some((s, style)) = tree.scalar(node) else {
        return;
    };
    let mut out = String::new();
    let mut last = 0;
    let mut changed = false;
    for var in sub_vars(s) {
        if locals.is_some_and(|l| tree.get(l, var.name).is_some()) {
            continue;
        }
        let (head, tail) = match var.name.split_once('.') {
            Some((h, t)) => (h, Some(t)),
            None => (var.name, None),
        };
        if let Some(new) = map.get(head) {
            out.push_str(&s[last..var.start]);
            out.push_str("${");
            out.push_str(new);
            if let Some(t) = tail {
                out.push('.');
                out.push_str(t);
            }
            out.push('}');
            last = var.end;
            changed = true;
        }
    }
    if changed {
        out.push_str(&s[last..]);
        tree.set_scalar(node, &out, style);
    }
}

/// A parameter's binding: a literal value, or a node whose copy replaces its references.
enum Binding {
    Literal(String, String),
    Node(NodeId),
}

/// Steps 2 and 3: bindings, then substitution. Returns the parameter values bound to literals.
fn bind(
    asm: &mut Assembler<'_>,
    members: &[Member],
    notes: &mut Vec<String>,
) -> Vec<(String, ParamValue)> {
    let mut params: HashMap<String, Vec<Binding>> = HashMap::new();
    let mut outputs: HashMap<(String, String), NodeId> = HashMap::new();
    // Nested stacks: the parent's `Parameters`, the child's outputs.
    for m in members {
        for (id, c) in &m.nested {
            let child = &members[*c];
            let res = m.refs.get(id).cloned().unwrap_or_else(|| id.clone());
            let tree = &asm.tree;
            let Some(node) = tree
                .get_path(m.root, &["Resources", id])
                .map(|n| tree.deref(n))
            else {
                continue;
            };
            let passed = tree
                .get(node, "Properties")
                .and_then(|p| tree.get(p, "Parameters"))
                .and_then(|p| tree.entries(tree.deref(p)))
                .map(<[Entry]>::to_vec)
                .unwrap_or_default();
            for e in passed {
                if tree.get_path(child.root, &["Parameters", &e.key]).is_none() {
                    continue;
                }
                let name = child
                    .refs
                    .get(&*e.key)
                    .cloned()
                    .unwrap_or_else(|| e.key.to_string());
                let v = tree.deref(e.value);
                let b = match literal(tree, v) {
                    Some(text) => Binding::Literal(
                        text,
                        format!("nested stack `{res}` in {}", asm.where_is(e.key_span)),
                    ),
                    None => Binding::Node(v),
                };
                params.entry(name).or_default().push(b);
            }
            if let Some(outs) = tree
                .get(child.root, "Outputs")
                .and_then(|o| tree.entries(o))
            {
                for o in outs {
                    if let Some(v) = tree.get(tree.deref(o.value), "Value") {
                        outputs.insert((res.clone(), o.key.to_string()), tree.deref(v));
                    }
                }
            }
        }
    }
    // Parameter sources beside a template (Amplify): for parameters no parent passes, the
    // first source that gives one wins.
    for m in members {
        for src in &m.param_sources {
            let tree = &asm.tree;
            let declared = |key: &str| tree.get_path(m.root, &["Parameters", key]).is_some();
            let renamed = |key: &str| m.refs.get(key).cloned().unwrap_or_else(|| key.to_string());
            let (file, shown, expressions) = match src {
                LoadedSource::Value(name, value, source) => {
                    let key = renamed(name);
                    if declared(name) && !params.contains_key(&key) {
                        params.insert(key, vec![Binding::Literal(value.clone(), source.clone())]);
                    }
                    continue;
                }
                LoadedSource::File(file, shown, expressions) => (*file, shown, *expressions),
            };
            for e in tree
                .entries(file)
                .map(<[Entry]>::to_vec)
                .unwrap_or_default()
            {
                if !declared(&e.key) {
                    continue;
                }
                let name = renamed(&e.key);
                if params.contains_key(&name) {
                    continue;
                }
                let v = tree.deref(e.value);
                let b = match literal(tree, v) {
                    Some(text) => Binding::Literal(text, shown.clone()),
                    None if as_intrinsic(tree, v).is_some() => {
                        if !expressions {
                            continue;
                        }
                        Binding::Node(v)
                    }
                    // A list: CloudFormation receives it comma-joined.
                    None => match tree.items(v) {
                        Some(items) => {
                            let parts: Option<Vec<String>> = items
                                .iter()
                                .map(|i| literal(tree, tree.deref(*i)))
                                .collect();
                            match parts {
                                Some(p) => Binding::Literal(p.join(","), shown.clone()),
                                None => continue,
                            }
                        }
                        None => continue,
                    },
                };
                params.insert(name, vec![b]);
            }
        }
    }
    // Parameters: literals are given values; expressions are substituted; a parameter bound
    // twice (a template nested twice) differently is unknown.
    let mut given: Vec<(String, ParamValue)> = Vec::new();
    let mut subst_params: HashMap<String, NodeId> = HashMap::new();
    let mut unknown_params: Vec<String> = Vec::new();
    for (name, bs) in params {
        match bs.as_slice() {
            [Binding::Literal(v, source)] => given.push((
                name,
                ParamValue {
                    value: v.clone(),
                    source: source.clone(),
                },
            )),
            [Binding::Node(n)] => {
                subst_params.insert(name.clone(), *n);
                unknown_params.push(name);
            }
            _ => unknown_params.push(name),
        }
    }
    // A parameter bound to an expression has no default: the expression is what is deployed.
    for name in &unknown_params {
        for m in members {
            let tree = &mut asm.tree;
            if let Some(p) = tree
                .get_path(m.root, &["Parameters", name])
                .map(|p| tree.deref(p))
            {
                if let Some(entries) = tree.entries(p) {
                    let kept: Vec<Entry> = entries
                        .iter()
                        .filter(|e| &*e.key != "Default")
                        .cloned()
                        .collect();
                    tree.set_kind(p, Kind::Map(kept));
                }
            }
        }
    }
    // Exports of the group: name → (output value, name node).
    let given_of: HashMap<&str, &str> = given
        .iter()
        .map(|(k, v)| (k.as_str(), v.value.as_str()))
        .collect();
    // Each member's exports and imports, read once with the member's names in context.
    type Links = (Vec<(String, NodeId, NodeId)>, Vec<(NodeId, String)>);
    let read: Vec<Links> = members
        .iter()
        .map(|m| {
            let tree = &asm.tree;
            let param = |n: &str| {
                given_of
                    .get(n)
                    .map(|v| v.to_string())
                    .or_else(|| default_of(tree, m.root, n))
            };
            let cx = NameCx {
                tree,
                root: Some(m.root),
                stack_name: m.stack_name.as_deref(),
                param: &param,
            };
            (exports_of(&cx), imports_of(&cx, m.first..m.end))
        })
        .collect();
    let mut exports: HashMap<String, (NodeId, NodeId)> = HashMap::new();
    for (name, name_node, output) in read.iter().flat_map(|r| r.0.iter().cloned()) {
        let Some(value) = asm.tree.get(output, "Value") else {
            continue;
        };
        match exports.get(&name) {
            Some(&(_, first)) => {
                let first_span = asm.tree.span(first);
                let at = asm.where_is(first_span);
                asm.issues.push(crate::template::ParseIssue {
                    rule: "TM011",
                    span: asm.tree.span(name_node),
                    node: Some(name_node),
                    message: format!(
                        "the export `{name}` is also exported at {at}: two stacks cannot export one name, and its imports cannot be told apart"
                    ),
                    label: Some((first_span, "first exported here".to_string())),
                });
                exports.insert(name, (NodeId(u32::MAX), first));
            }
            None => {
                exports.insert(name, (asm.tree.deref(value), name_node));
            }
        }
    }
    exports.retain(|_, (v, _)| v.0 != u32::MAX);
    // Imports of a name exported in the group: bound to the export's value.
    let imports: HashMap<NodeId, NodeId> = read
        .iter()
        .flat_map(|r| r.1.iter())
        .filter_map(|(id, name)| Some((*id, exports.get(name)?.0)))
        .collect();
    if !imports.is_empty() {
        notes.push(format!(
            "  {} import(s) resolved to exports of the run",
            imports.len()
        ));
    }
    substitute(asm, members, &subst_params, &outputs, imports);
    given
}

/// A scalar's text, when the node is a literal (not a function).
fn literal(tree: &Tree, node: NodeId) -> Option<String> {
    if tree.entries(node).is_some() || tree.items(node).is_some() {
        return None;
    }
    tree.scalar(node).map(|(s, _)| s.to_string())
}

/// The node a bound reference is replaced by.
fn bound(
    tree: &Tree,
    id: NodeId,
    params: &HashMap<String, NodeId>,
    outputs: &HashMap<(String, String), NodeId>,
    imports: &HashMap<NodeId, NodeId>,
) -> Option<NodeId> {
    match as_intrinsic(tree, id) {
        Some(("Ref", arg, _)) => tree.str(arg).and_then(|n| params.get(n)).copied(),
        Some(("Fn::GetAtt", arg, _)) => {
            let (r, a) = crate::template::intrinsic::getatt_parts(tree, arg)?;
            let out = a?.strip_prefix("Outputs.")?.to_string();
            outputs.get(&(r, out)).copied()
        }
        Some(("Fn::ImportValue", _, _)) => imports.get(&id).copied(),
        _ => None,
    }
}

/// Replaces every bound reference by a copy of what it is bound to (see the module doc).
fn substitute(
    asm: &mut Assembler<'_>,
    members: &[Member],
    params: &HashMap<String, NodeId>,
    outputs: &HashMap<(String, String), NodeId>,
    mut imports: HashMap<NodeId, NodeId>,
) {
    if params.is_empty() && outputs.is_empty() && imports.is_empty() {
        return;
    }
    let end = members.iter().map(|m| m.end).max().unwrap_or(0);
    let mut queue: Vec<NodeId> = (0..end).rev().map(NodeId).collect();
    // Each substitution copies at least one node; the budget bounds the whole pass.
    let mut budget = asm.copy_budget.max(asm.tree.len()).min(1 << 24);
    while let Some(id) = queue.pop() {
        let Some(mut target) = bound(&asm.tree, id, params, outputs, &imports) else {
            continue;
        };
        // A bound value that is itself a bound reference (a child's output that is one of its
        // parameters): the end of the chain.
        for _ in 0..32 {
            match bound(&asm.tree, target, params, outputs, &imports) {
                Some(t) if t != target => target = t,
                _ => break,
            }
        }
        let node = asm.tree.node(id);
        let (parent, slot, span) = (node.parent, node.slot as usize, node.span);
        if target == id || parent == id {
            continue;
        }
        let before = asm.tree.len() as u32;
        let Some(copy) = asm.tree.copy_subtree(target, &mut budget) else {
            return;
        };
        let after = asm.tree.len() as u32;
        if !imports.is_empty() {
            // Imports inside the copy are bound like the ones they copy.
            let mut pairs = vec![(asm.tree.deref(target), copy)];
            while let Some((src, dst)) = pairs.pop() {
                if let Some(&t) = imports.get(&src) {
                    imports.insert(dst, t);
                }
                let tree = &asm.tree;
                match (tree.kind(src), tree.kind(dst)) {
                    (Kind::Map(a), Kind::Map(b)) => {
                        pairs.extend(a.iter().zip(b).map(|(x, y)| (tree.deref(x.value), y.value)))
                    }
                    (Kind::Seq(a), Kind::Seq(b)) => {
                        pairs.extend(a.iter().zip(b).map(|(x, y)| (tree.deref(*x), *y)))
                    }
                    _ => {}
                }
            }
        }
        for n in before..after {
            let n = NodeId(n);
            asm.tree.set_span(n, span);
            let keys = asm.tree.entries(n).map(<[Entry]>::len).unwrap_or(0);
            for slot in 0..keys {
                asm.tree.set_key_span(n, slot, span);
            }
            queue.push(n);
        }
        asm.tree.replace_child(parent, slot, copy);
    }
}

/// Adds a member's sections to the group's, under their (renamed) names.
fn merge(
    asm: &mut Assembler<'_>,
    sections: &mut Sections,
    m: &Member,
    transforms: &mut Vec<NodeId>,
) {
    let tree = &asm.tree;
    let Some(entries) = tree.entries(m.root).map(<[Entry]>::to_vec) else {
        return;
    };
    for e in entries {
        let value = tree.deref(e.value);
        match &*e.key {
            "Transform" => match tree.items(value) {
                Some(items) => transforms.extend(items.iter().map(|i| tree.deref(*i))),
                None => transforms.push(value),
            },
            "Description" => {
                sections.description.get_or_insert(value);
            }
            key => {
                let Some(name) = super::SECTIONS
                    .iter()
                    .chain(&["Metadata"])
                    .find(|s| **s == key)
                    .copied()
                else {
                    continue;
                };
                let map = match name {
                    "Parameters" | "Resources" => Some(&m.refs),
                    "Conditions" => Some(&m.conds),
                    "Mappings" => Some(&m.maps),
                    "Outputs" => Some(&m.outs),
                    _ => None,
                };
                for mut item in tree
                    .entries(value)
                    .map(<[Entry]>::to_vec)
                    .unwrap_or_default()
                {
                    if let Some(new) = map.and_then(|m| m.get(&*item.key)) {
                        item.key = new.as_str().into();
                    }
                    if sections.find(name, &item.key).is_none() {
                        sections.push(name, item);
                    }
                }
            }
        }
    }
}
