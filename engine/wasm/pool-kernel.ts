/**
 * Max pooling as a WebAssembly function, for ../pool.ts: the loops of its
 * TypeScript version over a range of planes [pLo, pHi) (plane = n*C + c),
 * so that threads can share a batch (../threads.ts).
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
import { forRange, FunctionBuilder, type Local, ValType } from './assembler';

const { i32, f64 } = ValType;

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
  const [plane, at, end, o, oEnd, target] = Array.from({ length: 6 }, () => fn.local(i32));
  forRange(
    fn,
    plane,
    () => fn.get(P.pLo),
    () => fn.get(P.pHi),
    () => {
      fn.get(P.dx).get(plane).get(P.inPlane).mul().i32(8).mul().add().tee(at).get(P.inPlane).i32(8).mul().add().set(end);
      forRange(
        fn,
        at,
        () => fn.get(at),
        () => fn.get(end),
        () => void fn.get(at).f64Const(0).f64Store(),
        8,
      );
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

/**
 * maxpool for the most common window, 2x2 with stride 2 and no padding,
 * over planes [pLo, pHi): the same cells in the same order (top left, top
 * right, bottom left, bottom right; a later one wins only if strictly
 * greater) as maxPoolFunction, without its clipping and window loops (every
 * such window lies inside the image). Parameters POOL_2X2_PARAMS, as POOL_PARAMS.
 */
export function maxPool2x2Function(): FunctionBuilder {
  const fn = new FunctionBuilder(
    MAX_POOL_2X2,
    POOL_2X2_PARAMS.map(() => i32),
  );
  const P = Object.fromEntries(POOL_2X2_PARAMS.map((name, i) => [name, fn.params[i]])) as Record<(typeof POOL_2X2_PARAMS)[number], Local>;
  const [plane, i, j, top, cell, best, o] = Array.from({ length: 7 }, () => fn.local(i32));
  const [bestValue, v] = [fn.local(f64), fn.local(f64)];
  /** Pushes x[index] for a flat index. */
  const load = (index: () => void): void => {
    fn.get(P.x);
    index();
    fn.i32(8).mul().add().f64Load();
  };
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
          forRange(
            fn,
            j,
            () => fn.i32(0),
            () => fn.get(P.OW),
            () => {
              fn.get(top).get(j).i32(2).mul().add().tee(best);
              fn.set(cell);
              load(() => fn.get(best));
              fn.set(bestValue);
              // the other three cells: +1, +W, +W+1 from the top left one
              for (const step of ['right', 'down-left', 'right'] as const) {
                if (step === 'right') fn.get(cell).i32(1).add().set(cell);
                else fn.get(cell).get(P.W).add().i32(1).sub().set(cell);
                load(() => fn.get(cell));
                fn.set(v);
                fn.get(cell).get(best).get(v).get(bestValue).f64Gt().select().set(best);
                fn.get(v).get(bestValue).get(v).get(bestValue).f64Gt().select().set(bestValue);
              }
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
