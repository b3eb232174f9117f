/**
 * The grader's version, as a fingerprint of what decides a grade: the
 * manifest, the tests and their helpers, lib/, the grading code and the
 * locked dependencies. Every report carries it, and `grade merge` takes only
 * reports whose fingerprint is its own, so a class is never merged from
 * shards graded by different tests or points.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { listFiles, repoRoot } from '../manifest';

const JUDGING = ['scripts/manifest.json', 'scripts/grade.ts', 'scripts/grading', 'tests', 'lib', 'jest.config.ts', 'package-lock.json'];

let cached: string | undefined;

/** 16 hex digits of a SHA-256 over the judging files' paths and bytes (line endings as checked out: LF, .gitattributes). */
export function graderFingerprint(): string {
  if (cached !== undefined) return cached;
  const hash = crypto.createHash('sha256');
  for (const entry of JUDGING) {
    const full = path.join(repoRoot, entry);
    const files = fs.statSync(full).isDirectory() ? listFiles(full).map((f) => path.join(entry, f)) : [entry];
    for (const f of files.sort())
      hash
        .update(f.split(path.sep).join('/'))
        .update('\0')
        .update(fs.readFileSync(path.join(repoRoot, f)))
        .update('\0');
  }
  cached = hash.digest('hex').slice(0, 16);
  return cached;
}
