/**
 * One owner of environment variable names: src/contracts/environment.ts (and the SageMaker job's
 * schema beside it). Everywhere else a name comes from a contracts constant, or from a setting that
 * `functionEnvironment` / `functionEnvSchema` translate; a name spelt anywhere else fails here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as environment from '../../src/contracts/environment.js';
import { sageMakerJobEnvSchema } from '../../src/contracts/sagemaker-job-env.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { readRepositorySources } from './import-graph.js';
import { checkedSources, environmentNameSpellings } from './spellings.js';

const NAMES: ReadonlySet<string> = new Set([
  ...Object.entries(environment)
    .filter(([name, value]) => name.endsWith('_ENV_VARIABLE') && typeof value === 'string')
    .map(([, value]) => value as string),
  ...Object.values(environment.FUNCTION_ENV_VARIABLES),
  ...Object.keys(sageMakerJobEnvSchema.shape),
]);
const sources = checkedSources(readRepositorySources(REPO_ROOT));
const spellingsIn = (file: string, text: string) => environmentNameSpellings({ file, text }, NAMES);

test('the owned names include the store, the process settings and the platform variables alpha15 reads', () => {
  for (const name of [
    'STORE_URL',
    'SYMBOLS',
    'OPENSEARCH_URL',
    'ALPHA15_BACKEND',
    'ALPHA15_STORE',
    'AWS_REGION',
    'SM_ROOT',
  ])
    assert.ok(NAMES.has(name), name);
  assert.ok(sources.some((source) => source.file.startsWith('lambdas/')));
  assert.ok(sources.some((source) => source.file.startsWith('infra/')));
});

test('no environment variable name is spelt outside src/contracts, and nothing reads process.env.NAME', () => {
  assert.deepEqual(
    sources.flatMap((source) => environmentNameSpellings(source, NAMES)),
    [],
  );
});

test('a planted spelling fails: a string, an object key, a shorthand, an env field, any process.env.NAME', () => {
  const planted: [string, string][] = [
    ['lambdas/x/handler.ts', "const url = process.env['STORE_URL'];"],
    ['infra/x.ts', 'const environment = { STORE_URL: `s3://${bucket}` };'],
    ['infra/y.ts', 'const environment = { TRAINING_JOB_PREFIX };'],
    ['src/app/x.ts', 'const z = env.SYMBOLS;'],
    ['src/app/y.ts', 'const home = process.env.HOME;'],
    ['training-container/x.ts', 'const schema = z.object({ OPENSEARCH_URL: z.string() });'],
  ];
  for (const [file, text] of planted) assert.equal(spellingsIn(file, text).length, 1, text);
});

test('a constant, a setting name and a message that names a variable are not spellings', () => {
  const clean = [
    'const url = process.env[STORE_URL_ENV_VARIABLE];',
    'const environment = functionEnvironment({ storeUrl: `s3://${bucket}` });',
    "log('no universe set (--symbols, config file or ALPHA15_SYMBOLS)');",
    'const SYMBOLS = ["BTCUSDT"];',
  ];
  for (const text of clean) assert.deepEqual(spellingsIn('src/app/x.ts', text), [], text);
});
