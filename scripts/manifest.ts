/**
 * The exercise manifest (scripts/manifest.json) as typed data, and the lint
 * that keeps the repository consistent with it. verify, kata, grade and
 * compare read the exercises only through `loadManifest`.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './trees';

/** The repository root (scripts/trees.ts says where it is). */
export const repoRoot = REPO_ROOT;

export type Scoring = 'per-test' | 'all-or-nothing';

export interface Hint {
  en: string;
  ja: string;
}

/** A named part of an exercise: the tests whose full name starts with one of `tests`. */
export interface Part {
  name: string;
  title: { en: string; ja: string };
  /** Prefixes of test names (describe blocks joined with ' > '). */
  tests: string[];
  /** The file of the exercise where this part is written. */
  file: string;
  /** The formula to look at, one line. */
  formula: string;
  /** Hints for this part, shown before the exercise's own. */
  hints?: Hint[];
  /**
   * The later exercise that first needs this part (`06-classifier`). Such
   * parts come last; once the others pass, kata says the learner may go on
   * and come back to them before that exercise.
   */
  neededBy?: string;
}

/** A mistake `kata check` recognises (scripts/kata/mistakes.ts holds the detector of each id). */
export interface Mistake {
  id: string;
  /** The part whose tests it makes fail. */
  part: string;
  /** One sentence that names the mistake and the formula. */
  en: string;
  ja: string;
}

export interface Exercise {
  /** `NN-name`, also the folder name in exercises/ and solutions/. */
  id: string;
  title: { en: string; ja: string };
  /** Test file, relative to the repository root. */
  test: string;
  points: number;
  scoring: Scoring;
  timeLimitSeconds: number;
  hints: Hint[];
  /** In learning order; tests matching no part count as a last part "other". */
  parts: Part[];
  mistakes: Mistake[];
}

export interface Manifest {
  exercises: Exercise[];
}

export const defaultManifestPath = path.join(repoRoot, 'scripts', 'manifest.json');

/** Reads and shape-checks the manifest. Throws with the field at fault when the JSON is malformed. */
export function loadManifest(file = defaultManifestPath): Manifest {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as { exercises?: unknown };
  if (!Array.isArray(raw.exercises)) throw new Error(`${file}: expected an "exercises" array`);
  const exercises = raw.exercises.map((entry: unknown, i: number): Exercise => {
    const e = entry as Record<string, unknown>;
    const where = `${file}: exercises[${i}]${typeof e.id === 'string' ? ` (${e.id})` : ''}`;
    const need = (cond: boolean, what: string): void => {
      if (!cond) throw new Error(`${where}: ${what}`);
    };
    need(typeof e.id === 'string', 'id must be a string');
    const title = e.title as Record<string, unknown> | undefined;
    need(typeof title?.en === 'string' && typeof title?.ja === 'string', 'title must have en and ja strings');
    need(typeof e.test === 'string', 'test must be a string');
    need(typeof e.points === 'number', 'points must be a number');
    need(e.scoring === 'per-test' || e.scoring === 'all-or-nothing', `scoring must be "per-test" or "all-or-nothing", got ${JSON.stringify(e.scoring)}`);
    need(typeof e.timeLimitSeconds === 'number', 'timeLimitSeconds must be a number');
    need(Array.isArray(e.hints), 'hints must be an array');
    need(e.parts === undefined || Array.isArray(e.parts), 'parts must be an array');
    need(e.mistakes === undefined || Array.isArray(e.mistakes), 'mistakes must be an array');
    ((e.parts ?? []) as Record<string, unknown>[]).forEach((p, j) => {
      const ok =
        typeof p.name === 'string' &&
        typeof p.file === 'string' &&
        typeof p.formula === 'string' &&
        Array.isArray(p.tests) &&
        p.tests.every((t) => typeof t === 'string') &&
        typeof (p.title as Record<string, unknown> | undefined)?.en === 'string' &&
        typeof (p.title as Record<string, unknown>).ja === 'string';
      need(ok, `parts[${j}] needs name, title {en, ja}, tests (strings), file and formula`);
      need(p.neededBy === undefined || typeof p.neededBy === 'string', `parts[${j}] neededBy must be an exercise id (a string)`);
    });
    ((e.mistakes ?? []) as Record<string, unknown>[]).forEach((m, j) => {
      need(
        ['id', 'part', 'en', 'ja'].every((k) => typeof m[k] === 'string'),
        `mistakes[${j}] needs id, part, en and ja strings`,
      );
    });
    return { ...e, parts: e.parts ?? [], mistakes: e.mistakes ?? [] } as unknown as Exercise;
  });
  return { exercises };
}

