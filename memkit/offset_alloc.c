// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_oa: O(1) offset allocator.
 */

#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/random.h>
#include <linux/rbtree_augmented.h>
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
 * A free region that shrinks (a carve) or grows (a merge) keeps its node,
 * and the allocation or the absorbed neighbour is the node that comes or
 * goes: the region then changes bin list only if its size leaves its bin,
 * and keeps its entries in the placement indexes below.
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
 * Handles: a handle names its node, its offset and its generation, a
 * 32-bit counter that every allocation advances (from a random start per
 * allocator) and that a used node keeps in the link a free node uses for
 * its bin list.  A handle whose node was freed and handed out again, even
 * at the same offset, no longer matches: a stale handle is accepted only
 * if exactly a multiple of 2^32 allocations were made since, and one from
 * another allocator that names a live node and offset with probability
 * 2^-32.
 *
 * Placement (%MEMKIT_OA_PLACE, asked for at init): GPU drivers need more
 * than a good fit: an allocation inside a window (the CPU-visible part of
 * VRAM), top-down or lowest-first, best fit, guard space between kinds
 * of allocation (colours), and an eviction scan when nothing fits.  The
 * bins cannot answer "the lowest region that fits below this offset", so
 * such an allocator also keeps its free regions in rbtrees:
 *
 * - by address, each entry augmented with the largest size in its
 *   subtree: the lowest (or highest) region of at least a size on one
 *   side of an offset is one O(log n) descent that skips every subtree
 *   too small, so LOW, HIGH and windowed FAST never look at a region
 *   smaller than the request, nor at one outside the window;
 * - with %MEMKIT_OA_BEST_FIT, also in each bin, by (size, offset): BEST
 *   starts in the request's own bin at the smallest region of at least
 *   the size, and goes on to the next non-empty bins, found with the
 *   bitmasks.  This order is asked for on its own because it is the
 *   dearer one to keep: carving or merging a region nearly always moves
 *   it to another bin, so most changes of a free region are a tree erase
 *   and insert, a fifth of the instructions of a LOW allocation and free
 *   at 1Ki live (998 with it, 799 without).  A tree per bin rather than
 *   one for all keeps each tree a bin's share of the regions: at 1Ki and
 *   64Ki live allocations of mixed sizes, 300 and 20000 free regions
 *   spread over 70-100 bins, so an insert descends about 2 and 8 levels
 *   instead of 8 and 15.  In a window, a size-ordered walk steps past
 *   the regions outside it (drm_mm's best fit does the same); when that
 *   grows long, a walk of the window in address order runs beside it and
 *   whichever finishes first answers (see oa_find_best()), so a small
 *   window beside a fragmented rest costs O(log n) per region in the
 *   window, not a step per region outside.
 *
 * A region can be big enough and still not fit: its part inside the
 * window is too small (only the two regions that straddle the window's
 * edges), or the alignment or a guard eats into it.  The search then
 * moves to the next candidate, O(log n) each; a region of at least size
 * + align - 1 + 2 * guard always fits, so FAST asks for one of those
 * first.  An augmented address tree was chosen over a second level of
 * bins per address range because it keeps one node per free region,
 * needs no rebalancing of its own (the kernel's augmented rbtree
 * maintains the maxima on rotation), and gives exact answers for LOW and
 * HIGH.  An allocator without the flag never touches the trees: one
 * predictable branch per change of a free region.
 *
 * The eviction scan changes nothing in the allocator: each candidate is
 * marked with the scan's serial in its node's extras, and the two ends
 * of each run of marked allocations know each other, so a new candidate
 * merges with its neighbours' runs in O(1); an abandoned scan is
 * forgotten as soon as another starts.
 *
 * Complexity:
 *
 * - alloc: O(1) when a region in a bin above the request exists; else
 *   O(k) where k is the number of free regions in the request's own bin
 *   (for align > 1: the bins between size and size + align - 1).
 * - free, resize, extend, grow: O(1); alloc and free add O(log n) with
 *   %MEMKIT_OA_LOOKUP (the rbtree of allocations by offset), and every
 *   change of a free region O(log n) with %MEMKIT_OA_PLACE.
 * - alloc_in: see memkit_oa_alloc_in(); reserve with %MEMKIT_OA_PLACE:
 *   O(log n).  Scan: O(1) per candidate.
 * - lookup by offset: O(log n).
 * - iteration: O(1) per allocation (free regions are never adjacent);
 *   O(1 + allocations skipped) per hole.
 * - reserve: O(free regions).
 * - report: O(free regions in the largest non-empty bin); full report and
 *   check: O(nodes).
 *
 * Memory: 32 bytes per node, and 2 * max_allocs + 1 nodes always suffice:
 * no two free regions are adjacent, so there is at most one more free
 * region than allocations.  A fixed allocator has them all in one
 * kvmalloc() buffer with the 2 KiB of bin heads (and, with
 * %MEMKIT_OA_BEST_FIT, the 512 roots of the bins' trees).  A growable one starts
 * with a power of two and adds segments that double the count, each a
 * buffer of its own that the caller allocates outside its lock
 * (memkit_oa_grow_size(), memkit_oa_grow()); nodes never move.  Per node,
 * %MEMKIT_OA_PRIV adds a pointer, %MEMKIT_OA_LOOKUP an rb_node, the start
 * offset and the node index, %MEMKIT_OA_PLACE an rb_node, copies of
 * offset and size, the subtree maximum, colour and scan state (64 bytes
 * on 64-bit) and %MEMKIT_OA_BEST_FIT a second rb_node (24 more), in the
 * same segments.
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
	u32 bin_next;	/* free: next in its bin; spare: next spare; used: gen */
	u32 nb_prev;	/* address-order neighbours, OA_NIL at the ends */
	u32 nb_next;
};

static_assert(sizeof(struct memkit_oa_node) == MEMKIT_OA_NODE_BYTES);

/* The rb_node of an allocator with MEMKIT_OA_LOOKUP, and whose it is. */
struct oa_rb {
	struct rb_node rb;
	u64 offset;
	u32 idx;
};

/*
 * The extras of an allocator with MEMKIT_OA_PLACE.  A free region is in
 * the indexes, with copies of its offset and size so that a search reads
 * only the index; a used one keeps its colour.  @scan and @partner belong
 * to the eviction scan whose serial @scan is.  @by_size, last, is there
 * only with MEMKIT_OA_BEST_FIT: without it the extras are cut short
 * before it (oa_place_bytes()).
 */
struct oa_place {
	struct rb_node by_addr;
	u64 offset;
	u64 size;
	u64 max;	/* the largest size in its by_addr subtree */
	u32 idx;
	u32 color;
	u32 scan;
	u32 partner;	/* the node at the other end of its span */
	struct rb_node by_size;
};

/* Cut short, the extras must still be an array of aligned entries. */
static_assert(offsetof(struct oa_place, by_size) % __alignof__(struct oa_place) == 0);

/* Nodes in segment @k. */
static u32 oa_seg_len(const struct memkit_oa *oa, u32 k)
{
	return k ? 1U << (oa->seg_shift + k - 1) : oa->seg0_nodes;
}

/* Bytes of placement extras per node, by whether there is best fit. */
static size_t oa_place_bytes(unsigned int flags)
{
	if (!(flags & MEMKIT_OA_PLACE))
		return 0;
	return flags & MEMKIT_OA_BEST_FIT ? sizeof(struct oa_place) :
					    offsetof(struct oa_place, by_size);
}

/* Bytes per node in each segment: the node and the extras @flags ask for. */
static size_t oa_node_bytes(unsigned int flags)
{
	return sizeof(struct memkit_oa_node) +
	       (flags & MEMKIT_OA_PRIV ? sizeof(void *) : 0) +
	       (flags & MEMKIT_OA_LOOKUP ? sizeof(struct oa_rb) : 0) + oa_place_bytes(flags);
}

/* The segment of node @idx, and its index there. */
static u32 oa_seg_of(const struct memkit_oa *oa, u32 idx, u32 *at)
{
	u32 k;

	if (idx < oa->seg0_nodes) {
		*at = idx;
		return 0;
	}
	k = fls(idx >> oa->seg_shift);
	*at = idx - (1U << (oa->seg_shift + k - 1));
	return k;
}

/*
 * Has node storage outgrown segment 0?  The hot paths (alloc, reserve,
 * free) are compiled twice, with @g false and true, and the exported
 * calls pick one, so an allocator whose nodes are all in segment 0
 * indexes them as one array, as a fixed one does.
 */
static bool oa_grown(const struct memkit_oa *oa)
{
	return oa->nr_segs > 1;
}

/* Node @idx; @g is oa_grown(), known at compile time on the hot paths. */
static __always_inline struct memkit_oa_node *
oa_node(const struct memkit_oa *oa, u32 idx, bool g)
{
	if (!g)
		return &oa->seg[0][idx];
	/*
	 * Segment k >= 1 holds nodes [2^(shift + k - 1), 2^(shift + k)), and
	 * segment 0 the 2^shift below; its base is kept biased by its first
	 * index, so the node is one add away.
	 */
	return (struct memkit_oa_node *)(oa->seg_bias[fls(idx >> oa->seg_shift)] +
					 (uintptr_t)idx * sizeof(struct memkit_oa_node));
}

/*
 * The extras of node @idx: after a segment's nodes come an array per flag
 * it has, in the order of the flags (private pointer, rb_node, placement).
 * Returns the array of extra @flag and sets *@at to the node's index in it.
 */
static void *oa_extra_of(const struct memkit_oa *oa, u32 idx, unsigned int flag, u32 *at)
{
	u32 k = oa_seg_of(oa, idx, at), len = oa_seg_len(oa, k);
	u8 *p = (u8 *)(oa->seg[k] + len);

	if (flag > MEMKIT_OA_PRIV && (oa->flags & MEMKIT_OA_PRIV))
		p += (size_t)len * sizeof(void *);
	if (flag > MEMKIT_OA_LOOKUP && (oa->flags & MEMKIT_OA_LOOKUP))
		p += (size_t)len * sizeof(struct oa_rb);
	return p;
}

/* As oa_extra_of(), with segment 0's arrays at hand (oa->extra0[]). */
static __always_inline void *oa_extra(const struct memkit_oa *oa, u32 idx, unsigned int flag,
				      u32 *at)
{
	if (likely(idx < oa->seg0_nodes)) {
		*at = idx;
		return oa->extra0[ilog2(flag)];
	}
	return oa_extra_of(oa, idx, flag, at);
}

static __always_inline void **oa_priv_slot(const struct memkit_oa *oa, u32 idx)
{
	u32 at;
	void **v = oa_extra(oa, idx, MEMKIT_OA_PRIV, &at);

	return v + at;
}

static __always_inline struct oa_rb *oa_rb(const struct memkit_oa *oa, u32 idx)
{
	u32 at;
	struct oa_rb *v = oa_extra(oa, idx, MEMKIT_OA_LOOKUP, &at);

	return v + at;
}

static __always_inline struct oa_place *oa_place(const struct memkit_oa *oa, u32 idx)
{
	u32 at;
	u8 *v = oa_extra(oa, idx, MEMKIT_OA_PLACE, &at);

	return (struct oa_place *)(v + (size_t)at * oa->place_bytes);
}

static u64 oa_place_size(const struct oa_place *p)
{
	return p->size;
}

RB_DECLARE_CALLBACKS_MAX(static, oa_place_cb, struct oa_place, by_addr, u64, max,
			 oa_place_size)

static struct oa_place *oa_addr_entry(const struct rb_node *rb)
{
	return rb_entry(rb, struct oa_place, by_addr);
}

/* The largest size in the address subtree at @rb; 0 for none. */
static u64 oa_sub_max(const struct rb_node *rb)
{
	return rb ? oa_addr_entry(rb)->max : 0;
}

static struct rb_node *oa_child(const struct rb_node *rb, bool right)
{
	return right ? rb->rb_right : rb->rb_left;
}

/* The order of bin trees: by size, then by offset. */
static bool oa_size_less(const struct oa_place *a, const struct oa_place *b)
{
	return a->size < b->size || (a->size == b->size && a->offset < b->offset);
}

static void oa_size_add(struct memkit_oa *oa, struct oa_place *p, u32 bin)
{
	struct rb_node **link = &oa->bin_trees[bin].rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		if (oa_size_less(p, rb_entry(parent, struct oa_place, by_size)))
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&p->by_size, parent, link);
	rb_insert_color(&p->by_size, &oa->bin_trees[bin]);
}

