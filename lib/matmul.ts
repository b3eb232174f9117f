/**
 * Matrix multiplication, the hot loop of the whole kata: the im2col forms of
 * convolution and the fully connected layers all end up here. It is the one
 * speed tool the learner is given, like NumPy's `@`.
 *
 *   C[m x n] = op(A)[m x k] . op(B)[k x n]   (+ C when accumulate is set)
 *
 * where op(X) is X or its transpose. All matrices are row-major Float64Arrays.
 *
 * Two kernels here compute exactly the same numbers:
 *   gemmReference  the plain triple loop, the definition;
 *   gemmJs         the same sums in plain TypeScript, register-blocked.
 * `gemm` runs gemmJs unless a faster backend has been plugged in with
 * `useGemmBackend` (the engine's WebAssembly kernel does that when it is
 * loaded): the layers that call `gemm` never know which one runs.
 *
 * Exactness: every kernel computes each element as
 *
 *   s = accumulate ? C[i, j] : 0;  for p = 0, 1, ..., k-1:  s = s + op(A)[i, p] * op(B)[p, j]
 *
 * with one rounded multiply and one rounded add per step, in that order (no
 * fused multiply-add, no reordering, no partial sums). A backend must do the
 * same, so every kernel agrees bit for bit with the reference.
 */
import { formatShape, Tensor } from './tensor';

export interface GemmOptions {
  /** Use A^T: `a` is stored as k x m. */
  transA?: boolean;
  /** Use B^T: `b` is stored as n x k. */
  transB?: boolean;
  /** Add to C instead of overwriting it. */
  accumulate?: boolean;
}

/** A faster kernel with gemm's contract and gemmReference's bits. */
export interface GemmBackend {
  readonly name: string;
  /** Computes the product into c; returns false to leave it to gemmJs (a product too small or too large for it). */
  run(m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array, options: GemmOptions): boolean;
}

let backend: GemmBackend | null = null;

/** Plugs in a backend (null: plain TypeScript only); returns the previous one. */
export function useGemmBackend(next: GemmBackend | null): GemmBackend | null {
  const previous = backend;
  backend = next;
  return previous;
}

