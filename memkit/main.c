// SPDX-License-Identifier: GPL-2.0
/*
 * memkit: module init and exit.
 *
 * memkit.ko is a library: loading it creates /sys/kernel/debug/memkit/ and
 * nothing else.  Client modules import the MEMKIT symbol namespace and
 * create their own instances.
 */

#include <linux/module.h>

#include "internal.h"

#define CREATE_TRACE_POINTS
#include "memkit_trace.h"

/* The hash map's inline operations test these from client modules. */
EXPORT_TRACEPOINT_SYMBOL_GPL(memkit_hashmap_insert);
EXPORT_TRACEPOINT_SYMBOL_GPL(memkit_hashmap_remove);

static int __init memkit_init(void)
{
	memkit_debugfs_init();
	return 0;
}

static void __exit memkit_exit(void)
{
	memkit_debugfs_exit();
}

module_init(memkit_init);
module_exit(memkit_exit);

MODULE_DESCRIPTION("memkit: offset allocator, range manager, arena, pool and relocatable hash map");
MODULE_LICENSE("GPL");
