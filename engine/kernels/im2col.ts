/**
 * im2col and col2im for the layers to call: the matrices of exercise 01,
 *
 *   col[(n*OH + i)*OW + j, (k*FH + s)*FW + t] = x[n, k, i*S_h + s - P_h, j*S_w + t - P_w]   (0 in the padding)
 *   dx[n, k, h, v] = sum of col[(n, i, j), (k, s, t)] over i*S_h + s - P_h = h, j*S_w + t - P_w = v
 *
 * bit for bit (col2im adds in the same order as the walk of exercise 01), but
 * written into arrays the caller gives, so that the im2col matrix can live in
 * kernel memory (../kernel-memory.ts, where gemm reads it without copying) and
 * be reused from batch to batch.
 *
 * Faster than the per-element formula: the columns t of one window row that
 * fall inside the image form one run [tLo, tHi), worked out once per output
 * column j, so the inner loops copy (or add) a run with no bounds test.
 * When col is in kernel memory and `gemm` uses the WebAssembly kernel, the
 * work runs as WebAssembly (../wasm/im2col-kernel.ts), the images of the
 * batch shared between the engine's threads; otherwise in TypeScript, below. Both
 * give the same numbers (tests/engine/im2col.test.ts).
 *
 * Also here: rowsToPlanes and planesToRows, Conv2d's rearrangements between
 * its products and NCHW (at the end of the file), by the transpose kernel
 * (../wasm/transpose-kernel.ts) when the engine runs WebAssembly.
 */
import { outputSize } from '../../lib/window';
import { kernelAddress, StagingArea } from '../kernel-memory';
import { getEngineConfig } from '../config';
import { runKernel } from '../kernel-host';

/** Below this many entries of col, one thread does the whole batch (waking a worker costs more). */
const THREAD_MIN_ENTRIES = 1 << 15;

/** Where x is copied in (im2col) or dx computed (col2im) when the caller's array is not in kernel memory. */
const staging = new StagingArea();

/**
 * Runs im2col or col2im as WebAssembly when col is in kernel memory and
 * gemm runs WebAssembly: `image` (x or dx) goes through the staging area
 * unless it is in kernel memory too (x is copied in before, dx copied out after).
 * Returns false when the TypeScript loops must do the work.
 */
function runFast(name: 'im2col' | 'col2im', g: WindowGeometry, image: Float64Array, col: Float64Array): boolean {
  const colAt = kernelAddress(col);
  const { kernel, threads } = getEngineConfig();
  if (colAt < 0 || kernel !== 'wasm') return false;
  let imageAt = kernelAddress(image);
  const staged = imageAt < 0 ? staging.atLeast(image.length) : null;
  if (imageAt < 0) {
    if (staged === null) return false;
    imageAt = kernelAddress(staged);
    if (name === 'im2col') staged.set(image);
  }
  const [from, to] = name === 'im2col' ? [imageAt, colAt] : [colAt, imageAt];
  const args = [0, g.N, g.OH, g.OW, g.C, g.H, g.W, g.FH, g.FW, g.SH, g.SW, g.PH, g.PW, from, to];
  if (!runKernel(name, args, col.length >= THREAD_MIN_ENTRIES ? threads : 1)) return false;
  if (name === 'col2im' && staged !== null) image.set(staged.subarray(0, image.length));
  return true;
}

/** Sizes of one convolution (or pooling): x [N, C, H, W], window FH x FW, stride, padding, output OH x OW. */
export interface WindowGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  FH: number;
  FW: number;
  SH: number;
  SW: number;
  PH: number;
  PW: number;
  OH: number;
  OW: number;
}

/** The geometry of x [N, C, H, W] under a window; OH, OW as exercise 02 computes them. */
export function windowGeometry(
  inputShape: readonly number[],
  [FH, FW]: readonly [number, number],
  [SH, SW]: readonly [number, number],
  [PH, PW]: readonly [number, number],
): WindowGeometry {
  const [N, C, H, W] = inputShape;
  const OH = outputSize(H, FH, SH, PH);
  const OW = outputSize(W, FW, SW, PW);
  if (inputShape.length !== 4 || !(OH >= 1 && OW >= 1)) {
    throw new RangeError(`windowGeometry: no window of ${FH}x${FW} fits input [${inputShape.join(', ')}] with padding [${PH}, ${PW}]`);
  }
  return { N, C, H, W, FH, FW, SH, SW, PH, PW, OH, OW };
}

/**
 * For each output column j: the first and one-past-last t of the window
 * whose input column v = j*S_w + t - P_w is inside [0, W).
 */
function insideRuns(O: number, F: number, S: number, P: number, size: number): { lo: Int32Array; hi: Int32Array } {
  const lo = new Int32Array(O);
  const hi = new Int32Array(O);
  for (let j = 0; j < O; j++) {
    const start = j * S - P;
    lo[j] = Math.min(F, Math.max(0, -start));
    hi[j] = Math.max(lo[j], Math.min(F, size - start));
  }
  return { lo, hi };
}

function checkLengths(where: string, g: WindowGeometry, x: Float64Array, col: Float64Array): void {
  const xLength = g.N * g.C * g.H * g.W;
  const colLength = g.N * g.OH * g.OW * g.C * g.FH * g.FW;
  if (x.length !== xLength || col.length !== colLength) {
    throw new RangeError(`${where}: expected x of ${xLength} values and col of ${colLength}, got ${x.length} and ${col.length}`);
  }
}

