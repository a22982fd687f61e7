#!/usr/bin/env python3
"""Generate rules/data/resource-types.txt from the cfn-lint bundled schemas.

Source data
    The CloudFormation resource provider schemas bundled with the `cfn-lint`
    PyPI package (license MIT-0), region us-east-1:
      cfnlint/data/schemas/providers/us_east_1.py   maps type name -> schema hash
      cfnlint/data/schemas/resources/<hash>.json    one provider schema per type
    (The older layout cfnlint/data/schemas/providers/us_east_1/*.json is also
    understood.) The JSON files are read directly; cfnlint is never imported,
    it is only located with importlib.util.find_spec and its version is read
    with importlib.metadata. Standard library only.

GetAtt attributes
    Taken from each schema's `readOnlyProperties` ("/properties/A/B" -> "A.B").
    Pointers that go through array items ("/properties/L/*/X") are dropped
    (Fn::GetAtt cannot index into lists). cfn-lint's own GetAtt knowledge from
    cfnlint/schema/_getatts.py is merged in the same way cfn-lint applies it
    (the module is parsed with `ast`, not imported):
      * `_all_property_types`: for these types every property is gettable;
        the attributes are all property paths (recursing into objects, arrays
        kept as a leaf unless their items are declared object/array), and
        readOnlyProperties are not used.
      * `_exceptions`: extra attribute names added to readOnlyProperties.
      * AWS::CloudFormation::Stack: only `Outputs.*` (hard-coded in cfn-lint).
      * AWS::ServiceCatalog::CloudFormationProvisionedProduct: read-only props,
        with `Outputs` replaced by `Outputs.*` (hard-coded in cfn-lint).
      * `_unnamed_unknown_types` (e.g. AWS::CloudFormation::CustomResource,
        Module): `*` added (any attribute).
    An attribute token ending in `*` is a wildcard: `*` matches any attribute,
    `Outputs.*` matches any `Outputs.<name>`. If _getatts.py cannot be parsed
    the merge is skipped with a warning and the header says so.

Kinds (see the header written into the output for the full format)
    s string, e string with enum/const (directly or through $ref), b boolean,
    i integer/number, j free-form object, o:<Def> object shape, l:<k> list,
    m:<k> map, ? anything else.
    Decisions:
      * $ref wins over sibling keywords ({"$ref":..,"type":..} uses the ref).
      * A $ref to a definition that is not an object with properties gets the
        kind of that definition (so primitive definitions are inlined).
      * type lists: "null" is dropped; {"integer","number"} -> i; any other
        multi-type list (e.g. ["object","string"]) -> ?.
      * Own `type` wins over oneOf/anyOf/allOf, except that for objects the
        properties of object-like alternatives (inline or $ref) are merged
        into the object's shape (union of properties).
      * Without own type/properties: if every informative alternative of
        oneOf/anyOf/allOf is an object with properties, the node is an object
        whose shape is the union of their properties; otherwise the kinds of
        the alternatives are combined: all equal -> that kind, only s/e -> s,
        otherwise ?. Alternatives that only carry constraints (required, not,
        ...) are ignored.
      * The same union rule is applied when one property name appears with
        different schemas in several merged alternatives.
      * Objects: properties -> o:<Def>; else patternProperties and/or a
        non-empty additionalProperties schema -> m:<kind> (m:? if the value
        kinds differ, j if the value schemas are all empty); else j.
      * Arrays: l:<kind of items>; no items or tuple items -> l:?.
      * enum/const without type: e if all values are strings, i/b if all
        numbers/booleans, else ?.
      * Inline objects with properties (no $ref) get a synthetic definition
        name built from where they live: "<Def>.<Prop>" inside definition
        <Def>, ".<Prop>" for a top-level property (nested: "<Def>.<A>.<B>").
        Real definition names never contain '.', so no clash is possible.
      * Property names containing whitespace are skipped.

Usage
    python3 scripts/gen-resource-types.py [OUTPUT]
    OUTPUT defaults to rules/data/resource-types.txt relative to the repo
    root (the parent of this script's directory). The output is deterministic
    (sorted types, definitions, properties, attributes); the generation date
    in the header is today's UTC date, or taken from SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

import argparse
import ast
import datetime as _dt
import importlib.metadata
import importlib.util
import json
import os
import sys
import time

REGION = "us-east-1"
REGION_PY = REGION.replace("-", "_")
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUTPUT = os.path.join("rules", "data", "resource-types.txt")
MAX_DEPTH = 64

# ---------------------------------------------------------------------------
# Locating the cfn-lint data
# ---------------------------------------------------------------------------


def cfnlint_dir() -> str:
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("error: the cfn-lint Python package is not installed (pip install cfn-lint)")
    return list(spec.submodule_search_locations)[0]


def cfnlint_version(root: str) -> str:
    try:
        return importlib.metadata.version("cfn-lint")
    except importlib.metadata.PackageNotFoundError:
        pass
    try:
        with open(os.path.join(root, "version.py"), encoding="utf-8") as f:
            for node in ast.parse(f.read()).body:
                if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets
                ):
                    return str(ast.literal_eval(node.value))
    except (OSError, ValueError, SyntaxError):
        pass
    return "unknown"


def module_literals(path: str, names: set[str]) -> dict:
    """Literal top-level assignments (`x = ...` / `x: T = ...`) of a module."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=path)
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for t in targets:
            if isinstance(t, ast.Name) and t.id in names:
                try:
                    out[t.id] = ast.literal_eval(value)
                except ValueError:
                    pass
    return out


