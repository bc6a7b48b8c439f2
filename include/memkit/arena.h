/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memkit_arena: a bump allocator over a child allocator, with reset modes.
 */
#ifndef _MEMKIT_ARENA_H
#define _MEMKIT_ARENA_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <memkit/allocator.h>
#include <memkit/debugfs.h>

struct memkit_arena_buf;

/**
 * enum memkit_arena_mode - how an arena gets its memory
 * @MEMKIT_ARENA_DEFAULT: passthrough in kernels with CONFIG_KASAN, bump
 *	otherwise.
 * @MEMKIT_ARENA_BUMP: bump allocation in large buffers from the child.
 * @MEMKIT_ARENA_PASSTHROUGH: every allocation is its own child allocation,
 *	freed at reset or exit (or at free), so KASAN and kmemleak see each
 *	object and report a use after reset.
 */
enum memkit_arena_mode {
	MEMKIT_ARENA_DEFAULT,
	MEMKIT_ARENA_BUMP,
	MEMKIT_ARENA_PASSTHROUGH,
};

/**
 * enum memkit_arena_reset_mode - what memkit_arena_reset() keeps
 * @MEMKIT_ARENA_FREE_ALL: nothing; every buffer goes back to the child.
 * @MEMKIT_ARENA_RETAIN_CAPACITY: one buffer as large as the whole current
 *	capacity, so the same workload needs no child allocation next time.
 * @MEMKIT_ARENA_RETAIN_WITH_LIMIT: like RETAIN_CAPACITY, but at most the
 *	given limit.
 */
enum memkit_arena_reset_mode {
	MEMKIT_ARENA_FREE_ALL,
	MEMKIT_ARENA_RETAIN_CAPACITY,
	MEMKIT_ARENA_RETAIN_WITH_LIMIT,
};

/**
 * struct memkit_arena - a bump allocator with reset modes
 *
 * Embed it and memkit_arena_init() it.  Single owner: the owner serialises
 * every call.  All fields are private.
 */
struct memkit_arena {
	/* private: */
	struct memkit_allocator child;
	bool passthrough;
	struct memkit_arena_buf *head;	/* newest buffer first */
	size_t end;			/* bytes used in head's data */
	struct list_head objects;	/* passthrough allocations */
	spinlock_t list_lock;		/* buffer/object lists vs. debugfs */
	size_t handed_out;
	unsigned long resets;
	unsigned long child_allocs;
	uintptr_t secret;		/* passthrough headers' check words */
	struct memkit_debugfs_entry debugfs;
};

/**
 * struct memkit_arena_usage - figures from memkit_arena_stats()
 * @passthrough: the arena is in passthrough mode.
 * @buffers: buffers held (bump mode).
 * @capacity: their bytes, headers excluded (memkit_arena_query_capacity()).
 * @current_size: bytes in the newest buffer, the one allocations come from.
 * @current_used: bytes used in it.
 * @objects: live objects (passthrough mode).
 * @handed_out: bytes handed out since the last reset.
 * @resets: resets so far.
 * @child_allocs: allocations from the child so far.
 */
struct memkit_arena_usage {
	bool passthrough;
	unsigned int buffers;
	size_t capacity;
	size_t current_size;
	size_t current_used;
	size_t objects;
	size_t handed_out;
	unsigned long resets;
	unsigned long child_allocs;
};

int memkit_arena_init(struct memkit_arena *arena,
		      const struct memkit_allocator *child,
		      enum memkit_arena_mode mode);
void memkit_arena_exit(struct memkit_arena *arena);
bool memkit_arena_reset(struct memkit_arena *arena,
			enum memkit_arena_reset_mode mode, size_t limit,
			gfp_t gfp);
size_t memkit_arena_query_capacity(struct memkit_arena *arena);
struct memkit_allocator memkit_arena_allocator(struct memkit_arena *arena);
void *memkit_arena_alloc_noprof(struct memkit_arena *arena, size_t len, size_t align,
				gfp_t gfp);

/**
 * memkit_arena_alloc() - allocate from an arena, without the ops table
 * @arena: an initialised arena.
 * @len: bytes; 0 returns %MEMKIT_ZERO_PTR.
 * @align: power-of-two alignment; 0 means 1.
 * @gfp: flags for a new buffer from the child, if one is needed.
 *
 * What memkit_alloc() on memkit_arena_allocator() does (the same checks,
 * poisoning and accounting), as one direct call instead of one through
 * the allocator's ops table; free, resize and reset as usual.
 *
 * Context: as the child allows for @gfp.  O(1) unless a new buffer is
 * needed.
 * Return: the buffer, or NULL.
 */
#define memkit_arena_alloc(arena, len, align, gfp) \
	alloc_hooks(memkit_arena_alloc_noprof(arena, len, align, gfp))
int __memkit_arena_register(struct memkit_arena *arena, const char *name, struct module *owner);

/**
 * memkit_arena_register() - show an arena in debugfs
 * @arena: an initialised arena.
 * @name: its debugfs name; see memkit_debugfs_register().
 *
 * The calling module owns the registration; see __memkit_arena_register().
 */
#define memkit_arena_register(arena, name) __memkit_arena_register(arena, name, THIS_MODULE)
void memkit_arena_stats(struct memkit_arena *arena, struct memkit_arena_usage *st);

#endif /* _MEMKIT_ARENA_H */
