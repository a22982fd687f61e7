//! TM: the template and its graph. TM001/TM002/TM010 and part of TM008 come from the parser;
//! TM003–TM007 report what building the graph (`crate::graph`) found broken, and the
//! property-type part of TM008 is here.

use super::{Context, Emitter, Loc};
use crate::graph::{ConditionSite, Malformed, Problem};
use crate::schema::{self, PropKind};
use crate::template::{Kind, NodeId, Style, intrinsic};

rule! {
    TM001, "unparsable-template", [error],
    summary: "the file cannot be parsed as YAML or JSON, or its Resources is not a mapping",
    help: "fix the syntax at the position shown; CloudFormation rejects the whole template",
}
rule! {
    TM002, "duplicate-key", [error],
    summary: "duplicate key in a mapping: CloudFormation keeps only the last value",
    help: "keep one of the repeated keys, or merge their values",
}
rule! {
    TM003, "undefined-ref", [error],
    summary: "Ref to a name that is neither a parameter, a resource nor a pseudo parameter",
    help: "define the parameter or resource, or fix the name",
}
rule! {
    TM004, "undefined-getatt", [error],
    summary: "Fn::GetAtt to an undefined resource or an attribute its type does not have",
    help: "define the resource, or use an attribute its type returns",
}
rule! {
    TM005, "undefined-sub-variable", [error],
    summary: "Fn::Sub variable that is not defined",
    help: "define it as a parameter, a resource or in the Sub's own variable map, or write ${!Name} for a literal",
}
rule! {
    TM006, "dependency-cycle", [error],
    summary: "circular dependency between resources",
    help: "break the cycle: one of the references must go, or move it to a separate resource",
}
rule! {
    TM007, "malformed-intrinsic", [error],
    summary: "malformed intrinsic function, unknown Fn:: name, DependsOn or Condition to an undefined name",
    help: "see the CloudFormation intrinsic function reference for the expected arguments",
}
rule! {
    TM008, "yaml-misread", ["default" = warning, "enum" = error],
    summary: "YAML that CloudFormation reads differently from what the author meant (YAML 1.1 booleans, aliases, several documents)",
    help: "quote the value ('ON'), expand the alias, or split the documents into files",
}
rule! {
    TM009, "invalid-suppression", [warning],
    summary: "a Metadata suppression without a reason, naming an unknown rule, or suppressing nothing",
    help: "give each suppression a `rule` and a `reason`, and remove the ones that match nothing",
}
rule! {
    TM011, "stack-assembly", [error],
    summary: "a stack cannot be assembled as written: a missing, outside or cyclic include, a self-referring variable",
    help: "fix the include's path (relative to the service folder), keep includes inside the repository, and break the cycle",
}
rule! {
    TM010, "input-limit", [error],
    summary: "the input exceeds a safety limit (file size, nesting depth, alias expansion budget)",
    help: "raise the limit in the config's `limits` section if the file is legitimate",
}

