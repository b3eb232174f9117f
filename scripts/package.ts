/**
 * npm run package -- --for gradescope|classroom50|actions --out DIR
 *
 * Writes what one grading platform takes, around the same grader as
 * `npm run grade` (docs/grading-platforms.md):
 *   gradescope    autograder.zip (setup.sh, run_autograder, the grader's tree)
 *   classroom50   autograders/<assignment>/ (autograder.py and the grader's tree)
 *                 and student-template/
 *   actions       student-template/ (with .github/workflows/grade.yml) and
 *                 instructor/grade-roster.yml (a class as a matrix of shards)
 * No target ships solutions/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from './manifest';
import { writeActions } from './platforms/actions';
import { writeClassroom50 } from './platforms/classroom50';
import { writeGradescope } from './platforms/gradescope';

const TARGETS = ['gradescope', 'classroom50', 'actions'] as const;
type Target = (typeof TARGETS)[number];

const USAGE = `usage: npm run package -- --for gradescope|classroom50|actions --out DIR [options]

Writes, in DIR (a new or empty folder outside this repository), the files one
grading platform takes; docs/grading-platforms.md says how to use each.

options:
  --for T            gradescope, classroom50 or actions
  --out DIR          where to write
  --assignment SLUG  classroom50: the assignment's slug (default cnn-kata)
  --shards N         actions: shards of the instructor's class workflow (default 20)`;

export interface PackageOptions {
  target: Target;
  out: string;
  assignment: string;
  shards: number;
}

export function parsePackageArgs(argv: string[]): PackageOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      for: { type: 'string' },
      out: { type: 'string' },
      assignment: { type: 'string' },
      shards: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  if (!values.for || !(TARGETS as readonly string[]).includes(values.for))
    throw new Error(`--for must be one of ${TARGETS.join(', ')}, got "${values.for ?? ''}"`);
  if (!values.out) throw new Error('give --out DIR');
  const out = path.resolve(values.out);
  const stat = fs.statSync(out, { throwIfNoEntry: false });
  if (stat && (!stat.isDirectory() || fs.readdirSync(out).length > 0)) throw new Error(`--out must be a new or empty folder, ${out} is not`);
  if ((out + path.sep).startsWith(repoRoot + path.sep)) throw new Error('--out must be outside this repository');
  const shards = Number(values.shards ?? 20);
  if (!Number.isInteger(shards) || shards < 1 || shards > 256) throw new Error(`--shards must be a whole number from 1 to 256, got "${values.shards}"`);
  return { target: values.for as Target, out, assignment: values.assignment ?? 'cnn-kata', shards };
}

export async function writePackage(opts: PackageOptions): Promise<string[]> {
  fs.mkdirSync(opts.out, { recursive: true });
  if (opts.target === 'gradescope') return writeGradescope(opts.out);
  if (opts.target === 'classroom50') return writeClassroom50(opts.out, opts.assignment);
  return writeActions(opts.out, opts.shards);
}

async function main(): Promise<void> {
  let opts: PackageOptions | null;
  try {
    opts = parsePackageArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`package: ${(err as Error).message.split('\n')[0]}\n\n${USAGE}`);
    process.exit(2);
  }
  if (!opts) {
    console.log(USAGE);
    return;
  }
  const files = await writePackage(opts);
  const top = [
    ...new Set(
      files.map((f) =>
        f
          .split('/')
          .slice(0, f.startsWith('autograders/') ? 3 : 1)
          .join('/'),
      ),
    ),
  ];
  console.log(`wrote ${files.length} files to ${opts.out}: ${top.join(', ')}`);
}

if (require.main === module) void main();
