//! `.cfn-cognito-lint.yaml`: read with the same position-keeping parser as templates, so every
//! error names its file and line. Unknown keys, unknown rules and invalid values are errors.

use std::path::{Path, PathBuf};

use crate::report::escape_controls;
use crate::rules::registry;
use crate::rules::{RuleOptions, Severity, TokenPatterns};
use crate::template::parse::{Limits, MAX_DEPTH_CEILING, ParseIssue, parse};
use crate::template::{LineIndex, NodeId, Tree};

pub const FILE_NAME: &str = ".cfn-cognito-lint.yaml";

#[derive(Clone, Debug, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub severity: Vec<(String, Severity)>,
    /// `error`, `warning`, `info` or `none`.
    pub fail_level: Option<String>,
    pub exclude: Vec<String>,
    pub options: RuleOptions,
    pub limits: Limits,
    pub docs_url: Option<String>,
    /// Stacks written as fragments: `stacks: {NAME: {files: [...], parameters: FILE}}`, paths
    /// (or globs) relative to the config's folder, with where each is written.
    pub stacks: Vec<StackSpec>,
    /// The config's text, for findings about its `stacks` (TM011 at a missing fragment).
    pub text: String,
}

/// A stack the config names.
#[derive(Clone, Debug, Default)]
pub struct StackSpec {
    pub name: String,
    pub files: Vec<(String, crate::template::Span)>,
    pub parameters: Option<(String, crate::template::Span)>,
}

/// The nearest config file upwards from `dir`.
pub fn find(dir: &Path) -> Option<PathBuf> {
    let mut cur = Some(dir);
    while let Some(d) = cur {
        let p = d.join(FILE_NAME);
        if p.is_file() {
            return Some(p);
        }
        cur = d.parent();
    }
    None
}

struct Reader<'a> {
    name: String,
    text: &'a str,
    index: LineIndex,
    tree: &'a Tree,
}

impl Reader<'_> {
    fn err(&self, node: NodeId, key: bool, msg: impl std::fmt::Display) -> String {
        let span = if key {
            self.tree
                .key_span(node)
                .unwrap_or_else(|| self.tree.span(node))
        } else {
            self.tree.span(node)
        };
        let p = self.index.line_col(self.text, span.start);
        let msg = msg.to_string();
        format!(
            "{}:{}:{}: {}",
            escape_controls(&self.name),
            p.line,
            p.column,
            escape_controls(&msg)
        )
    }
    fn string(&self, node: NodeId, what: &str) -> Result<String, String> {
        self.tree
            .str(node)
            .map(str::to_string)
            .ok_or_else(|| self.err(node, false, format!("{what} must be a string")))
    }
    fn strings(&self, node: NodeId, what: &str) -> Result<Vec<String>, String> {
        match self.tree.items(node) {
            Some(items) => items
                .iter()
                .map(|i| self.string(self.tree.deref(*i), what))
                .collect(),
            None => Ok(vec![self.string(node, what)?]),
        }
    }
    fn rules(&self, node: NodeId, what: &str) -> Result<Vec<String>, String> {
        let list = self.strings(node, what)?;
        let items: Vec<NodeId> = self
            .tree
            .items(node)
            .map_or_else(|| vec![node], <[NodeId]>::to_vec);
        for (key, item) in list.iter().zip(items) {
            if registry::matching(key).is_empty() {
                return Err(self.err(
                    self.tree.deref(item),
                    false,
                    format!("unknown rule `{key}` in {what}"),
                ));
            }
        }
        Ok(list)
    }
    fn number(&self, node: NodeId, what: &str) -> Result<f64, String> {
        self.tree
            .number(node)
            .filter(|n| n.is_finite() && *n >= 0.0)
            .ok_or_else(|| self.err(node, false, format!("{what} must be a non-negative number")))
    }
    /// A whole number in `range`, written as digits (`max-depth: 1.9` is not 1, and `-1` is
    /// not a depth).
    fn whole(
        &self,
        node: NodeId,
        what: &str,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<u64, String> {
        let text = self.tree.str(node).map(str::trim);
        let digits = text.map(|t| t.strip_prefix('+').unwrap_or(t));
        let n = digits
            .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
            .map(|d| d.parse::<u64>().unwrap_or(u64::MAX));
        let shown = text.map(|t| format!(", not `{t}`")).unwrap_or_default();
        // A range from 0 to the type's maximum is not worth saying for a fraction.
        let bounds = if *range.start() == 0 && *range.end() == u64::from(u32::MAX) {
            String::new()
        } else {
            format!(" between {} and {}", range.start(), range.end())
        };
        match n {
            Some(n) if range.contains(&n) => Ok(n),
            Some(_) => Err(self.err(
                node,
                false,
                format!(
                    "{what} must be between {} and {}{shown}",
                    range.start(),
                    range.end()
                ),
            )),
            None => Err(self.err(
                node,
                false,
                format!("{what} must be a whole number{bounds}{shown}"),
            )),
        }
    }
}

