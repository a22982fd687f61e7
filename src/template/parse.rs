//! YAML (granit-parser events) and JSON (jsonc-parser AST) into the arena [`Tree`], with the
//! limits of CLI.md enforced where the tree is built.

use foldhash::{HashMap, HashMapExt};

use granit_parser::{Event, ScalarStyle, Span as GSpan};

use super::intrinsic::{self, MAX_BRANCH_DEPTH};
use super::tree::{Entry, Kind, NodeId, Span, Style, Tree};

/// Safety limits; exceeding one is a TM010 finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_file_size: u64,
    pub max_depth: usize,
    /// Budget for walking through aliases, as a multiple of the file's node count.
    pub max_alias_visits: usize,
}

/// The deepest nesting a user may configure; parsers recurse below this.
pub const MAX_DEPTH_CEILING: usize = 4096;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 32 * 1024 * 1024,
            max_depth: 256,
            max_alias_visits: 10,
        }
    }
}

/// Something the parser has to say about the input, as a finding of a TM rule.
#[derive(Clone, Debug)]
pub struct ParseIssue {
    pub rule: &'static str,
    pub span: Span,
    pub node: Option<NodeId>,
    pub message: String,
    pub label: Option<(Span, String)>,
}

impl ParseIssue {
    fn new(rule: &'static str, span: Span, message: impl Into<String>) -> ParseIssue {
        ParseIssue {
            rule,
            span,
            node: None,
            message: message.into(),
            label: None,
        }
    }
}

/// TM002 for `key` written again at `key_span`, where `prev` is where it was written last. When
/// `prev` was itself a repeat (a key written three times or more), its finding no longer holds the
/// kept value: it is reworded, and this one is labelled with the first place instead.
fn duplicate_key(issues: &mut [ParseIssue], key: &str, key_span: Span, prev: Span) -> ParseIssue {
    let mut first = prev;
    let mut repeated = false;
    if let Some(earlier) = issues
        .iter_mut()
        .rev()
        .find(|i| i.rule == "TM002" && i.span == prev)
    {
        earlier.message = format!(
            "duplicate key `{key}`: CloudFormation silently drops this value too: it keeps only the last one, written further down"
        );
        if let Some((f, _)) = &earlier.label {
            first = *f;
        }
        repeated = true;
    }
    let message = if repeated {
        format!(
            "duplicate key `{key}`: CloudFormation keeps only this last value and silently drops the earlier ones"
        )
    } else {
        format!(
            "duplicate key `{key}`: CloudFormation keeps only this last value and silently drops the first"
        )
    };
    let mut issue = ParseIssue::new("TM002", key_span, message);
    issue.label = Some((first, "first defined here".to_string()));
    issue
}

#[derive(Debug)]
pub struct Parsed {
    pub tree: Tree,
    pub root: Option<NodeId>,
    /// Findings that do not stop the analysis (TM002, TM008).
    pub issues: Vec<ParseIssue>,
    /// A finding that stops the analysis of this file (TM001, TM010).
    pub fatal: Option<ParseIssue>,
}

/// Whether the text is JSON (its first significant character opens an object).
pub fn looks_like_json(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
}

/// Whether text that opens an object reads as JSON from its first key on (`{"` or `{}`): when
/// neither JSON nor YAML can read it, its JSON error is the one to show.
fn json_from_first_key(text: &str) -> bool {
    let rest = text.trim_start_matches('\u{feff}').trim_start();
    let rest = rest.strip_prefix('{').unwrap_or(rest).trim_start();
    rest.starts_with('"') || rest.starts_with('}')
}

