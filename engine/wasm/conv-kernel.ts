/**
 * Conv2d's forward pass as one WebAssembly function, without the im2col
 * matrix: each output reads its window straight from the input.
 *
 *   out[n, m, i, j] = (0 + sum over k of xpad[n, c, i*S_h + s, j*S_w + t] * W[m, k]) + b[m]
 *
 * with k = (c*FH + s)*FW + t in increasing order and xpad the input with its
 * zero padding written out (so no bounds test; a padded cell adds 0 * W, as
 * it does from the im2col matrix). These are the operations of im2col, the
 * gemm kernel (which starts a tile from zero and adds one rounded product
 * per k, in increasing k) and the rearrangement that adds the bias, in the
 * same order: the result is theirs bit for bit. What it saves is the im2col
 * matrix (K times the output's size, written and read again) and the pass
 * that rearranges the product into NCHW planes.
 *
 * The weights come transposed and padded to a multiple of B output channels,
 *   wt[k, m] at wt + 8*(k*Mpad + m), zero for m >= M,
 * followed by one i32 per k, the byte offset of tap k in an image of xpad,
 * 8*((c*HP + s)*WP + t). The bias comes padded the same way (Mpad doubles).
 *
 * Loops: images [nLo, nHi) (threads share a batch), blocks of B output
 * channels, output rows i, pairs of output columns j. A pair keeps 2 x B/2
 * f64x2 accumulators (B channels for 2 pixels) in registers; each k loads
 * the two input values (splat) and the B/2 weight vectors once. One
 * function per block size in CONV_CHANNEL_BLOCKS (B = 8, or 6 and 4 for
 * channel counts that 8 would pad: LeNet-5's 6 filters).
 *
 * Parameters CONV_FORWARD_PARAMS, all i32: XS the doubles per image of xpad,
 * WP its row length, OH and OW the output size, M the output channels, K the
 * taps per output (C*FH*FW); x, wt, bias and out are byte addresses, out
 * NCHW [N, M, OH, OW]. Reads up to S_w doubles past the end of xpad (the
 * caller leaves them there).
 */
import { forRange, FunctionBuilder, type Local, type ModuleBuilder, ValType } from './assembler';
import type { WasmKernel } from './kernel-module';

const { i32, v128 } = ValType;

export const CONV_FORWARD_PARAMS = ['nLo', 'nHi', 'XS', 'WP', 'SH', 'SW', 'OH', 'OW', 'M', 'K', 'x', 'wt', 'bias', 'out'] as const;
/** Output channels computed together, one function each; wt and bias are padded to a multiple of the block. */
export const CONV_CHANNEL_BLOCKS = [8, 6, 4] as const;
export type ConvBlock = (typeof CONV_CHANNEL_BLOCKS)[number];
/** The names of the forward functions. */
export type ConvForward = `conv_forward_${ConvBlock}`;
/** The name of the forward function for blocks of `block` channels. */
export const convForwardName = <B extends ConvBlock>(block: B): `conv_forward_${B}` => `conv_forward_${block}`;

/** Shuffles that pair lane 0 (1) of two vectors: [a0, b0] and [a1, b1]. */
const LOW_LANES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const HIGH_LANES = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];

