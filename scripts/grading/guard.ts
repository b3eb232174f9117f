/**
 * Loaded by `npm run grade` after the repository's own setup file and before
 * the graded test file (and so before any submission code):
 *   - freezes the built-ins the matchers and tests rely on, and the test
 *     globals, so a submission that patches them (Math.abs = ..., Object.is
 *     = ..., expect.extend(...)) throws instead of turning a failure into a pass;
 *     the grader reports such a run as "tampering";
 *   - replaces console output by a byte count (a flood costs nothing and is
 *     reported as "printed N MB");
 *   - writes the name of the running test and the console count to
 *     the grader's channel (file descriptor 3, one line "progress <json>"),
 *     so a run stopped at its time limit can say where.
 */
import fs from 'node:fs';
import { frozenBuiltins, TEST_GLOBALS } from './frozen';

const writeSync = fs.writeSync;
const stringify = JSON.stringify;
let consoleBytes = 0;

function saveProgress(test: string): void {
  try {
    writeSync(3, `progress ${stringify({ test, consoleBytes })}\n`);
  } catch {
    // no channel (a run outside the grader)
  }
}

for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table'] as const) {
  console[method] = (...args: unknown[]): void => {
    for (const a of args) consoleBytes += typeof a === 'string' ? a.length + 1 : 16;
  };
}

beforeEach(() => saveProgress(expect.getState().currentTestName ?? ''));
afterAll(() => saveProgress(''));

const matchersKey = Symbol.for('$$jest-matchers-object');
const registry = (globalThis as unknown as Record<symbol, { matchers: object; customEqualityTesters: unknown[] }>)[matchersKey];
const extendDone = (): never => {
  throw new TypeError('Cannot assign to read only property: expect.extend is closed during grading');
};

for (const name of TEST_GLOBALS) {
  if (name in globalThis) {
    Object.defineProperty(globalThis, name, { value: (globalThis as Record<string, unknown>)[name], writable: false, configurable: false });
  }
}
Object.defineProperty(expect, 'extend', { value: extendDone, writable: false, configurable: false });
Object.defineProperty(expect, 'addEqualityTesters', { value: extendDone, writable: false, configurable: false });
if (registry) {
  Object.freeze(registry.matchers);
  Object.freeze(registry.customEqualityTesters);
}
// Function, AsyncFunction, ... reached without their names ((() => 0)['constr' + 'uctor'], Reflect.get,
// getOwnPropertyDescriptor) would compile code the gate never read: their prototypes' constructor refuses.
const kinds = [function () {}, async function () {}, function* () {}, async function* () {}];
for (const kind of kinds) {
  const prototype = Object.getPrototypeOf(kind) as object;
  const name = (Object.getOwnPropertyDescriptor(prototype, 'constructor')?.value as { name?: string } | undefined)?.name ?? 'Function';
  const refuse = {
    [name]: function () {
      throw new TypeError(`${name} is not available during grading: code built at run time is refused`);
    },
  }[name];
  Object.defineProperty(prototype, 'constructor', { value: refuse, writable: false, configurable: false });
}
const frozen = frozenBuiltins();
// Error and Error.prototype stay open: jest and source maps set Error.stackTraceLimit
// and prepareStackTrace, and a frozen Error.prototype would forbid `this.name = ...`
// in every error subclass.
for (const o of frozen) Object.freeze(o);
