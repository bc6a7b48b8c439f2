// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_oa: O(1) offset allocator.
 */

#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <memkit/bug.h>
#include <memkit/compat.h>
#include <memkit/offset_alloc.h>

/**
 * DOC: Overview
 *
 * &struct memkit_oa hands out ranges of *units* (bytes, pages, slots, IDs:
 * the caller decides) from a range of up to %U64_MAX units.  It never
 * touches the memory it manages, so it can manage device memory, a BAR, a
 * ring or an ID space as well as a kernel buffer.
 *
 * The range is cut into regions, each described by a node; every unit
 * belongs to exactly one region, used or free, and the nodes are linked in
 * address order so that a free merges with both free neighbours at once.
 * Free regions sit in one of 512 size-class bins (see
 * memkit_oa_bin_round_down()), each a doubly linked list, and a two-level
 * bitmask tells which bins are non-empty.
 *
 * Allocation first rounds the request (plus alignment slack) *up* to a bin
 * and takes the head of the first non-empty bin at or above it with two
 * find-first-set operations: any region there is big enough.  Only if that
 * finds nothing does it fall back to walking the free lists of the bins
 * between the request's own (rounded-down) bin and that one, testing each
 * region, so an allocation fails only when no free region can hold it.
 *
 * Complexity:
 *
 * - alloc: O(1) when a region in a bin above the request exists; else
 *   O(k) where k is the number of free regions in the request's own bin
 *   (for align > 1: the bins between size and size + align - 1).
 * - free: O(1).
 * - reserve: O(free regions).
 * - report: O(free regions in the largest non-empty bin); full report and
 *   check: O(nodes).
 *
 * Memory: one allocation of (2 * max_allocs + 1) 32-byte nodes plus 2 KiB
 * of bin heads.  That many nodes always suffice: no two free regions are
 * adjacent, so there is at most one more free region than allocations.
 *
 * Locking: none.  The caller serialises every call on one allocator, like
 * drm_mm; &struct memkit_range wraps it with a spinlock.
 *
 * Size 0 is refused with -EINVAL; align 0 and 1 both mean "no alignment".
 */

/* bin_prev markers for nodes that are not on a bin list. */
#define OA_NIL		U32_MAX
#define OA_USED		(U32_MAX - 1)
#define OA_SPARE	(U32_MAX - 2)

struct memkit_oa_node {
	u64 offset;
	u64 size;
	u32 bin_prev;	/* free: previous in its bin; else OA_USED / OA_SPARE */
	u32 bin_next;	/* free: next in its bin; spare: next spare */
	u32 nb_prev;	/* address-order neighbours, OA_NIL at the ends */
	u32 nb_next;
};

static_assert(sizeof(struct memkit_oa_node) == MEMKIT_OA_NODE_BYTES);

/*
 * The node that covers offset 0 is always node 0: splitting keeps the
 * lower part in the original node, and merging keeps the lower node.
 */
#define OA_FIRST	0

static bool oa_node_free(const struct memkit_oa_node *n)
{
	return n->bin_prev != OA_USED && n->bin_prev != OA_SPARE;
}

static void oa_insert_free(struct memkit_oa *oa, u32 idx)
{
	struct memkit_oa_node *n = &oa->nodes[idx];
	u32 bin = memkit_oa_bin_round_down(n->size);
	u32 top = bin / MEMKIT_OA_LEAF_BINS;
	u32 head = oa->bin_heads[bin];

	n->bin_prev = OA_NIL;
	n->bin_next = head;
	if (head != OA_NIL)
		oa->nodes[head].bin_prev = idx;
	oa->bin_heads[bin] = idx;
	oa->used_bins[top] |= BIT(bin % MEMKIT_OA_LEAF_BINS);
	oa->used_bins_top |= BIT_ULL(top);
	oa->free_units += n->size;
	oa->free_regions++;
}

