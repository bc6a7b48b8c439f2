// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for memkit_hashmap.
 */

#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/prandom.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>

#include <memkit/bug.h>
#include <memkit/hashmap.h>
#include <memkit/testing.h>

#include "memkit_kunit.h"

static u64 hm_seed;
static u64 hm_maps;	/* maps hm_new() has made: each one's seed */

static const struct memkit_hashmap_params P64 = {
	.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
};

static u64 hm_identity(const void *key, u32 len, const siphash_key_t *seed)
{
	return *(const u64 *)key;
}

/* Every key's home is the last slot, so clusters wrap around the end. */
static u64 hm_last_slot(const void *key, u32 len, const siphash_key_t *seed)
{
	return U64_MAX;
}

static const struct memkit_hashmap_params P64_ID = {
	.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
	.hash = hm_identity,
};

static const struct memkit_hashmap_params P64_LAST = {
	.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
	.hash = hm_last_slot,
};

KUNIT_DEFINE_ACTION_WRAPPER(hm_vfree_action, vfree, const void *);

/*
 * A buffer of exactly @total bytes, freed at test end: KASAN reports any
 * access past the layout (a buffer rounded up would hide it).  kmalloc's
 * minimum alignment covers every type these cases use (8 bytes at most).
 */
static void *hm_buf(struct kunit *test, size_t total)
{
	void *buf;

	if (total <= SZ_1M)
		return kunit_kzalloc(test, total, GFP_KERNEL);
	buf = vzalloc(total);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hm_vfree_action, buf), 0);
	return buf;
}

struct hm_ctx {
	struct memkit_hashmap map;
	void *buf;
	size_t size;
};

static struct hm_ctx *hm_new(struct kunit *test, u32 capacity, u32 load,
			     const struct memkit_hashmap_params p)
{
	struct hm_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct memkit_hashmap_layout l;

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_EQ(test, memkit_hashmap_layout_for_capacity(capacity, p, &l), 0);
	c->size = l.total;
	c->buf = hm_buf(test, l.total);
	KUNIT_ASSERT_NOT_NULL(test, c->buf);
	KUNIT_ASSERT_EQ(test, memkit_hashmap_init(&c->map, c->buf, c->size, capacity, load, p),
			0);
	/*
	 * The map is empty, so its seed may change: one from the suite's
	 * seed, so that a replayed run has the same hash layout too.
	 */
	c->map.hdr->seed.key[0] = hm_seed;
	c->map.hdr->seed.key[1] = ++hm_maps;
	return c;
}

static int hm_put64(struct memkit_hashmap *map, u64 k, u64 v,
		    const struct memkit_hashmap_params p)
{
	return memkit_hashmap_put(map, &k, &v, p);
}

static bool hm_get64(struct memkit_hashmap *map, u64 k, u64 *v,
		     const struct memkit_hashmap_params p)
{
	return !memkit_hashmap_get(map, &k, v, p);
}

static int hm_del64(struct memkit_hashmap *map, u64 k, const struct memkit_hashmap_params p)
{
	return memkit_hashmap_remove(map, &k, p);
}

/*
 * The placement invariant: every entry is reachable from its home slot
 * without crossing an empty slot.  Also checks the count.  Returns the
 * sum of probe lengths.
 */
static u64 hm_check(struct kunit *test, struct memkit_hashmap *map,
		    const struct memkit_hashmap_params p)
{
	u32 cap = memkit_hashmap_capacity(map), idx, n = 0, k;
	unsigned long *used;
	u64 sum = 0;

	if (!cap) {
		KUNIT_EXPECT_EQ(test, memkit_hashmap_count(map), 0U);
		return 0;
	}
	used = bitmap_zalloc(cap, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, used);
	memkit_hashmap_for_each(map, idx) {
		__set_bit(idx, used);
		n++;
	}
	memkit_hashmap_for_each(map, idx) {
		u32 dist = memkit_hashmap_probe_length(map, idx, p);

		for (k = 1; k <= dist; k++)
			if (!test_bit((idx - k) & (cap - 1), used))
				break;
		KUNIT_EXPECT_GT_MSG(test, k, dist, "slot %u unreachable from its home", idx);
		KUNIT_EXPECT_EQ(test, memkit_hashmap_lookup(map, memkit_hashmap_key(map, idx, p),
							    p), idx);
		sum += dist;
	}
	bitmap_free(used);
	KUNIT_EXPECT_EQ(test, n, memkit_hashmap_count(map));
	return sum;
}

static void hm_basic_usage(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 16, 0, P64);
	u64 sum_k = 0, sum_v = 0, v, i;
	u32 idx;

	for (i = 1; i <= 5; i++)
		KUNIT_EXPECT_EQ(test, hm_put64(&c->map, i, i * 10, P64), 0);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_count(&c->map), 5U);
	memkit_hashmap_for_each(&c->map, idx) {
		sum_k += *(u64 *)memkit_hashmap_key(&c->map, idx, P64);
		sum_v += *(u64 *)memkit_hashmap_value(&c->map, idx, P64);
	}
	KUNIT_EXPECT_EQ(test, sum_k, 15ULL);
	KUNIT_EXPECT_EQ(test, sum_v, 150ULL);
	for (i = 1; i <= 5; i++) {
		KUNIT_EXPECT_TRUE(test, hm_get64(&c->map, i, &v, P64));
		KUNIT_EXPECT_EQ(test, v, i * 10);
	}
	KUNIT_EXPECT_FALSE(test, hm_get64(&c->map, 6, &v, P64));
	hm_check(test, &c->map, P64);
}

/* A layout sized for n entries holds n without changing capacity. */
static void hm_layout_for_size(struct kunit *test)
{
	static const u32 loads[] = { 50, 80, 100 };
	struct memkit_hashmap_layout l;
	unsigned int i;
	u32 n;

	for (i = 0; i < ARRAY_SIZE(loads); i++) {
		for (n = 0; n < 300; n += 7) {
			int ret = memkit_hashmap_layout_for_size(n, loads[i], P64, &l);

			KUNIT_ASSERT_EQ(test, ret, 0);
			KUNIT_EXPECT_GE(test, div_u64((u64)l.capacity * loads[i], 100), (u64)n);
			/* The smallest such capacity. */
			if (l.capacity > 1)
				KUNIT_EXPECT_LT(test, div_u64((u64)l.capacity / 2 * loads[i], 100),
						(u64)n);
		}
	}
	KUNIT_EXPECT_EQ(test, memkit_hashmap_layout_for_size(20, 101, P64, &l), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_layout_for_size(U32_MAX, 80, P64, &l), -EINVAL);
}

static void hm_capacity_holds_exactly(struct kunit *test)
{
	struct memkit_hashmap_layout l;
	struct hm_ctx *c;
	u64 i;

	KUNIT_ASSERT_EQ(test, memkit_hashmap_layout_for_size(20, 80, P64, &l), 0);
	c = hm_new(test, l.capacity, 80, P64);
	for (i = 0; i < 20; i++)
		KUNIT_EXPECT_EQ(test, hm_put64(&c->map, i, i, P64), 0);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_capacity(&c->map), l.capacity);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_count(&c->map), 20U);
}

static void hm_put_remove_100(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 256, 0, P64);
	u64 i;

	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ(test, hm_put64(&c->map, i, i, P64), 0);
	hm_check(test, &c->map, P64);
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ(test, hm_del64(&c->map, i, P64), 0);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_count(&c->map), 0U);
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_FALSE(test, hm_get64(&c->map, i, NULL, P64));
	KUNIT_EXPECT_EQ(test, hm_del64(&c->map, 5, P64), -ENOENT);
}

static void hm_clear(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 64, 0, P64);
	u64 i;

	for (i = 0; i < 40; i++)
		KUNIT_EXPECT_EQ(test, hm_put64(&c->map, i, i, P64), 0);
	memkit_hashmap_clear(&c->map);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_count(&c->map), 0U);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_capacity(&c->map), 64U);
	for (i = 0; i < 40; i++)
		KUNIT_EXPECT_FALSE(test, hm_get64(&c->map, i, NULL, P64));
	for (i = 0; i < 51; i++)
		KUNIT_EXPECT_EQ(test, hm_put64(&c->map, i, i, P64), 0);
	hm_check(test, &c->map, P64);
}

/* At maximum load one more put fails, and the map is untouched. */
static void hm_full_put_fails(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 64, 80, P64);
	u64 i, v;

	for (i = 0; i < 51; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i, i + 1, P64), 0);
	KUNIT_EXPECT_EQ(test, hm_put64(&c->map, 1000, 1, P64), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_put_no_clobber(&c->map, &i, &i, P64), -ENOSPC);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_count(&c->map), 51U);
	KUNIT_EXPECT_FALSE(test, hm_get64(&c->map, 1000, NULL, P64));
	/* Overwriting a present key still works at full load. */
	KUNIT_EXPECT_EQ(test, hm_put64(&c->map, 7, 70, P64), 0);
	KUNIT_EXPECT_TRUE(test, hm_get64(&c->map, 7, &v, P64));
	KUNIT_EXPECT_EQ(test, v, 70ULL);
	for (i = 0; i < 51; i++)
		KUNIT_EXPECT_TRUE(test, hm_get64(&c->map, i, NULL, P64));
	hm_check(test, &c->map, P64);
}

