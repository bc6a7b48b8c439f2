// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_bench: memkit against the kernel's own allocators, in one boot.
 *
 * Loading the module runs every workload of the design document against
 * memkit and the kernel peer that a driver author would otherwise use, and
 * keeps the results:
 *
 *   /sys/kernel/debug/memkit_bench/results      a table
 *   /sys/kernel/debug/memkit_bench/results.csv  the same as CSV
 *
 * What makes the comparisons fair:
 *
 * - Every implementation replays the same operation stream, generated
 *   before any timing from one seed: victims, sizes and keys are array
 *   reads in the timed loops, never a random number or a modulo.
 * - Repetitions are interleaved: repetition r of every implementation runs
 *   before repetition r + 1 of any, so a slow stretch of the host lands on
 *   all of them.  The table gives the minimum, median and maximum.
 * - Each peer gets its best documented set-up: rhashtable sized by
 *   nelem_hint, with a u64 compare and its resize work flushed before
 *   timing; gen_pool with the granule of drivers/misc/sram.c; mempool over
 *   a slab cache.  memkit's pool is measured unlocked and with its
 *   irq-safe lock (what kmem_cache and mempool always pay).
 * - The maps are compared within one hash class: memkit runs with
 *   rhashtable's (jhash2) and hashtable.h's (one multiply) as well as its
 *   own keyed default, and each peer's ratio is to the memkit row of its
 *   class.  Every map row names its hash.
 * - The range workloads reach a steady state (three turnovers of the live
 *   set) before timing.
 * - memkit's poisoning is off (bench.sh loads memkit with poison=0); the
 *   table's first line says so.
 *
 * Under emulation only the ratios mean anything; see Documentation/bench.rst.
 * Peers that the kernel lacks (drm_mm without CONFIG_DRM, gen_pool
 * without CONFIG_GENERIC_ALLOCATOR) are left out of the table.
 */

#include <linux/debugfs.h>
#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/ktime.h>
#include <linux/mempool.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/prandom.h>
#include <linux/rhashtable.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
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
#define BENCH_ROWS	320
#define BENCH_WARM	3	/* turnovers of the live set before range timing */
#define BENCH_NOBASE	-1

struct bench_row {
	const char *workload;
	char param[24];
	const char *impl;
	const char *hash;	/* maps: the hash class; else NULL */
	u64 ps[3];		/* min, median, max picoseconds per operation */
	u32 util_ppm;		/* refill rows: utilisation in parts per million */
	u64 bytes_milli;	/* footprint rows: bytes per item, in thousandths */
	bool timed;
	int base;		/* the row this one's ratio is to, or BENCH_NOBASE */
};

static uint scale = 1;
module_param(scale, uint, 0444);
MODULE_PARM_DESC(scale, "multiply every operation count (default 1; more on real hardware)");

static uint churn16 = 100, churn20 = 2;
module_param(churn16, uint, 0444);
MODULE_PARM_DESC(churn16, "map churn at 2^16 slots, in multiples of the capacity (default 100)");
module_param(churn20, uint, 0444);
MODULE_PARM_DESC(churn20, "map churn at 2^20 slots, in multiples of the capacity (default 2)");

static struct bench_row rows[BENCH_ROWS];
static unsigned int nr_rows;
static struct dentry *bench_dir;
static bool memkit_poisoning;

static int u64_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Add a row; @t holds BENCH_REPS timings (ps per op), or is NULL. */
static int bench_add(const char *workload, const char *param, const char *impl,
		     const char *hash, u64 *t, u32 util_ppm, int base)
{
	struct bench_row *r;

	if (nr_rows == BENCH_ROWS)
		return BENCH_NOBASE;
	r = &rows[nr_rows];
	*r = (struct bench_row){ .workload = workload, .impl = impl, .hash = hash,
				 .util_ppm = util_ppm, .base = base };
	strscpy(r->param, param, sizeof(r->param));
	if (t) {
		sort(t, BENCH_REPS, sizeof(*t), u64_cmp, NULL);
		r->ps[0] = t[0];
		r->ps[1] = t[BENCH_REPS / 2];
		r->ps[2] = t[BENCH_REPS - 1];
		r->timed = true;
	}
	return nr_rows++;
}

static u64 ps_per_op(u64 t0, u64 ops)
{
	return div64_u64((ktime_get_ns() - t0) * 1000, max_t(u64, ops, 1));
}

/* Log-uniform in [1, 2^@bits]. */
static u64 bench_log_uniform(struct rnd_state *rs, u32 bits)
{
	u32 e = prandom_u32_state(rs) % bits;

	return 1 + prandom_u32_state(rs) % (2U << e);
}

/*
 * The size distributions of the range workloads, in units:
 * RS_SMALL	log-uniform in [1, 4096];
 * RS_X16	the same times 16 (16 B to 64 KiB, for the aligned rows);
 * RS_MIXED	in bytes: nine in ten log-uniform in [1, 256] pages of 4 KiB,
 *		one in ten log-uniform in [1, 64] MiB, as buffer objects.
 */
enum range_sizes { RS_SMALL, RS_X16, RS_MIXED };

static u64 bench_size(struct rnd_state *rs, enum range_sizes sizes)
{
	switch (sizes) {
	case RS_X16:
		return bench_log_uniform(rs, 12) * 16;
	case RS_MIXED:
		if (prandom_u32_state(rs) % 10)
			return bench_log_uniform(rs, 8) * SZ_4K;
		return bench_log_uniform(rs, 6) * SZ_1M;
	default:
		return bench_log_uniform(rs, 12);
	}
}

/*
 * A range workload's operations: the first @live sizes fill the range,
 * then each pair frees slot victim[i] and allocates size[live + i] there.
 */
struct range_stream {
	u32 live, warm, n;	/* pairs: warm-up, then BENCH_REPS runs of n */
	u32 *victim;
	u64 *size;
	u64 total;		/* units of the range */
};

static void range_stream_free(struct range_stream *s)
{
	kvfree(s->victim);
	kvfree(s->size);
}

/* @live, then @n pairs per repetition, of @sizes in a range of @total units. */
static int range_stream_make(struct range_stream *s, u32 live, u32 n, enum range_sizes sizes,
			     u64 total)
{
	u32 pairs, i;
	struct rnd_state rs;

	s->live = live;
	s->total = total;
	s->warm = BENCH_WARM * live;
	s->n = n;
	pairs = s->warm + BENCH_REPS * n;
	s->victim = kvmalloc_array(pairs, sizeof(*s->victim), GFP_KERNEL);
	s->size = kvmalloc_array(live + pairs, sizeof(*s->size), GFP_KERNEL);
	if (!s->victim || !s->size) {
		range_stream_free(s);
		return -ENOMEM;
	}
	prandom_seed_state(&rs, BENCH_SEED);
	for (i = 0; i < live + pairs; i++)
		s->size[i] = bench_size(&rs, sizes);
	for (i = 0; i < pairs; i++)
		s->victim[i] = prandom_u32_state(&rs) % live;
	return 0;
}

/* Range allocators behind one switch, so each pays the same dispatch. */
enum range_impl {
	R_RANGE, R_RANGE_EXTRAS, R_RANGE_MUTEX, R_OA, R_OA_LOCKED, R_OA_MUTEX,
#if IS_ENABLED(CONFIG_DRM)
	R_DRM_BEST, R_DRM_LOW,
#endif
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
	R_GENPOOL,
#endif
	R_RANGE_CHURN_NR,	/* the range churn rows are those above */
	R_RANGE_PLACE = R_RANGE_CHURN_NR,	/* the placement churn rows */
	R_RANGE_PLACE_ADDR,	/* placement by address only: not for BEST */
#if IS_ENABLED(CONFIG_DRM)
	R_DRM_PLACE,
#endif
	R_NR
};

