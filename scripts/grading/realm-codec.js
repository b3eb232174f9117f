/**
 * The values that cross the channel between the graded tests and the
 * submission's own process (realm-host.js, realm-client.js), one JSON line
 * per message. Plain JavaScript: both sides load it without a transform.
 *
 *   number     as is, or {"$n": "NaN" | "Infinity" | "-Infinity" | "-0"}
 *   Tensor     {"$t": shape, "d": base64 of the Float64Array's bytes}
 *   array      each element encoded
 *   object     {"$o": {key: encoded}} (plain objects only)
 *   undefined  {"$u": 1}
 * Anything else (functions, class instances other than Tensor, symbols)
 * cannot cross and is refused with what it was.
 */
'use strict';

function encode(value, isTensor, depth = 0) {
  if (depth > 32) throw new TypeError('a value nested more than 32 levels deep cannot cross to the graded tests');
  if (value === undefined) return { $u: 1 };
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return { $n: 'NaN' };
    if (value === Infinity) return { $n: 'Infinity' };
    if (value === -Infinity) return { $n: '-Infinity' };
    if (Object.is(value, -0)) return { $n: '-0' };
    return value;
  }
  if (isTensor(value)) {
    const data = value.data instanceof Float64Array ? value.data : Float64Array.from(value.data);
    return { $t: Array.from(value.shape, Number), d: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') };
  }
  if (Array.isArray(value)) return value.map((v) => encode(v, isTensor, depth + 1));
  if (typeof value === 'object' && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
    const out = {};
    for (const key of Object.keys(value)) out[key] = encode(value[key], isTensor, depth + 1);
    return { $o: out };
  }
  throw new TypeError(
    `a ${typeof value === 'function' ? 'function' : (value && value.constructor && value.constructor.name) || typeof value} cannot cross to the graded tests`,
  );
}

function decode(value, makeTensor, depth = 0) {
  if (depth > 32) throw new TypeError('a value nested more than 32 levels deep');
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => decode(v, makeTensor, depth + 1));
  if ('$u' in value) return undefined;
  if ('$n' in value) return value.$n === '-0' ? -0 : Number(value.$n);
  if ('$t' in value) {
    const bytes = Buffer.from(String(value.d), 'base64');
    if (bytes.length % 8 !== 0) throw new TypeError('a tensor whose data is not whole float64 values');
    const data = new Float64Array(bytes.length / 8);
    new Uint8Array(data.buffer).set(bytes);
    return makeTensor(value.$t, data);
  }
  if ('$o' in value && value.$o && typeof value.$o === 'object') {
    const out = {};
    for (const key of Object.keys(value.$o)) out[key] = decode(value.$o[key], makeTensor, depth + 1);
    return out;
  }
  throw new TypeError('an unknown value on the channel');
}

module.exports = { encode, decode };
