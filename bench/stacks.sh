#!/usr/bin/env bash
# Times cfn-cognito-lint on stacks: every project of ../shared/corpus/stacks (walked as a folder,
# as a user runs it on a checkout), and generated stacks: a config stack of two fragments with
# 20,000 resources each, and a Serverless service with 3,000 functions (http and cognitoUserPool
# events), 3,000 resources in `resources` and variables. Prints wall time and peak RSS.
# Usage: bench/stacks.sh [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-5}
stacks=../shared/corpus/stacks
[ -f "$stacks/MANIFEST.tsv" ] || { echo "no $stacks/MANIFEST.tsv"; exit 1; }
cargo build --release --quiet
bin=$PWD/target/release/cfn-cognito-lint
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import os, sys
w = sys.argv[1]
os.makedirs(os.path.join(w, "fragments", ".git"))
os.makedirs(os.path.join(w, "service", ".git"))
n = 20000
with open(os.path.join(w, "fragments", "a.yaml"), "w") as f:
    f.write("Resources:\n")
    for i in range(n):
        f.write(f"  Q{i}:\n    Type: AWS::SQS::Queue\n")
with open(os.path.join(w, "fragments", "b.yaml"), "w") as f:
    f.write("Resources:\n")
    for i in range(n):
        f.write(f"  T{i}:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: !GetAtt Q{i}.Arn\n")
with open(os.path.join(w, "fragments", ".cfn-cognito-lint.yaml"), "w") as f:
    f.write("stacks:\n  big: {files: [a.yaml, b.yaml]}\n")
with open(os.path.join(w, "service", "serverless.yml"), "w") as f:
    f.write("service: big\nprovider:\n  name: aws\n  iam:\n    role:\n      statements:\n"
            "        - Effect: Allow\n          Action: ['s3:GetObject']\n          Resource: '*'\n"
            "custom:\n  stage: ${opt:stage, 'dev'}\nfunctions:\n")
    for i in range(3000):
        f.write(f"  fn{i}:\n    handler: h.f\n    events:\n      - http: GET /p{i}\n"
                f"      - cognitoUserPool: {{pool: P{i % 10}, trigger: PreSignUp}}\n")
    f.write("resources:\n  Resources:\n")
    for i in range(3000):
        f.write(f"    R{i}:\n      Type: AWS::SQS::Queue\n      Properties:\n"
                f"        QueueName: ${{self:service}}-${{self:custom.stage}}-{i}\n"
                f"        Tags: [{{Key: f, Value: !Ref Fn{i}LambdaFunction}}]\n")
PY
measure() { # label, dir, args...
  local label=$1 dir=$2; shift 2
  local t best=999 rss=0
  for _ in $(seq "$repeats"); do
    t=$(mktemp)
    (cd "$dir" && /usr/bin/time -f '%e %M' -o "$t" "$bin" --fail-level none --format json "$@" >/dev/null 2>&1) || true
    read -r s m < "$t"; rm -f "$t"
    best=$(python3 -c "print(min($best, $s))"); rss=$((m > rss ? m : rss))
  done
  echo "$label best_wall_s=$best peak_rss_kb=$rss"
}
echo "machine: $(nproc) cores, $(date -u +%Y-%m-%d)"
total=0
for d in $(tail -n +2 "$stacks/MANIFEST.tsv" | cut -f1); do
  measure "project $d" "$stacks/$d" .
done
measure "generated: 2 fragments x 20,000 resources" "$work/fragments" a.yaml b.yaml
measure "generated: service, 3,000 functions + 3,000 resources" "$work/service" serverless.yml
