/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by memkit's KUnit suites.
 */
#ifndef _MEMKIT_KUNIT_H
#define _MEMKIT_KUNIT_H

#include <linux/math64.h>
#include <linux/types.h>

struct file;
struct kunit;
struct kunit_suite;

u64 memkit_kunit_seed(struct kunit_suite *suite);

/*
 * @num / @den in units of 1/@scale, split for printing as "%llu.%0Nu":
 * returns the whole part and puts the fraction in *@frac.  64-bit
 * divisions go through math64.h, so the suites link on 32-bit kernels.
 */
static inline u64 memkit_kunit_fixed(u64 num, u64 den, u32 scale, u32 *frac)
{
	return div_u64_rem(den ? div64_u64(num * scale, den) : 0, scale, frac);
}

/* @a mod @b, for a u64 @a on 32-bit kernels too. */
static inline u32 memkit_kunit_mod(u64 a, u32 b)
{
	u32 rem;

	div_u64_rem(a, b, &rem);
	return rem;
}

/* Reading debugfs files from a test, as a cat from user space would. */
#define MEMKIT_KUNIT_READ_MAX	8192

/**
 * struct memkit_kunit_reader - buffers for reading files in a test
 * @buf: what the last read returned, NUL-terminated.
 * @ubuf: user memory the file's ->read() copies into.
 */
struct memkit_kunit_reader {
	char *buf;
	char __user *ubuf;
};

struct memkit_kunit_reader *memkit_kunit_reader(struct kunit *test);
ssize_t memkit_kunit_read_file(struct memkit_kunit_reader *rd, struct file *f);
ssize_t memkit_kunit_read(struct memkit_kunit_reader *rd, const char *path);
bool memkit_kunit_debugfs_mounted(void);
void memkit_kunit_trace_begin(struct kunit *test);
const char *memkit_kunit_trace_end(struct kunit *test, struct memkit_kunit_reader *rd);
__printf(2, 3) char *memkit_kunit_printf(struct kunit *test, const char *fmt, ...);
void memkit_kunit_poison_on(struct kunit *test);
void memkit_kunit_profiling(struct kunit *test, bool on);
s64 memkit_kunit_allocinfo(struct kunit *test, const char *file, int line,
			   const char *module, s64 *module_bytes);
unsigned int memkit_kunit_count(const char *text, const char *needle);
unsigned int memkit_kunit_each_failure(struct kunit *test,
				       int (*make)(struct kunit *test, void *arg),
				       void (*check)(struct kunit *test, void *arg, int ret),
				       void *arg);

#endif /* _MEMKIT_KUNIT_H */
