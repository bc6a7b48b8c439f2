// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for memkit_range: the locked, named range manager, its
 * dedicated-block kind, its debugfs files, and its use from hard irq
 * context and from several threads at once.
 */

#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/irq_work.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>

#include <memkit/bug.h>
#include <memkit/range.h>
#include <memkit/testing.h>

#include "memkit_kunit.h"

#define KT_MEMKIT_DIR "/sys/kernel/debug/memkit"
#define KT_RANGE_DIR KT_MEMKIT_DIR "/kt-range-dbg"
#define KT_PARENT_DIR "/sys/kernel/debug/memkit-kt-drv"

static u64 range_seed;

KUNIT_DEFINE_ACTION_WRAPPER(range_destroy_action, memkit_range_destroy,
			    struct memkit_range *);

static struct memkit_range *range_new(struct kunit *test, const char *name, u64 size,
				      enum memkit_range_kind kind, u32 max_allocs)
{
	struct memkit_range *r = memkit_range_create(name, size, kind, max_allocs);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, range_destroy_action, r), 0);
	return r;
}

/* Destroy now instead of at the end of the test. */
static void range_destroy_now(struct kunit *test, struct memkit_range *r)
{
	kunit_release_action(test, range_destroy_action, r);
}

static void range_expect_report(struct kunit *test, struct memkit_range *r,
				u64 free, u32 allocs)
{
	struct memkit_oa_usage rep;

	memkit_range_report(r, &rep);
	KUNIT_EXPECT_EQ(test, rep.free, free);
	KUNIT_EXPECT_EQ(test, rep.allocs, allocs);
	KUNIT_EXPECT_EQ(test, memkit_range_check(r), 0);
}

static void range_create_destroy(struct kunit *test)
{
	struct memkit_range *r = range_new(test, "kt-range", 1 << 20,
					   MEMKIT_RANGE_OFFSET, 64);

	/* The name is registered in debugfs: a second range cannot take it. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(memkit_range_create("kt-range", 10, MEMKIT_RANGE_OFFSET, 4)),
			-EEXIST);
	range_expect_report(test, r, 1 << 20, 0);
	range_destroy_now(test, r);

	/* Destroying freed the name. */
	r = range_new(test, "kt-range", 10, MEMKIT_RANGE_DEDICATED, 0);
	range_expect_report(test, r, 10, 0);
	/* Anonymous ranges are allowed, any number of them. */
	range_new(test, NULL, 10, MEMKIT_RANGE_OFFSET, 1);
	range_new(test, NULL, 10, MEMKIT_RANGE_OFFSET, 1);
	/* NULL and error pointers are no-ops. */
	memkit_range_destroy(NULL);
	memkit_range_destroy(ERR_PTR(-ENOMEM));
}

static void range_create_bad_args(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, PTR_ERR(memkit_range_create(NULL, 0, MEMKIT_RANGE_OFFSET, 4)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(memkit_range_create(NULL, 0, MEMKIT_RANGE_DEDICATED, 0)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(memkit_range_create(NULL, 10, MEMKIT_RANGE_OFFSET, 0)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(memkit_range_create(NULL, 10, 7, 4)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(memkit_range_create("bad name", 10, MEMKIT_RANGE_OFFSET, 4)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(memkit_range_create("summary", 10, MEMKIT_RANGE_OFFSET, 4)),
			-EINVAL);
}

static void range_alloc_free(struct kunit *test)
{
	struct memkit_range *r = range_new(test, NULL, 1 << 20, MEMKIT_RANGE_OFFSET, 64);
	struct memkit_oa_handle a, b, c, bad;

	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 4096, 4096, &a), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 100, 1, &b), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 4096, 4096, &c), 0);
	KUNIT_EXPECT_EQ(test, a.offset, 0ULL);
	KUNIT_EXPECT_EQ(test, b.offset, 4096ULL);
	KUNIT_EXPECT_EQ(test, c.offset, 8192ULL);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 0, 1, &bad), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 1, 3, &bad), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 2 << 20, 1, &bad), -ENOSPC);
	KUNIT_EXPECT_EQ(test, bad.node, MEMKIT_OA_NO_NODE);
	range_expect_report(test, r, (1 << 20) - 4096 * 2 - 100, 3);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &b), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &c), 0);
	range_expect_report(test, r, (1 << 20) - 4096, 1);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &a), 0);
	range_expect_report(test, r, 1 << 20, 0);
}

static void range_reserve(struct kunit *test)
{
	struct memkit_range *r = range_new(test, NULL, 1000, MEMKIT_RANGE_OFFSET, 8);
	struct memkit_oa_handle fw, h;

	KUNIT_EXPECT_EQ(test, memkit_range_reserve(r, 100, 50, &fw), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_reserve(r, 120, 50, &h), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_range_reserve(r, 990, 20, &h), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_range_reserve(r, 0, 0, &h), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 101, 1, &h), 0);
	KUNIT_EXPECT_EQ(test, h.offset, 150ULL);
	range_expect_report(test, r, 1000 - 151, 2);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &fw), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &h), 0);
	range_expect_report(test, r, 1000, 0);
}

static void range_bad_free(struct kunit *test)
{
	struct memkit_range *r = range_new(test, NULL, 1000, MEMKIT_RANGE_OFFSET, 8);
	struct memkit_range *other = range_new(test, NULL, 1000, MEMKIT_RANGE_OFFSET, 8);
	struct memkit_oa_handle a, b, foreign;

	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 10, 1, &a), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 10, 1, &b), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(other, 10, 64, &foreign), 0);

	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &a), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &a), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &foreign), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 2U);
	range_expect_report(test, r, 990, 1);
	range_expect_report(test, other, 990, 1);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &b), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(other, &foreign), 0);
}

static void range_dedicated(struct kunit *test)
{
	struct memkit_range *r = range_new(test, NULL, 4096, MEMKIT_RANGE_DEDICATED, 0);
	struct memkit_oa_handle a, b;

	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 4095, 1, &a), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 4097, 1, &a), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 0, 1, &a), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 4096, 3, &a), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 4096, 4096, &a), 0);
	KUNIT_EXPECT_EQ(test, a.offset, 0ULL);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 4096, 1, &b), -ENOSPC);
	KUNIT_EXPECT_EQ(test, b.node, MEMKIT_OA_NO_NODE);
	range_expect_report(test, r, 0, 1);

	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &a), 0);
	range_expect_report(test, r, 4096, 0);
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &a), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 1U);

	/* Free, then allocate again. */
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 4096, 1, &a), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &a), 0);

	/* Reserve works for exactly the whole block only. */
	KUNIT_EXPECT_EQ(test, memkit_range_reserve(r, 1, 4095, &b), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_range_reserve(r, 0, 4095, &b), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_range_reserve(r, 0, 4096, &b), 0);
	range_expect_report(test, r, 0, 1);
	memkit_range_reset(r);
	range_expect_report(test, r, 4096, 0);
}

/* Destroying with live allocations is reported, and nothing leaks. */
static void range_destroy_with_leaks(struct kunit *test)
{
	struct memkit_range *r = range_new(test, "kt-leaky", 1 << 20, MEMKIT_RANGE_OFFSET, 16);
	struct memkit_range *d = range_new(test, NULL, 64, MEMKIT_RANGE_DEDICATED, 0);
	struct memkit_oa_handle h;
	unsigned int i;

	for (i = 0; i < 6; i++)
		KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 1000, 1, &h), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(d, 64, 1, &h), 0);

	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	range_destroy_now(test, r);
	range_destroy_now(test, d);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 2U);

	/* An empty range destroys silently. */
	r = range_new(test, NULL, 100, MEMKIT_RANGE_OFFSET, 4);
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	range_destroy_now(test, r);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 0U);
}

static void range_reset(struct kunit *test)
{
	struct memkit_range *r = range_new(test, NULL, 1000, MEMKIT_RANGE_OFFSET, 8);
	struct memkit_oa_handle h;
	unsigned int i;

	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 100, 1, &h), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 1, 1, &h), -ENOSPC);
	memkit_range_reset(r);
	range_expect_report(test, r, 1000, 0);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 1000, 1, &h), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &h), 0);
}

/*
 * Ranges smaller than the picture: one cell per unit.  Before, a full
 * 1-unit range drew as 63 '.' cells and one '#'.
 */
#define RANGE_FULL_PICTURE	(1 + 64 + 3)

static void range_map_tiny(struct kunit *test)
{
	static const struct {
		u64 size, used;
		enum memkit_range_kind kind;
		const char *want;
	} cases[] = {
		{ 1, 1, MEMKIT_RANGE_OFFSET, "|#|\n" },
		{ 1, 1, MEMKIT_RANGE_DEDICATED, "|#|\n" },
		{ 5, 2, MEMKIT_RANGE_OFFSET, "|##...|\n" },
		{ 64, 64, MEMKIT_RANGE_OFFSET, NULL },
		{ 100, 100, MEMKIT_RANGE_OFFSET, NULL },
	};
	char full[RANGE_FULL_PICTURE];
	struct memkit_kunit_reader *rd;
	struct memkit_oa_handle h;
	unsigned int i;
	char *map;

	memset(full, '#', sizeof(full));
	full[0] = '|';
	strscpy(full + 65, "|\n", 3);
	if (!memkit_kunit_debugfs_mounted())
		kunit_skip(test, "debugfs is not mounted at /sys/kernel/debug");
	rd = memkit_kunit_reader(test);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct memkit_range *r = memkit_range_create("kt-range-dbg", cases[i].size,
							     cases[i].kind, 4);

		KUNIT_ASSERT_FALSE(test, IS_ERR(r));
		KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, cases[i].used, 1, &h), 0);
		KUNIT_EXPECT_GT(test, memkit_kunit_read(rd, KT_RANGE_DIR "/map"), 0);
		map = strchr(rd->buf, '|');
		KUNIT_EXPECT_NOT_NULL(test, map);
		if (map && cases[i].want)
			KUNIT_EXPECT_STREQ_MSG(test, map, cases[i].want, "size %llu",
					       cases[i].size);
		else if (map)	/* A full range is all '#', in 64 cells. */
			KUNIT_EXPECT_STREQ_MSG(test, map, full, "size %llu", cases[i].size);
		memkit_range_free(r, &h);
		memkit_range_destroy(r);
	}
}

/* The debugfs files of a named range show its real state. */
static void range_debugfs_files(struct kunit *test)
{
	struct memkit_range *r = range_new(test, "kt-range-dbg", 6400, MEMKIT_RANGE_OFFSET, 16);
	static const char bin41_row[] =
		"\n  41                  144        1                  145\n";
	struct memkit_kunit_reader *rd;
	struct memkit_oa_handle a, b;
	struct memkit_oa_usage u;
	char *map, line[48];

	if (!memkit_kunit_debugfs_mounted())
		kunit_skip(test, "debugfs is not mounted at /sys/kernel/debug");
	rd = memkit_kunit_reader(test);

	/* Cells of 100 units: the first 10 full, one 55 % used, one gap. */
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 1055, 1, &a), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_reserve(r, 1200, 100, &b), 0);

	KUNIT_ASSERT_GT(test, memkit_kunit_read(rd, KT_RANGE_DIR "/map"), 0);
	map = strchr(rd->buf, '|');
	KUNIT_ASSERT_NOT_NULL(test, map);
	KUNIT_EXPECT_EQ(test, strlen(map), 64 + 3);
	KUNIT_EXPECT_EQ(test, strncmp(map, "|##########5.#...", 17), 0);

	KUNIT_ASSERT_GT(test, memkit_kunit_read(rd, KT_RANGE_DIR "/bins"), 0);
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "size          6400\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "used          1155\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "allocs        2/16\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "free_regions  2\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "largest_free  5100\n"));
	/* The footprint: more than the allocator structure and its node table. */
	memkit_range_report(r, &u);
	KUNIT_EXPECT_GT(test, u.metadata_bytes,
			sizeof(struct memkit_oa) + u.nodes * MEMKIT_OA_NODE_BYTES);
	snprintf(line, sizeof(line), "metadata      %llu bytes\n", u.metadata_bytes);
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, line));
	/* free = 145 + 5100; 1 - 5100/5245 = 0.0276, in thousandths rounded up */
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "fragmentation 0.028\n"));
	/* The 145-unit gap is in bin 41: exponent 5, mantissa 1, from 144. */
	KUNIT_EXPECT_EQ(test, memkit_oa_bin_round_down(145), 41U);
	KUNIT_EXPECT_EQ(test, memkit_oa_bin_size(41), 144ULL);
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, bin41_row));

	KUNIT_ASSERT_GT(test, memkit_kunit_read(rd, "/sys/kernel/debug/memkit/summary"), 0);
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "kt-range-dbg"));
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &a), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &b), 0);
}

