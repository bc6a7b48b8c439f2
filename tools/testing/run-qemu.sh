#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a memkit test kernel under QEMU, load modules, collect KUnit results
# and live state, and judge the run.
#
# Usage: run-qemu.sh -k KDIR -o OUTDIR [-s "suite ..."] [-M manifest] [-x guest.sh]
#                    [-T taint-mask] [-t seconds] [-m MiB] [-q] [-L] module.ko ...
#        run-qemu.sh -J -o OUTDIR [-s "suite ..."] [-M manifest] [-T taint-mask]
#
#   -k  kernel build tree (its arch/x86/boot/bzImage is booted): 64-bit
#       under qemu-system-x86_64, or 32-bit (CONFIG_X86_32) under
#       qemu-system-i386 with an i386 busybox (deps.sh i386)
#   -c  CPUs the guest must bring up (default 2; fewer fails the run)
#   -o  where the logs go: console.log (ttyS0), channel.log (ttyS1),
#       kunit/<suite>.ktap, tree.txt, kmemleak.txt
#   -s  KUnit suites that must be present.  Every suite the guest has is
#       parsed with the kernel's own tools/testing/kunit/kunit.py and
#       judged, listed or not
#   -M  the expected result count per suite ("suite count" lines, # for
#       comments): a suite missing from it, absent from the run, or with
#       another count fails the run until the manifest is updated
#   -J  judge the run already in OUTDIR again, without booting (the
#       runner self-test uses it on copies of real runs)
#   -x  shell snippet run in the guest after the modules are loaded; it may
#       print sections for the host with "show TITLE" followed by text on
#       fd 3, and report a failure with "fail WHAT"
#   -L  put the modules in /modules but do not load them (the -x snippet
#       does)
#   -p  "module arg=value ...": parameters for insmod of that module
#       (repeatable), e.g. -p "memkit_kunit seed=42"
#   -T  taint bits the run may set (default: O out-of-tree and N test)
#   -t  guest timeout in seconds (default 600)
#   -m  guest memory in MiB (default 1024)
#   -a  extra kernel command line
#   -q  do not print the memkit debugfs tree at the end
#   -I  interactive: after the modules and the -x snippet, a shell on the
#       console (this terminal, or whatever stdin feeds it); when it exits
#       the run ends and is judged as usual
#
# The guest lets tasks fail their own slab allocations (failslab's
# fail-nth, for the KUnit unwinding cases), loads the modules in order,
# copies every
# /sys/kernel/debug/kunit/<suite>/results and the memkit debugfs tree out
# over the second serial port (SeaBIOS leaves escape sequences on the
# first), unloads the modules in reverse order, runs a kmemleak scan and
# reports the taint.  The run fails when a test fails, a "not ok" line
# appears in any suite's results or on the console, kunit.py cannot parse
# a suite (or reports an error in it, such as a plan cut short), an
# expected suite is missing, a count differs from the manifest, the guest
# times out or a module fails to load or unload, the console shows a
# kernel report (KASAN, UBSAN, lockdep, WARNING, BUG, Oops, a call trace),
# kmemleak finds a leak, or the kernel is tainted beyond -T.
# With -s or -M, the last line printed is "N passed, N failed[, N skipped]".
#
# QEMU uses TCG; set MEMKIT_KVM=1 to try KVM (it hangs on some hosts).

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kdir='' out='' suites='' extra='' timeout=600 quiet=0 noload=0 mem=1024 append= cpus=2
manifest='' judge_only=0 interactive=0
declare -A modargs=()
# TAINT_OOT_MODULE (O) | TAINT_TEST (N)
taint_ok=$(((1 << 12) | (1 << 18)))

