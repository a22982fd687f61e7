//! Serverless Framework services: a `serverless.yml` (a mapping with `service` and `provider`)
//! is a stack. Its `resources` (inline, a list, `${file(…)}` includes) are merged in order into
//! the resources the framework generates (functions, their execution role with the provider's
//! statements, `cognitoUserPool` triggers with their permissions), as the framework does.

use std::path::Path;

use super::fragments::finish;
use super::sls_names::{self, EventShape, FunctionShape, HttpApiAuthorizerShape, ServiceShape};
use super::vars::Vars;
use super::{Assembler, LoadError, Sections, Stack, StackKind, display_path};
use crate::template::parse::Limits;
use crate::template::{Entry, NodeId, Span, Tree};

/// File names the framework reads as a service.
pub const SERVICE_FILES: &[&str] = &["serverless.yml", "serverless.yaml", "serverless.json"];

/// Whether a parsed file is a Serverless service (a mapping with `service` and `provider`).
pub fn is_service(tree: &Tree, root: NodeId) -> bool {
    tree.get(root, "service").is_some() && tree.get(root, "provider").is_some()
}

/// The service files a folder holds (`serverless.yml`, `.yaml`, `.json`, in that order).
pub fn service_files_in(dir: &Path) -> Vec<std::path::PathBuf> {
    SERVICE_FILES
        .iter()
        .map(|n| dir.join(n))
        .filter(|f| f.is_file())
        .collect()
}

/// Whether a file name is a service file's.
pub fn is_service_file(path: &Path) -> bool {
    crate::stack::file_name(path)
        .and_then(|n| n.to_str())
        .is_some_and(|n| SERVICE_FILES.contains(&n))
}

/// Whether a file name is a Serverless Compose file's.
pub fn is_compose_file(path: &Path) -> bool {
    crate::stack::file_name(path)
        .and_then(|n| n.to_str())
        .is_some_and(|n| matches!(n, "serverless-compose.yml" | "serverless-compose.yaml"))
}

/// The service files a `serverless-compose.yml` lists (`services: {name: {path: dir}}`).
pub fn compose_services(path: &Path) -> Vec<std::path::PathBuf> {
    // (Opened once and read up to the size limit: a FIFO of that name is never read.)
    let limits = Limits::default();
    let Some(text) = crate::read_text(path, limits.max_file_size) else {
        return Vec::new();
    };
    let parsed = crate::template::parse::parse(&text, &limits);
    let (tree, Some(root)) = (&parsed.tree, parsed.root) else {
        return Vec::new();
    };
    let dir = crate::stack::parent(path).unwrap_or(Path::new(""));
    let mut out = Vec::new();
    for e in tree
        .get(root, "services")
        .and_then(|s| tree.entries(s))
        .unwrap_or_default()
    {
        let Some(p) = tree
            .get(tree.deref(e.value), "path")
            .and_then(|p| tree.str(p))
        else {
            continue;
        };
        out.extend(service_files_in(&dir.join(p)).into_iter().next());
    }
    out
}

/// Deep merge of `later` into `earlier`, as the framework merges `resources` (mappings merge
/// key by key; anything else is replaced by the later value).
fn deep_merge(tree: &mut Tree, earlier: NodeId, later: NodeId) -> NodeId {
    let (earlier, later) = (tree.deref(earlier), tree.deref(later));
    // Lists merge item by item, as the framework's merge (lodash `merge`) does.
    if let (Some(a), Some(b)) = (
        tree.items(earlier).map(<[NodeId]>::to_vec),
        tree.items(later).map(<[NodeId]>::to_vec),
    ) {
        let mut merged = Vec::with_capacity(a.len().max(b.len()));
        for i in 0..a.len().max(b.len()) {
            merged.push(match (a.get(i), b.get(i)) {
                (Some(&x), Some(&y)) => deep_merge(tree, x, y),
                (Some(&x), None) => x,
                (None, Some(&y)) => y,
                (None, None) => continue,
            });
        }
        let span = tree.span(later);
        return tree.push_seq(merged, span);
    }
    let (Some(a), Some(b)) = (
        tree.entries(earlier).map(<[Entry]>::to_vec),
        tree.entries(later).map(<[Entry]>::to_vec),
    ) else {
        return later;
    };
    if crate::template::intrinsic::as_intrinsic(tree, later).is_some() {
        return later;
    }
    let mut merged = a;
    for e in b {
        match merged.iter().position(|x| x.key == e.key) {
            Some(i) => {
                let v = deep_merge(tree, merged[i].value, e.value);
                merged[i] = Entry {
                    key: e.key,
                    key_span: e.key_span,
                    value: v,
                };
            }
            None => merged.push(e),
        }
    }
    let span = tree.span(later);
    tree.push_map(merged, span)
}

