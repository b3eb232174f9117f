/**
 * Numeric gradients, the way to check any backward pass.
 *
 * Central differences: for each element x_i,
 *
 *   dL/dx_i ~ (L(x + h e_i) - L(x - h e_i)) / (2h)
 *
 * with an error of O(h^2) from truncation and O(eps / h) from rounding; in
 * float64 (eps ~ 1e-16) h = 1e-5 balances the two near 1e-10.
 */

/**
 * The numeric gradient of `loss` with respect to every element of `x`.
 * `x` is changed in place while probing and restored afterwards, so `loss`
 * must read `x` each time it is called (typically: run forward on it).
 */
export function numericGradient(loss: () => number, x: Float64Array, h = 1e-5): Float64Array {
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const saved = x[i];
    x[i] = saved + h;
    const plus = loss();
    x[i] = saved - h;
    const minus = loss();
    x[i] = saved;
    grad[i] = (plus - minus) / (2 * h);
  }
  return grad;
}

/**
 * Relative error between an analytic and a numeric gradient:
 *
 *   max_i |a_i - n_i| / max(1e-8, max_i (|a_i| + |n_i|))
 *
 * Scaled by the largest magnitude, so elements that are (nearly) zero in both
 * do not blow the ratio up. Rough guide in float64 with h = 1e-5: below 1e-7
 * the backward is right; above 1e-3 it is wrong.
 */
export function relativeError(analytic: ArrayLike<number>, numeric: ArrayLike<number>): number {
  if (analytic.length !== numeric.length) {
    throw new RangeError(`relativeError: lengths differ (${analytic.length} vs ${numeric.length})`);
  }
  let maxDiff = 0;
  let maxScale = 0;
  for (let i = 0; i < analytic.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(analytic[i] - numeric[i]));
    maxScale = Math.max(maxScale, Math.abs(analytic[i]) + Math.abs(numeric[i]));
  }
  return maxDiff / Math.max(1e-8, maxScale);
}