static void oa_remove_free(struct memkit_oa *oa, u32 idx)
{
	struct memkit_oa_node *n = &oa->nodes[idx];
	u32 bin = memkit_oa_bin_round_down(n->size);
	u32 top = bin / MEMKIT_OA_LEAF_BINS;

	if (n->bin_prev != OA_NIL)
		oa->nodes[n->bin_prev].bin_next = n->bin_next;
	else
		oa->bin_heads[bin] = n->bin_next;
	if (n->bin_next != OA_NIL)
		oa->nodes[n->bin_next].bin_prev = n->bin_prev;

	if (oa->bin_heads[bin] == OA_NIL) {
		oa->used_bins[top] &= ~BIT(bin % MEMKIT_OA_LEAF_BINS);
		if (!oa->used_bins[top])
			oa->used_bins_top &= ~BIT_ULL(top);
	}
	oa->free_units -= n->size;
	oa->free_regions--;
}

/*
 * Spare nodes are those on the spare list and every node from oa->fresh
 * on, which has not been used since the last reset: reset then costs
 * O(bins), not O(max_allocs).
 */
static u32 oa_spare_pop(struct memkit_oa *oa)
{
	u32 idx = oa->spare_head;

	if (idx != OA_NIL)
		oa->spare_head = oa->nodes[idx].bin_next;
	else
		idx = oa->fresh++;
	oa->nr_spare--;
	return idx;
}

static void oa_spare_push(struct memkit_oa *oa, u32 idx)
{
	oa->nodes[idx].bin_prev = OA_SPARE;
	oa->nodes[idx].bin_next = oa->spare_head;
	oa->spare_head = idx;
	oa->nr_spare++;
}

/* The first non-empty bin >= @bin, or OA_NIL. */
static u32 oa_find_bin(const struct memkit_oa *oa, u32 bin)
{
	u32 top = bin / MEMKIT_OA_LEAF_BINS;
	u64 tops;
	u8 leaf;

	if (top >= MEMKIT_OA_TOP_BINS)
		return OA_NIL;
	leaf = oa->used_bins[top] & (0xff << (bin % MEMKIT_OA_LEAF_BINS));
	if (leaf)
		return top * MEMKIT_OA_LEAF_BINS + __ffs(leaf);
	if (top + 1 == MEMKIT_OA_TOP_BINS)
		return OA_NIL;
	tops = oa->used_bins_top & (~0ULL << (top + 1));
	if (!tops)
		return OA_NIL;
	top = __ffs64(tops);
	return top * MEMKIT_OA_LEAF_BINS + __ffs(oa->used_bins[top]);
}

/*
 * Walk the free nodes of the bins from *@bin up to (not including) @to:
 * oa_first_free() gives the first and sets *@bin to its bin, oa_next_free()
 * the one after @idx.  Both return OA_NIL at the end.
 */
static u32 oa_first_free(const struct memkit_oa *oa, u32 *bin, u32 to)
{
	*bin = oa_find_bin(oa, *bin);
	return *bin < to ? oa->bin_heads[*bin] : OA_NIL;
}

static u32 oa_next_free(const struct memkit_oa *oa, u32 *bin, u32 idx, u32 to)
{
	idx = oa->nodes[idx].bin_next;
	if (idx != OA_NIL)
		return idx;
	++*bin;
	return oa_first_free(oa, bin, to);
}

/* Insert a new node for [offset, offset + size) after @prev. */
static u32 oa_split_after(struct memkit_oa *oa, u32 prev, u64 offset, u64 size)
{
	struct memkit_oa_node *p = &oa->nodes[prev];
	u32 idx = oa_spare_pop(oa);
	struct memkit_oa_node *n = &oa->nodes[idx];

	n->offset = offset;
	n->size = size;
	n->nb_prev = prev;
	n->nb_next = p->nb_next;
	if (p->nb_next != OA_NIL)
		oa->nodes[p->nb_next].nb_prev = idx;
	p->nb_next = idx;
	p->size = offset - p->offset;
	return idx;
}

/* Node @idx absorbs its next neighbour, which is off every bin list. */
static void oa_merge_next(struct memkit_oa *oa, u32 idx)
{
	struct memkit_oa_node *n = &oa->nodes[idx];
	u32 next = n->nb_next;
	struct memkit_oa_node *x = &oa->nodes[next];

	n->size += x->size;
	n->nb_next = x->nb_next;
	if (x->nb_next != OA_NIL)
		oa->nodes[x->nb_next].nb_prev = idx;
	oa_spare_push(oa, next);
}

