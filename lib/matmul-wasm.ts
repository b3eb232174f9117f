/**
 * The fast path of `gemm` (./matmul.ts): the WebAssembly SIMD kernel of
 * ./wasm/gemm-kernel.ts, optionally spread over worker threads (./threads.ts).
 *
 * WebAssembly code only reads its own linear memory, so a product copies
 * op(A), op(B) (and C when accumulating) into a workspace in that memory,
 * runs the kernel there and copies C back:
 *
 *   workspace:  [ A as given (m x k, or k x m for transA) | B as k x n, 2 spare | C m x n ]
 *
 * A is used as it is stored (the kernel takes byte strides for both
 * layouts); B^T is transposed while copying (B is the small operand in
 * every product of the kata). The copies cost O(mk + kn + mn) against the
 * O(mnk) arithmetic.
 *
 * Results are bit-for-bit those of `gemmReference`, with or without threads
 * (see the notes in wasm/gemm-kernel.ts and threads.ts).
 */
import type { GemmOptions } from './matmul';
import { availableThreads, KernelPool } from './threads';
import { buildGemmModule, driverName, FAMILIES, type Family } from './wasm/gemm-kernel';
import { wasmApi, type WasmMemory, type WasmModule } from './wasm/webassembly';

/** 64 KiB pages; the workspace may grow to 2 GiB (byte addresses stay below 2^31 for i32). */
const PAGE = 65536;
const MAX_PAGES = 32767;

/** Block sizes of the kernel's loops (see gemm-kernel.ts). */
const KC = 256;
const MC = 128;

interface Kernel {
  module: WasmModule;
  memory: WasmMemory;
  drivers: ((...args: number[]) => void)[];
  view: Float64Array;
  pool: KernelPool | null;
}

let kernel: Kernel | null | undefined;
let unavailableReason = '';

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const shared = typeof SharedArrayBuffer === 'function';
    const bytes = buildGemmModule({ maxPages: MAX_PAGES, shared });
    const module = new wasmApi.Module(bytes);
    const memory = new wasmApi.Memory({ initial: 16, maximum: MAX_PAGES, shared });
    const instance = new wasmApi.Instance(module, { env: { memory } });
    const drivers = FAMILIES.map((f) => instance.exports[driverName(f)] as (...args: number[]) => void);
    kernel = { module, memory, drivers, view: new Float64Array(memory.buffer), pool: null };
  } catch (error) {
    unavailableReason = error instanceof Error ? error.message : String(error);
    kernel = null;
  }
  return kernel;
}

/** Whether this Node can run the WebAssembly SIMD kernel (and if not, why). */
export function wasmGemmStatus(): { available: boolean; reason: string } {
  return { available: load() !== null, reason: unavailableReason };
}

export interface WasmGemmOptions extends GemmOptions {
  /**
   * Threads to use, this one included (default 1). Used as given, whatever
   * the size of the product: `gemm` only asks for threads from THREAD_MIN_WORK
   * multiply-adds on.
   */
  threads?: number;
  /** Register tile (default: chosen from n). */
  family?: Family;
}

/** The register tile for a product with n columns (measured with `npm run bench`). */
function chooseFamily(n: number): number {
  if (n <= 4) return FAMILIES.findIndex((f) => f.nr === 4);
  if (n <= 6) return FAMILIES.findIndex((f) => f.nr === 6);
  return FAMILIES.findIndex((f) => f.nr === 8);
}

