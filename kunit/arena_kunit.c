// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for memkit_arena.
 *
 * The generic allocator cases run through the arena in both modes as
 * parameters of the memkit_allocator suite; this suite covers what is the
 * arena's own: growth, last-allocation resize and free, every reset mode
 * and its result, the original's past bugs, passthrough accounting,
 * debugfs, and an allocation-failure sweep.
 */

#include <kunit/test.h>
#include <linux/prandom.h>
#include <linux/slab.h>

#include <memkit/allocator.h>
#include <memkit/arena.h>
#include <memkit/testing.h>

#include "memkit_kunit.h"

static u64 arena_seed;

/* The buffer header is two words. */
#define HDR	(2 * sizeof(void *))

KUNIT_DEFINE_ACTION_WRAPPER(ar_exit_action, memkit_arena_exit, struct memkit_arena *);

/* kmalloc without resize or remap: growth always takes a new buffer. */
static void *ar_plain_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			    unsigned long ip)
{
	return kmalloc(len, gfp);
}

static void ar_plain_free(void *ctx, void *buf, size_t len, size_t align,
			  unsigned long ip)
{
	kfree(buf);
}

static const struct memkit_allocator_ops ar_plain_ops = {
	.alloc = ar_plain_alloc,
	.free = ar_plain_free,
};

static const struct memkit_allocator ar_plain = { .ops = &ar_plain_ops };

/*
 * An arena over a failing allocator over @child, so that every child call
 * is counted; freed when the test ends.
 */
struct ar_ctx {
	struct memkit_failing_allocator fa;
	struct memkit_arena arena;
	struct memkit_allocator a;	/* the arena's interface */
};

static struct ar_ctx *ar_new(struct kunit *test, const struct memkit_allocator *child,
			     enum memkit_arena_mode mode)
{
	struct ar_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct memkit_allocator fa;

	KUNIT_ASSERT_NOT_NULL(test, c);
	memkit_failing_allocator_init(&c->fa, child, UINT_MAX, UINT_MAX);
	fa = memkit_failing_as_allocator(&c->fa);
	KUNIT_ASSERT_EQ(test, memkit_arena_init(&c->arena, &fa, mode), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ar_exit_action, &c->arena), 0);
	c->a = memkit_arena_allocator(&c->arena);
	return c;
}

static struct memkit_arena_usage ar_stats(struct ar_ctx *c)
{
	struct memkit_arena_usage st;

	memkit_arena_stats(&c->arena, &st);
	return st;
}

static const enum memkit_arena_mode ar_modes[] = {
	MEMKIT_ARENA_BUMP, MEMKIT_ARENA_PASSTHROUGH,
};

static void ar_mode_desc(const enum memkit_arena_mode *m, char *desc)
{
	strscpy(desc, *m == MEMKIT_ARENA_BUMP ? "bump" : "passthrough",
		KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ar_mode, ar_modes, ar_mode_desc);

static enum memkit_arena_mode ar_param(struct kunit *test)
{
	return *(const enum memkit_arena_mode *)test->param_value;
}

/* The original's "reset with preheating", 25 seeded rounds. */
/* A pattern that differs per allocation, written and checked byte by byte. */
static void ar_fill(u8 *p, size_t size, u32 tag)
{
	size_t i;

	for (i = 0; i < size; i++)
		p[i] = tag * 13 + i;
}

static bool ar_intact(const u8 *p, size_t size, u32 tag)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i] != (u8)(tag * 13 + i))
			return false;
	return true;
}

#define AR_ROUND_MAX	1024	/* 16 KiB in allocations of at least 16 bytes */