static const char * const range_names[] = {
	[R_RANGE] = "memkit_range", [R_RANGE_EXTRAS] = "memkit_range +priv+lookup",
	[R_RANGE_MUTEX] = "memkit_range _locked +mutex",
	[R_OA] = "memkit_oa", [R_OA_LOCKED] = "memkit_oa +irqsave lock",
	[R_OA_MUTEX] = "memkit_oa +mutex",
#if IS_ENABLED(CONFIG_DRM)
	[R_DRM_BEST] = "drm_mm best", [R_DRM_LOW] = "drm_mm low",
#endif
	[R_RANGE_PLACE] = "memkit_range", [R_RANGE_PLACE_ADDR] = "memkit_range no best fit",
#if IS_ENABLED(CONFIG_DRM)
	[R_DRM_PLACE] = "drm_mm",
#endif
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
	[R_GENPOOL] = "gen_pool order 5",
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
	spinlock_t lock;	/* R_OA_LOCKED: the lock memkit_range takes */
	struct mutex mutex;	/* R_RANGE_MUTEX's, and R_OA_MUTEX's */
	struct memkit_oa_handle *h;
	u64 *size;
	u32 slots;
	u64 align;		/* of every plain allocation; 0 for none */
	u64 failed;
	u64 timed_failed;	/* of the timed pairs */
	u64 largest_free, free;	/* at the end of rb_run() */
	bool ready;
	/* R_RANGE_PLACE and R_DRM_PLACE: the window and mode of every allocation */
	struct memkit_oa_req place;
	int drm_mode;
};

#define GENPOOL_BASE	BIT(40)		/* gen_pool reserves address 0 for failure */
/*
 * drivers/misc/sram.c's granule (32 units): gen_pool's first fit then
 * scans a bitmap of 2^26 bits instead of 2^31, and rounds every size up.
 */
#define GENPOOL_ORDER	5

