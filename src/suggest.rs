//! "Did you mean": the nearest valid word to a word that is none of them (config keys, rule IDs
//! and names, option values).

/// The candidate nearest to `typed`, compared without case, when it is near enough to be a slip
/// of the keys: at most one edit per three characters typed (and at least one), where an edit
/// inserts, deletes or replaces a character or swaps two neighbours (`ignroe` is one edit from
/// `ignore`); or a candidate that begins with `typed` (three characters or more: `warn`). Ties go
/// to the earlier candidate.
pub fn nearest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed = typed.trim().to_lowercase();
    let len = typed.chars().count();
    if len == 0 {
        return None;
    }
    let limit = (len / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let lower = candidate.to_lowercase();
        let mut distance = strsim::osa_distance(&typed, &lower);
        if distance > limit && len >= 3 && lower.starts_with(&typed) {
            distance = limit;
        }
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// `unknown WHAT `TYPED`` and `where` (` in ignore`, empty), then `: did you mean `X`?` when a
/// candidate is near, else ` (OTHERWISE)` (the valid words, or where to find them) when
/// `otherwise` is not empty.
pub fn unknown<'a>(
    what: &str,
    typed: &str,
    place: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    otherwise: &str,
) -> String {
    let shown = crate::report::escape_controls(typed);
    match nearest(typed, candidates) {
        Some(s) => format!("unknown {what} `{shown}`{place}: did you mean `{s}`?"),
        None if otherwise.is_empty() => format!("unknown {what} `{shown}`{place}"),
        None => format!("unknown {what} `{shown}`{place} ({otherwise})"),
    }
}

#[cfg(test)]
mod tests {
    use super::nearest;

    const KEYS: &[&str] = &["select", "ignore", "severity", "fail-level", "limits"];

    #[test]
    fn near_words_and_far_ones() {
        assert_eq!(nearest("ignroe", KEYS.iter().copied()), Some("ignore"));
        assert_eq!(nearest("IGNORE ", KEYS.iter().copied()), Some("ignore"));
        assert_eq!(
            nearest("failevel", KEYS.iter().copied()),
            Some("fail-level")
        );
        assert_eq!(nearest("selectt", KEYS.iter().copied()), Some("select"));
        assert_eq!(nearest("limit", KEYS.iter().copied()), Some("limits"));
        assert_eq!(nearest("stacks", KEYS.iter().copied()), None);
        assert_eq!(nearest("x", KEYS.iter().copied()), None);
        assert_eq!(nearest("", KEYS.iter().copied()), None);
        // A beginning of three characters or more.
        let levels = ["error", "warning", "info"];
        assert_eq!(nearest("warn", levels), Some("warning"));
        assert_eq!(nearest("err", levels), Some("error"));
        assert_eq!(nearest("wa", levels), None);
        assert_eq!(nearest("loud", levels), None);
        // Ties go to the earlier candidate; a nearer later one wins.
        assert_eq!(nearest("UP01", ["UP001", "UP010", "UP011"]), Some("UP001"));
        assert_eq!(nearest("UP011x", ["UP001", "UP011"]), Some("UP011"));
    }
}
