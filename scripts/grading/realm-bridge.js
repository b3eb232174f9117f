/**
 * The channel between the graded tests (realm-client.js, in the trusted jest
 * process) and the submission's own process (realm-host.js): one JSON line per
 * message on two FIFOs, and the same code on both sides. Plain JavaScript: both
 * sides load it without a transform.
 *
 * What crosses, and how:
 *   number        as is, or {"$n": "NaN" | "Infinity" | "-Infinity" | "-0"}
 *   Tensor        by value: {"$t": shape, "d": base64 of its float64 bytes}
 *   typed array   by value: {"$a": "Int32Array", "d": base64}
 *   array, plain object   by value, element by element
 *   undefined     {"$u": 1}
 *   anything else (a class, a function, an instance: a layer, an Rng, an
 *   initializer, a classifier) by reference: {"$l": id, ...} names an object
 *   of the sender, which the receiver sees as a proxy whose methods and
 *   getters call the owner; {"$r": id} hands a proxy's object back to its owner.
 *
 * A proxy reads an own field (`layer.params`) from its owner once and then
 * keeps it current: every request carries the fields this side changed in
 * place (a numeric gradient check perturbing W), and every answer the fields'
 * new values, written into the same Tensor objects. An object of this side
 * given as an argument (an object with methods: a layer handed to an
 * optimizer) carries its data fields along; the answer brings back what the
 * call changed in their numbers, and nothing else. Values (tensors, records)
 * never come back: an input rewritten by the other side could otherwise
 * change what the tests compare against.
 *
 * Requests: {q: 'load' | 'new' | 'invoke' | 'apply' | 'get' | 'set', ...,
 *            sync, track, release}
 * Answers:  {a: value, sync, keys?, fresh} | {e: {name, message}, fresh}
 * Either side may send requests while it waits for an answer (a test's
 * initializer called by the submission's layer, calling the layer's Rng).
 */
'use strict';
const fs = require('node:fs');

const TYPED = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
};
const MAX_DEPTH = 32;
/** The largest message read (a tensor of 2^24 float64 values, base64). */
const MAX_MESSAGE = 256 * 1024 * 1024;
/**
 * Names never read from or called on the other side: the test framework
 * treats an object with them specially (`asymmetricMatch` decides equality,
 * `then` makes it a promise), and the rest lead to the other side's Function.
 */
const FORBIDDEN = new Set([
  'asymmetricMatch',
  '$$typeof',
  'then',
  'toJSON',
  'nodeType',
  'tagName',
  'equals',
  'constructor',
  'prototype',
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'valueOf',
  'toString',
  'toLocaleString',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'inspect',
  'caller',
  'callee',
  'arguments',
]);
const ITERATOR = '@@iterator';
const allowedName = (name) => typeof name === 'string' && name.length <= 200 && !FORBIDDEN.has(name);

