/**
 * What every layer of the kata looks like (the public contract).
 *
 *   forward(x)     computes the output and keeps what backward will need;
 *   backward(dout) takes dL/d(output), returns dL/d(input) with the input's
 *                  shape, and stores dL/d(param) in `grads` without changing
 *                  `params`. Optimizers change `params` from `grads`.
 */
import type { Rng } from './random';
import type { Tensor } from './tensor';

export interface Layer {
  forward(x: Tensor): Tensor;
  backward(dout: Tensor): Tensor;
  /** Learnable parameters by name (`W`, `b`); absent for layers without any. */
  readonly params?: Record<string, Tensor>;
  /** Gradients with the same keys and shapes as `params`, filled by backward. */
  readonly grads?: Record<string, Tensor>;
}

/** A layer with parameters: what an optimizer updates. */
export interface ParametricLayer extends Layer {
  readonly params: Record<string, Tensor>;
  readonly grads: Record<string, Tensor>;
}

/** Changes the parameters of a layer from its gradients (SGD, AdaGrad, Momentum, Adam). */
export interface Optimizer {
  /** The learning rate; a schedule (the classifier's lrDecay) may lower it between epochs. */
  lr: number;
  /** Updates `layer.params` in place from `layer.grads`; keeps any per-parameter state itself. */
  update(layer: ParametricLayer): void;
}

/**
 * Draws the initial weights of a layer. `fanIn` is the number of inputs that
 * feed one output (in_features for FC, C_in * FH * FW for a convolution).
 * Biases start at zero.
 */
export interface Initializer {
  weights(shape: readonly number[], fanIn: number, rng: Rng): Tensor;
}
