// Lint: typed rules that catch floating promises and misused async, plus the recommended set.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'sdk/python/**', '**/*.js', 'test-artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // The dashboard's Chromium tests, bench and Vite config build with tsconfig.node.json (Node, not DOM-only).
    files: ['packages/web/test/**/*.ts', 'packages/web/bench/**/*.ts', 'packages/web/vite.config.ts'],
    languageOptions: { parserOptions: { projectService: false, project: ['packages/web/tsconfig.node.json'], tsconfigRootDir: import.meta.dirname } },
  },
  {
    // The dashboard reads the server only through the API contract: no reach into server internals.
    files: ['packages/web/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@sightline/server', message: 'The dashboard reads the server through @sightline/api (packages/api) only.' }],
          patterns: [
            {
              group: ['**/server/**', '@sightline/server/**', '**/packages/*/src/**'],
              message: 'The dashboard reads the server through @sightline/api (packages/api) only; add the shape there.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests read loosely typed JSON replies; asserting exact values is the type check there.
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
