/**
 * lib/summary.ts: output shapes and parameter counts from layer descriptions.
 *
 * Expected values come from the counting oracles of tests/helpers/oracle-sizes.ts,
 * from hand derivations in the comments, from a published total (torchvision's
 * AlexNet) and from the parameters a real classifier allocates (the reference
 * solution of exercise 06, imported explicitly: lib tests run once, not per tree).
 */
import fc from 'fast-check';
import { Scratch2dCNNClassifier, sheetNetwork } from '../../solutions/06-classifier/classifier';
import { convConfigArb, poolConfigArb } from '../helpers/arbitraries';
import type { LayerSpec } from '../../lib/model-spec';
import { allocatedParams, formatSummary, layerName, summarize, summarizeClassifier, withThousands } from '../../lib/summary';
import { countConvParams, countWindowPositions } from '../helpers/oracle-sizes';

const lenet: LayerSpec[] = [
  { type: 'conv2d', outChannels: 6, kernelSize: 5, padding: 2 },
  { type: 'relu' },
  { type: 'maxpool2d', kernelSize: 2 },
  { type: 'conv2d', outChannels: 16, kernelSize: 5 },
  { type: 'relu' },
  { type: 'maxpool2d', kernelSize: 2 },
  { type: 'flatten' },
  { type: 'fc', outFeatures: 120 },
  { type: 'relu' },
  { type: 'fc', outFeatures: 84 },
  { type: 'relu' },
  { type: 'fc', outFeatures: 10 },
];

describe('summarize: shapes and counts', () => {
  it('follows LeNet-5 on [1, 28, 28]: shapes, weights, biases and the 61,706 total', () => {
    const s = summarize(lenet, [1, 28, 28]);
    expect(s.rows.map((r) => [r.index, r.outputShape, r.weights, r.biases, r.params])).toEqual([
      [0, [6, 28, 28], 150, 6, 156], //       (28 + 4 - 5) + 1 = 28; 5*5*1*6
      [1, [6, 28, 28], 0, 0, 0],
      [2, [6, 14, 14], 0, 0, 0], //           stride defaults to the kernel: (28 - 2) / 2 + 1
      [3, [16, 10, 10], 2_400, 16, 2_416], // 5*5*6*16
      [4, [16, 10, 10], 0, 0, 0],
      [5, [16, 5, 5], 0, 0, 0],
      [6, [400], 0, 0, 0],
      [7, [120], 48_000, 120, 48_120],
      [8, [120], 0, 0, 0],
      [9, [84], 10_080, 84, 10_164],
      [10, [84], 0, 0, 0],
      [11, [10], 840, 10, 850],
    ]);
    expect(s.rows[3].inputShape).toEqual([6, 14, 14]);
    expect({ input: s.inputShape, output: s.outputShape, weights: s.totalWeights, biases: s.totalBiases, total: s.totalParams }).toEqual({
      input: [1, 28, 28],
      output: [10],
      weights: 61_470,
      biases: 236,
      total: 61_706,
    });
  });

  it('an empty model outputs its input and has no parameters', () => {
    expect(summarize([], [3, 8, 8])).toEqual({ inputShape: [3, 8, 8], outputShape: [3, 8, 8], rows: [], totalWeights: 0, totalBiases: 0, totalParams: 0 });
  });

  it('floors when the stride does not divide: 20x20, 3x3, stride 2 -> 9x9; pairs give each axis its own size', () => {
    const s = summarize(
      [
        { type: 'conv2d', outChannels: 20, kernelSize: 3, stride: 2 },
        { type: 'avgpool2d', kernelSize: [3, 1], stride: [2, 1], padding: [1, 0] },
      ],
      [10, 20, 20],
    );
    // conv: floor((20 - 3) / 2) + 1 = 9; 3*3*10*20 + 20 = 1,820. pool: height floor((9 + 2 - 3) / 2) + 1 = 5, width 9.
    expect(s.rows.map((r) => [r.outputShape, r.params])).toEqual([
      [[20, 9, 9], 1_820],
      [[20, 5, 9], 0],
    ]);
  });

  it('relu, lrn and dropout keep the shape and hold no parameters', () => {
    const s = summarize([{ type: 'relu' }, { type: 'lrn', size: 5 }, { type: 'lrn' }, { type: 'dropout', rate: 0.5 }], [4, 3, 2]);
    expect(s.rows.map((r) => [r.outputShape, r.params])).toEqual([
      [[4, 3, 2], 0],
      [[4, 3, 2], 0],
      [[4, 3, 2], 0],
      [[4, 3, 2], 0],
    ]);
  });

  it("groups divide the weights of a conv: AlexNet's conv2, 5x5x48 kernels, 307,456 parameters", () => {
    const s = summarize([{ type: 'conv2d', outChannels: 256, kernelSize: 5, padding: 2, groups: 2 }], [96, 27, 27]);
    expect([s.rows[0].outputShape, s.rows[0].weights, s.rows[0].biases]).toEqual([[256, 27, 27], 307_200, 256]);
  });

  it('matches the total torchvision publishes for its AlexNet: 61,100,840', () => {
    const conv = (outChannels: number, kernelSize: number, stride: number, padding: number): LayerSpec => ({
      type: 'conv2d',
      outChannels,
      kernelSize,
      stride,
      padding,
    });
    const pool: LayerSpec = { type: 'maxpool2d', kernelSize: 3, stride: 2 };
    const specs: LayerSpec[] = [
      conv(64, 11, 4, 2),
      pool,
      conv(192, 5, 1, 2),
      pool,
      conv(384, 3, 1, 1),
      conv(256, 3, 1, 1),
      conv(256, 3, 1, 1),
      pool,
      { type: 'flatten' },
      { type: 'fc', outFeatures: 4096 },
      { type: 'fc', outFeatures: 4096 },
      { type: 'fc', outFeatures: 1000 },
    ];
    const s = summarize(specs, [3, 224, 224]);
    expect(s.rows[7].outputShape).toEqual([256, 6, 6]);
    expect(s.totalParams).toBe(61_100_840);
  });
});

