// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_hashmap_attach() on arbitrary bytes.
 *
 * The fuzzer's input is a map image (a buffer that claims to hold a map).
 * Attach must either refuse it with -EINVAL or return a map on which every
 * operation is safe (ASan checks each access against the input's exact
 * length) and consistent with an oracle that is a plain array of the
 * key/value pairs the image holds: no key twice, each found with its
 * value, every put, get and remove after that giving the result the
 * oracle predicts, and the walk and a re-attach agreeing with the oracle
 * at the end.  Two types are tried on each input: u64 -> u64 and 3-byte
 * keys -> 5-byte values.
 *
 * Built without UT_FUZZER it is the seed generator and a native test:
 * it tries every image named on its command line (make test names the
 * checked-in corpus), builds valid images of both types at several
 * capacities and loads, checks that each attaches, and, with -w DIR,
 * writes them there (the corpus), with a few damaged copies and an image
 * that is consistent but for a duplicate key, which attach must refuse.
 */

#include <memkit/hashmap.h>

#include <getopt.h>
#include <time.h>

#include "harness.h"

static const struct memkit_hashmap_params P64 = {
	.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
};

static const struct memkit_hashmap_params P3 = {
	.key_size = 3, .key_align = 1, .value_size = 5, .value_align = 1,
};

/*
 * The oracle: the entries as a plain array of key/value pairs, taken from
 * the slots once, right after attach, and from then on changed only by
 * the model's own rules.  The map's lookup is never used to decide what
 * the map should hold.
 */
struct pair {
	u8 key[8], val[8];
};

struct oracle {
	struct pair *e;
	u32 n, max;
};

static s32 oracle_find(const struct oracle *o, const u8 *key, u32 key_size)
{
	u32 i;

	for (i = 0; i < o->n; i++)
		if (!memcmp(o->e[i].key, key, key_size))
			return i;
	return -1;
}

/* The map holds exactly the oracle's pairs: walked slot by slot. */
static __always_inline void same_as_oracle(struct memkit_hashmap *map, const struct oracle *o,
					   const char *when, const struct memkit_hashmap_params p)
{
	u32 idx, seen = 0;

	memkit_hashmap_for_each(map, idx) {
		s32 i = oracle_find(o, memkit_hashmap_key(map, idx, p), p.key_size);

		UT_ASSERT(i >= 0, "%s: slot %u holds a key the oracle lacks", when, idx);
		UT_ASSERT(!memcmp(memkit_hashmap_value(map, idx, p), o->e[i].val, p.value_size),
			  "%s: slot %u: value differs", when, idx);
		seen++;
	}
	UT_ASSERT(seen == o->n && memkit_hashmap_count(map) == o->n,
		  "%s: walk %u, count %u, oracle %u", when, seen, memkit_hashmap_count(map), o->n);
}

/*
 * An attached map against the oracle: no key twice, every pair found with
 * its value, then a fixed stream of puts, gets and removes over old and
 * new keys, each result predicted by the oracle (the most entries are
 * capacity * max_load_percent / 100, as documented), and at the end the
 * walk and a fresh attach of the same bytes agree with it.
 */
