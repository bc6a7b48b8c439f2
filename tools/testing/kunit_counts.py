#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count the leaf test cases in the JSON that `kunit.py parse --json` writes.

Prints "passed failed skipped".  Parameterised cases count once per
parameter, as kunit.py's own summary does.
"""
import json
import sys


def count(group, totals):
    for case in group.get("test_cases", []):
        status = case.get("status")
        key = {"PASS": 0, "SKIP": 2}.get(status, 1)
        totals[key] += 1
    for sub in group.get("sub_groups", []):
        count(sub, totals)


def main():
    totals = [0, 0, 0]
    with open(sys.argv[1]) as f:
        count(json.load(f), totals)
    print(*totals)


if __name__ == "__main__":
    main()