/*
 * Turn [start, start + size) of free node @idx into an allocation; what is
 * left on either side stays free.  Both allocation and reserve end here.
 */
static int oa_carve(struct memkit_oa *oa, u32 idx, u64 start, u64 size,
		    struct memkit_oa_handle *handle)
{
	struct memkit_oa_node *n = &oa->nodes[idx];
	u64 end = start + size, n_end = n->offset + n->size;
	u32 need = (start > n->offset) + (end < n_end);

	/* Cannot happen with 2 * max_allocs + 1 nodes; refuse, don't corrupt. */
	if (memkit_warn_once(oa->nr_spare < need, "offset allocator out of nodes"))
		return -ENOSPC;

	oa_remove_free(oa, idx);
	if (start > n->offset) {
		u32 front = idx;

		idx = oa_split_after(oa, front, start, n_end - start);
		oa_insert_free(oa, front);
		n = &oa->nodes[idx];
	}
	if (end < n_end)
		oa_insert_free(oa, oa_split_after(oa, idx, end, n_end - end));

	n->bin_prev = OA_USED;
	n->bin_next = OA_NIL;
	oa->allocs++;
	handle->offset = start;
	handle->node = idx;
	return 0;
}

/* Where an allocation of @size at @align would start in node @idx, if it fits. */
static bool oa_fits(const struct memkit_oa *oa, u32 idx, u64 size, u64 align,
		    u64 *start)
{
	const struct memkit_oa_node *n = &oa->nodes[idx];
	u64 s;

	if (check_add_overflow(n->offset, align - 1, &s))
		return false;
	s &= ~(align - 1);
	if (s - n->offset > n->size || n->size - (s - n->offset) < size)
		return false;
	*start = s;
	return true;
}

static void oa_fail(struct memkit_oa_handle *handle)
{
	handle->offset = U64_MAX;
	handle->node = MEMKIT_OA_NO_NODE;
}

/**
 * memkit_oa_init() - set up an offset allocator
 * @oa: the allocator; its previous contents are ignored.
 * @size: units to manage, 1 to %U64_MAX; offsets run from 0 to @size - 1.
 * @max_allocs: most live allocations, 1 to %MEMKIT_OA_MAX_ALLOCS.
 *
 * Allocates (2 * @max_allocs + 1) nodes of 32 bytes with kvmalloc(); a
 * table that cannot be had is -ENOMEM, without a warning.
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for a zero @size or an out-of-range @max_allocs;
 * -ENOMEM.
 */
int memkit_oa_init(struct memkit_oa *oa, u64 size, u32 max_allocs)
{
	size_t bytes;
	u32 nr_nodes;

	memset(oa, 0, sizeof(*oa));
	if (!size || !max_allocs || max_allocs > MEMKIT_OA_MAX_ALLOCS)
		return -EINVAL;

	nr_nodes = 2 * max_allocs + 1;
	bytes = size_add(array_size(nr_nodes, sizeof(*oa->nodes)),
			 array_size(MEMKIT_OA_NUM_BINS, sizeof(*oa->bin_heads)));
	/*
	 * A large table may not be had (vmalloc space is small on 32-bit):
	 * -ENOMEM, with no warning and no OOM kill on its account.
	 */
	oa->nodes = kvmalloc(bytes, GFP_KERNEL | __GFP_NOWARN | __GFP_RETRY_MAYFAIL);
	if (!oa->nodes)
		return -ENOMEM;
	oa->bin_heads = (u32 *)(oa->nodes + nr_nodes);
	oa->size = size;
	oa->max_allocs = max_allocs;
	oa->nr_nodes = nr_nodes;
	memkit_oa_reset(oa);
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_init);

/**
 * memkit_oa_exit() - free an offset allocator's memory
 * @oa: an initialised allocator, or a zeroed one (then a no-op).
 *
 * Live allocations are simply forgotten; &struct memkit_range reports them.
 *
 * Context: process context.
 */
void memkit_oa_exit(struct memkit_oa *oa)
{
	kvfree(oa->nodes);
	memset(oa, 0, sizeof(*oa));
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_exit);

/**
 * memkit_oa_reset() - free every allocation at once
 * @oa: an initialised allocator.
 *
 * Handles from before the reset become invalid; freeing one is refused
 * unless its node happens to hold an allocation at the same offset again.
 *
 * Context: any context; the caller's lock held.  O(bins): every node but
 * the first becomes spare without being touched.
 */
