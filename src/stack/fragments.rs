//! Stacks whose fragments a config names: `stacks: {NAME: {files: [a.yaml, b.yaml]}}`. The
//! fragments' sections are merged into one template; a logical ID (or parameter, condition,
//! output) defined in two fragments is a TM002 at the second definition, which wins, as the
//! last of two duplicate keys does.

use std::path::PathBuf;

use super::{Assembler, LoadError, SECTIONS, Sections, Stack, StackKind, display_path};
use crate::template::parse::Limits;
use crate::template::{Entry, NodeId, Span, Tree};

impl Assembler<'_> {
    /// `path:line` of a stack span, for messages.
    pub fn where_is(&self, span: Span) -> String {
        match super::file_at(&self.files, span).and_then(|i| self.files.get(i)) {
            Some(f) => {
                let at = f.index.line_col(&f.text, span.start.saturating_sub(f.base));
                format!("{}:{}", f.path, at.line)
            }
            None => "another file".to_string(),
        }
    }

    /// Adds the sections of one fragment root; duplicates are TM002 (the later one wins) where
    /// `duplicates_are_findings`, else the later one replaces the earlier silently.
    pub fn merge_fragment(
        &mut self,
        sections: &mut Sections,
        root: NodeId,
        duplicates_are_findings: bool,
    ) {
        let Some(entries) = self.tree.entries(root).map(<[Entry]>::to_vec) else {
            return;
        };
        for e in entries {
            let value = self.tree.deref(e.value);
            match &*e.key {
                "Transform" => {
                    sections.transform.get_or_insert(value);
                }
                "Description" => {
                    sections.description.get_or_insert(value);
                }
                key => {
                    let Some(name) = SECTIONS
                        .iter()
                        .chain(&["Metadata"])
                        .find(|s| **s == key)
                        .copied()
                    else {
                        continue;
                    };
                    let Some(items) = self.tree.entries(value).map(<[Entry]>::to_vec) else {
                        continue;
                    };
                    for item in items {
                        let existing = sections.find(name, &item.key);
                        match existing {
                            Some(i) => {
                                if name == "Metadata" {
                                    continue;
                                }
                                let first = sections
                                    .entry_mut(name, i)
                                    .map(|e| e.key_span)
                                    .unwrap_or_default();
                                // Logical IDs and outputs name one thing each in a stack; a
                                // parameter, condition or mapping that fragments share (each
                                // declares the `Stage` it uses) is one declaration, not a clash.
                                if duplicates_are_findings
                                    && matches!(name, "Resources" | "Outputs")
                                {
                                    let at = self.where_is(first);
                                    let what = match name {
                                        "Resources" => "logical ID",
                                        "Parameters" => "parameter",
                                        "Conditions" => "condition",
                                        "Outputs" => "output",
                                        _ => "name",
                                    };
                                    self.issues.push(crate::template::ParseIssue {
                                        rule: "TM002",
                                        span: item.key_span,
                                        node: Some(item.value),
                                        message: format!(
                                            "{what} `{}` is also defined at {at}: one stack keeps only one definition, so this one replaces it",
                                            item.key
                                        ),
                                        label: Some((first, "first defined here".to_string())),
                                    });
                                }
                                if let Some(e) = sections.entry_mut(name, i) {
                                    *e = item;
                                }
                            }
                            None => sections.push(name, item),
                        }
                    }
                }
            }
        }
    }
}

/// Assembles the fragments of a config stack.
pub fn assemble(cs: &crate::ConfigStack, limits: &Limits, root_dir: PathBuf) -> Stack {
    assemble_with(cs, limits, root_dir, Default::default())
}

/// Like [`assemble`], with texts that replace files on disk (by absolute path).
pub fn assemble_with(
    cs: &crate::ConfigStack,
    limits: &Limits,
    root_dir: PathBuf,
    overrides: foldhash::HashMap<PathBuf, String>,
) -> Stack {
    let name = cs.name.as_str();
    let mut asm = Assembler::new(limits, root_dir);
    asm.overrides = overrides;
    let mut sections = Sections::default();
    let mut notes = vec![format!("stack `{name}` (config fragments)")];
    if !cs.parameters_source.is_empty() {
        notes.push(format!("  parameter values from {}", cs.parameters_source));
    }
    for f in &cs.files {
        notes.push(format!("  file {}", display_path(f)));
        match asm.load(f, false) {
            Ok(Some(root)) => asm.merge_fragment(&mut sections, root, true),
            Ok(None) => {}
            Err(LoadError::Missing(msg)) => notes.push(format!("  cannot read: {msg}")),
            Err(LoadError::Outside) => notes.push(format!(
                "  {} lies outside the repository: not read",
                display_path(f)
            )),
        }
    }
    if !cs.problems.is_empty() {
        // The config is a file of the stack, so its missing fragments are findings there.
        let base = asm.add_file_text(cs.config_display.clone(), cs.config_text.clone());
        for (span, msg) in &cs.problems {
            let at = Span {
                start: span.start + base,
                end: span.end + base,
            };
            asm.issue("TM011", at, None, msg.clone());
        }
    }
    finish(asm, sections, name, StackKind::Fragments, notes)
}

/// The stack of an assembler whose sections are complete.
pub(crate) fn finish(
    mut asm: Assembler<'_>,
    sections: Sections,
    name: &str,
    kind: StackKind,
    notes: Vec<String>,
) -> Stack {
    let span = Span::new(0, 0);
    let has_sections = !sections.sections.is_empty();
    let root = sections.into_root(&mut asm.tree, span);
    let limits = *asm.limits;
    let (tree, files, issues): (Tree, _, _) = asm.into_parts();
    let template = if has_sections {
        super::template_of(tree, root, &limits)
    } else {
        None
    };
    Stack {
        name: name.to_string(),
        kind,
        files,
        template,
        issues,
        notes,
    }
}