export function convForwardFunction(block: ConvBlock): FunctionBuilder {
  const fn = new FunctionBuilder(
    convForwardName(block),
    CONV_FORWARD_PARAMS.map(() => i32),
  );
  const P = Object.fromEntries(CONV_FORWARD_PARAMS.map((name, i) => [name, fn.params[i]])) as Record<(typeof CONV_FORWARD_PARAMS)[number], Local>;
  const [n, m0, i, j, xImage, xRow, at, kp, kEnd, wp, wStep, plane, outRow, planeBytes, table, mpad, sw8] = Array.from({ length: 17 }, () =>
    fn.local(i32),
  );
  const VECS = block / 2;
  const acc = [0, 1].map(() => Array.from({ length: VECS }, () => fn.local(v128)));
  const [wv, sa, sb] = [fn.local(v128), fn.local(v128), fn.local(v128)];
  const zero = fn.local(v128); // never written: locals start at zero

  fn.get(P.M)
    .i32(block - 1)
    .add()
    .i32(block)
    .divS()
    .i32(block)
    .mul()
    .set(mpad);
  fn.get(mpad).i32(8).mul().set(wStep);
  fn.get(P.wt).get(P.K).get(wStep).mul().add().set(table);
  fn.get(table).get(P.K).i32(4).mul().add().set(kEnd);
  fn.get(P.OH).get(P.OW).mul().i32(8).mul().set(planeBytes);
  fn.get(P.SW).i32(8).mul().set(sw8);
  forRange(
    fn,
    n,
    () => fn.get(P.nLo),
    () => fn.get(P.nHi),
    () => {
      fn.get(P.x).get(n).get(P.XS).mul().i32(8).mul().add().set(xImage);
      forRange(
        fn,
        m0,
        () => fn.i32(0),
        () => fn.get(mpad),
        () => {
          // plane = out[n, m0]
          fn.get(P.out).get(n).get(P.M).mul().get(m0).add().get(planeBytes).mul().add().set(plane);
          forRange(
            fn,
            i,
            () => fn.i32(0),
            () => fn.get(P.OH),
            () => {
              fn.get(xImage).get(i).get(P.SH).mul().get(P.WP).mul().i32(8).mul().add().set(xRow);
              fn.get(plane).get(i).get(P.OW).mul().i32(8).mul().add().set(outRow);
              forRange(
                fn,
                j,
                () => fn.i32(0),
                () => fn.get(P.OW),
                () => {
                  for (const row of acc) for (const a of row) fn.get(zero).set(a);
                  fn.get(table).set(kp);
                  fn.get(P.wt).get(m0).i32(8).mul().add().set(wp);
                  // for each k: at = the window's cell k for pixel j; pixel j + 1 is S_w doubles further
                  fn.loop();
                  fn.get(xRow).get(j).get(sw8).mul().add().get(kp).i32Load().add().tee(at).v128Load64Splat().set(sa);
                  fn.get(at).get(sw8).add().v128Load64Splat().set(sb);
                  for (let v = 0; v < VECS; v++) {
                    fn.get(wp)
                      .v128Load(16 * v)
                      .set(wv);
                    fn.get(acc[0][v]).get(sa).get(wv).f64x2Mul().f64x2Add().set(acc[0][v]);
                    fn.get(acc[1][v]).get(sb).get(wv).f64x2Mul().f64x2Add().set(acc[1][v]);
                  }
                  fn.get(wp).get(wStep).add().set(wp);
                  fn.get(kp).i32(4).add().tee(kp).get(kEnd).ne().brIf(0);
                  fn.end();
                  // + bias; then each channel m < M to its plane: when pixel j + 1 exists, the channel's
                  // two pixels as one vector (lane c % 2 of both accumulators), else pixel j alone
                  for (const o of [0, 1]) {
                    for (let v = 0; v < VECS; v++) {
                      fn.get(acc[o][v])
                        .get(P.bias)
                        .get(m0)
                        .i32(8)
                        .mul()
                        .add()
                        .v128Load(16 * v)
                        .f64x2Add()
                        .set(acc[o][v]);
                    }
                  }
                  const eachChannel = (checked: boolean, store: (v: number, lane: 0 | 1) => void): void => {
                    for (let v = 0; v < VECS; v++) {
                      for (const lane of [0, 1] as const) {
                        if (checked)
                          fn.get(m0)
                            .i32(2 * v + lane)
                            .add()
                            .get(P.M)
                            .ltS()
                            .if();
                        fn.get(outRow)
                          .get(j)
                          .i32(8)
                          .mul()
                          .add()
                          .get(planeBytes)
                          .i32(2 * v + lane)
                          .mul()
                          .add();
                        store(v, lane);
                        if (checked) fn.end();
                      }
                    }
                  };
                  const pair = (v: number, lane: 0 | 1): void =>
                    void fn
                      .get(acc[0][v])
                      .get(acc[1][v])
                      .i8x16Shuffle(lane === 0 ? LOW_LANES : HIGH_LANES)
                      .v128Store();
                  fn.get(j).i32(1).add().get(P.OW).ltS().if();
                  // a whole block of channels needs no test per channel
                  fn.get(m0).i32(block).add().get(P.M).leS().if();
                  eachChannel(false, pair);
                  fn.else();
                  eachChannel(true, pair);
                  fn.end();
                  fn.else();
                  eachChannel(true, (v, lane) => fn.get(acc[0][v]).v128Store64Lane(0, lane));
                  fn.end();
                },
                2,
              );
            },
          );
        },
        block,
      );
    },
  );
  return fn;
}

