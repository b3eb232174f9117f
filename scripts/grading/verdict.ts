/**
 * One exercise of one submission: a jest run in the sandbox, and the
 * grader's judgement of it. A run counts only when
 *   - it ended by itself (exit code 0 or 1, no signal, before the time limit),
 *   - the grader's reporter wrote the verdict with this run's secret nonce,
 *   - the verdict names the grader's copy of the test file and exactly the
 *     tests the grader listed from its own copy (names and count).
 * Anything else is a timeout, a crash or tampering, never a pass.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Exercise, repoRoot } from '../manifest';
import { firstLines, isNotImplemented, parseJestJson, progressOf, SuiteRun } from '../jest-run';
import { isTamperingMessage } from './frozen';
import { CHANNEL_MAX, detectSandbox, runSandboxed, SANDBOX_ROOT, SandboxRun } from './sandbox';

export type ExerciseStatus =
  'passed' | 'failed' | 'not-started' | 'timeout' | 'crash' | 'memory' | 'compile-error' | 'missing' | 'refused' | 'rejected' | 'tampering';

export interface TestResult {
  name: string;
  passed: boolean;
  message: string;
  durationMs: number;
}

export interface ExerciseRun {
  id: string;
  status: ExerciseStatus;
  /** The tests as the grader listed them; each passed only if the verdict says so. */
  tests: TestResult[];
  /** What happened, in a few lines (empty when every test passed). */
  message: string;
  durationMs: number;
}

export interface RunLimits {
  timeLimitSeconds: number;
  memoryBytes: number;
  seed: number;
}

/** Where a workspace path appears inside the sandbox. */
export function insideRoot(wsDir: string): string {
  return detectSandbox().bubblewrap ? SANDBOX_ROOT : wsDir;
}

export interface JestCommand {
  wsDir: string;
  runDir: string;
  exercise: Exercise;
  limits: RunLimits;
  extraArgs?: string[];
  name: string;
  /** The folder of the submission's own process (prepareRealm; null with --in-process): the tests reach its code only through the channel. */
  realm?: string | null;
}

type Outcome = { run: SandboxRun; suites: SuiteRun[] | null; forged: string | false; progress: { test: string; consoleBytes: number } };

/** The jest command of an exercise's graded test file, with paths as seen inside the sandbox. */
function jestArgs(cmd: JestCommand, root: string, runInside: string): string[] {
  return [
    process.execPath,
    `${root}/node_modules/jest/bin/jest.js`,
    '--config',
    `${root}/jest.config.json`,
    '--runInBand',
    '--forceExit',
    '--ci',
    '--colors=false',
    `--cacheDirectory=${detectSandbox().bubblewrap ? '/tmp/jest-cache' : `${runInside}/cache`}`,
    ...(cmd.extraArgs ?? []),
    '--runTestsByPath',
    `${root}/${cmd.exercise.test}`,
  ];
}

/** Runs the exercise's graded test file in the sandbox; returns the run and the verdict's suites (null: no valid verdict). */
export async function runInSandbox(cmd: JestCommand): Promise<Outcome> {
  const root = insideRoot(cmd.wsDir);
  const runInside = detectSandbox().bubblewrap ? `${root}/run` : cmd.runDir;
  fs.mkdirSync(cmd.runDir, { recursive: true, mode: 0o777 });
  fs.chmodSync(cmd.runDir, 0o777);
  const nonce = crypto.randomBytes(24).toString('hex');
  const channel = cmd.realm ? startRealm(cmd) : null;
  let run = await runSandboxed({
    workspace: cmd.wsDir,
    runDir: cmd.runDir,
    // Its writable folder is in memory and size-limited; the results come back on a pipe (channelNonce).
    runTmpfsBytes: 64 * 1024 * 1024,
    channelNonce: nonce,
    nodeModules: path.join(repoRoot, 'node_modules'),
    command: jestArgs(cmd, root, runInside),
    env: {
      HOME: '/tmp',
      NODE_OPTIONS: `--max-old-space-size=${Math.floor(cmd.limits.memoryBytes / 1024 / 1024 / 2)}`,
      FC_SEED: String(cmd.limits.seed),
      FORCE_COLOR: '0',
      NO_COLOR: '1',
      ...(channel ? { KATA_REALM_REQUEST: channel.request, KATA_REALM_ANSWER: channel.answer, TMPDIR: channel.tmp } : {}),
    },
    timeoutMs: cmd.limits.timeLimitSeconds * 1000,
    memoryBytes: cmd.limits.memoryBytes,
    name: cmd.name,
    binds: channel?.binds,
  });
  if (channel) run = await endRealm(channel, run);
  return { run, ...readChannel(run, nonce) };
}

