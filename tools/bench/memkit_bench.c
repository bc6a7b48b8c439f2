// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_bench: memkit against the kernel's own allocators, in one boot.
 *
 * Loading the module runs every workload of the design document against
 * memkit and the kernel peer that a driver author would otherwise use, on
 * the same seeded operation sequence, and keeps the results:
 *
 *   /sys/kernel/debug/memkit_bench/results      a table
 *   /sys/kernel/debug/memkit_bench/results.csv  the same as CSV
 *
 * Each figure is the median of BENCH_REPS timed repetitions.  Timing runs
 * with preemption and interrupts as they are (a timer tick lands in every
 * figure alike); the loops yield between repetitions.  Under emulation
 * only the ratios mean anything; see Documentation/bench.rst.
 *
 * Peers that the kernel lacks (drm_mm without CONFIG_DRM, gen_pool
 * without CONFIG_GENERIC_ALLOCATOR) are left out of the table.
 */

#include <linux/debugfs.h>
#include <linux/hashtable.h>
#include <linux/ktime.h>
#include <linux/mempool.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/rhashtable.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#if IS_ENABLED(CONFIG_DRM)
#include <drm/drm_mm.h>
#endif
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
#include <linux/genalloc.h>
#endif

#include <memkit/arena.h>
#include <memkit/compat.h>
#include <memkit/hashmap.h>
#include <memkit/pool.h>
#include <memkit/range.h>

#define BENCH_REPS	5
#define BENCH_SEED	0x6d656d6b6974ULL
#define BENCH_ROWS	128

struct bench_row {
	const char *workload;
	char param[16];
	const char *impl;
	u64 ps_per_op;		/* picoseconds, for two decimals of ns */
	u32 util_ppm;		/* refill rows: utilisation in parts per million */
};

static uint scale = 1;
module_param(scale, uint, 0444);
MODULE_PARM_DESC(scale, "multiply every operation count (default 1; more on real hardware)");

static struct bench_row rows[BENCH_ROWS];
static unsigned int nr_rows;
static struct dentry *bench_dir;

static void bench_add(const char *workload, const char *param, const char *impl,
		      u64 ps, u32 util_ppm)
{
	struct bench_row *r;

	if (nr_rows == BENCH_ROWS)
		return;
	r = &rows[nr_rows++];
	r->workload = workload;
	strscpy(r->param, param, sizeof(r->param));
	r->impl = impl;
	r->ps_per_op = ps;
	r->util_ppm = util_ppm;
}

static int u64_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 median(u64 *v)
{
	sort(v, BENCH_REPS, sizeof(*v), u64_cmp, NULL);
	return v[BENCH_REPS / 2];
}

/* A size from the "log-uniform in [1, 4096]" distribution. */
static u64 bench_size(struct rnd_state *rs)
{
	u32 e = prandom_u32_state(rs) % 12;

	return 1 + prandom_u32_state(rs) % (2U << e);
}

/* Range allocators behind one switch, so each pays the same dispatch. */
enum range_impl {
	R_RANGE, R_RANGE_EXTRAS, R_OA,
#if IS_ENABLED(CONFIG_DRM)
	R_DRM_BEST, R_DRM_LOW,
#endif
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
	R_GENPOOL,
#endif
	R_RANGE_CHURN_NR,	/* the range churn rows are those above */
	R_RANGE_PLACE = R_RANGE_CHURN_NR,	/* the placement churn rows */
#if IS_ENABLED(CONFIG_DRM)
	R_DRM_PLACE,
#endif
	R_NR
};

static const char * const range_names[] = {
	[R_RANGE] = "memkit_range", [R_RANGE_EXTRAS] = "memkit_range +priv+lookup",
	[R_OA] = "memkit_oa",
#if IS_ENABLED(CONFIG_DRM)
	[R_DRM_BEST] = "drm_mm best", [R_DRM_LOW] = "drm_mm low",
#endif
	[R_RANGE_PLACE] = "memkit_range",
#if IS_ENABLED(CONFIG_DRM)
	[R_DRM_PLACE] = "drm_mm",
#endif
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
	[R_GENPOOL] = "gen_pool",
#endif
};

