/**
 * npm run grade -- <submission>... [--out DIR] [--only IDS] [--jobs N] [--time-limit S] [--seed N] [--keep]
 *
 * Grades copies of exercises/ (one folder per student) with the suite's own
 * tests and the points of scripts/manifest.json. Each exercise of each
 * submission runs in its own jest process under the manifest's time limit, so
 * an infinite loop, a crash, a `process.exit`, a syntax or type error or a
 * missing file costs that exercise only.
 *
 * How a submission is run: it is copied to a temporary workspace
 *   <ws>/exercises      the submission
 *   <ws>/lib            -> this repository's lib/ (a symlink; jest resolves it to
 *                          the real path, so there is one Tensor class)
 *   <ws>/node_modules   -> this repository's node_modules/
 *   <ws>/types          the type checker's view of the same files (see prepareWorkspace)
 * and jest runs from this repository (rootDir) with `@kata` mapped to
 * <ws>/exercises: the tests are always this repository's tests/, never files
 * from the submission.
 *
 * Types: the TypeScript checker runs once per submission, on its files and the
 * graded tests (scripts/typecheck.ts, one process for all submissions). An
 * exercise whose files (or whose test, against the submission's signatures)
 * have type errors scores 0 as "compile-error", as `npm test` would fail that
 * suite on the learner's machine. The jest runs themselves only transpile
 * (ts-jest isolatedModules, scripts/jest-config.ts): about five times cheaper
 * than type-checking inside every jest process.
 *
 * Outputs in --out (default grades/): class.csv, <submission>.json, <submission>.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Exercise, findExercise, listFiles, loadManifest, repoRoot } from './manifest';
import { counts, firstLines, isNotImplemented, JestRun, progressOf, runJest, seconds, TestCase } from './jest-run';
import { writeJestConfig } from './jest-config';
import { formatTable } from './ui/table';

export type ExerciseStatus = 'passed' | 'failed' | 'not-started' | 'timeout' | 'crash' | 'compile-error' | 'missing';

/** One test in the JSON report (the fields of a classroom autograding reporter, plus the exercise). */
export interface TestGrade {
  exercise: string;
  name: string;
  status: 'pass' | 'fail' | 'error';
  score: number;
  max_score: number;
  message: string;
  /** Milliseconds. */
  duration: number;
}

export interface ExerciseGrade {
  id: string;
  status: ExerciseStatus;
  passed: number;
  /** Number of tests, or null when the suite did not run. */
  total: number | null;
  score: number;
  maxScore: number;
  /** What happened, in a few lines (empty when every test passed). */
  message: string;
  /** For compile errors: the test results when types are ignored. */
  passedIgnoringTypes?: string;
  durationMs: number;
  tests: TestGrade[];
}

export interface SubmissionGrade {
  version: 1;
  submission: string;
  status: 'pass' | 'fail';
  score: number;
  max_score: number;
  fcSeed: number;
  exercises: Omit<ExerciseGrade, 'tests'>[];
  tests: TestGrade[];
}

interface Options {
  submissions: string[];
  out: string;
  only: Exercise[] | null;
  jobs: number;
  timeLimitSeconds: number | null;
  seed: number;
  keep: boolean;
}

const USAGE = `usage: npm run grade -- <submission-folder>... [options]

Each submission is a folder laid out like exercises/ (or a copy of the whole
repository, in which case its exercises/ folder is used).

options:
  --out DIR          where to write class.csv, <name>.json, <name>.md (default grades/)
  --only IDS         grade only these exercises, e.g. --only 02,05 (numbers or ids)
  --jobs N           parallel jest processes (default: number of cores)
  --time-limit S     use S seconds for every exercise instead of the manifest's limits
  --seed N           fast-check seed shared by every run (default 42; or FC_SEED)
  --keep             keep the temporary workspaces and print where they are`;

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

