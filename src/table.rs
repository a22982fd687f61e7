//! Shared by the embedded data tables (`schema`, `iam`): finding the lines that start a block.

/// Every line of `table` that starts with `marker` (e.g. `"R "`): (offset of the line, offset
/// just past it, the rest of the line after the marker). Found with memchr's SIMD substring search, which
/// skips over the text far faster than reading it line by line or `str::match_indices`
/// (start-up time: the schema table's scan was a fifth of a small run).
pub fn marked_lines(table: &'static str, marker: &str) -> Vec<(usize, usize, &'static str)> {
    let mut out = Vec::new();
    let mut push = |start: usize| {
        let body = start + marker.len();
        let end = table[body..]
            .find('\n')
            .map_or(table.len(), |i| body + i + 1);
        out.push((start, end, table[body..end].trim_end()));
    };
    if table.starts_with(marker) {
        push(0);
    }
    let needle = format!("\n{marker}");
    for i in memchr::memmem::find_iter(table.as_bytes(), needle.as_bytes()) {
        push(i + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_marked_lines() {
        let t = "R A\nP x s\nR B\n# R C\nR D";
        let found = super::marked_lines(t, "R ");
        assert_eq!(
            found.iter().map(|f| f.2).collect::<Vec<_>>(),
            ["A", "B", "D"]
        );
        assert_eq!(&t[found[1].0..found[1].1], "R B\n");
    }
}