impl Assembler<'_> {
    /// Parses a YAML snippet the loader writes (a generated resource) into the tree; every
    /// node takes `span`, the text in the service file that makes the framework generate it.
    fn synth(&mut self, yaml: &str, span: Span) -> Option<NodeId> {
        let parsed = crate::template::parse::parse(yaml, self.limits);
        let root = parsed.root?;
        let offset = self.tree.len();
        let offset_u = u32::try_from(offset).unwrap_or(u32::MAX);
        self.tree.append(parsed.tree, 0);
        for id in self.tree.ids().skip(offset) {
            self.tree.set_span(id, span);
            if let Some(entries) = self.tree.entries(id) {
                let n = entries.len();
                for slot in 0..n {
                    self.tree.set_key_span(id, slot, span);
                }
            }
        }
        Some(NodeId(root.0 + offset_u))
    }

    /// Puts `value` at `path` (mapping keys; the last one must exist) under `root`.
    fn put_at(&mut self, root: NodeId, path: &[&str], value: NodeId) {
        let Some((last, parents)) = path.split_last() else {
            return;
        };
        let Some(map) = self.tree.get_path(root, parents) else {
            return;
        };
        let slot = self
            .tree
            .entries(map)
            .and_then(|es| es.iter().position(|e| &*e.key == *last));
        if let Some(slot) = slot {
            self.tree.replace_child(map, slot, value);
        }
    }
}

/// Quotes a name for a generated YAML snippet.
fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Loads a service; `None` when the file is not a service (it is then an ordinary file).
pub fn assemble(
    path: &Path,
    stage: Option<&str>,
    limits: &Limits,
    root_dir: std::path::PathBuf,
) -> Option<Stack> {
    assemble_with(path, stage, limits, root_dir, Default::default())
}

/// Like [`assemble`], with texts that replace files on disk (by absolute path).
pub fn assemble_with(
    path: &Path,
    stage: Option<&str>,
    limits: &Limits,
    root_dir: std::path::PathBuf,
    overrides: foldhash::HashMap<std::path::PathBuf, String>,
) -> Option<Stack> {
    let mut asm = Assembler::new(limits, root_dir);
    asm.overrides = overrides;
    let root = match asm.load(path, true) {
        Ok(root) => root,
        Err(LoadError::Missing(_) | LoadError::Outside) => return None,
    };
    assemble_loaded(asm, root, path, stage)
}

/// Like [`assemble`], for a service file's text already read (standard input).
pub fn assemble_text(
    path: &Path,
    display: &str,
    text: String,
    stage: Option<&str>,
    limits: &Limits,
    root_dir: std::path::PathBuf,
) -> Option<Stack> {
    let mut asm = Assembler::new(limits, root_dir);
    let root = asm.load_text(display.to_string(), text, true);
    asm.register(path, root);
    assemble_loaded(asm, root, path, stage)
}

