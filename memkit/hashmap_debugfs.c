// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_hashmap's debugfs view: stats, load and probe lengths.
 */

#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <memkit/compat.h>
#include <memkit/debugfs.h>
#include <memkit/hashmap.h>

#include "internal.h"

/**
 * DOC: Hash map view
 *
 * A registered map has ``stats``: count, capacity and load, a histogram
 * of probe lengths (distance from home) and occupancy in 64 cells.  The
 * slots are walked %HASHMAP_WALK_CHUNK at a time under the owner's
 * spinlock (none for a frozen map), so a read keeps interrupts off for a
 * bounded time.  The view lives in its own file so that hashmap.c
 * compiles unchanged in the userspace harness.  O(capacity) per read.
 */

#define HASHMAP_MAP_CELLS	64

static const char * const hashmap_buckets[] = {
	"0", "1", "2", "3-4", "5-8", "9-16", "17+",
};

static unsigned int hashmap_bucket(u32 dist)
{
	if (dist <= 2)
		return dist;
	if (dist > 16)
		return 6;
	return 1 + order_base_2(dist);	/* 3-4: 3, 5-8: 4, 9-16: 5 */
}

static unsigned long hashmap_lock(struct memkit_hashmap_debugfs *dbg)
	__acquires(dbg->lock)
{
	return memkit_lock(dbg->lock, NULL);
}

static void hashmap_unlock(struct memkit_hashmap_debugfs *dbg, unsigned long flags)
	__releases(dbg->lock)
{
	memkit_unlock(dbg->lock, NULL, flags);
}

/* Slots walked per hold of the owner's lock. */
#define HASHMAP_WALK_CHUNK	4096

struct hashmap_report {
	u64 hist[ARRAY_SIZE(hashmap_buckets)];
	u32 cells[HASHMAP_MAP_CELLS];
	u64 dist_sum;
	u32 dist_max;
	u32 count, capacity, max_load, max_size;
	u64 bytes;
	bool attached;
	bool changed;		/* re-attached while walking: walk cut short */
	u32 chunks;
	u64 max_hold_ns;
};

/* Slots [@from, @to) into the histogram and the occupancy cells. */
static void hashmap_walk_slots(struct memkit_hashmap_debugfs *dbg, struct hashmap_report *r,
			       u32 from, u32 to)
{
	struct memkit_hashmap *map = dbg->map;
	u32 ncells = min_t(u32, HASHMAP_MAP_CELLS, r->capacity), idx;

	for (idx = from; idx < to; idx++) {
		u32 dist;

		if (!map->meta[idx])
			continue;
		dist = memkit_hashmap_probe_length(map, idx, dbg->params);
		r->hist[hashmap_bucket(dist)]++;
		r->dist_sum += dist;
		r->dist_max = max(r->dist_max, dist);
		r->cells[div_u64((u64)idx * ncells, r->capacity)]++;
	}
}

/*
 * Everything debugfs shows, read under the owner's lock: the totals in one
 * hold, the slots HASHMAP_WALK_CHUNK per hold, so that interrupts are
 * never off for more than that many slots.  A map re-attached between two
 * chunks ends the walk.
 */
static void hashmap_report(struct memkit_hashmap_debugfs *dbg, struct hashmap_report *r,
			   bool walk)
{
	struct memkit_hashmap *map = dbg->map;
	unsigned long flags = hashmap_lock(dbg);
	struct memkit_hashmap_header *hdr;
	u32 from;
	u64 t;

	/* A failed re-attach leaves a zeroed handle. */
	hdr = map->hdr;
	r->attached = hdr;
	if (r->attached) {
		r->count = hdr->size;
		r->capacity = map->capacity;
		r->max_load = hdr->max_load_percent;
		r->max_size = map->max_size;
		r->bytes = hdr->total;
	}
	hashmap_unlock(dbg, flags);
	if (!r->attached || !walk)
		return;
	for (from = 0; from < r->capacity; from += HASHMAP_WALK_CHUNK) {
		flags = hashmap_lock(dbg);
		t = ktime_get_ns();
		r->changed = map->hdr != hdr || map->capacity != r->capacity;
		if (!r->changed)
			hashmap_walk_slots(dbg, r, from,
					   min_t(u64, (u64)from + HASHMAP_WALK_CHUNK, r->capacity));
		t = ktime_get_ns() - t;
		hashmap_unlock(dbg, flags);
		r->max_hold_ns = max(r->max_hold_ns, t);
		r->chunks++;
		if (r->changed)
			break;
		cond_resched();
	}
}

static u32 hashmap_load(const struct hashmap_report *r)
{
	return r->capacity ? div_u64((u64)r->count * 100, r->capacity) : 0;
}

