import fc from 'fast-check';
import type { ParametricLayer } from '../../lib/layer';
import { Adam, Momentum } from '../../lib/optimizers';
import { Tensor } from '../../lib/tensor';

/** A stand-in for a layer: just params and grads, which is all an optimizer sees. */
function fakeLayer(W: number[], gW: number[]): ParametricLayer & { setGrad(values: number[]): void } {
  const params = { W: new Tensor([W.length], W) };
  const grads = { W: new Tensor([gW.length], gW) };
  return {
    params,
    grads,
    forward: (x) => x,
    backward: (d) => d,
    setGrad(values: number[]) {
      grads.W.data.set(values);
    },
  };
}

function expectValues(actual: Tensor, expected: number[], what: string): void {
  expect(actual).toBeCloseTensor(new Tensor([expected.length], expected), { atol: 1e-12, rtol: 1e-12, what });
}

describe('Momentum: v <- momentum * v - lr * g, theta <- theta + v', () => {
  it('three hand-checked steps (lr 0.1, momentum 0.9), the last with a zero gradient', () => {
    const layer = fakeLayer([1, 2], [0.5, -1]);
    const opt = new Momentum({ lr: 0.1, momentum: 0.9 });
    // Step 1: v = -0.1 * [0.5, -1] = [-0.05, 0.1]; theta = [0.95, 2.1]
    opt.update(layer);
    expectValues(layer.params.W, [0.95, 2.1], 'Momentum step 1');
    // Step 2: v = 0.9 * [-0.05, 0.1] - [0.05, -0.1] = [-0.095, 0.19]; theta = [0.855, 2.29]
    opt.update(layer);
    expectValues(layer.params.W, [0.855, 2.29], 'Momentum step 2');
    // Step 3, g = 0: v = 0.9 * [-0.095, 0.19] = [-0.0855, 0.171]; theta = [0.7695, 2.461]
    layer.setGrad([0, 0]);
    opt.update(layer);
    expectValues(layer.params.W, [0.7695, 2.461], 'Momentum step 3 (zero gradient: the velocity keeps moving)');
  });

  it('defaults to momentum 0.9', () => {
    expect(new Momentum({ lr: 0.1 }).momentum).toBe(0.9);
  });

  it('with momentum 0 it is plain SGD: theta - lr * g, for any values', () => {
    const finite = fc.double({ min: -10, max: 10, noNaN: true });
    fc.assert(
      fc.property(fc.array(fc.tuple(finite, finite), { minLength: 1, maxLength: 6 }), fc.double({ min: 1e-4, max: 1, noNaN: true }), (pairs, lr) => {
        const W = pairs.map(([w]) => w);
        const g = pairs.map(([, d]) => d);
        const layer = fakeLayer(W, g);
        new Momentum({ lr, momentum: 0 }).update(layer);
        expectValues(
          layer.params.W,
          W.map((w, i) => w - lr * g[i]),
          `Momentum(momentum 0, lr ${lr})`,
        );
      }),
    );
  });

  it('keeps a separate velocity per parameter tensor (one optimizer, two layers)', () => {
    const a = fakeLayer([0], [1]);
    const b = fakeLayer([0], [1]);
    const opt = new Momentum({ lr: 0.1, momentum: 0.5 });
    opt.update(a); // a: v = -0.1, theta = -0.1
    opt.update(a); // a: v = -0.15, theta = -0.25
    opt.update(b); // b starts from v = 0: v = -0.1, theta = -0.1
    expectValues(a.params.W, [-0.25], 'layer a after two steps');
    expectValues(b.params.W, [-0.1], 'layer b after its first step');
  });

  it('updates the parameter tensor in place (same object)', () => {
    const layer = fakeLayer([1], [1]);
    const before = layer.params.W;
    new Momentum({ lr: 0.5 }).update(layer);
    expect(layer.params.W).toBe(before);
    expect(before.data[0]).toBeCloseTo(0.5, 12);
  });
});

