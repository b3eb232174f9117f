/**
 * npm run compare -- <exercise> [--submission DIR]
 *
 * Runs your implementation (exercises/, or a submission folder laid out like
 * it) and the reference (solutions/) on the same seeded inputs, and prints
 * for every step (forward, backward dx, each parameter gradient) whether the
 * shapes match, the largest absolute and relative differences, and the speed
 * ratio; then says in plain words where the two first differ.
 *
 * The relative difference of a step is max|yours - reference| divided by the
 * largest |reference| value of that step. Two results count as the same when
 * every element is within 1e-9 of the reference (relative to that scale).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { compareCases } from './compare-cases';
import { CompareCase, Module, Step } from './compare/kit';
import { CommandError, CommandSpec, ParsedCommand, startCommand } from './cli/command';
import { linkFolder } from './cli/platform';
import { exerciseArgument } from './cli/values';
import { loadManifest, repoRoot } from './manifest';
import { TREES } from './trees';
import { colour } from './ui/colour';
import { Align, formatTable } from './ui/table';
import { displayWidth, terminalWidth, wrap } from './ui/width';

const TOLERANCE = 1e-9;

interface Outcome {
  ok: boolean;
  value?: { shape: number[]; data: ArrayLike<number> };
  error?: string;
  ms: number;
}

export interface StepReport {
  step: string;
  shape: string;
  maxAbs: number | null;
  maxRel: number | null;
  /** Plain words: where the step first differs, or why it could not be compared. */
  problem: string | null;
  yoursMs: number | null;
  refMs: number | null;
}

export interface CaseReport {
  name: string;
  /** same: every step matches; not-implemented: a NotImplementedError stopped yours; different: anything else. */
  state: 'same' | 'different' | 'not-implemented';
  steps: StepReport[];
  /** The first difference in plain words, or null when everything matches. */
  firstDifference: string | null;
  speedRatio: number | null;
}

function describeError(err: unknown): string {
  const e = err as Error;
  const msg = e?.message ?? String(err);
  const ni = /Not implemented yet: ([^(\n]+)/.exec(msg);
  if (e?.name === 'NotImplementedError' || ni) return `not implemented yet${ni ? ` (${ni[1].trim()})` : ''}`;
  return `threw ${e?.name ?? 'an error'}: ${msg.split('\n')[0]}`;
}

function runStep(step: Step): Outcome {
  const start = performance.now();
  try {
    const v = step.run();
    const ms = performance.now() - start;
    if (!v || !Array.isArray(v.shape) || !v.data || typeof v.data.length !== 'number') {
      return { ok: false, error: `returned ${v === undefined ? 'undefined' : typeof v}, expected a Tensor`, ms };
    }
    // Copy: a later step may change a tensor that a layer reuses.
    return { ok: true, value: { shape: [...v.shape], data: Float64Array.from(v.data) }, ms };
  } catch (err) {
    return { ok: false, error: describeError(err), ms: performance.now() - start };
  }
}

function unravel(flat: number, shape: number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index[axis] = flat % shape[axis];
    flat = Math.floor(flat / shape[axis]);
  }
  return index;
}

/** 'dL/dx[n=0, c=1, h=2, w=3]' for a flat index of a step's result. */
export function elementName(step: Step, flat: number, shape: number[]): string {
  if (step.explain) return step.explain(flat);
  const index = unravel(flat, shape);
  const parts = index.map((v, i) => (step.axes && step.axes.length === index.length ? `${step.axes[i]}=${v}` : String(v)));
  return `${step.element}[${parts.join(', ')}]`;
}

const fmt = (x: number): string =>
  x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(6).replace(/\.?0+$/, '') : x.toExponential(2);
const shapeText = (s: number[]): string => `[${s.join(', ')}]`;

