/**
 * The playground's Node side and its preprocessing, without a browser: the
 * command line, run folders, the server's routes and headers, and the
 * MNIST-like preprocessing of a drawing (the browser tests cover the page).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { preprocess, SIDE } from '../../playground/page/preprocess';
import { latestRun, readRunFolder } from '../../playground/server/runs';
import { startPlayground } from '../../playground/server/server';
import { UsageError } from '../../scripts/cli/command';
import { parsePlaygroundArgs } from '../../scripts/playground';

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-playground-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function runFolder(name: string, history?: object): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.bin'), 'not read by these tests');
  if (history) fs.writeFileSync(path.join(dir, 'history.json'), JSON.stringify(history));
  return dir;
}

describe('npm run playground: command line', () => {
  it('reads --run, --compare and --port, in both spellings', () => {
    expect(parsePlaygroundArgs([])).toEqual({ port: 0 });
    expect(parsePlaygroundArgs(['--run', 'a', '--compare=b', '--port', '8080'])).toEqual({ run: 'a', compare: 'b', port: 8080 });
    expect(parsePlaygroundArgs(['-h'])).toBe('help');
  });

  it('rejects what it does not understand, naming it', () => {
    const error = (argv: string[]): string => {
      try {
        parsePlaygroundArgs(argv);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(error(['--runs', 'x'])).toBe('unknown option --runs');
    expect(error(['folder'])).toBe('unexpected argument "folder"');
    expect(error(['--run'])).toBe('--run needs a value');
    expect(error(['--run', 'a', '--run', 'b'])).toBe('--run is given twice');
    expect(error(['--port', '70000'])).toBe('--port expects a whole number from 0 to 65535, got "70000"');
  });
});

describe('run folders', () => {
  it('the latest is the one whose model.bin was written last', () => {
    const runs = path.join(root, 'runs');
    const older = runFolder('runs/b-older');
    const newer = runFolder('runs/a-newer');
    fs.utimesSync(path.join(older, 'model.bin'), new Date(1000), new Date(1000));
    expect(latestRun(runs)).toBe(newer);
  });

  it('say what is missing', () => {
    expect(() => latestRun(path.join(root, 'nothing'))).toThrow(
      /no run folder: .* does not exist; train one first: npm run train -- --epochs 1 --limit 5000/,
    );
    expect(() => readRunFolder(path.join(root, 'nothing'))).toThrow(`${path.join(root, 'nothing')}: no such run folder`);
    fs.mkdirSync(path.join(root, 'empty'));
    expect(() => readRunFolder(path.join(root, 'empty'))).toThrow('no model.bin in this folder');
  });

  it("the network's name and the start time come from history.json; without them, null and the time model.bin was written", () => {
    const named = readRunFolder(runFolder('named', { options: { tree: 'solutions' }, model: { name: 'lenet' }, startedAt: '2026-12-04T18:46:56.123Z' }));
    expect([named.network, named.startedAt]).toEqual(['lenet', '2026-12-04T18:46:56.123Z']);
    const bare = runFolder('bare');
    const written = new Date(Date.UTC(2025, 0, 2, 3, 4, 5));
    fs.utimesSync(path.join(bare, 'model.bin'), written, written);
    expect([readRunFolder(bare).network, readRunFolder(bare).startedAt]).toEqual([null, written.toISOString()]);
  });

  it('the tree comes from history.json; without one, the reference', () => {
    expect(readRunFolder(runFolder('plain')).tree).toBe('solutions');
    const mine = readRunFolder(runFolder('mine', { options: { tree: 'exercises' } }));
    expect([mine.tree, path.basename(mine.treeDir)]).toEqual(['exercises', 'exercises']);
    expect(() => readRunFolder(runFolder('odd', { options: { tree: 'no/such/tree' } }))).toThrow(
      'trained from no/such/tree, which has no 06-classifier folder',
    );
  });
});

describe('the server', () => {
  it('serves the page, the bundles and the models on 127.0.0.1, cross-origin isolated; 404 and 405 otherwise', async () => {
    const server = await startPlayground([readRunFolder(runFolder('served'))]);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(server.url);
      expect(page.status).toBe(200);
      expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(await page.text()).toContain('<canvas id="pad"');
      const models = (await (await fetch(`${server.url}api/models`)).json()) as { net: string; model: string }[];
      expect(models.map((m) => [m.net, m.model])).toEqual([['/net/0.js', '/models/0/model.bin']]);
      expect(await (await fetch(`${server.url}models/0/model.bin`)).text()).toBe('not read by these tests');
      expect((await fetch(`${server.url}net/0.js`)).headers.get('content-type')).toContain('javascript');
      expect((await fetch(`${server.url}nothing`)).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});

describe("the server's guard", () => {
  /** GET with a chosen Host header (fetch may not set one). */
  const getWithHost = (url: string, host: string): Promise<number> =>
    new Promise((resolve, reject) => {
      http.get(url, { headers: { host } }, (response) => resolve(response.resume().statusCode ?? 0)).on('error', reject);
    });

  it('answers only requests for 127.0.0.1 or localhost at its port (no DNS rebinding), and sends no folder of this machine', async () => {
    const mine = runFolder('guarded', { options: { tree: 'exercises' } });
    const server = await startPlayground([readRunFolder(mine)]);
    try {
      const port = new URL(server.url).port;
      expect(await getWithHost(server.url, `127.0.0.1:${port}`)).toBe(200);
      expect(await getWithHost(server.url, `localhost:${port}`)).toBe(200);
      expect(await getWithHost(server.url, `attacker.example:${port}`)).toBe(403);
      expect(await getWithHost(`${server.url}api/models`, 'attacker.example')).toBe(403);
      expect(await getWithHost(server.url, `127.0.0.1:${Number(port) + 1}`)).toBe(403);
      const text = await (await fetch(`${server.url}api/models`)).text();
      expect(text).not.toContain(path.dirname(mine));
      expect(JSON.parse(text)).toEqual([
        expect.objectContaining({
          label: 'guarded',
          tree: 'exercises',
          mine: true,
          whose: { en: 'Trained with your layers (exercises/)', ja: 'あなたの層で学習（exercises/）' },
        }),
      ]);
      expect(Object.keys(JSON.parse(text)[0]).sort()).toEqual([
        'engine',
        'history',
        'label',
        'mine',
        'model',
        'net',
        'network',
        'startedAt',
        'tree',
        'whose',
      ]);
    } finally {
      await server.close();
    }
  });

  it('a tree given as a path reaches the page as its folder name only', async () => {
    const solutions = path.resolve(__dirname, '..', '..', 'solutions');
    const relative = path.relative(process.cwd(), solutions) + path.sep;
    const server = await startPlayground([
      readRunFolder(runFolder('by-absolute-path', { options: { tree: solutions } })),
      readRunFolder(runFolder('by-relative-path', { options: { tree: relative } })),
    ]);
    try {
      const models = (await (await fetch(`${server.url}api/models`)).json()) as { tree: string }[];
      expect(models.map((m) => m.tree)).toEqual(['solutions', 'solutions']);
    } finally {
      await server.close();
    }
  });
});

