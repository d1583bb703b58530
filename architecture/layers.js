/**
 * The allowed-imports table of alpha15: which area of the repository may import which. One table,
 * read by eslint (eslint.config.js, the `alpha15/layers` rule, for editors) and by
 * test/architecture/layers.test.ts (every import of every file, type-only and dynamic ones included,
 * collected with the TypeScript compiler). docs/architecture.md explains it.
 *
 * It lives at the repository's root, beside eslint.config.js, because it governs every folder
 * (src, lambdas, infra, the container, bench, test) and belongs to none of them; it is plain
 * JavaScript so that eslint's config, which node loads without tsx, can import it
 * (layers.d.ts types it for the test).
 *
 * An area not listed in another's `mayImport` is forbidden to it. Imports inside one area are free
 * (cycles between files are checked separately). Packages are not areas: this table says nothing
 * about them.
 */

/** Areas, most specific first: a file belongs to the first area whose `paths` match it. */
export const AREAS = [
  {
    name: 'kernel',
    paths: [/^src\/[^/]+\.ts$/],
    why: 'src/*.ts: errors, time, json, statistics; imports nothing',
  },
  {
    name: 'contracts',
    paths: [/^src\/contracts\//],
    why: 'cross-process names and schemas, light (zod at most)',
  },
  { name: 'config', paths: [/^src\/config\//], why: 'the one typed config' },
  { name: 'store', paths: [/^src\/store\//], why: 'the ObjectStore port and its adapters' },
  { name: 'market', paths: [/^src\/market\//], why: 'Binance, archives, synthetic market, replay server' },
  { name: 'lake', paths: [/^src\/lake\//], why: 'the Parquet lake on the store' },
  { name: 'features', paths: [/^src\/features\//], why: 'features, targets, datasets' },
  { name: 'model', paths: [/^src\/model\//], why: 'ResNet1D, training loop, registry, predictor' },
  {
    name: 'strategy',
    paths: [/^src\/strategy\//],
    why: 'thresholds, decide(), PnL, backtest; never the model',
  },
  { name: 'telemetry', paths: [/^src\/telemetry\//], why: 'the telemetry sink and its adapters' },
  { name: 'runs', paths: [/^src\/runs\//], why: 'run records' },
  { name: 'tune', paths: [/^src\/tune\//], why: 'search spaces, samplers, studies' },
  { name: 'paper', paths: [/^src\/paper\//], why: 'the tick and its ledger' },
  { name: 'app', paths: [/^src\/app\//], why: 'the use cases' },
  {
    name: 'aws',
    paths: [/^src\/aws\//],
    why: "AWS adapters behind the use cases' ports (SageMaker jobs), for the Lambdas and the CLI",
  },
  { name: 'ui', paths: [/^src\/ui\//], why: 'HTML reports and the dashboard: presentation at the edge' },
  { name: 'cli', paths: [/^src\/cli\//], why: 'the alpha15 command: a shell over src/app' },
  { name: 'lambdas', paths: [/^lambdas\//], why: 'Lambda handlers: shells over src/app' },
  { name: 'infra', paths: [/^infra\//], why: 'the CDK stack: deploys code, runs none of it' },
  {
    name: 'container',
    paths: [/^training-container\//],
    why: 'the SageMaker entry point: a shell over src/app',
  },
  { name: 'bin', paths: [/^bin\//], why: 'the alpha15 executable' },
  {
    name: 'fixtures',
    paths: [/^fixtures\//],
    why: 'fixtures shared by tests and benchmarks (tiny models, tick outcomes)',
  },
  { name: 'bench', paths: [/^bench\//], why: 'benchmarks' },
  { name: 'test', paths: [/^test\//], why: 'tests and their support' },
];

const KERNEL = ['kernel'];
const BASE = [...KERNEL, 'contracts', 'config', 'store'];
/** The one-way core: market → lake → features → model → strategy → paper → telemetry. */
const CORE = ['market', 'lake', 'features', 'model', 'strategy', 'telemetry', 'runs', 'tune', 'paper'];

/** @type {Record<string, string[]>} area → the areas it may import (besides itself). */
export const MAY_IMPORT = {
  kernel: [],
  contracts: KERNEL,
  config: [...KERNEL, 'contracts'],
  store: [...KERNEL, 'contracts', 'config'],
  market: BASE,
  lake: [...BASE, 'market'],
  features: [...BASE, 'market', 'lake'],
  model: [...BASE, 'market', 'lake', 'features'],
  // the model feeds the strategy through predictions, never through an import
  strategy: [...BASE, 'market', 'lake', 'features'],
  telemetry: BASE,
  runs: [...BASE, 'telemetry'],
  tune: [...BASE, 'telemetry', 'runs'],
  paper: [...BASE, 'market', 'lake', 'features', 'model', 'strategy', 'telemetry'],
  // the use cases compose the core; presentation (ui) and shells (cli) sit above them
  app: [...BASE, ...CORE],
  ui: [...BASE, ...CORE, 'app'],
  cli: [...BASE, ...CORE, 'app', 'ui'],
  // adapters implement the use cases' ports, so they see app's types; the rules stay in app
  aws: [...BASE, 'tune', 'app'],
  // shells over src/app: parse the event, compose adapters, call one use case
  lambdas: [...BASE, ...CORE, 'app', 'aws'],
  // infra names what it deploys through contracts and builds catalogs and templates from the core's data
  infra: [...BASE, 'lake', 'paper', 'telemetry', 'runs'],
  container: [...BASE, 'model', 'app'],
  bin: ['cli'],
  fixtures: [...BASE, ...CORE],
  bench: [...BASE, ...CORE, 'app', 'ui', 'fixtures'],
  // tests reach every area they test, but never the benchmarks
  test: [...BASE, ...CORE, 'app', 'aws', 'ui', 'cli', 'lambdas', 'infra', 'container', 'bin', 'fixtures'],
};

/**
 * The area of a repository-relative path (forward slashes), or undefined for a file outside every
 * area (packages, eslint.config.js, this folder).
 * @param {string} file
 * @returns {string | undefined}
 */
export function areaOf(file) {
  return AREAS.find((area) => area.paths.some((pattern) => pattern.test(file)))?.name;
}

/**
 * Why an import breaks the table, or undefined when it is allowed (or leaves every area).
 * @param {string} fromFile repository-relative path of the importing file
 * @param {string} toFile repository-relative path the import resolves to
 * @returns {string | undefined}
 */
export function layerViolation(fromFile, toFile) {
  const from = areaOf(fromFile);
  const to = areaOf(toFile);
  if (from === undefined || to === undefined || from === to) return undefined;
  if (MAY_IMPORT[from]?.includes(to)) return undefined;
  return `${from} may not import ${to} (${fromFile} → ${toFile}); ${from} may import: ${MAY_IMPORT[from]?.join(', ') || 'nothing'}`;
}
