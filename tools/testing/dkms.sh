#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The DKMS package for real: dkms add, build, install, status and remove
# against the stock Debian headers, inside a scratch tree (build/dkms), so
# that the machine's /usr/src and /lib/modules and its DKMS tree are not
# touched; DKMS itself makes its module-signing key once, in /var/lib/dkms.
# The package holds the committed sources (git ls-files), as a release
# would.
#
# Usage: tools/testing/dkms.sh KDIR
#
# Checks that DKMS builds memkit.ko alone, that status says it is
# installed and the module is where DKMS puts it, built for the target
# kernel (its vermagic), and that remove takes it all away again.

set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
kdir=$(cd "$1" && pwd)
kver=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$kdir/include/generated/utsrelease.h")
scratch="$top/build/dkms"
name=memkit
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
log() { echo "dkms.sh: $*"; }
fail() { echo "dkms.sh: FAIL: $*" >&2; exit 1; }

[ -n "$kver" ] || fail "no kernel release in $kdir"
rm -rf "$scratch"
mkdir -p "$scratch/src/$name-$version" "$scratch/var" "$scratch/modules/$kver"
ln -s "$kdir" "$scratch/modules/$kver/build"
# The package's sources, as a release tarball would have them.
(cd "$top" && git ls-files -- Makefile Kbuild dkms.conf memkit include | cpio -pdm --quiet \
	"$scratch/src/$name-$version")

trees=(--sourcetree "$scratch/src" --dkmstree "$scratch/var" --installtree "$scratch/modules")
run() {
	log "dkms $*"
	dkms "$@" "${trees[@]}" 2>&1 | sed 's/^/    /'
	return "${PIPESTATUS[0]}"
}

run add -m "$name" -v "$version" || fail "dkms add"
run build -m "$name" -v "$version" -k "$kver" --kernelsourcedir "$kdir" || {
	cat "$scratch/var/$name/$version/build/make.log" >&2 || true
	fail "dkms build"
}
run install -m "$name" -v "$version" -k "$kver" --kernelsourcedir "$kdir" ||
	fail "dkms install"
status=$(dkms status -m "$name" -v "$version" -k "$kver" "${trees[@]}" 2>&1)
log "status: $status"
grep -q "installed" <<<"$status" || fail "dkms status does not say installed: $status"

ko="$scratch/modules/$kver/updates/dkms/$name.ko"
[ -f "$ko" ] || ko=$(ls "$ko".* 2>/dev/null | head -1)
[ -n "$ko" ] && [ -f "$ko" ] || fail "no $name.ko under $scratch/modules/$kver/updates/dkms"
log "installed: ${ko#"$top/"}"
mods=$(find "$scratch/modules/$kver" -name '*.ko*' | wc -l)
[ "$mods" -eq 1 ] || fail "DKMS installed $mods modules; only $name.ko belongs in the package"
vermagic=$(modinfo -F vermagic "$ko")
[ "${vermagic%% *}" = "$kver" ] || fail "vermagic '$vermagic' is not for $kver"
log "vermagic: $vermagic"
modinfo -F name "$ko" | grep -qx "$name" || fail "$ko is not $name"

run remove -m "$name" -v "$version" --all || fail "dkms remove"
left=$(find "$scratch/modules/$kver" -name '*.ko*' | wc -l)
[ "$left" -eq 0 ] || fail "dkms remove left $left modules behind"
[ ! -e "$scratch/var/$name/$version" ] || fail "dkms remove left $scratch/var/$name/$version"
log "add, build, install, status and remove: ok"
