/**
 * Conv1d: a one-dimensional convolution over sequences with channels.
 *
 *   x [N, C_in, L]   W [C_out, C_in, F]   b [C_out]   ->   a [N, C_out, L_out]
 *
 *   L_out = floor((L + 2P - F) / S) + 1        (S stride, P zero padding on both ends)
 *
 *   a[n, m, i] = b[m] + sum_k sum_s x[n, k, i*S + s - P] w[m, k, s]
 *
 * where k runs over the input channels, s over the F filter taps, and x is 0
 * outside 0..L-1 (that is the padding). When S does not divide L + 2P - F, the
 * last positions that a whole window cannot reach are not used (the floor).
 *
 * Backward, given da = dL/da [N, C_out, L_out]: every term x * w of the sum
 * sends da[n, m, i] back to both of its factors,
 *
 *   dW[m, k, s]           += da[n, m, i] * x[n, k, i*S + s - P]
 *   dx[n, k, i*S + s - P] += da[n, m, i] * w[m, k, s]
 *   db[m]                  = sum over n and i of da[n, m, i]
 *
 * (terms that fall in the padding have no x, so nothing is sent there).
 *
 * Bad input (KataInputError from lib/checks.ts):
 *   constructor  checkPositiveInt('Conv1d', 'inChannels' | 'outChannels' | 'kernelSize' | 'stride', ...),
 *                checkNonNegativeInt('Conv1d', 'padding', ...)
 *   forward      checkRank('Conv1d.forward', x, 3, '[N, C_in, L]'),
 *                checkAxis('Conv1d.forward', x, 1, inChannels, 'in_channels'), checkFinite,
 *                checkKernelFits('Conv1d.forward', 'size', L, kernelSize, padding)
 *   backward     before any forward: "Conv1d.backward: call forward before backward";
 *                checkShape('Conv1d.backward', dout, [N, C_out, L_out])
 */
import { checkAxis, checkFinite, checkKernelFits, checkNonNegativeInt, checkPositiveInt, checkRank, checkShape, KataInputError } from '../../lib/checks';
import type { Initializer, ParametricLayer } from '../../lib/layer';
import { NotImplementedError } from '../../lib/not-implemented';
import { Rng } from '../../lib/random';
import { Tensor } from '../../lib/tensor';
import { HeInitializer } from './initializers';

export interface Conv1dOptions {
  inChannels: number;
  outChannels: number;
  /** F, the number of filter taps. */
  kernelSize: number;
  /** S, 1 by default. */
  stride?: number;
  /** P zeros added at each end of the sequence, 0 by default. */
  padding?: number;
  /** Draws W with fanIn = inChannels * kernelSize; He by default. b starts at zero. */
  initializer?: Initializer;
  /** Seed of the generator handed to the initializer; 0 by default. */
  seed?: number;
}

export class Conv1d implements ParametricLayer {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;
  /** W [C_out, C_in, F] and b [C_out]. */
  readonly params: { W: Tensor; b: Tensor };
  /** dL/dW and dL/db from the last backward, same shapes as params. */
  readonly grads: { W: Tensor; b: Tensor };

  /**
   * W = initializer.weights([C_out, C_in, F], fanIn = C_in * F, new Rng(seed)),
   * b = zeros [C_out]; grads start as zeros of the same shapes.
   */
  constructor(options: Conv1dOptions) {
    throw new NotImplementedError('00-prerequisites', 'Conv1d constructor');
  }

  /** x [N, C_in, L] -> a [N, C_out, L_out]. Keep x: backward needs it. */
  forward(x: Tensor): Tensor {
    throw new NotImplementedError('00-prerequisites', 'Conv1d.forward');
  }

  /** dout [N, C_out, L_out] -> dx [N, C_in, L]; fills grads.W and grads.b (overwriting them), leaves params alone. */
  backward(dout: Tensor): Tensor {
    throw new NotImplementedError('00-prerequisites', 'Conv1d.backward');
  }
}