/// TM003 (undefined `Ref`), TM004 (undefined `Fn::GetAtt` resource or attribute), TM005
/// (undefined `Fn::Sub` variable) and TM007 (malformed intrinsic, `DependsOn` or `Condition` to
/// an undefined name), from the references the graph saw.
pub fn check_references(cx: &Context<'_>, out: &mut Emitter<'_>) {
    let t = cx.template;
    for problem in &cx.graph.problems {
        match problem {
            Problem::UndefinedRef { node, name } => {
                out.emit(&TM003, None, Loc::Node(*node), format!("`Ref` to `{name}`, which is neither a parameter, a resource nor a pseudo parameter"));
            }
            Problem::UndefinedGetAttResource { node, resource } => {
                out.emit(
                    &TM004,
                    None,
                    Loc::Node(*node),
                    format!(
                        "`Fn::GetAtt` to `{resource}`, which is not a resource of this template"
                    ),
                );
            }
            Problem::UnknownAttribute {
                node,
                part,
                resource,
                type_name: ty,
                attribute,
                known,
            } => {
                let Some(r) = t.resources.get(*resource) else {
                    continue;
                };
                let loc = match part {
                    Some(span) => Loc::Part(*node, *span),
                    None => Loc::Node(*node),
                };
                let list = if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                };
                out.emit(
                    &TM004,
                    None,
                    loc,
                    format!("`{}` ({ty}) has no attribute `{attribute}`", r.name),
                )
                .help(format!("attributes of {ty}: {list}"));
            }
            Problem::UndefinedSubVariable { node, part, name } => {
                out.emit(&TM005, None, Loc::Part(*node, *part), format!("`Fn::Sub` variable `${{{name}}}` is not a parameter, a resource, a pseudo parameter or a variable of this Sub"))
                    .help(format!("define parameter `{name}`, or write `${{!{name}}}` for the literal text"));
            }
            Problem::UndefinedCondition { node, name, site } => {
                let message = match site {
                    ConditionSite::If => format!(
                        "`Fn::If` names condition `{name}`, which is not defined in Conditions"
                    ),
                    ConditionSite::Resource => {
                        format!("resource condition `{name}` is not defined in Conditions")
                    }
                    ConditionSite::Output => {
                        format!("output condition `{name}` is not defined in Conditions")
                    }
                    ConditionSite::Conditions => {
                        format!("condition `{name}` is not defined in Conditions")
                    }
                };
                out.emit(&TM007, None, Loc::Node(*node), message);
            }
            Problem::UndefinedDependency { node, name } => {
                out.emit(
                    &TM007,
                    None,
                    Loc::Node(*node),
                    format!("`DependsOn` names `{name}`, which is not a resource of this template"),
                );
            }
            Problem::Malformed { node, form } => report_malformed(out, *node, form),
            Problem::ServerlessWithoutTransform { node, resource } => {
                out.emit(
                    &TM007,
                    None,
                    Loc::Node(*node),
                    format!("`{resource}` is an `AWS::Serverless::*` resource, but the template does not declare the SAM transform: CloudFormation rejects the type"),
                )
                .help("add `Transform: AWS::Serverless-2016-10-31`");
            }
            Problem::ForEachWithoutTransform { node, name } => {
                out.emit(
                    &TM007,
                    None,
                    Loc::Key(*node),
                    format!("`{name}` is a loop of the `AWS::LanguageExtensions` transform, which the template does not declare: CloudFormation rejects it"),
                )
                .help("add `AWS::LanguageExtensions` to the template's `Transform`");
            }
            Problem::Cycle { .. } | Problem::ConditionCycle { .. } => {}
        }
    }
}

/// TM007 on an intrinsic function (at its key) or a `DependsOn` item not written the way
/// CloudFormation takes it.
fn report_malformed(out: &mut Emitter<'_>, node: NodeId, form: &Malformed) {
    let message = match form {
        Malformed::Ref => "`Ref` takes the name of a parameter or resource".to_string(),
        Malformed::If => {
            "`Fn::If` takes [condition name, value if true, value if false]".to_string()
        }
        Malformed::TwoArguments(name) => format!("`{name}` takes a list of two arguments"),
        Malformed::FindInMap => {
            "`Fn::FindInMap` takes [map name, top-level key, second-level key]".to_string()
        }
        Malformed::UnknownFunction(name) => {
            format!("`{name}` is not a CloudFormation intrinsic function")
        }
        Malformed::GetAtt => {
            "`Fn::GetAtt` takes `Resource.Attribute` or [Resource, Attribute]".to_string()
        }
        Malformed::GetAttWithoutAttribute(res) => {
            format!("`Fn::GetAtt` of `{res}` names no attribute")
        }
        Malformed::Sub => "`Fn::Sub` takes a string, or [string, {variable: value}]".to_string(),
        Malformed::DependsOn => "`DependsOn` takes a resource name or a list of them".to_string(),
    };
    let loc = match form {
        Malformed::DependsOn => Loc::Node(node),
        _ => Loc::Key(node),
    };
    let f = out.emit(&TM007, None, loc, message);
    if let Malformed::UnknownFunction(_) = form {
        f.help("check the spelling; see the intrinsic function reference");
    }
}