describe('summarize: properties against the counting oracles', () => {
  it("a conv layer's output size is the number of window positions and its parameters the listed taps and biases", () => {
    fc.assert(
      fc.property(convConfigArb({ maxSize: 12, maxChannels: 8 }), fc.integer({ min: 1, max: 3 }), (c, groupsWanted) => {
        // Use groups only when it divides both channel counts.
        const groups = c.inChannels % groupsWanted === 0 && c.outChannels % groupsWanted === 0 ? groupsWanted : 1;
        const spec: LayerSpec = { type: 'conv2d', outChannels: c.outChannels, kernelSize: c.kernel, stride: c.stride, padding: c.padding, groups };
        const [row] = summarize([spec], [c.inChannels, c.height, c.width]).rows;
        const expectedShape = [
          c.outChannels,
          countWindowPositions(c.height, c.kernel[0], c.stride[0], c.padding[0]),
          countWindowPositions(c.width, c.kernel[1], c.stride[1], c.padding[1]),
        ];
        const { weights, biases } = countConvParams(c.kernel[0], c.kernel[1], c.inChannels, c.outChannels, groups);
        expect([row.outputShape, row.weights, row.biases, row.params]).toEqual([expectedShape, weights, biases, weights + biases]);
      }),
    );
  });

  it('a pooling layer keeps the channels, slides like a conv (stride defaults to the kernel) and has no parameters', () => {
    fc.assert(
      fc.property(poolConfigArb({ maxSize: 12 }), fc.boolean(), (p, max) => {
        const spec: LayerSpec = {
          type: max ? 'maxpool2d' : 'avgpool2d',
          kernelSize: p.kernel,
          padding: p.padding,
          ...(p.stride ? { stride: p.stride } : {}),
        };
        const stride = p.stride ?? p.kernel;
        const [row] = summarize([spec], [p.channels, p.height, p.width]).rows;
        expect([row.outputShape, row.params]).toEqual([
          [
            p.channels,
            countWindowPositions(p.height, p.kernel[0], stride[0], p.padding[0]),
            countWindowPositions(p.width, p.kernel[1], stride[1], p.padding[1]),
          ],
          0,
        ]);
      }),
    );
  });

  it('flatten multiplies the axes; fc has in * out weights and out biases', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 50 }), (shape, out) => {
        const s = summarize([{ type: 'flatten' }, { type: 'fc', outFeatures: out }], shape);
        let features = 0;
        // Count the features one by one: every index of the input shape is one feature.
        const walk = (axis: number): void => {
          if (axis === shape.length) {
            features++;
            return;
          }
          for (let i = 0; i < shape[axis]; i++) walk(axis + 1);
        };
        walk(0);
        expect(s.rows.map((r) => [r.outputShape, r.weights, r.biases])).toEqual([
          [[features], 0, 0],
          [[out], features * out, out],
        ]);
      }),
    );
  });

  it('the totals are the sums of the rows', () => {
    fc.assert(
      fc.property(convConfigArb({ maxChannels: 4 }), fc.integer({ min: 1, max: 20 }), (c, out) => {
        const specs: LayerSpec[] = [
          { type: 'conv2d', outChannels: c.outChannels, kernelSize: c.kernel, stride: c.stride, padding: c.padding },
          { type: 'relu' },
          { type: 'flatten' },
          { type: 'fc', outFeatures: out },
        ];
        const s = summarize(specs, [c.inChannels, c.height, c.width]);
        const sum = (key: 'weights' | 'biases' | 'params') => s.rows.reduce((t, r) => t + r[key], 0);
        expect([s.totalWeights, s.totalBiases, s.totalParams]).toEqual([sum('weights'), sum('biases'), sum('params')]);
      }),
    );
  });
});

