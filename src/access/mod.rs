//! The access graph of a stack: who can get AWS credentials from it, and what they can do with
//! them (CLI.md, *Graph*). Built from the policy model of the assembled template and the
//! stack's findings into a plain graph of nodes and edges ([`AccessGraph`]), which the
//! renderers draw: [`mermaid`], [`dot`], [`json`], [`html`].
//!
//! Columns, left to right: identity pools → their doors (guests, signed-in users of each
//! provider, the classic flow) → the roles each door leads to → what each role may do (actions
//! grouped by service, AWS managed policies by name). Every finding sits on the node or edge of
//! the text it points at (or of its resource); a finding on nothing drawn is listed apart.

pub mod dot;
pub mod html;
pub mod json;
pub mod mermaid;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::policy::{self, Grant, Model, Slot, Tier, Via};
use crate::rules::{Finding, Severity};
use crate::stack::SourceFile;
use crate::template::intrinsic::{self, Value};
use crate::template::{NodeId, Span, Template, Tree};
use crate::{StackView, Visitor};

const IDENTITY_POOL: &str = "AWS::Cognito::IdentityPool";
const USER_POOL: &str = "AWS::Cognito::UserPool";

/// The graph of one stack.
#[derive(Clone, Debug, Serialize)]
pub struct AccessGraph {
    /// The stack's name (the file's path for a single template).
    pub stack: String,
    /// The files of the stack.
    pub files: Vec<String>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Findings of the stack on nothing the graph draws (a user pool no identity pool uses, a
    /// Lambda role): counted, listed for the html page.
    pub outside: Vec<FindingRef>,
}

/// What a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    IdentityPool,
    Door,
    Role,
    Permissions,
    ManagedPolicy,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::IdentityPool => "identity-pool",
            NodeKind::Door => "door",
            NodeKind::Role => "role",
            NodeKind::Permissions => "permissions",
            NodeKind::ManagedPolicy => "managed-policy",
        }
    }
    /// The column of the layered layout.
    pub fn column(self) -> usize {
        match self {
            NodeKind::IdentityPool => 0,
            NodeKind::Door => 1,
            NodeKind::Role => 2,
            NodeKind::Permissions | NodeKind::ManagedPolicy => 3,
        }
    }
}

/// What an edge stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    /// An identity pool to one of its doors.
    Door,
    /// A door to the role of an attachment's `authenticated` slot.
    Authenticated,
    /// A door (or the pool, when guests are off) to the role of an `unauthenticated` slot.
    Unauthenticated,
    /// A door to a role a `RoleMappings` rule hands out.
    RoleMapping,
    /// A door to the role of a user-pool group (`Type: Token` mapping).
    Group,
    /// The classic-flow door to a role whose trust admits the pool.
    ClassicFlow,
    /// A pool to a role whose trust names it but that nothing hands out.
    TrustOnly,
    /// A role to what it may do.
    Grants,
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Door => "door",
            EdgeKind::Authenticated => "authenticated",
            EdgeKind::Unauthenticated => "unauthenticated",
            EdgeKind::RoleMapping => "role-mapping",
            EdgeKind::Group => "group",
            EdgeKind::ClassicFlow => "classic-flow",
            EdgeKind::TrustOnly => "trust-only",
            EdgeKind::Grants => "grants",
        }
    }
    /// Drawn dashed: a way in that attachments do not decide.
    pub fn dashed(self) -> bool {
        matches!(self, EdgeKind::ClassicFlow | EdgeKind::TrustOnly)
    }
}

/// A finding on a node or an edge.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FindingRef {
    pub file: String,
    pub line: usize,
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
}

/// One statement of a role's policies, as the html page lists it.
#[derive(Clone, Debug, Serialize)]
pub struct StatementRef {
    /// Where it comes from: `inline Name`, `AWS::IAM::Policy Name`, `AWS managed Name`.
    pub source: String,
    pub effect: String,
    /// `NotAction`: everything except the actions.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_action: bool,
    pub actions: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_resource: bool,
    pub resources: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub conditional: bool,
    pub file: String,
    pub line: usize,
}

/// How far a grant reaches: `*`, each identity's own resources
/// (`${cognito-identity.amazonaws.com:sub}`), named resources, or several of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    PerIdentity,
    Named,
    All,
}

/// The door of a door node.
#[derive(Clone, Debug, Serialize)]
pub struct DoorInfo {
    /// `guest`, `user-pool`, `provider`, `login`, `oidc`, `saml`, `developer`, `classic-flow`,
    /// `signed-in`.
    pub kind: &'static str,
    /// For guests and the classic flow: `true`, `unknown` (a parameter, an import), or
    /// `false` (guests: off, drawn because a role is attached for them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<&'static str>,
    /// Why anyone on the internet can walk in (open sign-up), each reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub open_sign_up: Vec<String>,
    /// A `PreSignUp` trigger may reject strangers.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pre_sign_up: bool,
}

impl DoorInfo {
    /// A door of that kind, no more known about it yet.
    fn new(kind: &'static str) -> DoorInfo {
        DoorInfo {
            kind,
            enabled: None,
            open_sign_up: Vec::new(),
            pre_sign_up: false,
        }
    }
}

/// What a permissions node grants.
#[derive(Clone, Debug, Serialize)]
pub struct GrantInfo {
    /// The service prefix (`s3`), `*` for actions without one, `NotAction` for statements that
    /// grant everything except their actions.
    pub service: String,
    pub effect: String,
    pub actions: Vec<String>,
    /// Some action has a wildcard.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub wildcard: bool,
    pub scope: Vec<Scope>,
    pub resources: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Node {
    /// Stable: the kind and the logical IDs it stands for (`role:AuthRole`,
    /// `door:IdentityPool:guest`, `perm:AuthRole:Allow:s3`).
    pub id: String,
    pub kind: NodeKind,
    pub label: String,
    /// More lines under the label.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
    /// The logical ID of the resource it stands for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The worst severity of its findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FindingRef>,
    /// Roles: `guest`, `open-sign-up`, `signed-in`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub door: Option<DoorInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant: Option<GrantInfo>,
    /// Roles: every statement of their policies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<StatementRef>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Edge {
    /// Stable: `from->to:kind` (and the label when several edges share these).
    pub id: String,
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FindingRef>,
}

impl AccessGraph {
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }
    /// The worst severity of any finding on the graph (drawn or not).
    pub fn worst(&self) -> Option<Severity> {
        self.nodes
            .iter()
            .filter_map(|n| n.severity)
            .chain(self.edges.iter().filter_map(|e| e.severity))
            .chain(self.outside.iter().map(|f| f.severity))
            .max()
    }
}

