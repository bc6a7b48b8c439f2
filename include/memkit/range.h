/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memkit_range: a locked, named range manager over the offset allocator or
 * a dedicated block.
 */
#ifndef _MEMKIT_RANGE_H
#define _MEMKIT_RANGE_H

#include <linux/types.h>

#include <memkit/offset_alloc.h>

/**
 * enum memkit_range_kind - the allocator behind a range
 * @MEMKIT_RANGE_OFFSET: the O(1) offset allocator (&struct memkit_oa).
 * @MEMKIT_RANGE_DEDICATED: one allocation of exactly the whole range, at
 *	offset 0; for a resource that is either wholly taken or free.
 */
enum memkit_range_kind {
	MEMKIT_RANGE_OFFSET,
	MEMKIT_RANGE_DEDICATED,
};

struct memkit_range;

struct memkit_range *memkit_range_create(const char *name, u64 size,
					 enum memkit_range_kind kind,
					 u32 max_allocs);
void memkit_range_destroy(struct memkit_range *range);
int memkit_range_alloc(struct memkit_range *range, u64 size, u64 align,
		       struct memkit_oa_handle *handle);
int memkit_range_reserve(struct memkit_range *range, u64 offset, u64 size,
			 struct memkit_oa_handle *handle);
int memkit_range_free(struct memkit_range *range,
		      const struct memkit_oa_handle *handle);
void memkit_range_reset(struct memkit_range *range);
void memkit_range_report(struct memkit_range *range, struct memkit_oa_usage *r);
int memkit_range_check(struct memkit_range *range);

#endif /* _MEMKIT_RANGE_H */
