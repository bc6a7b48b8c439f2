#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host part of `make bench`: take the benchmark's sections from a
# run-qemu.sh output directory, write results.csv, and draw every workload
# into bench.svg (tools/bench/plot.py).
#
# Usage: tools/bench/report.sh RUN_DIR OUT_DIR

set -euo pipefail

run=$1 out=$2
mkdir -p "$out"
awk '/^==== results.csv$/ { on = 1; next } /^==== / { on = 0 } on' "$run/show.txt" \
	>"$out/results.csv"
[ -s "$out/results.csv" ] || { echo "report.sh: no results in $run" >&2; exit 1; }

tools/bench/plot.py "$out/results.csv" "$out/bench.svg" \
	"memkit against the kernel's peers, in one TCG boot (ns per operation; ratios only mean anything)"
echo "report.sh: $out/results.csv, $out/bench.svg"
