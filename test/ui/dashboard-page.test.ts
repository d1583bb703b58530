/**
 * The dashboard page as served: one self-contained file whose script is the bundle of the TypeScript
 * modules under src/ui/dashboard/page/, which `npm run typecheck` checks against the server's view types.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { bundleDashboardScript } from '../../src/ui/dashboard/page.js';
import { startDashboardServer } from '../../src/ui/dashboard/server.js';
import { LocalStore } from '../../src/store/local-store.js';
import { REPO_ROOT } from '../support/shared-data.js';

const PAGE_DIR = 'src/ui/dashboard/page';
const pageModules = async () =>
  (await readdir(path.join(REPO_ROOT, PAGE_DIR))).filter((name) => name.endsWith('.ts')).sort();

async function servedPage(): Promise<{ html: string; csp: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-dashboard-page-'));
  const dashboard = await startDashboardServer({ store: new LocalStore(dir) });
  try {
    const answer = await fetch(dashboard.url);
    assert.equal(answer.status, 200);
    return { html: await answer.text(), csp: answer.headers.get('content-security-policy') ?? '' };
  } finally {
    await dashboard.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('the served page is one self-contained file: inline script and style, no URL outside it, every placeholder filled', async () => {
  const { html } = await servedPage();
  assert.deepEqual(
    [...html.matchAll(/<script[^>]*>/g)].map((match) => match[0]),
    ['<script>'],
  );
  assert.deepEqual(
    [...html.matchAll(/<style[^>]*>/g)].map((match) => match[0]),
    ['<style>'],
  );
  // the only link is the empty data: icon, which stops the browser asking for /favicon.ico
  assert.deepEqual(
    [...html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/g)].map((match) => match[1]),
    ['data:,'],
  );
  assert.doesNotMatch(html, /@import|url\(|\bimport\s*\(|\brequire\(/);
  // the SVG namespace is a name, never fetched
  assert.deepEqual(
    [...new Set([...html.matchAll(/https?:\/\/[^\s"'`)]+/g)].map((match) => match[0]))],
    ['http://www.w3.org/2000/svg'],
  );
  assert.doesNotMatch(html, /__[A-Z_]+__/);
  assert.match(html, /<body data-refresh-ms="5000" data-trades-page-size="50">/);
});

test("the page's script is the esbuild bundle of the page modules, and the CSP admits it by its hash", async () => {
  const { html, csp } = await servedPage();
  const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
  assert.equal(script, await bundleDashboardScript());
  const scriptSources = /script-src ([^;]*)/.exec(csp)![1]!;
  assert.equal(scriptSources, `'sha256-${createHash('sha256').update(script).digest('base64')}'`);
  // every page module with code is in the bundle and nothing else is: no server module reaches the browser
  const bundled = [...script.matchAll(/^ {2}\/\/ (\S+\.ts)$/gm)].map((match) => match[1]!);
  assert.ok(
    bundled.every((file) => file.startsWith(`${PAGE_DIR}/`)),
    bundled.join(', '),
  );
  const typesOnly = (await pageModules()).filter((name) => !bundled.includes(`${PAGE_DIR}/${name}`));
  assert.deepEqual(typesOnly, ['view.ts']);
});

test('npm run typecheck covers the page modules, and a row field the server does not send is a type error', async () => {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(REPO_ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => assert.fail(String(diagnostic.messageText)),
    },
  )!;
  const modules = (await pageModules()).map((name) => path.join(REPO_ROOT, PAGE_DIR, name));
  const covered = new Set(parsed.fileNames.map((file) => path.resolve(file)));
  assert.deepEqual(
    modules.filter((file) => !covered.has(file)),
    [],
  );

  const errorsOf = (program: ts.Program) =>
    ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const where = diagnostic.file ? path.relative(REPO_ROOT, diagnostic.file.fileName) : '';
      return `${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
    });
  const program = ts.createProgram({ rootNames: modules, options: parsed.options });
  assert.deepEqual(errorsOf(program), []);

  // one typo in a column of the trades table, as the page modules would hold it
  const columns = path.join(REPO_ROOT, PAGE_DIR, 'columns.ts');
  const host = ts.createCompilerHost(parsed.options);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => {
    const text = readFile(file);
    return path.resolve(file) === columns ? text?.replace('t.exitCandleMissing', 't.exitCandleMising') : text;
  };
  const planted = ts.createProgram({
    rootNames: modules,
    options: parsed.options,
    host,
    oldProgram: program,
  });
  const errors = errorsOf(planted);
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(
    errors[0]!,
    /^src\/ui\/dashboard\/page\/columns\.ts: Property 'exitCandleMising' does not exist/,
  );
});