static int rb_init(struct range_bench *rb, enum range_impl impl, u64 total, u32 slots)
{
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
	case R_RANGE_PLACE:
	case R_RANGE_PLACE_ADDR: {
		/*
		 * What a driver that keeps its buffer objects with the range
		 * pays; with placement, every mode, or all but best fit.
		 */
		static const unsigned int flags[] = {
			[R_RANGE_EXTRAS] = MEMKIT_RANGE_PRIV | MEMKIT_RANGE_LOOKUP,
			[R_RANGE_PLACE] = MEMKIT_RANGE_PLACE | MEMKIT_RANGE_BEST_FIT,
			[R_RANGE_PLACE_ADDR] = MEMKIT_RANGE_PLACE,
		};
		struct memkit_range_config cfg = {
			.size = total, .initial_allocs = slots, .max_allocs = slots,
			.flags = flags[impl],
		};

		rb->range = memkit_range_create_config(&cfg);
		return PTR_ERR_OR_ZERO(rb->range);
	}
	case R_RANGE_MUTEX: {
		/* Serialised by the driver's mutex, as xe and i915 serialise drm_mm. */
		struct memkit_range_config cfg = {
			.size = total, .initial_allocs = slots, .max_allocs = slots,
			.lock = &rb->mutex,
		};

		mutex_init(&rb->mutex);
		rb->range = memkit_range_create_config(&cfg);
		return PTR_ERR_OR_ZERO(rb->range);
	}
	case R_OA:
	case R_OA_LOCKED:
	case R_OA_MUTEX:
		spin_lock_init(&rb->lock);
		mutex_init(&rb->mutex);
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
		rb->gp = gen_pool_create(GENPOOL_ORDER, NUMA_NO_NODE);
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
		ret = memkit_range_alloc(rb->range, size, rb->align, &rb->h[i]);
		break;
	case R_RANGE_MUTEX:
		/* The driver holds its mutex, as xe holds its lock around drm_mm. */
		mutex_lock(&rb->mutex);
		ret = memkit_range_alloc_locked(rb->range, size, rb->align, &rb->h[i]);
		mutex_unlock(&rb->mutex);
		break;
	case R_RANGE_EXTRAS: {
		unsigned long flags = memkit_range_lock(rb->range);

		ret = memkit_range_alloc_locked(rb->range, size, rb->align, &rb->h[i]);
		if (!ret)
			memkit_range_set_priv_locked(rb->range, &rb->h[i], &rb->h[i]);
		memkit_range_unlock(rb->range, flags);
		break;
	}
	case R_OA:
		ret = memkit_oa_alloc(&rb->oa, size, rb->align, &rb->h[i]);
		break;
	case R_OA_LOCKED: {
		/* The raw allocator behind memkit_range's lock: the layer's cost apart. */
		unsigned long flags;

		spin_lock_irqsave(&rb->lock, flags);
		ret = memkit_oa_alloc(&rb->oa, size, rb->align, &rb->h[i]);
		spin_unlock_irqrestore(&rb->lock, flags);
		break;
	}
	case R_OA_MUTEX:
		mutex_lock(&rb->mutex);
		ret = memkit_oa_alloc(&rb->oa, size, rb->align, &rb->h[i]);
		mutex_unlock(&rb->mutex);
		break;
	case R_RANGE_PLACE:
	case R_RANGE_PLACE_ADDR: {
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
		ret = drm_mm_insert_node_in_range(&rb->mm, &rb->nodes[i], size, rb->align, 0,
						  0, U64_MAX, rb->impl == R_DRM_LOW ?
						  DRM_MM_INSERT_LOW : DRM_MM_INSERT_BEST);
		break;
#endif
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
	case R_GENPOOL:
		/* Not run with an alignment: see bench_range_stream(). */
		rb->gaddr[i] = gen_pool_alloc(rb->gp, size);
		ret = rb->gaddr[i] ? 0 : -ENOSPC;
		break;
#endif
	default:
		break;
	}
	rb->size[i] = ret ? 0 : size;
	rb->failed += !!ret;
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
	case R_RANGE_PLACE_ADDR:
		memkit_range_free(rb->range, &rb->h[i]);
		break;
	case R_RANGE_MUTEX:
		mutex_lock(&rb->mutex);
		memkit_range_free_locked(rb->range, &rb->h[i]);
		mutex_unlock(&rb->mutex);
		break;
	case R_OA:
		memkit_oa_free(&rb->oa, &rb->h[i]);
		break;
	case R_OA_LOCKED: {
		unsigned long flags;

		spin_lock_irqsave(&rb->lock, flags);
		memkit_oa_free(&rb->oa, &rb->h[i]);
		spin_unlock_irqrestore(&rb->lock, flags);
		break;
	}
	case R_OA_MUTEX:
		mutex_lock(&rb->mutex);
		memkit_oa_free(&rb->oa, &rb->h[i]);
		mutex_unlock(&rb->mutex);
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
	case R_RANGE_MUTEX:
	case R_RANGE_PLACE:
	case R_RANGE_PLACE_ADDR:
		if (!IS_ERR_OR_NULL(rb->range))
			memkit_range_destroy(rb->range);
		break;
	case R_OA:
	case R_OA_LOCKED:
	case R_OA_MUTEX:
		if (rb->ready)
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

/* The free units and the largest free region, where the allocator tells. */
static void rb_free_space(struct range_bench *rb)
{
	struct memkit_oa_usage u = {};

	switch (rb->impl) {
	case R_RANGE:
	case R_RANGE_EXTRAS:
	case R_RANGE_MUTEX:
	case R_RANGE_PLACE:
	case R_RANGE_PLACE_ADDR:
		memkit_range_report(rb->range, &u);
		break;
	case R_OA:
	case R_OA_LOCKED:
	case R_OA_MUTEX:
		memkit_oa_report(&rb->oa, &u);
		break;
#if IS_ENABLED(CONFIG_DRM)
	case R_DRM_BEST:
	case R_DRM_LOW:
	case R_DRM_PLACE: {
		struct drm_mm_node *node;
		u64 start, end;

		drm_mm_for_each_hole(node, &rb->mm, start, end) {
			u.free += end - start;
			u.largest_free = max(u.largest_free, end - start);
		}
		break;
	}
#endif
	default:
		break;
	}
	rb->free = u.free;
	rb->largest_free = u.largest_free;
}

/* Pairs [@from, @from + @n) of @s: free the victim, allocate the next size. */
static void rb_pairs(struct range_bench *rb, const struct range_stream *s, u32 from, u32 n)
{
	u32 i;

	for (i = from; i < from + n; i++) {
		u32 v = s->victim[i];

		rb_free(rb, v);
		rb_alloc(rb, v, s->size[s->live + i]);
	}
}

/*
 * Replay @s on every allocator of @rb (@nr of them, their impl and place
 * already set): fill, BENCH_WARM turnovers untimed, then BENCH_REPS timed
 * runs of @s->n pairs (@n[k] of them for allocator k), interleaved.  The
 * timings go to @t[k]; an allocator that could not be set up gets none.
 */
static void rb_run(struct range_bench *rb, unsigned int nr, const struct range_stream *s,
		   const u32 *n, u64 (*t)[BENCH_REPS])
{
	unsigned int k, rep;
	u32 i;

	for (k = 0; k < nr; k++) {
		rb[k].ready = !rb_init(&rb[k], rb[k].impl, s->total, s->live);
		if (!rb[k].ready)
			continue;
		for (i = 0; i < s->live; i++)
			rb_alloc(&rb[k], i, s->size[i]);
		rb_pairs(&rb[k], s, 0, s->warm);
		cond_resched();
	}
	for (rep = 0; rep < BENCH_REPS; rep++) {
		for (k = 0; k < nr; k++) {
			u64 t0;

			u64 failed = rb[k].failed;

			if (!rb[k].ready)
				continue;
			t0 = ktime_get_ns();
			rb_pairs(&rb[k], s, s->warm + rep * s->n, n[k]);
			t[k][rep] = ps_per_op(t0, n[k]);
			rb[k].timed_failed += rb[k].failed - failed;
			cond_resched();
		}
	}
	for (k = 0; k < nr; k++) {
		if (rb[k].ready)
			rb_free_space(&rb[k]);
		if (rb[k].ready && rb[k].failed)
			pr_info("memkit_bench: %s: %llu allocations failed\n",
				range_names[rb[k].impl], rb[k].failed);
		rb_exit(&rb[k]);
	}
}

/*
 * A timed row for each allocator of @rb that ran, read against the first
 * (memkit_range in every range workload).
 */
static void rb_add_rows(const struct range_bench *rb, unsigned int nr, u64 (*t)[BENCH_REPS],
			const char *workload, const char *param)
{
	int base = BENCH_NOBASE, row;
	unsigned int k;

	for (k = 0; k < nr; k++) {
		if (!rb[k].ready)
			continue;
		row = bench_add(workload, param, range_names[rb[k].impl], NULL, t[k], 0, base);
		if (!k)
			base = row;
	}
}

/*
 * A range workload: @live allocations of @sizes in @total units, each
 * plain allocation aligned to @align; then pairs that free a random one
 * and allocate the next size.  Every allocator of the range churn rows
 * runs it, each row read against memkit_range, except gen_pool where it
 * cannot run fairly (see below).
 */
static void bench_range_stream(const char *workload, u32 live, u32 ops, enum range_sizes sizes,
			       u64 total, u64 align)
{
	struct range_bench *rb = kcalloc(R_RANGE_CHURN_NR, sizeof(*rb), GFP_KERNEL);
	u64 (*t)[BENCH_REPS] = kcalloc(R_RANGE_CHURN_NR, sizeof(*t), GFP_KERNEL);
	u32 n[R_RANGE_CHURN_NR];
	struct range_stream s;
	unsigned int k, nr = 0;
	char param[24];

	if (align)
		snprintf(param, sizeof(param), "%uKi live %lluKi align", live / 1024,
			 align / 1024);
	else
		snprintf(param, sizeof(param), "%uKi live", live / 1024);
	if (!rb || !t || range_stream_make(&s, live, max(ops, live / BENCH_REPS), sizes, total))
		goto out;
	for (k = 0; k < R_RANGE_CHURN_NR; k++) {
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
		/*
		 * First fit over a bitmap: a twentieth of the pairs (the same
		 * first ones), and not past 16Ki live, where one run would
		 * take minutes under emulation; only in 2^31 units (a bitmap
		 * over more at order 5 is hundreds of MiB) and unaligned.
		 */
		if (k == R_GENPOOL) {
			if (live > 16384 || total > BIT_ULL(31) || align)
				continue;
			n[nr] = s.n / 20;
		} else {
			n[nr] = s.n;
		}
#else
		n[nr] = s.n;
#endif
		rb[nr].align = align;
		rb[nr++].impl = k;
	}
	rb_run(rb, nr, &s, n, t);
	rb_add_rows(rb, nr, t, workload, param);
	range_stream_free(&s);
out:
	kfree(t);
	kfree(rb);
}

/*
 * Churn under pressure: the range churn stream at 16Ki live in a range
 * only @pct percent of the units the first 16Ki allocations take (125
 * and 105), so allocations may fail.  Beside the time per pair: the
 * fraction of the timed allocations
 * that failed and, at the end, fragmentation (1 - largest free region /
 * free units), for the allocators that report their free space.
 */
static void bench_pressure(u32 live, u32 ops, u32 pct)
{
	static const enum range_impl impls[] = {
		R_RANGE, R_OA,
#if IS_ENABLED(CONFIG_DRM)
		R_DRM_BEST, R_DRM_LOW,
#endif
	};
	enum { NR = ARRAY_SIZE(impls) };
	struct range_bench *rb = kcalloc(NR, sizeof(*rb), GFP_KERNEL);
	u64 (*t)[BENCH_REPS] = kcalloc(NR, sizeof(*t), GFP_KERNEL);
	struct range_stream s;
	u32 n[NR], i;
	unsigned int k;
	char param[24];

	snprintf(param, sizeof(param), "%uKi live %u.%02ux", live / 1024, pct / 100, pct % 100);
	if (!rb || !t ||
	    range_stream_make(&s, live, max(ops, live / BENCH_REPS), RS_SMALL, 0))
		goto out;
	for (i = 0; i < live; i++)
		s.total += s.size[i];
	s.total = div_u64(s.total * pct, 100);
	for (k = 0; k < NR; k++) {
		rb[k].impl = impls[k];
		n[k] = s.n;
	}
	rb_run(rb, NR, &s, n, t);
	rb_add_rows(rb, NR, t, "pressure churn", param);
	for (k = 0; k < NR; k++) {
		const char *name = range_names[rb[k].impl];

		if (!rb[k].ready)
			continue;
		bench_add("pressure: failed", param, name, NULL, NULL,
			  div64_u64(rb[k].timed_failed * 1000000, (u64)BENCH_REPS * n[k]),
			  BENCH_NOBASE);
		bench_add("pressure: frag", param, name, NULL, NULL, rb[k].free ?
			  1000000 - div64_u64(rb[k].largest_free * 1000000, rb[k].free) : 0,
			  BENCH_NOBASE);
	}
	range_stream_free(&s);
out:
	kfree(t);
	kfree(rb);
}

/*
 * Placement churn: the range churn stream with every allocation asking
 * the same window and mode of memkit_range (memkit_range_alloc_in()) and
 * of drm_mm (drm_mm_insert_node_in_range() with the matching mode), each
 * behind the same irq-safe spinlock.  The window is the first quarter of
 * the range or all of it.  memkit_range runs twice: with every mode
 * (MEMKIT_RANGE_PLACE | MEMKIT_RANGE_BEST_FIT), as drm_mm always is, and
 * except in the BEST rows without best fit (MEMKIT_RANGE_PLACE alone),
 * as a driver that never asks for it would make it.
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
	enum { NR = R_NR - R_RANGE_CHURN_NR };
	struct range_bench *rb = kcalloc(NR, sizeof(*rb), GFP_KERNEL);
	u64 (*t)[BENCH_REPS] = kcalloc(NR, sizeof(*t), GFP_KERNEL);
	struct range_stream s;
	u32 n[NR];
	unsigned int c, k, nr;
	char param[24];

	snprintf(param, sizeof(param), "%uKi live", live / 1024);
	if (!rb || !t ||
	    range_stream_make(&s, live, max(ops, live / BENCH_REPS), RS_SMALL, BIT_ULL(31)))
		goto out;
	for (c = 0; c < ARRAY_SIZE(cases); c++) {
		memset(rb, 0, NR * sizeof(*rb));
		for (k = 0, nr = 0; k < NR; k++) {
			enum range_impl impl = R_RANGE_CHURN_NR + k;

			if (impl == R_RANGE_PLACE_ADDR && cases[c].mode == MEMKIT_OA_BEST)
				continue;
			rb[nr].impl = impl;
			rb[nr].drm_mode = cases[c].drm_mode;
			rb[nr].place.align = 1;
			rb[nr].place.mode = cases[c].mode;
			/* The first quarter of the 2^31 units, or the whole range. */
			if (cases[c].quarter)
				rb[nr].place.end = BIT_ULL(29);
			n[nr++] = s.n;
		}
		rb_run(rb, nr, &s, n, t);
		rb_add_rows(rb, nr, t, cases[c].workload, param);
	}
	range_stream_free(&s);
