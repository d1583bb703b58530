/**
 * What a user sees when the environment is wrong: a message and a hint, never a stack, and never a
 * password typed into a URL. Each case runs the real CLI in a child process.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closedPort } from '../support/ports.js';
import { runCli } from '../support/cli.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'alpha15-cli-errors-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** Runs `alpha15 <args>` and returns its exit code and output; the environment has no AWS credentials. */
function cli(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000) {
  return runCli(args, {
    inheritAlpha15Env: false,
    timeoutMs,
    env: {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: path.join(dir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-aws-credentials'),
      AWS_REGION: 'us-east-1',
      ...env,
    },
  });
}

function assertNoStack(stderr: string) {
  assert.doesNotMatch(stderr, /\n\s+at .*\(.*:\d+:\d+\)/, `a stack was printed:\n${stderr}`);
}

describe('clear messages instead of stacks', () => {
  it('an s3:// store without AWS credentials says so and how to provide them', async () => {
    const result = await cli(['data', 'summary', '--store', 's3://alpha15-no-credentials/lake']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /error: no AWS credentials for s3:\/\/alpha15-no-credentials\/lake/);
    assert.match(result.stderr, /hint: set AWS_PROFILE/);
    assertNoStack(result.stderr);
  });

  it('a file:// store that is a file is named as such', async () => {
    const file = path.join(dir, 'not-a-folder');
    await writeFile(file, 'x');
    const result = await cli(['data', 'summary', '--store', `file://${file}`]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /names a file, not a folder/);
    assertNoStack(result.stderr);
  });

  it('a dashboard on a store that does not exist refuses to start', async () => {
    const result = await cli(['dashboard', '--port', '0', '--store', `file://${path.join(dir, 'nowhere')}`]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /there is no store at file:\/\/.*nowhere/);
    assertNoStack(result.stderr);
  });

  it('a dashboard on a port in use names the port and how to pick another', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = busy.address() as { port: number };
      const result = await cli(['dashboard', '--port', String(port), '--store', `file://${dir}`]);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, new RegExp(`port ${port} on 127.0.0.1 is in use`));
      assert.match(result.stderr, /--port/);
      assertNoStack(result.stderr);
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
  });
});

describe('credentials in URLs are never printed', () => {
  it('paper --binance http://user:pass@... fails without showing the password', async () => {
    const port = await closedPort();
    const result = await cli([
      'paper',
      '--once',
      '--store',
      `file://${dir}`,
      '--binance',
      `http://trader:hunter2secret@127.0.0.1:${port}`,
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /could not reach http:\/\/127\.0\.0\.1/);
    assert.doesNotMatch(result.stderr + result.stdout, /hunter2secret/);
  });

  it('dashboards import --url http://user:pass@... fails without showing the password, in text and JSON', async () => {
    const port = await closedPort();
    for (const json of [[], ['--json']]) {
      const result = await cli([
        'dashboards',
        'import',
        '--url',
        `http://admin:hunter2secret@127.0.0.1:${port}/_dashboards`,
        ...json,
      ]);
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr + result.stdout,
        /cannot reach OpenSearch Dashboards at http:\/\/127\.0\.0\.1/,
      );
      assert.doesNotMatch(result.stderr + result.stdout, /hunter2secret/);
    }
  });
});