function parseArgs(argv: string[]): Options {
  const manifest = loadManifest();
  const opts: Options = {
    submissions: [],
    out: path.join(repoRoot, 'grades'),
    only: null,
    jobs: Math.max(1, os.availableParallelism?.() ?? os.cpus().length),
    timeLimitSeconds: null,
    seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : 42,
    keep: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    const number = (name: string, min: number): number => {
      const v = Number(value());
      if (!Number.isFinite(v) || v < min) throw new UsageError(`${name} must be a number >= ${min}`);
      return v;
    };
    if (arg === '--help' || arg === '-h') throw new UsageError('');
    else if (arg === '--out') opts.out = path.resolve(value());
    else if (arg === '--only') {
      const ids = value().split(/[,\s]+/).filter(Boolean);
      const picked = ids.map((id) => findExercise(manifest, id));
      opts.only = [...(opts.only ?? []), ...picked];
    } else if (arg === '--jobs') opts.jobs = Math.floor(number('--jobs', 1));
    else if (arg === '--time-limit') opts.timeLimitSeconds = number('--time-limit', 1);
    else if (arg === '--seed') opts.seed = Math.floor(number('--seed', 0));
    else if (arg === '--keep') opts.keep = true;
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else opts.submissions.push(path.resolve(arg));
  }
  if (opts.submissions.length === 0) throw new UsageError('give at least one submission folder');
  return opts;
}

class UsageError extends Error {}

// ---------------------------------------------------------------------------
// Workspaces

interface Workspace {
  name: string;
  dir: string;
  exercisesDir: string;
  jestConfig: string;
  tscConfig: string;
}

/** The folder holding the exercise folders: the submission itself, or its exercises/ when it is a whole repository. */
function exerciseRoot(submission: string): string {
  const hasExerciseFolders = fs.readdirSync(submission).some((e) => /^\d{2}-/.test(e));
  const nested = path.join(submission, 'exercises');
  return !hasExerciseFolders && fs.existsSync(nested) ? nested : submission;
}

function prepareWorkspace(root: string, name: string, submission: string, exercises: Exercise[]): Workspace {
  const dir = path.join(root, name);
  const exercisesDir = path.join(dir, 'exercises');
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(exerciseRoot(submission), exercisesDir, {
    recursive: true,
    filter: (src) => !['node_modules', '.git'].includes(path.basename(src)),
  });
  fs.symlinkSync(path.join(repoRoot, 'lib'), path.join(dir, 'lib'), 'dir');
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');

  // ts-jest only transpiles here; tsc checks the types once (below).
  const jestConfig = writeJestConfig({
    dir,
    tree: exercisesDir,
    setupFiles: [path.join(repoRoot, 'scripts', 'grade-progress.ts')],
  });

  // tsc: the submission plus the graded tests, with @kata pointing at the submission.
  // TypeScript does not resolve symlinks for relative imports, so through <ws>/lib
  // it would see a second copy of lib/ (and a second, incompatible Tensor type).
  // Its view is <ws>/types: exercises/ (a link to the copy) and no lib/ beside it;
  // rootDirs makes `../../lib/...` fall through to this repository's lib/.
  const typesDir = path.join(dir, 'types');
  fs.mkdirSync(typesDir);
  fs.symlinkSync(path.join('..', 'exercises'), path.join(typesDir, 'exercises'), 'dir');
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(typesDir, 'node_modules'), 'dir');
  const tscConfig = path.join(typesDir, 'tsconfig.json');
  fs.writeFileSync(
    tscConfig,
    JSON.stringify(
      {
        extends: path.join(repoRoot, 'tsconfig.json'),
        compilerOptions: { baseUrl: '.', paths: { '@kata/*': ['exercises/*'] }, rootDirs: ['.', repoRoot], noEmit: true },
        include: [...exercises.map((e) => `exercises/${e.id}`), path.join(repoRoot, 'tests', 'helpers'), ...exercises.map((e) => path.join(repoRoot, e.test))],
        exclude: [],
      },
      null,
      2,
    ),
  );
  return { name, dir, exercisesDir, jestConfig, tscConfig };
}

// ---------------------------------------------------------------------------
// Type check

