//! `.cfn-cognito-lint.yaml`: read with the same position-keeping parser as templates, so every
//! error names its file and line. Unknown keys, unknown rules and invalid values are errors.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use crate::report::escape_controls;
use crate::rules::registry;
use crate::rules::registry::RULES;
use crate::rules::{RuleOptions, Settings, Severity, TokenPatterns};
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
    /// Every error found, with its offset: all of them are reported at once, in the file's
    /// order.
    errors: RefCell<Vec<(u32, String)>>,
}

impl Reader<'_> {
    /// Notes an error at `node` (at its key when `key`): `file:line:col: message`.
    fn fail(&self, node: NodeId, key: bool, msg: impl std::fmt::Display) {
        let span = if key {
            self.tree
                .key_span(node)
                .unwrap_or_else(|| self.tree.span(node))
        } else {
            self.tree.span(node)
        };
        let p = self.index.line_col(self.text, span.start);
        let msg = msg.to_string();
        self.errors.borrow_mut().push((
            span.start,
            format!(
                "{}:{}:{}: {}",
                escape_controls(&self.name),
                p.line,
                p.column,
                escape_controls(&msg)
            ),
        ));
    }
    /// An unknown key among `valid`, with the nearest as a suggestion.
    fn unknown_key(&self, node: NodeId, what: &str, key: &str, place: &str, valid: &[&str]) {
        let list = valid.join(", ");
        let msg = crate::suggest::unknown(what, key, place, valid.iter().copied(), &list);
        self.fail(node, true, msg);
    }
    fn string(&self, node: NodeId, what: &str) -> Option<String> {
        let s = self.tree.str(node).map(str::to_string);
        if s.is_none() {
            self.fail(node, false, format!("{what} must be a string"));
        }
        s
    }
    /// A list of strings, or one string; an error for each item that is not a string.
    fn strings(&self, node: NodeId, what: &str) -> Vec<String> {
        match self.tree.items(node) {
            Some(items) => items
                .iter()
                .filter_map(|i| self.string(self.tree.deref(*i), what))
                .collect(),
            None => self.string(node, what).into_iter().collect(),
        }
    }
    /// Rule keys (IDs, prefixes, names): an error for each that matches no rule.
    fn rules(&self, node: NodeId, what: &str) -> Vec<String> {
        let items: Vec<NodeId> = self
            .tree
            .items(node)
            .map_or_else(|| vec![node], <[NodeId]>::to_vec);
        let mut out = Vec::new();
        for item in items {
            let item = self.tree.deref(item);
            let Some(key) = self.string(item, what) else {
                continue;
            };
            if registry::matching(&key).is_empty() {
                self.fail(item, false, registry::unknown_rule(&key, what));
            } else {
                out.push(key);
            }
        }
        out
    }
    /// A severity level (`error`, `warning`, `info`).
    fn level(&self, node: NodeId) -> Option<Severity> {
        let level = self.string(node, "a severity")?;
        let parsed = Severity::parse(&level);
        if parsed.is_none() {
            self.fail(
                node,
                false,
                crate::suggest::unknown(
                    "severity",
                    &level,
                    "",
                    LEVELS.iter().copied(),
                    &LEVELS.join(", "),
                ),
            );
        }
        parsed
    }
    fn number(&self, node: NodeId, what: &str) -> Option<f64> {
        let n = self
            .tree
            .number(node)
            .filter(|n| n.is_finite() && *n >= 0.0);
        if n.is_none() {
            self.fail(node, false, format!("{what} must be a non-negative number"));
        }
        n
    }
    /// A whole number in `range`, written as digits (`max-depth: 1.9` is not 1, and `-1` is
    /// not a depth).
    fn whole(&self, node: NodeId, what: &str, range: std::ops::RangeInclusive<u64>) -> Option<u64> {
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
            Some(n) if range.contains(&n) => Some(n),
            Some(_) => {
                self.fail(
                    node,
                    false,
                    format!(
                        "{what} must be between {} and {}{shown}",
                        range.start(),
                        range.end()
                    ),
                );
                None
            }
            None => {
                self.fail(
                    node,
                    false,
                    format!("{what} must be a whole number{bounds}{shown}"),
                );
                None
            }
        }
    }
}

