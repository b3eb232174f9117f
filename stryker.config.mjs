// Mutation testing of the readable reference of exercises 00-05: `npm run mutation`.
// A maintainer's command, not part of CI (it takes a long while on two cores).
// Narrow it while working: npm run mutation -- --mutate 'solutions/02-output-size/*.ts'
//
// Stryker copies the repository into a sandbox (.stryker-tmp/) and runs jest
// there. jest.config.ts maps `@kata/...` to the tree next to itself, so with
// KATA_TREE=solutions the tests import the sandbox's mutated solutions.
// The test runners are child processes and inherit this variable.
process.env.KATA_TREE = 'solutions';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: ['solutions/0[0-5]-*/**/*.ts'],
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.ts',
    config: { testMatch: ['**/tests/0[0-5]-*.test.ts'] },
  },
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: 'reports/mutation/incremental.json',
  concurrency: 2,
  timeoutMS: 60_000,
  ignorePatterns: ['runs', 'grades', 'reports', 'coverage'],
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  thresholds: { high: 90, low: 80, break: null },
};
