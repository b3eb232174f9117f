/**
 * Loaded by `npm run grade` before each suite (setupFilesAfterEnv): writes
 * the name of the test about to run to KATA_PROGRESS_FILE, so a suite that
 * is stopped at its time limit can say which test never finished.
 */
import fs from 'node:fs';

const progressFile = process.env.KATA_PROGRESS_FILE;
if (progressFile) {
  beforeEach(() => {
    fs.writeFileSync(progressFile, expect.getState().currentTestName ?? '');
  });
}
