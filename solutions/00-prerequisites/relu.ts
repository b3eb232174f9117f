/**
 * ReLU, the rectified linear unit, element by element on a tensor of any shape:
 *
 *   forward:   y = max(x, 0)
 *   backward:  dx = dout where x > 0, and 0 where x <= 0
 *
 * (At x = 0 the function has no derivative; like most frameworks we take 0.)
 * Backward needs to know where x > 0, which is exactly where y > 0, so the
 * layer keeps its output y.
 */
import { checkFinite, checkShape, KataInputError } from '../../lib/checks';
import type { Layer } from '../../lib/layer';
import { Tensor } from '../../lib/tensor';

export class ReLU implements Layer {
  /** The output of the last forward. */
  private y: Tensor | null = null;

  /** x (any shape, finite values) -> max(x, 0), same shape. */
  forward(x: Tensor): Tensor {
    checkFinite('ReLU.forward', x);
    const y = new Tensor(x.shape);
    for (let i = 0; i < x.size; i++) y.data[i] = x.data[i] > 0 ? x.data[i] : 0;
    this.y = y;
    return y;
  }

  /** dout (the shape of x) -> dx: dout where x > 0, zero elsewhere. */
  backward(dout: Tensor): Tensor {
    const y = this.y;
    if (y === null) throw new KataInputError('ReLU.backward: call forward before backward (no input stored)');
    checkShape('ReLU.backward', dout, y.shape);
    checkFinite('ReLU.backward', dout);
    const dx = new Tensor(y.shape);
    for (let i = 0; i < y.size; i++) dx.data[i] = y.data[i] > 0 ? dout.data[i] : 0;
    return dx;
  }
}
