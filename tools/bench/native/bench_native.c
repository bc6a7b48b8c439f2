// SPDX-License-Identifier: GPL-2.0
/*
 * Native benchmarks: memkit's core files built for userspace with -O2,
 * against absl::flat_hash_map (maps) and glibc malloc/free (pool, arena).
 *
 * The workloads are those of the project's design notes, so the figures
 * compare with the in-kernel benchmark's.  The process pins itself to one
 * CPU, runs every measurement BENCH_REPS times from the same seed and
 * reports the median.  Output: a table on stdout and, with -o FILE, the
 * same rows as CSV.
 *
 * Usage: bench_native [-o results.csv] [-t tail.csv] [-c cpu] [-s scale] [-w part]
 *	scale multiplies every operation count (default 1); part limits the
 *	run to one of range, place, refill, map, pool, arena, tail.
 */

#include <getopt.h>
#include <sched.h>
#include <time.h>

#include <memkit/arena.h>
#include <memkit/hashmap.h>
#include <memkit/offset_alloc.h>
#include <memkit/pool.h>

#include "harness.h"
#include "bench_native.h"

#define BENCH_REPS	5
#define BENCH_SEED	0x6d656d6b6974ULL
#define BENCH_ROWS	192

#define NO_BASE	-1

struct row {
	const char *workload, *impl, *hash;
	char param[24];
	double ns[3], util;	/* min, median, max */
	double bytes;		/* footprint rows: bytes per item */
	int base;		/* the row this one's ratio is to, or NO_BASE */
};

static struct row rows[BENCH_ROWS];
static unsigned int nr_rows;
static unsigned int scale = 1;
static const char *only;	/* -w: run one part */
static u64 sink;	/* results, printed at the end so they are computed */

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Add a row from BENCH_REPS timings @t (NULL for a utilisation row);
 * @base is the row its ratio reads against, or NO_BASE.
 */
static int add_row_hash(const char *workload, const char *param, const char *impl,
			const char *hash, double *t, double util, int base)
{
	struct row *r = &rows[nr_rows];

	*r = (struct row){ .workload = workload, .impl = impl, .hash = hash, .util = util,
			   .base = base };
	snprintf(r->param, sizeof(r->param), "%s", param);
	if (t) {
		qsort(t, BENCH_REPS, sizeof(*t), double_cmp);
		r->ns[0] = t[0];
		r->ns[1] = t[BENCH_REPS / 2];
		r->ns[2] = t[BENCH_REPS - 1];
	}
	if (t)
		printf("  %-22s %-16s %-22s %-10s %10.2f ns\n", workload, param, impl,
		       hash ?: "", r->ns[1]);
	fflush(stdout);
	return nr_rows++;
}

static void add_row_bytes(const char *workload, const char *param, const char *impl,
			  double bytes)
{
	rows[add_row_hash(workload, param, impl, NULL, NULL, 0, NO_BASE)].bytes = bytes;
}

static int add_row(const char *workload, const char *param, const char *impl, double *t,
		   double util, int base)
{
	return add_row_hash(workload, param, impl, NULL, t, util, base);
}

/* Log-uniform in [1, 2^@bits]. */
static u64 bench_log_uniform(u64 *s, u32 bits)
{
	return 1 + bench_below(s, 2ULL << bench_below(s, bits));
}

/*
 * A range workload's shape, as in the in-kernel benchmark: how sizes are
 * drawn, the alignment of every allocation (0: none) and the units.
 */
enum range_sizes { RS_SMALL, RS_X16, RS_MIXED };

struct range_shape {
	const char *workload;
	enum range_sizes sizes;
	u64 align, total;
};

static const struct range_shape RANGE_CHURN = { "range churn", RS_SMALL, 0, 1ULL << 31 };

/*
 * RS_SMALL: log-uniform in [1, 4096] units; RS_X16: the same times 16;
 * RS_MIXED, in bytes: nine in ten log-uniform in [1, 256] pages of 4 KiB,
 * one in ten log-uniform in [1, 64] MiB.
 */
static u64 bench_size(u64 *s, enum range_sizes sizes)
{
	switch (sizes) {
	case RS_X16:
		return bench_log_uniform(s, 12) * 16;
	case RS_MIXED:
		if (bench_below(s, 10))
			return bench_log_uniform(s, 8) << 12;
		return bench_log_uniform(s, 6) << 20;
	default:
		return bench_log_uniform(s, 12);
	}
}

/*
 * A churn's operation stream, drawn before any timing so that every
 * implementation and repetition runs the same one and no generator runs
 * inside a timed loop: @pairs victims in [0, @live) and, with @arg, a
 * value per pair from @draw (a size or a key).  NULL if out of memory.
 */
static u32 *bench_stream(u64 *s, u32 live, u64 pairs, u64 **arg, u64 (*draw)(u64 *s, u32 how),
			 u32 how)
{
	u32 *victim = malloc(pairs * sizeof(*victim));
	u64 i;

	if (arg)
		*arg = malloc(pairs * sizeof(**arg));
	if (!victim || (arg && !*arg)) {
		free(victim);
		if (arg)
			free(*arg);
		return NULL;
	}
	for (i = 0; i < pairs; i++) {
		victim[i] = bench_below(s, live);
		if (arg)
			(*arg)[i] = draw(s, how);
	}
	return victim;
}

/* bench_size() and bench_next() as bench_stream() draws. */
static u64 draw_size(u64 *s, u32 how)
{
	return bench_size(s, how);
}

static u64 draw_key(u64 *s, u32 how)
{
	return bench_next(s);
}

