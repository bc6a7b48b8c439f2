#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# memkit's lint: every C file and header must be clean under
#   scripts/checkpatch.pl --strict   (from the 6.12 source)
#   scripts/kernel-doc -none -Wall
#   sparse (C=2) on a build against the debug test kernel
#   the Sphinx HTML build of Documentation/ (no warnings)
# and nothing outside include/memkit/compat.h may test LINUX_VERSION_CODE.

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
src=$("$here/kernel.sh" source) || exit 1
cd "$top" || exit 1

mapfile -t files < <(git ls-files -co --exclude-standard '*.c' '*.h' | grep -v '^build/' | sort)
bad=0
shim_ignore=MACRO_ARG_REUSE,MACRO_ARG_UNUSED,MACRO_ARG_PRECEDENCE,NEW_TYPEDEFS,VOLATILE
shim_ignore+=,COMPLEX_MACRO,PREFER_DEFINED_ATTRIBUTE_MACRO,LINUX_VERSION_CODE
shim_ignore+=,IS_ENABLED_CONFIG,DATA_RACE,CAMELCASE

# compat.h is the one place that gates on the kernel version.  There, and
# nowhere else, checkpatch may not flag LINUX_VERSION_CODE itself, nor the
# "LINUX_VERSION_CODE >= KERNEL_VERSION()" comparison it sees as
# constant-on-the-left (both sides are macros; this is the kernel's idiom).
for f in "${files[@]}"; do
	opts=(--strict --no-tree --quiet --show-types --file)
	[ "$f" = include/memkit/compat.h ] && opts+=(--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON)
	# The userspace shims define the kernel's own macros, typedefs and
	# attributes (the things checkpatch asks code to use instead of
	# spelling out), so those checks cannot apply to it.
	case "$f" in tools/testing/userspace/include/*) opts+=(--ignore "$shim_ignore") ;; esac
	# TRACE_EVENT() is a small language of nested macros, laid out as the
	# kernel's own trace headers lay it out; checkpatch reads it as calls.
	[ "$f" = memkit/memkit_trace.h ] && opts+=(--ignore OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT)
	# libFuzzer's entry point is LLVMFuzzerTestOneInput, whatever our style.
	case "$f" in tools/testing/userspace/*.c) opts+=(--ignore CAMELCASE) ;; esac
	out=$("$src/scripts/checkpatch.pl" "${opts[@]}" "$f" 2>&1) || { echo "$out"; bad=1; }
done
echo "lint: checkpatch --strict on ${#files[@]} files"

out=$("$src/scripts/kernel-doc" -none -Wall "${files[@]}" 2>&1)
[ -n "$out" ] && { echo "$out"; bad=1; }
echo "lint: kernel-doc -Wall on ${#files[@]} files"

if grep -n LINUX_VERSION_CODE "${files[@]}" |
	grep -v -e '^include/memkit/compat.h:' -e '^tools/testing/userspace/include/ushim.h:.*#define'; then
	echo "lint: version gates belong in include/memkit/compat.h"
	bad=1
fi

"$here/htmldocs.sh" || bad=1

kdir=$("$here/kernel.sh" build debug) || exit 1
"$here/build.sh" sparse "$kdir" C=2 || bad=1
echo "lint: sparse C=2"

[ $bad -eq 0 ] && echo "lint: clean"
exit $bad