while getopts "k:o:s:M:x:T:t:m:a:c:p:qLJI" opt; do
	case $opt in
	k) kdir=$OPTARG ;;
	o) out=$OPTARG ;;
	s) suites=$OPTARG ;;
	M) manifest=$(cd "$(dirname "$OPTARG")" && pwd)/$(basename "$OPTARG") ;;
	J) judge_only=1 ;;
	p) modargs[${OPTARG%% *}]=${OPTARG#* } ;;
	x) extra=$OPTARG ;;
	T) taint_ok=$OPTARG ;;
	t) timeout=$OPTARG ;;
	m) mem=$OPTARG ;;
	a) append=$OPTARG ;;
	c) cpus=$OPTARG ;;
	q) quiet=1 ;;
	L) noload=1 ;;
	I) interactive=1 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$out" ] && { [ -n "$kdir" ] || [ $judge_only = 1 ]; } ||
	{ echo "run-qemu.sh: -o, and -k or -J, are required" >&2; exit 2; }
[ -z "$manifest" ] || [ -f "$manifest" ] || { echo "run-qemu.sh: no manifest $manifest" >&2; exit 2; }
# kunit.py changes directory, so every path handed on must be absolute.
mkdir -p "$out"
out=$(cd "$out" && pwd)

"$here/deps.sh" build test
src=$("$here/kernel.sh" source)

fail=()
die() { echo "run-qemu.sh: $*" >&2; exit 1; }
bad() { fail+=("$*"); }

boot() {
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
[ $interactive = 0 ] || touch "$root/interactive"

# One insmod line per module, with its parameters.
load_mods=""
if [ $noload = 0 ]; then
	for m in "${mods[@]}"; do
		load_mods+="load $m ${modargs[$m]:-}"$'\n'
	done
fi

cat >"$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
[ -d /sys/kernel/tracing ] && mount -t tracefs tracefs /sys/kernel/tracing
exec 3>/dev/ttyS1
mark() { echo "@@@ \$*" >&3; }
show() { mark "SHOW \$*"; }
fail() { mark "ERROR \$*"; }
mark "CPUS \$(grep -c '^processor' /proc/cpuinfo)"

# Forget what boot left behind, so the scan at the end sees only us.
[ -e /sys/kernel/debug/kmemleak ] && echo clear >/sys/kernel/debug/kmemleak
# Let a test fail its own task's GFP_KERNEL slab allocations through
# fail-nth (nothing fails unless a task asks), quietly: an injected
# failure would otherwise print a stack dump.
if [ -d /sys/kernel/debug/failslab ]; then
	echo N >/sys/kernel/debug/failslab/ignore-gfp-wait
	echo 0 >/sys/kernel/debug/failslab/verbose
fi

loaded=""
load() {
	m=\$1
	shift
	if insmod /modules/\$m.ko "\$@"; then
		loaded="\$m \$loaded"
	else
		mark "ERROR insmod \$m failed"
	fi
}
$load_mods
[ -f /extra.sh ] && . /extra.sh
if [ -f /interactive ]; then
	echo "memkit shell: modules loaded:\$loaded"
	echo "live state: /sys/kernel/debug/memkit/ (cat summary); events: /sys/kernel/tracing/"
	[ -e /sys/kernel/debug/memkit_demo/ctl ] &&
		echo "the demo: echo 'alloc 1M' > /sys/kernel/debug/memkit_demo/ctl (see make demo)"
	echo "exit (or Ctrl-D) ends the run"
	setsid cttyhack sh || sh
fi

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
qemu_args=("${accel[@]}" -smp "$cpus,sockets=$cpus" -m "$mem"
	-nodefaults -display none -no-reboot
	-kernel "$kdir/arch/x86/boot/bzImage" -initrd "$out/initramfs.cpio"
	-append "console=ttyS0 panic=-1 oops=panic kasan.fault=report $append")
if [ $interactive = 1 ]; then
	# The console is this terminal, and still logged for the judging.
	timeout --foreground "$timeout" "$qemu" "${qemu_args[@]}" \
		-chardev "stdio,id=console,signal=off,logfile=$out/console.log" \
		-serial chardev:console -serial "file:$out/channel.log" 2>"$out/qemu.log" || rc=$?
else
	timeout --foreground "$timeout" "$qemu" "${qemu_args[@]}" \
		-serial "file:$out/console.log" -serial "file:$out/channel.log" \
		</dev/null >"$out/qemu.log" 2>&1 || rc=$?
fi
echo "run-qemu.sh: guest ran $(($(date +%s) - start)) s (log: $out/console.log)" >&2
echo "$rc $timeout $cpus" >"$out/qemu.rc"
}

