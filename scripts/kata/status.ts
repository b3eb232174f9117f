/** kata (no command): every exercise's status, then the one being worked on. */
import fs from 'node:fs';
import path from 'node:path';
import { Exercise, exerciseNumber, listFiles } from '../manifest';
import { formatTable } from '../ui/table';
import { clip, terminalWidth } from '../ui/width';
import { KataContext, short } from './context';
import { focusLines, partLines } from './report';
import { Waiting, waitingLines, waitingParts } from './pacing';
import { dependencyKey, isAvailable, refreshResults } from './results';
import { CachedResult, KataState, readState } from './state';

const LABEL: Record<CachedResult['progress'], string> = { done: 'done', failing: 'failing', 'not-started': 'not started', 'cannot-run': 'cannot run' };

/** Newest modification time of a folder's files (0 when empty). */
function lastEdited(dir: string): number {
  return Math.max(0, ...listFiles(dir).map((f) => fs.statSync(path.join(dir, f)).mtimeMs));
}

/**
 * The exercise the learner is working on: the unfinished one edited last
 * (when it was edited after the others, i.e. not just the clone's checkout
 * time), else the one last checked, else the first unfinished in the
 * manifest's order. Exercises without a remembered result, or edited since
 * it, count as unfinished.
 */
export function currentExercise(ctx: KataContext, state: KataState): Exercise | undefined {
  // Done means done as the files are now: an exercise edited since its green result is open again.
  const unfinished = ctx.manifest.exercises.filter(
    (e) => isAvailable(e, ctx.tree) && (state.results[e.id]?.progress !== 'done' || state.results[e.id]?.key !== dependencyKey(ctx.manifest, e, ctx.tree)),
  );
  if (unfinished.length === 0) return undefined;
  // An exercise whose parts needed now pass waits while an exercise before the one that needs the rest is unfinished.
  const waiting = waitingExercises(ctx, state);
  const waits = (e: Exercise): boolean =>
    unfinished.some((x) => !waiting.has(x) && exerciseNumber(x.id) < exerciseNumber(waiting.get(e)?.neededBy.id ?? e.id));
  const ready = unfinished.filter((e) => !waits(e));
  const open = ready.length > 0 ? ready : unfinished;
  const times = ctx.manifest.exercises.filter((e) => isAvailable(e, ctx.tree)).map((e) => ({ e, t: lastEdited(path.join(ctx.tree, e.id)) }));
  const oldest = Math.min(...times.map((x) => x.t));
  const edited = times.filter((x) => open.includes(x.e) && x.t > oldest + 2000).sort((a, b) => b.t - a.t);
  if (edited.length > 0) return edited[0].e;
  const checked = open.find((e) => e.id === state.current);
  return checked ?? open[0];
}

/**
 * The next unfinished exercise after `e` in the manifest's order (wrapping
 * round); but an exercise that left parts for later comes first when the
 * next one is the exercise that needs them, or a later one.
 */
export function nextAfter(ctx: KataContext, state: KataState, e: Exercise): Exercise | undefined {
  const list = ctx.manifest.exercises;
  const i = list.indexOf(e);
  const next = [...list.slice(i + 1), ...list.slice(0, i)].find((x) => isAvailable(x, ctx.tree) && state.results[x.id]?.progress !== 'done');
  if (!next) return undefined;
  const back = [...waitingExercises(ctx, state)].find(([x, w]) => x !== e && exerciseNumber(w.neededBy.id) <= exerciseNumber(next.id));
  return back ? back[0] : next;
}

/** The exercises that left parts for later (see pacing.ts), from results that are still current. */
export function waitingExercises(ctx: KataContext, state: KataState): Map<Exercise, Waiting> {
  const out = new Map<Exercise, Waiting>();
  for (const e of ctx.manifest.exercises) {
    const r = state.results[e.id];
    // Cheap test first: only a result with parts left for later needs the key of its files.
    const w = waitingParts(ctx.manifest, e, r);
    if (w && r && isAvailable(e, ctx.tree) && r.key === dependencyKey(ctx.manifest, e, ctx.tree)) out.set(e, w);
  }
  return out;
}

