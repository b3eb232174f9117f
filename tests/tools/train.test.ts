/**
 * The pieces of `npm run train` that do not train anything: the command
 * line, the progress bar, the report's charts specs, pictures and HTML.
 * (The report's rendering with vega runs in the script itself.)
 */
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';
import {
  confusionSpec,
  epochLossSpec,
  iterationLossSpec,
  movingAverage,
  paddedDomain,
  smoothingWindow,
  thin,
  validationAccuracySpec,
} from '../../scripts/report/charts';
import { divergingColor, filtersGrid, mistakesGrid } from '../../scripts/report/digits';
import type { EpochRecord, IterationRecord } from '../../scripts/report/history';
import { escapeHtml, Html, htmlTable } from '../../scripts/report/html';
import { crc32, encodePng } from '../../scripts/report/png';
import { formatLr, humanSeconds, learningRateText } from '../../scripts/report/report';
import { UsageError } from '../../scripts/cli/command';
import { confusionTable, DEFAULTS, defaultRunFolder, displayPath, parseTrainArgs, runWarning, USAGE } from '../../scripts/train';
import { formatDuration, groupThousands, isInteractive, ProgressBar, renderBar } from '../../scripts/ui/progress';

const options = (argv: string[]) => {
  const parsed = parseTrainArgs(argv, new Date(2025, 0, 2, 3, 4, 5));
  if (parsed.help) throw new Error('expected options, got help');
  return parsed.options;
};

