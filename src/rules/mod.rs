//! Rules: metadata, the emitter every rule reports through, and the one registry.

/// Declares a rule's metadata: ID, name, severity (or tiers with their severities), summary,
/// help line; the doc is `rules/<ID>.md`.
macro_rules! rule {
    ($id:ident, $name:literal, [$sev:ident], summary: $summary:expr, help: $help:expr $(,)?) => {
        rule!($id, $name, ["default" = $sev], summary: $summary, help: $help);
    };
    ($id:ident, $name:literal, [$($tier:literal = $sev:ident),+], summary: $summary:expr, help: $help:expr $(,)?) => {
        pub static $id: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
            id: stringify!($id),
            name: $name,
            tiers: &[$(($tier, rule!(@sev $sev))),+],
            summary: $summary,
            help: $help,
            doc: include_str!(concat!("../../rules/", stringify!($id), ".md")),
        };
    };
    (@sev error) => { $crate::rules::Severity::Error };
    (@sev warning) => { $crate::rules::Severity::Warning };
    (@sev info) => { $crate::rules::Severity::Info };
}

pub mod client;
pub mod identity_pool;
pub mod permissions;
pub mod registry;
pub mod template;
pub mod trust;
pub mod user_pool;

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::graph::Graph;
use crate::policy::Model;
use crate::template::intrinsic::Value;
use crate::template::{NodeId, Span, Template, Tree};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// What a rule is; a rule's findings take their ID, name and severity from here.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub name: &'static str,
    /// Severity per tier; a rule without tiers has one, named `default`.
    pub tiers: &'static [(&'static str, Severity)],
    pub summary: &'static str,
    /// Default help line of a finding.
    pub help: &'static str,
    /// The rule's documentation (`rules/<ID>.md`).
    pub doc: &'static str,
}

impl RuleMeta {
    /// The highest severity of the rule's tiers.
    pub fn default_severity(&self) -> Severity {
        self.tiers
            .iter()
            .map(|t| t.1)
            .max()
            .unwrap_or(Severity::Warning)
    }
    /// A tier's severity; a missing tier (or `default` on a rule without one) is the highest.
    pub fn tier_severity(&self, tier: &str) -> Severity {
        self.tiers
            .iter()
            .find(|t| t.0 == tier)
            .map_or_else(|| self.default_severity(), |t| t.1)
    }
    /// The rule's family (RULES.md sections), from its ID's prefix.
    pub fn family(&self) -> &'static str {
        match self.id.get(..2) {
            Some("TM") => "template",
            Some("TR") => "trust-policy",
            Some("PM") => "permissions",
            Some("UP") => "user-pool",
            Some("UC") => "user-pool-client",
            Some("IP") => "identity-pool",
            _ => "other",
        }
    }
    pub fn severity_text(&self) -> String {
        if self.tiers.len() == 1 {
            self.tiers[0].1.as_str().to_string()
        } else {
            self.tiers
                .iter()
                .map(|(t, s)| format!("{} ({t})", s.as_str()))
                .collect::<Vec<_>>()
                .join(" / ")
        }
    }
}

/// A finding, with its primary location as a byte span; line and column come from the report.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub span: Span,
    pub pointer: String,
    pub resource: Option<String>,
    pub message: String,
    pub help: String,
    pub labels: Vec<(Span, String)>,
    /// Secondary labels in other files of the stack (filled when a stack's findings are
    /// distributed to its files; `labels` then holds the ones in the finding's own file).
    pub related: Vec<Related>,
    /// The stack the finding was judged in (the file for a single template).
    pub stack: Option<std::sync::Arc<str>>,
    /// The CDK construct path of the finding's resource (its `aws:cdk:path` metadata).
    pub construct: Option<String>,
    /// What the finding's fix needs that only the rule knows (the fix pass reads the text
    /// alone); `None` when the rule knows nothing certain, and then there is no fix.
    pub fix_hint: Option<FixHint>,
}