out:
	kfree(t);
	kfree(rb);
}

/*
 * Best fit in a crowded window: @holes free regions of 64 units below a
 * window of 2^20 units whose only hole is 1000 units, as in a VRAM whose
 * CPU-visible part is nearly full and whose rest is fragmented.  Each pair
 * allocates 32 units by BEST in the window and frees them again, on
 * memkit_range and on drm_mm behind the same irq-safe lock.
 */
static void bench_place_crowded(u32 holes, u32 ops)
{
	enum { NR = R_NR - R_RANGE_CHURN_NR };
	struct range_bench *rb = kcalloc(NR, sizeof(*rb), GFP_KERNEL);
	u64 (*t)[BENCH_REPS] = kcalloc(NR, sizeof(*t), GFP_KERNEL);
	u64 win = (u64)holes * 128, t0;
	u32 slots = 2 * holes + 2, i, k, rep;
	char param[24];

	if (!rb || !t)
		goto out;
	snprintf(param, sizeof(param), "%uKi holes outside", holes / 1024);
	for (k = 0; k < NR; k++) {
		struct range_bench *b = &rb[k];

		/* Best fit needs the index by size. */
		if (R_RANGE_CHURN_NR + k == R_RANGE_PLACE_ADDR)
			continue;
		b->ready = !rb_init(b, R_RANGE_CHURN_NR + k, win + BIT_ULL(20), slots);
		if (!b->ready)
			continue;
		/* Allocations of 64 units from 0 up, the window all but 1000 units full. */
		b->place = (struct memkit_oa_req){ .align = 1, .mode = MEMKIT_OA_LOW };
#if IS_ENABLED(CONFIG_DRM)
		b->drm_mode = DRM_MM_INSERT_LOW;
#endif
		for (i = 0; i < 2 * holes; i++)
			rb_alloc(b, i, 64);
		b->place.start = win;
		rb_alloc(b, 2 * holes, BIT_ULL(20) - 1000);
		for (i = 0; i < 2 * holes; i += 2)
			rb_free(b, i);
		b->place.mode = MEMKIT_OA_BEST;
#if IS_ENABLED(CONFIG_DRM)
		b->drm_mode = DRM_MM_INSERT_BEST;
#endif
		cond_resched();
	}
	for (rep = 0; rep < BENCH_REPS; rep++) {
		for (k = 0; k < NR; k++) {
			if (!rb[k].ready)
				continue;
			t0 = ktime_get_ns();
			for (i = 0; i < ops; i++) {
				rb_alloc(&rb[k], slots - 1, 32);
				rb_free(&rb[k], slots - 1);
			}
			t[k][rep] = ps_per_op(t0, ops);
			cond_resched();
		}
	}
	for (k = 0; k < NR; k++) {
		if (rb[k].ready && rb[k].failed)
			pr_info("memkit_bench: %s: %llu allocations failed\n",
				range_names[rb[k].impl], rb[k].failed);
		rb_exit(&rb[k]);
	}
	rb_add_rows(rb, NR, t, "place best crowded", param);
out:
	kfree(t);
	kfree(rb);
}

static void bench_footprint_row(const char *workload, const char *param, const char *impl,
				u64 bytes, u32 items)
{
	int row = bench_add(workload, param, impl, NULL, NULL, 0, BENCH_NOBASE);

	if (row != BENCH_NOBASE)
		rows[row].bytes_milli = div64_u64(bytes * 1000, max_t(u32, items, 1));
}

/*
 * Range footprint: the allocator's own memory per live allocation, plus
 * what the caller keeps for each (memkit's handle, drm_mm's node, which
 * the caller embeds; gen_pool's caller keeps only the address).  memkit
 * counts its structure, node table and bins (memkit_range_report()), with
 * max_allocs = live; drm_mm its struct; gen_pool its chunk's bitmap over
 * the 2^31 units at order 5.
 */
static void bench_range_footprint(u32 live)
{
	static const unsigned int flags[] = {
		0, MEMKIT_RANGE_PRIV | MEMKIT_RANGE_LOOKUP, MEMKIT_RANGE_PLACE,
		MEMKIT_RANGE_PLACE | MEMKIT_RANGE_BEST_FIT,
	};
	static const char * const names[] = {
		"memkit_range", "memkit_range +priv+lookup", "memkit_range +place",
		"memkit_range +place+best fit",
	};
	struct memkit_oa_usage u;
	char param[24];
	unsigned int k;

	snprintf(param, sizeof(param), "%uKi live", live / 1024);
	for (k = 0; k < ARRAY_SIZE(flags); k++) {
		struct memkit_range_config cfg = {
			.size = 1ULL << 31, .initial_allocs = live, .max_allocs = live,
			.flags = flags[k],
		};
		struct memkit_range *r = memkit_range_create_config(&cfg);

		if (IS_ERR(r))
			continue;
		memkit_range_report(r, &u);
		memkit_range_destroy(r);
		bench_footprint_row("range footprint", param, names[k],
				    u.metadata_bytes + (u64)live * sizeof(struct memkit_oa_handle),
				    live);
	}
#if IS_ENABLED(CONFIG_DRM)
	bench_footprint_row("range footprint", param, "drm_mm",
			    sizeof(struct drm_mm) + (u64)live * sizeof(struct drm_mm_node), live);
#endif
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
	bench_footprint_row("range footprint", param, "gen_pool order 5",
			    sizeof(struct gen_pool) + sizeof(struct gen_pool_chunk) +
			    BITS_TO_LONGS(1UL << (31 - GENPOOL_ORDER)) * sizeof(long) +
			    (u64)live * sizeof(unsigned long), live);
#endif
}

/* Fixed-size refill: fill, free every other, refill; report utilisation. */
static void bench_refill(u64 size)
{
	const u64 total = 1000000;
	const u32 slots = 2048;
	struct range_bench *rb = kmalloc(sizeof(*rb), GFP_KERNEL);
	enum range_impl impl;
	char param[24];

	if (!rb)
		return;
	snprintf(param, sizeof(param), "size %llu", size);
	for (impl = 0; impl < R_RANGE_CHURN_NR; impl++) {
		u32 n = 0, i;
		u64 used = 0;

		/* The same allocator behind another lock packs the same. */
		if (impl == R_RANGE_MUTEX || impl == R_OA_MUTEX)
			continue;
		*rb = (struct range_bench){};
		/* A utilisation figure: too few operations to time. */
		rb->ready = !rb_init(rb, impl, total, slots);
		if (rb->ready) {
			while (n < slots && !rb_alloc(rb, n, size))
				n++;
			for (i = 0; i < n; i += 2)
				rb_free(rb, i);
			for (i = 0; i < n; i += 2)
				if (rb_alloc(rb, i, size))
					break;
			for (i = 0; i < slots; i++)
				used += rb->size[i];
			bench_add("fixed-size refill", param, range_names[impl], NULL, NULL,
				  div64_u64(used * 1000000, total), BENCH_NOBASE);
		}
		rb_exit(rb);
	}
	kfree(rb);
}

