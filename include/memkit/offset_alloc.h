/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memkit_oa: O(1) offset allocator over a 64-bit range of units.
 */
#ifndef _MEMKIT_OFFSET_ALLOC_H
#define _MEMKIT_OFFSET_ALLOC_H

#include <linux/bitops.h>
#include <linux/limits.h>
#include <linux/rbtree.h>
#include <linux/types.h>

#include <memkit/compat.h>

/*
 * Size classes: a size is a small float with 3 mantissa bits and the rest
 * exponent, so each power of two is split into 8 bins and a bin's sizes
 * differ by at most 12.5 %.  Sizes 0..16 map to themselves.  A u64 needs
 * exponents 0..61, i.e. bins 0..495; round-up of the largest sizes gives
 * 496 (2^64), which no region can reach.  The bins are indexed by a
 * two-level bitmask: 64 top bits, 8 leaf bits under each.
 */
#define MEMKIT_OA_MANTISSA_BITS	3
#define MEMKIT_OA_MANTISSA_VALUE	BIT(MEMKIT_OA_MANTISSA_BITS)
#define MEMKIT_OA_MANTISSA_MASK	(MEMKIT_OA_MANTISSA_VALUE - 1)
#define MEMKIT_OA_TOP_BINS		64
#define MEMKIT_OA_LEAF_BINS		MEMKIT_OA_MANTISSA_VALUE
#define MEMKIT_OA_NUM_BINS		(MEMKIT_OA_TOP_BINS * MEMKIT_OA_LEAF_BINS)
/* The largest bin a region can be in: round-down of U64_MAX. */
#define MEMKIT_OA_MAX_BIN		495

/*
 * Node storage.  An allocator made with memkit_oa_init() has all of its
 * 2 * max_allocs + 1 nodes in one kvmalloc() buffer; one made with
 * memkit_oa_init_flags() and fewer initial than maximum allocations starts
 * with a power of two of them (segment 0) and adds segments that double
 * the total, each its own buffer, so nothing is ever copied.  No buffer may
 * exceed INT_MAX bytes (kvmalloc()'s limit): about 33.5 million
 * allocations for a plain allocator, fewer with per-node extras.
 */
#define MEMKIT_OA_NODE_BYTES		32
#define MEMKIT_OA_MAX_ALLOCS						\
	((((u32)INT_MAX - MEMKIT_OA_NUM_BINS * sizeof(u32)) / MEMKIT_OA_NODE_BYTES - 1) / 2)
/* Segment 0 of a growable allocator has at least this many nodes. */
#define MEMKIT_OA_MIN_SEG_SHIFT	6
#define MEMKIT_OA_MAX_SEGS		21

/**
 * enum memkit_oa_flags - what an allocator keeps per allocation
 * @MEMKIT_OA_PRIV: a caller pointer per allocation (memkit_oa_set_priv()),
 *	one pointer per node.
 * @MEMKIT_OA_LOOKUP: an index of allocations by offset, so that
 *	memkit_oa_lookup() finds the allocation covering an offset in
 *	O(log n); an rb_node, the start offset and the node index per node
 *	(40 bytes on 64-bit), and an rbtree insert and erase per allocation.
 * @MEMKIT_OA_PLACE: placement by window and mode (memkit_oa_alloc_in():
 *	%MEMKIT_OA_FAST, %MEMKIT_OA_LOW, %MEMKIT_OA_HIGH), colours with guard
 *	space between them, and the eviction scan: an index of the free
 *	regions by address, augmented with the largest size below each
 *	entry; 64 bytes per node on 64-bit, and O(log n) more per change of
 *	a free region.
 * @MEMKIT_OA_BEST_FIT: with %MEMKIT_OA_PLACE, best fit as well
 *	(%MEMKIT_OA_BEST): a second index of the free regions, by size, as
 *	a tree per size-class bin; 24 more bytes per node, 4 KiB of tree
 *	roots, and a tree move on most changes of a free region (a fifth of
 *	the cost of a LOW allocation and free, measured).
 */
enum memkit_oa_flags {
	MEMKIT_OA_PRIV		= BIT(0),
	MEMKIT_OA_LOOKUP	= BIT(1),
	MEMKIT_OA_PLACE		= BIT(2),
	MEMKIT_OA_BEST_FIT	= BIT(3),
};

