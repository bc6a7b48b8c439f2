// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_oa against a model, natively, under
 * ASan/UBSan.
 *
 * Random allocations (log-uniform sizes, random power-of-two alignments),
 * reservations at random offsets, frees, resets and bad handles, checked
 * against a model that holds every live allocation:
 *  - every result: offsets aligned, reservations where asked, the size
 *    memkit_oa_alloc_size() reports, the free total memkit_oa_report()
 *    gives, bad handles refused with -EINVAL and a warning;
 *  - every -ENOSPC from an allocation: no gap in the model could have
 *    held the request (checked for the first refusal of each batch,
 *    which needs the model sorted);
 *  - every batch: memkit_oa_check() (all internal invariants) and no two
 *    model allocations overlap.
 *
 * Built with UT_FUZZER, the same model test is a libFuzzer target: the
 * input picks the range size (small, or close to 2^64) and max_allocs
 * (up to 256), then every operation, and the full check runs after each.
 */

#include <memkit/bug.h>
#include <memkit/offset_alloc.h>

#include "harness.h"

#define OA_MAX		4096

static u64 total;	/* the range being tested */

struct live {
	struct memkit_oa_handle h;
	u64 size;
};

static struct live live[OA_MAX];
static u32 nr_live;

/* Handles freed, or live at a reset: stale from then on. */
#define OA_STALE	16
static struct memkit_oa_handle stale[OA_STALE];

static int live_cmp(const void *a, const void *b)
{
	const struct live *x = a, *y = b;

	return x->h.offset < y->h.offset ? -1 : x->h.offset > y->h.offset;
}

/* With the model sorted: could @size at @align fit in any gap? */
static bool model_fits(u64 size, u64 align)
{
	u64 gap_start = 0;
	u32 i;

	for (i = 0; i <= nr_live; i++) {
		u64 gap_end = i < nr_live ? live[i].h.offset : total;
		u64 start = ALIGN(gap_start, align);

		if (start >= gap_start && start <= gap_end && gap_end - start >= size)
			return true;
		if (i < nr_live)
			gap_start = live[i].h.offset + live[i].size;
	}
	return false;
}

static u64 model_used(void)
{
	u64 used = 0;
	u32 i;

	for (i = 0; i < nr_live; i++)
		used += live[i].size;
	return used;
}

static void full_check(struct memkit_oa *oa, u64 op)
{
	struct memkit_oa_usage r;
	u32 i;

	UT_ASSERT(memkit_oa_check(oa) == 0, "invariants broken after op %llu",
		  op);
	qsort(live, nr_live, sizeof(*live), live_cmp);
	for (i = 0; i + 1 < nr_live; i++)
		UT_ASSERT(live[i].h.offset + live[i].size <= live[i + 1].h.offset,
			  "overlap at %llu, op %llu", live[i].h.offset,
			  op);
	memkit_oa_report(oa, &r);
	UT_ASSERT(r.allocs == nr_live, "%u allocs, model %u", r.allocs, nr_live);
	UT_ASSERT(r.free == total - model_used(), "free %llu, model %llu",
		  r.free, (total - model_used()));
}

/* A live handle made wrong in one of three ways: refused, nothing changes. */
static void bad_free(struct memkit_oa *oa, struct ut_rng *rng)
{
	struct memkit_oa_handle h = live[ut_rng_below(rng, nr_live)].h;
	struct memkit_oa_usage before, after;

	u32 i;

	switch (ut_rng_below(rng, 4)) {
	case 0:
		h.offset++;
		break;
	case 1:
		h.node = MEMKIT_OA_NO_NODE;
		break;
	case 2:
		h.node = 2 * OA_MAX + 7;	/* beyond any node array */
		break;
	default:
		/* A stale handle: freed, or from before a reset. */
		h = stale[ut_rng_below(rng, OA_STALE)];
		if (h.node == MEMKIT_OA_NO_NODE)
			return;
		/*
		 * Its node and offset may be live again: then the allocator
		 * cannot tell, and this is not a bad handle to it.
		 */
		for (i = 0; i < nr_live; i++)
			if (live[i].h.node == h.node && live[i].h.offset == h.offset)
				return;
		break;
	}
	memkit_oa_report(oa, &before);
	UT_ASSERT(memkit_expect_warnings_begin() == 0, "expecting twice");
	UT_CHECK(memkit_oa_free(oa, &h) == -EINVAL, "bad handle accepted");
	UT_CHECK(memkit_expect_warnings_end() == 1, "bad handle not reported");
	memkit_oa_report(oa, &after);
	UT_CHECK(!memcmp(&before, &after, sizeof(before)), "bad free changed the allocator");
}

