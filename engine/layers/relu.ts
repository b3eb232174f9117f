/**
 * The engine's ReLU: exercise 00's layer with branch-free element loops
 * (engine/kernels/relu.ts).
 *
 * ReLU, the rectified linear unit, element by element on a tensor of any shape:
 *
 *   forward:   y = max(x, 0)
 *   backward:  dx = dout where x > 0, and 0 where x <= 0
 *
 * (At x = 0 the function has no derivative; like most frameworks we take 0.)
 *
 * Backward needs to know where x > 0. That is exactly where y > 0, so the
 * layer keeps its output y (no copy) instead of building a separate mask.
 *
 * y and dx live in the layer's workspace (kernel memory, where the loops run
 * as WebAssembly when x and dout are there too): the next forward overwrites
 * y and the next backward dx (lib/layer.ts: what a caller may keep).
 */
import { checkFinite, checkShape, KataInputError } from '../../lib/checks';
import type { Layer } from '../../lib/layer';
import { checkFiniteFast } from '../kernels/finite';
import { reluBackwardInto, reluForwardInto } from '../kernels/relu';
import { Tensor } from '../../lib/tensor';
import { apart, Workspace } from '../kernel-memory';

export class ReLU implements Layer {
  /** The output of the last forward: y > 0 exactly where its input was > 0. */
  private y: Tensor | null = null;
  /** y and dx, reused from one call to the next. */
  private readonly workspace = new Workspace();

  /**
   * x (any shape, finite values) -> max(x, 0), same shape.
   */
  forward(input: Tensor): Tensor {
    const x = apart(input, this.workspace);
    const y = new Tensor(x.shape, this.workspace.array('y', x.size));
    // reluForwardInto returns where the first NaN or infinity is; checkFinite throws the standard message for it.
    if (reluForwardInto(x.data, y.data) >= 0) checkFinite('ReLU.forward', x);
    this.y = y;
    return y;
  }

  /** dout (the shape of x) -> dx: dout where x > 0 (that is, where y > 0), zero elsewhere. */
  backward(doutGiven: Tensor): Tensor {
    const dout = apart(doutGiven, this.workspace);
    const y = this.y;
    if (y === null) throw new KataInputError('ReLU.backward: call forward before backward (no input stored)');
    checkShape('ReLU.backward', dout, y.shape);
    checkFiniteFast('ReLU.backward', dout);
    const dx = new Tensor(y.shape, this.workspace.array('dx', y.size));
    reluBackwardInto(y.data, dout.data, dx.data);
    return dx;
  }
}
