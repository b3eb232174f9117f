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
 */
import { checkFinite, checkShape, KataInputError } from '../../lib/checks';
import type { Layer } from '../../lib/layer';
import { formatShape, sizeOf, Tensor } from '../../lib/tensor';

export class Flatten implements Layer {
  /** Shape of the last forward input: backward turns dout back into it. */
  private inputShape: number[] | null = null;

  /**
   * @param x [N, ...] of rank >= 2, finite values
   * @returns [N, prod(rest)], a view of the same data (no copy, like NumPy's reshape)
   */
  forward(x: Tensor): Tensor {
    if (x.rank < 2) {
      throw new KataInputError(`Flatten.forward: expected a tensor of rank >= 2 [N, ...], got rank ${x.rank} with shape ${formatShape(x.shape)}`);
    }
    checkFinite('Flatten.forward', x);
    this.inputShape = [...x.shape];
    // The explicit size (rather than -1) also works for an empty batch, N = 0.
    return x.reshape([x.shape[0], sizeOf(x.shape.slice(1))]);
  }

  /**
   * The gradient of a reshape is the reverse reshape: each value of dout
   * belongs to the input cell that produced it.
   *
   * @param dout [N, prod(rest)], the shape forward returned
   * @returns dx with the input's shape [N, ...]
   */
  backward(dout: Tensor): Tensor {
    if (this.inputShape === null) {
      throw new KataInputError('Flatten.backward: call forward first (backward needs the input shape)');
    }
    checkShape('Flatten.backward', dout, [this.inputShape[0], sizeOf(this.inputShape.slice(1))]);
    checkFinite('Flatten.backward', dout);
    return dout.reshape(this.inputShape);
  }
}
