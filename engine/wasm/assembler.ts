/**
 * A tiny WebAssembly assembler: just enough of the binary format to write the
 * engine's kernels (the files of ./registry.ts) from TypeScript, so the
 * module is built from source when it is first needed (no compiler, no
 * downloaded binary, no build step).
 *
 * Binary format reference: the WebAssembly core specification, chapter 5
 * ("Binary Format"), and the fixed-width SIMD proposal (opcodes 0xfd xx).
 * A module is the magic number and version followed by sections; every
 * integer is LEB128-encoded and every vector is its length followed by its
 * elements.
 */

/** Value types used here (their one-byte codes). */
export const ValType = { i32: 0x7f, f64: 0x7c, v128: 0x7b } as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

/** Unsigned LEB128. */
export function u32(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`u32: ${value}`);
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Signed LEB128 (for i32.const). */
export function s32(value: number): number[] {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) throw new RangeError(`s32: ${value}`);
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...u32(bytes.length), ...bytes];
}

function vector(items: number[][]): number[] {
  return [...u32(items.length), ...items.flat()];
}

/** A local variable (or parameter) of a function, by index. */
export interface Local {
  readonly index: number;
  readonly type: ValType;
}

/**
 * The body of one function. Methods append instructions and return `this`,
 * so code reads top to bottom like the text format.
 */
export class FunctionBuilder {
  readonly params: Local[];
  private readonly locals: Local[] = [];
  private readonly code: number[] = [];

  constructor(
    readonly name: string,
    readonly paramTypes: ValType[],
    readonly resultTypes: ValType[] = [],
  ) {
    this.params = paramTypes.map((type, index) => ({ index, type }));
  }

  /** Declares a new local of the given type. */
  local(type: ValType): Local {
    const l = { index: this.params.length + this.locals.length, type };
    this.locals.push(l);
    return l;
  }

  private op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  private simd(opcode: number, ...rest: number[]): this {
    return this.op(0xfd, ...u32(opcode), ...rest);
  }

  // Variables and constants.
  get(l: Local): this {
    return this.op(0x20, ...u32(l.index));
  }
  set(l: Local): this {
    return this.op(0x21, ...u32(l.index));
  }
  tee(l: Local): this {
    return this.op(0x22, ...u32(l.index));
  }
  i32(value: number): this {
    return this.op(0x41, ...s32(value));
  }

  // i32 arithmetic and comparisons (signed).
  add(): this {
    return this.op(0x6a);
  }
  sub(): this {
    return this.op(0x6b);
  }
  mul(): this {
    return this.op(0x6c);
  }
  /** Signed division, truncating toward zero. */
  divS(): this {
    return this.op(0x6d);
  }
  and(): this {
    return this.op(0x71);
  }
  or(): this {
    return this.op(0x72);
  }
  eqz(): this {
    return this.op(0x45);
  }
  eq(): this {
    return this.op(0x46);
  }
  ne(): this {
    return this.op(0x47);
  }
  ltS(): this {
    return this.op(0x48);
  }
  gtS(): this {
    return this.op(0x4a);
  }
  leS(): this {
    return this.op(0x4c);
  }
  geS(): this {
    return this.op(0x4e);
  }
  /** Unsigned a >= b: for 0 <= b, also true for every negative a (one test for "outside [0, b)"). */
  geU(): this {
    return this.op(0x4f);
  }
  /** Pops c, b, a; pushes a if c != 0 else b. */
  select(): this {
    return this.op(0x1b);
  }

  // Control flow. Blocks have no result; `depth` counts enclosing labels, 0 = innermost.
  block(): this {
    return this.op(0x02, 0x40);
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  if(): this {
    return this.op(0x04, 0x40);
  }
  else(): this {
    return this.op(0x05);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c, ...u32(depth));
  }
  brIf(depth: number): this {
    return this.op(0x0d, ...u32(depth));
  }
  call(funcIndex: number): this {
    return this.op(0x10, ...u32(funcIndex));
  }
  callIndirect(typeIndex: number): this {
    return this.op(0x11, ...u32(typeIndex), 0x00);
  }

