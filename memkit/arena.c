// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_arena: a bump allocator with reset modes.
 */

#include <linux/align.h>
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/string.h>

#include <memkit/arena.h>
#include <memkit/bug.h>
#include <memkit/compat.h>

#include "internal.h"
#include "memkit_trace.h"

/**
 * DOC: Overview
 *
 * A &struct memkit_arena hands out memory by bumping an index through
 * large buffers obtained from a child &struct memkit_allocator, and gives
 * it all back at once with memkit_arena_reset() or memkit_arena_exit().
 * It is itself a &struct memkit_allocator (memkit_arena_allocator()), so
 * anything written against the interface, a &struct memkit_pool included,
 * can run on it; code that knows it has an arena calls
 * memkit_arena_alloc(), the same allocation without the indirect call
 * through the ops table (a retpoline in many kernels).
 *
 * The buffers form a singly linked list, newest first, each starting with
 * a small header.  When the newest cannot fit a request, the arena first
 * asks the child to grow it in place, then allocates a new buffer of
 * 1.5 * (previous data size + request + alignment + header + 16) bytes, so
 * buffer sizes grow geometrically.  Only the most recent allocation can be
 * resized or freed; resizing or freeing anything else does nothing
 * (shrinking it reports success, as the memory stays valid).
 *
 * Reset modes: FREE_ALL gives every buffer back.  RETAIN_CAPACITY keeps one
 * buffer as large as the whole capacity (resized in place or reallocated),
 * so repeating the same workload after the reset needs no child call.
 * RETAIN_WITH_LIMIT keeps min(limit, capacity).  The result says whether
 * the requested capacity was kept; when the re-allocation fails, the arena
 * is empty but usable and the result is false.
 *
 * Passthrough mode makes every allocation its own child allocation,
 * listed so that reset and exit free them all; KASAN and kmemleak then see
 * each object, and a use after reset is reported.  It is the default in
 * kernels with CONFIG_KASAN.  Each object's header carries a check word
 * (a per-arena random secret XOR its address, cleared when freed), so
 * resizing or freeing a pointer the arena does not hold is reported and
 * refused; a foreign header passes with probability 2^-BITS_PER_LONG.
 *
 * Complexity: alloc O(1) (plus a child call when a buffer is added);
 * resize and free O(1); reset and query_capacity O(buffers), or
 * O(objects) in passthrough mode.
 *
 * Locking: single owner; the owner serialises all calls.  An internal
 * spinlock only keeps the debugfs reader off buffers being freed.
 */

/* The header at the start of every buffer. */
struct memkit_arena_buf {
	struct memkit_arena_buf *next;
	size_t len;	/* the whole buffer, header included */
};

#define ARENA_HDR	sizeof(struct memkit_arena_buf)
#define ARENA_ALIGN	__alignof__(struct memkit_arena_buf)

/* The header just before every passthrough allocation. */
struct memkit_arena_obj {
	struct list_head link;
	size_t len;
	size_t pad;	/* from the start of the child buffer to the object */
	size_t align;	/* of the child buffer */
	uintptr_t check;	/* arena_obj_check() while live, 0 once freed */
};

/* The word that says an object header is one of this arena's live ones. */
static uintptr_t arena_obj_check(const struct memkit_arena *arena,
				 const struct memkit_arena_obj *obj)
{
	return arena->secret ^ (uintptr_t)obj;
}

static u8 *arena_data(struct memkit_arena_buf *b)
{
	return (u8 *)(b + 1);
}

static size_t arena_data_len(const struct memkit_arena_buf *b)
{
	return b->len - ARENA_HDR;
}

static void arena_child_free(const struct memkit_allocator *child, void *buf, size_t len,
			     size_t align)
{
	child->ops->free(child->ctx, buf, len, align, _RET_IP_);
}

