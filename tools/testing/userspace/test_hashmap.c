// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_hashmap against a model, natively, under
 * ASan/UBSan.
 *
 * Three key/value types, each specialised through its own constant
 * params: u64 -> u64 with SipHash; 3-byte keys -> 5-byte values with the
 * caller's own equality and a deliberately weak hash (long clusters,
 * equal fingerprints); u32 keys with no value (a set).  Keys come from a
 * universe 1.5x the map's maximum size, so inserts hit present keys,
 * absent keys and a full map.
 * Every operation's result is compared with the model.  Now and then the
 * buffer is copied to a fresh allocation, the old one freed (ASan catches
 * any stale pointer) and the copy attached.  Every batch: every slot is
 * walked and compared with the model, and memkit_hashmap_attach() on the
 * live buffer, which validates header, layout, metadata, fingerprints and
 * placement, must accept it.
 *
 * Built with UT_FUZZER, the same model test is a libFuzzer target: the
 * input picks the type, the capacity (1 to 1024), the maximum load and
 * every operation, and the full check runs after each one.
 */

#include <memkit/bug.h>
#include <memkit/hashmap.h>
#include <memkit/testing.h>

#include "harness.h"

#define HM_MAX_CAP	1024
#define HM_UNIVERSE	1536	/* keys: 1.5 x the most entries a map holds */
#define HM_VMAX		8

struct model {
	bool present[HM_UNIVERSE];
	u8 value[HM_UNIVERSE][HM_VMAX];
	u32 count;
};

/*
 * This run's capacity, key universe, and the most entries the map may
 * hold, capacity * max_load_percent / 100 as documented (not read from
 * the map).
 */
static u32 cap, universe, most;
static void *map_buf;

struct stats {
	u64 ops, nospc, hits, misses, relocations, checks;
};

/*
 * The 3-byte keys come with the caller's own hash and equality.  The hash
 * has 61 values, all below 2^25, so every fingerprint is the same and the
 * map is one long cluster (distances past MEMKIT_HASHMAP_FAR, wrap-around).
 */
static u64 weak_hash(const void *key, u32 key_size, const siphash_key_t *seed)
{
	const u8 *k = key;

	return (k[0] | k[1] << 8 | k[2] << 16) % 61;
}

static bool eq3(const void *a, const void *b, u32 key_size)
{
	const u8 *x = a, *y = b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2];
}

static const struct memkit_hashmap_params P64 = {
	.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
};

static const struct memkit_hashmap_params P3 = {
	.key_size = 3, .key_align = 1, .value_size = 5, .value_align = 1,
	.hash = weak_hash,
	.eq = eq3,
};

static const struct memkit_hashmap_params PSET = {
	.key_size = 4, .key_align = 4,
};

/*
 * Universe index -> key bytes.  u64 keys are multiplied by an odd constant
 * so that SipHash sees varied input; the inverse (mod 2^64) maps back.
 */
#define HM_SPREAD	0x9e3779b97f4a7c15ULL

static u64 spread_inverse(void)
{
	u64 x = HM_SPREAD;	/* Newton: each step doubles the correct bits. */
	int i;

	for (i = 0; i < 6; i++)
		x *= 2 - HM_SPREAD * x;
	return x;
}

static void make_key(u32 k, u8 *out, u32 key_size)
{
	u64 v = key_size == 8 ? k * HM_SPREAD : k;

	memcpy(out, &v, key_size);
}

static u32 key_index(const u8 *key, u32 key_size)
{
	u64 v = 0;

	memcpy(&v, key, key_size);
	if (key_size == 8)
		v *= spread_inverse();
	return v < universe ? v : HM_UNIVERSE;
}

/*
 * What attach must say of a consistent map: 0 while the entries' distances
 * from home add up to at most the budget, else -EINVAL (only the weak
 * caller hash gets there).
 */
static __always_inline int attach_verdict(struct memkit_hashmap *map,
					  const struct memkit_hashmap_params p)
{
	u64 sum = 0;
	u32 idx;

	memkit_hashmap_for_each(map, idx)
		sum += memkit_hashmap_probe_length(map, idx, p);
	return sum <= memkit_hashmap_probe_budget(memkit_hashmap_count(map),
						  memkit_hashmap_capacity(map)) ? 0 : -EINVAL;
}

