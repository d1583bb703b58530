/**
 * No function in src/, infra/, lambdas/ or training-container/ is longer than 120 lines, so each reads as one job under a name that says it.
 * Read with the TypeScript compiler: every function declaration, method, constructor, accessor, function
 * expression and arrow function counts. A function's length is the number of source lines from the line
 * of its first token (its `async`, `function`, name or parameter list; the JSDoc above it is not counted)
 * to the line of its closing token, both included, so blank lines and comments inside the body count. A
 * nested function counts on its own and also inside the function that holds it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { REPO_ROOT } from '../support/shared-data.js';

const MAX_FUNCTION_LINES = 120;

/** Every folder of shipped code: the core, the stack, the Lambda shells and the container's entry point. */
const CHECKED_ROOTS = ['src', 'infra', 'lambdas', 'training-container'];

interface FunctionSpan {
  file: string;
  name: string;
  line: number;
  lines: number;
}

function walk(dir: string): string[] {
  return readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return walk(relative);
    return entry.name.endsWith('.ts') ? [relative] : [];
  });
}

/** A readable name: the declared one, else the variable, property or class member that holds it. */
function functionName(node: ts.FunctionLikeDeclaration): string {
  if (ts.isConstructorDeclaration(node)) {
    const owner = node.parent;
    return `${ts.isClassLike(owner) && owner.name ? owner.name.text : '(class)'}.constructor`;
  }
  if (node.name !== undefined) return node.name.getText();
  const holder = node.parent;
  if (
    (ts.isVariableDeclaration(holder) ||
      ts.isPropertyAssignment(holder) ||
      ts.isPropertyDeclaration(holder)) &&
    holder.name !== undefined
  )
    return holder.name.getText();
  return '(anonymous)';
}

/** Every function of one source text, with its length in lines as the header defines it. */
function functionSpans(file: string, text: string): FunctionSpan[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const spans: FunctionSpan[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const declaration = node as ts.FunctionLikeDeclaration;
      const first = source.getLineAndCharacterOfPosition(declaration.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(declaration.getEnd()).line;
      spans.push({ file, name: functionName(declaration), line: first + 1, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return spans;
}

function longFunctions(spans: FunctionSpan[]): FunctionSpan[] {
  return spans.filter((span) => span.lines > MAX_FUNCTION_LINES);
}

const spans = CHECKED_ROOTS.flatMap(walk).flatMap((file) =>
  functionSpans(file, readFileSync(path.join(REPO_ROOT, file), 'utf8')),
);

test('the check reads the source: hundreds of functions, the training use case and the stack among them', () => {
  assert.ok(spans.length > 500, `${spans.length} functions`);
  assert.ok(spans.some((span) => span.file === 'src/app/train.ts'));
  assert.ok(spans.some((span) => span.file === 'infra/alpha15-stack.ts'));
});

test(`no function in ${CHECKED_ROOTS.join(', ')} is longer than ${MAX_FUNCTION_LINES} lines`, () => {
  const found = longFunctions(spans).map(
    (span) => `${span.file}:${span.line} ${span.name} (${span.lines} lines)`,
  );
  assert.deepEqual(found, []);
});

test('a planted 121-line function fails the check and a 120-line one passes, comments and blanks counted', () => {
  const body = (lines: number) =>
    Array.from({ length: lines - 2 }, (_, at) =>
      at % 3 === 0 ? '  // why' : at % 3 === 1 ? '' : `  total += ${at};`,
    ).join('\n');
  const planted = [
    '/** jsdoc is not counted */',
    'export function tooLong(): number {',
    '  let total = 0;',
    body(120),
    '  return total;',
    '}',
    'const justRight = (): number => {',
    body(120),
    '};',
    'class Holder {',
    '  method(): void {',
    body(121),
    '  }',
    '}',
  ].join('\n');
  const found = functionSpans('planted.ts', planted);
  assert.deepEqual(
    longFunctions(found).map((span) => [span.name, span.lines]),
    [
      ['tooLong', 122],
      ['method', 121],
    ],
  );
  assert.deepEqual(
    found.filter((span) => span.name === 'justRight').map((span) => span.lines),
    [120],
  );
});
