// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for memkit_oa, the O(1) offset allocator.
 *
 * The behaviour is that of the original offset allocators (bins, reuse,
 * merging), plus every upstream bug listed in the reference as a case that
 * must pass here, plus memkit's own contract: 64-bit ranges, any
 * power-of-two alignment, reserve, exact max_allocs, never a false -ENOSPC,
 * and refusal of bad handles.  Every case ends with memkit_oa_check().
 */

#include <kunit/test.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include <memkit/bug.h>
#include <memkit/offset_alloc.h>
#include <memkit/testing.h>

#include "memkit_kunit.h"

#define MiB BIT_ULL(20)

static u64 oa_seed;

KUNIT_DEFINE_ACTION_WRAPPER(oa_exit_action, memkit_oa_exit, struct memkit_oa *);

/* A fresh allocator freed when the test ends. */
static struct memkit_oa *oa_new(struct kunit *test, u64 size, u32 max_allocs)
{
	struct memkit_oa *oa = kunit_kzalloc(test, sizeof(*oa), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, oa);
	KUNIT_ASSERT_EQ(test, memkit_oa_init(oa, size, max_allocs), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, oa_exit_action, oa), 0);
	return oa;
}

/* Allocate and expect a given offset; returns the handle. */
static struct memkit_oa_handle oa_expect_at(struct kunit *test, struct memkit_oa *oa,
					    u64 size, u64 align, u64 offset)
{
	struct memkit_oa_handle h;

	KUNIT_EXPECT_EQ_MSG(test, memkit_oa_alloc(oa, size, align, &h), 0,
			    "alloc %llu align %llu", size, align);
	KUNIT_EXPECT_EQ_MSG(test, h.offset, offset, "alloc %llu align %llu", size, align);
	return h;
}

static void oa_expect_report(struct kunit *test, struct memkit_oa *oa, u64 free,
			     u64 largest)
{
	struct memkit_oa_usage r;

	memkit_oa_report(oa, &r);
	KUNIT_EXPECT_EQ(test, r.free, free);
	KUNIT_EXPECT_EQ(test, r.largest_free, largest);
}

static void oa_check(struct kunit *test, struct memkit_oa *oa)
{
	KUNIT_EXPECT_EQ(test, memkit_oa_check(oa), 0);
}

static void oa_bin_mapping(struct kunit *test)
{
	static const struct { u64 size; u32 up, down; } pairs[] = {
		{ 17, 17, 16 }, { 118, 39, 38 }, { 1024, 64, 64 },
		{ 65536, 112, 112 }, { 529445, 137, 136 }, { 1048575, 144, 143 },
		{ U64_MAX, MEMKIT_OA_MAX_BIN + 1, MEMKIT_OA_MAX_BIN },
	};
	struct rnd_state rs;
	unsigned int i;
	u32 bin;

	for (i = 0; i <= 16; i++) {
		KUNIT_EXPECT_EQ(test, memkit_oa_bin_round_up(i), i);
		KUNIT_EXPECT_EQ(test, memkit_oa_bin_round_down(i), i);
	}
	for (i = 0; i < ARRAY_SIZE(pairs); i++) {
		KUNIT_EXPECT_EQ(test, memkit_oa_bin_round_up(pairs[i].size), pairs[i].up);
		KUNIT_EXPECT_EQ(test, memkit_oa_bin_round_down(pairs[i].size), pairs[i].down);
	}
	/* Every bin's size maps back to the bin, both ways. */
	for (bin = 0; bin <= MEMKIT_OA_MAX_BIN; bin++) {
		u64 size = memkit_oa_bin_size(bin);

		KUNIT_EXPECT_EQ(test, memkit_oa_bin_round_up(size), bin);
		KUNIT_EXPECT_EQ(test, memkit_oa_bin_round_down(size), bin);
		if (bin)
			KUNIT_EXPECT_GT(test, size, memkit_oa_bin_size(bin - 1));
	}
	/* Round-down never overstates a size, round-up never understates it. */
	prandom_seed_state(&rs, oa_seed);
	for (i = 0; i < 10000; i++) {
		u64 s = prandom_u32_state(&rs) | ((u64)prandom_u32_state(&rs) << 32);

		s >>= prandom_u32_state(&rs) % 64;
		KUNIT_EXPECT_LE(test, memkit_oa_bin_size(memkit_oa_bin_round_down(s)), s);
		if (memkit_oa_bin_round_up(s) <= MEMKIT_OA_MAX_BIN)
			KUNIT_EXPECT_GE(test, memkit_oa_bin_size(memkit_oa_bin_round_up(s)), s);
	}
}

