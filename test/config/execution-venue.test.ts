/**
 * Bad venue settings fail at the config, naming the setting, before anything runs: an unknown venue, a
 * negative fee or borrow rate, a funding interval of zero and a fee table without the chosen tier.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { runCli } from '../support/cli.js';

const BAD_SETTINGS: Array<[string, Record<string, unknown>]> = [
  ['execution.venue', { execution: { venue: 'perpetual' } }],
  ['strategy.feeRatePerSide', { strategy: { feeRatePerSide: -0.0001 } }],
  ['execution.spotMakerFeeRatePerSide', { execution: { spotMakerFeeRatePerSide: -0.0001 } }],
  [
    'execution.usdmFutures.feeTiers.VIP0.taker',
    { execution: { usdmFutures: { feeTiers: { VIP0: { maker: 0.0002, taker: -0.0005 } } } } },
  ],
  [
    'execution.spotMargin.borrowRatePerHour.default',
    { execution: { spotMargin: { borrowRatePerHour: { default: -0.00001 } } } },
  ],
  [
    'execution.spotMargin.borrowRatePerHour.byAsset.LINK',
    { execution: { spotMargin: { borrowRatePerHour: { byAsset: { LINK: -0.00001 } } } } },
  ],
  ['execution.usdmFutures.fundingIntervalHours', { execution: { usdmFutures: { fundingIntervalHours: 0 } } }],
  ['execution.usdmFutures.tier', { execution: { venue: 'usdm-futures', usdmFutures: { tier: 'VIP12' } } }],
  [
    'execution.usdmFutures.tier',
    {
      execution: {
        venue: 'usdm-futures',
        usdmFutures: { tier: 'VIP1', feeTiers: { VIP0: { maker: 0, taker: 0 } } },
      },
    },
  ],
];

test('each bad venue setting is a CONFIG error that names the setting', () => {
  for (const [field, input] of BAD_SETTINGS) {
    assert.throws(
      () => parseConfig(input),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.code === 'CONFIG' &&
        error.data.field === field &&
        error.message.includes(`"${field}"`),
      field,
    );
  }
  assert.match(
    (() => {
      try {
        parseConfig(BAD_SETTINGS.at(-2)![1]);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })(),
    /no tier "VIP12"/,
  );
});

test('the defaults: spot-margin, VIP0 futures fees from the table, funding every 8 hours', () => {
  const { execution } = configSchema.parse({});
  assert.equal(execution.venue, 'spot-margin');
  assert.deepEqual(execution.usdmFutures.feeTiers[execution.usdmFutures.tier], {
    maker: 0.0002,
    taker: 0.0005,
  });
  assert.equal(execution.usdmFutures.fundingIntervalHours, 8);
  assert.equal(execution.spotMargin.interestAccrual, 'hourly');
});

test('alpha15 backtest with a fee table missing the chosen tier fails naming it and writes nothing', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-venue-'));
  try {
    const configFile = path.join(dir, 'bad.json');
    await writeFile(
      configFile,
      JSON.stringify({ execution: { venue: 'usdm-futures', usdmFutures: { tier: 'VIP12' } } }),
    );
    const store = path.join(dir, 'store');
    const result = await runCli([
      'backtest',
      '--model',
      'champion',
      '--store',
      `file://${store}`,
      '--config',
      configFile,
      '--json',
    ]);
    assert.equal(result.code, 1);
    const printed = JSON.parse(result.stdout) as { error: { code: string; data: { field: string } } };
    assert.equal(printed.error.code, 'CONFIG');
    assert.equal(printed.error.data.field, 'execution.usdmFutures.tier');
    assert.equal(existsSync(store), false, 'nothing was run, so no store was created');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
