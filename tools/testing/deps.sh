#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages that building and testing memkit needs.
#
# Usage: tools/testing/deps.sh [group...]
#   groups: build (default), test, user, bench, package, i386
#
# Installs what is missing when run as root; otherwise prints the exact
# apt-get command and fails.  The i386 group is the 32-bit guest's
# userspace: Debian's busybox-static for i386, through multiarch, unpacked
# (not installed, so it does not replace the host's) into
# $MEMKIT_CACHE/busybox-i386; its path is printed on stdout.

set -euo pipefail

declare -A group_pkgs=(
	[build]="make gcc linux-headers-amd64 linux-source-6.12 bc bison flex libelf-dev libssl-dev sparse python3 perl xz-utils python3-sphinx"
	[test]="qemu-system-x86 busybox-static cpio"
	[user]="clang libclang-rt-14-dev g++ libabsl-dev pkg-config lcov"
	[bench]="python3"
	[package]="dkms"
)

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build)

# The 32-bit guest's busybox: fetched once, kept with the kernels.
i386_busybox() {
	local dir=${MEMKIT_CACHE:-$HOME/.cache/memkit}/busybox-i386 tmp
	if [ ! -x "$dir/bin/busybox" ]; then
		[ "$(id -u)" -eq 0 ] || {
			echo "deps.sh: as root: dpkg --add-architecture i386 && apt-get update" >&2
			exit 1
		}
		if ! dpkg --print-foreign-architectures | grep -qx i386; then
			dpkg --add-architecture i386
			apt-get update -qq
		fi
		tmp=$(mktemp -d)
		chmod 755 "$tmp"	# apt downloads as _apt
		(cd "$tmp" && { apt-get download -qq busybox-static:i386 ||
			{ apt-get update -qq && apt-get download -qq busybox-static:i386; }; })
		rm -rf "$dir"
		dpkg-deb -x "$tmp"/busybox-static_*_i386.deb "$dir"
		rm -rf "$tmp"
	fi
	echo "$dir/bin/busybox"
}

want=()
for g in "${groups[@]}"; do
	if [ "$g" = i386 ]; then
		i386_busybox
		continue
	fi
	[ -n "${group_pkgs[$g]+x}" ] || { echo "deps.sh: unknown group '$g'" >&2; exit 2; }
	for p in ${group_pkgs[$g]}; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || want+=("$p")
	done
done

[ ${#want[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${want[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages; run as root:" >&2
	echo "  apt-get update && $cmd" >&2
	exit 1
fi

echo "deps.sh: installing ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; refresh them once if the
# install cannot find a package.
if ! apt-get install -y -qq --no-install-recommends "${want[@]}"; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${want[@]}"
fi
