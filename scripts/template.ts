/**
 * npm run template -- --out DIR
 *
 * Writes a student repository for GitHub Classroom: the exercises (stubs),
 * their tests and helpers, lib/ (and engine/ when present), the tools a
 * learner and the grading step need (test, kata, grade), the configuration and
 * .github/workflows/classroom.yml. No solutions/, nothing that imports them.
 *
 * The workflow has one grading step per exercise with the manifest's points;
 * before grading it checks the student's copy of everything but exercises/
 * against checksums pinned in the workflow itself, so a student who edits
 * tests/, lib/ or the tools gains nothing (the step says what changed and
 * gives no points).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import ts from 'typescript';
import { loadManifest, repoRoot } from './manifest';
import { listExpectedTests, makeRoot } from './grade';

const USAGE = `usage: npm run template -- --out DIR

Writes a GitHub Classroom template repository (a new or empty folder DIR):
exercises, tests, lib and tools, a student README and
.github/workflows/classroom.yml, with no solutions.`;

/** The scripts a student repository needs: test, kata, grade and everything they import. */
function scriptClosure(entries: string[]): string[] {
  const seen = new Set<string>();
  const stack = entries.map((e) => path.join(repoRoot, 'scripts', e));
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imp of ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!imp.fileName.startsWith('.')) continue;
      const base = path.resolve(path.dirname(file), imp.fileName);
      const found = [base, `${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.statSync(f, { throwIfNoEntry: false })?.isFile());
      if (found && found.startsWith(path.join(repoRoot, 'scripts'))) stack.push(found);
    }
  }
  return [...seen].map((f) => path.relative(repoRoot, f));
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function allFiles(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? allFiles(dir, r) : [r];
  });
}

function studentPackageJson(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const keep = ['test', 'kata', 'grade', 'typecheck'];
  pkg.scripts = Object.fromEntries(Object.entries(pkg.scripts).filter(([k]) => keep.includes(k)));
  return JSON.stringify(pkg, null, 2) + '\n';
}

function workflow(pinned: string[]): string {
  const exercises = loadManifest().exercises;
  const step = (id: string): string => `ex-${id.slice(0, 2)}`;
  const lines = [
    'name: Autograding Tests',
    "'on':",
    '  - push',
    '  - repository_dispatch',
    'permissions:',
    '  checks: write',
    '  actions: read',
    '  contents: read',
    'jobs:',
    '  run-autograding-tests:',
    '    runs-on: ubuntu-latest',
    "    if: github.actor != 'github-classroom[bot]'",
    '    steps:',
    '      - name: Checkout code',
    '        uses: actions/checkout@v4',
    '      - uses: actions/setup-node@v4',
    '        with:',
    '          node-version: 20',
    "      - name: Check that tests, lib and tools are the template's",
    '        run: |',
    "          # Only exercises/ is the student's; everything else must match the template.",
    '          cat > "$RUNNER_TEMP/pinned" <<\'PINNED\'',
    ...pinned.map((l) => `          ${l}`),
    '          PINNED',
    '          sha256sum --check --strict --quiet "$RUNNER_TEMP/pinned"',
    '          # and no file added beside them (a new lib/ file could be imported by an exercise)',
    "          find . -type f -not -path './.git/*' -not -path './node_modules/*' -not -path './exercises/*' \\",
    "            -not -path './.github/*' -not -path ./README.md | sed 's#^\\./##' | sort > \"$RUNNER_TEMP/present\"",
    '          awk \'{print $2}\' "$RUNNER_TEMP/pinned" | sort | diff - "$RUNNER_TEMP/present"',
    '      - name: Install',
    '        run: |',
    '          npm ci --no-audit --no-fund',
    '          sudo apt-get install -y bubblewrap || echo "::warning::bubblewrap could not be installed: grading runs with weaker isolation"',
    ...exercises.flatMap((e) => [
      `      - name: ${e.id} (${e.points} points)`,
      `        id: ${step(e.id)}`,
      '        run: |',
      `          result=$(sudo -E env "PATH=$PATH" npm run --silent grade -- . --only ${e.id.slice(0, 2)} --format classroom | cut -f2)`,
      '          echo "result=$(printf \'%s\' "$result" | base64 -w0)" >> "$GITHUB_OUTPUT"',
    ]),
    '      - name: Autograding Reporter',
    '        uses: classroom-resources/autograding-grading-reporter@v1',
    '        env:',
    ...exercises.map((e) => `          ${step(e.id).toUpperCase()}_RESULTS: "\${{ steps.${step(e.id)}.outputs.result }}"`),
    '        with:',
    `          runners: ${exercises.map((e) => step(e.id)).join(',')}`,
  ];
  return lines.join('\n') + '\n';
}

function studentReadme(): string {
  const rows = loadManifest().exercises.map((e) => `| ${e.id} | ${e.title.en} | ${e.points} |`);
  return [
    '# Scratch CNN kata',
    '',
    'Build a 2D convolutional neural network from scratch in TypeScript, test',
    'first. Your work goes in `exercises/`; everything else is given.',
    '',
    '```sh',
    'npm ci',
    'npm test -- 02        # one exercise, red until you solve it',
    'npm run kata          # where am I?',
    'npm run kata -- hint 02',
    '```',
    '',
    '| exercise | what you build | points |',
    '| --- | --- | --- |',
    ...rows,
    '',
    '## How this repository is graded',
    '',
    'Every push runs `.github/workflows/classroom.yml`: one grading step per',
    'exercise, with the points above. The step first checks `tests/`, `lib/`,',
    'the tools and the configuration against checksums pinned by your',
    'instructor, so editing them gains nothing: the check fails, says which',
    'file changed, and the exercises get no points. Only `exercises/` is',
    'yours. Your instructor may also grade the whole class again with the',
    'original tests.',
    '',
    '## 日本語',
    '',
    'TypeScript でテスト駆動により2次元畳み込みニューラルネットワークを一から',
    '作ります。編集するのは `exercises/` だけで、それ以外は与えられたものです。',
    'push するたびに `.github/workflows/classroom.yml` が課題ごとに採点します。',
    '採点の前に `tests/`・`lib/`・ツール・設定を教員が固定したチェックサムと照合',
    'するので、それらを書き換えても得点にはならず、どのファイルが変わったかが',
    '表示されます。',
    '',
  ].join('\n');
}