pub fn parse(text: &str, limits: &Limits) -> Parsed {
    let mut parsed = if looks_like_json(text) {
        let (json, trailing_comma) = read_json(text, limits);
        match &json.fatal {
            // YAML that opens with a flow mapping (`{AWSTemplateFormatVersion: …}`) is not
            // JSON but is a template: read as YAML when JSON cannot read it. When neither can,
            // the error of the one it was written as. A trailing comma in JSON is a JSON typo
            // (CloudFormation: "JSON not well-formed") that YAML would let pass: JSON's error.
            Some(issue) if issue.rule == "TM001" && !trailing_comma => {
                let yaml = parse_yaml(text, limits);
                if yaml.fatal.is_none() || !json_from_first_key(text) {
                    yaml
                } else {
                    json
                }
            }
            _ => json,
        }
    } else {
        parse_yaml(text, limits)
    };
    if parsed.fatal.is_none() && parsed.tree.aliases > 0 {
        if let Some(root) = parsed.root {
            let budget = parsed
                .tree
                .len()
                .saturating_mul(limits.max_alias_visits.max(1));
            if let Err(span) = parsed.tree.walk(root, budget, |_| {}) {
                parsed.fatal = Some(ParseIssue::new(
                    "TM010",
                    span,
                    format!(
                        "walking through YAML aliases visits more than {budget} nodes ({}x the file's {} nodes): alias expansion budget exceeded",
                        limits.max_alias_visits,
                        parsed.tree.len()
                    ),
                ));
            }
        }
    }
    if parsed.fatal.is_none() {
        if let Some(root) = parsed.root {
            if let Some(span) = if_too_deep(text, &parsed.tree, root, limits) {
                parsed.fatal = Some(ParseIssue::new(
                    "TM010",
                    span,
                    format!(
                        "`Fn::If` nested more than {MAX_BRANCH_DEPTH} levels deep in the branches of another `Fn::If`: the file is not analysed"
                    ),
                ));
            }
        }
    }
    parsed
}