/// What a rule tells the fix pass about a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixHint {
    /// TR001: the logical ID of the one identity pool the role is attached to.
    AudPool(String),
    /// TR004: the amr value of the role's one slot (`authenticated` or `unauthenticated`).
    AmrSlot(&'static str),
}

/// A secondary label in another file of the stack.
#[derive(Clone, Debug)]
pub struct Related {
    pub file: std::sync::Arc<crate::stack::SourceFile>,
    /// In the file's own offsets.
    pub span: Span,
    pub message: String,
}

impl Finding {
    pub fn label(&mut self, span: Span, text: impl Into<String>) -> &mut Finding {
        self.labels.push((span, text.into()));
        self
    }
    pub fn help(&mut self, text: impl Into<String>) -> &mut Finding {
        self.help = text.into();
        self
    }
    /// Notes what the finding rests on: one that rests on a parameter's default (no value
    /// given for the deployment) is at most a warning, whatever the rule's tier or a user's
    /// override, and is labelled at the default (RULES.md, *Unknown is not wrong*). The
    /// message names the parameter ([`Value::origin`]).
    pub fn rests_on(&mut self, tree: &Tree, value: Value<'_>) -> &mut Finding {
        if let Value::Default { param, node, .. } = value {
            self.severity = self.severity.min(Severity::Warning);
            let span = tree.span(node);
            if !self.labels.iter().any(|(s, _)| *s == span) {
                self.labels
                    .push((span, format!("default of parameter `{param}`")));
            }
        }
        self
    }
}

/// Where a finding points.
#[derive(Clone, Copy, Debug)]
pub enum Loc {
    /// A value node.
    Node(NodeId),
    /// The key under which this value sits.
    Key(NodeId),
    /// A part of a node's text (e.g. one `${Var}` of a `Fn::Sub` string).
    Part(NodeId, Span),
    /// A span with no node (the JSON pointer is given).
    Raw(Span, &'static str),
}

/// Whole-token patterns: each a regular expression that must match a whole name token
/// (case-insensitive). Compiled once, on first use (start-up time): a config's patterns are
/// compiled when it is read, so a bad one is reported with its position.
#[derive(Clone, Debug)]
pub struct TokenPatterns {
    pub sources: Vec<String>,
    compiled: std::sync::OnceLock<Vec<regex::Regex>>,
}

fn compile(s: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(&format!("^(?:{s})$"))
        .case_insensitive(true)
        .build()
        .map_err(|e| format!("invalid pattern `{s}`: {e}"))
}

impl TokenPatterns {
    pub fn new(sources: &[&str]) -> Result<TokenPatterns, String> {
        let compiled = sources
            .iter()
            .map(|s| compile(s))
            .collect::<Result<Vec<_>, String>>()?;
        Ok(TokenPatterns {
            sources: sources.iter().map(|s| s.to_string()).collect(),
            compiled: std::sync::OnceLock::from(compiled),
        })
    }
    /// Plain words (the defaults), compiled when first used.
    fn words(words: &[&str]) -> TokenPatterns {
        TokenPatterns {
            sources: words.iter().map(|s| regex::escape(s)).collect(),
            compiled: std::sync::OnceLock::new(),
        }
    }
    /// The first token that one of the patterns matches.
    pub fn find<'t>(&self, tokens: &'t [String]) -> Option<&'t String> {
        let compiled = self.compiled.get_or_init(|| {
            self.sources
                .iter()
                .filter_map(|s| compile(s).ok())
                .collect()
        });
        tokens
            .iter()
            .find(|t| compiled.iter().any(|r| r.is_match(t)))
    }
}

/// Per-rule options, with the defaults of RULES.md.
#[derive(Clone, Debug)]
pub struct RuleOptions {
    /// UC001: patterns of name tokens of browser and mobile clients.
    pub browser_tokens: TokenPatterns,
    pub mobile_tokens: TokenPatterns,
    /// UC002: longest refresh-token validity without a warning, in days.
    pub max_refresh_days: f64,
    /// UP002: shortest acceptable password.
    pub min_password_length: u32,
}

