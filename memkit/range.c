// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_range: the range manager other modules use.
 */

#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/spinlock.h>

#include <memkit/bug.h>
#include <memkit/compat.h>
#include <memkit/debugfs.h>
#include <memkit/range.h>

#include "internal.h"
#include "memkit_trace.h"

/**
 * DOC: Overview
 *
 * A &struct memkit_range manages a named range of units for a driver:
 * device memory, a BAR, ring slots, an ID space.  It never touches the
 * memory behind the offsets.  Behind it is the O(1) offset allocator
 * (&struct memkit_oa; see its overview for the bins and the exact costs);
 * a dedicated range is the same allocator admitting only one allocation,
 * of exactly the whole range.
 *
 * What a driver gets, next to alloc, reserve and free:
 *
 * - Handles that cannot alias: each carries its allocation's generation,
 *   so a stale, double-freed or forged handle is refused with -EINVAL
 *   (and a warning, once) even after its node and offset were reused.
 * - A private pointer per allocation (%MEMKIT_RANGE_PRIV), read back from
 *   a handle in O(1), and lookup by offset (%MEMKIT_RANGE_LOOKUP): the
 *   allocation that covers an offset, and free by start offset, in
 *   O(log n).  A range pays memory for these only if it asks.
 * - Iteration over allocations and holes in address order.
 * - With %MEMKIT_RANGE_PLACE: allocation inside a window by mode (FAST,
 *   LOW, HIGH, and BEST with %MEMKIT_RANGE_BEST_FIT too) with any
 *   alignment, colours with a guard between them
 *   (&memkit_range_config.color_guard), and the eviction scan that says
 *   which allocations to free to make room, as drm_mm's
 *   insert_node_in_range, color_adjust and scan API do.
 * - Growth: node storage grows by segments up to max_allocs (never
 *   copied), either from the allocation itself (config @gfp) or ahead of
 *   time through memkit_range_preload(), which allocates outside the lock
 *   so that atomic callers never allocate; an allocation short of nodes
 *   is -ENOMEM, distinct from -ENOSPC (no room in the range).  The range
 *   itself can grow at its end (memkit_range_extend()), and an allocation
 *   in place (memkit_range_resize()).
 *
 * Complexity: as &struct memkit_oa: alloc and free O(1) on the fast path
 * (O(log n) more with the lookup index), resize and extend O(1), reserve
 * O(free regions), lookup O(log n).
 *
 * Locking: by default each range has an irq-safe spinlock, and every
 * plain call takes it, so they may be called from any context, hard irq
 * included.  A range made with &memkit_range_config.lock is serialised by
 * the driver's mutex instead, and one made with .spinlock by the driver's
 * own irq-safe spinlock: plain calls take that lock (the mutex in process
 * context only), and a driver that already holds it calls the _locked
 * variants, so it never pays for two locks.  With any of the three,
 * memkit_range_lock() and memkit_range_unlock() take and drop it so that
 * several _locked calls form one atomic step, as xa_lock() does for an
 * xarray; every _locked call asserts the lock with lockdep.  create, destroy
 * and preload sleep (memory, debugfs).  Every call holds the lock for O(1)
 * work, except reserve (O(free regions)), reset (O(bins), 512 list heads)
 * and memkit_range_preload_locked() (an allocation).  The debugfs files, and the
 * leak report at destroy, walk the regions in chunks of %RANGE_WALK_CHUNK
 * with the lock dropped in between, so a reader keeps interrupts off for
 * at most that many regions at a time; ``map`` and ``bins`` say how long
 * the longest chunk took.  A walk whose place was merged away while the
 * lock was dropped starts again, skipping what it has seen, up to
 * %RANGE_WALK_RESTARTS times; the figures of a walk across concurrent
 * changes are a blend of the states it saw.
 *
 * A named range appears in debugfs as ``<parent>/<name>/`` (``memkit/`` by
 * default) with:
 *
 * - ``bins``: totals (size, free, used, live allocations, largest free
 *   region, fragmentation = 1 - largest free / free), node storage, the
 *   two bitmasks, and one row per non-empty bin: index, smallest size of
 *   the bin, free regions, free units.
 * - ``map``: the range drawn as 64 cells, each showing how much of its
 *   share of the range is in use: ``.`` none, ``1`` to ``9`` tenths,
 *   ``#`` all; with placement, a second row with the colour of each
 *   cell's first allocation.
 * - ``place``: the guard, the window asked for last, per mode how many
 *   memkit_range_alloc_in() calls placed an allocation and how many found
 *   no room, and how many eviction scans ran and found a hole.
 *
 * Destroying a range with live allocations is a caller bug: it warns once
 * and logs how many allocations leaked, how many units, and the first
 * offsets, then frees the range anyway.
 */

/**
 * memkit_range_lock() - take a range's lock
 * @range: the range.
 *
 * The range's spinlock (its own, or the driver's) with interrupts saved,
 * or the driver's mutex for a range made with one.  Between this and
 * memkit_range_unlock() the _locked calls may be used, and several of them are
 * one atomic step.
 *
 * Context: any context for the spinlock; process context for a mutex.
 * Return: the interrupt flags to pass to memkit_range_unlock().
 */