/** Sorts tsc's output for a workspace into type errors per exercise id. */
function typeErrorsByExercise(ws: Workspace, exercises: Exercise[], out: string): Map<string, string[]> {
  const cwd = path.dirname(ws.tscConfig);
  const byExercise = new Map<string, string[]>();
  // The same files may be named through the link, the copy or its real path.
  const bases = [path.join(cwd, 'exercises'), ws.exercisesDir, fs.realpathSync(ws.exercisesDir)];
  let current: string[] | null = null;
  for (const line of out.split('\n')) {
    const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+: .*)$/.exec(line);
    if (m) {
      const file = path.resolve(cwd, m[1]);
      const base = bases.find((b) => file.startsWith(b + path.sep));
      const id = exerciseOfFile(file, base, exercises);
      const where = base ? `exercises/${path.relative(base, file)}` : path.relative(repoRoot, file);
      if (id === null) {
        current = null;
        continue;
      }
      current = byExercise.get(id) ?? [];
      byExercise.set(id, current);
      current.push(`${where}:${m[2]}:${m[3]} ${m[4]}`);
    } else if (current && /^\s+\S/.test(line)) {
      current[current.length - 1] += `\n${line}`;
    }
  }
  return byExercise;
}

/**
 * Type-checks every workspace in one process (scripts/typecheck.ts shares the
 * parsed declaration files between them); calls `done` for each as it finishes.
 */
function typeCheckAll(workspaces: Workspace[], exercises: Exercise[], done: (ws: Workspace, errors: Map<string, string[]>) => void): Promise<void> {
  const tsNode = require.resolve('ts-node/dist/bin.js', { paths: [repoRoot] });
  const script = path.join(repoRoot, 'scripts', 'typecheck.ts');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsNode, script, ...workspaces.map((ws) => ws.tscConfig)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    let stderr = '';
    const seen = new Set<Workspace>();
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        const { config, output } = JSON.parse(line) as { config: string; output: string };
        const ws = workspaces.find((w) => w.tscConfig === config);
        if (!ws) continue;
        seen.add(ws);
        done(ws, typeErrorsByExercise(ws, exercises, output));
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', () => {
      for (const ws of workspaces.filter((w) => !seen.has(w))) {
        // The checker itself failed: say so rather than pretend the code is clean.
        console.error(`grade: the type check of ${ws.name} did not finish:\n${firstLines(stderr, 6)}`);
        done(ws, new Map());
      }
      resolve();
    });
  });
}

/** The exercise a type error belongs to: the folder of a submission file, or the exercise of a test file. */
function exerciseOfFile(file: string, base: string | undefined, exercises: Exercise[]): string | null {
  if (base) {
    const folder = path.relative(base, file).split(path.sep)[0];
    return exercises.some((e) => e.id === folder) ? folder : null;
  }
  const test = exercises.find((e) => path.join(repoRoot, e.test) === file);
  return test ? test.id : null;
}

// ---------------------------------------------------------------------------
// One exercise

function missingFiles(ws: Workspace, exercise: Exercise): string[] {
  const expected = listFiles(path.join(repoRoot, 'exercises', exercise.id)).filter((f) => f.endsWith('.ts'));
  const folder = path.join(ws.exercisesDir, exercise.id);
  if (!fs.existsSync(folder)) return [`${exercise.id}/`];
  return expected.filter((f) => !fs.existsSync(path.join(folder, f))).map((f) => `${exercise.id}/${f}`);
}

/** Test scores: per-test = points * passed / total; all-or-nothing = points only when every test passes. */
export function scoreExercise(exercise: Exercise, tests: TestCase[]): { score: number; testScores: number[]; share: number } {
  const { passed, total } = counts(tests);
  const share = total > 0 ? exercise.points / total : 0;
  if (total === 0) return { score: 0, testScores: [], share };
  if (exercise.scoring === 'all-or-nothing') {
    const all = passed === total;
    return { score: all ? exercise.points : 0, testScores: tests.map(() => (all ? share : 0)), share };
  }
  return {
    score: round((exercise.points * passed) / total, 2),
    testScores: tests.map((t) => (t.status === 'passed' ? round(share, 4) : 0)),
    share,
  };
}

/** An exercise whose suite did not run to the end: zero points, one 'error' entry that says why. */
function exerciseEntry(id: string, points: number, status: ExerciseStatus, message: string, durationMs: number): ExerciseGrade {
  return {
    id,
    status,
    passed: 0,
    total: null,
    score: 0,
    maxScore: points,
    message,
    durationMs,
    tests: [{ exercise: id, name: `${id} (${status})`, status: 'error', score: 0, max_score: points, message, duration: durationMs }],
  };
}