/*
 * memkit_oa_alloc() aligned to @align, or memkit_oa_alloc_in() with
 * @tmpl's window, mode and alignment.
 */
static int bench_oa_try(struct memkit_oa *oa, u64 size, u64 align,
			const struct memkit_oa_req *tmpl, struct memkit_oa_handle *h)
{
	struct memkit_oa_req r;

	if (!tmpl)
		return memkit_oa_alloc(oa, size, align, h);
	r = *tmpl;
	r.size = size;
	return memkit_oa_alloc_in(oa, &r, h);
}

/*
 * An allocation that may find the node storage short (a growable
 * allocator): add a segment, as a caller does outside its lock, and retry.
 */
static int bench_oa_alloc(struct memkit_oa *oa, u64 size, u64 align,
			  const struct memkit_oa_req *tmpl, struct memkit_oa_handle *h)
{
	int ret = bench_oa_try(oa, size, align, tmpl, h);
	size_t bytes;
	void *mem;

	if (ret != -ENOMEM)
		return ret;
	bytes = memkit_oa_grow_size(oa, 1);
	mem = bytes ? malloc(bytes) : NULL;
	if (!mem || memkit_oa_grow(oa, mem, bytes)) {
		free(mem);
		return -ENOMEM;
	}
	return bench_oa_try(oa, size, align, tmpl, h);
}

/*
 * Range churn: memkit_oa over @sh's units with @live allocations of its
 * sizes and alignment (2^31 units, log-uniform in [1, 4096], for the
 * "range churn" and "place churn" rows).  @initial
 * below @live makes a growable allocator, grown during the prefill (its
 * nodes are then spread over segments); @flags adds the private pointer,
 * set after each allocation as a driver would, and the index by offset.
 * With @tmpl, every allocation is memkit_oa_alloc_in() with its window and
 * mode (the "place churn" rows).
 */
static int bench_range_churn(const struct range_shape *sh, u32 live, u64 pairs, u32 initial,
			     unsigned int flags, const struct memkit_oa_req *tmpl,
			     const char *impl, int base)
{
	struct memkit_oa_handle *h = calloc(live, sizeof(*h));
	u64 s = BENCH_SEED, *size = NULL, *fill = calloc(live, sizeof(*fill));
	double t[BENCH_REPS];
	char param[40];
	int rep, row = NO_BASE;
	u32 *victim;
	u64 i;

	for (i = 0; fill && i < live; i++)
		fill[i] = bench_size(&s, sh->sizes);
	victim = bench_stream(&s, live, pairs, &size, draw_size, sh->sizes);
	for (rep = 0; rep < BENCH_REPS; rep++) {
		struct memkit_oa oa;
		u64 t0, failed = 0;

		if (!h || !fill || !victim ||
		    memkit_oa_init_flags(&oa, sh->total, initial, live, flags))
			goto out;
		for (i = 0; i < live; i++) {
			failed += !!bench_oa_alloc(&oa, fill[i], sh->align, tmpl, &h[i]);
			if (flags & MEMKIT_OA_PRIV)
				memkit_oa_set_priv(&oa, &h[i], &h[i]);
		}
		t0 = now_ns();
		for (i = 0; i < pairs; i++) {
			u32 v = victim[i];

			memkit_oa_free(&oa, &h[v]);
			failed += !!bench_oa_alloc(&oa, size[i], sh->align, tmpl, &h[v]);
			if (flags & MEMKIT_OA_PRIV)
				memkit_oa_set_priv(&oa, &h[v], &h[v]);
		}
		t[rep] = (double)(now_ns() - t0) / pairs;
		memkit_oa_exit(&oa);
		if (failed)
			printf("%s: %llu allocations failed\n", sh->workload, failed);
	}
	if (sh->align)
		snprintf(param, sizeof(param), "%uKi live %uKi align", live >> 10,
			 (unsigned int)(sh->align >> 10));
	else
		snprintf(param, sizeof(param), "%uKi live", live >> 10);
	row = add_row(tmpl ? "place churn" : sh->workload, param, impl, t, 0, base);
out:
	free(victim);
	free(size);
	free(fill);
	free(h);
	return row;
}

/* The plain allocator, then the cost of each option as its own row. */
static void bench_range_churn_all(u32 live, u64 pairs)
{
	const struct range_shape *sh = &RANGE_CHURN;
	int base = bench_range_churn(sh, live, pairs, live, 0, NULL, "memkit_oa", NO_BASE);

	bench_range_churn(sh, live, pairs, 16, 0, NULL, "memkit_oa grown", base);
	bench_range_churn(sh, live, pairs, live, MEMKIT_OA_PRIV, NULL, "memkit_oa +priv", base);
	bench_range_churn(sh, live, pairs, live, MEMKIT_OA_LOOKUP, NULL, "memkit_oa +lookup",
			  base);
	bench_range_churn(sh, live, pairs, 16, MEMKIT_OA_PRIV | MEMKIT_OA_LOOKUP, NULL,
			  "memkit_oa grown+both", base);
}

/*
 * The driver-shaped streams of the in-kernel benchmark: 16 B to 64 KiB
 * aligned to 4 KiB and 64 KiB at 4Ki live, and buffer objects of 4 KiB
 * to 64 MiB aligned to a page at 4Ki live, in 2^36 units.  memkit_oa with
 * no peer here (drm_mm runs in make bench): the aligned rows read against
 * the same sizes unaligned, the cost of alignment.
 */
