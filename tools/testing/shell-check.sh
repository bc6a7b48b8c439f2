#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make shell, driven once without a person: commands go in through the
# console as a user would type them, and what the guest answers is
# checked.  The run is judged as every other run (no kernel report, no
# leak, modules unload).
#
# Usage: tools/testing/shell-check.sh

set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out="$top/build/shell-check.log"
cd "$top"

fail() { echo "shell-check.sh: $* (log: $out)" >&2; exit 1; }

# Type only once the shell is there, as a person would: what arrives
# before the console is opened is lost.
fifo="$top/build/shell-check.in"
rm -f "$fifo"
mkfifo "$fifo"
make -s shell SHELL_SECONDS=600 <"$fifo" >"$out" 2>&1 &
pid=$!
exec 7>"$fifo"
for _ in $(seq 600); do
	grep -q 'ends the run' "$out" 2>/dev/null && break
	kill -0 $pid 2>/dev/null || break
	sleep 1
done
grep -q "ends the run" "$out" || { exec 7>&-; wait $pid || true; fail "the shell never came up"; }
sleep 2
# The answers are computed in the guest ($((...))), so the echo of what
# was typed cannot pass for them.
cat >&7 <<'EOF_INPUT'
echo "shell-check: $((6 * 7)) ready"
echo 'alloc 1M' > /sys/kernel/debug/memkit_demo/ctl
echo "shell-check: ctl $(grep -c '^last: alloc 1048576: 0' /sys/kernel/debug/memkit_demo/ctl)"
echo "shell-check: ranges $(grep -c '^range ' /sys/kernel/debug/memkit/summary)"
echo "json-$((1 + 1))-begin"; cat /sys/kernel/debug/memkit_demo/vram/json; echo "json-$((1 + 1))-end"
exit
EOF_INPUT
exec 7>&-
wait $pid || { tail -40 "$out" >&2; fail "make shell failed"; }
rm -f "$fifo"

tr -d '\r' <"$out" >"$out.txt"
grep -q '^memkit shell: modules loaded:.*memkit_demo' "$out.txt" || fail "no banner"
grep -qx 'shell-check: 42 ready' "$out.txt" || fail "the shell did not run the first command"
grep -qx 'shell-check: ctl 1' "$out.txt" || fail "the demo did not take 'alloc 1M'"
n=$(sed -n 's/^shell-check: ranges \([0-9]*\)$/\1/p' "$out.txt")
[ "${n:-0}" -ge 1 ] || fail "the summary lists no range"
# The range's json, as a user would save it, drawn by the picture tool.
awk '/^json-2-end$/ { f = 0 } f; /^json-2-begin$/ { f = 1 }' "$out.txt" >"$top/build/shell-check.json"
python3 tools/range-svg/range-svg.py "$top/build/shell-check.json" -o "$top/build/shell-check.svg" ||
	fail "range-svg.py could not draw the json the shell printed"
grep -q '^<svg ' "$top/build/shell-check.svg" && grep -q 'memkit range vram ' "$top/build/shell-check.svg" ||
	fail "no picture of the vram range in build/shell-check.svg"
echo "shell-check.sh: make shell took typed commands; the demo allocated; $n ranges listed;"
echo "shell-check.sh: the vram range's json drawn: build/shell-check.svg"
