//! The CloudFormation resource-type table (`rules/data/resource-types.txt`, generated from the
//! resource schemas cfn-lint bundles by `scripts/gen-resource-types.py`), embedded and indexed
//! lazily: the first lookup finds where each type's block starts; a type's block is parsed the
//! first time a template uses that type.

use std::sync::OnceLock;

use foldhash::{HashMap, HashMapExt};

static TABLE: &str = include_str!("../rules/data/resource-types.txt");

/// The shape of a property, from the table's kind codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropKind<'a> {
    Str,
    Enum,
    Bool,
    Num,
    Json,
    Object(&'a str),
    List(&'a str),
    Map(&'a str),
    Other,
}

pub fn kind(code: &str) -> PropKind<'_> {
    match code {
        "s" => PropKind::Str,
        "e" => PropKind::Enum,
        "b" => PropKind::Bool,
        "i" => PropKind::Num,
        "j" => PropKind::Json,
        _ => {
            if let Some(def) = code.strip_prefix("o:") {
                PropKind::Object(def)
            } else if let Some(inner) = code.strip_prefix("l:") {
                PropKind::List(inner)
            } else if let Some(inner) = code.strip_prefix("m:") {
                PropKind::Map(inner)
            } else {
                PropKind::Other
            }
        }
    }
}

#[derive(Debug, Default)]
pub struct TypeInfo {
    pub attributes: Vec<&'static str>,
    properties: Vec<(&'static str, &'static str)>,
    definitions: HashMap<&'static str, Vec<(&'static str, &'static str)>>,
}

impl TypeInfo {
    fn parse(block: &'static str) -> TypeInfo {
        let mut info = TypeInfo::default();
        // The definition being read and its properties, put in the map when the next one
        // starts (one map operation per definition, not per property line).
        let mut current: Option<(&'static str, Vec<(&'static str, &'static str)>)> = None;
        for line in block.lines() {
            let (tag, rest) = line.split_once(' ').unwrap_or((line, ""));
            match tag {
                "A" => info
                    .attributes
                    .extend(rest.split(' ').filter(|p| !p.is_empty())),
                "D" => {
                    let name = rest.split(' ').next().unwrap_or("");
                    if let Some((def, props)) = current.take() {
                        info.add_definition(def, props);
                    }
                    let props = info.definitions.remove(name).unwrap_or_default();
                    current = Some((name, props));
                }
                "P" => {
                    let mut parts = rest.split(' ');
                    let (Some(name), Some(code)) = (parts.next(), parts.next()) else {
                        continue;
                    };
                    match &mut current {
                        None => info.properties.push((name, code)),
                        Some((_, props)) => props.push((name, code)),
                    }
                }
                _ => {}
            }
        }
        if let Some((def, props)) = current {
            info.add_definition(def, props);
        }
        info
    }

    /// A definition's properties, after any the table gave it before (a name the table
    /// starts twice keeps both runs of lines, in order).
    fn add_definition(&mut self, def: &'static str, props: Vec<(&'static str, &'static str)>) {
        self.definitions.entry(def).or_default().extend(props);
    }

    pub fn has_attribute(&self, attr: &str) -> bool {
        self.attributes.iter().any(|a| match a.strip_suffix('*') {
            Some(prefix) => attr.starts_with(prefix),
            None => *a == attr,
        })
    }

    /// Properties of the type (`None`) or of one of its definitions.
    pub fn properties(&self, definition: Option<&str>) -> &[(&'static str, &'static str)] {
        match definition {
            None => &self.properties,
            Some(d) => self.definitions.get(d).map_or(&[], Vec::as_slice),
        }
    }

    pub fn property(&self, definition: Option<&str>, name: &str) -> Option<PropKind<'static>> {
        self.properties(definition)
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| kind(c))
    }
}

struct Slot {
    block: &'static str,
    info: OnceLock<TypeInfo>,
}

fn index() -> &'static HashMap<&'static str, Slot> {
    static INDEX: OnceLock<HashMap<&'static str, Slot>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut map = HashMap::new();
        let starts: Vec<(usize, &'static str)> = crate::table::marked_lines(TABLE, "R ")
            .into_iter()
            .map(|(s, _, name)| (s, name))
            .collect();
        for (i, &(start, name)) in starts.iter().enumerate() {
            let end = starts.get(i + 1).map_or(TABLE.len(), |n| n.0);
            map.insert(
                name,
                Slot {
                    block: &TABLE[start..end],
                    info: OnceLock::new(),
                },
            );
        }
        map
    })
}

/// The table's entry for a resource type, if the table knows it.
pub fn lookup(type_name: &str) -> Option<&'static TypeInfo> {
    let slot = index().get(type_name)?;
    Some(slot.info.get_or_init(|| TypeInfo::parse(slot.block)))
}

/// Number of resource types in the table.
pub fn type_count() -> usize {
    index().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_gives_attributes_properties_and_definitions() {
        let info = TypeInfo::parse(
            "R AWS::X::Y\nA Arn  Name\nP Top s\nD Def\nP A s\nP B o:Other\nD Other\nP C b\nD Def\nP D i\nD Empty\n",
        );
        assert_eq!(info.attributes, ["Arn", "Name"]);
        assert_eq!(info.properties(None), [("Top", "s")]);
        // A definition started twice keeps both runs of lines, in order.
        assert_eq!(
            info.properties(Some("Def")),
            [("A", "s"), ("B", "o:Other"), ("D", "i")]
        );
        assert_eq!(info.property(Some("Other"), "C"), Some(PropKind::Bool));
        assert!(info.properties(Some("Empty")).is_empty());
        assert!(info.definitions.contains_key("Empty"));
        assert_eq!(info.property(None, "A"), None);
    }
}
