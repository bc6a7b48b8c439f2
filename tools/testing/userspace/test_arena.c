// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_arena, through the allocator interface, against a
 * model, natively, under ASan/UBSan.
 *
 * In bump and passthrough mode: random allocations (0 to 4 KiB, alignments
 * up to 4 KiB), resizes, remaps, reallocs and frees of the newest or of any
 * live allocation, and resets in all three modes, over a child that fails
 * on command (memkit_failing_allocator over ut_malloc_allocator, which
 * checks every length and alignment given back to it).  The model keeps
 * each live allocation's length and the byte pattern written into it:
 *  - each result is what the interface promises (alignment; a failed
 *    resize or realloc leaves the old buffer whole);
 *  - every batch, every live allocation still holds its pattern, no two
 *    overlap, and the bytes handed out since the last reset are the
 *    model's;
 *  - after a FREE_ALL reset the child holds nothing; after a kept
 *    capacity the arena reports at least what was asked.
 *
 * Built with UT_FUZZER, the same model test is a libFuzzer target: the
 * input picks the mode, every operation and every child failure; the
 * full check runs every 16 operations and at the end.
 */

#include <memkit/allocator.h>
#include <memkit/arena.h>
#include <memkit/testing.h>

#include "harness.h"

#define AR_MAX		4096

struct obj {
	u8 *p;
	size_t len, align;
	u8 tag;
};

static struct obj live[AR_MAX];
static u32 nr_live;

/* @handed: the model of memkit_arena_stats()' handed_out (bytes since reset). */
struct stats {
	u64 allocs, failed, resized, moved, frees, resets, oversized, handed;
};

static void fill(struct obj *o, size_t from)
{
	size_t i;

	for (i = from; i < o->len; i++)
		o->p[i] = o->tag + i * 7;
}

static bool intact(const struct obj *o, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (o->p[i] != (u8)(o->tag + i * 7))
			return false;
	return true;
}

