/** Metric names come only from src/contracts/metrics.ts: the handlers emit them, the stack charts and alarms on them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as metrics from '../../src/contracts/metrics.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { readRepositorySources } from './import-graph.js';
import { checkedSources, metricNameSpellings } from './spellings.js';

const NAMES: ReadonlySet<string> = new Set(
  Object.entries(metrics)
    .filter(([name, value]) => name.endsWith('_METRIC') && typeof value === 'string')
    .map(([, value]) => value as string),
);
const sources = checkedSources(readRepositorySources(REPO_ROOT));
const spellingsIn = (file: string, text: string) => metricNameSpellings({ file, text }, NAMES);

test('every metric a handler emits is a contracts constant, and no metric name is spelt elsewhere', () => {
  assert.ok(NAMES.has('TickCompleted') && NAMES.has('PositionsOpened') && NAMES.has('TicksWithoutChampion'));
  assert.deepEqual(
    sources.flatMap((source) => metricNameSpellings(source, NAMES)),
    [],
  );
});

test('a planted metric literal fails: in addMetric, in a conditional, as an alarm metricName, as a known name', () => {
  const planted: [string, string][] = [
    ['lambdas/x/handler.ts', "tools.metrics.addMetric('NewThing', 'Count', 1);"],
    ['lambdas/y/handler.ts', "tools.metrics.addMetric(ok ? A_METRIC : 'Other', 'Count', 1);"],
    ['infra/x.ts', "new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: 'TickCompleted' });"],
    ['infra/y.ts', "const name = 'PositionsClosed';"],
  ];
  for (const [file, text] of planted) assert.ok(spellingsIn(file, text).length >= 1, text);
});

test("AWS's own metrics keep their names", () => {
  assert.deepEqual(
    spellingsIn(
      'infra/x.ts',
      "new cloudwatch.Metric({ namespace: 'AWS/Events', metricName: 'TriggeredRules' });",
    ),
    [],
  );
});
