/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memkit_hashmap: a fixed-capacity hash map that lives inside one buffer
 * and keeps working after the buffer is copied elsewhere.
 */
#ifndef _MEMKIT_HASHMAP_H
#define _MEMKIT_HASHMAP_H

#include <asm/byteorder.h>
#include <linux/bits.h>
#include <linux/instruction_pointer.h>
#include <linux/kernel.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tracepoint-defs.h>
#include <linux/types.h>

#include <memkit/debugfs.h>

#define MEMKIT_HASHMAP_MAGIC		0x4d4b484dU	/* "MKHM" */
#define MEMKIT_HASHMAP_VERSION		3
#define MEMKIT_HASHMAP_DEFAULT_LOAD	80
#define MEMKIT_HASHMAP_MAX_CAPACITY	BIT(31)

/*
 * A metadata byte: 0 is an empty slot; else the used bit and 7 bits of
 * the hash that a 32-bit hash fills too (see __memkit_hashmap_fp()).
 */
#define MEMKIT_HASHMAP_USED		0x80

/* A distance byte: how far an entry sits from its home slot, up to this. */
#define MEMKIT_HASHMAP_FAR		0xff

/* Slot index meaning "none". */
#define MEMKIT_HASHMAP_NONE		U32_MAX

/**
 * struct memkit_hashmap_params - the type of a map's keys and values
 * @key_size: bytes per key; 0 allowed (then every key is equal).
 * @key_align: power-of-two alignment of keys; 0 means 1.
 * @value_size: bytes per value; 0 allowed (a set).
 * @value_align: power-of-two alignment of values; 0 means 1.
 * @hash: optional hash of a key, given the key, @key_size and the map's
 *	own random seed (use it to key the hash, or ignore it for trusted
 *	keys).  The low bits pick the home slot; 32 bits of output are
 *	enough (jhash() with a word of the seed as its initval is fine).
 *	NULL hashes the key bytes with hsiphash() keyed by the seed, the
 *	kernel's recommendation for hash tables whose keys an attacker may
 *	choose.  A map built with one must be attached with one.
 * @eq: optional key equality; NULL compares the bytes.
 *
 * Pass it as a compile-time constant, by value, to the inline operations,
 * as with rhashtable: the compiler then specialises every probe loop for
 * the sizes and functions given, with no indirect call.
 */
struct memkit_hashmap_params {
	u32 key_size;
	u32 key_align;
	u32 value_size;
	u32 value_align;
	u64 (*hash)(const void *key, u32 key_size, const siphash_key_t *seed);
	bool (*eq)(const void *a, const void *b, u32 key_size);
};

/**
 * struct memkit_hashmap_header - the start of a map's buffer
 * @magic: %MEMKIT_HASHMAP_MAGIC.
 * @version: %MEMKIT_HASHMAP_VERSION.
 * @max_load_percent: most entries, as a percentage of @capacity (1-100).
 * @own_hash: 1 if built with &memkit_hashmap_params.hash, else 0.
 * @capacity: slots: 0 or a power of two.
 * @size: live entries.
 * @key_size: bytes per key.
 * @value_size: bytes per value.
 * @key_align: key alignment.
 * @value_align: value alignment.
 * @metadata_off: offset of the metadata from the header: a byte per slot
 *	(0 if empty, else the used bit and a 7-bit fingerprint of the key's
 *	hash), then a
 *	byte per slot giving a used slot's distance from its key's home slot
 *	(%MEMKIT_HASHMAP_FAR for that distance or more).
 * @keys_off: offset of the keys.
 * @values_off: offset of the values.
 * @total: bytes of the whole layout.
 * @seed: the hash key, random per map; it travels with the buffer.  The
 *	default hash uses its first sizeof(hsiphash_key_t) bytes; a
 *	caller-given hash gets all of it.
 *
 * Everything is an offset or a count, never a pointer.  The buffer must be
 * aligned to max(8, key and value alignment) wherever it is.
 */
struct memkit_hashmap_header {
	u32 magic;
	u16 version;
	u8 max_load_percent;
	u8 own_hash;
	u32 capacity;
	u32 size;
	u32 key_size;
	u32 value_size;
	u32 key_align;
	u32 value_align;
	u64 metadata_off;
	u64 keys_off;
	u64 values_off;
	u64 total;
	siphash_key_t seed;
};

