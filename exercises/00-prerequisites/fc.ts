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
 *
 * Tools: `matmul(a, b, { transA, transB })` and `gemm` from lib/matmul.ts.
 * Bad input (KataInputError from lib/checks.ts):
 *   constructor  checkPositiveInt('FC', 'inFeatures', ...), same for 'outFeatures'
 *   forward      checkRank('FC.forward', x, 2, '[N, in_features]'),
 *                checkAxis('FC.forward', x, 1, inFeatures, 'in_features'), checkFinite('FC.forward', x)
 *   backward     before any forward: "FC.backward: call forward before backward";
 *                checkShape('FC.backward', dout, [N, outFeatures])
 */
import { checkAxis, checkFinite, checkPositiveInt, checkRank, checkShape, KataInputError } from '../../lib/checks';
import type { Initializer, ParametricLayer } from '../../lib/layer';
import { gemm, matmul } from '../../lib/matmul';
import { NotImplementedError } from '../../lib/not-implemented';
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

  /**
   * W = initializer.weights([inFeatures, outFeatures], fanIn = inFeatures, new Rng(seed)),
   * b = zeros [outFeatures]; grads start as zeros of the same shapes.
   */
  constructor(options: FCOptions) {
    throw new NotImplementedError('00-prerequisites', 'FC constructor');
  }

  /** x [N, in] -> A [N, out] = x W + b. Keep x: backward needs it. */
  forward(x: Tensor): Tensor {
    throw new NotImplementedError('00-prerequisites', 'FC.forward');
  }

  /** dout [N, out] -> dx [N, in]; fills grads.W and grads.b (overwriting them), leaves params alone. */
  backward(dout: Tensor): Tensor {
    throw new NotImplementedError('00-prerequisites', 'FC.backward');
  }
}