/// The config's keys.
const KEYS: &[&str] = &[
    "select",
    "ignore",
    "severity",
    "fail-level",
    "exclude",
    "rules",
    "limits",
    "docs-url",
    "stacks",
];
/// The keys of `limits`.
const LIMITS: &[&str] = &["max-file-size", "max-depth", "max-alias-visits"];
/// The keys of a stack in `stacks`.
const STACK_KEYS: &[&str] = &["files", "parameters"];
/// The severity levels.
const LEVELS: &[&str] = &["error", "warning", "info"];
/// The values of `fail-level`.
const FAIL_LEVELS: &[&str] = &["error", "warning", "info", "none"];
/// The options of the rules that have some (`rules: {ID: {option: value}}`).
const RULE_OPTIONS: &[(&str, &[&str])] = &[
    ("UC001", &["browser-tokens", "mobile-tokens"]),
    ("UC002", &["max-days"]),
    ("UP002", &["min-length"]),
];

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

/// What the parser noted that a config may not hold, each with its offset (`file:line:col:`):
/// a key written twice (which value wins would be a guess) and a second YAML document (the
/// parser reads only the first). Aliases are fine in a config.
fn structure_errors(
    name: &str,
    text: &str,
    index: &LineIndex,
    issues: &[ParseIssue],
) -> Vec<(u32, String)> {
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
            errors.push((
                issue.span.start,
                format!(
                    "{}: duplicate key `{}`{first}: a config key is written once",
                    at(issue.span.start),
                    escape_controls(key)
                ),
            ));
        } else if issue.rule == "TM008" && issue.message.contains("more than one YAML document") {
            errors.push((
                issue.span.start,
                format!(
                    "{}: a second YAML document starts here: a config file holds one document",
                    at(issue.span.start)
                ),
            ));
        }
    }
    errors
}

/// Reads a config's text. Every error is reported, one per line (`file:line:col: message`), in
/// the file's order: unknown keys, rules and options (with the nearest valid one as a
/// suggestion), invalid values, keys written twice. A YAML syntax error stops the reading.
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
    let mut config = Config {
        text: text.to_string(),
        ..Config::default()
    };
    let r = Reader {
        name: name.to_string(),
        text,
        index,
        tree: &parsed.tree,
        errors: RefCell::new(structure),
    };
    if let Some(root) = parsed.root.filter(|r| !parsed.tree.is_null(*r)) {
        read_root(&r, root, &mut config);
    }
    let mut errors = r.errors.into_inner();
    if errors.is_empty() {
        return Ok(config);
    }
    errors.sort_by_key(|e| e.0);
    Err(errors
        .into_iter()
        .map(|e| e.1)
        .collect::<Vec<_>>()
        .join("\n"))
}

fn read_root(r: &Reader<'_>, root: NodeId, config: &mut Config) {
    let tree = r.tree;
    let Some(entries) = tree.entries(root) else {
        r.fail(root, false, "the config must be a mapping");
        return;
    };
    for e in entries {
        let v = tree.deref(e.value);
        match &*e.key {
            "select" => config.select = Some(r.rules(v, "select")),
            "ignore" => config.ignore = r.rules(v, "ignore"),
            "severity" => {
                let Some(items) = tree.entries(v) else {
                    r.fail(v, false, "severity must map rule IDs to levels");
                    continue;
                };
                for item in items {
                    let iv = tree.deref(item.value);
                    let known = !registry::matching(&item.key).is_empty();
                    if !known {
                        r.fail(iv, true, registry::unknown_rule(&item.key, "severity"));
                    }
                    if let (true, Some(level)) = (known, r.level(iv)) {
                        config.severity.push((item.key.to_string(), level));
                    }
                }
            }
            "fail-level" => {
                let Some(level) = r.string(v, "fail-level") else {
                    continue;
                };
                if FAIL_LEVELS.contains(&level.as_str()) {
                    config.fail_level = Some(level);
                } else {
                    let valid = FAIL_LEVELS.join(", ");
                    let msg = crate::suggest::unknown(
                        "fail-level",
                        &level,
                        "",
                        FAIL_LEVELS.iter().copied(),
                        &valid,
                    );
                    r.fail(v, false, msg);
                }
            }
            "exclude" => config.exclude = r.strings(v, "exclude"),
            "docs-url" => config.docs_url = r.string(v, "docs-url"),
            "stacks" => read_stacks(r, v, config),
            "rules" => read_rule_options(r, v, config),
            "limits" => read_limits(r, v, config),
            key => r.unknown_key(v, "key", key, "", KEYS),
        }
    }
}

