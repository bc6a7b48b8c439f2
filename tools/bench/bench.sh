# SPDX-License-Identifier: GPL-2.0
# Guest part of `make bench`, run by run-qemu.sh -L: load memkit and the
# benchmark module (which runs every workload at load) and hand the
# results to the host.

# Poisoning off whatever the kernel's default: kmalloc does not memset.
insmod /modules/memkit.ko poison=0 || fail "insmod memkit"
insmod /modules/memkit_bench.ko $MEMKIT_BENCH_ARGS || fail "insmod memkit_bench"
show "results"
cat /sys/kernel/debug/memkit_bench/results >&3
show "results.csv"
cat /sys/kernel/debug/memkit_bench/results.csv >&3
rmmod memkit_bench
rmmod memkit