/**
 * enum memkit_oa_mode - where memkit_oa_alloc_in() places an allocation
 * @MEMKIT_OA_FAST: wherever it is found cheapest: the O(1) size-class
 *	search when the window is the whole range and there is no guard,
 *	else the lowest free region whose size alone guarantees a fit, else
 *	as @MEMKIT_OA_LOW.
 * @MEMKIT_OA_BEST: in the smallest free region that can hold it; the
 *	lowest such region of that size.  Needs %MEMKIT_OA_BEST_FIT.
 * @MEMKIT_OA_LOW: at the lowest offset that can hold it.
 * @MEMKIT_OA_HIGH: at the highest offset that can hold it, at the top of
 *	its free region (top-down, to keep the bottom of the range free).
 * @MEMKIT_OA_NR_MODES: the number of modes.
 */
enum memkit_oa_mode {
	MEMKIT_OA_FAST,
	MEMKIT_OA_BEST,
	MEMKIT_OA_LOW,
	MEMKIT_OA_HIGH,
	MEMKIT_OA_NR_MODES
};

/**
 * struct memkit_oa_req - a constrained allocation
 * @size: units wanted, at least 1.
 * @align: the start is a multiple of this, at least 1; any value, a power
 *	of two being cheaper (a mask rather than a 64-bit division).
 * @start: the window: the allocation lies wholly inside [@start, @end).
 * @end: 0 for the end of the range.
 * @mode: &enum memkit_oa_mode.
 * @color: the allocation's colour (its kind, such as a cache domain);
 *	neighbours of different colours are kept the allocator's guard
 *	apart (memkit_oa_set_guard()).
 */
struct memkit_oa_req {
	u64 size;
	u64 align;
	u64 start;
	u64 end;
	enum memkit_oa_mode mode;
	u32 color;
};

/* Node index of a handle that holds no allocation. */
#define MEMKIT_OA_NO_NODE		U32_MAX

struct memkit_oa_node;

/*
 * Called by memkit_oa_walk_regions() for each region in address order;
 * @color is an allocation's colour with %MEMKIT_OA_PLACE, else 0.
 */
typedef void (*memkit_oa_region_fn)(u64 offset, u64 size, bool used, u32 color, void *arg);

/**
 * struct memkit_oa_handle - one allocation
 * @offset: first unit of the allocation.
 * @node: the allocator's node index; %MEMKIT_OA_NO_NODE if the allocation
 *        failed.
 * @gen: the allocation's generation: every allocation of an allocator gets
 *	the next value of a 32-bit counter, so a handle whose node and offset
 *	were reused by a later allocation is still told apart.
 *
 * Pass the handle back unchanged.  A stale handle (freed, or from before a
 * reset) is refused unless its node holds an allocation at the same offset
 * *and* exactly a multiple of 2^32 allocations were made since.
 */
struct memkit_oa_handle {
	u64 offset;
	u32 node;
	u32 gen;
};

/**
 * struct memkit_oa_cursor - where memkit_oa_walk_chunk() goes on
 * @offset: start of the next region to visit; 0 to start a walk.
 * @node: the node that held that region.
 */
struct memkit_oa_cursor {
	u64 offset;
	u32 node;
};

/**
 * struct memkit_oa_hole - a free region, for memkit_oa_for_each_hole()
 * @offset: its first unit.
 * @size: its units; 0 when the iteration is over.
 * @node: the node that holds it.
 */
struct memkit_oa_hole {
	u64 offset;
	u64 size;
	u32 node;
};

/**
 * struct memkit_oa - an offset allocator
 *
 * Embed it, memkit_oa_init() it, and serialise every call with your own
 * lock.  All fields are private.
 */
struct memkit_oa {
	/* private: */
	u64 size;
	u64 free_units;
	u64 used_bins_top;
	u32 max_allocs;
	u32 nr_nodes;
	u32 allocs;
	u32 free_regions;
	u32 spare_head;
	u32 nr_spare;
	u32 fresh;	/* nodes from here on are spare, untouched since reset */
	u32 gen;	/* generation of the latest allocation */
	u32 first;	/* the node whose region starts the range */
	u32 last;	/* the node whose region ends the range */
	u32 seg0_nodes;
	u8 seg_shift;	/* log2(seg0_nodes) if growable */
	u8 nr_segs;
	u8 flags;
	u8 used_bins[MEMKIT_OA_TOP_BINS];
	u32 *bin_heads;
	struct memkit_oa_node *seg[MEMKIT_OA_MAX_SEGS];
	uintptr_t seg_bias[MEMKIT_OA_MAX_SEGS];	/* seg[k] less its first index */
	void *extra0[3];	/* segment 0's extras, by flag bit */
	struct rb_root by_offset;
	/* MEMKIT_OA_PLACE: the free regions by address (and by size) */
	struct rb_root holes_by_addr;
	struct rb_root *bin_trees;	/* MEMKIT_OA_BEST_FIT: per bin, by (size, offset) */
	u64 guard;
	u64 changes;	/* changes of the free regions; a scan sees none */
	u32 scan_serial;
	u32 place_bytes;	/* the stride of the placement extras */
};

