/**
 * The WebAssembly kernel behind the fast `gemm` (called by ../kernels/gemm.ts):
 *
 *   C[i, j] += sum_p A[i, p] B[p, j]     for i in [iLo, iHi), j in [jLo, jHi)
 *
 * on float64 matrices held in one shared linear memory. Addresses and strides
 * are in bytes, so one kernel serves A stored either way round:
 *   A[i, p] at a + i*aRs + p*aCs   (row-major A: aRs = 8k, aCs = 8; A^T stored: aRs = 8, aCs = 8m)
 *   B[p, j] at b + p*bRs + 8j      (rows of B must be contiguous)
 *   C[i, j] at c + i*cRs + 8j
 *
 * The micro-kernel keeps an MR x NR tile of C in registers as f64x2 vectors
 * (two doubles each) and, for each p, loads one row of B (NR/2 vectors) and
 * one value of A per row (splat to both lanes), then does MR*NR/2 vector
 * multiplies and adds. The tile starts from the value already in C and adds
 * the products in increasing p, one multiply and one add each, both rounded
 * (WebAssembly has no fused multiply-add here): exactly the operations of
 * the plain triple loop `s = C[i, j]; for p: s += A[i, p] * B[p, j]`, in the
 * same order. So the result is bit-for-bit that of the reference, whatever
 * the blocking, the tile shape or the thread that computes a tile.
 *
 * Loops, outermost first (the classic blocking, sized for L1/L2):
 *   p0 in blocks of KC          (a KC x NR strip of B stays in L1)
 *   i0 in blocks of MC rows     (an MC x KC block of A stays in L2)
 *   j  in strips of NR columns  (the last strip may be narrower: 1..NR-1 columns)
 *   i  in steps of MR rows      (the last rows one at a time)
 *
 * A family (MR, NR) is one exported driver `gemm_MRxNR` plus one "strip"
 * function per strip width 1..NR. An odd width computes its last column in
 * a full vector whose second lane is never stored (reading B one double past
 * the end of the row: callers leave 2 spare doubles after B).
 */
import { FunctionBuilder, type Local, type ModuleBuilder, ValType } from './assembler';
import type { WasmKernel } from './kernel-module';

const { i32, v128 } = ValType;

/** Register tile shapes: MR rows x NR columns (NR even). */
export interface Family {
  mr: number;
  nr: number;
}

/**
 * The tiles the module provides. x86-64 has 16 vector registers and V8
 * keeps one for itself: a tile needs MR*NR/2 accumulators, NR/2 for the row
 * of B and one for the splat value of A, so these all fit in 15.
 */
export const FAMILIES: readonly Family[] = [
  { mr: 4, nr: 4 },
  { mr: 3, nr: 6 },
  { mr: 2, nr: 8 },
];

/** Parameters of every strip function, in order. */
const STRIP_PARAMS = ['i0', 'i1', 'kc', 'a', 'aRs', 'aCs', 'b', 'bRs', 'c', 'cRs', 'zero'] as const;
/**
 * Parameters of every exported driver, in order. `accumulate` = 0 means C
 * starts from zero: the first block of p then never reads C (no need to
 * clear it first).
 */
export const DRIVER_PARAMS = ['iLo', 'iHi', 'jLo', 'jHi', 'k', 'a', 'aRs', 'aCs', 'b', 'bRs', 'c', 'cRs', 'KC', 'MC', 'accumulate'] as const;

export function driverName(f: Family): GemmDriver {
  return `gemm_${f.mr}x${f.nr}`;
}

type Named<T extends readonly string[]> = Record<T[number], Local>;

function named<T extends readonly string[]>(fn: FunctionBuilder, names: T): Named<T> {
  return Object.fromEntries(names.map((n, i) => [n, fn.params[i]])) as Named<T>;
}

/** Pushes min(x, y) (signed). */
function min(fn: FunctionBuilder, x: Local, y: Local): void {
  fn.get(x).get(y).get(x).get(y).ltS().select();
}

/** A strip function being written: its parameters, its locals and the shape of its tiles. */
interface Strip {
  fn: FunctionBuilder;
  P: Named<typeof STRIP_PARAMS>;
  /** f64x2 vectors per row of the tile, and whether the last one holds a single column. */
  vecs: number;
  oddLast: boolean;
  /** The first row of the current tile. */
  i: Local;
  /** The pointer into B and where it stops (row kc). */
  pb: Local;
  pbEnd: Local;
  /** The pointer into A of each row of the tile. */
  ap: Local[];
  /** The accumulators, [row][vector]. */
  acc: Local[][];
  /** The current row of B, and the splat value of A. */
  bv: Local[];
  splat: Local;
  /** Never written: locals start at zero. */
  zeros: Local;
}

