# SPDX-License-Identifier: GPL-2.0
# Guest part of `make check`'s lifecycle test, run by run-qemu.sh -L: load
# and unload memkit and the demo 50 times with a workload in between.
# memkit must refuse to unload while the demo uses it, and no debugfs entry
# may survive an unload.  Then a client that unloads with a registration
# left behind.  The runner's kmemleak scan checks for leaks.

cycles=50
ok=0
i=0
while [ $i -lt $cycles ]; do
	i=$((i + 1))
	insmod /modules/memkit.ko || { fail "cycle $i: insmod memkit"; break; }
	insmod /modules/memkit_demo.ko || { fail "cycle $i: insmod memkit_demo"; break; }
	echo "run 20" >/sys/kernel/debug/memkit_demo/ctl || fail "cycle $i: workload"
	[ $((i % 10)) = 0 ] && echo relocate >/sys/kernel/debug/memkit_demo/ctl
	rmmod memkit 2>/dev/null && { fail "cycle $i: memkit unloaded under the demo"; break; }
	rmmod memkit_demo || { fail "cycle $i: rmmod memkit_demo"; break; }
	rmmod memkit || { fail "cycle $i: rmmod memkit"; break; }
	if [ -e /sys/kernel/debug/memkit ] || [ -e /sys/kernel/debug/memkit_demo ]; then
		fail "cycle $i: stale debugfs entries"
		break
	fi
	ok=$i
done

# A client that unloads with an entry still registered (a pool in its own
# module memory): memkit drops the entry and reports it, and reading
# debugfs afterwards must not reach the unloaded module.
leak=missing
if insmod /modules/memkit.ko && insmod /modules/memkit_demo.ko leak_registration=1; then
	grep -q demo-leaked /sys/kernel/debug/memkit/summary || fail "leaked pool not registered"
	rmmod memkit_demo || fail "rmmod memkit_demo (leaking)"
	cat /sys/kernel/debug/memkit/summary >/dev/null || fail "summary unreadable after the leak"
	[ -e /sys/kernel/debug/memkit/demo-leaked ] && fail "leaked entry still in debugfs"
	grep -q demo-leaked /sys/kernel/debug/memkit/summary && fail "leaked entry still in the summary"
	dmesg | grep -q "memkit_demo unloaded with 'demo-leaked' still registered" && leak=reported
	[ $leak = reported ] || fail "the leaked registration was not reported"
	rmmod memkit || fail "rmmod memkit after the leak"
else
	fail "insmod for the leak test"
fi
show "lifecycle"
echo "$ok of $cycles load/unload cycles of memkit + memkit_demo clean" >&3
echo "client unloading with a registered pool: entry removed, leak $leak" >&3
