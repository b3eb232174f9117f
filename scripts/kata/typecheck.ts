/**
 * Type errors of one exercise: its test file (with the test helpers that
 * declare the custom matchers) compiled against the chosen tree. jest only
 * transpiles, so this is how type errors still reach the learner; it runs
 * in the same process while jest runs in its own.
 */
import path from 'node:path';
import ts from 'typescript';
import { listFiles, repoRoot } from '../manifest';

/** tsc-style lines (`exercises/05-flatten/flatten.ts(3,1): error TS...`), or '' when it type-checks. */
export function exerciseTypeErrors(testFile: string, tree: string): string {
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (): void => undefined };
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(repoRoot, 'tsconfig.json'), { noEmit: true }, host);
  if (!parsed) return '';
  const options = { ...parsed.options, paths: { '@kata/*': [`${tree.split(path.sep).join('/')}/*`] } };
  const helpers = listFiles(path.join(repoRoot, 'tests', 'helpers')).filter((f) => f.endsWith('.ts')).map((f) => path.join(repoRoot, 'tests', 'helpers', f));
  const program = ts.createProgram({ rootNames: [path.resolve(repoRoot, testFile), ...helpers], options });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => repoRoot,
    getNewLine: () => '\n',
  }).trim();
}
