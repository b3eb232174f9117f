/**
 * Which kernel the engine runs and on how many threads, and the plug that
 * makes lib's `gemm` use the WebAssembly kernel.
 *
 *   kernel  'wasm' (WebAssembly SIMD, the default where available) or 'js'
 *           (lib's plain TypeScript loops everywhere);
 *   threads threads for large products and loops, this one included.
 *
 * Defaults come from the environment, checked once: KATA_GEMM=js|wasm and
 * KATA_THREADS=N (a whole number from 1 to MAX_WORKERS + 1). A value that
 * means nothing is an error naming the variable, not a silent default.
 */
import { KataInputError } from '../lib/checks';
import { type GemmOptions, useGemmBackend } from '../lib/matmul';
import { THREAD_MIN_WORK, wasmKernelStatus } from './kernel-host';
import { availableThreads, MAX_WORKERS } from './kernel-pool';
import { tryGemmWasm } from './kernels/gemm';

export type EngineKernel = 'wasm' | 'js';

export interface EngineConfig {
  kernel: EngineKernel;
  threads: number;
}

/**
 * Below this many multiply-adds the plain TypeScript kernel is as fast as
 * copying the operands into WebAssembly memory (products of tiny tensors).
 */
const WASM_MIN_WORK = 2048;

/** The settings asked for by KATA_GEMM and KATA_THREADS, checked. */
export function configFromEnvironment(env: Record<string, string | undefined> = process.env): EngineConfig {
  const kernelAsked = env.KATA_GEMM;
  if (kernelAsked !== undefined && kernelAsked !== '' && kernelAsked !== 'js' && kernelAsked !== 'wasm') {
    throw new KataInputError(`KATA_GEMM must be "js" or "wasm", got ${JSON.stringify(kernelAsked)}`);
  }
  const threadsAsked = env.KATA_THREADS;
  let threads = availableThreads();
  if (threadsAsked !== undefined && threadsAsked !== '') {
    threads = Number(threadsAsked);
    if (!/^\d+$/.test(threadsAsked) || threads < 1 || threads > MAX_WORKERS + 1) {
      throw new KataInputError(`KATA_THREADS must be a whole number from 1 to ${MAX_WORKERS + 1}, got ${JSON.stringify(threadsAsked)}`);
    }
  }
  const wasm = wasmKernelStatus().available;
  if (kernelAsked === 'wasm' && !wasm) {
    throw new KataInputError(`KATA_GEMM=wasm, but the WebAssembly kernel is unavailable here: ${wasmKernelStatus().reason}`);
  }
  return { kernel: kernelAsked === 'js' || !wasm ? 'js' : 'wasm', threads };
}

let config: EngineConfig | null = null;

/** The kernel and thread count the engine uses now. */
export function getEngineConfig(): EngineConfig {
  config ??= configFromEnvironment();
  return { ...config };
}

/** Changes the kernel or the thread count; returns the previous settings. */
export function setEngineConfig(changes: Partial<EngineConfig>): EngineConfig {
  const previous = getEngineConfig();
  if (changes.kernel === 'wasm' && !wasmKernelStatus().available) {
    throw new Error(`engine: the WebAssembly kernel is unavailable: ${wasmKernelStatus().reason}`);
  }
  if (changes.threads !== undefined && !(Number.isInteger(changes.threads) && changes.threads >= 1)) {
    throw new RangeError(`engine: threads must be a whole number >= 1, got ${changes.threads}`);
  }
  config = { ...previous, ...changes };
  return previous;
}

/** lib's gemm, run by the WebAssembly kernel when the engine is set to 'wasm'. */
const wasmBackend = {
  get name(): string {
    return getEngineConfig().kernel;
  },
  run(m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array, options: GemmOptions): boolean {
    const { kernel, threads } = config ?? getEngineConfig();
    const work = m * n * k;
    if (kernel !== 'wasm' || work < WASM_MIN_WORK) return false;
    return tryGemmWasm(m, n, k, a, b, c, { ...options, threads: work >= THREAD_MIN_WORK ? threads : 1 });
  },
};

/** Makes lib's `gemm` use the engine (called once, by engine/index.ts). */
export function installGemmBackend(): void {
  useGemmBackend(wasmBackend);
}
