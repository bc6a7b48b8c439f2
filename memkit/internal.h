/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memkit: declarations shared between memkit.ko's own files only.
 */
#ifndef _MEMKIT_INTERNAL_H
#define _MEMKIT_INTERNAL_H

#include <linux/compiler.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <memkit/arena.h>
#include <memkit/bug.h>
#include <memkit/debugfs.h>
#include <memkit/range.h>

/*
 * The one way memkit takes an object's lock, whichever its creator chose:
 * a mutex (process context only), else a spinlock taken with interrupts
 * saved, else none (the owner serialises every call).  lockdep sees the
 * real lock; sparse sees one context acquired either way.
 */
static __always_inline unsigned long memkit_lock(spinlock_t *spin, struct mutex *mutex)
	__acquires(memkit_lock)
{
	unsigned long flags = 0;

	if (mutex) {
		mutex_lock(mutex);
		__acquire(memkit_lock);
	} else if (spin) {
		spin_lock_irqsave(spin, flags);
	} else {
		__acquire(memkit_lock);
	}
	return flags;
}

static __always_inline void memkit_unlock(spinlock_t *spin, struct mutex *mutex,
					  unsigned long flags)
	__releases(memkit_lock)
{
	if (mutex) {
		mutex_unlock(mutex);
		__release(memkit_lock);
	} else if (spin) {
		spin_unlock_irqrestore(spin, flags);
	} else {
		__release(memkit_lock);
	}
}

void memkit_debugfs_init(void);
void memkit_debugfs_exit(void);

/* Fill new and freed allocator buffers with 0xaa (module parameter). */
extern bool memkit_poison;

#define MEMKIT_POISON_BYTE	0xaa

/* A power-of-two alignment, 0 read as 1; anything else is a caller bug. */
static inline bool memkit_align_ok(size_t *align)
{
	if (!*align)
		*align = 1;
	return !memkit_warn_once(!is_power_of_2(*align),
				 "alignment %zu is not a power of two", *align);
}

static inline void memkit_poison_fill(void *buf, size_t len)
{
	if (READ_ONCE(memkit_poison))
		memset(buf, MEMKIT_POISON_BYTE, len);
}

/*
 * An allocation through backend @ops, with the rules every allocation
 * keeps (see allocator.c): alignment and length checked, a zero length
 * answered without the backend, new memory poisoned.  Inline, so that a
 * caller that names a backend's const ops table calls its alloc directly.
 */
static __always_inline void *memkit_alloc_call(const struct memkit_allocator_ops *ops,
					       void *ctx, size_t len, size_t align, gfp_t gfp,
					       unsigned long ip)
{
	void *buf;

	if (!memkit_align_ok(&align) || len > MEMKIT_ALLOC_MAX)
		return NULL;
	if (!len)
		return MEMKIT_ZERO_PTR;
	buf = ops->alloc(ctx, len, align, gfp, ip);
	if (buf)
		memkit_poison_fill(buf, len);
	return buf;
}

/*
 * What an arena gives back while its owner holds a spinlock (a locked
 * pool): buffers and passthrough objects, freed to the child by
 * memkit_arena_garbage_free() once the lock is dropped, so a child that
 * may sleep (vfree() of a kvmalloc buffer) never runs with interrupts off.
 */
struct memkit_arena_garbage {
	struct memkit_allocator child;
	struct memkit_arena_buf *bufs;
	struct list_head objects;
};

void memkit_arena_garbage_init(struct memkit_arena_garbage *g, struct memkit_arena *arena);
void memkit_arena_garbage_free(struct memkit_arena_garbage *g);
bool __memkit_arena_reset(struct memkit_arena *arena, enum memkit_arena_reset_mode mode,
			  size_t limit, gfp_t gfp, struct memkit_arena_garbage *g);
bool __memkit_arena_free(struct memkit_arena *arena, void *buf, size_t len,
			 struct memkit_arena_garbage *g);

/* The range manager's state, shared by range.c and range_debugfs.c. */

struct memkit_range {
	spinlock_t lock;	/* irq-safe; protects @oa unless the driver gave a lock */
	spinlock_t *spinlock;	/* @lock, or the driver's own irq-safe spinlock */
	struct mutex *mutex;	/* the driver's mutex, if it gave one */
	enum memkit_range_kind kind;
	gfp_t gfp;		/* for node storage from within an allocation */
	char name[MEMKIT_NAME_MAX];	/* for events/memkit/; "" without a name */
	struct memkit_oa oa;
	struct memkit_debugfs_entry debugfs;
	/* Placement (MEMKIT_RANGE_PLACE), for debugfs; under the lock. */
	struct {
		u64 placed[MEMKIT_OA_NR_MODES];
		u64 failed[MEMKIT_OA_NR_MODES];
		u64 start, end;		/* the window asked for last */
		u64 scans, scans_hit;
	} place;
};

#define RANGE_MAP_CELLS		64
#define RANGE_LEAK_OFFSETS	4
#define RANGE_WALK_CHUNK	1024	/* regions per hold of the lock */
#define RANGE_WALK_RESTARTS	4

/* The bodies of memkit_range_lock() and _unlock(), inline for memkit's files. */
static __always_inline unsigned long range_lock(struct memkit_range *range)
	__acquires(&range->lock)
{
	return memkit_lock(range->spinlock, range->mutex);
}

static __always_inline void range_unlock(struct memkit_range *range, unsigned long flags)
	__releases(&range->lock)
{
	memkit_unlock(range->spinlock, range->mutex, flags);
}

/* Evaluate @expr (a _locked call) with the range's lock held. */
#define range_locked(range, expr) ({					\
	struct memkit_range *__range = (range);				\
	unsigned long __flags = range_lock(__range);			\
	typeof(expr) __ret = (expr);					\
									\
	range_unlock(__range, __flags);					\
	__ret;								\
})

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

void memkit_range_walk(struct memkit_range *range, struct range_walk *w);

static inline const char *range_kind_name(const struct memkit_range *range)
{
	return range->kind == MEMKIT_RANGE_OFFSET ? "offset" : "dedicated";
}

extern const struct memkit_debugfs_ops memkit_range_debugfs_ops;

#endif /* _MEMKIT_INTERNAL_H */