static __always_inline void full_check(struct memkit_hashmap *map, struct model *m,
				       u64 op, const struct memkit_hashmap_params p)
{
	struct memkit_hashmap again;
	struct memkit_hashmap_layout l;
	u32 idx, seen = 0;
	int ret;

	memkit_hashmap_for_each(map, idx) {
		u32 k = key_index(memkit_hashmap_key(map, idx, p), p.key_size);

		UT_ASSERT(k < universe && m->present[k], "slot %u: key not in the model", idx);
		UT_ASSERT(!memcmp(memkit_hashmap_value(map, idx, p), m->value[k], p.value_size),
			  "value of key %u differs, op %llu", k, op);
		UT_ASSERT(memkit_hashmap_probe_length(map, idx, p) < cap, "probe length");
		seen++;
	}
	UT_ASSERT(seen == m->count && memkit_hashmap_count(map) == m->count,
		  "walk saw %u, count %u, model %u", seen, memkit_hashmap_count(map), m->count);
	memkit_hashmap_layout_for_capacity(cap, p, &l);
	ret = memkit_hashmap_attach(&again, map_buf, l.total, p);
	UT_ASSERT(ret == attach_verdict(map, p), "attach of the live map after op %llu: %d",
		  op, ret);
	UT_ASSERT(ret || memkit_hashmap_count(&again) == m->count, "attached count");
}

static __always_inline void relocate(struct memkit_hashmap *map,
				     const struct memkit_hashmap_params p)
{
	static unsigned int moves;
	/* Every other move of a SipHash map re-seeds: always accepted. */
	bool reseed = !p.hash && (moves++ & 1);
	int verdict = reseed ? 0 : attach_verdict(map, p), ret;
	struct memkit_hashmap_layout l;
	struct memkit_hashmap moved;
	void *copy;

	memkit_hashmap_layout_for_capacity(cap, p, &l);
	copy = malloc(l.total);
	UT_ASSERT(copy, "malloc");
	memcpy(copy, map_buf, l.total);
	ret = reseed ? memkit_hashmap_attach_reseed(&moved, copy, l.total, p) :
		       memkit_hashmap_attach(&moved, copy, l.total, p);
	UT_ASSERT(ret == verdict, "attach after copy: %d, expected %d", ret, verdict);
	if (ret) {
		/* Over the budget: the copy is refused, the map stays put. */
		free(copy);
		return;
	}
	free(map_buf);
	map_buf = copy;
	*map = moved;
}

/* Refused without a change: a pointer inside a key, one before the keys. */
static __always_inline void bad_remove(struct memkit_hashmap *map, struct model *m,
				       const struct memkit_hashmap_params p)
{
	u8 *first = memkit_hashmap_key(map, 0, p);
	const u8 *bad = p.key_size > 1 ? first + 1 : first - p.key_size;

	UT_ASSERT(memkit_expect_warnings_begin() == 0, "expecting twice");
	UT_CHECK(memkit_hashmap_remove_by_ptr(map, bad, p) == -EINVAL, "bad pointer accepted");
	UT_CHECK(memkit_expect_warnings_end() == 1, "bad pointer not reported");
	UT_CHECK(memkit_hashmap_count(map) == m->count, "bad remove changed the count");
}