/** Compares one step's results; returns the report row. */
export function compareStep(step: Step, yours: Outcome, ref: Outcome): StepReport {
  const base = { step: step.name, yoursMs: yours.ok ? yours.ms : null, refMs: ref.ok ? ref.ms : null };
  if (!ref.ok) return { ...base, shape: '-', maxAbs: null, maxRel: null, problem: `the reference ${ref.error}` };
  const r = ref.value!;
  if (!yours.ok) return { ...base, shape: '-', maxAbs: null, maxRel: null, problem: `yours ${yours.error}` };
  const y = yours.value!;
  if (y.shape.length !== r.shape.length || y.shape.some((d, i) => d !== r.shape[i])) {
    return {
      ...base,
      shape: `${shapeText(y.shape)} vs ${shapeText(r.shape)}`,
      maxAbs: null,
      maxRel: null,
      problem: `${step.name} has shape ${shapeText(y.shape)}, the reference ${shapeText(r.shape)}`,
    };
  }
  let scale = 0;
  for (let i = 0; i < r.data.length; i++) scale = Math.max(scale, Math.abs(r.data[i]));
  const tol = TOLERANCE * Math.max(scale, 1e-12);
  let maxAbs = 0;
  let first = -1;
  for (let i = 0; i < r.data.length; i++) {
    const d = Math.abs(y.data[i] - r.data[i]);
    const bad = !(d <= tol); // NaN counts as a difference
    if (bad && first < 0) first = i;
    maxAbs = Math.max(maxAbs, Number.isNaN(d) ? Infinity : d);
  }
  const maxRel = maxAbs / Math.max(scale, 1e-12);
  const problem =
    first < 0 ? null : `${step.name} first differs at ${elementName(step, first, r.shape)}: yours ${fmt(y.data[first])}, reference ${fmt(r.data[first])}`;
  return { ...base, shape: `${shapeText(r.shape)} same`, maxAbs, maxRel, problem };
}

/** Builds the steps of a case in one tree; an error (e.g. in a constructor) is returned as text. */
function build(c: CompareCase, load: (file: string) => Module): Step[] | string {
  try {
    return c.build(load);
  } catch (err) {
    return describeError(err);
  }
}

/** Times the whole sequence of steps `reps` times; per-step mean in ms (null for untimed steps). */
function timeSteps(c: CompareCase, load: (file: string) => Module, reps: number): (number | null)[] | null {
  const steps = build(c, load);
  if (typeof steps === 'string') return null;
  const totals = steps.map(() => 0);
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < steps.length; i++) {
      const start = performance.now();
      try {
        steps[i].run();
      } catch {
        return null;
      }
      totals[i] += performance.now() - start;
    }
  }
  return steps.map((s, i) => (s.timed ? totals[i] / reps : null));
}