export async function writeTemplate(out: string): Promise<string[]> {
  const manifest = loadManifest();
  const files = [
    'jest.config.ts',
    'tsconfig.json',
    'package-lock.json',
    '.gitignore',
    'scripts/manifest.json',
    'scripts/typecheck.ts',
    'scripts/grading/reporter.js',
    'scripts/grading/guard.ts',
    ...scriptClosure(['test.ts', 'kata.ts', 'grade.ts'].filter((f) => fs.existsSync(path.join(repoRoot, 'scripts', f)))),
    ...['lib', 'engine', 'exercises', 'tests/helpers'].filter((d) => fs.existsSync(path.join(repoRoot, d))).flatMap((d) => allFiles(repoRoot, d)),
    ...manifest.exercises.map((e) => e.test),
  ];
  for (const f of [...new Set(files)]) {
    fs.mkdirSync(path.dirname(path.join(out, f)), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, f), path.join(out, f));
  }
  fs.writeFileSync(path.join(out, 'package.json'), studentPackageJson());
  fs.writeFileSync(path.join(out, 'README.md'), studentReadme());
  // The grader's list of tests, since the template has no reference tree to list them from.
  const root = makeRoot();
  try {
    const expected = await listExpectedTests(root, manifest.exercises);
    fs.writeFileSync(
      path.join(out, 'scripts', 'grading', 'expected-tests.json'),
      JSON.stringify(Object.fromEntries(manifest.exercises.map((e) => [e.id, expected.get(e.id)])), null, 2) + '\n',
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  const pinned = allFiles(out)
    .filter((f) => !f.startsWith('exercises/') && f !== 'README.md')
    .sort()
    .map((f) => `${sha256(path.join(out, f))}  ${f}`);
  fs.mkdirSync(path.join(out, '.github', 'workflows'), { recursive: true });
  fs.writeFileSync(path.join(out, '.github', 'workflows', 'classroom.yml'), workflow(pinned));
  return allFiles(out);
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
