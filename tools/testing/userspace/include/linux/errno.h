/* SPDX-License-Identifier: GPL-2.0 */
/*
 * userspace shim: glibc includes <linux/errno.h> too, so take the system
 * one (the kernel's own errno values) and then the rest of the shim.
 */
#include_next <linux/errno.h>
#include "../ushim.h"