/* Enter free node @idx, of bin @bin, in both indexes of the free regions. */
static void oa_place_add(struct memkit_oa *oa, u32 idx, const struct memkit_oa_node *n,
			 u32 bin)
{
	struct rb_node **link = &oa->holes_by_addr.rb_node, *parent = NULL;
	struct oa_place *p = oa_place(oa, idx), *q;

	p->offset = n->offset;
	p->size = n->size;
	p->idx = idx;
	p->max = n->size;
	while (*link) {
		parent = *link;
		q = rb_entry(parent, struct oa_place, by_addr);
		if (q->max < p->size)
			q->max = p->size;
		link = p->offset < q->offset ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&p->by_addr, parent, link);
	rb_insert_augmented(&p->by_addr, &oa->holes_by_addr, &oa_place_cb);
	if (oa->flags & MEMKIT_OA_BEST_FIT)
		oa_size_add(oa, p, bin);
	oa->changes++;
}

static void oa_place_del(struct memkit_oa *oa, u32 idx, u32 bin)
{
	struct oa_place *p = oa_place(oa, idx);

	rb_erase_augmented(&p->by_addr, &oa->holes_by_addr, &oa_place_cb);
	if (oa->flags & MEMKIT_OA_BEST_FIT)
		rb_erase(&p->by_size, &oa->bin_trees[bin]);
	oa->changes++;
}

/*
 * Bin-tree entry @p (MEMKIT_OA_BEST_FIT) of a free region whose size
 * changed, filed in bin @old: it moves only if its bin changed or a
 * neighbour there is now out of order.
 */
static __always_inline void oa_size_refile(struct memkit_oa *oa, struct oa_place *p, u32 old,
					   u32 bin)
{
	struct rb_node *prev, *next;

	if (bin == old) {
		prev = rb_prev(&p->by_size);
		next = rb_next(&p->by_size);
		if ((!prev || oa_size_less(rb_entry(prev, struct oa_place, by_size), p)) &&
		    (!next || oa_size_less(p, rb_entry(next, struct oa_place, by_size))))
			return;
	}
	rb_erase(&p->by_size, &oa->bin_trees[old]);
	oa_size_add(oa, p, bin);
}

/*
 * Free node @idx, of bin @old in the indexes, has a new extent in the same
 * place in address order (see oa_refile_free()): its address entry keeps
 * its place and only the subtree maxima above it change; its bin-tree
 * entry, with MEMKIT_OA_BEST_FIT (@best), is refiled by oa_size_refile().
 */
static __always_inline void oa_place_refile(struct memkit_oa *oa, u32 idx,
					    const struct memkit_oa_node *n, u32 old, u32 bin,
					    bool best)
{
	struct oa_place *p = oa_place(oa, idx);
	u64 old_size = p->size;
	struct rb_node *rb;

	p->offset = n->offset;
	p->size = n->size;
	if (p->size > old_size) {
		/* Grown: raise the maxima up to the first that is as large. */
		for (rb = &p->by_addr; rb && oa_addr_entry(rb)->max < p->size; rb = rb_parent(rb))
			oa_addr_entry(rb)->max = p->size;
	} else if (p->max == old_size) {
		/*
		 * Shrunk, and it gave its subtree's maximum: recompute upwards
		 * while an entry's maximum was the old size, each from the
		 * child just recomputed and the other one, and stop where
		 * another region of that size still gives it.
		 */
		u64 m = max3(p->size, oa_sub_max(p->by_addr.rb_left),
			     oa_sub_max(p->by_addr.rb_right));
		struct rb_node *child = &p->by_addr;
		struct oa_place *q = p;

		for (;;) {
			q->max = m;
			rb = rb_parent(child);
			if (m == old_size || !rb)
				break;
			q = oa_addr_entry(rb);
			if (q->max != old_size)
				break;
			m = max3(q->size, m, oa_sub_max(oa_child(rb, rb->rb_left == child)));
			child = rb;
		}
	}
	oa->changes++;
	if (best)
		oa_size_refile(oa, p, old, bin);
}

/*
 * A copy of each, so that neither pays for the other's frame: without
 * best fit the refile is a few stores and a short walk up the tree.
 */
static void oa_place_refile_addr(struct memkit_oa *oa, u32 idx, const struct memkit_oa_node *n,
				 u32 old, u32 bin)
{
	oa_place_refile(oa, idx, n, old, bin, false);
}

static void oa_place_refile_best(struct memkit_oa *oa, u32 idx, const struct memkit_oa_node *n,
				 u32 old, u32 bin)
{
	oa_place_refile(oa, idx, n, old, bin, true);
}

static bool oa_node_free(const struct memkit_oa_node *n)
{
	return n->bin_prev != OA_USED && n->bin_prev != OA_SPARE;
}

/* Put free node @idx at the head of bin @bin's list. */
static __always_inline void oa_bin_link(struct memkit_oa *oa, u32 idx, u32 bin, bool g)
{
	struct memkit_oa_node *n = oa_node(oa, idx, g);
	u32 top = bin / MEMKIT_OA_LEAF_BINS;
	u32 head = oa->bin_heads[bin];

	n->bin_prev = OA_NIL;
	n->bin_next = head;
	if (head != OA_NIL)
		oa_node(oa, head, g)->bin_prev = idx;
	oa->bin_heads[bin] = idx;
	oa->used_bins[top] |= BIT(bin % MEMKIT_OA_LEAF_BINS);
	oa->used_bins_top |= BIT_ULL(top);
}

/* Take free node @idx off the list of bin @bin. */
static __always_inline void oa_bin_unlink(struct memkit_oa *oa, u32 idx, u32 bin, bool g)
{
	struct memkit_oa_node *n = oa_node(oa, idx, g);
	u32 top = bin / MEMKIT_OA_LEAF_BINS;

	if (n->bin_prev != OA_NIL)
		oa_node(oa, n->bin_prev, g)->bin_next = n->bin_next;
	else
		oa->bin_heads[bin] = n->bin_next;
	if (n->bin_next != OA_NIL)
		oa_node(oa, n->bin_next, g)->bin_prev = n->bin_prev;

	if (oa->bin_heads[bin] == OA_NIL) {
		oa->used_bins[top] &= ~BIT(bin % MEMKIT_OA_LEAF_BINS);
		if (!oa->used_bins[top])
			oa->used_bins_top &= ~BIT_ULL(top);
	}
}

/*
 * Make node @idx a free region: its bin list, the totals and, with
 * MEMKIT_OA_PLACE, the indexes.
 */
static __always_inline void oa_insert_free(struct memkit_oa *oa, u32 idx, bool g)
{
	struct memkit_oa_node *n = oa_node(oa, idx, g);
	u32 bin = memkit_oa_bin_round_down(n->size);

	oa_bin_link(oa, idx, bin, g);
	oa->free_units += n->size;
	oa->free_regions++;
	if (oa->flags & MEMKIT_OA_PLACE)
		oa_place_add(oa, idx, n, bin);
}

/* Take free region @idx off its bin list, the totals and the indexes. */
static __always_inline void oa_remove_free(struct memkit_oa *oa, u32 idx, bool g)
{
	struct memkit_oa_node *n = oa_node(oa, idx, g);
	u32 bin = memkit_oa_bin_round_down(n->size);

	oa_bin_unlink(oa, idx, bin, g);
	oa->free_units -= n->size;
	oa->free_regions--;
	if (oa->flags & MEMKIT_OA_PLACE)
		oa_place_del(oa, idx, bin);
}

/*
 * Free region @idx had @old_size units and has been given a new extent
 * that keeps its place in address order: no other free region lies
 * between its old and its new extent.  Every carve and every merge comes
 * down to this, so the free region that remains keeps its node: it moves
 * to another bin list only if its size left its bin, and with
 * MEMKIT_OA_PLACE its address entry stays where it is.
 */
static __always_inline void oa_refile_free(struct memkit_oa *oa, u32 idx, u64 old_size, bool g)
{
	struct memkit_oa_node *n = oa_node(oa, idx, g);
	u32 old = memkit_oa_bin_round_down(old_size), bin = memkit_oa_bin_round_down(n->size);

	if (bin != old) {
		oa_bin_unlink(oa, idx, old, g);
		oa_bin_link(oa, idx, bin, g);
	}
	oa->free_units = oa->free_units - old_size + n->size;
	if (!(oa->flags & MEMKIT_OA_PLACE))
		return;
	if (oa->flags & MEMKIT_OA_BEST_FIT)
		oa_place_refile_best(oa, idx, n, old, bin);
	else
		oa_place_refile_addr(oa, idx, n, old, bin);
}

/*
 * Spare nodes are those on the spare list and every node from oa->fresh
 * on, which has not been used since the last reset: reset then costs
 * O(bins), not O(max_allocs).
 */
static __always_inline u32 oa_spare_pop(struct memkit_oa *oa, bool g)
{
	u32 idx = oa->spare_head;

	if (idx != OA_NIL)
		oa->spare_head = oa_node(oa, idx, g)->bin_next;
	else
		idx = oa->fresh++;
	oa->nr_spare--;
	return idx;
}

