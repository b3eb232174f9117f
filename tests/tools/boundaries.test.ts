/**
 * The tier rules (scripts/tiers.json, which folder may import which): verify's
 * check (scripts/boundaries.ts) and the lint's rule (kata/tiers in
 * eslint.config.mjs) give the same verdicts, a small fake repository breaks
 * each rule once, the real one breaks none, and CONTRIBUTING.md's folder map
 * says what the rules say, for every folder that holds code.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { checkBoundaries, formatViolation } from '../../scripts/boundaries';
import { describeTier, eslintRule, tiers } from '../../scripts/tiers.cjs';

const root = path.resolve(__dirname, '..', '..');

function fakeRepo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-boundaries-'));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** One planted file per rule, each line an import that keeps or breaks it. */
const PLANTS: Record<string, string> = {
  'lib/tensor.ts': "import fs from 'node:fs';\nexport const t = 1;\n",
  'lib/leak.ts': "import { Conv2d } from '../solutions/01-conv2d/conv2d';\n",
  'engine/fast.ts': "import { t } from '../lib/tensor';\nimport { x } from './other';\nimport { y } from '../scripts/train';\n",
  'solutions/01-conv2d/conv2d.ts': "import { t } from '../../lib/tensor';\nimport { w } from '../../engine/fast';\n",
  'solutions/03-max-pool2d/pool.ts': "import { s } from '../02-output-size/output-size';\nimport { c } from '../06-classifier/classifier';\n",
  'exercises/02-output-size/output-size.ts': "export const z = require('../../solutions/02-output-size/output-size');\nimport fs from 'node:fs';\n",
  'exercises/05-flatten/flatten.ts': "import fc from 'fast-check';\n",
  'playground/server/runs.ts': "import { parseTree } from '../../scripts/trees';\nimport { makeContext } from '../../scripts/kata/context';\n",
  'playground/page/main.ts':
    "import { runTitle } from '../../scripts/report/run-title';\nimport fs from 'node:fs';\nimport { Scratch2dCNNClassifier } from '@tree/06-classifier/classifier';\n",
  'scripts/kata/check.ts': "import { loadManifest } from '../manifest';\nimport { engineKit } from '../../engine';\n",
  'scripts/grading/gate.ts': "export type R = typeof import('../../solutions/01-conv2d/conv2d');\n",
  'tests/01-conv2d.test.ts': "import { Conv2d } from '@kata/01-conv2d/conv2d';\nimport { Stub } from '../exercises/01-conv2d/conv2d';\n",
};

const BROKEN = [
  "engine/fast.ts:3 imports '../scripts/train': engine/ imports only engine/ and lib/",
  "exercises/02-output-size/output-size.ts:1 imports '../../solutions/02-output-size/output-size': exercises/ imports only lib/ and earlier exercises of its tree",
  "exercises/02-output-size/output-size.ts:2 imports 'node:fs': exercises/ imports no Node's modules (it imports lib/ and earlier exercises of its tree; no Node's modules; no packages)",
  "exercises/05-flatten/flatten.ts:1 imports 'fast-check': exercises/ imports no packages (it imports lib/ and earlier exercises of its tree; no Node's modules; no packages)",
  "lib/leak.ts:1 imports '../solutions/01-conv2d/conv2d': lib/ imports only lib/",
  "playground/page/main.ts:2 imports 'node:fs': playground/page/ imports no Node's modules (it imports playground/page/, lib/, engine/ and scripts/report/run-title.ts; no Node's modules; only the package @tree/*)",
  "playground/server/runs.ts:2 imports '../../scripts/kata/context': playground/server/ imports only playground/server/, lib/, scripts/trees.ts and scripts/report/run-title.ts",
  "scripts/grading/gate.ts:1 imports '../../solutions/01-conv2d/conv2d': scripts/grading/ imports only scripts/ and lib/",
  "scripts/kata/check.ts:2 imports '../../engine': scripts/kata/ imports only scripts/ and lib/",
  "solutions/01-conv2d/conv2d.ts:2 imports '../../engine/fast': solutions/ imports only lib/ and earlier exercises of its tree",
  "solutions/03-max-pool2d/pool.ts:2 imports '../06-classifier/classifier': solutions/ imports only lib/ and earlier exercises of its tree",
  "tests/01-conv2d.test.ts:2 imports '../exercises/01-conv2d/conv2d': tests/ imports only tests/, lib/, engine/, solutions/, scripts/, playground/ and jest.config.ts",
].sort();

describe("verify's check (checkBoundaries)", () => {
  it('finds nothing wrong in this repository', () => {
    expect(checkBoundaries(root).map(formatViolation)).toEqual([]);
  });

  it('names the file, the line and the import of every broken rule, and accepts the allowed ones', () => {
    expect(checkBoundaries(fakeRepo(PLANTS)).map(formatViolation).sort()).toEqual(BROKEN);
  });
});

describe("the lint's rule (kata/tiers)", () => {
  it('gives the same verdicts as verify, at the same lines', () => {
    const linter = new Linter({ configType: 'flat' });
    const config = [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { kata: { rules: { tiers: eslintRule(root) } } },
        rules: { 'kata/tiers': 'error' as const },
      },
    ];
    const found = Object.entries(PLANTS).flatMap(([file, text]) =>
      linter.verify(text, config, { filename: path.join(root, file) }).map((m) => `${file}:${m.line} imports ${m.message}`),
    );
    expect(found.sort()).toEqual(BROKEN);
  });

  it('is what eslint.config.mjs runs: a bad import from playground/ into scripts/kata/ fails the lint with its file and line', () => {
    const eslint = path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');
    const plant = "import fs from 'node:fs';\nimport { makeContext } from '../../scripts/kata/context';\nexport const both = [fs, makeContext];\n";
    const run = spawnSync(process.execPath, [eslint, '--stdin', '--stdin-filename', 'playground/server/plant.ts'], {
      cwd: root,
      input: plant,
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(path.join(root, 'playground', 'server', 'plant.ts'));
    expect(run.stdout).toMatch(
      /\n\s+2:\d+\s+error\s+'\.\.\/\.\.\/scripts\/kata\/context': playground\/server\/ imports only playground\/server\/, lib\/, .*kata\/tiers/,
    );
  });
});

describe("CONTRIBUTING.md's folder map", () => {
  const text = fs.readFileSync(path.join(root, 'CONTRIBUTING.md'), 'utf8');
  const map = text.slice(text.indexOf('<!-- folder map'), text.indexOf('<!-- end of folder map -->'));
  const rows = map
    .split('\n')
    .filter((line) => /^\| `[^`]+\/` \|/.test(line))
    .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| |\s*\|$/g, '')));

  it('lists every tier once, and says what each may import as scripts/tiers.json does', () => {
    expect(rows.map((r) => r[0])).toEqual(tiers.map((t) => `\`${t.folder}/\``));
    for (const tier of tiers) {
      const row = rows.find((r) => r[0] === `\`${tier.folder}/\``)!;
      expect([tier.folder, row[2]]).toEqual([tier.folder, describeTier(tier)]);
    }
  });

  it('covers every folder of the repository that holds code', () => {
    const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n');
    const folders = new Set(tracked.filter((f) => /\.(ts|cts|mts|js|cjs|mjs)$/.test(f) && f.includes('/')).map((f) => f.split('/')[0]));
    expect([...folders].filter((top) => !tiers.some((t) => t.folder === top))).toEqual([]);
  });
});
