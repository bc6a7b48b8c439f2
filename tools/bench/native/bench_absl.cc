// SPDX-License-Identifier: GPL-2.0
//
// The reference map for the native benchmark: absl::flat_hash_map from
// Debian's libabsl-dev, with its default hash, driven through the same
// sequences as memkit_hashmap (see bench_native.h).

#include <absl/container/flat_hash_map.h>

#include "bench_native.h"

struct absl_map {
	absl::flat_hash_map<uint64_t, uint64_t> map;
};

struct absl_map *absl_map_create(size_t n)
{
	struct absl_map *m = new absl_map;

	m->map.reserve(n);
	return m;
}

size_t absl_map_bytes(const struct absl_map *m)
{
	// A slot per entry of capacity, a control byte each, and the group's
	// cloned control bytes at the end.
	return m->map.capacity() * (sizeof(std::pair<uint64_t, uint64_t>) + 1) + 16;
}

void absl_map_destroy(struct absl_map *m)
{
	delete m;
}

size_t absl_map_fill(struct absl_map *m, const unsigned long long *keys, size_t n)
{
	size_t added = 0;

	for (size_t i = 0; i < n; i++)
		added += m->map.insert({keys[i], i}).second;
	return added;
}

unsigned long long absl_map_lookups(struct absl_map *m, const unsigned long long *keys, size_t n)
{
	unsigned long long sum = 0;

	for (size_t i = 0; i < n; i++) {
		auto it = m->map.find(keys[i]);

		if (it != m->map.end())
			sum += it->second;
	}
	return sum;
}

void absl_map_churn(struct absl_map *m, unsigned long long *live, unsigned long long pairs,
		    const uint32_t *victim, const unsigned long long *fresh)
{
	for (unsigned long long i = 0; i < pairs; i++) {
		uint32_t v = victim[i];

		m->map.erase(live[v]);
		m->map.insert({fresh[i], i});
		live[v] = fresh[i];
	}
}

void absl_map_churn_ticks(struct absl_map *m, unsigned long long *live, size_t n,
			  uint32_t pairs, unsigned long long seed, uint32_t *erase_ticks,
			  uint32_t *insert_ticks)
{
	for (uint32_t i = 0; i < pairs; i++) {
		size_t victim = bench_below(&seed, n);
		unsigned long long key = bench_next(&seed);
		unsigned long long c = bench_tsc();

		m->map.erase(live[victim]);
		erase_ticks[i] = bench_ticks_since(c);
		c = bench_tsc();
		m->map.insert({key, i});
		insert_ticks[i] = bench_ticks_since(c);
		live[victim] = key;
	}
}
