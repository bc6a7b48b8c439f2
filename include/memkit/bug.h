/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memkit: reporting caller bugs (double free, foreign handle, leaks at
 * destroy) so that tests can provoke them on purpose.
 */
#ifndef _MEMKIT_BUG_H
#define _MEMKIT_BUG_H

#include <linux/compiler.h>
#include <linux/types.h>

__printf(2, 3) void __memkit_warn(bool *warned, const char *fmt, ...);

/**
 * memkit_warn_once() - WARN_ONCE() for caller bugs that tests can expect
 * @cond: the bug condition.
 * @fmt: printf format describing the bug.
 *
 * Behaves like WARN_ONCE(@cond, @fmt, ...): the first hit at each call
 * site prints a warning with a backtrace.  On kernels with KUnit, between
 * memkit_expect_warnings_begin() and memkit_expect_warnings_end()
 * (<memkit/testing.h>) on the same task, hits are counted and logged with
 * pr_info() instead, so a test can check that a bad call is reported
 * without tainting the kernel.  The caller must still recover.
 *
 * Return: @cond, as a bool.
 */
#define memkit_warn_once(cond, fmt, ...)				\
({									\
	static bool __section(".data.once") __memkit_warned;		\
	bool __memkit_cond = !!(cond);					\
									\
	if (unlikely(__memkit_cond))					\
		__memkit_warn(&__memkit_warned, fmt, ##__VA_ARGS__);	\
	unlikely(__memkit_cond);					\
})

#endif /* _MEMKIT_BUG_H */