struct range_irq_ctx {
	struct irq_work work;
	struct memkit_range *range;
	bool in_hardirq;
	int alloc_ret, free_ret;
	u64 offset;
};

static void range_irq_fn(struct irq_work *work)
{
	struct range_irq_ctx *ctx = container_of(work, struct range_irq_ctx, work);
	struct memkit_oa_handle h;

	ctx->in_hardirq = in_hardirq();
	ctx->alloc_ret = memkit_range_alloc(ctx->range, 64, 64, &h);
	ctx->offset = h.offset;
	ctx->free_ret = ctx->alloc_ret ? 0 : memkit_range_free(ctx->range, &h);
}

/* alloc and free from hard irq context, as a driver's handler would. */
static void range_from_hardirq(struct kunit *test)
{
	struct range_irq_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	struct memkit_oa_handle h;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->range = range_new(test, NULL, 1 << 16, MEMKIT_RANGE_OFFSET, 16);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(ctx->range, 10, 1, &h), 0);
	init_irq_work(&ctx->work, range_irq_fn);
	KUNIT_ASSERT_TRUE(test, irq_work_queue(&ctx->work));
	irq_work_sync(&ctx->work);

	KUNIT_EXPECT_TRUE(test, ctx->in_hardirq);
	KUNIT_EXPECT_EQ(test, ctx->alloc_ret, 0);
	KUNIT_EXPECT_EQ(test, ctx->offset, 64ULL);
	KUNIT_EXPECT_EQ(test, ctx->free_ret, 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(ctx->range, &h), 0);
	range_expect_report(test, ctx->range, 1 << 16, 0);
}

/*
 * A caller-bug report raised in hard irq context while a task expects
 * warnings belongs to no task: it must not be counted as the interrupted
 * task's (it was, when current was all that was checked).  The reporter
 * is called with its once-flag already set, so the uncounted report
 * prints nothing and the run stays untainted.
 */
struct range_warn_ctx {
	struct irq_work work;
	bool in_hardirq;
};

static void range_warn_irq_fn(struct irq_work *work)
{
	struct range_warn_ctx *ctx = container_of(work, struct range_warn_ctx, work);
	bool warned = true;

	ctx->in_hardirq = in_hardirq();
	__memkit_warn(&warned, "raised in hard irq context");
}

static void range_warning_from_hardirq(struct kunit *test)
{
	struct range_warn_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	bool warned = true;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	init_irq_work(&ctx->work, range_warn_irq_fn);
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	/* irq_work_queue() raises the irq on this CPU, over this task. */
	preempt_disable();
	KUNIT_EXPECT_TRUE(test, irq_work_queue(&ctx->work));
	preempt_enable();
	irq_work_sync(&ctx->work);
	__memkit_warn(&warned, "raised by the expecting task");
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 1U);
	KUNIT_EXPECT_TRUE(test, ctx->in_hardirq);
}

/* The figure a walk line gives: "longest with interrupts off N us". */
static u64 range_longest_hold_us(const char *buf)
{
	const char *p = strstr(buf, "longest with interrupts off ");
	unsigned long long us;

	if (!p || sscanf(p, "longest with interrupts off %llu us", &us) != 1)
		return U64_MAX;
	return us;
}

/*
 * Read a file of the 1 Mi-region range, timed: 1025 chunks, no restart.
 * Returns the longest hold it reports, in microseconds.
 */
static u64 range_read_walked(struct kunit *test, struct memkit_kunit_reader *rd,
			     const char *path, u64 *ns)
{
	u64 hold;

	*ns = ktime_get_ns();
	KUNIT_EXPECT_GT(test, memkit_kunit_read(rd, path), 0);
	*ns = ktime_get_ns() - *ns;
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "walked in 1025 chunks of up to 1024 regions"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, " 0 restarts;"));
	hold = range_longest_hold_us(rd->buf);
	KUNIT_EXPECT_NE(test, hold, U64_MAX);
	return hold;
}

/*
 * A range with 1 Mi regions (512 Ki allocations, every other one freed):
 * reset and the debugfs walks keep interrupts off for bounded work.  The
 * times are logged (TCG time: compare them with each other, not with
 * hardware), the chunking asserted.  Before, reading map walked all 1 Mi
 * regions in one hold of the lock, and reset touched all 2 Mi nodes.
 */
static void range_million_regions(struct kunit *test)
{
	const u32 n = 1 << 20;
	struct memkit_range *r = range_new(test, "kt-range-dbg", 2ULL * n, MEMKIT_RANGE_OFFSET, n);
	struct memkit_oa_handle *h = kvcalloc(n, sizeof(*h), GFP_KERNEL);
	struct memkit_kunit_reader *rd;
	u64 t_map, t_bins, t_reset, hold_map, hold_bins;
	unsigned long flags;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, h);
	if (!memkit_kunit_debugfs_mounted())
		kunit_skip(test, "debugfs is not mounted at /sys/kernel/debug");
	rd = memkit_kunit_reader(test);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, memkit_range_alloc(r, 1, 1, &h[i]), 0);
	for (i = 0; i < n; i += 2)
		KUNIT_ASSERT_EQ(test, memkit_range_free(r, &h[i]), 0);

	hold_map = range_read_walked(test, rd, KT_RANGE_DIR "/map", &t_map);
	hold_bins = range_read_walked(test, rd, KT_RANGE_DIR "/bins", &t_bins);
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "free_regions  524289\n"));

	local_irq_save(flags);
	t_reset = ktime_get_ns();
	memkit_range_reset(r);
	t_reset = ktime_get_ns() - t_reset;
	local_irq_restore(flags);
	KUNIT_EXPECT_EQ(test, memkit_range_check(r), 0);
	kunit_info(test, "1 Mi regions: map read %llu us (longest irq-off chunk %llu us), bins read %llu us (longest %llu us), reset %llu us\n",
		   div_u64(t_map, 1000), hold_map, div_u64(t_bins, 1000), hold_bins,
		   div_u64(t_reset, 1000));
	kvfree(h);
}

#define RANGE_THREADS		4
#define RANGE_THREAD_LIVE	64
#define RANGE_CONC_SIZE		BIT(20)

/*
 * Which units the threads' live allocations cover, kept by the test: an
 * allocation must find its units unclaimed, and gives them up before it
 * is freed, so two live allocations that overlap (of one thread or two)
 * are caught.  Word-wise under a test-side lock: O(size / BITS_PER_LONG).
 */
struct range_claims {
	spinlock_t lock;	/* guards @map */
	unsigned long *map;
};

static bool range_claim(struct range_claims *c, u64 offset, u64 size)
{
	bool free;

	spin_lock(&c->lock);
	free = find_next_bit(c->map, offset + size, offset) >= offset + size;
	if (free)
		bitmap_set(c->map, offset, size);
	spin_unlock(&c->lock);
	return free;
}

static void range_unclaim(struct range_claims *c, u64 offset, u64 size)
{
	spin_lock(&c->lock);
	bitmap_clear(c->map, offset, size);
	spin_unlock(&c->lock);
}

struct range_thread {
	struct memkit_range *range;
	struct range_claims *claims;
	u64 size[RANGE_THREAD_LIVE];
	struct completion done;
	unsigned long deadline;
	u64 seed;
	u32 ops, allocs, nospc, errors, overlaps;
	struct memkit_oa_handle live[RANGE_THREAD_LIVE];
};

static int range_thread_fn(void *arg)
{
	struct range_thread *t = arg;
	struct memkit_oa_handle *live = t->live;
	struct rnd_state rs;
	u32 n = 0;

	prandom_seed_state(&rs, t->seed);
	while (time_before(jiffies, t->deadline)) {
		u32 r = prandom_u32_state(&rs);

		if (n && (r % 2 || n == RANGE_THREAD_LIVE)) {
			u32 v = prandom_u32_state(&rs) % n;

			range_unclaim(t->claims, live[v].offset, t->size[v]);
			if (memkit_range_free(t->range, &live[v]))
				t->errors++;
			n--;
			live[v] = live[n];
			t->size[v] = t->size[n];
		} else {
			u64 size = 1 + prandom_u32_state(&rs) % 4096;
			u64 align = 1ULL << (prandom_u32_state(&rs) % 8);
			int ret = memkit_range_alloc(t->range, size, align, &live[n]);

			if (!ret) {
				/* Inside the range, and on units no live allocation has. */
				if (live[n].offset + size > RANGE_CONC_SIZE ||
				    !range_claim(t->claims, live[n].offset, size)) {
					t->overlaps++;
					memkit_range_free(t->range, &live[n]);
					continue;
				}
				t->size[n++] = size;
				t->allocs++;
			} else if (ret == -ENOSPC) {
				t->nospc++;
			} else {
				t->errors++;
			}
		}
		if (++t->ops % 256 == 0)
			cond_resched();
	}
	while (n) {
		n--;
		range_unclaim(t->claims, live[n].offset, t->size[n]);
		if (memkit_range_free(t->range, &live[n]))
			t->errors++;
	}
	complete(&t->done);
	return 0;
}

/*
 * 4 threads hammer one range; no two live allocations ever overlap, and
 * afterwards the range is whole and consistent.
 */
static void range_concurrent(struct kunit *test)
{
	struct memkit_range *r = range_new(test, NULL, RANGE_CONC_SIZE, MEMKIT_RANGE_OFFSET,
					   RANGE_THREADS * RANGE_THREAD_LIVE);
	struct range_claims claims;
	struct range_thread *t;
	struct memkit_oa_usage rep;
	u32 i, ops = 0;

	spin_lock_init(&claims.lock);
	claims.map = kunit_kzalloc(test, BITS_TO_LONGS(RANGE_CONC_SIZE) * sizeof(long),
				   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, claims.map);
	t = kunit_kcalloc(test, RANGE_THREADS, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	for (i = 0; i < RANGE_THREADS; i++) {
		struct task_struct *task;

		t[i].range = r;
		t[i].claims = &claims;
		t[i].seed = range_seed + i;
		t[i].deadline = jiffies + 2 * HZ;
		init_completion(&t[i].done);
		task = kthread_run(range_thread_fn, &t[i], "memkit-kt-%u", i);
		if (IS_ERR(task))
			complete(&t[i].done);
		KUNIT_EXPECT_FALSE(test, IS_ERR(task));
	}
	for (i = 0; i < RANGE_THREADS; i++) {
		wait_for_completion(&t[i].done);
		KUNIT_EXPECT_EQ(test, t[i].errors, 0U);
		KUNIT_EXPECT_EQ_MSG(test, t[i].overlaps, 0U, "thread %u: allocations overlap", i);
		ops += t[i].ops;
	}
	kunit_info(test, "%u threads, %u operations in 2 s, seed %llu\n",
		   RANGE_THREADS, ops, range_seed);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(claims.map, RANGE_CONC_SIZE));
	KUNIT_EXPECT_GT(test, ops, 0U);
	memkit_range_report(r, &rep);
	KUNIT_EXPECT_EQ(test, rep.allocs, 0U);
	KUNIT_EXPECT_EQ(test, rep.free_regions, 1U);
	KUNIT_EXPECT_EQ(test, rep.largest_free, 1ULL << 20);
	KUNIT_EXPECT_EQ(test, memkit_range_check(r), 0);
}

