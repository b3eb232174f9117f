/**
 * Exercise 05: Flatten.
 *
 *   forward:  x [N, d1, ..., dk] -> y [N, d1 * ... * dk], values in the same row-major order
 *   backward: dout [N, d1 * ... * dk] -> dx [N, d1, ..., dk] (the reverse reshape)
 */
import fc from 'fast-check';
import { Flatten } from '@kata/05-flatten/flatten';
import { seededTensor } from './helpers/arbitraries';
import { numericGradient, relativeError } from '../lib/gradcheck';
import { Tensor } from '../lib/tensor';

/** Shapes of rank 2..5 with small sizes. */
const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 5 });

describe('05 Flatten forward', () => {
  it('forward: [N, C, H, W] -> [N, C*H*W]', () => {
    const out = new Flatten().forward(Tensor.zeros([2, 3, 4, 5]));
    expect(out.shape).toEqual([2, 60]);
  });

  it('forward: keeps the row-major order, y[n, (c*H + h)*W + w] = x[n, c, h, w]', () => {
    // x[n] = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]] + 8n: each sample becomes one row, channel 0 first.
    const x = Tensor.from([
      [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
      ],
      [
        [
          [9, 10],
          [11, 12],
        ],
        [
          [13, 14],
          [15, 16],
        ],
      ],
    ]);
    const out = new Flatten().forward(x);
    expect(out).toBeCloseTensor(
      Tensor.from([
        [1, 2, 3, 4, 5, 6, 7, 8],
        [9, 10, 11, 12, 13, 14, 15, 16],
      ]),
      {
        what: 'Flatten forward of [2, 2, 2, 2]',
      },
    );
  });

  it('forward: every element lands at its row-major position, for random shapes [N, C, H, W]', () => {
    fc.assert(
      fc.property(
        shapeArb.filter((s) => s.length === 4),
        fc.integer({ min: 0, max: 1000 }),
        (shape, seed) => {
          const [N, C, H, W] = shape;
          const x = seededTensor(shape, seed);
          const out = new Flatten().forward(x);
          expect(out.shape).toEqual([N, C * H * W]);
          for (let n = 0; n < N; n++)
            for (let c = 0; c < C; c++)
              for (let h = 0; h < H; h++)
                for (let w = 0; w < W; w++) {
                  if (out.get(n, (c * H + h) * W + w) !== x.get(n, c, h, w)) {
                    throw new Error(
                      `Flatten forward of [${shape.join(', ')}], seed ${seed}: y[${n}, ${(c * H + h) * W + w}] should be x[${n}, ${c}, ${h}, ${w}]`,
                    );
                  }
                }
        },
      ),
    );
  });

  it('forward: a rank-2 input [N, F] comes out unchanged', () => {
    const x = Tensor.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(new Flatten().forward(x)).toBeCloseTensor(x, { atol: 0, rtol: 0, what: 'Flatten forward of [2, 3]' });
  });

  it('forward: rank 3 and rank 5 inputs keep the batch axis and flatten the rest', () => {
    const x3 = new Tensor(
      [2, 3, 4],
      Array.from({ length: 24 }, (_, k) => k),
    );
    const x5 = new Tensor(
      [2, 1, 2, 3, 2],
      Array.from({ length: 24 }, (_, k) => -k),
    );
    expect(new Flatten().forward(x3)).toBeCloseTensor(new Tensor([2, 12], x3.data.slice()), { atol: 0, rtol: 0, what: 'Flatten forward of [2, 3, 4]' });
    expect(new Flatten().forward(x5)).toBeCloseTensor(new Tensor([2, 12], x5.data.slice()), {
      atol: 0,
      rtol: 0,
      what: 'Flatten forward of [2, 1, 2, 3, 2]',
    });
  });

  it('forward: shapes of rank 2..5 give [N, product of the rest] with the same values in the same order', () => {
    fc.assert(
      fc.property(shapeArb, fc.integer({ min: 0, max: 1000 }), (shape, seed) => {
        const x = seededTensor(shape, seed);
        const rest = shape.slice(1).reduce((p, d) => p * d, 1);
        expect(new Flatten().forward(x)).toBeCloseTensor(new Tensor([shape[0], rest], x.data.slice()), {
          atol: 0,
          rtol: 0,
          what: `Flatten forward of [${shape.join(', ')}], seed ${seed}`,
        });
      }),
    );
  });
});

