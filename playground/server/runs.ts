/**
 * Run folders for the playground: finding the latest one, and what the page
 * needs to know about one (its files, and which tree of code trained it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseTree, REPO_ROOT, TREE_NAMES } from '../../scripts/trees';

/** A run folder the playground cannot use; the message says why in one line. */
export class PlaygroundError extends Error {
  override name = 'PlaygroundError';
}

export interface RunFolder {
  /** As given on the command line or found under runs/. */
  dir: string;
  /** The folder's own name, shown on the page. */
  name: string;
  modelFile: string;
  historyFile: string | null;
  /** What history.json's options.tree says trained it ("engine+solutions", "solutions", "exercises" or a path); "solutions" when it does not say. */
  tree: string;
  /** history.json's model.name ("sheet" or "lenet"), or null when it does not say. */
  network: string | null;
  /** When the run started (ISO time): history.json's startedAt, else the time model.bin was written. */
  startedAt: string;
  /** Trained with the engine's fast layers: the page runs it with them too. */
  engine: boolean;
  /** The folder laid out like exercises/ whose code runs the model. */
  treeDir: string;
}

/** The run folder under `runsDir` whose model.bin was written last. */
export function latestRun(runsDir = path.join(REPO_ROOT, 'runs')): string {
  const advice = 'train one first: npm run train -- --epochs 1 --limit 5000';
  let names: string[];
  try {
    names = fs.readdirSync(runsDir);
  } catch {
    throw new PlaygroundError(`no run folder: ${path.relative(process.cwd(), runsDir) || runsDir} does not exist; ${advice}`);
  }
  const found = names
    .map((name) => path.join(runsDir, name, 'model.bin'))
    .filter((file) => fs.existsSync(file))
    .map((file) => ({ dir: path.dirname(file), time: fs.statSync(file).mtimeMs }))
    .sort((a, b) => b.time - a.time);
  if (found.length === 0) throw new PlaygroundError(`no run folder with a model.bin under ${path.relative(process.cwd(), runsDir) || runsDir}; ${advice}`);
  return found[0].dir;
}

/** Which folder of code runs a model trained from `tree` (names and paths as npm run train resolves them). */
function treeFolder(tree: string, dir: string): string {
  const folder = parseTree(tree).dir;
  if (!fs.existsSync(path.join(folder, '06-classifier'))) {
    throw new PlaygroundError(`${dir}: history.json says the model was trained from ${tree}, which has no 06-classifier folder`);
  }
  return folder;
}

/** Checks a run folder and describes it; throws PlaygroundError naming what is missing. */
export function readRunFolder(dir: string): RunFolder {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new PlaygroundError(`${dir}: no such run folder`);
  const modelFile = path.join(dir, 'model.bin');
  if (!fs.existsSync(modelFile)) throw new PlaygroundError(`${dir}: no model.bin in this folder (is it a run folder of npm run train?)`);
  const historyPath = path.join(dir, 'history.json');
  let tree: string = TREE_NAMES.solutions;
  let historyFile: string | null = null;
  let network: string | null = null;
  let startedAt = fs.statSync(modelFile).mtime.toISOString();
  if (fs.existsSync(historyPath)) {
    let history: { options?: { tree?: unknown }; model?: { name?: unknown }; startedAt?: unknown };
    try {
      history = JSON.parse(fs.readFileSync(historyPath, 'utf8'));
    } catch (error) {
      throw new PlaygroundError(`${historyPath}: not valid JSON (${(error as Error).message})`);
    }
    if (typeof history.options?.tree === 'string') tree = history.options.tree;
    if (typeof history.model?.name === 'string') network = history.model.name;
    if (typeof history.startedAt === 'string' && !Number.isNaN(Date.parse(history.startedAt))) startedAt = new Date(history.startedAt).toISOString();
    historyFile = historyPath;
  }
  return {
    dir,
    name: path.basename(path.resolve(dir)),
    modelFile,
    historyFile,
    tree,
    network,
    startedAt,
    engine: parseTree(tree).kind === 'engine',
    treeDir: treeFolder(tree, dir),
  };
}
