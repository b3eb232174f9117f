/**
 * The graded tests' side of the channel to the submission's own process
 * (realm-host.js), loaded in the trusted jest process: in grading with
 * --realm, `@kata/<exercise>/<file>` resolves to a generated module that
 * calls `load('<exercise>/<file>')` here and exports what it returns:
 *   - a function export becomes a function that sends its (JSON-able or
 *     Tensor) arguments and returns the answer;
 *   - a class export becomes a class whose constructor and methods do the
 *     same; after each call the instance's readable fields (kernelSize,
 *     params, grads, ...) are copied onto the proxy, tensors into the same
 *     Tensor objects when the shape is unchanged, so a test that keeps
 *     `layer.params.W` and changes it in place is seen by the next call;
 *   - an error comes back as the tests' own class for its name
 *     (KataInputError, NotImplementedError, TypeError, RangeError, Error)
 *     with the submission's message.
 * The calls are synchronous, as the layer contract is: blocking reads and
 * writes on two FIFOs (KATA_REALM_REQUEST, KATA_REALM_ANSWER).
 * Plain JavaScript: jest loads it without a transform.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { encode, decode } = require('./realm-codec.js');
const { Tensor } = require(path.join(__dirname, '..', 'lib', 'tensor'));
const { KataInputError } = require(path.join(__dirname, '..', 'lib', 'kata-input-error'));
const { NotImplementedError } = require(path.join(__dirname, '..', 'lib', 'not-implemented'));

/** The largest answer read (a tensor of 2^24 float64 values, base64). */
const MAX_ANSWER = 256 * 1024 * 1024;

const isTensor = (v) => v instanceof Tensor;
const makeTensor = (shape, data) => new Tensor(shape, data);

let channel = null;

function open() {
  if (channel) return channel;
  const request = process.env.KATA_REALM_REQUEST;
  const answer = process.env.KATA_REALM_ANSWER;
  if (!request || !answer) throw new Error('grading with --realm: the channel to the submission is not set (KATA_REALM_REQUEST)');
  // The host opens the request FIFO for reading first, then the answer FIFO for writing.
  const out = fs.openSync(request, 'w');
  const input = fs.openSync(answer, 'r');
  channel = { out, input, pending: Buffer.alloc(0), dead: null };
  return channel;
}

function exchange(message) {
  const c = open();
  if (c.dead) throw new Error(c.dead);
  const bytes = Buffer.from(JSON.stringify(message) + '\n', 'utf8');
  try {
    for (let off = 0; off < bytes.length;) off += fs.writeSync(c.out, bytes, off, bytes.length - off);
  } catch (err) {
    c.dead = `the submission's process has ended (${err.code || err.message}); no more calls reach it`;
    throw new Error(c.dead, { cause: err });
  }
  const chunks = [c.pending];
  let size = c.pending.length;
  let newline = c.pending.indexOf(10);
  const chunk = Buffer.alloc(1 << 16);
  while (newline < 0) {
    const n = fs.readSync(c.input, chunk, 0, chunk.length, null);
    if (n === 0) {
      c.dead = "the submission's process has ended (it exited, crashed or was killed); no more calls reach it";
      throw new Error(c.dead);
    }
    const at = chunk.subarray(0, n).indexOf(10);
    chunks.push(Buffer.from(chunk.subarray(0, n)));
    if (at >= 0) newline = size + at;
    size += n;
    if (size > MAX_ANSWER) {
      c.dead = `the submission's answer is larger than ${MAX_ANSWER} bytes`;
      throw new Error(c.dead);
    }
  }
  const all = Buffer.concat(chunks);
  c.pending = all.subarray(newline + 1);
  const answer = JSON.parse(all.subarray(0, newline).toString('utf8'));
  if (answer && answer.error) throw rebuildError(answer.error);
  return answer;
}

function rebuildError(e) {
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const message = typeof e.message === 'string' ? e.message : '';
  let err;
  if (name === 'KataInputError') err = new KataInputError(message);
  else if (name === 'NotImplementedError') {
    err = new NotImplementedError('', '');
    err.message = message;
  } else if (name === 'TypeError') err = new TypeError(message);
  else if (name === 'RangeError') err = new RangeError(message);
  else {
    err = new Error(message);
    if (name !== 'Error') err.name = name;
  }
  return err;
}

const dec = (v) => decode(v, makeTensor);
const enc = (v) => encode(v, isTensor);

/** Copies the host's view of an instance onto its proxy, keeping Tensor objects (and records of them) where the shape is unchanged. */
function applyFields(target, fields) {
  for (const k of Object.keys(fields)) {
    const now = fields[k];
    const before = target[k];
    if (isTensor(now) && isTensor(before) && before.shape.join() === now.shape.join()) {
      before.data.set(now.data);
    } else if (isRecord(now) && isRecord(before)) {
      applyFields(before, now);
      for (const key of Object.keys(before)) if (!(key in now)) delete before[key];
    } else {
      target[k] = now;
    }
  }
}

const isRecord = (v) => v !== null && typeof v === 'object' && !isTensor(v) && !Array.isArray(v);
const applyState = (target, state) => applyFields(target, dec(state) || {});

function paramsOf(proxy) {
  try {
    return proxy.params && typeof proxy.params === 'object' ? enc(proxy.params) : undefined;
  } catch {
    return undefined;
  }
}

const loaded = new Map();

function load(module) {
  if (loaded.has(module)) return loaded.get(module);
  const exportsOf = exchange({ op: 'load', module }).ok;
  const out = {};
  for (const name of Object.keys(exportsOf)) {
    const d = exportsOf[name];
    if (d.kind === 'function') {
      out[name] = { [name]: (...args) => dec(exchange({ op: 'call', module, name, args: args.map(enc) }).ok) }[name];
    } else if (d.kind === 'class') {
      const ids = new WeakMap();
      const Proxy = {
        [name]: class {
          constructor(...args) {
            const answer = exchange({ op: 'new', module, name, args: args.map(enc) });
            ids.set(this, answer.ok);
            applyState(this, answer.state);
          }
        },
      }[name];
      for (const method of d.methods) {
        Object.defineProperty(Proxy.prototype, method, {
          value: {
            [method](...args) {
              const params = paramsOf(this);
              const answer = exchange({ op: 'method', id: ids.get(this), name: method, args: args.map(enc), params });
              applyState(this, answer.state);
              return dec(answer.ok);
            },
          }[method],
          writable: true,
          configurable: true,
        });
      }
      out[name] = Proxy;
    } else if (d.kind === 'value') {
      out[name] = dec(d.value);
    }
  }
  loaded.set(module, out);
  return out;
}

module.exports = { load };
