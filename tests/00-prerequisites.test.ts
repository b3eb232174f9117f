/**
 * Exercise 00: the parts from earlier sprints that the CNN sheet builds on.
 * Order: the layer contract first (FC, ReLU, softmax + cross-entropy), then
 * Conv1d, which exercise 01 grows into Conv2d; then the training pieces that
 * exercise 06 first needs (initializers, optimizers, mini-batches). Within
 * each part forward, backward, then edge cases.
 *
 * Expected values come from the oracles in ./helpers/oracle-prerequisites.ts,
 * from hand-checkable numbers written in the comments, or from central
 * differences (numeric gradients of L = sum(forward(x) * R) for a fixed random R,
 * so dout = R; relative error < 1e-7).
 */
import fc from 'fast-check';
import { Conv1d } from '@kata/00-prerequisites/conv1d';
import { FC } from '@kata/00-prerequisites/fc';
import { HeInitializer, SimpleInitializer, XavierInitializer } from '@kata/00-prerequisites/initializers';
import { GetMiniBatch } from '@kata/00-prerequisites/mini-batch';
import { AdaGrad, SGD } from '@kata/00-prerequisites/optimizers';
import { ReLU } from '@kata/00-prerequisites/relu';
import { softmax, SoftmaxCrossEntropy } from '@kata/00-prerequisites/softmax-cross-entropy';
import { seededTensor } from './helpers/arbitraries';
import { numericGradient, relativeError } from '../lib/gradcheck';
import type { Initializer, Layer, ParametricLayer } from '../lib/layer';
import { Rng } from '../lib/random';
import { sizeOf, Tensor } from '../lib/tensor';
import { conv1dOracle, conv1dOutputLength, fcOracle, naiveCrossEntropy, naiveSoftmax, reluOracle } from './helpers/oracle-prerequisites';

// ---------------------------------------------------------------- helpers

const TIGHT = { atol: 1e-12, rtol: 1e-12 };
/** Threshold for numeric-gradient checks (relative error, see lib/gradcheck.ts). */
const GRAD_TOLERANCE = 1e-7;

/** sum_i a_i * r_i: the scalar loss whose gradient with respect to the output is r. */
function dot(a: Tensor, r: Tensor): number {
  let s = 0;
  for (let i = 0; i < a.size; i++) s += a.data[i] * r.data[i];
  return s;
}

/** Sets a layer's W and b to seeded random values (so tests do not depend on the initializer). */
function randomizeParams(layer: ParametricLayer, seed: number): void {
  layer.params.W.data.set(seededTensor(layer.params.W.shape, seed).data);
  layer.params.b.data.set(seededTensor(layer.params.b.shape, seed + 1).data);
}

/**
 * Relative errors between backward and central differences for
 * L = sum(forward(x) * R): for dx, and for dW and db when the layer has them.
 */
function gradientErrors(layer: Layer, x: Tensor, seed: number): { dx: number; dW: number; db: number } {
  const y = layer.forward(x);
  const R = seededTensor(y.shape, seed + 99);
  const dx = layer.backward(R).data.slice();
  const loss = (): number => dot(layer.forward(x), R);
  const errors = { dx: relativeError(dx, numericGradient(loss, x.data)), dW: 0, db: 0 };
  if (layer.params && layer.grads) {
    const dW = layer.grads.W.data.slice();
    const db = layer.grads.b.data.slice();
    errors.dW = relativeError(dW, numericGradient(loss, layer.params.W.data));
    errors.db = relativeError(db, numericGradient(loss, layer.params.b.data));
  }
  return errors;
}

/**
 * An initializer that records how it was called and returns 1, 2, 3, ...
 * The FC and Conv1d tests use it so that they do not depend on initializers.ts.
 */
class RecordingInitializer implements Initializer {
  calls: Array<{ shape: number[]; fanIn: number; firstDraw: number }> = [];
  weights(shape: readonly number[], fanIn: number, rng: Rng): Tensor {
    this.calls.push({ shape: [...shape], fanIn, firstDraw: rng.uniform() });
    return new Tensor(
      shape,
      Float64Array.from({ length: sizeOf(shape) }, (_, i) => i + 1),
    );
  }
}

function sampleStd(values: Float64Array): { mean: number; std: number } {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2;
  return { mean, std: Math.sqrt(variance / (values.length - 1)) };
}

/** A layer reduced to what an optimizer sees: params and grads. */
function fakeLayer(params: Record<string, number[]>, grads: Record<string, number[]>): ParametricLayer {
  const toTensors = (r: Record<string, number[]>): Record<string, Tensor> =>
    Object.fromEntries(Object.entries(r).map(([name, values]) => [name, new Tensor([values.length], values)]));
  return { params: toTensors(params), grads: toTensors(grads), forward: (x) => x, backward: (d) => d };
}

function vector(values: number[]): Tensor {
  return new Tensor([values.length], values);
}

// ---------------------------------------------------------------- FC

