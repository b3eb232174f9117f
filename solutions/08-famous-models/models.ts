/**
 * Exercise 08: two famous ImageNet models written as layer lists. Nothing is
 * trained and no weight is allocated: lib/summary.ts computes every output
 * shape and parameter count from the lists, to compare with the published
 * totals. Shapes are per image [C, H, W]; both models end with 1000 class scores.
 *
 * Conv and pool output size: floor((N + 2P - F) / S) + 1.
 * Parameters: conv FH * FW * (C_in / groups) * C_out + C_out, fc in * out + out.
 */
import type { LayerSpec } from '../../lib/model-spec';

/**
 * Which AlexNet:
 *   'single-tower'  the network of Krizhevsky, Sutskever & Hinton (2012) with its two GPU
 *                   halves merged: every filter sees every channel. Input [3, 227, 227].
 *                   62,378,344 parameters.
 *   'two-gpu'       the same as trained in the paper: conv2, conv4 and conv5 are split in
 *                   two groups (each half of the filters sees only its own GPU's half of the
 *                   channels: kernels 5x5x48, 3x3x192, 3x3x192). Input [3, 227, 227].
 *                   60,965,224 parameters (the paper's "60 million").
 *   'torchvision'   torchvision's alexnet, after Krizhevsky's "One weird trick" (2014):
 *                   64, 192, 384, 256, 256 filters, no LRN, input [3, 224, 224] with
 *                   padding 2 on the first layer. 61,100,840 parameters.
 */
export type AlexNetVariant = 'single-tower' | 'two-gpu' | 'torchvision';

/**
 * AlexNet as a layer list. For 'single-tower' and 'two-gpu' (input [3, 227, 227]):
 *
 *   conv 96@11x11 stride 4      -> [96, 55, 55]    (227 - 11) / 4 + 1 = 55
 *   relu, lrn 5, max pool 3/2   -> [96, 27, 27]    (55 - 3) / 2 + 1 = 27
 *   conv 256@5x5 pad 2          -> [256, 27, 27]   ('two-gpu': groups 2)
 *   relu, lrn 5, max pool 3/2   -> [256, 13, 13]
 *   conv 384@3x3 pad 1, relu    -> [384, 13, 13]
 *   conv 384@3x3 pad 1, relu    -> [384, 13, 13]   ('two-gpu': groups 2)
 *   conv 256@3x3 pad 1, relu    -> [256, 13, 13]   ('two-gpu': groups 2)
 *   max pool 3/2                -> [256, 6, 6]
 *   flatten                     -> [9216]
 *   fc 4096, relu, dropout 0.5  -> [4096]
 *   fc 4096, relu, dropout 0.5  -> [4096]
 *   fc 1000                     -> [1000]
 *
 * 'torchvision' (input [3, 224, 224]): conv 64@11x11 stride 4 pad 2 -> [64, 55, 55],
 * relu, max pool 3/2 -> 27, conv 192@5x5 pad 2, relu, max pool 3/2 -> 13,
 * conv 384, 256, 256 @3x3 pad 1 each with relu, max pool 3/2 -> [256, 6, 6], flatten,
 * dropout 0.5, fc 4096, relu, dropout 0.5, fc 4096, relu, fc 1000.
 */
