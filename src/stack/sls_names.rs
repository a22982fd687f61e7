//! The CloudFormation logical IDs the Serverless Framework (v3/v4, AWS provider) generates for a
//! service, so that `!Ref IamRoleLambdaExecution`, `!GetAtt HelloLambdaFunction.Arn` or
//! `!Ref ApiGatewayRestApi` in the service's `resources:` count as defined.
//!
//! The names are data: `rules/data/serverless-generated-names.txt` lists one pattern a line,
//! `<scope> <pattern>` (its header names the sources: the framework's "AWS CloudFormation
//! Resource Reference" and its `naming.js`). This module knows the *scopes*: when each applies
//! (once per service, per function, per event, ...) and the values of its placeholders
//! (`{Function}`, `{Path}`, `{Pool}`, ...). A pattern with `*` (a hash, timestamp or sequence
//! number), or with a placeholder whose value the service does not show (an unresolved
//! `${…}` variable, an empty value), cannot be enumerated: it is matched by
//! [`matches_generated_pattern`] instead of listed by [`generated`].

use std::sync::OnceLock;

/// The pattern list, embedded at build time.
static DATA: &str = include_str!("../../rules/data/serverless-generated-names.txt");

// ------------------------------------------------------------------------------------------------
// What the service declares
// ------------------------------------------------------------------------------------------------

/// What the service declares, as plain data (filled by the loader from `serverless.yml`).
///
/// Every `bool` but `has_provider_role` defaults to the framework's own default, so
/// `ServiceShape { functions, has_provider_role: true, ..Default::default() }` describes an
/// ordinary service.
#[derive(Default, Debug, Clone)]
pub struct ServiceShape {
    pub functions: Vec<FunctionShape>,
    /// The framework manages the provider role: false when `provider.iam.role` is an ARN, a
    /// role name or an intrinsic, or `provider.role` is set.
    pub has_provider_role: bool,
    /// `service:` (only needed for EventBridge rule IDs, which embed the deployed function
    /// name `<service>-<stage>-<function>`); empty when unknown.
    pub service: String,
    /// The stage; empty means the framework's default, `dev`.
    pub stage: String,
    /// v4 `provider.iam.role.mode: perFunction`: one `{Function}IamRoleLambdaExecution` per
    /// function and no shared `IamRoleLambdaExecution`.
    pub iam_per_function: bool,
    /// The deployment bucket is not in the stack: `provider.deploymentBucket` names a bucket, or
    /// a v4 service deploys to the shared per-region bucket. False (the v3 default, and v4
    /// stacks first deployed with v3) keeps `ServerlessDeploymentBucket` and its policy.
    pub external_deployment_bucket: bool,
    /// `provider.versionFunctions: false`.
    pub version_functions_disabled: bool,
    /// `provider.logs.lambda.logGroup` is set: no `{Function}LogGroup` is generated.
    pub custom_log_group: bool,
    /// `provider.apiGateway.restApiId` is set.
    pub external_rest_api: bool,
    /// `provider.httpApi.id` is set.
    pub external_http_api: bool,
    /// `provider.apiGateway.websocketApiId` is set.
    pub external_websocket_api: bool,
    /// `provider.logs.restApi` is set.
    pub rest_api_logs: bool,
    /// `provider.logs.httpApi` is set.
    pub http_api_logs: bool,
    /// `provider.logs.websocket` is set.
    pub websocket_logs: bool,
    /// `provider.apiGateway.apiKeys` (or `usagePlan`) is set.
    pub rest_api_keys: bool,
    /// Paths of `http` events with `cors` enabled (as written; slashes are trimmed here).
    pub http_cors_paths: Vec<String>,
    /// `provider.httpApi.authorizers`.
    pub http_api_authorizers: Vec<HttpApiAuthorizerShape>,
    /// Names of the (function) authorizers of `websocket` events.
    pub websocket_authorizers: Vec<String>,
    /// Keys of `layers:`.
    pub layers: Vec<String>,
    /// `provider.eventBridge` is set without `useCloudFormation: true`: EventBridge events are
    /// deployed by a custom resource.
    pub event_bridge_custom_resource: bool,
}

/// One function of the service.
#[derive(Default, Debug, Clone)]
pub struct FunctionShape {
    /// The key under `functions:`.
    pub name: String,
    /// All the function's events, in order (an `eventBridge` event's ID uses its position
    /// among all of them, so keep the others as [`EventShape::Other`]).
    pub events: Vec<EventShape>,
    /// The function sets `role:`.
    pub has_own_role: bool,
    /// The function's `name:` when set (the deployed name; the default is
    /// `<service>-<stage>-<key>`).
    pub deployed_name: Option<String>,
    /// v4 per-function IAM: `iam.role.statements`, `iam.role.managedPolicies` or
    /// `iamRoleStatements` on the function.
    pub has_iam_statements: bool,
    /// `disableLogs: true`.
    pub disable_logs: bool,
    /// `logs.logGroup` is set on the function.
    pub custom_log_group: bool,
    /// `url:` is set.
    pub url: bool,
    /// `provisionedConcurrency:` is set.
    pub provisioned_concurrency: bool,
    /// `snapStart: true`.
    pub snap_start: bool,
    /// `destinations`, `maximumEventAge` or `maximumRetryAttempts` is set.
    pub event_invoke_config: bool,
}

/// An HTTP API authorizer of `provider.httpApi.authorizers`.
#[derive(Default, Debug, Clone)]
pub struct HttpApiAuthorizerShape {
    /// Its `name:`, else its key.
    pub name: String,
    /// `type: request` and not `managedExternally`: the framework adds a Lambda permission.
    pub lambda: bool,
}

/// One event of a function. Strings are as written in `serverless.yml`; the framework's
/// normalisation is applied here. A value that is empty or still holds a `${…}` variable counts
/// as unknown: the IDs built from it are matched as patterns.
#[derive(Debug, Clone)]
pub enum EventShape {
    /// `http` (REST API). `authorizer`: a function name, an `authorizer.name`, an ARN (the
    /// framework then names it after the ARN's last `-` part), or `aws_iam`; `None` when there is
    /// no authorizer or it is an `authorizerId`. A Cognito user pool ARN gets no Lambda
    /// permission; a named Cognito authorizer given by its name is counted as a function's.
    Http {
        path: String,
        method: String,
        authorizer: Option<String>,
    },
    /// `httpApi`: `method` and `path` (or the short form `"GET /path"` / `"*"` in `path` with an
    /// empty `method`). `authorizer`: the authorizer's name, `None` for none or `aws_iam`.
    HttpApi {
        method: String,
        path: String,
        authorizer: Option<String>,
    },
    /// `cognitoUserPool`; `existing: true` uses a custom resource and creates no pool.
    CognitoUserPool {
        pool: String,
        trigger: String,
        existing: bool,
    },
    /// `s3`: the bucket name (or the `provider.s3` key it refers to).
    S3 { bucket: String, existing: bool },
    /// `sns`: a topic name (the framework creates the topic) or a topic ARN (it does not).
    Sns { topic: String },
    /// `sns` with an `arn:` that is not a plain string and a `topicName:`.
    SnsExisting { topic_name: String },
    /// `sqs`: the queue ARN; for `Fn::GetAtt` the logical ID, for `Fn::ImportValue` the export
    /// name, for `Fn::Join` its last part (what the framework names the mapping after).
    Sqs { arn_or_name: String },
    /// `stream`: the stream ARN, or for an intrinsic the name the framework takes from it (the
    /// `Fn::GetAtt`/`Ref` logical ID, the import name, the last `/` part of a `Fn::Join`);
    /// `kind` is `type:` (`dynamodb`/`kinesis`), else read from the ARN; `consumer` is
    /// `consumer: true`.
    Stream {
        arn_or_name: String,
        kind: Option<String>,
        consumer: bool,
    },
    /// `schedule` (EventBridge rule): the 1-based number of this rate expression among all the
    /// rate expressions of the function's `schedule` events (one shape per expression).
    Schedule { index: usize },
    /// `schedule` with `method: scheduler`, numbered like [`EventShape::Schedule`].
    Scheduler { index: usize },
    /// `eventBridge`: `event_bus` when it is a plain name or ARN, `None` for the default bus
    /// or an intrinsic.
    EventBridge { event_bus: Option<String> },
    /// `websocket`: its `route`.
    Websocket { route: String },
    /// `cloudwatchEvent`, 1-based among the function's.
    CloudWatchEvent { index: usize },
    /// `cloudwatchLog`, 1-based among the function's.
    CloudWatchLog { index: usize },
    /// `iot`, 1-based among the function's.
    Iot { index: usize },
    /// `iotFleetProvisioning`.
    IotFleetProvisioning,
    /// `alexaSkill`, 1-based among the function's.
    AlexaSkill { index: usize },
    /// `alexaSmartHome`, 1-based among the function's.
    AlexaSmartHome { index: usize },
    /// `alb`.
    Alb,
    /// `kafka`: its `topic`.
    Kafka { topic: String },
    /// `msk`: the cluster name and `topic`.
    Msk { cluster: String, topic: String },
    /// `activemq`: its `queue`.
    ActiveMq { queue: String },
    /// `rabbitmq`: its `queue`.
    RabbitMq { queue: String },
    /// `cloudFront`.
    CloudFront,
    /// Any other event (its key); generates nothing but keeps event positions.
    Other(String),
}

