//! Parameter values given for the deployment (`--parameters FILE`, a config stack's
//! `parameters`): the file formats CLI.md lists, read into `(key, value)` pairs, and given to a
//! template as known values (RULES.md, *Unknown is not wrong*).
//!
//! Formats:
//! - CloudFormation's `[{"ParameterKey": …, "ParameterValue": …}]` (JSON, or the same as YAML);
//!   an entry with `UsePreviousValue: true` and no value is skipped: its value stays unknown;
//! - a `{"Parameters": {…}}` mapping (CodePipeline's template configuration file);
//! - a plain `{Key: Value}` mapping (JSON or YAML, Amplify's `parameters.json`): lists become
//!   comma-joined strings, numbers and booleans their text, `null` is skipped;
//! - `samconfig.toml` (any `*.toml`): `parameter_overrides` of `[<env>.deploy.parameters]` (over
//!   `[<env>.global.parameters]`), a string `K=V K2="v w"` or a list of `"K=V"`; the environment
//!   is `--config-env`, default `default`.
//!
//! Errors name the file, and the line where there is one.

use std::path::Path;

use crate::template::parse::{self, Limits};
use crate::template::{Kind, LineIndex, NodeId, ParamValue, Template, Tree};

/// Reads a parameter file (format told by its name and content, see the module doc).
/// `config_env` picks the `samconfig.toml` environment (default `default`).
pub fn load(path: &Path, config_env: Option<&str>) -> Result<Vec<(String, String)>, String> {
    let display = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{display}: {e}"))?;
    let toml = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    if toml {
        from_samconfig_in(&display, &text, config_env, path.parent())
    } else {
        from_text(&display, &text)
    }
}

/// Gives a template the values for the parameters it declares (values for other names are
/// left out: a run's `--parameters` serves every stack that declares them). A value replaces
/// one set before, so sources are applied from the last to the first in CLI.md's order
/// ("first source wins").
pub fn apply(t: &mut Template, values: &[(String, String)], source: &str) {
    for (key, value) in values {
        if t.parameter(key).is_some() {
            t.param_values.insert(
                key.as_str().into(),
                ParamValue {
                    value: value.clone(),
                    source: source.to_string(),
                },
            );
        }
    }
}

/// Lints one template text with parameter values given for it (what `--parameters` does for
/// a run), `source` saying where they came from (`--parameters params/dev.json`).
pub fn lint_source_with(
    path: &str,
    text: String,
    values: &[(String, String)],
    source: &str,
    options: &crate::Options,
) -> crate::FileReport {
    let mut options = options.clone();
    options.parameters = values.to_vec();
    options.parameters_source = source.to_string();
    crate::lint_source(path, text, true, &options)
}

// ---------------------------------------------------------------------------------------------
// JSON and YAML

/// `file:line: message` for a byte offset of `text`.
fn at(display: &str, text: &str, offset: u32, message: impl std::fmt::Display) -> String {
    let line = LineIndex::new(text).line_col(text, offset).line;
    format!("{display}:{line}: {message}")
}

/// Reads a JSON or YAML parameter file: CloudFormation's list of entries, a `Parameters`
/// mapping, or a plain mapping.
pub fn from_text(display: &str, text: &str) -> Result<Vec<(String, String)>, String> {
    let limits = Limits::default();
    // The crate's parser picks JSON for a text that opens an object; a JSON list (the
    // CloudFormation format) is JSON too.
    let parsed = if text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('[')
    {
        parse::parse_json(text, &limits)
    } else {
        parse::parse(text, &limits)
    };
    if let Some(fatal) = parsed.fatal {
        return Err(at(display, text, fatal.span.start, fatal.message));
    }
    let tree = &parsed.tree;
    let Some(root) = parsed.root else {
        return Ok(Vec::new());
    };
    let err = |node: NodeId, message: String| at(display, text, tree.span(node).start, message);
    match tree.kind(root) {
        Kind::Seq(items) => cloudformation_list(tree, items, &err),
        Kind::Map(_) => {
            // CodePipeline's template configuration: the values sit under `Parameters`.
            let map = tree
                .get(root, "Parameters")
                .filter(|p| tree.entries(*p).is_some())
                .unwrap_or(root);
            mapping(tree, map, &err)
        }
        _ if tree.is_null(root) => Ok(Vec::new()),
        _ => Err(err(
            root,
            "expected a list of {ParameterKey, ParameterValue} entries or a mapping of parameter names to values".into(),
        )),
    }
}

