//! The resource graph (petgraph): parameters, resources, conditions and outputs, with an edge
//! for every Ref, GetAtt, Sub variable and DependsOn, each remembering where it was written.
//! Building it is the one walk over the template; what it finds broken on the way (a reference
//! to an undefined name, a malformed intrinsic, a cycle) it keeps as [`Problem`]s, which the TM
//! checks (`crate::rules::template`) report.

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::schema;
use crate::template::intrinsic::{
    self, KNOWN_FUNCTIONS, LANGUAGE_EXTENSION_FUNCTIONS, PSEUDO_PARAMETERS,
};
use crate::template::{LANGUAGE_EXTENSIONS, NodeId, Span, Template};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vertex {
    Parameter(usize),
    Resource(usize),
    Condition(usize),
    Output(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    Ref,
    GetAtt,
    Sub,
    DependsOn,
}

#[derive(Clone, Copy, Debug)]
pub struct Edge {
    pub kind: EdgeKind,
    pub span: Span,
}

/// Something broken the walk found, with where it is written. None are collected when what the
/// file produces is unknown ([`Template::produces_unknown`]: a macro other than SAM or the
/// language extensions, Rain directives, modules; they may define what looks undefined), nor
/// inside a `Fn::ForEach` body or an inline `Fn::Transform`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// `Ref` to a name that is neither a parameter, a resource, a pseudo parameter nor a name
    /// SAM or the framework generates; `node` is the name.
    UndefinedRef { node: NodeId, name: String },
    /// `Fn::GetAtt` to a resource that is not defined (nor generated); `node` is the name.
    UndefinedGetAttResource { node: NodeId, resource: String },
    /// An attribute the resource's type does not have (by the schema), in `Fn::GetAtt` (`node`
    /// is the attribute, or the whole argument) or in a `${Resource.Attribute}` of `Fn::Sub`
    /// (`node` is the string, `part` where the variable is written).
    UnknownAttribute {
        node: NodeId,
        part: Option<Span>,
        /// The resource's index.
        resource: usize,
        type_name: String,
        attribute: String,
        /// Every attribute of the type, sorted.
        known: Vec<&'static str>,
    },
    /// A `Fn::Sub` variable that is not a parameter, a resource, a pseudo parameter or a
    /// variable of the Sub; `part` is where `${name}` is written in the string `node`.
    UndefinedSubVariable {
        node: NodeId,
        part: Span,
        name: String,
    },
    /// A condition name that is not defined in Conditions; `node` is the name.
    UndefinedCondition {
        node: NodeId,
        name: String,
        site: ConditionSite,
    },
    /// `DependsOn` names a resource that is not defined (nor generated); `node` is the name.
    UndefinedDependency { node: NodeId, name: String },
    /// An intrinsic function, or `DependsOn`, not written the way CloudFormation takes it.
    /// `node` is the function's argument (its key names the function), or the `DependsOn` item.
    Malformed { node: NodeId, form: Malformed },
    /// `AWS::Serverless::*` resources in a file that does not declare the SAM transform: one,
    /// at the first such resource's type (`node`), the analysis still reading the file as SAM.
    ServerlessWithoutTransform { node: NodeId, resource: String },
    /// A `Fn::ForEach::Name` entry of Resources, Conditions or Outputs in a file that does not
    /// declare `AWS::LanguageExtensions`: one, at the first such entry (`node` is its value), the
    /// loops still read as loops (their bodies are not checked).
    ForEachWithoutTransform { node: NodeId, name: String },
    /// Resources that depend on each other in a circle (none of them a SAM serverless resource,
    /// whose edges SAM rewrites). `first` is the one that comes first in the file; `path` goes
    /// from it around the circle, each resource with the span of the edge that leaves it.
    Cycle {
        first: usize,
        path: Vec<(usize, Span)>,
    },
    /// Conditions that use each other in a circle (`{Condition: B}` in A, directly or inside
    /// `Fn::And`/`Fn::Or`/`Fn::Not`): `first` is the one that comes first in the file, `path`
    /// goes from it around the circle, each condition with the span of the name it uses.
    ConditionCycle {
        first: usize,
        path: Vec<(usize, Span)>,
    },
}

/// Where a condition is named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionSite {
    /// The first argument of `Fn::If`.
    If,
    /// The `Condition` attribute of a resource.
    Resource,
    /// The `Condition` attribute of an output.
    Output,
    /// A `{Condition: Name}` inside the Conditions section.
    Conditions,
}

