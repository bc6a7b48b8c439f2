#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Mutation testing of memkit's core files against the native tests.

Each mutant changes one thing in one core file: a comparison flipped
(< <= > >= == !=), && swapped with ||, an off-by-one (a "+ 1" or "- 1"
dropped, a "0" bound made "1"), or a statement that updates a counter or a
link dropped.  The mutant is built into a scratch copy of the tree and
run through every native test (fewer operations than `make utest`, a fixed
seed) and every fuzz target over its checked-in corpus.  It is killed if a
test fails, crashes or hangs; a mutant that does not compile is
stillborn and not counted.

The mutants are a fixed, seeded sample of every candidate (-n per file),
so a score can be compared between runs; --only runs named mutants (the
ids it prints), which `make check` uses to prove the harness kills what
it should.  An id is "file:function+line:column:operator", the line
counted from the function's opening brace, so that it survives edits
elsewhere in the file; outside a function it is "file:line:column:operator".

Usage: mutation.py [-n PER_FILE] [--only ID,...] [--expect-killed] [-j JOBS]
"""

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
USER = os.path.join(HERE, "userspace")
CORE = ["offset_alloc.c", "hashmap.c", "allocator.c", "arena.c", "pool.c"]

# Native tests and the operations each runs per mutant (the defaults
# divided by about ten: every outcome a test counts still occurs).
TESTS = [
    ("test_offset_alloc", ["-n", "200000"]),
    ("test_oa_check", []),
    ("test_hashmap", ["-n", "150000"]),
    ("test_allocator", []),
    ("test_arena", ["-n", "120000"]),
    ("test_pool", ["-n", "140000"]),
    ("fuzz_hashmap_attach", sorted(os.path.join(USER, "corpus", "fuzz_hashmap_attach", f)
                                   for f in os.listdir(os.path.join(USER, "corpus",
                                                                    "fuzz_hashmap_attach")))),
]
FUZZERS = ["fuzz_offset_alloc", "fuzz_hashmap", "fuzz_arena", "fuzz_pool",
           "fuzz_hashmap_attach"]
# The tests and fuzz targets that call into each core file: a mutant is run
# through these (the others cannot see it, as they do not use the file).
USERS = {
    "offset_alloc.c": ["test_offset_alloc", "test_oa_check", "fuzz_offset_alloc"],
    "hashmap.c": ["test_hashmap", "fuzz_hashmap_attach", "fuzz_hashmap"],
    "allocator.c": ["test_allocator", "test_arena", "test_pool", "fuzz_arena", "fuzz_pool"],
    "arena.c": ["test_arena", "test_pool", "fuzz_arena", "fuzz_pool"],
    "pool.c": ["test_pool", "fuzz_pool"],
}
SEED = "20261202"
TIMEOUT = 120

SWAPS = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "==",
         "&&": "||", "||": "&&"}
TOKEN = re.compile(r"->|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||[<>]|\w+|\S")
# A statement that updates a counter or a link: x++; x--; x += e; x -= e;
# or an assignment to a field (a->b = e; a.b = e;).
UPDATE = re.compile(r"^\s*(\w+(->|\.)[\w.>-]+(\[[^]]*\])?\s*(=[^=]|\+=|-=|\|=|&=)"
                    r".*;|[\w>.-]+(\+\+|--);|(\+\+|--)[\w>.-]+;)\s*$")


def code_lines(text):
    """(line number, line) of code: no comments, no preprocessor lines."""
    in_comment = False
    for n, line in enumerate(text.split("\n"), 1):
        s = line.strip()
        if in_comment:
            if "*/" in s:
                in_comment = False
            continue
        if s.startswith("/*"):
            in_comment = "*/" not in s
            continue
        if not s or s.startswith("//") or s.startswith("#") or s.startswith("*"):
            continue
        if "pr_" in s or "printf" in s or "memkit_warn" in s or '"' in s:
            continue  # messages and their arguments
        yield n, line


# A line at column 0 that names a function (its definition, in kernel style).
FUNC = re.compile(r"^[A-Za-z_][^;]*?\b(\w+)\(")


def functions(text):
    """Line number -> "function+offset from its opening brace", in bodies."""
    where, name, start = {}, None, 0
    for n, line in enumerate(text.split("\n"), 1):
        m = FUNC.match(line)
        if m:
            name = m.group(1)
        if line.startswith("{") and name:
            start = n
        elif line.startswith("}"):
            start = 0
        elif start:
            where[n] = "%s+%d" % (name, n - start)
    return where


def candidates(path):
    """Every mutant of one file: (id, line number, new line)."""
    name = os.path.basename(path)
    with open(path) as f:
        text = f.read()
    where = functions(text)
    out = []
    for n, line in code_lines(text):
        at = "%s:%s" % (name, where.get(n, n))
        for m in TOKEN.finditer(line):
            tok, col = m.group(0), m.start()
            if tok in SWAPS:
                new = line[:col] + SWAPS[tok] + line[col + len(tok):]
                out.append(("%s:%d:%s" % (at, col + 1, tok), n, new))
        for m in re.finditer(r" ([+-]) 1\b", line):
            new = line[:m.start()] + line[m.end():]
            out.append(("%s:%d:drop%s1" % (at, m.start() + 1, m.group(1)), n, new))
        if UPDATE.match(line) and not line.strip().startswith("return"):
            out.append(("%s:1:drop" % at, n, re.sub(r"\S.*", ";", line)))
    return out


def line_of(mid, n):
    with open(os.path.join(TOP, "memkit", mid.split(":")[0])) as f:
        return f.read().split("\n")[n - 1]


def run(cmd, cwd=None, timeout=TIMEOUT):
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return "timeout", ""


def binaries(scratch, name):
    """The native test and the fuzz target called @name (either, or both)."""
    out = []
    if name in dict(TESTS):
        out.append(os.path.join(scratch, "build", "test", name))
    if name in FUZZERS:
        out.append(os.path.join(scratch, "build", "fuzz", name))
    return out


def build(scratch, jobs, ksrc, names=None):
    """Build the scratch tree's tests and fuzzers (or @names); False if it fails."""
    targets = [b for n in names for b in binaries(scratch, n)] if names else ["mutation-targets"]
    # WARN=-w: a mutant that only draws a warning (-Wparentheses) still runs.
    rc, log = run(["make", "-s", "-j%d" % jobs, "-C", USER, "TOP=" + scratch, "KSRC=" + ksrc,
                   "WARN=-w", "O=" + os.path.join(scratch, "build")] + targets, timeout=900)
    return rc == 0, log


