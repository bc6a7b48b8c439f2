// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_arena's debugfs view: stats.
 */

#include <linux/module.h>
#include <linux/seq_file.h>

#include <memkit/arena.h>
#include <memkit/compat.h>
#include <memkit/debugfs.h>

#include "internal.h"

/**
 * DOC: Arena view
 *
 * A registered arena has ``stats``: its mode, buffers, the current
 * buffer's size and use, objects, capacity, bytes handed out, resets and
 * child allocations, from memkit_arena_stats().  The views live in
 * their own file so that arena.c includes no kernel-only header and
 * compiles unchanged in the userspace harness.  O(buffers) per read;
 * locking: the owner's, as for memkit_arena_stats().
 */

static void arena_summary(struct seq_file *m, void *data)
{
	struct memkit_arena_usage st;

	memkit_arena_stats(data, &st);
	seq_printf(m, "%s capacity=%zu handed_out=%zu resets=%lu child_allocs=%lu",
		   st.passthrough ? "passthrough" : "bump", st.capacity,
		   st.handed_out, st.resets, st.child_allocs);
}

static int arena_stats_show(struct seq_file *m, void *data)
{
	struct memkit_arena_usage st;

	memkit_arena_stats(data, &st);
	seq_printf(m, "mode          %s\n", st.passthrough ? "passthrough" : "bump");
	seq_printf(m, "buffers       %u\n", st.buffers);
	seq_printf(m, "current_size  %zu\n", st.current_size);
	seq_printf(m, "current_used  %zu\n", st.current_used);
	seq_printf(m, "objects       %zu\n", st.objects);
	seq_printf(m, "capacity      %zu\n", st.capacity);
	seq_printf(m, "handed_out    %zu\n", st.handed_out);
	seq_printf(m, "resets        %lu\n", st.resets);
	seq_printf(m, "child_allocs  %lu\n", st.child_allocs);
	return 0;
}

static const struct memkit_debugfs_file arena_files[] = {
	{ .name = "stats", .show = arena_stats_show },
};

static const struct memkit_debugfs_ops arena_debugfs_ops = {
	.kind = "arena",
	.summary = arena_summary,
	.files = arena_files,
	.nr_files = ARRAY_SIZE(arena_files),
};

/**
 * __memkit_arena_register() - show an arena in debugfs
 * @arena: an initialised arena.
 * @name: its debugfs name; see memkit_debugfs_register().
 * @owner: the module the arena belongs to; see __memkit_debugfs_register().
 *
 * ``memkit/<name>/stats`` then shows the mode, the buffers held, the size
 * of the current one and how much of it is used, passthrough objects,
 * capacity, bytes handed out since the last reset, resets and child
 * allocations so far.  memkit_arena_exit() unregisters it.
 *
 * Context: process context.
 * Return: 0 or what memkit_debugfs_register() returns.
 */
int __memkit_arena_register(struct memkit_arena *arena, const char *name,
			    struct module *owner)
{
	return __memkit_debugfs_register(&arena->debugfs, NULL, name, &arena_debugfs_ops, arena,
					 owner);
}
EXPORT_SYMBOL_MEMKIT(__memkit_arena_register);
