import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.alpha15/', 'bench/out/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // The layer rules of docs/architecture.md; test/architecture/layers.test.ts checks the same on the import graph.
  // Flat config replaces a rule's options per matching block, so every folder gets one block with all its bans.
  ...layerRules(),
);

function layerRules() {
  const container = { regex: '(^|/)training-container/', message: 'the container is a shell over src/app' };
  const above = {
    regex: '(^|/)(app|cli|ui)/|^cli-progress$',
    message: 'the core reports through callbacks; the application layer, the CLI and the UI sit above it',
  };
  const model = {
    regex: '(^|/)model/',
    message: 'the model feeds the strategy: src/strategy never imports src/model',
  };
  const tests = { regex: '(^|/)test/', message: 'benchmarks import nothing from the tests' };
  const core = '{market,lake,features,model,paper,telemetry,store,config,contracts,runs,tune}';
  return [
    { files: ['src/strategy/**'], patterns: [model, above, container] },
    { files: [`src/${core}/**`, 'src/*.ts'], patterns: [above, container] },
    { files: ['src/{app,cli,ui}/**', 'lambdas/**', 'infra/**'], patterns: [container] },
    { files: ['bench/**'], patterns: [tests] },
  ].map(({ files, patterns }) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } }));
}
