// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_oa against a model, natively, under
 * ASan/UBSan.
 *
 * Random allocations (log-uniform sizes, random power-of-two alignments),
 * reservations at random offsets, frees (by handle and by start offset),
 * in-place resizes, extensions of the range, node storage growth, resets
 * and bad handles, checked against a model that holds every live
 * allocation:
 *  - every result: offsets aligned, reservations where asked, the size
 *    memkit_oa_alloc_size() reports, the free total memkit_oa_report()
 *    gives, bad and stale handles refused with -EINVAL and a warning
 *    (stale ones even when their node and offset are live again), a
 *    resize that succeeds exactly when the model has room after it;
 *  - every -ENOSPC from an allocation: no gap in the model could have
 *    held the request (every refusal is checked); -ENOMEM only while node
 *    storage can still grow;
 *  - every batch: memkit_oa_check() (all internal invariants), no two
 *    model allocations overlap, iteration over allocations and holes
 *    gives the model's allocations and gaps in order, each allocation's
 *    private pointer, and lookup of an offset inside each allocation and
 *    inside each gap, walks of every region (whole and in chunks) and the
 *    free regions per bin, and memkit_oa_report()'s largest free region
 *    is the model's largest gap.
 *
 * With MEMKIT_OA_PLACE, allocations also go through memkit_oa_alloc_in()
 * with random windows, modes, colours and alignments (non-powers of two
 * among them), under a random guard, against a brute-force oracle that
 * tries every gap of the model: LOW and HIGH must give exactly the
 * lowest and highest fitting offset, BEST the lowest offset of the
 * smallest fitting gap, FAST any fit; -ENOSPC only if no gap fits; bad
 * requests -EINVAL with nothing changed; and every batch checks that
 * neighbours of different colours keep the guard apart.  Eviction scans
 * feed live allocations in random order after a failed request, evict
 * what the scan names, and the request must then land in the promised
 * hole (at the promised offset when there is no guard).
 *
 * Six allocators run: a fixed plain one, a growable one with private
 * data and the index by offset, from 16 allocations up, and growable ones
 * with every extra and placement, by address only (where BEST, and a scan
 * for it, must be refused with nothing changed) and with best fit, each
 * without and with a guard.
 *
 * Built with UT_FUZZER, the same model test is a libFuzzer target: the
 * input picks the kind, the range size (small, or close to 2^64) and
 * max_allocs (up to 256), then every operation, and the full check runs
 * after each.
 */

#include <memkit/bug.h>
#include <memkit/offset_alloc.h>
#include <memkit/testing.h>

#include "harness.h"

#define OA_MAX		4096

static u64 total;	/* the range being tested */
static unsigned int flags;	/* its MEMKIT_OA_* extras */
static u64 guard;	/* its guard between colours, with MEMKIT_OA_PLACE */
static u64 next_id;

struct live {
	struct memkit_oa_handle h;
	u64 size;
	u64 id;		/* its private pointer, with MEMKIT_OA_PRIV */
	u32 color;	/* with MEMKIT_OA_PLACE */
};

static struct live live[OA_MAX];
static u32 nr_live;

/* Handles freed, or live at a reset: stale from then on. */
#define OA_STALE	16
static struct memkit_oa_handle stale[OA_STALE];

static int live_cmp(const void *a, const void *b)
{
	const struct live *x = a, *y = b;

	return x->h.offset < y->h.offset ? -1 : x->h.offset > y->h.offset;
}

static u64 model_used(void)
{
	u64 used = 0;
	u32 i;

	for (i = 0; i < nr_live; i++)
		used += live[i].size;
	return used;
}

static bool same_handle(const struct memkit_oa_handle *a, const struct memkit_oa_handle *b)
{
	return a->offset == b->offset && a->node == b->node && a->gen == b->gen;
}

/* With the model sorted: where gap @i (before live[i], or the tail) starts. */
static u64 gap_start(u32 i)
{
	return i ? live[i - 1].h.offset + live[i - 1].size : 0;
}

static u64 gap_end(u32 i)
{
	return i < nr_live ? live[i].h.offset : total;
}

/* The guard a request of @color needs next to live[@i], if there is one. */
static u64 guard_next_to(u32 i, u32 color)
{
	return i < nr_live && live[i].color != color ? guard : 0;
}

/*
 * Where @r goes in [@lo, @hi) once the guards are off: the top for HIGH,
 * else the bottom, of what lies in the window; false if it does not fit.
 */
static bool model_span_fit(const struct memkit_oa_req *r, u64 lo, u64 hi, u64 *at)
{
	u64 s;

	lo = max(lo, r->start);
	hi = min(hi, r->end);
	if (lo >= hi || hi - lo < r->size)
		return false;
	if (r->mode == MEMKIT_OA_HIGH) {
		s = (hi - r->size) / r->align * r->align;
		if (s < lo)
			return false;
	} else {
		s = lo / r->align * r->align;
		if (s < lo && __builtin_add_overflow(s, r->align, &s))
			return false;
		if (s > hi - r->size)
			return false;
	}
	*at = s;
	return true;
}

/* The same in gap @i of the sorted model, between its two neighbours. */
static bool model_gap_fit(const struct memkit_oa_req *r, u32 i, u64 *at)
{
	u64 lo = gap_start(i), hi = gap_end(i);
	u64 gl = i ? guard_next_to(i - 1, r->color) : 0, gr = guard_next_to(i, r->color);

	if (lo > U64_MAX - gl || hi < gr)
		return false;
	return model_span_fit(r, lo + gl, hi - gr, at);
}

/*
 * The oracle, with the model sorted: try every gap.  LOW and FAST: the
 * lowest fit (any fit will do for FAST); HIGH: the highest; BEST: the
 * smallest gap that fits, the lowest of those.  Returns whether any fits.
 */