[ $judge_only = 1 ] || boot "$@"
[ -f "$out/qemu.rc" ] || die "no run in $out to judge"
read -r rc timeout cpus <"$out/qemu.rc"
[ "$rc" -eq 124 ] && bad "guest timed out after $timeout s"
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && bad "qemu exited with $rc: $(head -c 500 "$out/qemu.log")"

# Split the channel into its sections.
rm -rf "$out/kunit" "$out/marks.txt" "$out/tree.txt" "$out/kmemleak.txt" "$out/show.txt"
mkdir -p "$out/kunit"
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

# KUnit: every suite the guest reported, parsed with kunit.py, its leaves
# counted; the listed suites and the manifest's must all be there.
# A "not ok" anywhere fails the run, whoever's it is.
notok=$(grep -HnE '^[[:space:]]*not ok ' "$out"/kunit/*.ktap 2>/dev/null | head -10 || true)
[ -n "$notok" ] && bad "\"not ok\" in the results:"$'\n'"${notok//$out\/kunit\//}"
notok=$(tr -d '\r' <"$out/console.log" | grep -nE '(^|\] )[[:space:]]*not ok ' | head -10 || true)
[ -n "$notok" ] && bad "\"not ok\" on the console:"$'\n'"$notok"

declare -A count=()
passed=0 failed=0 skipped=0
for f in "$out"/kunit/*.ktap; do
	[ -e "$f" ] || break
	s=$(basename "$f" .ktap)
	python3 "$src/tools/testing/kunit/kunit.py" parse --json="$out/kunit/$s.json" "$f" \
		>"$out/kunit/$s.parsed" 2>&1 || true
	if [ ! -s "$out/kunit/$s.json" ] || grep -q '\[ERROR\]' "$out/kunit/$s.parsed"; then
		bad "kunit.py could not parse $s:"$'\n'"$(grep -E 'ERROR|Traceback' \
			"$out/kunit/$s.parsed" | head -5)"
		continue
	fi
	read -r p fl sk < <(python3 "$here/kunit_counts.py" "$out/kunit/$s.json")
	count[$s]=$((p + fl + sk))
	echo "  $s: $p passed, $fl failed, $sk skipped"
	grep -E '\[(FAILED|CRASHED)\]' "$out/kunit/$s.parsed" || true
	passed=$((passed + p)) failed=$((failed + fl)) skipped=$((skipped + sk))
done
for s in $suites; do
	[ -s "$out/kunit/$s.ktap" ] || bad "expected KUnit suite $s is missing"
done
if [ -n "$manifest" ]; then
	declare -A want=()
	while read -r s n _; do
		case $s in ''|'#'*) continue ;; esac
		want[$s]=$n
		if [ -z "${count[$s]+x}" ]; then
			bad "manifest: suite $s ($n results) did not report"
		elif [ "${count[$s]}" != "$n" ]; then
			bad "manifest: suite $s reported ${count[$s]} results, the manifest says $n (update $manifest if that is intended)"
		fi
	done <"$manifest"
	for s in "${!count[@]}"; do
		[ -n "${want[$s]+x}" ] || bad "manifest: suite $s (${count[$s]} results) is not in $manifest"
	done
fi
{ [ -n "$suites" ] || [ -n "$manifest" ]; } && [ $((passed + failed)) -eq 0 ] && bad "no KUnit test ran"

for f in "${fail[@]}"; do echo "FAIL: $f"; done
[ -n "${leaks:-}" ] && echo "$leaks"
if [ -n "$suites" ] || [ -n "$manifest" ]; then
	summary="$passed passed, $failed failed"
	[ $skipped -gt 0 ] && summary+=", $skipped skipped"
	echo "$summary"
elif [ ${#fail[@]} -eq 0 ]; then
	echo "run-qemu.sh: clean run"
fi
[ $failed -eq 0 ] && [ ${#fail[@]} -eq 0 ]
