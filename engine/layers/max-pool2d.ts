/**
 * The engine's MaxPool2D: exercise 03's layer (same maxima, same argmax on
 * ties: the first cell in row-major order), its window loops run by the
 * engine (WebAssembly with `select` instead of a branch, planes shared
 * between threads; engine/kernels/pool.ts).
 *
 *   a[n, c, i, j] = max { x[n, c, i*S_h - P_h + s, j*S_w - P_w + t] : s < FH, t < FW, inside the image }
 *   dx[argmax[o]] += dout[o]
 *
 * out and dx live in the layer's workspace (kernel memory, read and written
 * there by the kernels): the next forward overwrites out and the next
 * backward dx (lib/layer.ts: what a caller may keep).
 */
import { checkNonNegativeInt, checkPositiveInt, checkShape, KataInputError, toPair } from '../../lib/checks';
import type { Layer, PoolLayerOptions } from '../../lib/layer';
import { Tensor } from '../../lib/tensor';
import type { Window } from '../../lib/window';
import type { WindowGeometry } from '../kernels/im2col';
import { checkFiniteFast } from '../kernels/finite';
import { maxPoolBackwardInto, maxPoolInto } from '../kernels/pool';
import { apart, Workspace } from '../kernel-memory';
import { checkImages } from './checks';

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

  /**
   * From the last forward: its sizes, and for each output element (row-major
   * over [N, C, OH, OW]) the flat index in x of its maximum.
   */
  private saved: { geometry: WindowGeometry; argmax: Int32Array } | null = null;
  /** out, argmax and dx, reused from one call to the next. */
  private readonly workspace = new Workspace();

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
  forward(input: Tensor): Tensor {
    const x = apart(input, this.workspace);
    const g = checkImages('MaxPool2D.forward', x, this);
    const size = g.N * g.C * g.OH * g.OW;
    const out = new Tensor([g.N, g.C, g.OH, g.OW], this.workspace.array('out', size));
    // argmax: i32 indices, two to a double of the workspace
    const argmaxStore = this.workspace.array('argmax', Math.ceil(size / 2));
    const argmax = new Int32Array(argmaxStore.buffer, argmaxStore.byteOffset, size);
    maxPoolInto(x.data, g, out.data, argmax);
    this.saved = { geometry: g, argmax };
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
  backward(doutGiven: Tensor): Tensor {
    const dout = apart(doutGiven, this.workspace);
    if (this.saved === null) {
      throw new KataInputError('MaxPool2D.backward: call forward first (backward needs the positions of the maxima)');
    }
    const { geometry: g, argmax } = this.saved;
    checkShape('MaxPool2D.backward', dout, [g.N, g.C, g.OH, g.OW]);
    checkFiniteFast('MaxPool2D.backward', dout);
    const dx = new Tensor([g.N, g.C, g.H, g.W], this.workspace.array('dx', g.N * g.C * g.H * g.W));
    maxPoolBackwardInto(dout.data, argmax, g, dx.data);
    return dx;
  }
}