describe('FC (fully connected layer): A = X W + b', () => {
  describe('forward', () => {
    it('forward: a hand-checked case, [[1, 2]] W + b', () => {
      const layer = new FC({ inFeatures: 2, outFeatures: 3, initializer: new RecordingInitializer() });
      layer.params.W.data.set([1, 2, 3, 4, 5, 6]); // W = [[1, 2, 3], [4, 5, 6]]
      layer.params.b.data.set([0.5, -1, 0]);
      // [1*1 + 2*4 + 0.5, 1*2 + 2*5 - 1, 1*3 + 2*6 + 0] = [9.5, 11, 15]
      expect(layer.forward(Tensor.from([[1, 2]]))).toBeCloseTensor(Tensor.from([[9.5, 11, 15]]), { ...TIGHT, what: 'FC forward, hand case' });
    });

    it('forward: equals a direct loop over the formula for any N, in_features, out_features (property)', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: 7 }),
          fc.integer({ min: 1, max: 7 }),
          fc.integer({ min: 0, max: 2 ** 30 }),
          (n, inFeatures, outFeatures, seed) => {
            const layer = new FC({ inFeatures, outFeatures, initializer: new RecordingInitializer() });
            randomizeParams(layer, seed);
            const x = seededTensor([n, inFeatures], seed + 2, -3, 3);
            const expected = fcOracle(x, layer.params.W, layer.params.b);
            expect(layer.forward(x)).toBeCloseTensor(expected, {
              ...TIGHT,
              what: `FC forward (N ${n}, in ${inFeatures}, out ${outFeatures}, seed ${seed})`,
            });
          },
        ),
      );
    });

    it('initialization: W [in, out] comes from the initializer with fanIn = in_features and new Rng(seed); b is zero', () => {
      const init = new RecordingInitializer();
      const layer = new FC({ inFeatures: 4, outFeatures: 3, initializer: init, seed: 7 });
      expect(init.calls).toEqual([{ shape: [4, 3], fanIn: 4, firstDraw: new Rng(7).uniform() }]);
      expect(layer.params.W).toBeCloseTensor(new Tensor([4, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), { what: 'FC W from the initializer' });
      expect(layer.params.b).toBeCloseTensor(Tensor.zeros([3]), { what: 'FC b at start' });
      expect(layer.grads.W.shape).toEqual([4, 3]);
      expect(layer.grads.b.shape).toEqual([3]);
    });
  });

  describe('backward', () => {
    const cases = [
      { name: 'N 1, in 3, out 2', n: 1, inFeatures: 3, outFeatures: 2, seed: 11 },
      { name: 'N 4, in 5, out 3', n: 4, inFeatures: 5, outFeatures: 3, seed: 12 },
      { name: 'N 6, in 2, out 7', n: 6, inFeatures: 2, outFeatures: 7, seed: 13 },
    ];
    for (const c of cases) {
      for (const which of ['dx', 'dW', 'db'] as const) {
        it(`backward: ${which} matches the numeric gradient (${c.name})`, () => {
          const layer = new FC({ inFeatures: c.inFeatures, outFeatures: c.outFeatures, initializer: new RecordingInitializer() });
          randomizeParams(layer, c.seed);
          const x = seededTensor([c.n, c.inFeatures], c.seed + 5, -2, 2);
          expect(gradientErrors(layer, x, c.seed)[which]).toBeLessThan(GRAD_TOLERANCE);
        });
      }
    }

    it('backward: returns dx with the shape of x [N, in] and leaves W and b unchanged', () => {
      const layer = new FC({ inFeatures: 3, outFeatures: 2, initializer: new RecordingInitializer() });
      randomizeParams(layer, 21);
      const W = layer.params.W.clone();
      const b = layer.params.b.clone();
      layer.forward(seededTensor([4, 3], 22));
      const dx = layer.backward(seededTensor([4, 2], 23));
      expect(dx.shape).toEqual([4, 3]);
      expect(layer.params.W).toBeCloseTensor(W, { atol: 0, rtol: 0, what: 'FC W after backward' });
      expect(layer.params.b).toBeCloseTensor(b, { atol: 0, rtol: 0, what: 'FC b after backward' });
    });

    it('backward: a second backward overwrites grads instead of adding to them', () => {
      const layer = new FC({ inFeatures: 3, outFeatures: 2, initializer: new RecordingInitializer() });
      randomizeParams(layer, 31);
      const x = seededTensor([2, 3], 32);
      const dout = seededTensor([2, 2], 33);
      layer.forward(x);
      layer.backward(dout);
      const dW = layer.grads.W.clone();
      const db = layer.grads.b.clone();
      layer.forward(x);
      layer.backward(dout);
      expect(layer.grads.W).toBeCloseTensor(dW, { ...TIGHT, what: 'FC dW after two backward passes' });
      expect(layer.grads.b).toBeCloseTensor(db, { ...TIGHT, what: 'FC db after two backward passes' });
    });
  });

  describe('bad input', () => {
    it('rejects x of the wrong rank', () => {
      const layer = new FC({ inFeatures: 3, outFeatures: 2, initializer: new RecordingInitializer() });
      expect(() => layer.forward(new Tensor([3]))).toThrowKataError(/expected a rank-2 tensor.*got rank 1 with shape \[3\]/);
      expect(() => layer.forward(new Tensor([1, 1, 3]))).toThrowKataError(/expected a rank-2 tensor.*got rank 3/);
    });

    it('rejects x whose feature count is not in_features', () => {
      const layer = new FC({ inFeatures: 3, outFeatures: 2, initializer: new RecordingInitializer() });
      expect(() => layer.forward(new Tensor([2, 4]))).toThrowKataError(/in_features = 3 \(axis 1\), got 4/);
    });

    it('rejects NaN and Infinity in x', () => {
      const layer = new FC({ inFeatures: 2, outFeatures: 2, initializer: new RecordingInitializer() });
      expect(() => layer.forward(Tensor.from([[1, NaN]]))).toThrowKataError(/expected finite values, got NaN at index \[0, 1\]/);
      expect(() => layer.forward(Tensor.from([[Infinity, 1]]))).toThrowKataError(/expected finite values, got Infinity/);
    });

    it('rejects dout of the wrong shape, and backward before any forward', () => {
      const layer = new FC({ inFeatures: 3, outFeatures: 2, initializer: new RecordingInitializer() });
      expect(() => layer.backward(new Tensor([2, 2]))).toThrowKataError(/FC\.backward: call forward before backward/);
      layer.forward(new Tensor([2, 3]));
      expect(() => layer.backward(new Tensor([2, 3]))).toThrowKataError(/expected shape \[2, 2\], got \[2, 3\]/);
    });

    it('rejects sizes that are not whole numbers >= 1', () => {
      expect(() => new FC({ inFeatures: 0, outFeatures: 2, initializer: new RecordingInitializer() })).toThrowKataError(
        /inFeatures must be a whole number >= 1, got 0/,
      );
      expect(() => new FC({ inFeatures: 2, outFeatures: 1.5, initializer: new RecordingInitializer() })).toThrowKataError(
        /outFeatures must be a whole number >= 1, got 1\.5/,
      );
    });

    it('names the layer and the method in every message: FC, FC.forward, FC.backward', () => {
      expect(() => new FC({ inFeatures: 0, outFeatures: 2, initializer: new RecordingInitializer() })).toThrowKataError(
        /^FC: inFeatures must be a whole number >= 1, got 0/,
      );
      expect(() => new FC({ inFeatures: 2, outFeatures: 0, initializer: new RecordingInitializer() })).toThrowKataError(
        /^FC: outFeatures must be a whole number >= 1, got 0/,
      );
      const layer = new FC({ inFeatures: 3, outFeatures: 2, initializer: new RecordingInitializer() });
      expect(() => layer.forward(new Tensor([2, 3, 1]))).toThrowKataError(
        /^FC\.forward: expected a rank-2 tensor \[N, in_features\], got rank 3 with shape \[2, 3, 1\]/,
      );
      expect(() => layer.forward(new Tensor([2, 4]))).toThrowKataError(/^FC\.forward: .*in_features = 3 \(axis 1\), got 4/);
      expect(() => layer.forward(Tensor.from([[1, NaN, 0]]))).toThrowKataError(/^FC\.forward: expected finite values, got NaN at index \[0, 1\]/);
      layer.forward(new Tensor([2, 3]));
      expect(() => layer.backward(new Tensor([2, 3]))).toThrowKataError(/^FC\.backward: expected shape \[2, 2\], got \[2, 3\]/);
    });
  });
});

// ---------------------------------------------------------------- ReLU

