import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Catalog } from '../../infra/catalog.js';
import { KLINES_TABLE } from '../../src/lake/catalog.js';
import { DECISIONS_TABLE, TRADES_TABLE } from '../../src/paper/catalog.js';
import { partitionKey } from '../../src/lake/layout.js';
import { compactedDayKey } from '../../src/paper/ledger.js';
import { constructStack } from './support.js';

function catalogTemplate(symbolProjection: 'enum' | 'injected') {
  const { stack, lake } = constructStack();
  new Catalog(stack, 'Catalog', {
    bucket: lake.bucket,
    symbols: ['BTCUSDT', 'ETHUSDT'],
    symbolProjection,
    scanLimitMb: 512,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return Template.fromStack(stack);
}
const template = catalogTemplate('enum');

type TableInput = {
  Name: string;
  PartitionKeys: { Name: string; Type: string }[];
  Parameters: Record<string, unknown>;
  StorageDescriptor: { Columns: { Name: string; Type: string }[]; Location: unknown };
};
function tableInput(name: string, from = template): TableInput {
  const tables = Object.values(from.findResources('AWS::Glue::Table')).map(
    (resource) => (resource as { Properties: { TableInput: TableInput } }).Properties.TableInput,
  );
  const found = tables.find((input) => input.Name === name);
  assert.ok(found, `table ${name}`);
  return found;
}

/** A CloudFormation `Fn::Join` of the bucket name and literal text, rendered with the bucket as <bucket>. */
function rendered(value: unknown): string {
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) return String(value);
  return join[1].map((part) => (typeof part === 'string' ? part : '<bucket>')).join(join[0]);
}

test('one Glue database holds the klines, trades and decisions tables', () => {
  template.resourceCountIs('AWS::Glue::Database', 1);
  template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'test' } });
  template.resourceCountIs('AWS::Glue::Table', 3);
  for (const name of ['klines', 'trades', 'decisions'])
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'test',
      TableInput: Match.objectLike({ Name: name }),
    });
});

test('klines is a Parquet table partitioned Hive-style by symbol and month, found by projection over the key layout the writer uses', () => {
  const klines = tableInput('klines');
  assert.deepEqual(klines.PartitionKeys, [
    { Name: 'symbol', Type: 'string' },
    { Name: 'month', Type: 'string' },
  ]);
  assert.deepEqual(
    klines.StorageDescriptor.Columns,
    KLINES_TABLE.columns.map((column) => ({ Name: column.name, Type: column.type })),
  );
  assert.equal(rendered(klines.StorageDescriptor.Location), 's3://<bucket>/curated/klines/');
  const parameters = klines.Parameters;
  assert.equal(parameters['projection.enabled'], 'true');
  assert.equal(parameters.classification, 'parquet');
  assert.equal(parameters['projection.symbol.type'], 'enum');
  assert.equal(parameters['projection.symbol.values'], 'BTCUSDT,ETHUSDT');
  assert.equal(parameters['projection.month.type'], 'date');
  assert.equal(parameters['projection.month.format'], 'yyyy-MM');
  assert.equal(parameters['projection.month.range'], '2017-08,NOW');
  assert.equal(parameters['projection.month.interval.unit'], 'MONTHS');
  // the template filled in is exactly the folder of the key ingest writes
  const template = rendered(parameters['storage.location.template']);
  const filled = template.replace('${symbol}', 'BTCUSDT').replace('${month}', '2026-02');
  assert.equal(
    filled,
    `s3://<bucket>/${partitionKey('BTCUSDT', Date.UTC(2026, 1, 1)).replace(/[^/]+$/, '')}`,
  );
});

test('an injected symbol projection lets Athena read any symbol the lake holds', () => {
  const parameters = tableInput('klines', catalogTemplate('injected')).Parameters;
  assert.equal(parameters['projection.symbol.type'], 'injected');
  assert.equal(parameters['projection.symbol.values'], undefined);
});

test('the trades and decisions tables are partitioned by UTC day over the compacted ledger files', () => {
  for (const table of [TRADES_TABLE, DECISIONS_TABLE]) {
    const input = tableInput(table.name);
    assert.deepEqual(input.PartitionKeys, [{ Name: 'day', Type: 'string' }]);
    assert.deepEqual(
      input.StorageDescriptor.Columns,
      table.columns.map((column) => ({ Name: column.name, Type: column.type })),
    );
    assert.equal(input.Parameters['projection.enabled'], 'true');
    assert.equal(input.Parameters['projection.day.format'], 'yyyy-MM-dd');
    const filled = rendered(input.Parameters['storage.location.template']).replace('${day}', '2026-02-03');
    const kind = table.name as 'trades' | 'decisions';
    assert.equal(
      filled,
      `s3://<bucket>/${compactedDayKey(kind, Date.UTC(2026, 1, 3)).replace(/[^/]+$/, '')}`,
    );
  }
});

test('the Athena workgroup enforces encrypted results in the bucket and the per-query scan limit', () => {
  template.hasResourceProperties('AWS::Athena::WorkGroup', {
    // the database name plus the stack id's first segment: a kept workgroup never blocks the next deploy
    Name: {
      'Fn::Join': [
        '-',
        [
          'test',
          {
            'Fn::Select': [
              0,
              { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] },
            ],
          },
        ],
      ],
    },
    WorkGroupConfiguration: {
      EnforceWorkGroupConfiguration: true,
      BytesScannedCutoffPerQuery: 512 * 1024 * 1024,
      ResultConfiguration: {
        EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        OutputLocation: Match.objectLike({
          'Fn::Join': Match.arrayWith([Match.arrayWith(['/athena-results/'])]),
        }),
      },
    },
  });
  template.hasResourceProperties('AWS::S3::Bucket', {
    LifecycleConfiguration: {
      Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-athena-results', Prefix: 'athena-results/' })]),
    },
  });
});