def load_schemas(root: str) -> dict[str, dict]:
    """type name -> provider schema (us-east-1)."""
    schemas_dir = os.path.join(root, "data", "schemas")
    providers = os.path.join(schemas_dir, "providers")
    index = os.path.join(providers, REGION_PY + ".py")
    result: dict[str, dict] = {}
    if os.path.isfile(index):
        types = module_literals(index, {"types"}).get("types")
        if not isinstance(types, dict):
            sys.exit(f"error: no `types` dict in {index}")
        for type_name, digest in types.items():
            with open(os.path.join(schemas_dir, "resources", digest + ".json"), encoding="utf-8") as f:
                result[type_name] = json.load(f)
    elif os.path.isdir(os.path.join(providers, REGION_PY)):
        d = os.path.join(providers, REGION_PY)
        for name in sorted(os.listdir(d)):
            if name.endswith(".json"):
                with open(os.path.join(d, name), encoding="utf-8") as f:
                    schema = json.load(f)
                if isinstance(schema, dict) and "typeName" in schema:
                    result[schema["typeName"]] = schema
    else:
        sys.exit(f"error: cannot find the {REGION} provider schemas under {providers}")
    return result


# ---------------------------------------------------------------------------
# Property kinds
# ---------------------------------------------------------------------------

COMBINATORS = ("oneOf", "anyOf", "allOf")
INFORMATIVE_KEYS = ("$ref", "type", "properties", "items", "enum", "const", "patternProperties")


def unescape(seg: str) -> str:
    return seg.replace("~1", "/").replace("~0", "~")


def pointer_name(pointer: str) -> str:
    """Shape name for a JSON pointer (see module doc): definitions/X -> X."""
    segs = [unescape(s) for s in pointer.lstrip("#").strip("/").split("/") if s != ""]
    i, name = 0, ""
    if len(segs) >= 2 and segs[0] == "definitions":
        name, i = segs[1], 2
    while i < len(segs):
        if segs[i] == "properties" and i + 1 < len(segs):
            name += "." + segs[i + 1]
            i += 2
        elif segs[i] in ("patternProperties",) + COMBINATORS or segs[i] == "definitions":
            i += 2
        else:
            i += 1
    return name


def combine(kinds: list[str]) -> str:
    ks = set(kinds)
    if len(ks) == 1:
        return kinds[0]
    if ks and ks <= {"s", "e"}:
        return "s"
    return "?"