describe('05 Flatten backward', () => {
  it('backward: reshapes dout [N, C*H*W] back to the input shape [N, C, H, W]', () => {
    const layer = new Flatten();
    layer.forward(Tensor.zeros([2, 3, 2, 2]));
    const dout = new Tensor(
      [2, 12],
      Array.from({ length: 24 }, (_, k) => k / 2),
    );
    const dx = layer.backward(dout);
    expect(dx).toBeCloseTensor(new Tensor([2, 3, 2, 2], dout.data.slice()), { atol: 0, rtol: 0, what: 'Flatten dx for input [2, 3, 2, 2]' });
    expect(dx.get(1, 2, 0, 1)).toBe(dout.get(1, 2 * 4 + 0 * 2 + 1));
  });

  it('backward after forward is a round trip: backward(forward(x)) has the shape and values of x', () => {
    fc.assert(
      fc.property(shapeArb, fc.integer({ min: 0, max: 1000 }), (shape, seed) => {
        const x = seededTensor(shape, seed);
        const layer = new Flatten();
        const back = layer.backward(layer.forward(x));
        expect(back).toBeCloseTensor(x, { atol: 0, rtol: 0, what: `Flatten round trip of [${shape.join(', ')}], seed ${seed}` });
      }),
    );
  });

  it('backward: dx equals the numeric gradient of L = sum(r * forward(x)) (central differences, float64, relative error < 1e-8)', () => {
    // L is linear in x, so central differences are exact up to rounding (about 1e-11 with h = 1e-5):
    // any misplaced or scaled value of dx = backward(r) shows as a relative error far above 1e-8.
    fc.assert(
      fc.property(shapeArb, fc.integer({ min: 0, max: 1000 }), (shape, seed) => {
        const x = seededTensor(shape, seed);
        const rest = shape.slice(1).reduce((p, d) => p * d, 1);
        const r = seededTensor([shape[0], rest], seed + 1);
        const layer = new Flatten();
        const loss = (): number => new Flatten().forward(x).data.reduce((sum, v, i) => sum + r.data[i] * v, 0);
        layer.forward(x);
        const dx = layer.backward(r);
        expect(dx.shape).toEqual(shape);
        const error = relativeError(dx.data, numericGradient(loss, x.data));
        if (!(error < 1e-8)) throw new Error(`Flatten dx of [${shape.join(', ')}], seed ${seed}: relative error ${error} vs the numeric gradient`);
      }),
      { numRuns: 50 },
    );
  });

  it('backward: uses the shape of the latest forward', () => {
    const layer = new Flatten();
    layer.forward(Tensor.zeros([2, 3, 4, 5]));
    layer.forward(Tensor.zeros([3, 2, 2]));
    expect(layer.backward(Tensor.full([3, 4], 1)).shape).toEqual([3, 2, 2]);
  });
});

describe('05 Flatten bad input', () => {
  it('rejects a rank-1 input (there is no batch axis to keep)', () => {
    expect(() => new Flatten().forward(new Tensor([6]))).toThrowKataError(/Flatten\.forward: expected a tensor of rank >= 2.*got rank 1 with shape \[6\]/);
  });

  it('rejects NaN and infinite input values', () => {
    const x = Tensor.zeros([2, 3]);
    x.set(NaN, 1, 2);
    expect(() => new Flatten().forward(x)).toThrowKataError(/Flatten\.forward: expected finite values, got NaN at index \[1, 2\]/);
  });

  it('rejects NaN and Infinity in dout, naming the value and its index (lib/layer.ts)', () => {
    const layer = new Flatten();
    layer.forward(Tensor.zeros([2, 3, 4, 5]));
    const dout = Tensor.zeros([2, 60]);
    dout.data[61] = Infinity; // [1, 1]
    expect(() => layer.backward(dout)).toThrowKataError(/^Flatten\.backward: expected finite values, got Infinity at index \[1, 1\]/);
    dout.data[61] = NaN;
    expect(() => layer.backward(dout)).toThrowKataError(/^Flatten\.backward: expected finite values, got NaN at index \[1, 1\]/);
  });

  it('rejects a dout whose shape is not the output shape, even with the right number of elements', () => {
    const layer = new Flatten();
    layer.forward(Tensor.zeros([2, 3, 4, 5]));
    expect(() => layer.backward(Tensor.zeros([2, 59]))).toThrowKataError(/Flatten\.backward: expected shape \[2, 60\], got \[2, 59\]/);
    expect(() => layer.backward(Tensor.zeros([60, 2]))).toThrowKataError(/Flatten\.backward: expected shape \[2, 60\], got \[60, 2\]/);
    expect(() => layer.backward(Tensor.zeros([2, 3, 4, 5]))).toThrowKataError(/Flatten\.backward: expected shape \[2, 60\], got \[2, 3, 4, 5\]/);
  });

  it('rejects backward before any forward', () => {
    expect(() => new Flatten().backward(Tensor.zeros([2, 3]))).toThrowKataError(/Flatten\.backward.*forward first/);
  });
});