void memkit_oa_reset(struct memkit_oa *oa)
{
	u32 i;

	oa->free_units = 0;
	oa->used_bins_top = 0;
	oa->allocs = 0;
	oa->free_regions = 0;
	memset(oa->used_bins, 0, sizeof(oa->used_bins));
	for (i = 0; i < MEMKIT_OA_NUM_BINS; i++)
		oa->bin_heads[i] = OA_NIL;

	oa->spare_head = OA_NIL;
	oa->fresh = OA_FIRST + 1;
	oa->nr_spare = oa->nr_nodes - oa->fresh;

	oa->nodes[OA_FIRST] = (struct memkit_oa_node) {
		.offset = 0,
		.size = oa->size,
		.nb_prev = OA_NIL,
		.nb_next = OA_NIL,
	};
	oa_insert_free(oa, OA_FIRST);
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_reset);

/**
 * memkit_oa_alloc() - allocate a range of units
 * @oa: the allocator.
 * @size: units wanted, at least 1.
 * @align: power-of-two alignment of the start offset, up to 2^63; 0 or 1
 *         for none.  Padding before the allocation stays free.
 * @handle: receives the allocation; on failure its node is
 *          %MEMKIT_OA_NO_NODE.
 *
 * Context: any context; the caller's lock held.  O(1) on the fast path;
 * see the overview for the fallback.
 * Return: 0; -EINVAL for a zero @size or a bad @align; -ENOSPC if no free
 * region can hold the request or @max_allocs allocations are live.
 */
int memkit_oa_alloc(struct memkit_oa *oa, u64 size, u64 align,
		    struct memkit_oa_handle *handle)
{
	u64 need, start;
	u32 bin, first, idx;

	oa_fail(handle);
	if (!align)
		align = 1;
	if (!size || !memkit_oa_align_ok(align))
		return -EINVAL;
	if (oa->allocs == oa->max_allocs || size > oa->free_units)
		return -ENOSPC;

	/*
	 * Fast path: every region in a bin at or above this one holds
	 * size + align - 1 units, so the first one found fits (oa_fits() is
	 * then always true; it also yields the aligned start).
	 */
	if (!check_add_overflow(size, align - 1, &need)) {
		first = memkit_oa_bin_round_up(need);
		bin = oa_find_bin(oa, first);
		if (bin != OA_NIL) {
			idx = oa->bin_heads[bin];
			if (oa_fits(oa, idx, size, align, &start))
				return oa_carve(oa, idx, start, size, handle);
		}
	} else {
		first = MEMKIT_OA_MAX_BIN + 1;
	}

	/* Fallback: regions from the request's own bin up may still fit. */
	bin = memkit_oa_bin_round_down(size);
	for (idx = oa_first_free(oa, &bin, first); idx != OA_NIL;
	     idx = oa_next_free(oa, &bin, idx, first))
		if (oa_fits(oa, idx, size, align, &start))
			return oa_carve(oa, idx, start, size, handle);
	return -ENOSPC;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_alloc);

/**
 * memkit_oa_reserve() - claim a given range of units
 * @oa: the allocator.
 * @offset: first unit to claim.
 * @size: units to claim, at least 1.
 * @handle: receives the allocation, freed like any other.
 *
 * For firmware-owned or otherwise fixed regions.
 *
 * Context: any context; the caller's lock held.  O(free regions).
 * Return: 0; -EINVAL for a zero @size; -ENOSPC if any unit of the range is
 * in use or outside the allocator, or @max_allocs allocations are live.
 */
int memkit_oa_reserve(struct memkit_oa *oa, u64 offset, u64 size,
		      struct memkit_oa_handle *handle)
{
	u64 end;
	u32 bin, idx;

	oa_fail(handle);
	if (!size)
		return -EINVAL;
	if (check_add_overflow(offset, size, &end) || end > oa->size ||
	    oa->allocs == oa->max_allocs)
		return -ENOSPC;

