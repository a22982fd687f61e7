//! TR001 and TR004 fixes: the `aud` and `amr` conditions added to a Cognito trust statement.
//! The text alone does not say which identity pool the role is attached to, nor in which slot:
//! the rule says so in the finding's [`FixHint`](crate::rules::FixHint), and without it there
//! is no fix.

use super::{Doc, Edit};
use crate::policy::{AMR_KEY, AUD_KEY};
use crate::template::{Kind, NodeId, Span};

/// A value the fix writes, rendered in the file's style.
pub(super) enum V {
    /// A reference to a logical ID.
    Ref(String),
    Str(String),
    Map(Vec<(String, V)>),
}

/// What is added to one statement.
pub(super) struct Wanted<'h> {
    /// The identity pool to pin `aud` to.
    pub aud: Option<&'h str>,
    /// The amr value.
    pub amr: Option<&'h str>,
}

impl Wanted<'_> {
    /// The conditions as the description shows them.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(pool) = self.aud {
            parts.push(format!("`StringEquals: {{{AUD_KEY}: !Ref {pool}}}`"));
        }
        if let Some(amr) = self.amr {
            parts.push(format!("`ForAnyValue:StringLike: {{{AMR_KEY}: {amr}}}`"));
        }
        let who = match (self.aud, self.amr) {
            (Some(pool), Some("unauthenticated")) => {
                format!("only guest identities of the identity pool `{pool}`")
            }
            (Some(pool), Some(_)) => {
                format!("only signed-in identities of the identity pool `{pool}`")
            }
            (Some(pool), None) => format!("only identities of the identity pool `{pool}`"),
            (None, Some("unauthenticated")) => {
                "only guest identities (signed-in ones no longer)".to_string()
            }
            (None, _) => "only signed-in identities (guests no longer)".to_string(),
        };
        format!(
            "add {} to the trust statement's Condition: {who} can assume the role",
            parts.join(" and ")
        )
    }
}

/// What the text says about how to write an addition: scanned once per file.
pub(super) struct Layout {
    /// Intrinsics are written as short tags (`!Ref`).
    short_tags: bool,
    /// The indentation step: that of the first indented line (2 when there is none).
    indent_step: usize,
}

impl Layout {
    fn of(text: &str) -> Layout {
        let b = text.as_bytes();
        let short_tags = text.match_indices('!').any(|(i, _)| {
            b.get(i + 1).is_some_and(u8::is_ascii_uppercase)
                && (i == 0 || matches!(b[i - 1], b' ' | b'[' | b'{' | b',' | b'\t' | b'\n'))
        });
        let indent_step = text
            .lines()
            .filter(|l| {
                let t = l.trim_start();
                !t.is_empty() && !t.starts_with('#')
            })
            .map(|l| l.len() - l.trim_start_matches(' ').len())
            .find(|&n| n > 0)
            .unwrap_or(2);
        Layout {
            short_tags,
            indent_step,
        }
    }
}

