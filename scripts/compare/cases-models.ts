/** Comparison cases of exercises 07 to 10: the numbers of the model lists, the parameter counts and the filter sizes. */
import { summarize } from '../../lib/summary';
import type { LayerSpec } from '../../lib/model-spec';
import { Tensor } from '../../lib/tensor';
import { CompareCase, Module, numbersCase } from './kit';

/** Per layer: the output size (elements per image) and the parameter count, from lib's summary of the list. */
function modelCase(exercise: string, name: string, file: string, inputShape: number[], specs: (m: Module) => LayerSpec[]): CompareCase {
  return {
    exercise,
    name: `${name}, input [${inputShape.join(', ')}]: output size and parameters per layer`,
    build: (load) => {
      const m = load(file);
      // Filled by run; explain is asked after the run, about the reference's own list.
      let labels: string[] = [];
      return [
        {
          name: 'per layer',
          element: 'value',
          timed: true,
          explain: (i) => labels[i] ?? `value ${i}`,
          run: () => {
            const rows = summarize(specs(m), inputShape).rows;
            labels = rows.flatMap((r) => [`layer ${r.index} (${r.name}): output size`, `layer ${r.index} (${r.name}): parameters`]);
            const values = rows.flatMap((r) => [r.outputShape.reduce((a, b) => a * b, 1), r.params]);
            return new Tensor([values.length], values);
          },
        },
      ];
    },
  };
}

const CONV_LAYERS = [
  { inputSize: 144, inChannels: 3, outChannels: 6, kernelSize: 3, stride: 1, padding: 0 },
  { inputSize: 60, inChannels: 24, outChannels: 48, kernelSize: 3, stride: 1, padding: 0 },
  { inputSize: 20, inChannels: 10, outChannels: 20, kernelSize: 3, stride: 2, padding: 0 },
  {
    inputSize: [28, 20] as [number, number],
    inChannels: 1,
    outChannels: 4,
    kernelSize: [5, 3] as [number, number],
    stride: [1, 2] as [number, number],
    padding: [2, 0] as [number, number],
  },
  { inputSize: 7, inChannels: 2, outChannels: 2, kernelSize: 3 },
];

const STACKS = [
  [{ kernel: 3 }, { kernel: 3 }],
  [{ kernel: 3 }, { kernel: 3 }, { kernel: 3 }],
  [{ kernel: 7, stride: 2 }, { kernel: 3, stride: 2 }, { kernel: 3 }],
  [{ kernel: 11, stride: 4 }, { kernel: 3, stride: 2 }, { kernel: 5 }],
];

export const modelCases: CompareCase[] = [
  modelCase('07-lenet', 'lenet5()', 'lenet.ts', [1, 28, 28], (m) => m.lenet5()),
  modelCase('08-famous-models', 'vgg16()', 'models.ts', [3, 224, 224], (m) => m.vgg16()),
  modelCase('08-famous-models', "alexnet('single-tower')", 'models.ts', [3, 227, 227], (m) => m.alexnet('single-tower')),
  modelCase('08-famous-models', "alexnet('two-gpu')", 'models.ts', [3, 227, 227], (m) => m.alexnet('two-gpu')),
  modelCase('08-famous-models', "alexnet('torchvision')", 'models.ts', [3, 224, 224], (m) => m.alexnet('torchvision')),
  numbersCase(
    '09-param-count',
    `convLayerStats on ${CONV_LAYERS.length} layers (the sheet's three, an oblong one, defaults)`,
    CONV_LAYERS.flatMap((_, i) => ['H_out', 'W_out', 'weights', 'biases', 'params'].map((f) => `layer ${i}: ${f}`)),
    (load) =>
      CONV_LAYERS.flatMap((o) => {
        const s = load('param-count.ts').convLayerStats(o);
        return [...(s.outputSize as number[]), s.weights, s.biases, s.params];
      }),
  ),
  numbersCase(
    '10-filter-size',
    `receptiveField of ${STACKS.length} stacks; stackedCost and singleFilterCost; pointwiseConv`,
    [
      ...STACKS.map((s) => `receptiveField of ${s.map((l) => `${l.kernel}x${l.kernel}${l.stride ? ` s${l.stride}` : ''}`).join(', ')}`),
      ...['layers', 'receptive field', 'weights', 'biases', 'params'].map((f) => `stackedCost(3, 64): ${f}`),
      ...['layers', 'receptive field', 'weights', 'biases', 'params'].map((f) => `singleFilterCost(7, 64): ${f}`),
      ...['C', 'H', 'W', 'weights', 'biases', 'params', 'multiply-adds'].map((f) => `pointwiseConv 256 -> 64 on 28x28: ${f}`),
    ],
    (load) => {
      const m = load('filter-size.ts');
      const cost = (c: Record<string, number>): number[] => [c.layers, c.receptiveField, c.weights, c.biases, c.params];
      const p = m.pointwiseConv({ inChannels: 256, outChannels: 64, height: 28, width: 28 });
      return [
        ...STACKS.map((s) => m.receptiveField(s) as number),
        ...cost(m.stackedCost(3, 64)),
        ...cost(m.singleFilterCost(7, 64)),
        ...(p.outputShape as number[]),
        p.weights,
        p.biases,
        p.params,
        p.multiplyAdds,
      ];
    },
  ),
];