	bin = memkit_oa_bin_round_down(size);
	for (idx = oa_first_free(oa, &bin, MEMKIT_OA_NUM_BINS); idx != OA_NIL;
	     idx = oa_next_free(oa, &bin, idx, MEMKIT_OA_NUM_BINS)) {
		const struct memkit_oa_node *n = &oa->nodes[idx];

		if (n->offset <= offset && end - n->offset <= n->size)
			return oa_carve(oa, idx, offset, size, handle);
	}
	return -ENOSPC;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_reserve);

/* The node a handle names, if it is a live allocation; else OA_NIL. */
static u32 oa_handle_node(const struct memkit_oa *oa,
			  const struct memkit_oa_handle *handle)
{
	const struct memkit_oa_node *n;

	/* A node past the fresh mark holds whatever was there before a reset. */
	if (handle->node >= oa->fresh)
		return OA_NIL;
	n = &oa->nodes[handle->node];
	if (n->bin_prev != OA_USED || n->offset != handle->offset)
		return OA_NIL;
	return handle->node;
}

/**
 * memkit_oa_free() - free an allocation
 * @oa: the allocator.
 * @handle: what memkit_oa_alloc() or memkit_oa_reserve() returned.
 *
 * The region merges with free neighbours on both sides.  A handle that
 * names no live allocation (a double free, a failed allocation, another
 * allocator's handle) is a caller bug: it is reported once and refused.
 *
 * Context: any context; the caller's lock held.  O(1).
 * Return: 0, or -EINVAL for a handle that is not a live allocation.
 */
int memkit_oa_free(struct memkit_oa *oa, const struct memkit_oa_handle *handle)
{
	u32 idx = oa_handle_node(oa, handle), other;

	if (memkit_warn_once(idx == OA_NIL,
			     "free of a handle that is not a live allocation (node %u, offset %llu)",
			     handle->node, handle->offset))
		return -EINVAL;

	oa->allocs--;
	other = oa->nodes[idx].nb_prev;
	if (other != OA_NIL && oa_node_free(&oa->nodes[other])) {
		oa_remove_free(oa, other);
		oa_merge_next(oa, other);
		idx = other;
	}
	other = oa->nodes[idx].nb_next;
	if (other != OA_NIL && oa_node_free(&oa->nodes[other])) {
		oa_remove_free(oa, other);
		oa_merge_next(oa, idx);
	}
	oa_insert_free(oa, idx);
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_free);

/**
 * memkit_oa_alloc_size() - size of a live allocation
 * @oa: the allocator.
 * @handle: a live allocation.
 * @size: receives its size in units.
 *
 * Context: any context; the caller's lock held.  O(1).
 * Return: 0, or -EINVAL if @handle is not a live allocation.
 */
int memkit_oa_alloc_size(const struct memkit_oa *oa,
			 const struct memkit_oa_handle *handle, u64 *size)
{
	u32 idx = oa_handle_node(oa, handle);

	if (idx == OA_NIL)
		return -EINVAL;
	*size = oa->nodes[idx].size;
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_alloc_size);

/**
 * memkit_oa_report() - occupancy totals
 * @oa: the allocator.
 * @r: receives the totals.
 *
 * The largest free region is exact: the regions of the highest non-empty
 * bin are compared.
 *
 * Context: any context; the caller's lock held.  O(free regions in the
 * highest non-empty bin).
 */
void memkit_oa_report(const struct memkit_oa *oa, struct memkit_oa_usage *r)
{
	u32 idx;

	memset(r, 0, sizeof(*r));
	r->size = oa->size;
	r->free = oa->free_units;
	r->allocs = oa->allocs;
	r->max_allocs = oa->max_allocs;
	r->free_regions = oa->free_regions;
	if (!oa->used_bins_top)
		return;
	idx = fls64(oa->used_bins_top) - 1;
	idx = idx * MEMKIT_OA_LEAF_BINS + fls(oa->used_bins[idx]) - 1;
	for (idx = oa->bin_heads[idx]; idx != OA_NIL; idx = oa->nodes[idx].bin_next)
		r->largest_free = max(r->largest_free, oa->nodes[idx].size);
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_report);

/**
 * memkit_oa_full_report() - free regions per bin, and the bitmasks
 * @oa: the allocator.
 * @r: receives the report (about 8 KiB).
 *
 * Context: any context; the caller's lock held.  O(free regions).
 */
