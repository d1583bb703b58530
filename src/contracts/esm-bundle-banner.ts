/**
 * The first line of every ES-module bundle alpha15 ships (the Lambda bundles built by infra and the GPU
 * carry built by bench/gpu): ES modules have no `require`, `__dirname` or `__filename`, and CommonJS
 * dependencies bundled into the ESM output (tfjs, the wasm loader) still reference them. It lives in
 * contracts because two build paths must produce bundles that start the same way.
 */
export const ESM_BANNER = [
  "import { createRequire as __alpha15CreateRequire } from 'node:module';",
  "import { fileURLToPath as __alpha15FileUrlToPath } from 'node:url';",
  "import { dirname as __alpha15Dirname } from 'node:path';",
  'const require = __alpha15CreateRequire(import.meta.url);',
  'const __filename = __alpha15FileUrlToPath(import.meta.url);',
  'const __dirname = __alpha15Dirname(__filename);',
].join(' ');
