#!/usr/bin/env bash
# Checks `cfn-cognito-lint server` from the outside with a client of another implementation:
# pygls (PyPI) in a temporary virtualenv drives the release binary through a session on a bad
# template with Korean text and an emoji before the finding (scripts/lsp_client.py).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin="${CFN_COGNITO_LINT:-}"
if [ -z "$bin" ]; then
  (cd "$repo" && cargo build --release --locked --quiet)
  bin="${CARGO_TARGET_DIR:-$repo/target}/release/cfn-cognito-lint"
fi
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet 'pygls>=2,<3'
mkdir "$work/project" "$work/project/.git"
cat > "$work/project/auth.yaml" <<'YAML'
AWSTemplateFormatVersion: '2010-09-09'
Description: 신원 풀 🦀
Resources:
  IdentityPool:
    Type: AWS::Cognito::IdentityPool
    Properties:
      AllowUnauthenticatedIdentities: false
  AuthenticatedRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - {Sid: "로그인🦀", Effect: Allow, Principal: {Federated: cognito-identity.amazonaws.com}, Action: sts:AssumeRoleWithWebIdentity, Condition: {ForAnyValue:StringLike: {cognito-identity.amazonaws.com:amr: authenticated}}}
  IdentityPoolRoles:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref IdentityPool
      Roles:
        authenticated: !GetAtt AuthenticatedRole.Arn
YAML
"$work/venv/bin/python" "$repo/scripts/lsp_client.py" "$bin" "$work/project/auth.yaml"
