/**
 * kata watch [ex]: checks the exercise on every save and moves on when it
 * is green. It starts at once on the exercise being worked on (from the
 * remembered results, without running the others first) and follows the
 * learner: a save in another exercise's folder checks that exercise. On a
 * terminal the screen is cleared before each check (not with --no-clear).
 * Keys on a terminal: h hint, c check now, n next exercise, q quit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Exercise, listFiles } from '../manifest';
import { check } from './check';
import { KataContext } from './context';
import { hint } from './hint';
import { currentExercise, nextAfter } from './status';
import { readState } from './state';

/** A cheap fingerprint of a folder: names, sizes and modification times. */
export function folderSnapshot(dir: string): string {
  return listFiles(dir)
    .map((f) => {
      const st = fs.statSync(path.join(dir, f));
      return `${f}:${st.size}:${st.mtimeMs}`;
    })
    .join('|');
}

export const WATCH_KEYS = 'keys: h hint, c check, n next exercise, q quit';

/** The exercise a changed path (relative to the tree, as file events give it) belongs to. */
export function exerciseOfPath(exercises: Exercise[], relative: string): Exercise | undefined {
  const top = relative.split(/[\\/]/)[0];
  return exercises.find((e) => e.id === top);
}

export interface WatchOptions {
  /** Check the files every second instead of waiting for file events. */
  poll: boolean;
  /** Clear the screen before each check (on a terminal). */
  clear: boolean;
}

export async function watch(ctx: KataContext, start: Exercise | undefined, options: WatchOptions): Promise<void> {
  const { say } = ctx;
  let current = start ?? currentExercise(ctx, readState());
  if (!current) {
    say('Every exercise passes already. Nothing to watch.');
    return;
  }
  const forcePoll = options.poll;
  const exercises = ctx.manifest.exercises.filter((e) => fs.existsSync(path.join(ctx.tree, e.id)));
  const clearScreen = (): void => {
    if (options.clear && process.stdout.isTTY) process.stdout.write('\u001b[2J\u001b[3J\u001b[H');
  };
  let polling = forcePoll;
  let watcher: fs.FSWatcher | null = null;
  let lastEvent = 0;
  let running = false;
  let again = false;
  // Each exercise folder's fingerprint as last seen, to tell which one a save touched.
  const snapshots = new Map(exercises.map((e) => [e.id, folderSnapshot(path.join(ctx.tree, e.id))]));
  let snapshot = '';
  let debounce: NodeJS.Timeout | undefined;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const interactive = process.stdin.isTTY === true;

  const folder = (): string => path.join(ctx.tree, current!.id);
  const waiting = (): void => {
    say(ctx.colour.dim(`\n[watch] waiting for changes in ${ctx.treeName}${current!.id}/`));
    say(ctx.colour.dim(`        ${interactive ? WATCH_KEYS : 'Ctrl+C to stop'}`));
  };
  const announcePolling = (why: string): void => {
    polling = true;
    watcher?.close();
    watcher = null;
    say(`\n[watch] ${why}: checking the files for changes every second instead.`);
  };
  const startWatcher = (): void => {
    watcher?.close();
    watcher = null;
    if (polling) return;
    try {
      // The whole tree: a save in any exercise's folder is seen.
      watcher = fs.watch(ctx.tree, { recursive: true }, (_event, file) => {
        lastEvent = Date.now();
        const changed = file === null ? undefined : exerciseOfPath(exercises, String(file));
        clearTimeout(debounce);
        debounce = setTimeout(() => void saved(changed), 300);
      });
      watcher.on('error', () => announcePolling('file events stopped'));
    } catch (err) {
      announcePolling(`file events are not available (${(err as Error).message})`);
    }
  };
  /** A save in `changed`'s folder (or somewhere unknown): follow the learner there, then check. */
  const saved = (changed: Exercise | undefined): void => {
    const moved = changed !== undefined && changed !== current && folderSnapshot(path.join(ctx.tree, changed.id)) !== snapshots.get(changed.id);
    if (moved && !running) {
      current = changed;
      snapshot = '';
    }
    void trigger(false);
  };
  const stop = (): void => {
    watcher?.close();
    clearInterval(poller);
    clearTimeout(debounce);
    if (interactive) {
      process.stdin.setRawMode(false);
      process.stdin.pause();
    }
    finished();
  };
  const moveTo = (next: Exercise | undefined): void => {
    if (!next) {
      say('\n[watch] Every exercise passes. Congratulations!');
      stop();
      return;
    }
    current = next;
    say(`\n[watch] On to ${current.id}: ${current.title.en}`);
    snapshot = '';
    void trigger(true, false);
  };
  const trigger = async (force: boolean, clear = true): Promise<void> => {
    const now = folderSnapshot(folder());
    if (now === snapshot && !force) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    snapshot = now;
    snapshots.set(current!.id, now);
    if (clear) clearScreen();
    say(`${clear && options.clear && process.stdout.isTTY ? '' : '\n'}[watch] ${new Date().toLocaleTimeString()} checking ${current!.id} ...`);
    const green = await check(ctx, current!);
    running = false;
    if (green) {
      moveTo(nextAfter(ctx, readState(), current!));
      return;
    }
    waiting();
    if (again) {
      again = false;
      void trigger(false);
    }
  };
  // Polling runs either way: it is the fallback when no file events arrive.
  const poller = setInterval(() => {
    if (running) return;
    const changed = exercises.find((e) => folderSnapshot(path.join(ctx.tree, e.id)) !== (e === current ? snapshot : snapshots.get(e.id)));
    if (changed === undefined) return;
    if (!polling && Date.now() - lastEvent > 1500) announcePolling('a file changed but no file event arrived (some file systems do not send them)');
    // A save elsewhere than the current exercise is followed here too, if its event was missed.
    if (polling || changed !== current) saved(changed);
  }, 1000);
  if (interactive) {
    process.stdin.setRawMode(true);
    process.stdin.resume();
    process.stdin.on('data', (data: Buffer) => {
      const key = data.toString();
      if (key === 'q' || key === '\u0003') stop();
      else if (key === 'h' && !running) void hint(ctx, current!, false, 'press h again');
      else if (key === 'c' && !running) void trigger(true);
      else if (key === 'n' && !running) moveTo(nextAfter(ctx, readState(), current!));
    });
  }
  if (polling) say('[watch] checking the files for changes every second.');
  startWatcher();
  await trigger(true);
  await done;
}
