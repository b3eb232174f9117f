// ESLint (flat config) with typescript-eslint: `npm run lint`.
// Besides the recommended rules, no-restricted-imports mirrors the tier rules
// of scripts/boundaries.ts, so an editor flags a bad import as it is typed
// (verify remains the check that counts; it also sees require and import()).
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const manifest = JSON.parse(fs.readFileSync(new URL('./scripts/manifest.json', import.meta.url), 'utf8'));
const ids = manifest.exercises.map((e) => e.id);
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Anything that is not a relative path nor one of Node's own modules: a package. */
const PACKAGE = `^(?!\\.|node:|(${builtinModules.map(escape).join('|')})(/|$))`;
const NODE = `^(node:|(${builtinModules.map(escape).join('|')})(/|$))`;

/** One exercise folder (exercises/NN-x or solutions/NN-x): lib/, itself and earlier exercises. */
function exerciseTier(tree, id, index) {
  const later = ids.slice(index + 1);
  const patterns = [
    { regex: PACKAGE, message: `${tree}/ imports no packages` },
    { regex: NODE, message: `${tree}/ imports only lib/ and earlier exercises, not Node's modules` },
    { regex: '^\\.\\./\\.\\./(?!lib(/|$))', message: `${tree}/ imports only lib/ and exercises of its own tree` },
  ];
  if (later.length > 0) {
    patterns.push({ regex: `^\\.\\./(${later.map(escape).join('|')})(/|$)`, message: `${tree}/ imports only lib/ and earlier exercises` });
  }
  return { files: [`${tree}/${id}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

const tiers = [
  ...['exercises', 'solutions'].flatMap((tree) => ids.map((id, i) => exerciseTier(tree, id, i))),
  {
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: PACKAGE, message: 'lib/ imports no packages' },
            { regex: '^\\.\\./', message: 'lib/ imports only lib/' },
          ],
        },
      ],
    },
  },
  // The engine's own files sit one or two folders deep: the way out to lib/ differs.
  ...[
    ['engine/*.ts', '^\\.\\./(?!lib(/|$))'],
    ['engine/*/**/*.ts', '^\\.\\./\\.\\./(?!lib(/|$))'],
  ].map(([files, outside]) => ({
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: PACKAGE, message: 'engine/ imports no packages' },
            { regex: outside, message: 'engine/ imports only engine/ and lib/' },
          ],
        },
      ],
    },
  })),
];

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
  ...tiers,
);
