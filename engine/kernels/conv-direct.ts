/**
 * Conv2d's forward pass and weight gradient without the im2col matrix, for
 * the fast layer:
 *
 *   out[n, m, i, j] = sum over k of col[(n, i, j), k] * W[m, k], then + b[m]
 *   dW[m, k]        = sum over r of dout[r, m] * col[r, k]          r = (n, i, j)
 *
 * computed by ../wasm/conv-kernel.ts from the input with its padding written
 * out (xpad), bit for bit what im2col, gemm and the rearrangements give
 * (tests/engine/conv-direct.test.ts), on the engine's threads. The im2col matrix
 * (K times the output's size) is neither written nor read: the windows are
 * read from xpad where they are. The layer keeps xpad in its workspace from
 * forward to backward.
 */
import { getEngineConfig } from '../config';
import { runKernel, THREAD_MIN_WORK } from '../kernel-host';
import { kernelAddress, type Workspace } from '../kernel-memory';
import { CONV_INPUT_GRADIENT, DX_TAP_BLOCK } from '../wasm/conv-dx-kernel';
import { FINITE_SCAN } from '../wasm/elementwise-kernel';
import { runFlaggedKernel } from './finite';
import { CONV_CHANNEL_BLOCKS, CONV_WEIGHT_GRADIENT, convForwardName, DW_TILE_CHANNELS, DW_TILE_PAIRS } from '../wasm/conv-kernel';
import type { WindowGeometry } from './im2col';

/** The padded input and its geometry (the same window and stride, padding 0). */
export interface PaddedInput {
  xpad: Float64Array;
  geometry: WindowGeometry;
}

/** x [N, C, H, W] with P_h zero rows above and below each plane and P_w zero columns left and right, into `xpad`. */
function padInto(x: Float64Array, g: WindowGeometry, xpad: Float64Array): void {
  const HP = g.H + 2 * g.PH;
  const WP = g.W + 2 * g.PW;
  if (g.PH === 0 && g.PW === 0) {
    xpad.set(x);
    return;
  }
  xpad.fill(0, 0, g.N * g.C * HP * WP);
  // a plain loop: a `set` per row of 28 values costs more in calls than in copying
  for (let plane = 0, from = 0; plane < g.N * g.C; plane++) {
    for (let h = 0; h < g.H; h++) {
      const to = (plane * HP + h + g.PH) * WP + g.PW;
      for (let w = 0; w < g.W; w++) xpad[to + w] = x[from++];
    }
  }
}

/**
 * The forward product plus bias into the workspace's `convOut` [N, M, OH, OW]
 * (returned with the padded input); 'not finite' when x holds a NaN or an
 * infinity (scanned in WebAssembly once padded: the caller names it), or
 * null when the WebAssembly kernel or kernel memory is unavailable (the
 * caller checks x and takes the im2col path).
 */
export function convForwardFast(
  x: Float64Array,
  g: WindowGeometry,
  weights: Float64Array,
  bias: Float64Array,
  workspace: Workspace,
): { out: Float64Array; padded: PaddedInput } | 'not finite' | null {
  const { kernel, threads } = getEngineConfig();
  if (kernel !== 'wasm') return null;
  const M = bias.length;
  const K = g.C * g.FH * g.FW;
  const HP = g.H + 2 * g.PH;
  const WP = g.W + 2 * g.PW;
  const XS = g.C * HP * WP;
  // the block that pads the channels least (the larger on a tie): 8 for 16 filters, 6 for LeNet-5's 6
  const block = CONV_CHANNEL_BLOCKS.reduce((best, b) => (Math.ceil(M / b) * b < Math.ceil(M / best) * best ? b : best));
  const Mpad = Math.ceil(M / block) * block;
  // the kernel reads up to S_w doubles past xpad; the table of k offsets (i32) follows wt
  const xpad = workspace.array('xpad', g.N * XS + g.SW);
  const wt = workspace.array('convWt', K * Mpad + Math.ceil(K / 2));
  const paddedBias = workspace.array('convBias', Mpad);
  const out = workspace.array('convOut', g.N * M * g.OH * g.OW);
  if ([xpad, wt, paddedBias, out].some((a) => kernelAddress(a) < 0)) return null;

  padInto(x, g, xpad);
  const paddedLength = g.N * XS;
  if (runFlaggedKernel(FINITE_SCAN, paddedLength, [kernelAddress(xpad)]) !== false) return 'not finite';
  for (let k = 0; k < K; k++) {
    for (let m = 0; m < Mpad; m++) wt[k * Mpad + m] = m < M ? weights[m * K + k] : 0;
  }
  const table = new Int32Array(wt.buffer, wt.byteOffset + 8 * K * Mpad, K);
  for (let c = 0, k = 0; c < g.C; c++) {
    for (let s = 0; s < g.FH; s++) for (let t = 0; t < g.FW; t++, k++) table[k] = 8 * ((c * HP + s) * WP + t);
  }
  paddedBias.fill(0);
  paddedBias.set(bias);

  const args = [0, g.N, XS, WP, g.SH, g.SW, g.OH, g.OW, M, K, kernelAddress(xpad), kernelAddress(wt), kernelAddress(paddedBias), kernelAddress(out)];
  const work = g.N * M * g.OH * g.OW * K;
  if (!runKernel(convForwardName(block), args, work >= THREAD_MIN_WORK ? threads : 1)) return null;
  const geometry = { ...g, H: HP, W: WP, PH: 0, PW: 0 };
  return { out, padded: { xpad: xpad.subarray(0, paddedLength), geometry } };
}