static bool arena_child_resize(struct memkit_arena *arena, void *buf,
			       size_t old_len, size_t new_len, size_t align)
{
	const struct memkit_allocator *c = &arena->child;

	return c->ops->resize &&
	       c->ops->resize(c->ctx, buf, old_len, new_len, align, _RET_IP_);
}

/* Allocate a new head buffer after one of @prev data bytes, for @min more. */
static struct memkit_arena_buf *arena_new_buf(struct memkit_arena *arena,
					      size_t prev, size_t min, gfp_t gfp,
					      unsigned long ip)
{
	struct memkit_arena_buf *b;
	unsigned long flags;
	size_t big, len;

	if (check_add_overflow(prev, min, &big) ||
	    check_add_overflow(big, ARENA_HDR + 16, &big) ||
	    check_add_overflow(big, big / 2, &len))
		return NULL;
	b = arena->child.ops->alloc(arena->child.ctx, len, ARENA_ALIGN, gfp, ip);
	if (!b)
		return NULL;
	arena->child_allocs++;
	b->len = len;
	spin_lock_irqsave(&arena->list_lock, flags);
	b->next = arena->head;
	arena->head = b;
	spin_unlock_irqrestore(&arena->list_lock, flags);
	arena->end = 0;
	return b;
}

static void arena_set_len(struct memkit_arena *arena, struct memkit_arena_buf *b,
			  size_t len)
{
	unsigned long flags;

	spin_lock_irqsave(&arena->list_lock, flags);
	b->len = len;
	spin_unlock_irqrestore(&arena->list_lock, flags);
}

static void *arena_bump(struct memkit_arena *arena, size_t n, size_t align,
			gfp_t gfp, unsigned long ip)
{
	struct memkit_arena_buf *b = arena->head;
	size_t min;

	if (check_add_overflow(n, align, &min))
		return NULL;
	if (!b) {
		b = arena_new_buf(arena, 0, min, gfp, ip);
		if (!b)
			return NULL;
	}
	for (;;) {
		unsigned long addr = (unsigned long)arena_data(b) + arena->end;
		size_t start = arena->end + (ALIGN(addr, align) - addr), end;
		bool overflow = check_add_overflow(start, n, &end) ||
				end > SIZE_MAX - ARENA_HDR;

		if (!overflow && end <= arena_data_len(b)) {
			arena->end = end;
			arena->handed_out += n;
			return arena_data(b) + start;
		}
		/* Grow the newest buffer in place if the child can. */
		if (!overflow &&
		    arena_child_resize(arena, b, b->len, ARENA_HDR + end, ARENA_ALIGN)) {
			arena_set_len(arena, b, ARENA_HDR + end);
			continue;
		}
		b = arena_new_buf(arena, arena_data_len(b), min, gfp, ip);
		if (!b)
			return NULL;
	}
}

/* Passthrough: the child buffer starts pad bytes before the object. */
static size_t arena_obj_align(size_t align)
{
	return max_t(size_t, align, __alignof__(struct memkit_arena_obj));
}

static struct memkit_arena_obj *arena_obj(void *buf)
{
	return (struct memkit_arena_obj *)buf - 1;
}

static void *arena_passthrough_alloc(struct memkit_arena *arena, size_t n,
				     size_t align, gfp_t gfp, unsigned long ip)
{
	size_t pad = ALIGN(sizeof(struct memkit_arena_obj), align), len;
	struct memkit_arena_obj *obj;
	unsigned long flags;
	u8 *raw;

	if (check_add_overflow(n, pad, &len))
		return NULL;
	raw = arena->child.ops->alloc(arena->child.ctx, len, arena_obj_align(align),
				      gfp, ip);
	if (!raw)
		return NULL;
	arena->child_allocs++;
	arena->handed_out += n;
	obj = arena_obj(raw + pad);
	obj->len = n;
	obj->pad = pad;
	obj->align = arena_obj_align(align);
	obj->check = arena_obj_check(arena, obj);
	spin_lock_irqsave(&arena->list_lock, flags);
	list_add(&obj->link, &arena->objects);
	spin_unlock_irqrestore(&arena->list_lock, flags);
	return raw + pad;
}

