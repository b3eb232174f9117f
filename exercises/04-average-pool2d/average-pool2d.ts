/**
 * Exercise 04: average pooling.
 *
 * The same windows as max pooling (exercise 03), but each output is the mean
 * of its window instead of the maximum. Channels never mix.
 *
 *   x: [N, C, H, W]  ->  a: [N, C, OH, OW]
 *   OH = floor((H + 2 P_h - FH) / S_h) + 1,  OW likewise (convOutputShape, exercise 02)
 *
 *   a[n, c, i, j] = 1 / (FH * FW) * sum_{s < FH, t < FW} x[n, c, i*S_h - P_h + s, j*S_w - P_w + t]
 *
 * Padded cells count as zeros and the divisor is always FH * FW, even for a
 * window that overlaps the padding (frameworks call this count_include_pad).
 * So every output is the same linear map of x, which keeps backward simple.
 *
 * Edit this file; run `npm test -- 04`. README.md has the details and hints.
 */
import { convOutputShape } from '../02-output-size/output-size';
import { checkFinite, checkRank, checkShape, KataInputError } from '../../lib/checks';
import type { Layer, PoolLayerOptions } from '../../lib/layer';
import { NotImplementedError } from '../../lib/not-implemented';
import { Tensor } from '../../lib/tensor';
import { poolWindow } from '../03-max-pool2d/max-pool2d';

export class AveragePool2D implements Layer {
  /** [FH, FW] */
  readonly kernelSize: [number, number];
  /** [S_h, S_w] */
  readonly stride: [number, number];
  /** [P_h, P_w] */
  readonly padding: [number, number];

  // Add private fields for what backward needs: the input shape and the output shape.

  /**
   * The same options and checks as MaxPool2D: set kernelSize, stride and
   * padding from `poolWindow('AveragePool2D', options)` (exercise 03), so the
   * messages name AveragePool2D.
   */
  constructor(options: PoolLayerOptions) {
    throw new NotImplementedError('04-average-pool2d', 'AveragePool2D constructor');
  }

  /**
   * a[n, c, i, j] = (sum of the window of x[n, c] at (i*S_h - P_h, j*S_w - P_w)) / (FH * FW),
   * padded cells adding 0.
   *
   * Checks: rank 4 ("AveragePool2D.forward", axes "[N, C, H, W]"), finite values;
   * convOutputShape rejects a kernel larger than the padded input.
   *
   * @param x [N, C, H, W], finite values
   * @returns [N, C, OH, OW]
   */
  forward(x: Tensor): Tensor {
    throw new NotImplementedError('04-average-pool2d', 'AveragePool2D.forward');
  }

  /**
   * Each input of a window contributed 1 / (FH * FW) of that window's output, so
   *
   *   dx[n, c, p, q] += dout[n, c, i, j] / (FH * FW)   for every window (i, j) holding (p, q).
   *
   * Overlapping windows add up; padded cells receive nothing (they are not inputs).
   *
   * Checks: forward was called (otherwise a KataInputError
   * "AveragePool2D.backward: call forward first ..."), dout has the output shape (`checkShape`)
   * and finite values (`checkFinite`, as in every backward).
   *
   * @param dout [N, C, OH, OW], the shape forward returned
   * @returns dx [N, C, H, W]
   */
  backward(dout: Tensor): Tensor {
    throw new NotImplementedError('04-average-pool2d', 'AveragePool2D.backward');
  }
}
