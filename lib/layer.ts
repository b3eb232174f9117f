/**
 * What every layer of the kata looks like (the public contract).
 *
 *   forward(x)     computes the output and keeps what backward will need;
 *   backward(dout) takes dL/d(output), returns dL/d(input) with the input's
 *                  shape, and stores dL/d(param) in `grads` without changing
 *                  `params`. Optimizers change `params` from `grads`.
 *
 * Checks: forward refuses NaN and infinite inputs (data comes from outside);
 * backward checks the shape of dout and refuses NaN and infinite values in
 * it the same way, in every layer of both tiers (the readable layers and the
 * engine's): a KataInputError "<Layer>.backward: expected finite values, got
 * <value> at index [...] of shape [...]" (lib/checks.ts's checkFinite), before
 * any gradient is changed.
 * An empty batch (N = 0) is fine for every layer: empty outputs, zero grads.
 *
 * What a caller may keep: forward's output until the same layer's next
 * forward, backward's dx until its next backward. A layer may reuse that
 * memory for its next result (the engine's layers do: their outputs stay in
 * the kernels' memory, where the next layer reads them without a copy), so a
 * caller that needs a result for longer copies it. The readable layers
 * return new tensors every call, which is also fine.
 *
 * A layer kit (LayerKit) names the classes a network is built from, so the
 * same classifier can run the learner's layers, the reference's or the
 * engine's fast ones.
 */
import type { Pair } from './checks';
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

/** Options of a convolution layer (exercise 01's Conv2d, the engine's Conv2d). */
export interface ConvLayerOptions {
  inChannels: number;
  outChannels: number;
  /** FH and FW: a number for both, or [FH, FW]. */
  kernelSize: Pair;
  /** Default 1. */
  stride?: Pair;
  /** Zeros added on each side; default 0. */
  padding?: Pair;
  /** Draws W; default He: W ~ N(0, 2 / (C*FH*FW)). b always starts at zero. */
  initializer?: Initializer;
  /** Seed of the generator handed to the initializer; default 0. */
  seed?: number;
  /**
   * false when nothing reads backward's dx (the first layer of a network,
   * whose input is the images): a layer may then skip computing it and
   * return zeros. A layer may also ignore this and always compute dx.
   */
  inputGradient?: boolean;
}

/**
 * Options of a pooling layer (exercises 03 and 04, the engine's MaxPool2D and
 * AveragePool2D). A number means the same value for height and width.
 */
export interface PoolLayerOptions {
  /** Window size [FH, FW]. */
  kernelSize: Pair;
  /** Step between windows [S_h, S_w]; defaults to kernelSize (windows side by side, no overlap). */
  stride?: Pair;
  /** Cells added on each border [P_h, P_w]; defaults to 0; at most floor(kernel / 2) per axis. */
  padding?: Pair;
}

/** Options of a fully connected layer (exercise 00's FC). */
export interface FCLayerOptions {
  inFeatures: number;
  outFeatures: number;
  initializer?: Initializer;
  seed?: number;
}

/** The layer classes a network is built from (see the file comment). */
export interface LayerKit {
  Conv2d: new (options: ConvLayerOptions) => ParametricLayer;
  MaxPool2D: new (options: PoolLayerOptions) => Layer;
  AveragePool2D: new (options: PoolLayerOptions) => Layer;
  Flatten: new () => Layer;
  FC: new (options: FCLayerOptions) => ParametricLayer;
  ReLU: new () => Layer;
}
