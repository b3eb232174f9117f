/**
 * A batch of matrices transposed, as one WebAssembly function: Conv2d's
 * rearrangements between its products and NCHW planes (../kernels/im2col.ts),
 * and B^T for gemm (../kernels/gemm.ts). The images of [nLo, nHi) are
 * independent, so threads can share a batch (../kernel-pool.ts).
 */
import { forRange, FunctionBuilder, type Local, type ModuleBuilder, ValType } from './assembler';
import type { WasmKernel } from './kernel-module';

const { i32, f64 } = ValType;

export const TRANSPOSE = 'transpose';
export const TRANSPOSE_PARAMS = ['nLo', 'nHi', 'A', 'B', 'from', 'to', 'add'] as const;

/**
 * transpose(nLo, nHi, A, B, from, to, add): for each image n in [nLo, nHi),
 * its A x B matrix at `from` becomes B x A at `to`, plus add[b] when `add`
 * is not 0 (the address of B doubles):
 *
 *   to[n, b, a] = from[n, a, b] (+ add[b])
 *
 * Conv2d's rearrangements: the rows (n, i, j) x filters m of col W^T into
 * NCHW planes plus the bias (A = OH*OW, B = M), and back for dout (A = M, B = OH*OW).
 * Written row after row of the result; the reads jump by B doubles.
 */
export function transposeFunction(): FunctionBuilder {
  const fn = new FunctionBuilder(
    TRANSPOSE,
    TRANSPOSE_PARAMS.map(() => i32),
  );
  const P = Object.fromEntries(TRANSPOSE_PARAMS.map((name, i) => [name, fn.params[i]])) as Record<(typeof TRANSPOSE_PARAMS)[number], Local>;
  const [n, b, image, src, dst, end, B8] = Array.from({ length: 7 }, () => fn.local(i32));
  const shift = fn.local(f64);
  fn.get(P.B).i32(8).mul().set(B8);
  forRange(
    fn,
    n,
    () => fn.get(P.nLo),
    () => fn.get(P.nHi),
    () => {
      fn.get(n).get(P.A).mul().get(P.B).mul().i32(8).mul().set(image);
      forRange(
        fn,
        b,
        () => fn.i32(0),
        () => fn.get(P.B),
        () => {
          // src walks from[n, 0.., b] (8B bytes a step), dst walks to[n, b, 0..] (8 bytes a step)
          fn.get(P.from).get(image).add().get(b).i32(8).mul().add().set(src);
          fn.get(P.to).get(image).add().get(b).get(P.A).mul().i32(8).mul().add().set(dst);
          fn.get(dst).get(P.A).i32(8).mul().add().set(end);
          const row = (withAdd: boolean): void =>
            forRange(
              fn,
              dst,
              () => fn.get(dst),
              () => fn.get(end),
              () => {
                fn.get(dst).get(src).f64Load();
                if (withAdd) fn.get(shift).f64Add();
                fn.f64Store();
                fn.get(src).get(B8).add().set(src);
              },
              8,
            );
          // with `add`: to = from + add[b]; without: the values copied as they are
          fn.get(P.add).if();
          fn.get(P.add).get(b).i32(8).mul().add().f64Load().set(shift);
          row(true);
          fn.else();
          row(false);
          fn.end();
        },
      );
    },
  );
  return fn;
}

/** The kernel: transpose, with the parameters TRANSPOSE_PARAMS. */
export const transposeKernel: WasmKernel<typeof TRANSPOSE> = {
  kernel: 'transpose',
  exports: { [TRANSPOSE]: TRANSPOSE_PARAMS },
  build(module: ModuleBuilder): void {
    module.add(transposeFunction(), true);
  },
};
