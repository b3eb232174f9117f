/**
 * Exercise 09: the output size and the parameter count of one convolution
 * layer, computed before building it (how many features reach the first FC
 * layer? how much memory do the weights take?).
 *
 * Input H x W with C_in channels, C_out filters of FH x FW, stride S, padding P:
 *
 *   H_out = floor((H + 2 P_h - FH) / S_h) + 1
 *   W_out = floor((W + 2 P_w - FW) / S_w) + 1
 *   weights = FH * FW * C_in * C_out      (one FH x FW x C_in filter per output channel)
 *   biases  = C_out                       (one bias per output channel)
 *   params  = weights + biases
 *
 * When S does not divide H + 2P - F, the last pixels at the edge are never
 * covered by a whole window: frameworks ignore them, so the size is floored.
 */
import { checkKernelFits, checkNonNegativeInt, checkPositiveInt, type Pair, toPair } from '../../lib/checks';

export interface ConvLayerOptions {
  /** Input height and width [H, W]; a number means a square input. */
  inputSize: Pair;
  /** C_in: channels of the input. */
  inChannels: number;
  /** C_out: number of filters, hence channels of the output. */
  outChannels: number;
  /** Filter size [FH, FW]. */
  kernelSize: Pair;
  /** [S_h, S_w]; defaults to 1. */
  stride?: Pair;
  /** Zeros added on each border [P_h, P_w]; defaults to 0. */
  padding?: Pair;
}

export interface ConvLayerStats {
  /** [H_out, W_out] */
  outputSize: [number, number];
  /** FH * FW * C_in * C_out */
  weights: number;
  /** C_out */
  biases: number;
  /** weights + biases */
  params: number;
}

const WHERE = 'convLayerStats';

/** Output size and parameter count (biases included) of a convolution layer. Throws KataInputError on bad sizes. */
export function convLayerStats({ inputSize, inChannels, outChannels, kernelSize, stride = 1, padding = 0 }: ConvLayerOptions): ConvLayerStats {
  const [height, width] = toPair(WHERE, 'inputSize', inputSize);
  const [fh, fw] = toPair(WHERE, 'kernelSize', kernelSize);
  const [sh, sw] = toPair(WHERE, 'stride', stride);
  const [ph, pw] = toPair(WHERE, 'padding', padding);
  checkPositiveInt(WHERE, 'input height', height);
  checkPositiveInt(WHERE, 'input width', width);
  checkPositiveInt(WHERE, 'inChannels', inChannels);
  checkPositiveInt(WHERE, 'outChannels', outChannels);
  checkPositiveInt(WHERE, 'kernel height', fh);
  checkPositiveInt(WHERE, 'kernel width', fw);
  checkPositiveInt(WHERE, 'stride height', sh);
  checkPositiveInt(WHERE, 'stride width', sw);
  checkNonNegativeInt(WHERE, 'padding height', ph);
  checkNonNegativeInt(WHERE, 'padding width', pw);
  checkKernelFits(WHERE, 'height', height, fh, ph);
  checkKernelFits(WHERE, 'width', width, fw, pw);

  const outputSize: [number, number] = [Math.floor((height + 2 * ph - fh) / sh) + 1, Math.floor((width + 2 * pw - fw) / sw) + 1];
  const weights = fh * fw * inChannels * outChannels;
  const biases = outChannels;
  return { outputSize, weights, biases, params: weights + biases };
}