// ------------------------------------------------------------------------------------------------
// Normalisation (the framework's naming.js rules)
// ------------------------------------------------------------------------------------------------

/// The framework's normalisation of a name into a logical-ID part (functions, layers, buses,
/// authorizers): `-` → `Dash`, `_` → `Underscore`, first letter upper-cased; nothing is
/// dropped and nothing else changes case. `write-post` → `WriteDashpost` (the docs' example
/// `WriteDashPostLogGroup` is wrong; naming.js's tests have `hello-world` → `HelloDashworld`),
/// `post_confirmation` → `PostUnderscoreconfirmation`.
pub fn normalize(name: &str) -> String {
    upper_first(&name.replace('-', "Dash").replace('_', "Underscore"))
}

/// The framework's alphanumeric normalisation (pools, triggers, buckets, topics, queues,
/// streams): every character but `A-Z a-z 0-9` dropped, first letter upper-cased.
/// `my-bucket.example` → `Mybucketexample`.
pub fn normalize_alphanumeric(name: &str) -> String {
    let kept: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    upper_first(&kept)
}

/// The framework's normalisation of an API Gateway path: for each `/`-separated part,
/// lower-case it, upper-case its first letter, `-` → `Dash`, `{x}` → `xVar`, drop the other
/// non-alphanumerics; the parts are concatenated. `users/{user_id}` → `UsersUseridVar`.
pub fn normalize_path(path: &str) -> String {
    path.split('/').map(normalize_path_part).collect()
}

/// The framework's normalisation of an HTTP method: lower-cased, first letter upper-cased
/// (`GET` → `Get`); `*` is API Gateway's `ANY` (`Any`).
pub fn normalize_method(method: &str) -> String {
    let m = method.trim();
    if m == "*" {
        return "Any".to_string();
    }
    upper_first(&m.to_lowercase())
}

/// The framework's normalisation of a websocket route key (no case change):
/// `$` → `S`, `/` → `Slash`, `-` → `Dash`, `_` → `Underscore`, `.` → `Period`.
/// `$connect` → `Sconnect`.
pub fn normalize_websocket_route(route: &str) -> String {
    let mut out = String::with_capacity(route.len());
    for c in route.chars() {
        match c {
            '$' => out.push('S'),
            '/' => out.push_str("Slash"),
            '-' => out.push_str("Dash"),
            '_' => out.push_str("Underscore"),
            '.' => out.push_str("Period"),
            c => out.push(c),
        }
    }
    out
}

/// `_.upperFirst`: the first character upper-cased, the rest unchanged.
fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// One part of a path (`naming.normalizePathPart`).
fn normalize_path_part(part: &str) -> String {
    let capitalized = upper_first(&part.to_lowercase());
    let dashed = capitalized.replace('-', "Dash");
    // `{x}` → `xVar`: from the first `{` to the last `}` (the framework's greedy `\{(.*)\}`).
    let braced = match (dashed.find('{'), dashed.rfind('}')) {
        (Some(l), Some(r)) if l < r => {
            let (head, rest) = dashed.split_at(l);
            let inner_len = r - l;
            let inner = rest.get(1..inner_len).unwrap_or_default();
            let tail = rest.get(inner_len + 1..).unwrap_or_default();
            format!("{head}{inner}Var{tail}")
        }
        _ => dashed,
    };
    normalize_alphanumeric(&braced)
}

/// The HTTP API route part of `HttpApiRoute{Route}`.
fn http_api_route(method: &str, path: &str) -> Option<String> {
    let (mut method, mut path) = (method.trim(), path.trim());
    if method.is_empty() {
        // The short form `"GET /path"` given as the path.
        if let Some((m, p)) = path.split_once(' ') {
            method = m.trim();
            path = p.trim();
        }
    }
    if path == "*" {
        return Some("Default".to_string());
    }
    if is_unknown(path) || is_unknown(method) {
        return None;
    }
    let method = if method == "*" {
        "ANY".to_string()
    } else {
        method.to_uppercase()
    };
    Some(normalize_path(&format!("{method} {path}")))
}

/// A REST API authorizer's normalised name, and whether the framework adds a Lambda
/// permission for it.
fn rest_authorizer(raw: &str) -> Option<(Option<String>, bool)> {
    let a = raw.trim();
    if a.is_empty() || a.eq_ignore_ascii_case("aws_iam") {
        return None;
    }
    if a.contains(':') {
        // `extractAuthorizerNameFromArn`: the last `:` part, then its last `-` part.
        let last = a.rsplit(':').next().unwrap_or_default();
        let name = last.rsplit('-').next().unwrap_or_default();
        let cognito = a.split(':').nth(2) == Some("cognito-idp");
        return Some((known(name).map(normalize), !cognito));
    }
    Some((known(a).map(normalize), true))
}

/// A value the IDs can be built from: not empty, no unresolved `${…}` variable.
fn known(s: &str) -> Option<&str> {
    let s = s.trim();
    (!is_unknown(s)).then_some(s)
}

fn is_unknown(s: &str) -> bool {
    s.trim().is_empty() || s.contains("${")
}

/// The first `max` characters.
fn truncate(s: String, max: usize) -> String {
    s.chars().take(max).collect()
}

// ------------------------------------------------------------------------------------------------
// The pattern data
// ------------------------------------------------------------------------------------------------

