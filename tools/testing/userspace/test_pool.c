// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_pool against a model, natively, under ASan/UBSan.
 *
 * For several object shapes and flag sets (growable and fixed; bump and
 * passthrough): random allocs, frees, preheats and resets over a
 * child that fails on command.  The model holds every live object and the
 * pattern written into it:
 *  - an alloc returns an aligned object distinct from every live one, or
 *    NULL only when the child failed or a fixed pool is exhausted;
 *  - every batch, every live object still holds its pattern, and
 *    memkit_pool_stats() agrees with the model (live, allocs, frees);
 *  - after reset(FREE_ALL) and exit the child holds nothing.
 * Then four threads share a locked bump pool (its free list), each object
 * tagged with its owner, and every owner checks its objects.
 *
 * Built with UT_FUZZER, the same model test is a libFuzzer target: the
 * input picks the shape, every operation and every child failure; the
 * full check runs every 16 operations and at the end.
 */

#include <memkit/allocator.h>
#include <memkit/bug.h>
#include <memkit/pool.h>
#include <memkit/testing.h>

#include "harness.h"

#define PL_MAX		2048

struct shape {
	size_t size, align;
	unsigned int flags;
	const char *name;
};

static const struct shape shapes[] = {
	{ 8, 0, 0, "8 bytes" },
	{ 64, 64, MEMKIT_POOL_BUMP, "64/64 bump" },
	{ 24, 8, MEMKIT_POOL_PASSTHROUGH, "24 passthrough" },
	{ 100, 16, MEMKIT_POOL_FIXED | MEMKIT_POOL_BUMP, "100/16 fixed" },
	{ 40, 8, MEMKIT_POOL_FIXED | MEMKIT_POOL_PASSTHROUGH, "40 fixed passthrough" },
	{ 4096, 4096, MEMKIT_POOL_BUMP, "4096/4096" },
};

struct obj {
	u8 *p;
	u8 tag;
};

static struct obj live[PL_MAX];
static u32 nr_live;

/* Objects freed and not handed out again since (bump mode's free list). */
#define PL_FREED	16
static u8 *freed[PL_FREED];

static void forget_freed(const u8 *p)
{
	u32 i;

	for (i = 0; i < PL_FREED; i++)
		if (freed[i] == p)
			freed[i] = NULL;
}

/* Memory no pool handed out, big enough to hold a passthrough header. */
static u8 foreign[8192] __aligned(4096);
static unsigned long bad_frees;

/*
 * A caller bug: free of a pointer that is not a live object (a double
 * free in bump mode, a foreign pointer, a pointer inside a live
 * object).  Reported once, refused: the pool and its counters unchanged.
 */
static void bad_destroy(struct memkit_pool *pool, const struct shape *s, struct ut_rng *rng)
{
	bool passthrough = s->flags & MEMKIT_POOL_PASSTHROUGH;
	struct memkit_pool_usage before, after;
	u32 k = ut_rng_below(rng, 3);
	u8 *p = foreign + 2048 + (ut_rng_below(rng, 4) << 9);

	/* Passthrough memory is gone once freed: ASan's to catch, not ours. */
	if (k == 0 && !passthrough)
		p = freed[ut_rng_below(rng, PL_FREED)];
	else if (k == 1 && !passthrough && nr_live && s->size > 8)
		p = live[ut_rng_below(rng, nr_live)].p + 8;
	if (!p || !nr_live)	/* with nothing live, the first check says so */
		return;
	memkit_pool_stats(pool, &before);
	UT_ASSERT(memkit_expect_warnings_begin() == 0, "expecting twice");
	memkit_pool_free(pool, p);
	UT_CHECK(memkit_expect_warnings_end() == 1, "bad free not reported");
	memkit_pool_stats(pool, &after);
	UT_CHECK(!memcmp(&before, &after, sizeof(before)), "bad free changed the pool");
	bad_frees++;
}

static void fill(u8 *p, size_t size, u8 tag)
{
	size_t i;

	for (i = 0; i < size; i++)
		p[i] = tag ^ i;
}

static bool intact(const u8 *p, size_t size, u8 tag)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i] != (u8)(tag ^ i))
			return false;
	return true;
}

