/**
 * npm run verify: the project's own check (the README's test command and CI's).
 *
 *   1. lint: the manifest agrees with exercises/, solutions/ and tests/, and
 *      every import keeps to its tier (scripts/boundaries.ts)
 *   2. tsc --noEmit -p tsconfig.json (stubs included)
 *   3. every exercise suite against solutions/: every test passes
 *   4. every exercise suite against exercises/ (the stubs): every test fails
 *   5. the tests of lib and of the tools, once
 *   6. the browser tests (tests/browser, the system Chromium: playground/chromium.ts),
 *      after the others; without Chromium, one line says they did not run
 * Steps 2-5 run at the same time (jest with --maxWorkers=2 each). Since step 2
 * checks every type, the jest runs only transpile (see scripts/jest-config.ts).
 *
 * The stubs' run also checks scripts/kata/stub-results.json (what `npm run
 * kata` shows for an untouched exercise without running it); with
 * --write-stub-results verify writes it from that run first. With
 * --write-reference-times it writes scripts/kata/reference-times.json from the
 * solutions' run (how long the reference's tests take, for `kata check` to
 * say when a learner's suite runs far slower: scripts/kata/slowness.ts).
 *
 * Prints one row per exercise, then `verify: N passed, M failed` (N checks
 * that held, M that did not) and exits non-zero when anything does not hold.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Exercise, lint, loadManifest, Manifest, repoRoot } from './manifest';
import { checkBoundaries, formatViolation } from './boundaries';
import { calibration } from './calibration';
import { counts, firstLines, JestRun, runJest, seconds, SuiteRun } from './jest-run';
import { writeJestConfig } from './jest-config';
import { stubResultsOf } from './kata/results';
import { readStubResults, staleStubResults, STUB_RESULTS_FILE, writeStubResults } from './kata/stub-results';
import { REFERENCE_TIMES_FILE, referenceTimesOf, writeReferenceTimes } from './kata/slowness';
import { formatTable } from './ui/table';
import { chromiumMissing } from '../playground/chromium';

interface Check {
  name: string;
  ok: boolean;
  /** Why it failed, in a line or a few. */
  detail?: string;
}

function runTsc(project = 'tsconfig.json'): Promise<{ ok: boolean; output: string; durationMs: number }> {
  const started = Date.now();
  const tsc = require.resolve('typescript/bin/tsc', { paths: [repoRoot] });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '--noEmit', '--pretty', 'false', '-p', project], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('close', (code) => resolve({ ok: code === 0, output: output.trim(), durationMs: Date.now() - started }));
  });
}

function suiteFor(run: JestRun | null, exercise: Exercise): SuiteRun | undefined {
  const file = path.join(repoRoot, exercise.test);
  return run?.suites.find((s) => s.file === file);
}

/** What went wrong with a whole jest run (killed, no report). */
function runProblem(run: JestRun): string | null {
  if (run.reported) return null;
  return `jest ended without a report (exit ${run.exitCode ?? run.signal}):\n${firstLines(run.output.split('\n').slice(-30).join('\n'), 10)}`;
}

function indent(text: string, prefix = '    '): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

/** What verify found: the checks in order, and why any failed (shown after the table). */
interface Findings {
  checks: Check[];
  details: string[];
}

/** The jest and tsc runs of steps 2-6 (a jest run is null when it had nothing to run). */
interface Runs {
  tsc: { ok: boolean; output: string; durationMs: number };
  solutions: JestRun | null;
  stubs: JestRun | null;
  toolRun: JestRun;
  browserRun: JestRun | null;
  /** Why the browser tests did not run, or null when they did. */
  missing: string | null;
}

type Say = (text: string) => void;
type Row = (string | number)[];

async function main(): Promise<void> {
  const started = Date.now();
  const writeStubs = process.argv.includes('--write-stub-results');
  const manifest = loadManifest();
  const found: Findings = { checks: [], details: [] };
  const say: Say = (text) => console.log(`verify: ${text}`);

  found.checks.push(lintCheck(say));
  const withTests = manifest.exercises.filter((e) => fs.existsSync(path.join(repoRoot, e.test)));
  const testPaths = withTests.map((e) => path.join(repoRoot, e.test));
  const runs = await runEverything(testPaths, say);
  if (process.argv.includes('--write-reference-times')) await writeTimes(withTests, testPaths, say);

  const rows = manifest.exercises.map((e) => exerciseRow(e, withTests.includes(e), runs, found));
  if (runs.stubs?.reported) checkStubResults(manifest, runs.stubs, writeStubs, found, say);
  console.log('');
  console.log(
    formatTable(['exercise', 'title', 'tests', 'solutions', 'stubs', 'time sol.', 'time stubs', 'verdict'], rows, {
      align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'left'],
    }),
  );
  judgeToolRun(runs.toolRun, found);
  judgeBrowserRun(runs.browserRun, runs.missing, found);
  if (!runs.tsc.ok) {
    found.details.unshift(`tsc --noEmit (tsconfig.json, playground/tsconfig.json):\n${indent(runs.tsc.output.split('\n').slice(0, 15).join('\n'))}`);
  }
  console.log(`total wall time: ${seconds(Date.now() - started)}`);
  process.exitCode = printVerdict(found);
}