function statusTable(ctx: KataContext, state: KataState): string {
  const width = terminalWidth();
  const rows = ctx.manifest.exercises.map((e) => {
    const r = isAvailable(e, ctx.tree) ? state.results[e.id] : undefined;
    return [e.id, r ? LABEL[r.progress] : 'missing', r && r.progress !== 'cannot-run' ? `${r.passed}/${r.total}` : '-', e.title.en];
  });
  // The title takes what is left of the line; below 60 columns it goes.
  const fixed = Math.max(...rows.map((r) => r[0].length)) + 11 + 7 + 6;
  const titleWidth = width - fixed;
  const headers = titleWidth >= 20 ? ['exercise', 'status', 'tests', 'title'] : ['exercise', 'status', 'tests'];
  const cut = rows.map((r) => (titleWidth >= 20 ? [r[0], r[1], r[2], clip(r[3], titleWidth)] : r.slice(0, 3)));
  const lines = formatTable(headers, cut, { align: ['left', 'left', 'right', 'left'] }).split('\n');
  const paint: Record<string, (s: string) => string> = {
    done: ctx.colour.green,
    failing: ctx.colour.red,
    'cannot run': ctx.colour.red,
    'not started': ctx.colour.dim,
  };
  return lines
    .map((line, i) => {
      const label = i >= 2 ? cut[i - 2][1] : '';
      const at = line.indexOf(` ${label} `) + 1;
      return label && paint[label] && at > 0 ? line.slice(0, at) + paint[label](label) + line.slice(at + label.length) : line;
    })
    .join('\n');
}

/** One line per exercise whose code has a recognised mistake now. */
function mistakeLines(ctx: KataContext, state: KataState): string[] {
  return ctx.manifest.exercises.flatMap((e) => {
    const id = state.results[e.id]?.mistakes?.[0];
    const m = e.mistakes.find((x) => x.id === id);
    return m ? [clip(`${ctx.colour.yellow('!')} ${e.id}: ${m.en}`, terminalWidth() + ctx.colour.yellow('').length)] : [];
  });
}

export async function showStatus(ctx: KataContext, fresh: boolean): Promise<void> {
  const { say } = ctx;
  const state = readState();
  await refreshResults(ctx.manifest, state, ctx.tree, fresh, (l) => say(ctx.colour.dim(l)));
  say(statusTable(ctx, state));
  for (const line of mistakeLines(ctx, state)) say(line);
  const done = ctx.manifest.exercises.filter((e) => isAvailable(e, ctx.tree) && state.results[e.id]?.progress === 'done').length;
  say(`\n${done} of ${ctx.manifest.exercises.length} exercises done.`);
  const next = currentExercise(ctx, state);
  if (!next) {
    say('Every exercise passes. Train your network: npm run train -- --tree exercises');
    return;
  }
  // Exercises that left parts for later: what waits, and whether to go on first.
  const waiting = waitingExercises(ctx, state);
  if (waiting.size > 0) say();
  for (const [e, w] of waiting) for (const line of waitingLines(ctx, e, w, next)) say(line);
  const r = state.results[next.id];
  say(`\n${ctx.colour.bold('Next:')} ${next.id}: ${clip(next.title.en, terminalWidth() - next.id.length - 8)}`);
  say(`  README: ${ctx.treeName}${next.id}/README.md    run: npm run kata -- check ${short(next)}`);
  if (r) {
    for (const line of partLines(ctx, next, r)) say(line);
    say();
    for (const line of focusLines(ctx, next, r, r.mistakes ?? [])) say(line);
  }
  say(`Re-run on every save: npm run kata -- watch`);
}
