/**
 * A submission's throw-away workspace: copies (never links) of the
 * submission, the graded tests and their helpers, lib/ and the configuration.
 *
 *   <ws>/exercises       the submission's exercise folders
 *   <ws>/lib, engine/    copies of this repository's (engine/ when it exists)
 *   <ws>/tests           the graded test files and tests/helpers
 *   <ws>/grading         the guard (setup file) and the verdict reporter
 *   <ws>/jest.config.json, tsconfig.json, types.tsconfig.json
 *   <ws>/run             empty: where each run's own writable folder is mounted
 * Inside the sandbox the workspace is mounted read-only at /grade, and
 * node_modules is mounted beside it.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { Exercise, repoRoot } from '../manifest';
import { kindOf, readBounded } from './files';
import { detectSandbox, SANDBOX_ROOT } from './sandbox';

export interface Workspace {
  /** The submission's name as given (its folder name). */
  name: string;
  /** Short, safe folder name (s001, ...). */
  slot: string;
  dir: string;
  /** Set when the submission could not be copied: why. */
  refused: string | null;
  /** The folder the submission's own process sees (its code as JavaScript, its own lib/, the host); null with --in-process. */
  realm: string | null;
}

const SKIPPED = new Set(['node_modules', '.git']);
/** Generous bounds for a copy of exercises/: a larger submission is refused, not copied. */
const MAX_FILES = 2000;
const MAX_BYTES = 20 * 1024 * 1024;

/** Thrown for a submission that cannot be copied safely; the message says why. */
export class RefusedSubmission extends Error {}

/** The folder holding the exercise folders: the submission itself, or its exercises/ when it is a whole repository. */
export function exerciseRoot(submission: string): string {
  const hasExerciseFolders = fs.readdirSync(submission).some((e) => /^\d{2}-/.test(e));
  const nested = path.join(submission, 'exercises');
  return !hasExerciseFolders && fs.lstatSync(nested, { throwIfNoEntry: false })?.isDirectory() ? nested : submission;
}

/**
 * Copies regular files and folders only. A symbolic link, FIFO, socket or
 * device anywhere in the submission refuses it (named, with its path), before
 * anything is read through it.
 */
export function copySubmission(from: string, to: string): void {
  let files = 0;
  let bytes = 0;
  const walk = (src: string, dest: string, rel: string): void => {
    fs.mkdirSync(dest, { recursive: true });
    for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
      if (SKIPPED.has(entry.name)) continue;
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      const s = path.join(src, entry.name);
      const stat = fs.lstatSync(s);
      if (stat.isSymbolicLink()) throw new RefusedSubmission(`${relPath} is a symbolic link (only regular files and folders are accepted)`);
      if (stat.isDirectory()) walk(s, path.join(dest, entry.name), relPath);
      else if (stat.isFile()) {
        files += 1;
        bytes += stat.size;
        if (files > MAX_FILES || bytes > MAX_BYTES) throw new RefusedSubmission(`more than ${MAX_FILES} files or ${MAX_BYTES / 1024 / 1024} MB`);
        // O_NOFOLLOW and O_NONBLOCK: a file swapped since lstat for a link or a FIFO neither follows nor blocks;
        // fstat then says what was really opened.
        const r = readBounded(s, MAX_BYTES);
        if (!r.ok) throw new RefusedSubmission(`${relPath} is ${r.why} (only regular files and folders are accepted)`);
        fs.writeFileSync(path.join(dest, entry.name), r.bytes);
      } else {
        const kind = stat.isFIFO() ? 'a FIFO' : stat.isSocket() ? 'a socket' : 'a device file';
        throw new RefusedSubmission(`${relPath} is ${kind} (only regular files and folders are accepted)`);
      }
    }
  };
  const root = fs.lstatSync(from);
  if (!root.isDirectory()) throw new RefusedSubmission(`not a folder`);
  walk(from, to, '');
}

function copyFromRepo(ws: string, rel: string): void {
  const src = path.join(repoRoot, rel);
  if (fs.existsSync(src)) fs.cpSync(src, path.join(ws, rel), { recursive: true, dereference: true });
}

/** The jest configuration of a workspace, with paths as seen inside the sandbox; `realm`: @kata/* are proxies to the submission's process. */
export function jestConfig(root: string, realm = false): Record<string, unknown> {
  return {
    rootDir: root,
    roots: [`${root}/tests`],
    testEnvironment: 'node',
    testMatch: ['**/*.test.ts'],
    // The repository's own transform (types stripped by esbuild, built-ins bound per module).
    transform: { '^.+\\.ts$': `${root}/tests/helpers/esbuild-transform.cjs` },
    moduleNameMapper: { '^@kata/(.*)$': realm ? `${root}/grading/proxies/$1.js` : `${root}/exercises/$1` },
    setupFilesAfterEnv: [`${root}/tests/helpers/setup.ts`, `${root}/grading/guard.ts`],
    reporters: [`${root}/grading/reporter.js`],
    watchman: false,
    testTimeout: 120_000,
  };
}

/** Why a submission's own path cannot be graded (a link, a file, missing), or null when it is a folder. */
export function submissionPathProblem(submission: string): string | null {
  const stat = fs.lstatSync(submission, { throwIfNoEntry: false });
  if (!stat) return 'the submission folder does not exist';
  if (stat.isSymbolicLink()) return 'the submission is a symbolic link, not a folder (give the folder itself)';
  if (!stat.isDirectory()) return `the submission is ${stat.isFile() ? 'a file' : kindOf(stat)}, not a folder`;
  return null;
}