/** 1. lint: the manifest and both trees agree, every import keeps to its tier. */
function lintCheck(say: Say): Check {
  const lintErrors = [...lint(), ...checkBoundaries(repoRoot).map(formatViolation)];
  say(lintErrors.length === 0 ? 'lint: the manifest and both trees agree; every import keeps to its tier' : `lint: ${lintErrors.length} problem(s)`);
  for (const e of lintErrors) console.log(`  - ${e}`);
  return { name: 'lint', ok: lintErrors.length === 0, detail: lintErrors.join('\n') };
}

/**
 * The reference's time per suite, for `kata check`: a run of its own after
 * the rest, one suite at a time, as a learner's `kata check` runs it (the
 * side-by-side runs share the cores with the type check and the tools).
 */
async function writeTimes(withTests: Exercise[], testPaths: string[], say: Say): Promise<void> {
  const calibrationNs = calibration();
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-verify-times-'));
  const config = writeJestConfig({ dir: configDir, tree: path.join(repoRoot, 'solutions') });
  const run = await runJest({ args: ['--config', config, '--runInBand', '--runTestsByPath', ...testPaths], env: { KATA_TREE: 'solutions' } });
  fs.rmSync(configDir, { recursive: true, force: true });
  if (!run.reported) return say(`NOT WRITTEN: ${path.relative(repoRoot, REFERENCE_TIMES_FILE)} (the timing run did not report)`);
  writeReferenceTimes(referenceTimesOf(withTests, run.suites, calibrationNs));
  say(`wrote ${path.relative(repoRoot, REFERENCE_TIMES_FILE)} (${seconds(run.durationMs)})`);
}

/** Steps 2-6, with jest configs in a temporary folder that is removed afterwards. */
async function runEverything(testPaths: string[], say: Say): Promise<Runs> {
  // jest only strips types in these runs: step 2 (tsc) checks the types of everything once.
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-verify-'));
  const configFor = (tree: string): string => writeJestConfig({ dir: path.join(configDir, tree), tree: path.join(repoRoot, tree) });
  const side = await runSideBySide(testPaths, configFor, say);
  // 6. after the rest: the browser tests start a server and Chromium, and train a small model.
  const missing = chromiumMissing();
  const browserRun =
    missing === null
      ? await runJest({ args: ['--config', configFor('exercises'), '--runInBand', '/tests/browser/'], env: { KATA_TREE: undefined } })
      : null;
  if (missing !== null) say(`NOT RUN: browser tests (${missing})`);
  else say(`browser tests finished (${seconds(browserRun!.durationMs)})`);
  fs.rmSync(configDir, { recursive: true, force: true });
  return { ...side, browserRun, missing };
}

/**
 * 2-5 side by side: the MNIST suites of 06/07 keep one core busy for a
 * minute or more, and the other runs fill the second core meanwhile.
 */
async function runSideBySide(testPaths: string[], configFor: (tree: string) => string, say: Say): Promise<Omit<Runs, 'browserRun' | 'missing'>> {
  const workers = '--maxWorkers=2';
  const exerciseRun = (tree: 'solutions' | 'exercises'): Promise<JestRun | null> =>
    testPaths.length === 0
      ? Promise.resolve(null)
      : runJest({ args: ['--config', configFor(tree), workers, '--runTestsByPath', ...testPaths], env: { KATA_TREE: tree } }).then((run) => {
          say(`${tree} run finished (${seconds(run.durationMs)})`);
          return run;
        });
  say('started: type check (tsc), exercise suites against solutions/ and against the stubs, tests of lib and tools ...');
  const [tsc, solutions, stubs, toolRun] = await Promise.all([
    typeCheck(say),
    exerciseRun('solutions'),
    exerciseRun('exercises'),
    runJest({ args: ['--config', configFor('exercises'), workers, '/tests/(lib|tools|engine|helpers)/'], env: { KATA_TREE: undefined } }).then((run) => {
      say(`lib and tools run finished (${seconds(run.durationMs)})`);
      return run;
    }),
  ]);
  return { tsc, solutions, stubs, toolRun };
}

