/**
 * Exercise 05: flatten.
 *
 * Turns each sample into one row of features, so a fully connected layer can
 * follow a convolution:
 *
 *   x: [N, d1, d2, ..., dk]  ->  y: [N, d1 * d2 * ... * dk]   (k >= 1; images: [N, C, H, W] -> [N, C*H*W])
 *
 * In row-major order the values are already laid out sample after sample, so
 * nothing moves: y[n, f] is the f-th value of sample n, with
 * f = (c * H + h) * W + w for an image. Only the shape changes.
 *
 * Edit this file; run `npm test -- 05`. README.md has the details and hints.
 */
import { checkFinite, checkShape, KataInputError } from '../../lib/checks';
import type { Layer } from '../../lib/layer';
import { NotImplementedError } from '../../lib/not-implemented';
import { formatShape, sizeOf, Tensor } from '../../lib/tensor';

export class Flatten implements Layer {
  // Add a private field for what backward needs: the shape of the last forward input.

  /**
   * Checks: rank >= 2, otherwise a KataInputError
   * "Flatten.forward: expected a tensor of rank >= 2 [N, ...], got rank 1 with shape [6]";
   * finite values (`checkFinite`).
   *
   * @param x [N, ...] of rank >= 2, finite values
   * @returns [N, prod(rest)], a view of the same data (no copy, like NumPy's reshape)
   */
  forward(x: Tensor): Tensor {
    throw new NotImplementedError('05-flatten', 'Flatten.forward');
  }

  /**
   * The gradient of a reshape is the reverse reshape: each value of dout
   * belongs to the input cell that produced it.
   *
   * Checks: forward was called (otherwise a KataInputError
   * "Flatten.backward: call forward first ..."), dout has the shape forward
   * returned (`checkShape`: a dout with the right number of elements but
   * another shape is a mistake too).
   *
   * @param dout [N, prod(rest)], the shape forward returned
   * @returns dx with the input's shape [N, ...]
   */
  backward(dout: Tensor): Tensor {
    throw new NotImplementedError('05-flatten', 'Flatten.backward');
  }
}
