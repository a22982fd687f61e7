//! Fixes (`--fix`, `--diff`, `--unsafe-fixes`; CLI.md, *Fixes*): text edits at a finding's
//! place that keep the rest of the file byte for byte.
//!
//! Fixes are computed in a pass of their own, from a file's text and its findings: the file is
//! parsed again, the node at each fixable finding's span is looked up, and the edit is made in
//! the style of the text around it (block or flow YAML, JSON, the indentation of the siblings,
//! the file's quotes and line breaks). Safe fixes keep what the deployed stack does; unsafe
//! ones change it and their description says how. [`fixes_for`] is what the language server
//! offers as code actions; [`run`] applies them to files (or shows them as a diff).

mod edit;
mod trust;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::FileReport;
use crate::rules::{Finding, FixHint};
use crate::template::parse::{self, Limits};
use crate::template::{Kind, NodeId, Span, Style, Tree};

pub use edit::apply_checked;

/// One change of the text: the bytes `start..end` become `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub replacement: String,
}

/// The fix of one finding.
#[derive(Clone, Debug)]
pub struct Fix {
    pub rule: &'static str,
    /// The index of the finding in the slice given to [`fixes_for`].
    pub finding: usize,
    /// The finding's span (what a code action is attached to).
    pub span: Span,
    pub edits: Vec<Edit>,
    /// Safe: the deployed stack does the same. Unsafe: it changes, as `description` says.
    pub safe: bool,
    pub description: String,
}

/// The parsed text and what the fixes look up in it.
struct Doc<'a> {
    text: &'a str,
    tree: Tree,
    /// Node by its span, and by the span of the key it sits under (the first of equal spans:
    /// the outermost node).
    by_span: HashMap<Span, NodeId>,
    by_key: HashMap<Span, NodeId>,
    /// `'` or `"`: the quote the file's quoted YAML scalars use most (what a fix writes).
    quote: char,
    /// How the file writes the conditions a trust fix adds (read from the text once, when
    /// first asked).
    layout: std::cell::OnceCell<trust::Layout>,
}

impl<'a> Doc<'a> {
    fn new(text: &'a str, limits: &Limits) -> Option<Doc<'a>> {
        let parsed = parse::parse(text, limits);
        if parsed.fatal.is_some() || parsed.root.is_none() {
            return None;
        }
        let tree = parsed.tree;
        let mut by_span = HashMap::new();
        let mut by_key = HashMap::new();
        let (mut single, mut double) = (0usize, 0usize);
        for i in 0..tree.len() {
            let id = NodeId(u32::try_from(i).unwrap_or(u32::MAX));
            let node = tree.node(id);
            by_span.entry(node.span).or_insert(id);
            if let Some(k) = tree.key_span(id) {
                by_key.entry(k).or_insert(id);
            }
            if let Kind::Scalar {
                style: Style::Quoted,
                ..
            } = node.kind
            {
                match text.as_bytes().get(node.span.start as usize) {
                    Some(b'\'') => single += 1,
                    Some(b'"') => double += 1,
                    _ => {}
                }
            }
        }
        Some(Doc {
            text,
            tree,
            by_span,
            by_key,
            quote: if double > single { '"' } else { '\'' },
            layout: std::cell::OnceCell::new(),
        })
    }

    fn slice(&self, span: Span) -> &'a str {
        self.text.get(span.range()).unwrap_or_default()
    }

    /// The key a node sits under in its parent mapping.
    fn key_of(&self, id: NodeId) -> Option<&str> {
        let node = self.tree.node(id);
        if node.parent == id {
            return None;
        }
        match self.tree.kind(node.parent) {
            Kind::Map(entries) => entries.get(node.slot as usize).map(|e| &*e.key),
            _ => None,
        }
    }

    /// A scalar written at exactly this span (no alias, no intrinsic).
    fn scalar_at(&self, span: Span) -> Option<(NodeId, &str, Style)> {
        let id = *self.by_span.get(&span)?;
        match &self.tree.node(id).kind {
            Kind::Scalar { text, style } => Some((id, text, *style)),
            _ => None,
        }
    }

    /// A scalar value in the file's style: `text` quoted like `like` (a quoted or JSON
    /// scalar's text), else as written.
    fn requote(&self, like: &str, text: &str) -> String {
        match like.chars().next() {
            Some(q @ ('\'' | '"')) => format!("{q}{text}{q}"),
            _ => text.to_string(),
        }
    }

