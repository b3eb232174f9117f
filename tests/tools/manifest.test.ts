import fs from 'node:fs';
import path from 'node:path';
import { Exercise, exportedNames, findExercise, lint, loadManifest, Manifest } from '../../scripts/manifest';
import { tempDir, removeTempDirs } from '../fixtures/submissions';

const STUB = `import { NotImplementedError } from '../../lib/not-implemented';
/** Doubles x. */
export function double(x: number): number {
  throw new NotImplementedError('01-demo', 'double');
}
export interface DemoOptions { scale: number }
export class Demo {}
`;
const SOLUTION = `/** Doubles x. */
export function double(x: number): number {
  return 2 * x;
}
export interface DemoOptions { scale: number }
export class Demo {}
`;

function demoExercise(overrides: Partial<Exercise> = {}): Exercise {
  return {
    id: '01-demo',
    title: { en: 'Demo', ja: 'デモ' },
    test: 'tests/01-demo.test.ts',
    points: 5,
    scoring: 'per-test',
    timeLimitSeconds: 60,
    hints: [{ en: 'Multiply by two.', ja: '2倍します。' }],
    parts: [],
    mistakes: [],
    ...overrides,
  };
}

/** A minimal repository with one exercise whose two trees agree. */
function fixtureRepo(): string {
  const root = tempDir('kata-lint-');
  for (const [tree, code] of [
    ['exercises', STUB],
    ['solutions', SOLUTION],
  ] as const) {
    fs.mkdirSync(path.join(root, tree, '01-demo'), { recursive: true });
    fs.writeFileSync(path.join(root, tree, '01-demo', 'demo.ts'), code);
    fs.writeFileSync(path.join(root, tree, '01-demo', 'README.md'), '# Demo\n');
  }
  fs.mkdirSync(path.join(root, 'tests'));
  fs.writeFileSync(path.join(root, 'tests', '01-demo.test.ts'), '');
  return root;
}

const manifestOf = (...exercises: Exercise[]): Manifest => ({ exercises });

