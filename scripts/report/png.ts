/**
 * A minimal PNG encoder (8-bit greyscale or RGB, no interlace), enough to put
 * digits and filters into the report as `data:` URIs without a dependency.
 *
 * A PNG file is the 8-byte signature, then chunks: length (4 bytes, big
 * endian), type (4 ASCII letters), data, CRC-32 of type + data.
 *   IHDR  width, height, bit depth 8, colour type (0 grey, 2 RGB), 0, 0, 0
 *   IDAT  zlib-compressed scanlines, each prefixed by a filter byte (0: none)
 *   IEND  empty
 */
import zlib from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** CRC-32 (polynomial 0xEDB88320), table-driven. */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * Encodes pixels (row-major, `channels` bytes per pixel: 1 grey, 3 RGB) as PNG.
 */
export function encodePng(width: number, height: number, pixels: Uint8Array, channels: 1 | 3): Buffer {
  if (pixels.length !== width * height * channels) {
    throw new RangeError(`encodePng: expected ${width}x${height}x${channels} = ${width * height * channels} bytes, got ${pixels.length}`);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = channels === 1 ? 0 : 2;
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter type "none"
    raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

/** The PNG as a `data:image/png;base64,...` URI for an <img src>. */
export function pngDataUri(width: number, height: number, pixels: Uint8Array, channels: 1 | 3): string {
  return `data:image/png;base64,${encodePng(width, height, pixels, channels).toString('base64')}`;
}
