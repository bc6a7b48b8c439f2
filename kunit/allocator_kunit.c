// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the memkit_allocator interface, its helpers, the stock
 * backends and the test backends.
 *
 * The generic cases are parameterised over every stock backend, each
 * wrapped in a validating allocator, so a helper that breaks the backend
 * contract (zero length, wrong length or alignment on free, a leak) fails
 * the case with a warning the runner catches.
 */

#include <kunit/test.h>
#include <linux/kallsyms.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <memkit/allocator.h>
#include <memkit/arena.h>
#include <memkit/bug.h>
#include <memkit/testing.h>

#include "memkit_kunit.h"

enum at_kind { AT_KMALLOC, AT_KVMALLOC, AT_PAGE, AT_HEAP, AT_ARENA, AT_ARENA_PASS };

/*
 * @grows_to_page: whether the backend grows a 25-byte buffer to 4000
 * bytes in place: only the page allocator (one page backs both); kmalloc
 * would need another bucket, the heap never grows, and the arena's first
 * buffer is too small.  Every backend shrinks in place.
 */
struct at_param {
	const char *name;
	enum at_kind kind;
	bool grows_to_page;
};

static const struct at_param at_params[] = {
	{ "kmalloc", AT_KMALLOC, false },
	{ "kvmalloc", AT_KVMALLOC, false },
	{ "page", AT_PAGE, true },
	{ "heap", AT_HEAP, false },
	{ "arena-bump", AT_ARENA, false },
	{ "arena-passthrough", AT_ARENA_PASS, false },
};

static void at_param_desc(const struct at_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(at_backend, at_params, at_param_desc);

#define AT_HEAP_SIZE	SZ_4M

KUNIT_DEFINE_ACTION_WRAPPER(at_vfree_action, vfree, const void *);
KUNIT_DEFINE_ACTION_WRAPPER(at_heap_exit_action, memkit_heap_exit,
			    struct memkit_heap *);
KUNIT_DEFINE_ACTION_WRAPPER(at_valid_exit_action, memkit_validating_allocator_exit,
			    struct memkit_validating_allocator *);
KUNIT_DEFINE_ACTION_WRAPPER(at_arena_exit_action, memkit_arena_exit,
			    struct memkit_arena *);

/* The backend for this parameter, behind a validating allocator. */
static struct memkit_allocator at_backend(struct kunit *test)
{
	const struct at_param *p = test->param_value;
	struct memkit_validating_allocator *va;
	struct memkit_allocator child;
	struct memkit_arena *arena;
	struct memkit_heap *heap;
	void *buf;

	switch (p->kind) {
	case AT_KMALLOC:
		child = memkit_kmalloc_allocator;
		break;
	case AT_KVMALLOC:
		child = memkit_kvmalloc_allocator;
		break;
	case AT_PAGE:
		child = memkit_page_allocator;
		break;
	case AT_HEAP:
		buf = vmalloc(AT_HEAP_SIZE);
		KUNIT_ASSERT_NOT_NULL(test, buf);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, at_vfree_action, buf), 0);
		heap = kunit_kzalloc(test, sizeof(*heap), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, heap);
		KUNIT_ASSERT_EQ(test, memkit_heap_init(heap, NULL, buf, AT_HEAP_SIZE, 4096), 0);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, at_heap_exit_action,
								heap), 0);
		child = memkit_heap_allocator(heap);
		break;
	case AT_ARENA:
	case AT_ARENA_PASS:
		arena = kunit_kzalloc(test, sizeof(*arena), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, arena);
		KUNIT_ASSERT_EQ(test, memkit_arena_init(arena, &memkit_kmalloc_allocator,
							p->kind == AT_ARENA ? MEMKIT_ARENA_BUMP :
							MEMKIT_ARENA_PASSTHROUGH), 0);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, at_arena_exit_action,
								arena), 0);
		child = memkit_arena_allocator(arena);
		break;
	}
	va = kunit_kzalloc(test, sizeof(*va), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, va);
	KUNIT_ASSERT_EQ(test, memkit_validating_allocator_init(va, &child), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, at_valid_exit_action, va), 0);
	return memkit_validating_as_allocator(va);
}

static bool at_aligned(const void *p, size_t align)
{
	return IS_ALIGNED((unsigned long)p, align);
}