static __always_inline void exercise(struct memkit_hashmap *map, void *buf, size_t len,
				     const struct memkit_hashmap_params p)
{
	u32 idx, cap = memkit_hashmap_capacity(map), i, j;
	struct memkit_hashmap again;
	struct oracle o = {};
	struct ut_rng rng;
	u8 key[8], val[8], out[8];

	o.e = calloc(cap + 1, sizeof(*o.e));
	UT_ASSERT(o.e, "calloc");
	o.max = (u64)cap * map->hdr->max_load_percent / 100;
	memkit_hashmap_for_each(map, idx) {
		UT_ASSERT(o.n < cap, "more entries than slots");
		memcpy(o.e[o.n].key, memkit_hashmap_key(map, idx, p), p.key_size);
		memcpy(o.e[o.n].val, memkit_hashmap_value(map, idx, p), p.value_size);
		o.n++;
	}
	UT_ASSERT(o.n <= o.max, "%u entries attached, at most %u allowed", o.n, o.max);
	for (i = 0; i < o.n; i++) {
		for (j = i + 1; j < o.n; j++)
			UT_ASSERT(memcmp(o.e[i].key, o.e[j].key, p.key_size),
				  "attached a map with a key twice");
		UT_ASSERT(!memkit_hashmap_get(map, o.e[i].key, out, p) &&
			  !memcmp(out, o.e[i].val, p.value_size), "pair %u not found", i);
	}
	same_as_oracle(map, &o, "after attach", p);

	ut_rng_seed(&rng, cap);
	for (j = 0; j < 4 * cap + 8; j++) {
		u32 r = ut_rng_below(&rng, 10);
		u64 k = ut_rng_next(&rng), v = ut_rng_next(&rng);
		s32 at;
		int ret;

		/* Half the keys are ones the map holds. */
		if (o.n && ut_rng_below(&rng, 2))
			memcpy(key, o.e[ut_rng_below(&rng, o.n)].key, 8);
		else
			memcpy(key, &k, 8);
		memcpy(val, &v, 8);
		at = oracle_find(&o, key, p.key_size);
		if (r < 5) {
			ret = memkit_hashmap_put(map, key, val, p);
			UT_ASSERT(ret == (at < 0 && o.n == o.max ? -ENOSPC : 0), "put: %d", ret);
			if (!ret && at < 0)
				at = o.n++;
			if (!ret) {
				memcpy(o.e[at].key, key, 8);
				memcpy(o.e[at].val, val, 8);
			}
		} else if (r < 8) {
			ret = memkit_hashmap_remove(map, key, p);
			UT_ASSERT(ret == (at < 0 ? -ENOENT : 0), "remove: %d", ret);
			if (!ret)
				o.e[at] = o.e[--o.n];
		} else {
			ret = memkit_hashmap_get(map, key, out, p);
			UT_ASSERT(ret == (at < 0 ? -ENOENT : 0), "get: %d", ret);
			UT_ASSERT(ret || !memcmp(out, o.e[at].val, p.value_size), "get: value");
		}
	}
	same_as_oracle(map, &o, "after the operations", p);
	UT_ASSERT(memkit_hashmap_attach(&again, buf, len, p) == 0, "changed map refused");
	same_as_oracle(&again, &o, "re-attached", p);
	free(o.e);
}

static __always_inline void try_attach(const u8 *data, size_t size,
				       const struct memkit_hashmap_params p)
{
	struct memkit_hashmap map;
	void *buf = malloc(size ? size : 1);	/* exact size: ASan bounds */
	int ret;

	struct memkit_hashmap again;
	u32 count;
	int ret2;

	UT_ASSERT(buf, "malloc");
	memcpy(buf, data, size);
	ret = memkit_hashmap_attach(&map, buf, size, p);
	UT_ASSERT(ret == 0 || ret == -EINVAL, "attach returned %d", ret);
	count = ret ? 0 : memkit_hashmap_count(&map);
	if (!ret)
		exercise(&map, buf, size, p);

	/*
	 * The same bytes re-seeded: refused or a consistent map; and a map
	 * that plain attach accepts is never refused.
	 */
	memcpy(buf, data, size);
	ret2 = memkit_hashmap_attach_reseed(&again, buf, size, p);
	UT_ASSERT(ret2 == 0 || ret2 == -EINVAL, "attach_reseed returned %d", ret2);
	UT_ASSERT(ret || !ret2, "attach accepts what attach_reseed refuses");
	if (!ret2) {
		UT_ASSERT(ret || memkit_hashmap_count(&again) == count, "reseed changed the count");
		UT_ASSERT(memkit_hashmap_attach(&map, buf, size, p) == 0 ||
			  !memkit_hashmap_count(&again), "re-seeded map refused by attach");
		exercise(&again, buf, size, p);
	}
	free(buf);
}