/**
 * struct memkit_hashmap_layout - where the parts of a map's buffer go
 * @capacity: slots.
 * @metadata_off: offset of the metadata (two bytes per slot).
 * @keys_off: offset of the keys.
 * @values_off: offset of the values.
 * @total: bytes needed; the buffer must be at least this large.
 */
struct memkit_hashmap_layout {
	u32 capacity;
	size_t metadata_off;
	size_t keys_off;
	size_t values_off;
	size_t total;
};

/**
 * struct memkit_hashmap - a handle on a map in a buffer
 *
 * Pointers derived from the buffer by memkit_hashmap_init() or
 * memkit_hashmap_attach(); after the buffer moves, attach again.  The
 * handle is the caller's, not part of the buffer.  All fields private.
 */
struct memkit_hashmap {
	/* private: */
	struct memkit_hashmap_header *hdr;
	u8 *meta;
	u8 *dist;
	u8 *keys;
	u8 *values;
	u32 capacity;
	u32 mask;
	u32 max_size;
};

/**
 * struct memkit_hashmap_debugfs - a map's debugfs registration
 *
 * Kept apart from the handle, which init and attach overwrite.  All
 * fields private.
 */
struct memkit_hashmap_debugfs {
	/* private: */
	struct memkit_debugfs_entry entry;
	struct memkit_hashmap *map;
	struct memkit_hashmap_params params;
	spinlock_t *lock;	/* the owner's, or NULL for a frozen map */
};

int memkit_hashmap_layout_for_capacity(u32 capacity,
				       const struct memkit_hashmap_params p,
				       struct memkit_hashmap_layout *l);
int memkit_hashmap_layout_for_size(u32 n, u32 max_load_percent,
				   const struct memkit_hashmap_params p,
				   struct memkit_hashmap_layout *l);
int memkit_hashmap_init(struct memkit_hashmap *map, void *buf, size_t buf_size,
			u32 capacity, u32 max_load_percent,
			const struct memkit_hashmap_params p);
int memkit_hashmap_attach(struct memkit_hashmap *map, void *buf, size_t buf_size,
			  const struct memkit_hashmap_params p);
int memkit_hashmap_attach_reseed(struct memkit_hashmap *map, void *buf, size_t buf_size,
				 const struct memkit_hashmap_params p);
void memkit_hashmap_clear(struct memkit_hashmap *map);
int __memkit_hashmap_register(struct memkit_hashmap_debugfs *dbg,
			      struct memkit_hashmap *map, const char *name,
			      const struct memkit_hashmap_params p, spinlock_t *lock,
			      struct module *owner);

/**
 * memkit_hashmap_register() - show a map in debugfs
 * @dbg: a zero-initialised registration, kept alive while registered.
 * @map: the handle it shows.
 * @name: its debugfs name; see memkit_debugfs_register().
 * @p: the map's params.
 * @lock: the owner's irq-safe spinlock, or NULL for a frozen map.
 *
 * The calling module owns the registration; see __memkit_hashmap_register().
 */
#define memkit_hashmap_register(dbg, map, name, p, lock)		\
	__memkit_hashmap_register(dbg, map, name, p, lock, THIS_MODULE)
void memkit_hashmap_unregister(struct memkit_hashmap_debugfs *dbg);
u64 memkit_hashmap_probe_budget(u32 count, u32 capacity);
/*
 * The inline operations report to events/memkit/ through an out-of-line
 * call taken only while the event is on: a static branch otherwise.
 */
DECLARE_TRACEPOINT(memkit_hashmap_insert);
DECLARE_TRACEPOINT(memkit_hashmap_remove);
void __memkit_hashmap_trace(const struct memkit_hashmap *map, u32 idx, bool insert,
			    unsigned long ip);

u32 memkit_hashmap_probe_length(const struct memkit_hashmap *map, u32 idx,
				const struct memkit_hashmap_params p);

/**
 * memkit_hashmap_count() - live entries
 * @map: the map.
 *
 * Return: the number of entries.
 */
static inline u32 memkit_hashmap_count(const struct memkit_hashmap *map)
{
	return map->hdr->size;
}

/**
 * memkit_hashmap_capacity() - slots
 * @map: the map.
 *
 * Return: the capacity (0 or a power of two); at most
 * capacity * max_load_percent / 100 entries fit.
 */
