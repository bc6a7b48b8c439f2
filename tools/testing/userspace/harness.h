/* SPDX-License-Identifier: GPL-2.0 */
/*
 * what the native tests, fuzzers and benchmarks share: a
 * seeded generator, argument parsing, checks that report where they
 * failed, and a checking memkit_allocator over malloc.
 */
#ifndef _MEMKIT_HARNESS_H
#define _MEMKIT_HARNESS_H

#include <memkit/allocator.h>
#include <memkit/testing.h>

#include "ushim.h"

/* Set by ut_init() (tests: off; fuzzers: on) and -v. */
extern bool ushim_abort_on_failure;
extern bool ushim_verbose;

/*
 * The source of every random choice a test makes: xoshiro256** seeded
 * through splitmix64 for the native tests, or a fuzzer's input bytes
 * (ut_rng_from_bytes()), so that one model test serves both.  Once the
 * bytes run out every draw returns 0 and ut_rng_done() is true.
 */
struct ut_rng {
	u64 s[4];
	const u8 *data;
	size_t len;
	bool done;
};

void ut_rng_seed(struct ut_rng *r, u64 seed);
void ut_rng_from_bytes(struct ut_rng *r, const u8 *data, size_t len);
u64 ut_rng_next(struct ut_rng *r);
u64 __ut_rng_bytes_below(struct ut_rng *r, u64 n);

static inline bool ut_rng_done(const struct ut_rng *r)
{
	return r->done;
}

/* Uniform in [0, n) from the generator; from input bytes, n > 0. */
static inline u64 ut_rng_below(struct ut_rng *r, u64 n)
{
	if (r->data)
		return __ut_rng_bytes_below(r, n);
	return (u64)(((__uint128_t)ut_rng_next(r) * n) >> 64);
}

/* A size log-uniform in [1, 2^(max_exp + 1)], as the range churn workload. */
static inline u64 ut_rng_log_size(struct ut_rng *r, unsigned int max_exp)
{
	unsigned int e = ut_rng_below(r, max_exp + 1);

	return 1 + ut_rng_below(r, 2ULL << e);
}

struct ut_args {
	u64 seed;
	u64 ops;
};

/*
 * Parse "[-s SEED] [-n OPS] [-v]", print the test name, seed and operation
 * count (so every run can be replayed), and seed @rng.
 */
void ut_init(int argc, char **argv, const char *name, u64 default_ops,
	     struct ut_args *args, struct ut_rng *rng);

/* Check for leaks and recorded failures; print the verdict; exit code. */
int ut_finish(const char *name);

/*
 * A fuzzer's run of one input: failures abort (libFuzzer reports the
 * input), and ut_fuzz_end() aborts if the input leaked anything.
 */
void ut_fuzz_begin(struct ut_rng *rng, const u8 *data, size_t len);
void ut_fuzz_end(void);

/* Record a failure if @cond is false; evaluates @cond once. */
#define UT_CHECK(cond, fmt, ...)						\
	({									\
		bool __ut_ok = (cond);						\
										\
		if (!__ut_ok)							\
			ushim_fail("%s:%d: %s: " fmt, __FILE__, __LINE__,	\
				   #cond, ##__VA_ARGS__);			\
		__ut_ok;							\
	})

/* Stop the run at the first failure: later checks would only cascade. */
#define UT_ASSERT(cond, fmt, ...)						\
	do {									\
		if (!UT_CHECK(cond, fmt, ##__VA_ARGS__))			\
			exit(ut_finish(__FILE__));				\
	} while (0)

/*
 * A memkit_allocator over posix_memalign() that records each buffer's
 * length and alignment in front of it and checks them on resize and
 * free, so a caller passing the wrong length is caught.  Resize succeeds
 * in place only when shrinking; remap is not supported (NULL).
 */
extern const struct memkit_allocator ut_malloc_allocator;
extern long ut_malloc_live;

/*
 * Call before each operation on a structure over @fa: now and then (1 in
 * 50) arms a failure of one of the next three child allocations, and
 * disarms it once it has fired (the failing allocator keeps failing until
 * told otherwise, so a failure lasts for the rest of that operation).
 * Returns the count of failed child calls so far, for ut_child_failed()
 * after the operation: a NULL or -ENOMEM is right only if a child call
 * really failed in between, not merely because a failure was armed.
 */
unsigned int ut_fail_sometimes(struct memkit_failing_allocator *fa, struct ut_rng *rng);

static inline bool ut_child_failed(const struct memkit_failing_allocator *fa,
				   unsigned int before)
{
	return fa->failures != before;
}

/* memkit/allocator_backends.c's `poison` parameter, defined by ushim.c. */
extern bool memkit_poison;

#endif /* _MEMKIT_HARNESS_H */