  // Memory: `offset` is a constant byte offset added to the address on the stack.
  // Alignment hints are log2 of the natural alignment; misaligned access is still correct.
  /** Pops size, value, address; sets `size` bytes from the address to the value's low byte (bulk memory). */
  memoryFill(): this {
    return this.op(0xfc, ...u32(0x0b), 0x00);
  }
  f64Load(offset = 0): this {
    return this.op(0x2b, 3, ...u32(offset));
  }
  f64Store(offset = 0): this {
    return this.op(0x39, 3, ...u32(offset));
  }
  /** Signed i32 to f64 (exact). */
  f64ConvertI32S(): this {
    return this.op(0xb7);
  }
  f64Const(value: number): this {
    return this.op(0x44, ...new Uint8Array(new Float64Array([value]).buffer));
  }
  f64Add(): this {
    return this.op(0xa0);
  }
  /** f64 a > b (false when either is NaN). */
  f64Gt(): this {
    return this.op(0x64);
  }
  i32Load(offset = 0): this {
    return this.op(0x28, 2, ...u32(offset));
  }
  i32Store(offset = 0): this {
    return this.op(0x36, 2, ...u32(offset));
  }
  v128Load(offset = 0): this {
    return this.simd(0x00, 4, ...u32(offset));
  }
  v128Store(offset = 0): this {
    return this.simd(0x0b, 4, ...u32(offset));
  }
  /** Loads one f64 into both lanes. */
  v128Load64Splat(offset = 0): this {
    return this.simd(0x0a, 3, ...u32(offset));
  }
  /** Loads one f64 into lane 0, lane 1 = 0. */
  v128Load64Zero(offset = 0): this {
    return this.simd(0x5d, 3, ...u32(offset));
  }
  /** Pops a vector and an address; pushes the vector with lane `lane` replaced by the f64 at the address. */
  v128Load64Lane(offset: number, lane: 0 | 1): this {
    return this.simd(0x57, 3, ...u32(offset), lane);
  }
  /** Stores lane `lane` of a v128 as one f64. */
  v128Store64Lane(offset: number, lane: 0 | 1): this {
    return this.simd(0x5b, 3, ...u32(offset), lane);
  }

  /** Pops b, a; pushes the 16 bytes picked by `lanes` from a's bytes (0-15) and b's (16-31). */
  i8x16Shuffle(lanes: readonly number[]): this {
    return this.simd(0x0d, ...lanes);
  }

  // f64x2: two doubles per 128-bit vector, each lane an IEEE-754 double operation.
  f64x2Add(): this {
    return this.simd(0xf0);
  }
  f64x2Mul(): this {
    return this.simd(0xf2);
  }
  f64x2Sub(): this {
    return this.simd(0xf1);
  }
  f64x2Div(): this {
    return this.simd(0xf3);
  }
  f64x2Sqrt(): this {
    return this.simd(0xef);
  }
  /** Lane-wise a > b: all ones where true, all zeros where false (also for NaN). */
  f64x2Gt(): this {
    return this.simd(0x4a);
  }
  /** Lane-wise a != b: all ones where true (a lane holding NaN is != itself). */
  f64x2Ne(): this {
    return this.simd(0x48);
  }
  /** Pops b, a; pushes b where a < b, else a, lane by lane (pmax(0, v) is v > 0 ? v : +0, bits as they are). */
  f64x2Pmax(): this {
    return this.simd(0xf7);
  }
  /** An f64 in both lanes. */
  f64x2Splat(): this {
    return this.simd(0x14);
  }
  /** Pops c, b, a; pushes the bits of a where c has ones, of b where c has zeros. */
  v128Bitselect(): this {
    return this.simd(0x52);
  }
  /** f64x2 to i32x4: lanes 0 and 1 truncated (saturating), lanes 2 and 3 zero. */
  i32x4TruncSatF64x2SZero(): this {
    return this.simd(0xfc);
  }
  /** Bitwise and of two vectors. */
  v128And(): this {
    return this.simd(0x4e);
  }
  /** 1 if any bit of the vector is set, else 0 (an i32). */
  v128AnyTrue(): this {
    return this.simd(0x53);
  }