/** Turns one jest run into the exercise's grade. */
export function gradeRun(exercise: Exercise, run: JestRun, limitSeconds: number, lastTest: string): ExerciseGrade {
  if (run.timedOut && !run.reported) {
    const during = lastTest ? ` while running "${lastTest}"` : '';
    return exerciseEntry(exercise.id, exercise.points, 'timeout', `stopped at the time limit of ${limitSeconds} s${during}`, run.durationMs);
  }
  if (!run.reported) {
    const exit = /process\.exit called with "?([^"\n]*)"?/.exec(run.output);
    const message = exit
      ? `the code called process.exit(${exit[1]}) during the tests, which ends the test run`
      : `the test run crashed (exit code ${run.exitCode ?? run.signal}):\n${firstLines(run.output.split('\n').slice(-20).join('\n'), 8)}`;
    return exerciseEntry(exercise.id, exercise.points, 'crash', message, run.durationMs);
  }
  const suite = run.suites[0];
  if (!suite) return exerciseEntry(exercise.id, exercise.points, 'crash', `jest found no test file ${exercise.test}`, run.durationMs);
  if (suite.failedToRun) {
    const status: ExerciseStatus = isNotImplemented(suite.error) ? 'not-started' : 'crash';
    // Name the submission file the error came from (its stack frame), if any.
    const frame = /(exercises\/\d{2}-[^/\s]+\/[^\s():]+):(\d+):\d+/.exec(suite.error);
    const where = frame ? ` (at ${frame[1]}:${frame[2]})` : '';
    const reason = firstLines(suite.error.replace(/^.*Test suite failed to run\s*/s, ''), 8);
    return exerciseEntry(exercise.id, exercise.points, status, `the test file could not run${where}:\n${reason}`, run.durationMs);
  }
  const { passed, total } = counts(suite.tests);
  const { score, testScores, share } = scoreExercise(exercise, suite.tests);
  const failing = suite.tests.filter((t) => t.status !== 'passed');
  const progress = progressOf(suite);
  const status: ExerciseStatus = progress === 'done' ? 'passed' : progress === 'not-started' ? 'not-started' : 'failed';
  const message =
    status === 'passed'
      ? ''
      : status === 'not-started'
        ? `every test fails with NotImplementedError (not started)`
        : `${failing.length} of ${total} tests fail; first: ${failing[0].name}\n${firstLines(failing[0].message, 4)}`;
  return {
    id: exercise.id,
    status,
    passed,
    total,
    score,
    maxScore: exercise.points,
    message,
    durationMs: run.durationMs,
    tests: suite.tests.map((t, i) => ({
      exercise: exercise.id,
      name: t.name,
      status: t.status === 'passed' ? 'pass' : 'fail',
      score: testScores[i],
      max_score: round(share, 4),
      message: t.status === 'passed' ? '' : firstLines(t.message, 12),
      duration: t.durationMs,
    })),
  };
}

async function gradeExercise(ws: Workspace, exercise: Exercise, opts: Options): Promise<ExerciseGrade> {
  const missing = missingFiles(ws, exercise);
  if (missing.length > 0) return exerciseEntry(exercise.id, exercise.points, 'missing', `missing from the submission: ${missing.join(', ')}`, 0);
  const limitSeconds = opts.timeLimitSeconds ?? exercise.timeLimitSeconds;
  const progressFile = path.join(ws.dir, `progress-${exercise.id}.txt`);
  const run = await runJest({
    // --forceExit: a timer or socket left open by the code under test must not hold the run.
    args: ['--config', ws.jestConfig, '--runInBand', '--forceExit', '--runTestsByPath', path.join(repoRoot, exercise.test)],
    env: { KATA_TREE: ws.exercisesDir, FC_SEED: String(opts.seed), FC_PATH: undefined, KATA_PROGRESS_FILE: progressFile },
    timeoutMs: limitSeconds * 1000,
  });
  const lastTest = fs.existsSync(progressFile) ? fs.readFileSync(progressFile, 'utf8') : '';
  return gradeRun(exercise, run, limitSeconds, lastTest);
}