/// The key (or `!If` tag) of the first `Fn::If` that sits more than [`MAX_BRANCH_DEPTH`] levels
/// deep in the branches of others: the analysis follows branches that deep only. A walk over
/// the tree (aliases followed, within the alias budget), made only when the text names `If`
/// often enough to nest that deep.
fn if_too_deep(text: &str, tree: &Tree, root: NodeId, limits: &Limits) -> Option<Span> {
    memchr::memmem::find_iter(text.as_bytes(), "If").nth(MAX_BRANCH_DEPTH)?;
    let budget = tree.len().saturating_mul(limits.max_alias_visits.max(1));
    // (node, how many `Fn::If` it is a branch of, one inside the other)
    let mut stack = vec![(root, 0usize)];
    let mut visited = 0usize;
    while let Some((id, depth)) = stack.pop() {
        visited += 1;
        if visited > budget {
            return None;
        }
        let id = tree.deref(id);
        if let Some(("Fn::If", arg, key_span)) = intrinsic::as_intrinsic(tree, id) {
            if let Some(args) = tree.items(arg) {
                let depth = depth + 1;
                if depth > MAX_BRANCH_DEPTH {
                    return Some(key_span);
                }
                for (i, a) in args.iter().enumerate() {
                    stack.push((*a, if (1..=2).contains(&i) { depth } else { 0 }));
                }
                continue;
            }
        }
        match tree.kind(id) {
            Kind::Map(entries) => stack.extend(entries.iter().map(|e| (e.value, 0))),
            Kind::Seq(items) => stack.extend(items.iter().map(|i| (*i, 0))),
            _ => {}
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// YAML

enum FrameKind {
    Seq(Vec<NodeId>),
    Map {
        entries: Vec<Entry>,
        pending: Option<(Box<str>, Span)>,
        index: Option<HashMap<Box<str>, usize>>,
        merges: Vec<(NodeId, Span)>,
    },
}

struct Frame {
    node: NodeId,
    kind: FrameKind,
    anchor: usize,
    tag: Option<(String, Span)>,
    start: usize,
}

struct YamlBuilder<'a> {
    text: &'a str,
    tree: Tree,
    frames: Vec<Frame>,
    anchors: HashMap<usize, NodeId>,
    root: Option<NodeId>,
    issues: Vec<ParseIssue>,
    merge_budget: usize,
    limits: Limits,
}

fn byte_span(text: &str, span: &GSpan) -> Span {
    match span.byte_range() {
        Some(r) => Span::new(r.start.min(text.len()), r.end.min(text.len())),
        None => Span::default(),
    }
}

/// A preprocessor directive (Rain's `!Rain::…` tags and `Rain::` keys), whose output is unknown.
fn is_directive(key: &str) -> bool {
    key.starts_with("Rain::") || key.starts_with("Fn::Rain::")
}

/// The CloudFormation function a short-form tag stands for (`!Ref` → `Ref`, `!Sub` → `Fn::Sub`).
fn intrinsic_for_tag(handle: &str, suffix: &str) -> Option<String> {
    if handle != "!" || suffix.is_empty() {
        return None;
    }
    Some(match suffix {
        "Ref" | "Condition" => suffix.to_string(),
        _ => format!("Fn::{suffix}"),
    })
}

impl<'a> YamlBuilder<'a> {
    /// Moves `end` back over trailing whitespace so block collections end at their last character.
    fn trim_end(&self, start: usize, end: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut e = end.min(bytes.len());
        while e > start && matches!(bytes[e - 1], b' ' | b'\t' | b'\r' | b'\n') {
            e -= 1;
        }
        e
    }

    fn tag_info(
        &self,
        tag: Option<&granit_parser::Tag>,
        span: &GSpan,
    ) -> (Option<(String, Span)>, bool) {
        let Some(tag) = tag else { return (None, false) };
        let tag_span = span
            .tag_span()
            .map(|s| byte_span(self.text, &s))
            .unwrap_or_default();
        if tag.is_yaml_core_schema_tag("str") {
            return (None, true);
        }
        let (handle, suffix) = tag.original_parts();
        (
            intrinsic_for_tag(handle, suffix).map(|name| (name, tag_span)),
            false,
        )
    }

    /// Wraps a node in a one-key mapping when it carried a short-form intrinsic tag.
    fn wrap(&mut self, id: NodeId, tag: Option<(String, Span)>) -> NodeId {
        let Some((name, tag_span)) = tag else {
            return id;
        };
        self.tree.directives |= is_directive(&name);
        let inner = self.tree.span(id);
        let start = if tag_span.is_empty() {
            inner.start
        } else {
            tag_span.start.min(inner.start)
        };
        let span = Span {
            start,
            end: inner.end.max(start),
        };
        let wrapper = self.tree.push(
            Kind::Map(vec![Entry {
                key: name.into(),
                key_span: tag_span,
                value: id,
            }]),
            span,
        );
        self.tree.adopt(wrapper, 0, id);
        wrapper
    }

    fn attach(&mut self, id: NodeId) {
        let Some(frame) = self.frames.last_mut() else {
            if self.root.is_none() {
                self.root = Some(id);
            }
            return;
        };
        let parent = frame.node;
        match &mut frame.kind {
            FrameKind::Seq(items) => {
                let slot = items.len();
                items.push(id);
                self.tree.adopt(parent, slot, id);
            }
            FrameKind::Map {
                entries,
                pending,
                index,
                merges,
            } => match pending.take() {
                None => {
                    // A non-scalar key: keep a readable placeholder.
                    let key: Box<str> = match self.tree.scalar(id) {
                        Some((t, _)) => t.into(),
                        None => "<complex key>".into(),
                    };
                    *pending = Some((key, self.tree.span(id)));
                }
                Some((key, key_span)) => {
                    if &*key == "<<" {
                        merges.push((id, key_span));
                        return;
                    }
                    self.tree.directives |= is_directive(&key);
                    let existing = match index {
                        Some(ix) => ix.get(&key).copied(),
                        None => entries.iter().position(|e| e.key == key),
                    };
                    if let Some(slot) = existing {
                        let prev = entries[slot].key_span;
                        let mut issue = duplicate_key(&mut self.issues, &key, key_span, prev);
                        issue.node = Some(id);
                        self.issues.push(issue);
                        entries[slot].value = id;
                        entries[slot].key_span = key_span;
                        self.tree.adopt(parent, slot, id);
                    } else {
                        let slot = entries.len();
                        if let Some(ix) = index {
                            ix.insert(key.clone(), slot);
                        } else if slot >= 16 {
                            let mut ix: HashMap<Box<str>, usize> = entries
                                .iter()
                                .enumerate()
                                .map(|(i, e)| (e.key.clone(), i))
                                .collect();
                            ix.insert(key.clone(), slot);
                            *index = Some(ix);
                        }
                        entries.push(Entry {
                            key,
                            key_span,
                            value: id,
                        });
                        self.tree.adopt(parent, slot, id);
                    }
                }
            },
        }
    }

    fn push_scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&granit_parser::Tag>,
        span: &GSpan,
    ) {
        let mut sp = byte_span(self.text, span);
        if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            // The parser's span runs over the trailing line breaks to the next key's line: a
            // block scalar ends at its last content character.
            sp = Span::new(
                sp.start as usize,
                self.trim_end(sp.start as usize, sp.end as usize),
            );
        }
        let (intrinsic, forced_str) = self.tag_info(tag, span);
        let style = match style {
            _ if forced_str => Style::Quoted,
            ScalarStyle::Plain => Style::Plain,
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Style::Quoted,
            _ => Style::Block,
        };
        // Fast path: a plain key does not need a node of its own.
        if intrinsic.is_none() && anchor == 0 {
            if let Some(Frame {
                kind:
                    FrameKind::Map {
                        pending: pending @ None,
                        ..
                    },
                ..
            }) = self.frames.last_mut()
            {
                *pending = Some((text.into(), sp));
                return;
            }
        }
        let id = self.tree.push(
            Kind::Scalar {
                text: text.into(),
                style,
            },
            sp,
        );
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
        let id = self.wrap(id, intrinsic);
        self.attach(id);
    }

    fn start(
        &mut self,
        map: bool,
        anchor: usize,
        tag: Option<&granit_parser::Tag>,
        span: &GSpan,
    ) -> Result<(), ParseIssue> {
        let sp = byte_span(self.text, span);
        if self.frames.len() >= self.limits.max_depth {
            return Err(ParseIssue::new(
                "TM010",
                sp,
                format!(
                    "nesting deeper than {} levels (max-depth): the file is not analysed",
                    self.limits.max_depth
                ),
            ));
        }
        let (intrinsic, _) = self.tag_info(tag, span);
        let start = intrinsic.as_ref().map_or(sp.start as usize, |(_, t)| {
            (t.start as usize).min(sp.start as usize)
        });
        let node = self.tree.push(
            if map {
                Kind::Map(Vec::new())
            } else {
                Kind::Seq(Vec::new())
            },
            sp,
        );
        let kind = if map {
            FrameKind::Map {
                entries: Vec::new(),
                pending: None,
                index: None,
                merges: Vec::new(),
            }
        } else {
            FrameKind::Seq(Vec::new())
        };
        self.frames.push(Frame {
            node,
            kind,
            anchor,
            tag: intrinsic,
            start,
        });
        Ok(())
    }

    fn end(&mut self, span: &GSpan) -> Result<(), ParseIssue> {
        let Some(frame) = self.frames.pop() else {
            return Ok(());
        };
        let end_sp = byte_span(self.text, span);
        let end = self.trim_end(frame.start, end_sp.end as usize);
        let kind = match frame.kind {
            FrameKind::Seq(items) => Kind::Seq(items),
            FrameKind::Map {
                mut entries,
                pending,
                merges,
                index,
            } => {
                if let Some((key, key_span)) = pending {
                    // A key without value (`{a}` in flow style): YAML reads a null value.
                    let id = self.tree.push(
                        Kind::Scalar {
                            text: "".into(),
                            style: Style::Plain,
                        },
                        key_span,
                    );
                    let slot = entries.len();
                    entries.push(Entry {
                        key,
                        key_span,
                        value: id,
                    });
                    self.tree.adopt(frame.node, slot, id);
                }
                self.merge(&mut entries, index, &merges)?;
                Kind::Map(entries)
            }
        };
        self.tree.set_kind(frame.node, kind);
        self.tree.set_span(frame.node, Span::new(frame.start, end));
        if frame.anchor != 0 {
            self.anchors.insert(frame.anchor, frame.node);
        }
        let id = self.wrap(frame.node, frame.tag);
        self.attach(id);
        Ok(())
    }

    /// `<<: *base` and `<<: [*a, *b]`: keys of the merged mappings that the mapping does not set
    /// itself are added as entries that share the anchored values (nothing is copied).
    fn merge(
        &mut self,
        entries: &mut Vec<Entry>,
        index: Option<HashMap<Box<str>, usize>>,
        merges: &[(NodeId, Span)],
    ) -> Result<(), ParseIssue> {
        if merges.is_empty() {
            return Ok(());
        }
        let mut present: std::collections::HashSet<Box<str>> = match index {
            Some(ix) => ix.into_keys().collect(),
            None => entries.iter().map(|e| e.key.clone()).collect(),
        };
        for &(value, key_span) in merges {
            let sources: Vec<NodeId> = match self.tree.kind(value) {
                Kind::Seq(items) => items.clone(),
                _ => vec![value],
            };
            for src in sources {
                let Some(src_entries) = self.tree.entries(src) else {
                    self.issues.push(ParseIssue::new(
                        "TM001",
                        key_span,
                        "`<<` merge key whose value is not a mapping",
                    ));
                    continue;
                };
                let src_entries = src_entries.to_vec();
                if src_entries.len() > self.merge_budget {
                    return Err(ParseIssue::new(
                        "TM010",
                        key_span,
                        "`<<` merge keys copy more entries than the alias expansion budget allows",
                    ));
                }
                self.merge_budget -= src_entries.len();
                for e in src_entries {
                    if present.insert(e.key.clone()) {
                        entries.push(e);
                    }
                }
            }
        }
        Ok(())
    }
}