static int obj_cmp(const void *a, const void *b)
{
	const struct obj *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

static void full_check(struct memkit_arena *arena, const struct stats *st, u64 op)
{
	struct memkit_arena_usage u;
	u32 i;

	memkit_arena_stats(arena, &u);
	UT_ASSERT(u.handed_out == st->handed, "handed out %zu, model %llu, op %llu",
		  u.handed_out, st->handed, op);
	for (i = 0; i < nr_live; i++)
		UT_ASSERT(intact(&live[i], live[i].len), "%zu bytes overwritten, op %llu",
			  live[i].len, op);
	qsort(live, nr_live, sizeof(*live), obj_cmp);
	for (i = 0; i + 1 < nr_live; i++)
		UT_ASSERT(live[i].p + live[i].len <= live[i + 1].p, "overlap, op %llu", op);
}

static size_t rand_len(struct ut_rng *rng)
{
	return ut_rng_below(rng, 50) ? ut_rng_log_size(rng, 11) : 0;
}

static size_t rand_align(struct ut_rng *rng)
{
	return 1UL << (ut_rng_below(rng, 10) ? ut_rng_below(rng, 5) : ut_rng_below(rng, 13));
}

static void add(u8 *p, size_t len, size_t align, struct ut_rng *rng)
{
	struct obj *o = &live[nr_live++];

	*o = (struct obj){ .p = p, .len = len, .align = align, .tag = ut_rng_next(rng) };
	fill(o, 0);
}

static void drop(u32 i)
{
	live[i] = live[--nr_live];
}

static void reset(struct memkit_arena *arena, struct ut_rng *rng, struct stats *st)
{
	size_t cap = memkit_arena_query_capacity(arena);
	enum memkit_arena_reset_mode mode = ut_rng_below(rng, 3);
	size_t limit = ut_rng_below(rng, 2 * cap + 1);
	size_t want = mode == MEMKIT_ARENA_FREE_ALL ? 0 :
		      mode == MEMKIT_ARENA_RETAIN_CAPACITY ? cap : min(cap, limit);
	bool kept = memkit_arena_reset(arena, mode, limit, GFP_KERNEL);
	struct memkit_arena_usage u;

	memkit_arena_stats(arena, &u);
	if (kept && !u.passthrough)
		UT_ASSERT(u.capacity >= want, "kept %zu, asked %zu", u.capacity, want);
	if (!want || u.passthrough)
		UT_ASSERT(ut_malloc_live == 0, "%ld child buffers left", ut_malloc_live);
	nr_live = 0;
	st->handed = 0;
	st->resets++;
}

static void one_op(struct memkit_arena *arena, const struct memkit_allocator *a,
		   struct memkit_failing_allocator *fa, struct ut_rng *rng,
		   struct stats *st)
{
	u32 r = ut_rng_below(rng, 1000);
	/* The newest allocation half of the time: the one that can change. */
	u32 i = !nr_live ? 0 : ut_rng_below(rng, 2) ? nr_live - 1 : ut_rng_below(rng, nr_live);
	struct obj *o = &live[i];
	size_t len = rand_len(rng);
	unsigned int failed_before = ut_fail_sometimes(fa, rng);
	u8 *p;

	if (r < 2 || nr_live == AR_MAX) {
		reset(arena, rng, st);
	} else if (r < 500 || !nr_live) {
		size_t align = rand_align(rng);

		/* Through the ops table or directly: the same rules. */
		p = ut_rng_below(rng, 2) ? memkit_alloc(a, len, align, GFP_KERNEL) :
		    memkit_arena_alloc(arena, len, align, GFP_KERNEL);
		if (!p) {
			/* At most 4 KiB: only a failed child call explains NULL. */
			UT_ASSERT(ut_child_failed(fa, failed_before),
				  "alloc of %zu failed with no child failure", len);
			st->failed++;
			return;
		}
		st->allocs++;
		st->handed += len;
		if (!len) {
			UT_ASSERT(p == MEMKIT_ZERO_PTR, "zero-length alloc");
			return;
		}
		UT_ASSERT(IS_ALIGNED((unsigned long)p, align), "alloc misaligned");
		add(p, len, align, rng);
	} else if (r < 620) {
		size_t old = o->len;

		if (!len) /* resize to 0 frees: tested through free */
			return;
		if (memkit_resize(a, o->p, o->len, len, o->align)) {
			st->handed += len > old ? len - old : 0;
			o->len = len;
			st->resized++;
		} else {
			/* A shrink in place always succeeds. */
			UT_ASSERT(len > old, "resize from %zu down to %zu refused", old, len);
		}
		UT_ASSERT(intact(o, min(len, old)), "resize changed the contents");
		fill(o, old);
	} else if (r < 800) {
		bool remap = r < 700;

		if (!len)
			return;
		p = remap ? memkit_remap(a, o->p, o->len, len, o->align, GFP_KERNEL) :
			    memkit_realloc(a, o->p, o->len, len, o->align, GFP_KERNEL);
		if (!p) {
			/*
			 * remap may refuse to grow; a shrink always works, and
			 * realloc fails only when a child call failed.
			 */
			UT_ASSERT(remap ? len > o->len : ut_child_failed(fa, failed_before),
				  "%s from %zu to %zu failed", remap ? "remap" : "realloc",
				  o->len, len);
			UT_ASSERT(intact(o, o->len), "failed remap/realloc changed the buffer");
			return;
		}
		UT_ASSERT(IS_ALIGNED((unsigned long)p, o->align), "moved misaligned");
		st->moved += p != o->p;
		/* Moved: a new allocation; in place: only what it grew by. */
		st->handed += p != o->p ? len : len > o->len ? len - o->len : 0;
		o->p = p;
		UT_ASSERT(intact(o, min(len, o->len)), "remap/realloc lost the contents");
		o->len = len;
		fill(o, 0);
	} else if (r < 810) {
		/* Lengths no buffer can have: refused, the buffer intact. */
		static const size_t huge[] = {
			MEMKIT_ALLOC_MAX + 1, SIZE_MAX - 10, SIZE_MAX, MEMKIT_ALLOC_MAX,
		};
		size_t big = huge[ut_rng_below(rng, ARRAY_SIZE(huge))];

		UT_ASSERT(!memkit_resize(a, o->p, o->len, big, o->align), "resize to %zu", big);
		UT_ASSERT(!memkit_remap(a, o->p, o->len, big, o->align, GFP_KERNEL),
			  "remap to %zu", big);
		UT_ASSERT(!memkit_realloc(a, o->p, o->len, big, o->align, GFP_KERNEL),
			  "realloc to %zu", big);
		UT_ASSERT(intact(o, o->len), "an oversized resize changed the buffer");
		st->oversized++;
	} else {
		memkit_free(a, o->p, o->len, o->align);
		drop(i);
		st->frees++;
	}
}

static void run(enum memkit_arena_mode mode, u64 ops, u32 batch, struct ut_rng *rng)
{
	struct memkit_failing_allocator fa;
	struct memkit_allocator child, a;
	struct memkit_arena_usage u;
	struct memkit_arena arena;
	struct stats st = {};
	u64 op;

	memkit_failing_allocator_init(&fa, &ut_malloc_allocator, UINT_MAX, UINT_MAX);
	child = memkit_failing_as_allocator(&fa);
	UT_ASSERT(memkit_arena_init(&arena, &child, mode) == 0, "init");
	a = memkit_arena_allocator(&arena);
	memkit_arena_stats(&arena, &u);
	UT_ASSERT(u.passthrough == (mode == MEMKIT_ARENA_PASSTHROUGH) && !u.handed_out &&
		  !u.capacity, "a new arena's stats");
	nr_live = 0;
	for (op = 1; op <= ops && !ut_rng_done(rng); op++) {
		one_op(&arena, &a, &fa, rng, &st);
		if (op % batch == 0)
			full_check(&arena, &st, op);
	}
	full_check(&arena, &st, op);
	memkit_arena_exit(&arena);
	UT_ASSERT(ut_malloc_live == 0, "%ld child buffers after exit", ut_malloc_live);
	if (rng->data)
		return;
	printf("test_arena: %-11s %llu ops: %llu allocs, %llu failed, %llu resized, %llu moved,",
	       mode == MEMKIT_ARENA_BUMP ? "bump" : "passthrough", ops, st.allocs,
	       st.failed, st.resized, st.moved);
	printf(" %llu frees, %llu resets, %llu oversized, %u child allocations\n", st.frees,
	       st.resets, st.oversized, fa.allocations);
	UT_CHECK(st.allocs && st.failed && st.resized && st.moved && st.frees && st.resets,
		 "an outcome never occurred");
}

#ifdef UT_FUZZER

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct ut_rng rng;

	ut_fuzz_begin(&rng, data, size);
	run(ut_rng_below(&rng, 2) ? MEMKIT_ARENA_BUMP : MEMKIT_ARENA_PASSTHROUGH,
	    U64_MAX, 16, &rng);
	ut_fuzz_end();
	return 0;
}

#else

int main(int argc, char **argv)
{
	struct ut_args args;
	struct ut_rng rng;

	ut_init(argc, argv, "test_arena", 1200000, &args, &rng);
	run(MEMKIT_ARENA_BUMP, args.ops / 2, 256, &rng);
	run(MEMKIT_ARENA_PASSTHROUGH, args.ops - args.ops / 2, 256, &rng);
	return ut_finish("test_arena");
}

#endif
