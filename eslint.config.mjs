// ESLint for the participant app: plain ES modules in the browser and a service worker,
// no build step, so what is linted is exactly what phones run.
import js from '@eslint/js';
import globals from 'globals';

export default [
  // Vendored engines are linted where they are made, not here.
  { ignores: ['pwa/vendor/**'] },
  {
    files: ['pwa/**/*.js'],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      ...js.configs.recommended.rules,
      // `== null` is the one loose comparison kept: it means null or undefined.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-promise-executor-return': 'error',
      'no-self-compare': 'error',
      'no-template-curly-in-string': 'error',
      'no-unreachable-loop': 'error',
    },
  },
  {
    files: ['pwa/**/*.js'],
    ignores: ['pwa/sw.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    // The worker runs in its own global scope: `self`, `clients`, `caches`, no `window`.
    files: ['pwa/sw.js'],
    languageOptions: { globals: globals.serviceworker },
  },
];
