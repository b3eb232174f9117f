/**
 * The mistakes of the manifest, planted by targeted text edits into a
 * temporary copy of solutions/ (made from the current solution files, so
 * the plants follow the reference as it changes). An edit that no longer
 * applies fails loudly instead of silently testing the untouched reference.
 */
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../scripts/manifest';
import { tempDir } from '../fixtures/submissions';

export interface Edit {
  /** File inside the tree: '01-conv2d/conv2d-naive.ts'. */
  file: string;
  /** Edit only after the first occurrence of this text (e.g. the backward's signature). */
  after?: string;
  from: string;
  to: string;
  /** Replace every occurrence after `after` (default: exactly one must exist). */
  all?: boolean;
}

export const PLANTS: Record<string, Edit[]> = {
  'softmax-ce-grad-not-averaged': [
    { file: '00-prerequisites/softmax-cross-entropy.ts', from: '    for (let i = 0; i < d.size; i++) d.data[i] /= rows;\n', to: '' },
  ],
  'epoch-loss-not-averaged': [
    { file: '06-classifier/classifier.ts', from: 'lossSum += loss * batch.y.length;', to: 'lossSum += loss * batch.y.length * batches.length;' },
  ],
  'lr-decay-off-by-one': [
    { file: '06-classifier/classifier.ts', from: 'this.optimizer.lr = lr * lrDecay ** (epoch - 1);', to: 'this.optimizer.lr = lr * lrDecay ** epoch;' },
  ],
  'avg-pool-backward-not-divided': [{ file: '04-average-pool2d/average-pool2d.ts', from: 'const share = g[o++] / area;', to: 'const share = g[o++];' }],
  'param-count-no-in-channels': [
    { file: '09-param-count/param-count.ts', from: 'const weights = fh * fw * inChannels * outChannels;', to: 'const weights = fh * fw * outChannels;' },
  ],
  'output-size-ceil': [
    {
      file: '02-output-size/output-size.ts',
      from: 'Math.floor((input + 2 * padding - kernel) / stride) + 1',
      to: 'Math.ceil((input + 2 * padding - kernel) / stride) + 1',
    },
  ],
  'output-size-no-plus-one': [
    {
      file: '02-output-size/output-size.ts',
      from: 'Math.floor((input + 2 * padding - kernel) / stride) + 1',
      to: 'Math.floor((input + 2 * padding - kernel) / stride)',
    },
  ],
  'conv-flipped-kernel': [
    {
      file: '01-conv2d/conv2d-naive.ts',
      from: 'a += x.get(n, k, h, v) * W.get(m, k, s, t);',
      to: 'a += x.get(n, k, h, v) * W.get(m, k, FH - 1 - s, FW - 1 - t);',
    },
  ],
  'conv-grads-divided-by-batch': [
    {
      file: '01-conv2d/conv2d-naive.ts',
      after: 'export function conv2dBackwardNaive',
      from: '  return { dx, dW, db };',
      to: '  for (const g of [dW, db]) g.data.forEach((v, i) => (g.data[i] = v / N));\n  return { dx, dW, db };',
    },
  ],
  'conv-backward-ignores-stride': [
    { file: '01-conv2d/conv2d-naive.ts', after: 'export function conv2dBackwardNaive', from: 'i * SH + s - PH', to: 'i + s - PH', all: true },
    { file: '01-conv2d/conv2d-naive.ts', after: 'export function conv2dBackwardNaive', from: 'j * SW + t - PW', to: 'j + t - PW', all: true },
  ],
  'conv-backward-assign': [
    {
      file: '01-conv2d/conv2d-naive.ts',
      after: 'export function conv2dBackwardNaive',
      from: 'dW.data[dW.offset([m, k, s, t])] +=',
      to: 'dW.data[dW.offset([m, k, s, t])] =',
    },
  ],
  'col2im-assign': [{ file: '01-conv2d/im2col.ts', from: 'dst[row + v] += src[c]', to: 'dst[row + v] = src[c]' }],
  'pool-stride-default': [
    { file: '03-max-pool2d/max-pool2d.ts', from: '{ kernelSize, stride = kernelSize, padding = 0 }', to: '{ kernelSize, stride = 1, padding = 0 }' },
  ],
  'pool-grad-to-every-cell': [
    {
      file: '03-max-pool2d/max-pool2d.ts',
      after: 'backward(dout: Tensor): Tensor {',
      from: 'd[argmax[o]] += g[o];',
      to: `const [, C, H, W] = this.inputShape;
      const [, , OH, OW] = this.outputShape;
      const [n, c, i, j] = [Math.floor(o / (C * OH * OW)), Math.floor(o / (OH * OW)) % C, Math.floor(o / OW) % OH, o % OW];
      for (let s = 0; s < this.kernelSize[0]; s++) {
        for (let t = 0; t < this.kernelSize[1]; t++) {
          const p = i * this.stride[0] - this.padding[0] + s;
          const q = j * this.stride[1] - this.padding[1] + t;
          if (p >= 0 && p < H && q >= 0 && q < W) d[((n * C + c) * H + p) * W + q] += g[o];
        }
      }`,
    },
  ],
  'pool-tie-last-max': [{ file: '03-max-pool2d/max-pool2d.ts', from: 'if (x.data[at] > best) {', to: 'if (x.data[at] >= best) {' }],
  'lenet-first-conv-no-padding': [
    {
      file: '07-lenet/lenet.ts',
      from: "{ type: 'conv2d', outChannels: 6, kernelSize: 5, padding: 2 },",
      to: "{ type: 'conv2d', outChannels: 6, kernelSize: 5 },",
    },
  ],
  'alexnet-first-conv-stride-1': [
    {
      file: '08-famous-models/models.ts',
      from: "{ type: 'conv2d', outChannels: 96, kernelSize: 11, stride: 4 },",
      to: "{ type: 'conv2d', outChannels: 96, kernelSize: 11 },",
    },
  ],
  // The last block without its pool: 512 x 14 x 14 reaches flatten.
  'vgg-missing-pool': [
    {
      file: '08-famous-models/models.ts',
      from: 'blocks.flatMap(([channels, convs]): LayerSpec[] =>',
      to: 'blocks.flatMap(([channels, convs], b): LayerSpec[] =>',
    },
    {
      file: '08-famous-models/models.ts',
      after: 'export function vgg16',
      from: "    { type: 'maxpool2d', kernelSize: 2 },\n  ]);",
      to: "    ...(b === blocks.length - 1 ? [] : [{ type: 'maxpool2d', kernelSize: 2 } as const]),\n  ]);",
    },
  ],
  'stack-receptive-field-3n': [{ file: '10-filter-size/filter-size.ts', from: 'receptiveField: 2 * n + 1', to: 'receptiveField: 3 * n' }],
  'pointwise-no-in-channels': [
    { file: '10-filter-size/filter-size.ts', from: 'const weights = inChannels * outChannels;', to: 'const weights = outChannels;' },
  ],
  'flatten-backward-not-reshaped': [{ file: '05-flatten/flatten.ts', from: 'return dout.reshape(this.inputShape);', to: 'return dout;' }],
};

