/**
 * Exercise 07: LeNet-5 (LeCun et al., 1998), described as data and trained
 * with your own layers through the classifier of exercise 06.
 *
 * This is the modern reading of LeNet-5 that frameworks teach: ReLU instead
 * of the original scaled tanh, max pooling instead of trainable subsampling,
 * and every C3 map connected to every S2 map. Shapes per image:
 *
 *   [1, 28, 28]  conv 6@5x5, padding 2  -> [6, 28, 28]   (28 + 4 - 5) / 1 + 1 = 28
 *                relu, max pool 2x2     -> [6, 14, 14]
 *                conv 16@5x5            -> [16, 10, 10]  (14 - 5) / 1 + 1 = 10
 *                relu, max pool 2x2     -> [16, 5, 5]
 *                flatten                -> [400]         16 * 5 * 5
 *                fc 120, relu           -> [120]
 *                fc 84, relu            -> [84]
 *                fc 10                  -> [10]          one score per digit
 *
 * Parameters: conv 5*5*1*6 + 6 = 156, conv 5*5*6*16 + 16 = 2,416,
 * fc 400*120 + 120 = 48,120, fc 120*84 + 84 = 10,164, fc 84*10 + 10 = 850;
 * 61,706 in all.
 */
import { type ClassifierOptions, Scratch2dCNNClassifier } from '../06-classifier/classifier';
import type { LayerSpec } from '../../lib/model-spec';
import { NotImplementedError } from '../../lib/not-implemented';

/** LeNet-5 for 28 x 28 grey digits ([1, 28, 28] in, 10 class scores out), as the layer list above. */
export function lenet5(): LayerSpec[] {
  throw new NotImplementedError('07-lenet', 'lenet5');
}

/** Training options for LeNet-5; the network, input shape and classes are fixed. */
export type LenetOptions = Omit<ClassifierOptions, 'layers' | 'inputShape' | 'classes'>;

/** A Scratch2dCNNClassifier built on lenet5(), for [N, 1, 28, 28] images and 10 classes. */
export function lenetClassifier(options: LenetOptions = {}): Scratch2dCNNClassifier {
  throw new NotImplementedError('07-lenet', 'lenetClassifier');
}