const isClass = (f) => /^class[\s{]/.test(Function.prototype.toString.call(f));

const membersCache = new WeakMap();

/** The methods and getters along an object's prototype chain (not Object.prototype's). */
function membersOf(proto) {
  if (proto === null || (typeof proto !== 'object' && typeof proto !== 'function')) return { m: [], g: [] };
  if (!membersCache.has(proto)) membersCache.set(proto, findMembers(proto));
  return membersCache.get(proto);
}

function findMembers(proto) {
  const methods = new Set();
  const getters = new Set();
  for (let p = proto; p && p !== Object.prototype && p !== Function.prototype; p = Object.getPrototypeOf(p)) {
    for (const key of Reflect.ownKeys(p)) {
      const name = key === Symbol.iterator ? ITERATOR : key;
      if (typeof name !== 'string' || !allowedName(name) || methods.has(name) || getters.has(name)) continue;
      const d = Object.getOwnPropertyDescriptor(p, key);
      if (d.get) getters.add(name);
      else if (typeof d.value === 'function') methods.add(name);
    }
  }
  return { m: [...methods], g: [...getters] };
}

const keyOf = (name) => (name === ITERATOR ? Symbol.iterator : name);

/** An exercise file's position in a stack frame: exercises/05-flatten/flatten.ts:12:9. */
const WHERE = /(exercises\/\d{2}-[a-z0-9-]+\/[A-Za-z0-9_.-]+\.ts:\d+:\d+)/;
const whereOf = (text) => (typeof text === 'string' ? WHERE.exec(text)?.[1] : undefined);

class Bridge {
  /**
   * @param options.side      'h' (the submission's process) or 'c' (the tests' process): the prefix of this side's ids
   * @param options.input     file descriptor read for messages
   * @param options.output    file descriptor written
   * @param options.Tensor    this side's Tensor class
   * @param options.rebuildError  (name, message, where) => an Error of this side's classes; where: exercises/NN-x/file.ts:line:column or undefined
   * @param options.load      (module) => exports, on the side that answers 'load'
   * @param options.guarded   this side's objects are the tests': the other side may
   *                  change only the numbers in their tensors (what an
   *                  optimizer updates), never set or replace a field
   * @param options.peerGuarded  the other side is guarded: a field this side sets on
   *                  one of its objects stays here (a learner's optimizer that
   *                  keeps its state on the layer it was given)
   */
  constructor({ side, input, output, Tensor, rebuildError, load, guarded = false, peerGuarded = false }) {
    Object.assign(this, { side, input, output, Tensor, rebuildError, loadModule: load, guarded, peerGuarded });
    this.local = new Map(); // id -> an object of this side that was sent
    this.localIds = new WeakMap();
    this.proxies = new Map(); // id -> WeakRef of the proxy of the other side's object
    this.proxyIds = new WeakMap();
    this.knownKeys = new WeakMap(); // proxy -> its owner's own field names, as last told
    this.tracked = new Map(); // proxy id -> Map(key -> {id, key, value, text}): fields read through proxies
    this.released = [];
    this.finalizer = new FinalizationRegistry((id) => {
      if (this.proxies.get(id)?.deref()) return;
      this.proxies.delete(id);
      this.tracked.delete(id);
      this.released.push(id);
    });
    this.nextId = 1;
    this.dead = null;
    this.pending = Buffer.alloc(0);
  }

  isTensor(v) {
    return v instanceof this.Tensor;
  }

  // -------------------------------------------------------------- values

  bytes(view) {
    return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
  }

  encode(v, depth = 0, byValue = false) {
    if (depth > MAX_DEPTH) throw new TypeError(`a value nested more than ${MAX_DEPTH} levels deep cannot cross`);
    if (v === undefined) return { $u: 1 };
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return { $n: 'NaN' };
      if (v === Infinity) return { $n: 'Infinity' };
      if (v === -Infinity) return { $n: '-Infinity' };
      if (Object.is(v, -0)) return { $n: '-0' };
      return v;
    }
    if (typeof v !== 'object' && typeof v !== 'function') throw new TypeError(`a ${typeof v} cannot cross`);
    if (this.isTensor(v)) return { $t: Array.from(v.shape, Number), d: this.bytes(v.data instanceof Float64Array ? v.data : Float64Array.from(v.data)) };
    if (ArrayBuffer.isView(v)) {
      const name = Object.prototype.toString.call(v).slice(8, -1);
      if (!(name in TYPED)) throw new TypeError(`a ${name} cannot cross`);
      return { $a: name, d: this.bytes(v) };
    }
    if (Array.isArray(v)) return v.map((x) => this.encode(x, depth + 1));
    // A record with functions of its own (a layer written as an object literal) behaves as an object: by reference.
    if (this.isRecord(v) && (byValue || !Object.values(v).some((x) => typeof x === 'function' && !isClass(x)))) {
      const out = {};
      for (const key of Object.keys(v)) out[key] = this.encode(v[key], depth + 1);
      return { $o: out };
    }
    return this.reference(v);
  }

  reference(v) {
    const theirs = this.proxyIds.get(v);
    if (theirs !== undefined) return { $r: theirs };
    let id = this.localIds.get(v);
    if (id === undefined || this.local.get(id) !== v) {
      id = `${this.side}${this.nextId++}`;
      this.localIds.set(v, id);
      this.local.set(id, v);
    }
    if (typeof v === 'function') {
      if (!isClass(v)) return { $l: id, k: 'fn', n: String(v.name) };
      const statics = Object.getOwnPropertyNames(v).filter((k) => allowedName(k) && !['length', 'name'].includes(k) && typeof v[k] === 'function');
      return { $l: id, k: 'class', n: String(v.name), ...membersOf(v.prototype), s: statics, e: v.prototype instanceof Error };
    }
    const ctor = Object.getPrototypeOf(v)?.constructor;
    const { m, g } = membersOf(Object.getPrototypeOf(v));
    const ownMethods = Object.keys(v).filter((k) => allowedName(k) && typeof v[k] === 'function');
    return {
      $l: id,
      k: 'obj',
      m: [...m, ...ownMethods],
      g,
      o: Object.keys(v).filter((k) => allowedName(k) && typeof v[k] !== 'function'),
      c: typeof ctor === 'function' && isClass(ctor) ? this.reference(ctor) : null,
    };
  }

  /** An argument of this side's own: its data fields go with it, so that the other side reads them as they are now. */
  encodeArgument(v) {
    const out = this.encode(v);
    if (out && typeof out === 'object' && typeof out.$l === 'string' && out.k === 'obj') {
      out.f = {};
      for (const key of out.o) out.f[key] = this.encode(v[key]);
    }
    return out;
  }

  decode(v, depth = 0) {
    if (depth > MAX_DEPTH) throw new TypeError(`a value nested more than ${MAX_DEPTH} levels deep`);
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => this.decode(x, depth + 1));
    if ('$u' in v) return undefined;
    if ('$n' in v) return v.$n === '-0' ? -0 : Number(v.$n);
    if ('$t' in v) return new this.Tensor(v.$t, new Float64Array(this.fromBase64(v.d, 8)));
    if ('$a' in v) {
      const Typed = Object.hasOwn(TYPED, v.$a) ? TYPED[v.$a] : null;
      if (!Typed) throw new TypeError('an unknown typed array on the channel');
      return new Typed(this.fromBase64(v.d, Typed.BYTES_PER_ELEMENT));
    }
    if ('$o' in v && v.$o && typeof v.$o === 'object') {
      const out = {};
      for (const key of Object.keys(v.$o)) {
        if (!allowedName(key)) continue;
        Object.defineProperty(out, key, { value: this.decode(v.$o[key], depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    if ('$r' in v) {
      if (!this.local.has(v.$r)) throw new Error(`an object that no longer exists on this this.side (${String(v.$r)})`);
      return this.local.get(v.$r);
    }
    if ('$l' in v && typeof v.$l === 'string' && !v.$l.startsWith(this.side)) return this.proxyFor(v);
    throw new TypeError('an unknown value on the channel');
  }

  fromBase64(text, unit) {
    const buf = Buffer.from(String(text), 'base64');
    if (buf.length % unit !== 0) throw new TypeError('an array whose bytes are not whole elements');
    const copy = new ArrayBuffer(buf.length);
    new Uint8Array(copy).set(buf);
    return copy;
  }

  // -------------------------------------------------------------- proxies

  proxyFor(d) {
    let p = this.proxies.get(d.$l)?.deref();
    if (p) {
      if (d.k === 'obj' && Array.isArray(d.o)) this.knownKeys.set(p, d.o.filter(allowedName));
    } else {
      p = d.k === 'fn' ? this.remoteFunction(d) : d.k === 'class' ? this.remoteClass(d) : this.remoteObject(d);
      this.proxies.set(d.$l, new WeakRef(p));
      this.proxyIds.set(p, d.$l);
      this.finalizer.register(p, d.$l);
    }
    // An argument's fields as they are now: kept in the same objects (an optimizer keys its state by the Tensor).
    if (d.f && typeof d.f === 'object') {
      for (const key of Object.keys(d.f).filter(allowedName)) {
        const entry = this.tracked.get(d.$l)?.get(key);
        if (entry) {
          entry.value = this.update(entry.value, this.decode(d.f[key]));
          entry.text = JSON.stringify(d.f[key]);
        } else this.track(d.$l, key, this.decode(d.f[key]));
      }
    }
    return p;
  }

  nameOf(d) {
    return typeof d.n === 'string' && /^[A-Za-z_$][\w$]{0,100}$/.test(d.n) ? d.n : 'Remote';
  }

  remoteFunction(d) {
    const call = (request, args) => this.call(request, args);
    const id = d.$l;
    return {
      [this.nameOf(d)](...args) {
        return call({ q: 'apply', id, args }, args);
      },
    }[this.nameOf(d)];
  }

  defineMembers(target, d, idOf) {
    const call = (request, args) => this.call(request, args);
    for (const name of (Array.isArray(d.m) ? d.m : []).filter(allowedName)) {
      Object.defineProperty(target, keyOf(name), {
        value: {
          [name](...args) {
            return call({ q: 'invoke', id: idOf(this), name, args }, args);
          },
        }[name],
        writable: true,
        configurable: true,
      });
    }
    for (const key of (Array.isArray(d.g) ? d.g : []).filter(allowedName)) {
      Object.defineProperty(target, key, {
        get() {
          return call({ q: 'get', id: idOf(this), key }, []);
        },
        configurable: true,
      });
    }
  }

  remoteClass(d) {
    const call = (request, args) => this.call(request, args);
    const id = d.$l;
    const C = {
      [this.nameOf(d)]: class {
        constructor(...args) {
          return call({ q: 'new', id, args }, args);
        }
      },
    }[this.nameOf(d)];
    if (d.e) Object.setPrototypeOf(C.prototype, Error.prototype);
    this.defineMembers(C.prototype, d, (self) => this.proxyIds.get(self));
    for (const name of (Array.isArray(d.s) ? d.s : []).filter(allowedName)) {
      Object.defineProperty(C, name, {
        value: (...args) => call({ q: 'invoke', id, name, args }, args),
        writable: true,
        configurable: true,
      });
    }
    return C;
  }

  remoteObject(d) {
    const { knownKeys, tracked, peerGuarded } = this;
    const call = (request, args) => this.call(request, args);
    const track = (key, value) => this.track(id, key, value);
    const id = d.$l;
    const Class = d.c ? this.decode(d.c) : null;
    const target = Object.create(typeof Class === 'function' ? Class.prototype : Object.prototype);
    if (!Class) this.defineMembers(target, d, () => id);
    const overlay = new Map(); // fields set here on an object of a guarded side
    const proxy = new Proxy(target, {
      get(t, key, receiver) {
        if (overlay.has(key)) return overlay.get(key);
        if (typeof key === 'symbol' || key in t) return Reflect.get(t, key, receiver);
        if (!allowedName(key) || !knownKeys.get(proxy)?.includes(key)) return undefined;
        const entry = tracked.get(id)?.get(key);
        if (entry) return entry.value;
        const value = call({ q: 'get', id, key }, []);
        track(key, value);
        return value;
      },
      set(t, key, value) {
        if (peerGuarded) {
          overlay.set(key, value);
          return true;
        }
        if (typeof key === 'symbol' || !allowedName(key)) return false;
        call({ q: 'set', id, key, value }, []);
        const known = knownKeys.get(proxy) ?? [];
        if (!known.includes(key)) knownKeys.set(proxy, [...known, key]);
        track(key, value);
        return true;
      },
      has: (t, key) => overlay.has(key) || key in t || (typeof key === 'string' && (knownKeys.get(proxy) ?? []).includes(key)),
      ownKeys: () => [...new Set([...(knownKeys.get(proxy) ?? []), ...[...overlay.keys()].filter((k) => typeof k === 'string')])],
      getOwnPropertyDescriptor(t, key) {
        if (!overlay.has(key) && (typeof key !== 'string' || !(knownKeys.get(proxy) ?? []).includes(key))) return undefined;
        return { value: proxy[key], enumerable: true, writable: true, configurable: true };
      },
      defineProperty: () => false,
      deleteProperty: () => false,
      setPrototypeOf: () => false,
    });
    knownKeys.set(proxy, (Array.isArray(d.o) ? d.o : []).filter(allowedName));
    return proxy;
  }

  track(id, key, value) {
    if (!this.tracked.has(id)) this.tracked.set(id, new Map());
    this.tracked.get(id).set(key, { id, key, value, text: JSON.stringify(this.encode(value)) });
  }

  /**
   * The tracked fields a call may read or change: those of the object called
   * and of every proxy in its arguments, and, through them, of every proxy
   * they hold (a classifier's layers). The rest wait for a call of their own.
   */
  reachable(id, args) {
    const entries = [];
    const seen = new Set();
    const visit = (v, depth) => {
      if (depth > MAX_DEPTH || v === null || (typeof v !== 'object' && typeof v !== 'function') || this.isTensor(v) || ArrayBuffer.isView(v)) return;
      const pid = this.proxyIds.get(v);
      if (pid !== undefined) return visitId(pid, depth);
      if (seen.has(v)) return;
      seen.add(v);
      if (Array.isArray(v)) v.forEach((x) => visit(x, depth + 1));
      else if (this.isRecord(v)) Object.keys(v).forEach((k) => visit(v[k], depth + 1));
    };
    const visitId = (pid, depth) => {
      if (seen.has(pid)) return;
      seen.add(pid);
      for (const entry of this.tracked.get(pid)?.values() ?? []) {
        entries.push(entry);
        visit(entry.value, depth + 1);
      }
    };
    if (id !== undefined) visitId(id, 0);
    args.forEach((a) => visit(a, 0));
    return entries;
  }

  // -------------------------------------------------------------- in place

  isRecord(v) {
    if (v === null || typeof v !== 'object' || this.proxyIds.has(v) || Array.isArray(v)) return false;
    const proto = Object.getPrototypeOf(v);
    // Object.prototype of this realm or of another one (jest runs tests in a context of their own).
    return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
  }

  /**
   * Writes only numbers, in place, where `into` already has the same
   * structure: what the other side may change in this side's own objects
   * (the parameters an optimizer updates), never their shape, keys or other
   * values (a test's records stay the test's).
   */
  updateNumbers(into, next) {
    if (this.isTensor(into) && this.isTensor(next) && into.shape.join() === next.shape.join()) into.data.set(next.data);
    else if (ArrayBuffer.isView(into) && ArrayBuffer.isView(next) && into.constructor.name === next.constructor.name && into.length === next.length) {
      into.set(next);
    } else if (this.isRecord(into) && this.isRecord(next)) for (const key of Object.keys(into)) if (key in next) this.updateNumbers(into[key], next[key]);
  }

  /** Writes `next` into `into` where it can (same-shaped tensors and arrays, records); returns what the holder should now hold. */
  update(into, next) {
    if (this.isTensor(into) && this.isTensor(next) && into.shape.join() === next.shape.join()) {
      into.data.set(next.data);
      return into;
    }
    if (ArrayBuffer.isView(into) && ArrayBuffer.isView(next) && into.constructor === next.constructor && into.length === next.length) {
      into.set(next);
      return into;
    }
    if (Array.isArray(into) && Array.isArray(next) && into.length === next.length && !Object.isFrozen(into)) {
      for (let i = 0; i < next.length; i++) into[i] = this.update(into[i], next[i]);
      return into;
    }
    if (this.isRecord(into) && this.isRecord(next) && !Object.isFrozen(into)) {
      for (const key of Object.keys(into)) if (!(key in next)) delete into[key];
      for (const key of Object.keys(next)) into[key] = this.update(into[key], next[key]);
      return into;
    }
    return next;
  }

  // -------------------------------------------------------------- messages

  send(message) {
    const buf = Buffer.from(JSON.stringify(message) + '\n', 'utf8');
    try {
      for (let off = 0; off < buf.length;) off += fs.writeSync(this.output, buf, off, buf.length - off);
    } catch (err) {
      this.dead = `the other process has ended (${err.code || err.message}); no more calls reach it`;
      throw new Error(this.dead, { cause: err });
    }
  }

  receive() {
    const chunks = [this.pending];
    let size = this.pending.length;
    let newline = this.pending.indexOf(10);
    const chunk = Buffer.alloc(1 << 16);
    while (newline < 0) {
      const n = fs.readSync(this.input, chunk, 0, chunk.length, null);
      if (n === 0) {
        this.dead = 'the other process has ended (it exited, crashed or was killed); no more calls reach it';
        throw new Error(this.dead);
      }
      const at = chunk.subarray(0, n).indexOf(10);
      chunks.push(Buffer.from(chunk.subarray(0, n)));
      if (at >= 0) newline = size + at;
      size += n;
      if (size > MAX_MESSAGE) {
        this.dead = `a message larger than ${MAX_MESSAGE} bytes came on the channel`;
        throw new Error(this.dead);
      }
    }
    const all = Buffer.concat(chunks);
    this.pending = all.subarray(newline + 1);
    const message = JSON.parse(all.subarray(0, newline).toString('utf8'));
    if (message === null || typeof message !== 'object') throw new TypeError('a message that is not an object came on the channel');
    return message;
  }

  /** The tracked fields among `entries` this side changed since the owner last told their values. */
  changed(entries) {
    const out = [];
    for (const t of entries) {
      const value = this.encode(t.value);
      const text = JSON.stringify(value);
      if (text !== t.text) {
        out.push([t.id, t.key, value]);
        t.text = text;
      }
    }
    return out;
  }

  /** Sends a request and serves the other side's requests until its answer comes. */
  call(request, args) {
    if (this.dead) throw new Error(this.dead);
    const entries = this.reachable(this.proxyIds.has(this.proxies.get(request.id)?.deref()) ? request.id : undefined, args);
    this.send({
      ...request,
      args: args.map((a) => this.encodeArgument(a)),
      value: 'value' in request ? this.encode(request.value) : undefined,
      sync: this.changed(entries),
      track: entries.map((t) => [t.id, t.key]),
      release: this.released.splice(0),
    });
    for (;;) {
      const message = this.receive();
      if (typeof message.q === 'string') {
        this.send(this.serve(message));
        continue;
      }
      this.applyFresh(message.fresh);
      // What the call changed in the numbers of this side's own arguments (the layer an optimizer updated).
      for (const [id, key, value] of Array.isArray(message.sync) ? message.sync : []) {
        if (this.local.has(id) && this.readable(this.local.get(id), key)) this.updateNumbers(this.local.get(id)[key], this.decode(value));
      }
      if (message.e) throw this.rebuildError(String(message.e.name ?? 'Error'), String(message.e.message ?? ''), whereOf(message.e.where));
      const value = this.decode(message.a);
      const proxy = this.proxies.get(request.id)?.deref();
      if (proxy && Array.isArray(message.keys)) this.knownKeys.set(proxy, message.keys.filter(allowedName));
      return value;
    }
  }

  applyFresh(fresh) {
    if (!Array.isArray(fresh)) return;
    for (const [id, key, value] of fresh) {
      const t = this.tracked.get(id)?.get(key);
      if (!t) continue;
      const text = JSON.stringify(value);
      if (text === t.text) continue;
      t.value = this.update(t.value, this.decode(value));
      t.text = text;
    }
  }

  // -------------------------------------------------------------- serving

  own(id) {
    if (!this.local.has(id)) throw new Error(`no object ${String(id)} on this this.side`);
    return this.local.get(id);
  }

  readable(obj, key) {
    if (!allowedName(key)) return false;
    if (Object.keys(obj).includes(key)) return true;
    return typeof obj !== 'function' && membersOf(Object.getPrototypeOf(obj)).g.includes(key);
  }

  callable(obj, name) {
    if (!allowedName(name)) return false;
    if (typeof obj === 'function') return Object.getOwnPropertyNames(obj).includes(name) && typeof obj[name] === 'function';
    return membersOf(Object.getPrototypeOf(obj)).m.includes(name) || (Object.keys(obj).includes(name) && typeof obj[name] === 'function');
  }

  perform(m, args) {
    switch (m.q) {
      case 'load':
        if (!this.loadModule) throw new Error('this this.side does not this.loadModule modules');
        return this.loadModule(String(m.module));
      case 'new': {
        const C = this.own(m.id);
        if (typeof C !== 'function' || !isClass(C)) throw new TypeError('not a class');
        return new C(...args);
      }
      case 'apply': {
        const f = this.own(m.id);
        if (typeof f !== 'function' || isClass(f)) throw new TypeError('not a function');
        return f(...args);
      }
      case 'invoke': {
        const obj = this.own(m.id);
        if (!this.callable(obj, m.name)) throw new TypeError(`${String(m.name)} is not a method of this object`);
        return obj[keyOf(m.name)](...args);
      }
      case 'get': {
        const obj = this.own(m.id);
        if (!this.readable(obj, m.key)) return undefined;
        return obj[m.key];
      }
      case 'set': {
        const obj = this.own(m.id);
        if (this.guarded || !allowedName(m.key) || typeof obj !== 'object') throw new TypeError(`${String(m.key)} cannot be set on this object`);
        obj[m.key] = this.update(obj[m.key], this.decode(m.value));
        return undefined;
      }
      default:
        throw new Error(`unknown request ${String(m.q)}`);
    }
  }

  serve(m) {
    let answer;
    try {
      for (const id of Array.isArray(m.release) ? m.release : []) this.local.delete(id);
      for (const [id, key, value] of Array.isArray(m.sync) ? m.sync : []) {
        const obj = this.own(id);
        if (!this.readable(obj, key)) continue;
        if (this.guarded) this.updateNumbers(obj[key], this.decode(value));
        else obj[key] = this.update(obj[key], this.decode(value));
      }
      const args = (Array.isArray(m.args) ? m.args : []).map((a) => this.decode(a));
      const value = this.perform(m, args);
      // A module's exports are a record of its classes, functions and values, whatever they hold.
      answer = { a: this.encode(value, 0, m.q === 'load'), sync: this.changed(this.reachable(undefined, args)) };
      if (m.q === 'invoke' && this.local.has(m.id) && typeof this.local.get(m.id) === 'object')
        answer.keys = Object.keys(this.local.get(m.id)).filter(allowedName);
    } catch (err) {
      const name = err && typeof err.name === 'string' ? err.name : 'Error';
      const message = err && typeof err.message === 'string' ? err.message : String(err);
      // Where in an exercise's file it was thrown, for the report (the first such frame of its stack).
      const where = err && typeof err.stack === 'string' ? WHERE.exec(err.stack)?.[1] : undefined;
      answer = { e: { name, message, where } };
    }
    answer.fresh = [];
    for (const [id, key] of Array.isArray(m.track) ? m.track : []) {
      try {
        const obj = this.own(id);
        if (this.readable(obj, key)) answer.fresh.push([id, key, this.encode(obj[key])]);
      } catch {
        // released or unreadable: the other side keeps what it has
      }
    }
    return answer;
  }

  /** Serves requests until the other side closes the channel (the submission's process). */
  serveForever() {
    for (;;) {
      let message;
      try {
        message = this.receive();
      } catch {
        return;
      }
      this.send(this.serve(message));
    }
  }

  /** Loads a module of the other side (the submission's exercise file): its exports, classes and functions as proxies. */
  load(module) {
    return this.call({ q: 'load', module }, []);
  }

  isDead() {
    return this.dead;
  }
}

function createBridge(options) {
  return new Bridge(options);
}

module.exports = { createBridge };