static __always_inline void one_op(struct memkit_hashmap *map, struct model *m,
				   struct ut_rng *rng, struct stats *st,
				   const struct memkit_hashmap_params p)
{
	u32 k = ut_rng_below(rng, universe), r = ut_rng_below(rng, 100);
	u8 key[8], out[HM_VMAX];
	bool full = m->count == most;
	u64 val = ut_rng_next(rng);
	u32 idx;
	int ret;

	make_key(k, key, p.key_size);

	if (r < 30) {
		ret = memkit_hashmap_put(map, key, &val, p);
		UT_ASSERT(ret == (!m->present[k] && full ? -ENOSPC : 0), "put: %d", ret);
	} else if (r < 40) {
		ret = memkit_hashmap_put_no_clobber(map, key, &val, p);
		UT_ASSERT(ret == (m->present[k] ? -EEXIST : full ? -ENOSPC : 0),
			  "put_no_clobber: %d", ret);
		if (ret)
			goto refused;
	} else if (r < 50) {
		ret = memkit_hashmap_fetch_put(map, key, &val, out, p);
		UT_ASSERT(ret == (m->present[k] ? 1 : full ? -ENOSPC : 0), "fetch_put: %d", ret);
		if (ret == 1)
			UT_ASSERT(!memcmp(out, m->value[k], p.value_size), "fetch_put old value");
	} else if (r < 75) {
		ret = memkit_hashmap_get(map, key, out, p);
		UT_ASSERT(ret == (m->present[k] ? 0 : -ENOENT), "get: %d", ret);
		UT_ASSERT(memkit_hashmap_contains(map, key, p) == m->present[k], "contains");
		if (!ret)
			UT_ASSERT(!memcmp(out, m->value[k], p.value_size), "get value");
		st->hits += m->present[k];
		st->misses += !m->present[k];
		return;
	} else if (r < 82) {
		ret = memkit_hashmap_remove(map, key, p);
		UT_ASSERT(ret == (m->present[k] ? 0 : -ENOENT), "remove: %d", ret);
		goto removed;
	} else if (r < 89) {
		ret = memkit_hashmap_fetch_remove(map, key, out, p);
		UT_ASSERT(ret == (m->present[k] ? 0 : -ENOENT), "fetch_remove: %d", ret);
		if (!ret)
			UT_ASSERT(!memcmp(out, m->value[k], p.value_size), "fetch_remove value");
		goto removed;
	} else if (r < 95) {
		idx = memkit_hashmap_lookup(map, key, p);
		UT_ASSERT((idx != MEMKIT_HASHMAP_NONE) == m->present[k], "lookup");
		if (idx != MEMKIT_HASHMAP_NONE) {
			ret = memkit_hashmap_remove_by_ptr(map, memkit_hashmap_key(map, idx, p), p);
			UT_ASSERT(!ret, "remove_by_ptr of a live key: %d", ret);
		}
		goto removed;
	} else if (r < 98) {
		bad_remove(map, m, p);
		return;
	} else if (r < 99) {
		/* Attach checks every entry: O(size * probe length) here. */
		relocate(map, p);
		st->relocations++;
		return;
	} else if (ut_rng_below(rng, 500) == 0) {
		memkit_hashmap_clear(map);
		memset(m->present, 0, sizeof(m->present));
		m->count = 0;
		return;
	} else {
		return;
	}
	/* An insert or overwrite that was accepted. */
	if (ret == -ENOSPC)
		goto refused;
	m->count += !m->present[k];
	m->present[k] = true;
	memcpy(m->value[k], &val, p.value_size);
	return;
refused:
	st->nospc += ret == -ENOSPC;
	return;
removed:
	m->count -= m->present[k];
	m->present[k] = false;
}

static __always_inline void run(const char *name, u32 load, u64 ops, u32 batch,
				struct ut_rng *rng, const struct memkit_hashmap_params p)
{
	struct memkit_hashmap_layout l;
	struct memkit_hashmap map;
	struct stats st = {};
	struct model *m;
	u64 op;

	m = calloc(1, sizeof(*m));
	UT_ASSERT(m, "calloc");
	UT_ASSERT(memkit_hashmap_layout_for_capacity(cap, p, &l) == 0, "layout");
	map_buf = malloc(l.total);
	UT_ASSERT(map_buf, "malloc");
	UT_ASSERT(memkit_hashmap_init(&map, map_buf, l.total, cap, load, p) == 0, "init");
	most = (u64)cap * load / 100;
	universe = max(2U, most * 3 / 2);
	for (op = 1; op <= ops && !ut_rng_done(rng); op++) {
		one_op(&map, m, rng, &st, p);
		if (op % batch == 0)
			full_check(&map, m, op, p);
	}
	full_check(&map, m, op, p);
	if (!rng->data) {
		printf("test_hashmap: %-6s %llu ops, %llu hits, %llu misses,", name, ops,
		       st.hits, st.misses);
		printf(" %llu full, %llu moves\n", st.nospc, st.relocations);
		/* Each outcome must have occurred, or the model checks prove little. */
		UT_CHECK(st.hits && st.misses && st.nospc && st.relocations,
			 "an outcome never occurred");
	}
	free(map_buf);
	free(m);
}

static noinline void run_u64(u32 load, u64 ops, u32 batch, struct ut_rng *rng)
{
	run("u64", load, ops, batch, rng, P64);
}

static noinline void run_3to5(u32 load, u64 ops, u32 batch, struct ut_rng *rng)
{
	run("3to5", load, ops, batch, rng, P3);
}

