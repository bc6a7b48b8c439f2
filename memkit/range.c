// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_range: the range manager other modules use.
 */

#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/spinlock.h>

#include <memkit/bug.h>
#include <memkit/compat.h>
#include <memkit/debugfs.h>
#include <memkit/range.h>

/**
 * DOC: Overview
 *
 * A &struct memkit_range manages a named range of units for a driver:
 * device memory, a BAR, ring slots, an ID space.  It never touches the
 * memory behind the offsets.  Behind it is either the O(1) offset
 * allocator (&struct memkit_oa; see its overview for the bins and the
 * exact costs) or a dedicated block, a range that is only ever taken
 * whole; the kind is chosen at creation and dispatched with a switch.
 *
 * Complexity: as &struct memkit_oa: alloc and free O(1) on the fast path,
 * reserve O(free regions); the dedicated block is O(1) throughout.
 *
 * Locking: each range has an irq-safe spinlock taken by every call, so
 * alloc, reserve, free, reset and report may be called from any context,
 * hard irq included.  create and destroy sleep (memory, debugfs).  Every
 * call holds the lock for O(1) work, except reserve (O(free regions)) and
 * reset (O(bins), 512 list heads).  The debugfs files, and the leak report
 * at destroy, walk the regions in chunks of %RANGE_WALK_CHUNK with the
 * lock dropped in between, so a reader keeps interrupts off for at most
 * that many regions at a time; ``map`` and ``bins`` say how long the
 * longest chunk took.  A walk whose place was merged away while the lock
 * was dropped starts again, skipping what it has seen, up to
 * %RANGE_WALK_RESTARTS times; the figures of a walk across concurrent
 * changes are a blend of the states it saw.
 *
 * A named range appears in debugfs as ``memkit/<name>/`` with:
 *
 * - ``bins``: totals (size, free, used, live allocations, largest free
 *   region, fragmentation = 1 - largest free / free), the two bitmasks,
 *   and one row per non-empty bin: index, smallest size of the bin, free
 *   regions, free units.
 * - ``map``: the range drawn as 64 cells, each showing how much of its
 *   share of the range is in use: ``.`` none, ``1`` to ``9`` tenths,
 *   ``#`` all.
 *
 * Destroying a range with live allocations is a caller bug: it warns once
 * and logs how many allocations leaked, how many units, and the first
 * offsets, then frees the range anyway.
 */

/* A range that can only be taken whole. */
struct memkit_dedicated {
	u64 size;
	bool taken;
};

struct memkit_range {
	spinlock_t lock;	/* irq-safe; protects everything below */
	enum memkit_range_kind kind;
	union {
		struct memkit_oa oa;
		struct memkit_dedicated ded;
	};
	struct memkit_debugfs_entry debugfs;
};

#define RANGE_MAP_CELLS		64
#define RANGE_LEAK_OFFSETS	4
#define RANGE_WALK_CHUNK	1024	/* regions per hold of the lock */
#define RANGE_WALK_RESTARTS	4

static int dedicated_take(struct memkit_dedicated *ded, u64 offset, u64 size,
			  struct memkit_oa_handle *handle)
{
	if (ded->taken || offset || size != ded->size)
		return -ENOSPC;
	ded->taken = true;
	handle->offset = 0;
	handle->node = 0;
	return 0;
}

static int dedicated_free(struct memkit_dedicated *ded,
			  const struct memkit_oa_handle *handle)
{
	if (memkit_warn_once(!ded->taken || handle->node || handle->offset,
			     "free of a handle that is not the dedicated block (node %u, offset %llu)",
			     handle->node, handle->offset))
		return -EINVAL;
	ded->taken = false;
	return 0;
}

static void dedicated_report(const struct memkit_dedicated *ded,
			     struct memkit_oa_usage *r)
{
	memset(r, 0, sizeof(*r));
	r->size = ded->size;
	r->free = ded->taken ? 0 : ded->size;
	r->largest_free = r->free;
	r->allocs = ded->taken;
	r->max_allocs = 1;
	r->free_regions = !ded->taken;
}

static void __memkit_range_report(struct memkit_range *range,
				  struct memkit_oa_usage *r)
{
	lockdep_assert_held(&range->lock);
	switch (range->kind) {
	case MEMKIT_RANGE_OFFSET:
		memkit_oa_report(&range->oa, r);
		break;
	case MEMKIT_RANGE_DEDICATED:
		dedicated_report(&range->ded, r);
		break;
	}
}

