// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_allocator: the stock kernel backends.
 */

#include <linux/align.h>
#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include <memkit/allocator.h>
#include <memkit/bug.h>
#include <memkit/compat.h>
#include <memkit/range.h>
#include <memkit/testing.h>

#include "internal.h"

/**
 * DOC: Backends
 *
 * - memkit_kmalloc_allocator: kmalloc().  Alignments above
 *   %ARCH_KMALLOC_MINALIGN are honoured by asking for a power-of-two size
 *   of at least the alignment, which kmalloc() aligns to its size.
 *   resize works within the allocation's kmalloc bucket (through
 *   krealloc(), which keeps KASAN's bounds exact); remap is krealloc() when
 *   the alignment is the default, else in place only.  Any context that
 *   @gfp allows.
 * - memkit_kvmalloc_allocator: kvmalloc(), for buffers that may be large.
 *   Alignment up to %PAGE_SIZE; larger alignments fail cleanly (NULL).
 *   remap is kvrealloc() for the default alignment.  Process context.
 * - memkit_page_allocator: whole pages from the page allocator, of order
 *   get_order(max(len, align)), so any alignment up to the largest order
 *   works.  resize succeeds while the order does not change.
 * - &struct memkit_heap: an O(1) heap inside a buffer the caller provides,
 *   through a &struct memkit_range (irq-safe).  Each allocation keeps its
 *   range handle in the max(align, 8) bytes before it.  Alignment up to
 *   the buffer's own.  Shrinks in place; does not grow.
 *
 * The test backends (failing on demand, validating the contract) are in
 * memkit_test.ko, <memkit/testing.h>.
 */

/*
 * Poisoning is a debugging aid that costs a memset per allocation and per
 * free.  It is on by default only where the kernel poisons its own slabs
 * by default (CONFIG_SLUB_DEBUG_ON); a distribution kernel, which has
 * CONFIG_DEBUG_KERNEL but not that, leaves it off.  memkit.poison=1 turns
 * it on anywhere.
 */
bool memkit_poison = IS_ENABLED(CONFIG_SLUB_DEBUG_ON);
module_param_named(poison, memkit_poison, bool, 0644);
MODULE_PARM_DESC(poison, "fill new and freed allocator buffers with 0xaa (default: CONFIG_SLUB_DEBUG_ON)");

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * memkit_poison_set() - turn poisoning on or off, for a test
 * @on: the new setting.
 *
 * Context: any; the setting is global, as the module parameter is.
 * Return: the previous setting.
 */
bool memkit_poison_set(bool on)
{
	bool old = READ_ONCE(memkit_poison);

	WRITE_ONCE(memkit_poison, on);
	return old;
}
EXPORT_SYMBOL_IF_KUNIT(memkit_poison_set);
#endif

/* kmalloc */

/*
 * The most each family is asked for: kmalloc() and krealloc() warn past
 * KMALLOC_MAX_SIZE, kvmalloc() and kvrealloc() past INT_MAX.  Longer
 * requests fail here, quietly, as a lack of memory.
 */
#define KVMALLOC_MAX_SIZE	((size_t)INT_MAX)

/*
 * What to ask for so that the result is @align-aligned, at most @max;
 * 0: can't.
 */
static size_t __kmalloc_size_for(size_t len, size_t align, size_t max)
{
	size_t size = len;

	/* kmalloc() aligns power-of-two sizes to their size. */
	if (align > ARCH_KMALLOC_MINALIGN)
		size = len > max / 2 + 1 ? 0 : max(align, roundup_pow_of_two(len));
	return size <= max ? size : 0;
}

static size_t kmalloc_size_for(size_t len, size_t align)
{
	return __kmalloc_size_for(len, align, KMALLOC_MAX_SIZE);
}

static void *kmalloc_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			   unsigned long ip)
{
	size_t size = kmalloc_size_for(len, align);

	return size ? kmalloc_noprof(size, gfp) : NULL;
}

