# SPDX-License-Identifier: GPL-2.0
# Guest part of `make demo`, run by run-qemu.sh after memkit and the demo
# are loaded: a workload, the live state before and after freeing half.

ctl=/sys/kernel/debug/memkit_demo/ctl
dbg=/sys/kernel/debug/memkit

vram=/sys/kernel/debug/memkit_demo/vram

dump() {
	show "$1"
	for f in $dbg/summary $vram/bins $vram/map $vram/place $dbg/demo-handles/stats \
		 $dbg/demo-requests/stats $dbg/demo-scratch/stats; do
		echo "== $f" >&3
		cat "$f" >&3
	done
}

# "last: alloc 65536: 0 (handle 7 at 0x10000)": last_field handle -> 7
last_field() {
	case $1 in
	handle) sed -n 's/^last: alloc [0-9]*: 0 (handle \([0-9]*\) at .*$/\1/p' $ctl ;;
	at) sed -n 's/^last: alloc [0-9]*: 0 (handle [0-9]* at \(0x[0-9a-f]*\))$/\1/p' $ctl ;;
	esac
}

vram_allocs() {
	sed -n 's/^allocs *\([0-9]*\)\/.*/\1/p' $vram/bins
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

show "a buffer resized in place, freed by an offset inside it, and VRAM added"
echo "alloc 64K" >$ctl
cat $ctl >&3
h=$(last_field handle)
off=$(last_field at)
[ -n "$h" ] && [ -n "$off" ] || fail "no handle or offset from alloc 64K"
echo "resize $h 32K" >$ctl
grep -q "last: resize $h 32768: 0" $ctl || fail "shrinking buffer $h in place"
cat $ctl >&3
before=$(vram_allocs)
echo "free-at $((off + 4096))" >$ctl
cat $ctl >&3
[ "$(vram_allocs)" = $((before - 1)) ] || fail "free-at inside buffer $h did not free it"
[ -z "$(echo "free $h" >$ctl && grep 'free '$h': 0' $ctl)" ] ||
	fail "buffer $h still had a handle after free-at"
if echo "free-at $((256 * 1024 * 1024 - 4096))" >$ctl 2>/dev/null; then
	fail "free-at freed the firmware region"
fi
echo "free-at in the firmware region: refused" >&3
echo "grow 64M" >$ctl
grep -q "VRAM now 335544320" $ctl || fail "growing VRAM by 64 MiB"
cat $ctl >&3
grep -q "^size          335544320$" $vram/bins || fail "bins does not show the grown range"
dump "after resize, grow and free-at"
show "the CPU-visible window (first 64 MiB) filled with 8 MiB buffers, then one more"
n=0
while [ $n -lt 9 ]; do
	echo "alloc-visible 8M" >$ctl
	cat $ctl >&3
	grep -q "last: alloc-visible 8388608: 0 (handle [0-9]* at 0x[0-9a-f]*, " $ctl ||
		fail "alloc-visible 8M number $n failed"
	at=$(sed -n 's/^last: alloc-visible [0-9]*: 0 (handle [0-9]* at \(0x[0-9a-f]*\),.*/\1/p' $ctl)
	[ $((at + 8388608)) -le $((64 * 1024 * 1024)) ] ||
		fail "alloc-visible 8M at $at: outside the window"
	n=$((n + 1))
done
# Eight fill the window; the ninth must have evicted, and only what it needed.
grep -q "last: alloc-visible 8388608: 0 (.*, [1-9][0-9]* evicted)" $ctl ||
	fail "the ninth visible buffer evicted nothing"
grep -q "last: alloc-visible 8388608: 0 (.*, 1 evicted)" $ctl ||
	fail "the ninth visible buffer evicted more than the one buffer it needed"
dump "after filling the visible window and evicting from the LRU"
# The machine-readable state, which make demo draws into build/demo/.
show "json vram"
cat $vram/json >&3
show "bad commands are refused"
for bad in "launch" "alloc" "alloc 0" "alloc-visible 0" "free x" "run 0" "free-at 0x40000000" \
	"resize 1" "grow 0"; do
	if echo "$bad" >$ctl 2>/dev/null; then
		fail "demo accepted '$bad'"
	else
		echo "echo '$bad' > ctl: refused" >&3
	fi
done
