/**
 * The import and API gate: refuses every file of a submission that is not
 * TypeScript or Markdown (whatever else it holds), and reads every TypeScript file with
 * the compiler's parser (nothing is run) and lists what a kata answer has no
 * business doing, with the file and line:
 *   - imports other than relative ones inside the submission's tree or into
 *     lib/ (node:* and other modules, paths that leave the tree);
 *   - require, import(), import.meta, process, eval, Function, globalThis,
 *     global, module, __dirname, __filename, Buffer, jest, arguments, and `.constructor`
 *     other than this.constructor (the usual way to reach Function unnamed).
 * It also gives, per exercise, the files that exercise's code reaches through
 * relative imports, so a finding (or a type error) in a shared file counts
 * for every exercise that uses it.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { Flag } from './reports';

// `jest` would reach jest.mock / jest.requireActual; `arguments` at a module's top level holds the module
// wrapper's (require, module, jest, ...), which the gate would otherwise never see named.
const FORBIDDEN_NAMES = new Set([
  'require',
  'process',
  'eval',
  'Function',
  'globalThis',
  'global',
  'module',
  '__dirname',
  '__filename',
  'Buffer',
  'jest',
  'arguments',
]);

export interface GateResult {
  flags: Flag[];
  /** Exercise id -> submission files (relative to the tree, with the exercise folder) its code reaches. */
  reach: Map<string, Set<string>>;
}

/** Every file of the tree (relative paths), whatever its extension. */
function allFiles(dir: string, rel = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) return allFiles(path.join(dir, e.name), r);
    return [r];
  });
}

/** What a submission may hold: TypeScript (read by the parser below) and Markdown (never loaded). */
const ACCEPTED = /\.(ts|md)$/;

function isDeclarationName(node: ts.Identifier): boolean {
  const p = node.parent;
  if (!p) return false;
  if (ts.isPropertyAccessExpression(p) && p.name === node) return true;
  if (
    (ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isPropertySignature(p) || ts.isMethodSignature(p)) &&
    p.name === node
  )
    return true;
  if ((ts.isGetAccessor(p) || ts.isSetAccessor(p)) && p.name === node) return true;
  if (ts.isQualifiedName(p) && p.right === node) return true;
  return false;
}

/** Findings in one file, and the relative specifiers it imports. */
function scanFile(tree: string, rel: string): { flags: Flag[]; imports: string[] } {
  const text = fs.readFileSync(path.join(tree, rel), 'utf8');
  const flags: Flag[] = [];
  const imports: string[] = [];
  let source: ts.SourceFile;
  const where = `exercises/${rel}`;
  try {
    source = ts.createSourceFile(rel, text, ts.ScriptTarget.ES2022, true);
  } catch (err) {
    return { flags: [{ file: where, line: 1, what: `could not be read by the parser (${(err as Error).message.split('\n')[0]})` }], imports };
  }
  const flag = (node: ts.Node, what: string): void => {
    flags.push({ file: where, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, what });
  };
  const checkSpecifier = (node: ts.Node, spec: string): void => {
    if (!spec.startsWith('.')) {
      flag(node, `imports "${spec}" (only lib/ and this tree's exercises are allowed)`);
      return;
    }
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(`exercises/${rel}`), spec));
    if (target.startsWith('exercises/') || target.startsWith('lib/')) imports.push(target);
    else flag(node, `imports "${spec}", which leaves the submission's tree`);
  };
  const visit = (node: ts.Node, depth: number): void => {
    if (depth > 2000) {
      flag(node, 'nesting deeper than 2000 levels');
      return;
    }
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      checkSpecifier(node, node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node)) {
      flag(node, 'import = require(...)');
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      flag(node, 'dynamic import()');
    } else if (ts.isMetaProperty(node)) {
      flag(node, 'import.meta');
    } else if (ts.isIdentifier(node) && FORBIDDEN_NAMES.has(node.text) && !isDeclarationName(node)) {
      flag(node, `uses ${node.text}`);
    } else if (ts.isPropertyAccessExpression(node) && node.name.text === 'constructor' && node.expression.kind !== ts.SyntaxKind.ThisKeyword) {
      flag(node, 'uses .constructor (the constructor of a function is Function)');
    } else if (
      ts.isElementAccessExpression(node) &&
      !ts.isStringLiteral(node.argumentExpression) &&
      !ts.isNumericLiteral(node.argumentExpression) &&
      /constructor|prototype/.test(node.argumentExpression.getText(source))
    ) {
      flag(node, 'computed access to constructor or prototype');
    } else if (ts.isElementAccessExpression(node) && ts.isStringLiteral(node.argumentExpression) && node.argumentExpression.text === 'constructor') {
      flag(node, 'uses ["constructor"] (reaches Function)');
    } else if (ts.isWithStatement(node)) {
      flag(node, 'with statement');
    }
    ts.forEachChild(node, (child) => visit(child, depth + 1));
  };
  try {
    visit(source, 0);
  } catch (err) {
    flag(source, `could not be read by the parser (${(err as Error).message.split('\n')[0]})`);
  }
  return { flags, imports };
}

