/**
 * `alpha15 tune --sagemaker`, as README and docs/aws.md document it: the real CLI writes a tuning
 * request into an S3 bucket (s3rver on 127.0.0.1), and the tuning trigger's use case turns that very
 * object into the SageMaker request with the trials and parallelism asked for.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { CreateHyperParameterTuningJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { startTuning } from '../../src/app/start-tuning.js';
import { sageMakerTuningJobs } from '../../src/aws/sagemaker-tuning-jobs.js';
import { parseTuningRequest } from '../../src/tune/tuning-request.js';
import { TUNING_JOB_SETTINGS } from '../lambdas/support/sagemaker-job.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { startLocalS3, type LocalS3 } from '../support/s3rver.js';

let s3: LocalS3;
before(async () => {
  s3 = await startLocalS3();
});
after(() => s3.close());

function cli(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      {
        cwd: REPO_ROOT,
        timeout: 60_000,
        env: {
          ...process.env,
          AWS_ENDPOINT_URL_S3: s3.endpoint,
          AWS_S3_FORCE_PATH_STYLE: 'true',
          AWS_ACCESS_KEY_ID: 'S3RVER',
          AWS_SECRET_ACCESS_KEY: 'S3RVER',
          AWS_REGION: 'us-east-1',
        },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('tune --sagemaker', () => {
  it('writes a request that becomes a tuning job of --trials jobs, --max-parallel at once', async () => {
    const bucket = await s3.createBucket();
    const result = await cli([
      'tune',
      '--sagemaker',
      '--store',
      `s3://${bucket}`,
      '--trials',
      '6',
      '--max-parallel',
      '3',
      '--epochs',
      '2',
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const written = JSON.parse(result.stdout) as { key: string };
    const object = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: written.key }));
    const request = parseTuningRequest(written.key, await object.Body!.transformToByteArray());
    assert.deepEqual(request, { maxJobs: 6, maxParallelJobs: 3, epochs: 2 });

    const sagemaker = mockClient(SageMakerClient);
    sagemaker.on(CreateHyperParameterTuningJobCommand).resolves({ HyperParameterTuningJobArn: 'arn:tuning' });
    await startTuning(request, Date.parse('2026-12-04T12:00:00Z'), {
      jobs: sageMakerTuningJobs(new SageMakerClient({ region: 'eu-west-1' }), TUNING_JOB_SETTINGS),
      settings: TUNING_JOB_SETTINGS,
    });
    const sent = sagemaker.commandCalls(CreateHyperParameterTuningJobCommand)[0]!.args[0].input;
    assert.deepEqual(sent.HyperParameterTuningJobConfig!.ResourceLimits, {
      MaxNumberOfTrainingJobs: 6,
      MaxParallelTrainingJobs: 3,
    });
    sagemaker.restore();
  });

  it('--max-parallel without --sagemaker is a usage error, and nothing is tuned', async () => {
    const result = await cli([
      'tune',
      '--max-parallel',
      '2',
      '--store',
      'file:///nonexistent-alpha15',
      '--json',
    ]);
    assert.equal(result.code, 1, result.stderr);
    const error = (JSON.parse(result.stdout) as { error: { code: string; data: { reason: string } } }).error;
    assert.equal(error.code, 'USAGE');
    assert.equal(error.data.reason, 'max-parallel-without-sagemaker');
  });
});