static int range_suite_init(struct kunit_suite *suite)
{
	range_seed = memkit_kunit_seed(suite);
	return 0;
}

/* A range from a config, destroyed at the end of the test. */
static struct memkit_range *range_new_cfg(struct kunit *test,
					  const struct memkit_range_config *cfg)
{
	struct memkit_range *r = memkit_range_create_config(cfg);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, range_destroy_action, r), 0);
	return r;
}

/* A range with placement, best fit included: every mode works. */
static struct memkit_range *range_new_place(struct kunit *test, const char *name,
					    u64 size, u64 guard)
{
	struct memkit_range_config cfg = {
		.name = name, .size = size, .initial_allocs = 64, .max_allocs = 64,
		.flags = MEMKIT_RANGE_PLACE | MEMKIT_RANGE_BEST_FIT, .color_guard = guard,
	};

	return range_new_cfg(test, &cfg);
}

static u64 range_place_at(struct kunit *test, struct memkit_range *r, u64 size, u64 align,
			  u64 start, u64 end, enum memkit_oa_mode mode, u32 color)
{
	struct memkit_oa_req req = {
		.size = size, .align = align, .start = start, .end = end,
		.mode = mode, .color = color,
	};
	struct memkit_oa_handle h;
	int ret = memkit_range_alloc_in(r, &req, &h);

	if (ret)
		return ret == -ENOSPC ? U64_MAX : U64_MAX - 1;
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &h), 0);
	return h.offset;
}

/*
 * Best fit in a window, with many more regions of the size outside it than
 * the size-ordered walk takes alone (OA_BEST_ALONE): 200 holes of 40 units
 * below the window [20000, 30000), and in it 300 at 21000, 100 at 25000
 * and 100 at 27000.  The walk through the window decides, and must give
 * the smallest that fits, the lowest of equals, or -ENOSPC.
 */
static void range_place_best_window_crowded(struct kunit *test)
{
	static const u64 used[][2] = {
		{ 16000, 5000 }, { 21300, 3700 }, { 25100, 1900 }, { 27100, 2900 },
	};
	struct memkit_range_config cfg = {
		.size = 30000, .initial_allocs = 256, .max_allocs = 256,
		.flags = MEMKIT_RANGE_PLACE | MEMKIT_RANGE_BEST_FIT,
	};
	struct memkit_range *r = range_new_cfg(test, &cfg);
	struct memkit_oa_handle *h = kunit_kcalloc(test, 204, sizeof(*h), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, h);
	for (i = 0; i < 200; i++)
		KUNIT_ASSERT_EQ(test, memkit_range_reserve(r, i * 80 + 40, 40, &h[i]), 0);
	for (i = 0; i < ARRAY_SIZE(used); i++)
		KUNIT_ASSERT_EQ(test, memkit_range_reserve(r, used[i][0], used[i][1], &h[200 + i]),
				0);

	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 30, 1, 20000, 0, MEMKIT_OA_BEST, 0),
			25000ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 100, 1, 20000, 0, MEMKIT_OA_BEST, 0),
			25000ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 101, 1, 20000, 0, MEMKIT_OA_BEST, 0),
			21000ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 30, 1, 25050, 0, MEMKIT_OA_BEST, 0),
			25050ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 301, 1, 20000, 0, MEMKIT_OA_BEST, 0),
			U64_MAX);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 30, 1, 21300, 25000, MEMKIT_OA_BEST, 0),
			U64_MAX);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 30, 1, 0, 0, MEMKIT_OA_BEST, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 30, 1, 20000, 0, MEMKIT_OA_LOW, 0),
			21000ULL);
	range_expect_report(test, r, 200 * 40 + 500, 204);
	for (i = 0; i < 204; i++)
		KUNIT_EXPECT_EQ(test, memkit_range_free(r, &h[i]), 0);
	range_expect_report(test, r, 30000, 0);
}

/*
 * Placement without best fit: the same holes as range_place_modes() on a
 * range by address only.  LOW, HIGH and FAST give the same answers; BEST
 * and a scan for it are refused with nothing changed; best fit without
 * placement is refused at create; and the range's memory is less by the
 * size index exactly: an rb_node per node and a tree root per bin.
 */
static void range_place_without_best_fit(struct kunit *test)
{
	struct memkit_range_config cfg = {
		.name = "kt-range-addr", .size = 1000, .initial_allocs = 64, .max_allocs = 64,
		.flags = MEMKIT_RANGE_PLACE,
	};
	static const struct { u64 size, start, end; enum memkit_oa_mode mode; u64 at; } cases[] = {
		{ 20, 0, 0, MEMKIT_OA_LOW, 100 },	{ 20, 0, 0, MEMKIT_OA_HIGH, 980 },
		{ 20, 0, 250, MEMKIT_OA_HIGH, 130 },	{ 51, 0, 250, MEMKIT_OA_LOW, U64_MAX },
		{ 60, 0, 700, MEMKIT_OA_FAST, 500 },	{ 100, 850, 0, MEMKIT_OA_LOW, 900 },
	};
	static const u64 used[][2] = { { 0, 100 }, { 150, 150 }, { 320, 180 }, { 600, 300 } };
	struct memkit_range *r[2], *bad;
	struct memkit_oa_usage u[2], after;
	struct memkit_oa_req req = { .size = 20, .align = 1, .mode = MEMKIT_OA_BEST };
	struct memkit_oa_handle h, fill[2][4];
	struct memkit_oa_scan scan;
	unsigned int i, k;

	r[0] = range_new_cfg(test, &cfg);
	r[1] = range_new_place(test, NULL, 1000, 0);
	for (k = 0; k < 2; k++) {
		for (i = 0; i < ARRAY_SIZE(used); i++)
			KUNIT_ASSERT_EQ(test, memkit_range_reserve(r[k], used[i][0], used[i][1],
								   &fill[k][i]), 0);
		for (i = 0; i < ARRAY_SIZE(cases); i++)
			KUNIT_EXPECT_EQ_MSG(test, range_place_at(test, r[k], cases[i].size, 1,
								 cases[i].start, cases[i].end,
								 cases[i].mode, 0),
					    cases[i].at, "case %u, best fit %u", i, k);
		memkit_range_report(r[k], &u[k]);
	}

	KUNIT_EXPECT_EQ(test, memkit_range_alloc_in(r[0], &req, &h), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, h.node, MEMKIT_OA_NO_NODE);
	KUNIT_EXPECT_EQ(test, memkit_range_scan_init(r[0], &scan, &req), -EOPNOTSUPP);
	memkit_range_report(r[0], &after);
	KUNIT_EXPECT_EQ(test, memcmp(&after, &u[0], sizeof(after)), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_check(r[0]), 0);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r[1], 20, 1, 0, 0, MEMKIT_OA_BEST, 0), 300ULL);
	if (memkit_kunit_debugfs_mounted()) {
		struct memkit_kunit_reader *rd = memkit_kunit_reader(test);

		KUNIT_ASSERT_GT(test, memkit_kunit_read(rd, KT_MEMKIT_DIR "/kt-range-addr/place"),
				0);
		KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "placement index on, best fit off"));
	}

	/* The rb_node may carry padding up to the alignment of a u64. */
	KUNIT_EXPECT_EQ(test, u[0].nodes, u[1].nodes);
	KUNIT_EXPECT_GE(test, u[1].metadata_bytes - u[0].metadata_bytes,
			(u64)u[0].nodes * sizeof(struct rb_node) +
			MEMKIT_OA_NUM_BINS * sizeof(struct rb_root));
	KUNIT_EXPECT_LT(test, u[1].metadata_bytes - u[0].metadata_bytes,
			(u64)u[0].nodes * (sizeof(struct rb_node) + sizeof(u64)) +
			MEMKIT_OA_NUM_BINS * sizeof(struct rb_root));

	cfg.name = NULL;
	cfg.flags = MEMKIT_RANGE_BEST_FIT;
	bad = memkit_range_create_config(&cfg);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(bad), -EINVAL);
	if (!IS_ERR(bad))
		memkit_range_destroy(bad);
	for (k = 0; k < 2; k++)
		for (i = 0; i < ARRAY_SIZE(used); i++)
			KUNIT_EXPECT_EQ(test, memkit_range_free(r[k], &fill[k][i]), 0);
}

/*
 * Holes of 50 at 100, 20 at 300, 100 at 500 and 100 at 900: every mode
 * must give its one right answer, in the whole range and in windows,
 * with windows that cut holes, with a window of exactly the size and
 * allocations touching both its ends, and with alignments that are not
 * powers of two.
 */
static void range_place_modes(struct kunit *test)
{
	struct memkit_range *r = range_new_place(test, NULL, 1000, 0);
	struct memkit_oa_handle fill[4];
	unsigned int i;
	u64 at;

	KUNIT_ASSERT_EQ(test, memkit_range_reserve(r, 0, 100, &fill[0]), 0);
	KUNIT_ASSERT_EQ(test, memkit_range_reserve(r, 150, 150, &fill[1]), 0);
	KUNIT_ASSERT_EQ(test, memkit_range_reserve(r, 320, 180, &fill[2]), 0);
	KUNIT_ASSERT_EQ(test, memkit_range_reserve(r, 600, 300, &fill[3]), 0);

	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 20, 1, 0, 0, MEMKIT_OA_LOW, 0), 100ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 20, 1, 0, 0, MEMKIT_OA_HIGH, 0), 980ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 20, 1, 0, 0, MEMKIT_OA_BEST, 0), 300ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 21, 1, 0, 0, MEMKIT_OA_BEST, 0), 100ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 51, 1, 0, 0, MEMKIT_OA_BEST, 0), 500ULL);
	/* FAST: anywhere it fits. */
	at = range_place_at(test, r, 60, 1, 0, 0, MEMKIT_OA_FAST, 0);
	KUNIT_EXPECT_TRUE(test, at == 500 || at == 900);
	at = range_place_at(test, r, 60, 1, 0, 700, MEMKIT_OA_FAST, 0);
	KUNIT_EXPECT_EQ(test, at, 500ULL);

	/* A CPU-visible window of the first quarter. */
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 20, 1, 0, 250, MEMKIT_OA_HIGH, 0), 130ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 51, 1, 0, 250, MEMKIT_OA_LOW, 0), U64_MAX);
	/* Windows that cut holes: [550, 950) leaves 50 of each big one. */
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 20, 1, 550, 950, MEMKIT_OA_LOW, 0), 550ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 20, 1, 550, 950, MEMKIT_OA_HIGH, 0), 930ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 20, 1, 550, 950, MEMKIT_OA_BEST, 0), 550ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 51, 1, 550, 950, MEMKIT_OA_FAST, 0), U64_MAX);
	/* Exactly the size: touching start and end; one unit off, no room. */
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 20, 1, 300, 320, MEMKIT_OA_LOW, 0), 300ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 20, 1, 300, 320, MEMKIT_OA_HIGH, 0), 300ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 20, 1, 301, 321, MEMKIT_OA_FAST, 0), U64_MAX);
	at = range_place_at(test, r, 100, 1, 900, 1000, MEMKIT_OA_BEST, 0);
	KUNIT_EXPECT_EQ(test, at, 900ULL);
	/* Alignments that are not powers of two: 3 and 6. */
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 20, 3, 0, 0, MEMKIT_OA_LOW, 0), 102ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 20, 6, 0, 0, MEMKIT_OA_HIGH, 0), 978ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 20, 7, 300, 0, MEMKIT_OA_BEST, 0), 504ULL);
	/* 48 fits [100, 150) only at 100 to 102; aligned to 7 it cannot. */
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 48, 7, 0, 250, MEMKIT_OA_LOW, 0), U64_MAX);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 48, 2, 0, 250, MEMKIT_OA_LOW, 0), 100ULL);

	range_expect_report(test, r, 270, 4);
	for (i = 0; i < ARRAY_SIZE(fill); i++)
		KUNIT_EXPECT_EQ(test, memkit_range_free(r, &fill[i]), 0);
	range_expect_report(test, r, 1000, 0);
}

