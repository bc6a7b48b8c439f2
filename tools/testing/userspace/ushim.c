// SPDX-License-Identifier: GPL-2.0
/*
 * the out-of-line half of include/ushim.h, plus the few memkit
 * functions whose kernel versions live in kernel-only files (bug.c,
 * debugfs.c, the poison module parameter).
 */

#include <stdarg.h>
#include <sys/random.h>

#include <memkit/bug.h>
#include <memkit/debugfs.h>
#include <memkit/testing.h>

#include "ushim.h"
#include "harness.h"

/* Allocation counting and failure injection */

long ushim_live_allocs;
unsigned int ushim_fail_nth;

static bool ushim_should_fail(void)
{
	return ushim_fail_nth && !--ushim_fail_nth;
}

void *kmalloc(size_t size, gfp_t gfp)
{
	void *p;

	if (ushim_should_fail())
		return NULL;
	p = gfp & __GFP_ZERO ? calloc(1, size ? size : 1) : malloc(size ? size : 1);
	if (p)
		__atomic_add_fetch(&ushim_live_allocs, 1, __ATOMIC_RELAXED);
	return p;
}

void *krealloc(const void *p, size_t size, gfp_t gfp)
{
	void *n;

	if (!p)
		return kmalloc(size, gfp);
	if (ushim_should_fail())
		return NULL;
	n = realloc((void *)p, size ? size : 1);
	return n;
}

void kfree(const void *p)
{
	if (!p)
		return;
	__atomic_sub_fetch(&ushim_live_allocs, 1, __ATOMIC_RELAXED);
	free((void *)p);
}

/* Locks */

void spin_lock_init(spinlock_t *lock)
{
	pthread_mutex_init(&lock->mutex, NULL);
	lock->held = false;
}

void spin_lock(spinlock_t *lock)
{
	pthread_mutex_lock(&lock->mutex);
	lock->owner = pthread_self();
	lock->held = true;
}

void spin_unlock(spinlock_t *lock)
{
	if (!ushim_lock_held(lock))
		ushim_fail("unlocking a lock this thread does not hold");
	lock->held = false;
	pthread_mutex_unlock(&lock->mutex);
}

bool ushim_lock_held(spinlock_t *lock)
{
	return lock->held && pthread_equal(lock->owner, pthread_self());
}

/*
 * Randomness (map seeds, check words): the kernel's comes from its CRNG;
 * here, so that a run replays, from a splitmix64 stream that ut_init()
 * starts from the test's seed and ut_fuzz_begin() from a fixed value for
 * each input.  Safe from several threads.
 */
u64 ushim_random_state;

void get_random_bytes(void *buf, size_t len)
{
	u8 *p = buf;

	while (len) {
		u64 z = __atomic_add_fetch(&ushim_random_state, 0x9e3779b97f4a7c15ULL,
					   __ATOMIC_RELAXED);
		size_t n = min(len, sizeof(z));

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		memcpy(p, &z, n);
		p += n;
		len -= n;
	}
}

/* SipHash-2-4, written from the paper (Aumasson and Bernstein, 2012). */

static inline u64 rotl64(u64 x, int r)
{
	return (x << r) | (x >> (64 - r));
}

struct sip_state {
	u64 v0, v1, v2, v3;
};

static inline void sip_round(struct sip_state *s)
{
	s->v0 += s->v1; s->v1 = rotl64(s->v1, 13); s->v1 ^= s->v0; s->v0 = rotl64(s->v0, 32);
	s->v2 += s->v3; s->v3 = rotl64(s->v3, 16); s->v3 ^= s->v2;
	s->v0 += s->v3; s->v3 = rotl64(s->v3, 21); s->v3 ^= s->v0;
	s->v2 += s->v1; s->v1 = rotl64(s->v1, 17); s->v1 ^= s->v2; s->v2 = rotl64(s->v2, 32);
}