void memkit_oa_full_report(const struct memkit_oa *oa,
			   struct memkit_oa_bin_usage *r)
{
	u32 bin, idx;

	memset(r, 0, sizeof(*r));
	r->used_bins_top = oa->used_bins_top;
	memcpy(r->used_bins, oa->used_bins, sizeof(r->used_bins));
	bin = 0;
	for (idx = oa_first_free(oa, &bin, MEMKIT_OA_NUM_BINS); idx != OA_NIL;
	     idx = oa_next_free(oa, &bin, idx, MEMKIT_OA_NUM_BINS)) {
		r->bins[bin].regions++;
		r->bins[bin].units += oa->nodes[idx].size;
	}
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_full_report);

/**
 * memkit_oa_walk_regions() - visit every region in address order
 * @oa: the allocator.
 * @fn: called with each region's offset, size and whether it is in use.
 * @arg: passed to @fn.
 *
 * Context: the caller's lock held; @fn must not call into @oa.  O(nodes).
 */
void memkit_oa_walk_regions(const struct memkit_oa *oa,
			    memkit_oa_region_fn fn, void *arg)
{
	struct memkit_oa_cursor cur = {};

	/* One chunk as large as any allocator's region count. */
	memkit_oa_walk_chunk(oa, &cur, U32_MAX, fn, arg);
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_walk_regions);

/**
 * memkit_oa_walk_chunk() - visit a bounded number of regions, resumably
 * @oa: the allocator.
 * @cur: where to start: zeroed for the first region; updated to the next
 *	region to visit.
 * @max: most regions to visit in this call, at least 1.
 * @fn: called with each region's offset, size and whether it is in use.
 * @arg: passed to @fn.
 *
 * For walks that drop the caller's lock between chunks: the cursor names
 * the region that starts at @cur->offset by its node, and a later call
 * checks that this node still starts a region there.  If the region was
 * merged away meanwhile, the call visits nothing and returns -EAGAIN; the
 * caller may walk again from a zeroed cursor and skip what it has seen.
 *
 * Context: the caller's lock held; @fn must not call into @oa.  O(@max).
 * Return: 1 if regions remain, 0 when the walk is complete, -EAGAIN.
 */
int memkit_oa_walk_chunk(const struct memkit_oa *oa, struct memkit_oa_cursor *cur,
			 u32 max, memkit_oa_region_fn fn, void *arg)
{
	u32 idx = cur->offset ? cur->node : OA_FIRST;
	const struct memkit_oa_node *n;

	if (idx >= oa->fresh || oa->nodes[idx].bin_prev == OA_SPARE ||
	    oa->nodes[idx].offset != cur->offset)
		return -EAGAIN;
	for (; max && idx != OA_NIL; max--, idx = n->nb_next) {
		n = &oa->nodes[idx];
		fn(n->offset, n->size, !oa_node_free(n), arg);
	}
	if (idx == OA_NIL)
		return 0;
	cur->offset = oa->nodes[idx].offset;
	cur->node = idx;
	return 1;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_walk_chunk);

#define oa_corrupt(fmt, ...) ({						\
	pr_err("memkit_oa: invariant broken: " fmt "\n", ##__VA_ARGS__); \
	-EUCLEAN;							\
})

/* Every free list: in its right bin, linked both ways, bitmasks agree. */
static int oa_check_bins(const struct memkit_oa *oa, u32 *listed)
{
	u32 bin, idx, prev, steps;

	*listed = 0;
	for (bin = 0; bin < MEMKIT_OA_NUM_BINS; bin++) {
		u32 top = bin / MEMKIT_OA_LEAF_BINS;
		bool leaf_bit = oa->used_bins[top] & BIT(bin % MEMKIT_OA_LEAF_BINS);
		bool top_bit = oa->used_bins_top & BIT_ULL(top);
		bool has_list = oa->bin_heads[bin] != OA_NIL;

		if (leaf_bit != has_list)
			return oa_corrupt("bin %u: bitmask %d, list %s", bin, leaf_bit,
					  has_list ? "non-empty" : "empty");
		if (top_bit != !!oa->used_bins[top])
			return oa_corrupt("top bin %u: bit %d, leaf mask %#x", top,
					  top_bit, oa->used_bins[top]);
		prev = OA_NIL;
		steps = 0;
		for (idx = oa->bin_heads[bin]; idx != OA_NIL;
		     prev = idx, idx = oa->nodes[idx].bin_next) {
			const struct memkit_oa_node *n;

			if (idx >= oa->nr_nodes || ++steps > oa->nr_nodes)
				return oa_corrupt("bin %u: bad link or cycle", bin);
			n = &oa->nodes[idx];
			if (n->bin_prev != prev)
				return oa_corrupt("node %u: bin_prev %u, expected %u",
						  idx, n->bin_prev, prev);
			if (memkit_oa_bin_round_down(n->size) != bin)
				return oa_corrupt("node %u: size %llu in bin %u", idx,
						  n->size, bin);
		}
		*listed += steps;
	}
	return 0;
}

