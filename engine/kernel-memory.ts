/**
 * The memory of the fast kernels, and the float64 arrays that live in it.
 *
 * WebAssembly code reads and writes only its own linear memory, so `gemm`
 * copies an ordinary Float64Array in before a product and the result out
 * after it. For the big matrices of a convolution (the im2col matrix of a
 * batch is 10 MB for LeNet's first layer) those copies cost as much as the
 * product itself. An array allocated here is an ordinary Float64Array to
 * TypeScript code, but it lies inside that memory, so `gemm` uses it where it
 * is (see `kernelAddress`).
 *
 * The memory is one WebAssembly.Memory of 64 KiB pages, shared between
 * threads (a SharedArrayBuffer: growing it never moves or detaches the
 * arrays already handed out). Blocks are handed out first-fit from a list of
 * free ranges; every block is 16-byte aligned and followed by 16 spare bytes,
 * because the gemm kernel may read one double past the end of a row.
 *
 * Layers use it through `Workspace`: named arrays reused from one batch to
 * the next and freed when the workspace is garbage-collected.
 */
import { sizeOf, Tensor } from '../lib/tensor';
import { wasmApi, type WasmMemory } from './wasm/webassembly';

const PAGE = 65536;
/** At most 2 GiB - 64 KiB, so that byte addresses fit the kernel's signed 32-bit integers. */
export const MAX_PAGES = 32767;
const ALIGN = 16;
const SPARE = 16;

interface Range {
  at: number;
  bytes: number;
}

interface State {
  memory: WasmMemory;
  /** Free ranges below `top`, sorted by address, never adjacent (merged on free). */
  free: Range[];
  /** Everything from `top` to the end of the memory (and beyond, after growing) is free. */
  top: number;
  /** Size in bytes of each live block, by address. */
  live: Map<number, number>;
  /** Every buffer object the memory has shown (one per size it grew to): arrays on any of them are ours. */
  buffers: WeakSet<object>;
}

let state: State | null | undefined;
let unavailableReason = '';

function init(): State | null {
  if (state !== undefined) return state;
  try {
    if (typeof SharedArrayBuffer !== 'function') throw new Error('SharedArrayBuffer is not available');
    const memory = new wasmApi.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
    state = { memory, free: [], top: ALIGN, live: new Map(), buffers: new WeakSet() };
  } catch (error) {
    unavailableReason = error instanceof Error ? error.message : String(error);
    state = null;
  }
  return state;
}

/** The shared memory the kernels run on, or null (with the reason) where it cannot be made. */
export function kernelMemory(): { memory: WasmMemory | null; reason: string } {
  return { memory: init()?.memory ?? null, reason: unavailableReason };
}

const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