export const CONV_WEIGHT_GRADIENT = 'conv_weight_gradient';
export const CONV_WEIGHT_GRADIENT_PARAMS = ['tLo', 'tHi', 'XS', 'WP', 'SH', 'SW', 'N', 'OH', 'OW', 'M', 'K', 'x', 'dout', 'dw', 'table', 'V'] as const;
/** A tile of dW: 2 output channels x 4 tap pairs, 2 x 4 f64x2 accumulators. */
export const DW_TILE_CHANNELS = 2;
export const DW_TILE_PAIRS = 4;

/**
 * Conv2d's weight gradient without the im2col matrix and without
 * rearranging dout:
 *
 *   dW[m, k] = 0 + sum over r = (n, i, j) of dout[n, m, i, j] * xpad[n, c, i*S_h + s, j*S_w + t]
 *
 * the sum in increasing r (n, then i, then j), one rounded product and one
 * rounded addition per r: the operations of the gemm kernel on
 * dA2d^T [M, R] col [R, K] in the same order, so the same bits.
 *
 * The taps are taken two at a time, (t, t + 1) of one filter row (c, s):
 * side by side in xpad, so one 16-byte load brings both (a row of odd
 * width ends with a pair whose second lane is computed and never stored).
 * `table` holds, for each of the V pairs (padded to a multiple of 4), the
 * byte offset of its first tap in an image of xpad, then for each of the
 * 2 * V lanes the tap k it computes, or -1 for none.
 *
 * Tiles of DW_TILE_CHANNELS channels x DW_TILE_PAIRS pairs, numbered
 * t = mBlock * ceil(V / 4) + pBlock; the function computes tiles [tLo, tHi)
 * (threads share the tiles). Entries outside dW are computed from valid
 * addresses and never stored.
 */
