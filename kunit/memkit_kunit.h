/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by memkit's KUnit suites.
 */
#ifndef _MEMKIT_KUNIT_H
#define _MEMKIT_KUNIT_H

#include <linux/types.h>

struct file;
struct kunit;
struct kunit_suite;

u64 memkit_kunit_seed(struct kunit_suite *suite);

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

#endif /* _MEMKIT_KUNIT_H */