/// How an intrinsic function (or `DependsOn`) is malformed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Malformed {
    /// `Ref` to something other than a name.
    Ref,
    /// `Fn::If` that is not [condition, value if true, value if false].
    If,
    /// `Fn::Join`, `Fn::Select` or `Fn::Split` (the name) without a list of two arguments.
    TwoArguments(String),
    /// `Fn::FindInMap` without [map name, top-level key, second-level key].
    FindInMap,
    /// A function name CloudFormation does not know.
    UnknownFunction(String),
    /// `Fn::GetAtt` that is neither `Resource.Attribute` nor [Resource, Attribute].
    GetAtt,
    /// `Fn::GetAtt` of the resource (named) without an attribute.
    GetAttWithoutAttribute(String),
    /// `Fn::Sub` that is neither a string nor [string, {variable: value}].
    Sub,
    /// A `DependsOn` item that is not a resource name.
    DependsOn,
}

pub struct Graph {
    pub graph: DiGraph<Vertex, Edge>,
    resource_nodes: Vec<NodeIndex>,
    parameter_nodes: Vec<NodeIndex>,
    /// What the walk found broken, in the order it found it (cycles last).
    pub problems: Vec<Problem>,
}

impl Graph {
    pub fn resource_node(&self, index: usize) -> Option<NodeIndex> {
        self.resource_nodes.get(index).copied()
    }
    /// The resources that refer to resource `index`, with the edge.
    pub fn referrers(&self, index: usize) -> Vec<(usize, Edge)> {
        let Some(n) = self.resource_node(index) else {
            return Vec::new();
        };
        self.graph
            .edges_directed(n, petgraph::Direction::Incoming)
            .filter_map(|e| match self.graph[e.source()] {
                Vertex::Resource(r) => Some((r, *e.weight())),
                _ => None,
            })
            .collect()
    }
    pub fn parameter_count(&self) -> usize {
        self.parameter_nodes.len()
    }
}

/// Names SAM generates (`rules/data/sam-generated-names.txt`): `(scope, pattern)`, the scope
/// `*` or a resource type.
static SAM_NAMES: std::sync::LazyLock<Vec<(&'static str, &'static str)>> =
    std::sync::LazyLock::new(|| {
        include_str!("../rules/data/sam-generated-names.txt")
            .lines()
            .map(|l| l.split('#').next().unwrap_or_default().trim())
            .filter_map(|l| {
                let (scope, pattern) = l.split_once(char::is_whitespace)?;
                Some((scope, pattern.trim()))
            })
            .collect()
    });