static void bench_range_shapes(u64 pairs)
{
	static const struct range_shape shapes[] = {
		{ "aligned churn", RS_X16, 0, 1ULL << 36 },
		{ "aligned churn", RS_X16, 1 << 12, 1ULL << 36 },
		{ "aligned churn", RS_X16, 1 << 16, 1ULL << 36 },
	};
	static const struct range_shape mixed = { "mixed sizes churn", RS_MIXED, 1 << 12,
						  1ULL << 36 };
	unsigned int i;
	int base = NO_BASE, row;

	for (i = 0; i < ARRAY_SIZE(shapes); i++) {
		row = bench_range_churn(&shapes[i], 1 << 12, pairs, 1 << 12, 0, NULL, "memkit_oa",
					base);
		if (!i)
			base = row;
	}
	bench_range_churn(&mixed, 1 << 12, pairs, 1 << 12, 0, NULL, "memkit_oa", NO_BASE);
}

/*
 * Place churn: the same stream through memkit_oa_alloc_in() on an
 * allocator with every mode (MEMKIT_OA_PLACE | MEMKIT_OA_BEST_FIT), one
 * row per window and mode, then each mode but BEST on one without best
 * fit; each reads against the first FAST row (drm_mm cannot run here).
 */
static void bench_place_churn_all(u32 live, u64 pairs)
{
	static const struct {
		struct memkit_oa_req r;
		const char *name, *addr_name;
	} modes[] = {
		{ { .align = 1, .mode = MEMKIT_OA_FAST }, "place FAST", "place FAST no best fit" },
		{ { .align = 1, .end = 1ULL << 29, .mode = MEMKIT_OA_FAST }, "place FAST 1/4",
		  "place FAST 1/4 no best fit" },
		{ { .align = 1, .end = 1ULL << 29, .mode = MEMKIT_OA_LOW }, "place LOW 1/4",
		  "place LOW 1/4 no best fit" },
		{ { .align = 1, .mode = MEMKIT_OA_HIGH }, "place HIGH", "place HIGH no best fit" },
		{ { .align = 1, .mode = MEMKIT_OA_LOW }, "place LOW", "place LOW no best fit" },
		{ { .align = 1, .mode = MEMKIT_OA_BEST }, "place BEST", NULL },
	};
	unsigned int i;
	int base = NO_BASE, row;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		row = bench_range_churn(&RANGE_CHURN, live, pairs, live,
					MEMKIT_OA_PLACE | MEMKIT_OA_BEST_FIT, &modes[i].r,
					modes[i].name, base);
		if (!i)
			base = row;
	}
	for (i = 0; i < ARRAY_SIZE(modes); i++)
		if (modes[i].addr_name)
			bench_range_churn(&RANGE_CHURN, live, pairs, live, MEMKIT_OA_PLACE,
					  &modes[i].r, modes[i].addr_name, base);
}

/*
 * Best fit in a crowded window, the in-kernel "place best crowded" setup:
 * @holes free regions of 64 units below a 2^20-unit window whose only hole
 * is 1000 units.  Each pair allocates 32 units and frees them: by BEST in
 * the window, read against FAST over the whole range on the same allocator.
 */
static void bench_place_crowded(u32 holes, u64 pairs)
{
	const u64 win = (u64)holes * 128;
	struct memkit_oa_req r[2] = {
		{ .size = 32, .align = 1, .mode = MEMKIT_OA_FAST },
		{ .size = 32, .align = 1, .start = win, .mode = MEMKIT_OA_BEST },
	};
	static const char * const names[] = { "place FAST", "place BEST in window" };
	struct memkit_oa_handle *h = calloc(2 * holes + 1, sizeof(*h)), one;
	double t[2][BENCH_REPS];
	struct memkit_oa oa;
	unsigned int k, rep;
	char param[24];
	int base = NO_BASE;
	u64 i, t0;
	u32 j;

	if (!h || memkit_oa_init_flags(&oa, win + (1 << 20), 2 * holes + 2, 2 * holes + 2,
				       MEMKIT_OA_PLACE | MEMKIT_OA_BEST_FIT))
		goto out;
	for (j = 0; j < 2 * holes; j++)
		if (memkit_oa_alloc(&oa, 64, 1, &h[j]))
			goto exit;
	if (memkit_oa_reserve(&oa, win, (1 << 20) - 1000, &h[2 * holes]))
		goto exit;
	for (j = 0; j < 2 * holes; j += 2)
		memkit_oa_free(&oa, &h[j]);
	for (rep = 0; rep < BENCH_REPS; rep++) {
		for (k = 0; k < 2; k++) {
			t0 = now_ns();
			for (i = 0; i < pairs; i++) {
				if (memkit_oa_alloc_in(&oa, &r[k], &one))
					goto exit;
				sink += one.offset;
				memkit_oa_free(&oa, &one);
			}
			t[k][rep] = (double)(now_ns() - t0) / pairs;
		}
	}
	snprintf(param, sizeof(param), "%uKi holes outside", holes / 1024);
	for (k = 0; k < 2; k++) {
		int row = add_row("place best crowded", param, names[k], t[k], 0, base);

		if (!k)
			base = row;
	}
exit:
	memkit_oa_exit(&oa);
out:
	free(h);
}

/* Fixed-size refill in 10^6 units: fill, free every other, fill again. */
static void bench_refill(u64 size)
{
	const u32 max = 1000000;
	struct memkit_oa_handle *h = calloc(max, sizeof(*h));
	struct memkit_oa_usage u;
	struct memkit_oa oa;
	char param[24];
	u32 n = 0, i;

	if (!h || memkit_oa_init(&oa, 1000000, max))
		goto out;
	while (n < max && !memkit_oa_alloc(&oa, size, 1, &h[n]))
		n++;
	for (i = 0; i < n; i += 2)
		memkit_oa_free(&oa, &h[i]);
	for (i = 0; i < n; i += 2)
		if (memkit_oa_alloc(&oa, size, 1, &h[i]))
			break;
	memkit_oa_report(&oa, &u);
	snprintf(param, sizeof(param), "size %llu", size);
	add_row("fixed-size refill", param, "memkit_oa", NULL, 1.0 - (double)u.free / u.size,
		NO_BASE);
	memkit_oa_exit(&oa);
out:
	free(h);
}