fn read_stacks(r: &Reader<'_>, v: NodeId, config: &mut Config) {
    let tree = r.tree;
    let Some(items) = tree.entries(v) else {
        r.fail(
            v,
            false,
            "stacks must map stack names to {files, parameters}",
        );
        return;
    };
    for item in items {
        let iv = tree.deref(item.value);
        let Some(fields) = tree.entries(iv) else {
            r.fail(iv, false, "a stack must be a mapping with `files`");
            continue;
        };
        let mut spec = StackSpec {
            name: item.key.to_string(),
            ..StackSpec::default()
        };
        // Files that are not strings, or an unknown key (`file:`), reported already.
        let mut reported = false;
        for f in fields {
            let fv = tree.deref(f.value);
            match &*f.key {
                "files" => {
                    let nodes: Vec<NodeId> =
                        tree.items(fv).map_or_else(|| vec![fv], <[NodeId]>::to_vec);
                    for n in nodes {
                        let n = tree.deref(n);
                        match r.string(n, "a file") {
                            Some(file) => spec.files.push((file, tree.span(n))),
                            None => reported = true,
                        }
                    }
                }
                "parameters" => {
                    spec.parameters = r.string(fv, "parameters").map(|p| (p, tree.span(fv)));
                }
                key => {
                    let place = format!(" in stack `{}`", item.key);
                    r.unknown_key(fv, "key", key, &place, STACK_KEYS);
                    reported = true;
                }
            }
        }
        if spec.files.is_empty() {
            if !reported {
                r.fail(iv, false, format!("stack `{}` names no files", item.key));
            }
            continue;
        }
        config.stacks.push(spec);
    }
}

fn read_rule_options(r: &Reader<'_>, v: NodeId, config: &mut Config) {
    let tree = r.tree;
    let Some(items) = tree.entries(v) else {
        r.fail(v, false, "rules must map rule IDs to options");
        return;
    };
    for item in items {
        let iv = tree.deref(item.value);
        let rule = registry::find(&item.key);
        if rule.is_none() {
            r.fail(iv, true, registry::unknown_rule(&item.key, "rules"));
        }
        let Some(opts) = tree.entries(iv) else {
            r.fail(iv, false, "rule options must be a mapping");
            continue;
        };
        let Some(rule) = rule else {
            continue;
        };
        let valid = RULE_OPTIONS
            .iter()
            .find(|(id, _)| *id == rule.id)
            .map_or(&[][..], |(_, o)| *o);
        for o in opts {
            let ov = tree.deref(o.value);
            match (rule.id, &*o.key) {
                ("UC001", "browser-tokens" | "mobile-tokens") => {
                    let list = r.strings(ov, &o.key);
                    let refs: Vec<&str> = list.iter().map(String::as_str).collect();
                    match TokenPatterns::new(&refs) {
                        Ok(patterns) if &*o.key == "browser-tokens" => {
                            config.options.browser_tokens = patterns;
                        }
                        Ok(patterns) => config.options.mobile_tokens = patterns,
                        Err(m) => r.fail(ov, false, m),
                    }
                }
                ("UC002", "max-days") => {
                    if let Some(n) = r.number(ov, "max-days") {
                        config.options.max_refresh_days = n;
                    }
                }
                ("UP002", "min-length") => {
                    if let Some(n) = r.whole(ov, "min-length", 0..=u64::from(u32::MAX)) {
                        config.options.min_password_length = u32::try_from(n).unwrap_or(u32::MAX);
                    }
                }
                (id, key) => {
                    let place = format!(" for {id}");
                    // An option of another rule is named as such.
                    let owner = RULE_OPTIONS
                        .iter()
                        .find(|(_, o)| o.contains(&key))
                        .map(|(owner, _)| format!("an option of {owner}"));
                    let otherwise = match (owner, valid.is_empty()) {
                        (Some(o), _) => o,
                        (None, true) => format!("{id} has no options"),
                        (None, false) => valid.join(", "),
                    };
                    let msg = crate::suggest::unknown(
                        "option",
                        key,
                        &place,
                        valid.iter().copied(),
                        &otherwise,
                    );
                    r.fail(ov, true, msg);
                }
            }
        }
    }
}

