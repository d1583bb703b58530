/** The SageMaker entry point run on a local tree that lacks SageMaker's input names the file it needs. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runSageMakerTraining } from '../../src/app/training-job.js';
import { sagemakerPaths } from '../../src/contracts/sagemaker.js';

test('a root without input/config/hyperparameters.json fails naming that file, not with a raw ENOENT', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'alpha15-sagemaker-root-'));
  try {
    const lines: string[] = [];
    const result = await runSageMakerTraining(root, { writeLine: (line) => lines.push(line) });
    assert.equal(result.ok, false);
    const expected = `no hyperparameters at ${sagemakerPaths(root).hyperparameters}`;
    assert.match(result.failure ?? '', new RegExp(`^InvalidHyperparametersError: ${expected}`));
    assert.doesNotMatch(result.failure ?? '', /ENOENT/);
    assert.equal(
      await readFile(sagemakerPaths(root).failure, 'utf8'),
      result.failure,
      'SageMaker reads it there',
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
