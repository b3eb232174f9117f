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
import { Exercise, lint, loadManifest, repoRoot } from './manifest';
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

async function main(): Promise<void> {
  const started = Date.now();
  const manifest = loadManifest();
  const checks: Check[] = [];
  const say = (text: string): void => console.log(`verify: ${text}`);

  // 1. lint
  const lintErrors = [...lint(), ...checkBoundaries(repoRoot).map(formatViolation)];
  checks.push({ name: 'lint', ok: lintErrors.length === 0, detail: lintErrors.join('\n') });
  say(lintErrors.length === 0 ? 'lint: the manifest and both trees agree; every import keeps to its tier' : `lint: ${lintErrors.length} problem(s)`);
  for (const e of lintErrors) console.log(`  - ${e}`);

  const withTests = manifest.exercises.filter((e) => fs.existsSync(path.join(repoRoot, e.test)));
  const testPaths = withTests.map((e) => path.join(repoRoot, e.test));
  const workers = '--maxWorkers=2';
  // jest only strips types in these runs: step 2 (tsc) checks the types of everything once.
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-verify-'));
  const configFor = (tree: string): string => writeJestConfig({ dir: path.join(configDir, tree), tree: path.join(repoRoot, tree) });
  const exerciseRun = (tree: 'solutions' | 'exercises'): Promise<JestRun | null> =>
    testPaths.length === 0
      ? Promise.resolve(null)
      : runJest({ args: ['--config', configFor(tree), workers, '--runTestsByPath', ...testPaths], env: { KATA_TREE: tree } }).then((run) => {
          say(`${tree} run finished (${seconds(run.durationMs)})`);
          return run;
        });

  // The machine's speed before the runs below load it, for the reference's times.
  const calibrationNs = process.argv.includes('--write-reference-times') ? calibration() : 0;

  // 2-5 run side by side: the MNIST suites of 06/07 keep one core busy for a
  // minute or more, and the other runs fill the second core meanwhile.
  say('started: type check (tsc), exercise suites against solutions/ and against the stubs, tests of lib and tools ...');
  const [tsc, solutions, stubs, toolRun] = await Promise.all([
    // The playground's page has its own project: it compiles with the browser's types.
    Promise.all([runTsc(), runTsc('playground/tsconfig.json')]).then(([main, page]) => {
      const r = {
        ok: main.ok && page.ok,
        output: [main.output, page.output].filter(Boolean).join('\n'),
        durationMs: Math.max(main.durationMs, page.durationMs),
      };
      say(`type check ${r.ok ? 'passed' : 'FAILED'} (${seconds(r.durationMs)})`);
      return r;
    }),
    exerciseRun('solutions'),
    exerciseRun('exercises'),
    runJest({ args: ['--config', configFor('exercises'), workers, '/tests/(lib|tools|engine|helpers)/'], env: { KATA_TREE: undefined } }).then((run) => {
      say(`lib and tools run finished (${seconds(run.durationMs)})`);
      return run;
    }),
  ]);
  // 6. after the rest: the browser tests start a server and Chromium, and train a small model.
  const missing = chromiumMissing();
  const browserRun =
    missing === null
      ? await runJest({ args: ['--config', configFor('exercises'), '--runInBand', '/tests/browser/'], env: { KATA_TREE: undefined } })
      : null;
  if (missing !== null) say(`NOT RUN: browser tests (${missing})`);
  else say(`browser tests finished (${seconds(browserRun!.durationMs)})`);
  fs.rmSync(configDir, { recursive: true, force: true });

  // Per-exercise rows and checks.
  const rows: (string | number)[][] = [];
  const details: string[] = [];
  for (const e of manifest.exercises) {
    const title = e.title.en.length > 44 ? `${e.title.en.slice(0, 43)}…` : e.title.en;
    if (!withTests.includes(e)) {
      rows.push([e.id, title, '-', '-', '-', '-', '-', 'no test file']);
      checks.push({ name: `${e.id} on solutions`, ok: false, detail: `${e.test} does not exist` });
      checks.push({ name: `${e.id} on stubs`, ok: false, detail: `${e.test} does not exist` });
      continue;
    }
    const sol = suiteFor(solutions, e);
    const stub = suiteFor(stubs, e);
    const problems: string[] = [];

    let solText = '-';
    let solOk = false;
    if (!sol) {
      problems.push('no result on solutions');
      details.push(`${e.id} on solutions: ${solutions ? (runProblem(solutions) ?? 'no result') : 'not run'}`);
    } else if (sol.failedToRun) {
      problems.push('suite failed to run on solutions');
      details.push(`${e.id} on solutions: the suite failed to run:\n${indent(firstLines(sol.error, 8))}`);
    } else {
      const c = counts(sol.tests);
      solText = `${c.passed}/${c.total}`;
      solOk = c.total > 0 && c.passed === c.total;
      if (c.total === 0) problems.push('no tests');
      const failing = sol.tests.filter((t) => t.status !== 'passed');
      if (failing.length > 0) {
        problems.push(`${failing.length} fail on solutions`);
        for (const t of failing.slice(0, 3)) details.push(`${e.id} on solutions, failing: ${t.name}\n${indent(firstLines(t.message, 6))}`);
      }
    }

    let stubText = '-';
    let stubOk = false;
    if (!stub) {
      problems.push('no result on stubs');
      details.push(`${e.id} on stubs: ${stubs ? (runProblem(stubs) ?? 'no result') : 'not run'}`);
    } else if (stub.failedToRun) {
      problems.push('suite failed to run on stubs');
      details.push(`${e.id} on stubs: the suite failed to run (each test must fail on its own):\n${indent(firstLines(stub.error, 8))}`);
    } else {
      const c = counts(stub.tests);
      stubText = `${c.passed}/${c.total}`;
      const passing = stub.tests.filter((t) => t.status !== 'failed');
      stubOk = c.total > 0 && passing.length === 0;
      if (passing.length > 0) {
        problems.push(`${passing.length} pass on stubs`);
        details.push(
          `${e.id} on stubs, these must fail but did not:\n${passing
            .slice(0, 10)
            .map((t) => `    ${t.name} (${t.status})`)
            .join('\n')}`,
        );
      }
    }
    checks.push({ name: `${e.id} on solutions`, ok: solOk });
    checks.push({ name: `${e.id} on stubs`, ok: stubOk });
    const tests = sol && !sol.failedToRun ? sol.tests.length : stub && !stub.failedToRun ? stub.tests.length : '-';
    rows.push([
      e.id,
      title,
      tests,
      solText,
      stubText,
      sol ? seconds(sol.durationMs) : '-',
      stub ? seconds(stub.durationMs) : '-',
      problems.length === 0 ? 'ok' : problems.join('; '),
    ]);
  }

  if (solutions?.reported && process.argv.includes('--write-reference-times')) {
    writeReferenceTimes(referenceTimesOf(withTests, solutions.suites, calibrationNs));
    say(`wrote ${path.relative(repoRoot, REFERENCE_TIMES_FILE)}`);
  }

  // The stubs' known results, shown by `npm run kata` without running them.
  if (stubs?.reported) {
    const actual = stubResultsOf(manifest, path.join(repoRoot, 'exercises'), stubs.suites);
    if (process.argv.includes('--write-stub-results')) {
      writeStubResults(actual);
      say(`wrote ${path.relative(repoRoot, STUB_RESULTS_FILE)}`);
    }
    const stale = staleStubResults(readStubResults(), actual);
    checks.push({ name: 'stub results', ok: stale.length === 0 });
    if (stale.length > 0) {
      details.push(
        `${path.relative(repoRoot, STUB_RESULTS_FILE)} does not say what the stubs give for ${stale.join(', ')}: npm run verify -- --write-stub-results`,
      );
    }
  }

  console.log('');
  console.log(
    formatTable(['exercise', 'title', 'tests', 'solutions', 'stubs', 'time sol.', 'time stubs', 'verdict'], rows, {
      align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'left'],
    }),
  );

  // lib + tools line
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
  if (browserRun !== null) {
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
  } else {
    console.log(`browser: not run (${missing})`);
  }
  if (!tsc.ok) details.unshift(`tsc --noEmit (tsconfig.json, playground/tsconfig.json):\n${indent(tsc.output.split('\n').slice(0, 15).join('\n'))}`);

  console.log(`total wall time: ${seconds(Date.now() - started)}`);
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
  process.exitCode = failed.length === 0 ? 0 : 1;
}

void main();