describe('train: command line', () => {
  it('defaults: adam, the default epochs and batch size, all images, a timestamped run folder', () => {
    const o = options([]);
    expect(o).toEqual({
      epochs: DEFAULTS.epochs,
      lrDecay: DEFAULTS.lrDecay,
      batchSize: DEFAULTS.batchSize,
      optimizer: 'adam',
      model: 'sheet',
      seed: 0,
      out: defaultRunFolder('sheet', new Date(2025, 0, 2, 3, 4, 5)),
    });
    expect(o.out).toMatch(/[/\\]runs[/\\]20250102-030405-sheet$/);
    expect(o.lr).toBeUndefined();
    expect(o.limit).toBeUndefined();
  });

  it('reads every option, as "--name value" or "--name=value"', () => {
    const o = options([
      '--epochs',
      '3',
      '--batch-size=64',
      '--lr',
      '5e-4',
      '--lr-decay',
      '0.7',
      '--optimizer',
      'momentum',
      '--model=lenet',
      '--limit',
      '5000',
      '--seed',
      '7',
      '--out',
      'runs/x',
    ]);
    expect(o).toEqual({
      epochs: 3,
      lrDecay: 0.7,
      batchSize: 64,
      lr: 5e-4,
      optimizer: 'momentum',
      model: 'lenet',
      limit: 5000,
      seed: 7,
      out: path.resolve('runs/x'),
    });
  });

  it('formatLr rounds away the float noise of lr * lrDecay^k', () => {
    expect(formatLr(0.002 * 0.4 ** 2)).toBe('0.00032');
    expect(formatLr(0.000125)).toBe('0.000125');
  });

  it('learningRateText names the schedule', () => {
    expect(learningRateText(0.001, 1)).toBe('0.001');
    expect(learningRateText(0.002, 0.5)).toBe('0.002, x 0.5 after every epoch');
  });

  it('the run folder name follows the model', () => {
    expect(options(['--model', 'lenet']).out).toMatch(/20250102-030405-lenet$/);
  });

  it('--help and -h ask for the usage, which lists every option', () => {
    expect(parseTrainArgs(['--epochs', '3', '--help'])).toEqual({ help: true });
    expect(parseTrainArgs(['-h'])).toEqual({ help: true });
    for (const flag of ['--epochs', '--batch-size', '--lr', '--lr-decay', '--optimizer', '--model', '--limit', '--seed', '--out', '--help']) {
      expect(USAGE).toContain(flag);
    }
  });

  it.each([
    [['--epochs', '0'], '--epochs expects a whole number >= 1, got "0"'],
    [['--epochs=0'], '--epochs expects a whole number >= 1, got "0"'],
    [['--epochs', '2.5'], '--epochs expects a whole number >= 1, got "2.5"'],
    [['--epochs', 'three'], '--epochs expects a whole number >= 1, got "three"'],
    [['--batch-size=-4'], '--batch-size expects a whole number >= 1, got "-4"'],
    [['--batch-size', '-4'], '--batch-size needs a value (one that starts with "-" is written --batch-size=-...)'],
    [['--lr', '0'], '--lr expects a number > 0, got "0"'],
    [['--lr=-0.1'], '--lr expects a number > 0, got "-0.1"'],
    [['--optimizer', 'rmsprop'], '--optimizer expects one of sgd, adagrad, momentum, adam, got "rmsprop"'],
    [['--model', 'vgg16'], '--model expects one of sheet, lenet, got "vgg16"'],
    [['--limit', '5'], '--limit expects a whole number from 12 to 60000, got "5"'],
    [['--limit', '70000'], '--limit expects a whole number from 12 to 60000, got "70000"'],
    [['--seed=-1'], '--seed expects a whole number from 0 to 2147483647, got "-1"'],
    [['--lr-decay', '0'], '--lr-decay expects a number > 0, got "0"'],
    [['--lr-decay', '1.5'], '--lr-decay expects a number in (0, 1], got "1.5"'],
    [['--epochs'], '--epochs needs a value'],
    [['--out='], '--out needs a value'],
    [['--epoch', '3'], 'unknown option --epoch'],
    [['3'], 'unexpected argument "3"'],
    [['--seed', '1', '--seed', '2'], '--seed is given twice'],
  ])('rejects %j: %s', (argv, message) => {
    expect(() => parseTrainArgs(argv)).toThrow(new UsageError(message));
  });

  it('a run at chance level or with an exploding loss ends with a warning', () => {
    expect(runWarning([{ trainLoss: 0.05, valAccuracy: 0.99 }], 0.002)).toBeNull();
    expect(runWarning([{ trainLoss: 2.31, valAccuracy: 0.0974 }], 1e9)).toBe(
      'warning: the validation accuracy ended at 9.74%, below twice chance (chance is 10% for 10 classes); the network learned nothing; the learning rate 1000000000 is probably too large for this optimizer: try a smaller --lr',
    );
    expect(
      runWarning(
        [
          { trainLoss: 0.3, valAccuracy: 0.9 },
          { trainLoss: 9.5, valAccuracy: 0.5 },
        ],
        0.5,
      ),
    ).toMatch(/^warning: the training loss ended at 9\.5000, worse than guessing \(2\.3026\)/);
  });

  it('displayPath: relative inside the base folder, absolute outside', () => {
    expect(displayPath('/repo/runs/a', '/repo')).toBe(path.join('runs', 'a'));
    expect(displayPath('/elsewhere/a', '/repo')).toBe(path.resolve('/elsewhere/a'));
    expect(displayPath('/repo', '/repo')).toBe('.');
  });

  it('confusionTable: aligned rows per true class with recall, and a precision row', () => {
    const text = confusionTable(
      [
        [8, 2],
        [1, 9],
      ],
      [8 / 9, 9 / 11],
      [0.8, 0.9],
    );
    expect(text.split('\n')).toEqual([
      'true\\pred     0     1  recall',
      '---------  ----  ----  ------',
      '0             8     2  80.00%',
      '1             1     9  90.00%',
      'precision  88.9  81.8',
    ]);
  });
});

/** A stream that records what is written. */
const recorder = (isTTY: boolean) => {
  const chunks: string[] = [];
  const stream = { isTTY, columns: 200, write: (s: string) => (chunks.push(s), true) } as unknown as NodeJS.WritableStream & { isTTY: boolean };
  return { stream, chunks };
};