static void hm_remove_multiples_of_3(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 32, 0, P64);
	u64 i, v;
	u32 idx, n = 0;

	for (i = 0; i < 16; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i, i, P64), 0);
	for (i = 0; i < 16; i += 3)
		KUNIT_EXPECT_EQ(test, hm_del64(&c->map, i, P64), 0);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_count(&c->map), 10U);
	memkit_hashmap_for_each(&c->map, idx) {
		u64 k = *(u64 *)memkit_hashmap_key(&c->map, idx, P64);

		KUNIT_EXPECT_NE(test, memkit_kunit_mod(k, 3), 0U);
		KUNIT_EXPECT_EQ(test, *(u64 *)memkit_hashmap_value(&c->map, idx, P64), k);
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, 10U);
	for (i = 0; i < 16; i++)
		KUNIT_EXPECT_EQ(test, hm_get64(&c->map, i, &v, P64), memkit_kunit_mod(i, 3) != 0);
	hm_check(test, &c->map, P64);
}

static void hm_reverse_removes(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 32, 0, P64);
	u64 i, j;

	for (i = 0; i < 16; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i, i, P64), 0);
	for (i = 16; i-- > 0;) {
		KUNIT_EXPECT_EQ(test, hm_del64(&c->map, i, P64), 0);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_TRUE(test, hm_get64(&c->map, j, NULL, P64));
		hm_check(test, &c->map, P64);
	}
}

/* Removes and re-puts around the same slots (the original's 7/13/14/15). */
static void hm_multiple_removes_same_metadata(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 64, 0, P64_ID);
	static const u64 order[] = { 7, 15, 14, 13 };
	static const u64 back[] = { 15, 13, 14, 7 };
	u64 i, v;

	for (i = 0; i < 32; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i, i, P64_ID), 0);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, hm_del64(&c->map, order[i], P64_ID), 0);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_FALSE(test, hm_get64(&c->map, order[i], NULL, P64_ID));
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, hm_put64(&c->map, back[i], back[i], P64_ID), 0);
	for (i = 0; i < 32; i++) {
		KUNIT_EXPECT_TRUE(test, hm_get64(&c->map, i, &v, P64_ID));
		KUNIT_EXPECT_EQ(test, v, i);
	}
	hm_check(test, &c->map, P64_ID);
}

/* Fisher-Yates (swap() evaluates its arguments twice: draw j first). */
static void hm_shuffle(u64 *keys, u32 n, struct rnd_state *rs)
{
	u32 i, j;

	for (i = n - 1; i > 0; i--) {
		j = prandom_u32_state(rs) % (i + 1);
		swap(keys[i], keys[j]);
	}
}

static void hm_random_order(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 128, 0, P64);
	struct rnd_state rs;
	u64 *keys, i;

	keys = kunit_kcalloc(test, 100, sizeof(*keys), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, keys);
	prandom_seed_state(&rs, hm_seed);
	for (i = 0; i < 100; i++)
		keys[i] = i;
	hm_shuffle(keys, 100, &rs);
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ(test, hm_put64(&c->map, keys[i], i, P64), 0);
	hm_shuffle(keys, 100, &rs);
	for (i = 0; i < 100; i++) {
		KUNIT_EXPECT_EQ(test, hm_del64(&c->map, keys[i], P64), 0);
		KUNIT_EXPECT_EQ(test, memkit_hashmap_count(&c->map), (u32)(99 - i));
	}
	hm_check(test, &c->map, P64);
}

static void hm_put_overwrites(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 16, 0, P64);
	u64 v;

	KUNIT_EXPECT_EQ(test, hm_put64(&c->map, 5, 1, P64), 0);
	KUNIT_EXPECT_EQ(test, hm_put64(&c->map, 5, 2, P64), 0);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_count(&c->map), 1U);
	KUNIT_EXPECT_TRUE(test, hm_get64(&c->map, 5, &v, P64));
	KUNIT_EXPECT_EQ(test, v, 2ULL);
}

static void hm_no_clobber(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 16, 0, P64_ID);
	u64 k = 3, v = 30, w = 31;

	KUNIT_EXPECT_EQ(test, memkit_hashmap_put_no_clobber(&c->map, &k, &v, P64_ID), 0);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_put_no_clobber(&c->map, &k, &w, P64_ID), -EEXIST);
	KUNIT_EXPECT_TRUE(test, hm_get64(&c->map, 3, &w, P64_ID));
	KUNIT_EXPECT_EQ(test, w, 30ULL);
}

/* Identity hash at max load: remove then a no-clobber insert is found. */
static void hm_no_clobber_after_remove_at_max_load(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 16, 80, P64_ID);
	u64 i, k, v;

	for (i = 0; i < 12; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i * 16 + 1, i, P64_ID), 0);
	for (i = 0; i < 12; i += 2) {
		KUNIT_EXPECT_EQ(test, hm_del64(&c->map, i * 16 + 1, P64_ID), 0);
		k = 1000 + i;
		v = i;
		KUNIT_EXPECT_EQ(test, memkit_hashmap_put_no_clobber(&c->map, &k, &v, P64_ID), 0);
	}
	for (i = 0; i < 12; i++) {
		KUNIT_EXPECT_EQ(test, hm_get64(&c->map, i * 16 + 1, &v, P64_ID), i % 2 == 1);
		if (i % 2 == 0)
			KUNIT_EXPECT_TRUE(test, hm_get64(&c->map, 1000 + i, NULL, P64_ID));
	}
	hm_check(test, &c->map, P64_ID);
}

/* Every key homes at the last slot: one cluster wrapping around the end. */
static void hm_cluster_wraps(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 16, 100, P64_LAST);
	static const u64 removes[] = { 0, 5, 1, 9, 15, 8 };
	u64 i, j;

	for (i = 0; i < 12; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i, i, P64_LAST), 0);
	/* The first key sits in the last slot, the rest wrap to the front. */
	KUNIT_EXPECT_EQ(test, memkit_hashmap_lookup(&c->map, &(u64){0}, P64_LAST), 15U);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_lookup(&c->map, &(u64){1}, P64_LAST), 0U);
	for (i = 0; i < ARRAY_SIZE(removes); i++) {
		int ret = hm_del64(&c->map, removes[i], P64_LAST);

		KUNIT_EXPECT_EQ(test, ret, removes[i] < 12 ? 0 : -ENOENT);
		for (j = 0; j < 12; j++) {
			bool gone = false;
			unsigned int r;

			for (r = 0; r <= i; r++)
				gone |= removes[r] == j;
			KUNIT_EXPECT_EQ_MSG(test, hm_get64(&c->map, j, NULL, P64_LAST), !gone,
					    "key %llu after removing %llu", j, removes[i]);
		}
		hm_check(test, &c->map, P64_LAST);
	}
}

/* Keys that carry their home slot in their upper bits. */
static u64 hm_home_in_key(const void *key, u32 len, const siphash_key_t *seed)
{
	return *(const u64 *)key >> 16;
}

static const struct memkit_hashmap_params P64_HOME = {
	.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
	.hash = hm_home_in_key,
};

/*
 * A removal whose only movable follower is far from home: two keys at
 * their homes 128 and 129, then 129 keys homed at 0 in slots 0-127 and
 * 130 (130 slots from home).  Removing the one at 127 must move the one
 * at 130 back over the two at home; left there, it would be lost behind
 * the empty slot.
 */
static void hm_remove_far_follower(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 512, 100, P64_HOME);
	u64 k;

	KUNIT_ASSERT_EQ(test, hm_put64(&c->map, 128ULL << 16, 0, P64_HOME), 0);
	KUNIT_ASSERT_EQ(test, hm_put64(&c->map, 129ULL << 16, 0, P64_HOME), 0);
	for (k = 0; k < 129; k++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, k, k, P64_HOME), 0);
	KUNIT_ASSERT_EQ(test, memkit_hashmap_lookup(&c->map, &(u64){128}, P64_HOME), 130U);
	KUNIT_ASSERT_EQ(test, hm_del64(&c->map, 127, P64_HOME), 0);
	for (k = 0; k < 129; k++)
		KUNIT_EXPECT_EQ_MSG(test, hm_get64(&c->map, k, NULL, P64_HOME), k != 127,
				    "key %llu", k);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_lookup(&c->map, &(u64){128}, P64_HOME), 127U);
	hm_check(test, &c->map, P64_HOME);
}

/*
 * One cluster of 400 entries: distances past 254 saturate at
 * MEMKIT_HASHMAP_FAR and removal rehashes those keys to move them.
 * Distances stay exact through removals (attach checks every one against
 * the key's hash), and a wrong distance byte is refused.
 */