/*
 * Maps: u64 -> u64 at 80 % of 2^bits slots, or the load given.  absl's
 * map is reserved for the same number of entries and picks its own
 * capacity: at 95 % of 2^16 that is 2^17 slots, over its 7/8 limit.
 */

/*
 * absl's hash class for an integer: the key plus a seed, one 64 x 64 ->
 * 128-bit multiply, the halves folded with xor.  Written here from that
 * description; the seed is the map's.
 */
static u64 mul128_hash(const void *key, u32 len, const siphash_key_t *seed)
{
	__uint128_t m = (__uint128_t)(*(const u64 *)key + seed->key[0]) *
			0x9e3779b97f4a7c15ULL;

	return (u64)(m >> 64) ^ (u64)m;
}

/* SipHash-2-4 keyed by the map's seed: the hash before hsiphash. */
static u64 sip24_hash(const void *key, u32 len, const siphash_key_t *seed)
{
	return siphash_1u64(*(const u64 *)key, seed);
}

static const struct memkit_hashmap_params MAP_HSIP = {
	.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
};

static const struct memkit_hashmap_params MAP_SIP24 = {
	.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
	.hash = sip24_hash,
};

static const struct memkit_hashmap_params MAP_MUL128 = {
	.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
	.hash = mul128_hash,
};

struct map_run {
	u32 bits, load;
	size_t n;		/* live keys: load % of the slots */
	u64 *keys, *hits, *misses, pairs;
	u32 *victim;		/* the churn's stream: whom each pair removes */
	u64 *fresh;		/* and the key it puts */
};

enum map_impl { MAP_MEMKIT_MUL128, MAP_MEMKIT_HSIP, MAP_MEMKIT_SIP24, MAP_ABSL, MAP_IMPLS };

static const char * const map_names[MAP_IMPLS] = {
	"memkit_hashmap", "memkit_hashmap", "memkit_hashmap", "absl::flat_hash_map",
};

/* Each row's hash; absl reads against memkit in its own class. */
static const char * const map_hashes[MAP_IMPLS] = {
	"mul128", "hsiphash (default)", "siphash-2-4", "absl::Hash (mul128)",
};

static __always_inline u64 memkit_lookups(struct memkit_hashmap *m, const u64 *keys, size_t n,
					  const struct memkit_hashmap_params p)
{
	u64 sum = 0, *v;
	size_t i;

	for (i = 0; i < n; i++) {
		v = memkit_hashmap_get_ptr(m, &keys[i], p);
		if (v)
			sum += *v;
	}
	return sum;
}

static __always_inline void memkit_churn(struct memkit_hashmap *m, u64 *live,
					 const struct map_run *r,
					 const struct memkit_hashmap_params p)
{
	u64 i;

	for (i = 0; i < r->pairs; i++) {
		u32 v = r->victim[i];

		memkit_hashmap_remove(m, &live[v], p);
		memkit_hashmap_put(m, &r->fresh[i], &i, p);
		live[v] = r->fresh[i];
	}
}

/* One impl, one rep: fill, then time hits, misses, churn, hits again. */
static __always_inline void map_rep(struct map_run *r, enum map_impl impl, double *out,
				    const struct memkit_hashmap_params p)
{
	size_t n = r->n, i;
	struct memkit_hashmap_layout l;
	struct memkit_hashmap m;
	struct absl_map *am = NULL;
	u64 *live = malloc(n * sizeof(*live));
	void *buf = NULL;
	u64 t0;

	memcpy(live, r->keys, n * sizeof(*live));
	if (impl == MAP_ABSL) {
		am = absl_map_create(n);
		absl_map_fill(am, live, n);
	} else {
		memkit_hashmap_layout_for_capacity(1U << r->bits, p, &l);
		buf = aligned_alloc(64, ALIGN(l.total, 64));
		memkit_hashmap_init(&m, buf, l.total, 1U << r->bits,
				    max_t(u32, r->load, MEMKIT_HASHMAP_DEFAULT_LOAD), p);
		for (i = 0; i < n; i++)
			memkit_hashmap_put(&m, &live[i], &i, p);
	}
#define TIMED(slot, expr, ops) do {				\
		t0 = now_ns();					\
		sink += (expr);					\
		out[slot] = (double)(now_ns() - t0) / (ops);	\
	} while (0)
	if (impl == MAP_ABSL) {
		TIMED(0, absl_map_lookups(am, r->hits, n), n);
		TIMED(1, absl_map_lookups(am, r->misses, n), n);
		TIMED(2, (absl_map_churn(am, live, r->pairs, r->victim, r->fresh), 0), r->pairs);
		TIMED(3, absl_map_lookups(am, live, n), n);
		absl_map_destroy(am);
	} else {
		TIMED(0, memkit_lookups(&m, r->hits, n, p), n);
		TIMED(1, memkit_lookups(&m, r->misses, n, p), n);
		TIMED(2, (memkit_churn(&m, live, r, p), 0), r->pairs);
		TIMED(3, memkit_lookups(&m, live, n, p), n);
		free(buf);
	}
#undef TIMED
	free(live);
}