describe('progress bar', () => {
  it('formats durations, thousands and bars', () => {
    expect([formatDuration(0), formatDuration(7.4), formatDuration(205), formatDuration(3723), formatDuration(NaN)]).toEqual([
      '0:00',
      '0:07',
      '3:25',
      '1:02:03',
      '--:--',
    ]);
    expect([groupThousands(0), groupThousands(999), groupThousands(1234567), groupThousands(1234.5)]).toEqual(['0', '999', '1,234,567', '1,234.5']);
    expect(renderBar(0.5, 10)).toBe('█████░░░░░');
    expect(renderBar(2, 4)).toBe('████');
    expect(renderBar(-1, 4)).toBe('░░░░');
  });

  it('is interactive only on a terminal outside CI', () => {
    expect(isInteractive({ isTTY: true }, {})).toBe(true);
    expect(isInteractive({ isTTY: false }, {})).toBe(false);
    expect(isInteractive({}, {})).toBe(false);
    expect(isInteractive({ isTTY: true }, { CI: 'true' })).toBe(false);
    expect(isInteractive({ isTTY: true }, { CI: 'false' })).toBe(true);
    expect(isInteractive({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  it('not a terminal: one plain line per 10%, with rate and ETA, no carriage returns', () => {
    let now = 0;
    const { stream, chunks } = recorder(false);
    const bar = new ProgressBar({ total: 1000, label: 'epoch 1/2', unit: 'img', stream, now: () => now });
    for (let done = 50; done <= 1000; done += 50) {
      now += 500; // 50 images every half second: 100 img/s
      bar.update(done, { loss: '0.5000' });
    }
    bar.finish();
    expect(chunks).toHaveLength(10);
    expect(chunks.every((c) => c.endsWith('\n') && !c.includes('\r'))).toBe(true);
    expect(chunks[0]).toBe('epoch 1/2   10%  100/1,000  loss 0.5000  100 img/s  ETA 0:09\n');
    expect(chunks[9]).toBe('epoch 1/2  100%  1,000/1,000  loss 0.5000  100 img/s  took 0:10\n');
  });

  it('not a terminal: a big jump prints one line, not one per skipped step', () => {
    const { stream, chunks } = recorder(false);
    const bar = new ProgressBar({ total: 100, stream, now: () => 0 });
    bar.update(95);
    bar.update(100);
    expect(chunks).toHaveLength(2);
  });

  it('terminal: redraws one line in place at most every 100 ms, always draws the end, and clears on finish', () => {
    let now = 0;
    const { stream, chunks } = recorder(true);
    const bar = new ProgressBar({ total: 10, label: 'test', stream, interactive: true, width: 10, now: () => now });
    bar.update(1);
    now += 50;
    bar.update(2); // too soon: skipped
    now += 60;
    bar.update(3);
    bar.update(10); // the end: always drawn
    bar.finish();
    expect(chunks).toHaveLength(4);
    expect(chunks.slice(0, 3).every((c) => c.startsWith('\r\x1b[2K') && !c.includes('\n'))).toBe(true);
    expect(chunks[1]).toContain('test  [███░░░░░░░]   30%  3/10');
    expect(chunks[2]).toContain('[██████████]  100%  10/10');
    expect(chunks[3]).toBe('\r\x1b[2K');
  });

  it('at 80 columns the bar shrinks, then counts and rate go, before the ETA', () => {
    let now = 0;
    const bar = new ProgressBar({ total: 55000, label: 'epoch 1/6', unit: 'img', stream: recorder(true).stream, width: 24, now: () => now });
    now = 10_000;
    bar.update(28600, { loss: '0.0841', 'val acc': '98.41%' });
    const wide = bar.line(true);
    expect(wide.length).toBeGreaterThan(80);
    const fitted = bar.line(true, 80);
    expect(fitted.length).toBeLessThan(80);
    expect(fitted).toMatch(/ETA \d+:\d\d$/);
    expect(fitted).toContain('[█████░░░░░]');
    expect(bar.line(true, 40)).toBe('epoch 1/6   52%  ETA 0:09');
    expect(fitted).toBe('epoch 1/6  [█████░░░░░]   52%  loss 0.0841  val acc 98.41%  ETA 0:09');
  });

  it('rejects a total that is not a positive number', () => {
    expect(() => new ProgressBar({ total: 0 })).toThrow('ProgressBar: total must be a number > 0, got 0');
  });
});

describe('report: chart data', () => {
  it('movingAverage: a trailing mean over what is available', () => {
    expect(movingAverage([2, 4, 6, 8], 2)).toEqual([2, 3, 5, 7]);
    expect(movingAverage([1, 2, 3], 5)).toEqual([1, 1.5, 2]);
    expect(() => movingAverage([1], 0)).toThrow('movingAverage: window must be a whole number >= 1, got 0');
  });

  it('movingAverage property: equals the mean of the window, written directly', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 20 }), (values, w) => {
        const out = movingAverage(values, w);
        out.forEach((v, i) => {
          const window = values.slice(Math.max(0, i - w + 1), i + 1);
          expect(v).toBeCloseTo(window.reduce((a, b) => a + b, 0) / window.length, 9);
        });
      }),
    );
  });

  it('smoothingWindow and thin keep long series light', () => {
    expect([smoothingWindow(5), smoothingWindow(1719), smoothingWindow(100000)]).toEqual([1, 86, 200]);
    expect(thin(5, 10)).toEqual([0, 1, 2, 3, 4]);
    const picked = thin(10000, 100);
    expect(picked.length).toBeLessThanOrEqual(101);
    expect(picked[0]).toBe(0);
    expect(picked[picked.length - 1]).toBe(9999);
  });

  it('paddedDomain: a margin around the values, clamped to [0, upper]', () => {
    const close = (actual: [number, number], expected: [number, number]) => actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
    close(paddedDomain([99.1], 0.1, 100), [99, 99.2]); // one value: the minimum margin
    close(paddedDomain([0.05, 0.25], 0.01), [0.02, 0.28]); // 15% of the range
    close(paddedDomain([99.95], 0.1, 100), [99.85, 100]);
    close(paddedDomain([0.001], 0.01), [0, 0.011]);
  });

  const iterations: IterationRecord[] = [1, 1, 1, 2, 2, 2].map((epoch, i) => ({ epoch, iteration: (i % 3) + 1, step: i + 1, loss: 2 - i * 0.3 }));
  const epochs: EpochRecord[] = [1, 2].map((epoch) => ({
    epoch,
    lr: 0.001,
    trainLoss: 1 / epoch,
    valLoss: 0.5 / epoch,
    valAccuracy: 0.9 + epoch / 100,
    seconds: 10,
    imagesPerSecond: 100,
  }));

  it('iteration loss: raw and smoothed series, and a rule where an epoch ends', () => {
    const spec = iterationLossSpec(iterations) as { layer: { data: { values: Record<string, unknown>[] } }[] };
    expect(spec.layer[0].data.values).toEqual([{ step: 3 }]);
    const series = spec.layer[1].data.values;
    expect(series).toHaveLength(12);
    expect(series[0]).toEqual({ step: 1, loss: 2, series: 'per iteration' });
  });

  it('epoch charts: train and validation loss, accuracy in percent', () => {
    const loss = epochLossSpec(epochs) as { data: { values: unknown[] } };
    expect(loss.data.values).toEqual([
      { epoch: 1, loss: 1, series: 'train' },
      { epoch: 1, loss: 0.5, series: 'validation' },
      { epoch: 2, loss: 0.5, series: 'train' },
      { epoch: 2, loss: 0.25, series: 'validation' },
    ]);
    const acc = validationAccuracySpec(epochs) as { data: { values: { accuracy: number }[] } };
    expect(acc.data.values.map((v) => v.accuracy)).toEqual([91, 92]);
  });

  it('confusion heat map: one cell per (true, predicted) pair, diagonal marked correct', () => {
    const spec = confusionSpec([
      [5, 1],
      [0, 4],
    ]) as { data: { values: { true: string; predicted: string; count: number; kind: string }[] } };
    expect(spec.data.values).toEqual([
      { true: '0', predicted: '0', count: 5, kind: 'correct' },
      { true: '0', predicted: '1', count: 1, kind: 'mistake' },
      { true: '1', predicted: '0', count: 0, kind: 'mistake' },
      { true: '1', predicted: '1', count: 4, kind: 'correct' },
    ]);
  });
});

