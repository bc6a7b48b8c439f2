// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for memkit_pool.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <memkit/bug.h>
#include <memkit/pool.h>
#include <memkit/testing.h>

#include "memkit_kunit.h"

static u64 pool_seed;

KUNIT_DEFINE_ACTION_WRAPPER(pl_exit_action, memkit_pool_exit, struct memkit_pool *);

/* A pool over a failing allocator over kmalloc, so child calls are counted. */
struct pl_ctx {
	struct memkit_failing_allocator fa;
	struct memkit_pool pool;
};

static struct pl_ctx *pl_new(struct kunit *test, size_t size, size_t align,
			     unsigned int flags, size_t preheat)
{
	struct pl_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct memkit_allocator fa;

	KUNIT_ASSERT_NOT_NULL(test, c);
	memkit_failing_allocator_init(&c->fa, &memkit_kmalloc_allocator, UINT_MAX, UINT_MAX);
	fa = memkit_failing_as_allocator(&c->fa);
	KUNIT_ASSERT_EQ(test, memkit_pool_init_preheated(&c->pool, &fa, size, align, flags,
							 preheat), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pl_exit_action, &c->pool), 0);
	return c;
}

static struct memkit_pool_usage pl_stats(struct pl_ctx *c)
{
	struct memkit_pool_usage st;

	memkit_pool_stats(&c->pool, &st);
	return st;
}

/* Unique pointers; a freed slot is the next one handed out. */
static void pl_unique_and_reuse(struct kunit *test)
{
	struct pl_ctx *c = pl_new(test, sizeof(u32), 0, MEMKIT_POOL_BUMP, 0);
	u32 *a = memkit_pool_alloc(&c->pool, GFP_KERNEL);
	u32 *b = memkit_pool_alloc(&c->pool, GFP_KERNEL);
	u32 *d = memkit_pool_alloc(&c->pool, GFP_KERNEL);
	u32 *e;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_PTR_NE(test, a, b);
	KUNIT_EXPECT_PTR_NE(test, b, d);
	KUNIT_EXPECT_PTR_NE(test, a, d);
	memkit_pool_free(&c->pool, b);
	e = memkit_pool_alloc(&c->pool, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, e, b);
	KUNIT_EXPECT_EQ(test, pl_stats(c).live, (size_t)3);
	KUNIT_EXPECT_EQ(test, pl_stats(c).allocs, 4UL);
	KUNIT_EXPECT_EQ(test, pl_stats(c).frees, 1UL);
}

