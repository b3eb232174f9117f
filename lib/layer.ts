/**
 * What every layer of the kata looks like (the public contract).
 *
 *   forward(x)     computes the output and keeps what backward will need;
 *   backward(dout) takes dL/d(output), returns dL/d(input) with the input's
 *                  shape, and stores dL/d(param) in `grads` without changing
 *                  `params`. Optimizers change `params` from `grads`.
 *
 * Optional: backwardParams(dout) stores the same `grads` as backward but
 * computes no dL/d(input). A network calls it for its first layer, whose
 * input (the images) needs no gradient; a layer without it gets backward.
 */
import type { Rng } from './random';
import type { Tensor } from './tensor';

export interface Layer {
  forward(x: Tensor): Tensor;
  backward(dout: Tensor): Tensor;
  /** The parameter gradients of backward, without dL/d(input) (see the file comment). */
  backwardParams?(dout: Tensor): void;
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