/// `[{ParameterKey, ParameterValue}]`, with `UsePreviousValue: true` entries skipped.
fn cloudformation_list(
    tree: &Tree,
    items: &[NodeId],
    err: &dyn Fn(NodeId, String) -> String,
) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (i, &item) in items.iter().enumerate() {
        let item = tree.deref(item);
        if tree.entries(item).is_none() {
            return Err(err(
                item,
                format!("entry {i} is not a {{ParameterKey, ParameterValue}} mapping"),
            ));
        }
        let Some(key) = tree.get(item, "ParameterKey").and_then(|k| tree.str(k)) else {
            return Err(err(item, format!("entry {i} has no `ParameterKey`")));
        };
        let previous = tree
            .get(item, "UsePreviousValue")
            .and_then(|u| tree.bool_value(u))
            == Some(true);
        match tree.get(item, "ParameterValue") {
            Some(v) => match value_text(tree, v, key, err)? {
                Some(text) => out.push((key.to_string(), text)),
                None if previous => {}
                None => {
                    return Err(err(v, format!("`{key}` has a null `ParameterValue`")));
                }
            },
            // The deployed stack's value: unknown here.
            None if previous => {}
            None => {
                return Err(err(
                    item,
                    format!("`{key}` has neither `ParameterValue` nor `UsePreviousValue: true`"),
                ));
            }
        }
    }
    Ok(out)
}

/// `{Key: Value}`.
fn mapping(
    tree: &Tree,
    map: NodeId,
    err: &dyn Fn(NodeId, String) -> String,
) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for e in tree.entries(map).unwrap_or_default() {
        if let Some(text) = value_text(tree, e.value, &e.key, err)? {
            push(&mut out, e.key.to_string(), text);
        }
    }
    Ok(out)
}

/// A parameter value as CloudFormation receives it: a scalar's text (numbers and booleans as
/// written), a list joined with commas; `None` for null.
fn value_text(
    tree: &Tree,
    node: NodeId,
    key: &str,
    err: &dyn Fn(NodeId, String) -> String,
) -> Result<Option<String>, String> {
    match tree.kind(node) {
        Kind::Scalar { .. } => Ok(tree.str(node).map(str::to_string)),
        Kind::Seq(items) => {
            let mut parts = Vec::new();
            for &item in items {
                match tree.kind(item) {
                    Kind::Scalar { .. } => parts.extend(tree.str(item)),
                    _ => {
                        return Err(err(
                            item,
                            format!(
                                "an item of the list for `{key}` is not a string, a number or a boolean"
                            ),
                        ));
                    }
                }
            }
            Ok(Some(parts.join(",")))
        }
        _ => Err(err(
            node,
            format!(
                "the value of `{key}` is a mapping: a parameter value is a string, a number, a boolean or a list"
            ),
        )),
    }
}

/// Adds a value; a key given twice keeps its last value, in the place of the first.
fn push(out: &mut Vec<(String, String)>, key: String, value: String) {
    match out.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => out.push((key, value)),
    }
}

// ---------------------------------------------------------------------------------------------
// samconfig.toml

/// Reads `parameter_overrides` of a `samconfig.toml` environment: `[<env>.global.parameters]`,
/// then `[<env>.deploy.parameters]` (the command's own section wins, as in the SAM CLI).
pub fn from_samconfig(
    display: &str,
    text: &str,
    config_env: Option<&str>,
) -> Result<Vec<(String, String)>, String> {
    from_samconfig_in(display, text, config_env, None)
}

