/**
 * What a kernel file of this folder exports, and the module built from them.
 *
 * Each kernel file exports one `WasmKernel` (as a tfjs kernel file exports
 * one kernel config): the functions it exports, each with its parameters,
 * and `build`, which adds them to the module. ./registry.ts lists the
 * kernels; `buildKernelModule` builds one module holding all of them, and
 * checks that each kernel exports exactly the functions it declares, with
 * the declared signature, and that no two kernels export the same name.
 *
 * What every exported function may count on, and must keep to:
 * - the module imports `env.memory`, the engine's kernel memory (shared when
 *   the host runs worker threads), and addresses in it are byte addresses;
 * - every parameter is an i32, at most MAX_KERNEL_PARAMS of them (what a
 *   worker thread passes), and the function returns nothing;
 * - the first two parameters are a range of items [lo, hi) (the host splits
 *   it between threads), or, for gemm's drivers, a range of rows and then a
 *   range of columns;
 * - `build` may add functions that are not exported (helpers), types, and
 *   slots of the function table (`appendToTable`), as gemm does for its strips.
 */
import { ModuleBuilder, ValType } from './assembler';

/** Parameters a worker thread passes to a function (the control array's PARAMS slots, see ../kernel-pool.ts). */
export const MAX_KERNEL_PARAMS = 16;

/** One kernel file's description. */
export interface WasmKernel<Name extends string = string> {
  /** What the kernel computes, in a few words (named in the module's errors). */
  readonly kernel: string;
  /** Its exported functions, the names the host runs: each with its parameters, in order (all i32). */
  readonly exports: { readonly [N in Name]: readonly string[] };
  /** Adds its functions to the module: those named in `exports` exported, any helper they call not. */
  build(module: ModuleBuilder): void;
}

/** The names of the functions a list of kernels exports. */
export type KernelNames<K extends readonly WasmKernel[]> = K[number] extends infer E ? (E extends WasmKernel<infer N> ? N : never) : never;

/** The exported functions of these kernels, in order: the index by which a worker thread is told which one to run. */
export function exportedNames<K extends readonly WasmKernel[]>(kernels: K): KernelNames<K>[] {
  return kernels.flatMap((k) => Object.keys(k.exports)) as KernelNames<K>[];
}

export interface KernelModuleOptions {
  /** Maximum size of the shared memory, in 64 KiB pages. */
  maxPages: number;
  /** Whether the imported memory is shared (needed to run on worker threads). */
  shared: boolean;
}

/**
 * The module's bytes: every kernel's functions, in the order of the list.
 * It imports `env.memory` (initial size 1 page). Throws when a kernel's
 * exports differ from what it declares.
 */
export function buildKernelModule(kernels: readonly WasmKernel[], options: KernelModuleOptions): Uint8Array {
  const mod = new ModuleBuilder({ module: 'env', name: 'memory', minPages: 1, maxPages: options.maxPages, shared: options.shared });
  const owner = new Map<string, string>();
  for (const kernel of kernels) {
    const before = new Set(mod.exportedFunctions().map((f) => f.name));
    kernel.build(mod);
    const added = mod.exportedFunctions().filter((f) => !before.has(f.name));
    checkExports(kernel, added, owner);
  }
  return mod.encode();
}

/** Whether `added`, the functions `kernel` exported, are exactly the ones it declares, with their signatures. */
function checkExports(kernel: WasmKernel, added: ReturnType<ModuleBuilder['exportedFunctions']>, owner: Map<string, string>): void {
  const declared = Object.entries(kernel.exports) as [string, readonly string[]][];
  const problem = (text: string): Error => new Error(`kernel module: ${kernel.kernel}: ${text}`);
  for (const [name] of declared) {
    const other = owner.get(name);
    if (other !== undefined) throw problem(`exports ${name}, already exported by ${other}`);
    owner.set(name, kernel.kernel);
  }
  const names = added.map((f) => f.name);
  const missing = declared.filter(([name]) => !names.includes(name)).map(([name]) => name);
  const undeclared = names.filter((name) => !(name in kernel.exports));
  if (missing.length > 0) throw problem(`declares ${missing.join(', ')}, but build() did not export it`);
  if (undeclared.length > 0) throw problem(`build() exported ${undeclared.join(', ')}, which it does not declare`);
  for (const f of added) {
    const params = kernel.exports[f.name];
    if (f.paramTypes.length !== params.length || f.paramTypes.some((t) => t !== ValType.i32) || f.resultTypes.length > 0) {
      throw problem(`${f.name} must take ${params.length} i32 parameters (${params.join(', ')}) and return nothing, as declared`);
    }
    if (params.length > MAX_KERNEL_PARAMS)
      throw problem(`${f.name} takes ${params.length} parameters, but a worker thread passes at most ${MAX_KERNEL_PARAMS}`);
  }
}
