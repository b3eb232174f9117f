/**
 * The element loops of ReLU for the layer to call (exercise 00's formulas):
 *
 *   forward:   y[i]  = max(x[i], 0)
 *   backward:  dx[i] = dout[i] where y[i] > 0, else 0
 *
 * The forward has no branch per element: whether an activation is positive
 * is close to random, so a branch on it is mispredicted about half the time
 * (the branching loop measured about 5 times slower). `+(v > 0)` is 1 or 0,
 * so `+(v > 0) * v` is v or a zero (-0 for a negative v), and `+ 0` turns
 * -0 into 0: exactly the values of `v > 0 ? v : 0`.
 *
 * When the kernels run WebAssembly and every array lies in kernel memory
 * (the engine's layers hand each other such arrays), the loops run as
 * WebAssembly on the engine's threads instead (../wasm/elementwise-kernel.ts),
 * with the same values.
 */
import { getEngineConfig } from '../config';
import { runKernel } from '../kernel-host';
import { kernelAddress } from '../kernel-memory';
import { RELU_BACKWARD, RELU_FORWARD } from '../wasm/elementwise-kernel';
import { ELEMENT_THREAD_MIN, runFlaggedKernel } from './finite';

/** Whether the WebAssembly kernels run and can reach every one of these arrays where it is. */
const inKernelMemory = (...arrays: Float64Array[]): boolean => getEngineConfig().kernel === 'wasm' && arrays.every((a) => kernelAddress(a) >= 0);

/**
 * y = max(x, 0) over every element (x and y of the same length). Returns the
 * index of the first value of x that is NaN or infinite, or -1 when all are
 * finite (then y is complete).
 */
export function reluForwardInto(x: Float64Array, y: Float64Array): number {
  const fast = inKernelMemory(x, y) ? runFlaggedKernel(RELU_FORWARD, x.length, [kernelAddress(x), kernelAddress(y)]) : null;
  if (fast === false) return -1;
  if (fast === true) return x.findIndex((v) => !Number.isFinite(v));
  // The sum of v * 0 stays 0 while every v is finite and becomes NaN at the
  // first NaN or infinity: one check after the loop instead of one per element.
  let finite = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    finite += v * 0;
    y[i] = +(v > 0) * v + 0;
  }
  if (finite === 0) return -1;
  return x.findIndex((v) => !Number.isFinite(v));
}

/**
 * dx = dout where y > 0, else +0, over every element (y, dout, dx of the
 * same length), without a branch and with exactly the bits of
 * `y > 0 ? dout : 0` for finite dout. With m = +(y > 0), 1 or 0:
 *
 *   m = 1:  dout * 1 + (0 - 1) * 0  =  dout + (-0)  =  dout   (x + -0 is x, even for x = -0)
 *   m = 0:  dout * 0 + (0 - 0) * 0  =  (+-0) + (+0)  =  +0
 *
 * (`0 - m` rather than `-m`: -0 times 0 would be -0.)
 */
export function reluBackwardInto(y: Float64Array, dout: Float64Array, dx: Float64Array): void {
  if (inKernelMemory(y, dout, dx)) {
    const threads = y.length >= ELEMENT_THREAD_MIN ? getEngineConfig().threads : 1;
    if (runKernel(RELU_BACKWARD, [0, y.length, kernelAddress(y), kernelAddress(dout), kernelAddress(dx)], threads)) return;
  }
  for (let i = 0; i < y.length; i++) {
    const m = +(y[i] > 0);
    dx[i] = m * dout[i] + (0 - m) * 0;
  }
}
