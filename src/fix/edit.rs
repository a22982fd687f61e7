//! Applying edits to a text, each fix checked by parsing the result.

use super::{Edit, Fix};
use crate::template::parse::{self, Limits};

/// The text with the edits made (they must not overlap).
fn splice(text: &str, edits: &[&Edit]) -> Option<String> {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|e| (e.start, e.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0usize;
    for e in sorted {
        if e.start < at || e.end < e.start {
            return None;
        }
        out.push_str(text.get(at..e.start)?);
        out.push_str(&e.replacement);
        at = e.end;
    }
    out.push_str(text.get(at..)?);
    Some(out)
}

/// Whether two edits touch the same text (two insertions at one place do).
fn overlaps(a: &Edit, b: &Edit) -> bool {
    a.start < b.end && b.start < a.end || a.start == b.start
}

fn parses(text: &str, limits: &Limits) -> bool {
    let p = parse::parse(text, limits);
    p.fatal.is_none() && p.root.is_some()
}

/// Applies the fixes one after the other, each kept only when the text still parses with it
/// (a fix that overlaps one already kept waits for the next run). Returns the text, the fixes
/// applied and the fixes dropped because the result would not parse.
pub fn apply_checked<'f>(
    text: &str,
    fixes: &'f [Fix],
    limits: &Limits,
) -> (String, Vec<&'f Fix>, Vec<&'f Fix>) {
    let mut kept: Vec<&Edit> = Vec::new();
    let mut applied = Vec::new();
    let mut dropped = Vec::new();
    let mut current = text.to_string();
    // All at once first: the common case costs one parse.
    let all: Vec<&Edit> = fixes.iter().flat_map(|f| &f.edits).collect();
    let disjoint = all
        .iter()
        .enumerate()
        .all(|(i, a)| all[i + 1..].iter().all(|b| !overlaps(a, b)));
    if disjoint {
        if let Some(t) = splice(text, &all).filter(|t| parses(t, limits)) {
            return (t, fixes.iter().collect(), dropped);
        }
    }
    for f in fixes {
        if f.edits.iter().any(|e| kept.iter().any(|k| overlaps(k, e))) {
            continue;
        }
        let mut candidate = kept.clone();
        candidate.extend(&f.edits);
        match splice(text, &candidate) {
            Some(t) if parses(&t, limits) => {
                kept = candidate;
                current = t;
                applied.push(f);
            }
            _ => dropped.push(f),
        }
    }
    (current, applied, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(start: usize, end: usize, replacement: &str) -> Fix {
        Fix {
            rule: "TM008",
            finding: 0,
            span: crate::template::Span::new(start, end),
            edits: vec![Edit {
                start,
                end,
                replacement: replacement.to_string(),
            }],
            safe: true,
            description: String::new(),
        }
    }

    #[test]
    fn a_fix_that_breaks_the_text_is_dropped_and_the_others_kept() {
        let text = "A: ON\nB: OFF\n";
        let fixes = [fix(3, 5, "'ON'"), fix(9, 12, "'OFF")];
        let (out, applied, dropped) = apply_checked(text, &fixes, &Limits::default());
        assert_eq!(out, "A: 'ON'\nB: OFF\n");
        assert_eq!(applied.len(), 1);
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].span.start, 9);
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_run() {
        let text = "A: ON\n";
        let fixes = [fix(3, 5, "'ON'"), fix(3, 5, "\"ON\"")];
        let (out, applied, dropped) = apply_checked(text, &fixes, &Limits::default());
        assert_eq!(out, "A: 'ON'\n");
        assert_eq!((applied.len(), dropped.len()), (1, 0));
    }
}