def killed_by(scratch, names=None):
    """The first test (of @names, default all) that fails on the scratch tree, or None."""
    obj = os.path.join(scratch, "build")
    for t, args in TESTS:
        if names and t not in names:
            continue
        rc, _ = run([os.path.join(obj, "test", t), "-s", SEED] + args)
        if rc != 0:
            return "%s (%s)" % (t, "hang" if rc == "timeout" else "exit %s" % rc)
    for t in FUZZERS:
        if names and t not in names:
            continue
        corpus = os.path.join(USER, "corpus", t)
        rc, _ = run([os.path.join(obj, "fuzz", t), "-runs=0", "-max_len=8192", corpus])
        if rc != 0:
            return "%s over its corpus (%s)" % (t, "hang" if rc == "timeout" else "exit %s" % rc)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=20, help="mutants per file (default 20)")
    ap.add_argument("--only", help="comma-separated mutant ids to run")
    ap.add_argument("--expect-killed", action="store_true",
                    help="fail unless every mutant run is killed")
    ap.add_argument("--list", action="store_true", help="list the sample and stop")
    ap.add_argument("-j", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()

    rng = random.Random(SEED)
    sample = []
    for name in CORE:
        cands = candidates(os.path.join(TOP, "memkit", name))
        if args.only:
            want = set(args.only.split(","))
            sample += [c for c in cands if c[0] in want]
        else:
            sample += rng.sample(cands, min(args.n, len(cands)))
            print("mutation: %s: %d candidates, %d sampled" % (name, len(cands),
                                                             min(args.n, len(cands))))
    if args.only and len(sample) != len(args.only.split(",")):
        sys.exit("mutation: some --only ids are not candidates (a core file changed under "
                 "them?); pick others from --list")
    if args.list:
        for mid, n, new in sample:
            print("%s\t%s\t->\t%s" % (mid, line_of(mid, n).strip(), new.strip()))
        return 0

    scratch = tempfile.mkdtemp(prefix="memkit-mutation-")
    try:
        for d in ("memkit", "include"):
            shutil.copytree(os.path.join(TOP, d), os.path.join(scratch, d))
        ksrc = subprocess.check_output([os.path.join(HERE, "kernel.sh"), "source"]).decode().strip()
        ok, log = build(scratch, args.j, ksrc)
        if not ok or killed_by(scratch):
            print(log)
            sys.exit("mutation: the unmutated tree does not build and pass")
        killed, survived, stillborn = [], [], []
        for i, (mid, n, new) in enumerate(sample, 1):
            name = mid.split(":")[0]
            src = os.path.join(scratch, "memkit", name)
            with open(os.path.join(TOP, "memkit", name)) as f:
                lines = f.read().split("\n")
            orig = list(lines)
            lines[n - 1] = new
            with open(src, "w") as f:
                f.write("\n".join(lines))
            users = USERS[name]
            ok, _ = build(scratch, args.j, ksrc, users)
            why = killed_by(scratch, users) if ok else None
            with open(src, "w") as f:
                f.write("\n".join(orig))
            if not ok:
                stillborn.append(mid)
                verdict = "stillborn (does not compile)"
            elif why:
                killed.append(mid)
                verdict = "killed by " + why
            else:
                survived.append((mid, line_of(mid, n).strip() + "  ->  " + new.strip()))
                verdict = "SURVIVED"
            print("mutation: [%d/%d] %s: %s" % (i, len(sample), mid, verdict), flush=True)
        live = len(killed) + len(survived)
        print("mutation: %d mutants, %d stillborn; %d of %d killed (%.1f %%)" %
              (len(sample), len(stillborn), len(killed), live,
               100.0 * len(killed) / live if live else 0))
        for mid, new in survived:
            print("mutation: survivor %s\t%s" % (mid, new))
        if args.expect_killed and (survived or stillborn):
            return 1
        return 0
    finally:
        shutil.rmtree(scratch)


if __name__ == "__main__":
    sys.exit(main())
