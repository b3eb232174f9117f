/**
 * --for actions: plain GitHub Actions in the instructor's own organisation.
 *
 *   student-template/   the repository each student gets (make it a template
 *                       repository): the grader's tree (scripts/platforms/bundle.ts),
 *                       a student README and .github/workflows/grade.yml, which
 *                       grades every push.
 *   instructor/grade-roster.yml
 *                       for the instructor's private copy of this kata (with
 *                       solutions/): grades the repositories listed in
 *                       roster.txt as a matrix of shards, then `grade merge`.
 *
 * The student workflow, in order: checkout; Node 24; the integrity check
 * (below); apt-get update and bubblewrap, `npm ci` with npm's configuration
 * taken only from the template; one step per exercise with its own time limit
 * (`grade --only NN`, the grader's exit code and output kept, so one
 * exercise's crash or timeout costs that exercise only); a report step that
 * always runs (scripts/platforms/actions-report.js) and writes the job summary.
 *
 * The integrity check refuses, before anything of the repository runs: a
 * symbolic link or special file anywhere (exercises/ included), a pinned file
 * that changed or is missing, and any file that is not pinned (dot-files
 * included) outside exercises/, README.md and the workflow itself. Refused, the
 * run reports 0 for every exercise with the reason, without running npm.
 */
import path from 'node:path';
import { Exercise, loadManifest } from '../manifest';
import { allFiles, copyPlatformFiles, sha256, TS_RUNNER, writeFile, writeGraderTree } from './bundle';
import { NPM_CLEAN_ENV } from './gradescope';

export const WORKFLOW = '.github/workflows/grade.yml';
/** Files of the template a student may change: their work, and the README. */
const UNPINNED = (f: string): boolean => f.startsWith('exercises/') || f === 'README.md' || f === WORKFLOW;

const id2 = (e: Exercise): string => e.id.slice(0, 2);
/** A step's limit in minutes: the exercise's limit, the type check (120 s) and a minute for the tools to start. */
const stepMinutes = (e: Exercise): number => Math.ceil((e.timeLimitSeconds + 120 + 60) / 60);

function indent(lines: string[], by: number): string[] {
  return lines.map((l) => (l ? ' '.repeat(by) + l : l));
}

function checkScript(pinned: string[]): string[] {
  return [
    'export LC_ALL=C',
    'cd "$GITHUB_WORKSPACE"',
    'reason=""',
    '# 1. No symbolic link or special file anywhere (npm and node follow links; the checksums would not see them).',
    "odd=$(find . -path ./.git -prune -o ! -type f ! -type d -print | sed 's#^\\./##' | head -n 20 | paste -sd, - || true)",
    'if [ -n "$odd" ]; then reason="symbolic links or special files are not accepted: $odd"; fi',
    '# 2. Every pinned file as the template has it.',
    'cat > "$RUNNER_TEMP/pinned" <<\'PINNED\'',
    ...pinned,
    'PINNED',
    'if [ -z "$reason" ]; then',
    "  changed=$(sha256sum --check --strict --quiet \"$RUNNER_TEMP/pinned\" 2>&1 | sed -e '/^sha256sum: WARNING: /d' -e 's/: FAILED.*//' -e 's/^sha256sum: //' | head -n 20 | paste -sd, - || true)",
    '  if [ -n "$changed" ]; then reason="changed or missing (only exercises/ is yours): $changed"; fi',
    'fi',
    '# 3. No file beside them, dot-files included, outside exercises/, README.md and this workflow.',
    'if [ -z "$reason" ]; then',
    '  awk \'{print $2}\' "$RUNNER_TEMP/pinned" | sort > "$RUNNER_TEMP/pinned-names"',
    "  extra=$(find . -path ./.git -prune -o -type f -print | sed 's#^\\./##' \\",
    `    | { grep -v -e '^exercises/' -e '^README\\.md$' -e '^${WORKFLOW.replace(/\./g, '\\.')}$' || true; } \\`,
    '    | sort | comm -23 - "$RUNNER_TEMP/pinned-names" | head -n 20 | paste -sd, - || true)',
    '  if [ -n "$extra" ]; then reason="files that are not part of the template: $extra"; fi',
    'fi',
    'if [ -n "$reason" ]; then',
    '  printf \'%s\\n\' "$reason" > "$RUNNER_TEMP/integrity.txt"',
    '  echo "::error::$reason"',
    '  echo "ok=false" >> "$GITHUB_OUTPUT"',
    'else',
    '  echo "ok=true" >> "$GITHUB_OUTPUT"',
    'fi',
  ];
}