function checkSizes(where: string, m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array): void {
  for (const [name, v] of [
    ['m', m],
    ['n', n],
    ['k', k],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${where}: ${name} must be a whole number >= 0, got ${v}`);
  }
  if (a.length < m * k || b.length < k * n || c.length < m * n) {
    throw new RangeError(`${where}: arrays too short for m=${m}, n=${n}, k=${k} (A ${a.length}, B ${b.length}, C ${c.length})`);
  }
}

/** C = op(A) op(B) (+ C) on raw arrays, with the backend when there is one; see the file comment. */
export function gemm(m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array, options: GemmOptions = {}): void {
  checkSizes('gemm', m, n, k, a, b, c);
  const started = profile === null ? 0 : performance.now();
  if (backend === null || !backend.run(m, n, k, a, b, c, options)) gemmJs(m, n, k, a, b, c, options);
  if (profile !== null) {
    profile.calls++;
    profile.ms += performance.now() - started;
    profile.flops += 2 * m * n * k;
  }
}

/** What `gemm` did since profiling started: calls, milliseconds inside gemm, floating-point operations (2mnk per call). */
export interface GemmProfile {
  calls: number;
  ms: number;
  flops: number;
}

let profile: GemmProfile | null = null;

/**
 * Starts counting the calls and time of `gemm` (for benchmarks; costs two
 * clock reads per call while on). Returns the live counters; `stopGemmProfile`
 * turns counting off.
 */
export function startGemmProfile(): GemmProfile {
  profile = { calls: 0, ms: 0, flops: 0 };
  return profile;
}

export function stopGemmProfile(): GemmProfile | null {
  const last = profile;
  profile = null;
  return last;
}

/** Columns of A (rows of B) per block: a block of B stays in cache while it is reused. */
const KC = 256;

/**
 * The plain TypeScript kernel. Both operands are read in place through
 * strides (A[i, p] = a[i*aRs + p*aCs], B[p, j] = b[p*bRs + j*bCs]), so a
 * transpose costs nothing. C is computed in tiles of 4 rows x 2 columns whose
 * 8 running sums stay in local variables over a block of KC values of p:
 * each value of A read is used twice and each value of B four times, and C
 * is read and written once per block instead of once per p.
 */
export function gemmJs(m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array, options: GemmOptions = {}): void {
  checkSizes('gemmJs', m, n, k, a, b, c);
  const aRs = options.transA ? 1 : k;
  const aCs = options.transA ? m : 1;
  const bRs = options.transB ? 1 : n;
  const bCs = options.transB ? k : 1;
  if (!options.accumulate) c.fill(0, 0, m * n);

  for (let p0 = 0; p0 < k; p0 += KC) {
    const p1 = Math.min(k, p0 + KC);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      let j = 0;
      for (; j + 2 <= n; j += 2) {
        const c0 = i * n + j;
        const c1 = c0 + n;
        const c2 = c1 + n;
        const c3 = c2 + n;
        let s00 = c[c0],
          s01 = c[c0 + 1],
          s10 = c[c1],
          s11 = c[c1 + 1];
        let s20 = c[c2],
          s21 = c[c2 + 1],
          s30 = c[c3],
          s31 = c[c3 + 1];
        let ap = i * aRs + p0 * aCs;
        let bp = p0 * bRs + j * bCs;
        for (let p = p0; p < p1; p++, ap += aCs, bp += bRs) {
          const a0 = a[ap],
            a1 = a[ap + aRs],
            a2 = a[ap + 2 * aRs],
            a3 = a[ap + 3 * aRs];
          const b0 = b[bp],
            b1 = b[bp + bCs];
          s00 += a0 * b0;
          s01 += a0 * b1;
          s10 += a1 * b0;
          s11 += a1 * b1;
          s20 += a2 * b0;
          s21 += a2 * b1;
          s30 += a3 * b0;
          s31 += a3 * b1;
        }
        c[c0] = s00;
        c[c0 + 1] = s01;
        c[c1] = s10;
        c[c1 + 1] = s11;
        c[c2] = s20;
        c[c2 + 1] = s21;
        c[c3] = s30;
        c[c3 + 1] = s31;
      }
      if (j < n) dotBlock(i, i + 4, j, n, p0, p1, n, a, aRs, aCs, b, bRs, bCs, c);
    }
    dotBlock(i, m, 0, n, p0, p1, n, a, aRs, aCs, b, bRs, bCs, c);
  }
}

/** The edges of gemmJs: rows [i0, i1) x columns [j0, j1), one running sum at a time. */
function dotBlock(
  i0: number,
  i1: number,
  j0: number,
  j1: number,
  p0: number,
  p1: number,
  n: number,
  a: Float64Array,
  aRs: number,
  aCs: number,
  b: Float64Array,
  bRs: number,
  bCs: number,
  c: Float64Array,
): void {
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < j1; j++) {
      let s = c[i * n + j];
      for (let p = p0; p < p1; p++) s += a[i * aRs + p * aCs] * b[p * bRs + j * bCs];
      c[i * n + j] = s;
    }
  }
}

/**
 * The plain triple loop, C[i][j] = sum_p op(A)[i][p] op(B)[p][j]: the
 * reference that the other kernels are tested against. Slow; never use it in a layer.
 */
export function gemmReference(m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array, options: GemmOptions = {}): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = options.accumulate ? c[i * n + j] : 0;
      for (let p = 0; p < k; p++) {
        const av = options.transA ? a[p * m + i] : a[i * k + p];
        const bv = options.transB ? b[j * k + p] : b[p * n + j];
        s += av * bv;
      }
      c[i * n + j] = s;
    }
  }
}

/**
 * Tensor form: `matmul(A, B)` for 2-D tensors, with optional transposes.
 *   A: [m, k] (or [k, m] with transA)   B: [k, n] (or [n, k] with transB)   ->  [m, n]
 */
export function matmul(a: Tensor, b: Tensor, options: { transA?: boolean; transB?: boolean } = {}): Tensor {
  if (a.rank !== 2 || b.rank !== 2) {
    throw new RangeError(`matmul: expected two rank-2 tensors, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const [m, ka] = options.transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [kb, n] = options.transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (ka !== kb) {
    throw new RangeError(
      `matmul: inner sizes differ: op(A) is [${m}, ${ka}], op(B) is [${kb}, ${n}] (A ${formatShape(a.shape)}, B ${formatShape(b.shape)})`,
    );
  }
  const out = new Tensor([m, n]);
  gemm(m, n, ka, a.data, b.data, out.data, options);
  return out;
}