describe('ReLU: y = max(x, 0)', () => {
  /** Random shapes of rank 1 to 4, each axis 1..4. */
  const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });

  it('forward: a hand-checked case, [-1, 0, 2.5] -> [0, 0, 2.5]', () => {
    expect(new ReLU().forward(vector([-1, 0, 2.5]))).toBeCloseTensor(vector([0, 0, 2.5]), { ...TIGHT, what: 'ReLU forward' });
  });

  it('forward: equals max(x, 0) element-wise for tensors of any shape (property)', () => {
    fc.assert(
      fc.property(shapeArb, fc.integer({ min: 0, max: 2 ** 30 }), (shape, seed) => {
        const x = seededTensor(shape, seed, -2, 2);
        x.data[0] = 0; // always include the kink
        expect(new ReLU().forward(x)).toBeCloseTensor(reluOracle(x), { atol: 0, rtol: 0, what: `ReLU forward (shape [${shape}], seed ${seed})` });
      }),
    );
  });

  it('backward: passes dout where x > 0 and 0 where x <= 0 (x = 0 included)', () => {
    const relu = new ReLU();
    relu.forward(vector([-1, 0, 2, 1e-12]));
    expect(relu.backward(vector([10, 20, 30, 40]))).toBeCloseTensor(vector([0, 0, 30, 40]), { atol: 0, rtol: 0, what: 'ReLU backward' });
  });

  it('backward: routes the gradient by the sign of x for any shape (property)', () => {
    fc.assert(
      fc.property(shapeArb, fc.integer({ min: 0, max: 2 ** 30 }), (shape, seed) => {
        const relu = new ReLU();
        const x = seededTensor(shape, seed, -2, 2);
        const dout = seededTensor(shape, seed + 1, -5, 5);
        relu.forward(x);
        const expected = dout.map((g, i) => (x.data[i] > 0 ? g : 0));
        expect(relu.backward(dout)).toBeCloseTensor(expected, { atol: 0, rtol: 0, what: `ReLU backward (shape [${shape}], seed ${seed})` });
      }),
    );
  });

  it('backward: dx matches the numeric gradient away from 0 (|x| >= 0.1)', () => {
    const x = seededTensor([3, 2, 4], 41, 0.1, 2).map((v, i) => (i % 3 === 0 ? -v : v));
    expect(gradientErrors(new ReLU(), x, 41).dx).toBeLessThan(GRAD_TOLERANCE);
  });

  it('bad input: NaN in x, dout of another shape, backward before forward', () => {
    const relu = new ReLU();
    expect(() => relu.backward(vector([1]))).toThrowKataError(/ReLU\.backward: call forward before backward/);
    expect(() => relu.forward(vector([1, NaN]))).toThrowKataError(/expected finite values, got NaN/);
    relu.forward(new Tensor([2, 3]));
    expect(() => relu.backward(new Tensor([3, 2]))).toThrowKataError(/expected shape \[2, 3\], got \[3, 2\]/);
  });

  it('backward: refuses NaN and Infinity in dout, naming the value and its index (lib/layer.ts)', () => {
    const relu = new ReLU();
    relu.forward(Tensor.from([[1, -1, 2]]));
    expect(() => relu.backward(Tensor.from([[0, NaN, 0]]))).toThrowKataError(/^ReLU\.backward: expected finite values, got NaN at index \[0, 1\]/);
    expect(() => relu.backward(Tensor.from([[0, 0, -Infinity]]))).toThrowKataError(
      /^ReLU\.backward: expected finite values, got -Infinity at index \[0, 2\]/,
    );
  });

  it('names the method in its messages: ReLU.forward, ReLU.backward', () => {
    const relu = new ReLU();
    expect(() => relu.forward(vector([1, NaN]))).toThrowKataError(/^ReLU\.forward: expected finite values, got NaN/);
    relu.forward(new Tensor([2, 3]));
    expect(() => relu.backward(new Tensor([3, 2]))).toThrowKataError(/^ReLU\.backward: expected shape \[2, 3\], got \[3, 2\]/);
  });
});

// ---------------------------------------------------------------- softmax + cross-entropy

