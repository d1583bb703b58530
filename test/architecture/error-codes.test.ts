/**
 * Errors as a contract: every Alpha15Error names its situation with a code that is unique and stays
 * put, the CLI's hint table renders only codes that exist, and the core's words hold wherever an error
 * surfaces: no string in src/ (outside the CLI and UI), lambdas/ or the container names a CLI flag or
 * an `alpha15 <command>`, because a Lambda log or a SageMaker failure reason is not a terminal.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { CLI_HINTS } from '../../src/cli/error-hints.js';
import { REPO_ROOT } from '../support/shared-data.js';

function walk(dir: string, skip: readonly string[] = []): string[] {
  return readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (skip.includes(relative)) return [];
    if (entry.isDirectory()) return walk(relative, skip);
    return entry.name.endsWith('.ts') ? [relative] : [];
  });
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(
    file,
    readFileSync(path.join(REPO_ROOT, file), 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
}

function visit(node: ts.Node, each: (node: ts.Node) => void): void {
  each(node);
  ts.forEachChild(node, (child) => visit(child, each));
}

const CODE_SOURCES = [...walk('src'), ...walk('lambdas'), ...walk('infra'), ...walk('training-container')];

/** Each `readonly code = '...'` of a class, as [class, code, file]. */
function declaredCodes(): [string, string, string][] {
  return CODE_SOURCES.flatMap((file) => {
    const found: [string, string, string][] = [];
    visit(parse(file), (node) => {
      if (!ts.isClassDeclaration(node) || !node.name) return;
      for (const member of node.members) {
        if (
          ts.isPropertyDeclaration(member) &&
          member.name.getText() === 'code' &&
          member.initializer &&
          ts.isStringLiteral(member.initializer)
        )
          found.push([node.name.text, member.initializer.text, file]);
      }
    });
    return found;
  });
}

test('every error code is SCREAMING_SNAKE and names one class only', () => {
  const codes = declaredCodes();
  assert.ok(codes.length > 70, `expected the repository's error classes, found ${codes.length}`);
  for (const [name, code] of codes) assert.match(code, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/, name);
  const seen = new Map<string, string>();
  const shared = codes.flatMap(([name, code]) => {
    const first = seen.get(code);
    seen.set(code, name);
    return first === undefined ? [] : [`${code}: ${first} and ${name}`];
  });
  assert.deepEqual(shared, []);
});

test("the CLI's hint table renders only codes some error declares", () => {
  const codes = new Set(declaredCodes().map(([, code]) => code));
  assert.deepEqual(
    Object.keys(CLI_HINTS).filter((code) => !codes.has(code)),
    [],
  );
});

// `--from`, `--symbols`... and `alpha15 train`, `alpha15 data repair`...: words of the terminal only
const CLI_WORDS =
  /(^|[^\w-])--[a-z][a-z-]*|\balpha15 (ingest|train|backtest|paper|simulate|tune|runs|data|ledger|backfill|start|dashboard|dashboards|replay|reindex|report|promote)\b/;

test('no string outside the CLI and UI names a CLI flag or command', () => {
  const files = [
    ...walk('src', ['src/cli', 'src/ui']),
    ...walk('lambdas'),
    // the build script is a developer's command line with its own usage text, not part of the image
    ...walk('training-container', ['training-container/build.ts']),
  ];
  const offenders: string[] = [];
  for (const file of files) {
    const source = parse(file);
    visit(source, (node) => {
      if (
        (ts.isStringLiteral(node) ||
          ts.isNoSubstitutionTemplateLiteral(node) ||
          ts.isTemplateLiteralToken(node)) &&
        CLI_WORDS.test(node.text)
      )
        offenders.push(
          `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.text}`,
        );
    });
  }
  assert.deepEqual(offenders, []);
});