    /// The line break the file uses.
    fn newline(&self) -> &'static str {
        if self.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// Whether the map's keys are written as JSON strings.
    fn json_keys(&self, map: NodeId) -> bool {
        self.tree
            .entries(map)
            .and_then(|e| e.first())
            .is_some_and(|e| self.slice(e.key_span).starts_with('"'))
    }

    fn flow(&self, map: NodeId) -> bool {
        self.slice(self.tree.span(map)).starts_with('{')
    }

    fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1)
    }

    /// An entry added before a map's first key, its indentation matched: `key: yaml` (or
    /// `"key": json` where the keys are JSON strings) on a line of its own in a block or a
    /// multi-line flow mapping, else before the first key followed by `, `. `None` for an
    /// empty map, a key already there, or a first key that is not where a key can be added.
    fn insert_entry(&self, map: NodeId, key: &str, yaml: &str, json: &str) -> Option<Edit> {
        let entries = self.tree.entries(map)?;
        if entries.iter().any(|e| &*e.key == key)
            || matches!(self.tree.node(map).kind, Kind::Alias(_))
        {
            return None;
        }
        let first = entries.first()?;
        let at = first.key_span.start as usize;
        let prefix = &self.text[self.line_start(at)..at];
        let entry = if self.json_keys(map) {
            format!("\"{key}\": {json}")
        } else {
            format!("{key}: {yaml}")
        };
        let nl = self.newline();
        let replacement = if self.flow(map) {
            if prefix.trim().is_empty() {
                format!("{entry},{nl}{prefix}")
            } else {
                format!("{entry}, ")
            }
        } else {
            // A block mapping's first key follows its indentation, or `- ` of a list item.
            if !prefix.chars().all(|c| c == ' ' || c == '-') {
                return None;
            }
            format!("{entry}{nl}{}", " ".repeat(prefix.chars().count()))
        };
        Some(Edit {
            start: at,
            end: at,
            replacement,
        })
    }

    /// Removes the entry `index` of a map that has others: its line in a block mapping (the
    /// entry alone on its lines), the entry and one comma in a flow mapping or JSON.
    fn remove_entry(&self, map: NodeId, index: usize) -> Option<Edit> {
        let entries = self.tree.entries(map)?;
        if entries.len() < 2 {
            return None;
        }
        let e = entries.get(index)?;
        let key = e.key_span.start as usize;
        let value_end = self.tree.span(e.value).end as usize;
        if self.flow(map) {
            return Some(match entries.get(index + 1) {
                Some(next) => Edit {
                    start: key,
                    end: next.key_span.start as usize,
                    replacement: String::new(),
                },
                None => Edit {
                    start: self.tree.span(entries[index - 1].value).end as usize,
                    end: value_end,
                    replacement: String::new(),
                },
            });
        }
        let start = self.line_start(key);
        if !self.text[start..key].chars().all(|c| c == ' ') {
            return None;
        }
        let rest = &self.text[value_end..];
        let eol = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let tail = rest[..eol].trim();
        if !(tail.is_empty() || tail.starts_with('#')) {
            return None;
        }
        let mut end = value_end + eol;
        if rest[eol..].starts_with("\r\n") {
            end += 2;
        } else if eol < rest.len() {
            end += 1;
        }
        Some(Edit {
            start,
            end,
            replacement: String::new(),
        })
    }
}

/// YAML 1.1 booleans whose meaning changes in a string property (TM008): the words the
/// property check reports, never `true`/`false`/`y`/`n`.
fn misread_word(text: &str) -> bool {
    crate::template::tree::YAML11_TRUE
        .iter()
        .chain(crate::template::tree::YAML11_FALSE)
        .any(|w| *w == text)
        && !["true", "false", "y", "n"]
            .iter()
            .any(|w| text.eq_ignore_ascii_case(w))
}