static void oa_init_bad_args(struct kunit *test)
{
	struct memkit_oa oa;

	KUNIT_EXPECT_EQ(test, memkit_oa_init(&oa, 0, 16), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_oa_init(&oa, 100, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_oa_init(&oa, 100, MEMKIT_OA_MAX_ALLOCS + 1), -EINVAL);
	/* A failed init leaves a zeroed allocator; exit on it is a no-op. */
	memkit_oa_exit(&oa);
	memkit_oa_exit(&oa);
}

/*
 * Every max_allocs the header calls valid fits the one kvmalloc() buffer
 * (before, the limit was 2^31 and 34 M and up made kvmalloc() WARN: it
 * refuses more than INT_MAX bytes); one past it is refused.  A large
 * table is really allocated and checked; the largest needs 2 GiB, more
 * than the test guest has, so it is not tried here.
 */
static void oa_init_largest(struct kunit *test)
{
	static const u32 counts[] = { 1 << 20, 3 << 20 };
	struct memkit_oa oa;
	unsigned int i;
	int ret;

	KUNIT_EXPECT_EQ(test, memkit_oa_init(&oa, U64_MAX, MEMKIT_OA_MAX_ALLOCS + 1), -EINVAL);
	KUNIT_EXPECT_GT(test, (2ULL * (MEMKIT_OA_MAX_ALLOCS + 1) + 1) * MEMKIT_OA_NODE_BYTES +
			MEMKIT_OA_NUM_BINS * sizeof(u32), (u64)INT_MAX);

	KUNIT_EXPECT_LE(test, (2ULL * MEMKIT_OA_MAX_ALLOCS + 1) * MEMKIT_OA_NODE_BYTES +
			MEMKIT_OA_NUM_BINS * sizeof(u32), (u64)INT_MAX);
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		ret = memkit_oa_init(&oa, U64_MAX, counts[i]);
		KUNIT_EXPECT_TRUE_MSG(test, ret == 0 || ret == -ENOMEM, "max_allocs %u: %d",
				      counts[i], ret);
		if (!ret)
			KUNIT_EXPECT_EQ(test, memkit_oa_check(&oa), 0);
		memkit_oa_exit(&oa);
	}
}

/*
 * Reset is O(bins): nodes past the fresh mark keep their old contents, so
 * a handle from before the reset that names one must still be refused,
 * even though that node's bytes still say "used at this offset".
 */
static void oa_reset_stale_handles(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 1000, 8);
	struct memkit_oa_handle h[4];
	unsigned int i, stale = 0;

	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, memkit_oa_alloc(oa, 10, 1, &h[i]), 0);
	memkit_oa_reset(oa);
	KUNIT_EXPECT_EQ(test, memkit_oa_check(oa), 0);
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	/* Node 0 holds the whole range after a reset; every other is past the mark. */
	for (i = 0; i < 4; i++) {
		if (!h[i].node)
			continue;
		KUNIT_EXPECT_GE(test, h[i].node, oa->fresh);
		KUNIT_EXPECT_EQ_MSG(test, memkit_oa_free(oa, &h[i]), -EINVAL, "handle %u", i);
		stale++;
	}
	KUNIT_EXPECT_GE(test, stale, 3U);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), stale);
	KUNIT_EXPECT_EQ(test, memkit_oa_check(oa), 0);
	/* Nodes are handed out again from the fresh mark and the spare list. */
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 10, 1, &h[0]), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 10, 1, &h[0]), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_oa_check(oa), 0);
}

struct oa_walk_seen {
	u64 next;	/* where the next region must start */
	u32 regions;
	bool ordered;
};

static void oa_walk_note(u64 offset, u64 size, bool used, u32 color, void *arg)
{
	struct oa_walk_seen *w = arg;

	w->ordered &= offset == w->next;
	w->next = offset + size;
	w->regions++;
}

/* A chunked walk sees every region once, in order; a merged-away cursor is -EAGAIN. */
static void oa_walk_chunks(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 1000, 64);
	struct oa_walk_seen w = { .ordered = true };
	struct memkit_oa_handle *h = kunit_kcalloc(test, 50, sizeof(*h), GFP_KERNEL);
	struct memkit_oa_cursor cur = {};
	unsigned int i, calls = 0;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, h);
	for (i = 0; i < 50; i++)
		KUNIT_ASSERT_EQ(test, memkit_oa_alloc(oa, 10, 1, &h[i]), 0);
	for (i = 0; i < 50; i += 2)
		KUNIT_ASSERT_EQ(test, memkit_oa_free(oa, &h[i]), 0);
	/* 50 allocations' worth of alternating regions, then the free tail. */
	do {
		ret = memkit_oa_walk_chunk(oa, &cur, 7, oa_walk_note, &w);
		calls++;
	} while (ret > 0);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_TRUE(test, w.ordered);
	KUNIT_EXPECT_EQ(test, w.regions, 51U);
	KUNIT_EXPECT_EQ(test, w.next, 1000ULL);
	KUNIT_EXPECT_EQ(test, calls, 8U);
	/* The unchunked walk is one chunk of the same. */
	memset(&w, 0, sizeof(w));
	w.ordered = true;
	memkit_oa_walk_regions(oa, oa_walk_note, &w);
	KUNIT_EXPECT_TRUE(test, w.ordered);
	KUNIT_EXPECT_EQ(test, w.regions, 51U);

	/* Stop on a used region, free it: it merges into its free neighbour. */
	memset(&cur, 0, sizeof(cur));
	memset(&w, 0, sizeof(w));
	KUNIT_ASSERT_EQ(test, memkit_oa_walk_chunk(oa, &cur, 1, oa_walk_note, &w), 1);
	KUNIT_EXPECT_EQ(test, cur.offset, 10ULL);
	KUNIT_ASSERT_EQ(test, memkit_oa_free(oa, &h[1]), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_walk_chunk(oa, &cur, 1, oa_walk_note, &w), -EAGAIN);
	KUNIT_EXPECT_EQ(test, w.regions, 1U);
}

/*
 * A freed node handed out again at the same offset: the old handle names
 * the same node and offset, and only its generation tells it apart.
 */
