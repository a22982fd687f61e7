//! Intrinsic functions: recognising them, `Fn::Sub` variables, `Fn::If` branches, and the
//! resolver that answers "what does this value point to".

use super::{NodeId, Span, Template, Tree};

pub const PSEUDO_PARAMETERS: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

/// Every function name CloudFormation knows without a transform.
pub const KNOWN_FUNCTIONS: &[&str] = &[
    "Ref",
    "Condition",
    "Fn::And",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::Equals",
    "Fn::FindInMap",
    "Fn::GetAZs",
    "Fn::GetAtt",
    "Fn::GetStackOutput",
    "Fn::If",
    "Fn::ImportValue",
    "Fn::Join",
    "Fn::Not",
    "Fn::Or",
    "Fn::Select",
    "Fn::Split",
    "Fn::Sub",
    "Fn::Transform",
];

/// Functions the `AWS::LanguageExtensions` transform adds.
pub const LANGUAGE_EXTENSION_FUNCTIONS: &[&str] = &["Fn::Length", "Fn::ToJsonString"];

/// A one-key mapping whose key is `Ref`, `Condition` or `Fn::…`: (name, argument, key span).
pub fn as_intrinsic(tree: &Tree, id: NodeId) -> Option<(&str, NodeId, Span)> {
    let entries = tree.entries(id)?;
    if entries.len() != 1 {
        return None;
    }
    let e = &entries[0];
    if &*e.key == "Ref" || e.key.starts_with("Fn::") {
        Some((&e.key, tree.deref(e.value), e.key_span))
    } else {
        None
    }
}

/// A `${…}` variable of a `Fn::Sub` string: its name and byte range in the string (braces included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubVar<'a> {
    pub name: &'a str,
    pub start: usize,
    pub end: usize,
}

/// The variables of a `Fn::Sub` string; `${!Literal}` is an escape, not a variable.
pub fn sub_vars(s: &str) -> Vec<SubVar<'_>> {
    let mut out = Vec::new();
    let mut rest = 0usize;
    while let Some(pos) = s[rest..].find("${") {
        let start = rest + pos;
        let Some(close) = s[start + 2..].find('}') else {
            break;
        };
        let end = start + 2 + close + 1;
        let inner = &s[start + 2..end - 1];
        if !inner.starts_with('!') {
            out.push(SubVar {
                name: inner.trim(),
                start,
                end,
            });
        }
        rest = end;
    }
    out
}

const MAX_BRANCH_DEPTH: usize = 64;

/// Each branch of `Fn::If` (nested too); `None` for an `AWS::NoValue` branch.
fn branches_into(tree: &Tree, id: NodeId, depth: usize, out: &mut Vec<Option<NodeId>>) {
    let id = tree.deref(id);
    if depth < MAX_BRANCH_DEPTH {
        if let Some((name, arg, _)) = as_intrinsic(tree, id) {
            if name == "Fn::If" {
                if let Some(args) = tree.items(arg) {
                    for branch in args.iter().skip(1).take(2) {
                        branches_into(tree, *branch, depth + 1, out);
                    }
                    return;
                }
            } else if name == "Ref" && tree.str(arg) == Some("AWS::NoValue") {
                out.push(None);
                return;
            }
        }
    }
    out.push(Some(id));
}

fn values_into(tree: &Tree, id: NodeId, depth: usize, out: &mut Vec<NodeId>) {
    let mut all = Vec::new();
    branches_into(tree, id, depth, &mut all);
    out.extend(all.into_iter().flatten());
}

/// The values a property can take, with `None` where a branch is `AWS::NoValue` (the
/// property is then absent).
pub fn branches(tree: &Tree, id: NodeId) -> Vec<Option<NodeId>> {
    let mut out = Vec::new();
    branches_into(tree, id, 0, &mut out);
    out
}

/// Whether some branch of a property's value is `AWS::NoValue`.
pub fn may_be_absent(tree: &Tree, id: NodeId) -> bool {
    branches(tree, id).iter().any(Option::is_none)
}

/// The values a node can take: each branch of `Fn::If` (nested too); `AWS::NoValue` is absent.
pub fn values(tree: &Tree, id: NodeId) -> Vec<NodeId> {
    let mut out = Vec::new();
    values_into(tree, id, 0, &mut out);
    out
}

/// The items a list-valued property can hold: a list (with `Fn::If` items expanded) or a
/// single value where CloudFormation accepts one in place of a list.
pub fn items(tree: &Tree, id: NodeId) -> Vec<NodeId> {
    let mut out = Vec::new();
    for v in values(tree, id) {
        match tree.items(v) {
            Some(list) => {
                for item in list {
                    values_into(tree, *item, 0, &mut out);
                }
            }
            None => out.push(v),
        }
    }
    out
}

