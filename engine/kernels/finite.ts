/**
 * The check that a layer's input holds only finite numbers, for arrays in
 * kernel memory: one read-only WebAssembly pass on the engine's threads
 * (../wasm/elementwise-kernel.ts) instead of a TypeScript loop. When it finds
 * something, lib's checkFinite runs to name the first bad value in the same
 * words as the readable layers.
 */
import { checkFinite } from '../../lib/checks';
import type { Tensor } from '../../lib/tensor';
import { getEngineConfig } from '../config';
import { type KernelName, runKernel } from '../kernel-host';
import { allocKernelArray, kernelAddress } from '../kernel-memory';

/** Below this many elements, one thread does an element pass. */
export const ELEMENT_THREAD_MIN = 1 << 16;

/** One i32 in kernel memory that the element kernels set to 1 when they see a NaN or an infinity. */
let flagArray: Float64Array | null | undefined;

/**
 * Runs an element kernel whose last argument is the flag's address over
 * [0, length), on the engine's threads; returns whether it raised the flag,
 * or null when the WebAssembly kernel or kernel memory is unavailable.
 */
export function runFlaggedKernel(name: KernelName, length: number, addresses: number[]): boolean | null {
  if (flagArray === undefined) flagArray = allocKernelArray(1);
  if (flagArray === null) return null;
  const flag = new Int32Array(flagArray.buffer, flagArray.byteOffset, 1);
  flag[0] = 0;
  const threads = length >= ELEMENT_THREAD_MIN ? getEngineConfig().threads : 1;
  if (!runKernel(name, [0, length, ...addresses, kernelAddress(flagArray)], threads)) return null;
  return flag[0] !== 0;
}

/** lib's checkFinite (same message), scanned in WebAssembly when x lives in kernel memory. */
export function checkFiniteFast(where: string, x: Tensor): void {
  const at = kernelAddress(x.data);
  const raised = at >= 0 && getEngineConfig().kernel === 'wasm' ? runFlaggedKernel('finite_scan', x.size, [at]) : null;
  if (raised !== false) checkFinite(where, x);
}