impl Doc<'_> {
    fn layout(&self) -> &Layout {
        self.layout.get_or_init(|| Layout::of(self.text))
    }

    /// Whether the file writes intrinsics as short tags (`!Ref`).
    fn short_tags(&self) -> bool {
        self.layout().short_tags
    }

    /// Whether the file is JSON.
    fn is_json(&self) -> bool {
        self.text.trim_start().starts_with('{')
    }

    /// The indentation step: that of the first indented line (2 when there is none).
    fn indent_step(&self) -> usize {
        self.layout().indent_step
    }

    /// The column of a key: the characters before it on its line, when they are spaces (and
    /// the `- ` of a list item).
    fn column(&self, at: usize) -> Option<usize> {
        let prefix = &self.text[self.line_start(at)..at];
        prefix
            .chars()
            .all(|c| c == ' ' || c == '-')
            .then(|| prefix.chars().count())
    }

    /// The trust statement a TR001/TR004 finding is at: its span is the statement's
    /// `Condition` key, its federated principal, or the statement.
    fn statement_at(&self, span: Span) -> Option<NodeId> {
        let mut id = self
            .by_key
            .get(&span)
            .or_else(|| self.by_span.get(&span))
            .copied()?;
        for _ in 0..4 {
            let is_statement = self.tree.entries(id).is_some_and(|e| {
                e.iter().any(|e| &*e.key == "Effect")
                    && e.iter()
                        .any(|e| matches!(&*e.key, "Principal" | "NotPrincipal"))
            });
            if is_statement {
                return Some(id);
            }
            let parent = self.tree.node(id).parent;
            if parent == id {
                return None;
            }
            id = parent;
        }
        None
    }

    fn key_text(&self, map: NodeId, key: &str) -> String {
        if self.json_keys(map) {
            format!("\"{key}\"")
        } else {
            key.to_string()
        }
    }

    /// A value on one line: flow YAML or JSON.
    fn inline(&self, v: &V) -> String {
        let json = self.is_json();
        match v {
            V::Ref(id) if json => format!("{{\"Ref\": \"{id}\"}}"),
            V::Ref(id) if self.short_tags() => format!("!Ref {id}"),
            V::Ref(id) => format!("{{Ref: {id}}}"),
            V::Str(s) if json => format!("\"{s}\""),
            V::Str(s) => s.clone(),
            V::Map(entries) => {
                let inner: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| {
                        let k = if json { format!("\"{k}\"") } else { k.clone() };
                        format!("{k}: {}", self.inline(v))
                    })
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
        }
    }

    /// A JSON value over several lines, its closing brace at column `col`.
    fn json_pretty(&self, v: &V, col: usize, step: usize) -> String {
        let V::Map(entries) = v else {
            return self.inline(v);
        };
        let nl = self.newline();
        let inner = " ".repeat(col + step);
        let lines: Vec<String> = entries
            .iter()
            .map(|(k, v)| format!("{inner}\"{k}\": {}", self.json_pretty(v, col + step, step)))
            .collect();
        format!(
            "{{{nl}{}{nl}{}}}",
            lines.join(&format!(",{nl}")),
            " ".repeat(col)
        )
    }

    /// What follows `key:` in a block mapping whose keys are at column `col`.
    fn block(&self, v: &V, col: usize, step: usize) -> String {
        let nl = self.newline();
        let inner = " ".repeat(col + step);
        match v {
            V::Ref(id) if !self.short_tags() => format!("{nl}{inner}Ref: {id}"),
            V::Ref(_) | V::Str(_) => format!(" {}", self.inline(v)),
            V::Map(entries) => entries
                .iter()
                .map(|(k, v)| format!("{nl}{inner}{k}:{}", self.block(v, col + step, step)))
                .collect(),
        }
    }

    /// Entries added after a map's last one, in its style: on lines of their own in a block
    /// mapping (after the last entry's line and its comment), after the last value in a flow
    /// mapping or JSON (on a line of their own when the keys are).
    fn append_entries(&self, map: NodeId, new: &[(String, V)]) -> Option<Edit> {
        let entries = self.tree.entries(map)?;
        if matches!(self.tree.node(map).kind, Kind::Alias(_))
            || new
                .iter()
                .any(|(k, _)| entries.iter().any(|e| *e.key == **k))
        {
            return None;
        }
        let first = entries.first()?;
        let last = entries.last()?;
        let value_end = self.tree.span(last.value).end as usize;
        let step = self.indent_step();
        let nl = self.newline();
        let first_key = first.key_span.start as usize;
        if self.flow(map) {
            let prefix = &self.text[self.line_start(first_key)..first_key];
            let own_lines = prefix.trim().is_empty();
            let col = prefix.chars().count();
            let replacement: String = new
                .iter()
                .map(|(k, v)| {
                    let k = self.key_text(map, k);
                    if own_lines {
                        let v = if self.is_json() {
                            self.json_pretty(v, col, step)
                        } else {
                            self.inline(v)
                        };
                        format!(",{nl}{prefix}{k}: {v}")
                    } else {
                        format!(", {k}: {}", self.inline(v))
                    }
                })
                .collect();
            return Some(Edit {
                start: value_end,
                end: value_end,
                replacement,
            });
        }
        let col = self.column(first_key)?;
        let rest = &self.text[value_end..];
        let eol = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let tail = rest[..eol].trim();
        if !(tail.is_empty() || tail.starts_with('#')) {
            return None;
        }
        let replacement: String = new
            .iter()
            .map(|(k, v)| {
                format!(
                    "{nl}{}{}:{}",
                    " ".repeat(col),
                    self.key_text(map, k),
                    self.block(v, col, step)
                )
            })
            .collect();
        Some(Edit {
            start: value_end + eol,
            end: value_end + eol,
            replacement,
        })
    }

    /// The edits that add `wanted` to the statement at `span`: a `Condition` when it has none;
    /// else the operators it lacks, and the keys inside an operator it has.
    pub(super) fn add_conditions(&self, span: Span, wanted: &Wanted<'_>) -> Option<Vec<Edit>> {
        let statement = self.statement_at(span)?;
        let mut clauses: Vec<(&str, &str, V)> = Vec::new();
        if let Some(pool) = wanted.aud {
            clauses.push(("StringEquals", AUD_KEY, V::Ref(pool.to_string())));
        }
        if let Some(amr) = wanted.amr {
            clauses.push(("ForAnyValue:StringLike", AMR_KEY, V::Str(amr.to_string())));
        }
        if clauses.is_empty() {
            return None;
        }
        let Some(condition) = self.tree.get(statement, "Condition") else {
            let value = V::Map(
                clauses
                    .into_iter()
                    .map(|(op, key, v)| (op.to_string(), V::Map(vec![(key.to_string(), v)])))
                    .collect(),
            );
            return Some(vec![
                self.append_entries(statement, &[("Condition".to_string(), value)])?,
            ]);
        };
        if self.tree.entries(condition)?.is_empty() {
            return None;
        }
        let mut edits: Vec<Edit> = Vec::new();
        let mut new_ops: Vec<(String, V)> = Vec::new();
        for (op, key, v) in clauses {
            match self.tree.get(condition, op) {
                Some(ops) => {
                    if self.tree.entries(ops)?.is_empty() {
                        return None;
                    }
                    edits.push(self.append_entries(ops, &[(key.to_string(), v)])?);
                }
                None => new_ops.push((op.to_string(), V::Map(vec![(key.to_string(), v)]))),
            }
        }
        if !new_ops.is_empty() {
            edits.push(self.append_entries(condition, &new_ops)?);
        }
        // Insertions at one place (into the last operator, then after it) are one edit, in
        // that order.
        let mut merged: Vec<Edit> = Vec::new();
        for e in edits {
            match merged
                .iter_mut()
                .find(|m| m.start == e.start && m.end == e.end && e.start == e.end)
            {
                Some(m) => m.replacement.push_str(&e.replacement),
                None => merged.push(e),
            }
        }
        Some(merged)
    }
}