/**
 * struct memkit_oa_scan - an eviction scan in progress
 *
 * memkit_oa_scan_init() it, feed candidates with memkit_oa_scan_add()
 * until it says a hole would open, then ask memkit_oa_scan_evict() of
 * each candidate.  All fields are private.
 */
struct memkit_oa_scan {
	/* private: */
	struct memkit_oa *oa;
	struct memkit_oa_req req;
	u64 changes;
	u64 hole_start, hole_end;	/* the span that opens */
	u64 hit_start, hit_end;		/* where the allocation goes in it */
	u32 serial;
	u32 fed;
	bool found;
};

/**
 * struct memkit_oa_usage - occupancy totals
 * @size: units managed.
 * @free: free units.
 * @largest_free: size of the largest free region.
 * @allocs: live allocations.
 * @max_allocs: most live allocations allowed.
 * @free_regions: number of free regions (never two adjacent).
 * @nodes: nodes of storage the allocator has now (2 per allocation, and
 *	one more, always suffice).
 * @metadata_bytes: memory the allocator's bookkeeping takes: its node
 *	storage, bin heads and the structure itself (for a range, the
 *	&struct memkit_range); the caller's handles are not counted.
 */
struct memkit_oa_usage {
	u64 size;
	u64 free;
	u64 largest_free;
	u32 allocs;
	u32 max_allocs;
	u32 free_regions;
	u32 nodes;
	u64 metadata_bytes;
};

/**
 * struct memkit_oa_bin_usage - free regions per bin
 * @used_bins_top: the top-level bitmask of non-empty bins.
 * @used_bins: the leaf bitmasks.
 * @bins: per bin, the number of free regions and their total units.
 *
 * About 8 KiB: allocate it, never put it on the stack.
 */
struct memkit_oa_bin_usage {
	u64 used_bins_top;
	u8 used_bins[MEMKIT_OA_TOP_BINS];
	struct {
		u32 regions;
		u64 units;
	} bins[MEMKIT_OA_NUM_BINS];
};

/**
 * memkit_oa_bin_round_down() - the bin whose sizes include @size
 * @size: a size in units.
 *
 * Return: the largest bin whose smallest size is <= @size.
 */
static inline u32 memkit_oa_bin_round_down(u64 size)
{
	u32 shift;

	if (size < MEMKIT_OA_MANTISSA_VALUE)
		return size;
	shift = fls64(size) - 1 - MEMKIT_OA_MANTISSA_BITS;
	return ((shift + 1) << MEMKIT_OA_MANTISSA_BITS) +
	       ((size >> shift) & MEMKIT_OA_MANTISSA_MASK);
}

/**
 * memkit_oa_bin_round_up() - the smallest bin that only holds sizes >= @size
 * @size: a size in units.
 *
 * Every region in this bin or above can hold @size.
 *
 * Return: a bin index, at most %MEMKIT_OA_MAX_BIN + 1.
 */
static inline u32 memkit_oa_bin_round_up(u64 size)
{
	u32 bin = memkit_oa_bin_round_down(size);

	if (size < MEMKIT_OA_MANTISSA_VALUE)
		return bin;
	/*
	 * Any bit below the mantissa bumps the bin; a mantissa carry into
	 * the exponent is what the bin encoding's addition does.
	 */
	return bin + !!(size & (BIT_ULL(fls64(size) - 1 - MEMKIT_OA_MANTISSA_BITS) - 1));
}

/**
 * memkit_oa_bin_size() - the smallest size in a bin
 * @bin: a bin index, at most %MEMKIT_OA_MAX_BIN.
 *
 * Return: the size that both round functions map to @bin.
 */
static inline u64 memkit_oa_bin_size(u32 bin)
{
	u32 exp = bin >> MEMKIT_OA_MANTISSA_BITS;
	u64 mantissa = bin & MEMKIT_OA_MANTISSA_MASK;

	if (!exp)
		return mantissa;
	return (mantissa | MEMKIT_OA_MANTISSA_VALUE) << (exp - 1);
}

/**
 * memkit_oa_align_ok() - is @align a valid alignment for an allocation?
 * @align: the alignment asked for; 0 means none.
 *
 * is_power_of_2() takes an unsigned long, which a u64 alignment would be
 * truncated to on 32-bit kernels (2^32 would read as 0).
 *
 * Return: true for 0 and for any power of two up to 2^63.
 */
