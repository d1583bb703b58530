/**
 * The dashboard page: one self-contained HTML file. page.html holds the markup and style; the script is
 * page/main.ts and the modules it imports (type-checked with the rest of the repository), bundled into
 * the page by esbuild when the first dashboard server of a process starts, then kept for the process.
 * Bundled at run time rather than by a build step because the CLI runs from the TypeScript sources
 * (bin/alpha15.js registers tsx, itself built on esbuild): no step to forget, no generated file to go stale.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const DASHBOARD_SCRIPT_ENTRY = fileURLToPath(new URL('./page/main.ts', import.meta.url));
const TEMPLATE_URL = new URL('./page.html', import.meta.url);
/** The bundle names its modules relative to the repository, wherever the process runs. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT_SLOT = '<!-- the script: page/main.ts and its imports, bundled in by page.ts -->';

/** page/main.ts and its imports as one browser script (an IIFE, so nothing leaks into the page's globals). */
export async function bundleDashboardScript(): Promise<string> {
  const { outputFiles } = await build({
    entryPoints: [DASHBOARD_SCRIPT_ENTRY],
    absWorkingDir: REPO_ROOT,
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    charset: 'utf8',
    logLevel: 'silent',
  });
  return outputFiles[0]!.text;
}

let page: Promise<string> | undefined;

/**
 * The page with its script inline, built once per process. It still holds `__REFRESH_MS__` and
 * `__TRADES_PAGE_SIZE__` (attributes of <body>, outside the script, so the script's CSP hash does not
 * depend on them) for each server to fill in.
 */
export function dashboardPage(): Promise<string> {
  page ??= Promise.all([readFile(TEMPLATE_URL, 'utf8'), bundleDashboardScript()]).then(
    ([template, script]) => {
      if (!template.includes(SCRIPT_SLOT)) throw new Error(`page.html lacks ${SCRIPT_SLOT}`);
      // the script sits inside <script>: an end tag in it would end it early
      if (/<\/script/i.test(script)) throw new Error('the dashboard script holds "</script"');
      // a function, so `$&` and the like in the script are not read as replacement patterns
      return template.replace(SCRIPT_SLOT, () => `<script>${script}</script>`);
    },
  );
  page.catch(() => (page = undefined)); // a failed build is tried again by the next server
  return page;
}
