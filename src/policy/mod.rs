//! The IAM view of a template, built once per file: policy documents parsed into statements,
//! which roles each identity policy applies to, the identity-pool role attachments, and who can
//! assume each role (guest, signed-in Cognito identity, or other).

use crate::template::intrinsic;
use crate::template::{NodeId, Template, Tree};

pub const COGNITO_PRINCIPAL: &str = "cognito-identity.amazonaws.com";
pub const AUD_KEY: &str = "cognito-identity.amazonaws.com:aud";
pub const AMR_KEY: &str = "cognito-identity.amazonaws.com:amr";

#[derive(Clone, Debug)]
pub struct Statement {
    pub node: NodeId,
    pub effect: Option<NodeId>,
    pub principal: Option<NodeId>,
    pub not_principal: Option<NodeId>,
    pub action: Option<NodeId>,
    pub not_action: Option<NodeId>,
    pub resource: Option<NodeId>,
    pub not_resource: Option<NodeId>,
    pub condition: Option<NodeId>,
}

/// One `Operator: {Key: Value}` pair of a statement's Condition.
#[derive(Clone, Debug)]
pub struct Clause<'a> {
    pub op: &'a str,
    /// The mapping under the operator (its key is the operator).
    pub op_node: NodeId,
    pub key: &'a str,
    /// The value (its key is the condition key).
    pub value: NodeId,
}

impl Statement {
    fn parse(tree: &Tree, node: NodeId) -> Statement {
        let g = |k: &str| tree.get(node, k);
        Statement {
            node,
            effect: g("Effect"),
            principal: g("Principal"),
            not_principal: g("NotPrincipal"),
            action: g("Action"),
            not_action: g("NotAction"),
            resource: g("Resource"),
            not_resource: g("NotResource"),
            condition: g("Condition"),
        }
    }

    pub fn effect<'t>(&self, tree: &'t Tree) -> Option<&'t str> {
        self.effect.and_then(|e| tree.str(e))
    }
    pub fn is_allow(&self, tree: &Tree) -> bool {
        self.effect(tree) == Some("Allow")
    }

    /// Every literal action string of `Action`, each `Fn::If` branch included.
    pub fn actions<'t>(&self, tree: &'t Tree) -> Vec<(NodeId, &'t str)> {
        strings(tree, self.action)
    }

    pub fn clauses<'t>(&self, tree: &'t Tree) -> Vec<Clause<'t>> {
        let mut out = Vec::new();
        let Some(cond) = self.condition else {
            return out;
        };
        for c in intrinsic::values(tree, cond) {
            for op in tree.entries(c).unwrap_or_default() {
                let op_node = tree.deref(op.value);
                for k in tree.entries(op_node).unwrap_or_default() {
                    out.push(Clause {
                        op: &op.key,
                        op_node,
                        key: &k.key,
                        value: tree.deref(k.value),
                    });
                }
            }
        }
        out
    }

    /// Whether the principal names `cognito-identity.amazonaws.com` as federated principal.
    pub fn is_cognito(&self, tree: &Tree) -> bool {
        self.federated(tree).is_some()
    }

    /// The `Federated: cognito-identity.amazonaws.com` value node.
    pub fn federated(&self, tree: &Tree) -> Option<NodeId> {
        let p = self.principal.or(self.not_principal)?;
        let fed = tree.get(p, "Federated")?;
        strings(tree, Some(fed))
            .into_iter()
            .find(|(_, s)| *s == COGNITO_PRINCIPAL)
            .map(|(n, _)| n)
    }
}

/// The literal strings of a string-or-list value, each `Fn::If` branch included.
pub fn strings(tree: &Tree, node: Option<NodeId>) -> Vec<(NodeId, &str)> {
    let Some(node) = node else { return Vec::new() };
    intrinsic::items(tree, node)
        .into_iter()
        .filter_map(|n| tree.str(n).map(|s| (n, s)))
        .collect()
}

#[derive(Clone, Debug)]
pub struct Document {
    pub node: NodeId,
    pub version: Option<NodeId>,
    pub statements: Vec<Statement>,
}

