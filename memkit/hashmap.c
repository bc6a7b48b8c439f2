// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_hashmap: the relocatable fixed-capacity hash map.
 */

#include <linux/align.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <memkit/bug.h>
#include <memkit/compat.h>
#include <memkit/hashmap.h>

/**
 * DOC: Overview
 *
 * A memkit hash map lives entirely inside one buffer the caller provides:
 * a &struct memkit_hashmap_header, one metadata byte per slot, the keys and
 * the values, each part aligned for its type.  The header records offsets
 * and counts, never pointers, so the buffer can be copied, moved, saved or
 * handed to another module; memkit_hashmap_attach() then validates it and
 * derives a new &struct memkit_hashmap handle from the new address.
 *
 * The capacity is fixed (0 or a power of two) and at most
 * capacity * max_load_percent / 100 entries fit (the percentage is chosen
 * at init, 80 by default, up to 100, and travels in the header); a put
 * beyond that is -ENOSPC and changes nothing.
 *
 * Collisions are resolved by linear probing.  A metadata byte is 0 for an
 * empty slot, else the used bit and the top 7 bits of the key's hash, so
 * most mismatches are rejected without touching the key.  Deletion shifts
 * the rest of the cluster back instead of leaving tombstones, so probe
 * lengths do not degrade however long a full map churns.
 *
 * Keys are hashed with SipHash under a random per-map seed kept in the
 * header, unless the params supply a hash for trusted keys.  The key and
 * value types come from a &struct memkit_hashmap_params passed by value to
 * ``static __always_inline`` operations, so each call site is specialised.
 *
 * Complexity: lookup, insert and remove O(1) expected, O(capacity) at
 * worst, bounded even in a full table; clear O(capacity); attach
 * O(capacity + size * probe length), since it checks every entry.
 *
 * Locking: none.  The caller serialises every call on one map (and any
 * copy of its buffer) with its own lock, and names that lock when it
 * registers the map in debugfs.
 */

static bool hashmap_params_ok(const struct memkit_hashmap_params *p,
			      u32 *key_align, u32 *value_align)
{
	*key_align = p->key_align ?: 1;
	*value_align = p->value_align ?: 1;
	return is_power_of_2(*key_align) && is_power_of_2(*value_align) &&
	       p->key_size % *key_align == 0 && p->value_size % *value_align == 0;
}

/* Alignment the buffer itself needs. */
static size_t hashmap_base_align(u32 key_align, u32 value_align)
{
	return max3((size_t)__alignof__(struct memkit_hashmap_header),
		    (size_t)key_align, (size_t)value_align);
}

static u32 hashmap_max_size(u32 capacity, u32 max_load)
{
	return div_u64((u64)capacity * max_load, 100);
}

/**
 * memkit_hashmap_layout_for_capacity() - the buffer layout for a capacity
 * @capacity: slots: 0 or a power of two up to %MEMKIT_HASHMAP_MAX_CAPACITY.
 * @p: the key and value types.
 * @l: receives the layout.
 *
 * Every size is checked for overflow, so large capacities with large
 * entries compute correctly or fail; they never wrap.
 *
 * Context: any context.
 * Return: 0, or -EINVAL for a bad capacity or params, or a layout that
 * does not fit in a size_t.
 */
int memkit_hashmap_layout_for_capacity(u32 capacity,
				       const struct memkit_hashmap_params p,
				       struct memkit_hashmap_layout *l)
{
	u32 ka, va;
	size_t end;

	memset(l, 0, sizeof(*l));
	if (!hashmap_params_ok(&p, &ka, &va) || capacity > MEMKIT_HASHMAP_MAX_CAPACITY ||
	    (capacity && !is_power_of_2(capacity)))
		return -EINVAL;
	l->capacity = capacity;
	l->metadata_off = sizeof(struct memkit_hashmap_header);
	end = l->metadata_off + capacity;
	l->keys_off = ALIGN(end, ka);
	if (check_mul_overflow((size_t)capacity, (size_t)p.key_size, &end) ||
	    check_add_overflow(end, l->keys_off, &end) ||
	    end > SIZE_MAX - va)
		return -EINVAL;
	l->values_off = ALIGN(end, va);
	if (check_mul_overflow((size_t)capacity, (size_t)p.value_size, &end) ||
	    check_add_overflow(end, l->values_off, &l->total))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_hashmap_layout_for_capacity);

