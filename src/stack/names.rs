//! What a name written in a template is, as a string: an `Export`'s `Name`, the argument of
//! `Fn::ImportValue`, a nested stack's `TemplateURL`. Literals, `Fn::Sub` strings whose
//! variables resolve (parameters with a known value, `${AWS::StackName}` when the stack's name
//! is known), `Fn::Join` of such parts and `Fn::FindInMap` with such keys; anything else is
//! unknown (`None`), and an unknown name never links anything.

use crate::template::intrinsic::{as_intrinsic, sub_vars};
use crate::template::{NodeId, Tree};

/// Where a name is read: the tree, the template's root (for `Mappings`), the stack's name and
/// the parameter values.
pub(crate) struct NameCx<'a> {
    pub tree: &'a Tree,
    pub root: Option<NodeId>,
    pub stack_name: Option<&'a str>,
    /// The value of a parameter (given, or its default), by name.
    pub param: &'a dyn Fn(&str) -> Option<String>,
}

/// The exports of the template at `cx.root` whose names resolve: (name, its `Export.Name`
/// node, the output's node). One reading for the run's scan, CDK's manifest and a group's
/// assembly.
pub(crate) fn exports_of(cx: &NameCx<'_>) -> Vec<(String, NodeId, NodeId)> {
    let (tree, Some(root)) = (cx.tree, cx.root) else {
        return Vec::new();
    };
    let outputs = tree.get(root, "Outputs").and_then(|o| tree.entries(o));
    outputs
        .into_iter()
        .flatten()
        .filter_map(|o| {
            let output = tree.deref(o.value);
            let name_node = tree.get_path(output, &["Export", "Name"])?;
            Some((name_of(cx, name_node)?, name_node, output))
        })
        .collect()
}

/// The `Fn::ImportValue` nodes among `ids` whose names resolve, with the names.
pub(crate) fn imports_of(cx: &NameCx<'_>, ids: std::ops::Range<u32>) -> Vec<(NodeId, String)> {
    ids.map(NodeId)
        .filter_map(|id| match as_intrinsic(cx.tree, id) {
            Some(("Fn::ImportValue", arg, _)) => Some((id, name_of(cx, arg)?)),
            _ => None,
        })
        .collect()
}

/// Sets joined by links (nestings, imports of an export): a union-find over indexes.
pub(crate) struct Joined(Vec<usize>);

impl Joined {
    pub fn new(n: usize) -> Joined {
        Joined((0..n).collect())
    }
    /// The representative of `i`'s set (the smallest index joined so far).
    pub fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }
    pub fn join(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
}

/// How deep a name's functions may nest.
const MAX_DEPTH: usize = 8;

/// The string a name resolves to, when every part of it is known.
pub(crate) fn name_of(cx: &NameCx<'_>, node: NodeId) -> Option<String> {
    resolve(cx, node, 0)
}

fn resolve(cx: &NameCx<'_>, node: NodeId, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let tree = cx.tree;
    let node = tree.deref(node);
    let Some((f, arg, _)) = as_intrinsic(tree, node) else {
        // A scalar (numbers as written); collections are not names.
        return tree.scalar(node).map(|(s, _)| s.to_string());
    };
    match f {
        "Ref" => reference(cx, tree.str(arg)?),
        "Fn::Sub" => {
            let (s, locals) = match tree.str(arg) {
                Some(s) => (s, None),
                None => {
                    let items = tree.items(arg)?;
                    let s = tree.str(tree.deref(*items.first()?))?;
                    (s, items.get(1).map(|m| tree.deref(*m)))
                }
            };
            let mut out = String::new();
            let mut last = 0;
            for var in sub_vars(s) {
                out.push_str(&s[last..var.start]);
                let local = locals.and_then(|m| tree.get(m, var.name));
                let value = match local {
                    Some(v) => resolve(cx, v, depth + 1)?,
                    None => reference(cx, var.name)?,
                };
                out.push_str(&value);
                last = var.end;
            }
            out.push_str(&s[last..]);
            // `${!Literal}` escapes write `${Literal}`.
            Some(out.replace("${!", "${"))
        }
        "Fn::Join" => {
            let items = tree.items(arg)?;
            let sep = tree.str(tree.deref(*items.first()?))?;
            let parts = tree.items(tree.deref(*items.get(1)?))?;
            let mut out = Vec::with_capacity(parts.len());
            for p in parts {
                out.push(resolve(cx, *p, depth + 1)?);
            }
            Some(out.join(sep))
        }
        "Fn::FindInMap" => {
            let items = tree.items(arg)?;
            if items.len() != 3 {
                return None;
            }
            let keys: Vec<String> = items
                .iter()
                .map(|k| resolve(cx, *k, depth + 1))
                .collect::<Option<_>>()?;
            let mappings = tree.get(cx.root?, "Mappings")?;
            let v = tree.get_path(mappings, &[&keys[0], &keys[1], &keys[2]])?;
            resolve(cx, v, depth + 1)
        }
        _ => None,
    }
}