impl Default for RuleOptions {
    fn default() -> Self {
        let words = TokenPatterns::words;
        RuleOptions {
            browser_tokens: words(&["web", "spa", "browser", "js", "frontend"]),
            mobile_tokens: words(&["mobile", "ios", "android"]),
            max_refresh_days: 30.0,
            min_password_length: 8,
        }
    }
}

/// Which rules run, at which severity, with which options.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Rule IDs that are off.
    pub disabled: HashSet<&'static str>,
    /// A user's severity for every tier of a rule.
    pub severity: HashMap<&'static str, Severity>,
    pub options: RuleOptions,
}

impl Settings {
    pub fn enabled(&self, id: &str) -> bool {
        !self.disabled.contains(id)
    }
    pub fn severity_of(&self, meta: &RuleMeta, tier: Option<&str>) -> Severity {
        if let Some(s) = self.severity.get(meta.id) {
            return *s;
        }
        match tier {
            Some(t) => meta.tier_severity(t),
            None => meta.tier_severity("default"),
        }
    }
}

/// What rules see: the template, its graph, the policy model, the settings.
pub struct Context<'a> {
    pub template: &'a Template,
    pub graph: &'a Graph,
    pub model: &'a Model<'a>,
    pub settings: &'a Settings,
}

/// Collects findings; a rule names its metadata, an optional tier, a location and a message.
pub struct Emitter<'a> {
    template: &'a Template,
    settings: &'a Settings,
    pub findings: Vec<Finding>,
}

impl<'a> Emitter<'a> {
    pub fn new(template: &'a Template, settings: &'a Settings) -> Emitter<'a> {
        Emitter {
            template,
            settings,
            findings: Vec::new(),
        }
    }

    pub fn enabled(&self, meta: &RuleMeta) -> bool {
        self.settings.enabled(meta.id)
    }

    pub fn emit(
        &mut self,
        meta: &'static RuleMeta,
        tier: Option<&str>,
        loc: Loc,
        message: impl Into<String>,
    ) -> &mut Finding {
        let tree = &self.template.tree;
        let (mut span, pointer, node) = match loc {
            Loc::Node(id) => (tree.span(id), tree.pointer(id), Some(id)),
            Loc::Key(id) => (
                tree.key_span(id).unwrap_or_else(|| tree.span(id)),
                tree.pointer(id),
                Some(id),
            ),
            Loc::Part(id, span) => (span, tree.pointer(id), Some(id)),
            Loc::Raw(span, pointer) => (span, pointer.to_string(), None),
        };
        // Aliases seen through (RULES.md, *Aliases*): a node reached through an alias is the
        // alias's own copy of the anchored node, so the pointer and the resource are where the
        // alias is written; the finding goes there, with a label at the anchored text.
        let mut labels = Vec::new();
        if let Some(alias) = node.and_then(|id| tree.alias_site(id)) {
            labels.push((
                span,
                "the anchored text, which this alias repeats".to_string(),
            ));
            span = tree.span(alias);
        }
        let resource = self.template.resource_of(&pointer);
        // The resource by its index, not by a search of `Resources` (a search per finding is
        // quadratic on a template with thousands of resources and findings).
        let construct = resource.as_deref().and_then(|r| {
            let node = self
                .template
                .resources
                .get(self.template.resource_idx(r)?)?
                .node;
            let path = tree.get_path(node, &["Metadata", "aws:cdk:path"])?;
            tree.str(tree.deref(path)).map(str::to_string)
        });
        self.findings.push(Finding {
            rule: meta,
            severity: self.settings.severity_of(meta, tier),
            span,
            pointer,
            resource,
            message: message.into(),
            help: meta.help.to_string(),
            labels,
            related: Vec::new(),
            stack: None,
            construct,
            fix_hint: None,
        });
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }
}

/// A check: one function may report several rules of a family that share a walk.
pub type Check = fn(&Context<'_>, &mut Emitter<'_>);
