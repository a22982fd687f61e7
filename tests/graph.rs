//! The access graph (`cfn-cognito-lint graph`): snapshots of the mermaid, dot and json of the
//! seed stack and of the fixture stacks under fixtures/graph/, and what each must show.

mod common;

use cfn_cognito_lint::access::{self, AccessGraph, Collector, EdgeKind, NodeKind};
use cfn_cognito_lint::rules::Severity;

/// The graphs of a run on some paths (relative to the repository), with each folder's config.
fn graphs(rels: &[&str]) -> Vec<AccessGraph> {
    let root = common::root();
    let collector = Collector::default();
    let outcome = common::lint_run_visiting(rels, Some(collector.visitor()));
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let mut gs = collector.graphs();
    // Paths relative to the repository, as a run from there shows them.
    let prefix = format!("{}/", root.display());
    for g in &mut gs {
        relativize(g, &prefix);
    }
    gs
}

fn relativize(g: &mut AccessGraph, prefix: &str) {
    let strip = |s: &mut String| {
        if let Some(rest) = s.strip_prefix(prefix) {
            *s = rest.to_string();
        }
    };
    strip(&mut g.stack);
    g.files.iter_mut().for_each(strip);
    for n in &mut g.nodes {
        n.file.iter_mut().for_each(strip);
        n.findings.iter_mut().for_each(|f| strip(&mut f.file));
        n.statements.iter_mut().for_each(|s| strip(&mut s.file));
    }
    for e in &mut g.edges {
        e.file.iter_mut().for_each(strip);
        e.findings.iter_mut().for_each(|f| strip(&mut f.file));
    }
    g.outside.iter_mut().for_each(|f| strip(&mut f.file));
}

fn one(rel: &str) -> AccessGraph {
    let mut gs = graphs(&[rel]);
    assert_eq!(
        gs.len(),
        1,
        "{rel}: {:?}",
        gs.iter().map(|g| &g.stack).collect::<Vec<_>>()
    );
    gs.remove(0)
}

fn snapshots(name: &str, g: &AccessGraph) {
    let gs = std::slice::from_ref(g);
    insta::assert_snapshot!(format!("{name}.mermaid"), access::mermaid::render(gs));
    insta::assert_snapshot!(format!("{name}.dot"), access::dot::render(gs));
    insta::assert_snapshot!(format!("{name}.json"), access::json::render(gs));
}

fn edge<'g>(g: &'g AccessGraph, from: &str, to: &str) -> &'g access::Edge {
    g.edges
        .iter()
        .find(|e| e.from == from && e.to == to)
        .unwrap_or_else(|| panic!("no edge {from} -> {to} in {:#?}", g.edges))
}

fn node<'g>(g: &'g AccessGraph, id: &str) -> &'g access::Node {
    g.node(id).unwrap_or_else(|| {
        panic!(
            "no node {id} in {:?}",
            g.nodes.iter().map(|n| &n.id).collect::<Vec<_>>()
        )
    })
}

/// The door of a door node.
fn door_of(n: &access::Node) -> &access::DoorInfo {
    n.door
        .as_ref()
        .unwrap_or_else(|| panic!("{} is not a door", n.id))
}

/// What a permissions node grants.
fn grant_of(n: &access::Node) -> &access::GrantInfo {
    n.grant
        .as_ref()
        .unwrap_or_else(|| panic!("{} grants nothing", n.id))
}

fn rules(findings: &[access::FindingRef]) -> Vec<&str> {
    findings.iter().map(|f| f.rule).collect()
}

