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
 * of each parameter tensor, so elements that already moved a lot take smaller
 * steps. eps keeps the division finite while h is still 0.
 */
import { checkPositiveNumber, KataInputError } from '../../lib/checks';
import type { Optimizer, ParametricLayer } from '../../lib/layer';
import { formatShape, Tensor } from '../../lib/tensor';

/** Every parameter of `layer` with its gradient, after checking that they match. */
function paramsWithGrads(where: string, layer: ParametricLayer): Array<[param: Tensor, grad: Tensor]> {
  return Object.keys(layer.params).map((name) => {
    const param = layer.params[name];
    const grad = layer.grads[name];
    if (grad === undefined) {
      throw new KataInputError(`${where}: the layer has params.${name} but no grads.${name} (run backward before update)`);
    }
    const sameShape = grad.rank === param.rank && grad.shape.every((d, i) => d === param.shape[i]);
    if (!sameShape) {
      throw new KataInputError(`${where}: grads.${name} has shape ${formatShape(grad.shape)}, params.${name} has shape ${formatShape(param.shape)}`);
    }
    return [param, grad];
  });
}

export interface SGDOptions {
  /** Learning rate, > 0. */
  lr: number;
}

/** Stochastic gradient descent: theta <- theta - lr * g. */
export class SGD implements Optimizer {
  lr: number;

  constructor({ lr }: SGDOptions) {
    checkPositiveNumber('SGD', 'lr', lr);
    this.lr = lr;
  }

  /** Updates every tensor of `layer.params` in place from `layer.grads`. */
  update(layer: ParametricLayer): void {
    const lr = this.lr;
    for (const [param, grad] of paramsWithGrads('SGD.update', layer)) {
      // Locals: param.size or grad.data inside the loop would cost a property load per element.
      const theta = param.data;
      const g = grad.data;
      const size = theta.length;
      for (let i = 0; i < size; i++) theta[i] -= lr * g[i];
    }
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
  /** h for each parameter tensor, looked up by the tensor itself, so one AdaGrad can serve many layers. */
  private readonly history = new Map<Tensor, Float64Array>();

  constructor({ lr, eps = 1e-7 }: AdaGradOptions) {
    checkPositiveNumber('AdaGrad', 'lr', lr);
    checkPositiveNumber('AdaGrad', 'eps', eps);
    this.lr = lr;
    this.eps = eps;
  }

  /** Accumulates g^2 into h, then updates every tensor of `layer.params` in place. */
  update(layer: ParametricLayer): void {
    for (const [param, grad] of paramsWithGrads('AdaGrad.update', layer)) {
      let h = this.history.get(param);
      if (h === undefined) {
        h = new Float64Array(param.size);
        this.history.set(param, h);
      }
      const { lr, eps } = this;
      const theta = param.data;
      const grads = grad.data;
      const size = theta.length;
      for (let i = 0; i < size; i++) {
        const g = grads[i];
        h[i] += g * g;
        theta[i] -= (lr * g) / (Math.sqrt(h[i]) + eps);
      }
    }
  }
}
