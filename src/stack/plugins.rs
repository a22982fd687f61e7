//! Serverless Framework plugins: which add CloudFormation resources, and under which names
//! (data: `rules/data/serverless-plugins.txt`).

static DATA: &str = include_str!("../../rules/data/serverless-plugins.txt");

/// What the plugins of a service may add.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PluginNames {
    /// Patterns (`*` = any text) of the names the known plugins add.
    pub patterns: Vec<String>,
    /// Plugins the table does not know: they may add any name.
    pub unknown: Vec<String>,
}

/// The names a service's plugins may add.
pub fn names_of(plugins: &[String]) -> PluginNames {
    let mut out = PluginNames::default();
    for p in plugins {
        // `serverless-foo@1.2.3` and local plugins `./plugins/foo` are named by their package.
        let name = p.trim();
        let found = DATA
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split_once('\t'))
            .find(|(n, _)| *n == name);
        match found {
            Some((_, "-")) => {}
            Some((_, names)) => out
                .patterns
                .extend(names.split(',').map(|s| s.trim().to_string())),
            None => out.unknown.push(name.to_string()),
        }
    }
    out
}

/// Whether `name` matches a pattern with `*` wildcards.
pub fn matches(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_unknown_and_patterns() {
        let n = names_of(&[
            "serverless-offline".into(),
            "serverless-appsync-plugin".into(),
            "@enterprise-cmcs/serverless-waf-plugin".into(),
        ]);
        assert_eq!(
            n.unknown,
            vec!["@enterprise-cmcs/serverless-waf-plugin".to_string()]
        );
        assert!(
            n.patterns
                .iter()
                .any(|p| matches(p, "AppsyncapiGraphQlApi"))
        );
        assert!(!n.patterns.iter().any(|p| matches(p, "UserPool")));
        assert!(matches(
            "*IamRoleLambdaExecution",
            "HelloIamRoleLambdaExecution"
        ));
        assert!(!matches("A*B*C", "AB"));
        assert!(matches("A*B*C", "AxBxC"));
    }
}
