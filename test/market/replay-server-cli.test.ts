import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { BinanceClient } from '../../src/market/binance-client.js';
import { REPO_ROOT, REST_SNAPSHOTS_DIR } from '../support/shared-data.js';

/** `alpha15 replay-server --json` on snapshot-c from `from`, up to its JSON summary. */
async function startReplayServerCli(from: string, extraArgs: string[] = []) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'replay-server',
      '--data',
      path.join(REST_SNAPSHOTS_DIR, 'snapshot-c'),
      '--from',
      from,
      ...extraArgs,
      '--json',
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // --json prints one JSON document; it is complete once a line closes the top-level object
  let text = '';
  for await (const line of createInterface({ input: child.stdout })) {
    text += `${line}\n`;
    if (line === '}') break;
  }
  return { child, exited, text };
}

describe('alpha15 replay-server', () => {
  it('prints its URL and speed as JSON, serves a running clock, and stops on Ctrl-C', async () => {
    const fromMs = Date.parse('2021-12-23T00:00:00Z');
    const { child, exited, text } = await startReplayServerCli('2021-12-23T00:00', ['--speed', '600']);
    try {
      const summary = JSON.parse(text) as { url: string; fromMs: number; speed: number; symbols: string[] };
      assert.equal(summary.fromMs, fromMs);
      assert.equal(summary.speed, 600);
      assert.equal(summary.symbols.length, 20);
      assert.match(summary.url, /^http:\/\/127\.0\.0\.1:\d+$/);

      const client = new BinanceClient({ baseUrl: summary.url });
      const firstMs = await client.serverTimeMs();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const secondMs = await client.serverTimeMs();
      assert.ok(firstMs >= fromMs, 'the clock starts at --from');
      // the clock runs; its rate (speed times real time) is held exactly, on an injected real clock, by
      // test/market/replay-clock.test.ts, so this test does not time a child process on a loaded machine
      assert.ok(secondMs > firstMs, `the clock stood still at ${firstMs}`);
      const klines = await client.latestClosedKlines('ETCETH', 5, secondMs);
      assert.equal(klines.openTimeMs.length, 5);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0);
  });

  it('a --from after the end of the data starts with a warning that no candle will close', async () => {
    const { child, exited, text } = await startReplayServerCli('2022-01-10T00:00');
    try {
      const summary = JSON.parse(text) as { fromMs: number; dataEndMs: number };
      // snapshot-c ends at 2021-12-23 11:18 UTC (its last candle opens at 11:18)
      assert.equal(summary.dataEndMs, Date.parse('2021-12-23T11:19:00Z'));
      let stderr = '';
      for await (const chunk of child.stderr) {
        stderr += String(chunk);
        if (stderr.includes('press Ctrl-C')) break;
      }
      assert.match(
        stderr,
        /warning: --from 2022-01-10T00:00Z is at or after the end of the data \(2021-12-23T11:19Z\)/,
      );
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0);
  });
});