static inline void sip_absorb(struct sip_state *s, u64 m, int rounds)
{
	s->v3 ^= m;
	while (rounds--)
		sip_round(s);
	s->v0 ^= m;
}

/* SipHash-c-d of @len bytes, as lib/siphash.c computes it on 64-bit. */
static __always_inline u64 sip(const void *data, size_t len, const u64 key[2], int c, int d)
{
	struct sip_state s = {
		.v0 = 0x736f6d6570736575ULL ^ key[0],
		.v1 = 0x646f72616e646f6dULL ^ key[1],
		.v2 = 0x6c7967656e657261ULL ^ key[0],
		.v3 = 0x7465646279746573ULL ^ key[1],
	};
	const u8 *p = data;
	u64 last = (u64)len << 56;
	size_t i;
	u64 m;

	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&m, p, 8);	/* little-endian host */
		sip_absorb(&s, m, c);
	}
	for (i = 0; i < len; i++)
		last |= (u64)p[i] << (8 * i);
	sip_absorb(&s, last, c);
	s.v2 ^= 0xff;
	while (d--)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

u64 siphash(const void *data, size_t len, const siphash_key_t *key)
{
	return sip(data, len, key->key, 2, 4);
}

u64 siphash_1u64(u64 a, const siphash_key_t *key)
{
	return sip(&a, sizeof(a), key->key, 2, 4);
}

u64 siphash_1u32(u32 a, const siphash_key_t *key)
{
	return sip(&a, sizeof(a), key->key, 2, 4);
}

/* hsiphash on a 64-bit kernel: SipHash-1-3, truncated to 32 bits. */
u32 hsiphash(const void *data, size_t len, const hsiphash_key_t *key)
{
	const u64 k[2] = { key->key[0], key->key[1] };

	return sip(data, len, k, 1, 3);
}

/* The fixed-length forms: sip() folds to straight-line code, as the kernel's are. */
u32 hsiphash_1u32(u32 a, const hsiphash_key_t *key)
{
	const u64 k[2] = { key->key[0], key->key[1] };

	return sip(&a, sizeof(a), k, 1, 3);
}

u32 hsiphash_2u32(u32 a, u32 b, const hsiphash_key_t *key)
{
	const u64 k[2] = { key->key[0], key->key[1] };
	u64 v = (u64)b << 32 | a;

	return sip(&v, sizeof(v), k, 1, 3);
}

/* Reporting */

unsigned int ushim_failures;

void ushim_fail(const char *fmt, ...)
{
	va_list ap;

	__atomic_add_fetch(&ushim_failures, 1, __ATOMIC_RELAXED);
	fprintf(stderr, "FAIL: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (ushim_abort_on_failure)
		abort();
}

void ushim_log(const char *fmt, ...)
{
	va_list ap;

	if (!ushim_verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* memkit/bug.c: expected warnings are per thread, as they are per task. */

static __thread bool ushim_expecting;
static __thread unsigned int ushim_expected;

void __memkit_warn(bool *warned, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	*warned = true;
	if (ushim_expecting) {
		ushim_expected++;
		ushim_log("memkit: expected warning: %s\n", msg);
		return;
	}
	ushim_fail("unexpected memkit warning: %s", msg);
}

int memkit_expect_warnings_begin(void)
{
	if (ushim_expecting)
		return -EBUSY;
	ushim_expecting = true;
	ushim_expected = 0;
	return 0;
}

unsigned int memkit_expect_warnings_end(void)
{
	if (!ushim_expecting)
		return 0;
	ushim_expecting = false;
	return ushim_expected;
}

/* memkit/debugfs.c: nothing registers in userspace. */

void memkit_debugfs_unregister(struct memkit_debugfs_entry *entry)
{
	if (memkit_debugfs_registered(entry))
		ushim_fail("debugfs entry registered in userspace?");
}

/* memkit/allocator_backends.c: the `poison` module parameter. */

bool memkit_poison = true;
