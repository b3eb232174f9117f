/**
 * The playground's web server: Node's own `http`, on 127.0.0.1 only. It
 * serves the page, its bundles (built in memory when it starts), the models
 * of the run folders and the MNIST test digits; nothing comes from elsewhere,
 * and it answers only requests for 127.0.0.1 or localhost (the Host header).
 *
 * The page runs the WebAssembly kernels on shared memory, which browsers
 * allow only in a cross-origin isolated page: hence the COOP and COEP headers.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { defaultMnistDir, MNIST_FILES } from '../../lib/mnist';
import { folderName } from '../../scripts/report/run-title';
import { isReference, whoseNetwork } from '../../scripts/trees';
import { bundleApp, bundleNetwork } from './bundle';
import { PlaygroundError, type RunFolder } from './runs';

const PLAYGROUND = path.resolve(__dirname, '..');

const HEADERS = {
  'Cache-Control': 'no-store',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'",
};

type Body = () => string | Uint8Array;

export interface Playground {
  url: string;
  close(): Promise<void>;
}

/** Builds the bundles and starts listening; `port` 0 picks a free port. */
export async function startPlayground(runs: RunFolder[], port = 0): Promise<Playground> {
  const trees = [...new Set(runs.map((r) => r.treeDir))];
  const [app, ...nets] = await Promise.all([bundleApp(), ...trees.map(bundleNetwork)]);
  const mnist = defaultMnistDir();
  const models = runs.map((r, i) => ({
    label: runs.length > 1 && runs.filter((o) => o.name === r.name).length > 1 ? `${r.name} (${i + 1})` : r.name,
    // Names only: the page has no use for this machine's folders.
    tree: folderName(r.tree),
    whose: { en: whoseNetwork(r.tree, 'en'), ja: whoseNetwork(r.tree, 'ja') },
    mine: !isReference(r.tree),
    network: r.network,
    startedAt: r.startedAt,
    engine: r.engine,
    net: `/net/${trees.indexOf(r.treeDir)}.js`,
    model: `/models/${i}/model.bin`,
    history: r.historyFile === null ? null : `/models/${i}/history.json`,
  }));

  const routes = new Map<string, [string, Body]>([
    ['/', ['text/html; charset=utf-8', () => fs.readFileSync(path.join(PLAYGROUND, 'index.html'))]],
    ['/style.css', ['text/css; charset=utf-8', () => fs.readFileSync(path.join(PLAYGROUND, 'style.css'))]],
    ['/app.js', ['text/javascript; charset=utf-8', () => app]],
    ['/api/models', ['application/json', () => JSON.stringify(models)]],
    ['/data/test-images', ['application/octet-stream', () => fs.readFileSync(path.join(mnist, MNIST_FILES.test.images))]],
    ['/data/test-labels', ['application/octet-stream', () => fs.readFileSync(path.join(mnist, MNIST_FILES.test.labels))]],
  ]);
  nets.forEach((js, i) => routes.set(`/net/${i}.js`, ['text/javascript; charset=utf-8', () => js]));
  runs.forEach((r, i) => {
    routes.set(`/models/${i}/model.bin`, ['application/octet-stream', () => fs.readFileSync(r.modelFile)]);
    if (r.historyFile !== null) routes.set(`/models/${i}/history.json`, ['application/json', () => fs.readFileSync(r.historyFile!)]);
  });

  let hosts = new Set<string>();
  const server = http.createServer((request, response) => {
    const route = routes.get(new URL(request.url ?? '/', 'http://localhost').pathname);
    // Only this page's own requests: a page elsewhere that points a name of its
    // own at 127.0.0.1 (DNS rebinding) sends that name as Host, and is refused.
    if (!hosts.has(request.headers.host ?? '')) {
      response.writeHead(403, { ...HEADERS, 'Content-Type': 'text/plain' }).end('forbidden: this server answers only 127.0.0.1 and localhost\n');
    } else if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...HEADERS, Allow: 'GET, HEAD' }).end();
    } else if (route === undefined) {
      response.writeHead(404, { ...HEADERS, 'Content-Type': 'text/plain' }).end('not found\n');
    } else {
      try {
        const body = route[1]();
        response.writeHead(200, { ...HEADERS, 'Content-Type': route[0] }).end(request.method === 'HEAD' ? undefined : body);
      } catch (error) {
        response.writeHead(500, { ...HEADERS, 'Content-Type': 'text/plain' }).end(`${(error as Error).message}\n`);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new PlaygroundError(`cannot listen on 127.0.0.1:${port} (${error.code ?? error.message}); choose another --port, or leave it out for a free one`),
      ),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: actual } = server.address() as AddressInfo;
  hosts = new Set([`127.0.0.1:${actual}`, `localhost:${actual}`]);
  return {
    url: `http://127.0.0.1:${actual}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
