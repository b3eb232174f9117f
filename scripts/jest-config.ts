/**
 * A jest configuration for the tools' own runs (verify): the repository's
 * jest.config.ts with `@kata` pointing at a chosen tree, written as JSON.
 * Its transform only strips types (tests/helpers/esbuild-transform.cjs);
 * verify checks every type once with `tsc --noEmit`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './manifest';

export interface JestConfigOptions {
  /** Folder for the generated jest.config.json. */
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

/** Writes the configuration file; returns the path to pass as `jest --config`. */
export function writeJestConfig(options: JestConfigOptions): string {
  fs.mkdirSync(options.dir, { recursive: true });
  const base = repoJestConfig();
  const config = {
    ...base,
    rootDir: repoRoot,
    moduleNameMapper: { '^@kata/(.*)$': `${options.tree.split(path.sep).join('/')}/$1` },
    setupFilesAfterEnv: [...((base.setupFilesAfterEnv as string[] | undefined) ?? []), ...(options.setupFiles ?? [])],
  };
  const file = path.join(options.dir, 'jest.config.json');
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}
