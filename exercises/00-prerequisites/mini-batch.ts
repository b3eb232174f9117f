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
 *
 * Bad input (KataInputError):
 *   "GetMiniBatch: x and y must hold the same number of samples: x has N = 10 (axis 0 of [10, 2]), y has 9"
 *   "GetMiniBatch: expected y to hold whole numbers (class labels), got 9.5 at index 9"
 *   checkPositiveInt('GetMiniBatch', 'batchSize', batchSize)
 *   "GetMiniBatch.batch: expected a batch index in 0..2, got 3"
 */
import { checkPositiveInt, KataInputError } from '../../lib/checks';
import { NotImplementedError } from '../../lib/not-implemented';
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

  /**
   * @param x samples along axis 0: [N, ...] (e.g. [N, features] or [N, C, H, W])
   * @param y N labels, whole numbers (class indices)
   */
  constructor(x: Tensor, y: ArrayLike<number>, { batchSize = 20, seed = 0 }: GetMiniBatchOptions = {}) {
    throw new NotImplementedError('00-prerequisites', 'GetMiniBatch constructor');
  }

  /** Number of batches: ceil(N / batchSize). */
  get length(): number {
    throw new NotImplementedError('00-prerequisites', 'GetMiniBatch.length');
  }

  /** Batch i (0 <= i < length): copies of its x rows and y labels, in the shuffled order. */
  batch(i: number): MiniBatch {
    throw new NotImplementedError('00-prerequisites', 'GetMiniBatch.batch');
  }

  /** The batches 0..length-1 in order; each `for...of` walks the same epoch again (a generator method `*[Symbol.iterator]()` is handy). */
  [Symbol.iterator](): Iterator<MiniBatch> {
    throw new NotImplementedError('00-prerequisites', 'GetMiniBatch[Symbol.iterator]');
  }
}