/* Preheated objects are handed out without a child call. */
static void pl_preheat(struct kunit *test)
{
	struct pl_ctx *c = pl_new(test, 64, 0, MEMKIT_POOL_BUMP, 4);
	unsigned int allocs = c->fa.allocations, i;

	KUNIT_EXPECT_EQ(test, pl_stats(c).free, (size_t)4);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_NOT_NULL(test, memkit_pool_alloc(&c->pool, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, c->fa.allocations, allocs);
	KUNIT_EXPECT_EQ(test, pl_stats(c).free, (size_t)0);
	KUNIT_EXPECT_EQ(test, memkit_pool_preheat(&c->pool, 3, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, pl_stats(c).capacity, (size_t)7);
}

/* init_preheated unwinds when the child fails partway. */
static void pl_preheat_failure(struct kunit *test)
{
	struct memkit_failing_allocator fa;
	struct memkit_allocator a;
	struct memkit_pool pool;
	unsigned int mode;

	for (mode = 0; mode < 2; mode++) {
		memkit_failing_allocator_init(&fa, &memkit_kmalloc_allocator, 2, UINT_MAX);
		a = memkit_failing_as_allocator(&fa);
		KUNIT_EXPECT_EQ(test, memkit_pool_init_preheated(&pool, &a, 4000, 0,
								 mode ? MEMKIT_POOL_PASSTHROUGH :
									MEMKIT_POOL_BUMP, 16),
				-ENOMEM);
		KUNIT_EXPECT_TRUE(test, fa.has_induced_failure);
		KUNIT_EXPECT_EQ(test, fa.allocated_bytes, fa.freed_bytes);
		/* The failed pool is zeroed: exit is a no-op. */
		memkit_pool_exit(&pool);
	}
}

/* A fixed pool with 4 preheated objects: the 5th alloc fails. */
static void pl_fixed(struct kunit *test)
{
	struct pl_ctx *c = pl_new(test, 32, 0, MEMKIT_POOL_FIXED | MEMKIT_POOL_BUMP, 4);
	unsigned int allocs = c->fa.allocations, i;
	void *p[4];

	for (i = 0; i < 4; i++) {
		p[i] = memkit_pool_alloc(&c->pool, GFP_KERNEL);
		KUNIT_EXPECT_NOT_NULL(test, p[i]);
	}
	KUNIT_EXPECT_NULL(test, memkit_pool_alloc(&c->pool, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, pl_stats(c).failed, 1UL);
	KUNIT_EXPECT_EQ(test, c->fa.allocations, allocs);
	memkit_pool_free(&c->pool, p[2]);
	KUNIT_EXPECT_PTR_EQ(test, memkit_pool_alloc(&c->pool, GFP_KERNEL), p[2]);
	KUNIT_EXPECT_NULL(test, memkit_pool_alloc(&c->pool, GFP_KERNEL));
}

static void pl_alignment(struct kunit *test)
{
	static const size_t aligns[] = { 0, 16, 64, 256, PAGE_SIZE };
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(aligns); i++) {
		struct pl_ctx *c = pl_new(test, 24, aligns[i], 0, 0);
		size_t want = max_t(size_t, aligns[i], sizeof(void *));

		KUNIT_EXPECT_EQ(test, pl_stats(c).item_align, want);
		KUNIT_EXPECT_EQ(test, pl_stats(c).item_size % want, (size_t)0);
		for (j = 0; j < 8; j++) {
			void *p = memkit_pool_alloc(&c->pool, GFP_KERNEL);

			KUNIT_ASSERT_NOT_NULL(test, p);
			KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)p, want),
					      "align %zu", want);
		}
	}
}

/* Objects smaller than a pointer, and of odd sizes, never overlap. */
static void pl_small_and_odd(struct kunit *test)
{
	static const size_t sizes[] = { 1, 3, 13, 100 };
	unsigned int s, i;
	u8 **p;

	p = kunit_kcalloc(test, 100, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		struct pl_ctx *c = pl_new(test, sizes[s], 0, 0, 0);

		KUNIT_EXPECT_GE(test, pl_stats(c).item_size, max(sizes[s], sizeof(void *)));
		for (i = 0; i < 100; i++) {
			p[i] = memkit_pool_alloc(&c->pool, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p[i]);
			memset(p[i], i, sizes[s]);
		}
		for (i = 0; i < 100; i++)
			KUNIT_EXPECT_NULL_MSG(test, memchr_inv(p[i], i, sizes[s]),
					      "size %zu object %u", sizes[s], i);
		/* Free half (the free list overwrites their first word). */
		for (i = 0; i < 100; i += 2)
			memkit_pool_free(&c->pool, p[i]);
		for (i = 1; i < 100; i += 2)
			KUNIT_EXPECT_NULL(test, memchr_inv(p[i], i, sizes[s]));
	}
}