static void full_check(struct memkit_pool *pool, const struct shape *s,
		       unsigned long allocs, unsigned long frees, u64 op)
{
	struct memkit_pool_usage u;
	u32 i;

	for (i = 0; i < nr_live; i++)
		UT_ASSERT(intact(live[i].p, s->size, live[i].tag), "object %u overwritten, op %llu",
			  i, op);
	memkit_pool_stats(pool, &u);
	UT_ASSERT(u.live == nr_live && u.allocs == allocs && u.frees == frees,
		  "stats live %zu allocs %lu frees %lu, model %u %lu %lu", u.live,
		  u.allocs, u.frees, nr_live, allocs, frees);
	UT_ASSERT(u.high_water >= u.live, "high water %zu below live %zu", u.high_water, u.live);
}

static void run(const struct shape *s, u64 ops, u32 batch, struct ut_rng *rng)
{
	size_t align = s->align ? s->align : sizeof(void *);
	bool fixed = s->flags & MEMKIT_POOL_FIXED;
	unsigned long allocs = 0, frees = 0, nulls = 0, resets = 0;
	struct memkit_failing_allocator fa;
	struct memkit_allocator child;
	size_t budget = 0;	/* fixed pools: objects preheated since reset */
	struct memkit_pool pool;
	u64 op;
	u32 i;

	memkit_failing_allocator_init(&fa, &ut_malloc_allocator, UINT_MAX, UINT_MAX);
	child = memkit_failing_as_allocator(&fa);
	UT_ASSERT(memkit_pool_init(&pool, &child, s->size, s->align, s->flags) == 0, "init");
	nr_live = 0;
	/* A fuzzer runs many pools: the last one's objects are freed memory. */
	memset(freed, 0, sizeof(freed));
	for (op = 1; op <= ops && !ut_rng_done(rng); op++) {
		u32 r = ut_rng_below(rng, 1000);
		unsigned int failed_before = ut_fail_sometimes(&fa, rng);
		u8 *p;

		if (r < 2) {
			enum memkit_arena_reset_mode mode = ut_rng_below(rng, 3);

			memkit_pool_reset(&pool, mode, ut_rng_below(rng, 1 << 16), GFP_KERNEL);
			if (mode == MEMKIT_ARENA_FREE_ALL)
				UT_ASSERT(ut_malloc_live == 0, "%ld child buffers after reset",
					  ut_malloc_live);
			nr_live = 0;	/* not frees: those count calls */
			memset(freed, 0, sizeof(freed));
			budget = 0;
			resets++;
		} else if (r < 20 || (fixed && budget < 8)) {
			struct memkit_pool_usage before, after;
			size_t n = ut_rng_below(rng, 64);
			int ret;

			memkit_pool_stats(&pool, &before);
			ret = memkit_pool_preheat(&pool, n, GFP_KERNEL);
			memkit_pool_stats(&pool, &after);
			/* -ENOMEM exactly when a child call failed. */
			UT_ASSERT(ret == (ut_child_failed(&fa, failed_before) ? -ENOMEM : 0),
				  "preheat: %d, child failures %u -> %u", ret, failed_before,
				  fa.failures);
			/* Objects preheated before a failure stay on the free list. */
			UT_ASSERT(after.free - before.free == n || ret, "preheat added %zu of %zu",
				  after.free - before.free, n);
			budget += after.free - before.free;
		} else if ((r < 560 && nr_live < PL_MAX) || !nr_live) {
			p = memkit_pool_alloc(&pool, GFP_KERNEL);
			if (!p) {
				UT_ASSERT(ut_child_failed(&fa, failed_before) ||
					  (fixed && nr_live >= budget),
					  "alloc failed: %u live, budget %zu, no child failure",
					  nr_live, budget);
				nulls++;
				continue;
			}
			UT_ASSERT(IS_ALIGNED((unsigned long)p, align), "misaligned object");
			UT_ASSERT(p < foreign || p >= foreign + sizeof(foreign),
				  "a foreign pointer handed out");
			forget_freed(p);
			UT_ASSERT(!fixed || nr_live < budget, "fixed pool exceeded its budget");
			live[nr_live] = (struct obj){ .p = p, .tag = ut_rng_next(rng) };
			fill(p, s->size, live[nr_live].tag);
			nr_live++;
			allocs++;
		} else if (r < 575) {
			bad_destroy(&pool, s, rng);
		} else {
			i = ut_rng_below(rng, nr_live);
			UT_ASSERT(intact(live[i].p, s->size, live[i].tag), "object changed");
			memkit_pool_free(&pool, live[i].p);
			freed[ut_rng_below(rng, PL_FREED)] = live[i].p;
			live[i] = live[--nr_live];
			frees++;
		}
		if (op % batch == 0)
			full_check(&pool, s, allocs, frees, op);
	}
	full_check(&pool, s, allocs, frees, op);
	for (i = 0; i < nr_live; i++)
		memkit_pool_free(&pool, live[i].p);
	memkit_pool_exit(&pool);
	UT_ASSERT(ut_malloc_live == 0, "%ld child buffers after exit", ut_malloc_live);
	if (rng->data)
		return;
	printf("test_pool: %-21s %llu ops: %lu allocs, %lu NULL, %lu resets,", s->name, ops,
	       allocs, nulls, resets);
	printf(" %lu bad frees, %u child allocs\n", bad_frees, fa.allocations);
	UT_CHECK(allocs && nulls && resets && bad_frees, "an outcome never occurred");
	bad_frees = 0;
}

