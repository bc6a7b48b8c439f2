#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a memkit test kernel under QEMU, load modules, collect KUnit results
# and live state, and judge the run.
#
# Usage: run-qemu.sh -k KDIR -o OUTDIR [-s "suite ..."] [-x guest.sh]
#                    [-T taint-mask] [-t seconds] [-m MiB] [-q] [-L] module.ko ...
#
#   -k  kernel build tree (its arch/x86/boot/bzImage is booted): 64-bit
#       under qemu-system-x86_64, or 32-bit (CONFIG_X86_32) under
#       qemu-system-i386 with an i386 busybox (deps.sh i386)
#   -c  CPUs the guest must bring up (default 2; fewer fails the run)
#   -o  where the logs go: console.log (ttyS0), channel.log (ttyS1),
#       kunit/<suite>.ktap, tree.txt, kmemleak.txt
#   -s  KUnit suites that must be present; their results are parsed with
#       the kernel's own tools/testing/kunit/kunit.py
#   -x  shell snippet run in the guest after the modules are loaded; it may
#       print sections for the host with "show TITLE" followed by text on
#       fd 3, and report a failure with "fail WHAT"
#   -L  put the modules in /modules but do not load them (the -x snippet
#       does)
#   -T  taint bits the run may set (default: O out-of-tree and N test)
#   -t  guest timeout in seconds (default 600)
#   -m  guest memory in MiB (default 1024)
#   -a  extra kernel command line
#   -q  do not print the memkit debugfs tree at the end
#
# The guest loads the modules in order, copies every
# /sys/kernel/debug/kunit/<suite>/results and the memkit debugfs tree out
# over the second serial port (SeaBIOS leaves escape sequences on the
# first), unloads the modules in reverse order, runs a kmemleak scan and
# reports the taint.  The run fails when a test fails, an expected suite is
# missing, the guest times out or a module fails to load or unload, the
# console shows a kernel report (KASAN, UBSAN, lockdep, WARNING, BUG, Oops,
# a call trace), kmemleak finds a leak, or the kernel is tainted beyond -T.
# With -s, the last line printed is "N passed, N failed[, N skipped]".
#
# QEMU uses TCG; set MEMKIT_KVM=1 to try KVM (it hangs on some hosts).

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kdir='' out='' suites='' extra='' timeout=600 quiet=0 noload=0 mem=1024 append= cpus=2
# TAINT_OOT_MODULE (O) | TAINT_TEST (N)
taint_ok=$(((1 << 12) | (1 << 18)))

while getopts "k:o:s:x:T:t:m:a:c:qL" opt; do
	case $opt in
	k) kdir=$OPTARG ;;
	o) out=$OPTARG ;;
	s) suites=$OPTARG ;;
	x) extra=$OPTARG ;;
	T) taint_ok=$OPTARG ;;
	t) timeout=$OPTARG ;;
	m) mem=$OPTARG ;;
	a) append=$OPTARG ;;
	c) cpus=$OPTARG ;;
	q) quiet=1 ;;
	L) noload=1 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$kdir" ] && [ -n "$out" ] || { echo "run-qemu.sh: -k and -o are required" >&2; exit 2; }
# kunit.py changes directory, so every path handed on must be absolute.
mkdir -p "$out"
out=$(cd "$out" && pwd)

"$here/deps.sh" build test
src=$("$here/kernel.sh" source)

fail=()
die() { echo "run-qemu.sh: $*" >&2; exit 1; }
bad() { fail+=("$*"); }

rm -rf "$out"
mkdir -p "$out/kunit" "$out/initramfs"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,modules}
root="$out/initramfs"
qemu=qemu-system-x86_64 busybox=/bin/busybox
if grep -qx 'CONFIG_X86_32=y' "$kdir/.config"; then
	qemu=qemu-system-i386
	busybox=$("$here/deps.sh" i386)
fi
cp "$busybox" "$root/bin/busybox"

mods=()
for m in "$@"; do
	[ -f "$m" ] || die "no module $m"
	cp "$m" "$root/modules/"
	mods+=("$(basename "$m" .ko)")
done
if [ -n "$extra" ]; then
	cp "$extra" "$root/extra.sh"
fi

load_mods="${mods[*]}"
[ $noload = 1 ] && load_mods=""

cat >"$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
exec 3>/dev/ttyS1
mark() { echo "@@@ \$*" >&3; }
show() { mark "SHOW \$*"; }
fail() { mark "ERROR \$*"; }
mark "CPUS \$(grep -c '^processor' /proc/cpuinfo)"

# Forget what boot left behind, so the scan at the end sees only us.
[ -e /sys/kernel/debug/kmemleak ] && echo clear >/sys/kernel/debug/kmemleak

loaded=""
for m in $load_mods; do
	if insmod /modules/\$m.ko; then
		loaded="\$m \$loaded"
	else
		mark "ERROR insmod \$m failed"
	fi
done

[ -f /extra.sh ] && . /extra.sh

