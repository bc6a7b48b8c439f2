// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_pool: a pool of fixed-size objects.
 */

#include <linux/align.h>
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/string.h>

#include <memkit/bug.h>
#include <memkit/compat.h>
#include <memkit/pool.h>

#include "internal.h"
#include "memkit_trace.h"

/**
 * DOC: Overview
 *
 * A &struct memkit_pool hands out objects of one size and alignment.  It
 * carves them from a &struct memkit_arena over a child allocator and keeps
 * freed objects on an intrusive free list (the first word of a free
 * object points to the next), so the steady state never calls the child.
 * Objects are at least two pointers in size and a pointer in alignment;
 * larger alignments are honoured.
 *
 * Caller bugs, at the cost of SLUB's freelist hardening: the second word
 * of a free object is a check word (a per-pool random secret XOR the
 * object's address), and free checks that the pointer lies inside the
 * span of the pool's buffers, on an object boundary's alignment, and is
 * not already free.  A double free, a pointer from elsewhere, or a free
 * list that a use after free overwrote is reported once and refused
 * (the free list is then dropped, its objects left to the next reset).
 * Missed: a live object whose second word happens to equal its check word
 * (probability 2^-BITS_PER_LONG per free) and a foreign pointer that
 * falls inside the span and is suitably aligned.  Such a pointer has its
 * second word read, as SLUB reads what a wild kfree() points at: fine in
 * the direct map (KASAN reports it if freed), a fault if it lands in an
 * unmapped gap between a kvmalloc child's vmalloc'ed buffers.  In
 * passthrough mode the arena's header check does the same job.
 *
 * A growable pool (the default) allocates from the arena when the free
 * list is empty; a %MEMKIT_POOL_FIXED pool only ever hands out what
 * memkit_pool_preheat() put on the free list.  memkit_pool_reset() resets
 * the arena with the given mode and empties the free list: every object
 * is invalid afterwards (a fixed pool must be preheated again).
 *
 * In passthrough mode (the arena's; default with CONFIG_KASAN) free
 * frees the object to the child instead of listing it, so KASAN sees a use
 * after free or a double free; a fixed pool then re-allocates up to
 * the number of objects preheated.
 *
 * Complexity: alloc and free O(1) (plus a child call when the pool
 * grows); preheat O(n); reset as the arena's.
 *
 * Locking: none by default: one owner serialises all calls.  With
 * %MEMKIT_POOL_LOCKED every call takes an irq-safe spinlock, and the pool
 * may be shared and used from any context; the @gfp given to calls that
 * may grow the pool must then not sleep (a sleeping @gfp is a caller bug,
 * refused).  Memory that goes back to the child (reset, and free in
 * passthrough mode) is detached under the lock and freed after it is
 * dropped, so a child whose free may sleep (vfree() behind kvmalloc) never
 * runs with interrupts off.  The debugfs file reads the counters without
 * the lock.
 */

static bool pool_locked(const struct memkit_pool *pool)
{
	return pool->flags & MEMKIT_POOL_LOCKED;
}

static unsigned long pool_lock(struct memkit_pool *pool)
	__acquires(&pool->lock)
{
	return memkit_lock(pool_locked(pool) ? &pool->lock : NULL, NULL);
}

static void pool_unlock(struct memkit_pool *pool, unsigned long flags)
	__releases(&pool->lock)
{
	memkit_unlock(pool_locked(pool) ? &pool->lock : NULL, NULL, flags);
}

/* A locked pool runs under a spinlock: growing it must not sleep. */
static bool pool_gfp_ok(const struct memkit_pool *pool, gfp_t gfp)
{
	return !memkit_warn_once(pool_locked(pool) && gfpflags_allow_blocking(gfp),
				 "sleeping gfp %pGg for a locked pool", &gfp);
}

static bool pool_can_grow(struct memkit_pool *pool)
{
	if (!(pool->flags & MEMKIT_POOL_FIXED))
		return true;
	/* Passthrough gave freed objects back; a fixed pool may refill. */
	return pool->live + pool->free_count < pool->budget;
}

/* A free object: the next one, then the check word. */
struct memkit_pool_free {
	void *next;
	uintptr_t check;
};

