#!/usr/bin/env python3
# Counts every test case in meson's test logs: each TAP "ok"/"not ok" line
# of a TAP test, or the test itself otherwise.  Prints "N passed, N failed"
# (", N skipped" when any were) and exits 1 when anything failed.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import re
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        failed += 1
        print(f"{path}: missing, the suite did not run", file=sys.stderr)
        continue
    for line in lines:
        if not line.strip():
            continue
        entry = json.loads(line)
        result = entry.get("result")
        stdout = (entry.get("stdout") or "").splitlines()
        if any(re.match(r"^1\.\.\d+", out) for out in stdout):
            cases = [re.match(r"^(not ok|ok)\b(.*)", out) for out in stdout]
            cases = [m for m in cases if m]
            for m in cases:
                if "# SKIP" in m.group(2).upper():
                    skipped += 1
                elif m.group(1) == "ok" or "# TODO" in m.group(2).upper():
                    passed += 1
                else:
                    failed += 1
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