fn scan_error(text: &str, err: &granit_parser::ScanError) -> ParseIssue {
    let marker = err.marker();
    let offset = marker.byte_offset().unwrap_or_else(|| {
        // Fall back to the character index.
        text.char_indices()
            .nth(marker.index())
            .map_or(text.len(), |(i, _)| i)
    });
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let rule = if matches!(err.kind(), granit_parser::ErrorKind::RecursionLimitExceeded) {
        "TM010"
    } else {
        "TM001"
    };
    let msg = err.info();
    let msg = if rule == "TM010" {
        format!("nesting too deep ({msg}): the file is not analysed")
    } else {
        format!("YAML syntax error: {msg}")
    };
    // One character wide where there is one, so the report underlines it.
    let end = text[offset..]
        .chars()
        .next()
        .map_or(offset, |c| offset + c.len_utf8());
    ParseIssue::new(rule, Span::new(offset, end), msg)
}

pub fn parse_yaml(text: &str, limits: &Limits) -> Parsed {
    let mut options = granit_parser::Options::default();
    // The parser's own limits sit above ours, so that our depth check (which counts flow and
    // block collections together) reports the first node that is too deep.
    options.flow_nesting_limit = limits.max_depth.saturating_mul(2) + 8;
    options.block_nesting_limit = limits.max_depth.saturating_mul(2) + 8;
    let mut b = YamlBuilder {
        text,
        tree: Tree::default(),
        frames: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        issues: Vec::new(),
        merge_budget: text.len().saturating_mul(limits.max_alias_visits.max(1)),
        limits: *limits,
    };
    let mut fatal = None;
    let mut documents = 0usize;
    // The first document, kept while later ones are read in search of the template: (root,
    // its findings, where the second document starts).
    let mut first: Option<(Option<NodeId>, Vec<ParseIssue>, Span)> = None;
    // Where the document being read starts; whether a later document was noted (TM008).
    let mut doc_start = Span::default();
    let mut noted = false;
    for item in granit_parser::Parser::new_from_str_with_options(text, options) {
        let (event, span) = match item {
            Ok(pair) => pair,
            Err(err) => {
                fatal = Some(scan_error(text, &err));
                break;
            }
        };
        let result = match event {
            Event::DocumentStart(..) => {
                documents += 1;
                let at = byte_span(text, &span);
                if documents > 1 && b.root.is_some_and(|r| looks_like_template(&b.tree, r)) {
                    noted = true;
                    b.issues.push(ParseIssue::new(
                        "TM008",
                        at,
                        if documents == 2 {
                            "the file holds more than one YAML document: CloudFormation reads one template per file; only the first document is linted".to_string()
                        } else {
                            format!("the file holds more than one YAML document: CloudFormation reads one template per file; only document {} (the first that is a template) is linted", documents - 1)
                        },
                    ));
                    break;
                }
                if documents > 1 {
                    // The document before is no template (empty, comments only, other data):
                    // the template may come next. Its findings go with it.
                    let issues = std::mem::take(&mut b.issues);
                    if first.is_none() {
                        first = Some((b.root, issues, at));
                    }
                    b.root = None;
                    b.anchors.clear();
                }
                doc_start = at;
                Ok(())
            }
            Event::Scalar(value, style, anchor, tag) => {
                b.push_scalar(&value, style, anchor, tag.as_deref(), &span);
                Ok(())
            }
            Event::SequenceStart(_, anchor, tag) => b.start(false, anchor, tag.as_deref(), &span),
            Event::MappingStart(_, anchor, tag) => b.start(true, anchor, tag.as_deref(), &span),
            Event::SequenceEnd | Event::MappingEnd => b.end(&span),
            Event::Alias(anchor) => {
                let sp = byte_span(text, &span);
                match b.anchors.get(&anchor).copied() {
                    Some(target) => {
                        let id = b.tree.push(Kind::Alias(target), sp);
                        let mut issue = ParseIssue::new(
                            "TM008",
                            sp,
                            "YAML alias: CloudFormation rejects aliases unless `aws cloudformation package` or `sam` expands them first",
                        );
                        // The finding takes the resource and JSON pointer of where it is written.
                        issue.node = Some(id);
                        b.issues.push(issue);
                        b.attach(id);
                        Ok(())
                    }
                    None => Err(ParseIssue::new(
                        "TM001",
                        sp,
                        "alias to an anchor whose node is not complete (a recursive alias)",
                    )),
                }
            }
            _ => Ok(()),
        };
        if let Err(issue) = result {
            fatal = Some(issue);
            break;
        }
    }
    let (mut root, mut issues) = (b.root, b.issues);
    if let Some((first_root, first_issues, second)) = first {
        if noted {
            // Said when the document after the template was met.
        } else if fatal.is_none() && root.is_some_and(|r| looks_like_template(&b.tree, r)) {
            // The template is a later document: said, and linted.
            let nth = documents;
            issues.insert(
                0,
                ParseIssue::new(
                    "TM008",
                    doc_start,
                    format!("the file holds more than one YAML document: CloudFormation reads one template per file; the documents before document {nth} are not templates, only document {nth} is linted"),
                ),
            );
        } else if fatal.is_none() {
            // No document is a template: the first is read, as CloudFormation would.
            root = first_root;
            issues = first_issues;
            issues.push(ParseIssue::new(
                "TM008",
                second,
                "the file holds more than one YAML document: CloudFormation reads one template per file; only the first document is linted",
            ));
        }
    }
    Parsed {
        tree: b.tree,
        root,
        issues,
        fatal,
    }
}

