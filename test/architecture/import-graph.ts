/**
 * The repository's import graph, read with the TypeScript compiler: static imports and re-exports,
 * type-only ones, dynamic `import('...')`, `import x = require('...')` and `import('...').T` types.
 * Relative specifiers resolve to repository paths (`.js` written for a `.ts` file maps back to it);
 * bare specifiers (packages, `node:`) stay as written.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { layerViolation } from '../../architecture/layers.js';

export interface SourceText {
  /** Repository-relative, with forward slashes. */
  file: string;
  text: string;
}

export interface ImportEdge {
  from: string;
  /** A repository path for a relative import, the specifier for a package. */
  to: string;
  typeOnly: boolean;
}

export const SOURCE_ROOTS = [
  'src',
  'lambdas',
  'infra',
  'training-container',
  'bench',
  'test',
  'bin',
  'fixtures',
];

export function readRepositorySources(root: string): SourceText[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(relative);
      return /\.(ts|js|mjs)$/.test(entry.name) ? [relative] : [];
    });
  return SOURCE_ROOTS.flatMap((dir) => walk(dir)).map((file) => ({
    file,
    text: readFileSync(path.join(root, file), 'utf8'),
  }));
}

function resolve(from: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  return /\.ts$/.test(from) ? target.replace(/\.js$/, '.ts') : target;
}

export function importsOf(source: SourceText): ImportEdge[] {
  const sourceFile = ts.createSourceFile(source.file, source.text, ts.ScriptTarget.Latest, false);
  const edges: ImportEdge[] = [];
  const add = (specifier: ts.Node | undefined, typeOnly: boolean) => {
    if (specifier && ts.isStringLiteralLike(specifier)) {
      edges.push({ from: source.file, to: resolve(source.file, specifier.text), typeOnly });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      add(node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return edges;
}

/** Every import that breaks architecture/layers.js, as messages. */
export function layerViolations(sources: SourceText[]): string[] {
  return sources
    .flatMap(importsOf)
    .flatMap((edge) => layerViolation(edge.from, edge.to) ?? [])
    .sort();
}

/** Pairs of files that import each other (type-only imports count: they tie the two modules' designs). */
export function mutualImports(sources: SourceText[]): string[] {
  const targets = new Map<string, Set<string>>();
  for (const edge of sources.flatMap(importsOf)) {
    if (!targets.has(edge.from)) targets.set(edge.from, new Set());
    targets.get(edge.from)!.add(edge.to);
  }
  const pairs = new Set<string>();
  for (const [from, tos] of targets) {
    for (const to of tos) {
      if (from !== to && targets.get(to)?.has(from)) pairs.add([from, to].sort().join(' ⇄ '));
    }
  }
  return [...pairs].sort();
}