static bool model_place(const struct memkit_oa_req *r, u64 *at)
{
	u64 a, size, best = U64_MAX;
	bool found = false;
	u32 i;

	for (i = 0; i <= nr_live; i++) {
		if (gap_end(i) == gap_start(i) || !model_gap_fit(r, i, &a))
			continue;
		size = gap_end(i) - gap_start(i);
		if (r->mode == MEMKIT_OA_HIGH || !found ||
		    (r->mode == MEMKIT_OA_BEST && size < best)) {
			*at = a;
			best = size;
		}
		found = true;
	}
	return found;
}

/* What memkit_oa_alloc() asks: anywhere, colour 0. */
static bool model_fits(u64 size, u64 align)
{
	struct memkit_oa_req r = { .size = size, .align = align, .end = total };
	u64 at;

	/* Offset 0 is aligned to anything: an alignment past the range asks for it. */
	if (align > total) {
		r.align = 1;
		r.end = min(size, total);
	}
	return size <= total && model_place(&r, &at);
}

/*
 * The model's regions in address order, as memkit_oa_walk_*() must visit
 * them: each allocation, and each non-empty gap (free).
 */
struct region_walk {
	u32 next;	/* the model region expected next: 2 * i + (gap ? 0 : 1) */
	bool bad;
};

/* Model region k: even k the gap before live[k / 2], odd k live[k / 2]. */
static bool model_region(u32 k, u64 *offset, u64 *size, bool *used)
{
	u32 i = k / 2;

	if (i > nr_live || (i == nr_live && (k & 1)))
		return false;
	*used = k & 1;
	*offset = *used ? live[i].h.offset : gap_start(i);
	*size = *used ? live[i].size : gap_end(i) - gap_start(i);
	return true;
}

static void region_visit(u64 offset, u64 size, bool used, u32 color, void *arg)
{
	struct region_walk *w = arg;
	u64 o, sz;
	bool u;

	/* Skip the model's empty gaps: the allocator has no such region. */
	while (model_region(w->next, &o, &sz, &u) && !sz)
		w->next++;
	if (!model_region(w->next, &o, &sz, &u) || o != offset || sz != size || u != used ||
	    color != (used ? live[w->next / 2].color : 0))
		w->bad = true;
	w->next++;
}

static void check_walks(struct memkit_oa *oa, struct ut_rng *rng, u64 op)
{
	struct memkit_oa_bin_usage *bins = calloc(1, sizeof(*bins));
	struct region_walk w = {};
	struct memkit_oa_cursor cur = {};
	u32 chunk = 1 + ut_rng_below(rng, 4), i, b;
	u8 leaf[MEMKIT_OA_TOP_BINS] = {};
	u64 top = 0;
	u64 o, sz;
	bool u;
	int ret;

	memkit_oa_walk_regions(oa, region_visit, &w);
	while (model_region(w.next, &o, &sz, &u) && !sz)
		w.next++;
	UT_ASSERT(!w.bad && !model_region(w.next, &o, &sz, &u),
		  "walk_regions differs from the model, op %llu", op);
	/* In chunks, as a reader that drops its lock between them would. */
	w = (struct region_walk){};
	do {
		ret = memkit_oa_walk_chunk(oa, &cur, chunk, region_visit, &w);
	} while (ret == 1);
	while (model_region(w.next, &o, &sz, &u) && !sz)
		w.next++;
	UT_ASSERT(ret == 0 && !w.bad && !model_region(w.next, &o, &sz, &u),
		  "walk_chunk(%u) differs from the model, op %llu", chunk, op);
	/* Free regions per bin: the model's gaps, binned by round-down. */
	UT_ASSERT(bins, "calloc");
	memkit_oa_full_report(oa, bins);
	for (i = 0; i <= nr_live; i++) {
		if (gap_end(i) == gap_start(i))
			continue;
		b = memkit_oa_bin_round_down(gap_end(i) - gap_start(i));
		bins->bins[b].regions--;
		bins->bins[b].units -= gap_end(i) - gap_start(i);
		/* The bitmasks mark exactly the non-empty bins. */
		leaf[b / MEMKIT_OA_LEAF_BINS] |= BIT(b % MEMKIT_OA_LEAF_BINS);
		top |= BIT_ULL(b / MEMKIT_OA_LEAF_BINS);
	}
	for (b = 0; b < MEMKIT_OA_NUM_BINS; b++)
		UT_ASSERT(!bins->bins[b].regions && !bins->bins[b].units,
			  "full report: bin %u differs from the model, op %llu", b, op);
	UT_ASSERT(!memcmp(leaf, bins->used_bins, sizeof(leaf)) && top == bins->used_bins_top,
		  "full report: bitmasks %#llx differ from the model's %#llx, op %llu",
		  bins->used_bins_top, top, op);
	free(bins);
}