/** The two-digit number of an exercise (`'01-conv2d'` -> 1), or NaN. */
export function exerciseNumber(id: string): number {
  const m = /^(\d+)-/.exec(id);
  return m ? Number(m[1]) : NaN;
}

/**
 * Finds an exercise from what a person types: `01`, `1`, `01-conv2d`,
 * `conv2d`, or a path such as `exercises/01-conv2d/`. Throws a message that
 * lists the valid ids when nothing (or more than one) matches.
 */
export function findExercise(manifest: Manifest, arg: string): Exercise {
  const text = arg.trim().replace(/[\\/]+$/, '');
  const base = path.basename(text).replace(/\.test\.ts$/, '');
  const byId = manifest.exercises.find((e) => e.id === base);
  if (byId) return byId;
  let matches: Exercise[] = [];
  if (/^\d+$/.test(base)) {
    matches = manifest.exercises.filter((e) => exerciseNumber(e.id) === Number(base));
  } else if (base.length > 0) {
    const lower = base.toLowerCase();
    matches = manifest.exercises.filter((e) => e.id.slice(e.id.indexOf('-') + 1) === lower);
    if (matches.length === 0) matches = manifest.exercises.filter((e) => e.id.includes(lower));
  }
  if (matches.length === 1) return matches[0];
  const list = manifest.exercises.map((e) => e.id).join(', ');
  if (matches.length > 1) {
    throw new Error(`"${arg}" matches several exercises (${matches.map((e) => e.id).join(', ')}); give the number, e.g. ${matches[0].id.slice(0, 2)}`);
  }
  throw new Error(`no exercise matches "${arg}". Use a number (01), a name (conv2d) or an id; the exercises are: ${list}`);
}

// ---------------------------------------------------------------------------
// Exports of a TypeScript file, read with the compiler's parser.

/** The exported names of a TypeScript source text (`default` for a default export, `* from 'x'` for re-exports). */
export function exportedNames(source: string, fileName = 'file.ts'): string[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const names = new Set<string>();
  const hasModifier = (node: ts.Node, kind: ts.SyntaxKind): boolean =>
    ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
  const addBinding = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) addBinding(el.name);
  };
  for (const st of sf.statements) {
    if (ts.isExportAssignment(st)) {
      names.add('default');
    } else if (ts.isExportDeclaration(st)) {
      if (!st.exportClause) {
        names.add(`* from ${st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : '?'}`);
      } else if (ts.isNamespaceExport(st.exportClause)) {
        names.add(st.exportClause.name.text);
      } else {
        for (const el of st.exportClause.elements) names.add(el.name.text);
      }
    } else if (hasModifier(st, ts.SyntaxKind.ExportKeyword)) {
      if (hasModifier(st, ts.SyntaxKind.DefaultKeyword)) {
        names.add('default');
      } else if (ts.isVariableStatement(st)) {
        for (const decl of st.declarationList.declarations) addBinding(decl.name);
      } else if (
        (ts.isFunctionDeclaration(st) ||
          ts.isClassDeclaration(st) ||
          ts.isInterfaceDeclaration(st) ||
          ts.isTypeAliasDeclaration(st) ||
          ts.isEnumDeclaration(st) ||
          ts.isModuleDeclaration(st)) &&
        st.name
      ) {
        names.add(st.name.text);
      }
    }
  }
  return [...names].sort();
}

// ---------------------------------------------------------------------------
// Lint

export interface LintOptions {
  /** Repository root holding exercises/, solutions/, tests/ (default: this repository). */
  root?: string;
  manifest?: Manifest;
}

/** Files of a folder (recursively, relative, sorted), ignoring editor and OS litter. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      if (entry.name === '.DS_Store' || entry.name.endsWith('~') || entry.name.endsWith('.swp')) continue;
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  if (fs.existsSync(dir)) walk('');
  return out.sort();
}

const isDir = (p: string): boolean => fs.existsSync(p) && fs.statSync(p).isDirectory();

/**
 * Checks the manifest against the tree and the two trees against each other.
 * Returns one readable message per problem (empty when everything holds).
 */