static uintptr_t pool_check_word(const struct memkit_pool *pool, const void *obj)
{
	return pool->secret ^ (uintptr_t)obj;
}

static bool pool_is_free(const struct memkit_pool *pool, void *obj)
{
	return ((struct memkit_pool_free *)obj)->check == pool_check_word(pool, obj);
}

static void pool_push(struct memkit_pool *pool, void *obj)
{
	struct memkit_pool_free *f = obj;

	f->next = pool->free_list;
	f->check = pool_check_word(pool, obj);
	pool->free_list = obj;
	pool->free_count++;
}

/* The head of the free list, or NULL; a head overwritten since it was freed drops the list. */
static void *pool_pop(struct memkit_pool *pool)
{
	struct memkit_pool_free *f = pool->free_list;

	if (!f)
		return NULL;
	if (memkit_warn_once(!pool_is_free(pool, f),
			     "pool free list overwritten (a use after free?); dropped")) {
		pool->free_list = NULL;
		pool->free_count = 0;
		return NULL;
	}
	pool->free_list = f->next;
	pool->free_count--;
	f->check = 0;
	return f;
}

/* Could @obj be one of this bump pool's objects? */
static bool pool_owns(const struct memkit_pool *pool, const void *obj)
{
	uintptr_t a = (uintptr_t)obj;

	return a >= pool->lo && a < pool->hi && pool->hi - a >= pool->item_size &&
	       IS_ALIGNED(a, pool->item_align);
}

static void *pool_new_object(struct memkit_pool *pool, gfp_t gfp)
{
	void *obj = memkit_alloc_noprof(&pool->a, pool->item_size, pool->item_align, gfp);
	uintptr_t a = (uintptr_t)obj;

	if (obj && !pool->passthrough) {
		pool->lo = min(pool->lo, a);
		pool->hi = max(pool->hi, a + pool->item_size);
	}
	return obj;
}

/* What the pool's buffers span: nothing, after init and reset. */
static void pool_forget_span(struct memkit_pool *pool)
{
	pool->lo = UINTPTR_MAX;
	pool->hi = 0;
}

/* An allocation that returns NULL, whatever the reason, is counted. */
static void pool_count_failure(struct memkit_pool *pool)
{
	unsigned long flags = pool_lock(pool);

	pool->failed++;
	pool_unlock(pool, flags);
}

static int __memkit_pool_preheat(struct memkit_pool *pool, size_t n, gfp_t gfp)
{
	size_t i;

	for (i = 0; i < n; i++) {
		void *obj = pool_new_object(pool, gfp);

		if (!obj)
			return -ENOMEM;
		pool_push(pool, obj);
		pool->budget++;
	}
	return 0;
}

/**
 * memkit_pool_init() - set up a pool
 * @pool: the pool.
 * @child: where memory comes from; copied.
 * @size: bytes per object, at least 1.
 * @align: power-of-two alignment of objects; 0 means a pointer's.
 * @flags: MEMKIT_POOL_* options.
 *
 * Context: any context; allocates nothing.
 * Return: 0, or -EINVAL for a bad argument.
 */
int memkit_pool_init(struct memkit_pool *pool, const struct memkit_allocator *child,
		     size_t size, size_t align, unsigned int flags)
{
	const unsigned int all = MEMKIT_POOL_FIXED | MEMKIT_POOL_LOCKED |
				 MEMKIT_POOL_PASSTHROUGH | MEMKIT_POOL_BUMP;
	enum memkit_arena_mode mode = MEMKIT_ARENA_DEFAULT;
	struct memkit_arena_usage ast;
	int ret;

	memset(pool, 0, sizeof(*pool));
	if (!size || (align && !is_power_of_2(align)) || (flags & ~all) ||
	    ((flags & MEMKIT_POOL_PASSTHROUGH) && (flags & MEMKIT_POOL_BUMP)))
		return -EINVAL;
	pool->item_align = max_t(size_t, align, __alignof__(void *));
	if (size > SIZE_MAX - pool->item_align)
		return -EINVAL;
	pool->item_size = ALIGN(max(size, sizeof(struct memkit_pool_free)), pool->item_align);

	if (flags & MEMKIT_POOL_PASSTHROUGH)
		mode = MEMKIT_ARENA_PASSTHROUGH;
	else if (flags & MEMKIT_POOL_BUMP)
		mode = MEMKIT_ARENA_BUMP;
	ret = memkit_arena_init(&pool->arena, child, mode);
	if (ret)
		return ret;
	pool->a = memkit_arena_allocator(&pool->arena);
	/* The arena decides its mode; it is empty, so this is O(1). */
	memkit_arena_stats(&pool->arena, &ast);
	pool->passthrough = ast.passthrough;
	pool->flags = flags;
	spin_lock_init(&pool->lock);
	get_random_bytes(&pool->secret, sizeof(pool->secret));
	pool_forget_span(pool);
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_pool_init);