/* A walk of the regions in chunks, from process context. */
struct range_walk {
	memkit_oa_region_fn fn;
	void *arg;
	u64 from;		/* units below this have been visited */
	u32 chunks;
	u32 restarts;
	u64 max_hold_ns;	/* the longest chunk, lock held */
	bool complete;
};

/* Hand on each region's part at or above w->from, so no unit is seen twice. */
static void range_walk_visit(u64 offset, u64 size, bool used, void *arg)
{
	struct range_walk *w = arg;
	u64 end = offset + size;

	if (end <= w->from)
		return;
	if (offset < w->from)
		offset = w->from;
	w->fn(offset, end - offset, used, w->arg);
	w->from = end;
}

/*
 * Visit every region in address order, the dedicated block as one, at
 * most RANGE_WALK_CHUNK per hold of the lock.
 */
static void range_walk_regions(struct memkit_range *range, struct range_walk *w)
{
	struct memkit_oa_cursor cur = {};
	unsigned long flags;
	u64 t;
	int ret;

	do {
		spin_lock_irqsave(&range->lock, flags);
		t = ktime_get_ns();
		if (range->kind == MEMKIT_RANGE_OFFSET) {
			ret = memkit_oa_walk_chunk(&range->oa, &cur, RANGE_WALK_CHUNK,
						   range_walk_visit, w);
		} else {
			range_walk_visit(0, range->ded.size, range->ded.taken, w);
			ret = 0;
		}
		t = ktime_get_ns() - t;
		spin_unlock_irqrestore(&range->lock, flags);
		w->max_hold_ns = max(w->max_hold_ns, t);
		w->chunks++;
		if (ret == -EAGAIN) {
			if (++w->restarts > RANGE_WALK_RESTARTS)
				break;
			cur = (struct memkit_oa_cursor){};
			ret = 1;
		}
		if (ret > 0)
			cond_resched();
	} while (ret > 0);
	w->complete = !ret;
}

/* How a walk went, for the debugfs files. */
static void range_walk_print(struct seq_file *m, const struct range_walk *w)
{
	seq_printf(m, "walked in %u chunks of up to %u regions, %u restarts%s; longest with interrupts off %llu us\n",
		   w->chunks, RANGE_WALK_CHUNK, w->restarts,
		   w->complete ? "" : " (gave up: incomplete)", div_u64(w->max_hold_ns, 1000));
}

/* debugfs */

static void range_summary(struct seq_file *m, void *data)
{
	struct memkit_range *range = data;
	struct memkit_oa_usage r;
	unsigned long flags;

	spin_lock_irqsave(&range->lock, flags);
	__memkit_range_report(range, &r);
	spin_unlock_irqrestore(&range->lock, flags);
	seq_printf(m, "%s size=%llu used=%llu allocs=%u/%u largest_free=%llu",
		   range->kind == MEMKIT_RANGE_OFFSET ? "offset" : "dedicated",
		   r.size, r.size - r.free, r.allocs, r.max_allocs, r.largest_free);
}

/* Fragmentation in thousandths: 1 - largest free / free. */
static u64 range_frag_milli(const struct memkit_oa_usage *r)
{
	if (!r->free)
		return 0;
	return 1000 - mul_u64_u64_div_u64(r->largest_free, 1000, r->free);
}

static void range_bins_add(u64 offset, u64 size, bool used, void *arg)
{
	struct memkit_oa_bin_usage *full = arg;
	u32 bin = memkit_oa_bin_round_down(size);

	if (used)
		return;
	full->bins[bin].regions++;
	full->bins[bin].units += size;
}

