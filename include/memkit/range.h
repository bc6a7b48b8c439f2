/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memkit_range: a locked, named range manager over the offset allocator or
 * a dedicated block.
 *
 * Limitations:
 * - It hands out offsets only; it never touches the memory behind them.
 * - Placement by window, mode and colour, and the eviction scan, need
 *   %MEMKIT_RANGE_PLACE (64 bytes per node, O(log n) per change of a
 *   free region), and best fit %MEMKIT_RANGE_BEST_FIT as well (24 bytes
 *   more, and a second index to keep); without them, placement is first
 *   fit by size class.
 * - Iterating over holes costs O(1 + allocations skipped) per step.
 * - A handle stays valid only as long as its allocation; node storage
 *   grows but never shrinks, except by destroying the range.
 */
#ifndef _MEMKIT_RANGE_H
#define _MEMKIT_RANGE_H

#include <linux/gfp.h>
#include <linux/spinlock_types.h>
#include <linux/types.h>

#include <memkit/compat.h>
#include <memkit/offset_alloc.h>

struct dentry;
struct mutex;

/**
 * enum memkit_range_kind - the allocator behind a range
 * @MEMKIT_RANGE_OFFSET: the O(1) offset allocator (&struct memkit_oa).
 * @MEMKIT_RANGE_DEDICATED: one allocation of exactly the whole range, at
 *	offset 0; for a resource that is either wholly taken or free.
 */
enum memkit_range_kind {
	MEMKIT_RANGE_OFFSET,
	MEMKIT_RANGE_DEDICATED,
};

/* What a range keeps per allocation: see &enum memkit_oa_flags. */
#define MEMKIT_RANGE_PRIV	MEMKIT_OA_PRIV
#define MEMKIT_RANGE_LOOKUP	MEMKIT_OA_LOOKUP
#define MEMKIT_RANGE_PLACE	MEMKIT_OA_PLACE
#define MEMKIT_RANGE_BEST_FIT	MEMKIT_OA_BEST_FIT

/**
 * struct memkit_range_config - how to make a range
 * @name: debugfs name (see memkit_debugfs_register(); a PCI device's
 *	dev_name() such as ``0000:03:00.0`` is fine), or NULL for none.
 * @debugfs_parent: the directory to put it in, such as the driver's own;
 *	NULL for memkit's.  The range must be destroyed before the parent
 *	is removed.
 * @size: units in the range, offsets 0 to @size - 1; at least 1.
 * @kind: the allocator behind it.
 * @initial_allocs: allocations to set node storage up for now; at most
 *	@max_allocs.  Equal to it, the range never needs to grow.
 * @max_allocs: most live allocations; 0 for as many as the node storage
 *	can address (memkit_oa_max_allocs()).  A dedicated range has one.
 * @flags: %MEMKIT_RANGE_PRIV for a pointer per allocation,
 *	%MEMKIT_RANGE_LOOKUP for lookup and free by offset,
 *	%MEMKIT_RANGE_PLACE for memkit_range_alloc_in(), colours and the
 *	eviction scan, and with it %MEMKIT_RANGE_BEST_FIT for its
 *	%MEMKIT_OA_BEST mode.
 * @color_guard: with %MEMKIT_RANGE_PLACE, the units kept free between
 *	neighbours of different colours (memkit_oa_set_guard()); 0 for none.
 * @gfp: how an allocation that finds no node may get more node storage
 *	itself: 0 for never (the caller uses memkit_range_preload() and
 *	gets -ENOMEM otherwise); GFP_KERNEL if every allocation is made
 *	from process context (and, with @lock, under that mutex).
 * @lock: the driver's mutex that serialises every call on the range,
 *	instead of the range's own irq-safe spinlock; see the overview.
 * @spinlock: or the driver's own spinlock, taken with interrupts saved;
 *	at most one of @lock and @spinlock.
 */
