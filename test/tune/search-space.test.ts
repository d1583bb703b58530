import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configSchema } from '../../src/config/schema.js';
import {
  applyParams,
  baseParams,
  defaultSearchSpace,
  InvalidSearchSpaceError,
  maxWindowMinutes,
  validateSearchSpace,
} from '../../src/tune/search-space.js';

const base = configSchema.parse({ windowMinutes: 64, model: { filters: 16, blocks: 2 } });

test('a space file with typed ranges is accepted and int steps default to 1', () => {
  const space = validateSearchSpace(
    {
      windowMinutes: { type: 'choice', values: [32, 128] },
      'model.filters': { type: 'int', low: 8, high: 32 },
      'training.learningRate': { type: 'log-float', low: 1e-4, high: 1e-2 },
      'model.timeChannels': { type: 'choice', values: [false, true] },
    },
    base,
    'space.json',
  );
  assert.deepEqual(space['model.filters'], { type: 'int', low: 8, high: 32, step: 1 });
  assert.equal(maxWindowMinutes(space, base), 128);
  const config = applyParams(base, { 'model.filters': 24, 'training.learningRate': 0.003 });
  assert.equal(config.model.filters, 24);
  assert.equal(config.training.learningRate, 0.003);
  assert.equal(base.model.filters, 16, 'the base config is left as it was');
});

test('bad spaces are refused with the parameter named', () => {
  const refused = (raw: unknown, pattern: RegExp) =>
    assert.throws(
      () => validateSearchSpace(raw, base, 'space.json'),
      (error: Error) => {
        assert.ok(error instanceof InvalidSearchSpaceError);
        assert.match(error.message, pattern);
        return true;
      },
    );
  refused({ 'model.dropout': { type: 'float', low: 0, high: 0.5 } }, /model\.dropout/);
  refused({ 'model.filters': { type: 'int', low: 64, high: 8 } }, /low 64 is above high 8/);
  refused({ 'model.blocks': { type: 'float', low: 1, high: 4 } }, /whole numbers/);
  refused({ 'model.timeChannels': { type: 'int', low: 0, high: 1 } }, /choice/);
  refused(
    { windowMinutes: { type: 'int', low: 8, high: 64 } },
    /windowMinutes = 8 is not a valid config value/,
  );
  refused({ 'training.learningRate': { type: 'log-float', low: 0, high: 1 } }, /learningRate/);
  refused({}, /at least one parameter/);
});

test('the default space surrounds the base config and its every extreme is a valid config', () => {
  const space = defaultSearchSpace(base);
  assert.deepEqual(validateSearchSpace(space, base, 'default'), space);
  assert.deepEqual(space.windowMinutes, { type: 'int', low: 32, high: 128, step: 1 });
  const params = baseParams(space, base);
  assert.equal(params['model.filters'], 16);
  assert.equal(params['training.learningRate'], base.training.learningRate);
  assert.deepEqual(
    configSchema.parse(applyParams(base, params)),
    base,
    'the baseline params reproduce the base config',
  );
});