/// A mapping with `Resources` or `AWSTemplateFormatVersion` (as `Template::from_tree` asks).
fn looks_like_template(tree: &Tree, root: NodeId) -> bool {
    tree.entries(root).is_some()
        && (tree.get(root, "Resources").is_some()
            || tree.get(root, "AWSTemplateFormatVersion").is_some())
}

// ---------------------------------------------------------------------------------------------
// JSON

/// How deep brackets nest (outside strings), in one pass: the first place where they nest
/// deeper than `max` (the scan stops there), and the deepest level reached.
fn json_depth(text: &str, max: usize) -> (Option<usize>, usize) {
    let bytes = text.as_bytes();
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            // A string: skip to its closing quote (escapes jumped over).
            b'"' => {
                let mut j = i + 1;
                loop {
                    match bytes.get(j..).and_then(|r| memchr::memchr2(b'"', b'\\', r)) {
                        Some(k) if bytes[j + k] == b'"' => {
                            j += k;
                            break;
                        }
                        Some(k) => j += k + 2,
                        None => {
                            j = bytes.len();
                            break;
                        }
                    }
                }
                i = j;
            }
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
                if depth > max {
                    return (Some(i), deepest);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    (None, deepest)
}

/// How deep the JSON reader (jsonc-parser) nests; deeper JSON is read by the YAML reader.
const JSON_READER_DEPTH: usize = 512;

/// `text` with every lone UTF-16 surrogate escape of its strings (`\ud800` not followed by a
/// low surrogate, or a low one alone) written `\ufffd`; `None` when it has none.
fn replace_lone_surrogates(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    // Cheap test first: no `\ud`/`\uD` at all.
    if memchr::memmem::find(bytes, b"\\ud").is_none()
        && memchr::memmem::find(bytes, b"\\uD").is_none()
    {
        return None;
    }
    let unit = |at: usize| -> Option<u32> {
        if bytes.get(at) != Some(&b'\\') || bytes.get(at + 1) != Some(&b'u') {
            return None;
        }
        let hex = text.get(at + 2..at + 6)?;
        u32::from_str_radix(hex, 16).ok()
    };
    let mut lone: Vec<usize> = Vec::new();
    let mut in_str = false;
    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        if !in_str {
            in_str = b == b'"';
            i += 1;
            continue;
        }
        match b {
            b'"' => {
                in_str = false;
                i += 1;
            }
            b'\\' => match unit(i) {
                Some(0xD800..=0xDBFF) => {
                    if unit(i + 6).is_some_and(|l| (0xDC00..=0xDFFF).contains(&l)) {
                        i += 12;
                    } else {
                        lone.push(i + 2);
                        i += 6;
                    }
                }
                Some(0xDC00..=0xDFFF) => {
                    lone.push(i + 2);
                    i += 6;
                }
                Some(_) => i += 6,
                None => i += 2,
            },
            _ => i += 1,
        }
    }
    if lone.is_empty() {
        return None;
    }
    let mut out = bytes.to_vec();
    for at in lone {
        out[at..at + 4].copy_from_slice(b"FFFD");
    }
    // ASCII hex digits replaced by ASCII hex digits: still UTF-8.
    String::from_utf8(out).ok()
}

