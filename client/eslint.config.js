import { readdirSync } from 'node:fs';

import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import { reactRefresh } from 'eslint-plugin-react-refresh';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Imports flow shared -> features -> app. Shared code (lib, components, hooks, stores, utils) may
// not reach into features or the app; a feature may not reach into the app or into another
// feature. Features are composed in src/app.
const SHARED_DIRS = ['components', 'config', 'hooks', 'lib', 'stores', 'utils'];
const features = readdirSync(new URL('./src/features', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

const featureBoundaries = features.map((feature) => {
  const otherFeatures = features
    .filter((other) => other !== feature)
    .map((other) => `@/features/${other}/*`);
  return {
    files: [`src/features/${feature}/**/*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@/app', '@/app/*'], message: 'Features must not import from src/app.' },
            ...(otherFeatures.length > 0
              ? [
                  {
                    group: otherFeatures,
                    message: 'Features must not import from each other; compose them in src/app.',
                  },
                ]
              : []),
            {
              group: ['../../*'],
              message: 'Leave the feature folder through the @/ alias, not a relative path.',
            },
          ],
        },
      ],
    },
  };
});

export default defineConfig([
  globalIgnores(['dist', 'coverage', 'test-results', 'playwright-report']),
  {
    files: ['**/*.{ts,tsx}'],
    extends: [
      js.configs.recommended,
      tseslint.configs.strictTypeChecked,
      tseslint.configs.stylisticTypeChecked,
    ],
    languageOptions: {
      ecmaVersion: 2022,
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // An empty string (an unset env var, a blank field) should fall back like a missing one.
      '@typescript-eslint/prefer-nullish-coalescing': [
        'error',
        { ignorePrimitives: { string: true } },
      ],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended, reactRefresh.configs.vite()],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['*.config.{js,ts}', 'e2e/**/*.ts'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['eslint.config.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  {
    files: SHARED_DIRS.map((dir) => `src/${dir}/**/*.{ts,tsx}`),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@/app', '@/app/*', '@/features', '@/features/*'],
              message: 'Shared code must not import from features or the app.',
            },
          ],
        },
      ],
    },
  },
  ...featureBoundaries,
  prettier,
]);