export function lint(options: LintOptions = {}): string[] {
  const root = options.root ?? repoRoot;
  const manifest = options.manifest ?? loadManifest(path.join(root, 'scripts', 'manifest.json'));
  const errors: string[] = [];
  const seenIds = new Set<string>();
  const seenNumbers = new Map<number, string>();

  for (const e of manifest.exercises) {
    const at = `manifest ${e.id}`;
    if (seenIds.has(e.id)) errors.push(`${at}: duplicate id`);
    seenIds.add(e.id);
    if (!/^\d{2}-[a-z0-9]+(-[a-z0-9]+)*$/.test(e.id)) {
      errors.push(`${at}: id must look like NN-name (two digits, a dash, lower-case words joined by dashes)`);
    } else {
      const n = exerciseNumber(e.id);
      const other = seenNumbers.get(n);
      if (other !== undefined) errors.push(`${at}: number ${e.id.slice(0, 2)} is already used by ${other}`);
      seenNumbers.set(n, e.id);
    }
    if (!e.title.en.trim() || !e.title.ja.trim()) errors.push(`${at}: title needs both en and ja`);
    if (!fs.existsSync(path.join(root, e.test))) errors.push(`${at}: test file ${e.test} does not exist`);
    if (!(e.points > 0)) errors.push(`${at}: points must be > 0, got ${e.points}`);
    if (!(e.timeLimitSeconds > 0)) errors.push(`${at}: timeLimitSeconds must be > 0, got ${e.timeLimitSeconds}`);
    if (e.hints.length === 0 && !e.parts.some((p) => (p.hints ?? []).length > 0))
      errors.push(`${at}: needs at least one hint (of the exercise or of a part)`);
    const allHints = [
      ...e.hints.map((h, i) => [`hint ${i + 1}`, h] as const),
      ...e.parts.flatMap((p) => (p.hints ?? []).map((h, i) => [`part ${p.name} hint ${i + 1}`, h] as const)),
    ];
    for (const [label, h] of allHints) {
      if (typeof h.en !== 'string' || !h.en.trim()) errors.push(`${at}: ${label} has no English text`);
      if (typeof h.ja !== 'string' || !h.ja.trim()) errors.push(`${at}: ${label} has no Japanese text`);
    }
    errors.push(...lintParts(root, e));
    errors.push(...lintNeededBy(manifest, e));
    errors.push(...lintExerciseFolders(root, e.id));
  }
  const numbers = [...seenNumbers.keys()];
  if (numbers.some((n, i) => i > 0 && n <= numbers[i - 1])) errors.push('manifest: exercises are not listed in increasing number order');

  // Folders and test files that the manifest does not know.
  for (const tree of ['exercises', 'solutions']) {
    const dir = path.join(root, tree);
    if (!isDir(dir)) {
      errors.push(`${tree}/ does not exist`);
      continue;
    }
    for (const entry of fs.readdirSync(dir)) {
      if (!seenIds.has(entry)) errors.push(`${tree}/${entry}: not an exercise in the manifest`);
    }
  }
  const testsDir = path.join(root, 'tests');
  const listed = new Set(manifest.exercises.map((e) => path.normalize(e.test)));
  if (isDir(testsDir)) {
    for (const entry of fs.readdirSync(testsDir)) {
      const rel = path.normalize(`tests/${entry}`);
      if (/^\d{2}-.*\.test\.ts$/.test(entry) && !listed.has(rel)) errors.push(`${rel}: exercise test not listed in the manifest`);
    }
  }
  return errors;
}