static __always_inline void oa_spare_push(struct memkit_oa *oa, u32 idx, bool g)
{
	oa_node(oa, idx, g)->bin_prev = OA_SPARE;
	oa_node(oa, idx, g)->bin_next = oa->spare_head;
	oa->spare_head = idx;
	oa->nr_spare++;
}

/* The first non-empty bin >= @bin, or OA_NIL. */
static __always_inline u32 oa_find_bin(const struct memkit_oa *oa, u32 bin)
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

static __always_inline u32 oa_next_free(const struct memkit_oa *oa, u32 *bin, u32 idx,
					u32 to, bool g)
{
	idx = oa_node(oa, idx, g)->bin_next;
	if (idx != OA_NIL)
		return idx;
	++*bin;
	return oa_first_free(oa, bin, to);
}

/* Make @idx the region after @prev (OA_NIL: @idx starts the range). */
static __always_inline void oa_link_next(struct memkit_oa *oa, u32 prev, u32 idx, bool g)
{
	if (prev != OA_NIL)
		oa_node(oa, prev, g)->nb_next = idx;
	else
		oa->first = idx;
}

/* Make @idx the region before @next (OA_NIL: @idx ends the range). */
static __always_inline void oa_link_prev(struct memkit_oa *oa, u32 next, u32 idx, bool g)
{
	if (next != OA_NIL)
		oa_node(oa, next, g)->nb_prev = idx;
	else
		oa->last = idx;
}

/* Insert a new node for [offset, offset + size) after @prev. */
static __always_inline u32 oa_split_after(struct memkit_oa *oa, u32 prev, u64 offset,
					  u64 size, bool g)
{
	struct memkit_oa_node *p = oa_node(oa, prev, g);
	u32 idx = oa_spare_pop(oa, g);
	struct memkit_oa_node *n = oa_node(oa, idx, g);

	n->offset = offset;
	n->size = size;
	n->nb_prev = prev;
	n->nb_next = p->nb_next;
	oa_link_prev(oa, p->nb_next, idx, g);
	p->nb_next = idx;
	p->size = offset - p->offset;
	return idx;
}

/* Insert a new node for the first @size units of @next's region, before it. */
static __always_inline u32 oa_split_before(struct memkit_oa *oa, u32 next, u64 size, bool g)
{
	struct memkit_oa_node *x = oa_node(oa, next, g);
	u32 idx = oa_spare_pop(oa, g);
	struct memkit_oa_node *n = oa_node(oa, idx, g);

	n->offset = x->offset;
	n->size = size;
	n->nb_prev = x->nb_prev;
	n->nb_next = next;
	oa_link_next(oa, x->nb_prev, idx, g);
	x->nb_prev = idx;
	x->offset += size;
	x->size -= size;
	return idx;
}

/* Node @idx absorbs its previous neighbour, which is off every bin list. */
static __always_inline void oa_merge_prev(struct memkit_oa *oa, u32 idx, bool g)
{
	struct memkit_oa_node *n = oa_node(oa, idx, g);
	u32 prev = n->nb_prev;
	struct memkit_oa_node *x = oa_node(oa, prev, g);

	n->offset = x->offset;
	n->size += x->size;
	n->nb_prev = x->nb_prev;
	oa_link_next(oa, x->nb_prev, idx, g);
	oa_spare_push(oa, prev, g);
}

/* Node @idx absorbs its next neighbour, which is off every bin list. */
static __always_inline void oa_merge_next(struct memkit_oa *oa, u32 idx, bool g)
{
	struct memkit_oa_node *n = oa_node(oa, idx, g);
	u32 next = n->nb_next;
	struct memkit_oa_node *x = oa_node(oa, next, g);

	n->size += x->size;
	n->nb_next = x->nb_next;
	oa_link_prev(oa, x->nb_next, idx, g);
	oa_spare_push(oa, next, g);
}

/*
 * Enter used node @idx in the index by offset, if there is one.  Its
 * predecessor in the index is the nearest used region before it, at most
 * two regions back (free regions are never adjacent), so the new entry is
 * linked next to it without a search from the root.
 */
static __always_inline void oa_index_add(struct memkit_oa *oa, u32 idx, bool g)
{
	struct rb_node *parent = NULL, **link = &oa->by_offset.rb_node;
	struct memkit_oa_node *n = oa_node(oa, idx, g);
	struct oa_rb *r;
	u32 prev;

	if (!(oa->flags & MEMKIT_OA_LOOKUP))
		return;
	r = oa_rb(oa, idx);
	r->idx = idx;
	r->offset = n->offset;
	for (prev = n->nb_prev; prev != OA_NIL && oa_node_free(oa_node(oa, prev, g));)
		prev = oa_node(oa, prev, g)->nb_prev;
	if (prev != OA_NIL) {
		/* Right after @prev: its right child, or the leftmost below it. */
		parent = &oa_rb(oa, prev)->rb;
		link = &parent->rb_right;
	}
	while (*link) {
		parent = *link;
		link = &parent->rb_left;
	}
	rb_link_node(&r->rb, parent, link);
	rb_insert_color(&r->rb, &oa->by_offset);
}

static __always_inline void oa_index_del(struct memkit_oa *oa, u32 idx)
{
	if (oa->flags & MEMKIT_OA_LOOKUP)
		rb_erase(&oa_rb(oa, idx)->rb, &oa->by_offset);
}

/*
 * Turn [start, start + size) of free node @idx into an allocation; what is
 * left on either side stays free.  Both allocation and reserve end here.
 * A new allocation takes the next generation, and a NULL private pointer.
 */
static __always_inline int oa_carve(struct memkit_oa *oa, u32 idx, u64 start, u64 size,
				    u32 color, struct memkit_oa_handle *handle, bool g)
{
	struct memkit_oa_node *n = oa_node(oa, idx, g);
	u64 end = start + size, n_end = n->offset + n->size, old_size = n->size;
	u32 need = (start > n->offset) + (end < n_end), n_idx = idx;

	/*
	 * A growable allocator may be short of node storage: -ENOMEM, for
	 * the caller to grow it (memkit_oa_grow()) and retry.  One with all
	 * 2 * max_allocs + 1 nodes never is.
	 */
	if (oa->nr_spare < need)
		return -ENOMEM;

	if (!need) {
		oa_remove_free(oa, idx, g);
	} else if (start == n->offset) {
		/* The allocation takes a new node below the rest, which stays free. */
		idx = oa_split_before(oa, idx, size, g);
		oa_refile_free(oa, n_idx, old_size, g);
		n = oa_node(oa, idx, g);
	} else {
		/* The front stays free in its node; a back part is a new free region. */
		idx = oa_split_after(oa, n_idx, start, n_end - start, g);
		oa_refile_free(oa, n_idx, old_size, g);
		n = oa_node(oa, idx, g);
		if (end < n_end)
			oa_insert_free(oa, oa_split_after(oa, idx, end, n_end - end, g), g);
	}

	/* A used node keeps its generation where a free one has a bin link. */
	n->bin_prev = OA_USED;
	n->bin_next = ++oa->gen;
	oa->allocs++;
	if (oa->flags & MEMKIT_OA_PRIV)
		*oa_priv_slot(oa, idx) = NULL;
	if (oa->flags & MEMKIT_OA_PLACE) {
		oa_place(oa, idx)->color = color;
		oa_place(oa, idx)->scan = 0;
	}
	oa_index_add(oa, idx, g);
	handle->offset = start;
	handle->node = idx;
	handle->gen = n->bin_next;
	return 0;
}

/* Where an allocation of @size at @align would start in node @idx, if it fits. */
static __always_inline bool oa_fits(const struct memkit_oa *oa, u32 idx, u64 size, u64 align,
				    u64 *start, bool g)
{
	const struct memkit_oa_node *n = oa_node(oa, idx, g);
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
	handle->gen = 0;
}

/**
 * memkit_oa_max_allocs() - the largest max_allocs an allocator can have
 * @flags: the &enum memkit_oa_flags it would be made with.
 *
 * Every node buffer, extras included, must fit in INT_MAX bytes.
 *
 * Context: any context.
 * Return: %MEMKIT_OA_MAX_ALLOCS for a plain allocator; less with extras.
 */
u32 memkit_oa_max_allocs(unsigned int flags)
{
	size_t trees = flags & MEMKIT_OA_BEST_FIT ? MEMKIT_OA_NUM_BINS * sizeof(struct rb_root) : 0;
	size_t avail = (u32)INT_MAX - MEMKIT_OA_NUM_BINS * sizeof(u32) - trees;

	return (avail / oa_node_bytes(flags) - 1) / 2;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_max_allocs);

/* memkit_oa_init_flags() without its allocation tag: see the header. */
int memkit_oa_init_flags_noprof(struct memkit_oa *oa, u64 size, u32 initial_allocs,
				u32 max_allocs, unsigned int flags)
{
	u32 seg0, all, k, at;
	size_t bytes;

	memset(oa, 0, sizeof(*oa));
	if (!size || !max_allocs || max_allocs > memkit_oa_max_allocs(flags) ||
	    initial_allocs > max_allocs ||
	    (flags & ~(MEMKIT_OA_PRIV | MEMKIT_OA_LOOKUP | MEMKIT_OA_PLACE | MEMKIT_OA_BEST_FIT)) ||
	    ((flags & MEMKIT_OA_BEST_FIT) && !(flags & MEMKIT_OA_PLACE)))
		return -EINVAL;

	all = 2 * max_allocs + 1;
	seg0 = roundup_pow_of_two(max_t(u32, 2 * initial_allocs + 1,
					BIT(MEMKIT_OA_MIN_SEG_SHIFT)));
	if (seg0 < all)
		oa->seg_shift = ilog2(seg0);
	else
		seg0 = all;
	oa->flags = flags;
	oa->place_bytes = oa_place_bytes(flags);
	bytes = size_add(array_size(seg0, oa_node_bytes(flags)),
			 array_size(MEMKIT_OA_NUM_BINS, sizeof(*oa->bin_heads)));
	if (flags & MEMKIT_OA_BEST_FIT)
		bytes = size_add(bytes, array_size(MEMKIT_OA_NUM_BINS, sizeof(*oa->bin_trees)));
	/*
	 * A large table may not be had (vmalloc space is small on 32-bit):
	 * -ENOMEM, with no warning and no OOM kill on its account.
	 */
	oa->seg[0] = kvmalloc_noprof(bytes, GFP_KERNEL | __GFP_NOWARN | __GFP_RETRY_MAYFAIL);
	if (!oa->seg[0])
		return -ENOMEM;
	oa->bin_heads = (u32 *)((u8 *)oa->seg[0] + seg0 * oa_node_bytes(flags));
	if (flags & MEMKIT_OA_BEST_FIT)
		oa->bin_trees = (struct rb_root *)(oa->bin_heads + MEMKIT_OA_NUM_BINS);
	oa->seg_bias[0] = (uintptr_t)oa->seg[0];
	oa->nr_segs = 1;
	oa->seg0_nodes = seg0;
	for (k = 0; k < ARRAY_SIZE(oa->extra0); k++)
		oa->extra0[k] = oa_extra_of(oa, 0, BIT(k), &at);
	oa->size = size;
	oa->max_allocs = max_allocs;
	oa->nr_nodes = seg0;
	/* Two allocators doing the same things still hand out different handles. */
	oa->gen = get_random_u32();
	memkit_oa_reset(oa);
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_init_flags_noprof);

