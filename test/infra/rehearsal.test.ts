/**
 * The offline deploy rehearsal, template side: what CloudFormation and Step Functions would refuse at
 * deploy time fails here. Every resource's properties against the CloudFormation resource specification
 * (types, required and unknown properties), and the backfill state machine's definition against
 * asl-validator and the States Language's retrier and catcher rules. Each check also catches a fault
 * planted into a copy of the template. The IAM side runs with the shipped bundles
 * (test/infra/bundles.test.ts) and over the roles (test/infra/iam.test.ts).
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { aslProblems, type StatesDefinition } from './rehearsal/asl.js';
import { specViolations } from './rehearsal/cfn-spec.js';
import { logicalId, REHEARSAL_ACCOUNT, REHEARSAL_REGION, synthesizeApp } from './rehearsal/synth.js';
import { TemplateResolver, type CfnTemplate } from './rehearsal/template.js';

let template: CfnTemplate;
let definition: StatesDefinition;

before(() => {
  template = synthesizeApp();
  const machine = logicalId(template, 'BackfillStateMachine', 'AWS::StepFunctions::StateMachine');
  const resolver = new TemplateResolver(template, { region: REHEARSAL_REGION, account: REHEARSAL_ACCOUNT });
  definition = JSON.parse(resolver.string(template.Resources[machine]!.Properties!.DefinitionString));
});

const planted = (change: (copy: CfnTemplate) => void): CfnTemplate => {
  const copy = structuredClone(template);
  change(copy);
  return copy;
};

test('every resource of the template matches the CloudFormation resource specification', () => {
  assert.ok(Object.keys(template.Resources).length > 100);
  assert.deepEqual(specViolations(template), []);
});

test('the specification check catches a planted wrong property type, a missing required property and a misspelt one', () => {
  const tick = logicalId(template, 'PaperTradingTickFunction', 'AWS::Lambda::Function');
  const queue = Object.keys(template.Resources).find(
    (id) => template.Resources[id]!.Type === 'AWS::SQS::Queue',
  )!;
  const violations = specViolations(
    planted((copy) => {
      const properties = copy.Resources[tick]!.Properties!;
      properties.Timeout = 'fifty seconds';
      properties.MemorySize = { megabytes: 2048 };
      delete properties.Role;
      properties.Environment = { Variables: ['NOT', 'A', 'MAP'] };
      copy.Resources[queue]!.Properties!.MessageRetentionPeriod = true;
      copy.Resources[queue]!.Properties!.VisibilityTimout = 30;
    }),
  );
  assert.deepEqual(
    violations.map((violation) => violation.path).sort(),
    [
      `${queue}.MessageRetentionPeriod`,
      `${queue}.VisibilityTimout`,
      `${tick}.Environment.Variables`,
      `${tick}.MemorySize`,
      `${tick}.Role`,
      `${tick}.Timeout`,
    ].sort(),
  );
  assert.match(
    violations.find((violation) => violation.path === `${tick}.Timeout`)!.problem,
    /expected an Integer/,
  );
  assert.match(violations.find((violation) => violation.path === `${tick}.Role`)!.problem, /required/);
});

test('the backfill state machine passes asl-validator and the States Language rules for its retriers', () => {
  assert.deepEqual(aslProblems(definition), []);
  const item = definition.States.Months!.ItemProcessor!.States.IngestMonth!;
  assert.deepEqual(
    item.Retry!.map((retrier) => retrier.ErrorEquals[0]),
    ['Lambda.TooManyRequestsException', 'ArchiveDownloadError'],
  );
});

test('the definition check catches planted bad retry fields, including those asl-validator lets through', () => {
  const withRetry = (retrier: Record<string, unknown>) => {
    const copy = structuredClone(definition);
    copy.States.Months!.ItemProcessor!.States.IngestMonth!.Retry = [
      { ErrorEquals: ['ArchiveDownloadError'], ...retrier },
    ];
    return aslProblems(copy);
  };
  assert.match(withRetry({ MaxAttempts: -1 }).join('\n'), /MaxAttempts/);
  assert.match(
    withRetry({ BackoffRate: 0.5 }).join('\n'),
    /Months\.ItemProcessor\.IngestMonth\.Retry\[0\]\.BackoffRate must be at least 1\.0/,
  );
  assert.match(withRetry({ IntervalSecond: 30 }).join('\n'), /unknown field IntervalSecond/);
  assert.match(withRetry({ JitterStrategy: 'HALF' }).join('\n'), /JitterStrategy must be FULL or NONE/);
  assert.match(withRetry({ IntervalSeconds: 2.5 }).join('\n'), /IntervalSeconds must be a positive integer/);
});
