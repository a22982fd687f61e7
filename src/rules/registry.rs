//! The one list of every rule, and of the checks that run them.

use super::{Check, RuleMeta, client, permissions, template, trust, user_pool};

/// Every rule, in ID order.
pub static RULES: &[&RuleMeta] = &[
    &template::TM001,
    &template::TM002,
    &template::TM003,
    &template::TM004,
    &template::TM005,
    &template::TM006,
    &template::TM007,
    &template::TM008,
    &template::TM010,
    &trust::TR001,
    &trust::TR002,
    &trust::TR004,
    &trust::TR005,
    &permissions::PM001,
    &user_pool::UP001,
    &client::UC001,
];

/// Checks run on the prepared template (TM001–TM007 and TM010 come from parsing and the graph).
pub static CHECKS: &[Check] = &[
    template::check_yaml_booleans,
    trust::check,
    permissions::check,
    user_pool::check,
    client::check,
];

/// A rule by ID or name (case-insensitive for IDs).
pub fn find(key: &str) -> Option<&'static RuleMeta> {
    RULES
        .iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(key) || r.name == key)
}

/// Rules selected by an ID, an ID prefix (`TR`, `PM00`) or a name.
pub fn matching(key: &str) -> Vec<&'static RuleMeta> {
    if let Some(r) = find(key) {
        return vec![r];
    }
    let upper = key.to_ascii_uppercase();
    RULES
        .iter()
        .copied()
        .filter(|r| !upper.is_empty() && r.id.starts_with(&upper))
        .collect()
}
