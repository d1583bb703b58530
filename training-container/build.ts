/**
 * Builds what the training image runs: the entry point and our own modules bundled by esbuild into one
 * ES module, `<outdir>/train.mjs`, with every npm package left to node_modules (the image installs them
 * with `npm ci --omit=dev`, tfjs-node-gpu included). The Dockerfile and test/container run this same
 * build, so the tests exercise the JavaScript the image runs, not the TypeScript source through tsx.
 *
 *   node --import tsx training-container/build.ts <outdir>
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

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdir = process.argv[2];
  if (outdir === undefined) {
    process.stderr.write('usage: node --import tsx training-container/build.ts <outdir>\n');
    process.exit(2);
  }
  process.stdout.write(`${await buildTrainingEntrypoint(path.resolve(outdir))}\n`);
}