/// Like [`from_samconfig`]; a `parameter_overrides = "file://params/dev.yaml"` names a
/// parameter file (any format [`from_text`] reads) relative to `dir`, the samconfig's folder.
fn from_samconfig_in(
    display: &str,
    text: &str,
    config_env: Option<&str>,
    dir: Option<&Path>,
) -> Result<Vec<(String, String)>, String> {
    use toml::de::{DeTable, DeValue};
    let env = config_env.unwrap_or("default");
    let doc = DeTable::parse(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        at(
            display,
            text,
            u32::try_from(offset).unwrap_or(u32::MAX),
            e.message(),
        )
    })?;
    let doc = doc.get_ref();
    let Some(DeValue::Table(env_table)) = toml_get(doc, env).map(|v| v.get_ref()) else {
        let mut envs: Vec<&str> = doc
            .iter()
            .filter(|(_, v)| matches!(v.get_ref(), DeValue::Table(_)))
            .map(|(k, _)| k.get_ref().as_ref())
            .collect();
        envs.sort_unstable();
        return Err(format!(
            "{display}: no environment `{env}` (--config-env){}",
            if envs.is_empty() {
                String::new()
            } else {
                format!("; it has {}", envs.join(", "))
            }
        ));
    };
    let mut out = Vec::new();
    for command in ["global", "deploy"] {
        let Some(DeValue::Table(cmd)) = toml_get(env_table, command).map(|v| v.get_ref()) else {
            continue;
        };
        let Some(DeValue::Table(params)) = toml_get(cmd, "parameters").map(|v| v.get_ref()) else {
            continue;
        };
        let Some(overrides) = toml_get(params, "parameter_overrides") else {
            continue;
        };
        let span = overrides.span();
        let line_err = |message: String| {
            at(
                display,
                text,
                u32::try_from(span.start).unwrap_or(u32::MAX),
                format!("[{env}.{command}.parameters] parameter_overrides: {message}"),
            )
        };
        let pairs = match overrides.get_ref() {
            DeValue::String(s) if dir.is_some() && s.trim().starts_with("file://") => {
                let rel = s.trim().trim_start_matches("file://");
                let file = dir.unwrap_or(Path::new("")).join(rel);
                let shown = file.display().to_string();
                let inner = std::fs::read_to_string(&file)
                    .map_err(|e| line_err(format!("{shown}: {e}")))?;
                from_text(&shown, &inner)?
            }
            DeValue::String(s) => overrides_string(s).map_err(line_err)?,
            DeValue::Array(items) => {
                let mut pairs = Vec::new();
                for item in items.iter() {
                    let DeValue::String(s) = item.get_ref() else {
                        return Err(line_err(
                            "a list item is not a `\"Key=Value\"` string".into(),
                        ));
                    };
                    pairs.extend(override_item(s).map_err(line_err)?);
                }
                pairs
            }
            _ => {
                return Err(line_err(
                    "expected a string `K=V K2=\"v w\"` or a list of `\"K=V\"` strings".into(),
                ));
            }
        };
        for (k, v) in pairs {
            push(&mut out, k, v);
        }
    }
    Ok(out)
}

/// The value under `key` in a TOML table.
fn toml_get<'t, 'i>(
    table: &'t toml::de::DeTable<'i>,
    key: &str,
) -> Option<&'t toml::Spanned<toml::de::DeValue<'i>>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(_, v)| v)
}

/// Out of scope: parameter values kept in another file.
fn file_reference(s: &str) -> Result<(), String> {
    if s.trim_start().starts_with("file://") {
        return Err(format!(
            "`{}`: parameter values read from another file (`file://`) are not supported; write them inline, or pass that file with `--parameters`",
            s.trim()
        ));
    }
    Ok(())
}

/// One item of a `parameter_overrides` list: `K=V` (or several, as in the string form); a
/// value with spaces needs no quotes here.
fn override_item(s: &str) -> Result<Vec<(String, String)>, String> {
    file_reference(s)?;
    match overrides_string(s) {
        Ok(pairs) => Ok(pairs),
        Err(e) => match s.split_once('=') {
            Some((k, v)) if valid_key(k.trim()) => {
                Ok(vec![(k.trim().to_string(), unquote(v.trim()).to_string())])
            }
            _ => Err(e),
        },
    }
}

