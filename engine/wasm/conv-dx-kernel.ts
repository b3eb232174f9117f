/**
 * Conv2d's input gradient in one WebAssembly function, without the matrix
 * dcol = dA2d W (K times the size of dout, written and read back by
 * col2im), for stride 1 along the width:
 *
 *   dcol[r, k] = 0 + sum over m of dout[n, m, i, j] * W[m, k]          r = (n, i, j), k = (c, s, t)
 *   dx[n, c, h, w] = 0 + the dcol[r, k] whose window cell (i*S_h + s, j + t) is (h, w) in
 *                    the padded image, in increasing r; cells in the padding are dropped
 *
 * the operations of gemm (a sum from zero over m in increasing m, one
 * rounded product and one rounded addition per term) and of col2im (a zero,
 * then the entries landing on a pixel added in the order of the rows of
 * dcol), so the same bits. What it saves is dcol: 7.7 MB per batch of 64 for
 * LeNet-5's second convolution.
 *
 * Lanes are windows: a vector holds windows j and j + 1 of one output row,
 * two vectors four windows, so dout[n, m, i, j..j+1] is one load and W[m, k]
 * a splat; for tap (c, s, t) the two lanes land on the neighbouring pixels
 * j + t and j + 1 + t of the padded row, one load, add and store. The order
 * of the additions on one pixel stays that of col2im because the taps of a
 * filter row are taken in decreasing t: pixel p gets window j's term (tap
 * p - j) before window j + 1's (tap p - j - 1), and windows further right
 * come with the next group. Taps run in blocks of 4, padded with taps whose
 * weights are zero and which add +0 to a cell (no change: a sum that starts
 * at +0 is never -0), so dout must be finite (the caller checks).
 *
 * wq holds the weights per block of 4 taps: wq[(b*M + m)*4 + q] = W[m, k of
 * slot 4b + q], then one i32 per slot, the byte offset of its cell (c, s, t)
 * in an image of dxpad from the window's top left. dxpad is [N, C, HP, WP]
 * (the input with its padding); with padding, each image's interior is then
 * copied to dx, else dxpad is dx. Items are images [nLo, nHi), for threads.
 */
import { forRange, FunctionBuilder, type Local, type ModuleBuilder, ValType } from './assembler';
import type { WasmKernel } from './kernel-module';

const { i32, v128 } = ValType;

export const CONV_INPUT_GRADIENT = 'conv_input_gradient';
export const CONV_INPUT_GRADIENT_PARAMS = ['nLo', 'nHi', 'C', 'H', 'W', 'PH', 'PW', 'SH', 'OH', 'OW', 'M', 'slots', 'dout', 'wq', 'dxpad', 'dx'] as const;
/** Taps per block (accumulators per vector of windows). */
export const DX_TAP_BLOCK = 4;
/** Vectors of two windows computed together. */
const VECS = 2;

