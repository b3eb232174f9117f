/**
 * The channel between the graded tests and a submission's own process
 * (scripts/grading/realm-bridge.js), tested directly: a probe module stands
 * for the submission, run by the real host (realm-host.js) in a process of
 * its own, and this test plays the graded tests' side.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { prepareRealm } from '../../scripts/grading/workspace';
import { KataInputError } from '../../lib/kata-input-error';
import { Rng } from '../../lib/random';
import { Tensor } from '../../lib/tensor';
import { removeTempDirs, tempDir } from '../fixtures/submissions';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JavaScript shared with the sandboxed side
const { createBridge } = require('../../scripts/grading/realm-bridge.js') as {
  createBridge: (o: object) => { load: (module: string) => Record<string, unknown>; isDead: () => string | null };
};

/** The submission: a layer, a function, an optimizer that keeps state on the layer it is given, and answers that try to cheat. */
const PROBE = `
import { KataInputError } from '../../lib/kata-input-error';
import { Tensor } from '../../lib/tensor';
export class Scale {
  static describe(): string { return 'Scale'; }
  readonly params: { W: Tensor };
  calls = 0;
  constructor(options: { factor: number; init?: { draw(rng: { uniform(): number }): number }; rng?: { uniform(): number } }) {
    if (!(options.factor > 0)) throw new KataInputError('Scale: factor must be > 0, got ' + options.factor);
    const w = options.init && options.rng ? options.init.draw(options.rng) : options.factor;
    this.params = { W: new Tensor([1], [w]) };
  }
  get label(): string { return 'scale ' + this.params.W.data[0]; }
  forward(x: Tensor): Tensor {
    this.calls++;
    const out = new Tensor(x.shape, x.data.map((v) => v * this.params.W.data[0]));
    x.data.fill(0); // an input rewritten: it must not reach the tests
    return out;
  }
  *[Symbol.iterator](): Iterator<number> { yield 1; yield 2; }
}
export function step(layer: { params: { W: Tensor }; grads: { W: Tensor }; seen?: number; forward(x: Tensor): Tensor }): number {
  layer.seen = (layer.seen ?? 0) + 1; // state kept on the tests' object: stays here
  layer.params.W.data[0] -= layer.grads.W.data[0];
  (layer.grads as { W: unknown }).W = 'replaced'; // a record of the tests': never rewritten there
  layer.forward(layer.params.W); // a call back to the tests while the record is changed here
  return layer.seen;
}
export function labels(n: number): Int32Array { return Int32Array.from({ length: n }, (_, i) => i); }
export function claims(): object { return { asymmetricMatch: () => true, value: 1 }; }
export function leave(): never { process.exit(3); }
`;

let host: ChildProcess;
let probe: Record<string, unknown>;

beforeAll(() => {
  const ws = tempDir('kata-realm-');
  fs.mkdirSync(path.join(ws, 'exercises', '99-probe'), { recursive: true });
  fs.writeFileSync(path.join(ws, 'exercises', '99-probe', 'probe.ts'), PROBE);
  const realm = prepareRealm(ws);
  const [request, answer] = ['request', 'answer'].map((f) => path.join(ws, f));
  for (const f of [request, answer]) expect(spawnSync('mkfifo', [f]).status).toBe(0);
  host = spawn(process.execPath, ['--enable-source-maps', path.join(realm, 'realm-host.js'), request, answer, realm], { stdio: 'ignore' });
  const output = fs.openSync(request, 'w');
  const input = fs.openSync(answer, 'r');
  const rebuildError = (name: string, message: string, where?: string): Error => {
    const err = name === 'KataInputError' ? new KataInputError(message) : Object.assign(new Error(message), { name });
    if (where) err.stack = `${name}: ${message}\n    at the submission (${where})`;
    return err;
  };
  probe = createBridge({ side: 'c', input, output, Tensor, rebuildError, guarded: true }).load('99-probe/probe');
});

afterAll(() => {
  host.kill();
  removeTempDirs();
});

