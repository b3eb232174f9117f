/**
 * The engine: fast layers with the kata's Layer contract, and the kernels
 * behind them. Importing it makes lib's `gemm` and Adam's element loop run
 * in WebAssembly (the same numbers).
 *
 * engineKit holds the layers the engine makes faster; a classifier built
 * with `{ kit: engineKit }` takes the others (Flatten, AveragePool2D) from
 * its own tree. Every engine layer gives the readable reference's
 * numbers bit for bit, on any thread count (tests/engine/contract.test.ts).
 */
import type { LayerKit } from '../lib/layer';
import { useAdamLoop } from '../lib/optimizers';
import { installGemmBackend } from './config';
import { wasmAdamLoop } from './kernels/adam';
import { Conv2d } from './layers/conv2d';
import { FC } from './layers/fc';
import { MaxPool2D } from './layers/max-pool2d';
import { ReLU } from './layers/relu';

installGemmBackend();
useAdamLoop(wasmAdamLoop);

export const engineKit: Partial<LayerKit> = { Conv2d, MaxPool2D, ReLU, FC };

export { configFromEnvironment, getEngineConfig, setEngineConfig, type EngineConfig, type EngineKernel } from './config';
export { closeKernelThreads as closeEngineThreads, kernelThreadStats, wasmKernelStatus } from './kernel-host';
/** wasmKernelStatus under its earlier name. */
export { wasmKernelStatus as wasmGemmStatus } from './kernel-host';
