'use strict';
/**
 * jest's transform for TypeScript: esbuild strips the types and writes
 * CommonJS, nothing more (types are checked by tsc: verify, and the runner's
 * own check of an exercise). It starts in a few milliseconds where a
 * TypeScript-based transform first loads the compiler, which is most of a
 * small suite's start-up. Plain JavaScript so that jest loads it as it is.
 */
const { createHash } = require('node:crypto');
const { transformSync, version } = require('esbuild');

// Strict mode and import() as require(), as TypeScript's CommonJS output has
// them: a write to a frozen object throws, and jest's module registry (and its
// moduleNameMapper) sees every module.
const OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  target: 'node22',
  sourcemap: 'external',
  keepNames: true,
  supported: { 'dynamic-import': false },
  banner: "'use strict';",
};

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, { ...OPTIONS, sourcefile: filename });
    return { code, map };
  },
  getCacheKey(source, filename) {
    return createHash('sha1').update(version).update(JSON.stringify(OPTIONS)).update(filename).update(source).digest('hex');
  },
};