type ScaleClass = (new (o: object) => {
  params: { W: Tensor };
  calls: number;
  label: string;
  forward(x: Tensor): Tensor;
  [Symbol.iterator](): Iterator<number>;
}) & { describe(): string };

describe('the realm channel', () => {
  it('gives classes, instances, methods, getters, static methods and iterators as proxies over the channel', () => {
    const Scale = probe.Scale as ScaleClass;
    const layer = new Scale({ factor: 2 });
    expect(layer).toBeInstanceOf(Scale);
    expect(Scale.describe()).toBe('Scale');
    expect(layer.label).toBe('scale 2');
    expect(layer.forward(new Tensor([2], [1.5, -3])).data).toEqual(Float64Array.from([3, -6]));
    expect(layer.calls).toBe(1);
    expect([...layer]).toEqual([1, 2]);
  });

  it("sends the tests' changes to a field in place before the next call (a numeric gradient check perturbing W)", () => {
    const Scale = probe.Scale as ScaleClass;
    const layer = new Scale({ factor: 2 });
    const W = layer.params.W;
    W.data[0] = 5;
    expect(layer.forward(new Tensor([1], [1])).data[0]).toBe(5);
    expect(layer.label).toBe('scale 5');
  });

  it('never rewrites a tensor the tests gave as an argument', () => {
    const Scale = probe.Scale as ScaleClass;
    const x = new Tensor([2], [1, 2]);
    new Scale({ factor: 3 }).forward(x);
    expect(x.data).toEqual(Float64Array.from([1, 2]));
  });

  it("calls the tests' own objects back, which may call the submission in turn", () => {
    const Scale = probe.Scale as ScaleClass;
    const rng = new Rng(7);
    const init = { draws: 0, draw: (r: { uniform(): number }) => r.uniform() + 10 * ++init.draws };
    const layer = new Scale({ factor: 1, init, rng });
    expect(layer.params.W.data[0]).toBe(new Rng(7).uniform() + 10);
    expect(init.draws).toBe(1);
  });

  it("lets the submission change only the numbers of the tests' tensors: a field it sets stays on its side", () => {
    const step = probe.step as (layer: object) => number;
    const layer = { params: { W: new Tensor([1], [1]) }, grads: { W: new Tensor([1], [0.25]) }, forward: (x: Tensor) => x };
    expect(step(layer)).toBe(1);
    expect(step(layer)).toBe(2);
    expect(layer.params.W.data[0]).toBe(0.5);
    expect(layer.grads.W).toBeInstanceOf(Tensor);
    expect('seen' in layer).toBe(false);
  });

  it('keeps typed arrays typed and errors of the kata as the kata classes', () => {
    expect((probe.labels as (n: number) => Int32Array)(3)).toEqual(Int32Array.from([0, 1, 2]));
    const Scale = probe.Scale as ScaleClass;
    expect(() => new Scale({ factor: -1 })).toThrow(KataInputError);
    expect(() => new Scale({ factor: -1 })).toThrow('Scale: factor must be > 0, got -1');
  });

  it("says where in the submission's .ts file an error was thrown", () => {
    const Scale = probe.Scale as ScaleClass;
    const line = PROBE.split('\n').findIndex((l) => l.includes('factor must be > 0')) + 1;
    let stack = '';
    try {
      new Scale({ factor: -1 });
    } catch (err) {
      stack = (err as Error).stack ?? '';
    }
    expect(stack).toMatch(new RegExp(`at the submission \\(exercises/99-probe/probe\\.ts:${line}:\\d+\\)`));
  });

  it('never lets an answer decide an equality (asymmetricMatch does not cross)', () => {
    const answer = (probe.claims as () => object)();
    expect(answer).not.toEqual({ something: 'else' });
    expect((answer as { asymmetricMatch?: unknown }).asymmetricMatch).toBeUndefined();
  });

  it('fails the calls after the submission ends its process, saying so', () => {
    expect(() => (probe.leave as () => never)()).toThrow(/the other process has ended/);
    expect(() => (probe.labels as (n: number) => Int32Array)(1)).toThrow(/the other process has ended/);
  });
});
