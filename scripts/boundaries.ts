/**
 * The import rules of the two tiers, checked by `npm run verify`:
 *
 *   exercises/NN-x, solutions/NN-x   lib/ and exercises up to NN of the same tree
 *   lib/                             lib/ and Node's own modules (node:fs, ...)
 *   engine/                          engine/, lib/ and Node's own modules
 *
 * So a learner's code and the reference read like the maths with lib as
 * their only toolkit, lib never hands out an exercise's answer, and the
 * engine never depends on either tree. Imports are read with the TypeScript
 * compiler's own pre-processor (imports, re-exports, require and import()).
 */
import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';
import ts from 'typescript';

/** One broken rule: the file, its line and what it imports. */
export interface BoundaryViolation {
  file: string;
  line: number;
  specifier: string;
  rule: string;
}

const NODE_MODULES = new Set(builtinModules);
const isNodeBuiltin = (spec: string): boolean => spec.startsWith('node:') || NODE_MODULES.has(spec);

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|cts|mts|js|cjs|mjs)$/.test(e.name))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

/** The exercise number NN of a path under a tree, or null. */
function exerciseOf(relative: string): number | null {
  const match = /^(\d{2})-/.exec(relative.split(path.sep)[0]);
  return match ? Number(match[1]) : null;
}

/** Why `target` (absolute, resolved) may not be imported from `file` in `area`, or null when it may. */
function broken(root: string, area: string, file: string, spec: string): string | null {
  const inside = (folder: string, p: string): boolean => !path.relative(path.join(root, folder), p).startsWith('..');
  if (!spec.startsWith('.')) {
    if (isNodeBuiltin(spec))
      return area === 'exercises' || area === 'solutions' ? `${area}/ imports only lib/ and earlier exercises, not Node's modules` : null;
    return `${area}/ imports no packages`;
  }
  const target = path.resolve(path.dirname(file), spec);
  if (inside('lib', target)) return null;
  if (area === 'lib') return 'lib/ imports only lib/';
  if (area === 'engine') return inside('engine', target) ? null : 'engine/ imports only engine/ and lib/';
  if (!inside(area, target)) return `${area}/ imports only lib/ and exercises of its own tree`;
  const from = exerciseOf(path.relative(path.join(root, area), file));
  const to = exerciseOf(path.relative(path.join(root, area), target));
  if (from === null || to === null || to > from) return `${area}/ imports only lib/ and earlier exercises`;
  return null;
}

/** Every import that breaks a rule, under `root` (the repository). */
export function checkBoundaries(root: string): BoundaryViolation[] {
  const violations: BoundaryViolation[] = [];
  for (const area of ['exercises', 'solutions', 'lib', 'engine']) {
    for (const file of sourceFiles(path.join(root, area))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const imported of ts.preProcessFile(text, true, true).importedFiles) {
        const rule = broken(root, area, file, imported.fileName);
        if (rule === null) continue;
        const line = text.slice(0, imported.pos).split('\n').length;
        violations.push({ file: path.relative(root, file), line, specifier: imported.fileName, rule });
      }
    }
  }
  return violations;
}

/** "solutions/01-conv2d/conv2d.ts:12 imports '../../engine/x': solutions/ imports only ..." */
export function formatViolation(v: BoundaryViolation): string {
  return `${v.file}:${v.line} imports '${v.specifier}': ${v.rule}`;
}
