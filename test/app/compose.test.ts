/**
 * The one composition point (src/app/compose.ts): what it builds from a config and a function's
 * settings, and that the shells (the CLI, the Lambda handlers, the container) build no adapter of their
 * own: a store, a telemetry sink or a Binance client made anywhere else in them fails here.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { composeAdapters, composeFunction } from '../../src/app/compose.js';
import { composeSink } from '../../src/app/compose-telemetry.js';
import { loadConfig } from '../../src/config/load.js';
import { JsonlSink } from '../../src/telemetry/jsonl-sink.js';
import { OpenSearchSink } from '../../src/telemetry/opensearch-sink.js';
import { readRepositorySources, type SourceText } from '../architecture/import-graph.js';
import { REPO_ROOT } from '../support/shared-data.js';

test('a CLI config composes its store, a JSONL sink beside it and a Binance client at the configured URL', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-compose-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = loadConfig({
    env: {},
    flags: { store: `file://${dir}`, binanceBaseUrl: 'http://127.0.0.1:9' },
  });
  const adapters = composeAdapters(config, {});
  assert.equal(adapters.store.url, `file://${dir}`);
  assert.ok(composeSink(adapters) instanceof JsonlSink);
  assert.equal(adapters.binance, adapters.binance, 'one client per composition');
  assert.ok(Math.abs(adapters.clock() - Date.now()) < 60_000);
});

test("a function's settings compose its config: the store, the universe, OpenSearch when the stack has a domain, none otherwise", () => {
  const env = { ALPHA15_STRATEGY__FEE_RATE_PER_SIDE: '0.0004' };
  const withDomain = composeFunction(
    {
      storeUrl: 's3://alpha15-lake',
      symbols: ['BTCUSDT'],
      opensearchUrl: 'https://search-x.eu-west-1.es.amazonaws.com',
      indexPrefix: 'alpha15',
    },
    {},
    env,
  );
  assert.equal(withDomain.store.url, 's3://alpha15-lake');
  assert.deepEqual(withDomain.config.symbols, ['BTCUSDT']);
  // the ALPHA15_* variables the construct sets reach the config as they reach the CLI's
  assert.equal(withDomain.config.strategy.feeRatePerSide, 0.0004);
  assert.ok(composeSink(withDomain) instanceof OpenSearchSink);
  assert.equal(withDomain.signTelemetryIn, 'us-east-1', 'signed with the function role whatever the URL');

  const withoutDomain = composeFunction({ storeUrl: 's3://alpha15-lake' }, {}, {});
  assert.equal(withoutDomain.config.telemetry.sink, 'none');
  const none = composeSink(withoutDomain);
  assert.ok(!(none instanceof OpenSearchSink) && !(none instanceof JsonlSink));
});

/** The calls that build an adapter. */
const BUILDERS = ['openStore', 'openTelemetrySink', 'signedOpenSearchClient'];
const CLASSES = ['BinanceClient', 'S3Store', 'LocalStore', 'OpenSearchSink', 'JsonlSink'];
const SHELLS = /^(src\/cli|lambdas|training-container|bin)\//;
/** Adapters a shell builds from something other than the config, each with its reason. */
const ELSEWHERE: Record<string, string> = {
  'src/cli/commands/start.ts':
    'the whole local pipeline; the usecases branch of issue 24 moves it into src/app',
  'src/cli/commands/backfill.ts':
    "the result bucket a Step Functions execution names, not the config's store",
  'src/cli/commands/synthetic.ts': 'the folder synthetic archives are written to, not a store of the config',
  'lambdas/opensearch-setup/handler.ts':
    'the domain endpoint CloudFormation passes in the custom resource event',
};

function adaptersBuiltIn(source: SourceText): string[] {
  const sourceFile = ts.createSourceFile(source.file, source.text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      BUILDERS.includes(node.expression.text)
    )
      found.push(`${source.file}: ${node.expression.text}()`);
    if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(node.expression) &&
      CLASSES.includes(node.expression.text)
    )
      found.push(`${source.file}: new ${node.expression.text}()`);
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

test('the CLI, the Lambda handlers and the container take their adapters from the composition point', () => {
  const shells = readRepositorySources(REPO_ROOT).filter((source) => SHELLS.test(source.file));
  assert.ok(shells.length > 30, `${shells.length} files`);
  assert.deepEqual(shells.filter((source) => !(source.file in ELSEWHERE)).flatMap(adaptersBuiltIn), []);
});

test('a planted adapter in a shell fails the check', () => {
  const planted: SourceText[] = [
    { file: 'lambdas/x/handler.ts', text: 'const store = openStore(env.storeUrl);' },
    { file: 'src/cli/commands/x.ts', text: 'const binance = new BinanceClient({ baseUrl });' },
    { file: 'training-container/x.ts', text: 'const sink = openTelemetrySink(config.telemetry, store);' },
  ];
  for (const source of planted) assert.equal(adaptersBuiltIn(source).length, 1, source.text);
});
