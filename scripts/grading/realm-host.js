/**
 * The submission's own process in grading with --realm: it loads the
 * submission's code (transpiled to JavaScript by the grader, with its own
 * copy of lib/) and answers the graded tests' calls over two FIFOs, one JSON
 * line per message (realm-codec.js). It runs in a sandbox of its own that
 * holds only that code: no tests, helpers, oracles, test framework or the
 * tests' lib/ instance. Whatever the code does here (patching Math, its own
 * objects, this process) changes only the values it answers with, which the
 * tests then judge.
 *
 * Requests: {op: 'load', module} | {op: 'call', module, name, args}
 *         | {op: 'new', module, name, args} | {op: 'method', id, name, args, params}
 * Answers:  {ok: value, state?} | {error: {name, message}}
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { encode, decode } = require('./realm-codec.js');

const [requestPath, answerPath, root] = process.argv.slice(2);
const openSync = fs.openSync;
const readSync = fs.readSync;
const writeSync = fs.writeSync;
const stringify = JSON.stringify;
const parse = JSON.parse;

// Native addons are refused: no .node file loads, and process.dlopen is gone.
delete Module._extensions['.node'];
process.dlopen = () => {
  throw new Error('native addons are not allowed in a submission');
};
// The submission's console goes to stderr, never onto the channel.
for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table']) console[method] = () => {};

const { Tensor } = require(path.join(root, 'lib', 'tensor.js'));
const isTensor = (v) => v instanceof Tensor;
const makeTensor = (shape, data) => new Tensor(shape, data);

const modules = new Map();
const instances = new Map();
let nextId = 1;

function load(name) {
  if (!/^\d{2}-[a-z0-9-]+\/[a-z0-9-]+$/.test(name)) throw new Error(`not an exercise module: ${name}`);
  let m = modules.get(name);
  if (!m) {
    m = require(path.join(root, 'exercises', `${name}.js`));
    modules.set(name, m);
  }
  return m;
}

function methodsOf(cls) {
  const names = new Set();
  for (let p = cls.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, k);
      if (k !== 'constructor' && d && typeof d.value === 'function') names.add(k);
    }
  }
  return [...names];
}

/** The instance's own fields that can cross (the rest, such as cached typed arrays, stay here). */
function stateOf(obj) {
  const state = {};
  for (const k of Object.keys(obj)) {
    try {
      state[k] = encode(obj[k], isTensor);
    } catch {
      // not a value the tests can read: stays on this side
    }
  }
  return { $o: state };
}

function describe(m) {
  const out = {};
  for (const k of Object.keys(m)) {
    const v = m[k];
    if (typeof v === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(v))) out[k] = { kind: 'class', methods: methodsOf(v) };
    else if (typeof v === 'function') out[k] = { kind: 'function' };
    else {
      try {
        out[k] = { kind: 'value', value: encode(v, isTensor) };
      } catch {
        out[k] = { kind: 'opaque' };
      }
    }
  }
  return out;
}

function handle(req) {
  const args = Array.isArray(req.args) ? req.args.map((a) => decode(a, makeTensor)) : [];
  switch (req.op) {
    case 'load':
      return { ok: describe(load(req.module)) };
    case 'call':
      return { ok: encode(load(req.module)[req.name](...args), isTensor) };
    case 'new': {
      const Cls = load(req.module)[req.name];
      const obj = new Cls(...args);
      const id = nextId++;
      instances.set(id, obj);
      return { ok: id, state: stateOf(obj) };
    }
    case 'method': {
      const obj = instances.get(req.id);
      if (!obj) throw new Error(`no object ${req.id}`);
      // The tests may have changed the parameters in place (a numeric gradient check): copy them in.
      const params = req.params ? decode(req.params, makeTensor) : null;
      if (params && obj.params && typeof obj.params === 'object') {
        for (const k of Object.keys(params)) {
          const mine = obj.params[k];
          if (isTensor(mine) && mine.data.length === params[k].data.length) mine.data.set(params[k].data);
        }
      }
      const value = obj[req.name](...args);
      return { ok: encode(value, isTensor), state: stateOf(obj) };
    }
    default:
      throw new Error(`unknown request ${req.op}`);
  }
}

const input = openSync(requestPath, 'r');
const output = openSync(answerPath, 'w');
const chunk = Buffer.alloc(1 << 16);
let pending = '';
for (;;) {
  let newline = pending.indexOf('\n');
  while (newline < 0) {
    const n = readSync(input, chunk, 0, chunk.length, null);
    if (n === 0) process.exit(0);
    pending += chunk.toString('utf8', 0, n);
    newline = pending.indexOf('\n');
  }
  const line = pending.slice(0, newline);
  pending = pending.slice(newline + 1);
  let answer;
  try {
    answer = handle(parse(line));
  } catch (err) {
    const name = err && typeof err.name === 'string' ? err.name : 'Error';
    const message = err && typeof err.message === 'string' ? err.message : String(err);
    answer = { error: { name, message } };
  }
  let text;
  try {
    text = stringify(answer);
  } catch (err) {
    text = stringify({ error: { name: 'TypeError', message: String(err && err.message) } });
  }
  const bytes = Buffer.from(text + '\n', 'utf8');
  for (let off = 0; off < bytes.length;) off += writeSync(output, bytes, off, bytes.length - off);
}