fn assemble_loaded(
    mut asm: Assembler<'_>,
    root: Option<NodeId>,
    path: &Path,
    stage: Option<&str>,
) -> Option<Stack> {
    let Some(root) = root else {
        // Unparsable: the stack is the file with its TM001.
        let display = display_path(path);
        return Some(finish(
            asm,
            Sections::default(),
            &display,
            StackKind::Serverless,
            Vec::new(),
        ));
    };
    if !is_service(&asm.tree, root) {
        return None;
    }
    let service_dir = crate::stack::parent(path)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut vars = Vars::new(&mut asm, root, service_dir, stage.map(str::to_string));
    for key in ["service", "provider", "functions", "resources"] {
        if let Some(n) = vars.asm.tree.get(root, key) {
            vars.resolve_subtree(n);
        }
    }
    let stage = vars.stage();
    let defaults = vars.take_defaults();
    drop(vars);
    let tree = &asm.tree;
    let service_node = tree.get(root, "service");
    let service = service_node
        .and_then(|s| {
            tree.str(s)
                .or_else(|| tree.get(s, "name").and_then(|n| tree.str(n)))
        })
        .unwrap_or("service")
        .to_string();
    let name = format!("{service}-{stage}");
    let mut notes = vec![format!(
        "stack `{name}` (Serverless service {})",
        display_path(path)
    )];

    let mut sections = Sections::default();
    let generated = generate(&mut asm, root, &service, &stage, &mut sections);
    // Written defaults used as whole values are parameters with that default.
    for (name, text, span) in defaults {
        let yaml = format!("Type: String\nDefault: {}\n", q(&text));
        if let Some(node) = asm.synth(&yaml, span) {
            sections.push(
                "Parameters",
                Entry {
                    key: name.into(),
                    key_span: span,
                    value: node,
                },
            );
        }
    }

    // `resources`: a mapping, or a list of mappings and includes, merged in order.
    let tree = &asm.tree;
    let fragments: Vec<NodeId> = match tree.get(root, "resources") {
        Some(r) => match tree.items(r) {
            Some(items) => items.iter().map(|i| tree.deref(*i)).collect(),
            None => vec![r],
        },
        None => Vec::new(),
    };
    for &frag in &fragments {
        merge_service_fragment(&mut asm, &mut sections, frag);
    }
    // `extensions` apply after every `Resources` of every entry, as the framework does.
    for &frag in &fragments {
        if let Some(ext) = asm.tree.get(frag, "extensions") {
            apply_extensions(&mut asm, &mut sections, ext);
        }
    }
    for f in asm.files.iter().skip(1) {
        notes.push(format!("  includes {}", f.path));
    }
    let tree = &asm.tree;
    let plugin_list: Vec<String> = match tree.get(root, "plugins") {
        // `plugins: [a, b]` or `plugins: {modules: [a, b], localPath: …}`
        Some(p) => {
            let list = tree
                .items(p)
                .or_else(|| tree.get(p, "modules").and_then(|m| tree.items(m)));
            list.unwrap_or_default()
                .iter()
                .filter_map(|i| tree.str(tree.deref(*i)).map(str::to_string))
                .collect()
        }
        None => Vec::new(),
    };
    let plugin_names = super::plugins::names_of(&plugin_list);
    if !plugin_names.unknown.is_empty() {
        notes.push(format!(
            "  plugins {} may add resources: names nobody defines are not reported",
            plugin_names.unknown.join(", ")
        ));
    }
    let mut stack = finish(asm, sections, &name, StackKind::Serverless, notes);
    if let Some(t) = &mut stack.template {
        t.serverless = true;
        t.generated = generated.0.into_iter().map(Into::into).collect();
        t.generated_shape = Some(std::sync::Arc::new(generated.1));
        t.generated_patterns = Some(std::sync::Arc::new(generated.2));
        t.plugin_names = plugin_names;
    }
    Some(stack)
}