/* memkit_oa_init() without its allocation tag: see the header. */
int memkit_oa_init_noprof(struct memkit_oa *oa, u64 size, u32 max_allocs)
{
	return memkit_oa_init_flags_noprof(oa, size, max_allocs, max_allocs, 0);
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_init_noprof);

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
	u32 k;

	for (k = 0; k < oa->nr_segs; k++)
		kvfree(oa->seg[k]);
	memset(oa, 0, sizeof(*oa));
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_exit);

/**
 * memkit_oa_reset() - free every allocation at once
 * @oa: an initialised allocator.
 *
 * Handles from before the reset become invalid and are refused.  Node
 * storage added by memkit_oa_grow() is kept.
 *
 * Context: any context; the caller's lock held.  O(bins): every node but
 * the first becomes spare without being touched.
 */
void memkit_oa_reset(struct memkit_oa *oa)
{
	const bool g = oa_grown(oa);
	u32 i;

	oa->free_units = 0;
	oa->used_bins_top = 0;
	oa->allocs = 0;
	oa->free_regions = 0;
	memset(oa->used_bins, 0, sizeof(oa->used_bins));
	for (i = 0; i < MEMKIT_OA_NUM_BINS; i++)
		oa->bin_heads[i] = OA_NIL;

	oa->spare_head = OA_NIL;
	/* Node 0 covers the range until the first carve. */
	oa->fresh = 1;
	oa->nr_spare = oa->nr_nodes - oa->fresh;
	oa->first = 0;
	oa->last = 0;
	oa->by_offset = RB_ROOT;
	oa->holes_by_addr = RB_ROOT;
	if (oa->flags & MEMKIT_OA_BEST_FIT)
		for (i = 0; i < MEMKIT_OA_NUM_BINS; i++)
			oa->bin_trees[i] = RB_ROOT;
	oa->changes++;

	*oa_node(oa, 0, g) = (struct memkit_oa_node) {
		.offset = 0,
		.size = oa->size,
		.nb_prev = OA_NIL,
		.nb_next = OA_NIL,
	};
	oa_insert_free(oa, 0, g);
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_reset);

/**
 * memkit_oa_grow_size() - how much node storage to add for @nr allocations
 * @oa: the allocator.
 * @nr: allocations on top of the live ones that must find nodes.
 *
 * Context: the caller's lock held.  O(1).
 * Return: the size of the next segment to allocate and hand to
 * memkit_oa_grow(), or 0 if @oa already has the nodes (or has every node
 * its max_allocs needs).
 */
size_t memkit_oa_grow_size(const struct memkit_oa *oa, u32 nr)
{
	u64 want = 2 * min_t(u64, (u64)oa->allocs + nr, oa->max_allocs) + 1;

	if (want <= oa->nr_nodes || oa->nr_segs == MEMKIT_OA_MAX_SEGS)
		return 0;
	return (size_t)oa_seg_len(oa, oa->nr_segs) * oa_node_bytes(oa->flags);
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_grow_size);

/**
 * memkit_oa_grow() - add a segment of node storage
 * @oa: the allocator.
 * @mem: a kvmalloc() buffer, allocated outside the caller's lock.
 * @bytes: its size: what memkit_oa_grow_size() returned.
 *
 * The segment doubles the nodes; existing nodes do not move.  @oa frees
 * @mem at memkit_oa_exit().
 *
 * Context: any context; the caller's lock held.  O(1).
 * Return: 0, the buffer is @oa's; -EINVAL if @bytes is not the size of
 * the next segment (another caller grew @oa meanwhile, or it has all the
 * nodes it can use): the buffer is still the caller's to free.
 */
int memkit_oa_grow(struct memkit_oa *oa, void *mem, size_t bytes)
{
	u32 len;

	if (!mem || !bytes || bytes != memkit_oa_grow_size(oa, oa->max_allocs))
		return -EINVAL;
	len = oa_seg_len(oa, oa->nr_segs);
	oa->seg_bias[oa->nr_segs] = (uintptr_t)mem - (uintptr_t)len * sizeof(struct memkit_oa_node);
	oa->seg[oa->nr_segs++] = mem;
	oa->nr_nodes += len;
	oa->nr_spare += len;
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_grow);

/**
 * memkit_oa_extend() - grow the managed range at its end
 * @oa: the allocator.
 * @new_size: the new number of units, at least the current one.
 *
 * For memory added behind the range (a resized BAR, a hot-added bank).
 * The new units are free; they join a free region that ends the range.
 *
 * Context: any context; the caller's lock held.  O(1).
 * Return: 0; -EINVAL if @new_size is below the current size; -ENOMEM if a
 * growable allocator needs a node first (memkit_oa_grow()).
 */
int memkit_oa_extend(struct memkit_oa *oa, u64 new_size)
{
	const bool g = oa_grown(oa);
	struct memkit_oa_node *n = oa_node(oa, oa->last, g);
	u64 more;

	if (new_size < oa->size)
		return -EINVAL;
	more = new_size - oa->size;
	if (!more)
		return 0;
	if (oa_node_free(n)) {
		n->size += more;
		oa_refile_free(oa, oa->last, n->size - more, g);
	} else {
		/* Only a growable allocator can be short: see memkit_oa_grow(). */
		if (!oa->nr_spare)
			return -ENOMEM;
		oa_insert_free(oa, oa_split_after(oa, oa->last, oa->size, more, g), g);
	}
	oa->size = new_size;
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_extend);

static __always_inline int oa_alloc(struct memkit_oa *oa, u64 size, u64 align,
				    struct memkit_oa_handle *handle, bool g)
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
	 * size + align - 1 units, so the first one found fits (oa_fits(, g) is
	 * then always true; it also yields the aligned start).
	 */
	if (!check_add_overflow(size, align - 1, &need)) {
		first = memkit_oa_bin_round_up(need);
		bin = oa_find_bin(oa, first);
		if (bin != OA_NIL) {
			idx = oa->bin_heads[bin];
			if (oa_fits(oa, idx, size, align, &start, g))
				goto found;
		}
	} else {
		first = MEMKIT_OA_MAX_BIN + 1;
	}

	/* Fallback: regions from the request's own bin up may still fit. */
	bin = memkit_oa_bin_round_down(size);
	for (idx = oa_first_free(oa, &bin, first); idx != OA_NIL;
	     idx = oa_next_free(oa, &bin, idx, first, g))
		if (oa_fits(oa, idx, size, align, &start, g))
			goto found;
	return -ENOSPC;
found:
	return oa_carve(oa, idx, start, size, 0, handle, g);
}

static int oa_alloc_guarded(struct memkit_oa *oa, u64 size, u64 align,
			    struct memkit_oa_handle *handle);

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
	if (unlikely(oa->guard))
		return oa_alloc_guarded(oa, size, align, handle);
	return oa_grown(oa) ? oa_alloc(oa, size, align, handle, true) :
			      oa_alloc(oa, size, align, handle, false);
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_alloc);

static __always_inline u32 oa_find_place(const struct memkit_oa *oa,
					 const struct memkit_oa_req *r, u64 *start, bool g);

/* Not a hot path: one copy, with @g known only at run time. */
static int oa_reserve(struct memkit_oa *oa, u64 offset, u64 size,
		      struct memkit_oa_handle *handle, bool g)
{
	u64 end, start = offset;
	u32 bin, idx;

	oa_fail(handle);
	if (!size)
		return -EINVAL;
	if (check_add_overflow(offset, size, &end) || end > oa->size ||
	    oa->allocs == oa->max_allocs)
		return -ENOSPC;

	if (oa->flags & MEMKIT_OA_PLACE) {
		/* A window of exactly the size: the index finds it in O(log n). */
		struct memkit_oa_req r = {
			.size = size, .align = 1, .start = offset, .end = end,
			.mode = MEMKIT_OA_LOW,
		};

		idx = oa_find_place(oa, &r, &start, g);
	} else {
		bin = memkit_oa_bin_round_down(size);
		for (idx = oa_first_free(oa, &bin, MEMKIT_OA_NUM_BINS); idx != OA_NIL;
		     idx = oa_next_free(oa, &bin, idx, MEMKIT_OA_NUM_BINS, g)) {
			const struct memkit_oa_node *n = oa_node(oa, idx, g);

			if (n->offset <= offset && end - n->offset <= n->size)
				break;
		}
	}
	return idx == OA_NIL ? -ENOSPC : oa_carve(oa, idx, start, size, 0, handle, g);
}

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
	return oa_reserve(oa, offset, size, handle, oa_grown(oa));
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_reserve);

/* The node a handle names, if it is a live allocation; else OA_NIL. */
static __always_inline u32 oa_handle_node(const struct memkit_oa *oa,
					  const struct memkit_oa_handle *handle, bool g)
{
	const struct memkit_oa_node *n;

	/* A node past the fresh mark holds whatever was there before a reset. */
	if (handle->node >= oa->fresh)
		return OA_NIL;
	n = oa_node(oa, handle->node, g);
	if (n->bin_prev != OA_USED || n->offset != handle->offset ||
	    n->bin_next != handle->gen)
		return OA_NIL;
	return handle->node;
}

/* A handle that is not live is a caller bug: reported once, out of line. */
static noinline void oa_bad_handle(const struct memkit_oa_handle *handle, const char *what)
{
	memkit_warn_once(true,
			 "%s of a handle that is not a live allocation (node %u, offset %llu, gen %u)",
			 what, handle->node, handle->offset, handle->gen);
}

/* oa_handle_node(), reporting a handle that is not live. */
static __always_inline u32 oa_live_node(const struct memkit_oa *oa,
					const struct memkit_oa_handle *handle,
					const char *what, bool g)
{
	u32 idx = oa_handle_node(oa, handle, g);

	if (unlikely(idx == OA_NIL))
		oa_bad_handle(handle, what);
	return idx;
}

/*
 * Placement (MEMKIT_OA_PLACE).  holes_by_addr holds the free regions in
 * address order, each entry knowing the largest size in its subtree, so
 * the lowest (or highest) region of at least a size on one side of an
 * offset is one descent; with MEMKIT_OA_BEST_FIT, bin_trees[] holds each
 * bin's by (size, offset) for best fit.
 */

