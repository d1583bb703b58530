/**
 * What happens to a stateful resource when its stack goes away. Under `retain`, a resource that holds
 * nothing yet when the first create fails (the OpenSearch domain, the user pool, the workgroup) is
 * still deleted by that rollback (CloudFormation's RetainExceptOnCreate), so a failed first deploy
 * leaves nothing billed behind and the retry starts clean; `cdk destroy` and replacements keep it.
 * The buckets stay plain Retain: scheduled functions may write into them while the rest is created,
 * and a rollback cannot delete a bucket that holds objects (their names are generated, so a leftover
 * bucket never blocks a retry).
 */
import { RemovalPolicy } from 'aws-cdk-lib';

export function retainUnlessFirstCreateFails(policy: RemovalPolicy): RemovalPolicy {
  return policy === RemovalPolicy.RETAIN ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : policy;
}
