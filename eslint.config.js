import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** Capability folders under src/server: each holds routes (HTTP), a service (logic) and a store (SQL). */
const CAPABILITIES = ['auth', 'twofactor', 'passkeys', 'sessions', 'mail', 'alerts', 'integrations', 'system'];
/** What every capability may use and that itself imports no capability. */
const FOUNDATION = ['core', 'lib', 'db', 'audit', 'limits'];
/** The files of a capability that speak HTTP (routes, guards, request/response schemas, cookies) and so may import from http/. */
const HTTP_ADAPTERS = ['**/routes.ts', '**/*-routes.ts', '**/guards.ts', '**/schemas.ts', '**/*-cookie.ts'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'proof/**', 'bench/results/**', 'coverage/**', 'test-results/**', 'src/server/db/migrations/**', 'examples/*/node_modules/**', 'examples/*/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Secrets must be compared with crypto.timingSafeEqual; `===` on a string named like a secret is a smell we catch in review.
      eqeqeq: ['error', 'always'],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // The web UI: hooks called unconditionally and with complete dependency lists.
    files: ['src/web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  // The dependency rule (docs/architecture.md): imports point from HTTP and the composition root
  // down to capabilities, and from capabilities down to the foundation, never back up.
  {
    files: [`src/server/{${[...CAPABILITIES, ...FOUNDATION].join(',')}}/**/*.ts`],
    ignores: HTTP_ADAPTERS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'express', message: 'Services, stores and the foundation know nothing of Express: take plain values, let routes.ts speak HTTP.' }],
          patterns: [
            { regex: '(^|/)http/', message: 'Only routes and guards import from http/: throw AppError (core/) and let the HTTP layer map it.' },
            { regex: '(^|/)(composition|gate|cli|ops)/|(^|/)(app|main|services|index)$', message: 'The composition root imports capabilities, never the reverse.' },
          ],
        },
      ],
    },
  },
  {
    files: [`src/server/{${FOUNDATION.join(',')}}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'express', message: 'The foundation knows nothing of Express.' }],
          patterns: [
            {
              regex: `(^|/)(${[...CAPABILITIES, 'http', 'composition', 'gate', 'cli', 'ops'].join('|')})/|(^|/)(app|main|services|index)$`,
              message: 'The foundation (core, lib, db, audit, limits) imports no capability: a capability declares its port and the composition root fills it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/server/integrations/**/*.ts'],
    ignores: HTTP_ADAPTERS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'express', message: 'Services and stores know nothing of Express.' }],
          patterns: [
            { regex: '(^|/)http/', message: 'Only routes import from http/.' },
            { regex: '(^|/)alerts/', message: 'alerts uses integrations (the SMS provider, the usage trail), never the reverse.' },
          ],
        },
      ],
    },
  },
  // Small units (docs/architecture.md): a source file reads in one sitting, a server function fits
  // on a screen. Generated shadcn-style primitives are the only files held to neither.
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/web/components/ui/**'],
    rules: { 'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }] },
  },
  {
    files: ['src/server/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: false, skipComments: false, IIFEs: true }] },
  },
  {
    files: ['tools/**', 'bench/**', 'src/server/cli/**', 'src/server/main.ts', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // examples/express-host is a host app in plain JavaScript for Node (its page is JSX, built by Vite).
    files: ['examples/**/*.js'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', fetch: 'readonly', document: 'readonly' },
    },
    rules: { 'no-console': 'off' },
  },
  {
    // Tests read loosely-typed JSON answers; `any` there is the honest type.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
