/**
 * .kata-state.json (git-ignored): hint levels, the last results (reused
 * while nothing they depend on changed) and the exercise last worked on.
 * A hand-edited file that does not have this shape is reported in one line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CommandError } from '../cli/command';
import { Progress } from '../jest-run';
import { repoRoot } from '../manifest';

export interface PartResult {
  name: string;
  passed: number;
  total: number;
  /** No test passes and every failure is the stub's NotImplementedError. */
  notStarted: boolean;
}

export interface CachedResult {
  key: string;
  progress: Progress;
  passed: number;
  total: number;
  parts?: PartResult[];
  firstFailure?: { name: string; message: string; part?: string };
  /** Ids of the recognised mistakes of the last check. */
  mistakes?: string[];
}

export interface KataState {
  hints: Record<string, number>;
  results: Record<string, CachedResult>;
  /** The exercise of the last check, hint or watch. */
  current?: string;
}

export function stateFile(): string {
  return process.env.KATA_STATE_FILE ?? path.join(repoRoot, '.kata-state.json');
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The state, or an empty one when there is no file yet. Throws CommandError for a file of the wrong shape. */
export function readState(): KataState {
  const file = stateFile();
  if (!fs.existsSync(file)) return { hints: {}, results: {} };
  const name = path.basename(file);
  const broken = (what: string): CommandError => new CommandError(`${name} ${what}; delete it (it only remembers hints and results) and run again`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw broken(`is not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (!isRecord(raw)) throw broken('should hold an object');
  const hints = raw.hints ?? {};
  const results = raw.results ?? {};
  if (!isRecord(hints) || Object.values(hints).some((v) => !Number.isInteger(v) || (v as number) < 0)) {
    throw broken('has "hints" that are not whole numbers per exercise');
  }
  if (!isRecord(results) || Object.values(results).some((r) => !isRecord(r) || typeof r.key !== 'string' || typeof r.progress !== 'string')) {
    throw broken('has "results" of the wrong shape');
  }
  if (raw.current !== undefined && typeof raw.current !== 'string') throw broken('has a "current" that is not an exercise id');
  return { hints: hints as KataState['hints'], results: results as KataState['results'], ...(raw.current ? { current: raw.current as string } : {}) };
}

export function writeState(state: KataState): void {
  fs.writeFileSync(stateFile(), JSON.stringify(state, null, 2) + '\n');
}
