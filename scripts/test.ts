/**
 * npm test [-- <exercise> [jest options]]
 *
 *   npm test               every exercise's suite against exercises/: one line each
 *   npm test -- 01         exactly tests/01-conv2d.test.ts (01, 1, conv2d and
 *                          01-conv2d all mean 01): the failing tests by part
 *                          (jest's own report with --verbose), then the type
 *                          errors of the exercise, if any
 *   npm test -- 01 -t im2col   anything after the exercise goes to jest
 *
 * The tests of lib/ and the tools run with `npm run test:tools`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { CommandSpec, runCommand } from './cli/command';
import { runJest, seconds } from './jest-run';
import { Exercise, loadManifest, repoRoot } from './manifest';
import { applyTreeOption, exerciseArgument } from './cli/values';
import { makeContext } from './kata/context';
import { isAvailable, runExercises } from './kata/results';
import { exerciseTypeErrors } from './kata/typecheck';
import { testReport } from './kata/test-report';
import { terminalWidth, wrap } from './ui/width';
import { readState } from './kata/state';

const USAGE = `usage: npm test [-- <exercise> [jest options]]

  npm test                  every exercise's tests against exercises/,
                            one line per exercise
  npm test -- <exercise>    that exercise's tests only: each failing test in
                            the order of the exercise's parts, then its type
                            errors (01, 1, conv2d, 01-conv2d)
  npm test -- 01 --verbose  jest's own full report instead
  npm test -- 01 -t im2col  options after the exercise go to jest
  npm run test:tools        the tests of lib/ and of the tools

options (before or after the exercise):
  --tree TREE               exercises (yours, the default), solutions (the
                            reference) or a folder laid out like exercises/

npm test -- --tree solutions 01 runs the same tests on the reference.`;

const spec: CommandSpec = { name: 'npm test', usage: USAGE, options: { tree: { type: 'string' } }, maxPositionals: 1 };

/** jest options whose output is the point: jest then talks to the terminal itself. */
const JEST_OWN_OUTPUT = ['--verbose', '--listTests', '--showConfig', '--watch', '--watchAll', '--help'];

/** Runs jest on one exercise; resolves with its exit code. */
async function runOne(e: Exercise, jestArgs: string[]): Promise<number> {
  const ctx = makeContext();
  const testFile = path.join(repoRoot, e.test);
  // jest runs in its own process; the type check runs here meanwhile.
  const own = jestArgs.some((a) => JEST_OWN_OUTPUT.includes(a.split('=')[0]));
  const running = own ? jestWithTerminal(testFile, jestArgs) : runJest({ args: ['--runTestsByPath', testFile, ...jestArgs] });
  const typeErrors = exerciseTypeErrors(e.id, ctx.tree);
  const result = await running;
  let code: number;
  if (typeof result === 'number') {
    code = result;
  } else {
    const suite = result.suites.find((s) => s.file === testFile);
    for (const line of testReport(ctx, e, suite, result.output, terminalWidth())) console.log(line);
    code = suite && !suite.failedToRun && suite.tests.every((t) => t.status === 'passed') ? 0 : 1;
  }
  if (typeErrors) {
    const count = typeErrors.split('\n').filter((l) => /error TS\d+/.test(l)).length;
    console.error(`\nType errors (${count}; jest only strips types, so the tests above ran anyway):`);
    for (const line of typeErrors.split('\n')) console.error(wrap(line, terminalWidth() - 2).join('\n  '));
    code = Math.max(code, 1);
  }
  return code;
}

/** jest's own output, straight to the terminal (--verbose and the like). */
function jestWithTerminal(testFile: string, jestArgs: string[]): Promise<number> {
  const jestBin = require.resolve('jest/bin/jest', { paths: [repoRoot] });
  const child = spawn(process.execPath, [jestBin, '--runTestsByPath', testFile, ...jestArgs], { cwd: repoRoot, stdio: 'inherit' });
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
}

async function runAll(): Promise<number> {
  const ctx = makeContext();
  const available = ctx.manifest.exercises.filter((e) => isAvailable(e, ctx.tree));
  console.log(`Running the tests of ${available.length} exercises against ${ctx.treeName} ...`);
  const started = Date.now();
  const state = readState();
  await runExercises(ctx.manifest, available, state, ctx.tree);
  let failing = 0;
  for (const e of available) {
    const r = state.results[e.id];
    const ok = r.progress === 'done';
    if (!ok) failing++;
    const mark = ok ? ctx.colour.green('pass') : r.progress === 'not-started' ? ctx.colour.dim('todo') : ctx.colour.red('FAIL');
    const count = r.progress === 'cannot-run' ? 'cannot run' : `${r.passed}/${r.total}`.padStart(7);
    console.log(`${mark}  ${e.id.padEnd(18)} ${count}`);
  }
  console.log(`\n${available.length - failing} of ${available.length} exercises pass (${seconds(Date.now() - started)}).`);
  console.log('One exercise with all details: npm test -- 01    Where to go on: npm run kata');
  return failing === 0 ? 0 : 1;
}

/**
 * Our arguments (options before the exercise, the exercise, and --tree
 * wherever it stands) and jest's (everything else after the exercise).
 */
export function splitArguments(argv: string[]): { own: string[]; rest: string[] } {
  const own: string[] = [];
  const rest: string[] = [];
  let exerciseSeen = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--tree') {
      own.push(arg, ...argv.slice(i + 1, i + 2));
      i++;
    } else if (arg.startsWith('--tree=')) {
      own.push(arg);
    } else if (exerciseSeen) {
      rest.push(arg);
    } else {
      own.push(arg);
      exerciseSeen = !arg.startsWith('-');
    }
  }
  return { own, rest };
}

if (require.main === module) {
  const { own, rest } = splitArguments(process.argv.slice(2));
  void runCommand(spec, own, async ({ values, positionals }) => {
    applyTreeOption(values.tree as string | undefined);
    if (positionals.length === 0) return runAll();
    return runOne(exerciseArgument(loadManifest(), positionals[0]), rest);
  }).then((code) => {
    process.exitCode = code;
  });
}
