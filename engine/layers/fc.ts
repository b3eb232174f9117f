/**
 * The engine's FC: exercise 00's fully connected layer (the same products
 * through lib's gemm, the bias added after them, so the same bits):
 *
 *   forward:   A = X W + b         X [N, in], W [in, out], b [out]  ->  A [N, out]
 *   backward:  dW = X^T dA,  db = sum over n of dA,  dX = dA W^T
 *
 * What makes it faster than the readable layer: W, b, their gradients, the
 * output and dX live in kernel memory, where gemm reads and writes them without copying
 * them in and out (W alone is 384 KB for LeNet-5's first FC layer), and the
 * input checks scan kernel memory in WebAssembly. The next forward
 * overwrites the output and the next backward dX (lib/layer.ts: what a
 * caller may keep); params and grads are the layer's own, updated in place.
 */
import { checkAxis, checkPositiveInt, checkRank, checkShape, KataInputError } from '../../lib/checks';
import type { FCLayerOptions, ParametricLayer } from '../../lib/layer';
import { gemm } from '../../lib/matmul';
import { Rng } from '../../lib/random';
import { Tensor } from '../../lib/tensor';
import { checkFiniteFast } from '../kernels/finite';
import { apart, Workspace } from '../kernel-memory';

export class FC implements ParametricLayer {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** W [in, out] and b [out]. */
  readonly params: { W: Tensor; b: Tensor };
  /** dL/dW and dL/db from the last backward, same shapes as params. */
  readonly grads: { W: Tensor; b: Tensor };
  /** The input of the last forward: backward needs it for dW. */
  private x: Tensor | null = null;
  /** params, grads, the output and dX (params and grads for the layer's lifetime). */
  private readonly workspace = new Workspace();

  /** Checks the sizes, then draws W with the initializer, or He with `new Rng(seed ?? 0)`; b and both grads start at zero. */
  constructor(options: FCLayerOptions) {
    const { inFeatures, outFeatures, initializer, seed = 0 } = options;
    checkPositiveInt('FC', 'inFeatures', inFeatures);
    checkPositiveInt('FC', 'outFeatures', outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const shape = [inFeatures, outFeatures];
    // One output sums inFeatures inputs, so fanIn = inFeatures.
    const rng = new Rng(seed);
    const drawn = initializer
      ? initializer.weights(shape, inFeatures, rng)
      : new Tensor(shape, rng.normals(inFeatures * outFeatures, 0, Math.sqrt(2 / inFeatures)));
    checkShape('FC: initializer.weights', drawn, shape);
    const ws = this.workspace;
    this.params = { W: ws.tensor('params.W', shape, drawn.data), b: ws.tensor('params.b', [outFeatures]) };
    this.grads = { W: ws.tensor('grads.W', shape), b: ws.tensor('grads.b', [outFeatures]) };
  }

  /** x [N, in] -> A [N, out] = x W + b. */
  forward(input: Tensor): Tensor {
    const x = apart(input, this.workspace);
    checkRank('FC.forward', x, 2, '[N, in_features]');
    checkAxis('FC.forward', x, 1, this.inFeatures, 'in_features');
    checkFiniteFast('FC.forward', x);
    this.x = x;
    const N = x.shape[0];
    const out = this.outFeatures;
    const a = new Tensor([N, out], this.workspace.array('out', N * out));
    gemm(N, out, this.inFeatures, x.data, this.params.W.data, a.data);
    const b = this.params.b.data;
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < out; j++) a.data[n * out + j] += b[j];
    }
    return a;
  }

  /** dout [N, out] -> dx [N, in]; fills grads.W and grads.b (overwriting them). */
  backward(doutGiven: Tensor): Tensor {
    const dout = apart(doutGiven, this.workspace);
    const x = this.x;
    if (x === null) throw new KataInputError('FC.backward: call forward before backward (no input stored)');
    const N = x.shape[0];
    checkShape('FC.backward', dout, [N, this.outFeatures]);
    checkFiniteFast('FC.backward', dout);
    gemm(this.inFeatures, this.outFeatures, N, x.data, dout.data, this.grads.W.data, { transA: true });
    const db = this.grads.b.data;
    db.fill(0);
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < this.outFeatures; j++) db[j] += dout.data[n * this.outFeatures + j];
    }
    const dx = new Tensor([N, this.inFeatures], this.workspace.array('dx', N * this.inFeatures));
    gemm(N, this.inFeatures, this.outFeatures, dout.data, this.params.W.data, dx.data, { transB: true });
    return dx;
  }
}
