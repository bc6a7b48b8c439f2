/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memkit_allocator: an allocator interface (an ops table) and its backends.
 */
#ifndef _MEMKIT_ALLOCATOR_H
#define _MEMKIT_ALLOCATOR_H

#include <linux/gfp.h>
#include <linux/types.h>

#include <memkit/compat.h>

struct memkit_range;

/**
 * struct memkit_allocator_ops - what a backend implements
 * @alloc: return @len bytes aligned to @align, or NULL.  @len is never 0
 *	and @align is a power of two.
 * @resize: grow or shrink @buf in place to @new_len; return false (and
 *	change nothing) if that is not possible.  Never moves.  @new_len is
 *	never 0.  May be NULL: every resize fails.
 * @remap: like @resize but may move; return the (possibly new) buffer with
 *	the first min(old, new) bytes preserved, or NULL and leave @buf
 *	intact.  May be NULL: the helpers fall back to alloc + copy + free.
 * @free: give back @buf; @len and @align are what it was allocated (or
 *	last resized) with.
 *
 * Every call carries the return address of the helper's caller
 * (@ret_ip, from _RET_IP_) for the backend's accounting and reports, and
 * every call that may allocate carries the caller's @gfp.
 */
struct memkit_allocator_ops {
	void *(*alloc)(void *ctx, size_t len, size_t align, gfp_t gfp,
		       unsigned long ret_ip);
	bool (*resize)(void *ctx, void *buf, size_t old_len, size_t new_len,
		       size_t align, unsigned long ret_ip);
	void *(*remap)(void *ctx, void *buf, size_t old_len, size_t new_len,
		       size_t align, gfp_t gfp, unsigned long ret_ip);
	void (*free)(void *ctx, void *buf, size_t len, size_t align,
		     unsigned long ret_ip);
};

/**
 * struct memkit_allocator - an allocator: a backend's ops and its context
 * @ctx: passed to every op.
 * @ops: the backend.
 *
 * Small enough to pass and store by value.
 */
struct memkit_allocator {
	void *ctx;
	const struct memkit_allocator_ops *ops;
};

/*
 * What a zero-length request returns: non-NULL, never dereferenceable, and
 * accepted by every free path (it is the slab allocator's ZERO_SIZE_PTR).
 */
#define MEMKIT_ZERO_PTR		((void *)16)

/*
 * The longest buffer the helpers ask a backend for, and so the longest any
 * backend sees: half the address space.  A backend may then add its own
 * header or alignment padding (at most as large again) without wrapping.
 * A longer request fails as a lack of memory would.
 */
#define MEMKIT_ALLOC_MAX	(SIZE_MAX >> 1)

void *memkit_alloc_noprof(const struct memkit_allocator *a, size_t len, size_t align,
			  gfp_t gfp);

/**
 * memkit_alloc() - allocate a buffer
 * @a: the allocator.
 * @len: bytes; 0 returns %MEMKIT_ZERO_PTR without calling the backend.
 * @align: power-of-two alignment; 0 means 1.
 * @gfp: allocation flags, passed to the backend.
 *
 * Context: as the backend allows for @gfp.
 * Return: the buffer, or NULL.
 */
#define memkit_alloc(a, len, align, gfp) \
	alloc_hooks(memkit_alloc_noprof(a, len, align, gfp))

void *memkit_alloc_array_noprof(const struct memkit_allocator *a, size_t n,
				size_t size, size_t align, gfp_t gfp);

/**
 * memkit_alloc_array() - allocate an array, checking the size for overflow
 * @a: the allocator.
 * @n: number of elements.
 * @size: bytes per element.
 * @align: power-of-two alignment; 0 means 1.
 * @gfp: allocation flags.
 *
 * Context: as the backend allows for @gfp.
 * Return: the buffer, %MEMKIT_ZERO_PTR for an empty array, or NULL
 * (also when @n * @size overflows; the backend is not called then).
 */
#define memkit_alloc_array(a, n, size, align, gfp) \
	alloc_hooks(memkit_alloc_array_noprof(a, n, size, align, gfp))

bool memkit_resize(const struct memkit_allocator *a, void *buf, size_t old_len,
		   size_t new_len, size_t align);
void *memkit_remap_noprof(const struct memkit_allocator *a, void *buf, size_t old_len,
			  size_t new_len, size_t align, gfp_t gfp);

/**
 * memkit_remap() - resize a buffer, moving it if the backend can
 * @a: the allocator.
 * @buf: the buffer.
 * @old_len: its current length.
 * @new_len: the wanted length; 0 frees @buf and returns %MEMKIT_ZERO_PTR.
 * @align: its alignment.
 * @gfp: allocation flags.
 *
 * Unlike memkit_realloc() this never copies on its own: a backend without
 * remap only tries an in-place resize.
 *
 * Context: as the backend allows for @gfp.
 * Return: the buffer, possibly moved; NULL if it could not be resized (or
 * @old_len is 0), and then @buf is intact.
 */
#define memkit_remap(a, buf, old_len, new_len, align, gfp) \
	alloc_hooks(memkit_remap_noprof(a, buf, old_len, new_len, align, gfp))

