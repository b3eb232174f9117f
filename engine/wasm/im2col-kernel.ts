/**
 * im2col and col2im as WebAssembly functions, for ../im2col.ts: the same
 * walk as its TypeScript loops (and as exercise 01), over a range of images
 * [nLo, nHi), so that threads can share a batch (../kernel-pool.ts).
 *
 *   im2col:  col[(n*OH + i)*OW + j, (k*FH + s)*FW + t] = x[n, k, i*S_h + s - P_h, j*S_w + t - P_w]   (0 in the padding)
 *   col2im:  dx[n, k, h, v] = sum of those entries of col, added in the order of the rows of col
 *
 * Each image only reads its own rows of col and writes its own pixels of dx,
 * so splitting the images between threads changes nothing in the result.
 * The inner loops never test whether a value is inside the image: they work
 * on runs worked out beforehand (runs of j in im2col, of t in col2im).
 *
 * Both take the parameters IM2COL_PARAMS, all i32 (addresses in bytes);
 * the first two are the image range, like the row range of a gemm driver.
 */
import { forRange, FunctionBuilder, type Local, type ModuleBuilder, ValType } from './assembler';
import type { WasmKernel } from './kernel-module';

const { i32, f64 } = ValType;

export const IM2COL_PARAMS = ['nLo', 'nHi', 'OH', 'OW', 'C', 'H', 'W', 'FH', 'FW', 'SH', 'SW', 'PH', 'PW', 'from', 'to'] as const;
export const IM2COL = 'im2col';
export const COL2IM = 'col2im';

type Params = Record<(typeof IM2COL_PARAMS)[number], Local>;

/**
 * The loops of col2im: n, i, j, k, s over the window rows, in the order of
 * the rows of col (the order in which exercise 01 adds them up). `image` is set to the byte offset of image n in
 * x (dx) and `perImage` adds the base address. `perRow` then sees
 *   h      the input row of the window row (maybe outside [0, H): padding),
 *   xRow   the address of x[n, k, h, j*S_w - P_w] (the window row's t = 0),
 *   row    the byte offset of the window row in col (8*FW bytes per row),
 *   [tLo, tHi)  the run of t inside the image.
 */
function walk(
  fn: FunctionBuilder,
  P: Params,
  image: Local,
  perImage: () => void,
  perRow: (locals: { h: Local; xRow: Local; row: Local; tLo: Local; tHi: Local }) => void,
): void {
  const [n, i, j, k, s, h, left, tLo, tHi, xRow, row, K8] = Array.from({ length: 12 }, () => fn.local(i32));
  // K8 = 8 * C * FH * FW, the bytes of one row of col
  fn.get(P.C).get(P.FH).mul().get(P.FW).mul().i32(8).mul().set(K8);
  forRange(
    fn,
    n,
    () => fn.get(P.nLo),
    () => fn.get(P.nHi),
    () => {
      // image = byte offset of x[n] (dx[n]); row = byte offset of image n's first row of col
      fn.get(n).get(P.C).mul().get(P.H).mul().get(P.W).mul().i32(8).mul().set(image);
      fn.get(n).get(P.OH).mul().get(P.OW).mul().get(K8).mul().set(row);
      perImage();
      forRange(
        fn,
        i,
        () => fn.i32(0),
        () => fn.get(P.OH),
        () => {
          forRange(
            fn,
            j,
            () => fn.i32(0),
            () => fn.get(P.OW),
            () => {
              // left = j*SW - PW; tLo = min(FW, max(0, -left)); tHi = max(tLo, min(FW, W - left))
              fn.get(j).get(P.SW).mul().get(P.PW).sub().set(left);
              fn.i32(0).get(left).sub().set(tLo);
              fn.get(tLo).i32(0).get(tLo).i32(0).gtS().select().set(tLo);
              fn.get(tLo).get(P.FW).get(tLo).get(P.FW).ltS().select().set(tLo);
              fn.get(P.W).get(left).sub().set(tHi);
              fn.get(tHi).get(P.FW).get(tHi).get(P.FW).ltS().select().set(tHi);
              fn.get(tHi).get(tLo).get(tHi).get(tLo).gtS().select().set(tHi);
              forRange(
                fn,
                k,
                () => fn.i32(0),
                () => fn.get(P.C),
                () => {
                  forRange(
                    fn,
                    s,
                    () => fn.i32(0),
                    () => fn.get(P.FH),
                    () => {
                      fn.get(i).get(P.SH).mul().get(s).add().get(P.PH).sub().set(h);
                      // xRow = image + ((k*H + h)*W + left) * 8
                      fn.get(image).get(k).get(P.H).mul().get(h).add().get(P.W).mul().get(left).add().i32(8).mul().add().set(xRow);
                      perRow({ h, xRow, row, tLo, tHi });
                      fn.get(row).get(P.FW).i32(8).mul().add().set(row);
                    },
                  );
                },
              );
            },
          );
        },
      );
    },
  );
}

