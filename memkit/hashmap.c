// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_hashmap: the relocatable fixed-capacity hash map.
 */

#include <linux/align.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/random.h>

#include <memkit/bug.h>
#include <memkit/compat.h>
#include <memkit/hashmap.h>

/**
 * DOC: Overview
 *
 * A memkit hash map lives entirely inside one buffer the caller provides:
 * a &struct memkit_hashmap_header, two metadata bytes per slot, the keys
 * and the values, each part aligned for its type.  The header records offsets
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
 * most mismatches are rejected without touching the key.  A probe reads
 * the metadata eight slots at a time (one 64-bit word gives every
 * fingerprint match and the first empty slot), except where the eight
 * would wrap past the end of the table.  Deletion shifts the rest of the
 * cluster back instead of leaving tombstones, so probe lengths do not
 * degrade however long a full map churns; the second metadata byte of a
 * used slot, its distance from the key's home slot (saturating at 255),
 * tells which entries may move without hashing their keys again.
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
	/* Two metadata bytes per slot: fingerprints, then distances. */
	if (check_mul_overflow((size_t)capacity, (size_t)2, &end) ||
	    check_add_overflow(end, l->metadata_off, &end) || end > SIZE_MAX - ka)
		return -EINVAL;
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
	map->dist = map->meta + h->capacity;
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
	memset((u8 *)buf + l.metadata_off, 0, 2 * (size_t)capacity);
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
	return __memkit_hashmap_home_dist(map, idx, p);
}
EXPORT_SYMBOL_MEMKIT(memkit_hashmap_probe_length);

/*
 * Every used slot: right fingerprint and distance, and the slot a lookup
 * of its key lands on.  Returns the number of used slots, or MEMKIT_HASHMAP_NONE on
 * the first violation.
 */
static u32 hashmap_check_entries(const struct memkit_hashmap *map,
				 const struct memkit_hashmap_params p)
{
	u32 idx, used = 0;

	for (idx = 0; idx < map->capacity; idx++) {
		const void *key = memkit_hashmap_key(map, idx, p);
		u8 m = map->meta[idx];
		bool found;
		u64 hash;

		if (!m)
			continue;
		if (!(m & MEMKIT_HASHMAP_USED))
			return MEMKIT_HASHMAP_NONE;
		hash = __memkit_hashmap_hash(map, key, p);
		if (m != __memkit_hashmap_fp(hash) ||
		    map->dist[idx] != __memkit_hashmap_dist_byte((idx - (u32)hash) & map->mask))
			return MEMKIT_HASHMAP_NONE;
		/*
		 * A lookup must land here: that proves the entry reachable
		 * from its home slot and the first of its key (no duplicate
		 * earlier on the probe path, which would shadow it).
		 */
		if (__memkit_hashmap_find(map, key, hash, &found, p) != idx || !found)
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
 * metadata bytes well formed, every entry's fingerprint and distance from
 * home matching its key's hash, every entry found by a lookup of its own
 * key (reachable from its home slot, no duplicate key), and the used count
 * equal to the recorded size.  The map is then fully consistent.
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
