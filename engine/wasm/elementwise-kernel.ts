/**
 * Element-by-element passes as WebAssembly functions, over a range of
 * elements [lo, hi) so that threads can share an array (../kernel-pool.ts):
 *
 *   relu_forward:   y[i]  = x[i] > 0 ? x[i] : +0,  and *flag = 1 if some x[i] is NaN or infinite
 *   relu_backward:  dx[i] = y[i] > 0 ? dout[i] : +0
 *   finite_scan:    *flag = 1 if some x[i] is NaN or infinite
 *   adam_step:      lib/optimizers.ts's Adam update of theta[i], m[i], v[i]
 *
 * Two doubles per f64x2 instruction, without a branch per element:
 * `f64x2.pmax(0, v)` is `0 < v ? v : 0` with v's bits as they are, and
 * `v128.and(dout, y > 0)` keeps dout's bits where the mask is all ones and
 * gives +0 (all bits zero) elsewhere: the readable ReLU's values exactly,
 * signed zeros and NaN included. The finite check adds v * 0 to a sum that
 * stays zero while every v is finite and is NaN from the first NaN or
 * infinity on; only `flag` (an i32, never cleared here) is written then.
 *
 * Parameters, all i32: lo and hi element indices, the arrays and flag byte
 * addresses.
 */
import { FunctionBuilder, type Local, type ModuleBuilder, ValType } from './assembler';
import type { WasmKernel } from './kernel-module';

const { i32, v128 } = ValType;

export const RELU_FORWARD = 'relu_forward';
export const RELU_BACKWARD = 'relu_backward';
export const FINITE_SCAN = 'finite_scan';
export const ADAM_STEP = 'adam_step';

/**
 * Runs `step(at, true)` for each two elements from byte offset 8*lo on, then
 * `step(at, false)` for the last one when the range has an odd length. `at`
 * is a byte offset from the start of each array; `load` and `store` below
 * move two doubles, or the one of an odd end.
 */
function eachPair(fn: FunctionBuilder, lo: Local, hi: Local, step: (at: Local, whole: boolean) => void): void {
  const at = fn.local(i32);
  const end = fn.local(i32);
  fn.get(lo).i32(8).mul().set(at);
  fn.get(hi).i32(8).mul().set(end);
  fn.block().loop();
  fn.get(at).i32(16).add().get(end).gtS().brIf(1);
  step(at, true);
  fn.get(at).i32(16).add().set(at);
  fn.br(0).end().end();
  fn.get(at).get(end).ltS().if();
  step(at, false);
  fn.end();
}

/** Pops an address; pushes the two doubles there, or the one there in lane 0 (lane 1 zero). */
const load = (fn: FunctionBuilder, whole: boolean): FunctionBuilder => (whole ? fn.v128Load() : fn.v128Load64Zero());
/** Pops a vector and an address; stores both lanes there, or lane 0 only. */
const store = (fn: FunctionBuilder, whole: boolean): FunctionBuilder => (whole ? fn.v128Store() : fn.v128Store64Lane(0, 0));

/** flag = 1 when a lane of `sum` is NaN (NaN != NaN). */
function raiseFlagOnNaN(fn: FunctionBuilder, sum: Local, flag: Local): void {
  fn.get(sum).get(sum).f64x2Ne().v128AnyTrue().if();
  fn.get(flag).i32(1).i32Store();
  fn.end();
}

export function reluForwardFunction(): FunctionBuilder {
  const fn = new FunctionBuilder(RELU_FORWARD, [i32, i32, i32, i32, i32]);
  const [lo, hi, x, y, flag] = fn.params;
  const [v, sum, zero] = [fn.local(v128), fn.local(v128), fn.local(v128)]; // locals start at zero
  eachPair(fn, lo, hi, (at, whole) => {
    load(fn.get(x).get(at).add(), whole).set(v);
    fn.get(sum).get(v).get(zero).f64x2Mul().f64x2Add().set(sum);
    store(fn.get(y).get(at).add().get(zero).get(v).f64x2Pmax(), whole);
  });
  raiseFlagOnNaN(fn, sum, flag);
  return fn;
}

