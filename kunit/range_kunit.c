// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for memkit_range: the locked, named range manager, its
 * dedicated-block kind, its debugfs files, and its use from hard irq
 * context and from several threads at once.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/irq_work.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>

#include <memkit/bug.h>
#include <memkit/range.h>

#include "memkit_kunit.h"

#define KT_RANGE_DIR "/sys/kernel/debug/memkit/kt-range-dbg"

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
	char *map;

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

struct range_thread {
	struct memkit_range *range;
	struct completion done;
	unsigned long deadline;
	u64 seed;
	u32 ops, allocs, nospc, errors;
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

			if (memkit_range_free(t->range, &live[v]))
				t->errors++;
			live[v] = live[--n];
		} else {
			u64 size = 1 + prandom_u32_state(&rs) % 4096;
			u64 align = 1ULL << (prandom_u32_state(&rs) % 8);
			int ret = memkit_range_alloc(t->range, size, align, &live[n]);

			if (!ret) {
				n++;
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
	while (n)
		if (memkit_range_free(t->range, &live[--n]))
			t->errors++;
	complete(&t->done);
	return 0;
}

/* 4 threads hammer one range; afterwards it is whole and consistent. */
static void range_concurrent(struct kunit *test)
{
	struct memkit_range *r = range_new(test, NULL, 1 << 20, MEMKIT_RANGE_OFFSET,
					   RANGE_THREADS * RANGE_THREAD_LIVE);
	struct range_thread *t;
	struct memkit_oa_usage rep;
	u32 i, ops = 0;

	t = kunit_kcalloc(test, RANGE_THREADS, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	for (i = 0; i < RANGE_THREADS; i++) {
		struct task_struct *task;

		t[i].range = r;
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
		ops += t[i].ops;
	}
	kunit_info(test, "%u threads, %u operations in 2 s, seed %llu\n",
		   RANGE_THREADS, ops, range_seed);
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