static void hm_far_distances(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 512, 100, P64_LAST);
	struct memkit_hashmap m;
	u32 idx, far = 0;
	u64 i;

	for (i = 0; i < 400; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i, i, P64_LAST), 0);
	memkit_hashmap_for_each(&c->map, idx) {
		/* Key i was placed i slots after its home, the last slot. */
		u64 key = *(u64 *)memkit_hashmap_key(&c->map, idx, P64_LAST);
		u32 dist = memkit_hashmap_probe_length(&c->map, idx, P64_LAST);

		KUNIT_EXPECT_EQ(test, dist, (u32)key);
		far += c->map.dist[idx] == MEMKIT_HASHMAP_FAR;
	}
	KUNIT_EXPECT_EQ(test, far, 400U - 255U);
	/* Remove every third key from the front: each removal shifts the rest. */
	for (i = 0; i < 400; i += 3)
		KUNIT_ASSERT_EQ(test, hm_del64(&c->map, i, P64_LAST), 0);
	for (i = 0; i < 400; i++)
		KUNIT_EXPECT_EQ_MSG(test, hm_get64(&c->map, i, NULL, P64_LAST),
				    memkit_kunit_mod(i, 3) != 0, "key %llu", i);
	/*
	 * 267 entries probing about 200 slots each: consistent, but far past
	 * the probe budget, so attach refuses the image.
	 */
	KUNIT_EXPECT_GT(test, hm_check(test, &c->map, P64_LAST),
			memkit_hashmap_probe_budget(memkit_hashmap_count(&c->map), 512));
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach(&m, c->buf, c->size, P64_LAST), -EINVAL);

	/* A short cluster is within the budget; a wrong distance byte is not. */
	c = hm_new(test, 512, 100, P64_LAST);
	for (i = 0; i < 8; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i, i, P64_LAST), 0);
	KUNIT_ASSERT_EQ(test, memkit_hashmap_attach(&m, c->buf, c->size, P64_LAST), 0);
	idx = memkit_hashmap_lookup(&c->map, &(u64){2}, P64_LAST);
	KUNIT_ASSERT_NE(test, idx, MEMKIT_HASHMAP_NONE);
	c->map.dist[idx]++;
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach(&m, c->buf, c->size, P64_LAST), -EINVAL);
	c->map.dist[idx]--;
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach(&m, c->buf, c->size, P64_LAST), 0);
}

/*
 * The image of issue-style crafting: a full map (max load 100 %) whose
 * every key sits one slot before its home, capacity - 1 slots away.  Each
 * entry is reachable, so only the probe budget tells it from a real map;
 * before it, attach did a lookup per entry, O(capacity^2).  Attach times
 * of the crafted image and of a real full map of the same size are
 * logged, not asserted.
 */
static void hm_attach_crafted(struct kunit *test)
{
	const u32 cap = 1 << 16;
	struct hm_ctx *c = hm_new(test, cap, 100, P64_ID), *real;
	struct memkit_hashmap m;
	u64 t_crafted, t_real;
	u32 idx;

	for (idx = 0; idx < cap; idx++) {
		u64 key = (idx + 1) & (cap - 1);

		memcpy(memkit_hashmap_key(&c->map, idx, P64_ID), &key, sizeof(key));
		c->map.meta[idx] = __memkit_hashmap_fp(key);
		c->map.dist[idx] = MEMKIT_HASHMAP_FAR;
	}
	c->map.hdr->size = cap;
	t_crafted = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach(&m, c->buf, c->size, P64_ID), -EINVAL);
	t_crafted = ktime_get_ns() - t_crafted;

	/* The same map at 80 %, filled by memkit with SipHash: accepted. */
	real = hm_new(test, cap, 80, P64);
	for (idx = 0; idx < cap * 4 / 5; idx++)
		KUNIT_ASSERT_EQ(test, hm_put64(&real->map, idx * 0x9e3779b97f4a7c15ULL, idx, P64),
				0);
	t_real = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach(&m, real->buf, real->size, P64), 0);
	t_real = ktime_get_ns() - t_real;
	kunit_info(test, "2^16 slots: crafted image refused in %llu us, real 80%% map attached in %llu us\n",
		   div_u64(t_crafted, 1000), div_u64(t_real, 1000));
}

/*
 * attach_reseed: a new seed, every entry re-placed and still found; the
 * refusals (other params, malformed metadata, wrong count, duplicate key).
 */
static void hm_attach_reseed(struct kunit *test)
{
	const u32 cap = 1024, n = 800;
	struct hm_ctx *c = hm_new(test, cap, 80, P64);
	struct memkit_hashmap m;
	siphash_key_t old_seed;
	u32 u, e;
	u8 used_meta;
	u64 i, v;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i * 7 + 1, i, P64), 0);
	old_seed = c->map.hdr->seed;
	KUNIT_ASSERT_EQ(test, memkit_hashmap_attach_reseed(&m, c->buf, c->size, P64), 0);
	KUNIT_EXPECT_NE(test, memcmp(&old_seed, &m.hdr->seed, sizeof(old_seed)), 0);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_count(&m), n);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_TRUE(test, hm_get64(&m, i * 7 + 1, &v, P64));
		KUNIT_EXPECT_EQ(test, v, i);
	}
	hm_check(test, &m, P64);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach(&m, c->buf, c->size, P64), 0);

	/* A map built with memkit's hash is not taken with the caller's. */
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach_reseed(&m, c->buf, c->size, P64_ID), -EINVAL);
	/*
	 * Malformed metadata in a used slot and in an empty one, and a count
	 * that does not match: each refused with the image untouched.  The
	 * slots are looked up, since where entries sit depends on the seed.
	 */
	for (u = 0; u < cap && !c->map.meta[u]; u++)
		;
	for (e = 0; e < cap && c->map.meta[e]; e++)
		;
	KUNIT_ASSERT_LT(test, u, cap);
	KUNIT_ASSERT_LT(test, e, cap);
	used_meta = c->map.meta[u];
	c->map.meta[u] = 0x01;
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach_reseed(&m, c->buf, c->size, P64), -EINVAL);
	KUNIT_EXPECT_EQ(test, c->map.hdr->magic, MEMKIT_HASHMAP_MAGIC);
	KUNIT_EXPECT_EQ(test, c->map.meta[u], 0x01);
	c->map.meta[u] = used_meta;
	c->map.meta[e] = 0x7f;
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach_reseed(&m, c->buf, c->size, P64), -EINVAL);
	KUNIT_EXPECT_EQ(test, c->map.hdr->magic, MEMKIT_HASHMAP_MAGIC);
	c->map.meta[e] = 0;
	c->map.meta[u] = 0;
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach_reseed(&m, c->buf, c->size, P64), -EINVAL);
	KUNIT_EXPECT_EQ(test, c->map.hdr->magic, MEMKIT_HASHMAP_MAGIC);
	/* Put back, the image is taken again, every entry still there. */
	c->map.meta[u] = used_meta;
	KUNIT_ASSERT_EQ(test, memkit_hashmap_attach_reseed(&m, c->buf, c->size, P64), 0);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_TRUE(test, hm_get64(&m, i * 7 + 1, NULL, P64));

	/* Two slots holding one key: found while re-placing, the image voided. */
	c = hm_new(test, 64, 80, P64);
	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i, i, P64), 0);
	for (i = 0; i < 64 && c->map.meta[i]; i++)
		;
	KUNIT_ASSERT_LT(test, i, 64ULL);
	c->map.meta[i] = 0x80;
	memcpy(memkit_hashmap_key(&c->map, i, P64), &(u64){3}, sizeof(u64));
	c->map.hdr->size++;
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach_reseed(&m, c->buf, c->size, P64), -EINVAL);
	KUNIT_EXPECT_NE(test, c->map.hdr->magic, MEMKIT_HASHMAP_MAGIC);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach(&m, c->buf, c->size, P64), -EINVAL);
}

/*
 * Wild pointers to remove_by_ptr: past the end, below the start, and
 * 2^32 slots past a used one (before the fix, the index was truncated to
 * 32 bits and that removed the real entry).
 */
static void hm_remove_by_ptr_wild(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 16, 80, P64);
	uintptr_t keys = (uintptr_t)c->map.keys;
	/* 2^32 slots is a whole 32-bit address space: no such pointer there. */
	const uintptr_t far = sizeof(uintptr_t) > 4 ? (uintptr_t)(1ULL << 35) : 0;
	uintptr_t wild[6] = { keys + 16 * 8, keys - 8, keys + 3, keys + SIZE_MAX / 2 };
	u32 i, idx, n = 4;

	for (i = 0; i < 12; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i, i, P64), 0);
	memkit_hashmap_for_each(&c->map, idx)
		break;
	if (far) {
		wild[n++] = keys + far + (uintptr_t)idx * 8;
		wild[n++] = keys + 2 * far + (uintptr_t)idx * 8;
	}
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    memkit_hashmap_remove_by_ptr(&c->map, (void *)wild[i], P64),
				    -EINVAL, "pointer %u", i);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), n);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_count(&c->map), 12U);
	hm_check(test, &c->map, P64);
}

