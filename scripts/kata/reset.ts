/**
 * kata reset <ex>: puts the stub of an exercise back (from git) after
 * moving the learner's files to a dated backup folder, .kata-backups/.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CommandError } from '../cli/command';
import { Exercise, listFiles, repoRoot } from '../manifest';
import { TREES } from '../trees';
import { KataContext } from './context';
import { readState, writeState } from './state';

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 * 1024 * 1024 });
}

/** The stub files of an exercise at a git revision: name -> content. */
function stubFiles(e: Exercise, ref: string): Map<string, string> {
  const folder = `exercises/${e.id}`;
  let names: string[];
  try {
    names = git(['ls-tree', '-r', '--name-only', ref, '--', folder]).split('\n').filter(Boolean);
  } catch {
    throw new CommandError(`cannot read ${folder} at git revision "${ref}" (is this a git clone? try --from <commit>)`);
  }
  if (names.length === 0) throw new CommandError(`git revision "${ref}" has no ${folder}/`);
  const files = new Map(names.map((n) => [path.relative(folder, n), git(['show', `${ref}:${n}`])]));
  const code = [...files.entries()].filter(([n]) => n.endsWith('.ts'));
  if (!code.some(([, text]) => text.includes('NotImplementedError'))) {
    throw new CommandError(`${folder} at "${ref}" holds no stub (no NotImplementedError); give the commit of the stubs with --from <commit>`);
  }
  return files;
}

/** A folder name for now: 2026-11-29T18-40-22. */
export function stamp(date = new Date()): string {
  return date.toISOString().slice(0, 19).replace(/:/g, '-');
}

export function defaultStubRef(): string {
  try {
    git(['rev-parse', '--verify', '--quiet', 'origin/HEAD']);
    return 'origin/HEAD';
  } catch {
    return 'HEAD';
  }
}

export function reset(ctx: KataContext, e: Exercise, from: string | undefined): void {
  if (path.resolve(ctx.tree) !== TREES.exercises.dir) {
    throw new CommandError(`reset only restores exercises/ (KATA_TREE names ${ctx.tree})`);
  }
  const stubs = stubFiles(e, from ?? defaultStubRef());
  const folder = path.join(ctx.tree, e.id);
  const backup = path.join(repoRoot, '.kata-backups', `${e.id}-${stamp()}`);
  const mine = listFiles(folder);
  const untouched = mine.length === stubs.size && mine.every((f) => stubs.get(f) === fs.readFileSync(path.join(folder, f), 'utf8'));
  if (untouched) {
    ctx.say(`${e.id}: ${ctx.treeName}${e.id}/ already holds the stub as shipped; nothing to reset.`);
    return;
  }
  for (const f of mine) {
    fs.mkdirSync(path.dirname(path.join(backup, f)), { recursive: true });
    fs.copyFileSync(path.join(folder, f), path.join(backup, f));
  }
  for (const f of mine) fs.rmSync(path.join(folder, f));
  for (const [name, text] of stubs) {
    fs.mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    fs.writeFileSync(path.join(folder, name), text);
  }
  const state = readState();
  delete state.results[e.id];
  for (const k of Object.keys(state.hints)) if (k === e.id || k.startsWith(`${e.id}/`) || k.startsWith(`${e.id}!`)) delete state.hints[k];
  writeState(state);
  ctx.say(`${e.id}: the stub is back in ${ctx.treeName}${e.id}/.`);
  if (mine.length > 0) ctx.say(`Your ${mine.length} file(s) are in ${path.relative(repoRoot, backup)}/`);
}