/**
 * memkit_hashmap_layout_for_size() - the smallest layout that holds n entries
 * @n: entries wanted.
 * @max_load_percent: the map's maximum load, 1-100 (0 means 80).
 * @p: the key and value types.
 * @l: receives the layout; @l->capacity is the capacity to init with.
 *
 * Context: any context.
 * Return: 0, or -EINVAL if no capacity up to the maximum holds @n.
 */
int memkit_hashmap_layout_for_size(u32 n, u32 max_load_percent,
				   const struct memkit_hashmap_params p,
				   struct memkit_hashmap_layout *l)
{
	u64 cap = 0;

	if (!max_load_percent)
		max_load_percent = MEMKIT_HASHMAP_DEFAULT_LOAD;
	if (max_load_percent > 100)
		return -EINVAL;
	if (n) {
		cap = roundup_pow_of_two(div_u64((u64)n * 100 + max_load_percent - 1,
						 max_load_percent));
		if (hashmap_max_size(min_t(u64, cap, MEMKIT_HASHMAP_MAX_CAPACITY),
				     max_load_percent) < n)
			cap *= 2;
		if (cap > MEMKIT_HASHMAP_MAX_CAPACITY)
			return -EINVAL;
	}
	return memkit_hashmap_layout_for_capacity(cap, p, l);
}
EXPORT_SYMBOL_MEMKIT(memkit_hashmap_layout_for_size);

/* Point the handle at the parts of the buffer the header describes. */
static void hashmap_derive(struct memkit_hashmap *map, void *buf)
{
	struct memkit_hashmap_header *h = buf;

	map->hdr = h;
	map->meta = (u8 *)buf + h->metadata_off;
	map->keys = (u8 *)buf + h->keys_off;
	map->values = (u8 *)buf + h->values_off;
	map->capacity = h->capacity;
	map->mask = h->capacity ? h->capacity - 1 : 0;
	map->max_size = hashmap_max_size(h->capacity, h->max_load_percent);
}

/**
 * memkit_hashmap_init() - build an empty map in a buffer
 * @map: the handle to set up.
 * @buf: the buffer, aligned to max(8, key and value alignment).
 * @buf_size: its size; at least memkit_hashmap_layout_for_capacity()'s total.
 * @capacity: slots: 0 or a power of two.
 * @max_load_percent: 1-100; 0 means 80.
 * @p: the key and value types.
 *
 * Context: any context.
 * Return: 0, or -EINVAL for a bad argument, a misaligned or too small
 * buffer.
 */
int memkit_hashmap_init(struct memkit_hashmap *map, void *buf, size_t buf_size,
			u32 capacity, u32 max_load_percent,
			const struct memkit_hashmap_params p)
{
	struct memkit_hashmap_header *h = buf;
	struct memkit_hashmap_layout l;
	u32 ka, va;
	int ret;

	memset(map, 0, sizeof(*map));
	if (!max_load_percent)
		max_load_percent = MEMKIT_HASHMAP_DEFAULT_LOAD;
	ret = memkit_hashmap_layout_for_capacity(capacity, p, &l);
	if (ret)
		return ret;
	hashmap_params_ok(&p, &ka, &va);
	if (!buf || max_load_percent > 100 || buf_size < l.total ||
	    !IS_ALIGNED((unsigned long)buf, hashmap_base_align(ka, va)))
		return -EINVAL;

	*h = (struct memkit_hashmap_header) {
		.magic = MEMKIT_HASHMAP_MAGIC,
		.version = MEMKIT_HASHMAP_VERSION,
		.max_load_percent = max_load_percent,
		.own_hash = !!p.hash,
		.capacity = capacity,
		.key_size = p.key_size,
		.value_size = p.value_size,
		.key_align = ka,
		.value_align = va,
		.metadata_off = l.metadata_off,
		.keys_off = l.keys_off,
		.values_off = l.values_off,
		.total = l.total,
	};
	get_random_bytes(&h->seed, sizeof(h->seed));
	memset((u8 *)buf + l.metadata_off, 0, capacity);
	hashmap_derive(map, buf);
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_hashmap_init);

/**
 * memkit_hashmap_probe_length() - how far an entry sits from its home slot
 * @map: the map.
 * @idx: a used slot.
 * @p: the map's params.
 *
 * Context: the owner's lock held.
 * Return: 0 for an entry in its home slot, 1 for the next, and so on.
 */
