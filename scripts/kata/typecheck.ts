/**
 * Type errors of one exercise: the files of its folder in the chosen tree
 * and the earlier exercises they import, checked without node's and the
 * test runner's type declarations, which keeps it to about a second.
 * Only errors in the tree are reported: lib/ is checked by verify (some
 * of it uses node's declarations, left out here).
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
  const folder = path.join(tree, exerciseId);
  const files = listFiles(folder)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(folder, f));
  const inTree = (d: ts.Diagnostic): boolean => d.file !== undefined && !path.relative(tree, d.file.fileName).startsWith('..');
  const check = (types: string[]): readonly ts.Diagnostic[] =>
    ts.getPreEmitDiagnostics(ts.createProgram({ rootNames: files, options: { ...parsed.options, types } })).filter(inTree);
  // Code that uses node itself (node:fs, process, console) needs node's declarations: check again with them.
  const needsNode = (d: ts.Diagnostic): boolean =>
    [2307, 2580, 2584, 2591].includes(d.code) && /node|process|require|Buffer|console/.test(ts.flattenDiagnosticMessageText(d.messageText, ' '));
  const first = check([]);
  const diagnostics = first.some(needsNode) ? check(['node']) : first;
  return ts
    .formatDiagnostics(diagnostics, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => repoRoot,
      getNewLine: () => '\n',
    })
    .trim();
}