void *memkit_realloc_noprof(const struct memkit_allocator *a, void *buf,
			    size_t old_len, size_t new_len, size_t align, gfp_t gfp);

/**
 * memkit_realloc() - resize a buffer by any means
 * @a: the allocator.
 * @buf: the buffer; may be zero-length.
 * @old_len: its current length; 0 allocates afresh.
 * @new_len: the wanted length; 0 frees @buf.
 * @align: its alignment, kept.
 * @gfp: allocation flags.
 *
 * Tries remap, then allocates a new buffer, copies min(@old_len, @new_len)
 * bytes and frees the old one.
 *
 * Context: as the backend allows for @gfp.
 * Return: the buffer (%MEMKIT_ZERO_PTR for 0), or NULL for lack of memory,
 * with @buf intact.
 */
#define memkit_realloc(a, buf, old_len, new_len, align, gfp) \
	alloc_hooks(memkit_realloc_noprof(a, buf, old_len, new_len, align, gfp))

void memkit_free(const struct memkit_allocator *a, void *buf, size_t len,
		 size_t align);
void memkit_free_nopoison(const struct memkit_allocator *a, void *buf,
			  size_t len, size_t align);
void *memkit_dupe_noprof(const struct memkit_allocator *a, const void *src,
			 size_t len, gfp_t gfp);

/**
 * memkit_dupe() - copy bytes into a new buffer
 * @a: the allocator.
 * @src: the bytes.
 * @len: how many.
 * @gfp: allocation flags.
 *
 * Context: as the backend allows for @gfp.
 * Return: the copy (alignment 1; %MEMKIT_ZERO_PTR for 0), or NULL.
 */
#define memkit_dupe(a, src, len, gfp) \
	alloc_hooks(memkit_dupe_noprof(a, src, len, gfp))

char *memkit_dupez_noprof(const struct memkit_allocator *a, const char *src,
			  size_t len, gfp_t gfp);

/**
 * memkit_dupez() - copy a string into a new NUL-terminated buffer
 * @a: the allocator.
 * @src: the characters; need not be terminated.
 * @len: how many; the buffer is @len + 1 bytes.
 * @gfp: allocation flags.
 *
 * Free it with memkit_free(@a, buf, @len + 1, 1).
 *
 * Context: as the backend allows for @gfp.
 * Return: the copy, or NULL (also if @len + 1 overflows).
 */
#define memkit_dupez(a, src, len, gfp) \
	alloc_hooks(memkit_dupez_noprof(a, src, len, gfp))

/**
 * memkit_alloc_obj() - allocate one object of a type
 * @a: the allocator.
 * @type: the object's type.
 * @gfp: allocation flags.
 *
 * Return: a pointer to uninitialised (or, with poisoning on, 0xaa-filled)
 * storage for one @type, or NULL.
 */
#define memkit_alloc_obj(a, type, gfp)					\
	((type *)memkit_alloc(a, sizeof(type), __alignof__(type), gfp))

/**
 * memkit_free_obj() - free one object from memkit_alloc_obj()
 * @a: the allocator.
 * @ptr: the object; its type gives the size and alignment.
 *
 * Like the original, destroy does not poison: the object's own type is
 * gone, nothing reads it as bytes.
 */
#define memkit_free_obj(a, ptr)						\
({									\
	typeof(ptr) __memkit_obj = (ptr);				\
									\
	memkit_free_nopoison(a, __memkit_obj, sizeof(*__memkit_obj),	\
			     __alignof__(*__memkit_obj));		\
})

/* Stock backends. */
extern const struct memkit_allocator memkit_kmalloc_allocator;
extern const struct memkit_allocator memkit_kvmalloc_allocator;
extern const struct memkit_allocator memkit_page_allocator;

/**
 * struct memkit_heap - an O(1) heap over a caller's memory buffer
 *
 * Sub-allocates a buffer the caller owns (a vmalloc'd region, a carve-out)
 * through a &struct memkit_range.  All fields are private.
 */
struct memkit_heap {
	/* private: */
	u8 *base;
	size_t size;
	struct memkit_range *range;
};

int memkit_heap_init_noprof(struct memkit_heap *heap, const char *name, void *base,
			    size_t size, u32 max_allocs);

/**
 * memkit_heap_init() - set up a heap over a memory buffer
 * @heap: the heap.
 * @name: debugfs name of its range (see memkit_range_create()), or NULL.
 * @base: the buffer; the caller owns it and keeps it alive.
 * @size: its length in bytes.
 * @max_allocs: most live allocations.
 *
 * Context: process context; may sleep.
 * Return: 0, or what memkit_range_create() returns.
 */
#define memkit_heap_init(heap, name, base, size, max_allocs) \
	alloc_hooks(memkit_heap_init_noprof(heap, name, base, size, max_allocs))

void memkit_heap_exit(struct memkit_heap *heap);
struct memkit_allocator memkit_heap_allocator(struct memkit_heap *heap);

#endif /* _MEMKIT_ALLOCATOR_H */
