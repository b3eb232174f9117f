/**
 * The kernel registry (engine/wasm/registry.ts) and the module built from it
 * (engine/wasm/kernel-module.ts): the module exports exactly the functions
 * the kernels declare, in the registry's order, and a kernel whose build
 * disagrees with its declaration is refused at build time, naming the
 * kernel and the function.
 */
import { FunctionBuilder, type ModuleBuilder, ValType } from '../../engine/wasm/assembler';
import { buildKernelModule, MAX_KERNEL_PARAMS, type WasmKernel } from '../../engine/wasm/kernel-module';
import { KERNEL_NAMES, WASM_KERNELS } from '../../engine/wasm/registry';
import { wasmApi } from '../../engine/wasm/webassembly';

const { i32, f64 } = ValType;
const options = { maxPages: 100, shared: true };

/** A kernel that declares `declared` and whose build exports `built` (functions that do nothing). */
function kernel(name: string, declared: Record<string, readonly string[]>, built: FunctionBuilder[]): WasmKernel {
  return {
    kernel: name,
    exports: declared,
    build(module: ModuleBuilder): void {
      for (const fn of built) module.add(fn, true);
    },
  };
}

const params = (count: number): string[] => Array.from({ length: count }, (_, i) => `p${i}`);
const fn = (name: string, count: number): FunctionBuilder =>
  new FunctionBuilder(
    name,
    Array.from({ length: count }, () => i32),
  );

describe('the registry', () => {
  it('names every declared function once, kernel after kernel, in the order of the list', () => {
    const declared = WASM_KERNELS.flatMap((k) => Object.keys(k.exports));
    expect(KERNEL_NAMES).toEqual(declared);
    expect(new Set(KERNEL_NAMES).size).toBe(KERNEL_NAMES.length);
  });

  it('builds a module whose exports are exactly those names, in that order', () => {
    const module = new wasmApi.Module(buildKernelModule(WASM_KERNELS, options));
    const memory = new wasmApi.Memory({ initial: 1, maximum: options.maxPages, shared: true });
    const instance = new wasmApi.Instance(module, { env: { memory } });
    expect(Object.keys(instance.exports)).toEqual(KERNEL_NAMES);
  });

  it('declares at most MAX_KERNEL_PARAMS parameters per function, the most a worker thread passes', () => {
    for (const k of WASM_KERNELS) {
      for (const [name, list] of Object.entries(k.exports) as [string, readonly string[]][]) {
        expect({ name, count: Math.min(list.length, MAX_KERNEL_PARAMS) }).toEqual({ name, count: list.length });
      }
    }
  });
});

describe('buildKernelModule', () => {
  it('accepts kernels that export what they declare', () => {
    const a = kernel('a', { a_one: params(2), a_two: params(3) }, [fn('a_one', 2), fn('a_two', 3)]);
    const b = kernel('b', { b_one: params(MAX_KERNEL_PARAMS) }, [fn('b_one', MAX_KERNEL_PARAMS)]);
    expect(wasmApi.validate(buildKernelModule([a, b], options))).toBe(true);
  });

  it('refuses a declared function that build does not export', () => {
    const a = kernel('a', { a_one: params(2), a_two: params(2) }, [fn('a_one', 2)]);
    expect(() => buildKernelModule([a], options)).toThrow(new Error('kernel module: a: declares a_two, but build() did not export it'));
  });

  it('refuses an exported function that the kernel does not declare', () => {
    const a = kernel('a', { a_one: params(2) }, [fn('a_one', 2), fn('a_extra', 2)]);
    expect(() => buildKernelModule([a], options)).toThrow(new Error('kernel module: a: build() exported a_extra, which it does not declare'));
  });

  it('refuses a function whose parameters differ from the declared ones in number or type, or that returns a value', () => {
    const fewer = kernel('a', { a_one: ['lo', 'hi', 'x'] }, [fn('a_one', 2)]);
    const notI32 = kernel('a', { a_one: ['lo', 'hi'] }, [new FunctionBuilder('a_one', [i32, f64])]);
    const returns = kernel('a', { a_one: ['lo', 'hi'] }, [new FunctionBuilder('a_one', [i32, i32], [i32])]);
    expect(() => buildKernelModule([fewer], options)).toThrow(
      new Error('kernel module: a: a_one must take 3 i32 parameters (lo, hi, x) and return nothing, as declared'),
    );
    expect(() => buildKernelModule([notI32], options)).toThrow(
      new Error('kernel module: a: a_one must take 2 i32 parameters (lo, hi) and return nothing, as declared'),
    );
    expect(() => buildKernelModule([returns], options)).toThrow(
      new Error('kernel module: a: a_one must take 2 i32 parameters (lo, hi) and return nothing, as declared'),
    );
  });

  it('refuses a function with more parameters than a worker thread passes', () => {
    const count = MAX_KERNEL_PARAMS + 1;
    const a = kernel('a', { a_one: params(count) }, [fn('a_one', count)]);
    expect(() => buildKernelModule([a], options)).toThrow(
      new Error(`kernel module: a: a_one takes ${count} parameters, but a worker thread passes at most ${MAX_KERNEL_PARAMS}`),
    );
  });

  it('refuses two kernels that export the same name', () => {
    const a = kernel('a', { same: params(2) }, [fn('same', 2)]);
    const b = kernel('b', { same: params(2) }, [fn('same', 2)]);
    expect(() => buildKernelModule([a, b], options)).toThrow(new Error('kernel module: b: exports same, already exported by a'));
  });
});