/*
 * In place while the new size fits the bucket the buffer came from.
 * krealloc() is then guaranteed not to move it, and re-poisons KASAN's
 * view to exactly @new_len.
 */
static bool kmalloc_resize(void *ctx, void *buf, size_t old_len, size_t new_len,
			   size_t align, unsigned long ip)
{
	size_t want = kmalloc_size_for(new_len, align);
	void *ret;

	if (!want || want > kmalloc_size_roundup(kmalloc_size_for(old_len, align)))
		return false;
	ret = krealloc_noprof(buf, want, GFP_NOWAIT | __GFP_NOWARN);
	return !memkit_warn_once(ret != buf, "krealloc moved a buffer within its bucket");
}

static void *kmalloc_remap(void *ctx, void *buf, size_t old_len, size_t new_len,
			   size_t align, gfp_t gfp, unsigned long ip)
{
	if (align <= ARCH_KMALLOC_MINALIGN)
		return new_len <= KMALLOC_MAX_SIZE ? krealloc_noprof(buf, new_len, gfp) : NULL;
	return kmalloc_resize(ctx, buf, old_len, new_len, align, ip) ? buf : NULL;
}

static void kmalloc_free(void *ctx, void *buf, size_t len, size_t align,
			 unsigned long ip)
{
	kfree(buf);
}

static const struct memkit_allocator_ops kmalloc_ops = {
	.alloc = kmalloc_alloc,
	.resize = kmalloc_resize,
	.remap = kmalloc_remap,
	.free = kmalloc_free,
};

const struct memkit_allocator memkit_kmalloc_allocator = { .ops = &kmalloc_ops };
EXPORT_SYMBOL_MEMKIT(memkit_kmalloc_allocator);

/* kvmalloc */

static void *kvmalloc_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			    unsigned long ip)
{
	size_t size = __kmalloc_size_for(len, align, KVMALLOC_MAX_SIZE);

	/* The vmalloc path only guarantees page alignment. */
	if (!size || align > PAGE_SIZE)
		return NULL;
	return kvmalloc_noprof(size, gfp);
}

static bool kvmalloc_resize(void *ctx, void *buf, size_t old_len, size_t new_len,
			    size_t align, unsigned long ip)
{
	if (!is_vmalloc_addr(buf))
		return kmalloc_resize(ctx, buf, old_len, new_len, align, ip);
	return new_len <= old_len;
}

static void *kvmalloc_remap(void *ctx, void *buf, size_t old_len, size_t new_len,
			    size_t align, gfp_t gfp, unsigned long ip)
{
	if (align <= ARCH_KMALLOC_MINALIGN)
		return new_len <= KVMALLOC_MAX_SIZE ?
		       memkit_kvrealloc(buf, old_len, new_len, gfp) : NULL;
	return kvmalloc_resize(ctx, buf, old_len, new_len, align, ip) ? buf : NULL;
}

static void kvmalloc_free(void *ctx, void *buf, size_t len, size_t align,
			  unsigned long ip)
{
	kvfree(buf);
}

static const struct memkit_allocator_ops kvmalloc_ops = {
	.alloc = kvmalloc_alloc,
	.resize = kvmalloc_resize,
	.remap = kvmalloc_remap,
	.free = kvmalloc_free,
};

const struct memkit_allocator memkit_kvmalloc_allocator = { .ops = &kvmalloc_ops };
EXPORT_SYMBOL_MEMKIT(memkit_kvmalloc_allocator);

/* pages */

static unsigned int page_order(size_t len, size_t align)
{
	return get_order(max(len, align));
}

static void *page_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			unsigned long ip)
{
	unsigned int order = page_order(len, align);

	if (order > MAX_PAGE_ORDER)
		return NULL;
	return (void *)get_free_pages_noprof(gfp & ~__GFP_HIGHMEM, order);
}

