/**
 * Bundles the page's code with esbuild, in memory, when the server starts:
 *
 *   app.js          the page (playground/page/main.ts)
 *   net-<n>.js      one per tree of code a model was trained with: the tree's
 *                   layers and classifier (playground/page/network.ts with
 *                   `@tree/` pointing at that tree), loaded by the page on demand
 *
 * Node's modules are replaced by the small shims in playground/shims/: the
 * kata's code only needs them to read files and start worker threads, which
 * the page does not do (one thread, WebAssembly when the browser has it).
 */
import path from 'node:path';
import type { Plugin } from 'esbuild';

const PLAYGROUND = path.resolve(__dirname, '..');
const SHIMS: Record<string, string> = {
  'node:os': 'os.ts',
  'node:worker_threads': 'worker-threads.ts',
  'node:fs': 'empty.ts',
  'node:path': 'empty.ts',
};

function browserPlugin(tree: string): Plugin {
  return {
    name: 'kata-browser',
    setup(build) {
      build.onResolve({ filter: /^node:/ }, (args) => {
        const shim = SHIMS[args.path];
        if (shim === undefined) return { errors: [{ text: `${args.path} has no browser replacement (imported by ${args.importer})` }] };
        return { path: path.join(PLAYGROUND, 'shims', shim) };
      });
      build.onResolve({ filter: /^@tree\// }, (args) => build.resolve(`./${args.path.slice('@tree/'.length)}`, { kind: args.kind, resolveDir: tree }));
    },
  };
}

/** Builds one entry point for the browser; returns its JavaScript. */
async function bundle(entry: string, tree: string): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    inject: [path.join(PLAYGROUND, 'shims', 'globals.ts')],
    plugins: [browserPlugin(tree)],
    logLevel: 'silent',
    legalComments: 'none',
  });
  return result.outputFiles[0].text;
}

export const bundleApp = (): Promise<string> => bundle(path.join(PLAYGROUND, 'page', 'main.ts'), PLAYGROUND);

/** The network bundle of one tree (a folder laid out like exercises/). */
export const bundleNetwork = (tree: string): Promise<string> => bundle(path.join(PLAYGROUND, 'page', 'network.ts'), tree);