/// The seed stack (two files, one stack): the user pool's door with open self sign-up behind a
/// PreSignUp trigger, the signed-in role with its service wildcards (PM001 on each), the
/// unauthenticated role attached while guests are off (a closed guest door, IP005 on its edge).
#[test]
fn seed_stack() {
    let g = one("fixtures/seeds");
    assert_eq!(g.stack, "iot-tutorial");
    assert_eq!(
        g.files,
        [
            "fixtures/seeds/user-pool.yaml",
            "fixtures/seeds/identity-pool.yaml"
        ]
    );
    let door = node(&g, "door:CognitoIdentityPool:user-pool:CognitoUserPool");
    let info = door_of(door);
    assert!(info.pre_sign_up);
    assert_eq!(
        info.open_sign_up,
        ["self sign-up (AllowAdminCreateUserOnly not true)"]
    );
    assert!(rules(&door.findings).contains(&"IP009"));
    let guests = node(&g, "door:CognitoIdentityPool:guest");
    assert_eq!(guests.label, "Guests (off)");
    let guests_info = door_of(guests);
    assert_eq!(guests_info.enabled, Some("false"));
    let e = edge(
        &g,
        "door:CognitoIdentityPool:guest",
        "role:CognitoUnAuthorizedRole",
    );
    assert_eq!(e.kind, EdgeKind::Unauthenticated);
    assert_eq!(rules(&e.findings), ["IP005"]);
    assert_eq!(
        (e.file.as_deref(), e.line),
        (Some("fixtures/seeds/identity-pool.yaml"), Some(31))
    );
    let iot = node(&g, "perm:CognitoAuthorizedRole:Allow:iot");
    assert_eq!(rules(&iot.findings), ["PM001"]);
    assert_eq!(iot.findings[0].line, 62);
    assert_eq!(iot.severity, Some(Severity::Warning));
    // The Lambda execution role is not Cognito-assumable: its PM001s are outside the graph.
    assert!(g.node("role:CognitoExecutionRole").is_none());
    assert_eq!(
        g.outside
            .iter()
            .filter(|f| f.rule == "PM001")
            .map(|f| f.line)
            .collect::<Vec<_>>(),
        [57, 58]
    );
    snapshots("seed", &g);
}

#[test]
fn clean_stack() {
    let g = one("fixtures/graph/clean.yaml");
    let perm = node(&g, "perm:UserRole:Allow:s3");
    let grant = grant_of(perm);
    assert_eq!(grant.scope, [access::Scope::PerIdentity]);
    assert_eq!(grant.actions, ["GetObject", "PutObject"]);
    assert!(g.worst() < Some(Severity::Warning), "{:#?}", g);
    assert_eq!(access::mermaid_for_summary(std::slice::from_ref(&g)), []);
    snapshots("clean", &g);
}

#[test]
fn guest_door_to_wildcard_role() {
    let g = one("fixtures/graph/guest-wildcard.yaml");
    let guest = node(&g, "door:IdentityPool:guest");
    assert_eq!(door_of(guest).enabled, Some("true"));
    assert_eq!(rules(&guest.findings), ["IP001"]);
    let e = edge(&g, "door:IdentityPool:guest", "role:GuestRole");
    assert_eq!(e.kind, EdgeKind::Unauthenticated);
    assert_eq!(node(&g, "role:GuestRole").tier, Some("guest"));
    let s3 = node(&g, "perm:GuestRole:Allow:s3");
    assert_eq!(s3.severity, Some(Severity::Error));
    assert!(grant_of(s3).wildcard);
    assert_eq!(grant_of(s3).scope, [access::Scope::All]);
    let summary = access::mermaid_for_summary(std::slice::from_ref(&g));
    assert_eq!(summary.len(), 1);
    assert_eq!(summary[0].0, "fixtures/graph/guest-wildcard.yaml");
    snapshots("guest_wildcard", &g);
}

#[test]
fn open_sign_up_door() {
    let g = one("fixtures/graph/open-sign-up.yaml");
    let up = node(&g, "door:IdentityPool:user-pool:UserPool");
    assert_eq!(
        door_of(up).open_sign_up,
        [
            "self sign-up (AllowAdminCreateUserOnly not true)",
            "Google sign-in through client WebClient"
        ]
    );
    let fb = node(&g, "door:IdentityPool:login:graph.facebook.com");
    assert_eq!(rules(&fb.findings), ["IP009"]);
    assert_eq!(node(&g, "role:SignedInRole").tier, Some("open-sign-up"));
    let managed = node(&g, "managed:SignedInRole:AmazonS3FullAccess");
    assert_eq!(managed.kind, NodeKind::ManagedPolicy);
    assert_eq!(rules(&managed.findings), ["PM001"]);
    snapshots("open_sign_up", &g);
}

