//! The arena tree every template is parsed into: YAML and JSON alike.
//!
//! Nodes live in one `Vec` and refer to each other by index, so dropping, cloning or
//! debugging a tree never recurses, whatever the nesting of the input. Every node and every
//! mapping key carries its byte span in the source.

use std::fmt;

/// A byte range in the source text, end exclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        let (start, end) = (clamp(start), clamp(end));
        Span {
            start,
            end: end.max(start),
        }
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(self) -> bool {
        self.end == self.start
    }
}

/// Index of a node in its [`Tree`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// How a scalar was written; CloudFormation reads plain YAML scalars the YAML 1.1 way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Unquoted YAML scalar.
    Plain,
    /// Single- or double-quoted YAML scalar, or `!!str`.
    Quoted,
    /// Literal or folded YAML block scalar.
    Block,
    /// JSON string.
    JsonString,
    /// JSON number, `true`, `false` or `null`.
    JsonLiteral,
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub key: Box<str>,
    pub key_span: Span,
    pub value: NodeId,
}

#[derive(Clone, Debug)]
pub enum Kind {
    Scalar {
        text: Box<str>,
        style: Style,
    },
    Seq(Vec<NodeId>),
    Map(Vec<Entry>),
    /// A YAML alias: the node is its anchor's node (no copy is made).
    Alias(NodeId),
}

#[derive(Clone, Debug)]
pub struct Node {
    pub kind: Kind,
    pub span: Span,
    /// The collection this node sits in (itself for the root) and its index there.
    pub parent: NodeId,
    pub slot: u32,
}

/// YAML 1.1 booleans, as CloudFormation reads them.
pub const YAML11_TRUE: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
];
pub const YAML11_FALSE: &[&str] = &[
    "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
];

#[derive(Default)]
pub struct Tree {
    nodes: Vec<Node>,
    /// Number of alias nodes: when zero, a walk can never revisit a node.
    pub aliases: usize,
    /// Scalars whose text opens a JSON object (policy documents given as strings, among others).
    pub brace_scalars: Vec<NodeId>,
    /// Aliases seen through ([`Tree::expand_aliases`]): the root of each copy, with the alias
    /// it stands for.
    pub alias_sites: foldhash::HashMap<NodeId, NodeId>,
    /// The text uses preprocessor directives (Rain's `!Rain::…` tags or `Rain::` keys): what
    /// they produce is unknown.
    pub directives: bool,
}

impl fmt::Debug for Tree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tree({} nodes)", self.nodes.len())
    }
}

impl Tree {
    pub fn len(&self) -> usize {
        self.nodes.len()
    }
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub(crate) fn push(&mut self, kind: Kind, span: Span) -> NodeId {
        let id = NodeId(u32::try_from(self.nodes.len()).unwrap_or(u32::MAX));
        match &kind {
            Kind::Alias(_) => self.aliases += 1,
            Kind::Scalar { text, .. } if text.trim_start().starts_with('{') => {
                self.brace_scalars.push(id)
            }
            _ => {}
        }
        self.nodes.push(Node {
            kind,
            span,
            parent: id,
            slot: 0,
        });
        id
    }

    pub(crate) fn adopt(&mut self, parent: NodeId, slot: usize, child: NodeId) {
        if let Some(node) = self.nodes.get_mut(child.index()) {
            node.parent = parent;
            node.slot = u32::try_from(slot).unwrap_or(u32::MAX);
        }
    }

    pub(crate) fn set_kind(&mut self, id: NodeId, kind: Kind) {
        if let Some(node) = self.nodes.get_mut(id.index()) {
            node.kind = kind;
        }
    }

