/**
 * Exercise 03: max pooling.
 *
 * Each channel of each image is cut into windows of FH x FW pixels that move
 * S_h rows and S_w columns at a time; the output is the largest value of each
 * window. Channels never mix.
 *
 *   x: [N, C, H, W]  ->  a: [N, C, OH, OW]
 *   OH = floor((H + 2 P_h - FH) / S_h) + 1,  OW likewise (convOutputShape, exercise 02)
 *
 *   a[n, c, i, j] = max { x[n, c, p, q] : p = i*S_h - P_h + s, q = j*S_w - P_w + t,
 *                                         0 <= s < FH, 0 <= t < FW }
 *
 * Padded cells (p or q outside the image) never win: they count as -Infinity.
 * When the stride does not divide H + 2 P_h - FH, the output size is floored
 * and the last rows (columns) of the image are not seen.
 */
import { convOutputShape } from '../02-output-size/output-size';
import { checkFinite, checkKernelFits, checkNonNegativeInt, checkPositiveInt, checkRank, checkShape, KataInputError, toPair } from '../../lib/checks';
import type { Layer, PoolLayerOptions } from '../../lib/layer';
import { Tensor } from '../../lib/tensor';
import type { Window } from '../../lib/window';

/**
 * Expands each option to a pair with `toPair`, the stride defaulting to the
 * kernel size and the padding to 0, then checks them (`layer` names the layer
 * in the messages; AveragePool2D reuses this function):
 * - kernel and stride: whole numbers >= 1 (`checkPositiveInt`, name e.g. "kernelSize (height)");
 * - padding: a whole number >= 0 (`checkNonNegativeInt`) and at most floor(kernel / 2)
 *   on its axis, otherwise a KataInputError such as
 *   "MaxPool2D: padding (width) must be at most floor(kernelSize / 2) = 1, got 2 with kernelSize 3"
 *   (P <= F/2 is the usual frameworks' rule: PyTorch refuses more with "pad should be
 *   at most half of effective kernel size").
 * The options' type, PoolLayerOptions, is lib/layer.ts's (the engine's pools
 * take the same); the result's, Window, is lib/window.ts's.
 */
export function poolWindow(layer: string, { kernelSize, stride = kernelSize, padding = 0 }: PoolLayerOptions): Window {
  const window: Window = {
    kernelSize: toPair(layer, 'kernelSize', kernelSize),
    stride: toPair(layer, 'stride', stride),
    padding: toPair(layer, 'padding', padding),
  };
  const axes = ['height', 'width'];
  for (let axis = 0; axis < 2; axis++) {
    checkPositiveInt(layer, `kernelSize (${axes[axis]})`, window.kernelSize[axis]);
    checkPositiveInt(layer, `stride (${axes[axis]})`, window.stride[axis]);
    checkNonNegativeInt(layer, `padding (${axes[axis]})`, window.padding[axis]);
    const limit = Math.floor(window.kernelSize[axis] / 2);
    if (window.padding[axis] > limit) {
      throw new KataInputError(
        `${layer}: padding (${axes[axis]}) must be at most floor(kernelSize / 2) = ${limit}, got ${window.padding[axis]} with kernelSize ${window.kernelSize[axis]}`,
      );
    }
  }
  return window;
}

export class MaxPool2D implements Layer {
  /** [FH, FW] */
  readonly kernelSize: [number, number];
  /** [S_h, S_w] */
  readonly stride: [number, number];
  /** [P_h, P_w] */
  readonly padding: [number, number];

  /** Shape of the last forward input, [N, C, H, W]. */
  private inputShape: number[] | null = null;
  /** Shape of the last forward output, [N, C, OH, OW]: what backward expects for dout. */
  private outputShape: number[] | null = null;
  /** For each output element (row-major over [N, C, OH, OW]): the flat index in x of its maximum. */
  private argmax: Int32Array | null = null;

  /** @throws KataInputError for bad options (see poolWindow). */
  constructor(options: PoolLayerOptions) {
    ({ kernelSize: this.kernelSize, stride: this.stride, padding: this.padding } = poolWindow('MaxPool2D', options));
  }

  /**
   * a[n, c, i, j] = max of the window of x[n, c] at (i*S_h - P_h, j*S_w - P_w).
   * Remembers where each maximum was; on a tie the first cell of the window
   * in row-major order (top row first, left to right) wins.
   *
   * @param x [N, C, H, W], finite values
   * @returns [N, C, OH, OW]
   */
  forward(x: Tensor): Tensor {
    const where = 'MaxPool2D.forward';
    checkRank(where, x, 4, '[N, C, H, W]');
    checkFinite(where, x);
    const [N, C, H, W] = x.shape;
    const [FH, FW] = this.kernelSize;
    const [SH, SW] = this.stride;
    const [PH, PW] = this.padding;
    checkKernelFits(where, 'height', H, FH, PH);
    checkKernelFits(where, 'width', W, FW, PW);
    const [OH, OW] = convOutputShape(H, W, this.kernelSize, this.stride, this.padding);

    const out = new Tensor([N, C, OH, OW]);
    const argmax = new Int32Array(out.size);
    let o = 0; // walks out and argmax in row-major order
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        for (let i = 0; i < OH; i++) {
          for (let j = 0; j < OW; j++) {
            let best = -Infinity;
            let bestAt = -1;
            for (let s = 0; s < FH; s++) {
              for (let t = 0; t < FW; t++) {
                const p = i * SH - PH + s;
                const q = j * SW - PW + t;
                if (p < 0 || p >= H || q < 0 || q >= W) continue; // padding never wins
                const at = ((n * C + c) * H + p) * W + q;
                if (x.data[at] > best) {
                  best = x.data[at];
                  bestAt = at;
                }
              }
            }
            out.data[o] = best;
            argmax[o] = bestAt;
            o++;
          }
        }
      }
    }
    this.inputShape = [...x.shape];
    this.outputShape = [...out.shape];
    this.argmax = argmax;
    return out;
  }

  /**
   * Routes each gradient to the input that won its window:
   *
   *   dx[argmax[o]] += dout[o]   for every output element o, zero elsewhere.
   *
   * With overlapping windows (stride < kernel) one input can win several
   * windows, so the contributions add up (+=) instead of overwriting.
   *
   * @param dout [N, C, OH, OW], the shape forward returned
   * @returns dx [N, C, H, W]
   */
  backward(dout: Tensor): Tensor {
    if (this.inputShape === null || this.outputShape === null || this.argmax === null) {
      throw new KataInputError('MaxPool2D.backward: call forward first (backward needs the positions of the maxima)');
    }
    checkShape('MaxPool2D.backward', dout, this.outputShape);
    checkFinite('MaxPool2D.backward', dout);
    const dx = new Tensor(this.inputShape);
    const argmax = this.argmax;
    const g = dout.data;
    const d = dx.data;
    const size = g.length;
    for (let o = 0; o < size; o++) {
      d[argmax[o]] += g[o];
    }
    return dx;
  }
}
