/**
 * The engine's backend of `gemm` (lib/matmul.ts): the WebAssembly SIMD kernel of
 * ./wasm/gemm-kernel.ts, optionally spread over worker threads (./threads.ts).
 *
 * WebAssembly code only reads its own linear memory (./kernel-memory.ts).
 * An operand that already lives there (an array from `allocKernelArray` or a
 * `Workspace`) is used where it is; any other operand is copied into a
 * scratch area of that memory first, and C copied back after:
 *
 *   scratch:  [ A as given (m x k, or k x m for transA) | B as k x n, 2 spare | C m x n | b as given, for transB ]
 *
 * A is used as it is stored (the kernel takes byte strides for both
 * layouts); B^T is always transposed into the scratch area, by the module's
 * transpose function (B is the small operand in every product of the kata). The copies cost O(mk + kn + mn) against the
 * O(mnk) arithmetic, but for the tall im2col matrices that is a large part.
 *
 * Results are bit-for-bit those of `gemmReference`, with or without threads
 * and with or without copies (see the notes in wasm/gemm-kernel.ts and threads.ts).
 */
import { kernelAddress, kernelMemory, MAX_PAGES, StagingArea } from './kernel-memory';
import type { GemmOptions } from '../lib/matmul';
import { availableThreads, KernelPool } from './threads';
import { buildGemmModule, driverName, FAMILIES, type Family } from './wasm/gemm-kernel';
import { COL2IM, col2imFunction, IM2COL, im2colFunction, TRANSPOSE, transposeFunction } from './wasm/im2col-kernel';
import { CONV_CHANNEL_BLOCKS, CONV_WEIGHT_GRADIENT, convForwardFunction, convForwardName, convWeightGradientFunction } from './wasm/conv-kernel';
import {
  ADAM_STEP,
  adamStepFunction,
  FINITE_SCAN,
  finiteScanFunction,
  RELU_BACKWARD,
  RELU_FORWARD,
  reluBackwardFunction,
  reluForwardFunction,
} from './wasm/elementwise-kernel';
import { MAX_POOL, MAX_POOL_2X2, MAX_POOL_BACKWARD, maxPool2x2Function, maxPoolBackwardFunction, maxPoolFunction } from './wasm/pool-kernel';
import { BIAS_GRADIENT, biasGradientFunction } from './wasm/bias-kernel';
import { CONV_INPUT_GRADIENT, convInputGradientFunction } from './wasm/conv-dx-kernel';
import { wasmApi, type WasmMemory, type WasmModule } from './wasm/webassembly';

/** Block sizes of the kernel's loops (see gemm-kernel.ts). */
const KC = 256;
const MC = 128;

interface Kernel {
  module: WasmModule;
  memory: WasmMemory;
  drivers: ((...args: number[]) => void)[];
  pool: KernelPool | null;
}

/** Every function of the module the threads can run, by index: the gemm drivers (one per family), then im2col, col2im, max pooling and transpose. */
/** The functions that take a range of items [lo, hi) as their first two arguments (see runRangeKernel). */
const RANGE_KERNELS = [
  IM2COL,
  COL2IM,
  MAX_POOL,
  MAX_POOL_2X2,
  MAX_POOL_BACKWARD,
  TRANSPOSE,
  ...CONV_CHANNEL_BLOCKS.map(convForwardName),
  CONV_WEIGHT_GRADIENT,
  CONV_INPUT_GRADIENT,
  BIAS_GRADIENT,
  RELU_FORWARD,
  RELU_BACKWARD,
  FINITE_SCAN,
  ADAM_STEP,
] as const;
export type RangeKernel = (typeof RANGE_KERNELS)[number];
const KERNELS = [...FAMILIES.map(driverName), ...RANGE_KERNELS];

