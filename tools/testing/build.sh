#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build memkit's M= tree for one kernel, with W=1, failing on any warning.
#
# Usage: tools/testing/build.sh NAME KDIR [extra make arguments]
#
# The sources are staged into build/NAME (timestamps kept, so rebuilds are
# incremental) so that builds for different kernels never share objects.
# The full log is build/NAME.log; warnings are printed and fail the build.

set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
name=$1 kdir=$2
shift 2
stage="$top/build/$name"
log="$top/build/$name.log"

[ -f "$kdir/Makefile" ] || { echo "build.sh: no kernel build tree at $kdir" >&2; exit 1; }
mkdir -p "$stage"
cd "$top"
dirs=()
for d in Kbuild memkit kunit include tools/demo tools/bench; do
	[ -e "$d" ] && dirs+=("$d")
done
# Sources only: a *.mod.c left by an in-tree build is kbuild's output, and
# one copied in over the stage's (which holds the export table) gave a
# memkit.ko that exports nothing.  Any the stage has are dropped with
# their objects and Module.symvers, so that modpost writes them afresh.
find "$stage" \( -name '*.mod.c' -o -name '*.mod.o' -o -name Module.symvers \) -delete \
	2>/dev/null || true
find "${dirs[@]}" \( -name '*.[ch]' -o -name Kbuild \) ! -name '*.mod.c' -type f |
	cpio -pdmu --quiet "$stage"

if ! make -C "$kdir" M="$stage" W=1 "$@" modules >"$log" 2>&1; then
	grep -E 'error|warning' "$log" | head -40 >&2 || tail -40 "$log" >&2
	echo "build.sh: $name build failed (log: $log)" >&2
	exit 1
fi
if grep -iE 'warning|error' "$log" >&2; then
	echo "build.sh: $name build has warnings (log: $log)" >&2
	exit 1
fi
# Every symbol the sources export must be in memkit.ko's export table
# (modpost writes it into memkit.mod.c; Module.symvers lists the symbols
# even when the table is missing).
ksyms=$(readelf -sW "$stage/memkit/memkit.ko" | awk '{ print $NF }' | sed -n 's/^__ksymtab_//p')
missing=$(grep -rhoE 'EXPORT_SYMBOL_MEMKIT\([A-Za-z0-9_]+\)' memkit | sed 's/.*(\(.*\))/\1/' |
	sort -u | while read -r sym; do
		grep -qxF "$sym" <<<"$ksyms" || echo "$sym"
	done)
if [ -n "$missing" ]; then
	echo "build.sh: $name: memkit.ko does not export: $(echo $missing)" >&2
	exit 1
fi
echo "build.sh: $name: $(cd "$stage" && find . -name '*.ko' | sort | tr '\n' ' ')" >&2
