/**
 * ts-jest with one line added to every module it compiles: the built-ins a
 * numeric loop reads, bound once as module-scope constants.
 *
 * Why: jest runs every test file and every module it imports inside a `vm`
 * context. On Node 20 the global object of such a context answers every
 * property lookup through V8 interceptors, which the JIT cannot inline, so a
 * free `Number` or `Math` costs about a hundred times more than in plain
 * Node: `Number.isFinite(x)` ten million times takes about 17 s under jest
 * and 0.07 s outside it. A module-scope constant is an ordinary variable, so
 * the learner's natural `Number.isFinite(data[i])` or `Math.exp(v)` runs at
 * plain-Node speed. (Node 22.8+ can create a context without interceptors,
 * vm.constants.DONT_CONTEXTIFY, but jest does not use it yet.)
 *
 * A name the module itself declares at its top level is left alone, and the
 * constants go on the first line, after the "use strict" directive, so line
 * numbers and source maps stay right.
 *
 * Use it in place of 'ts-jest' in jest.config.ts's transform, same options.
 */
'use strict';
const { createHash } = require('node:crypto');
const tsJest = require('ts-jest').default;

const GLOBALS = [
  'Number',
  'Math',
  'Array',
  'Object',
  'Float64Array',
  'Float32Array',
  'Int32Array',
  'Uint32Array',
  'Uint8Array',
  'Int8Array',
  'Int16Array',
  'Uint16Array',
  'Map',
  'Set',
  'String',
  'Boolean',
  'JSON',
  'Error',
  'RangeError',
  'TypeError',
  'isFinite',
  'isNaN',
  'Infinity',
  'NaN',
];

/** Whether the compiled module declares the name itself (const/let/var/function/class; TS's CommonJS output imports as `x_1 = require(...)`). */
function declared(code, name) {
  return new RegExp(`\\b(?:const|let|var|function|class)\\s+${name}\\b`).test(code);
}

function addGlobals(code) {
  const names = GLOBALS.filter((name) => !declared(code, name));
  if (names.length === 0) return code;
  const line = `const { ${names.join(', ')} } = globalThis;`;
  const directive = /^(\s*(['"])use strict\2;?)/.exec(code);
  return directive ? `${directive[1]} ${line}${code.slice(directive[1].length)}` : `${line} ${code}`;
}

const VERSION = createHash('sha1').update(addGlobals.toString()).update(GLOBALS.join()).digest('hex');

module.exports = {
  createTransformer(options) {
    const inner = tsJest.createTransformer(options);
    const wrap = (result) => (typeof result === 'string' ? addGlobals(result) : { ...result, code: addGlobals(result.code) });
    return {
      canInstrument: inner.canInstrument,
      process: (...args) => wrap(inner.process(...args)),
      processAsync: async (...args) => wrap(await inner.processAsync(...args)),
      getCacheKey: (...args) => `${inner.getCacheKey(...args)}:${VERSION}`,
      getCacheKeyAsync: async (...args) => `${await inner.getCacheKeyAsync(...args)}:${VERSION}`,
    };
  },
};