/// `resources.extensions`: each names a resource the service defines (or the framework
/// generates) and changes it the way the framework does: `Properties` and `Metadata` are
/// assigned key by key, `DependsOn` is appended to, `Condition`, `DeletionPolicy` and
/// `UpdateReplacePolicy` are replaced. Extending a resource nobody defines is a TM011.
fn apply_extensions(asm: &mut Assembler<'_>, sections: &mut Sections, ext: NodeId) {
    let Some(items) = asm.tree.entries(ext).map(<[Entry]>::to_vec) else {
        return;
    };
    for item in items {
        let Some(i) = sections.find("Resources", &item.key) else {
            asm.issue(
                "TM011",
                item.key_span,
                Some(item.value),
                format!(
                    "`resources.extensions` extends `{}`, which no resource of the service defines: the framework refuses to deploy",
                    item.key
                ),
            );
            continue;
        };
        let Some(target) = sections.entry_mut("Resources", i).map(|e| e.value) else {
            continue;
        };
        let target = asm.tree.deref(target);
        let mut entries = asm
            .tree
            .entries(target)
            .map(<[Entry]>::to_vec)
            .unwrap_or_default();
        let changes = asm
            .tree
            .entries(asm.tree.deref(item.value))
            .map(<[Entry]>::to_vec)
            .unwrap_or_default();
        for c in changes {
            let pos = entries.iter().position(|x| x.key == c.key);
            let value = match (&*c.key, pos) {
                ("Properties" | "Metadata", Some(p)) => {
                    let mut inner = asm
                        .tree
                        .entries(asm.tree.deref(entries[p].value))
                        .map(<[Entry]>::to_vec)
                        .unwrap_or_default();
                    for x in asm
                        .tree
                        .entries(asm.tree.deref(c.value))
                        .map(<[Entry]>::to_vec)
                        .unwrap_or_default()
                    {
                        match inner.iter().position(|y| y.key == x.key) {
                            Some(q) => inner[q] = x,
                            None => inner.push(x),
                        }
                    }
                    let span = asm.tree.span(c.value);
                    asm.tree.push_map(inner, span)
                }
                ("DependsOn", Some(p)) => {
                    let as_list = |tree: &Tree, n: NodeId| -> Vec<NodeId> {
                        let n = tree.deref(n);
                        tree.items(n).map_or_else(|| vec![n], <[NodeId]>::to_vec)
                    };
                    let mut list = as_list(&asm.tree, entries[p].value);
                    list.extend(as_list(&asm.tree, c.value));
                    let span = asm.tree.span(c.value);
                    let copies: Vec<NodeId> = list
                        .into_iter()
                        .filter_map(|n| {
                            let mut budget = 1 << 16;
                            asm.tree.copy_subtree(n, &mut budget)
                        })
                        .collect();
                    asm.tree.push_seq(copies, span)
                }
                _ => c.value,
            };
            let entry = Entry {
                key: c.key.clone(),
                key_span: c.key_span,
                value,
            };
            match pos {
                Some(p) => entries[p] = entry,
                None => entries.push(entry),
            }
        }
        let span = asm.tree.span(target);
        let merged = asm.tree.push_map(entries, span);
        if let Some(e) = sections.entry_mut("Resources", i) {
            e.value = merged;
        }
    }
}

/// Merges one `resources` entry: its sections deep-merge into what is there (generated
/// resources included).
fn merge_service_fragment(asm: &mut Assembler<'_>, sections: &mut Sections, frag: NodeId) {
    let Some(entries) = asm.tree.entries(frag).map(<[Entry]>::to_vec) else {
        return;
    };
    for e in entries {
        let value = asm.tree.deref(e.value);
        let name: &'static str = match &*e.key {
            "Resources" => "Resources",
            "Outputs" => "Outputs",
            "Conditions" => "Conditions",
            "Parameters" => "Parameters",
            "Mappings" => "Mappings",
            "Transform" => {
                sections.transform.get_or_insert(value);
                continue;
            }
            "Description" => {
                sections.description.get_or_insert(value);
                continue;
            }
            _ => continue,
        };
        let Some(items) = asm.tree.entries(value).map(<[Entry]>::to_vec) else {
            continue;
        };
        for item in items {
            match sections.find(name, &item.key) {
                Some(i) => {
                    let Some(earlier) = sections.entry_mut(name, i).map(|e| e.value) else {
                        continue;
                    };
                    let v = deep_merge(&mut asm.tree, earlier, item.value);
                    if let Some(slot) = sections.entry_mut(name, i) {
                        *slot = Entry {
                            key: item.key,
                            key_span: item.key_span,
                            value: v,
                        };
                    }
                }
                // (`extensions` of a resource that does not exist: the framework fails; the
                // text stays visible as written.)
                None => sections.push(name, item),
            }
        }
    }
}

/// A function of the service: name, where it is written, its own role, its Cognito triggers
/// (pool, trigger, existing, where the event is written).
type Function = (
    String,
    Span,
    Option<NodeId>,
    Vec<(String, String, bool, Span)>,
);
/// A user pool the framework creates for `cognitoUserPool` events.
type Pool = (String, Span, Vec<(String, String)>);

