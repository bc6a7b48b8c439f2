// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_range's debugfs views: bins, map, place and json.
 */

#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <memkit/debugfs.h>
#include <memkit/range.h>

#include "internal.h"

/**
 * DOC: Range views
 *
 * Each range registered with a name has ``bins`` (totals, the bin bitmaps
 * and one row per non-empty size class), ``map`` (occupancy in 64 cells,
 * and each cell's colour with %MEMKIT_RANGE_PLACE), ``place`` (the guard,
 * the last window, placed and failed counts per mode, eviction scans) and
 * ``json`` (totals, every region in address order and the bins, for
 * tools such as ``tools/range-svg/range-svg.py``).
 *
 * Every view walks the regions with memkit_range_walk(), at most
 * %RANGE_WALK_CHUNK regions per hold of the range's lock, so a read keeps
 * interrupts off for a bounded time whatever the range's size; a walk
 * that concurrent changes restart too often gives up and says so.
 * Complexity: O(regions) per read.  Locking: the range's own lock, in
 * chunks; the registry guarantees the range outlives the read.
 */

/* How a walk went, for the debugfs files. */
static void range_walk_print(struct seq_file *m, struct memkit_range *range,
			     const struct range_walk *w)
{
	seq_printf(m, "walked in %u chunks of up to %u regions, %u restarts%s; longest with %s %llu us\n",
		   w->chunks, RANGE_WALK_CHUNK, w->restarts,
		   w->complete ? "" : " (gave up: incomplete)",
		   range->mutex ? "the mutex held" : "interrupts off",
		   div_u64(w->max_hold_ns, 1000));
}

static void range_summary(struct seq_file *m, void *data)
{
	struct memkit_range *range = data;
	struct memkit_oa_usage r;

	memkit_range_report(range, &r);
	seq_printf(m, "%s size=%llu used=%llu allocs=%u/%u largest_free=%llu",
		   range_kind_name(range), r.size, r.size - r.free, r.allocs,
		   r.max_allocs, r.largest_free);
}

/* Fragmentation in thousandths: 1 - largest free / free. */
static u64 range_frag_milli(const struct memkit_oa_usage *r)
{
	if (!r->free)
		return 0;
	return 1000 - mul_u64_u64_div_u64(r->largest_free, 1000, r->free);
}

static void range_bins_add(u64 offset, u64 size, bool used, u32 color, void *arg)
{
	struct memkit_oa_bin_usage *full = arg;
	u32 bin = memkit_oa_bin_round_down(size);

	if (used)
		return;
	full->bins[bin].regions++;
	full->bins[bin].units += size;
}

static int range_bins_show(struct seq_file *m, void *data)
{
	struct memkit_range *range = data;
	struct memkit_oa_bin_usage *full;
	struct range_walk w = {};
	struct memkit_oa_usage r;
	unsigned long flags;
	u32 bin, frac, nodes, segs;
	u64 frag;

	full = kvzalloc(sizeof(*full), GFP_KERNEL);
	if (!full)
		return -ENOMEM;
	flags = range_lock(range);
	memkit_range_report_locked(range, &r);
	nodes = r.nodes;
	segs = range->oa.nr_segs;
	full->used_bins_top = range->oa.used_bins_top;
	memcpy(full->used_bins, range->oa.used_bins, sizeof(full->used_bins));
	range_unlock(range, flags);
	/* Per-bin counts from the free regions, a chunk at a time. */
	w.fn = range_bins_add;
	w.arg = full;
	memkit_range_walk(range, &w);

	frag = range_frag_milli(&r);
	seq_printf(m, "kind          %s\n", range_kind_name(range));
	seq_printf(m, "size          %llu\n", r.size);
	seq_printf(m, "free          %llu\n", r.free);
	seq_printf(m, "used          %llu\n", r.size - r.free);
	seq_printf(m, "allocs        %u/%u\n", r.allocs, r.max_allocs);
	seq_printf(m, "free_regions  %u\n", r.free_regions);
	seq_printf(m, "largest_free  %llu\n", r.largest_free);
	frag = div_u64_rem(frag, 1000, &frac);
	seq_printf(m, "fragmentation %llu.%03u\n", frag, frac);
	seq_printf(m, "nodes         %u in %u segments\n", nodes, segs);
	seq_printf(m, "metadata      %llu bytes\n", r.metadata_bytes);

	seq_printf(m, "used_bins_top %#018llx\n", full->used_bins_top);
	seq_puts(m, "used_bins    ");
	for (bin = 0; bin < MEMKIT_OA_TOP_BINS; bin++)
		if (full->used_bins[bin])
			seq_printf(m, " %u:%#04x", bin, full->used_bins[bin]);
	seq_puts(m, "\n");
	range_walk_print(m, range, &w);
	seq_puts(m, "\n bin             min_size  regions                units\n");
	for (bin = 0; bin <= MEMKIT_OA_MAX_BIN; bin++)
		if (full->bins[bin].regions)
			seq_printf(m, "%4u %20llu %8u %20llu\n", bin,
				   memkit_oa_bin_size(bin),
				   full->bins[bin].regions,
				   full->bins[bin].units);
	kvfree(full);
	return 0;
}