function params(fn: FunctionBuilder): Params {
  return Object.fromEntries(IM2COL_PARAMS.map((name, i) => [name, fn.params[i]])) as Params;
}

/**
 * im2col(nLo, nHi, OH, OW, C, H, W, FH, FW, SH, SW, PH, PW, x, col): writes
 * every element of the rows of images [nLo, nHi).
 *
 * Loop order: for each output row (n, i), the OW rows of col it owns (a few
 * KiB, in L1) are filled one column (k, s, t) at a time, walking j: one
 * input row read left to right, one value written per row of col. The inner
 * loop is then OW long instead of FW (3 or 5): far less loop overhead. The
 * j with v = j*S_w + t - P_w inside [0, W) are [jLo, jHi), zeros around them.
 */
export function im2colFunction(): FunctionBuilder {
  const fn = new FunctionBuilder(
    IM2COL,
    IM2COL_PARAMS.map(() => i32),
  );
  const P = params(fn);
  const [n, i, k, s, t, h, K8, xImage, xRow, base, column, p, src, srcStep, jLo, jHi, tmp] = Array.from({ length: 17 }, () => fn.local(i32));
  const zero = fn.local(f64); // locals start at 0
  /** Pushes ceil(max(num, 0) / SW), capped at OW, where num() pushes an i32. */
  const firstJ = (num: () => void): void => {
    num();
    fn.set(tmp);
    fn.get(tmp).i32(0).get(tmp).i32(0).gtS().select(); // max(num, 0)
    fn.get(P.SW).add().i32(1).sub().get(P.SW).divS().set(tmp);
    fn.get(tmp).get(P.OW).get(tmp).get(P.OW).ltS().select(); // min(., OW)
  };
  /** Pushes the address of col[(n, i, j), column] for j = the local or the number. */
  const at = (j: Local | number): void => {
    fn.get(base).get(column).add();
    if (typeof j === 'number') fn.i32(j);
    else fn.get(j);
    fn.get(K8).mul().add();
  };
  /** Zeros in this column for j in [from, to). */
  const zeros = (from: Local | number, to: Local): void => {
    forRange(
      fn,
      p,
      () => at(from),
      () => at(to),
      () => fn.get(p).get(zero).f64Store(),
      K8,
    );
  };

  fn.get(P.C).get(P.FH).mul().get(P.FW).mul().i32(8).mul().set(K8);
  fn.get(P.SW).i32(8).mul().set(srcStep);
  forRange(
    fn,
    n,
    () => fn.get(P.nLo),
    () => fn.get(P.nHi),
    () => {
      fn.get(P.from).get(n).get(P.C).mul().get(P.H).mul().get(P.W).mul().i32(8).mul().add().set(xImage);
      forRange(
        fn,
        i,
        () => fn.i32(0),
        () => fn.get(P.OH),
        () => {
          // base = col + (n*OH + i)*OW rows; column = byte offset of column (k, s, t) in a row
          fn.get(P.to).get(n).get(P.OH).mul().get(i).add().get(P.OW).mul().get(K8).mul().add().set(base);
          fn.i32(0).set(column);
          forRange(
            fn,
            k,
            () => fn.i32(0),
            () => fn.get(P.C),
            () => {
              forRange(
                fn,
                s,
                () => fn.i32(0),
                () => fn.get(P.FH),
                () => {
                  fn.get(i).get(P.SH).mul().get(s).add().get(P.PH).sub().set(h);
                  fn.get(xImage).get(k).get(P.H).mul().get(h).add().get(P.W).mul().i32(8).mul().add().set(xRow);
                  forRange(
                    fn,
                    t,
                    () => fn.i32(0),
                    () => fn.get(P.FW),
                    () => {
                      // h outside [0, H): the whole column is padding
                      fn.get(h).get(P.H).geU().if();
                      zeros(0, P.OW);
                      fn.else();
                      firstJ(() => fn.get(P.PW).get(t).sub());
                      fn.set(jLo);
                      firstJ(() => fn.get(P.W).get(P.PW).add().get(t).sub());
                      fn.set(jHi);
                      fn.get(jHi).get(jLo).get(jHi).get(jLo).gtS().select().set(jHi); // jHi >= jLo
                      zeros(0, jLo);
                      // src = x[n, k, h, jLo*SW + t - PW]
                      fn.get(xRow).get(jLo).get(P.SW).mul().get(t).add().get(P.PW).sub().i32(8).mul().add().set(src);
                      forRange(
                        fn,
                        p,
                        () => at(jLo),
                        () => at(jHi),
                        () => {
                          fn.get(p).get(src).f64Load().f64Store();
                          fn.get(src).get(srcStep).add().set(src);
                        },
                        K8,
                      );
                      zeros(jHi, P.OW);
                      fn.end();
                      fn.get(column).i32(8).add().set(column);
                    },
                  );
                },
              );
            },
          );
        },
      );
    },
  );
  return fn;
}