static int range_bins_show(struct seq_file *m, void *data)
{
	struct memkit_range *range = data;
	struct memkit_oa_bin_usage *full;
	struct range_walk w = {};
	struct memkit_oa_usage r;
	unsigned long flags;
	u32 bin, frac;
	u64 frag;

	full = kvzalloc(sizeof(*full), GFP_KERNEL);
	if (!full)
		return -ENOMEM;
	spin_lock_irqsave(&range->lock, flags);
	__memkit_range_report(range, &r);
	if (range->kind == MEMKIT_RANGE_OFFSET) {
		full->used_bins_top = range->oa.used_bins_top;
		memcpy(full->used_bins, range->oa.used_bins, sizeof(full->used_bins));
	}
	spin_unlock_irqrestore(&range->lock, flags);
	/* Per-bin counts from the free regions, a chunk at a time. */
	w.fn = range_bins_add;
	w.arg = full;
	if (range->kind == MEMKIT_RANGE_OFFSET)
		range_walk_regions(range, &w);

	frag = range_frag_milli(&r);
	seq_printf(m, "kind          %s\n",
		   range->kind == MEMKIT_RANGE_OFFSET ? "offset" : "dedicated");
	seq_printf(m, "size          %llu\n", r.size);
	seq_printf(m, "free          %llu\n", r.free);
	seq_printf(m, "used          %llu\n", r.size - r.free);
	seq_printf(m, "allocs        %u/%u\n", r.allocs, r.max_allocs);
	seq_printf(m, "free_regions  %u\n", r.free_regions);
	seq_printf(m, "largest_free  %llu\n", r.largest_free);
	frag = div_u64_rem(frag, 1000, &frac);
	seq_printf(m, "fragmentation %llu.%03u\n", frag, frac);

	if (range->kind == MEMKIT_RANGE_OFFSET) {
		seq_printf(m, "used_bins_top %#018llx\n", full->used_bins_top);
		seq_puts(m, "used_bins    ");
		for (bin = 0; bin < MEMKIT_OA_TOP_BINS; bin++)
			if (full->used_bins[bin])
				seq_printf(m, " %u:%#04x", bin, full->used_bins[bin]);
		seq_puts(m, "\n");
		range_walk_print(m, &w);
		seq_puts(m, "\n bin             min_size  regions                units\n");
		for (bin = 0; bin <= MEMKIT_OA_MAX_BIN; bin++)
			if (full->bins[bin].regions)
				seq_printf(m, "%4u %20llu %8u %20llu\n", bin,
					   memkit_oa_bin_size(bin),
					   full->bins[bin].regions,
					   full->bins[bin].units);
	}
	kvfree(full);
	return 0;
}

/*
 * The picture has one cell per unit for ranges smaller than
 * RANGE_MAP_CELLS units, so that every cell covers at least one unit.
 */
struct range_map {
	u64 size;
	u32 cells;
	u64 used[RANGE_MAP_CELLS];
};

static u64 range_map_cell_start(const struct range_map *map, u32 cell)
{
	return cell == map->cells ? map->size :
	       mul_u64_u64_div_u64(cell, map->size, map->cells);
}

static void range_map_add(u64 offset, u64 size, bool used, void *arg)
{
	struct range_map *map = arg;
	u64 end = offset + size;
	u32 cell;

	if (!used)
		return;
	cell = mul_u64_u64_div_u64(offset, map->cells, map->size);
	for (; cell < map->cells; cell++) {
		u64 lo = range_map_cell_start(map, cell);
		u64 hi = range_map_cell_start(map, cell + 1);

		if (lo >= end)
			break;
		map->used[cell] += min(hi, end) - max(lo, offset);
	}
}

static int range_map_show(struct seq_file *m, void *data)
{
	struct memkit_range *range = data;
	struct range_walk w = {};
	struct range_map *map;
	u32 cell;

	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	/* The size of a range never changes. */
	map->size = range->kind == MEMKIT_RANGE_OFFSET ? range->oa.size :
			range->ded.size;
	map->cells = min_t(u64, RANGE_MAP_CELLS, map->size);
	w.fn = range_map_add;
	w.arg = map;
	range_walk_regions(range, &w);

	seq_printf(m, "0 %llu units, %u cells: '.' free, 1-9 tenths used, '#' full\n",
		   map->size, map->cells);
	range_walk_print(m, &w);
	seq_putc(m, '|');
	for (cell = 0; cell < map->cells; cell++) {
		u64 lo = range_map_cell_start(map, cell);
		u64 hi = range_map_cell_start(map, cell + 1);
		u64 used = map->used[cell], width = hi - lo;
		char c;

		if (!used)
			c = '.';
		else if (used == width)
			c = '#';
		else
			c = '0' + clamp_t(u64, mul_u64_u64_div_u64(used, 10, width), 1, 9);
		seq_putc(m, c);
	}
	seq_puts(m, "|\n");
	kfree(map);
	return 0;
}

static const struct memkit_debugfs_file range_files[] = {
	{ .name = "bins", .show = range_bins_show },
	{ .name = "map", .show = range_map_show },
};

static const struct memkit_debugfs_ops range_debugfs_ops = {
	.kind = "range",
	.summary = range_summary,
	.files = range_files,
	.nr_files = ARRAY_SIZE(range_files),
};

