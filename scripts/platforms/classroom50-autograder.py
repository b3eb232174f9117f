#!/usr/bin/env python3
"""Classroom 50 autograder for the scratch CNN kata.

Classroom 50's runner calls this once per submission, with the working
directory at the student's checkout and CLASSROOM50_BUNDLE_DIR at this
bundle (the kata's grader, tests and lib, without solutions). It grades the
checkout's exercises/ with the bundle's own copy of `npm run grade` (the
student's copies of the tests and tools are never used), then writes, in the
working directory:

  result.json      classroom50/result/v1, one test per exercise. Classroom 50
                   takes whole numbers only, so scores are in hundredths of a
                   point: 10 points are "max-score": 1000.
  release-body.md  the score, a table of the exercises and, per exercise, why
                   its first failing test failed.

and status/summary to $GITHUB_OUTPUT. Exit code 0 when the submission was
graded (whatever its score), 1 when grading could not run.
"""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

SCALE = 100
BUNDLE = pathlib.Path(os.environ.get("CLASSROOM50_BUNDLE_DIR") or pathlib.Path(__file__).resolve().parent)
TIME_LIMIT = 60 * 60


def fenced(text: str) -> str:
    longest = max([2] + [len(run) for run in re.findall(r"`+", text)])
    fence = "`" * (longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def run_grader(student: pathlib.Path, out: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().startswith("npm_config_") and k != "NODE_OPTIONS"}
    version = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    major = int(version.lstrip("v").split(".")[0])
    if major < 22:
        raise RuntimeError(f"the grader needs Node.js 22.18 or later (24 recommended), the runner has {version}: set it in the assignment's runtime block")
    if major < 24:
        print(f"autograder: warning: Node.js {version}; the template pins 24", file=sys.stderr)
    npmrc = str(BUNDLE / "scripts" / "platforms" / "npmrc")
    if not (BUNDLE / "node_modules").is_dir():
        subprocess.run(["npm", "ci", "--userconfig", npmrc, "--globalconfig", "/dev/null", "--no-audit", "--no-fund"], cwd=BUNDLE, env=env, check=True, timeout=900)
    runner = str(BUNDLE / "node_modules" / ".bin" / "tsx")
    command = ["node", runner, str(BUNDLE / "scripts" / "grade.ts"), str(student), "--out", out]
    if os.environ.get("KATA_ONLY"):
        command += ["--only", os.environ["KATA_ONLY"]]
    if os.geteuid() != 0 and shutil.which("sudo") and shutil.which("bwrap"):
        # bubblewrap and cgroups need root on hosted runners; the grader drops to an unprivileged uid for the code under test.
        command = ["sudo", "env", "-i", f"PATH={os.environ['PATH']}", "HOME=/root", "LANG=C.UTF-8"] + command
    return subprocess.run(command, cwd=BUNDLE, env=env, capture_output=True, text=True, timeout=TIME_LIMIT)


def main() -> int:
    student = pathlib.Path.cwd()
    out = tempfile.mkdtemp(prefix="kata-grades-")
    try:
        run = run_grader(student, out)
    except (subprocess.SubprocessError, OSError, RuntimeError, ValueError) as err:
        print(f"autograder: grading could not run: {err}", file=sys.stderr)
        return 1
    print(run.stdout[-100_000:])
    print(run.stderr[-20_000:], file=sys.stderr)
    reports = [p for p in pathlib.Path(out).glob("*.json") if p.is_file() and not p.is_symlink()]
    if run.returncode != 0 or len(reports) != 1:
        print(f"autograder: the grader ended with exit code {run.returncode} and {len(reports)} report(s)", file=sys.stderr)
        return 1
    grade = json.loads(reports[0].read_text())
    tests = []
    for e in grade["exercises"]:
        if not (0 <= e["score"] <= e["maxScore"]):
            print(f"autograder: {e['id']} has a score outside 0..{e['maxScore']}", file=sys.stderr)
            return 1
        tests.append({
            "test-name": f"{e['id']} ({e['maxScore']} points)",
            "passed": e["status"] == "passed",
            "score": round(e["score"] * SCALE),
            "max-score": e["maxScore"] * SCALE,
        })
    score = sum(t["score"] for t in tests)
    max_score = sum(t["max-score"] for t in tests)
    username = os.environ.get("USERNAME", "")
    result = {
        "schema": "classroom50/result/v1",
        "classroom": os.environ.get("CLASSROOM", ""),
        "assignment": os.environ.get("ASSIGNMENT", ""),
        "assignment_type": os.environ.get("ASSIGNMENT_TYPE", "") or "individual",
        "owner": os.environ.get("OWNER", "") or username,
        "submission": os.environ.get("SUBMISSION_TAG", ""),
        "commit": os.environ.get("COMMIT_URL", ""),
        "release": os.environ.get("RELEASE_URL", ""),
        "review": os.environ.get("REVIEW_URL", "") or os.environ.get("COMMIT_URL", ""),
        "datetime": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "score": score,
        "max-score": max_score,
        "tests": tests,
    }
    (student / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    points = f"{score / SCALE:g} / {max_score / SCALE:g} points"
    body = [f"### Score: {points}", "", "| exercise | status | tests passed | score |", "|---|---|---|---|"]
    for e in grade["exercises"]:
        passed = "-" if e["total"] is None else f"{e['passed']}/{e['total']}"
        body.append(f"| {cell(e['id'])} | {cell(e['status'])} | {passed} | {round(e['score'], 2):g} / {e['maxScore']} |")
    for e in grade["exercises"]:
        if e["status"] != "passed":
            body += ["", f"#### {cell(e['id'])}: {cell(e['status'])}", "", fenced(e["message"] or e["status"])]
    body += ["", "Scores in result.json are in hundredths of a point.", ""]
    (student / "release-body.md").write_text("\n".join(body))
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        status = "success" if score == max_score else "failure"
        with open(output, "a", encoding="utf-8") as fh:
            fh.write(f"status={status}\nsummary=scratch CNN kata: {points}\n")
    print(f"autograder: {points}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