static inline bool memkit_oa_align_ok(u64 align)
{
	return !(align & (align - 1));
}

int memkit_oa_init_noprof(struct memkit_oa *oa, u64 size, u32 max_allocs);

/**
 * memkit_oa_init() - set up an offset allocator of fixed capacity
 * @oa: the allocator; its previous contents are ignored.
 * @size: units to manage, 1 to %U64_MAX; offsets run from 0 to @size - 1.
 * @max_allocs: most live allocations, 1 to %MEMKIT_OA_MAX_ALLOCS.
 *
 * memkit_oa_init_flags() with all node storage allocated now: (2 *
 * @max_allocs + 1) nodes of 32 bytes, so no allocation is ever -ENOMEM.
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for a zero @size or an out-of-range @max_allocs;
 * -ENOMEM.
 */
#define memkit_oa_init(oa, size, max_allocs) \
	alloc_hooks(memkit_oa_init_noprof(oa, size, max_allocs))

int memkit_oa_init_flags_noprof(struct memkit_oa *oa, u64 size, u32 initial_allocs,
				u32 max_allocs, unsigned int flags);

/**
 * memkit_oa_init_flags() - set up an offset allocator that may grow
 * @oa: the allocator; its previous contents are ignored.
 * @size: units to manage, 1 to %U64_MAX; offsets run from 0 to @size - 1.
 * @initial_allocs: allocations the node storage is set up for now, 0 to
 *	@max_allocs.
 * @max_allocs: most live allocations, 1 to memkit_oa_max_allocs(@flags).
 * @flags: &enum memkit_oa_flags.
 *
 * With @initial_allocs below @max_allocs, segment 0 holds the smallest
 * power of two of nodes (at least 64) that covers 2 * @initial_allocs + 1,
 * and memkit_oa_grow() adds segments up to what @max_allocs needs; an
 * allocation that finds no node is then -ENOMEM.  Otherwise every node is
 * allocated now and the allocator never runs short.  Node storage comes
 * from kvmalloc(); a table that cannot be had is -ENOMEM, without a
 * warning.
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for a zero @size, an out-of-range @max_allocs or
 * @initial_allocs, or an unknown flag; -ENOMEM.
 */
#define memkit_oa_init_flags(oa, size, initial_allocs, max_allocs, flags) \
	alloc_hooks(memkit_oa_init_flags_noprof(oa, size, initial_allocs, max_allocs, flags))

void memkit_oa_exit(struct memkit_oa *oa);
void memkit_oa_reset(struct memkit_oa *oa);
u32 memkit_oa_max_allocs(unsigned int flags);
size_t memkit_oa_grow_size(const struct memkit_oa *oa, u32 nr);
int memkit_oa_grow(struct memkit_oa *oa, void *mem, size_t bytes);
int memkit_oa_extend(struct memkit_oa *oa, u64 new_size);
int memkit_oa_alloc(struct memkit_oa *oa, u64 size, u64 align,
		    struct memkit_oa_handle *handle);
int memkit_oa_alloc_in(struct memkit_oa *oa, const struct memkit_oa_req *req,
		       struct memkit_oa_handle *handle);
int memkit_oa_set_guard(struct memkit_oa *oa, u64 guard);
int memkit_oa_color(const struct memkit_oa *oa, const struct memkit_oa_handle *handle,
		    u32 *color);
int memkit_oa_scan_init(struct memkit_oa_scan *scan, struct memkit_oa *oa,
			const struct memkit_oa_req *req);
int memkit_oa_scan_add(struct memkit_oa_scan *scan, const struct memkit_oa_handle *handle);
int memkit_oa_scan_evict(const struct memkit_oa_scan *scan,
			 const struct memkit_oa_handle *handle);
void memkit_oa_scan_hole(const struct memkit_oa_scan *scan, u64 *start, u64 *end);
int memkit_oa_reserve(struct memkit_oa *oa, u64 offset, u64 size,
		      struct memkit_oa_handle *handle);
int memkit_oa_free(struct memkit_oa *oa, const struct memkit_oa_handle *handle);
int memkit_oa_resize(struct memkit_oa *oa, const struct memkit_oa_handle *handle,
		     u64 new_size);
int memkit_oa_alloc_size(const struct memkit_oa *oa,
			 const struct memkit_oa_handle *handle, u64 *size);
int memkit_oa_set_priv(struct memkit_oa *oa, const struct memkit_oa_handle *handle,
		       void *priv);