/*
 * Maps: u64 keys (odd; even keys are never present) at 80 % of 2^bits
 * slots, or the load given.  memkit's map runs in four hash classes, each its own
 * compile-time params: its keyed default (hsiphash), SipHash-2-4 keyed by
 * the map's seed, rhashtable's jhash2 with a seed word as initval, and
 * hashtable.h's one multiply (hash_64() without the shift, for memkit
 * takes the home slot from the low bits).
 */
struct bench_obj {
	u64 key;
	u64 val;
	struct rhash_head rnode;
	struct hlist_node hnode;
};

static int bench_rht_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	return *(const u64 *)arg->key != ((const struct bench_obj *)obj)->key;
}

/* nelem_hint is set at run time; the rest is what rhashtable_*_fast() see. */
static const struct rhashtable_params bench_rht_params = {
	.key_len = sizeof(u64),
	.key_offset = offsetof(struct bench_obj, key),
	.head_offset = offsetof(struct bench_obj, rnode),
	.obj_cmpfn = bench_rht_cmp,
};

static u64 bench_sip_hash(const void *key, u32 len, const siphash_key_t *seed)
{
	return siphash_1u64(*(const u64 *)key, seed);
}

static u64 bench_jhash2(const void *key, u32 len, const siphash_key_t *seed)
{
	return jhash2(key, 2, (u32)seed->key[0]);
}

static u64 bench_mul_hash(const void *key, u32 len, const siphash_key_t *seed)
{
	return *(const u64 *)key * GOLDEN_RATIO_64 >> 32;
}

#define BENCH_MAP_PARAMS(h) {						\
	.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,	\
	.hash = (h),							\
}

static const struct memkit_hashmap_params map_p[] = {
	BENCH_MAP_PARAMS(NULL), BENCH_MAP_PARAMS(bench_sip_hash),
	BENCH_MAP_PARAMS(bench_jhash2), BENCH_MAP_PARAMS(bench_mul_hash),
};

enum map_impl { M_HSIP, M_SIP, M_JHASH, M_MUL, M_MEMKIT_NR = M_MUL + 1, M_RHT = M_MEMKIT_NR,
		M_HT, M_NR };

static const struct {
	const char *impl, *hash;
	enum map_impl base;
} map_names[M_NR] = {
	[M_HSIP] = { "memkit_hashmap", "hsiphash (default)", M_HSIP },
	[M_SIP] = { "memkit_hashmap", "siphash-2-4", M_HSIP },
	[M_JHASH] = { "memkit_hashmap", "jhash2", M_HSIP },
	[M_MUL] = { "memkit_hashmap", "multiply", M_HSIP },
	[M_RHT] = { "rhashtable", "jhash2", M_JHASH },
	[M_HT] = { "hashtable.h", "multiply", M_MUL },
};

static DEFINE_HASHTABLE(bench_ht10, 10);
static DEFINE_HASHTABLE(bench_ht16, 16);
static DEFINE_HASHTABLE(bench_ht20, 20);

struct map_bench {
	u32 bits, n;		/* n live keys */
	u32 load;		/* percent of the 2^bits slots */
	u32 ops;		/* lookups per repetition */
	u32 pairs;		/* churn pairs per repetition */
	u64 *hits, *misses;	/* lookup keys, BENCH_REPS * ops each */
	u32 *victim;		/* churn: BENCH_REPS * pairs of (victim, new key) */
	u64 *newkey;
	u64 *keys[M_MEMKIT_NR];	/* each memkit map's live keys, by victim index */
	void *buf[M_MEMKIT_NR];
	struct memkit_hashmap map[M_MEMKIT_NR];
	struct bench_obj *robjs, *hobjs;	/* rhashtable's and hashtable.h's */
	struct rhashtable rht;
	bool rht_ready;
	u64 failed;
};

/* hashtable.h's macros need the table itself, so one case per size. */
static struct bench_obj *ht_find(struct map_bench *mb, u64 key)
{
	struct bench_obj *o;

	switch (mb->bits) {
	case 10:
		hash_for_each_possible(bench_ht10, o, hnode, key)
			if (o->key == key)
				return o;
		break;
	case 16:
		hash_for_each_possible(bench_ht16, o, hnode, key)
			if (o->key == key)
				return o;
		break;
	default:
		hash_for_each_possible(bench_ht20, o, hnode, key)
			if (o->key == key)
				return o;
		break;
	}
	return NULL;
}

static void ht_add(struct map_bench *mb, struct bench_obj *o)
{
	if (mb->bits == 10)
		hash_add(bench_ht10, &o->hnode, o->key);
	else if (mb->bits == 16)
		hash_add(bench_ht16, &o->hnode, o->key);
	else
		hash_add(bench_ht20, &o->hnode, o->key);
}

/* Lookups of @n keys from @keys in a memkit map, specialised for @p. */
static __always_inline u64 mk_lookups(const struct memkit_hashmap *m, const u64 *keys, u32 n,
				      const struct memkit_hashmap_params p)
{
	u64 found = 0;
	u32 i;

	for (i = 0; i < n; i++)
		found += memkit_hashmap_contains(m, &keys[i], p);
	return found;
}

/* Churn pairs [@from, @from + @n) in a memkit map, specialised for @p. */
static __always_inline u64 mk_churn(struct memkit_hashmap *m, u64 *live, const u32 *victim,
				    const u64 *newkey, u32 n, const struct memkit_hashmap_params p)
{
	u64 failed = 0, one = 1;
	u32 i;

	for (i = 0; i < n; i++) {
		u32 v = victim[i];

		failed += !!memkit_hashmap_remove(m, &live[v], p);
		live[v] = newkey[i];
		failed += !!memkit_hashmap_put(m, &live[v], &one, p);
	}
	return failed;
}

static u64 map_lookups(struct map_bench *mb, enum map_impl impl, const u64 *keys, u32 n)
{
	u64 found = 0;
	u32 i;

	switch (impl) {
	case M_HSIP:
		return mk_lookups(&mb->map[impl], keys, n, map_p[M_HSIP]);
	case M_SIP:
		return mk_lookups(&mb->map[impl], keys, n, map_p[M_SIP]);
	case M_JHASH:
		return mk_lookups(&mb->map[impl], keys, n, map_p[M_JHASH]);
	case M_MUL:
		return mk_lookups(&mb->map[impl], keys, n, map_p[M_MUL]);
	case M_RHT:
		rcu_read_lock();
		for (i = 0; i < n; i++)
			found += !!rhashtable_lookup(&mb->rht, &keys[i], bench_rht_params);
		rcu_read_unlock();
		return found;
	default:
		for (i = 0; i < n; i++)
			found += !!ht_find(mb, keys[i]);
		return found;
	}
}

static void map_churn(struct map_bench *mb, enum map_impl impl, u32 from, u32 n)
{
	const u32 *victim = mb->victim + from;
	const u64 *newkey = mb->newkey + from;
	u32 i;

	switch (impl) {
	case M_HSIP:
		mb->failed += mk_churn(&mb->map[impl], mb->keys[impl], victim, newkey, n,
				       map_p[M_HSIP]);
		return;
	case M_SIP:
		mb->failed += mk_churn(&mb->map[impl], mb->keys[impl], victim, newkey, n,
				       map_p[M_SIP]);
		return;
	case M_JHASH:
		mb->failed += mk_churn(&mb->map[impl], mb->keys[impl], victim, newkey, n,
				       map_p[M_JHASH]);
		return;
	case M_MUL:
		mb->failed += mk_churn(&mb->map[impl], mb->keys[impl], victim, newkey, n,
				       map_p[M_MUL]);
		return;
	case M_RHT:
		for (i = 0; i < n; i++) {
			struct bench_obj *o = &mb->robjs[victim[i]];

			mb->failed += !!rhashtable_remove_fast(&mb->rht, &o->rnode,
							       bench_rht_params);
			o->key = newkey[i];
			mb->failed += !!rhashtable_insert_fast(&mb->rht, &o->rnode,
							       bench_rht_params);
		}
		return;
	default:
		for (i = 0; i < n; i++) {
			struct bench_obj *o = &mb->hobjs[victim[i]];

			hash_del(&o->hnode);
			o->key = newkey[i];
			ht_add(mb, o);
		}
		return;
	}
}

