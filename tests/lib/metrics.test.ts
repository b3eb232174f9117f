import fc from 'fast-check';
import { accuracy, confusionMatrix, precisionRecall } from '../../lib/metrics';

/** Two label arrays of the same length with classes 0..k-1. */
const labelPairs = fc
  .integer({ min: 1, max: 12 })
  .chain((k) =>
    fc
      .integer({ min: 1, max: 80 })
      .chain((n) =>
        fc.tuple(
          fc.constant(k),
          fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: n, maxLength: n }),
          fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: n, maxLength: n }),
        ),
      ),
  );

describe('accuracy', () => {
  it('counts matching entries: 3 of 4 correct is 0.75', () => {
    expect(accuracy([0, 1, 2, 3], [0, 1, 2, 0])).toBe(0.75);
    expect(accuracy(Int32Array.from([5, 5]), [5, 5])).toBe(1);
    expect(accuracy([1, 2, 3], [0, 0, 0])).toBe(0);
  });

  it('rejects arrays of different lengths and empty arrays', () => {
    expect(() => accuracy([1, 2, 3], [1, 2])).toThrow('accuracy: yTrue and yPred must have the same length, got 3 and 2');
    expect(() => accuracy([], [])).toThrow('accuracy: expected at least one sample, got 0');
  });
});

describe('confusionMatrix', () => {
  it('rows are true classes, columns predicted classes (hand case)', () => {
    //            true: 0  0  1  1  1  2
    //       predicted: 0  1  1  1  2  0
    expect(confusionMatrix([0, 0, 1, 1, 1, 2], [0, 1, 1, 1, 2, 0], 3)).toEqual([
      [1, 1, 0],
      [0, 2, 1],
      [1, 0, 0],
    ]);
  });

  it('has 10 classes by default', () => {
    const m = confusionMatrix([9], [3]);
    expect(m).toHaveLength(10);
    expect(m.every((row) => row.length === 10)).toBe(true);
    expect(m[9][3]).toBe(1);
  });

  it('property: entries sum to N, row sums count the true classes, trace / N = accuracy', () => {
    fc.assert(
      fc.property(labelPairs, ([k, yTrue, yPred]) => {
        const m = confusionMatrix(yTrue, yPred, k);
        const total = m.flat().reduce((a, b) => a + b, 0);
        expect(total).toBe(yTrue.length);
        for (let c = 0; c < k; c++) {
          expect(m[c].reduce((a, b) => a + b, 0)).toBe(yTrue.filter((y) => y === c).length);
          expect(m.reduce((a, row) => a + row[c], 0)).toBe(yPred.filter((y) => y === c).length);
        }
        const trace = m.reduce((a, row, c) => a + row[c], 0);
        expect(trace / yTrue.length).toBeCloseTo(accuracy(yTrue, yPred), 12);
      }),
    );
  });

  it('rejects mismatched lengths and labels outside 0..classes-1', () => {
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow('confusionMatrix: yTrue and yPred must have the same length, got 2 and 1');
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(
      /confusionMatrix \(yTrue\): expected labels that are whole numbers in 0\.\.2, got 3 at index 1/,
    );
    expect(() => confusionMatrix([0, 1], [0, 1.5], 3)).toThrow(/confusionMatrix \(yPred\): .* got 1\.5 at index 1/);
    expect(() => confusionMatrix([0], [0], 0)).toThrow(/classes must be a whole number >= 1, got 0/);
  });
});

describe('precisionRecall', () => {
  it('hand case: precision by column, recall by row', () => {
    const { precision, recall } = precisionRecall([
      [1, 1, 0],
      [0, 2, 1],
      [1, 0, 0],
    ]);
    // column sums 2, 3, 1; row sums 2, 3, 1; diagonal 1, 2, 0
    expect(precision).toEqual([1 / 2, 2 / 3, 0]);
    expect(recall).toEqual([1 / 2, 2 / 3, 0]);
  });

  it('asymmetric hand case', () => {
    // true 0 is always predicted 0; true 1 is predicted 0 three times of four
    const { precision, recall } = precisionRecall([
      [5, 0],
      [3, 1],
    ]);
    expect(precision).toEqual([5 / 8, 1]);
    expect(recall).toEqual([1, 1 / 4]);
  });

  it('0/0 is defined as 0: a class never present and never predicted', () => {
    const { precision, recall } = precisionRecall([
      [4, 0],
      [0, 0],
    ]);
    expect(precision).toEqual([1, 0]);
    expect(recall).toEqual([1, 0]);
  });

  it('property: values in [0, 1]; recall weighted by class frequency equals accuracy', () => {
    fc.assert(
      fc.property(labelPairs, ([k, yTrue, yPred]) => {
        const m = confusionMatrix(yTrue, yPred, k);
        const { precision, recall } = precisionRecall(m);
        for (const v of [...precision, ...recall]) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
        // sum_c (N_c / N) * recall_c = sum_c M[c][c] / N
        const weighted = recall.reduce((a, r, c) => a + (r * yTrue.filter((y) => y === c).length) / yTrue.length, 0);
        expect(weighted).toBeCloseTo(accuracy(yTrue, yPred), 12);
      }),
    );
  });

  it('rejects a matrix that is not square or holds a negative count', () => {
    expect(() => precisionRecall([])).toThrow('precisionRecall: expected a non-empty square matrix, got 0 rows');
    expect(() => precisionRecall([[1, 2], [3]])).toThrow('precisionRecall: expected a square 2x2 matrix, got 1 columns in row 1');
    expect(() =>
      precisionRecall([
        [1, -2],
        [3, 4],
      ]),
    ).toThrow('precisionRecall: expected counts >= 0, got -2 at [0][1]');
  });
});