/*
 * Bytes that change underneath: a hash that, like a device writing the
 * shared buffer, marks every slot used again while a removal runs.  Every
 * operation must still end (before the fix, removal looped forever
 * looking for an empty slot).
 */
static struct memkit_hashmap *hm_hostile_map;

static u64 hm_hostile_hash(const void *key, u32 len, const siphash_key_t *seed)
{
	if (hm_hostile_map)
		memset(hm_hostile_map->meta, 0x80, memkit_hashmap_capacity(hm_hostile_map));
	return *(const u64 *)key * 0x9e3779b97f4a7c15ULL;
}

static const struct memkit_hashmap_params P64_HOSTILE = {
	.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
	.hash = hm_hostile_hash,
};

static void hm_bytes_change_underneath(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 64, 100, P64_HOSTILE);
	u64 i, v = 1;

	for (i = 0; i < 40; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i, i, P64_HOSTILE), 0);
	/* Entries far from home make removal hash (and the hash writes). */
	memset(c->map.dist, MEMKIT_HASHMAP_FAR, 64);
	hm_hostile_map = &c->map;
	for (i = 0; i < 80; i++) {
		hm_del64(&c->map, i, P64_HOSTILE);
		hm_get64(&c->map, i + 1000, NULL, P64_HOSTILE);
		memkit_hashmap_put(&c->map, &i, &v, P64_HOSTILE);
	}
	hm_hostile_map = NULL;
	/* Ending is the point; the count stays within its bounds. */
	KUNIT_EXPECT_LE(test, memkit_hashmap_count(&c->map), 64U);
}

/* A 100 % load map: every slot used, removal and lookups still terminate. */
static void hm_remove_from_full_table(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 32, 100, P64);
	u64 i;

	for (i = 0; i < 32; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i, i, P64), 0);
	KUNIT_EXPECT_EQ(test, hm_put64(&c->map, 99, 0, P64), -ENOSPC);
	KUNIT_EXPECT_FALSE(test, hm_get64(&c->map, 99, NULL, P64));
	KUNIT_EXPECT_EQ(test, hm_del64(&c->map, 99, P64), -ENOENT);
	for (i = 0; i < 32; i += 2)
		KUNIT_EXPECT_EQ(test, hm_del64(&c->map, i, P64), 0);
	for (i = 0; i < 32; i++)
		KUNIT_EXPECT_EQ(test, hm_get64(&c->map, i, NULL, P64), i % 2 == 1);
	hm_check(test, &c->map, P64);
	for (i = 0; i < 32; i += 2)
		KUNIT_EXPECT_EQ(test, hm_put64(&c->map, i, i, P64), 0);
	hm_check(test, &c->map, P64);
}

static void hm_get_or_put(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 16, 0, P64);
	u64 k = 9;
	bool existed;
	int idx;

	idx = memkit_hashmap_get_or_put(&c->map, &k, &existed, P64);
	KUNIT_ASSERT_GE(test, idx, 0);
	KUNIT_EXPECT_FALSE(test, existed);
	*(u64 *)memkit_hashmap_value(&c->map, idx, P64) = 90;
	KUNIT_EXPECT_EQ(test, memkit_hashmap_get_or_put(&c->map, &k, &existed, P64), idx);
	KUNIT_EXPECT_TRUE(test, existed);
	KUNIT_EXPECT_EQ(test, *(u64 *)memkit_hashmap_get_ptr(&c->map, &k, P64), 90ULL);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_count(&c->map), 1U);
}

static void hm_fetch_put_remove(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 16, 0, P64);
	u64 k = 4, v = 40, old = 0;

	KUNIT_EXPECT_EQ(test, memkit_hashmap_fetch_put(&c->map, &k, &v, &old, P64), 0);
	v = 41;
	KUNIT_EXPECT_EQ(test, memkit_hashmap_fetch_put(&c->map, &k, &v, &old, P64), 1);
	KUNIT_EXPECT_EQ(test, old, 40ULL);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_fetch_remove(&c->map, &k, &old, P64), 0);
	KUNIT_EXPECT_EQ(test, old, 41ULL);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_fetch_remove(&c->map, &k, &old, P64), -ENOENT);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_count(&c->map), 0U);
}

static void hm_get_ptr_writes_through(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 16, 0, P64);
	u64 k = 2, v = 20, *p;

	KUNIT_EXPECT_NULL(test, memkit_hashmap_get_ptr(&c->map, &k, P64));
	KUNIT_ASSERT_EQ(test, memkit_hashmap_put(&c->map, &k, &v, P64), 0);
	p = memkit_hashmap_get_ptr(&c->map, &k, P64);
	KUNIT_ASSERT_NOT_NULL(test, p);
	*p = 21;
	KUNIT_EXPECT_TRUE(test, hm_get64(&c->map, 2, &v, P64));
	KUNIT_EXPECT_EQ(test, v, 21ULL);
	KUNIT_EXPECT_TRUE(test, memkit_hashmap_contains(&c->map, &k, P64));
}

static void hm_remove_by_ptr(struct kunit *test)
{
	static const struct memkit_hashmap_params p0 = { .value_size = 4, .value_align = 4 };
	struct hm_ctx *c = hm_new(test, 16, 0, P64), *z = hm_new(test, 8, 0, p0);
	u64 k = 11, v = 1;
	u32 zv = 5, idx;
	void *kp;

	KUNIT_ASSERT_EQ(test, memkit_hashmap_put(&c->map, &k, &v, P64), 0);
	idx = memkit_hashmap_lookup(&c->map, &k, P64);
	kp = memkit_hashmap_key(&c->map, idx, P64);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_remove_by_ptr(&c->map, kp, P64), 0);
	KUNIT_EXPECT_FALSE(test, memkit_hashmap_contains(&c->map, &k, P64));
	/* A pointer that is no longer (or never was) a used slot. */
	KUNIT_ASSERT_EQ(test, memkit_expect_warnings_begin(), 0);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_remove_by_ptr(&c->map, kp, P64), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_remove_by_ptr(&c->map, (u8 *)kp + 1, P64), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_remove_by_ptr(&c->map, &k, P64), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_expect_warnings_end(), 3U);

	/* Zero-sized keys: at most one entry, removable by any pointer. */
	KUNIT_EXPECT_EQ(test, memkit_hashmap_put(&z->map, NULL, &zv, p0), 0);
	zv = 6;
	KUNIT_EXPECT_EQ(test, memkit_hashmap_put(&z->map, NULL, &zv, p0), 0);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_count(&z->map), 1U);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_remove_by_ptr(&z->map, NULL, p0), 0);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_remove_by_ptr(&z->map, NULL, p0), -ENOENT);
}

/* Fill to max load, churn 10 x capacity: entries stay findable, placed. */
static void hm_churn_full(struct kunit *test)
{
	const u32 cap = 256, n = cap * 80 / 100;
	struct hm_ctx *c = hm_new(test, cap, 80, P64);
	struct rnd_state rs;
	u64 *keys, next = 0;
	u32 i;

	keys = kunit_kcalloc(test, n, sizeof(*keys), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, keys);
	prandom_seed_state(&rs, hm_seed);
	for (i = 0; i < n; i++) {
		keys[i] = next++;
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, keys[i], keys[i], P64), 0);
	}
	for (i = 0; i < 10 * cap; i++) {
		u32 v = prandom_u32_state(&rs) % n;

		KUNIT_ASSERT_EQ(test, hm_del64(&c->map, keys[v], P64), 0);
		keys[v] = next++;
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, keys[v], keys[v], P64), 0);
	}
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_TRUE(test, hm_get64(&c->map, keys[i], NULL, P64));
	KUNIT_EXPECT_EQ(test, memkit_hashmap_count(&c->map), n);
	hm_check(test, &c->map, P64);
}

/*
 * 100 x capacity random remove + insert pairs at maximum load.  With
 * backward-shift deletion the layout depends only on the key set, so the
 * total probe length must equal that of a fresh map of the same keys,
 * exactly.  Against the fresh map of the starting keys (a different key
 * set, so only statistically comparable) the ratio is logged.
 */