export function alexnet(variant: AlexNetVariant = 'single-tower'): LayerSpec[] {
  if (variant === 'torchvision') {
    return [
      { type: 'conv2d', outChannels: 64, kernelSize: 11, stride: 4, padding: 2 },
      { type: 'relu' },
      { type: 'maxpool2d', kernelSize: 3, stride: 2 },
      { type: 'conv2d', outChannels: 192, kernelSize: 5, padding: 2 },
      { type: 'relu' },
      { type: 'maxpool2d', kernelSize: 3, stride: 2 },
      { type: 'conv2d', outChannels: 384, kernelSize: 3, padding: 1 },
      { type: 'relu' },
      { type: 'conv2d', outChannels: 256, kernelSize: 3, padding: 1 },
      { type: 'relu' },
      { type: 'conv2d', outChannels: 256, kernelSize: 3, padding: 1 },
      { type: 'relu' },
      { type: 'maxpool2d', kernelSize: 3, stride: 2 },
      { type: 'flatten' },
      { type: 'dropout', rate: 0.5 },
      { type: 'fc', outFeatures: 4096 },
      { type: 'relu' },
      { type: 'dropout', rate: 0.5 },
      { type: 'fc', outFeatures: 4096 },
      { type: 'relu' },
      { type: 'fc', outFeatures: 1000 },
    ];
  }
  // The layers the paper splits between its two GPUs (Section 3.5).
  const groups = variant === 'two-gpu' ? 2 : 1;
  return [
    { type: 'conv2d', outChannels: 96, kernelSize: 11, stride: 4 },
    { type: 'relu' },
    { type: 'lrn', size: 5 },
    { type: 'maxpool2d', kernelSize: 3, stride: 2 },
    { type: 'conv2d', outChannels: 256, kernelSize: 5, padding: 2, groups },
    { type: 'relu' },
    { type: 'lrn', size: 5 },
    { type: 'maxpool2d', kernelSize: 3, stride: 2 },
    { type: 'conv2d', outChannels: 384, kernelSize: 3, padding: 1 },
    { type: 'relu' },
    { type: 'conv2d', outChannels: 384, kernelSize: 3, padding: 1, groups },
    { type: 'relu' },
    { type: 'conv2d', outChannels: 256, kernelSize: 3, padding: 1, groups },
    { type: 'relu' },
    { type: 'maxpool2d', kernelSize: 3, stride: 2 },
    { type: 'flatten' },
    { type: 'fc', outFeatures: 4096 },
    { type: 'relu' },
    { type: 'dropout', rate: 0.5 },
    { type: 'fc', outFeatures: 4096 },
    { type: 'relu' },
    { type: 'dropout', rate: 0.5 },
    { type: 'fc', outFeatures: 1000 },
  ];
}

/**
 * VGG16 (Simonyan & Zisserman, 2014, configuration D), input [3, 224, 224].
 * Five blocks of 3x3 convolutions with padding 1 (the size is kept), each
 * conv followed by relu and each block by a 2x2 max pool that halves the size:
 *
 *   block 1: 2 x conv 64   -> [64, 224, 224], pool -> [64, 112, 112]
 *   block 2: 2 x conv 128  -> [128, 112, 112], pool -> [128, 56, 56]
 *   block 3: 3 x conv 256  -> [256, 56, 56], pool -> [256, 28, 28]
 *   block 4: 3 x conv 512  -> [512, 28, 28], pool -> [512, 14, 14]
 *   block 5: 3 x conv 512  -> [512, 14, 14], pool -> [512, 7, 7]
 *   flatten -> [25088], fc 4096, relu, dropout 0.5, fc 4096, relu, dropout 0.5, fc 1000
 *
 * 138,357,544 parameters, 123,642,856 of them in the three fc layers.
 */
export function vgg16(): LayerSpec[] {
  const blocks: [channels: number, convs: number][] = [
    [64, 2],
    [128, 2],
    [256, 3],
    [512, 3],
    [512, 3],
  ];
  const features = blocks.flatMap(([channels, convs]): LayerSpec[] => [
    ...Array.from({ length: convs }, (): LayerSpec[] => [{ type: 'conv2d', outChannels: channels, kernelSize: 3, padding: 1 }, { type: 'relu' }]).flat(),
    { type: 'maxpool2d', kernelSize: 2 },
  ]);
  return [
    ...features,
    { type: 'flatten' },
    { type: 'fc', outFeatures: 4096 },
    { type: 'relu' },
    { type: 'dropout', rate: 0.5 },
    { type: 'fc', outFeatures: 4096 },
    { type: 'relu' },
    { type: 'dropout', rate: 0.5 },
    { type: 'fc', outFeatures: 1000 },
  ];
}