/// Every scope the code implements, with the placeholders its patterns may use.
const SCOPES: &[(&str, &[&str])] = &[
    ("deployment-bucket", &[]),
    ("provider-role", &[]),
    ("function-role", &["Function"]),
    ("function", &["Function"]),
    ("function-logs", &["Function"]),
    ("function-version", &["Function"]),
    ("function-url", &["Function"]),
    ("function-provisioned", &["Function"]),
    ("function-snapstart", &["Function"]),
    ("function-event-config", &["Function"]),
    ("layer", &["Layer"]),
    ("rest-api", &[]),
    ("rest-api-any", &[]),
    ("http-resource", &["Path"]),
    ("http-method", &["Path", "Method"]),
    ("http-cors", &["Path"]),
    ("http-function", &["Function"]),
    ("http-authorizer", &["Authorizer"]),
    ("http-authorizer-lambda", &["Authorizer"]),
    ("rest-api-keys", &[]),
    ("rest-api-logs", &[]),
    ("http-api", &[]),
    ("http-api-logs", &[]),
    ("http-api-route", &["Route"]),
    ("http-api-function", &["Function"]),
    ("http-api-authorizer", &["Authorizer"]),
    ("http-api-authorizer-lambda", &["Authorizer"]),
    ("websocket-api", &[]),
    ("websocket-any", &[]),
    ("websocket-logs", &[]),
    ("websocket-route", &["Route"]),
    ("websocket-function", &["Function"]),
    ("websocket-authorizer", &["Authorizer"]),
    ("cognito-pool", &["Pool"]),
    ("cognito-trigger", &["Function", "Pool", "Trigger"]),
    ("cognito-existing", &["Function"]),
    ("s3-bucket", &["Bucket"]),
    ("s3-permission", &["Function", "Bucket"]),
    ("s3-existing", &["Function"]),
    ("sns-topic", &["Topic"]),
    ("sns", &["Function", "Topic"]),
    ("sqs", &["Function", "Queue"]),
    ("stream", &["Function", "StreamType", "Stream"]),
    ("stream-consumer", &["Function", "Consumer"]),
    ("kafka", &["Function", "Topic", "TopicShort"]),
    ("msk", &["Function", "Cluster", "Topic"]),
    ("activemq", &["Function", "Queue"]),
    ("rabbitmq", &["Function", "Queue"]),
    ("schedule", &["Function", "Index"]),
    ("scheduler", &["Function", "Index"]),
    ("event-bridge", &["Function", "Index", "RulePrefix"]),
    ("event-bridge-bus", &["Bus"]),
    ("event-bridge-custom", &["Function", "Index"]),
    ("cloudwatch-event", &["Function", "Index"]),
    ("cloudwatch-log", &["Function", "Index"]),
    ("iot", &["Function", "Index"]),
    ("iot-fleet-provisioning", &["Function"]),
    ("alexa-skill", &["Function", "Index"]),
    ("alexa-smart-home", &["Function", "Index"]),
    ("alb", &["Function"]),
    ("cloudfront", &[]),
    ("cloudfront-function", &["Function"]),
    ("custom-resources", &[]),
    ("custom-resource-s3", &[]),
    ("custom-resource-cognito", &[]),
    ("custom-resource-event-bridge", &[]),
    ("custom-resource-apigw-role", &[]),
];

/// A piece of a pattern as written.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Lit(String),
    Hole(&'static str),
    Wild,
}

/// One line of the data.
#[derive(Debug, Clone)]
struct PatternLine {
    scope: &'static str,
    pieces: Vec<Piece>,
}

/// The data, parsed once; malformed lines are left out (see [`data_errors`]).
fn patterns() -> &'static [PatternLine] {
    static PARSED: OnceLock<Vec<PatternLine>> = OnceLock::new();
    PARSED.get_or_init(|| parse(DATA).0)
}

/// What is wrong in the embedded data (an unknown scope, a placeholder the scope does not
/// provide, a malformed pattern), one message a line; empty when the data is sound.
pub fn data_errors() -> Vec<String> {
    parse(DATA).1
}

fn parse(text: &str) -> (Vec<PatternLine>, Vec<String>) {
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        let (Some(scope), Some(pattern), None) = (words.next(), words.next(), words.next()) else {
            errors.push(format!("line {}: expected `<scope> <pattern>`", n + 1));
            continue;
        };
        let Some(&(scope, holes)) = SCOPES.iter().find(|(s, _)| *s == scope) else {
            errors.push(format!("line {}: unknown scope `{scope}`", n + 1));
            continue;
        };
        match parse_pattern(pattern, holes) {
            Ok(pieces) => lines.push(PatternLine { scope, pieces }),
            Err(e) => errors.push(format!("line {}: {e}", n + 1)),
        }
    }
    (lines, errors)
}

fn parse_pattern(pattern: &str, holes: &[&'static str]) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        match c {
            '{' => {
                let Some(close) = rest.find('}') else {
                    return Err(format!("unclosed `{{` in `{pattern}`"));
                };
                let name = rest.get(1..close).unwrap_or_default();
                let Some(&hole) = holes.iter().find(|h| **h == name) else {
                    return Err(format!(
                        "placeholder `{{{name}}}` is not provided by this scope"
                    ));
                };
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                pieces.push(Piece::Hole(hole));
                rest = rest.get(close + 1..).unwrap_or_default();
            }
            '*' => {
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                pieces.push(Piece::Wild);
                rest = rest.get(1..).unwrap_or_default();
            }
            c if c.is_ascii_alphanumeric() => {
                lit.push(c);
                rest = rest.get(c.len_utf8()..).unwrap_or_default();
            }
            c => return Err(format!("unexpected `{c}` in `{pattern}`")),
        }
    }
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit));
    }
    if pieces.is_empty() {
        return Err("empty pattern".to_string());
    }
    Ok(pieces)
}

// ------------------------------------------------------------------------------------------------
// Scope instances: where the service makes a scope apply, with the placeholders' values
// ------------------------------------------------------------------------------------------------

/// One application of a scope; `None` values are unknown (matched as `*`).
#[derive(Debug, Clone)]
struct Instance {
    scope: &'static str,
    vals: Vec<(&'static str, Option<String>)>,
}

#[derive(Default)]
struct Instances(Vec<Instance>);

impl Instances {
    fn add(&mut self, scope: &'static str, vals: Vec<(&'static str, Option<String>)>) {
        self.0.push(Instance { scope, vals });
    }
}

