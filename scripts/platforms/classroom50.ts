/**
 * --for classroom50: Classroom 50 (foundation50/classroom50), whose grading
 * runs from the instructor's configuration repository.
 *
 *   autograders/<assignment>/          the per-assignment bundle: autograder.py
 *                                      (scripts/platforms/classroom50-autograder.py)
 *                                      beside the grader's tree (no solutions).
 *                                      Copy the folder to CLASSROOM/autograders/ of
 *                                      the configuration repository.
 *   student-template/                  the repository students start from: the
 *                                      same tree and a student README. Its own
 *                                      tests are never used for the grade: the
 *                                      bundle grades the checkout's exercises/.
 */
import path from 'node:path';
import { allFiles, writeFile, writeGraderTree } from './bundle';
import fs from 'node:fs';
import { repoRoot } from '../manifest';

function studentReadme(): string {
  return [
    '# Scratch CNN kata',
    '',
    'Build a 2D convolutional neural network from scratch in TypeScript, test',
    'first. Your work goes in `exercises/`; everything else is given. You need',
    'Node.js 24: `npm ci`, then `npm test -- 02` for one exercise.',
    '',
    '## How this repository is graded',
    '',
    "Classroom 50 grades each submission with your instructor's copy of the",
    'tests (the same as yours) and only your `exercises/` folder. The grade is',
    'published as a release of this repository: its notes hold the score of each',
    'exercise and why its first failing test failed (result.json gives the',
    'scores in hundredths of a point). `npm test -- 02` on your machine shows',
    'every failing test of exercise 02.',
    '',
    '## 日本語',
    '',
    '`exercises/` だけがあなたの作業場所です。Node.js 24 で `npm ci` のあと',
    '`npm test -- 02` を実行します。Classroom 50 は教員側のテスト（手元と同じもの）で',
    '`exercises/` だけを採点し、結果をこのリポジトリのリリースとして公開します。',
    'リリースの本文に課題ごとの得点と、最初に失敗したテストの理由があります',
    '（result.json の得点は 0.01 点単位です）。',
    '',
  ].join('\n');
}

export async function writeClassroom50(out: string, assignment: string): Promise<string[]> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(assignment)) throw new Error(`--assignment must be a slug (a-z, 0-9, -), got "${assignment}"`);
  const bundle = path.join(out, 'autograders', assignment);
  await writeGraderTree(bundle);
  writeFile(bundle, 'scripts/platforms/npmrc', fs.readFileSync(path.join(repoRoot, 'scripts/platforms/npmrc')));
  writeFile(bundle, 'autograder.py', fs.readFileSync(path.join(repoRoot, 'scripts/platforms/classroom50-autograder.py')), 0o755);
  const student = path.join(out, 'student-template');
  await writeGraderTree(student);
  writeFile(student, 'README.md', studentReadme());
  return [...allFiles(bundle).map((f) => `autograders/${assignment}/${f}`), ...allFiles(student).map((f) => `student-template/${f}`)];
}
