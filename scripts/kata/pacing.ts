/**
 * Parts an exercise may leave for later (the manifest's `neededBy`): 00's
 * initializers, optimizers and mini-batches are first needed in 06. Once
 * every other part of the exercise passes, kata says the learner may go on,
 * and brings the exercise back before the exercise that needs the rest.
 */
import { Exercise, exerciseNumber, Manifest, Part } from '../manifest';
import { terminalWidth, wrap } from '../ui/width';
import { KataContext, short } from './context';
import { CachedResult } from './state';

export interface Waiting {
  /** The parts left for later that do not pass yet, in the manifest's order. */
  parts: Part[];
  /** The first exercise that needs one of them. */
  neededBy: Exercise;
}

/**
 * What `e` leaves for later: its parts with neededBy that do not pass, when
 * every other part (tests matching no part included) passes. Undefined when
 * the exercise is done, cannot run, has no such parts or still has a part
 * needed now to finish.
 */
export function waitingParts(manifest: Manifest, e: Exercise, r: CachedResult | undefined): Waiting | undefined {
  if (!r?.parts || r.progress === 'done' || r.progress === 'cannot-run') return undefined;
  const later = new Set(e.parts.filter((p) => p.neededBy !== undefined).map((p) => p.name));
  if (later.size === 0) return undefined;
  if (!r.parts.filter((p) => !later.has(p.name)).every((p) => p.passed === p.total)) return undefined;
  const open = e.parts.filter((p) => later.has(p.name) && r.parts!.some((x) => x.name === p.name && x.passed < x.total));
  const neededBy = manifest.exercises.filter((x) => open.some((p) => p.neededBy === x.id)).sort((a, b) => exerciseNumber(a.id) - exerciseNumber(b.id))[0];
  return open.length > 0 && neededBy ? { parts: open, neededBy } : undefined;
}

/** "a, b and c" */
function list(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * Says which parts wait for which exercise and, when `next` (the exercise
 * to work on) is another one before that exercise, that the learner may go
 * on to it now; else to write them now. English, then Japanese.
 */
export function waitingLines(ctx: KataContext, e: Exercise, w: Waiting, next?: Exercise): string[] {
  const now = e.parts.filter((p) => !w.parts.includes(p) && p.neededBy === undefined);
  const en = list(w.parts.map((p) => p.title.en));
  const by = short(w.neededBy);
  const goOn = next !== undefined && next !== e && exerciseNumber(next.id) < exerciseNumber(w.neededBy.id);
  const [thenEn, thenJa] = goOn
    ? [`: go on to ${short(next)} now and come back to them before ${by}.`, `。先に ${short(next)} へ進み、${by} の前に戻ってきてください。`]
    : next === e
      ? [`: write them now, before ${by}.`, `。${by} の前に、ここで書きましょう。`]
      : [`: come back to them before ${by}.`, `。${by} の前に戻ってきてください。`];
  const width = terminalWidth() - 2;
  const paragraphs = [
    `${e.id}: ${list(now.map((p) => p.title.en))} pass. ${en[0].toUpperCase()}${en.slice(1)} are first needed in ${by}${thenEn}`,
    `${e.id}: ${now.map((p) => p.title.ja).join('・')}はできました。${w.parts.map((p) => p.title.ja).join('・')}は ${by} で初めて使います${thenJa}`,
  ];
  return paragraphs.flatMap((text, i) => wrap(text, width).map((l, j) => (i === 0 && j === 0 ? `${ctx.colour.green('✓')} ${l}` : `  ${l}`)));
}