static void hm_churn_no_degradation(struct kunit *test)
{
	const u32 cap = 1 << 12, n = cap * 80 / 100;
	struct hm_ctx *c = hm_new(test, cap, 80, P64_ID), *f;
	struct rnd_state rs;
	u64 *keys, before, after, rebuilt;
	u32 fb, fa, fr;
	u32 i;

	keys = kunit_kcalloc(test, n, sizeof(*keys), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, keys);
	prandom_seed_state(&rs, hm_seed);
	for (i = 0; i < n; i++) {
		do {
			keys[i] = prandom_u32_state(&rs) | (u64)prandom_u32_state(&rs) << 32;
		} while (hm_get64(&c->map, keys[i], NULL, P64_ID));
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, keys[i], i, P64_ID), 0);
	}
	before = hm_check(test, &c->map, P64_ID);
	for (i = 0; i < 100 * cap; i++) {
		u32 v = prandom_u32_state(&rs) % n;
		u64 k;

		KUNIT_ASSERT_EQ(test, hm_del64(&c->map, keys[v], P64_ID), 0);
		do {
			k = prandom_u32_state(&rs) | (u64)prandom_u32_state(&rs) << 32;
		} while (hm_get64(&c->map, k, NULL, P64_ID));
		keys[v] = k;
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, k, v, P64_ID), 0);
	}
	after = hm_check(test, &c->map, P64_ID);

	f = hm_new(test, cap, 80, P64_ID);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&f->map, keys[i], i, P64_ID), 0);
	rebuilt = hm_check(test, &f->map, P64_ID);
	KUNIT_EXPECT_EQ(test, after, rebuilt);
	kunit_info(test,
		   "capacity %u at 80%%: mean probe %llu.%03u fresh, %llu.%03u after %u churn pairs (%llu.%03u rebuilt)\n",
		   cap, memkit_kunit_fixed(before, n, 1000, &fb), fb,
		   memkit_kunit_fixed(after, n, 1000, &fa), fa, 100 * cap,
		   memkit_kunit_fixed(rebuilt, n, 1000, &fr), fr);
}

/* Layout arithmetic for huge capacities is exact, never wrapped. */
static void hm_layout_huge(struct kunit *test)
{
	static const struct memkit_hashmap_params p16 = {
		.key_size = 16, .key_align = 8, .value_size = 16, .value_align = 8,
	};
	struct memkit_hashmap_layout l;
	u64 cap = 1ULL << 30;

	if (sizeof(size_t) < sizeof(u64)) {
		/* 34 GiB cannot be a size_t: refused, not wrapped. */
		KUNIT_EXPECT_EQ(test, memkit_hashmap_layout_for_capacity(cap, p16, &l), -EINVAL);
		cap = MEMKIT_HASHMAP_MAX_CAPACITY;
		KUNIT_EXPECT_EQ(test, memkit_hashmap_layout_for_capacity(cap, p16, &l), -EINVAL);
		KUNIT_EXPECT_EQ(test, memkit_hashmap_layout_for_capacity(1 << 20, p16, &l), 0);
		KUNIT_EXPECT_EQ(test, (u64)l.total,
				sizeof(struct memkit_hashmap_header) + (2 + 32) * (1ULL << 20));
		return;
	}
	KUNIT_ASSERT_EQ(test, memkit_hashmap_layout_for_capacity(cap, p16, &l), 0);
	KUNIT_EXPECT_EQ(test, (u64)l.keys_off, sizeof(struct memkit_hashmap_header) + 2 * cap);
	KUNIT_EXPECT_EQ(test, (u64)l.values_off, (u64)l.keys_off + 16 * cap);
	KUNIT_EXPECT_EQ(test, (u64)l.total, (u64)l.values_off + 16 * cap);
	KUNIT_EXPECT_GT(test, (u64)l.total, 16ULL << 30);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_layout_for_capacity(MEMKIT_HASHMAP_MAX_CAPACITY,
								 p16, &l), 0);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_layout_for_capacity(3, p16, &l), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_layout_for_capacity(1000, p16, &l), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_layout_for_capacity(U32_MAX, p16, &l), -EINVAL);
}

/* Copy the buffer to a differently placed buffer and to vmalloc: still works. */
static void hm_relocate(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 256, 0, P64);
	struct memkit_hashmap moved;
	u8 *raw, *shifted, *vbuf;
	u64 i, v;

	for (i = 0; i < 200; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i * 7, i, P64), 0);
	/* 8-aligned but not 16-aligned: only the map's own alignment matters. */
	raw = kunit_kmalloc(test, c->size + 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, raw);
	shifted = PTR_ALIGN(raw, 16) + 8;
	memcpy(shifted, c->buf, c->size);
	memset(c->buf, 0x5a, c->size);		/* the original is gone */
	KUNIT_ASSERT_EQ(test, memkit_hashmap_attach(&moved, shifted, c->size, P64), 0);
	for (i = 0; i < 200; i++) {
		KUNIT_EXPECT_TRUE(test, hm_get64(&moved, i * 7, &v, P64));
		KUNIT_EXPECT_EQ(test, v, i);
	}
	KUNIT_EXPECT_EQ(test, hm_del64(&moved, 7, P64), 0);
	KUNIT_EXPECT_EQ(test, hm_put64(&moved, 9999, 1, P64), 0);

	vbuf = vmalloc(c->size);
	KUNIT_ASSERT_NOT_NULL(test, vbuf);
	memcpy(vbuf, shifted, c->size);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach(&moved, vbuf, c->size, P64), 0);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_count(&moved), 200U);
	KUNIT_EXPECT_TRUE(test, hm_get64(&moved, 9999, NULL, P64));
	KUNIT_EXPECT_FALSE(test, hm_get64(&moved, 7, NULL, P64));
	KUNIT_EXPECT_EQ(test, hm_put64(&moved, 7, 1, P64), 0);
	hm_check(test, &moved, P64);
	vfree(vbuf);
}

static void hm_attach_truncated(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 64, 0, P64);
	struct memkit_hashmap m;

	KUNIT_EXPECT_EQ(test, hm_put64(&c->map, 1, 1, P64), 0);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach(&m, c->buf, c->size - 1, P64), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach(&m, c->buf, 8, P64), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach(&m, NULL, c->size, P64), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach(&m, (u8 *)c->buf + 4, c->size, P64), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach(&m, c->buf, c->size, P64), 0);
}

/* Every header field, made wrong on its own, is refused. */
static void hm_attach_bad_header(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 64, 0, P64);
	struct memkit_hashmap_header *h = c->buf, saved;
	struct memkit_hashmap m;
	unsigned int i;

	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i, i, P64), 0);
	saved = *h;
#define HM_BAD(mutation) do {						\
		*h = saved;							\
		mutation;							\
		KUNIT_EXPECT_EQ_MSG(test, memkit_hashmap_attach(&m, c->buf, c->size, P64), \
				    -EINVAL, #mutation);			\
	} while (0)
	HM_BAD(h->magic = 0);
	HM_BAD(h->version = 1);		/* the layout before distance bytes */
	HM_BAD(h->version = MEMKIT_HASHMAP_VERSION + 1);
	HM_BAD(h->max_load_percent = 0);
	HM_BAD(h->max_load_percent = 101);
	HM_BAD(h->own_hash = 1);
	HM_BAD(h->capacity = 63);
	HM_BAD(h->capacity = 128);
	HM_BAD(h->capacity = 32);
	HM_BAD(h->size = 11);
	HM_BAD(h->size = 9);
	HM_BAD(h->size = 60);
	HM_BAD(h->key_size = 4);
	HM_BAD(h->value_size = 16);
	HM_BAD(h->key_align = 16);
	HM_BAD(h->value_align = 4);
	HM_BAD(h->metadata_off = saved.metadata_off + 8);
	HM_BAD(h->keys_off = saved.keys_off - 8);
	HM_BAD(h->values_off = c->size);
	HM_BAD(h->total = saved.total + 1);
#undef HM_BAD
	*h = saved;
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach(&m, c->buf, c->size, P64), 0);
	/* Wrong params for a good map. */
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach(&m, c->buf, c->size, P64_ID), -EINVAL);
}

/*
 * A second copy of a key further along its probe path is shadowed by the
 * first: a lookup never finds it and removing the key leaves it behind.
 * attach refuses such an image (found by the userspace attach fuzzer).
 */
static void hm_attach_duplicate_key(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 8, 0, P64_LAST);
	struct memkit_hashmap m;
	u64 *second;

	KUNIT_ASSERT_EQ(test, hm_put64(&c->map, 1, 10, P64_LAST), 0);
	KUNIT_ASSERT_EQ(test, hm_put64(&c->map, 2, 20, P64_LAST), 0);
	/* Both live in the cluster that starts at the last slot and wraps to 0. */
	second = memkit_hashmap_key(&c->map, 0, P64_LAST);
	KUNIT_ASSERT_EQ(test, *second, 2ULL);
	*second = 1;
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach(&m, c->buf, c->size, P64_LAST), -EINVAL);
	*second = 2;
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach(&m, c->buf, c->size, P64_LAST), 0);
}

/*
 * An accepted copy against an independent model: the pairs its slots hold,
 * read once.  Every key the original map held keeps its value (the flips
 * never touch keys or values), no key is there twice, and a fixed series
 * of puts, gets and removes gives the results the model predicts.
 * Returns false, with the test failed, at the first disagreement.
 */