describe('softmax and SoftmaxCrossEntropy', () => {
  const logitsArb = (min: number, max: number) =>
    fc
      .record({
        n: fc.integer({ min: 1, max: 4 }),
        k: fc.integer({ min: 1, max: 6 }),
        seed: fc.integer({ min: 0, max: 2 ** 30 }),
      })
      .map(({ n, k, seed }) => ({ z: seededTensor([n, k], seed, min, max), seed }));

  describe('softmax forward', () => {
    it('softmax: every row is in [0, 1] and sums to 1 (property)', () => {
      fc.assert(
        fc.property(logitsArb(-50, 50), ({ z, seed }) => {
          const p = softmax(z);
          const [n, k] = z.shape;
          expect(p.shape).toEqual([n, k]);
          for (const v of p.data) expect(v >= 0 && v <= 1).toBe(true);
          const sums = new Tensor(
            [n],
            Array.from({ length: n }, (_, r) => p.data.slice(r * k, (r + 1) * k).reduce((a, b) => a + b, 0)),
          );
          expect(sums).toBeCloseTensor(Tensor.full([n], 1), { atol: 1e-12, rtol: 0, what: `row sums of softmax (seed ${seed})` });
        }),
      );
    });

    it('softmax: equals exp(z) / sum exp(z) for moderate logits (property)', () => {
      fc.assert(
        fc.property(logitsArb(-20, 20), ({ z, seed }) => {
          expect(softmax(z)).toBeCloseTensor(naiveSoftmax(z), { atol: 1e-14, rtol: 1e-12, what: `softmax (seed ${seed})` });
        }),
      );
    });

    it('softmax: adding a constant to a row does not change it (property)', () => {
      fc.assert(
        fc.property(
          logitsArb(-10, 10),
          fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 4, maxLength: 4 }),
          ({ z, seed }, shifts) => {
            const k = z.shape[1];
            const shifted = z.map((v, i) => v + shifts[Math.floor(i / k)]);
            expect(softmax(shifted)).toBeCloseTensor(softmax(z), { atol: 1e-12, rtol: 1e-10, what: `softmax of shifted rows (seed ${seed})` });
          },
        ),
      );
    });

    it('softmax: stays finite for logits of +-1000', () => {
      const p = softmax(
        Tensor.from([
          [1000, -1000, 0],
          [-1000, -1000, -1000],
        ]),
      );
      expect(p).toBeCloseTensor(
        Tensor.from([
          [1, 0, 0],
          [1 / 3, 1 / 3, 1 / 3],
        ]),
        { ...TIGHT, what: 'softmax of +-1000' },
      );
    });
  });

  describe('cross-entropy forward', () => {
    it('loss: uniform logits over K classes give log K, whatever the constant and the label (property)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 12 }), fc.double({ min: -1000, max: 1000, noNaN: true }), fc.nat(), (k, c, label) => {
          const loss = new SoftmaxCrossEntropy().forward(Tensor.full([2, k], c), [label % k, (label + 1) % k]);
          expect(loss).toBeCloseTo(Math.log(k), 10);
        }),
      );
    });

    it('loss: hand-checked cases with logits [0, ln 3], so p = [1/4, 3/4]', () => {
      const z = Tensor.from([[0, Math.log(3)]]);
      expect(new SoftmaxCrossEntropy().forward(z, [1])).toBeCloseTo(Math.log(4 / 3), 12);
      expect(new SoftmaxCrossEntropy().forward(z, [0])).toBeCloseTo(Math.log(4), 12);
      // The batch mean of the two rows.
      const both = Tensor.from([
        [0, Math.log(3)],
        [0, Math.log(3)],
      ]);
      expect(new SoftmaxCrossEntropy().forward(both, [1, 0])).toBeCloseTo((Math.log(4 / 3) + Math.log(4)) / 2, 12);
    });

    it('loss: equals the mean of -log p[label] for moderate logits (property)', () => {
      fc.assert(
        fc.property(logitsArb(-20, 20), fc.nat(), ({ z }, base) => {
          const [n, k] = z.shape;
          const labels = Array.from({ length: n }, (_, i) => (base + i * 7) % k);
          const loss = new SoftmaxCrossEntropy().forward(z, labels);
          const expected = naiveCrossEntropy(z, labels);
          expect(Math.abs(loss - expected)).toBeLessThan(1e-10 * Math.max(1, Math.abs(expected)));
        }),
      );
    });

    it('loss: finite for logits of +-1000 (computed with log-sum-exp)', () => {
      // Row 1: the true class has logit -1000 against 1000: -log p = 2000. Row 2: p[label] = 1, loss 0.
      const loss = new SoftmaxCrossEntropy().forward(
        Tensor.from([
          [1000, -1000],
          [-1000, 1000],
        ]),
        [1, 1],
      );
      expect(loss).toBeCloseTo(1000, 9);
    });

    it('probabilities: holds the softmax of the last forward', () => {
      const loss = new SoftmaxCrossEntropy();
      const z = seededTensor([3, 4], 51, -3, 3);
      loss.forward(z, [0, 3, 2]);
      expect(loss.probabilities).toBeCloseTensor(naiveSoftmax(z), { atol: 1e-14, rtol: 1e-12, what: 'SoftmaxCrossEntropy probabilities' });
    });
  });

  describe('cross-entropy backward', () => {
    it('backward: uniform logits, N 2, K 4, labels [0, 3] give (1/4 - onehot) / 2', () => {
      const loss = new SoftmaxCrossEntropy();
      loss.forward(Tensor.zeros([2, 4]), [0, 3]);
      const expected = Tensor.from([
        [-0.375, 0.125, 0.125, 0.125],
        [0.125, 0.125, 0.125, -0.375],
      ]);
      expect(loss.backward()).toBeCloseTensor(expected, { ...TIGHT, what: 'dlogits, uniform logits' });
    });

    for (const [n, k, seed] of [
      [1, 3, 61],
      [3, 5, 62],
      [5, 10, 63],
    ]) {
      it(`backward: dlogits matches the numeric gradient (N ${n}, K ${k})`, () => {
        const z = seededTensor([n, k], seed, -4, 4);
        const labels = Array.from({ length: n }, (_, i) => (i * 3 + 1) % k);
        const loss = new SoftmaxCrossEntropy();
        loss.forward(z, labels);
        const analytic = loss.backward().data.slice();
        const numeric = numericGradient(() => loss.forward(z, labels), z.data);
        expect(relativeError(analytic, numeric)).toBeLessThan(GRAD_TOLERANCE);
      });
    }

    it('backward: each row of dlogits sums to 0 (property)', () => {
      fc.assert(
        fc.property(logitsArb(-30, 30), fc.nat(), ({ z, seed }, base) => {
          const [n, k] = z.shape;
          const loss = new SoftmaxCrossEntropy();
          loss.forward(
            z,
            Array.from({ length: n }, (_, i) => (base + i) % k),
          );
          const d = loss.backward();
          const sums = new Tensor(
            [n],
            Array.from({ length: n }, (_, r) => d.data.slice(r * k, (r + 1) * k).reduce((a, b) => a + b, 0)),
          );
          expect(sums).toBeCloseTensor(Tensor.zeros([n]), { atol: 1e-14, rtol: 0, what: `row sums of dlogits (seed ${seed})` });
        }),
      );
    });

    it('backward: finite for logits of +-1000', () => {
      const loss = new SoftmaxCrossEntropy();
      loss.forward(
        Tensor.from([
          [1000, -1000],
          [-1000, 1000],
        ]),
        [1, 1],
      );
      // p = [[1, 0], [0, 1]], onehot = [[0, 1], [0, 1]], divided by N = 2.
      expect(loss.backward()).toBeCloseTensor(
        Tensor.from([
          [0.5, -0.5],
          [0, 0],
        ]),
        { ...TIGHT, what: 'dlogits for +-1000' },
      );
    });
  });

  describe('bad input', () => {
    it('rejects labels outside 0..K-1 or not whole numbers', () => {
      const z = Tensor.zeros([2, 3]);
      expect(() => new SoftmaxCrossEntropy().forward(z, [0, 3])).toThrowKataError(/labels that are whole numbers in 0\.\.2, got 3 at index 1/);
      expect(() => new SoftmaxCrossEntropy().forward(z, [-1, 0])).toThrowKataError(/labels that are whole numbers in 0\.\.2, got -1 at index 0/);
      expect(() => new SoftmaxCrossEntropy().forward(z, [0, 1.5])).toThrowKataError(/labels that are whole numbers in 0\.\.2, got 1\.5 at index 1/);
    });

    it('rejects a label count that is not N', () => {
      expect(() => new SoftmaxCrossEntropy().forward(Tensor.zeros([2, 3]), [0])).toThrowKataError(/expected 2 labels.*got 1/);
    });

    it('rejects logits that are not [N, K] or hold NaN', () => {
      expect(() => softmax(new Tensor([3]))).toThrowKataError(/expected a rank-2 tensor.*got rank 1/);
      expect(() => new SoftmaxCrossEntropy().forward(new Tensor([1, 2, 3]), [0])).toThrowKataError(/expected a rank-2 tensor.*got rank 3/);
      expect(() => softmax(Tensor.from([[0, NaN]]))).toThrowKataError(/expected finite values, got NaN/);
      expect(() => new SoftmaxCrossEntropy().forward(Tensor.from([[NaN, 0]]), [0])).toThrowKataError(/expected finite values, got NaN/);
    });

    it('rejects an empty batch: the mean loss of no rows is undefined', () => {
      expect(() => new SoftmaxCrossEntropy().forward(new Tensor([0, 3]), [])).toThrowKataError(
        /SoftmaxCrossEntropy\.forward: expected at least one row of logits .*got shape \[0, 3\]/,
      );
    });

    it('rejects backward before any forward', () => {
      expect(() => new SoftmaxCrossEntropy().backward()).toThrowKataError(/SoftmaxCrossEntropy\.backward: call forward before backward/);
    });

    it('names the method and the layout in its messages', () => {
      expect(() => softmax(new Tensor([3]))).toThrowKataError(/expected a rank-2 tensor \[N, K\], got rank 1/);
      expect(() => new SoftmaxCrossEntropy().forward(new Tensor([1, 2, 3]), [0])).toThrowKataError(
        /^SoftmaxCrossEntropy\.forward: expected a rank-2 tensor \[N, K\], got rank 3/,
      );
      expect(() => new SoftmaxCrossEntropy().forward(Tensor.zeros([2, 3]), [0, 3])).toThrowKataError(
        /^SoftmaxCrossEntropy\.forward: expected labels that are whole numbers in 0\.\.2, got 3 at index 1/,
      );
    });
  });
});

// ---------------------------------------------------------------- Conv1d