static void oa_stale_handle_reused_node(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 1000, 16);
	struct memkit_oa_handle old, cur;
	u64 size;

	KUNIT_ASSERT_EQ(test, memkit_oa_alloc(oa, 10, 1, &old), 0);
	KUNIT_ASSERT_EQ(test, memkit_oa_free(oa, &old), 0);
	KUNIT_ASSERT_EQ(test, memkit_oa_alloc(oa, 500, 1, &cur), 0);
	KUNIT_ASSERT_EQ(test, cur.node, old.node);
	KUNIT_ASSERT_EQ(test, cur.offset, old.offset);
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &old), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_oa_resize(oa, &old, 5), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 2U);
	/* The silent queries refuse it too, without a warning. */
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc_size(oa, &old, &size), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc_size(oa, &cur, &size), 0);
	KUNIT_EXPECT_EQ(test, size, 500ULL);
	oa_expect_report(test, oa, 500, 500);
	oa_check(test, oa);
}

/*
 * Node storage that grows: segment 0 of 64 nodes, then segments that
 * double it; the wrong buffer size is refused and stays the caller's.
 */
static void oa_grow_segments(struct kunit *test)
{
	struct memkit_oa *oa = kunit_kzalloc(test, sizeof(*oa), GFP_KERNEL);
	struct memkit_oa_handle h;
	struct memkit_oa_usage r;
	u32 n = 0, segs = 0;
	size_t bytes;
	u64 meta;
	void *mem;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, oa);
	KUNIT_ASSERT_EQ(test, memkit_oa_init_flags(oa, 1 << 20, 1, 1000, 0), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, oa_exit_action, oa), 0);
	memkit_oa_report(oa, &r);
	KUNIT_EXPECT_EQ(test, r.nodes, 64U);
	KUNIT_EXPECT_EQ(test, r.metadata_bytes, sizeof(*oa) + 64 * MEMKIT_OA_NODE_BYTES +
			MEMKIT_OA_NUM_BINS * sizeof(u32));
	/* Each allocation leaves a one-unit hole: two nodes apiece. */
	while ((ret = memkit_oa_alloc(oa, 3, 4, &h)) != -ENOSPC) {
		if (!ret) {
			n++;
			continue;
		}
		KUNIT_ASSERT_EQ(test, ret, -ENOMEM);
		bytes = memkit_oa_grow_size(oa, 1);
		KUNIT_ASSERT_NE(test, bytes, (size_t)0);
		/* The next segment is as large as everything before it. */
		memkit_oa_report(oa, &r);
		KUNIT_EXPECT_EQ(test, bytes, (size_t)r.nodes * MEMKIT_OA_NODE_BYTES);
		mem = kvmalloc(bytes, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, mem);
		KUNIT_EXPECT_EQ(test, memkit_oa_grow(oa, mem, bytes / 2), -EINVAL);
		KUNIT_ASSERT_EQ(test, memkit_oa_grow(oa, mem, bytes), 0);
		/* The footprint grows by exactly the segment. */
		meta = r.metadata_bytes;
		memkit_oa_report(oa, &r);
		KUNIT_EXPECT_EQ(test, r.metadata_bytes, meta + bytes);
		segs++;
		KUNIT_ASSERT_EQ(test, memkit_oa_check(oa), 0);
	}
	/* Stopped by max_allocs, not by nodes: 64 doubled five times covers 2001. */
	KUNIT_EXPECT_EQ(test, n, 1000U);
	KUNIT_EXPECT_EQ(test, segs, 5U);
	memkit_oa_report(oa, &r);
	KUNIT_EXPECT_EQ(test, r.nodes, 2048U);
	KUNIT_EXPECT_EQ(test, memkit_oa_grow_size(oa, 1000), (size_t)0);
	/* Reset keeps the storage. */
	memkit_oa_reset(oa);
	memkit_oa_report(oa, &r);
	KUNIT_EXPECT_EQ(test, r.nodes, 2048U);
	oa_check(test, oa);
}

static void oa_init_flags_bad_args(struct kunit *test)
{
	struct memkit_oa oa;

	KUNIT_EXPECT_EQ(test, memkit_oa_init_flags(&oa, 100, 11, 10, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_oa_init_flags(&oa, 100, 1, 10, BIT(7)), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_oa_init_flags(&oa, 100, 1,
						   memkit_oa_max_allocs(MEMKIT_OA_LOOKUP) + 1,
						   MEMKIT_OA_LOOKUP), -EINVAL);
	KUNIT_EXPECT_LT(test, memkit_oa_max_allocs(MEMKIT_OA_PRIV | MEMKIT_OA_LOOKUP),
			memkit_oa_max_allocs(0));
	KUNIT_EXPECT_EQ(test, memkit_oa_max_allocs(0), (u32)MEMKIT_OA_MAX_ALLOCS);
	/* initial == max: all storage now, nothing to grow. */
	KUNIT_ASSERT_EQ(test, memkit_oa_init_flags(&oa, 100, 10, 10, 0), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_grow_size(&oa, 10), (size_t)0);
	memkit_oa_exit(&oa);
}

static void oa_basic(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 256 * MiB, 1024);
	struct memkit_oa_handle h = oa_expect_at(test, oa, 1337, 1, 0);

	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &h), 0);
	oa_expect_report(test, oa, 256 * MiB, 256 * MiB);
	oa_check(test, oa);
}

