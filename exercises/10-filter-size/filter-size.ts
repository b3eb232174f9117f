/**
 * Exercise 10: why modern CNNs use small filters.
 *
 * Two questions (the README's), four functions:
 *   - why stack 3x3 convolutions rather than use one big filter?
 *       how many input pixels one output pixel of a stack of layers sees     receptiveField
 *       what the stack costs next to one big filter that sees as much        stackedCost, singleFilterCost
 *   - what does a 1x1 convolution do?                                         pointwiseConv
 *
 * All counts are per layer input with C channels in and C channels out for
 * the comparison (the setting of VGG's blocks), and the layers keep the image
 * size (stride 1, "same" padding), so the number of multiply-adds per output
 * pixel equals the number of weights.
 *
 * Every function checks its arguments with checkPositiveInt from
 * lib/checks.ts, the place being the function's name (e.g. 'stackedCost').
 */
import { NotImplementedError } from '../../lib/not-implemented';

/** One layer of a stack along one axis: a window of `kernel` pixels moving `stride` pixels (default 1). */
export interface WindowLayer {
  kernel: number;
  stride?: number;
}

/**
 * The receptive field of one output pixel of a stack of layers (along one
 * axis; a square kernel sees r x r pixels). Going from the input upwards:
 *
 *   r = 1, jump = 1               (a pixel of the input sees itself; neighbours are 1 apart)
 *   for each layer (F, S):
 *     r    += (F - 1) * jump      (F neighbouring pixels of the previous layer, each `jump` input pixels apart)
 *     jump *= S                   (its neighbouring outputs are S times further apart)
 *
 * Padding does not change r. An empty stack gives 1.
 */
export function receptiveField(layers: readonly WindowLayer[]): number {
  throw new NotImplementedError('10-filter-size', 'receptiveField');
}

/** What a convolution layer (or a stack of them) costs, with C channels in and C out. */
export interface FilterCost {
  /** Number of convolution layers. */
  layers: number;
  /** Width of the square of input pixels one output pixel sees. */
  receptiveField: number;
  /** Filter weights only, no biases (= multiply-adds per output pixel). */
  weights: number;
  /** One bias per output channel of every layer. */
  biases: number;
  /** weights + biases */
  params: number;
}

/**
 * n 3x3 convolutions stacked, stride 1, C channels in and out of each:
 *
 *   receptiveField = 1 + 2n           (each 3x3 layer adds 2)
 *   weights        = n * 3 * 3 * C * C = 9 n C^2
 *   biases         = n * C
 */
export function stackedCost(n: number, channels: number): FilterCost {
  throw new NotImplementedError('10-filter-size', 'stackedCost');
}

/**
 * One size x size convolution, C channels in and out:
 *
 *   receptiveField = size
 *   weights        = size * size * C * C
 *   biases         = C
 *
 * It sees as much as stackedCost(n) when size = 2n + 1.
 */
export function singleFilterCost(size: number, channels: number): FilterCost {
  throw new NotImplementedError('10-filter-size', 'singleFilterCost');
}

export interface PointwiseOptions {
  inChannels: number;
  outChannels: number;
  /** Height H of the input image. */
  height: number;
  /** Width W of the input image. */
  width: number;
}

export interface PointwiseStats {
  /** [C_out, H, W]: the height and width are unchanged. */
  outputShape: [number, number, number];
  /** C_in * C_out: one weight per (input channel, output channel) pair. */
  weights: number;
  /** C_out */
  biases: number;
  /** weights + biases */
  params: number;
  /** H * W * C_in * C_out: the cost of one forward pass for one image. */
  multiplyAdds: number;
}

/**
 * A 1x1 convolution (stride 1, no padding) on an image [C_in, H, W]. At every
 * pixel it takes the C_in values of that pixel and mixes them into C_out new
 * ones (a fully connected layer applied pixel by pixel, the same weights at
 * every pixel); it never looks at neighbours, so H and W are unchanged:
 *
 *   out[m, i, j] = b[m] + sum_k w[m, k] x[k, i, j]
 */
export function pointwiseConv(options: PointwiseOptions): PointwiseStats {
  throw new NotImplementedError('10-filter-size', 'pointwiseConv');
}