describe('summarize: a built classifier holds what the summary counts', () => {
  it("the sheet's network: every layer allocates exactly the counted parameters (80,758 in all)", () => {
    const clf = new Scratch2dCNNClassifier({ seed: 0 });
    const s = summarizeClassifier(clf);
    expect(s.inputShape).toEqual([1, 28, 28]);
    expect(allocatedParams(clf.layers)).toEqual(s.rows.map((r) => r.params));
    // 8*9 + 8 = 80; 16*72 + 16 = 1,168; 784*100 + 100 = 78,500; 100*10 + 10 = 1,010.
    expect(s.totalParams).toBe(80_758);
    expect(summarize(sheetNetwork(), [1, 28, 28]).totalParams).toBe(80_758);
  });

  it('LeNet-5, and a network with strides, padding pairs and average pooling on [3, 13, 11]', () => {
    const lenetClf = new Scratch2dCNNClassifier({ layers: lenet, seed: 1 });
    expect(allocatedParams(lenetClf.layers)).toEqual(summarizeClassifier(lenetClf).rows.map((r) => r.params));

    const specs: LayerSpec[] = [
      { type: 'conv2d', outChannels: 5, kernelSize: [3, 2], stride: [2, 1], padding: [1, 0] },
      { type: 'relu' },
      { type: 'avgpool2d', kernelSize: 2, stride: 1 },
      { type: 'conv2d', outChannels: 4, kernelSize: 3, stride: 2, padding: 1 },
      { type: 'flatten' },
      { type: 'fc', outFeatures: 7 },
      { type: 'relu' },
      { type: 'fc', outFeatures: 4 },
    ];
    const clf = new Scratch2dCNNClassifier({ layers: specs, inputShape: [3, 13, 11], classes: 4, seed: 2 });
    const s = summarizeClassifier(clf);
    expect(allocatedParams(clf.layers)).toEqual(s.rows.map((r) => r.params));
    // conv1: height floor((13 + 2 - 3) / 2) + 1 = 7, width 11 - 2 + 1 = 10; pool 2 stride 1: [5, 6, 9];
    // conv2: floor((6 + 2 - 3) / 2) + 1 = 3, floor((9 + 2 - 3) / 2) + 1 = 5 -> [4, 3, 5], flatten 60.
    expect(s.rows.map((r) => r.outputShape)).toEqual([[5, 7, 10], [5, 7, 10], [5, 6, 9], [4, 3, 5], [60], [7], [7], [4]]);
  });

  it("an explicit input shape overrides the classifier's; none at all is an error", () => {
    const s = summarizeClassifier({ specs: [{ type: 'flatten' }] }, [2, 3, 4]);
    expect(s.outputShape).toEqual([24]);
    expect(() => summarizeClassifier({ specs: [] })).toThrow(/summarize: expected an input shape \[C, H, W\].*got undefined/);
  });
});

