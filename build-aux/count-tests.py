#!/usr/bin/env python3
# Counts every test case in meson's test logs (testlog.json): each TAP
# "ok"/"not ok" line of a TAP test, or the test itself otherwise; and in
# TAP files (any other file, such as the output of tests/check-install.sh),
# each "ok"/"not ok" line, with one failure more when fewer cases ran than
# the plan ("1..N") announced or there was no plan.  Prints
# "N passed, N failed" (", N skipped" when any were) and exits 1 when
# anything failed.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import re
import sys

passed = failed = skipped = 0


def count_cases(lines):
    """Counts the TAP cases in lines; returns (cases, any failed)."""
    global passed, failed, skipped
    cases = [re.match(r"^(not ok|ok)\b(.*)", out) for out in lines]
    cases = [m for m in cases if m]
    for m in cases:
        if "# SKIP" in m.group(2).upper():
            skipped += 1
        elif m.group(1) == "ok" or "# TODO" in m.group(2).upper():
            passed += 1
        else:
            failed += 1
    return cases


def count_tap_file(path, lines):
    global failed
    plans = [re.match(r"^1\.\.(\d+)", line) for line in lines]
    plans = [int(m.group(1)) for m in plans if m]
    cases = count_cases(lines)
    if not plans:
        failed += 1
        print(f"{path}: no TAP plan, the checks did not finish", file=sys.stderr)
    elif len(cases) < plans[-1]:
        failed += 1
        print(f"{path}: {len(cases)} of {plans[-1]} checks ran", file=sys.stderr)


for path in sys.argv[1:]:
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        failed += 1
        print(f"{path}: missing, the suite did not run", file=sys.stderr)
        continue
    if not path.endswith(".json"):
        count_tap_file(path, lines)
        continue
    for line in lines:
        if not line.strip():
            continue
        entry = json.loads(line)
        result = entry.get("result")
        stdout = (entry.get("stdout") or "").splitlines()
        if any(re.match(r"^1\.\.\d+", out) for out in stdout):
            cases = count_cases(stdout)
            # a program that skipped as a whole ("1..0 # SKIP …", exit 77)
            if not cases and result == "SKIP":
                skipped += 1
            # a program that crashed or timed out after its last reported case
            if result not in ("OK", "SKIP", "EXPECTEDFAIL") and not any(m.group(1) == "not ok" for m in cases):
                failed += 1
            continue
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1

line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed else 0)
