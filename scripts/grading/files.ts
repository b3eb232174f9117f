/**
 * Reading a file that untrusted code may have put in place (a run's folder,
 * a copied submission, a shard's report) without ever blocking the grader:
 * opened with O_NONBLOCK and O_NOFOLLOW (a FIFO opens at once, a symbolic
 * link fails), then checked with fstat to be a regular file of at most
 * `maxBytes` before a byte is read. A FIFO, socket, device, link or a file
 * too large is refused with what it is.
 */
import fs from 'node:fs';

export type BoundedRead = { ok: true; bytes: Buffer } | { ok: false; missing: boolean; why: string };

/** What a non-regular file is, in a few words. */
export function kindOf(stat: fs.Stats): string {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device file';
  return 'not a regular file';
}

export function readBounded(file: string, maxBytes: number): BoundedRead {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, missing: true, why: 'missing' };
    if (code === 'ELOOP') return { ok: false, missing: false, why: 'a symbolic link' };
    return { ok: false, missing: false, why: `cannot be opened (${code ?? (err as Error).message})` };
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { ok: false, missing: false, why: kindOf(stat) };
    if (stat.size > maxBytes) return { ok: false, missing: false, why: `larger than ${maxBytes} bytes (${stat.size})` };
    // Read at most maxBytes + 1: a file that grows while being read is refused too.
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, stat.size + 1));
    let length = 0;
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return { ok: false, missing: false, why: 'not readable without waiting' };
        throw err;
      }
      if (n === 0) break;
      length += n;
      if (length === buffer.length) {
        if (length > maxBytes) return { ok: false, missing: false, why: `larger than ${maxBytes} bytes` };
        break;
      }
    }
    return { ok: true, bytes: buffer.subarray(0, length) };
  } finally {
    fs.closeSync(fd);
  }
}

/** readBounded as UTF-8 text; throws with the file named when it cannot be read. */
export function readBoundedText(file: string, maxBytes: number): string {
  const r = readBounded(file, maxBytes);
  if (!r.ok) throw new Error(`${file} is ${r.why === 'missing' ? 'missing' : r.why}`);
  return r.bytes.toString('utf8');
}