export function reluBackwardFunction(): FunctionBuilder {
  const fn = new FunctionBuilder(RELU_BACKWARD, [i32, i32, i32, i32, i32]);
  const [lo, hi, y, dout, dx] = fn.params;
  const zero = fn.local(v128);
  eachPair(fn, lo, hi, (at, whole) => {
    fn.get(dx).get(at).add();
    load(fn.get(dout).get(at).add(), whole);
    load(fn.get(y).get(at).add(), whole);
    store(fn.get(zero).f64x2Gt().v128And(), whole);
  });
  return fn;
}

export function finiteScanFunction(): FunctionBuilder {
  const fn = new FunctionBuilder(FINITE_SCAN, [i32, i32, i32, i32]);
  const [lo, hi, x, flag] = fn.params;
  const [sum, zero] = [fn.local(v128), fn.local(v128)];
  eachPair(fn, lo, hi, (at, whole) => {
    fn.get(sum);
    load(fn.get(x).get(at).add(), whole);
    fn.get(zero).f64x2Mul().f64x2Add().set(sum);
  });
  raiseFlagOnNaN(fn, sum, flag);
  return fn;
}

/**
 * Adam's update, lane by lane the operations of lib/optimizers.ts's loop in
 * its order (IEEE division and square root are exact in f64x2 as in f64):
 *
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + ((1 - beta2) * g) * g
 *   theta = theta - (lr * (m / correction1)) / (sqrt(v / correction2) + eps)
 *
 * `step` is the address of 8 doubles: beta1, 1 - beta1, beta2, 1 - beta2,
 * correction1, correction2, lr, eps.
 */
export function adamStepFunction(): FunctionBuilder {
  const fn = new FunctionBuilder(ADAM_STEP, [i32, i32, i32, i32, i32, i32, i32]);
  const [lo, hi, theta, g, m, v, step] = fn.params;
  const [beta1, keep1, beta2, keep2, correction1, correction2, lr, eps, gv, mv, vv] = Array.from({ length: 11 }, () => fn.local(v128));
  [beta1, keep1, beta2, keep2, correction1, correction2, lr, eps].forEach((c, i) =>
    fn
      .get(step)
      .v128Load64Splat(8 * i)
      .set(c),
  );
  eachPair(fn, lo, hi, (at, whole) => {
    load(fn.get(g).get(at).add(), whole).set(gv);
    fn.get(m).get(at).add();
    fn.get(beta1);
    load(fn.get(m).get(at).add(), whole);
    fn.f64x2Mul().get(keep1).get(gv).f64x2Mul().f64x2Add().tee(mv);
    store(fn, whole);
    fn.get(v).get(at).add();
    fn.get(beta2);
    load(fn.get(v).get(at).add(), whole);
    fn.f64x2Mul().get(keep2).get(gv).f64x2Mul().get(gv).f64x2Mul().f64x2Add().tee(vv);
    store(fn, whole);
    fn.get(theta).get(at).add();
    load(fn.get(theta).get(at).add(), whole);
    fn.get(lr).get(mv).get(correction1).f64x2Div().f64x2Mul();
    fn.get(vv).get(correction2).f64x2Div().f64x2Sqrt().get(eps).f64x2Add();
    fn.f64x2Div().f64x2Sub();
    store(fn, whole);
  });
  return fn;
}

/** The kernel: ReLU forward and backward, the finite scan and Adam's step, element by element. */
export const elementwiseKernel: WasmKernel<typeof RELU_FORWARD | typeof RELU_BACKWARD | typeof FINITE_SCAN | typeof ADAM_STEP> = {
  kernel: 'element-wise passes',
  exports: {
    [RELU_FORWARD]: ['lo', 'hi', 'x', 'y', 'flag'],
    [RELU_BACKWARD]: ['lo', 'hi', 'y', 'dout', 'dx'],
    [FINITE_SCAN]: ['lo', 'hi', 'x', 'flag'],
    [ADAM_STEP]: ['lo', 'hi', 'theta', 'g', 'm', 'v', 'step'],
  },
  build(module: ModuleBuilder): void {
    module.add(reluForwardFunction(), true);
    module.add(reluBackwardFunction(), true);
    module.add(finiteScanFunction(), true);
    module.add(adamStepFunction(), true);
  },
};
