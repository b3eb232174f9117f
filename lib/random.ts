/**
 * A small seeded random generator, so every random choice in the kata can be
 * replayed: the same seed gives the same numbers on every machine.
 *
 * Algorithm: mulberry32 (a 32-bit state, period 2^32), which is plenty for
 * shuffling and initialising weights, and takes four lines.
 */
import { KataInputError } from './kata-input-error';
import { MAX_TENSOR_SIZE } from './tensor';

/** A count of draws: a whole number, at most what one tensor may hold (checked before allocating). */
function checkCount(where: string, n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > MAX_TENSOR_SIZE) {
    throw new KataInputError(`${where}: expected a count of draws from 0 to ${MAX_TENSOR_SIZE} (what one tensor may hold), got ${n}`);
  }
  return n;
}

export class Rng {
  private state: number;
  private spareNormal: number | null = null;

  constructor(readonly seed: number = 0) {
    if (!Number.isInteger(seed)) throw new RangeError(`Rng: seed must be a whole number, got ${seed}`);
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [low, high). */
  between(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** A whole number in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /**
   * Standard normal N(0, 1) by the Box-Muller transform: from two uniforms
   * u1, u2 in (0, 1], r = sqrt(-2 ln u1) and theta = 2 pi u2 give two
   * independent normals r cos(theta) and r sin(theta); the second is kept
   * for the next call.
   */
  normal(): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return z;
    }
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** A Float64Array of `n` draws from N(mean, std^2). */
  normals(n: number, mean = 0, std = 1): Float64Array {
    const out = new Float64Array(checkCount('Rng.normals', n));
    for (let i = 0; i < n; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** A Float64Array of `n` draws from U[low, high). */
  uniforms(n: number, low = 0, high = 1): Float64Array {
    const out = new Float64Array(checkCount('Rng.uniforms', n));
    for (let i = 0; i < n; i++) out[i] = this.between(low, high);
    return out;
  }

  /** A random permutation of 0..n-1 (Fisher-Yates shuffle). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }
}
