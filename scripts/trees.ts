/**
 * The trees of exercises, in one place: what `KATA_TREE` and `--tree` can
 * name, what nothing named means, how each tree is named for people, where
 * the repository is, and how a command loads a tree's network.
 *
 *   exercises          the learner's layers and classifier (exercises/)
 *   solutions          the readable reference alone (solutions/)
 *   engine+solutions   the reference's classifier with the engine's fast layers
 *                      where it has them: the quickest training
 *   any other value    a folder laid out like exercises/ (a student's copy)
 *
 * A name means the same tree in every command and in jest (the engine's tree
 * runs solutions/ there: tests check a tree's code, not the engine).
 * jest.config.ts reads KATA_TREE itself, since Node loads that file without
 * any project file; tests/tools/trees.test.ts proves the two readings agree.
 *
 * Every tree's gemm runs on the engine's kernel (lib's `gemm` is the one speed
 * tool a learner is given), so a learner's network trains as fast as their
 * layers allow. Before any long work, `loadTree` tries every part a network
 * needs on a tiny input, in the manifest's order, and names the first
 * exercise that is not implemented yet or fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LayerKit } from '../lib/layer';
import type { LayerSpec } from '../lib/model-spec';
import { NotImplementedError } from '../lib/not-implemented';
import { Tensor } from '../lib/tensor';
import { folderName, type Lang } from './report/run-title';

/** The repository's folder (the one holding exercises/, solutions/, lib/, ...). */
export const REPO_ROOT = path.resolve(__dirname, '..');

/** The named trees, and any other folder. */
export type TreeKind = 'exercises' | 'solutions' | 'engine' | 'folder';

export interface Tree {
  kind: TreeKind;
  /** What KATA_TREE, --tree and history.json's options.tree hold: a tree's name, or the folder as given. */
  name: string;
  /** The folder holding the NN-name/ subfolders (solutions/ for the engine's tree). */
  dir: string;
}

/** The names of the three trees of this repository. */
export const TREE_NAMES = { exercises: 'exercises', solutions: 'solutions', engine: 'engine+solutions' } as const satisfies Record<
  Exclude<TreeKind, 'folder'>,
  string
>;

/**
 * What no KATA_TREE and no --tree mean, by what a command does with the tree:
 * the tests and the runner check the learner's code; train trains the
 * reference with the engine (the learner's network trains with --tree exercises).
 */
export const DEFAULT_TREE = { tests: TREE_NAMES.exercises, training: TREE_NAMES.engine } as const;

/** The kind of tree a name stands for (as given to --tree or recorded in history.json's options.tree). */
export function treeKind(name: string): TreeKind {
  return name === TREE_NAMES.exercises ? 'exercises' : name === TREE_NAMES.solutions ? 'solutions' : name === TREE_NAMES.engine ? 'engine' : 'folder';
}

/** The tree a name or a folder names (a folder relative to the working directory). */
export function parseTree(text: string): Tree {
  const kind = treeKind(text);
  const dir = kind === 'folder' ? path.resolve(text) : path.join(REPO_ROOT, kind === 'exercises' ? 'exercises' : 'solutions');
  return { kind, name: text, dir };
}

/** The tree KATA_TREE (or `value`) names; unset or empty: the default for `use`. */
export function treeFromEnvironment(use: keyof typeof DEFAULT_TREE, value = process.env.KATA_TREE): Tree {
  return parseTree(value === undefined || value === '' ? DEFAULT_TREE[use] : value);
}

/** The three trees of this repository. */
export const TREES = {
  exercises: parseTree(TREE_NAMES.exercises),
  solutions: parseTree(TREE_NAMES.solutions),
  engine: parseTree(TREE_NAMES.engine),
} as const;

/** Whether a tree is the reference (with the engine or alone), not a learner's code. */
export const isReference = (tree: Tree | string): boolean => ['solutions', 'engine'].includes(typeof tree === 'string' ? treeKind(tree) : tree.kind);

/**
 * How a tree is named for people: "your layers (exercises/)", "the reference
 * (solutions/ with the engine)", "the reference (solutions/)" or "the layers in my-layers".
 */
export function treeLabel(tree: Tree | string): string {
  const name = typeof tree === 'string' ? tree : tree.name;
  const kind = treeKind(name);
  if (kind === 'exercises') return 'your layers (exercises/)';
  if (kind === 'engine') return 'the reference (solutions/ with the engine)';
  if (kind === 'solutions') return 'the reference (solutions/)';
  return `the layers in ${folderName(name)}`;
}

/** Whose network a run is, from the tree that trained it, as the report and the playground's page say it. */
export function whoseNetwork(tree: Tree | string, lang: Lang = 'en'): string {
  const name = typeof tree === 'string' ? tree : tree.name;
  const kind = treeKind(name);
  const label = treeLabel(name);
  if (lang === 'en') return isReference(name) ? label[0].toUpperCase() + label.slice(1) : `Trained with ${label}`;
  if (kind === 'exercises') return 'あなたの層で学習（exercises/）';
  if (kind === 'engine') return 'お手本（solutions/ とエンジン）';
  if (kind === 'solutions') return 'お手本（solutions/）';
  return `${folderName(name)} の層で学習`;
}

/** A tree's folder as written in the runner's messages: `exercises/`, `solutions/` or the path. */
export function treeFolderText(tree: Tree): string {
  const rel = path.relative(REPO_ROOT, tree.dir);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? `${rel}/` : `${tree.dir}/`;
}

/** What KATA_TREE holds for a tree, for the jest runs a command starts: its name, or the folder's absolute path. */
export const treeEnvironmentValue = (tree: Tree): string => (tree.kind === 'folder' ? tree.dir : tree.name);

