/**
 * The submission's own process in grading: it loads the submission's code
 * (transpiled to JavaScript by the grader, with its own copy of lib/) and
 * answers the graded tests over two FIFOs (realm-bridge.js). It runs in a
 * sandbox of its own that holds only that code: no tests, helpers, oracles,
 * test framework or the tests' lib/ instance. Whatever the code does here
 * (patching Math, its own objects, this process) changes only the values it
 * answers with, which the tests then judge.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { createBridge } = require('./realm-bridge.js');

const [requestPath, answerPath, root] = process.argv.slice(2);

// Native addons are refused: no .node file loads, and process.dlopen is gone.
delete Module._extensions['.node'];
process.dlopen = () => {
  throw new Error('native addons are not allowed in a submission');
};
// The submission's console goes nowhere, never onto the channel.
for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table']) console[method] = () => {};

const { Tensor } = require(path.join(root, 'lib', 'tensor.js'));
const { KataInputError } = require(path.join(root, 'lib', 'kata-input-error.js'));

function rebuildError(name, message) {
  if (name === 'KataInputError') return new KataInputError(message);
  const err = name === 'TypeError' ? new TypeError(message) : name === 'RangeError' ? new RangeError(message) : new Error(message);
  if (err.name !== name) err.name = name;
  return err;
}

function load(name) {
  if (!/^\d{2}-[a-z0-9-]+\/[a-z0-9-]+$/.test(name)) throw new Error(`not an exercise module: ${name}`);
  return require(path.join(root, 'exercises', `${name}.js`));
}

// The host opens the request FIFO for reading first, then the answer FIFO for writing (the client, in that order too).
const input = fs.openSync(requestPath, 'r');
const output = fs.openSync(answerPath, 'w');
createBridge({ side: 'h', input, output, Tensor, rebuildError, load, peerGuarded: true }).serveForever();
process.exit(0);
