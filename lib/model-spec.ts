/**
 * Layer descriptions: a network written as data, without any weights.
 *
 * The classifier (exercise 06) builds real layers from a list of these, and
 * the model summary computes output shapes and parameter counts from the same
 * list, so a 138-million-parameter model can be described for free.
 * Shapes are per sample, [C, H, W] for images and [F] after flatten.
 * `lrn`, `dropout` and conv2d `groups` describe published models (AlexNet,
 * VGG16) for the summary; the classifier need not build them.
 */
import type { Pair } from './checks';

export type LayerSpec =
  /**
   * `groups` (default 1) splits the input and output channels into that many
   * independent groups, as in the original two-GPU AlexNet: each filter sees
   * only C_in / groups channels. Only the model summary uses it; the kata's
   * Conv2d layer has no groups.
   */
  | { type: 'conv2d'; outChannels: number; kernelSize: Pair; stride?: Pair; padding?: Pair; groups?: number }
  | { type: 'maxpool2d'; kernelSize: Pair; stride?: Pair; padding?: Pair }
  | { type: 'avgpool2d'; kernelSize: Pair; stride?: Pair; padding?: Pair }
  | { type: 'flatten' }
  | { type: 'fc'; outFeatures: number }
  | { type: 'relu' }
  /** Local response normalization across `size` neighbouring channels (AlexNet); no parameters, shape unchanged. */
  | { type: 'lrn'; size?: number }
  /** Dropout: zeroes a fraction `rate` of the activations while training; no parameters, shape unchanged. */
  | { type: 'dropout'; rate: number };