/* Iteration, private pointers and lookup against the sorted model. */
static void check_views(struct memkit_oa *oa, struct ut_rng *rng, u64 op)
{
	struct memkit_oa_handle h, got;
	struct memkit_oa_hole hole;
	u32 i = 0;

	memkit_oa_for_each_alloc_safe(oa, &h) {
		UT_ASSERT(i < nr_live && same_handle(&h, &live[i].h),
			  "alloc %u of %u in iteration differs, op %llu", i, nr_live, op);
		i++;
	}
	UT_ASSERT(i == nr_live, "iteration saw %u of %u allocations", i, nr_live);
	i = 0;
	memkit_oa_for_each_hole(oa, &hole) {
		while (i <= nr_live && gap_start(i) == gap_end(i))
			i++;
		UT_ASSERT(i <= nr_live && hole.offset == gap_start(i) &&
			  hole.offset + hole.size == gap_end(i),
			  "hole [%llu, +%llu) is not the model's gap %u, op %llu",
			  hole.offset, hole.size, i, op);
		i++;
	}
	while (i <= nr_live && gap_start(i) == gap_end(i))
		i++;
	UT_ASSERT(i == nr_live + 1, "hole iteration ended at gap %u of %u", i, nr_live + 1);

	for (i = 0; i < nr_live; i++) {
		if (flags & MEMKIT_OA_PRIV)
			UT_ASSERT(memkit_oa_priv(oa, &live[i].h) == (void *)(uintptr_t)live[i].id,
				  "private pointer of allocation %u", i);
		if (!(flags & MEMKIT_OA_LOOKUP))
			continue;
		UT_ASSERT(!memkit_oa_lookup(oa, live[i].h.offset + ut_rng_below(rng, live[i].size),
					    &got) && same_handle(&got, &live[i].h),
			  "lookup inside allocation %u", i);
	}
	if (!(flags & MEMKIT_OA_LOOKUP)) {
		UT_ASSERT(memkit_oa_lookup(oa, 0, &got) == -EOPNOTSUPP, "lookup without index");
		return;
	}
	for (i = 0; i <= nr_live; i++)
		if (gap_end(i) > gap_start(i))
			UT_ASSERT(memkit_oa_lookup(oa, gap_start(i) +
						   ut_rng_below(rng, gap_end(i) - gap_start(i)),
						   &got) == -ENOENT &&
				  got.node == MEMKIT_OA_NO_NODE, "lookup in gap %u", i);
	UT_ASSERT(memkit_oa_lookup(oa, total, &got) == -EINVAL, "lookup past the end");
}

static void full_check(struct memkit_oa *oa, struct ut_rng *rng, u64 op)
{
	struct memkit_oa_usage r;
	u64 largest = 0;
	u32 i;

	UT_ASSERT(memkit_oa_check(oa) == 0, "invariants broken after op %llu",
		  op);
	qsort(live, nr_live, sizeof(*live), live_cmp);
	for (i = 0; i + 1 < nr_live; i++)
		UT_ASSERT(live[i].h.offset + live[i].size <= live[i + 1].h.offset,
			  "overlap at %llu, op %llu", live[i].h.offset,
			  op);
	/* Neighbours of different colours: the guard apart. */
	for (i = 0; i + 1 < nr_live; i++)
		UT_ASSERT(live[i + 1].h.offset - (live[i].h.offset + live[i].size) >=
			  guard_next_to(i + 1, live[i].color),
			  "colours %u and %u closer than the guard %llu at %llu, op %llu",
			  live[i].color, live[i + 1].color, guard, live[i + 1].h.offset, op);
	for (i = 0; i < nr_live; i++) {
		u32 color = U32_MAX;

		if (flags & MEMKIT_OA_PLACE)
			UT_ASSERT(!memkit_oa_color(oa, &live[i].h, &color) &&
				  color == live[i].color, "colour %u of allocation %u, model %u",
				  color, i, live[i].color);
		else
			UT_ASSERT(memkit_oa_color(oa, &live[i].h, &color) == -EOPNOTSUPP,
				  "colour without placement");
	}
	check_views(oa, rng, op);
	check_walks(oa, rng, op);
	memkit_oa_report(oa, &r);
	UT_ASSERT(r.allocs == nr_live, "%u allocs, model %u", r.allocs, nr_live);
	UT_ASSERT(r.free == total - model_used(), "free %llu, model %llu",
		  r.free, (total - model_used()));
	for (i = 0; i <= nr_live; i++)
		largest = max(largest, gap_end(i) - gap_start(i));
	UT_ASSERT(r.largest_free == largest, "largest free %llu, model %llu, op %llu",
		  r.largest_free, largest, op);
}

/* A live handle made wrong in one of three ways: refused, nothing changes. */
static void bad_free(struct memkit_oa *oa, struct ut_rng *rng)
{
	struct memkit_oa_handle h = live[ut_rng_below(rng, nr_live)].h;
	struct memkit_oa_usage before, after;

	u32 i;

	switch (ut_rng_below(rng, 4)) {
	case 0:
		h.offset++;
		break;
	case 1:
		h.node = MEMKIT_OA_NO_NODE;
		break;
	case 2:
		h.node = 2 * OA_MAX + 7;	/* beyond any node array */
		break;
	default:
		/*
		 * A stale handle: freed, or from before a reset.  Its node
		 * and offset may be live again; its generation is not.
		 */
		h = stale[ut_rng_below(rng, OA_STALE)];
		if (h.node == MEMKIT_OA_NO_NODE)
			return;
		for (i = 0; i < nr_live; i++)
			UT_ASSERT(!same_handle(&live[i].h, &h),
				  "a live allocation repeats a handle");
		break;
	}
	memkit_oa_report(oa, &before);
	UT_ASSERT(memkit_expect_warnings_begin() == 0, "expecting twice");
	UT_CHECK(memkit_oa_free(oa, &h) == -EINVAL, "bad handle accepted");
	UT_CHECK(memkit_expect_warnings_end() == 1, "bad handle not reported");
	memkit_oa_report(oa, &after);
	UT_CHECK(!memcmp(&before, &after, sizeof(before)), "bad free changed the allocator");
}

/*
 * Add node storage as a caller does, outside its lock: size it, allocate,
 * hand it over.  Returns false if there was nothing to add.
 */
static bool grow_nodes(struct memkit_oa *oa, u32 nr)
{
	size_t bytes = memkit_oa_grow_size(oa, nr);
	struct memkit_oa_usage before, after;
	void *mem;

	if (!bytes)
		return false;
	memkit_oa_report(oa, &before);
	mem = kvmalloc(bytes, GFP_KERNEL);
	UT_ASSERT(mem, "no memory for %zu bytes of nodes", bytes);
	/* The wrong size is refused and the buffer stays the caller's. */
	UT_ASSERT(memkit_oa_grow(oa, mem, bytes - 1) == -EINVAL, "grow took a short buffer");
	UT_ASSERT(memkit_oa_grow(oa, mem, bytes) == 0, "grow refused its own size");
	memkit_oa_report(oa, &after);
	UT_CHECK(after.metadata_bytes == before.metadata_bytes + bytes,
		 "metadata grew by %llu, not by the %zu-byte segment",
		 after.metadata_bytes - before.metadata_bytes, bytes);
	return true;
}

