/**
 * The type check that `npm test -- <exercise>` runs after jest: node's own
 * names (console, process) are not errors, a real type error is.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exerciseTypeErrors } from '../../scripts/kata/typecheck';

const made: string[] = [];
afterAll(() => made.forEach((tree) => fs.rmSync(tree, { recursive: true, force: true })));

function treeWith(source: string): string {
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-typecheck-'));
  made.push(tree);
  fs.mkdirSync(path.join(tree, '05-flatten'));
  fs.writeFileSync(path.join(tree, '05-flatten', 'flatten.ts'), source);
  return tree;
}

describe('exerciseTypeErrors', () => {
  it.each([
    ['logs with console', 'console.log(`x = ${x}`);'],
    ['reads process.env', 'if (process.env.VERBOSE === String(x)) throw new Error();'],
  ])('accepts code that %s (node declares those names)', (_what, line) => {
    const tree = treeWith(`export function note(x: number): void {\n  ${line}\n}\n`);
    expect(exerciseTypeErrors('05-flatten', tree)).toBe('');
  });

  it('reports a real type error with its file and line', () => {
    const tree = treeWith('export const size: number = "four";\n');
    expect(exerciseTypeErrors('05-flatten', tree)).toMatch(/flatten\.ts\(1,14\): error TS2322: Type 'string' is not assignable to type 'number'/);
  });
});
