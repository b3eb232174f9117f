/**
 * Given code: a classifier's save and load, on top of the file format of
 * ./model-file.ts. The classifier (exercise 06) calls these two functions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { checkFinite, KataInputError } from './checks';
import type { Layer } from './layer';
import { decodeModelFile, encodeModelFile } from './model-file';
import type { LayerSpec } from './model-spec';
import type { Tensor } from './tensor';

/** What a classifier must have to be saved and loaded. */
export interface SavableClassifier {
  readonly settings: object;
  readonly specs: LayerSpec[];
  readonly layers: Layer[];
  lossHistory: number[];
  epochLoss: number[];
  valLoss: number[];
  valAccuracy: number[];
}

const HISTORIES = ['lossHistory', 'epochLoss', 'valLoss', 'valAccuracy'] as const;

/** Every parameter tensor, layer by layer, in the order of each layer's params. */
function parameterTensors(layers: readonly Layer[]): { layer: number; name: string; tensor: Tensor }[] {
  return layers.flatMap((layer, i) => Object.entries(layer.params ?? {}).map(([name, tensor]) => ({ layer: i, name, tensor })));
}

/** Writes the model's settings, specs, weights and histories to `file` (parent folders are created). */
export function saveClassifier(file: string, model: SavableClassifier): void {
  const tensors = parameterTensors(model.layers);
  const bytes = encodeModelFile(
    {
      settings: { ...model.settings },
      specs: model.specs,
      tensors: tensors.map(({ layer, name, tensor }) => ({ layer, name, shape: [...tensor.shape] })),
      history: { lossHistory: model.lossHistory, epochLoss: model.epochLoss, valLoss: model.valLoss, valAccuracy: model.valAccuracy },
    },
    tensors.map(({ tensor }) => tensor.data),
  );
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, bytes);
}

/**
 * Reads a file written by saveClassifier: `build` makes a classifier from the
 * saved settings and specs, then the weights and histories are copied in.
 *
 * @throws KataInputError naming the file and the problem (cannot be read,
 *   not a saved classifier, corrupt, truncated, damaged, or tensors that do
 *   not match what the specs build).
 */
export function loadClassifier<T extends SavableClassifier>(
  file: string,
  where: string,
  build: (settings: Record<string, unknown>, specs: LayerSpec[]) => T,
): T {
  const at = `${where}: "${file}"`;
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new KataInputError(`${at} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const { header, weights } = decodeModelFile(bytes, at);
  let model: T;
  try {
    model = build(header.settings, header.specs);
  } catch (error) {
    throw new KataInputError(`${at} is corrupt: its settings and specs do not build a classifier (${(error as Error).message})`);
  }
  const tensors = parameterTensors(model.layers);
  const listed = header.tensors.map((t) => `layers[${t.layer}].${t.name} ${JSON.stringify(t.shape)}`).join(', ');
  const built = tensors.map((t) => `layers[${t.layer}].${t.name} ${JSON.stringify(t.tensor.shape)}`).join(', ');
  if (listed !== built) throw new KataInputError(`${at} is corrupt: its header lists the tensors ${listed}, but its specs build ${built}`);
  let offset = 0;
  for (const { layer, name, tensor } of tensors) {
    tensor.data.set(weights.subarray(offset, offset + tensor.size));
    offset += tensor.size;
    checkFinite(`${at} layers[${layer}].${name}`, tensor);
  }
  for (const key of HISTORIES) model[key] = header.history[key];
  return model;
}
