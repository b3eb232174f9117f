/**
 * npm run grade -- <submission>... [options]
 * npm run grade -- merge <shard-out>... --out DIR
 *
 * Grades copies of exercises/ (one folder per student) with the suite's own
 * tests and the points of scripts/manifest.json. A submission is untrusted
 * code (README.md, "The trust model"):
 *   - it is copied (regular files only) into its own workspace with copies of
 *     the tests, lib/ and the configuration (scripts/grading/workspace.ts);
 *   - its code runs in a process of its own (its realm), in a sandbox that
 *     holds only that code; the tests, in another sandboxed process, reach
 *     it through a typed channel (scripts/grading/realm-*.js), so nothing it
 *     does reaches the tests, their helpers or the grader;
 *   - the gate reads its code without running it: imports that leave the
 *     tree, node modules, process, eval, ... (scripts/grading/gate.ts), a
 *     flag for the instructor (with --in-process, a refusal);
 *   - each exercise runs in its own pair of processes, with a time and
 *     memory limit on each process tree (scripts/grading/sandbox.ts);
 *   - the verdict comes from the grader's reporter, checked against the
 *     grader's own list of tests (scripts/grading/verdict.ts);
 *   - the type check runs per submission in the sandbox, with its own limits.
 * Outputs in --out (default grades/): class.csv, <name>.json, <name>.md.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import ts from 'typescript';
import { Exercise, findExercise, listFiles, loadManifest, repoRoot } from './manifest';
import { TREES } from './trees';
import { firstLines, seconds } from './jest-run';
import { formatTable } from './ui/table';
import { UsageError } from './cli/command';
import { graderFingerprint } from './grading/fingerprint';
import { gate, GateResult, normalisedTokens, similarity } from './grading/gate';
import {
  classCsv,
  classroomResult,
  ExerciseGrade,
  formatScore,
  reportFileNames,
  runningTotal,
  SubmissionGrade,
  submissionJson,
  submissionMarkdown,
  TestGrade,
  testScores,
} from './grading/reports';
import { detectSandbox, onInterrupt, runSandboxed } from './grading/sandbox';
import { ExerciseRun, ExerciseStatus, insideRoot, judge, RunLimits, runInSandbox } from './grading/verdict';
import { prepareWorkspace, Workspace } from './grading/workspace';

/** Characters that would break a terminal line or a table cell: shown as '?'. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;
import { shardOf, mergeShards } from './grading/shards';

export type { SubmissionGrade } from './grading/reports';

interface Options {
  submissions: string[];
  out: string;
  only: Exercise[] | null;
  jobs: number;
  timeLimitSeconds: number | null;
  memoryMb: number;
  seed: number;
  keep: boolean;
  excel: boolean;
  format: 'files' | 'classroom';
  shard: { k: number; n: number } | null;
  realm: boolean;
  typesAll: boolean;
}

const USAGE = `usage: npm run grade -- <submission-folder>... [options]
       npm run grade -- merge <shard-output-folder>... --out DIR [--excel]

Each submission is a folder laid out like exercises/ (or a copy of the whole
repository, in which case its exercises/ folder is used).

options:
  --out DIR          where to write class.csv, <name>.json, <name>.md
                     (default grades/; must be a folder or not exist yet)
  --only IDS         grade only these exercises, e.g. --only 02,05
  --jobs N           parallel runs (default: number of cores)
  --time-limit S     S seconds for every exercise instead of the manifest's
  --memory MB        memory limit of each run, whole process tree (default 2048)
  --seed N           fast-check seed of every run (default 42, or FC_SEED)
  --shard K/N        grade only share K of N of the submissions (then merge)
  --format F         files (default) or classroom: print each exercise in
                     GitHub Classroom's reporter format (one line per exercise;
                     for GitHub Classroom, which is closing down)
  --excel            class.csv with a UTF-8 byte order mark, for Excel
  --keep             keep the temporary workspaces and print where they are
  --in-process       run the submission's code inside the tests' process,
                     as jest does, with the gate and frozen built-ins as the
                     defence (by default it runs in a sandboxed process of
                     its own that the tests reach through a typed channel;
                     docs/grading-trust.md)
  --types-all        type-check every exercise folder, not only the graded
                     ones (their errors still count only for graded ones)`;

/** The run was stopped by SIGINT or SIGTERM after writing what finished (exit code 130). */
class Interrupted extends Error {}

