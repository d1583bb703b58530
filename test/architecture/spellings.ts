/**
 * Where a repository's code spells a name that one contracts module owns: environment variable names
 * (src/contracts/environment.ts) and metric names (src/contracts/metrics.ts). Read with the TypeScript
 * compiler, so comments and longer strings (a message naming a variable) do not count; the code that
 * owns the names (src/contracts) and the tests, which state the contract from outside, are not read.
 */
import ts from 'typescript';
import type { SourceText } from './import-graph.js';

export interface Spelling {
  file: string;
  line: number;
  text: string;
}

const OWNERS = /^(src\/contracts|test|architecture)\//;

export const checkedSources = (sources: SourceText[]): SourceText[] =>
  sources.filter((source) => !OWNERS.test(source.file));

function visitAll(
  source: SourceText,
  visit: (node: ts.Node, sourceFile: ts.SourceFile) => string | undefined,
) {
  const sourceFile = ts.createSourceFile(source.file, source.text, ts.ScriptTarget.Latest, true);
  const found: Spelling[] = [];
  const walk = (node: ts.Node): void => {
    const text = visit(node, sourceFile);
    if (text !== undefined)
      found.push({
        file: source.file,
        line: sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1,
        text,
      });
    ts.forEachChild(node, walk);
  };
  walk(sourceFile);
  return found;
}

const isProcessEnv = (node: ts.Expression): boolean =>
  ts.isPropertyAccessExpression(node) &&
  node.name.text === 'env' &&
  ts.isIdentifier(node.expression) &&
  node.expression.text === 'process';

/** An environment object: `process.env`, or a variable or field named `env`. */
const isEnvObject = (node: ts.Expression): boolean =>
  isProcessEnv(node) ||
  (ts.isIdentifier(node) && node.text === 'env') ||
  (ts.isPropertyAccessExpression(node) && node.name.text === 'env');

/**
 * Variable names spelt outside their owner: as a string (`'STORE_URL'`), an object key (`STORE_URL:`,
 * a shorthand `{ TRAINING_JOB_PREFIX }`), a field of an environment object (`env.STORE_URL`); and any
 * `process.env.NAME`, whoever owns NAME.
 */
export function environmentNameSpellings(source: SourceText, names: ReadonlySet<string>): Spelling[] {
  return visitAll(source, (node) => {
    // an error's code may read like a variable (StoreUrlError's STORE_URL) and is none
    const isErrorCode =
      node.parent !== undefined &&
      ts.isPropertyDeclaration(node.parent) &&
      ts.isIdentifier(node.parent.name) &&
      node.parent.name.text === 'code';
    if (ts.isStringLiteralLike(node) && names.has(node.text) && !isErrorCode) return `'${node.text}'`;
    if (
      (ts.isPropertyAssignment(node) ||
        ts.isShorthandPropertyAssignment(node) ||
        ts.isPropertySignature(node)) &&
      ts.isIdentifier(node.name) &&
      names.has(node.name.text)
    )
      return `${node.name.text}:`;
    if (ts.isPropertyAccessExpression(node) && isEnvObject(node.expression)) {
      if (isProcessEnv(node.expression) || names.has(node.name.text)) return node.getText();
    }
    return undefined;
  });
}

/**
 * Metric names spelt outside their owner: as a string equal to one, and any string given to Powertools'
 * `addMetric` or as the `metricName` of an alpha15 namespace (AWS's own metrics, `AWS/...`, are AWS's names).
 */
export function metricNameSpellings(source: SourceText, names: ReadonlySet<string>): Spelling[] {
  const literalsIn = (node: ts.Node): string[] => {
    if (ts.isStringLiteralLike(node)) return [node.text];
    const inner: string[] = [];
    ts.forEachChild(node, (child) => void inner.push(...literalsIn(child)));
    return inner;
  };
  return visitAll(source, (node) => {
    if (ts.isStringLiteralLike(node) && names.has(node.text)) return `'${node.text}'`;
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'addMetric' &&
      node.arguments[0] !== undefined &&
      literalsIn(node.arguments[0]).length > 0
    )
      return `addMetric(${node.arguments[0].getText()})`;
    if (ts.isObjectLiteralExpression(node)) {
      const valueOf = (key: string) =>
        node.properties.find(
          (property): property is ts.PropertyAssignment =>
            ts.isPropertyAssignment(property) && ts.isIdentifier(property.name) && property.name.text === key,
        )?.initializer;
      const metricName = valueOf('metricName');
      const namespace = valueOf('namespace');
      const awsOwn =
        namespace !== undefined && ts.isStringLiteralLike(namespace) && namespace.text.startsWith('AWS/');
      if (metricName !== undefined && ts.isStringLiteralLike(metricName) && !awsOwn)
        return `metricName: ${metricName.getText()}`;
    }
    return undefined;
  });
}
