import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lintWorkflows } from '../../scripts/lint-workflows';
import { repoRoot } from '../../scripts/manifest';

describe('npm run lint:workflows', () => {
  it("finds nothing to say about the project's own workflows", async () => {
    const dir = path.join(repoRoot, '.github', 'workflows');
    const files = fs.readdirSync(dir).map((f) => path.join(dir, f));
    expect(files.length).toBeGreaterThan(0);
    expect(await lintWorkflows(files)).toEqual([]);
  });

  it('names the file, line and mistake of a broken workflow', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-workflow-'));
    try {
      const file = path.join(dir, 'broken.yml');
      fs.writeFileSync(file, 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.node }}\n');
      const [finding, ...rest] = await lintWorkflows([file]);
      expect(rest).toEqual([]);
      expect(finding).toMatch(/broken\.yml:6:\d+: property "node" is not defined/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