struct memkit_range_config {
	const char *name;
	struct dentry *debugfs_parent;
	u64 size;
	enum memkit_range_kind kind;
	u32 initial_allocs;
	u32 max_allocs;
	unsigned int flags;
	u64 color_guard;
	gfp_t gfp;
	struct mutex *lock;	/* the driver's, or NULL */
	spinlock_t *spinlock;	/* the driver's, or NULL */
};

struct memkit_range;

struct memkit_range *memkit_range_create_config_noprof(const struct memkit_range_config *cfg);

/**
 * memkit_range_create_config() - create a range manager
 * @cfg: what to make; see &struct memkit_range_config.  Not kept.
 *
 * Context: process context; may sleep.
 * Return: the range, or an ERR_PTR(): -EINVAL for a bad argument or name
 * (both a mutex and a spinlock given, among others), -EEXIST if the name is
 * taken (in that directory), -ENOMEM.
 */
#define memkit_range_create_config(cfg) \
	alloc_hooks(memkit_range_create_config_noprof(cfg))

struct memkit_range *memkit_range_create_noprof(const char *name, u64 size,
						enum memkit_range_kind kind,
						u32 max_allocs);

/**
 * memkit_range_create() - create a range manager of fixed capacity
 * @name: debugfs name (see memkit_debugfs_register()), or NULL for none.
 * @size: units in the range, offsets 0 to @size - 1; at least 1.
 * @kind: the allocator behind it.
 * @max_allocs: most live allocations, for %MEMKIT_RANGE_OFFSET, all of
 *              whose node storage is allocated now (see memkit_oa_init());
 *              ignored for %MEMKIT_RANGE_DEDICATED.
 *
 * memkit_range_create_config() with the range's own spinlock, no extras
 * and no growth of node storage.
 *
 * Context: process context; may sleep.
 * Return: the range, or an ERR_PTR(): -EINVAL for a bad argument or name,
 * -EEXIST if @name is taken, -ENOMEM.
 */
#define memkit_range_create(name, size, kind, max_allocs) \
	alloc_hooks(memkit_range_create_noprof(name, size, kind, max_allocs))

void memkit_range_destroy(struct memkit_range *range);

unsigned long memkit_range_lock(struct memkit_range *range);
void memkit_range_unlock(struct memkit_range *range, unsigned long flags);
int memkit_range_preload_noprof(struct memkit_range *range, u32 nr, gfp_t gfp);

/**
 * memkit_range_preload() - make room for allocations ahead of time
 * @range: the range.
 * @nr: allocations on top of the live ones that must find nodes.
 * @gfp: for the node storage, allocated with the range's spinlock dropped.
 *
 * After it returns 0, the next @nr allocations cannot fail for want of a
 * node (they still can for want of space), unless other callers allocate
 * meanwhile.  Call it before taking the driver's own spinlock, in the
 * manner of radix_tree_preload(), so that allocations made in atomic
 * context never allocate memory.  Node storage grows by segments that
 * double it, so a preload of 1 is O(1) amortised.
 *
 * Context: process context if @gfp may sleep; not under the range's lock.
 * Return: 0; -ENOMEM.
 */
#define memkit_range_preload(range, nr, gfp) \
	alloc_hooks(memkit_range_preload_noprof(range, nr, gfp))

int memkit_range_preload_locked(struct memkit_range *range, u32 nr, gfp_t gfp);

int memkit_range_alloc(struct memkit_range *range, u64 size, u64 align,
		       struct memkit_oa_handle *handle);
int memkit_range_alloc_in(struct memkit_range *range, const struct memkit_oa_req *req,
			  struct memkit_oa_handle *handle);
int memkit_range_scan_init(struct memkit_range *range, struct memkit_oa_scan *scan,
			   const struct memkit_oa_req *req);
int memkit_range_scan_add(struct memkit_range *range, struct memkit_oa_scan *scan,
			  const struct memkit_oa_handle *handle);
int memkit_range_scan_evict(struct memkit_range *range, const struct memkit_oa_scan *scan,
			    const struct memkit_oa_handle *handle);
int memkit_range_reserve(struct memkit_range *range, u64 offset, u64 size,
			 struct memkit_oa_handle *handle);
int memkit_range_free(struct memkit_range *range,
		      const struct memkit_oa_handle *handle);