struct range_bench {
	enum range_impl impl;
	struct memkit_range *range;
	struct memkit_oa oa;
#if IS_ENABLED(CONFIG_DRM)
	struct drm_mm mm;
	struct drm_mm_node *nodes;
	spinlock_t drm_lock;	/* R_DRM_PLACE: what memkit_range takes */
#endif
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
	struct gen_pool *gp;
	unsigned long *gaddr;
#endif
	struct memkit_oa_handle *h;
	u64 *size;
	u32 slots;
	/* R_RANGE_PLACE and R_DRM_PLACE: the window and mode of every allocation */
	struct memkit_oa_req place;
	int drm_mode;
};

#define GENPOOL_BASE	BIT(40)		/* gen_pool reserves address 0 for failure */

static int rb_init(struct range_bench *rb, enum range_impl impl, u64 total, u32 slots)
{
	struct memkit_oa_req place = rb->place;
	int drm_mode = rb->drm_mode;

	memset(rb, 0, sizeof(*rb));
	rb->place = place;
	rb->drm_mode = drm_mode;
	rb->impl = impl;
	rb->slots = slots;
	rb->h = kvcalloc(slots, sizeof(*rb->h), GFP_KERNEL);
	rb->size = kvcalloc(slots, sizeof(*rb->size), GFP_KERNEL);
	if (!rb->h || !rb->size)
		return -ENOMEM;
	switch (impl) {
	case R_RANGE:
		rb->range = memkit_range_create(NULL, total, MEMKIT_RANGE_OFFSET, slots);
		return PTR_ERR_OR_ZERO(rb->range);
	case R_RANGE_EXTRAS:
	case R_RANGE_PLACE: {
		/* What a driver that keeps its buffer objects with the range pays. */
		struct memkit_range_config cfg = {
			.size = total, .initial_allocs = slots, .max_allocs = slots,
			.flags = impl == R_RANGE_PLACE ? MEMKIT_RANGE_PLACE :
				 MEMKIT_RANGE_PRIV | MEMKIT_RANGE_LOOKUP,
		};

		rb->range = memkit_range_create_config(&cfg);
		return PTR_ERR_OR_ZERO(rb->range);
	}
	case R_OA:
		return memkit_oa_init(&rb->oa, total, slots);
#if IS_ENABLED(CONFIG_DRM)
	case R_DRM_BEST:
	case R_DRM_LOW:
	case R_DRM_PLACE:
		rb->nodes = kvcalloc(slots, sizeof(*rb->nodes), GFP_KERNEL);
		if (!rb->nodes)
			return -ENOMEM;
		spin_lock_init(&rb->drm_lock);
		drm_mm_init(&rb->mm, 0, total);
		return 0;
#endif
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
	case R_GENPOOL:
		rb->gaddr = kvcalloc(slots, sizeof(*rb->gaddr), GFP_KERNEL);
		rb->gp = gen_pool_create(0, NUMA_NO_NODE);
		if (!rb->gaddr || !rb->gp)
			return -ENOMEM;
		return gen_pool_add(rb->gp, GENPOOL_BASE, total, NUMA_NO_NODE);
#endif
	default:
		return -EINVAL;
	}
}