static bool page_resize(void *ctx, void *buf, size_t old_len, size_t new_len,
			size_t align, unsigned long ip)
{
	return page_order(new_len, align) == page_order(old_len, align);
}

static void page_free(void *ctx, void *buf, size_t len, size_t align,
		      unsigned long ip)
{
	free_pages((unsigned long)buf, page_order(len, align));
}

static const struct memkit_allocator_ops page_ops = {
	.alloc = page_alloc,
	.resize = page_resize,
	.free = page_free,
};

const struct memkit_allocator memkit_page_allocator = { .ops = &page_ops };
EXPORT_SYMBOL_MEMKIT(memkit_page_allocator);

/* heap over a caller's buffer */

/* The handle's node and generation fill the last 8 of the max(align, 8) bytes before. */
static size_t heap_pad(size_t align)
{
	return max_t(size_t, align, 8);
}

static void *heap_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			unsigned long ip)
{
	struct memkit_heap *heap = ctx;
	size_t pad = heap_pad(align);
	struct memkit_oa_handle h;
	u8 *buf;

	/* Offsets are aligned; addresses only as far as the base is. */
	if (!IS_ALIGNED((unsigned long)heap->base, pad) || len > heap->size ||
	    memkit_range_alloc(heap->range, len + pad, pad, &h))
		return NULL;
	buf = heap->base + h.offset + pad;
	memcpy(buf - 2 * sizeof(u32), &h.node, sizeof(u32));
	memcpy(buf - sizeof(u32), &h.gen, sizeof(u32));
	return buf;
}

static bool heap_resize(void *ctx, void *buf, size_t old_len, size_t new_len,
			size_t align, unsigned long ip)
{
	return new_len <= old_len;
}

static void heap_free(void *ctx, void *buf, size_t len, size_t align,
		      unsigned long ip)
{
	struct memkit_heap *heap = ctx;
	size_t pad = heap_pad(align);
	struct memkit_oa_handle h = {
		.offset = (u8 *)buf - pad - heap->base,
	};

	memcpy(&h.node, (u8 *)buf - 2 * sizeof(u32), sizeof(u32));
	memcpy(&h.gen, (u8 *)buf - sizeof(u32), sizeof(u32));
	memkit_range_free(heap->range, &h);
}

static const struct memkit_allocator_ops heap_ops = {
	.alloc = heap_alloc,
	.resize = heap_resize,
	.free = heap_free,
};

/* memkit_heap_init() without its allocation tag: see the header. */
int memkit_heap_init_noprof(struct memkit_heap *heap, const char *name, void *base,
			    size_t size, u32 max_allocs)
{
	memset(heap, 0, sizeof(*heap));
	if (!base)
		return -EINVAL;
	heap->range = memkit_range_create_noprof(name, size, MEMKIT_RANGE_OFFSET, max_allocs);
	if (IS_ERR(heap->range)) {
		int ret = PTR_ERR(heap->range);

		heap->range = NULL;
		return ret;
	}
	heap->base = base;
	heap->size = size;
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_heap_init_noprof);

/**
 * memkit_heap_exit() - tear down a heap
 * @heap: the heap, or a zeroed one (then a no-op).
 *
 * Buffers still allocated are reported as leaks by the range.  The memory
 * buffer itself stays the caller's.
 *
 * Context: process context; may sleep.
 */
void memkit_heap_exit(struct memkit_heap *heap)
{
	memkit_range_destroy(heap->range);
	memset(heap, 0, sizeof(*heap));
}
EXPORT_SYMBOL_MEMKIT(memkit_heap_exit);

/**
 * memkit_heap_allocator() - the interface of a heap
 * @heap: an initialised heap.
 *
 * Context: any context.
 * Return: an allocator that allocates from @heap.
 */
struct memkit_allocator memkit_heap_allocator(struct memkit_heap *heap)
{
	return (struct memkit_allocator){ .ctx = heap, .ops = &heap_ops };
}
EXPORT_SYMBOL_MEMKIT(memkit_heap_allocator);