static bool hm_bitflip_model(struct kunit *test, struct memkit_hashmap *m, u32 nr_orig,
			     u64 *keys, u64 *vals)
{
	const u32 most = div_u64((u64)memkit_hashmap_capacity(m) * m->hdr->max_load_percent,
				 100);
	u32 n = 0, idx, i, j;
	u64 v;
	int ret;

	memkit_hashmap_for_each(m, idx) {
		KUNIT_ASSERT_LT_MSG(test, n, 64U, "more entries than slots");
		keys[n] = *(u64 *)memkit_hashmap_key(m, idx, P64);
		vals[n] = *(u64 *)memkit_hashmap_value(m, idx, P64);
		/* Original key i * 3 maps to i; others come from empty slots. */
		if (!memkit_kunit_mod(keys[n], 3) && div_u64(keys[n], 3) < nr_orig &&
		    vals[n] != div_u64(keys[n], 3))
			goto bad;
		for (j = 0; j < n; j++)
			if (keys[j] == keys[n])
				goto bad;
		n++;
	}
	if (n != memkit_hashmap_count(m) || n > most)
		goto bad;
	for (i = 0; i < n; i++)
		if (!hm_get64(m, keys[i], &v, P64) || v != vals[i])
			goto bad;
	/* A new key (no original is odd): in if there is room, then out again. */
	ret = hm_put64(m, 1001, 7, P64);
	if (ret != (n < most ? 0 : -ENOSPC) ||
	    hm_get64(m, 1001, &v, P64) != !ret || (!ret && v != 7) ||
	    hm_del64(m, 1001, P64) != (ret ? -ENOENT : 0))
		goto bad;
	/* Remove every model key: each present once, the map empty after. */
	for (i = 0; i < n; i++)
		if (hm_del64(m, keys[i], P64) || hm_get64(m, keys[i], &v, P64))
			goto bad;
	if (memkit_hashmap_count(m))
		goto bad;
	return true;
bad:
	KUNIT_FAIL(test, "an accepted corrupted map disagrees with its model (%u entries)", n);
	return false;
}

/*
 * Random bit flips in the header and metadata: attach either refuses or
 * yields a map that agrees with an independent model of what its slots
 * hold (KASAN watches the accesses).
 */
static void hm_attach_bitflips(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 64, 0, P64);
	size_t span = c->map.hdr->keys_off, i;
	u32 accepted = 0, trial;
	u64 *keys = kunit_kcalloc(test, 2 * 64, sizeof(u64), GFP_KERNEL);
	struct memkit_hashmap m;
	struct rnd_state rs;
	u8 *copy;

	KUNIT_ASSERT_NOT_NULL(test, keys);
	for (i = 0; i < 40; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i * 3, i, P64), 0);
	copy = kunit_kmalloc(test, c->size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	prandom_seed_state(&rs, hm_seed);
	for (trial = 0; trial < 2000; trial++) {
		unsigned int flips = 1 + prandom_u32_state(&rs) % 3, f;

		memcpy(copy, c->buf, c->size);
		for (f = 0; f < flips; f++) {
			size_t byte = prandom_u32_state(&rs) % span;

			copy[byte] ^= 1 << (prandom_u32_state(&rs) % 8);
		}
		if (memkit_hashmap_attach(&m, copy, c->size, P64))
			continue;
		accepted++;
		if (!hm_bitflip_model(test, &m, 40, keys, keys + 64))
			break;
	}
	kunit_info(test, "2000 corrupted copies: %u accepted, each agreeing with its model\n",
		   accepted);
}

/* Keys and values of sizes 0, 1, 3, 8, 16 and 64 bytes. */
static void hm_sizes(struct kunit *test)
{
	static const u32 sizes[] = { 0, 1, 3, 8, 16, 64 };
	unsigned int ki, vi;
	u8 key[64], val[64], out[64];

	for (ki = 0; ki < ARRAY_SIZE(sizes); ki++) {
		for (vi = 0; vi < ARRAY_SIZE(sizes); vi++) {
			struct memkit_hashmap_params p = {
				.key_size = sizes[ki], .key_align = sizes[ki] == 8 ? 8 : 1,
				.value_size = sizes[vi], .value_align = 1,
			};
			u32 n = sizes[ki] ? 40 : 1, i;
			struct hm_ctx *c = hm_new(test, 64, 0, p);

			for (i = 0; i < n; i++) {
				memset(key, i + 1, sizeof(key));
				memset(val, i + 2, sizeof(val));
				KUNIT_ASSERT_EQ(test, memkit_hashmap_put(&c->map, key, val, p), 0);
			}
			/* A zero-sized key exists once: another put overwrites. */
			if (!sizes[ki])
				KUNIT_ASSERT_EQ(test, memkit_hashmap_put(&c->map, key, val, p), 0);
			KUNIT_EXPECT_EQ(test, memkit_hashmap_count(&c->map), n);
			for (i = 0; i < n; i++) {
				memset(key, i + 1, sizeof(key));
				KUNIT_ASSERT_EQ(test, memkit_hashmap_get(&c->map, key, out, p), 0);
				memset(val, i + 2, sizeof(val));
				KUNIT_EXPECT_EQ(test, memcmp(out, val, sizes[vi]), 0);
			}
			for (i = 0; i < n; i += 2) {
				memset(key, i + 1, sizeof(key));
				KUNIT_EXPECT_EQ(test, memkit_hashmap_remove(&c->map, key, p), 0);
			}
			hm_check(test, &c->map, p);
		}
	}
}

static void hm_capacity_zero(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 0, 0, P64);
	u64 k = 1;
	u32 idx, n = 0;

	KUNIT_EXPECT_EQ(test, memkit_hashmap_capacity(&c->map), 0U);
	KUNIT_EXPECT_EQ(test, hm_put64(&c->map, 1, 1, P64), -ENOSPC);
	KUNIT_EXPECT_FALSE(test, hm_get64(&c->map, 1, NULL, P64));
	KUNIT_EXPECT_EQ(test, memkit_hashmap_remove(&c->map, &k, P64), -ENOENT);
	memkit_hashmap_for_each(&c->map, idx)
		n++;
	KUNIT_EXPECT_EQ(test, n, 0U);
	memkit_hashmap_clear(&c->map);
}

static void hm_init_bad_args(struct kunit *test)
{
	static const struct memkit_hashmap_params bad_align = { .key_size = 8, .key_align = 3 };
	static const struct memkit_hashmap_params bad_size = { .key_size = 6, .key_align = 4 };
	struct memkit_hashmap_layout l;
	struct memkit_hashmap m;
	u8 *buf;

	KUNIT_ASSERT_EQ(test, memkit_hashmap_layout_for_capacity(16, P64, &l), 0);
	buf = hm_buf(test, l.total + 64);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_init(&m, buf, l.total - 1, 16, 0, P64), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_init(&m, buf + 4, l.total, 16, 0, P64), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_init(&m, buf, l.total, 16, 101, P64), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_init(&m, buf, l.total, 12, 0, P64), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_init(&m, NULL, l.total, 16, 0, P64), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_init(&m, buf, l.total, 16, 0, bad_align), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_init(&m, buf, l.total, 16, 0, bad_size), -EINVAL);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_init(&m, buf, l.total, 16, 0, P64), 0);
	KUNIT_EXPECT_EQ(test, m.hdr->max_load_percent, (u8)MEMKIT_HASHMAP_DEFAULT_LOAD);
}

/* Each map has its own seed, and it travels with the buffer. */
static void hm_seed_per_map(struct kunit *test)
{
	struct hm_ctx *a = hm_new(test, 16, 0, P64), *b = hm_new(test, 16, 0, P64);
	struct memkit_hashmap m;

	/* hm_new() replaces the seed: init's own, drawn for each map, differ. */
	KUNIT_ASSERT_EQ(test, memkit_hashmap_init(&a->map, a->buf, a->size, 16, 0, P64), 0);
	KUNIT_ASSERT_EQ(test, memkit_hashmap_init(&b->map, b->buf, b->size, 16, 0, P64), 0);
	KUNIT_EXPECT_NE(test, memcmp(&a->map.hdr->seed, &b->map.hdr->seed,
				     sizeof(siphash_key_t)), 0);
	KUNIT_ASSERT_EQ(test, hm_put64(&a->map, 42, 1, P64), 0);
	KUNIT_ASSERT_EQ(test, memkit_hashmap_attach(&m, a->buf, a->size, P64), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&m.hdr->seed, &a->map.hdr->seed, sizeof(siphash_key_t)), 0);
	KUNIT_EXPECT_TRUE(test, hm_get64(&m, 42, NULL, P64));
}