/*
 * With @high false, the lowest free region of at least @size units that
 * ends after @bound; with @high true, the highest that starts before it.
 * The walk towards @bound remembers the nearest entry whose own size or
 * far subtree qualifies, and stops at a subtree with no region of the
 * size; one descent into the candidate's subtree then finds the region.
 * A bound at the range's end (0 for the lowest) rules nothing out, and
 * the descent starts at the root.  O(log n).
 */
static __always_inline struct oa_place *oa_hole_edge(const struct memkit_oa *oa, u64 bound,
						     u64 size, bool high)
{
	struct rb_node *rb = oa->holes_by_addr.rb_node, *cand = NULL;

	if (high ? bound >= oa->size : !bound) {
		if (oa_sub_max(rb) < size)
			return NULL;
	} else {
		while (rb) {
			const struct oa_place *p = oa_addr_entry(rb);
			bool beyond = high ? p->offset >= bound : p->offset + p->size <= bound;

			/* Nothing here is large enough: the answer is the candidate, if any. */
			if (p->max < size)
				break;
			if (beyond) {
				rb = oa_child(rb, !high);
				continue;
			}
			if (p->size >= size || oa_sub_max(oa_child(rb, !high)) >= size)
				cand = rb;
			rb = oa_child(rb, high);
		}
		if (!cand)
			return NULL;
		if (oa_addr_entry(cand)->size >= size)
			return oa_addr_entry(cand);
		rb = oa_child(cand, !high);
	}
	for (;;) {
		if (oa_sub_max(oa_child(rb, high)) >= size) {
			rb = oa_child(rb, high);
			continue;
		}
		if (oa_addr_entry(rb)->size >= size)
			return oa_addr_entry(rb);
		rb = oa_child(rb, !high);
	}
}

/* @x modulo @align: a mask for a power of two, else a 64-bit division. */
static u64 oa_mod(u64 x, u64 align)
{
	u64 rem;

	if (memkit_oa_align_ok(align))
		return x & (align - 1);
	div64_u64_rem(x, align, &rem);
	return rem;
}

/* Guard space needed next to used node @idx (OA_NIL: the range's end). */
static u64 oa_guard_by(const struct memkit_oa *oa, u32 idx, u32 color)
{
	return idx != OA_NIL && oa_place(oa, idx)->color != color ? oa->guard : 0;
}

/*
 * Where @r fits in [@lo, @hi), a span between used regions @left and
 * @right (OA_NIL at the range's ends): inside the window, the guard away
 * from neighbours of another colour, aligned; at the top for
 * MEMKIT_OA_HIGH, else at the bottom.
 */
static __always_inline bool oa_fit_span(const struct memkit_oa *oa,
					const struct memkit_oa_req *r, u64 lo, u64 hi,
					u32 left, u32 right, u64 *start)
{
	u64 s, rem, gap;

	if (oa->guard) {
		if (check_add_overflow(lo, oa_guard_by(oa, left, r->color), &lo))
			return false;
		gap = oa_guard_by(oa, right, r->color);
		if (hi < gap)
			return false;
		hi -= gap;
	}
	lo = max(lo, r->start);
	hi = min(hi, r->end);
	if (lo >= hi || hi - lo < r->size)
		return false;
	if (r->mode == MEMKIT_OA_HIGH) {
		s = hi - r->size;
		s -= oa_mod(s, r->align);
		if (s < lo)
			return false;
	} else {
		rem = oa_mod(lo, r->align);
		s = lo;
		if (rem && check_add_overflow(lo, r->align - rem, &s))
			return false;
		if (s > hi - r->size)
			return false;
	}
	*start = s;
	return true;
}

static __always_inline bool oa_fit_hole(const struct memkit_oa *oa,
					const struct memkit_oa_req *r,
					const struct oa_place *p, u64 *start, bool g)
{
	u32 left = OA_NIL, right = OA_NIL;

	/* A free region's neighbours are used: free ones are never adjacent. */
	if (oa->guard) {
		left = oa_node(oa, p->idx, g)->nb_prev;
		right = oa_node(oa, p->idx, g)->nb_next;
	}
	return oa_fit_span(oa, r, p->offset, p->offset + p->size, left, right, start);
}

/*
 * Smallest first, lowest first among equals: the first of @size or more
 * that fits.  The bins split the order by size: the walk starts in the
 * request's own bin at the smallest region of the size and goes on to the
 * next non-empty bins, each from its smallest region.
 *
 * In a window, that walk steps past every region outside it that is
 * smaller than the answer, and past all of them when nothing fits.  A
 * second walk then takes turns with it: through the window in address
 * order over the regions of at least the size (the address index skips
 * the rest), keeping the smallest that fits.  Whichever ends first has
 * the answer: the first fit in size order, or the smallest fit once the
 * second walk leaves the window; both see the same candidates, so they
 * agree.  The second walk starts only after OA_BEST_ALONE steps of the
 * first, which is all most searches take: its steps are descents, the
 * first's are neighbours in a tree.  The cost is then at most twice the
 * cheaper walk, plus those steps.
 */
#define OA_BEST_ALONE	64

static u32 oa_find_best(const struct memkit_oa *oa, const struct memkit_oa_req *r,
			u64 *start, bool g)
{
	u32 bin = memkit_oa_bin_round_down(r->size);
	struct rb_node *rb = oa->bin_trees[bin].rb_node, *first = NULL;
	const struct oa_place *p, *a = NULL, *best = NULL;
	bool window = r->start || r->end != oa->size;
	u32 alone = OA_BEST_ALONE;
	u64 at, best_at = 0;

	while (rb) {
		if (rb_entry(rb, struct oa_place, by_size)->size >= r->size) {
			first = rb;
			rb = rb->rb_left;
		} else {
			rb = rb->rb_right;
		}
	}
	for (rb = first;;) {
		while (!rb) {
			bin = oa_find_bin(oa, bin + 1);
			if (bin == OA_NIL)
				return OA_NIL;
			rb = rb_first(&oa->bin_trees[bin]);
		}
		p = rb_entry(rb, struct oa_place, by_size);
		if (oa_fit_hole(oa, r, p, start, g))
			return p->idx;
		rb = rb_next(rb);
		if (!window)
			continue;
		if (alone) {
			if (--alone)
				continue;
			a = oa_hole_edge(oa, r->start, r->size, false);
		}
		if (!a || a->offset >= r->end) {
			if (!best)
				return OA_NIL;
			*start = best_at;
			return best->idx;
		}
		if ((!best || oa_size_less(a, best)) && oa_fit_hole(oa, r, a, &at, g)) {
			best = a;
			best_at = at;
		}
		a = oa_hole_edge(oa, a->offset + a->size, r->size, false);
	}
}

/* The free node to carve @r from, and the start in it; OA_NIL if none fits. */
static __always_inline u32 oa_find_place(const struct memkit_oa *oa,
					 const struct memkit_oa_req *r, u64 *start, bool g)
{
	const struct oa_place *p;
	u64 need;

	switch (r->mode) {
	case MEMKIT_OA_BEST:
		return oa_find_best(oa, r, start, g);
	case MEMKIT_OA_HIGH:
		for (p = oa_hole_edge(oa, r->end, r->size, true);
		     p && p->offset + p->size > r->start;
		     p = oa_hole_edge(oa, p->offset, r->size, true))
			if (oa_fit_hole(oa, r, p, start, g))
				return p->idx;
		return OA_NIL;
	case MEMKIT_OA_FAST:
		/* A region this large fits anywhere it lies wholly in the window. */
		if (!check_add_overflow(r->size, r->align - 1, &need) &&
		    !check_add_overflow(need, oa->guard, &need) &&
		    !check_add_overflow(need, oa->guard, &need)) {
			p = oa_hole_edge(oa, r->start, need, false);
			if (p && p->offset < r->end && oa_fit_hole(oa, r, p, start, g))
				return p->idx;
		}
		fallthrough;
	default:
		for (p = oa_hole_edge(oa, r->start, r->size, false);
		     p && p->offset < r->end;
		     p = oa_hole_edge(oa, p->offset + p->size, r->size, false))
			if (oa_fit_hole(oa, r, p, start, g))
				return p->idx;
		return OA_NIL;
	}
}

/* Validate @req into @r, with the window's end filled in. */
static __always_inline int oa_req_check(const struct memkit_oa *oa,
					const struct memkit_oa_req *req, struct memkit_oa_req *r)
{
	if (!(oa->flags & MEMKIT_OA_PLACE))
		return -EOPNOTSUPP;
	*r = *req;
	if (!r->end)
		r->end = oa->size;
	if (!r->size || !r->align || (unsigned int)r->mode >= MEMKIT_OA_NR_MODES ||
	    r->start >= r->end || r->end > oa->size ||
	    r->size > r->end - r->start || r->align > r->end - r->start)
		return -EINVAL;
	if (r->mode == MEMKIT_OA_BEST && !(oa->flags & MEMKIT_OA_BEST_FIT))
		return -EOPNOTSUPP;
	return 0;
}

/**
 * memkit_oa_alloc_in() - allocate inside a window, by a placement mode
 * @oa: an allocator made with %MEMKIT_OA_PLACE.
 * @req: the size, alignment, window, mode and colour; see
 *	&struct memkit_oa_req.
 * @handle: receives the allocation; on failure its node is
 *	%MEMKIT_OA_NO_NODE.
 *
 * The allocation lies wholly inside the window, starts at a multiple of
 * the alignment, and is the guard away from any neighbour of another
 * colour.  It fails only if no free region can hold it so.
 *
 * Context: any context; the caller's lock held.  FAST over the whole
 * range with no guard: O(1), as memkit_oa_alloc().  LOW, HIGH and FAST:
 * O(log n) per free region tried, and only regions of at least the size
 * that overlap the window are tried; every one but the first fits unless
 * the alignment slack or the guards make it too small.  BEST: O(log n)
 * plus one step per region of at least the size, smaller than the one
 * taken, that does not fit (outside the window, or too small once
 * aligned); in a window, once that passes 64 steps, at most twice the
 * steps of a walk through the window over the regions of at least the
 * size, O(log n) each, whichever is fewer.
 * Return: 0; -EINVAL for a zero size or alignment, an unknown mode, an
 * empty window or one that leaves the range, a window smaller than the
 * size or the alignment; -EOPNOTSUPP without %MEMKIT_OA_PLACE, or for
 * %MEMKIT_OA_BEST without %MEMKIT_OA_BEST_FIT; -ENOSPC if
 * nothing fits or max_allocs allocations are live; -ENOMEM if a growable
 * allocator is short of nodes.
 */
