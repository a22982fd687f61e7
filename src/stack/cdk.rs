//! CDK cloud assemblies (CLI.md, *Stacks*: CDK): a `cdk.out` folder is read through its
//! `manifest.json`. Each artifact of type `aws:cloudformation:stack` is a stack whose template
//! is `properties.templateFile` and whose name is `properties.stackName` (else the artifact's
//! ID), which gives `${AWS::StackName}`; nested-stack templates among the file assets
//! (`*.nested.template.json`, named by the nested stack's `aws:asset:path` metadata) are read
//! as nested children ([`super::group`]). Stacks that import what another exports are one group;
//! the other files of the folder (asset manifests, `tree.json`, `asset.*` folders) are not
//! templates of the app.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

use super::group::{self, Assembly, ParamFiles, Start};
use super::names::{Joined, NameCx, default_of, exports_of, imports_of};
use super::{Stack, absolute, display_path, repository_root_in};
use crate::template::parse::{self, Limits};

/// A stack of a cloud assembly.
struct CdkStack {
    name: String,
    template: PathBuf,
}

/// The generated folders directly under `dir` that a walk enters even when an ignore file
/// lists them: `cdk.out`, and Amplify Gen 2's `.amplify/artifacts/cdk.out`.
pub fn generated_dirs(dir: &Path) -> Vec<PathBuf> {
    [dir.join("cdk.out"), dir.join(".amplify/artifacts/cdk.out")]
        .into_iter()
        .filter(|d| d.join("manifest.json").is_file())
        .collect()
}

/// Whether a folder is an asset folder of a cloud assembly (`cdk.out/asset.<hash>`): code and
/// bundles, never walked.
pub fn is_asset_dir(dir: &Path) -> bool {
    dir.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("asset."))
        && dir
            .parent()
            .is_some_and(|p| p.join("manifest.json").is_file())
}

/// Why a file found in a cloud assembly is not linted on its own: anything there but the
/// manifest and `*.template.json` files (asset manifests, `tree.json`).
pub fn not_a_stack_file(path: &Path) -> Option<String> {
    let dir = crate::stack::parent(path)?;
    if dir.file_name()? != "cdk.out" || !dir.join("manifest.json").is_file() {
        return None;
    }
    let name = crate::stack::file_name(path)?.to_str()?;
    if name == "manifest.json" || name.ends_with(".template.json") {
        return None;
    }
    Some(format!(
        "a file of the CDK cloud assembly {}, which is read through its manifest.json",
        display_path(dir)
    ))
}

/// The stacks a `manifest.json` names (templates inside its folder only).
fn read_manifest(manifest: &Path, limits: &Limits) -> Option<Vec<CdkStack>> {
    let text = crate::read_text(manifest, limits.max_file_size)?;
    if !text.contains("aws:cloudformation:stack") {
        return None;
    }
    let dir = absolute(manifest.parent()?);
    let parsed = parse::parse(&text, limits);
    let root = parsed.root?;
    let tree = &parsed.tree;
    let arts = tree.get(root, "artifacts")?;
    let mut out = Vec::new();
    for a in tree.entries(tree.deref(arts))? {
        let v = tree.deref(a.value);
        if tree.get(v, "type").and_then(|t| tree.str(t)) != Some("aws:cloudformation:stack") {
            continue;
        }
        let Some(props) = tree.get(v, "properties") else {
            continue;
        };
        let Some(file) = tree.get(props, "templateFile").and_then(|t| tree.str(t)) else {
            continue;
        };
        let template = absolute(&dir.join(file));
        if !template.starts_with(&dir) || !template.is_file() {
            continue;
        }
        let name = tree
            .get(props, "stackName")
            .and_then(|t| tree.str(t))
            .unwrap_or(&a.key)
            .to_string();
        out.push(CdkStack { name, template });
    }
    Some(out)
}

/// A stack's export and import names (those that resolve).
fn links_of(s: &CdkStack, limits: &Limits) -> (Vec<String>, Vec<String>) {
    let Some(text) = crate::read_text(&s.template, limits.max_file_size) else {
        return Default::default();
    };
    if !text.contains("Export") && !text.contains("ImportValue") {
        return Default::default();
    }
    let parsed = parse::parse(&text, limits);
    let Some(root) = parsed.root else {
        return Default::default();
    };
    let tree = &parsed.tree;
    let param = |n: &str| default_of(tree, root, n);
    let cx = NameCx {
        tree,
        root: Some(root),
        stack_name: Some(&s.name),
        param: &param,
    };
    let exports = exports_of(&cx).into_iter().map(|e| e.0).collect();
    let ids = 0..u32::try_from(tree.len()).unwrap_or(u32::MAX);
    let imports = imports_of(&cx, ids).into_iter().map(|i| i.1).collect();
    (exports, imports)
}