describe('Conv1d: a[n, m, i] = b[m] + sum_k sum_s x[n, k, i*S + s - P] w[m, k, s]', () => {
  /** A Conv1d with seeded random W and b. */
  function conv(cIn: number, cOut: number, kernelSize: number, stride: number, padding: number, seed: number): Conv1d {
    const layer = new Conv1d({ inChannels: cIn, outChannels: cOut, kernelSize, stride, padding, initializer: new RecordingInitializer() });
    randomizeParams(layer, seed);
    return layer;
  }

  describe('forward', () => {
    it('forward: hand-checked, x [1, 2, 3, 4], w [3, 5, 7], b 1 -> [35, 50]', () => {
      const layer = new Conv1d({ inChannels: 1, outChannels: 1, kernelSize: 3, initializer: new RecordingInitializer() });
      layer.params.W.data.set([3, 5, 7]);
      layer.params.b.data.set([1]);
      // 1*3 + 2*5 + 3*7 + 1 = 35; 2*3 + 3*5 + 4*7 + 1 = 50
      const x = new Tensor([1, 1, 4], [1, 2, 3, 4]);
      expect(layer.forward(x)).toBeCloseTensor(new Tensor([1, 1, 2], [35, 50]), { ...TIGHT, what: 'Conv1d forward (stride 1, padding 0)' });
    });

    it('forward: hand-checked with stride 2, padding 1: padded [0, 1, 2, 3, 4, 0] -> [20, 50]', () => {
      const layer = new Conv1d({ inChannels: 1, outChannels: 1, kernelSize: 3, stride: 2, padding: 1, initializer: new RecordingInitializer() });
      layer.params.W.data.set([3, 5, 7]);
      layer.params.b.data.set([1]);
      // L_out = floor((4 + 2 - 3) / 2) + 1 = 2; windows start at 0 and 2 of the padded input.
      // 0*3 + 1*5 + 2*7 + 1 = 20; 2*3 + 3*5 + 4*7 + 1 = 50
      const x = new Tensor([1, 1, 4], [1, 2, 3, 4]);
      expect(layer.forward(x)).toBeCloseTensor(new Tensor([1, 1, 2], [20, 50]), { ...TIGHT, what: 'Conv1d forward (stride 2, padding 1)' });
    });

    it('forward: equals the formula for stride 1-3, padding 0-2, several channels (property)', () => {
      fc.assert(
        fc.property(
          fc.record({
            n: fc.integer({ min: 1, max: 2 }),
            cIn: fc.integer({ min: 1, max: 3 }),
            cOut: fc.integer({ min: 1, max: 3 }),
            kernel: fc.integer({ min: 1, max: 4 }),
            stride: fc.integer({ min: 1, max: 3 }),
            padding: fc.integer({ min: 0, max: 2 }),
            extra: fc.integer({ min: 0, max: 8 }),
            seed: fc.integer({ min: 0, max: 2 ** 30 }),
          }),
          ({ n, cIn, cOut, kernel, stride, padding, extra, seed }) => {
            const length = Math.max(1, kernel - 2 * padding) + extra;
            const layer = conv(cIn, cOut, kernel, stride, padding, seed);
            const x = seededTensor([n, cIn, length], seed + 3, -2, 2);
            const expected = conv1dOracle(x, layer.params.W, layer.params.b, stride, padding);
            expect(expected.shape[2]).toBe(Math.floor((length + 2 * padding - kernel) / stride) + 1);
            expect(layer.forward(x)).toBeCloseTensor(expected, {
              ...TIGHT,
              what: `Conv1d forward (N ${n}, C_in ${cIn}, C_out ${cOut}, L ${length}, F ${kernel}, stride ${stride}, padding ${padding}, seed ${seed})`,
            });
          },
        ),
        { numRuns: 60 },
      );
    });

    it('forward: a stride that does not divide L + 2P - F floors the output length (L 6, F 2, stride 3 -> 2)', () => {
      const layer = conv(1, 1, 2, 3, 0, 71);
      const x = seededTensor([1, 1, 6], 72);
      expect(conv1dOutputLength(6, 2, 3, 0)).toBe(2);
      expect(layer.forward(x)).toBeCloseTensor(conv1dOracle(x, layer.params.W, layer.params.b, 3, 0), {
        ...TIGHT,
        what: 'Conv1d forward (stride 3, floored)',
      });
    });

    it('initialization: W [C_out, C_in, F] from the initializer with fanIn = C_in * F and new Rng(seed); b is zero', () => {
      const init = new RecordingInitializer();
      const layer = new Conv1d({ inChannels: 2, outChannels: 3, kernelSize: 4, initializer: init, seed: 5 });
      expect(init.calls).toEqual([{ shape: [3, 2, 4], fanIn: 8, firstDraw: new Rng(5).uniform() }]);
      expect(layer.params.W.data[23]).toBe(24);
      expect(layer.params.b).toBeCloseTensor(Tensor.zeros([3]), { what: 'Conv1d b at start' });
      expect(layer.grads.W.shape).toEqual([3, 2, 4]);
      expect(layer.grads.b.shape).toEqual([3]);
    });
  });

  describe('backward', () => {
    const cases = [
      { name: 'stride 1, padding 0', n: 2, cIn: 2, cOut: 3, kernel: 3, stride: 1, padding: 0, length: 7, seed: 81 },
      { name: 'stride 2, padding 1', n: 2, cIn: 3, cOut: 2, kernel: 3, stride: 2, padding: 1, length: 8, seed: 82 },
      { name: 'stride 3, padding 2', n: 1, cIn: 2, cOut: 2, kernel: 2, stride: 3, padding: 2, length: 9, seed: 83 },
      { name: 'stride 2, padding 0, stride not dividing', n: 2, cIn: 1, cOut: 2, kernel: 4, stride: 2, padding: 0, length: 9, seed: 84 },
    ];
    for (const c of cases) {
      for (const which of ['dx', 'dW', 'db'] as const) {
        it(`backward: ${which} matches the numeric gradient (${c.name})`, () => {
          const layer = conv(c.cIn, c.cOut, c.kernel, c.stride, c.padding, c.seed);
          const x = seededTensor([c.n, c.cIn, c.length], c.seed + 7, -2, 2);
          expect(gradientErrors(layer, x, c.seed)[which]).toBeLessThan(GRAD_TOLERANCE);
        });
      }
    }

    it('backward: dx, dW and db match numeric gradients for random configurations (property)', () => {
      fc.assert(
        fc.property(
          fc.record({
            cIn: fc.integer({ min: 1, max: 2 }),
            cOut: fc.integer({ min: 1, max: 2 }),
            kernel: fc.integer({ min: 1, max: 4 }),
            stride: fc.integer({ min: 1, max: 3 }),
            padding: fc.integer({ min: 0, max: 2 }),
            extra: fc.integer({ min: 0, max: 5 }),
            seed: fc.integer({ min: 0, max: 2 ** 30 }),
          }),
          ({ cIn, cOut, kernel, stride, padding, extra, seed }) => {
            const length = Math.max(1, kernel - 2 * padding) + extra;
            const layer = conv(cIn, cOut, kernel, stride, padding, seed);
            const errors = gradientErrors(layer, seededTensor([2, cIn, length], seed + 1, -2, 2), seed);
            expect(errors.dx).toBeLessThan(GRAD_TOLERANCE);
            expect(errors.dW).toBeLessThan(GRAD_TOLERANCE);
            expect(errors.db).toBeLessThan(GRAD_TOLERANCE);
          },
        ),
        { numRuns: 30 },
      );
    });

    it('backward: returns dx with the shape of x, leaves W and b unchanged, and overwrites grads on a second call', () => {
      const layer = conv(2, 2, 3, 2, 1, 91);
      const W = layer.params.W.clone();
      const b = layer.params.b.clone();
      const x = seededTensor([2, 2, 6], 92);
      const y = layer.forward(x);
      const dout = seededTensor(y.shape, 93);
      expect(layer.backward(dout).shape).toEqual([2, 2, 6]);
      const dW = layer.grads.W.clone();
      layer.forward(x);
      layer.backward(dout);
      expect(layer.params.W).toBeCloseTensor(W, { atol: 0, rtol: 0, what: 'Conv1d W after backward' });
      expect(layer.params.b).toBeCloseTensor(b, { atol: 0, rtol: 0, what: 'Conv1d b after backward' });
      expect(layer.grads.W).toBeCloseTensor(dW, { ...TIGHT, what: 'Conv1d dW after two backward passes' });
    });
  });

  describe('bad input', () => {
    it('rejects x whose channel count is not in_channels', () => {
      const layer = new Conv1d({ inChannels: 2, outChannels: 1, kernelSize: 2, initializer: new RecordingInitializer() });
      expect(() => layer.forward(new Tensor([1, 3, 5]))).toThrowKataError(/in_channels = 2 \(axis 1\), got 3/);
    });

    it('rejects x that is not [N, C_in, L]', () => {
      const layer = new Conv1d({ inChannels: 1, outChannels: 1, kernelSize: 2, initializer: new RecordingInitializer() });
      expect(() => layer.forward(new Tensor([1, 5]))).toThrowKataError(/expected a rank-3 tensor.*got rank 2/);
    });

    it('rejects a kernel longer than the padded input', () => {
      const layer = new Conv1d({ inChannels: 1, outChannels: 1, kernelSize: 5, padding: 1, initializer: new RecordingInitializer() });
      expect(() => layer.forward(new Tensor([1, 1, 2]))).toThrowKataError(/kernel size <= the padded input size 4 .*got kernel size 5/);
    });

    it('rejects NaN in x, dout of the wrong shape, and backward before forward', () => {
      const layer = new Conv1d({ inChannels: 1, outChannels: 2, kernelSize: 2, initializer: new RecordingInitializer() });
      expect(() => layer.backward(new Tensor([1, 2, 3]))).toThrowKataError(/Conv1d\.backward: call forward before backward/);
      expect(() => layer.forward(new Tensor([1, 1, 3], [0, NaN, 0]))).toThrowKataError(/expected finite values, got NaN/);
      layer.forward(new Tensor([1, 1, 4]));
      expect(() => layer.backward(new Tensor([1, 2, 4]))).toThrowKataError(/expected shape \[1, 2, 3\], got \[1, 2, 4\]/);
    });

    it('rejects sizes that are not whole numbers >= 1 and a negative padding', () => {
      expect(() => new Conv1d({ inChannels: 1, outChannels: 1, kernelSize: 0, initializer: new RecordingInitializer() })).toThrowKataError(
        /kernelSize must be a whole number >= 1, got 0/,
      );
      expect(() => new Conv1d({ inChannels: 1, outChannels: 1, kernelSize: 2, stride: 1.5, initializer: new RecordingInitializer() })).toThrowKataError(
        /stride must be a whole number >= 1, got 1\.5/,
      );
      expect(() => new Conv1d({ inChannels: 1, outChannels: 1, kernelSize: 2, padding: -1, initializer: new RecordingInitializer() })).toThrowKataError(
        /padding must be a whole number >= 0, got -1/,
      );
    });

    it('names the layer and the method in every message: Conv1d, Conv1d.forward, Conv1d.backward', () => {
      const init = new RecordingInitializer();
      const make = (options: Partial<ConstructorParameters<typeof Conv1d>[0]>) => () =>
        new Conv1d({ inChannels: 1, outChannels: 2, kernelSize: 2, initializer: init, ...options });
      expect(make({ inChannels: 0 })).toThrowKataError(/^Conv1d: inChannels must be a whole number >= 1, got 0/);
      expect(make({ outChannels: 0 })).toThrowKataError(/^Conv1d: outChannels must be a whole number >= 1, got 0/);
      expect(make({ kernelSize: 0 })).toThrowKataError(/^Conv1d: kernelSize must be a whole number >= 1, got 0/);
      expect(make({ stride: 0 })).toThrowKataError(/^Conv1d: stride must be a whole number >= 1, got 0/);
      expect(make({ padding: -1 })).toThrowKataError(/^Conv1d: padding must be a whole number >= 0, got -1/);
      const layer = make({})();
      expect(() => layer.forward(new Tensor([1, 4]))).toThrowKataError(/^Conv1d\.forward: expected a rank-3 tensor \[N, C_in, L\], got rank 2/);
      expect(() => layer.forward(new Tensor([1, 3, 4]))).toThrowKataError(/^Conv1d\.forward: .*in_channels = 1 \(axis 1\), got 3/);
      expect(() => layer.forward(new Tensor([1, 1, 3], [0, NaN, 0]))).toThrowKataError(/^Conv1d\.forward: expected finite values, got NaN/);
      expect(() => layer.forward(new Tensor([1, 1, 1]))).toThrowKataError(/^Conv1d\.forward: expected a kernel size <= the padded input size 1/);
      layer.forward(new Tensor([1, 1, 4]));
      expect(() => layer.backward(new Tensor([1, 2, 4]))).toThrowKataError(/^Conv1d\.backward: expected shape \[1, 2, 3\], got \[1, 2, 4\]/);
    });
  });
});