static inline u32 memkit_hashmap_capacity(const struct memkit_hashmap *map)
{
	return map->capacity;
}

/**
 * memkit_hashmap_key() - the key in a slot
 * @map: the map.
 * @idx: a used slot, from an operation or memkit_hashmap_for_each().
 * @p: the map's params.
 *
 * Return: a pointer into the buffer, valid until the map changes or moves.
 */
static __always_inline void *memkit_hashmap_key(const struct memkit_hashmap *map, u32 idx,
						const struct memkit_hashmap_params p)
{
	return map->keys + (size_t)idx * p.key_size;
}

/**
 * memkit_hashmap_value() - the value in a slot
 * @map: the map.
 * @idx: a used slot.
 * @p: the map's params.
 *
 * Return: a pointer into the buffer, valid until the map changes or moves.
 */
static __always_inline void *memkit_hashmap_value(const struct memkit_hashmap *map, u32 idx,
						  const struct memkit_hashmap_params p)
{
	return map->values + (size_t)idx * p.value_size;
}

static __always_inline u64 __memkit_hashmap_hash(const struct memkit_hashmap *map,
						 const void *key,
						 const struct memkit_hashmap_params p)
{
	/* The seed is 16 bytes; hsiphash's key is 8 or 16, from its start. */
	const hsiphash_key_t *hkey = (const hsiphash_key_t *)&map->hdr->seed;

	if (p.hash)
		return p.hash(key, p.key_size, &map->hdr->seed);
	if (p.key_size == sizeof(u64) && p.key_align >= __alignof__(u64)) {
		u64 k = *(const u64 *)key;

		return hsiphash_2u32(lower_32_bits(k), upper_32_bits(k), hkey);
	}
	if (p.key_size == sizeof(u32) && p.key_align >= __alignof__(u32))
		return hsiphash_1u32(*(const u32 *)key, hkey);
	return hsiphash(key, p.key_size, hkey);
}

static __always_inline bool __memkit_hashmap_eq(const void *a, const void *b,
						const struct memkit_hashmap_params p)
{
	if (p.eq)
		return p.eq(a, b, p.key_size);
	return !memcmp(a, b, p.key_size);
}

/*
 * The used-metadata byte for a hash.  The fingerprint is bits 25-31 of the
 * hash folded to 32 bits: a 32-bit hash fills them, a 64-bit one adds its
 * top bits.  They overlap the home slot's bits only in maps of more than
 * 2^25 slots, where they still tell apart keys of different homes.
 */
static __always_inline u8 __memkit_hashmap_fp(u64 hash)
{
	return MEMKIT_HASHMAP_USED | ((lower_32_bits(hash) ^ upper_32_bits(hash)) >> 25);
}

/*
 * The inverse: a hash whose home slot is @home and whose metadata byte is
 * @meta (a used one), for code that has both from checked metadata and
 * must probe without hashing the key again.  Bits 25-31 of @home, in maps
 * that large, are folded into the upper half so that they cancel.
 */
static __always_inline u64 __memkit_hashmap_hash_of(u32 home, u8 meta)
{
	u32 hi = (u32)(meta & ~MEMKIT_HASHMAP_USED) << 25 ^ (home & ~(BIT(25) - 1));

	return (u64)hi << 32 | home;
}

/* The distance byte for an entry @dist slots from its home. */
static __always_inline u8 __memkit_hashmap_dist_byte(u32 dist)
{
	return dist < MEMKIT_HASHMAP_FAR ? dist : MEMKIT_HASHMAP_FAR;
}

/* How far the entry in used slot @idx is from its home slot. */
static __always_inline u32 __memkit_hashmap_home_dist(const struct memkit_hashmap *map, u32 idx,
						      const struct memkit_hashmap_params p)
{
	u8 d = map->dist[idx];

	if (d != MEMKIT_HASHMAP_FAR)
		return d;
	return (idx - (u32)__memkit_hashmap_hash(map, memkit_hashmap_key(map, idx, p), p)) &
	       map->mask;
}

#define __MEMKIT_HASHMAP_LSB	0x0101010101010101ULL
#define __MEMKIT_HASHMAP_MSB	0x8080808080808080ULL

/* Eight metadata bytes from slot @idx on; slot @idx in the low byte. */
static __always_inline u64 __memkit_hashmap_group(const struct memkit_hashmap *map, u32 idx)
{
	u64 g;

	memcpy(&g, map->meta + idx, sizeof(g));
	return le64_to_cpu((__force __le64)g);
}

