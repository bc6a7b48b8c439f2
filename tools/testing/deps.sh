#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages that building and testing memkit needs.
#
# Usage: tools/testing/deps.sh [group...]
#   groups: build (default), test, user, bench
#
# Installs what is missing when run as root; otherwise prints the exact
# apt-get command and fails.

set -euo pipefail

declare -A group_pkgs=(
	[build]="make gcc linux-headers-amd64 linux-source-6.12 bc bison flex libelf-dev libssl-dev sparse python3 perl xz-utils python3-sphinx"
	[test]="qemu-system-x86 busybox-static cpio"
	[user]="clang libclang-rt-14-dev g++ libabsl-dev pkg-config"
	[bench]="gnuplot-nox"
)

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build)

want=()
for g in "${groups[@]}"; do
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
