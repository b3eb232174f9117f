/**
 * kata hint <ex>: the next hint for where the learner is, from the code as it
 * is now (the exercise runs first when it changed since its last result). A
 * mistake recognised in the code now is always the first hint, whatever
 * hints came before; then the hints of the first unfinished part, then the
 * exercise's own, one more each time. Levels are remembered per part.
 */
import { Exercise, Hint } from '../manifest';
import { terminalWidth, wrap } from '../ui/width';
import { KataContext, short } from './context';
import { recogniseMistakes } from './detect';
import { openPart } from './report';
import { dependencyKey, findPart, runExercises } from './results';
import { KataState, readState, writeState } from './state';

export interface HintList {
  /** The key the level is remembered under: `01-conv2d` or `01-conv2d/im2col`. */
  key: string;
  label: string;
  hints: Hint[];
}

/** The part's hints, then the exercise's, for the learner's last result of `e`. */
export function hintsFor(e: Exercise, openPartName: string | undefined): HintList {
  const part = findPart(e, openPartName);
  const partHints = part?.hints ?? [];
  const key = part && partHints.length > 0 ? `${e.id}/${part.name}` : e.id;
  return { key, label: part && partHints.length > 0 ? `${e.id}, ${part.title.en}` : e.id, hints: [...partHints, ...e.hints] };
}

function bilingual(h: Hint): string {
  const width = terminalWidth() - 2;
  return [...wrap(h.en, width), ...wrap(h.ja, width)].map((l) => `  ${l}`).join('\n');
}

export function hintText(list: HintList, level: number): string {
  return `Hint ${level} of ${list.hints.length} for ${list.label}:\n${bilingual(list.hints[level - 1])}`;
}

/** Where a mistake's hint is remembered as shown: `02-output-size!ceil`. */
const shownKey = (e: Exercise, mistake: string): string => `${e.id}!${mistake}`;

/**
 * The first recognised mistake of `present` not shown yet, marked as shown;
 * marks of mistakes that are gone are dropped, so a mistake made again is
 * shown again.
 */
export function nextMistake(state: KataState, e: Exercise, present: string[]): string | undefined {
  for (const key of Object.keys(state.hints)) {
    if (key.startsWith(`${e.id}!`) && !present.includes(key.slice(e.id.length + 1))) delete state.hints[key];
  }
  const unseen = present.find((id) => state.hints[shownKey(e, id)] === undefined);
  if (unseen !== undefined) state.hints[shownKey(e, unseen)] = 1;
  return unseen;
}

export async function hint(ctx: KataContext, e: Exercise, reset: boolean, again = 'run the same command again'): Promise<void> {
  const state = readState();
  if (reset) {
    for (const k of Object.keys(state.hints)) if (k === e.id || k.startsWith(`${e.id}/`) || k.startsWith(`${e.id}!`)) delete state.hints[k];
    writeState(state);
    ctx.say(`Hints for ${e.id} start again from the first one.`);
    return;
  }
  state.current = e.id;
  if (state.results[e.id]?.key !== dependencyKey(ctx.manifest, e, ctx.tree)) {
    ctx.say(ctx.colour.dim(`(${e.id} changed since its last result: running its tests first)`));
    await runExercises(ctx.manifest, [e], state, ctx.tree);
    await recogniseMistakes(e, ctx.tree, state.results[e.id]);
  }
  const r = state.results[e.id];
  const present = r?.mistakes ?? [];
  const mistake = nextMistake(state, e, present);
  if (mistake !== undefined) {
    const m = e.mistakes.find((x) => x.id === mistake)!;
    writeState(state);
    ctx.say(`Hint for ${e.id}, about your code as it is now:\n${bilingual(m)}`);
    ctx.say(`\n(${again} for the next hint)`);
    return;
  }
  const list = hintsFor(e, r ? openPart(r)?.name : e.parts[0]?.name);
  if (list.hints.length === 0) {
    writeState(state);
    ctx.say(`${e.id} has no hints; its README.md explains each part.`);
    return;
  }
  const level = Math.min((state.hints[list.key] ?? 0) + 1, list.hints.length);
  state.hints[list.key] = level;
  writeState(state);
  ctx.say(hintText(list, level));
  if (present.length > 0) ctx.say(ctx.colour.yellow('\n(still in your code: the mistake the hint before this one named)'));
  if (level < list.hints.length) ctx.say(`\n(${again} for hint ${level + 1})`);
  else ctx.say(`\n(that was the last hint; \`npm run kata -- hint ${short(e)} --reset\` starts over)`);
}
