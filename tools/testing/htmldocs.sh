#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build Documentation/ to HTML in build/htmldocs with Sphinx and the
# kernel's kerneldoc extension.  Any warning, from Sphinx or from
# kernel-doc (which reports on stderr, past Sphinx's -W), fails the build.

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
src=$("$here/kernel.sh" source) || exit 1

rm -rf "$top/build/htmldocs"
out=$(MEMKIT_KSRC="$src" sphinx-build -q -W --keep-going -b html \
	"$top/Documentation" "$top/build/htmldocs" 2>&1)
rc=$?
if [ $rc -ne 0 ] || grep -qi "warning\|error" <<<"$out"; then
	echo "$out"
	echo "htmldocs: warnings (see above)"
	exit 1
fi
echo "htmldocs: clean, HTML in build/htmldocs/index.html"