/* Zero-length requests never reach the backend. */
static void at_zero_length(struct kunit *test)
{
	struct memkit_allocator inner = at_backend(test), a;
	struct memkit_failing_allocator fa;

	memkit_failing_allocator_init(&fa, &inner, UINT_MAX, UINT_MAX);
	a = memkit_failing_as_allocator(&fa);
	KUNIT_EXPECT_PTR_EQ(test, memkit_alloc(&a, 0, 8, GFP_KERNEL), MEMKIT_ZERO_PTR);
	KUNIT_EXPECT_PTR_EQ(test, memkit_alloc_array(&a, 0, 64, 8, GFP_KERNEL), MEMKIT_ZERO_PTR);
	KUNIT_EXPECT_PTR_EQ(test, memkit_dupe(&a, "x", 0, GFP_KERNEL), MEMKIT_ZERO_PTR);
	memkit_free(&a, MEMKIT_ZERO_PTR, 0, 8);
	KUNIT_EXPECT_EQ(test, fa.allocations, 0U);
	KUNIT_EXPECT_EQ(test, fa.deallocations, 0U);
}

/* 100 objects kept in an array that realloc grows to 20000 entries. */
static void at_create_many(struct kunit *test)
{
	struct memkit_allocator a = at_backend(test);
	size_t n = 100, i;
	int **slice;

	slice = memkit_alloc_array(&a, n, sizeof(*slice), __alignof__(int *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, slice);
	for (i = 0; i < n; i++) {
		slice[i] = memkit_alloc_obj(&a, int, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, slice[i]);
		*slice[i] = i;
	}
	slice = memkit_realloc(&a, slice, n * sizeof(*slice), 20000 * sizeof(*slice),
			       __alignof__(int *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, slice);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, *slice[i], (int)i);
		memkit_free_obj(&a, slice[i]);
	}
	memkit_free(&a, slice, 20000 * sizeof(*slice), __alignof__(int *));
}

/*
 * Shrink 50 -> 25 in place (every backend), then grow 25 -> 4000 (only
 * where one page backs both), then 0: the contents survive each step.
 */
static void at_resize_shrink(struct kunit *test)
{
	const struct at_param *p = test->param_value;
	struct memkit_allocator a = at_backend(test);
	size_t len = 50, i;
	u8 *buf = memkit_alloc(&a, len, 1, GFP_KERNEL);
	bool grew;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < len; i++)
		buf[i] = 0x5a ^ i;
	KUNIT_ASSERT_TRUE(test, memkit_resize(&a, buf, len, 25, 1));
	len = 25;
	for (i = 0; i < len; i++)
		KUNIT_ASSERT_EQ(test, buf[i], (u8)(0x5a ^ i));
	grew = memkit_resize(&a, buf, len, 4000, 1);
	KUNIT_EXPECT_EQ(test, grew, p->grows_to_page);
	if (grew) {
		/* KASAN: the grown bytes must really be there. */
		memset(buf + len, 0xa5, 4000 - len);
		len = 4000;
	}
	for (i = 0; i < 25; i++)
		KUNIT_ASSERT_EQ(test, buf[i], (u8)(0x5a ^ i));
	/* Resize to 0 frees and succeeds, whatever the backend. */
	KUNIT_EXPECT_TRUE(test, memkit_resize(&a, buf, len, 0, 1));
}

