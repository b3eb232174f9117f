/**
 * FC: the fully connected (affine) layer.
 *
 *   forward:   A = X W + b                 X [N, in], W [in, out], b [out]  ->  A [N, out]
 *              A[n, j] = b[j] + sum_i X[n, i] W[i, j]
 *
 *   backward:  given dA = dL/dA [N, out]
 *              dW = X^T dA                 [in, out]   dW[i, j] = sum_n X[n, i] dA[n, j]
 *              db = sum over n of dA       [out]       db[j]    = sum_n dA[n, j]
 *              dX = dA W^T                 [N, in]     dX[n, i] = sum_j dA[n, j] W[i, j]
 *
 * No division by N here: the loss is already the batch mean, so dA carries the 1/N.
 */
import { checkAxis, checkFinite, checkPositiveInt, checkRank, checkShape, KataInputError } from '../../lib/checks';
import type { Initializer, ParametricLayer } from '../../lib/layer';
import { gemm, matmul } from '../../lib/matmul';
import { Rng } from '../../lib/random';
import { Tensor } from '../../lib/tensor';
import { HeInitializer } from './initializers';

export interface FCOptions {
  /** Features per input sample (columns of X). */
  inFeatures: number;
  /** Features per output sample (columns of A). */
  outFeatures: number;
  /** Draws W; He by default. b starts at zero. */
  initializer?: Initializer;
  /** Seed of the generator handed to the initializer; 0 by default. */
  seed?: number;
}

export class FC implements ParametricLayer {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** W [in, out] and b [out]. */
  readonly params: { W: Tensor; b: Tensor };
  /** dL/dW and dL/db from the last backward, same shapes as params. */
  readonly grads: { W: Tensor; b: Tensor };
  /** The input of the last forward: backward needs it for dW. */
  private x: Tensor | null = null;

  constructor(options: FCOptions) {
    const { inFeatures, outFeatures, initializer = new HeInitializer(), seed = 0 } = options;
    checkPositiveInt('FC', 'inFeatures', inFeatures);
    checkPositiveInt('FC', 'outFeatures', outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    // One output sums inFeatures inputs, so fanIn = inFeatures.
    const W = initializer.weights([inFeatures, outFeatures], inFeatures, new Rng(seed));
    checkShape('FC: initializer.weights', W, [inFeatures, outFeatures]);
    this.params = { W, b: Tensor.zeros([outFeatures]) };
    this.grads = { W: Tensor.zeros([inFeatures, outFeatures]), b: Tensor.zeros([outFeatures]) };
  }

  /** x [N, in] -> A [N, out] = x W + b. */
  forward(x: Tensor): Tensor {
    checkRank('FC.forward', x, 2, '[N, in_features]');
    checkAxis('FC.forward', x, 1, this.inFeatures, 'in_features');
    checkFinite('FC.forward', x);
    this.x = x;
    const a = matmul(x, this.params.W);
    const out = this.outFeatures;
    const b = this.params.b.data;
    for (let n = 0; n < x.shape[0]; n++) {
      for (let j = 0; j < out; j++) a.data[n * out + j] += b[j];
    }
    return a;
  }

  /** dout [N, out] -> dx [N, in]; fills grads.W and grads.b (overwriting them). */
  backward(dout: Tensor): Tensor {
    const x = this.x;
    if (x === null) throw new KataInputError('FC.backward: call forward before backward (no input stored)');
    const batch = x.shape[0];
    checkShape('FC.backward', dout, [batch, this.outFeatures]);
    checkFinite('FC.backward', dout);

    // dW = X^T dA: [in, N] . [N, out], written straight into grads.W.
    gemm(this.inFeatures, this.outFeatures, batch, x.data, dout.data, this.grads.W.data, { transA: true });

    // db[j] = sum_n dA[n, j]
    const db = this.grads.b.data;
    db.fill(0);
    for (let n = 0; n < batch; n++) {
      for (let j = 0; j < this.outFeatures; j++) db[j] += dout.data[n * this.outFeatures + j];
    }

    // dX = dA W^T: [N, out] . [out, in]
    return matmul(dout, this.params.W, { transB: true });
  }
}
