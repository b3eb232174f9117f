/**
 * Max pooling as a WebAssembly function, for ../pool.ts: the loops of its
 * TypeScript version over a range of planes [pLo, pHi) (plane = n*C + c),
 * so that threads can share a batch (../kernel-pool.ts).
 *
 *   out[plane, i, j]    = max of x[plane, p, q] over the window cells inside the image
 *   argmax[plane, i, j] = flat index in x of the first cell (row-major) holding that max
 *
 * The running maximum is kept with `select` (a conditional move) instead of
 * a branch: which cell of a window wins is close to random, so a branch is
 * mispredicted about half the time. `select` picks one of two values as
 * they are, so the result is exactly that of the branching loop.
 *
 * Parameters POOL_PARAMS, all i32 (x, out, argmax are byte addresses;
 * argmax holds i32 indices).
 */
import { forRange, FunctionBuilder, type Local, type ModuleBuilder, ValType } from './assembler';
import type { WasmKernel } from './kernel-module';

const { i32, f64, v128 } = ValType;

export const POOL_PARAMS = ['pLo', 'pHi', 'H', 'W', 'FH', 'FW', 'SH', 'SW', 'PH', 'PW', 'OH', 'OW', 'x', 'out', 'argmax'] as const;
export const MAX_POOL = 'maxpool';

/** Pushes max(a, b) of two i32 locals, or min when `smaller`. */
function pick(fn: FunctionBuilder, a: () => void, b: () => void, smaller: boolean): void {
  a();
  b();
  a();
  b();
  if (smaller) fn.ltS();
  else fn.gtS();
  fn.select();
}

export function maxPoolFunction(): FunctionBuilder {
  const fn = new FunctionBuilder(
    MAX_POOL,
    POOL_PARAMS.map(() => i32),
  );
  const P = Object.fromEntries(POOL_PARAMS.map((name, i) => [name, fn.params[i]])) as Record<(typeof POOL_PARAMS)[number], Local>;
  const [plane, i, j, p, q, xBase, o, pFrom, pTo, qFrom, qTo, index, best] = Array.from({ length: 13 }, () => fn.local(i32));
  const bestValue = fn.local(f64);
  const v = fn.local(f64);
  const top = fn.local(i32);
  const left = fn.local(i32);
  /** Pushes the byte address x + 8 * index of a flat index. */
  const xAt = (flat: Local): void => void fn.get(P.x).get(flat).i32(8).mul().add();

  forRange(
    fn,
    plane,
    () => fn.get(P.pLo),
    () => fn.get(P.pHi),
    () => {
      fn.get(plane).get(P.H).mul().get(P.W).mul().set(xBase);
      fn.get(plane).get(P.OH).mul().get(P.OW).mul().set(o);
      forRange(
        fn,
        i,
        () => fn.i32(0),
        () => fn.get(P.OH),
        () => {
          // rows top <= p < top + FH, clipped to the image
          fn.get(i).get(P.SH).mul().get(P.PH).sub().set(top);
          pick(
            fn,
            () => fn.get(top),
            () => fn.i32(0),
            false,
          );
          fn.set(pFrom);
          pick(
            fn,
            () => fn.get(top).get(P.FH).add(),
            () => fn.get(P.H),
            true,
          );
          fn.set(pTo);
          forRange(
            fn,
            j,
            () => fn.i32(0),
            () => fn.get(P.OW),
            () => {
              fn.get(j).get(P.SW).mul().get(P.PW).sub().set(left);
              pick(
                fn,
                () => fn.get(left),
                () => fn.i32(0),
                false,
              );
              fn.set(qFrom);
              pick(
                fn,
                () => fn.get(left).get(P.FW).add(),
                () => fn.get(P.W),
                true,
              );
              fn.set(qTo);
              // start from the first cell inside the image; a later cell wins only if strictly greater
              fn.get(xBase).get(pFrom).get(P.W).mul().add().get(qFrom).add().set(best);
              xAt(best);
              fn.f64Load().set(bestValue);
              forRange(
                fn,
                p,
                () => fn.get(pFrom),
                () => fn.get(pTo),
                () => {
                  forRange(
                    fn,
                    q,
                    () => fn.get(qFrom),
                    () => fn.get(qTo),
                    () => {
                      fn.get(xBase).get(p).get(P.W).mul().add().get(q).add().set(index);
                      xAt(index);
                      fn.f64Load().set(v);
                      // gt = v > best; best = gt ? v : best; bestIndex = gt ? index : bestIndex
                      fn.get(index).get(best).get(v).get(bestValue).f64Gt().select().set(best);
                      fn.get(v).get(bestValue).get(v).get(bestValue).f64Gt().select().set(bestValue);
                    },
                  );
                },
              );
              fn.get(P.out).get(o).i32(8).mul().add().get(bestValue).f64Store();
              fn.get(P.argmax).get(o).i32(4).mul().add().get(best).i32Store();
              fn.get(o).i32(1).add().set(o);
            },
          );
        },
      );
    },
  );
  return fn;
}