#ifdef UT_FUZZER

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct ut_rng rng;

	ut_fuzz_begin(&rng, data, size);
	run(&shapes[ut_rng_below(&rng, ARRAY_SIZE(shapes))], U64_MAX, 16, &rng);
	ut_fuzz_end();
	return 0;
}

#else

/*
 * Four threads on one locked pool, in bump mode so that every alloc after
 * the first few comes off the shared free list.  Each object carries its
 * owner and a per-object sequence number the owner also keeps, written
 * through the whole object: an object handed to two threads at once is
 * overwritten by the second owner, and the first sees it at its next
 * check or free.
 */

#define PL_THREADS	4
#define PL_OBJ		32

struct tagged {
	u32 owner, seq;
	u8 fill[PL_OBJ - 8];
};

struct thread_arg {
	struct memkit_pool *pool;
	u32 id;
	u64 seed, ops, allocs, errors;
};

static void tag(struct tagged *o, u32 owner, u32 seq)
{
	o->owner = owner;
	o->seq = seq;
	memset(o->fill, (u8)(owner * 31 + seq), sizeof(o->fill));
}

static bool tagged_by(const struct tagged *o, u32 owner, u32 seq)
{
	size_t i;

	if (o->owner != owner || o->seq != seq)
		return false;
	for (i = 0; i < sizeof(o->fill); i++)
		if (o->fill[i] != (u8)(owner * 31 + seq))
			return false;
	return true;
}

static void *thread_fn(void *data)
{
	struct thread_arg *t = data;
	struct tagged *mine[64];
	u32 seq[64], next = 0, n = 0, i;
	struct ut_rng rng;
	u64 op;

	ut_rng_seed(&rng, t->seed);
	for (op = 0; op < t->ops; op++) {
		if (n < ARRAY_SIZE(mine) && (!n || ut_rng_below(&rng, 2))) {
			struct tagged *p = memkit_pool_alloc(t->pool, GFP_ATOMIC);

			UT_ASSERT(p, "locked alloc failed");
			seq[n] = next++;
			tag(p, t->id, seq[n]);
			mine[n++] = p;
			t->allocs++;
		} else {
			i = ut_rng_below(&rng, n);
			/* Look at another one as well: sharing shows sooner. */
			t->errors += !tagged_by(mine[op % n], t->id, seq[op % n]);
			t->errors += !tagged_by(mine[i], t->id, seq[i]);
			memkit_pool_free(t->pool, mine[i]);
			mine[i] = mine[--n];
			seq[i] = seq[n];
		}
	}
	while (n) {
		n--;
		t->errors += !tagged_by(mine[n], t->id, seq[n]);
		memkit_pool_free(t->pool, mine[n]);
	}
	return NULL;
}