    pub(crate) fn set_span(&mut self, id: NodeId, span: Span) {
        if let Some(node) = self.nodes.get_mut(id.index()) {
            node.span = span;
        }
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    /// Follows an alias to the anchored node.
    pub fn deref(&self, id: NodeId) -> NodeId {
        match self.node(id).kind {
            Kind::Alias(target) => target,
            _ => id,
        }
    }

    pub fn kind(&self, id: NodeId) -> &Kind {
        &self.node(self.deref(id)).kind
    }

    pub fn span(&self, id: NodeId) -> Span {
        self.node(id).span
    }

    pub fn entries(&self, id: NodeId) -> Option<&[Entry]> {
        match self.kind(id) {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn items(&self, id: NodeId) -> Option<&[NodeId]> {
        match self.kind(id) {
            Kind::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn entry(&self, map: NodeId, key: &str) -> Option<&Entry> {
        self.entries(map)?.iter().find(|e| &*e.key == key)
    }

    /// The value under `key`, aliases followed.
    pub fn get(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.entry(map, key).map(|e| self.deref(e.value))
    }

    /// Follows a path of mapping keys.
    pub fn get_path(&self, mut node: NodeId, path: &[&str]) -> Option<NodeId> {
        for key in path {
            node = self.get(node, key)?;
        }
        Some(node)
    }

    pub fn scalar(&self, id: NodeId) -> Option<(&str, Style)> {
        match self.kind(id) {
            Kind::Scalar { text, style } => Some((text, *style)),
            _ => None,
        }
    }

    /// Text of a scalar that is not null.
    pub fn str(&self, id: NodeId) -> Option<&str> {
        let (text, style) = self.scalar(id)?;
        if is_null(text, style) {
            None
        } else {
            Some(text)
        }
    }

    pub fn is_null(&self, id: NodeId) -> bool {
        matches!(self.scalar(id), Some((text, style)) if is_null(text, style))
    }

    /// A boolean as CloudFormation accepts it: `true`, `'true'`, `"True"`, and the YAML 1.1
    /// spellings when unquoted.
    pub fn bool_value(&self, id: NodeId) -> Option<bool> {
        let (text, style) = self.scalar(id)?;
        if style == Style::Plain {
            if YAML11_TRUE.contains(&text) {
                return Some(true);
            }
            if YAML11_FALSE.contains(&text) {
                return Some(false);
            }
        }
        if text.eq_ignore_ascii_case("true") {
            Some(true)
        } else if text.eq_ignore_ascii_case("false") {
            Some(false)
        } else {
            None
        }
    }

    /// A number, from a number or a numeric string.
    pub fn number(&self, id: NodeId) -> Option<f64> {
        self.str(id)?.trim().parse::<f64>().ok()
    }

    /// An unquoted YAML 1.1 boolean (`ON`, `off`, `yes`, …): CloudFormation turns it into
    /// `true`/`false` whatever the property expects.
    pub fn yaml11_bool(&self, id: NodeId) -> Option<bool> {
        match self.node(id).kind {
            Kind::Scalar {
                ref text,
                style: Style::Plain,
            } => {
                if YAML11_TRUE.contains(&&**text) {
                    Some(true)
                } else if YAML11_FALSE.contains(&&**text) {
                    Some(false)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// The span of the key under which `value` sits in its parent mapping, if any.
    pub fn key_span(&self, value: NodeId) -> Option<Span> {
        let node = self.node(value);
        if node.parent == value {
            return None;
        }
        match &self.node(node.parent).kind {
            Kind::Map(entries) => entries.get(node.slot as usize).map(|e| e.key_span),
            _ => None,
        }
    }

    /// RFC 6901 JSON pointer of a node, from its place of definition.
    pub fn pointer(&self, id: NodeId) -> String {
        let mut segments: Vec<String> = Vec::new();
        let mut cur = id;
        let mut guard = 0usize;
        loop {
            let node = self.node(cur);
            if node.parent == cur || guard > self.nodes.len() {
                break;
            }
            guard += 1;
            match &self.node(node.parent).kind {
                Kind::Map(entries) => {
                    if let Some(e) = entries.get(node.slot as usize) {
                        segments.push(e.key.replace('~', "~0").replace('/', "~1"));
                    }
                }
                Kind::Seq(_) => segments.push(node.slot.to_string()),
                _ => {}
            }
            cur = node.parent;
        }
        let mut out = String::new();
        for s in segments.iter().rev() {
            out.push('/');
            out.push_str(s);
        }
        out
    }

    /// Visits every node under `root` (aliases followed) without recursion, calling `visit`
    /// for each; stops with the offending alias span once more than `budget` nodes were visited.
    pub fn walk(
        &self,
        root: NodeId,
        budget: usize,
        mut visit: impl FnMut(NodeId),
    ) -> Result<(), Span> {
        let mut stack = vec![root];
        let mut visited = 0usize;
        let mut last_alias = self.span(root);
        while let Some(id) = stack.pop() {
            visited += 1;
            if visited > budget {
                return Err(last_alias);
            }
            visit(id);
            match &self.node(id).kind {
                Kind::Scalar { .. } => {}
                Kind::Seq(items) => stack.extend(items.iter().rev().copied()),
                Kind::Map(entries) => stack.extend(entries.iter().rev().map(|e| e.value)),
                Kind::Alias(target) => {
                    last_alias = self.span(id);
                    stack.push(*target);
                }
            }
        }
        Ok(())
    }
}

pub fn is_null(text: &str, style: Style) -> bool {
    match style {
        Style::Plain => matches!(text, "" | "~" | "null" | "Null" | "NULL"),
        Style::JsonLiteral => text == "null",
        _ => false,
    }
}

impl Tree {
    /// Puts a parsed sub-document (a policy given as a JSON string) in the place of node `at`;
    /// every grafted node takes `at`'s span, so findings inside it point at the string.
    pub(crate) fn graft(&mut self, other: Tree, other_root: NodeId, at: NodeId) -> NodeId {
        let offset = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        let shift = |id: NodeId| NodeId(id.0.saturating_add(offset));
        let span = self.span(at);
        let (parent, slot) = (self.node(at).parent, self.node(at).slot as usize);
        for mut n in other.nodes {
            n.span = span;
            n.parent = shift(n.parent);
            match &mut n.kind {
                Kind::Seq(items) => items.iter_mut().for_each(|i| *i = shift(*i)),
                Kind::Map(entries) => entries.iter_mut().for_each(|e| {
                    e.value = shift(e.value);
                    e.key_span = span;
                }),
                Kind::Alias(t) => *t = shift(*t),
                Kind::Scalar { .. } => {}
            }
            self.nodes.push(n);
        }
        self.aliases += other.aliases;
        self.directives |= other.directives;
        let root = shift(other_root);
        if parent != at {
            self.replace_child(parent, slot, root);
        } else {
            self.adopt(root, 0, root);
        }
        root
    }
}

/// Building merged trees: the stack loaders append whole files, make sections and copy values.
impl Tree {
    /// Appends every node of `other` (a file parsed on its own), shifting its node IDs and its
    /// spans by `base` (the file's offset in its stack); returns how far node IDs were shifted.
    pub(crate) fn append(&mut self, other: Tree, base: u32) -> u32 {
        let offset = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        let shift = |id: NodeId| NodeId(id.0.saturating_add(offset));
        let move_span = |s: Span| Span {
            start: s.start.saturating_add(base),
            end: s.end.saturating_add(base),
        };
        for mut n in other.nodes {
            n.span = move_span(n.span);
            n.parent = shift(n.parent);
            match &mut n.kind {
                Kind::Seq(items) => items.iter_mut().for_each(|i| *i = shift(*i)),
                Kind::Map(entries) => entries.iter_mut().for_each(|e| {
                    e.value = shift(e.value);
                    e.key_span = move_span(e.key_span);
                }),
                Kind::Alias(t) => *t = shift(*t),
                Kind::Scalar { .. } => {}
            }
            self.nodes.push(n);
        }
        self.aliases += other.aliases;
        self.directives |= other.directives;
        self.alias_sites.extend(
            other
                .alias_sites
                .into_iter()
                .map(|(c, a)| (shift(c), shift(a))),
        );
        self.brace_scalars
            .extend(other.brace_scalars.into_iter().map(shift));
        offset
    }

    /// A new mapping (its entries adopted by it).
    pub(crate) fn push_map(&mut self, entries: Vec<Entry>, span: Span) -> NodeId {
        let values: Vec<NodeId> = entries.iter().map(|e| e.value).collect();
        let id = self.push(Kind::Map(entries), span);
        for (slot, v) in values.into_iter().enumerate() {
            self.adopt(id, slot, v);
        }
        id
    }

    /// A new sequence (its items adopted by it).
    pub(crate) fn push_seq(&mut self, items: Vec<NodeId>, span: Span) -> NodeId {
        let id = self.push(Kind::Seq(items.clone()), span);
        for (slot, v) in items.into_iter().enumerate() {
            self.adopt(id, slot, v);
        }
        id
    }

    /// A new scalar.
    pub(crate) fn push_scalar(&mut self, text: &str, style: Style, span: Span) -> NodeId {
        self.push(
            Kind::Scalar {
                text: text.into(),
                style,
            },
            span,
        )
    }

    /// Copies the subtree under `src` (aliases followed, so the copy has none); spans are kept,
    /// so findings in the copy point where the text is written. Stops once `budget` nodes were
    /// copied (returns `None`).
    pub(crate) fn copy_subtree(&mut self, src: NodeId, budget: &mut usize) -> Option<NodeId> {
        // Post-order without recursion: (source node, whether its children are done).
        let mut stack = vec![(self.deref(src), false)];
        let mut done: Vec<NodeId> = Vec::new();
        while let Some((id, ready)) = stack.pop() {
            let id = self.deref(id);
            if *budget == 0 {
                return None;
            }
            match (&self.node(id).kind, ready) {
                (Kind::Map(entries), false) => {
                    let children: Vec<NodeId> = entries.iter().map(|e| e.value).collect();
                    stack.push((id, true));
                    stack.extend(children.into_iter().rev().map(|c| (c, false)));
                }
                (Kind::Seq(items), false) => {
                    let children = items.clone();
                    stack.push((id, true));
                    stack.extend(children.into_iter().rev().map(|c| (c, false)));
                }
                (Kind::Map(entries), true) => {
                    let n = entries.len();
                    let values = done.split_off(done.len().saturating_sub(n));
                    let new_entries: Vec<Entry> = entries
                        .iter()
                        .zip(values)
                        .map(|(e, v)| Entry {
                            key: e.key.clone(),
                            key_span: e.key_span,
                            value: v,
                        })
                        .collect();
                    let span = self.span(id);
                    *budget -= 1;
                    done.push(self.push_map(new_entries, span));
                }
                (Kind::Seq(items), true) => {
                    let n = items.len();
                    let values = done.split_off(done.len().saturating_sub(n));
                    let span = self.span(id);
                    *budget -= 1;
                    done.push(self.push_seq(values, span));
                }
                (Kind::Scalar { text, style }, _) => {
                    let (text, style, span) = (text.clone(), *style, self.span(id));
                    *budget -= 1;
                    done.push(self.push(Kind::Scalar { text, style }, span));
                }
                (Kind::Alias(_), _) => {}
            }
        }
        done.pop()
    }

    /// Puts `value` in the place of the item or entry value at `slot` of `parent`.
    pub(crate) fn replace_child(&mut self, parent: NodeId, slot: usize, value: NodeId) {
        match self.nodes.get_mut(parent.index()).map(|n| &mut n.kind) {
            Some(Kind::Map(entries)) => {
                if let Some(e) = entries.get_mut(slot) {
                    e.value = value;
                }
            }
            Some(Kind::Seq(items)) => {
                if let Some(i) = items.get_mut(slot) {
                    *i = value;
                }
            }
            _ => return,
        }
        self.adopt(parent, slot, value);
    }

    /// Sets the text and style of a scalar (Serverless variables resolved, YAML 1.2 reading).
    pub(crate) fn set_scalar(&mut self, id: NodeId, text: &str, style: Style) {
        if let Some(node) = self.nodes.get_mut(id.index()) {
            if let Kind::Scalar { .. } = node.kind {
                node.kind = Kind::Scalar {
                    text: text.into(),
                    style,
                };
            }
        }
    }

    /// Sets the span of a mapping's key.
    pub(crate) fn set_key_span(&mut self, map: NodeId, slot: usize, span: Span) {
        if let Some(Kind::Map(entries)) = self.nodes.get_mut(map.index()).map(|n| &mut n.kind) {
            if let Some(e) = entries.get_mut(slot) {
                e.key_span = span;
            }
        }
    }

    /// Sees through YAML aliases: every alias attached in a collection is replaced by a copy of
    /// its anchored node (spans kept, so the copy points at the anchored text), as `aws
    /// cloudformation package` does before CloudFormation reads the template. Each resource that
    /// reaches the anchor through an alias then has nodes of its own, and [`Tree::alias_site`]
    /// tells where the alias is written. Copies at most `budget` nodes.
    pub(crate) fn expand_aliases(&mut self, mut budget: usize) {
        if self.aliases == 0 {
            return;
        }
        let aliases: Vec<NodeId> = self
            .ids()
            .filter(|&id| matches!(self.node(id).kind, Kind::Alias(_)))
            .collect();
        for alias in aliases {
            let node = self.node(alias);
            let (parent, slot) = (node.parent, node.slot as usize);
            let attached = parent != alias
                && match &self.node(parent).kind {
                    Kind::Map(entries) => entries.get(slot).is_some_and(|e| e.value == alias),
                    Kind::Seq(items) => items.get(slot) == Some(&alias),
                    _ => false,
                };
            if !attached {
                continue;
            }
            let Some(copy) = self.copy_subtree(alias, &mut budget) else {
                return;
            };
            self.replace_child(parent, slot, copy);
            self.alias_sites.insert(copy, alias);
        }
    }

    /// The alias through which `id` is reached, when `id` lies in a copy made for an alias
    /// ([`Tree::expand_aliases`]): the innermost copy's alias.
    pub fn alias_site(&self, id: NodeId) -> Option<NodeId> {
        if self.alias_sites.is_empty() {
            return None;
        }
        let mut cur = id;
        for _ in 0..=self.nodes.len() {
            if let Some(&alias) = self.alias_sites.get(&cur) {
                return Some(alias);
            }
            let parent = self.nodes.get(cur.index())?.parent;
            if parent == cur {
                return None;
            }
            cur = parent;
        }
        None
    }

    /// Every node ID, for passes over a whole tree.
    pub(crate) fn ids(&self) -> impl Iterator<Item = NodeId> + use<> {
        (0..u32::try_from(self.nodes.len()).unwrap_or(u32::MAX)).map(NodeId)
    }
}
