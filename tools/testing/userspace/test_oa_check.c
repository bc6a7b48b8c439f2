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
 * It includes offset_alloc.c itself (not linked against its object), so
 * that it can name the node layout and helpers, which are private.
 */

#include "../../../memkit/offset_alloc.c"

#include "harness.h"

/* Break @field to @bad, expect -EUCLEAN, put it back, expect 0. */
#define CORRUPT(oa, what, field, bad)						\
	do {									\
		typeof(field) __saved = (field);				\
										\
		(field) = (bad);						\
		UT_CHECK(memkit_oa_check(oa) == -EUCLEAN, "%s: not detected", what); \
		(field) = __saved;						\
		UT_CHECK(memkit_oa_check(oa) == 0, "%s: restored, still broken", what); \
		nr_cases++;							\
	} while (0)

static unsigned int nr_cases;

static struct memkit_oa_node *node_at(struct memkit_oa *oa, u64 offset, u32 *idx)
{
	u32 i;

	for (i = OA_FIRST; i != OA_NIL; i = oa_node(oa, i, false)->nb_next)
		if (oa_node(oa, i, false)->offset == offset) {
			*idx = i;
			return oa_node(oa, i, false);
		}
	UT_ASSERT(false, "no region starts at %llu", offset);
	return NULL;
}

int main(int argc, char **argv)
{
	static const u64 sizes[] = { 100, 200, 300, 100, 400, 100, 5000, 7 };
	struct memkit_oa_handle h[ARRAY_SIZE(sizes)];
	struct memkit_oa_node *used, *free1, *free3, *free5, *tail, *first, *second;
	u32 iu, i1, i3, i5, it, bin, top, empty;
	struct ut_args args;
	struct ut_rng rng;
	struct memkit_oa oa;
	struct oa_rb *rb;
	u32 i;

	ut_init(argc, argv, "test_oa_check", 0, &args, &rng);
	UT_ASSERT(memkit_oa_init_flags(&oa, 1 << 20, 64, 64, MEMKIT_OA_LOOKUP) == 0, "init");
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		UT_ASSERT(memkit_oa_alloc(&oa, sizes[i], 1, &h[i]) == 0, "alloc %u", i);
	/* Free regions of 200 and 100 bytes, twice 100 (one bin), and the tail. */
	UT_ASSERT(!memkit_oa_free(&oa, &h[1]) && !memkit_oa_free(&oa, &h[3]) &&
		  !memkit_oa_free(&oa, &h[5]), "free");
	UT_ASSERT(memkit_oa_check(&oa) == 0, "a sound allocator fails the check");

	used = node_at(&oa, h[2].offset, &iu);
	free1 = node_at(&oa, h[1].offset, &i1);
	free3 = node_at(&oa, h[3].offset, &i3);
	free5 = node_at(&oa, h[5].offset, &i5);
	tail = node_at(&oa, h[7].offset + 7, &it);
	bin = memkit_oa_bin_round_down(100);
	top = bin / MEMKIT_OA_LEAF_BINS;
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
	CORRUPT(&oa, "top bit cleared", oa.used_bins_top, oa.used_bins_top & ~BIT_ULL(top));
	CORRUPT(&oa, "top bit of an empty group", oa.used_bins_top,
		oa.used_bins_top | BIT_ULL(empty / MEMKIT_OA_LEAF_BINS));
	/* Neighbour links. */
	CORRUPT(&oa, "neighbour back link", used->nb_prev, i3);
	CORRUPT(&oa, "neighbour forward link skips a region", free1->nb_next, used->nb_next);
	CORRUPT(&oa, "neighbour cycle", used->nb_next, OA_FIRST);
	CORRUPT(&oa, "neighbour link past the nodes", used->nb_next, oa.nr_nodes + 3);
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
	/* Spare nodes. */
	CORRUPT(&oa, "fresh mark", oa.fresh, oa.nr_nodes + 1);

	printf("test_oa_check: %u corruptions, each detected and each repaired\n", nr_cases);
	memkit_oa_exit(&oa);
	return ut_finish("test_oa_check");
}