void *memkit_oa_priv(const struct memkit_oa *oa, const struct memkit_oa_handle *handle);
int memkit_oa_lookup(const struct memkit_oa *oa, u64 offset,
		     struct memkit_oa_handle *handle);
void memkit_oa_first_alloc(const struct memkit_oa *oa, struct memkit_oa_handle *handle);
void memkit_oa_next_alloc(const struct memkit_oa *oa, struct memkit_oa_handle *handle);
void memkit_oa_first_hole(const struct memkit_oa *oa, struct memkit_oa_hole *hole);
void memkit_oa_next_hole(const struct memkit_oa *oa, struct memkit_oa_hole *hole);
void memkit_oa_report(const struct memkit_oa *oa, struct memkit_oa_usage *r);
void memkit_oa_full_report(const struct memkit_oa *oa,
			   struct memkit_oa_bin_usage *r);
void memkit_oa_walk_regions(const struct memkit_oa *oa,
			    memkit_oa_region_fn fn, void *arg);
int memkit_oa_walk_chunk(const struct memkit_oa *oa, struct memkit_oa_cursor *cur,
			 u32 max, memkit_oa_region_fn fn, void *arg);
int memkit_oa_check(const struct memkit_oa *oa);

/* The state of the iterators below; not for direct use. */
struct __memkit_oa_iter {
	const struct memkit_oa *oa;
	struct memkit_oa_handle *h;
	struct memkit_oa_hole *hole;
	struct memkit_oa_handle next;
	bool started;
};

static inline struct __memkit_oa_iter
__memkit_oa_iter(const struct memkit_oa *oa, struct memkit_oa_handle *h,
		 struct memkit_oa_hole *hole)
{
	return (struct __memkit_oa_iter){ .oa = oa, .h = h, .hole = hole };
}

static inline bool __memkit_oa_iter_alloc(struct __memkit_oa_iter *it)
{
	if (it->started)
		memkit_oa_next_alloc(it->oa, it->h);
	else
		memkit_oa_first_alloc(it->oa, it->h);
	it->started = true;
	return it->h->node != MEMKIT_OA_NO_NODE;
}

/* The next allocation is found before the body runs, which may free *h. */
static inline bool __memkit_oa_iter_alloc_safe(struct __memkit_oa_iter *it)
{
	if (!it->started)
		memkit_oa_first_alloc(it->oa, &it->next);
	it->started = true;
	*it->h = it->next;
	if (it->h->node == MEMKIT_OA_NO_NODE)
		return false;
	memkit_oa_next_alloc(it->oa, &it->next);
	return true;
}

static inline bool __memkit_oa_iter_hole(struct __memkit_oa_iter *it)
{
	if (it->started)
		memkit_oa_next_hole(it->oa, it->hole);
	else
		memkit_oa_first_hole(it->oa, it->hole);
	it->started = true;
	return it->hole->size;
}

/**
 * memkit_oa_for_each_alloc() - iterate over the live allocations in address order
 * @oa: the allocator.
 * @h: a &struct memkit_oa_handle, set to each allocation in turn.
 *
 * O(1) per step.  Do not change @oa inside the loop; see
 * memkit_oa_for_each_alloc_safe().  The caller's lock held throughout.
 */
#define memkit_oa_for_each_alloc(oa, h)					\
	for (struct __memkit_oa_iter __memkit_it = __memkit_oa_iter(oa, h, NULL); \
	     __memkit_oa_iter_alloc(&__memkit_it);)

/**
 * memkit_oa_for_each_alloc_safe() - iterate, allowing @h to be freed
 * @oa: the allocator.
 * @h: a &struct memkit_oa_handle, set to each allocation in turn.
 *
 * The next allocation is found before the body runs, so the body may free
 * or resize @h, but not the allocation after it.
 */
#define memkit_oa_for_each_alloc_safe(oa, h)				\
	for (struct __memkit_oa_iter __memkit_it = __memkit_oa_iter(oa, h, NULL); \
	     __memkit_oa_iter_alloc_safe(&__memkit_it);)

/**
 * memkit_oa_for_each_hole() - iterate over the free regions in address order
 * @oa: the allocator.
 * @hole: a &struct memkit_oa_hole, set to each free region in turn.
 *
 * Each step costs O(1 + allocations between two holes); a whole
 * iteration O(regions).  The body must not change @oa.
 */
#define memkit_oa_for_each_hole(oa, hole)					\
	for (struct __memkit_oa_iter __memkit_it = __memkit_oa_iter(oa, NULL, hole); \
	     __memkit_oa_iter_hole(&__memkit_it);)

#endif /* _MEMKIT_OFFSET_ALLOC_H */
