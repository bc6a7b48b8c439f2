// SPDX-License-Identifier: GPL-2.0
/*
 * memkit caller-bug reporting.
 */

#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/sched.h>

#include <memkit/bug.h>
#include <memkit/compat.h>
#include <memkit/testing.h>

/**
 * DOC: Caller bugs
 *
 * memkit reports misuse that can only come from a bug in the caller (a
 * double free, a handle from another instance, an object destroyed with
 * live allocations) with memkit_warn_once(), refuses the operation and
 * leaves the structure intact.
 *
 * Tests need to provoke these on purpose, and a real WARN taints the kernel
 * and fails the run.  The kernel this is tested on has no way to suppress
 * a warning from KUnit, so memkit keeps its own, on kernels built with
 * KUnit only (the two calls are exported for tests alone, with
 * EXPORT_SYMBOL_IF_KUNIT(); a kernel without KUnit compiles them out).
 * One task at a time may claim the expectation with
 * memkit_expect_warnings_begin(); memkit warnings raised by that task, in
 * task context, are then counted and logged as information, and
 * memkit_expect_warnings_end() returns the count.  Warnings from any other
 * task, and any raised in interrupt context (where current is merely the
 * task that was interrupted), are untouched.
 *
 * Complexity: O(1).  Locking: the expecting task is published with
 * cmpxchg(); the counter is atomic.
 */

#if IS_ENABLED(CONFIG_KUNIT)
static struct task_struct *memkit_expect_task;
static atomic_t memkit_expect_count = ATOMIC_INIT(0);

/* Is this warning one the current task said to expect?  Counts it if so. */
static bool memkit_warning_expected(void)
{
	if (!in_task() || READ_ONCE(memkit_expect_task) != current)
		return false;
	atomic_inc(&memkit_expect_count);
	return true;
}

/**
 * memkit_expect_warnings_begin() - count this task's memkit warnings
 *
 * Context: process context; for tests, on kernels with KUnit.
 * Return: 0, or -EBUSY if another task is already expecting warnings.
 */
int memkit_expect_warnings_begin(void)
{
	if (cmpxchg(&memkit_expect_task, NULL, current))
		return -EBUSY;
	atomic_set(&memkit_expect_count, 0);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(memkit_expect_warnings_begin);

/**
 * memkit_expect_warnings_end() - stop counting, return the count
 *
 * Context: the task that called memkit_expect_warnings_begin().
 * Return: the number of memkit warnings this task raised since begin;
 * 0 if this task was not expecting warnings.
 */
unsigned int memkit_expect_warnings_end(void)
{
	if (READ_ONCE(memkit_expect_task) != current)
		return 0;
	WRITE_ONCE(memkit_expect_task, NULL);
	return atomic_read(&memkit_expect_count);
}
EXPORT_SYMBOL_IF_KUNIT(memkit_expect_warnings_end);
#else
static bool memkit_warning_expected(void)
{
	return false;
}
#endif

void __memkit_warn(bool *warned, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (memkit_warning_expected()) {
		pr_info("memkit: expected warning: %pV\n", &vaf);
	} else if (!READ_ONCE(*warned)) {
		WRITE_ONCE(*warned, true);
		WARN(1, "memkit: %pV\n", &vaf);
	}
	va_end(args);
}
EXPORT_SYMBOL_MEMKIT(__memkit_warn);