// ---------------------------------------------------------------- initializers

describe('initializers: weights drawn from N(0, sigma^2)', () => {
  it('sigma: Simple is fixed (0.01 by default), Xavier is 1/sqrt(fanIn), He is sqrt(2/fanIn)', () => {
    expect(new SimpleInitializer().sigma(784)).toBe(0.01);
    expect(new SimpleInitializer(0.5).sigma(3)).toBe(0.5);
    expect(new XavierInitializer().sigma(100)).toBeCloseTo(0.1, 15);
    expect(new XavierInitializer().sigma(4)).toBeCloseTo(0.5, 15);
    expect(new HeInitializer().sigma(50)).toBeCloseTo(0.2, 15);
    expect(new HeInitializer().sigma(8)).toBeCloseTo(0.5, 15);
  });

  it('sigma: Xavier gives fanIn * sigma^2 = 1 and He gives 2, for any fanIn (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (fanIn) => {
        expect(fanIn * new XavierInitializer().sigma(fanIn) ** 2).toBeCloseTo(1, 12);
        expect(fanIn * new HeInitializer().sigma(fanIn) ** 2).toBeCloseTo(2, 12);
      }),
    );
  });

  const cases: Array<{ name: string; init: () => Initializer; sigma: number }> = [
    { name: 'SimpleInitializer(0.05)', init: () => new SimpleInitializer(0.05), sigma: 0.05 },
    { name: 'XavierInitializer', init: () => new XavierInitializer(), sigma: 1 / Math.sqrt(100) },
    { name: 'HeInitializer', init: () => new HeInitializer(), sigma: Math.sqrt(2 / 100) },
  ];
  for (const c of cases) {
    it(`weights: ${c.name} on 20,000 draws (fanIn 100) has mean ~ 0 and std within 3% of ${c.sigma.toFixed(4)}`, () => {
      const W = c.init().weights([100, 200], 100, new Rng(5));
      expect(W.shape).toEqual([100, 200]);
      const { mean, std } = sampleStd(W.data);
      expect(Math.abs(std / c.sigma - 1)).toBeLessThan(0.03);
      expect(Math.abs(mean)).toBeLessThan((4 * c.sigma) / Math.sqrt(20_000));
    });

    it(`weights: ${c.name} is deterministic for a seed, and another seed gives other weights`, () => {
      const a = c.init().weights([3, 4, 5], 20, new Rng(9));
      const b = c.init().weights([3, 4, 5], 20, new Rng(9));
      const other = c.init().weights([3, 4, 5], 20, new Rng(10));
      expect(a.shape).toEqual([3, 4, 5]);
      expect(a.data).toEqual(b.data);
      expect(a.data).not.toEqual(other.data);
    });
  }

  it("default: FC's weights come from He, sigma = sqrt(2 / in_features), seed 0 (std within 3% on 20,000 weights)", () => {
    const layer = new FC({ inFeatures: 500, outFeatures: 40 });
    const { std } = sampleStd(layer.params.W.data);
    expect(Math.abs(std / Math.sqrt(2 / 500) - 1)).toBeLessThan(0.03);
    expect(new FC({ inFeatures: 500, outFeatures: 40, seed: 0 }).params.W.data).toEqual(layer.params.W.data);
    expect(new FC({ inFeatures: 500, outFeatures: 40, seed: 1 }).params.W.data).not.toEqual(layer.params.W.data);
  });

  it('bad input: sigma <= 0 and fanIn < 1 are rejected', () => {
    expect(() => new SimpleInitializer(-1)).toThrowKataError(/sigma must be a finite number > 0, got -1/);
    expect(() => new SimpleInitializer(0)).toThrowKataError(/sigma must be a finite number > 0, got 0/);
    expect(() => new HeInitializer().sigma(0)).toThrowKataError(/fanIn must be a whole number >= 1, got 0/);
    expect(() => new XavierInitializer().weights([2, 2], 2.5, new Rng(0))).toThrowKataError(/fanIn must be a whole number >= 1, got 2\.5/);
  });
});

