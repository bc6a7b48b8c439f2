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
 * Two allocators run: a fixed plain one, and a growable one with
 * private data and the index by offset, from 16 allocations up.
 *
 * Built with UT_FUZZER, the same model test is a libFuzzer target: the
 * input picks the kind, the range size (small, or close to 2^64) and
 * max_allocs (up to 256), then every operation, and the full check runs
 * after each.
 */

#include <memkit/bug.h>
#include <memkit/offset_alloc.h>

#include "harness.h"

#define OA_MAX		4096

static u64 total;	/* the range being tested */
static unsigned int flags;	/* its MEMKIT_OA_* extras */
static u64 next_id;

struct live {
	struct memkit_oa_handle h;
	u64 size;
	u64 id;		/* its private pointer, with MEMKIT_OA_PRIV */
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

/* With the model sorted: could @size at @align fit in any gap? */
static bool model_fits(u64 size, u64 align)
{
	u64 gap_start = 0;
	u32 i;

	for (i = 0; i <= nr_live; i++) {
		u64 gap_end = i < nr_live ? live[i].h.offset : total;
		u64 start = ALIGN(gap_start, align);

		if (start >= gap_start && start <= gap_end && gap_end - start >= size)
			return true;
		if (i < nr_live)
			gap_start = live[i].h.offset + live[i].size;
	}
	return false;
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

static void region_visit(u64 offset, u64 size, bool used, void *arg)
{
	struct region_walk *w = arg;
	u64 o, sz;
	bool u;

	/* Skip the model's empty gaps: the allocator has no such region. */
	while (model_region(w->next, &o, &sz, &u) && !sz)
		w->next++;
	if (!model_region(w->next, &o, &sz, &u) || o != offset || sz != size || u != used)
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
	void *mem;

	if (!bytes)
		return false;
	mem = kvmalloc(bytes, GFP_KERNEL);
	UT_ASSERT(mem, "no memory for %zu bytes of nodes", bytes);
	/* The wrong size is refused and the buffer stays the caller's. */
	UT_ASSERT(memkit_oa_grow(oa, mem, bytes - 1) == -EINVAL, "grow took a short buffer");
	UT_ASSERT(memkit_oa_grow(oa, mem, bytes) == 0, "grow refused its own size");
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
	give_id(oa, l);
	nr_live++;
}

/* Resize a live allocation: it grows exactly when the model has the room. */
static void do_resize(struct memkit_oa *oa, struct ut_rng *rng)
{
	struct live *l = &live[ut_rng_below(rng, nr_live)];
	u64 new_size = ut_rng_below(rng, 8) ? ut_rng_log_size(rng, 11) : 0;
	u64 end = total;
	bool fits;
	u32 i;
	int ret;

	for (i = 0; i < nr_live; i++)
		if (live[i].h.offset > l->h.offset)
			end = min(end, live[i].h.offset);
	fits = new_size && new_size <= end - l->h.offset;
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
	u64 gap_lo = 0, gap_hi = total, end;
	struct memkit_oa_usage r;
	u32 i, need, spare;
	int ret;

	for (i = 0; i < nr_live && !overlaps; i++) {
		end = live[i].h.offset + live[i].size;
		overlaps = offset < end && live[i].h.offset < offset + size;
		if (end <= offset)
			gap_lo = max(gap_lo, end);
		else if (live[i].h.offset >= offset)
			gap_hi = min(gap_hi, live[i].h.offset);
	}
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
	give_id(oa, l);
	nr_live++;
}

struct counts {
	u64 allocs, nospc, resets, resizes, extends, grows;
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
	flags = ut_rng_below(&rng, 4);
	total = ut_rng_below(&rng, 4) ? 1 + ut_rng_below(&rng, 1 << 16) :
					U64_MAX - ut_rng_below(&rng, 1 << 16);
	max = 1 + ut_rng_below(&rng, 256);	/* small: the check runs every op */
	initial = ut_rng_below(&rng, max + 1);
	UT_ASSERT(memkit_oa_init_flags(&oa, total, initial, max, flags) == 0, "init");
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
	struct counts c = {};
	struct ut_args args;
	struct ut_rng rng;
	struct memkit_oa oa;

	ut_init(argc, argv, "test_offset_alloc", 2000000, &args, &rng);
	init_unwinds();
	/* A fixed plain allocator, then a growable one with both extras. */
	for (flags = 0; flags <= (MEMKIT_OA_PRIV | MEMKIT_OA_LOOKUP);
	     flags += MEMKIT_OA_PRIV | MEMKIT_OA_LOOKUP) {
		memset(&c, 0, sizeof(c));
		total = BIT_ULL(20);
		UT_ASSERT(memkit_oa_init_flags(&oa, total, flags ? 16 : OA_MAX, OA_MAX,
					       flags) == 0, "init");
		run(&oa, OA_MAX, args.ops / 2, 512, &rng, &c);
		printf("test_offset_alloc: flags %#x: %llu allocations, %llu -ENOSPC, %llu resets,",
		       flags, c.allocs, c.nospc, c.resets);
		printf(" %llu resizes, %llu extensions, %llu segments added\n",
		       c.resizes, c.extends, c.grows);
		/* The false -ENOSPC oracle must have had work, or it proves nothing. */
		UT_CHECK(c.nospc > args.ops / 2000, "only %llu -ENOSPC", c.nospc);
		UT_CHECK(!flags || c.grows, "the growable allocator never grew");
		memkit_oa_exit(&oa);
	}
	return ut_finish("test_offset_alloc");
}

#endif