/* Zero-size requests are refused; the rest pack from 0. */
static void oa_simple(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 256 * MiB, 1024);
	struct memkit_oa_handle a, b, c, d, e;

	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 0, 1, &a), -EINVAL);
	KUNIT_EXPECT_EQ(test, a.node, MEMKIT_OA_NO_NODE);
	b = oa_expect_at(test, oa, 1, 1, 0);
	c = oa_expect_at(test, oa, 123, 1, 1);
	d = oa_expect_at(test, oa, 1234, 1, 124);
	oa_check(test, oa);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &b), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &c), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &d), 0);
	e = oa_expect_at(test, oa, 256 * MiB, 1, 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &e), 0);
	oa_check(test, oa);
}

static void oa_merge_trivial(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 256 * MiB, 1024);
	struct memkit_oa_handle a = oa_expect_at(test, oa, 1337, 1, 0), b;

	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &a), 0);
	b = oa_expect_at(test, oa, 1337, 1, 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &b), 0);
	oa_expect_report(test, oa, 256 * MiB, 256 * MiB);
	oa_check(test, oa);
}

static void oa_reuse_trivial(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 256 * MiB, 1024);
	struct memkit_oa_handle a = oa_expect_at(test, oa, 1024, 1, 0);
	struct memkit_oa_handle b = oa_expect_at(test, oa, 3456, 1, 1024), c;

	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &a), 0);
	c = oa_expect_at(test, oa, 1024, 1, 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &b), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &c), 0);
	oa_expect_report(test, oa, 256 * MiB, 256 * MiB);
	oa_check(test, oa);
}

static void oa_reuse_complex(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 256 * MiB, 1024);
	struct memkit_oa_handle a = oa_expect_at(test, oa, 1024, 1, 0);
	struct memkit_oa_handle b = oa_expect_at(test, oa, 3456, 1, 1024);
	struct memkit_oa_handle c, d, e, all;

	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &a), 0);
	c = oa_expect_at(test, oa, 2345, 1, 4480);
	d = oa_expect_at(test, oa, 456, 1, 0);
	e = oa_expect_at(test, oa, 512, 1, 456);
	oa_check(test, oa);

	/* Storage report: the exact remainder, not one region. */
	oa_expect_report(test, oa, 256 * MiB - 3456 - 2345 - 456 - 512,
			 256 * MiB - 4480 - 2345);

	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &b), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &c), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &d), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &e), 0);
	all = oa_expect_at(test, oa, 256 * MiB, 1, 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &all), 0);
	oa_check(test, oa);
}

static void oa_zero_fragmentation(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 256 * MiB, 1024);
	static const u32 scattered[] = { 243, 5, 123, 95 };
	static const u32 adjacent[] = { 151, 152, 153, 154 };
	struct memkit_oa_handle *h;
	struct memkit_oa_handle big;
	unsigned int i;

	h = kunit_kcalloc(test, 256, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	for (i = 0; i < 256; i++)
		h[i] = oa_expect_at(test, oa, MiB, 1, i * MiB);
	oa_expect_report(test, oa, 0, 0);

	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &h[scattered[i]]), 0);
		KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &h[adjacent[i]]), 0);
	}
	oa_check(test, oa);
	/* Four single holes and one 4 MiB hole: all refillable exactly. */
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, MiB, 1, &h[scattered[i]]), 0);
		KUNIT_EXPECT_EQ(test, h[scattered[i]].offset % MiB, 0ULL);
	}
	big = oa_expect_at(test, oa, 4 * MiB, 1, 151 * MiB);
	oa_expect_report(test, oa, 0, 0);

	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &big), 0);
	for (i = 0; i < 256; i++)
		if (i < 151 || i > 154)
			KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &h[i]), 0);
	oa_expect_report(test, oa, 256 * MiB, 256 * MiB);
	oa_check(test, oa);
}

/* sebbbi/OffsetAllocator issue #3: a request equal to the whole range. */
static void oa_upstream_whole_513(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 513, 128);
	struct memkit_oa_handle h = oa_expect_at(test, oa, 513, 1, 0);

	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &h), 0);
	oa_check(test, oa);
}

/* pcwalton/offset-allocator #9: max_allocs 2 failed the first allocation. */
static void oa_upstream_36864_two_allocs(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 36864, 2);
	struct memkit_oa_handle a, b, c;

	a = oa_expect_at(test, oa, 36864, 1, 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &a), 0);
	a = oa_expect_at(test, oa, 4096, 1, 0);
	b = oa_expect_at(test, oa, 4096, 1, 4096);
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 4096, 1, &c), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &a), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &b), 0);
	oa_expect_report(test, oa, 36864, 36864);
	oa_check(test, oa);
}

/* PR #11: the remainder after 255 sits in a bin below a 67 request. */
static void oa_upstream_324(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 324, 16);

	oa_expect_at(test, oa, 255, 1, 0);
	oa_expect_at(test, oa, 67, 1, 255);
	oa_expect_report(test, oa, 2, 2);
	oa_check(test, oa);
}

/* PR #14: a large request in the bin of the whole range. */
static void oa_upstream_699050(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 699050, 43690);

	oa_expect_at(test, oa, 664908, 1, 0);
	oa_expect_report(test, oa, 699050 - 664908, 699050 - 664908);
	oa_check(test, oa);
}