/* Allocate into slot @i; the slot's size is 0 while it holds nothing. */
static int rb_alloc(struct range_bench *rb, u32 i, u64 size)
{
	int ret = -ENOSPC;

	switch (rb->impl) {
	case R_RANGE:
		ret = memkit_range_alloc(rb->range, size, 1, &rb->h[i]);
		break;
	case R_RANGE_EXTRAS: {
		unsigned long flags = memkit_range_lock(rb->range);

		ret = memkit_range_alloc_locked(rb->range, size, 1, &rb->h[i]);
		if (!ret)
			memkit_range_set_priv_locked(rb->range, &rb->h[i], &rb->h[i]);
		memkit_range_unlock(rb->range, flags);
		break;
	}
	case R_OA:
		ret = memkit_oa_alloc(&rb->oa, size, 1, &rb->h[i]);
		break;
	case R_RANGE_PLACE: {
		struct memkit_oa_req req = rb->place;

		req.size = size;
		ret = memkit_range_alloc_in(rb->range, &req, &rb->h[i]);
		break;
	}
#if IS_ENABLED(CONFIG_DRM)
	case R_DRM_PLACE: {
		/* The same lock as memkit_range's: an irq-safe spinlock around the call. */
		unsigned long flags;

		spin_lock_irqsave(&rb->drm_lock, flags);
		ret = drm_mm_insert_node_in_range(&rb->mm, &rb->nodes[i], size, 0, 0,
						  rb->place.start,
						  rb->place.end ?: U64_MAX, rb->drm_mode);
		spin_unlock_irqrestore(&rb->drm_lock, flags);
		break;
	}
	case R_DRM_BEST:
	case R_DRM_LOW:
		ret = drm_mm_insert_node_in_range(&rb->mm, &rb->nodes[i], size, 0, 0, 0,
						  U64_MAX, rb->impl == R_DRM_LOW ?
						  DRM_MM_INSERT_LOW : DRM_MM_INSERT_BEST);
		break;
#endif
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
	case R_GENPOOL:
		rb->gaddr[i] = gen_pool_alloc(rb->gp, size);
		ret = rb->gaddr[i] ? 0 : -ENOSPC;
		break;
#endif
	default:
		break;
	}
	rb->size[i] = ret ? 0 : size;
	return ret;
}

static void rb_free(struct range_bench *rb, u32 i)
{
	if (!rb->size[i])
		return;
	switch (rb->impl) {
	case R_RANGE:
	case R_RANGE_EXTRAS:
	case R_RANGE_PLACE:
		memkit_range_free(rb->range, &rb->h[i]);
		break;
	case R_OA:
		memkit_oa_free(&rb->oa, &rb->h[i]);
		break;
#if IS_ENABLED(CONFIG_DRM)
	case R_DRM_BEST:
	case R_DRM_LOW:
		drm_mm_remove_node(&rb->nodes[i]);
		break;
	case R_DRM_PLACE: {
		unsigned long flags;

		spin_lock_irqsave(&rb->drm_lock, flags);
		drm_mm_remove_node(&rb->nodes[i]);
		spin_unlock_irqrestore(&rb->drm_lock, flags);
		break;
	}
#endif
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
	case R_GENPOOL:
		gen_pool_free(rb->gp, rb->gaddr[i], rb->size[i]);
		break;
#endif
	default:
		break;
	}
	rb->size[i] = 0;
}

static void rb_exit(struct range_bench *rb)
{
	u32 i;

	if (rb->size)
		for (i = 0; i < rb->slots; i++)
			rb_free(rb, i);
	switch (rb->impl) {
	case R_RANGE:
	case R_RANGE_EXTRAS:
	case R_RANGE_PLACE:
		memkit_range_destroy(rb->range);
		break;
	case R_OA:
		memkit_oa_exit(&rb->oa);
		break;
#if IS_ENABLED(CONFIG_DRM)
	case R_DRM_BEST:
	case R_DRM_LOW:
	case R_DRM_PLACE:
		if (rb->nodes)
			drm_mm_takedown(&rb->mm);
		kvfree(rb->nodes);
		break;
#endif
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
	case R_GENPOOL:
		if (rb->gp)
			gen_pool_destroy(rb->gp);
		kvfree(rb->gaddr);
		break;
#endif
	default:
		break;
	}
	kvfree(rb->h);
	kvfree(rb->size);
}

/*
 * Fill @rb with @live allocations from the seeded stream, then time @n
 * free + alloc pairs, BENCH_REPS times; the median in ps per pair, or 0
 * if @rb could not be set up.
 */
static u64 rb_churn(struct range_bench *rb, enum range_impl impl, u32 live, u32 n)
{
	struct rnd_state rs;
	u64 t[BENCH_REPS], ps = 0;
	u32 i, rep;

	prandom_seed_state(&rs, BENCH_SEED);
	if (rb_init(rb, impl, 1ULL << 31, live) == 0) {
		for (i = 0; i < live; i++)
			rb_alloc(rb, i, bench_size(&rs));
		for (rep = 0; rep < BENCH_REPS; rep++) {
			u64 t0 = ktime_get_ns();

			for (i = 0; i < n; i++) {
				u32 v = prandom_u32_state(&rs) % live;

				rb_free(rb, v);
				rb_alloc(rb, v, bench_size(&rs));
			}
			t[rep] = (ktime_get_ns() - t0) * 1000 / n;
			cond_resched();
		}
		ps = median(t);
	}
	rb_exit(rb);
	cond_resched();
	return ps;
}

