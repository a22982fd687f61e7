//! Amplify Gen 1 projects (CLI.md, *Stacks*: Amplify): the templates Amplify writes under
//! `amplify/backend/**` are one deployed stack, its root stack
//! (`amplify/backend/awscloudformation/build/root-cloudformation-stack.json`) nesting each
//! category's template through an S3 URL ([`super::group`] matches it by file name).
//!
//! Each template takes its parameter values, after what the root stack passes it, from
//! `amplify/team-provider-info.json` (the environment's `categories.<category>.<resource>`, and
//! `awscloudformation` for the root), then from the `parameters.json` beside it (in its `build`
//! folder, or the resource's folder as Amplify writes them for functions), and `env` is the
//! environment's name. The environment is `--stage`, else the only one the file lists.
//!
//! The `#current-cloud-backend` folder is Amplify's copy of what was last pushed: a walk skips a
//! file there when the `backend` copy exists ([`current_copy_of`]); its root stack is read
//! only when the `backend` one is the bootstrap root (`amplify init`, no nested stack) and it
//! is not.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::group::{self, Assembly, ParamFiles, ParamSource, Start};
use super::{Stack, display_path, repository_root_in};
use crate::template::parse::{self, Limits};

/// Amplify's copy of the last pushed backend.
pub const CURRENT: &str = "#current-cloud-backend";

/// The most templates read from one project.
const MAX_TEMPLATES: usize = 10_000;

/// The `amplify` folder of a path under `amplify/backend/` or `amplify/#current-cloud-backend/`,
/// and whether it lies in the `#current-cloud-backend` copy.
pub fn project_of(path: &Path) -> Option<(PathBuf, bool)> {
    let comps: Vec<std::path::Component<'_>> = path.components().collect();
    // (The path must lie below the folder: at least one more component.)
    for i in (0..comps.len().saturating_sub(2)).rev() {
        if comps[i].as_os_str() != "amplify" {
            continue;
        }
        let next = comps[i + 1].as_os_str();
        if next == "backend" || next == CURRENT {
            return Some((comps[..=i].iter().collect(), next == CURRENT));
        }
    }
    None
}

/// Whether a path is a template Amplify writes (`*cloudformation-template.json`,
/// `root-cloudformation-stack.json`) in an Amplify project.
pub fn is_template(path: &Path) -> bool {
    let Some(name) = crate::stack::file_name(path).and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    let template = lower == "root-cloudformation-stack.json"
        || [
            "cloudformation-template.json",
            "cloudformation-template.yaml",
            "cloudformation-template.yml",
        ]
        .iter()
        .any(|e| lower.ends_with(e));
    template && project_of(path).is_some()
}

/// For a file of Amplify's `#current-cloud-backend` copy, the same file under `backend` when it
/// exists (the one a walk lints).
pub fn current_copy_of(path: &Path) -> Option<PathBuf> {
    let (dir, current) = project_of(path)?;
    if !current {
        return None;
    }
    let rel = path.strip_prefix(dir.join(CURRENT)).ok()?;
    let backend = dir.join("backend").join(rel);
    backend.is_file().then_some(backend)
}

/// The folders Amplify generates directly under `dir` that a walk enters even when an ignore
/// file lists them (Amplify's own `.gitignore` lists `build/` and `#current-cloud-backend`):
/// `amplify/#current-cloud-backend`, and the `build` folder of the root stack
/// (`awscloudformation`) and of each resource (`<category>/<resource>`).
pub fn generated_dirs(dir: &Path) -> Vec<PathBuf> {
    let name = |p: Option<&Path>| {
        p.and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .map(str::to_string)
    };
    let mut out = Vec::new();
    let this = name(Some(dir));
    if this.as_deref() == Some("amplify") {
        out.push(dir.join(CURRENT));
    }
    let up1 = dir.parent();
    let up2 = up1.and_then(Path::parent);
    let up3 = up2.and_then(Path::parent);
    let backend = |n: Option<String>| n.is_some_and(|n| n == "backend" || n == CURRENT);
    let amplify = |n: Option<String>| n.as_deref() == Some("amplify");
    let root_stack =
        this.as_deref() == Some("awscloudformation") && backend(name(up1)) && amplify(name(up2));
    let resource = backend(name(up2)) && amplify(name(up3));
    if root_stack || resource {
        out.push(dir.join("build"));
    }
    out.retain(|d| d.is_dir());
    out
}

/// The environment whose values are read from `team-provider-info.json`, why it was chosen,
/// and the root stack's name in it.
struct Environment {
    name: String,
    why: String,
    stack_name: Option<String>,
}

