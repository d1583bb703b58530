/**
 * `cdk deploy` builds the training image with the Docker CLI (or the one CDK_DOCKER names: finch,
 * podman) before CloudFormation starts, and without one it stops with `spawn docker ENOENT`, after the
 * Lambdas were bundled. The app checks first and says what to do instead.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { Alpha15Error } from '../src/errors.js';

/** The variable aws-cdk reads for the container CLI it builds images with (default `docker`). */
export const CDK_DOCKER_VARIABLE = 'CDK_DOCKER';

export class ImageBuilderMissingError extends Alpha15Error {
  readonly code = 'IMAGE_BUILDER_MISSING';
}

/** The image builder's executable, by name on PATH or by path; undefined when there is none. */
export function findImageBuilder(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const command = env[CDK_DOCKER_VARIABLE] || 'docker';
  if (command.includes('/') || command.includes(path.sep)) return isExecutable(command) ? command : undefined;
  const extensions = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const directory of (env.PATH ?? '').split(path.delimiter).filter((entry) => entry !== ''))
    for (const extension of extensions) {
      const candidate = path.join(directory, command + extension);
      if (isExecutable(candidate)) return candidate;
    }
  return undefined;
}

/**
 * Throws ImageBuilderMissingError when the deploy would build the training image (no
 * `trainingImageUri`) and no image builder is on this machine.
 */
export function requireImageBuilder(trainingImageUri: string, env: NodeJS.ProcessEnv = process.env): void {
  if (trainingImageUri !== '' || findImageBuilder(env) !== undefined) return;
  const command = env[CDK_DOCKER_VARIABLE] || 'docker';
  throw new ImageBuilderMissingError(
    `cdk deploy builds the training image (training-container/Dockerfile) with '${command}', and no '${command}' ` +
      `executable is on this machine's PATH. Install Docker (or set ${CDK_DOCKER_VARIABLE} to another builder), or ` +
      'deploy an image built elsewhere: -c alpha15:trainingImageUri=<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> ' +
      '(docs/aws.md, "The training image").',
    undefined,
    { data: { command } },
  );
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