pub fn parse_json(text: &str, limits: &Limits) -> Parsed {
    read_json(text, limits).0
}

/// [`parse_json`], and whether the JSON reader stopped at a trailing comma.
fn read_json(text: &str, limits: &Limits) -> (Parsed, bool) {
    let mut trailing_comma = false;
    let mut parsed = Parsed {
        tree: Tree::default(),
        root: None,
        issues: Vec::new(),
        fatal: None,
    };
    let max = limits.max_depth.min(MAX_DEPTH_CEILING);
    let (too_deep, deepest) = json_depth(text, max);
    if let Some(at) = too_deep {
        parsed.fatal = Some(ParseIssue::new(
            "TM010",
            Span::new(at, at + 1),
            format!("nesting deeper than {max} levels (max-depth): the file is not analysed"),
        ));
        return (parsed, false);
    }
    if deepest > JSON_READER_DEPTH {
        // Deeper than the JSON reader goes, within a max-depth raised past it: JSON is YAML,
        // and the YAML reader goes as deep as max-depth.
        return (parse_yaml(text, limits), false);
    }
    // A lone surrogate escape (`"\ud800"`) is grammatical JSON that the JSON reader rejects:
    // read as U+FFFD, written in the same six bytes so every offset holds.
    let replaced = replace_lone_surrogates(text);
    let text = replaced.as_deref().unwrap_or(text);
    // A BOM is not JSON, but editors write it; skip it and keep offsets into the original text.
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = &text[bom..];
    let options = jsonc_parser::ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    match jsonc_parser::parse_to_ast(body, &jsonc_parser::CollectOptions::default(), &options) {
        Err(err) => {
            trailing_comma = matches!(
                err.kind(),
                jsonc_parser::errors::ParseErrorKind::TrailingCommasNotAllowed
            );
            let r = err.range();
            parsed.fatal = Some(ParseIssue::new(
                "TM001",
                Span::new(r.start + bom, r.end + bom),
                format!("JSON syntax error: {}", err.kind()),
            ));
        }
        Ok(result) => {
            if let Some(value) = result.value {
                let mut issues = Vec::new();
                let root = convert_json(&mut parsed.tree, &value, bom, &mut issues);
                parsed.root = Some(root);
                parsed.issues = issues;
            }
        }
    }
    (parsed, trailing_comma)
}