/**
 * memkit_range_create() - create a range manager
 * @name: debugfs name (see memkit_debugfs_register()), or NULL for none.
 * @size: units in the range, offsets 0 to @size - 1; at least 1.
 * @kind: the allocator behind it.
 * @max_allocs: most live allocations, for %MEMKIT_RANGE_OFFSET (see
 *              memkit_oa_init()); ignored for %MEMKIT_RANGE_DEDICATED.
 *
 * Context: process context; may sleep.
 * Return: the range, or an ERR_PTR(): -EINVAL for a bad argument or name,
 * -EEXIST if @name is taken, -ENOMEM.
 */
struct memkit_range *memkit_range_create(const char *name, u64 size,
					 enum memkit_range_kind kind,
					 u32 max_allocs)
{
	struct memkit_range *range;
	int ret;

	if (!size)
		return ERR_PTR(-EINVAL);
	range = kzalloc(sizeof(*range), GFP_KERNEL);
	if (!range)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&range->lock);
	range->kind = kind;

	switch (kind) {
	case MEMKIT_RANGE_OFFSET:
		ret = memkit_oa_init(&range->oa, size, max_allocs);
		break;
	case MEMKIT_RANGE_DEDICATED:
		range->ded.size = size;
		ret = 0;
		break;
	default:
		ret = -EINVAL;
		break;
	}
	if (!ret && name)
		ret = memkit_debugfs_register(&range->debugfs, name,
					      &range_debugfs_ops, range);
	if (ret) {
		if (kind == MEMKIT_RANGE_OFFSET)
			memkit_oa_exit(&range->oa);
		kfree(range);
		return ERR_PTR(ret);
	}
	return range;
}
EXPORT_SYMBOL_MEMKIT(memkit_range_create);

struct range_leaks {
	u64 units;
	u32 count;
	u64 first[RANGE_LEAK_OFFSETS];
};

static void range_collect_leak(u64 offset, u64 size, bool used, void *arg)
{
	struct range_leaks *leaks = arg;

	if (!used)
		return;
	if (leaks->count < RANGE_LEAK_OFFSETS)
		leaks->first[leaks->count] = offset;
	leaks->count++;
	leaks->units += size;
}

/**
 * memkit_range_destroy() - free a range manager
 * @range: the range, or NULL or an ERR_PTR() (then a no-op).
 *
 * Every allocation should have been freed.  Live allocations are a caller
 * bug: they are reported (count, units, first offsets) with a warning, and
 * the range is freed anyway.
 *
 * Context: process context; may sleep.
 */
void memkit_range_destroy(struct memkit_range *range)
{
	struct range_leaks leaks = {};
	struct range_walk w = { .fn = range_collect_leak, .arg = &leaks };
	u32 i;

	if (IS_ERR_OR_NULL(range))
		return;
	memkit_debugfs_unregister(&range->debugfs);

	range_walk_regions(range, &w);
	if (memkit_warn_once(leaks.count, "range destroyed with %u live allocations (%llu units)",
			     leaks.count, leaks.units)) {
		for (i = 0; i < min_t(u32, leaks.count, RANGE_LEAK_OFFSETS); i++)
			pr_err("memkit: leaked allocation at offset %llu\n", leaks.first[i]);
	}

	if (range->kind == MEMKIT_RANGE_OFFSET)
		memkit_oa_exit(&range->oa);
	kfree(range);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_destroy);

/*
 * Allocation and reservation: @arg is the alignment for an allocation and
 * the offset for a reservation.  A dedicated block is at offset 0, which
 * satisfies any alignment.
 */
static int range_claim(struct memkit_range *range, bool reserve, u64 arg,
		       u64 size, struct memkit_oa_handle *handle)
{
	unsigned long flags;
	int ret = -EINVAL;

	handle->node = MEMKIT_OA_NO_NODE;
	spin_lock_irqsave(&range->lock, flags);
	switch (range->kind) {
	case MEMKIT_RANGE_OFFSET:
		ret = reserve ? memkit_oa_reserve(&range->oa, arg, size, handle) :
				memkit_oa_alloc(&range->oa, size, arg, handle);
		break;
	case MEMKIT_RANGE_DEDICATED:
		if (!size || (!reserve && !memkit_oa_align_ok(arg)))
			break;
		ret = dedicated_take(&range->ded, reserve ? arg : 0, size, handle);
		break;
	}
	spin_unlock_irqrestore(&range->lock, flags);
	return ret;
}

