/**
 * kata hint <ex>: the next hint for where the learner is. A recognised
 * mistake's sentence comes first; then the hints of the first unfinished
 * part, then the exercise's own. Levels are remembered per part.
 */
import { Exercise, Hint } from '../manifest';
import { terminalWidth, wrap } from '../ui/width';
import { KataContext, short } from './context';
import { findPart } from './results';
import { openPart } from './report';
import { readState, writeState } from './state';

export interface HintList {
  /** The key the level is remembered under: `01-conv2d` or `01-conv2d/im2col`. */
  key: string;
  label: string;
  hints: Hint[];
}

/** The hints that fit the learner's last result of `e`. */
export function hintsFor(e: Exercise, openPartName: string | undefined, mistakes: string[]): HintList {
  const part = findPart(e, openPartName);
  const fromMistakes = mistakes
    .map((id) => e.mistakes.find((m) => m.id === id))
    .filter((m) => m !== undefined)
    .map((m) => ({ en: m.en, ja: m.ja }));
  const partHints = part?.hints ?? [];
  const hints = [...fromMistakes, ...partHints, ...e.hints];
  const key = part && partHints.length > 0 ? `${e.id}/${part.name}` : e.id;
  return { key, label: part && partHints.length > 0 ? `${e.id}, ${part.title.en}` : e.id, hints: hints.length > 0 ? hints : e.hints };
}

export function hintText(list: HintList, level: number): string {
  const h = list.hints[level - 1];
  const width = terminalWidth() - 2;
  const body = [...wrap(h.en, width), ...wrap(h.ja, width)].map((l) => `  ${l}`).join('\n');
  return `Hint ${level} of ${list.hints.length} for ${list.label}:\n${body}`;
}

export function hint(ctx: KataContext, e: Exercise, reset: boolean, again = 'run the same command again'): void {
  const state = readState();
  const r = state.results[e.id];
  const list = hintsFor(e, r ? openPart(r)?.name : e.parts[0]?.name, r?.mistakes ?? []);
  if (reset) {
    for (const k of Object.keys(state.hints)) if (k === e.id || k.startsWith(`${e.id}/`)) delete state.hints[k];
    writeState(state);
    ctx.say(`Hints for ${e.id} start again from the first one.`);
    return;
  }
  state.current = e.id;
  const level = Math.min((state.hints[list.key] ?? 0) + 1, list.hints.length);
  state.hints[list.key] = level;
  writeState(state);
  ctx.say(hintText(list, level));
  if (level < list.hints.length) ctx.say(`\n(${again} for hint ${level + 1})`);
  else ctx.say(`\n(that was the last hint; \`npm run kata -- hint ${short(e)} --reset\` starts over)`);
}
