//! Intrinsic functions: recognising them, `Fn::Sub` variables, `Fn::If` branches, and the
//! resolver that answers "what does this value point to".

use super::{NodeId, ParamValue, Span, Template, Tree};

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

/// The string of a `Fn::Sub` argument: the argument itself, or the first item of
/// `[string, {variables}]`.
pub fn sub_string(tree: &Tree, arg: NodeId) -> Option<&str> {
    tree.str(arg).or_else(|| {
        tree.items(arg)
            .and_then(|i| i.first())
            .and_then(|f| tree.str(*f))
    })
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
    let bytes = s.as_bytes();
    let mut rest = 0usize;
    // Byte searches (memchr): a `str::find` of a pattern sets up a searcher at every call.
    while let Some(start) = find_open(bytes, rest) {
        let Some(close) = memchr::memchr(b'}', &bytes[start + 2..]) else {
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

/// The offset of the first `${` at or after `from`.
fn find_open(bytes: &[u8], from: usize) -> Option<usize> {
    find_dollar(b"${", bytes.get(from..)?).map(|i| from + i)
}

/// The offset of the first `needle` (which starts with `$`) in `hay`: the candidates are the
/// `$`s of `hay`, found with memchr (no searcher is built per needle).
fn find_dollar(needle: &[u8], hay: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'$', hay).find(|&i| hay[i..].starts_with(needle))
}

/// A `Fn::Sub` string with each variable replaced by `with` (escapes `${!…}` kept as written),
/// built in one pass.
pub fn sub_replace(s: &str, with: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for var in sub_vars(s) {
        out.push_str(&s[last..var.start]);
        out.push_str(with);
        last = var.end;
    }
    out.push_str(&s[last..]);
    out
}

/// Where each variable of a `Fn::Sub` string `s` is written in `raw`, the scalar's text in the
/// file: the byte offset of its `${…}` in `raw`, or `None` where escapes or folding make it
/// differ (the caller then points at the whole scalar). The variables come in the order they
/// are written, so each is searched from where the one before it ended: one pass over `raw`,
/// and a variable written twice is found at each place. After a few variables are not found,
/// the rest are not looked for (each miss reads the rest of the text).
pub fn sub_var_places(raw: &str, s: &str, vars: &[SubVar<'_>]) -> Vec<Option<usize>> {
    const MAX_MISSES: usize = 8;
    let mut cursor = 0usize;
    let mut misses = 0usize;
    vars.iter()
        .map(|v| {
            if misses >= MAX_MISSES {
                return None;
            }
            let needle = s.get(v.start..v.end)?;
            match find_dollar(needle.as_bytes(), raw.as_bytes().get(cursor..)?) {
                Some(at) => {
                    let at = cursor + at;
                    cursor = at + needle.len();
                    Some(at)
                }
                None => {
                    misses += 1;
                    None
                }
            }
        })
        .collect()
}

/// How deep `Fn::If` branches are followed; a template that nests them deeper is a TM010
/// finding (`parse::if_too_deep`), so no value is ever cut off silently.
pub const MAX_BRANCH_DEPTH: usize = 64;

/// Each branch of `Fn::If` (nested too), in order, given to `out`; `None` for an
/// `AWS::NoValue` branch.
fn branches_into(tree: &Tree, id: NodeId, depth: usize, out: &mut impl FnMut(Option<NodeId>)) {
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
                out(None);
                return;
            }
        }
    }
    out(Some(id));
}

/// The branches that are values pushed onto `out` (no list of branches in between).
fn values_into(tree: &Tree, id: NodeId, depth: usize, out: &mut Vec<NodeId>) {
    branches_into(tree, id, depth, &mut |b| out.extend(b));
}

/// Whether a boolean property is on: `Some("true")` for a known true on some branch,
/// `Some("unknown")` when it may be (a parameter, an import), `None` when off or absent.
pub fn switch(t: &Template, node: Option<NodeId>) -> Option<&'static str> {
    let mut unknown = false;
    for v in property(t, node) {
        if matches!(v, Value::Absent) {
            continue;
        }
        if v.is_unknown() || v.is_default() {
            unknown = true;
            continue;
        }
        match v.bool(&t.tree) {
            Some(true) => return Some("true"),
            Some(false) => {}
            None => unknown = true,
        }
    }
    unknown.then_some("unknown")
}