/// Whether `text` matches a glob where `*` stands for any text (possibly empty).
fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for p in middle {
        match rest.find(p) {
            Some(i) => rest = &rest[i + p.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// A name SAM generates for the template (RULES.md, *Transforms*), by the data file's patterns.
fn sam_generated(t: &Template, name: &str) -> bool {
    let tree = &t.tree;
    SAM_NAMES.iter().any(|&(scope, pattern)| {
        if scope == "*" {
            return glob(pattern, name);
        }
        let Some(tail) = pattern.strip_prefix("{name}") else {
            return false;
        };
        t.resources_of_type(scope).any(|(_, r)| {
            let Some(rest) = name.strip_prefix(&*r.name) else {
                return false;
            };
            match tail.split_once("{event}") {
                None => glob(tail, rest),
                Some((before, after)) => r
                    .properties
                    .and_then(|p| tree.get(p, "Events"))
                    .and_then(|e| tree.entries(e))
                    .unwrap_or_default()
                    .iter()
                    .any(|e| glob(&format!("{before}{}{after}", e.key), rest)),
            }
        })
    })
}

/// An inline macro: `Fn::Transform`.
const TRANSFORM: &str = "Fn::Transform";

struct Builder<'a> {
    t: &'a Template,
    source: &'a crate::stack::Sources<'a>,
    graph: DiGraph<Vertex, Edge>,
    resource_nodes: Vec<NodeIndex>,
    parameter_nodes: Vec<NodeIndex>,
    problems: Vec<Problem>,
    check: bool,
    extensions: bool,
    /// `Fn::ForEach::Name` entries are loops: under the language extensions, or written as
    /// entries of Resources, Conditions or Outputs without them (one TM007 says so).
    loops: bool,
    /// `{Condition: B}` inside condition A: (A, B, where B is named).
    condition_uses: Vec<(usize, usize, Span)>,
    /// The stack of [`Builder::walk`], kept between walks (one per resource, output and
    /// condition) so that it is allocated and grown once per template.
    stack: Vec<(NodeId, bool)>,
}

impl Builder<'_> {
    fn defined_ref(&self, name: &str) -> Option<Option<NodeIndex>> {
        if let Some(i) = self.t.resource_idx(name) {
            return Some(Some(self.resource_nodes[i]));
        }
        if let Some(i) = self.t.parameter_idx(name) {
            return Some(Some(self.parameter_nodes[i]));
        }
        if PSEUDO_PARAMETERS.contains(&name)
            || (self.t.is_sam() && sam_generated(self.t, name))
            || self.t.is_generated(name)
        {
            return Some(None);
        }
        None
    }

    fn problem(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    fn malformed(&mut self, node: NodeId, form: Malformed) {
        self.problem(Problem::Malformed { node, form });
    }

    fn edge(&mut self, from: Option<NodeIndex>, to: Option<NodeIndex>, kind: EdgeKind, span: Span) {
        if let (Some(f), Some(t)) = (from, to) {
            self.graph.add_edge(f, t, Edge { kind, span });
        }
    }

    /// Walks one subtree (a resource, an output, a condition) from `owner`.
    fn walk(&mut self, root: NodeId, owner: Option<NodeIndex>) {
        self.walk_from(root, owner, false);
    }

    /// [`Builder::walk`], with `in_foreach` set when the whole subtree is a `Fn::ForEach` loop
    /// (an entry `Fn::ForEach::Name` of the Outputs or Conditions section): its loop variables
    /// are defined by the loop, not the template, so nothing inside is checked.
    fn walk_from(&mut self, root: NodeId, owner: Option<NodeIndex>, in_foreach: bool) {
        let tree = &self.t.tree;
        // (node, inside a Fn::ForEach body)
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        stack.push((root, in_foreach));
        while let Some((raw, in_foreach)) = stack.pop() {
            let id = tree.deref(raw);
            let check = self.check && !in_foreach;
            if let Some((name, arg, _)) = intrinsic::as_intrinsic(tree, id) {
                // What an inline macro produces is unknown: neither checked nor walked.
                if name == TRANSFORM {
                    continue;
                }
                if check {
                    self.intrinsic(name, arg, owner);
                } else if let ("Ref", Some(target)) = (name, tree.str(arg)) {
                    let to = self.defined_ref(target).flatten();
                    self.edge(owner, to, EdgeKind::Ref, tree.span(arg));
                }
            }
            match tree.kind(id) {
                crate::template::Kind::Map(entries) => {
                    for e in entries.iter().rev().filter(|e| &*e.key != TRANSFORM) {
                        let foreach =
                            in_foreach || (self.loops && e.key.starts_with("Fn::ForEach::"));
                        stack.push((e.value, foreach));
                    }
                }
                crate::template::Kind::Seq(items) => {
                    stack.extend(items.iter().rev().map(|i| (*i, in_foreach)))
                }
                _ => {}
            }
        }
        self.stack = stack;
    }

    fn intrinsic(&mut self, name: &str, arg: NodeId, owner: Option<NodeIndex>) {
        let tree = &self.t.tree;
        match name {
            "Ref" => match tree.str(arg) {
                Some(target) => match self.defined_ref(target) {
                    Some(to) => self.edge(owner, to, EdgeKind::Ref, tree.span(arg)),
                    None => self.problem(Problem::UndefinedRef {
                        node: arg,
                        name: target.to_string(),
                    }),
                },
                // Under the language extensions `Ref` may take an intrinsic function (its value
                // names the target): what it points at is unknown, not malformed.
                None if self.takes_intrinsic(arg) => {}
                None => self.malformed(arg, Malformed::Ref),
            },
            "Fn::GetAtt" => self.getatt(arg, owner),
            "Fn::Sub" => self.sub(arg, owner),
            "Fn::If" => {
                let items = tree.items(arg);
                match items {
                    Some(items) if items.len() == 3 => {
                        if let Some(cond) = tree.str(items[0]) {
                            if !self.t.has_condition(cond) {
                                self.problem(Problem::UndefinedCondition {
                                    node: items[0],
                                    name: cond.to_string(),
                                    site: ConditionSite::If,
                                });
                            }
                        }
                    }
                    _ => self.malformed(arg, Malformed::If),
                }
            }
            "Fn::Join" | "Fn::Select" | "Fn::Split" => {
                if tree.items(arg).is_none_or(|i| i.len() != 2) {
                    self.malformed(arg, Malformed::TwoArguments(name.to_string()));
                }
            }
            "Fn::FindInMap" => {
                if tree.items(arg).is_none_or(|i| !(3..=4).contains(&i.len())) {
                    self.malformed(arg, Malformed::FindInMap);
                }
            }
            _ => {
                let known = KNOWN_FUNCTIONS.contains(&name)
                    || (self.extensions
                        && (LANGUAGE_EXTENSION_FUNCTIONS.contains(&name)
                            || name.starts_with("Fn::ForEach::")));
                if !known {
                    self.malformed(arg, Malformed::UnknownFunction(name.to_string()));
                }
            }
        }
    }

    /// `node` is an intrinsic function where the language extensions accept one in place of a
    /// logical name (the argument of `Ref`, the resource of `Fn::GetAtt`).
    fn takes_intrinsic(&self, node: NodeId) -> bool {
        let tree = &self.t.tree;
        self.extensions && intrinsic::as_intrinsic(tree, tree.deref(node)).is_some()
    }

    fn getatt(&mut self, arg: NodeId, owner: Option<NodeIndex>) {
        let tree = &self.t.tree;
        let Some((res, attr)) = intrinsic::getatt_parts(tree, arg) else {
            // `[!Sub 'Bucket${Id}', Arn]`: under the language extensions the resource name may be
            // an intrinsic function; which resource it names is unknown.
            let res_node = tree.items(arg).and_then(|l| l.first().copied());
            if tree.items(arg).is_some_and(|l| l.len() == 2)
                && res_node.is_some_and(|r| self.takes_intrinsic(r))
            {
                return;
            }
            self.malformed(arg, Malformed::GetAtt);
            return;
        };
        let list = tree.items(arg);
        let res_node = list.and_then(|l| l.first().copied()).unwrap_or(arg);
        let attr_node = list.and_then(|l| l.get(1).copied()).map(|a| tree.deref(a));
        let Some(attr) = attr.or_else(|| {
            attr_node
                .filter(|a| intrinsic::as_intrinsic(tree, *a).is_some())
                .map(|_| String::new())
        }) else {
            self.malformed(arg, Malformed::GetAttWithoutAttribute(res.to_string()));
            return;
        };
        let Some(index) = self.t.resource_idx(&res) else {
            if !(self.t.is_generated(&res) || self.t.is_sam() && sam_generated(self.t, &res)) {
                self.problem(Problem::UndefinedGetAttResource {
                    node: res_node,
                    resource: res.to_string(),
                });
            }
            return;
        };
        self.edge(
            owner,
            Some(self.resource_nodes[index]),
            EdgeKind::GetAtt,
            tree.span(res_node),
        );
        if attr.is_empty() {
            return; // attribute given by an intrinsic
        }
        self.check_attribute(index, &attr, attr_node.unwrap_or(arg), None);
    }

    fn check_attribute(&mut self, index: usize, attr: &str, node: NodeId, part: Option<Span>) {
        let r = &self.t.resources[index];
        let Some(ty) = r.type_name.as_deref() else {
            return;
        };
        if ty.starts_with("Custom::")
            || ty == "AWS::CloudFormation::CustomResource"
            || (ty == "AWS::CloudFormation::Stack" && attr.starts_with("Outputs."))
        {
            return;
        }
        let Some(info) = schema::lookup(ty) else {
            return;
        };
        if info.has_attribute(attr) {
            return;
        }
        let mut known: Vec<&'static str> = info.attributes.clone();
        known.sort_unstable();
        self.problem(Problem::UnknownAttribute {
            node,
            part,
            resource: index,
            type_name: ty.to_string(),
            attribute: attr.to_string(),
            known,
        });
    }

    fn sub(&mut self, arg: NodeId, owner: Option<NodeIndex>) {
        let tree = &self.t.tree;
        let (string_node, locals) = match (tree.str(arg), tree.items(arg)) {
            (Some(_), _) => (arg, None),
            (None, Some(items))
                if items.len() == 2
                    && tree.str(items[0]).is_some()
                    && tree.entries(items[1]).is_some()
                    && intrinsic::as_intrinsic(tree, items[1]).is_none() =>
            {
                (tree.deref(items[0]), Some(tree.deref(items[1])))
            }
            _ => {
                self.malformed(arg, Malformed::Sub);
                return;
            }
        };
        let Some(s) = tree.str(string_node) else {
            return;
        };
        let node_span = tree.span(string_node);
        let raw = self.source.slice(node_span);
        let vars = intrinsic::sub_vars(s);
        // Where each variable is written: found in the raw text, in one pass.
        let places = raw.map(|r| intrinsic::sub_var_places(r, s, &vars));
        let locals: Option<std::collections::HashSet<&str>> = locals
            .and_then(|m| tree.entries(m))
            .map(|es| es.iter().map(|e| &*e.key).collect());
        for (i, var) in vars.iter().enumerate() {
            let name = var.name;
            // The framework's own variables were resolved or stay unknown: not CloudFormation's.
            if self.t.serverless && crate::stack::is_framework_variable(name) {
                continue;
            }
            if locals.as_ref().is_some_and(|m| m.contains(name)) {
                continue;
            }
            let part = places
                .as_ref()
                .and_then(|p| p.get(i).copied().flatten())
                .map(|off| {
                    Span::new(
                        node_span.start as usize + off,
                        node_span.start as usize + off + (var.end - var.start),
                    )
                })
                .unwrap_or(node_span);
            if let Some(to) = self.defined_ref(name) {
                self.edge(owner, to, EdgeKind::Sub, part);
                continue;
            }
            if let Some((res, attr)) = name.split_once('.') {
                if let Some(index) = self.t.resource_idx(res) {
                    self.edge(owner, Some(self.resource_nodes[index]), EdgeKind::Sub, part);
                    self.check_attribute(index, attr, string_node, Some(part));
                    continue;
                }
                if (self.t.is_sam() && sam_generated(self.t, res)) || self.t.is_generated(res) {
                    continue;
                }
            }
            self.problem(Problem::UndefinedSubVariable {
                node: string_node,
                part,
                name: name.to_string(),
            });
        }
    }
}

/// Builds the graph of a template, with the problems it finds (none when a macro other than SAM
/// or the language extensions transforms the file; the graph is still built).
pub fn build<'a>(t: &'a Template, source: &'a crate::stack::Sources<'a>) -> Graph {
    let mut graph = DiGraph::new();
    let parameter_nodes: Vec<NodeIndex> = (0..t.parameters.len())
        .map(|i| graph.add_node(Vertex::Parameter(i)))
        .collect();
    let resource_nodes: Vec<NodeIndex> = (0..t.resources.len())
        .map(|i| graph.add_node(Vertex::Resource(i)))
        .collect();
    let condition_nodes: Vec<NodeIndex> = (0..t.conditions.len())
        .map(|i| graph.add_node(Vertex::Condition(i)))
        .collect();
    let output_nodes: Vec<NodeIndex> = (0..t.outputs.len())
        .map(|i| graph.add_node(Vertex::Output(i)))
        .collect();
    let check = !t.produces_unknown();
    let mut b = Builder {
        t,
        source,
        graph,
        resource_nodes,
        parameter_nodes,
        problems: Vec::new(),
        check,
        extensions: t.has_transform(LANGUAGE_EXTENSIONS),
        loops: t.has_transform(LANGUAGE_EXTENSIONS) || first_loop(t).is_some(),
        condition_uses: Vec::new(),
        stack: Vec::new(),
    };
    b.run(&condition_nodes, &output_nodes);
    let Builder {
        graph,
        resource_nodes,
        parameter_nodes,
        problems,
        ..
    } = b;
    Graph {
        graph,
        resource_nodes,
        parameter_nodes,
        problems,
    }
}

/// The first (in the file) `Fn::ForEach::Name` entry of Resources, Conditions or Outputs, which
/// only the `AWS::LanguageExtensions` transform expands.
fn first_loop(t: &Template) -> Option<crate::template::Named> {
    let resources = t.resources.iter().map(|r| (&r.name, r.key_span, r.node));
    let named = t.conditions.iter().chain(&t.outputs);
    resources
        .chain(named.map(|n| (&n.name, n.key_span, n.node)))
        .filter(|(name, _, _)| name.starts_with("Fn::ForEach::"))
        .min_by_key(|(_, span, _)| *span)
        .map(|(name, key_span, node)| crate::template::Named {
            name: name.clone(),
            key_span,
            node,
        })
}

impl Builder<'_> {
    fn run(&mut self, condition_nodes: &[NodeIndex], output_nodes: &[NodeIndex]) {
        let t = self.t;
        let tree = &t.tree;
        if self.check {
            if let Some(r) = t.serverless_without_transform() {
                let node = tree.get(r.node, "Type").unwrap_or(r.node);
                self.problem(Problem::ServerlessWithoutTransform {
                    node,
                    resource: r.name.to_string(),
                });
            }
            if !self.extensions {
                if let Some(l) = first_loop(t) {
                    self.problem(Problem::ForEachWithoutTransform {
                        node: l.node,
                        name: l.name.to_string(),
                    });
                }
            }
        }
        for (i, r) in t.resources.iter().enumerate() {
            if self.loops && r.name.starts_with("Fn::ForEach::") {
                continue;
            }
            let owner = Some(self.resource_nodes[i]);
            self.walk(r.node, owner);
            if !self.check {
                continue;
            }
            if let Some(dep) = tree.get(r.node, "DependsOn") {
                for d in intrinsic::items(tree, dep) {
                    match tree.str(d) {
                        Some(name) => match t.resource_idx(name) {
                            Some(j) => {
                                let to = Some(self.resource_nodes[j]);
                                self.edge(owner, to, EdgeKind::DependsOn, tree.span(d));
                            }
                            // Names SAM or the framework generates count as defined here
                            // too, as they do for `Ref` (RULES.md, *Transforms*).
                            None if t.is_generated(name)
                                || t.is_sam() && sam_generated(t, name) => {}
                            None => self.problem(Problem::UndefinedDependency {
                                node: d,
                                name: name.to_string(),
                            }),
                        },
                        None => self.malformed(d, Malformed::DependsOn),
                    }
                }
            }
            self.check_condition_name(r.node, ConditionSite::Resource);
        }
        // A `Fn::ForEach::Name` entry of Outputs or Conditions is a loop the language extensions
        // expand into outputs or conditions (as in Resources, above): its body uses the loop's
        // variables, so it is walked for its edges but not checked.
        let loops = self.loops;
        let is_loop = |name: &str| loops && name.starts_with("Fn::ForEach::");
        for (i, o) in t.outputs.iter().enumerate() {
            let looped = is_loop(&o.name);
            self.walk_from(o.node, Some(output_nodes[i]), looped);
            if self.check && !looped {
                self.check_condition_name(o.node, ConditionSite::Output);
            }
        }
        for (i, c) in t.conditions.iter().enumerate() {
            let looped = is_loop(&c.name);
            self.walk_from(c.node, Some(condition_nodes[i]), looped);
            if self.check && !looped {
                self.condition_refs(i, c.node);
            }
        }
        if self.check {
            self.cycles();
            self.condition_cycles();
        }
    }

    /// The `Condition` attribute of a resource or output names a defined condition.
    fn check_condition_name(&mut self, node: NodeId, site: ConditionSite) {
        let t = self.t;
        let Some(c) = t.tree.get(node, "Condition") else {
            return;
        };
        if let Some(name) = t.tree.str(c).filter(|n| !t.has_condition(n)) {
            self.problem(Problem::UndefinedCondition {
                node: c,
                name: name.to_string(),
                site,
            });
        }
    }

    /// `{Condition: Name}` inside the Conditions section.
    fn condition_refs(&mut self, from: usize, root: NodeId) {
        let t = self.t;
        let tree = &t.tree;
        let mut stack = vec![(root, 0usize)];
        while let Some((id, depth)) = stack.pop() {
            let id = tree.deref(id);
            if depth > 256 {
                continue;
            }
            if let Some(entries) = tree.entries(id) {
                if entries.len() == 1 && &*entries[0].key == "Condition" {
                    if let Some(name) = tree.str(entries[0].value) {
                        match t.condition_idx(name) {
                            Some(to) => {
                                let span = tree.span(entries[0].value);
                                self.condition_uses.push((from, to, span));
                            }
                            None => self.problem(Problem::UndefinedCondition {
                                node: entries[0].value,
                                name: name.to_string(),
                                site: ConditionSite::Conditions,
                            }),
                        }
                    }
                }
                stack.extend(entries.iter().map(|e| (e.value, depth + 1)));
            } else if let Some(items) = tree.items(id) {
                stack.extend(items.iter().map(|i| (*i, depth + 1)));
            }
        }
    }

    /// Every strongly connected set of resources is a cycle; kept once, from the resource that
    /// comes first in the file, with the path.
    fn cycles(&mut self) {
        let b = self;
        let t = b.t;
        for scc in tarjan_scc(&b.graph) {
            let self_loop = scc.len() == 1 && b.graph.find_edge(scc[0], scc[0]).is_some();
            if scc.len() < 2 && !self_loop {
                continue;
            }
            let mut members: Vec<usize> = scc
                .iter()
                .filter_map(|n| match b.graph[*n] {
                    Vertex::Resource(r) => Some(r),
                    _ => None,
                })
                .collect();
            members.sort_unstable();
            // SAM rewrites serverless resources (events, generated APIs): their edges are not final.
            if members.iter().any(|&r| {
                t.resources[r]
                    .type_name
                    .as_deref()
                    .is_some_and(|ty| ty.starts_with("AWS::Serverless::"))
            }) {
                continue;
            }
            let Some(&first) = members.first() else {
                continue;
            };
            let path = cycle_path(&b.graph, b.resource_nodes[first], &scc);
            b.problems.push(Problem::Cycle { first, path });
        }
    }
}

