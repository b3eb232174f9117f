/**
 * Which tree of exercises the tests and the runner use: KATA_TREE, read as
 * jest.config.ts reads it (exercises/ by default, solutions/, or any copy
 * laid out like exercises/), with absolute paths.
 */
import path from 'node:path';
import { kataTreeFolder } from '../../jest.config';

const root = path.resolve(__dirname, '..', '..');

export function resolveTree(value = process.env.KATA_TREE): string {
  return kataTreeFolder(value, root);
}

/** How to name the tree to a person: `exercises/`, `solutions/` or the path. */
export function treeLabel(tree: string): string {
  const rel = path.relative(root, tree);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? `${rel}/` : `${tree}/`;
}