/*
 * The C++ original fails when every hole sits in the bin below the
 * rounded-up request; here the holes are found and nothing overlaps
 * (the proposed upstream round-down fixes produced overlaps).
 */
static void oa_no_false_enospc(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 10 * 1000, 64);
	struct memkit_oa_handle h[10];
	unsigned int i;

	for (i = 0; i < 10; i++)
		h[i] = oa_expect_at(test, oa, 1000, 1, i * 1000);
	for (i = 0; i < 10; i += 2)
		KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &h[i]), 0);
	/* 1000 rounds up to a bin above every 1000-unit hole. */
	KUNIT_EXPECT_GT(test, memkit_oa_bin_round_up(1000), memkit_oa_bin_round_down(1000));
	for (i = 0; i < 10; i += 2) {
		KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 1000, 1, &h[i]), 0);
		KUNIT_EXPECT_EQ(test, memkit_kunit_mod(h[i].offset, 1000), 0U);
	}
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 1, 1, &h[0]), -ENOSPC);
	oa_expect_report(test, oa, 0, 0);
	oa_check(test, oa);
}

/* max_allocs means exactly that many live allocations. */
static void oa_max_allocs_exact(struct kunit *test)
{
	const u32 max = 64;
	struct memkit_oa *oa = oa_new(test, 1 << 20, max);
	struct memkit_oa_handle *h, extra;
	u32 i;

	h = kunit_kcalloc(test, max, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	/* Odd alignments leave a free gap before most allocations. */
	for (i = 0; i < max; i++)
		KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 3, i % 2 ? 16 : 1, &h[i]), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 1, 1, &extra), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, (1 << 20) - 1, 1, &extra), -ENOSPC);
	oa_check(test, oa);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &h[7]), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 1, 1, &h[7]), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 1, 1, &extra), -ENOSPC);
	for (i = 0; i < max; i++)
		KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &h[i]), 0);
	oa_expect_report(test, oa, 1 << 20, 1 << 20);
	oa_check(test, oa);
}

/*
 * The worst case for nodes: every allocation with a free region on both
 * sides.  2 * max_allocs + 1 nodes must be enough.
 */
static void oa_nodes_never_run_out(struct kunit *test)
{
	const u32 max = 100;
	struct memkit_oa *oa = oa_new(test, 1 << 20, max);
	struct memkit_oa_handle h;
	struct memkit_oa_usage r;
	u32 i;

	for (i = 0; i < max; i++) {
		KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, 2 * i + 1, 1, &h), 0);
		KUNIT_EXPECT_EQ(test, h.offset, 2ULL * i + 1);
	}
	memkit_oa_report(oa, &r);
	KUNIT_EXPECT_EQ(test, r.allocs, max);
	KUNIT_EXPECT_EQ(test, r.free_regions, max + 1);
	oa_check(test, oa);
}

static void oa_alignment_all_powers(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, U64_MAX, 8);
	struct memkit_oa_handle first = oa_expect_at(test, oa, 1, 1, 0), h;
	struct memkit_oa_usage r;
	unsigned int shift;

	for (shift = 1; shift < 64; shift++) {
		u64 align = 1ULL << shift;

		/* Offset 0 is taken, so the first aligned offset is align. */
		h = oa_expect_at(test, oa, 1, align, align);
		KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &h), 0);
	}
	/* The padding went back to the free lists: one region after 0. */
	memkit_oa_report(oa, &r);
	KUNIT_EXPECT_EQ(test, r.free, U64_MAX - 1);
	KUNIT_EXPECT_EQ(test, r.free_regions, 1U);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &first), 0);
	oa_check(test, oa);
}

static void oa_alignment_padding(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 1000, 16);
	struct memkit_oa_handle a = oa_expect_at(test, oa, 1, 1, 0);
	struct memkit_oa_handle b = oa_expect_at(test, oa, 10, 64, 64);
	struct memkit_oa_handle c = oa_expect_at(test, oa, 5, 1, 1);
	struct memkit_oa_usage r;

	memkit_oa_report(oa, &r);
	KUNIT_EXPECT_EQ(test, r.free, 1000ULL - 16);
	KUNIT_EXPECT_EQ(test, r.free_regions, 2U);
	/* A region only reachable through alignment fallback. */
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &a), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &b), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &c), 0);
	oa_expect_report(test, oa, 1000, 1000);
	oa_check(test, oa);
}

/* Alignment in a range too small for it is -ENOSPC, not a bad offset. */
static void oa_alignment_too_big(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 4096, 16);
	struct memkit_oa_handle a = oa_expect_at(test, oa, 1, 1, 0), h;

	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 1, 4096, &h), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 1, 1ULL << 63, &h), -ENOSPC);
	h = oa_expect_at(test, oa, 2048, 2048, 2048);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &a), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &h), 0);
	oa_check(test, oa);
}

static void oa_bad_inputs(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 1000, 16);
	struct memkit_oa_handle h;

	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 0, 1, &h), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 1001, 1, &h), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, U64_MAX, 1, &h), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 1, 3, &h), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 1, 6, &h), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 1, (1ULL << 63) + 1, &h), -EINVAL);
	KUNIT_EXPECT_EQ(test, h.node, MEMKIT_OA_NO_NODE);
	oa_expect_report(test, oa, 1000, 1000);
	oa_check(test, oa);
}

