/**
 * What the guard (guard.ts) freezes before a graded test file loads, shared
 * with the grader so that a refused write counts as tampering only when its
 * target is one of these: a learner's own frozen object (a Tensor's shape,
 * for one) refusing a write is an honest bug, graded as a failed test.
 */

/** The test framework's globals made read-only. */
export const TEST_GLOBALS = ['expect', 'test', 'it', 'describe', 'beforeEach', 'afterEach', 'beforeAll', 'afterAll', 'fail'];

/** The built-ins the matchers and tests rely on. */
export function frozenBuiltins(): object[] {
  return [
    Math,
    JSON,
    Reflect,
    Object,
    Number,
    String,
    Array,
    Boolean,
    Symbol,
    Promise,
    Float64Array,
    Float32Array,
    Int32Array,
    Uint8Array,
    Object.prototype,
    Array.prototype,
    Number.prototype,
    String.prototype,
    Boolean.prototype,
    Function.prototype,
    Promise.prototype,
    Map.prototype,
    Set.prototype,
    RegExp.prototype,
    Object.getPrototypeOf(Float64Array.prototype) as object,
    Float64Array.prototype,
  ];
}

/** Refused writes as V8 words them: the property is the first group. */
const REFUSED = [
  /Cannot assign to read only property '([^']*)' of (?:object|function) '([^']*)'/,
  /Cannot add property ([^,\s]+), object is not extensible/,
  /Cannot redefine property: (\S+)/,
  /Cannot delete property '([^']*)' of (.*)/,
  /Cannot define property ([^,\s]+), object is not extensible/,
];

let names: Set<string> | null = null;

/**
 * True when a failure message is a refused write to a frozen built-in or test
 * global (Math.abs, Object.is, Array.prototype.every, expect.extend, ...);
 * false for a refused write to anything else, such as an array index or the
 * length of a frozen shape.
 */
export function isTamperingMessage(message: string): boolean {
  if (/expect\.extend is closed/.test(message)) return true;
  if (!names) {
    names = new Set(TEST_GLOBALS);
    for (const o of frozenBuiltins()) for (const k of Object.getOwnPropertyNames(o)) names.add(k);
    // Indices and lengths are what a learner's frozen arrays refuse; a built-in's are never patched to cheat.
    names.delete('length');
  }
  for (const pattern of REFUSED) {
    const m = pattern.exec(message);
    if (!m) continue;
    const property = m[1];
    if (/^\d+$/.test(property) || property === 'length') continue;
    // A property new to every frozen object (Math.foo = ...) is refused too; a new one on a learner's array is an index.
    if (/not extensible/.test(m[0])) return true;
    if (names.has(property)) return true;
  }
  return false;
}
