// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the memkit debugfs registry.
 *
 * The cases read the real files through the VFS, so they need debugfs
 * mounted at /sys/kernel/debug (the QEMU runner mounts it before loading
 * the modules); without it every case is skipped, not passed.
 */

#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <memkit/bug.h>
#include <memkit/debugfs.h>
#include <memkit/testing.h>

#include "memkit_kunit.h"

#define KT_ROOT "/sys/kernel/debug/memkit"

static bool kt_debugfs_mounted;

/* The object behind a test instance: its files print this value. */
struct kt_obj {
	int value;
};

/* An instance and its registry entry, unregistered when the test ends. */
struct kt_inst {
	struct memkit_debugfs_entry entry;
	struct kt_obj obj;
};

KUNIT_DEFINE_ACTION_WRAPPER(kt_unregister_action, memkit_debugfs_unregister,
			    struct memkit_debugfs_entry *);

static int kt_value_show(struct seq_file *m, void *data)
{
	struct kt_obj *obj = data;

	seq_printf(m, "value %d\n", obj->value);
	return 0;
}

static int kt_double_show(struct seq_file *m, void *data)
{
	struct kt_obj *obj = data;

	seq_printf(m, "double %d\n", 2 * obj->value);
	return 0;
}

static void kt_summary(struct seq_file *m, void *data)
{
	struct kt_obj *obj = data;

	seq_printf(m, "summary-value=%d", obj->value);
}

static const struct memkit_debugfs_file kt_files[] = {
	{ .name = "value", .show = kt_value_show },
	{ .name = "double", .show = kt_double_show },
};

static const struct memkit_debugfs_ops kt_ops = {
	.kind = "ktest",
	.summary = kt_summary,
	.files = kt_files,
	.nr_files = ARRAY_SIZE(kt_files),
};

static struct kt_inst *kt_new(struct kunit *test, int value)
{
	struct kt_inst *in = kunit_kzalloc(test, sizeof(*in), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, in);
	in->obj.value = value;
	/* A no-op unless the instance is still registered at the end. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_unregister_action,
							&in->entry), 0);
	return in;
}

static int kt_register(struct kt_inst *in, const char *name)
{
	return memkit_debugfs_register(&in->entry, name, &kt_ops, &in->obj);
}

static ssize_t kt_read(struct kunit *test, const char *path)
{
	return memkit_kunit_read(test->priv, path);
}

static int kt_suite_init(struct kunit_suite *suite)
{
	kt_debugfs_mounted = memkit_kunit_debugfs_mounted();
	return 0;
}

static int kt_init(struct kunit *test)
{
	if (!kt_debugfs_mounted)
		kunit_skip(test, "debugfs is not mounted at /sys/kernel/debug");
	test->priv = memkit_kunit_reader(test);
	return 0;
}

#define KT_BUFP(test) (((struct memkit_kunit_reader *)(test)->priv)->buf)

static void kt_register_unregister(struct kunit *test)
{
	struct kt_inst *in = kt_new(test, 41);
	char *buf = KT_BUFP(test);

	KUNIT_EXPECT_FALSE(test, memkit_debugfs_registered(&in->entry));
	KUNIT_ASSERT_EQ(test, kt_register(in, "kt-basic"), 0);
	KUNIT_EXPECT_TRUE(test, memkit_debugfs_registered(&in->entry));

	KUNIT_EXPECT_GT(test, kt_read(test, KT_ROOT "/kt-basic/value"), 0);
	KUNIT_EXPECT_STREQ(test, buf, "value 41\n");
	/* Files are live views of the object. */
	in->obj.value = 7;
	KUNIT_EXPECT_GT(test, kt_read(test, KT_ROOT "/kt-basic/double"), 0);
	KUNIT_EXPECT_STREQ(test, buf, "double 14\n");

