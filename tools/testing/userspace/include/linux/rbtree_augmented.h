/* SPDX-License-Identifier: GPL-2.0 */
/*
 * userspace shim: the kernel's own userspace augmented rbtree (tools/include,
 * on the include path after the shim), with what it needs from the shim first.
 */
#include "../ushim.h"
#include_next <linux/rbtree_augmented.h>
