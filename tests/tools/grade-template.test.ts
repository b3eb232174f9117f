/**
 * npm run template: the student repository for GitHub Classroom. Built once
 * into a temporary folder, then read the way a student and the workflow use it.
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
    workflow = fs.readFileSync(path.join(out, '.github', 'workflows', 'classroom.yml'), 'utf8');
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

  it('writes a workflow with one grading step per exercise and its points', () => {
    expect(workflow).toMatch(/^jobs:\n {2}run-autograding-tests:\n/m);
    for (const e of loadManifest().exercises) {
      expect(workflow).toContain(`      - name: ${e.id} (${e.points} points)\n        id: ex-${e.id.slice(0, 2)}\n`);
      expect(workflow).toContain(`npm run --silent grade -- . --only ${e.id.slice(0, 2)} --format classroom`);
    }
    expect(workflow).toContain('uses: classroom-resources/autograding-grading-reporter@v1');
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
    expect(pinned.map((l) => l.split('  ')[1])).toEqual(
      files.filter((f) => !f.startsWith('exercises/') && !f.startsWith('.github/') && f !== 'README.md').sort(),
    );
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
    const graded = spawnSync(process.execPath, tsxArgs(path.join(out, 'scripts', 'grade.ts'), ['.', '--only', '02', '--format', 'classroom']), {
      cwd: out,
      encoding: 'utf8',
    });
    expect(graded.status).toBe(0);
    const [id, json] = graded.stdout.trim().split('\t');
    expect(id).toBe('02-output-size');
    const result = JSON.parse(json) as { status: string; max_score: number; tests: { status: string; score: number }[] };
    expect(result).toMatchObject({ status: 'fail', max_score: 5 });
    expect(result.tests.length).toBeGreaterThan(0);
    expect(result.tests.every((t) => t.status === 'fail' && t.score === 0)).toBe(true);
  }, 180_000);
});