static noinline void try_u64(const u8 *data, size_t size)
{
	try_attach(data, size, P64);
}

static noinline void try_3to5(const u8 *data, size_t size)
{
	try_attach(data, size, P3);
}

#ifdef UT_FUZZER

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	ushim_abort_on_failure = true;
	ushim_random_state = 0;	/* re-seeding replays with the input */
	try_u64(data, size);
	try_3to5(data, size);
	ut_fuzz_end();
	return 0;
}

#else

static __always_inline size_t build(void *buf, u32 cap, u32 load, u32 n, struct ut_rng *rng,
				    struct memkit_hashmap *out,
				    const struct memkit_hashmap_params p)
{
	struct memkit_hashmap_layout l;
	struct memkit_hashmap map;
	u64 k, v;
	u32 i;

	UT_ASSERT(memkit_hashmap_layout_for_capacity(cap, p, &l) == 0, "layout");
	UT_ASSERT(memkit_hashmap_init(&map, buf, l.total, cap, load, p) == 0, "init");
	for (i = 0; i < n; i++) {
		k = ut_rng_next(rng);
		v = ut_rng_next(rng);
		if (memkit_hashmap_put(&map, &k, &v, p) == -ENOSPC)
			break;
	}
	*out = map;
	return l.total;
}

/*
 * In a full map every probe path is one cluster: give slot 1 the key of
 * slot 0, with the fingerprint and home distance that key has there.
 * Every byte is then well formed, but a lookup can find only one copy.
 */
static void make_duplicate(struct memkit_hashmap *map)
{
	u32 home = -memkit_hashmap_probe_length(map, 0, P64) & map->mask;

	map->meta[1] = map->meta[0];
	map->dist[1] = (1 - home) & map->mask;
	memcpy(memkit_hashmap_key(map, 1, P64), memkit_hashmap_key(map, 0, P64), 8);
}

/* An image from a file, tried as the fuzzer would try it. */
static void try_file(const char *path)
{
	static u8 img[1 << 16];
	FILE *f = fopen(path, "rb");
	size_t len;

	UT_ASSERT(f, "cannot open %s", path);
	len = fread(img, 1, sizeof(img), f);
	fclose(f);
	try_u64(img, len);
	try_3to5(img, len);
}