type ClassifierModule = typeof import('../exercises/06-classifier/classifier');
type LenetModule = typeof import('../exercises/07-lenet/lenet');

/** A tree loaded to train or run: its classifier module, its layer kit and the network asked for. */
export interface LoadedTree {
  tree: Tree;
  classifier: ClassifierModule;
  /** The layer classes that replace the tree's own (the engine's, for the engine's tree). */
  kit: Partial<LayerKit>;
  /** The network of the model asked for, from this tree (06's sheetNetwork or 07's lenet5). */
  specs: LayerSpec[];
}

/** A tree that cannot train: the message names the exercise to finish first. */
export class TreeNotReadyError extends Error {
  override name = 'TreeNotReadyError';
}

/** A one-line description of what went wrong in a trial run. */
function reason(error: unknown): string {
  if (error instanceof NotImplementedError) return 'it is not implemented yet';
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `it failed on a tiny input (${text.split('\n')[0]})`;
}

/**
 * Runs each trial in order; the first that throws stops with a message that
 * names its exercise and the test command to run.
 */
function tryParts(name: string, trials: [exercise: string, part: string, run: () => void][]): void {
  for (const [exercise, part, run] of trials) {
    try {
      run();
    } catch (error) {
      throw new TreeNotReadyError(
        `The tree "${name}" cannot train yet: ${part} (exercise ${exercise}): ${reason(error)}.\n` +
          `Finish exercise ${exercise} first: npm test -- ${exercise.slice(0, 2)}`,
      );
    }
  }
}

/** forward, then backward with a gradient of ones, on a tiny input. */
function roundTrip(layer: { forward(x: Tensor): Tensor; backward(d: Tensor): Tensor }, shape: number[]): void {
  const out = layer.forward(Tensor.full(shape, 0.5));
  layer.backward(Tensor.full(out.shape, 1));
}

/**
 * Loads a tree and checks it can train `model`. The engine is imported here,
 * not with this module (the runner and the playground's server name trees
 * without running one): every tree's gemm then runs on its kernels, and the
 * engine's tree also takes its layers.
 *
 * @throws TreeNotReadyError naming the first exercise to finish
 */
export function loadTree(tree: Tree, model: 'sheet' | 'lenet'): LoadedTree {
  const { name, dir } = tree;
  if (!fs.existsSync(path.join(dir, '06-classifier'))) {
    throw new TreeNotReadyError(`--tree ${name}: expected a folder laid out like exercises/ (with 06-classifier/), got ${dir}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the tree is chosen at run time
  const load = <T>(file: string): T => require(path.join(dir, file)) as T;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded when a network is
  const { engineKit } = require('../engine') as typeof import('../engine');
  const kit = tree.kind === 'engine' ? engineKit : {};
  let classifier: ClassifierModule | undefined;
  let lenet: LenetModule | undefined;
  tryParts(name, [
    [
      '00-prerequisites',
      'FC',
      () => roundTrip(new (load<typeof import('../exercises/00-prerequisites/fc')>('00-prerequisites/fc').FC)({ inFeatures: 3, outFeatures: 2 }), [2, 3]),
    ],
    ['00-prerequisites', 'ReLU', () => roundTrip(new (load<typeof import('../exercises/00-prerequisites/relu')>('00-prerequisites/relu').ReLU)(), [2, 3])],
    [
      '01-conv2d',
      'Conv2d',
      () =>
        roundTrip(
          new (load<typeof import('../exercises/01-conv2d/conv2d')>('01-conv2d/conv2d').Conv2d)({
            inChannels: 1,
            outChannels: 2,
            kernelSize: 3,
            padding: 1,
          }),
          [2, 1, 4, 4],
        ),
    ],
    [
      '03-max-pool2d',
      'MaxPool2D',
      () =>
        roundTrip(
          new (load<typeof import('../exercises/03-max-pool2d/max-pool2d')>('03-max-pool2d/max-pool2d').MaxPool2D)({ kernelSize: 2 }),
          [2, 1, 4, 4],
        ),
    ],
    ['05-flatten', 'Flatten', () => roundTrip(new (load<typeof import('../exercises/05-flatten/flatten')>('05-flatten/flatten').Flatten)(), [2, 1, 2, 2])],
    ['06-classifier', 'sheetNetwork', () => void (classifier = load<ClassifierModule>('06-classifier/classifier')).sheetNetwork()],
    [
      '06-classifier',
      'Scratch2dCNNClassifier',
      () => {
        const layers: LayerSpec[] = [
          { type: 'conv2d', outChannels: 2, kernelSize: 3, padding: 1 },
          { type: 'relu' },
          { type: 'maxpool2d', kernelSize: 2 },
          { type: 'flatten' },
          { type: 'fc', outFeatures: 2 },
        ];
        const clf = new classifier!.Scratch2dCNNClassifier({ layers, inputShape: [1, 4, 4], classes: 2, epochs: 1, batchSize: 2, kit });
        clf.fit(Tensor.full([2, 1, 4, 4], 0.5), [0, 1]);
        clf.predict(Tensor.full([1, 1, 4, 4], 0.5));
      },
    ],
    ...(model === 'lenet'
      ? [['07-lenet', 'lenet5', () => void (lenet = load<LenetModule>('07-lenet/lenet')).lenet5()] as [string, string, () => void]]
      : []),
  ]);
  return { tree, classifier: classifier!, kit, specs: model === 'lenet' ? lenet!.lenet5() : classifier!.sheetNetwork() };
}
