/**
 * Entry of a network bundle: one tree's classifier and layers (the reference
 * or the learner's own), built from a saved model and run on one image in the
 * browser. The server bundles this file once per tree, with `@tree/` pointing
 * at that tree, so the page runs the very code the model was trained with.
 *
 * As in training (scripts/trees.ts), lib's gemm runs on the engine's kernel
 * (WebAssembly, on the page's one thread), and a model trained with the
 * engine's fast layers ("engine+solutions") gets them here too.
 */
import { softmax } from '@tree/00-prerequisites/softmax-cross-entropy';
import { Scratch2dCNNClassifier } from '@tree/06-classifier/classifier';
import { engineKit, getEngineConfig } from '../../engine';
import { KataInputError } from '../../lib/checks';
import { decodeModelFile } from '../../lib/model-file';
import { summarize, type ModelSummary } from '../../lib/summary';
import { Tensor } from '../../lib/tensor';

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

/** Builds the saved model with this tree's classifier; `engine` selects the engine's layers. */
export function loadNetwork(bytes: Uint8Array, where: string, engine: boolean): Network {
  const { header, weights } = decodeModelFile(bytes, where);
  const clf = new Scratch2dCNNClassifier({ ...header.settings, layers: header.specs, ...(engine ? { kit: engineKit } : {}) });
  const tensors = clf.layers.flatMap((layer) => Object.values(layer.params ?? {}));
  const listed = header.tensors.map((t) => JSON.stringify(t.shape)).join(', ');
  const built = tensors.map((t) => JSON.stringify(t.shape)).join(', ');
  if (listed !== built) throw new KataInputError(`${where} is corrupt: its header lists the tensors ${listed}, but its specs build ${built}`);
  let offset = 0;
  for (const tensor of tensors) {
    tensor.data.set(weights.subarray(offset, offset + tensor.size));
    offset += tensor.size;
  }
  const inputShape = clf.settings.inputShape;
  return {
    summary: summarize(header.specs, inputShape),
    params: clf.layers.map((layer) => ({ ...(layer.params ?? {}) })),
    kernel: getEngineConfig().kernel === 'wasm' ? 'WebAssembly SIMD' : 'TypeScript',
    run(image) {
      let out = new Tensor([1, ...inputShape], Float64Array.from(image));
      const outputs = clf.layers.map((layer) => (out = layer.forward(out)));
      // The classifier's predictProba is softmax of the last layer's output: the same numbers.
      return { outputs, proba: softmax(out).data };
    },
  };
}