/// Every scope instance of the service, in a stable order (service, then functions and their
/// events in declaration order).
fn instances(service: &ServiceShape) -> Vec<Instance> {
    let mut out = Instances::default();
    let fns = &service.functions;
    let stage = known(&service.stage).unwrap_or("dev");

    if !service.external_deployment_bucket {
        out.add("deployment-bucket", vec![]);
    }
    let role_managed = service.has_provider_role;
    if role_managed && !service.iam_per_function && fns.iter().any(|f| !f.has_own_role) {
        out.add("provider-role", vec![]);
    }

    let mut any_http = false;
    let mut any_http_api = false;
    let mut any_websocket = false;
    let mut any_s3_existing = false;
    let mut any_cognito_existing = false;
    let mut any_event_bridge_custom = false;
    let mut any_cloudfront = false;

    for f in fns {
        let fname = || known(&f.name).map(normalize);
        let func = || vec![("Function", fname())];
        out.add("function", func());
        if !f.disable_logs && !f.custom_log_group && !service.custom_log_group {
            out.add("function-logs", func());
        }
        if !service.version_functions_disabled {
            out.add("function-version", func());
        }
        if role_managed && !f.has_own_role && (service.iam_per_function || f.has_iam_statements) {
            out.add("function-role", func());
        }
        if f.url {
            out.add("function-url", func());
        }
        if f.provisioned_concurrency {
            out.add("function-provisioned", func());
        }
        if f.snap_start {
            out.add("function-snapstart", func());
        }
        if f.event_invoke_config {
            out.add("function-event-config", func());
        }

        let (mut has_http, mut has_http_api, mut has_websocket) = (false, false, false);
        let (mut cognito_existing, mut s3_existing, mut cloudfront) = (false, false, false);
        for (position, event) in f.events.iter().enumerate() {
            match event {
                EventShape::Http {
                    path,
                    method,
                    authorizer,
                } => {
                    has_http = true;
                    let path = path.trim().trim_start_matches('/').trim_end_matches('/');
                    let path_known = !path.contains("${");
                    if path_known && !path.is_empty() {
                        let mut prefix = String::new();
                        for part in path.split('/') {
                            if !prefix.is_empty() {
                                prefix.push('/');
                            }
                            prefix.push_str(part);
                            out.add(
                                "http-resource",
                                vec![("Path", Some(normalize_path(&prefix)))],
                            );
                        }
                    }
                    out.add(
                        "http-method",
                        vec![
                            ("Path", path_known.then(|| normalize_path(path))),
                            ("Method", known(method).map(normalize_method)),
                        ],
                    );
                    if let Some((name, lambda)) = authorizer.as_deref().and_then(rest_authorizer) {
                        out.add("http-authorizer", vec![("Authorizer", name.clone())]);
                        if lambda {
                            out.add("http-authorizer-lambda", vec![("Authorizer", name)]);
                        }
                    }
                }
                EventShape::HttpApi {
                    method,
                    path,
                    authorizer,
                } => {
                    has_http_api = true;
                    out.add(
                        "http-api-route",
                        vec![("Route", http_api_route(method, path))],
                    );
                    let authorizer = authorizer.as_deref().map(str::trim).unwrap_or_default();
                    if !authorizer.is_empty() && !authorizer.eq_ignore_ascii_case("aws_iam") {
                        let name = known(authorizer).map(normalize);
                        out.add("http-api-authorizer", vec![("Authorizer", name)]);
                    }
                }
                EventShape::CognitoUserPool {
                    pool,
                    trigger,
                    existing,
                } => {
                    if *existing {
                        cognito_existing = true;
                    } else {
                        let pool = known(pool).map(normalize_alphanumeric);
                        out.add("cognito-pool", vec![("Pool", pool.clone())]);
                        out.add(
                            "cognito-trigger",
                            vec![
                                ("Function", fname()),
                                ("Pool", pool),
                                ("Trigger", known(trigger).map(normalize_alphanumeric)),
                            ],
                        );
                    }
                }
                EventShape::S3 { bucket, existing } => {
                    if *existing {
                        s3_existing = true;
                    } else {
                        let bucket = known(bucket).map(normalize_alphanumeric);
                        out.add("s3-bucket", vec![("Bucket", bucket.clone())]);
                        out.add(
                            "s3-permission",
                            vec![("Function", fname()), ("Bucket", bucket)],
                        );
                    }
                }
                EventShape::Sns { topic } => {
                    let t = topic.trim();
                    if t.starts_with("arn:") {
                        let name = t.rsplit(':').next().unwrap_or_default();
                        let name = known(name).map(normalize_alphanumeric);
                        out.add("sns", vec![("Function", fname()), ("Topic", name)]);
                    } else {
                        let name = known(t).map(normalize_alphanumeric);
                        out.add("sns-topic", vec![("Topic", name.clone())]);
                        out.add("sns", vec![("Function", fname()), ("Topic", name)]);
                    }
                }
                EventShape::SnsExisting { topic_name } => {
                    let name = known(topic_name).map(normalize_alphanumeric);
                    out.add("sns", vec![("Function", fname()), ("Topic", name)]);
                }
                EventShape::Sqs { arn_or_name } => {
                    let queue = arn_or_name.trim().rsplit(':').next().unwrap_or_default();
                    let queue = known(queue).map(normalize_alphanumeric);
                    out.add("sqs", vec![("Function", fname()), ("Queue", queue)]);
                }
                EventShape::Stream {
                    arn_or_name,
                    kind,
                    consumer,
                } => {
                    let s = arn_or_name.trim();
                    let (kind, name) = if s.starts_with("arn:") {
                        let from_arn = s.split(':').nth(2).map(str::to_string);
                        (kind.clone().or(from_arn), s.split('/').nth(1))
                    } else {
                        (kind.clone(), Some(s))
                    };
                    let kind = kind.as_deref().and_then(known).map(str::to_string);
                    let name = name.and_then(known);
                    out.add(
                        "stream",
                        vec![
                            ("Function", fname()),
                            ("StreamType", kind.as_deref().map(upper_first)),
                            ("Stream", name.map(normalize_alphanumeric)),
                        ],
                    );
                    if *consumer && kind.as_deref() == Some("kinesis") {
                        let consumer = match (known(&f.name), name) {
                            (Some(fun), Some(stream)) => {
                                Some(normalize(&format!("{fun}{stream}Consumer")))
                            }
                            _ => None,
                        };
                        out.add(
                            "stream-consumer",
                            vec![("Function", fname()), ("Consumer", consumer)],
                        );
                    }
                }
                EventShape::Schedule { index } => {
                    out.add("schedule", indexed(fname(), *index));
                }
                EventShape::Scheduler { index } => {
                    out.add("scheduler", indexed(fname(), *index));
                }
                EventShape::EventBridge { event_bus } => {
                    let index = position + 1;
                    if service.event_bridge_custom_resource {
                        any_event_bridge_custom = true;
                        out.add("event-bridge-custom", indexed(fname(), index));
                    } else {
                        let deployed = match &f.deployed_name {
                            Some(name) => known(name).map(str::to_string),
                            None => match (known(&service.service), known(&f.name)) {
                                (Some(svc), Some(fun)) => Some(format!("{svc}-{stage}-{fun}")),
                                _ => None,
                            },
                        };
                        let mut vals = indexed(fname(), index);
                        vals.push(("RulePrefix", deployed.map(|d| normalize_alphanumeric(&d))));
                        out.add("event-bridge", vals);
                        let bus = event_bus.as_deref().map(str::trim).unwrap_or_default();
                        if !bus.is_empty() && !bus.starts_with("arn") && bus != "default" {
                            out.add("event-bridge-bus", vec![("Bus", known(bus).map(normalize))]);
                        }
                    }
                }
                EventShape::Websocket { route } => {
                    has_websocket = true;
                    let route = known(route).map(normalize_websocket_route);
                    out.add("websocket-route", vec![("Route", route)]);
                }
                EventShape::CloudWatchEvent { index } => {
                    out.add("cloudwatch-event", indexed(fname(), *index));
                }
                EventShape::CloudWatchLog { index } => {
                    out.add("cloudwatch-log", indexed(fname(), *index));
                }
                EventShape::Iot { index } => out.add("iot", indexed(fname(), *index)),
                EventShape::IotFleetProvisioning => out.add("iot-fleet-provisioning", func()),
                EventShape::AlexaSkill { index } => {
                    out.add("alexa-skill", indexed(fname(), *index));
                }
                EventShape::AlexaSmartHome { index } => {
                    out.add("alexa-smart-home", indexed(fname(), *index));
                }
                EventShape::Alb => out.add("alb", func()),
                EventShape::Kafka { topic } => {
                    let topic = known(topic).map(normalize_alphanumeric);
                    out.add(
                        "kafka",
                        vec![
                            ("Function", fname()),
                            ("Topic", topic.clone().map(|t| truncate(t, 158))),
                            ("TopicShort", topic.map(|t| truncate(t, 150))),
                        ],
                    );
                }
                EventShape::Msk { cluster, topic } => {
                    out.add(
                        "msk",
                        vec![
                            ("Function", fname()),
                            (
                                "Cluster",
                                known(cluster).map(|c| truncate(normalize_alphanumeric(c), 79)),
                            ),
                            (
                                "Topic",
                                known(topic).map(|t| truncate(normalize_alphanumeric(t), 79)),
                            ),
                        ],
                    );
                }
                EventShape::ActiveMq { queue } => {
                    let queue = known(queue).map(|q| truncate(normalize_alphanumeric(q), 150));
                    out.add("activemq", vec![("Function", fname()), ("Queue", queue)]);
                }
                EventShape::RabbitMq { queue } => {
                    let queue = known(queue).map(|q| truncate(normalize_alphanumeric(q), 150));
                    out.add("rabbitmq", vec![("Function", fname()), ("Queue", queue)]);
                }
                EventShape::CloudFront => cloudfront = true,
                EventShape::Other(_) => {}
            }
        }
        if has_http {
            any_http = true;
            out.add("http-function", func());
        }
        if has_http_api {
            any_http_api = true;
            out.add("http-api-function", func());
        }
        if has_websocket {
            any_websocket = true;
            out.add("websocket-function", func());
        }
        if cognito_existing {
            any_cognito_existing = true;
            out.add("cognito-existing", func());
        }
        if s3_existing {
            any_s3_existing = true;
            out.add("s3-existing", func());
        }
        if cloudfront {
            any_cloudfront = true;
            out.add("cloudfront-function", func());
        }
    }

    let mut apigw_role = false;
    if any_http {
        if !service.external_rest_api {
            out.add("rest-api", vec![]);
            if service.rest_api_logs {
                out.add("rest-api-logs", vec![]);
                apigw_role = true;
            }
        }
        out.add("rest-api-any", vec![]);
        for path in &service.http_cors_paths {
            let path = path.trim().trim_start_matches('/').trim_end_matches('/');
            let path = (!path.contains("${")).then(|| normalize_path(path));
            out.add("http-cors", vec![("Path", path)]);
        }
        if service.rest_api_keys {
            out.add("rest-api-keys", vec![]);
        }
    }
    if any_http_api {
        if !service.external_http_api {
            out.add("http-api", vec![]);
            if service.http_api_logs {
                out.add("http-api-logs", vec![]);
            }
        }
        for a in &service.http_api_authorizers {
            let name = known(&a.name).map(normalize);
            out.add("http-api-authorizer", vec![("Authorizer", name.clone())]);
            if a.lambda {
                out.add("http-api-authorizer-lambda", vec![("Authorizer", name)]);
            }
        }
    }
    if any_websocket {
        if !service.external_websocket_api {
            out.add("websocket-api", vec![]);
            if service.websocket_logs {
                out.add("websocket-logs", vec![]);
                apigw_role = true;
            }
        }
        out.add("websocket-any", vec![]);
        for a in &service.websocket_authorizers {
            out.add(
                "websocket-authorizer",
                vec![("Authorizer", known(a).map(normalize))],
            );
        }
    }
    if any_cloudfront {
        out.add("cloudfront", vec![]);
    }
    if any_s3_existing {
        out.add("custom-resource-s3", vec![]);
    }
    if any_cognito_existing {
        out.add("custom-resource-cognito", vec![]);
    }
    if any_event_bridge_custom {
        out.add("custom-resource-event-bridge", vec![]);
    }
    if apigw_role {
        out.add("custom-resource-apigw-role", vec![]);
    }
    if any_s3_existing || any_cognito_existing || any_event_bridge_custom || apigw_role {
        out.add("custom-resources", vec![]);
    }
    out.0
}

