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
 *
 * Edit this file; run `npm test -- 03`. README.md has the details and hints.
 */
import { convOutputShape } from '../02-output-size/output-size';
import { checkFinite, checkNonNegativeInt, checkPositiveInt, checkRank, checkShape, KataInputError, toPair } from '../../lib/checks';
import type { Layer, PoolLayerOptions } from '../../lib/layer';
import { NotImplementedError } from '../../lib/not-implemented';
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
export function poolWindow(layer: string, options: PoolLayerOptions): Window {
  throw new NotImplementedError('03-max-pool2d', 'poolWindow');
}

export class MaxPool2D implements Layer {
  /** [FH, FW] */
  readonly kernelSize: [number, number];
  /** [S_h, S_w] */
  readonly stride: [number, number];
  /** [P_h, P_w] */
  readonly padding: [number, number];

  // Add private fields for what backward needs: the input shape, the output
  // shape, and for each output element the flat index in x of its maximum
  // (an Int32Array of the output's size).

  /** Sets kernelSize, stride and padding from `poolWindow('MaxPool2D', options)`. */
  constructor(options: PoolLayerOptions) {
    throw new NotImplementedError('03-max-pool2d', 'MaxPool2D constructor');
  }

  /**
   * a[n, c, i, j] = max of the window of x[n, c] at (i*S_h - P_h, j*S_w - P_w).
   * Remember where each maximum was (its flat index in x.data): backward needs it.
   * On a tie the first cell of the window in row-major order (top row first,
   * left to right) wins.
   *
   * Checks, all with where = "MaxPool2D.forward" (lib/checks.ts): rank 4 (axes
   * "[N, C, H, W]"), finite values, and a kernel no larger than the padded input
   * (`checkKernelFits` on 'height' and 'width', before convOutputShape, so that the
   * message starts with "MaxPool2D.forward:").
   *
   * @param x [N, C, H, W], finite values
   * @returns [N, C, OH, OW]
   */
  forward(x: Tensor): Tensor {
    throw new NotImplementedError('03-max-pool2d', 'MaxPool2D.forward');
  }

  /**
   * Routes each gradient to the input that won its window:
   *
   *   dx[argmax[o]] += dout[o]   for every output element o, zero elsewhere.
   *
   * With overlapping windows (stride < kernel) one input can win several
   * windows, so the contributions add up (+=) instead of overwriting.
   *
   * Checks: forward was called (otherwise a KataInputError
   * "MaxPool2D.backward: call forward first ..."), dout has the output shape (`checkShape`)
   * and finite values (`checkFinite`, as in every backward).
   *
   * @param dout [N, C, OH, OW], the shape forward returned
   * @returns dx [N, C, H, W]
   */
  backward(dout: Tensor): Tensor {
    throw new NotImplementedError('03-max-pool2d', 'MaxPool2D.backward');
  }
}