static void pl_reset_modes(struct kunit *test)
{
	struct pl_ctx *c = pl_new(test, 48, 0, MEMKIT_POOL_BUMP, 0);
	unsigned int i, allocs;

	for (i = 0; i < 50; i++)
		KUNIT_ASSERT_NOT_NULL(test, memkit_pool_alloc(&c->pool, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, memkit_pool_reset(&c->pool, MEMKIT_ARENA_RETAIN_CAPACITY, 0,
						  GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, pl_stats(c).live, (size_t)0);
	KUNIT_EXPECT_EQ(test, pl_stats(c).free, (size_t)0);
	/* The same 50 objects again: from the retained arena, no child call. */
	allocs = c->fa.allocations;
	for (i = 0; i < 50; i++)
		KUNIT_ASSERT_NOT_NULL(test, memkit_pool_alloc(&c->pool, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, c->fa.allocations, allocs);
	KUNIT_EXPECT_TRUE(test, memkit_pool_reset(&c->pool, MEMKIT_ARENA_FREE_ALL, 0,
						  GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, c->fa.allocated_bytes, c->fa.freed_bytes);
	KUNIT_EXPECT_EQ(test, pl_stats(c).high_water, (size_t)50);
}

/* Passthrough: objects are child allocations, freed on free. */
static void pl_passthrough(struct kunit *test)
{
	struct pl_ctx *c = pl_new(test, 40, 0, MEMKIT_POOL_PASSTHROUGH, 0);
	struct pl_ctx *f = pl_new(test, 40, 0, MEMKIT_POOL_PASSTHROUGH | MEMKIT_POOL_FIXED, 2);
	void *p, *q, *r;

	KUNIT_EXPECT_TRUE(test, pl_stats(c).passthrough);
	p = memkit_pool_alloc(&c->pool, GFP_KERNEL);
	q = memkit_pool_alloc(&c->pool, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, c->fa.allocations, 2U);
	memkit_pool_free(&c->pool, p);
	KUNIT_EXPECT_EQ(test, c->fa.deallocations, 1U);
	memkit_pool_free(&c->pool, q);
	KUNIT_EXPECT_EQ(test, c->fa.allocated_bytes, c->fa.freed_bytes);

	/* A fixed passthrough pool re-allocates up to what was preheated. */
	p = memkit_pool_alloc(&f->pool, GFP_KERNEL);
	q = memkit_pool_alloc(&f->pool, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, q);
	memkit_pool_free(&f->pool, p);
	r = memkit_pool_alloc(&f->pool, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, r);
	KUNIT_EXPECT_NULL(test, memkit_pool_alloc(&f->pool, GFP_KERNEL));
}

struct pl_item {
	u64 owner;
	u64 seq;
	u8 pad[40];
};

#define PL_THREADS	4
#define PL_LIVE		32

struct pl_thread {
	struct memkit_pool *pool;
	struct completion done;
	unsigned long deadline;
	u64 seed;
	u32 ops, errors;
	struct pl_item *live[PL_LIVE];
	u64 token[PL_LIVE];
};

static int pl_thread_fn(void *arg)
{
	struct pl_thread *t = arg;
	struct rnd_state rs;
	u32 n = 0;

	prandom_seed_state(&rs, t->seed);
	while (time_before(jiffies, t->deadline)) {
		if (n && (prandom_u32_state(&rs) % 2 || n == PL_LIVE)) {
			u32 v = prandom_u32_state(&rs) % n;
			struct pl_item *it = t->live[v];

			/* Nobody else was handed, or wrote to, our object. */
			if (it->owner != (unsigned long)t || it->seq != t->token[v])
				t->errors++;
			memkit_pool_free(t->pool, it);
			n--;
			t->live[v] = t->live[n];
			t->token[v] = t->token[n];
		} else {
			struct pl_item *it = memkit_pool_new(t->pool, struct pl_item, GFP_ATOMIC);

			if (!it) {
				t->errors++;
				break;
			}
			it->owner = (unsigned long)t;
			t->token[n] = prandom_u32_state(&rs);
			it->seq = t->token[n];
			t->live[n++] = it;
		}
		if (++t->ops % 64 == 0)
			cond_resched();
	}
	while (n)
		memkit_pool_free(t->pool, t->live[--n]);
	complete(&t->done);
	return 0;
}

/*
 * 4 threads share a locked pool; each object carries its owner and a token
 * the owner keeps, so an object handed to two threads at once is caught;
 * every object is accounted for after.  @mode_flag picks bump mode (the
 * shared free list; with CONFIG_KASAN the default would be passthrough)
 * or passthrough.
 */
static void pl_threads(struct kunit *test, unsigned int mode_flag)
{
	struct pl_ctx *c = pl_new(test, sizeof(struct pl_item), __alignof__(struct pl_item),
				  MEMKIT_POOL_LOCKED | mode_flag, 0);
	struct memkit_pool_usage st;
	struct pl_thread *t;
	u32 i, ops = 0;

	t = kunit_kcalloc(test, PL_THREADS, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	for (i = 0; i < PL_THREADS; i++) {
		struct task_struct *task;

		t[i].pool = &c->pool;
		t[i].seed = pool_seed + i;
		t[i].deadline = jiffies + HZ;
		init_completion(&t[i].done);
		task = kthread_run(pl_thread_fn, &t[i], "memkit-pool-%u", i);
		if (IS_ERR(task))
			complete(&t[i].done);
		KUNIT_EXPECT_FALSE(test, IS_ERR(task));
	}
	for (i = 0; i < PL_THREADS; i++) {
		wait_for_completion(&t[i].done);
		KUNIT_EXPECT_EQ(test, t[i].errors, 0U);
		ops += t[i].ops;
	}
	st = pl_stats(c);
	kunit_info(test, "%u threads, %u operations, high water %zu, seed %llu\n",
		   PL_THREADS, ops, st.high_water, pool_seed);
	KUNIT_EXPECT_GT(test, ops, 0U);
	KUNIT_EXPECT_EQ(test, st.live, (size_t)0);
	KUNIT_EXPECT_EQ(test, st.allocs, st.frees);
	KUNIT_EXPECT_EQ(test, st.capacity, st.free);
	KUNIT_EXPECT_LE(test, st.high_water, (size_t)PL_THREADS * PL_LIVE);
	KUNIT_EXPECT_EQ(test, st.failed, 0UL);
	if (mode_flag == MEMKIT_POOL_BUMP) {
		/* The free list held every object and was reused many times. */
		KUNIT_EXPECT_GT(test, st.capacity, (size_t)0);
		KUNIT_EXPECT_LE(test, st.capacity, (size_t)PL_THREADS * PL_LIVE);
		KUNIT_EXPECT_LT(test, (unsigned long)st.capacity, st.allocs);
	} else {
		KUNIT_EXPECT_EQ(test, st.capacity, (size_t)0);
	}
}

static void pl_locked_threads_free_list(struct kunit *test)
{
	pl_threads(test, MEMKIT_POOL_BUMP);
}

static void pl_locked_threads_passthrough(struct kunit *test)
{
	pl_threads(test, MEMKIT_POOL_PASSTHROUGH);
}

/* Caller bugs: a sleeping gfp on a locked pool, a too-small pool, over-free. */
static void pl_caller_bugs(struct kunit *test)
{
	struct pl_ctx *l = pl_new(test, 16, 0, MEMKIT_POOL_LOCKED, 0);
	/* u64 is 4-aligned on i386 and 8-aligned elsewhere: ask for its own. */
	struct pl_ctx *s = pl_new(test, 16, __alignof__(u64), 0, 0);
	u64 dummy[2];

	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	KUNIT_EXPECT_NULL(test, memkit_pool_alloc(&l->pool, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, memkit_pool_preheat(&l->pool, 1, GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_NULL(test, memkit_pool_new(&s->pool, struct pl_item, GFP_KERNEL));
	memkit_pool_free(&s->pool, dummy);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 4U);
	/* Nothing changed, but every NULL alloc was counted. */
	KUNIT_EXPECT_EQ(test, pl_stats(s).free, (size_t)0);
	KUNIT_EXPECT_EQ(test, pl_stats(l).failed, 1UL);
	KUNIT_EXPECT_EQ(test, pl_stats(s).failed, 1UL);
	KUNIT_EXPECT_NOT_NULL(test, memkit_pool_alloc(&l->pool, GFP_ATOMIC));
	KUNIT_EXPECT_NOT_NULL(test, memkit_pool_new(&s->pool, u64, GFP_KERNEL));
}

/*
 * Double free, foreign pointers, an overwritten free list, in bump mode.
 * Before the check word, a double free listed the object twice and
 * the next two allocs returned the same pointer; a foreign pointer was
 * handed out later.
 */
static void pl_destroy_caller_bugs(struct kunit *test)
{
	struct pl_ctx *c = pl_new(test, 48, 16, MEMKIT_POOL_BUMP, 0);
	struct pl_ctx *other = pl_new(test, 48, 16, MEMKIT_POOL_BUMP, 0);
	u8 *a = memkit_pool_alloc(&c->pool, GFP_KERNEL);
	u8 *b = memkit_pool_alloc(&c->pool, GFP_KERNEL);
	u8 *o = memkit_pool_alloc(&other->pool, GFP_KERNEL);
	u8 *x, *y, *z, stack[64];
	void *heap = kunit_kzalloc(test, 64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, o);
	memkit_pool_free(&c->pool, a);
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	memkit_pool_free(&c->pool, a);		/* twice */
	memkit_pool_free(&c->pool, stack);		/* not the pool's */
	memkit_pool_free(&c->pool, heap);
	memkit_pool_free(&c->pool, o);		/* another pool's */
	memkit_pool_free(&c->pool, b + 8);		/* inside an object */
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 5U);
	KUNIT_EXPECT_EQ(test, pl_stats(c).live, (size_t)1);
	KUNIT_EXPECT_EQ(test, pl_stats(c).free, (size_t)1);
	KUNIT_EXPECT_EQ(test, pl_stats(c).frees, 1UL);
	/* Three allocs, three different objects: a came back once only. */
	x = memkit_pool_alloc(&c->pool, GFP_KERNEL);
	y = memkit_pool_alloc(&c->pool, GFP_KERNEL);
	z = memkit_pool_alloc(&c->pool, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, y);
	KUNIT_ASSERT_NOT_NULL(test, z);
	KUNIT_EXPECT_PTR_EQ(test, x, a);
	KUNIT_EXPECT_PTR_NE(test, y, a);
	KUNIT_EXPECT_PTR_NE(test, z, a);
	KUNIT_EXPECT_PTR_NE(test, y, z);
	KUNIT_EXPECT_PTR_NE(test, (void *)y, (void *)stack);
	KUNIT_EXPECT_PTR_NE(test, (void *)z, heap);

	/* A use after free that overwrites the free object: list dropped. */
	memkit_pool_free(&c->pool, y);
	memset(y, 0x5a, 48);
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	x = memkit_pool_alloc(&c->pool, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 1U);
	KUNIT_EXPECT_NOT_NULL(test, x);
	KUNIT_EXPECT_PTR_NE(test, x, y);
	KUNIT_EXPECT_EQ(test, pl_stats(c).free, (size_t)0);
}

/* The same in passthrough mode, through the arena's header check. */
static void pl_passthrough_caller_bugs(struct kunit *test)
{
	struct pl_ctx *c = pl_new(test, 48, 0, MEMKIT_POOL_PASSTHROUGH, 0);
	u8 *a = memkit_pool_alloc(&c->pool, GFP_KERNEL);
	void *heap = kunit_kzalloc(test, 256, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, heap);
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	memkit_pool_free(&c->pool, (u8 *)heap + 128);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 1U);
	KUNIT_EXPECT_EQ(test, pl_stats(c).live, (size_t)1);
	memkit_pool_free(&c->pool, a);
	KUNIT_EXPECT_EQ(test, pl_stats(c).live, (size_t)0);
}

/*
 * A locked pool over kvmalloc whose buffers are vmalloc'ed: reset and a
 * passthrough free give them back.  Before, both called vfree() under
 * the pool's irq-safe lock, which CONFIG_DEBUG_ATOMIC_SLEEP reports
 * ("sleeping function called from invalid context"), failing the run.
 */
static void pl_locked_frees_after_unlock(struct kunit *test)
{
	struct memkit_pool *pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	void *big;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, memkit_pool_init_preheated(pool, &memkit_kvmalloc_allocator,
							 SZ_64K, 0,
							 MEMKIT_POOL_LOCKED | MEMKIT_POOL_BUMP,
							 128), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pl_exit_action, pool), 0);
	for (i = 0; i < 16; i++)
		KUNIT_EXPECT_NOT_NULL(test, memkit_pool_alloc(pool, GFP_ATOMIC));
	/* 8 MiB of objects: the arena's buffers are past kmalloc's reach. */
	KUNIT_EXPECT_TRUE(test, memkit_pool_reset(pool, MEMKIT_ARENA_FREE_ALL, 0, GFP_ATOMIC));

	pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, memkit_pool_init_preheated(pool, &memkit_kvmalloc_allocator,
							 SZ_8M, 0, MEMKIT_POOL_LOCKED |
							 MEMKIT_POOL_PASSTHROUGH, 2), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pl_exit_action, pool), 0);
	big = memkit_pool_alloc(pool, GFP_ATOMIC);
	KUNIT_ASSERT_NOT_NULL(test, big);
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(big));
	memkit_pool_free(pool, big);
	KUNIT_EXPECT_TRUE(test, memkit_pool_reset(pool, MEMKIT_ARENA_FREE_ALL, 0, GFP_ATOMIC));
}

