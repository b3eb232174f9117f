/**
 * Optimizers change a layer's parameters from its gradients. Notation: theta
 * is one parameter tensor (W or b), g = dL/dtheta its gradient from the last
 * backward, lr the learning rate; every operation is element by element.
 *
 *   SGD:      theta <- theta - lr * g
 *
 *   AdaGrad:  h     <- h + g^2                          (h starts at 0)
 *             theta <- theta - lr * g / (sqrt(h) + eps)
 *
 * AdaGrad's h is the running sum of squared gradients, one value per element
 * of each parameter tensor (keep them in a Map keyed by the parameter Tensor),
 * so elements that already moved a lot take smaller steps. eps keeps the
 * division finite while h is still 0.
 *
 * Both update `layer.params[name]` in place, for every name, from `layer.grads[name]`.
 * Bad input (KataInputError):
 *   lr, eps   checkPositiveNumber('SGD', 'lr', lr) etc. from lib/checks.ts
 *   grads     "<Optimizer>.update: the layer has params.W but no grads.W (run backward before update)"
 *             "<Optimizer>.update: grads.W has shape [3], params.W has shape [2]"   (formatShape)
 */
import { checkPositiveNumber, KataInputError } from '../../lib/checks';
import type { Optimizer, ParametricLayer } from '../../lib/layer';
import { NotImplementedError } from '../../lib/not-implemented';
import { formatShape, Tensor } from '../../lib/tensor';

export interface SGDOptions {
  /** Learning rate, > 0. */
  lr: number;
}

/** Stochastic gradient descent: theta <- theta - lr * g. */
export class SGD implements Optimizer {
  lr: number;

  constructor({ lr }: SGDOptions) {
    throw new NotImplementedError('00-prerequisites', 'SGD constructor');
  }

  /** Updates every tensor of `layer.params` in place from `layer.grads`. */
  update(layer: ParametricLayer): void {
    throw new NotImplementedError('00-prerequisites', 'SGD.update');
  }
}

export interface AdaGradOptions {
  /** Learning rate, > 0. */
  lr: number;
  /** Added to sqrt(h) so the first steps never divide by zero; 1e-7 by default. */
  eps?: number;
}

/** AdaGrad: h <- h + g^2, theta <- theta - lr * g / (sqrt(h) + eps). */
export class AdaGrad implements Optimizer {
  lr: number;
  readonly eps: number;

  constructor({ lr, eps = 1e-7 }: AdaGradOptions) {
    throw new NotImplementedError('00-prerequisites', 'AdaGrad constructor');
  }

  /** Accumulates g^2 into h, then updates every tensor of `layer.params` in place. */
  update(layer: ParametricLayer): void {
    throw new NotImplementedError('00-prerequisites', 'AdaGrad.update');
  }
}
