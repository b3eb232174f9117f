/**
 * im2col and col2im for the layers to call: the matrices of exercise 01,
 *
 *   col[(n*OH + i)*OW + j, (k*FH + s)*FW + t] = x[n, k, i*S_h + s - P_h, j*S_w + t - P_w]   (0 in the padding)
 *   dx[n, k, h, v] = sum of col[(n, i, j), (k, s, t)] over i*S_h + s - P_h = h, j*S_w + t - P_w = v
 *
 * bit for bit (col2im adds in the same order as the walk of exercise 01), but
 * written into arrays the caller gives, so that the im2col matrix can live in
 * kernel memory (./kernel-memory.ts, where gemm reads it without copying) and
 * be reused from batch to batch.
 *
 * Faster than the per-element formula: the columns t of one window row that
 * fall inside the image form one run [tLo, tHi), worked out once per output
 * column j, so the inner loops copy (or add) a run with no bounds test.
 * When col is in kernel memory and `gemm` uses the WebAssembly kernel, the
 * same loops run as WebAssembly (./wasm/im2col-kernel.ts), the images of the
 * batch shared between gemm's threads; otherwise in TypeScript, below. Both
 * give the same numbers (tests/lib/im2col.test.ts).
 */
import { kernelAddress, StagingArea } from './kernel-memory';
import { getGemmConfig } from './matmul';
import { runRangeKernel } from './matmul-wasm';
import { Tensor } from './tensor';

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
function runFast(name: 'im2col' | 'col2im', g: ConvGeometry, image: Float64Array, col: Float64Array): boolean {
  const colAt = kernelAddress(col);
  const { kernel, threads } = getGemmConfig();
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
  if (!runRangeKernel(name, args, col.length >= THREAD_MIN_ENTRIES ? threads : 1)) return false;
  if (name === 'col2im' && staged !== null) image.set(staged.subarray(0, image.length));
  return true;
}

/** Sizes of one convolution: x [N, C, H, W], window FH x FW, stride, padding, output OH x OW. */
export interface ConvGeometry {
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
export function convGeometry(
  inputShape: readonly number[],
  [FH, FW]: readonly [number, number],
  [SH, SW]: readonly [number, number],
  [PH, PW]: readonly [number, number],
): ConvGeometry {
  const [N, C, H, W] = inputShape;
  const OH = Math.floor((H + 2 * PH - FH) / SH) + 1;
  const OW = Math.floor((W + 2 * PW - FW) / SW) + 1;
  if (inputShape.length !== 4 || !(OH >= 1 && OW >= 1)) {
    throw new RangeError(`convGeometry: no window of ${FH}x${FW} fits input [${inputShape.join(', ')}] with padding [${PH}, ${PW}]`);
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

function checkLengths(where: string, g: ConvGeometry, x: Float64Array, col: Float64Array): void {
  const xLength = g.N * g.C * g.H * g.W;
  const colLength = g.N * g.OH * g.OW * g.C * g.FH * g.FW;
  if (x.length !== xLength || col.length !== colLength) {
    throw new RangeError(`${where}: expected x of ${xLength} values and col of ${colLength}, got ${x.length} and ${col.length}`);
  }
}

/** x [N, C, H, W] (its data) -> col [N*OH*OW, C*FH*FW], written over every element of `col`. */
export function im2colInto(x: Float64Array, g: ConvGeometry, col: Float64Array): void {
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
 * col [N*OH*OW, C*FH*FW] -> a new tensor [N, C, H, W], the adjoint of
 * im2colInto: each entry goes back to the pixel it was copied from and the
 * entries landing on one pixel are added (in the order of the rows of col);
 * entries from the padding are dropped.
 */
export function col2imTensor(col: Float64Array, g: ConvGeometry): Tensor {
  const out = new Tensor([g.N, g.C, g.H, g.W]);
  const dx = out.data;
  checkLengths('col2imTensor', g, dx, col);
  if (runFast('col2im', g, dx, col)) return out;
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
  return out;
}
