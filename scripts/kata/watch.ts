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
  const current = start ?? currentExercise(ctx, readState());
  if (!current) {
    ctx.say('Every exercise passes already. Nothing to watch.');
    return;
  }
  await new Watch(ctx, current, options).run();
}

/**
 * One watch session: file events on the whole tree (or polling every second
 * when they are missing), a check of the current exercise after each save,
 * and the keys on a terminal.
 */
class Watch {
  private readonly exercises: Exercise[];
  private readonly interactive = process.stdin.isTTY === true;
  private polling: boolean;
  private watcher: fs.FSWatcher | null = null;
  private lastEvent = 0;
  private running = false;
  private again = false;
  /** Each exercise folder's fingerprint as last seen, to tell which one a save touched. */
  private readonly snapshots: Map<string, string>;
  /** The current exercise's fingerprint when it was last checked. */
  private snapshot = '';
  private debounce: NodeJS.Timeout | undefined;
  private poller: NodeJS.Timeout | undefined;
  private finished: () => void = () => undefined;

  constructor(
    private readonly ctx: KataContext,
    private current: Exercise,
    private readonly options: WatchOptions,
  ) {
    this.polling = options.poll;
    this.exercises = ctx.manifest.exercises.filter((e) => fs.existsSync(path.join(ctx.tree, e.id)));
    this.snapshots = new Map(this.exercises.map((e) => [e.id, folderSnapshot(path.join(ctx.tree, e.id))]));
  }

  /** Watches until every exercise passes or the learner quits. */
  async run(): Promise<void> {
    const done = new Promise<void>((resolve) => (this.finished = resolve));
    // Polling runs either way: it is the fallback when no file events arrive.
    this.poller = setInterval(() => this.poll(), 1000);
    if (this.interactive) this.listenToKeys();
    if (this.polling) this.ctx.say('[watch] checking the files for changes every second.');
    this.startWatcher();
    await this.trigger(true);
    await done;
  }

  private folderOf(exercise: Exercise): string {
    return path.join(this.ctx.tree, exercise.id);
  }

  private clearScreen(): void {
    if (this.options.clear && process.stdout.isTTY) process.stdout.write('\u001b[2J\u001b[3J\u001b[H');
  }

  private waiting(): void {
    const { ctx } = this;
    ctx.say(ctx.colour.dim(`\n[watch] waiting for changes in ${ctx.treeName}${this.current.id}/`));
    ctx.say(ctx.colour.dim(`        ${this.interactive ? WATCH_KEYS : 'Ctrl+C to stop'}`));
  }

  private announcePolling(why: string): void {
    this.polling = true;
    this.watcher?.close();
    this.watcher = null;
    this.ctx.say(`\n[watch] ${why}: checking the files for changes every second instead.`);
  }

  private startWatcher(): void {
    this.watcher?.close();
    this.watcher = null;
    if (this.polling) return;
    try {
      // The whole tree: a save in any exercise's folder is seen.
      this.watcher = fs.watch(this.ctx.tree, { recursive: true }, (_event, file) => {
        this.lastEvent = Date.now();
        const changed = file === null ? undefined : exerciseOfPath(this.exercises, String(file));
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => void this.saved(changed), 300);
      });
      this.watcher.on('error', () => this.announcePolling('file events stopped'));
    } catch (err) {
      this.announcePolling(`file events are not available (${(err as Error).message})`);
    }
  }

  /** Every second: a folder whose fingerprint changed is a save (the fallback when no file event came). */
  private poll(): void {
    if (this.running) return;
    const changed = this.exercises.find((e) => folderSnapshot(this.folderOf(e)) !== (e === this.current ? this.snapshot : this.snapshots.get(e.id)));
    if (changed === undefined) return;
    if (!this.polling && Date.now() - this.lastEvent > 1500) {
      this.announcePolling('a file changed but no file event arrived (some file systems do not send them)');
    }
    // A save elsewhere than the current exercise is followed here too, if its event was missed.
    if (this.polling || changed !== this.current) this.saved(changed);
  }

  private listenToKeys(): void {
    process.stdin.setRawMode(true);
    process.stdin.resume();
    process.stdin.on('data', (data: Buffer) => {
      const key = data.toString();
      if (key === 'q' || key === '\u0003') this.stop();
      else if (key === 'h' && !this.running) void hint(this.ctx, this.current, false, 'press h again');
      else if (key === 'c' && !this.running) void this.trigger(true);
      else if (key === 'n' && !this.running) this.moveTo(nextAfter(this.ctx, readState(), this.current));
    });
  }

  /** A save in `changed`'s folder (or somewhere unknown): follow the learner there, then check. */
  private saved(changed: Exercise | undefined): void {
    const moved = changed !== undefined && changed !== this.current && folderSnapshot(this.folderOf(changed)) !== this.snapshots.get(changed.id);
    if (moved && !this.running) {
      this.current = changed;
      this.snapshot = '';
    }
    void this.trigger(false);
  }

  private stop(): void {
    this.watcher?.close();
    clearInterval(this.poller);
    clearTimeout(this.debounce);
    if (this.interactive) {
      process.stdin.setRawMode(false);
      process.stdin.pause();
    }
    this.finished();
  }

  private moveTo(next: Exercise | undefined): void {
    if (!next) {
      this.ctx.say('\n[watch] Every exercise passes. Congratulations!');
      this.stop();
      return;
    }
    this.current = next;
    this.ctx.say(`\n[watch] On to ${next.id}: ${next.title.en}`);
    this.snapshot = '';
    void this.trigger(true, false);
  }

  /** Checks the current exercise when its folder changed (or `force`); a save during a check checks again after it. */
  private async trigger(force: boolean, clear = true): Promise<void> {
    const now = folderSnapshot(this.folderOf(this.current));
    if (now === this.snapshot && !force) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.snapshot = now;
    this.snapshots.set(this.current.id, now);
    if (clear) this.clearScreen();
    this.ctx.say(
      `${clear && this.options.clear && process.stdout.isTTY ? '' : '\n'}[watch] ${new Date().toLocaleTimeString()} checking ${this.current.id} ...`,
    );
    const green = await check(this.ctx, this.current);
    this.running = false;
    if (green) {
      this.moveTo(nextAfter(this.ctx, readState(), this.current));
      return;
    }
    this.waiting();
    if (this.again) {
      this.again = false;
      void this.trigger(false);
    }
  }
}