#[test]
fn role_mapping_on_writable_attribute() {
    let g = one("fixtures/graph/role-mapping.yaml");
    let door = "door:IdentityPool:user-pool:UserPool";
    let rule = edge(&g, door, "role:AdminRole");
    assert_eq!(rule.kind, EdgeKind::RoleMapping);
    assert_eq!(rule.label, "rule: custom:role Equals admin");
    assert_eq!(rules(&rule.findings), ["IP008"]);
    assert_eq!(rule.severity, Some(Severity::Error));
    let group = edge(&g, door, "role:EditorRole");
    assert_eq!(
        (group.kind, group.label.as_str()),
        (EdgeKind::Group, "group editors (Token)")
    );
    assert_eq!(
        edge(&g, door, "role:ReaderRole").kind,
        EdgeKind::Authenticated
    );
    snapshots("role_mapping", &g);
}

/// A `Type: Token` mapping that also carries `RulesConfiguration` (the corpus has one:
/// PortfolioSS/surlesmobile-infra): Cognito never evaluates those rules, so no rule edge leads
/// to the rule's role; the group's role is reached through the token. (The graph drew
/// `rule: cognito:groups Contains admin` edges, false.)
#[test]
fn token_mapping_rules_are_not_evaluated() {
    let g = one("fixtures/graph/token-rules.yaml");
    let door = "door:IdentityPool:user-pool:UserPool";
    let group = edge(&g, door, "role:EditorRole");
    assert_eq!(
        (group.kind, group.label.as_str()),
        (EdgeKind::Group, "group editors (Token)")
    );
    assert!(
        g.edges.iter().all(|e| e.kind != EdgeKind::RoleMapping),
        "{:#?}",
        g.edges
    );
    assert_eq!(
        edge(&g, "pool:IdentityPool", "role:AdminRole").kind,
        EdgeKind::TrustOnly
    );
    assert!(
        node(&g, "role:AdminRole")
            .details
            .iter()
            .any(|d| d == "no door of this stack leads here")
    );
}

#[test]
fn two_pools_share_a_role() {
    let g = one("fixtures/graph/shared-role.yaml");
    let into: Vec<(&str, EdgeKind)> = g
        .edges
        .iter()
        .filter(|e| e.to == "role:SharedRole")
        .map(|e| (e.from.as_str(), e.kind))
        .collect();
    assert_eq!(
        into,
        [
            ("door:MobilePool:developer", EdgeKind::Authenticated),
            ("door:WebPool:classic-flow", EdgeKind::ClassicFlow),
            ("door:WebPool:oidc:0", EdgeKind::Authenticated),
        ]
    );
    let guest = node(&g, "door:MobilePool:guest");
    assert_eq!(door_of(guest).enabled, Some("unknown"));
    assert_eq!(
        guest.details,
        ["AllowUnauthenticatedIdentities: unknown (GuestsOn)"]
    );
    assert_eq!(
        rules(&node(&g, "door:WebPool:classic-flow").findings),
        ["IP007"]
    );
    let deny = node(&g, "perm:SharedRole:Deny:NotAction");
    assert_eq!(deny.label, "Deny everything except sns:Publish");
    snapshots("shared_role", &g);
}

#[test]
fn roles_no_one_can_reach() {
    let g = one("fixtures/graph/unreachable.yaml");
    let forgotten = node(&g, "role:ForgottenRole");
    assert!(
        forgotten
            .details
            .iter()
            .any(|d| d == "no door of this stack leads here")
    );
    assert_eq!(rules(&forgotten.findings), ["IP005"]);
    assert_eq!(
        edge(&g, "pool:IdentityPool", "role:ForgottenRole").kind,
        EdgeKind::TrustOnly
    );
    let elsewhere = node(&g, "role:ElsewhereRole");
    assert!(g.edges.iter().all(|e| e.to != elsewhere.id));
    assert_eq!(
        edge(&g, "pool:external:ImportedAttachment", "role:ImportedRole").kind,
        EdgeKind::Authenticated
    );
    snapshots("unreachable", &g);
}