fn indexed(function: Option<String>, index: usize) -> Vec<(&'static str, Option<String>)> {
    vec![("Function", function), ("Index", Some(index.to_string()))]
}

// ------------------------------------------------------------------------------------------------
// Expansion and matching
// ------------------------------------------------------------------------------------------------

/// A pattern with its placeholders filled: literal text and wildcards.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Lit(String),
    Wild,
}

fn expand(line: &PatternLine, inst: &Instance) -> Vec<Tok> {
    let mut toks: Vec<Tok> = Vec::new();
    let push_lit = |toks: &mut Vec<Tok>, s: &str| match toks.last_mut() {
        Some(Tok::Lit(prev)) => prev.push_str(s),
        _ => toks.push(Tok::Lit(s.to_string())),
    };
    for piece in &line.pieces {
        match piece {
            Piece::Lit(s) => push_lit(&mut toks, s),
            Piece::Hole(name) => match inst.vals.iter().find(|(n, _)| n == name) {
                Some((_, Some(v))) => push_lit(&mut toks, v),
                _ => toks.push(Tok::Wild),
            },
            Piece::Wild => toks.push(Tok::Wild),
        }
    }
    toks
}

/// The exact name, when the tokens hold no wildcard.
fn exact(toks: &[Tok]) -> Option<String> {
    match toks {
        [] => Some(String::new()),
        [Tok::Lit(s)] => Some(s.clone()),
        _ => None,
    }
}

/// Whether `name` matches the tokens; a wildcard matches one or more ASCII letters/digits.
fn glob_match(toks: &[Tok], name: &str) -> bool {
    let bytes = name.as_bytes();
    let n = bytes.len();
    // reach[j]: the tokens so far can match bytes[..j].
    let mut reach = vec![false; n + 1];
    reach[0] = true;
    for tok in toks {
        let mut next = vec![false; n + 1];
        match tok {
            Tok::Lit(lit) => {
                let lit = lit.as_bytes();
                for j in 0..=n {
                    if reach[j] && bytes.get(j..j + lit.len()) == Some(lit) {
                        next[j + lit.len()] = true;
                    }
                }
            }
            Tok::Wild => {
                let mut open = false;
                for j in 1..=n {
                    if bytes[j - 1].is_ascii_alphanumeric() {
                        open = open || reach[j - 1];
                        next[j] = open;
                    } else {
                        open = false;
                    }
                }
            }
        }
        reach = next;
        if !reach.iter().any(|r| *r) {
            return false;
        }
    }
    reach[n]
}

/// The service's scope instances, grouped by scope.
fn by_scope(service: &ServiceShape) -> std::collections::HashMap<&'static str, Vec<Instance>> {
    let mut map: std::collections::HashMap<&'static str, Vec<Instance>> =
        std::collections::HashMap::new();
    for inst in instances(service) {
        map.entry(inst.scope).or_default().push(inst);
    }
    map
}

/// Whether the line expands to a pattern (not an exact name) for this instance: it has a `*`,
/// or a placeholder whose value is unknown.
fn is_pattern(line: &PatternLine, inst: &Instance) -> bool {
    line.pieces.iter().any(|p| match p {
        Piece::Wild => true,
        Piece::Hole(h) => !matches!(inst.vals.iter().find(|(n, _)| n == h), Some((_, Some(_)))),
        Piece::Lit(_) => false,
    })
}

/// The names the framework generates for one service, computed once (for callers that look
/// many names up): the exact names in [`generated`]'s order, and the patterns.
#[derive(Debug, Clone, Default)]
pub struct GeneratedNames {
    names: Vec<String>,
    set: std::collections::HashSet<String>,
    patterns: Vec<Vec<Tok>>,
}

impl GeneratedNames {
    pub fn new(service: &ServiceShape) -> GeneratedNames {
        let groups = by_scope(service);
        let mut out = GeneratedNames::default();
        for line in patterns() {
            for inst in groups.get(line.scope).map_or(&[][..], Vec::as_slice) {
                let toks = expand(line, inst);
                if is_pattern(line, inst) {
                    if !out.patterns.contains(&toks) {
                        out.patterns.push(toks);
                    }
                } else if let Some(name) = exact(&toks) {
                    if out.set.insert(name.clone()) {
                        out.names.push(name);
                    }
                }
            }
        }
        out
    }
    /// The exact names, in a stable order, without duplicates.
    pub fn names(&self) -> &[String] {
        &self.names
    }
    /// Whether `name` matches one of the patterns (hash suffixes, unknown values).
    pub fn matches_pattern(&self, name: &str) -> bool {
        self.patterns.iter().any(|toks| glob_match(toks, name))
    }
    /// Whether `name` is generated, exactly or by pattern.
    pub fn contains(&self, name: &str) -> bool {
        self.set.contains(name) || self.matches_pattern(name)
    }
}

