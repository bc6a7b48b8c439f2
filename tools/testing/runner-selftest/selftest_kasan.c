// SPDX-License-Identifier: GPL-2.0
/*
 * Runner self-test: a module whose init reads one byte past a kmalloc()
 * buffer.  KASAN reports it (the test kernel reports and goes on); the
 * runner must see the report on the console and fail.
 */

#include <linux/module.h>
#include <linux/slab.h>

static int __init selftest_kasan_init(void)
{
	char *buf = kmalloc(13, GFP_KERNEL);
	size_t past = 13;

	/* The compiler must neither see nor drop the overrun. */
	OPTIMIZER_HIDE_VAR(past);
	if (!buf)
		return -ENOMEM;
	pr_info("selftest_kasan: read past the end: %d\n", buf[past]);
	kfree(buf);
	return 0;
}

static void __exit selftest_kasan_exit(void)
{
}

module_init(selftest_kasan_init);
module_exit(selftest_kasan_exit);

MODULE_DESCRIPTION("memkit runner self-test: a KASAN report at load");
MODULE_LICENSE("GPL");
