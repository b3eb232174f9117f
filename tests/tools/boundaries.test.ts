/**
 * scripts/boundaries.ts: the import rules of the two tiers. A small fake
 * repository breaks each rule once; the real one breaks none.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkBoundaries, formatViolation } from '../../scripts/boundaries';

function fakeRepo(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-boundaries-'));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

describe('checkBoundaries', () => {
  it('finds nothing wrong in this repository', () => {
    expect(checkBoundaries(path.resolve(__dirname, '..', '..')).map(formatViolation)).toEqual([]);
  });

  it('names the file, the line and the import of every broken rule, and accepts the allowed ones', () => {
    const root = fakeRepo({
      'lib/tensor.ts': "import fs from 'node:fs';\nexport const t = 1;\n",
      'lib/leak.ts': "import { Conv2d } from '../solutions/01-conv2d/conv2d';\n",
      'engine/fast.ts': "import { t } from '../lib/tensor';\nimport { x } from './other';\nimport { y } from '../scripts/train';\n",
      'solutions/01-conv2d/conv2d.ts': "import { t } from '../../lib/tensor';\nimport { w } from '../../engine/fast';\n",
      'solutions/03-max-pool2d/pool.ts': "import { s } from '../02-output-size/output-size';\nimport { c } from '../06-classifier/classifier';\n",
      'exercises/02-output-size/output-size.ts': "export const z = require('../../solutions/02-output-size/output-size');\nimport fs from 'node:fs';\n",
      'exercises/05-flatten/flatten.ts': "import fc from 'fast-check';\n",
    });
    expect(checkBoundaries(root).map(formatViolation).sort()).toEqual(
      [
        "engine/fast.ts:3 imports '../scripts/train': engine/ imports only engine/ and lib/",
        "exercises/02-output-size/output-size.ts:1 imports '../../solutions/02-output-size/output-size': exercises/ imports only lib/ and exercises of its own tree",
        "exercises/02-output-size/output-size.ts:2 imports 'node:fs': exercises/ imports only lib/ and earlier exercises, not Node's modules",
        "exercises/05-flatten/flatten.ts:1 imports 'fast-check': exercises/ imports no packages",
        "lib/leak.ts:1 imports '../solutions/01-conv2d/conv2d': lib/ imports only lib/",
        "solutions/01-conv2d/conv2d.ts:2 imports '../../engine/fast': solutions/ imports only lib/ and exercises of its own tree",
        "solutions/03-max-pool2d/pool.ts:2 imports '../06-classifier/classifier': solutions/ imports only lib/ and earlier exercises",
      ].sort(),
    );
  });
});
