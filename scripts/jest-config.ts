/**
 * A jest configuration for the tools' own runs (verify, grade): the
 * repository's jest.config.ts with `@kata` pointing at a chosen tree and
 * ts-jest only transpiling (isolatedModules). The types are checked once by
 * `tsc --noEmit` instead of inside every jest process, which makes each jest
 * process about five times cheaper.
 */
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './manifest';

export interface JestConfigOptions {
  /** Folder for the generated jest.config.json (and tsconfig.jest.json when needed). */
  dir: string;
  /** The exercise tree that `@kata/...` resolves to (absolute). */
  tree: string;
  /** More setup files, run after the repository's own. */
  setupFiles?: string[];
}

function repoJestConfig(): Record<string, unknown> {
  // jest.config.ts is TypeScript; the scripts run under tsx, so require works.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.join(repoRoot, 'jest.config.ts')) as { default: Record<string, unknown> }).default;
}

/** Writes the configuration files; returns the path to pass as `jest --config`. */
export function writeJestConfig(options: JestConfigOptions): string {
  fs.mkdirSync(options.dir, { recursive: true });
  const base = repoJestConfig();
  // ts-jest's `tsconfig` is either inline compiler options (added to the
  // repository's tsconfig.json) or the path of a tsconfig file: add
  // isolatedModules either way, keeping everything else.
  const isolated = (tsconfig: unknown): unknown => {
    if (tsconfig !== undefined && typeof tsconfig !== 'string') return { ...(tsconfig as object), isolatedModules: true };
    const file = path.join(options.dir, 'tsconfig.jest.json');
    const extendsPath = typeof tsconfig === 'string' ? path.resolve(repoRoot, tsconfig.replace('<rootDir>', '.')) : path.join(repoRoot, 'tsconfig.json');
    fs.writeFileSync(file, JSON.stringify({ extends: extendsPath, compilerOptions: { isolatedModules: true } }, null, 2));
    return file;
  };
  const transform = Object.fromEntries(
    Object.entries(base.transform as Record<string, [string, Record<string, unknown>]>).map(([pattern, [name, cfg]]) => [
      pattern,
      [name, { ...cfg, tsconfig: isolated(cfg.tsconfig) }],
    ]),
  );
  const config = {
    ...base,
    rootDir: repoRoot,
    transform,
    moduleNameMapper: { '^@kata/(.*)$': `${options.tree.split(path.sep).join('/')}/$1` },
    setupFilesAfterEnv: [...((base.setupFilesAfterEnv as string[] | undefined) ?? []), ...(options.setupFiles ?? [])],
  };
  const file = path.join(options.dir, 'jest.config.json');
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}
