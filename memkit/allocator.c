// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_allocator: the interface's helpers.
 */

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/string.h>

#include <memkit/allocator.h>
#include <memkit/bug.h>
#include <memkit/compat.h>

#include "internal.h"

/**
 * DOC: Overview
 *
 * A &struct memkit_allocator is a context pointer and an ops table with
 * four calls: alloc, resize (in place or fail), remap (may move) and free.
 * Code written against it does not care where memory comes from: kmalloc,
 * kvmalloc, whole pages, a heap inside a buffer the caller owns, an arena
 * (&struct memkit_arena) or a test backend that fails on demand.
 *
 * The helpers here give every backend the same semantics, so backends
 * only implement the plain cases:
 *
 * - A zero-length request returns %MEMKIT_ZERO_PTR without calling the
 *   backend; freeing a zero-length buffer does nothing.
 * - resize to 0 frees and succeeds; resize of a zero-length buffer fails.
 *   remap to 0 frees and returns %MEMKIT_ZERO_PTR; remap of a zero-length
 *   buffer returns NULL.
 * - realloc: from empty it allocates, to 0 it frees; otherwise remap,
 *   else alloc + copy + free.  It fails only for lack of memory, and the
 *   old buffer is intact then.
 * - alloc_array fails cleanly (NULL, no backend call) on overflow.
 * - Alignment is a power of two; 0 means 1.  Anything else is a caller bug,
 *   in free as everywhere: warned, refused, the backend not called.
 * - No length above %MEMKIT_ALLOC_MAX reaches a backend: alloc, resize,
 *   remap and realloc to such a length fail with the buffer intact, and a
 *   free of one (no allocation can have it) is a caller bug, refused.
 * - With poisoning on (module parameter ``poison``, default on in kernels
 *   with CONFIG_SLUB_DEBUG_ON), new buffers and freed buffers are filled
 *   with 0xaa, as the original does in safe builds; memkit_free_obj() does
 *   not poison.
 *
 * Complexity: the helpers add O(1) (plus the copy in realloc and the fill
 * when poisoning).  Locking: none of their own; each backend states its
 * own rule.
 */

static __always_inline void *__memkit_alloc(const struct memkit_allocator *a, size_t len,
					    size_t align, gfp_t gfp, unsigned long ip)
{
	return memkit_alloc_call(a->ops, a->ctx, len, align, gfp, ip);
}

static void __memkit_free(const struct memkit_allocator *a, void *buf,
			  size_t len, size_t align, bool poison,
			  unsigned long ip)
{
	if (!len || !memkit_align_ok(&align) ||
	    memkit_warn_once(len > MEMKIT_ALLOC_MAX, "free of %zu bytes, more than any allocation",
			     len))
		return;
	if (poison)
		memkit_poison_fill(buf, len);
	a->ops->free(a->ctx, buf, len, align, ip);
}

/*
 * resize and remap share their edge cases; @remap picks which backend op
 * is tried.  Returns the buffer (possibly moved), MEMKIT_ZERO_PTR after a
 * resize to 0, or NULL.
 */
static void *__memkit_resize(const struct memkit_allocator *a, void *buf,
			     size_t old_len, size_t new_len, size_t align,
			     bool remap, gfp_t gfp, unsigned long ip)
{
	void *ret = NULL;

	if (!memkit_align_ok(&align) || new_len > MEMKIT_ALLOC_MAX)
		return NULL;
	if (!new_len) {
		__memkit_free(a, buf, old_len, align, true, ip);
		return MEMKIT_ZERO_PTR;
	}
	if (!old_len)
		return NULL;
	if (new_len == old_len)
		return buf;

	if (remap && a->ops->remap)
		ret = a->ops->remap(a->ctx, buf, old_len, new_len, align, gfp, ip);
	else if (a->ops->resize && a->ops->resize(a->ctx, buf, old_len, new_len, align, ip))
		ret = buf;
	if (ret && new_len > old_len)
		memkit_poison_fill((u8 *)ret + old_len, new_len - old_len);
	return ret;
}

/* memkit_alloc() without its allocation tag: see the header. */
void *memkit_alloc_noprof(const struct memkit_allocator *a, size_t len, size_t align,
			  gfp_t gfp)
{
	return __memkit_alloc(a, len, align, gfp, _RET_IP_);
}
EXPORT_SYMBOL_MEMKIT(memkit_alloc_noprof);

