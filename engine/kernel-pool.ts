/**
 * The worker threads that share the kernel host's calls (./kernel-host.ts):
 * a large product, or a loop over many items (images, planes, elements).
 *
 * The WebAssembly kernels work on one shared memory (a SharedArrayBuffer), so
 * other threads can compute parts of the same call in place. A call is cut
 * into chunks (ranges of its items; for gemm, ranges of rows of C, or of
 * columns when C has few rows); the calling thread publishes the call in a
 * small shared control array, wakes the workers, and then takes chunks
 * itself, like the workers, until none is left; finally it waits for the
 * chunks that workers took. The workers run ./kernel-worker.cjs.
 *
 * Determinism: a chunk only decides WHICH thread computes a block of items,
 * never HOW: every item is still computed by the same kernel code, with the
 * same sums in the same order. So results are bit-for-bit identical with
 * any number of threads, and identical to the single-threaded kernel.
 *
 * Workers start lazily (at the first call large enough to share), are
 * `unref`'d (a script exits when its own work is done), and each one exits by
 * itself after `idleMs` without work; the next large call starts a new one.
 * A worker that has not finished starting simply takes no chunks: the calling
 * thread never waits for a worker to start.
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WasmMemory, WasmModule } from './wasm/webassembly';

/** Layout of the Int32 control array shared with the workers (indices). */
export const CONTROL = {
  /** Incremented for each published call; workers sleep on it. */
  GENERATION: 0,
  /** Next chunk to take: (tag << CLAIM_INDEX_BITS) | index, claimed by compare-and-swap (see claimChunk). */
  NEXT: 1,
  /** Chunks finished. */
  DONE: 2,
  /** Chunks in the current call: (tag << CLAIM_INDEX_BITS) | count, so a worker knows whose count it read. */
  CHUNKS: 3,
  /** Index of the function to call, in KernelPoolOptions.functions. */
  FUNCTION: 4,
  /** 0: chunks are ranges of rows; 1: ranges of columns. */
  AXIS: 5,
  /** Items (rows, or columns) per chunk. */
  UNIT: 6,
  /** Set by a worker whose kernel call threw. */
  ERROR: 7,
  /** The function's integer arguments (16 slots: MAX_KERNEL_PARAMS of wasm/kernel-module.ts). */
  PARAMS: 8,
  /** Chunks run by workers so far (statistics). */
  WORKER_CHUNKS: 24,
  /** One flag per worker slot: 1 while the worker runs. */
  ALIVE: 32,
} as const;
export const MAX_WORKERS = 32;
/** Bits of NEXT that count chunks; the bits above hold the call's tag. */
export const CLAIM_INDEX_BITS = 20;
/** A call's tag: its generation modulo 2^11 (so that tag << 20 stays a positive int32). */
export const CLAIM_TAG_MASK = 0x7ff;

/**
 * Takes the next chunk of the call tagged `tag`, of `chunks`; -1 when none
 * is left or another call has been published since. The tag makes a
 * claim on a counter that was reset for a newer call fail: with a plain
 * counter, a thread paused between taking an index and reading the chunk
 * count could take an index of the old count against the new one, and run
 * a chunk of the new call twice (seen once in a whole training run). A
 * worker reads `chunks` from CHUNKS, whose tag must be its call's too.
 * This thread and the workers (kernel-worker.cjs has a copy) take chunks alike.
 */
export function claimChunk(ctl: Int32Array, tag: number, chunks: number): number {
  for (;;) {
    const next = Atomics.load(ctl, CONTROL.NEXT);
    if (next >>> CLAIM_INDEX_BITS !== tag) return -1;
    const index = next & ((1 << CLAIM_INDEX_BITS) - 1);
    if (index >= chunks) return -1;
    if (Atomics.compareExchange(ctl, CONTROL.NEXT, next, next + 1) === next) return index;
  }
}
/** Arguments a kernel call can pass to a worker (CONTROL.PARAMS up to CONTROL.WORKER_CHUNKS; the worker passes all 16). */
const PARAM_SLOTS = CONTROL.WORKER_CHUNKS - CONTROL.PARAMS;

export interface KernelPoolOptions {
  /** The compiled kernel module and the shared memory it runs on. */
  module: WasmModule;
  memory: WasmMemory;
  /** Export names of the module's functions, in the order `run` refers to them. */
  functions: readonly string[];
  /** Milliseconds a worker waits for work before exiting (default 2000). */
  idleMs?: number;
}

/** Threads the machine offers (at least 1). */
export function availableThreads(): number {
  const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, n);
}

export class KernelPool {
  private readonly control = new SharedArrayBuffer(4 * (CONTROL.ALIVE + MAX_WORKERS));
  private readonly ctl = new Int32Array(this.control);
  private readonly workers: (Worker | null)[] = [];
  private readonly idleMs: number;
  private failed = false;

