/**
 * The engine's MaxPool2D: exercise 03's layer (same maxima, same argmax on
 * ties: the first cell in row-major order), its window loops run by the
 * engine (WebAssembly with `select` instead of a branch, planes shared
 * between threads; engine/kernels/pool.ts).
 *
 *   a[n, c, i, j] = max { x[n, c, i*S_h - P_h + s, j*S_w - P_w + t] : s < FH, t < FW, inside the image }
 *   dx[argmax[o]] += dout[o]
 */
import { checkNonNegativeInt, checkPositiveInt, checkShape, KataInputError, toPair } from '../../lib/checks';
import type { Layer, PoolLayerOptions } from '../../lib/layer';
import { Tensor } from '../../lib/tensor';
import { maxPoolInto } from '../kernels/pool';
import { checkImages, type Window } from './checks';

/** The pool's options as checked pairs, with the messages of exercise 03's poolWindow. */
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
    const g = checkImages('MaxPool2D.forward', x, this);
    const out = new Tensor([g.N, g.C, g.OH, g.OW]);
    // argmax is this layer's own (backward reads the last forward's): reused while the size holds
    const argmax = this.argmax !== null && this.argmax.length === out.size ? this.argmax : new Int32Array(out.size);
    maxPoolInto(x.data, g, out.data, argmax);
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