static noinline void run_set(u32 load, u64 ops, u32 batch, struct ut_rng *rng)
{
	run("u32set", load, ops, batch, rng, PSET);
}

#ifdef UT_FUZZER

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct ut_rng rng;
	u32 type, load;

	ut_fuzz_begin(&rng, data, size);
	type = ut_rng_below(&rng, 3);
	cap = 1U << ut_rng_below(&rng, 11);
	load = 1 + ut_rng_below(&rng, 100);
	if (type == 0)
		run_u64(load, U64_MAX, 1, &rng);
	else if (type == 1)
		run_3to5(load, U64_MAX, 1, &rng);
	else
		run_set(load, U64_MAX, 1, &rng);
	ut_fuzz_end();
	return 0;
}

#else

/*
 * Sizing and init: the smallest capacity that holds n at each load (checked
 * against the documented rule, capacity * load / 100 entries fit), and every
 * argument init refuses.
 */
static void sizing_and_bad_args(void)
{
	static const struct memkit_hashmap_params bad_value = {
		.key_size = 8, .key_align = 8, .value_size = 6, .value_align = 4,
	};
	static const struct memkit_hashmap_params bad_key = {
		.key_size = 6, .key_align = 4, .value_size = 8, .value_align = 8,
	};
	static const u32 loads[] = { 0, 1, 50, 80, 99, 100 };
	struct memkit_hashmap_layout l, l2;
	struct memkit_hashmap map;
	u64 buf[64];
	struct memkit_hashmap_header *h = (void *)buf;
	u32 i, n, load;

	for (i = 0; i < ARRAY_SIZE(loads); i++) {
		load = loads[i] ? loads[i] : MEMKIT_HASHMAP_DEFAULT_LOAD;
		for (n = 0; n < 3000; n += 1 + n / 8) {
			UT_ASSERT(!memkit_hashmap_layout_for_size(n, loads[i], P64, &l), "sizing");
			/* It holds n, and half the capacity would not. */
			UT_ASSERT((u64)l.capacity * load / 100 >= n, "capacity %u for %u at %u%%",
				  l.capacity, n, load);
			UT_ASSERT(l.capacity <= 1 || (u64)l.capacity / 2 * load / 100 < n,
				  "capacity %u is more than %u needs at %u%%", l.capacity, n, load);
			UT_ASSERT(!memkit_hashmap_layout_for_capacity(l.capacity, P64, &l2) &&
				  l2.total == l.total, "the same layout by capacity");
		}
	}
	UT_CHECK(memkit_hashmap_layout_for_size(10, 101, P64, &l) == -EINVAL, "load 101");
	UT_CHECK(memkit_hashmap_layout_for_size(U32_MAX, 100, P64, &l) == -EINVAL, "U32_MAX");
	UT_CHECK(memkit_hashmap_layout_for_size(MEMKIT_HASHMAP_MAX_CAPACITY, 100, P64, &l) == 0 &&
		 l.capacity == MEMKIT_HASHMAP_MAX_CAPACITY, "the largest map, full");
	UT_CHECK(memkit_hashmap_layout_for_size(MEMKIT_HASHMAP_MAX_CAPACITY, 99, P64, &l) ==
		 -EINVAL, "more than the largest map holds");
	UT_CHECK(memkit_hashmap_layout_for_capacity(3, P64, &l) == -EINVAL, "capacity 3");

	UT_ASSERT(!memkit_hashmap_layout_for_capacity(16, P64, &l) && l.total <= sizeof(buf),
		  "layout");
	UT_CHECK(memkit_hashmap_init(&map, NULL, l.total, 16, 0, P64) == -EINVAL, "NULL buffer");
	UT_CHECK(memkit_hashmap_init(&map, buf, l.total - 1, 16, 0, P64) == -EINVAL, "short");
	UT_CHECK(memkit_hashmap_init(&map, (u8 *)buf + 4, l.total, 16, 0, P64) == -EINVAL,
		 "misaligned");
	UT_CHECK(memkit_hashmap_init(&map, buf, l.total, 16, 101, P64) == -EINVAL, "load 101");
	UT_CHECK(memkit_hashmap_init(&map, buf, l.total, 12, 0, P64) == -EINVAL, "capacity 12");
	UT_ASSERT(!memkit_hashmap_init(&map, buf, l.total, 16, 0, P64), "init at the default");
	UT_CHECK(map.max_size == 16 * MEMKIT_HASHMAP_DEFAULT_LOAD / 100, "default load");
	UT_CHECK(memkit_hashmap_attach(&map, buf, sizeof(struct memkit_hashmap_header) - 1,
				       P64) == -EINVAL, "attach of less than a header");
	UT_CHECK(memkit_hashmap_attach(&map, buf, l.total, PSET) == -EINVAL,
		 "attach with other types");
	/* A header with only its magic, or only its version, wrong. */
	h->magic ^= 1;
	UT_CHECK(memkit_hashmap_attach(&map, buf, l.total, P64) == -EINVAL, "a wrong magic");
	h->magic ^= 1;
	h->version++;
	UT_CHECK(memkit_hashmap_attach(&map, buf, l.total, P64) == -EINVAL, "a wrong version");
	h->version--;
	UT_CHECK(memkit_hashmap_attach(&map, buf, l.total, P64) == 0, "the header repaired");
	/* A key, or a value, whose size is not a multiple of its alignment. */
	UT_CHECK(memkit_hashmap_layout_for_capacity(16, bad_value, &l) == -EINVAL, "value 6/4");
	UT_CHECK(memkit_hashmap_layout_for_capacity(16, bad_key, &l) == -EINVAL, "key 6/4");
}

