#!/usr/bin/env python3
"""Generates the inputs of bench/quadratic.sh: cases whose cost used to grow with the square of
their size (issue 12).

  sub N       one Fn::Sub string with N distinct undefined variables (N TM005 findings)
  minified N  one-line JSON with N resources, two findings each (TM003, TM007)
  cycle N     N resources that depend on each other in one circle (one TM006)

usage: bench/gen-quadratic.py CASE N > file
"""
import json
import sys


def sub(n: int) -> str:
    body = "-".join(f"${{V{i}}}" for i in range(n))
    return (
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Resources:\n"
        "  Topic:\n"
        "    Type: AWS::SNS::Topic\n"
        "    Properties:\n"
        f"      TopicName: !Sub '{body}'\n"
    )


def minified(n: int) -> str:
    resources = {
        f"Topic{i}": {
            "Type": "AWS::SNS::Topic",
            "DependsOn": f"Missing{i}",
            "Properties": {"TopicName": {"Ref": f"Undefined{i}"}},
        }
        for i in range(n)
    }
    doc = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def cycle(n: int) -> str:
    out = ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:"]
    for i in range(n):
        out.append(f"  R{i}:")
        out.append("    Type: AWS::SNS::Topic")
        out.append(f"    DependsOn: R{(i + 1) % n}")
    return "\n".join(out) + "\n"


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] not in ("sub", "minified", "cycle"):
        sys.exit(__doc__)
    case, n = sys.argv[1], int(sys.argv[2])
    sys.stdout.write({"sub": sub, "minified": minified, "cycle": cycle}[case](n))


if __name__ == "__main__":
    main()
