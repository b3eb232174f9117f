/**
 * The bias gradient of a convolution as a WebAssembly function:
 *
 *   db[m] = (((0 + dout[0, m, 0]) + dout[0, m, 1]) + ...) + dout[N-1, m, P-1]
 *
 * each channel's sum over images n, then output pixels p, in that order: the
 * readable layer's loop, so the same bits. One sum is a chain of N*P
 * dependent additions; the function keeps 8 channels' chains in flight at
 * once (two per f64x2 vector, lane 0 channel m and lane 1 channel m + 1), so
 * the additions of different channels overlap instead of waiting for each
 * other. Items are groups of 8 channels [gLo, gHi), for threads.
 *
 * Parameters BIAS_GRADIENT_PARAMS, all i32: dout [N, M, P] and db [M] are byte addresses.
 */
import { FunctionBuilder, type Local, type ModuleBuilder, ValType } from './assembler';
import type { WasmKernel } from './kernel-module';

const { i32, v128 } = ValType;

export const BIAS_GRADIENT = 'bias_gradient';
export const BIAS_GRADIENT_PARAMS = ['gLo', 'gHi', 'N', 'M', 'P', 'dout', 'db'] as const;
/** Channels per item. */
export const BIAS_GROUP = 8;

export function biasGradientFunction(): FunctionBuilder {
  const fn = new FunctionBuilder(
    BIAS_GRADIENT,
    BIAS_GRADIENT_PARAMS.map(() => i32),
  );
  const P = Object.fromEntries(BIAS_GRADIENT_PARAMS.map((name, i) => [name, fn.params[i]])) as Record<(typeof BIAS_GRADIENT_PARAMS)[number], Local>;
  const [group, n, at, end, imageBytes] = Array.from({ length: 5 }, () => fn.local(i32));
  const VECS = BIAS_GROUP / 2;
  // byte offset of each lane's channel plane within an image; a channel past M reads channel M - 1 (never stored)
  const offset = Array.from({ length: BIAS_GROUP }, () => fn.local(i32));
  const acc = Array.from({ length: VECS }, () => fn.local(v128));
  const zero = fn.local(v128); // locals start at zero

  fn.get(P.M).get(P.P).mul().i32(8).mul().set(imageBytes);
  fn.get(P.gLo).set(group);
  fn.block().loop();
  fn.get(group).get(P.gHi).geS().brIf(1);
  for (let c = 0; c < BIAS_GROUP; c++) {
    // m = min(group*8 + c, M - 1)
    fn.get(group).i32(BIAS_GROUP).mul().i32(c).add().tee(offset[c]);
    fn.get(P.M).i32(1).sub();
    fn.get(offset[c]).get(P.M).i32(1).sub().ltS().select();
    fn.get(P.P).mul().i32(8).mul().set(offset[c]);
  }
  for (const a of acc) fn.get(zero).set(a);
  fn.get(P.dout).set(at);
  fn.i32(0).set(n);
  fn.block().loop();
  fn.get(n).get(P.N).geS().brIf(1);
  // one image: `at` walks the pixels of its first plane, the offsets reach the group's planes
  fn.get(at).get(P.P).i32(8).mul().add().set(end);
  fn.block().loop();
  fn.get(at).get(end).geS().brIf(1);
  for (let v = 0; v < VECS; v++) {
    // acc + [dout of channel 2v, dout of channel 2v + 1] (load64_lane takes its address below the vector)
    fn.get(acc[v]);
    fn.get(at)
      .get(offset[2 * v + 1])
      .add();
    fn.get(at)
      .get(offset[2 * v])
      .add()
      .v128Load64Zero();
    fn.v128Load64Lane(0, 1);
    fn.f64x2Add().set(acc[v]);
  }
  fn.get(at).i32(8).add().set(at);
  fn.br(0).end().end();
  // the next image: its first plane starts one image further than this one's did
  fn.get(at).get(imageBytes).add().get(P.P).i32(8).mul().sub().set(at);
  fn.get(n).i32(1).add().set(n);
  fn.br(0).end().end();
  // store the lanes whose channel exists
  for (let c = 0; c < BIAS_GROUP; c++) {
    fn.get(group).i32(BIAS_GROUP).mul().i32(c).add().get(P.M).ltS().if();
    fn.get(P.db).get(group).i32(BIAS_GROUP).mul().i32(c).add().i32(8).mul().add();
    fn.get(acc[c >> 1]).v128Store64Lane(0, (c & 1) as 0 | 1);
    fn.end();
  }
  fn.get(group).i32(1).add().set(group);
  fn.br(0).end().end();
  return fn;
}

/** The kernel: bias_gradient, with the parameters BIAS_GRADIENT_PARAMS. */
export const biasGradientKernel: WasmKernel<typeof BIAS_GRADIENT> = {
  kernel: 'bias gradient',
  exports: { [BIAS_GRADIENT]: BIAS_GRADIENT_PARAMS },
  build(module: ModuleBuilder): void {
    module.add(biasGradientFunction(), true);
  },
};