/** Runs the gate over a copied submission (`tree` is its exercises/ folder). */
export function gate(tree: string, exerciseIds: string[]): GateResult {
  const files = allFiles(tree);
  const flags: Flag[] = [];
  const graph = new Map<string, string[]>();
  for (const rel of files.filter((f) => !ACCEPTED.test(f))) {
    // A .js, .jsx, .json or .node file would be loaded without being read here: refused whatever it holds.
    flags.push({ file: `exercises/${rel}`, line: 1, what: 'is not a TypeScript file (a submission holds only .ts files and Markdown)' });
    graph.set(`exercises/${rel}`, []);
  }
  for (const rel of files.filter((f) => f.endsWith('.ts'))) {
    const { flags: f, imports } = scanFile(tree, rel);
    flags.push(...f);
    graph.set(`exercises/${rel}`, imports);
  }
  const resolve = (target: string): string | null => {
    for (const candidate of [target, `${target}.ts`, `${target}/index.ts`]) if (graph.has(candidate)) return candidate;
    // Whatever jest would also resolve (impl -> impl.jsx, impl.node, ...).
    return [...graph.keys()].find((k) => k.startsWith(`${target}.`)) ?? null;
  };
  const reach = new Map<string, Set<string>>();
  for (const id of exerciseIds) {
    const seen = new Set<string>();
    const stack = [...graph.keys()].filter((f) => f.startsWith(`exercises/${id}/`));
    while (stack.length > 0) {
      const f = stack.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      for (const imp of graph.get(f) ?? []) {
        const r = resolve(imp);
        if (r) stack.push(r);
      }
    }
    reach.set(id, seen);
  }
  return { flags, reach };
}

// ---------------------------------------------------------------------------
// Similarity

/** The file's tokens with names, literals, comments and layout normalised away. */
export function normalisedTokens(text: string): string[] {
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, true, ts.LanguageVariant.Standard, text);
  const tokens: string[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.Identifier) tokens.push('id');
    else if (kind === ts.SyntaxKind.StringLiteral || kind === ts.SyntaxKind.NoSubstitutionTemplateLiteral) tokens.push('str');
    else if (kind === ts.SyntaxKind.NumericLiteral) tokens.push('num');
    else tokens.push(scanner.getTokenText());
  }
  return tokens;
}

function shingles(tokens: string[], k = 8): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + k <= tokens.length; i++) out.add(tokens.slice(i, i + k).join(' '));
  return out;
}

/** Jaccard similarity of two files' 8-token shingles (1 = the same code up to names and layout). */
export function similarity(a: string[], b: string[]): number {
  const sa = shingles(a);
  const sb = shingles(b);
  if (sa.size === 0 || sb.size === 0) return a.join(' ') === b.join(' ') ? 1 : 0;
  let common = 0;
  for (const s of sa) if (sb.has(s)) common++;
  return common / (sa.size + sb.size - common);
}
