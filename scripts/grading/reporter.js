/**
 * The jest reporter of `npm run grade`, the only source of a verdict.
 *
 * Plain JavaScript because jest loads reporters without transforming them.
 * Jest constructs it before any test file (and so before any submission
 * code) is loaded: it reads the run's secret nonce from file descriptor 4
 * (a pipe the grader writes it into and closes) and closes it at once,
 * keeping the nonce and the functions it needs in this closure. At the end
 * it writes the results with the nonce as one line "verdict <json>" on file
 * descriptor 3, a pipe to the grader: nothing is read back from the
 * sandbox's file system. A report written by anyone else lacks the nonce,
 * and the grader treats the run as having no verdict at all.
 */
'use strict';
const fs = require('node:fs');

const readFile = fs.readFileSync;
const close = fs.closeSync;
const writeSync = fs.writeSync;
const stringify = JSON.stringify;
const from = Buffer.from;

/** The grader's ends of the channel (scripts/grading/sandbox.ts). */
const CHANNEL_FD = 3;
const NONCE_FD = 4;

class GradeReporter {
  constructor() {
    try {
      this.nonce = readFile(NONCE_FD, 'utf8');
      close(NONCE_FD);
    } catch {
      this.nonce = '';
    }
  }

  onRunComplete(_contexts, results) {
    if (!this.nonce) return;
    const testResults = results.testResults.map((suite) => ({
      name: suite.testFilePath,
      status: suite.testExecError || suite.failureMessage ? 'failed' : 'passed',
      message: suite.testExecError ? String(suite.failureMessage || suite.testExecError.message || '') : '',
      assertionResults: suite.testResults.map((t) => ({
        ancestorTitles: t.ancestorTitles,
        title: t.title,
        status: t.status,
        duration: t.duration,
        failureMessages: t.failureMessages,
      })),
    }));
    const bytes = from(`verdict ${stringify({ nonce: this.nonce, testResults })}\n`, 'utf8');
    for (let at = 0; at < bytes.length;) at += writeSync(CHANNEL_FD, bytes, at, bytes.length - at);
  }
}

module.exports = GradeReporter;
