// ESLint flat config. Type-aware rules run on all TypeScript; a rule is only
// ever switched off here, with the reason beside it.
import js from '@eslint/js';
import nextPlugin from '@next/eslint-plugin-next';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/', '.next/', '.next-dev/', 'coverage/', 'bench/results/', 'next-env.d.ts', 'public/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      // An event-driven server: a promise nobody awaits or catches is a lost error or an unhandled rejection.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unnecessary-condition': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // Off: `async` without `await` is how an implementation of a Promise-returning interface (stores, handlers) turns a throw into a rejection.
      '@typescript-eslint/require-await': 'off',
      // `_`-prefixed names are deliberately unused (ignored tuple slots, required parameters).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    files: ['app/**/*.tsx', 'components/**/*.tsx', 'lib/client/**/*.{ts,tsx}', 'app/**/*.ts'],
    plugins: { 'react-hooks': reactHooks, '@next/next': nextPlugin },
    rules: {
      // The two classic hook rules. v7's preset also carries React Compiler diagnostics (refs, set-state-in-effect,
      // preserve-manual-memoization), left out because this app is not built with the React Compiler.
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs['core-web-vitals'].rules,
    },
  },
  {
    // Off here only: stripping control characters is this file's job, so its regexes must name them.
    files: ['lib/text.ts'],
    rules: { 'no-control-regex': 'off' },
  },
  {
    // Plain JavaScript config files are not in the TypeScript project.
    files: ['**/*.{js,mjs,cjs}'],
    ...tseslint.configs.disableTypeChecked,
  },
);
