/**
 * Runs jest in a child process and reads its `--json` report into per-test
 * results. Every run is killed as a process tree (scripts/cli/platform.ts), so a
 * time limit (or Ctrl-C) ends the whole run, workers included.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { killTree, ownProcessGroup } from './cli/platform';
import { repoRoot } from './manifest';

export type TestStatus = 'passed' | 'failed' | 'pending' | 'todo' | 'skipped' | 'disabled';

export interface TestCase {
  /** Describe blocks and test title joined with ' > '. */
  name: string;
  status: TestStatus;
  durationMs: number;
  /** Failure message without colours (empty when passed). */
  message: string;
}

export interface SuiteRun {
  /** Absolute path of the test file. */
  file: string;
  /** True when the file could not run at all (import error, syntax error, ...). */
  failedToRun: boolean;
  /** The reason when `failedToRun`. */
  error: string;
  tests: TestCase[];
  durationMs: number;
}

export interface JestRun {
  suites: SuiteRun[];
  /** False when jest ended without writing its report (killed before the end, crashed, process.exit). */
  reported: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  durationMs: number;
  /** The last part of jest's stdout and stderr, colours removed. */
  output: string;
}

export interface RunJestOptions {
  /** Extra jest arguments (test paths, --maxWorkers, --config, ...). */
  args: string[];
  /** Environment additions (KATA_TREE, FC_SEED, ...). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Kill the run (its whole process group) after this many milliseconds. */
  timeoutMs?: number;
  /** Called with chunks of jest's output as they arrive. */
  onOutput?: (chunk: string) => void;
}

const OUTPUT_LIMIT = 64 * 1024;
const live = new Set<number>();
let signalsHooked = false;

/** Ends every jest process group still running (used on Ctrl-C and exit). */
export function killAllRuns(): void {
  for (const pid of live) killTree(pid);
  live.clear();
}

function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  process.on('exit', killAllRuns);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      killAllRuns();
      process.exit(130);
    });
  }
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}

interface JestJson {
  testResults?: Array<{
    name: string;
    status: string;
    message?: string;
    startTime?: number;
    endTime?: number;
    assertionResults?: Array<{
      ancestorTitles?: string[];
      title: string;
      fullName?: string;
      status: TestStatus;
      duration?: number | null;
      failureMessages?: string[];
    }>;
  }>;
}

/** Converts jest's JSON report into suites and tests. */
export function parseJestJson(json: JestJson): SuiteRun[] {
  return (json.testResults ?? []).map((suite) => {
    const assertions = suite.assertionResults ?? [];
    const failedToRun = suite.status === 'failed' && assertions.length === 0;
    return {
      file: suite.name,
      failedToRun,
      error: failedToRun ? stripAnsi(suite.message ?? '').trim() : '',
      durationMs: Math.max(0, (suite.endTime ?? 0) - (suite.startTime ?? 0)),
      tests: assertions.map((a) => ({
        name: [...(a.ancestorTitles ?? []), a.title].join(' > '),
        status: a.status,
        durationMs: a.duration ?? 0,
        message: stripAnsi((a.failureMessages ?? []).join('\n')).trim(),
      })),
    };
  });
}

/** Runs jest once; resolves (never rejects) with what happened. */
export function runJest(options: RunJestOptions): Promise<JestRun> {
  hookSignals();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-jest-'));
  const outputFile = path.join(dir, 'report.json');
  const jestBin = require.resolve('jest/bin/jest', { paths: [repoRoot] });
  const args = [jestBin, ...options.args, '--json', `--outputFile=${outputFile}`, '--ci', '--colors=false'];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, FORCE_COLOR: '0', ...options.env },
      detached: ownProcessGroup(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid !== undefined) live.add(child.pid);
    let output = '';
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString();
      options.onOutput?.(text);
      output = (output + text).slice(-OUTPUT_LIMIT);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            if (child.pid !== undefined) killTree(child.pid);
          }, options.timeoutMs);
    child.on('close', (exitCode, signal) => {
      if (timer) clearTimeout(timer);
      if (child.pid !== undefined) {
        // Workers may outlive a crashed parent: end the tree.
        killTree(child.pid);
        live.delete(child.pid);
      }
      let suites: SuiteRun[] = [];
      let reported = false;
      // jest writes the report once every test has finished, so a report
      // counts even when the process then hung (open handles) and was killed
      // at the time limit; a run killed by anyone else (the code under test
      // can SIGKILL itself after writing a report of its own) has none.
      if (fs.existsSync(outputFile) && (signal === null || timedOut)) {
        try {
          suites = parseJestJson(JSON.parse(fs.readFileSync(outputFile, 'utf8')) as JestJson);
          reported = true;
        } catch {
          reported = false;
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ suites, reported, exitCode, signal, timedOut, durationMs: Date.now() - started, output: stripAnsi(output) });
    });
  });
}

/** True when a failure comes from a stub that is still untouched. */
export function isNotImplemented(message: string): boolean {
  return /NotImplementedError|Not implemented yet:/.test(message);
}

/** The first meaningful lines of a failure message: no stack frames, no blank runs. */
export function firstLines(message: string, count = 6): string {
  const lines = stripAnsi(message)
    .split('\n')
    .filter((line) => !/^\s+at /.test(line))
    .map((line) => line.trimEnd());
  const kept: string[] = [];
  for (const line of lines) {
    if (line.trim() === '' && (kept.length === 0 || kept[kept.length - 1] === '')) continue;
    kept.push(line.trim() === '' ? '' : line);
    if (kept.filter((l) => l !== '').length >= count) break;
  }
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  return kept.join('\n');
}

export type Progress = 'done' | 'failing' | 'not-started' | 'cannot-run';

/**
 * How far a learner got with one suite:
 *   done         every test passes
 *   not-started  no test passes and every failure is a NotImplementedError
 *                (the stub is untouched), or the file stops on one at import
 *   cannot-run   the test file could not run (syntax error, import error, ...)
 *   failing      anything else: some work done, some tests still red
 */
export function progressOf(suite: SuiteRun): Progress {
  if (suite.failedToRun) return isNotImplemented(suite.error) ? 'not-started' : 'cannot-run';
  const { passed, total } = counts(suite.tests);
  if (total > 0 && passed === total) return 'done';
  const failing = suite.tests.filter((t) => t.status !== 'passed');
  if (passed === 0 && failing.every((t) => isNotImplemented(t.message))) return 'not-started';
  return 'failing';
}

export function counts(tests: TestCase[]): { passed: number; failed: number; total: number } {
  const passed = tests.filter((t) => t.status === 'passed').length;
  const failed = tests.filter((t) => t.status === 'failed').length;
  return { passed, failed, total: tests.length };
}

/** Seconds with one decimal, for tables. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