/**
 * Builds a workspace; a submission that cannot be copied gets a workspace
 * with `refused` set and no exercises.
 */
export function prepareWorkspace(
  root: string,
  slot: string,
  name: string,
  submission: string,
  exercises: Exercise[],
  realm = false,
  typesAll = false,
): Workspace {
  const dir = path.join(root, slot);
  fs.mkdirSync(path.join(dir, 'run'), { recursive: true });
  let refused: string | null = submissionPathProblem(submission);
  try {
    if (!refused) copySubmission(exerciseRoot(submission), path.join(dir, 'exercises'));
  } catch (err) {
    if (!(err instanceof RefusedSubmission) && !(err instanceof Error && 'code' in err)) throw err;
    refused = err.message;
    fs.rmSync(path.join(dir, 'exercises'), { recursive: true, force: true });
  }
  for (const rel of ['lib', 'engine', 'tests/helpers', 'tsconfig.json']) copyFromRepo(dir, rel);
  for (const e of exercises) fs.copyFileSync(path.join(repoRoot, e.test), path.join(dir, e.test));
  fs.mkdirSync(path.join(dir, 'grading'));
  for (const f of ['guard.ts', 'frozen.ts', 'reporter.js']) fs.copyFileSync(path.join(__dirname, f), path.join(dir, 'grading', f));
  // Without bubblewrap nothing is mounted: the configuration names the real folders.
  const inside = detectSandbox().bubblewrap ? SANDBOX_ROOT : dir;
  // With bubblewrap, node_modules is mounted read-only on this empty folder.
  if (detectSandbox().bubblewrap) fs.mkdirSync(path.join(dir, 'node_modules'));
  else fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  fs.writeFileSync(path.join(dir, 'jest.config.json'), JSON.stringify(jestConfig(inside, realm), null, 2));
  if (realm) {
    for (const f of ['realm-client.js', 'realm-bridge.js']) fs.copyFileSync(path.join(__dirname, f), path.join(dir, 'grading', f));
    writeProxies(path.join(dir, 'grading', 'proxies'));
  }
  fs.writeFileSync(
    path.join(dir, 'types.tsconfig.json'),
    JSON.stringify(
      {
        extends: './tsconfig.json',
        // The type check reads every workspace of the class in one process, with
        // one node_modules beside them (see typeCheckAll in grade.ts).
        compilerOptions: { baseUrl: '.', paths: { '@kata/*': ['exercises/*'] }, noEmit: true, typeRoots: ['../node_modules/@types'] },
        // The graded exercises (TypeScript follows their imports) and every file
        // outside an exercise folder; ungraded exercises cannot change a grade
        // (with --types-all they are checked too, their errors counting for nothing).
        include: typesAll ? ['exercises', 'tests'] : [...exercises.map((e) => `exercises/${e.id}`), 'exercises/*.ts', 'tests'],
        exclude: [],
      },
      null,
      2,
    ),
  );
  return { name, slot, dir, refused, realm: realm && !refused ? prepareRealm(dir) : null };
}

// ---------------------------------------------------------------------------
// Separate realms (the default; --in-process leaves them out)

/** Every TypeScript file under `from`, transpiled (no type check) to CommonJS under `to`; other files are left out. */
function transpileTree(from: string, to: string): void {
  if (!fs.existsSync(from)) return;
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    if (entry.isDirectory()) transpileTree(src, path.join(to, entry.name));
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      let js: string;
      try {
        js = ts.transpileModule(fs.readFileSync(src, 'utf8'), {
          // With its source map inline, an error names the submission's own .ts line (node --enable-source-maps).
          compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, inlineSourceMap: true },
          fileName: entry.name,
        }).outputText;
      } catch (err) {
        // A file the transpiler cannot read (nested too deep for its stack) fails where it is imported, not the grader.
        js = `throw new Error(${JSON.stringify(`${entry.name} could not be turned into JavaScript: ${(err as Error).message}`)});\n`;
      }
      fs.mkdirSync(to, { recursive: true });
      fs.writeFileSync(path.join(to, entry.name.replace(/\.ts$/, '.js')), js);
    }
  }
}

/**
 * The folder of the submission's own process: its exercises and a copy of
 * lib/, as JavaScript (only .ts files: a .js, .jsx or .node file of the
 * submission is not there to load), and the host that answers the tests.
 * No tests, helpers, oracles or test framework.
 */
export function prepareRealm(wsDir: string): string {
  const realm = `${wsDir}-realm`;
  transpileTree(path.join(wsDir, 'exercises'), path.join(realm, 'exercises'));
  transpileTree(path.join(repoRoot, 'lib'), path.join(realm, 'lib'));
  for (const f of ['realm-host.js', 'realm-bridge.js']) fs.copyFileSync(path.join(__dirname, f), path.join(realm, f));
  fs.mkdirSync(path.join(realm, 'run'));
  return realm;
}

/** One module per file of the exercises (the stub tree's names) that asks the submission's process for its exports. */
function writeProxies(to: string): void {
  const stubs = path.join(repoRoot, 'exercises');
  for (const id of fs.readdirSync(stubs).filter((d) => /^\d{2}-/.test(d))) {
    for (const f of fs.readdirSync(path.join(stubs, id)).filter((x) => x.endsWith('.ts'))) {
      const module = `${id}/${f.replace(/\.ts$/, '')}`;
      fs.mkdirSync(path.join(to, id), { recursive: true });
      fs.writeFileSync(
        path.join(to, `${module}.js`),
        `'use strict';\nmodule.exports = require('../../realm-client.js').load(${JSON.stringify(module)});\n`,
      );
    }
  }
}