/* Range churn: L live, then free a random one and allocate a random size. */
static void bench_range_churn(u32 live, u32 ops)
{
	enum range_impl impl;
	char param[16];

	snprintf(param, sizeof(param), "%uKi live", live / 1024);
	for (impl = 0; impl < R_RANGE_CHURN_NR; impl++) {
		struct range_bench rb = {};
		u64 ps;
		u32 n = ops;

#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
		/* First fit scans a 2^31-bit bitmap: fewer ops, and not at 64Ki. */
		if (impl == R_GENPOOL) {
			if (live > 16384)
				continue;
			n = ops / 20;
		}
#endif
		ps = rb_churn(&rb, impl, live, n);
		if (ps)
			bench_add("range churn", param, range_names[impl], ps, 0);
	}
}

/*
 * Placement churn: the range churn stream with every allocation asking
 * the same window and mode of memkit_range (MEMKIT_RANGE_PLACE,
 * memkit_range_alloc_in()) and of drm_mm (drm_mm_insert_node_in_range()
 * with the matching mode), each behind the same irq-safe spinlock.  The
 * window is the first quarter of the range or all of it.
 */
static void bench_place_churn(u32 live, u32 ops)
{
	static const struct {
		const char *workload;
		enum memkit_oa_mode mode;
		int drm_mode;
		bool quarter;
	} cases[] = {
#if IS_ENABLED(CONFIG_DRM)
		{ "place 1/4 low", MEMKIT_OA_LOW, DRM_MM_INSERT_LOW, true },
		{ "place 1/4 best", MEMKIT_OA_BEST, DRM_MM_INSERT_BEST, true },
		{ "place high", MEMKIT_OA_HIGH, DRM_MM_INSERT_HIGH, false },
		{ "place low", MEMKIT_OA_LOW, DRM_MM_INSERT_LOW, false },
		{ "place best", MEMKIT_OA_BEST, DRM_MM_INSERT_BEST, false },
#else
		{ "place 1/4 low", MEMKIT_OA_LOW, 0, true },
		{ "place high", MEMKIT_OA_HIGH, 0, false },
		{ "place low", MEMKIT_OA_LOW, 0, false },
		{ "place best", MEMKIT_OA_BEST, 0, false },
#endif
	};
	enum range_impl impl;
	char param[16];
	unsigned int c;

	snprintf(param, sizeof(param), "%uKi live", live / 1024);
	for (c = 0; c < ARRAY_SIZE(cases); c++) {
		for (impl = R_RANGE_CHURN_NR; impl < R_NR; impl++) {
			struct range_bench rb = { .drm_mode = cases[c].drm_mode };
			u64 ps;

			rb.place.align = 1;
			rb.place.mode = cases[c].mode;
			/* The first quarter of the 2^31 units, or the whole range. */
			if (cases[c].quarter)
				rb.place.end = BIT_ULL(29);
			ps = rb_churn(&rb, impl, live, ops);

			if (ps)
				bench_add(cases[c].workload, param, range_names[impl], ps, 0);
		}
	}
}

/* Fixed-size refill: fill, free every other, refill; report utilisation. */
static void bench_refill(u64 size)
{
	const u64 total = 1000000;
	const u32 slots = 2048;
	enum range_impl impl;
	char param[16];

	snprintf(param, sizeof(param), "size %llu", size);
	for (impl = 0; impl < R_NR; impl++) {
		struct range_bench rb;
		u32 n = 0, i;
		u64 used = 0;

		/* A utilisation figure: too few operations to time. */
		if (rb_init(&rb, impl, total, slots) == 0) {
			while (n < slots && !rb_alloc(&rb, n, size))
				n++;
			for (i = 0; i < n; i += 2)
				rb_free(&rb, i);
			for (i = 0; i < n; i += 2)
				if (rb_alloc(&rb, i, size))
					break;
			for (i = 0; i < slots; i++)
				used += rb.size[i];
			bench_add("fixed-size refill", param, range_names[impl], 0,
				  div64_u64(used * 1000000, total));
		}
		rb_exit(&rb);
	}
}

