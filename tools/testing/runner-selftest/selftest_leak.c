// SPDX-License-Identifier: GPL-2.0
/*
 * Runner self-test: a module that loses the only pointer to an allocation.
 * The runner's kmemleak scan must find it and fail the run.
 */

#include <linux/module.h>
#include <linux/slab.h>

static void *selftest_leak_ptr;

static int __init selftest_leak_init(void)
{
	selftest_leak_ptr = kmalloc(192, GFP_KERNEL);
	if (!selftest_leak_ptr)
		return -ENOMEM;
	/* Drop the only reference; nothing frees it. */
	selftest_leak_ptr = NULL;
	return 0;
}

static void __exit selftest_leak_exit(void)
{
}

module_init(selftest_leak_init);
module_exit(selftest_leak_exit);

MODULE_DESCRIPTION("memkit runner self-test: a deliberate leak");
MODULE_LICENSE("GPL");