/// A `Ref` (or `${Name}`): the stack's name or a parameter's value.
fn reference(cx: &NameCx<'_>, name: &str) -> Option<String> {
    match name {
        "AWS::StackName" => cx.stack_name.map(str::to_string),
        _ if name.starts_with("AWS::") || name.contains('.') => None,
        _ => (cx.param)(name),
    }
}

/// The default of a parameter of the template at `root`, as a string.
pub(crate) fn default_of(tree: &Tree, root: NodeId, name: &str) -> Option<String> {
    let p = tree.get_path(root, &["Parameters", name])?;
    let ty = tree.get(p, "Type").and_then(|t| tree.str(t)).unwrap_or("");
    if ty.starts_with("AWS::SSM::") {
        return None;
    }
    let d = tree.deref(tree.get(p, "Default")?);
    if as_intrinsic(tree, d).is_some() {
        return None;
    }
    tree.scalar(d).map(|(s, _)| s.to_string())
}

/// The `stack_name` of a `samconfig.toml` (environment `default`, the deploy command's or the
/// global parameters).
pub(crate) fn samconfig_stack_name(text: &str) -> Option<String> {
    use toml::de::{DeTable, DeValue};
    let doc = DeTable::parse(text).ok()?;
    let doc = doc.get_ref();
    fn get<'t, 'i>(t: &'t DeTable<'i>, k: &str) -> Option<&'t DeValue<'i>> {
        t.iter()
            .find(|(key, _)| key.get_ref().as_ref() == k)
            .map(|(_, v)| v.get_ref())
    }
    let DeValue::Table(env) = get(doc, "default")? else {
        return None;
    };
    for command in ["deploy", "global"] {
        let Some(DeValue::Table(cmd)) = get(env, command) else {
            continue;
        };
        let Some(DeValue::Table(params)) = get(cmd, "parameters") else {
            continue;
        };
        if let Some(DeValue::String(s)) = get(params, "stack_name") {
            return Some(s.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parse::{Limits, parse};

    fn name(text: &str, path: &[&str], stack: Option<&str>) -> Option<String> {
        let p = parse(text, &Limits::default());
        let root = p.root?;
        let node = p.tree.get_path(root, path)?;
        let tree = &p.tree;
        let param = |n: &str| default_of(tree, root, n);
        let cx = NameCx {
            tree,
            root: Some(root),
            stack_name: stack,
            param: &param,
        };
        name_of(&cx, node)
    }

    #[test]
    fn names_resolve_when_every_part_is_known() {
        let t = "Parameters:\n  Env: {Type: String, Default: dev}\nMappings:\n  M: {dev: {Name: pool-dev}}\nOutputs:\n  A: {Value: x, Export: {Name: !Sub '${AWS::StackName}-${Env}-Pool'}}\n  B: {Value: x, Export: {Name: !Join [':', [a, !Ref Env]]}}\n  C: {Value: x, Export: {Name: !FindInMap [M, !Ref Env, Name]}}\n  D: {Value: x, Export: {Name: !Sub '${AWS::Region}-x'}}\n";
        let n = |o: &str, s| name(t, &["Outputs", o, "Export", "Name"], s);
        assert_eq!(n("A", Some("auth")).as_deref(), Some("auth-dev-Pool"));
        assert_eq!(n("A", None), None);
        assert_eq!(n("B", None).as_deref(), Some("a:dev"));
        assert_eq!(n("C", None).as_deref(), Some("pool-dev"));
        assert_eq!(n("D", Some("s")), None);
    }

    #[test]
    fn samconfig_stack_names() {
        let t = "version = 0.1\n[default.deploy.parameters]\nstack_name = \"auth\"\n";
        assert_eq!(samconfig_stack_name(t).as_deref(), Some("auth"));
        assert_eq!(samconfig_stack_name("[default]\n"), None);
        assert_eq!(samconfig_stack_name("not toml ["), None);
    }
}