/* Maps: u64 keys at 80 % load, looked up and churned. */
struct bench_obj {
	u64 key;
	u64 val;
	struct rhash_head rnode;
	struct hlist_node hnode;
};

static const struct rhashtable_params bench_rht_params = {
	.key_len = sizeof(u64),
	.key_offset = offsetof(struct bench_obj, key),
	.head_offset = offsetof(struct bench_obj, rnode),
};

static const struct memkit_hashmap_params bench_map_params = {
	.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
};

static DEFINE_HASHTABLE(bench_ht16, 16);
static DEFINE_HASHTABLE(bench_ht20, 20);

static u64 bench_key(struct rnd_state *rs)
{
	return prandom_u32_state(rs) | (u64)prandom_u32_state(rs) << 32 | 1;
}

struct map_bench {
	u32 bits, n;
	u64 *keys;		/* present keys; absent ones are even */
	u64 *mkeys;		/* memkit's copy, which its churn changes */
	struct bench_obj *objs;
	struct memkit_hashmap map;
	void *buf;
	struct rhashtable rht;
	struct hlist_head *ht;
};

static struct bench_obj *ht_find(struct map_bench *mb, u64 key)
{
	struct bench_obj *o;

	if (mb->bits == 16) {
		hash_for_each_possible(bench_ht16, o, hnode, key)
			if (o->key == key)
				return o;
	} else {
		hash_for_each_possible(bench_ht20, o, hnode, key)
			if (o->key == key)
				return o;
	}
	return NULL;
}

static void ht_add(struct map_bench *mb, struct bench_obj *o)
{
	if (mb->bits == 16)
		hash_add(bench_ht16, &o->hnode, o->key);
	else
		hash_add(bench_ht20, &o->hnode, o->key);
}

/* Time @ops lookups of present (@hit) or absent keys in one structure. */
static u64 map_lookups(struct map_bench *mb, int which, bool hit, u32 ops)
{
	struct rnd_state rs;
	u64 t[BENCH_REPS], sink = 0;
	u32 i, rep;

	prandom_seed_state(&rs, BENCH_SEED + hit);
	for (rep = 0; rep < BENCH_REPS; rep++) {
		u64 t0 = ktime_get_ns();

		for (i = 0; i < ops; i++) {
			u64 k = mb->keys[prandom_u32_state(&rs) % mb->n];

			if (!hit)
				k &= ~1ULL;	/* present keys are odd */
			switch (which) {
			case 0:
				sink += memkit_hashmap_contains(&mb->map, &k, bench_map_params);
				break;
			case 1:
				rcu_read_lock();
				sink += !!rhashtable_lookup_fast(&mb->rht, &k, bench_rht_params);
				rcu_read_unlock();
				break;
			default:
				sink += !!ht_find(mb, k);
				break;
			}
		}
		t[rep] = (ktime_get_ns() - t0) * 1000 / ops;
		cond_resched();
	}
	if (sink != (hit ? (u64)ops * BENCH_REPS : 0))
		pr_warn("memkit_bench: lookup results are wrong (%llu)\n", sink);
	return median(t);
}

/*
 * Remove a random key and insert a new one, in each structure.  Every
 * structure replays the same seeded sequence.  rhashtable and hashtable.h
 * share the objects: rhashtable's churn runs first, on the keys both were
 * built with, and hashtable.h's (which unlinks without hashing) then
 * leaves each object with the same key again.  memkit's map holds copies,
 * so its churn works on its own key array and leaves the objects alone.
 */