/* Each bad request: -EINVAL, and the range as it was. */
static void range_place_bad_input(struct kunit *test)
{
	static const struct memkit_oa_req bad[] = {
		{ .size = 0, .align = 1 },
		{ .size = 10, .align = 0 },
		{ .size = 10, .align = 1, .start = 500, .end = 500 },
		{ .size = 10, .align = 1, .start = 600, .end = 500 },
		{ .size = 10, .align = 1, .start = 990, .end = 1001 },
		{ .size = 10, .align = 1, .start = 1000 },
		{ .size = 11, .align = 1, .start = 100, .end = 110 },
		{ .size = 10, .align = 11, .start = 100, .end = 110 },
		{ .size = 10, .align = 1, .mode = MEMKIT_OA_NR_MODES },
		{ .size = 10, .align = 1, .mode = (enum memkit_oa_mode)-1 },
	};
	struct memkit_range *r = range_new_place(test, NULL, 1000, 0);
	struct memkit_range *plain = range_new(test, NULL, 1000, MEMKIT_RANGE_OFFSET, 4);
	struct memkit_oa_req ok = { .size = 10, .align = 1 };
	struct memkit_oa_scan scan;
	struct memkit_oa_handle h;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, memkit_range_alloc_in(r, &bad[i], &h), -EINVAL,
				    "request %u", i);
		KUNIT_EXPECT_EQ(test, h.node, MEMKIT_OA_NO_NODE);
		KUNIT_EXPECT_EQ_MSG(test, memkit_range_scan_init(r, &scan, &bad[i]), -EINVAL,
				    "scan of request %u", i);
	}
	range_expect_report(test, r, 1000, 0);
	/* A range that did not ask for placement says so. */
	KUNIT_EXPECT_EQ(test, memkit_range_alloc_in(plain, &ok, &h), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, memkit_range_scan_init(plain, &scan, &ok), -EOPNOTSUPP);
	range_expect_report(test, plain, 1000, 0);
	/* The window of exactly the range, and its end given as 0, are fine. */
	ok.end = 1000;
	KUNIT_EXPECT_EQ(test, memkit_range_alloc_in(r, &ok, &h), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &h), 0);
}

/*
 * A guard of 10 between colours: a neighbour of another colour is kept
 * 10 away, one of the same colour is not; plain allocations and
 * reservations are colour 0; a growing resize keeps the guard too.
 */
static void range_place_colors(struct kunit *test)
{
	struct memkit_range *r = range_new_place(test, NULL, 1000, 10);
	struct memkit_oa_req req = { .size = 100, .align = 1, .mode = MEMKIT_OA_LOW };
	struct memkit_oa_handle h[6], res;
	unsigned long flags;
	u32 color;

	req.color = 1;
	KUNIT_ASSERT_EQ(test, memkit_range_alloc_in(r, &req, &h[0]), 0);
	KUNIT_EXPECT_EQ(test, h[0].offset, 0ULL);
	req.color = 2;
	KUNIT_ASSERT_EQ(test, memkit_range_alloc_in(r, &req, &h[1]), 0);
	KUNIT_EXPECT_EQ(test, h[1].offset, 110ULL);
	KUNIT_ASSERT_EQ(test, memkit_range_alloc_in(r, &req, &h[2]), 0);
	KUNIT_EXPECT_EQ(test, h[2].offset, 210ULL);
	req.color = 1;
	KUNIT_ASSERT_EQ(test, memkit_range_alloc_in(r, &req, &h[3]), 0);
	KUNIT_EXPECT_EQ(test, h[3].offset, 320ULL);
	flags = memkit_range_lock(r);
	KUNIT_EXPECT_EQ(test, memkit_oa_color(memkit_range_oa_locked(r), &h[3], &color), 0);
	memkit_range_unlock(r, flags);
	KUNIT_EXPECT_EQ(test, color, 1U);
	/* Top-down against the range's end: no guard there. */
	req.mode = MEMKIT_OA_HIGH;
	req.color = 3;
	KUNIT_ASSERT_EQ(test, memkit_range_alloc_in(r, &req, &h[4]), 0);
	KUNIT_EXPECT_EQ(test, h[4].offset, 900ULL);
	/* Colour 0 next to colour 1 at [320, 420): 430 is the first unit allowed. */
	KUNIT_EXPECT_EQ(test, memkit_range_reserve(r, 425, 10, &res), -ENOSPC);
	KUNIT_ASSERT_EQ(test, memkit_range_reserve(r, 430, 10, &res), 0);
	/*
	 * A plain allocation is colour 0: against the reservation (same
	 * colour) but 10 short of [900, 1000) of colour 3.
	 */
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 451, 1, &h[5]), -ENOSPC);
	KUNIT_ASSERT_EQ(test, memkit_range_alloc(r, 440, 1, &h[5]), 0);
	KUNIT_EXPECT_EQ(test, h[5].offset, 440ULL);
	/* [320, 420) of colour 1 may grow by 0 to 10 minus the guard only: not at all. */
	KUNIT_EXPECT_EQ(test, memkit_range_resize(r, &h[3], 101), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &res), 0);
	/* Now the next neighbour is [440, 880) of colour 0: 10 of the 20 free may go. */
	KUNIT_EXPECT_EQ(test, memkit_range_resize(r, &h[3], 111), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_range_resize(r, &h[3], 110), 0);
	/*
	 * [880, 900) lies between colours 0 and 3: colour 0 may start at
	 * 880, colour 3 at 890, any other colour nowhere.
	 */
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 1, 1, 800, 0, MEMKIT_OA_LOW, 0), 880ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 1, 1, 800, 0, MEMKIT_OA_HIGH, 0), 889ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 1, 1, 800, 0, MEMKIT_OA_LOW, 3), 890ULL);
	KUNIT_EXPECT_EQ(test, range_place_at(test, r, 1, 1, 800, 0, MEMKIT_OA_BEST, 5), U64_MAX);
	for (color = 0; color < ARRAY_SIZE(h); color++)
		KUNIT_EXPECT_EQ(test, memkit_range_free(r, &h[color]), 0);
	range_expect_report(test, r, 1000, 0);
}

/*
 * The eviction round trip: a full range of ten 100-unit allocations, fed
 * in the driver's LRU order; the scan says "enough" as soon as a hole
 * opens, names exactly the candidates inside it, and the allocation made
 * after evicting those lands where the scan promised.  Bottom-up and
 * top-down, inside a window, and with a guard between colours.
 */
static void range_place_evict_one(struct kunit *test, struct memkit_range *r,
				  const struct memkit_oa_req *req, const u8 *lru, u32 n,
				  u32 fed_expect, u64 hit_expect, const u8 *evict_expect)
{
	struct memkit_oa_handle h[10], got;
	struct memkit_oa_scan scan;
	unsigned long flags;
	u64 hs, he;
	u32 i, fed = 0;
	int ret = 0;

	for (i = 0; i < 10; i++) {
		struct memkit_oa_req one = {
			.size = 100, .align = 1, .start = 100 * i, .end = 100 * (i + 1),
		};

		KUNIT_ASSERT_EQ(test, memkit_range_alloc_in(r, &one, &h[i]), 0);
	}
	KUNIT_ASSERT_EQ(test, memkit_range_alloc_in(r, req, &got), -ENOSPC);

	/* Under the lock throughout, as a driver walking its LRU does. */
	flags = memkit_range_lock(r);
	KUNIT_ASSERT_EQ(test, memkit_range_scan_init_locked(r, &scan, req), 0);
	for (i = 0; i < n && ret == 0; i++, fed++)
		ret = memkit_range_scan_add_locked(r, &scan, &h[lru[i]]);
	KUNIT_EXPECT_EQ(test, ret, 1);
	KUNIT_EXPECT_EQ(test, fed, fed_expect);
	memkit_oa_scan_hole(&scan, &hs, &he);
	KUNIT_EXPECT_EQ(test, hs, hit_expect);
	KUNIT_EXPECT_EQ(test, he, hit_expect + req->size);
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ_MSG(test, memkit_range_scan_evict_locked(r, &scan, &h[i]),
				    (int)evict_expect[i], "allocation %u", i);
	memkit_range_unlock(r, flags);

	for (i = 0; i < 10; i++)
		if (evict_expect[i])
			KUNIT_EXPECT_EQ(test, memkit_range_free(r, &h[i]), 0);
	KUNIT_ASSERT_EQ(test, memkit_range_alloc_in(r, req, &got), 0);
	KUNIT_EXPECT_EQ(test, got.offset, hit_expect);
	KUNIT_EXPECT_EQ(test, memkit_range_check(r), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &got), 0);
	for (i = 0; i < 10; i++)
		if (!evict_expect[i])
			KUNIT_EXPECT_EQ(test, memkit_range_free(r, &h[i]), 0);
	range_expect_report(test, r, 1000, 0);
}

static void range_place_evict(struct kunit *test)
{
	static const u8 lru[] = { 5, 2, 6, 7, 0, 1, 3, 4, 8, 9 };
	/* 150 units: 5 and 2 are apart; 5 and 6 together make [500, 700). */
	static const u8 ev_low[10] = { [5] = 1, [6] = 1 };
	static const u8 ev_high[10] = { [5] = 1, [6] = 1 };
	/* In [0, 400) only 2 of the first three is inside: then 0 and 1. */
	static const u8 ev_win[10] = { [0] = 1, [1] = 1 };
	/* Colour 1 among colour 0: 10 off each kept neighbour, at 510. */
	static const u8 ev_guard[10] = { [5] = 1, [6] = 1 };
	struct memkit_range *r = range_new_place(test, NULL, 1000, 0);
	struct memkit_range *g = range_new_place(test, NULL, 1000, 10);
	struct memkit_oa_req req = { .size = 150, .align = 1, .mode = MEMKIT_OA_LOW };

	range_place_evict_one(test, r, &req, lru, 10, 3, 500, ev_low);
	req.mode = MEMKIT_OA_HIGH;
	range_place_evict_one(test, r, &req, lru, 10, 3, 550, ev_high);
	req.mode = MEMKIT_OA_BEST;
	req.end = 400;
	range_place_evict_one(test, r, &req, lru, 10, 6, 0, ev_win);
	/*
	 * With the guard, colour 1 among colour 0: the span [500, 700) of 5
	 * and 6 holds [510, 690), room enough; both are within the guard of
	 * the placement, so both go.
	 */
	req.mode = MEMKIT_OA_LOW;
	req.end = 0;
	req.color = 1;
	range_place_evict_one(test, g, &req, lru, 10, 3, 510, ev_guard);
}

