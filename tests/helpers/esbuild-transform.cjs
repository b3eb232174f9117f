'use strict';
/**
 * jest's transform for TypeScript: esbuild strips the types and writes
 * CommonJS, nothing more (types are checked by tsc: verify, and the runner's
 * own check of an exercise). It starts in a few milliseconds where a
 * TypeScript-based transform first loads the compiler, which is most of a
 * small suite's start-up. Plain JavaScript so that jest loads it as it is.
 *
 * Every module also gets, on its first line, the built-ins a numeric loop
 * reads bound as module-scope constants. Why: jest runs each module inside a
 * `vm` context whose global object answers every lookup through V8
 * interceptors, which the JIT cannot inline, so a free `Number` or `Math`
 * costs tens of times more than in plain Node (`Number.isFinite` ten million
 * times: seconds under jest, 70 ms outside). A module constant is an
 * ordinary variable, so a learner's natural `Number.isFinite(data[i])` runs
 * at plain-Node speed. A name the module declares itself is left alone; the
 * line numbers and source maps stay right.
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

const GLOBALS = ['Number', 'Math', 'Array', 'Object', 'Float64Array', 'Float32Array', 'Int32Array', 'Uint32Array', 'Uint8Array', 'Int8Array'];
GLOBALS.push('Int16Array', 'Uint16Array', 'Map', 'Set', 'String', 'Boolean', 'JSON', 'Error', 'RangeError', 'TypeError', 'isFinite', 'isNaN');

/** Whether the compiled module declares the name itself. */
function declares(code, name) {
  return new RegExp(`\\b(?:const|let|var|function|class)\\s+${name}\\b`).test(code);
}

/** The compiled code with the built-ins bound after the banner, on its first line. */
function bindGlobals(code) {
  const names = GLOBALS.filter((name) => !declares(code, name));
  if (names.length === 0) return code;
  return code.replace(OPTIONS.banner, `${OPTIONS.banner} const { ${names.join(', ')} } = globalThis;`);
}

const KEY = createHash('sha1').update(version).update(JSON.stringify(OPTIONS)).update(bindGlobals.toString()).update(GLOBALS.join()).digest('hex');

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, { ...OPTIONS, sourcefile: filename });
    return { code: bindGlobals(code), map };
  },
  getCacheKey(source, filename) {
    return createHash('sha1').update(KEY).update(filename).update(source).digest('hex');
  },
};
