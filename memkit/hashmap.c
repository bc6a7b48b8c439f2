// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_hashmap: the relocatable fixed-capacity hash map.
 */

#include <linux/align.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/random.h>

#include <memkit/bug.h>
#include <memkit/compat.h>
#include <memkit/hashmap.h>

#include "memkit_trace.h"

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
 * empty slot, else the used bit and 7 bits of the key's hash, so
 * most mismatches are rejected without touching the key.  A probe reads
 * the metadata eight slots at a time (one 64-bit word gives every
 * fingerprint match and the first empty slot), except where the eight
 * would wrap past the end of the table.  Deletion shifts the rest of the
 * cluster back instead of leaving tombstones, so probe lengths do not
 * degrade however long a full map churns; the second metadata byte of a
 * used slot, its distance from the key's home slot (saturating at 255),
 * tells which entries may move without hashing their keys again.
 *
 * Keys are hashed with hsiphash() under a random per-map seed kept in
 * the header (HalfSipHash-1-3, SipHash-1-3 on 64-bit: the kernel's choice
 * for hash tables, whose output is never shown), unless the params
 * supply a hash; a caller's hash is given the seed too.  The seed travels
 * in the buffer, so a map shared with user space must not rely on it to
 * keep keys from colliding: attach_reseed() is for images from there.  The key and
 * value types come from a &struct memkit_hashmap_params passed by value to
 * ``static __always_inline`` operations, so each call site is specialised.
 *
 * Complexity: lookup, insert and remove O(1) expected, O(capacity) at
 * worst, bounded even in a full table; clear O(capacity).
 *
 * Attach takes bytes that may come from anywhere and checks them in one
 * pass: every entry's fingerprint and distance, and that its home slot
 * lies in the run of used slots that ends at it (so a probe reaches it).
 * The sum of the entries' distances must then stay within a budget,
 * memkit_hashmap_probe_budget(), about 6x what a map with a random seed
 * has at the same load (10x at 80 %), so an image whose keys were chosen
 * to collide is refused instead of making attach, and every lookup after
 * it, cost O(capacity) per entry.  Duplicate keys are found by a lookup
 * per entry after that, whose cost is that same sum (home and
 * fingerprint come from the checked metadata, not a second hash).  Attach
 * is thus
 * O(capacity + budget): O(capacity) for any load up to 95 %.  An image
 * from an untrusted source may instead be re-seeded:
 * memkit_hashmap_attach_reseed() draws a new seed and re-places every
 * entry in place, O(capacity) expected, so collisions chosen under the
 * old seed are gone.
 *
 * Shared buffers: the handle keeps its own copy of the capacity and of
 * where each part of the buffer is, so every operation touches only the
 * buffer and ends within O(capacity) steps even while another party
 * (user space, a device) writes the buffer.  What the operations return
 * is then only as good as the bytes; attach again, after taking the
 * buffer back, to trust it.
 *
 * Locking: none.  The caller serialises every call on one map (and any
 * copy of its buffer) with its own lock, and names that lock when it
 * registers the map in debugfs.
 */