static void arena_obj_child_free(const struct memkit_allocator *child,
				 struct memkit_arena_obj *obj)
{
	arena_child_free(child, (u8 *)(obj + 1) - obj->pad, obj->len + obj->pad, obj->align);
}

/*
 * Everything the arena gives back goes through these two: to the child at
 * once, or, with @g, onto @g for memkit_arena_garbage_free() to free after
 * the caller has dropped its lock.
 */
static void arena_give_obj(struct memkit_arena *arena, struct memkit_arena_obj *obj,
			   struct memkit_arena_garbage *g)
{
	unsigned long flags;

	obj->check = 0;
	spin_lock_irqsave(&arena->list_lock, flags);
	list_del(&obj->link);
	spin_unlock_irqrestore(&arena->list_lock, flags);
	if (g)
		list_add(&obj->link, &g->objects);
	else
		arena_obj_child_free(&arena->child, obj);
}

static void arena_give_buf(struct memkit_arena *arena, struct memkit_arena_buf *b,
			   struct memkit_arena_garbage *g)
{
	if (g) {
		b->next = g->bufs;
		g->bufs = b;
	} else {
		arena_child_free(&arena->child, b, b->len, ARENA_ALIGN);
	}
}

/* The header of passthrough allocation @buf; NULL (and a warning) if not one. */
static struct memkit_arena_obj *arena_live_obj(struct memkit_arena *arena, void *buf)
{
	struct memkit_arena_obj *obj = arena_obj(buf);

	if (memkit_warn_once(obj->check != arena_obj_check(arena, obj),
			     "a pointer this arena does not hold"))
		return NULL;
	return obj;
}

/* Is @buf of @len the most recent bump allocation? */
static bool arena_is_last(struct memkit_arena *arena, void *buf, size_t len)
{
	return arena->head && (u8 *)buf + len == arena_data(arena->head) + arena->end;
}

static void *arena_alloc_op(void *ctx, size_t n, size_t align, gfp_t gfp,
			    unsigned long ip)
{
	struct memkit_arena *arena = ctx;

	if (arena->passthrough)
		return arena_passthrough_alloc(arena, n, align, gfp, ip);
	return arena_bump(arena, n, align, gfp, ip);
}

static bool arena_resize_op(void *ctx, void *buf, size_t old_len, size_t new_len,
			    size_t align, unsigned long ip)
{
	struct memkit_arena *arena = ctx;
	struct memkit_arena_obj *obj;

	if (arena->passthrough) {
		/*
		 * The child must agree, so that the length it is freed with
		 * stays right; a shrink it refuses still leaves valid memory.
		 */
		size_t total;

		obj = arena_live_obj(arena, buf);
		if (!obj || check_add_overflow(new_len, obj->pad, &total))
			return false;
		if (!arena_child_resize(arena, (u8 *)buf - obj->pad, obj->len + obj->pad,
					total, obj->align))
			return new_len <= old_len;
		obj->len = new_len;
		return true;
	}
	if (!arena_is_last(arena, buf, old_len))
		return new_len <= old_len;
	if (new_len <= old_len) {
		arena->end -= old_len - new_len;
		return true;
	}
	if (arena_data_len(arena->head) - arena->end < new_len - old_len)
		return false;
	arena->end += new_len - old_len;
	arena->handed_out += new_len - old_len;
	return true;
}

static void *arena_remap_op(void *ctx, void *buf, size_t old_len, size_t new_len,
			    size_t align, gfp_t gfp, unsigned long ip)
{
	return arena_resize_op(ctx, buf, old_len, new_len, align, ip) ? buf : NULL;
}

