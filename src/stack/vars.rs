//! Serverless Framework variables (`${self:…}`, `${opt:stage, 'dev'}`, `${file(x.yml):key}`,
//! …), resolved in the merged tree the way the framework resolves them before CloudFormation
//! sees the template. A variable with a value (in the service file, an included file, a written
//! default, `--stage`) is replaced by it; the others (`${env:…}` — never read from the linter's
//! environment —, `${ssm:…}`, `${cf:…}`, `${param:…}`, `${aws:…}`, …) stay unknown.

use std::path::PathBuf;

use foldhash::{HashSet, HashSetExt};

use super::{Assembler, LoadError, MAX_INCLUDE_DEPTH};
use crate::template::{Entry, Kind, NodeId, Span, Style};

#[derive(Clone, Debug)]
enum Val {
    Node(NodeId),
    Text(String),
    /// A default written after a source only the deployment knows (`${param:x, 4000}`,
    /// `${opt:stage, 'dev'}`): the text, and the first such source (the variable's name).
    Default(String, String),
    /// Known only when the service is deployed (`${env:…}`, `${param:…}`, `${ssm:…}`, …).
    External,
    Unknown,
}

pub(crate) struct Vars<'a, 'l> {
    pub asm: &'a mut Assembler<'l>,
    pub service: NodeId,
    pub service_dir: PathBuf,
    pub cli_stage: Option<String>,
    in_progress: HashSet<NodeId>,
    /// The text of unknown variables, kept inside their `Fn::ImportValue` wrapper: never
    /// resolved again.
    opaque: HashSet<NodeId>,
    /// Roots of subtrees whose variables are all resolved.
    resolved: HashSet<NodeId>,
    /// The copy budget ran out (reported once).
    budget_spent: bool,
    /// Parameters made for written defaults: (name, default text, where it is written).
    defaults: Vec<(String, String, Span)>,
    /// The source being resolved has a fallback after it (`${file(x.yml), 'y'}`).
    has_fallback: bool,
    depth: usize,
}

