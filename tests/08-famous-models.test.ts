/**
 * Exercise 08: AlexNet and VGG16 as layer lists.
 *
 * lib/summary.ts walks the learner's lists; every expected shape and count
 * below is derived by hand in the comments, with
 *   conv/pool: out = floor((N + 2P - F) / S) + 1
 *   conv params: FH * FW * (C_in / groups) * C_out + C_out,  fc params: in * out + out.
 * The totals are the published ones (see the exercise README for sources).
 */
import fc from 'fast-check';
import { type AlexNetVariant, alexnet, vgg16 } from '@kata/08-famous-models/models';
import { toPair } from '../lib/checks';
import type { LayerSpec } from '../lib/model-spec';
import { summarize, type ModelSummary } from '../lib/summary';

const SHAPED = new Set(['conv2d', 'maxpool2d', 'avgpool2d', 'flatten', 'fc']);

/** The layers that change the shape, with what the summary computes for them. */
function skeleton(summary: ModelSummary): { type: string; outputShape: number[]; params: number }[] {
  return summary.rows.filter((row) => SHAPED.has(row.spec.type)).map((row) => ({ type: row.spec.type, outputShape: row.outputShape, params: row.params }));
}

/** Conv and pool settings written the same way whether given as numbers or pairs. */
function windows(specs: LayerSpec[]): string[] {
  const one = (value: Parameters<typeof toPair>[2] | undefined, fallback: number) => toPair('test', 'value', value ?? fallback).join('x');
  return specs.flatMap((spec) => {
    if (spec.type === 'conv2d') {
      return [`conv ${spec.outChannels} k${one(spec.kernelSize, 0)} s${one(spec.stride, 1)} p${one(spec.padding, 0)} g${spec.groups ?? 1}`];
    }
    if (spec.type === 'maxpool2d') {
      return [`maxpool k${one(spec.kernelSize, 0)} s${one(spec.stride ?? spec.kernelSize, 0)} p${one(spec.padding, 0)}`];
    }
    return [];
  });
}

/** Every conv and fc except the last is followed by a relu before the next layer that changes the shape; the last fc gives raw scores. */
function expectReluAfterEachLayer(specs: LayerSpec[]): void {
  const weighted = specs.map((s, i) => ({ s, i })).filter(({ s }) => s.type === 'conv2d' || s.type === 'fc');
  weighted.forEach(({ s, i }, k) => {
    const next = specs.slice(i + 1).findIndex((t) => SHAPED.has(t.type));
    const between = next < 0 ? specs.slice(i + 1) : specs.slice(i + 1, i + 1 + next);
    const hasRelu = between.some((t) => t.type === 'relu');
    expect({ layer: `specs[${i}] ${s.type}`, followedByRelu: hasRelu }).toEqual({
      layer: `specs[${i}] ${s.type}`,
      followedByRelu: k < weighted.length - 1,
    });
  });
}

const count = (specs: LayerSpec[], type: string): number => specs.filter((s) => s.type === type).length;

/** One shape-changing layer as the closed formulas below give it. */
type Expected = { type: string; outputShape: number[]; params: number };
const convOut = (n: number, f: number, s: number, p: number): number => Math.floor((n + 2 * p - f) / s) + 1;

/**
 * VGG16 on [C, H, W], from the paper's table, not from any list: 3x3 pad 1 keeps the size,
 * each 2x2 pool floors it to half; conv params 9 * C_in * C_out + C_out; fc in * out + out.
 */
