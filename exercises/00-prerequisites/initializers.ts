/**
 * Weight initializers: where the first weights of a layer come from.
 *
 * Each one draws every weight independently from a Gaussian N(0, sigma^2);
 * they differ only in how sigma is chosen. `fanIn` is the number of inputs
 * that feed one output: in_features for FC, C_in * F for Conv1d.
 *
 *   SimpleInitializer(sigma)   sigma fixed (0.01 by default)
 *   XavierInitializer          sigma = 1 / sqrt(fanIn)
 *   HeInitializer              sigma = sqrt(2 / fanIn)
 *
 * Biases start at zero; the layers do that themselves.
 *
 * Tools: `rng.normals(count, 0, sigma)` draws the values (row-major order),
 * `sizeOf(shape)` counts them. Bad input: `checkPositiveNumber(where, 'sigma', sigma)`
 * and `checkPositiveInt(where, 'fanIn', fanIn)` from lib/checks.ts.
 */
import { checkPositiveInt, checkPositiveNumber } from '../../lib/checks';
import type { Initializer } from '../../lib/layer';
import type { Rng } from '../../lib/random';
import { NotImplementedError } from '../../lib/not-implemented';
import { sizeOf, Tensor } from '../../lib/tensor';

/** N(0, sigma^2) with a fixed sigma, whatever the size of the layer. */
export class SimpleInitializer implements Initializer {
  /** @param sigma the standard deviation of every weight, a finite number > 0 (else KataInputError). */
  constructor(sigma = 0.01) {
    throw new NotImplementedError('00-prerequisites', 'SimpleInitializer constructor');
  }

  /** The standard deviation used for a layer with `fanIn` inputs per output: always the fixed sigma. */
  sigma(fanIn: number): number {
    throw new NotImplementedError('00-prerequisites', 'SimpleInitializer.sigma');
  }

  /** Weights of `shape` drawn from N(0, sigma^2) with `rng`. */
  weights(shape: readonly number[], fanIn: number, rng: Rng): Tensor {
    throw new NotImplementedError('00-prerequisites', 'SimpleInitializer.weights');
  }
}

/** Xavier (Glorot): sigma = 1 / sqrt(fanIn). */
export class XavierInitializer implements Initializer {
  /** sigma = 1 / sqrt(fanIn); fanIn must be a whole number >= 1. */
  sigma(fanIn: number): number {
    throw new NotImplementedError('00-prerequisites', 'XavierInitializer.sigma');
  }

  /** Weights of `shape` drawn from N(0, 1 / fanIn) with `rng`. */
  weights(shape: readonly number[], fanIn: number, rng: Rng): Tensor {
    throw new NotImplementedError('00-prerequisites', 'XavierInitializer.weights');
  }
}

/** He (Kaiming): sigma = sqrt(2 / fanIn), the usual choice in front of ReLU. */
export class HeInitializer implements Initializer {
  /** sigma = sqrt(2 / fanIn); fanIn must be a whole number >= 1. */
  sigma(fanIn: number): number {
    throw new NotImplementedError('00-prerequisites', 'HeInitializer.sigma');
  }

  /** Weights of `shape` drawn from N(0, 2 / fanIn) with `rng`. */
  weights(shape: readonly number[], fanIn: number, rng: Rng): Tensor {
    throw new NotImplementedError('00-prerequisites', 'HeInitializer.weights');
  }
}