int memkit_range_free_at(struct memkit_range *range, u64 offset);
int memkit_range_resize(struct memkit_range *range,
			const struct memkit_oa_handle *handle, u64 new_size);
int memkit_range_extend(struct memkit_range *range, u64 new_size);
int memkit_range_lookup(struct memkit_range *range, u64 offset,
			struct memkit_oa_handle *handle);
int memkit_range_set_priv(struct memkit_range *range,
			  const struct memkit_oa_handle *handle, void *priv);
void *memkit_range_priv(struct memkit_range *range,
			const struct memkit_oa_handle *handle);
void memkit_range_reset(struct memkit_range *range);
void memkit_range_report(struct memkit_range *range, struct memkit_oa_usage *r);
int memkit_range_check(struct memkit_range *range);

/* The same with the range's lock held (memkit_range_lock() or the mutex). */
int memkit_range_alloc_locked(struct memkit_range *range, u64 size, u64 align,
			      struct memkit_oa_handle *handle);
int memkit_range_alloc_in_locked(struct memkit_range *range, const struct memkit_oa_req *req,
				 struct memkit_oa_handle *handle);
int memkit_range_scan_init_locked(struct memkit_range *range, struct memkit_oa_scan *scan,
				  const struct memkit_oa_req *req);
int memkit_range_scan_add_locked(struct memkit_range *range, struct memkit_oa_scan *scan,
				 const struct memkit_oa_handle *handle);
int memkit_range_scan_evict_locked(struct memkit_range *range, const struct memkit_oa_scan *scan,
				   const struct memkit_oa_handle *handle);
int memkit_range_reserve_locked(struct memkit_range *range, u64 offset, u64 size,
				struct memkit_oa_handle *handle);
int memkit_range_free_locked(struct memkit_range *range,
			     const struct memkit_oa_handle *handle);
int memkit_range_free_at_locked(struct memkit_range *range, u64 offset);
int memkit_range_resize_locked(struct memkit_range *range,
			       const struct memkit_oa_handle *handle, u64 new_size);
int memkit_range_extend_locked(struct memkit_range *range, u64 new_size);
int memkit_range_lookup_locked(struct memkit_range *range, u64 offset,
			       struct memkit_oa_handle *handle);
int memkit_range_set_priv_locked(struct memkit_range *range,
				 const struct memkit_oa_handle *handle, void *priv);
void *memkit_range_priv_locked(struct memkit_range *range,
			       const struct memkit_oa_handle *handle);
void memkit_range_report_locked(struct memkit_range *range, struct memkit_oa_usage *r);
const struct memkit_oa *memkit_range_oa_locked(struct memkit_range *range);

/**
 * memkit_range_for_each_alloc() - iterate over a range's allocations
 * @range: the range, its lock held throughout.
 * @h: a &struct memkit_oa_handle, set to each allocation in address order.
 *
 * O(1) per step.  The body must not change the range; see
 * memkit_range_for_each_alloc_safe().
 */
#define memkit_range_for_each_alloc(range, h)				\
	memkit_oa_for_each_alloc(memkit_range_oa_locked(range), h)

/**
 * memkit_range_for_each_alloc_safe() - iterate, allowing frees of @h
 * @range: the range, its lock held throughout.
 * @h: a &struct memkit_oa_handle, set to each allocation in address order.
 *
 * The body may free or resize @h with the _locked calls (the lock is held).
 */
#define memkit_range_for_each_alloc_safe(range, h)				\
	memkit_oa_for_each_alloc_safe(memkit_range_oa_locked(range), h)

/**
 * memkit_range_for_each_hole() - iterate over a range's free regions
 * @range: the range, its lock held throughout.
 * @hole: a &struct memkit_oa_hole, set to each free region in address order.
 *
 * O(1 + allocations skipped) per step.  The body must not change the range.
 */
#define memkit_range_for_each_hole(range, hole)				\
	memkit_oa_for_each_hole(memkit_range_oa_locked(range), hole)

#endif /* _MEMKIT_RANGE_H */