/// The shape of one event (what the framework names its resources after); values the
/// linter cannot know stay empty or keep their `${…}`, which the name table matches as any text.
fn event_shape(
    tree: &Tree,
    kind: &str,
    body: NodeId,
    counts: &mut Vec<(String, usize)>,
) -> EventShape {
    let text = |k: &str| {
        tree.get(body, k)
            .and_then(|v| tree.str(v))
            .unwrap_or_default()
            .to_string()
    };
    // A value given as a string, or under `key` of a mapping.
    let short_or = |k: &str| {
        tree.str(body)
            .map(str::to_string)
            .unwrap_or_else(|| text(k))
    };
    let flag = |k: &str| {
        tree.get(body, k)
            .and_then(|v| tree.bool_value(v))
            .unwrap_or(false)
    };
    let authorizer = || {
        tree.get(body, "authorizer").and_then(|a| {
            tree.str(a)
                .or_else(|| tree.get(a, "name").and_then(|n| tree.str(n)))
                .map(str::to_string)
        })
    };
    let mut next = |k: &str| {
        match counts.iter_mut().find(|c| c.0 == k) {
            Some(c) => c.1 += 1,
            None => counts.push((k.to_string(), 1)),
        }
        counts.iter().find(|c| c.0 == k).map_or(1, |c| c.1)
    };
    match kind {
        "http" | "httpApi" => {
            let (method, path) = match tree.str(body) {
                Some("*") => ("*".to_string(), "*".to_string()),
                Some(short) => {
                    let mut parts = short.split_whitespace();
                    let m = parts.next().unwrap_or_default().to_string();
                    (m, parts.next().unwrap_or_default().to_string())
                }
                None => (text("method"), text("path")),
            };
            if kind == "http" {
                EventShape::Http {
                    path,
                    method,
                    authorizer: authorizer(),
                }
            } else {
                EventShape::HttpApi {
                    method,
                    path,
                    authorizer: authorizer(),
                }
            }
        }
        "s3" => EventShape::S3 {
            bucket: short_or("bucket"),
            existing: flag("existing"),
        },
        "sns" => {
            let arn = tree.get(body, "arn").is_some()
                || tree.str(body).is_some_and(|t| t.starts_with("arn:"));
            if arn {
                EventShape::SnsExisting {
                    topic_name: text("topicName"),
                }
            } else {
                EventShape::Sns {
                    topic: short_or("topicName"),
                }
            }
        }
        "sqs" => EventShape::Sqs {
            arn_or_name: short_or("arn"),
        },
        "stream" => EventShape::Stream {
            arn_or_name: short_or("arn"),
            kind: tree
                .get(body, "type")
                .and_then(|v| tree.str(v))
                .map(str::to_string),
            consumer: flag("consumer"),
        },
        "schedule" => {
            if text("method") == "scheduler" {
                EventShape::Scheduler {
                    index: next("scheduler"),
                }
            } else {
                EventShape::Schedule {
                    index: next("schedule"),
                }
            }
        }
        "eventBridge" => EventShape::EventBridge {
            event_bus: tree
                .get(body, "eventBus")
                .and_then(|v| tree.str(v))
                .map(str::to_string),
        },
        "websocket" => EventShape::Websocket {
            route: short_or("route"),
        },
        "cloudwatchEvent" => EventShape::CloudWatchEvent { index: next(kind) },
        "cloudwatchLog" => EventShape::CloudWatchLog { index: next(kind) },
        "iot" => EventShape::Iot { index: next(kind) },
        "iotFleetProvisioning" => EventShape::IotFleetProvisioning,
        "alexaSkill" => EventShape::AlexaSkill { index: next(kind) },
        "alexaSmartHome" => EventShape::AlexaSmartHome { index: next(kind) },
        "alb" => EventShape::Alb,
        "kafka" => EventShape::Kafka {
            topic: text("topic"),
        },
        "msk" => EventShape::Msk {
            cluster: text("arn"),
            topic: text("topic"),
        },
        "activemq" => EventShape::ActiveMq {
            queue: text("queue"),
        },
        "rabbitmq" => EventShape::RabbitMq {
            queue: text("queue"),
        },
        "cloudFront" => EventShape::CloudFront,
        other => EventShape::Other(other.to_string()),
    }
}

