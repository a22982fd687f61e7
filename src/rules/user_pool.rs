//! UP: user pools.

use super::{Context, Emitter, Loc, RuleMeta, Severity};
use crate::template::intrinsic;

pub static UP001: RuleMeta = RuleMeta {
    id: "UP001",
    name: "immutable-email",
    tiers: &[("default", Severity::Warning)],
    summary: "`email` or `phone_number` schema attribute with `Mutable: false`: it can never be changed",
    help: "remove `Mutable: false` (schema attributes cannot be changed after the pool is created, so decide before the first deploy)",
    doc: include_str!("../../rules/UP001.md"),
};

pub fn check(cx: &Context<'_>, out: &mut Emitter<'_>) {
    let t = cx.template;
    let tree = &t.tree;
    for (_, pool) in t.resources_of_type("AWS::Cognito::UserPool") {
        let Some(schema) = pool.properties.and_then(|p| tree.get(p, "Schema")) else {
            continue;
        };
        for attr in intrinsic::items(tree, schema) {
            let Some(name) = tree.get(attr, "Name").and_then(|n| tree.str(n)) else {
                continue;
            };
            if !matches!(name, "email" | "phone_number") {
                continue;
            }
            let Some(mutable) = tree.get(attr, "Mutable") else {
                continue;
            };
            if let Some(v) = intrinsic::values(tree, mutable)
                .into_iter()
                .find(|v| tree.bool_value(*v) == Some(false))
            {
                out.emit(&UP001, None, Loc::Node(v), format!("`{name}` is immutable: users can never change it, and sign-in through an external identity provider that maps `{name}` fails"));
            }
        }
    }
}