/// Every logical ID the framework generates for this service, in a stable order (the data
/// file's order, then the service's: functions and events as declared), without duplicates.
/// Names that cannot be enumerated (hash suffixes, unknown values) are left to
/// [`matches_generated_pattern`].
pub fn generated(service: &ServiceShape) -> Vec<String> {
    GeneratedNames::new(service).names
}

/// Names that cannot be enumerated exactly (hash suffixes such as
/// `ApiGatewayDeployment1700000000`, `{Function}LambdaVersion<hash>`, and names built from a
/// value the service does not show): whether `name` matches one of those patterns for this
/// service. Exact names are [`generated`]'s. (Each call recomputes the service's names; hold a
/// [`GeneratedNames`] for many look-ups.)
pub fn matches_generated_pattern(service: &ServiceShape, name: &str) -> bool {
    let groups = by_scope(service);
    patterns().iter().any(|line| {
        groups
            .get(line.scope)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .any(|inst| is_pattern(line, inst) && glob_match(&expand(line, inst), name))
    })
}

/// Whether `name` is a logical ID the framework generates for this service, exactly or by
/// pattern.
pub fn is_generated(service: &ServiceShape, name: &str) -> bool {
    GeneratedNames::new(service).contains(name)
}

/// The first exact expansion of a scope's patterns for the given values.
fn first_of_scope(
    scope: &'static str,
    vals: Vec<(&'static str, Option<String>)>,
) -> Option<String> {
    let inst = Instance { scope, vals };
    patterns()
        .iter()
        .filter(|l| l.scope == scope)
        .find_map(|l| exact(&expand(l, &inst)))
}

/// For a `cognitoUserPool` event: the user pool the framework creates,
/// `CognitoUserPool{normalize_alphanumeric(pool)}` (not created when `existing: true`).
pub fn cognito_pool_id(pool: &str) -> String {
    let pool = normalize_alphanumeric(pool);
    first_of_scope("cognito-pool", vec![("Pool", Some(pool.clone()))])
        .unwrap_or_else(|| format!("CognitoUserPool{pool}"))
}

/// For a `cognitoUserPool` event on a new pool: the Lambda permission the framework creates,
/// `{normalize(function)}LambdaPermissionCognitoUserPool{Pool}TriggerSource{Trigger}`
/// (pool and trigger alphanumeric-normalised).
pub fn cognito_permission_id(function: &str, pool: &str, trigger: &str) -> String {
    let (function, pool, trigger) = (
        normalize(function),
        normalize_alphanumeric(pool),
        normalize_alphanumeric(trigger),
    );
    first_of_scope(
        "cognito-trigger",
        vec![
            ("Function", Some(function.clone())),
            ("Pool", Some(pool.clone())),
            ("Trigger", Some(trigger.clone())),
        ],
    )
    .unwrap_or_else(|| {
        format!("{function}LambdaPermissionCognitoUserPool{pool}TriggerSource{trigger}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function(name: &str, events: Vec<EventShape>) -> FunctionShape {
        FunctionShape {
            name: name.to_string(),
            events,
            ..FunctionShape::default()
        }
    }

    fn service(functions: Vec<FunctionShape>) -> ServiceShape {
        ServiceShape {
            functions,
            has_provider_role: true,
            ..ServiceShape::default()
        }
    }

    fn http(path: &str, method: &str) -> EventShape {
        EventShape::Http {
            path: path.to_string(),
            method: method.to_string(),
            authorizer: None,
        }
    }

    #[test]
    fn data_is_sound() {
        assert_eq!(data_errors(), Vec::<String>::new());
        assert!(patterns().len() > 80);
        // Every scope the code implements has at least one pattern.
        for (scope, _) in SCOPES {
            assert!(
                patterns().iter().any(|l| l.scope == *scope),
                "scope `{scope}` has no pattern in the data"
            );
        }
    }

    #[test]
    fn parse_reports_bad_lines() {
        let (lines, errors) = parse(
            "# c\nfunction {Function}LambdaFunction\nnope X\nfunction {Pool}X\nfunction A B\nhttp-method Api{Path\nfunction a-b\n",
        );
        assert_eq!(lines.len(), 1);
        assert_eq!(errors.len(), 5, "{errors:?}");
    }

    #[test]
    fn normalisation_examples_from_the_docs() {
        // "Override AWS CloudFormation Resource": `-` → Dash, `_` → Underscore, upper-case first.
        // (The docs' own example, `WriteDashPostLogGroup`, contradicts naming.js and its tests:
        // nothing after `Dash` is upper-cased, `hello-world` → `HelloDashworld`.)
        assert_eq!(normalize("write-post"), "WriteDashpost");
        assert_eq!(normalize("hello-world"), "HelloDashworld");
        assert_eq!(normalize("hello_world"), "HelloUnderscoreworld");
        assert_eq!(normalize("functionName"), "FunctionName");
        assert_eq!(normalize("post_confirmation"), "PostUnderscoreconfirmation");
        assert_eq!(normalize("hello"), "Hello");
        assert_eq!(normalize("myFunc"), "MyFunc");
        assert_eq!(normalize("-lead"), "Dashlead");
        assert_eq!(normalize(""), "");
        assert_eq!(
            normalize_alphanumeric("my-bucket.example"),
            "Mybucketexample"
        );
        assert_eq!(normalize_alphanumeric("MyPool"), "MyPool");
        assert_eq!(normalize_path("users/{user_id}"), "UsersUseridVar");
        assert_eq!(normalize_path("users/create"), "UsersCreate");
        assert_eq!(normalize_path("my-api/{proxy+}"), "MyDashapiProxyVar");
        assert_eq!(normalize_path("userProfile"), "Userprofile");
        // naming.js's own test vectors.
        assert_eq!(
            normalize_path("my/path/to/a-${var}-resource"),
            "MyPathToADashvarVarDashresource"
        );
        assert_eq!(normalize_path("a-path"), "ADashpath");
        assert_eq!(normalize_path("path${variable}Dir"), "PathvariableVardir");
        assert_eq!(normalize_alphanumeric("b!u@c#k$e%t^N&a*m(e"), "BucketName");
        assert_eq!(normalize_alphanumeric("a-b-c"), "Abc");
        assert_eq!(normalize_method("gET"), "Get");
        assert_eq!(normalize_method("GET"), "Get");
        assert_eq!(normalize_method("*"), "Any");
        assert_eq!(normalize_websocket_route("$connect"), "Sconnect");
        assert_eq!(
            normalize_websocket_route("send-msg.v1"),
            "sendDashmsgPeriodv1"
        );
    }

    #[test]
    fn cognito_ids_as_the_docs_state() {
        assert_eq!(cognito_pool_id("MyPool"), "CognitoUserPoolMyPool");
        assert_eq!(cognito_pool_id("my-pool 1"), "CognitoUserPoolMypool1");
        assert_eq!(
            cognito_pool_id("us-east-1_v123sDAS1"),
            "CognitoUserPoolUseast1v123sDAS1"
        );
        assert_eq!(
            cognito_permission_id("hello", "MyPool", "CustomMessage"),
            "HelloLambdaPermissionCognitoUserPoolMyPoolTriggerSourceCustomMessage"
        );
        assert_eq!(
            cognito_permission_id("post_confirmation", "MyPool", "PostConfirmation"),
            "PostUnderscoreconfirmationLambdaPermissionCognitoUserPoolMyPoolTriggerSourcePostConfirmation"
        );
    }

    fn two_function_service() -> ServiceShape {
        service(vec![
            function(
                "hello",
                vec![
                    http("/users", "get"),
                    http("users/create", "POST"),
                    EventShape::HttpApi {
                        method: "GET".into(),
                        path: "/users/{id}".into(),
                        authorizer: None,
                    },
                ],
            ),
            function(
                "post_confirmation",
                vec![EventShape::CognitoUserPool {
                    pool: "MyPool".into(),
                    trigger: "PostConfirmation".into(),
                    existing: false,
                }],
            ),
        ])
    }

    #[test]
    fn two_functions_with_http_http_api_and_cognito() {
        let names = generated(&two_function_service());
        let expected = [
            "ServerlessDeploymentBucket",
            "ServerlessDeploymentBucketPolicy",
            "IamRoleLambdaExecution",
            "HelloLambdaFunction",
            "HelloLogGroup",
            "PostUnderscoreconfirmationLambdaFunction",
            "PostUnderscoreconfirmationLogGroup",
            "ApiGatewayRestApi",
            "ApiGatewayResourceUsers",
            "ApiGatewayResourceUsersCreate",
            "ApiGatewayMethodUsersGet",
            "ApiGatewayMethodUsersCreatePost",
            "HelloLambdaPermissionApiGateway",
            "HttpApi",
            "HttpApiStage",
            "HttpApiRouteGetUsersIdVar",
            "HttpApiIntegrationHello",
            "HelloLambdaPermissionHttpApi",
            "CognitoUserPoolMyPool",
            "PostUnderscoreconfirmationLambdaPermissionCognitoUserPoolMyPoolTriggerSourcePostConfirmation",
        ];
        let mut sorted = names.clone();
        sorted.sort();
        let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(sorted, want);
        // No wildcard leaks into the exact list, no duplicates, stable order.
        assert!(names.iter().all(|n| !n.contains('*')));
        assert_eq!(generated(&two_function_service()), names);
        assert_eq!(
            names.first().map(String::as_str),
            Some("ServerlessDeploymentBucket")
        );
        let pos = |n: &str| names.iter().position(|x| x == n);
        assert!(pos("HelloLambdaFunction") < pos("PostUnderscoreconfirmationLambdaFunction"));
    }

    #[test]
    fn hash_suffix_patterns() {
        let svc = two_function_service();
        // Docs example of a version ID.
        assert!(matches_generated_pattern(
            &svc,
            "HelloLambdaVersionr3pgoTvv1xT4E4NiCL6JG02fl6vIyi7OS1aW0FwAI"
        ));
        assert!(matches_generated_pattern(
            &svc,
            "PostUnderscoreconfirmationLambdaVersionAbC123"
        ));
        assert!(matches_generated_pattern(
            &svc,
            "ApiGatewayDeployment1700000000"
        ));
        assert!(!matches_generated_pattern(&svc, "ApiGatewayDeployment"));
        assert!(!matches_generated_pattern(
            &svc,
            "ApiGatewayDeployment17-00"
        ));
        assert!(!matches_generated_pattern(&svc, "HelloLambdaVersion"));
        assert!(!matches_generated_pattern(&svc, "OtherLambdaVersionabc"));
        assert!(
            !matches_generated_pattern(&svc, "HelloLambdaFunction"),
            "exact names are generated()'s"
        );
        assert!(is_generated(&svc, "HelloLambdaFunction"));
        assert!(is_generated(&svc, "HelloLambdaVersionxyz"));
        assert!(!is_generated(&svc, "WebsocketsDeploymentabc"));

        // No http event: no deployment; versions off: no version.
        let mut plain = service(vec![function("hello", vec![])]);
        assert!(!matches_generated_pattern(
            &plain,
            "ApiGatewayDeployment1700000000"
        ));
        assert!(matches_generated_pattern(&plain, "HelloLambdaVersionabc"));
        plain.version_functions_disabled = true;
        assert!(!matches_generated_pattern(&plain, "HelloLambdaVersionabc"));
    }

    #[test]
    fn precomputed_names_agree() {
        let svc = two_function_service();
        let names = GeneratedNames::new(&svc);
        assert_eq!(names.names(), generated(&svc).as_slice());
        for probe in [
            "HelloLambdaVersionabc",
            "ApiGatewayDeployment1",
            "HelloLambdaFunction",
            "Nope",
            "ApiGatewayDeployment",
        ] {
            assert_eq!(
                names.matches_pattern(probe),
                matches_generated_pattern(&svc, probe),
                "{probe}"
            );
            assert_eq!(names.contains(probe), is_generated(&svc, probe), "{probe}");
        }
        assert!(names.contains("HelloLambdaFunction"));
        assert!(!names.matches_pattern("HelloLambdaFunction"));
    }

    #[test]
    fn roles() {
        let mut svc = service(vec![function("a", vec![]), function("b", vec![])]);
        assert!(generated(&svc).contains(&"IamRoleLambdaExecution".to_string()));

        svc.has_provider_role = false;
        assert!(!generated(&svc).contains(&"IamRoleLambdaExecution".to_string()));

        svc.has_provider_role = true;
        for f in &mut svc.functions {
            f.has_own_role = true;
        }
        assert!(!generated(&svc).contains(&"IamRoleLambdaExecution".to_string()));

        let mut per_function = service(vec![function("a", vec![]), function("my-fn", vec![])]);
        per_function.iam_per_function = true;
        let names = generated(&per_function);
        assert!(!names.contains(&"IamRoleLambdaExecution".to_string()));
        assert!(names.contains(&"AIamRoleLambdaExecution".to_string()));
        assert!(names.contains(&"MyDashfnIamRoleLambdaExecution".to_string()));

        let mut statements = service(vec![function("a", vec![]), function("b", vec![])]);
        statements.functions[1].has_iam_statements = true;
        let names = generated(&statements);
        assert!(names.contains(&"IamRoleLambdaExecution".to_string()));
        assert!(names.contains(&"BIamRoleLambdaExecution".to_string()));
        assert!(!names.contains(&"AIamRoleLambdaExecution".to_string()));
    }

    #[test]
    fn existing_pool_and_bucket_use_custom_resources() {
        let svc = service(vec![function(
            "trigger",
            vec![
                EventShape::CognitoUserPool {
                    pool: "Existing".into(),
                    trigger: "PreSignUp".into(),
                    existing: true,
                },
                EventShape::S3 {
                    bucket: "uploads".into(),
                    existing: true,
                },
            ],
        )]);
        let names = generated(&svc);
        assert!(!names.iter().any(|n| n.starts_with("CognitoUserPool")));
        assert!(!names.iter().any(|n| n.starts_with("S3Bucket")));
        for n in [
            "TriggerCustomCognitoUserPool1",
            "TriggerCustomS31",
            "CustomDashresourceDashexistingDashcupLambdaFunction",
            "CustomDashresourceDashexistingDashs3LambdaFunction",
            "IamRoleCustomResourcesLambdaExecution",
        ] {
            assert!(names.contains(&n.to_string()), "{n} missing from {names:?}");
        }
    }

    #[test]
    fn custom_resource_literals_follow_the_naming_rule() {
        let literal = |name: &str| {
            patterns()
                .iter()
                .filter(|l| l.scope.starts_with("custom-resource-"))
                .any(|l| l.pieces == vec![Piece::Lit(name.to_string())])
        };
        for handler in [
            "custom-resource-existing-s3",
            "custom-resource-existing-cup",
            "custom-resource-event-bridge",
            "custom-resource-apigw-cw-role",
        ] {
            assert!(
                literal(&format!("{}LambdaFunction", normalize(handler))),
                "{handler}"
            );
            assert!(
                literal(&format!("{}LogGroup", normalize(handler))),
                "{handler}"
            );
        }
    }

    #[test]
    fn other_events_with_docs_examples() {
        let svc = service(vec![function(
            "hello",
            vec![
                EventShape::S3 {
                    bucket: "bucket".into(),
                    existing: false,
                },
                EventShape::Sns {
                    topic: "sometopic".into(),
                },
                EventShape::Sns {
                    topic: "arn:aws:sns:us-east-1:123456789012:SomeTopic".into(),
                },
                EventShape::Schedule { index: 1 },
                EventShape::Stream {
                    arn_or_name: "arn:aws:kinesis:us-east-1:123456789012:stream/mystream".into(),
                    kind: None,
                    consumer: true,
                },
                EventShape::Stream {
                    arn_or_name: "arn:aws:dynamodb:us-east-1:123456789012:table/Users/stream/2024"
                        .into(),
                    kind: None,
                    consumer: false,
                },
                EventShape::Sqs {
                    arn_or_name: "arn:aws:sqs:us-east-1:123456789012:my-queue".into(),
                },
                EventShape::CloudWatchEvent { index: 1 },
                EventShape::Iot { index: 1 },
                EventShape::Websocket {
                    route: "$connect".into(),
                },
            ],
        )]);
        let names = generated(&svc);
        for n in [
            "S3BucketBucket",
            "HelloLambdaPermissionBucketS3",
            "SNSTopicSometopic",
            "HelloLambdaPermissionSometopicSNS",
            "HelloSnsSubscriptionSomeTopic",
            "HelloLambdaPermissionSomeTopicSNS",
            "HelloEventsRuleSchedule1",
            "HelloLambdaPermissionEventsRuleSchedule1",
            "HelloEventSourceMappingKinesisMystream",
            "HellomystreamConsumerStreamConsumer",
            "HelloEventSourceMappingDynamodbUsers",
            "HelloEventSourceMappingSQSMyqueue",
            "HelloEventsRuleCloudWatchEvent1",
            "HelloLambdaPermissionEventsRuleCloudWatchEvent1",
            "HelloIotTopicRule1",
            "HelloLambdaPermissionIotTopicRule1",
            "SconnectWebsocketsRoute",
            "HelloWebsocketsIntegration",
            "HelloLambdaPermissionWebsockets",
            "WebsocketsApi",
            "WebsocketsDeploymentStage",
        ] {
            assert!(names.contains(&n.to_string()), "{n} missing from {names:?}");
        }
        assert!(
            !names.contains(&"SNSTopicSomeTopic".to_string()),
            "an ARN topic is not created"
        );
        assert!(matches_generated_pattern(
            &svc,
            "WebsocketsDeploymentabc123"
        ));
    }

    #[test]
    fn event_bridge_rules_embed_the_deployed_name() {
        let events = vec![
            EventShape::Other("http".into()),
            EventShape::EventBridge {
                event_bus: Some("orders".into()),
            },
        ];
        let mut svc = service(vec![function("hello", events)]);
        svc.service = "svc".into();
        let names = generated(&svc);
        assert!(
            names.contains(&"Svcdevhellorule2EventBridgeRule".to_string()),
            "{names:?}"
        );
        assert!(names.contains(&"HelloEventBridgeLambdaPermission2".to_string()));
        assert!(names.contains(&"OrdersEventBridgeEventBus".to_string()));

        // Without the service name the rule is a pattern.
        svc.service.clear();
        assert!(
            !generated(&svc)
                .iter()
                .any(|n| n.ends_with("EventBridgeRule"))
        );
        assert!(matches_generated_pattern(
            &svc,
            "Svcprodhellorule2EventBridgeRule"
        ));
        assert!(!matches_generated_pattern(
            &svc,
            "Svcprodhellorule3EventBridgeRule"
        ));
    }

    #[test]
    fn authorizers_and_cors() {
        let mut svc = service(vec![function(
            "hello",
            vec![
                EventShape::Http {
                    path: "users".into(),
                    method: "get".into(),
                    authorizer: Some("auth-fn".into()),
                },
                EventShape::Http {
                    path: "admins".into(),
                    method: "get".into(),
                    authorizer: Some(
                        "arn:aws:cognito-idp:us-east-1:123:userpool/us-east-1_abc".into(),
                    ),
                },
                EventShape::Http {
                    path: "iam".into(),
                    method: "get".into(),
                    authorizer: Some("aws_iam".into()),
                },
            ],
        )]);
        svc.http_cors_paths = vec!["/users".into()];
        let names = generated(&svc);
        for n in [
            "AuthDashfnApiGatewayAuthorizer",
            "AuthDashfnLambdaPermissionApiGateway",
            "1UnderscoreabcApiGatewayAuthorizer",
            "ApiGatewayMethodUsersOptions",
        ] {
            assert!(names.contains(&n.to_string()), "{n} missing from {names:?}");
        }
        assert!(!names.contains(&"1UnderscoreabcLambdaPermissionApiGateway".to_string()));
        assert!(!names.iter().any(|n| n.contains("Aws")));
    }

    #[test]
    fn unknown_values_become_patterns() {
        let svc = service(vec![function(
            "hello",
            vec![EventShape::CognitoUserPool {
                pool: "${self:custom.pool}".into(),
                trigger: "PreSignUp".into(),
                existing: false,
            }],
        )]);
        assert!(
            !generated(&svc)
                .iter()
                .any(|n| n.starts_with("CognitoUserPool"))
        );
        assert!(matches_generated_pattern(&svc, "CognitoUserPoolAnything"));
        assert!(matches_generated_pattern(
            &svc,
            "HelloLambdaPermissionCognitoUserPoolXTriggerSourcePreSignUp"
        ));
        assert!(!matches_generated_pattern(&svc, "CognitoUserPool"));
    }

    #[test]
    fn external_apis_and_bucket() {
        let mut svc = two_function_service();
        svc.external_rest_api = true;
        svc.external_http_api = true;
        svc.external_deployment_bucket = true;
        let names = generated(&svc);
        for n in [
            "ApiGatewayRestApi",
            "HttpApi",
            "HttpApiStage",
            "ServerlessDeploymentBucket",
        ] {
            assert!(!names.contains(&n.to_string()), "{n}");
        }
        assert!(names.contains(&"ApiGatewayMethodUsersGet".to_string()));
        assert!(names.contains(&"HttpApiRouteGetUsersIdVar".to_string()));
        assert!(matches_generated_pattern(&svc, "ApiGatewayDeployment123"));
    }

    #[test]
    fn http_api_route_forms() {
        assert_eq!(http_api_route("", "*").as_deref(), Some("Default"));
        assert_eq!(
            http_api_route("", "GET /users").as_deref(),
            Some("GetUsers")
        );
        assert_eq!(
            http_api_route("*", "/items/{id}").as_deref(),
            Some("AnyItemsIdVar")
        );
        assert_eq!(http_api_route("post", "/").as_deref(), Some("Post"));
    }

    #[test]
    fn glob() {
        let toks = vec![Tok::Lit("A".into()), Tok::Wild, Tok::Lit("B".into())];
        assert!(glob_match(&toks, "AxB"));
        assert!(glob_match(&toks, "AxyBzB"));
        assert!(!glob_match(&toks, "AB"));
        assert!(!glob_match(&toks, "A-B"));
        assert!(!glob_match(&toks, "AxBc"));
        assert!(!glob_match(&[Tok::Wild], "é1"));
    }
}