static u64 map_churn(struct map_bench *mb, int which, u32 ops)
{
	struct rnd_state rs;
	u64 t[BENCH_REPS];
	u32 i, rep;

	prandom_seed_state(&rs, BENCH_SEED + 7);
	for (rep = 0; rep < BENCH_REPS; rep++) {
		u64 t0 = ktime_get_ns();

		for (i = 0; i < ops; i++) {
			u32 v = prandom_u32_state(&rs) % mb->n;
			struct bench_obj *o = &mb->objs[v];
			u64 k = bench_key(&rs);

			switch (which) {
			case 0:
				memkit_hashmap_remove(&mb->map, &mb->mkeys[v], bench_map_params);
				mb->mkeys[v] = k;
				memkit_hashmap_put(&mb->map, &k, &o->val, bench_map_params);
				break;
			case 1:
				rhashtable_remove_fast(&mb->rht, &o->rnode, bench_rht_params);
				o->key = k;
				rhashtable_insert_fast(&mb->rht, &o->rnode, bench_rht_params);
				break;
			default:
				hash_del(&o->hnode);
				o->key = k;
				ht_add(mb, o);
				break;
			}
		}
		t[rep] = (ktime_get_ns() - t0) * 1000 / ops;
		cond_resched();
	}
	return median(t);
}

static void bench_maps(u32 bits, u32 ops)
{
	static const char * const names[] = { "memkit_hashmap", "rhashtable", "hashtable.h" };
	struct memkit_hashmap_layout l;
	struct map_bench mb = { .bits = bits };
	struct rnd_state rs;
	char param[16];
	int which;
	u32 i;

	snprintf(param, sizeof(param), "2^%u", bits);
	mb.n = (1U << bits) * 80 / 100;
	mb.keys = kvcalloc(mb.n, sizeof(u64), GFP_KERNEL);
	mb.mkeys = kvcalloc(mb.n, sizeof(u64), GFP_KERNEL);
	mb.objs = kvcalloc(mb.n, sizeof(*mb.objs), GFP_KERNEL);
	if (!mb.keys || !mb.mkeys || !mb.objs ||
	    memkit_hashmap_layout_for_capacity(1U << bits, bench_map_params, &l))
		goto out;
	mb.buf = kvmalloc(l.total, GFP_KERNEL);
	if (!mb.buf || memkit_hashmap_init(&mb.map, mb.buf, l.total, 1U << bits, 80,
					   bench_map_params) ||
	    rhashtable_init(&mb.rht, &bench_rht_params))
		goto out;

	prandom_seed_state(&rs, BENCH_SEED);
	for (i = 0; i < mb.n; i++) {
		struct bench_obj *o = &mb.objs[i];

		do {
			o->key = bench_key(&rs);
		} while (memkit_hashmap_contains(&mb.map, &o->key, bench_map_params));
		mb.keys[i] = o->key;
		mb.mkeys[i] = o->key;
		memkit_hashmap_put(&mb.map, &o->key, &o->val, bench_map_params);
		rhashtable_insert_fast(&mb.rht, &o->rnode, bench_rht_params);
		ht_add(&mb, o);
	}
	for (which = 0; which < 3; which++) {
		u64 hit = map_lookups(&mb, which, true, ops);

		bench_add("map lookup hit", param, names[which], hit, 0);
	}
	for (which = 0; which < 3; which++) {
		u64 miss = map_lookups(&mb, which, false, ops);

		bench_add("map lookup miss", param, names[which], miss, 0);
	}
	for (which = 0; which < 3; which++)
		bench_add("map churn", param, names[which], map_churn(&mb, which, ops / 4), 0);

	for (i = 0; i < mb.n; i++) {
		rhashtable_remove_fast(&mb.rht, &mb.objs[i].rnode, bench_rht_params);
		hash_del(&mb.objs[i].hnode);
	}
	rhashtable_destroy(&mb.rht);
out:
	kvfree(mb.buf);
	kvfree(mb.objs);
	kvfree(mb.mkeys);
	kvfree(mb.keys);
}

/* Pool: alloc+free pairs of a 64-byte object with 1Ki live. */
struct bench_obj64 {
	u8 bytes[64];
};