static void oa_bad_handles(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 1000, 16);
	struct memkit_oa_handle failed, a, b, stale, far;
	u64 size;

	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 0, 1, &failed), -EINVAL);
	a = oa_expect_at(test, oa, 100, 1, 0);
	b = oa_expect_at(test, oa, 100, 1, 100);
	stale = a;
	stale.offset = 50;
	far = a;
	far.node = 1000000;

	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &failed), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &stale), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &far), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &a), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &a), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 4U);

	/* Nothing was disturbed: b is live, the rest is one free region. */
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc_size(oa, &b, &size), 0);
	KUNIT_EXPECT_EQ(test, size, 100ULL);
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc_size(oa, &a, &size), -EINVAL);
	oa_expect_report(test, oa, 900, 800);
	oa_check(test, oa);
}

static void oa_alloc_size(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 1000, 16);
	struct memkit_oa_handle a = oa_expect_at(test, oa, 77, 1, 0);
	struct memkit_oa_handle b = oa_expect_at(test, oa, 3, 8, 80);
	u64 size;

	KUNIT_EXPECT_EQ(test, memkit_oa_alloc_size(oa, &a, &size), 0);
	KUNIT_EXPECT_EQ(test, size, 77ULL);
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc_size(oa, &b, &size), 0);
	KUNIT_EXPECT_EQ(test, size, 3ULL);
	oa_check(test, oa);
}

static void oa_reserve_edges(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 1000, 16);
	struct memkit_oa_handle s, e, m, h;

	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, 0, 10, &s), 0);
	KUNIT_EXPECT_EQ(test, s.offset, 0ULL);
	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, 990, 10, &e), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, 500, 100, &m), 0);
	oa_check(test, oa);

	/* Overlaps, from either side, inside and around. */
	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, 5, 10, &h), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, 495, 10, &h), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, 550, 10, &h), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, 599, 2, &h), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, 400, 300, &h), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, 985, 10, &h), -ENOSPC);
	/* Outside the range, or wrapping around u64. */
	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, 1000, 1, &h), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, 980, 30, &h), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, U64_MAX, 2, &h), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, 20, 0, &h), -EINVAL);
	oa_expect_report(test, oa, 880, 490);

	/* Exactly the gap between two reservations. */
	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, 600, 390, &h), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &h), 0);
	/* Remove and reinsert at the same address. */
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &m), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, 500, 100, &m), 0);
	KUNIT_EXPECT_EQ(test, m.offset, 500ULL);
	oa_check(test, oa);
}

static void oa_reserve_whole(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 4096, 4);
	struct memkit_oa_handle all, h;
	struct memkit_oa_usage r;

	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, 0, 4096, &all), 0);
	memkit_oa_report(oa, &r);
	KUNIT_EXPECT_EQ(test, r.free_regions, 0U);
	KUNIT_EXPECT_EQ(test, r.free, 0ULL);
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 1, 1, &h), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, 0, 1, &h), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &all), 0);
	oa_expect_report(test, oa, 4096, 4096);
	oa_check(test, oa);
}

/* drm_mm: a size-7 range with units 1 and 5 taken still fits a 2. */
static void oa_small_holes(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 7, 8);
	struct memkit_oa_handle a, b, h;

	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, 1, 1, &a), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, 5, 1, &b), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 2, 1, &h), 0);
	KUNIT_EXPECT_TRUE(test, h.offset >= 2 && h.offset + 2 <= 5);
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 2, 1, &h), -ENOSPC);
	oa_check(test, oa);
}

static void oa_u64_max_range(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, U64_MAX, 16);
	struct memkit_oa_handle all, top, low, h;

	all = oa_expect_at(test, oa, U64_MAX, 1, 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 1, 1, &h), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &all), 0);

	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, U64_MAX - 10, 10, &top), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_reserve(oa, U64_MAX - 11, 2, &h), -ENOSPC);
	low = oa_expect_at(test, oa, 1ULL << 63, 1ULL << 63, 0);
	/* What is left: [2^63, U64_MAX - 10). */
	oa_expect_report(test, oa, (1ULL << 63) - 11, (1ULL << 63) - 11);
	h = oa_expect_at(test, oa, (1ULL << 63) - 11, 1, 1ULL << 63);
	oa_expect_report(test, oa, 0, 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &low), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &h), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &top), 0);
	oa_expect_report(test, oa, U64_MAX, U64_MAX);
	oa_check(test, oa);
}

static void oa_reset(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 1000, 16);
	struct memkit_oa_handle a = oa_expect_at(test, oa, 10, 1, 0);
	struct memkit_oa_handle b = oa_expect_at(test, oa, 10, 1, 10);

	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &a), 0);
	memkit_oa_reset(oa);
	oa_expect_report(test, oa, 1000, 1000);
	oa_check(test, oa);
	/* b's node is a spare now: freeing it is refused. */
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &b), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 1U);
	oa_expect_at(test, oa, 1000, 1, 0);
	oa_check(test, oa);
}