function positiveInt(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) throw new UsageError(`${name} must be a whole number >= ${min}, got "${text}"`);
  return v;
}

function parseOptions(argv: string[]): Options | { merge: string[]; out: string; excel: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        only: { type: 'string', multiple: true },
        jobs: { type: 'string' },
        'time-limit': { type: 'string' },
        memory: { type: 'string' },
        seed: { type: 'string' },
        shard: { type: 'string' },
        format: { type: 'string' },
        excel: { type: 'boolean' },
        keep: { type: 'boolean' },
        'in-process': { type: 'boolean' },
        'types-all': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]);
  }
  const v = parsed.values;
  if (v.help) throw new UsageError('');
  const out = path.resolve(v.out ?? path.join(repoRoot, 'grades'));
  if (parsed.positionals[0] === 'merge') {
    if (parsed.positionals.length < 2) throw new UsageError('merge needs at least one shard output folder');
    return { merge: parsed.positionals.slice(1).map((p) => path.resolve(p)), out, excel: v.excel ?? false };
  }
  const manifest = loadManifest();
  const only = v.only ? v.only.flatMap((s) => s.split(/[,\s]+/).filter(Boolean)).map((id) => findExercise(manifest, id)) : null;
  let shard: Options['shard'] = null;
  if (v.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(v.shard);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard must be K/N with 1 <= K <= N, got "${v.shard}"`);
    shard = { k: Number(m[1]), n: Number(m[2]) };
  }
  const format = v.format ?? 'files';
  if (format !== 'files' && format !== 'classroom') throw new UsageError(`--format must be files or classroom, got "${format}"`);
  const seed = positiveInt('--seed', v.seed ?? process.env.FC_SEED, 0) ?? 42;
  if (parsed.positionals.length === 0) throw new UsageError('give at least one submission folder');
  if (format === 'classroom' && parsed.positionals.length !== 1)
    throw new UsageError(`--format classroom grades one submission (a student's repository), got ${parsed.positionals.length}`);
  return {
    submissions: parsed.positionals.map((p) => path.resolve(p)),
    out,
    only,
    jobs: positiveInt('--jobs', v.jobs, 1) ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length),
    timeLimitSeconds: positiveInt('--time-limit', v['time-limit'], 1) ?? null,
    memoryMb: positiveInt('--memory', v.memory, 256) ?? 2048,
    seed,
    keep: v.keep ?? false,
    excel: v.excel ?? false,
    format,
    shard,
    realm: !(v['in-process'] ?? false),
    typesAll: v['types-all'] ?? false,
  };
}

