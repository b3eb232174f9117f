/**
 * Max pooling for the layer to call (exercise 03's formulas):
 *
 *   out[n, c, i, j]    = max { x[n, c, p, q] : p = i*S_h - P_h + s, q = j*S_w - P_w + t, inside the image }
 *   argmax[n, c, i, j] = flat index in x of the first cell (row-major) of the window holding that max
 *
 * Padded cells never win (they count as -Infinity); padding <= floor(kernel / 2)
 * leaves at least one real cell in every window.
 *
 * When the engine runs WebAssembly, the loops run as WebAssembly
 * (../wasm/pool-kernel.ts) with the planes of the batch shared between the
 * engine's threads, and without a branch on which cell wins (a mispredicted branch per
 * cell is most of the cost of the loops below). Otherwise they run in
 * TypeScript, below. Both give the same numbers and indices
 * (tests/lib/pool.test.ts).
 */
import type { WindowGeometry } from './im2col';
import { kernelAddress, StagingArea } from '../kernel-memory';
import { getEngineConfig } from '../config';
import { runKernel } from '../kernel-host';
import { MAX_POOL, MAX_POOL_2X2, MAX_POOL_BACKWARD } from '../wasm/pool-kernel';

/** Module-level aliases: under jest's sandbox a global lookup in a loop is ~100x slower. */
const max = Math.max;
const min = Math.min;

/** Below this many input values, one thread does the whole batch. */
const THREAD_MIN_VALUES = 1 << 15;

/** x copied in, and out and argmax computed, in kernel memory. */
const staging = new StagingArea();

/** x (dx for the backward) [N, C, H, W], out (dout) and argmax [N, C, OH, OW]: the lengths `where` needs. */
function checkLengths(where: string, g: WindowGeometry, x: Float64Array, out: Float64Array, argmax: Int32Array): void {
  const xLength = g.N * g.C * g.H * g.W;
  const outLength = g.N * g.C * g.OH * g.OW;
  if (x.length !== xLength || out.length !== outLength || argmax.length !== outLength) {
    throw new RangeError(
      `${where}: expected x of ${xLength} values and out and argmax of ${outLength}, got ${x.length}, ${out.length} and ${argmax.length}`,
    );
  }
}

/**
 * x [N, C, H, W] -> out [N, C, OH, OW] and argmax (same length), written over
 * every element; x, out and argmax are used where they are when all three
 * lie in kernel memory.
 */
export function maxPoolInto(x: Float64Array, g: WindowGeometry, out: Float64Array, argmax: Int32Array): void {
  checkLengths('maxPoolInto', g, x, out, argmax);
  if (getEngineConfig().kernel === 'wasm' && maxPoolFast(x, g, out, argmax)) return;
  const { N, C, H, W, FH, FW, SH, SW, PH, PW, OH, OW } = g;
  let o = 0; // out and argmax in row-major order
  for (let plane = 0; plane < N * C; plane++) {
    const xBase = plane * H * W;
    for (let i = 0; i < OH; i++) {
      const top = i * SH - PH;
      const pFrom = max(top, 0);
      const pTo = min(top + FH, H);
      for (let j = 0; j < OW; j++) {
        const left = j * SW - PW;
        const qFrom = max(left, 0);
        const qTo = min(left + FW, W);
        let bestIndex = xBase + pFrom * W + qFrom;
        let best = x[bestIndex];
        for (let p = pFrom; p < pTo; p++) {
          for (let q = qFrom; q < qTo; q++) {
            const index = xBase + p * W + q;
            if (x[index] > best) {
              best = x[index];
              bestIndex = index;
            }
          }
        }
        out[o] = best;
        argmax[o] = bestIndex;
        o++;
      }
    }
  }
}

/**
 * The WebAssembly path: x, out and argmax where they are when all three lie in
 * kernel memory, else through the staging area. False if kernel memory is unavailable.
 */
function maxPoolFast(x: Float64Array, g: WindowGeometry, out: Float64Array, argmax: Int32Array): boolean {
  const threads = x.length >= THREAD_MIN_VALUES ? getEngineConfig().threads : 1;
  // the common 2x2 window of stride 2 without padding has a function of its own, without the general one's clipping
  const twoByTwo = g.FH === 2 && g.FW === 2 && g.SH === 2 && g.SW === 2 && g.PH === 0 && g.PW === 0;
  const kernel = twoByTwo ? MAX_POOL_2X2 : MAX_POOL;
  const geometry = twoByTwo ? [g.H, g.W, g.OH, g.OW] : [g.H, g.W, g.FH, g.FW, g.SH, g.SW, g.PH, g.PW, g.OH, g.OW];
  const addresses = [kernelAddress(x), kernelAddress(out), kernelAddress(argmax)];
  if (addresses.every((a) => a >= 0)) return runKernel(kernel, [0, g.N * g.C, ...geometry, ...addresses], threads);
  const outLength = out.length;
  // staging: [ x | out | argmax as i32 (half a double each) ]
  const area = staging.atLeast(x.length + outLength + Math.ceil(outLength / 2));
  if (area === null) return false;
  const base = kernelAddress(area);
  area.set(x);
  const outAt = base + 8 * x.length;
  const argmaxAt = outAt + 8 * outLength;
  if (!runKernel(kernel, [0, g.N * g.C, ...geometry, base, outAt, argmaxAt], threads)) return false;
  out.set(area.subarray(x.length, x.length + outLength));
  argmax.set(new Int32Array(area.buffer, argmaxAt, outLength));
  return true;
}

/**
 * dx [N, C, H, W] = 0, then dx[argmax[o]] += dout[o] for every output o in
 * increasing order (exercise 03's backward), written over every element of
 * dx. As WebAssembly, planes shared between threads, when the kernels run
 * WebAssembly and all three arrays lie in kernel memory.
 */
export function maxPoolBackwardInto(dout: Float64Array, argmax: Int32Array, g: WindowGeometry, dx: Float64Array): void {
  checkLengths('maxPoolBackwardInto', g, dx, dout, argmax);
  const addresses = [kernelAddress(dout), kernelAddress(argmax), kernelAddress(dx)];
  if (getEngineConfig().kernel === 'wasm' && addresses.every((a) => a >= 0)) {
    const threads = dx.length >= THREAD_MIN_VALUES ? getEngineConfig().threads : 1;
    if (runKernel(MAX_POOL_BACKWARD, [0, g.N * g.C, g.H * g.W, g.OH * g.OW, ...addresses], threads)) return;
  }
  dx.fill(0);
  for (let o = 0; o < dout.length; o++) dx[argmax[o]] += dout[o];
}