/* Keys from a small universe against a plain array model, 100k ops. */
static void hm_random_differential(struct kunit *test)
{
	const u32 cap = 1024, universe = 1200, max = cap * 80 / 100;
	struct hm_ctx *c = hm_new(test, cap, 80, P64);
	u32 present = 0, i, nospc = 0;
	struct rnd_state rs;
	u64 *model;

	model = kunit_kcalloc(test, universe, sizeof(*model), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, model);	/* 0: absent, else value */
	prandom_seed_state(&rs, hm_seed);
	kunit_info(test, "seed %llu\n", hm_seed);
	for (i = 1; i <= 100000; i++) {
		u64 k = prandom_u32_state(&rs) % universe, v = i, got;
		u32 op = prandom_u32_state(&rs) % 4;
		int ret;

		switch (op) {
		case 0:
		case 1:
			ret = hm_put64(&c->map, k, v, P64);
			if (!model[k] && present == max) {
				KUNIT_ASSERT_EQ(test, ret, -ENOSPC);
				nospc++;
				break;
			}
			KUNIT_ASSERT_EQ(test, ret, 0);
			present += !model[k];
			model[k] = v;
			break;
		case 2:
			ret = hm_del64(&c->map, k, P64);
			KUNIT_ASSERT_EQ(test, ret, model[k] ? 0 : -ENOENT);
			present -= !!model[k];
			model[k] = 0;
			break;
		default:
			KUNIT_ASSERT_EQ(test, hm_get64(&c->map, k, &got, P64), !!model[k]);
			if (model[k])
				KUNIT_ASSERT_EQ(test, got, model[k]);
			break;
		}
		KUNIT_ASSERT_EQ(test, memkit_hashmap_count(&c->map), present);
		if (i % 10000 == 0)
			hm_check(test, &c->map, P64);
	}
	kunit_info(test, "100000 ops: %u live at the end, %u -ENOSPC\n", present, nospc);
	KUNIT_EXPECT_GT(test, nospc, 0U);
}

/* The original's 20k-operation oracle test, with the placement check. */
static void hm_oracle_20k(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 512, 100, P64_ID);
	struct rnd_state rs;
	u32 i, present = 0;
	u64 *model;

	model = kunit_kcalloc(test, 600, sizeof(*model), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, model);
	prandom_seed_state(&rs, hm_seed ^ 1);
	for (i = 1; i <= 20000; i++) {
		/* Identity hash and clustered keys: long runs, wrap-arounds. */
		u64 k = prandom_u32_state(&rs) % 600;

		if (prandom_u32_state(&rs) % 2) {
			int ret = hm_put64(&c->map, k, i, P64_ID);

			KUNIT_ASSERT_EQ(test, ret, !model[k] && present == 512 ? -ENOSPC : 0);
			if (!ret) {
				present += !model[k];
				model[k] = i;
			}
		} else {
			KUNIT_ASSERT_EQ(test, hm_del64(&c->map, k, P64_ID), model[k] ? 0 : -ENOENT);
			present -= !!model[k];
			model[k] = 0;
		}
		if (i % 1000 == 0)
			hm_check(test, &c->map, P64_ID);
	}
	for (i = 0; i < 600; i++)
		KUNIT_EXPECT_EQ(test, hm_get64(&c->map, i, NULL, P64_ID), !!model[i]);
}

/* Fill exactly to the layout's size; the values sum as put. */
static void hm_put_sums_at_capacity(struct kunit *test)
{
	struct memkit_hashmap_layout l;
	u64 i, sum = 0, want = 0;
	struct hm_ctx *c;
	u32 idx;

	KUNIT_ASSERT_EQ(test, memkit_hashmap_layout_for_size(100, 80, P64, &l), 0);
	c = hm_new(test, l.capacity, 80, P64);
	for (i = 0; i < l.capacity * 80 / 100; i++) {
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i + 1000, i, P64), 0);
		want += i;
	}
	KUNIT_EXPECT_EQ(test, hm_put64(&c->map, 5, 5, P64), -ENOSPC);
	memkit_hashmap_for_each(&c->map, idx)
		sum += *(u64 *)memkit_hashmap_value(&c->map, idx, P64);
	KUNIT_EXPECT_EQ(test, sum, want);
}

/* Iteration visits every entry exactly once, also after removals. */
static void hm_iteration_once(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 512, 0, P64);
	unsigned long *seen;
	u64 i;
	u32 idx, n = 0;

	seen = kunit_kzalloc(test, BITS_TO_LONGS(400) * sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (i = 0; i < 400; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i, i, P64), 0);
	for (i = 0; i < 400; i += 5)
		KUNIT_ASSERT_EQ(test, hm_del64(&c->map, i, P64), 0);
	memkit_hashmap_for_each(&c->map, idx) {
		u64 k = *(u64 *)memkit_hashmap_key(&c->map, idx, P64);

		KUNIT_ASSERT_LT(test, k, 400ULL);
		KUNIT_EXPECT_FALSE(test, __test_and_set_bit(k, seen));
		KUNIT_EXPECT_NE(test, memkit_kunit_mod(k, 5), 0U);
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, 320U);
}

/* Keys equal by a custom rule (the low 32 bits) are one entry. */
static u64 hm_low32_hash(const void *key, u32 len, const siphash_key_t *seed)
{
	/* A multiplicative hash written out: hash_64(x, 64) is 64-bit only. */
	return (*(const u64 *)key & U32_MAX) * 0x9e3779b97f4a7c15ULL;
}

static bool hm_low32_eq(const void *a, const void *b, u32 len)
{
	return (u32)*(const u64 *)a == (u32)*(const u64 *)b;
}

static void hm_custom_eq(struct kunit *test)
{
	static const struct memkit_hashmap_params pl = {
		.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
		.hash = hm_low32_hash, .eq = hm_low32_eq,
	};
	struct hm_ctx *c = hm_new(test, 64, 0, pl);
	u64 v;

	KUNIT_EXPECT_EQ(test, hm_put64(&c->map, 0x100000007ULL, 1, pl), 0);
	KUNIT_EXPECT_EQ(test, hm_put64(&c->map, 0x200000007ULL, 2, pl), 0);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_count(&c->map), 1U);
	KUNIT_EXPECT_TRUE(test, hm_get64(&c->map, 7, &v, pl));
	KUNIT_EXPECT_EQ(test, v, 2ULL);
	hm_check(test, &c->map, pl);
}

/* A 32-bit hash, as jhash() gives: its fingerprints must vary too. */
static u64 hm_hash32(const void *key, u32 len, const siphash_key_t *seed)
{
	return (u32)(*(const u64 *)key * 0x9e3779b97f4a7c15ULL >> 32);
}

/* The caller's hash, keyed by the seed the map gives it. */
static const siphash_key_t *hm_given_seed;

static u64 hm_keyed_hash(const void *key, u32 len, const siphash_key_t *seed)
{
	hm_given_seed = seed;
	return siphash_1u64(*(const u64 *)key, seed);
}

static const struct memkit_hashmap_params P64_H32 = {
	.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
	.hash = hm_hash32,
};

static const struct memkit_hashmap_params P64_KEYED = {
	.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
	.hash = hm_keyed_hash,
};

/* How many of the 128 fingerprints 300 keys in 512 slots use. */
static u32 hm_distinct_fps(struct kunit *test, const struct memkit_hashmap_params p)
{
	struct hm_ctx *c = hm_new(test, 512, 0, p);
	DECLARE_BITMAP(seen, 128) = {};
	u32 i;

	for (i = 0; i < 300; i++)
		KUNIT_EXPECT_EQ(test, hm_put64(&c->map, i * 7919 + 1, i, p), 0);
	for (i = 0; i < 512; i++)
		if (c->map.meta[i])
			__set_bit(c->map.meta[i] & 0x7f, seen);
	hm_check(test, &c->map, p);
	return bitmap_weight(seen, 128);
}

/*
 * Fingerprints come from bits a 32-bit hash fills (300 keys over 128
 * values use about 115; a 32-bit hash used to give every entry 0x80), and
 * a caller's hash is given the map's seed, so re-seeding moves its keys.
 */
static void hm_fingerprints_and_seed(struct kunit *test)
{
	struct hm_ctx *c;
	struct memkit_hashmap m;
	siphash_key_t old;
	u64 i, v, where = 0;

	KUNIT_EXPECT_GE(test, hm_distinct_fps(test, P64), 64U);
	KUNIT_EXPECT_GE(test, hm_distinct_fps(test, P64_H32), 64U);

	c = hm_new(test, 256, 0, P64_KEYED);
	for (i = 1; i <= 150; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i, i, P64_KEYED), 0);
	KUNIT_EXPECT_PTR_EQ(test, hm_given_seed, &c->map.hdr->seed);
	old = c->map.hdr->seed;
	for (i = 0; i < 256; i++)
		if (c->map.meta[i])
			where += i * *(u64 *)memkit_hashmap_key(&c->map, i, P64_KEYED);
	KUNIT_ASSERT_EQ(test, memkit_hashmap_attach_reseed(&m, c->buf, c->size, P64_KEYED), 0);
	KUNIT_EXPECT_NE(test, memcmp(&old, &m.hdr->seed, sizeof(old)), 0);
	for (i = 0; i < 256; i++)
		if (m.meta[i])
			where -= i * *(u64 *)memkit_hashmap_key(&m, i, P64_KEYED);
	KUNIT_EXPECT_NE(test, where, 0ULL);
	for (i = 1; i <= 150; i++) {
		KUNIT_EXPECT_TRUE(test, hm_get64(&m, i, &v, P64_KEYED));
		KUNIT_EXPECT_EQ(test, v, i);
	}
	hm_check(test, &m, P64_KEYED);
}

