// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_kunit.ko: every memkit KUnit suite in one module.  Each
 * <part>_kunit.c registers its own suites; this file carries the module
 * information and the helpers they share.
 */

#include <kunit/test.h>
#include <linux/fault-inject.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/trace_events.h>
#include <linux/uaccess.h>

#include <memkit/compat.h>
#include <memkit/testing.h>

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
		  KUNIT_SUBTEST_INDENT "# %s: random seed %llu (replay: seed=%llu)\n",
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

#define MEMKIT_KUNIT_TRACE	"/sys/kernel/tracing/trace"

/**
 * memkit_kunit_trace_begin() - record memkit's trace events from here on
 * @test: the test; skipped if the kernel has no event tracing or tracefs
 *	is not mounted.
 *
 * Empties the trace buffer (as ``> trace`` does) and enables every event
 * of events/memkit/.
 */
void memkit_kunit_trace_begin(struct kunit *test)
{
	struct file *f;

	if (!IS_ENABLED(CONFIG_EVENT_TRACING))
		kunit_skip(test, "no event tracing in this kernel");
	f = filp_open(MEMKIT_KUNIT_TRACE, O_WRONLY | O_TRUNC, 0);
	if (IS_ERR(f))
		kunit_skip(test, "no %s: %ld", MEMKIT_KUNIT_TRACE, PTR_ERR(f));
	filp_close(f, NULL);
#ifdef CONFIG_EVENT_TRACING
	KUNIT_ASSERT_EQ(test, trace_set_clr_event("memkit", NULL, 1), 0);
#endif
}

/**
 * memkit_kunit_trace_end() - stop recording and read what was recorded
 * @test: the test.
 * @rd: a reader.
 *
 * Return: the text of the trace file (up to %MEMKIT_KUNIT_READ_MAX bytes),
 * as a user reading it would see it.
 */
const char *memkit_kunit_trace_end(struct kunit *test, struct memkit_kunit_reader *rd)
{
#ifdef CONFIG_EVENT_TRACING
	KUNIT_EXPECT_EQ(test, trace_set_clr_event("memkit", NULL, 0), 0);
#endif
	KUNIT_ASSERT_GT(test, memkit_kunit_read(rd, MEMKIT_KUNIT_TRACE), 0);
	return rd->buf;
}

/**
 * memkit_kunit_printf() - format a string that lives until the test ends
 * @test: the test.
 * @fmt: printf format.
 *
 * Asserts (ends the test) if there is no memory for it.
 *
 * Return: the string; longer results are cut at 255 characters.
 */
char *memkit_kunit_printf(struct kunit *test, const char *fmt, ...)
{
	char *s = kunit_kmalloc(test, 256, GFP_KERNEL);
	va_list args;

	KUNIT_ASSERT_NOT_NULL(test, s);
	va_start(args, fmt);
	vsnprintf(s, 256, fmt, args);
	va_end(args);
	return s;
}

/**
 * memkit_kunit_count() - how many times a string occurs in a text
 * @text: the text.
 * @needle: a non-empty string.
 *
 * Return: the number of occurrences, not overlapping.
 */
unsigned int memkit_kunit_count(const char *text, const char *needle)
{
	unsigned int n = 0;

	while ((text = strstr(text, needle))) {
		n++;
		text += strlen(needle);
	}
	return n;
}

static void memkit_kunit_poison_restore(void *old)
{
	memkit_poison_set(old);
}

/**
 * memkit_kunit_poison_on() - poisoning on for the rest of a test
 * @test: the test; poisoning is put back as it was when it ends.
 */
void memkit_kunit_poison_on(struct kunit *test)
{
	void *old = (void *)(uintptr_t)memkit_poison_set(true);

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, memkit_kunit_poison_restore, old),
			0);
}

/**
 * memkit_kunit_profiling() - turn allocation profiling on or off
 * @test: the test; skipped if the kernel has no allocation profiling.
 * @on: which.
 *
 * Writes /proc/sys/vm/mem_profiling, as a user would.  The test kernel
 * boots with it off (see the Makefile): a test that turns it on must turn
 * it off again before it ends.
 */
void memkit_kunit_profiling(struct kunit *test, bool on)
{
	struct file *f;
	loff_t pos = 0;

	if (!IS_ENABLED(CONFIG_MEM_ALLOC_PROFILING))
		kunit_skip(test, "no allocation profiling in this kernel");
	f = filp_open("/proc/sys/vm/mem_profiling", O_WRONLY, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(f), "no /proc/sys/vm/mem_profiling: %ld",
			       PTR_ERR(f));
	KUNIT_EXPECT_EQ(test, kernel_write(f, on ? "1\n" : "0\n", 2, &pos), 2);
	filp_close(f, NULL);
}

/* Bytes on one line of /proc/allocinfo: "<bytes> <calls> <file>:<line> ..." */
static void allocinfo_line(const char *line, const char *site, const char *module,
			   s64 *site_bytes, s64 *module_bytes)
{
	char num[24];
	size_t len = strspn(line, " ");
	long long bytes;

	len += strcspn(line + len, " ");
	if (len >= sizeof(num))
		return;
	memcpy(num, line, len);
	num[len] = '\0';
	if (kstrtoll(skip_spaces(num), 10, &bytes))
		return;
	if (strstr(line, site))
		*site_bytes += bytes;
	if (strstr(line, module))
		*module_bytes += bytes;
}