class TypeModel:
    """Computes kinds and object shapes for one resource schema."""

    def __init__(self, schema: dict):
        self.schema = schema
        # shape name -> list of schema nodes whose properties are united
        self.shapes: dict[str, list[dict]] = {}

    # -- $ref ---------------------------------------------------------------
    def resolve(self, ref: str):
        if not isinstance(ref, str) or not ref.startswith("#"):
            return None, None
        node = self.schema
        for seg in ref[1:].strip("/").split("/"):
            if seg == "":
                continue
            seg = unescape(seg)
            if isinstance(node, dict) and seg in node:
                node = node[seg]
            elif isinstance(node, list) and seg.isdigit() and int(seg) < len(node):
                node = node[int(seg)]
            else:
                return None, None
        return (node, pointer_name(ref)) if isinstance(node, dict) else (None, None)

    def deref(self, node, hint, depth=0):
        """Follow $ref chains: (node, shape name hint)."""
        seen = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if ref in seen or len(seen) > MAX_DEPTH:
                return None, hint
            seen.add(ref)
            node, hint = self.resolve(ref)
        return node, hint

    # -- classification helpers --------------------------------------------
    @staticmethod
    def types_of(node: dict) -> list[str]:
        t = node.get("type")
        ts = [t] if isinstance(t, str) else list(t) if isinstance(t, list) else []
        ts = [x for x in dict.fromkeys(ts) if x != "null"]
        if set(ts) == {"integer", "number"}:
            ts = ["number"]
        return ts

    def informative(self, node, depth=0) -> bool:
        if not isinstance(node, dict) or depth > MAX_DEPTH:
            return False
        if any(k in node for k in INFORMATIVE_KEYS):
            return True
        if isinstance(node.get("additionalProperties"), dict):
            return True
        return any(
            self.informative(a, depth + 1)
            for c in COMBINATORS
            if isinstance(node.get(c), list)
            for a in node[c]
        )

    def alternatives(self, node: dict) -> list[dict]:
        alts = []
        for c in COMBINATORS:
            v = node.get(c)
            if isinstance(v, list):
                alts.extend(a for a in v if self.informative(a))
        return alts

    def object_like(self, node, depth=0) -> bool:
        """Object with properties (own or through object-like alternatives)."""
        node, _ = self.deref(node, "")
        if not isinstance(node, dict) or depth > MAX_DEPTH:
            return False
        ts = self.types_of(node)
        if ts and ts != ["object"]:
            return False
        if isinstance(node.get("properties"), dict) and node["properties"]:
            return True
        alts = self.alternatives(node)
        return bool(alts) and all(self.object_like(a, depth + 1) for a in alts)

    def collect_props(self, node, out: dict, depth=0, seen=None):
        """Union of properties of an object node incl. object-like alternatives.

        out: property name -> list of (schema, shape-name hint of the owner)."""
        seen = set() if seen is None else seen
        node, owner = self.deref(node, None)
        if not isinstance(node, dict) or id(node) in seen or depth > MAX_DEPTH:
            return
        seen.add(id(node))
        props = node.get("properties")
        if isinstance(props, dict):
            for name, sub in props.items():
                out.setdefault(name, []).append((sub, owner))
        for alt in self.alternatives(node):
            if self.object_like(alt):
                self.collect_props(alt, out, depth + 1, seen)

    def register(self, reg: dict, name: str, node: dict):
        lst = reg.setdefault(name, [])
        if all(n is not node for n in lst):
            lst.append(node)

    # -- kinds -------------------------------------------------------------
    def kind(self, node, hint: str, reg: dict, depth: int = 0) -> str:
        if depth > MAX_DEPTH or not isinstance(node, dict):
            return "?"
        if "$ref" in node:
            target, name = self.deref(node, hint)
            if target is None:
                return "?"
            return self.kind(target, name, reg, depth + 1)
        ts = self.types_of(node)
        if len(ts) > 1:
            return "?"
        t = ts[0] if ts else None
        if t is None:
            if "properties" in node or "patternProperties" in node or isinstance(
                node.get("additionalProperties"), dict
            ):
                t = "object"
            elif "items" in node:
                t = "array"
            elif "enum" in node or "const" in node:
                vals = node.get("enum") if isinstance(node.get("enum"), list) else [node.get("const")]
                if vals and all(isinstance(v, str) for v in vals):
                    return "e"
                if vals and all(isinstance(v, bool) for v in vals):
                    return "b"
                if vals and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
                    return "i"
                return "?"
            else:
                return self.kind_from_alternatives(node, hint, reg, depth)
        if t == "string":
            return "e" if ("enum" in node or "const" in node) else "s"
        if t == "boolean":
            return "b"
        if t in ("integer", "number"):
            return "i"
        if t == "array":
            items = node.get("items")
            if isinstance(items, dict):
                return "l:" + self.kind(items, hint, reg, depth + 1)
            return "l:?"
        if t == "object":
            return self.kind_object(node, hint, reg, depth)
        return "?"

    def kind_object(self, node: dict, hint: str, reg: dict, depth: int) -> str:
        if self.object_like(node):
            self.register(reg, hint, node)
            return "o:" + hint
        values = []
        pp = node.get("patternProperties")
        if isinstance(pp, dict):
            values.extend(pp.values())
        ap = node.get("additionalProperties")
        if isinstance(ap, dict) and ap:
            values.append(ap)
        if values:
            if all(isinstance(v, dict) and not v for v in values):
                return "j"
            tmp: dict = {}
            k = combine([self.kind(v, hint, tmp, depth + 1) if v else "?" for v in values])
            if k != "?":
                self.merge(reg, tmp)
            return "m:" + ("?" if k == "?" else k)
        return "j"

    def kind_from_alternatives(self, node: dict, hint: str, reg: dict, depth: int) -> str:
        alts = self.alternatives(node)
        if not alts:
            return "?"
        if all(self.object_like(a) for a in alts):
            self.register(reg, hint, node)
            return "o:" + hint
        tmp: dict = {}
        k = combine([self.kind(a, hint, tmp, depth + 1) for a in alts])
        if k != "?":
            self.merge(reg, tmp)
        return k

    def merge(self, reg: dict, tmp: dict):
        for name, nodes in tmp.items():
            for n in nodes:
                self.register(reg, name, n)

    def prop_kind(self, name: str, entries: list, reg: dict) -> str:
        """Kind of a property that may be declared by several merged nodes."""
        tmp: dict = {}
        kinds = []
        for sub, owner in entries:
            kinds.append(self.kind(sub, f"{owner}.{name}", tmp))
        k = combine(kinds)
        if k != "?":
            self.merge(reg, tmp)
        return k

    def properties_of(self, nodes: list[dict], owner: str, reg: dict) -> list[tuple[str, str]]:
        props: dict = {}
        for n in nodes:
            collected: dict = {}
            self.collect_props(n, collected)
            for name, entries in collected.items():
                # an inline property's synthetic name derives from the owner
                # shape being described, whatever alternative declared it
                props.setdefault(name, []).extend((sub, owner) for sub, _ in entries)
        out = []
        for name in sorted(props):
            if not name or any(c.isspace() for c in name):
                continue
            out.append((name, self.prop_kind(name, props[name], reg)))
        return out

    def build(self):
        """-> (top-level property list, {def name: property list})."""
        reg = self.shapes
        top = self.properties_of([{"properties": self.schema.get("properties") or {}}], "", reg)
        defs: dict[str, list] = {}
        while True:
            pending = sorted(n for n in reg if n not in defs)
            if not pending:
                break
            for name in pending:
                defs[name] = self.properties_of(list(reg[name]), name, reg)
        return top, defs