	memkit_debugfs_unregister(&in->entry);
	KUNIT_EXPECT_FALSE(test, memkit_debugfs_registered(&in->entry));
	KUNIT_EXPECT_EQ(test, kt_read(test, KT_ROOT "/kt-basic/value"), -ENOENT);
	KUNIT_EXPECT_EQ(test, kt_read(test, KT_ROOT "/kt-basic"), -ENOENT);

	/* The entry is reusable, under a new name. */
	KUNIT_ASSERT_EQ(test, kt_register(in, "kt-basic2"), 0);
	KUNIT_EXPECT_GT(test, kt_read(test, KT_ROOT "/kt-basic2/value"), 0);
	KUNIT_EXPECT_STREQ(test, buf, "value 7\n");
}

static void kt_unregister_zeroed_is_noop(struct kunit *test)
{
	struct memkit_debugfs_entry entry = {};

	struct kt_inst *in = kt_new(test, 4);

	memkit_debugfs_unregister(&entry);
	KUNIT_EXPECT_FALSE(test, memkit_debugfs_registered(&entry));
	/* The registry still works afterwards: a new instance is listed. */
	KUNIT_ASSERT_EQ(test, kt_register(in, "kt-after-noop"), 0);
	KUNIT_EXPECT_GT(test, kt_read(test, KT_ROOT "/summary"), 0);
	KUNIT_EXPECT_NOT_NULL(test, strstr(KT_BUFP(test), "kt-after-noop"));
}

static void kt_duplicate_name(struct kunit *test)
{
	struct kt_inst *a = kt_new(test, 1), *b = kt_new(test, 2);
	char *buf = KT_BUFP(test);

	KUNIT_ASSERT_EQ(test, kt_register(a, "kt-dup"), 0);
	KUNIT_EXPECT_EQ(test, kt_register(b, "kt-dup"), -EEXIST);
	KUNIT_EXPECT_FALSE(test, memkit_debugfs_registered(&b->entry));

	/* The first instance is intact and still the one shown. */
	KUNIT_EXPECT_GT(test, kt_read(test, KT_ROOT "/kt-dup/value"), 0);
	KUNIT_EXPECT_STREQ(test, buf, "value 1\n");

	/* Once the name is free again it can be taken. */
	memkit_debugfs_unregister(&a->entry);
	KUNIT_ASSERT_EQ(test, kt_register(b, "kt-dup"), 0);
	KUNIT_EXPECT_GT(test, kt_read(test, KT_ROOT "/kt-dup/value"), 0);
	KUNIT_EXPECT_STREQ(test, buf, "value 2\n");
}

static void kt_bad_names(struct kunit *test)
{
	static const char * const bad[] = {
		"", ".", "..", ".hidden", "a/b", "has space", "tab\tname",
		"new\nline", "summary", "percent%", "0123456789abcdef0123456789abcdef",
		/* Latin-1 letters, which the kernel's isalnum() accepts. */
		"caf\xe9", "\xff", "\xc0x", "a\xb5",
	};
	struct kt_inst *in = kt_new(test, 3);
	char *buf = KT_BUFP(test);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, kt_register(in, bad[i]), -EINVAL,
				    "name \"%s\"", bad[i]);
		KUNIT_EXPECT_FALSE(test, memkit_debugfs_registered(&in->entry));
	}
	KUNIT_EXPECT_EQ(test, kt_register(in, NULL), -EINVAL);

	/* The longest legal name works, and shows up under that name. */
	KUNIT_ASSERT_EQ(test, kt_register(in, "0123456789abcdef0123456789abcde"), 0);
	KUNIT_EXPECT_GT(test, kt_read(test, KT_ROOT "/0123456789abcdef0123456789abcde/value"), 0);
	KUNIT_EXPECT_STREQ(test, buf, "value 3\n");
	/* The summary is still a file (no instance replaced it), listing it. */
	KUNIT_EXPECT_GT(test, kt_read(test, KT_ROOT "/summary"), 0);
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "0123456789abcdef0123456789abcde"));
}

