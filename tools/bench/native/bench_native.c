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
 * Usage: bench_native [-o results.csv] [-c cpu] [-s scale] [-w part]
 *	scale multiplies every operation count (default 1); part limits the
 *	run to one of range, place, refill, map, pool, arena.
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
#define BENCH_ROWS	96

struct row {
	const char *workload, *impl;
	char param[24];
	double ns, util;
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

static double median(double *v)
{
	qsort(v, BENCH_REPS, sizeof(*v), double_cmp);
	return v[BENCH_REPS / 2];
}

static void add_row(const char *workload, const char *param, const char *impl,
		    double ns, double util)
{
	struct row *r = &rows[nr_rows++];

	*r = (struct row){ .workload = workload, .impl = impl, .ns = ns, .util = util };
	snprintf(r->param, sizeof(r->param), "%s", param);
	printf("  %-22s %-16s %-22s %10.2f ns\n", workload, param, impl, ns);
	fflush(stdout);
}

/* A size log-uniform in [1, 4096], as the range churn workload defines. */
static u64 bench_size(u64 *s)
{
	return 1 + bench_below(s, 2ULL << bench_below(s, 12));
}

/* memkit_oa_alloc(), or memkit_oa_alloc_in() with @tmpl's window and mode. */
static int bench_oa_try(struct memkit_oa *oa, u64 size, const struct memkit_oa_req *tmpl,
			struct memkit_oa_handle *h)
{
	struct memkit_oa_req r;