function vggFormula(C: number, H: number, W: number): Expected[] {
  const rows: Expected[] = [];
  let [c, h, w] = [C, H, W];
  for (const [channels, convs] of [
    [64, 2],
    [128, 2],
    [256, 3],
    [512, 3],
    [512, 3],
  ]) {
    for (let k = 0; k < convs; k++) {
      rows.push({ type: 'conv2d', outputShape: [channels, h, w], params: 9 * c * channels + channels });
      c = channels;
    }
    [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
    rows.push({ type: 'maxpool2d', outputShape: [c, h, w], params: 0 });
  }
  return [...rows, ...classifierHead(c * h * w)];
}

/** Both papers' head: flatten, then fc 4096, fc 4096, fc 1000 (relu and dropout hold no parameters). */
function classifierHead(features: number): Expected[] {
  return [
    { type: 'flatten', outputShape: [features], params: 0 },
    ...[
      [features, 4096],
      [4096, 4096],
      [4096, 1000],
    ].map(([from, to]) => ({ type: 'fc', outputShape: [to], params: from * to + to })),
  ];
}

/**
 * AlexNet on [C, H, W]: conv1 11x11 stride 4 (torchvision: padding 2), max pools 3 stride 2, conv2 5x5
 * pad 2, conv3-5 3x3 pad 1; filters 96, 256, 384, 384, 256 (torchvision 64, 192, 384, 256, 256);
 * 'two-gpu' splits conv2, conv4 and conv5 in 2 groups (each filter reads half the channels).
 */
function alexnetFormula(variant: AlexNetVariant, C: number, H: number, W: number): Expected[] {
  const tv = variant === 'torchvision';
  const g = variant === 'two-gpu' ? 2 : 1;
  const filters = tv ? [64, 192, 384, 256, 256] : [96, 256, 384, 384, 256];
  const groups = tv ? [1, 1, 1, 1, 1] : [1, g, 1, g, g];
  const kernels = [11, 5, 3, 3, 3];
  const strides = [4, 1, 1, 1, 1];
  const pads = [tv ? 2 : 0, 2, 1, 1, 1];
  const poolAfter = [true, true, false, false, true];
  const rows: Expected[] = [];
  let [c, h, w] = [C, H, W];
  for (let i = 0; i < 5; i++) {
    const [f, s, p] = [kernels[i], strides[i], pads[i]];
    [h, w] = [convOut(h, f, s, p), convOut(w, f, s, p)];
    rows.push({ type: 'conv2d', outputShape: [filters[i], h, w], params: f * f * (c / groups[i]) * filters[i] + filters[i] });
    c = filters[i];
    if (poolAfter[i]) {
      [h, w] = [convOut(h, 3, 2, 0), convOut(w, 3, 2, 0)];
      rows.push({ type: 'maxpool2d', outputShape: [c, h, w], params: 0 });
    }
  }
  return [...rows, ...classifierHead(c * h * w)];
}

describe('08 famous models: VGG16 (input [3, 224, 224])', () => {
  it('property: on random inputs [C, H, W] it has the shapes and parameter counts of the closed formula', () => {
    // H, W >= 32 so that five halvings leave at least one pixel.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 32, max: 300 }), fc.integer({ min: 32, max: 300 }), (C, H, W) => {
        const summary = summarize(vgg16(), [C, H, W]);
        const expected = vggFormula(C, H, W);
        expect({ input: [C, H, W], layers: skeleton(summary) }).toEqual({ input: [C, H, W], layers: expected });
        expect(summary.totalParams).toBe(expected.reduce((sum, row) => sum + row.params, 0));
      }),
      { numRuns: 60 },
    );
  });

  it('uses thirteen 3x3 convolutions with padding 1 in five blocks, each closed by a 2x2 max pool', () => {
    const c = (n: number) => `conv ${n} k3x3 s1x1 p1x1 g1`;
    const pool = 'maxpool k2x2 s2x2 p0x0';
    expect(windows(vgg16())).toEqual([
      c(64),
      c(64),
      pool,
      c(128),
      c(128),
      pool,
      c(256),
      c(256),
      c(256),
      pool,
      c(512),
      c(512),
      c(512),
      pool,
      c(512),
      c(512),
      c(512),
      pool,
    ]);
  });

  it('every shape-changing layer has the expected output shape and parameter count', () => {
    // 3x3 pad 1 keeps the size: (N + 2 - 3) / 1 + 1 = N; each pool halves it: 224 -> 112 -> 56 -> 28 -> 14 -> 7.
    // conv params 3*3*C_in*C_out + C_out.
    expect(skeleton(summarize(vgg16(), [3, 224, 224]))).toEqual([
      { type: 'conv2d', outputShape: [64, 224, 224], params: 1_792 }, //       9*3*64 + 64
      { type: 'conv2d', outputShape: [64, 224, 224], params: 36_928 }, //      9*64*64 + 64
      { type: 'maxpool2d', outputShape: [64, 112, 112], params: 0 },
      { type: 'conv2d', outputShape: [128, 112, 112], params: 73_856 }, //     9*64*128 + 128
      { type: 'conv2d', outputShape: [128, 112, 112], params: 147_584 }, //    9*128*128 + 128
      { type: 'maxpool2d', outputShape: [128, 56, 56], params: 0 },
      { type: 'conv2d', outputShape: [256, 56, 56], params: 295_168 }, //      9*128*256 + 256
      { type: 'conv2d', outputShape: [256, 56, 56], params: 590_080 }, //      9*256*256 + 256
      { type: 'conv2d', outputShape: [256, 56, 56], params: 590_080 },
      { type: 'maxpool2d', outputShape: [256, 28, 28], params: 0 },
      { type: 'conv2d', outputShape: [512, 28, 28], params: 1_180_160 }, //    9*256*512 + 512
      { type: 'conv2d', outputShape: [512, 28, 28], params: 2_359_808 }, //    9*512*512 + 512
      { type: 'conv2d', outputShape: [512, 28, 28], params: 2_359_808 },
      { type: 'maxpool2d', outputShape: [512, 14, 14], params: 0 },
      { type: 'conv2d', outputShape: [512, 14, 14], params: 2_359_808 },
      { type: 'conv2d', outputShape: [512, 14, 14], params: 2_359_808 },
      { type: 'conv2d', outputShape: [512, 14, 14], params: 2_359_808 },
      { type: 'maxpool2d', outputShape: [512, 7, 7], params: 0 },
      { type: 'flatten', outputShape: [25_088], params: 0 }, //                512 * 7 * 7
      { type: 'fc', outputShape: [4096], params: 102_764_544 }, //            25,088*4,096 + 4,096
      { type: 'fc', outputShape: [4096], params: 16_781_312 }, //             4,096*4,096 + 4,096
      { type: 'fc', outputShape: [1000], params: 4_097_000 }, //              4,096*1,000 + 1,000
    ]);
  });

  it('has 138,357,544 parameters (14,714,688 in the convolutions, 123,642,856 in the fc layers)', () => {
    const summary = summarize(vgg16(), [3, 224, 224]);
    const inConvs = summary.rows.filter((r) => r.spec.type === 'conv2d').reduce((s, r) => s + r.params, 0);
    expect({ total: summary.totalParams, convolutions: inConvs }).toEqual({ total: 138_357_544, convolutions: 14_714_688 });
  });

  it('puts a relu after every conv and fc but the last, and dropout 0.5 in the first two fc layers', () => {
    const specs = vgg16();
    expectReluAfterEachLayer(specs);
    expect(specs.filter((s) => s.type === 'dropout')).toEqual([
      { type: 'dropout', rate: 0.5 },
      { type: 'dropout', rate: 0.5 },
    ]);
  });
});