export function convInputGradientFunction(): FunctionBuilder {
  const fn = new FunctionBuilder(
    CONV_INPUT_GRADIENT,
    CONV_INPUT_GRADIENT_PARAMS.map(() => i32),
  );
  const P = Object.fromEntries(CONV_INPUT_GRADIENT_PARAMS.map((name, i) => [name, fn.params[i]])) as Record<
    (typeof CONV_INPUT_GRADIENT_PARAMS)[number],
    Local
  >;
  const [n, i, j, m, block, image, end, HP, WP, planeBytes, imageBytes, doutImage, doutAt, wAt, table, windows, corner, cell, c, h, from, to] = Array.from(
    { length: 22 },
    () => fn.local(i32),
  );
  const off = Array.from({ length: DX_TAP_BLOCK }, () => fn.local(i32));
  const acc = Array.from({ length: VECS }, () => Array.from({ length: DX_TAP_BLOCK }, () => fn.local(v128)));
  const da = Array.from({ length: VECS }, () => fn.local(v128));
  const [w, zero] = [fn.local(v128), fn.local(v128)]; // zero is never written

  fn.get(P.H).get(P.PH).i32(2).mul().add().set(HP);
  fn.get(P.W).get(P.PW).i32(2).mul().add().set(WP);
  fn.get(P.OH).get(P.OW).mul().i32(8).mul().set(planeBytes);
  fn.get(P.C).get(HP).mul().get(WP).mul().i32(8).mul().set(imageBytes);
  // the table of cell offsets follows the weights: slots * M doubles
  fn.get(P.wq).get(P.slots).get(P.M).mul().i32(8).mul().add().set(table);
  forRange(
    fn,
    n,
    () => fn.get(P.nLo),
    () => fn.get(P.nHi),
    () => {
      fn.get(P.dxpad).get(n).get(imageBytes).mul().add().set(image);
      fn.get(P.dout).get(n).get(P.M).mul().get(planeBytes).mul().add().set(doutImage);
      // dxpad[n] = 0
      fn.get(image).i32(0).get(imageBytes).memoryFill();
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
              // windows j .. j + 3 of row i; `windows` of them exist (1 to 4)
              fn.get(P.OW).get(j).sub().set(windows);
              // corner = byte address of window j's top left cell in dxpad
              fn.get(image).get(i).get(P.SH).mul().get(WP).mul().get(j).add().i32(8).mul().add().set(corner);
              forRange(
                fn,
                block,
                () => fn.i32(0),
                () => fn.get(P.slots),
                () => {
                  for (const row of acc) for (const a of row) fn.get(zero).set(a);
                  for (let q = 0; q < DX_TAP_BLOCK; q++) fn.get(table).get(block).i32(q).add().i32(4).mul().add().i32Load().set(off[q]);
                  fn.get(doutImage).get(i).get(P.OW).mul().get(j).add().i32(8).mul().add().set(doutAt);
                  fn.get(P.wq).get(block).get(P.M).mul().i32(8).mul().add().set(wAt);
                  // the products: a plain loop over m for a whole group of windows, a guarded one for the row's last
                  const products = (guarded: boolean): void =>
                    forRange(
                      fn,
                      m,
                      () => fn.i32(0),
                      () => fn.get(P.M),
                      () => {
                        // dout[n, m, i, j .. j + 3], never past the row's last window (nor past dout)
                        for (let v = 0; v < VECS; v++) {
                          if (!guarded) {
                            fn.get(doutAt)
                              .v128Load(16 * v)
                              .set(da[v]);
                            continue;
                          }
                          fn.get(windows)
                            .i32(2 * v + 2)
                            .geS()
                            .if();
                          fn.get(doutAt)
                            .v128Load(16 * v)
                            .set(da[v]);
                          fn.else();
                          fn.get(zero).set(da[v]);
                          fn.get(windows)
                            .i32(2 * v + 1)
                            .eq()
                            .if();
                          fn.get(doutAt)
                            .v128Load64Zero(16 * v)
                            .set(da[v]);
                          fn.end();
                          fn.end();
                        }
                        for (let q = 0; q < DX_TAP_BLOCK; q++) {
                          fn.get(wAt)
                            .v128Load64Splat(8 * q)
                            .set(w);
                          for (let v = 0; v < VECS; v++) fn.get(acc[v][q]).get(da[v]).get(w).f64x2Mul().f64x2Add().set(acc[v][q]);
                        }
                        fn.get(doutAt).get(planeBytes).add().set(doutAt);
                        fn.get(wAt)
                          .i32(8 * DX_TAP_BLOCK)
                          .add()
                          .set(wAt);
                      },
                    );
                  fn.get(windows)
                    .i32(2 * VECS)
                    .geS()
                    .if();
                  products(false);
                  fn.else();
                  products(true);
                  fn.end();
                  // the cells: vector v holds windows j + 2v and j + 2v + 1, on neighbouring cells
                  const cells = (guarded: boolean): void => {
                    for (let q = 0; q < DX_TAP_BLOCK; q++) {
                      for (let v = 0; v < VECS; v++) {
                        fn.get(corner)
                          .get(off[q])
                          .add()
                          .i32(16 * v)
                          .add()
                          .set(cell);
                        if (guarded)
                          fn.get(windows)
                            .i32(2 * v + 2)
                            .geS()
                            .if();
                        // lane by lane: a 16-byte load that half overlaps the last slot's store would wait for it
                        fn.get(cell).get(cell).v128Load64Zero().get(acc[v][q]).f64x2Add().v128Store64Lane(0, 0);
                        fn.get(cell).get(cell).v128Load64Splat(8).get(acc[v][q]).f64x2Add().v128Store64Lane(8, 1);
                        if (!guarded) continue;
                        fn.else();
                        fn.get(windows)
                          .i32(2 * v + 1)
                          .eq()
                          .if();
                        fn.get(cell).get(cell).v128Load64Zero().get(acc[v][q]).f64x2Add().v128Store64Lane(0, 0);
                        fn.end();
                        fn.end();
                      }
                    }
                  };
                  fn.get(windows)
                    .i32(2 * VECS)
                    .geS()
                    .if();
                  cells(false);
                  fn.else();
                  cells(true);
                  fn.end();
                },
                DX_TAP_BLOCK,
              );
            },
            2 * VECS,
          );
        },
      );
      // with padding: the interior of each plane to dx
      fn.get(P.PH).get(P.PW).or().if();
      forRange(
        fn,
        c,
        () => fn.i32(0),
        () => fn.get(P.C),
        () => {
          forRange(
            fn,
            h,
            () => fn.i32(0),
            () => fn.get(P.H),
            () => {
              fn.get(image).get(c).get(HP).mul().get(h).get(P.PH).add().add().get(WP).mul().get(P.PW).add().i32(8).mul().add().set(from);
              fn.get(P.dx).get(n).get(P.C).mul().get(c).add().get(P.H).mul().get(h).add().get(P.W).mul().i32(8).mul().add().set(to);
              fn.get(to).get(P.W).i32(8).mul().add().set(end);
              forRange(
                fn,
                to,
                () => fn.get(to),
                () => fn.get(end),
                () => {
                  fn.get(to).get(from).f64Load().f64Store();
                  fn.get(from).i32(8).add().set(from);
                },
                8,
              );
            },
          );
        },
      );
      fn.end();
    },
  );
  return fn;
}

/** The kernel: conv_input_gradient, with the parameters CONV_INPUT_GRADIENT_PARAMS. */
export const convInputGradientKernel: WasmKernel<typeof CONV_INPUT_GRADIENT> = {
  kernel: "Conv2d's input gradient",
  exports: { [CONV_INPUT_GRADIENT]: CONV_INPUT_GRADIENT_PARAMS },
  build(module: ModuleBuilder): void {
    module.add(convInputGradientFunction(), true);
  },
};