/** Parts name existing files and describe texts of the test file; mistakes name a part. */
export function lintParts(root: string, e: Exercise): string[] {
  const errors: string[] = [];
  const at = `manifest ${e.id}`;
  const testFile = path.join(root, e.test);
  const testText = fs.existsSync(testFile) ? fs.readFileSync(testFile, 'utf8') : '';
  const names = new Set<string>();
  for (const p of e.parts) {
    if (names.has(p.name)) errors.push(`${at}: part "${p.name}" is listed twice`);
    names.add(p.name);
    if (!fs.existsSync(path.join(root, 'exercises', e.id, p.file)))
      errors.push(`${at}: part "${p.name}" names ${p.file}, which is not in exercises/${e.id}/`);
    // The first segment of a prefix is a describe title: it must be in the test file.
    for (const prefix of p.tests) {
      const title = prefix.split(' > ')[0];
      if (testText && !testText.includes(title.replace(/'/g, "\\'")) && !testText.includes(title)) {
        errors.push(`${at}: part "${p.name}" expects tests named "${prefix}...", not found in ${e.test}`);
      }
    }
  }
  const ids = new Set<string>();
  for (const m of e.mistakes) {
    if (ids.has(m.id)) errors.push(`${at}: mistake "${m.id}" is listed twice`);
    ids.add(m.id);
    if (!names.has(m.part)) errors.push(`${at}: mistake "${m.id}" names part "${m.part}", which the exercise does not have`);
  }
  return errors;
}

/**
 * A part's neededBy names a later exercise of the manifest, and such parts
 * come after every part the exercise needs now (so "the first parts" of an
 * exercise are those before them).
 */
export function lintNeededBy(manifest: Manifest, e: Exercise): string[] {
  const errors: string[] = [];
  const at = `manifest ${e.id}`;
  let deferred: string | undefined;
  for (const p of e.parts) {
    if (p.neededBy === undefined) {
      if (deferred) errors.push(`${at}: part "${p.name}" comes after part "${deferred}", which has neededBy; parts with neededBy come last`);
      continue;
    }
    deferred ??= p.name;
    const later = manifest.exercises.find((x) => x.id === p.neededBy);
    if (!later) errors.push(`${at}: part "${p.name}" has neededBy "${p.neededBy}", which is not an exercise of the manifest`);
    else if (!(exerciseNumber(later.id) > exerciseNumber(e.id)))
      errors.push(`${at}: part "${p.name}" has neededBy "${p.neededBy}", which is not after ${e.id}`);
  }
  if (deferred && e.parts.every((p) => p.neededBy !== undefined)) errors.push(`${at}: every part has neededBy; at least the first part is needed now`);
  return errors;
}

/** Same files in exercises/<id> and solutions/<id>, a README in both (identical), and the same exports per file. */
export function lintExerciseFolders(root: string, id: string): string[] {
  const errors: string[] = [];
  const stubDir = path.join(root, 'exercises', id);
  const solDir = path.join(root, 'solutions', id);
  const missing = [stubDir, solDir].filter((d) => !isDir(d)).map((d) => path.relative(root, d));
  if (missing.length > 0) return [`${id}: folder ${missing.join(' and ')} does not exist`];

  const stubFiles = listFiles(stubDir);
  const solFiles = listFiles(solDir);
  for (const f of stubFiles) if (!solFiles.includes(f)) errors.push(`${id}: exercises/${id}/${f} has no counterpart in solutions/${id}/`);
  for (const f of solFiles) if (!stubFiles.includes(f)) errors.push(`${id}: solutions/${id}/${f} has no counterpart in exercises/${id}/`);
  for (const [tree, files] of [
    ['exercises', stubFiles],
    ['solutions', solFiles],
  ] as const) {
    if (!files.includes('README.md')) errors.push(`${id}: ${tree}/${id}/README.md is missing`);
  }
  if (stubFiles.includes('README.md') && solFiles.includes('README.md')) {
    const a = fs.readFileSync(path.join(stubDir, 'README.md'), 'utf8');
    const b = fs.readFileSync(path.join(solDir, 'README.md'), 'utf8');
    if (a !== b) errors.push(`${id}: README.md differs between exercises/ and solutions/ (they must be identical)`);
  }
  for (const f of stubFiles.filter((name) => name.endsWith('.ts') && solFiles.includes(name))) {
    const stub = exportedNames(fs.readFileSync(path.join(stubDir, f), 'utf8'), f);
    const sol = exportedNames(fs.readFileSync(path.join(solDir, f), 'utf8'), f);
    const onlyStub = stub.filter((n) => !sol.includes(n));
    const onlySol = sol.filter((n) => !stub.includes(n));
    if (onlyStub.length > 0) errors.push(`${id}/${f}: exported by the stub but not by the solution: ${onlyStub.join(', ')}`);
    if (onlySol.length > 0) errors.push(`${id}/${f}: exported by the solution but not by the stub: ${onlySol.join(', ')}`);
  }
  return errors;
}

if (require.main === module) {
  const errors = lint();
  for (const e of errors) console.log(`lint: ${e}`);
  console.log(errors.length === 0 ? 'lint: the manifest and both trees agree' : `lint: ${errors.length} problem(s)`);
  process.exitCode = errors.length === 0 ? 0 : 1;
}