/*
 * The fingerprint comes from bits every hash fills: a 32-bit hash (jhash,
 * hsiphash) must give as many distinct fingerprints as a 64-bit one.
 */
static u64 hash32(const void *key, u32 key_size, const siphash_key_t *seed)
{
	return (u32)(*(const u64 *)key * 0x9e3779b97f4a7c15ULL >> 32);
}

static u32 distinct_fingerprints(const struct memkit_hashmap_params p, const char *what)
{
	struct memkit_hashmap_layout l;
	struct memkit_hashmap map;
	bool seen[128] = {};
	u32 i, n = 0;
	void *buf;

	UT_ASSERT(!memkit_hashmap_layout_for_capacity(512, p, &l), "layout");
	buf = aligned_alloc(8, ALIGN(l.total, 8));
	UT_ASSERT(buf && !memkit_hashmap_init(&map, buf, l.total, 512, 0, p), "init");
	for (i = 0; i < 300; i++) {
		u64 k = i * 7919 + 1;

		UT_ASSERT(!memkit_hashmap_put(&map, &k, &k, p), "put");
	}
	for (i = 0; i < 512; i++)
		if (map.meta[i])
			seen[map.meta[i] & 0x7f] = true;
	for (i = 0; i < 128; i++)
		n += seen[i];
	/* 300 keys over 128 values: about 115 distinct; fewer than half is broken. */
	UT_CHECK(n >= 64, "%s: 300 keys have only %u distinct fingerprints", what, n);
	free(buf);
	return n;
}

/*
 * A caller's hash keyed by the seed it is given: it sees the map's own
 * seed, and re-seeding the map re-places the entries under a new one.
 */
static const siphash_key_t *given_seed;

static u64 keyed_hash(const void *key, u32 key_size, const siphash_key_t *seed)
{
	given_seed = seed;
	return siphash(key, key_size, seed);
}

static void caller_hash_gets_seed(void)
{
	static const struct memkit_hashmap_params pk = {
		.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
		.hash = keyed_hash,
	};
	struct memkit_hashmap_layout l;
	struct memkit_hashmap map;
	siphash_key_t old;
	u64 k, v, moved = 0;
	u32 i;
	void *buf;

	UT_ASSERT(!memkit_hashmap_layout_for_capacity(256, pk, &l), "layout");
	buf = aligned_alloc(8, ALIGN(l.total, 8));
	UT_ASSERT(buf && !memkit_hashmap_init(&map, buf, l.total, 256, 0, pk), "init");
	for (k = 1; k <= 150; k++)
		UT_ASSERT(!memkit_hashmap_put(&map, &k, &k, pk), "put");
	UT_CHECK(given_seed == &map.hdr->seed, "the hash is given the map's seed");
	old = map.hdr->seed;
	for (i = 0; i < 256; i++)
		moved += map.meta[i] ? *(u64 *)memkit_hashmap_key(&map, i, pk) * i : 0;
	UT_ASSERT(!memkit_hashmap_attach_reseed(&map, buf, l.total, pk), "reseed");
	UT_CHECK(memcmp(&old, &map.hdr->seed, sizeof(old)), "a new seed");
	for (i = 0; i < 256; i++)
		moved -= map.meta[i] ? *(u64 *)memkit_hashmap_key(&map, i, pk) * i : 0;
	UT_CHECK(moved, "re-seeding a caller-hashed map moves its entries");
	for (k = 1; k <= 150; k++)
		UT_CHECK(!memkit_hashmap_get(&map, &k, &v, pk) && v == k, "key %llu after reseed",
			 k);
	free(buf);
}

