#!/usr/bin/env python3
"""Generates a single CloudFormation template with N resources (in groups of 10: user pool,
client, identity pool, role attachment, signed-in and guest roles with trust and inline policies,
a managed policy, a Lambda trigger with its permission, an SNS topic), with Ref/GetAtt/Sub
between them. CloudFormation caps templates at 500 resources: these are stress tests.

With --findings every resource has findings: each also depends on a resource that does not
exist, the guest role's trust policy lacks its `aud` condition and the managed policy allows
everything (bench/formats.sh: every output format with thousands of findings).

usage: bench/gen-stress.py N [--findings] > stress.yaml
"""
import re
import sys


def trust(i: int, amr: str) -> str:
    """The trust policy of a role for identity pool i: pinned aud, amr for its slot."""
    return f"""      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {{Federated: cognito-identity.amazonaws.com}}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals: {{'cognito-identity.amazonaws.com:aud': !Ref Identity{i}}}
              'ForAnyValue:StringLike': {{'cognito-identity.amazonaws.com:amr': {amr}}}
"""


def group(i: int) -> str:
    return f"""  Pool{i}:
    Type: AWS::Cognito::UserPool
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      UserPoolName: !Sub '${{AWS::StackName}}-pool-{i}'
      MfaConfiguration: 'OFF'
      Policies:
        PasswordPolicy: {{MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true}}
      LambdaConfig:
        PreSignUp: !GetAtt Trigger{i}.Arn
  Client{i}:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Pool{i}
      ClientName: web-{i}
      GenerateSecret: false
      PreventUserExistenceErrors: ENABLED
      RefreshTokenValidity: 30
  Identity{i}:
    Type: AWS::Cognito::IdentityPool
    Properties:
      AllowUnauthenticatedIdentities: true
      CognitoIdentityProviders:
        - ClientId: !Ref Client{i}
          ProviderName: !GetAtt Pool{i}.ProviderName
          ServerSideTokenCheck: true
  Attachment{i}:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Identity{i}
      Roles:
        authenticated: !GetAtt AuthRole{i}.Arn
        unauthenticated: !GetAtt GuestRole{i}.Arn
  AuthRole{i}:
    Type: AWS::IAM::Role
    Properties:
{trust(i, 'authenticated')}      Policies:
        - PolicyName: iot
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: [iot:Connect, iot:Publish]
                Resource: !Sub 'arn:${{AWS::Partition}}:iot:${{AWS::Region}}:${{AWS::AccountId}}:topic/app/${{!cognito-identity.amazonaws.com:sub}}/*'
  GuestRole{i}:
    Type: AWS::IAM::Role
    Properties:
{trust(i, 'unauthenticated')}  Managed{i}:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref AuthRole{i}]
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: [sns:Publish]
            Resource: !Ref Topic{i}
  Trigger{i}:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !Sub 'arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/trigger-exec'
      Code: {{ZipFile: 'def handler(e, c): return e'}}
  Permission{i}:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      Principal: cognito-idp.amazonaws.com
      FunctionName: !GetAtt Trigger{i}.Arn
      SourceArn: !GetAtt Pool{i}.Arn
  Topic{i}:
    Type: AWS::SNS::Topic
    DependsOn: Client{i}
"""


def with_findings(i: int, text: str) -> str:
    """The group with findings on every resource."""
    text = text.replace(f"    DependsOn: Client{i}\n", f"    DependsOn: [Client{i}, Missing{i}]\n")
    text = re.sub(r"^(    Type: (?!AWS::SNS::Topic).*\n)", rf"\1    DependsOn: Missing{i}\n", text, flags=re.M)
    text = text.replace(
        f"""              StringEquals: {{'cognito-identity.amazonaws.com:aud': !Ref Identity{i}}}
              'ForAnyValue:StringLike': {{'cognito-identity.amazonaws.com:amr': unauthenticated}}
""",
        """              'ForAnyValue:StringLike': {'cognito-identity.amazonaws.com:amr': unauthenticated}
""",
    )
    return text.replace(
        f"""            Action: [sns:Publish]
            Resource: !Ref Topic{i}
""",
        """            Action: '*'
            Resource: '*'
""",
    )


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    findings = "--findings" in sys.argv[1:]
    n = int(args[0]) if args else 1000
    out = sys.stdout
    out.write("AWSTemplateFormatVersion: '2010-09-09'\nDescription: generated stress template\nResources:\n")
    for i in range(max(1, n // 10)):
        out.write(with_findings(i, group(i)) if findings else group(i))
    return 0


if __name__ == "__main__":
    sys.exit(main())