/** One strip: rows [i0, i1) of C, `width` columns, p over one block of kc >= 1 values. */
function stripFunction(family: Family, width: number): FunctionBuilder {
  const fn = new FunctionBuilder(
    `strip_${family.mr}x${family.nr}_${width}`,
    STRIP_PARAMS.map(() => i32),
  );
  const vecs = Math.ceil(width / 2);
  const s: Strip = {
    fn,
    P: named(fn, STRIP_PARAMS),
    vecs,
    oddLast: width % 2 === 1,
    i: fn.local(i32),
    pb: fn.local(i32),
    pbEnd: fn.local(i32),
    ap: Array.from({ length: family.mr }, () => fn.local(i32)),
    acc: Array.from({ length: family.mr }, () => Array.from({ length: vecs }, () => fn.local(v128))),
    bv: Array.from({ length: vecs }, () => fn.local(v128)),
    splat: fn.local(v128),
    zeros: fn.local(v128),
  };
  const { P, i } = s;
  // the loop over p ends when the pointer into B reaches row kc
  fn.get(P.b).get(P.kc).get(P.bRs).mul().add().set(s.pbEnd);
  fn.get(P.i0).set(i);
  // whole tiles of MR rows
  fn.block().loop();
  fn.get(i).i32(family.mr).add().get(P.i1).gtS().brIf(1);
  tile(s, family.mr);
  fn.get(i).i32(family.mr).add().set(i);
  fn.br(0).end().end();
  // the remaining rows, one at a time
  fn.block().loop();
  fn.get(i).get(P.i1).geS().brIf(1);
  tile(s, 1);
  fn.get(i).i32(1).add().set(i);
  fn.br(0).end().end();
  return fn;
}

/** The tile body for rows i .. i+rows-1: start the accumulators, add the products over p, store them in C. */
function tile(s: Strip, rows: number): void {
  const { fn, P } = s;
  for (let r = 0; r < rows; r++) {
    // ap[r] = a + (i + r) * aRs
    fn.get(P.a).get(s.i);
    if (r > 0) fn.i32(r).add();
    fn.get(P.aRs).mul().add().set(s.ap[r]);
  }
  startTile(s, rows);
  multiplyTile(s, rows);
  storeTile(s, rows);
}

/** Pushes the address of row i + r of C (at the strip's first column). */
function cRow(s: Strip, r: number): void {
  s.fn.get(s.P.c).get(s.i);
  if (r > 0) s.fn.i32(r).add();
  s.fn.get(s.P.cRs).mul().add();
}

/** The tile starts from C, or from zero when `zero` says C is to be overwritten. */
function startTile(s: Strip, rows: number): void {
  const { fn, vecs, acc } = s;
  fn.get(s.P.zero).if();
  for (let r = 0; r < rows; r++) for (let v = 0; v < vecs; v++) fn.get(s.zeros).set(acc[r][v]);
  fn.else();
  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < vecs; v++) {
      cRow(s, r);
      if (s.oddLast && v === vecs - 1) fn.v128Load64Zero(16 * v);
      else fn.v128Load(16 * v);
      fn.set(acc[r][v]);
    }
  }
  fn.end();
}

/** For each p of the block: one row of B, then per row of the tile a splat of A and one multiply and one add per vector. */
function multiplyTile(s: Strip, rows: number): void {
  const { fn, P, vecs, acc, ap, bv, pb } = s;
  fn.get(P.b).set(pb);
  fn.loop();
  for (let v = 0; v < vecs; v++)
    fn.get(pb)
      .v128Load(16 * v)
      .set(bv[v]);
  for (let r = 0; r < rows; r++) {
    fn.get(ap[r]).v128Load64Splat().set(s.splat);
    for (let v = 0; v < vecs; v++) {
      fn.get(acc[r][v]).get(s.splat).get(bv[v]).f64x2Mul().f64x2Add().set(acc[r][v]);
    }
    fn.get(ap[r]).get(P.aCs).add().set(ap[r]);
  }
  fn.get(pb).get(P.bRs).add().tee(pb).get(s.pbEnd).ne().brIf(0);
  fn.end();
}

