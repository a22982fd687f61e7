//! A parsed CloudFormation template: the tree plus an index of its sections.

pub mod intrinsic;
pub mod parse;
pub mod span;
pub mod tree;

use foldhash::{HashMap, HashMapExt};

pub use parse::{Limits, ParseIssue, Parsed};
pub use span::{LineCol, LineIndex};
pub use tree::{Entry, Kind, NodeId, Span, Style, Tree};

/// A named entry of a top-level section (parameter, resource, condition, output).
#[derive(Clone, Debug)]
pub struct Named {
    pub name: Box<str>,
    pub key_span: Span,
    pub node: NodeId,
}

#[derive(Clone, Debug)]
pub struct Resource {
    pub name: Box<str>,
    pub key_span: Span,
    pub node: NodeId,
    pub type_name: Option<Box<str>>,
    pub properties: Option<NodeId>,
}

#[derive(Debug)]
pub struct Template {
    pub tree: Tree,
    pub root: NodeId,
    pub parameters: Vec<Named>,
    pub resources: Vec<Resource>,
    pub conditions: Vec<Named>,
    pub outputs: Vec<Named>,
    pub transforms: Vec<String>,
    /// Parameter values given for the deployment (`--parameters`, a config stack's parameter
    /// file, a parent stack): known values like literals, with where each came from.
    pub param_values: HashMap<Box<str>, ParamValue>,
    /// Logical IDs a framework generates (Serverless Framework) that count as defined wherever a
    /// name is checked, although no resource of the tree defines them.
    pub generated: foldhash::HashSet<Box<str>>,
    /// The stack is written for the Serverless Framework: `${self:…}`, `${opt:…}`, … variables
    /// the framework resolves before CloudFormation sees the template.
    pub serverless: bool,
    /// The Serverless service's shape, for generated names that follow a pattern (hash
    /// suffixes such as `ApiGatewayDeployment<timestamp>`).
    pub generated_shape: Option<std::sync::Arc<crate::stack::sls_names::ServiceShape>>,
    /// The Serverless service's generated names, computed once from its shape (the look-up of
    /// names that follow a pattern).
    pub generated_patterns: Option<std::sync::Arc<crate::stack::sls_names::GeneratedNames>>,
    /// What the Serverless service's plugins may add: patterns of names, and whether an
    /// unknown plugin may add any name.
    pub plugin_names: crate::stack::plugins::PluginNames,
    /// A fragment of a stack this tool cannot read (a Serverless service written as code):
    /// every name it uses may be defined there.
    pub names_defined_elsewhere: bool,
    sam: bool,
    parameter_index: HashMap<Box<str>, usize>,
    resource_index: HashMap<Box<str>, usize>,
    type_index: HashMap<Box<str>, Vec<usize>>,
    condition_index: HashMap<Box<str>, usize>,
}

/// A parameter value given for the deployment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamValue {
    pub value: String,
    /// Where the value came from, for messages (`--parameters params/dev.json`).
    pub source: String,
}

/// Why a parsed document is not a template we can analyse.
pub enum NotTemplate {
    /// No `Resources` and no `AWSTemplateFormatVersion`: some other YAML/JSON file.
    Other,
    /// `Resources` is present but not a mapping (TM001): the span of its value.
    BadResources(Span),
}

pub const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";
pub const LANGUAGE_EXTENSIONS: &str = "AWS::LanguageExtensions";

fn named(tree: &Tree, section: Option<NodeId>) -> Vec<Named> {
    let entries = section.and_then(|s| tree.entries(s)).unwrap_or_default();
    entries
        .iter()
        .map(|e| Named {
            name: e.key.clone(),
            key_span: e.key_span,
            node: tree.deref(e.value),
        })
        .collect()
}

/// Each name's index in `names` (the last one where a name is given twice), sized once.
fn index_of<'n>(names: impl ExactSizeIterator<Item = &'n Box<str>>) -> HashMap<Box<str>, usize> {
    let mut index = HashMap::with_capacity(names.len());
    for (i, name) in names.enumerate() {
        index.insert(name.clone(), i);
    }
    index
}

/// Keys whose value is an IAM policy document, which CloudFormation also accepts as a JSON string.
pub const POLICY_KEYS: &[&str] = &[
    "PolicyDocument",
    "AssumeRolePolicyDocument",
    "KeyPolicy",
    "ResourcePolicy",
];

