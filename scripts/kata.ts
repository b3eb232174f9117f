/**
 * npm run kata                    your progress and the next exercise, with its first hint
 * npm run kata -- check <ex>      run one exercise; say what fails first, in a few lines
 * npm run kata -- hint <ex>       the next hint for an exercise (English and Japanese)
 * npm run kata -- watch [ex]      re-run the current exercise on every save; move on when green
 *
 * <ex> is a number (01 or 1), a name (conv2d) or an id (01-conv2d).
 *
 * Status of an exercise:
 *   done         every test passes
 *   not started  no test passes and every failure is the stub's NotImplementedError
 *   failing      some work done, some tests red (shows passed/total)
 *   cannot run   the test file does not run (a syntax error, an import that throws)
 *
 * Hint levels and the last results live in .kata-state.json (git-ignored). A
 * result is reused while nothing it depends on changed (the exercise's folder
 * and every earlier one, its test, tests/helpers, lib); --fresh runs everything.
 * KATA_TREE (as for jest) points kata at another copy of exercises/.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Exercise, exerciseNumber, findExercise, listFiles, loadManifest, Manifest, repoRoot } from './manifest';
import { counts, firstLines, Progress, progressOf, runJest, seconds, SuiteRun } from './jest-run';
import { formatTable } from './ui/table';

// ---------------------------------------------------------------------------
// State file

interface CachedResult {
  key: string;
  progress: Progress;
  passed: number;
  total: number;
  firstFailure?: { name: string; message: string };
}

export interface KataState {
  hints: Record<string, number>;
  results: Record<string, CachedResult>;
}

export function stateFile(): string {
  return process.env.KATA_STATE_FILE ?? path.join(repoRoot, '.kata-state.json');
}

export function readState(): KataState {
  try {
    const raw = JSON.parse(fs.readFileSync(stateFile(), 'utf8')) as Partial<KataState>;
    return { hints: raw.hints ?? {}, results: raw.results ?? {} };
  } catch {
    return { hints: {}, results: {} };
  }
}

export function writeState(state: KataState): void {
  fs.writeFileSync(stateFile(), JSON.stringify(state, null, 2) + '\n');
}

// ---------------------------------------------------------------------------
// Running the learner's tree

/** The learner's tree: exercises/, or the tree KATA_TREE names (as in jest.config.ts). */
const treeDir = ((value = process.env.KATA_TREE): string => {
  if (!value || value === 'exercises') return path.join(repoRoot, 'exercises');
  if (value === 'solutions') return path.join(repoRoot, 'solutions');
  return path.resolve(value);
})();

/** A digest of everything one exercise's result depends on. */
function dependencyKey(manifest: Manifest, exercise: Exercise): string {
  const hash = crypto.createHash('sha1');
  hash.update(treeDir);
  const add = (file: string): void => {
    hash.update(path.relative(repoRoot, file));
    hash.update(fs.existsSync(file) ? fs.readFileSync(file) : 'missing');
  };
  const addDir = (dir: string): void => listFiles(dir).forEach((f) => add(path.join(dir, f)));
  add(path.join(repoRoot, exercise.test));
  add(path.join(repoRoot, 'jest.config.ts'));
  add(path.join(repoRoot, 'tsconfig.json'));
  addDir(path.join(repoRoot, 'tests', 'helpers'));
  addDir(path.join(repoRoot, 'lib'));
  // Exercises import earlier ones (never later ones), so those count too.
  for (const e of manifest.exercises) {
    if (exerciseNumber(e.id) <= exerciseNumber(exercise.id)) addDir(path.join(treeDir, e.id));
  }
  return hash.digest('hex');
}

function summarize(key: string, suite: SuiteRun | undefined, reason: string): CachedResult {
  if (!suite) return { key, progress: 'cannot-run', passed: 0, total: 0, firstFailure: { name: '(the test run)', message: reason } };
  const progress = progressOf(suite);
  const { passed, total } = counts(suite.tests);
  const failing = suite.tests.find((t) => t.status !== 'passed');
  const firstFailure = suite.failedToRun
    ? { name: '(the test file could not run)', message: firstLines(suite.error.replace(/^.*Test suite failed to run\s*/s, ''), 8) }
    : failing
      ? { name: failing.name, message: firstLines(failing.message, 8) }
      : undefined;
  return { key, progress, passed, total, ...(firstFailure ? { firstFailure } : {}) };
}

