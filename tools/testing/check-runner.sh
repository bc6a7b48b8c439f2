#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prove that run-qemu.sh fails when it should, for every reason it knows.
# Each throwaway module in runner-selftest/ is booted on its own, and the
# runner must exit non-zero for the reason that module provokes:
#   selftest_kunit_fail  a failing KUnit case      -> "1 passed, 1 failed"
#   selftest_warn        WARN_ON(1)                -> a WARNING on the console
#   selftest_leak        an unreferenced object    -> kmemleak
#   selftest_kasan       a read past a buffer      -> a KASAN report
#   selftest_ubsan       a shift by 40             -> a UBSAN report
#   selftest_lockdep     AB then BA                -> a lockdep report
#   selftest_crash       a KUnit case oopses       -> the guest never finishes
#   selftest_nonload     init returns -ENODEV      -> insmod failed
#   selftest_taint       TAINT_USER                -> a disallowed taint
# and, booting a module that passes: a guest that hangs (timeout), and a
# guest asked for more CPUs than the kernel brings up (NR_CPUS=4).
# Then the failing KUnit run is judged again (-J) in ways that need no
# boot: a listed suite missing, no suite listed at all (its "not ok" must
# still fail the run), a manifest whose count differs, a suite the
# manifest lacks, results kunit.py cannot parse and results cut short.
# The passing side (a clean run exits 0) is `make kunit` itself.

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
kdir=$("$here/kernel.sh" build debug) || exit 1
stage="$top/build/runner-selftest"

mkdir -p "$stage"
cp -p "$here"/runner-selftest/* "$stage/"
make -C "$kdir" M="$stage" W=1 modules >"$stage.log" 2>&1 ||
	{ tail -20 "$stage.log"; exit 1; }

failures=0 total=0
# expect_failure NAME WANT [runner args...]: the runner must fail, saying WANT.
expect_failure() {
	local name=$1 want=$2 out rc
	shift 2
	total=$((total + 1))
	out=$("$here/run-qemu.sh" -q "$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "check-runner: FAIL: $name: the runner passed a run it should fail"
		failures=$((failures + 1))
	elif ! grep -qF -- "$want" <<<"$out"; then
		echo "check-runner: FAIL: $name: the runner failed, but not with \"$want\":"
		sed 's/^/    /' <<<"$out"
		failures=$((failures + 1))
	else
		echo "check-runner: ok: $name: runner failed with \"$want\""
	fi
}
# boot NAME WANT MODULE [runner args...]
boot() {
	local name=$1 want=$2 mod=$3
	shift 3
	expect_failure "$name" "$want" -k "$kdir" -o "$top/build/run-selftest-$name" "$@" \
		"$stage/$mod.ko"
}

st=memkit_runner_selftest
boot kunit-fail "1 passed, 1 failed" selftest_kunit_fail -s $st
boot warn "WARNING:" selftest_warn -c 1
boot leak "kmemleak found leaks" selftest_leak -c 1
boot kasan "BUG: KASAN: slab-out-of-bounds" selftest_kasan -c 1
boot ubsan "UBSAN: shift-out-of-bounds" selftest_ubsan -c 1
boot lockdep "possible circular locking dependency" selftest_lockdep -c 1
boot crash "guest did not finish" selftest_crash -c 1 -s memkit_runner_crash
boot insmod "insmod selftest_nonload failed" selftest_nonload -c 1
boot taint "kernel tainted" selftest_taint -c 1
echo 'sleep 100000' >"$stage/hang.sh"
boot timeout "guest timed out after 20 s" selftest_taint -c 1 -t 20 -L -x "$stage/hang.sh"
boot cpus "CPUs, 8 asked for" selftest_kunit_fail -s $st -c 8

# Judged again, from copies of the failing KUnit run.
ran="$top/build/run-selftest-kunit-fail"
judge() { # NAME WANT SETUP [runner args...]: SETUP edits the copy first
	local name=$1 want=$2 setup=$3 dir="$top/build/run-selftest-judge-$1"
	shift 3
	rm -rf "$dir" && cp -r "$ran" "$dir" && (cd "$dir" && eval "$setup")
	expect_failure "$name" "$want" -J -o "$dir" "$@"
}
echo "$st 2" >"$stage/manifest.good"
echo "$st 3" >"$stage/manifest.count"
echo "memkit_other 1" >"$stage/manifest.lacks"
judge missing-suite "expected KUnit suite memkit_absent is missing" : -s "$st memkit_absent"
judge unlisted '"not ok" in the results' :
judge manifest-count "reported 2 results, the manifest says 3" : -M "$stage/manifest.count"
judge manifest-lacks "suite $st (2 results) is not in" : -M "$stage/manifest.lacks"
# The copy's results become text with no KTAP in it, then a plan cut short.
judge unparsable "kunit.py could not parse $st" \
	"sed -i '/^@@@ KUNIT /,/^@@@ /{/^@@@/!s/.*/garbage/}' channel.log" -M "$stage/manifest.good"
judge cut-short "kunit.py could not parse $st" \
	"sed -i '/^@@@ KUNIT /,/^@@@ /{/ok [0-9]/d}' channel.log" -M "$stage/manifest.good"

echo "$((total - failures)) passed, $failures failed"
[ $failures -eq 0 ]