int memkit_oa_alloc_in(struct memkit_oa *oa, const struct memkit_oa_req *req,
		       struct memkit_oa_handle *handle)
{
	const bool g = oa_grown(oa);
	struct memkit_oa_req r;
	u64 start;
	u32 idx;
	int ret;

	oa_fail(handle);
	ret = oa_req_check(oa, req, &r);
	if (ret)
		return ret;
	if (r.mode == MEMKIT_OA_FAST && !r.start && r.end == oa->size && !oa->guard &&
	    memkit_oa_align_ok(r.align)) {
		ret = memkit_oa_alloc(oa, r.size, r.align, handle);
		if (!ret)
			oa_place(oa, handle->node)->color = r.color;
		return ret;
	}
	if (oa->allocs == oa->max_allocs || r.size > oa->free_units)
		return -ENOSPC;
	idx = oa_find_place(oa, &r, &start, g);
	if (idx == OA_NIL)
		return -ENOSPC;
	return g ? oa_carve(oa, idx, start, r.size, r.color, handle, true) :
		   oa_carve(oa, idx, start, r.size, r.color, handle, false);
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_alloc_in);

/*
 * memkit_oa_alloc() under a guard: a FAST request of colour 0 over the
 * whole range.  An alignment past the range's size leaves only offset 0.
 */
static int oa_alloc_guarded(struct memkit_oa *oa, u64 size, u64 align,
			    struct memkit_oa_handle *handle)
{
	struct memkit_oa_req r = { .size = size, .align = align ?: 1 };

	oa_fail(handle);
	if (!size || !memkit_oa_align_ok(r.align))
		return -EINVAL;
	if (size > oa->size)
		return -ENOSPC;
	if (r.align > oa->size) {
		r.align = 1;
		r.end = size;
	}
	return memkit_oa_alloc_in(oa, &r, handle);
}

/**
 * memkit_oa_set_guard() - space to keep between neighbours of different colours
 * @oa: an allocator made with %MEMKIT_OA_PLACE.
 * @guard: units; 0 (the default) for none.
 *
 * Every placement made from now on (memkit_oa_alloc(), memkit_oa_alloc_in(),
 * memkit_oa_reserve(), a growing memkit_oa_resize()) keeps at least @guard
 * free units between itself and a used neighbour of another colour, as a
 * GPU keeps a guard page between cache domains.  A memkit_oa_alloc() or
 * memkit_oa_reserve() has colour 0.
 *
 * Context: any context; the caller's lock held.  O(1).
 * Return: 0, or -EOPNOTSUPP without %MEMKIT_OA_PLACE.
 */
int memkit_oa_set_guard(struct memkit_oa *oa, u64 guard)
{
	if (!(oa->flags & MEMKIT_OA_PLACE))
		return -EOPNOTSUPP;
	oa->guard = guard;
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_set_guard);

/**
 * memkit_oa_color() - the colour of an allocation
 * @oa: an allocator made with %MEMKIT_OA_PLACE.
 * @handle: a live allocation.
 * @color: receives the colour it was made with.
 *
 * Context: any context; the caller's lock held.  O(1).
 * Return: 0; -EINVAL for a handle that is not live (reported once);
 * -EOPNOTSUPP without %MEMKIT_OA_PLACE.
 */
int memkit_oa_color(const struct memkit_oa *oa, const struct memkit_oa_handle *handle,
		    u32 *color)
{
	const bool g = oa_grown(oa);
	u32 idx;

	if (!(oa->flags & MEMKIT_OA_PLACE))
		return -EOPNOTSUPP;
	idx = oa_live_node(oa, handle, "color", g);
	if (idx == OA_NIL)
		return -EINVAL;
	*color = oa_place(oa, idx)->color;
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_color);

/*
 * Eviction scan.  A candidate fed to scan S gets S's serial; runs of fed
 * allocations, with the free regions among them, form spans, and only the
 * two end nodes of a span know the other end (@partner), as in the
 * interval-merging trick of union-find: a new candidate joins the span
 * ending at its used neighbour on the left and the one starting at its
 * neighbour on the right, in O(1).  Nothing of the allocator's own state
 * changes, so an abandoned scan leaves nothing behind: a later scan has a
 * new serial.  A change to the free regions (@changes) ends the scan.
 */

/* The nearest used region on one side of node @n, or OA_NIL. */
static u32 oa_used_beside(const struct memkit_oa *oa, const struct memkit_oa_node *n,
			  bool right, bool g)
{
	u32 idx = right ? n->nb_next : n->nb_prev;

	if (idx != OA_NIL && oa_node_free(oa_node(oa, idx, g)))
		idx = right ? oa_node(oa, idx, g)->nb_next : oa_node(oa, idx, g)->nb_prev;
	return idx;
}

/* A new serial; once every 2^32 scans, the old marks are wiped first. */
static u32 oa_scan_serial(struct memkit_oa *oa)
{
	u32 idx;

	if (++oa->scan_serial)
		return oa->scan_serial;
	for (idx = 0; idx < oa->nr_nodes; idx++)
		oa_place(oa, idx)->scan = 0;
	return ++oa->scan_serial;
}

/**
 * memkit_oa_scan_init() - start an eviction scan
 * @scan: the scan, on the caller's stack.
 * @oa: an allocator made with %MEMKIT_OA_PLACE.
 * @req: the allocation that found no room, as for memkit_oa_alloc_in().
 *
 * For when memkit_oa_alloc_in() failed with -ENOSPC: feed allocations in
 * the order you would rather lose them (LRU first) to memkit_oa_scan_add()
 * until it returns 1, then ask memkit_oa_scan_evict() of each one fed
 * which to free.  Freeing exactly those opens the hole the scan found,
 * and the next memkit_oa_alloc_in() with @req lands in it.  The scan
 * changes nothing: a scan left half-way needs no cleanup.
 *
 * Context: any context; the caller's lock held.  O(1).
 * Return: 0; the errors of memkit_oa_alloc_in() for a bad @req.
 */
int memkit_oa_scan_init(struct memkit_oa_scan *scan, struct memkit_oa *oa,
			const struct memkit_oa_req *req)
{
	int ret;

	memset(scan, 0, sizeof(*scan));
	ret = oa_req_check(oa, req, &scan->req);
	if (ret)
		return ret;
	scan->oa = oa;
	scan->serial = oa_scan_serial(oa);
	scan->changes = oa->changes;
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_scan_init);

/**
 * memkit_oa_scan_add() - feed one eviction candidate
 * @scan: a scan from memkit_oa_scan_init().
 * @handle: a live allocation of the scan's allocator.
 *
 * Context: the caller's lock held, the allocator unchanged since
 * memkit_oa_scan_init().  O(1).
 * Return: 1 if evicting what was fed so far opens a fitting hole (stop
 * feeding); 0 if not yet; -EINVAL for a handle that is not live (from
 * another allocator, say), reported once; -EEXIST for a candidate fed
 * twice, reported once; -EBUSY once a hole was found; -ESTALE if the
 * allocator changed, which ends the scan.
 */
int memkit_oa_scan_add(struct memkit_oa_scan *scan, const struct memkit_oa_handle *handle)
{
	struct memkit_oa *oa = scan->oa;
	const struct memkit_oa_node *n;
	struct oa_place *p;
	u32 idx, a, b, l, r;
	u64 lo, hi, start;
	bool g;

	if (!oa || scan->changes != oa->changes)
		return -ESTALE;
	if (scan->found)
		return -EBUSY;
	g = oa_grown(oa);
	idx = oa_live_node(oa, handle, "scan_add", g);
	if (idx == OA_NIL)
		return -EINVAL;
	p = oa_place(oa, idx);
	if (p->scan == scan->serial) {
		memkit_warn_once(true, "scan_add of a candidate fed twice (offset %llu)",
				 handle->offset);
		return -EEXIST;
	}
	p->scan = scan->serial;
	scan->fed++;

	/* Join the spans that end next to it. */
	n = oa_node(oa, idx, g);
	l = oa_used_beside(oa, n, false, g);
	r = oa_used_beside(oa, n, true, g);
	a = l != OA_NIL && oa_place(oa, l)->scan == scan->serial ? oa_place(oa, l)->partner : idx;
	b = r != OA_NIL && oa_place(oa, r)->scan == scan->serial ? oa_place(oa, r)->partner : idx;
	oa_place(oa, a)->partner = b;
	oa_place(oa, b)->partner = a;

	/* The span runs from the used region before @a to the one after @b. */
	l = oa_used_beside(oa, oa_node(oa, a, g), false, g);
	r = oa_used_beside(oa, oa_node(oa, b, g), true, g);
	lo = l == OA_NIL ? 0 : oa_node(oa, l, g)->offset + oa_node(oa, l, g)->size;
	hi = r == OA_NIL ? oa->size : oa_node(oa, r, g)->offset;
	if (!oa_fit_span(oa, &scan->req, lo, hi, l, r, &start))
		return 0;
	scan->found = true;
	scan->hole_start = lo;
	scan->hole_end = hi;
	scan->hit_start = start;
	scan->hit_end = start + scan->req.size;
	return 1;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_scan_add);

/**
 * memkit_oa_scan_evict() - must this candidate go?
 * @scan: a scan for which memkit_oa_scan_add() returned 1.
 * @handle: a candidate fed to it.
 *
 * Ask of every candidate before freeing any: a free changes the
 * allocator, and the scan then answers -ESTALE.  Only candidates inside
 * the hole that overlap the allocation (or, of another colour, lie within
 * the guard of it) must go; the rest may stay.
 *
 * Context: the caller's lock held.  O(1).
 * Return: 1 to evict, 0 to keep (also for one never fed, or when no hole
 * was found); -EINVAL for a handle that is not live, reported once;
 * -ESTALE if the allocator changed.
 */
int memkit_oa_scan_evict(const struct memkit_oa_scan *scan,
			 const struct memkit_oa_handle *handle)
{
	const struct memkit_oa *oa = scan->oa;
	const struct memkit_oa_node *n;
	const struct oa_place *p;
	u64 lo, hi, gap;
	u32 idx;
	bool g;

	if (!oa || scan->changes != oa->changes)
		return -ESTALE;
	g = oa_grown(oa);
	idx = oa_live_node(oa, handle, "scan_evict", g);
	if (idx == OA_NIL)
		return -EINVAL;
	p = oa_place(oa, idx);
	n = oa_node(oa, idx, g);
	if (!scan->found || p->scan != scan->serial ||
	    n->offset < scan->hole_start || n->offset + n->size > scan->hole_end)
		return 0;
	gap = p->color != scan->req.color ? oa->guard : 0;
	lo = scan->hit_start > gap ? scan->hit_start - gap : 0;
	hi = scan->hit_end + min(gap, U64_MAX - scan->hit_end);
	return n->offset < hi && n->offset + n->size > lo;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_scan_evict);

