# SPDX-License-Identifier: GPL-2.0
# Guest part of `make demo`, run by run-qemu.sh after memkit and the demo
# are loaded: a workload, the live state before and after freeing half.

ctl=/sys/kernel/debug/memkit_demo/ctl
dbg=/sys/kernel/debug/memkit

dump() {
	show "$1"
	for f in summary demo-vram/bins demo-vram/map demo-handles/stats \
		 demo-requests/stats demo-scratch/stats; do
		echo "== $dbg/$f" >&3
		cat "$dbg/$f" >&3
	done
}

echo "alloc 1M" >$ctl
echo "run 1500" >$ctl
echo "relocate" >$ctl
echo "run 100" >$ctl
show "cat $ctl"
cat $ctl >&3
dump "after 400 random operations and a relocation of the handle map"
echo "free-half" >$ctl
dump "after free-half"
show "bad commands are refused"
for bad in "launch" "alloc" "alloc 0" "free x" "run 0"; do
	if echo "$bad" >$ctl 2>/dev/null; then
		fail "demo accepted '$bad'"
	else
		echo "echo '$bad' > ctl: refused" >&3
	fi
done
