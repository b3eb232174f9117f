// ESLint (flat config) with typescript-eslint: `npm run lint`.
// Besides the recommended rules, kata/tiers reports an import that breaks the
// tier rules (scripts/tiers.json, which folder may import which) as it is
// typed, with the verdicts of scripts/tiers.cjs, the same reading that
// `npm run verify` applies (scripts/boundaries.ts).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import tierRules from './scripts/tiers.cjs';

const ROOT = path.dirname(fileURLToPath(import.meta.url));

const tiers = {
  files: tierRules.tiers.map((t) => `${t.folder}/**/*.{ts,cts,mts,js,cjs,mjs}`),
  plugins: { kata: { rules: { tiers: tierRules.eslintRule(ROOT) } } },
  rules: { 'kata/tiers': 'error' },
};

export default tseslint.config(
  // What .gitignore lists: installed, generated or produced by runs.
  { ignores: ['node_modules/', 'runs/', 'grades/', 'build/', 'coverage/', '.kata-backups/', '.stryker-tmp/', 'reports/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.cjs', '**/*.mjs', '**/*.js'],
    languageOptions: { globals: globals.node },
  },
  {
    // package.json has no "type": "module", so .js files are CommonJS too.
    files: ['**/*.cjs', '**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      // `_name` marks a parameter a callback must accept but does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // A stub keeps the signature and the imports its solution needs, unused until the learner writes the body.
    files: ['exercises/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
  tiers,
);