/// Names of a cycle written out in a TM006 message; a longer cycle's message names these and
/// says how many more there are (every edge is still a label: the structured formats list
/// them all, the human format draws the first of them).
const CYCLE_NAMES_SHOWN: usize = 20;

/// `A → B → C → A`, or `A → … → T → … and K more → A` past [`CYCLE_NAMES_SHOWN`] names.
fn cycle_text(names: &[&str], start: &str) -> String {
    let shown = names.len().min(CYCLE_NAMES_SHOWN);
    let mut text = names[..shown].join(" → ");
    if names.len() > shown {
        text.push_str(&format!(" → … and {} more", names.len() - shown));
    }
    text.push_str(" → ");
    text.push_str(start);
    text
}

/// TM006: each cycle of resources the graph found, once, at the resource that comes first in
/// the file, with the path and a label on every edge of it; each cycle of conditions likewise,
/// at the condition that comes first.
pub fn check_cycles(cx: &Context<'_>, out: &mut Emitter<'_>) {
    let t = cx.template;
    let name = |r: usize| t.resources.get(r).map_or("?", |r| &*r.name);
    let condition = |c: usize| t.conditions.get(c).map_or("?", |c| &*c.name);
    for problem in &cx.graph.problems {
        match problem {
            Problem::Cycle { first, path } => {
                let Some(start) = t.resources.get(*first) else {
                    continue;
                };
                let names: Vec<&str> = path.iter().map(|(r, _)| name(*r)).collect();
                let what = if names.len() > CYCLE_NAMES_SHOWN {
                    format!("circular dependency of {} resources", names.len())
                } else {
                    "circular dependency".to_string()
                };
                let f = out.emit(
                    &TM006,
                    None,
                    Loc::Key(start.node),
                    format!("{what}: {}", cycle_text(&names, &start.name)),
                );
                for (r, span) in path {
                    f.label(
                        *span,
                        format!("`{}` depends on the next resource here", name(*r)),
                    );
                }
            }
            Problem::ConditionCycle { first, path } => {
                let Some(start) = t.conditions.get(*first) else {
                    continue;
                };
                let names: Vec<&str> = path.iter().map(|(c, _)| condition(*c)).collect();
                let what = if names.len() > CYCLE_NAMES_SHOWN {
                    format!("{} conditions use each other in a circle", names.len())
                } else {
                    "conditions use each other in a circle".to_string()
                };
                let f = out.emit(
                    &TM006,
                    None,
                    Loc::Key(start.node),
                    format!(
                        "{what}: {}; CloudFormation rejects the template",
                        cycle_text(&names, &start.name)
                    ),
                );
                f.help("break the circle: one of the conditions must not use the next");
                for (c, span) in path {
                    f.label(
                        *span,
                        format!("`{}` uses the next condition here", condition(*c)),
                    );
                }
            }
            _ => {}
        }
    }
}

/// TM008, property part: an unquoted YAML 1.1 boolean where the resource schema says string.
/// YAML 1.1 boolean words that reach a string property as their author wrote them (`true`
/// becomes "true"; single letters stay strings): only yes/no/on/off change meaning.
const MEANT_AS_WRITTEN: [&str; 4] = ["true", "false", "y", "n"];

/// A plain scalar that is a YAML 1.1 boolean and not [`MEANT_AS_WRITTEN`]: yes/no/on/off in
/// any of YAML's three spellings. One string match (a node at a time over the whole tree),
/// where the two lists would be searched in turn.
fn changes_meaning(kind: &Kind) -> bool {
    matches!(
        kind,
        Kind::Scalar { text, style: Style::Plain } if matches!(
            &**text,
            "yes" | "Yes" | "YES" | "no" | "No" | "NO" | "on" | "On" | "ON" | "off" | "Off" | "OFF"
        )
    )
}

