/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memkit_pool: a pool of fixed-size objects on an arena, with a free list.
 */
#ifndef _MEMKIT_POOL_H
#define _MEMKIT_POOL_H

#include <linux/bits.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <memkit/arena.h>
#include <memkit/compat.h>
#include <memkit/debugfs.h>

/*
 * Pool options, for memkit_pool_init()'s @flags.
 *
 * MEMKIT_POOL_FIXED: never allocate after init; alloc fails once the
 *	preheated objects are in use.  Without it the pool is growable.
 * MEMKIT_POOL_LOCKED: take an internal irq-safe spinlock in every call, so
 *	the pool may be used from any context by several users; @gfp must not
 *	sleep then.
 * MEMKIT_POOL_PASSTHROUGH / MEMKIT_POOL_BUMP: force the arena's mode (see
 *	&enum memkit_arena_mode); by default passthrough with CONFIG_KASAN.
 *	In passthrough mode memkit_pool_free() frees the object, so KASAN reports a use
 *	after free and a double free.
 */
#define MEMKIT_POOL_FIXED		BIT(0)
#define MEMKIT_POOL_LOCKED		BIT(1)
#define MEMKIT_POOL_PASSTHROUGH		BIT(2)
#define MEMKIT_POOL_BUMP		BIT(3)

/**
 * struct memkit_pool - a pool of fixed-size objects
 *
 * Embed it and memkit_pool_init() it.  All fields are private.
 */
struct memkit_pool {
	/* private: */
	struct memkit_arena arena;
	struct memkit_allocator a;	/* the arena's interface */
	void *free_list;
	size_t item_size;
	size_t item_align;
	unsigned int flags;
	bool passthrough;		/* the arena's mode */
	spinlock_t lock;
	size_t live;
	size_t free_count;
	size_t budget;			/* FIXED + passthrough: objects allowed */
	size_t high_water;
	unsigned long allocs;
	unsigned long frees;
	unsigned long failed;
	uintptr_t secret;		/* free objects' check words */
	uintptr_t lo, hi;		/* span of the objects handed out */
	struct memkit_debugfs_entry debugfs;
};

/**
 * struct memkit_pool_usage - figures from memkit_pool_stats()
 * @item_size: bytes per object (at least two pointers, a multiple of @item_align).
 * @item_align: object alignment (at least a pointer's).
 * @live: objects allocated and not freed.
 * @free: objects on the free list.
 * @capacity: objects the arena holds: @live + @free.
 * @high_water: the most objects ever live at once.
 * @allocs: successful allocs so far.
 * @frees: frees so far.
 * @failed: allocs that returned NULL.
 * @passthrough: each object is its own child allocation.
 */
struct memkit_pool_usage {
	size_t item_size;
	size_t item_align;
	size_t live;
	size_t free;
	size_t capacity;
	size_t high_water;
	unsigned long allocs;
	unsigned long frees;
	unsigned long failed;
	bool passthrough;
};

int memkit_pool_init(struct memkit_pool *pool, const struct memkit_allocator *child,
		     size_t size, size_t align, unsigned int flags);
int memkit_pool_init_preheated_noprof(struct memkit_pool *pool,
				      const struct memkit_allocator *child, size_t size,
				      size_t align, unsigned int flags, size_t n);

/**
 * memkit_pool_init_preheated() - set up a pool holding @n free objects
 * @pool: the pool.
 * @child: where memory comes from.
 * @size: bytes per object.
 * @align: object alignment; 0 means a pointer's.
 * @flags: MEMKIT_POOL_* options.
 * @n: objects to allocate now.
 *
 * On failure everything allocated so far is given back.
 *
 * Context: process context; allocates with GFP_KERNEL.
 * Return: 0, -EINVAL for a bad argument, or -ENOMEM.
 */
#define memkit_pool_init_preheated(pool, child, size, align, flags, n) \
	alloc_hooks(memkit_pool_init_preheated_noprof(pool, child, size, align, flags, n))