/// The `${…}` expressions at the top level of a string: (start, end) byte ranges, braces
/// included; nested `${…}` stay inside their outer expression.
fn expressions(s: &str) -> Vec<(usize, usize)> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'$' && bytes[i + 1] == b'{' {
            let start = i;
            let mut depth = 0usize;
            let mut j = i + 1;
            let mut end = None;
            while j < bytes.len() {
                match bytes[j] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(j + 1);
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            match end {
                Some(e) => {
                    out.push((start, e));
                    i = e;
                }
                None => break,
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Whether a `${…}` variable is the framework's, not CloudFormation's (`${AWS::Region}`,
/// `${Resource.Arn}`, `${!Literal}`).
pub fn is_framework_variable(inner: &str) -> bool {
    let inner = inner.trim();
    const PREFIXES: &[&str] = &[
        "self:",
        "opt:",
        "sls:",
        "env:",
        "cf:",
        "cf(",
        "ssm:",
        "ssm(",
        "param:",
        "aws:",
        "s3:",
        "file(",
        "git:",
        "strToBool(",
        "output:",
    ];
    PREFIXES.iter().any(|p| inner.starts_with(p)) || inner.contains(", ")
}

/// One step of a dotted variable path: a mapping's key or a list's index.
fn child(tree: &crate::template::Tree, node: NodeId, seg: &str) -> Option<NodeId> {
    let next = match tree.kind(node) {
        Kind::Map(_) => tree.get(node, seg),
        Kind::Seq(items) => seg
            .parse::<usize>()
            .ok()
            .and_then(|i| items.get(i).copied()),
        _ => None,
    };
    next.map(|n| tree.deref(n))
}

/// Whether a source is a literal (`'dev'`, `"x"`, `4000`, `true`).
fn is_literal(s: &str) -> bool {
    (s.len() >= 2
        && (s.starts_with('\'') && s.ends_with('\'') || s.starts_with('"') && s.ends_with('"')))
        || s.parse::<f64>().is_ok()
        || s == "true"
        || s == "false"
}

/// Splits a variable's sources at the top-level commas (`self:x, 'dev'`).
fn sources(inner: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0usize);
    for (i, c) in inner.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '{') => depth += 1,
            (None, ')' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(inner[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(inner[start..].trim());
    out
}

impl<'a, 'l> Vars<'a, 'l> {
    pub fn new(
        asm: &'a mut Assembler<'l>,
        service: NodeId,
        service_dir: PathBuf,
        cli_stage: Option<String>,
    ) -> Vars<'a, 'l> {
        let mut in_progress = HashSet::new();
        // The service file is being resolved the whole time: including it is a cycle.
        in_progress.insert(service);
        Vars {
            asm,
            service,
            service_dir,
            cli_stage,
            in_progress,
            opaque: HashSet::new(),
            resolved: HashSet::new(),
            budget_spent: false,
            defaults: Vec::new(),
            has_fallback: false,
            depth: 0,
        }
    }

    /// The stage: `--stage`, else the one written in the service file, else `dev`.
    pub fn stage(&mut self) -> String {
        if let Some(s) = &self.cli_stage {
            return s.clone();
        }
        let tree = &self.asm.tree;
        if let Some(p) = tree.get(self.service, "provider") {
            if let Some(s) = tree.get(p, "stage") {
                let s = self.resolve_node(s);
                if let Some(text) = self.text_of(s) {
                    if !text.contains("${") {
                        return text;
                    }
                }
            }
        }
        "dev".to_string()
    }

    /// Resolves every variable under `root`; returns the (possibly replaced) root.
    pub fn resolve_subtree(&mut self, root: NodeId) -> NodeId {
        let root = self.resolve_node(root);
        // A subtree resolved once stays resolved (variables that name the same value many
        // times, includes of includes, would otherwise be resolved again and again).
        if !self.resolved.insert(root) {
            return root;
        }
        let mut stack = vec![root];
        let mut seen = 0usize;
        let budget = self.asm.tree.len().saturating_mul(4).max(1024);
        while let Some(id) = stack.pop() {
            seen += 1;
            if seen > budget {
                break;
            }
            let children: Vec<NodeId> = match self.asm.tree.kind(id) {
                Kind::Map(entries) => entries.iter().map(|e| e.value).collect(),
                Kind::Seq(items) => items.clone(),
                _ => continue,
            };
            for c in children {
                let c = self.asm.tree.deref(c);
                let r = self.resolve_node(c);
                if r == c {
                    stack.push(c);
                }
            }
        }
        root
    }

    /// Resolves a scalar with variables in place; returns the node now at its place.
    pub fn resolve_node(&mut self, id: NodeId) -> NodeId {
        let id = self.asm.tree.deref(id);
        let Some((text, style)) = self.asm.tree.scalar(id).map(|(t, s)| (t.to_string(), s)) else {
            return id;
        };
        if !text.contains("${") || self.opaque.contains(&id) || self.is_wrapped(id) {
            return id;
        }
        let exprs = expressions(&text);
        if exprs.is_empty()
            || !exprs
                .iter()
                .any(|(s, e)| is_framework_variable(&text[s + 2..e - 1]))
        {
            return id;
        }
        let span = self.asm.tree.span(id);
        if !self.in_progress.insert(id) {
            self.asm.issue(
                "TM011",
                span,
                Some(id),
                format!("`{text}` refers to itself: the framework cannot resolve it"),
            );
            return id;
        }
        if self.depth >= MAX_INCLUDE_DEPTH {
            self.asm.issue(
                "TM011",
                span,
                Some(id),
                format!("variables and includes nest deeper than {MAX_INCLUDE_DEPTH}: `{text}` is not followed"),
            );
            self.in_progress.remove(&id);
            return id;
        }
        self.depth += 1;
        let result = self.resolve_in_place(id, &text, style, &exprs, span);
        self.depth -= 1;
        self.in_progress.remove(&id);
        result
    }

    fn resolve_in_place(
        &mut self,
        id: NodeId,
        text: &str,
        style: Style,
        exprs: &[(usize, usize)],
        span: Span,
    ) -> NodeId {
        let whole = exprs.len() == 1 && exprs[0] == (0, text.len());
        if whole {
            let inner = &text[2..text.len() - 1];
            match self.expression(inner, span, id) {
                Val::Node(n) => return self.put(id, n),
                Val::Text(t) => {
                    self.asm.tree.set_scalar(id, &t, Style::Quoted);
                    return id;
                }
                // (A `Fn::Sub` string stays a string: the default is its text there.)
                Val::Default(t, _) if self.in_sub(id) => {
                    self.asm.tree.set_scalar(id, &t, Style::Quoted);
                    return id;
                }
                Val::Default(t, name) => return self.default_param(id, &t, &name, span),
                Val::Unknown | Val::External => return self.unknown(id, text, span),
            }
        }
        let mut out = String::new();
        let mut last = 0;
        let mut unknown = false;
        for &(s, e) in exprs {
            out.push_str(&text[last..s]);
            last = e;
            let inner = &text[s + 2..e - 1];
            if !is_framework_variable(inner) {
                out.push_str(&text[s..e]);
                continue;
            }
            match self.expression(inner, span, id) {
                Val::Text(t) | Val::Default(t, _) => out.push_str(&t),
                Val::Node(n) => match self.text_of(n) {
                    Some(t) => out.push_str(&t),
                    None => {
                        unknown = true;
                        out.push_str(&text[s..e]);
                    }
                },
                Val::Unknown | Val::External => {
                    unknown = true;
                    out.push_str(&text[s..e]);
                }
            }
        }
        out.push_str(&text[last..]);
        if unknown && !self.in_sub(id) {
            return self.unknown(id, text, span);
        }
        let new_style = if style == Style::Plain {
            Style::Quoted
        } else {
            style
        };
        self.asm.tree.set_scalar(id, &out, new_style);
        id
    }

    /// Whether a scalar is the text of a variable inside the `Fn::ImportValue` wrapper
    /// [`Vars::unknown`] made, or the name of a written default's parameter
    /// [`Vars::default_param`] refers to (or a copy of one): the wrapper's key, value and map
    /// share a span, which written YAML never does.
    fn is_wrapped(&self, id: NodeId) -> bool {
        let tree = &self.asm.tree;
        let node = tree.node(id);
        let p = node.parent;
        p != id
            && tree.entries(p).is_some_and(|es| {
                es.len() == 1
                    && matches!(&*es[0].key, "Fn::ImportValue" | "Ref")
                    && es[0].key_span == node.span
                    && tree.span(p) == node.span
            })
    }

    /// Whether a scalar is the string of a `Fn::Sub` (whose unknown framework variables the
    /// graph knows to skip).
    fn in_sub(&self, id: NodeId) -> bool {
        let tree = &self.asm.tree;
        let node = tree.node(id);
        let parent = node.parent;
        if parent == id {
            return false;
        }
        let is_sub_key = |map: NodeId, slot: usize| {
            tree.entries(map)
                .and_then(|es| es.get(slot))
                .is_some_and(|e| &*e.key == "Fn::Sub")
        };
        if is_sub_key(parent, node.slot as usize) {
            return true;
        }
        if tree.items(parent).is_some() && node.slot == 0 {
            let p = tree.node(parent);
            return p.parent != parent && is_sub_key(p.parent, p.slot as usize);
        }
        false
    }

    /// An unknown value: `{Fn::ImportValue: <the text>}`, which every rule treats as a value
    /// from outside the stack (unknown, never a finding by itself).
    fn unknown(&mut self, id: NodeId, text: &str, span: Span) -> NodeId {
        if self.in_sub(id) {
            return id;
        }
        let tree = &mut self.asm.tree;
        let node = tree.node(id);
        let (parent, slot) = (node.parent, node.slot as usize);
        if parent == id {
            return id;
        }
        let inner = tree.push_scalar(text, Style::Quoted, span);
        self.opaque.insert(inner);
        let map = tree.push_map(
            vec![Entry {
                key: "Fn::ImportValue".into(),
                key_span: span,
                value: inner,
            }],
            span,
        );
        tree.replace_child(parent, slot, map);
        map
    }

    /// Puts (a copy of) node `value` in the place of `id`.
    fn put(&mut self, id: NodeId, value: NodeId) -> NodeId {
        let tree = &self.asm.tree;
        let node = tree.node(id);
        let (parent, slot) = (node.parent, node.slot as usize);
        if parent == id {
            return id;
        }
        let value = tree.deref(value);
        // A file's root used for the first time is adopted as it is; anything else is copied
        // (so every place keeps its own JSON pointer).
        let placed = if tree.node(value).parent == value {
            value
        } else {
            let mut budget = self.asm.copy_budget;
            let copied = self.asm.tree.copy_subtree(value, &mut budget);
            self.asm.copy_budget = budget;
            match copied {
                Some(c) => c,
                None => {
                    if std::mem::replace(&mut self.budget_spent, true) {
                        return id;
                    }
                    let span = self.asm.tree.span(id);
                    self.asm.issue(
                        "TM010",
                        span,
                        Some(id),
                        "variables expand to more nodes than the alias budget allows (max-alias-visits): the rest is not expanded".to_string(),
                    );
                    return id;
                }
            }
        };
        self.asm.tree.replace_child(parent, slot, placed);
        placed
    }

    /// The value of the inside of `${…}`: the first of its sources that has one.
    fn expression(&mut self, inner: &str, span: Span, at: NodeId) -> Val {
        // Nested variables first (`${self:custom.${opt:stage}}`).
        let inner = if inner.contains("${") {
            let exprs = expressions(inner);
            let mut out = String::new();
            let mut last = 0;
            for (s, e) in exprs {
                out.push_str(&inner[last..s]);
                last = e;
                match self.expression(&inner[s + 2..e - 1], span, at) {
                    Val::Text(t) | Val::Default(t, _) => out.push_str(&t),
                    Val::Node(n) => match self.text_of(n) {
                        Some(t) => out.push_str(&t),
                        None => return Val::Unknown,
                    },
                    Val::Unknown | Val::External => return Val::Unknown,
                }
            }
            out.push_str(&inner[last..]);
            out
        } else {
            inner.to_string()
        };
        // The first source with a value; a literal after a source only the deployment knows
        // is that source's written default.
        let mut external: Option<String> = None;
        let all = sources(&inner);
        let outer_fallback = self.has_fallback;
        for (k, source) in all.iter().copied().enumerate() {
            // (A missing file with a fallback after it is no error: the fallback applies.)
            self.has_fallback = outer_fallback || k + 1 < all.len();
            let value = self.source(source, span, at);
            self.has_fallback = outer_fallback;
            match value {
                Val::Unknown => continue,
                Val::External => {
                    external.get_or_insert_with(|| source.to_string());
                }
                Val::Node(n) if self.asm.tree.is_null(n) => continue,
                Val::Text(t) if is_literal(source) => {
                    return match external {
                        Some(name) => Val::Default(t, name),
                        None => Val::Text(t),
                    };
                }
                v => return v,
            }
        }
        if external.is_some() {
            Val::External
        } else {
            Val::Unknown
        }
    }

    fn source(&mut self, s: &str, span: Span, at: NodeId) -> Val {
        if let Some(q) = s
            .strip_prefix('\'')
            .and_then(|r| r.strip_suffix('\''))
            .or_else(|| s.strip_prefix('"').and_then(|r| r.strip_suffix('"')))
        {
            return Val::Text(q.to_string());
        }
        if !s.is_empty() && (s.parse::<f64>().is_ok() || s == "true" || s == "false") {
            return Val::Text(s.to_string());
        }
        if let Some(path) = s.strip_prefix("self:") {
            let v = self.lookup(self.service, path);
            // The framework's own defaults for what the service does not write.
            return match (v, path) {
                (Val::Unknown, "provider.stage") => Val::Text(self.stage()),
                (Val::Unknown, "provider.region") => Val::Text("us-east-1".to_string()),
                (v, _) => v,
            };
        }
        match s {
            "opt:stage" => {
                return match &self.cli_stage {
                    Some(st) => Val::Text(st.clone()),
                    None => Val::External,
                };
            }
            "sls:stage" => return Val::Text(self.stage()),
            _ => {}
        }
        if let Some(rest) = s.strip_prefix("file(") {
            let Some(close) = rest.find(')') else {
                return Val::Unknown;
            };
            let file = rest[..close].trim().trim_matches(['\'', '"']);
            let key = rest[close + 1..].strip_prefix(':').map(str::trim);
            return self.file(file, key, span, at);
        }
        const DEPLOY_TIME: &[&str] = &[
            "opt:",
            "env:",
            "param:",
            "ssm:",
            "ssm(",
            "cf:",
            "cf(",
            "s3:",
            "aws:",
            "sls:",
            "output:",
            "git:",
            "strToBool(",
        ];
        if DEPLOY_TIME.iter().any(|p| s.starts_with(p)) {
            return Val::External;
        }
        Val::Unknown
    }

    /// The text a node stands for in a string: a scalar's, or the default of a parameter made
    /// for a written default.
    fn text_of(&self, n: NodeId) -> Option<String> {
        let tree = &self.asm.tree;
        if let Some(t) = tree.str(n) {
            return Some(t.to_string());
        }
        let (name, arg, _) = crate::template::intrinsic::as_intrinsic(tree, n)?;
        if name != "Ref" {
            return None;
        }
        let param = tree.str(arg)?;
        self.defaults
            .iter()
            .find(|d| d.0 == param)
            .map(|d| d.1.clone())
    }

    /// A written default used as a whole value: a `Ref` to a parameter of that name whose
    /// `Default` is the written text, so a finding can rest on it only as a default does (at
    /// most a warning, naming the variable).
    fn default_param(&mut self, id: NodeId, text: &str, name: &str, span: Span) -> NodeId {
        let tree = &mut self.asm.tree;
        let node = tree.node(id);
        let (parent, slot) = (node.parent, node.slot as usize);
        if parent == id {
            return id;
        }
        if !self.defaults.iter().any(|d| d.0 == name) {
            self.defaults
                .push((name.to_string(), text.to_string(), span));
        }
        let arg = tree.push_scalar(name, Style::Quoted, span);
        let map = tree.push_map(
            vec![Entry {
                key: "Ref".into(),
                key_span: span,
                value: arg,
            }],
            span,
        );
        tree.replace_child(parent, slot, map);
        map
    }

    /// The parameters made for written defaults: (name, default text, where it is written).
    pub fn take_defaults(&mut self) -> Vec<(String, String, Span)> {
        std::mem::take(&mut self.defaults)
    }

    /// `${file(path)}` / `${file(path):key}`, relative to the service's folder.
    fn file(&mut self, file: &str, key: Option<&str>, span: Span, at: NodeId) -> Val {
        let ext = file.rsplit('.').next().unwrap_or_default();
        if !matches!(ext, "yml" | "yaml" | "json") {
            // JavaScript/TypeScript files are code the framework runs: unknown.
            return Val::Unknown;
        }
        let path = self.service_dir.join(file);
        match self.asm.load(&path, true) {
            Ok(Some(root)) => match key {
                // Only the part asked for is resolved, as the framework resolves lazily (the
                // rest of the file may hold includes relative to another service).
                Some(k) if !k.is_empty() => self.lookup(root, k),
                _ => match self.resolve_subtree_guarded(root, span, at, file) {
                    Some(root) => Val::Node(root),
                    None => Val::Unknown,
                },
            },
            Ok(None) => Val::Unknown,
            // The framework reads a missing file as no value: a fallback after it applies.
            Err(LoadError::Missing(_)) if self.has_fallback => Val::Unknown,
            // A file the repository ignores on purpose (`secrets.yml` in `.gitignore`) exists
            // where the service is deployed: its values are unknown here, not an error.
            Err(LoadError::Missing(_)) if super::ignored_by_git(&self.asm.root_dir, &path) => {
                Val::External
            }
            Err(LoadError::Missing(msg)) => {
                self.asm.issue(
                    "TM011",
                    span,
                    Some(at),
                    format!("`${{file({file})}}` cannot be included: {msg}"),
                );
                Val::Unknown
            }
            Err(LoadError::Outside) => {
                self.asm.issue(
                    "TM011",
                    span,
                    Some(at),
                    format!("`${{file({file})}}` lies outside the repository: it is not read"),
                );
                Val::Unknown
            }
        }
    }

    /// Resolves an included file's variables once; an include cycle is reported at the include.
    fn resolve_subtree_guarded(
        &mut self,
        root: NodeId,
        span: Span,
        at: NodeId,
        file: &str,
    ) -> Option<NodeId> {
        if self.in_progress.contains(&root) {
            self.asm.issue(
                "TM011",
                span,
                Some(at),
                format!(
                    "`${{file({file})}}` includes a file that includes it again (an include cycle)"
                ),
            );
            return None;
        }
        self.in_progress.insert(root);
        let r = self.resolve_subtree(root);
        self.in_progress.remove(&root);
        Some(r)
    }

    /// Where a whole-value variable that is being resolved points, without resolving it:
    /// `${self:path}` or `${file(x)[:path]}` (first source only); itself otherwise.
    fn peek(&mut self, id: NodeId, depth: usize) -> NodeId {
        let id = self.asm.tree.deref(id);
        let Some(text) = self.asm.tree.str(id).map(str::to_string) else {
            return id;
        };
        let exprs = expressions(&text);
        if depth > 8 || exprs.len() != 1 || exprs[0] != (0, text.len()) {
            return id;
        }
        let inner = &text[2..text.len() - 1];
        let Some(first) = sources(inner).first().map(|s| s.to_string()) else {
            return id;
        };
        let (start, path) = if let Some(p) = first.strip_prefix("self:") {
            (self.service, p.to_string())
        } else if let Some(rest) = first.strip_prefix("file(") {
            let Some(close) = rest.find(')') else {
                return id;
            };
            let file = rest[..close].trim().trim_matches(['\'', '"']);
            let key = rest[close + 1..].strip_prefix(':').unwrap_or_default();
            let p = self.service_dir.join(file);
            match self.asm.load(&p, true) {
                Ok(Some(root)) => (root, key.trim().to_string()),
                _ => return id,
            }
        } else {
            return id;
        };
        let mut node = start;
        for seg in path.split('.').filter(|s| !s.is_empty()) {
            let n = self.peek(node, depth + 1);
            match child(&self.asm.tree, n, seg) {
                Some(x) => node = x,
                None => return id,
            }
        }
        node
    }

    /// Follows a dotted path from `from`, resolving each step's variables first.
    fn lookup(&mut self, from: NodeId, path: &str) -> Val {
        let mut node = from;
        for seg in path.split('.').filter(|s| !s.is_empty()) {
            node = if self.in_progress.contains(&self.asm.tree.deref(node)) {
                // Being resolved further up (`provider: ${file(p.yml):provider}` whose
                // `stage` reads `${self:provider.stage}`): look through it without resolving.
                self.peek(node, 0)
            } else {
                self.resolve_node(node)
            };
            match child(&self.asm.tree, node, seg) {
                Some(n) => node = n,
                None => return Val::Unknown,
            }
        }
        let node = self.resolve_subtree(node);
        if self
            .asm
            .tree
            .scalar(node)
            .is_some_and(|(t, _)| t.contains("${"))
        {
            return Val::Unknown;
        }
        Val::Node(node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_nest() {
        let s = "a-${self:custom.${opt:stage}}-${sls:stage}";
        assert_eq!(expressions(s), vec![(2, 29), (30, 42)]);
        assert_eq!(sources("opt:stage, 'dev'"), vec!["opt:stage", "'dev'"]);
        assert_eq!(sources("file(a,b):x, env:Y"), vec!["file(a,b):x", "env:Y"]);
        assert!(is_framework_variable("self:custom.x"));
        assert!(!is_framework_variable("AWS::Region"));
        assert!(!is_framework_variable("UserPool.Arn"));
    }
}