/* memkit_alloc_array() without its allocation tag: see the header. */
void *memkit_alloc_array_noprof(const struct memkit_allocator *a, size_t n,
				size_t size, size_t align, gfp_t gfp)
{
	size_t len;

	if (check_mul_overflow(n, size, &len))
		return NULL;
	return __memkit_alloc(a, len, align, gfp, _RET_IP_);
}
EXPORT_SYMBOL_MEMKIT(memkit_alloc_array_noprof);

/**
 * memkit_resize() - grow or shrink a buffer in place
 * @a: the allocator.
 * @buf: the buffer.
 * @old_len: its current length.
 * @new_len: the wanted length; 0 frees @buf.
 * @align: its alignment.
 *
 * Context: as the backend's resize and free allow.
 * Return: true if @buf now has @new_len bytes (or was freed for 0); false
 * if the backend could not, or @old_len is 0 (and nothing changed).
 */
bool memkit_resize(const struct memkit_allocator *a, void *buf, size_t old_len,
		   size_t new_len, size_t align)
{
	return __memkit_resize(a, buf, old_len, new_len, align, false, 0, _RET_IP_);
}
EXPORT_SYMBOL_MEMKIT(memkit_resize);

/* memkit_remap() without its allocation tag: see the header. */
void *memkit_remap_noprof(const struct memkit_allocator *a, void *buf, size_t old_len,
			  size_t new_len, size_t align, gfp_t gfp)
{
	return __memkit_resize(a, buf, old_len, new_len, align, true, gfp, _RET_IP_);
}
EXPORT_SYMBOL_MEMKIT(memkit_remap_noprof);

/* memkit_realloc() without its allocation tag: see the header. */
void *memkit_realloc_noprof(const struct memkit_allocator *a, void *buf,
			    size_t old_len, size_t new_len, size_t align, gfp_t gfp)
{
	void *ret;

	if (!old_len)
		return __memkit_alloc(a, new_len, align, gfp, _RET_IP_);
	ret = __memkit_resize(a, buf, old_len, new_len, align, true, gfp, _RET_IP_);
	if (ret || !memkit_align_ok(&align))
		return ret;

	ret = __memkit_alloc(a, new_len, align, gfp, _RET_IP_);
	if (!ret)
		return NULL;
	memcpy(ret, buf, min(old_len, new_len));
	__memkit_free(a, buf, old_len, align, true, _RET_IP_);
	return ret;
}
EXPORT_SYMBOL_MEMKIT(memkit_realloc_noprof);

/**
 * memkit_free() - free a buffer
 * @a: the allocator.
 * @buf: the buffer.
 * @len: its length; 0 does nothing.
 * @align: its alignment.
 *
 * Context: as the backend's free allows.
 */
void memkit_free(const struct memkit_allocator *a, void *buf, size_t len,
		 size_t align)
{
	__memkit_free(a, buf, len, align, true, _RET_IP_);
}
EXPORT_SYMBOL_MEMKIT(memkit_free);

/**
 * memkit_free_nopoison() - free a buffer without poisoning it
 * @a: the allocator.
 * @buf: the buffer.
 * @len: its length; 0 does nothing.
 * @align: its alignment.
 *
 * What memkit_free_obj() uses.
 *
 * Context: as the backend's free allows.
 */
void memkit_free_nopoison(const struct memkit_allocator *a, void *buf,
			  size_t len, size_t align)
{
	__memkit_free(a, buf, len, align, false, _RET_IP_);
}
EXPORT_SYMBOL_MEMKIT(memkit_free_nopoison);

/* memkit_dupe() without its allocation tag: see the header. */
void *memkit_dupe_noprof(const struct memkit_allocator *a, const void *src,
			 size_t len, gfp_t gfp)
{
	void *buf = __memkit_alloc(a, len, 1, gfp, _RET_IP_);

	if (buf && len)
		memcpy(buf, src, len);
	return buf;
}
EXPORT_SYMBOL_MEMKIT(memkit_dupe_noprof);

/* memkit_dupez() without its allocation tag: see the header. */
char *memkit_dupez_noprof(const struct memkit_allocator *a, const char *src,
			  size_t len, gfp_t gfp)
{
	char *buf;

	if (len == SIZE_MAX)
		return NULL;
	buf = __memkit_alloc(a, len + 1, 1, gfp, _RET_IP_);
	if (buf) {
		memcpy(buf, src, len);
		buf[len] = '\0';
	}
	return buf;
}
EXPORT_SYMBOL_MEMKIT(memkit_dupez_noprof);
