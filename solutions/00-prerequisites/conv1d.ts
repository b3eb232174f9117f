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
 */
import { checkAxis, checkFinite, checkKernelFits, checkNonNegativeInt, checkPositiveInt, checkRank, checkShape, KataInputError } from '../../lib/checks';
import type { Initializer, ParametricLayer } from '../../lib/layer';
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
  /** The input of the last forward: backward needs it for dW. */
  private x: Tensor | null = null;

  constructor(options: Conv1dOptions) {
    const { inChannels, outChannels, kernelSize, stride = 1, padding = 0, initializer = new HeInitializer(), seed = 0 } = options;
    checkPositiveInt('Conv1d', 'inChannels', inChannels);
    checkPositiveInt('Conv1d', 'outChannels', outChannels);
    checkPositiveInt('Conv1d', 'kernelSize', kernelSize);
    checkPositiveInt('Conv1d', 'stride', stride);
    checkNonNegativeInt('Conv1d', 'padding', padding);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = padding;
    const shape = [outChannels, inChannels, kernelSize];
    // One output sums C_in * F inputs, so fanIn = C_in * F.
    const W = initializer.weights(shape, inChannels * kernelSize, new Rng(seed));
    checkShape('Conv1d: initializer.weights', W, shape);
    this.params = { W, b: Tensor.zeros([outChannels]) };
    this.grads = { W: Tensor.zeros(shape), b: Tensor.zeros([outChannels]) };
  }

  /** L_out = floor((L + 2P - F) / S) + 1, after checking that the kernel fits in the padded input. */
  private outputLength(where: string, length: number): number {
    checkKernelFits(where, 'size', length, this.kernelSize, this.padding);
    return Math.floor((length + 2 * this.padding - this.kernelSize) / this.stride) + 1;
  }

  /** x [N, C_in, L] -> a [N, C_out, L_out]. */
  forward(x: Tensor): Tensor {
    checkRank('Conv1d.forward', x, 3, '[N, C_in, L]');
    checkAxis('Conv1d.forward', x, 1, this.inChannels, 'in_channels');
    checkFinite('Conv1d.forward', x);
    const [batch, cIn, length] = x.shape;
    const outLength = this.outputLength('Conv1d.forward', length);
    const { kernelSize: F, stride: S, padding: P, outChannels: cOut } = this;
    const w = this.params.W.data;
    const b = this.params.b.data;
    this.x = x;

    const a = new Tensor([batch, cOut, outLength]);
    for (let n = 0; n < batch; n++) {
      for (let m = 0; m < cOut; m++) {
        for (let i = 0; i < outLength; i++) {
          let sum = b[m];
          for (let k = 0; k < cIn; k++) {
            for (let s = 0; s < F; s++) {
              const p = i * S + s - P; // position in x; outside 0..L-1 it is padding (zero)
              if (p < 0 || p >= length) continue;
              sum += x.data[(n * cIn + k) * length + p] * w[(m * cIn + k) * F + s];
            }
          }
          a.data[(n * cOut + m) * outLength + i] = sum;
        }
      }
    }
    return a;
  }

  /** dout [N, C_out, L_out] -> dx [N, C_in, L]; fills grads.W and grads.b (overwriting them). */
  backward(dout: Tensor): Tensor {
    const x = this.x;
    if (x === null) throw new KataInputError('Conv1d.backward: call forward before backward (no input stored)');
    const [batch, cIn, length] = x.shape;
    const outLength = this.outputLength('Conv1d.backward', length);
    const { kernelSize: F, stride: S, padding: P, outChannels: cOut } = this;
    checkShape('Conv1d.backward', dout, [batch, cOut, outLength]);
    checkFinite('Conv1d.backward', dout);
    const w = this.params.W.data;
    const dW = this.grads.W.data;
    const db = this.grads.b.data;
    dW.fill(0);
    db.fill(0);

    const dx = new Tensor(x.shape);
    for (let n = 0; n < batch; n++) {
      for (let m = 0; m < cOut; m++) {
        for (let i = 0; i < outLength; i++) {
          const g = dout.data[(n * cOut + m) * outLength + i];
          db[m] += g;
          for (let k = 0; k < cIn; k++) {
            for (let s = 0; s < F; s++) {
              const p = i * S + s - P;
              if (p < 0 || p >= length) continue;
              const xAt = (n * cIn + k) * length + p;
              const wAt = (m * cIn + k) * F + s;
              dW[wAt] += g * x.data[xAt];
              dx.data[xAt] += g * w[wAt];
            }
          }
        }
      }
    }
    return dx;
  }
}