/*
 * The top bit of each zero byte of @g.  Only the lowest flag is exact: a
 * borrow can also flag a byte above a zero one, which is harmless for
 * fingerprint candidates (their keys are compared anyway).
 */
static __always_inline u64 __memkit_hashmap_zero_bytes(u64 g)
{
	return (g - __MEMKIT_HASHMAP_LSB) & ~g & __MEMKIT_HASHMAP_MSB;
}

/* Does slot @idx hold @key, whose metadata byte is @fp? */
static __always_inline bool __memkit_hashmap_holds(const struct memkit_hashmap *map, u32 idx,
						   const void *key, u8 fp,
						   const struct memkit_hashmap_params p)
{
	return map->meta[idx] == fp &&
	       __memkit_hashmap_eq(key, memkit_hashmap_key(map, idx, p), p);
}

/*
 * The fingerprint candidates for @fp in @g: every byte equal to @fp, and
 * now and then the byte above one, by a borrow (__memkit_hashmap_holds()
 * compares the metadata byte again).  No branch.
 */
static __always_inline u64 __memkit_hashmap_candidates(u64 g, u8 fp)
{
	return __memkit_hashmap_zero_bytes(g ^ (__MEMKIT_HASHMAP_LSB * fp));
}

/* The first of the @match candidates from slot @idx on that holds @key. */
static __always_inline u32 __memkit_hashmap_first_hit(const struct memkit_hashmap *map, u32 idx,
						      u64 match, const void *key, u8 fp,
						      const struct memkit_hashmap_params p)
{
	for (; match; match &= match - 1) {
		u32 i = idx + (__ffs64(match) >> 3);

		if (__memkit_hashmap_holds(map, i, key, fp, p))
			return i;
	}
	return MEMKIT_HASHMAP_NONE;
}

/*
 * Probe from @key's home slot: return the slot holding it (*found true),
 * else the first empty slot (where it would go), else NONE (full table).
 * Sixteen slots at a time where they do not wrap past the end: two words
 * of metadata give every fingerprint match and the first empty slot, and
 * one branch per sixteen slots ends a miss (most end in the first
 * sixteen, so it is mostly predicted).  Slot by slot near the end.  At
 * most capacity slots are examined, so a full table terminates.
 */
static __always_inline u32 __memkit_hashmap_find(const struct memkit_hashmap *map,
						 const void *key, u64 hash, bool *found,
						 const struct memkit_hashmap_params p)
{
	u8 fp = __memkit_hashmap_fp(hash);
	u32 idx = hash & map->mask, n = 0, i;
	u64 g0, g1, e0, e1;

	*found = false;
	while (n < map->capacity) {
		if (idx + 16 > map->capacity) {
			if (!map->meta[idx])
				return idx;
			if (__memkit_hashmap_holds(map, idx, key, fp, p))
				goto found;
			idx = (idx + 1) & map->mask;
			n++;
			continue;
		}
		/*
		 * The first word's candidates are tried before its empty
		 * slots are known: a key that is present sits before the
		 * first empty slot from its home, so those past it only cost
		 * a miss a key comparison now and then (a fingerprint
		 * matches one used slot in 128), and a hit saves the masking.
		 */
		g0 = __memkit_hashmap_group(map, idx);
		i = __memkit_hashmap_first_hit(map, idx, __memkit_hashmap_candidates(g0, fp),
					       key, fp, p);
		if (i != MEMKIT_HASHMAP_NONE)
			goto found_i;
		/* The second word counts only if the first has no empty slot. */
		e0 = __memkit_hashmap_zero_bytes(g0);
		g1 = __memkit_hashmap_group(map, idx + 8);
		e1 = __memkit_hashmap_zero_bytes(g1);
		i = __memkit_hashmap_first_hit(map, idx + 8,
					       __memkit_hashmap_candidates(g1, fp) & -(u64)!e0,
					       key, fp, p);
		if (i != MEMKIT_HASHMAP_NONE)
			goto found_i;
		if (e0 | e1) {
			/* The first empty slot of the two words, without a branch. */
			u64 second = -(u64)!e0;

			return idx + (8 & second) + (__ffs64((e0 & ~second) | (e1 & second)) >> 3);
		}
		idx = (idx + 16) & map->mask;
		n += 16;
	}
	return MEMKIT_HASHMAP_NONE;
found_i:
	idx = i;
found:
	*found = true;
	return idx;
}