export const MAX_POOL_BACKWARD = 'maxpool_backward';
export const POOL_BACKWARD_PARAMS = ['pLo', 'pHi', 'inPlane', 'outPlane', 'dout', 'argmax', 'dx'] as const;

/**
 * Max pooling's backward over planes [pLo, pHi): each plane of dx (inPlane
 * doubles) set to zero, then dx[argmax[o]] += dout[o] for the plane's outputs
 * (outPlane of them) in increasing o: the readable layer's operations in its
 * order (a window's maximum lies in its own plane, so planes are independent).
 * Parameters POOL_BACKWARD_PARAMS, all i32; dout, argmax (i32) and dx are byte addresses.
 */
export function maxPoolBackwardFunction(): FunctionBuilder {
  const fn = new FunctionBuilder(
    MAX_POOL_BACKWARD,
    POOL_BACKWARD_PARAMS.map(() => i32),
  );
  const P = Object.fromEntries(POOL_BACKWARD_PARAMS.map((name, i) => [name, fn.params[i]])) as Record<(typeof POOL_BACKWARD_PARAMS)[number], Local>;
  const [plane, o, oEnd, target] = Array.from({ length: 4 }, () => fn.local(i32));
  forRange(
    fn,
    plane,
    () => fn.get(P.pLo),
    () => fn.get(P.pHi),
    () => {
      fn.get(P.dx).get(plane).get(P.inPlane).mul().i32(8).mul().add().i32(0).get(P.inPlane).i32(8).mul().memoryFill();
      fn.get(plane).get(P.outPlane).mul().tee(o).get(P.outPlane).add().set(oEnd);
      forRange(
        fn,
        o,
        () => fn.get(o),
        () => fn.get(oEnd),
        () => {
          fn.get(P.dx).get(P.argmax).get(o).i32(4).mul().add().i32Load().i32(8).mul().add().tee(target);
          fn.get(target).f64Load().get(P.dout).get(o).i32(8).mul().add().f64Load().f64Add().f64Store();
        },
      );
    },
  );
  return fn;
}

export const MAX_POOL_2X2 = 'maxpool_2x2';
export const POOL_2X2_PARAMS = ['pLo', 'pHi', 'H', 'W', 'OH', 'OW', 'x', 'out', 'argmax'] as const;

/** Shuffles that gather lane 0 (1) of two f64x2 vectors: [a0, b0] and [a1, b1]. */
const EVEN_LANES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const ODD_LANES = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];

/**
 * maxpool for the most common window, 2x2 with stride 2 and no padding,
 * over planes [pLo, pHi): the same cells in the same order (top left, top
 * right, bottom left, bottom right; a later one wins only if strictly
 * greater) as maxPoolFunction, without its clipping and window loops (every
 * such window lies inside the image). Two neighbouring windows at a time,
 * one per f64x2 lane: `f64x2.gt` and `v128.bitselect` pick values and
 * indices as the scalar loop's `select` does, lane by lane (the indices
 * ride along as exact f64 integers); an odd last window runs alone.
 * Parameters POOL_2X2_PARAMS, as POOL_PARAMS.
 */
