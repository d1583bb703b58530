/**
 * Debian's chromium driven by playwright-core, for tests that check a page in a real browser. When
 * chromium is missing the test is skipped with a loud message, never silently passed.
 */
import { execFileSync } from 'node:child_process';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium as `which chromium` finds it, or undefined when it is not installed. */
function findChromium(): string | undefined {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A headless chromium, or undefined (and the test skipped) when it is not installed. */
export async function launchChromiumOrSkip(t: TestContext, what: string): Promise<Browser | undefined> {
  const executablePath = findChromium();
  if (executablePath === undefined) {
    console.error(
      `\n*** SKIPPING the browser check of ${what}: chromium is not on PATH (apt-get install chromium) ***\n`,
    );
    t.skip('chromium is not installed');
    return undefined;
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Collects console errors and warnings, page errors and requests that leave `allowedUrlPrefix`. */
export function watchPageProblems(page: Page, allowedUrlPrefix: string): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (!request.url().startsWith(allowedUrlPrefix))
      problems.push(`request outside ${allowedUrlPrefix}: ${request.url()}`);
  });
  return problems;
}