static void at_realloc_from_empty(struct kunit *test)
{
	struct memkit_allocator a = at_backend(test);
	u8 *buf = memkit_realloc(&a, MEMKIT_ZERO_PTR, 0, 10, 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_PTR_NE(test, buf, (u8 *)MEMKIT_ZERO_PTR);
	memset(buf, 1, 10);
	/* realloc to 0 frees and returns the empty buffer. */
	KUNIT_EXPECT_PTR_EQ(test, memkit_realloc(&a, buf, 10, 0, 1, GFP_KERNEL),
			    MEMKIT_ZERO_PTR);
}

/* Alignments 1..64 through alloc 10, realloc 100, resize 10, free. */
static void at_alignments(struct kunit *test)
{
	struct memkit_allocator a = at_backend(test);
	size_t align;

	for (align = 1; align <= 64; align *= 2) {
		size_t len = 10;
		u8 *buf = memkit_alloc(&a, len, align, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, buf);
		KUNIT_EXPECT_TRUE(test, at_aligned(buf, align));
		buf[0] = 0x11;
		buf = memkit_realloc(&a, buf, len, 100, align, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, buf);
		len = 100;
		KUNIT_EXPECT_TRUE(test, at_aligned(buf, align));
		KUNIT_EXPECT_EQ(test, buf[0], 0x11);
		/* Every backend shrinks in place. */
		KUNIT_EXPECT_TRUE(test, memkit_resize(&a, buf, len, 10, align));
		len = 10;
		KUNIT_EXPECT_EQ(test, buf[0], 0x11);
		memkit_free(&a, buf, len, align);
	}
}

/* A large alignment survives realloc to 5000 and 20000 bytes. */
static void at_large_alignment(struct kunit *test)
{
	struct memkit_allocator a = at_backend(test);
	size_t align = PAGE_SIZE / 2, len = 500;
	u8 *buf = memkit_alloc(&a, len, align, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_TRUE(test, at_aligned(buf, align));
	buf[0] = 0x42;
	buf = memkit_realloc(&a, buf, len, 5000, align, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_TRUE(test, at_aligned(buf, align));
	buf = memkit_realloc(&a, buf, 5000, 20000, align, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_TRUE(test, at_aligned(buf, align));
	KUNIT_EXPECT_EQ(test, buf[0], 0x42);
	memkit_free(&a, buf, 20000, align);
}

/* Shrinking a page-aligned 2 pages + 50 keeps the data and the alignment. */
static void at_aligned_shrink(struct kunit *test)
{
	struct memkit_allocator a = at_backend(test);
	size_t len = 2 * PAGE_SIZE + 50;
	u8 *buf = memkit_alloc(&a, len, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	buf[0] = 0x12;
	buf[60] = 0x34;
	buf = memkit_realloc(&a, buf, len, PAGE_SIZE * 2, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_TRUE(test, at_aligned(buf, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, buf[0], 0x12);
	KUNIT_EXPECT_EQ(test, buf[60], 0x34);
	memkit_free(&a, buf, PAGE_SIZE * 2, PAGE_SIZE);
}

static void at_remap_edges(struct kunit *test)
{
	struct memkit_allocator a = at_backend(test);
	u8 *buf = memkit_alloc(&a, 64, 8, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_NULL(test, memkit_remap(&a, MEMKIT_ZERO_PTR, 0, 10, 8, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, memkit_resize(&a, MEMKIT_ZERO_PTR, 0, 10, 8));
	/* Same length is a no-op that succeeds. */
	KUNIT_EXPECT_PTR_EQ(test, memkit_remap(&a, buf, 64, 64, 8, GFP_KERNEL), buf);
	KUNIT_EXPECT_PTR_EQ(test, memkit_remap(&a, buf, 64, 0, 8, GFP_KERNEL),
			    (u8 *)MEMKIT_ZERO_PTR);
}

static void at_array_overflow(struct kunit *test)
{
	struct memkit_allocator inner = at_backend(test), a;
	struct memkit_failing_allocator fa;

	memkit_failing_allocator_init(&fa, &inner, UINT_MAX, UINT_MAX);
	a = memkit_failing_as_allocator(&fa);
	KUNIT_EXPECT_NULL(test, memkit_alloc_array(&a, SIZE_MAX / 2, 3, 1, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, memkit_alloc_array(&a, 2, SIZE_MAX, 1, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, memkit_dupez(&a, "x", SIZE_MAX, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, fa.allocations + fa.alloc_index, 0U);
	KUNIT_EXPECT_FALSE(test, fa.has_induced_failure);
}

/*
 * Lengths no buffer can have: resize, remap and realloc of a live buffer
 * to them fail, the buffer intact (the validating allocator under the
 * backend checks the length it is finally freed with), and no backend
 * warns.  Before the helpers bounded lengths, the passthrough arena
 * wrapped new_len + pad and recorded a length near 2^64.
 */
static void at_oversized(struct kunit *test)
{
	static const size_t huge[] = {
		MEMKIT_ALLOC_MAX, MEMKIT_ALLOC_MAX + 1, SIZE_MAX - 10, SIZE_MAX,
		(size_t)INT_MAX + 1,
	};
	struct memkit_allocator a = at_backend(test);
	unsigned int i;
	u8 *buf;

	buf = memkit_alloc(&a, 16, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, 0x5a, 16);
	for (i = 0; i < ARRAY_SIZE(huge); i++) {
		KUNIT_EXPECT_FALSE_MSG(test, memkit_resize(&a, buf, 16, huge[i], 8),
				       "resize to %zu", huge[i]);
		KUNIT_EXPECT_NULL_MSG(test, memkit_remap(&a, buf, 16, huge[i], 8, GFP_KERNEL),
				      "remap to %zu", huge[i]);
		KUNIT_EXPECT_NULL_MSG(test, memkit_realloc(&a, buf, 16, huge[i], 8,
							   GFP_KERNEL | __GFP_NOWARN),
				      "realloc to %zu", huge[i]);
		KUNIT_EXPECT_NULL_MSG(test, memkit_alloc(&a, huge[i], 8, GFP_KERNEL | __GFP_NOWARN),
				      "alloc of %zu", huge[i]);
	}
	KUNIT_EXPECT_EQ(test, buf[0], 0x5a);
	KUNIT_EXPECT_EQ(test, buf[15], 0x5a);
	memkit_free(&a, buf, 16, 8);
}

/* free refuses what alloc would: a bad alignment, an impossible length. */
static void at_free_refuses(struct kunit *test)
{
	struct memkit_allocator inner = at_backend(test), a;
	struct memkit_failing_allocator fa;
	void *buf;

	memkit_failing_allocator_init(&fa, &inner, UINT_MAX, UINT_MAX);
	a = memkit_failing_as_allocator(&fa);
	buf = memkit_alloc(&a, 64, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	memkit_free(&a, buf, 64, 3);
	memkit_free(&a, buf, 64, 24);
	memkit_free(&a, buf, MEMKIT_ALLOC_MAX + 1, 8);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 3U);
	KUNIT_EXPECT_EQ(test, fa.deallocations, 0U);
	memkit_free(&a, buf, 64, 8);
	KUNIT_EXPECT_EQ(test, fa.deallocations, 1U);
}

/*
 * The passthrough arena's own resize, called directly (no helper in the
 * way), refuses a length whose header padding would wrap.
 */
static void at_arena_resize_wrap(struct kunit *test)
{
	struct memkit_arena *arena = kunit_kzalloc(test, sizeof(*arena), GFP_KERNEL);
	struct memkit_allocator a;
	struct memkit_arena_usage st;
	void *buf;

	KUNIT_ASSERT_NOT_NULL(test, arena);
	KUNIT_ASSERT_EQ(test, memkit_arena_init(arena, &memkit_kmalloc_allocator,
						MEMKIT_ARENA_PASSTHROUGH), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, at_arena_exit_action, arena), 0);
	a = memkit_arena_allocator(arena);
	buf = memkit_alloc(&a, 16, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_FALSE(test, a.ops->resize(a.ctx, buf, 16, SIZE_MAX - 10, 8, _THIS_IP_));
	KUNIT_EXPECT_NULL(test, a.ops->remap(a.ctx, buf, 16, SIZE_MAX - 10, 8, GFP_KERNEL,
					     _THIS_IP_));
	memkit_arena_stats(arena, &st);
	KUNIT_EXPECT_EQ(test, st.objects, (size_t)1);
	KUNIT_EXPECT_EQ(test, st.handed_out, (size_t)16);
	memkit_free(&a, buf, 16, 8);
}

static void at_dupe(struct kunit *test)
{
	struct memkit_allocator a = at_backend(test);
	static const char src[] = "memkit";
	char *d = memkit_dupe(&a, src, 6, GFP_KERNEL);
	char *z = memkit_dupez(&a, src, 3, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_ASSERT_NOT_NULL(test, z);
	KUNIT_EXPECT_EQ(test, memcmp(d, src, 6), 0);
	KUNIT_EXPECT_STREQ(test, z, "mem");
	memkit_free(&a, d, 6, 1);
	memkit_free(&a, z, 4, 1);
}

/* A realloc that cannot get memory fails and leaves the old buffer intact. */
static void at_realloc_failure(struct kunit *test)
{
	struct memkit_allocator inner = at_backend(test), a;
	struct memkit_failing_allocator fa;
	u8 *buf;

	memkit_failing_allocator_init(&fa, &inner, 1, 0);
	a = memkit_failing_as_allocator(&fa);
	buf = memkit_alloc(&a, 100, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, 0x77, 100);
	KUNIT_EXPECT_NULL(test, memkit_realloc(&a, buf, 100, 1 << 16, 8, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, fa.has_induced_failure);
	KUNIT_EXPECT_EQ(test, buf[0], 0x77);
	KUNIT_EXPECT_EQ(test, buf[99], 0x77);
	memkit_free(&a, buf, 100, 8);
	KUNIT_EXPECT_EQ(test, fa.allocated_bytes, fa.freed_bytes);
}

/* With poisoning on (memkit.poison=1), a new buffer is all 0xaa. */
static void at_poison_alloc(struct kunit *test)
{
	struct memkit_allocator a = at_backend(test);
	u8 *buf;

	memkit_kunit_poison_on(test);
	buf = memkit_alloc(&a, 33, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_NULL(test, memchr_inv(buf, 0xaa, 33));
	memkit_free(&a, buf, 33, 1);
}

/* A backend that notes what a buffer holds when it is freed. */
struct at_spy {
	u8 first, last;
	unsigned int frees;
};

static void *at_spy_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			  unsigned long ip)
{
	return kmalloc(len, gfp);
}

static void at_spy_free(void *ctx, void *buf, size_t len, size_t align,
			unsigned long ip)
{
	struct at_spy *spy = ctx;

	spy->first = ((u8 *)buf)[0];
	spy->last = ((u8 *)buf)[len - 1];
	spy->frees++;
	kfree(buf);
}

static const struct memkit_allocator_ops at_spy_ops = {
	.alloc = at_spy_alloc,
	.free = at_spy_free,
};

/* free poisons the whole buffer; destroy does not. */
static void at_poison_free(struct kunit *test)
{
	struct at_spy spy = {};
	struct memkit_allocator a = { .ctx = &spy, .ops = &at_spy_ops };
	u8 *buf;
	u64 *obj;

	memkit_kunit_poison_on(test);
	buf = memkit_alloc(&a, 40, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, 0, 40);
	memkit_free(&a, buf, 40, 1);
	KUNIT_EXPECT_EQ(test, spy.first, 0xaa);
	KUNIT_EXPECT_EQ(test, spy.last, 0xaa);

	obj = memkit_alloc_obj(&a, u64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	*obj = 0;
	memkit_free_obj(&a, obj);
	KUNIT_EXPECT_EQ(test, spy.first, 0);
	KUNIT_EXPECT_EQ(test, spy.frees, 2U);
	/* A backend without resize or remap: realloc copies. */
	buf = memkit_alloc(&a, 8, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	buf[0] = 9;
	KUNIT_EXPECT_FALSE(test, memkit_resize(&a, buf, 8, 16, 1));
	buf = memkit_realloc(&a, buf, 8, 16, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, buf[0], 9);
	memkit_free(&a, buf, 16, 1);
}

static void at_failing_semantics(struct kunit *test)
{
	struct memkit_failing_allocator fa;
	struct memkit_allocator a;
	void *p[4];

	memkit_failing_allocator_init(&fa, &memkit_kmalloc_allocator, 2, UINT_MAX);
	a = memkit_failing_as_allocator(&fa);
	p[0] = memkit_alloc(&a, 10, 1, GFP_KERNEL);
	p[1] = memkit_alloc(&a, 20, 1, GFP_KERNEL);
	p[2] = memkit_alloc(&a, 30, 1, GFP_KERNEL);
	p[3] = memkit_alloc(&a, 1, 1, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p[0]);
	KUNIT_EXPECT_NOT_NULL(test, p[1]);
	/* The failing index fails, and so does everything after it. */
	KUNIT_EXPECT_NULL(test, p[2]);
	KUNIT_EXPECT_NULL(test, p[3]);
	KUNIT_EXPECT_EQ(test, fa.alloc_index, 2U);
	KUNIT_EXPECT_EQ(test, fa.allocations, 2U);
	KUNIT_EXPECT_EQ(test, fa.allocated_bytes, (size_t)30);
	/* Frees always go through and are counted. */
	memkit_free(&a, p[0], 10, 1);
	memkit_free(&a, p[1], 20, 1);
	KUNIT_EXPECT_EQ(test, fa.deallocations, 2U);
	KUNIT_EXPECT_EQ(test, fa.freed_bytes, (size_t)30);
}

static noinline void *at_failing_caller(const struct memkit_allocator *a)
{
	void *p = memkit_alloc(a, 8, 1, GFP_KERNEL);

	barrier();	/* not a tail call: the return address must be ours */
	return p;
}

/* The first induced failure records who asked. */
static void at_failing_records_ip(struct kunit *test)
{
	struct memkit_failing_allocator fa;
	struct memkit_allocator a;
	char *sym = kunit_kzalloc(test, KSYM_SYMBOL_LEN, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sym);
	memkit_failing_allocator_init(&fa, &memkit_kmalloc_allocator, 0, UINT_MAX);
	a = memkit_failing_as_allocator(&fa);
	KUNIT_EXPECT_NULL(test, at_failing_caller(&a));
	KUNIT_ASSERT_TRUE(test, fa.has_induced_failure);
	sprint_symbol(sym, fa.fail_ip);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(sym, "at_failing_caller"), "fail_ip is %s", sym);
}

static void at_failing_resize_index(struct kunit *test)
{
	struct memkit_failing_allocator fa;
	struct memkit_allocator a;
	u8 *buf;

	memkit_failing_allocator_init(&fa, &memkit_kmalloc_allocator, UINT_MAX, 1);
	a = memkit_failing_as_allocator(&fa);
	buf = memkit_alloc(&a, 100, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* Resize index 0 goes through (kmalloc keeps 96..128 in place). */
	KUNIT_EXPECT_TRUE(test, memkit_resize(&a, buf, 100, 120, 8));
	KUNIT_EXPECT_EQ(test, fa.resize_index, 1U);
	/* Index 1 fails, for resize and remap alike, and keeps failing. */
	KUNIT_EXPECT_FALSE(test, memkit_resize(&a, buf, 120, 100, 8));
	KUNIT_EXPECT_NULL(test, memkit_remap(&a, buf, 120, 4000, 8, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, fa.has_induced_failure);
	/* Allocations are unaffected. */
	buf = memkit_realloc(&a, buf, 120, 4000, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memkit_free(&a, buf, 4000, 8);
	KUNIT_EXPECT_EQ(test, fa.allocated_bytes, fa.freed_bytes);
}

/* A backend that returns buffers misaligned by one byte. */
static void *at_skew_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			   unsigned long ip)
{
	u8 *buf = kmalloc(len + 1, gfp);

	return buf ? buf + 1 : NULL;
}

static void at_skew_free(void *ctx, void *buf, size_t len, size_t align,
			 unsigned long ip)
{
	kfree((u8 *)buf - 1);
}

static const struct memkit_allocator_ops at_skew_ops = {
	.alloc = at_skew_alloc,
	.free = at_skew_free,
};

static void at_validating_catches(struct kunit *test)
{
	static const struct memkit_allocator skew = { .ops = &at_skew_ops };
	struct memkit_validating_allocator va, vs;
	struct memkit_allocator a, s;
	u8 stranger[8], *buf;

	KUNIT_ASSERT_EQ(test, memkit_validating_allocator_init(&va, &memkit_kmalloc_allocator), 0);
	KUNIT_ASSERT_EQ(test, memkit_validating_allocator_init(&vs, &skew), 0);
	a = memkit_validating_as_allocator(&va);
	s = memkit_validating_as_allocator(&vs);
	buf = memkit_alloc(&a, 64, 8, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, buf);

	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	/* A zero length straight to the backend. */
	KUNIT_EXPECT_NULL(test, a.ops->alloc(a.ctx, 0, 1, GFP_KERNEL, _THIS_IP_));
	/* Misaligned result: refused and given back. */
	KUNIT_EXPECT_NULL(test, memkit_alloc(&s, 16, 8, GFP_KERNEL));
	/* Free with the wrong length, then the wrong alignment: refused. */
	memkit_free(&a, buf, 63, 8);
	memkit_free(&a, buf, 64, 16);
	/* Free of a buffer it never handed out. */
	memkit_free(&a, stranger, 8, 8);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 5U);

	/* The buffer is still tracked: the right free works, silently. */
	memkit_free(&a, buf, 64, 8);
	memkit_validating_allocator_exit(&va);
	memkit_validating_allocator_exit(&vs);
}

/* A leak is reported at exit, and freed. */
static void at_validating_leak(struct kunit *test)
{
	struct memkit_validating_allocator va;
	struct memkit_allocator a;

	KUNIT_ASSERT_EQ(test, memkit_validating_allocator_init(&va, &memkit_kmalloc_allocator), 0);
	a = memkit_validating_as_allocator(&va);
	KUNIT_EXPECT_NOT_NULL(test, memkit_alloc(&a, 100, 8, GFP_KERNEL));
	KUNIT_EXPECT_NOT_NULL(test, memkit_alloc(&a, 1000, 8, GFP_KERNEL));
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	memkit_validating_allocator_exit(&va);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 1U);
}

/* Bodies for the failure sweep: a correct one and two buggy ones. */
static int at_body_ok(const struct memkit_allocator *a, void *arg)
{
	u8 *x, *y, *z;

	x = memkit_alloc(a, 16, 8, GFP_KERNEL);
	if (!x)
		return -ENOMEM;
	y = memkit_alloc(a, 32, 8, GFP_KERNEL);
	if (!y)
		goto free_x;
	z = memkit_realloc(a, y, 32, 64 << 10, 8, GFP_KERNEL);
	if (!z)
		goto free_y;
	memkit_free(a, z, 64 << 10, 8);
	memkit_free(a, x, 16, 8);
	return 0;
free_y:
	memkit_free(a, y, 32, 8);
free_x:
	memkit_free(a, x, 16, 8);
	return -ENOMEM;
}

/* @arg gets what it leaks, so the test can give it back. */
static int at_body_leaks(const struct memkit_allocator *a, void *arg)
{
	u8 *x = memkit_alloc(a, 16, 8, GFP_KERNEL), *y;

	if (!x)
		return -ENOMEM;
	y = memkit_alloc(a, 32, 8, GFP_KERNEL);
	if (!y) {
		*(void **)arg = x;
		return -ENOMEM;		/* bug: x is not freed */
	}
	memkit_free(a, y, 32, 8);
	memkit_free(a, x, 16, 8);
	return 0;
}

static int at_body_swallows(const struct memkit_allocator *a, void *arg)
{
	u8 *x = memkit_alloc(a, 16, 8, GFP_KERNEL);

	if (x)
		memkit_free(a, x, 16, 8);
	return 0;			/* bug: the failure is not reported */
}

static void at_check_all_failures(struct kunit *test)
{
	struct memkit_alloc_failure_report r;
	void *leaked = NULL;
	const struct memkit_allocator *k = &memkit_kmalloc_allocator;

	KUNIT_EXPECT_EQ(test, memkit_check_all_allocation_failures(k, at_body_ok, NULL, &r), 0);
	/* x and y; growing y is a krealloc (remap), not a new allocation. */
	KUNIT_EXPECT_EQ(test, r.allocations, 2U);
	KUNIT_EXPECT_EQ(test, r.bad_index, -1);

	KUNIT_EXPECT_EQ(test, memkit_check_all_allocation_failures(k, at_body_leaks, &leaked, &r),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, r.bad_index, 1);
	KUNIT_EXPECT_EQ(test, r.ret, -ENOMEM);
	KUNIT_EXPECT_EQ(test, r.leaked_bytes, (size_t)16);
	KUNIT_EXPECT_NOT_NULL(test, leaked);
	memkit_free(&memkit_kmalloc_allocator, leaked, 16, 8);

	KUNIT_EXPECT_EQ(test, memkit_check_all_allocation_failures(k, at_body_swallows, NULL, &r),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, r.bad_index, 0);
	KUNIT_EXPECT_EQ(test, r.ret, 0);
}

static void at_kmalloc_big_alignment(struct kunit *test)
{
	size_t align;

	for (align = 16; align <= PAGE_SIZE * 4; align *= 2) {
		u8 *buf = memkit_alloc(&memkit_kmalloc_allocator, 24, align, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, buf);
		KUNIT_EXPECT_TRUE_MSG(test, at_aligned(buf, align), "align %zu", align);
		memkit_free(&memkit_kmalloc_allocator, buf, 24, align);
	}
}

static void at_page_big_alignment(struct kunit *test)
{
	size_t align = 16 * PAGE_SIZE;
	u8 *buf = memkit_alloc(&memkit_page_allocator, 100, align, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_TRUE(test, at_aligned(buf, align));
	/* Within the same order: in place. */
	KUNIT_EXPECT_TRUE(test, memkit_resize(&memkit_page_allocator, buf, 100, 1000, align));
	memkit_free(&memkit_page_allocator, buf, 1000, align);
}

static void at_kvmalloc_large(struct kunit *test)
{
	const struct memkit_allocator *a = &memkit_kvmalloc_allocator;
	/* Beyond the largest page order: only vmalloc can provide it. */
	u8 *buf = memkit_alloc(a, SZ_8M, 8, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(buf));
	buf[SZ_8M - 1] = 3;
	buf = memkit_realloc(a, buf, SZ_8M, SZ_16M, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, buf[SZ_8M - 1], 3);
	memkit_free(a, buf, SZ_16M, 8);
	/* Alignment beyond a page cannot be promised: a clean NULL. */
	KUNIT_EXPECT_NULL(test, memkit_alloc(a, SZ_4M, 2 * PAGE_SIZE, GFP_KERNEL));
}

static void at_heap(struct kunit *test)
{
	struct memkit_heap heap;
	struct memkit_allocator a;
	void *bufs[64];
	unsigned int n = 0, i;
	u8 *mem;

	KUNIT_EXPECT_EQ(test, memkit_heap_init(&heap, NULL, NULL, 100, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_heap_init(&heap, NULL, &heap, 0, 4), -EINVAL);
	mem = kunit_kmalloc(test, SZ_64K, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_ASSERT_EQ(test, memkit_heap_init(&heap, NULL, mem, SZ_64K, 64), 0);
	a = memkit_heap_allocator(&heap);

	while (n < ARRAY_SIZE(bufs) && (bufs[n] = memkit_alloc(&a, 2000, 8, GFP_KERNEL)))
		n++;
	/* 2000 + 8 bytes each: 32 fit in 64 KiB, not 33. */
	KUNIT_EXPECT_EQ(test, n, 32U);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_TRUE(test, (u8 *)bufs[i] >= mem && (u8 *)bufs[i] < mem + SZ_64K);
		memkit_free(&a, bufs[i], 2000, 8);
	}
	bufs[0] = memkit_alloc(&a, SZ_64K - 64, 64, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, bufs[0], (void *)(mem + 64));
	memkit_free(&a, bufs[0], SZ_64K - 64, 64);
	memkit_heap_exit(&heap);
	memkit_heap_exit(&heap);
}

/*
 * Unwinding: a named heap (a range and its debugfs files) and a validating
 * allocator over it, then 16 allocations through both (each recorded in
 * the validator's xarray), with each allocation along the way failing in
 * turn.
 */
struct at_unwind {
	struct memkit_heap heap;
	struct memkit_validating_allocator va;
	void *bufs[16];
	u8 *mem;
	bool heap_up;
};

static int at_unwind_make(struct kunit *test, void *arg)
{
	struct at_unwind *u = arg;
	struct memkit_allocator child, a;
	unsigned int i;
	int ret;

	memset(u->bufs, 0, sizeof(u->bufs));
	u->va.live = NULL;
	ret = memkit_heap_init(&u->heap, "kt-unwind-heap", u->mem, SZ_64K, 64);
	u->heap_up = !ret;
	if (ret)
		return ret;
	child = memkit_heap_allocator(&u->heap);
	ret = memkit_validating_allocator_init(&u->va, &child);
	if (ret)
		return ret;
	a = memkit_validating_as_allocator(&u->va);
	for (i = 0; i < ARRAY_SIZE(u->bufs); i++) {
		u->bufs[i] = memkit_alloc(&a, 100, 8, GFP_KERNEL);
		if (!u->bufs[i])
			return -ENOMEM;
	}
	return 0;
}

static void at_unwind_check(struct kunit *test, void *arg, int ret)
{
	struct at_unwind *u = arg;
	struct memkit_allocator a;
	unsigned int i;

	if (u->va.live) {
		a = memkit_validating_as_allocator(&u->va);
		for (i = 0; i < ARRAY_SIZE(u->bufs) && u->bufs[i]; i++)
			memkit_free(&a, u->bufs[i], 100, 8);
		/* The validator holds nothing now, or its exit would warn. */
		memkit_validating_allocator_exit(&u->va);
	}
	if (u->heap_up)
		memkit_heap_exit(&u->heap);
}

static void at_heap_unwinds(struct kunit *test)
{
	struct at_unwind *u = kunit_kzalloc(test, sizeof(*u), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, u);
	u->mem = kunit_kmalloc(test, SZ_64K, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, u->mem);
	memkit_kunit_each_failure(test, at_unwind_make, at_unwind_check, u);
}

static struct kunit_case memkit_allocator_cases[] = {
	KUNIT_CASE_PARAM(at_zero_length, at_backend_gen_params),
	KUNIT_CASE_PARAM(at_create_many, at_backend_gen_params),
	KUNIT_CASE_PARAM(at_resize_shrink, at_backend_gen_params),
	KUNIT_CASE_PARAM(at_realloc_from_empty, at_backend_gen_params),
	KUNIT_CASE_PARAM(at_alignments, at_backend_gen_params),
	KUNIT_CASE_PARAM(at_large_alignment, at_backend_gen_params),
	KUNIT_CASE_PARAM(at_aligned_shrink, at_backend_gen_params),
	KUNIT_CASE_PARAM(at_remap_edges, at_backend_gen_params),
	KUNIT_CASE_PARAM(at_array_overflow, at_backend_gen_params),
	KUNIT_CASE_PARAM(at_oversized, at_backend_gen_params),
	KUNIT_CASE_PARAM(at_free_refuses, at_backend_gen_params),
	KUNIT_CASE(at_arena_resize_wrap),
	KUNIT_CASE_PARAM(at_dupe, at_backend_gen_params),
	KUNIT_CASE_PARAM(at_realloc_failure, at_backend_gen_params),
	KUNIT_CASE_PARAM(at_poison_alloc, at_backend_gen_params),
	KUNIT_CASE(at_poison_free),
	KUNIT_CASE(at_failing_semantics),
	KUNIT_CASE(at_failing_records_ip),
	KUNIT_CASE(at_failing_resize_index),
	KUNIT_CASE(at_validating_catches),
	KUNIT_CASE(at_validating_leak),
	KUNIT_CASE(at_check_all_failures),
	KUNIT_CASE(at_kmalloc_big_alignment),
	KUNIT_CASE(at_page_big_alignment),
	KUNIT_CASE(at_kvmalloc_large),
	KUNIT_CASE(at_heap),
	KUNIT_CASE(at_heap_unwinds),
	{}
};

static struct kunit_suite memkit_allocator_suite = {
	.name = "memkit_allocator",
	.test_cases = memkit_allocator_cases,
};

kunit_test_suites(&memkit_allocator_suite);