static void map_bench_free(struct map_bench *mb)
{
	enum map_impl k;
	u32 i;

	if (mb->rht_ready) {
		rhashtable_destroy(&mb->rht);
		mb->rht_ready = false;
	}
	if (mb->hobjs)
		for (i = 0; i < mb->n; i++)
			if (!hlist_unhashed(&mb->hobjs[i].hnode))
				hash_del(&mb->hobjs[i].hnode);
	for (k = 0; k < M_MEMKIT_NR; k++) {
		kvfree(mb->buf[k]);
		kvfree(mb->keys[k]);
	}
	kvfree(mb->robjs);
	kvfree(mb->hobjs);
	kvfree(mb->hits);
	kvfree(mb->misses);
	kvfree(mb->victim);
	kvfree(mb->newkey);
}

static u64 bench_key(struct rnd_state *rs)
{
	return prandom_u32_state(rs) | (u64)prandom_u32_state(rs) << 32 | 1;
}

/* The streams, then every map filled with the same keys. */
static int map_bench_make(struct map_bench *mb)
{
	struct rhashtable_params rp = bench_rht_params;
	struct memkit_hashmap_layout l;
	struct rnd_state rs;
	u32 cap = 1U << mb->bits, i, total_ops = BENCH_REPS * mb->ops;
	u32 total_pairs = BENCH_REPS * mb->pairs;
	enum map_impl k;
	int ret;

	mb->hits = kvmalloc_array(total_ops, sizeof(u64), GFP_KERNEL);
	mb->misses = kvmalloc_array(total_ops, sizeof(u64), GFP_KERNEL);
	mb->victim = kvmalloc_array(total_pairs, sizeof(u32), GFP_KERNEL);
	mb->newkey = kvmalloc_array(total_pairs, sizeof(u64), GFP_KERNEL);
	mb->robjs = kvcalloc(mb->n, sizeof(*mb->robjs), GFP_KERNEL);
	mb->hobjs = kvcalloc(mb->n, sizeof(*mb->hobjs), GFP_KERNEL);
	if (!mb->hits || !mb->misses || !mb->victim || !mb->newkey || !mb->robjs || !mb->hobjs ||
	    memkit_hashmap_layout_for_capacity(cap, map_p[0], &l))
		return -ENOMEM;
	for (k = 0; k < M_MEMKIT_NR; k++) {
		mb->keys[k] = kvmalloc_array(mb->n, sizeof(u64), GFP_KERNEL);
		mb->buf[k] = kvmalloc(l.total, GFP_KERNEL);
		if (!mb->keys[k] || !mb->buf[k])
			return -ENOMEM;
		ret = memkit_hashmap_init(&mb->map[k], mb->buf[k], l.total, cap,
					  max_t(u32, mb->load, MEMKIT_HASHMAP_DEFAULT_LOAD),
					  map_p[k]);
		if (ret)
			return ret;
	}
	rp.nelem_hint = mb->n;
	ret = rhashtable_init(&mb->rht, &rp);
	if (ret)
		return ret;
	mb->rht_ready = true;

	prandom_seed_state(&rs, BENCH_SEED ^ mb->bits);
	for (i = 0; i < mb->n; i++) {
		u64 key;

		do {
			key = bench_key(&rs);
		} while (memkit_hashmap_contains(&mb->map[M_HSIP], &key, map_p[M_HSIP]));
		for (k = 0; k < M_MEMKIT_NR; k++)
			mb->keys[k][i] = key;
		mb->failed += !!memkit_hashmap_put(&mb->map[M_HSIP], &key, &key, map_p[M_HSIP]);
		mb->failed += !!memkit_hashmap_put(&mb->map[M_SIP], &key, &key, map_p[M_SIP]);
		mb->failed += !!memkit_hashmap_put(&mb->map[M_JHASH], &key, &key, map_p[M_JHASH]);
		mb->failed += !!memkit_hashmap_put(&mb->map[M_MUL], &key, &key, map_p[M_MUL]);
		mb->robjs[i].key = key;
		mb->hobjs[i].key = key;
		mb->failed += !!rhashtable_insert_fast(&mb->rht, &mb->robjs[i].rnode,
						       bench_rht_params);
		ht_add(mb, &mb->hobjs[i]);
	}
	/* Any resize the fill scheduled is over before timing starts. */
	flush_work(&mb->rht.run_work);
	for (i = 0; i < total_ops; i++) {
		mb->hits[i] = mb->keys[0][prandom_u32_state(&rs) % mb->n];
		mb->misses[i] = mb->keys[0][prandom_u32_state(&rs) % mb->n] & ~1ULL;
	}
	for (i = 0; i < total_pairs; i++) {
		mb->victim[i] = prandom_u32_state(&rs) % mb->n;
		mb->newkey[i] = bench_key(&rs);
	}
	return mb->failed ? -EIO : 0;
}

/* Time BENCH_REPS runs of every map, interleaved; @churn or lookups of @keys. */
static noinline_for_stack void map_time(struct map_bench *mb, const char *workload,
					const char *param, const u64 *keys, bool churn,
					u64 expect_found)
{
	u64 t[M_NR][BENCH_REPS];
	int row[M_NR];
	enum map_impl k;
	unsigned int rep;

	for (rep = 0; rep < BENCH_REPS; rep++) {
		for (k = 0; k < M_NR; k++) {
			u64 t0 = ktime_get_ns(), found;

			if (churn) {
				map_churn(mb, k, rep * mb->pairs, mb->pairs);
				t[k][rep] = ps_per_op(t0, mb->pairs);
			} else {
				found = map_lookups(mb, k, keys + rep * mb->ops, mb->ops);
				t[k][rep] = ps_per_op(t0, mb->ops);
				if (found != expect_found)
					pr_warn("memkit_bench: %s %s %s: %llu found, not %llu\n",
						workload, map_names[k].impl, map_names[k].hash,
						found, expect_found);
			}
			cond_resched();
		}
	}
	for (k = 0; k < M_NR; k++)
		row[k] = bench_add(workload, param, map_names[k].impl, map_names[k].hash, t[k], 0,
				   k == M_HSIP ? BENCH_NOBASE : row[map_names[k].base]);
}

/* Maps of 2^@bits slots at @load percent; churn @churn_x times the capacity. */
static void bench_maps(u32 bits, u32 load, u32 ops, u32 churn_x)
{
	struct map_bench *mb = kzalloc(sizeof(*mb), GFP_KERNEL);
	char param[24], churn_param[24];
	unsigned int buckets;
	struct rnd_state rs;
	u32 i;

	if (!mb)
		return;
	mb->bits = bits;
	mb->ops = ops;
	mb->load = load;
	mb->n = (1U << bits) * load / 100;
	mb->pairs = div_u64((u64)churn_x << bits, BENCH_REPS);
	if (load == MEMKIT_HASHMAP_DEFAULT_LOAD) {
		snprintf(param, sizeof(param), "2^%u", bits);
		snprintf(churn_param, sizeof(churn_param), "2^%u %ux cap", bits, churn_x);
	} else {
		snprintf(param, sizeof(param), "2^%u %u%% load", bits, load);
		snprintf(churn_param, sizeof(churn_param), "2^%u %u%% %ux cap", bits, load,
			 churn_x);
	}
	if (map_bench_make(mb)) {
		pr_warn("memkit_bench: maps 2^%u: set-up failed (%llu operations)\n", bits,
			mb->failed);
		goto out;
	}
	/*
	 * Bytes per entry with its 16 bytes of key and value: memkit's whole
	 * buffer; rhashtable's bucket table and its objects' key, value and
	 * rhash_head; hashtable.h's buckets and its objects' key, value and
	 * hlist_node.
	 */
	mutex_lock(&mb->rht.mutex);	/* what rht_dereference() asks */
	buckets = rht_dereference(mb->rht.tbl, &mb->rht)->size;
	mutex_unlock(&mb->rht.mutex);
	bench_footprint_row("map footprint", param, "memkit_hashmap",
			    mb->map[0].hdr->total, mb->n);
	bench_footprint_row("map footprint", param, "rhashtable",
			    (u64)buckets * sizeof(void *) +
			    (u64)mb->n * (16 + sizeof(struct rhash_head)), mb->n);
	bench_footprint_row("map footprint", param, "hashtable.h",
			    (sizeof(void *) << bits) +
			    (u64)mb->n * (16 + sizeof(struct hlist_node)), mb->n);
	map_time(mb, "map lookup hit", param, mb->hits, false, mb->ops);
	map_time(mb, "map lookup miss", param, mb->misses, false, 0);
	map_time(mb, "map churn", churn_param, NULL, true, 0);
	if (mb->failed)
		pr_warn("memkit_bench: map churn 2^%u: %llu operations failed\n", bits, mb->failed);
	/*
	 * After the churn every map holds the same keys, memkit's in keys[]:
	 * look them up in a random order, for in index order rhashtable's and
	 * hashtable.h's objects would be walked through memory in sequence.
	 */
	mb->ops = min(mb->ops, mb->n / BENCH_REPS);
	memcpy(mb->hits, mb->keys[0], BENCH_REPS * mb->ops * sizeof(u64));
	prandom_seed_state(&rs, BENCH_SEED + bits);
	for (i = BENCH_REPS * mb->ops - 1; i > 0; i--)
		swap(mb->hits[i], mb->hits[prandom_u32_state(&rs) % (i + 1)]);
	map_time(mb, "map hit after churn", param, mb->hits, false, mb->ops);
out:
	map_bench_free(mb);
	kfree(mb);
}

