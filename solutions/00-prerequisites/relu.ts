/**
 * ReLU, the rectified linear unit, element by element on a tensor of any shape:
 *
 *   forward:   y = max(x, 0)
 *   backward:  dx = dout where x > 0, and 0 where x <= 0
 *
 * (At x = 0 the function has no derivative; like most frameworks we take 0.)
 */
import { checkFinite, checkShape, KataInputError } from '../../lib/checks';
import type { Layer } from '../../lib/layer';
import { Tensor } from '../../lib/tensor';

export class ReLU implements Layer {
  /** 1 where the last forward's input was > 0, else 0; and that input's shape. */
  private mask: Uint8Array | null = null;
  private shape: number[] = [];

  /** x (any shape) -> max(x, 0), same shape. */
  forward(x: Tensor): Tensor {
    checkFinite('ReLU.forward', x);
    this.shape = [...x.shape];
    this.mask = new Uint8Array(x.size);
    const y = new Tensor(x.shape);
    for (let i = 0; i < x.size; i++) {
      if (x.data[i] > 0) {
        this.mask[i] = 1;
        y.data[i] = x.data[i];
      }
    }
    return y;
  }

  /** dout (the shape of x) -> dx: dout where x > 0, zero elsewhere. */
  backward(dout: Tensor): Tensor {
    const mask = this.mask;
    if (mask === null) throw new KataInputError('ReLU.backward: call forward before backward (no input stored)');
    checkShape('ReLU.backward', dout, this.shape);
    return dout.map((g, i) => (mask[i] === 1 ? g : 0));
  }
}