/**
 * memkit_range_alloc() - allocate units from a range
 * @range: the range.
 * @size: units wanted, at least 1.
 * @align: power-of-two alignment of the offset, up to 2^63; 0 or 1 for none.
 * @handle: receives the allocation; on failure its node is
 *          %MEMKIT_OA_NO_NODE.
 *
 * A dedicated range only satisfies a request for exactly its whole size.
 *
 * Context: any context; takes the range's irq-safe spinlock.
 * Return: 0; -EINVAL for a zero @size or a bad @align; -ENOSPC if no free
 * region can hold the request or the range has max_allocs allocations.
 */
int memkit_range_alloc(struct memkit_range *range, u64 size, u64 align,
		       struct memkit_oa_handle *handle)
{
	return range_claim(range, false, align, size, handle);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_alloc);

/**
 * memkit_range_reserve() - claim a given part of a range
 * @range: the range.
 * @offset: first unit to claim.
 * @size: units to claim, at least 1.
 * @handle: receives the allocation, freed with memkit_range_free().
 *
 * Context: any context; takes the range's irq-safe spinlock.  O(free
 * regions).
 * Return: 0; -EINVAL for a zero @size; -ENOSPC if any unit is in use or
 * outside the range.
 */
int memkit_range_reserve(struct memkit_range *range, u64 offset, u64 size,
			 struct memkit_oa_handle *handle)
{
	return range_claim(range, true, offset, size, handle);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_reserve);

/**
 * memkit_range_free() - give an allocation back
 * @range: the range.
 * @handle: what memkit_range_alloc() or memkit_range_reserve() returned.
 *
 * A handle that is not a live allocation of @range is a caller bug: it is
 * reported once and refused, and the range is left as it was.
 *
 * Context: any context; takes the range's irq-safe spinlock.  O(1).
 * Return: 0, or -EINVAL for a handle that is not a live allocation.
 */
int memkit_range_free(struct memkit_range *range,
		      const struct memkit_oa_handle *handle)
{
	unsigned long flags;
	int ret = -EINVAL;

	spin_lock_irqsave(&range->lock, flags);
	switch (range->kind) {
	case MEMKIT_RANGE_OFFSET:
		ret = memkit_oa_free(&range->oa, handle);
		break;
	case MEMKIT_RANGE_DEDICATED:
		ret = dedicated_free(&range->ded, handle);
		break;
	}
	spin_unlock_irqrestore(&range->lock, flags);
	return ret;
}
EXPORT_SYMBOL_MEMKIT(memkit_range_free);

/**
 * memkit_range_reset() - free every allocation of a range at once
 * @range: the range.
 *
 * Context: any context; takes the range's irq-safe spinlock.  O(bins).
 */
void memkit_range_reset(struct memkit_range *range)
{
	unsigned long flags;

	spin_lock_irqsave(&range->lock, flags);
	switch (range->kind) {
	case MEMKIT_RANGE_OFFSET:
		memkit_oa_reset(&range->oa);
		break;
	case MEMKIT_RANGE_DEDICATED:
		range->ded.taken = false;
		break;
	}
	spin_unlock_irqrestore(&range->lock, flags);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_reset);

/**
 * memkit_range_report() - occupancy totals of a range
 * @range: the range.
 * @r: receives the totals.
 *
 * Context: any context; takes the range's irq-safe spinlock.
 */
void memkit_range_report(struct memkit_range *range, struct memkit_oa_usage *r)
{
	unsigned long flags;

	spin_lock_irqsave(&range->lock, flags);
	__memkit_range_report(range, r);
	spin_unlock_irqrestore(&range->lock, flags);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_report);

/**
 * memkit_range_check() - verify a range's invariants
 * @range: the range.
 *
 * See memkit_oa_check().  For tests and debugging.
 *
 * Context: any context; takes the range's irq-safe spinlock.  O(nodes).
 * Return: 0, or -EUCLEAN if an invariant is broken.
 */
int memkit_range_check(struct memkit_range *range)
{
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&range->lock, flags);
	if (range->kind == MEMKIT_RANGE_OFFSET)
		ret = memkit_oa_check(&range->oa);
	spin_unlock_irqrestore(&range->lock, flags);
	return ret;
}
EXPORT_SYMBOL_MEMKIT(memkit_range_check);
