// SPDX-License-Identifier: GPL-2.0
/*
 * Runner self-test: a module whose init shifts a 32-bit value by 40, which
 * UBSAN (CONFIG_UBSAN_SHIFT) reports; the runner must fail.
 */

#include <linux/module.h>

static int __init selftest_ubsan_init(void)
{
	unsigned int by = 40, one = 1;

	/* Hidden from the compiler, so the shift happens at run time. */
	OPTIMIZER_HIDE_VAR(by);
	OPTIMIZER_HIDE_VAR(one);
	pr_info("selftest_ubsan: 1 << 40 is %u\n", one << by);
	return 0;
}

static void __exit selftest_ubsan_exit(void)
{
}

module_init(selftest_ubsan_init);
module_exit(selftest_ubsan_exit);

MODULE_DESCRIPTION("memkit runner self-test: a UBSAN report at load");
MODULE_LICENSE("GPL");