/// Every fixture at once: one graph per stack, sorted by stack; mermaid as Markdown with a
/// fenced diagram per stack; dot as one digraph per stack; the same graphs as one at a time.
#[test]
fn several_stacks() {
    let gs = graphs(&["fixtures/graph"]);
    let names: Vec<&str> = gs.iter().map(|g| g.stack.as_str()).collect();
    assert_eq!(
        names,
        [
            "fixtures/graph/clean.yaml",
            "fixtures/graph/guest-wildcard.yaml",
            "fixtures/graph/open-sign-up.yaml",
            "fixtures/graph/role-mapping.yaml",
            "fixtures/graph/shared-role.yaml",
            "fixtures/graph/token-rules.yaml",
            "fixtures/graph/unreachable.yaml",
        ]
    );
    let md = access::mermaid::render(&gs);
    assert_eq!(md.matches("```mermaid\nflowchart LR\n").count(), 7);
    assert_eq!(access::dot::render(&gs).matches("digraph ").count(), 7);
    for g in &gs {
        let alone = one(&g.stack);
        assert_eq!(
            access::json::render(std::slice::from_ref(g)),
            access::json::render(&[alone])
        );
    }
}

#[test]
fn escaping() {
    assert_eq!(
        access::mermaid::escape("a \"b\" <c> & #d `e`"),
        "a #quot;b#quot; #lt;c#gt; #amp; #35;d #96;e#96;"
    );
    assert_eq!(
        access::dot::escape("a \"b\" \\n\nc"),
        "a \\\"b\\\" \\\\n\\nc"
    );
}

/// The subcommand: `graph` first draws; the same output as the library's; the default command
/// stays the lint, and a folder named `graph` is written `./graph`.
#[test]
fn subcommand() {
    let root = common::root();
    let fixtures = root.join("fixtures");
    let drawn = common::run_bin_in(&root, &["graph", "--format", "json", "fixtures/seeds"]);
    drawn.assert_no_panic("graph");
    assert_eq!(drawn.code, Some(0), "{}", drawn.stderr);
    assert_eq!(drawn.stdout, access::json::render(&[one("fixtures/seeds")]));
    let mermaid = common::run_bin_in(&fixtures, &["graph", "./graph/guest-wildcard.yaml"]);
    assert!(
        mermaid.stdout.starts_with("flowchart LR\n"),
        "{}",
        mermaid.stdout
    );
    // `./graph` is the folder, linted.
    let linted = common::run_bin_in(&fixtures, &["--format", "parseable", "./graph"]);
    assert_eq!(linted.code, Some(1), "{}", linted.stderr);
    assert!(
        linted
            .stdout
            .contains("graph/guest-wildcard.yaml:29:25:29:31:PM001:error:"),
        "{}",
        linted.stdout
    );
    let missing = common::run_bin_in(&root, &["graph", "no/such/path.yaml"]);
    assert_eq!(missing.code, Some(2));
    let bad = common::run_bin_in(&root, &["graph", "--format", "svg", "fixtures/seeds"]);
    assert_eq!(bad.code, Some(2));
}

/// The html page: one file, nothing fetched (no `http:`/`https:` anywhere, not even an SVG
/// namespace), a drawn node per node of the graph, the panel's data as JSON that cannot close
/// its script element early.
#[test]
fn html_is_self_contained() {
    let g = one("fixtures/seeds");
    let html = access::html::render(std::slice::from_ref(&g));
    assert!(html.starts_with("<!DOCTYPE html>"));
    for bad in ["http:", "https:", "//cdn", "@import", "<link", " src="] {
        assert!(!html.contains(bad), "{bad} in the page");
    }
    assert_eq!(html.matches("<g class=\"node ").count(), g.nodes.len());
    assert_eq!(html.matches("<path class=\"edge\"").count(), g.edges.len());
    let start = html
        .find("class=\"data\">")
        .map(|i| i + "class=\"data\">".len());
    let data = start.and_then(|s| html[s..].find("</script>").map(|e| &html[s..s + e]));
    let data = data.unwrap_or_else(|| panic!("no panel data"));
    let parsed: serde_json::Value =
        serde_json::from_str(data).unwrap_or_else(|e| panic!("panel data: {e}"));
    assert_eq!(
        parsed["nodes"].as_array().map(Vec::len),
        Some(g.nodes.len())
    );
    // The role's statements, with where they are written, for the panel.
    let role = parsed["nodes"]
        .as_array()
        .and_then(|a| a.iter().find(|n| n["id"] == "role:CognitoAuthorizedRole"))
        .unwrap_or_else(|| panic!("no role"));
    assert_eq!(
        role["statements"][0]["file"],
        "fixtures/seeds/identity-pool.yaml"
    );
    assert_eq!(role["statements"][0]["line"], 57);
    assert_eq!(
        role["statements"][0]["actions"],
        serde_json::json!([
            "mobileanalytics:PutEvents",
            "cognito-sync:*",
            "cognito-identity:*",
            "iot:*"
        ])
    );
    // Print styles.
    assert!(html.contains("@media print"));
}