describe('manifest lint', () => {
  it('accepts a tree where the manifest, the stubs and the solutions agree', () => {
    expect(lint({ root: fixtureRepo(), manifest: manifestOf(demoExercise()) })).toEqual([]);
  });

  it('reports a stray file that exists in only one tree', () => {
    const root = fixtureRepo();
    fs.writeFileSync(path.join(root, 'solutions', '01-demo', 'helper.ts'), 'export const x = 1;\n');
    expect(lint({ root, manifest: manifestOf(demoExercise()) })).toEqual([
      '01-demo: solutions/01-demo/helper.ts has no counterpart in exercises/01-demo/',
    ]);
  });

  it('reports an export that the stub has and the solution lacks', () => {
    const root = fixtureRepo();
    fs.appendFileSync(path.join(root, 'exercises', '01-demo', 'demo.ts'), 'export function triple(x: number): number { return x; }\n');
    expect(lint({ root, manifest: manifestOf(demoExercise()) })).toEqual(['01-demo/demo.ts: exported by the stub but not by the solution: triple']);
  });

  it('reports an export that the solution has and the stub lacks', () => {
    const root = fixtureRepo();
    fs.appendFileSync(path.join(root, 'solutions', '01-demo', 'demo.ts'), 'export const HALF = 0.5;\n');
    expect(lint({ root, manifest: manifestOf(demoExercise()) })).toEqual(['01-demo/demo.ts: exported by the solution but not by the stub: HALF']);
  });

  it('reports a missing README and READMEs that differ', () => {
    const root = fixtureRepo();
    fs.rmSync(path.join(root, 'exercises', '01-demo', 'README.md'));
    expect(lint({ root, manifest: manifestOf(demoExercise()) })).toEqual([
      '01-demo: solutions/01-demo/README.md has no counterpart in exercises/01-demo/',
      '01-demo: exercises/01-demo/README.md is missing',
    ]);
    fs.writeFileSync(path.join(root, 'exercises', '01-demo', 'README.md'), '# Something else\n');
    expect(lint({ root, manifest: manifestOf(demoExercise()) })).toEqual([
      '01-demo: README.md differs between exercises/ and solutions/ (they must be identical)',
    ]);
  });

  it('reports exercises listed in the manifest whose folders do not exist yet', () => {
    const root = fixtureRepo();
    const later = demoExercise({ id: '02-later', test: 'tests/01-demo.test.ts' });
    expect(lint({ root, manifest: manifestOf(demoExercise(), later) })).toEqual([
      '02-later: folder exercises/02-later and solutions/02-later does not exist',
    ]);
  });

  it('reports folders and exercise tests the manifest does not list', () => {
    const root = fixtureRepo();
    fs.mkdirSync(path.join(root, 'exercises', '09-extra'));
    fs.writeFileSync(path.join(root, 'tests', '09-extra.test.ts'), '');
    expect(lint({ root, manifest: manifestOf(demoExercise()) })).toEqual([
      'exercises/09-extra: not an exercise in the manifest',
      'tests/09-extra.test.ts: exercise test not listed in the manifest',
    ]);
  });

  it('checks the manifest fields: id form, duplicates, test file, points, time limit, hints in both languages', () => {
    const root = fixtureRepo();
    const bad = demoExercise({ points: 0, timeLimitSeconds: -1, test: 'tests/missing.test.ts', hints: [{ en: 'ok', ja: ' ' }] });
    expect(lint({ root, manifest: manifestOf(bad) })).toEqual([
      'manifest 01-demo: test file tests/missing.test.ts does not exist',
      'manifest 01-demo: points must be > 0, got 0',
      'manifest 01-demo: timeLimitSeconds must be > 0, got -1',
      'manifest 01-demo: hint 1 has no Japanese text',
      'tests/01-demo.test.ts: exercise test not listed in the manifest',
    ]);
    const errors = lint({
      root,
      manifest: manifestOf(demoExercise(), demoExercise(), demoExercise({ id: '01-other', hints: [] }), demoExercise({ id: 'Demo' })),
    });
    expect(errors).toContain('manifest 01-demo: duplicate id');
    expect(errors).toContain('manifest 01-other: number 01 is already used by 01-demo');
    expect(errors).toContain('manifest 01-other: needs at least one hint (of the exercise or of a part)');
    expect(errors).toContain('manifest Demo: id must look like NN-name (two digits, a dash, lower-case words joined by dashes)');
  });
});

describe('manifest lint of parts and mistakes', () => {
  const part = { name: 'double', title: { en: 'double', ja: '2倍' }, tests: ['01 demo: double'], file: 'demo.ts', formula: 'y = 2 x' };

  it('accepts parts whose file exists and whose describe title is in the test file', () => {
    const root = fixtureRepo();
    fs.writeFileSync(path.join(root, 'tests', '01-demo.test.ts'), "describe('01 demo: double', () => {});\n");
    const e = demoExercise({ parts: [part], mistakes: [{ id: 'halves', part: 'double', en: 'You halve.', ja: '半分にしています。' }] });
    expect(lint({ root, manifest: manifestOf(e) })).toEqual([]);
  });

  it('reports a part with a missing file or tests the test file does not name, and a mistake of an unknown part', () => {
    const root = fixtureRepo();
    fs.writeFileSync(path.join(root, 'tests', '01-demo.test.ts'), "describe('something else', () => {});\n");
    const e = demoExercise({ parts: [{ ...part, file: 'gone.ts' }], mistakes: [{ id: 'halves', part: 'triple', en: 'x', ja: 'x' }] });
    expect(lint({ root, manifest: manifestOf(e) })).toEqual([
      'manifest 01-demo: part "double" names gone.ts, which is not in exercises/01-demo/',
      'manifest 01-demo: part "double" expects tests named "01 demo: double...", not found in tests/01-demo.test.ts',
      'manifest 01-demo: mistake "halves" names part "triple", which the exercise does not have',
    ]);
  });
});

