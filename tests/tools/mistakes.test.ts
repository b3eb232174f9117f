/**
 * Every mistake of the manifest, planted in a copy of the reference, is
 * recognised: its detector fires (and no other detector of the exercise),
 * `kata check` says the manifest's sentence, and compare reports the
 * exercise as different from the reference. The untouched reference
 * and the untouched stubs trigger none.
 */
import path from 'node:path';
import { compareExercise } from '../../scripts/compare';
import { detectMistakes, detectors, Loader } from '../../scripts/kata/mistakes';
import { loadManifest, repoRoot } from '../../scripts/manifest';
import { removeTempDirs, runScript, tempDir } from '../fixtures/submissions';
import { plantMistake, PLANTS } from './plants';

afterAll(removeTempDirs);

const manifest = loadManifest();
const mistakes = manifest.exercises.flatMap((e) => e.mistakes.map((m) => ({ exercise: e, mistake: m })));
const loader =
  (tree: string, exercise: string): Loader =>
  (file) =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a tree copied at test time
    require(path.join(tree, exercise, file));
const reference = (exercise: string): Loader => loader(path.join(repoRoot, 'solutions'), exercise);

/** Text as a person reads it: wrapped lines joined, colour codes gone. */
// eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
const plain = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '').replace(/\s+/g, ' ');

describe('recognised mistakes', () => {
  it('the manifest, the detectors and the plants name the same mistakes', () => {
    const ids = mistakes.map((x) => x.mistake.id).sort();
    expect(Object.keys(detectors).sort()).toEqual(ids);
    expect(Object.keys(PLANTS).sort()).toEqual(ids);
  });

  it('none is reported for the reference or for the untouched stubs', () => {
    for (const e of manifest.exercises.filter((x) => x.mistakes.length > 0)) {
      const ids = e.mistakes.map((m) => m.id);
      expect(detectMistakes(ids, reference(e.id), reference(e.id))).toEqual([]);
      expect(detectMistakes(ids, loader(path.join(repoRoot, 'exercises'), e.id), reference(e.id))).toEqual([]);
    }
  });

  describe.each(mistakes.map((x) => [x.mistake.id, x] as const))('%s', (id, { exercise, mistake }) => {
    it('is found by its detector alone', () => {
      const tree = plantMistake(id);
      const found = detectMistakes(
        exercise.mistakes.map((m) => m.id),
        loader(tree, exercise.id),
        reference(exercise.id),
      );
      expect(found).toEqual([id]);
    });

    it('is reported by compare as different, with where', () => {
      const { reports } = compareExercise(exercise.id, plantMistake(id));
      const different = reports.filter((r) => r.state === 'different');
      expect(different.length).toBeGreaterThan(0);
      for (const r of different) expect(r.firstDifference).toMatch(/differs at |has shape /);
    });

    it('is named by kata check in one sentence, English and Japanese', () => {
      const tree = plantMistake(id);
      const env = { KATA_TREE: tree, KATA_STATE_FILE: path.join(tempDir('kata-state-'), 'state.json'), NO_COLOR: '1' };
      const run = runScript('kata', ['check', exercise.id], env, 120_000);
      expect(run.status).toBe(1);
      const out = plain(run.stdout);
      expect(out).toContain('Recognised mistake:');
      expect(out).toContain(plain(mistake.en));
      expect(out.replace(/ /g, '')).toContain(mistake.ja.replace(/\s/g, ''));
    });
  });
});
