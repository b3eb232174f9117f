/**
 * What the untouched stubs score, shipped with the kata
 * (scripts/kata/stub-results.json): per exercise, the content key of the
 * stubs as shipped and the result their tests give. `npm run kata` shows it
 * for an exercise nobody has edited yet instead of running its tests; verify
 * runs every stub suite anyway and fails when this file no longer says what
 * they give (`npm run verify -- --write-stub-results` writes it again).
 */
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../manifest';
import { CachedResult } from './state';

export type StubResults = Record<string, { key: string; result: Omit<CachedResult, 'key'> }>;

export const STUB_RESULTS_FILE = path.join(repoRoot, 'scripts', 'kata', 'stub-results.json');

/** The shipped file, or nothing (every exercise then runs as before). */
export function readStubResults(): StubResults {
  try {
    return JSON.parse(fs.readFileSync(STUB_RESULTS_FILE, 'utf8')) as StubResults;
  } catch {
    return {};
  }
}

/**
 * The exercises whose shipped entry differs from `actual` (keys, counts, parts,
 * the first failure's test; its message may carry a random fast-check seed).
 */
export function staleStubResults(shipped: StubResults, actual: StubResults): string[] {
  const shape = (entry: StubResults[string] | undefined): string =>
    JSON.stringify(entry && { ...entry, result: { ...entry.result, firstFailure: { ...entry.result.firstFailure, message: undefined } } });
  const ids = new Set([...Object.keys(shipped), ...Object.keys(actual)]);
  return [...ids].filter((id) => shape(shipped[id]) !== shape(actual[id])).sort();
}

export function writeStubResults(results: StubResults): void {
  fs.writeFileSync(STUB_RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
}