static void bench_pool(u32 ops)
{
	static const char * const names[] = { "memkit_pool", "kmem_cache", "mempool" };
	struct kmem_cache *cache = kmem_cache_create("memkit_bench64", 64, 0, 0, NULL);
	mempool_t *mp = cache ? mempool_create_slab_pool(1024, cache) : NULL;
	struct memkit_pool pool;
	void **live = kvcalloc(1024, sizeof(void *), GFP_KERNEL);
	int which;

	if (!cache || !mp || !live ||
	    memkit_pool_init_for(&pool, &memkit_kmalloc_allocator, struct bench_obj64,
				 MEMKIT_POOL_BUMP))
		goto out;
	for (which = 0; which < 3; which++) {
		struct rnd_state rs;
		u64 t[BENCH_REPS];
		u32 i, rep;

		prandom_seed_state(&rs, BENCH_SEED);
		for (i = 0; i < 1024; i++)
			live[i] = which == 0 ? memkit_pool_alloc(&pool, GFP_KERNEL) :
				  which == 1 ? kmem_cache_alloc(cache, GFP_KERNEL) :
				  mempool_alloc(mp, GFP_KERNEL);
		for (rep = 0; rep < BENCH_REPS; rep++) {
			u64 t0 = ktime_get_ns();

			for (i = 0; i < ops; i++) {
				u32 v = prandom_u32_state(&rs) % 1024;

				if (which == 0) {
					memkit_pool_free(&pool, live[v]);
					live[v] = memkit_pool_alloc(&pool, GFP_KERNEL);
				} else if (which == 1) {
					kmem_cache_free(cache, live[v]);
					live[v] = kmem_cache_alloc(cache, GFP_KERNEL);
				} else {
					mempool_free(live[v], mp);
					live[v] = mempool_alloc(mp, GFP_KERNEL);
				}
			}
			t[rep] = (ktime_get_ns() - t0) * 1000 / ops;
			cond_resched();
		}
		for (i = 0; i < 1024; i++) {
			if (which == 0)
				memkit_pool_free(&pool, live[i]);
			else if (which == 1)
				kmem_cache_free(cache, live[i]);
			else
				mempool_free(live[i], mp);
		}
		bench_add("pool alloc+free", "1Ki live", names[which], median(t), 0);
	}
	memkit_pool_exit(&pool);
out:
	kvfree(live);
	mempool_destroy(mp);
	kmem_cache_destroy(cache);
}

/* Arena: 1000 allocations of 16..256 bytes, then reset(retain) / kfree all. */
static void bench_arena(u32 rounds)
{
	struct memkit_allocator a;
	struct memkit_arena arena;
	void **ptrs = kvcalloc(1000, sizeof(void *), GFP_KERNEL);
	int which;

	if (!ptrs || memkit_arena_init(&arena, &memkit_kmalloc_allocator, MEMKIT_ARENA_BUMP))
		goto out;
	a = memkit_arena_allocator(&arena);
	for (which = 0; which < 2; which++) {
		struct rnd_state rs;
		u64 t[BENCH_REPS];
		u32 i, r, rep;

		for (rep = 0; rep < BENCH_REPS; rep++) {
			u64 t0;

			prandom_seed_state(&rs, BENCH_SEED);
			t0 = ktime_get_ns();
			for (r = 0; r < rounds; r++) {
				for (i = 0; i < 1000; i++) {
					size_t len = 16 + prandom_u32_state(&rs) % 241;

					ptrs[i] = which ? kmalloc(len, GFP_KERNEL) :
						  memkit_alloc(&a, len, 8, GFP_KERNEL);
				}
				if (which)
					for (i = 0; i < 1000; i++)
						kfree(ptrs[i]);
				else
					memkit_arena_reset(&arena, MEMKIT_ARENA_RETAIN_CAPACITY, 0,
							   GFP_KERNEL);
			}
			t[rep] = (ktime_get_ns() - t0) * 1000 / (rounds * 1000);
			cond_resched();
		}
		bench_add("arena alloc + reset", "1000 x 16..256 B",
			  which ? "kmalloc/kfree" : "memkit_arena", median(t), 0);
	}
	memkit_arena_exit(&arena);
out:
	kvfree(ptrs);
}

