// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_oa_check() shown a corrupted allocator, natively.
 *
 * The other tests only ever show the checker sound allocators, so a
 * checker that always said 0 would pass them.  This one builds an
 * allocator with used and free regions (two of them in one bin) and the
 * index by offset, then breaks one invariant at a time by writing the
 * allocator's private state directly: each must make memkit_oa_check()
 * return -EUCLEAN, and putting the field back must make it return 0.
 *
 * Then every argument the API refuses, each refused with its documented
 * error and the allocator unchanged.
 *
 * It includes offset_alloc.c itself (not linked against its object), so
 * that it can name the node layout and helpers, which are private; the
 * Makefile points the include at the tree being tested.
 */

#include "memkit/offset_alloc.c"	/* from the top directory: see the Makefile */

#include "harness.h"

/* Break @field to @bad, expect -EUCLEAN, put it back, expect 0. */
#define CORRUPT(oa, what, field, bad)						\
	do {									\
		typeof(field) *__f = &(field), __saved = *__f;			\
										\
		*__f = (bad);							\
		check_and_repair(oa, what, __f, &__saved, sizeof(__saved));	\
	} while (0)

static unsigned int nr_cases;

static void check_and_repair(const struct memkit_oa *oa, const char *what, void *field,
			     const void *saved, size_t size)
{
	int broken = memkit_oa_check(oa);

	memcpy(field, saved, size);
	UT_CHECK(broken == -EUCLEAN, "%s: not detected (%d)", what, broken);
	UT_CHECK(memkit_oa_check(oa) == 0, "%s: repaired, still broken", what);
	nr_cases++;
}

static struct memkit_oa_node *node_at(struct memkit_oa *oa, u64 offset, u32 *idx)
{
	u32 i;

	for (i = oa->first; i != OA_NIL; i = oa_node(oa, i, false)->nb_next)
		if (oa_node(oa, i, false)->offset == offset) {
			*idx = i;
			return oa_node(oa, i, false);
		}
	UT_ASSERT(false, "no region starts at %llu", offset);
	return NULL;
}

/*
 * An empty allocation spliced in with every other invariant kept (tiling,
 * neighbour links, counters, spare nodes): only the check for empty
 * regions can see it.  A plain allocator, so no index entry is missing.
 */
static void empty_region(void)
{
	struct memkit_oa_handle a, b;
	struct memkit_oa_node *na, *nb, *e;
	struct memkit_oa oa;
	u32 ia, ib, ie, spare_next;

	UT_ASSERT(!memkit_oa_init(&oa, 1000, 16) && !memkit_oa_alloc(&oa, 100, 1, &a) &&
		  !memkit_oa_alloc(&oa, 100, 1, &b), "setup");
	UT_ASSERT(oa.spare_head == OA_NIL && oa.fresh < oa.nr_nodes, "a fresh node to use");
	na = node_at(&oa, a.offset, &ia);
	nb = node_at(&oa, b.offset, &ib);
	ie = oa.fresh;
	e = oa_node(&oa, ie, false);
	spare_next = e->bin_next;
	*e = (struct memkit_oa_node){ .offset = b.offset, .size = 0, .bin_prev = OA_USED,
				      .nb_prev = ia, .nb_next = ib };
	na->nb_next = ie;
	nb->nb_prev = ie;
	oa.fresh++;
	oa.nr_spare--;
	oa.allocs++;
	UT_CHECK(memkit_oa_check(&oa) == -EUCLEAN, "an empty allocation: not detected");
	nr_cases++;
	oa.allocs--;
	oa.nr_spare++;
	oa.fresh--;
	na->nb_next = ib;
	nb->nb_prev = ia;
	e->bin_next = spare_next;
	UT_CHECK(memkit_oa_check(&oa) == 0, "the empty allocation taken out again");
	memkit_oa_exit(&oa);
}

/*
 * A growable allocator down to its last spare node: a reservation that
 * ends where its free region ends leaves one free part, so needs one
 * node, and must succeed; one that leaves a part on each side needs two
 * and is -ENOMEM until the allocator grows.
 */