describe('Adam', () => {
  it('first step is lr * g / (|g| + eps): about lr per element whatever the scale of g', () => {
    const layer = fakeLayer([1, 2, 3], [0.5, -1, 1000]);
    new Adam({ lr: 0.1 }).update(layer);
    // t = 1: mHat = g, vHat = g^2
    expectValues(layer.params.W, [1 - (0.1 * 0.5) / (0.5 + 1e-8), 2 + (0.1 * 1) / (1 + 1e-8), 3 - (0.1 * 1000) / (1000 + 1e-8)], 'Adam step 1');
  });

  it('second step with a new gradient, worked by hand (lr 0.1, beta1 0.9, beta2 0.999, eps 0 in effect)', () => {
    const layer = fakeLayer([1, 2], [0.5, -1]);
    const opt = new Adam({ lr: 0.1, eps: 1e-300 });
    opt.update(layer); // theta = [0.9, 2.1]; m = [0.05, -0.1]; v = [0.00025, 0.001]
    expectValues(layer.params.W, [0.9, 2.1], 'Adam step 1');
    layer.setGrad([1.5, 0]);
    opt.update(layer);
    // element 0: m = 0.9 * 0.05 + 0.1 * 1.5 = 0.195, mHat = 0.195 / (1 - 0.81) = 39 / 38
    //            v = 0.999 * 0.00025 + 0.001 * 2.25 = 0.00249975, vHat = 0.00249975 / (1 - 0.998001) = 2.49975 / 1.999
    // element 1: m = 0.9 * -0.1 = -0.09, mHat = -0.09 / 0.19 = -9 / 19
    //            v = 0.999 * 0.001 = 0.000999, vHat = 0.999 / 1.999
    const step0 = (0.1 * (39 / 38)) / Math.sqrt(2.49975 / 1.999); // 0.0917783...
    const step1 = (0.1 * (-9 / 19)) / Math.sqrt(0.999 / 1.999); // -0.0670059...
    expect(step0).toBeCloseTo(0.0917783, 6);
    expect(step1).toBeCloseTo(-0.0670059, 6);
    expectValues(layer.params.W, [0.9 - step0, 2.1 - step1], 'Adam step 2');
  });

  it('a constant gradient moves every element by lr per step (bias correction at work)', () => {
    const layer = fakeLayer([0, 0], [3, -0.002]);
    const opt = new Adam({ lr: 0.01, eps: 1e-300 });
    for (let t = 0; t < 5; t++) opt.update(layer);
    expectValues(layer.params.W, [-0.05, 0.05], 'Adam after 5 steps of a constant gradient');
  });

  it('keeps the step count per parameter tensor: a tensor first updated later still starts at t = 1', () => {
    const a = fakeLayer([0], [1]);
    const b = fakeLayer([0], [4]);
    const opt = new Adam({ lr: 0.1, eps: 1e-300 });
    opt.update(a);
    opt.update(a);
    a.setGrad([-1]);
    opt.update(a);
    opt.update(b); // first update of b: a step of exactly lr against the gradient
    expectValues(b.params.W, [-0.1], 'first Adam step of the second layer');
  });

  it('defaults: lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8', () => {
    const opt = new Adam();
    expect([opt.lr, opt.beta1, opt.beta2, opt.eps]).toEqual([1e-3, 0.9, 0.999, 1e-8]);
  });
});

describe('bad arguments', () => {
  it.each([
    ['Momentum lr 0', () => new Momentum({ lr: 0 }), /Momentum: lr must be a finite number > 0, got 0/],
    ['Momentum lr NaN', () => new Momentum({ lr: NaN }), /Momentum: lr must be a finite number > 0, got NaN/],
    ['Momentum momentum 1', () => new Momentum({ lr: 0.1, momentum: 1 }), /Momentum: momentum must be a number in \[0, 1\), got 1/],
    ['Adam lr -1', () => new Adam({ lr: -1 }), /Adam: lr must be a finite number > 0, got -1/],
    ['Adam beta1 -0.1', () => new Adam({ beta1: -0.1 }), /Adam: beta1 must be a number in \[0, 1\), got -0.1/],
    ['Adam beta2 1', () => new Adam({ beta2: 1 }), /Adam: beta2 must be a number in \[0, 1\), got 1/],
    ['Adam eps 0', () => new Adam({ eps: 0 }), /Adam: eps must be a finite number > 0, got 0/],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  it('a missing gradient says to run backward first', () => {
    const layer = { params: { W: new Tensor([1], [1]) }, grads: {}, forward: (x: Tensor) => x, backward: (d: Tensor) => d };
    expect(() => new Adam().update(layer)).toThrow(/Adam.update: the layer has params.W but no grads.W \(run backward before update\)/);
  });

  it('a gradient of another size is rejected', () => {
    const layer = fakeLayer([1, 2], [1, 2]);
    (layer.grads as Record<string, Tensor>).W = new Tensor([3], [1, 2, 3]);
    expect(() => new Momentum({ lr: 0.1 }).update(layer)).toThrow(/Momentum.update: grads.W has shape \[3\], params.W has shape \[2\]/);
  });

  it("a gradient of the same size but another shape is rejected, as by exercise 00's SGD and AdaGrad", () => {
    const layer = { params: { W: new Tensor([2, 3]) }, grads: { W: new Tensor([3, 2]) }, forward: (x: Tensor) => x, backward: (d: Tensor) => d };
    expect(() => new Adam().update(layer)).toThrow(/^Adam.update: grads.W has shape \[3, 2\], params.W has shape \[2, 3\]$/);
    expect(() => new Momentum({ lr: 0.1 }).update(layer)).toThrow(/^Momentum.update: grads.W has shape \[3, 2\], params.W has shape \[2, 3\]$/);
  });
});
