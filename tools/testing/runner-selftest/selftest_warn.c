// SPDX-License-Identifier: GPL-2.0
/*
 * Runner self-test: a module whose init hits WARN_ON(1) and otherwise
 * loads fine.  The runner must see the warning on the console and fail.
 */

#include <linux/bug.h>
#include <linux/module.h>

static int __init selftest_warn_init(void)
{
	WARN_ON(1);
	return 0;
}

static void __exit selftest_warn_exit(void)
{
}

module_init(selftest_warn_init);
module_exit(selftest_warn_exit);

MODULE_DESCRIPTION("memkit runner self-test: WARN_ON(1) at load");
MODULE_LICENSE("GPL");