impl Document {
    pub fn parse(tree: &Tree, node: NodeId) -> Option<Document> {
        tree.entries(node)?;
        let statements = match tree.get(node, "Statement") {
            // (A statement given by an intrinsic — an import, an unknown Serverless variable —
            // is unknown: nothing to judge.)
            Some(s) => intrinsic::items(tree, s)
                .into_iter()
                .filter(|n| {
                    tree.entries(*n).is_some() && intrinsic::as_intrinsic(tree, *n).is_none()
                })
                .map(|n| Statement::parse(tree, n))
                .collect(),
            None => Vec::new(),
        };
        Some(Document {
            node,
            version: tree.get(node, "Version"),
            statements,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    Other,
    SignedIn,
    Guest,
}

impl Tier {
    pub fn name(self) -> &'static str {
        match self {
            Tier::Guest => "guest",
            Tier::SignedIn => "signed-in",
            Tier::Other => "other",
        }
    }
}

/// An identity policy and the roles it applies to.
#[derive(Clone, Debug)]
pub struct Policy {
    pub doc: Document,
    /// The resource that holds the document.
    pub owner: usize,
    /// Roles (resource indexes) the policy applies to.
    pub roles: Vec<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Authenticated,
    Unauthenticated,
    /// A rule of `RoleMappings`.
    Mapping,
}

impl Slot {
    pub fn name(self) -> &'static str {
        match self {
            Slot::Authenticated => "authenticated",
            Slot::Unauthenticated => "unauthenticated",
            Slot::Mapping => "RoleMappings",
        }
    }
}

/// A role attached to an identity pool by an `AWS::Cognito::IdentityPoolRoleAttachment`.
#[derive(Clone, Debug)]
pub struct Attached {
    pub attachment: usize,
    /// The identity pool (resource index) the attachment is for, if this template creates it.
    pub pool: Option<usize>,
    pub slot: Slot,
    /// The value that names the role (its key is the slot).
    pub value: NodeId,
}

#[derive(Clone, Debug)]
pub struct Role {
    pub resource: usize,
    pub trust: Option<Document>,
    /// Indexes into `trust.statements` of the statements for the Cognito federated principal.
    pub cognito: Vec<usize>,
    pub attached: Vec<Attached>,
    pub tier: Tier,
    /// The identity pools of this template that can hand out credentials for the role (see
    /// [`Model::reaching_pools`]), computed once.
    pub pools: Vec<usize>,
}

impl Role {
    /// The role's trust statements for the Cognito federated principal.
    pub fn cognito_statements(&self) -> impl Iterator<Item = &Statement> {
        self.trust
            .iter()
            .flat_map(|d| self.cognito.iter().map(move |&k| &d.statements[k]))
    }

    /// Of those, the `Allow` ones: the statements that let Cognito identities in.
    pub fn cognito_allows<'s>(
        &'s self,
        tree: &'s Tree,
    ) -> impl Iterator<Item = &'s Statement> + 's {
        self.cognito_statements().filter(move |s| s.is_allow(tree))
    }
}

pub struct Model<'a> {
    pub template: &'a Template,
    /// Identity policies (of roles, users, groups, standalone, SAM functions).
    pub policies: Vec<Policy>,
    /// Resource-based policies and trust policies: (document, owner resource, is a trust policy).
    pub resource_policies: Vec<(Document, usize, bool)>,
    pub roles: Vec<Role>,
    role_index: std::collections::HashMap<usize, usize>,
}

/// Resource-based policies: (type, property holding the document).
const RESOURCE_POLICIES: &[(&str, &str)] = &[
    ("AWS::S3::BucketPolicy", "PolicyDocument"),
    ("AWS::SQS::QueuePolicy", "PolicyDocument"),
    ("AWS::SNS::TopicPolicy", "PolicyDocument"),
    ("AWS::KMS::Key", "KeyPolicy"),
    ("AWS::SecretsManager::ResourcePolicy", "ResourcePolicy"),
    ("AWS::Events::EventBusPolicy", "Statement"),
    ("AWS::OpenSearchService::Domain", "AccessPolicies"),
    ("AWS::Elasticsearch::Domain", "AccessPolicies"),
];

const ROLE: &str = "AWS::IAM::Role";
const IDENTITY_POOL: &str = "AWS::Cognito::IdentityPool";

fn inline_policies(
    t: &Template,
    owner: usize,
    props: NodeId,
    roles: &[usize],
    out: &mut Vec<Policy>,
) {
    let tree = &t.tree;
    let Some(list) = tree.get(props, "Policies") else {
        return;
    };
    for p in intrinsic::items(tree, list) {
        if let Some(doc) = tree
            .get(p, "PolicyDocument")
            .and_then(|d| Document::parse(tree, d))
        {
            out.push(Policy {
                doc,
                owner,
                roles: roles.to_vec(),
            });
        }
    }
}