/// `32MiB`, `1MB`, `500KiB`, `1048576`.
fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some((n * mult) as u64)
}

pub fn load(path: &Path) -> Result<Config, String> {
    let name = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", escape_controls(&name)))?;
    parse_config(&name, &text).map(|mut c| {
        c.path = Some(path.to_path_buf());
        c
    })
}

/// What the parser noted that a config may not hold, one error per line (`file:line:col:`):
/// a key written twice (which value wins would be a guess) and a second YAML document (the
/// parser reads only the first). Aliases are fine in a config.
fn structure_errors(name: &str, text: &str, index: &LineIndex, issues: &[ParseIssue]) -> String {
    let at = |offset: u32| {
        let p = index.line_col(text, offset);
        format!("{}:{}:{}", escape_controls(name), p.line, p.column)
    };
    let mut errors = Vec::new();
    for issue in issues {
        if issue.rule == "TM002" {
            let written = text
                .get(issue.span.start as usize..issue.span.end as usize)
                .unwrap_or_default();
            // `"ignore"` is shown as `ignore`; a quoted key with escapes as written.
            let key = ['"', '\'']
                .iter()
                .find_map(|&q| {
                    let inner = written.strip_prefix(q)?.strip_suffix(q)?;
                    (!inner.contains(q) && !inner.contains('\\')).then_some(inner)
                })
                .unwrap_or(written);
            let first = issue.label.as_ref().map_or(String::new(), |(span, _)| {
                let p = index.line_col(text, span.start);
                format!(" (first written at line {}, column {})", p.line, p.column)
            });
            errors.push(format!(
                "{}: duplicate key `{}`{first}: a config key is written once",
                at(issue.span.start),
                escape_controls(key)
            ));
        } else if issue.rule == "TM008" && issue.message.contains("more than one YAML document") {
            errors.push(format!(
                "{}: a second YAML document starts here: a config file holds one document",
                at(issue.span.start)
            ));
        }
    }
    errors.join("\n")
}