/// Collects the graph of every stack a run analyses: set the visitor as [`crate::Options::visit`]
/// and read the graphs after the run with [`Collector::graphs`].
#[derive(Clone, Default)]
pub struct Collector {
    graphs: Arc<Mutex<Vec<AccessGraph>>>,
}

impl Collector {
    pub fn visitor(&self) -> Visitor {
        let graphs = self.graphs.clone();
        Visitor(Arc::new(move |view: StackView<'_>| {
            let g = build(&view);
            if !g.nodes.is_empty() {
                graphs.lock().unwrap_or_else(|p| p.into_inner()).push(g);
            }
        }))
    }
    /// The graphs, sorted by stack name (a stack seen twice is drawn once).
    pub fn graphs(&self) -> Vec<AccessGraph> {
        let mut out = std::mem::take(&mut *self.graphs.lock().unwrap_or_else(|p| p.into_inner()));
        out.sort_by(|a, b| a.stack.cmp(&b.stack));
        out.dedup_by(|a, b| a.stack == b.stack);
        out
    }
}

/// The Mermaid graph of each stack with a finding at warning or above, for the job summary:
/// (stack name, Mermaid text).
pub fn mermaid_for_summary(graphs: &[AccessGraph]) -> Vec<(String, String)> {
    graphs
        .iter()
        .filter(|g| g.worst().is_some_and(|s| s >= Severity::Warning))
        .map(|g| (g.stack.clone(), mermaid::render_one(g)))
        .collect()
}

/// Where a finding lands.
#[derive(Clone, Copy, Debug)]
enum Target {
    Node(usize),
    Edge(usize),
}

struct Builder<'a> {
    t: &'a Template,
    files: &'a [Arc<SourceFile>],
    nodes: Vec<Node>,
    node_ix: HashMap<String, usize>,
    edges: Vec<Edge>,
    edge_ix: HashMap<(String, String, EdgeKind, String), usize>,
    /// Spans that send a finding to a target, per resource they lie in.
    anchors: HashMap<usize, Vec<(Span, Target)>>,
    /// The nodes a finding on a resource (by logical ID) goes to when no anchor holds it.
    by_resource: BTreeMap<String, Vec<usize>>,
    outside: Vec<FindingRef>,
}

impl<'a> Builder<'a> {
    fn loc(&self, span: Span) -> (Option<String>, Option<usize>) {
        let Some(i) = crate::stack::file_at(self.files, span) else {
            return (None, None);
        };
        let Some(f) = self.files.get(i) else {
            return (None, None);
        };
        let local = f.local(span).unwrap_or_default();
        (
            Some(f.path.clone()),
            Some(f.index.line_of(local.start as usize)),
        )
    }

    fn name(&self, r: usize) -> String {
        self.t
            .resources
            .get(r)
            .map(|x| x.name.to_string())
            .unwrap_or_default()
    }

    /// Adds a node (or returns the one with that ID).
    fn node(&mut self, id: String, kind: NodeKind, label: String, at: Option<Span>) -> usize {
        if let Some(&k) = self.node_ix.get(&id) {
            return k;
        }
        let (file, line) = at.map_or((None, None), |s| self.loc(s));
        self.nodes.push(Node {
            id: id.clone(),
            kind,
            label,
            details: Vec::new(),
            resource: None,
            file,
            line,
            severity: None,
            findings: Vec::new(),
            tier: None,
            door: None,
            grant: None,
            statements: Vec::new(),
        });
        self.node_ix.insert(id, self.nodes.len() - 1);
        self.nodes.len() - 1
    }

    fn edge(&mut self, from: usize, to: usize, kind: EdgeKind, label: String) -> usize {
        let key = (
            self.nodes[from].id.clone(),
            self.nodes[to].id.clone(),
            kind,
            label.clone(),
        );
        if let Some(&k) = self.edge_ix.get(&key) {
            return k;
        }
        self.edges.push(Edge {
            id: String::new(),
            from: key.0.clone(),
            to: key.1.clone(),
            kind,
            label,
            file: None,
            line: None,
            severity: None,
            findings: Vec::new(),
        });
        self.edge_ix.insert(key, self.edges.len() - 1);
        self.edges.len() - 1
    }

    fn anchor(&mut self, resource: usize, span: Span, target: Target) {
        self.anchors
            .entry(resource)
            .or_default()
            .push((span, target));
    }

    /// Locates an edge at the first text that makes it (kept when already set).
    fn edge_at(&mut self, e: usize, span: Span) {
        if self.edges[e].file.is_none() {
            let (file, line) = self.loc(span);
            self.edges[e].file = file;
            self.edges[e].line = line;
        }
    }

    fn on_resource(&mut self, name: &str, node: usize) {
        let list = self.by_resource.entry(name.to_string()).or_default();
        if !list.contains(&node) {
            list.push(node);
        }
    }
}

/// The span from a mapping entry's key to the end of its value.
fn entry_span(tree: &Tree, value: NodeId) -> Span {
    let v = tree.span(value);
    match tree.key_span(value) {
        Some(k) if k.start <= v.start => Span {
            start: k.start,
            end: v.end,
        },
        _ => v,
    }
}