/*
 * Attach probes with a hash rebuilt from an entry's home slot and
 * metadata byte; it must give both back for every home a map of up to
 * 2^31 slots has, including those whose bits 25-31 overlap the
 * fingerprint's.
 */
static void hm_hash_of_home_and_meta(struct kunit *test)
{
	static const u32 homes[] = {
		0, 1, BIT(25) - 1, BIT(25), BIT(25) + 12345, BIT(26) | 7, BIT(30) + 99,
		BIT(31) - 1,
	};
	unsigned int i, bad = 0;
	u32 meta;

	for (i = 0; i < ARRAY_SIZE(homes); i++) {
		for (meta = MEMKIT_HASHMAP_USED; meta <= 0xff; meta++) {
			u64 h = __memkit_hashmap_hash_of(homes[i], meta);

			bad += __memkit_hashmap_fp(h) != meta || lower_32_bits(h) != homes[i];
		}
	}
	KUNIT_EXPECT_EQ(test, bad, 0U);
}

static void hm_debugfs(struct kunit *test)
{
	struct hm_ctx *c = hm_new(test, 64, 0, P64);
	struct memkit_hashmap_debugfs *dbg;
	struct memkit_kunit_reader *rd;
	spinlock_t lock;	/* stands for the owner's lock */
	u64 i, hsum = 0;
	char *line;

	spin_lock_init(&lock);
	if (!memkit_kunit_debugfs_mounted())
		kunit_skip(test, "debugfs is not mounted at /sys/kernel/debug");
	rd = memkit_kunit_reader(test);
	dbg = kunit_kzalloc(test, sizeof(*dbg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dbg);
	for (i = 0; i < 32; i++)
		KUNIT_ASSERT_EQ(test, hm_put64(&c->map, i, i, P64), 0);
	KUNIT_ASSERT_EQ(test, memkit_hashmap_register(dbg, &c->map, "kt-map", P64, &lock), 0);
	KUNIT_EXPECT_GT(test, memkit_kunit_read(rd, "/sys/kernel/debug/memkit/kt-map/stats"), 0);
	memkit_hashmap_unregister(dbg);
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "capacity      64\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "count         32\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "max_count     51\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rd->buf, "load          50%\n"));
	/* The histogram accounts for every entry. */
	line = strstr(rd->buf, "probe_histogram");
	KUNIT_ASSERT_NOT_NULL(test, line);
	for (i = 0; i < 7; i++) {
		char name[8];
		unsigned long long n;

		line = strchr(line, '\n');
		KUNIT_ASSERT_NOT_NULL(test, line);
		int got = sscanf(line + 1, "%7s %llu", name, &n);

		KUNIT_ASSERT_EQ(test, got, 2);
		hsum += n;
		line++;
	}
	KUNIT_EXPECT_EQ(test, hsum, 32ULL);
	line = strchr(rd->buf, '|');
	KUNIT_ASSERT_NOT_NULL(test, line);
	KUNIT_EXPECT_EQ(test, strlen(line), 64 + 3);
	KUNIT_EXPECT_EQ(test, memkit_kunit_read(rd, "/sys/kernel/debug/memkit/kt-map/stats"),
			(ssize_t)-ENOENT);
}

static int hashmap_suite_init(struct kunit_suite *suite)
{
	hm_seed = memkit_kunit_seed(suite);
	return 0;
}

/*
 * The inline insert and remove reach events/memkit/ from the caller's
 * module, through the static branch; attach reports what it found.
 */
static void hm_trace_events(struct kunit *test)
{
	struct memkit_kunit_reader *rd = memkit_kunit_reader(test);
	struct hm_ctx *c = hm_new(test, 16, 0, P64);
	struct memkit_hashmap copy;
	const char *t;

	memkit_kunit_trace_begin(test);
	KUNIT_ASSERT_EQ(test, hm_put64(&c->map, 1, 10, P64), 0);
	KUNIT_ASSERT_EQ(test, hm_put64(&c->map, 2, 20, P64), 0);
	KUNIT_ASSERT_EQ(test, hm_put64(&c->map, 3, 30, P64), 0);
	/* An overwrite inserts nothing. */
	KUNIT_ASSERT_EQ(test, hm_put64(&c->map, 3, 31, P64), 0);
	KUNIT_ASSERT_EQ(test, hm_del64(&c->map, 2, P64), 0);
	KUNIT_ASSERT_EQ(test, memkit_hashmap_attach(&copy, c->buf, c->size, P64), 0);
	KUNIT_EXPECT_EQ(test, memkit_hashmap_attach(&copy, c->buf, 8, P64), -EINVAL);
	t = memkit_kunit_trace_end(test, rd);
	KUNIT_EXPECT_EQ_MSG(test, memkit_kunit_count(t, "memkit_hashmap_insert: "), 3U, "%s", t);
	KUNIT_EXPECT_EQ_MSG(test, memkit_kunit_count(t, " count=3/16 caller="), 1U, "%s", t);
	KUNIT_EXPECT_EQ_MSG(test, memkit_kunit_count(t, "memkit_hashmap_remove: "), 1U, "%s", t);
	KUNIT_EXPECT_EQ_MSG(test, memkit_kunit_count(t, "[memkit_kunit]"), 6U, "%s", t);
	KUNIT_EXPECT_EQ_MSG(test, memkit_kunit_count(t, "capacity=16 count=2 reseed=0 ret=0 "), 1U,
			    "%s", t);
	KUNIT_EXPECT_EQ_MSG(test, memkit_kunit_count(t, "ret=-22 "), 1U, "%s", t);
}

static struct kunit_case memkit_hashmap_cases[] = {
	KUNIT_CASE(hm_basic_usage),
	KUNIT_CASE(hm_layout_for_size),
	KUNIT_CASE(hm_capacity_holds_exactly),
	KUNIT_CASE(hm_put_remove_100),
	KUNIT_CASE(hm_clear),
	KUNIT_CASE(hm_full_put_fails),
	KUNIT_CASE(hm_remove_multiples_of_3),
	KUNIT_CASE(hm_reverse_removes),
	KUNIT_CASE(hm_multiple_removes_same_metadata),
	KUNIT_CASE(hm_random_order),
	KUNIT_CASE(hm_put_overwrites),
	KUNIT_CASE(hm_no_clobber),
	KUNIT_CASE(hm_no_clobber_after_remove_at_max_load),
	KUNIT_CASE(hm_cluster_wraps),
	KUNIT_CASE(hm_remove_from_full_table),
	KUNIT_CASE(hm_get_or_put),
	KUNIT_CASE(hm_fetch_put_remove),
	KUNIT_CASE(hm_get_ptr_writes_through),
	KUNIT_CASE(hm_remove_by_ptr),
	KUNIT_CASE(hm_churn_full),
	KUNIT_CASE_SLOW(hm_churn_no_degradation),
	KUNIT_CASE(hm_layout_huge),
	KUNIT_CASE(hm_relocate),
	KUNIT_CASE(hm_attach_truncated),
	KUNIT_CASE(hm_attach_bad_header),
	KUNIT_CASE(hm_attach_duplicate_key),
	KUNIT_CASE(hm_attach_crafted),
	KUNIT_CASE_SLOW(hm_attach_reseed),
	KUNIT_CASE(hm_remove_by_ptr_wild),
	KUNIT_CASE(hm_bytes_change_underneath),
	KUNIT_CASE(hm_far_distances),
	KUNIT_CASE(hm_attach_bitflips),
	KUNIT_CASE(hm_sizes),
	KUNIT_CASE(hm_capacity_zero),
	KUNIT_CASE(hm_init_bad_args),
	KUNIT_CASE(hm_seed_per_map),
	KUNIT_CASE_SLOW(hm_random_differential),
	KUNIT_CASE(hm_oracle_20k),
	KUNIT_CASE(hm_put_sums_at_capacity),
	KUNIT_CASE(hm_iteration_once),
	KUNIT_CASE(hm_custom_eq),
	KUNIT_CASE(hm_fingerprints_and_seed),
	KUNIT_CASE(hm_hash_of_home_and_meta),
	KUNIT_CASE(hm_remove_far_follower),
	KUNIT_CASE(hm_debugfs),
	KUNIT_CASE(hm_trace_events),
	{}
};

static struct kunit_suite memkit_hashmap_suite = {
	.name = "memkit_hashmap",
	.suite_init = hashmap_suite_init,
	.test_cases = memkit_hashmap_cases,
};

kunit_test_suites(&memkit_hashmap_suite);
