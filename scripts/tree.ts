/**
 * Which tree of exercises a command runs, and the layer kit it trains with.
 *
 *   (default)           the reference classifier (solutions/) with the engine's
 *                       fast layers where it has them: the quickest training
 *   --tree solutions    the readable reference alone, layers and classifier
 *   --tree exercises    the learner's own layers and classifier (exercises/)
 *   --tree PATH         any copy laid out like exercises/ (KATA_TREE likewise)
 *
 * Every tree's gemm runs on the engine's kernel (lib's `gemm` is the one speed
 * tool a learner is given), so a learner's network trains as fast as their
 * layers allow. Before any long work, `loadTree` tries every part a network
 * needs on a tiny input, in the manifest's order, and names the first
 * exercise that is not implemented yet or fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { engineKit } from '../engine';
import type { LayerKit } from '../lib/layer';
import type { LayerSpec } from '../lib/model-spec';
import { NotImplementedError } from '../lib/not-implemented';
import { Tensor } from '../lib/tensor';
import { resolveTree } from './kata/tree';

export const REPO_ROOT = path.resolve(__dirname, '..');

type ClassifierModule = typeof import('../solutions/06-classifier/classifier');
type LenetModule = typeof import('../solutions/07-lenet/lenet');

export interface KataTree {
  /** "engine+solutions", "solutions", "exercises" or the path given. */
  label: string;
  /** The folder holding NN-name/ subfolders. */
  root: string;
  classifier: ClassifierModule;
  /** The layer classes that replace the tree's own (the engine's, by default). */
  kit: Partial<LayerKit>;
  /** The network of the model asked for, from this tree (06's sheetNetwork or 07's lenet5). */
  specs: LayerSpec[];
}

/** A tree that cannot train: the message names the exercise to finish first. */
export class TreeNotReadyError extends Error {
  override name = 'TreeNotReadyError';
}

/** The folder a tree choice names (undefined: the default, the reference). */
export function treeRoot(choice: string | undefined): string {
  return choice === undefined || choice === '' ? path.join(REPO_ROOT, 'solutions') : resolveTree(choice);
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
function tryParts(label: string, trials: [exercise: string, part: string, run: () => void][]): void {
  for (const [exercise, part, run] of trials) {
    try {
      run();
    } catch (error) {
      throw new TreeNotReadyError(
        `The tree "${label}" cannot train yet: ${part} (exercise ${exercise}): ${reason(error)}.\n` +
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
 * Loads a tree and checks it can train `model`. The default (no choice)
 * is the reference classifier with the engine's layers.
 *
 * @throws TreeNotReadyError naming the first exercise to finish
 */
export function loadTree(choice: string | undefined, model: 'sheet' | 'lenet'): KataTree {
  const root = treeRoot(choice);
  const label = choice === undefined || choice === '' ? 'engine+solutions' : choice;
  if (!fs.existsSync(path.join(root, '06-classifier'))) {
    throw new TreeNotReadyError(`--tree ${label}: expected a folder laid out like exercises/ (with 06-classifier/), got ${root}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the tree is chosen at run time
  const load = <T>(file: string): T => require(path.join(root, file)) as T;
  const kit = choice === undefined || choice === '' ? engineKit : {};
  let classifier: ClassifierModule | undefined;
  let lenet: LenetModule | undefined;
  tryParts(label, [
    [
      '00-prerequisites',
      'FC',
      () => roundTrip(new (load<typeof import('../solutions/00-prerequisites/fc')>('00-prerequisites/fc').FC)({ inFeatures: 3, outFeatures: 2 }), [2, 3]),
    ],
    ['00-prerequisites', 'ReLU', () => roundTrip(new (load<typeof import('../solutions/00-prerequisites/relu')>('00-prerequisites/relu').ReLU)(), [2, 3])],
    [
      '01-conv2d',
      'Conv2d',
      () =>
        roundTrip(
          new (load<typeof import('../solutions/01-conv2d/conv2d')>('01-conv2d/conv2d').Conv2d)({
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
          new (load<typeof import('../solutions/03-max-pool2d/max-pool2d')>('03-max-pool2d/max-pool2d').MaxPool2D)({ kernelSize: 2 }),
          [2, 1, 4, 4],
        ),
    ],
    ['05-flatten', 'Flatten', () => roundTrip(new (load<typeof import('../solutions/05-flatten/flatten')>('05-flatten/flatten').Flatten)(), [2, 1, 2, 2])],
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
  return {
    label,
    root,
    classifier: classifier!,
    kit,
    specs: model === 'lenet' ? lenet!.lenet5() : classifier!.sheetNetwork(),
  };
}
