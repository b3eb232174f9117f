/**
 * scripts/trees.ts: what KATA_TREE and --tree name, read the same way by the
 * tools and by jest.config.ts (which Node loads without any project file, so
 * it keeps its own reading: this suite proves the two agree), how each tree
 * is named for people, and loading a tree's network.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kataTreeFolder } from '../../jest.config';
import { engineKit } from '../../engine';
import {
  DEFAULT_TREE,
  isReference,
  loadTree,
  parseTree,
  REPO_ROOT,
  treeEnvironmentValue,
  treeFolderText,
  treeFromEnvironment,
  treeLabel,
  TreeNotReadyError,
  TREES,
} from '../../scripts/trees';

const root = path.resolve(__dirname, '..', '..');

describe('the trees KATA_TREE names', () => {
  it('has the repository as its root', () => {
    expect(REPO_ROOT).toBe(root);
    expect(fs.existsSync(path.join(REPO_ROOT, 'scripts', 'manifest.json'))).toBe(true);
  });

  it('names three trees of this repository, and any other value as a folder', () => {
    expect(parseTree('exercises')).toEqual({ kind: 'exercises', name: 'exercises', dir: path.join(root, 'exercises') });
    expect(parseTree('solutions')).toEqual({ kind: 'solutions', name: 'solutions', dir: path.join(root, 'solutions') });
    expect(parseTree('engine+solutions')).toEqual({ kind: 'engine', name: 'engine+solutions', dir: path.join(root, 'solutions') });
    expect(parseTree('../class/ada')).toEqual({ kind: 'folder', name: '../class/ada', dir: path.resolve('../class/ada') });
  });

  it("means, unset or empty, the learner's exercises for the tests and the reference with the engine for training", () => {
    expect(DEFAULT_TREE).toEqual({ tests: 'exercises', training: 'engine+solutions' });
    for (const unset of [undefined, '']) {
      expect(treeFromEnvironment('tests', unset)).toEqual(TREES.exercises);
      expect(treeFromEnvironment('training', unset)).toEqual(TREES.engine);
    }
    expect(treeFromEnvironment('training', 'exercises')).toEqual(TREES.exercises);
    expect(treeFromEnvironment('tests', 'solutions')).toEqual(TREES.solutions);
  });

  it("gives jest.config.ts's folder for every value, so a test and a command run the same tree", () => {
    const values = [undefined, '', 'exercises', 'solutions', 'engine+solutions', '/class/ada', 'class/ada', path.join(root, 'solutions')];
    for (const value of values) {
      expect([value, kataTreeFolder(value, root)]).toEqual([value, treeFromEnvironment('tests', value).dir]);
    }
  });

  it('passes a tree on to jest runs as a value that names the same folder from any working directory', () => {
    expect(['exercises', 'solutions', 'engine+solutions'].map((n) => treeEnvironmentValue(parseTree(n)))).toEqual([
      'exercises',
      'solutions',
      'engine+solutions',
    ]);
    expect(treeEnvironmentValue(parseTree('class/ada'))).toBe(path.resolve('class/ada'));
    expect(kataTreeFolder(treeEnvironmentValue(parseTree('class/ada')), '/elsewhere')).toBe(path.resolve('class/ada'));
  });
});

describe('how a tree is named for people', () => {
  it('labels each tree by whose layers it holds', () => {
    expect(treeLabel(TREES.exercises)).toBe('your layers (exercises/)');
    expect(treeLabel(TREES.engine)).toBe('the reference (solutions/ with the engine)');
    expect(treeLabel(TREES.solutions)).toBe('the reference (solutions/)');
    expect(treeLabel('/home/someone/my-layers/')).toBe('the layers in my-layers');
  });

  it("tells the reference from a learner's code", () => {
    expect(['exercises', 'solutions', 'engine+solutions', 'my-layers'].map(isReference)).toEqual([false, true, true, false]);
  });

  it("writes the folder as the runner's messages do: relative inside the repository, else the path", () => {
    expect(treeFolderText(TREES.exercises)).toBe('exercises/');
    expect(treeFolderText(TREES.engine)).toBe('solutions/');
    expect(treeFolderText(parseTree(path.join(os.tmpdir(), 'ada')))).toBe(`${path.join(os.tmpdir(), 'ada')}/`);
  });
});

describe('loadTree', () => {
  it("loads the reference with the engine's layers, or alone with its own", () => {
    const engine = loadTree(TREES.engine, 'sheet');
    expect(engine.kit).toBe(engineKit);
    // The sheet's network: (conv 3x3, ReLU, 2x2 max pool) twice, then flatten, FC 100, ReLU, FC 10.
    expect(engine.specs.map((s) => s.type)).toEqual(['conv2d', 'relu', 'maxpool2d', 'conv2d', 'relu', 'maxpool2d', 'flatten', 'fc', 'relu', 'fc']);
    const alone = loadTree(TREES.solutions, 'lenet');
    expect(alone.kit).toEqual({});
    expect(alone.tree).toBe(TREES.solutions);
    expect(alone.specs.filter((s) => s.type === 'conv2d')).toHaveLength(2);
  });

  it('names the first exercise to finish in the untouched stubs, and the test command to run', () => {
    expect(() => loadTree(TREES.exercises, 'sheet')).toThrow(TreeNotReadyError);
    expect(() => loadTree(TREES.exercises, 'sheet')).toThrow(
      'The tree "exercises" cannot train yet: FC (exercise 00-prerequisites): it is not implemented yet.\n' +
        'Finish exercise 00-prerequisites first: npm test -- 00',
    );
  });

  it('refuses a folder not laid out like exercises/, naming what it expected', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-tree-'));
    expect(() => loadTree(parseTree(empty), 'sheet')).toThrow(
      `--tree ${empty}: expected a folder laid out like exercises/ (with 06-classifier/), got ${empty}`,
    );
  });
});
