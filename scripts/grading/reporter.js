/**
 * The jest reporter of `npm run grade`, the only source of a verdict.
 *
 * Plain JavaScript because jest loads reporters without transforming them.
 * Jest constructs it before any test file (and so before any submission
 * code) is loaded: it reads the run's secret nonce from a file and deletes
 * that file at once, keeping the nonce and the functions it needs in this
 * closure. At the end it writes the results with the nonce to a file that
 * must not exist yet. A report written by anyone else lacks the nonce, and
 * the grader treats the run as having no verdict at all.
 */
'use strict';
const fs = require('node:fs');

const readFile = fs.readFileSync;
const unlink = fs.unlinkSync;
const writeFile = fs.writeFileSync;
const stringify = JSON.stringify;

class GradeReporter {
  constructor() {
    this.verdictFile = process.env.KATA_VERDICT_FILE;
    try {
      this.nonce = readFile(process.env.KATA_NONCE_FILE, 'utf8');
      unlink(process.env.KATA_NONCE_FILE);
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
    // 'wx': a file already there (put by the code under test) makes this fail: no verdict.
    writeFile(this.verdictFile, stringify({ nonce: this.nonce, testResults }), { flag: 'wx' });
  }
}

module.exports = GradeReporter;
