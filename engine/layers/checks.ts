/**
 * The input checks of the engine's layers, with the same messages as the
 * readable layers' (lib/checks.ts and exercise 01's geometry.ts), so a
 * network says the same thing whichever kit built it.
 */
import { checkAxis, checkKernelFits, checkNonNegativeInt, checkPositiveInt, checkRank } from '../../lib/checks';
import type { Tensor } from '../../lib/tensor';
import { checkFiniteFast } from '../kernels/finite';
import { windowGeometry, type WindowGeometry } from '../kernels/im2col';

export interface Window {
  kernelSize: [number, number];
  stride: [number, number];
  padding: [number, number];
}

/** Kernel and stride: whole numbers >= 1; padding: a whole number >= 0 (both axes). */
export function checkWindow(where: string, { kernelSize, stride, padding }: Window): void {
  checkPositiveInt(where, 'kernel height', kernelSize[0]);
  checkPositiveInt(where, 'kernel width', kernelSize[1]);
  checkPositiveInt(where, 'stride height', stride[0]);
  checkPositiveInt(where, 'stride width', stride[1]);
  checkNonNegativeInt(where, 'padding height', padding[0]);
  checkNonNegativeInt(where, 'padding width', padding[1]);
}

/**
 * Images x [N, C, H, W]: the rank, the channel count (when given), a window
 * that fits the padded input, and finite values unless `values` is false
 * (the caller then checks them itself). Returns the sizes of the pass.
 */
export function checkImages(where: string, x: Tensor, window: Window, channels?: number, values = true): WindowGeometry {
  checkRank(where, x, 4, '[N, C, H, W]');
  if (channels !== undefined) checkAxis(where, x, 1, channels, 'channels C');
  const [, , height, width] = x.shape;
  checkPositiveInt(where, 'input height H', height);
  checkPositiveInt(where, 'input width W', width);
  checkKernelFits(where, 'height', height, window.kernelSize[0], window.padding[0]);
  checkKernelFits(where, 'width', width, window.kernelSize[1], window.padding[1]);
  if (values) checkFiniteFast(where, x);
  return windowGeometry(x.shape, window.kernelSize, window.stride, window.padding);
}
