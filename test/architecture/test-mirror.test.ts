/**
 * Tests mirror the code: a test in test/<area>/ exercises src/<area>/ (test/lambdas, test/infra and
 * test/container mirror lambdas/, infra/ and training-container/; a test directly in test/ mirrors a
 * module directly in src/). "Exercises" means it imports a module of that area, loads one by
 * `new URL('…', import.meta.url)`, or uses a shared support module that stands for one (below); what
 * the support files of its own folder (test/infra/support.ts, test/paper/support/…) reach counts too.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { CLI_ENTRY } from '../support/cli.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { importsOf, readRepositorySources, type SourceText } from './import-graph.js';

/** Test folders whose name is not the src area they mirror. */
const MIRRORED_ROOT: Record<string, string> = {
  lambdas: 'lambdas/',
  infra: 'infra/',
  container: 'training-container/',
};
/** Folders that hold no tests of one area: checks of the whole repository, and shared support. */
const NOT_MIRRORS = new Set(['architecture', 'docs', 'support', 'fixtures', 'localstack']);

/**
 * Shared support that stands for the module it drives: the CLI runner spawns the CLI's entry point,
 * and the WebGPU kernel tests call tfjs ops on the backend test/support/webgpu.ts registers our
 * kernels on. Kept short on purpose: every other test names its subject in an import.
 */
const STANDS_FOR: Record<string, string> = {
  'test/support/cli.ts': CLI_ENTRY,
  'test/support/webgpu.ts': 'src/model/kernels/webgpu/register.ts',
};

/** The prefix of the code a test file mirrors, undefined for a folder that mirrors none. */
export function mirroredPrefix(testFile: string): string | undefined {
  const parts = testFile.split('/');
  if (parts.length === 2) return 'src/';
  const folder = parts[1]!;
  if (NOT_MIRRORS.has(folder)) return undefined;
  return MIRRORED_ROOT[folder] ?? `src/${folder}/`;
}

/** The test folder a file sits in: test/<folder>/. */
const folderOf = (file: string) => file.split('/').slice(0, 2).join('/') + '/';

/**
 * Repository paths a test reaches: its imports, the files it loads by URL, the modules shared support
 * drives for it, and the same for the support files of its own folder that it imports.
 */
function reached(source: SourceText, byFile: Map<string, SourceText>, seen = new Set<string>()): string[] {
  seen.add(source.file);
  const imported = importsOf(source).map((edge) => edge.to);
  const byUrl = [...source.text.matchAll(/new URL\(\s*(['"])(\.\.?\/[^'"]+)\1\s*,\s*import\.meta\.url/g)].map(
    (match) => path.posix.normalize(path.posix.join(path.posix.dirname(source.file), match[2]!)),
  );
  const drivenBySupport = imported.flatMap((file) => STANDS_FOR[file] ?? []);
  const ownSupport = imported
    .filter((file) => file.startsWith(folderOf(source.file)) && !file.endsWith('.test.ts') && !seen.has(file))
    .flatMap((file) => (byFile.has(file) ? reached(byFile.get(file)!, byFile, seen) : []));
  return [...imported, ...byUrl, ...drivenBySupport, ...ownSupport];
}

/** Every test file that exercises nothing of the area its folder mirrors, as messages. */
export function misplacedTests(sources: SourceText[]): string[] {
  const byFile = new Map(sources.map((source) => [source.file, source]));
  return sources
    .filter((source) => /^test\/.*\.test\.ts$/.test(source.file))
    .flatMap((source) => {
      const prefix = mirroredPrefix(source.file);
      if (prefix === undefined) return [];
      const inArea = (file: string) =>
        prefix === 'src/' ? /^src\/[^/]+\.ts$/.test(file) : file.startsWith(prefix);
      return reached(source, byFile).some(inArea) ? [] : [`${source.file} exercises nothing under ${prefix}`];
    })
    .sort();
}

const sources = readRepositorySources(REPO_ROOT);

test('every test exercises the area its folder mirrors', () => {
  assert.ok(sources.filter((source) => source.file.endsWith('.test.ts')).length > 100);
  assert.deepEqual(misplacedTests(sources), []);
});

test('a test of src/ui planted under test/strategy is reported; in test/ui it passes', () => {
  const text = "import { renderReportHtml } from '../../src/ui/report/html.js';\n";
  assert.deepEqual(misplacedTests([{ file: 'test/strategy/report.test.ts', text }]), [
    'test/strategy/report.test.ts exercises nothing under src/strategy/',
  ]);
  assert.deepEqual(misplacedTests([{ file: 'test/ui/report.test.ts', text }]), []);
});

test('the shells mirror their own folders: a lambdas test that imports only src/ is reported', () => {
  const text = "import { ingest } from '../../src/app/ingest.js';\n";
  assert.deepEqual(misplacedTests([{ file: 'test/lambdas/ingest.test.ts', text }]), [
    'test/lambdas/ingest.test.ts exercises nothing under lambdas/',
  ]);
  const handler = "import { handler } from '../../training-container/entrypoint.js';\n";
  assert.deepEqual(misplacedTests([{ file: 'test/container/entry.test.ts', text: handler }]), []);
});

test("a test's own folder support counts, shared support does not", () => {
  const support = {
    file: 'test/strategy/scenario.ts',
    text: "import { x } from '../../src/strategy/pnl.js';\n",
  };
  const viaOwn = { file: 'test/strategy/scenario.test.ts', text: "import { x } from './scenario.js';\n" };
  assert.deepEqual(misplacedTests([support, viaOwn]), []);
  const shared = { file: 'test/support/scenario.ts', text: support.text };
  const viaShared = {
    file: 'test/strategy/shared.test.ts',
    text: "import { x } from '../support/scenario.js';\n",
  };
  assert.deepEqual(misplacedTests([shared, viaShared]), [
    'test/strategy/shared.test.ts exercises nothing under src/strategy/',
  ]);
});

test('a CLI test counts the CLI it runs through test/support/cli.ts; a support file or a docs check is no test', () => {
  const runner = "import { runCli } from '../support/cli.js';\n";
  assert.deepEqual(misplacedTests([{ file: 'test/cli/usage.test.ts', text: runner }]), []);
  assert.deepEqual(misplacedTests([{ file: 'test/app/usage.test.ts', text: runner }]), [
    'test/app/usage.test.ts exercises nothing under src/app/',
  ]);
  assert.deepEqual(misplacedTests([{ file: 'test/docs/cli-docs.test.ts', text: '' }]), []);
  assert.deepEqual(misplacedTests([{ file: 'test/paper/support/harness.ts', text: '' }]), []);
});