/** The workspace as doubles, at least `doubles` long; null if the memory cannot grow that far. */
function workspace(k: Kernel, doubles: number): Float64Array | null {
  const bytes = doubles * 8;
  const have = k.memory.buffer.byteLength;
  if (have < bytes) {
    const pages = Math.ceil((bytes - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) return null;
    try {
      k.memory.grow(pages);
    } catch {
      return null; // the system refused the memory
    }
  }
  if (k.view.buffer.byteLength !== k.memory.buffer.byteLength) k.view = new Float64Array(k.memory.buffer);
  return k.view;
}

/** Products with fewer multiply-adds than this stay on one thread (waking a worker costs tens of microseconds). */
export const THREAD_MIN_WORK = 1 << 19;

/**
 * C = op(A) op(B) (+ C) with the WebAssembly kernel. Same contract as `gemm`;
 * throws if the kernel is unavailable (check `wasmGemmStatus()` first) or the
 * operands do not fit in its 2 GiB workspace.
 */
export function gemmWasm(
  m: number,
  n: number,
  k: number,
  a: Float64Array,
  b: Float64Array,
  c: Float64Array,
  options: WasmGemmOptions = {},
): void {
  if (!tryGemmWasm(m, n, k, a, b, c, options)) {
    throw new RangeError(`gemm: m=${m}, n=${n}, k=${k} does not fit in the WebAssembly workspace (at most ${MAX_PAGES * PAGE} bytes)`);
  }
}

/** gemmWasm that returns false instead of throwing when the operands do not fit in the workspace (`gemm` then uses the JS kernel). */
export function tryGemmWasm(
  m: number,
  n: number,
  k: number,
  a: Float64Array,
  b: Float64Array,
  c: Float64Array,
  options: WasmGemmOptions = {},
): boolean {
  const K = load();
  if (K === null) throw new Error(`gemm: the WebAssembly kernel is unavailable: ${unavailableReason}`);
  if (m === 0 || n === 0) return true;
  if (k === 0) {
    if (!options.accumulate) c.fill(0, 0, m * n);
    return true;
  }
  // workspace offsets in doubles, each 16-byte aligned
  const aAt = 0;
  const bAt = aAt + ((m * k + 1) & ~1);
  const cAt = bAt + ((k * n + 2 + 1) & ~1);
  const mem = workspace(K, cAt + m * n);
  if (mem === null) return false;

  mem.set(a.subarray(0, m * k), aAt);
  if (options.transB) {
    // b is n x k; write B = b^T row by row
    for (let j = 0; j < n; j++) {
      for (let p = 0, from = j * k, to = bAt + j; p < k; p++, to += n) mem[to] = b[from + p];
    }
  } else {
    mem.set(b.subarray(0, k * n), bAt);
  }
  mem[bAt + k * n] = 0;
  mem[bAt + k * n + 1] = 0;
  if (options.accumulate) mem.set(c.subarray(0, m * n), cAt);

  const driver = options.family ? FAMILIES.findIndex((f) => f.mr === options.family!.mr && f.nr === options.family!.nr) : chooseFamily(n);
  if (driver < 0) throw new RangeError(`gemm: no kernel for tile ${options.family!.mr}x${options.family!.nr}`);
  const family = FAMILIES[driver];
  const args = [
    0, m, 0, n, k,
    aAt * 8, options.transA ? 8 : 8 * k, options.transA ? 8 * m : 8,
    bAt * 8, 8 * n,
    cAt * 8, 8 * n,
    KC, MC,
    options.accumulate ? 1 : 0,
  ];
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const run = K.drivers[driver];
  if (threads > 1) {
    if (K.pool === null) K.pool = new KernelPool({ module: K.module, memory: K.memory, drivers: FAMILIES.map(driverName) });
    // Split the longer side of C, in whole tiles: a chunk of rows reads all of B
    // (k x n) and a chunk of columns all of A (m x k), so this re-reads the
    // smaller operand. Several chunks per thread, so that a core busy with
    // other work does not hold the others up.
    const rows = m >= n;
    const tile = rows ? family.mr : family.nr;
    const side = rows ? m : n;
    const chunks = Math.min(Math.ceil(side / tile), 4 * threads);
    const unit = Math.ceil(side / chunks / tile) * tile;
    K.pool.run(threads, driver, args, rows ? 0 : 1, unit, (chunkArgs) => run(...chunkArgs));
  } else {
    run(...args);
  }
  c.set(mem.subarray(cAt, cAt + m * n));
  return true;
}

/** Stops the worker threads, if any (for tests; they also stop by themselves when idle). */
export async function closeGemmThreads(): Promise<void> {
  if (kernel && kernel.pool) {
    const pool = kernel.pool;
    kernel.pool = null;
    await pool.close();
  }
}

/**
 * Worker threads running now (0 before the first threaded product and after
 * they idle out) and the chunks of products they have computed so far.
 */
export function gemmThreadStats(): { workers: number; workerChunks: number } {
  const pool = kernel?.pool;
  return { workers: pool?.liveWorkers ?? 0, workerChunks: pool?.workerChunks ?? 0 };
}

export { availableThreads };
