//! The one list of every rule, and of the checks that run them.

use super::{Check, RuleMeta, client, identity_pool, permissions, template, trust, user_pool};

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
    &template::TM009,
    &template::TM010,
    &template::TM011,
    &trust::TR001,
    &trust::TR002,
    &trust::TR003,
    &trust::TR004,
    &trust::TR005,
    &trust::TR006,
    &permissions::PM001,
    &permissions::PM002,
    &permissions::PM003,
    &permissions::PM004,
    &permissions::PM005,
    &permissions::PM006,
    &permissions::PM007,
    &permissions::PM008,
    &user_pool::UP001,
    &user_pool::UP002,
    &user_pool::UP003,
    &user_pool::UP004,
    &user_pool::UP005,
    &user_pool::UP006,
    &user_pool::UP007,
    &user_pool::UP008,
    &user_pool::UP009,
    &user_pool::UP010,
    &user_pool::UP011,
    &client::UC001,
    &client::UC002,
    &client::UC003,
    &client::UC004,
    &client::UC005,
    &client::UC006,
    &client::UC007,
    &identity_pool::IP001,
    &identity_pool::IP002,
    &identity_pool::IP003,
    &identity_pool::IP004,
    &identity_pool::IP005,
    &identity_pool::IP006,
    &identity_pool::IP007,
    &identity_pool::IP008,
    &identity_pool::IP009,
];

/// Checks run on the prepared template and its graph (TM001, TM002, TM010 and part of TM008
/// come from parsing).
pub static CHECKS: &[Check] = &[
    template::check_references,
    template::check_cycles,
    template::check_yaml_booleans,
    trust::check,
    permissions::check_wildcard_actions,
    permissions::check_policy_documents,
    permissions::check_managed_policies,
    user_pool::check_immutable_email,
    user_pool::check_pool_settings,
    client::check_secret_on_public_client,
    client::check_client_settings,
    user_pool::check_account_settings,
    client::check_redirect_urls,
    identity_pool::check_flows_and_mappings,
    // After the permission rules: IP001 and IP009 look at their findings.
    identity_pool::check,
    identity_pool::check_open_sign_up,
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

/// The rule families, as ID prefixes (`--select TR`).
pub const FAMILIES: &[&str] = &["TM", "TR", "PM", "UP", "UC", "IP"];

/// The message for a rule key that matches no rule (`place` says where it was written:
/// `ignore`, `--select`; may be empty), with the nearest ID, name or family as a suggestion.
pub fn unknown_rule(key: &str, place: &str) -> String {
    let candidates = RULES
        .iter()
        .flat_map(|r| [r.id, r.name])
        .chain(FAMILIES.iter().copied());
    let place = if place.is_empty() {
        String::new()
    } else {
        format!(" in {place}")
    };
    crate::suggest::unknown("rule", key, &place, candidates, "see --list-rules")
}
