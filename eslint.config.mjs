// ESLint as architecture (../shared/STYLE.md C2): the module boundaries live here, not in a wiki.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const appCode = ['**/workers/**', '**/queues/**', '**/scripts/**', '**/api/**', '**/simulator/**'];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.dev/**',
      'coverage/**',
      '*.config.js',
      '*.config.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration via shared/config.ts' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='launch'][callee.object.name=/puppeteer/]",
          message: 'Launch browsers via shared/browser.ts so they are always closed',
        },
        {
          selector:
            "CallExpression[callee.property.name='connect'][callee.object.name=/puppeteer/]",
          message: 'Connect to browsers via shared/browser.ts',
        },
      ],
    },
  },
  // The one reader of process.env, plus the services script that writes child environments.
  { files: ['shared/config.ts'], rules: { 'no-restricted-properties': 'off' } },
  // The one module that launches Chromium.
  { files: ['shared/browser.ts'], rules: { 'no-restricted-syntax': 'off' } },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: appCode, message: 'shared/ must not depend on app code' }] },
      ],
    },
  },
  {
    files: ['queues/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['puppeteer-core', 'mongoose'],
          patterns: [
            {
              group: ['**/workers/**', '**/scripts/**', '**/api/**'],
              message: 'queues/ sits below workers, scripts and api',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['workers/site/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['mongoose', 'bullmq', 'ioredis', 'node:crypto', 'crypto'],
          patterns: [
            {
              group: ['**/shared/db/**', '**/shared/crypto/**', '**/queues/**', '**/shared/totp*'],
              message:
                'Page objects talk to the page only; the handler does persistence and crypto',
            },
          ],
        },
      ],
    },
  },
  {
    // The simulator is LinkedIn's stand-in: it must never lean on the product it tests.
    files: ['simulator/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['otplib'],
          patterns: [
            {
              group: [
                '**/shared/**',
                '**/workers/**',
                '**/queues/**',
                '**/api/**',
                '**/scripts/**',
              ],
              message: 'simulator/ stays independent of the product',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
