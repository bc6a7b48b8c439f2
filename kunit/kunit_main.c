// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_kunit.ko: every memkit KUnit suite in one module.  Each
 * <part>_kunit.c registers its own suites; this file carries the module
 * information and the helpers they share.
 */

#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/uaccess.h>

#include <memkit/compat.h>

#include "memkit_kunit.h"

static ulong seed;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "seed for the randomised cases (0: pick one and log it)");

/**
 * memkit_kunit_seed() - the seed for a suite's randomised cases
 * @suite: the suite, for the log line.
 *
 * Return: the module's seed parameter, or a random seed if it is 0.
 * Either way it goes into the suite's KTAP log (and the console) so that a
 * failure can be replayed with ``insmod memkit_kunit.ko seed=N`` or
 * ``make check SEED=N``.  Every randomised case and every hash map a case
 * makes through its suite's helpers derive from it.
 */
u64 memkit_kunit_seed(struct kunit_suite *suite)
{
	u64 s = seed ?: get_random_u64() ?: 1;

	kunit_log(KERN_INFO, suite,
		  KUNIT_SUBTEST_INDENT "# %s: random seed %llu (replay: insmod memkit_kunit.ko seed=%llu)\n",
		  suite->name, s, s);
	return s;
}

/**
 * memkit_kunit_debugfs_mounted() - can tests read memkit's debugfs files?
 *
 * Return: true if /sys/kernel/debug/memkit/summary opens.
 */
bool memkit_kunit_debugfs_mounted(void)
{
	struct file *f = filp_open("/sys/kernel/debug/memkit/summary", O_RDONLY, 0);

	if (IS_ERR(f))
		return false;
	filp_close(f, NULL);
	return true;
}

/**
 * memkit_kunit_reader() - set up buffers for reading files in a test
 * @test: the test; the buffers live until it ends.
 *
 * debugfs files have no read_iter, so kernel_read() cannot read them:
 * reads go through the file's own ->read() into a user mapping made with
 * kunit_vm_mmap().  Asserts (ends the test) if that is not possible.
 *
 * Return: the reader.
 */
struct memkit_kunit_reader *memkit_kunit_reader(struct kunit *test)
{
	struct memkit_kunit_reader *rd;
	unsigned long uaddr;

	rd = kunit_kzalloc(test, sizeof(*rd), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rd);
	rd->buf = kunit_kzalloc(test, MEMKIT_KUNIT_READ_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rd->buf);
	uaddr = kunit_vm_mmap(test, NULL, 0, MEMKIT_KUNIT_READ_MAX,
			      PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, uaddr, 0, "no user mapping for reads");
	KUNIT_ASSERT_LT(test, uaddr, (unsigned long)TASK_SIZE);
	rd->ubuf = (char __user *)uaddr;
	return rd;
}

/**
 * memkit_kunit_read_file() - one ->read() at offset 0 of an open file
 * @rd: the reader; the text lands in @rd->buf.
 * @f: the open file.
 *
 * Return: bytes read, or -errno.
 */
ssize_t memkit_kunit_read_file(struct memkit_kunit_reader *rd, struct file *f)
{
	loff_t pos = 0;
	ssize_t n;

	rd->buf[0] = '\0';
	n = f->f_op->read(f, rd->ubuf, MEMKIT_KUNIT_READ_MAX - 1, &pos);
	if (n > 0) {
		if (copy_from_user(rd->buf, rd->ubuf, n))
			return -EFAULT;
		rd->buf[n] = '\0';
	}
	return n;
}

/**
 * memkit_kunit_read() - read a whole (small) file into @rd->buf
 * @rd: the reader.
 * @path: absolute path.
 *
 * Return: bytes read, or -errno (-ENOENT if the file does not exist).
 */
ssize_t memkit_kunit_read(struct memkit_kunit_reader *rd, const char *path)
{
	struct file *f = filp_open(path, O_RDONLY, 0);
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	n = memkit_kunit_read_file(rd, f);
	filp_close(f, NULL);
	return n;
}

MODULE_DESCRIPTION("KUnit tests for memkit");
MODULE_LICENSE("GPL");
MEMKIT_IMPORT_NS();
