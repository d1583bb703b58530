/**
 * The layer rules of docs/architecture.md, checked on the import graph of the repository's own
 * TypeScript (eslint's no-restricted-imports states the same rules for editors; this test is what CI
 * runs). Imports are read from the source text: static `import ... from`, `export ... from` and
 * dynamic `import('...')` with a literal specifier.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/shared-data.js';

interface SourceFile {
  /** Repository-relative, with forward slashes. */
  file: string;
  text: string;
  /** Relative imports resolved to repository paths; bare specifiers as written (packages). */
  imports: string[];
}

const ROOTS = ['src', 'lambdas', 'infra', 'training-container', 'bench', 'test', 'bin'];
const SPECIFIER =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function walk(dir: string): string[] {
  return readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(relative);
    return /\.(ts|js|mjs)$/.test(entry.name) ? [relative] : [];
  });
}

function readSources(): SourceFile[] {
  return ROOTS.flatMap((root) => walk(root)).map((file) => {
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    const imports = [...text.matchAll(SPECIFIER)].map((match) => {
      const specifier = (match[1] ?? match[2])!;
      return specifier.startsWith('.')
        ? path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier))
        : specifier;
    });
    return { file, text, imports };
  });
}

const sources = readSources();
const under = (prefix: string) => sources.filter((source) => source.file.startsWith(prefix));

/** Every import from a file under `from` of a path under one of `forbidden`, as "file → import". */
function violations(from: string[], forbidden: string[]): string[] {
  return from.flatMap((prefix) =>
    under(prefix).flatMap((source) =>
      source.imports
        .filter((target) => forbidden.some((banned) => target === banned || target.startsWith(banned)))
        .map((target) => `${source.file} → ${target}`),
    ),
  );
}

test('the import graph is read: the CLI reaches the application layer', () => {
  assert.ok(sources.length > 200, `${sources.length} files`);
  assert.ok(
    under('src/cli/').some((source) => source.imports.some((target) => target.startsWith('src/app/'))),
  );
});

test('src/strategy never imports src/model: the model feeds the strategy, not the other way', () => {
  assert.deepEqual(violations(['src/strategy/'], ['src/model/']), []);
});

test('the core never imports the application layer, the CLI or the UI above it', () => {
  const core = [
    'market',
    'lake',
    'features',
    'model',
    'strategy',
    'paper',
    'telemetry',
    'store',
    'config',
    'contracts',
    'runs',
    'tune',
  ];
  assert.deepEqual(
    violations(
      core.map((folder) => `src/${folder}/`),
      ['src/app/', 'src/cli/', 'src/ui/'],
    ),
    [],
  );
});

test('nothing in src/cli, lambdas/ or infra/ imports the training container: it is a shell over src/app', () => {
  assert.deepEqual(violations(['src/', 'lambdas/', 'infra/'], ['training-container/']), []);
});

test('the benchmarks import nothing from test/', () => {
  assert.deepEqual(violations(['bench/'], ['test/']), []);
});

test('src/contracts imports nothing heavy at run time: zod, node:path and itself at most', () => {
  // type-only imports are erased before a bundle is built
  const runtimeImports = (text: string) =>
    [...text.replace(/^import type [^;]+;$/gm, '').matchAll(SPECIFIER)].map(
      (match) => (match[1] ?? match[2])!,
    );
  const allowed = (target: string) =>
    target === 'zod' ||
    target === 'node:path' ||
    target.startsWith('src/contracts/') ||
    target === 'src/errors.js';
  const heavy = under('src/contracts/').flatMap((source) =>
    runtimeImports(source.text)
      .map((specifier) =>
        specifier.startsWith('.')
          ? path.posix.normalize(path.posix.join(path.posix.dirname(source.file), specifier))
          : specifier,
      )
      .filter((target) => !allowed(target))
      .map((target) => `${source.file} → ${target}`),
  );
  assert.deepEqual(heavy, []);
});

test('no progress bar and no stderr write under src/ outside the CLI and the UI: the core reports through callbacks', () => {
  const core = sources.filter(
    (source) => source.file.startsWith('src/') && !/^src\/(cli|ui)\//.test(source.file),
  );
  const offenders = core.flatMap((source) => [
    ...source.imports
      .filter((target) => target === 'cli-progress')
      .map(() => `${source.file} imports cli-progress`),
    ...(/process\.stderr/.test(source.text) ? [`${source.file} writes to process.stderr`] : []),
  ]);
  assert.deepEqual(offenders, []);
});