/* A new allocation's private pointer, with MEMKIT_OA_PRIV. */
static void give_id(struct memkit_oa *oa, struct live *l)
{
	l->id = ++next_id;
	if (flags & MEMKIT_OA_PRIV) {
		UT_ASSERT(!memkit_oa_priv(oa, &l->h), "a new allocation has a pointer");
		UT_ASSERT(!memkit_oa_set_priv(oa, &l->h, (void *)(uintptr_t)l->id), "set_priv");
	} else {
		UT_ASSERT(memkit_oa_set_priv(oa, &l->h, NULL) == -EOPNOTSUPP,
			  "set_priv without private data");
	}
}

static void do_alloc(struct memkit_oa *oa, struct ut_rng *rng, u64 op, u64 *nospc)
{
	u64 size = ut_rng_log_size(rng, 11);
	u64 align = ut_rng_below(rng, 4) ? 1 : BIT_ULL(ut_rng_below(rng, 14));
	struct live *l = &live[nr_live];
	u64 got;
	int ret;

	ret = memkit_oa_alloc(oa, size, align, &l->h);
	if (ret == -ENOMEM) {
		/* Short of nodes: only while there is storage to add. */
		UT_ASSERT(l->h.node == MEMKIT_OA_NO_NODE, "failed alloc gave a node");
		UT_ASSERT(grow_nodes(oa, 1), "-ENOMEM with every node there");
		ret = memkit_oa_alloc(oa, size, align, &l->h);
		UT_ASSERT(ret != -ENOMEM, "-ENOMEM after growing");
	}
	if (ret) {
		UT_ASSERT(ret == -ENOSPC, "alloc returned %d", ret);
		(*nospc)++;
		qsort(live, nr_live, sizeof(*live), live_cmp);
		UT_ASSERT(!model_fits(size, align), "false -ENOSPC: size %llu align %llu, op %llu",
			  size, align, op);
		return;
	}
	UT_ASSERT(IS_ALIGNED(l->h.offset, align) && l->h.offset < total &&
		  size <= total - l->h.offset,
		  "offset %llu for size %llu align %llu", l->h.offset,
		  size, align);
	UT_ASSERT(!memkit_oa_alloc_size(oa, &l->h, &got) && got == size,
		  "alloc_size %llu, asked %llu", got,
		  size);
	l->size = size;
	l->color = 0;
	give_id(oa, l);
	nr_live++;
}

/* A random request: a window, often narrow; any alignment; a mode; a colour. */
static void random_req(struct ut_rng *rng, struct memkit_oa_req *r)
{
	u64 a = ut_rng_below(rng, total), b = ut_rng_below(rng, total);

	memset(r, 0, sizeof(*r));
	switch (ut_rng_below(rng, 4)) {
	case 0:		/* the whole range, sometimes as end 0 */
		r->end = ut_rng_below(rng, 2) ? total : 0;
		break;
	case 1:		/* the first quarter, as a CPU-visible window */
		r->end = max_t(u64, total / 4, 1);
		break;
	default:
		r->start = min(a, b);
		r->end = max(a, b) + 1;
		break;
	}
	a = (r->end ? r->end : total) - r->start;
	b = ut_rng_log_size(rng, 11);
	r->size = min(b, a);
	switch (ut_rng_below(rng, 4)) {
	case 0:
		r->align = BIT_ULL(ut_rng_below(rng, 12));
		break;
	case 1:
		r->align = 1 + ut_rng_below(rng, 3000);	/* often not a power of two */
		break;
	default:
		r->align = 1;
		break;
	}
	r->align = min(r->align, a);
	r->mode = ut_rng_below(rng, MEMKIT_OA_NR_MODES);
	r->color = ut_rng_below(rng, 3);
}

/* Requests the allocator must refuse with -EINVAL, changing nothing. */
static void bad_req(struct memkit_oa *oa, struct ut_rng *rng)
{
	struct memkit_oa_req r;
	struct memkit_oa_usage before, after;
	struct memkit_oa_handle h;

	random_req(rng, &r);
	if (!r.end)
		r.end = total;
	switch (ut_rng_below(rng, 7)) {
	case 0:
		r.size = 0;
		break;
	case 1:
		r.align = 0;
		break;
	case 2:
		r.start = r.end;	/* empty, or start past end */
		break;
	case 3:
		if (total == U64_MAX)
			return;
		r.end = total + 1;	/* out of the range */
		break;
	case 4:
		r.size = r.end - r.start + 1;	/* bigger than the window */
		break;
	case 5:
		r.align = r.end - r.start + 1;
		break;
	default:
		r.mode = MEMKIT_OA_NR_MODES + ut_rng_below(rng, 5);
		break;
	}
	memkit_oa_report(oa, &before);
	UT_CHECK(memkit_oa_alloc_in(oa, &r, &h) == -EINVAL && h.node == MEMKIT_OA_NO_NODE,
		 "bad request [%llu, %llu) size %llu align %llu mode %u accepted",
		 r.start, r.end, r.size, r.align, r.mode);
	memkit_oa_report(oa, &after);
	UT_CHECK(!memcmp(&before, &after, sizeof(before)), "bad request changed the allocator");
}

/* memkit_oa_alloc_in() against the oracle. */
static void do_alloc_in(struct memkit_oa *oa, struct ut_rng *rng, u64 op,
			struct memkit_oa_req *r, u64 *nospc, u64 *refused)
{
	struct live *l = &live[nr_live];
	u64 want = 0, end;
	bool fits;
	int ret;

