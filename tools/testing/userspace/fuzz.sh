#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run libFuzzer targets one after another, each for SECONDS, starting from
# the checked-in seeds in corpus/<target>/ (read only: new inputs go to a
# scratch corpus under DIR).  Prints runs and coverage per target; fails,
# naming the crashing input, if any target finds a problem.
#
# Usage: fuzz.sh DIR SECONDS TARGET...

set -uo pipefail

dir=$1 secs=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
bad=0

for t in "$@"; do
	work=$dir/corpus/$t
	art=$dir/artifacts
	log=$dir/$t.log
	mkdir -p "$work" "$art"
	start=$(date +%s)
	# SEED (make check SEED=N) picks libFuzzer's own seed (its mutations; the
	# number of runs in a timed run still varies).
	"$dir/$t" -max_total_time="$secs" -max_len=8192 -timeout=20 -rss_limit_mb=4096 \
		${SEED:+-seed=$((SEED % 2147483647 + 1))} \
		-print_final_stats=1 -artifact_prefix="$art/$t-" \
		"$work" "$here/corpus/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ $rc -ne 0 ]; then
		echo "fuzz: $t: FAILED after $(($(date +%s) - start)) s (log: $log)"
		grep -E -m 20 'ERROR|FAIL|SUMMARY|Test unit written' "$log"
		bad=1
	else
		echo "fuzz: $t: ${runs:-?} inputs in $(($(date +%s) - start)) s, $cov, no failure"
	fi
done
exit $bad