/*
 * The scan's misuse: a candidate fed twice, a handle of another range, a
 * scan of another range, a change of the range mid-scan, and a scan left
 * half-way, which must leave nothing behind.
 */
static void range_place_scan_misuse(struct kunit *test)
{
	struct memkit_range *r = range_new_place(test, NULL, 1000, 0);
	struct memkit_range *other = range_new_place(test, NULL, 1000, 0);
	struct memkit_oa_req req = { .size = 300, .align = 1, .mode = MEMKIT_OA_LOW };
	struct memkit_oa_handle h[10], foreign;
	struct memkit_oa_scan scan, scan2;
	u32 i;

	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_EQ(test, memkit_range_alloc(r, 100, 1, &h[i]), 0);
	KUNIT_ASSERT_EQ(test, memkit_range_alloc(other, 100, 1, &foreign), 0);
	foreign.gen ^= 1;	/* not even the other range's own handle any more */

	KUNIT_ASSERT_EQ(test, memkit_range_scan_init(r, &scan, &req), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_scan_add(r, &scan, &h[3]), 0);
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_scan_add(r, &scan, &h[3]), -EEXIST);
	KUNIT_EXPECT_EQ(test, memkit_range_scan_add(r, &scan, &foreign), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 2U);
	/* The scan belongs to r. */
	KUNIT_EXPECT_EQ(test, memkit_range_scan_add(other, &scan, &h[4]), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_range_scan_evict(other, &scan, &h[3]), -EINVAL);
	/* Abandoned half-way: the range is whole, and a new scan starts afresh. */
	KUNIT_EXPECT_EQ(test, memkit_range_check(r), 0);
	KUNIT_ASSERT_EQ(test, memkit_range_scan_init(r, &scan2, &req), 0);
	/* 3 again is new to this scan; the first one is over. */
	KUNIT_EXPECT_EQ(test, memkit_range_scan_add(r, &scan2, &h[3]), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_scan_add(r, &scan2, &h[4]), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_scan_add(r, &scan2, &h[5]), 1);
	KUNIT_EXPECT_EQ(test, memkit_range_scan_add(r, &scan2, &h[6]), -EBUSY);
	/* A change ends it: its answers could be wrong now. */
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &h[9]), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_scan_evict(r, &scan2, &h[3]), -ESTALE);
	KUNIT_EXPECT_EQ(test, memkit_range_scan_add(r, &scan2, &h[7]), -ESTALE);
	KUNIT_EXPECT_EQ(test, memkit_range_scan_add(r, &scan, &h[7]), -ESTALE);
	for (i = 0; i < 9; i++)
		KUNIT_EXPECT_EQ(test, memkit_range_free(r, &h[i]), 0);
	foreign.gen ^= 1;
	KUNIT_EXPECT_EQ(test, memkit_range_free(other, &foreign), 0);
	range_expect_report(test, r, 1000, 0);
}

/* debugfs: the mode counts, the last window, the scans and the colours. */
static void range_place_debugfs(struct kunit *test)
{
	static const char best_row[] = "best                      1                    0\n";
	static const char high_row[] = "high                      1                    1\n";
	static const char colors[] =
		"|z.....................7777777777................................|";
	struct memkit_range *r = range_new_place(test, "kt-range-place", 6400, 0);
	struct memkit_oa_req req = {
		.size = 1000, .align = 1, .end = 3200, .mode = MEMKIT_OA_HIGH, .color = 7,
	};
	struct memkit_kunit_reader *rd;
	struct memkit_oa_handle a, b;
	struct memkit_oa_scan scan;
	char *row;

	if (!memkit_kunit_debugfs_mounted())
		kunit_skip(test, "debugfs is not mounted at /sys/kernel/debug");
	rd = memkit_kunit_reader(test);
	KUNIT_ASSERT_EQ(test, memkit_range_alloc_in(r, &req, &a), 0);
	KUNIT_EXPECT_EQ(test, a.offset, 2200ULL);
	req.size = 5000;
	KUNIT_EXPECT_EQ(test, memkit_range_alloc_in(r, &req, &b), -EINVAL);
	req.size = 3000;
	KUNIT_EXPECT_EQ(test, memkit_range_alloc_in(r, &req, &b), -ENOSPC);
	KUNIT_ASSERT_EQ(test, memkit_range_scan_init(r, &scan, &req), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_scan_add(r, &scan, &a), 1);
	req.mode = MEMKIT_OA_BEST;
	req.end = 0;
	req.color = 35;
	req.size = 100;
	KUNIT_ASSERT_EQ(test, memkit_range_alloc_in(r, &req, &b), 0);
	KUNIT_EXPECT_EQ(test, b.offset, 0ULL);

	KUNIT_ASSERT_GT(test, memkit_kunit_read(rd, KT_MEMKIT_DIR "/kt-range-place/place"), 0);
	KUNIT_EXPECT_NOT_NULL(test,
			      strstr(rd->buf, "placement index on, best fit on, guard 0 units"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "last window [0, 6400)\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, best_row));
	/* The -EINVAL is not a search that failed: only the -ENOSPC is. */
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, high_row));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "eviction scans 1, found a hole 1\n"));

	/* Cells of 100 units: colour z at cell 0, colour 7 over cells 22 to 31. */
	KUNIT_ASSERT_GT(test, memkit_kunit_read(rd, KT_MEMKIT_DIR "/kt-range-place/map"), 0);
	row = strstr(rd->buf, "|\n|");
	KUNIT_ASSERT_NOT_NULL(test, row);
	KUNIT_EXPECT_EQ(test, strncmp(row + 2, colors, strlen(colors)), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &a), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &b), 0);
}

/*
 * The reproducer: alloc(10), free, alloc(500) gets the same node and
 * offset; the first handle, freed again, used to free the new allocation.
 * Now it is refused, with a warning, and the new allocation lives on.
 * Likewise for a handle from before a reset, and for the dedicated kind.
 */
static void range_stale_handle_refused(struct kunit *test)
{
	struct memkit_range *r = range_new(test, NULL, 1 << 16, MEMKIT_RANGE_OFFSET, 16);
	struct memkit_range *d = range_new(test, NULL, 100, MEMKIT_RANGE_DEDICATED, 0);
	struct memkit_oa_handle old, cur, pre_reset, d_old, d_cur;

	KUNIT_ASSERT_EQ(test, memkit_range_alloc(r, 10, 1, &old), 0);
	KUNIT_ASSERT_EQ(test, memkit_range_free(r, &old), 0);
	KUNIT_ASSERT_EQ(test, memkit_range_alloc(r, 500, 1, &cur), 0);
	/* The aliasing case: same node, same offset. */
	KUNIT_EXPECT_EQ(test, cur.node, old.node);
	KUNIT_EXPECT_EQ(test, cur.offset, old.offset);
	KUNIT_EXPECT_NE(test, cur.gen, old.gen);

	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &old), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_range_resize(r, &old, 20), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 2U);
	range_expect_report(test, r, (1 << 16) - 500, 1);

	/* A handle from before a reset, whose node holds an allocation again. */
	pre_reset = cur;
	memkit_range_reset(r);
	KUNIT_ASSERT_EQ(test, memkit_range_alloc(r, 500, 1, &cur), 0);
	KUNIT_EXPECT_EQ(test, cur.node, pre_reset.node);
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &pre_reset), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 1U);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &cur), 0);
	range_expect_report(test, r, 1 << 16, 0);

	KUNIT_ASSERT_EQ(test, memkit_range_alloc(d, 100, 1, &d_old), 0);
	KUNIT_ASSERT_EQ(test, memkit_range_free(d, &d_old), 0);
	KUNIT_ASSERT_EQ(test, memkit_range_alloc(d, 100, 1, &d_cur), 0);
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(d, &d_old), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 1U);
	KUNIT_EXPECT_EQ(test, memkit_range_free(d, &d_cur), 0);

	/*
	 * Another range's handle that names a live node and offset here (each
	 * range's whole size in one allocation: node 0, offset 0): the
	 * generations start at random, so it is refused (false accept 2^-32).
	 */
	KUNIT_ASSERT_EQ(test, memkit_range_alloc(r, 1 << 16, 1, &old), 0);
	KUNIT_ASSERT_EQ(test, memkit_range_alloc(d, 100, 1, &d_cur), 0);
	KUNIT_EXPECT_EQ(test, old.node, d_cur.node);
	KUNIT_EXPECT_EQ(test, old.offset, d_cur.offset);
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &d_cur), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_range_free(d, &old), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 2U);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &old), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(d, &d_cur), 0);
}

/*
 * Out of nodes and out of space are different errors: -ENOMEM (preload,
 * or let the range grow) and -ENOSPC (evict, or give up).
 */
static void range_nomem_is_not_nospc(struct kunit *test)
{
	struct memkit_range_config cfg = {
		.size = 1000, .initial_allocs = 1, .max_allocs = 200,
	};
	struct memkit_range *r = range_new_cfg(test, &cfg);
	struct memkit_oa_handle *h = kunit_kcalloc(test, 201, sizeof(*h), GFP_KERNEL);
	struct memkit_oa_usage rep;
	u32 n = 0;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, h);
	memkit_range_report(r, &rep);
	KUNIT_EXPECT_EQ(test, rep.nodes, 64U);
	/* 64 nodes: 31 allocations certainly fit, then node storage runs out. */
	while (!(ret = memkit_range_alloc(r, 1, 1, &h[n])))
		n++;
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_GE(test, n, 31U);
	KUNIT_EXPECT_EQ(test, h[n].node, MEMKIT_OA_NO_NODE);
	range_expect_report(test, r, 1000 - n, n);
	/* Preload, and the same request succeeds. */
	KUNIT_ASSERT_EQ(test, memkit_range_preload(r, 1, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, memkit_range_alloc(r, 1, 1, &h[n]), 0);
	n++;
	/* No room: -ENOSPC, whatever the node storage. */
	KUNIT_ASSERT_EQ(test, memkit_range_preload(r, 10, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 1000, 1, &h[n]), -ENOSPC);
	/* max_allocs live: -ENOSPC too, and preload has nothing to add. */
	KUNIT_ASSERT_EQ(test, memkit_range_preload(r, 1000, GFP_KERNEL), 0);
	memkit_range_report(r, &rep);
	KUNIT_EXPECT_EQ(test, rep.nodes, 512U);	/* 64 doubled, past 2 * 200 + 1 */
	while (n < 200)
		KUNIT_ASSERT_EQ(test, memkit_range_alloc(r, 1, 1, &h[n++]), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 1, 1, &h[n]), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_range_check(r), 0);
	while (n)
		KUNIT_ASSERT_EQ(test, memkit_range_free(r, &h[--n]), 0);
	range_expect_report(test, r, 1000, 0);
}

/*
 * From 16 allocations' worth of nodes to 1 Mi nodes, every allocation made
 * in atomic context (the range's spinlock held, interrupts off) and every
 * node added by a preload made just before, outside the lock.  With
 * DEBUG_ATOMIC_SLEEP, an allocation of memory under the lock would splat.
 */