/** Runs the given exercises (one jest process, two workers) and stores the results. */
async function runExercises(manifest: Manifest, exercises: Exercise[], state: KataState): Promise<void> {
  if (exercises.length === 0) return;
  const keys = new Map(exercises.map((e) => [e.id, dependencyKey(manifest, e)]));
  const run = await runJest({
    args: ['--maxWorkers=2', '--runTestsByPath', ...exercises.map((e) => path.join(repoRoot, e.test))],
    env: { KATA_TREE: treeDir },
  });
  const reason = run.reported ? 'no result' : `jest ended without a report:\n${firstLines(run.output.split('\n').slice(-20).join('\n'), 8)}`;
  for (const e of exercises) {
    const suite = run.suites.find((s) => s.file === path.join(repoRoot, e.test));
    state.results[e.id] = summarize(keys.get(e.id)!, suite, reason);
  }
  writeState(state);
}

function isAvailable(e: Exercise): boolean {
  return fs.existsSync(path.join(treeDir, e.id)) && fs.existsSync(path.join(repoRoot, e.test));
}

/** Results for every exercise, running only those whose inputs changed (all of them with `fresh`). */
async function currentResults(manifest: Manifest, state: KataState, fresh: boolean): Promise<void> {
  const stale = manifest.exercises.filter((e) => isAvailable(e) && (fresh || state.results[e.id]?.key !== dependencyKey(manifest, e)));
  if (stale.length > 0) {
    console.log(`Running the tests of ${stale.length === manifest.exercises.length ? 'every exercise' : stale.map((e) => e.id.slice(0, 2)).join(', ')} against exercises/ ...`);
    const started = Date.now();
    await runExercises(manifest, stale, state);
    console.log(`(${seconds(Date.now() - started)})\n`);
  }
}

const LABEL: Record<Progress, string> = { done: 'done', failing: 'failing', 'not-started': 'not started', 'cannot-run': 'cannot run' };

function statusText(r: CachedResult | undefined): string {
  if (!r) return 'missing';
  return LABEL[r.progress];
}

function nextExercise(manifest: Manifest, state: KataState): Exercise | undefined {
  return manifest.exercises.find((e) => isAvailable(e) && state.results[e.id]?.progress !== 'done');
}

function hintText(e: Exercise, level: number): string {
  const h = e.hints[level - 1];
  return `Hint ${level} of ${e.hints.length} for ${e.id}:\n  ${h.en}\n  ${h.ja}`;
}

// ---------------------------------------------------------------------------
// Commands

async function showProgress(manifest: Manifest, fresh: boolean): Promise<void> {
  const state = readState();
  await currentResults(manifest, state, fresh);
  const rows = manifest.exercises.map((e) => {
    const r = isAvailable(e) ? state.results[e.id] : undefined;
    const title = e.title.en.length > 60 ? `${e.title.en.slice(0, 59)}…` : e.title.en;
    return [e.id, statusText(r), r && r.progress !== 'cannot-run' ? `${r.passed}/${r.total}` : '-', title];
  });
  console.log(formatTable(['exercise', 'status', 'tests', 'title'], rows, { align: ['left', 'left', 'right', 'left'] }));
  const done = manifest.exercises.filter((e) => state.results[e.id]?.progress === 'done' && isAvailable(e)).length;
  console.log(`\n${done} of ${manifest.exercises.length} exercises done.`);
  const next = nextExercise(manifest, state);
  if (!next) {
    console.log('Every exercise passes. Try `npm run train` to train the reference network on MNIST, or compare yours: `npm run compare -- 01`.');
    return;
  }
  const n = next.id.slice(0, 2);
  console.log(`\nNext: ${next.id} — ${next.title.en}`);
  console.log(`      ${next.title.ja}`);
  console.log(`  Read exercises/${next.id}/README.md, edit the files in exercises/${next.id}/, then run: npm test -- ${n}`);
  const r = state.results[next.id];
  if (r?.firstFailure && r.progress !== 'not-started') console.log(`  First failing test: ${r.firstFailure.name}`);
  console.log(`\n${hintText(next, 1)}`);
  console.log(`\nMore hints: npm run kata -- hint ${n}   Check: npm run kata -- check ${n}   Re-run on save: npm run kata -- watch`);
}