/**
 * memkit_hashmap_lookup() - the slot holding a key
 * @map: the map.
 * @key: the key.
 * @p: the map's params.
 *
 * Context: the owner's lock held.  O(1) expected.
 * Return: the slot, or %MEMKIT_HASHMAP_NONE.
 */
static __always_inline u32 memkit_hashmap_lookup(const struct memkit_hashmap *map,
						 const void *key,
						 const struct memkit_hashmap_params p)
{
	bool found;
	u32 idx = __memkit_hashmap_find(map, key, __memkit_hashmap_hash(map, key, p),
					&found, p);

	return found ? idx : MEMKIT_HASHMAP_NONE;
}

/**
 * memkit_hashmap_get_ptr() - where a key's value is stored
 * @map: the map.
 * @key: the key.
 * @p: the map's params.
 *
 * Context: the owner's lock held.
 * Return: a pointer to the value in the buffer, or NULL if absent.
 */
static __always_inline void *memkit_hashmap_get_ptr(const struct memkit_hashmap *map,
						    const void *key,
						    const struct memkit_hashmap_params p)
{
	u32 idx = memkit_hashmap_lookup(map, key, p);

	return idx == MEMKIT_HASHMAP_NONE ? NULL : memkit_hashmap_value(map, idx, p);
}

/* Look @key up and copy its value to @out (if not NULL); returns the slot. */
static __always_inline u32 __memkit_hashmap_copy_out(const struct memkit_hashmap *map,
						     const void *key, void *out,
						     const struct memkit_hashmap_params p)
{
	u32 idx = memkit_hashmap_lookup(map, key, p);

	if (idx != MEMKIT_HASHMAP_NONE && out)
		memcpy(out, memkit_hashmap_value(map, idx, p), p.value_size);
	return idx;
}

/**
 * memkit_hashmap_get() - copy a key's value out
 * @map: the map.
 * @key: the key.
 * @value: receives the value (value_size bytes); may be NULL.
 * @p: the map's params.
 *
 * Context: the owner's lock held.
 * Return: 0, or -ENOENT if absent.
 */
static __always_inline int memkit_hashmap_get(const struct memkit_hashmap *map,
					      const void *key, void *value,
					      const struct memkit_hashmap_params p)
{
	return __memkit_hashmap_copy_out(map, key, value, p) == MEMKIT_HASHMAP_NONE ?
	       -ENOENT : 0;
}

/**
 * memkit_hashmap_contains() - is a key present?
 * @map: the map.
 * @key: the key.
 * @p: the map's params.
 *
 * Context: the owner's lock held.
 * Return: true if present.
 */
static __always_inline bool memkit_hashmap_contains(const struct memkit_hashmap *map,
						    const void *key,
						    const struct memkit_hashmap_params p)
{
	return memkit_hashmap_lookup(map, key, p) != MEMKIT_HASHMAP_NONE;
}

/**
 * memkit_hashmap_get_or_put() - find a key, or add it with an unset value
 * @map: the map.
 * @key: the key.
 * @existed: set to whether the key was already there.
 * @p: the map's params.
 *
 * A new entry's value is not initialised: write it through
 * memkit_hashmap_value() before the lock is dropped.
 *
 * Context: the owner's lock held.  O(1) expected.
 * Return: the slot (>= 0), or -ENOSPC if the key is absent and the map
 * holds its maximum number of entries (nothing changes then).
 */
static __always_inline int memkit_hashmap_get_or_put(struct memkit_hashmap *map,
						     const void *key, bool *existed,
						     const struct memkit_hashmap_params p)
{
	u64 hash = __memkit_hashmap_hash(map, key, p);
	u32 idx = __memkit_hashmap_find(map, key, hash, existed, p);

	if (*existed)
		return idx;
	if (idx == MEMKIT_HASHMAP_NONE || map->hdr->size >= map->max_size)
		return -ENOSPC;
	map->meta[idx] = __memkit_hashmap_fp(hash);
	map->dist[idx] = __memkit_hashmap_dist_byte((idx - (u32)hash) & map->mask);
	memcpy(memkit_hashmap_key(map, idx, p), key, p.key_size);
	map->hdr->size++;
	if (tracepoint_enabled(memkit_hashmap_insert))
		__memkit_hashmap_trace(map, idx, true, _THIS_IP_);
	return idx;
}