describe('summarize: bad input', () => {
  it('a kernel larger than the padded input names the layer and the sizes', () => {
    expect(() => summarize([{ type: 'relu' }, { type: 'conv2d', outChannels: 2, kernelSize: 7, padding: 1 }], [1, 4, 8])).toThrow(
      /summarize: specs\[1\] \(conv2d\): expected a kernel height <= the padded input height 6 \(input 4 \+ 2 \* padding 1\), got kernel height 7/,
    );
    expect(() => summarize([{ type: 'maxpool2d', kernelSize: [1, 3] }], [1, 4, 2])).toThrow(
      /specs\[0\] \(maxpool2d\): expected a kernel width <= the padded input width 2/,
    );
  });

  it('fc after an image asks for a flatten (no implicit flattening); conv or pool after flatten asks for an image', () => {
    expect(() => summarize([{ type: 'fc', outFeatures: 10 }], [16, 5, 5])).toThrow(
      /summarize: specs\[0\] \(fc\): expected a flat input \[F\], got \[16, 5, 5\]; add \{ type: 'flatten' \} before this layer/,
    );
    expect(() => summarize([{ type: 'flatten' }, { type: 'conv2d', outChannels: 1, kernelSize: 1 }], [1, 2, 2])).toThrow(
      /specs\[1\] \(conv2d\): expected a per-sample image \[C, H, W\], got \[4\]/,
    );
    expect(() => summarize([{ type: 'avgpool2d', kernelSize: 2 }], [8])).toThrow(
      /specs\[0\] \(avgpool2d\): expected a per-sample image \[C, H, W\], got \[8\]/,
    );
  });

  it('rejects sizes that are not whole numbers, and groups that do not divide the channels', () => {
    expect(() => summarize([{ type: 'conv2d', outChannels: 0, kernelSize: 3 }], [1, 5, 5])).toThrow(/outChannels must be a whole number >= 1, got 0/);
    expect(() => summarize([{ type: 'conv2d', outChannels: 2, kernelSize: 3, stride: 1.5 }], [1, 5, 5])).toThrow(
      /stride height must be a whole number >= 1, got 1.5/,
    );
    expect(() => summarize([{ type: 'conv2d', outChannels: 2, kernelSize: 3, padding: [0, -1] }], [1, 5, 5])).toThrow(
      /padding width must be a whole number >= 0, got -1/,
    );
    expect(() => summarize([{ type: 'fc', outFeatures: 2.5 }], [4])).toThrow(/outFeatures must be a whole number >= 1, got 2.5/);
    expect(() => summarize([{ type: 'conv2d', outChannels: 6, kernelSize: 3, groups: 4 }], [8, 5, 5])).toThrow(
      /expected groups to divide both the input channels \(8\) and outChannels \(6\), got groups = 4/,
    );
  });

  it('rejects a bad input shape, a dropout rate outside [0, 1) and an unknown layer type', () => {
    expect(() => summarize([], [])).toThrow(/summarize: expected a per-sample input shape such as \[C, H, W\], got \[\]/);
    expect(() => summarize([], [3, 0, 5])).toThrow(/summarize: inputShape\[1\] must be a whole number >= 1, got 0/);
    expect(() => summarize([{ type: 'dropout', rate: 1 }], [4])).toThrow(/specs\[0\] \(dropout\): expected a dropout rate in \[0, 1\), got 1/);
    expect(() => summarize([{ type: 'dropout', rate: Number.NaN }], [4])).toThrow(/expected a dropout rate in \[0, 1\), got NaN/);
    const unknown = [{ type: 'batchnorm' }] as unknown as LayerSpec[];
    expect(() => summarize(unknown, [4])).toThrow(/specs\[0\] \(batchnorm\): expected a layer type conv2d, .* got \{"type":"batchnorm"\}/);
  });
});

