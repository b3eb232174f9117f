/**
 * Entry of a network bundle: one tree's classifier and layers (the reference
 * or the learner's own), built from a saved model and run on one image in the
 * browser. The server bundles this file once per tree, with `@tree/` pointing
 * at that tree, so the page runs the very code the model was trained with.
 */
import { softmax } from '@tree/00-prerequisites/softmax-cross-entropy';
import { Scratch2dCNNClassifier } from '@tree/06-classifier/classifier';
import { getGemmConfig } from '../../lib/matmul';
import { summarize, type ModelSummary } from '../../lib/summary';
import { Tensor } from '../../lib/tensor';
import { decodeModelFile } from './model-file';

export interface Plane {
  shape: number[];
  data: Float64Array;
}

export interface Network {
  summary: ModelSummary;
  /** The weights of each layer, by layer index (conv filters are W [M, C, kh, kw]). */
  params: Record<string, Plane>[];
  /** Which matrix kernel runs the layers: "WebAssembly SIMD" or "TypeScript". */
  kernel: string;
  /** Runs one image [C, H, W] (as flat data) through every layer. */
  run(image: Float64Array): { outputs: Plane[]; proba: Float64Array };
}

export function loadNetwork(bytes: Uint8Array, where: string): Network {
  const file = decodeModelFile(bytes, where);
  const clf = new Scratch2dCNNClassifier({ ...file.settings, layers: file.specs });
  const slots = clf.layers.flatMap((layer, i) => Object.entries(layer.params ?? {}).map(([name, tensor]) => ({ layer: i, name, tensor })));
  if (slots.length !== file.tensors.length) throw new Error(`${where}: its specs build ${slots.length} tensors, the file holds ${file.tensors.length}`);
  slots.forEach((slot, i) => slot.tensor.data.set(file.tensors[i].data));
  const inputShape = file.settings.inputShape;
  return {
    summary: summarize(file.specs, inputShape),
    params: clf.layers.map((layer) => ({ ...(layer.params ?? {}) })),
    kernel: getGemmConfig().kernel === 'wasm' ? 'WebAssembly SIMD' : 'TypeScript',
    run(image) {
      let out = new Tensor([1, ...inputShape], Float64Array.from(image));
      const outputs = clf.layers.map((layer) => (out = layer.forward(out)));
      // The classifier's predictProba is softmax of the last layer's output: the same numbers.
      return { outputs, proba: softmax(out).data };
    },
  };
}