/// The fixes of a file's findings (those that have one), safe and unsafe, in the findings'
/// order. `text` is the file's text, which the findings' spans index.
pub fn fixes_for(text: &str, findings: &[Finding], limits: &Limits) -> Vec<Fix> {
    const FIXABLE: [&str; 8] = [
        "TM008", "PM006", "UC001", "UC003", "UC004", "TR001", "TR004", "TR005",
    ];
    if !findings.iter().any(|f| FIXABLE.contains(&f.rule.id)) {
        return Vec::new();
    }
    let Some(doc) = Doc::new(text, limits) else {
        return Vec::new();
    };
    // A statement with a TR001 and a TR004 fix gets one fix, TR001's, that adds both
    // conditions: two would each add a `Condition`, or insert at the same place.
    let amr_with_aud: HashMap<Span, &'static str> = findings
        .iter()
        .filter_map(|f| match (f.rule.id, &f.fix_hint) {
            ("TR004", Some(FixHint::AmrSlot(amr))) => Some((f.span, *amr)),
            _ => None,
        })
        .filter(|(span, _)| {
            findings.iter().any(|g| {
                g.rule.id == "TR001"
                    && g.span == *span
                    && matches!(g.fix_hint, Some(FixHint::AudPool(_)))
            })
        })
        .collect();
    findings
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let (edits, safe, description) = fix_of(&doc, f, &amr_with_aud)?;
            Some(Fix {
                rule: f.rule.id,
                finding: i,
                span: f.span,
                edits,
                safe,
                description,
            })
        })
        .collect()
}

fn replace(span: Span, replacement: String) -> Edit {
    Edit {
        start: span.start as usize,
        end: span.end as usize,
        replacement,
    }
}

/// A finding's fix: the edits, whether it is safe, what it does.
fn fix_of(
    doc: &Doc<'_>,
    f: &Finding,
    amr_with_aud: &HashMap<Span, &'static str>,
) -> Option<(Vec<Edit>, bool, String)> {
    let tree = &doc.tree;
    match f.rule.id {
        "TR001" | "TR004" => {
            let wanted = match (f.rule.id, f.fix_hint.as_ref()?) {
                ("TR001", FixHint::AudPool(pool)) => trust::Wanted {
                    aud: Some(pool),
                    amr: amr_with_aud.get(&f.span).copied(),
                },
                ("TR004", FixHint::AmrSlot(_)) if amr_with_aud.contains_key(&f.span) => {
                    return None;
                }
                ("TR004", FixHint::AmrSlot(amr)) => trust::Wanted {
                    aud: None,
                    amr: Some(amr),
                },
                _ => return None,
            };
            let edits = doc.add_conditions(f.span, &wanted)?;
            Some((edits, false, wanted.describe()))
        }
        "TM008" => {
            let (_, text, style) = doc.scalar_at(f.span)?;
            if style != Style::Plain || !misread_word(text) || doc.slice(f.span) != text {
                return None;
            }
            let q = doc.quote;
            Some((
                vec![replace(f.span, format!("{q}{text}{q}"))],
                true,
                format!("quote `{text}` so that it stays the string `{text}`"),
            ))
        }
        "PM006" if f.message.starts_with("policy document without `Version`") => {
            // The finding is at the key of the document (or the document itself).
            let map = doc
                .by_key
                .get(&f.span)
                .or_else(|| doc.by_span.get(&f.span))
                .copied()?;
            tree.entries(map)?;
            let q = doc.quote;
            let edit = doc.insert_entry(
                map,
                "Version",
                &format!("{q}2012-10-17{q}"),
                "\"2012-10-17\"",
            )?;
            let vars = f.message.contains("policy variables are not substituted");
            Some(if vars {
                (
                    vec![edit],
                    false,
                    "add `Version: '2012-10-17'`: the document's `${…}` policy variables are substituted from now on, so what it grants changes".to_string(),
                )
            } else {
                (
                    vec![edit],
                    true,
                    "add `Version: '2012-10-17'` (the document has no policy variables: it grants the same)".to_string(),
                )
            })
        }
        "UC001" => {
            let (id, _, _) = doc.scalar_at(f.span)?;
            if doc.key_of(id) != Some("GenerateSecret") {
                return None;
            }
            let written = doc.slice(f.span);
            Some((
                vec![replace(f.span, doc.requote(written, "false"))],
                false,
                "set `GenerateSecret: false`: CloudFormation replaces the client, so its client ID changes (apps must be given the new one), and server-side code that sends the secret stops working".to_string(),
            ))
        }
        "UC003" => {
            if let Some((id, _, _)) = doc.scalar_at(f.span) {
                if doc.key_of(id) != Some("PreventUserExistenceErrors") {
                    return None;
                }
                let written = doc.slice(f.span);
                return Some((
                    vec![replace(f.span, doc.requote(written, "ENABLED"))],
                    false,
                    "set `PreventUserExistenceErrors: ENABLED`: sign-in, confirmation and password-recovery errors for an unknown user become the generic ones, which apps that show \"user not found\" must handle".to_string(),
                ));
            }
            if !f.message.contains("does not set") {
                return None;
            }
            // At the client's logical ID: added to its Properties.
            let client = *doc.by_key.get(&f.span)?;
            let props = tree.get(client, "Properties")?;
            let edit = doc.insert_entry(
                props,
                "PreventUserExistenceErrors",
                "ENABLED",
                "\"ENABLED\"",
            )?;
            Some((
                vec![edit],
                false,
                "add `PreventUserExistenceErrors: ENABLED`: sign-in, confirmation and password-recovery errors for an unknown user become the generic ones, which apps that show \"user not found\" must handle".to_string(),
            ))
        }
        "UC004" => {
            let (id, _, _) = doc.scalar_at(f.span)?;
            if doc.key_of(id) != Some("EnableTokenRevocation") {
                return None;
            }
            let node = tree.node(id);
            let edit = doc.remove_entry(node.parent, node.slot as usize)?;
            Some((
                vec![edit],
                false,
                "remove `EnableTokenRevocation: false`: revocation is on (the default), so signing out revokes refresh tokens; the client is updated in place, and tokens issued before the change cannot be revoked".to_string(),
            ))
        }
        "TR005" if f.message.contains("on the multi-valued amr key") => {
            // At the operator key (`StringEquals`/`StringLike`): renamed when it holds the amr
            // key alone, else the amr entry moves to a `ForAnyValue:StringLike` of its own.
            let ops = *doc.by_key.get(&f.span)?;
            let entries = tree.entries(ops)?;
            let condition = tree.node(ops).parent;
            if tree.get(condition, "ForAnyValue:StringLike").is_some() {
                return None;
            }
            let written = doc.slice(f.span);
            let op = ["StringEquals", "StringLike"]
                .into_iter()
                .find(|op| written.contains(op))?;
            let description = format!(
                "use `ForAnyValue:StringLike` for amr instead of `{op}`: the condition matches when any of the identity's amr values matches, so signed-in users (whose amr carries several values) can assume the role"
            );
            if entries.len() == 1 {
                let start = f.span.start as usize + written.find(op)?;
                return Some((
                    vec![Edit {
                        start,
                        end: start + op.len(),
                        replacement: "ForAnyValue:StringLike".to_string(),
                    }],
                    false,
                    description,
                ));
            }
            let index = entries
                .iter()
                .position(|e| e.key.eq_ignore_ascii_case(crate::policy::AMR_KEY))?;
            let amr = &entries[index];
            let key = doc.slice(amr.key_span);
            let value = doc.slice(tree.span(amr.value));
            if value.contains(['\n', '\r'])
                || !matches!(tree.node(amr.value).kind, Kind::Scalar { .. })
            {
                return None;
            }
            let moved = format!("{{{key}: {value}}}");
            let insert = doc.insert_entry(condition, "ForAnyValue:StringLike", &moved, &moved)?;
            let remove = doc.remove_entry(ops, index)?;
            Some((vec![insert, remove], false, description))
        }
        _ => None,
    }
}