  constructor(private readonly options: KernelPoolOptions) {
    this.idleMs = options.idleMs ?? 2000;
  }

  /**
   * Runs function number `fn` with `args` split over `threads` threads (this
   * one included): chunks of `unit` items of the range in args[0..1] (axis 0)
   * or args[2..3] (axis 1). `local` runs one chunk on this thread.
   */
  run(threads: number, fn: number, args: number[], axis: 0 | 1, unit: number, local: (args: number[]) => void): void {
    const ctl = this.ctl;
    const lo = args[axis === 0 ? 0 : 2];
    const hi = args[axis === 0 ? 1 : 3];
    const chunks = Math.ceil((hi - lo) / unit);
    if (chunks >= 1 << CLAIM_INDEX_BITS) throw new RangeError(`KernelPool.run: at most ${(1 << CLAIM_INDEX_BITS) - 1} chunks, got ${chunks}`);
    this.ensureWorkers(Math.min(threads - 1, MAX_WORKERS));

    if (args.length > PARAM_SLOTS) throw new RangeError(`KernelPool.run: at most ${PARAM_SLOTS} arguments reach a worker, got ${args.length}`);
    for (let i = 0; i < args.length; i++) ctl[CONTROL.PARAMS + i] = args[i];
    ctl[CONTROL.FUNCTION] = fn;
    ctl[CONTROL.AXIS] = axis;
    ctl[CONTROL.UNIT] = unit;
    ctl[CONTROL.ERROR] = 0;
    // CHUNKS and DONE first, then NEXT, both with the new generation's tag, then the generation itself
    const tag = (Atomics.load(ctl, CONTROL.GENERATION) + 1) & CLAIM_TAG_MASK;
    Atomics.store(ctl, CONTROL.CHUNKS, (tag << CLAIM_INDEX_BITS) | chunks);
    Atomics.store(ctl, CONTROL.DONE, 0);
    Atomics.store(ctl, CONTROL.NEXT, tag << CLAIM_INDEX_BITS);
    Atomics.add(ctl, CONTROL.GENERATION, 1);
    Atomics.notify(ctl, CONTROL.GENERATION);

    const mine = args.slice();
    for (;;) {
      const chunk = claimChunk(ctl, tag, chunks);
      if (chunk < 0) break;
      if (axis === 0) {
        mine[0] = lo + chunk * unit;
        mine[1] = Math.min(hi, mine[0] + unit);
      } else {
        mine[2] = lo + chunk * unit;
        mine[3] = Math.min(hi, mine[2] + unit);
      }
      local(mine);
      Atomics.add(ctl, CONTROL.DONE, 1);
    }
    for (;;) {
      const done = Atomics.load(ctl, CONTROL.DONE);
      if (done >= chunks) break;
      Atomics.wait(ctl, CONTROL.DONE, done, 1000);
    }
    if (Atomics.load(ctl, CONTROL.ERROR) !== 0) throw new Error(`engine: a worker thread failed while running its part of ${this.options.functions[fn]}`);
  }

  /** Chunks run by worker threads since the pool started. */
  get workerChunks(): number {
    return Atomics.load(this.ctl, CONTROL.WORKER_CHUNKS);
  }

  /** Workers currently running (started and not yet exited on idle). */
  get liveWorkers(): number {
    let n = 0;
    for (let s = 0; s < this.workers.length; s++) if (Atomics.load(this.ctl, CONTROL.ALIVE + s) === 1) n++;
    return n;
  }

  /** Starts workers in the empty slots among the first `count`. */
  private ensureWorkers(count: number): void {
    if (this.failed) return;
    for (let slot = 0; slot < count; slot++) {
      if (Atomics.load(this.ctl, CONTROL.ALIVE + slot) === 1) continue;
      Atomics.store(this.ctl, CONTROL.ALIVE + slot, 1);
      const worker = new Worker(path.join(__dirname, 'kernel-worker.cjs'), {
        workerData: {
          kernelModule: this.options.module,
          memory: this.options.memory,
          control: this.control,
          slot,
          idleMs: this.idleMs,
          functions: this.options.functions,
          layout: { ...CONTROL, CLAIM_INDEX_BITS, CLAIM_TAG_MASK },
        },
      });
      worker.unref();
      worker.on('error', () => {
        // a worker that cannot run the kernel will not do better next time: stay on this thread
        this.failed = true;
        Atomics.store(this.ctl, CONTROL.ALIVE + slot, 0);
      });
      this.workers[slot] = worker;
    }
  }

  /** Stops every worker now (tests call this to leave no thread behind). */
  async close(): Promise<void> {
    const running = this.workers.filter((w): w is Worker => w !== null);
    this.workers.length = 0;
    for (let s = 0; s < MAX_WORKERS; s++) Atomics.store(this.ctl, CONTROL.ALIVE + s, 0);
    await Promise.all(running.map((w) => w.terminate()));
  }
}
