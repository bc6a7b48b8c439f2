#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prove that run-qemu.sh fails when it should.  Each throwaway module in
# runner-selftest/ is run on its own, and the runner must exit non-zero
# for the reason that module provokes:
#   selftest_kunit_fail  a failing KUnit case   -> "1 passed, 1 failed"
#   selftest_warn        WARN_ON(1)             -> a console report
#   selftest_leak        an unreferenced object -> kmemleak
# and a guest asked for more CPUs than the kernel brings up (NR_CPUS=4)
# must fail on the CPU count.
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

failures=0
expect_failure() { # module, what the runner's output must contain, extra args
	local mod=$1 want=$2 out rc
	shift 2
	out=$("$here/run-qemu.sh" -q -k "$kdir" -o "$top/build/run-selftest-$mod" "$@" \
		"$stage/$mod.ko" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "check-runner: FAIL: $mod: the runner passed a run it should fail"
		failures=$((failures + 1))
	elif ! grep -qF -- "$want" <<<"$out"; then
		echo "check-runner: FAIL: $mod: the runner failed, but not with \"$want\":"
		sed 's/^/    /' <<<"$out"
		failures=$((failures + 1))
	else
		echo "check-runner: ok: $mod: runner failed with \"$want\""
	fi
}

expect_failure selftest_kunit_fail "1 passed, 1 failed" -s memkit_runner_selftest
expect_failure selftest_warn "WARNING:"
expect_failure selftest_leak "kmemleak found leaks"
expect_failure selftest_kunit_fail "CPUs, 8 asked for" -s memkit_runner_selftest -c 8

total=4
echo "$((total - failures)) passed, $failures failed"
[ $failures -eq 0 ]