function refusedReport(exercises: Exercise[]): string[] {
  const max = exercises.reduce((s, e) => s + e.points, 0);
  return [
    '# The repository failed the integrity check: nothing of it runs; every exercise gets 0 with the reason.',
    'reason=$(cat "$RUNNER_TEMP/integrity.txt" 2>/dev/null || echo "the integrity check did not finish")',
    '{',
    `  echo "## Score: 0 / ${max}"`,
    '  echo',
    '  echo "Not graded: the repository is not the template plus your exercises/."',
    '  echo',
    "  echo '```text'",
    '  printf \'%s\\n\' "$reason"',
    "  echo '```'",
    '  echo',
    '  echo "| exercise | score |"',
    '  echo "| --- | --- |"',
    ...exercises.map((e) => `  echo "| ${e.id} | 0 / ${e.points} |"`),
    '} >> "$GITHUB_STEP_SUMMARY"',
    'mkdir -p "$RUNNER_TEMP/grades"',
    `printf '{"score":0,"max_score":${max},"refused":true}\\n' > "$RUNNER_TEMP/grades/grade.json"`,
    `printf 'score=0\\nmax-score=${max}\\n' >> "$GITHUB_OUTPUT"`,
    'echo "::error::score 0: $reason"',
    'exit 1',
  ];
}

/** One exercise's grading step: the grader in its own time limit, its log and exit code kept for the report. */
function gradeStep(e: Exercise): string[] {
  return [
    `- name: ${e.id} (${e.points} points)`,
    "  if: steps.check.outputs.ok == 'true'",
    `  timeout-minutes: ${stepMinutes(e)}`,
    '  run: |',
    ...indent(
      [
        `dir="$RUNNER_TEMP/grades/${id2(e)}"`,
        'mkdir -p "$dir"',
        'status=0',
        `sudo env -i "PATH=$PATH" HOME=/root LANG=C.UTF-8 timeout --kill-after=15 ${stepMinutes(e) * 60 - 30} \\`,
        `  node node_modules/.bin/${TS_RUNNER} scripts/grade.ts . --only ${id2(e)} --out "$dir" > "$dir.log" 2>&1 || status=$?`,
        'echo "$status" > "$dir.exit"',
        'tail -n 40 "$dir.log"',
      ],
      4,
    ),
  ];
}

/** The workflow's head: its triggers, permissions, shell and the job's limit. */
function workflowHead(jobMinutes: number): string[] {
  return [
    '# Grades this repository on every push: only exercises/ is yours.',
    '# The score and, per exercise, why the first failing test failed are in the',
    "# run's summary (Actions tab, this run, Summary).",
    'name: Grade',
    "'on':",
    '  push:',
    '  workflow_dispatch:',
    'permissions:',
    '  contents: read',
    'concurrency:',
    '  group: grade-${{ github.ref }}',
    '  cancel-in-progress: true',
    'defaults:',
    '  run:',
    '    shell: bash --noprofile --norc -euo pipefail {0}',
    'jobs:',
    '  grade:',
    '    runs-on: ubuntu-latest',
    `    timeout-minutes: ${jobMinutes}`,
    '    steps:',
  ];
}

/** Checkout, Node, the template check and the install: the steps before any grading. */
function setupSteps(pinned: string[]): string[] {
  return [
    '- uses: actions/checkout@v5',
    '  with:',
    '    persist-credentials: false',
    '- uses: actions/setup-node@v5',
    '  with:',
    "    node-version: '24'",
    "- name: Check that everything but exercises/ is the template's",
    '  id: check',
    '  timeout-minutes: 2',
    '  run: |',
    ...indent(checkScript(pinned), 4),
    '- name: Install',
    "  if: steps.check.outputs.ok == 'true'",
    '  timeout-minutes: 10',
    '  run: |',
    ...indent(
      [
        'sudo apt-get update',
        'sudo apt-get install -y --no-install-recommends bubblewrap',
        '# npm reads its configuration from the template only.',
        NPM_CLEAN_ENV,
        'npm ci --userconfig "$PWD/scripts/platforms/npmrc" --globalconfig /dev/null --no-audit --no-fund',
      ],
      4,
    ),
  ];
}