/// What a value points to.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// A literal string (or number/boolean) at this node.
    Literal(NodeId),
    /// A resource of this template (by index), with the `GetAtt` attribute if any.
    Resource {
        index: usize,
        attribute: Option<String>,
    },
    /// A parameter, with its default value if it has one.
    Parameter {
        name: String,
        default: Option<NodeId>,
    },
    Pseudo(String),
    /// `Fn::ImportValue` / `Fn::GetStackOutput`: another stack's value.
    Import,
    /// Something we cannot tell (a composite `Fn::Sub`, `Fn::Join`, a macro's output…).
    Unknown,
}

fn ref_target(t: &Template, name: &str, attribute: Option<String>) -> Target {
    if let Some(index) = t.resource_idx(name) {
        Target::Resource { index, attribute }
    } else if let Some(p) = t.parameter(name) {
        Target::Parameter {
            name: name.to_string(),
            default: t.tree.get(p.node, "Default"),
        }
    } else if PSEUDO_PARAMETERS.contains(&name) {
        Target::Pseudo(name.to_string())
    } else {
        Target::Unknown
    }
}

/// The resource and attribute of a `Fn::GetAtt` argument (`A.B` or `[A, B]`).
pub fn getatt_parts(tree: &Tree, arg: NodeId) -> Option<(String, Option<String>)> {
    if let Some(s) = tree.str(arg) {
        let (res, attr) = match s.split_once('.') {
            Some((r, a)) => (r, Some(a.to_string())),
            None => (s, None),
        };
        return Some((res.to_string(), attr));
    }
    let items = tree.items(arg)?;
    let res = tree.str(*items.first()?)?;
    let attr = items
        .get(1)
        .and_then(|a| tree.str(tree.deref(*a)))
        .map(str::to_string);
    Some((res.to_string(), attr))
}

/// Resolves a value to what it points at, one target per `Fn::If` branch.
pub fn resolve(t: &Template, id: NodeId) -> Vec<(NodeId, Target)> {
    let tree = &t.tree;
    values(tree, id)
        .into_iter()
        .map(|v| {
            let target = match as_intrinsic(tree, v) {
                None => {
                    if tree.scalar(v).is_some() {
                        Target::Literal(v)
                    } else {
                        Target::Unknown
                    }
                }
                Some(("Ref", arg, _)) => match tree.str(arg) {
                    Some(name) => ref_target(t, name, None),
                    None => Target::Unknown,
                },
                Some(("Fn::GetAtt", arg, _)) => match getatt_parts(tree, arg) {
                    Some((res, attr)) => match t.resource_idx(&res) {
                        Some(index) => Target::Resource {
                            index,
                            attribute: attr,
                        },
                        None => Target::Unknown,
                    },
                    None => Target::Unknown,
                },
                Some(("Fn::Sub", arg, _)) => {
                    let s = tree.str(arg).or_else(|| {
                        tree.items(arg)
                            .and_then(|i| i.first())
                            .and_then(|f| tree.str(*f))
                    });
                    match s {
                        Some(s) => {
                            let vars = sub_vars(s);
                            if vars.is_empty() {
                                Target::Literal(v)
                            } else if vars.len() == 1
                                && vars[0].start == 0
                                && vars[0].end == s.len()
                                && tree.str(arg).is_some()
                            {
                                let name = vars[0].name;
                                match name.split_once('.') {
                                    Some((r, a)) if t.resource_idx(r).is_some() => {
                                        ref_target(t, r, Some(a.to_string()))
                                    }
                                    _ => ref_target(t, name, None),
                                }
                            } else {
                                Target::Unknown
                            }
                        }
                        None => Target::Unknown,
                    }
                }
                Some(("Fn::ImportValue" | "Fn::GetStackOutput", _, _)) => Target::Import,
                Some(_) => Target::Unknown,
            };
            (v, target)
        })
        .collect()
}

/// The resources of this template a value names (`Ref`, `GetAtt`, a whole-string `Sub`), over
/// every list item and `Fn::If` branch.
pub fn resource_targets(t: &Template, node: NodeId) -> Vec<usize> {
    items(&t.tree, node)
        .into_iter()
        .flat_map(|n| resolve(t, n))
        .filter_map(|(_, target)| match target {
            Target::Resource { index, .. } => Some(index),
            _ => None,
        })
        .collect()
}

/// Like [`resource_targets`], only the resources of one type.
pub fn resources_of_type(t: &Template, node: NodeId, ty: &str) -> Vec<usize> {
    let mut out = resource_targets(t, node);
    out.retain(|&i| t.resources[i].type_name.as_deref() == Some(ty));
    out
}

/// The first value a property can take (over `Fn::If` branches) that satisfies `pred`.
pub fn find_value(
    tree: &Tree,
    node: Option<NodeId>,
    pred: impl Fn(NodeId) -> bool,
) -> Option<NodeId> {
    node.and_then(|n| values(tree, n).into_iter().find(|v| pred(*v)))
}