static void range_grow_atomic_preload(struct kunit *test)
{
	const u32 n = 1 << 19;	/* 2 * n + 1 nodes: past 1 Mi */
	struct memkit_range_config cfg = {
		.size = 2ULL * n, .initial_allocs = 16, .max_allocs = n,
	};
	struct memkit_range *r = range_new_cfg(test, &cfg);
	struct memkit_oa_handle h;
	struct memkit_oa_usage rep;
	unsigned long flags;
	u32 i, nomem = 0, freed = 0;
	int ret;

	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, memkit_range_preload(r, 1, GFP_KERNEL), 0);
		flags = memkit_range_lock(r);
		/* Each leaves a one-unit hole: two nodes per allocation. */
		ret = memkit_range_alloc_locked(r, 1, 2, &h);
		memkit_range_unlock(r, flags);
		nomem += ret == -ENOMEM;
		if (ret)
			break;
	}
	KUNIT_EXPECT_EQ(test, i, n);
	KUNIT_EXPECT_EQ(test, nomem, 0U);
	memkit_range_report(r, &rep);
	KUNIT_EXPECT_EQ(test, rep.allocs, n);
	KUNIT_EXPECT_GE(test, rep.nodes, 1U << 20);
	KUNIT_EXPECT_EQ(test, memkit_range_check(r), 0);
	/* Every hole is one unit. */
	flags = memkit_range_lock(r);
	i = 0;
	{
		struct memkit_oa_hole hole;

		memkit_range_for_each_hole(r, &hole)
			i += hole.size == 1 && hole.offset % 2;
	}
	memkit_range_unlock(r, flags);
	KUNIT_EXPECT_EQ(test, i, n);

	/* Free all of it with the safe iterator, 4096 per hold of the lock. */
	do {
		i = 0;
		flags = memkit_range_lock(r);
		memkit_range_for_each_alloc_safe(r, &h) {
			freed += !memkit_range_free_locked(r, &h);
			if (++i == 4096)
				break;
		}
		memkit_range_unlock(r, flags);
	} while (i == 4096);
	KUNIT_EXPECT_EQ(test, freed, n);
	range_expect_report(test, r, 2ULL * n, 0);
	kunit_info(test, "%u allocations in atomic context; node storage grew from 64 to %u nodes\n",
		   n, rep.nodes);
}

struct range_bo {
	u64 id;
};

/* A pointer per allocation, lookup by offset and free by start offset. */
static void range_priv_and_lookup(struct kunit *test)
{
	struct memkit_range_config cfg = {
		.size = 1 << 20, .initial_allocs = 4, .max_allocs = 64,
		.flags = MEMKIT_RANGE_PRIV | MEMKIT_RANGE_LOOKUP, .gfp = GFP_KERNEL,
	};
	struct memkit_range *r = range_new_cfg(test, &cfg);
	struct memkit_range *plain = range_new(test, NULL, 1000, MEMKIT_RANGE_OFFSET, 4);
	struct range_bo *bo = kunit_kcalloc(test, 32, sizeof(*bo), GFP_KERNEL);
	struct memkit_oa_handle *h = kunit_kcalloc(test, 32, sizeof(*h), GFP_KERNEL);
	struct memkit_oa_handle got;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, bo);
	KUNIT_ASSERT_NOT_NULL(test, h);

	/* 32 allocations with holes between them want 65 nodes: preload. */
	KUNIT_ASSERT_EQ(test, memkit_range_preload(r, 32, GFP_KERNEL), 0);
	for (i = 0; i < 32; i++) {
		bo[i].id = i;
		/* Allocation and pointer in one hold of the lock. */
		{
			unsigned long flags = memkit_range_lock(r);

			KUNIT_ASSERT_EQ(test, memkit_range_alloc_locked(r, 90 + i, 64, &h[i]), 0);
			KUNIT_EXPECT_NULL(test, memkit_range_priv_locked(r, &h[i]));
			KUNIT_EXPECT_EQ(test, memkit_range_set_priv_locked(r, &h[i], &bo[i]), 0);
			memkit_range_unlock(r, flags);
		}
	}
	for (i = 0; i < 32; i++) {
		KUNIT_EXPECT_PTR_EQ(test, memkit_range_priv(r, &h[i]), &bo[i]);
		/* First, last and a middle unit all find it. */
		KUNIT_EXPECT_EQ(test, memkit_range_lookup(r, h[i].offset, &got), 0);
		KUNIT_EXPECT_EQ(test, got.gen, h[i].gen);
		KUNIT_EXPECT_EQ(test, memkit_range_lookup(r, h[i].offset + 89 + i, &got), 0);
		KUNIT_EXPECT_EQ(test, got.offset, h[i].offset);
		KUNIT_EXPECT_PTR_EQ(test, memkit_range_priv(r, &got), &bo[i]);
		/* The alignment padding after it is free. */
		KUNIT_EXPECT_EQ(test, memkit_range_lookup(r, h[i].offset + 90 + i, &got), -ENOENT);
		KUNIT_EXPECT_EQ(test, got.node, MEMKIT_OA_NO_NODE);
	}
	KUNIT_EXPECT_EQ(test, memkit_range_lookup(r, 1 << 20, &got), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_range_lookup(r, U64_MAX, &got), -EINVAL);

	/* Free by start offset; an interior offset or a free one is refused. */
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free_at(r, h[5].offset + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_range_free_at(r, h[5].offset + 105), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 2U);
	KUNIT_EXPECT_EQ(test, memkit_range_free_at(r, 1 << 20), -EINVAL);
	for (i = 0; i < 32; i += 2)
		KUNIT_EXPECT_EQ(test, memkit_range_free_at(r, h[i].offset), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_lookup(r, h[0].offset, &got), -ENOENT);
	/* The freed handles' pointers are gone with them. */
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	KUNIT_EXPECT_NULL(test, memkit_range_priv(r, &h[0]));
	KUNIT_EXPECT_EQ(test, memkit_range_set_priv(r, &h[0], &bo[0]), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 2U);
	for (i = 1; i < 32; i += 2)
		KUNIT_EXPECT_EQ(test, memkit_range_free(r, &h[i]), 0);
	range_expect_report(test, r, 1 << 20, 0);

	/* A range that did not ask for them has neither. */
	KUNIT_ASSERT_EQ(test, memkit_range_alloc(plain, 10, 1, &h[0]), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_set_priv(plain, &h[0], &bo[0]), -EOPNOTSUPP);
	KUNIT_EXPECT_NULL(test, memkit_range_priv(plain, &h[0]));
	KUNIT_EXPECT_EQ(test, memkit_range_lookup(plain, 0, &got), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, memkit_range_free_at(plain, 0), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, memkit_range_free(plain, &h[0]), 0);
}

/* Allocations and holes in address order; the safe form frees as it goes. */
static void range_iterate(struct kunit *test)
{
	struct memkit_range *r = range_new(test, NULL, 1000, MEMKIT_RANGE_OFFSET, 16);
	struct memkit_oa_handle h[6], it;
	struct memkit_oa_hole hole;
	u64 holes[4][2], prev_end = 0;
	unsigned long flags;
	u32 i, n = 0;

	/* Empty: no allocation, one hole, the whole range. */
	flags = memkit_range_lock(r);
	memkit_range_for_each_alloc(r, &it)
		n++;
	memkit_range_for_each_hole(r, &hole) {
		KUNIT_EXPECT_EQ(test, hole.offset, 0ULL);
		KUNIT_EXPECT_EQ(test, hole.size, 1000ULL);
		n += 10;
	}
	memkit_range_unlock(r, flags);
	KUNIT_EXPECT_EQ(test, n, 10U);

	/* 0-99, 100-199 used; 200-299 free; 300-399 used; 400-999 free... */
	for (i = 0; i < 6; i++)
		KUNIT_ASSERT_EQ(test, memkit_range_alloc(r, 100, 1, &h[i]), 0);
	KUNIT_ASSERT_EQ(test, memkit_range_free(r, &h[2]), 0);
	KUNIT_ASSERT_EQ(test, memkit_range_free(r, &h[4]), 0);
	/* ...used 500-599, free 600-999. */
	n = 0;
	flags = memkit_range_lock(r);
	memkit_range_for_each_alloc(r, &it) {
		KUNIT_EXPECT_GE(test, it.offset, prev_end);
		prev_end = it.offset + 100;
		n++;
	}
	i = 0;
	memkit_range_for_each_hole(r, &hole) {
		if (i < 4) {
			holes[i][0] = hole.offset;
			holes[i][1] = hole.size;
		}
		i++;
	}
	memkit_range_unlock(r, flags);
	KUNIT_EXPECT_EQ(test, n, 4U);
	KUNIT_ASSERT_EQ(test, i, 3U);
	KUNIT_EXPECT_EQ(test, holes[0][0], 200ULL);
	KUNIT_EXPECT_EQ(test, holes[1][0], 400ULL);
	KUNIT_EXPECT_EQ(test, holes[2][0], 600ULL);
	KUNIT_EXPECT_EQ(test, holes[2][1], 400ULL);

	/* Free every allocation while walking: holes merge under the walk. */
	n = 0;
	flags = memkit_range_lock(r);
	memkit_range_for_each_alloc_safe(r, &it) {
		KUNIT_EXPECT_EQ(test, memkit_range_free_locked(r, &it), 0);
		n++;
	}
	memkit_range_unlock(r, flags);
	KUNIT_EXPECT_EQ(test, n, 4U);
	range_expect_report(test, r, 1000, 0);

	/* Full: no hole at all. */
	KUNIT_ASSERT_EQ(test, memkit_range_alloc(r, 1000, 1, &h[0]), 0);
	n = 0;
	flags = memkit_range_lock(r);
	memkit_range_for_each_hole(r, &hole)
		n++;
	memkit_range_unlock(r, flags);
	KUNIT_EXPECT_EQ(test, n, 0U);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &h[0]), 0);
}

/* Resize in place: into a free neighbour, not over a used one; shrink. */
static void range_resize(struct kunit *test)
{
	struct memkit_range *r = range_new(test, NULL, 1000, MEMKIT_RANGE_OFFSET, 16);
	struct memkit_range *d = range_new(test, NULL, 100, MEMKIT_RANGE_DEDICATED, 0);
	struct memkit_oa_handle a, b, c, dh;

	KUNIT_ASSERT_EQ(test, memkit_range_alloc(r, 100, 1, &a), 0);
	KUNIT_ASSERT_EQ(test, memkit_range_alloc(r, 100, 1, &b), 0);
	KUNIT_ASSERT_EQ(test, memkit_range_alloc(r, 100, 1, &c), 0);
	KUNIT_ASSERT_EQ(test, memkit_range_free(r, &b), 0);
	/* a grows into b's old place, exactly, then no further. */
	KUNIT_EXPECT_EQ(test, memkit_range_resize(r, &a, 201), -ENOSPC);
	range_expect_report(test, r, 800, 2);
	KUNIT_EXPECT_EQ(test, memkit_range_resize(r, &a, 150), 0);
	range_expect_report(test, r, 750, 2);
	KUNIT_EXPECT_EQ(test, memkit_range_resize(r, &a, 200), 0);
	range_expect_report(test, r, 700, 2);
	/* Shrinking next to a used region makes a new hole. */
	KUNIT_EXPECT_EQ(test, memkit_range_resize(r, &a, 10), 0);
	range_expect_report(test, r, 890, 2);
	KUNIT_ASSERT_EQ(test, memkit_range_reserve(r, 10, 190, &b), 0);
	/* c grows to the end of the range, and not past it. */
	KUNIT_EXPECT_EQ(test, memkit_range_resize(r, &c, 801), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_range_resize(r, &c, 800), 0);
	range_expect_report(test, r, 0, 3);
	KUNIT_EXPECT_EQ(test, memkit_range_resize(r, &c, 800), 0);
	/* Bad input: size 0, a freed handle; both leave the range as it is. */
	KUNIT_EXPECT_EQ(test, memkit_range_resize(r, &c, 0), -EINVAL);
	KUNIT_ASSERT_EQ(test, memkit_range_free(r, &b), 0);
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_resize(r, &b, 50), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 1U);
	range_expect_report(test, r, 190, 2);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &a), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &c), 0);

	/* A dedicated block is all or nothing. */
	KUNIT_ASSERT_EQ(test, memkit_range_alloc(d, 100, 1, &dh), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_resize(d, &dh, 50), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_range_resize(d, &dh, 100), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(d, &dh), 0);
}