describe('formatSummary: the printed table', () => {
  it('writes thousands separators whatever the locale', () => {
    expect([0, 999, 1_000, 61_706, 138_357_544].map(withThousands)).toEqual(['0', '999', '1,000', '61,706', '138,357,544']);
  });

  it('names layers by their settings', () => {
    expect(
      [
        { type: 'conv2d', outChannels: 96, kernelSize: 11, stride: 4 },
        { type: 'conv2d', outChannels: 6, kernelSize: [5, 3], padding: [2, 1], groups: 2 },
        { type: 'maxpool2d', kernelSize: 3, stride: 2 },
        { type: 'avgpool2d', kernelSize: 2, stride: 2 },
        { type: 'fc', outFeatures: 10 },
        { type: 'dropout', rate: 0.5 },
        { type: 'lrn', size: 5 },
        { type: 'flatten' },
      ].map((spec) => layerName(spec as LayerSpec)),
    ).toEqual([
      'conv2d 96@11x11, stride 4',
      'conv2d 6@5x3, pad 2x1, groups 2',
      'maxpool2d 3x3, stride 2',
      'avgpool2d 2x2',
      'fc 10',
      'dropout 0.5',
      'lrn 5',
      'flatten',
    ]);
  });

  it('prints one aligned row per layer, then the totals (LeNet-5)', () => {
    const text = formatSummary(summarize(lenet, [1, 28, 28]), 'LeNet-5');
    const lines = text.split('\n');
    expect(lines[0]).toBe('LeNet-5');
    expect(lines).toContain(' 0   conv2d 6@5x5, pad 2   [6, 28, 28]       156');
    expect(lines).toContain(' 7   fc 120                [120]          48,120');
    expect(lines).toContain('Total params: 61,706 (weights 61,470, biases 236)');
    expect(lines).toContain('Parameter memory: 241.0 KiB as float32, 482.1 KiB as float64');
    // The layer rows (from "0" to "11") all end in the right-aligned params column.
    const rows = lines.filter((l) => /^\s*\d+ {3}/.test(l));
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((l) => l.length)).size).toBe(1);
  });

  it('summarizes a 138-million-parameter model without allocating it', () => {
    const conv = (outChannels: number): LayerSpec => ({ type: 'conv2d', outChannels, kernelSize: 3, padding: 1 });
    const pool: LayerSpec = { type: 'maxpool2d', kernelSize: 2 };
    const vgg16: LayerSpec[] = [
      conv(64),
      conv(64),
      pool,
      conv(128),
      conv(128),
      pool,
      conv(256),
      conv(256),
      conv(256),
      pool,
      conv(512),
      conv(512),
      conv(512),
      pool,
      conv(512),
      conv(512),
      conv(512),
      pool,
      { type: 'flatten' },
      { type: 'fc', outFeatures: 4096 },
      { type: 'fc', outFeatures: 4096 },
      { type: 'fc', outFeatures: 1000 },
    ];
    const text = formatSummary(summarize(vgg16, [3, 224, 224]));
    expect(text).toContain('Total params: 138,357,544');
    expect(text).toMatch(/fc 4096 +\[4096\] +102,764,544/);
  });
});