# ---------------------------------------------------------------------------
# GetAtt attributes
# ---------------------------------------------------------------------------


class GetAttKnowledge:
    def __init__(self, root: str):
        path = os.path.join(root, "schema", "_getatts.py")
        self.ok = False
        self.all_property_types: set[str] = set()
        self.exceptions: dict[str, list[str]] = {}
        self.unnamed: tuple[str, ...] = ()
        try:
            lits = module_literals(path, {"_all_property_types", "_exceptions", "_unnamed_unknown_types"})
            self.all_property_types = set(lits["_all_property_types"])
            self.exceptions = dict(lits["_exceptions"])
            self.unnamed = tuple(lits["_unnamed_unknown_types"])
            self.ok = True
        except (OSError, SyntaxError, KeyError, TypeError) as e:
            print(f"warning: cfn-lint GetAtt knowledge not merged ({path}: {e!r})", file=sys.stderr)

    @staticmethod
    def pointer_to_attr(pointer: str):
        segs = pointer.split("/")[2:]
        if not segs or "*" in segs:
            return None
        return ".".join(unescape(s) for s in segs)

    def attrs(self, type_name: str, schema: dict) -> list[str]:
        out: set[str] = set()
        ro = [p for p in schema.get("readOnlyProperties") or [] if isinstance(p, str)]
        if self.ok and type_name in self.all_property_types:
            model = TypeModel(schema)
            for name, value in (schema.get("properties") or {}).items():
                self._process(model, value, [name], out, 0)
        elif type_name == "AWS::CloudFormation::Stack":
            out.add("Outputs.*")
        elif type_name == "AWS::ServiceCatalog::CloudFormationProvisionedProduct":
            for p in ro:
                a = "Outputs.*" if p == "/properties/Outputs" else self.pointer_to_attr(p)
                if a:
                    out.add(a)
        else:
            if self.ok:
                out.update(self.exceptions.get(type_name, []))
                if any(type_name.startswith(u) for u in self.unnamed):
                    out.add("*")
            for p in ro:
                a = self.pointer_to_attr(p)
                if a:
                    out.add(a)
        return sorted(a for a in out if a and not any(c.isspace() for c in a))

    def _process(self, model: TypeModel, node, path: list[str], out: set, depth: int):
        """Mirror of cfnlint.schema._getatts.GetAtts._process_schema."""
        if not isinstance(node, dict) or depth > MAX_DEPTH:
            return
        t = node.get("type")
        types = t if isinstance(t, list) else [t] if t is not None else []
        if "object" in types:
            for prop, value in (node.get("properties") or {}).items():
                self._process(model, value, path + [prop], out, depth + 1)
        elif "array" in types:
            items = node.get("items")
            if isinstance(items, dict) and items.get("type") in ("object", "array"):
                return
            out.add(".".join(path))
        elif node.get("$ref"):
            target, _ = model.resolve(node["$ref"])
            if target is not None:
                self._process(model, target, path, out, depth + 1)
        else:
            out.add(".".join(path))


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def generation_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date().isoformat()
    return _dt.datetime.now(_dt.timezone.utc).date().isoformat()