static void pl_typed(struct kunit *test)
{
	struct memkit_pool pool;
	struct pl_item *it;

	KUNIT_ASSERT_EQ(test, memkit_pool_init_for(&pool, &memkit_kmalloc_allocator,
						   struct pl_item, 0), 0);
	it = memkit_pool_new(&pool, struct pl_item, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, it);
	if (it)
		it->seq = 1;
	memkit_pool_free(&pool, it);
	memkit_pool_exit(&pool);
}

static void pl_init_bad_args(struct kunit *test)
{
	const unsigned int both = MEMKIT_POOL_PASSTHROUGH | MEMKIT_POOL_BUMP;
	const struct memkit_allocator *k = &memkit_kmalloc_allocator;
	struct memkit_pool pool;

	KUNIT_EXPECT_EQ(test, memkit_pool_init(&pool, k, 0, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_pool_init(&pool, k, 8, 3, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_pool_init(&pool, k, 8, 0, BIT(9)), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_pool_init(&pool, k, 8, 0, both), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_pool_init(&pool, k, SIZE_MAX, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_pool_init(&pool, NULL, 8, 0, 0), -EINVAL);
	memkit_pool_exit(&pool);
}

/* The sweep body: a preheated pool, some allocs, then exit. */
static int pl_sweep_body(const struct memkit_allocator *a, void *arg)
{
	unsigned int flags = *(unsigned int *)arg, i;
	struct memkit_pool pool;
	int ret;

	ret = memkit_pool_init_preheated(&pool, a, 200, 0, flags, 8);
	if (ret)
		return ret;
	for (i = 0; i < 20 && !ret; i++)
		if (!memkit_pool_alloc(&pool, GFP_KERNEL))
			ret = -ENOMEM;
	memkit_pool_exit(&pool);
	return ret;
}

static void pl_allocation_failures(struct kunit *test)
{
	static const unsigned int modes[] = { MEMKIT_POOL_BUMP, MEMKIT_POOL_PASSTHROUGH };
	const struct memkit_allocator *k = &memkit_kmalloc_allocator;
	struct memkit_alloc_failure_report r;
	unsigned int i, flags;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		flags = modes[i];
		KUNIT_EXPECT_EQ_MSG(test, memkit_check_all_allocation_failures(k, pl_sweep_body,
									       &flags, &r), 0,
				    "mode %u: index %d returned %d, leaked %zu", flags,
				    r.bad_index, r.ret, r.leaked_bytes);
		KUNIT_EXPECT_GT(test, r.allocations, 1U);
	}
}

static void pl_debugfs(struct kunit *test)
{
	struct pl_ctx *c = pl_new(test, 24, 16, MEMKIT_POOL_BUMP, 2);
	struct memkit_kunit_reader *rd;
	void *p[3];
	int i;

	if (!memkit_kunit_debugfs_mounted())
		kunit_skip(test, "debugfs is not mounted at /sys/kernel/debug");
	rd = memkit_kunit_reader(test);
	KUNIT_ASSERT_EQ(test, memkit_pool_register(&c->pool, "kt-pool"), 0);
	for (i = 0; i < 3; i++)
		p[i] = memkit_pool_alloc(&c->pool, GFP_KERNEL);
	memkit_pool_free(&c->pool, p[1]);
	KUNIT_ASSERT_GT(test, memkit_kunit_read(rd, "/sys/kernel/debug/memkit/kt-pool/stats"), 0);
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "object_size   32\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "object_align  16\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "live          2\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "free_list     1\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "capacity      3\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "high_water    3\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "allocs        3\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "frees         1\n"));
	KUNIT_ASSERT_GT(test, memkit_kunit_read(rd, "/sys/kernel/debug/memkit/summary"), 0);
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "kt-pool"));
}