/* The default hash keys hsiphash() with the start of the seed. */
static_assert(sizeof(hsiphash_key_t) <= sizeof(siphash_key_t));

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
	u64 slots;
	u32 cap = 0;

	if (!max_load_percent)
		max_load_percent = MEMKIT_HASHMAP_DEFAULT_LOAD;
	if (max_load_percent > 100)
		return -EINVAL;
	if (n) {
		/* Rounded up to a power of two in 64 bits, also on 32-bit kernels. */
		slots = div_u64((u64)n * 100 + max_load_percent - 1, max_load_percent);
		if (slots > MEMKIT_HASHMAP_MAX_CAPACITY)
			return -EINVAL;
		cap = slots > 1 ? (u32)1 << fls64(slots - 1) : 1;
		if (hashmap_max_size(cap, max_load_percent) < n) {
			if (cap == MEMKIT_HASHMAP_MAX_CAPACITY)
				return -EINVAL;
			cap *= 2;
		}
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

/**
 * memkit_hashmap_probe_budget() - the most probing attach accepts
 * @count: entries in the map.
 * @capacity: its slots.
 *
 * Linear probing with @count keys in @capacity slots under a random seed
 * moves the keys about count * capacity / (2 * (capacity - count)) slots
 * from home in all, and 0.63 * capacity^1.5 in a full table.  The budget,
 * 4 * count * capacity / (capacity - count + sqrt(capacity)) + capacity,
 * is 6 to 10 times that at every load, so a map built by memkit passes
 * (a random map is that far off its expectation with negligible
 * probability), and an image whose keys were chosen to collide, which
 * needs about count^2 / 2, is refused once it has more than a few dozen
 * entries.
 *
 * Context: any context.
 * Return: the largest sum of distances from home that attach accepts.
 */
u64 memkit_hashmap_probe_budget(u32 count, u32 capacity)
{
	u64 room = (u64)capacity - min(count, capacity) + int_sqrt(capacity);

	if (!capacity)
		return 0;
	return div64_u64(4 * (u64)count * capacity, room) + capacity;
}
EXPORT_SYMBOL_MEMKIT(memkit_hashmap_probe_budget);

/*
 * One pass over the slots, each cluster from its start: metadata well
 * formed, fingerprint and distance matching the key's hash, and the home
 * slot inside the run of used slots that ends at the entry, so a probe
 * from home reaches it.  Counts the used slots and sums their distances.
 * O(capacity): no probing.
 */
static int hashmap_check_placement(const struct memkit_hashmap *map,
				   const struct memkit_hashmap_params p,
				   u32 *used, u64 *dist_sum)
{
	u32 start, run, i;

	*used = 0;
	*dist_sum = 0;
	/* Start after an empty slot; a table with none is one cyclic run. */
	for (start = 0; start < map->capacity && map->meta[start]; start++)
		;
	run = start == map->capacity ? map->capacity : 0;
	for (i = 1; i <= map->capacity; i++) {
		u32 idx = (start + i) & map->mask, d;
		u8 m = map->meta[idx];
		u64 hash;

		if (!m) {
			run = 0;
			continue;
		}
		hash = __memkit_hashmap_hash(map, memkit_hashmap_key(map, idx, p), p);
		d = (idx - (u32)hash) & map->mask;
		if (m != __memkit_hashmap_fp(hash) ||
		    map->dist[idx] != __memkit_hashmap_dist_byte(d) || d > run)
			return -EINVAL;
		run++;
		(*used)++;
		*dist_sum += d;
	}
	return 0;
}

/*
 * With placement checked and the sum of distances within the budget, a
 * lookup of each key must land on the key's own slot: a duplicate earlier
 * on its probe path would shadow it.  The probe needs only the home slot
 * and the fingerprint, which the checked metadata already give (the key
 * is hashed again only at a saturated distance), so the cost is the sum
 * of distances, not a second round of hashing.
 */
static int hashmap_check_unique(const struct memkit_hashmap *map,
				const struct memkit_hashmap_params p)
{
	u32 idx;

	memkit_hashmap_for_each(map, idx) {
		const void *key = memkit_hashmap_key(map, idx, p);
		u32 home = (idx - __memkit_hashmap_home_dist(map, idx, p)) & map->mask;
		bool found;

		if (__memkit_hashmap_find(map, key, __memkit_hashmap_hash_of(home, map->meta[idx]),
					  &found, p) != idx)
			return -EINVAL;
	}
	return 0;
}

/*
 * The checks that need nothing but the header: magic and version, params
 * against the header, the layout the capacity implies inside @buf_size,
 * the load within its maximum.  Then point @map at the buffer.
 */
static int hashmap_take_header(struct memkit_hashmap *map, void *buf, size_t buf_size,
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
	return 0;
}

static int hashmap_attach(struct memkit_hashmap *map, void *buf, size_t buf_size,
			  const struct memkit_hashmap_params p)
{
	u64 dist_sum;
	u32 used;
	int ret;

	ret = hashmap_take_header(map, buf, buf_size, p);
	if (ret)
		return ret;
	if (hashmap_check_placement(map, p, &used, &dist_sum) || used != map->hdr->size ||
	    dist_sum > memkit_hashmap_probe_budget(used, map->capacity) ||
	    hashmap_check_unique(map, p)) {
		memset(map, 0, sizeof(*map));
		return -EINVAL;
	}
	return 0;
}

/* What an attach found, for events/memkit/memkit_hashmap_attach. */
static int hashmap_trace_attach(const struct memkit_hashmap *map, const void *buf, bool reseed,
				int ret, unsigned long ip)
{
	trace_memkit_hashmap_attach(buf, map->capacity, ret ? 0 : map->hdr->size, reseed, ret, ip);
	return ret;
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
 * home matching its key's hash, every entry reachable from its home slot,
 * the sum of distances within memkit_hashmap_probe_budget(), no duplicate
 * key, and the used count equal to the recorded size.  The map is then
 * fully consistent.  The map keeps the seed in the image: for an image an
 * attacker may have written, use memkit_hashmap_attach_reseed().
 *
 * Context: the owner's lock held.  O(capacity + budget), O(capacity) for
 * loads up to 95 %; see the overview.
 * Return: 0, or -EINVAL for anything inconsistent or over the budget (the
 * handle is zeroed).
 */
int memkit_hashmap_attach(struct memkit_hashmap *map, void *buf, size_t buf_size,
			  const struct memkit_hashmap_params p)
{
	return hashmap_trace_attach(map, buf, false, hashmap_attach(map, buf, buf_size, p),
				    _RET_IP_);
}
EXPORT_SYMBOL_MEMKIT(memkit_hashmap_attach);

/* A metadata byte that attach_reseed() uses for "entry not placed yet". */
#define HASHMAP_PENDING		0x01

static void hashmap_swap_bytes(u8 *a, u8 *b, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		swap(a[i], b[i]);
}

/* Swap the entries of slots @i and @j (keys and values). */
static void hashmap_swap_entries(struct memkit_hashmap *map, u32 i, u32 j,
				 const struct memkit_hashmap_params p)
{
	hashmap_swap_bytes(memkit_hashmap_key(map, i, p), memkit_hashmap_key(map, j, p),
			   p.key_size);
	hashmap_swap_bytes(memkit_hashmap_value(map, i, p), memkit_hashmap_value(map, j, p),
			   p.value_size);
}

/*
 * Place the pending entry in slot @i under the new seed: probe from its
 * home for the first slot not yet final (empty or pending), comparing the
 * final ones for a duplicate.  Returns the slot it belongs in (@i itself,
 * or another, whose own pending entry the caller swaps in), or
 * MEMKIT_HASHMAP_NONE for a duplicate key.
 */
static u32 hashmap_place(struct memkit_hashmap *map, u32 i, u64 hash,
			 const struct memkit_hashmap_params p)
{
	const void *key = memkit_hashmap_key(map, i, p);
	u8 fp = __memkit_hashmap_fp(hash);
	u32 t = hash & map->mask, n;

	for (n = 0; n < map->capacity; n++, t = (t + 1) & map->mask) {
		if (!(map->meta[t] & MEMKIT_HASHMAP_USED))
			return t;
		if (__memkit_hashmap_holds(map, t, key, fp, p))
			return MEMKIT_HASHMAP_NONE;
	}
	return MEMKIT_HASHMAP_NONE;	/* unreachable: slot i is pending */
}

/* Re-place every entry under the map's (new) seed, in place. */
static int hashmap_replace_all(struct memkit_hashmap *map,
			       const struct memkit_hashmap_params p)
{
	u32 i, t;

	for (i = 0; i < map->capacity; i++)
		if (map->meta[i])
			map->meta[i] = HASHMAP_PENDING;
	/*
	 * Each pass of the inner loop makes one slot final for good, so
	 * there are at most capacity passes in all; and a final slot is
	 * never emptied, so each entry's probe path stays fully used.
	 */
	for (i = 0; i < map->capacity; i++) {
		while (map->meta[i] == HASHMAP_PENDING) {
			u64 hash = __memkit_hashmap_hash(map, memkit_hashmap_key(map, i, p), p);

			t = hashmap_place(map, i, hash, p);
			if (t == MEMKIT_HASHMAP_NONE)
				return -EINVAL;
			if (t != i) {
				hashmap_swap_entries(map, i, t, p);
				/* An empty @t leaves @i empty; a pending one, pending. */
				if (map->meta[t] != HASHMAP_PENDING)
					map->meta[i] = 0;
			}
			map->meta[t] = __memkit_hashmap_fp(hash);
			map->dist[t] = __memkit_hashmap_dist_byte((t - (u32)hash) & map->mask);
		}
	}
	return 0;
}

static int hashmap_attach_reseed(struct memkit_hashmap *map, void *buf, size_t buf_size,
				 const struct memkit_hashmap_params p)
{
	u32 i, used = 0;
	int ret;

	ret = hashmap_take_header(map, buf, buf_size, p);
	if (ret)
		return ret;
	for (i = 0; i < map->capacity; i++) {
		if (map->meta[i] && !(map->meta[i] & MEMKIT_HASHMAP_USED))
			break;
		used += !!map->meta[i];
	}
	if (i < map->capacity || used != map->hdr->size) {
		memset(map, 0, sizeof(*map));
		return -EINVAL;
	}
	get_random_bytes(&map->hdr->seed, sizeof(map->hdr->seed));
	if (hashmap_replace_all(map, p)) {
		map->hdr->magic = 0;
		memset(map, 0, sizeof(*map));
		return -EINVAL;
	}
	return 0;
}

/**
 * memkit_hashmap_attach_reseed() - take up a map from an untrusted source
 * @map: the handle to set up.
 * @buf: the buffer, aligned to max(8, key and value alignment).
 * @buf_size: bytes available at @buf.
 * @p: the key and value types.  A new seed moves the keys of a map
 *	with memkit's hash, or with a caller's hash that uses the seed.
 *
 * Checks the header as memkit_hashmap_attach() does and that every
 * metadata byte is empty or used, then draws a new random seed and
 * re-places every entry in the buffer in place, so where the keys sit no
 * longer depends on anything the image's author chose.  Keys and values
 * are kept; a duplicate key is refused.
 *
 * Context: the owner's lock held.  O(capacity) expected: with a new random
 * seed the image's keys probe like random ones.
 * Return: 0, or -EINVAL for a bad header, a malformed metadata byte, a
 * count that does not match, other params or a duplicate key.  The
 * handle is zeroed then, and after a duplicate key has been found the
 * buffer holds no map (its magic is cleared), since re-placing had begun.
 */
int memkit_hashmap_attach_reseed(struct memkit_hashmap *map, void *buf, size_t buf_size,
				 const struct memkit_hashmap_params p)
{
	return hashmap_trace_attach(map, buf, true, hashmap_attach_reseed(map, buf, buf_size, p),
				    _RET_IP_);
}
EXPORT_SYMBOL_MEMKIT(memkit_hashmap_attach_reseed);

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
	/* Unsigned address arithmetic: a pointer below the keys wraps high. */
	uintptr_t off = (uintptr_t)key_ptr - (uintptr_t)map->keys;
	u32 idx;

	if (!p.key_size) {
		idx = __memkit_hashmap_next(map, 0);
		if (idx == map->capacity)
			return -ENOENT;
	} else {
		bool bad = off >= (uintptr_t)map->capacity * p.key_size || off % p.key_size;

		idx = bad ? 0 : off / p.key_size;
		if (memkit_warn_once(bad || !map->meta[idx],
				     "remove of a pointer that is not a used key slot"))
			return -EINVAL;
	}
	memkit_hashmap_remove_at(map, idx, p);
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_hashmap_remove_by_ptr);

/**
 * __memkit_hashmap_trace() - report an insert or a remove to tracefs
 * @map: the map.
 * @idx: the slot inserted into, or about to be emptied.
 * @insert: which of the two.
 * @ip: where in the caller it happened.
 *
 * Called by the inline operations only while the event is enabled: an
 * insert after it is made, a remove before.  The event gives the entry's
 * distance from home and the count after the operation.
 *
 * Context: the owner's lock held.
 */
void __memkit_hashmap_trace(const struct memkit_hashmap *map, u32 idx, bool insert,
			    unsigned long ip)
{
	u32 dist = map->dist[idx];

	if (insert)
		trace_memkit_hashmap_insert(map, idx, dist, map->hdr->size, map->capacity, ip);
	else
		trace_memkit_hashmap_remove(map, idx, dist, map->hdr->size - 1, map->capacity, ip);
}
EXPORT_SYMBOL_MEMKIT(__memkit_hashmap_trace);