	random_req(rng, r);
	if (r->mode == MEMKIT_OA_BEST && !(flags & MEMKIT_OA_BEST_FIT)) {
		static const enum memkit_oa_mode has[] = {
			MEMKIT_OA_FAST, MEMKIT_OA_LOW, MEMKIT_OA_HIGH,
		};
		struct memkit_oa_usage before, after;
		struct memkit_oa_scan scan;

		/* Best fit was not asked for at init: refused, nothing changed. */
		memkit_oa_report(oa, &before);
		ret = memkit_oa_alloc_in(oa, r, &l->h);
		UT_ASSERT(ret == -EOPNOTSUPP && l->h.node == MEMKIT_OA_NO_NODE,
			  "BEST without MEMKIT_OA_BEST_FIT: %d, op %llu", ret, op);
		UT_ASSERT(memkit_oa_scan_init(&scan, oa, r) == -EOPNOTSUPP,
			  "scan for BEST without MEMKIT_OA_BEST_FIT, op %llu", op);
		memkit_oa_report(oa, &after);
		UT_ASSERT(!memcmp(&before, &after, sizeof(before)),
			  "a refused BEST changed the allocator, op %llu", op);
		(*refused)++;
		/* Then as one of the modes it has, so the oracle's work stays. */
		r->mode = has[ut_rng_below(rng, ARRAY_SIZE(has))];
	}
	ret = memkit_oa_alloc_in(oa, r, &l->h);
	if (ret == -ENOMEM) {
		UT_ASSERT(grow_nodes(oa, 1), "alloc_in: -ENOMEM with every node there");
		ret = memkit_oa_alloc_in(oa, r, &l->h);
	}
	end = r->end ? r->end : total;
	qsort(live, nr_live, sizeof(*live), live_cmp);
	{
		struct memkit_oa_req m = *r;

		m.end = end;
		fits = model_place(&m, &want);
	}
	if (ret) {
		UT_ASSERT(ret == -ENOSPC && !fits,
			  "alloc_in [%llu, %llu) size %llu align %llu mode %u colour %u: %d, oracle %s at %llu, op %llu",
			  r->start, end, r->size, r->align, r->mode, r->color, ret,
			  fits ? "fits" : "no fit", want, op);
		(*nospc)++;
		return;
	}
	UT_ASSERT(fits, "alloc_in placed what the oracle cannot, op %llu", op);
	UT_ASSERT(l->h.offset >= r->start && l->h.offset <= end - r->size &&
		  l->h.offset % r->align == 0,
		  "alloc_in at %llu outside [%llu, %llu) or off align %llu", l->h.offset,
		  r->start, end, r->align);
	if (r->mode != MEMKIT_OA_FAST)
		UT_ASSERT(l->h.offset == want,
			  "mode %u [%llu, %llu) size %llu align %llu colour %u at %llu, oracle %llu, op %llu",
			  r->mode, r->start, end, r->size, r->align, r->color, l->h.offset,
			  want, op);
	l->size = r->size;
	l->color = r->color;
	give_id(oa, l);
	nr_live++;
}

/*
 * Would @r fit with the first @n of @order (indexes into the sorted model)
 * evicted?  The model is filtered in place and put back.
 */
static bool model_fits_without(const struct memkit_oa_req *r, const u32 *order, u32 n)
{
	static struct live saved[OA_MAX];
	static bool gone[OA_MAX];
	u32 i, kept = 0, had = nr_live;
	bool fits;
	u64 at;

	memcpy(saved, live, sizeof(*live) * had);
	memset(gone, 0, sizeof(gone));
	for (i = 0; i < n; i++)
		gone[order[i]] = true;
	for (i = 0; i < had; i++)
		if (!gone[i])
			live[kept++] = saved[i];
	nr_live = kept;
	fits = model_place(r, &at);
	memcpy(live, saved, sizeof(*live) * had);
	nr_live = had;
	return fits;
}

/* Drop live[@i] from the model, keeping a stale copy of its handle. */
static void model_forget(struct ut_rng *rng, u32 i)
{
	stale[ut_rng_below(rng, OA_STALE)] = live[i].h;
	live[i] = live[--nr_live];
}

/*
 * After a request that found no room: feed live allocations in random
 * order until the scan finds a hole, evict what it names, and the
 * request must land there.  Sometimes the scan is abandoned half-way, or
 * the allocator changes under it.
 */
