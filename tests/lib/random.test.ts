import { Rng } from '../../lib/random';

/** mulberry32 in its widely used JavaScript form, written independently of lib/random.ts. */
function referenceMulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function meanAndStd(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(sq / values.length) };
}

describe('Rng', () => {
  it('the same seed gives the same numbers; another seed gives others', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const seqA = [a.uniform(), a.normal(), a.normal(), a.int(10), a.between(-1, 1)];
    const seqB = [b.uniform(), b.normal(), b.normal(), b.int(10), b.between(-1, 1)];
    expect(seqB).toEqual(seqA);
    expect(Array.from(new Rng(42).uniforms(5))).not.toEqual(Array.from(c.uniforms(5)));
    expect(a.seed).toBe(42);
    expect(new Rng().seed).toBe(0);
  });

  it('uniform follows the published mulberry32 sequence', () => {
    for (const seed of [0, 1, 42, 123456789, 2 ** 31 - 1]) {
      const rng = new Rng(seed);
      const ref = referenceMulberry32(seed);
      for (let i = 0; i < 20; i++) expect(rng.uniform()).toBe(ref());
    }
  });

  it('uniform stays in [0, 1) with mean 1/2 and variance 1/12', () => {
    const values = new Rng(7).uniforms(20000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const { mean, std } = meanAndStd(values);
    // Standard error of the mean: sqrt(1/12 / 20000) ~ 0.002; 0.01 is five of them.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(std - Math.sqrt(1 / 12))).toBeLessThan(0.01);
  });

  it('between and uniforms(n, low, high) stay in [low, high)', () => {
    const rng = new Rng(3);
    const values = rng.uniforms(5000, -2, 3);
    expect(values.length).toBe(5000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...values)).toBeLessThan(3);
    for (let i = 0; i < 1000; i++) {
      const v = rng.between(10, 10.5);
      expect(v >= 10 && v < 10.5).toBe(true);
    }
  });

  it('int(n) gives every whole number in [0, n) and nothing else', () => {
    const rng = new Rng(5);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 6000; i++) {
      const k = rng.int(6);
      expect(Number.isInteger(k) && k >= 0 && k < 6).toBe(true);
      counts[k]++;
    }
    // Each count is ~ 1000 +- 29 (binomial std); 850 is five std away.
    for (const count of counts) expect(count).toBeGreaterThan(850);
  });

  it('normal has mean 0 and standard deviation 1 over many draws', () => {
    const rng = new Rng(11);
    const values = Array.from({ length: 40000 }, () => rng.normal());
    const { mean, std } = meanAndStd(values);
    // Standard error of the mean: 1 / sqrt(40000) = 0.005; of the std: ~ 0.0035.
    expect(Math.abs(mean)).toBeLessThan(0.025);
    expect(Math.abs(std - 1)).toBeLessThan(0.02);
    // About 68.3% of a standard normal lies within one standard deviation.
    const within = values.filter((v) => Math.abs(v) < 1).length / values.length;
    expect(Math.abs(within - 0.6827)).toBeLessThan(0.01);
    expect(values.every(Number.isFinite)).toBe(true);
  });

  it('normals(n, mean, std) shifts and scales', () => {
    const values = new Rng(13).normals(40000, 3, 0.5);
    const { mean, std } = meanAndStd(values);
    expect(Math.abs(mean - 3)).toBeLessThan(0.0125);
    expect(Math.abs(std - 0.5)).toBeLessThan(0.01);
  });

  it('permutation(n) holds each of 0..n-1 exactly once', () => {
    for (const n of [0, 1, 2, 10, 1000]) {
      const p = new Rng(n + 1).permutation(n);
      expect(p.length).toBe(n);
      expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
  });

  it('permutation shuffles: different seeds give different orders, the same seed the same order', () => {
    const a = Array.from(new Rng(1).permutation(50));
    expect(Array.from(new Rng(1).permutation(50))).toEqual(a);
    expect(Array.from(new Rng(2).permutation(50))).not.toEqual(a);
    expect(a).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('permutation puts each value at each position about equally often', () => {
    // 3! = 6 orders; over 6000 shuffles each should appear ~1000 times.
    const rng = new Rng(17);
    const counts = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      const key = Array.from(rng.permutation(3)).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const count of counts.values()) expect(count).toBeGreaterThan(850);
  });

  it('rejects a seed that is not a whole number', () => {
    expect(() => new Rng(1.5)).toThrow('Rng: seed must be a whole number, got 1.5');
    expect(() => new Rng(NaN)).toThrow('Rng: seed must be a whole number, got NaN');
  });
});

describe('Rng draws: sizes', () => {
  it('refuses a count no tensor may hold before allocating, naming the limit (a Conv2d with 2^31 channels fails at once)', () => {
    expect(() => new Rng(0).normals(2 ** 31 * 72)).toThrowKataError(/Rng\.normals: expected a count of draws from 0 to 268435456 .*got 154618822656/);
    expect(() => new Rng(0).uniforms(-1)).toThrowKataError(/Rng\.uniforms: expected a count of draws from 0 to 268435456 .*got -1/);
  });
});