static void do_alloc(struct memkit_oa *oa, struct ut_rng *rng, u64 op,
		     bool *checked_nospc, u64 *nospc)
{
	u64 size = ut_rng_log_size(rng, 11);
	u64 align = ut_rng_below(rng, 4) ? 1 : BIT_ULL(ut_rng_below(rng, 14));
	struct live *l = &live[nr_live];
	u64 got;
	int ret;

	ret = memkit_oa_alloc(oa, size, align, &l->h);
	if (ret) {
		UT_ASSERT(ret == -ENOSPC, "alloc returned %d", ret);
		(*nospc)++;
		if (!*checked_nospc) {
			qsort(live, nr_live, sizeof(*live), live_cmp);
			UT_ASSERT(!model_fits(size, align),
				  "false -ENOSPC: size %llu align %llu, op %llu",
				  size, align,
				  op);
			*checked_nospc = true;
		}
		return;
	}
	UT_ASSERT(IS_ALIGNED(l->h.offset, align) && l->h.offset < total &&
		  size <= total - l->h.offset,
		  "offset %llu for size %llu align %llu", l->h.offset,
		  size, align);
	UT_ASSERT(!memkit_oa_alloc_size(oa, &l->h, &got) && got == size,
		  "alloc_size %llu, asked %llu", got,
		  size);
	l->size = size;
	nr_live++;
}

static void do_reserve(struct memkit_oa *oa, struct ut_rng *rng)
{
	u64 size = ut_rng_log_size(rng, 8);
	u64 offset = ut_rng_below(rng, total);
	struct live *l = &live[nr_live];
	bool overlaps = size > total - offset;
	u32 i;
	int ret;

	for (i = 0; i < nr_live && !overlaps; i++)
		overlaps = offset < live[i].h.offset + live[i].size &&
			   live[i].h.offset < offset + size;
	ret = memkit_oa_reserve(oa, offset, size, &l->h);
	if (overlaps) {
		UT_ASSERT(ret == -ENOSPC, "reserve over a used unit returned %d", ret);
		return;
	}
	UT_ASSERT(ret == 0 && l->h.offset == offset, "reserve of a free span returned %d", ret);
	l->size = size;
	nr_live++;
}

struct counts {
	u64 allocs, nospc, resets;
};

static void run(struct memkit_oa *oa, u32 max, u64 ops, u32 batch, struct ut_rng *rng,
		struct counts *c)
{
	bool checked_nospc = false;
	u64 op;
	u32 i;

	nr_live = 0;
	for (i = 0; i < OA_STALE; i++)
		stale[i].node = MEMKIT_OA_NO_NODE;
	for (op = 1; op <= ops && !ut_rng_done(rng); op++) {
		u64 r = ut_rng_below(rng, 1000);

		if (r == 0 && ut_rng_below(rng, 200) == 0) {
			memkit_oa_reset(oa);
			for (i = 0; i < nr_live && i < OA_STALE; i++)
				stale[i] = live[i].h;
			nr_live = 0;
			c->resets++;
		} else if (r < 5 && nr_live) {
			bad_free(oa, rng);
		} else if (nr_live == max || (nr_live && r < 470)) {
			u32 victim = ut_rng_below(rng, nr_live);

			UT_ASSERT(memkit_oa_free(oa, &live[victim].h) == 0, "free: live handle");
			stale[ut_rng_below(rng, OA_STALE)] = live[victim].h;
			live[victim] = live[--nr_live];
		} else if (r < 520) {
			do_reserve(oa, rng);
		} else {
			u32 before = nr_live;

			do_alloc(oa, rng, op, &checked_nospc, &c->nospc);
			c->allocs += nr_live > before;
		}
		if (op % batch == 0) {
			full_check(oa, op);
			checked_nospc = false;
		}
	}
	full_check(oa, op);
	while (nr_live)
		UT_ASSERT(memkit_oa_free(oa, &live[--nr_live].h) == 0, "final free");
	full_check(oa, op);
}

#ifdef UT_FUZZER

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct counts c = {};
	struct ut_rng rng;
	struct memkit_oa oa;
	u32 max;

	ut_fuzz_begin(&rng, data, size);
	total = ut_rng_below(&rng, 4) ? 1 + ut_rng_below(&rng, 1 << 16) :
					U64_MAX - ut_rng_below(&rng, 1 << 16);
	max = 1 + ut_rng_below(&rng, 256);	/* small: the check runs every op */
	UT_ASSERT(memkit_oa_init(&oa, total, max) == 0, "init");
	run(&oa, max, U64_MAX, 1, &rng, &c);
	memkit_oa_exit(&oa);
	ut_fuzz_end();
	return 0;
}

#else

int main(int argc, char **argv)
{
	struct counts c = {};
	struct ut_args args;
	struct ut_rng rng;
	struct memkit_oa oa;

	ut_init(argc, argv, "test_offset_alloc", 2000000, &args, &rng);
	total = BIT_ULL(20);
	UT_ASSERT(memkit_oa_init(&oa, total, OA_MAX) == 0, "init");
	run(&oa, OA_MAX, args.ops, 512, &rng, &c);
	printf("test_offset_alloc: %llu allocations, %llu -ENOSPC, %llu resets\n",
	       c.allocs, c.nospc, c.resets);
	/* The false -ENOSPC oracle must have had work, or it proves nothing. */
	UT_CHECK(c.nospc > args.ops / 1000, "only %llu -ENOSPC", c.nospc);
	memkit_oa_exit(&oa);
	return ut_finish("test_offset_alloc");
}

#endif