/// The environment of a project: `--stage` when the file lists it, else the only one listed.
fn environment(
    tpi: &Path,
    stage: Option<&str>,
    limits: &Limits,
    notes: &mut Vec<String>,
) -> Option<Environment> {
    let text = crate::read_text(tpi, limits.max_file_size)?;
    let parsed = parse::parse(&text, limits);
    let root = parsed.root?;
    let tree = &parsed.tree;
    let envs: Vec<String> = tree
        .entries(root)?
        .iter()
        .map(|e| e.key.to_string())
        .collect();
    let shown = display_path(tpi);
    let (name, why) = match stage {
        Some(s) if envs.iter().any(|e| e == s) => (s.to_string(), "--stage".to_string()),
        Some(s) => {
            notes.push(format!(
                "  {shown} has no environment `{s}` (--stage): its values are not read"
            ));
            return None;
        }
        None => match envs.as_slice() {
            [one] => (one.clone(), format!("the only environment of {shown}")),
            [] => return None,
            _ => {
                notes.push(format!(
                    "  {shown} lists several environments ({}): give --stage to read one",
                    envs.join(", ")
                ));
                return None;
            }
        },
    };
    let stack_name = tree
        .get_path(root, &[&name, "awscloudformation", "StackName"])
        .and_then(|n| tree.str(tree.deref(n)))
        .map(str::to_string);
    Some(Environment {
        name,
        why,
        stack_name,
    })
}

/// The templates Amplify wrote under `amplify/backend` (sorted).
fn backend_templates(amplify: &Path) -> Vec<PathBuf> {
    let walk = ignore::WalkBuilder::new(amplify.join("backend"))
        .hidden(true)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .ignore(false)
        .parents(false)
        .filter_entry(|e| e.file_name() != "node_modules")
        .build();
    let mut out: Vec<PathBuf> = walk
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| super::absolute(e.path()))
        .filter(|p| is_template(p))
        .take(MAX_TEMPLATES)
        .collect();
    out.sort();
    out
}

/// Whether a root stack nests any stack (the bootstrap root of `amplify init` does not).
fn nests(root: &Path, limits: &Limits) -> bool {
    crate::read_text(root, limits.max_file_size)
        .is_some_and(|t| t.contains("AWS::CloudFormation::Stack"))
}