/// Text from the template never becomes markup: a logical ID cannot, but a policy name and an
/// action string can hold `<`, `&` and quotes.
#[test]
fn html_escapes_template_text() {
    assert_eq!(
        access::html::escape("<script>\"a\" & 'b'"),
        "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;"
    );
    let dir = common::fresh_temp_dir("graph-html-escape");
    common::write_file(
        &dir,
        "t.yaml",
        GUEST_POOL.replace("ACTION", "s3:Get</script><b>"),
    );
    let mut gs = graphs(&[dir.join("t.yaml").to_string_lossy().as_ref()]);
    let html = access::html::render(&gs);
    assert!(!html.contains("</script><b>"), "{html}");
    assert!(html.contains("s3: Get&lt;/script&gt;&lt;b&gt;"));
    assert!(html.contains("\\u003c/script>\\u003cb>"));
    gs.clear();
}

const GUEST_POOL: &str = "\
Resources:
  Pool:
    Type: AWS::Cognito::IdentityPool
    Properties:
      AllowUnauthenticatedIdentities: true
  Guest:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Federated: cognito-identity.amazonaws.com}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals: {cognito-identity.amazonaws.com:aud: !Ref Pool}
              ForAnyValue:StringLike: {cognito-identity.amazonaws.com:amr: unauthenticated}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: 'ACTION', Resource: '*'}
  Attach:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Pool
      Roles: {unauthenticated: !GetAtt Guest.Arn}
";

/// A large stack: roles without findings are collapsed in the html (and the page says how
/// many); the other formats keep every node.
#[test]
fn html_collapses_roles_without_findings() {
    let mut text = String::from("Resources:\n");
    for i in 0..80 {
        let action = if i == 7 { "s3:*" } else { "s3:GetObject" };
        let resource = if i == 7 {
            "'*'".to_string()
        } else {
            format!("!Sub '${{Bucket}}/${{!cognito-identity.amazonaws.com:sub}}/{i}'")
        };
        text.push_str(&format!(
            "  Pool{i}:
    Type: AWS::Cognito::IdentityPool
    Properties:
      AllowUnauthenticatedIdentities: false
      DeveloperProviderName: login{i}.example.com
  Role{i}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {{Federated: cognito-identity.amazonaws.com}}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals: {{cognito-identity.amazonaws.com:aud: !Ref Pool{i}}}
              ForAnyValue:StringLike: {{cognito-identity.amazonaws.com:amr: authenticated}}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - {{Effect: Allow, Action: '{action}', Resource: {resource}}}
  Attach{i}:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Pool{i}
      Roles: {{authenticated: !GetAtt Role{i}.Arn}}
"
        ));
    }
    text.push_str("  Bucket:\n    Type: AWS::S3::Bucket\n");
    let dir = common::fresh_temp_dir("graph-collapse");
    common::write_file(&dir, "big.yaml", &text);
    let gs = graphs(&[dir.join("big.yaml").to_string_lossy().as_ref()]);
    let g = &gs[0];
    assert_eq!(g.nodes.len(), 320, "pools, doors, roles, permissions");
    let html = access::html::render(&gs);
    assert!(
        html.contains("79 roles without findings are collapsed (158 nodes not drawn)"),
        "{}",
        html.lines()
            .find(|l| l.contains("collapsed"))
            .unwrap_or_default()
    );
    assert_eq!(html.matches("<g class=\"node ").count(), 320 - 158);
    assert!(html.contains("data-node") && html.contains("Role Role7"));
    assert!(!html.contains(">Role Role8<"));
    assert_eq!(
        access::json::render(&gs)
            .matches("\"kind\": \"role\"")
            .count(),
        80
    );
}