/// A short text for a value: a literal, `Ref X`, `X.Attr`, a `Fn::Sub` string, or `(intrinsic)`.
pub(crate) fn value_text(tree: &Tree, node: NodeId) -> String {
    let node = tree.deref(node);
    if let Some(s) = tree.str(node) {
        return s.to_string();
    }
    match intrinsic::as_intrinsic(tree, node) {
        Some(("Ref", arg, _)) => tree.str(arg).unwrap_or("?").to_string(),
        Some(("Fn::GetAtt", arg, _)) => match intrinsic::getatt_parts(tree, arg) {
            Some((r, Some(a))) => format!("{r}.{a}"),
            Some((r, None)) => r,
            None => "Fn::GetAtt".to_string(),
        },
        Some(("Fn::Sub", arg, _)) => intrinsic::sub_string(tree, arg)
            .unwrap_or("Fn::Sub")
            .to_string(),
        Some((name, _, _)) => format!("({name})"),
        None => "(value)".to_string(),
    }
}

/// Items shown of `total`, joined: `a, b (+3)` when some are not shown.
fn with_more(shown: &[&str], total: usize) -> String {
    let mut s = shown.join(", ");
    if total > shown.len() {
        s.push_str(&format!(" (+{})", total - shown.len()));
    }
    s
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Builds the graph of one analysed stack.
pub fn build(view: &StackView<'_>) -> AccessGraph {
    let t = view.template;
    let tree = &t.tree;
    let model = Model::build(t);
    let mut b = Builder {
        t,
        files: view.files,
        nodes: Vec::new(),
        node_ix: HashMap::new(),
        edges: Vec::new(),
        edge_ix: HashMap::new(),
        anchors: HashMap::new(),
        by_resource: BTreeMap::new(),
        outside: Vec::new(),
    };
    // Doors of each identity pool: (signed-in doors, guest door, classic door).
    let mut signed_in: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut guest_door: HashMap<usize, usize> = HashMap::new();
    let mut classic_door: HashMap<usize, usize> = HashMap::new();
    let mut pool_node: HashMap<usize, usize> = HashMap::new();
    // Doors by the user pool they stand for, per identity pool.
    let mut up_door: HashMap<(usize, usize), usize> = HashMap::new();
    // Doors by login-provider key, per identity pool.
    let mut login_door: HashMap<(usize, String), usize> = HashMap::new();
    let pools: Vec<usize> = t.resources_of_type(IDENTITY_POOL).map(|(i, _)| i).collect();
    for &p in &pools {
        let pname = b.name(p);
        let key_span = t.resources[p].key_span;
        let pn = b.node(
            format!("pool:{pname}"),
            NodeKind::IdentityPool,
            format!("Identity pool {pname}"),
            Some(key_span),
        );
        b.nodes[pn].resource = Some(pname.clone());
        b.on_resource(&pname, pn);
        pool_node.insert(p, pn);
        let Some(props) = t.resources[p].properties else {
            continue;
        };
        let add_door = |b: &mut Builder<'_>,
                        suffix: String,
                        label: String,
                        kind: &'static str,
                        at: Option<NodeId>,
                        anchor: Option<Span>|
         -> usize {
            let d = b.node(
                format!("door:{pname}:{suffix}"),
                NodeKind::Door,
                label,
                at.map(|n| tree.span(n)).or(Some(key_span)),
            );
            if b.nodes[d].door.is_none() {
                b.nodes[d].door = Some(DoorInfo::new(kind));
            }
            let e = b.edge(pn, d, EdgeKind::Door, String::new());
            if let Some(s) = anchor {
                b.anchor(p, s, Target::Node(d));
                b.edge_at(e, s);
            }
            d
        };
        // Guests.
        let unauth = tree.get(props, "AllowUnauthenticatedIdentities");
        if let Some(on) = intrinsic::switch(t, unauth) {
            let anchor = unauth.map(|n| entry_span(tree, n));
            let d = add_door(
                &mut b,
                "guest".into(),
                "Guests (unauthenticated)".into(),
                "guest",
                unauth,
                anchor,
            );
            let origin = intrinsic::property(t, unauth)
                .into_iter()
                .find_map(|v| match v {
                    Value::Unknown(n) => Some(format!(" ({})", value_text(tree, n))),
                    v => Some(v.origin()).filter(|o| !o.is_empty()),
                })
                .unwrap_or_default();
            b.nodes[d]
                .details
                .push(format!("AllowUnauthenticatedIdentities: {on}{origin}"));
            if let Some(info) = &mut b.nodes[d].door {
                info.enabled = Some(on);
            }
            guest_door.insert(p, d);
        }
        // Signed-in users of each Cognito user pool provider.
        let doors = policy::pool_doors(t, p);
        let providers = tree
            .get(props, "CognitoIdentityProviders")
            .map(|n| intrinsic::items(tree, n))
            .unwrap_or_default();
        for (k, entry) in providers.into_iter().enumerate() {
            let policy::ProviderEntry {
                name_node,
                clients,
                user_pools,
                ..
            } = policy::provider_entry(t, entry);
            let anchor = Some(tree.span(entry));
            if user_pools.is_empty() {
                let text =
                    name_node.map_or_else(|| "(no ProviderName)".into(), |n| value_text(tree, n));
                let d = add_door(
                    &mut b,
                    format!("provider:{k}"),
                    format!("Signed-in: provider {}", shorten(&text, 60)),
                    "provider",
                    Some(entry),
                    anchor,
                );
                b.nodes[d]
                    .details
                    .push("a user pool this stack does not define".into());
                signed_in.entry(p).or_default().push(d);
                continue;
            }
            for up in user_pools {
                let upname = b.name(up);
                let d = add_door(
                    &mut b,
                    format!("user-pool:{upname}"),
                    format!("Signed-in: user pool {upname}"),
                    "user-pool",
                    Some(entry),
                    anchor,
                );
                b.on_resource(&upname, d);
                for &c in &clients {
                    let cname = b.name(c);
                    b.on_resource(&cname, d);
                    let line = format!("client {cname}");
                    if !b.nodes[d].details.contains(&line) {
                        b.nodes[d].details.push(line);
                    }
                }
                up_door.insert((p, up), d);
                let list = signed_in.entry(p).or_default();
                if !list.contains(&d) {
                    list.push(d);
                }
            }
        }
        // Open sign-up and PreSignUp triggers of each user-pool door.
        for door in &doors {
            let d = match (&door.via, door.user_pool) {
                (Via::Login { .. }, _) | (_, None) => continue,
                (_, Some(up)) => match up_door.get(&(p, up)) {
                    Some(&d) => d,
                    None => continue,
                },
            };
            let reason = match &door.via {
                Via::SelfSignUp => "self sign-up (AllowAdminCreateUserOnly not true)".to_string(),
                Via::Social { client, provider } => {
                    format!("{provider} sign-in through client {}", b.name(*client))
                }
                Via::Login { .. } => continue,
            };
            if let Some(info) = &mut b.nodes[d].door {
                if !info.open_sign_up.contains(&reason) {
                    info.open_sign_up.push(reason.clone());
                }
                info.pre_sign_up |= !door.open();
            }
        }
        for &d in signed_in.get(&p).map_or(&[][..], Vec::as_slice) {
            let Some(info) = b.nodes[d].door.clone() else {
                continue;
            };
            if info.kind != "user-pool" {
                continue;
            }
            for r in &info.open_sign_up {
                b.nodes[d].details.push(format!("open sign-up: {r}"));
            }
            if info.pre_sign_up {
                b.nodes[d]
                    .details
                    .push("PreSignUp trigger: may reject strangers".into());
            } else if info.open_sign_up.is_empty() {
                b.nodes[d].details.push("sign-up: admins only".into());
            }
        }
        // Social and other login providers of the identity pool.
        if let Some(logins) = tree.get(props, "SupportedLoginProviders") {
            for v in intrinsic::values(tree, logins) {
                for e in tree.entries(v).unwrap_or_default() {
                    let key = e.key.to_string();
                    let anchor = Some(entry_span(tree, e.value));
                    let public = doors.iter().find_map(|d| match d.via {
                        Via::Login { provider } if d.at == e.value => Some(provider),
                        _ => None,
                    });
                    let label = match public {
                        Some(provider) => format!("Signed-in: {provider} ({key})"),
                        None => format!("Signed-in: login provider {key}"),
                    };
                    let d = add_door(
                        &mut b,
                        format!("login:{key}"),
                        label,
                        "login",
                        Some(e.value),
                        anchor,
                    );
                    if let Some(provider) = public {
                        let r = format!("anyone with a {provider} account");
                        b.nodes[d].details.push(format!("open sign-up: {r}"));
                        if let Some(info) = &mut b.nodes[d].door {
                            info.open_sign_up.push(r);
                        }
                    }
                    login_door.insert((p, key), d);
                    signed_in.entry(p).or_default().push(d);
                }
            }
        }
        for (key, kind, what) in [
            ("OpenIdConnectProviderARNs", "oidc", "OIDC provider"),
            ("SamlProviderARNs", "saml", "SAML provider"),
        ] {
            let Some(list) = tree.get(props, key) else {
                continue;
            };
            for (k, item) in intrinsic::items(tree, list).into_iter().enumerate() {
                let text = value_text(tree, item);
                let d = add_door(
                    &mut b,
                    format!("{kind}:{k}"),
                    format!("Signed-in: {what} {}", shorten(&text, 60)),
                    kind,
                    Some(item),
                    Some(tree.span(item)),
                );
                signed_in.entry(p).or_default().push(d);
            }
        }
        if let Some(dev) = tree.get(props, "DeveloperProviderName") {
            let text = value_text(tree, dev);
            let d = add_door(
                &mut b,
                "developer".into(),
                format!(
                    "Signed-in: developer-authenticated ({})",
                    shorten(&text, 40)
                ),
                "developer",
                Some(dev),
                Some(entry_span(tree, dev)),
            );
            signed_in.entry(p).or_default().push(d);
        }
        // The classic (basic) flow.
        let classic = tree.get(props, "AllowClassicFlow");
        if let Some(on) = intrinsic::switch(t, classic) {
            let d = add_door(
                &mut b,
                "classic-flow".into(),
                "Classic (basic) flow".into(),
                "classic-flow",
                classic,
                classic.map(|n| entry_span(tree, n)),
            );
            b.nodes[d].details.push(format!(
                "AllowClassicFlow: {on}: any role whose trust admits the pool"
            ));
            if let Some(info) = &mut b.nodes[d].door {
                info.enabled = Some(on);
            }
            classic_door.insert(p, d);
        }
    }

    // The rules of each role mapping, by the node that names their role.
    struct MapRule {
        label: String,
        rule: NodeId,
        provider: Option<NodeId>,
        key: String,
    }
    let mut map_rules: HashMap<NodeId, MapRule> = HashMap::new();
    for (i, _) in t.resources_of_type("AWS::Cognito::IdentityPoolRoleAttachment") {
        let Some(m) = t.resources[i]
            .properties
            .and_then(|props| tree.get(props, "RoleMappings"))
        else {
            continue;
        };
        for mapping in tree.entries(m).unwrap_or_default() {
            let mv = tree.deref(mapping.value);
            if policy::token_mapping(tree, mv) {
                // (Its rules are never evaluated: the role comes from the token's groups.)
                continue;
            }
            let provider = tree.get(mv, "IdentityProvider");
            let rules = tree.get_path(mv, &["RulesConfiguration", "Rules"]);
            for rule in rules.map(|r| intrinsic::items(tree, r)).unwrap_or_default() {
                let Some(arn) = tree.get(rule, "RoleARN") else {
                    continue;
                };
                let text = |k: &str| {
                    tree.get(rule, k)
                        .map(|n| value_text(tree, n))
                        .unwrap_or_else(|| "?".into())
                };
                map_rules.insert(
                    arn,
                    MapRule {
                        label: format!(
                            "rule: {} {} {}",
                            text("Claim"),
                            text("MatchType"),
                            shorten(&text("Value"), 40)
                        ),
                        rule,
                        provider,
                        key: mapping.key.to_string(),
                    },
                );
            }
        }
    }

    // Roles: every Cognito-assumable one.
    let mut external: HashMap<usize, usize> = HashMap::new();
    let mut role_node: HashMap<usize, usize> = HashMap::new();
    for role in model.roles.iter().filter(|r| r.tier != Tier::Other) {
        let r = role.resource;
        let rname = b.name(r);
        let rn = b.node(
            format!("role:{rname}"),
            NodeKind::Role,
            format!("Role {rname}"),
            Some(t.resources[r].key_span),
        );
        b.nodes[rn].resource = Some(rname.clone());
        b.nodes[rn].tier = Some(role.tier.name());
        b.nodes[rn]
            .details
            .push(format!("tier: {}", role.tier.name()));
        b.on_resource(&rname, rn);
        role_node.insert(r, rn);
        let mut reached = false;
        for a in &role.attached {
            let span = entry_span(tree, a.value);
            let Some(p) = a.pool else {
                // An identity pool of another stack (or a parameter).
                let aname = b.name(a.attachment);
                let en = *external.entry(a.attachment).or_insert_with(|| {
                    let n = b.node(
                        format!("pool:external:{aname}"),
                        NodeKind::IdentityPool,
                        "Identity pool outside this stack".into(),
                        Some(t.resources[a.attachment].key_span),
                    );
                    b.nodes[n].details.push(format!("attached by {aname}"));
                    n
                });
                b.on_resource(&aname, en);
                let e = b.edge(en, rn, slot_kind(a.slot), a.slot.name().to_string());
                b.anchor(a.attachment, span, Target::Edge(e));
                b.edge_at(e, span);
                reached = true;
                continue;
            };
            let Some(&pn) = pool_node.get(&p) else {
                continue;
            };
            let aname = b.name(a.attachment);
            if a.slot != Slot::Group {
                b.on_resource(&aname, pn);
            }
            let doors_in = signed_in.get(&p).cloned().unwrap_or_default();
            let mut edges: Vec<usize> = Vec::new();
            match a.slot {
                Slot::Unauthenticated => {
                    let g = match guest_door.get(&p) {
                        Some(&g) => g,
                        None => {
                            // Guests are off, yet a role is attached for them: a closed door.
                            let pname = b.name(p);
                            let g = b.node(
                                format!("door:{pname}:guest"),
                                NodeKind::Door,
                                "Guests (off)".into(),
                                Some(t.resources[p].key_span),
                            );
                            b.nodes[g].door = Some(DoorInfo {
                                enabled: Some("false"),
                                ..DoorInfo::new("guest")
                            });
                            b.nodes[g].details.push(
                                "AllowUnauthenticatedIdentities is false: no guest gets this role"
                                    .into(),
                            );
                            b.edge(pn, g, EdgeKind::Door, String::new());
                            guest_door.insert(p, g);
                            g
                        }
                    };
                    edges.push(b.edge(g, rn, EdgeKind::Unauthenticated, "unauthenticated".into()));
                }
                Slot::Authenticated => {
                    for d in signed_in_or_generic(&mut b, pn, p, &doors_in) {
                        edges.push(b.edge(d, rn, EdgeKind::Authenticated, "authenticated".into()));
                    }
                }
                Slot::Mapping => {
                    let (label, anchor, from) = match map_rules.get(&a.value) {
                        Some(m) => {
                            let mut from: Vec<usize> = m
                                .provider
                                .map(|n| policy::named_resources(t, n, USER_POOL))
                                .unwrap_or_default()
                                .into_iter()
                                .filter_map(|up| up_door.get(&(p, up)).copied())
                                .collect();
                            let provider_text = m.provider.and_then(|n| tree.str(n));
                            for key in [Some(m.key.as_str()), provider_text].into_iter().flatten() {
                                if let Some(&d) = login_door.get(&(p, key.to_string())) {
                                    from.push(d);
                                }
                            }
                            (m.label.clone(), tree.span(m.rule), from)
                        }
                        None => ("role mapping".to_string(), span, Vec::new()),
                    };
                    let from = if from.is_empty() {
                        signed_in_or_generic(&mut b, pn, p, &doors_in)
                    } else {
                        from
                    };
                    for d in from {
                        let e = b.edge(d, rn, EdgeKind::RoleMapping, label.clone());
                        b.anchor(a.attachment, anchor, Target::Edge(e));
                        b.edge_at(e, anchor);
                        edges.push(e);
                    }
                }
                Slot::Group => {
                    let gname = b.name(a.attachment);
                    let group_name = t.resources[a.attachment]
                        .properties
                        .and_then(|pp| tree.get(pp, "GroupName"))
                        .map(|n| value_text(tree, n))
                        .unwrap_or_else(|| gname.clone());
                    let ups = policy::user_pools_of(t, a.attachment);
                    let mut from: Vec<usize> = ups
                        .iter()
                        .filter_map(|up| up_door.get(&(p, *up)).copied())
                        .collect();
                    if from.is_empty() {
                        from = signed_in_or_generic(&mut b, pn, p, &doors_in);
                    }
                    for &d in &from {
                        b.on_resource(&gname, d);
                        edges.push(b.edge(
                            d,
                            rn,
                            EdgeKind::Group,
                            format!("group {} (Token)", shorten(&group_name, 40)),
                        ));
                    }
                }
            }
            for e in edges {
                b.anchor(a.attachment, span, Target::Edge(e));
                b.edge_at(e, span);
            }
            reached = true;
        }
        // Pools whose trust admits the role but that hand it out through nothing.
        let attached_pools: BTreeSet<usize> = role.attached.iter().filter_map(|a| a.pool).collect();
        for &p in &role.pools {
            let Some(&pn) = pool_node.get(&p) else {
                continue;
            };
            if let Some(&c) = classic_door.get(&p) {
                b.edge(c, rn, EdgeKind::ClassicFlow, "basic flow".into());
                reached = true;
            }
            if !attached_pools.contains(&p) {
                b.edge(
                    pn,
                    rn,
                    EdgeKind::TrustOnly,
                    "trusts the pool; nothing hands it out".into(),
                );
            }
        }
        if !reached {
            b.nodes[rn]
                .details
                .push("no door of this stack leads here".into());
        }
        if let Some(d) = &role.door {
            b.nodes[rn].details.push(d.who(t).replace('`', ""));
        }
        permissions(&mut b, &model, r, rn);
    }

    // Standalone policies' findings go to the roles they apply to.
    for p in &model.policies {
        let owner = b.name(p.owner);
        for r in &p.roles {
            if let Some(&rn) = role_node.get(r) {
                b.on_resource(&owner, rn);
            }
        }
    }

    place_findings(&mut b, view.findings);
    finish(b, view)
}

/// The signed-in doors of a pool, or its generic signed-in door when it has none.
fn signed_in_or_generic(b: &mut Builder<'_>, pn: usize, p: usize, doors: &[usize]) -> Vec<usize> {
    if doors.is_empty() {
        vec![signed_in_door(b, pn, p)]
    } else {
        doors.to_vec()
    }
}

/// The generic signed-in door of a pool without a provider this stack names.
fn signed_in_door(b: &mut Builder<'_>, pn: usize, p: usize) -> usize {
    let pname = b.name(p);
    let at = b.t.resources.get(p).map(|r| r.key_span);
    let d = b.node(
        format!("door:{pname}:signed-in"),
        NodeKind::Door,
        "Signed-in users".into(),
        at,
    );
    if b.nodes[d].door.is_none() {
        b.nodes[d].door = Some(DoorInfo::new("signed-in"));
        b.nodes[d]
            .details
            .push("providers this stack does not name".into());
    }
    b.edge(pn, d, EdgeKind::Door, String::new());
    d
}

fn slot_kind(slot: Slot) -> EdgeKind {
    match slot {
        Slot::Authenticated => EdgeKind::Authenticated,
        Slot::Unauthenticated => EdgeKind::Unauthenticated,
        Slot::Mapping => EdgeKind::RoleMapping,
        Slot::Group => EdgeKind::Group,
    }
}

/// A permissions group being gathered: (effect, service) → actions, wildcard, scopes,
/// resources, where first written.
#[derive(Default)]
struct Group {
    actions: BTreeSet<String>,
    wildcard: bool,
    scope: BTreeSet<Scope>,
    resources: BTreeSet<String>,
    at: Option<Span>,
    anchors: Vec<(usize, Span)>,
}

fn scope_of(text: &str) -> Scope {
    if text == "*" {
        Scope::All
    } else if text.contains("${cognito-identity.amazonaws.com:sub}")
        || text.contains("${!cognito-identity.amazonaws.com:sub}")
    {
        Scope::PerIdentity
    } else {
        Scope::Named
    }
}

/// What a role may do: a node per (effect, service) of its policy documents, one per AWS
/// managed policy, and the statements for the html page.
fn permissions(b: &mut Builder<'_>, model: &Model<'_>, role: usize, rn: usize) {
    let t = b.t;
    let tree = &t.tree;
    let rname = b.name(role);
    let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
    let mut statements: Vec<StatementRef> = Vec::new();
    for grant in model.permissions(role) {
        match grant {
            Grant::Document(p) => {
                let owner = b.name(p.owner);
                let source = if p.owner == role {
                    let name = tree
                        .node(p.doc.node)
                        .parent
                        .ne(&p.doc.node)
                        .then(|| tree.get(tree.node(p.doc.node).parent, "PolicyName"))
                        .flatten()
                        .map(|n| value_text(tree, n));
                    match name {
                        Some(n) => format!("inline {n}"),
                        None => "inline policy".to_string(),
                    }
                } else {
                    let ty = t.resources[p.owner]
                        .type_name
                        .as_deref()
                        .unwrap_or("policy");
                    format!("{ty} {owner}")
                };
                for st in &p.doc.statements {
                    let effect = st.effect(tree).unwrap_or("Allow").to_string();
                    let not_action = st.action.is_none() && st.not_action.is_some();
                    let actions = policy::strings(tree, st.action.or(st.not_action));
                    let res_node = st.resource.or(st.not_resource);
                    let resources: Vec<(NodeId, String)> = res_node
                        .map(|n| {
                            intrinsic::items(tree, n)
                                .into_iter()
                                .map(|x| (x, value_text(tree, x)))
                                .collect()
                        })
                        .unwrap_or_default();
                    let (file, line) = b.loc(tree.span(st.node));
                    statements.push(StatementRef {
                        source: source.clone(),
                        effect: effect.clone(),
                        not_action,
                        actions: actions.iter().map(|(_, a)| a.to_string()).collect(),
                        not_resource: st.resource.is_none() && st.not_resource.is_some(),
                        resources: resources.iter().map(|(_, r)| r.clone()).collect(),
                        conditional: st.condition.is_some(),
                        file: file.unwrap_or_default(),
                        line: line.unwrap_or_default(),
                    });
                    let mut first_group: Option<(String, String)> = None;
                    let mut seen = Vec::new();
                    for (node, action) in &actions {
                        let (service, name) = if not_action {
                            ("NotAction".to_string(), action.to_string())
                        } else {
                            match action.split_once(':') {
                                Some((s, n)) => (s.to_ascii_lowercase(), n.to_string()),
                                None => ("*".to_string(), action.to_string()),
                            }
                        };
                        let key = (effect.clone(), service);
                        let g = groups.entry(key.clone()).or_default();
                        g.wildcard |= name.contains('*');
                        g.actions.insert(name);
                        g.at.get_or_insert(tree.span(*node));
                        g.anchors.push((p.owner, tree.span(*node)));
                        if !seen.contains(&key) {
                            for (_, r) in &resources {
                                g.scope.insert(scope_of(r));
                                g.resources.insert(shorten(r, 80));
                            }
                            if res_node.is_some() && resources.is_empty() {
                                g.resources.insert("(unknown)".into());
                            }
                            seen.push(key.clone());
                        }
                        first_group.get_or_insert(key);
                    }
                    // Resources and the rest of the statement: its first group.
                    if let Some(key) = first_group {
                        if let Some(g) = groups.get_mut(&key) {
                            for (n, _) in &resources {
                                g.anchors.push((p.owner, tree.span(*n)));
                            }
                            g.anchors.push((p.owner, tree.span(st.node)));
                        }
                    }
                }
            }
            Grant::Managed(m) => {
                let name = m.path.rsplit('/').next().unwrap_or(&m.path).to_string();
                let id = format!("managed:{rname}:{}", m.path);
                let span = tree.span(m.arn);
                let mn = b.node(
                    id,
                    NodeKind::ManagedPolicy,
                    format!("AWS managed: {name}"),
                    Some(span),
                );
                b.anchor(m.holder, span, Target::Node(mn));
                let holder = b.name(m.holder);
                if m.holder != role {
                    b.on_resource(&holder, rn);
                }
                let (file, line) = b.loc(span);
                match m.policy() {
                    Some(doc) => {
                        let mut services: BTreeSet<String> = BTreeSet::new();
                        let mut wildcard = false;
                        let mut all = false;
                        for s in doc.statements.iter().filter(|s| s.allow) {
                            for a in &s.actions {
                                wildcard |= a.contains('*');
                                services.insert(match a.split_once(':') {
                                    Some((sv, _)) => sv.to_ascii_lowercase(),
                                    None => "*".into(),
                                });
                            }
                            all |= s.resources.contains(&"*");
                            statements.push(StatementRef {
                                source: format!("AWS managed {name}"),
                                effect: if s.allow { "Allow" } else { "Deny" }.into(),
                                not_action: s.not_action,
                                actions: s.actions.iter().map(|a| a.to_string()).collect(),
                                not_resource: s.not_resource,
                                resources: s.resources.iter().map(|a| a.to_string()).collect(),
                                conditional: s.conditional,
                                file: file.clone().unwrap_or_default(),
                                line: line.unwrap_or_default(),
                            });
                        }
                        let list: Vec<&str> = services.iter().take(8).map(String::as_str).collect();
                        b.nodes[mn]
                            .details
                            .push(format!("services: {}", with_more(&list, services.len())));
                        if wildcard {
                            b.nodes[mn].details.push("wildcard actions".into());
                        }
                        if all {
                            b.nodes[mn].details.push("on: *".into());
                        }
                    }
                    None => b.nodes[mn]
                        .details
                        .push("not in the shipped table: unknown".into()),
                }
                b.edge(rn, mn, EdgeKind::Grants, String::new());
            }
        }
    }
    for ((effect, service), g) in groups {
        let id = format!("perm:{rname}:{effect}:{service}");
        let actions: Vec<String> = g.actions.into_iter().collect();
        let shown: Vec<&str> = actions.iter().take(6).map(String::as_str).collect();
        let shown = with_more(&shown, actions.len());
        let mut label = if service == "NotAction" {
            format!("everything except {shown}")
        } else {
            format!("{service}: {shown}")
        };
        if effect != "Allow" {
            label = format!("{effect} {label}");
        }
        let pn = b.node(id, NodeKind::Permissions, label, g.at);
        let scope: Vec<Scope> = g.scope.iter().rev().copied().collect();
        let resources: Vec<String> = g.resources.into_iter().collect();
        if g.wildcard {
            b.nodes[pn].details.push("wildcard".into());
        }
        let on = match scope.first() {
            Some(Scope::All) => "*".to_string(),
            Some(Scope::PerIdentity) if scope.len() == 1 => {
                "per identity (${cognito-identity.amazonaws.com:sub})".to_string()
            }
            _ => {
                let named: Vec<&str> = resources
                    .iter()
                    .filter(|r| scope_of(r) != Scope::All)
                    .take(3)
                    .map(String::as_str)
                    .collect();
                with_more(&named, resources.len())
            }
        };
        if !on.is_empty() {
            b.nodes[pn].details.push(format!("on: {on}"));
        }
        b.nodes[pn].grant = Some(GrantInfo {
            service,
            effect: effect.clone(),
            actions,
            wildcard: g.wildcard,
            scope,
            resources,
        });
        for (owner, span) in g.anchors {
            b.anchor(owner, span, Target::Node(pn));
        }
        let label = if effect == "Allow" {
            String::new()
        } else {
            effect
        };
        b.edge(rn, pn, EdgeKind::Grants, label);
    }
    b.nodes[rn].statements = statements;
}

/// Puts each finding on the smallest anchor holding its span, else on the nodes of its
/// resource, else outside.
fn place_findings(b: &mut Builder<'_>, findings: &[Finding]) {
    let t = b.t;
    for f in findings {
        let (file, line) = b.loc(f.span);
        let r = FindingRef {
            file: file.unwrap_or_default(),
            line: line.unwrap_or_default(),
            rule: f.rule.id,
            severity: f.severity,
            message: f.message.clone(),
        };
        let resource = f
            .resource
            .as_deref()
            .and_then(|name| t.resource_idx(name))
            .or_else(|| {
                t.resources.iter().position(|res| {
                    let s = t.tree.span(res.node);
                    let k = res.key_span;
                    (k.start <= f.span.start || s.start <= f.span.start) && f.span.end <= s.end
                })
            });
        let target = resource.and_then(|ri| {
            b.anchors.get(&ri).and_then(|list| {
                list.iter()
                    .filter(|(s, _)| s.start <= f.span.start && f.span.end <= s.end)
                    .min_by_key(|(s, _)| s.len())
                    .map(|(_, target)| *target)
            })
        });
        match target {
            Some(Target::Node(n)) => b.nodes[n].findings.push(r),
            Some(Target::Edge(e)) => b.edges[e].findings.push(r),
            None => {
                let name = resource.map(|ri| b.name(ri)).or(f.resource.clone());
                match name.and_then(|n| b.by_resource.get(&n).cloned()) {
                    Some(nodes) if !nodes.is_empty() => {
                        for n in nodes {
                            b.nodes[n].findings.push(r.clone());
                        }
                    }
                    _ => b.outside.push(r),
                }
            }
        }
    }
}

/// Sorts and dedups the findings of a node or edge; the worst severity among them.
fn settle(findings: &mut Vec<FindingRef>) -> Option<Severity> {
    findings.sort();
    findings.dedup();
    findings.iter().map(|f| f.severity).max()
}

/// Sorts everything, gives edges their IDs and severities.
fn finish(b: Builder<'_>, view: &StackView<'_>) -> AccessGraph {
    let mut nodes = b.nodes;
    let mut edges = b.edges;
    for n in &mut nodes {
        n.severity = settle(&mut n.findings);
    }
    for e in &mut edges {
        e.severity = settle(&mut e.findings);
    }
    nodes.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
    edges.sort_by(|a, b| {
        (&a.from, &a.to, a.kind, &a.label).cmp(&(&b.from, &b.to, b.kind, &b.label))
    });
    // IDs: from->to:kind, with the label's position among edges sharing these.
    let mut k = 0;
    while k < edges.len() {
        let mut j = k + 1;
        while j < edges.len()
            && edges[j].from == edges[k].from
            && edges[j].to == edges[k].to
            && edges[j].kind == edges[k].kind
        {
            j += 1;
        }
        for (n, i) in (k..j).enumerate() {
            let base = format!(
                "{}->{}:{}",
                edges[i].from,
                edges[i].to,
                edges[i].kind.as_str()
            );
            edges[i].id = if j - k > 1 {
                format!("{base}:{n}")
            } else {
                base
            };
        }
        k = j;
    }
    let mut outside = b.outside;
    outside.sort();
    outside.dedup();
    AccessGraph {
        stack: view.name.to_string(),
        files: view.files.iter().map(|f| f.path.clone()).collect(),
        nodes,
        edges,
        outside,
    }
}

/// Fill and stroke colours of a severity (`None`: no finding).
pub fn colours(s: Option<Severity>) -> (&'static str, &'static str) {
    match s {
        Some(Severity::Error) => ("#fde2e1", "#c62828"),
        Some(Severity::Warning) => ("#fff3cd", "#b26a00"),
        Some(Severity::Info) => ("#e3f2fd", "#1565c0"),
        None => ("#f1f8e9", "#558b2f"),
    }
}

/// The class name of a severity in the renderers.
pub fn class_of(s: Option<Severity>) -> &'static str {
    match s {
        Some(Severity::Error) => "sevError",
        Some(Severity::Warning) => "sevWarning",
        Some(Severity::Info) => "sevInfo",
        None => "sevNone",
    }
}

