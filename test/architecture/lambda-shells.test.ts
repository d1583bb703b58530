/**
 * lambdas/ holds shells only (issue 24): one `handler.ts` per function that parses its event, composes
 * adapters and calls one use case of src/app, plus the parsing and Powertools plumbing they share.
 * Every rule lives in src/app, every adapter that is not Lambda-specific in src/ (src/aws, src/telemetry).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/shared-data.js';
import { importsOf, readRepositorySources, type SourceText } from './import-graph.js';

const COMPOSITION = /^src\/app\/compose(-telemetry)?\.ts$/;

/** What the handlers share: settings and event parsing, the middy composition, the telemetry sink. */
const SHARED = new Set([
  'lambdas/shared/env.ts',
  'lambdas/shared/events.ts',
  'lambdas/shared/powertools.ts',
  'lambdas/shared/telemetry-sink.ts',
]);
const HANDLER = /^lambdas\/[a-z0-9-]+\/handler\.ts$/;

/** Names a module exports by declaration or by list. */
function exportedNames(text: string): string[] {
  const declared = [
    ...text.matchAll(
      /^export\s+(?:declare\s+)?(?:async\s+)?(?:const|let|function\*?|class|interface|type|enum)\s+(\w+)/gm,
    ),
  ].map((match) => match[1]!);
  const listed = [...text.matchAll(/^export\s*(?:type\s*)?\{([^}]*)\}/gm)].flatMap((match) =>
    match[1]!
      .split(',')
      .map((name) =>
        name
          .trim()
          .split(/\s+as\s+/)
          .at(-1)!,
      )
      .filter(Boolean),
  );
  const star = /^export\s*\*/m.test(text) ? ['*'] : [];
  return [...declared, ...listed, ...star];
}

/** Why a lambdas/ file is more than a shell; empty when every file is one. Types may come from anywhere. */
function shellViolations(sources: SourceText[]): string[] {
  const violations: string[] = [];
  for (const source of sources.filter((candidate) => candidate.file.startsWith('lambdas/'))) {
    if (SHARED.has(source.file)) continue;
    if (!HANDLER.test(source.file)) {
      violations.push(`${source.file}: lambdas/ holds handler.ts files and lambdas/shared's parsing only`);
      continue;
    }
    const extra = exportedNames(source.text).filter((name) => name !== 'handler');
    if (extra.length > 0) violations.push(`${source.file} exports ${extra.join(', ')} beside handler`);
    const useCases = new Set(
      importsOf(source)
        // the composition point (src/app/compose*.ts) builds the adapters; it is no use case
        .filter((edge) => edge.to.startsWith('src/app/') && !edge.typeOnly && !COMPOSITION.test(edge.to))
        .map((edge) => edge.to),
    );
    if (useCases.size > 1)
      violations.push(
        `${source.file} composes ${useCases.size} use-case modules: ${[...useCases].join(', ')}`,
      );
  }
  return violations;
}

test('every file in lambdas/ is a handler exporting only `handler` over one use-case module, or shared parsing', () => {
  const lambdas = readRepositorySources(REPO_ROOT).filter((source) => source.file.startsWith('lambdas/'));
  assert.ok(lambdas.filter((source) => HANDLER.test(source.file)).length >= 9, 'the handlers are read');
  assert.deepEqual(shellViolations(lambdas), []);
});

test('the check fails on a rule left beside a handler, an exported helper, and a handler over two use cases', () => {
  const planted: SourceText[] = [
    { file: 'lambdas/promotion/best-trial.ts', text: 'export async function bestTrial() {}' },
    {
      file: 'lambdas/ingest/handler.ts',
      text: 'export const handler = 1;\nexport function lookback() {}\nexport { other as renamed };',
    },
    {
      file: 'lambdas/tick/handler.ts',
      text:
        "import { a } from '../../src/app/paper-tick.js';\nimport { b } from '../../src/app/train.js';\n" +
        "import type { C } from '../../src/app/retrain-policy.js';\n" +
        'export const handler = a(b);',
    },
  ];
  assert.deepEqual(shellViolations(planted), [
    "lambdas/promotion/best-trial.ts: lambdas/ holds handler.ts files and lambdas/shared's parsing only",
    'lambdas/ingest/handler.ts exports lookback, renamed beside handler',
    'lambdas/tick/handler.ts composes 2 use-case modules: src/app/paper-tick.ts, src/app/train.ts',
  ]);
});
