/**
 * The graded tests' side of the channel to the submission's own process
 * (realm-host.js), loaded in the trusted jest process: in grading,
 * `@kata/<exercise>/<file>` resolves to a generated module that calls
 * `load('<exercise>/<file>')` here and exports what it returns. Classes,
 * functions and the objects they make are proxies that call the submission's
 * process; tensors, typed arrays and plain values are copies; the tests'
 * own objects given to the submission (an initializer, an Rng) are called
 * back the same way (realm-bridge.js). An error comes back as the tests'
 * own class for its name (KataInputError, NotImplementedError, TypeError,
 * RangeError, Error) with the submission's message.
 * The calls are synchronous, as the layer contract is: blocking reads and
 * writes on two FIFOs (KATA_REALM_REQUEST, KATA_REALM_ANSWER).
 * Plain JavaScript: jest loads it without a transform.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { createBridge } = require('./realm-bridge.js');
const { Tensor } = require(path.join(__dirname, '..', 'lib', 'tensor'));
const { KataInputError } = require(path.join(__dirname, '..', 'lib', 'kata-input-error'));
const { NotImplementedError } = require(path.join(__dirname, '..', 'lib', 'not-implemented'));

/** The tests' own error class for the name, with the submission's message and, as a stack frame, where in its exercise file it was thrown. */
function rebuildError(name, message, where) {
  let err;
  if (name === 'KataInputError') err = new KataInputError(message);
  else if (name === 'NotImplementedError') {
    err = new NotImplementedError('', '');
    err.message = message;
  } else if (name === 'TypeError') err = new TypeError(message);
  else if (name === 'RangeError') err = new RangeError(message);
  else err = new Error(message);
  if (err.name !== name) err.name = name;
  if (where) err.stack = `${err.name}: ${message}\n    at the submission (${where})`;
  return err;
}

let bridge = null;
const loaded = new Map();

function load(module) {
  if (!bridge) {
    const request = process.env.KATA_REALM_REQUEST;
    const answer = process.env.KATA_REALM_ANSWER;
    if (!request || !answer) throw new Error('grading in a separate realm: the channel to the submission is not set (KATA_REALM_REQUEST)');
    const output = fs.openSync(request, 'w');
    const input = fs.openSync(answer, 'r');
    bridge = createBridge({ side: 'c', input, output, Tensor, rebuildError, guarded: true });
  }
  if (!loaded.has(module)) loaded.set(module, bridge.load(module));
  return loaded.get(module);
}

module.exports = { load };