/** The report (always, even after a refused check) and the reports kept as an artifact. */
function reportSteps(exercises: Exercise[]): string[] {
  return [
    '- name: Report',
    '  id: report',
    '  if: always()',
    '  timeout-minutes: 2',
    '  env:',
    '    CHECK_OK: ${{ steps.check.outputs.ok }}',
    '  run: |',
    ...indent(['if [ "$CHECK_OK" = true ]; then', '  node scripts/platforms/actions-report.js "$RUNNER_TEMP/grades"', '  exit 0', 'fi'], 4),
    ...indent(refusedReport(exercises), 4),
    '- name: Keep the reports',
    '  if: always()',
    '  uses: actions/upload-artifact@v4',
    '  with:',
    '    name: grade',
    '    path: ${{ runner.temp }}/grades',
    '    if-no-files-found: ignore',
  ];
}

export function studentWorkflow(pinned: string[]): string {
  const exercises = loadManifest().exercises;
  const jobMinutes = 5 + 10 + exercises.reduce((s, e) => s + stepMinutes(e), 0);
  const steps = [...setupSteps(pinned), ...exercises.flatMap(gradeStep), ...reportSteps(exercises)];
  return [...workflowHead(jobMinutes), ...indent(steps, 6)].join('\n') + '\n';
}

/** The first steps of both jobs of the roster workflow: the grader's repository and Node 24. */
const CHECKOUT_AND_NODE = [
  '      - uses: actions/checkout@v5',
  '        with:',
  '          persist-credentials: false',
  '      - uses: actions/setup-node@v5',
  '        with:',
  "          node-version: '24'",
];

export function rosterWorkflow(shards: number): string {
  const list = Array.from({ length: shards }, (_, i) => i + 1);
  return [
    '# Grades every student repository listed in roster.txt (one owner/name per',
    "# line) with this repository's grader and tests, as a matrix of shards,",
    '# then merges the shards into one class (grades/class.csv, <name>.json, <name>.md).',
    '# Put it in .github/workflows/ of your private copy of the kata (the one with',
    "# solutions/), and a token that can read the students' repositories in the",
    '# secret ROSTER_TOKEN (a fine-grained token with Contents: read).',
    'name: Grade the class',
    "'on':",
    '  workflow_dispatch:',
    'permissions:',
    '  contents: read',
    'defaults:',
    '  run:',
    '    shell: bash --noprofile --norc -euo pipefail {0}',
    'jobs:',
    '  grade:',
    '    runs-on: ubuntu-latest',
    '    timeout-minutes: 180',
    '    strategy:',
    '      fail-fast: false',
    '      matrix:',
    `        shard: [${list.join(', ')}]`,
    '    steps:',
    ...CHECKOUT_AND_NODE,
    '      - name: Install',
    '        timeout-minutes: 10',
    '        run: |',
    '          sudo apt-get update',
    '          sudo apt-get install -y --no-install-recommends bubblewrap',
    '          npm ci --no-audit --no-fund',
    '      - name: Fetch the submissions',
    '        timeout-minutes: 20',
    '        env:',
    '          TOKEN: ${{ secrets.ROSTER_TOKEN }}',
    '        run: |',
    '          mkdir -p "$RUNNER_TEMP/submissions"',
    "          grep -v '^\\s*\\(#\\|$\\)' roster.txt | while read -r repo; do",
    '            git -c "http.extraheader=Authorization: Basic $(printf \'x-access-token:%s\' "$TOKEN" | base64 -w0)" \\',
    '              clone --quiet --depth 1 "https://github.com/$repo.git" "$RUNNER_TEMP/submissions/${repo##*/}" \\',
    '              || echo "::warning::could not clone $repo"',
    '          done',
    '      - name: Grade shard ${{ matrix.shard }}',
    '        timeout-minutes: 150',
    '        env:',
    '          SHARD: ${{ matrix.shard }}',
    '        run: |',
    `          sudo env -i "PATH=$PATH" HOME=/root LANG=C.UTF-8 npm run grade -- "$RUNNER_TEMP"/submissions/* --shard "$SHARD/${shards}" --out "shard-$SHARD"`,
    '      - uses: actions/upload-artifact@v4',
    '        with:',
    '          name: shard-${{ matrix.shard }}',
    '          path: shard-${{ matrix.shard }}',
    '  merge:',
    '    needs: grade',
    '    if: always()',
    '    runs-on: ubuntu-latest',
    '    timeout-minutes: 15',
    '    steps:',
    ...CHECKOUT_AND_NODE,
    '      - run: npm ci --no-audit --no-fund',
    '      - uses: actions/download-artifact@v4',
    '        with:',
    '          pattern: shard-*',
    '      - name: Merge',
    '        run: |',
    `          npm run grade -- merge ${list.map((k) => `shard-${k}`).join(' ')} --out grades`,
    '          cat grades/class.csv',
    '      - uses: actions/upload-artifact@v4',
    '        with:',
    '          name: grades',
    '          path: grades',
    '',
  ].join('\n');
}