impl<'a> Model<'a> {
    pub fn build(t: &'a Template) -> Model<'a> {
        let tree = &t.tree;
        let mut policies = Vec::new();
        let mut roles: Vec<Role> = Vec::new();
        let mut role_slot: std::collections::HashMap<usize, usize> =
            std::collections::HashMap::new();
        for (i, r) in t.resources.iter().enumerate() {
            let (Some(ty), Some(props)) = (r.type_name.as_deref(), r.properties) else {
                if r.type_name.as_deref() == Some(ROLE) {
                    role_slot.insert(i, roles.len());
                    roles.push(Role {
                        resource: i,
                        trust: None,
                        cognito: Vec::new(),
                        attached: Vec::new(),
                        tier: Tier::Other,
                        pools: Vec::new(),
                    });
                }
                continue;
            };
            match ty {
                ROLE => {
                    let trust = tree
                        .get(props, "AssumeRolePolicyDocument")
                        .and_then(|d| Document::parse(tree, d));
                    let cognito = trust
                        .as_ref()
                        .map(|d| {
                            d.statements
                                .iter()
                                .enumerate()
                                .filter(|(_, s)| s.is_cognito(tree))
                                .map(|(k, _)| k)
                                .collect()
                        })
                        .unwrap_or_default();
                    role_slot.insert(i, roles.len());
                    roles.push(Role {
                        resource: i,
                        trust,
                        cognito,
                        attached: Vec::new(),
                        tier: Tier::Other,
                        pools: Vec::new(),
                    });
                    inline_policies(t, i, props, &[i], &mut policies);
                }
                "AWS::IAM::User" | "AWS::IAM::Group" => {
                    inline_policies(t, i, props, &[], &mut policies)
                }
                "AWS::IAM::Policy"
                | "AWS::IAM::ManagedPolicy"
                | "AWS::IAM::RolePolicy"
                | "AWS::IAM::UserPolicy"
                | "AWS::IAM::GroupPolicy" => {
                    // Standalone policies name their roles in `Roles`, role policies in `RoleName`.
                    let roles_key = if ty.ends_with("RolePolicy") {
                        "RoleName"
                    } else {
                        "Roles"
                    };
                    if let Some(doc) = tree
                        .get(props, "PolicyDocument")
                        .and_then(|d| Document::parse(tree, d))
                    {
                        let roles = tree
                            .get(props, roles_key)
                            .map(|n| intrinsic::resource_targets(t, n))
                            .unwrap_or_default();
                        policies.push(Policy {
                            doc,
                            owner: i,
                            roles,
                        });
                    }
                }
                "AWS::Serverless::Function" => {
                    if let Some(list) = tree.get(props, "Policies") {
                        for p in intrinsic::items(tree, list) {
                            if tree.get(p, "Statement").is_some() {
                                if let Some(doc) = Document::parse(tree, p) {
                                    policies.push(Policy {
                                        doc,
                                        owner: i,
                                        roles: Vec::new(),
                                    });
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        // Managed policies named in a role's ManagedPolicyArns apply to that role.
        let mut by_owner: std::collections::HashMap<usize, Vec<usize>> =
            std::collections::HashMap::new();
        for (k, p) in policies.iter().enumerate() {
            by_owner.entry(p.owner).or_default().push(k);
        }
        for role in &roles {
            let Some(props) = t.resources[role.resource].properties else {
                continue;
            };
            let Some(arns) = tree.get(props, "ManagedPolicyArns") else {
                continue;
            };
            for target in intrinsic::resource_targets(t, arns) {
                for &k in by_owner.get(&target).map_or(&[][..], Vec::as_slice) {
                    if !policies[k].roles.contains(&role.resource) {
                        policies[k].roles.push(role.resource);
                    }
                }
            }
        }
        // Identity-pool role attachments.
        for (i, _) in t.resources_of_type("AWS::Cognito::IdentityPoolRoleAttachment") {
            let Some(props) = t.resources[i].properties else {
                continue;
            };
            let pool = tree.get(props, "IdentityPoolId").and_then(|n| {
                intrinsic::resources_of_type(t, n, IDENTITY_POOL)
                    .first()
                    .copied()
            });
            let mut slots: Vec<(Slot, NodeId)> = Vec::new();
            if let Some(r) = tree.get(props, "Roles") {
                for e in tree.entries(r).unwrap_or_default() {
                    let slot = match &*e.key {
                        "authenticated" => Slot::Authenticated,
                        "unauthenticated" => Slot::Unauthenticated,
                        _ => continue,
                    };
                    slots.push((slot, tree.deref(e.value)));
                }
            }
            if let Some(m) = tree.get(props, "RoleMappings") {
                for mapping in tree.entries(m).unwrap_or_default() {
                    let rules = tree.get_path(mapping.value, &["RulesConfiguration", "Rules"]);
                    for rule in rules.map(|r| intrinsic::items(tree, r)).unwrap_or_default() {
                        if let Some(v) = tree.get(rule, "RoleARN") {
                            slots.push((Slot::Mapping, v));
                        }
                    }
                }
            }
            for (slot, value) in slots {
                for role in intrinsic::resource_targets(t, value) {
                    if let Some(&k) = role_slot.get(&role) {
                        roles[k].attached.push(Attached {
                            attachment: i,
                            pool,
                            slot,
                            value,
                        });
                    }
                }
            }
        }
        let mut resource_policies = Vec::new();
        for role in &roles {
            if let Some(doc) = &role.trust {
                resource_policies.push((doc.clone(), role.resource, true));
            }
        }
        for (i, r) in t.resources.iter().enumerate() {
            let (Some(ty), Some(props)) = (r.type_name.as_deref(), r.properties) else {
                continue;
            };
            for (rty, key) in RESOURCE_POLICIES {
                if ty == *rty && *key != "Statement" {
                    if let Some(doc) = tree.get(props, key).and_then(|d| Document::parse(tree, d)) {
                        resource_policies.push((doc, i, false));
                    }
                }
            }
        }
        let mut model = Model {
            template: t,
            policies,
            resource_policies,
            roles,
            role_index: role_slot,
        };
        for k in 0..model.roles.len() {
            model.roles[k].pools = model.reaching_pools(&model.roles[k]);
            model.roles[k].tier = model.compute_tier(&model.roles[k]);
        }
        model
    }

    /// The identity pools of this template that can hand out credentials for a role: those it
    /// is attached to and those its aud condition names.
    pub fn reaching_pools(&self, role: &Role) -> Vec<usize> {
        let t = self.template;
        let tree = &t.tree;
        let mut pools: Vec<usize> = role.attached.iter().filter_map(|a| a.pool).collect();
        for st in role.cognito_statements() {
            for c in st
                .clauses(tree)
                .iter()
                .filter(|c| c.key.eq_ignore_ascii_case(AUD_KEY))
            {
                pools.extend(intrinsic::resources_of_type(t, c.value, IDENTITY_POOL));
            }
        }
        pools.sort_unstable();
        pools.dedup();
        pools
    }

    fn compute_tier(&self, role: &Role) -> Tier {
        let tree = &self.template.tree;
        if role.trust.is_none() {
            return if role.attached.is_empty() {
                Tier::Other
            } else {
                Tier::SignedIn
            };
        }
        let allow: Vec<&Statement> = role.cognito_allows(tree).collect();
        let web_identity = allow.iter().any(|s| {
            s.actions(tree).iter().any(|(_, a)| {
                ["sts:AssumeRoleWithWebIdentity", "sts:*", "*"]
                    .iter()
                    .any(|w| a.eq_ignore_ascii_case(w))
            })
        });
        if !web_identity && role.attached.is_empty() {
            return Tier::Other;
        }
        if role
            .attached
            .iter()
            .any(|a| a.slot == Slot::Unauthenticated)
        {
            return Tier::Guest;
        }
        let admits_guests = allow.is_empty()
            || allow.iter().any(|s| {
                let amr: Vec<Clause> = s
                    .clauses(tree)
                    .into_iter()
                    .filter(|c| c.key.eq_ignore_ascii_case(AMR_KEY))
                    .collect();
                amr.is_empty()
                    || amr.iter().any(|c| {
                        strings(tree, Some(c.value)).iter().any(|(_, v)| {
                            *v == "unauthenticated" || (c.op.contains("Like") && v.contains('*'))
                        })
                    })
            });
        let t = self.template;
        let pool_allows_guests = role.pools.iter().any(|&p| {
            t.resources[p]
                .properties
                .and_then(|props| tree.get(props, "AllowUnauthenticatedIdentities"))
                .is_some_and(|v| {
                    // Only a known value (written or given) enables guests: a default alone
                    // would grade the role's findings above a warning (RULES.md, *Unknown is
                    // not wrong*).
                    intrinsic::value(t, v)
                        .into_iter()
                        .any(|b| !b.is_default() && !b.is_unknown() && b.bool(tree) == Some(true))
                })
        });
        if admits_guests && pool_allows_guests {
            Tier::Guest
        } else {
            Tier::SignedIn
        }
    }

    pub fn role_of(&self, resource: usize) -> Option<&Role> {
        self.role_index.get(&resource).map(|&k| &self.roles[k])
    }

    /// The most exposed tier among the roles a policy applies to.
    pub fn policy_tier(&self, policy: &Policy) -> Tier {
        policy
            .roles
            .iter()
            .filter_map(|r| self.role_of(*r))
            .map(|r| r.tier)
            .max()
            .unwrap_or(Tier::Other)
    }
}
