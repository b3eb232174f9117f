'use strict';
/**
 * A worker thread of the kernel pool (./kernel-pool.ts). Plain JavaScript so
 * that Node loads it as it is, under tsx, under jest or from compiled code.
 *
 * It instantiates the kernel host's compiled module on the shared memory it
 * is given, then repeatedly: takes chunks of the current call (a range of
 * items, or of gemm's rows or columns of C) until none is left, and sleeps
 * until the next call is published. After `idleMs` without work it exits by
 * itself, so an idle program holds no threads; the pool starts a new one
 * when needed.
 *
 * The layout of the control array is described in ./kernel-pool.ts (CONTROL).
 */
const { workerData } = require('node:worker_threads');

const { kernelModule, memory, control, slot, idleMs, functions, layout } = workerData;
const L = layout;
const ctl = new Int32Array(control);
const instance = new WebAssembly.Instance(kernelModule, { env: { memory } });
const kernels = functions.map((name) => instance.exports[name]);

/** Runs chunk `chunk` of the current call. */
function runChunk(chunk) {
  const p = L.PARAMS;
  let iLo = ctl[p];
  let iHi = ctl[p + 1];
  let jLo = ctl[p + 2];
  let jHi = ctl[p + 3];
  const unit = ctl[L.UNIT];
  if (ctl[L.AXIS] === 0) {
    iLo += chunk * unit;
    iHi = Math.min(iHi, iLo + unit);
  } else {
    jLo += chunk * unit;
    jHi = Math.min(jHi, jLo + unit);
  }
  kernels[ctl[L.FUNCTION]](
    iLo,
    iHi,
    jLo,
    jHi,
    ctl[p + 4],
    ctl[p + 5],
    ctl[p + 6],
    ctl[p + 7],
    ctl[p + 8],
    ctl[p + 9],
    ctl[p + 10],
    ctl[p + 11],
    ctl[p + 12],
    ctl[p + 13],
    ctl[p + 14],
    ctl[p + 15],
  );
}

/** The next chunk of the call tagged `tag`, or -1 (claimChunk of ./kernel-pool.ts, the same steps). */
function claimChunk(tag, chunks) {
  for (;;) {
    const next = Atomics.load(ctl, L.NEXT);
    if (next >>> L.CLAIM_INDEX_BITS !== tag) return -1;
    const index = next & ((1 << L.CLAIM_INDEX_BITS) - 1);
    if (index >= chunks) return -1;
    if (Atomics.compareExchange(ctl, L.NEXT, next, next + 1) === next) return index;
  }
}

/** Takes and runs chunks of the call of generation `generation` until none is left. */
function work(generation) {
  const tag = generation & L.CLAIM_TAG_MASK;
  for (;;) {
    // the count of this call only: once another call is published, its tag differs
    const counted = Atomics.load(ctl, L.CHUNKS);
    if (counted >>> L.CLAIM_INDEX_BITS !== tag) return;
    const chunks = counted & ((1 << L.CLAIM_INDEX_BITS) - 1);
    const chunk = claimChunk(tag, chunks);
    if (chunk < 0) return;
    try {
      runChunk(chunk);
    } catch {
      Atomics.store(ctl, L.ERROR, 1);
    }
    Atomics.add(ctl, L.WORKER_CHUNKS, 1);
    if (Atomics.add(ctl, L.DONE, 1) + 1 === chunks) Atomics.notify(ctl, L.DONE);
  }
}

for (;;) {
  const generation = Atomics.load(ctl, L.GENERATION);
  work(generation);
  if (Atomics.wait(ctl, L.GENERATION, generation, idleMs) === 'timed-out') break;
}
Atomics.store(ctl, L.ALIVE + slot, 0);
