/**
 * ReLU, the rectified linear unit, element by element on a tensor of any shape:
 *
 *   forward:   y = max(x, 0)
 *   backward:  dx = dout where x > 0, and 0 where x <= 0
 *
 * (At x = 0 the function has no derivative; take 0 there.)
 *
 * Bad input (KataInputError from lib/checks.ts): checkFinite('ReLU.forward', x);
 * backward before any forward: "ReLU.backward: call forward before backward";
 * checkShape('ReLU.backward', dout, shape of x).
 */
import { checkFinite, checkShape, KataInputError } from '../../lib/checks';
import type { Layer } from '../../lib/layer';
import { NotImplementedError } from '../../lib/not-implemented';
import { Tensor } from '../../lib/tensor';

export class ReLU implements Layer {
  /** x (any shape) -> max(x, 0), same shape. Remember where x > 0 for backward. */
  forward(x: Tensor): Tensor {
    throw new NotImplementedError('00-prerequisites', 'ReLU.forward');
  }

  /** dout (the shape of x) -> dx: dout where x > 0, zero elsewhere. */
  backward(dout: Tensor): Tensor {
    throw new NotImplementedError('00-prerequisites', 'ReLU.backward');
  }
}
