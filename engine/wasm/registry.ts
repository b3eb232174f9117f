/**
 * The kernels of the engine's WebAssembly module, in one list: the host
 * (../kernel-host.ts) builds the module from it, and a function's name is
 * valid in `runKernel` because its kernel is listed here. Each entry is the
 * one `WasmKernel` its file exports (./kernel-module.ts says what that holds).
 *
 * Adding a kernel: write its file here, exporting its `WasmKernel`, and add
 * it to this list (the module keeps the list's order; appending keeps the
 * other kernels' code as it was).
 */
import { biasGradientKernel } from './bias-kernel';
import { convInputGradientKernel } from './conv-dx-kernel';
import { convKernel } from './conv-kernel';
import { elementwiseKernel } from './elementwise-kernel';
import { gemmKernel } from './gemm-kernel';
import { im2colKernel } from './im2col-kernel';
import { exportedNames, type KernelNames } from './kernel-module';
import { poolKernel } from './pool-kernel';
import { transposeKernel } from './transpose-kernel';

export const WASM_KERNELS = [
  gemmKernel,
  im2colKernel,
  poolKernel,
  transposeKernel,
  convKernel,
  convInputGradientKernel,
  biasGradientKernel,
  elementwiseKernel,
] as const;

/** The name of a function of the module (what `runKernel` runs). */
export type KernelName = KernelNames<typeof WASM_KERNELS>;

/** Every function of the module, in order: a worker thread is told which to run by its index here. */
export const KERNEL_NAMES: readonly KernelName[] = exportedNames(WASM_KERNELS);
