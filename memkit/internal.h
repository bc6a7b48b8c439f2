/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memkit: declarations shared between memkit.ko's own files only.
 */
#ifndef _MEMKIT_INTERNAL_H
#define _MEMKIT_INTERNAL_H

#include <linux/list.h>

#include <memkit/arena.h>

void memkit_debugfs_init(void);
void memkit_debugfs_exit(void);

/* Fill new and freed allocator buffers with 0xaa (module parameter). */
extern bool memkit_poison;

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

#endif /* _MEMKIT_INTERNAL_H */