impl Builder<'_> {
    /// Every strongly connected set of conditions (one that uses itself too) is a cycle: kept
    /// once, from the condition that comes first in the file, with the path.
    fn condition_cycles(&mut self) {
        if self.condition_uses.is_empty() {
            return;
        }
        let mut graph: DiGraph<Vertex, Edge> = DiGraph::new();
        let nodes: Vec<NodeIndex> = (0..self.t.conditions.len())
            .map(|i| graph.add_node(Vertex::Condition(i)))
            .collect();
        for &(from, to, span) in &self.condition_uses {
            let kind = EdgeKind::Ref;
            graph.add_edge(nodes[from], nodes[to], Edge { kind, span });
        }
        let mut found = Vec::new();
        for scc in tarjan_scc(&graph) {
            let self_loop = scc.len() == 1 && graph.find_edge(scc[0], scc[0]).is_some();
            if scc.len() < 2 && !self_loop {
                continue;
            }
            let Some(first) = scc
                .iter()
                .filter_map(|n| match graph[*n] {
                    Vertex::Condition(c) => Some(c),
                    _ => None,
                })
                .min()
            else {
                continue;
            };
            let path = cycle_path(&graph, nodes[first], &scc);
            found.push((first, path));
        }
        found.sort_by_key(|(first, _)| *first);
        for (first, path) in found {
            self.problems.push(Problem::ConditionCycle { first, path });
        }
    }
}