/** Checks --out before any grading: a folder (made if missing) that this user can write. */
export function checkOut(out: string): void {
  const stat = fs.statSync(out, { throwIfNoEntry: false });
  if (stat && !stat.isDirectory()) throw new UsageError(`--out must be a folder, but ${out} is a file or a special file`);
  try {
    fs.mkdirSync(out, { recursive: true });
    const probe = path.join(out, `.grade-probe-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (err) {
    throw new UsageError(`--out ${out} cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

// ---------------------------------------------------------------------------
// The grader's own list of each exercise's tests

/** Where a student repository (npm run template) keeps the list: it has no reference tree to list from. */
const EXPECTED_TESTS = path.join(__dirname, 'grading', 'expected-tests.json');

/**
 * Lists the tests of each exercise from the grader's copy: the reference tree
 * run with a test name pattern that matches nothing (no test body runs), or
 * the pinned list of a student repository.
 */
export async function listExpectedTests(
  root: string,
  exercises: Exercise[],
  limits: RunLimits = { timeLimitSeconds: 120, memoryBytes: 2 * 1024 ** 3, seed: 42 },
): Promise<Map<string, string[]>> {
  if (!fs.existsSync(TREES.solutions.dir)) {
    const pinned = JSON.parse(fs.readFileSync(EXPECTED_TESTS, 'utf8')) as Record<string, string[]>;
    return new Map(exercises.map((e) => [e.id, pinned[e.id]]));
  }
  const ws = prepareWorkspace(root, 'reference', 'reference', TREES.solutions.dir, exercises);
  const result = new Map<string, string[]>();
  await Promise.all(
    exercises.map(async (e) => {
      const outcome = await runInSandbox({
        wsDir: ws.dir,
        runDir: path.join(root, 'runs', `reference-${e.id}`),
        exercise: e,
        limits: { ...limits, timeLimitSeconds: 120 },
        extraArgs: [`--testNamePattern=^list-only-${crypto.randomBytes(8).toString('hex')}$`],
        name: `kata-grade-${process.pid}-list-${e.id}`,
      });
      const suite = outcome.suites?.[0];
      if (!suite || suite.failedToRun) {
        throw new Error(`cannot list the tests of ${e.id} from the reference: ${firstLines(suite?.error ?? outcome.run.output, 8)}`);
      }
      result.set(
        e.id,
        suite.tests.map((t) => t.name),
      );
    }),
  );
  return result;
}

// ---------------------------------------------------------------------------
// Type check

/** Submissions type-checked by one checker process before a new one starts. */
const CHECKS_PER_PROCESS = 8;

/** Sorts the checker's output for one workspace into type errors per exercise id. */
function typeErrorsByExercise(output: string, exercises: Exercise[], reach: GateResult['reach']): Map<string, string[]> {
  const errors = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of output.split('\n')) {
    const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+: .*)$/.exec(line);
    if (m) {
      const file = path.posix.normalize(m[1].split(path.sep).join('/'));
      // TS0 is scripts/typecheck.ts's own line for an exception inside the checker.
      const text = m[4].startsWith('TS0: ') ? `the type checker failed on this submission: ${m[4].slice(5)}` : `${file}:${m[2]}:${m[3]} ${m[4]}`;
      const testOf = exercises.find((e) => e.test === file);
      const owners = testOf ? [testOf] : exercises.filter((e) => reach.get(e.id)?.has(file));
      // An error nobody owns (a crash of the checker, lib/, the helpers) counts for every exercise.
      const targets = owners.length > 0 ? owners : file.startsWith('exercises/') ? [] : exercises;
      current = null;
      for (const e of targets) {
        const list = errors.get(e.id) ?? [];
        list.push(text);
        errors.set(e.id, list);
        current = list;
      }
    } else if (current && /^\s+\S/.test(line)) {
      current[current.length - 1] += `\n${line}`;
    }
  }
  return errors;
}

/**
 * Type-checks every workspace in one sandboxed process (scripts/typecheck.ts
 * shares the parsed declaration files between them: after the first, each
 * costs about a second). The checker only reads the code, so the workspaces
 * may share it; the limits still hold: the time limit counts from the last
 * result, and when the checker dies, runs out of time or memory, the
 * workspace it was on gets that as its result and the rest are checked again
 * in a new process. A new process every CHECKS_PER_PROCESS workspaces.
 * Calls `done` for each workspace; returns the CPU time and the largest
 * peak memory of a checker process (0 without a cgroup).
 */
async function typeCheckAll(
  workspaces: Workspace[],
  exercises: Exercise[],
  reachOf: (ws: Workspace) => GateResult['reach'],
  root: string,
  limits: RunLimits,
  stopped: () => boolean,
  done: (ws: Workspace, errors: Map<string, string[]>) => void,
): Promise<{ cpuMs: number; peakRssBytes: number }> {
  const inside = insideRoot(root);
  const configOf = (ws: Workspace): string => `${inside}/${ws.slot}/types.tsconfig.json`;
  let queue = [...workspaces];
  let cpuMs = 0;
  let peakRssBytes = 0;
  for (let attempt = 0; queue.length > 0; attempt++) {
    // A new checker every few submissions, each with its own limits: its memory cannot grow with the class.
    const batch = queue.slice(0, CHECKS_PER_PROCESS);
    const later = queue.slice(CHECKS_PER_PROCESS);
    const runDir = path.join(root, 'runs', `types-${attempt}`);
    fs.mkdirSync(runDir, { recursive: true, mode: 0o777 });
    fs.chmodSync(runDir, 0o777);
    const finished = new Set<Workspace>();
    let pending = '';
    const run = await runSandboxed({
      workspace: root,
      runDir,
      nodeModules: path.join(repoRoot, 'node_modules'),
      command: [
        process.execPath,
        `--max-old-space-size=${Math.floor(limits.memoryBytes / 1024 / 1024 / 2)}`,
        `${inside}/typecheck.js`,
        ...batch.map(configOf),
      ],
      env: { HOME: '/tmp' },
      timeoutMs: limits.timeLimitSeconds * 1000,
      idleTimeout: true,
      onStdout: (chunk) => {
        pending += chunk;
        let newline: number;
        while ((newline = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          let result: { config?: unknown; output?: unknown };
          try {
            result = JSON.parse(line) as typeof result;
          } catch {
            continue;
          }
          const { config, output } = result;
          const ws = batch.find((w) => configOf(w) === config);
          if (typeof output !== 'string') continue;
          if (!ws || finished.has(ws)) continue;
          finished.add(ws);
          done(ws, typeErrorsByExercise(output, exercises, reachOf(ws)));
        }
      },
      memoryBytes: limits.memoryBytes,
      name: `kata-grade-${process.pid}-types-${attempt}`,
    });
    cpuMs += run.cpuMs;
    if (stopped()) break;
    peakRssBytes = Math.max(peakRssBytes, run.peakMemoryBytes);
    const rest = batch.filter((w) => !finished.has(w));
    if (rest.length > 0) {
      // The checker stopped on the first workspace without a result.
      const why = run.timedOut
        ? `the type check did not finish within ${limits.timeLimitSeconds} s (a type that is too expensive to check?)`
        : run.memoryLimitHit
          ? `the type check reached the memory limit of ${limits.memoryBytes / 1024 / 1024} MB`
          : `the type checker crashed (${run.signal ?? `exit code ${run.exitCode}`}):\n${firstLines(run.output, 4)}`;
      done(rest[0], new Map(exercises.map((e) => [e.id, [why]])));
    }
    queue = [...rest.slice(1), ...later];
  }
  return { cpuMs, peakRssBytes };
}

export function makeRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-grade-'));
  fs.chmodSync(root, 0o755);
  // Mount points (or, without bubblewrap, the folders themselves) for the type check of the whole class.
  fs.mkdirSync(path.join(root, 'run'));
  if (detectSandbox().bubblewrap) fs.mkdirSync(path.join(root, 'node_modules'));
  else fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  // The type checker runs as plain JavaScript in the sandbox (no tsx there).
  const source = fs.readFileSync(path.join(__dirname, 'typecheck.ts'), 'utf8');
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  fs.writeFileSync(path.join(root, 'typecheck.js'), js);
  return root;
}

// ---------------------------------------------------------------------------
// One submission

function missingFiles(ws: Workspace, exercise: Exercise): string[] {
  const expected = listFiles(path.join(TREES.exercises.dir, exercise.id)).filter((f) => f.endsWith('.ts'));
  const folder = path.join(ws.dir, 'exercises', exercise.id);
  if (!fs.existsSync(folder)) return [`${exercise.id}/`];
  return expected.filter((f) => !fs.statSync(path.join(folder, f), { throwIfNoEntry: false })?.isFile()).map((f) => `${exercise.id}/${f}`);
}

function notRun(e: Exercise, expected: string[], status: ExerciseStatus, message: string): ExerciseRun {
  return { id: e.id, status, tests: expected.map((name) => ({ name, passed: false, message: '', durationMs: 0 })), message, durationMs: 0 };
}

/** Turns an exercise run into its grade and per-test lines (scores that GitHub Classroom adds up exactly). */
export function gradeOf(e: Exercise, run: ExerciseRun): { grade: ExerciseGrade; tests: TestGrade[] } {
  const ran = run.status === 'passed' || run.status === 'failed' || run.status === 'not-started';
  const allOrNothing = e.scoring === 'all-or-nothing';
  const passedFlags = run.tests.map((t) => t.passed);
  const passed = passedFlags.filter(Boolean).length;
  const lines = allOrNothing
    ? [{ name: `${e.id}: all ${run.tests.length} tests`, passed: ran && passed === run.tests.length, message: run.message }]
    : run.tests.map((t, i) => ({ name: t.name, passed: ran && t.passed, message: t.message || (i === 0 && !ran ? run.message : '') }));
  const scores = testScores(
    e.points,
    lines.map((l) => l.passed),
  );
  const tests: TestGrade[] = lines.map((l, i) => ({
    exercise: e.id,
    name: l.name,
    status: l.passed ? 'pass' : ran ? 'fail' : 'error',
    score: scores[i],
    max_score: e.points / lines.length,
    message: l.message,
  }));
  let score = 0;
  for (const s of scores) score += s;
  return {
    grade: {
      id: e.id,
      status: run.status,
      passed: ran ? passed : 0,
      total: ran ? run.tests.length : null,
      score,
      maxScore: e.points,
      message: run.message,
    },
    tests,
  };
}

/** Marks exercises with type errors as compile errors (no points), keeping what the tests said as a note. */
function applyTypeErrors(run: ExerciseRun, errors: string[] | undefined): ExerciseRun & { passedIgnoringTypes?: string } {
  if (!errors || errors.length === 0 || !['passed', 'failed', 'not-started', 'crash'].includes(run.status)) return run;
  const shown = errors.slice(0, 3).map((e) => firstLines(e, 3));
  const more = errors.length > 3 ? `\n(and ${errors.length - 3} more type errors)` : '';
  const ran = run.status !== 'crash';
  return {
    ...notRun(
      { id: run.id } as Exercise,
      run.tests.map((t) => t.name),
      'compile-error',
      `TypeScript errors (npm test fails this suite):\n${shown.join('\n')}${more}`,
    ),
    passedIgnoringTypes: ran ? `${run.tests.filter((t) => t.passed).length}/${run.tests.length}` : `did not run (${run.status})`,
  };
}

// ---------------------------------------------------------------------------

const STATUS_MARK: Partial<Record<ExerciseStatus, string>> = {
  timeout: ' T',
  crash: ' C',
  memory: ' O',
  'compile-error': ' E',
  missing: ' M',
  refused: ' R',
  rejected: ' G',
  tampering: ' X',
};

function classTable(grades: SubmissionGrade[], exercises: Exercise[]): string {
  const headers = ['submission', ...exercises.map((e) => e.id.slice(0, 2)), 'total', 'max'];
  const rows = grades.map((g) => [
    g.submission.replace(CONTROL_CHARACTERS, '?'),
    ...exercises.map((e) => {
      const x = g.exercises.find((y) => y.id === e.id)!;
      return `${formatScore(x.score)}${STATUS_MARK[x.status] ?? ''}`;
    }),
    formatScore(g.score),
    g.max_score,
  ]);
  return formatTable(headers, rows, { align: ['left', ...exercises.map(() => 'right' as const), 'right', 'right'] });
}

/** Writes the class's files (the same bytes for the same grades, whoever calls it). */
export function writeReports(out: string, grades: SubmissionGrade[], exercises: Exercise[], excel: boolean): void {
  const sorted = [...grades].sort((a, b) => (a.submission < b.submission ? -1 : a.submission > b.submission ? 1 : 0));
  fs.writeFileSync(path.join(out, 'class.csv'), classCsv(sorted, exercises, excel));
  for (const g of sorted) {
    fs.writeFileSync(path.join(out, `${g.file}.json`), submissionJson(g));
    fs.writeFileSync(path.join(out, `${g.file}.md`), submissionMarkdown(g));
  }
}

/** Flags files equal (up to names and layout) to the reference or to another submission's same file. */
function similarityFlags(workspaces: Workspace[], exercises: Exercise[]): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  const tokensOf = (file: string): string[] | null => (fs.existsSync(file) ? normalisedTokens(fs.readFileSync(file, 'utf8')) : null);
  for (const e of exercises) {
    for (const rel of listFiles(path.join(repoRoot, 'exercises', e.id)).filter((f) => f.endsWith('.ts'))) {
      const stub = tokensOf(path.join(repoRoot, 'exercises', e.id, rel))!;
      const reference = tokensOf(path.join(repoRoot, 'solutions', e.id, rel));
      const mine = workspaces.map((ws) => (ws.refused ? null : tokensOf(path.join(ws.dir, 'exercises', e.id, rel))));
      mine.forEach((tokens, i) => {
        if (!tokens || similarity(tokens, stub) >= 0.9) return;
        const add = (text: string): void => {
          flags.set(workspaces[i].name, [...(flags.get(workspaces[i].name) ?? []), text]);
        };
        if (reference && similarity(tokens, reference) >= 0.9) add(`${e.id}/${rel} matches the reference solution`);
        mine.forEach((other, j) => {
          if (j !== i && other && similarity(tokens, other) >= 0.9) add(`${e.id}/${rel} matches ${workspaces[j].name}'s ${e.id}/${rel}`);
        });
      });
    }
  }
  return flags;
}

