/**
 * Weight initializers: where the first weights of a layer come from.
 *
 * Each one draws every weight independently from a Gaussian N(0, sigma^2);
 * they differ only in how sigma is chosen. `fanIn` is the number of inputs
 * that feed one output: in_features for FC, C_in * F for Conv1d.
 *
 *   SimpleInitializer(sigma)   sigma fixed (0.01 by default)
 *   XavierInitializer          sigma = 1 / sqrt(fanIn)    (keeps the variance of sigmoid/tanh activations steady)
 *   HeInitializer              sigma = sqrt(2 / fanIn)    (twice the variance: ReLU zeroes half of its inputs)
 *
 * Biases start at zero; the layers do that themselves.
 */
import { checkPositiveInt, checkPositiveNumber } from '../../lib/checks';
import type { Initializer } from '../../lib/layer';
import type { Rng } from '../../lib/random';
import { sizeOf, Tensor } from '../../lib/tensor';

/** A tensor of `shape` whose values are independent draws from N(0, sigma^2), in row-major order. */
function gaussian(shape: readonly number[], sigma: number, rng: Rng): Tensor {
  return new Tensor(shape, rng.normals(sizeOf(shape), 0, sigma));
}

/** N(0, sigma^2) with a fixed sigma, whatever the size of the layer. */
export class SimpleInitializer implements Initializer {
  private readonly fixedSigma: number;

  /** @param sigma the standard deviation of every weight, a finite number > 0. */
  constructor(sigma = 0.01) {
    checkPositiveNumber('SimpleInitializer', 'sigma', sigma);
    this.fixedSigma = sigma;
  }

  /** The standard deviation used for a layer with `fanIn` inputs per output: always the fixed sigma. */
  sigma(fanIn: number): number {
    checkPositiveInt('SimpleInitializer.sigma', 'fanIn', fanIn);
    return this.fixedSigma;
  }

  /** Weights of `shape` drawn from N(0, sigma^2) with `rng`. */
  weights(shape: readonly number[], fanIn: number, rng: Rng): Tensor {
    return gaussian(shape, this.sigma(fanIn), rng);
  }
}

/** Xavier (Glorot): sigma = 1 / sqrt(fanIn). */
export class XavierInitializer implements Initializer {
  /** sigma = 1 / sqrt(fanIn). */
  sigma(fanIn: number): number {
    checkPositiveInt('XavierInitializer.sigma', 'fanIn', fanIn);
    return 1 / Math.sqrt(fanIn);
  }

  /** Weights of `shape` drawn from N(0, 1 / fanIn) with `rng`. */
  weights(shape: readonly number[], fanIn: number, rng: Rng): Tensor {
    return gaussian(shape, this.sigma(fanIn), rng);
  }
}

/** He (Kaiming): sigma = sqrt(2 / fanIn), the usual choice in front of ReLU. */
export class HeInitializer implements Initializer {
  /** sigma = sqrt(2 / fanIn). */
  sigma(fanIn: number): number {
    checkPositiveInt('HeInitializer.sigma', 'fanIn', fanIn);
    return Math.sqrt(2 / fanIn);
  }

  /** Weights of `shape` drawn from N(0, 2 / fanIn) with `rng`. */
  weights(shape: readonly number[], fanIn: number, rng: Rng): Tensor {
    return gaussian(shape, this.sigma(fanIn), rng);
  }
}
