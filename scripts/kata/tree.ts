/**
 * Which tree of exercises the tests and the runner use.
 *   KATA_TREE unset        -> exercises/ (what the learner edits)
 *   KATA_TREE=solutions    -> solutions/ (the reference)
 *   KATA_TREE=/some/path   -> any copy laid out like exercises/ (a student's, for grading)
 */
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

export function resolveTree(value = process.env.KATA_TREE): string {
  if (!value || value === 'exercises') return path.join(root, 'exercises');
  if (value === 'solutions') return path.join(root, 'solutions');
  return path.resolve(value);
}

/** How to name the tree to a person: `exercises/`, `solutions/` or the path. */
export function treeLabel(tree: string): string {
  const rel = path.relative(root, tree);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? `${rel}/` : `${tree}/`;
}