u32 memkit_hashmap_probe_length(const struct memkit_hashmap *map, u32 idx,
				const struct memkit_hashmap_params p)
{
	u64 hash = __memkit_hashmap_hash(map, memkit_hashmap_key(map, idx, p), p);

	return (idx - (u32)hash) & map->mask;
}
EXPORT_SYMBOL_MEMKIT(memkit_hashmap_probe_length);

/*
 * Every used slot: right fingerprint, and reachable from its home slot
 * without crossing an empty one.  Returns the number of used slots, or
 * MEMKIT_HASHMAP_NONE on the first violation.
 */
static u32 hashmap_check_entries(const struct memkit_hashmap *map,
				 const struct memkit_hashmap_params p)
{
	u32 idx, used = 0, k;

	for (idx = 0; idx < map->capacity; idx++) {
		u8 m = map->meta[idx];
		u64 hash;
		u32 dist;

		if (!m)
			continue;
		if (!(m & MEMKIT_HASHMAP_USED))
			return MEMKIT_HASHMAP_NONE;
		hash = __memkit_hashmap_hash(map, memkit_hashmap_key(map, idx, p), p);
		if (m != __memkit_hashmap_fp(hash))
			return MEMKIT_HASHMAP_NONE;
		dist = (idx - (u32)hash) & map->mask;
		for (k = 1; k <= dist; k++)
			if (!map->meta[(idx - k) & map->mask])
				return MEMKIT_HASHMAP_NONE;
		used++;
	}
	return used;
}

/**
 * memkit_hashmap_attach() - take up a map in a buffer, after a copy or move
 * @map: the handle to set up.
 * @buf: the buffer, aligned to max(8, key and value alignment).
 * @buf_size: bytes available at @buf.
 * @p: the key and value types the map was built with.
 *
 * The bytes may come from anywhere (a file, another module), so
 * everything is checked before use: magic and version, params against the
 * header, capacity a power of two, every offset equal to the layout the
 * capacity implies and inside @buf_size, the load within its maximum,
 * metadata bytes well formed, every entry's fingerprint matching its key's
 * hash and reachable from its home slot, and the used count equal to the
 * recorded size.  The map is then fully consistent.
 *
 * Context: the owner's lock held.  O(capacity + size * probe length).
 * Return: 0, or -EINVAL for anything inconsistent (the handle is zeroed).
 */
int memkit_hashmap_attach(struct memkit_hashmap *map, void *buf, size_t buf_size,
			  const struct memkit_hashmap_params p)
{
	const struct memkit_hashmap_header *h = buf;
	struct memkit_hashmap_layout l;
	u32 ka, va;

	memset(map, 0, sizeof(*map));
	if (!buf || buf_size < sizeof(*h) || !hashmap_params_ok(&p, &ka, &va) ||
	    !IS_ALIGNED((unsigned long)buf, hashmap_base_align(ka, va)))
		return -EINVAL;
	if (h->magic != MEMKIT_HASHMAP_MAGIC || h->version != MEMKIT_HASHMAP_VERSION ||
	    !h->max_load_percent || h->max_load_percent > 100 ||
	    h->own_hash != !!p.hash || h->key_size != p.key_size ||
	    h->value_size != p.value_size || h->key_align != ka || h->value_align != va)
		return -EINVAL;
	if (memkit_hashmap_layout_for_capacity(h->capacity, p, &l) ||
	    h->metadata_off != l.metadata_off || h->keys_off != l.keys_off ||
	    h->values_off != l.values_off || h->total != l.total || l.total > buf_size ||
	    h->size > hashmap_max_size(h->capacity, h->max_load_percent))
		return -EINVAL;

	hashmap_derive(map, buf);
	if (hashmap_check_entries(map, p) != h->size) {
		memset(map, 0, sizeof(*map));
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_hashmap_attach);

/**
 * memkit_hashmap_clear() - remove every entry
 * @map: the map.
 *
 * Context: the owner's lock held.  O(capacity).
 */
void memkit_hashmap_clear(struct memkit_hashmap *map)
{
	memset(map->meta, 0, map->capacity);
	map->hdr->size = 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_hashmap_clear);

/**
 * memkit_hashmap_remove_by_ptr() - remove the entry whose key is at @key_ptr
 * @map: the map.
 * @key_ptr: a pointer into the map's keys, from memkit_hashmap_key(); with
 *	zero-sized keys any value, since the map then holds at most one entry.
 * @p: the map's params.
 *
 * A pointer that is not a used key slot is a caller bug: reported, refused.
 *
 * Context: the owner's lock held.
 * Return: 0, or -EINVAL for a bad pointer, -ENOENT for an empty map with
 * zero-sized keys.
 */
int memkit_hashmap_remove_by_ptr(struct memkit_hashmap *map, const void *key_ptr,
				 const struct memkit_hashmap_params p)
{
	const u8 *k = key_ptr;
	size_t off;
	u32 idx;

	if (!p.key_size) {
		idx = __memkit_hashmap_next(map, 0);
		if (idx == map->capacity)
			return -ENOENT;
	} else {
		off = k - map->keys;
		idx = off / p.key_size;
		if (memkit_warn_once(k < map->keys || idx >= map->capacity ||
				     off % p.key_size || !map->meta[idx],
				     "remove of a pointer that is not a used key slot"))
			return -EINVAL;
	}
	memkit_hashmap_remove_at(map, idx, p);
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_hashmap_remove_by_ptr);

/* debugfs */

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
	unsigned long flags = 0;

	if (dbg->lock)
		spin_lock_irqsave(dbg->lock, flags);
	else
		__acquire(dbg->lock);
	return flags;
}