let kernel: Kernel | null | undefined;
let unavailableReason = '';

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const { memory, reason } = kernelMemory();
    if (memory === null) throw new Error(reason);
    const bytes = buildGemmModule({
      maxPages: MAX_PAGES,
      shared: true,
      extra: [
        im2colFunction(),
        col2imFunction(),
        maxPoolFunction(),
        maxPool2x2Function(),
        maxPoolBackwardFunction(),
        transposeFunction(),
        ...CONV_CHANNEL_BLOCKS.map(convForwardFunction),
        convWeightGradientFunction(),
        convInputGradientFunction(),
        biasGradientFunction(),
        reluForwardFunction(),
        reluBackwardFunction(),
        finiteScanFunction(),
        adamStepFunction(),
      ],
    });
    const module = new wasmApi.Module(bytes);
    const instance = new wasmApi.Instance(module, { env: { memory } });
    const drivers = KERNELS.map((name) => instance.exports[name] as (...args: number[]) => void);
    kernel = { module, memory, drivers, pool: null };
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

/** gemm's scratch area for operands that are not in kernel memory. */
const scratch = new StagingArea();

/** Whether the byte ranges [x, x + xBytes) and [y, y + yBytes) share a byte. */
const overlap = (x: number, xBytes: number, y: number, yBytes: number): boolean => x < y + yBytes && y < x + xBytes;

/**
 * Chunks per thread of a split product or loop: many small chunks, so that
 * when one thread is held up (a worker still waking, another process on the
 * core) the others take its share and nobody waits long for the last chunk
 * (16 measured 5-8% faster than 4 in LeNet-5's training).
 */
const CHUNKS_PER_THREAD = 16;
/** Products with fewer multiply-adds than this stay on one thread (waking a worker costs tens of microseconds). */
export const THREAD_MIN_WORK = 1 << 19;

/**
 * C = op(A) op(B) (+ C) with the WebAssembly kernel. Same contract as `gemm`;
 * throws if the kernel is unavailable (check `wasmGemmStatus()` first) or the
 * operands do not fit in its 2 GiB workspace.
 */
export function gemmWasm(m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array, options: WasmGemmOptions = {}): void {
  if (!tryGemmWasm(m, n, k, a, b, c, options)) {
    throw new RangeError(`gemm: m=${m}, n=${n}, k=${k} does not fit in kernel memory (at most ${MAX_PAGES * 65536} bytes)`);
  }
}

