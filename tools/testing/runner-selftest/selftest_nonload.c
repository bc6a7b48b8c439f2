// SPDX-License-Identifier: GPL-2.0
/*
 * Runner self-test: a module whose init fails, so insmod fails; the runner
 * must fail.
 */

#include <linux/module.h>

static int __init selftest_nonload_init(void)
{
	return -ENODEV;
}

module_init(selftest_nonload_init);

MODULE_DESCRIPTION("memkit runner self-test: a module that fails to load");
MODULE_LICENSE("GPL");
