import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import platforma from './scripts/eslint/layers.js';

export default tseslint.config(
  { ignores: ['node_modules/', 'web/dist/', '.platforma/', 'web/shared/api/schema.d.ts', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    plugins: { platforma },
    rules: { 'platforma/layers': 'error' },
  },
  {
    // The web apps reach the API only through the feature hooks (web/shared/features), which hold
    // loading and error state, refetching and the writes in one place per domain.
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    ignores: ['web/shared/features/**', 'web/shared/api/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/api/client.js'], importNames: ['api', 'unwrap'], message: 'Use a feature hook from web/shared/features instead of the API client.' }] }],
    },
  },
  {
    files: ['bin/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