/// The legend's entries: (severity, text).
pub const LEGEND: &[(Option<Severity>, &str)] = &[
    (Some(Severity::Error), "error finding"),
    (Some(Severity::Warning), "warning finding"),
    (Some(Severity::Info), "info finding"),
    (None, "no finding"),
];

/// One line per severity of some findings, worst first, each rule with its count:
/// `warning: PM001 ×3, PM003`.
pub fn finding_lines(findings: &[FindingRef]) -> Vec<String> {
    let mut per: BTreeMap<std::cmp::Reverse<Severity>, BTreeMap<&str, usize>> = BTreeMap::new();
    for f in findings {
        *per.entry(std::cmp::Reverse(f.severity))
            .or_default()
            .entry(f.rule)
            .or_default() += 1;
    }
    per.into_iter()
        .map(|(s, rules)| {
            let list: Vec<String> = rules
                .into_iter()
                .map(|(rule, n)| {
                    if n > 1 {
                        format!("{rule} ×{n}")
                    } else {
                        rule.to_string()
                    }
                })
                .collect();
            format!("{}: {}", s.0.as_str(), list.join(", "))
        })
        .collect()
}

/// [`finding_lines`], each flagged `⚑`.
fn flagged(findings: &[FindingRef]) -> impl Iterator<Item = String> {
    finding_lines(findings)
        .into_iter()
        .map(|l| format!("⚑ {l}"))
}

