/**
 * lib/model-file.ts: the bytes of a saved classifier. A round trip gives the
 * same header and weights bit for bit; every kind of damage is refused with
 * a message that names the file and what is wrong.
 */
import { decodeModelFile, encodeModelFile, MODEL_FILE_MAGIC, type ModelHeader } from '../../lib/model-file';

const header: ModelHeader = {
  settings: { classes: 2, seed: 0 },
  specs: [{ type: 'flatten' }, { type: 'fc', outFeatures: 2 }],
  tensors: [
    { layer: 1, name: 'W', shape: [3, 2] },
    { layer: 1, name: 'b', shape: [2] },
  ],
  history: { lossHistory: [0.7, 0.5], epochLoss: [0.6], valLoss: [], valAccuracy: [] },
};
const W = Float64Array.from([0.5, -0.25, 1e-300, -0, Math.PI, -7]);
const b = Float64Array.from([0, 1]);
const where = 'load: "model.bin"';

describe('model file', () => {
  it('round trip: the same header and the same bits (negative zero included)', () => {
    const { header: back, weights } = decodeModelFile(encodeModelFile(header, [W, b]), where);
    expect(back).toEqual(header);
    const expected = [...W, ...b];
    expect(weights.length).toBe(expected.length);
    expected.forEach((v, i) => expect(Object.is(weights[i], v)).toBe(true));
  });

  it('a flipped bit in a weight is refused: the checksum no longer matches', () => {
    const bytes = encodeModelFile(header, [W, b]);
    bytes[bytes.length - 3] ^= 0x10;
    expect(() => decodeModelFile(bytes, where)).toThrowKataError(
      /^load: "model\.bin" is damaged: the checksum of the file \(header and weights\) is [0-9a-f]{8}, its header says "[0-9a-f]{8}"/,
    );
  });

  it('an edited header (a setting changed in place, the same length) is refused, naming the file', () => {
    const bytes = encodeModelFile(header, [W, b]);
    const text = new TextDecoder().decode(bytes);
    const at = text.indexOf('"seed":0');
    expect(at).toBeGreaterThan(0);
    const edited = bytes.slice();
    edited[at + '"seed":'.length] = '7'.charCodeAt(0);
    expect(() => decodeModelFile(edited, where)).toThrowKataError(
      /^load: "model\.bin" is damaged: the checksum of the file \(header and weights\) is [0-9a-f]{8}, its header says "[0-9a-f]{8}"/,
    );
    expect(() => decodeModelFile(bytes, where)).not.toThrow();
  });

  it('a truncated file, extra bytes, a foreign file and an older format are refused, naming the file', () => {
    const bytes = encodeModelFile(header, [W, b]);
    expect(() => decodeModelFile(bytes.subarray(0, bytes.length - 8), where)).toThrowKataError(
      /"model\.bin" is truncated: its header needs 64 bytes of weights, the file holds 56/,
    );
    const longer = new Uint8Array(bytes.length + 8);
    longer.set(bytes);
    expect(() => decodeModelFile(longer, where)).toThrowKataError(
      /"model\.bin" has extra bytes at the end: its header needs 64 bytes of weights, the file holds 72/,
    );
    expect(() => decodeModelFile(new TextEncoder().encode('hello\n'), where)).toThrowKataError(
      new RegExp(`is not a saved classifier: expected the first line "${MODEL_FILE_MAGIC}"$`),
    );
    expect(() => decodeModelFile(new TextEncoder().encode('scratch-cnn-classifier 1\n{}\n'), where)).toThrowKataError(
      /expected the first line "scratch-cnn-classifier 2" \(this file says "scratch-cnn-classifier 1": train it again\)/,
    );
  });

  it('a header that is not JSON or lacks a part is refused', () => {
    expect(() => decodeModelFile(new TextEncoder().encode(`${MODEL_FILE_MAGIC}\n{oops\n`), where)).toThrowKataError(
      /is corrupt: its header is not valid JSON/,
    );
    const text = JSON.stringify({ ...header, history: undefined });
    expect(() => decodeModelFile(new TextEncoder().encode(`${MODEL_FILE_MAGIC}\n${text}\n`), where)).toThrowKataError(
      /is corrupt: its header has no "history"/,
    );
  });
});
