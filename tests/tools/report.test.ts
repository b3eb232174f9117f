/**
 * What the training report adds for learners, as chart data and HTML pieces
 * (tests/browser/report.test.ts reads the whole page in a browser).
 */
import fc from 'fast-check';
import { iterationLossSpec, learningRateSpec, movingAverage, validationAccuracySpec } from '../../scripts/report/charts';
import { featureMapTiles, mistakesGrid } from '../../scripts/report/digits';
import type { EpochRecord, IterationRecord } from '../../scripts/report/history';
import { folderName, networkName, runDate, runTitle } from '../../scripts/report/run-title';
import { whoseNetwork } from '../../scripts/trees';

type Values = { data: { values: Record<string, unknown>[] } };

describe('report: the last, partial mini-batch of an epoch', () => {
  // Two epochs of three full mini-batches of 32 and a last one of 2 images with a tiny loss.
  const iterations: IterationRecord[] = [1, 2].flatMap((epoch) =>
    [32, 32, 32, 2].map((samples, i) => ({ epoch, iteration: i + 1, step: 4 * (epoch - 1) + i + 1, loss: samples === 2 ? 0.001 : 1, samples })),
  );

  it('gets no point of its own in the per-iteration series', () => {
    const spec = iterationLossSpec(iterations) as { layer: Values[] };
    const raw = spec.layer[1].data.values.filter((v) => v.series === 'per iteration');
    expect(raw.map((v) => v.step)).toEqual([1, 2, 3, 5, 6, 7]);
  });

  it('weighs in the moving average by its images only', () => {
    const smooth = movingAverage(
      iterations.map((r) => r.loss),
      4,
      iterations.map((r) => r.samples!),
    );
    expect(smooth[3]).toBeCloseTo((3 * 32 * 1 + 2 * 0.001) / (3 * 32 + 2), 12);
  });

  it('property: the weighted average equals the weighted mean of the window, written directly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 10, noNaN: true }), fc.integer({ min: 1, max: 64 })), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 20 }),
        (pairs, w) => {
          const out = movingAverage(
            pairs.map(([v]) => v),
            w,
            pairs.map(([, n]) => n),
          );
          out.forEach((v, i) => {
            const window = pairs.slice(Math.max(0, i - w + 1), i + 1);
            const total = window.reduce((a, [, n]) => a + n, 0);
            expect(v).toBeCloseTo(window.reduce((a, [x, n]) => a + x * n, 0) / total, 9);
          });
        },
      ),
    );
  });
});

describe('report: per-epoch charts', () => {
  const epochs: EpochRecord[] = [1, 2, 3].map((epoch) => ({
    epoch,
    lr: 0.002 * 0.5 ** (epoch - 1),
    trainLoss: 1 / epoch,
    valLoss: 1 / epoch,
    valAccuracy: 0.9 + epoch / 100,
    trainAccuracy: 0.91 + epoch / 100,
    seconds: 1,
    imagesPerSecond: 1,
  }));

  it('the learning rate of each epoch', () => {
    expect((learningRateSpec(epochs) as Values).data.values).toEqual([
      { epoch: 1, lr: 0.002 },
      { epoch: 2, lr: 0.001 },
      { epoch: 3, lr: 0.0005 },
    ]);
  });

  it('training accuracy beside validation accuracy, in percent', () => {
    const values = (validationAccuracySpec(epochs) as Values).data.values;
    expect(values.filter((v) => v.series !== 'validation').map((v) => Math.round(Number(v.accuracy)))).toEqual([92, 93, 94]);
    expect(values.filter((v) => v.series === 'validation').map((v) => Math.round(Number(v.accuracy)))).toEqual([91, 92, 93]);
  });
});

describe('report: pictures', () => {
  it('a misclassified digit carries three bars, the true class marked', () => {
    const html = mistakesGrid([
      {
        pixels: new Float64Array(784),
        index: 3,
        label: 4,
        predicted: 9,
        confidence: 0.6,
        top3: [
          { cls: 9, p: 0.6 },
          { cls: 4, p: 0.3 },
          { cls: 7, p: 0.1 },
        ],
      },
    ]);
    expect(html.match(/class="top( is-true)?"/g)).toEqual(['class="top"', 'class="top is-true"', 'class="top"']);
    expect(html).toContain('width:60.0%');
  });

  it('a feature map has one tile per channel', () => {
    const html = featureMapTiles(
      [3, 4, 5],
      new Float64Array(60).map((_, i) => i - 30),
      'conv2d',
    );
    expect(html.match(/<img /g)).toHaveLength(3);
    expect(html).toContain('alt="conv2d, channel 2"');
  });
});

describe('report and playground: whose network, and a title for people', () => {
  it("names whose layers trained the run, from history.json's tree", () => {
    expect(whoseNetwork('exercises')).toBe('Trained with your layers (exercises/)');
    expect(whoseNetwork('engine+solutions')).toBe('The reference (solutions/ with the engine)');
    expect(whoseNetwork('solutions')).toBe('The reference (solutions/)');
    expect(whoseNetwork('/home/someone/kata/my-layers/')).toBe('Trained with the layers in my-layers');
    expect(whoseNetwork('..\\my-layers')).toBe('Trained with the layers in my-layers');
    expect(whoseNetwork('exercises', 'ja')).toBe('あなたの層で学習（exercises/）');
    expect(whoseNetwork('my-layers', 'ja')).toBe('my-layers の層で学習');
  });

  it('folder names: the last part of a path, either slash', () => {
    expect(['runs/20261204-184656-sheet', 'C:\\runs\\a\\', './b', 'c'].map(folderName)).toEqual(['20261204-184656-sheet', 'a', 'b', 'c']);
  });

  it('titles a run by its network and date, not its folder', () => {
    expect(networkName('sheet', 10)).toBe('Sheet network');
    expect(networkName('lenet', 12)).toBe('LeNet-5');
    expect(networkName(null, 8)).toBe('Network of 8 layers');
    expect(runDate('2026-12-04T18:46:56.000Z', 'en', 'UTC')).toBe('4 December 2026, 18:46');
    expect(runDate('2026-12-04T18:46:56.000Z', 'ja', 'Asia/Tokyo')).toBe('2026年12月5日 03:46');
    expect(runTitle('sheet', 10, null)).toBe('Sheet network');
    expect(runTitle('sheet', 10, 'not a date')).toBe('Sheet network');
  });
});