static void last_spare_node(void)
{
	struct memkit_oa_handle h;
	struct memkit_oa_usage r;
	struct memkit_oa oa;
	u32 n = 0;

	UT_ASSERT(!memkit_oa_init_flags(&oa, 1000, 1, 200, 0), "init");
	for (;;) {
		memkit_oa_report(&oa, &r);
		if (r.nodes - r.allocs - r.free_regions == 1)
			break;
		UT_ASSERT(!memkit_oa_alloc(&oa, 1, 1, &h), "alloc %u", n);
		n++;
	}
	UT_CHECK(memkit_oa_reserve(&oa, 500, 10, &h) == -ENOMEM, "a reservation needing 2 of 1");
	UT_CHECK(memkit_oa_reserve(&oa, 990, 10, &h) == 0, "a reservation needing 1 of 1");
	UT_CHECK(memkit_oa_check(&oa) == 0 && n + 1 == oa.allocs, "after %u allocations", n);
	memkit_oa_reset(&oa);
	memkit_oa_exit(&oa);
}

/* What the API refuses: the error, and nothing changed (the check passes). */
static void bad_args(void)
{
	struct memkit_oa_handle h, a, stale;
	struct memkit_oa_usage before, after;
	struct memkit_oa oa;
	u64 size;
	u8 mem[64];

	UT_CHECK(memkit_oa_init(&oa, 0, 16) == -EINVAL, "init of 0 units");
	UT_CHECK(memkit_oa_init(&oa, 100, 0) == -EINVAL, "init of 0 allocations");
	UT_CHECK(memkit_oa_init(&oa, 100, MEMKIT_OA_MAX_ALLOCS + 1) == -EINVAL, "init too big");
	UT_CHECK(memkit_oa_init_flags(&oa, 100, 11, 10, 0) == -EINVAL, "initial above max");
	UT_CHECK(memkit_oa_init_flags(&oa, 100, 1, 10, BIT(7)) == -EINVAL, "unknown flag");
	UT_CHECK(memkit_oa_init_flags(&oa, 100, 1, memkit_oa_max_allocs(MEMKIT_OA_LOOKUP) + 1,
				      MEMKIT_OA_LOOKUP) == -EINVAL, "max above the flags' limit");
	UT_ASSERT(memkit_oa_init(&oa, 1000, 16) == 0, "init");
	UT_ASSERT(memkit_oa_alloc(&oa, 100, 1, &a) == 0 && a.offset == 0, "alloc");
	UT_ASSERT(memkit_oa_alloc(&oa, 100, 1, &stale) == 0 && !memkit_oa_free(&oa, &stale),
		  "alloc and free");
	memkit_oa_report(&oa, &before);

	UT_CHECK(memkit_oa_alloc(&oa, 0, 1, &h) == -EINVAL && h.node == MEMKIT_OA_NO_NODE,
		 "alloc of 0");
	UT_CHECK(memkit_oa_alloc(&oa, 901, 1, &h) == -ENOSPC, "alloc past the free units");
	UT_CHECK(memkit_oa_alloc(&oa, U64_MAX, 1, &h) == -ENOSPC, "alloc of U64_MAX");
	UT_CHECK(memkit_oa_alloc(&oa, 1, 3, &h) == -EINVAL, "alignment 3");
	UT_CHECK(memkit_oa_alloc(&oa, 1, 6, &h) == -EINVAL, "alignment 6");
	UT_CHECK(memkit_oa_alloc(&oa, 1, (1ULL << 63) + 1, &h) == -EINVAL, "alignment 2^63 + 1");
	UT_CHECK(memkit_oa_reserve(&oa, 1000, 1, &h) == -ENOSPC, "reserve past the end");
	UT_CHECK(memkit_oa_reserve(&oa, 999, 2, &h) == -ENOSPC, "reserve across the end");
	UT_CHECK(memkit_oa_reserve(&oa, 50, 1, &h) == -ENOSPC, "reserve over an allocation");
	UT_CHECK(memkit_oa_reserve(&oa, 500, 0, &h) == -EINVAL, "reserve of 0");
	UT_CHECK(memkit_oa_extend(&oa, 999) == -EINVAL, "extend to less");
	UT_CHECK(memkit_oa_extend(&oa, 1000) == 0, "extend to the same size: a no-op");
	UT_CHECK(memkit_oa_resize(&oa, &a, 0) == -EINVAL, "resize to 0");
	UT_CHECK(memkit_oa_resize(&oa, &a, 1001) == -ENOSPC, "resize past the end");
	UT_CHECK(memkit_oa_lookup(&oa, 0, &h) == -EOPNOTSUPP, "lookup without the index");
	UT_CHECK(memkit_oa_set_priv(&oa, &a, NULL) == -EOPNOTSUPP, "set_priv without PRIV");
	UT_CHECK(!memkit_oa_priv(&oa, &a), "priv without PRIV");
	UT_CHECK(memkit_oa_grow_size(&oa, 1) == 0, "a fixed allocator grows");
	UT_CHECK(memkit_oa_grow(&oa, mem, sizeof(mem)) == -EINVAL, "grow of a fixed allocator");
	UT_ASSERT(memkit_expect_warnings_begin() == 0, "expecting twice");
	UT_CHECK(memkit_oa_free(&oa, &stale) == -EINVAL, "free of a stale handle");
	UT_CHECK(memkit_oa_resize(&oa, &stale, 10) == -EINVAL, "resize of a stale handle");
	UT_CHECK(memkit_expect_warnings_end() == 2, "stale handles not reported");
	/* A question, not an operation: refused without a report. */
	UT_CHECK(memkit_oa_alloc_size(&oa, &stale, &size) == -EINVAL, "size of a stale handle");
	memkit_oa_report(&oa, &after);
	UT_CHECK(!memcmp(&before, &after, sizeof(before)) && memkit_oa_check(&oa) == 0,
		 "a refused call changed the allocator");
	UT_CHECK(!memkit_oa_alloc_size(&oa, &a, &size) && size == 100, "the live allocation");
	memkit_oa_exit(&oa);
	memkit_oa_exit(&oa);	/* exit twice, or after a failed init: a no-op */
}