/* Each round's allocations hold their own patterns until the next reset. */
static void ar_reset_with_preheating(struct kunit *test)
{
	struct ar_ctx *c = ar_new(test, &memkit_kmalloc_allocator, ar_param(test));
	u8 **ptr = kunit_kcalloc(test, AR_ROUND_MAX, sizeof(*ptr), GFP_KERNEL);
	u16 *len = kunit_kcalloc(test, AR_ROUND_MAX, sizeof(*len), GFP_KERNEL);
	struct rnd_state rs;
	unsigned int round, n, i;

	KUNIT_ASSERT_TRUE(test, ptr && len);
	prandom_seed_state(&rs, arena_seed);
	kunit_info(test, "seed %llu\n", arena_seed);
	for (round = 0; round < 25; round++) {
		size_t total = 256 + prandom_u32_state(&rs) % (16384 - 256 + 1), done = 0;

		KUNIT_EXPECT_TRUE(test, memkit_arena_reset(&c->arena, MEMKIT_ARENA_RETAIN_CAPACITY,
							   0, GFP_KERNEL));
		for (n = 0; done < total; n++) {
			len[n] = 16 + prandom_u32_state(&rs) % (256 - 16 + 1);
			ptr[n] = memkit_alloc(&c->a, len[n], 32, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, ptr[n]);
			KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)ptr[n], 32));
			ar_fill(ptr[n], len[n], round * AR_ROUND_MAX + n);
			done += len[n];
		}
		/* No allocation overlapped another, none was handed out twice. */
		for (i = 0; i < n; i++)
			KUNIT_ASSERT_TRUE_MSG(test, ar_intact(ptr[i], len[i],
							      round * AR_ROUND_MAX + i),
					      "round %u, allocation %u of %u overwritten",
					      round, i, n);
	}
}