/*
 * Attach of a valid map of more than 2^25 slots, with entries homed in
 * the top half: there the fingerprint's bits (25-31 of the hash folded to
 * 32) overlap the home slot's, and attach's duplicate check must rebuild
 * from home and fingerprint a hash that gives both back.  One-byte keys
 * and no values keep the 2^26 slots to 192 MiB.
 */
static u64 spread_hash(const void *key, u32 key_size, const siphash_key_t *seed)
{
	u64 k = *(const u8 *)key;

	return (u64)(u32)(k * 0x9e3779b9U) << 32 | k << 18;
}

static void large_map_attach(void)
{
	static const struct memkit_hashmap_params pb = {
		.key_size = 1, .value_size = 0, .hash = spread_hash,
	};
	const u32 cap = 1U << 26;
	struct memkit_hashmap_layout l;
	struct memkit_hashmap map;
	u32 k, high = 0;
	void *buf;

	UT_ASSERT(!memkit_hashmap_layout_for_capacity(cap, pb, &l), "layout");
	buf = aligned_alloc(8, ALIGN(l.total, 8));
	UT_ASSERT(buf && !memkit_hashmap_init(&map, buf, l.total, cap, 0, pb), "init");
	for (k = 0; k < 256; k++) {
		u8 key = k;
		int idx;
		bool existed;

		idx = memkit_hashmap_get_or_put(&map, &key, &existed, pb);
		UT_ASSERT(idx >= 0 && !existed, "put %u", k);
		high += (u32)idx >= BIT(25);
	}
	UT_ASSERT(high == 128, "%u entries homed at or above 2^25", high);
	UT_ASSERT(!memkit_hashmap_attach(&map, buf, l.total, pb),
		  "attach of a valid 2^26-slot map");
	for (k = 0; k < 256; k++) {
		u8 key = k;

		UT_CHECK(memkit_hashmap_contains(&map, &key, pb), "key %u after attach", k);
	}
	free(buf);
}

/*
 * A removal whose only movable follower is far from home: keys carry
 * their home slot in their upper bits.  Two keys sit at their homes 128
 * and 129; then 129 keys homed at slot 0 fill slots 0-127 and 130 (130
 * slots from home).  Removing the one at slot 127 must move the one at
 * 130 back over the two at home, or it is lost behind an empty slot.
 * Then one cluster of 400 keys with the same home, distances 0 to 254
 * and saturated, thinned from the front: every key left is found.
 */
static u64 home_in_key(const void *key, u32 key_size, const siphash_key_t *seed)
{
	return *(const u64 *)key >> 16;
}

static void remove_far_follower(void)
{
	static const struct memkit_hashmap_params ph = {
		.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
		.hash = home_in_key,
	};
	struct memkit_hashmap_layout l;
	struct memkit_hashmap map;
	u64 k, v;
	void *buf;

	UT_ASSERT(!memkit_hashmap_layout_for_capacity(512, ph, &l), "layout");
	buf = aligned_alloc(8, ALIGN(l.total, 8));
	UT_ASSERT(buf && !memkit_hashmap_init(&map, buf, l.total, 512, 100, ph), "init");
	for (k = 128ULL << 16; k <= 129ULL << 16; k += 1ULL << 16)
		UT_ASSERT(!memkit_hashmap_put(&map, &k, &k, ph), "put %llx", k);
	for (k = 0; k < 129; k++)
		UT_ASSERT(!memkit_hashmap_put(&map, &k, &k, ph), "put %llu", k);
	k = 128;
	UT_ASSERT(memkit_hashmap_lookup(&map, &k, ph) == 130, "the last key homed at 0 at 130");
	k = 127;
	UT_ASSERT(memkit_hashmap_lookup(&map, &k, ph) == 127 &&
		  !memkit_hashmap_remove(&map, &k, ph), "remove the key at slot 127");
	for (k = 0; k < 129; k++)
		UT_CHECK((k == 127) == !memkit_hashmap_contains(&map, &k, ph),
			 "key %llu after the removal", k);
	for (k = 128ULL << 16; k <= 129ULL << 16; k += 1ULL << 16)
		UT_CHECK(memkit_hashmap_contains(&map, &k, ph), "key %llx at its home", k);

	memkit_hashmap_clear(&map);
	for (k = 0; k < 400; k++)
		UT_ASSERT(!memkit_hashmap_put(&map, &k, &k, ph), "put %llu", k);
	for (k = 0; k < 400; k += 3)
		UT_ASSERT(!memkit_hashmap_remove(&map, &k, ph), "remove %llu", k);
	for (k = 0; k < 400; k++) {
		bool found = !memkit_hashmap_get(&map, &k, &v, ph);

		UT_CHECK(found == (k % 3 != 0) && (!found || v == k), "key %llu after removals",
			 k);
	}
	free(buf);
}

