/**
 * Builds what the training image runs: the entry point and our own modules bundled by esbuild into one
 * ES module, `<outdir>/train.mjs`, with every npm package left to node_modules (the image installs them
 * with `npm ci --omit=dev`, tfjs-node-gpu included). The Dockerfile and test/container run this same
 * build, so the tests exercise the JavaScript the image runs, not the TypeScript source through tsx.
 *
 *   node --import tsx training-container/build.ts <outdir>
 *   node --import tsx training-container/build.ts --inputs
 *
 * `--inputs` lists the repository files the bundle is built from, one per line: the CDK asset's build
 * context holds exactly those (infra/training-image.ts), so a change to a file the image never reads
 * leaves the image's hash, and the image, as they were.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const CONTAINER_DIR = path.dirname(fileURLToPath(import.meta.url));
export const TRAINING_BUNDLE_FILE = 'train.mjs';
/** The Node.js version the image installs (Dockerfile ARG NODE_VERSION), as esbuild's target. */
export const TRAINING_NODE_TARGET = 'node22';

export function trainingBuildOptions(outdir: string): BuildOptions {
  return {
    entryPoints: [path.join(CONTAINER_DIR, 'entrypoint.ts')],
    outfile: path.join(outdir, TRAINING_BUNDLE_FILE),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: TRAINING_NODE_TARGET,
    // packages resolve from the node_modules beside the output, as in /opt/alpha15 of the image
    packages: 'external',
    sourcemap: true,
    // our typed errors take their names from their classes: the failure file shows them
    keepNames: true,
    logLevel: 'warning',
  };
}

export async function buildTrainingEntrypoint(outdir: string): Promise<string> {
  await build(trainingBuildOptions(outdir));
  return path.join(outdir, TRAINING_BUNDLE_FILE);
}

/** The repository files the bundle reads (esbuild's metafile), repository-relative with forward slashes, sorted. */
export async function trainingBundleInputs(): Promise<string[]> {
  const repoRoot = path.dirname(CONTAINER_DIR);
  const { metafile } = await build({
    ...trainingBuildOptions(path.join(repoRoot, 'unwritten')),
    write: false,
    metafile: true,
    absWorkingDir: repoRoot,
  });
  return Object.keys(metafile.inputs).sort();
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdir = process.argv[2];
  if (outdir === undefined) {
    process.stderr.write('usage: node --import tsx training-container/build.ts <outdir> | --inputs\n');
    process.exit(2);
  }
  const written =
    outdir === '--inputs'
      ? await trainingBundleInputs()
      : [await buildTrainingEntrypoint(path.resolve(outdir))];
  process.stdout.write(`${written.join('\n')}\n`);
}