/// The parameter sources of one template of the project.
fn sources_of(
    template: &Path,
    amplify: &Path,
    env: Option<&Environment>,
    root_read: bool,
) -> Vec<ParamSource> {
    let mut out = Vec::new();
    let tpi = amplify.join("team-provider-info.json");
    // `<category>/<resource>` (or `awscloudformation`) under `backend`.
    let rel: Vec<String> = template
        .strip_prefix(amplify.join("backend"))
        .or_else(|_| template.strip_prefix(amplify.join(CURRENT)))
        .map(|r| {
            r.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    if let Some(env) = env {
        let at = match rel.first().map(String::as_str) {
            Some("awscloudformation") => Some(vec![env.name.clone(), "awscloudformation".into()]),
            Some(category) if rel.len() > 2 => Some(vec![
                env.name.clone(),
                "categories".into(),
                category.to_string(),
                rel[1].clone(),
            ]),
            _ => None,
        };
        if let Some(at) = at {
            out.push(ParamSource::File {
                path: tpi.clone(),
                at,
                shown: format!("{} (environment `{}`)", display_path(&tpi), env.name),
                expressions: false,
            });
        }
    }
    // `parameters.json` beside the template, else in the resource's folder above `build`.
    if let Some(dir) = crate::stack::parent(template) {
        let mut beside = dir.join("parameters.json");
        if !beside.is_file() && dir.file_name().is_some_and(|n| n == "build") {
            if let Some(up) = dir.parent() {
                beside = up.join("parameters.json");
            }
        }
        if beside.is_file() {
            out.push(ParamSource::File {
                shown: display_path(&beside),
                path: beside,
                at: Vec::new(),
                // Values such as `{"Fn::GetAtt": ["AuthRole", "Arn"]}` name resources of the
                // root stack: bound only when it is read.
                expressions: root_read,
            });
        }
    }
    if let Some(env) = env {
        out.push(ParamSource::Value {
            name: "env".into(),
            value: env.name.clone(),
            source: format!("the Amplify environment `{}` ({})", env.name, env.why),
        });
    }
    out
}

/// Assembles the Amplify project whose `amplify` folder is `amplify`.
fn assemble_project(
    amplify: &Path,
    options: &crate::Options,
    given_dirs: &[PathBuf],
    indexes: &super::links::Indexes,
) -> Stack {
    let limits = &options.limits;
    let root_dir = repository_root_in(amplify, given_dirs);
    let mut notes = Vec::new();
    let tpi = amplify.join("team-provider-info.json");
    let env = if tpi.is_file() {
        environment(&tpi, options.stage.as_deref(), limits, &mut notes)
    } else {
        None
    };
    let backend_root =
        amplify.join("backend/awscloudformation/build/root-cloudformation-stack.json");
    let current_root = amplify
        .join(CURRENT)
        .join("awscloudformation/build/root-cloudformation-stack.json");
    let root = match (backend_root.is_file(), current_root.is_file()) {
        (true, true) if !nests(&backend_root, limits) && nests(&current_root, limits) => {
            notes.push(format!(
                "  {} nests no stack (Amplify's bootstrap root): the root stack is {}",
                display_path(&backend_root),
                display_path(&current_root)
            ));
            Some(current_root)
        }
        (true, _) => Some(backend_root),
        (false, true) => Some(current_root),
        (false, false) => None,
    };
    let templates = backend_templates(amplify);
    let late: Vec<PathBuf> = templates
        .iter()
        .filter(|t| Some(*t) != root.as_ref())
        .filter(|t| !t.ends_with("awscloudformation/build/root-cloudformation-stack.json"))
        .cloned()
        .collect();
    let mut param_files = ParamFiles::default();
    for t in root.iter().chain(&late) {
        let s = sources_of(t, amplify, env.as_ref(), root.is_some());
        if !s.is_empty() {
            param_files.insert(t.clone(), s);
        }
    }
    let starts: Vec<Start> = root
        .iter()
        .map(|r| Start {
            path: r.clone(),
            stack_name: env.as_ref().and_then(|e| e.stack_name.clone()),
        })
        .collect();
    let what = match &env {
        Some(e) => format!("Amplify project, environment `{}` ({})", e.name, e.why),
        None => "Amplify project".to_string(),
    };
    let how = Assembly {
        what: &what,
        late: &late,
        param_files: &param_files,
        overrides: &[],
    };
    let mut st = group::assemble_with(
        &display_path(amplify),
        &starts,
        limits,
        root_dir.clone(),
        &indexes.of(&root_dir),
        &how,
    );
    st.notes.splice(1..1, notes);
    st
}

/// The Amplify projects of a run: each project with a template among `files` (path, explicit,
/// options, absolute path) that no stack of `held` holds is one stack, assembled whole (its
/// files not in the run are read, not reported).
pub(crate) fn stacks_of_run<P: Sync, E: Sync>(
    files: &[(P, E, Arc<crate::Options>, PathBuf)],
    held: &[(Stack, Arc<crate::Options>)],
    given_dirs: &[PathBuf],
) -> Vec<(Stack, Arc<crate::Options>)> {
    let taken: std::collections::HashSet<&Path> = held
        .iter()
        .flat_map(|(st, _)| st.files.iter().filter_map(|f| f.abs.as_deref()))
        .collect();
    let mut projects: std::collections::BTreeMap<PathBuf, Arc<crate::Options>> =
        std::collections::BTreeMap::new();
    for f in files {
        if taken.contains(f.3.as_path()) || !is_template(&f.3) {
            continue;
        }
        if let Some((dir, _)) = project_of(&f.3) {
            projects.entry(dir).or_insert_with(|| f.2.clone());
        }
    }
    if projects.is_empty() {
        return Vec::new();
    }
    let indexes = super::links::Indexes::default();
    let projects: Vec<(PathBuf, Arc<crate::Options>)> = projects.into_iter().collect();
    projects
        .par_iter()
        .map(|(dir, o)| (assemble_project(dir, o, given_dirs, &indexes), o.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout() {
        let p = Path::new("/r/amplify/backend/auth/a/build/a-cloudformation-template.json");
        assert_eq!(project_of(p), Some((PathBuf::from("/r/amplify"), false)));
        assert!(is_template(p));
        let c = Path::new(
            "/r/amplify/#current-cloud-backend/awscloudformation/build/root-cloudformation-stack.json",
        );
        assert_eq!(project_of(c), Some((PathBuf::from("/r/amplify"), true)));
        assert!(is_template(c));
        assert!(!is_template(Path::new(
            "/r/amplify/backend/auth/a/build/parameters.json"
        )));
        assert!(!is_template(Path::new(
            "/r/other/a-cloudformation-template.json"
        )));
        assert_eq!(project_of(Path::new("/r/amplify/backend")), None);
    }
}
