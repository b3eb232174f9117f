/**
 * ReLU, the rectified linear unit, element by element on a tensor of any shape:
 *
 *   forward:   y = max(x, 0)
 *   backward:  dx = dout where x > 0, and 0 where x <= 0
 *
 * (At x = 0 the function has no derivative; like most frameworks we take 0.)
 *
 * Backward needs to know where x > 0. That is exactly where y > 0, so the
 * layer keeps its output y (no copy) instead of building a separate mask.
 */
import { checkFinite, checkShape, KataInputError } from '../../lib/checks';
import type { Layer } from '../../lib/layer';
import { Tensor } from '../../lib/tensor';

/** A module-level alias: under jest's sandbox, looking up the global `Number` in a hot loop is ~100x slower. */
const isFiniteNumber = Number.isFinite;

export class ReLU implements Layer {
  /** The output of the last forward: y > 0 exactly where its input was > 0. */
  private y: Tensor | null = null;

  /** x (any shape, finite values) -> max(x, 0), same shape. */
  forward(x: Tensor): Tensor {
    const y = new Tensor(x.shape); // zeros: only the positive values need writing
    // Locals: reading x.data or x.size inside the loop would cost a property load per element.
    const xs = x.data;
    const ys = y.data;
    const size = xs.length;
    for (let i = 0; i < size; i++) {
      const v = xs[i];
      // The finiteness check rides along in this loop rather than taking its own pass over x;
      // checkFinite throws the standard message for the first bad value.
      if (!isFiniteNumber(v)) checkFinite('ReLU.forward', x);
      if (v > 0) ys[i] = v;
    }
    this.y = y;
    return y;
  }

  /** dout (the shape of x) -> dx: dout where x > 0 (that is, where y > 0), zero elsewhere. */
  backward(dout: Tensor): Tensor {
    const y = this.y;
    if (y === null) throw new KataInputError('ReLU.backward: call forward before backward (no input stored)');
    checkShape('ReLU.backward', dout, y.shape);
    const dx = new Tensor(y.shape);
    const ys = y.data;
    const g = dout.data;
    const d = dx.data;
    const size = ys.length;
    for (let i = 0; i < size; i++) {
      if (ys[i] > 0) d[i] = g[i];
    }
    return dx;
  }
}
