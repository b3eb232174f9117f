/**
 * Conv2d: the convolution layer the classifier trains with. Same maths as
 * conv2d-naive.ts, computed as matrix products on the im2col matrix.
 *
 * Shapes, with K = C*FH*FW (the inputs one output sees) and R = N*OH*OW (the
 * output positions):
 *   x    [N, C, H, W]      col = im2col(x)  [R, K]
 *   W    [M, C, FH, FW]    seen as a matrix [M, K]
 *   b    [M]
 *   out  [N, M, OH, OW]    OH = floor((H + 2 P_h - FH) / S_h) + 1, OW likewise
 *
 * Forward:   out2d [R, M] = col W^T, then out[n, m, i, j] = out2d[(n, i, j), m] + b[m]
 * Backward:  with dA [N, M, OH, OW] rearranged as dA2d [R, M]
 *   dW   [M, K] = dA2d^T col    (dW[m, k, s, t] = sum over (n, i, j) of dA * x in the window)
 *   db   [M]    = sum of dA over n, i, j
 *   dcol [R, K] = dA2d W        (what each copied pixel receives)
 *   dx          = col2im(dcol)  (adds up the copies of each pixel)
 */
import type { ConvLayerOptions, ParametricLayer } from '../../lib/layer';
import { NotImplementedError } from '../../lib/not-implemented';
import type { Tensor } from '../../lib/tensor';

export class Conv2d implements ParametricLayer {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  /** W [outChannels, inChannels, FH, FW], b [outChannels]. */
  readonly params: { W: Tensor; b: Tensor };
  /** dL/dW and dL/db from the last backward, same shapes as params. */
  readonly grads: { W: Tensor; b: Tensor };

  /**
   * Checks the options (sizes whole numbers >= 1, padding >= 0; toPair and
   * checkWindow of lib/window.ts), then draws W with the initializer, or He
   * with `new Rng(seed ?? 0)`, and sets b and both grads to zeros. The options
   * are lib/layer.ts's ConvLayerOptions; this layer always computes dx, so it
   * ignores `inputGradient`.
   */
  constructor(options: ConvLayerOptions) {
    throw new NotImplementedError('01-conv2d', 'Conv2d constructor');
  }

  /** x [N, C, H, W] -> [N, M, OH, OW]; keeps what backward needs (the input shape and col). */
  forward(x: Tensor): Tensor {
    throw new NotImplementedError('01-conv2d', 'Conv2d.forward');
  }

  /** dout [N, M, OH, OW] -> dx [N, C, H, W]; fills grads.W and grads.b, leaves params alone. */
  backward(dout: Tensor): Tensor {
    throw new NotImplementedError('01-conv2d', 'Conv2d.backward');
  }
}