fn valid_key(k: &str) -> bool {
    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A value wrapped in one pair of matching quotes, without them.
fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

/// The string form of `parameter_overrides`, as the SAM CLI reads it: `K=V` pairs separated by
/// spaces, a value in double quotes (with `\"` and `\\` escapes) or single quotes when it has
/// spaces; CloudFormation's `ParameterKey=K,ParameterValue=V` is accepted too.
pub fn overrides_string(s: &str) -> Result<Vec<(String, String)>, String> {
    file_reference(s)?;
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            break;
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        if chars.next_if_eq(&'=').is_none() {
            return Err(format!("`{key}` is not of the form `Key=Value`"));
        }
        if key == "ParameterKey" {
            // ParameterKey=K,ParameterValue=V
            let mut name = String::new();
            while let Some(c) = chars.next_if(|c| *c != ',' && !c.is_whitespace()) {
                name.push(c);
            }
            let mut matched = chars.next_if_eq(&',').is_some();
            for expected in "ParameterValue=".chars() {
                matched = matched && chars.next_if_eq(&expected).is_some();
            }
            if !matched {
                return Err(format!(
                    "`ParameterKey={name}` is not followed by `,ParameterValue=…`"
                ));
            }
            key = name;
        }
        if !valid_key(&key) {
            return Err(format!(
                "`{key}` is not a parameter name (letters and digits only)"
            ));
        }
        let value = match chars.peek() {
            Some('"') => {
                chars.next();
                let mut v = String::new();
                loop {
                    match chars.next() {
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => v.push(c),
                            Some(c) => {
                                v.push('\\');
                                v.push(c);
                            }
                            None => {
                                return Err(format!("the value of `{key}` has no closing `\"`"));
                            }
                        },
                        Some('"') => break,
                        Some(c) => v.push(c),
                        None => return Err(format!("the value of `{key}` has no closing `\"`")),
                    }
                }
                v
            }
            Some('\'') => {
                chars.next();
                let mut v = String::new();
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => v.push(c),
                        None => return Err(format!("the value of `{key}` has no closing `'`")),
                    }
                }
                v
            }
            _ => {
                let mut v = String::new();
                while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                    v.push(c);
                }
                v
            }
        };
        if chars.peek().is_some_and(|c| !c.is_whitespace()) {
            return Err(format!(
                "the value of `{key}` is followed by text without a space"
            ));
        }
        out.push((key, value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn override_strings() {
        assert_eq!(
            overrides_string(r#"Stage=dev Name="a b" Quote="say \"hi\"" Single='x y'"#),
            Ok(pairs(&[
                ("Stage", "dev"),
                ("Name", "a b"),
                ("Quote", "say \"hi\""),
                ("Single", "x y"),
            ]))
        );
        assert_eq!(
            overrides_string(
                "ParameterKey=Stage,ParameterValue=prod ParameterKey=Name,ParameterValue=\"a b\""
            ),
            Ok(pairs(&[("Stage", "prod"), ("Name", "a b")]))
        );
        assert_eq!(
            overrides_string("Url=https://x.example/?a=b Empty="),
            Ok(pairs(&[("Url", "https://x.example/?a=b"), ("Empty", "")]))
        );
        assert_eq!(overrides_string("  "), Ok(Vec::new()));
    }

    #[test]
    fn override_string_errors() {
        assert!(overrides_string("Stage").is_err());
        assert!(overrides_string("Name=\"open").is_err());
        assert!(overrides_string("Bad-Key=1").is_err());
        assert!(overrides_string("ParameterKey=Stage ParameterValue=x").is_err());
        assert!(overrides_string("Name=\"a\"b").is_err());
        let e = overrides_string("file://params.json");
        assert!(e.as_ref().is_err_and(|e| e.contains("file://")), "{e:?}");
    }

    #[test]
    fn list_items_need_no_quotes() {
        assert_eq!(override_item("Name=a b"), Ok(pairs(&[("Name", "a b")])));
        assert_eq!(override_item("Name=\"a b\""), Ok(pairs(&[("Name", "a b")])));
        assert_eq!(
            override_item("A=1 B=2"),
            Ok(pairs(&[("A", "1"), ("B", "2")]))
        );
        assert!(override_item("no equals sign").is_err());
    }
}
