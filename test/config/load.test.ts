import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load.js';

async function withConfigFile(text: string, run: (file: string) => void): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-config-'));
  try {
    const file = path.join(dir, 'alpha15.config.json');
    await writeFile(file, text);
    run(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a misspelt config key is rejected naming the key and the nearest valid one', async () => {
  await withConfigFile('{"training": {"epochz": 5}}', (file) => {
    assert.throws(
      () => loadConfig({ file, env: {} }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /unknown config key "training\.epochz"/.test(error.message) &&
        /did you mean "training\.epochs"/.test(error.message) &&
        error.message.includes(file),
    );
  });
  await withConfigFile('{"windowMinute": 64}', (file) => {
    assert.throws(
      () => loadConfig({ file, env: {} }),
      /unknown config key "windowMinute".*did you mean "windowMinutes"/,
    );
  });
  await withConfigFile('{"flux": {"capacitor": 1}}', (file) => {
    assert.throws(() => loadConfig({ file, env: {} }), /unknown config key "flux"/);
  });
});

test('valid keys load as before, and ALPHA15_ variables that are not config (wasm threads) are not config errors', async () => {
  await withConfigFile('{"training": {"epochs": 5}, "windowMinutes": 64}', (file) => {
    const config = loadConfig({ file, env: { ALPHA15_WASM_THREADS: '1', ALPHA15_BACKEND: 'wasm' } });
    assert.equal(config.training.epochs, 5);
    assert.equal(config.windowMinutes, 64);
  });
});

test('a JSON syntax error in the config file names its line and column', async () => {
  await withConfigFile('{\n  "windowMinutes": 64,\n  "horizonMinutes" 15\n}\n', (file) => {
    assert.throws(
      () => loadConfig({ file, env: {} }),
      (error: unknown) =>
        error instanceof ConfigError && /is not valid JSON at line 3, column 20/.test(error.message),
    );
  });
});

test('config keys named like Object.prototype members (constructor, __proto__, toString) are unknown keys', async () => {
  for (const [text, key] of [
    ['{"constructor": {"name": "x"}}', 'constructor'],
    ['{"__proto__": {"windowMinutes": 8}}', '__proto__'],
    ['{"training": {"toString": 1}}', 'training.toString'],
    ['{"training": {"hasOwnProperty": 1}}', 'training.hasOwnProperty'],
  ] as const) {
    await withConfigFile(text, (file) => {
      assert.throws(
        () => loadConfig({ file, env: {} }),
        (error: unknown) =>
          error instanceof ConfigError && error.message.includes(`unknown config key "${key}"`),
        text,
      );
    });
  }
});

test('a misspelt ALPHA15_ variable is refused like the same typo in a file, naming the nearest variable', () => {
  assert.throws(
    () => loadConfig({ env: { ALPHA15_TRAINING__EPOCHZ: '3' } }),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.data.reason === 'unknown-variable' &&
      error.data.variable === 'ALPHA15_TRAINING__EPOCHZ' &&
      error.data.suggestion === 'ALPHA15_TRAINING__EPOCHS' &&
      /did you mean ALPHA15_TRAINING__EPOCHS\?/.test(error.message),
  );
  // a camel-case field and a nested one are both spelt back as the variable a user would type
  assert.equal(loadConfig({ env: { ALPHA15_TRAINING__EPOCHS: '3' } }).training.epochs, 3);
  assert.throws(
    () => loadConfig({ env: { ALPHA15_HORIZON_MINUTEZ: '30' } }),
    (error: unknown) => error instanceof ConfigError && error.data.suggestion === 'ALPHA15_HORIZON_MINUTES',
  );
});