/**
 * __memkit_arena_free() - free an allocation, maybe deferring the child's free
 * @arena: the arena.
 * @buf: the allocation.
 * @len: its length.
 * @g: NULL to free to the child at once; else where a passthrough object
 *	goes, for memkit_arena_garbage_free() after the caller's lock.
 *
 * In passthrough mode the object's header must carry this arena's check
 * word: a pointer the arena never handed out, or one already freed, is a
 * caller bug, reported and refused (a foreign header passes with
 * probability 2^-BITS_PER_LONG).
 *
 * Context: the owner.  O(1).
 * Return: false if the pointer was refused.
 */
bool __memkit_arena_free(struct memkit_arena *arena, void *buf, size_t len,
			 struct memkit_arena_garbage *g)
{
	struct memkit_arena_obj *obj;

	if (arena->passthrough) {
		obj = arena_live_obj(arena, buf);
		if (!obj)
			return false;
		arena_give_obj(arena, obj, g);
	} else if (arena_is_last(arena, buf, len)) {
		arena->end -= len;
	}
	return true;
}

static void arena_free_op(void *ctx, void *buf, size_t len, size_t align,
			  unsigned long ip)
{
	__memkit_arena_free(ctx, buf, len, NULL);
}

static const struct memkit_allocator_ops arena_ops = {
	.alloc = arena_alloc_op,
	.resize = arena_resize_op,
	.remap = arena_remap_op,
	.free = arena_free_op,
};

/* Give back every buffer from @b up to @stop, and every passthrough object. */
static void arena_free_bufs(struct memkit_arena *arena, struct memkit_arena_buf *b,
			    struct memkit_arena_buf *stop, struct memkit_arena_garbage *g)
{
	struct memkit_arena_obj *obj, *tmp;

	while (b != stop) {
		struct memkit_arena_buf *next = b->next;

		arena_give_buf(arena, b, g);
		b = next;
	}
	list_for_each_entry_safe(obj, tmp, &arena->objects, link)
		arena_give_obj(arena, obj, g);
}

/**
 * memkit_arena_garbage_init() - start collecting what an arena gives back
 * @g: the collection.
 * @arena: the arena whose child will free it.
 *
 * Context: any context.
 */
void memkit_arena_garbage_init(struct memkit_arena_garbage *g, struct memkit_arena *arena)
{
	g->child = arena->child;
	g->bufs = NULL;
	INIT_LIST_HEAD(&g->objects);
}

/**
 * memkit_arena_garbage_free() - free what was collected, to the child
 * @g: the collection.
 *
 * Context: as the child's free; call it with no spinlock held.
 */
void memkit_arena_garbage_free(struct memkit_arena_garbage *g)
{
	struct memkit_arena_obj *obj, *tmp;

	while (g->bufs) {
		struct memkit_arena_buf *next = g->bufs->next;

		arena_child_free(&g->child, g->bufs, g->bufs->len, ARENA_ALIGN);
		g->bufs = next;
	}
	list_for_each_entry_safe(obj, tmp, &g->objects, link) {
		list_del(&obj->link);
		arena_obj_child_free(&g->child, obj);
	}
}

/*
 * Make @keep (NULL, or the oldest buffer) the whole list, so the debugfs
 * reader no longer sees the others; returns the old head, from which the
 * caller frees up to @keep.
 */
static struct memkit_arena_buf *arena_detach(struct memkit_arena *arena,
					     struct memkit_arena_buf *keep)
{
	struct memkit_arena_buf *old = arena->head;
	unsigned long flags;

	spin_lock_irqsave(&arena->list_lock, flags);
	arena->head = keep;
	spin_unlock_irqrestore(&arena->list_lock, flags);
	arena->end = 0;
	return old;
}

/**
 * memkit_arena_init() - set up an arena
 * @arena: the arena to set up.
 * @child: where its memory comes from; copied.
 * @mode: bump, passthrough, or the default for this kernel.
 *
 * Context: any context; allocates nothing.
 * Return: 0, or -EINVAL for a bad @child or @mode.
 */