static void kt_bad_ops(struct kunit *test)
{
	static const struct memkit_debugfs_ops no_kind = {
		.files = kt_files, .nr_files = ARRAY_SIZE(kt_files),
	};
	static const struct memkit_debugfs_ops no_files = {
		.kind = "ktest", .nr_files = 1,
	};
	struct kt_inst *in = kt_new(test, 0);

	KUNIT_EXPECT_EQ(test, memkit_debugfs_register(&in->entry, "kt-ops", NULL, &in->obj),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_debugfs_register(&in->entry, "kt-ops", &no_kind, &in->obj),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_debugfs_register(&in->entry, "kt-ops", &no_files, &in->obj),
			-EINVAL);
	KUNIT_EXPECT_FALSE(test, memkit_debugfs_registered(&in->entry));
	KUNIT_EXPECT_EQ(test, kt_read(test, KT_ROOT "/kt-ops"), -ENOENT);
}

/*
 * Find the summary line of instance @name and split it into its three
 * fields; returns the number of lines naming @name.
 */
static int kt_summary_line(const char *buf, const char *name,
			   char kind[16], char rest[64])
{
	char line[128], lkind[16], lname[MEMKIT_NAME_MAX], lrest[64];
	int found = 0;

	while (*buf) {
		size_t len = strcspn(buf, "\n");

		if (len < sizeof(line)) {
			memcpy(line, buf, len);
			line[len] = '\0';
			if (sscanf(line, "%15s %31s %63s", lkind, lname, lrest) == 3 &&
			    !strcmp(lname, name)) {
				strscpy(kind, lkind, 16);
				strscpy(rest, lrest, 64);
				found++;
			}
		}
		buf += len + (buf[len] == '\n');
	}
	return found;
}

/* Registering an entry twice is a caller bug: reported, refused, harmless. */
static void kt_register_twice(struct kunit *test)
{
	struct kt_inst *in = kt_new(test, 9);
	char *buf = KT_BUFP(test);

	KUNIT_ASSERT_EQ(test, kt_register(in, "kt-twice"), 0);
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	KUNIT_EXPECT_EQ(test, kt_register(in, "kt-twice-b"), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 1U);

	/* The original registration is untouched, the second name unused. */
	KUNIT_EXPECT_GT(test, kt_read(test, KT_ROOT "/kt-twice/value"), 0);
	KUNIT_EXPECT_STREQ(test, buf, "value 9\n");
	KUNIT_EXPECT_EQ(test, kt_read(test, KT_ROOT "/kt-twice-b"), -ENOENT);
}

static void kt_summary_contents(struct kunit *test)
{
	struct kt_inst *a = kt_new(test, 100), *b = kt_new(test, 200);
	char kind[16], rest[64];
	char *buf = KT_BUFP(test);

	KUNIT_ASSERT_EQ(test, kt_register(a, "kt-sum-a"), 0);
	KUNIT_ASSERT_EQ(test, kt_register(b, "kt-sum-b"), 0);

	KUNIT_ASSERT_GT(test, kt_read(test, KT_ROOT "/summary"), 0);
	KUNIT_EXPECT_EQ(test, kt_summary_line(buf, "kt-sum-a", kind, rest), 1);
	KUNIT_EXPECT_STREQ(test, kind, "ktest");
	KUNIT_EXPECT_STREQ(test, rest, "summary-value=100");
	KUNIT_EXPECT_EQ(test, kt_summary_line(buf, "kt-sum-b", kind, rest), 1);
	KUNIT_EXPECT_STREQ(test, rest, "summary-value=200");

	/* The summary is live: it follows the object and the registry. */
	b->obj.value = 201;
	memkit_debugfs_unregister(&a->entry);
	KUNIT_ASSERT_GT(test, kt_read(test, KT_ROOT "/summary"), 0);
	KUNIT_EXPECT_EQ(test, kt_summary_line(buf, "kt-sum-a", kind, rest), 0);
	KUNIT_EXPECT_EQ(test, kt_summary_line(buf, "kt-sum-b", kind, rest), 1);
	KUNIT_EXPECT_STREQ(test, rest, "summary-value=201");

	memkit_debugfs_unregister(&b->entry);
	KUNIT_ASSERT_GE(test, kt_read(test, KT_ROOT "/summary"), 0);
	KUNIT_EXPECT_EQ(test, kt_summary_line(buf, "kt-sum-b", kind, rest), 0);
}