export function maxPool2x2Function(): FunctionBuilder {
  const fn = new FunctionBuilder(
    MAX_POOL_2X2,
    POOL_2X2_PARAMS.map(() => i32),
  );
  const P = Object.fromEntries(POOL_2X2_PARAMS.map((name, i) => [name, fn.params[i]])) as Record<(typeof POOL_2X2_PARAMS)[number], Local>;
  const [plane, i, j, top, cell, best, o, pairsEnd, rowBytes] = Array.from({ length: 9 }, () => fn.local(i32));
  const [bestValue, v] = [fn.local(f64), fn.local(f64)];
  const [a, b, bestV, bestI, cand, mask, tlIndex, step4, stepRight, stepDown, stepDiagonal, pairOffsets, zero] = Array.from({ length: 13 }, () =>
    fn.local(v128),
  );
  /** Pushes x[index] for a flat index. */
  const load = (index: () => void): void => {
    fn.get(P.x);
    index();
    fn.i32(8).mul().add().f64Load();
  };
  const splat = (value: () => void): void => {
    value();
    fn.f64ConvertI32S().f64x2Splat();
  };
  /** cand (its indices tlIndex + offset) replaces the best where it is strictly greater. */
  const challenge = (offset: Local | null): void => {
    fn.get(cand).get(bestV).f64x2Gt().set(mask);
    fn.get(cand).get(bestV).get(mask).v128Bitselect().set(bestV);
    fn.get(tlIndex);
    if (offset !== null) fn.get(offset).f64x2Add();
    fn.get(bestI).get(mask).v128Bitselect().set(bestI);
  };
  splat(() => fn.i32(4));
  fn.set(step4);
  splat(() => fn.i32(1));
  fn.set(stepRight);
  splat(() => fn.get(P.W));
  fn.set(stepDown);
  fn.get(stepDown).get(stepRight).f64x2Add().set(stepDiagonal);
  // pairOffsets = [0, 2]: lane 0 of zero (never written), lane 1 of [2, 2]
  fn.get(zero);
  splat(() => fn.i32(2));
  fn.i8x16Shuffle([0, 1, 2, 3, 4, 5, 6, 7, 24, 25, 26, 27, 28, 29, 30, 31]).set(pairOffsets);
  fn.get(P.W).i32(8).mul().set(rowBytes);
  fn.get(P.OW).i32(-2).and().set(pairsEnd);
  forRange(
    fn,
    plane,
    () => fn.get(P.pLo),
    () => fn.get(P.pHi),
    () => {
      fn.get(plane).get(P.OH).mul().get(P.OW).mul().set(o);
      forRange(
        fn,
        i,
        () => fn.i32(0),
        () => fn.get(P.OH),
        () => {
          // top = flat index of the window's top row, column 0
          fn.get(plane).get(P.H).mul().get(i).i32(2).mul().add().get(P.W).mul().set(top);
          // tlIndex = [top, top + 2]: the top left cells of windows j and j + 1
          splat(() => fn.get(top));
          fn.get(pairOffsets).f64x2Add().set(tlIndex);
          forRange(
            fn,
            j,
            () => fn.i32(0),
            () => fn.get(pairsEnd),
            () => {
              // a, b: cells 2j..2j+3 of the top row; best = top left, then the other three challenge it
              fn.get(P.x).get(top).get(j).i32(2).mul().add().i32(8).mul().add().set(cell);
              fn.get(cell).v128Load().set(a);
              fn.get(cell).v128Load(16).set(b);
              fn.get(a).get(b).i8x16Shuffle(EVEN_LANES).set(bestV);
              fn.get(tlIndex).set(bestI);
              fn.get(a).get(b).i8x16Shuffle(ODD_LANES).set(cand);
              challenge(stepRight);
              fn.get(cell).get(rowBytes).add().set(cell);
              fn.get(cell).v128Load().set(a);
              fn.get(cell).v128Load(16).set(b);
              fn.get(a).get(b).i8x16Shuffle(EVEN_LANES).set(cand);
              challenge(stepDown);
              fn.get(a).get(b).i8x16Shuffle(ODD_LANES).set(cand);
              challenge(stepDiagonal);
              fn.get(P.out).get(o).i32(8).mul().add().get(bestV).v128Store();
              fn.get(P.argmax).get(o).i32(4).mul().add().get(bestI).i32x4TruncSatF64x2SZero().v128Store64Lane(0, 0);
              fn.get(o).i32(2).add().set(o);
              fn.get(tlIndex).get(step4).f64x2Add().set(tlIndex);
            },
            2,
          );
          // an odd last window: the scalar loop
          fn.get(pairsEnd).get(P.OW).ltS().if();
          fn.get(top).get(pairsEnd).i32(2).mul().add().tee(best);
          fn.set(cell);
          load(() => fn.get(best));
          fn.set(bestValue);
          for (const move of ['right', 'down-left', 'right'] as const) {
            if (move === 'right') fn.get(cell).i32(1).add().set(cell);
            else fn.get(cell).get(P.W).add().i32(1).sub().set(cell);
            load(() => fn.get(cell));
            fn.set(v);
            fn.get(cell).get(best).get(v).get(bestValue).f64Gt().select().set(best);
            fn.get(v).get(bestValue).get(v).get(bestValue).f64Gt().select().set(bestValue);
          }
          fn.get(P.out).get(o).i32(8).mul().add().get(bestValue).f64Store();
          fn.get(P.argmax).get(o).i32(4).mul().add().get(best).i32Store();
          fn.get(o).i32(1).add().set(o);
          fn.end();
        },
      );
    },
  );
  return fn;
}

/** The kernel: max pooling forward (any window, and 2x2 of stride 2 without padding) and backward. */
export const poolKernel: WasmKernel<typeof MAX_POOL | typeof MAX_POOL_2X2 | typeof MAX_POOL_BACKWARD> = {
  kernel: 'max pooling',
  exports: { [MAX_POOL]: POOL_PARAMS, [MAX_POOL_2X2]: POOL_2X2_PARAMS, [MAX_POOL_BACKWARD]: POOL_BACKWARD_PARAMS },
  build(module: ModuleBuilder): void {
    module.add(maxPoolFunction(), true);
    module.add(maxPool2x2Function(), true);
    module.add(maxPoolBackwardFunction(), true);
  },
};