/**
 * col2im(nLo, nHi, OH, OW, C, H, W, FH, FW, SH, SW, PH, PW, col, dx): sets
 * images [nLo, nHi) of dx to zero, then adds each entry of their rows of col
 * to its pixel, row after row (entries from the padding are dropped).
 */
export function col2imFunction(): FunctionBuilder {
  const fn = new FunctionBuilder(
    COL2IM,
    IM2COL_PARAMS.map(() => i32),
  );
  const P = params(fn);
  const image = fn.local(i32);
  const p = fn.local(i32);
  const delta = fn.local(i32);
  walk(
    fn,
    P,
    image,
    () => {
      fn.get(image).get(P.to).add().set(image);
      // dx[n] = 0: C*H*W doubles from `image`
      fn.get(image).i32(0).get(P.C).get(P.H).mul().get(P.W).mul().i32(8).mul().memoryFill();
    },
    ({ h, xRow, row, tLo, tHi }) => {
      /** Pushes xRow + 8 * t. */
      const at = (t: Local): void => void fn.get(xRow).get(t).i32(8).mul().add();
      fn.get(h).get(P.H).geU().eqz().if();
      // dx[p] += col[p + delta] for the run inside the image
      fn.get(P.from).get(row).add().get(xRow).sub().set(delta);
      forRange(
        fn,
        p,
        () => at(tLo),
        () => at(tHi),
        () => {
          fn.get(p).get(p).f64Load().get(p).get(delta).add().f64Load().f64Add().f64Store();
        },
        8,
      );
      fn.end();
    },
  );
  return fn;
}

/** The kernel: im2col and col2im, both with the parameters IM2COL_PARAMS. */
export const im2colKernel: WasmKernel<typeof IM2COL | typeof COL2IM> = {
  kernel: 'im2col and col2im',
  exports: { [IM2COL]: IM2COL_PARAMS, [COL2IM]: IM2COL_PARAMS },
  build(module: ModuleBuilder): void {
    module.add(im2colFunction(), true);
    module.add(col2imFunction(), true);
  },
};
