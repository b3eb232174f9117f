/** Types of scripts/tiers.cjs (the tier rules of scripts/tiers.json). */

/** One tier: a folder and what its files may import. */
export interface Tier {
  folder: string;
  /** Folders or files of the repository, relative to it. */
  imports: string[];
  /** An exercise folder NN-x may also import its own tree's exercises up to NN. */
  earlierExercises?: boolean;
  /** Node's own modules. */
  node: boolean;
  /** true: any package; else the names allowed (a name ending in / is a prefix). */
  packages: true | string[];
}

export const tiers: Tier[];
/** The tier of a file (repository-relative, with /): the deepest folder listed above it. */
export function tierOf(rel: string): Tier | undefined;
/** What a tier may import, as CONTRIBUTING.md's map says it. */
export function describeTier(tier: Tier): string;
/** Why `file` (absolute) may not import `spec`, or null when it may (or no tier covers the file). */
export function tierViolation(root: string, file: string, spec: string): string | null;
export function isNodeModule(spec: string): boolean;
/** The ESLint rule kata/tiers for the repository at `root` (eslint.config.mjs). */
export function eslintRule(root: string): import('eslint').Rule.RuleModule;