/* Pool: alloc+free pairs of a 64-byte object with 1Ki live. */
struct bench_obj64 {
	u8 bytes[64];
};

enum pool_impl { P_MEMKIT, P_MEMKIT_LOCKED, P_KMEM_CACHE, P_MEMPOOL, P_NR };

static const char * const pool_names[P_NR] = {
	"memkit_pool", "memkit_pool locked", "kmem_cache", "mempool",
};

#define POOL_LIVE	1024

struct pool_bench {
	struct memkit_pool pool[2];	/* unlocked, locked */
	bool pool_ready[2];
	struct kmem_cache *cache;
	mempool_t *mp;
	void *live[P_NR][POOL_LIVE];
};

static void *pool_get(struct pool_bench *pb, enum pool_impl k)
{
	switch (k) {
	case P_MEMKIT:
	case P_MEMKIT_LOCKED:
		return memkit_pool_alloc(&pb->pool[k], GFP_ATOMIC);
	case P_KMEM_CACHE:
		return kmem_cache_alloc(pb->cache, GFP_ATOMIC);
	default:
		return mempool_alloc(pb->mp, GFP_ATOMIC);
	}
}

static void pool_put(struct pool_bench *pb, enum pool_impl k, void *obj)
{
	if (!obj)
		return;
	switch (k) {
	case P_MEMKIT:
	case P_MEMKIT_LOCKED:
		memkit_pool_free(&pb->pool[k], obj);
		break;
	case P_KMEM_CACHE:
		kmem_cache_free(pb->cache, obj);
		break;
	default:
		mempool_free(obj, pb->mp);
		break;
	}
}

/*
 * GFP_ATOMIC for all four, since a locked memkit pool may not sleep and
 * each peer then takes the same path.
 */
static void bench_pool(u32 ops)
{
	struct pool_bench *pb = kvzalloc(sizeof(*pb), GFP_KERNEL);
	u32 *victim = kvmalloc_array(BENCH_REPS * ops, sizeof(u32), GFP_KERNEL);
	u64 t[P_NR][BENCH_REPS];
	enum pool_impl k;
	struct rnd_state rs;
	unsigned int rep;
	int base = BENCH_NOBASE;
	u32 i;

	if (!pb || !victim)
		goto out;
	pb->cache = kmem_cache_create("memkit_bench64", 64, 0, 0, NULL);
	pb->mp = pb->cache ? mempool_create_slab_pool(POOL_LIVE, pb->cache) : NULL;
	pb->pool_ready[0] = !memkit_pool_init_for(&pb->pool[0], &memkit_kmalloc_allocator,
						  struct bench_obj64, MEMKIT_POOL_BUMP);
	pb->pool_ready[1] = !memkit_pool_init_for(&pb->pool[1], &memkit_kmalloc_allocator,
						  struct bench_obj64,
						  MEMKIT_POOL_BUMP | MEMKIT_POOL_LOCKED);
	if (!pb->mp || !pb->pool_ready[0] || !pb->pool_ready[1])
		goto out;
	prandom_seed_state(&rs, BENCH_SEED);
	for (i = 0; i < BENCH_REPS * ops; i++)
		victim[i] = prandom_u32_state(&rs) % POOL_LIVE;
	for (k = 0; k < P_NR; k++)
		for (i = 0; i < POOL_LIVE; i++)
			pb->live[k][i] = pool_get(pb, k);
	for (rep = 0; rep < BENCH_REPS; rep++) {
		for (k = 0; k < P_NR; k++) {
			void **live = pb->live[k];
			u64 t0 = ktime_get_ns();

			for (i = rep * ops; i < (rep + 1) * ops; i++) {
				u32 v = victim[i];

				pool_put(pb, k, live[v]);
				live[v] = pool_get(pb, k);
			}
			t[k][rep] = ps_per_op(t0, ops);
			cond_resched();
		}
	}
	for (k = 0; k < P_NR; k++) {
		int row;

		for (i = 0; i < POOL_LIVE; i++)
			pool_put(pb, k, pb->live[k][i]);
		/* The peers, always SMP- and irq-safe, read against the locked pool. */
		row = bench_add("pool alloc+free", "64 B 1Ki live", pool_names[k], NULL, t[k],
				0, k > P_MEMKIT_LOCKED ? base : BENCH_NOBASE);
		if (k == P_MEMKIT_LOCKED)
			base = row;
	}
out:
	if (pb) {
		if (pb->pool_ready[0])
			memkit_pool_exit(&pb->pool[0]);
		if (pb->pool_ready[1])
			memkit_pool_exit(&pb->pool[1]);
		mempool_destroy(pb->mp);
		kmem_cache_destroy(pb->cache);
	}
	kvfree(pb);
	kvfree(victim);
}

/*
 * Arena: 1000 allocations of 16..256 bytes, then a reset that keeps the
 * capacity, through the allocator interface (memkit_alloc(), a call
 * through the ops table) and directly (memkit_arena_alloc()); against
 * kmalloc and kfree of the same lengths, which reads against the
 * interface row.
 */
#define ARENA_N	1000

enum { ARENA_OPS, ARENA_DIRECT, ARENA_KMALLOC, ARENA_NR };