/* The row's parameter: the slots, the load unless the default, @churn_x. */
static void map_param(char *buf, size_t len, u32 bits, u32 load, u64 churn_x)
{
	int n = snprintf(buf, len, "2^%u", bits);

	if (load != MEMKIT_HASHMAP_DEFAULT_LOAD)
		n += snprintf(buf + n, len - n, " %u%%", load);
	if (churn_x)
		snprintf(buf + n, len - n, " %ux cap", (unsigned int)churn_x);
}

static void bench_maps(u32 bits, u32 load, u64 pair_factor)
{
	static const char * const what[] = {
		"map lookup hit", "map lookup miss", "map churn", "map hit after churn",
	};
	double t[MAP_IMPLS][4][BENCH_REPS], out[4];
	struct map_run r = { .bits = bits, .load = load, .n = (1ULL << bits) * load / 100 };
	u64 s = BENCH_SEED ^ bits;
	char param[40];
	int impl, rep, w;
	size_t i;

	r.pairs = pair_factor * scale << bits;
	r.keys = malloc(r.n * sizeof(u64));
	r.hits = malloc(r.n * sizeof(u64));
	r.misses = malloc(r.n * sizeof(u64));
	for (i = 0; i < r.n; i++) {
		r.keys[i] = bench_next(&s);
		r.misses[i] = bench_next(&s);
	}
	/* Present keys in a random order (Fisher-Yates). */
	memcpy(r.hits, r.keys, r.n * sizeof(u64));
	for (i = r.n - 1; i > 0; i--)
		swap(r.hits[i], r.hits[bench_below(&s, i + 1)]);
	r.victim = bench_stream(&s, r.n, r.pairs, &r.fresh, draw_key, 0);
	if (!r.victim)
		goto out;

	for (rep = 0; rep < BENCH_REPS; rep++) {
		for (impl = 0; impl < MAP_IMPLS; impl++) {
			if (impl == MAP_MEMKIT_MUL128)
				map_rep(&r, impl, out, MAP_MUL128);
			else if (impl == MAP_MEMKIT_SIP24)
				map_rep(&r, impl, out, MAP_SIP24);
			else
				map_rep(&r, impl, out, MAP_HSIP);
			for (w = 0; w < 4; w++)
				t[impl][w][rep] = out[w];
		}
	}
	/* Bytes per entry, with its 16 bytes of key and value. */
	{
		struct memkit_hashmap_layout l;
		struct absl_map *am = absl_map_create(r.n);

		absl_map_fill(am, r.keys, r.n);
		memkit_hashmap_layout_for_capacity(1U << bits, MAP_HSIP, &l);
		map_param(param, sizeof(param), bits, load, 0);
		add_row_bytes("map footprint", param, "memkit_hashmap", (double)l.total / r.n);
		add_row_bytes("map footprint", param, "absl::flat_hash_map",
			      (double)absl_map_bytes(am) / r.n);
		absl_map_destroy(am);
	}
	for (w = 0; w < 4; w++) {
		int base = NO_BASE, row;

		map_param(param, sizeof(param), bits, load, w == 2 ? pair_factor * scale : 0);
		for (impl = 0; impl < MAP_IMPLS; impl++) {
			row = add_row_hash(what[w], param, map_names[impl], map_hashes[impl],
					   t[impl][w], 0, base);
			if (!impl)
				base = row;
		}
	}
out:
	free(r.victim);
	free(r.fresh);
	free(r.keys);
	free(r.hits);
	free(r.misses);
}

/* Pool: alloc+free pairs of a 64-byte object with 1Ki live. */
static void bench_pool(u64 pairs)
{
	enum { LIVE = 1024 };
	double t[2][BENCH_REPS];
	void *objs[LIVE];
	int which, rep;
	u64 s = BENCH_SEED;
	u32 *victim = bench_stream(&s, LIVE, pairs, NULL, NULL, 0);

	for (rep = 0; victim && rep < BENCH_REPS; rep++) {
		for (which = 0; which < 2; which++) {
			struct memkit_pool p;
			u64 i, t0;

			if (!which && memkit_pool_init(&p, &ut_malloc_allocator, 64, 0,
						       MEMKIT_POOL_BUMP))
				goto out;
			for (i = 0; i < LIVE; i++)
				objs[i] = which ? malloc(64) : memkit_pool_alloc(&p, GFP_KERNEL);
			t0 = now_ns();
			for (i = 0; i < pairs; i++) {
				u32 v = victim[i];

				if (which) {
					free(objs[v]);
					objs[v] = malloc(64);
				} else {
					memkit_pool_free(&p, objs[v]);
					objs[v] = memkit_pool_alloc(&p, GFP_KERNEL);
				}
				*(u64 *)objs[v] = i;
			}
			t[which][rep] = (double)(now_ns() - t0) / pairs;
			for (i = 0; i < LIVE; i++) {
				if (which)
					free(objs[i]);
				else
					memkit_pool_free(&p, objs[i]);
			}
			if (!which)
				memkit_pool_exit(&p);
		}
	}
	add_row("pool alloc+free", "64 B 1Ki live", "glibc malloc/free", t[1], 0,
		add_row("pool alloc+free", "64 B 1Ki live", "memkit_pool", t[0], 0, NO_BASE));
out:
	free(victim);
}

/*
 * Arena: rounds of 1000 allocations of 16..256 bytes then a reset that
 * keeps the capacity, through the allocator interface (memkit_alloc())
 * and directly (memkit_arena_alloc()), against malloc and free of the
 * same lengths; glibc reads against the interface row.
 */
enum { ARENA_OPS, ARENA_DIRECT, ARENA_GLIBC, ARENA_NR };