/// The parts of an `Fn::If` (`[Condition, ValueIfTrue, ValueIfFalse]`), when `node` is one:
/// the condition's name and both branches (dereferenced).
pub fn if_parts(tree: &Tree, node: NodeId) -> Option<(&str, NodeId, NodeId)> {
    let (name, args, _) = as_intrinsic(tree, tree.deref(node))?;
    if name != "Fn::If" {
        return None;
    }
    match tree.items(args)? {
        [cond, yes, no] => Some((tree.str(*cond)?, tree.deref(*yes), tree.deref(*no))),
        _ => None,
    }
}

/// The values a property can take, with `None` where a branch is `AWS::NoValue` (the
/// property is then absent).
pub fn branches(tree: &Tree, id: NodeId) -> Vec<Option<NodeId>> {
    let mut out = Vec::new();
    branches_into(tree, id, 0, &mut |b| out.push(b));
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
    /// A parameter, with its default value if it has one and the value given for the
    /// deployment if there is one (the given value wins).
    Parameter {
        name: String,
        default: Option<NodeId>,
        given: Option<ParamValue>,
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
            given: t.param_values.get(name).cloned(),
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
                    let s = sub_string(tree, arg);
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

/// What a property's value is, for a rule that decides whether to report it (RULES.md,
/// *Unknown is not wrong*): one per `Fn::If` branch, see [`value`], [`value_items`] and
/// [`property`].
///
/// A rule reports only on `Known`, `Given` and `Absent` values, or on a `Default` (then at most
/// a warning, naming the parameter: [`Value::origin`] and `Finding::rests_on`); an `Unknown`
/// value never causes a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// Written in the template: a scalar (maybe null) or a collection at this node, or the
    /// string of a `Fn::Sub` without variables.
    Known(NodeId),
    /// A parameter whose value is given for the deployment (`--parameters`, a config stack, a
    /// parent stack): known like a literal. `at` is where the reference is written.
    Given {
        at: NodeId,
        param: &'a str,
        value: &'a str,
        source: &'a str,
    },
    /// A parameter's `Default`, no value given: it may support a finding of at most warning
    /// whose message names the parameter. `node` is the default under `Parameters`.
    Default {
        at: NodeId,
        param: &'a str,
        value: &'a str,
        node: NodeId,
    },
    /// Anything else: a parameter without default or given value, an import, a pseudo
    /// parameter, a resource's ID or attribute, a composite `Fn::Sub`, `Fn::Join`, a macro's
    /// output. Never the cause of a finding.
    Unknown(NodeId),
    /// The property is not written, or this `Fn::If` branch is `AWS::NoValue` (only from
    /// [`property`]).
    Absent,
}

impl<'a> Value<'a> {
    /// Where the value is written in the template (`None` when absent).
    pub fn at(self) -> Option<NodeId> {
        match self {
            Value::Known(n) | Value::Unknown(n) => Some(n),
            Value::Given { at, .. } | Value::Default { at, .. } => Some(at),
            Value::Absent => None,
        }
    }

    /// The text of a known, given or default scalar; `None` for null, collections, unknown and
    /// absent values.
    pub fn text(self, tree: &'a Tree) -> Option<&'a str> {
        match self {
            Value::Known(n) => tree.str(n),
            Value::Given { value, .. } | Value::Default { value, .. } => Some(value),
            Value::Unknown(_) | Value::Absent => None,
        }
    }

    /// A boolean as CloudFormation reads it (`true`, `'True'`, unquoted YAML 1.1 spellings in
    /// the template; `true`/`false` in any case for a parameter's value).
    pub fn bool(self, tree: &Tree) -> Option<bool> {
        match self {
            Value::Known(n) => tree.bool_value(n),
            Value::Given { value, .. } | Value::Default { value, .. } => {
                let v = value.trim();
                if v.eq_ignore_ascii_case("true") {
                    Some(true)
                } else if v.eq_ignore_ascii_case("false") {
                    Some(false)
                } else {
                    None
                }
            }
            Value::Unknown(_) | Value::Absent => None,
        }
    }

    /// A number, from a number or a numeric string.
    pub fn number(self, tree: &Tree) -> Option<f64> {
        match self {
            Value::Known(n) => tree.number(n),
            Value::Given { value, .. } | Value::Default { value, .. } => {
                value.trim().parse::<f64>().ok()
            }
            Value::Unknown(_) | Value::Absent => None,
        }
    }

    pub fn is_unknown(self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// A parameter's default: a finding resting on it is at most a warning.
    pub fn is_default(self) -> bool {
        matches!(self, Value::Default { .. })
    }

    /// The parameter the value comes from (given or default).
    pub fn param(self) -> Option<&'a str> {
        match self {
            Value::Given { param, .. } | Value::Default { param, .. } => Some(param),
            _ => None,
        }
    }

    /// What a message adds to say where the value comes from: nothing for what is written in
    /// the template, `` (from the default of parameter `X`)``, or `` (parameter `X` = `v`, from
    /// --parameters dev.json)``.
    pub fn origin(self) -> String {
        match self {
            Value::Given {
                param,
                value,
                source,
                ..
            } => format!(" (parameter `{param}` = `{value}`, from {source})"),
            Value::Default { param, .. } => format!(" (from the default of parameter `{param}`)"),
            _ => String::new(),
        }
    }

    /// How strongly the value can support a finding: 0 for what is known (written, given,
    /// absent), 1 for a default, 2 for unknown.
    pub fn weight(self) -> u8 {
        match self {
            Value::Known(_) | Value::Given { .. } | Value::Absent => 0,
            Value::Default { .. } => 1,
            Value::Unknown(_) => 2,
        }
    }
}

/// The [`Value::origin`]s of several values a finding rests on, each said once.
pub fn origins<'a>(values: impl IntoIterator<Item = Value<'a>>) -> String {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let o = v.origin();
        if !o.is_empty() && !out.contains(&o) {
            out.push(o);
        }
    }
    out.concat()
}

