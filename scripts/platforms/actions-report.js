/**
 * The report step of the student workflow (.github/workflows/grade.yml).
 *
 *   node scripts/platforms/actions-report.js GRADES_DIR
 *
 * Each grading step ran `grade --only NN --out GRADES_DIR/NN` and left its
 * exit code in GRADES_DIR/NN.exit and its output in GRADES_DIR/NN.log. This
 * adds up the exercises: an exercise whose step left a report gets the
 * grader's score; one whose grader stopped (a crash of the grader, the step's
 * time limit) gets 0 with the reason, and the others keep theirs. Writes the
 * job summary ($GITHUB_STEP_SUMMARY: per exercise the score and the first
 * failure's reason), GRADES_DIR/grade.json and the step outputs score and
 * max-score. Plain JavaScript with no dependencies: it runs with node alone.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const MAX_REPORT_BYTES = 20 * 1024 * 1024;

/** Text for a Markdown table cell or line: no HTML, no cell breaks, no emphasis or links. */
function inline(text) {
  return String(text)
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#!~])/g, '\\$1');
}

/** A fenced block no message can close. */
function fenced(text) {
  const longest = Math.max(2, ...(String(text).match(/`+/g) || []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return [fence + 'text', text, fence].join('\n');
}

const formatScore = (x) => String(Number(x.toFixed(2)));

function readText(file, limit) {
  try {
    const stat = fs.lstatSync(file);
    if (!stat.isFile() || stat.size > limit) return null;
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** The grader's report of one exercise, or null (no report, or not a valid one). */
function readReport(dir, exercise) {
  let names;
  try {
    names = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return null;
  }
  if (names.length !== 1) return null;
  const text = readText(path.join(dir, names[0]), MAX_REPORT_BYTES);
  if (text === null) return null;
  let g;
  try {
    g = JSON.parse(text);
  } catch {
    return null;
  }
  const e = g && g.version === 2 && Array.isArray(g.exercises) ? g.exercises.find((x) => x.id === exercise.id) : null;
  if (!e || typeof e.score !== 'number' || !(e.score >= 0 && e.score <= exercise.points)) return null;
  return e;
}

/** Why an exercise's grader left no report: its exit code (124: the step's time limit) and the end of its output. */
function stoppedReason(grades, id2, limit) {
  const exitText = readText(path.join(grades, `${id2}.exit`), 100);
  const log = readText(path.join(grades, `${id2}.log`), MAX_REPORT_BYTES) || '';
  const tail = log.trim().split('\n').slice(-8).join('\n');
  if (exitText === null) return 'not graded: the grading step did not run (cancelled, or an earlier step failed)';
  const code = Number(exitText.trim());
  if (code === 124 || code === 137)
    return `not graded: the grader was stopped at the time limit of its step (exit code ${code}); the exercise's own limit is ${limit} s`;
  return `not graded: the grader stopped with exit code ${code} before writing a report${tail ? `:\n${tail}` : ''}`;
}

function main() {
  const grades = process.argv[2];
  if (!grades) {
    console.error('usage: node scripts/platforms/actions-report.js GRADES_DIR');
    process.exit(2);
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'manifest.json'), 'utf8'));
  const rows = manifest.exercises.map((x) => {
    const id2 = x.id.slice(0, 2);
    const e = readReport(path.join(grades, id2), x);
    if (e) {
      const passed = e.total === null ? '-' : `${e.passed}/${e.total}`;
      return { id: x.id, status: e.status, passed, score: e.score, max: x.points, reason: e.status === 'passed' ? '' : e.message || e.status };
    }
    return { id: x.id, status: 'not graded', passed: '-', score: 0, max: x.points, reason: stoppedReason(grades, id2, x.timeLimitSeconds) };
  });
  let score = 0;
  for (const r of rows) score += r.score;
  const max = rows.reduce((s, r) => s + r.max, 0);
  const lines = [
    `## Score: ${formatScore(score)} / ${max}`,
    '',
    '| exercise | status | tests passed | score |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${inline(r.id)} | ${inline(r.status)} | ${r.passed} | ${formatScore(r.score)} / ${r.max} |`),
  ];
  for (const r of rows.filter((x) => x.reason)) lines.push('', `### ${inline(r.id)}: ${inline(r.status)}`, '', fenced(r.reason));
  lines.push('', 'Run `npm test -- NN` on your machine to see every failing test of exercise NN.', '');
  const summary = lines.join('\n');
  if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, summary);
  if (process.env.GITHUB_OUTPUT) fs.appendFileSync(process.env.GITHUB_OUTPUT, `score=${score}\nmax-score=${max}\n`);
  fs.writeFileSync(path.join(grades, 'grade.json'), JSON.stringify({ score, max_score: max, exercises: rows }, null, 2) + '\n');
  console.log(summary);
}

main();