function applyEdit(text: string, edit: Edit): string {
  const start = edit.after === undefined ? 0 : text.indexOf(edit.after);
  if (start < 0) throw new Error(`plant: "${edit.after}" is no longer in solutions/${edit.file}; update tests/tools/plants.ts`);
  const head = text.slice(0, start);
  const tail = text.slice(start);
  const count = tail.split(edit.from).length - 1;
  if (count === 0 || (!edit.all && count > 1)) {
    throw new Error(
      `plant: expected ${edit.all ? 'at least one' : 'exactly one'} "${edit.from}" in solutions/${edit.file}${edit.after ? ` after "${edit.after}"` : ''}, found ${count}; update tests/tools/plants.ts`,
    );
  }
  return head + tail.split(edit.from).join(edit.to);
}

/**
 * A copy of the repository's trees with one mistake planted in solutions/:
 * returns the planted tree (use it as KATA_TREE). lib/ is linked, so the
 * copied files' relative imports resolve.
 */
export function plantMistake(id: string): string {
  const edits = PLANTS[id];
  if (!edits) throw new Error(`plant: no plant for mistake "${id}"; add one to tests/tools/plants.ts`);
  return plantEdits(id, edits);
}

/** A copy of solutions/ with `edits` made (lib/ linked beside it, as plantMistake does): returns the planted tree. */
export function plantEdits(name: string, edits: Edit[]): string {
  const root = tempDir(`plant-${name}-`);
  for (const dir of ['lib', 'engine']) {
    if (fs.existsSync(path.join(repoRoot, dir))) fs.symlinkSync(path.join(repoRoot, dir), path.join(root, dir));
  }
  const tree = path.join(root, 'solutions');
  fs.cpSync(path.join(repoRoot, 'solutions'), tree, { recursive: true });
  for (const edit of edits) {
    const file = path.join(tree, edit.file);
    fs.writeFileSync(file, applyEdit(fs.readFileSync(file, 'utf8'), edit));
  }
  return tree;
}