/// What `--fix`/`--diff` do.
#[derive(Clone, Debug)]
pub struct Mode {
    /// Write the fixed files (`--fix`); else only the diff is made.
    pub write: bool,
    pub unsafe_fixes: bool,
    /// The paths of the run: a file reached through a symbolic link is fixed only when the
    /// link's target lies under one of them.
    pub roots: Vec<PathBuf>,
    /// The name standard input is reported under: never written.
    pub stdin_name: Option<String>,
    pub limits: Limits,
    pub quiet: bool,
}

/// What a fix run did.
#[derive(Debug, Default)]
pub struct Run {
    /// The unified diff of every file a fix changes.
    pub diff: String,
    pub files_changed: usize,
    pub fixes: usize,
    /// Unsafe fixes left out (no `--unsafe-fixes`).
    pub unsafe_left: usize,
    /// Lines for standard error: fixes dropped, files not written, the summary.
    pub messages: Vec<String>,
}

/// Computes the fixes of every report and applies them (to the files with `write`, to the
/// diff always). A fix whose result does not parse is dropped and said; a file is written only
/// when a fix changes it, through a temporary file and a rename, and only when it still holds
/// the text that was linted.
pub fn run(reports: &[FileReport], mode: &Mode) -> Run {
    let mut out = Run::default();
    for r in reports.iter().filter(|r| r.skipped.is_none()) {
        let fixes = fixes_for(&r.source, &r.findings, &mode.limits);
        let (chosen, left): (Vec<Fix>, Vec<Fix>) =
            fixes.into_iter().partition(|f| f.safe || mode.unsafe_fixes);
        out.unsafe_left += left.len();
        if chosen.is_empty() {
            continue;
        }
        let stdin = mode.stdin_name.as_deref() == Some(r.path.as_str());
        if stdin && mode.write {
            out.messages.push(format!(
                "{}: standard input is not fixed ({} fixes; --diff shows them)",
                r.path,
                chosen.len()
            ));
            continue;
        }
        // A file that is not the text linted as bytes (UTF-16 or UTF-32, decoded on reading)
        // is never written: neither `--fix` nor `--diff` offers its fixes (the diff would
        // promise a change `--fix` does not make).
        if !stdin {
            if let Some(why) = not_writable(Path::new(&r.path), &r.source) {
                out.messages.push(format!("{}: not fixed: {why}", r.path));
                continue;
            }
        }
        let (text, applied, dropped) = apply_checked(&r.source, &chosen, &mode.limits);
        for f in dropped {
            let at = r.index.line_col(&r.source, f.span.start);
            out.messages.push(format!(
                "{}:{}:{}: the {} fix would leave a file that does not parse: not applied",
                r.path, at.line, at.column, f.rule
            ));
        }
        if text == r.source || applied.is_empty() {
            continue;
        }
        out.diff.push_str(
            &similar::TextDiff::from_lines(r.source.as_str(), text.as_str())
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{}", r.path), &format!("b/{}", r.path))
                .to_string(),
        );
        if mode.write {
            if let Err(e) = write_fixed(Path::new(&r.path), &r.source, &text, &mode.roots) {
                out.messages.push(format!("{}: not fixed: {e}", r.path));
                continue;
            }
        }
        out.files_changed += 1;
        out.fixes += applied.len();
    }
    if mode.write && !mode.quiet && out.fixes > 0 {
        out.messages.push(format!(
            "fixed {} finding{} in {} file{}",
            out.fixes,
            if out.fixes == 1 { "" } else { "s" },
            out.files_changed,
            if out.files_changed == 1 { "" } else { "s" }
        ));
    }
    if out.unsafe_left > 0 && !mode.quiet {
        out.messages.push(format!(
            "{} more fix{} with --unsafe-fixes (they change what the stack does)",
            out.unsafe_left,
            if out.unsafe_left == 1 { "" } else { "es" }
        ));
    }
    out
}