describe("08 famous models: AlexNet, the paper's network as one tower (input [3, 227, 227])", () => {
  it('property: on random inputs [C, H, W] every variant has the shapes and parameter counts of the closed formulas', () => {
    // H, W >= 67 so that the third pool still gets a 3x3 window: floor((67 - 11) / 4) + 1 = 15 -> 7 -> 3 -> 1.
    fc.assert(
      fc.property(
        fc.constantFrom<AlexNetVariant>('single-tower', 'two-gpu', 'torchvision'),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 67, max: 300 }),
        fc.integer({ min: 67, max: 300 }),
        (variant, C, H, W) => {
          const summary = summarize(alexnet(variant), [C, H, W]);
          const expected = alexnetFormula(variant, C, H, W);
          expect({ variant, input: [C, H, W], layers: skeleton(summary) }).toEqual({ variant, input: [C, H, W], layers: expected });
          expect(summary.totalParams).toBe(expected.reduce((sum, row) => sum + row.params, 0));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the closed formulas give the published totals, and the single tower at [3, 227, 227] follows its formula', () => {
    const total = (rows: Expected[]): number => rows.reduce((sum, row) => sum + row.params, 0);
    expect(total(alexnetFormula('single-tower', 3, 227, 227))).toBe(62_378_344);
    expect(total(alexnetFormula('two-gpu', 3, 227, 227))).toBe(60_965_224);
    expect(total(alexnetFormula('torchvision', 3, 224, 224))).toBe(61_100_840);
    expect(total(vggFormula(3, 224, 224))).toBe(138_357_544);
    expect(skeleton(summarize(alexnet(), [3, 227, 227]))).toEqual(alexnetFormula('single-tower', 3, 227, 227));
  });

  it("is the default variant, with the paper's kernels, strides and overlapping 3x3 stride-2 pools", () => {
    const pool = 'maxpool k3x3 s2x2 p0x0';
    expect(windows(alexnet())).toEqual([
      'conv 96 k11x11 s4x4 p0x0 g1',
      pool,
      'conv 256 k5x5 s1x1 p2x2 g1',
      pool,
      'conv 384 k3x3 s1x1 p1x1 g1',
      'conv 384 k3x3 s1x1 p1x1 g1',
      'conv 256 k3x3 s1x1 p1x1 g1',
      pool,
    ]);
    expect(alexnet('single-tower')).toEqual(alexnet());
  });

  it('every shape-changing layer has the expected output shape and parameter count', () => {
    expect(skeleton(summarize(alexnet(), [3, 227, 227]))).toEqual([
      { type: 'conv2d', outputShape: [96, 55, 55], params: 34_944 }, //      (227 - 11)/4 + 1 = 55; 11*11*3*96 + 96
      { type: 'maxpool2d', outputShape: [96, 27, 27], params: 0 }, //        (55 - 3)/2 + 1 = 27
      { type: 'conv2d', outputShape: [256, 27, 27], params: 614_656 }, //    5*5*96*256 + 256
      { type: 'maxpool2d', outputShape: [256, 13, 13], params: 0 }, //       (27 - 3)/2 + 1 = 13
      { type: 'conv2d', outputShape: [384, 13, 13], params: 885_120 }, //    3*3*256*384 + 384
      { type: 'conv2d', outputShape: [384, 13, 13], params: 1_327_488 }, //  3*3*384*384 + 384
      { type: 'conv2d', outputShape: [256, 13, 13], params: 884_992 }, //    3*3*384*256 + 256
      { type: 'maxpool2d', outputShape: [256, 6, 6], params: 0 }, //         (13 - 3)/2 + 1 = 6
      { type: 'flatten', outputShape: [9216], params: 0 }, //                256 * 6 * 6
      { type: 'fc', outputShape: [4096], params: 37_752_832 }, //            9,216*4,096 + 4,096
      { type: 'fc', outputShape: [4096], params: 16_781_312 }, //            4,096*4,096 + 4,096
      { type: 'fc', outputShape: [1000], params: 4_097_000 }, //             4,096*1,000 + 1,000
    ]);
  });

  it('has 62,378,344 parameters', () => {
    expect(summarize(alexnet(), [3, 227, 227]).totalParams).toBe(62_378_344);
  });

  it('has a relu after every conv and fc but the last, two LRN layers and two dropout 0.5 layers', () => {
    const specs = alexnet();
    expectReluAfterEachLayer(specs);
    expect({ lrn: count(specs, 'lrn'), dropout: specs.filter((s) => s.type === 'dropout') }).toEqual({
      lrn: 2,
      dropout: [
        { type: 'dropout', rate: 0.5 },
        { type: 'dropout', rate: 0.5 },
      ],
    });
  });
});

describe('08 famous models: AlexNet as trained on two GPUs (input [3, 227, 227])', () => {
  it('splits conv2, conv4 and conv5 into 2 groups and keeps every other layer of the single tower', () => {
    const pool = 'maxpool k3x3 s2x2 p0x0';
    expect(windows(alexnet('two-gpu'))).toEqual([
      'conv 96 k11x11 s4x4 p0x0 g1',
      pool,
      'conv 256 k5x5 s1x1 p2x2 g2',
      pool,
      'conv 384 k3x3 s1x1 p1x1 g1',
      'conv 384 k3x3 s1x1 p1x1 g2',
      'conv 256 k3x3 s1x1 p1x1 g2',
      pool,
    ]);
    const withoutGroups = alexnet('two-gpu').map((spec) => (spec.type === 'conv2d' ? { ...spec, groups: 1 } : spec));
    const single = alexnet().map((spec) => (spec.type === 'conv2d' ? { ...spec, groups: 1 } : spec));
    expect(withoutGroups).toEqual(single);
  });

  it("has the same shapes, and the grouped layers have the paper's kernels 5x5x48 and 3x3x192", () => {
    const rows = summarize(alexnet('two-gpu'), [3, 227, 227]).rows;
    expect(rows.map((r) => r.outputShape)).toEqual(summarize(alexnet(), [3, 227, 227]).rows.map((r) => r.outputShape));
    expect(rows.filter((r) => r.spec.type === 'conv2d').map((r) => r.params)).toEqual([
      34_944, //      11*11*3*96 + 96
      307_456, //     5*5*48*256 + 256
      885_120, //     3*3*256*384 + 384
      663_936, //     3*3*192*384 + 384
      442_624, //     3*3*192*256 + 256
    ]);
  });

  it('has 60,965,224 parameters, the paper\'s "60 million"', () => {
    // 62,378,344 - (307,200 + 663,552 + 442,368) weights that the split removes.
    expect(summarize(alexnet('two-gpu'), [3, 227, 227]).totalParams).toBe(60_965_224);
  });
});

describe("08 famous models: torchvision's AlexNet (input [3, 224, 224])", () => {
  it('every shape-changing layer has the expected output shape and parameter count', () => {
    expect(skeleton(summarize(alexnet('torchvision'), [3, 224, 224]))).toEqual([
      { type: 'conv2d', outputShape: [64, 55, 55], params: 23_296 }, //      floor((224 + 4 - 11)/4) + 1 = 55; 11*11*3*64 + 64
      { type: 'maxpool2d', outputShape: [64, 27, 27], params: 0 },
      { type: 'conv2d', outputShape: [192, 27, 27], params: 307_392 }, //    5*5*64*192 + 192
      { type: 'maxpool2d', outputShape: [192, 13, 13], params: 0 },
      { type: 'conv2d', outputShape: [384, 13, 13], params: 663_936 }, //    3*3*192*384 + 384
      { type: 'conv2d', outputShape: [256, 13, 13], params: 884_992 }, //    3*3*384*256 + 256
      { type: 'conv2d', outputShape: [256, 13, 13], params: 590_080 }, //    3*3*256*256 + 256
      { type: 'maxpool2d', outputShape: [256, 6, 6], params: 0 },
      { type: 'flatten', outputShape: [9216], params: 0 },
      { type: 'fc', outputShape: [4096], params: 37_752_832 },
      { type: 'fc', outputShape: [4096], params: 16_781_312 },
      { type: 'fc', outputShape: [1000], params: 4_097_000 },
    ]);
  });

  it('has 61,100,840 parameters, the figure torchvision publishes', () => {
    expect(summarize(alexnet('torchvision'), [3, 224, 224]).totalParams).toBe(61_100_840);
  });

  it('has a relu after every conv and fc but the last, no LRN and two dropout 0.5 layers', () => {
    const specs = alexnet('torchvision');
    expectReluAfterEachLayer(specs);
    expect({ lrn: count(specs, 'lrn'), dropout: specs.filter((s) => s.type === 'dropout') }).toEqual({
      lrn: 0,
      dropout: [
        { type: 'dropout', rate: 0.5 },
        { type: 'dropout', rate: 0.5 },
      ],
    });
  });
});
