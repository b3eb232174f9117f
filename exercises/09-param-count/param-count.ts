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
import type { Pair } from '../../lib/checks';
import { NotImplementedError } from '../../lib/not-implemented';

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

/**
 * Output size and parameter count (biases included) of a convolution layer.
 * Throws KataInputError on bad sizes: use toPair, checkPositiveInt,
 * checkNonNegativeInt and checkKernelFits from lib/checks.ts with where = 'convLayerStats'.
 */
export function convLayerStats(options: ConvLayerOptions): ConvLayerStats {
  throw new NotImplementedError('09-param-count', 'convLayerStats');
}
