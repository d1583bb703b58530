/**
 * The container's entry point, as the image runs it: `node dist/train.mjs train` under tini (PID 1,
 * which reaps and forwards signals). SageMaker runs `<image> train`; the argument is accepted and
 * ignored. SM_ROOT (default /opt/ml) lets the same entry point run on a local directory tree.
 *
 * SageMaker sends SIGTERM on StopTrainingJob and on a spot reclaim, then SIGKILL after a grace period.
 * The signal aborts training at the next step boundary, which checkpoints that step into
 * /opt/ml/checkpoints (synced to S3); the process then exits, within STOP_DEADLINE_MS at the latest.
 */
import { SAGEMAKER_ROOT_ENV_VARIABLE } from '../src/contracts/environment.js';
import { SAGEMAKER_ROOT } from '../src/contracts/sagemaker.js';
import { runSageMakerTraining } from '../src/app/training-job.js';
import { formatBackend, onBackendActivated } from '../src/model/backend.js';

/** Well inside SageMaker's grace period; a step and a checkpoint write take seconds. */
const STOP_DEADLINE_MS = 25_000;
/** 128 + SIGTERM, the shell's convention for a process ended by that signal. */
const EXIT_STOPPED = 143;

const stop = new AbortController();
process.once('SIGTERM', () => {
  process.stdout.write('alpha15: SIGTERM: stopping at the next step boundary\n');
  stop.abort();
  // still reading data, or a step that hangs: leave with the last checkpoint rather than be killed mid-write
  setTimeout(() => process.exit(EXIT_STOPPED), STOP_DEADLINE_MS).unref();
});

onBackendActivated((info) => process.stdout.write(`alpha15: TensorFlow.js backend ${formatBackend(info)}\n`));
const result = await runSageMakerTraining(process.env[SAGEMAKER_ROOT_ENV_VARIABLE] ?? SAGEMAKER_ROOT, {
  signal: stop.signal,
});
// a non-zero exit marks the job Failed; SageMaker reads the reason from /opt/ml/output/failure
process.exitCode = result.ok ? 0 : result.stopped ? EXIT_STOPPED : 1;