/** Marks exercises with type errors as compile errors (score 0), keeping what the tests said as a note. */
export function applyTypeErrors(grade: ExerciseGrade, errors: string[] | undefined): ExerciseGrade {
  if (!errors || errors.length === 0 || grade.status === 'missing') return grade;
  const shown = errors.slice(0, 3).map((e) => firstLines(e, 3));
  const more = errors.length > 3 ? `\n(and ${errors.length - 3} more type errors)` : '';
  const message = `TypeScript errors (npm test fails this suite):\n${shown.join('\n')}${more}`;
  const entry = exerciseEntry(grade.id, grade.maxScore, 'compile-error', message, grade.durationMs);
  entry.passedIgnoringTypes = grade.total === null ? `did not run (${grade.status})` : `${grade.passed}/${grade.total}`;
  return entry;
}

/** Type-checks one submission on its own (the check grade runs); errors per exercise id. */
export async function typeCheckSubmission(submission: string, exerciseIds: string[]): Promise<Map<string, string[]>> {
  const exercises = loadManifest().exercises.filter((e) => exerciseIds.includes(e.id));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-grade-'));
  try {
    let result = new Map<string, string[]>();
    await typeCheckAll([prepareWorkspace(root, path.basename(submission), submission, exercises)], exercises, (_ws, errors) => (result = errors));
    return result;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// Pool

async function runPool(tasks: (() => Promise<void>)[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++];
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
}

// ---------------------------------------------------------------------------
// Outputs

const STATUS_MARK: Record<ExerciseStatus, string> = {
  passed: '',
  failed: '',
  'not-started': '',
  timeout: ' T',
  crash: ' C',
  'compile-error': ' E',
  missing: ' M',
};

function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function classCsv(grades: SubmissionGrade[], exercises: Exercise[]): string {
  const header = ['submission', ...exercises.map((e) => e.id), 'total', 'max'];
  const rows = grades.map((g) => [
    csvCell(g.submission),
    ...exercises.map((e) => String(g.exercises.find((x) => x.id === e.id)?.score ?? 0)),
    String(g.score),
    String(g.max_score),
  ]);
  return [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

function passedText(e: Omit<ExerciseGrade, 'tests'>): string {
  return e.total === null ? '-' : `${e.passed}/${e.total}`;
}

export function submissionMarkdown(g: SubmissionGrade, tests: TestGrade[]): string {
  const lines = [`# ${g.submission}`, '', `Score: **${g.score} / ${g.max_score}**`, ''];
  lines.push('| exercise | status | tests passed | score |', '| --- | --- | --- | --- |');
  for (const e of g.exercises) lines.push(`| ${e.id} | ${e.status} | ${passedText(e)} | ${e.score} / ${e.maxScore} |`);
  for (const e of g.exercises.filter((x) => x.status !== 'passed')) {
    lines.push('', `## ${e.id}: ${e.status}`, '');
    if (e.passedIgnoringTypes) lines.push(`With the type errors ignored, the tests give: ${e.passedIgnoringTypes}.`, '');
    const failing = tests.filter((t) => t.exercise === e.id && t.status !== 'pass');
    if (e.status === 'failed') {
      for (const t of failing.slice(0, 10)) lines.push(`- ${t.name}`, '', '  ```', ...t.message.split('\n').map((l) => `  ${l}`), '  ```', '');
      if (failing.length > 10) lines.push(`- and ${failing.length - 10} more failing tests (see the JSON report)`);
    } else {
      lines.push('```', e.message, '```');
    }
  }
  return lines.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}

function classTable(grades: SubmissionGrade[], exercises: Exercise[]): string {
  const headers = ['submission', ...exercises.map((e) => e.id.slice(0, 2)), 'total', 'max'];
  const rows = grades.map((g) => [
    g.submission,
    ...exercises.map((e) => {
      const x = g.exercises.find((y) => y.id === e.id)!;
      return `${x.score}${STATUS_MARK[x.status]}`;
    }),
    g.score,
    g.max_score,
  ]);
  return formatTable(headers, rows, { align: ['left', ...exercises.map(() => 'right' as const), 'right', 'right'] });
}

function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}

// ---------------------------------------------------------------------------

export async function grade(opts: Options): Promise<SubmissionGrade[]> {
  const manifest = loadManifest();
  const exercises = opts.only ? manifest.exercises.filter((e) => opts.only!.some((o) => o.id === e.id)) : manifest.exercises;
  const names = opts.submissions.map((s) => path.basename(s));
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new UsageError(`two submissions are named "${duplicate}"; folder names must differ`);
  for (const s of opts.submissions) {
    if (!fs.existsSync(s) || !fs.statSync(s).isDirectory()) throw new UsageError(`not a folder: ${s}`);
  }

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-grade-'));
  const workspaces = opts.submissions.map((s, i) => prepareWorkspace(root, names[i], s, exercises));
  const typeErrors = new Map<string, Map<string, string[]>>();
  const results = new Map<string, ExerciseGrade>();
  const key = (ws: Workspace, e: Exercise): string => `${ws.name}\u0000${e.id}`;

  // Job order: the exercises with long time limits (the MNIST ones) first, as
  // they set the wall time; then the type checks; then the rest, longest first.
  const total = workspaces.length * (exercises.length + 1);
  let done = 0;
  const report = (text: string): void => console.log(`[${String(++done).padStart(String(total).length)}/${total}] ${text}`);
  const typeJob = async (): Promise<void> => {
    const started = Date.now();
    await typeCheckAll(workspaces, exercises, (ws, errors) => {
      typeErrors.set(ws.name, errors);
      const bad = [...errors.keys()];
      report(`${ws.name}: type check ${bad.length === 0 ? 'clean' : `errors in ${bad.join(', ')}`} (${seconds(Date.now() - started)})`);
    });
  };
  const exerciseJob = (ws: Workspace, e: Exercise) => async () => {
    const g = await gradeExercise(ws, e, opts);
    results.set(key(ws, e), g);
    report(`${ws.name} ${e.id}: ${g.status} ${passedText(g)} (${seconds(g.durationMs)})`);
  };
  const order = [...exercises].sort((a, b) => b.timeLimitSeconds - a.timeLimitSeconds || a.id.localeCompare(b.id));
  const isLong = (e: Exercise): boolean => e.timeLimitSeconds >= 120;
  const jobsOf = (list: Exercise[]) => list.flatMap((e) => workspaces.map((ws) => exerciseJob(ws, e)));
  const tasks = [...jobsOf(order.filter(isLong)), typeJob, ...jobsOf(order.filter((e) => !isLong(e)))];
  await runPool(tasks, opts.jobs);

  const grades: SubmissionGrade[] = workspaces.map((ws) => {
    const list = exercises.map((e) => applyTypeErrors(results.get(key(ws, e))!, typeErrors.get(ws.name)?.get(e.id)));
    const score = round(list.reduce((s, g) => s + g.score, 0), 2);
    const max = exercises.reduce((s, e) => s + e.points, 0);
    return {
      version: 1,
      submission: ws.name,
      status: score === max ? 'pass' : 'fail',
      score,
      max_score: max,
      fcSeed: opts.seed,
      exercises: list.map(({ tests: _tests, ...rest }) => rest),
      tests: list.flatMap((g) => g.tests),
    };
  });
  grades.sort((a, b) => a.submission.localeCompare(b.submission));

  fs.mkdirSync(opts.out, { recursive: true });
  fs.writeFileSync(path.join(opts.out, 'class.csv'), classCsv(grades, exercises));
  for (const g of grades) {
    fs.writeFileSync(path.join(opts.out, `${safeFileName(g.submission)}.json`), JSON.stringify(g, null, 2) + '\n');
    fs.writeFileSync(path.join(opts.out, `${safeFileName(g.submission)}.md`), submissionMarkdown(g, g.tests));
  }
  if (opts.keep) console.log(`workspaces kept in ${root}`);
  else fs.rmSync(root, { recursive: true, force: true });

  console.log('');
  console.log(classTable(grades, exercises));
  const marks = Object.entries({ T: 'timeout', C: 'crash', E: 'compile error', M: 'missing' });
  console.log(`\n${marks.map(([k, v]) => `${k} = ${v}`).join(', ')}; details in ${path.relative(process.cwd(), opts.out) || '.'}/<submission>.md`);
  return grades;
}

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError || err instanceof Error) {
      if (err.message) console.error(`grade: ${err.message}\n`);
      console.error(USAGE);
      process.exit(err.message ? 2 : 0);
    }
    throw err;
  }
  const started = Date.now();
  try {
    await grade(opts);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`grade: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  console.log(`graded ${opts.submissions.length} submission(s) in ${seconds(Date.now() - started)}`);
}

if (require.main === module) void main();
