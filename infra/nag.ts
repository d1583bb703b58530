/**
 * cdk-nag v3 reports through CDK's policy-validation plugins and takes acknowledgments (the v2
 * "suppressions") through `Validations.of(scope).acknowledge`, one finding id at a time, e.g.
 * `AwsSolutions-IAM5[Resource::*]`. Every acknowledgment here carries its reason.
 */
import { Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export interface NagAcknowledgment {
  /** A rule (`AwsSolutions-S1`) or one finding of a rule (`AwsSolutions-IAM5[Action::s3:List*]`). */
  id: string;
  reason: string;
}

/** Acknowledges findings on a construct and everything under it. */
export function acknowledgeFindings(scope: IConstruct, acknowledgments: NagAcknowledgment[]): void {
  for (const acknowledgment of acknowledgments) Validations.of(scope).acknowledge(acknowledgment);
}

/** How cdk-nag prints a resource's `Fn::GetAtt Arn` in finding ids, e.g. `<DataLakeBucketEF1CCA5A.Arn>`. */
export function arnFindingToken(resource: IConstruct): string | undefined {
  const cfn = resource.node.defaultChild as CfnElement | undefined;
  return cfn ? `<${Stack.of(resource).getLogicalId(cfn)}.Arn>` : undefined;
}

/**
 * `arn:<partition>:<service>:<region>:<account>:<resource>` as cdk-nag prints it in finding ids: a
 * pseudo parameter as `<AWS::Region>` while the stack is environment-agnostic, the literal value once
 * `cdk synth` knows it (the CLI fills in the region, and the account when credentials exist).
 */
export function findingArn(scope: IConstruct, service: string, resource: string): string {
  const stack = Stack.of(scope);
  const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  return `arn:${shown(stack.partition, 'Partition')}:${service}:${shown(stack.region, 'Region')}:${shown(stack.account, 'AccountId')}:${resource}`;
}

export const BASIC_EXECUTION_ROLE_FINDING =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';