// ---------------------------------------------------------------- optimizers

describe('optimizers: SGD and AdaGrad', () => {
  it('SGD: theta <- theta - lr * g, in place, for every parameter; grads untouched', () => {
    const layer = fakeLayer({ W: [1, 2, 3, 4], b: [0.5] }, { W: [10, -20, 0.5, 0], b: [-1] });
    const W = layer.params.W;
    new SGD({ lr: 0.1 }).update(layer);
    // [1 - 1, 2 + 2, 3 - 0.05, 4 - 0] and [0.5 + 0.1]
    expect(layer.params.W).toBe(W);
    expect(W).toBeCloseTensor(vector([0, 4, 2.95, 4]), { ...TIGHT, what: 'SGD W after one step' });
    expect(layer.params.b).toBeCloseTensor(vector([0.6]), { ...TIGHT, what: 'SGD b after one step' });
    expect(layer.grads.W).toBeCloseTensor(vector([10, -20, 0.5, 0]), { atol: 0, rtol: 0, what: 'SGD leaves grads unchanged' });
  });

  it('SGD: keeps no memory, a second step uses only the new gradient', () => {
    const layer = fakeLayer({ W: [1] }, { W: [2] });
    const sgd = new SGD({ lr: 0.25 });
    sgd.update(layer); // 1 - 0.5 = 0.5
    layer.grads.W.data[0] = -4;
    sgd.update(layer); // 0.5 + 1 = 1.5
    expect(layer.params.W).toBeCloseTensor(vector([1.5]), { ...TIGHT, what: 'SGD W after two steps' });
  });

  it('AdaGrad: two hand-checked steps show h accumulating g^2 (lr 0.5, default eps 1e-7)', () => {
    const eps = 1e-7;
    const layer = fakeLayer({ W: [1, -2], b: [0.5] }, { W: [3, 4], b: [0] });
    const ada = new AdaGrad({ lr: 0.5 });
    ada.update(layer);
    // h_W = [9, 16]; W = [1 - 0.5*3/(3+eps), -2 - 0.5*4/(4+eps)] ~ [0.5, -2.5]. h_b = 0, g_b = 0: b stays 0.5.
    const W1 = [1 - (0.5 * 3) / (3 + eps), -2 - (0.5 * 4) / (4 + eps)];
    expect(layer.params.W).toBeCloseTensor(vector(W1), { ...TIGHT, what: 'AdaGrad W after step 1' });
    expect(layer.params.b).toBeCloseTensor(vector([0.5]), { ...TIGHT, what: 'AdaGrad b after step 1 (zero gradient)' });

    layer.grads.W.data.set([4, -3]);
    layer.grads.b.data.set([2]);
    ada.update(layer);
    // h_W = [9 + 16, 16 + 9] = [25, 25]; W -= 0.5 * [4, -3] / (5 + eps) -> ~ [0.1, -2.2]. h_b = 4; b -= 0.5*2/(2+eps) -> ~ 0.
    const W2 = [W1[0] - (0.5 * 4) / (5 + eps), W1[1] + (0.5 * 3) / (5 + eps)];
    expect(layer.params.W).toBeCloseTensor(vector(W2), { ...TIGHT, what: 'AdaGrad W after step 2' });
    expect(layer.params.b).toBeCloseTensor(vector([0.5 - (0.5 * 2) / (2 + eps)]), { ...TIGHT, what: 'AdaGrad b after step 2' });
  });

  it('AdaGrad: keeps a separate h for each parameter tensor (one optimizer, two layers)', () => {
    const ada = new AdaGrad({ lr: 1, eps: 1e-3 });
    const first = fakeLayer({ W: [0] }, { W: [2] });
    const second = fakeLayer({ W: [0] }, { W: [2] });
    ada.update(first);
    ada.update(first); // h = 8 for the first layer's W
    ada.update(second); // h = 4 for the second layer's W: a first step
    expect(first.params.W).toBeCloseTensor(vector([-2 / (2 + 1e-3) - 2 / (Math.sqrt(8) + 1e-3)]), { ...TIGHT, what: 'AdaGrad, layer 1 after two steps' });
    expect(second.params.W).toBeCloseTensor(vector([-2 / (2 + 1e-3)]), { ...TIGHT, what: 'AdaGrad, layer 2 after one step' });
  });

  it('bad input: lr and eps must be > 0; grads must match params', () => {
    expect(() => new SGD({ lr: 0 })).toThrowKataError(/lr must be a finite number > 0, got 0/);
    expect(() => new AdaGrad({ lr: -0.1 })).toThrowKataError(/lr must be a finite number > 0, got -0\.1/);
    expect(() => new AdaGrad({ lr: 0.1, eps: 0 })).toThrowKataError(/eps must be a finite number > 0, got 0/);
    expect(() => new SGD({ lr: 0.1 }).update(fakeLayer({ W: [1, 2] }, {}))).toThrowKataError(/has params\.W but no grads\.W/);
    expect(() => new AdaGrad({ lr: 0.1 }).update(fakeLayer({ W: [1, 2] }, { W: [1, 2, 3] }))).toThrowKataError(
      /grads\.W has shape \[3\], params\.W has shape \[2\]/,
    );
  });

  it('bad input: messages name the optimizer; a grad must have the shape of its param, rank included', () => {
    expect(() => new SGD({ lr: 0 })).toThrowKataError(/^SGD: lr must be a finite number > 0, got 0/);
    expect(() => new AdaGrad({ lr: 0 })).toThrowKataError(/^AdaGrad: lr must be a finite number > 0, got 0/);
    expect(() => new AdaGrad({ lr: 0.1, eps: -1 })).toThrowKataError(/^AdaGrad: eps must be a finite number > 0, got -1/);
    const layer = (param: number[], grad: number[]): ParametricLayer => ({
      params: { W: new Tensor(param) },
      grads: { W: new Tensor(grad) },
      forward: (x) => x,
      backward: (d) => d,
    });
    expect(() => new SGD({ lr: 0.1 }).update(layer([2, 3], [2]))).toThrowKataError(/^SGD\.update: grads\.W has shape \[2\], params\.W has shape \[2, 3\]/);
    expect(() => new AdaGrad({ lr: 0.1 }).update(layer([2, 3], [2, 4]))).toThrowKataError(
      /^AdaGrad\.update: grads\.W has shape \[2, 4\], params\.W has shape \[2, 3\]/,
    );
  });
});

