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
# Every symbol the sources export must be in the export table of the
# module they are built into (modpost writes it into <module>.mod.c;
# Module.symvers lists the symbols even when the table is missing).
exports_of() {
	grep -hoE "$1"'\([A-Za-z0-9_]+\)' "${@:2}" | sed 's/.*(\(.*\))/\1/' | sort -u
}
check_table() {
	local ko=$1 pattern=$2 ksyms missing
	shift 2
	ksyms=$(readelf -sW "$stage/$ko" | awk '{ print $NF }' | sed -n 's/^__ksymtab_//p')
	missing=$(exports_of "$pattern" "$@" | while read -r sym; do
		grep -qxF "$sym" <<<"$ksyms" || echo "$sym"
	done)
	if [ -n "$missing" ]; then
		echo "build.sh: $name: $ko does not export: $(echo $missing)" >&2
		exit 1
	fi
}
core_srcs=$(ls memkit/*.c | grep -vx memkit/testing.c)
# Test-only exports: memkit_test.ko's, and memkit.ko's EXPORT_SYMBOL_IF_KUNIT
# ones, which exist only on kernels with KUnit.
test_syms=$( (exports_of EXPORT_SYMBOL_MEMKIT memkit/testing.c
	      exports_of EXPORT_SYMBOL_IF_KUNIT $core_srcs) | sort -u)
if [ -f "$stage/memkit/memkit_test.ko" ]; then
	check_table memkit/memkit.ko 'EXPORT_SYMBOL_(MEMKIT|IF_KUNIT)' $core_srcs
	check_table memkit/memkit_test.ko EXPORT_SYMBOL_MEMKIT memkit/testing.c
else
	# No KUnit in this kernel: the production exports alone.
	check_table memkit/memkit.ko EXPORT_SYMBOL_MEMKIT $core_srcs
fi
# A production symbol list: memkit.ko exports no test-only symbol outside
# the kernel's namespace for them, and without KUnit none at all.
leaked=$(awk -F'\t' -v kunit="$([ -f "$stage/memkit/memkit_test.ko" ] && echo 1)" '
	NR == FNR { t[$1] = 1; next }
	$3 ~ /memkit\/memkit$/ && ($2 in t) && (!kunit || $5 != "EXPORTED_FOR_KUNIT_TESTING") { print $2 }
	' <(echo "$test_syms") "$stage/Module.symvers")
if [ -n "$leaked" ]; then
	echo "build.sh: $name: memkit.ko exports test-only symbols: $(echo $leaked)" >&2
	exit 1
fi
echo "build.sh: $name: $(cd "$stage" && find . -name '*.ko' | sort | tr '\n' ' ')" >&2