int memkit_arena_init(struct memkit_arena *arena,
		      const struct memkit_allocator *child,
		      enum memkit_arena_mode mode)
{
	memset(arena, 0, sizeof(*arena));
	if (!child || !child->ops || mode > MEMKIT_ARENA_PASSTHROUGH)
		return -EINVAL;
	arena->child = *child;
	arena->passthrough = mode == MEMKIT_ARENA_PASSTHROUGH ||
			     (mode == MEMKIT_ARENA_DEFAULT && IS_ENABLED(CONFIG_KASAN));
	INIT_LIST_HEAD(&arena->objects);
	spin_lock_init(&arena->list_lock);
	get_random_bytes(&arena->secret, sizeof(arena->secret));
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_arena_init);

/**
 * memkit_arena_exit() - free everything the arena holds
 * @arena: the arena, or a zeroed one (then a no-op).
 *
 * Unregisters it from debugfs first.
 *
 * Context: process context if registered; otherwise as the child's free.
 */
void memkit_arena_exit(struct memkit_arena *arena)
{
	if (!arena->child.ops)
		return;
	memkit_debugfs_unregister(&arena->debugfs);
	arena_free_bufs(arena, arena_detach(arena, NULL), NULL, NULL);
	memset(arena, 0, sizeof(*arena));
}
EXPORT_SYMBOL_MEMKIT(memkit_arena_exit);

/**
 * memkit_arena_query_capacity() - bytes the arena holds for allocations
 * @arena: the arena.
 *
 * Context: the owner.  O(buffers).
 * Return: the sum of the buffers' sizes less their headers; 0 in
 * passthrough mode, which holds nothing in reserve.
 */
size_t memkit_arena_query_capacity(struct memkit_arena *arena)
{
	struct memkit_arena_buf *b;
	size_t cap = 0;

	for (b = arena->head; b; b = b->next)
		cap += arena_data_len(b);
	return cap;
}
EXPORT_SYMBOL_MEMKIT(memkit_arena_query_capacity);

/**
 * __memkit_arena_reset() - memkit_arena_reset(), maybe deferring the child's frees
 * @arena: the arena.
 * @mode: what to keep.
 * @limit: for %MEMKIT_ARENA_RETAIN_WITH_LIMIT.
 * @gfp: flags if the kept buffer must be reallocated.
 * @g: NULL to free to the child at once; else where everything given
 *	back goes, for memkit_arena_garbage_free() after the caller's lock.
 *
 * Context: the owner; as the child allows for @gfp.
 * Return: as memkit_arena_reset().
 */
bool __memkit_arena_reset(struct memkit_arena *arena, enum memkit_arena_reset_mode mode,
			  size_t limit, gfp_t gfp, struct memkit_arena_garbage *g)
{
	size_t cap = memkit_arena_query_capacity(arena), want, total;
	struct memkit_arena_buf *keep, *b;

	arena->resets++;
	arena->handed_out = 0;
	switch (mode) {
	case MEMKIT_ARENA_RETAIN_CAPACITY:
		want = cap;
		break;
	case MEMKIT_ARENA_RETAIN_WITH_LIMIT:
		want = min(limit, cap);
		break;
	default:
		want = 0;
		break;
	}
	if (!want || want > SIZE_MAX - ARENA_HDR) {
		arena_free_bufs(arena, arena_detach(arena, NULL), NULL, g);
		return !want;
	}

	/* Keep the oldest buffer; the others go back to the child. */
	for (keep = arena->head; keep->next; keep = keep->next)
		;
	arena_free_bufs(arena, arena_detach(arena, keep), keep, g);
	total = want + ARENA_HDR;
	if (keep->len == total)
		return true;
	if (arena_child_resize(arena, keep, keep->len, total, ARENA_ALIGN)) {
		arena_set_len(arena, keep, total);
		return true;
	}
	b = arena->child.ops->alloc(arena->child.ctx, total, ARENA_ALIGN, gfp, _RET_IP_);
	if (!b)
		return false;
	arena->child_allocs++;
	b->len = total;
	b->next = NULL;
	arena_detach(arena, b);
	arena_give_buf(arena, keep, g);
	return true;
}