static void do_scan(struct memkit_oa *oa, struct ut_rng *rng, const struct memkit_oa_req *r,
		    u64 *scans)
{
	u32 *order = calloc(nr_live + 1, sizeof(*order)), i, j, fed = 0, evict = 0;
	struct memkit_oa_handle *ev = calloc(nr_live + 1, sizeof(*ev));
	struct memkit_oa_scan scan;
	struct memkit_oa_handle h;
	u64 hs, he, end = r->end ? r->end : total;
	int ret = 0;

	UT_ASSERT(order && ev, "calloc");
	UT_ASSERT(memkit_oa_scan_init(&scan, oa, r) == 0, "scan_init of a valid request");
	for (i = 0; i < nr_live; i++)
		order[i] = i;
	for (i = nr_live; i > 1; i--) {
		j = ut_rng_below(rng, i);
		swap(order[i - 1], order[j]);
	}
	for (i = 0; i < nr_live && ret == 0; i++) {
		ret = memkit_oa_scan_add(&scan, &live[order[i]].h);
		UT_ASSERT(ret == 0 || ret == 1, "scan_add: %d", ret);
		fed++;
		if (ret == 0 && ut_rng_below(rng, 50) == 0) {
			/* Fed twice: refused and reported. */
			UT_ASSERT(memkit_expect_warnings_begin() == 0, "expecting twice");
			UT_CHECK(memkit_oa_scan_add(&scan, &live[order[i]].h) == -EEXIST,
				 "a candidate fed twice");
			UT_CHECK(memkit_expect_warnings_end() == 1, "twice fed not reported");
		}
		if (ret == 0 && ut_rng_below(rng, 100) == 0)
			goto out;	/* abandoned: it must leave nothing behind */
	}
	if (ret == 0) {
		/* Everything fed: the request cannot fit even in an empty range. */
		struct memkit_oa_req m = *r;
		u64 at;

		m.end = end;
		UT_ASSERT(!model_span_fit(&m, 0, total, &at),
			  "scan fed everything and found no hole for what fits in an empty range");
		goto out;
	}
	(*scans)++;
	/* As soon as a hole opens: not one candidate later. */
	{
		struct memkit_oa_req m = *r;

		m.end = end;
		UT_ASSERT(!model_fits_without(&m, order, fed - 1),
			  "the scan said so only after %u candidates", fed);
		UT_ASSERT(model_fits_without(&m, order, fed),
			  "the scan found a hole the model lacks");
	}
	UT_CHECK(memkit_oa_scan_add(&scan, &live[order[0]].h) == -EBUSY, "scan_add after a hit");
	memkit_oa_scan_hole(&scan, &hs, &he);
	UT_ASSERT(he - hs == r->size && hs >= r->start && he <= end,
		  "scan hole [%llu, %llu) for size %llu in [%llu, %llu)", hs, he, r->size,
		  r->start, end);
	for (i = 0; i < nr_live; i++) {
		ret = memkit_oa_scan_evict(&scan, &live[i].h);
		UT_ASSERT(ret == 0 || ret == 1, "scan_evict: %d", ret);
		if (ret)
			ev[evict++] = live[i].h;
		/* Whatever overlaps the promised allocation must go. */
		UT_ASSERT(ret || live[i].h.offset >= he || live[i].h.offset + live[i].size <= hs,
			  "scan keeps [%llu, +%llu) inside its hole [%llu, %llu)",
			  live[i].h.offset, live[i].size, hs, he);
	}
	UT_ASSERT(evict && evict <= fed, "%u evicted of %u fed", evict, fed);
	if (ut_rng_below(rng, 20) == 0) {
		/* A change ends the scan. */
		UT_ASSERT(memkit_oa_free(oa, &ev[0]) == 0, "free of an evicted one");
		for (i = 0; live[i].h.offset != ev[0].offset; i++)
			;
		model_forget(rng, i);
		UT_CHECK(memkit_oa_scan_evict(&scan, &ev[1 % evict]) == -ESTALE ||
			 evict == 1, "scan_evict after a change");
		UT_CHECK(memkit_oa_scan_add(&scan, &ev[0]) == -ESTALE, "scan_add after a change");
		goto out;
	}
	for (j = 0; j < evict; j++) {
		UT_ASSERT(memkit_oa_free(oa, &ev[j]) == 0, "free of an evicted one");
		for (i = 0; live[i].h.offset != ev[j].offset; i++)
			;
		model_forget(rng, i);
	}
	ret = memkit_oa_alloc_in(oa, r, &h);
	if (ret == -ENOMEM && grow_nodes(oa, 1))
		ret = memkit_oa_alloc_in(oa, r, &h);
	UT_ASSERT(ret == 0, "the request after the eviction it asked for: %d", ret);
	if (!guard)
		UT_ASSERT(h.offset == hs, "landed at %llu, promised %llu (mode %u)", h.offset, hs,
			  r->mode);
	live[nr_live] = (struct live){ .h = h, .size = r->size, .color = r->color };
	give_id(oa, &live[nr_live]);
	nr_live++;
out:
	free(order);
	free(ev);
}

/* Resize a live allocation: it grows exactly when the model has the room. */
static void do_resize(struct memkit_oa *oa, struct ut_rng *rng)
{
	struct live *l = &live[ut_rng_below(rng, nr_live)];
	u64 new_size = ut_rng_below(rng, 8) ? ut_rng_log_size(rng, 11) : 0;
	u64 end = total, gap = 0;
	bool fits;
	u32 i;
	int ret;

	for (i = 0; i < nr_live; i++)
		if (live[i].h.offset > l->h.offset && live[i].h.offset < end) {
			end = live[i].h.offset;
			gap = live[i].color != l->color ? guard : 0;
		}
	/* Growing keeps the guard to a next neighbour of another colour. */
	fits = new_size && (new_size <= l->size || new_size <= end - l->h.offset - gap);
	ret = memkit_oa_resize(oa, &l->h, new_size);
	if (ret == -ENOMEM) {
		/* A shrink that needs a node for the tail, growable only. */
		UT_ASSERT(new_size < l->size, "resize up to %llu: -ENOMEM", new_size);
		UT_ASSERT(grow_nodes(oa, 1), "resize: -ENOMEM with every node there");
		ret = memkit_oa_resize(oa, &l->h, new_size);
	}
	if (!new_size)
		UT_ASSERT(ret == -EINVAL, "resize to 0 returned %d", ret);
	else if (fits)
		UT_ASSERT(ret == 0, "resize to %llu with room returned %d", new_size, ret);
	else
		UT_ASSERT(ret == -ENOSPC, "resize to %llu without room returned %d", new_size, ret);
	if (!ret)
		l->size = new_size;
}

/* Free by start offset, as a gen_pool user does: lookup, then free. */
static void free_by_offset(struct memkit_oa *oa, u32 victim)
{
	struct memkit_oa_handle h;

	UT_ASSERT(!memkit_oa_lookup(oa, live[victim].h.offset, &h) &&
		  h.offset == live[victim].h.offset, "lookup of a start offset");
	UT_ASSERT(memkit_oa_free(oa, &h) == 0, "free by offset");
}

