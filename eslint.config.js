/**
 * Lint rules. Type-aware rules catch floating promises (an un-awaited activity or child is a
 * bug); workflow code (the lifecycle workflows, the contract they share, driver actions) may not
 * import Node built-ins or runtime code, or use APIs that break replay.
 */
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

/** Modules workflow code must not import: Node built-ins, clients and I/O libraries, activity and runtime code. */
const workflowForbiddenImports = {
  paths: builtinModules.filter((name) => !name.startsWith('_')).flatMap((name) => [name, `node:${name}`]),
  patterns: [
    { group: ['node:*'], message: 'Workflow code runs in a deterministic sandbox: no Node built-ins.' },
    {
      group: [
        '@temporalio/client',
        '@temporalio/worker',
        '@temporalio/activity',
        '@kubernetes/client-node',
        'ws',
        'nunjucks',
      ],
      message: 'Workflow code may not do I/O: call an activity (a primitive) instead.',
    },
    {
      group: ['**/activities/**', '**/runtime/**', '**/cli/**', '**/kubesim/**', '**/driver-spec/**'],
      message: 'Workflow code imports what it shares with activities from contract/ only.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.styrmin/', 'coverage/', 'test/fixtures/specs/broken/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Drivers' own tests run under node:test, whose runner awaits the promise `test()` returns.
    files: ['drivers/**/*.test.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
  {
    files: ['workflows/**/*.ts', 'contract/**/*.ts', 'drivers/**/actions.ts', 'test/fixtures/**/actions.ts'],
    rules: {
      'no-restricted-imports': ['error', workflowForbiddenImports],
      'no-restricted-globals': [
        'error',
        ...[
          'setTimeout',
          'setInterval',
          'setImmediate',
          'process',
          'Buffer',
          'require',
          'fetch',
          'crypto',
          'performance',
        ].map((name) => ({
          name,
          message: 'Not deterministic or not available in workflow code: use sleep(), a primitive or workflowInfo().',
        })),
      ],
    },
  },
);