/**
 * memkit_oa_check() - verify every invariant of the allocator
 * @oa: the allocator.
 *
 * The regions tile [0, size) in address order with no two free regions
 * adjacent; the counters match the regions; every free region is on the
 * list of its bin and no other node is; the bitmasks match the lists; the
 * spare nodes account for the rest.  The first violation is logged.
 *
 * Context: the caller's lock held.  O(nodes); for tests and debugging.
 * Return: 0, or -EUCLEAN if an invariant is broken.
 */
int memkit_oa_check(const struct memkit_oa *oa)
{
	u64 expect = 0, free_units = 0;
	u32 idx, prev = OA_NIL, used = 0, free = 0, listed, steps = 0;
	bool prev_free = false;
	int ret;

	for (idx = OA_FIRST; idx != OA_NIL; prev = idx, idx = oa->nodes[idx].nb_next) {
		const struct memkit_oa_node *n;

		if (idx >= oa->fresh || ++steps > oa->nr_nodes)
			return oa_corrupt("neighbour list: bad link or cycle");
		n = &oa->nodes[idx];
		if (n->bin_prev == OA_SPARE)
			return oa_corrupt("node %u: spare node in the neighbour list", idx);
		if (n->nb_prev != prev)
			return oa_corrupt("node %u: nb_prev %u, expected %u", idx,
					  n->nb_prev, prev);
		if (n->offset != expect || !n->size || n->size > oa->size - expect)
			return oa_corrupt("node %u: [%llu, +%llu) after %llu of %llu",
					  idx, n->offset, n->size, expect, oa->size);
		expect += n->size;
		if (oa_node_free(n)) {
			if (prev_free)
				return oa_corrupt("node %u: free and after a free region", idx);
			free++;
			free_units += n->size;
		} else {
			used++;
		}
		prev_free = oa_node_free(n);
	}
	if (expect != oa->size)
		return oa_corrupt("regions cover %llu of %llu units", expect, oa->size);
	if (used != oa->allocs || free != oa->free_regions || free_units != oa->free_units)
		return oa_corrupt("counted %u used, %u free (%llu units); recorded %u, %u (%llu)",
				  used, free, free_units, oa->allocs,
				  oa->free_regions, oa->free_units);
	if (oa->allocs > oa->max_allocs)
		return oa_corrupt("%u allocations, max %u", oa->allocs, oa->max_allocs);

	ret = oa_check_bins(oa, &listed);
	if (ret)
		return ret;
	if (listed != free)
		return oa_corrupt("%u nodes on bin lists, %u free regions", listed, free);

	steps = 0;
	for (idx = oa->spare_head; idx != OA_NIL; idx = oa->nodes[idx].bin_next) {
		if (idx >= oa->fresh || ++steps > oa->nr_nodes ||
		    oa->nodes[idx].bin_prev != OA_SPARE)
			return oa_corrupt("spare list: bad node %u", idx);
	}
	if (oa->fresh > oa->nr_nodes)
		return oa_corrupt("fresh mark %u past %u nodes", oa->fresh, oa->nr_nodes);
	steps += oa->nr_nodes - oa->fresh;
	if (steps != oa->nr_spare || used + free + steps != oa->nr_nodes)
		return oa_corrupt("%u spare (recorded %u) + %u used + %u free != %u nodes",
				  steps, oa->nr_spare, used, free, oa->nr_nodes);
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_check);
