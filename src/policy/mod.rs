//! The IAM view of a template, built once per file: policy documents parsed into statements,
//! which roles each identity policy applies to, the identity-pool role attachments, and who can
//! assume each role (guest, signed-in Cognito identity, or other).

pub mod managed;

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

    /// The `Federated: cognito-identity.amazonaws.com` value node (written as a literal or as a
    /// `Fn::FindInMap` whose mapping gives that value).
    pub fn federated(&self, tree: &Tree) -> Option<NodeId> {
        let p = self.principal.or(self.not_principal)?;
        let fed = tree.get(p, "Federated")?;
        intrinsic::items(tree, fed)
            .into_iter()
            .find(|&n| match tree.str(n) {
                Some(s) => s == COGNITO_PRINCIPAL,
                None => find_in_map(tree, n).is_some_and(|v| v == [COGNITO_PRINCIPAL]),
            })
    }
}

/// The values a `Fn::FindInMap` can take, from the template's `Mappings`: one for literal keys;
/// for a key written with an intrinsic (`!Ref AWS::Region`), the distinct values under every
/// key. `None` when the mapping or a literal key is missing, or a value is not a string.
pub fn find_in_map(tree: &Tree, node: NodeId) -> Option<Vec<&str>> {
    let (name, arg, _) = intrinsic::as_intrinsic(tree, node)?;
    if name != "Fn::FindInMap" {
        return None;
    }
    let args = tree.items(arg)?;
    let [map, first, second] = args else {
        return None;
    };
    let root = root_of(tree, node);
    let mappings = tree.get(root, "Mappings")?;
    let map = tree.get(mappings, tree.str(*map)?)?;
    let level = |parent: NodeId, key: NodeId| -> Option<Vec<NodeId>> {
        match tree.str(key) {
            Some(k) => tree.get(parent, k).map(|v| vec![v]),
            None => Some(
                tree.entries(parent)?
                    .iter()
                    .map(|e| tree.deref(e.value))
                    .collect(),
            ),
        }
    };
    let mut out: Vec<&str> = Vec::new();
    for top in level(map, *first)? {
        for v in level(top, *second)? {
            let s = tree.str(v)?;
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The root of the tree a node sits in (the root is its own parent).
fn root_of(tree: &Tree, mut node: NodeId) -> NodeId {
    for _ in 0..tree.len() {
        let parent = tree.node(node).parent;
        if parent == node {
            break;
        }
        node = parent;
    }
    node
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
    /// Signed-in, but anyone on the internet can become a signed-in identity (see [`Door`]):
    /// graded like a guest.
    OpenSignUp,
    Guest,
}

impl Tier {
    pub fn name(self) -> &'static str {
        match self {
            Tier::Guest => "guest",
            Tier::OpenSignUp => "open-sign-up",
            Tier::SignedIn => "signed-in",
            Tier::Other => "other",
        }
    }
    /// Who holds a policy of this tier, for messages.
    pub fn holders(self) -> &'static str {
        match self {
            Tier::Guest => "guest (unauthenticated) identities",
            Tier::OpenSignUp | Tier::SignedIn => "every signed-in Cognito identity",
            Tier::Other => "its principals",
        }
    }
}

/// How a stranger becomes a signed-in identity of an identity pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    /// The user pool's self sign-up is open (`AllowAdminCreateUserOnly` not true).
    SelfSignUp,
    /// A client of the user pool the identity pool uses offers a public social provider
    /// (federation creates users even when self sign-up is off).
    Social {
        client: usize,
        provider: &'static str,
    },
    /// The identity pool's `SupportedLoginProviders` names a public social provider.
    Login { provider: &'static str },
}

/// The signed-in door of an identity pool that anyone on the internet can walk through — or
/// could, unless the user pool's `PreSignUp` trigger rejects them.
#[derive(Clone, Debug)]
pub struct Door {
    pub identity_pool: usize,
    /// The user pool strangers sign up to (none for `Via::Login`).
    pub user_pool: Option<usize>,
    pub via: Via,
    /// The node of the identity pool that opens the door (a provider's `ProviderName` or
    /// `ClientId`, a `SupportedLoginProviders` key: point at its key when `at_key`).
    pub at: NodeId,
    pub at_key: bool,
    /// Where the user pool says so (its `AllowAdminCreateUserOnly`, the client's provider).
    pub cause: Option<NodeId>,
    /// The user pool's `PreSignUp` trigger: it may reject strangers, so the door is graded
    /// signed-in, and messages mention it.
    pub trigger: Option<NodeId>,
    /// A Serverless function attaches a `PreSignUp` trigger to an `existing` pool at deploy
    /// time (not written on the pool): graded like a written trigger.
    pub trigger_elsewhere: bool,
}

impl Door {
    /// Why anyone can assume a role behind this door, for messages ("anyone can sign up to
    /// `UserPool` and assume this role").
    pub fn why(&self, t: &Template) -> String {
        format!("{} and assume this role{}", self.who(t), self.unless(t))
    }
    /// Who can walk in: "anyone can sign up to `UserPool`", "anyone with a Google account can
    /// sign in to `IdentityPool`".
    pub fn who(&self, t: &Template) -> String {
        let name = |i: usize| t.resources.get(i).map_or("", |r| &*r.name);
        let pool = self.user_pool.map(name).unwrap_or_default();
        match &self.via {
            Via::SelfSignUp => format!("anyone can sign up to `{pool}`"),
            Via::Social { client, provider } => format!(
                "anyone can sign up to `{pool}` with a {provider} account (client `{}`)",
                name(*client)
            ),
            Via::Login { provider } => format!(
                "anyone with a {provider} account can sign in to `{}`",
                name(self.identity_pool)
            ),
        }
    }
    /// ", unless the PreSignUp trigger of `UserPool` rejects them" when there is one.
    pub fn unless(&self, t: &Template) -> String {
        let trigger = self.trigger.is_some() || self.trigger_elsewhere;
        match (trigger, self.user_pool.and_then(|i| t.resources.get(i))) {
            (true, Some(up)) => {
                format!(
                    ", unless the PreSignUp trigger of `{}` rejects them",
                    up.name
                )
            }
            _ => String::new(),
        }
    }
    /// Whether the door is open for certain (no trigger that may close it).
    pub fn open(&self) -> bool {
        self.trigger.is_none() && !self.trigger_elsewhere
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
    /// The `RoleArn` of an `AWS::Cognito::UserPoolGroup` of a user pool whose identity-pool
    /// provider has a `Type: Token` role mapping (`attachment` is then the group).
    Group,
}

impl Slot {
    pub fn name(self) -> &'static str {
        match self {
            Slot::Authenticated => "authenticated",
            Slot::Unauthenticated => "unauthenticated",
            Slot::Mapping => "RoleMappings",
            Slot::Group => "UserPoolGroup",
        }
    }
}

/// A role attached to an identity pool by an `AWS::Cognito::IdentityPoolRoleAttachment` (or
/// handed out through a user-pool group, [`Slot::Group`]).
#[derive(Clone, Debug)]
pub struct Attached {
    /// The role attachment (the group for [`Slot::Group`]).
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
    /// For a signed-in role: the door through which anyone can become a signed-in identity of
    /// a pool that hands the role out (open: tier [`Tier::OpenSignUp`]; behind a `PreSignUp`
    /// trigger: [`Tier::SignedIn`]).
    pub door: Option<Door>,
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

/// An AWS managed policy attached by ARN (`ManagedPolicyArns`, a SAM function's `Policies`).
#[derive(Clone, Debug)]
pub struct Managed {
    /// The ARN (or SAM policy name) as written in the template.
    pub arn: NodeId,
    /// Path and name after `policy/` (`service-role/AWSLambdaBasicExecutionRole`).
    pub path: String,
    /// The resource that names it.
    pub holder: usize,
    /// Roles (resource indexes) it applies to.
    pub roles: Vec<usize>,
}

impl Managed {
    /// Its document, from the shipped table (looked up on first use).
    pub fn policy(&self) -> Option<&'static managed::ManagedPolicy> {
        managed::lookup(&self.path)
    }
}

/// A source of a role's permissions, with its origin.
#[derive(Clone, Copy, Debug)]
pub enum Grant<'m> {
    /// A policy document of the template: inline `Policies`, `AWS::IAM::Policy`,
    /// `ManagedPolicy` or `RolePolicy` attached to the role, a SAM function's statements, a
    /// Serverless provider role's statements.
    Document(&'m Policy),
    /// An AWS managed policy attached by ARN.
    Managed(&'m Managed),
}

pub struct Model<'a> {
    pub template: &'a Template,
    /// Identity policies (of roles, users, groups, standalone, SAM functions).
    pub policies: Vec<Policy>,
    /// AWS managed policies attached by ARN.
    pub managed: Vec<Managed>,
    /// Resource-based policies and trust policies: (document, owner resource, is a trust policy).
    pub resource_policies: Vec<(Document, usize, bool)>,
    pub roles: Vec<Role>,
    role_index: std::collections::HashMap<usize, usize>,
    /// The door of each identity pool of the template, computed once.
    doors: std::collections::HashMap<usize, Option<Door>>,
}

/// Whether some of a role's Cognito `Allow` statements admit identities whose amr `wanted`
/// accepts: no statement, a statement without an amr condition, a value `wanted` accepts, or a
/// `*Like` wildcard; `empty_admits`: whether a condition with no values admits them.
fn amr_admits(
    tree: &Tree,
    allow: &[&Statement],
    empty_admits: bool,
    wanted: impl Fn(&str) -> bool,
) -> bool {
    allow.is_empty()
        || allow.iter().any(|s| {
            let amr: Vec<Clause> = s
                .clauses(tree)
                .into_iter()
                .filter(|c| c.key.eq_ignore_ascii_case(AMR_KEY))
                .collect();
            amr.is_empty()
                || amr.iter().any(|c| {
                    let values = strings(tree, Some(c.value));
                    (empty_admits && values.is_empty())
                        || values
                            .iter()
                            .any(|(_, v)| wanted(v) || (c.op.contains("Like") && v.contains('*')))
                })
        })
}

/// Whether a role mapping is `Type: Token` (written as such): Cognito then takes the role from
/// the token's `cognito:roles`/`cognito:preferred_role` claims (user-pool groups) and never
/// evaluates its `RulesConfiguration`.
pub fn token_mapping(tree: &Tree, mapping: NodeId) -> bool {
    let v = tree.deref(mapping);
    tree.get(v, "Type")
        .and_then(|ty| tree.str(ty))
        .is_some_and(|ty| ty == "Token")
}

/// The identity pool of this template an attachment's `IdentityPoolId` names.
fn attachment_pool(t: &Template, props: NodeId) -> Option<usize> {
    t.tree.get(props, "IdentityPoolId").and_then(|n| {
        intrinsic::resources_of_type(t, n, IDENTITY_POOL)
            .first()
            .copied()
    })
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
const USER_POOL: &str = "AWS::Cognito::UserPool";
const CLIENT: &str = "AWS::Cognito::UserPoolClient";

/// The resources of one type a value refers to anywhere inside it (`Ref`, `GetAtt`, `${X}` and
/// `${X.Attr}` of a `Sub`), e.g. the user pool of
/// `!Sub cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}:${Client}`.
pub fn named_resources(t: &Template, node: NodeId, ty: &str) -> Vec<usize> {
    let tree = &t.tree;
    let mut out = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let _ = tree.walk(node, 10_000, |id| match intrinsic::as_intrinsic(tree, id) {
        Some(("Ref", arg, _)) => names.extend(tree.str(arg).map(str::to_string)),
        Some(("Fn::GetAtt", arg, _)) => {
            names.extend(intrinsic::getatt_parts(tree, arg).map(|(r, _)| r))
        }
        Some(("Fn::Sub", arg, _)) => {
            let s = intrinsic::sub_string(tree, arg);
            for var in s.map(intrinsic::sub_vars).unwrap_or_default() {
                names.push(var.name.split('.').next().unwrap_or(var.name).to_string());
            }
        }
        _ => {}
    });
    for n in names {
        if let Some(i) = t
            .resource_idx(&n)
            .filter(|i| t.resources[*i].type_name.as_deref() == Some(ty))
        {
            if !out.contains(&i) {
                out.push(i);
            }
        }
    }
    out
}

/// Public social providers: as a user-pool client names them, as an identity pool's
/// `SupportedLoginProviders` does, and as messages say them.
const SOCIAL_CLIENT: &[(&str, &str)] = &[
    ("Google", "Google"),
    ("Facebook", "Facebook"),
    ("LoginWithAmazon", "Amazon"),
    ("SignInWithApple", "Apple"),
];
const SOCIAL_LOGIN: &[(&str, &str)] = &[
    ("accounts.google.com", "Google"),
    ("graph.facebook.com", "Facebook"),
    ("www.amazon.com", "Amazon"),
    ("appleid.apple.com", "Apple"),
];

/// Whether a user pool's self sign-up is open for certain: `AllowAdminCreateUserOnly` absent
/// or false on some branch (a written or given value; a parameter's default or an unknown
/// value keeps the door signed-in), and where it says so.
fn self_sign_up(t: &Template, props: NodeId) -> Option<Option<NodeId>> {
    let tree = &t.tree;
    let Some(cfg) = tree.get(props, "AdminCreateUserConfig") else {
        return Some(None);
    };
    for v in intrinsic::values(tree, cfg) {
        if tree.entries(v).is_none() || intrinsic::as_intrinsic(tree, v).is_some() {
            continue;
        }
        let only = tree.get(v, "AllowAdminCreateUserOnly");
        for value in intrinsic::property(t, only) {
            match value {
                intrinsic::Value::Absent => return Some(None),
                v if !v.is_unknown() && !v.is_default() && v.bool(tree) == Some(false) => {
                    return Some(v.at());
                }
                _ => {}
            }
        }
    }
    None
}

/// The user pool's `PreSignUp` trigger, if some branch sets one.
pub fn pre_sign_up(t: &Template, props: NodeId) -> Option<NodeId> {
    trigger(t, props, "PreSignUp")
}

/// A trigger of the user pool (`key` of its `LambdaConfig`), if some branch sets one.
fn trigger(t: &Template, props: NodeId, key: &str) -> Option<NodeId> {
    let tree = &t.tree;
    let lc = tree.get(props, "LambdaConfig")?;
    intrinsic::values(tree, lc)
        .into_iter()
        .filter_map(|v| tree.get(v, key))
        .find(|n| !intrinsic::values(tree, *n).is_empty())
}

/// A Serverless function's `cognitoUserPool` event with `trigger: PreSignUp` and `existing:
/// true`: the framework attaches it at deploy time to a pool named by its `UserPoolName`, which
/// we cannot always match, so any pool of the service may have it.
fn existing_pre_sign_up(t: &Template) -> bool {
    serverless_trigger(t, |trigger, existing| existing && trigger == "PreSignUp")
}

/// Whether a Serverless function of the service has a `cognitoUserPool` event that `wanted`
/// accepts (its trigger, and whether the pool is `existing`).
fn serverless_trigger(t: &Template, wanted: impl Fn(&str, bool) -> bool) -> bool {
    use crate::stack::sls_names::EventShape;
    t.generated_shape.as_ref().is_some_and(|shape| {
        shape.functions.iter().flat_map(|f| &f.events).any(|e| {
            matches!(e, EventShape::CognitoUserPool { trigger, existing, .. } if wanted(trigger, *existing))
        })
    })
}

/// The public social provider a client offers, if any (a literal name in
/// `SupportedIdentityProviders`, or a `!Ref` to an `AWS::Cognito::UserPoolIdentityProvider`
/// of that type), and where.
fn client_social(t: &Template, client: NodeId) -> Option<(&'static str, NodeId)> {
    let tree = &t.tree;
    let list = tree.get(client, "SupportedIdentityProviders")?;
    for item in intrinsic::items(tree, list) {
        let name = match tree.str(item) {
            Some(s) => Some(s),
            None => intrinsic::resources_of_type(t, item, "AWS::Cognito::UserPoolIdentityProvider")
                .first()
                .and_then(|&i| t.resources[i].properties)
                .and_then(|p| tree.get(p, "ProviderType"))
                .and_then(|n| tree.str(n)),
        };
        if let Some((_, shown)) = name.and_then(|n| SOCIAL_CLIENT.iter().find(|(k, _)| *k == n)) {
            return Some((shown, item));
        }
    }
    None
}

/// The door through which anyone can become a signed-in identity of an identity pool: an open
/// one if there is one, else one a `PreSignUp` trigger may close.
fn pool_door(t: &Template, pool: usize) -> Option<Door> {
    let mut found = pool_doors(t, pool);
    let open = found.iter().position(Door::open);
    match open {
        Some(k) => Some(found.swap_remove(k)),
        None => found.into_iter().next(),
    }
}

/// The user pools a resource's `UserPoolId` names (a user-pool client's, a group's); none
/// for a resource index out of range.
pub fn user_pools_of(t: &Template, resource: usize) -> Vec<usize> {
    t.resources
        .get(resource)
        .and_then(|r| r.properties)
        .and_then(|p| t.tree.get(p, "UserPoolId"))
        .map(|u| intrinsic::resources_of_type(t, u, USER_POOL))
        .unwrap_or_default()
}

/// One entry of an identity pool's `CognitoIdentityProviders`, resolved.
pub struct ProviderEntry {
    pub client_node: Option<NodeId>,
    pub name_node: Option<NodeId>,
    /// The user-pool clients `ClientId` names.
    pub clients: Vec<usize>,
    /// The user pools `ProviderName` names, then those of the clients, each once.
    pub user_pools: Vec<usize>,
}

/// Resolves one entry of `CognitoIdentityProviders`: the clients its `ClientId` names and the
/// user pools of its `ProviderName` and of those clients.
pub fn provider_entry(t: &Template, entry: NodeId) -> ProviderEntry {
    let tree = &t.tree;
    let client_node = tree.get(entry, "ClientId");
    let name_node = tree.get(entry, "ProviderName");
    let clients = client_node
        .map(|c| intrinsic::resources_of_type(t, c, CLIENT))
        .unwrap_or_default();
    let mut user_pools = name_node
        .map(|n| named_resources(t, n, USER_POOL))
        .unwrap_or_default();
    for &c in &clients {
        for u in user_pools_of(t, c) {
            if !user_pools.contains(&u) {
                user_pools.push(u);
            }
        }
    }
    ProviderEntry {
        client_node,
        name_node,
        clients,
        user_pools,
    }
}

/// Every door through which anyone can become a signed-in identity of an identity pool (open
/// or behind a `PreSignUp` trigger), in the order the pool names its providers: the access
/// graph shows each.
pub fn pool_doors(t: &Template, pool: usize) -> Vec<Door> {
    let tree = &t.tree;
    let Some(props) = t.resources.get(pool).and_then(|r| r.properties) else {
        return Vec::new();
    };
    let mut found: Vec<Door> = Vec::new();
    if let Some(logins) = tree.get(props, "SupportedLoginProviders") {
        for v in intrinsic::values(tree, logins) {
            for e in tree.entries(v).unwrap_or_default() {
                if let Some((_, shown)) = SOCIAL_LOGIN.iter().find(|(k, _)| **k == *e.key) {
                    found.push(Door {
                        identity_pool: pool,
                        user_pool: None,
                        via: Via::Login { provider: shown },
                        at: e.value,
                        at_key: true,
                        cause: None,
                        trigger: None,
                        trigger_elsewhere: false,
                    });
                }
            }
        }
    }
    let providers = tree
        .get(props, "CognitoIdentityProviders")
        .map(|n| intrinsic::items(tree, n))
        .unwrap_or_default();
    for entry in providers {
        let ProviderEntry {
            client_node,
            name_node,
            clients,
            user_pools,
        } = provider_entry(t, entry);
        for &up in &user_pools {
            let Some(up_props) = t.resources[up].properties else {
                continue;
            };
            let trigger = pre_sign_up(t, up_props);
            let trigger_elsewhere = trigger.is_none() && existing_pre_sign_up(t);
            let at = name_node.or(client_node).unwrap_or(entry);
            if let Some(cause) = self_sign_up(t, up_props) {
                found.push(Door {
                    identity_pool: pool,
                    user_pool: Some(up),
                    via: Via::SelfSignUp,
                    at,
                    at_key: false,
                    cause,
                    trigger,
                    trigger_elsewhere,
                });
            }
            for &c in &clients {
                let of_pool = user_pools_of(t, c).contains(&up);
                let social = t.resources[c]
                    .properties
                    .filter(|_| of_pool)
                    .and_then(|p| client_social(t, p));
                if let Some((provider, cause)) = social {
                    found.push(Door {
                        identity_pool: pool,
                        user_pool: Some(up),
                        via: Via::Social {
                            client: c,
                            provider,
                        },
                        at: client_node.unwrap_or(at),
                        at_key: false,
                        cause: Some(cause),
                        trigger,
                        trigger_elsewhere,
                    });
                }
            }
        }
    }
    found
}

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

/// The path and name of an AWS managed policy an ARN value names: a literal, a `!Sub` with
/// `${AWS::Partition}`, a `Fn::Join` of literals and `!Ref AWS::Partition` (CDK's form).
fn managed_path(t: &Template, node: NodeId) -> Option<String> {
    let tree = &t.tree;
    let text = match intrinsic::as_intrinsic(tree, node) {
        None => tree.str(node)?.to_string(),
        Some(("Fn::Sub", arg, _)) => {
            let s = tree.str(arg)?;
            let mut out = String::new();
            let mut last = 0;
            for var in intrinsic::sub_vars(s) {
                if var.name != "AWS::Partition" {
                    return None;
                }
                out.push_str(s.get(last..var.start)?);
                out.push_str("aws");
                last = var.end;
            }
            out.push_str(s.get(last..)?);
            out
        }
        Some(("Fn::Join", arg, _)) => {
            let [sep, parts] = tree.items(arg)? else {
                return None;
            };
            let sep = tree.str(*sep)?;
            let mut pieces = Vec::new();
            for part in tree.items(tree.deref(*parts))? {
                let part = tree.deref(*part);
                match intrinsic::as_intrinsic(tree, part) {
                    None => pieces.push(tree.str(part)?),
                    Some(("Ref", a, _)) if tree.str(a) == Some("AWS::Partition") => {
                        pieces.push("aws")
                    }
                    Some(_) => return None,
                }
            }
            pieces.join(sep)
        }
        Some(_) => return None,
    };
    managed::arn_path(&text).map(str::to_string)
}

/// The AWS managed policies a `ManagedPolicyArns` value names (each `Fn::If` branch).
fn managed_arns(
    t: &Template,
    holder: usize,
    list: NodeId,
    roles: &[usize],
    out: &mut Vec<Managed>,
) {
    for arn in intrinsic::items(&t.tree, list) {
        if let Some(path) = managed_path(t, arn) {
            out.push(Managed {
                arn,
                path,
                holder,
                roles: roles.to_vec(),
            });
        }
    }
}

impl<'a> Model<'a> {
    pub fn build(t: &'a Template) -> Model<'a> {
        let tree = &t.tree;
        let mut policies = Vec::new();
        let mut managed = Vec::new();
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
                        door: None,
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
                        door: None,
                    });
                    inline_policies(t, i, props, &[i], &mut policies);
                    if let Some(arns) = tree.get(props, "ManagedPolicyArns") {
                        managed_arns(t, i, arns, &[i], &mut managed);
                    }
                }
                "AWS::IAM::User" | "AWS::IAM::Group" => {
                    inline_policies(t, i, props, &[], &mut policies);
                    if let Some(arns) = tree.get(props, "ManagedPolicyArns") {
                        managed_arns(t, i, arns, &[], &mut managed);
                    }
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
                            } else if let Some(name) = tree.str(p) {
                                // SAM's managed-policy names (`AmazonS3FullAccess`) and ARNs.
                                let path = managed::arn_path(name).unwrap_or(name);
                                managed.push(Managed {
                                    arn: p,
                                    path: path.to_string(),
                                    holder: i,
                                    roles: Vec::new(),
                                });
                            } else if let Some(path) = managed_path(t, p) {
                                managed.push(Managed {
                                    arn: p,
                                    path,
                                    holder: i,
                                    roles: Vec::new(),
                                });
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
            let pool = attachment_pool(t, props);
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
                    if token_mapping(tree, mapping.value) {
                        continue;
                    }
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
        // User-pool groups: their roles are handed out by identity pools whose provider for the
        // group's user pool has a `Type: Token` role mapping.
        let mut token_pools: Vec<(usize, Option<usize>, usize)> = Vec::new(); // (user pool, identity pool, attachment)
        for (i, _) in t.resources_of_type("AWS::Cognito::IdentityPoolRoleAttachment") {
            let Some(props) = t.resources[i].properties else {
                continue;
            };
            let pool = attachment_pool(t, props);
            let Some(m) = tree.get(props, "RoleMappings") else {
                continue;
            };
            for mapping in tree.entries(m).unwrap_or_default() {
                let v = tree.deref(mapping.value);
                if !token_mapping(tree, v) {
                    continue;
                }
                if let Some(idp) = tree.get(v, "IdentityProvider") {
                    for up in named_resources(t, idp, USER_POOL) {
                        token_pools.push((up, pool, i));
                    }
                }
            }
        }
        if !token_pools.is_empty() {
            for (g, group) in t.resources_of_type("AWS::Cognito::UserPoolGroup") {
                let Some(props) = group.properties else {
                    continue;
                };
                let (Some(up), Some(arn)) =
                    (tree.get(props, "UserPoolId"), tree.get(props, "RoleArn"))
                else {
                    continue;
                };
                let ups = intrinsic::resources_of_type(t, up, USER_POOL);
                for &(u, pool, _) in token_pools.iter().filter(|(u, _, _)| ups.contains(u)) {
                    let _ = u;
                    for role in intrinsic::resource_targets(t, arn) {
                        if let Some(&k) = role_slot.get(&role) {
                            roles[k].attached.push(Attached {
                                attachment: g,
                                pool,
                                slot: Slot::Group,
                                value: arn,
                            });
                        }
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
            managed,
            resource_policies,
            roles,
            role_index: role_slot,
            doors: t
                .resources_of_type(IDENTITY_POOL)
                .map(|(p, _)| (p, pool_door(t, p)))
                .collect(),
        };
        for k in 0..model.roles.len() {
            model.roles[k].pools = model.reaching_pools(&model.roles[k]);
            let tier = model.compute_tier(&model.roles[k]);
            model.roles[k].tier = tier;
            if tier == Tier::SignedIn && model.admits_signed_in(&model.roles[k]) {
                let role = &model.roles[k];
                let mut best: Option<Door> = None;
                for &p in &role.pools {
                    // A pool that hands the role out only through groups or role-mapping rules
                    // does not give it to every stranger who signs up.
                    let ours: Vec<&Attached> =
                        role.attached.iter().filter(|a| a.pool == Some(p)).collect();
                    if !ours.is_empty()
                        && ours
                            .iter()
                            .all(|a| matches!(a.slot, Slot::Group | Slot::Mapping))
                    {
                        continue;
                    }
                    if let Some(Some(d)) = model.doors.get(&p) {
                        if best.as_ref().is_none_or(|b| !b.open() && d.open()) {
                            best = Some(d.clone());
                        }
                    }
                }
                if best.as_ref().is_some_and(Door::open) {
                    model.roles[k].tier = Tier::OpenSignUp;
                }
                model.roles[k].door = best;
            }
        }
        model
    }

    /// Every source of a role's permissions, with its origin: the one answer to "what can this
    /// role do?" (inline, attached and standalone policies, AWS managed policies).
    pub fn permissions(&self, role: usize) -> Vec<Grant<'_>> {
        self.policies
            .iter()
            .filter(|p| p.roles.contains(&role))
            .map(Grant::Document)
            .chain(
                self.managed
                    .iter()
                    .filter(|m| m.roles.contains(&role))
                    .map(Grant::Managed),
            )
            .collect()
    }

    /// Whether signed-in identities can assume the role: not when every Cognito `Allow`
    /// statement's amr condition names only `unauthenticated`.
    fn admits_signed_in(&self, role: &Role) -> bool {
        let tree = &self.template.tree;
        let allow: Vec<&Statement> = role.cognito_allows(tree).collect();
        amr_admits(tree, &allow, true, |v| v != "unauthenticated")
    }

    /// The door through which anyone can become a signed-in identity of an identity pool (an
    /// open one if there is one, else one behind a `PreSignUp` trigger).
    pub fn door_of(&self, pool: usize) -> Option<Door> {
        self.doors.get(&pool).cloned().flatten()
    }

    /// The role with the most exposed tier among some roles (the one a message speaks of).
    pub fn exposed_role(&self, roles: &[usize]) -> Option<&Role> {
        roles
            .iter()
            .filter_map(|r| self.role_of(*r))
            .max_by_key(|r| (r.tier, r.door.is_some()))
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
        let admits_guests = amr_admits(tree, &allow, false, |v| v == "unauthenticated");
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

    /// The names of the user-pool groups whose members alone can get a role, when nothing else
    /// can hand it out: every attachment of the role is a group's `RoleArn` under a `Type:
    /// Token` role mapping (Cognito gives it only to tokens that carry it in `cognito:roles`);
    /// its trust admits only identity pools of this template (`aud` by `StringEquals`), none of
    /// which enables the classic flow (where any signed-in identity may ask STS for the role);
    /// and no trigger can set role claims or add users to groups (`PreTokenGeneration`,
    /// `PostConfirmation` on the groups' user pools, or a Serverless function's
    /// `cognitoUserPool` event). `None` whenever any of it is unknown.
    pub fn group_only(&self, role: &Role) -> Option<Vec<String>> {
        let t = self.template;
        let tree = &t.tree;
        if role.attached.is_empty() || role.attached.iter().any(|a| a.slot != Slot::Group) {
            return None;
        }
        // The trust: each Allow for the Cognito principal pinned to this template's pools.
        let pinned = |st: &Statement| {
            st.clauses(tree).iter().any(|c| {
                c.key.eq_ignore_ascii_case(AUD_KEY)
                    && c.op.eq_ignore_ascii_case("StringEquals")
                    && {
                        let items = intrinsic::items(tree, c.value);
                        !items.is_empty()
                            && items.iter().all(|&i| {
                                !intrinsic::resources_of_type(t, i, IDENTITY_POOL).is_empty()
                            })
                    }
            })
        };
        if role.trust.is_none() || !role.cognito_allows(tree).all(pinned) {
            return None;
        }
        // (A parameter's default may be overridden: only a classic flow known off counts.)
        let classic_off = |pool: usize| {
            t.resources
                .get(pool)
                .and_then(|r| r.properties)
                .is_some_and(|p| intrinsic::switch(t, tree.get(p, "AllowClassicFlow")).is_none())
        };
        if role.pools.is_empty() || !role.pools.iter().all(|&p| classic_off(p)) {
            return None;
        }
        // Triggers that can hand the role to anyone.
        const CLAIMS: &[&str] = &[
            "PreTokenGeneration",
            "PreTokenGenerationConfig",
            "PostConfirmation",
        ];
        if serverless_trigger(t, |trigger, _| CLAIMS.contains(&trigger)) {
            return None;
        }
        let mut names = Vec::new();
        for a in &role.attached {
            let pools = user_pools_of(t, a.attachment);
            let quiet = !pools.is_empty()
                && pools.iter().all(|&u| {
                    // (No `LambdaConfig`, or one whose every branch is a mapping naming none
                    // of them.)
                    t.resources[u].properties.is_none_or(|p| {
                        tree.get(p, "LambdaConfig").is_none_or(|lc| {
                            intrinsic::values(tree, lc)
                                .into_iter()
                                .all(|v| tree.entries(v).is_some())
                        }) && CLAIMS.iter().all(|k| trigger(t, p, k).is_none())
                    })
                });
            if !quiet {
                return None;
            }
            let group = &t.resources[a.attachment];
            let name = group
                .properties
                .and_then(|p| tree.get(p, "GroupName"))
                .and_then(|n| tree.str(n))
                .unwrap_or(&group.name);
            names.push(name.to_string());
        }
        names.sort();
        names.dedup();
        Some(names)
    }

    /// The most exposed tier among the roles a policy applies to.
    pub fn policy_tier(&self, policy: &Policy) -> Tier {
        self.exposed_role(&policy.roles)
            .map_or(Tier::Other, |r| r.tier)
    }
}
