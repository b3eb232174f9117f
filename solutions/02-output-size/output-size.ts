/**
 * Output size of a convolution (or a pooling) along one axis.
 *
 * A window of F pixels slides over an input of N pixels that has P zeros
 * added on each side (N + 2P pixels in all), moving S pixels at a time. It
 * starts at 0, so window number k covers [k*S, k*S + F) and fits when
 * k*S + F <= N + 2P. The windows that fit are k = 0, 1, ..., floor((N + 2P - F) / S):
 *
 *   out = floor((N + 2P - F) / S) + 1
 *
 * When S does not divide N + 2P - F, the last window that fits ends before
 * the padded input does and the leftover pixels are never looked at: the
 * result is floored, as frameworks do (20 pixels, F = 3, S = 2 give 9, not
 * 9.5). Such a setting loses the edge of the image, so it is best avoided,
 * but it is not an error.
 */
import { checkKernelFits, checkNonNegativeInt, checkPositiveInt, toPair, type Pair } from '../../lib/checks';

/**
 * floor((inputSize + 2 * padding - kernelSize) / stride) + 1.
 *
 * inputSize, kernelSize, stride: whole numbers >= 1; padding: a whole number >= 0;
 * kernelSize <= inputSize + 2 * padding. Anything else throws a KataInputError
 * that names the value given (and, for a kernel that does not fit, the padded size).
 * Use checkPositiveInt, checkNonNegativeInt and checkKernelFits from lib/checks.ts
 * with where = 'convOutputSize' and the names 'input size', 'kernel size', 'stride',
 * 'padding' (axis 'size' for checkKernelFits).
 */
export function convOutputSize(inputSize: number, kernelSize: number, stride = 1, padding = 0): number {
  return outputSizeOnAxis('convOutputSize', 'size', inputSize, kernelSize, stride, padding);
}

/**
 * [OH, OW] for an input of height x width: convOutputSize once per axis.
 * kernelSize, stride and padding take a number for both axes or a pair [h, w].
 * Check with where = 'convOutputShape' (toPair for the pairs) and names that say
 * the axis: 'input height', 'kernel width', 'stride height', 'padding width'.
 */
export function convOutputShape(height: number, width: number, kernelSize: Pair, stride: Pair = 1, padding: Pair = 0): [number, number] {
  const where = 'convOutputShape';
  const [kh, kw] = toPair(where, 'kernelSize', kernelSize);
  const [sh, sw] = toPair(where, 'stride', stride);
  const [ph, pw] = toPair(where, 'padding', padding);
  return [outputSizeOnAxis(where, 'height', height, kh, sh, ph), outputSizeOnAxis(where, 'width', width, kw, sw, pw)];
}

/**
 * Checks the arguments for one axis, then applies the formula. `axis` only
 * names the values in messages ("input height", "stride width"; for a single
 * axis, "input size", "stride").
 */
function outputSizeOnAxis(where: string, axis: 'size' | 'height' | 'width', input: number, kernel: number, stride: number, padding: number): number {
  const along = axis === 'size' ? '' : ` ${axis}`;
  checkPositiveInt(where, `input ${axis}`, input);
  checkPositiveInt(where, `kernel ${axis}`, kernel);
  checkPositiveInt(where, `stride${along}`, stride);
  checkNonNegativeInt(where, `padding${along}`, padding);
  checkKernelFits(where, axis, input, kernel, padding);
  return Math.floor((input + 2 * padding - kernel) / stride) + 1;
}