/// Parses policy documents given as JSON strings and grafts them into the tree, so the policy
/// rules see them like any other document (their findings point at the string).
fn expand_policy_strings(tree: &mut Tree, limits: &Limits) {
    // Candidates were noted while the tree was built: no walk over the template.
    let found: Vec<NodeId> = tree
        .brace_scalars
        .iter()
        .copied()
        .filter(|&v| {
            let node = tree.node(v);
            node.parent != v
                && tree
                    .entries(node.parent)
                    .and_then(|es| es.get(node.slot as usize))
                    .is_some_and(|e| e.value == v && POLICY_KEYS.contains(&&*e.key))
        })
        .collect();
    for at in found {
        let Some(text) = tree.str(at).map(str::to_string) else {
            continue;
        };
        let parsed = parse::parse_json(&text, limits);
        if let (None, Some(sub_root)) = (parsed.fatal, parsed.root) {
            tree.graft(parsed.tree, sub_root, at);
        }
    }
}

impl Template {
    /// Like [`Template::from_tree`], after expanding policy documents given as JSON strings.
    pub fn build(mut tree: Tree, root: NodeId, limits: &Limits) -> Result<Template, NotTemplate> {
        let budget = tree.len().saturating_mul(limits.max_alias_visits.max(1));
        tree.expand_aliases(budget);
        expand_policy_strings(&mut tree, limits);
        Template::from_tree(tree, root)
    }

    pub fn from_tree(tree: Tree, root: NodeId) -> Result<Template, NotTemplate> {
        let resources_node = tree.get(root, "Resources");
        let is_template = tree.entries(root).is_some()
            && (resources_node.is_some() || tree.get(root, "AWSTemplateFormatVersion").is_some());
        if !is_template {
            return Err(NotTemplate::Other);
        }
        if let Some(r) = resources_node {
            if tree.entries(r).is_none() && !tree.is_null(r) {
                return Err(NotTemplate::BadResources(tree.span(r)));
            }
        }
        let parameters = named(&tree, tree.get(root, "Parameters"));
        let parameter_index = index_of(parameters.iter().map(|p| &p.name));
        let conditions = named(&tree, tree.get(root, "Conditions"));
        let condition_index = index_of(conditions.iter().map(|c| &c.name));
        let outputs = named(&tree, tree.get(root, "Outputs"));
        let mut resources = Vec::new();
        if let Some(entries) = resources_node.and_then(|r| tree.entries(r)) {
            resources.reserve_exact(entries.len());
            for e in entries {
                let node = tree.deref(e.value);
                resources.push(Resource {
                    name: e.key.clone(),
                    key_span: e.key_span,
                    node,
                    type_name: tree
                        .get(node, "Type")
                        .and_then(|t| tree.str(t))
                        .map(Into::into),
                    properties: tree
                        .get(node, "Properties")
                        .filter(|p| tree.entries(*p).is_some()),
                });
            }
        }
        let mut transforms = Vec::new();
        if let Some(t) = tree.get(root, "Transform") {
            let mut push = |id: NodeId| {
                if let Some(s) = tree.str(id) {
                    transforms.push(s.to_string());
                } else if let Some(name) = tree.get(id, "Name").and_then(|n| tree.str(n)) {
                    transforms.push(name.to_string());
                }
            };
            match tree.items(t) {
                Some(items) => items.iter().for_each(|i| push(tree.deref(*i))),
                None => push(t),
            }
        }
        let resource_index = index_of(resources.iter().map(|r| &r.name));
        // The type is cloned into the map once per type, not once per resource.
        let mut type_index: HashMap<Box<str>, Vec<usize>> = HashMap::new();
        for (i, r) in resources.iter().enumerate() {
            if let Some(ty) = &r.type_name {
                match type_index.get_mut(&**ty) {
                    Some(list) => list.push(i),
                    None => {
                        type_index.insert(ty.clone(), vec![i]);
                    }
                }
            }
        }
        let sam = transforms.iter().any(|t| t == SAM_TRANSFORM)
            || resources.iter().any(|r| {
                r.type_name
                    .as_deref()
                    .is_some_and(|t| t.starts_with("AWS::Serverless::"))
            });
        Ok(Template {
            sam,
            tree,
            root,
            parameters,
            resources,
            conditions,
            outputs,
            transforms,
            param_values: HashMap::new(),
            generated: Default::default(),
            serverless: false,
            generated_shape: None,
            generated_patterns: None,
            plugin_names: Default::default(),
            names_defined_elsewhere: false,
            parameter_index,
            resource_index,
            condition_index,
            type_index,
        })
    }

