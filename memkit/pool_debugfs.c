// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_pool's debugfs view: stats.
 */

#include <linux/module.h>
#include <linux/seq_file.h>

#include <memkit/compat.h>
#include <memkit/debugfs.h>
#include <memkit/pool.h>

#include "internal.h"

/**
 * DOC: Pool view
 *
 * A registered pool has ``stats``: the object size and alignment, the
 * mode, live and free-list objects, capacity, the high-water mark,
 * allocs, frees and failures, from memkit_pool_stats(), which
 * takes a locked pool's own lock.  The view lives in its own file so that
 * pool.c compiles unchanged in the userspace harness.  O(1) per read.
 */

static void pool_summary(struct seq_file *m, void *data)
{
	struct memkit_pool_usage st;

	memkit_pool_stats(data, &st);
	seq_printf(m, "size=%zu align=%zu live=%zu free=%zu high_water=%zu failed=%lu",
		   st.item_size, st.item_align, st.live, st.free, st.high_water,
		   st.failed);
}

static int pool_stats_show(struct seq_file *m, void *data)
{
	struct memkit_pool_usage st;

	memkit_pool_stats(data, &st);
	seq_printf(m, "object_size   %zu\n", st.item_size);
	seq_printf(m, "object_align  %zu\n", st.item_align);
	seq_printf(m, "mode          %s\n", st.passthrough ? "passthrough" : "bump");
	seq_printf(m, "live          %zu\n", st.live);
	seq_printf(m, "free_list     %zu\n", st.free);
	seq_printf(m, "capacity      %zu\n", st.capacity);
	seq_printf(m, "high_water    %zu\n", st.high_water);
	seq_printf(m, "allocs        %lu\n", st.allocs);
	seq_printf(m, "frees         %lu\n", st.frees);
	seq_printf(m, "failed        %lu\n", st.failed);
	return 0;
}

static const struct memkit_debugfs_file pool_files[] = {
	{ .name = "stats", .show = pool_stats_show },
};

static const struct memkit_debugfs_ops pool_debugfs_ops = {
	.kind = "pool",
	.summary = pool_summary,
	.files = pool_files,
	.nr_files = ARRAY_SIZE(pool_files),
};

/**
 * __memkit_pool_register() - show a pool in debugfs
 * @pool: an initialised pool.
 * @name: its debugfs name; see memkit_debugfs_register().
 * @owner: the module the pool belongs to; see __memkit_debugfs_register().
 *
 * ``memkit/<name>/stats`` then shows the object size and alignment, live
 * objects, free-list length, capacity, high watermark, allocs, frees
 * and failed allocs.  memkit_pool_exit() unregisters it.
 *
 * Context: process context.
 * Return: 0 or what memkit_debugfs_register() returns.
 */
int __memkit_pool_register(struct memkit_pool *pool, const char *name, struct module *owner)
{
	return __memkit_debugfs_register(&pool->debugfs, NULL, name, &pool_debugfs_ops, pool,
					 owner);
}
EXPORT_SYMBOL_MEMKIT(__memkit_pool_register);