/// Parameter types whose value (and default) is the name of an SSM parameter, not the value.
fn ssm_type(ty: &str) -> bool {
    ty.starts_with("AWS::SSM::Parameter::")
}

/// List parameter types: their value is a comma-separated string.
fn list_type(ty: &str) -> bool {
    ty == "CommaDelimitedList" || ty.starts_with("List<")
}

/// The value of a `Ref` (or `Fn::Sub` variable) to `name` written at `at`: given, default or
/// unknown; unknown too when `name` is not a parameter.
pub fn param_value<'a>(t: &'a Template, name: &str, at: NodeId) -> Value<'a> {
    let tree = &t.tree;
    let Some(p) = t.parameter(name) else {
        return Value::Unknown(at);
    };
    let param: &'a str = &p.name;
    let ty = tree.get(p.node, "Type").and_then(|n| tree.str(n));
    if ty.is_some_and(ssm_type) {
        return Value::Unknown(at);
    }
    if let Some(given) = t.param_values.get(name) {
        return Value::Given {
            at,
            param,
            value: &given.value,
            source: &given.source,
        };
    }
    let Some(node) = tree.get(p.node, "Default") else {
        return Value::Unknown(at);
    };
    let value = match tree.yaml11_bool(node) {
        Some(true) => "true",
        Some(false) => "false",
        None if tree.is_null(node) => "",
        None => match tree.str(node) {
            Some(s) => s,
            None => return Value::Unknown(at),
        },
    };
    Value::Default {
        at,
        param,
        value,
        node,
    }
}

/// The value of one branch: a node that is not `Fn::If` (a branch [`resolve`] or [`values`]
/// gives).
pub fn branch_value(t: &Template, v: NodeId) -> Value<'_> {
    let tree = &t.tree;
    let Some((name, arg, _)) = as_intrinsic(tree, v) else {
        return Value::Known(v);
    };
    match name {
        "Ref" => match tree.str(arg) {
            Some(p) => param_value(t, p, v),
            None => Value::Unknown(v),
        },
        "Fn::Sub" => {
            // Only the string form: the list form's variable map may rename anything.
            let Some(s) = tree.str(arg) else {
                return Value::Unknown(v);
            };
            let vars = sub_vars(s);
            match vars.as_slice() {
                [] => Value::Known(arg),
                [one] if one.start == 0 && one.end == s.len() => param_value(t, one.name, v),
                _ => Value::Unknown(v),
            }
        }
        _ => Value::Unknown(v),
    }
}