describe('manifest lint of neededBy (parts a later exercise needs first)', () => {
  const part = (name: string, neededBy?: string) => ({
    name,
    title: { en: name, ja: name },
    tests: ['01 demo: double'],
    file: 'demo.ts',
    formula: 'y = 2 x',
    ...(neededBy ? { neededBy } : {}),
  });
  const lintOf = (...parts: ReturnType<typeof part>[]): string[] => {
    const root = fixtureRepo();
    fs.writeFileSync(path.join(root, 'tests', '01-demo.test.ts'), "describe('01 demo: double', () => {});\n");
    const later = demoExercise({ id: '03-later', test: 'tests/01-demo.test.ts' });
    for (const tree of ['exercises', 'solutions'])
      for (const id of ['00-first', '03-later']) fs.cpSync(path.join(root, tree, '01-demo'), path.join(root, tree, id), { recursive: true });
    return lint({ root, manifest: manifestOf(demoExercise({ id: '00-first', parts }), demoExercise(), later) }).filter((e) =>
      e.startsWith('manifest 00-first:'),
    );
  };

  it('accepts deferred parts after the others, naming a later exercise', () => {
    expect(lintOf(part('a'), part('b', '03-later'), part('c', '01-demo'))).toEqual([]);
  });

  it('reports a deferred part before one needed now, an unknown or earlier exercise, and an exercise whose every part waits', () => {
    expect(lintOf(part('a'), part('b', '03-later'), part('c'))).toEqual([
      'manifest 00-first: part "c" comes after part "b", which has neededBy; parts with neededBy come last',
    ]);
    expect(lintOf(part('a'), part('b', '07-nowhere'), part('c', '00-first'))).toEqual([
      'manifest 00-first: part "b" has neededBy "07-nowhere", which is not an exercise of the manifest',
      'manifest 00-first: part "c" has neededBy "00-first", which is not after 00-first',
    ]);
    expect(lintOf(part('a', '03-later'))).toEqual(['manifest 00-first: every part has neededBy; at least the first part is needed now']);
  });

  it("the shipped manifest defers only 00's training parts, to 06", () => {
    const e = loadManifest().exercises.find((x) => x.id === '00-prerequisites')!;
    expect(e.parts.map((p) => [p.name, p.neededBy ?? 'now'])).toEqual([
      ['fc', 'now'],
      ['relu', 'now'],
      ['softmax', 'now'],
      ['conv1d', 'now'],
      ['initializers', '06-classifier'],
      ['optimizers', '06-classifier'],
      ['mini-batch', '06-classifier'],
    ]);
    expect(
      loadManifest()
        .exercises.filter((x) => x.parts.some((p) => p.neededBy))
        .map((x) => x.id),
    ).toEqual(['00-prerequisites']);
  });
});

describe('exportedNames', () => {
  it('reads every kind of export declaration', () => {
    const source = [
      'export function f() {}',
      'export class C {}',
      'export interface I {}',
      'export type T = number;',
      'export const a = 1, { b, c: [d] } = { b: 2, c: [3] };',
      'export enum E { X }',
      'const hidden = 1; const shown = 2;',
      'export { shown, hidden as renamed };',
      "export type { PoolOptions } from './pool';",
      "export * from './all';",
      'export default 42;',
    ].join('\n');
    expect(exportedNames(source)).toEqual(['* from ./all', 'C', 'E', 'I', 'PoolOptions', 'T', 'a', 'b', 'd', 'default', 'f', 'renamed', 'shown'].sort());
  });
});

afterAll(removeTempDirs);

describe('findExercise (the exercise argument of kata, grade and compare)', () => {
  const manifest = loadManifest();
  const conv = manifest.exercises.find((e) => e.id === '01-conv2d')!;

  it.each(['01', '1', '01-conv2d', 'conv2d', 'exercises/01-conv2d/', 'tests/01-conv2d.test.ts'])('reads "%s" as 01-conv2d', (arg) => {
    expect(findExercise(manifest, arg)).toBe(conv);
  });

  it('reads 10 as the tenth exercise, not the first', () => {
    expect(findExercise(manifest, '10').id).toBe('10-filter-size');
  });

  it('names the candidates when a word matches several exercises', () => {
    expect(() => findExercise(manifest, 'pool')).toThrow(/matches several exercises \(03-max-pool2d, 04-average-pool2d\)/);
  });

  it('lists the exercises when nothing matches', () => {
    expect(() => findExercise(manifest, '42')).toThrow(/no exercise matches "42".*00-prerequisites, 01-conv2d/);
    expect(() => findExercise(manifest, 'transformer')).toThrow(/no exercise matches "transformer"/);
  });
});