static void hashmap_unlock(struct memkit_hashmap_debugfs *dbg, unsigned long flags)
	__releases(dbg->lock)
{
	if (dbg->lock)
		spin_unlock_irqrestore(dbg->lock, flags);
	else
		__release(dbg->lock);
}

struct hashmap_report {
	u64 hist[ARRAY_SIZE(hashmap_buckets)];
	u32 cells[HASHMAP_MAP_CELLS];
	u64 dist_sum;
	u32 dist_max;
	u32 count, capacity, max_load, max_size;
	u64 bytes;
	bool attached;
};

/* Everything debugfs shows, read under the owner's lock. */
static void hashmap_report(struct memkit_hashmap_debugfs *dbg, struct hashmap_report *r,
			   bool walk)
{
	struct memkit_hashmap *map = dbg->map;
	unsigned long flags = hashmap_lock(dbg);
	u32 idx, ncells;

	/* A failed re-attach leaves a zeroed handle. */
	r->attached = map->hdr;
	if (!r->attached)
		goto out;
	r->count = map->hdr->size;
	r->capacity = map->capacity;
	r->max_load = map->hdr->max_load_percent;
	r->max_size = map->max_size;
	r->bytes = map->hdr->total;
	ncells = min_t(u32, HASHMAP_MAP_CELLS, r->capacity);
	if (!walk)
		goto out;
	memkit_hashmap_for_each(map, idx) {
		u32 dist = memkit_hashmap_probe_length(map, idx, dbg->params);

		r->hist[hashmap_bucket(dist)]++;
		r->dist_sum += dist;
		r->dist_max = max(r->dist_max, dist);
		r->cells[(u64)idx * ncells / r->capacity]++;
	}
out:
	hashmap_unlock(dbg, flags);
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
	seq_printf(m, "probe_mean    %llu.%02llu\n",
		   r->count ? div_u64(r->dist_sum, r->count) : 0,
		   r->count ? div_u64(r->dist_sum * 100, r->count) % 100 : 0);
	seq_printf(m, "probe_max     %u\n", r->dist_max);
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
 * memkit_hashmap_register() - show a map in debugfs
 * @dbg: a zero-initialised registration, kept alive while registered.
 * @map: the handle it shows; the owner may re-attach it (under @lock).
 * @name: its debugfs name; see memkit_debugfs_register().
 * @p: the map's params (copied; used to compute probe lengths).
 * @lock: the irq-safe spinlock the owner serialises the map with, taken
 *	while reading it; NULL for a map that no longer changes.
 *
 * ``memkit/<name>/stats`` then shows capacity, count, maximum load, bytes,
 * load, mean and maximum probe length, a probe-length histogram in
 * buckets 0, 1, 2, 3-4, 5-8, 9-16, 17+, and an occupancy line.
 * Unregister before freeing the buffer, the handle or the lock.
 *
 * Context: process context.
 * Return: 0 or what memkit_debugfs_register() returns.
 */
int memkit_hashmap_register(struct memkit_hashmap_debugfs *dbg,
			    struct memkit_hashmap *map, const char *name,
			    const struct memkit_hashmap_params p, spinlock_t *lock)
{
	dbg->map = map;
	dbg->params = p;
	dbg->lock = lock;
	return memkit_debugfs_register(&dbg->entry, name, &hashmap_debugfs_ops, dbg);
}
EXPORT_SYMBOL_MEMKIT(memkit_hashmap_register);

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