/// The lines a node shows: its label, details and findings.
pub fn node_lines(n: &Node) -> Vec<String> {
    let mut lines = vec![n.label.clone()];
    lines.extend(n.details.iter().cloned());
    lines.extend(flagged(&n.findings));
    lines
}

/// The text an edge shows: its label and findings.
pub fn edge_lines(e: &Edge) -> Vec<String> {
    let mut lines = Vec::new();
    if !e.label.is_empty() {
        lines.push(e.label.clone());
    }
    lines.extend(flagged(&e.findings));
    lines
}

/// A node's or edge's lines as one label: each escaped, joined by `sep` (the renderer's line
/// break).
pub fn join_escaped(lines: &[String], escape: fn(&str) -> String, sep: &str) -> String {
    lines
        .iter()
        .map(|l| escape(l))
        .collect::<Vec<_>>()
        .join(sep)
}

/// Identifiers made of ASCII letters, digits and `_` for the graph's node IDs, distinct and
/// stable (the same graph gives the same names).
pub fn safe_ids(g: &AccessGraph, prefix: &str) -> HashMap<String, String> {
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut out = HashMap::new();
    for n in &g.nodes {
        let mut s: String = String::from(prefix);
        for c in n.id.chars() {
            s.push(if c.is_ascii_alphanumeric() { c } else { '_' });
        }
        let mut candidate = s.clone();
        let mut k = 2;
        while used.contains(&candidate) {
            candidate = format!("{s}_{k}");
            k += 1;
        }
        used.insert(candidate.clone());
        out.insert(n.id.clone(), candidate);
    }
    out
}
