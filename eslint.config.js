// Flat config: typescript-eslint's recommended rules over every TypeScript file.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const SLACK = { group: ['**/slack/**', '@slack/*'], message: 'Providers never import Slack code.' };
const VENDOR = {
  group: ['**/providers/aws/**', '**/providers/azure/**', '@aws-sdk/*', '@azure/*'],
  message:
    'Only src/providers/registry.ts imports vendor adapters and SDKs: ask the registry for a port (Providers) instead.',
};
const JOBS = {
  group: ['**/jobs/**'],
  message: 'Listeners enqueue work, they do not import processors: shared producers live in src/queue/.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: globals.node,
    },
  },
  {
    // The sandbox page (issue 8): plain ES modules that run in the browser.
    files: ['test/support/fake-slack/ui/public/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: globals.browser,
    },
  },
  {
    // Dependency rule of DESIGN.md: domain/ is pure and imports no adapters.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '**/slack/**',
            '**/providers/**',
            '**/queue/**',
            '**/store/**',
            'ioredis',
            'bullmq',
            '@slack/*',
            '@aws-sdk/*',
            '@azure/*',
          ],
        },
      ],
    },
  },
  {
    files: ['src/providers/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [SLACK] }] },
  },
  {
    // DESIGN.md: only providers/registry.ts imports a vendor adapter; core code asks it for a port
    // by name. Adapters (and their tests and benchmarks) are the only other users of vendor SDKs.
    files: ['src/providers/**/*.ts'],
    ignores: ['src/providers/registry.ts', 'src/providers/aws/**', 'src/providers/azure/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [SLACK, VENDOR] }] },
  },
  {
    // (sim/ is a test double of the clouds, like test/: it may seed Azurite with the Blob SDK.)
    files: ['src/**/*.ts', 'commands/**/*.ts', 'jobs/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['src/providers/**', 'src/domain/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [VENDOR] }] },
  },
  {
    files: ['commands/**/*.ts', 'src/slack/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [VENDOR, JOBS] }] },
  },
);