pub fn check_yaml_booleans(cx: &Context<'_>, out: &mut Emitter<'_>) {
    if !out.enabled(&TM008) {
        return;
    }
    let t = cx.template;
    // Only plain yes/no/on/off words can give a finding (see `visit_value`): most templates
    // (every JSON one) have none, and one pass over the nodes spares them the schema walk.
    let any = (0..t.tree.len()).any(|i| {
        let id = NodeId(u32::try_from(i).unwrap_or(u32::MAX));
        changes_meaning(&t.tree.node(id).kind)
    });
    if !any {
        return;
    }
    for res in &t.resources {
        let (Some(ty), Some(props)) = (res.type_name.as_deref(), res.properties) else {
            continue;
        };
        let Some(info) = schema::lookup(ty) else {
            continue;
        };
        let mut stack: Vec<(NodeId, Option<&'static str>, usize)> = vec![(props, None, 0)];
        while let Some((obj, def, depth)) = stack.pop() {
            if depth > 64 {
                continue;
            }
            let Some(entries) = t.tree.entries(obj) else {
                continue;
            };
            for e in entries {
                let Some(kind) = info.property(def, &e.key) else {
                    continue;
                };
                for v in intrinsic::values(&t.tree, e.value) {
                    visit_value(cx, out, v, kind, depth, &mut stack);
                }
            }
        }
    }
}

fn visit_value(
    cx: &Context<'_>,
    out: &mut Emitter<'_>,
    v: NodeId,
    kind: PropKind<'static>,
    depth: usize,
    stack: &mut Vec<(NodeId, Option<&'static str>, usize)>,
) {
    let tree = &cx.template.tree;
    match kind {
        PropKind::Str | PropKind::Enum => {
            // Unquoted true/false reach a string property as "true"/"false", what the author
            // meant, and single letters y/n stay strings: only yes/no/on/off change meaning.
            let raw = tree.str(v).unwrap_or_default();
            let meant = MEANT_AS_WRITTEN.iter().any(|w| raw.eq_ignore_ascii_case(w));
            if let Some(b) = tree.yaml11_bool(v).filter(|_| !meant) {
                let tier = if kind == PropKind::Enum {
                    "enum"
                } else {
                    "default"
                };
                out.emit(
                    &TM008,
                    Some(tier),
                    Loc::Node(v),
                    format!("unquoted `{raw}` is the YAML 1.1 boolean {b}: CloudFormation passes \"{b}\" to a property that takes a string"),
                )
                .help(format!("quote it: '{raw}'"));
            }
        }
        PropKind::Object(def) => stack.push((v, Some(def), depth + 1)),
        PropKind::List(inner) | PropKind::Map(inner) => {
            let inner_kind = schema::kind(inner);
            let children: Vec<NodeId> = match kind {
                PropKind::List(_) => tree.items(v).map(<[NodeId]>::to_vec).unwrap_or_default(),
                _ => tree
                    .entries(v)
                    .map(|es| es.iter().map(|e| e.value).collect())
                    .unwrap_or_default(),
            };
            for c in children {
                for cv in intrinsic::values(tree, c) {
                    if let PropKind::Object(def) = inner_kind {
                        stack.push((cv, Some(def), depth + 1));
                    } else if matches!(inner_kind, PropKind::Str | PropKind::Enum) {
                        visit_value(cx, out, cv, inner_kind, depth + 1, stack);
                    }
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::tree::{YAML11_FALSE, YAML11_TRUE};

    /// The one match of `changes_meaning` is the YAML 1.1 boolean lists less the words meant
    /// as written, and only for plain scalars.
    #[test]
    fn changes_meaning_is_the_boolean_lists_less_the_words_meant_as_written() {
        let scalar = |text: &str, style| Kind::Scalar {
            text: text.into(),
            style,
        };
        for w in YAML11_TRUE.iter().chain(YAML11_FALSE) {
            let meant = MEANT_AS_WRITTEN.iter().any(|m| w.eq_ignore_ascii_case(m));
            assert_eq!(changes_meaning(&scalar(w, Style::Plain)), !meant, "{w}");
            assert!(!changes_meaning(&scalar(w, Style::Quoted)), "{w}");
        }
        for w in ["yES", "oN", "nO ", "ofF", "maybe", ""] {
            assert!(!changes_meaning(&scalar(w, Style::Plain)), "{w}");
        }
    }
}
