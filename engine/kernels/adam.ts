/**
 * lib's Adam loop run as WebAssembly on the engine's threads
 * (../wasm/elementwise-kernel.ts, adam_step), with the TypeScript loop's bits:
 * plugged into lib/optimizers.ts with `useAdamLoop`, as the gemm kernel is
 * into lib/matmul.ts. It runs when theta, g, m and v all lie in kernel memory
 * (the engine's layers keep their params and grads there; m and v come from
 * `moments`); otherwise Adam's own loop does.
 */
import type { AdamLoop, AdamStep } from '../../lib/optimizers';
import { getEngineConfig } from '../config';
import { runKernel } from '../kernel-host';
import { allocKernelArray, freeKernelArray, kernelAddress } from '../kernel-memory';
import { ADAM_STEP } from '../wasm/elementwise-kernel';

/** From this many values on, both threads share an update (an element costs two divisions and a square root). */
const ADAM_THREAD_MIN = 1 << 13;

/** Moments in kernel memory go back to it when Adam drops them (with its optimizer). */
const dropped = new FinalizationRegistry<Float64Array>((view) => freeKernelArray(view));

/** The 8 numbers of one step, where the kernel reads them. */
let stepArray: Float64Array | null | undefined;

export const wasmAdamLoop: AdamLoop = {
  moments(length: number): Float64Array {
    const array = allocKernelArray(length);
    if (array === null) return new Float64Array(length);
    array.fill(0);
    // the registry holds a second view of the same block: the moments array itself can be collected
    dropped.register(array, new Float64Array(array.buffer, array.byteOffset, array.length));
    return array;
  },

  run(theta: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, step: AdamStep): boolean {
    const { kernel, threads } = getEngineConfig();
    if (kernel !== 'wasm' || ![theta, g, m, v].every((a) => kernelAddress(a) >= 0)) return false;
    if (stepArray === undefined) stepArray = allocKernelArray(8);
    if (stepArray === null) return false;
    stepArray.set([step.beta1, 1 - step.beta1, step.beta2, 1 - step.beta2, step.correction1, step.correction2, step.lr, step.eps]);
    const addresses = [theta, g, m, v, stepArray].map(kernelAddress);
    return runKernel(ADAM_STEP, [0, theta.length, ...addresses], theta.length >= ADAM_THREAD_MIN ? threads : 1);
  },
};