describe('preprocessing a drawing like MNIST', () => {
  const blob = (w: number, h: number, x0: number, y0: number, bw: number, bh: number): Float64Array => {
    const ink = new Float64Array(w * h);
    for (let y = y0; y < y0 + bh; y++) for (let x = x0; x < x0 + bw; x++) ink[y * w + x] = 1;
    return ink;
  };

  it('an empty drawing gives an empty image', () => {
    expect(preprocess(new Float64Array(100 * 100), 100, 100)).toEqual(new Float64Array(SIDE * SIDE));
  });

  it('property: the ink fits a 20-pixel box, its darkest pixel is 1, its centre of mass is within a pixel of the centre', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 5, max: 80 }),
        fc.integer({ min: 5, max: 80 }),
        (x0, y0, bw, bh) => {
          const out = preprocess(blob(280, 280, x0, y0, bw, bh), 280, 280);
          const xs: number[] = [];
          const ys: number[] = [];
          let [mass, mx, my] = [0, 0, 0];
          out.forEach((v, i) => {
            if (v <= 0) return;
            xs.push(i % SIDE);
            ys.push(Math.floor(i / SIDE));
            mass += v;
            mx += v * (i % SIDE);
            my += v * Math.floor(i / SIDE);
          });
          expect(Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)) + 1).toBeLessThanOrEqual(20);
          expect(Math.max(...out)).toBe(1);
          expect(Math.abs(mx / mass - 13.5)).toBeLessThanOrEqual(1);
          expect(Math.abs(my / mass - 13.5)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('a tall bar keeps its aspect ratio: 20 pixels high', () => {
    const out = preprocess(blob(280, 280, 130, 40, 20, 200), 280, 280);
    const rows = new Set([...out.keys()].filter((i) => out[i] > 0).map((i) => Math.floor(i / SIDE)));
    const cols = new Set([...out.keys()].filter((i) => out[i] > 0).map((i) => i % SIDE));
    expect([rows.size, cols.size]).toEqual([20, 2]);
  });
});