/// A path from `start` back to itself inside one strongly connected component:
/// each resource with the span of the edge that leaves it.
fn cycle_path(
    graph: &DiGraph<Vertex, Edge>,
    start: NodeIndex,
    scc: &[NodeIndex],
) -> Vec<(usize, Span)> {
    use std::collections::{HashMap, VecDeque};
    let in_scc: std::collections::HashSet<NodeIndex> = scc.iter().copied().collect();
    // BFS from start's successors back to start.
    let mut prev: HashMap<NodeIndex, (NodeIndex, Span)> = HashMap::new();
    let mut queue = VecDeque::new();
    queue.push_back(start);
    let mut found = false;
    while let Some(n) = queue.pop_front() {
        for e in graph.edges(n) {
            let m = e.target();
            if !in_scc.contains(&m) || prev.contains_key(&m) {
                continue;
            }
            prev.insert(m, (n, e.weight().span));
            if m == start {
                found = true;
                break;
            }
            queue.push_back(m);
        }
        if found {
            break;
        }
    }
    let mut path = Vec::new();
    let mut cur = start;
    let mut guard = 0;
    while let Some(&(p, span)) = prev.get(&cur) {
        if let Vertex::Resource(r) | Vertex::Condition(r) = graph[p] {
            path.push((r, span));
        }
        cur = p;
        guard += 1;
        if cur == start || guard > scc.len() + 1 {
            break;
        }
    }
    path.reverse();
    path
}