/* The range grows at its end, O(1), whatever ends it. */
static void range_extend(struct kunit *test)
{
	struct memkit_range *r = range_new(test, NULL, 1000, MEMKIT_RANGE_OFFSET, 16);
	struct memkit_range *d = range_new(test, NULL, 100, MEMKIT_RANGE_DEDICATED, 0);
	struct memkit_oa_handle a, b, dh;
	struct memkit_oa_usage rep;

	KUNIT_ASSERT_EQ(test, memkit_range_alloc(r, 1000, 1, &a), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 1, 1, &b), -ENOSPC);
	/* A used region ends it: a new free one follows. */
	KUNIT_EXPECT_EQ(test, memkit_range_extend(r, 1500), 0);
	range_expect_report(test, r, 500, 1);
	/* A free region ends it: it grows. */
	KUNIT_EXPECT_EQ(test, memkit_range_extend(r, 2000), 0);
	memkit_range_report(r, &rep);
	KUNIT_EXPECT_EQ(test, rep.size, 2000ULL);
	KUNIT_EXPECT_EQ(test, rep.free_regions, 1U);
	KUNIT_EXPECT_EQ(test, rep.largest_free, 1000ULL);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 1000, 1, &b), 0);
	KUNIT_EXPECT_EQ(test, b.offset, 1000ULL);
	/* Same size is nothing to do; smaller is refused, nothing changes. */
	KUNIT_EXPECT_EQ(test, memkit_range_extend(r, 2000), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_extend(r, 1999), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_range_extend(r, 0), -EINVAL);
	range_expect_report(test, r, 0, 2);
	/* Up to the largest range. */
	KUNIT_EXPECT_EQ(test, memkit_range_extend(r, U64_MAX), 0);
	range_expect_report(test, r, U64_MAX - 2000, 2);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &a), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &b), 0);

	KUNIT_ASSERT_EQ(test, memkit_range_alloc(d, 100, 1, &dh), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_extend(d, 200), -EBUSY);
	KUNIT_EXPECT_EQ(test, memkit_range_free(d, &dh), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_extend(d, 200), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(d, 100, 1, &dh), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(d, 200, 1, &dh), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(d, &dh), 0);
}

/*
 * A range serialised by the driver's mutex: the driver holds it across
 * several _locked calls, the plain calls take it, allocation grows node
 * storage itself (the config's gfp), and debugfs readers take it too.
 */
static void range_driver_mutex(struct kunit *test)
{
	struct mutex *lock = kunit_kzalloc(test, sizeof(*lock), GFP_KERNEL);
	struct memkit_range_config cfg = {
		.size = 1 << 20, .initial_allocs = 1, .flags = MEMKIT_RANGE_PRIV,
		.gfp = GFP_KERNEL,
	};
	struct memkit_oa_handle *h = kunit_kcalloc(test, 1000, sizeof(*h), GFP_KERNEL);
	struct memkit_oa_handle it;
	struct memkit_oa_usage rep;
	struct memkit_range *r;
	u32 i, n = 0;

	KUNIT_ASSERT_NOT_NULL(test, lock);
	KUNIT_ASSERT_NOT_NULL(test, h);
	mutex_init(lock);
	cfg.lock = lock;
	r = range_new_cfg(test, &cfg);

	mutex_lock(lock);
	for (i = 0; i < 1000; i++) {
		KUNIT_ASSERT_EQ(test, memkit_range_alloc_locked(r, 7, 8, &h[i]), 0);
		KUNIT_ASSERT_EQ(test, memkit_range_set_priv_locked(r, &h[i], &h[i]), 0);
	}
	memkit_range_for_each_alloc(r, &it)
		n += memkit_range_priv_locked(r, &it) == &h[n];
	mutex_unlock(lock);
	KUNIT_EXPECT_EQ(test, n, 1000U);
	memkit_range_report(r, &rep);
	KUNIT_EXPECT_EQ(test, rep.allocs, 1000U);
	KUNIT_EXPECT_GE(test, rep.nodes, 2001U);

	/* Plain calls take the mutex themselves. */
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &h[0]), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 7, 8, &h[0]), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_check(r), 0);

	mutex_lock(lock);
	memkit_range_for_each_alloc_safe(r, &it)
		KUNIT_EXPECT_EQ(test, memkit_range_free_locked(r, &it), 0);
	mutex_unlock(lock);
	range_expect_report(test, r, 1 << 20, 0);
}

/*
 * A range serialised by the driver's own irq-safe spinlock: the driver
 * takes it once for its own state and the range's _locked calls together.
 */
static void range_driver_spinlock(struct kunit *test)
{
	spinlock_t *lock = kunit_kzalloc(test, sizeof(*lock), GFP_KERNEL);
	struct mutex *mutex = kunit_kzalloc(test, sizeof(*mutex), GFP_KERNEL);
	struct memkit_range_config cfg = {
		.size = 4096, .initial_allocs = 1, .max_allocs = 256, .flags = MEMKIT_RANGE_PRIV,
	};
	struct memkit_oa_handle *h = kunit_kcalloc(test, 100, sizeof(*h), GFP_KERNEL);
	struct memkit_range *r;
	unsigned long flags;
	u32 i, driver_count = 0;
	bool taken;

	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_NOT_NULL(test, lock);
	KUNIT_ASSERT_NOT_NULL(test, mutex);
	spin_lock_init(lock);
	mutex_init(mutex);
	cfg.lock = mutex;
	cfg.spinlock = lock;
	KUNIT_EXPECT_EQ(test, PTR_ERR(memkit_range_create_config(&cfg)), -EINVAL);
	cfg.lock = NULL;
	r = range_new_cfg(test, &cfg);

	/* Preload outside, then allocate with the driver's lock held. */
	KUNIT_ASSERT_EQ(test, memkit_range_preload(r, 100, GFP_KERNEL), 0);
	spin_lock_irqsave(lock, flags);
	for (i = 0; i < 100; i++) {
		if (memkit_range_alloc_locked(r, 8, 16, &h[i]))
			break;
		memkit_range_set_priv_locked(r, &h[i], &h[i]);
		driver_count++;
	}
	spin_unlock_irqrestore(lock, flags);
	KUNIT_EXPECT_EQ(test, driver_count, 100U);
	/* Plain calls and memkit_range_lock() take the same lock. */
	KUNIT_EXPECT_PTR_EQ(test, memkit_range_priv(r, &h[7]), &h[7]);
	flags = memkit_range_lock(r);
	/* The driver's lock is the one held: it cannot be taken again. */
	taken = spin_trylock(lock);
	if (taken)
		spin_unlock(lock);
	KUNIT_EXPECT_FALSE(test, taken);
	KUNIT_EXPECT_EQ(test, memkit_range_free_locked(r, &h[0]), 0);
	memkit_range_unlock(r, flags);
	for (i = 1; i < 100; i++)
		KUNIT_EXPECT_EQ(test, memkit_range_free(r, &h[i]), 0);
	range_expect_report(test, r, 4096, 0);
}

/*
 * debugfs under a driver's directory, named as drivers name things: a PCI
 * device's dev_name().  The same name may be used under another parent,
 * not twice under one.
 */
static void range_debugfs_parent(struct kunit *test)
{
	struct memkit_range_config cfg = { .name = "0000:03:00.0", .size = 4096, .max_allocs = 8 };
	struct memkit_kunit_reader *rd;
	struct memkit_range *r, *other;
	struct dentry *dir;

	if (!memkit_kunit_debugfs_mounted())
		kunit_skip(test, "debugfs is not mounted at /sys/kernel/debug");
	dir = debugfs_create_dir("memkit-kt-drv", NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(dir));
	cfg.debugfs_parent = dir;
	r = memkit_range_create_config(&cfg);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	KUNIT_EXPECT_EQ(test, PTR_ERR(memkit_range_create_config(&cfg)), -EEXIST);
	cfg.debugfs_parent = NULL;
	other = memkit_range_create_config(&cfg);
	KUNIT_EXPECT_FALSE(test, IS_ERR(other));

	rd = memkit_kunit_reader(test);
	KUNIT_EXPECT_GT(test, memkit_kunit_read(rd, KT_PARENT_DIR "/0000:03:00.0/bins"), 0);
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "size          4096\n"));
	KUNIT_EXPECT_GT(test, memkit_kunit_read(rd, KT_MEMKIT_DIR "/0000:03:00.0/map"), 0);
	KUNIT_EXPECT_GT(test, memkit_kunit_read(rd, "/sys/kernel/debug/memkit/summary"), 0);
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "memkit-kt-drv/0000:03:00.0"));

	memkit_range_destroy(other);
	memkit_range_destroy(r);
	debugfs_remove(dir);
}

/*
 * memkit_range_check() sees a broken allocator behind either kind of
 * range: the free total made wrong, then the one allocation's size.  (The
 * allocator's own checks are shown every invariant broken in userspace,
 * test_oa_check.)
 */
static void range_check_sees_corruption(struct kunit *test)
{
	static const enum memkit_range_kind kinds[] = {
		MEMKIT_RANGE_OFFSET, MEMKIT_RANGE_DEDICATED,
	};
	struct memkit_oa_handle h;
	unsigned long flags;
	struct memkit_oa *oa;
	unsigned int k;
	u64 saved;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		struct memkit_range *r = range_new(test, NULL, 4096, kinds[k], 16);

		/* A dedicated range's one allocation is the whole range. */
		KUNIT_ASSERT_EQ(test, memkit_range_alloc(r, kinds[k] == MEMKIT_RANGE_DEDICATED ?
							 4096 : 100, 1, &h), 0);
		KUNIT_ASSERT_EQ(test, memkit_range_check(r), 0);
		/*
		 * The allocator behind the range, found under its lock; it is
		 * then written unlocked, as nothing else uses @r (and
		 * memkit_range_check() takes the lock itself).
		 */
		flags = memkit_range_lock(r);
		oa = (struct memkit_oa *)memkit_range_oa_locked(r);
		memkit_range_unlock(r, flags);
		saved = oa->free_units;
		oa->free_units++;
		KUNIT_EXPECT_EQ_MSG(test, memkit_range_check(r), -EUCLEAN, "kind %d: free total",
				    kinds[k]);
		oa->free_units = saved;
		KUNIT_EXPECT_EQ(test, memkit_range_check(r), 0);
		saved = oa->size;
		oa->size--;
		KUNIT_EXPECT_EQ_MSG(test, memkit_range_check(r), -EUCLEAN, "kind %d: size",
				    kinds[k]);
		oa->size = saved;
		KUNIT_EXPECT_EQ(test, memkit_range_check(r), 0);
		KUNIT_EXPECT_EQ(test, memkit_range_free(r, &h), 0);
	}
}

/*
 * Unwinding: a range with debugfs files, private data and the index, made
 * and grown to 300 allocations (node storage grows twice on the way) with
 * each allocation along the way failing in turn.
 */
#define RANGE_UNWIND_DIR	"/sys/kernel/debug/memkit/kt-unwind"

struct range_unwind {
	struct memkit_kunit_reader *rd;
	struct memkit_range *r;
	u32 made;
};

