/**
 * The engine's `gemm` (lib/matmul.ts's contract): the WebAssembly SIMD kernel
 * of ../wasm/gemm-kernel.ts, run by the kernel host (../kernel-host.ts) on
 * one or several threads.
 *
 * WebAssembly code only reads its own linear memory (../kernel-memory.ts).
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
 * and with or without copies (see the notes in ../wasm/gemm-kernel.ts and ../kernel-pool.ts).
 */
import type { GemmOptions } from '../../lib/matmul';
import { CHUNKS_PER_THREAD, runKernel, type Split, wasmKernelStatus } from '../kernel-host';
import { kernelAddress, MAX_PAGES, StagingArea } from '../kernel-memory';
import { driverName, FAMILIES, type Family } from '../wasm/gemm-kernel';
import { TRANSPOSE } from '../wasm/transpose-kernel';

/** Block sizes of the kernel's loops (see ../wasm/gemm-kernel.ts). */
const KC = 256;
const MC = 128;

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
function chooseFamily(n: number): Family {
  if (n <= 4) return FAMILIES.find((f) => f.nr === 4)!;
  if (n <= 6) return FAMILIES.find((f) => f.nr === 6)!;
  return FAMILIES.find((f) => f.nr === 8)!;
}

/** The tile asked for, which must be one of FAMILIES, or the one chosen from n. */
function familyFor(n: number, asked: Family | undefined): Family {
  if (asked === undefined) return chooseFamily(n);
  const family = FAMILIES.find((f) => f.mr === asked.mr && f.nr === asked.nr);
  if (family === undefined) throw new RangeError(`gemm: no kernel for tile ${asked.mr}x${asked.nr}`);
  return family;
}

/** gemm's scratch area for operands that are not in kernel memory. */
const scratch = new StagingArea();

/** Whether the byte ranges [x, x + xBytes) and [y, y + yBytes) share a byte. */
const overlap = (x: number, xBytes: number, y: number, yBytes: number): boolean => x < y + yBytes && y < x + xBytes;

/**
 * C = op(A) op(B) (+ C) with the WebAssembly kernel. Same contract as `gemm`;
 * throws if the kernel is unavailable (check `wasmKernelStatus()` first) or the
 * operands do not fit in its 2 GiB workspace.
 */
export function gemmWasm(m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array, options: WasmGemmOptions = {}): void {
  if (!tryGemmWasm(m, n, k, a, b, c, options)) {
    throw new RangeError(`gemm: m=${m}, n=${n}, k=${k} does not fit in kernel memory (at most ${MAX_PAGES * 65536} bytes)`);
  }
}

/** gemmWasm that returns false instead of throwing when the operands do not fit in the workspace (`gemm` then uses the JS kernel). */
export function tryGemmWasm(m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array, options: WasmGemmOptions = {}): boolean {
  const status = wasmKernelStatus();
  if (!status.available) throw new Error(`gemm: the WebAssembly kernel is unavailable: ${status.reason}`);
  if (m === 0 || n === 0) return true;
  if (k === 0) {
    if (!options.accumulate) c.fill(0, 0, m * n);
    return true;
  }
  const family = familyFor(n, options.family);
  const plan = planScratch(m, n, k, a, b, c, options);
  const mem = plan.doubles === 0 ? null : scratch.atLeast(plan.doubles);
  if (plan.doubles > 0 && mem === null) return false;
  const at = stageOperands(plan, m, n, k, a, b, c, options, mem);
  runProduct(family, m, n, k, at, options);
  if (plan.c < 0) c.set(mem!.subarray(plan.cAt, plan.cAt + m * n));
  return true;
}

/**
 * Where each operand is read from: its byte address when it is used in
 * place in kernel memory (-1 when not), and otherwise its offset in doubles
 * in the scratch area, each 16-byte aligned.
 */
interface ScratchPlan {
  a: number;
  b: number;
  c: number;
  /** b's byte address, when transB and b lies in kernel memory (the transpose reads it there). */
  bStored: number;
  aAt: number;
  bAt: number;
  cAt: number;
  /** Where a copy of b goes, for transB when b is not in kernel memory. */
  bCopyAt: number;
  /** Doubles of scratch needed (0: none). */
  doubles: number;
}

/** Decides which operands are used in place and lays out the scratch area for the others. */
function planScratch(m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array, options: WasmGemmOptions): ScratchPlan {
  const aAddr = kernelAddress(a);
  const bAddr = options.transB ? -1 : kernelAddress(b);
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
  const doubles = bCopyAt + (options.transB && bStored < 0 ? n * k : 0);
  return { a: aAddr, b: bAddr, c: cAddr, bStored, aAt, bAt, cAt, bCopyAt, doubles };
}

/** Byte addresses of A, B (as k x n, 2 spare doubles after it) and C for the kernel. */
interface OperandAddresses {
  a: number;
  b: number;
  c: number;
}

/** Copies into the scratch area `mem` what the plan puts there (B^T by the transpose function); returns where each operand is. */
function stageOperands(
  plan: ScratchPlan,
  m: number,
  n: number,
  k: number,
  a: Float64Array,
  b: Float64Array,
  c: Float64Array,
  options: WasmGemmOptions,
  mem: Float64Array | null,
): OperandAddresses {
  const base = mem === null ? 0 : kernelAddress(mem);
  const at = { a: plan.a, b: plan.b, c: plan.c };
  if (at.a < 0) {
    mem!.set(a.subarray(0, m * k), plan.aAt);
    at.a = base + 8 * plan.aAt;
  }
  if (at.b < 0) {
    if (options.transB) {
      // b is n x k: B = b^T, one image of n x k for the transpose function
      let from = plan.bStored;
      if (from < 0) {
        mem!.set(b.subarray(0, n * k), plan.bCopyAt);
        from = base + 8 * plan.bCopyAt;
      }
      runKernel(TRANSPOSE, [0, 1, n, k, from, base + 8 * plan.bAt, 0], 1);
    } else {
      mem!.set(b.subarray(0, k * n), plan.bAt);
    }
    mem![plan.bAt + k * n] = 0;
    mem![plan.bAt + k * n + 1] = 0;
    at.b = base + 8 * plan.bAt;
  }
  if (at.c < 0) {
    if (options.accumulate) mem!.set(c.subarray(0, m * n), plan.cAt);
    at.c = base + 8 * plan.cAt;
  }
  return at;
}

/** Runs the family's driver on the operands where they are, on options.threads threads. */
function runProduct(family: Family, m: number, n: number, k: number, at: OperandAddresses, options: WasmGemmOptions): void {
  const aRs = options.transA ? 8 : 8 * k;
  const aCs = options.transA ? 8 * m : 8;
  const args = [0, m, 0, n, k, at.a, aRs, aCs, at.b, 8 * n, at.c, 8 * n, KC, MC, options.accumulate ? 1 : 0];
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  runKernel(driverName(family), args, threads, threads > 1 ? productSplit(family, m, n, threads) : undefined);
}

/**
 * Splits the longer side of C, in whole tiles: a chunk of rows reads all of B
 * (k x n) and a chunk of columns all of A (m x k), so this re-reads the
 * smaller operand. CHUNKS_PER_THREAD chunks per thread.
 */
function productSplit(family: Family, m: number, n: number, threads: number): Split {
  const rows = m >= n;
  const tile = rows ? family.mr : family.nr;
  const side = rows ? m : n;
  const chunks = Math.min(Math.ceil(side / tile), CHUNKS_PER_THREAD * threads);
  return { axis: rows ? 0 : 1, unit: Math.ceil(side / chunks / tile) * tile };
}
