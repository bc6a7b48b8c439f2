// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_kunit.ko: every memkit KUnit suite in one module.  Each
 * <part>_kunit.c registers its own suites; this file only carries the
 * module information.
 */

#include <linux/module.h>

#include <memkit/compat.h>

MODULE_DESCRIPTION("KUnit tests for memkit");
MODULE_LICENSE("GPL");
MEMKIT_IMPORT_NS();