/**
 * memkit_oa_scan_hole() - where the scan's allocation will go
 * @scan: a scan for which memkit_oa_scan_add() returned 1.
 * @start: receives the first unit of the allocation.
 * @end: receives the unit after its last; both 0 if no hole was found.
 *
 * Context: any context.  O(1).
 */
void memkit_oa_scan_hole(const struct memkit_oa_scan *scan, u64 *start, u64 *end)
{
	*start = scan->found ? scan->hit_start : 0;
	*end = scan->found ? scan->hit_end : 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_scan_hole);

static __always_inline int oa_free(struct memkit_oa *oa,
				   const struct memkit_oa_handle *handle, bool g)
{
	u32 idx = oa_live_node(oa, handle, "free", g), prev, next;
	u64 old_size;

	if (idx == OA_NIL)
		return -EINVAL;

	oa_index_del(oa, idx);
	oa->allocs--;
	/* A free neighbour absorbs the region, the one before it if both are free. */
	prev = oa_node(oa, idx, g)->nb_prev;
	next = oa_node(oa, idx, g)->nb_next;
	if (next != OA_NIL && !oa_node_free(oa_node(oa, next, g)))
		next = OA_NIL;
	if (prev != OA_NIL && oa_node_free(oa_node(oa, prev, g))) {
		old_size = oa_node(oa, prev, g)->size;
		oa_merge_next(oa, prev, g);
		if (next != OA_NIL) {
			oa_remove_free(oa, next, g);
			oa_merge_next(oa, prev, g);
		}
		oa_refile_free(oa, prev, old_size, g);
	} else if (next != OA_NIL) {
		old_size = oa_node(oa, next, g)->size;
		oa_merge_prev(oa, next, g);
		oa_refile_free(oa, next, old_size, g);
	} else {
		oa_insert_free(oa, idx, g);
	}
	return 0;
}

/**
 * memkit_oa_free() - free an allocation
 * @oa: the allocator.
 * @handle: what memkit_oa_alloc() or memkit_oa_reserve() returned.
 *
 * The region merges with free neighbours on both sides.  A handle that
 * names no live allocation (a double free, a stale handle whose node was
 * reused, a failed allocation, another allocator's handle) is a caller
 * bug: it is reported once and refused.
 *
 * Context: any context; the caller's lock held.  O(1), or O(log n) with
 * %MEMKIT_OA_LOOKUP.
 * Return: 0, or -EINVAL for a handle that is not a live allocation.
 */
int memkit_oa_free(struct memkit_oa *oa, const struct memkit_oa_handle *handle)
{
	return oa_grown(oa) ? oa_free(oa, handle, true) : oa_free(oa, handle, false);
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
	const bool g = oa_grown(oa);
	u32 idx = oa_handle_node(oa, handle, g);

	if (idx == OA_NIL)
		return -EINVAL;
	*size = oa_node(oa, idx, g)->size;
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_alloc_size);

/**
 * memkit_oa_resize() - grow or shrink an allocation in place
 * @oa: the allocator.
 * @handle: a live allocation; it stays valid (same offset and node).
 * @new_size: its new size in units, at least 1.
 *
 * Shrinking gives the tail back (it merges with a free region after it);
 * growing takes units from the free region right after the allocation.
 *
 * Context: any context; the caller's lock held.  O(1).
 * Return: 0; -EINVAL for a handle that is not a live allocation (reported
 * once) or a zero @new_size; -ENOSPC if the region after is not free or
 * too small; -ENOMEM if a growable allocator needs a node for the tail
 * given back (memkit_oa_grow()); in each case @oa is unchanged.
 */
int memkit_oa_resize(struct memkit_oa *oa, const struct memkit_oa_handle *handle,
		     u64 new_size)
{
	const bool g = oa_grown(oa);
	u32 idx = oa_live_node(oa, handle, "resize", g), next;
	struct memkit_oa_node *n, *x;
	u64 delta;

	if (idx == OA_NIL || !new_size)
		return -EINVAL;
	n = oa_node(oa, idx, g);
	next = n->nb_next;
	x = next != OA_NIL ? oa_node(oa, next, g) : NULL;
	if (new_size > n->size) {
		delta = new_size - n->size;
		if (!x || !oa_node_free(x) || x->size < delta)
			return -ENOSPC;
		/* The guard stays between it and the next allocation. */
		if ((oa->flags & MEMKIT_OA_PLACE) &&
		    x->size - delta < oa_guard_by(oa, x->nb_next, oa_place(oa, idx)->color))
			return -ENOSPC;
		if (x->size == delta) {
			oa_remove_free(oa, next, g);
			oa_merge_next(oa, idx, g);
			return 0;
		}
		n->size = new_size;
		x->offset += delta;
		x->size -= delta;
		oa_refile_free(oa, next, x->size + delta, g);
	} else if (new_size < n->size) {
		delta = n->size - new_size;
		if (x && oa_node_free(x)) {
			n->size = new_size;
			x->offset -= delta;
			x->size += delta;
			oa_refile_free(oa, next, x->size - delta, g);
			return 0;
		}
		/* Only a growable allocator can be short: see memkit_oa_grow(). */
		if (!oa->nr_spare)
			return -ENOMEM;
		oa_insert_free(oa, oa_split_after(oa, idx, n->offset + new_size, delta, g), g);
	}
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_resize);

/**
 * memkit_oa_set_priv() - attach the caller's pointer to an allocation
 * @oa: an allocator made with %MEMKIT_OA_PRIV.
 * @handle: a live allocation.
 * @priv: the pointer (a buffer object, say); a new allocation has NULL.
 *
 * Context: any context; the caller's lock held.  O(1).
 * Return: 0; -EINVAL for a handle that is not a live allocation (reported
 * once); -EOPNOTSUPP without %MEMKIT_OA_PRIV.
 */
int memkit_oa_set_priv(struct memkit_oa *oa, const struct memkit_oa_handle *handle,
		       void *priv)
{
	const bool g = oa_grown(oa);
	u32 idx;

	if (!(oa->flags & MEMKIT_OA_PRIV))
		return -EOPNOTSUPP;
	idx = oa_live_node(oa, handle, "set_priv", g);
	if (idx == OA_NIL)
		return -EINVAL;
	*oa_priv_slot(oa, idx) = priv;
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_set_priv);

/**
 * memkit_oa_priv() - the caller's pointer of an allocation
 * @oa: an allocator made with %MEMKIT_OA_PRIV.
 * @handle: a live allocation.
 *
 * Context: any context; the caller's lock held.  O(1).
 * Return: the pointer set last, or NULL (also for a handle that is not a
 * live allocation, which is reported once, or without %MEMKIT_OA_PRIV).
 */
void *memkit_oa_priv(const struct memkit_oa *oa, const struct memkit_oa_handle *handle)
{
	const bool g = oa_grown(oa);
	u32 idx;

	if (!(oa->flags & MEMKIT_OA_PRIV))
		return NULL;
	idx = oa_live_node(oa, handle, "priv", g);
	return idx == OA_NIL ? NULL : *oa_priv_slot(oa, idx);
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_priv);

/**
 * memkit_oa_lookup() - the allocation that covers an offset
 * @oa: an allocator made with %MEMKIT_OA_LOOKUP.
 * @offset: any unit of the range.
 * @handle: receives the allocation's handle; on failure its node is
 *	%MEMKIT_OA_NO_NODE.
 *
 * To free by start offset (gen_pool style), look up and check that
 * @handle->offset is @offset.
 *
 * Context: any context; the caller's lock held.  O(log n).
 * Return: 0; -ENOENT if @offset is free; -EINVAL if it is outside the
 * range; -EOPNOTSUPP without %MEMKIT_OA_LOOKUP.
 */
int memkit_oa_lookup(const struct memkit_oa *oa, u64 offset,
		     struct memkit_oa_handle *handle)
{
	const bool g = oa_grown(oa);
	struct rb_node *rb = oa->by_offset.rb_node, *best = NULL;
	const struct memkit_oa_node *n;
	u32 idx;

	oa_fail(handle);
	if (!(oa->flags & MEMKIT_OA_LOOKUP))
		return -EOPNOTSUPP;
	if (offset >= oa->size)
		return -EINVAL;
	/* The allocation with the greatest start at or below @offset. */
	while (rb) {
		if (rb_entry(rb, struct oa_rb, rb)->offset <= offset) {
			best = rb;
			rb = rb->rb_right;
		} else {
			rb = rb->rb_left;
		}
	}
	if (!best)
		return -ENOENT;
	idx = rb_entry(best, struct oa_rb, rb)->idx;
	n = oa_node(oa, idx, g);
	if (offset - n->offset >= n->size)
		return -ENOENT;
	handle->offset = n->offset;
	handle->node = idx;
	handle->gen = n->bin_next;
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_lookup);

/*
 * The first region at or after node @idx that is free (@free) or used, or
 * OA_NIL.  For a used one that is at most two steps: free regions are
 * never adjacent.
 */
static u32 oa_region_from(const struct memkit_oa *oa, u32 idx, bool free, bool g)
{
	for (; idx != OA_NIL; idx = oa_node(oa, idx, g)->nb_next)
		if (oa_node_free(oa_node(oa, idx, g)) == free)
			return idx;
	return OA_NIL;
}

static void oa_alloc_from(const struct memkit_oa *oa, u32 idx,
			  struct memkit_oa_handle *handle, bool g)
{
	const struct memkit_oa_node *n;

	idx = oa_region_from(oa, idx, false, g);
	if (idx == OA_NIL) {
		oa_fail(handle);
		return;
	}
	n = oa_node(oa, idx, g);
	handle->offset = n->offset;
	handle->node = idx;
	handle->gen = n->bin_next;
}

/**
 * memkit_oa_first_alloc() - the allocation with the lowest offset
 * @oa: the allocator.
 * @handle: receives its handle; node %MEMKIT_OA_NO_NODE if there is none.
 *
 * Context: the caller's lock held.  O(1).
 */
void memkit_oa_first_alloc(const struct memkit_oa *oa, struct memkit_oa_handle *handle)
{
	const bool g = oa_grown(oa);

	oa_alloc_from(oa, oa->first, handle, g);
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_first_alloc);

/**
 * memkit_oa_next_alloc() - the allocation after another, in address order
 * @oa: the allocator.
 * @handle: a live allocation, replaced by the next one; node
 *	%MEMKIT_OA_NO_NODE after the last (and stays so).
 *
 * A handle that is not live (and not %MEMKIT_OA_NO_NODE) ends the walk and
 * is reported once.
 *
 * Context: the caller's lock held.  O(1): free regions are never adjacent.
 */
