// Mutation testing of the readable reference: `npm run mutation` (exercises
// 00-05); KATA_MUTATE=08,09,10 npm run mutation (PowerShell: $env:KATA_MUTATE="08,09,10";
// npm run mutation) mutates those exercises and runs their suites.
// A maintainer's command, not part of CI (it takes a long while on two cores).
// Narrow it while working: npm run mutation -- --mutate 'solutions/02-output-size/*.ts'
//
// Stryker copies the repository into a sandbox (.stryker-tmp/) and runs jest
// there. jest.config.ts maps `@kata/...` to the tree next to itself, so with
// KATA_TREE=solutions the tests import the sandbox's mutated solutions.
// The test runners are child processes and inherit this variable.
process.env.KATA_TREE = 'solutions';

const exercises = (process.env.KATA_MUTATE ?? '00,01,02,03,04,05').split(',').map((e) => e.trim().padStart(2, '0'));
const glob = exercises.length === 1 ? exercises[0] : `{${exercises.join(',')}}`;

// 06's end-to-end MNIST test only measures accuracy; every line it runs is run by 06's
// other tests too (they share its trained model), so mutation runs leave it out.
const testNamePattern = '^(?!MNIST end to end )';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [`solutions/${glob}-*/**/*.ts`],
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.ts',
    config: { testMatch: [`**/tests/${glob}-*.test.ts`], testNamePattern },
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
