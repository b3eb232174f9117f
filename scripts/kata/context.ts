/** What every kata command needs: the manifest, the learner's tree, colour. */
import { Exercise, loadManifest, Manifest } from '../manifest';
import { colour, Colour } from '../ui/colour';
import { treeFolderText, treeFromEnvironment } from '../trees';

export interface KataContext {
  manifest: Manifest;
  /** Absolute path of the learner's tree (exercises/ unless KATA_TREE says otherwise). */
  tree: string;
  /** `exercises/` or the path, for messages. */
  treeName: string;
  colour: Colour;
  say: (line?: string) => void;
}

export function makeContext(): KataContext {
  const tree = treeFromEnvironment('tests');
  return { manifest: loadManifest(), tree: tree.dir, treeName: treeFolderText(tree), colour, say: (line = '') => console.log(line) };
}

/** `01` for `01-conv2d`: what the learner types. */
export const short = (e: Exercise): string => e.id.slice(0, 2);