/*
 * The picture has one cell per unit for ranges smaller than
 * RANGE_MAP_CELLS units, so that every cell covers at least one unit.
 */
struct range_map {
	u64 size;
	u32 cells;
	u64 used[RANGE_MAP_CELLS];
	char color[RANGE_MAP_CELLS];	/* of the first allocation in the cell */
};

static u64 range_map_cell_start(const struct range_map *map, u32 cell)
{
	return cell == map->cells ? map->size :
	       mul_u64_u64_div_u64(cell, map->size, map->cells);
}

static void range_map_add(u64 offset, u64 size, bool used, u32 color, void *arg)
{
	struct range_map *map = arg;
	u64 end = offset + size;
	u32 cell;

	if (!used)
		return;
	cell = mul_u64_u64_div_u64(offset, map->cells, map->size);
	for (; cell < map->cells; cell++) {
		u64 lo = range_map_cell_start(map, cell);
		u64 hi = range_map_cell_start(map, cell + 1);

		if (lo >= end)
			break;
		map->used[cell] += min(hi, end) - max(lo, offset);
		if (map->color[cell] == '.')
			map->color[cell] = "0123456789abcdefghijklmnopqrstuvwxyz"[color % 36];
	}
}

static int range_map_show(struct seq_file *m, void *data)
{
	struct memkit_range *range = data;
	struct range_walk w = {};
	struct range_map *map;
	u32 cell;

	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	/* A walk that overlaps an extension stops at the size read here. */
	map->size = range_locked(range, range->oa.size);
	map->cells = min_t(u64, RANGE_MAP_CELLS, map->size);
	memset(map->color, '.', sizeof(map->color));
	w.fn = range_map_add;
	w.arg = map;
	memkit_range_walk(range, &w);

	seq_printf(m, "0 %llu units, %u cells: '.' free, 1-9 tenths used, '#' full\n",
		   map->size, map->cells);
	range_walk_print(m, range, &w);
	seq_putc(m, '|');
	for (cell = 0; cell < map->cells; cell++) {
		u64 lo = range_map_cell_start(map, cell);
		u64 hi = range_map_cell_start(map, cell + 1);
		u64 used = map->used[cell], width = hi - lo;
		char c;

		if (!used)
			c = '.';
		else if (used == width)
			c = '#';
		else
			c = '0' + clamp_t(u64, mul_u64_u64_div_u64(used, 10, width), 1, 9);
		seq_putc(m, c);
	}
	seq_puts(m, "|\n");
	if (range->oa.flags & MEMKIT_OA_PLACE)
		seq_printf(m, "|%.*s| colour of the first allocation in each cell (mod 36)\n",
			   map->cells, map->color);
	kfree(map);
	return 0;
}

/* The JSON dump: each region as [offset, size, used, colour], and the bins. */
struct range_json {
	struct seq_file *m;
	struct memkit_oa_bin_usage *full;
	u64 regions;
};

static void range_json_add(u64 offset, u64 size, bool used, u32 color, void *arg)
{
	struct range_json *j = arg;

	seq_printf(j->m, "%s\n  [%llu, %llu, %d, %u]", j->regions++ ? "," : "", offset, size,
		   used, color);
	range_bins_add(offset, size, used, color, j->full);
}