/* The memkit row of the same workload and parameter, for ratios. */
static const struct bench_row *bench_base(const struct bench_row *r)
{
	unsigned int i;

	for (i = 0; i < nr_rows; i++)
		if (rows[i].workload == r->workload && !strcmp(rows[i].param, r->param))
			return &rows[i];
	return r;
}

static int results_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	seq_printf(m, "%-20s %-17s %-15s %12s %10s %10s\n", "workload", "param", "impl",
		   "ns/op", "vs memkit", "util");
	for (i = 0; i < nr_rows; i++) {
		const struct bench_row *r = &rows[i], *b = bench_base(r);
		u64 ratio = div64_u64(r->ps_per_op * 100, max_t(u64, b->ps_per_op, 1));

		seq_printf(m, "%-20s %-17s %-15s ", r->workload, r->param, r->impl);
		if (r->ps_per_op)
			seq_printf(m, "%9llu.%02llu %7llu.%02llu\n", r->ps_per_op / 1000,
				   r->ps_per_op % 1000 / 10, ratio / 100, ratio % 100);
		else
			seq_printf(m, "%12s %10s %6u.%04u\n", "-", "-", r->util_ppm / 1000000,
				   r->util_ppm % 1000000 / 100);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(results);

static int results_csv_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	seq_puts(m, "workload,param,impl,ns_per_op,ratio_vs_memkit,utilisation\n");
	for (i = 0; i < nr_rows; i++) {
		const struct bench_row *r = &rows[i], *b = bench_base(r);
		u64 ratio = div64_u64(r->ps_per_op * 1000, max_t(u64, b->ps_per_op, 1));

		seq_printf(m, "%s,%s,%s,%llu.%03llu,%llu.%03llu,%u.%06u\n", r->workload,
			   r->param, r->impl, r->ps_per_op / 1000, r->ps_per_op % 1000,
			   ratio / 1000, ratio % 1000, r->util_ppm / 1000000,
			   r->util_ppm % 1000000);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(results_csv);

static u64 bench_t0;

/* A progress line per workload, so a slow one shows where time goes. */
static void bench_progress(const char *what)
{
	pr_info("memkit_bench: %s done at %llu ms\n", what,
		div_u64(ktime_get_ns() - bench_t0, NSEC_PER_MSEC));
}

static int __init memkit_bench_init(void)
{
	static const u64 refill_sizes[] = { 1000, 1024, 3000, 4097 };
	unsigned int i;

	bench_t0 = ktime_get_ns();
	pr_info("memkit_bench: running\n");
	bench_range_churn(1024, 10000 * scale);
	bench_progress("range churn 1Ki");
	bench_range_churn(16384, 10000 * scale);
	bench_progress("range churn 16Ki");
	bench_range_churn(65536, 10000 * scale);
	bench_progress("range churn 64Ki");
	bench_place_churn(1024, 10000 * scale);
	bench_progress("place churn 1Ki");
	bench_place_churn(65536, 10000 * scale);
	bench_progress("place churn 64Ki");
	for (i = 0; i < ARRAY_SIZE(refill_sizes); i++)
		bench_refill(refill_sizes[i]);
	bench_progress("refill");
	bench_maps(16, 50000 * scale);
	bench_progress("maps 2^16");
	bench_maps(20, 50000 * scale);
	bench_progress("maps 2^20");
	bench_pool(50000 * scale);
	bench_progress("pool");
	bench_arena(10 * scale);
	bench_progress("arena");

	bench_dir = debugfs_create_dir("memkit_bench", NULL);
	debugfs_create_file("results", 0400, bench_dir, NULL, &results_fops);
	debugfs_create_file("results.csv", 0400, bench_dir, NULL, &results_csv_fops);
	pr_info("memkit_bench: done, %u results\n", nr_rows);
	return 0;
}

static void __exit memkit_bench_exit(void)
{
	debugfs_remove(bench_dir);
}

module_init(memkit_bench_init);
module_exit(memkit_bench_exit);

MODULE_DESCRIPTION("memkit benchmarks against drm_mm, gen_pool, rhashtable, hashtable.h, kmem_cache, mempool and kmalloc");
MODULE_LICENSE("GPL");
MEMKIT_IMPORT_NS();
