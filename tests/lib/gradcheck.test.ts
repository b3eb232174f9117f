import fc from 'fast-check';
import { numericGradient, relativeError } from '../../lib/gradcheck';

describe('numericGradient: central differences', () => {
  it('f(x) = sum x_i^2 has gradient 2x', () => {
    const x = new Float64Array([1, -2, 0.5, 3]);
    const f = (): number => x.reduce((s, v) => s + v * v, 0);
    const g = numericGradient(f, x);
    // A quadratic has no third derivative: central differences are exact up to rounding.
    expect(relativeError(g, [2, -4, 1, 6])).toBeLessThan(1e-9);
  });

  it('f(x) = sum sin(x_i) has gradient cos(x)', () => {
    const x = new Float64Array([0, 1, -2, 3.5]);
    const g = numericGradient(() => x.reduce((s, v) => s + Math.sin(v), 0), x);
    // Truncation error h^2 / 6 * |f'''| ~ 2e-11.
    expect(relativeError(g, Array.from(x, Math.cos))).toBeLessThan(1e-9);
  });

  it('f(x) = x^T A x has gradient (A + A^T) x, for random A and x', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 5 })
          .chain((n) =>
            fc.tuple(
              fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n * n, maxLength: n * n }),
              fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n }),
            ),
          ),
        ([A, xs]) => {
          const n = xs.length;
          const x = Float64Array.from(xs);
          const f = (): number => {
            let s = 0;
            for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += x[i] * A[i * n + j] * x[j];
            return s;
          };
          const expected = Array.from({ length: n }, (_, i) => {
            let s = 0;
            for (let j = 0; j < n; j++) s += (A[i * n + j] + A[j * n + i]) * x[j];
            return s;
          });
          const numeric = numericGradient(f, x);
          const scale = Math.max(1, ...expected.map(Math.abs));
          for (let i = 0; i < n; i++) expect(Math.abs(numeric[i] - expected[i])).toBeLessThan(1e-8 * scale);
        },
      ),
    );
  });

  it('f(x) = x0 * x1 * x2 has gradient (x1 x2, x0 x2, x0 x1)', () => {
    const x = new Float64Array([2, -3, 0.5]);
    const g = numericGradient(() => x[0] * x[1] * x[2], x);
    expect(relativeError(g, [-1.5, 1, -6])).toBeLessThan(1e-9);
  });

  it('restores x exactly after probing', () => {
    const x = new Float64Array([0.1, 0.2, 0.3]);
    const before = Array.from(x);
    numericGradient(() => x[0] * x[1] + Math.exp(x[2]), x);
    expect(Array.from(x)).toEqual(before);
  });

  it('uses the given step h: (f(x + h) - f(x - h)) / 2h', () => {
    // For f(x) = x^3 at 1, the central difference is 3 + h^2 exactly.
    const x = new Float64Array([1]);
    const g = numericGradient(() => x[0] ** 3, x, 0.1);
    expect(g[0]).toBeCloseTo(3.01, 12);
  });
});

describe('relativeError: max|a - n| / max(1e-8, max(|a| + |n|))', () => {
  it('is 0 for identical gradients, also all zeros and empty ones', () => {
    expect(relativeError([1, -2, 3], [1, -2, 3])).toBe(0);
    expect(relativeError([0, 0], [0, 0])).toBe(0);
    expect(relativeError([], [])).toBe(0);
  });

  it('divides the largest difference by the largest |a| + |n|', () => {
    // max diff 0.1 (first element), max scale |2| + |2.05| = 4.05 (second element)
    expect(relativeError([1, 2], [1.1, 2.05])).toBeCloseTo(0.1 / 4.05, 14);
    expect(relativeError([1], [-1])).toBeCloseTo(1, 14);
  });

  it('uses 1e-8 as the scale floor, so tiny gradients near zero are not blown up', () => {
    expect(relativeError([1e-10], [0])).toBeCloseTo(1e-2, 14);
    expect(relativeError([1e-12], [-1e-12])).toBeCloseTo(2e-4, 14);
  });

  it('does not depend on the order of the elements or on the overall sign', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true })), { minLength: 1, maxLength: 8 }),
        (pairs) => {
          const a = pairs.map((p) => p[0]);
          const n = pairs.map((p) => p[1]);
          const e = relativeError(a, n);
          expect(e).toBeGreaterThanOrEqual(0);
          expect(e).toBeLessThanOrEqual(1);
          expect(relativeError([...a].reverse(), [...n].reverse())).toBe(e);
          expect(
            relativeError(
              a.map((v) => -v),
              n.map((v) => -v),
            ),
          ).toBe(e);
        },
      ),
    );
  });

  it('a NaN makes the error NaN, which fails any "< threshold" check', () => {
    expect(relativeError([1, NaN], [1, 2])).toBeNaN();
  });

  it('rejects gradients of different lengths', () => {
    expect(() => relativeError([1, 2], [1])).toThrow('relativeError: lengths differ (2 vs 1)');
  });
});