/*
 * Machine-readable state for tools (tools/range-svg.py draws it): the
 * totals, every region in address order and the free regions per bin.
 * Regions are visited as the other files visit them, a chunk at a time;
 * "complete" is false if concurrent changes made the walk give up.
 */
static int range_json_show(struct seq_file *m, void *data)
{
	struct memkit_range *range = data;
	struct range_json j = { .m = m };
	struct range_walk w = { .fn = range_json_add, .arg = &j };
	struct memkit_oa_usage r;
	bool first = true;
	u64 guard;
	u32 bin;

	j.full = kvzalloc(sizeof(*j.full), GFP_KERNEL);
	if (!j.full)
		return -ENOMEM;
	memkit_range_report(range, &r);
	guard = range_locked(range, range->oa.guard);
	seq_printf(m, "{\n \"name\": \"%s\",\n \"kind\": \"%s\",\n", range->name,
		   range_kind_name(range));
	seq_printf(m, " \"size\": %llu,\n \"free\": %llu,\n \"allocs\": %u,\n \"max_allocs\": %u,\n",
		   r.size, r.free, r.allocs, r.max_allocs);
	seq_printf(m, " \"free_regions\": %u,\n \"largest_free\": %llu,\n \"guard\": %llu,\n",
		   r.free_regions, r.largest_free, guard);
	seq_puts(m, " \"regions\": [");
	memkit_range_walk(range, &w);
	seq_printf(m, "\n ],\n \"complete\": %s,\n \"bins\": [", w.complete ? "true" : "false");
	for (bin = 0; bin <= MEMKIT_OA_MAX_BIN; bin++) {
		if (!j.full->bins[bin].regions)
			continue;
		seq_printf(m, "%s\n  {\"bin\": %u, \"min_size\": %llu, \"regions\": %u, \"units\": %llu}",
			   first ? "" : ",", bin, memkit_oa_bin_size(bin),
			   j.full->bins[bin].regions, j.full->bins[bin].units);
		first = false;
	}
	seq_puts(m, "\n ]\n}\n");
	kvfree(j.full);
	return 0;
}

static int range_place_show(struct seq_file *m, void *data)
{
	static const char * const modes[] = {
		[MEMKIT_OA_FAST] = "fast", [MEMKIT_OA_BEST] = "best",
		[MEMKIT_OA_LOW] = "low", [MEMKIT_OA_HIGH] = "high",
	};
	struct memkit_range *range = data;
	unsigned long flags;
	typeof(range->place) place;
	u64 guard;
	u32 i;

	flags = range_lock(range);
	place = range->place;
	guard = range->oa.guard;
	range_unlock(range, flags);

	seq_printf(m, "placement index %s, best fit %s, guard %llu units between colours\n",
		   range->oa.flags & MEMKIT_OA_PLACE ? "on" : "off (MEMKIT_RANGE_PLACE not set)",
		   range->oa.flags & MEMKIT_OA_BEST_FIT ? "on" :
		   "off (MEMKIT_RANGE_BEST_FIT not set)", guard);
	if (place.start || place.end)
		seq_printf(m, "last window [%llu, %llu)\n", place.start, place.end);
	else
		seq_puts(m, "last window none\n");
	seq_printf(m, "%-6s %20s %20s\n", "mode", "placed", "failed");
	for (i = 0; i < MEMKIT_OA_NR_MODES; i++)
		seq_printf(m, "%-6s %20llu %20llu\n", modes[i], place.placed[i], place.failed[i]);
	seq_printf(m, "eviction scans %llu, found a hole %llu\n", place.scans, place.scans_hit);
	return 0;
}

static const struct memkit_debugfs_file range_files[] = {
	{ .name = "bins", .show = range_bins_show },
	{ .name = "map", .show = range_map_show },
	{ .name = "place", .show = range_place_show },
	{ .name = "json", .show = range_json_show },
};

const struct memkit_debugfs_ops memkit_range_debugfs_ops = {
	.kind = "range",
	.summary = range_summary,
	.files = range_files,
	.nr_files = ARRAY_SIZE(range_files),
};
