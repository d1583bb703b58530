/**
 * Every role's access to the one bucket, by verb and key pattern. aws-cdk-lib's `grantRead` and
 * `grantReadWrite` hand out action families (`s3:List*` on the whole bucket, `s3:DeleteObject*`, which
 * includes deleting old versions and so undoes what versioning protects); here each verb is one action
 * on the patterns a role's code touches, derived from src/contracts/keys.ts by the constructs:
 *
 * - read:   s3:GetObject on the patterns, and s3:ListBucket with `s3:prefix` limited to them (S3 answers a
 *           missing key with 404 only to a caller that may list it, 403 otherwise; the code reads a
 *           missing champion, watermark or ledger record as "none yet");
 * - list:   s3:ListBucket with `s3:prefix` limited to the patterns, where a role lists without reading;
 * - write:  s3:PutObject (create or replace);
 * - create: s3:PutObject only as a conditional write (`If-None-Match: *`): the object is created once and
 *           never replaced, which is how model directories stay write-once;
 * - delete: s3:DeleteObject (a delete marker on the current version; never s3:DeleteObjectVersion).
 *
 * No role may list the bucket without a prefix, and none gets a wildcard action.
 */
import type * as iam from 'aws-cdk-lib/aws-iam';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { acknowledgeFindings, arnFindingToken } from './nag.js';

/** Object-key patterns relative to the bucket root, IAM globs included: `curated/*`, `models/champion.json`. */
export interface BucketAccess {
  read?: readonly string[];
  list?: readonly string[];
  write?: readonly string[];
  create?: readonly string[];
  delete?: readonly string[];
}

/** The condition that makes a PutObject a create: S3 refuses it when the key exists (412). */
export const CREATE_ONLY_CONDITION = { Null: { 's3:if-none-match': 'false' } } as const;

export function grantBucketAccess(
  bucket: s3.IBucket,
  role: iam.IRole,
  access: BucketAccess,
  reason: string,
): void {
  const objects = (patterns: readonly string[]) => patterns.map((pattern) => bucket.arnForObjects(pattern));
  const statements: PolicyStatement[] = [];
  const listed = [...new Set([...(access.read ?? []), ...(access.list ?? [])])];
  if (listed.length > 0)
    statements.push(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': listed } },
      }),
    );
  if (access.read?.length)
    statements.push(new PolicyStatement({ actions: ['s3:GetObject'], resources: objects(access.read) }));
  if (access.write?.length)
    statements.push(new PolicyStatement({ actions: ['s3:PutObject'], resources: objects(access.write) }));
  if (access.create?.length)
    statements.push(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        resources: objects(access.create),
        conditions: CREATE_ONLY_CONDITION,
      }),
    );
  if (access.delete?.length)
    statements.push(new PolicyStatement({ actions: ['s3:DeleteObject'], resources: objects(access.delete) }));
  for (const statement of statements) role.addToPrincipalPolicy(statement);
  acknowledgeObjectPatterns(
    role,
    bucket,
    [...new Set([...listed, ...(access.write ?? []), ...(access.create ?? []), ...(access.delete ?? [])])],
    reason,
  );
}

/** cdk-nag's IAM5 finding for each object pattern that ends in a wildcard, acknowledged with the reason. */
export function acknowledgeObjectPatterns(
  scope: IConstruct,
  bucket: s3.IBucket,
  patterns: readonly string[],
  reason: string,
): void {
  const arnToken = arnFindingToken(bucket) ?? bucket.bucketArn;
  acknowledgeFindings(
    scope,
    patterns
      .filter((pattern) => /[*?]/.test(pattern))
      .map((pattern) => ({ id: `AwsSolutions-IAM5[Resource::${arnToken}/${pattern}]`, reason })),
  );
}