/*
 * A reader keeps a file open while the owner unregisters and frees the
 * object: the next read must fail cleanly instead of touching freed memory
 * (KASAN would report it).
 */
static void kt_remove_with_file_open(struct kunit *test)
{
	struct kt_inst *in = kt_new(test, 5);
	char *buf = KT_BUFP(test);
	struct file *f;
	ssize_t n;

	KUNIT_ASSERT_EQ(test, kt_register(in, "kt-open"), 0);
	f = filp_open(KT_ROOT "/kt-open/value", O_RDONLY, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(f), "open failed: %ld", PTR_ERR(f));

	n = memkit_kunit_read_file(test->priv, f);
	KUNIT_EXPECT_EQ(test, n, (ssize_t)strlen("value 5\n"));
	KUNIT_EXPECT_STREQ(test, buf, "value 5\n");

	/* The owner goes away: unregister, then free the object. */
	kunit_release_action(test, kt_unregister_action, &in->entry);
	KUNIT_EXPECT_FALSE(test, memkit_debugfs_registered(&in->entry));
	kunit_kfree(test, in);

	n = memkit_kunit_read_file(test->priv, f);
	KUNIT_EXPECT_EQ(test, n, (ssize_t)-EIO);
	filp_close(f, NULL);
}

/*
 * Unwinding: registration with each of its allocations failing in turn
 * (the registry's node, and debugfs' own dentries and inodes): -ENOMEM
 * and no trace, or registered with whatever files debugfs could make.
 */
static int kt_unwind_make(struct kunit *test, void *arg)
{
	return kt_register(arg, "kt-unwind");
}

static void kt_unwind_check(struct kunit *test, void *arg, int ret)
{
	struct kt_inst *in = arg;
	ssize_t n;

	if (ret) {
		KUNIT_EXPECT_FALSE(test, memkit_debugfs_registered(&in->entry));
		KUNIT_EXPECT_EQ(test, kt_read(test, KT_ROOT "/kt-unwind"), -ENOENT);
		return;
	}
	KUNIT_EXPECT_TRUE(test, memkit_debugfs_registered(&in->entry));
	/* debugfs failures are quiet by design: a file is right, or absent. */
	n = kt_read(test, KT_ROOT "/kt-unwind/value");
	KUNIT_EXPECT_TRUE_MSG(test, n == -ENOENT || (n > 0 && !strcmp(KT_BUFP(test), "value 5\n")),
			      "read %zd", n);
	memkit_debugfs_unregister(&in->entry);
	KUNIT_EXPECT_EQ(test, kt_read(test, KT_ROOT "/kt-unwind"), -ENOENT);
}

static void kt_register_unwinds(struct kunit *test)
{
	memkit_kunit_each_failure(test, kt_unwind_make, kt_unwind_check, kt_new(test, 5));
}

static struct kunit_case memkit_debugfs_cases[] = {
	KUNIT_CASE(kt_register_unregister),
	KUNIT_CASE(kt_unregister_zeroed_is_noop),
	KUNIT_CASE(kt_duplicate_name),
	KUNIT_CASE(kt_bad_names),
	KUNIT_CASE(kt_bad_ops),
	KUNIT_CASE(kt_register_twice),
	KUNIT_CASE(kt_summary_contents),
	KUNIT_CASE(kt_remove_with_file_open),
	KUNIT_CASE(kt_register_unwinds),
	{}
};

static struct kunit_suite memkit_debugfs_suite = {
	.name = "memkit_debugfs",
	.suite_init = kt_suite_init,
	.init = kt_init,
	.test_cases = memkit_debugfs_cases,
};

kunit_test_suites(&memkit_debugfs_suite);
