/**
 * Type errors of one exercise: the files of its folder in the chosen tree
 * (and what they import: lib/, earlier exercises), without the test
 * runner's and node's type declarations, which keeps it to about a second.
 * jest only transpiles, so this is how type errors still reach the
 * learner; it runs in this process while jest runs in its own. The tests
 * themselves are type-checked by verify (tsc on the whole repository).
 */
import path from 'node:path';
import ts from 'typescript';
import { listFiles, repoRoot } from '../manifest';

/** tsc-style lines (`exercises/05-flatten/flatten.ts(3,1): error TS...`), or '' when it type-checks. */
export function exerciseTypeErrors(exerciseId: string, tree: string): string {
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (): void => undefined };
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(repoRoot, 'tsconfig.json'), { noEmit: true }, host);
  if (!parsed) return '';
  const options = { ...parsed.options, types: [] };
  const folder = path.join(tree, exerciseId);
  const files = listFiles(folder).filter((f) => f.endsWith('.ts')).map((f) => path.join(folder, f));
  const program = ts.createProgram({ rootNames: files, options });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => repoRoot,
    getNewLine: () => '\n',
  }).trim();
}