/**
 * memkit_arena_reset() - free every allocation at once
 * @arena: the arena.
 * @mode: what to keep; see &enum memkit_arena_reset_mode.
 * @limit: the most to keep for %MEMKIT_ARENA_RETAIN_WITH_LIMIT (0 is
 *	%MEMKIT_ARENA_FREE_ALL); ignored otherwise.
 * @gfp: flags if the kept buffer must be reallocated.
 *
 * Every pointer the arena handed out is invalid afterwards.
 *
 * Context: the owner; as the child allows for @gfp.
 * Return: true if the arena now holds the requested capacity; false if
 * the re-allocation failed, and then the arena is empty but usable.
 */
bool memkit_arena_reset(struct memkit_arena *arena,
			enum memkit_arena_reset_mode mode, size_t limit,
			gfp_t gfp)
{
	size_t before;
	bool ok;

	if (!trace_memkit_arena_reset_enabled())
		return __memkit_arena_reset(arena, mode, limit, gfp, NULL);
	before = memkit_arena_query_capacity(arena);
	ok = __memkit_arena_reset(arena, mode, limit, gfp, NULL);
	trace_memkit_arena_reset(arena, mode, before, memkit_arena_query_capacity(arena), ok,
				 _RET_IP_);
	return ok;
}
EXPORT_SYMBOL_MEMKIT(memkit_arena_reset);

/* memkit_arena_alloc() without its allocation tag: see the header. */
void *memkit_arena_alloc_noprof(struct memkit_arena *arena, size_t len, size_t align,
				gfp_t gfp)
{
	return memkit_alloc_call(&arena_ops, arena, len, align, gfp, _RET_IP_);
}
EXPORT_SYMBOL_MEMKIT(memkit_arena_alloc_noprof);

/**
 * memkit_arena_allocator() - the arena as a &struct memkit_allocator
 * @arena: an initialised arena.
 *
 * Context: any context.
 * Return: an allocator that allocates from @arena.
 */
struct memkit_allocator memkit_arena_allocator(struct memkit_arena *arena)
{
	return (struct memkit_allocator){ .ctx = arena, .ops = &arena_ops };
}
EXPORT_SYMBOL_MEMKIT(memkit_arena_allocator);

/**
 * memkit_arena_stats() - what an arena holds and has done
 * @arena: the arena.
 * @st: receives the figures.
 *
 * Safe against the owner running concurrently (debugfs uses it); the
 * counters are then a snapshot.
 *
 * Context: any context.  O(buffers + passthrough objects).
 */
void memkit_arena_stats(struct memkit_arena *arena, struct memkit_arena_usage *st)
{
	struct memkit_arena_obj *obj;
	struct memkit_arena_buf *b;
	unsigned long flags;

	memset(st, 0, sizeof(*st));
	st->passthrough = arena->passthrough;
	spin_lock_irqsave(&arena->list_lock, flags);
	for (b = arena->head; b; b = b->next) {
		st->buffers++;
		st->capacity += arena_data_len(b);
	}
	list_for_each_entry(obj, &arena->objects, link)
		st->objects++;
	/* The owner updates these without the lock: a reader gets a snapshot. */
	if (arena->head) {
		st->current_size = arena_data_len(arena->head);
		st->current_used = data_race(arena->end); /* snapshot, see above */
	}
	spin_unlock_irqrestore(&arena->list_lock, flags);
	st->handed_out = data_race(arena->handed_out); /* snapshot */
	st->resets = data_race(arena->resets); /* snapshot */
	st->child_allocs = data_race(arena->child_allocs); /* snapshot */
}
EXPORT_SYMBOL_MEMKIT(memkit_arena_stats);