void memkit_oa_next_alloc(const struct memkit_oa *oa, struct memkit_oa_handle *handle)
{
	const bool g = oa_grown(oa);
	u32 idx = OA_NIL;

	if (handle->node != MEMKIT_OA_NO_NODE)
		idx = oa_live_node(oa, handle, "next_alloc", g);
	if (idx == OA_NIL)
		oa_fail(handle);
	else
		oa_alloc_from(oa, oa_node(oa, idx, g)->nb_next, handle, g);
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_next_alloc);

static void oa_hole_from(const struct memkit_oa *oa, u32 idx, struct memkit_oa_hole *hole,
			 bool g)
{
	const struct memkit_oa_node *n;

	idx = oa_region_from(oa, idx, true, g);
	if (idx == OA_NIL) {
		hole->offset = oa->size;
		hole->size = 0;
		hole->node = MEMKIT_OA_NO_NODE;
		return;
	}
	n = oa_node(oa, idx, g);
	hole->offset = n->offset;
	hole->size = n->size;
	hole->node = idx;
}

/**
 * memkit_oa_first_hole() - the free region with the lowest offset
 * @oa: the allocator.
 * @hole: receives it; size 0 if nothing is free.
 *
 * Context: the caller's lock held.  O(1 + allocations before it).
 */
void memkit_oa_first_hole(const struct memkit_oa *oa, struct memkit_oa_hole *hole)
{
	const bool g = oa_grown(oa);

	oa_hole_from(oa, oa->first, hole, g);
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_first_hole);

/**
 * memkit_oa_next_hole() - the free region after another, in address order
 * @oa: the allocator, unchanged since @hole was filled in.
 * @hole: a free region, replaced by the next; size 0 after the last.
 *
 * A @hole that no longer names a free region ends the walk.
 *
 * Context: the caller's lock held.  O(1 + allocations between the two).
 */
void memkit_oa_next_hole(const struct memkit_oa *oa, struct memkit_oa_hole *hole)
{
	const bool g = oa_grown(oa);
	u32 idx = hole->node;
	const struct memkit_oa_node *n;

	if (idx >= oa->fresh || !hole->size)
		goto end;
	n = oa_node(oa, idx, g);
	if (!oa_node_free(n) || n->offset != hole->offset)
		goto end;
	oa_hole_from(oa, n->nb_next, hole, g);
	return;
end:
	oa_hole_from(oa, OA_NIL, hole, g);
}
EXPORT_SYMBOL_MEMKIT(memkit_oa_next_hole);

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
	const bool g = oa_grown(oa);
	u32 idx;

	memset(r, 0, sizeof(*r));
	r->size = oa->size;
	r->free = oa->free_units;
	r->allocs = oa->allocs;
	r->max_allocs = oa->max_allocs;
	r->free_regions = oa->free_regions;
	r->nodes = oa->nr_nodes;
	r->metadata_bytes = sizeof(*oa) + (u64)oa->nr_nodes * oa_node_bytes(oa->flags) +
			    MEMKIT_OA_NUM_BINS * sizeof(*oa->bin_heads) +
			    (oa->bin_trees ? MEMKIT_OA_NUM_BINS * sizeof(*oa->bin_trees) : 0);
	if (!oa->used_bins_top)
		return;
	idx = fls64(oa->used_bins_top) - 1;
	idx = idx * MEMKIT_OA_LEAF_BINS + fls(oa->used_bins[idx]) - 1;
	for (idx = oa->bin_heads[idx]; idx != OA_NIL; idx = oa_node(oa, idx, g)->bin_next)
		r->largest_free = max(r->largest_free, oa_node(oa, idx, g)->size);
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
	const bool g = oa_grown(oa);
	u32 bin, idx;

	memset(r, 0, sizeof(*r));
	r->used_bins_top = oa->used_bins_top;
	memcpy(r->used_bins, oa->used_bins, sizeof(r->used_bins));
	bin = 0;
	for (idx = oa_first_free(oa, &bin, MEMKIT_OA_NUM_BINS); idx != OA_NIL;
	     idx = oa_next_free(oa, &bin, idx, MEMKIT_OA_NUM_BINS, g)) {
		r->bins[bin].regions++;
		r->bins[bin].units += oa_node(oa, idx, g)->size;
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
	const bool g = oa_grown(oa);
	u32 idx = cur->offset ? cur->node : oa->first;
	const struct memkit_oa_node *n;

	if (idx >= oa->fresh || oa_node(oa, idx, g)->bin_prev == OA_SPARE ||
	    oa_node(oa, idx, g)->offset != cur->offset)
		return -EAGAIN;
	for (; max && idx != OA_NIL; max--, idx = n->nb_next) {
		n = oa_node(oa, idx, g);
		fn(n->offset, n->size, !oa_node_free(n),
		   oa->flags & MEMKIT_OA_PLACE && !oa_node_free(n) ? oa_place(oa, idx)->color : 0,
		   arg);
	}
	if (idx == OA_NIL)
		return 0;
	cur->offset = oa_node(oa, idx, g)->offset;
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
	const bool g = oa_grown(oa);
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
		     prev = idx, idx = oa_node(oa, idx, g)->bin_next) {
			const struct memkit_oa_node *n;

			if (idx >= oa->nr_nodes || ++steps > oa->nr_nodes)
				return oa_corrupt("bin %u: bad link or cycle", bin);
			n = oa_node(oa, idx, g);
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

/* The index by offset holds every allocation, in order, and nothing else. */
static int oa_check_index(const struct memkit_oa *oa)
{
	const bool g = oa_grown(oa);
	const struct rb_node *rb;
	u32 steps = 0;
	u64 prev = 0;

	if (!(oa->flags & MEMKIT_OA_LOOKUP))
		return 0;
	for (rb = rb_first(&oa->by_offset); rb; rb = rb_next(rb)) {
		const struct oa_rb *r = rb_entry(rb, struct oa_rb, rb);
		const struct memkit_oa_node *n;

		if (r->idx >= oa->fresh || ++steps > oa->allocs)
			return oa_corrupt("index: bad node %u or too many entries", r->idx);
		n = oa_node(oa, r->idx, g);
		if (oa_node_free(n) || n->bin_prev == OA_SPARE || n->offset != r->offset ||
		    oa_rb(oa, r->idx) != r || (steps > 1 && r->offset <= prev))
			return oa_corrupt("index: node %u at %llu is not in order or not used",
					  r->idx, r->offset);
		prev = r->offset;
	}
	if (steps != oa->allocs)
		return oa_corrupt("index: %u entries, %u allocations", steps, oa->allocs);
	return 0;
}

/*
 * The indexes of the free regions (MEMKIT_OA_PLACE, and the bin trees
 * with MEMKIT_OA_BEST_FIT): each holds every
 * free region once, in order, with its offset and size copied right, and
 * every subtree maximum is right.
 */
static int oa_check_place(const struct memkit_oa *oa)
{
	const bool g = oa_grown(oa);
	const struct oa_place *p, *prev = NULL;
	const struct rb_node *rb;
	u32 steps = 0, bin;
	u64 max;

	if (!(oa->flags & MEMKIT_OA_PLACE))
		return 0;
	for (rb = rb_first(&oa->holes_by_addr); rb; prev = p, rb = rb_next(rb)) {
		p = oa_addr_entry(rb);
		if (p->idx >= oa->fresh || ++steps > oa->free_regions)
			return oa_corrupt("holes by address: bad node %u or too many", p->idx);
		if (!oa_node_free(oa_node(oa, p->idx, g)) || oa_place(oa, p->idx) != p ||
		    oa_node(oa, p->idx, g)->offset != p->offset ||
		    oa_node(oa, p->idx, g)->size != p->size ||
		    (prev && p->offset < prev->offset + prev->size))
			return oa_corrupt("holes by address: node %u at %llu stale or out of order",
					  p->idx, p->offset);
		max = max3(p->size, oa_sub_max(rb->rb_left), oa_sub_max(rb->rb_right));
		if (p->max != max)
			return oa_corrupt("holes by address: node %u max %llu, expected %llu",
					  p->idx, p->max, max);
	}
	if (steps != oa->free_regions)
		return oa_corrupt("holes by address: %u of %u free regions", steps,
				  oa->free_regions);
	if (!(oa->flags & MEMKIT_OA_BEST_FIT))
		return 0;
	steps = 0;
	for (bin = 0; bin < MEMKIT_OA_NUM_BINS; bin++) {
		prev = NULL;
		for (rb = rb_first(&oa->bin_trees[bin]); rb; prev = p, rb = rb_next(rb)) {
			p = rb_entry(rb, struct oa_place, by_size);
			if (p->idx >= oa->fresh || ++steps > oa->free_regions)
				return oa_corrupt("holes by size: bad node %u or too many", p->idx);
			if (!oa_node_free(oa_node(oa, p->idx, g)) || oa_place(oa, p->idx) != p ||
			    memkit_oa_bin_round_down(p->size) != bin ||
			    (prev && !oa_size_less(prev, p)))
				return oa_corrupt("bin %u tree: node %u of %llu stale or misplaced",
						  bin, p->idx, p->size);
		}
	}
	if (steps != oa->free_regions)
		return oa_corrupt("holes by size: %u of %u free regions", steps,
				  oa->free_regions);
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
	const bool g = oa_grown(oa);
	u64 expect = 0, free_units = 0;
	u32 idx, prev = OA_NIL, used = 0, free = 0, listed, steps = 0;
	bool prev_free = false;
	int ret;

	for (idx = oa->first; idx != OA_NIL; prev = idx, idx = oa_node(oa, idx, g)->nb_next) {
		const struct memkit_oa_node *n;

		if (idx >= oa->fresh || ++steps > oa->nr_nodes)
			return oa_corrupt("neighbour list: bad link or cycle");
		n = oa_node(oa, idx, g);
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
	if (prev != oa->last)
		return oa_corrupt("last region at node %u, recorded %u", prev, oa->last);
	if (used != oa->allocs || free != oa->free_regions || free_units != oa->free_units)
		return oa_corrupt("counted %u used, %u free (%llu units); recorded %u, %u (%llu)",
				  used, free, free_units, oa->allocs,
				  oa->free_regions, oa->free_units);
	if (oa->allocs > oa->max_allocs)
		return oa_corrupt("%u allocations, max %u", oa->allocs, oa->max_allocs);

	ret = oa_check_bins(oa, &listed);
	if (!ret)
		ret = oa_check_index(oa);
	if (!ret)
		ret = oa_check_place(oa);
	if (ret)
		return ret;
	if (listed != free)
		return oa_corrupt("%u nodes on bin lists, %u free regions", listed, free);

	steps = 0;
	for (idx = oa->spare_head; idx != OA_NIL; idx = oa_node(oa, idx, g)->bin_next) {
		if (idx >= oa->fresh || ++steps > oa->nr_nodes ||
		    oa_node(oa, idx, g)->bin_prev != OA_SPARE)
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
