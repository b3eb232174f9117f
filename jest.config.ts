import path from 'node:path';
import type { Config } from 'jest';

/**
 * The folder that `@kata/NN-name/file` names, from KATA_TREE, as
 * scripts/trees.ts reads it (the tools' one tree module; this file may not
 * import it, see below, and tests/tools/trees.test.ts proves the two agree):
 *   unset or "exercises"             -> <root>/exercises (what the learner edits)
 *   "solutions", "engine+solutions"  -> <root>/solutions (the reference)
 *   any other value                  -> that folder, laid out like exercises/ (a student's copy)
 */
export function kataTreeFolder(value: string | undefined, root: string): string {
  if (!value || value === 'exercises') return path.join(root, 'exercises');
  if (value === 'solutions' || value === 'engine+solutions') return path.join(root, 'solutions');
  return path.resolve(value);
}

// Node 22.18 and later load this file as it is (type stripping, as an ES
// module), so it imports no project file and uses no __dirname: `<rootDir>`
// is this file's folder, jest's default.
const tree = kataTreeFolder(process.env.KATA_TREE, '<rootDir>').split(path.sep).join('/');

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/fixtures/'],
  // Tests compile to CommonJS, what jest loads, with types stripped and not
  // checked (esbuild: a suite starts in about a second): `npm test -- <exercise>`
  // type-checks the exercise on the side and prints its type errors after
  // jest's report, and verify runs tsc on everything.
  transform: {
    '^.+\\.ts$': '<rootDir>/tests/helpers/esbuild-transform.cjs',
  },
  moduleNameMapper: { '^@kata/(.*)$': `${tree}/$1` },
  setupFilesAfterEnv: ['<rootDir>/tests/helpers/setup.ts'],
  testTimeout: 120_000,
};

export default config;