static int pool_suite_init(struct kunit_suite *suite)
{
	pool_seed = memkit_kunit_seed(suite);
	return 0;
}

/* Objects taken and given back reach events/memkit/, naming the caller. */
static void pl_trace_events(struct kunit *test)
{
	struct memkit_kunit_reader *rd = memkit_kunit_reader(test);
	struct pl_ctx *c = pl_new(test, sizeof(u32), 0, MEMKIT_POOL_BUMP, 0);
	char *caller = memkit_kunit_printf(test, "caller=%s+", __func__);
	const char *t;
	u32 *a, *b;

	memkit_kunit_trace_begin(test);
	a = memkit_pool_alloc(&c->pool, GFP_KERNEL);
	b = memkit_pool_new(&c->pool, u32, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	memkit_pool_free(&c->pool, a);
	memkit_pool_free(&c->pool, b);
	t = memkit_kunit_trace_end(test, rd);
	KUNIT_EXPECT_EQ_MSG(test, memkit_kunit_count(t, "memkit_pool_alloc: "), 2U, "%s", t);
	KUNIT_EXPECT_EQ_MSG(test, memkit_kunit_count(t, "memkit_pool_free: "), 2U, "%s", t);
	KUNIT_EXPECT_EQ_MSG(test, memkit_kunit_count(t, caller), 4U, "%s", t);
}

static struct kunit_case memkit_pool_cases[] = {
	KUNIT_CASE(pl_unique_and_reuse),
	KUNIT_CASE(pl_preheat),
	KUNIT_CASE(pl_preheat_failure),
	KUNIT_CASE(pl_fixed),
	KUNIT_CASE(pl_alignment),
	KUNIT_CASE(pl_small_and_odd),
	KUNIT_CASE(pl_reset_modes),
	KUNIT_CASE(pl_passthrough),
	KUNIT_CASE(pl_caller_bugs),
	KUNIT_CASE(pl_destroy_caller_bugs),
	KUNIT_CASE(pl_passthrough_caller_bugs),
	KUNIT_CASE(pl_locked_frees_after_unlock),
	KUNIT_CASE(pl_typed),
	KUNIT_CASE(pl_init_bad_args),
	KUNIT_CASE(pl_allocation_failures),
	KUNIT_CASE(pl_debugfs),
	KUNIT_CASE(pl_trace_events),
	KUNIT_CASE_SLOW(pl_locked_threads_free_list),
	KUNIT_CASE_SLOW(pl_locked_threads_passthrough),
	{}
};

static struct kunit_suite memkit_pool_suite = {
	.name = "memkit_pool",
	.suite_init = pool_suite_init,
	.test_cases = memkit_pool_cases,
};

kunit_test_suites(&memkit_pool_suite);