static void hashmap_summary(struct seq_file *m, void *data)
{
	struct hashmap_report r = {};

	hashmap_report(data, &r, false);
	if (!r.attached)
		seq_puts(m, "detached");
	else
		seq_printf(m, "capacity=%u count=%u load=%u%%", r.capacity, r.count,
			   hashmap_load(&r));
}

static int hashmap_stats_show(struct seq_file *m, void *data)
{
	struct hashmap_report *r;
	u32 i, ncells, per;
	u64 mean;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	hashmap_report(data, r, true);
	if (!r->attached) {
		seq_puts(m, "detached\n");
		goto out;
	}
	seq_printf(m, "capacity      %u\n", r->capacity);
	seq_printf(m, "count         %u\n", r->count);
	seq_printf(m, "max_count     %u\n", r->max_size);
	seq_printf(m, "max_load      %u%%\n", r->max_load);
	seq_printf(m, "load          %u%%\n", hashmap_load(r));
	seq_printf(m, "bytes         %llu\n", r->bytes);
	mean = r->count ? div_u64(r->dist_sum * 100, r->count) : 0;
	mean = div_u64_rem(mean, 100, &i);
	seq_printf(m, "probe_mean    %llu.%02u\n", mean, i);
	seq_printf(m, "probe_max     %u\n", r->dist_max);
	seq_printf(m, "walked in %u chunks of up to %u slots%s; longest with the lock held %llu us\n",
		   r->chunks, HASHMAP_WALK_CHUNK,
		   r->changed ? " (re-attached meanwhile: partial)" : "",
		   div_u64(r->max_hold_ns, 1000));
	seq_puts(m, "probe_histogram (distance from home slot: entries)\n");
	for (i = 0; i < ARRAY_SIZE(hashmap_buckets); i++)
		seq_printf(m, "  %-5s %llu\n", hashmap_buckets[i], r->hist[i]);
	ncells = min_t(u32, HASHMAP_MAP_CELLS, r->capacity);
	per = ncells ? r->capacity / ncells : 0;
	seq_printf(m, "occupancy, %u slots per cell: '.' empty, 1-9 tenths used, '#' full\n|",
		   per);
	for (i = 0; i < ncells; i++) {
		u32 used = r->cells[i];

		seq_putc(m, !used ? '.' : used == per ? '#' :
			 '0' + clamp_t(u32, used * 10 / per, 1, 9));
	}
	seq_puts(m, "|\n");
out:
	kfree(r);
	return 0;
}

static const struct memkit_debugfs_file hashmap_files[] = {
	{ .name = "stats", .show = hashmap_stats_show },
};

static const struct memkit_debugfs_ops hashmap_debugfs_ops = {
	.kind = "hashmap",
	.summary = hashmap_summary,
	.files = hashmap_files,
	.nr_files = ARRAY_SIZE(hashmap_files),
};

/**
 * __memkit_hashmap_register() - show a map in debugfs
 * @dbg: a zero-initialised registration, kept alive while registered.
 * @map: the handle it shows; the owner may re-attach it (under @lock).
 * @name: its debugfs name; see memkit_debugfs_register().
 * @p: the map's params (copied; used to compute probe lengths).
 * @lock: the irq-safe spinlock the owner serialises the map with, taken
 *	while reading it; NULL for a map that no longer changes.
 * @owner: the module the map belongs to; see __memkit_debugfs_register().
 *
 * ``memkit/<name>/stats`` then shows capacity, count, maximum load, bytes,
 * load, mean and maximum probe length, a probe-length histogram in
 * buckets 0, 1, 2, 3-4, 5-8, 9-16, 17+, and an occupancy line.
 * Unregister before freeing the buffer, the handle or the lock.
 *
 * Context: process context.
 * Return: 0 or what memkit_debugfs_register() returns.
 */
int __memkit_hashmap_register(struct memkit_hashmap_debugfs *dbg,
			      struct memkit_hashmap *map, const char *name,
			      const struct memkit_hashmap_params p, spinlock_t *lock,
			      struct module *owner)
{
	dbg->map = map;
	dbg->params = p;
	dbg->lock = lock;
	return __memkit_debugfs_register(&dbg->entry, NULL, name, &hashmap_debugfs_ops, dbg, owner);
}
EXPORT_SYMBOL_MEMKIT(__memkit_hashmap_register);

/**
 * memkit_hashmap_unregister() - remove a map from debugfs
 * @dbg: the registration, or a zeroed one (then a no-op).
 *
 * Context: process context.
 */
void memkit_hashmap_unregister(struct memkit_hashmap_debugfs *dbg)
{
	memkit_debugfs_unregister(&dbg->entry);
}
EXPORT_SYMBOL_MEMKIT(memkit_hashmap_unregister);
