/**
 * npm run template -- --out DIR
 *
 * Writes the student repository of `npm run package -- --for actions` into
 * DIR: the exercises (stubs), their tests and helpers, lib/ (and engine/),
 * the tools a learner and the grading step need, LICENSE, a student README and
 * .github/workflows/grade.yml, which grades every push on GitHub Actions
 * (scripts/platforms/actions.ts). No solutions/. This command first wrote a
 * GitHub Classroom template; GitHub Classroom is closing down, and
 * docs/grading-platforms.md says where to grade instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from './manifest';
import { writeStudentTemplate } from './platforms/actions';

const USAGE = `usage: npm run template -- --out DIR

Writes the student repository of npm run package -- --for actions (a new or
empty folder DIR): exercises, tests, lib and tools, LICENSE, a student README
and .github/workflows/grade.yml, with no solutions.`;

/** The student repository, as `npm run package -- --for actions` writes it. */
export async function writeTemplate(out: string): Promise<string[]> {
  return writeStudentTemplate(out);
}

async function main(): Promise<void> {
  let out: string;
  try {
    const { values } = parseArgs({ args: process.argv.slice(2), options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      console.log(USAGE);
      return;
    }
    if (!values.out) throw new Error('give --out DIR');
    out = path.resolve(values.out);
    const stat = fs.statSync(out, { throwIfNoEntry: false });
    if (stat && (!stat.isDirectory() || fs.readdirSync(out).length > 0)) throw new Error(`--out must be a new or empty folder, ${out} is not`);
    if ((out + path.sep).startsWith(repoRoot + path.sep)) throw new Error('--out must be outside this repository');
  } catch (err) {
    console.error(`template: ${(err as Error).message.split('\n')[0]}\n\n${USAGE}`);
    process.exit(2);
  }
  fs.mkdirSync(out, { recursive: true });
  const files = await writeTemplate(out);
  console.log(`wrote ${files.length} files to ${out}`);
}

if (require.main === module) void main();