void memkit_pool_exit(struct memkit_pool *pool);
int memkit_pool_preheat_noprof(struct memkit_pool *pool, size_t n, gfp_t gfp);

/**
 * memkit_pool_preheat() - put @n more objects on the free list
 * @pool: the pool.
 * @n: objects to allocate.
 * @gfp: allocation flags (must not sleep for a locked pool).
 *
 * Objects allocated before a failure stay on the free list.  For a fixed
 * pool this is the only way to add objects.
 *
 * Context: as @gfp allows; any context for a locked pool.
 * Return: 0, -ENOMEM, or -EINVAL for a sleeping @gfp on a locked pool.
 */
#define memkit_pool_preheat(pool, n, gfp) \
	alloc_hooks(memkit_pool_preheat_noprof(pool, n, gfp))

void *memkit_pool_alloc_noprof(struct memkit_pool *pool, gfp_t gfp);

/**
 * memkit_pool_alloc() - take an object from the pool
 * @pool: the pool.
 * @gfp: allocation flags if a growable pool must grow (must not sleep for
 *	a locked pool).
 *
 * Context: as @gfp allows; any context for a locked pool.  O(1).
 * Return: uninitialised storage for one object, or NULL: out of memory, a
 * fixed pool with no free object, or a sleeping @gfp on a locked pool.
 */
#define memkit_pool_alloc(pool, gfp) \
	alloc_hooks(memkit_pool_alloc_noprof(pool, gfp))

void memkit_pool_free(struct memkit_pool *pool, void *obj);
bool memkit_pool_reset(struct memkit_pool *pool, enum memkit_arena_reset_mode mode,
		       size_t limit, gfp_t gfp);
void memkit_pool_stats(struct memkit_pool *pool, struct memkit_pool_usage *st);
int __memkit_pool_register(struct memkit_pool *pool, const char *name, struct module *owner);

/**
 * memkit_pool_register() - show a pool in debugfs
 * @pool: an initialised pool.
 * @name: its debugfs name; see memkit_debugfs_register().
 *
 * The calling module owns the registration; see __memkit_pool_register().
 */
#define memkit_pool_register(pool, name) __memkit_pool_register(pool, name, THIS_MODULE)
void *__memkit_pool_alloc_typed_noprof(struct memkit_pool *pool, size_t size,
				       size_t align, gfp_t gfp);

/**
 * __memkit_pool_alloc_typed() - memkit_pool_new() without the cast
 * @pool: the pool.
 * @size: sizeof the caller's type.
 * @align: alignof the caller's type.
 * @gfp: allocation flags.
 *
 * Context: as memkit_pool_alloc().
 * Return: as memkit_pool_alloc(); NULL (and a warning) if the type does
 * not fit the pool's objects.
 */
#define __memkit_pool_alloc_typed(pool, size, align, gfp) \
	alloc_hooks(__memkit_pool_alloc_typed_noprof(pool, size, align, gfp))

/**
 * memkit_pool_init_for() - set up a pool for objects of a type
 * @pool: the pool.
 * @child: where memory comes from.
 * @type: the object type.
 * @flags: MEMKIT_POOL_* options.
 */
#define memkit_pool_init_for(pool, child, type, flags)			\
	memkit_pool_init(pool, child, sizeof(type), __alignof__(type), flags)

/**
 * memkit_pool_new() - take an object of a type from the pool
 * @pool: a pool set up for objects at least as large and aligned as @type.
 * @type: the object type; a pool too small for it is a caller bug
 *	(warned, NULL).
 * @gfp: allocation flags, used if the pool must grow.
 *
 * Return: a @type pointer to uninitialised storage, or NULL.
 */
#define memkit_pool_new(pool, type, gfp)				\
	((type *)__memkit_pool_alloc_typed(pool, sizeof(type),		\
					   __alignof__(type), gfp))

#endif /* _MEMKIT_POOL_H */
