#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) and locate a memkit test kernel.
#
# Usage: tools/testing/kernel.sh source        print the unpacked 6.12 source tree
#        tools/testing/kernel.sh build CONFIG  print the build tree (KDIR) for
#                                              tools/testing/configs/CONFIG.config
#
# Builds live outside the repository, under $MEMKIT_CACHE (default
# ~/.cache/memkit), keyed by the Debian source package version and a hash of
# the config fragment, so a second call costs nothing.  The build is
# tinyconfig + the fragment; every symbol the fragment names is verified
# after olddefconfig.  A lock keeps two builds from running at once.
#
# Progress goes to stderr; the one line on stdout is the requested path.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${MEMKIT_CACHE:-$HOME/.cache/memkit}
tarball=/usr/src/linux-source-6.12.tar.xz

log() { echo "kernel.sh: $*" >&2; }

"$here/deps.sh" build >&2

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

version=$(dpkg-query -W -f='${Version}' linux-source-6.12)
src="$cache/linux-source-$version"

if [ ! -f "$src/.memkit-unpacked" ]; then
	log "unpacking $tarball"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
	mv "$src.tmp" "$src"
	touch "$src/.memkit-unpacked"
fi

case "${1:-}" in
source)
	echo "$src"
	exit 0
	;;
build)
	[ -n "${2:-}" ] || { log "usage: kernel.sh build CONFIG"; exit 2; }
	;;
*)
	log "usage: kernel.sh source | build CONFIG"
	exit 2
	;;
esac

frag="$here/configs/$2.config"
[ -f "$frag" ] || { log "no fragment $frag"; exit 2; }
hash=$(sha256sum "$frag" | cut -c1-12)
out="$cache/build-$version-$2-$hash"

if [ -f "$out/.memkit-complete" ]; then
	echo "$out"
	exit 0
fi

# Check that every symbol the fragment sets ended up as requested.
verify_config() {
	local bad=0 line sym
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF "$line" "$out/.config" || {
				log "config: wanted '$line', got '$(grep -E "^(# )?${line%%=*}[= ]" "$out/.config" || echo unset)'"
				bad=1
			}
			;;
		"# CONFIG_"*" is not set")
			sym=${line#"# "}
			sym=${sym%" is not set"}
			if grep -qE "^$sym=" "$out/.config"; then
				log "config: wanted $sym unset, got '$(grep -E "^$sym=" "$out/.config")'"
				bad=1
			fi
			;;
		esac
	done <"$frag"
	return $bad
}

# Builds of the same config under an older fragment or source are stale.
for old in "$cache"/build-*-"$2"-*; do
	[ -d "$old" ] && [ "$old" != "$out" ] && { log "removing stale $old"; rm -rf "$old"; }
done

start=$(date +%s)
log "building $2 kernel $version in $out (log: $out/build.log)"
rm -rf "$out"
mkdir -p "$out"
{
	make -C "$src" O="$out" tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag"
	make -C "$src" O="$out" olddefconfig
} >"$out/build.log" 2>&1 || { tail -20 "$out/build.log" >&2; exit 1; }
verify_config || { log "config fragment did not apply"; exit 1; }

if ! make -C "$src" O="$out" -j"$(nproc)" bzImage modules >>"$out/build.log" 2>&1; then
	tail -40 "$out/build.log" >&2
	exit 1
fi
touch "$out/.memkit-complete"
log "built in $(($(date +%s) - start)) s"
echo "$out"