/** Stops the submission's process and counts it in the run: its memory, CPU and output are the submission's. */
async function endRealm(channel: ReturnType<typeof startRealm>, run: SandboxRun): Promise<SandboxRun> {
  channel.kill();
  const realm = await channel.run;
  fs.rmSync(channel.dir, { recursive: true, force: true });
  fs.rmSync(channel.shared, { recursive: true, force: true });
  return {
    ...run,
    memoryLimitHit: run.memoryLimitHit || realm.memoryLimitHit,
    cpuMs: run.cpuMs + realm.cpuMs,
    output: `${run.output}\n${realm.output}`.slice(-64 * 1024),
    outputBytes: run.outputBytes + realm.outputBytes,
  };
}

/** The progress and the verdict the grader's reporter wrote on the run's pipe: nothing is read from the sandbox's file system. */
function readChannel(run: SandboxRun, nonce: string): Omit<Outcome, 'run'> {
  let progress = { test: '', consoleBytes: 0 };
  let suites: SuiteRun[] | null = null;
  let forged: string | false = false;
  for (const line of (run.channel ?? '').split('\n')) {
    const space = line.indexOf(' ');
    const kind = line.slice(0, space);
    if (kind !== 'progress' && kind !== 'verdict') continue;
    let value: { test?: unknown; consoleBytes?: unknown; nonce?: unknown; testResults?: unknown };
    try {
      value = JSON.parse(line.slice(space + 1)) as typeof value;
    } catch {
      if (kind === 'verdict') forged = 'a test report not written by the grader was found';
      continue;
    }
    if (kind === 'progress') {
      progress = {
        test: typeof value.test === 'string' ? value.test : '',
        consoleBytes: typeof value.consoleBytes === 'number' ? value.consoleBytes : 0,
      };
    } else if (value.nonce === nonce && suites === null && !forged) {
      suites = parseJestJson(value as Parameters<typeof parseJestJson>[0]);
    } else {
      forged = 'a test report not written by the grader was found';
    }
  }
  if (run.channelOverflow) forged = forged || `more than ${CHANNEL_MAX} bytes were written on the grader's channel`;
  if (forged) suites = null;
  return { suites, forged, progress };
}

/** tmpfs's magic number in statfs: its pages count against the memory limit of the cgroup that writes them. */
const TMPFS_MAGIC = 0x01021994;

/**
 * The temporary folder both processes see (a test writes a damaged model
 * file, the submission's classifier reads it): on /dev/shm when that is a
 * tmpfs, so that what a submission writes there counts against the run's
 * memory limit instead of filling a disk.
 */
function sharedTemp(runDir: string): string {
  const shm = '/dev/shm';
  const onTmpfs = fs.existsSync(shm) && fs.statfsSync(shm).type === TMPFS_MAGIC;
  const dir = onTmpfs ? path.join(shm, `kata-grade-${process.pid}-${path.basename(runDir)}`) : `${runDir}-shared`;
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o1777);
  return dir;
}

/**
 * Starts the submission's own process (realm-host.js) in a sandbox of its
 * own, with two FIFOs between it and the tests and one temporary folder
 * (bound into both sandboxes, nothing else shared). Its limits are the run's.
 */
