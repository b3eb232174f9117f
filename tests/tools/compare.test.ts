import path from 'node:path';
import { compareStep } from '../../scripts/compare';
import type { Step } from '../../scripts/compare/kit';
import { Tensor } from '../../lib/tensor';
import { appendTo, BREAK, copyTree, runScript, tempDir, useFolder, removeTempDirs } from '../fixtures/submissions';

afterAll(removeTempDirs);

const step = (name: string, axes?: string[]): Step => ({ name, element: 'dL/dx', axes, timed: true, run: () => Tensor.zeros([1]) });
const ok = (t: Tensor) => ({ ok: true, value: { shape: t.shape, data: t.data }, ms: 1 });

describe('compareStep', () => {
  it('names the first differing element with its axes', () => {
    const ref = Tensor.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const yours = Tensor.from([
      [1, 2, 3],
      [4, 5.5, 7],
    ]);
    const report = compareStep(step('backward dx', ['n', 'i']), ok(yours), ok(ref));
    expect(report.problem).toBe('backward dx first differs at dL/dx[n=1, i=1]: yours 5.5, reference 5');
    expect(report.maxAbs).toBe(1);
    expect(report.maxRel).toBeCloseTo(1 / 6, 12);
  });

  it('reports a shape mismatch before any value', () => {
    const report = compareStep(step('forward'), ok(Tensor.zeros([2, 3])), ok(Tensor.zeros([3, 2])));
    expect(report.problem).toBe('forward has shape [2, 3], the reference [3, 2]');
  });

  it('reports a NotImplementedError as "not implemented yet"', () => {
    const report = compareStep(step('forward'), { ok: false, error: 'not implemented yet (Flatten.forward)', ms: 0 }, ok(Tensor.zeros([1])));
    expect(report.problem).toBe('yours not implemented yet (Flatten.forward)');
  });
});

/** compare wraps its `=>` lines at 80 columns, continuing them with three spaces. */
const unwrapped = (text: string): string => text.replace(/\n {3}/g, ' ');

describe('npm run compare', () => {
  it('finds a wrong bias gradient and names its first differing element', () => {
    const dir = tempDir('kata-compare-fixture-');
    const submission = copyTree('solutions', dir, 'wrong-backward');
    appendTo(submission, '00-prerequisites/fc.ts', BREAK.wrongFcBias);
    const run = runScript('compare', ['00', '--submission', submission], {}, 120_000);
    expect(run.status).toBe(1);
    expect(unwrapped(run.stdout)).toContain('=> forward, backward dx and grads.W match the reference; grads.b first differs at dL/db[j=1]: yours ');
    expect(run.stdout).toMatch(/00-prerequisites: 9 case\(s\): 8 same as the reference, 1 different\./);
  }, 150_000);

  it('says "not implemented yet" for an untouched stub instead of crashing', () => {
    const dir = tempDir('kata-compare-fixture-');
    const submission = copyTree('solutions', dir, 'stub-flatten');
    useFolder(submission, 'exercises', '05-flatten');
    const run = runScript('compare', ['flatten', '--submission', path.join(submission)], {}, 120_000);
    expect(run.status).toBe(1);
    expect(unwrapped(run.stdout)).toMatch(/=> yours not implemented yet \(Flatten\.[a-z]+\)/);
    expect(run.stdout).toMatch(/05-flatten: 2 case\(s\): 0 same as the reference, 0 different, 2 not implemented yet\./);
  }, 150_000);
});
