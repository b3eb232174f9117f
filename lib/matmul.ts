/**
 * Matrix multiplication, the hot loop of the whole kata: the im2col forms of
 * convolution and the fully connected layers all end up here.
 *
 *   C[m x n] = op(A)[m x k] . op(B)[k x n]   (+ C when accumulate is set)
 *
 * where op(X) is X or its transpose. All matrices are row-major Float64Arrays.
 * Transposed operands are first copied into row-major scratch buffers, so the
 * kernel only ever reads rows (O(mk + kn) copying against O(mkn) arithmetic).
 *
 * The kernel walks B by rows (i-p-j order) in blocks that fit in cache, and
 * updates four rows of C per row of B it loads, so each B value read from
 * memory is used four times.
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

/** Block sizes: a KC x NC block of B (256 x 512 doubles = 1 MiB) stays in L2. */
const KC = 256;
const NC = 512;

let scratchA = new Float64Array(0);
let scratchB = new Float64Array(0);

/** Row-major copy of the transpose of a rows x cols matrix, into a reused buffer. */
function transposeInto(src: Float64Array, rows: number, cols: number, which: 'A' | 'B'): Float64Array {
  let dst = which === 'A' ? scratchA : scratchB;
  if (dst.length < rows * cols) {
    dst = new Float64Array(rows * cols);
    if (which === 'A') scratchA = dst;
    else scratchB = dst;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
  }
  return dst;
}

/** C = op(A) op(B) on raw arrays; see the file comment for the layout. */
export function gemm(
  m: number,
  n: number,
  k: number,
  a: Float64Array,
  b: Float64Array,
  c: Float64Array,
  options: GemmOptions = {},
): void {
  if (a.length < m * k || b.length < k * n || c.length < m * n) {
    throw new RangeError(`gemm: arrays too short for m=${m}, n=${n}, k=${k} (A ${a.length}, B ${b.length}, C ${c.length})`);
  }
  const A = options.transA ? transposeInto(a, k, m, 'A') : a;
  const B = options.transB ? transposeInto(b, n, k, 'B') : b;
  if (!options.accumulate) c.fill(0, 0, m * n);

  for (let p0 = 0; p0 < k; p0 += KC) {
    const p1 = Math.min(p0 + KC, k);
    for (let j0 = 0; j0 < n; j0 += NC) {
      const j1 = Math.min(j0 + NC, n);
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        const c0 = i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
        for (let p = p0; p < p1; p++) {
          const a0 = A[i * k + p], a1 = A[(i + 1) * k + p], a2 = A[(i + 2) * k + p], a3 = A[(i + 3) * k + p];
          const bRow = p * n;
          for (let j = j0; j < j1; j++) {
            const bv = B[bRow + j];
            c[c0 + j] += a0 * bv;
            c[c1 + j] += a1 * bv;
            c[c2 + j] += a2 * bv;
            c[c3 + j] += a3 * bv;
          }
        }
      }
      for (; i < m; i++) {
        const ci = i * n;
        for (let p = p0; p < p1; p++) {
          const av = A[i * k + p];
          const bRow = p * n;
          for (let j = j0; j < j1; j++) c[ci + j] += av * B[bRow + j];
        }
      }
    }
  }
}

/**
 * The plain triple loop, C[i][j] = sum_p op(A)[i][p] op(B)[p][j]: the
 * reference that `gemm` is tested against. Slow; never use it in a layer.
 */
export function gemmReference(
  m: number,
  n: number,
  k: number,
  a: Float64Array,
  b: Float64Array,
  c: Float64Array,
  options: GemmOptions = {},
): void {
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