def header(version: str, n_types: int, n_defs: int, merged: bool) -> list[str]:
    getatt_note = (
        "readOnlyProperties merged with cfn-lint's GetAtt knowledge (cfnlint/schema/_getatts.py)"
        if merged
        else "readOnlyProperties only (cfnlint/schema/_getatts.py could not be read)"
    )
    return [
        "# CloudFormation resource types: properties and GetAtt attributes.",
        f"# Generated {generation_date()} by scripts/gen-resource-types.py -- do not edit by hand.",
        f"# Source: resource provider schemas bundled with cfn-lint {version} (PyPI, license MIT-0),",
        f"#   region {REGION} (cfnlint/data/schemas/providers/{REGION_PY}.py + resources/*.json).",
        f"# GetAtt: {getatt_note};",
        "#   array-item pointers (/*/) dropped; a trailing '*' is a wildcard ('*' any, 'Outputs.*').",
        "# Regenerate: pip install cfn-lint && python3 scripts/gen-resource-types.py [OUTPUT]",
        f"# Counts: {n_types} types, {n_defs} definitions.",
        "# Format: 'R <Type>' starts a type; 'A <attr>...' its GetAtt attributes (one line, may be bare);",
        "#   'P <Name> <kind>' a property of the current type or definition; 'D <Def>' starts a",
        "#   definition of the current type (inline objects are named '<Def>.<Prop>', top-level '.<Prop>').",
        "# Kinds: s string, e enum string, b boolean, i integer/number, j free-form JSON object,",
        "#   o:<Def> object, l:<kind> list, m:<kind> map (string keys), ? anything else/ambiguous.",
    ]


# Enumerations the schemas leave as plain strings although the service accepts only a fixed set
# (TM008 reports an unquoted YAML 1.1 boolean there as an error): (type, property) -> kind.
# MfaConfiguration: "Member must satisfy enum value set: [OPTIONAL, OFF, ON]" (deploy error).
ENUM_OVERRIDES = {
    ("AWS::Cognito::UserPool", "MfaConfiguration"): "e",
}


def generate(output: str) -> dict:
    start = time.perf_counter()
    root = cfnlint_dir()
    version = cfnlint_version(root)
    schemas = load_schemas(root)
    getatts = GetAttKnowledge(root)
    body: list[str] = []
    n_defs = 0
    for type_name in sorted(schemas):
        schema = schemas[type_name]
        if any(c.isspace() for c in type_name):
            continue
        model = TypeModel(schema)
        top, defs = model.build()
        attrs = getatts.attrs(type_name, schema)
        body.append(f"R {type_name}")
        body.append(" ".join(["A"] + attrs))
        body.extend(f"P {n} {ENUM_OVERRIDES.get((type_name, n), k)}" for n, k in top)
        for def_name in sorted(defs):
            body.append(f"D {def_name}")
            body.extend(f"P {n} {k}" for n, k in defs[def_name])
        n_defs += len(defs)
    lines = header(version, len(schemas), n_defs, getatts.ok) + body
    text = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    tmp = output + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, output)
    return {
        "output": output,
        "types": len(schemas),
        "definitions": n_defs,
        "bytes": len(text.encode("utf-8")),
        "seconds": time.perf_counter() - start,
        "version": version,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "output",
        nargs="?",
        default=os.path.join(REPO_ROOT, DEFAULT_OUTPUT),
        help=f"output file (default: <repo>/{DEFAULT_OUTPUT})",
    )
    args = ap.parse_args(argv)
    stats = generate(args.output)
    print(
        f"wrote {stats['output']}: {stats['types']} types, {stats['definitions']} definitions, "
        f"{stats['bytes']} bytes (cfn-lint {stats['version']}) in {stats['seconds']:.2f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