function listWords(words: string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

export function runCase(c: CompareCase, loadYours: (file: string) => Module, loadRef: (file: string) => Module): CaseReport {
  const refSteps = build(c, loadRef);
  if (typeof refSteps === 'string') {
    return { name: c.name, state: 'different', steps: [], firstDifference: `the reference could not be set up: ${refSteps}`, speedRatio: null };
  }
  const yourSteps = build(c, loadYours);
  if (typeof yourSteps === 'string') {
    const state = yourSteps.startsWith('not implemented yet') ? 'not-implemented' : 'different';
    return { name: c.name, state, steps: [], firstDifference: `yours could not be set up: ${yourSteps}`, speedRatio: null };
  }
  const steps = refSteps.map((step, i) => compareStep(step, runStep(yourSteps[i]), runStep(step)));
  const firstBad = steps.findIndex((s) => s.problem);
  const matched = steps.slice(0, Math.max(firstBad, 0)).map((s) => s.step);
  const firstDifference =
    firstBad < 0
      ? null
      : `${matched.length > 0 ? `${listWords(matched)} ${matched.length === 1 ? 'matches' : 'match'} the reference; ` : ''}${steps[firstBad].problem}`;

  // Speed: a warm-up, then five rounds (alternating which tree goes first) of
  // enough repetitions for about 20 ms; each step keeps its fastest round.
  let speedRatio: number | null = null;
  if (steps.every((s) => s.yoursMs !== null && s.refMs !== null)) {
    const once = steps.reduce((sum, s) => sum + (s.refMs ?? 0), 0);
    const reps = Math.max(3, Math.min(5000, Math.ceil(20 / Math.max(once, 0.001))));
    const best = { ref: timeSteps(c, loadRef, 2), yours: timeSteps(c, loadYours, 2) };
    const keepMin = (a: (number | null)[] | null, b: (number | null)[] | null): (number | null)[] | null =>
      a && b ? a.map((x, i) => (x === null || b[i] === null ? null : Math.min(x, b[i]!))) : null;
    best.ref = best.ref && timeSteps(c, loadRef, reps);
    best.yours = best.yours && timeSteps(c, loadYours, reps);
    for (let round = 1; round < 5; round++) {
      const order: ('ref' | 'yours')[] = round % 2 === 0 ? ['ref', 'yours'] : ['yours', 'ref'];
      for (const who of order) best[who] = keepMin(best[who], timeSteps(c, who === 'ref' ? loadRef : loadYours, reps));
    }
    if (best.ref && best.yours) {
      const { ref, yours } = best;
      steps.forEach((s, i) => {
        s.refMs = ref[i];
        s.yoursMs = yours[i];
      });
      const sum = (xs: (number | null)[]): number => xs.reduce<number>((a, b) => a + (b ?? 0), 0);
      speedRatio = sum(yours) / Math.max(sum(ref), 1e-9);
    }
  }
  const problems = [...steps.map((s) => s.problem), firstDifference].filter((p): p is string => p !== null);
  const state: CaseReport['state'] =
    firstDifference === null ? 'same' : problems.some((p) => p.includes('not implemented yet')) ? 'not-implemented' : 'different';
  return { name: c.name, state, steps, firstDifference, speedRatio };
}

export function speedText(ratio: number | null): string {
  if (ratio === null) return '-';
  if (ratio >= 1.05) return `${ratio.toFixed(1)}x slower`;
  if (ratio <= 1 / 1.05) return `${(1 / ratio).toFixed(1)}x faster`;
  return 'about the same';
}

/**
 * The table at the terminal's width: when it is too wide, the two time
 * columns go first (the speed column stays), then the absolute difference.
 */
export function fitTable(headers: string[], rows: string[][], align: Align[], width = terminalWidth()): string {
  let keep = headers.map((_, i) => i);
  for (const drop of [[], ['yours', 'reference'], ['max abs diff']]) {
    keep = keep.filter((i) => !drop.includes(headers[i]));
    const text = formatTable(
      keep.map((i) => headers[i]),
      rows.map((r) => keep.map((i) => r[i])),
      { align: keep.map((i) => align[i]) },
    );
    if (Math.max(...text.split('\n').map(displayWidth)) <= width) return text;
  }
  return formatTable(
    keep.map((i) => headers[i]),
    rows.map((r) => keep.map((i) => r[i])),
    { align: keep.map((i) => align[i]) },
  );
}

/** `=> text`, wrapped to the terminal's width with the continuation lines indented. */
function arrow(text: string, lead = '=> '): string[] {
  return wrap(text, terminalWidth() - 3).map((l, i) => (i === 0 ? lead : '   ') + l);
}

export function formatCase(exercise: string, r: CaseReport): string {
  const lines = wrap(`${exercise}: ${r.name}`, terminalWidth() - 2).map((l, i) => (i === 0 ? l : `  ${l}`));
  if (r.steps.length > 0) {
    const ms = (x: number | null): string => (x === null ? '-' : x < 0.1 ? `${(x * 1000).toFixed(1)} us` : `${x.toFixed(2)} ms`);
    const rows = r.steps.map((s) => [
      s.step,
      s.shape,
      s.maxAbs === null ? '-' : fmt(s.maxAbs),
      s.maxRel === null ? '-' : fmt(s.maxRel),
      ms(s.yoursMs),
      ms(s.refMs),
      s.yoursMs !== null && s.refMs !== null ? speedText(s.yoursMs / Math.max(s.refMs, 1e-9)) : '-',
    ]);
    lines.push(
      fitTable(['step', 'shape', 'max abs diff', 'max rel diff', 'yours', 'reference', 'speed'], rows, [
        'left',
        'left',
        'right',
        'right',
        'right',
        'right',
        'left',
      ]),
    );
  }
  if (r.firstDifference === null) {
    lines.push(...arrow(`same as the reference (every element within ${TOLERANCE} relative); yours is ${speedText(r.speedRatio)} overall.`));
  } else {
    const first = r.firstDifference;
    lines.push(...arrow(`${first}.`));
    const others = r.steps.filter((s) => s.problem && !first.endsWith(s.problem)).map((s) => s.problem);
    if (others.length > 0) lines.push(...arrow(`also: ${others.join('; ')}.`, '   '));
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------
// Trees

/**
 * A folder of exercises whose files can import `../../lib/...`: the folder
 * itself when it sits in this repository, else a temporary workspace with
 * the submission copied to <ws>/exercises and <ws>/lib a symlink to lib/.
 */
export function prepareTree(submission: string): { tree: string; cleanup: () => void } {
  let dir = path.resolve(submission);
  if (!fs.readdirSync(dir).some((e) => /^\d{2}-/.test(e)) && fs.existsSync(path.join(dir, 'exercises'))) dir = path.join(dir, 'exercises');
  const libBeside = path.join(dir, '..', 'lib');
  if (fs.existsSync(libBeside) && fs.realpathSync(libBeside) === fs.realpathSync(path.join(repoRoot, 'lib'))) {
    return { tree: dir, cleanup: () => undefined };
  }
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-compare-'));
  fs.cpSync(dir, path.join(ws, 'exercises'), { recursive: true, filter: (src) => !['node_modules', '.git'].includes(path.basename(src)) });
  linkFolder(path.join(repoRoot, 'lib'), path.join(ws, 'lib'));
  linkFolder(path.join(repoRoot, 'node_modules'), path.join(ws, 'node_modules'));
  return { tree: path.join(ws, 'exercises'), cleanup: () => fs.rmSync(ws, { recursive: true, force: true }) };
}

/** `load(file)` for one exercise of one tree; a file that fails to load throws with a readable message. */
export function loader(tree: string, exercise: string): (file: string) => Module {
  return (file) => {
    const full = path.join(tree, exercise, file);
    if (!fs.existsSync(full)) throw new Error(`${path.join(exercise, file)} does not exist in ${tree}`);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(full) as Module;
    } catch (err) {
      throw new Error(`${path.join(exercise, file)} could not be loaded: ${(err as Error).message.split('\n')[0]}`, { cause: err });
    }
  };
}

export function compareExercise(exerciseId: string, tree: string): { reports: CaseReport[]; text: string } {
  const cases = compareCases.filter((c) => c.exercise === exerciseId);
  const loadYours = loader(tree, exerciseId);
  const loadRef = loader(TREES.solutions.dir, exerciseId);
  const reports = cases.map((c) => runCase(c, loadYours, loadRef));
  return { reports, text: reports.map((r) => formatCase(exerciseId, r)).join('\n\n') };
}

const USAGE = `usage: npm run compare -- <exercise> [--submission DIR]

Runs your code and the reference (solutions/) on the same seeded inputs and
says, step by step, whether they agree and where they first differ.

  <exercise>         01, 1, conv2d or 01-conv2d
  --submission DIR   compare DIR (laid out like exercises/) instead of yours`;

const spec: CommandSpec = {
  name: 'compare',
  usage: USAGE,
  options: { submission: { type: 'string' } },
  argument: 'an exercise (01, conv2d or 01-conv2d)',
  minPositionals: 1,
  maxPositionals: 1,
};

function main({ values, positionals }: ParsedCommand): number {
  const id = exerciseArgument(loadManifest(), positionals[0]).id;
  const submission = values.submission as string | undefined;
  if (submission !== undefined) {
    if (!fs.existsSync(submission)) throw new CommandError(`--submission: ${submission} does not exist`);
    if (!fs.statSync(submission).isDirectory()) throw new CommandError(`--submission: ${submission} is not a folder`);
    const dir = fs.existsSync(path.join(submission, id)) ? submission : path.join(submission, 'exercises');
    if (!fs.existsSync(path.join(dir, id)))
      throw new CommandError(`--submission: ${submission} has no ${id}/ (expected a folder laid out like exercises/)`);
  }
  const { tree, cleanup } = submission ? prepareTree(submission) : { tree: TREES.exercises.dir, cleanup: () => undefined };
  try {
    console.log(`Comparing ${submission ? path.resolve(submission) : 'exercises/'} with solutions/ on ${id}\n`);
    const { reports, text } = compareExercise(id, tree);
    console.log(text);
    const count = (state: CaseReport['state']): number => reports.filter((r) => r.state === state).length;
    const todo = count('not-implemented');
    const different = count('different');
    const summary = `${id}: ${reports.length} case(s): ${count('same')} same as the reference, ${different} different${todo > 0 ? `, ${todo} not implemented yet` : ''}.`;
    console.log(`\n${different > 0 ? colour.red(summary) : count('same') === reports.length ? colour.green(summary) : summary}`);
    return count('same') === reports.length ? 0 : 1;
  } finally {
    cleanup();
  }
}

if (require.main === module) startCommand(spec, main);