/* memkit_pool_init_preheated() without its allocation tag: see the header. */
int memkit_pool_init_preheated_noprof(struct memkit_pool *pool,
				      const struct memkit_allocator *child, size_t size,
				      size_t align, unsigned int flags, size_t n)
{
	int ret = memkit_pool_init(pool, child, size, align, flags);

	if (!ret)
		ret = __memkit_pool_preheat(pool, n, GFP_KERNEL);
	if (ret)
		memkit_pool_exit(pool);
	return ret;
}
EXPORT_SYMBOL_MEMKIT(memkit_pool_init_preheated_noprof);

/**
 * memkit_pool_exit() - give all of a pool's memory back
 * @pool: the pool, or a zeroed one (then a no-op).
 *
 * Every object is invalid afterwards.
 *
 * Context: process context if registered in debugfs; otherwise as the
 * child's free.
 */
void memkit_pool_exit(struct memkit_pool *pool)
{
	memkit_debugfs_unregister(&pool->debugfs);
	memkit_arena_exit(&pool->arena);
	memset(pool, 0, sizeof(*pool));
}
EXPORT_SYMBOL_MEMKIT(memkit_pool_exit);

/* memkit_pool_preheat() without its allocation tag: see the header. */
int memkit_pool_preheat_noprof(struct memkit_pool *pool, size_t n, gfp_t gfp)
{
	unsigned long flags;
	int ret;

	if (!pool_gfp_ok(pool, gfp))
		return -EINVAL;
	flags = pool_lock(pool);
	ret = __memkit_pool_preheat(pool, n, gfp);
	pool_unlock(pool, flags);
	return ret;
}
EXPORT_SYMBOL_MEMKIT(memkit_pool_preheat_noprof);

/* memkit_pool_alloc(), reporting @ip as the caller. */
static void *pool_alloc(struct memkit_pool *pool, gfp_t gfp, unsigned long ip)
{
	unsigned long flags;
	void *obj;

	if (!pool_gfp_ok(pool, gfp)) {
		pool_count_failure(pool);
		return NULL;
	}
	flags = pool_lock(pool);
	obj = pool_pop(pool);
	if (!obj && pool_can_grow(pool))
		obj = pool_new_object(pool, gfp);
	if (obj) {
		pool->live++;
		pool->allocs++;
		pool->high_water = max(pool->high_water, pool->live);
	} else {
		pool->failed++;
	}
	pool_unlock(pool, flags);
	if (obj)
		trace_memkit_pool_alloc(pool, obj, ip);
	return obj;
}

/* memkit_pool_alloc() without its allocation tag: see the header. */
void *memkit_pool_alloc_noprof(struct memkit_pool *pool, gfp_t gfp)
{
	return pool_alloc(pool, gfp, _RET_IP_);
}
EXPORT_SYMBOL_MEMKIT(memkit_pool_alloc_noprof);

/* __memkit_pool_alloc_typed() without its allocation tag: see the header. */
void *__memkit_pool_alloc_typed_noprof(struct memkit_pool *pool, size_t size,
				       size_t align, gfp_t gfp)
{
	if (memkit_warn_once(size > pool->item_size || align > pool->item_align,
			     "a %zu-byte, %zu-aligned type from a pool of %zu-byte, %zu-aligned objects",
			     size, align, pool->item_size, pool->item_align)) {
		pool_count_failure(pool);
		return NULL;
	}
	return pool_alloc(pool, gfp, _RET_IP_);
}
EXPORT_SYMBOL_MEMKIT(__memkit_pool_alloc_typed_noprof);