    pub fn resource(&self, name: &str) -> Option<&Resource> {
        self.resource_index.get(name).map(|&i| &self.resources[i])
    }
    pub fn resource_idx(&self, name: &str) -> Option<usize> {
        self.resource_index.get(name).copied()
    }
    pub fn parameter(&self, name: &str) -> Option<&Named> {
        self.parameter_index.get(name).map(|&i| &self.parameters[i])
    }
    pub fn parameter_idx(&self, name: &str) -> Option<usize> {
        self.parameter_index.get(name).copied()
    }
    pub fn has_condition(&self, name: &str) -> bool {
        self.condition_index.contains_key(name)
    }
    pub fn condition_idx(&self, name: &str) -> Option<usize> {
        self.condition_index.get(name).copied()
    }
    /// The resources of one type, in file order (indexed once, so rules never scan them all).
    pub fn resources_of_type<'a>(
        &'a self,
        ty: &str,
    ) -> impl Iterator<Item = (usize, &'a Resource)> + 'a {
        self.type_index
            .get(ty)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(move |&i| (i, &self.resources[i]))
    }
    /// A name the framework generates (Serverless), defined although no resource of the tree
    /// defines it.
    pub fn is_generated(&self, name: &str) -> bool {
        self.names_defined_elsewhere
            || self.generated.contains(name)
            || !self.plugin_names.unknown.is_empty()
            || self
                .plugin_names
                .patterns
                .iter()
                .any(|p| crate::stack::plugins::matches(p, name))
            || self
                .generated_patterns
                .as_deref()
                .is_some_and(|g| g.matches_pattern(name))
    }
    pub fn has_transform(&self, name: &str) -> bool {
        self.transforms.iter().any(|t| t == name)
    }
    /// SAM: the transform is declared, or serverless resources are used (SAM's own test
    /// templates and `sam` projects leave the transform to the tooling).
    pub fn is_sam(&self) -> bool {
        self.sam
    }
    /// A transform other than SAM and the language extensions: a macro may produce anything.
    pub fn has_unknown_macro(&self) -> bool {
        self.transforms
            .iter()
            .any(|t| t != SAM_TRANSFORM && t != LANGUAGE_EXTENSIONS)
    }
    /// What the file produces is unknown (RULES.md, *Transforms*): a macro other than SAM and
    /// the language extensions, preprocessor directives (Rain's `!Rain::…` tags, `Rain::` keys)
    /// or CloudFormation modules (`Type: …::MODULE`), whose resources are not in the text.
    pub fn produces_unknown(&self) -> bool {
        self.has_unknown_macro()
            || self.tree.directives
            // `Fn::Transform` among the resources: the macro may add any resource.
            || self.resource_idx("Fn::Transform").is_some()
            || self.resources.iter().any(|r| {
                r.type_name
                    .as_deref()
                    .is_some_and(|t| t.ends_with("::MODULE"))
            })
    }
    /// The first `AWS::Serverless::*` resource of a file that does not declare the SAM
    /// transform (CloudFormation rejects the type without it).
    pub fn serverless_without_transform(&self) -> Option<&Resource> {
        if self.has_transform(SAM_TRANSFORM) {
            return None;
        }
        self.resources.iter().find(|r| {
            r.type_name
                .as_deref()
                .is_some_and(|t| t.starts_with("AWS::Serverless::"))
        })
    }

    /// The logical ID of the resource a node lies in, from its JSON pointer.
    pub fn resource_of(&self, pointer: &str) -> Option<String> {
        let rest = pointer.strip_prefix("/Resources/")?;
        let seg = rest.split('/').next()?;
        if !seg.contains('~') {
            return Some(seg.to_string()); // nothing escaped (most logical IDs)
        }
        Some(seg.replace("~1", "/").replace("~0", "~"))
    }
}
