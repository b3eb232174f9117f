/**
 * How the threads share a product's chunks (engine/kernel-pool.ts): every chunk
 * is taken exactly once, and only by a thread working on that product. A
 * claim on the counter of a product published since (another tag) fails,
 * even when its index would still be in range: with a plain counter, a
 * thread paused between taking an index and reading the chunk count could
 * run a chunk of the new product twice.
 */
import { CLAIM_INDEX_BITS, claimChunk, CONTROL } from '../../engine/kernel-pool';

function control(tag: number, index = 0): Int32Array {
  const ctl = new Int32Array(new SharedArrayBuffer(64 * 4));
  ctl[CONTROL.NEXT] = (tag << CLAIM_INDEX_BITS) | index;
  return ctl;
}

describe('claimChunk', () => {
  it('hands out 0, 1, ..., chunks - 1 once each, then -1', () => {
    const ctl = control(5);
    const taken = Array.from({ length: 6 }, () => claimChunk(ctl, 5, 4));
    expect(taken).toEqual([0, 1, 2, 3, -1, -1]);
  });

  it('gives -1 to a claim for an earlier product once the counter carries a newer tag', () => {
    // product 5 had 3 chunks, all taken; product 6 (8 chunks) has just been published
    const ctl = control(6);
    expect(claimChunk(ctl, 5, 8)).toBe(-1);
    expect(claimChunk(ctl, 6, 8)).toBe(0);
  });

  it('keeps the largest tag (2047) and index apart and positive', () => {
    const ctl = control(0x7ff, 41);
    expect(ctl[CONTROL.NEXT]).toBeGreaterThan(0);
    expect(claimChunk(ctl, 0x7ff, 42)).toBe(41);
    expect(claimChunk(ctl, 0x7ff, 42)).toBe(-1);
    expect(claimChunk(ctl, 0x7fe, 100)).toBe(-1);
  });
});
