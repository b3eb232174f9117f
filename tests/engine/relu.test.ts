/**
 * lib/relu: the branch-free element loops give exactly the values of the
 * branching definitions, y = x > 0 ? x : 0 and dx = y > 0 ? dout : 0
 * (Object.is, so a -0 where the definition has 0 would fail), and the
 * forward names the first non-finite input.
 */
import '../../engine'; // installs the engine's gemm backend
import fc from 'fast-check';
import { reluBackwardInto, reluForwardInto } from '../../engine/kernels/relu';

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const values = fc.array(fc.oneof(finite, fc.constantFrom(0, -0, 5e-324, -5e-324, 1.7976931348623157e308, -1.7976931348623157e308)), { maxLength: 60 });

it('reluForwardInto gives x where x > 0 and 0 elsewhere, and -1 for finite input', () => {
  fc.assert(
    fc.property(values, (xs) => {
      const x = Float64Array.from(xs);
      const y = new Float64Array(x.length).fill(7);
      expect(reluForwardInto(x, y)).toBe(-1);
      x.forEach((v, i) => expect(Object.is(y[i], v > 0 ? v : 0)).toBe(true));
    }),
  );
});

it('reluForwardInto returns the index of the first NaN or infinity', () => {
  expect(reluForwardInto(Float64Array.from([1, -2, Infinity, NaN]), new Float64Array(4))).toBe(2);
  expect(reluForwardInto(Float64Array.from([NaN, 3]), new Float64Array(2))).toBe(0);
  expect(reluForwardInto(Float64Array.from([0, -Infinity]), new Float64Array(2))).toBe(1);
});

it('reluBackwardInto passes dout where y > 0 and gives 0 elsewhere', () => {
  fc.assert(
    fc.property(values, fc.array(finite, { minLength: 60, maxLength: 60 }), (ys, gs) => {
      const y = Float64Array.from(ys);
      const dout = Float64Array.from(gs.slice(0, y.length));
      const dx = new Float64Array(y.length).fill(7);
      reluBackwardInto(y, dout, dx);
      y.forEach((v, i) => expect((dx[i] === (v > 0 ? dout[i] : 0) && !Object.is(dx[i], -0)) || Object.is(dout[i], -0)).toBe(true));
    }),
  );
});