pub fn parse_config(name: &str, text: &str) -> Result<Config, String> {
    let parsed = parse(text, &Limits::default());
    let index = LineIndex::new(text);
    if let Some(f) = parsed.fatal {
        let p = index.line_col(text, f.span.start);
        return Err(format!(
            "{}:{}:{}: {}",
            escape_controls(name),
            p.line,
            p.column,
            escape_controls(&f.message)
        ));
    }
    let structure = structure_errors(name, text, &index, &parsed.issues);
    if !structure.is_empty() {
        return Err(structure);
    }
    let mut config = Config {
        text: text.to_string(),
        ..Config::default()
    };
    let Some(root) = parsed.root.filter(|r| !parsed.tree.is_null(*r)) else {
        return Ok(config);
    };
    let r = Reader {
        name: name.to_string(),
        text,
        index,
        tree: &parsed.tree,
    };
    let tree = &parsed.tree;
    let Some(entries) = tree.entries(root) else {
        return Err(r.err(root, false, "the config must be a mapping"));
    };
    for e in entries {
        let v = tree.deref(e.value);
        match &*e.key {
            "select" => config.select = Some(r.rules(v, "select")?),
            "ignore" => config.ignore = r.rules(v, "ignore")?,
            "severity" => {
                let Some(items) = tree.entries(v) else {
                    return Err(r.err(v, false, "severity must map rule IDs to levels"));
                };
                for item in items {
                    let iv = tree.deref(item.value);
                    if registry::matching(&item.key).is_empty() {
                        return Err(r.err(
                            iv,
                            true,
                            format!("unknown rule `{}` in severity", item.key),
                        ));
                    }
                    let level = r.string(iv, "a severity")?;
                    let level = Severity::parse(&level).ok_or_else(|| {
                        r.err(
                            iv,
                            false,
                            format!("unknown severity `{level}` (error, warning, info)"),
                        )
                    })?;
                    config.severity.push((item.key.to_string(), level));
                }
            }
            "fail-level" => {
                let level = r.string(v, "fail-level")?;
                if !matches!(level.as_str(), "error" | "warning" | "info" | "none") {
                    return Err(r.err(
                        v,
                        false,
                        format!("unknown fail-level `{level}` (error, warning, info, none)"),
                    ));
                }
                config.fail_level = Some(level);
            }
            "exclude" => config.exclude = r.strings(v, "exclude")?,
            "docs-url" => config.docs_url = Some(r.string(v, "docs-url")?),
            "stacks" => {
                let Some(items) = tree.entries(v) else {
                    return Err(r.err(
                        v,
                        false,
                        "stacks must map stack names to {files, parameters}",
                    ));
                };
                for item in items {
                    let iv = tree.deref(item.value);
                    let Some(fields) = tree.entries(iv) else {
                        return Err(r.err(iv, false, "a stack must be a mapping with `files`"));
                    };
                    let mut spec = StackSpec {
                        name: item.key.to_string(),
                        ..StackSpec::default()
                    };
                    for f in fields {
                        let fv = tree.deref(f.value);
                        match &*f.key {
                            "files" => {
                                let nodes: Vec<NodeId> =
                                    tree.items(fv).map_or_else(|| vec![fv], <[NodeId]>::to_vec);
                                for n in nodes {
                                    let n = tree.deref(n);
                                    spec.files.push((r.string(n, "a file")?, tree.span(n)));
                                }
                            }
                            "parameters" => {
                                spec.parameters =
                                    Some((r.string(fv, "parameters")?, tree.span(fv)));
                            }
                            key => {
                                return Err(r.err(
                                    fv,
                                    true,
                                    format!(
                                        "unknown key `{key}` in stack `{}` (files, parameters)",
                                        item.key
                                    ),
                                ));
                            }
                        }
                    }
                    if spec.files.is_empty() {
                        return Err(r.err(
                            iv,
                            false,
                            format!("stack `{}` names no files", item.key),
                        ));
                    }
                    config.stacks.push(spec);
                }
            }
            "rules" => {
                let Some(items) = tree.entries(v) else {
                    return Err(r.err(v, false, "rules must map rule IDs to options"));
                };
                for item in items {
                    let iv = tree.deref(item.value);
                    let Some(opts) = tree.entries(iv) else {
                        return Err(r.err(iv, false, "rule options must be a mapping"));
                    };
                    let Some(rule) = registry::find(&item.key) else {
                        return Err(r.err(
                            iv,
                            true,
                            format!("unknown rule `{}` in rules", item.key),
                        ));
                    };
                    for o in opts {
                        let ov = tree.deref(o.value);
                        match (rule.id, &*o.key) {
                            ("UC001", "browser-tokens" | "mobile-tokens") => {
                                let list = r.strings(ov, &o.key)?;
                                let refs: Vec<&str> = list.iter().map(String::as_str).collect();
                                let patterns =
                                    TokenPatterns::new(&refs).map_err(|m| r.err(ov, false, m))?;
                                if &*o.key == "browser-tokens" {
                                    config.options.browser_tokens = patterns;
                                } else {
                                    config.options.mobile_tokens = patterns;
                                }
                            }
                            ("UC002", "max-days") => {
                                config.options.max_refresh_days = r.number(ov, "max-days")?
                            }
                            ("UP002", "min-length") => {
                                let n = r.whole(ov, "min-length", 0..=u64::from(u32::MAX))?;
                                config.options.min_password_length =
                                    u32::try_from(n).unwrap_or(u32::MAX);
                            }
                            (id, key) => {
                                return Err(r.err(
                                    ov,
                                    true,
                                    format!("unknown option `{key}` for {id}"),
                                ));
                            }
                        }
                    }
                }
            }
            "limits" => {
                let Some(items) = tree.entries(v) else {
                    return Err(r.err(v, false, "limits must be a mapping"));
                };
                for item in items {
                    let iv = tree.deref(item.value);
                    match &*item.key {
                        "max-file-size" => {
                            let s = r.string(iv, "max-file-size")?;
                            config.limits.max_file_size = parse_size(&s).ok_or_else(|| {
                                r.err(iv, false, format!("invalid size `{s}` (e.g. 32MiB)"))
                            })?;
                        }
                        "max-depth" => {
                            let ceiling = MAX_DEPTH_CEILING as u64;
                            let n = r.whole(iv, "max-depth", 1..=ceiling)?;
                            config.limits.max_depth =
                                usize::try_from(n).unwrap_or(MAX_DEPTH_CEILING);
                        }
                        "max-alias-visits" => {
                            let s = r.string(iv, "max-alias-visits")?;
                            let n = s
                                .trim()
                                .trim_end_matches('x')
                                .trim()
                                .parse::<usize>()
                                .ok()
                                .filter(|n| *n > 0);
                            config.limits.max_alias_visits = n.ok_or_else(|| {
                                r.err(iv, false, format!("invalid alias budget `{s}` (e.g. 10x)"))
                            })?;
                        }
                        key => return Err(r.err(iv, true, format!("unknown limit `{key}`"))),
                    }
                }
            }
            key => return Err(r.err(v, true, format!("unknown key `{key}`"))),
        }
    }
    Ok(config)
}