static int range_unwind_make(struct kunit *test, void *arg)
{
	const struct memkit_range_config cfg = {
		.name = "kt-unwind", .size = 1 << 20, .kind = MEMKIT_RANGE_OFFSET,
		.initial_allocs = 4, .flags = MEMKIT_RANGE_PRIV | MEMKIT_RANGE_LOOKUP,
		.gfp = GFP_KERNEL,
	};
	struct range_unwind *u = arg;
	struct memkit_oa_handle h;
	int ret;

	u->made = 0;
	u->r = memkit_range_create_config(&cfg);
	if (IS_ERR(u->r))
		return PTR_ERR(u->r);
	for (; u->made < 300; u->made++) {
		ret = memkit_range_alloc(u->r, 100, 1, &h);
		if (ret)
			return ret;
	}
	return 0;
}

static void range_unwind_check(struct kunit *test, void *arg, int ret)
{
	struct range_unwind *u = arg;
	struct memkit_oa_usage rep;

	if (IS_ERR(u->r)) {
		/* Nothing half made: not even the debugfs directory. */
		KUNIT_EXPECT_EQ(test, memkit_kunit_read(u->rd, RANGE_UNWIND_DIR), -ENOENT);
		return;
	}
	/* A failed growth leaves the range whole, holding what it had. */
	memkit_range_report(u->r, &rep);
	KUNIT_EXPECT_EQ(test, rep.allocs, u->made);
	KUNIT_EXPECT_EQ(test, rep.free, (1ULL << 20) - 100ULL * u->made);
	KUNIT_EXPECT_EQ(test, memkit_range_check(u->r), 0);
	memkit_range_reset(u->r);
	memkit_range_destroy(u->r);
}

static void range_create_unwinds(struct kunit *test)
{
	struct range_unwind u = {};

	if (!memkit_kunit_debugfs_mounted())
		kunit_skip(test, "debugfs is not mounted at /sys/kernel/debug");
	u.rd = memkit_kunit_reader(test);
	memkit_kunit_each_failure(test, range_unwind_make, range_unwind_check, &u);
}

/*
 * Every allocation, failure and free reaches events/memkit/ with the
 * range's name, the request, and the caller (this function, not memkit).
 */
static void range_trace_events(struct kunit *test)
{
	struct memkit_kunit_reader *rd = memkit_kunit_reader(test);
	struct memkit_range *r = range_new(test, "kt-trace", 1024, MEMKIT_RANGE_OFFSET, 8);
	struct memkit_oa_req req = { .size = 8, .align = 1, .mode = MEMKIT_OA_HIGH };
	struct memkit_oa_handle a, b, c;
	const char *alloc = "memkit_range_alloc: range=kt-trace";
	const char *fail = "memkit_range_alloc_fail: range=kt-trace";
	const char *freed = "memkit_range_free: range=kt-trace";
	const char *t, *caller, *want[6];
	unsigned int i;

	memkit_kunit_trace_begin(test);
	KUNIT_ASSERT_EQ(test, memkit_range_alloc(r, 100, 4, &a), 0);
	KUNIT_ASSERT_EQ(test, memkit_range_reserve(r, 512, 64, &b), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_alloc(r, 4096, 1, &c), -ENOSPC);
	/* Without MEMKIT_RANGE_PLACE: refused, and the refusal is traced. */
	KUNIT_EXPECT_EQ(test, memkit_range_alloc_in(r, &req, &c), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &a), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &b), 0);
	t = memkit_kunit_trace_end(test, rd);

	caller = memkit_kunit_printf(test, "caller=%s+", __func__);
	want[0] = memkit_kunit_printf(test, "%s offset=%llu size=100 align=4 how=alloc %s",
				      alloc, a.offset, caller);
	want[1] = memkit_kunit_printf(test, "%s offset=512 size=64 align=0 how=reserve %s",
				      alloc, caller);
	want[2] = memkit_kunit_printf(test, "%s size=4096 align=1 how=alloc err=%d %s",
				      fail, -ENOSPC, caller);
	want[3] = memkit_kunit_printf(test, "%s size=8 align=1 how=high err=%d %s",
				      fail, -EOPNOTSUPP, caller);
	want[4] = memkit_kunit_printf(test, "%s offset=%llu size=100 %s", freed, a.offset, caller);
	want[5] = memkit_kunit_printf(test, "%s offset=512 size=64 %s", freed, caller);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		KUNIT_EXPECT_EQ_MSG(test, memkit_kunit_count(t, want[i]), 1U, "no '%s' in:\n%s",
				    want[i], t);
	}
	KUNIT_EXPECT_EQ(test, memkit_kunit_count(t, "range=kt-trace "), 6U);
}

/*
 * With allocation profiling on, what memkit allocates on a caller's behalf
 * (a range's node storage, a backend's buffer) is charged in
 * /proc/allocinfo to the caller's line, not to memkit's, and given back
 * when freed.
 */
static void range_alloc_profiling(struct kunit *test)
{
	s64 at_range, at_buf, in_memkit, before;
	struct memkit_range *r;
	int range_line, buf_line;
	void *buf;

	memkit_kunit_profiling(test, true);
	memkit_kunit_allocinfo(test, "range_kunit.c", 0, "memkit", &before);
	range_line = __LINE__ + 1;
	r = memkit_range_create("kt-prof", 1 << 20, MEMKIT_RANGE_OFFSET, 8192);
	buf_line = __LINE__ + 1;
	buf = memkit_alloc(&memkit_kvmalloc_allocator, 3 * PAGE_SIZE + 8, 8, GFP_KERNEL);
	at_range = memkit_kunit_allocinfo(test, "range_kunit.c", range_line, "memkit", &in_memkit);
	at_buf = memkit_kunit_allocinfo(test, "range_kunit.c", buf_line, "memkit", &in_memkit);
	if (!IS_ERR_OR_NULL(r))
		memkit_range_destroy(r);
	if (buf)
		memkit_free(&memkit_kvmalloc_allocator, buf, 3 * PAGE_SIZE + 8, 8);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(r));
	KUNIT_ASSERT_NOT_NULL(test, buf);
	kunit_info(test, "charged to the create: %lld bytes, the buffer: %lld; memkit's own lines %lld before, %lld after\n",
		   at_range, at_buf, before, in_memkit);
	/* 8192 nodes of at least 16 bytes, and the buffer itself. */
	KUNIT_EXPECT_GE(test, at_range, 8192LL * 16);
	KUNIT_EXPECT_GE(test, at_buf, 3LL * PAGE_SIZE + 8);
	/* None of it went to memkit's own lines. */
	KUNIT_EXPECT_LT(test, in_memkit - before, 8192LL * 16);
	/* Freed: nothing left at either line. */
	KUNIT_EXPECT_EQ(test, memkit_kunit_allocinfo(test, "range_kunit.c", range_line, "memkit",
						     &in_memkit), 0);
	KUNIT_EXPECT_EQ(test, memkit_kunit_allocinfo(test, "range_kunit.c", buf_line, "memkit",
						     &in_memkit), 0);
	memkit_kunit_profiling(test, false);
}

/* The json file: totals, every region in address order, the bins. */
static void range_json_debugfs(struct kunit *test)
{
	static const char head[] =
		"{\n \"name\": \"kt-range-json\",\n \"kind\": \"offset\",\n"
		" \"size\": 100,\n \"free\": 70,\n \"allocs\": 2,\n \"max_allocs\": 8,\n"
		" \"free_regions\": 2,\n \"largest_free\": 40,\n \"guard\": 0,\n";
	static const char regions[] =
		" \"regions\": [\n  [0, 10, 1, 0],\n  [10, 40, 0, 0],\n  [50, 20, 1, 0],\n"
		"  [70, 30, 0, 0]\n ],\n \"complete\": true,\n";
	static const char bin_fmt[] =
		"{\"bin\": %u, \"min_size\": %llu, \"regions\": 1, \"units\": %u}";
	struct memkit_range *r = range_new(test, "kt-range-json", 100, MEMKIT_RANGE_OFFSET, 8);
	struct memkit_kunit_reader *rd;
	struct memkit_oa_handle a, b;
	u32 bin40 = memkit_oa_bin_round_down(40), bin30 = memkit_oa_bin_round_down(30);
	char *want40, *want30;

	if (!memkit_kunit_debugfs_mounted())
		kunit_skip(test, "debugfs is not mounted at /sys/kernel/debug");
	rd = memkit_kunit_reader(test);
	KUNIT_ASSERT_EQ(test, memkit_range_reserve(r, 0, 10, &a), 0);
	KUNIT_ASSERT_EQ(test, memkit_range_reserve(r, 50, 20, &b), 0);
	want40 = memkit_kunit_printf(test, bin_fmt, bin40, memkit_oa_bin_size(bin40), 40);
	want30 = memkit_kunit_printf(test, bin_fmt, bin30, memkit_oa_bin_size(bin30), 30);
	KUNIT_ASSERT_GT(test, memkit_kunit_read(rd, KT_MEMKIT_DIR "/kt-range-json/json"), 0);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(rd->buf, head), "%s", rd->buf);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(rd->buf, regions), "%s", rd->buf);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(rd->buf, want40), "%s", rd->buf);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(rd->buf, want30), "%s", rd->buf);
	KUNIT_EXPECT_STREQ(test, rd->buf + strlen(rd->buf) - 6, "\n ]\n}\n");
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &a), 0);
	KUNIT_EXPECT_EQ(test, memkit_range_free(r, &b), 0);
}

static struct kunit_case memkit_range_cases[] = {
	KUNIT_CASE(range_create_destroy),
	KUNIT_CASE(range_create_bad_args),
	KUNIT_CASE(range_alloc_free),
	KUNIT_CASE(range_reserve),
	KUNIT_CASE(range_bad_free),
	KUNIT_CASE(range_dedicated),
	KUNIT_CASE(range_destroy_with_leaks),
	KUNIT_CASE(range_reset),
	KUNIT_CASE(range_debugfs_files),
	KUNIT_CASE(range_map_tiny),
	KUNIT_CASE(range_from_hardirq),
	KUNIT_CASE(range_warning_from_hardirq),
	KUNIT_CASE(range_stale_handle_refused),
	KUNIT_CASE(range_nomem_is_not_nospc),
	KUNIT_CASE(range_priv_and_lookup),
	KUNIT_CASE(range_iterate),
	KUNIT_CASE(range_resize),
	KUNIT_CASE(range_extend),
	KUNIT_CASE(range_create_unwinds),
	KUNIT_CASE(range_check_sees_corruption),
	KUNIT_CASE(range_driver_mutex),
	KUNIT_CASE(range_driver_spinlock),
	KUNIT_CASE(range_debugfs_parent),
	KUNIT_CASE(range_place_modes),
	KUNIT_CASE(range_place_best_window_crowded),
	KUNIT_CASE(range_place_without_best_fit),
	KUNIT_CASE(range_place_bad_input),
	KUNIT_CASE(range_place_colors),
	KUNIT_CASE(range_place_evict),
	KUNIT_CASE(range_place_scan_misuse),
	KUNIT_CASE(range_place_debugfs),
	KUNIT_CASE(range_json_debugfs),
	KUNIT_CASE(range_trace_events),
	KUNIT_CASE(range_alloc_profiling),
	KUNIT_CASE_SLOW(range_grow_atomic_preload),
	KUNIT_CASE_SLOW(range_concurrent),
	KUNIT_CASE_SLOW(range_million_regions),
	{}
};

static struct kunit_suite memkit_range_suite = {
	.name = "memkit_range",
	.suite_init = range_suite_init,
	.test_cases = memkit_range_cases,
};

kunit_test_suites(&memkit_range_suite);