/* The original's "reset while retaining a buffer". */
static void ar_reset_retaining_buffer(struct kunit *test)
{
	struct ar_ctx *c = ar_new(test, &ar_plain, MEMKIT_ARENA_BUMP);

	KUNIT_ASSERT_NOT_NULL(test, memkit_alloc(&c->a, 1, 1, GFP_KERNEL));
	KUNIT_ASSERT_NOT_NULL(test, memkit_alloc(&c->a, 1000, 1, GFP_KERNEL));
	KUNIT_ASSERT_GE(test, ar_stats(c).buffers, 2U);
	KUNIT_EXPECT_TRUE(test, memkit_arena_reset(&c->arena, MEMKIT_ARENA_RETAIN_WITH_LIMIT,
						   1, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, ar_stats(c).buffers, 1U);
	KUNIT_EXPECT_EQ(test, ar_stats(c).capacity, (size_t)1);
}

/* Buffer sizes follow 1.5 * (prev + n + align + header + 16). */
static void ar_growth_rule(struct kunit *test)
{
	struct ar_ctx *c = ar_new(test, &ar_plain, MEMKIT_ARENA_BUMP);
	size_t first = (100 + 8 + HDR + 16) * 3 / 2, second;
	size_t cap1 = first - HDR;

	KUNIT_ASSERT_NOT_NULL(test, memkit_alloc(&c->a, 100, 8, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, c->fa.allocated_bytes, first);
	KUNIT_EXPECT_EQ(test, ar_stats(c).capacity, cap1);
	KUNIT_EXPECT_EQ(test, ar_stats(c).current_used, (size_t)100);

	second = (cap1 + 300 + 8 + HDR + 16) * 3 / 2;
	KUNIT_ASSERT_NOT_NULL(test, memkit_alloc(&c->a, 300, 8, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, c->fa.allocated_bytes, first + second);
	KUNIT_EXPECT_EQ(test, ar_stats(c).buffers, 2U);
	KUNIT_EXPECT_EQ(test, ar_stats(c).capacity, cap1 + second - HDR);
	KUNIT_EXPECT_EQ(test, memkit_arena_query_capacity(&c->arena), cap1 + second - HDR);
	KUNIT_EXPECT_EQ(test, ar_stats(c).child_allocs, 2UL);
}

/* A child that can grow in place is asked first; no new buffer then. */
static void ar_grows_in_place(struct kunit *test)
{
	struct ar_ctx *c = ar_new(test, &memkit_page_allocator, MEMKIT_ARENA_BUMP);

	/* The first buffer is one page; growing within it needs no child alloc. */
	KUNIT_ASSERT_NOT_NULL(test, memkit_alloc(&c->a, 100, 8, GFP_KERNEL));
	KUNIT_ASSERT_NOT_NULL(test, memkit_alloc(&c->a, 1000, 8, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, ar_stats(c).buffers, 1U);
	KUNIT_EXPECT_EQ(test, c->fa.allocations, 1U);
	KUNIT_EXPECT_EQ(test, c->fa.resize_index, 1U);
}

/* Only the most recent allocation resizes or frees. */
static void ar_last_allocation_only(struct kunit *test)
{
	struct ar_ctx *c = ar_new(test, &ar_plain, MEMKIT_ARENA_BUMP);
	u8 *x, *y, *z;

	/* Size the first buffer with a big allocation, then give it back. */
	x = memkit_alloc(&c->a, 1000, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	memkit_free(&c->a, x, 1000, 8);
	KUNIT_ASSERT_EQ(test, ar_stats(c).current_used, (size_t)0);
	x = memkit_alloc(&c->a, 16, 8, GFP_KERNEL);
	y = memkit_alloc(&c->a, 16, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_ASSERT_NOT_NULL(test, y);
	/* Not the last: shrink "succeeds" (memory stays valid), grow fails. */
	KUNIT_EXPECT_TRUE(test, memkit_resize(&c->a, x, 16, 8, 8));
	KUNIT_EXPECT_FALSE(test, memkit_resize(&c->a, x, 16, 24, 8));
	/* The last grows and shrinks in place. */
	KUNIT_EXPECT_TRUE(test, memkit_resize(&c->a, y, 16, 64, 8));
	KUNIT_EXPECT_EQ(test, ar_stats(c).current_used, (size_t)(y - x) + 64);
	KUNIT_EXPECT_PTR_EQ(test, memkit_remap(&c->a, y, 64, 32, 8, GFP_KERNEL), y);
	/* Freeing the last gives its space back: the next allocation reuses it. */
	memkit_free(&c->a, y, 32, 8);
	z = memkit_alloc(&c->a, 16, 8, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, z, y);
	/* Freeing another one does nothing. */
	memkit_free(&c->a, x, 16, 8);
	KUNIT_EXPECT_EQ(test, ar_stats(c).current_used, (size_t)(z - x) + 16);
}

static void ar_free_all(struct kunit *test)
{
	struct ar_ctx *c = ar_new(test, &ar_plain, ar_param(test));
	unsigned int i;

	for (i = 0; i < 20; i++)
		KUNIT_ASSERT_NOT_NULL(test, memkit_alloc(&c->a, 100 * i + 1, 8, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, memkit_arena_reset(&c->arena, MEMKIT_ARENA_FREE_ALL, 0,
						   GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, ar_stats(c).capacity, (size_t)0);
	KUNIT_EXPECT_EQ(test, ar_stats(c).objects, (size_t)0);
	KUNIT_EXPECT_EQ(test, c->fa.allocated_bytes, c->fa.freed_bytes);
	/* Usable afterwards. */
	KUNIT_EXPECT_NOT_NULL(test, memkit_alloc(&c->a, 10, 1, GFP_KERNEL));
}

static void ar_retain_capacity(struct kunit *test)
{
	struct ar_ctx *c = ar_new(test, &ar_plain, MEMKIT_ARENA_BUMP);
	unsigned int i;
	size_t cap;

	for (i = 0; i < 20; i++)
		KUNIT_ASSERT_NOT_NULL(test, memkit_alloc(&c->a, 100 * i + 1, 8, GFP_KERNEL));
	cap = memkit_arena_query_capacity(&c->arena);
	KUNIT_EXPECT_GT(test, ar_stats(c).buffers, 1U);
	KUNIT_EXPECT_TRUE(test, memkit_arena_reset(&c->arena, MEMKIT_ARENA_RETAIN_CAPACITY, 0,
						   GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, ar_stats(c).buffers, 1U);
	KUNIT_EXPECT_EQ(test, memkit_arena_query_capacity(&c->arena), cap);
	KUNIT_EXPECT_EQ(test, ar_stats(c).current_used, (size_t)0);
	KUNIT_EXPECT_EQ(test, ar_stats(c).resets, 1UL);
	KUNIT_EXPECT_EQ(test, ar_stats(c).handed_out, (size_t)0);
}

static void ar_retain_with_limit(struct kunit *test)
{
	struct ar_ctx *c = ar_new(test, &ar_plain, MEMKIT_ARENA_BUMP);
	size_t cap;

	KUNIT_ASSERT_NOT_NULL(test, memkit_alloc(&c->a, 5000, 8, GFP_KERNEL));
	cap = memkit_arena_query_capacity(&c->arena);
	KUNIT_EXPECT_TRUE(test, memkit_arena_reset(&c->arena, MEMKIT_ARENA_RETAIN_WITH_LIMIT,
						   1000, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, memkit_arena_query_capacity(&c->arena), (size_t)1000);
	/* A limit above the capacity keeps the capacity. */
	KUNIT_EXPECT_TRUE(test, memkit_arena_reset(&c->arena, MEMKIT_ARENA_RETAIN_WITH_LIMIT,
						   cap * 2, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, memkit_arena_query_capacity(&c->arena), (size_t)1000);
}

/* Past bug: retain_with_limit(0) must behave exactly like free_all. */
static void ar_limit_zero_is_free_all(struct kunit *test)
{
	struct ar_ctx *c = ar_new(test, &ar_plain, MEMKIT_ARENA_BUMP);

	KUNIT_ASSERT_NOT_NULL(test, memkit_alloc(&c->a, 3000, 8, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, memkit_arena_reset(&c->arena, MEMKIT_ARENA_RETAIN_WITH_LIMIT,
						   0, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, ar_stats(c).buffers, 0U);
	KUNIT_EXPECT_EQ(test, c->fa.allocated_bytes, c->fa.freed_bytes);
}

/* Past bug: a limit smaller than the buffer header overran it. */
static void ar_limit_below_header(struct kunit *test)
{
	struct ar_ctx *c = ar_new(test, &ar_plain, MEMKIT_ARENA_BUMP);
	u8 *p;

	KUNIT_ASSERT_NOT_NULL(test, memkit_alloc(&c->a, 3000, 8, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, memkit_arena_reset(&c->arena, MEMKIT_ARENA_RETAIN_WITH_LIMIT,
						   1, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, memkit_arena_query_capacity(&c->arena), (size_t)1);
	/* The one byte is usable without a child call; KASAN checks its bounds. */
	p = memkit_alloc(&c->a, 1, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	*p = 1;
	KUNIT_EXPECT_EQ(test, ar_stats(c).buffers, 1U);
}

/*
 * Past bug: reset used the buffer it kept after freeing it.  Fill the whole
 * kept capacity after a reset; KASAN reports any use of freed memory.
 */
static void ar_kept_buffer_alive(struct kunit *test)
{
	struct ar_ctx *c = ar_new(test, &memkit_kmalloc_allocator, MEMKIT_ARENA_BUMP);
	size_t cap;
	u8 *p;

	KUNIT_ASSERT_NOT_NULL(test, memkit_alloc(&c->a, 100, 8, GFP_KERNEL));
	KUNIT_ASSERT_NOT_NULL(test, memkit_alloc(&c->a, 5000, 8, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, memkit_arena_reset(&c->arena, MEMKIT_ARENA_RETAIN_CAPACITY, 0,
						   GFP_KERNEL));
	cap = memkit_arena_query_capacity(&c->arena);
	p = memkit_alloc(&c->a, cap, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	/* KASAN checks that all of it is there; the pattern that it stays. */
	ar_fill(p, cap, 1);
	KUNIT_EXPECT_EQ(test, ar_stats(c).buffers, 1U);
	KUNIT_EXPECT_TRUE(test, ar_intact(p, cap, 1));
}

/* A reset whose re-allocation fails: false, empty but usable. */
static void ar_reset_realloc_fails(struct kunit *test)
{
	struct ar_ctx *c = ar_new(test, &ar_plain, MEMKIT_ARENA_BUMP);
	unsigned int i;
	u8 *p;

	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_NOT_NULL(test, memkit_alloc(&c->a, 500, 8, GFP_KERNEL));
	KUNIT_ASSERT_GT(test, ar_stats(c).buffers, 1U);
	/* From now on the child refuses every allocation. */
	c->fa.fail_index = c->fa.alloc_index;
	KUNIT_EXPECT_FALSE(test, memkit_arena_reset(&c->arena, MEMKIT_ARENA_RETAIN_CAPACITY, 0,
						    GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, ar_stats(c).buffers, 1U);
	KUNIT_EXPECT_EQ(test, ar_stats(c).current_used, (size_t)0);
	/* The kept buffer still serves what fits in it. */
	p = memkit_alloc(&c->a, 64, 8, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	/* And FREE_ALL always succeeds. */
	KUNIT_EXPECT_TRUE(test, memkit_arena_reset(&c->arena, MEMKIT_ARENA_FREE_ALL, 0,
						   GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, c->fa.allocated_bytes, c->fa.freed_bytes);
}

static void ar_workload(struct kunit *test, struct ar_ctx *c)
{
	unsigned int i;

	for (i = 0; i < 200; i++)
		KUNIT_ASSERT_NOT_NULL(test, memkit_alloc(&c->a, 16 * (1 + i % 16), 16,
							 GFP_KERNEL));
}

/* After a retain_capacity reset, the same workload needs no child call. */
static void ar_steady_state(struct kunit *test)
{
	struct ar_ctx *c = ar_new(test, &ar_plain, MEMKIT_ARENA_BUMP);
	unsigned int allocs, frees;

	ar_workload(test, c);
	KUNIT_EXPECT_TRUE(test, memkit_arena_reset(&c->arena, MEMKIT_ARENA_RETAIN_CAPACITY, 0,
						   GFP_KERNEL));
	ar_workload(test, c);
	KUNIT_EXPECT_TRUE(test, memkit_arena_reset(&c->arena, MEMKIT_ARENA_RETAIN_CAPACITY, 0,
						   GFP_KERNEL));
	allocs = c->fa.allocations;
	frees = c->fa.deallocations;
	ar_workload(test, c);
	KUNIT_EXPECT_TRUE(test, memkit_arena_reset(&c->arena, MEMKIT_ARENA_RETAIN_CAPACITY, 0,
						   GFP_KERNEL));
	ar_workload(test, c);
	KUNIT_EXPECT_EQ(test, c->fa.allocations, allocs);
	KUNIT_EXPECT_EQ(test, c->fa.deallocations, frees);
	kunit_info(test, "steady state: %u child allocations in total, none after round 2\n",
		   allocs);
}

static void ar_alignment_to_page(struct kunit *test)
{
	struct ar_ctx *c = ar_new(test, &memkit_kmalloc_allocator, ar_param(test));
	u8 *p[PAGE_SHIFT + 1];
	unsigned int k;

	for (k = 0; k <= PAGE_SHIFT; k++) {
		p[k] = memkit_alloc(&c->a, 24, 1UL << k, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[k]);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)p[k], 1UL << k),
				      "align %lu", 1UL << k);
		ar_fill(p[k], 24, k);
	}
	/* The padding in front of each never covered an earlier one. */
	for (k = 0; k <= PAGE_SHIFT; k++)
		KUNIT_EXPECT_TRUE_MSG(test, ar_intact(p[k], 24, k), "align %lu overwritten",
				      1UL << k);
}

/*
 * memkit_arena_alloc() keeps every rule memkit_alloc() keeps for the
 * arena: the same alignment, accounting and poisoning, zero length and
 * bad arguments answered without the child, and its memory given back
 * at reset.
 */
static void ar_direct_alloc(struct kunit *test)
{
	struct ar_ctx *c = ar_new(test, &memkit_kmalloc_allocator, ar_param(test));
	struct memkit_arena_usage st;
	unsigned int k, calls;
	u8 *p[PAGE_SHIFT + 1];
	size_t want = 0;

	memkit_kunit_poison_on(test);
	for (k = 0; k <= PAGE_SHIFT; k++) {
		p[k] = memkit_arena_alloc(&c->arena, 24 + k, 1UL << k, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[k]);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)p[k], 1UL << k),
				      "align %lu", 1UL << k);
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(p[k], 0xaa, 24 + k), "align %lu",
				      1UL << k);
		ar_fill(p[k], 24 + k, k);
		want += 24 + k;
	}
	for (k = 0; k <= PAGE_SHIFT; k++)
		KUNIT_EXPECT_TRUE_MSG(test, ar_intact(p[k], 24 + k, k), "align %lu overwritten",
				      1UL << k);
	st = ar_stats(c);
	KUNIT_EXPECT_EQ(test, st.handed_out, want);
	calls = c->fa.allocations;
	KUNIT_EXPECT_PTR_EQ(test, memkit_arena_alloc(&c->arena, 0, 8, GFP_KERNEL),
			    (void *)MEMKIT_ZERO_PTR);
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	KUNIT_EXPECT_NULL(test, memkit_arena_alloc(&c->arena, 16, 3, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 1U);
	KUNIT_EXPECT_NULL(test, memkit_arena_alloc(&c->arena, MEMKIT_ALLOC_MAX + 1, 8,
						   GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, c->fa.allocations, calls);
	KUNIT_EXPECT_EQ(test, ar_stats(c).handed_out, st.handed_out);
	KUNIT_EXPECT_TRUE(test, memkit_arena_reset(&c->arena, MEMKIT_ARENA_FREE_ALL, 0,
						   GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, c->fa.allocated_bytes, c->fa.freed_bytes);
}

/* Passthrough: one child allocation per object, all freed at reset. */
static void ar_passthrough_accounting(struct kunit *test)
{
	struct ar_ctx *c = ar_new(test, &memkit_kmalloc_allocator, MEMKIT_ARENA_PASSTHROUGH);
	u8 *p[10];
	unsigned int i;

	KUNIT_EXPECT_TRUE(test, ar_stats(c).passthrough);
	for (i = 0; i < 10; i++) {
		p[i] = memkit_alloc(&c->a, 40, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	KUNIT_EXPECT_EQ(test, c->fa.allocations, 10U);
	KUNIT_EXPECT_EQ(test, ar_stats(c).objects, (size_t)10);
	/* Any object, not just the last, is freed at once. */
	memkit_free(&c->a, p[3], 40, 8);
	KUNIT_EXPECT_EQ(test, c->fa.deallocations, 1U);
	KUNIT_EXPECT_EQ(test, ar_stats(c).objects, (size_t)9);
	KUNIT_EXPECT_TRUE(test, memkit_arena_reset(&c->arena, MEMKIT_ARENA_RETAIN_CAPACITY, 0,
						   GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, c->fa.deallocations, 10U);
	KUNIT_EXPECT_EQ(test, c->fa.allocated_bytes, c->fa.freed_bytes);
	KUNIT_EXPECT_EQ(test, ar_stats(c).objects, (size_t)0);
}

static void ar_init_exit(struct kunit *test)
{
	struct memkit_arena arena;
	static const struct memkit_allocator no_ops = {};
	struct memkit_arena_usage st;

	KUNIT_EXPECT_EQ(test, memkit_arena_init(&arena, NULL, MEMKIT_ARENA_BUMP), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_arena_init(&arena, &no_ops, MEMKIT_ARENA_BUMP), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_arena_init(&arena, &ar_plain, 9), -EINVAL);
	memkit_arena_exit(&arena);
	KUNIT_EXPECT_EQ(test, memkit_arena_init(&arena, &ar_plain, MEMKIT_ARENA_DEFAULT), 0);
	memkit_arena_stats(&arena, &st);
	KUNIT_EXPECT_EQ(test, st.passthrough, IS_ENABLED(CONFIG_KASAN));
	memkit_arena_exit(&arena);
	memkit_arena_exit(&arena);
}

/* A body for the failure sweep: an arena on the failing allocator. */
static int ar_sweep_body(const struct memkit_allocator *a, void *arg)
{
	enum memkit_arena_mode mode = *(enum memkit_arena_mode *)arg;
	struct memkit_arena arena;
	struct memkit_allocator aa;
	int ret = 0, i;

	if (memkit_arena_init(&arena, a, mode))
		return -EINVAL;
	aa = memkit_arena_allocator(&arena);
	for (i = 0; i < 12 && !ret; i++)
		if (!memkit_alloc(&aa, 300 * (i + 1), 16, GFP_KERNEL))
			ret = -ENOMEM;
	if (!ret && !memkit_arena_reset(&arena, MEMKIT_ARENA_RETAIN_CAPACITY, 0, GFP_KERNEL))
		ret = -ENOMEM;
	memkit_arena_exit(&arena);
	return ret;
}

static void ar_allocation_failures(struct kunit *test)
{
	enum memkit_arena_mode mode = ar_param(test);
	struct memkit_alloc_failure_report r;

	KUNIT_EXPECT_EQ_MSG(test, memkit_check_all_allocation_failures(&ar_plain, ar_sweep_body,
								       &mode, &r), 0,
			    "index %d returned %d, leaked %zu", r.bad_index, r.ret,
			    r.leaked_bytes);
	KUNIT_EXPECT_GT(test, r.allocations, 1U);
}

static void ar_debugfs(struct kunit *test)
{
	struct ar_ctx *c = ar_new(test, &ar_plain, MEMKIT_ARENA_BUMP);
	struct memkit_kunit_reader *rd;
	struct memkit_arena_usage st;
	char line[48];

	if (!memkit_kunit_debugfs_mounted())
		kunit_skip(test, "debugfs is not mounted at /sys/kernel/debug");
	rd = memkit_kunit_reader(test);
	KUNIT_ASSERT_EQ(test, memkit_arena_register(&c->arena, "kt-arena"), 0);
	KUNIT_ASSERT_NOT_NULL(test, memkit_alloc(&c->a, 100, 8, GFP_KERNEL));
	KUNIT_ASSERT_NOT_NULL(test, memkit_alloc(&c->a, 1000, 8, GFP_KERNEL));
	KUNIT_ASSERT_GT(test, memkit_kunit_read(rd, "/sys/kernel/debug/memkit/kt-arena/stats"), 0);
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "buffers       2\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "handed_out    1100\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "current_used  1000\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "child_allocs  2\n"));
	st = ar_stats(c);
	KUNIT_EXPECT_GE(test, st.current_size, 1000);
	KUNIT_EXPECT_LT(test, st.current_size, st.capacity);
	snprintf(line, sizeof(line), "current_size  %zu\n", st.current_size);
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, line));
	memkit_arena_reset(&c->arena, MEMKIT_ARENA_FREE_ALL, 0, GFP_KERNEL);
	KUNIT_ASSERT_GT(test, memkit_kunit_read(rd, "/sys/kernel/debug/memkit/kt-arena/stats"), 0);
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "resets        1\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "capacity      0\n"));
	/* exit unregisters. */
	kunit_release_action(test, ar_exit_action, &c->arena);
	KUNIT_EXPECT_EQ(test, memkit_kunit_read(rd, "/sys/kernel/debug/memkit/kt-arena/stats"),
			(ssize_t)-ENOENT);
}

/* A reset reaches events/memkit/ with its mode and the capacity it left. */
static void ar_trace_events(struct kunit *test)
{
	struct memkit_kunit_reader *rd = memkit_kunit_reader(test);
	struct ar_ctx *c = ar_new(test, &ar_plain, MEMKIT_ARENA_BUMP);
	const char *t, *keep, *drop;
	size_t cap;

	KUNIT_ASSERT_NOT_NULL(test, memkit_alloc(&c->a, 100, 8, GFP_KERNEL));
	cap = ar_stats(c).capacity;
	keep = memkit_kunit_printf(test, "mode=retain_capacity capacity=%zu->%zu ok=1 caller=%s+",
				   cap, cap, __func__);
	drop = memkit_kunit_printf(test, "mode=free_all capacity=%zu->0 ok=1 caller=%s+",
				   cap, __func__);
	memkit_kunit_trace_begin(test);
	KUNIT_EXPECT_TRUE(test, memkit_arena_reset(&c->arena, MEMKIT_ARENA_RETAIN_CAPACITY, 0,
						   GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, memkit_arena_reset(&c->arena, MEMKIT_ARENA_FREE_ALL, 0,
						   GFP_KERNEL));
	t = memkit_kunit_trace_end(test, rd);
	KUNIT_EXPECT_EQ_MSG(test, memkit_kunit_count(t, "memkit_arena_reset: "), 2U, "%s", t);
	KUNIT_EXPECT_EQ_MSG(test, memkit_kunit_count(t, keep), 1U, "no '%s' in:\n%s", keep, t);
	KUNIT_EXPECT_EQ_MSG(test, memkit_kunit_count(t, drop), 1U, "no '%s' in:\n%s", drop, t);
}

static int arena_suite_init(struct kunit_suite *suite)
{
	arena_seed = memkit_kunit_seed(suite);
	return 0;
}

static struct kunit_case memkit_arena_cases[] = {
	KUNIT_CASE_PARAM(ar_reset_with_preheating, ar_mode_gen_params),
	KUNIT_CASE(ar_reset_retaining_buffer),
	KUNIT_CASE(ar_growth_rule),
	KUNIT_CASE(ar_grows_in_place),
	KUNIT_CASE(ar_last_allocation_only),
	KUNIT_CASE_PARAM(ar_free_all, ar_mode_gen_params),
	KUNIT_CASE(ar_retain_capacity),
	KUNIT_CASE(ar_retain_with_limit),
	KUNIT_CASE(ar_limit_zero_is_free_all),
	KUNIT_CASE(ar_limit_below_header),
	KUNIT_CASE(ar_kept_buffer_alive),
	KUNIT_CASE(ar_reset_realloc_fails),
	KUNIT_CASE(ar_steady_state),
	KUNIT_CASE_PARAM(ar_alignment_to_page, ar_mode_gen_params),
	KUNIT_CASE_PARAM(ar_direct_alloc, ar_mode_gen_params),
	KUNIT_CASE(ar_passthrough_accounting),
	KUNIT_CASE(ar_init_exit),
	KUNIT_CASE_PARAM(ar_allocation_failures, ar_mode_gen_params),
	KUNIT_CASE(ar_debugfs),
	KUNIT_CASE(ar_trace_events),
	{}
};

static struct kunit_suite memkit_arena_suite = {
	.name = "memkit_arena",
	.suite_init = arena_suite_init,
	.test_cases = memkit_arena_cases,
};

kunit_test_suites(&memkit_arena_suite);
