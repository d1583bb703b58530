/**
 * docs/architecture.md names files; each must exist, so the document cannot drift from the tree
 * unnoticed. A path with a known root (src/, test/, lambdas/, ...) is checked as written; a bare
 * `name.ts` (or `folder/name.ts`) inside a `### src/<area>` section is looked up in that section's
 * folders or under src/. Store keys (`raw/klines/<SYM>/...`) and placeholders are not repository paths.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/shared-data.js';

const ROOTS = [
  'src',
  'test',
  'lambdas',
  'infra',
  'bench',
  'training-container',
  'fixtures',
  'architecture',
  'docs',
];
const ROOTED = new RegExp(`(?<![\\w/.-])((?:${ROOTS.join('|')})/[\\w./-]*[\\w/])`, 'g');
const FILE_NAME = /^[\w/.-]+\.(ts|html|ndjson)$/;

/** The paths the markdown names that `exists` does not find, as "line N: path". */
function stalePaths(markdown: string, exists: (repoPath: string) => boolean): string[] {
  const stale: string[] = [];
  let folders: string[] = [];
  markdown.split('\n').forEach((line, index) => {
    if (/^#{1,3} /.test(line)) folders = [...line.matchAll(/\bsrc\/\w+/g)].map((match) => match[0]);
    const named = new Set<string>();
    for (const match of line.matchAll(ROOTED)) if (!/[<*…]/.test(match[1]!)) named.add(match[1]!);
    const missing = [...named].filter((repoPath) => !exists(repoPath));
    const bare = [...line.matchAll(/`([^`\s]+)`/g)]
      .map((match) => match[1]!)
      .filter((name) => FILE_NAME.test(name) && !ROOTS.some((root) => name.startsWith(`${root}/`)));
    for (const name of folders.length === 0 ? [] : bare) {
      const candidates = [...folders.map((folder) => `${folder}/${name}`), `src/${name}`];
      if (!candidates.some(exists)) missing.push(`${name} (in ${folders.join(', ')})`);
    }
    stale.push(...missing.map((entry) => `line ${index + 1}: ${entry}`));
  });
  return stale;
}

const existsInRepo = (repoPath: string) => existsSync(path.join(REPO_ROOT, repoPath));

test('every path docs/architecture.md names exists', () => {
  const markdown = readFileSync(path.join(REPO_ROOT, 'docs/architecture.md'), 'utf8');
  assert.deepEqual(stalePaths(markdown, existsInRepo), []);
});

test('a moved file named in the document is found stale, rooted or bare in its section', () => {
  const markdown = [
    '`src/model/metrics.ts`: IC',
    '### src/paper',
    '- `replay.ts`: `runPaperReplay`; `tick.ts`: the tick; `raw/klines/<SYM>/x.zip` is a key',
    '### src/app (use cases), src/contracts',
    '- `app/simulate.ts`, `lake/catalog.ts`, `contracts/keys.ts`',
  ].join('\n');
  assert.deepEqual(stalePaths(markdown, existsInRepo), [
    'line 1: src/model/metrics.ts',
    'line 3: replay.ts (in src/paper)',
  ]);
});
