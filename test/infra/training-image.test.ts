import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { App, CfnOutput, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AssetManifestArtifact } from 'aws-cdk-lib/cx-api';
import { buildApp, cliEnvironment } from '../../infra/build-app.js';
import { CONTEXT_PREFIX, deploySettingsSchema, InvalidDeploySettingError } from '../../infra/settings.js';
import {
  parseEcrImageUri,
  trainingImage,
  trainingImageContext,
  TRAINING_DOCKERFILE,
} from '../../infra/training-image.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { roleStatements } from './support.js';

const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};
const scratch = mkdtempSync(path.join(tmpdir(), 'alpha15-training-image-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The deploy app with cdk.json's context plus `overrides`, bundling skipped (this file tests the image). */
function deployApp(overrides: Record<string, string>): App {
  return new App({
    outdir: mkdtempSync(path.join(scratch, 'cdk.out-')),
    context: {
      ...cdkJson.context,
      'aws:cdk:bundling-stacks': [],
      ...Object.fromEntries(
        Object.entries(overrides).map(([name, value]) => [`${CONTEXT_PREFIX}${name}`, value]),
      ),
    },
  });
}

const ENV = cliEnvironment({ CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' });
/** An image pushed from a tools account: the grant must name that account's repository. */
const PREBUILT = '210987654321.dkr.ecr.eu-west-1.amazonaws.com/alpha15/training:2026-12-04';

test('a prebuilt trainingImageUri: no image asset in the assembly, both triggers start jobs on it, the job role may pull it', () => {
  const app = deployApp({ trainingImageUri: PREBUILT });
  const template = Template.fromStack(buildApp(app, ENV));
  const assembly = app.synth();
  const dockerImages = assembly.artifacts
    .filter((artifact): artifact is AssetManifestArtifact => artifact instanceof AssetManifestArtifact)
    .flatMap((manifest) => Object.keys(manifest.contents.dockerImages ?? {}));
  assert.deepEqual(dockerImages, [], 'nothing for cdk deploy to build');

  const imageUris = Object.values(template.findResources('AWS::Lambda::Function'))
    .map((fn) => (fn as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties)
    .map((properties) => properties.Environment?.Variables?.IMAGE_URI)
    .filter((uri) => uri !== undefined);
  assert.deepEqual(imageUris, [PREBUILT, PREBUILT], 'the training and the tuning trigger');

  const pull = roleStatements(template, 'TrainingJobRole').find((statement) =>
    [statement.Action].flat().includes('ecr:BatchGetImage'),
  );
  assert.ok(pull, 'the job role pulls the image');
  assert.match(JSON.stringify(pull.Resource), /:ecr:eu-west-1:210987654321:repository\/alpha15\/training"/);
});

test('a trainingImageUri SageMaker cannot pull is refused at synth, naming the setting and the form it takes', () => {
  const refused = [
    'alpha15-training:latest', // no registry
    'nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04', // Docker Hub: SageMaker pulls from ECR only
    'public.ecr.aws/alpha15/training:1',
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com/alpha15-training', // no tag: whatever `latest` becomes
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com/Alpha15:1', // ECR names are lower case
    '12345.dkr.ecr.eu-west-1.amazonaws.com/alpha15:1',
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com/alpha15@sha256:abc',
  ];
  for (const uri of refused)
    assert.throws(
      () => buildApp(deployApp({ trainingImageUri: uri }), ENV),
      (error: unknown) =>
        error instanceof InvalidDeploySettingError &&
        /alpha15:trainingImageUri: not an ECR image URI with a tag or digest/.test(error.message),
      uri,
    );
  // the forms ECR has: any partition, nested repository names, tags or digests
  assert.deepEqual(parseEcrImageUri('123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/alpha15:v1.2_3'), {
    account: '123456789012',
    region: 'us-gov-west-1',
    repositoryName: 'alpha15',
  });
  const digestUri = `123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/team/alpha15@sha256:${'a'.repeat(64)}`;
  assert.equal(deploySettingsSchema.shape.trainingImageUri.parse(digestUri), digestUri);
  assert.equal(parseEcrImageUri(digestUri).repositoryName, 'team/alpha15');
  assert.throws(
    () => buildApp(deployApp({ trainingBaseImage: 'nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04' }), ENV),
    /alpha15:trainingBaseImage: not an image pinned by digest/,
  );
});

test("the image's build context is the files its build reads: the bundle's sources, not the CLI, the Lambdas or infra", () => {
  const context = trainingImageContext(REPO_ROOT);
  for (const file of [
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    TRAINING_DOCKERFILE,
    'training-container/build.ts',
    'training-container/entrypoint.ts',
    'src/app/training-job.ts',
    'src/model/accelerator-check.ts',
  ])
    assert.ok(context.includes(file), file);
  const outside = context.filter((file) => !/^(src|training-container)\//.test(file));
  assert.deepEqual(outside, ['package-lock.json', 'package.json', 'tsconfig.json']);
  assert.deepEqual(
    context.filter((file) => file.startsWith('src/cli/') || file.startsWith('src/ui/')),
    [],
  );
});

// --- the asset hash, on a copy of the repository this test may edit

const copy = path.join(scratch, 'repo');
for (const entry of [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  '.dockerignore',
  'README.md',
  'src',
  'training-container',
  'infra',
])
  cpSync(path.join(REPO_ROOT, entry), path.join(copy, entry), { recursive: true });
// the build script runs from the copy with the repository's packages (tsx, esbuild)
symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(copy, 'node_modules'));

/** The image asset built from the copy: its hash, its build arguments as cdk deploy gets them, its staged context. */
function buildImageAsset(baseImage?: string): {
  hash: string;
  buildArgs: Record<string, string> | undefined;
  staged: string[];
} {
  const app = new App({ outdir: mkdtempSync(path.join(scratch, 'cdk.out-')) });
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const image = trainingImage(stack, { imageUri: '', baseImage, sourceDirectory: copy });
  new CfnOutput(stack, 'ImageUri', { value: image.imageUri });
  // a template needs one resource
  new CfnResource(stack, 'Placeholder', { type: 'AWS::CloudFormation::WaitConditionHandle' });
  const assembly = app.synth();
  const images = assembly.artifacts
    .filter((artifact): artifact is AssetManifestArtifact => artifact instanceof AssetManifestArtifact)
    .flatMap((manifest) => Object.entries(manifest.contents.dockerImages ?? {}));
  assert.equal(images.length, 1, 'one image for cdk deploy to build');
  const [hash, entry] = images[0]!;
  const stagedDirectory = path.join(assembly.directory, entry.source.directory!);
  const staged = readdirSync(stagedDirectory, { recursive: true, withFileTypes: true })
    .filter((file) => file.isFile())
    .map((file) =>
      path.relative(stagedDirectory, path.join(file.parentPath, file.name)).split(path.sep).join('/'),
    )
    .sort();
  return { hash, buildArgs: entry.source.dockerBuildArgs, staged };
}

test('the image asset changes with what reaches the image and only with it, so other changes never rebuild it', () => {
  const first = buildImageAsset();
  assert.deepEqual(
    first.staged,
    [...trainingImageContext(copy), '.dockerignore'].sort(),
    'the staged context',
  );
  assert.equal(first.buildArgs, undefined, 'the default build passes no arguments');
  const hashAfter = (edit: string) => {
    appendFileSync(path.join(copy, edit), '\n// edited by training-image.test.ts\n');
    return buildImageAsset().hash;
  };
  const unchanged = first.hash;
  for (const edit of ['src/cli/main.ts', 'README.md', 'infra/training-image.ts'])
    assert.equal(hashAfter(edit), unchanged, `${edit} does not reach the image`);

  const afterModelEdit = hashAfter('src/model/backend.ts');
  assert.notEqual(afterModelEdit, unchanged, 'src/model reaches the image through the bundle');
  const afterDockerfileEdit = hashAfter(TRAINING_DOCKERFILE);
  assert.notEqual(afterDockerfileEdit, afterModelEdit);

  // the mirror-to-ECR path: the base comes in as the Dockerfile's BASE_IMAGE build argument
  const mirror = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/nvidia-cuda:11.8.0-cudnn8-runtime-ubuntu22.04@sha256:${'b'.repeat(64)}`;
  const mirrored = buildImageAsset(mirror);
  assert.deepEqual(mirrored.buildArgs, { BASE_IMAGE: mirror });
  assert.notEqual(mirrored.hash, afterDockerfileEdit);
});