/// The stacks of one cloud assembly, grouped: stacks joined by an import of a name one of
/// them exports are one group.
fn assemble_assembly(
    manifest: &Path,
    options: &crate::Options,
    given_dirs: &[PathBuf],
    indexes: &super::links::Indexes,
) -> Vec<Stack> {
    let limits = &options.limits;
    let Some(stacks) = read_manifest(manifest, limits) else {
        return Vec::new();
    };
    let links: Vec<(Vec<String>, Vec<String>)> =
        stacks.par_iter().map(|s| links_of(s, limits)).collect();
    let mut exporters: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (ex, _)) in links.iter().enumerate() {
        for e in ex {
            exporters.entry(e.as_str()).or_default().push(i);
        }
    }
    let mut joined = Joined::new(stacks.len());
    for (i, (_, im)) in links.iter().enumerate() {
        for name in im {
            if let Some([e]) = exporters.get(name.as_str()).map(Vec::as_slice) {
                joined.join(i, *e);
            }
        }
    }
    let mut comps: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in 0..stacks.len() {
        comps.entry(joined.find(i)).or_default().push(i);
    }
    let dir = manifest.parent().unwrap_or(Path::new(""));
    let root_dir = repository_root_in(dir, given_dirs);
    let param_files = ParamFiles::default();
    let what = format!("CDK cloud assembly {}", display_path(manifest));
    comps
        .into_values()
        .map(|members| {
            let starts: Vec<Start> = members
                .iter()
                .map(|&i| Start {
                    path: stacks[i].template.clone(),
                    stack_name: Some(stacks[i].name.clone()),
                })
                .collect();
            let name = members
                .iter()
                .map(|&i| stacks[i].name.as_str())
                .collect::<Vec<_>>()
                .join(" + ");
            let how = Assembly {
                what: &what,
                late: &[],
                param_files: &param_files,
                overrides: &[],
            };
            group::assemble_with(
                &name,
                &starts,
                limits,
                root_dir.clone(),
                &indexes.of(&root_dir),
                &how,
            )
        })
        .collect()
}

/// The cloud assemblies of a run: a `manifest.json` among `files`, or a `*.template.json`
/// beside one. Returns their stacks, and the templates of manifests named in the run (each
/// linted and reported whole, as a Serverless service file given is).
pub(crate) fn stacks_of_run<P: Sync, E: Sync>(
    files: &[(P, E, Arc<crate::Options>, PathBuf)],
    held: &[(Stack, Arc<crate::Options>)],
    given_dirs: &[PathBuf],
) -> (Vec<(Stack, Arc<crate::Options>)>, Vec<PathBuf>) {
    let taken: std::collections::HashSet<&Path> = held
        .iter()
        .flat_map(|(st, _)| st.files.iter().filter_map(|f| f.abs.as_deref()))
        .collect();
    let mut manifests: std::collections::BTreeMap<PathBuf, (Arc<crate::Options>, bool)> =
        Default::default();
    for f in files {
        if taken.contains(f.3.as_path()) {
            continue;
        }
        let Some(name) = crate::stack::file_name(&f.3).and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(dir) = crate::stack::parent(&f.3) else {
            continue;
        };
        let manifest = dir.join("manifest.json");
        if name == "manifest.json" {
            manifests
                .entry(manifest)
                .or_insert_with(|| (f.2.clone(), true))
                .1 = true;
        } else if name.ends_with(".template.json") && manifest.is_file() {
            manifests
                .entry(manifest)
                .or_insert_with(|| (f.2.clone(), false));
        }
    }
    if manifests.is_empty() {
        return Default::default();
    }
    let indexes = super::links::Indexes::default();
    let list: Vec<(PathBuf, Arc<crate::Options>, bool)> = manifests
        .into_iter()
        .map(|(m, (o, named))| (m, o, named))
        .collect();
    let built: Vec<(Vec<Stack>, Arc<crate::Options>, bool)> = list
        .par_iter()
        .map(|(m, o, named)| {
            (
                assemble_assembly(m, o, given_dirs, &indexes),
                o.clone(),
                *named,
            )
        })
        .collect();
    let mut out = Vec::new();
    let mut whole = Vec::new();
    for (stacks, o, named) in built {
        for st in stacks {
            if named {
                whole.extend(st.files.iter().filter_map(|f| f.abs.clone()));
            }
            out.push((st, o.clone()));
        }
    }
    (out, whole)
}