/// The values a property can take, one per `Fn::If` branch (`AWS::NoValue` branches left out:
/// see [`property`] for those).
pub fn value(t: &Template, node: NodeId) -> Vec<Value<'_>> {
    values(&t.tree, node)
        .into_iter()
        .map(|v| branch_value(t, v))
        .collect()
}

/// The values a property can take, with [`Value::Absent`] when it is not written (`None`) or a
/// branch is `AWS::NoValue`.
pub fn property(t: &Template, node: Option<NodeId>) -> Vec<Value<'_>> {
    let Some(node) = node else {
        return vec![Value::Absent];
    };
    branches(&t.tree, node)
        .into_iter()
        .map(|b| b.map_or(Value::Absent, |v| branch_value(t, v)))
        .collect()
}

/// The items a list-valued property can hold (like [`items`]), as values; a list parameter
/// (`CommaDelimitedList`, `List<…>`) given or defaulted gives one value per comma-separated item.
pub fn value_items(t: &Template, node: NodeId) -> Vec<Value<'_>> {
    let tree = &t.tree;
    let mut out = Vec::new();
    for item in items(tree, node) {
        let v = branch_value(t, item);
        let listed = v.param().is_some_and(|p| {
            t.parameter(p)
                .and_then(|p| tree.get(p.node, "Type"))
                .and_then(|ty| tree.str(ty))
                .is_some_and(list_type)
        });
        match v {
            Value::Given {
                at,
                param,
                value,
                source,
            } if listed => out.extend(value.split(',').map(str::trim).map(|value| Value::Given {
                at,
                param,
                value,
                source,
            })),
            Value::Default {
                at,
                param,
                value,
                node,
            } if listed => {
                out.extend(value.split(',').map(str::trim).map(|value| Value::Default {
                    at,
                    param,
                    value,
                    node,
                }))
            }
            _ => out.push(v),
        }
    }
    out
}

/// The value that best supports a finding among those that satisfy `pred`: a known one
/// (written, given, absent) before a parameter's default. Unknown values are never offered to
/// `pred` and never support a finding.
pub fn find<'a>(
    values: impl IntoIterator<Item = Value<'a>>,
    mut pred: impl FnMut(Value<'a>) -> bool,
) -> Option<Value<'a>> {
    let mut best: Option<Value<'a>> = None;
    for v in values {
        if v.is_unknown() || !pred(v) {
            continue;
        }
        if best.is_none_or(|b| v.weight() < b.weight()) {
            best = Some(v);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> Vec<(&str, usize, usize)> {
        sub_vars(s)
            .into_iter()
            .map(|v| (v.name, v.start, v.end))
            .collect()
    }

    #[test]
    fn sub_vars_skip_lone_dollars_escapes_and_unclosed_braces() {
        assert_eq!(names("a$b$${X}c"), vec![("X", 4, 8)]);
        assert_eq!(names("${!Lit}${ A.B }"), vec![("A.B", 7, 15)]);
        assert_eq!(names("x${A}${B"), vec![("A", 1, 5)]);
        assert_eq!(names("$"), vec![]);
        assert_eq!(names("${}"), vec![("", 0, 3)]);
    }

    #[test]
    fn sub_var_places_follow_the_raw_text_in_order() {
        let s = "${A}-${B}-${A}";
        let raw = "\"$x ${A}-${B}-${A}\"";
        assert_eq!(
            sub_var_places(raw, s, &sub_vars(s)),
            vec![Some(4), Some(9), Some(14)]
        );
        // Written differently in the file (an escape): not found, the others still are.
        let raw = "\"${A}-$\\u007bB}-${A}\"";
        assert_eq!(
            sub_var_places(raw, s, &sub_vars(s)),
            vec![Some(1), None, Some(16)]
        );
    }
}