// ---------------------------------------------------------------- GetMiniBatch

describe('GetMiniBatch: shuffled mini-batches', () => {
  /** x [N, 2] with row i = [i, -i], y[i] = i: a batch shows which samples it holds. */
  function indexed(n: number): { x: Tensor; y: Int32Array } {
    const x = new Tensor([n, 2]);
    for (let i = 0; i < n; i++) x.data.set([i, -i], 2 * i);
    return { x, y: Int32Array.from({ length: n }, (_, i) => i) };
  }

  /** The labels of every batch of one epoch, in order, checking that x rows stay paired with them. */
  function epoch(batches: Iterable<{ x: Tensor; y: Int32Array }>): { order: number[]; sizes: number[] } {
    const order: number[] = [];
    const sizes: number[] = [];
    for (const { x, y } of batches) {
      expect(x.shape).toEqual([y.length, 2]);
      for (let r = 0; r < y.length; r++) expect([x.get(r, 0), x.get(r, 1)]).toEqual([y[r], -y[r]]);
      order.push(...y);
      sizes.push(y.length);
    }
    return { order, sizes };
  }

  it('every sample exactly once per epoch, ceil(N / batchSize) batches, rows paired (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 25 }), fc.integer({ min: 0, max: 2 ** 30 }), (n, batchSize, seed) => {
        const { x, y } = indexed(n);
        const batches = new GetMiniBatch(x, y, { batchSize, seed });
        expect(batches.length).toBe(Math.ceil(n / batchSize));
        const { order, sizes } = epoch(batches);
        expect(sizes.length).toBe(Math.ceil(n / batchSize));
        expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
    );
  });

  it('shuffles with new Rng(seed).permutation(N)', () => {
    const { x, y } = indexed(23);
    const { order } = epoch(new GetMiniBatch(x, y, { batchSize: 5, seed: 4 }));
    expect(order).toEqual([...new Rng(4).permutation(23)]);
  });

  it('keeps the last partial batch: N 45 with the default batchSize 20 gives 20, 20, 5', () => {
    const { x, y } = indexed(45);
    const batches = new GetMiniBatch(x, y);
    expect(batches.length).toBe(3);
    expect(epoch(batches).sizes).toEqual([20, 20, 5]);
    expect(batches.batch(2).y.length).toBe(5);
  });

  it('same seed, same order; different seeds, different orders; iterating again replays the epoch', () => {
    const { x, y } = indexed(30);
    const a = new GetMiniBatch(x, y, { batchSize: 7, seed: 1 });
    const first = epoch(a).order;
    expect(epoch(a).order).toEqual(first);
    expect(epoch(new GetMiniBatch(x, y, { batchSize: 7, seed: 1 })).order).toEqual(first);
    expect(epoch(new GetMiniBatch(x, y, { batchSize: 7, seed: 2 })).order).not.toEqual(first);
  });

  it('batch(i) equals the i-th batch of the iteration, and works for image tensors [N, C, H, W]', () => {
    const n = 9;
    const x = new Tensor(
      [n, 1, 2, 2],
      Float64Array.from({ length: n * 4 }, (_, i) => Math.floor(i / 4) * 10 + (i % 4)),
    );
    const y = Int32Array.from({ length: n }, (_, i) => i);
    const batches = new GetMiniBatch(x, y, { batchSize: 4, seed: 3 });
    const iterated = [...batches];
    expect(iterated.length).toBe(3);
    iterated.forEach((b, i) => {
      const direct = batches.batch(i);
      expect(direct.y).toEqual(b.y);
      expect(direct.x).toBeCloseTensor(b.x, { atol: 0, rtol: 0, what: `batch(${i}) vs iteration` });
      expect(b.x.shape).toEqual([b.y.length, 1, 2, 2]);
      b.y.forEach((sample, r) => {
        for (let p = 0; p < 4; p++) expect(b.x.get(r, 0, Math.floor(p / 2), p % 2)).toBe(sample * 10 + p);
      });
    });
  });

  it('bad input: x and y of different lengths, bad batchSize, fractional labels, batch index out of range', () => {
    const { x, y } = indexed(10);
    expect(() => new GetMiniBatch(x, y.subarray(0, 9))).toThrowKataError(/same number of samples: x has N = 10.*y has 9/);
    expect(() => new GetMiniBatch(x, y, { batchSize: 0 })).toThrowKataError(/batchSize must be a whole number >= 1, got 0/);
    expect(() => new GetMiniBatch(x, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9.5])).toThrowKataError(/whole numbers .*got 9\.5 at index 9/);
    expect(() => new GetMiniBatch(x, y, { batchSize: 4 }).batch(3)).toThrowKataError(/batch index in 0\.\.2, got 3/);
  });

  it('takes x of any rank >= 1 (one number per sample is fine) and names itself when batchSize is bad', () => {
    const batches = new GetMiniBatch(new Tensor([3], [10, 11, 12]), [0, 1, 2], { batchSize: 3, seed: 1 });
    expect(batches.length).toBe(1);
    expect(Array.from(batches.batch(0).x.data).sort()).toEqual([10, 11, 12]);
    expect(() => new GetMiniBatch(new Tensor([3]), [0, 1, 2], { batchSize: 0 })).toThrowKataError(
      /^GetMiniBatch: batchSize must be a whole number >= 1, got 0/,
    );
  });

  it('batch(i) rejects a negative or fractional index too', () => {
    const { x, y } = indexed(10);
    const batches = new GetMiniBatch(x, y, { batchSize: 4 });
    expect(() => batches.batch(-1)).toThrowKataError(/^GetMiniBatch\.batch: expected a batch index in 0\.\.2, got -1/);
    expect(() => batches.batch(0.5)).toThrowKataError(/^GetMiniBatch\.batch: expected a batch index in 0\.\.2, got 0\.5/);
  });
});
