// SPDX-License-Identifier: GPL-2.0
/*
 * The memkit_allocator helpers and the failing allocator, natively, under
 * ASan/UBSan, over ut_malloc_allocator (which checks every length and
 * alignment handed back to it).
 *
 *  - alloc, alloc_array, dupe, dupez, resize, remap, realloc and free:
 *    each edge the interface promises (zero lengths, lengths past
 *    MEMKIT_ALLOC_MAX, overflowing arrays, bad alignments refused with a
 *    warning, contents kept across a move, the poison fill);
 *  - the failing allocator: exactly the allocation and the resize it is
 *    told to fail, and the byte and call counts it keeps;
 *  - memkit_check_all_allocation_failures(): a body that unwinds right
 *    passes; one that leaks, and one that returns the wrong error, are
 *    caught at the index where they go wrong.
 */

#include <memkit/allocator.h>
#include <memkit/bug.h>
#include <memkit/testing.h>

#include "harness.h"

static const struct memkit_allocator *ut = &ut_malloc_allocator;

static bool all(const u8 *p, size_t len, u8 byte)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != byte)
			return false;
	return true;
}

static void helpers(void)
{
	bool poison;
	u8 *p, *q;
	char *s;

	UT_CHECK(memkit_alloc(ut, 0, 8, GFP_KERNEL) == MEMKIT_ZERO_PTR, "alloc of 0");
	UT_CHECK(!memkit_alloc(ut, MEMKIT_ALLOC_MAX + 1, 8, GFP_KERNEL), "alloc past the max");
	UT_CHECK(!memkit_alloc_array(ut, SIZE_MAX / 2, 3, 8, GFP_KERNEL), "array overflow");
	UT_CHECK(memkit_alloc_array(ut, 0, 8, 8, GFP_KERNEL) == MEMKIT_ZERO_PTR, "array of 0");
	UT_ASSERT(memkit_expect_warnings_begin() == 0, "expecting twice");
	UT_CHECK(!memkit_alloc(ut, 8, 3, GFP_KERNEL), "alignment 3");
	UT_CHECK(memkit_expect_warnings_end() == 1, "alignment 3 not reported");

	/* The poison fill: new bytes are 0xaa, a realloc keeps the old ones. */
	poison = memkit_poison;
	memkit_poison = true;
	p = memkit_alloc_array(ut, 10, 4, 8, GFP_KERNEL);
	UT_ASSERT(p && all(p, 40, 0xaa), "a new buffer is poisoned");
	memset(p, 1, 40);
	UT_CHECK(memkit_resize(ut, p, 40, 40, 8) && all(p, 40, 1), "resize to the same length");
	UT_CHECK(memkit_resize(ut, p, 40, 20, 8), "shrink in place");
	UT_CHECK(!memkit_resize(ut, p, 20, 30, 8), "ut_malloc grows nothing in place");
	UT_CHECK(!memkit_remap(ut, p, 20, 30, 8, GFP_KERNEL), "remap without remap or room");
	UT_CHECK(!memkit_resize(ut, p, 0, 30, 8), "resize of an empty buffer");
	UT_CHECK(!memkit_resize(ut, p, 20, MEMKIT_ALLOC_MAX + 1, 8), "resize past the max");
	q = memkit_realloc(ut, p, 20, 100, 8, GFP_KERNEL);
	UT_ASSERT(q && all(q, 20, 1) && all(q + 20, 80, 0xaa), "realloc moved the contents");
	UT_CHECK(!memkit_realloc(ut, q, 100, MEMKIT_ALLOC_MAX + 1, 8, GFP_KERNEL) &&
		 all(q, 20, 1), "realloc past the max leaves the buffer");
	UT_CHECK(memkit_realloc(ut, q, 100, 0, 8, GFP_KERNEL) == MEMKIT_ZERO_PTR, "realloc to 0");
	p = memkit_realloc(ut, MEMKIT_ZERO_PTR, 0, 16, 8, GFP_KERNEL);
	UT_ASSERT(p && p != MEMKIT_ZERO_PTR, "realloc from empty");
	UT_CHECK(memkit_resize(ut, p, 16, 0, 8), "resize to 0 frees");
	memkit_poison = poison;

	s = memkit_dupez(ut, "memkit!", 6, GFP_KERNEL);
	UT_ASSERT(s && !strcmp(s, "memkit"), "dupez");
	UT_CHECK(!memkit_dupez(ut, "x", SIZE_MAX, GFP_KERNEL), "dupez of SIZE_MAX");
	p = memkit_dupe(ut, s, 7, GFP_KERNEL);
	UT_ASSERT(p && !memcmp(p, "memkit", 7), "dupe");
	UT_CHECK(memkit_dupe(ut, s, 0, GFP_KERNEL) == MEMKIT_ZERO_PTR, "dupe of 0");
	memkit_free(ut, s, 7, 1);
	memkit_free_nopoison(ut, p, 7, 1);
	memkit_free(ut, MEMKIT_ZERO_PTR, 0, 1);
	UT_ASSERT(memkit_expect_warnings_begin() == 0, "expecting twice");
	memkit_free(ut, p, MEMKIT_ALLOC_MAX + 1, 1);	/* no buffer has that length */
	UT_CHECK(memkit_expect_warnings_end() == 1, "free past the max not reported");
}