/**
 * memkit_hashmap_fetch_put() - insert or overwrite, returning the old value
 * @map: the map.
 * @key: the key.
 * @value: the new value.
 * @old: if not NULL, receives the previous value when there was one.
 * @p: the map's params.
 *
 * Context: the owner's lock held.
 * Return: 1 if the key existed (and @old was filled), 0 if it was added,
 * -ENOSPC if it is absent and the map is full (nothing changes).
 */
static __always_inline int memkit_hashmap_fetch_put(struct memkit_hashmap *map,
						    const void *key, const void *value,
						    void *old,
						    const struct memkit_hashmap_params p)
{
	bool existed;
	int idx = memkit_hashmap_get_or_put(map, key, &existed, p);
	void *slot;

	if (idx < 0)
		return idx;
	slot = memkit_hashmap_value(map, idx, p);
	if (existed && old)
		memcpy(old, slot, p.value_size);
	memcpy(slot, value, p.value_size);
	return existed;
}

/**
 * memkit_hashmap_put() - insert or overwrite
 * @map: the map.
 * @key: the key.
 * @value: the value.
 * @p: the map's params.
 *
 * Context: the owner's lock held.
 * Return: 0, or -ENOSPC if the key is absent and the map is full.
 */
static __always_inline int memkit_hashmap_put(struct memkit_hashmap *map,
					      const void *key, const void *value,
					      const struct memkit_hashmap_params p)
{
	int ret = memkit_hashmap_fetch_put(map, key, value, NULL, p);

	return ret < 0 ? ret : 0;
}

/**
 * memkit_hashmap_put_no_clobber() - insert a key that must be new
 * @map: the map.
 * @key: the key.
 * @value: the value.
 * @p: the map's params.
 *
 * Context: the owner's lock held.
 * Return: 0; -EEXIST if the key is present (its value is kept); -ENOSPC if
 * the map is full.
 */
static __always_inline int memkit_hashmap_put_no_clobber(struct memkit_hashmap *map,
							 const void *key, const void *value,
							 const struct memkit_hashmap_params p)
{
	bool existed;
	int idx = memkit_hashmap_get_or_put(map, key, &existed, p);

	if (idx < 0)
		return idx;
	if (existed)
		return -EEXIST;
	memcpy(memkit_hashmap_value(map, idx, p), value, p.value_size);
	return 0;
}

/**
 * memkit_hashmap_remove_at() - remove the entry in a slot
 * @map: the map.
 * @idx: a used slot.
 * @p: the map's params.
 *
 * Deletion by backward shift: later entries of the same cluster move back
 * so that no tombstone is left and probe lengths never degrade.  Each
 * entry's distance byte says whether it may move, so keys are hashed again
 * only for entries %MEMKIT_HASHMAP_FAR or more slots from home; a word of
 * distance bytes against the distances from the hole finds those that may
 * among eight, with a branch per move or per eight slots instead of two
 * per slot, each a coin toss.  The furthest of them moves: the entries it
 * jumps over stay reachable, since the hole before them is filled, so
 * fewer entries move than if the nearest went first.
 *
 * Context: the owner's lock held.  O(cluster length).
 */
