/** A tuning request object (src/tune/tuning-request.ts) is validated where the trigger reads it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidTuningRequestError, parseTuningRequest } from '../../src/tune/tuning-request.js';

test('a bad request is refused by name; an empty object asks for the deployed defaults', () => {
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  assert.throws(() => parseTuningRequest('k', new TextEncoder().encode('{')), InvalidTuningRequestError);
  assert.throws(() => parseTuningRequest('k', encode({ maxJobs: 0 })), /maxJobs/);
  assert.throws(() => parseTuningRequest('k', encode({ trials: 3 })), /Unrecognized key/);
  assert.deepEqual(parseTuningRequest('k', new Uint8Array()), {});
});
