/**
 * Runs exercise suites and turns jest's report into what the runner shows:
 * progress, passed/total, the status of each named part and the first
 * failure of the first unfinished part.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { counts, firstLines, isNotImplemented, progressOf, runJest, SuiteRun, TestCase } from '../jest-run';
import { Exercise, exerciseNumber, listFiles, Manifest, Part, repoRoot } from '../manifest';
import { CachedResult, KataState, PartResult, writeState } from './state';
import { recogniseMistakes } from './detect';
import { failureLines } from './failure-text';
import { readStubResults, StubResults } from './stub-results';

/** The part a test belongs to: the first whose prefix starts its name, else "other". */
export function partOf(e: Exercise, testName: string): string {
  return e.parts.find((p) => p.tests.some((prefix) => testName.startsWith(prefix)))?.name ?? 'other';
}

/** Per-part passed/total, in the manifest's order ("other" last, when some test matches no part). */
export function partResults(e: Exercise, tests: TestCase[]): PartResult[] {
  const names = [...e.parts.map((p) => p.name), 'other'];
  return names
    .map((name) => {
      const own = tests.filter((t) => partOf(e, t.name) === name);
      const passed = own.filter((t) => t.status === 'passed').length;
      const notStarted = passed === 0 && own.every((t) => isNotImplemented(t.message));
      return { name, passed, total: own.length, notStarted };
    })
    .filter((p) => p.total > 0 || p.name !== 'other');
}

export function findPart(e: Exercise, name: string | undefined): Part | undefined {
  return e.parts.find((p) => p.name === name);
}

export function summarize(e: Exercise, key: string, suite: SuiteRun | undefined, reason: string): CachedResult {
  if (!suite) return { key, progress: 'cannot-run', passed: 0, total: 0, firstFailure: { name: '(the test run)', message: reason } };
  const progress = progressOf(suite);
  const { passed, total } = counts(suite.tests);
  const parts = partResults(e, suite.tests);
  // The most telling failure of the first unfinished part: a real failure
  // before the NotImplementedError of a part not started, and of those the
  // quickest test, which checks the least and so says most precisely what is
  // wrong (an end-to-end training run fails for any wrong piece).
  const firstOpen = parts.find((p) => p.passed < p.total);
  const failing = suite.tests.filter((t) => t.status !== 'passed');
  const inPart = failing.filter((t) => partOf(e, t.name) === firstOpen?.name);
  const real = inPart.filter((t) => !isNotImplemented(t.message));
  const quickest = real.reduce<TestCase | undefined>((best, t) => (best === undefined || t.durationMs < best.durationMs ? t : best), undefined);
  const chosen = quickest ?? inPart[0] ?? failing[0];
  const firstFailure = suite.failedToRun
    ? { name: '(the test file could not run)', message: firstLines(suite.error.replace(/^.*Test suite failed to run\s*/s, ''), 8) }
    : chosen
      ? { name: chosen.name, message: failureLines(chosen.message, 8).join('\n'), part: partOf(e, chosen.name) }
      : undefined;
  return { key, progress, passed, total, parts, ...(firstFailure ? { firstFailure } : {}) };
}

/**
 * A digest of the contents one exercise's result depends on, wherever the
 * tree lies: its test file, the test setup, lib/, the manifest, and the
 * exercise's folder with every earlier one (exercises import earlier ones,
 * never later ones). Equal for any two trees holding the same files.
 */
export function contentKey(manifest: Manifest, exercise: Exercise, tree: string): string {
  const hash = crypto.createHash('sha1');
  const add = (base: string, file: string): void => {
    hash.update(path.relative(base, file).split(path.sep).join('/'));
    hash.update(fs.existsSync(file) ? fs.readFileSync(file) : 'missing');
  };
  const addDir = (base: string, dir: string): void => listFiles(dir).forEach((f) => add(base, path.join(dir, f)));
  add(repoRoot, path.join(repoRoot, exercise.test));
  add(repoRoot, path.join(repoRoot, 'jest.config.ts'));
  add(repoRoot, path.join(repoRoot, 'tsconfig.json'));
  add(repoRoot, path.join(repoRoot, 'scripts', 'manifest.json'));
  addDir(repoRoot, path.join(repoRoot, 'tests', 'helpers'));
  addDir(repoRoot, path.join(repoRoot, 'lib'));
  for (const e of manifest.exercises) {
    if (exerciseNumber(e.id) <= exerciseNumber(exercise.id)) addDir(tree, path.join(tree, e.id));
  }
  return hash.digest('hex');
}

