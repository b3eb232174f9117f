/**
 * Reads a saved classifier (`model.bin`) from its bytes, in the browser:
 *
 *   line 1   "scratch-cnn-classifier 1"
 *   line 2   a JSON header: settings, specs, the tensors in order, histories
 *   the rest every tensor's values as little-endian float64, in the header's order
 */
import type { LayerSpec } from '../../lib/model-spec';

const MAGIC = 'scratch-cnn-classifier 1';

export interface ModelFile {
  settings: { inputShape: [number, number, number]; classes: number };
  specs: LayerSpec[];
  tensors: { layer: number; name: string; shape: number[]; data: Float64Array }[];
}

export function decodeModelFile(bytes: Uint8Array, where: string): ModelFile {
  const firstEnd = bytes.indexOf(0x0a);
  const text = new TextDecoder();
  if (firstEnd < 0 || text.decode(bytes.subarray(0, firstEnd)) !== MAGIC) {
    throw new Error(`${where} is not a saved classifier: expected the first line "${MAGIC}"`);
  }
  const headerEnd = bytes.indexOf(0x0a, firstEnd + 1);
  if (headerEnd < 0) throw new Error(`${where} is truncated: the JSON header has no end of line`);
  const header = JSON.parse(text.decode(bytes.subarray(firstEnd + 1, headerEnd))) as Omit<ModelFile, 'tensors'> & {
    tensors: { layer: number; name: string; shape: number[] }[];
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset + headerEnd + 1, bytes.length - headerEnd - 1);
  let at = 0;
  const tensors = header.tensors.map((t) => {
    const data = new Float64Array(t.shape.reduce((a, b) => a * b, 1));
    if (view.byteLength < at + 8 * data.length) throw new Error(`${where} is truncated: its header lists more weights than it holds`);
    for (let i = 0; i < data.length; i++, at += 8) data[i] = view.getFloat64(at, true);
    return { ...t, data };
  });
  return { settings: header.settings, specs: header.specs, tensors };
}
