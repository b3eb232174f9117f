/**
 * Each training default is written once, in lib/training-defaults.ts: the
 * command, the classifier, Adam and the docs must say the same. The docs are
 * read as text (docs/training.md's option table and schedule, exercise 06's
 * README in both languages).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Adam } from '../../lib/optimizers';
import { CLASSIFIER_DEFAULTS, DEFAULT_LR, OPTIMIZER_NAMES, TRAIN_DEFAULTS, trainDefaultLr } from '../../lib/training-defaults';
import { DEFAULTS, parseTrainArgs, USAGE } from '../../scripts/train';
import { Scratch2dCNNClassifier } from '../../solutions/06-classifier/classifier';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** The rows of the first markdown table whose header starts with `| option | default |`, by option (its first word). */
function optionTable(markdown: string): Map<string, { value: string; meaning: string }> {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => /^\| option \| default \|/.test(line));
  expect(start).toBeGreaterThanOrEqual(0);
  const rows = new Map<string, { value: string; meaning: string }>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [option, value, meaning] = line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell) => cell.trim());
    rows.set(/^`(--[a-z-]+)/.exec(option)![1], { value, meaning });
  }
  return rows;
}

describe('training defaults: one place', () => {
  it("npm run train's defaults are TRAIN_DEFAULTS (with adam's lr; another optimizer gets DEFAULT_LR's)", () => {
    const parsed = parseTrainArgs([], new Date(2025, 0, 2, 3, 4, 5));
    if (parsed.help) throw new Error('expected options, got help');
    const { epochs, lrDecay, batchSize, optimizer, seed } = parsed.options;
    expect({ epochs, lrDecay, batchSize, optimizer, seed }).toEqual({
      epochs: TRAIN_DEFAULTS.epochs,
      lrDecay: TRAIN_DEFAULTS.lrDecay,
      batchSize: TRAIN_DEFAULTS.batchSize,
      optimizer: TRAIN_DEFAULTS.optimizer,
      seed: TRAIN_DEFAULTS.seed,
    });
    for (const name of OPTIMIZER_NAMES) expect(trainDefaultLr(name)).toBe(name === TRAIN_DEFAULTS.optimizer ? TRAIN_DEFAULTS.lr : DEFAULT_LR[name]);
  });

  it("the classifier's settings without options are CLASSIFIER_DEFAULTS with DEFAULT_LR of its optimizer; Adam's lr is DEFAULT_LR.adam", () => {
    expect(new Scratch2dCNNClassifier().settings).toEqual({ ...CLASSIFIER_DEFAULTS, lr: DEFAULT_LR[CLASSIFIER_DEFAULTS.optimizer] });
    expect(new Adam().lr).toBe(DEFAULT_LR.adam);
  });

  it("docs/training.md's option table gives the command's defaults, and the lr of every other optimizer", () => {
    const table = optionTable(read('docs/training.md'));
    const expected: Record<string, string> = {
      '--model': `\`${DEFAULTS.model}\``,
      '--epochs': String(TRAIN_DEFAULTS.epochs),
      '--lr': String(TRAIN_DEFAULTS.lr),
      '--lr-decay': String(TRAIN_DEFAULTS.lrDecay),
      '--batch-size': String(TRAIN_DEFAULTS.batchSize),
      '--optimizer': `\`${TRAIN_DEFAULTS.optimizer}\``,
      '--seed': String(TRAIN_DEFAULTS.seed),
    };
    for (const [option, value] of Object.entries(expected)) expect({ option, value: table.get(option)?.value }).toEqual({ option, value });
    const lr = table.get('--lr')!.meaning;
    expect(lr).toContain(`with \`${TRAIN_DEFAULTS.optimizer}\``);
    for (const name of OPTIMIZER_NAMES.filter((n) => n !== TRAIN_DEFAULTS.optimizer)) expect(lr).toContain(`\`${name}\` ${DEFAULT_LR[name]}`);
  });

  it("docs/training.md's default schedule and the command's help state the same lr and epochs", () => {
    const schedule = /The default schedule \(([^)]*)\)/.exec(read('docs/training.md'))![1];
    expect(schedule).toContain(`lr ${TRAIN_DEFAULTS.lr} `);
    expect(schedule).toContain(`${TRAIN_DEFAULTS.epochs} epochs`);
    expect(USAGE).toContain(`(default ${TRAIN_DEFAULTS.epochs})`);
    for (const name of OPTIMIZER_NAMES.filter((n) => n !== TRAIN_DEFAULTS.optimizer)) expect(USAGE).toContain(`${name} ${DEFAULT_LR[name]}`);
  });

  it("exercise 06's README states the classifier's lrDecay default in both languages", () => {
    const readme = read('exercises/06-classifier/README.md');
    expect(readme).toContain(`With \`lrDecay\` (default ${CLASSIFIER_DEFAULTS.lrDecay}, \`CLASSIFIER_DEFAULTS.lrDecay\`)`);
    expect(readme).toContain(`\`lrDecay\`（既定値${CLASSIFIER_DEFAULTS.lrDecay}、\`CLASSIFIER_DEFAULTS.lrDecay\`）`);
  });
});