static void bench_arena(u64 rounds)
{
	static const char * const names[ARENA_NR] = {
		"memkit_arena", "memkit_arena direct", "glibc malloc/free",
	};
	enum { N = 1000 };
	double t[ARENA_NR][BENCH_REPS];
	u16 *lens = malloc(rounds * N * sizeof(*lens));
	void *ptrs[N];
	int which, rep, base;
	u64 s = BENCH_SEED, r;

	for (r = 0; lens && r < rounds * N; r++)
		lens[r] = 16 + bench_below(&s, 241);
	for (rep = 0; lens && rep < BENCH_REPS; rep++) {
		for (which = 0; which < ARENA_NR; which++) {
			const u16 *len = lens;
			struct memkit_allocator a;
			struct memkit_arena ar;
			u64 t0;
			u32 i;

			if (memkit_arena_init(&ar, &ut_malloc_allocator, MEMKIT_ARENA_BUMP))
				goto out;
			a = memkit_arena_allocator(&ar);
			t0 = now_ns();
			for (r = 0; r < rounds; r++, len += N) {
				for (i = 0; i < N; i++) {
					if (which == ARENA_GLIBC)
						ptrs[i] = malloc(len[i]);
					else if (which == ARENA_DIRECT)
						ptrs[i] = memkit_arena_alloc(&ar, len[i], 8,
									     GFP_KERNEL);
					else
						ptrs[i] = memkit_alloc(&a, len[i], 8, GFP_KERNEL);
					*(u8 *)ptrs[i] = i;
				}
				if (which == ARENA_GLIBC)
					for (i = 0; i < N; i++)
						free(ptrs[i]);
				else
					memkit_arena_reset(&ar, MEMKIT_ARENA_RETAIN_CAPACITY, 0,
							   GFP_KERNEL);
			}
			t[which][rep] = (double)(now_ns() - t0) / (rounds * N);
			memkit_arena_exit(&ar);
		}
	}
	base = add_row("arena alloc + reset", "1000 x 16..256 B", names[ARENA_OPS],
		       t[ARENA_OPS], 0, NO_BASE);
	for (which = ARENA_DIRECT; which < ARENA_NR; which++)
		add_row("arena alloc + reset", "1000 x 16..256 B", names[which], t[which], 0,
			base);
out:
	free(lens);
}

#define TAIL_OPS	1000000U
#define TAIL_ROWS	16

struct tail_row {
	const char *workload, *op;
	double ns[4];	/* p50, p99, p99.9, max */
	u32 over_10us;	/* operations that took longer */
};

static struct tail_row tail_rows[TAIL_ROWS];
static unsigned int nr_tail;
static double tsc_ns;	/* ns per TSC tick */
static u32 *tail_a, *tail_b;	/* the ticks of each operation, two kinds */

static void tsc_calibrate(void)
{
	u64 t0 = now_ns(), c0 = bench_tsc();

	while (now_ns() - t0 < 50000000)
		;
	tsc_ns = (double)(now_ns() - t0) / (bench_tsc() - c0);
}

static int u32_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static void tail_add(const char *workload, const char *op, u32 *ticks, u32 n)
{
	static const double q[3] = { 0.50, 0.99, 0.999 };
	struct tail_row *r = &tail_rows[nr_tail++];
	int i;

	u32 k;

	qsort(ticks, n, sizeof(*ticks), u32_cmp);
	*r = (struct tail_row){ .workload = workload, .op = op };
	for (i = 0; i < 3; i++)
		r->ns[i] = ticks[(u32)(q[i] * (n - 1))] * tsc_ns;
	r->ns[3] = ticks[n - 1] * tsc_ns;
	for (k = n; k && ticks[k - 1] * tsc_ns > 10000; k--)
		r->over_10us++;
}

static void tail_timer(void)
{
	u32 i;

	for (i = 0; i < TAIL_OPS; i++) {
		u64 c = bench_tsc();

		tail_a[i] = bench_ticks_since(c);
	}
	tail_add("timer", "two TSC reads", tail_a, TAIL_OPS);
}

static void tail_range(void)
{
	const u32 live = 1 << 16;
	struct memkit_oa_handle *h = calloc(live, sizeof(*h));
	struct memkit_oa oa;
	u64 s = BENCH_SEED, c;
	u32 i;

	if (!h || memkit_oa_init(&oa, 1ULL << 31, live))
		goto out;
	for (i = 0; i < live; i++)
		memkit_oa_alloc(&oa, bench_size(&s, RS_SMALL), 1, &h[i]);
	for (i = 0; i < 3 * live; i++) {	/* to the steady state */
		u32 v = bench_below(&s, live);

		memkit_oa_free(&oa, &h[v]);
		memkit_oa_alloc(&oa, bench_size(&s, RS_SMALL), 1, &h[v]);
	}
	for (i = 0; i < TAIL_OPS; i++) {
		u32 v = bench_below(&s, live);
		u64 size = bench_size(&s, RS_SMALL);

		c = bench_tsc();
		memkit_oa_free(&oa, &h[v]);
		tail_a[i] = bench_ticks_since(c);
		c = bench_tsc();
		sink += memkit_oa_alloc(&oa, size, 1, &h[v]);
		tail_b[i] = bench_ticks_since(c);
	}
	tail_add("range churn 64Ki live", "memkit_oa_free", tail_a, TAIL_OPS);
	tail_add("range churn 64Ki live", "memkit_oa_alloc", tail_b, TAIL_OPS);
	memkit_oa_exit(&oa);
out:
	free(h);
}

