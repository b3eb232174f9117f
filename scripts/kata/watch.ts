/**
 * kata watch [ex]: checks the exercise on every save and moves on when it
 * is green. It starts at once on the exercise being worked on (from the
 * remembered results, without running the others first). Keys on a
 * terminal: h hint, c check now, n next exercise, q quit.
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

export async function watch(ctx: KataContext, start: Exercise | undefined, forcePoll: boolean): Promise<void> {
  const { say } = ctx;
  let current = start ?? currentExercise(ctx, readState());
  if (!current) {
    say('Every exercise passes already. Nothing to watch.');
    return;
  }
  let polling = forcePoll;
  let watcher: fs.FSWatcher | null = null;
  let lastEvent = 0;
  let running = false;
  let again = false;
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
      watcher = fs.watch(folder(), () => {
        lastEvent = Date.now();
        clearTimeout(debounce);
        debounce = setTimeout(() => void trigger(false), 300);
      });
      watcher.on('error', () => announcePolling('file events stopped'));
    } catch (err) {
      announcePolling(`file events are not available (${(err as Error).message})`);
    }
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
    startWatcher();
    void trigger(true);
  };
  const trigger = async (force: boolean): Promise<void> => {
    const now = folderSnapshot(folder());
    if (now === snapshot && !force) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    snapshot = now;
    say(`\n[watch] ${new Date().toLocaleTimeString()} checking ${current!.id} ...`);
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
    const now = folderSnapshot(folder());
    if (now === snapshot) return;
    if (!polling && Date.now() - lastEvent > 1500) announcePolling('a file changed but no file event arrived (some file systems do not send them)');
    if (polling) void trigger(false);
  }, 1000);
  if (interactive) {
    process.stdin.setRawMode(true);
    process.stdin.resume();
    process.stdin.on('data', (data: Buffer) => {
      const key = data.toString();
      if (key === 'q' || key === '\u0003') stop();
      else if (key === 'h') hint(ctx, current!, false, 'press h again');
      else if (key === 'c' && !running) void trigger(true);
      else if (key === 'n' && !running) moveTo(nextAfter(ctx, readState(), current!));
    });
  }
  if (polling) say('[watch] checking the files for changes every second.');
  startWatcher();
  await trigger(true);
  await done;
}