static void failing(void)
{
	struct memkit_failing_allocator fa;
	struct memkit_allocator a;
	u8 *p[4];

	memkit_failing_allocator_init(&fa, ut, 2, 1);
	a = memkit_failing_as_allocator(&fa);
	p[0] = memkit_alloc(&a, 10, 8, GFP_KERNEL);
	p[1] = memkit_alloc(&a, 20, 8, GFP_KERNEL);
	UT_ASSERT(p[0] && p[1] && !fa.has_induced_failure, "allocations 0 and 1");
	UT_CHECK(!memkit_alloc(&a, 30, 8, GFP_KERNEL) && fa.has_induced_failure &&
		 fa.failures == 1 && fa.fail_ip, "allocation 2 fails");
	UT_CHECK(!memkit_alloc(&a, 30, 8, GFP_KERNEL) && fa.failures == 2,
		 "and every one after it");
	UT_CHECK(memkit_resize(&a, p[0], 10, 5, 8), "resize 0 succeeds");
	UT_CHECK(!memkit_resize(&a, p[1], 20, 10, 8) && fa.failures == 3, "resize 1 fails");
	UT_CHECK(!memkit_remap(&a, p[1], 20, 10, 8, GFP_KERNEL) && fa.failures == 4,
		 "remap counts with resize");
	UT_CHECK(fa.allocations == 2 && fa.alloc_index == 2 && fa.resize_index == 1,
		 "counts: %u allocations, index %u, %u resizes", fa.allocations, fa.alloc_index,
		 fa.resize_index);
	UT_CHECK(fa.allocated_bytes == 30 && fa.freed_bytes == 5, "bytes %zu out, %zu back",
		 fa.allocated_bytes, fa.freed_bytes);
	memkit_free(&a, p[0], 5, 8);
	memkit_free(&a, p[1], 20, 8);
	UT_CHECK(fa.deallocations == 2 && fa.freed_bytes == 30, "frees counted");

	/* A remap through to a child that has one: counted as a resize. */
	memkit_failing_allocator_init(&fa, ut, UINT_MAX, UINT_MAX);
	a = memkit_failing_as_allocator(&fa);
	p[0] = memkit_alloc(&a, 64, 8, GFP_KERNEL);
	UT_ASSERT(p[0], "alloc");
	UT_CHECK(memkit_remap(&a, p[0], 64, 32, 8, GFP_KERNEL) == p[0] && fa.resize_index == 1,
		 "remap by the child's resize");
	memkit_free(&a, p[0], 32, 8);
}

/* Bodies for the sweep: three buffers, freed as each one says. */
enum body_kind { BODY_GOOD, BODY_LEAKS, BODY_WRONG_ERROR };
static void *leaked;	/* what the leaky body dropped, freed by the test */

static int body(const struct memkit_allocator *a, void *arg)
{
	enum body_kind kind = *(enum body_kind *)arg;
	void *p[3];
	int i, ret = 0;

	for (i = 0; i < 3; i++) {
		p[i] = memkit_alloc(a, 16 << i, 8, GFP_KERNEL);
		if (!p[i]) {
			ret = kind == BODY_WRONG_ERROR ? -EIO : -ENOMEM;
			/* The leaky body forgets the first buffer on this path. */
			if (kind == BODY_LEAKS && i == 2) {
				leaked = p[0];
				p[0] = NULL;
			}
			break;
		}
	}
	while (i--)
		if (p[i])
			memkit_free(a, p[i], 16 << i, 8);
	return ret;
}

static void sweep(void)
{
	struct memkit_alloc_failure_report r;
	enum body_kind kind = BODY_GOOD;

	UT_CHECK(memkit_check_all_allocation_failures(ut, body, &kind, &r) == 0 &&
		 r.allocations == 3 && r.bad_index == -1, "a body that unwinds: %d at %d",
		 r.ret, r.bad_index);
	kind = BODY_WRONG_ERROR;
	UT_CHECK(memkit_check_all_allocation_failures(ut, body, &kind, &r) == -EINVAL &&
		 r.bad_index == 0 && r.ret == -EIO, "the wrong error: at %d, %d",
		 r.bad_index, r.ret);
	kind = BODY_LEAKS;
	UT_CHECK(memkit_check_all_allocation_failures(ut, body, &kind, &r) == -EINVAL &&
		 r.bad_index == 2 && r.leaked_bytes == 16, "a leak: at %d, %zu bytes",
		 r.bad_index, r.leaked_bytes);
	UT_ASSERT(leaked, "the leaky body never leaked");
	memkit_free(ut, leaked, 16, 8);
}

int main(int argc, char **argv)
{
	struct ut_args args;
	struct ut_rng rng;

	ut_init(argc, argv, "test_allocator", 0, &args, &rng);
	helpers();
	failing();
	sweep();
	return ut_finish("test_allocator");
}
