/**
 * The tier rules (which folder may import which), checked by `npm run verify`
 * over every file of every tier: imports, re-exports, require and import(),
 * read with the TypeScript compiler's own pre-processor. The rules are data,
 * scripts/tiers.json; scripts/tiers.cjs reads them for this check and for
 * ESLint alike (eslint.config.mjs), and CONTRIBUTING.md draws them.
 *
 * So a learner's code and the reference read like the maths with lib as
 * their only toolkit, lib never hands out an exercise's answer, the engine
 * never depends on either tree, and the tools' folders keep their direction
 * (the playground never reaches into the runner, the runner and the grader
 * never run the engine or the reference themselves).
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { tiers, tierViolation } from './tiers.cjs';

/** One broken rule: the file, its line and what it imports. */
export interface BoundaryViolation {
  file: string;
  line: number;
  specifier: string;
  rule: string;
}

/** The source files under `dir` (installed packages left out). */
function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .filter((file) => /\.(ts|cts|mts|js|cjs|mjs)$/.test(file) && !file.split(path.sep).includes('node_modules') && fs.statSync(file).isFile());
}

/** Every import that breaks a rule, under `root` (the repository). */
export function checkBoundaries(root: string): BoundaryViolation[] {
  const violations: BoundaryViolation[] = [];
  const tops = [...new Set(tiers.map((t) => t.folder.split('/')[0]))];
  for (const file of tops.flatMap((top) => sourceFiles(path.join(root, top)))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const imported of ts.preProcessFile(text, true, true).importedFiles) {
      const rule = tierViolation(root, file, imported.fileName);
      if (rule === null) continue;
      const line = text.slice(0, imported.pos).split('\n').length;
      violations.push({ file: path.relative(root, file).split(path.sep).join('/'), line, specifier: imported.fileName, rule });
    }
  }
  return violations;
}

/** "solutions/01-conv2d/conv2d.ts:12 imports '../../engine/x': solutions/ imports only ..." */
export function formatViolation(v: BoundaryViolation): string {
  return `${v.file}:${v.line} imports '${v.specifier}': ${v.rule}`;
}