export function convWeightGradientFunction(): FunctionBuilder {
  const fn = new FunctionBuilder(
    CONV_WEIGHT_GRADIENT,
    CONV_WEIGHT_GRADIENT_PARAMS.map(() => i32),
  );
  const P = Object.fromEntries(CONV_WEIGHT_GRADIENT_PARAMS.map((name, i) => [name, fn.params[i]])) as Record<
    (typeof CONV_WEIGHT_GRADIENT_PARAMS)[number],
    Local
  >;
  const [tile, pBlocks, m, p0, n, i, j, xImage, xRow, at, da, db, planeBytes, sw8, store, k] = Array.from({ length: 16 }, () => fn.local(i32));
  const off = Array.from({ length: DW_TILE_PAIRS }, () => fn.local(i32));
  const acc = [0, 1].map(() => Array.from({ length: DW_TILE_PAIRS }, () => fn.local(v128)));
  const [xv, sa, sb] = [fn.local(v128), fn.local(v128), fn.local(v128)];
  const zero = fn.local(v128);

  fn.get(P.V)
    .i32(DW_TILE_PAIRS - 1)
    .add()
    .i32(DW_TILE_PAIRS)
    .divS()
    .set(pBlocks);
  fn.get(P.OH).get(P.OW).mul().i32(8).mul().set(planeBytes);
  fn.get(P.SW).i32(8).mul().set(sw8);
  forRange(
    fn,
    tile,
    () => fn.get(P.tLo),
    () => fn.get(P.tHi),
    () => {
      // m = first channel of the tile, p0 = first pair; off[q] = offset of pair p0 + q
      fn.get(tile).get(pBlocks).divS().i32(DW_TILE_CHANNELS).mul().set(m);
      fn.get(tile).get(tile).get(pBlocks).divS().get(pBlocks).mul().sub().i32(DW_TILE_PAIRS).mul().set(p0);
      for (let q = 0; q < DW_TILE_PAIRS; q++) fn.get(P.table).get(p0).i32(q).add().i32(4).mul().add().i32Load().set(off[q]);
      for (const row of acc) for (const a of row) fn.get(zero).set(a);
      forRange(
        fn,
        n,
        () => fn.i32(0),
        () => fn.get(P.N),
        () => {
          fn.get(P.x).get(n).get(P.XS).mul().i32(8).mul().add().set(xImage);
          // da walks dout[n, m, ., .], db dout[n, m + 1, ., .] (plane m again when m + 1 = M: never stored)
          fn.get(P.dout).get(n).get(P.M).mul().get(m).add().get(planeBytes).mul().add().set(da);
          fn.get(da).get(planeBytes).add();
          fn.get(da);
          fn.get(m).i32(1).add().get(P.M).ltS().select().set(db);
          forRange(
            fn,
            i,
            () => fn.i32(0),
            () => fn.get(P.OH),
            () => {
              fn.get(xImage).get(i).get(P.SH).mul().get(P.WP).mul().i32(8).mul().add().set(xRow);
              forRange(
                fn,
                j,
                () => fn.i32(0),
                () => fn.get(P.OW),
                () => {
                  fn.get(xRow).get(j).get(sw8).mul().add().set(at);
                  fn.get(da).v128Load64Splat().set(sa);
                  fn.get(db).v128Load64Splat().set(sb);
                  for (let v = 0; v < DW_TILE_PAIRS; v++) {
                    fn.get(at).get(off[v]).add().v128Load().set(xv);
                    fn.get(acc[0][v]).get(sa).get(xv).f64x2Mul().f64x2Add().set(acc[0][v]);
                    fn.get(acc[1][v]).get(sb).get(xv).f64x2Mul().f64x2Add().set(acc[1][v]);
                  }
                  fn.get(da).i32(8).add().set(da);
                  fn.get(db).i32(8).add().set(db);
                },
              );
            },
          );
        },
      );
      // dW[m + r, k] for m + r < M, where k (the tap of each lane, from the table) is not -1
      for (let r = 0; r < DW_TILE_CHANNELS; r++) {
        fn.get(m).i32(r).add().get(P.M).ltS().if();
        for (let v = 0; v < DW_TILE_PAIRS; v++) {
          for (const lane of [0, 1] as const) {
            // k = table[V + 2 * (p0 + v) + lane]
            fn.get(P.table).get(P.V).get(p0).i32(v).add().i32(2).mul().add().i32(lane).add().i32(4).mul().add().i32Load().tee(k);
            fn.i32(0).geS().if();
            fn.get(P.dw).get(m).i32(r).add().get(P.K).mul().get(k).add().i32(8).mul().add().set(store);
            fn.get(store).get(acc[r][v]).v128Store64Lane(0, lane);
            fn.end();
          }
        }
        fn.end();
      }
    },
  );
  return fn;
}

/** The forward functions, one per block size, each with the parameters CONV_FORWARD_PARAMS. */
const FORWARD_EXPORTS = Object.fromEntries(CONV_CHANNEL_BLOCKS.map((block) => [convForwardName(block), CONV_FORWARD_PARAMS])) as Record<
  ConvForward,
  typeof CONV_FORWARD_PARAMS
>;

/** The kernel: one forward function per block size of CONV_CHANNEL_BLOCKS, then the weight gradient. */
export const convKernel: WasmKernel<ConvForward | typeof CONV_WEIGHT_GRADIENT> = {
  kernel: "Conv2d's forward pass and weight gradient",
  exports: {
    ...FORWARD_EXPORTS,
    [CONV_WEIGHT_GRADIENT]: CONV_WEIGHT_GRADIENT_PARAMS,
  },
  build(module: ModuleBuilder): void {
    for (const block of CONV_CHANNEL_BLOCKS) module.add(convForwardFunction(block), true);
    module.add(convWeightGradientFunction(), true);
  },
};
