/** kata check <ex>: run one exercise, show its parts and what to do next. */
import path from 'node:path';
import { calibration } from '../calibration';
import { seconds } from '../jest-run';
import { Exercise, exerciseNumber } from '../manifest';
import { KataContext, short } from './context';
import { recogniseMistakes } from './detect';
import { focusLines, openPart, partLines } from './report';
import { isAvailable, runExercises } from './results';
import { readReferenceTimes, slownessSentence, suiteSeconds } from './slowness';
import { readState, writeState } from './state';
import { nextAfter, waitingExercises } from './status';
import { waitingLines } from './pacing';
import { exerciseTypeErrors } from './typecheck';
import { terminalWidth, wrap } from '../ui/width';

function nextLine(ctx: KataContext, next: Exercise): string {
  return `Next: ${next.id} (${next.title.en}): read ${path.join(ctx.treeName, next.id, 'README.md')}, then npm run kata -- check ${short(next)}`;
}

/** Runs one exercise and prints a short summary. Returns whether it is done. */
export async function check(ctx: KataContext, e: Exercise): Promise<boolean> {
  const { say, colour } = ctx;
  if (!isAvailable(e, ctx.tree)) {
    say(`${e.id}: ${ctx.treeName}${e.id}/ or ${e.test} does not exist.`);
    return false;
  }
  const state = readState();
  state.current = e.id;
  const started = Date.now();
  const running = runExercises(ctx.manifest, [e], state, ctx.tree);
  const typeErrors = exerciseTypeErrors(e.id, ctx.tree);
  const suite = (await running).get(e.id);
  const r = state.results[e.id];
  const found = await recogniseMistakes(e, ctx.tree, r);
  writeState(state);
  const took = colour.dim(`(${seconds(Date.now() - started)})`);
  const typeLines = typeErrors ? typeErrors.split('\n').filter((l) => /error TS\d+/.test(l)) : [];
  const showTypes = (): void => {
    if (typeLines.length === 0) return;
    say(colour.red(`Type errors (${typeLines.length}):`));
    for (const l of typeLines.slice(0, 3))
      say(
        wrap(l, terminalWidth() - 4)
          .join('\n    ')
          .replace(/^/, '  '),
      );
    if (typeLines.length > 3) say(`  ... all of them: npm test -- ${short(e)}`);
    say();
  };
  if (r.progress === 'done' && typeLines.length === 0) {
    say(`${e.id}: ${colour.green(`all ${r.total} tests pass.`)} Well done! ${took}`);
    const slow = suite && slownessSentence(e.id, suiteSeconds(suite), readReferenceTimes(), calibration());
    if (slow) for (const text of [slow.en, slow.ja]) say(colour.yellow(wrap(text, terminalWidth()).join('\n')));
    const next = nextAfter(ctx, state, e);
    const back = next && waitingExercises(ctx, state).get(next);
    if (next && back) for (const line of waitingLines(ctx, next, back, next)) say(line);
    if (next) say(nextLine(ctx, next));
    else say('Every exercise passes. Train your own network: npm run train -- --tree exercises');
    return true;
  }
  if (r.progress === 'done') {
    say(`${e.id}: all ${r.total} tests pass, but the code has type errors ${took}`);
    showTypes();
    return false;
  }
  if (r.progress === 'cannot-run') {
    say(`${e.id}: ${colour.red('the tests cannot run')} ${took}`);
    say(`  ${r.firstFailure?.name ?? ''}`);
    for (const l of (r.firstFailure?.message ?? '').split('\n').slice(0, 8)) say(`    ${l}`);
    say(`\nAll details: npm test -- ${short(e)}`);
    return false;
  }
  const headline = r.progress === 'not-started' ? colour.dim('not started yet') : `${r.passed} of ${r.total} tests pass`;
  say(`${e.id}: ${headline} ${took}`);
  showTypes();
  for (const line of partLines(ctx, e, r)) say(line);
  say();
  const open = openPart(r);
  if (!open && r.progress === 'not-started') say(`  Read ${path.join(ctx.treeName, e.id, 'README.md')} first.`);
  for (const line of focusLines(ctx, e, r, found)) say(line);
  // The parts needed now pass and the rest waits for a later exercise: the learner may go on.
  const waiting = waitingExercises(ctx, state).get(e);
  const next = waiting && nextAfter(ctx, state, e);
  if (waiting && next) {
    say();
    for (const line of waitingLines(ctx, e, waiting, next)) say(line);
    if (next !== e && exerciseNumber(next.id) < exerciseNumber(waiting.neededBy.id)) say(nextLine(ctx, next));
  }
  return false;
}