  /** The function body as the code section wants it: locals, then instructions. */
  encodeBody(): number[] {
    const groups: number[][] = this.locals.map((l) => [...u32(1), l.type]);
    const body = [...vector(groups), ...this.code, 0x0b];
    return [...u32(body.length), ...body];
  }
}

/** `for (v = start; v < end; v += step) body()`, where start and end push one i32 each; step is a constant or a local. */
export function forRange(fn: FunctionBuilder, v: Local, start: () => void, end: () => void, body: () => void, step: number | Local = 1): void {
  start();
  fn.set(v);
  fn.block().loop();
  fn.get(v);
  end();
  fn.geS().brIf(1);
  body();
  fn.get(v);
  if (typeof step === 'number') fn.i32(step);
  else fn.get(step);
  fn.add().set(v);
  fn.br(0).end().end();
}

/** A module: function types, an imported shared memory, functions, one table, exports. */
export class ModuleBuilder {
  private readonly types: string[] = [];
  private readonly functions: FunctionBuilder[] = [];
  private readonly exported = new Set<string>();
  private table: number[] = [];

  constructor(private readonly memory: { module: string; name: string; minPages: number; maxPages: number; shared: boolean }) {}

  /** Index of the function type (params -> results), added if new. */
  typeIndex(params: ValType[], results: ValType[] = []): number {
    const key = `${params.join(',')}:${results.join(',')}`;
    let i = this.types.indexOf(key);
    if (i < 0) i = this.types.push(key) - 1;
    return i;
  }

  /** Adds a function; returns its index (no function imports, so indices start at 0). */
  add(fn: FunctionBuilder, exportIt = false): number {
    this.typeIndex(fn.paramTypes, fn.resultTypes);
    if (exportIt) this.exported.add(fn.name);
    return this.functions.push(fn) - 1;
  }

  /** Appends these function indices to table 0; returns the slot of the first. */
  appendToTable(funcIndices: readonly number[]): number {
    const first = this.table.length;
    this.table.push(...funcIndices);
    return first;
  }

  /** The exported functions so far, each with its signature. */
  exportedFunctions(): { name: string; paramTypes: readonly ValType[]; resultTypes: readonly ValType[] }[] {
    return this.functions.filter((f) => this.exported.has(f.name)).map(({ name, paramTypes, resultTypes }) => ({ name, paramTypes, resultTypes }));
  }

  encode(): Uint8Array {
    const section = (id: number, content: number[]): number[] => [id, ...u32(content.length), ...content];
    const typeEntries = this.types.map((key) => {
      const [p, r] = key.split(':').map((s) => (s === '' ? [] : s.split(',').map(Number)));
      return [0x60, ...vector(p.map((t) => [t])), ...vector(r.map((t) => [t]))];
    });
    const mem = this.memory;
    const limits = mem.shared ? [0x03, ...u32(mem.minPages), ...u32(mem.maxPages)] : [0x01, ...u32(mem.minPages), ...u32(mem.maxPages)];
    const imports = [[...name(mem.module), ...name(mem.name), 0x02, ...limits]];
    const funcs = this.functions.map((f) => u32(this.typeIndex(f.paramTypes, f.resultTypes)));
    const exports = this.functions.flatMap((f, i) => (this.exported.has(f.name) ? [[...name(f.name), 0x00, ...u32(i)]] : []));
    const bytes = [
      0x00,
      0x61,
      0x73,
      0x6d,
      0x01,
      0x00,
      0x00,
      0x00,
      ...section(1, vector(typeEntries)),
      ...section(2, vector(imports)),
      ...section(3, vector(funcs)),
    ];
    if (this.table.length > 0) {
      // table 0: funcref, exactly as large as its contents
      bytes.push(...section(4, vector([[0x70, 0x00, ...u32(this.table.length)]])));
    }
    bytes.push(...section(7, vector(exports)));
    if (this.table.length > 0) {
      // active element segment for table 0 at offset 0: (i32.const 0) end, then the function indices
      bytes.push(...section(9, vector([[0x00, 0x41, 0x00, 0x0b, ...vector(this.table.map((i) => u32(i)))]])));
    }
    bytes.push(...section(10, vector(this.functions.map((f) => f.encodeBody()))));
    return Uint8Array.from(bytes);
  }
}
