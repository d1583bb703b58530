/**
 * What IAM checks for a request a stand-in received: the action, the resource ARN and the condition
 * keys, as the Service Authorization Reference defines them for S3 (REST, path-style), SageMaker (JSON
 * protocol) and the OpenSearch domain (HTTP). A request the mapping does not know fails loudly, so a new
 * kind of call cannot slip past the rehearsal.
 */
import type { IamRequest } from './authorizer.js';

export interface HttpRequestLine {
  method: string;
  /** Path and query as sent, e.g. `/lake-1/models/champion.json?x-id=GetObject`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/** An S3 REST request (path-style) as IAM requests; the `missingKey` check is the 404-or-403 rule. */
export function s3Requests(request: HttpRequestLine): IamRequest[] {
  const url = new URL(request.url, 'http://s3.local');
  const [, bucket, ...keyParts] = url.pathname.split('/');
  const key = decodeURIComponent(keyParts.join('/'));
  const query = url.searchParams;
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const objectArn = `${bucketArn}/${key}`;
  const method = request.method.toUpperCase();
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  if (!bucket) throw new Error(`the rehearsal does not map the S3 request ${method} ${request.url}`);
  if (key === '') {
    if ((method === 'GET' || method === 'HEAD') && !query.has('versions') && !query.has('uploads')) {
      const prefix = query.get('prefix');
      return [
        {
          action: 's3:ListBucket',
          resource: bucketArn,
          context: prefix === null ? {} : { 's3:prefix': prefix },
        },
      ];
    }
    if (method === 'GET' && query.has('versions'))
      return [{ action: 's3:ListBucketVersions', resource: bucketArn }];
    throw new Error(`the rehearsal does not map the S3 bucket request ${method} ${request.url}`);
  }
  const conditional = header('if-none-match');
  const writeContext: Record<string, string> =
    conditional === undefined ? {} : { 's3:if-none-match': conditional };
  if (method === 'GET' || method === 'HEAD') {
    if (query.has('uploadId')) return [{ action: 's3:ListMultipartUploadParts', resource: objectArn }];
    return [{ action: query.has('versionId') ? 's3:GetObjectVersion' : 's3:GetObject', resource: objectArn }];
  }
  if (method === 'PUT') {
    const copySource = header('x-amz-copy-source');
    const copied = copySource
      ? [
          {
            action: 's3:GetObject',
            resource: `arn:aws:s3:::${decodeURIComponent(copySource.replace(/^\//, ''))}`,
          },
        ]
      : [];
    return [...copied, { action: 's3:PutObject', resource: objectArn, context: writeContext }];
  }
  if (method === 'POST' && (query.has('uploads') || query.has('uploadId')))
    return [{ action: 's3:PutObject', resource: objectArn, context: writeContext }];
  if (method === 'DELETE') {
    if (query.has('uploadId')) return [{ action: 's3:AbortMultipartUpload', resource: objectArn }];
    return [
      { action: query.has('versionId') ? 's3:DeleteObjectVersion' : 's3:DeleteObject', resource: objectArn },
    ];
  }
  throw new Error(`the rehearsal does not map the S3 object request ${method} ${request.url}`);
}

/** The ListBucket check S3 makes to choose 404 over 403 for a missing key (see docs/aws.md, the rehearsal). */
export function missingKeyListRequest(objectArn: string): IamRequest {
  const [bucketArn, ...key] = objectArn.split('/');
  return { action: 's3:ListBucket', resource: bucketArn!, context: { 's3:prefix': key.join('/') } };
}

/** A SageMaker JSON-protocol call (`X-Amz-Target: SageMaker.<Operation>`) as IAM requests. */
export function sageMakerRequests(
  target: string,
  body: Record<string, unknown>,
  where: { region: string; account: string },
): IamRequest[] {
  const operation = target.replace(/^SageMaker\./, '');
  const arn = (type: string, name: unknown) =>
    `arn:aws:sagemaker:${where.region}:${where.account}:${type}/${String(name).toLowerCase()}`;
  const passRole = (roleArn: unknown): IamRequest => ({
    action: 'iam:PassRole',
    resource: String(roleArn),
    context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' },
  });
  const tagged = (resource: string, tags: unknown): IamRequest[] =>
    Array.isArray(tags) && tags.length > 0 ? [{ action: 'sagemaker:AddTags', resource }] : [];
  switch (operation) {
    case 'ListTrainingJobs':
    case 'ListHyperParameterTuningJobs':
      return [{ action: `sagemaker:${operation}`, resource: '*' }];
    case 'DescribeTrainingJob':
      return [{ action: `sagemaker:${operation}`, resource: arn('training-job', body.TrainingJobName) }];
    case 'DescribeHyperParameterTuningJob':
      return [
        {
          action: `sagemaker:${operation}`,
          resource: arn('hyper-parameter-tuning-job', body.HyperParameterTuningJobName),
        },
      ];
    case 'CreateTrainingJob': {
      const job = arn('training-job', body.TrainingJobName);
      return [
        { action: 'sagemaker:CreateTrainingJob', resource: job },
        ...tagged(job, body.Tags),
        passRole(body.RoleArn),
      ];
    }
    case 'CreateHyperParameterTuningJob': {
      const job = arn('hyper-parameter-tuning-job', body.HyperParameterTuningJobName);
      const definition = body.TrainingJobDefinition as { RoleArn?: unknown } | undefined;
      return [
        { action: 'sagemaker:CreateHyperParameterTuningJob', resource: job },
        ...tagged(job, body.Tags),
        passRole(definition?.RoleArn),
      ];
    }
    default:
      throw new Error(`the rehearsal does not map SageMaker.${operation}: add it to sageMakerRequests`);
  }
}

/** A request to the OpenSearch domain (`METHOD /path`) as the es:ESHttp* request IAM checks. */
export function openSearchRequest(line: string, domainArn: string): IamRequest {
  const [method, path] = line.split(' ') as [string, string];
  const verb = method[0]!.toUpperCase() + method.slice(1).toLowerCase();
  return { action: `es:ESHttp${verb}`, resource: `${domainArn}${path.split('?')[0]}` };
}
