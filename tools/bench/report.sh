#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host part of `make bench`: take the benchmark's sections from a
# run-qemu.sh output directory, write results.csv, and plot ns/op against
# live allocations for the range-churn workload (range_churn.svg).
#
# Usage: tools/bench/report.sh RUN_DIR OUT_DIR

set -euo pipefail

run=$1 out=$2
mkdir -p "$out"
awk '/^==== results.csv$/ { on = 1; next } /^==== / { on = 0 } on' "$run/show.txt" \
	>"$out/results.csv"
[ -s "$out/results.csv" ] || { echo "report.sh: no results in $run" >&2; exit 1; }

# One column per implementation, one row per live count.
awk -F, 'NR > 1 && $1 == "range churn" {
		live = $2; sub(/Ki live/, "", live)
		if (!(live in seen)) { seen[live] = 1; lives[++nl] = live }
		if (!($3 in col)) { col[$3] = ++nc; names[nc] = $3 }
		v[live, $3] = $4
	}
	END {
		printf "live_Ki"
		for (c = 1; c <= nc; c++) printf "\t\"%s\"", names[c]
		printf "\n"
		for (l = 1; l <= nl; l++) {
			printf "%s", lives[l]
			for (c = 1; c <= nc; c++) {
				x = v[lives[l], names[c]]
				printf "\t%s", x == "" ? "NaN" : x
			}
			printf "\n"
		}
	}' "$out/results.csv" >"$out/range_churn.dat"

ncols=$(head -1 "$out/range_churn.dat" | awk -F'\t' '{ print NF }')
gnuplot <<GP
set terminal svg size 800,480 dynamic background rgb "white" noenhanced
set output "$out/range_churn.svg"
set title "range churn: free + alloc pair, by live allocations (QEMU TCG)"
set xlabel "live allocations (Ki)"
set ylabel "ns per free+alloc pair"
set logscale xy
set key top left
set grid
plot for [c=2:$ncols] "$out/range_churn.dat" using 1:c with linespoints title columnheader(c)
GP
echo "report.sh: $out/results.csv, $out/range_churn.svg"
