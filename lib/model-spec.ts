/**
 * Layer descriptions: a network written as data, without any weights.
 *
 * The classifier (exercise 06) builds real layers from a list of these, and
 * the model summary computes output shapes and parameter counts from the same
 * list, so a 138-million-parameter model can be described for free.
 * Shapes are per sample, [C, H, W] for images and [F] after flatten.
 */
import type { Pair } from './checks';

export type LayerSpec =
  | { type: 'conv2d'; outChannels: number; kernelSize: Pair; stride?: Pair; padding?: Pair }
  | { type: 'maxpool2d'; kernelSize: Pair; stride?: Pair; padding?: Pair }
  | { type: 'avgpool2d'; kernelSize: Pair; stride?: Pair; padding?: Pair }
  | { type: 'flatten' }
  | { type: 'fc'; outFeatures: number }
  | { type: 'relu' };
