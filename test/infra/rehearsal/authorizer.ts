/**
 * IAM as AWS would decide it, offline: a role's identity policies as the template attaches them, and
 * the resource policy of what it touches (the bucket policy, a queue policy, the OpenSearch domain's
 * access policy), evaluated by @cloud-copilot/iam-simulate with the request's condition context. A
 * refusal names the action, the resource and the role.
 */
import { runSimulation, type EvaluationResult } from '@cloud-copilot/iam-simulate';
import type { TemplateResolver } from './template.js';

export interface IamRequest {
  action: string;
  resource: string;
  /** Condition keys the request carries (`s3:prefix`, `s3:if-none-match`, `iam:PassedToService`...). */
  context?: Record<string, string | string[]>;
}

export interface Decision extends IamRequest {
  /** The role's logical id in the template. */
  role: string;
  result: EvaluationResult | 'SimulationError';
  detail?: string;
}

interface PolicyDocument {
  Version?: string;
  Statement: unknown[];
}

export class PermissionDeniedInRehearsal extends Error {
  constructor(readonly decision: Decision) {
    super(
      `${decision.role} may not ${decision.action} on ${decision.resource}` +
        `${decision.context && Object.keys(decision.context).length ? ` (context ${JSON.stringify(decision.context)})` : ''}: ` +
        `${decision.result}${decision.detail ? ` (${decision.detail})` : ''}`,
    );
    this.name = 'PermissionDeniedInRehearsal';
  }
}

export class TemplateAuthorizer {
  /** Every decision taken, in order, for a test to check what was exercised. */
  readonly decisions: Decision[] = [];

  constructor(readonly template: TemplateResolver) {}

  /** The identity policies the template attaches to a role: its inline policies and every AWS::IAM::Policy naming it. */
  identityPolicies(role: string): { name: string; policy: PolicyDocument }[] {
    const resource = this.template.resources[role];
    if (resource?.Type !== 'AWS::IAM::Role') throw new Error(`${role} is not a role of the template`);
    if (resource.Properties?.ManagedPolicyArns)
      throw new Error(`${role} carries managed policies, which the rehearsal cannot read`);
    const inline = (
      (resource.Properties?.Policies ?? []) as { PolicyName: string; PolicyDocument: unknown }[]
    ).map((policy) => ({ name: policy.PolicyName, policy: this.document(policy.PolicyDocument) }));
    const attached = Object.entries(this.template.resources)
      .filter(
        ([, candidate]) =>
          candidate.Type === 'AWS::IAM::Policy' &&
          ((candidate.Properties?.Roles ?? []) as { Ref?: string }[]).some((ref) => ref.Ref === role),
      )
      .map(([id, policy]) => ({ name: id, policy: this.document(policy.Properties!.PolicyDocument) }));
    return [...inline, ...attached];
  }

  /** The resource policy that governs an ARN, if the template sets one. */
  resourcePolicy(resourceArn: string): PolicyDocument | undefined {
    for (const resource of Object.values(this.template.resources)) {
      if (resource.Type === 'Custom::OpenSearchAccessPolicy' && resourceArn.startsWith('arn:aws:es:')) {
        // aws-cdk-lib sets the domain's access policy through an SDK call whose parameters carry it as text
        const call = JSON.parse(this.template.string(resource.Properties!.Create)) as {
          parameters: { AccessPolicies: string };
        };
        return this.document(JSON.parse(call.parameters.AccessPolicies));
      }
      if (resource.Type === 'AWS::S3::BucketPolicy') {
        const bucket = this.template.string(resource.Properties!.Bucket);
        if (resourceArn === `arn:aws:s3:::${bucket}` || resourceArn.startsWith(`arn:aws:s3:::${bucket}/`))
          return this.document(resource.Properties!.PolicyDocument);
      }
      if (resource.Type === 'AWS::SQS::QueuePolicy') {
        const urls = this.template.resolve(resource.Properties!.Queues) as string[];
        const arns = urls.map((url) => {
          const [, , host, account, name] = url.split('/');
          return `arn:aws:sqs:${host!.split('.')[1]}:${account}:${name}`;
        });
        if (arns.includes(resourceArn)) return this.document(resource.Properties!.PolicyDocument);
      }
    }
    return undefined;
  }

  private document(value: unknown): PolicyDocument {
    const document = this.template.resolve(value) as PolicyDocument;
    return { Version: document.Version ?? '2012-10-17', Statement: document.Statement };
  }

  /** Decides one request of a role, records it, and returns the decision. */
  async decide(
    role: string,
    request: IamRequest,
    resourcePolicy = this.resourcePolicy(request.resource),
  ): Promise<Decision> {
    const { account } = this.template.options;
    const principal = this.template.arn(role);
    const outcome = await runSimulation(
      {
        request: {
          principal,
          action: request.action,
          resource: { resource: request.resource, accountId: account },
          contextVariables: {
            // every AWS SDK call of a Lambda, a job or a state machine goes over TLS
            'aws:SecureTransport': 'true',
            'aws:PrincipalArn': principal,
            'aws:PrincipalAccount': account,
            ...request.context,
          },
        },
        identityPolicies: this.identityPolicies(role),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy,
      },
      { simulationMode: 'Strict' },
    );
    const decision: Decision =
      outcome.resultType === 'error'
        ? { role, ...request, result: 'SimulationError', detail: JSON.stringify(outcome.errors) }
        : { role, ...request, result: outcome.overallResult };
    this.decisions.push(decision);
    return decision;
  }

  /** Fails with the action, resource and role named unless every request is allowed. */
  async require(role: string, requests: readonly IamRequest[]): Promise<void> {
    for (const request of requests) {
      const decision = await this.decide(role, request);
      if (decision.result !== 'Allowed') throw new PermissionDeniedInRehearsal(decision);
    }
  }

  async allows(role: string, request: IamRequest): Promise<boolean> {
    return (await this.decide(role, request)).result === 'Allowed';
  }
}
