/**
 * The one way an object written to the bucket reaches a Lambda: the bucket sends its events to
 * EventBridge (eventBridgeEnabled), and a rule matches "Object Created" under the given key prefixes
 * (from src/contracts/keys.ts). Events EventBridge cannot deliver land in the function's failure queue,
 * the same queue its failed asynchronous invocations go to.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { Alpha15Function } from './alpha15-function.js';

export interface ObjectCreatedRuleProps {
  bucket: s3.IBucket;
  /** Key prefixes whose new objects invoke the function. */
  prefixes: readonly string[];
  handler: Alpha15Function;
  description: string;
}

export function objectCreatedRule(scope: Construct, id: string, props: ObjectCreatedRuleProps): events.Rule {
  return new events.Rule(scope, id, {
    description: props.description,
    eventPattern: {
      source: ['aws.s3'],
      detailType: ['Object Created'],
      detail: {
        bucket: { name: [props.bucket.bucketName] },
        object: { key: props.prefixes.map((prefix) => ({ prefix })) },
      },
    },
    targets: [
      new targets.LambdaFunction(props.handler.function, {
        deadLetterQueue: props.handler.failureQueue,
        retryAttempts: 4,
        maxEventAge: Duration.hours(2),
      }),
    ],
  });
}