async function runPool(tasks: (() => Promise<void>)[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
}

/** The class as the options describe it: the exercises, each report's file name, this shard's submissions. */
function planClass(opts: Options): { exercises: Exercise[]; fileNames: Map<string, string>; submissions: string[] } {
  const manifest = loadManifest();
  const exercises = opts.only ? manifest.exercises.filter((e) => opts.only!.some((o) => o.id === e.id)) : manifest.exercises;
  const allNames = opts.submissions.map((s) => path.basename(s));
  const duplicate = allNames.find((n, i) => allNames.indexOf(n) !== i);
  if (duplicate) throw new UsageError(`two submissions are named "${duplicate}"; folder names must differ`);
  // A submission path that is a link, a file or missing is refused on its own (prepareWorkspace), the rest graded.
  if (opts.format === 'files') checkOut(opts.out);
  const submissions = opts.shard ? opts.submissions.filter((s) => shardOf(path.basename(s), opts.shard!.n) === opts.shard!.k) : opts.submissions;
  return { exercises, fileNames: reportFileNames(allNames), submissions };
}

/** What one grading run shares between its jobs. */
interface ClassRun {
  opts: Options;
  root: string;
  exercises: Exercise[];
  expected: Map<string, string[]>;
  workspaces: Workspace[];
  gates: Map<string, GateResult | null>;
  limitsOf: (e: Exercise) => RunLimits;
  runs: Map<string, ExerciseRun>;
  typeErrors: Map<string, Map<string, string[]>>;
  cpuMs: number;
  typeStats: { cpuMs: number; peakRssBytes: number; checked: number };
  interrupted: () => NodeJS.Signals | null;
  report: (text: string) => void;
}

const runKey = (ws: Workspace, e: Exercise): string => `${ws.slot}/${e.id}`;

/** Grades one exercise of one submission: refused, rejected (--in-process), missing, or run in the sandbox and judged. */
async function gradeExercise(c: ClassRun, ws: Workspace, e: Exercise): Promise<void> {
  if (c.interrupted()) return;
  const list = c.expected.get(e.id)!;
  let run: ExerciseRun;
  const g = c.gates.get(ws.name);
  const blocked = g?.flags.filter((f) => g.reach.get(e.id)?.has(f.file));
  const missing = ws.refused ? [] : missingFiles(ws, e);
  if (ws.refused) run = notRun(e, list, 'refused', `the submission was not graded: ${ws.refused}`);
  // In a realm of its own a submission can only spoil its own results: what the gate found is a flag for the instructor.
  else if (blocked && blocked.length > 0 && !c.opts.realm)
    run = notRun(e, list, 'rejected', `not allowed in a submission:\n${blocked.map((f) => `${f.file}:${f.line}: ${f.what}`).join('\n')}`);
  else if (missing.length > 0) run = notRun(e, list, 'missing', `missing from the submission: ${missing.join(', ')}`);
  else {
    const limits = c.limitsOf(e);
    const runDir = path.join(c.root, 'runs', `${ws.slot}-${e.id}`);
    const outcome = await runInSandbox({
      wsDir: ws.dir,
      runDir,
      exercise: e,
      limits,
      name: `kata-grade-${process.pid}-${ws.slot}-${e.id}`,
      realm: ws.realm,
    });
    // A run killed by the interrupt has no result (its submission is left out of the reports).
    if (c.interrupted()) return;
    run = judge(e, list, `${insideRoot(ws.dir)}/${e.test}`, outcome, limits, ws.realm !== null);
    c.cpuMs += outcome.run.cpuMs;
    if (!c.opts.keep) fs.rmSync(runDir, { recursive: true, force: true });
  }
  c.runs.set(runKey(ws, e), run);
  c.report(`${ws.name} ${e.id}: ${run.status} (${seconds(run.durationMs)})`);
}

/** Type-checks every submission that was not refused (scripts/grading/typecheck.ts, in batches). */
async function typeCheckClass(c: ClassRun): Promise<void> {
  if (c.interrupted()) return;
  const started = Date.now();
  for (const ws of c.workspaces.filter((w) => w.refused)) {
    c.typeErrors.set(ws.slot, new Map());
    c.report(`${ws.name}: refused (${ws.refused})`);
  }
  const typeLimits = { ...c.limitsOf(c.exercises[0]), timeLimitSeconds: c.opts.timeLimitSeconds ?? 120 };
  const checked = c.workspaces.filter((w) => !w.refused);
  const types = await typeCheckAll(
    checked,
    c.exercises,
    (ws) => c.gates.get(ws.name)!.reach,
    c.root,
    typeLimits,
    () => c.interrupted() !== null,
    (ws, errors) => {
      c.typeErrors.set(ws.slot, errors);
      const bad = [...errors.keys()];
      c.report(`${ws.name}: type check ${bad.length === 0 ? 'clean' : `errors in ${bad.join(', ')}`} (${seconds(Date.now() - started)})`);
    },
  );
  c.cpuMs += types.cpuMs;
  c.typeStats = { cpuMs: types.cpuMs, peakRssBytes: types.peakRssBytes, checked: checked.length };
}

/** Every exercise of every submission and the type check, `--jobs` at a time; the MNIST exercises (long limits) first, as they set the wall time. */
async function runClass(c: ClassRun): Promise<void> {
  const order = [...c.exercises].sort((a, b) => b.timeLimitSeconds - a.timeLimitSeconds || a.id.localeCompare(b.id));
  const isLong = (e: Exercise): boolean => e.timeLimitSeconds >= 120;
  const jobsOf = (list: Exercise[]) => list.flatMap((e) => c.workspaces.map((ws) => () => gradeExercise(c, ws, e)));
  await runPool([...jobsOf(order.filter(isLong)), () => typeCheckClass(c), ...jobsOf(order.filter((e) => !isLong(e)))], c.opts.jobs);
}

const finishedAll = (c: ClassRun, ws: Workspace): boolean => c.typeErrors.has(ws.slot) && c.exercises.every((e) => c.runs.has(runKey(ws, e)));

/** One report per submission that finished (all of them unless interrupted). */
function collectGrades(c: ClassRun, fileNames: Map<string, string>, similar: Map<string, string[]>): SubmissionGrade[] {
  const max = c.exercises.reduce((s, e) => s + e.points, 0);
  const gradedWorkspaces = c.interrupted() ? c.workspaces.filter((ws) => finishedAll(c, ws)) : c.workspaces;
  return gradedWorkspaces.map((ws) => {
    const graded = c.exercises.map((e) => {
      const run = applyTypeErrors(c.runs.get(runKey(ws, e))!, c.typeErrors.get(ws.slot)?.get(e.id));
      const { grade: g, tests } = gradeOf(e, run);
      if (run.passedIgnoringTypes) g.passedIgnoringTypes = run.passedIgnoringTypes;
      return { g, tests };
    });
    const tests = graded.flatMap((x) => x.tests);
    const score = runningTotal(tests);
    return {
      version: 2,
      grader: graderFingerprint(),
      submission: ws.name,
      file: fileNames.get(ws.name)!,
      status: score === max ? 'pass' : 'fail',
      score,
      max_score: max,
      fcSeed: c.opts.seed,
      refused: ws.refused,
      similar: similar.get(ws.name) ?? [],
      gate: c.gates.get(ws.name)?.flags ?? [],
      exercises: graded.map((x) => x.g),
      tests,
    };
  });
}

/** --format classroom: one line per exercise in GitHub Classroom's reporter format. */
function printClassroom(grades: SubmissionGrade[], exercises: Exercise[]): void {
  for (const g of grades) {
    for (const e of exercises) {
      const text = fs.readFileSync(path.join(repoRoot, e.test), 'utf8').split('\n');
      const lineOf = (name: string): number => {
        const title = name.split(' > ').pop()!;
        const i = text.findIndex((l) => l.includes(title));
        return i >= 0 ? i + 1 : 1;
      };
      console.log(`${e.id}\t${JSON.stringify(classroomResult(g, e, lineOf))}`);
    }
  }
}

/** The class table, the CPU figures and the legend, on the terminal. */
function printSummary(c: ClassRun, grades: SubmissionGrade[]): void {
  if (c.opts.keep) console.log(`workspaces kept in ${c.root}`);
  console.log('');
  console.log(
    classTable(
      [...grades].sort((a, b) => (a.submission < b.submission ? -1 : 1)),
      c.exercises,
    ),
  );
  const { cpuMs, typeStats } = c;
  if (cpuMs > 0) console.log(`CPU time in the sandboxes: ${seconds(cpuMs)} (${seconds(cpuMs / Math.max(1, c.workspaces.length))} per submission)`);
  if (typeStats.cpuMs > 0)
    console.log(
      `type check: ${seconds(typeStats.cpuMs / Math.max(1, typeStats.checked))} CPU per submission, peak memory of a checker ${(typeStats.peakRssBytes / 1024 / 1024).toFixed(0)} MB`,
    );
  const marks = Object.entries({ T: 'timeout', C: 'crash', O: 'memory', E: 'compile error', M: 'missing', R: 'refused', G: 'gate', X: 'tampering' });
  const legend = marks.map(([k, v]) => `${k} = ${v}`);
  console.log(
    `\n${legend.slice(0, 5).join(', ')},\n${legend.slice(5).join(', ')}; details in ${path.relative(process.cwd(), c.opts.out) || '.'}/<name>.md`,
  );
}

/** Grades the class: plan, prepare the workspaces, run, collect, write. */
export async function grade(opts: Options): Promise<SubmissionGrade[]> {
  const { exercises, fileNames, submissions } = planClass(opts);
  const sandbox = detectSandbox();
  if (sandbox.missing.length > 0) console.error(['', '!!! grade: WEAKER ISOLATION !!!', ...sandbox.missing.map((l) => `!!! ${l}`), ''].join('\n'));
  const limitsOf = (e: Exercise): RunLimits => ({
    timeLimitSeconds: opts.timeLimitSeconds ?? e.timeLimitSeconds,
    memoryBytes: opts.memoryMb * 1024 * 1024,
    seed: opts.seed,
  });
  const root = makeRoot();
  // Also on Ctrl-C or SIGTERM (the sandbox's handler exits the process).
  const removeRoot = (): void => {
    if (!opts.keep) fs.rmSync(root, { recursive: true, force: true });
  };
  process.on('exit', removeRoot);
  // SIGINT/SIGTERM: every run is killed, nothing new starts, and the reports of the submissions that finished are written.
  let interrupted: NodeJS.Signals | null = null;
  onInterrupt((signal) => {
    interrupted = signal;
    console.error(`\ngrade: ${signal}: stopping; writing the reports of the submissions that finished`);
  });
  try {
    const expected = await listExpectedTests(root, exercises, limitsOf(exercises[0]));
    const workspaces = submissions.map((s, i) =>
      prepareWorkspace(root, `s${String(i + 1).padStart(4, '0')}`, path.basename(s), s, exercises, opts.realm, opts.typesAll),
    );
    const ids = exercises.map((e) => e.id);
    const gates = new Map(workspaces.map((ws) => [ws.name, ws.refused ? null : gate(path.join(ws.dir, 'exercises'), ids)]));
    const similar = similarityFlags(workspaces, exercises);
    const total = workspaces.length * (exercises.length + 1);
    let done = 0;
    const c: ClassRun = {
      ...{ opts, root, exercises, expected, workspaces, gates, limitsOf },
      ...{ runs: new Map(), typeErrors: new Map(), cpuMs: 0, typeStats: { cpuMs: 0, peakRssBytes: 0, checked: 0 } },
      interrupted: () => interrupted,
      report: (text) => {
        if (opts.format === 'files') console.log(`[${String(++done).padStart(String(total).length)}/${total}] ${text.replace(CONTROL_CHARACTERS, '?')}`);
      },
    };
    await runClass(c);
    const grades = collectGrades(c, fileNames, similar);
    if (opts.format === 'classroom') {
      printClassroom(grades, exercises);
      return grades;
    }
    writeReports(opts.out, grades, exercises, opts.excel);
    if (interrupted) {
      const left = workspaces.filter((ws) => !finishedAll(c, ws)).map((ws) => ws.name.replace(CONTROL_CHARACTERS, '?'));
      console.error(`grade: interrupted (${interrupted}); ${grades.length} of ${workspaces.length} submission(s) graded and written to ${opts.out}`);
      if (left.length > 0) console.error(`not graded: ${left.join(', ')}`);
      throw new Interrupted(interrupted);
    }
    printSummary(c, grades);
    return grades;
  } finally {
    onInterrupt(null);
    removeRoot();
    process.off('exit', removeRoot);
  }
}

async function main(): Promise<void> {
  let opts: ReturnType<typeof parseOptions>;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      if (err.message) console.error(`grade: ${err.message}\n`);
      console.error(USAGE);
      process.exit(err.message ? 2 : 0);
    }
    console.error(`grade: ${(err as Error).message}`);
    process.exit(2);
  }
  const started = Date.now();
  try {
    if ('merge' in opts) {
      checkOut(opts.out);
      const n = mergeShards(opts.merge, opts.out, opts.excel, writeReports);
      console.log(`merged ${n} submission(s) into ${opts.out}`);
      return;
    }
    const grades = await grade(opts);
    if (opts.format === 'files') console.log(`graded ${grades.length} submission(s) in ${seconds(Date.now() - started)}`);
  } catch (err) {
    if (err instanceof Interrupted) process.exit(130);
    console.error(`grade: ${(err as Error).message}`);
    process.exit(2);
  }
}

if (require.main === module) void main();