/** Address of a new block of at least `bytes` bytes, or -1 when the memory cannot grow that far. */
function allocate(s: State, bytes: number): number {
  const size = roundUp(bytes + SPARE, ALIGN);
  for (let r = 0; r < s.free.length; r++) {
    const range = s.free[r];
    if (range.bytes < size) continue;
    const at = range.at;
    if (range.bytes === size) s.free.splice(r, 1);
    else s.free[r] = { at: at + size, bytes: range.bytes - size };
    s.live.set(at, size);
    return at;
  }
  const end = s.top + size;
  const have = s.memory.buffer.byteLength;
  if (end > have) {
    const pages = Math.ceil((end - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) return -1;
    try {
      s.memory.grow(pages);
    } catch {
      return -1; // the system refused the memory
    }
  }
  const at = s.top;
  s.top = end;
  s.live.set(at, size);
  return at;
}

function release(s: State, at: number): void {
  const size = s.live.get(at);
  if (size === undefined) throw new Error(`kernel memory: no live block at address ${at}`);
  s.live.delete(at);
  // insert in address order, merging with the neighbours it touches
  let r = 0;
  while (r < s.free.length && s.free[r].at < at) r++;
  let range: Range = { at, bytes: size };
  const before = s.free[r - 1];
  if (before !== undefined && before.at + before.bytes === at) {
    range = { at: before.at, bytes: before.bytes + size };
    s.free.splice(--r, 1);
  }
  const after = s.free[r];
  if (after !== undefined && range.at + range.bytes === after.at) {
    range = { at: range.at, bytes: range.bytes + after.bytes };
    s.free.splice(r, 1);
  }
  if (range.at + range.bytes === s.top) s.top = range.at;
  else s.free.splice(r, 0, range);
}

/** A view of `length` doubles at `at`, on the memory's current buffer (recorded as ours). */
function view(s: State, at: number, length: number): Float64Array {
  const buffer = s.memory.buffer;
  s.buffers.add(buffer);
  return new Float64Array(buffer, at, length);
}

/**
 * A Float64Array of `length` doubles in kernel memory (contents unspecified:
 * a reused block keeps what it held), or null when there is no kernel memory
 * or it cannot grow that far. Give it back with `freeKernelArray`.
 */
export function allocKernelArray(length: number): Float64Array | null {
  const s = init();
  if (s === null) return null;
  const at = allocate(s, 8 * Math.max(length, 1));
  return at < 0 ? null : view(s, at, length);
}

/** Returns an array of `allocKernelArray` to the free blocks; it must not be used afterwards. */
export function freeKernelArray(array: Float64Array): void {
  const s = init();
  if (s === null || kernelAddress(array) < 0) throw new Error('freeKernelArray: the array is not in kernel memory');
  release(s, array.byteOffset);
}

/** Byte address of `array[0]` in kernel memory, or -1 when the array lives elsewhere. */
export function kernelAddress(array: Float64Array | Int32Array): number {
  return state && state.buffers.has(array.buffer) ? array.byteOffset : -1;
}

/** Bytes in live blocks and the memory's size (for tests and benchmarks). */
export function kernelMemoryStats(): { liveBytes: number; blocks: number; memoryBytes: number } {
  const s = init();
  let liveBytes = 0;
  for (const size of s?.live.values() ?? []) liveBytes += size;
  return { liveBytes, blocks: s?.live.size ?? 0, memoryBytes: s?.memory.buffer.byteLength ?? 0 };
}

/** Frees the blocks of a workspace that was garbage-collected. */
const orphans = new FinalizationRegistry<Map<string, Float64Array>>((arrays) => {
  for (const array of arrays.values()) if (kernelAddress(array) >= 0) freeKernelArray(array);
});

/**
 * The workspace of each array a workspace handed out: while a caller still
 * holds such an array (a layer's output), its workspace is not collected,
 * so its block is not freed and given to someone else under the caller.
 */
const holders = new WeakMap<Float64Array, Workspace>();

/**
 * Named arrays that a layer reuses from one batch to the next, in kernel
 * memory where possible (otherwise ordinary Float64Arrays).
 *
 *   const col = workspace.array('col', R * K);
 *
 * gives the same array as the last call with that name while the length
 * stays the same, and a new one (the old one freed) when it changes. The
 * contents are whatever was last written: callers overwrite every element.
 * The engine's layers return some of them as their outputs, which the next
 * call of the same method overwrites (lib/layer.ts: what a caller may keep).
 */
export class Workspace {
  private readonly arrays = new Map<string, Float64Array>();

  constructor() {
    orphans.register(this, this.arrays);
  }

  array(name: string, length: number): Float64Array {
    const old = this.arrays.get(name);
    if (old !== undefined && old.length === length) return old;
    // the new block before the old one is freed: never at the old one's place, which a caller
    // may be handing back as this call's input
    const array = allocKernelArray(length) ?? new Float64Array(length);
    if (old !== undefined && kernelAddress(old) >= 0) freeKernelArray(old);
    this.arrays.set(name, array);
    holders.set(array, this);
    return array;
  }

  /**
   * A tensor of `shape` on the array `name`, holding `values` (zeros when
   * none): a layer's params and grads, kept where the kernels reach them
   * (the optimizer's WebAssembly loop among them, engine/kernels/adam.ts).
   */
  tensor(name: string, shape: number[], values?: Float64Array): Tensor {
    const data = this.array(name, sizeOf(shape));
    if (values === undefined) data.fill(0);
    else data.set(values);
    return new Tensor(shape, data);
  }

  /** Whether `data` shares memory with one of this workspace's arrays (a layer given its own output back). */
  owns(data: Float64Array): boolean {
    const inKernel = kernelAddress(data) >= 0;
    for (const array of this.arrays.values()) {
      // kernel memory shows a new buffer object each time it grows: there byte offsets are addresses
      const sameMemory = kernelAddress(array) >= 0 ? inKernel : array.buffer === data.buffer;
      if (sameMemory && data.byteOffset < array.byteOffset + array.byteLength && array.byteOffset < data.byteOffset + data.byteLength) return true;
    }
    return false;
  }
}

/**
 * `t`, or a copy of it when it lies in `workspace`'s arrays: a layer given
 * its own output back as an input reads the copy while it writes its new
 * result (rare; the layers of a network never do it).
 */
export function apart(t: Tensor, workspace: Workspace): Tensor {
  return workspace.owns(t.data) ? new Tensor(t.shape, Float64Array.from(t.data)) : t;
}

/**
 * One kernel-memory array for copying operands in and results out, kept
 * between calls and replaced by a larger one when a call needs more.
 */
export class StagingArea {
  private array: Float64Array | null = null;

  /** An array of at least `length` doubles in kernel memory, or null when the memory cannot hold it. */
  atLeast(length: number): Float64Array | null {
    if (this.array !== null && this.array.length >= length) return this.array;
    if (this.array !== null) freeKernelArray(this.array);
    this.array = allocKernelArray(Math.ceil(length / 8192) * 8192); // whole 64 KiB steps: fewer replacements
    return this.array;
  }
}
