/**
 * Given code: builds the layers of a network from its description (a list
 * of LayerSpec, lib/model-spec.ts) with the classes of a layer kit.
 *
 * It follows the shape of one sample through the list ([C, H, W], then [F]
 * after flatten) so each conv knows its input channels and each fc its
 * input features. Every layer with weights gets its own seed from `nextSeed`
 * and its default initialisation (He: the network uses ReLU). A first conv
 * layer is told that nothing reads its dx (`inputGradient: false`).
 */
import { KataInputError } from './checks';
import type { Layer, LayerKit } from './layer';
import type { LayerSpec } from './model-spec';
import { windowOutput } from './summary';
import { formatShape, sizeOf } from './tensor';

/** The layers and the shape of one sample at the end. */
export interface BuiltNetwork {
  layers: Layer[];
  outputShape: number[];
}

/**
 * One layer per spec. `where` starts every message, then "layers[i] (type)".
 *
 * @throws KataInputError for a spec that cannot be built, for example
 *   "<where>: layers[1] (dropout) is a layer type the classifier cannot build; ..."
 *   "<where>: layers[0] (fc) needs a flat input [F], got [1, 28, 28]: add { type: 'flatten' } before it"
 *   "<where>: layers[0] (conv2d) on input [1, 8, 8]: <the layer's own message>"
 */
export function buildNetwork(
  specs: readonly LayerSpec[],
  inputShape: readonly number[],
  kit: LayerKit,
  nextSeed: () => number,
  where: string,
): BuiltNetwork {
  let shape = [...inputShape];
  const layers = specs.map((spec, i) => {
    const name = `${where}: layers[${i}] (${String(spec?.type)})`;
    try {
      const built = buildLayer(spec, i, shape, name, kit, nextSeed);
      shape = built.shape;
      return built.layer;
    } catch (error) {
      // A size the layer itself rejects: say which spec, and on which input.
      if (error instanceof KataInputError && !error.message.startsWith(name)) {
        throw new KataInputError(`${name} on input ${formatShape(shape)}: ${error.message}`);
      }
      throw error;
    }
  });
  return { layers, outputShape: shape };
}

function buildLayer(
  spec: LayerSpec,
  index: number,
  shape: number[],
  name: string,
  kit: LayerKit,
  nextSeed: () => number,
): { layer: Layer; shape: number[] } {
  const image = (): number[] => {
    if (shape.length !== 3) throw new KataInputError(`${name} needs an image input [C, H, W], got ${formatShape(shape)}`);
    return shape;
  };
  switch (spec.type) {
    case 'conv2d': {
      const input = image();
      if (spec.groups !== undefined && spec.groups !== 1) {
        throw new KataInputError(`${name} has groups = ${spec.groups}; the kata's Conv2d only supports groups = 1`);
      }
      const { outChannels, kernelSize, stride = 1, padding = 0 } = spec;
      // The first layer's dx would be the gradient of the images, which nothing reads.
      const inputGradient = index > 0;
      const layer = new kit.Conv2d({ inChannels: input[0], outChannels, kernelSize, stride, padding, seed: nextSeed(), inputGradient });
      return { layer, shape: [outChannels, ...windowOutput('window', input, kernelSize, stride, padding)] };
    }
    case 'maxpool2d':
    case 'avgpool2d': {
      const input = image();
      const { kernelSize, stride = kernelSize, padding = 0 } = spec;
      const Pool = spec.type === 'maxpool2d' ? kit.MaxPool2D : kit.AveragePool2D;
      const layer = new Pool({ kernelSize, stride, padding });
      return { layer, shape: [input[0], ...windowOutput('window', input, kernelSize, stride, padding)] };
    }
    case 'flatten':
      return { layer: new kit.Flatten(), shape: [sizeOf(shape)] };
    case 'fc': {
      if (shape.length !== 1) {
        throw new KataInputError(`${name} needs a flat input [F], got ${formatShape(shape)}: add { type: 'flatten' } before it`);
      }
      const layer = new kit.FC({ inFeatures: shape[0], outFeatures: spec.outFeatures, seed: nextSeed() });
      return { layer, shape: [spec.outFeatures] };
    }
    case 'relu':
      return { layer: new kit.ReLU(), shape };
    default:
      throw new KataInputError(`${name} is a layer type the classifier cannot build; supported types: conv2d, maxpool2d, avgpool2d, flatten, fc, relu`);
  }
}
