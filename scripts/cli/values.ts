/**
 * Option values checked as they are read, each failing with one line that
 * names the option, what it expects and what was given.
 */
import fs from 'node:fs';
import { Exercise, findExercise, Manifest } from '../manifest';
import { parseTree, treeEnvironmentValue } from '../trees';
import { UsageError } from './command';

/** A whole number within [min, max]. */
export function intOption(name: string, text: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`--${name} expects a whole number ${range}, got "${text}"`);
  }
  return n;
}

/** A finite number greater than 0. */
export function positiveNumberOption(name: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} expects a number > 0, got "${text}"`);
  return n;
}

/** One of a fixed set of words. */
export function choiceOption<T extends string>(name: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw new UsageError(`--${name} expects one of ${choices.join(', ')}, got "${text}"`);
  return text as T;
}

/** A comma-separated list of words from a fixed set (at least one). */
export function listOption<T extends string>(name: string, text: string, choices: readonly T[]): T[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`--${name} expects a comma-separated list of ${choices.join(', ')}, got "${text}"`);
  const unknown = items.filter((s) => !(choices as readonly string[]).includes(s));
  if (unknown.length > 0) throw new UsageError(`--${name}: unknown ${unknown.map((u) => `"${u}"`).join(', ')}; expected ${choices.join(', ')}`);
  return items as T[];
}

/** An exercise from what a person typed (01, 1, conv2d, 01-conv2d): a usage error naming the exercises otherwise. */
export function exerciseArgument(manifest: Manifest, text: string): Exercise {
  try {
    return findExercise(manifest, text);
  } catch (err) {
    throw new UsageError((err as Error).message, false);
  }
}

/**
 * `--tree exercises|solutions|DIR`: the tree of exercises a command and the
 * jest runs it starts use, as KATA_TREE (set here for them, so that no shell
 * syntax is needed on any system). Nothing given: KATA_TREE as it is.
 */
export function applyTreeOption(text: string | undefined): void {
  if (text === undefined) return;
  const tree = parseTree(text);
  if (!fs.existsSync(tree.dir) || !fs.statSync(tree.dir).isDirectory()) {
    throw new UsageError(`--tree expects exercises, solutions or a folder laid out like exercises/, got "${text}" (no such folder)`);
  }
  process.env.KATA_TREE = treeEnvironmentValue(tree);
}