static void save(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	UT_ASSERT(f && fwrite(buf, 1, len, f) == len && !fclose(f), "writing %s", path);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * The crafted image: a full map (max load 100 %) whose author chose the
 * seed and the keys, each key one slot before its home, capacity - 1 slots
 * away.  Every entry is reachable, so only the probe budget refuses it;
 * re-seeding takes it.  Times are printed beside a real 80 % map's.
 */
static void attach_crafted(u32 bits)
{
	const u32 cap = 1U << bits, mask = cap - 1;
	struct memkit_hashmap_layout l;
	struct memkit_hashmap map, real;
	u64 k, *by_home = calloc(cap, sizeof(u64));
	u32 left = cap, idx;
	double t0, t_crafted, t_reseed, t_real;
	void *buf;

	UT_ASSERT(by_home && !memkit_hashmap_layout_for_capacity(cap, P64, &l), "setup");
	buf = aligned_alloc(64, ALIGN(l.total, 64));
	UT_ASSERT(buf, "malloc");
	UT_ASSERT(!memkit_hashmap_init(&map, buf, l.total, cap, 100, P64), "init");
	/* A key for every home slot (key 0 is never used, so 0 means none). */
	for (k = 1; left; k++) {
		u32 home = __memkit_hashmap_hash(&map, &k, P64) & mask;

		if (!by_home[home]) {
			by_home[home] = k;
			left--;
		}
	}
	for (idx = 0; idx < cap; idx++) {
		u64 key = by_home[(idx + 1) & mask];

		memcpy(memkit_hashmap_key(&map, idx, P64), &key, 8);
		map.meta[idx] = __memkit_hashmap_fp(__memkit_hashmap_hash(&map, &key, P64));
		map.dist[idx] = __memkit_hashmap_dist_byte(cap - 1);
	}
	map.hdr->size = cap;
	t0 = now_ms();
	UT_ASSERT(memkit_hashmap_attach(&real, buf, l.total, P64) == -EINVAL,
		  "a crafted 2^%u image accepted", bits);
	t_crafted = now_ms() - t0;
	t0 = now_ms();
	UT_ASSERT(memkit_hashmap_attach_reseed(&map, buf, l.total, P64) == 0,
		  "a crafted 2^%u image refused by attach_reseed", bits);
	t_reseed = now_ms() - t0;
	for (idx = 0; idx < cap; idx++)
		UT_ASSERT(memkit_hashmap_contains(&map, &by_home[idx], P64), "key lost in reseed");

	/* A real map of the same capacity at its default 80 %, by memkit. */
	UT_ASSERT(!memkit_hashmap_init(&map, buf, l.total, cap, 80, P64), "init");
	for (k = 1; memkit_hashmap_count(&map) < cap / 10 * 8; k++)
		UT_ASSERT(!memkit_hashmap_put(&map, &k, &k, P64), "put");
	t0 = now_ms();
	UT_ASSERT(memkit_hashmap_attach(&real, buf, l.total, P64) == 0, "real map refused");
	t_real = now_ms() - t0;
	printf("fuzz_hashmap_attach: 2^%u slots: the crafted image refused in %.2f ms,", bits,
	       t_crafted);
	printf(" re-seeded in %.2f ms; a real 80%% map attached in %.2f ms\n", t_reseed, t_real);
	free(buf);
	free(by_home);
}

int main(int argc, char **argv)
{
	static const u32 caps[] = { 1, 8, 64 };
	static u64 buf[2048];
	const char *dir = NULL;
	struct memkit_hashmap map, again;
	struct ut_rng rng;
	char name[64];
	size_t len;
	u32 i;
	int c;

	/* -s SEED is accepted like every test's, and unused: the seeds are fixed. */
	while ((c = getopt(argc, argv, "w:s:")) != -1) {
		if (c == 'w') {
			dir = optarg;
		} else if (c != 's') {
			fprintf(stderr, "usage: %s [-w DIR] [-s SEED] [IMAGE...]\n", argv[0]);
			return 2;
		}
	}
	/* Images named on the command line (the checked-in corpus): tried first. */
	for (i = optind; i < (u32)argc; i++)
		try_file(argv[i]);
	attach_crafted(16);
	attach_crafted(20);
	ut_rng_seed(&rng, 1);	/* fixed keys; each map still draws its own hash seed */
	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		len = build(buf, caps[i], 80, caps[i], &rng, &map, P64);
		try_u64((u8 *)buf, len);
		snprintf(name, sizeof(name), "u64-cap%u", caps[i]);
		save(dir, name, buf, len);
		/* A damaged copy: one byte of the metadata flipped. */
		((u8 *)buf)[sizeof(struct memkit_hashmap_header) + caps[i] / 2] ^= 0x41;
		try_u64((u8 *)buf, len);
		snprintf(name, sizeof(name), "u64-cap%u-flip", caps[i]);
		save(dir, name, buf, len);

		len = build(buf, caps[i], 100, caps[i], &rng, &map, P3);
		try_3to5((u8 *)buf, len);
		snprintf(name, sizeof(name), "3to5-cap%u-full", caps[i]);
		save(dir, name, buf, len);
	}
	len = build(buf, 8, 100, 8, &rng, &map, P64);
	make_duplicate(&map);
	UT_ASSERT(memkit_hashmap_attach(&again, buf, len, P64) == -EINVAL, "duplicate accepted");
	save(dir, "u64-cap8-duplicate-key", buf, len);
	printf("fuzz_hashmap_attach: %zu seed images checked%s%s\n", 3 * ARRAY_SIZE(caps) + 1,
	       dir ? ", written to " : "", dir ? dir : "");
	return ut_finish("fuzz_hashmap_attach seeds");
}

#endif