static void bench_arena(u32 rounds)
{
	static const char * const names[ARENA_NR] = {
		"memkit_arena", "memkit_arena direct", "kmalloc/kfree",
	};
	u16 *len = kvmalloc_array(rounds * ARENA_N, sizeof(u16), GFP_KERNEL);
	void **ptrs = kvcalloc(ARENA_N, sizeof(void *), GFP_KERNEL);
	struct memkit_allocator a;
	struct memkit_arena arena;
	struct rnd_state rs;
	u64 t[ARENA_NR][BENCH_REPS];
	unsigned int rep, which;
	u32 i, r;
	int base;

	if (!len || !ptrs || memkit_arena_init(&arena, &memkit_kmalloc_allocator,
					       MEMKIT_ARENA_BUMP))
		goto out;
	a = memkit_arena_allocator(&arena);
	prandom_seed_state(&rs, BENCH_SEED);
	for (i = 0; i < rounds * ARENA_N; i++)
		len[i] = 16 + prandom_u32_state(&rs) % 241;
	for (rep = 0; rep < BENCH_REPS; rep++) {
		for (which = 0; which < ARENA_NR; which++) {
			const u16 *l = len;
			u64 t0 = ktime_get_ns();

			for (r = 0; r < rounds; r++, l += ARENA_N) {
				if (which == ARENA_KMALLOC) {
					for (i = 0; i < ARENA_N; i++)
						ptrs[i] = kmalloc(l[i], GFP_KERNEL);
					for (i = 0; i < ARENA_N; i++)
						kfree(ptrs[i]);
					continue;
				}
				if (which == ARENA_DIRECT)
					for (i = 0; i < ARENA_N; i++)
						ptrs[i] = memkit_arena_alloc(&arena, l[i], 8,
									     GFP_KERNEL);
				else
					for (i = 0; i < ARENA_N; i++)
						ptrs[i] = memkit_alloc(&a, l[i], 8, GFP_KERNEL);
				memkit_arena_reset(&arena, MEMKIT_ARENA_RETAIN_CAPACITY, 0,
						   GFP_KERNEL);
			}
			t[which][rep] = ps_per_op(t0, (u64)rounds * ARENA_N);
			cond_resched();
		}
	}
	base = bench_add("arena alloc + reset", "1000 x 16..256 B", names[ARENA_OPS], NULL,
			 t[ARENA_OPS], 0, BENCH_NOBASE);
	for (which = ARENA_DIRECT; which < ARENA_NR; which++)
		bench_add("arena alloc + reset", "1000 x 16..256 B", names[which], NULL, t[which],
			  0, base);
	memkit_arena_exit(&arena);
out:
	kvfree(ptrs);
	kvfree(len);
}

/* This row's median over its base row's, in hundredths; 0 without a base. */
static u64 bench_ratio(const struct bench_row *r, unsigned int scale_to)
{
	const struct bench_row *b;

	if (r->base == BENCH_NOBASE || !r->timed)
		return 0;
	b = &rows[r->base];
	return div64_u64(r->ps[1] * scale_to, max_t(u64, b->ps[1], 1));
}

static const char *bench_base_name(const struct bench_row *r)
{
	return r->base == BENCH_NOBASE ? "" : rows[r->base].impl;
}

static void seq_ps(struct seq_file *m, u64 ps)
{
	seq_printf(m, " %9llu.%02llu", ps / 1000, ps % 1000 / 10);
}

static int results_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	seq_printf(m, "memkit poisoning %s; %d interleaved repetitions; ns per operation.\n",
		   memkit_poisoning ? "ON (figures not comparable)" : "off", BENCH_REPS);
	seq_puts(m, "x base: this row's median over its base row's (the memkit row of the same\n"
		 "hash class, lock and workload); above 1 means memkit is faster.\n\n");
	seq_printf(m, "%-20s %-17s %-26s %-19s %12s %12s %12s %7s %10s\n", "workload", "param",
		   "impl", "hash", "min", "median", "max", "x base", "util/B");
	for (i = 0; i < nr_rows; i++) {
		const struct bench_row *r = &rows[i];
		u64 ratio = bench_ratio(r, 100);

		seq_printf(m, "%-20s %-17s %-26s %-19s", r->workload, r->param, r->impl,
			   r->hash ?: "");
		if (r->timed) {
			seq_ps(m, r->ps[0]);
			seq_ps(m, r->ps[1]);
			seq_ps(m, r->ps[2]);
			if (ratio)
				seq_printf(m, " %4llu.%02llu\n", ratio / 100, ratio % 100);
			else
				seq_puts(m, "\n");
		} else if (r->bytes_milli) {
			seq_printf(m, " %12s %12s %12s %7s %6llu.%01llu B\n", "", "", "", "",
				   r->bytes_milli / 1000, r->bytes_milli % 1000 / 100);
		} else {
			seq_printf(m, " %12s %12s %12s %7s %3u.%04u\n", "", "", "", "",
				   r->util_ppm / 1000000, r->util_ppm % 1000000 / 100);
		}
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(results);

/* Empty fields where a figure does not apply. */
static int results_csv_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	seq_puts(m, "workload,param,impl,hash,ns_min,ns_median,ns_max,base_impl,");
	seq_puts(m, "median_over_base,utilisation,bytes_per_item\n");
	for (i = 0; i < nr_rows; i++) {
		const struct bench_row *r = &rows[i];
		u64 ratio = bench_ratio(r, 1000);

		seq_printf(m, "%s,%s,%s,%s,", r->workload, r->param, r->impl, r->hash ?: "");
		if (r->timed)
			seq_printf(m, "%llu.%03llu,%llu.%03llu,%llu.%03llu,", r->ps[0] / 1000,
				   r->ps[0] % 1000, r->ps[1] / 1000, r->ps[1] % 1000,
				   r->ps[2] / 1000, r->ps[2] % 1000);
		else
			seq_puts(m, ",,,");
		seq_printf(m, "%s,", bench_base_name(r));
		if (ratio)
			seq_printf(m, "%llu.%03llu", ratio / 1000, ratio % 1000);
		seq_puts(m, ",");
		if (!r->timed && !r->bytes_milli)
			seq_printf(m, "%u.%06u", r->util_ppm / 1000000, r->util_ppm % 1000000);
		seq_puts(m, ",");
		if (r->bytes_milli)
			seq_printf(m, "%llu.%03llu", r->bytes_milli / 1000, r->bytes_milli % 1000);
		seq_puts(m, "\n");
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

/* Is memkit poisoning?  An allocation through it tells. */
static bool bench_poisoning(void)
{
	u8 *p = memkit_alloc(&memkit_kmalloc_allocator, 16, 8, GFP_KERNEL);
	bool on = p && !memchr_inv(p, 0xaa, 16);

	if (p)
		memkit_free(&memkit_kmalloc_allocator, p, 16, 8);
	return on;
}

static int __init memkit_bench_init(void)
{
	static const u64 refill_sizes[] = { 1000, 1024, 3000, 4097 };
	unsigned int i;

	bench_t0 = ktime_get_ns();
	memkit_poisoning = bench_poisoning();
	pr_info("memkit_bench: running, memkit poisoning %s\n", memkit_poisoning ? "on" : "off");
	bench_range_stream("range churn", 1024, 10000 * scale, RS_SMALL, BIT_ULL(31), 0);
	bench_progress("range churn 1Ki");
	bench_range_stream("range churn", 16384, 10000 * scale, RS_SMALL, BIT_ULL(31), 0);
	bench_progress("range churn 16Ki");
	bench_range_stream("range churn", 65536, 10000 * scale, RS_SMALL, BIT_ULL(31), 0);
	bench_progress("range churn 64Ki");
	/* 4Ki live: drm_mm walks every hole the alignment rejects. */
	bench_range_stream("aligned churn", 4096, 10000 * scale, RS_X16, BIT_ULL(36), SZ_4K);
	bench_range_stream("aligned churn", 4096, 10000 * scale, RS_X16, BIT_ULL(36), SZ_64K);
	bench_progress("aligned churn");
	bench_range_stream("mixed sizes churn", 4096, 10000 * scale, RS_MIXED, BIT_ULL(36),
			   SZ_4K);
	bench_progress("mixed sizes churn");
	bench_pressure(16384, 10000 * scale, 125);
	bench_pressure(16384, 10000 * scale, 105);
	bench_progress("pressure 16Ki");
	bench_place_churn(1024, 10000 * scale);
	bench_progress("place churn 1Ki");
	bench_place_churn(65536, 10000 * scale);
	bench_progress("place churn 64Ki");
	bench_place_crowded(1024, 1000 * scale);
	bench_place_crowded(16384, 100 * scale);
	bench_progress("place best crowded");
	for (i = 0; i < ARRAY_SIZE(refill_sizes); i++)
		bench_refill(refill_sizes[i]);
	bench_progress("refill");
	bench_range_footprint(1024);
	bench_range_footprint(65536);
	bench_maps(10, 80, 50000 * scale, 100);
	bench_progress("maps 2^10");
	bench_maps(16, 80, 50000 * scale, churn16);
	bench_progress("maps 2^16");
	bench_maps(16, 50, 50000 * scale, 10);
	bench_maps(16, 95, 50000 * scale, 10);
	bench_progress("maps 2^16 50% and 95% load");
	bench_maps(20, 80, 50000 * scale, churn20);
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