static void do_reserve(struct memkit_oa *oa, struct ut_rng *rng)
{
	u64 size = ut_rng_log_size(rng, 8);
	u64 offset = ut_rng_below(rng, total);
	struct live *l = &live[nr_live];
	bool overlaps = size > total - offset;
	u64 gap_lo = 0, gap_hi = total, end, gl = 0, gr = 0;
	struct memkit_oa_usage r;
	u32 i, need, spare;
	int ret;

	for (i = 0; i < nr_live && !overlaps; i++) {
		end = live[i].h.offset + live[i].size;
		overlaps = offset < end && live[i].h.offset < offset + size;
		if (end <= offset && end >= gap_lo) {
			gap_lo = end;
			gl = live[i].color ? guard : 0;
		} else if (live[i].h.offset >= offset && live[i].h.offset <= gap_hi) {
			gap_hi = live[i].h.offset;
			gr = live[i].color ? guard : 0;
		}
	}
	/* A reservation has colour 0: the guard from neighbours of others. */
	overlaps |= offset - gap_lo < gl || gap_hi - (offset + size) < gr;
	/*
	 * The nodes a reservation takes: one for a free part left before it,
	 * one for a part after.  Short of those (and only then) it is -ENOMEM.
	 */
	memkit_oa_report(oa, &r);
	spare = r.nodes - r.allocs - r.free_regions;
	need = !overlaps ? (offset > gap_lo) + (offset + size < gap_hi) : 0;
	ret = memkit_oa_reserve(oa, offset, size, &l->h);
	if (!overlaps && r.allocs < r.max_allocs)
		UT_ASSERT((ret == -ENOMEM) == (need > spare),
			  "reserve needing %u nodes of %u spare returned %d", need, spare, ret);
	if (ret == -ENOMEM) {
		UT_ASSERT(grow_nodes(oa, 1), "-ENOMEM with every node there");
		ret = memkit_oa_reserve(oa, offset, size, &l->h);
	}
	if (overlaps) {
		UT_ASSERT(ret == -ENOSPC, "reserve over a used unit returned %d", ret);
		return;
	}
	UT_ASSERT(ret == 0 && l->h.offset == offset, "reserve of a free span returned %d", ret);
	l->size = size;
	l->color = 0;
	give_id(oa, l);
	nr_live++;
}

struct counts {
	u64 allocs, nospc, resets, resizes, extends, grows, placed, place_nospc, scans;
	u64 refused;	/* BEST without MEMKIT_OA_BEST_FIT */
};

static void run(struct memkit_oa *oa, u32 max, u64 ops, u32 batch, struct ut_rng *rng,
		struct counts *c)
{
	u64 op;
	u32 i;

	nr_live = 0;
	for (i = 0; i < OA_STALE; i++)
		stale[i].node = MEMKIT_OA_NO_NODE;
	for (op = 1; op <= ops && !ut_rng_done(rng); op++) {
		u64 r = ut_rng_below(rng, 1000);

		if (r == 0 && ut_rng_below(rng, 200) == 0) {
			memkit_oa_reset(oa);
			for (i = 0; i < nr_live && i < OA_STALE; i++)
				stale[i] = live[i].h;
			nr_live = 0;
			c->resets++;
		} else if (r < 5 && nr_live) {
			bad_free(oa, rng);
		} else if (r < 7 && total < U64_MAX / 2) {
			u64 more = ut_rng_log_size(rng, 12);
			int ret = memkit_oa_extend(oa, total + more);

			if (ret == -ENOMEM && grow_nodes(oa, 1))
				ret = memkit_oa_extend(oa, total + more);
			UT_ASSERT(ret == 0, "extend");
			UT_ASSERT(memkit_oa_extend(oa, total) == -EINVAL,
				  "extend shrank the range");
			total += more;
			c->extends++;
		} else if (r < 9) {
			c->grows += grow_nodes(oa, 1 + ut_rng_below(rng, 64));
		} else if (r < 60 && nr_live) {
			do_resize(oa, rng);
			c->resizes++;
		} else if (nr_live == max || (nr_live && r < 470)) {
			u32 victim = ut_rng_below(rng, nr_live);

			if ((flags & MEMKIT_OA_LOOKUP) && r & 1)
				free_by_offset(oa, victim);
			else
				UT_ASSERT(memkit_oa_free(oa, &live[victim].h) == 0,
					  "free: live handle");
			stale[ut_rng_below(rng, OA_STALE)] = live[victim].h;
			live[victim] = live[--nr_live];
		} else if (r < 520) {
			do_reserve(oa, rng);
		} else if ((flags & MEMKIT_OA_PLACE) && r < 530) {
			bad_req(oa, rng);
		} else if ((flags & MEMKIT_OA_PLACE) && r < 800) {
			struct memkit_oa_req req;
			u32 before = nr_live;

			do_alloc_in(oa, rng, op, &req, &c->place_nospc, &c->refused);
			c->placed += nr_live > before;
			if (nr_live == before && nr_live && ut_rng_below(rng, 4) == 0)
				do_scan(oa, rng, &req, &c->scans);
		} else {
			u32 before = nr_live;

			do_alloc(oa, rng, op, &c->nospc);
			c->allocs += nr_live > before;
		}
		if (op % batch == 0)
			full_check(oa, rng, op);
	}
	full_check(oa, rng, op);
	while (nr_live)
		UT_ASSERT(memkit_oa_free(oa, &live[--nr_live].h) == 0, "final free");
	full_check(oa, rng, op);
}

