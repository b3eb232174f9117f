import path from 'node:path';
import type { Config } from 'jest';
import { resolveTree } from './scripts/kata/tree';

/**
 * Tests import the code under test as `@kata/NN-name/file`; the alias points
 * at the tree KATA_TREE names (scripts/kata/tree.ts: exercises/ by default,
 * solutions/, or any copy laid out like exercises/), so swapping the tree
 * swaps every exercise at once.
 */
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