for d in /sys/kernel/debug/kunit/*/; do
	[ -f "\$d/results" ] || continue
	mark "KUNIT \$(basename \$d)"
	cat "\$d/results" >&3
done

mark TREE
for f in \$(find /sys/kernel/debug/memkit -type f | sort); do
	echo "== \${f#/sys/kernel/debug/memkit/}" >&3
	cat "\$f" >&3
done

for m in \$loaded; do
	rmmod \$m || mark "ERROR rmmod \$m failed"
done

# kmemleak only reports objects that stayed unreferenced over a scan and
# are older than a few seconds: scan, wait, scan again.
if [ -e /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	mark KMEMLEAK
	cat /sys/kernel/debug/kmemleak | tee /dev/console >&3
else
	mark NOKMEMLEAK
fi
mark "TAINT \$(cat /proc/sys/kernel/tainted)"
mark DONE
exec 3>&-
sleep 1
reboot -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$out/initramfs.cpio"

accel=(-accel tcg)
[ "${MEMKIT_KVM:-0}" = 1 ] && accel=(-accel kvm -cpu host)

start=$(date +%s)
rc=0
# QEMU 7.2's -smp N is one socket of N cores, and a kernel without ACPI
# starts only the first CPU of each socket: ask for N sockets.
timeout --foreground "$timeout" "$qemu" "${accel[@]}" -smp "$cpus,sockets=$cpus" -m "$mem" \
	-nodefaults -display none -no-reboot \
	-kernel "$kdir/arch/x86/boot/bzImage" -initrd "$out/initramfs.cpio" \
	-append "console=ttyS0 panic=-1 oops=panic kasan.fault=report $append" \
	-serial "file:$out/console.log" -serial "file:$out/channel.log" \
	</dev/null >"$out/qemu.log" 2>&1 || rc=$?
echo "run-qemu.sh: guest ran $(($(date +%s) - start)) s (log: $out/console.log)" >&2
[ $rc -eq 124 ] && bad "guest timed out after $timeout s"
[ $rc -ne 0 ] && [ $rc -ne 124 ] && bad "qemu exited with $rc: $(head -c 500 "$out/qemu.log")"

# Split the channel into its sections.
tr -d '\r' <"$out/channel.log" | awk -v out="$out" '
	/^@@@ KUNIT / { f = out "/kunit/" $3 ".ktap"; next }
	/^@@@ TREE$/ { f = out "/tree.txt"; next }
	/^@@@ KMEMLEAK$/ { f = out "/kmemleak.txt"; next }
	/^@@@ SHOW / { f = out "/show.txt"; print "==== " substr($0, 10) > f; next }
	/^@@@ / { f = ""; print > (out "/marks.txt"); next }
	f != "" { print > f }
'
touch "$out/marks.txt" "$out/tree.txt" "$out/kmemleak.txt" "$out/show.txt"

grep -q '^@@@ DONE$' "$out/marks.txt" || bad "guest did not finish (no DONE mark)"
guest_cpus=$(sed -n 's/^@@@ CPUS //p' "$out/marks.txt")
[ "${guest_cpus:-0}" -ge "$cpus" ] || bad "guest brought up ${guest_cpus:-no} CPUs, $cpus asked for"
while read -r line; do bad "guest: ${line#@@@ ERROR }"; done < <(grep '^@@@ ERROR' "$out/marks.txt" || true)

# Kernel reports on the console.  The patterns are the headers the
# kernel's checkers print; any stack dump counts as a report too.
reports=$(tr -d '\r' <"$out/console.log" | grep -nE \
	'BUG:|WARNING:|Oops|KASAN|UBSAN|general protection|Kernel panic|Call Trace:|unreferenced object|possible (recursive|circular) locking|inconsistent lock state|suspicious RCU|list_(add|del) corruption' \
	| head -20 || true)
[ -n "$reports" ] && bad "kernel reports on the console:"$'\n'"$reports"
if [ -s "$out/kmemleak.txt" ]; then
	bad "kmemleak found leaks (see $out/kmemleak.txt)"
elif tr -d '\r' <"$out/channel.log" | grep -q '^@@@ KMEMLEAK$'; then
	leaks="run-qemu.sh: kmemleak: no leaks after unloading every module"
fi

taint=$(sed -n 's/^@@@ TAINT //p' "$out/marks.txt")
if [ -n "$taint" ] && [ $((taint & ~taint_ok)) -ne 0 ]; then
	bad "kernel tainted $taint (allowed mask $taint_ok)"
fi

cat "$out/show.txt"
if [ $quiet = 0 ]; then
	echo "---- /sys/kernel/debug/memkit at the end ----"
	cat "$out/tree.txt"
	echo "----"
fi

# KUnit: parse each suite's results with kunit.py, then count the leaves.
passed=0 failed=0 skipped=0
for s in $suites; do
	f="$out/kunit/$s.ktap"
	if [ ! -s "$f" ]; then
		bad "expected KUnit suite $s is missing"
		continue
	fi
	python3 "$src/tools/testing/kunit/kunit.py" parse --json="$out/kunit/$s.json" "$f" \
		>"$out/kunit/$s.parsed" 2>&1 || true
	if [ ! -s "$out/kunit/$s.json" ]; then
		bad "kunit.py could not parse $s"
		continue
	fi
	read -r p fl sk < <(python3 "$here/kunit_counts.py" "$out/kunit/$s.json")
	echo "  $s: $p passed, $fl failed, $sk skipped"
	grep -E '\[(FAILED|CRASHED)\]' "$out/kunit/$s.parsed" || true
	passed=$((passed + p)) failed=$((failed + fl)) skipped=$((skipped + sk))
done
[ -n "$suites" ] && [ $((passed + failed)) -eq 0 ] && bad "no KUnit test ran"

for f in "${fail[@]}"; do echo "FAIL: $f"; done
[ -n "${leaks:-}" ] && echo "$leaks"
if [ -n "$suites" ]; then
	summary="$passed passed, $failed failed"
	[ $skipped -gt 0 ] && summary+=", $skipped skipped"
	echo "$summary"
elif [ ${#fail[@]} -eq 0 ]; then
	echo "run-qemu.sh: clean run"
fi
[ $failed -eq 0 ] && [ ${#fail[@]} -eq 0 ]