/*
 * The backward shift fills a hole with the furthest entry that may move
 * into it, not the nearest.  Homes are in the keys: A and B at home 10,
 * C at home 12, D at home 10 pushed to slot 13.  Removing A may move B
 * or D into slot 10; D goes, leaving B and C in place, so one entry moves
 * instead of two, and every key is still found where a probe looks.
 */
static void remove_moves_furthest(void)
{
	static const struct memkit_hashmap_params ph = {
		.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
		.hash = home_in_key,
	};
	const u64 a = 10ULL << 16 | 1, b = 10ULL << 16 | 2, c = 12ULL << 16 | 3,
		  d = 10ULL << 16 | 4;
	struct memkit_hashmap_layout l;
	struct memkit_hashmap map, copy;
	void *buf;

	UT_ASSERT(!memkit_hashmap_layout_for_capacity(64, ph, &l), "layout");
	buf = aligned_alloc(8, ALIGN(l.total, 8));
	UT_ASSERT(buf && !memkit_hashmap_init(&map, buf, l.total, 64, 100, ph), "init");
	UT_ASSERT(!memkit_hashmap_put(&map, &a, &a, ph) && !memkit_hashmap_put(&map, &b, &b, ph) &&
		  !memkit_hashmap_put(&map, &c, &c, ph) && !memkit_hashmap_put(&map, &d, &d, ph),
		  "put the four keys");
	UT_ASSERT(memkit_hashmap_lookup(&map, &d, ph) == 13, "D pushed to slot 13");
	UT_ASSERT(!memkit_hashmap_remove(&map, &a, ph), "remove A");
	UT_CHECK(memkit_hashmap_lookup(&map, &d, ph) == 10, "D, the furthest mover, fills slot 10");
	UT_CHECK(memkit_hashmap_lookup(&map, &b, ph) == 11, "B stays in slot 11");
	UT_CHECK(memkit_hashmap_lookup(&map, &c, ph) == 12, "C stays in slot 12");
	UT_CHECK(memkit_hashmap_lookup(&map, &a, ph) == MEMKIT_HASHMAP_NONE, "A is gone");
	UT_CHECK(!memkit_hashmap_attach(&copy, buf, l.total, ph) &&
		 memkit_hashmap_count(&copy) == 3,
		 "the map attaches: every entry reachable from its home");
	free(buf);
}

static void fingerprints(void)
{
	static const struct memkit_hashmap_params p32 = {
		.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
		.hash = hash32,
	};

	distinct_fingerprints(P64, "the default hash");
	distinct_fingerprints(p32, "a 32-bit hash");
}

int main(int argc, char **argv)
{
	struct ut_args args;
	struct ut_rng rng;

	ut_init(argc, argv, "test_hashmap", 1500000, &args, &rng);
	sizing_and_bad_args();
	fingerprints();
	large_map_attach();
	remove_far_follower();
	remove_moves_furthest();
	caller_hash_gets_seed();
	cap = HM_MAX_CAP;
	run_u64(MEMKIT_HASHMAP_DEFAULT_LOAD, args.ops / 3, 1024, &rng);
	run_3to5(MEMKIT_HASHMAP_DEFAULT_LOAD, args.ops / 3, 1024, &rng);
	run_set(MEMKIT_HASHMAP_DEFAULT_LOAD, args.ops - 2 * (args.ops / 3), 1024, &rng);
	return ut_finish("test_hashmap");
}

#endif
