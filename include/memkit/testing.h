/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memkit test support: backends that fail on demand or check the
 * allocator contract, a sweep that fails each allocation of a body in
 * turn, and a way to expect memkit's caller-bug warnings.  None of it is
 * in memkit.ko's production exports: the backends and the sweep are in
 * memkit_test.ko (built for kernels with KUnit), the warning hooks are
 * exported with EXPORT_SYMBOL_IF_KUNIT().  A test module writes
 * MEMKIT_IMPORT_NS() and MEMKIT_IMPORT_TEST_NS().
 */
#ifndef _MEMKIT_TESTING_H
#define _MEMKIT_TESTING_H

#include <linux/types.h>

#include <memkit/allocator.h>

struct xarray;

/**
 * struct memkit_failing_allocator - a test backend that fails on demand
 * @child: the allocator that does the work.
 * @fail_index: the allocation index that fails, and every one after it;
 *	UINT_MAX for never.
 * @resize_fail_index: likewise for resize and remap, counted together.
 * @alloc_index: allocations that succeeded so far.
 * @resize_index: resizes and remaps that succeeded so far.
 * @allocated_bytes: bytes handed out (allocations, and growth by resize or
 *	remap).
 * @freed_bytes: bytes given back (frees, and shrinking).
 * @allocations: successful alloc calls.
 * @deallocations: free calls.
 * @fail_ip: return address of the caller of the first induced failure.
 * @has_induced_failure: whether any call was failed on purpose.
 * @failures: calls failed on purpose (alloc, resize and remap), so a test
 *	can tell whether a NULL it got had a failed child call behind it.
 *
 * Frees always reach @child.  Set it up with
 * memkit_failing_allocator_init(); read the fields freely.
 */
struct memkit_failing_allocator {
	struct memkit_allocator child;
	unsigned int fail_index;
	unsigned int resize_fail_index;
	unsigned int alloc_index;
	unsigned int resize_index;
	size_t allocated_bytes;
	size_t freed_bytes;
	unsigned int allocations;
	unsigned int deallocations;
	unsigned long fail_ip;
	unsigned int failures;
	bool has_induced_failure;
};

void memkit_failing_allocator_init(struct memkit_failing_allocator *fa,
				   const struct memkit_allocator *child,
				   unsigned int fail_index,
				   unsigned int resize_fail_index);
struct memkit_allocator
memkit_failing_as_allocator(struct memkit_failing_allocator *fa);

/**
 * struct memkit_validating_allocator - a test backend that checks the contract
 *
 * Wraps a child and warns (memkit_warn_once()) when a caller passes a zero
 * length to the backend, the child returns a misaligned buffer, or a
 * buffer is resized or freed with a length or alignment other than the
 * one it has.  Such calls are refused rather than forwarded.  All fields
 * are private.
 */
struct memkit_validating_allocator {
	/* private: */
	struct memkit_allocator child;
	struct xarray *live;
};

int memkit_validating_allocator_init(struct memkit_validating_allocator *va,
				     const struct memkit_allocator *child);
void memkit_validating_allocator_exit(struct memkit_validating_allocator *va);
struct memkit_allocator
memkit_validating_as_allocator(struct memkit_validating_allocator *va);

/**
 * struct memkit_alloc_failure_report - what a failure sweep found
 * @allocations: allocations the body made when nothing failed.
 * @bad_index: the allocation index at which the body misbehaved, or -1.
 * @ret: what the body returned at @bad_index (or in the clean run).
 * @leaked_bytes: bytes not given back at @bad_index (or in the clean run).
 */
struct memkit_alloc_failure_report {
	unsigned int allocations;
	int bad_index;
	int ret;
	size_t leaked_bytes;
};

int memkit_check_all_allocation_failures(const struct memkit_allocator *backing,
					 int (*body)(const struct memkit_allocator *a,
						     void *arg),
					 void *arg,
					 struct memkit_alloc_failure_report *report);

int memkit_expect_warnings_begin(void);
unsigned int memkit_expect_warnings_end(void);
bool memkit_poison_set(bool on);

#endif /* _MEMKIT_TESTING_H */