/** Runs one exercise and prints a short friendly summary. Returns whether it is done. */
async function check(manifest: Manifest, e: Exercise): Promise<boolean> {
  const n = e.id.slice(0, 2);
  if (!isAvailable(e)) {
    console.log(`${e.id}: exercises/${e.id}/ or ${e.test} does not exist.`);
    return false;
  }
  const state = readState();
  const started = Date.now();
  await runExercises(manifest, [e], state);
  const r = state.results[e.id];
  const took = `(${seconds(Date.now() - started)})`;
  if (r.progress === 'done') {
    console.log(`${e.id}: all ${r.total} tests pass. Well done! ${took}`);
    return true;
  }
  if (r.progress === 'not-started') {
    const what = /Not implemented yet: ([^\n(]+)/.exec(r.firstFailure?.message ?? '')?.[1]?.trim();
    console.log(`${e.id}: not started yet — all ${r.total} tests fail with NotImplementedError. ${took}`);
    if (what) console.log(`  Start with ${what} in exercises/${e.id}/.`);
    console.log(`  The formulas are in exercises/${e.id}/README.md; a hint: npm run kata -- hint ${n}`);
    return false;
  }
  if (r.progress === 'cannot-run') {
    console.log(`${e.id}: the tests cannot run ${took}`);
  } else {
    console.log(`${e.id}: ${r.passed} of ${r.total} tests pass. ${took}`);
  }
  if (r.firstFailure) {
    console.log(`\nFirst failing test: ${r.firstFailure.name}`);
    console.log(r.firstFailure.message.split('\n').map((l) => `  ${l}`).join('\n'));
  }
  console.log(`\nAll details: npm test -- ${n}    A hint: npm run kata -- hint ${n}`);
  return false;
}

function hint(e: Exercise, reset: boolean): void {
  const state = readState();
  if (reset) {
    delete state.hints[e.id];
    writeState(state);
    console.log(`Hints for ${e.id} start again from the first one.`);
    return;
  }
  const shown = state.hints[e.id] ?? 0;
  const level = Math.min(shown + 1, e.hints.length);
  state.hints[e.id] = level;
  writeState(state);
  console.log(hintText(e, level));
  if (level < e.hints.length) console.log(`\n(run the same command again for hint ${level + 1})`);
  else console.log(`\n(that was the last hint; \`npm run kata -- hint ${e.id.slice(0, 2)} --reset\` starts over)`);
}

/** A cheap fingerprint of a folder: names, sizes and modification times. */
export function folderSnapshot(dir: string): string {
  return listFiles(dir)
    .map((f) => {
      const st = fs.statSync(path.join(dir, f));
      return `${f}:${st.size}:${st.mtimeMs}`;
    })
    .join('|');
}

async function watch(manifest: Manifest, start: Exercise | undefined, forcePoll: boolean): Promise<void> {
  let current = start;
  if (!current) {
    const state = readState();
    await currentResults(manifest, state, false);
    current = nextExercise(manifest, state);
  }
  if (!current) {
    console.log('Every exercise passes already. Nothing to watch.');
    return;
  }
  let polling = forcePoll;
  let watcher: fs.FSWatcher | null = null;
  let lastEvent = 0;
  let running = false;
  let again = false;
  let snapshot = '';
  let debounce: NodeJS.Timeout | undefined;

  const folder = (): string => path.join(treeDir, current!.id);
  const announcePolling = (why: string): void => {
    polling = true;
    watcher?.close();
    watcher = null;
    console.log(`\n[watch] ${why}: checking the files for changes every second instead.`);
  };
  const startWatcher = (): void => {
    watcher?.close();
    watcher = null;
    if (polling) return;
    try {
      watcher = fs.watch(folder(), () => {
        lastEvent = Date.now();
        clearTimeout(debounce);
        debounce = setTimeout(() => void trigger(), 300);
      });
      watcher.on('error', () => announcePolling('file events stopped'));
    } catch (err) {
      announcePolling(`file events are not available (${(err as Error).message})`);
    }
  };
  const trigger = async (): Promise<void> => {
    const now = folderSnapshot(folder());
    if (now === snapshot) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    snapshot = now;
    console.log(`\n[watch] ${new Date().toLocaleTimeString()} running ${current!.id} ...`);
    const green = await check(manifest, current!);
    running = false;
    if (green) {
      const state = readState();
      await currentResults(manifest, state, false);
      const next = nextExercise(manifest, state);
      if (!next) {
        console.log('\n[watch] Every exercise passes. Congratulations!');
        watcher?.close();
        clearInterval(poller);
        return;
      }
      current = next;
      console.log(`\n[watch] On to ${current.id} — ${current.title.en}\n${hintText(current, 1)}`);
      snapshot = '';
      startWatcher();
      void trigger();
      return;
    }
    console.log(`\n[watch] waiting for changes in exercises/${current!.id}/ (Ctrl+C to stop)`);
    if (again) {
      again = false;
      void trigger();
    }
  };
  // Polling runs either way: it is the fallback when no file events arrive.
  const poller = setInterval(() => {
    if (running) return;
    const now = folderSnapshot(folder());
    if (now === snapshot) return;
    if (!polling && Date.now() - lastEvent > 1500) announcePolling('a file changed but no file event arrived (some file systems do not send them)');
    if (polling) void trigger();
  }, 1000);
  if (polling) console.log('[watch] checking the files for changes every second.');
  startWatcher();
  await trigger();
}

// ---------------------------------------------------------------------------

const USAGE = `usage:
  npm run kata                     progress of every exercise, the next one, its first hint
  npm run kata -- check <ex>       run one exercise, show the first failing test
  npm run kata -- hint <ex>        the next hint (English and Japanese); --reset starts over
  npm run kata -- watch [<ex>]     re-run on every save, move on when green; --poll to poll
  options: --fresh (ignore remembered results)
  <ex>: 01, 1, conv2d or 01-conv2d`;

async function main(argv: string[]): Promise<number> {
  const manifest = loadManifest();
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const args = argv.filter((a) => !a.startsWith('--'));
  const known = new Set(['--fresh', '--reset', '--poll', '--help']);
  const unknown = [...flags].filter((f) => !known.has(f));
  if (unknown.length > 0 || flags.has('--help')) {
    if (unknown.length > 0) console.error(`kata: unknown option ${unknown.join(', ')}\n`);
    console.error(USAGE);
    return unknown.length > 0 ? 2 : 0;
  }
  const [command, target] = args;
  const exercise = (required: boolean): Exercise | undefined => {
    if (target === undefined) {
      if (required) throw new Error(`"${command}" needs an exercise, e.g. npm run kata -- ${command} 01`);
      return undefined;
    }
    return findExercise(manifest, target);
  };
  try {
    switch (command) {
      case undefined:
      case 'status':
        await showProgress(manifest, flags.has('--fresh'));
        return 0;
      case 'check':
        return (await check(manifest, exercise(true)!)) ? 0 : 1;
      case 'hint':
        hint(exercise(true)!, flags.has('--reset'));
        return 0;
      case 'watch':
        await watch(manifest, exercise(false), flags.has('--poll'));
        return 0;
      default:
        // `npm run kata -- 01` reads as "check 01".
        if (args.length === 1) return (await check(manifest, findExercise(manifest, command))) ? 0 : 1;
        console.error(`kata: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    console.error(`kata: ${(err as Error).message}`);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
