// SPDX-License-Identifier: GPL-2.0
/*
 * The shared test harness: see harness.h.
 */

#include <getopt.h>
#include <time.h>

#include "harness.h"

bool ushim_abort_on_failure;
bool ushim_verbose;

static u64 splitmix64(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void ut_rng_seed(struct ut_rng *r, u64 seed)
{
	int i;

	*r = (struct ut_rng){};
	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline u64 rotl(u64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void ut_rng_from_bytes(struct ut_rng *r, const u8 *data, size_t len)
{
	*r = (struct ut_rng){ .data = data, .len = len, .done = !len };
}

/* As many input bytes as @n needs, little-endian, reduced mod @n. */
u64 __ut_rng_bytes_below(struct ut_rng *r, u64 n)
{
	u64 v = 0;
	int i;

	for (i = 0; i < 8 && (n - 1) >> (8 * i); i++) {
		if (!r->len) {
			r->done = true;
			return 0;
		}
		v |= (u64)*r->data++ << (8 * i);
		r->len--;
	}
	return n ? v % n : v;
}

u64 ut_rng_next(struct ut_rng *r)
{
	u64 *s = r->s;

	if (r->data)
		return __ut_rng_bytes_below(r, 0);
	u64 result = rotl(s[1] * 5, 7) * 9;
	u64 t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

void ut_init(int argc, char **argv, const char *name, u64 default_ops,
	     struct ut_args *args, struct ut_rng *rng)
{
	struct timespec ts;
	int c;

	clock_gettime(CLOCK_REALTIME, &ts);
	args->seed = (u64)ts.tv_sec * 1000000007ULL ^ (u64)ts.tv_nsec;
	args->ops = default_ops;
	while ((c = getopt(argc, argv, "s:n:v")) != -1) {
		switch (c) {
		case 's':
			args->seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			args->ops = strtoull(optarg, NULL, 0);
			break;
		case 'v':
			ushim_verbose = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-n OPS] [-v]\n", argv[0]);
			exit(2);
		}
	}
	printf("%s: seed %llu, %llu ops (replay: %s -s %llu)\n", name,
	       (unsigned long long)args->seed, (unsigned long long)args->ops,
	       argv[0], (unsigned long long)args->seed);
	fflush(stdout);
	ut_rng_seed(rng, args->seed);
	/* Map seeds and check words follow the seed too: the run replays whole. */
	ushim_random_state = args->seed ^ 0x72616e646f6d21ULL;
}

int ut_finish(const char *name)
{
	if (ushim_live_allocs)
		ushim_fail("%ld kmalloc allocations leaked", ushim_live_allocs);
	if (ut_malloc_live)
		ushim_fail("%ld ut_malloc_allocator buffers leaked", ut_malloc_live);
	printf("%s: %s (%u failures)\n", name, ushim_failures ? "FAIL" : "PASS",
	       ushim_failures);
	return ushim_failures ? 1 : 0;
}

void ut_fuzz_begin(struct ut_rng *rng, const u8 *data, size_t len)
{
	ushim_abort_on_failure = true;
	ushim_random_state = 0;
	ut_rng_from_bytes(rng, data, len);
}

void ut_fuzz_end(void)
{
	if (ushim_live_allocs || ut_malloc_live)
		ushim_fail("input leaked %ld kmalloc and %ld ut_malloc allocations",
			   ushim_live_allocs, ut_malloc_live);
}

unsigned int ut_fail_sometimes(struct memkit_failing_allocator *fa, struct ut_rng *rng)
{
	if (fa->fail_index != UINT_MAX && fa->has_induced_failure)
		fa->fail_index = UINT_MAX;
	if (fa->fail_index == UINT_MAX && ut_rng_below(rng, 50) == 0) {
		fa->fail_index = fa->alloc_index + ut_rng_below(rng, 3);
		fa->has_induced_failure = false;
	}
	return fa->failures;
}

/* The checking malloc allocator */

#define UT_MAGIC	0x6d656d6b69746d61ULL

struct ut_hdr {
	u64 magic;
	u64 len;
	u64 align;
	u64 pad;
};

long ut_malloc_live;

static size_t ut_hdr_room(size_t align)
{
	return max_t(size_t, align, sizeof(struct ut_hdr));
}

static struct ut_hdr *ut_hdr_of(void *buf, size_t len, size_t align, const char *op)
{
	struct ut_hdr *h = (struct ut_hdr *)buf - 1;

	if (h->magic != UT_MAGIC || h->len != len || h->align != align) {
		ushim_fail("ut_malloc %s: buffer of %llu bytes, align %llu, given %zu, align %zu",
			   op, (unsigned long long)h->len, (unsigned long long)h->align,
			   len, align);
		return NULL;
	}
	return h;
}

static void *ut_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
		      unsigned long ret_ip)
{
	size_t room = ut_hdr_room(align);
	struct ut_hdr *h;
	void *p;

	if (len > SIZE_MAX / 2 || posix_memalign(&p, room, room + len))
		return NULL;
	h = (struct ut_hdr *)((u8 *)p + room) - 1;
	*h = (struct ut_hdr){ .magic = UT_MAGIC, .len = len, .align = align };
	ut_malloc_live++;
	return h + 1;
}

static bool ut_resize(void *ctx, void *buf, size_t old_len, size_t new_len,
		      size_t align, unsigned long ret_ip)
{
	struct ut_hdr *h = ut_hdr_of(buf, old_len, align, "resize");

	if (!h || new_len > old_len)
		return false;
	h->len = new_len;
	return true;
}

static void ut_free(void *ctx, void *buf, size_t len, size_t align,
		    unsigned long ret_ip)
{
	struct ut_hdr *h = ut_hdr_of(buf, len, align, "free");

	if (!h)
		return;
	h->magic = 0;
	ut_malloc_live--;
	free((u8 *)(h + 1) - ut_hdr_room(align));
}

static const struct memkit_allocator_ops ut_malloc_ops = {
	.alloc = ut_alloc,
	.resize = ut_resize,
	.free = ut_free,
};

const struct memkit_allocator ut_malloc_allocator = { .ops = &ut_malloc_ops };
