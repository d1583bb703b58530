import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import {
  findImageBuilder,
  ImageBuilderMissingError,
  requireImageBuilder,
} from '../../infra/image-builder.js';
import { REPO_ROOT } from '../support/shared-data.js';

const run = promisify(execFile);
const scratch = mkdtempSync(path.join(tmpdir(), 'alpha15-image-builder-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A fresh directory under the scratch folder holding the named files, executable or not. */
function binDirectory(name: string, files: Record<string, boolean> = {}): string {
  const directory = path.join(scratch, name);
  mkdirSync(directory);
  for (const [file, executable] of Object.entries(files)) {
    writeFileSync(path.join(directory, file), '#!/bin/sh\n');
    chmodSync(path.join(directory, file), executable ? 0o755 : 0o644);
  }
  return directory;
}

const ECR_URI = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/alpha15-training:2026-12-04';

test('the image builder is found on PATH as docker, or as whatever CDK_DOCKER names', () => {
  const withDocker = binDirectory('with-docker', { docker: true, finch: true });
  const notExecutable = binDirectory('not-executable', { docker: false });
  const empty = binDirectory('empty');

  assert.equal(
    findImageBuilder({ PATH: [empty, withDocker].join(path.delimiter) }),
    path.join(withDocker, 'docker'),
  );
  assert.equal(findImageBuilder({ PATH: notExecutable }), undefined, 'a file that cannot run is no builder');
  assert.equal(findImageBuilder({ PATH: empty }), undefined);
  assert.equal(findImageBuilder({}), undefined);
  assert.equal(findImageBuilder({ PATH: withDocker, CDK_DOCKER: 'finch' }), path.join(withDocker, 'finch'));
  assert.equal(findImageBuilder({ PATH: empty, CDK_DOCKER: 'finch' }), undefined);
  // a path is taken as it is, PATH or not
  assert.equal(
    findImageBuilder({ PATH: empty, CDK_DOCKER: path.join(withDocker, 'docker') }),
    path.join(withDocker, 'docker'),
  );
  assert.equal(findImageBuilder({ PATH: withDocker, CDK_DOCKER: path.join(empty, 'docker') }), undefined);
});

test('a deploy that would build the image without a builder is refused, naming trainingImageUri; a prebuilt image needs none', () => {
  const empty = binDirectory('no-docker');
  assert.throws(
    () => requireImageBuilder('', { PATH: empty }),
    (error: unknown) => {
      assert.ok(error instanceof ImageBuilderMissingError);
      assert.equal(error.code, 'IMAGE_BUILDER_MISSING');
      assert.match(error.message, /no 'docker' executable is on this machine's PATH/);
      assert.match(error.message, /-c alpha15:trainingImageUri=/);
      assert.deepEqual(error.data, { command: 'docker' });
      return true;
    },
  );
  assert.throws(
    () => requireImageBuilder('', { PATH: empty, CDK_DOCKER: 'podman' }),
    /no 'podman' executable/,
  );
  assert.doesNotThrow(() => requireImageBuilder(ECR_URI, { PATH: empty }));
  const withDocker = binDirectory('docker-only', { docker: true });
  assert.doesNotThrow(() => requireImageBuilder('', { PATH: withDocker }));
});

test('the CDK app itself stops before synthesising anything when Docker is missing and no prebuilt image is set', async () => {
  const empty = binDirectory('app-path');
  const outdir = binDirectory('app-out');
  const failure = await run(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
    cwd: REPO_ROOT,
    // what `cdk deploy` gives the app, on a machine whose PATH has no docker
    env: {
      PATH: empty,
      HOME: process.env.HOME,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [] }),
    },
  }).then(
    () => undefined,
    (error: { code: number; stderr: string }) => error,
  );
  assert.ok(failure, 'the app must fail');
  assert.equal(failure.code, 1);
  assert.match(failure.stderr, /ImageBuilderMissingError/);
  assert.match(failure.stderr, /alpha15:trainingImageUri/);
  assert.equal(existsSync(path.join(outdir, 'manifest.json')), false, 'no cloud assembly was written');
});