/** x [N, C, H, W] (its data) -> col [N*OH*OW, C*FH*FW], written over every element of `col`. */
export function im2colInto(x: Float64Array, g: WindowGeometry, col: Float64Array): void {
  checkLengths('im2colInto', g, x, col);
  if (runFast('im2col', g, x, col)) return;
  const { N, C, H, W, FH, FW, SH, PH, OH, OW } = g;
  const { lo, hi } = insideRuns(OW, FW, g.SW, g.PW, W);
  let c = 0; // walks col row by row
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < OH; i++) {
      for (let j = 0; j < OW; j++) {
        const tLo = lo[j];
        const tHi = hi[j];
        const left = j * g.SW - g.PW; // input column of t = 0
        for (let k = 0; k < C; k++) {
          for (let s = 0; s < FH; s++, c += FW) {
            const h = i * SH + s - PH;
            if (h < 0 || h >= H) {
              col.fill(0, c, c + FW);
              continue;
            }
            const from = ((n * C + k) * H + h) * W + left;
            for (let t = 0; t < tLo; t++) col[c + t] = 0;
            for (let t = tLo; t < tHi; t++) col[c + t] = x[from + t];
            for (let t = tHi; t < FW; t++) col[c + t] = 0;
          }
        }
      }
    }
  }
}

/**
 * col [N*OH*OW, C*FH*FW] -> dx [N, C, H, W], written over every element, the
 * adjoint of im2colInto: each entry goes back to the pixel it was copied
 * from and the entries landing on one pixel are added to a zero (in the
 * order of the rows of col); entries from the padding are dropped.
 */
export function col2imInto(col: Float64Array, g: WindowGeometry, dx: Float64Array): void {
  checkLengths('col2imInto', g, dx, col);
  if (runFast('col2im', g, dx, col)) return;
  dx.fill(0);
  const { N, C, H, W, FH, FW, SH, PH, OH, OW } = g;
  const { lo, hi } = insideRuns(OW, FW, g.SW, g.PW, W);
  let c = 0;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < OH; i++) {
      for (let j = 0; j < OW; j++) {
        const tLo = lo[j];
        const tHi = hi[j];
        const left = j * g.SW - g.PW;
        for (let k = 0; k < C; k++) {
          for (let s = 0; s < FH; s++, c += FW) {
            const h = i * SH + s - PH;
            if (h < 0 || h >= H) continue;
            const to = ((n * C + k) * H + h) * W + left;
            for (let t = tLo; t < tHi; t++) dx[to + t] += col[c + t];
          }
        }
      }
    }
  }
}

/**
 * The rearrangements around Conv2d's products, image by image: the product
 * col W^T has one row per output pixel p = (i, j) of image n and one column
 * per filter m, where NCHW wants one plane per filter.
 *
 *   rowsToPlanes:  out[n, m, p]          = rows[(n*P + p)*M + m] + bias[m]   rows [N*P, M] -> out [N, M, P]
 *   planesToRows:  rows[(n*P + p)*M + m] = planes[n, m, p]                   planes [N, M, P] -> rows [N*P, M]
 *
 * As WebAssembly with the images shared between threads when `rows` is in
 * kernel memory and gemm runs WebAssembly (the other array goes through the
 * staging area), else in TypeScript; the same numbers either way.
 */
export function rowsToPlanes(rows: Float64Array, N: number, P: number, bias: Float64Array, out: Float64Array): void {
  const M = bias.length;
  checkTransposeLengths('rowsToPlanes', N, P, M, rows, out);
  if (transposeFast(rows, N, P, M, bias, out)) return;
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const to = (n * M + m) * P;
      const b = bias[m];
      for (let p = 0; p < P; p++) out[to + p] = rows[(n * P + p) * M + m] + b;
    }
  }
}

export function planesToRows(planes: Float64Array, N: number, M: number, P: number, rows: Float64Array): void {
  checkTransposeLengths('planesToRows', N, P, M, rows, planes);
  if (transposeFast(planes, N, M, P, null, rows)) return;
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const from = (n * M + m) * P;
      for (let p = 0; p < P; p++) rows[(n * P + p) * M + m] = planes[from + p];
    }
  }
}

function checkTransposeLengths(where: string, N: number, P: number, M: number, rows: Float64Array, planes: Float64Array): void {
  if (rows.length !== N * P * M || planes.length !== N * P * M) {
    throw new RangeError(`${where}: expected arrays of N*P*M = ${N * P * M} values, got ${rows.length} (rows) and ${planes.length} (planes)`);
  }
}

/**
 * to[n, b, a] = from[n, a, b] (+ add[b]) for every image, as WebAssembly;
 * false when the TypeScript loops must do it (the rows array, whichever of
 * `from` and `to` it is, must already be in kernel memory).
 */
function transposeFast(from: Float64Array, N: number, A: number, B: number, add: Float64Array | null, to: Float64Array): boolean {
  const { kernel, threads } = getEngineConfig();
  if (kernel !== 'wasm' || (kernelAddress(from) < 0 && kernelAddress(to) < 0)) return false;
  // staging: [ add | from or to, whichever is not in kernel memory ]
  const addLength = add === null ? 0 : (add.length + 1) & ~1;
  const area = staging.atLeast(addLength + from.length);
  if (area === null) return false;
  const base = kernelAddress(area);
  if (add !== null) area.set(add);
  let fromAt = kernelAddress(from);
  if (fromAt < 0) {
    area.set(from, addLength);
    fromAt = base + 8 * addLength;
  }
  const toAt = kernelAddress(to) >= 0 ? kernelAddress(to) : base + 8 * addLength;
  const args = [0, N, A, B, fromAt, toAt, add === null ? 0 : base];
  if (!runKernel('transpose', args, from.length >= THREAD_MIN_ENTRIES ? threads : 1)) return false;
  if (kernelAddress(to) < 0) to.set(area.subarray(addLength, addLength + to.length));
  return true;
}
