/**
 * The container's entry point. SageMaker runs `<image> train`; the argument is accepted and ignored.
 * SM_ROOT (default /opt/ml) lets the same entry point run on a local directory tree.
 */
import { SAGEMAKER_ROOT } from '../src/contracts/sagemaker.js';
import { runSageMakerTraining } from '../src/app/training-job.js';

const result = await runSageMakerTraining(process.env.SM_ROOT ?? SAGEMAKER_ROOT);
// a non-zero exit marks the job Failed; SageMaker reads the reason from /opt/ml/output/failure
process.exitCode = result.ok ? 0 : 1;