/** The accumulators into C (only the first lane of an odd last column). */
function storeTile(s: Strip, rows: number): void {
  const { fn, vecs } = s;
  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < vecs; v++) {
      cRow(s, r);
      fn.get(s.acc[r][v]);
      if (s.oddLast && v === vecs - 1) fn.v128Store64Lane(16 * v, 0);
      else fn.v128Store(16 * v);
    }
  }
}

/** The exported driver of one family: the three outer loops around the strips. */
function driverFunction(family: Family, fullStrip: number, tableBase: number, stripType: number): FunctionBuilder {
  const fn = new FunctionBuilder(
    driverName(family),
    DRIVER_PARAMS.map(() => i32),
  );
  const P = named(fn, DRIVER_PARAMS);
  const p0 = fn.local(i32);
  const kc = fn.local(i32);
  const aBlock = fn.local(i32);
  const bBlock = fn.local(i32);
  const i0 = fn.local(i32);
  const i1 = fn.local(i32);
  const j = fn.local(i32);
  const t = fn.local(i32);
  const nr = family.nr;

  const stripArgs = (): void => {
    fn.get(i0).get(i1).get(kc).get(aBlock).get(P.aRs).get(P.aCs);
    fn.get(bBlock).get(j).i32(8).mul().add().get(P.bRs);
    fn.get(P.c).get(j).i32(8).mul().add().get(P.cRs);
    // zero = (p0 == 0 && !accumulate)
    fn.get(p0).eqz().get(P.accumulate).eqz().and();
  };

  // nothing to do for an empty range (k >= 1 is the caller's promise)
  fn.get(P.iLo).get(P.iHi).geS().get(P.jLo).get(P.jHi).geS().add().if().br(1).end();
  fn.i32(0).set(p0);
  fn.loop();
  {
    // kc = min(KC, k - p0); the A and B blocks start at column / row p0
    fn.get(P.k).get(p0).sub().set(t);
    min(fn, P.KC, t);
    fn.set(kc);
    fn.get(P.a).get(p0).get(P.aCs).mul().add().set(aBlock);
    fn.get(P.b).get(p0).get(P.bRs).mul().add().set(bBlock);
    fn.get(P.iLo).set(i0);
    fn.block().loop();
    {
      fn.get(i0).get(P.iHi).geS().brIf(1);
      fn.get(i0).get(P.MC).add().set(t);
      min(fn, t, P.iHi);
      fn.set(i1);
      fn.get(P.jLo).set(j);
      fn.block().loop();
      fn.get(j).i32(nr).add().get(P.jHi).gtS().brIf(1);
      stripArgs();
      fn.call(fullStrip);
      fn.get(j).i32(nr).add().set(j);
      fn.br(0).end().end();
      // a narrower last strip: table slot tableBase + width - 1
      fn.get(j).get(P.jHi).ltS().if();
      stripArgs();
      fn.get(P.jHi)
        .get(j)
        .sub()
        .i32(tableBase - 1)
        .add();
      fn.callIndirect(stripType);
      fn.end();
      fn.get(i1).set(i0);
      fn.br(0);
    }
    fn.end().end();
    fn.get(p0).get(kc).add().tee(p0).get(P.k).ltS().brIf(0);
  }
  fn.end();
  return fn;
}

/** The name of a family's driver, e.g. gemm_4x4. */
export type GemmDriver = `gemm_${number}x${number}`;

/**
 * The kernel: one exported driver per family, each with the parameters
 * DRIVER_PARAMS (all i32, addresses and strides in bytes); the strips are
 * not exported, and a driver calls its narrower strips through the function
 * table (slot tableBase + width - 1).
 */
export const gemmKernel: WasmKernel<GemmDriver> = {
  kernel: 'gemm',
  exports: Object.fromEntries(FAMILIES.map((f) => [driverName(f), DRIVER_PARAMS])) as Record<GemmDriver, typeof DRIVER_PARAMS>,
  build(module: ModuleBuilder): void {
    const stripType = module.typeIndex(STRIP_PARAMS.map(() => i32));
    const plans = FAMILIES.map((family) => {
      if (family.nr % 2 !== 0 || family.mr < 1) throw new RangeError(`gemm kernel: bad tile ${family.mr}x${family.nr}`);
      const strips = Array.from({ length: family.nr }, (_, w) => module.add(stripFunction(family, w + 1)));
      return { family, tableBase: module.appendToTable(strips), fullStrip: strips[family.nr - 1] };
    });
    for (const { family, tableBase, fullStrip } of plans) module.add(driverFunction(family, fullStrip, tableBase, stripType), true);
  },
};