	if (!tmpl)
		return memkit_oa_alloc(oa, size, 1, h);
	r = *tmpl;
	r.size = size;
	return memkit_oa_alloc_in(oa, &r, h);
}

/*
 * An allocation that may find the node storage short (a growable
 * allocator): add a segment, as a caller does outside its lock, and retry.
 */
static int bench_oa_alloc(struct memkit_oa *oa, u64 size, const struct memkit_oa_req *tmpl,
			  struct memkit_oa_handle *h)
{
	int ret = bench_oa_try(oa, size, tmpl, h);
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
	return bench_oa_try(oa, size, tmpl, h);
}

/*
 * Range churn: memkit_oa over 2^31 units with @live allocations.  @initial
 * below @live makes a growable allocator, grown during the prefill (its
 * nodes are then spread over segments); @flags adds the private pointer,
 * set after each allocation as a driver would, and the index by offset.
 * With @tmpl, every allocation is memkit_oa_alloc_in() with its window and
 * mode (the "place churn" rows).
 */
static void bench_range_churn(u32 live, u64 pairs, u32 initial, unsigned int flags,
			      const struct memkit_oa_req *tmpl, const char *impl)
{
	struct memkit_oa_handle *h = calloc(live, sizeof(*h));
	double t[BENCH_REPS];
	char param[24];
	int rep;

	for (rep = 0; rep < BENCH_REPS; rep++) {
		struct memkit_oa oa;
		u64 s = BENCH_SEED, i, t0, failed = 0;

		if (!h || memkit_oa_init_flags(&oa, 1ULL << 31, initial, live, flags))
			goto out;
		for (i = 0; i < live; i++) {
			failed += !!bench_oa_alloc(&oa, bench_size(&s), tmpl, &h[i]);
			if (flags & MEMKIT_OA_PRIV)
				memkit_oa_set_priv(&oa, &h[i], &h[i]);
		}
		t0 = now_ns();
		for (i = 0; i < pairs; i++) {
			u32 v = bench_below(&s, live);

			memkit_oa_free(&oa, &h[v]);
			failed += !!bench_oa_alloc(&oa, bench_size(&s), tmpl, &h[v]);
			if (flags & MEMKIT_OA_PRIV)
				memkit_oa_set_priv(&oa, &h[v], &h[v]);
		}
		t[rep] = (double)(now_ns() - t0) / pairs;
		memkit_oa_exit(&oa);
		if (failed)
			printf("range churn: %llu allocations failed\n", failed);
	}
	snprintf(param, sizeof(param), "%uKi live", live >> 10);
	add_row(tmpl ? "place churn" : "range churn", param, impl, median(t), 0);
out:
	free(h);
}

/* The plain allocator, then the cost of each option as its own row. */
static void bench_range_churn_all(u32 live, u64 pairs)
{
	bench_range_churn(live, pairs, live, 0, NULL, "memkit_oa");
	bench_range_churn(live, pairs, 16, 0, NULL, "memkit_oa grown");
	bench_range_churn(live, pairs, live, MEMKIT_OA_PRIV, NULL, "memkit_oa +priv");
	bench_range_churn(live, pairs, live, MEMKIT_OA_LOOKUP, NULL, "memkit_oa +lookup");
	bench_range_churn(live, pairs, 16, MEMKIT_OA_PRIV | MEMKIT_OA_LOOKUP, NULL,
			  "memkit_oa grown+both");
}

/*
 * Place churn: the same stream through memkit_oa_alloc_in() on an
 * allocator with MEMKIT_OA_PLACE, one row per window and mode; each reads
 * against the FAST row of the same allocator (drm_mm cannot run here).
 */
static void bench_place_churn_all(u32 live, u64 pairs)
{
	static const struct {
		struct memkit_oa_req r;
		const char *name;
	} modes[] = {
		{ { .align = 1, .mode = MEMKIT_OA_FAST }, "place FAST" },
		{ { .align = 1, .end = 1ULL << 29, .mode = MEMKIT_OA_FAST }, "place FAST 1/4" },
		{ { .align = 1, .end = 1ULL << 29, .mode = MEMKIT_OA_LOW }, "place LOW 1/4" },
		{ { .align = 1, .mode = MEMKIT_OA_HIGH }, "place HIGH" },
		{ { .align = 1, .mode = MEMKIT_OA_LOW }, "place LOW" },
		{ { .align = 1, .mode = MEMKIT_OA_BEST }, "place BEST" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(modes); i++)
		bench_range_churn(live, pairs, live, MEMKIT_OA_PLACE, &modes[i].r, modes[i].name);
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
	add_row("fixed-size refill", param, "memkit_oa", 0, 1.0 - (double)u.free / u.size);
	memkit_oa_exit(&oa);
out:
	free(h);
}

/* Maps: u64 -> u64 at 80 % of 2^bits slots. */

/* murmur3's finaliser: a cheap full-avalanche hash for trusted keys. */
static u64 fmix64(const void *key, u32 len, const siphash_key_t *seed)
{
	u64 k = *(const u64 *)key;

	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	return k ^ (k >> 33);
}

static const struct memkit_hashmap_params MAP_SIP = {
	.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
};

static const struct memkit_hashmap_params MAP_FMIX = {
	.key_size = 8, .key_align = 8, .value_size = 8, .value_align = 8,
	.hash = fmix64,
};

struct map_run {
	u32 bits;
	size_t n;		/* live keys: 80 % of the slots */
	u64 *keys, *hits, *misses, pairs;
};

enum map_impl { MAP_MEMKIT_SIP, MAP_MEMKIT_FMIX, MAP_ABSL, MAP_IMPLS };

static const char * const map_names[MAP_IMPLS] = {
	"memkit_hashmap", "memkit_hashmap+fmix64", "absl::flat_hash_map",
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

static __always_inline void memkit_churn(struct memkit_hashmap *m, u64 *live, size_t n,
					 u64 pairs, u64 seed, const struct memkit_hashmap_params p)
{
	u64 i;

	for (i = 0; i < pairs; i++) {
		size_t victim = bench_below(&seed, n);
		u64 key = bench_next(&seed);

		memkit_hashmap_remove(m, &live[victim], p);
		memkit_hashmap_put(m, &key, &i, p);
		live[victim] = key;
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
				    MEMKIT_HASHMAP_DEFAULT_LOAD, p);
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
		TIMED(2, (absl_map_churn(am, live, n, r->pairs, BENCH_SEED), 0), r->pairs);
		TIMED(3, absl_map_lookups(am, live, n), n);
		absl_map_destroy(am);
	} else {
		TIMED(0, memkit_lookups(&m, r->hits, n, p), n);
		TIMED(1, memkit_lookups(&m, r->misses, n, p), n);
		TIMED(2, (memkit_churn(&m, live, n, r->pairs, BENCH_SEED, p), 0), r->pairs);
		TIMED(3, memkit_lookups(&m, live, n, p), n);
		free(buf);
	}
#undef TIMED
	free(live);
}

static void bench_maps(u32 bits, u64 pair_factor)
{
	static const char * const what[] = {
		"map lookup hit", "map lookup miss", "map churn", "map lookup hit, churned",
	};
	double t[MAP_IMPLS][4][BENCH_REPS], out[4];
	struct map_run r = { .bits = bits, .n = (1ULL << bits) * 8 / 10 };
	u64 s = BENCH_SEED ^ bits;
	char param[24];
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

	for (rep = 0; rep < BENCH_REPS; rep++) {
		for (impl = 0; impl < MAP_IMPLS; impl++) {
			if (impl == MAP_MEMKIT_FMIX)
				map_rep(&r, impl, out, MAP_FMIX);
			else
				map_rep(&r, impl, out, MAP_SIP);
			for (w = 0; w < 4; w++)
				t[impl][w][rep] = out[w];
		}
	}
	for (w = 0; w < 4; w++) {
		if (w == 2)
			snprintf(param, sizeof(param), "2^%u, %llux cap", bits,
				 pair_factor * scale);
		else
			snprintf(param, sizeof(param), "2^%u", bits);
		for (impl = 0; impl < MAP_IMPLS; impl++)
			add_row(what[w], param, map_names[impl], median(t[impl][w]), 0);
	}
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

	for (rep = 0; rep < BENCH_REPS; rep++) {
		for (which = 0; which < 2; which++) {
			struct memkit_pool p;
			u64 s = BENCH_SEED, i, t0;

			if (!which && memkit_pool_init(&p, &ut_malloc_allocator, 64, 0,
						       MEMKIT_POOL_BUMP))
				return;
			for (i = 0; i < LIVE; i++)
				objs[i] = which ? malloc(64) : memkit_pool_alloc(&p, GFP_KERNEL);
			t0 = now_ns();
			for (i = 0; i < pairs; i++) {
				u32 v = bench_below(&s, LIVE);

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
	add_row("pool alloc+free", "64 B, 1Ki live", "memkit_pool", median(t[0]), 0);
	add_row("pool alloc+free", "64 B, 1Ki live", "glibc malloc/free", median(t[1]), 0);
}

/* Arena: 1000 allocations of 16..256 bytes, then reset(retain_capacity). */
static void bench_arena(u64 rounds)
{
	enum { N = 1000 };
	double t[2][BENCH_REPS];
	void *ptrs[N];
	int which, rep;

	for (rep = 0; rep < BENCH_REPS; rep++) {
		for (which = 0; which < 2; which++) {
			struct memkit_allocator a;
			struct memkit_arena ar;
			u64 s = BENCH_SEED, r, t0;
			u32 i;

			if (memkit_arena_init(&ar, &ut_malloc_allocator, MEMKIT_ARENA_BUMP))
				return;
			a = memkit_arena_allocator(&ar);
			t0 = now_ns();
			for (r = 0; r < rounds; r++) {
				for (i = 0; i < N; i++) {
					size_t len = 16 + bench_below(&s, 241);

					ptrs[i] = which ? malloc(len) :
						  memkit_alloc(&a, len, 8, GFP_KERNEL);
					*(u8 *)ptrs[i] = i;
				}
				if (which)
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
	add_row("arena alloc + reset", "1000 x 16..256 B", "memkit_arena", median(t[0]), 0);
	add_row("arena alloc + reset", "1000 x 16..256 B", "glibc malloc/free", median(t[1]), 0);
}

/* The first row of the same workload and parameter: memkit's, for ratios. */
static const struct row *base_of(const struct row *r)
{
	const struct row *b;

	for (b = rows; b < r; b++)
		if (!strcmp(b->workload, r->workload) && !strcmp(b->param, r->param))
			return b;
	return r;
}

static void report(const char *csv_path)
{
	FILE *csv = csv_path ? fopen(csv_path, "w") : NULL;
	unsigned int i;

	if (csv_path && !csv)
		perror(csv_path);
	printf("\n%-24s %-18s %-22s %10s %9s %7s\n", "workload", "param", "impl", "ns/op",
	       "vs memkit", "util");
	if (csv)
		fprintf(csv, "workload,param,impl,ns_per_op,vs_memkit,utilisation\n");
	for (i = 0; i < nr_rows; i++) {
		const struct row *r = &rows[i], *b = base_of(r);
		double ratio = r->ns && b->ns ? r->ns / b->ns : 0;

		printf("%-24s %-18s %-22s", r->workload, r->param, r->impl);
		if (r->ns)
			printf(" %10.2f %9.2f", r->ns, ratio);
		else
			printf(" %10s %9s", "", "");
		if (r->util)
			printf(" %7.4f", r->util);
		printf("\n");
		if (csv)
			fprintf(csv, "%s,%s,%s,%.2f,%.3f,%.4f\n", r->workload, r->param, r->impl,
				r->ns, ratio, r->util);
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
	const char *csv = NULL;
	int cpu = -1, c;

	while ((c = getopt(argc, argv, "o:c:s:w:")) != -1) {
		if (c == 'o')
			csv = optarg;
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
	}
	if (want("place")) {
		bench_place_churn_all(1 << 10, 2000000ULL * scale);
		bench_place_churn_all(1 << 16, 2000000ULL * scale);
	}
	if (want("refill")) {
		bench_refill(1000);
		bench_refill(1024);
		bench_refill(3000);
		bench_refill(4097);
	}
	if (want("map")) {
		bench_maps(16, 100);
		bench_maps(20, 10);
	}
	if (want("pool"))
		bench_pool(10000000ULL * scale);
	if (want("arena"))
		bench_arena(2000ULL * scale);
	report(csv);
	printf("checksum %llu\n", sink);
	return 0;
}
