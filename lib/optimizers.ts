/**
 * Two optimizers beyond the sheet's SGD and AdaGrad, given ready-made:
 * Momentum and Adam. Both implement `Optimizer` from `./layer`: `update(layer)`
 * changes `layer.params` in place from `layer.grads`.
 *
 * Both keep state per parameter tensor (a velocity, or two moment estimates),
 * looked up by the tensor object itself. So one optimizer can serve every
 * layer of a network, and each W and each b gets its own state.
 *
 * Notation: theta is one parameter tensor, g its gradient dL/dtheta, lr the
 * learning rate; every operation below is element-wise.
 */
import { checkPositiveNumber, KataInputError } from './checks';
import type { Optimizer, ParametricLayer } from './layer';
import { formatShape, Tensor } from './tensor';
import { DEFAULT_LR } from './training-defaults';

/** `value` must be in [0, 1) (a decay rate such as momentum or beta). */
function checkDecay(where: string, name: string, value: number): void {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new KataInputError(`${where}: ${name} must be a number in [0, 1), got ${value}`);
  }
}

/**
 * Every parameter of `layer` with its gradient, after checking that they
 * match: the same check, with the same messages, as exercise 00's SGD and
 * AdaGrad (which the learner writes there).
 */
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

/**
 * SGD with momentum: a velocity v (starting at 0) remembers past steps, so
 * steps in a steady direction grow and oscillating ones cancel out.
 *
 *   v     <- momentum * v - lr * g
 *   theta <- theta + v
 *
 * With momentum = 0 this is plain SGD. A constant gradient g gives steps that
 * approach -lr * g / (1 - momentum) (10 times larger with the default 0.9).
 */
export class Momentum implements Optimizer {
  lr: number;
  readonly momentum: number;
  private readonly velocity = new WeakMap<Tensor, Float64Array>();

  constructor({ lr, momentum = 0.9 }: { lr: number; momentum?: number }) {
    checkPositiveNumber('Momentum', 'lr', lr);
    checkDecay('Momentum', 'momentum', momentum);
    this.lr = lr;
    this.momentum = momentum;
  }

  update(layer: ParametricLayer): void {
    for (const [param, grad] of paramsWithGrads('Momentum.update', layer)) {
      let v = this.velocity.get(param);
      if (v === undefined) {
        v = new Float64Array(param.data.length);
        this.velocity.set(param, v);
      }
      // Locals: reading this.lr or theta.length inside the loop would cost a property load per element.
      const { momentum, lr } = this;
      const theta = param.data;
      const g = grad.data;
      const size = theta.length;
      for (let i = 0; i < size; i++) {
        v[i] = momentum * v[i] - lr * g[i];
        theta[i] += v[i];
      }
    }
  }
}

/** Adam's state for one parameter tensor. */
interface AdamState {
  /** First moment: running mean of g. */
  m: Float64Array;
  /** Second moment: running mean of g^2. */
  v: Float64Array;
  /** Number of updates of this tensor so far. */
  t: number;
}

/** The numbers of one Adam update of one tensor (t-th update: correction = 1 - beta^t). */
export interface AdamStep {
  beta1: number;
  beta2: number;
  lr: number;
  eps: number;
  correction1: number;
  correction2: number;
}

/**
 * Adam's element loop, run by a faster implementation that gives the loop's
 * bits (the engine plugs in a WebAssembly one), as gemm has backends: Adam
 * never knows which one runs.
 */
export interface AdamLoop {
  /** A zeroed array for m or v, where `run` can reach it. */
  moments(length: number): Float64Array;
  /** One update of theta, m and v in place; false leaves it to the TypeScript loop. */
  run(theta: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, step: AdamStep): boolean;
}

let adamLoop: AdamLoop | null = null;

/** Plugs in an AdamLoop (null: the TypeScript loop only); returns the previous one. */
export function useAdamLoop(next: AdamLoop | null): AdamLoop | null {
  const previous = adamLoop;
  adamLoop = next;
  return previous;
}

/**
 * Adam (Kingma and Ba, 2015): running means of the gradient and of its
 * square, with a correction for starting them at zero. For the t-th update of
 * a tensor (t = 1, 2, ...):
 *
 *   m     <- beta1 * m + (1 - beta1) * g
 *   v     <- beta2 * v + (1 - beta2) * g^2
 *   mHat   = m / (1 - beta1^t)
 *   vHat   = v / (1 - beta2^t)
 *   theta <- theta - lr * mHat / (sqrt(vHat) + eps)
 *
 * At t = 1, mHat = g and vHat = g^2, so the first step is lr * g / (|g| + eps):
 * about lr in size for every element, whatever the scale of g. The same holds
 * at every step while g stays constant.
 */
export class Adam implements Optimizer {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private readonly state = new WeakMap<Tensor, AdamState>();

  constructor({ lr = DEFAULT_LR.adam, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 }: { lr?: number; beta1?: number; beta2?: number; eps?: number } = {}) {
    checkPositiveNumber('Adam', 'lr', lr);
    checkDecay('Adam', 'beta1', beta1);
    checkDecay('Adam', 'beta2', beta2);
    checkPositiveNumber('Adam', 'eps', eps);
    this.lr = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
  }

  update(layer: ParametricLayer): void {
    for (const [param, grad] of paramsWithGrads('Adam.update', layer)) {
      let s = this.state.get(param);
      if (s === undefined) {
        const length = param.data.length;
        s = { m: adamLoop?.moments(length) ?? new Float64Array(length), v: adamLoop?.moments(length) ?? new Float64Array(length), t: 0 };
        this.state.set(param, s);
      }
      s.t += 1;
      const { beta1, beta2, lr, eps } = this;
      const correction1 = 1 - beta1 ** s.t;
      const correction2 = 1 - beta2 ** s.t;
      if (adamLoop?.run(param.data, grad.data, s.m, s.v, { beta1, beta2, lr, eps, correction1, correction2 })) continue;
      // Locals: reading s.m or theta.length inside the loop would cost a property load per element.
      const { m, v } = s;
      const theta = param.data;
      const g = grad.data;
      const size = theta.length;
      for (let i = 0; i < size; i++) {
        const gi = g[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        const mHat = m[i] / correction1;
        const vHat = v[i] / correction2;
        theta[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    }
  }
}