/**
 * memkit_kunit_allocinfo() - what /proc/allocinfo charges to a call site
 * @test: the test.
 * @file: the source file's name, e.g. "range_kunit.c".
 * @line: the line of the call.
 * @module: a module name; receives the bytes charged to all its lines.
 * @module_bytes: where those go.
 *
 * Return: the bytes live from allocations made at @file:@line.
 */
s64 memkit_kunit_allocinfo(struct kunit *test, const char *file, int line,
			   const char *module, s64 *module_bytes)
{
	char *site = memkit_kunit_printf(test, "%s:%d [", file, line);
	char *mod = memkit_kunit_printf(test, " [%s] func:", module);
	char *buf = kunit_kmalloc(test, PAGE_SIZE + 1, GFP_KERNEL);
	size_t have = 0;
	s64 site_bytes = 0;
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	*module_bytes = 0;
	f = filp_open("/proc/allocinfo", O_RDONLY, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(f), "no /proc/allocinfo: %ld", PTR_ERR(f));
	while ((n = kernel_read(f, buf + have, PAGE_SIZE - have, &pos)) > 0) {
		char *start = buf, *nl;

		have += n;
		buf[have] = '\0';
		while ((nl = strchr(start, '\n'))) {
			*nl = '\0';
			allocinfo_line(start, site, mod, &site_bytes, module_bytes);
			start = nl + 1;
		}
		have -= start - buf;
		memmove(buf, start, have);
		KUNIT_ASSERT_LT_MSG(test, have, (size_t)PAGE_SIZE, "a line longer than a page");
	}
	filp_close(f, NULL);
	KUNIT_EXPECT_GE(test, n, 0);
	return site_bytes;
}

/* Can this task's GFP_KERNEL slab allocations be failed on demand? */
static bool memkit_kunit_faults_ready(struct kunit *test)
{
	struct memkit_kunit_reader *rd;

	if (!IS_ENABLED(CONFIG_FAILSLAB) || !IS_ENABLED(CONFIG_FAULT_INJECTION_DEBUG_FS))
		return false;
	rd = memkit_kunit_reader(test);
	return memkit_kunit_read(rd, "/sys/kernel/debug/failslab/ignore-gfp-wait") > 0 &&
	       rd->buf[0] == 'N';
}

/**
 * memkit_kunit_each_failure() - fail each allocation of a constructor in turn
 * @test: the test.
 * @make: builds an object (and may use it); returns 0, or the -errno a
 *	constructor returned.  It runs in the test's task, so every slab
 *	allocation it causes, directly or not, can be failed.
 * @check: called after each @make with its result and no failure
 *	injected: checks what @make left (nothing visible after an error;
 *	a sound object after success) and frees it.
 * @arg: passed to both.
 *
 * Runs @make with its first, then its second, ... fault-injection point
 * failing (the task's fail-nth, see Documentation/fault-injection/), until
 * a run makes fewer allocations than the one asked to fail: then every
 * point has failed once.  Each run must return 0 (a fallback took over)
 * or -ENOMEM; what a failed run leaves allocated, the leak scan at the end
 * of the run reports.  Skips the test when the kernel cannot inject
 * faults or GFP_KERNEL allocations are exempt (the runner lifts that).
 *
 * Return: the number of points failed.
 */
unsigned int memkit_kunit_each_failure(struct kunit *test,
				       int (*make)(struct kunit *test, void *arg),
				       void (*check)(struct kunit *test, void *arg, int ret),
				       void *arg)
{
	unsigned int n, left = 0, enomem = 0;
	int ret;

	if (!memkit_kunit_faults_ready(test))
		kunit_skip(test, "no failslab, or GFP_KERNEL slab allocations cannot fail");
#ifdef CONFIG_FAULT_INJECTION
	for (n = 1; n < 100000 && !left; n++) {
		WRITE_ONCE(current->fail_nth, n);
		ret = make(test, arg);
		left = READ_ONCE(current->fail_nth);
		WRITE_ONCE(current->fail_nth, 0);
		if (left)
			KUNIT_EXPECT_EQ_MSG(test, ret, 0, "no failure injected, still %d", ret);
		else
			KUNIT_EXPECT_TRUE_MSG(test, !ret || ret == -ENOMEM,
					      "allocation %u failed: returned %d", n, ret);
		enomem += ret == -ENOMEM;
		check(test, arg, ret);
	}
	kunit_info(test, "%u allocation points failed in turn, %u of them gave -ENOMEM\n",
		   n - 2, enomem);
	/* There are allocations to fail, and their failure is reported. */
	KUNIT_EXPECT_GT(test, enomem, 0U);
	return n - 2;
#else
	return 0;
#endif
}

MODULE_DESCRIPTION("KUnit tests for memkit");
MODULE_LICENSE("GPL");
MEMKIT_IMPORT_NS();
MEMKIT_IMPORT_TEST_NS();
