/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the native benchmark's C side (memkit) and C++ side (absl) share:
 * the generator every workload draws from, so that both run the same
 * sequence, and the absl entry points.  Each absl function runs a whole
 * workload loop, so no call crosses the language boundary per operation.
 */
#ifndef _MEMKIT_BENCH_NATIVE_H
#define _MEMKIT_BENCH_NATIVE_H

#include <stddef.h>
#include <stdint.h>

/* Spelled out: the kernel's u64 is unsigned long long, uint64_t is not. */

/* splitmix64: one add, two multiplies; cheap next to any map operation. */
static inline unsigned long long bench_next(unsigned long long *s)
{
	unsigned long long z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static inline unsigned long long bench_below(unsigned long long *s, unsigned long long n)
{
	return (unsigned long long)(((__uint128_t)bench_next(s) * n) >> 64);
}

/* The TSC, and the ticks since @c (saturated), for the tail rows. */
static inline unsigned long long bench_tsc(void)
{
	return __builtin_ia32_rdtsc();
}

static inline uint32_t bench_ticks_since(unsigned long long c)
{
	unsigned long long d = bench_tsc() - c;

	return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

#ifdef __cplusplus
extern "C" {
#endif

struct absl_map;

struct absl_map *absl_map_create(size_t n);
void absl_map_destroy(struct absl_map *m);
/* Insert keys[i] -> i; returns how many were new. */
size_t absl_map_fill(struct absl_map *m, const unsigned long long *keys, size_t n);
/* Look each key up; returns the sum of the values found. */
unsigned long long absl_map_lookups(struct absl_map *m, const unsigned long long *keys, size_t n);
/* Bytes of the map's table: control bytes and slots. */
size_t absl_map_bytes(const struct absl_map *m);
/* Pair i removes live[victim[i]] and inserts fresh[i] in its place. */
void absl_map_churn(struct absl_map *m, unsigned long long *live, unsigned long long pairs,
		    const uint32_t *victim, const unsigned long long *fresh);
/* The same, each erase and insert timed alone in TSC ticks. */
void absl_map_churn_ticks(struct absl_map *m, unsigned long long *live, size_t n,
			  uint32_t pairs, unsigned long long seed, uint32_t *erase_ticks,
			  uint32_t *insert_ticks);

#ifdef __cplusplus
}
#endif

#endif /* _MEMKIT_BENCH_NATIVE_H */