fn convert_json(
    tree: &mut Tree,
    value: &jsonc_parser::ast::Value<'_>,
    off: usize,
    issues: &mut Vec<ParseIssue>,
) -> NodeId {
    use jsonc_parser::ast::{ObjectPropName, Value};
    let span = |r: jsonc_parser::common::Range| Span::new(r.start + off, r.end + off);
    match value {
        Value::StringLit(s) => tree.push(
            Kind::Scalar {
                text: s.value.as_ref().into(),
                style: Style::JsonString,
            },
            span(s.range),
        ),
        Value::NumberLit(n) => tree.push(
            Kind::Scalar {
                text: n.value.into(),
                style: Style::JsonLiteral,
            },
            span(n.range),
        ),
        Value::BooleanLit(b) => tree.push(
            Kind::Scalar {
                text: if b.value {
                    "true".into()
                } else {
                    "false".into()
                },
                style: Style::JsonLiteral,
            },
            span(b.range),
        ),
        Value::NullKeyword(n) => tree.push(
            Kind::Scalar {
                text: "null".into(),
                style: Style::JsonLiteral,
            },
            span(n.range),
        ),
        Value::Array(a) => {
            let id = tree.push(Kind::Seq(Vec::new()), span(a.range));
            let items: Vec<NodeId> = a
                .elements
                .iter()
                .map(|v| convert_json(tree, v, off, issues))
                .collect();
            for (slot, child) in items.iter().enumerate() {
                tree.adopt(id, slot, *child);
            }
            tree.set_kind(id, Kind::Seq(items));
            id
        }
        Value::Object(o) => {
            let id = tree.push(Kind::Map(Vec::new()), span(o.range));
            let mut entries: Vec<Entry> = Vec::with_capacity(o.properties.len());
            let mut index: HashMap<Box<str>, usize> = HashMap::new();
            for prop in &o.properties {
                let (key, key_range) = match &prop.name {
                    ObjectPropName::String(s) => (s.value.as_ref(), s.range),
                    ObjectPropName::Word(w) => (w.value, w.range),
                };
                let key_span = span(key_range);
                let child = convert_json(tree, &prop.value, off, issues);
                if let Some(&slot) = index.get(key) {
                    let mut issue = duplicate_key(issues, key, key_span, entries[slot].key_span);
                    issue.node = Some(child);
                    issues.push(issue);
                    entries[slot].value = child;
                    entries[slot].key_span = key_span;
                    tree.adopt(id, slot, child);
                } else {
                    tree.directives |= is_directive(key);
                    let slot = entries.len();
                    index.insert(key.into(), slot);
                    entries.push(Entry {
                        key: key.into(),
                        key_span,
                        value: child,
                    });
                    tree.adopt(id, slot, child);
                }
            }
            tree.set_kind(id, Kind::Map(entries));
            id
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of the first value of a one-key mapping or a list.
    fn first_value(text: &str) -> String {
        let p = parse_yaml(text, &Limits::default());
        let Some(root) = p.root else {
            return String::new();
        };
        let v = p
            .tree
            .entries(root)
            .map(|e| e[0].value)
            .or_else(|| p.tree.items(root).map(|i| i[0]))
            .unwrap_or(root);
        text[p.tree.span(v).range()].to_string()
    }

    /// (line, message, line of the label) of each TM002, in order.
    fn duplicates(p: &Parsed, text: &str) -> Vec<(usize, String, usize)> {
        let line = |s: Span| text[..s.range().start].matches('\n').count() + 1;
        p.issues
            .iter()
            .filter(|i| i.rule == "TM002")
            .map(|i| {
                let label = i.label.as_ref().map_or(0, |(s, _)| line(*s));
                (line(i.span), i.message.clone(), label)
            })
            .collect()
    }

    #[test]
    fn a_key_written_three_times_drops_the_middle_value_too() {
        let too = "CloudFormation silently drops this value too: it keeps only the last one, written further down";
        let last = "CloudFormation keeps only this last value and silently drops the earlier ones";
        let pair = "CloudFormation keeps only this last value and silently drops the first";
        let yaml = "A: 1\nB: 1\nA: 2\nB: 2\nA: 3\n";
        let json = "{\"A\": 1,\n\"B\": 1,\n\"A\": 2,\n\"B\": 2,\n\"A\": 3}";
        for (text, p) in [
            (yaml, parse_yaml(yaml, &Limits::default())),
            (json, parse_json(json, &Limits::default())),
        ] {
            assert_eq!(
                duplicates(&p, text),
                vec![
                    (3, format!("duplicate key `A`: {too}"), 1),
                    (4, format!("duplicate key `B`: {pair}"), 2),
                    (5, format!("duplicate key `A`: {last}"), 1),
                ],
                "{text}"
            );
        }
    }

    #[test]
    fn block_scalars_end_at_their_last_content_character() {
        for (text, span) in [
            ("a: |\n  line1\n  line2\n\nb: 1\n", "line1\n  line2"),
            ("a: |\n  text\n# comment\nb: 1\n", "text"),
            (
                "a: >-\n  folded\n    more\n\n  # c\nb: 1\n",
                "folded\n    more\n\n  # c",
            ),
            ("a: |+\n  keep\n\n\nb: 1\n", "keep"),
            ("- |\r\n  x\r\n- y\r\n", "x"),
            ("a: |\n  x", "x"),
            ("a: |\n  x  \n  \nb: 1", "x"),
            ("a: !Sub |\n  ${X}\n\nb: 1", "!Sub |\n  ${X}"),
        ] {
            assert_eq!(first_value(text), span, "{text:?}");
        }
    }
}