static void oa_full_report(struct kunit *test)
{
	struct memkit_oa *oa = oa_new(test, 1 << 20, 64);
	struct memkit_oa_bin_usage *full;
	struct memkit_oa_handle h[16];
	struct memkit_oa_usage r;
	u64 units = 0;
	u32 regions = 0, bin, i;

	full = kunit_kzalloc(test, sizeof(*full), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, full);
	for (i = 0; i < 16; i++)
		KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 100 + 37 * i, 1, &h[i]), 0);
	for (i = 0; i < 16; i += 3)
		KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &h[i]), 0);

	memkit_oa_full_report(oa, full);
	memkit_oa_report(oa, &r);
	for (bin = 0; bin < MEMKIT_OA_NUM_BINS; bin++) {
		bool bit = full->used_bins[bin / 8] & BIT(bin % 8);

		KUNIT_EXPECT_EQ(test, bit, full->bins[bin].regions > 0);
		regions += full->bins[bin].regions;
		units += full->bins[bin].units;
	}
	KUNIT_EXPECT_EQ(test, regions, r.free_regions);
	KUNIT_EXPECT_EQ(test, units, r.free);
	/* Five isolated holes; the last one merged with the tail. */
	KUNIT_EXPECT_EQ(test, r.free_regions, 6U);
	oa_check(test, oa);
}

/* gpu_buddy: fill, free every other allocation, allocate into the holes. */
static void oa_fragment_half(struct kunit *test)
{
	const u32 n = 512;
	struct memkit_oa *oa = oa_new(test, n * 4096ULL, n);
	struct memkit_oa_handle *h;
	struct memkit_oa_usage r;
	u32 i;

	h = kunit_kcalloc(test, n, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 4096, 4096, &h[i]), 0);
	for (i = 0; i < n; i += 2)
		KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &h[i]), 0);
	memkit_oa_report(oa, &r);
	KUNIT_EXPECT_EQ(test, r.free, n / 2 * 4096ULL);
	KUNIT_EXPECT_EQ(test, r.largest_free, 4096ULL);
	KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 8192, 1, &h[0]), -ENOSPC);
	for (i = 0; i < n; i += 2)
		KUNIT_EXPECT_EQ(test, memkit_oa_alloc(oa, 4096, 4096, &h[i]), 0);
	oa_expect_report(test, oa, 0, 0);
	oa_check(test, oa);
}

/*
 * The fixed-size refill workload: allocate until failure, free every
 * other allocation, allocate again until failure.  The holes are all
 * reusable, so utilisation must stay >= 99 %.
 */
static void oa_refill_utilisation(struct kunit *test)
{
	static const u64 sizes[] = { 1000, 1024, 3000, 4097 };
	const u64 total = 1000000;
	struct memkit_oa_handle *h;
	unsigned int s;

	h = kunit_kcalloc(test, 1024, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		struct memkit_oa *oa = oa_new(test, total, 1024);
		struct memkit_oa_usage r;
		u32 n = 0, i, frac;
		u64 used, whole;

		while (n < 1024 && !memkit_oa_alloc(oa, sizes[s], 1, &h[n]))
			n++;
		for (i = 0; i < n; i += 2)
			KUNIT_EXPECT_EQ(test, memkit_oa_free(oa, &h[i]), 0);
		for (i = 0; i < n; i += 2)
			if (memkit_oa_alloc(oa, sizes[s], 1, &h[i]))
				break;
		memkit_oa_report(oa, &r);
		used = r.size - r.free;
		whole = memkit_kunit_fixed(used, total, 10000, &frac);
		kunit_info(test, "refill size %llu: utilisation %llu.%04u\n", sizes[s],
			   whole, frac);
		KUNIT_EXPECT_GE_MSG(test, used * 100, total * 99, "size %llu", sizes[s]);
		/* What is left cannot hold one more. */
		KUNIT_EXPECT_LT(test, r.largest_free, sizes[s]);
		oa_check(test, oa);
	}
}

/* Reference model for the randomised test: the live allocations. */
struct oa_live {
	struct memkit_oa_handle h;
	u64 size;
};

static int oa_live_cmp(const void *a, const void *b)
{
	const struct oa_live *x = a, *y = b;

	return x->h.offset < y->h.offset ? -1 : x->h.offset > y->h.offset;
}

/*
 * With the live allocations sorted by offset, can a request of @size at
 * @align fit in any gap?  The oracle for "never a false -ENOSPC".
 */
static bool oa_model_fits(struct oa_live *live, u32 n, u64 total, u64 size, u64 align)
{
	u64 gap_start = 0, start;
	u32 i;

	for (i = 0; i <= n; i++) {
		u64 gap_end = i < n ? live[i].h.offset : total;

		start = ALIGN(gap_start, align);
		if (start >= gap_start && start <= gap_end && gap_end - start >= size)
			return true;
		if (i < n)
			gap_start = live[i].h.offset + live[i].size;
	}
	return false;
}

static void oa_model_check(struct kunit *test, struct memkit_oa *oa,
			   struct oa_live *live, u32 n, u64 total)
{
	struct memkit_oa_usage r;
	u64 used = 0, size;
	u32 i;

	KUNIT_ASSERT_EQ(test, memkit_oa_check(oa), 0);
	sort(live, n, sizeof(*live), oa_live_cmp, NULL);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, memkit_oa_alloc_size(oa, &live[i].h, &size), 0);
		KUNIT_ASSERT_EQ(test, size, live[i].size);
		if (i + 1 < n)
			KUNIT_ASSERT_LE_MSG(test, live[i].h.offset + live[i].size,
					    live[i + 1].h.offset, "overlap at %llu",
					    live[i].h.offset);
		used += live[i].size;
	}
	memkit_oa_report(oa, &r);
	KUNIT_ASSERT_EQ(test, r.free, total - used);
	KUNIT_ASSERT_EQ(test, r.allocs, n);
}

