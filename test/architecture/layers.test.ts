/**
 * The allowed-imports table (architecture/layers.js, also read by eslint's `alpha15/layers` rule)
 * checked on every import of the repository's own code, type-only and dynamic ones included, read
 * with the TypeScript compiler (import-graph.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { areaOf, MAY_IMPORT } from '../../architecture/layers.js';
import { REPO_ROOT } from '../support/shared-data.js';
import {
  importsOf,
  layerViolations,
  mutualImports,
  readRepositorySources,
  type SourceText,
} from './import-graph.js';

const sources = readRepositorySources(REPO_ROOT);

test('the import graph is read: the CLI reaches the application layer', () => {
  assert.ok(sources.length > 200, `${sources.length} files`);
  const edges = sources.flatMap(importsOf);
  assert.ok(edges.some((edge) => edge.from.startsWith('src/cli/') && edge.to.startsWith('src/app/')));
  assert.ok(edges.some((edge) => edge.typeOnly));
});

test('every file of the repository sits in an area of the table, and every area in the table is one', () => {
  assert.deepEqual(
    sources.filter((source) => areaOf(source.file) === undefined).map((source) => source.file),
    [],
  );
  const areas = new Set(Object.keys(MAY_IMPORT));
  for (const allowed of Object.values(MAY_IMPORT))
    for (const area of allowed) assert.ok(areas.has(area), area);
});

test('every import of the repository is allowed by the layer table', () => {
  assert.deepEqual(layerViolations(sources), []);
});

test('no two files import each other, not even through types', () => {
  assert.deepEqual(mutualImports(sources), []);
});

/** One file planted with one import, as the source text the check reads. */
const planted = (file: string, importLine: string): SourceText[] => [{ file, text: `${importLine}\n` }];

const upwardImports: [string, string][] = [
  ['infra/backfill.ts', "import { x } from '../src/app/backfill-execution.js';"],
  ['infra/observability.ts', "import { x } from '../lambdas/opensearch-setup/install.js';"],
  ['src/app/backtest.ts', "import { renderReportHtml } from '../ui/report/html.js';"],
  ['src/app/simulate.ts', "import type { X } from '../ui/report/simulation-html.js';"],
  ['src/lake/catalog.ts', "import { DECISION_COLUMNS } from '../paper/ledger-parquet.js';"],
  ['src/contracts/sagemaker.ts', "import type { TunableParameter } from '../tune/search-space.js';"],
  ['bench/train.ts', "import { emit } from '../src/cli/output.js';"],
  ['test/paper/tick.test.ts', "import { saveTinyChampion } from '../../bench/support/tiny-model.js';"],
  ['test/paper/tick.test.ts', "const bench = await import('../../bench/tick.js');"],
  ['src/strategy/fit.ts', "import type { Predictor } from '../model/predictor.js';"],
  ['src/market/probe.ts', "export { x } from '../cli/output.js';"],
  ['lambdas/tick/handler.ts', "type T = import('../../src/cli/output.js').OutputOptions;"],
  ['src/paper/tick.ts', "import x = require('../../training-container/main.js');"],
];

for (const [file, importLine] of upwardImports) {
  test(`the table rejects a planted upward import: ${file}: ${importLine}`, () => {
    const found = layerViolations(planted(file, importLine));
    assert.equal(found.length, 1, found.join('\n'));
  });
}

test('the table lets the shells reach the use cases, and tests and benchmarks the shared fixtures', () => {
  const allowed: [string, string][] = [
    ['src/cli/commands/train.ts', "import { trainModel } from '../../app/train.js';"],
    ['lambdas/tick/handler.ts', "import type { X } from '../../src/app/paper-tick.js';"],
    ['bench/tick.ts', "import { tinyStrategy } from '../fixtures/tiny-model.js';"],
    ['test/paper/tick.test.ts', "import { saveTinyChampion } from '../../fixtures/tiny-model.js';"],
    ['infra/backfill.ts', "import { x } from '../src/contracts/backfill.js';"],
  ];
  for (const [file, importLine] of allowed) assert.deepEqual(layerViolations(planted(file, importLine)), []);
});

test('a planted type-only cycle between two files is found', () => {
  const pair = [
    { file: 'src/strategy/a.ts', text: "import type { B } from './b.js';\nexport type A = 1;\n" },
    { file: 'src/strategy/b.ts', text: "import { a } from './a.js';\nexport type B = 2;\n" },
  ];
  assert.deepEqual(mutualImports(pair), ['src/strategy/a.ts ⇄ src/strategy/b.ts']);
});

test('src/contracts imports nothing heavy at run time: zod, node:path and itself at most', () => {
  // type-only imports are erased before a bundle is built
  const allowed = (target: string) =>
    target === 'zod' ||
    target === 'node:path' ||
    areaOf(target) === 'contracts' ||
    target === 'src/errors.ts';
  const heavy = sources
    .filter((source) => areaOf(source.file) === 'contracts')
    .flatMap(importsOf)
    .filter((edge) => !edge.typeOnly && !allowed(edge.to))
    .map((edge) => `${edge.from} → ${edge.to}`);
  assert.deepEqual(heavy, []);
});

test('no progress bar and no stderr write under src/ outside the CLI and the UI: the core reports through callbacks', () => {
  const core = sources.filter(
    (source) => source.file.startsWith('src/') && !/^src\/(cli|ui)\//.test(source.file),
  );
  const offenders = core.flatMap((source) => [
    ...importsOf(source)
      .filter((edge) => edge.to === 'cli-progress')
      .map(() => `${source.file} imports cli-progress`),
    ...(/process\.stderr/.test(source.text) ? [`${source.file} writes to process.stderr`] : []),
  ]);
  assert.deepEqual(offenders, []);
});