/**
 * memkit_pool_free() - give an object back
 * @pool: the pool it came from.
 * @obj: the object, or NULL (then a no-op).
 *
 * Destroying more objects than are live, destroying an object twice and
 * destroying a pointer that is not one of the pool's objects are caller
 * bugs: reported once, refused, the pool unchanged (see the overview for
 * what is detected).
 *
 * Context: any context the pool's mode allows.  O(1).
 */
void memkit_pool_free(struct memkit_pool *pool, void *obj)
{
	struct memkit_arena_garbage g, *gp = NULL;
	unsigned long flags;

	if (!obj)
		return;
	/* Only passthrough gives memory back to the child here. */
	if (pool->passthrough) {
		memkit_arena_garbage_init(&g, &pool->arena);
		gp = &g;
	}
	flags = pool_lock(pool);
	if (memkit_warn_once(!pool->live, "free of an object when none is live"))
		goto out;
	if (gp) {
		if (!__memkit_arena_free(&pool->arena, obj, pool->item_size, gp))
			goto out;
	} else {
		if (memkit_warn_once(!pool_owns(pool, obj),
				     "free of a pointer not from this pool") ||
		    memkit_warn_once(pool_is_free(pool, obj), "double free of a pool object"))
			goto out;
		pool_push(pool, obj);
	}
	pool->live--;
	pool->frees++;
	trace_memkit_pool_free(pool, obj, _RET_IP_);
out:
	pool_unlock(pool, flags);
	if (gp)
		memkit_arena_garbage_free(gp);
}
EXPORT_SYMBOL_MEMKIT(memkit_pool_free);

/**
 * memkit_pool_reset() - invalidate every object at once
 * @pool: the pool.
 * @mode: what the arena keeps; see &enum memkit_arena_reset_mode.
 * @limit: for %MEMKIT_ARENA_RETAIN_WITH_LIMIT.
 * @gfp: flags if the arena must reallocate (must not sleep for a locked
 *	pool).
 *
 * Context: as @gfp allows.
 * Return: what memkit_arena_reset() returns; false also for a sleeping
 * @gfp on a locked pool (nothing is reset then).
 */
bool memkit_pool_reset(struct memkit_pool *pool, enum memkit_arena_reset_mode mode,
		       size_t limit, gfp_t gfp)
{
	struct memkit_arena_garbage g;
	unsigned long flags;
	bool ret;

	if (!pool_gfp_ok(pool, gfp))
		return false;
	memkit_arena_garbage_init(&g, &pool->arena);
	flags = pool_lock(pool);
	ret = __memkit_arena_reset(&pool->arena, mode, limit, gfp, &g);
	pool->free_list = NULL;
	pool->free_count = 0;
	pool->live = 0;
	pool->budget = 0;
	pool_forget_span(pool);
	pool_unlock(pool, flags);
	memkit_arena_garbage_free(&g);
	return ret;
}
EXPORT_SYMBOL_MEMKIT(memkit_pool_reset);

/**
 * memkit_pool_stats() - a pool's figures
 * @pool: the pool.
 * @st: receives them.
 *
 * Takes the lock of a locked pool; otherwise the figures are a snapshot.
 *
 * Context: any context.
 */
void memkit_pool_stats(struct memkit_pool *pool, struct memkit_pool_usage *st)
{
	unsigned long flags;

	memset(st, 0, sizeof(*st));	/* padding too: callers may compare copies */
	flags = pool_lock(pool);
	/* data_race(): an unlocked pool's owner may be running. */
	st->item_size = pool->item_size;
	st->item_align = pool->item_align;
	st->live = data_race(pool->live); /* see above */
	st->free = data_race(pool->free_count); /* see above */
	st->capacity = st->live + st->free;
	st->high_water = data_race(pool->high_water); /* see above */
	st->allocs = data_race(pool->allocs); /* see above */
	st->frees = data_race(pool->frees); /* see above */
	st->failed = data_race(pool->failed); /* see above */
	st->passthrough = pool->passthrough;
	pool_unlock(pool, flags);
}
EXPORT_SYMBOL_MEMKIT(memkit_pool_stats);