/** gemmWasm that returns false instead of throwing when the operands do not fit in the workspace (`gemm` then uses the JS kernel). */
export function tryGemmWasm(m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array, options: WasmGemmOptions = {}): boolean {
  const K = load();
  if (K === null) throw new Error(`gemm: the WebAssembly kernel is unavailable: ${unavailableReason}`);
  if (m === 0 || n === 0) return true;
  if (k === 0) {
    if (!options.accumulate) c.fill(0, 0, m * n);
    return true;
  }
  // Operands already in kernel memory are used in place (byte addresses);
  // the others get a place in the scratch area, each 16-byte aligned.
  let aAddr = kernelAddress(a);
  let bAddr = options.transB ? -1 : kernelAddress(b);
  let cAddr = kernelAddress(c);
  if (cAddr >= 0 && ((aAddr >= 0 && overlap(cAddr, 8 * m * n, aAddr, 8 * m * k)) || (bAddr >= 0 && overlap(cAddr, 8 * m * n, bAddr, 8 * k * n)))) {
    cAddr = -1; // C written over an operand while it is read: compute into the scratch area instead
  }
  // b^T is transposed by the module's transpose function, from b in place
  // when b is in kernel memory, else from a copy of b after C.
  const bStored = options.transB ? kernelAddress(b) : -1;
  const aAt = 0;
  const bAt = aAt + (aAddr >= 0 ? 0 : (m * k + 1) & ~1);
  const cAt = bAt + (bAddr >= 0 ? 0 : (k * n + 2 + 1) & ~1);
  const bCopyAt = cAt + (cAddr >= 0 ? 0 : (m * n + 1) & ~1);
  const scratchDoubles = bCopyAt + (options.transB && bStored < 0 ? n * k : 0);
  const mem = scratchDoubles === 0 ? null : scratch.atLeast(scratchDoubles);
  if (scratchDoubles > 0 && mem === null) return false;
  const base = mem === null ? 0 : kernelAddress(mem);

  if (aAddr < 0) {
    mem!.set(a.subarray(0, m * k), aAt);
    aAddr = base + 8 * aAt;
  }
  if (bAddr < 0) {
    if (options.transB) {
      // b is n x k: B = b^T, one image of n x k for the transpose function
      let from = bStored;
      if (from < 0) {
        mem!.set(b.subarray(0, n * k), bCopyAt);
        from = base + 8 * bCopyAt;
      }
      K.drivers[KERNELS.indexOf(TRANSPOSE)](0, 1, n, k, from, base + 8 * bAt, 0);
    } else {
      mem!.set(b.subarray(0, k * n), bAt);
    }
    mem![bAt + k * n] = 0;
    mem![bAt + k * n + 1] = 0;
    bAddr = base + 8 * bAt;
  }
  const cResident = cAddr >= 0;
  if (!cResident) {
    if (options.accumulate) mem!.set(c.subarray(0, m * n), cAt);
    cAddr = base + 8 * cAt;
  }

  const driver = options.family ? FAMILIES.findIndex((f) => f.mr === options.family!.mr && f.nr === options.family!.nr) : chooseFamily(n);
  if (driver < 0) throw new RangeError(`gemm: no kernel for tile ${options.family!.mr}x${options.family!.nr}`);
  const family = FAMILIES[driver];
  const args = [
    0,
    m,
    0,
    n,
    k,
    aAddr,
    options.transA ? 8 : 8 * k,
    options.transA ? 8 * m : 8,
    bAddr,
    8 * n,
    cAddr,
    8 * n,
    KC,
    MC,
    options.accumulate ? 1 : 0,
  ];
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const run = K.drivers[driver];
  if (threads > 1) {
    if (K.pool === null) K.pool = new KernelPool({ module: K.module, memory: K.memory, drivers: KERNELS });
    // Split the longer side of C, in whole tiles: a chunk of rows reads all of B
    // (k x n) and a chunk of columns all of A (m x k), so this re-reads the
    // smaller operand. CHUNKS_PER_THREAD chunks per thread.
    const rows = m >= n;
    const tile = rows ? family.mr : family.nr;
    const side = rows ? m : n;
    const chunks = Math.min(Math.ceil(side / tile), CHUNKS_PER_THREAD * threads);
    const unit = Math.ceil(side / chunks / tile) * tile;
    K.pool.run(threads, driver, args, rows ? 0 : 1, unit, (chunkArgs) => run(...chunkArgs));
  } else {
    run(...args);
  }
  if (!cResident) c.set(mem!.subarray(cAt, cAt + m * n));
  return true;
}

/**
 * Runs one of the module's loops over independent items: im2col, col2im or
 * transpose (./wasm/im2col-kernel.ts, items = images), Conv2d's forward
 * pass and weight gradient (./wasm/conv-kernel.ts, items = images, tiles
 * of dW), its bias gradient (./wasm/bias-kernel.ts, items = groups of
 * channels), max pooling forward and backward (./wasm/pool-kernel.ts, items =
 * planes) or ReLU and the finite scan (./wasm/elementwise-kernel.ts, items
 * = elements). args[0] and args[1] are the range
 * of items [lo, hi), split into ranges over `threads` threads. Returns false
 * when the kernel is unavailable (the caller loops in TypeScript).
 */
export function runRangeKernel(name: RangeKernel, args: number[], threads: number): boolean {
  const K = load();
  if (K === null) return false;
  const index = KERNELS.indexOf(name);
  const run = K.drivers[index];
  const items = args[1] - args[0];
  if (threads > 1 && items > 1) {
    if (K.pool === null) K.pool = new KernelPool({ module: K.module, memory: K.memory, drivers: KERNELS });
    const chunks = Math.min(items, CHUNKS_PER_THREAD * threads);
    K.pool.run(threads, index, args, 0, Math.ceil(items / chunks), (chunkArgs) => run(...chunkArgs));
  } else {
    run(...args);
  }
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