unsigned long memkit_range_lock(struct memkit_range *range)
	__acquires(&range->lock)
{
	return range_lock(range);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_lock);

/**
 * memkit_range_unlock() - drop a range's lock
 * @range: the range.
 * @flags: what memkit_range_lock() returned.
 *
 * Context: the range's lock held.
 */
void memkit_range_unlock(struct memkit_range *range, unsigned long flags)
	__releases(&range->lock)
{
	range_unlock(range, flags);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_unlock);

static void range_assert_held(struct memkit_range *range)
{
	if (range->mutex)
		lockdep_assert_held(range->mutex);
	else
		lockdep_assert_held(range->spinlock);
}

/* Hand on each region's part at or above w->from, so no unit is seen twice. */
static void range_walk_visit(u64 offset, u64 size, bool used, u32 color, void *arg)
{
	struct range_walk *w = arg;
	u64 end = offset + size;

	if (end <= w->from)
		return;
	if (offset < w->from)
		offset = w->from;
	w->fn(offset, end - offset, used, color, w->arg);
	w->from = end;
}

/* Visit every region in address order, at most RANGE_WALK_CHUNK per hold of the lock. */
void memkit_range_walk(struct memkit_range *range, struct range_walk *w)
{
	struct memkit_oa_cursor cur = {};
	unsigned long flags;
	u64 t;
	int ret;

	do {
		flags = range_lock(range);
		t = ktime_get_ns();
		ret = memkit_oa_walk_chunk(&range->oa, &cur, RANGE_WALK_CHUNK,
					   range_walk_visit, w);
		t = ktime_get_ns() - t;
		range_unlock(range, flags);
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

/* memkit_range_create_config() without its allocation tag: see the header. */
struct memkit_range *memkit_range_create_config_noprof(const struct memkit_range_config *cfg)
{
	unsigned int flags = cfg->flags;
	struct memkit_range *range;
	u32 max = cfg->max_allocs;
	int ret;

	if ((cfg->kind != MEMKIT_RANGE_OFFSET && cfg->kind != MEMKIT_RANGE_DEDICATED) ||
	    (cfg->lock && cfg->spinlock))
		return ERR_PTR(-EINVAL);
	if (!max)
		max = memkit_oa_max_allocs(flags);
	if (cfg->kind == MEMKIT_RANGE_DEDICATED)
		max = 1;
	range = kzalloc_noprof(sizeof(*range), GFP_KERNEL);
	if (!range)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&range->lock);
	range->spinlock = cfg->spinlock ?: &range->lock;
	range->mutex = cfg->lock;
	range->kind = cfg->kind;
	range->gfp = cfg->gfp;
	if (cfg->name)
		strscpy(range->name, cfg->name, sizeof(range->name));

	ret = memkit_oa_init_flags_noprof(&range->oa, cfg->size, min(cfg->initial_allocs, max),
					  max, flags);
	if (!ret && cfg->color_guard)
		ret = memkit_oa_set_guard(&range->oa, cfg->color_guard);
	if (!ret && cfg->name)
		ret = memkit_debugfs_register_at(&range->debugfs, cfg->debugfs_parent,
						 cfg->name, &memkit_range_debugfs_ops, range);
	if (ret) {
		memkit_oa_exit(&range->oa);
		kfree(range);
		return ERR_PTR(ret);
	}
	return range;
}
EXPORT_SYMBOL_MEMKIT(memkit_range_create_config_noprof);

/* memkit_range_create() without its allocation tag: see the header. */
struct memkit_range *memkit_range_create_noprof(const char *name, u64 size,
						enum memkit_range_kind kind,
						u32 max_allocs)
{
	struct memkit_range_config cfg = {
		.name = name,
		.size = size,
		.kind = kind,
		.initial_allocs = max_allocs,
		.max_allocs = max_allocs,
	};

	/* max_allocs 0 means "as many as can be" in a config: not here. */
	if (kind == MEMKIT_RANGE_OFFSET && !max_allocs)
		return ERR_PTR(-EINVAL);
	return memkit_range_create_config_noprof(&cfg);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_create_noprof);

struct range_leaks {
	u64 units;
	u32 count;
	u64 first[RANGE_LEAK_OFFSETS];
};

static void range_collect_leak(u64 offset, u64 size, bool used, u32 color, void *arg)
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
 * Context: process context; may sleep; not under the range's mutex.
 */
void memkit_range_destroy(struct memkit_range *range)
{
	struct range_leaks leaks = {};
	struct range_walk w = { .fn = range_collect_leak, .arg = &leaks };
	u32 i;

	if (IS_ERR_OR_NULL(range))
		return;
	memkit_debugfs_unregister(&range->debugfs);

	memkit_range_walk(range, &w);
	if (memkit_warn_once(leaks.count, "range destroyed with %u live allocations (%llu units)",
			     leaks.count, leaks.units)) {
		for (i = 0; i < min_t(u32, leaks.count, RANGE_LEAK_OFFSETS); i++)
			pr_err("memkit: leaked allocation at offset %llu\n", leaks.first[i]);
	}

	memkit_oa_exit(&range->oa);
	kfree(range);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_destroy);

/**
 * memkit_range_preload_locked() - add node storage, the range's lock held
 * @range: the range.
 * @nr: allocations on top of the live ones that must find nodes.
 * @gfp: for the node storage; it must suit the context and the lock held
 *	(GFP_KERNEL under a range's mutex, GFP_ATOMIC or GFP_NOWAIT under
 *	its spinlock, which seldom gets more than a small segment).
 *
 * Context: the range's lock held.  O(1) steps, each one allocation.
 * Return: 0, also when the range has every node its max_allocs needs;
 * -ENOMEM.
 */
int memkit_range_preload_locked(struct memkit_range *range, u32 nr, gfp_t gfp)
{
	size_t bytes;
	void *mem;

	range_assert_held(range);
	while ((bytes = memkit_oa_grow_size(&range->oa, nr))) {
		mem = kvmalloc_noprof(bytes, gfp | __GFP_NOWARN);
		if (!mem)
			return -ENOMEM;
		/* The lock is held: nobody grew it meanwhile. */
		if (WARN_ON_ONCE(memkit_oa_grow(&range->oa, mem, bytes))) {
			kvfree(mem);
			return -ENOMEM;
		}
	}
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_range_preload_locked);

/* memkit_range_preload() without its allocation tag: see the header. */
int memkit_range_preload_noprof(struct memkit_range *range, u32 nr, gfp_t gfp)
{
	unsigned long flags;
	size_t bytes;
	void *mem;
	int ret;

	if (range->mutex)
		return range_locked(range, memkit_range_preload_locked(range, nr, gfp));
	for (;;) {
		bytes = range_locked(range, memkit_oa_grow_size(&range->oa, nr));
		if (!bytes)
			return 0;
		mem = kvmalloc_noprof(bytes, gfp | __GFP_NOWARN);
		if (!mem)
			return -ENOMEM;
		flags = range_lock(range);
		ret = memkit_oa_grow(&range->oa, mem, bytes);
		range_unlock(range, flags);
		/* Another caller grew it first: look again. */
		if (ret)
			kvfree(mem);
	}
}
EXPORT_SYMBOL_MEMKIT(memkit_range_preload_noprof);

/* A dedicated range admits one allocation, of exactly its whole size. */
static bool range_admits(struct memkit_range *range, u64 offset, u64 size)
{
	return range->kind != MEMKIT_RANGE_DEDICATED ||
	       (!offset && size == range->oa.size);
}

/*
 * What an allocating call asks: @req for memkit_range_alloc_in(); else
 * @size, and @arg, the alignment for an allocation or the offset for a
 * reservation.
 */
struct range_ask {
	const struct memkit_oa_req *req;
	u64 size;
	u64 arg;
	bool reserve;
	unsigned long ip;	/* the caller, for events/memkit/ */
};

/*
 * range_try(), range_refuse(), range_claim() and range_claim_locked() are
 * inlined into each exported call, so that the request's kind folds away
 * and a plain allocation makes one call, into the allocator, between
 * taking the lock and dropping it.
 */
static __always_inline int range_try(struct memkit_oa *oa, const struct range_ask *a,
				     struct memkit_oa_handle *handle)
{
	if (a->req)
		return memkit_oa_alloc_in(oa, a->req, handle);
	return a->reserve ? memkit_oa_reserve(oa, a->arg, a->size, handle) :
			    memkit_oa_alloc(oa, a->size, a->arg, handle);
}

/*
 * A dedicated range admits only the whole range; at offset 0, which
 * satisfies any alignment.  The allocator judges the rest.
 */
static __always_inline int range_refuse(struct memkit_range *range, const struct range_ask *a)
{
	const struct memkit_oa_req *r = a->req;

	if (range->kind != MEMKIT_RANGE_DEDICATED)
		return 0;
	if (r) {
		if (!r->size || !r->align || (unsigned int)r->mode >= MEMKIT_OA_NR_MODES)
			return -EINVAL;
		return r->size == range->oa.size ? 0 : -ENOSPC;
	}
	if (a->size && !range_admits(range, a->reserve ? a->arg : 0, a->size))
		return a->reserve || memkit_oa_align_ok(a->arg) ? -ENOSPC : -EINVAL;
	return 0;
}

/* The counts debugfs shows for memkit_range_alloc_in(). */
static void range_count_place(struct memkit_range *range, const struct memkit_oa_req *req,
			      int ret)
{
	if ((unsigned int)req->mode >= MEMKIT_OA_NR_MODES)
		return;
	if (ret)
		range->place.failed[req->mode]++;
	else
		range->place.placed[req->mode]++;
	range->place.start = req->start;
	range->place.end = req->end ?: range->oa.size;
}

/*
 * Allocation and reservation.  An allocation short of nodes grows the node
 * storage itself if the range's config allows and the lock is a mutex.
 */
/* The outcome of a request, for events/memkit/. */
static void range_trace_claim(const struct memkit_range *range, const struct range_ask *a,
			      const struct memkit_oa_handle *handle, int ret)
{
	const struct memkit_oa_req *r = a->req;
	unsigned int how;
	u64 size, align;

	/* Off, the two events cost their static branches and nothing more. */
	if (!trace_memkit_range_alloc_enabled() && !trace_memkit_range_alloc_fail_enabled())
		return;
	how = r ? r->mode : a->reserve ? MEMKIT_TRACE_RESERVE : MEMKIT_TRACE_ALLOC;
	size = r ? r->size : a->size;
	align = r ? r->align : a->reserve ? 0 : a->arg;
	if (ret)
		trace_memkit_range_alloc_fail(range->name, size, align, how, ret, a->ip);
	else
		trace_memkit_range_alloc(range->name, handle->offset, size, align, how, a->ip);
}

/*
 * One attempt; @last says no retry follows, so its outcome is the
 * request's and goes to events/memkit/.
 */
static __always_inline int range_claim(struct memkit_range *range, const struct range_ask *a,
				       struct memkit_oa_handle *handle, bool last)
{
	int ret;

	range_assert_held(range);
	handle->node = MEMKIT_OA_NO_NODE;
	ret = range_refuse(range, a);
	if (!ret) {
		ret = range_try(&range->oa, a, handle);
		if (ret == -ENOMEM && range->mutex && range->gfp &&
		    !memkit_range_preload_locked(range, 1, range->gfp))
			ret = range_try(&range->oa, a, handle);
	}
	/* A search that ran: placed, or found no room. */
	if (a->req && (!ret || ret == -ENOSPC))
		range_count_place(range, a->req, ret);
	if (last || ret != -ENOMEM)
		range_trace_claim(range, a, handle, ret);
	return ret;
}

/*
 * The plain calls: one attempt under the lock; if that was short of nodes
 * and the config allows growth from here, preload outside the lock and
 * try once more.
 */
static __always_inline int range_claim_locked(struct memkit_range *range,
					      const struct range_ask *a,
					      struct memkit_oa_handle *handle)
{
	bool retry = !range->mutex && range->gfp;
	int ret = range_locked(range, range_claim(range, a, handle, !retry));

	if (ret == -ENOMEM && retry) {
		if (memkit_range_preload_noprof(range, 1, range->gfp))
			range_trace_claim(range, a, handle, ret);
		else
			ret = range_locked(range, range_claim(range, a, handle, true));
	}
	return ret;
}

/**
 * memkit_range_alloc_locked() - allocate units, the range's lock held
 * @range: the range.
 * @size: units wanted, at least 1.
 * @align: power-of-two alignment of the offset, up to 2^63; 0 or 1 for none.
 * @handle: receives the allocation; on failure its node is
 *          %MEMKIT_OA_NO_NODE.
 *
 * A dedicated range only satisfies a request for exactly its whole size.
 * A new allocation's private pointer is NULL.
 *
 * Context: the range's lock held.  O(1) on the fast path.
 * Return: 0; -EINVAL for a zero @size or a bad @align; -ENOSPC if no free
 * region can hold the request or the range has max_allocs allocations;
 * -ENOMEM if node storage is short (see memkit_range_preload()).
 */
int memkit_range_alloc_locked(struct memkit_range *range, u64 size, u64 align,
			      struct memkit_oa_handle *handle)
{
	struct range_ask a = { .size = size, .arg = align, .ip = _RET_IP_ };

	return range_claim(range, &a, handle, true);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_alloc_locked);

/**
 * memkit_range_alloc() - allocate units from a range
 * @range: the range.
 * @size: units wanted, at least 1.
 * @align: power-of-two alignment of the offset, up to 2^63; 0 or 1 for none.
 * @handle: receives the allocation; on failure its node is
 *          %MEMKIT_OA_NO_NODE.
 *
 * As memkit_range_alloc_locked(), taking the lock; short of nodes, it grows the
 * node storage with &memkit_range_config.gfp if that is set.
 *
 * Context: any context with the range's spinlock and no @gfp; else as
 * @gfp allows.
 * Return: as memkit_range_alloc_locked().
 */
int memkit_range_alloc(struct memkit_range *range, u64 size, u64 align,
		       struct memkit_oa_handle *handle)
{
	struct range_ask a = { .size = size, .arg = align, .ip = _RET_IP_ };

	return range_claim_locked(range, &a, handle);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_alloc);

/**
 * memkit_range_alloc_in_locked() - allocate in a window by a mode, lock held
 * @range: a range made with %MEMKIT_RANGE_PLACE.
 * @req: the size, alignment, window, mode and colour: see
 *	&struct memkit_oa_req and memkit_oa_alloc_in().
 * @handle: receives the allocation; on failure its node is
 *	%MEMKIT_OA_NO_NODE.
 *
 * A dedicated range only satisfies a request for exactly its whole size
 * in a window of the whole range.
 *
 * Context: the range's lock held.  See memkit_oa_alloc_in() for the cost.
 * Return: as memkit_oa_alloc_in(); -ENOMEM if node storage is short.
 */
int memkit_range_alloc_in_locked(struct memkit_range *range, const struct memkit_oa_req *req,
				 struct memkit_oa_handle *handle)
{
	struct range_ask a = { .req = req, .ip = _RET_IP_ };

	return range_claim(range, &a, handle, true);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_alloc_in_locked);

/**
 * memkit_range_alloc_in() - allocate in a window by a placement mode
 * @range: a range made with %MEMKIT_RANGE_PLACE.
 * @req: see &struct memkit_oa_req.
 * @handle: receives the allocation.
 *
 * As memkit_range_alloc_in_locked(), taking the lock, and growing node storage
 * as memkit_range_alloc() does.  When it fails with -ENOSPC, an eviction
 * scan (memkit_range_scan_init()) says what to free to make room.
 *
 * Context: as memkit_range_alloc().
 * Return: as memkit_range_alloc_in_locked().
 */
int memkit_range_alloc_in(struct memkit_range *range, const struct memkit_oa_req *req,
			  struct memkit_oa_handle *handle)
{
	struct range_ask a = { .req = req, .ip = _RET_IP_ };

	return range_claim_locked(range, &a, handle);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_alloc_in);

/**
 * memkit_range_scan_init_locked() - start an eviction scan, the lock held
 * @range: a range made with %MEMKIT_RANGE_PLACE.
 * @scan: the scan, on the caller's stack.
 * @req: the request that found no room.
 *
 * See memkit_oa_scan_init().  The scan may span several holds of the
 * lock: any change to the range in between ends it (-ESTALE).
 *
 * Context: the range's lock held.  O(1).
 * Return: 0, or as memkit_oa_scan_init().
 */
int memkit_range_scan_init_locked(struct memkit_range *range, struct memkit_oa_scan *scan,
				  const struct memkit_oa_req *req)
{
	int ret;

	range_assert_held(range);
	ret = memkit_oa_scan_init(scan, &range->oa, req);
	if (!ret)
		range->place.scans++;
	return ret;
}
EXPORT_SYMBOL_MEMKIT(memkit_range_scan_init_locked);

/**
 * memkit_range_scan_init() - start an eviction scan
 * @range: a range made with %MEMKIT_RANGE_PLACE.
 * @scan: the scan.
 * @req: the request that found no room.
 *
 * Context: as memkit_range_free().
 * Return: as memkit_range_scan_init_locked().
 */
int memkit_range_scan_init(struct memkit_range *range, struct memkit_oa_scan *scan,
			   const struct memkit_oa_req *req)
{
	return range_locked(range, memkit_range_scan_init_locked(range, scan, req));
}
EXPORT_SYMBOL_MEMKIT(memkit_range_scan_init);

/**
 * memkit_range_scan_add_locked() - feed an eviction candidate, the lock held
 * @range: the range the scan was started on.
 * @scan: the scan.
 * @handle: a live allocation of @range.
 *
 * Context: the range's lock held.  O(1).
 * Return: as memkit_oa_scan_add(): 1 once a hole would open; -EINVAL for
 * a scan of another range.
 */
int memkit_range_scan_add_locked(struct memkit_range *range, struct memkit_oa_scan *scan,
				 const struct memkit_oa_handle *handle)
{
	int ret;

	range_assert_held(range);
	if (scan->oa != &range->oa)
		return -EINVAL;
	ret = memkit_oa_scan_add(scan, handle);
	if (ret == 1)
		range->place.scans_hit++;
	return ret;
}
EXPORT_SYMBOL_MEMKIT(memkit_range_scan_add_locked);

/**
 * memkit_range_scan_add() - feed an eviction candidate
 * @range: the range the scan was started on.
 * @scan: the scan.
 * @handle: a live allocation of @range.
 *
 * Context: as memkit_range_free().
 * Return: as memkit_range_scan_add_locked().
 */
int memkit_range_scan_add(struct memkit_range *range, struct memkit_oa_scan *scan,
			  const struct memkit_oa_handle *handle)
{
	return range_locked(range, memkit_range_scan_add_locked(range, scan, handle));
}
EXPORT_SYMBOL_MEMKIT(memkit_range_scan_add);

/**
 * memkit_range_scan_evict_locked() - must this candidate go?  The lock held
 * @range: the range the scan was started on.
 * @scan: a scan that found a hole.
 * @handle: a candidate fed to it.
 *
 * Context: the range's lock held.  O(1).
 * Return: as memkit_oa_scan_evict(); -EINVAL for a scan of another range.
 */
int memkit_range_scan_evict_locked(struct memkit_range *range, const struct memkit_oa_scan *scan,
				   const struct memkit_oa_handle *handle)
{
	range_assert_held(range);
	if (scan->oa != &range->oa)
		return -EINVAL;
	return memkit_oa_scan_evict(scan, handle);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_scan_evict_locked);

/**
 * memkit_range_scan_evict() - must this candidate go?
 * @range: the range the scan was started on.
 * @scan: a scan that found a hole.
 * @handle: a candidate fed to it.
 *
 * Ask of every candidate before freeing any.
 *
 * Context: as memkit_range_free().
 * Return: as memkit_range_scan_evict_locked().
 */
int memkit_range_scan_evict(struct memkit_range *range, const struct memkit_oa_scan *scan,
			    const struct memkit_oa_handle *handle)
{
	return range_locked(range, memkit_range_scan_evict_locked(range, scan, handle));
}
EXPORT_SYMBOL_MEMKIT(memkit_range_scan_evict);

/**
 * memkit_range_reserve_locked() - claim a given part of a range, lock held
 * @range: the range.
 * @offset: first unit to claim.
 * @size: units to claim, at least 1.
 * @handle: receives the allocation, freed with memkit_range_free().
 *
 * Context: the range's lock held.  O(free regions).
 * Return: 0; -EINVAL for a zero @size; -ENOSPC if any unit is in use or
 * outside the range; -ENOMEM if node storage is short.
 */
int memkit_range_reserve_locked(struct memkit_range *range, u64 offset, u64 size,
				struct memkit_oa_handle *handle)
{
	struct range_ask a = { .size = size, .arg = offset, .reserve = true, .ip = _RET_IP_ };

	return range_claim(range, &a, handle, true);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_reserve_locked);

/**
 * memkit_range_reserve() - claim a given part of a range
 * @range: the range.
 * @offset: first unit to claim.
 * @size: units to claim, at least 1.
 * @handle: receives the allocation, freed with memkit_range_free().
 *
 * Context: as memkit_range_alloc().  O(free regions).
 * Return: as memkit_range_reserve_locked().
 */
int memkit_range_reserve(struct memkit_range *range, u64 offset, u64 size,
			 struct memkit_oa_handle *handle)
{
	struct range_ask a = { .size = size, .arg = offset, .reserve = true, .ip = _RET_IP_ };

	return range_claim_locked(range, &a, handle);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_reserve);

/* Free, lock held, and report @ip as the caller to events/memkit/. */
static int range_free(struct memkit_range *range, const struct memkit_oa_handle *handle,
		      unsigned long ip)
{
	u64 size = 0;
	int ret;

	range_assert_held(range);
	if (trace_memkit_range_free_enabled())
		memkit_oa_alloc_size(&range->oa, handle, &size);
	ret = memkit_oa_free(&range->oa, handle);
	if (!ret)
		trace_memkit_range_free(range->name, handle->offset, size, ip);
	return ret;
}

/**
 * memkit_range_free_locked() - give an allocation back, the range's lock held
 * @range: the range.
 * @handle: what an allocation or reservation returned.
 *
 * A handle that is not a live allocation of @range (freed already, stale
 * after its node was reused, from another range) is a caller bug: it is
 * reported once and refused, and the range is left as it was.
 *
 * Context: the range's lock held.  O(1); O(log n) with the lookup index.
 * Return: 0, or -EINVAL for a handle that is not a live allocation.
 */
int memkit_range_free_locked(struct memkit_range *range,
			     const struct memkit_oa_handle *handle)
{
	return range_free(range, handle, _RET_IP_);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_free_locked);

/**
 * memkit_range_free() - give an allocation back
 * @range: the range.
 * @handle: what memkit_range_alloc() or memkit_range_reserve() returned.
 *
 * Context: any context (process context for a range with a mutex).
 * Return: as memkit_range_free_locked().
 */
int memkit_range_free(struct memkit_range *range,
		      const struct memkit_oa_handle *handle)
{
	return range_locked(range, range_free(range, handle, _RET_IP_));
}
EXPORT_SYMBOL_MEMKIT(memkit_range_free);

/**
 * memkit_range_lookup_locked() - the allocation covering an offset, lock held
 * @range: a range made with %MEMKIT_RANGE_LOOKUP.
 * @offset: a unit of the range.
 * @handle: receives the allocation; on failure its node is
 *	%MEMKIT_OA_NO_NODE.
 *
 * Context: the range's lock held.  O(log n).
 * Return: 0; -ENOENT if @offset is free; -EINVAL if it is outside the
 * range; -EOPNOTSUPP for a range without the lookup index.
 */
int memkit_range_lookup_locked(struct memkit_range *range, u64 offset,
			       struct memkit_oa_handle *handle)
{
	range_assert_held(range);
	return memkit_oa_lookup(&range->oa, offset, handle);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_lookup_locked);

/**
 * memkit_range_lookup() - the allocation covering an offset
 * @range: a range made with %MEMKIT_RANGE_LOOKUP.
 * @offset: a unit of the range.
 * @handle: receives the allocation.
 *
 * The handle may be stale by the time the lock is dropped; a driver that
 * acts on it (frees it, reads its private pointer) either holds the lock
 * across (memkit_range_lock() and the _locked calls) or has its own reason to
 * know the allocation lives on.
 *
 * Context: any context (process context for a range with a mutex).
 * Return: as memkit_range_lookup_locked().
 */
int memkit_range_lookup(struct memkit_range *range, u64 offset,
			struct memkit_oa_handle *handle)
{
	return range_locked(range, memkit_range_lookup_locked(range, offset, handle));
}
EXPORT_SYMBOL_MEMKIT(memkit_range_lookup);

/* memkit_range_free_at(), lock held, reporting @ip as the caller. */
static int range_free_at(struct memkit_range *range, u64 offset, unsigned long ip)
{
	struct memkit_oa_handle h;
	int ret = memkit_range_lookup_locked(range, offset, &h);

	if (ret == -EOPNOTSUPP || ret == -EINVAL)
		return ret;
	if (memkit_warn_once(ret || h.offset != offset,
			     "free at offset %llu, which starts no allocation", offset))
		return -EINVAL;
	return range_free(range, &h, ip);
}

/**
 * memkit_range_free_at_locked() - free the allocation that starts at an offset
 * @range: a range made with %MEMKIT_RANGE_LOOKUP.
 * @offset: the first unit of a live allocation.
 *
 * For drivers that keep offsets rather than handles, as gen_pool users
 * keep addresses.  An offset that starts no allocation is a caller bug
 * (a double free, most likely): reported once and refused.
 *
 * Context: the range's lock held.  O(log n).
 * Return: 0; -EINVAL for an offset outside the range or that starts no
 * allocation; -EOPNOTSUPP without the lookup index.
 */
int memkit_range_free_at_locked(struct memkit_range *range, u64 offset)
{
	return range_free_at(range, offset, _RET_IP_);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_free_at_locked);

/**
 * memkit_range_free_at() - free the allocation that starts at an offset
 * @range: a range made with %MEMKIT_RANGE_LOOKUP.
 * @offset: the first unit of a live allocation.
 *
 * Context: any context (process context for a range with a mutex).
 * Return: as memkit_range_free_at_locked().
 */
int memkit_range_free_at(struct memkit_range *range, u64 offset)
{
	return range_locked(range, range_free_at(range, offset, _RET_IP_));
}
EXPORT_SYMBOL_MEMKIT(memkit_range_free_at);

/**
 * memkit_range_resize_locked() - grow or shrink an allocation in place, lock held
 * @range: the range.
 * @handle: a live allocation; it stays valid.
 * @new_size: units, at least 1.
 *
 * Growing takes units from a free region right after the allocation.  A
 * dedicated block keeps its size: anything else is -ENOSPC.
 *
 * Context: the range's lock held.  O(1).
 * Return: 0; -EINVAL for a handle that is not live or a zero @new_size;
 * -ENOSPC if there is no room after it; -ENOMEM if a shrink needs a node
 * that a growable range does not have yet (memkit_range_preload()); the
 * allocation is then unchanged.
 */
int memkit_range_resize_locked(struct memkit_range *range,
			       const struct memkit_oa_handle *handle, u64 new_size)
{
	range_assert_held(range);
	if (new_size && !range_admits(range, 0, new_size))
		return memkit_oa_alloc_size(&range->oa, handle, &new_size) ? -EINVAL : -ENOSPC;
	return memkit_oa_resize(&range->oa, handle, new_size);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_resize_locked);

/**
 * memkit_range_resize() - grow or shrink an allocation in place
 * @range: the range.
 * @handle: a live allocation; it stays valid.
 * @new_size: units, at least 1.
 *
 * Context: any context (process context for a range with a mutex).
 * Return: as memkit_range_resize_locked().
 */
int memkit_range_resize(struct memkit_range *range,
			const struct memkit_oa_handle *handle, u64 new_size)
{
	return range_locked(range, memkit_range_resize_locked(range, handle, new_size));
}
EXPORT_SYMBOL_MEMKIT(memkit_range_resize);

/**
 * memkit_range_extend_locked() - grow the range at its end, the lock held
 * @range: the range.
 * @new_size: units, at least the current size.
 *
 * The new units are free.  A dedicated block can grow only while free.
 *
 * Context: the range's lock held.  O(1).
 * Return: 0; -EINVAL if @new_size is below the current size; -EBUSY for a
 * dedicated block that is taken; -ENOMEM if a growable range needs a node
 * first (memkit_range_preload()).
 */
int memkit_range_extend_locked(struct memkit_range *range, u64 new_size)
{
	range_assert_held(range);
	if (range->kind == MEMKIT_RANGE_DEDICATED && range->oa.allocs)
		return new_size < range->oa.size ? -EINVAL : -EBUSY;
	return memkit_oa_extend(&range->oa, new_size);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_extend_locked);

/**
 * memkit_range_extend() - grow the range at its end
 * @range: the range.
 * @new_size: units, at least the current size.
 *
 * For memory added behind the range: a resized BAR, a hot-added bank.
 *
 * Context: any context (process context for a range with a mutex).
 * Return: as memkit_range_extend_locked().
 */
int memkit_range_extend(struct memkit_range *range, u64 new_size)
{
	return range_locked(range, memkit_range_extend_locked(range, new_size));
}
EXPORT_SYMBOL_MEMKIT(memkit_range_extend);

/**
 * memkit_range_set_priv_locked() - attach a pointer to an allocation, lock held
 * @range: a range made with %MEMKIT_RANGE_PRIV.
 * @handle: a live allocation.
 * @priv: the driver's pointer (its buffer object, say).
 *
 * Context: the range's lock held.  O(1).
 * Return: 0; -EINVAL for a handle that is not live (reported once);
 * -EOPNOTSUPP for a range without private data.
 */
int memkit_range_set_priv_locked(struct memkit_range *range,
				 const struct memkit_oa_handle *handle, void *priv)
{
	range_assert_held(range);
	return memkit_oa_set_priv(&range->oa, handle, priv);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_set_priv_locked);

/**
 * memkit_range_set_priv() - attach a pointer to an allocation
 * @range: a range made with %MEMKIT_RANGE_PRIV.
 * @handle: a live allocation.
 * @priv: the driver's pointer.
 *
 * Context: any context (process context for a range with a mutex).
 * Return: as memkit_range_set_priv_locked().
 */
int memkit_range_set_priv(struct memkit_range *range,
			  const struct memkit_oa_handle *handle, void *priv)
{
	return range_locked(range, memkit_range_set_priv_locked(range, handle, priv));
}
EXPORT_SYMBOL_MEMKIT(memkit_range_set_priv);

/**
 * memkit_range_priv_locked() - an allocation's pointer, the range's lock held
 * @range: a range made with %MEMKIT_RANGE_PRIV.
 * @handle: a live allocation.
 *
 * Context: the range's lock held.  O(1).
 * Return: the pointer set last; NULL if none was, for a handle that is
 * not live (reported once), or for a range without private data.
 */
void *memkit_range_priv_locked(struct memkit_range *range,
			       const struct memkit_oa_handle *handle)
{
	range_assert_held(range);
	return memkit_oa_priv(&range->oa, handle);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_priv_locked);

/**
 * memkit_range_priv() - an allocation's pointer
 * @range: a range made with %MEMKIT_RANGE_PRIV.
 * @handle: a live allocation.
 *
 * Context: any context (process context for a range with a mutex).
 * Return: as memkit_range_priv_locked().
 */
void *memkit_range_priv(struct memkit_range *range,
			const struct memkit_oa_handle *handle)
{
	return range_locked(range, memkit_range_priv_locked(range, handle));
}
EXPORT_SYMBOL_MEMKIT(memkit_range_priv);

/**
 * memkit_range_oa_locked() - the allocator behind a range, for the iterators
 * @range: the range, its lock held.
 *
 * Context: the range's lock held, for as long as the pointer is used.
 * Return: the range's &struct memkit_oa, to read only.
 */
const struct memkit_oa *memkit_range_oa_locked(struct memkit_range *range)
{
	range_assert_held(range);
	return &range->oa;
}
EXPORT_SYMBOL_MEMKIT(memkit_range_oa_locked);

/**
 * memkit_range_reset() - free every allocation of a range at once
 * @range: the range.
 *
 * Handles from before become stale and are refused.
 *
 * Context: any context (process context for a range with a mutex).
 * O(bins).
 */
void memkit_range_reset(struct memkit_range *range)
{
	unsigned long flags = range_lock(range);

	memkit_oa_reset(&range->oa);
	range_unlock(range, flags);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_reset);

/**
 * memkit_range_report_locked() - occupancy totals, the range's lock held
 * @range: the range.
 * @r: receives the totals.
 *
 * Context: the range's lock held.  O(free regions in the top bin).
 */
void memkit_range_report_locked(struct memkit_range *range, struct memkit_oa_usage *r)
{
	range_assert_held(range);
	memkit_oa_report(&range->oa, r);
	r->metadata_bytes += sizeof(*range) - sizeof(range->oa);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_report_locked);

/**
 * memkit_range_report() - occupancy totals of a range
 * @range: the range.
 * @r: receives the totals.
 *
 * Context: any context (process context for a range with a mutex).
 */
void memkit_range_report(struct memkit_range *range, struct memkit_oa_usage *r)
{
	unsigned long flags = range_lock(range);

	memkit_range_report_locked(range, r);
	range_unlock(range, flags);
}
EXPORT_SYMBOL_MEMKIT(memkit_range_report);

/**
 * memkit_range_check() - verify a range's invariants
 * @range: the range.
 *
 * See memkit_oa_check().  For tests and debugging.
 *
 * Context: any context (process context for a range with a mutex).
 * O(nodes).
 * Return: 0, or -EUCLEAN if an invariant is broken.
 */
int memkit_range_check(struct memkit_range *range)
{
	return range_locked(range, memkit_oa_check(&range->oa));
}
EXPORT_SYMBOL_MEMKIT(memkit_range_check);
