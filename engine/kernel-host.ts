/**
 * The engine's kernel host: the one WebAssembly module that holds every
 * kernel of ./wasm/registry.ts, compiled once on the kernel memory
 * (./kernel-memory.ts), and `runKernel`, which runs one of its functions on
 * this thread or shares it with the worker threads (./kernel-pool.ts).
 *
 * Like a tfjs backend, the host knows no kernel by name: a kernel file
 * declares its functions, the registry lists the kernels, and the TypeScript
 * side of a kernel (./kernels/) calls `runKernel` with a function's name and
 * its arguments, byte addresses in kernel memory.
 *
 * Determinism: threads only change WHICH thread runs a chunk of items, never
 * how an item is computed, so results are bit-for-bit those of one thread.
 */
import { kernelMemory, MAX_PAGES } from './kernel-memory';
import { KernelPool } from './kernel-pool';
import { buildKernelModule } from './wasm/kernel-module';
import { KERNEL_NAMES, type KernelName, WASM_KERNELS } from './wasm/registry';
import { wasmApi, type WasmMemory, type WasmModule } from './wasm/webassembly';

export type { KernelName } from './wasm/registry';

/** The compiled module, its instance's functions (in the order of KERNEL_NAMES), and the worker threads once started. */
interface Host {
  module: WasmModule;
  memory: WasmMemory;
  functions: ((...args: number[]) => void)[];
  pool: KernelPool | null;
}

/** Each function's index in KERNEL_NAMES (its place in Host.functions and the workers' list). */
const FUNCTION_INDEX = new Map<string, number>(KERNEL_NAMES.map((name, i) => [name, i]));

let host: Host | null | undefined;
let unavailableReason = '';

/** Builds and instantiates the module on the kernel memory; throws why it cannot. */
function compile(): Host {
  const { memory, reason } = kernelMemory();
  if (memory === null) throw new Error(reason);
  const bytes = buildKernelModule(WASM_KERNELS, { maxPages: MAX_PAGES, shared: true });
  const module = new wasmApi.Module(bytes);
  const instance = new wasmApi.Instance(module, { env: { memory } });
  const functions = KERNEL_NAMES.map((name) => instance.exports[name] as (...args: number[]) => void);
  return { module, memory, functions, pool: null };
}

/** The host, compiled at the first call; null when this Node cannot run it (unavailableReason says why). */
function load(): Host | null {
  if (host !== undefined) return host;
  try {
    host = compile();
  } catch (error) {
    unavailableReason = error instanceof Error ? error.message : String(error);
    host = null;
  }
  return host;
}

/** Whether this Node can run the WebAssembly SIMD kernels (and if not, why). */
export function wasmKernelStatus(): { available: boolean; reason: string } {
  return { available: load() !== null, reason: unavailableReason };
}

/**
 * Chunks per thread of a shared call: many small chunks, so that when one
 * thread is held up (a worker still waking, another process on the core)
 * the others take its share and nobody waits long for the last chunk (16
 * measured 5-8% faster than 4 in LeNet-5's training).
 */
export const CHUNKS_PER_THREAD = 16;
/** Products and convolutions with fewer multiply-adds than this stay on one thread (waking a worker costs tens of microseconds). */
export const THREAD_MIN_WORK = 1 << 19;

/**
 * How a call is cut into chunks for the threads: `unit` items at a time of
 * the range in args[0..1] (axis 0) or in args[2..3] (axis 1, gemm's columns).
 */
export interface Split {
  axis: 0 | 1;
  unit: number;
}

/**
 * Runs the module's function `name` with `args`, all i32 (see
 * ./wasm/kernel-module.ts). With threads > 1, the threads share it in
 * chunks: by default CHUNKS_PER_THREAD per thread of the range of items
 * [args[0], args[1]) (a range of one item stays on this thread), or as
 * `split` says. Returns false when the WebAssembly kernels are unavailable
 * (the caller then loops in TypeScript).
 */
export function runKernel(name: KernelName, args: number[], threads: number, split?: Split): boolean {
  const h = load();
  if (h === null) return false;
  const index = FUNCTION_INDEX.get(name) ?? -1;
  if (index < 0) throw new RangeError(`runKernel: no function ${JSON.stringify(name)} in the kernel registry`);
  const run = h.functions[index];
  const shared = threads > 1 ? (split ?? rangeSplit(args, threads)) : null;
  if (shared === null) {
    run(...args);
    return true;
  }
  h.pool ??= new KernelPool({ module: h.module, memory: h.memory, functions: KERNEL_NAMES });
  h.pool.run(threads, index, args, shared.axis, shared.unit, (chunkArgs) => run(...chunkArgs));
  return true;
}

/** The items [args[0], args[1]) in CHUNKS_PER_THREAD chunks per thread, or null for a single item. */
function rangeSplit(args: number[], threads: number): Split | null {
  const items = args[1] - args[0];
  if (items <= 1) return null;
  const chunks = Math.min(items, CHUNKS_PER_THREAD * threads);
  return { axis: 0, unit: Math.ceil(items / chunks) };
}

/** Stops the worker threads, if any (for tests; they also stop by themselves when idle). */
export async function closeKernelThreads(): Promise<void> {
  if (host && host.pool) {
    const pool = host.pool;
    host.pool = null;
    await pool.close();
  }
}

/**
 * Worker threads running now (0 before the first shared call and after
 * they idle out) and the chunks they have run so far.
 */
export function kernelThreadStats(): { workers: number; workerChunks: number } {
  const pool = host?.pool;
  return { workers: pool?.liveWorkers ?? 0, workerChunks: pool?.workerChunks ?? 0 };
}