/**
 * dW [M, K] = dA2d^T col, where dA2d[(n, i, j), m] = dout[n, m, i, j] and col
 * is the im2col matrix of the padded input: into `dW`, straight from dout
 * and xpad (../wasm/conv-kernel.ts), the bits of gemm on dA2d and col. False
 * when the WebAssembly kernel or kernel memory is unavailable.
 */
export function convWeightGradientFast(dout: Float64Array, padded: PaddedInput, dW: Float64Array, workspace: Workspace): boolean {
  const { kernel, threads } = getEngineConfig();
  if (kernel !== 'wasm') return false;
  const g = padded.geometry;
  const K = g.C * g.FH * g.FW;
  const M = dW.length / K;
  // V pairs of taps (t, t + 1) per filter row, padded to whole tiles
  const pairsPerRow = Math.ceil(g.FW / 2);
  const V = Math.ceil((g.C * g.FH * pairsPerRow) / DW_TILE_PAIRS) * DW_TILE_PAIRS;
  const tiles = Math.ceil(M / DW_TILE_CHANNELS) * (V / DW_TILE_PAIRS);
  // dout is read where it is when it lies in kernel memory (the output of an engine layer's backward)
  const doutHere = kernelAddress(dout) >= 0 ? dout : workspace.array('dout', dout.length);
  const result = workspace.array('convDw', M * K);
  const tableArray = workspace.array('dwTable', (3 * V) / 2); // V offsets and 2V taps, i32
  if ([doutHere, result, tableArray].some((a) => kernelAddress(a) < 0)) return false;
  if (doutHere !== dout) doutHere.set(dout);
  const table = new Int32Array(tableArray.buffer, tableArray.byteOffset, 3 * V);
  table.fill(0, 0, V);
  table.fill(-1, V);
  let pair = 0;
  for (let c = 0; c < g.C; c++) {
    for (let s = 0; s < g.FH; s++) {
      for (let t = 0; t < g.FW; t += 2, pair++) {
        table[pair] = 8 * ((c * g.H + s) * g.W + t);
        table[V + 2 * pair] = (c * g.FH + s) * g.FW + t;
        if (t + 1 < g.FW) table[V + 2 * pair + 1] = (c * g.FH + s) * g.FW + t + 1;
      }
    }
  }
  const args = [
    0,
    tiles,
    g.C * g.H * g.W,
    g.W,
    g.SH,
    g.SW,
    g.N,
    g.OH,
    g.OW,
    M,
    K,
    kernelAddress(padded.xpad),
    kernelAddress(doutHere),
    kernelAddress(result),
    kernelAddress(tableArray),
    V,
  ];
  const work = M * K * g.N * g.OH * g.OW;
  if (!runKernel(CONV_WEIGHT_GRADIENT, args, work >= THREAD_MIN_WORK ? threads : 1)) return false;
  dW.set(result);
  return true;
}

/**
 * dx [N, C, H, W] of a convolution of stride 1 along the width, straight
 * from dout and W (../wasm/conv-dx-kernel.ts), the bits of gemm (dcol = dA2d W)
 * then col2im, into `dx`. False when the kernel cannot take it: not
 * WebAssembly, a horizontal stride other than 1, a dout that is not finite
 * (the kernel's zero taps would turn an infinity into NaN), or no kernel memory.
 */
export function convInputGradientFast(dout: Float64Array, weights: Float64Array, g: WindowGeometry, dx: Float64Array, workspace: Workspace): boolean {
  const { kernel, threads } = getEngineConfig();
  if (kernel !== 'wasm' || g.SW !== 1) return false;
  const M = dout.length / (g.N * g.OH * g.OW);
  const K = g.C * g.FH * g.FW;
  const HP = g.H + 2 * g.PH;
  const WP = g.W + 2 * g.PW;
  const slots = Math.ceil(K / DX_TAP_BLOCK) * DX_TAP_BLOCK;
  const doutHere = kernelAddress(dout) >= 0 ? dout : workspace.array('dout', dout.length);
  const wq = workspace.array('dxWeights', slots * M + slots / 2); // then one i32 per slot
  const padded = g.PH > 0 || g.PW > 0 ? workspace.array('dxpad', g.N * g.C * HP * WP) : dx;
  if ([doutHere, wq, padded, dx].some((a) => kernelAddress(a) < 0)) return false;
  if (doutHere !== dout) doutHere.set(dout);
  if (runFlaggedKernel(FINITE_SCAN, dout.length, [kernelAddress(doutHere)]) !== false) return false;
  // slot u holds tap k = K - 1 - u: the taps of each filter row in decreasing t (see the kernel)
  const table = new Int32Array(wq.buffer, wq.byteOffset + 8 * slots * M, slots);
  for (let u = 0; u < slots; u++) {
    const k = K - 1 - u;
    const [c, s, t] = [Math.floor(k / (g.FH * g.FW)), Math.floor(k / g.FW) % g.FH, k % g.FW];
    table[u] = k < 0 ? 0 : 8 * ((c * HP + s) * WP + t);
    for (let m = 0; m < M; m++) wq[(Math.floor(u / DX_TAP_BLOCK) * M + m) * DX_TAP_BLOCK + (u % DX_TAP_BLOCK)] = k < 0 ? 0 : weights[m * K + k];
  }
  const args = [
    0,
    g.N,
    g.C,
    g.H,
    g.W,
    g.PH,
    g.PW,
    g.SH,
    g.OH,
    g.OW,
    M,
    slots,
    kernelAddress(doutHere),
    kernelAddress(wq),
    kernelAddress(padded),
    kernelAddress(dx),
  ];
  const work = g.N * g.OH * g.OW * K * M;
  return runKernel(CONV_INPUT_GRADIENT, args, work >= THREAD_MIN_WORK ? threads : 1);
}
