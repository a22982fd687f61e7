//! The baseline (`--write-baseline FILE`, `--baseline FILE`): today's findings, written down so
//! that an old repository can adopt the linter and hear only about new problems.
//!
//! An entry is keyed by rule, file, resource, JSON pointer and a hash of the offending text —
//! never a line number, so lines inserted above a finding keep it matched:
//! - `file`: relative to the baseline file's folder, with `/` (the baseline stays valid from
//!   any working directory and on any system);
//! - `hash`: FNV-1a 64 (hex) of the rule ID and the text at the finding's span with every run of
//!   whitespace made one space (re-indenting a block keeps it matched; changing the text does
//!   not).
//!
//! Matching is a multiset: two identical entries absorb two identical findings. The file is
//! JSON, sorted by file, rule, resource, pointer and hash, indented by two spaces, one entry a
//! finding, so that it diffs well in review.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::FileReport;
use crate::rules::Finding;

const TOOL: &str = "cfn-cognito-lint";
const VERSION: u32 = 1;

/// One finding of the baseline.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Entry {
    pub rule: String,
    pub file: String,
    pub resource: Option<String>,
    pub path: String,
    pub hash: String,
}

impl Entry {
    fn sort_key(&self) -> (&str, &str, Option<&str>, &str, &str) {
        (
            &self.file,
            &self.rule,
            self.resource.as_deref(),
            &self.path,
            &self.hash,
        )
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    version: u32,
    tool: String,
    findings: Vec<Entry>,
}

/// FNV-1a 64 of the rule ID and the offending text, whitespace normalised, in hex.
pub fn hash(rule: &str, text: &str) -> String {
    let mut h = crate::report::Fnv::new();
    h.bytes(rule.as_bytes());
    h.bytes(&[0]);
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            h.bytes(b" ");
        }
        h.bytes(word.as_bytes());
    }
    format!("{:016x}", h.0)
}

/// `file` relative to the folder `dir` (both absolute), with `/`.
fn relative(dir: &Path, file: &Path) -> String {
    let a: Vec<Component> = dir.components().collect();
    let b: Vec<Component> = file.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); a.len() - common];
    parts.extend(
        b[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// The absolute folder a baseline file's paths are relative to.
fn folder_of(baseline: &Path) -> PathBuf {
    crate::stack::absolute(baseline)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn entry(dir: &Path, report: &FileReport, f: &Finding) -> Entry {
    let text = report.source.get(f.span.range()).unwrap_or_default();
    Entry {
        rule: f.rule.id.to_string(),
        file: relative(dir, &crate::stack::absolute(Path::new(&report.path))),
        resource: f.resource.clone(),
        path: f.pointer.clone(),
        hash: hash(f.rule.id, text),
    }
}

/// The baseline document of the reports' findings, for a baseline file in `dir`.
pub fn render(reports: &[FileReport], dir: &Path) -> String {
    let mut findings: Vec<Entry> = reports
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| entry(dir, r, f)))
        .collect();
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let doc = Document {
        version: VERSION,
        tool: TOOL.to_string(),
        findings,
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes the reports' findings as the baseline `path` (never over a template or a file the
/// run read); returns how many findings it holds.
pub fn write(path: &Path, reports: &[FileReport], read: &[PathBuf]) -> Result<usize, String> {
    crate::output::refuse_overwrite("--write-baseline", path, read)?;
    let text = render(reports, &folder_of(path));
    crate::output::write_through_temp(path, text.as_bytes())
        .map_err(|e| format!("writing the baseline {}: {e}", path.display()))?;
    Ok(reports.iter().map(|r| r.findings.len()).sum())
}

/// A baseline read from its file.
#[derive(Debug)]
pub struct Baseline {
    entries: Vec<Entry>,
    dir: PathBuf,
    display: String,
}

impl Baseline {
    /// Reads a baseline; a missing, unreadable or invalid file is an error (exit 2).
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let display = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("--baseline {display}: {e}"))?;
        let doc: Document = serde_json::from_str(&text)
            .map_err(|e| format!("--baseline {display}: not a cfn-cognito-lint baseline ({e})"))?;
        if doc.version != VERSION || doc.tool != TOOL {
            return Err(format!(
                "--baseline {display}: not a cfn-cognito-lint baseline of version {VERSION} (tool `{}`, version {})",
                doc.tool, doc.version
            ));
        }
        Ok(Baseline {
            entries: doc.findings,
            dir: folder_of(path),
            display,
        })
    }

    /// Drops the findings the baseline holds (each entry absorbs one finding) and returns the
    /// stale entries, as lines to show: entries of files this run read that match no finding
    /// any more, and entries of files that no longer exist. Entries of files the run did not
    /// read (a pre-commit run names only the staged files) are neither matched nor stale.
    pub fn filter(&self, reports: &mut [FileReport]) -> Vec<String> {
        let mut left: HashMap<&Entry, usize> = HashMap::new();
        for e in &self.entries {
            *left.entry(e).or_default() += 1;
        }
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for r in reports.iter_mut() {
            let mut findings = std::mem::take(&mut r.findings);
            findings.retain(|f| {
                let key = entry(&self.dir, r, f);
                match left.get_mut(&key) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        false
                    }
                    _ => true,
                }
            });
            r.findings = findings;
            seen.insert(relative(
                &self.dir,
                &crate::stack::absolute(Path::new(&r.path)),
            ));
        }
        let mut stale: Vec<&Entry> = Vec::new();
        for e in &self.entries {
            let read = seen.contains(&e.file);
            if !read && self.dir.join(&e.file).exists() {
                continue;
            }
            if let Some(n) = left.get_mut(e).filter(|n| **n > 0) {
                *n -= 1;
                stale.push(e);
            }
        }
        stale.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        stale
            .iter()
            .map(|e| {
                format!(
                    "{}: stale entry: {} {} {}{} (no longer found)",
                    self.display,
                    e.rule,
                    e.file,
                    e.resource
                        .as_deref()
                        .map(|r| format!("resource `{r}` "))
                        .unwrap_or_default(),
                    if e.path.is_empty() { "/" } else { &e.path }
                )
            })
            .collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_ignores_whitespace_runs_but_not_text() {
        assert_eq!(hash("PM001", "a:  b\n  c"), hash("PM001", "a: b c"));
        assert_eq!(hash("PM001", "a: b\r\n  c"), hash("PM001", "a: b c"));
        assert_ne!(hash("PM001", "a: b"), hash("PM002", "a: b"));
        assert_ne!(hash("PM001", "a: b"), hash("PM001", "a: c"));
        // FNV-1a 64 of "A\0": fixed, so baselines stay valid across versions.
        assert_eq!(hash("A", ""), "0908a207b5a15704");
    }

    #[test]
    fn relative_paths_use_slashes_and_climb() {
        assert_eq!(
            relative(Path::new("/r/a"), Path::new("/r/a/b/c.yaml")),
            "b/c.yaml"
        );
        assert_eq!(
            relative(Path::new("/r/a"), Path::new("/r/x/c.yaml")),
            "../x/c.yaml"
        );
    }
}
