/**
 * Given code: the file format of a trained classifier, in bytes (no file
 * system here, so a browser page can read it too).
 *
 *   line 1   "scratch-cnn-classifier 2" (the format name and version)
 *   line 2   a JSON header: settings, specs, the tensors in order
 *            ({ layer, name, shape }), the histories and the checksum of
 *            the whole file (FNV-1a, 32 bits, hex) over line 1, the header
 *            as JSON without its checksum, and the weights: an edited
 *            setting (lr, seed, inputShape) is refused like a flipped bit
 *   the rest every tensor's values as little-endian float64, in the
 *            header's order, nothing after them
 */
import { KataInputError } from './checks';
import type { LayerSpec } from './model-spec';

export const MODEL_FILE_MAGIC = 'scratch-cnn-classifier 2';

export interface ModelHeader {
  settings: Record<string, unknown>;
  specs: LayerSpec[];
  tensors: { layer: number; name: string; shape: number[] }[];
  history: { lossHistory: number[]; epochLoss: number[]; valLoss: number[]; valAccuracy: number[] };
}

/** FNV-1a over the parts' bytes one after the other: a flipped bit changes it (a check against damage, not against forgery). */
function checksum(...parts: Uint8Array[]): string {
  let hash = 0x811c9dc5;
  for (const bytes of parts) for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** What the checksum covers besides the weights: line 1 and the header without its checksum, as written. */
function covered(header: object): Uint8Array {
  return new TextEncoder().encode(`${MODEL_FILE_MAGIC}\n${JSON.stringify(header)}\n`);
}

/** The file's bytes for a header and the values of its tensors, in order. */
export function encodeModelFile(header: ModelHeader, values: readonly Float64Array[]): Uint8Array {
  const count = values.reduce((n, v) => n + v.length, 0);
  const weights = new Uint8Array(8 * count);
  const view = new DataView(weights.buffer);
  let at = 0;
  for (const v of values) for (let i = 0; i < v.length; i++, at += 8) view.setFloat64(at, v[i], true);
  const text = new TextEncoder().encode(`${MODEL_FILE_MAGIC}\n${JSON.stringify({ ...header, checksum: checksum(covered(header), weights) })}\n`);
  const bytes = new Uint8Array(text.length + weights.length);
  bytes.set(text);
  bytes.set(weights, text.length);
  return bytes;
}

/**
 * The header and the weights (one Float64Array, the tensors one after the
 * other) of a file's bytes. `where` starts every message, e.g.
 * 'Scratch2dCNNClassifier.load: "runs/x/model.bin"'.
 *
 * @throws KataInputError: "<where> is not a saved classifier: ...", "... is
 *   corrupt: ...", "... is truncated: ...", "... has extra bytes at the end: ...",
 *   "... is damaged: the checksum of the file (header and weights) is ..., its header says ..."
 */
export function decodeModelFile(bytes: Uint8Array, where: string): { header: ModelHeader; weights: Float64Array } {
  const text = new TextDecoder();
  const firstEnd = bytes.indexOf(0x0a);
  const first = firstEnd < 0 ? '' : text.decode(bytes.subarray(0, firstEnd));
  if (first !== MODEL_FILE_MAGIC) {
    const older = /^scratch-cnn-classifier \d+$/.test(first) ? ` (this file says "${first}": train it again)` : '';
    throw new KataInputError(`${where} is not a saved classifier: expected the first line "${MODEL_FILE_MAGIC}"${older}`);
  }
  const headerEnd = bytes.indexOf(0x0a, firstEnd + 1);
  if (headerEnd < 0) throw new KataInputError(`${where} is truncated: the JSON header has no end of line`);
  let header: ModelHeader & { checksum?: unknown };
  try {
    header = JSON.parse(text.decode(bytes.subarray(firstEnd + 1, headerEnd)));
  } catch (error) {
    throw new KataInputError(`${where} is corrupt: its header is not valid JSON (${(error as Error).message})`);
  }
  for (const key of ['settings', 'specs', 'tensors', 'history'] as const) {
    if (typeof header?.[key] !== 'object' || header[key] === null) throw new KataInputError(`${where} is corrupt: its header has no "${key}"`);
  }
  if (!Array.isArray(header.tensors) || !header.tensors.every((t) => Array.isArray(t?.shape) && t.shape.every((d) => Number.isInteger(d) && d >= 0))) {
    throw new KataInputError(`${where} is corrupt: its header's tensors are not a list of { layer, name, shape }`);
  }
  for (const key of ['lossHistory', 'epochLoss', 'valLoss', 'valAccuracy'] as const) {
    const values: unknown = header.history[key];
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'number')) {
      throw new KataInputError(`${where} is corrupt: its header's history.${key} is not a list of numbers`);
    }
  }
  const count = header.tensors.reduce((n, t) => n + t.shape.reduce((a, d) => a * d, 1), 0);
  const data = bytes.subarray(headerEnd + 1);
  if (data.length !== 8 * count) {
    const problem = data.length < 8 * count ? 'is truncated' : 'has extra bytes at the end';
    throw new KataInputError(`${where} ${problem}: its header needs ${8 * count} bytes of weights, the file holds ${data.length}`);
  }
  const { checksum: stated, ...rest } = header;
  const sum = checksum(covered(rest), data);
  if (stated !== sum) {
    throw new KataInputError(`${where} is damaged: the checksum of the file (header and weights) is ${sum}, its header says ${JSON.stringify(stated)}`);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const weights = new Float64Array(count);
  for (let i = 0; i < count; i++) weights[i] = view.getFloat64(8 * i, true);
  return { header: rest, weights };
}