static __always_inline void tail_map(const char *workload, const struct memkit_hashmap_params p)
{
	const u32 bits = 16, n = (1U << bits) * 8 / 10;
	u64 *live = malloc(n * sizeof(*live)), s = BENCH_SEED, c, i;
	struct memkit_hashmap_layout l;
	struct memkit_hashmap m;
	void *buf = NULL;

	if (!live || memkit_hashmap_layout_for_capacity(1U << bits, p, &l))
		goto out;
	buf = aligned_alloc(64, ALIGN(l.total, 64));
	if (!buf || memkit_hashmap_init(&m, buf, l.total, 1U << bits, 80, p))
		goto out;
	for (i = 0; i < n; i++) {
		live[i] = bench_next(&s);
		memkit_hashmap_put(&m, &live[i], &i, p);
	}
	for (i = 0; i < 3ULL * n; i++) {	/* past the fill's layout */
		u32 v = bench_below(&s, n);

		memkit_hashmap_remove(&m, &live[v], p);
		live[v] = bench_next(&s);
		memkit_hashmap_put(&m, &live[v], &i, p);
	}
	for (i = 0; i < TAIL_OPS; i++) {
		u32 v = bench_below(&s, n);
		u64 key = bench_next(&s);

		c = bench_tsc();
		sink += memkit_hashmap_remove(&m, &live[v], p);
		tail_a[i] = bench_ticks_since(c);
		live[v] = key;
		c = bench_tsc();
		sink += memkit_hashmap_put(&m, &live[v], &i, p);
		tail_b[i] = bench_ticks_since(c);
	}
	tail_add(workload, "remove", tail_a, TAIL_OPS);
	tail_add(workload, "insert", tail_b, TAIL_OPS);
	for (i = 0; i < TAIL_OPS; i++) {
		const u64 *k = &live[bench_below(&s, n)];

		c = bench_tsc();
		sink += !!memkit_hashmap_get_ptr(&m, k, p);
		tail_a[i] = bench_ticks_since(c);
	}
	tail_add(workload, "lookup hit", tail_a, TAIL_OPS);
out:
	free(buf);
	free(live);
}

/*
 * absl's map through the same churn at 2^16 (80 %), for the tail of the
 * peer: its erase marks the slot empty, or leaves a tombstone where a
 * probe may have passed a full group, and when tombstones use up its
 * room an insert rehashes the table in place, which would show here as
 * operations over 10 us.
 */
static void tail_absl(void)
{
	const u32 n = (1U << 16) * 8 / 10;
	u64 *live = malloc(n * sizeof(*live)), s = BENCH_SEED, *fresh = NULL;
	struct absl_map *am = absl_map_create(n);
	u32 i, *victim = NULL;

	if (!live)
		goto out;
	for (i = 0; i < n; i++)
		live[i] = bench_next(&s);
	absl_map_fill(am, live, n);
	victim = bench_stream(&s, n, 3ULL * n, &fresh, draw_key, 0);
	if (!victim)
		goto out;
	absl_map_churn(am, live, 3ULL * n, victim, fresh);	/* past the fill's layout */
	absl_map_churn_ticks(am, live, n, TAIL_OPS, s + 1, tail_a, tail_b);
	tail_add("map 2^16 absl", "erase", tail_a, TAIL_OPS);
	tail_add("map 2^16 absl", "insert", tail_b, TAIL_OPS);
out:
	absl_map_destroy(am);
	free(victim);
	free(fresh);
	free(live);
}

static void tail_pool(void)
{
	enum { LIVE = 1024 };
	void *objs[LIVE];
	struct memkit_pool p;
	u64 s = BENCH_SEED, c;
	u32 i;

	if (memkit_pool_init(&p, &ut_malloc_allocator, 64, 0, MEMKIT_POOL_BUMP))
		return;
	for (i = 0; i < LIVE; i++)
		objs[i] = memkit_pool_alloc(&p, GFP_KERNEL);
	for (i = 0; i < TAIL_OPS; i++) {
		u32 v = bench_below(&s, LIVE);

		c = bench_tsc();
		memkit_pool_free(&p, objs[v]);
		tail_a[i] = bench_ticks_since(c);
		c = bench_tsc();
		objs[v] = memkit_pool_alloc(&p, GFP_KERNEL);
		tail_b[i] = bench_ticks_since(c);
	}
	tail_add("pool 64 B 1Ki live", "memkit_pool_free", tail_a, TAIL_OPS);
	tail_add("pool 64 B 1Ki live", "memkit_pool_alloc", tail_b, TAIL_OPS);
	for (i = 0; i < LIVE; i++)
		memkit_pool_free(&p, objs[i]);
	memkit_pool_exit(&p);
}

static void bench_tail(const char *csv_path)
{
	FILE *csv = csv_path ? fopen(csv_path, "w") : NULL;
	unsigned int i;

	tail_a = malloc(TAIL_OPS * sizeof(u32));
	tail_b = malloc(TAIL_OPS * sizeof(u32));
	if (!tail_a || !tail_b)
		goto out;
	tsc_calibrate();
	tail_timer();
	tail_range();
	tail_map("map 2^16 mul128", MAP_MUL128);
	tail_map("map 2^16 hsiphash", MAP_HSIP);
	tail_absl();
	tail_pool();
	printf("\ntail latency, ns per operation (%u operations each, TSC at %.3f ns/tick)\n",
	       TAIL_OPS, tsc_ns);
	printf("%-28s %-20s %9s %9s %9s %9s %9s\n", "workload", "operation", "p50", "p99",
	       "p99.9", "max", ">10us");
	if (csv)
		fprintf(csv, "workload,operation,p50_ns,p99_ns,p999_ns,max_ns,over_10us\n");
	for (i = 0; i < nr_tail; i++) {
		const struct tail_row *r = &tail_rows[i];

		printf("%-28s %-20s %9.1f %9.1f %9.1f %9.1f %9u\n", r->workload, r->op, r->ns[0],
		       r->ns[1], r->ns[2], r->ns[3], r->over_10us);
		if (csv)
			fprintf(csv, "%s,%s,%.1f,%.1f,%.1f,%.1f,%u\n", r->workload, r->op,
				r->ns[0], r->ns[1], r->ns[2], r->ns[3], r->over_10us);
	}
out:
	if (csv)
		fclose(csv);
	free(tail_a);
	free(tail_b);
}