/// The resources the framework generates that the rules read (functions, the execution role
/// with the provider's statements, Cognito triggers and their permissions) are added to
/// `sections`; returns the names of all generated resources and the service's shape.
fn generate(
    asm: &mut Assembler<'_>,
    root: NodeId,
    service: &str,
    stage: &str,
    sections: &mut Sections,
) -> (Vec<String>, ServiceShape, sls_names::GeneratedNames) {
    let tree = &asm.tree;
    let provider = tree.get(root, "provider");
    let pget = |path: &[&str]| provider.and_then(|p| tree.get_path(p, path));
    let statements = pget(&["iam", "role", "statements"]).or_else(|| pget(&["iamRoleStatements"]));
    let managed =
        pget(&["iam", "role", "managedPolicies"]).or_else(|| pget(&["iamManagedPolicies"]));
    // A role the service names (an ARN, a name, `Fn::GetAtt`) instead of the one the framework
    // makes from `provider.iam.role.statements`.
    let role_setting = pget(&["iam", "role"])
        .filter(|r| {
            tree.entries(*r).is_none()
                || crate::template::intrinsic::as_intrinsic(tree, *r).is_some()
        })
        .or_else(|| pget(&["role"]));
    let set = |node: Option<NodeId>| {
        node.is_some_and(|n| !tree.is_null(n) && tree.bool_value(n) != Some(false))
    };
    let mut shape = ServiceShape {
        has_provider_role: role_setting.is_none(),
        service: service.to_string(),
        stage: stage.to_string(),
        iam_per_function: pget(&["iam", "role", "mode"])
            .and_then(|m| tree.str(m))
            .is_some_and(|m| m == "perFunction"),
        external_deployment_bucket: set(pget(&["deploymentBucket"])),
        version_functions_disabled: pget(&["versionFunctions"]).and_then(|v| tree.bool_value(v))
            == Some(false),
        custom_log_group: set(pget(&["logs", "lambda", "logGroup"])),
        external_rest_api: set(pget(&["apiGateway", "restApiId"])),
        external_http_api: set(pget(&["httpApi", "id"])),
        external_websocket_api: set(pget(&["apiGateway", "websocketApiId"])),
        rest_api_logs: set(pget(&["logs", "restApi"])),
        http_api_logs: set(pget(&["logs", "httpApi"])),
        websocket_logs: set(pget(&["logs", "websocket"])),
        rest_api_keys: set(pget(&["apiGateway", "apiKeys"]))
            || set(pget(&["apiKeys"]))
            || set(pget(&["apiGateway", "usagePlan"]))
            || set(pget(&["usagePlan"])),
        http_api_authorizers: pget(&["httpApi", "authorizers"])
            .and_then(|a| tree.entries(a))
            .unwrap_or_default()
            .iter()
            .map(|e| {
                let v = tree.deref(e.value);
                let get = |k: &str| tree.get(v, k).and_then(|x| tree.str(x));
                HttpApiAuthorizerShape {
                    name: get("name").unwrap_or(&e.key).to_string(),
                    lambda: get("type") == Some("request")
                        && tree
                            .get(v, "managedExternally")
                            .and_then(|x| tree.bool_value(x))
                            != Some(true),
                }
            })
            .collect(),
        layers: tree
            .get(root, "layers")
            .and_then(|l| tree.entries(l))
            .unwrap_or_default()
            .iter()
            .map(|e| e.key.to_string())
            .collect(),
        event_bridge_custom_resource: pget(&["eventBridge"]).is_some_and(|e| {
            tree.get(e, "useCloudFormation")
                .and_then(|v| tree.bool_value(v))
                != Some(true)
        }),
        ..ServiceShape::default()
    };
    // (function name, its key span, own role node)
    let mut functions: Vec<Function> = Vec::new();
    let mut cors_paths: Vec<String> = Vec::new();
    // `functions` is a mapping, or a list of mappings (includes) the framework merges.
    let fn_entries: Vec<Entry> = match tree.get(root, "functions") {
        Some(f) => match tree.items(f) {
            Some(items) => items
                .iter()
                .filter_map(|i| tree.entries(tree.deref(*i)))
                .flat_map(|es| es.iter().cloned())
                .collect(),
            None => tree.entries(f).map(<[Entry]>::to_vec).unwrap_or_default(),
        },
        None => Vec::new(),
    };
    let set = |node: Option<NodeId>| {
        node.is_some_and(|n| !tree.is_null(n) && tree.bool_value(n) != Some(false))
    };
    {
        let fns = &fn_entries;
        for f in fns {
            let def = tree.deref(f.value);
            let own_role = tree.get(def, "role");
            let fget = |k: &str| tree.get(def, k);
            let mut fshape = FunctionShape {
                name: f.key.to_string(),
                has_own_role: own_role.is_some(),
                deployed_name: fget("name").and_then(|n| tree.str(n)).map(str::to_string),
                has_iam_statements: set(fget("iamRoleStatements"))
                    || set(tree.get_path(def, &["iam", "role", "statements"]))
                    || set(tree.get_path(def, &["iam", "role", "managedPolicies"])),
                disable_logs: fget("disableLogs").and_then(|v| tree.bool_value(v)) == Some(true),
                custom_log_group: set(tree.get_path(def, &["logs", "logGroup"])),
                url: set(fget("url")),
                provisioned_concurrency: set(fget("provisionedConcurrency")),
                snap_start: fget("snapStart").and_then(|v| tree.bool_value(v)) == Some(true),
                event_invoke_config: set(fget("destinations"))
                    || set(fget("maximumEventAge"))
                    || set(fget("maximumRetryAttempts")),
                ..FunctionShape::default()
            };
            let mut cognito = Vec::new();
            let mut counts: Vec<(String, usize)> = Vec::new();
            for ev in tree
                .get(def, "events")
                .and_then(|e| tree.items(e))
                .unwrap_or_default()
            {
                let ev = tree.deref(*ev);
                let Some(first) = tree.entries(ev).and_then(|es| es.first()) else {
                    continue;
                };
                let body = tree.deref(first.value);
                let s = |k: &str| {
                    tree.get(body, k)
                        .and_then(|v| tree.str(v))
                        .unwrap_or_default()
                        .to_string()
                };
                let shape_ev = match &*first.key {
                    "cognitoUserPool" => {
                        let existing = tree
                            .get(body, "existing")
                            .and_then(|v| tree.bool_value(v))
                            .unwrap_or(false);
                        cognito.push((s("pool"), s("trigger"), existing, first.key_span));
                        EventShape::CognitoUserPool {
                            pool: s("pool"),
                            trigger: s("trigger"),
                            existing,
                        }
                    }
                    kind => {
                        // `cors` on an http event makes the framework add an OPTIONS method.
                        let cors = tree
                            .get(body, "cors")
                            .is_some_and(|c| tree.bool_value(c) != Some(false));
                        let ev = event_shape(tree, kind, body, &mut counts);
                        if let (true, EventShape::Http { path, .. }) = (cors, &ev) {
                            cors_paths.push(path.clone());
                        }
                        ev
                    }
                };
                fshape.events.push(shape_ev);
            }
            shape.functions.push(fshape);
            functions.push((f.key.to_string(), f.key_span, own_role, cognito));
        }
    }
    cors_paths.sort();
    cors_paths.dedup();
    shape.http_cors_paths = cors_paths;
    // The service's generated names, computed once: exact names here, patterns (hash suffixes)
    // kept for look-ups.
    let generated_names = sls_names::GeneratedNames::new(&shape);
    let mut names = generated_names.names().to_vec();

    // The execution role, with the provider's statements and managed policies.
    // The framework makes the role when some function uses it.
    let uses_default_role = shape.has_provider_role && functions.iter().any(|f| f.2.is_none());
    let role_span = statements
        .and_then(|s| asm.tree.key_span(s))
        .or_else(|| provider.and_then(|p| asm.tree.key_span(p)))
        .unwrap_or_default();
    if uses_default_role {
        let yaml = format!(
            "Type: AWS::IAM::Role\nProperties:\n  AssumeRolePolicyDocument:\n    Version: '2012-10-17'\n    Statement:\n      - Effect: Allow\n        Principal:\n          Service: [lambda.amazonaws.com]\n        Action: ['sts:AssumeRole']\n  Policies:\n    - PolicyName: {}\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement: []\n  ManagedPolicyArns: []\n",
            q(&format!("{service}-{stage}-lambda"))
        );
        if let Some(role) = asm.synth(&yaml, role_span) {
            if let Some(st) = statements {
                let st = asm.tree.deref(st);
                let policy = asm.tree.get_path(role, &["Properties", "Policies"]);
                if let Some(first) = policy
                    .and_then(|p| asm.tree.items(p))
                    .and_then(|i| i.first().copied())
                {
                    asm.put_at(first, &["PolicyDocument", "Statement"], st);
                }
            }
            if let Some(m) = managed {
                let m = asm.tree.deref(m);
                asm.put_at(role, &["Properties", "ManagedPolicyArns"], m);
            }
            sections.push(
                "Resources",
                Entry {
                    key: "IamRoleLambdaExecution".into(),
                    key_span: role_span,
                    value: role,
                },
            );
        }
    }

    // Functions, their Cognito triggers, the pools the framework creates for them.
    // (pool, where its first event is written, (trigger, function logical ID))
    let mut pools: Vec<Pool> = Vec::new();
    for (fname, span, own_role, cognito) in &functions {
        let id = format!("{}LambdaFunction", sls_names::normalize(fname));
        let role = match own_role {
            Some(_) => "Role: __ROLE__".to_string(),
            None if uses_default_role => "Role: !GetAtt IamRoleLambdaExecution.Arn".to_string(),
            None => String::new(),
        };
        let yaml = format!(
            "Type: AWS::Lambda::Function\nProperties:\n  FunctionName: {}\n  {role}\n",
            q(&format!("{service}-{stage}-{fname}"))
        );
        if let Some(node) = asm.synth(&yaml, *span) {
            if let Some(r) = own_role {
                let r = asm.tree.deref(*r);
                asm.put_at(node, &["Properties", "Role"], r);
            }
            sections.push(
                "Resources",
                Entry {
                    key: id.clone().into(),
                    key_span: *span,
                    value: node,
                },
            );
        }
        for (pool, trigger, existing, ev_span) in cognito {
            if pool.is_empty() || trigger.is_empty() {
                continue;
            }
            let pool_id = sls_names::cognito_pool_id(pool);
            let perm_id = sls_names::cognito_permission_id(fname, pool, trigger);
            if *existing {
                // An existing pool gets its trigger and permission from the framework's custom
                // resource at deploy time; the pool is not in this stack.
                continue;
            }
            let source = format!("\n  SourceArn: !GetAtt {pool_id}.Arn");
            let yaml = format!(
                "Type: AWS::Lambda::Permission\nProperties:\n  Action: lambda:InvokeFunction\n  FunctionName: !GetAtt {id}.Arn\n  Principal: cognito-idp.amazonaws.com{source}\n"
            );
            if let Some(node) = asm.synth(&yaml, *ev_span) {
                sections.push(
                    "Resources",
                    Entry {
                        key: perm_id.clone().into(),
                        key_span: *ev_span,
                        value: node,
                    },
                );
                names.push(perm_id);
            }
            if !*existing {
                match pools.iter_mut().find(|p| p.0 == *pool) {
                    Some(p) => p.2.push((trigger.clone(), id.clone())),
                    None => {
                        pools.push((pool.clone(), *ev_span, vec![(trigger.clone(), id.clone())]))
                    }
                }
            }
        }
    }
    for (pool, span, triggers) in pools {
        let pool_id = sls_names::cognito_pool_id(&pool);
        let mut yaml = format!(
            "Type: AWS::Cognito::UserPool\nProperties:\n  UserPoolName: {}\n  LambdaConfig:\n",
            q(&pool)
        );
        for (trigger, fid) in &triggers {
            yaml.push_str(&format!("    {trigger}: !GetAtt {fid}.Arn\n"));
        }
        if let Some(node) = asm.synth(&yaml, span) {
            sections.push(
                "Resources",
                Entry {
                    key: pool_id.clone().into(),
                    key_span: span,
                    value: node,
                },
            );
            names.push(pool_id);
        }
    }
    names.sort();
    names.dedup();
    (names, shape, generated_names)
}