/** A digest of everything one exercise's result depends on, this tree's place included. */
export function dependencyKey(manifest: Manifest, exercise: Exercise, tree: string): string {
  return crypto
    .createHash('sha1')
    .update(tree)
    .update(contentKey(manifest, exercise, tree))
    .digest('hex');
}

/**
 * Runs the given exercises (one jest process, two workers) and stores the results in `state`.
 * Returns each exercise's suite as jest reported it (absent when it gave no report).
 */
export async function runExercises(manifest: Manifest, exercises: Exercise[], state: KataState, tree: string): Promise<Map<string, SuiteRun>> {
  const ran = new Map<string, SuiteRun>();
  if (exercises.length === 0) return ran;
  const keys = new Map(exercises.map((e) => [e.id, dependencyKey(manifest, e, tree)]));
  const run = await runJest({
    args: [`--maxWorkers=${Math.min(2, exercises.length)}`, '--runTestsByPath', ...exercises.map((e) => path.join(repoRoot, e.test))],
    env: { KATA_TREE: tree },
  });
  const reason = run.reported ? 'no result' : `jest ended without a report:\n${firstLines(run.output.split('\n').slice(-20).join('\n'), 8)}`;
  for (const e of exercises) {
    const suite = run.suites.find((s) => s.file === path.join(repoRoot, e.test));
    state.results[e.id] = summarize(e, keys.get(e.id)!, suite, reason);
    if (suite) ran.set(e.id, suite);
  }
  writeState(state);
  return ran;
}

export function isAvailable(e: Exercise, tree: string): boolean {
  return fs.existsSync(path.join(tree, e.id)) && fs.existsSync(path.join(repoRoot, e.test));
}

/**
 * Brings every exercise's result up to date, running only those whose inputs
 * changed (all with `fresh`). An exercise still exactly as shipped takes the
 * stubs' known result (scripts/kata/stub-results.json, checked by verify)
 * without running, so a fresh clone's first status takes no test run.
 */
export async function refreshResults(manifest: Manifest, state: KataState, tree: string, fresh: boolean, say: (line: string) => void): Promise<void> {
  let stale = manifest.exercises.filter((e) => isAvailable(e, tree) && (fresh || state.results[e.id]?.key !== dependencyKey(manifest, e, tree)));
  if (!fresh && stale.length > 0) {
    const shipped = readStubResults();
    for (const e of stale) {
      const known = shipped[e.id];
      if (known?.key === contentKey(manifest, e, tree)) state.results[e.id] = { key: dependencyKey(manifest, e, tree), ...known.result };
    }
    stale = stale.filter((e) => state.results[e.id]?.key !== dependencyKey(manifest, e, tree));
    writeState(state);
  }
  if (stale.length === 0) return;
  const which = stale.length === manifest.exercises.length ? 'every exercise' : stale.map((e) => e.id.slice(0, 2)).join(', ');
  say(`Running the tests of ${which} ...`);
  await runExercises(manifest, stale, state, tree);
  // The mistakes of what is started and failing, for the overview to name.
  for (const e of stale) if (state.results[e.id]?.progress === 'failing') await recogniseMistakes(e, tree, state.results[e.id]);
  writeState(state);
}

/** The results of a run of every stub suite of `tree`, as scripts/kata/stub-results.json holds them. */
export function stubResultsOf(manifest: Manifest, tree: string, suites: SuiteRun[]): StubResults {
  const out: StubResults = {};
  for (const e of manifest.exercises) {
    const suite = suites.find((s) => s.file === path.join(repoRoot, e.test));
    if (!suite) continue;
    const { key: _key, ...result } = summarize(e, '', suite, 'no result');
    out[e.id] = { key: contentKey(manifest, e, tree), result };
  }
  return out;
}
