/**
 * A synthesized template as the deployed stack would see it: CloudFormation intrinsics (Ref, Fn::GetAtt,
 * Fn::Join, Fn::Sub, Fn::Select, Fn::Split) resolved to concrete, fake but well-formed values (ARNs in
 * the formats AWS gives them), so that the stand-ins can be pointed at them and IAM policies evaluated
 * against them.
 */

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
}

export interface CfnTemplate {
  Resources: Record<string, TemplateResource>;
}

export interface ResolveOptions {
  region: string;
  account: string;
  /** Physical names for logical ids where the test chose them (the stand-in bucket). */
  names?: Record<string, string>;
}

const PSEUDO = (options: ResolveOptions): Record<string, string> => ({
  'AWS::AccountId': options.account,
  'AWS::Region': options.region,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'Alpha15',
  'AWS::StackId': `arn:aws:cloudformation:${options.region}:${options.account}:stack/Alpha15/1`,
  'AWS::NoValue': '',
});

export class TemplateResolver {
  private readonly pseudo: Record<string, string>;

  constructor(
    readonly template: CfnTemplate,
    readonly options: ResolveOptions,
  ) {
    this.pseudo = PSEUDO(options);
  }

  get resources(): Record<string, TemplateResource> {
    return this.template.Resources;
  }

  /** The physical name CloudFormation would give a resource (an explicit one, or a generated one). */
  physicalName(logicalId: string): string {
    const named = this.options.names?.[logicalId];
    if (named !== undefined) return named;
    const resource = this.resources[logicalId];
    const properties = resource?.Properties ?? {};
    const explicit: Record<string, string> = {
      'AWS::S3::Bucket': 'BucketName',
      'AWS::Lambda::Function': 'FunctionName',
      'AWS::IAM::Role': 'RoleName',
      'AWS::StepFunctions::StateMachine': 'StateMachineName',
      'AWS::Logs::LogGroup': 'LogGroupName',
      'AWS::SQS::Queue': 'QueueName',
      'AWS::OpenSearchService::Domain': 'DomainName',
    };
    const property = resource && explicit[resource.Type];
    if (property && properties[property] !== undefined) return this.string(properties[property]);
    // buckets and domains take lower-case names only
    if (resource?.Type === 'AWS::S3::Bucket') return logicalId.toLowerCase();
    if (resource?.Type === 'AWS::OpenSearchService::Domain') return logicalId.toLowerCase().slice(0, 28);
    return logicalId;
  }

  /** The ARN a resource has once created. */
  arn(logicalId: string): string {
    const { region, account } = this.options;
    const name = this.physicalName(logicalId);
    switch (this.resources[logicalId]?.Type) {
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${name}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${account}:role/${name}`;
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${region}:${account}:function:${name}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${region}:${account}:${name}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${account}:${name}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${region}:${account}:log-group:${name}:*`;
      case 'AWS::OpenSearchService::Domain':
        return `arn:aws:es:${region}:${account}:domain/${name}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${region}:${account}:stateMachine:${name}`;
      case 'AWS::Cognito::UserPool':
        return `arn:aws:cognito-idp:${region}:${account}:userpool/${region}_${name}`;
      default:
        return `arn:aws:cloudformation:${region}:${account}:resource/${logicalId}`;
    }
  }

  private ref(name: string): string {
    if (this.pseudo[name] !== undefined) return this.pseudo[name];
    const type = this.resources[name]?.Type;
    if (type === undefined) throw new Error(`Ref to ${name}, which the template does not define`);
    // these answer Ref with their ARN or URL, the rest with their name
    if (type === 'AWS::SNS::Topic' || type === 'AWS::StepFunctions::StateMachine') return this.arn(name);
    if (type === 'AWS::SQS::Queue')
      return `https://sqs.${this.options.region}.amazonaws.com/${this.options.account}/${this.physicalName(name)}`;
    return this.physicalName(name);
  }

  private getAtt(logicalId: string, attribute: string): string {
    if (attribute === 'Arn') return this.arn(logicalId);
    if (attribute === 'QueueName' || attribute === 'DomainName') return this.physicalName(logicalId);
    if (attribute === 'QueueUrl') return this.ref(logicalId);
    return `${logicalId}-${attribute}`;
  }

  /** A value that must come out as one string. */
  string(value: unknown): string {
    const resolved = this.resolve(value);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    throw new Error(`expected a string, resolved ${JSON.stringify(value)} to ${JSON.stringify(resolved)}`);
  }

  /** Any template value with every intrinsic inside it resolved. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, argument] = entries[0]!;
      if (key === 'Ref') return this.ref(argument as string);
      if (key === 'Fn::GetAtt') {
        const [id, attribute] =
          typeof argument === 'string'
            ? (argument.split('.') as [string, string])
            : (argument as [string, string]);
        return this.getAtt(id, attribute);
      }
      if (key === 'Fn::Join') {
        const [separator, parts] = argument as [string, unknown[]];
        return (this.resolve(parts) as unknown[]).map((part) => this.string(part)).join(separator);
      }
      if (key === 'Fn::Split') {
        const [separator, text] = argument as [string, unknown];
        return this.string(text).split(separator);
      }
      if (key === 'Fn::Select') {
        const [index, list] = argument as [unknown, unknown];
        return (this.resolve(list) as unknown[])[Number(this.resolve(index))];
      }
      if (key === 'Fn::Sub') {
        const [text, variables] =
          typeof argument === 'string' ? [argument, {}] : (argument as [string, Record<string, unknown>]);
        return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
          if (variables[name] !== undefined) return this.string(variables[name]);
          const [id, attribute] = name.split('.');
          return attribute === undefined ? this.ref(id!) : this.getAtt(id!, attribute);
        });
      }
      if (key.startsWith('Fn::'))
        throw new Error(`the rehearsal cannot resolve ${key}: teach TemplateResolver this intrinsic`);
    }
    return Object.fromEntries(entries.map(([key, item]) => [key, this.resolve(item)]));
  }

  /** Logical ids of the resources of one type. */
  idsOfType(type: string): string[] {
    return Object.entries(this.resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([id]) => id);
  }
}
