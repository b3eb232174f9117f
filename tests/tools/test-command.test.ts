/** `npm test -- <exercise>` selects exactly one suite, whatever the folder of the clone is called. */
import path from 'node:path';
import { repoRoot } from '../../scripts/manifest';
import { runScript } from '../fixtures/submissions';

function listed(arg: string): string[] {
  const run = runScript('test', [arg, '--listTests'], {}, 60_000);
  expect(run.status).toBe(0);
  return run.stdout
    .split('\n')
    .filter((l) => l.endsWith('.test.ts'))
    .map((l) => path.relative(repoRoot, l));
}

describe('npm test -- <exercise>', () => {
  it('reads 01, 1, conv2d and 01-conv2d as exercise 01 only', () => {
    for (const arg of ['01', '1', 'conv2d', '01-conv2d']) expect(listed(arg)).toEqual(['tests/01-conv2d.test.ts']);
  });
  it('reads 10 as exercise 10 only', () => {
    expect(listed('10')).toEqual(['tests/10-filter-size.test.ts']);
  });
  it('names the exercises when the argument matches none', () => {
    const run = runScript('test', ['nope'], {}, 60_000);
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^npm test: no exercise matches "nope"/);
  });
});
