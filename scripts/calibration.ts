import { performance } from 'node:perf_hooks';

/**
 * Nanoseconds per element of one fixed plain loop (a 2^18-element copy with
 * a multiply, best of 30 runs). It does not depend on the kata's code, so it
 * tells apart a slower run of the kata from a slower machine: on a shared or
 * virtual machine the same code can run much slower when the host is busy,
 * which the load average does not show. Compare runs by it. (The playground
 * runs the same loop inside the page, playground/measure.ts.)
 */
export function calibration(): number {
  const n = 1 << 18;
  const from = new Float64Array(n).map((_, i) => i);
  const to = new Float64Array(n);
  let best = Infinity;
  for (let run = 0; run < 30; run++) {
    const started = performance.now();
    for (let i = 0; i < n; i++) to[i] = from[i] * 1.5;
    best = Math.min(best, performance.now() - started);
  }
  return (best * 1e6) / n;
}
