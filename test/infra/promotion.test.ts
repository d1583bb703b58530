import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Promotion } from '../../infra/promotion.js';
import { constructStack, grantedObjectPrefixes, roleStatements, unscopedActions } from './support.js';

const { stack, lake } = constructStack();
new Promotion(stack, 'Promotion', { bucket: lake.bucket });
const template = Template.fromStack(stack);

test('a finished alpha15 training job (completed, failed or stopped) invokes promotion, with a dead-letter queue and an on-failure destination', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: {
      source: ['aws.sagemaker'],
      'detail-type': ['SageMaker Training Job State Change'],
      detail: {
        TrainingJobName: [{ prefix: 'alpha15-' }],
        TrainingJobStatus: ['Completed', 'Failed', 'Stopped'],
      },
    },
    Targets: [
      Match.objectLike({
        DeadLetterConfig: { Arn: Match.anyValue() },
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 4 }),
      }),
    ],
  });
  template.hasResourceProperties('AWS::Lambda::Function', {
    ReservedConcurrentExecutions: Match.absent(),
    Runtime: 'nodejs22.x',
  });
  template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
    DestinationConfig: {
      OnFailure: {
        Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PromotionPromoteFailures'), 'Arn'] },
      },
    },
  });
});

test('promotion reads the models prefix and writes only the pointer, its decisions and the champion history', () => {
  const statements = roleStatements(template, 'PromotionPromoteRole');
  assert.deepEqual(grantedObjectPrefixes(statements, 'DataLakeBucket'), [
    'models/*',
    'models/champion-history/*',
    'models/champion.json',
    'models/promotions/*',
  ]);
  assert.deepEqual(unscopedActions(statements), []);
});
