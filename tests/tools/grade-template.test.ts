/**
 * npm run template: the student repository of `npm run package -- --for
 * actions`. Built once into a temporary folder, then read the way a student
 * and the workflow use it (tests/tools/platforms.test.ts runs the workflow).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadManifest } from '../../scripts/manifest';
import { tsxArgs } from '../../scripts/cli/tsx';
import { removeTempDirs, repoRoot, runScript, tempDir } from '../fixtures/submissions';

afterAll(removeTempDirs);

function allFiles(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? allFiles(dir, r) : [r];
  });
}

describe('npm run template', () => {
  let out: string;
  let files: string[];
  let workflow: string;

  beforeAll(() => {
    out = path.join(tempDir('kata-template-'), 'student');
    const run = runScript('template', ['--out', out]);
    if (run.status !== 0) throw new Error(`template exited with ${run.status}:\n${run.stdout}\n${run.stderr}`);
    files = allFiles(out);
    workflow = fs.readFileSync(path.join(out, '.github', 'workflows', 'grade.yml'), 'utf8');
    fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(out, 'node_modules'), 'dir');
  }, 300_000);

  it('holds the exercises, tests, lib and tools, and no solution', () => {
    expect(files.filter((f) => f.startsWith('solutions/'))).toEqual([]);
    for (const e of loadManifest().exercises) expect(files).toContain(e.test);
    expect(files).toEqual(
      expect.arrayContaining(['lib/tensor.ts', 'exercises/05-flatten/flatten.ts', 'scripts/grade.ts', 'scripts/kata.ts', 'README.md', 'package.json']),
    );
    const importsSolutions = files.filter((f) => f.endsWith('.ts') && /from '[^']*solutions\//.test(fs.readFileSync(path.join(out, f), 'utf8')));
    expect(importsSolutions).toEqual([]);
    for (const f of files.filter((x) => x.startsWith('exercises/') && x.endsWith('.ts'))) {
      expect(fs.readFileSync(path.join(out, f))).toEqual(fs.readFileSync(path.join(repoRoot, f)));
    }
  });

  it('writes a workflow with one grading step per exercise, its points and its own time limit', () => {
    expect(workflow).toMatch(/^jobs:\n {2}grade:\n/m);
    for (const e of loadManifest().exercises) {
      expect(workflow).toContain(`      - name: ${e.id} (${e.points} points)\n        if: steps.check.outputs.ok == 'true'\n        timeout-minutes: `);
      expect(workflow).toContain(`scripts/grade.ts . --only ${e.id.slice(0, 2)} --out "$dir"`);
    }
    expect(workflow).not.toContain('classroom-resources/');
  });

  it('pins every file but exercises/ so that an edited test fails the check', () => {
    const pinned = workflow
      .split("<<'PINNED'\n")[1]
      .split('          PINNED')[0]
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const list = path.join(tempDir('kata-template-'), 'pinned');
    fs.writeFileSync(list, pinned.join('\n') + '\n');
    expect(pinned.map((l) => l.split('  ')[1]).sort()).toEqual(
      files.filter((f) => !f.startsWith('exercises/') && !f.startsWith('.github/') && f !== 'README.md').sort(),
    );
    expect(pinned.map((l) => l.split('  ')[1])).toEqual(expect.arrayContaining(['.gitignore', 'LICENSE', 'scripts/platforms/npmrc', 'package-lock.json']));
    expect(spawnSync('sha256sum', ['--check', '--strict', '--quiet', list], { cwd: out }).status).toBe(0);
    fs.appendFileSync(path.join(out, 'tests', '02-output-size.test.ts'), '\n// a student edit\n');
    const check = spawnSync('sha256sum', ['--check', '--strict', '--quiet', list], { cwd: out, encoding: 'utf8' });
    expect(check.status).not.toBe(0);
    expect(check.stdout).toContain('tests/02-output-size.test.ts: FAILED');
    fs.copyFileSync(path.join(repoRoot, 'tests', '02-output-size.test.ts'), path.join(out, 'tests', '02-output-size.test.ts'));
  });

  it('is red for a student who has not started, and grades without a reference tree', () => {
    // npm test -- 02, as the student runs it.
    const test = spawnSync(process.execPath, tsxArgs(path.join(out, 'scripts', 'test.ts'), ['02']), {
      cwd: out,
      encoding: 'utf8',
      env: { ...process.env, KATA_TREE: '' },
    });
    expect(test.status).not.toBe(0);
    expect(test.stdout + test.stderr).toMatch(/NotImplementedError/);
    const grades = path.join(tempDir('kata-template-'), 'grades');
    const graded = spawnSync(process.execPath, tsxArgs(path.join(out, 'scripts', 'grade.ts'), ['.', '--only', '02', '--out', grades]), {
      cwd: out,
      encoding: 'utf8',
    });
    expect(graded.status).toBe(0);
    const report = fs.readdirSync(grades).find((f) => f.endsWith('.json'))!;
    const result = JSON.parse(fs.readFileSync(path.join(grades, report), 'utf8')) as {
      score: number;
      exercises: { id: string; status: string; total: number }[];
      tests: { status: string; score: number }[];
    };
    expect(result.score).toBe(0);
    expect(result.exercises).toEqual([expect.objectContaining({ id: '02-output-size', status: 'not-started' })]);
    expect(result.tests.length).toBe(result.exercises[0].total);
    expect(result.tests.every((t) => t.status === 'fail' && t.score === 0)).toBe(true);
  }, 180_000);
});