/** 2. tsc over the project, and over the playground's page, which has its own project: it compiles with the browser's types. */
async function typeCheck(say: Say): Promise<Runs['tsc']> {
  const [main, page] = await Promise.all([runTsc(), runTsc('playground/tsconfig.json')]);
  const r = {
    ok: main.ok && page.ok,
    output: [main.output, page.output].filter(Boolean).join('\n'),
    durationMs: Math.max(main.durationMs, page.durationMs),
  };
  say(`type check ${r.ok ? 'passed' : 'FAILED'} (${seconds(r.durationMs)})`);
  return r;
}

/** One exercise's row of the table, and its two checks: every test passes on solutions/, every test fails on the stubs. */
function exerciseRow(e: Exercise, hasTest: boolean, runs: Runs, found: Findings): Row {
  const title = e.title.en.length > 44 ? `${e.title.en.slice(0, 43)}…` : e.title.en;
  if (!hasTest) {
    found.checks.push({ name: `${e.id} on solutions`, ok: false, detail: `${e.test} does not exist` });
    found.checks.push({ name: `${e.id} on stubs`, ok: false, detail: `${e.test} does not exist` });
    return [e.id, title, '-', '-', '-', '-', '-', 'no test file'];
  }
  const sol = suiteFor(runs.solutions, e);
  const stub = suiteFor(runs.stubs, e);
  const problems: string[] = [];
  const onSolutions = judgeOnSolutions(e, sol, runs.solutions, problems, found.details);
  const onStubs = judgeOnStubs(e, stub, runs.stubs, problems, found.details);
  found.checks.push({ name: `${e.id} on solutions`, ok: onSolutions.ok });
  found.checks.push({ name: `${e.id} on stubs`, ok: onStubs.ok });
  const tests = sol && !sol.failedToRun ? sol.tests.length : stub && !stub.failedToRun ? stub.tests.length : '-';
  return [
    e.id,
    title,
    tests,
    onSolutions.text,
    onStubs.text,
    sol ? seconds(sol.durationMs) : '-',
    stub ? seconds(stub.durationMs) : '-',
    problems.length === 0 ? 'ok' : problems.join('; '),
  ];
}

/** An exercise's suite on solutions/: it holds when it has tests and every one passes. */
function judgeOnSolutions(
  e: Exercise,
  sol: SuiteRun | undefined,
  run: JestRun | null,
  problems: string[],
  details: string[],
): { text: string; ok: boolean } {
  if (!sol) {
    problems.push('no result on solutions');
    details.push(`${e.id} on solutions: ${run ? (runProblem(run) ?? 'no result') : 'not run'}`);
    return { text: '-', ok: false };
  }
  if (sol.failedToRun) {
    problems.push('suite failed to run on solutions');
    details.push(`${e.id} on solutions: the suite failed to run:\n${indent(firstLines(sol.error, 8))}`);
    return { text: '-', ok: false };
  }
  const c = counts(sol.tests);
  if (c.total === 0) problems.push('no tests');
  const failing = sol.tests.filter((t) => t.status !== 'passed');
  if (failing.length > 0) {
    problems.push(`${failing.length} fail on solutions`);
    for (const t of failing.slice(0, 3)) details.push(`${e.id} on solutions, failing: ${t.name}\n${indent(firstLines(t.message, 6))}`);
  }
  return { text: `${c.passed}/${c.total}`, ok: c.total > 0 && c.passed === c.total };
}

/** An exercise's suite on the stubs: it holds when it has tests and every one fails (each on its own). */
function judgeOnStubs(e: Exercise, stub: SuiteRun | undefined, run: JestRun | null, problems: string[], details: string[]): { text: string; ok: boolean } {
  if (!stub) {
    problems.push('no result on stubs');
    details.push(`${e.id} on stubs: ${run ? (runProblem(run) ?? 'no result') : 'not run'}`);
    return { text: '-', ok: false };
  }
  if (stub.failedToRun) {
    problems.push('suite failed to run on stubs');
    details.push(`${e.id} on stubs: the suite failed to run (each test must fail on its own):\n${indent(firstLines(stub.error, 8))}`);
    return { text: '-', ok: false };
  }
  const c = counts(stub.tests);
  const passing = stub.tests.filter((t) => t.status !== 'failed');
  if (passing.length > 0) {
    problems.push(`${passing.length} pass on stubs`);
    details.push(
      `${e.id} on stubs, these must fail but did not:\n${passing
        .slice(0, 10)
        .map((t) => `    ${t.name} (${t.status})`)
        .join('\n')}`,
    );
  }
  return { text: `${c.passed}/${c.total}`, ok: c.total > 0 && passing.length === 0 };
}

