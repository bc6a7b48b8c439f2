# SPDX-License-Identifier: GPL-2.0
# Guest part of `make check`'s lifecycle test, run by run-qemu.sh -L: load
# and unload memkit and the demo 50 times with a workload in between.
# memkit must refuse to unload while the demo uses it, and no debugfs entry
# may survive an unload.  The runner's kmemleak scan checks for leaks.

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
show "lifecycle"
echo "$ok of $cycles load/unload cycles of memkit + memkit_demo clean" >&3