#ifdef UT_FUZZER

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct counts c = {};
	struct ut_rng rng;
	struct memkit_oa oa;
	u32 max, initial;

	ut_fuzz_begin(&rng, data, size);
	flags = ut_rng_below(&rng, 16);
	if ((flags & MEMKIT_OA_BEST_FIT) && !(flags & MEMKIT_OA_PLACE)) {
		/* Best fit is an addition to placement, not a kind of its own. */
		UT_ASSERT(memkit_oa_init_flags(&oa, 1 << 16, 1, 1, flags) == -EINVAL,
			  "BEST_FIT without PLACE accepted");
		flags &= ~MEMKIT_OA_BEST_FIT;
	}
	guard = flags & MEMKIT_OA_PLACE && ut_rng_below(&rng, 2) ? ut_rng_log_size(&rng, 6) : 0;
	total = ut_rng_below(&rng, 4) ? 1 + ut_rng_below(&rng, 1 << 16) :
					U64_MAX - ut_rng_below(&rng, 1 << 16);
	max = 1 + ut_rng_below(&rng, 256);	/* small: the check runs every op */
	initial = ut_rng_below(&rng, max + 1);
	UT_ASSERT(memkit_oa_init_flags(&oa, total, initial, max, flags) == 0, "init");
	UT_ASSERT(memkit_oa_set_guard(&oa, guard) == (flags & MEMKIT_OA_PLACE ? 0 : -EOPNOTSUPP),
		  "set_guard");
	run(&oa, max, U64_MAX, 1, &rng, &c);
	memkit_oa_exit(&oa);
	ut_fuzz_end();
	return 0;
}

#else

/*
 * Init with each of its allocations failing in turn (the shim's fail-nth):
 * -ENOMEM and nothing left allocated, until a run needs fewer.
 */
static void init_unwinds(void)
{
	static const unsigned int extras[] = { 0, MEMKIT_OA_PRIV | MEMKIT_OA_LOOKUP };
	unsigned int e, n, left, points = 0;
	struct memkit_oa oa;
	long before;
	int ret;

	for (e = 0; e < ARRAY_SIZE(extras); e++) {
		for (n = 1, left = 0; !left; n++) {
			before = ushim_live_allocs;
			ushim_fail_nth = n;
			ret = memkit_oa_init_flags(&oa, 1 << 20, 16, OA_MAX, extras[e]);
			left = ushim_fail_nth;
			ushim_fail_nth = 0;
			if (left) {
				UT_ASSERT(ret == 0, "init with no failure: %d", ret);
				memkit_oa_exit(&oa);
				break;
			}
			UT_ASSERT(ret == -ENOMEM, "init with allocation %u failing: %d", n, ret);
			UT_ASSERT(ushim_live_allocs == before, "failed init left %ld allocations",
				  ushim_live_allocs - before);
			points++;
		}
	}
	printf("test_offset_alloc: init unwinds from each of %u allocation failures\n", points);
	UT_CHECK(points >= ARRAY_SIZE(extras), "init made no allocation to fail");
}

int main(int argc, char **argv)
{
	/*
	 * A fixed plain allocator, a growable one with both extras, and
	 * growable ones with placement as well: by address only, and with
	 * best fit, each without and with a guard.
	 */
	static const struct {
		unsigned int flags;
		u64 guard;
	} configs[] = {
		{ 0, 0 },
		{ MEMKIT_OA_PRIV | MEMKIT_OA_LOOKUP, 0 },
		{ MEMKIT_OA_PRIV | MEMKIT_OA_LOOKUP | MEMKIT_OA_PLACE, 0 },
		{ MEMKIT_OA_PRIV | MEMKIT_OA_LOOKUP | MEMKIT_OA_PLACE, 48 },
		{ MEMKIT_OA_PRIV | MEMKIT_OA_LOOKUP | MEMKIT_OA_PLACE | MEMKIT_OA_BEST_FIT, 0 },
		{ MEMKIT_OA_PRIV | MEMKIT_OA_LOOKUP | MEMKIT_OA_PLACE | MEMKIT_OA_BEST_FIT, 48 },
	};
	struct counts c = {};
	struct ut_args args;
	struct ut_rng rng;
	struct memkit_oa oa;
	u32 k;

	ut_init(argc, argv, "test_offset_alloc", 2000000, &args, &rng);
	init_unwinds();
	for (k = 0; k < ARRAY_SIZE(configs); k++) {
		u64 ops = args.ops / ARRAY_SIZE(configs);

		memset(&c, 0, sizeof(c));
		flags = configs[k].flags;
		guard = configs[k].guard;
		total = BIT_ULL(20);
		UT_ASSERT(memkit_oa_init_flags(&oa, total, flags ? 16 : OA_MAX, OA_MAX,
					       flags) == 0, "init");
		UT_ASSERT(memkit_oa_set_guard(&oa, guard) ==
			  (flags & MEMKIT_OA_PLACE ? 0 : -EOPNOTSUPP), "set_guard");
		run(&oa, OA_MAX, ops, 512, &rng, &c);
		printf("test_offset_alloc: flags %#x guard %llu: %llu allocations,",
		       flags, guard, c.allocs);
		printf(" %llu -ENOSPC, %llu resets,", c.nospc, c.resets);
		printf(" %llu resizes, %llu extensions, %llu segments added\n",
		       c.resizes, c.extends, c.grows);
		/* The false -ENOSPC oracle must have had work, or it proves nothing. */
		UT_CHECK(c.nospc + c.place_nospc > ops / 1000, "only %llu -ENOSPC",
			 c.nospc + c.place_nospc);
		UT_CHECK(!flags || c.grows, "the growable allocator never grew");
		if (flags & MEMKIT_OA_PLACE) {
			printf("test_offset_alloc: placed %llu, %llu -ENOSPC;",
			       c.placed, c.place_nospc);
			printf(" %llu scans evicted and refilled, %llu BEST refused\n", c.scans,
			       c.refused);
			UT_CHECK(c.placed > ops / 10 && c.place_nospc > ops / 1000 &&
				 c.scans > ops / 10000,
				 "placement oracle had too little work");
			UT_CHECK(!!c.refused == !(flags & MEMKIT_OA_BEST_FIT),
				 "%llu BEST requests refused", c.refused);
		}
		memkit_oa_exit(&oa);
	}
	return ut_finish("test_offset_alloc");
}

#endif