/** The stubs' known results, shown by `npm run kata` without running them: written first with --write-stub-results. */
function checkStubResults(manifest: Manifest, stubs: JestRun, write: boolean, found: Findings, say: Say): void {
  const actual = stubResultsOf(manifest, path.join(repoRoot, 'exercises'), stubs.suites);
  if (write) {
    writeStubResults(actual);
    say(`wrote ${path.relative(repoRoot, STUB_RESULTS_FILE)}`);
  }
  const stale = staleStubResults(readStubResults(), actual);
  found.checks.push({ name: 'stub results', ok: stale.length === 0 });
  if (stale.length > 0) {
    found.details.push(
      `${path.relative(repoRoot, STUB_RESULTS_FILE)} does not say what the stubs give for ${stale.join(', ')}: npm run verify -- --write-stub-results`,
    );
  }
}

/** 5. The tests of lib and of the tools: one line, and a check that holds when every test passed. */
function judgeToolRun(toolRun: JestRun, { checks, details }: Findings): void {
  const toolTests = toolRun.suites.flatMap((s) => s.tests);
  const toolFailedSuites = toolRun.suites.filter((s) => s.failedToRun);
  const tc = counts(toolTests);
  const toolOk = toolRun.reported && toolFailedSuites.length === 0 && tc.total > 0 && tc.passed === tc.total;
  checks.push({ name: 'tests of lib and tools', ok: toolOk });
  console.log(
    `\nlib and tools: ${toolRun.suites.length} files, ${tc.passed}/${tc.total} tests passed (${seconds(toolRun.durationMs)})${toolOk ? '' : ' — FAILED'}`,
  );
  if (!toolRun.reported) details.push(`lib and tools: ${runProblem(toolRun)}`);
  for (const s of toolFailedSuites) details.push(`lib and tools: ${path.relative(repoRoot, s.file)} failed to run:\n${indent(firstLines(s.error, 8))}`);
  for (const s of toolRun.suites) {
    for (const t of s.tests.filter((x) => x.status !== 'passed')) {
      details.push(`lib and tools: ${path.relative(repoRoot, s.file)}: ${t.name} (${t.status})\n${indent(firstLines(t.message, 6))}`);
    }
  }
}

/** 6. The browser tests: one line, and a check when they ran. */
function judgeBrowserRun(browserRun: JestRun | null, missing: string | null, { checks, details }: Findings): void {
  if (browserRun === null) {
    console.log(`browser: not run (${missing})`);
    return;
  }
  const tests = browserRun.suites.flatMap((s) => s.tests);
  const bc = counts(tests);
  const ok = browserRun.reported && browserRun.suites.every((s) => !s.failedToRun) && bc.total > 0 && bc.passed === bc.total;
  checks.push({ name: 'browser tests', ok });
  console.log(
    `browser: ${browserRun.suites.length} files, ${bc.passed}/${bc.total} tests passed (${seconds(browserRun.durationMs)})${ok ? '' : ' — FAILED'}`,
  );
  if (!browserRun.reported) details.push(`browser: ${runProblem(browserRun)}`);
  for (const s of browserRun.suites.filter((x) => x.failedToRun))
    details.push(`browser: ${path.relative(repoRoot, s.file)} failed to run:\n${indent(firstLines(s.error, 8))}`);
  for (const t of tests.filter((x) => x.status !== 'passed')) details.push(`browser: ${t.name} (${t.status})\n${indent(firstLines(t.message, 6))}`);
}

/** What went wrong (at most 40 items), the failed checks and the count line; the exit code. */
function printVerdict({ checks, details }: Findings): number {
  const failed = checks.filter((c) => !c.ok);
  if (details.length > 0) {
    console.log('\nWhat went wrong:');
    for (const d of details.slice(0, 40)) console.log(`- ${d}`);
    if (details.length > 40) console.log(`- ... and ${details.length - 40} more`);
  }
  console.log('');
  if (failed.length === 0) {
    console.log('All checks hold: lint, types, solutions pass, stubs fail, lib and tools pass.');
  } else {
    console.log(`FAILED: ${failed.map((c) => c.name).join(', ')}`);
  }
  console.log(`verify: ${checks.length - failed.length} passed, ${failed.length} failed`);
  return failed.length === 0 ? 0 : 1;
}

void main();