/*
 * 100k random allocs (log-uniform sizes, random alignments) and frees,
 * checked against the model: after every batch, all invariants; after
 * every -ENOSPC, that no gap could hold the request.
 */
static void oa_random_differential(struct kunit *test)
{
	/* ~2000 live allocations of ~340 units on average overfill this. */
	const u64 total = 1 << 19;
	const u32 max = 2048, ops = 100000, batch = 1000;
	struct memkit_oa *oa = oa_new(test, total, max);
	u32 n = 0, i, nospc = 0, allocs = 0;
	struct oa_live *live;
	struct rnd_state rs;

	live = kunit_kcalloc(test, max, sizeof(*live), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, live);
	prandom_seed_state(&rs, oa_seed);
	kunit_info(test, "seed %llu\n", oa_seed);

	for (i = 1; i <= ops; i++) {
		u32 r = prandom_u32_state(&rs);

		if (n && (r % 100 < 45 || n == max)) {
			u32 victim = prandom_u32_state(&rs) % n;

			KUNIT_ASSERT_EQ(test, memkit_oa_free(oa, &live[victim].h), 0);
			live[victim] = live[--n];
		} else {
			u32 e = prandom_u32_state(&rs) % 12;
			u64 size = 1 + prandom_u32_state(&rs) % (2U << e);
			u64 align = r % 4 ? 1 : 1ULL << (prandom_u32_state(&rs) % 13);
			int ret = memkit_oa_alloc(oa, size, align, &live[n].h);

			if (ret) {
				KUNIT_ASSERT_EQ(test, ret, -ENOSPC);
				sort(live, n, sizeof(*live), oa_live_cmp, NULL);
				bool fits = oa_model_fits(live, n, total, size, align);

				KUNIT_ASSERT_FALSE_MSG(test, fits,
						       "false -ENOSPC: size %llu align %llu, op %u",
						       size, align, i);
				nospc++;
			} else {
				KUNIT_ASSERT_EQ(test, live[n].h.offset & (align - 1), 0ULL);
				live[n++].size = size;
				allocs++;
			}
		}
		if (i % batch == 0)
			oa_model_check(test, oa, live, n, total);
	}
	kunit_info(test, "%u ops: %u allocations, %u -ENOSPC, %u live at the end\n",
		   ops, allocs, nospc, n);
	/* The oracle must have been exercised, or the test proves little. */
	KUNIT_EXPECT_GT(test, nospc, 100U);
	while (n)
		KUNIT_ASSERT_EQ(test, memkit_oa_free(oa, &live[--n].h), 0);
	oa_expect_report(test, oa, total, total);
	oa_check(test, oa);
}

static int oa_suite_init(struct kunit_suite *suite)
{
	oa_seed = memkit_kunit_seed(suite);
	return 0;
}

static struct kunit_case memkit_offset_alloc_cases[] = {
	KUNIT_CASE(oa_bin_mapping),
	KUNIT_CASE(oa_init_bad_args),
	KUNIT_CASE(oa_init_largest),
	KUNIT_CASE(oa_reset_stale_handles),
	KUNIT_CASE(oa_walk_chunks),
	KUNIT_CASE(oa_stale_handle_reused_node),
	KUNIT_CASE(oa_grow_segments),
	KUNIT_CASE(oa_init_flags_bad_args),
	KUNIT_CASE(oa_basic),
	KUNIT_CASE(oa_simple),
	KUNIT_CASE(oa_merge_trivial),
	KUNIT_CASE(oa_reuse_trivial),
	KUNIT_CASE(oa_reuse_complex),
	KUNIT_CASE(oa_zero_fragmentation),
	KUNIT_CASE(oa_upstream_whole_513),
	KUNIT_CASE(oa_upstream_36864_two_allocs),
	KUNIT_CASE(oa_upstream_324),
	KUNIT_CASE(oa_upstream_699050),
	KUNIT_CASE(oa_no_false_enospc),
	KUNIT_CASE(oa_max_allocs_exact),
	KUNIT_CASE(oa_nodes_never_run_out),
	KUNIT_CASE(oa_alignment_all_powers),
	KUNIT_CASE(oa_alignment_padding),
	KUNIT_CASE(oa_alignment_too_big),
	KUNIT_CASE(oa_bad_inputs),
	KUNIT_CASE(oa_bad_handles),
	KUNIT_CASE(oa_alloc_size),
	KUNIT_CASE(oa_reserve_edges),
	KUNIT_CASE(oa_reserve_whole),
	KUNIT_CASE(oa_small_holes),
	KUNIT_CASE(oa_u64_max_range),
	KUNIT_CASE(oa_reset),
	KUNIT_CASE(oa_full_report),
	KUNIT_CASE(oa_fragment_half),
	KUNIT_CASE(oa_refill_utilisation),
	KUNIT_CASE_SLOW(oa_random_differential),
	{}
};

static struct kunit_suite memkit_offset_alloc_suite = {
	.name = "memkit_offset_alloc",
	.suite_init = oa_suite_init,
	.test_cases = memkit_offset_alloc_cases,
};

kunit_test_suites(&memkit_offset_alloc_suite);
