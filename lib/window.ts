/**
 * Given code: the output size of a sliding window and the input checks that
 * every function of exercise 01 starts with, so its files can stay about the
 * maths. The engine's layers call the same checks, so both say the same thing
 * about bad input.
 *
 * Along one axis, an input of size H, a kernel of size F, a stride S and a
 * padding P (zeros added on both sides) give
 *
 *   OH = floor((H + 2P - F) / S) + 1
 *
 * windows: the first starts at the top of the padded input and each next one
 * starts S pixels further down. When S does not divide H + 2P - F, the last
 * few pixels are never covered by a whole window and are ignored, as
 * frameworks do; hence the floor. Exercise 02 turns this formula into a
 * function that checks its own arguments.
 */
import { checkAxis, checkFinite, checkKernelFits, checkNonNegativeInt, checkPositiveInt, checkRank, KataInputError } from './checks';
import { formatShape, Tensor } from './tensor';

/** A window's kernel size, stride and padding as pairs [height, width], checked (a pooling layer's options once expanded). */
export interface Window {
  kernelSize: [number, number];
  stride: [number, number];
  padding: [number, number];
}

/** OH = floor((H + 2P - F) / S) + 1 for one axis. The callers check the arguments first. */
export function outputSize(input: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((input + 2 * padding - kernel) / stride) + 1;
}

/** Kernel and stride: whole numbers >= 1; padding: a whole number >= 0 (for both axes). */
export function checkWindow(
  where: string,
  kernel: readonly [number, number],
  stride: readonly [number, number],
  padding: readonly [number, number],
): void {
  checkPositiveInt(where, 'kernel height', kernel[0]);
  checkPositiveInt(where, 'kernel width', kernel[1]);
  checkPositiveInt(where, 'stride height', stride[0]);
  checkPositiveInt(where, 'stride width', stride[1]);
  checkNonNegativeInt(where, 'padding height', padding[0]);
  checkNonNegativeInt(where, 'padding width', padding[1]);
}

/**
 * Checks an image shape [N, C, H, W] against a window (kernel, stride,
 * padding) and returns the output size [OH, OW].
 */
export function checkImageShape(
  where: string,
  shape: readonly number[],
  kernel: readonly [number, number],
  stride: readonly [number, number],
  padding: readonly [number, number],
): [number, number] {
  checkWindow(where, kernel, stride, padding);
  if (shape.length !== 4) {
    throw new KataInputError(`${where}: expected a rank-4 shape [N, C, H, W], got ${formatShape(shape)}`);
  }
  const [, , height, width] = shape;
  checkPositiveInt(where, 'input height H', height);
  checkPositiveInt(where, 'input width W', width);
  checkKernelFits(where, 'height', height, kernel[0], padding[0]);
  checkKernelFits(where, 'width', width, kernel[1], padding[1]);
  return [outputSize(height, kernel[0], stride[0], padding[0]), outputSize(width, kernel[1], stride[1], padding[1])];
}

/**
 * Checks images x [N, C, H, W]: the rank, the channel count (when `channels`
 * is given), the window and its fit (as checkImageShape), and that every
 * value is finite. Returns the output size [OH, OW].
 */
export function checkImages(
  where: string,
  x: Tensor,
  kernel: readonly [number, number],
  stride: readonly [number, number],
  padding: readonly [number, number],
  channels?: number,
): [number, number] {
  checkRank(where, x, 4, '[N, C, H, W]');
  if (channels !== undefined) checkAxis(where, x, 1, channels, 'channels C');
  const size = checkImageShape(where, x.shape, kernel, stride, padding);
  checkFinite(where, x);
  return size;
}