static __always_inline void memkit_hashmap_remove_at(struct memkit_hashmap *map, u32 idx,
						     const struct memkit_hashmap_params p)
{
	u32 hole = idx, j = idx + 1, mask = map->mask, n = 1;

	if (tracepoint_enabled(memkit_hashmap_remove))
		__memkit_hashmap_trace(map, idx, false, _THIS_IP_);
	map->meta[hole] = 0;
	/*
	 * At most capacity - 1 slots follow the hole, so this ends even if
	 * somebody else writes the buffer meanwhile (see the overview).
	 */
	while (n < map->capacity) {
		u32 d, back, i;
		u64 e, mv, k;

		j &= mask;
		back = (j - hole) & mask;
		if (j + 8 > map->capacity || back > 120) {
			/* Slot by slot: j may move back unless its home is in (hole, j]. */
			if (!map->meta[j])
				break;
			d = __memkit_hashmap_home_dist(map, j, p);
			n++;
			if (d < back) {
				j++;
				continue;
			}
			i = j;
			goto move;
		}
		/*
		 * Eight at a time: the slots before the first empty one whose
		 * entry is at least as far from home as from the hole
		 * (distance bytes below 128 against back + 0..7; a byte of
		 * 128 or more always is).  The furthest of them fills it.
		 */
		e = __memkit_hashmap_zero_bytes(__memkit_hashmap_group(map, j));
		memcpy(&k, map->dist + j, sizeof(k));
		k = le64_to_cpu((__force __le64)k);
		mv = (((k | __MEMKIT_HASHMAP_MSB) - (__MEMKIT_HASHMAP_LSB * back +
						    0x0706050403020100ULL)) | k) &
		     __MEMKIT_HASHMAP_MSB & ((e & -e) - 1);
		if (!mv) {
			if (e)
				break;
			j += 8;
			n += 8;
			continue;
		}
		i = j + ((fls64(mv) - 1) >> 3);
		n += i - j + 1;
		d = __memkit_hashmap_home_dist(map, i, p);
		back = (i - hole) & mask;
move:
		map->meta[hole] = map->meta[i];
		map->dist[hole] = __memkit_hashmap_dist_byte(d - back);
		map->meta[i] = 0;
		memcpy(memkit_hashmap_key(map, hole, p), memkit_hashmap_key(map, i, p),
		       p.key_size);
		memcpy(memkit_hashmap_value(map, hole, p), memkit_hashmap_value(map, i, p),
		       p.value_size);
		hole = i;
		j = i + 1;
	}
	if (map->hdr->size)
		map->hdr->size--;
}

/**
 * memkit_hashmap_fetch_remove() - remove a key, returning its value
 * @map: the map.
 * @key: the key.
 * @old: if not NULL, receives the value.
 * @p: the map's params.
 *
 * Context: the owner's lock held.
 * Return: 0, or -ENOENT if absent.
 */
static __always_inline int memkit_hashmap_fetch_remove(struct memkit_hashmap *map,
						       const void *key, void *old,
						       const struct memkit_hashmap_params p)
{
	u32 idx = __memkit_hashmap_copy_out(map, key, old, p);

	if (idx == MEMKIT_HASHMAP_NONE)
		return -ENOENT;
	memkit_hashmap_remove_at(map, idx, p);
	return 0;
}

/**
 * memkit_hashmap_remove() - remove a key
 * @map: the map.
 * @key: the key.
 * @p: the map's params.
 *
 * Context: the owner's lock held.
 * Return: 0, or -ENOENT if absent.
 */
static __always_inline int memkit_hashmap_remove(struct memkit_hashmap *map,
						 const void *key,
						 const struct memkit_hashmap_params p)
{
	return memkit_hashmap_fetch_remove(map, key, NULL, p);
}

int memkit_hashmap_remove_by_ptr(struct memkit_hashmap *map, const void *key_ptr,
				 const struct memkit_hashmap_params p);

/* The first used slot at or after @idx, or the capacity. */
static inline u32 __memkit_hashmap_next(const struct memkit_hashmap *map, u32 idx)
{
	while (idx < map->capacity && !map->meta[idx])
		idx++;
	return idx;
}

/* The state of memkit_hashmap_for_each(). */
struct __memkit_hashmap_iter {
	const struct memkit_hashmap *map;
	u32 *idx;
	u32 next;
};

static inline struct __memkit_hashmap_iter
__memkit_hashmap_iter(const struct memkit_hashmap *map, u32 *idx)
{
	return (struct __memkit_hashmap_iter){ .map = map, .idx = idx };
}

static inline bool __memkit_hashmap_iter_next(struct __memkit_hashmap_iter *it)
{
	u32 i = __memkit_hashmap_next(it->map, it->next);

	if (i >= it->map->capacity)
		return false;
	*it->idx = i;
	it->next = i + 1;
	return true;
}

/**
 * memkit_hashmap_for_each() - visit every used slot
 * @map: the map.
 * @idx: a u32 variable: each used slot in turn.
 *
 * Read entries with memkit_hashmap_key() and memkit_hashmap_value().  Do
 * not insert or remove while iterating.
 */
#define memkit_hashmap_for_each(map, idx)				\
	for (struct __memkit_hashmap_iter __memkit_it =			\
		__memkit_hashmap_iter(map, &(idx));			\
	     __memkit_hashmap_iter_next(&__memkit_it);)

#endif /* _MEMKIT_HASHMAP_H */
