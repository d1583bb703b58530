import js from '@eslint/js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import { layerViolation } from './architecture/layers.js';

const REPO_ROOT = path.dirname(fileURLToPath(import.meta.url));

/** Reports every import (static, type-only, re-export, dynamic, `import('...')` type) the layer table forbids. */
const layersRule = {
  meta: { type: 'problem', schema: [], messages: { layer: '{{why}}' } },
  create(context) {
    const from = path.relative(REPO_ROOT, context.filename).split(path.sep).join('/');
    const check = (source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.'))
        return;
      const to = path.posix.normalize(path.posix.join(path.posix.dirname(from), source.value));
      const why = layerViolation(from, /\.ts$/.test(from) ? to.replace(/\.js$/, '.ts') : to);
      if (why !== undefined) context.report({ node: source, messageId: 'layer', data: { why } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      TSImportType: (node) =>
        check(
          node.source ?? (node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.argument),
        ),
      TSExternalModuleReference: (node) => check(node.expression),
    };
  },
};

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.alpha15/', 'bench/out/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // The allowed-imports table (architecture/layers.js), for editors; test/architecture/layers.test.ts checks
  // the same table on every import of the repository.
  {
    files: ['**/*.{ts,js,mjs}'],
    plugins: { alpha15: { rules: { layers: layersRule } } },
    rules: { 'alpha15/layers': 'error' },
  },
  {
    files: ['src/**'],
    ignores: ['src/cli/**', 'src/ui/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'cli-progress',
              message: 'the core reports through callbacks; progress bars belong to the CLI and the UI',
            },
          ],
        },
      ],
    },
  },
);
