// SPDX-License-Identifier: GPL-2.0
/*
 * Runner self-test: a module that loads cleanly but taints the kernel with
 * TAINT_USER, which no run allows; the runner must fail on the taint.
 */

#include <linux/module.h>
#include <linux/panic.h>

static int __init selftest_taint_init(void)
{
	add_taint(TAINT_USER, LOCKDEP_STILL_OK);
	return 0;
}

static void __exit selftest_taint_exit(void)
{
}

module_init(selftest_taint_init);
module_exit(selftest_taint_exit);

MODULE_DESCRIPTION("memkit runner self-test: a taint no run allows");
MODULE_LICENSE("GPL");
