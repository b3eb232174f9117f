/**
 * GetMiniBatch: one epoch of shuffled mini-batches.
 *
 * The samples are put in the order `new Rng(seed).permutation(N)` (a shuffle
 * along axis 0), then cut into consecutive batches of `batchSize`:
 *
 *   batch i holds the samples order[i * B], ..., order[min((i + 1) * B, N) - 1]
 *   number of batches = ceil(N / B)      (the last one is smaller when B does not divide N)
 *
 * so each sample appears exactly once per epoch, and x and y rows stay paired.
 * Use a new seed (for example the epoch number) for a new order.
 */
import { checkPositiveInt, KataInputError } from '../../lib/checks';
import { Rng } from '../../lib/random';
import { formatShape, Tensor } from '../../lib/tensor';

/** One mini-batch: x [B, ...] (the sample shape of the data) and its B labels. */
export interface MiniBatch {
  x: Tensor;
  y: Int32Array;
}

export interface GetMiniBatchOptions {
  /** Samples per batch, a whole number >= 1; 20 by default. */
  batchSize?: number;
  /** Seed of the shuffle; 0 by default. */
  seed?: number;
}

export class GetMiniBatch implements Iterable<MiniBatch> {
  readonly batchSize: number;
  private readonly x: Tensor;
  private readonly y: Int32Array;
  /** The shuffled order of the sample indices 0..N-1. */
  private readonly order: Int32Array;

  /**
   * @param x samples along axis 0: [N, ...] (e.g. [N, features] or [N, C, H, W])
   * @param y N labels, whole numbers (class indices)
   */
  constructor(x: Tensor, y: ArrayLike<number>, { batchSize = 20, seed = 0 }: GetMiniBatchOptions = {}) {
    if (x.rank < 1) throw new KataInputError('GetMiniBatch: expected x with the samples along axis 0 [N, ...], got a rank-0 tensor');
    const n = x.shape[0];
    if (n < 1) throw new KataInputError(`GetMiniBatch: expected at least one sample, got x with shape ${formatShape(x.shape)}`);
    if (y.length !== n) {
      throw new KataInputError(
        `GetMiniBatch: x and y must hold the same number of samples: x has N = ${n} (axis 0 of ${formatShape(x.shape)}), y has ${y.length}`,
      );
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isInteger(y[i])) {
        throw new KataInputError(`GetMiniBatch: expected y to hold whole numbers (class labels), got ${y[i]} at index ${i}`);
      }
    }
    checkPositiveInt('GetMiniBatch', 'batchSize', batchSize);
    this.x = x;
    this.y = Int32Array.from(y);
    this.batchSize = batchSize;
    this.order = new Rng(seed).permutation(n);
  }

  /** Number of batches: ceil(N / batchSize). */
  get length(): number {
    return Math.ceil(this.order.length / this.batchSize);
  }

  /** Batch i (0 <= i < length): copies of its x rows and y labels, in the shuffled order. */
  batch(i: number): MiniBatch {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) {
      throw new KataInputError(`GetMiniBatch.batch: expected a batch index in 0..${this.length - 1}, got ${i}`);
    }
    const start = i * this.batchSize;
    const end = Math.min(start + this.batchSize, this.order.length);
    const rowSize = this.x.size / this.x.shape[0]; // values per sample
    const x = new Tensor([end - start, ...this.x.shape.slice(1)]);
    const y = new Int32Array(end - start);
    for (let r = 0; r < end - start; r++) {
      const sample = this.order[start + r];
      x.data.set(this.x.data.subarray(sample * rowSize, (sample + 1) * rowSize), r * rowSize);
      y[r] = this.y[sample];
    }
    return { x, y };
  }

  /** The batches 0..length-1 in order; each `for...of` walks the same epoch again. */
  *[Symbol.iterator](): Iterator<MiniBatch> {
    for (let i = 0; i < this.length; i++) yield this.batch(i);
  }
}