fn read_limits(r: &Reader<'_>, v: NodeId, config: &mut Config) {
    let tree = r.tree;
    let Some(items) = tree.entries(v) else {
        r.fail(v, false, "limits must be a mapping");
        return;
    };
    for item in items {
        let iv = tree.deref(item.value);
        match &*item.key {
            "max-file-size" => {
                let Some(s) = r.string(iv, "max-file-size") else {
                    continue;
                };
                match parse_size(&s) {
                    Some(n) => config.limits.max_file_size = n,
                    None => r.fail(iv, false, format!("invalid size `{s}` (e.g. 32MiB)")),
                }
            }
            "max-depth" => {
                let ceiling = MAX_DEPTH_CEILING as u64;
                if let Some(n) = r.whole(iv, "max-depth", 1..=ceiling) {
                    config.limits.max_depth = usize::try_from(n).unwrap_or(MAX_DEPTH_CEILING);
                }
            }
            "max-alias-visits" => {
                let Some(s) = r.string(iv, "max-alias-visits") else {
                    continue;
                };
                let n = s
                    .trim()
                    .trim_end_matches('x')
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0);
                match n {
                    Some(n) => config.limits.max_alias_visits = n,
                    None => r.fail(iv, false, format!("invalid alias budget `{s}` (e.g. 10x)")),
                }
            }
            key => r.unknown_key(iv, "limit", key, "", LIMITS),
        }
    }
}

/// The rule IDs that rule keys (IDs, prefixes, names) name; `place` says where they were
/// written, for the error.
fn rules_of(keys: &[String], place: &str) -> Result<Vec<&'static str>, String> {
    let mut ids = Vec::new();
    for key in keys.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
        let found = registry::matching(key);
        if found.is_empty() {
            return Err(registry::unknown_rule(key, place));
        }
        ids.extend(found.iter().map(|r| r.id));
    }
    Ok(ids)
}

/// The settings of a run: the config's, with `--select` (replacing the config's), `--ignore`
/// (adding to it) and `--severity` (overriding it) given on the command line.
pub fn settings(
    config: &Config,
    cli_select: &[String],
    cli_ignore: &[String],
    cli_severity: &[String],
) -> Result<Settings, String> {
    let mut s = Settings {
        options: config.options.clone(),
        ..Settings::default()
    };
    let select = if cli_select.is_empty() {
        config.select.clone().unwrap_or_default()
    } else {
        cli_select.to_vec()
    };
    s.disabled.extend(rules_of(&config.ignore, "ignore")?);
    for (rule, level) in &config.severity {
        for id in rules_of(std::slice::from_ref(rule), "severity")? {
            s.severity.insert(id, *level);
        }
    }
    if !select.is_empty() {
        let selected = rules_of(&select, "select")?;
        s.disabled.extend(
            RULES
                .iter()
                .map(|r| r.id)
                .filter(|id| !selected.contains(id)),
        );
    }
    s.disabled.extend(rules_of(cli_ignore, "--ignore")?);
    for item in cli_severity {
        let Some((rule, level)) = item.split_once('=') else {
            return Err(format!("--severity takes RULE=LEVEL, got `{item}`"));
        };
        let level = Severity::parse(level.trim()).ok_or_else(|| {
            format!(
                "unknown severity `{}` in --severity",
                escape_controls(level)
            )
        })?;
        for id in rules_of(&[rule.to_string()], "--severity")? {
            s.severity.insert(id, level);
        }
    }
    Ok(s)
}
