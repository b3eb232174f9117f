import path from 'node:path';
import type { Config } from 'jest';

/**
 * Which tree of exercises the tests run against.
 *   KATA_TREE unset        -> exercises/ (what the learner edits)
 *   KATA_TREE=solutions    -> solutions/ (the reference)
 *   KATA_TREE=/some/path   -> any copy laid out like exercises/ (a student's, for grading)
 * Tests import the code under test as `@kata/NN-name/file`, so swapping the
 * tree swaps every exercise at once.
 */
export function resolveTree(value = process.env.KATA_TREE): string {
  const root = __dirname;
  if (!value || value === 'exercises') return path.join(root, 'exercises');
  if (value === 'solutions') return path.join(root, 'solutions');
  return path.resolve(value);
}

const tree = resolveTree();

const config: Config = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/fixtures/'],
  // Tests compile to CommonJS, what jest loads; scripts keep tsconfig's node16
  // modules so that they can import ESM-only packages. isolatedModules makes
  // ts-jest only transpile (a suite starts in about a second instead of ten):
  // `npm test -- <exercise>` type-checks the exercise on the side and prints
  // its type errors after jest's report, and verify runs tsc on everything.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', moduleResolution: 'node10', isolatedModules: true } }],
  },
  moduleNameMapper: { '^@kata/(.*)$': `${tree.split(path.sep).join('/')}/$1` },
  setupFilesAfterEnv: ['<rootDir>/tests/helpers/setup.ts'],
  testTimeout: 120_000,
};

export default config;