function studentReadme(): string {
  const rows = loadManifest().exercises.map((e) => `| ${e.id} | ${e.title.en} | ${e.points} |`);
  return [
    '# Scratch CNN kata',
    '',
    'Build a 2D convolutional neural network from scratch in TypeScript, test',
    'first. Your work goes in `exercises/`; everything else is given. You need',
    'Node.js 24.',
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
    `Every push runs \`${WORKFLOW}\` on GitHub Actions. It first checks that`,
    'everything outside `exercises/` and this README is exactly what you were',
    'given: a changed, added or linked file (dot-files included) stops the',
    'grading, and every exercise gets 0 with the reason. Then each exercise is',
    'graded on its own, with its own time limit, by `npm run grade` (the tests',
    'you have, run in a sandbox): a crash or a timeout in one exercise costs',
    'that exercise only.',
    '',
    "**Why a test failed**: open the repository's Actions tab, the latest run,",
    'then Summary: the score of each exercise and the reason of its first',
    "failing test. The step of each exercise prints the grader's output, and",
    '`npm test -- 02` on your machine shows every failing test of exercise 02.',
    'Your instructor may grade the whole class again with the same tests.',
    '',
    '## 日本語',
    '',
    'TypeScript でテスト駆動により2次元畳み込みニューラルネットワークを一から',
    '作ります。編集するのは `exercises/` だけで、それ以外は与えられたものです。',
    'Node.js 24 が必要です。',
    '',
    `push するたびに GitHub Actions で \`${WORKFLOW}\` が動きます。まず`,
    '`exercises/` とこの README 以外が配布時のままかを確かめます。変更・追加された',
    'ファイルやシンボリックリンク（ドットファイルも含む）があると採点せず、理由を',
    '添えて全課題 0 点になります。そのあと課題ごとに、それぞれの制限時間で',
    '`npm run grade` が採点します（手元と同じテストをサンドボックスで実行）。',
    'ある課題がクラッシュしたり時間切れになったりしても、失うのはその課題の点だけです。',
    '',
    '**テストが失敗した理由**: リポジトリの Actions タブで最新の実行を開き、',
    'Summary を見てください。課題ごとの得点と、最初に失敗したテストの理由が',
    'あります。各課題のステップには採点の出力があり、手元で `npm test -- 02`',
    'を実行すると課題 02 の失敗したテストがすべて表示されます。',
    '',
  ].join('\n');
}

/** Writes the student repository (the grader's tree, the README and the workflow) into `student`; returns its files. */
export async function writeStudentTemplate(student: string): Promise<string[]> {
  await writeGraderTree(student);
  copyPlatformFiles(student, ['actions-report.js', 'npmrc']);
  writeFile(student, 'README.md', studentReadme());
  const pinned = allFiles(student)
    .filter((f) => !UNPINNED(f))
    .map((f) => `${sha256(path.join(student, f))}  ${f}`);
  writeFile(student, WORKFLOW, studentWorkflow(pinned));
  return allFiles(student);
}

export async function writeActions(out: string, shards = 20): Promise<string[]> {
  const files = await writeStudentTemplate(path.join(out, 'student-template'));
  writeFile(out, 'instructor/grade-roster.yml', rosterWorkflow(shards));
  writeFile(out, 'instructor/roster.txt', '# one student repository per line: owner/name\n');
  return [...files.map((f) => `student-template/${f}`), 'instructor/grade-roster.yml', 'instructor/roster.txt'];
}
