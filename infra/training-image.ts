/**
 * The image every SageMaker job of the stack runs: a prebuilt image in ECR (the `trainingImageUri`
 * setting), or training-container/Dockerfile, which `cdk deploy` builds and pushes as a DockerImageAsset.
 *
 * The asset's build context is exactly what the image build reads: the npm manifest and lockfile,
 * tsconfig.json, the Dockerfile, the build script and the source files the training bundle is built
 * from (the build script lists them). Its hash is taken over that context, so a change anywhere else
 * (the CLI, a Lambda, infra, docs, tests) leaves the hash, and the 3 GB image, as they were.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { IgnoreMode, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { DockerImageAsset, Platform } from 'aws-cdk-lib/aws-ecr-assets';
import type { Construct } from 'constructs';
import { z } from 'zod';
import { REPO_ROOT } from './alpha15-function.js';
import type { TrainingImage } from './sagemaker-job-trigger.js';

export const TRAINING_DOCKERFILE = 'training-container/Dockerfile';
const TRAINING_BUILD_SCRIPT = 'training-container/build.ts';
/** What the Dockerfile copies besides the bundle's sources. */
const IMAGE_BUILD_FILES = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  TRAINING_DOCKERFILE,
  TRAINING_BUILD_SCRIPT,
];

/**
 * A private ECR image named by tag or digest. SageMaker pulls training images from ECR only (other
 * registries need a VPC and a registry of your own), and a URI without a tag would follow whatever
 * `latest` is at each job's start.
 */
const ECR_IMAGE_URI =
  /^(?<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?<region>[a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?\/(?<repository>[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@(?<digest>sha256:[a-f0-9]{64}))$/;

export interface EcrImageReference {
  account: string;
  region: string;
  repositoryName: string;
}

/** The `trainingImageUri` setting: empty (build the image) or an ECR image URI with a tag or digest. */
export const trainingImageUriSchema = z
  .string()
  .trim()
  .refine((uri) => uri === '' || ECR_IMAGE_URI.test(uri), {
    message:
      'not an ECR image URI with a tag or digest, like 123456789012.dkr.ecr.eu-west-1.amazonaws.com/alpha15-training:2026-01 ' +
      'or …/alpha15-training@sha256:<64 hex>; SageMaker pulls only from ECR, so push or mirror the image there first ' +
      '(docs/aws.md, "The training image")',
  });

/**
 * The `trainingBaseImage` setting: empty (the Dockerfile's pinned base) or a copy of it, typically a
 * mirror in this account's ECR, pinned by digest so the build is the one the digest names.
 */
export const trainingBaseImageSchema = z
  .string()
  .trim()
  .refine(
    (image) => image === '' || /^[a-z0-9][a-z0-9.-]*(?::\d+)?\/[^@\s]+@sha256:[a-f0-9]{64}$/.test(image),
    {
      message:
        'not an image pinned by digest, like 123456789012.dkr.ecr.eu-west-1.amazonaws.com/nvidia-cuda:11.8.0-cudnn8-runtime-ubuntu22.04@sha256:<64 hex>',
    },
  );

/** The account, region and repository of an ECR image URI the settings accepted. */
export function parseEcrImageUri(uri: string): EcrImageReference {
  const groups = ECR_IMAGE_URI.exec(uri)?.groups;
  if (groups === undefined) throw new Error(`not an ECR image URI: ${uri}`);
  return { account: groups.account!, region: groups.region!, repositoryName: groups.repository! };
}

export interface TrainingImageProps {
  /** The `trainingImageUri` setting; empty builds training-container/Dockerfile. */
  imageUri: string;
  /** The `trainingBaseImage` setting: the Dockerfile's BASE_IMAGE when not empty. */
  baseImage?: string;
  /** The repository the image is built from (tests build from a copy). */
  sourceDirectory?: string;
}

/** The image and the repository the job role pulls it from. */
export function trainingImage(scope: Construct, props: TrainingImageProps): TrainingImage {
  if (props.imageUri !== '') {
    const image = parseEcrImageUri(props.imageUri);
    const repositoryArn = Stack.of(scope).formatArn({
      service: 'ecr',
      account: image.account,
      region: image.region,
      resource: 'repository',
      resourceName: image.repositoryName,
    });
    return {
      imageUri: props.imageUri,
      repository: ecr.Repository.fromRepositoryAttributes(scope, 'TrainingRepository', {
        repositoryArn,
        repositoryName: image.repositoryName,
      }),
    };
  }
  const sourceDirectory = props.sourceDirectory ?? REPO_ROOT;
  const asset = new DockerImageAsset(scope, 'TrainingImage', {
    directory: sourceDirectory,
    file: TRAINING_DOCKERFILE,
    platform: Platform.LINUX_AMD64,
    // only when set: the default build's hash stays the Dockerfile's and its context's
    buildArgs: props.baseImage ? { BASE_IMAGE: props.baseImage } : undefined,
    ignoreMode: IgnoreMode.DOCKER,
    exclude: ['*', ...trainingImageContext(sourceDirectory).map((file) => `!${file}`)],
  });
  return { imageUri: asset.imageUri, repository: asset.repository };
}

/** Every file the image build reads, repository-relative: the build context and nothing else. */
export function trainingImageContext(sourceDirectory: string): string[] {
  // The build script names the bundle's sources itself (infra may not import the container's code).
  const listed = spawnSync(process.execPath, ['--import', 'tsx', TRAINING_BUILD_SCRIPT, '--inputs'], {
    cwd: sourceDirectory,
    encoding: 'utf8',
  });
  if (listed.status !== 0)
    throw new Error(
      `${path.join(sourceDirectory, TRAINING_BUILD_SCRIPT)} --inputs failed (exit ${listed.status}): ${listed.stderr}`,
    );
  const sources = listed.stdout.split('\n').filter((line) => line !== '');
  return [...new Set([...IMAGE_BUILD_FILES, ...sources])].sort();
}