static void run_threads(u64 ops, struct ut_rng *rng)
{
	struct thread_arg args[PL_THREADS];
	pthread_t tid[PL_THREADS];
	struct memkit_pool_usage u;
	struct memkit_pool pool;
	u64 allocs = 0, errors = 0;
	int i;

	UT_ASSERT(memkit_pool_init(&pool, &ut_malloc_allocator, sizeof(struct tagged), 0,
				   MEMKIT_POOL_LOCKED | MEMKIT_POOL_BUMP) == 0, "init locked");
	for (i = 0; i < PL_THREADS; i++) {
		args[i] = (struct thread_arg){ .pool = &pool, .id = i, .seed = ut_rng_next(rng),
					       .ops = ops / PL_THREADS };
		UT_ASSERT(!pthread_create(&tid[i], NULL, thread_fn, &args[i]), "pthread_create");
	}
	for (i = 0; i < PL_THREADS; i++) {
		pthread_join(tid[i], NULL);
		allocs += args[i].allocs;
		errors += args[i].errors;
	}
	memkit_pool_stats(&pool, &u);
	UT_CHECK(!errors, "%llu objects held by two threads at once", errors);
	UT_CHECK(u.live == 0 && u.allocs == allocs && u.frees == allocs,
		 "after the threads: live %zu allocs %lu frees %lu, expected %llu",
		 u.live, u.allocs, u.frees, allocs);
	/* Every object went back on the list, and the list was reused. */
	UT_CHECK(u.capacity == u.free && u.capacity <= PL_THREADS * 64 && u.capacity < allocs,
		 "capacity %zu, free %zu, %llu allocs", u.capacity, u.free, allocs);
	UT_CHECK(u.high_water <= PL_THREADS * 64, "high water %zu", u.high_water);
	printf("test_pool: %d threads, locked, bump: %llu allocs from %zu objects,",
	       PL_THREADS, allocs, u.capacity);
	printf(" high water %zu\n", u.high_water);
	memkit_pool_exit(&pool);
}

/*
 * What init refuses; init_preheated unwinding from each child failure
 * (the pool fully given back); an alloc of a type the pool is too small
 * for refused, reported and counted as a failure.
 */
static void bad_args_and_unwind(void)
{
	struct memkit_failing_allocator fa;
	struct memkit_allocator child;
	struct memkit_pool_usage u;
	struct memkit_pool pool;
	unsigned int n;
	int ret;

	UT_CHECK(memkit_pool_init(&pool, &ut_malloc_allocator, 0, 0, 0) == -EINVAL, "size 0");
	UT_CHECK(memkit_pool_init(&pool, &ut_malloc_allocator, 8, 12, 0) == -EINVAL, "align 12");
	UT_CHECK(memkit_pool_init(&pool, &ut_malloc_allocator, 8, 0, BIT(9)) == -EINVAL,
		 "unknown flag");
	UT_CHECK(memkit_pool_init(&pool, &ut_malloc_allocator, 8, 0,
				  MEMKIT_POOL_BUMP | MEMKIT_POOL_PASSTHROUGH) == -EINVAL,
		 "bump and passthrough");
	UT_CHECK(memkit_pool_init(&pool, &ut_malloc_allocator, SIZE_MAX - 4, 0, 0) == -EINVAL,
		 "size that overflows its alignment");

	for (n = 0;; n++) {
		memkit_failing_allocator_init(&fa, &ut_malloc_allocator, n, UINT_MAX);
		child = memkit_failing_as_allocator(&fa);
		ret = memkit_pool_init_preheated(&pool, &child, 24, 8, MEMKIT_POOL_PASSTHROUGH, 5);
		if (!fa.has_induced_failure)
			break;
		UT_ASSERT(ret == -ENOMEM && !ut_malloc_live, "preheat failing at %u: %d, %ld left",
			  n, ret, ut_malloc_live);
	}
	UT_ASSERT(!ret && n == 5, "init_preheated: %d after %u failures", ret, n);
	memkit_pool_stats(&pool, &u);
	UT_CHECK(u.free == 5 && u.live == 0, "preheated: %zu free", u.free);
	UT_ASSERT(memkit_expect_warnings_begin() == 0, "expecting twice");
	UT_CHECK(!memkit_pool_new(&pool, struct tagged, GFP_KERNEL), "a type too big");
	UT_CHECK(memkit_expect_warnings_end() == 1, "a type too big not reported");
	memkit_pool_stats(&pool, &u);
	UT_CHECK(u.failed == 1 && u.free == 5, "refused alloc: %lu failed", u.failed);
	memkit_pool_exit(&pool);
	UT_CHECK(!ut_malloc_live, "exit left %ld buffers", ut_malloc_live);
}

int main(int argc, char **argv)
{
	struct ut_args args;
	struct ut_rng rng;
	u32 i;

	ut_init(argc, argv, "test_pool", 1400000, &args, &rng);
	bad_args_and_unwind();
	for (i = 0; i < ARRAY_SIZE(shapes); i++)
		run(&shapes[i], args.ops / 7, 256, &rng);
	run_threads(args.ops - ARRAY_SIZE(shapes) * (args.ops / 7), &rng);
	return ut_finish("test_pool");
}

#endif
