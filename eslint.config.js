import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'proof/**', 'bench/results/**', 'coverage/**', 'src/server/db/migrations/**'] },
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
    files: ['tools/**', 'bench/**', 'src/server/cli/**', 'src/server/main.ts', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Tests read loosely-typed JSON answers; `any` there is the honest type.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
