/**
 * Splitting a class across machines: `--shard K/N` grades the submissions
 * whose name hashes to K (of N), and `grade merge` rebuilds the whole class's
 * files from the shards' JSON reports, byte for byte what one run writes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Exercise, loadManifest } from '../manifest';
import { SubmissionGrade } from './reports';

/** The shard (1..n) a submission belongs to: a hash of its name, the same on every machine. */
export function shardOf(name: string, n: number): number {
  return (crypto.createHash('sha256').update(name).digest().readUInt32BE(0) % n) + 1;
}

type Writer = (out: string, grades: SubmissionGrade[], exercises: Exercise[], excel: boolean) => void;

/** Reads every shard's reports and writes the class; returns the number of submissions. */
export function mergeShards(dirs: string[], out: string, excel: boolean, write: Writer): number {
  const grades: SubmissionGrade[] = [];
  for (const dir of dirs) {
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`not a folder: ${dir}`);
    for (const f of fs
      .readdirSync(dir)
      .filter((x) => x.endsWith('.json'))
      .sort()) {
      const g = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as SubmissionGrade;
      if (g.version !== 2 || !Array.isArray(g.exercises)) throw new Error(`${path.join(dir, f)} is not a grade report (version 2)`);
      if (grades.some((x) => x.submission === g.submission)) throw new Error(`"${g.submission}" is in more than one shard`);
      grades.push(g);
    }
  }
  if (grades.length === 0) throw new Error(`no grade reports (*.json) in ${dirs.join(', ')}`);
  const ids = grades[0].exercises.map((e) => e.id).join(',');
  const other = grades.find((g) => g.exercises.map((e) => e.id).join(',') !== ids || g.fcSeed !== grades[0].fcSeed);
  if (other) throw new Error(`the shards were graded differently ("${other.submission}": other exercises or seed)`);
  const exercises = loadManifest().exercises.filter((e) => ids.split(',').includes(e.id));
  write(out, grades, exercises, excel);
  return grades.length;
}