/** Decodes a PNG written by encodePng (filter type 0 only): width, height, colour type, pixels. */
function decodePng(png: Buffer): { width: number; height: number; colorType: number; pixels: Buffer } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let at = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  const idat: Buffer[] = [];
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      colorType = data[9];
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const channels = colorType === 2 ? 3 : 1;
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * channels + 1)]).toBe(0);
    rows.push(raw.subarray(y * (width * channels + 1) + 1, (y + 1) * (width * channels + 1)));
  }
  return { width, height, colorType, pixels: Buffer.concat(rows) };
}

describe('report: pictures', () => {
  it('crc32 of "123456789" is the standard check value 0xCBF43926', () => {
    expect(crc32(Buffer.from('123456789', 'ascii'))).toBe(0xcbf43926);
  });

  it('encodePng round-trips grey and RGB pixels', () => {
    const grey = Uint8Array.from({ length: 3 * 2 }, (_, i) => i * 40);
    expect(decodePng(encodePng(3, 2, grey, 1))).toEqual({ width: 3, height: 2, colorType: 0, pixels: Buffer.from(grey) });
    const rgb = Uint8Array.from({ length: 2 * 2 * 3 }, (_, i) => 255 - i);
    expect(decodePng(encodePng(2, 2, rgb, 3))).toEqual({ width: 2, height: 2, colorType: 2, pixels: Buffer.from(rgb) });
    expect(() => encodePng(2, 2, grey, 1)).toThrow('encodePng: expected 2x2x1 = 4 bytes, got 6');
  });

  it('divergingColor: white at 0, blue below, red above, clamped', () => {
    expect(divergingColor(0)).toEqual([255, 255, 255]);
    expect(divergingColor(-1)).toEqual([33, 102, 172]);
    expect(divergingColor(1)).toEqual([178, 24, 43]);
    expect(divergingColor(5)).toEqual([178, 24, 43]);
  });

  it('mistakesGrid: one captioned image per mistake, dark ink on white', () => {
    const pixels = new Float64Array(784);
    pixels[0] = 1;
    const html = mistakesGrid([{ pixels, index: 42, label: 4, predicted: 9, confidence: 0.874 }]);
    expect(html).toContain('<span class="true">4</span> → <span class="pred">9</span>');
    expect(html).toContain('87% · #42');
    const uri = /src="data:image\/png;base64,([^"]+)"/.exec(html)![1];
    const png = decodePng(Buffer.from(uri, 'base64'));
    expect([png.width, png.height, png.pixels[0], png.pixels[1]]).toEqual([28, 28, 0, 255]);
    expect(mistakesGrid([])).toContain('No test image was misclassified');
  });

  it('filtersGrid: one tile per filter and channel', () => {
    const html = filtersGrid({ shape: [3, 2, 3, 3], data: Float64Array.from({ length: 54 }, (_, i) => i - 27) });
    expect(html.match(/<figure class="filter"/g)).toHaveLength(6);
    expect(html).toContain('filter 2, channel 1');
    expect(filtersGrid({ shape: [10, 784], data: new Float64Array(7840) })).toContain('not a convolution');
  });
});

describe('report: HTML', () => {
  it('escapes text, keeps prebuilt Html', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const table = htmlTable(['a', 'b'], [['<1>', new Html('<b>2</b>')]], { align: ['left', 'right'] });
    expect(table).toContain('<td>&lt;1&gt;</td><td class="num"><b>2</b></td>');
  });

  it('humanSeconds', () => {
    expect([humanSeconds(8.24), humanSeconds(42.4), humanSeconds(75.4), humanSeconds(3725)]).toEqual(['8.2 s', '42 s', '1 min 15 s', '1 h 2 min']);
  });
});