/// Why a file cannot take its fixes: it is stored in UTF-16 or UTF-32 (the lint decoded it), or
/// it no longer holds the text that was linted.
fn not_writable(path: &Path, source: &str) -> Option<String> {
    let now = std::fs::read(path).ok()?;
    if now == source.as_bytes() {
        return None;
    }
    Some(
        if now.starts_with(&[0xFF, 0xFE])
            || now.starts_with(&[0xFE, 0xFF])
            || now.starts_with(&[0, 0, 0xFE, 0xFF])
        {
            "it is stored in UTF-16 or UTF-32; fixes are written to UTF-8 files only".to_string()
        } else {
            "the file changed since it was read".to_string()
        },
    )
}

/// Writes a fixed file: to the file a symbolic link names (the link stays), only when that
/// file lies under one of the run's paths, and only when it still holds `before`.
fn write_fixed(path: &Path, before: &str, after: &str, roots: &[PathBuf]) -> Result<(), String> {
    let real = std::fs::canonicalize(path).map_err(|e| e.to_string())?;
    if real != crate::stack::absolute(path) {
        // A link somewhere on the way: its target must lie in a folder the run walked (or the
        // folder of a file it was given).
        let inside = roots.iter().any(|root| {
            let folder = match std::fs::metadata(root) {
                Ok(m) if m.is_dir() => std::fs::canonicalize(root).ok(),
                _ => root
                    .parent()
                    .map(|p| {
                        if p.as_os_str().is_empty() {
                            Path::new(".")
                        } else {
                            p
                        }
                    })
                    .and_then(|p| std::fs::canonicalize(p).ok()),
            };
            folder.is_some_and(|f| real.starts_with(f))
        });
        if !inside {
            return Err(format!(
                "it is a symbolic link to {}, outside the linted folders",
                real.display()
            ));
        }
    }
    let now = std::fs::read(&real).map_err(|e| e.to_string())?;
    if now != before.as_bytes() {
        return Err("the file changed since it was read (or is not plain UTF-8)".to_string());
    }
    crate::output::write_through_temp(&real, after.as_bytes()).map_err(|e| e.to_string())
}