function startRealm(cmd: JestCommand): {
  request: string;
  answer: string;
  tmp: string;
  binds: [string, string][];
  run: Promise<SandboxRun>;
  kill: () => void;
  dir: string;
  shared: string;
} {
  const bubblewrap = detectSandbox().bubblewrap;
  const dir = `${cmd.runDir}-channel`;
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (const f of ['request', 'answer']) {
    const made = spawnSync('mkfifo', ['-m', '0666', path.join(dir, f)]);
    if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
  }
  const shared = sharedTemp(cmd.runDir);
  const tmp = bubblewrap ? '/shared' : shared;
  const binds: [string, string][] = bubblewrap
    ? [...['request', 'answer'].map((f) => [path.join(dir, f), `/channel/${f}`] as [string, string]), [shared, tmp]]
    : [];
  const at = (f: string): string => (bubblewrap ? `/channel/${f}` : path.join(dir, f));
  let kill: () => void = () => undefined;
  let killed = false;
  const run = runSandboxed({
    workspace: cmd.realm!,
    runDir: path.join(cmd.realm!, 'run'),
    nodeModules: '',
    noNodeModules: true,
    runTmpfsBytes: 64 * 1024 * 1024,
    binds,
    command: [
      process.execPath,
      `--max-old-space-size=${Math.floor(cmd.limits.memoryBytes / 1024 / 1024 / 2)}`,
      '--enable-source-maps',
      `${insideRoot(cmd.realm!)}/realm-host.js`,
      at('request'),
      at('answer'),
      insideRoot(cmd.realm!),
    ],
    env: { HOME: '/tmp', TMPDIR: tmp },
    timeoutMs: cmd.limits.timeLimitSeconds * 1000,
    memoryBytes: cmd.limits.memoryBytes,
    name: `${cmd.name}-realm`,
    onStart: (k) => {
      kill = k;
      if (killed) k();
    },
  });
  return {
    request: at('request'),
    answer: at('answer'),
    tmp,
    binds,
    run,
    dir,
    shared,
    kill: () => {
      killed = true;
      kill();
    },
  };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Judges one run against the grader's own list of the exercise's tests. */
export function judge(
  exercise: Exercise,
  expected: string[],
  testFile: string,
  outcome: Awaited<ReturnType<typeof runInSandbox>>,
  limits: RunLimits,
  realm = false,
): ExerciseRun {
  // With a separate realm nothing the submission does reaches the tests' built-ins: a refused write is its own bug.
  const isTampering = realm ? (): boolean => false : isTamperingMessage;
  const { run, suites, forged, progress } = outcome;
  const printed = Math.max(progress.consoleBytes, run.outputBytes);
  const flood = printed > 1024 * 1024 ? `\n(the code printed ${megabytes(printed)} to the console; output is discarded during grading)` : '';
  const none = (status: ExerciseStatus, message: string): ExerciseRun => ({
    id: exercise.id,
    status,
    tests: expected.map((name) => ({ name, passed: false, message: '', durationMs: 0 })),
    message: message + flood,
    durationMs: run.durationMs,
  });
  if (run.timedOut) {
    const during = progress.test ? ` while running "${progress.test}"` : '';
    return none('timeout', `stopped at the time limit of ${limits.timeLimitSeconds} s${during}`);
  }
  if (run.memoryLimitHit) return none('memory', `stopped at the memory limit of ${megabytes(limits.memoryBytes)}`);
  if (forged) return none('tampering', `${forged}; it was ignored and the exercise gets no points`);
  const tail = firstLines(run.output.split('\n').slice(-20).join('\n'), 8);
  const exit = /process\.exit called with "?([^"\n]*)"?/.exec(run.output);
  if (run.signal !== null || (run.exitCode !== 0 && run.exitCode !== 1) || suites === null) {
    if (exit) return none('crash', `the code called process.exit(${exit[1]}) during the tests, which ends the test run`);
    return none('crash', `the test run ended abnormally (${run.signal ?? `exit code ${run.exitCode}`}) without the grader's report:\n${tail}`);
  }
  if (exit) return none('crash', `the code called process.exit(${exit[1]}) during the tests, which ends the test run`);
  if (suites.length !== 1 || suites[0].file !== testFile)
    return none('tampering', `the report does not describe the graded test file ${exercise.test}; ignored`);
  const suite = suites[0];
  if (suite.failedToRun) {
    if (isTampering(suite.error))
      return none(
        'tampering',
        `the code tried to change a built-in that the tests rely on:\n${firstLines(suite.error.replace(/^.*Test suite failed to run\s*/s, ''), 4)}`,
      );
    const status: ExerciseStatus = isNotImplemented(suite.error) ? 'not-started' : 'crash';
    const frame = /(exercises\/\d{2}-[^/\s]+\/[^\s():]+):(\d+):\d+/.exec(suite.error);
    const where = frame ? ` (at ${frame[1]}:${frame[2]})` : '';
    return none(status, `the test file could not run${where}:\n${firstLines(suite.error.replace(/^.*Test suite failed to run\s*/s, ''), 8)}`);
  }
  const names = suite.tests.map((t) => t.name);
  if (names.length !== expected.length || names.some((n, i) => n !== expected[i])) {
    return none('tampering', `the report lists ${names.length} tests, the graded file has ${expected.length} (or other names); ignored`);
  }
  const tampered = suite.tests.find((t) => isTampering(t.message));
  if (tampered)
    return none('tampering', `the code tried to change a built-in that the tests rely on (in "${tampered.name}"):\n${firstLines(tampered.message, 3)}`);
  const tests = suite.tests.map((t) => ({
    name: t.name,
    passed: t.status === 'passed',
    message: t.status === 'passed' ? '' : firstLines(t.message, 12),
    durationMs: t.durationMs,
  }));
  const progressState = progressOf(suite);
  const status: ExerciseStatus = progressState === 'done' ? 'passed' : progressState === 'not-started' ? 'not-started' : 'failed';
  const failing = tests.filter((t) => !t.passed);
  const message =
    status === 'passed'
      ? ''
      : status === 'not-started'
        ? 'every test fails with NotImplementedError (not started)'
        : `${failing.length} of ${tests.length} tests fail; first: ${failing[0].name}\n${firstLines(failing[0].message, 4)}`;
  return { id: exercise.id, status, tests, message: (message + flood).trim(), durationMs: run.durationMs };
}