/* The table, and the CSV in the in-kernel benchmark's columns. */
static void report(const char *csv_path)
{
	FILE *csv = csv_path ? fopen(csv_path, "w") : NULL;
	unsigned int i;

	if (csv_path && !csv)
		perror(csv_path);
	printf("\nns per operation, min/median/max of %d runs.  x base: this row's median over\n"
	       "its base row's (memkit in the same hash class); above 1 means memkit is faster.\n",
	       BENCH_REPS);
	printf("%-24s %-18s %-22s %-20s %9s %9s %9s %7s %7s\n", "workload", "param", "impl",
	       "hash", "min", "median", "max", "x base", "util");
	if (csv) {
		fputs("workload,param,impl,hash,ns_min,ns_median,ns_max,base_impl,", csv);
		fputs("median_over_base,utilisation,bytes_per_item\n", csv);
	}
	for (i = 0; i < nr_rows; i++) {
		const struct row *r = &rows[i];
		const struct row *b = r->base == NO_BASE ? NULL : &rows[r->base];
		double ratio = b && b->ns[1] ? r->ns[1] / b->ns[1] : 0;

		printf("%-24s %-18s %-22s %-20s", r->workload, r->param, r->impl, r->hash ?: "");
		if (r->ns[1])
			printf(" %9.2f %9.2f %9.2f", r->ns[0], r->ns[1], r->ns[2]);
		else
			printf(" %9s %9s %9s", "", "", "");
		if (ratio)
			printf(" %7.2f", ratio);
		else
			printf(" %7s", "");
		if (r->util)
			printf(" %7.4f", r->util);
		if (r->bytes)
			printf(" %7.1f B", r->bytes);
		printf("\n");
		if (!csv)
			continue;
		fprintf(csv, "%s,%s,%s,%s,", r->workload, r->param, r->impl, r->hash ?: "");
		if (r->ns[1])
			fprintf(csv, "%.2f,%.2f,%.2f,", r->ns[0], r->ns[1], r->ns[2]);
		else
			fprintf(csv, ",,,");
		fprintf(csv, "%s,", b ? b->impl : "");
		if (ratio)
			fprintf(csv, "%.3f", ratio);
		fprintf(csv, ",");
		if (r->util)
			fprintf(csv, "%.4f", r->util);
		fprintf(csv, ",");
		if (r->bytes)
			fprintf(csv, "%.1f", r->bytes);
		fprintf(csv, "\n");
	}
	if (csv)
		fclose(csv);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	if (cpu < 0) {	/* default: the last CPU this process may use */
		sched_getaffinity(0, sizeof(set), &set);
		for (cpu = CPU_SETSIZE - 1; cpu > 0 && !CPU_ISSET(cpu, &set); cpu--)
			;
		CPU_ZERO(&set);
	}
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("sched_setaffinity");
	else
		printf("bench_native: pinned to CPU %d, median of %d runs, scale %u\n", cpu,
		       BENCH_REPS, scale);
}

static bool want(const char *part)
{
	return !only || !strcmp(only, part);
}

int main(int argc, char **argv)
{
	const char *csv = NULL, *tail_csv = NULL;
	int cpu = -1, c;

	while ((c = getopt(argc, argv, "o:t:c:s:w:")) != -1) {
		if (c == 'o')
			csv = optarg;
		else if (c == 't')
			tail_csv = optarg;
		else if (c == 'w')
			only = optarg;
		else if (c == 'c')
			cpu = atoi(optarg);
		else if (c == 's')
			scale = max(1, atoi(optarg));
		else
			return 2;
	}
	memkit_poison = false;
	pin(cpu);
	if (want("range")) {
		bench_range_churn_all(1 << 10, 2000000ULL * scale);
		bench_range_churn_all(1 << 16, 2000000ULL * scale);
		bench_range_churn_all(1 << 20, 2000000ULL * scale);
		bench_range_shapes(2000000ULL * scale);
	}
	if (want("place")) {
		bench_place_churn_all(1 << 10, 2000000ULL * scale);
		bench_place_churn_all(1 << 16, 2000000ULL * scale);
		bench_place_crowded(1 << 10, 200000ULL * scale);
		bench_place_crowded(1 << 16, 200000ULL * scale);
	}
	if (want("refill")) {
		bench_refill(1000);
		bench_refill(1024);
		bench_refill(3000);
		bench_refill(4097);
	}
	if (want("map")) {
		bench_maps(10, 80, 1000);
		bench_maps(16, 80, 100);
		bench_maps(16, 50, 100);
		bench_maps(16, 95, 100);
		bench_maps(20, 80, 10);
	}
	if (want("pool"))
		bench_pool(10000000ULL * scale);
	if (want("arena"))
		bench_arena(2000ULL * scale);
	report(csv);
	if (want("tail"))
		bench_tail(tail_csv);
	printf("checksum %llu\n", sink);
	return 0;
}
