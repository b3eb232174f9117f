/**
 * The tier rules of scripts/tiers.json (which folder may import which), read
 * once for both checks: npm run verify (scripts/boundaries.ts, every import,
 * require and import() of every file) and npm run lint (eslint.config.mjs
 * with eslintRule below: the same verdicts in the editor). Plain CommonJS, so
 * that ESLint's config, tsx and jest all load it as it is; its types are in
 * tiers.d.cts.
 */
'use strict';
const path = require('node:path');
const { builtinModules } = require('node:module');
const { tiers } = require('./tiers.json');

const NODE_MODULES = new Set(builtinModules);

/** Whether a specifier names one of Node's own modules. */
const isNodeModule = (spec) => spec.startsWith('node:') || NODE_MODULES.has(spec);

/** A path relative to the root, with / on every system. */
const relative = (root, file) => path.relative(root, file).split(path.sep).join('/');

/** The tier of a file (repository-relative, with /): the deepest folder listed above it, or undefined. */
function tierOf(rel) {
  return tiers.filter((t) => rel.startsWith(`${t.folder}/`)).sort((a, b) => b.folder.length - a.folder.length)[0];
}

/** An entry of `imports` as people read it: `lib/`, `scripts/trees.ts`. */
const shown = (entry) => (/\.[cm]?[jt]s$/.test(entry) ? entry : `${entry}/`);

/** "a, b and c" */
function list(items) {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * What a tier may import, in words: its folders, then Node's modules, then
 * packages ("lib/ and earlier exercises of its tree", "no Node's modules",
 * "no packages"); `mark` dresses each name (backquotes in CONTRIBUTING.md).
 */
function mayImport(tier, mark = (name) => name) {
  const folders = tier.imports.map((e) => mark(shown(e)));
  if (tier.earlierExercises) folders.push('earlier exercises of its tree');
  const node = tier.node ? "Node's modules" : "no Node's modules";
  const some = tier.packages === true ? [] : tier.packages.map((p) => mark(p.endsWith('/') ? `${p}*` : p));
  const packages =
    tier.packages === true ? 'any package' : some.length === 0 ? 'no packages' : `only the package${some.length > 1 ? 's' : ''} ${list(some)}`;
  return [list(folders), node, packages];
}

/** The row of CONTRIBUTING.md's map for a tier: "`lib/`; Node's modules; no packages". */
const describeTier = (tier) => mayImport(tier, (name) => `\`${name}\``).join('; ');

/** The exercise number NN of a path under a tree (`exercises/NN-x/...`), or null. */
function exerciseNumber(rel) {
  const match = /^[^/]+\/(\d{2})-/.exec(rel);
  return match ? Number(match[1]) : null;
}

/** Whether `target` (repository-relative, as imported: without its extension) is inside an entry of `imports`. */
function within(target, entry) {
  const bare = entry.replace(/\.[cm]?[jt]s$/, '');
  return target === entry || target === bare || target.startsWith(`${entry}/`);
}

/**
 * Why `file` (absolute) may not import `spec`, or null when it may (or when
 * no tier covers the file). `root` is the repository.
 */
function tierViolation(root, file, spec) {
  const rel = relative(root, file);
  const tier = tierOf(rel);
  if (tier === undefined) return null;
  const name = `${tier.folder}/`;
  if (!spec.startsWith('.')) {
    if (isNodeModule(spec)) return tier.node ? null : `${name} imports no Node's modules (it imports ${mayImport(tier).join('; ')})`;
    if (tier.packages === true || tier.packages.some((p) => (p.endsWith('/') ? spec.startsWith(p) : spec === p || spec.startsWith(`${p}/`)))) return null;
    return `${name} imports ${mayImport(tier)[2]} (it imports ${mayImport(tier).join('; ')})`;
  }
  const target = relative(root, path.resolve(path.dirname(file), spec));
  if (tier.imports.some((entry) => within(target, entry))) return null;
  const tree = rel.split('/')[0];
  if (tier.earlierExercises && target.startsWith(`${tree}/`)) {
    const from = exerciseNumber(rel);
    const to = exerciseNumber(target);
    if (from !== null && to !== null && to <= from) return null;
  }
  return `${name} imports only ${mayImport(tier)[0]}`;
}

/**
 * The ESLint rule kata/tiers for the repository at `root`: every import,
 * re-export, require('...'), import('...') and import type of a file, against its tier.
 */
function eslintRule(root) {
  return {
    meta: { type: 'problem', docs: { description: 'imports keep to the tier rules of scripts/tiers.json' }, schema: [] },
    create(context) {
      const check = (source) => {
        if (source?.type !== 'Literal' || typeof source.value !== 'string') return;
        const rule = tierViolation(root, context.filename, source.value);
        if (rule !== null) context.report({ node: source, message: `'${source.value}': ${rule}` });
      };
      return {
        ImportDeclaration: (node) => check(node.source),
        ExportNamedDeclaration: (node) => check(node.source),
        ExportAllDeclaration: (node) => check(node.source),
        ImportExpression: (node) => check(node.source),
        // typescript-eslint 8 names the string `source`; older versions, `argument` (a literal type).
        TSImportType: (node) => check(node.source ?? (node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.argument)),
        TSExternalModuleReference: (node) => check(node.expression),
        CallExpression: (node) => {
          if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments.length === 1) check(node.arguments[0]);
        },
      };
    },
  };
}

module.exports = { tiers, tierOf, describeTier, tierViolation, isNodeModule, eslintRule };