int main(int argc, char **argv)
{
	static const u64 sizes[] = { 100, 200, 300, 100, 400, 100, 5000, 7, 120, 9 };
	struct memkit_oa_handle h[ARRAY_SIZE(sizes)];
	struct memkit_oa_node *used, *free1, *free3, *free5, *tail, *first, *second;
	u32 iu, i1, i3, i5, it, bin, top, empty, empty_leaf;
	struct ut_args args;
	struct ut_rng rng;
	struct memkit_oa oa;
	struct oa_rb *rb;
	u32 i;

	ut_init(argc, argv, "test_oa_check", 0, &args, &rng);
	UT_ASSERT(memkit_oa_init_flags(&oa, 1 << 20, 64, 64, MEMKIT_OA_LOOKUP) == 0, "init");
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		UT_ASSERT(memkit_oa_alloc(&oa, sizes[i], 1, &h[i]) == 0, "alloc %u", i);
	/*
	 * Free regions of 200 and 100 units, twice 100 (one bin), 120 (another
	 * bin of the same top group: a leaf bit can then be wrong while the
	 * top bit stays right), and the tail.
	 */
	UT_ASSERT(!memkit_oa_free(&oa, &h[1]) && !memkit_oa_free(&oa, &h[3]) &&
		  !memkit_oa_free(&oa, &h[5]) && !memkit_oa_free(&oa, &h[8]), "free");
	UT_ASSERT(memkit_oa_check(&oa) == 0, "a sound allocator fails the check");

	used = node_at(&oa, h[2].offset, &iu);
	free1 = node_at(&oa, h[1].offset, &i1);
	free3 = node_at(&oa, h[3].offset, &i3);
	free5 = node_at(&oa, h[5].offset, &i5);
	tail = node_at(&oa, h[9].offset + 9, &it);
	bin = memkit_oa_bin_round_down(100);
	top = bin / MEMKIT_OA_LEAF_BINS;
	UT_ASSERT(memkit_oa_bin_round_down(120) / MEMKIT_OA_LEAF_BINS == top &&
		  memkit_oa_bin_round_down(120) != bin, "100 and 120 share a top group");
	/* An empty bin in that group. */
	for (empty_leaf = top * MEMKIT_OA_LEAF_BINS; oa.bin_heads[empty_leaf] != OA_NIL;
	     empty_leaf++)
		;
	UT_ASSERT(oa.bin_heads[bin] == i3 || oa.bin_heads[bin] == i5, "bin %u holds both", bin);
	first = oa.bin_heads[bin] == i3 ? free3 : free5;
	second = first == free3 ? free5 : free3;
	/* A bin with no list, in a top group that has none either. */
	for (empty = 0; oa.bin_heads[empty] != OA_NIL ||
	     oa.used_bins[empty / MEMKIT_OA_LEAF_BINS]; empty++)
		;

	/* Bin lists. */
	CORRUPT(&oa, "bin list head", oa.bin_heads[bin], i1);
	CORRUPT(&oa, "bin list link to a used node", first->bin_next, iu);
	CORRUPT(&oa, "bin list back link", second->bin_prev, i1);
	CORRUPT(&oa, "bin list cycle", first->bin_next, oa.bin_heads[bin]);
	CORRUPT(&oa, "bin list link past the nodes", first->bin_next, oa.nr_nodes);
	CORRUPT(&oa, "bin list dropped", oa.bin_heads[memkit_oa_bin_round_down(200)], OA_NIL);
	/* Bitmasks. */
	CORRUPT(&oa, "leaf bit cleared", oa.used_bins[top],
		oa.used_bins[top] & ~BIT(bin % MEMKIT_OA_LEAF_BINS));
	CORRUPT(&oa, "leaf bit of an empty bin", oa.used_bins[empty / MEMKIT_OA_LEAF_BINS],
		BIT(empty % MEMKIT_OA_LEAF_BINS));
	CORRUPT(&oa, "leaf bit of an empty bin in a live group", oa.used_bins[top],
		oa.used_bins[top] | BIT(empty_leaf % MEMKIT_OA_LEAF_BINS));
	CORRUPT(&oa, "top bit cleared", oa.used_bins_top, oa.used_bins_top & ~BIT_ULL(top));
	CORRUPT(&oa, "top bit of an empty group", oa.used_bins_top,
		oa.used_bins_top | BIT_ULL(empty / MEMKIT_OA_LEAF_BINS));
	/* Neighbour links. */
	CORRUPT(&oa, "neighbour back link", used->nb_prev, i3);
	CORRUPT(&oa, "neighbour forward link skips a region", free1->nb_next, used->nb_next);
	CORRUPT(&oa, "neighbour cycle", used->nb_next, oa.first);
	CORRUPT(&oa, "neighbour link past the nodes", used->nb_next, oa.nr_nodes + 3);
	CORRUPT(&oa, "first region", oa.first, iu);
	CORRUPT(&oa, "last region", oa.last, iu);
	/* Totals and counters. */
	CORRUPT(&oa, "free total", oa.free_units, oa.free_units + 1);
	CORRUPT(&oa, "allocation count", oa.allocs, oa.allocs - 1);
	CORRUPT(&oa, "free region count", oa.free_regions, oa.free_regions + 1);
	CORRUPT(&oa, "spare count", oa.nr_spare, oa.nr_spare - 1);
	CORRUPT(&oa, "range size", oa.size, oa.size + 1);
	CORRUPT(&oa, "max allocations", oa.max_allocs, oa.allocs - 1);
	/* Regions: overlap, a gap, an empty one, two free ones adjacent. */
	CORRUPT(&oa, "overlap", used->size, used->size + 1);
	CORRUPT(&oa, "gap", used->offset, used->offset + 1);
	CORRUPT(&oa, "empty region", used->size, 0);
	CORRUPT(&oa, "tail past the end", tail->size, U64_MAX);
	CORRUPT(&oa, "adjacent free regions", used->bin_prev, OA_NIL);
	CORRUPT(&oa, "spare node in the list", used->bin_prev, OA_SPARE);
	/* The index by offset. */
	rb = oa_rb(&oa, iu);
	CORRUPT(&oa, "index offset", rb->offset, rb->offset + 1);
	CORRUPT(&oa, "index node", rb->idx, i1);
	CORRUPT(&oa, "index node past the fresh mark", rb->idx, oa.fresh);
	/* Spare nodes. */
	CORRUPT(&oa, "fresh mark", oa.fresh, oa.nr_nodes + 1);
	CORRUPT(&oa, "a used node on the spare list", oa.spare_head, iu);

	memkit_oa_exit(&oa);
	empty_region();
	last_spare_node();
	printf("test_oa_check: %u corruptions, each detected and each repaired\n", nr_cases);
	bad_args();
	return ut_finish("test_oa_check");
}
