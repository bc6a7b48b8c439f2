/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memkit: every kernel-version gate lives in this file.
 *
 * memkit builds against the stock Debian 6.1 headers and the 6.12 test
 * kernel, and is written so that 6.13+ works too.  Nothing outside this
 * header may test LINUX_VERSION_CODE; `make lint` checks that.
 */
#ifndef _MEMKIT_COMPAT_H
#define _MEMKIT_COMPAT_H

#include <linux/export.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/version.h>

/*
 * Symbol namespaces: up to 6.12 the namespace argument of
 * EXPORT_SYMBOL_NS_GPL() and MODULE_IMPORT_NS() is a bare token; from 6.13
 * on it is a string literal.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define EXPORT_SYMBOL_MEMKIT(sym) EXPORT_SYMBOL_NS_GPL(sym, "MEMKIT")
/* Consumers write MEMKIT_IMPORT_NS(); once, at file scope. */
#define MEMKIT_IMPORT_NS()	MODULE_IMPORT_NS("MEMKIT")
#else
#define EXPORT_SYMBOL_MEMKIT(sym) EXPORT_SYMBOL_NS_GPL(sym, MEMKIT)
#define MEMKIT_IMPORT_NS()	MODULE_IMPORT_NS(MEMKIT)
#endif

/*
 * Exports for tests only.  EXPORT_SYMBOL_IF_KUNIT() (6.2+) exports into
 * the EXPORTED_FOR_KUNIT_TESTING namespace on kernels with KUnit and not
 * at all on others; kernels before 6.2 with KUnit get the same macro here
 * (memkit uses it only inside #if IS_ENABLED(CONFIG_KUNIT)).  Test
 * modules write MEMKIT_IMPORT_TEST_NS() once, at file scope.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#include <kunit/visibility.h>
#elif IS_ENABLED(CONFIG_KUNIT)
#define EXPORT_SYMBOL_IF_KUNIT(sym) EXPORT_SYMBOL_NS(sym, EXPORTED_FOR_KUNIT_TESTING)
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define MEMKIT_IMPORT_TEST_NS()	MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#else
#define MEMKIT_IMPORT_TEST_NS()	MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#endif

/*
 * Allocation profiling (6.10+, CONFIG_MEM_ALLOC_PROFILING): an exported
 * call that allocates on its caller's behalf is memkit_<x>_noprof(), and
 * the header's memkit_<x>() wraps it in alloc_hooks(), so /proc/allocinfo
 * charges the memory to the caller's line; inside, memkit allocates with
 * the kernel's own _noprof calls, which charge the caller's tag.  Before
 * 6.10 there is no profiling and these are the plain calls.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#include <linux/alloc_tag.h>
#else
#define alloc_hooks(_do_alloc)	(_do_alloc)
#define kmalloc_noprof		kmalloc
#define kzalloc_noprof		kzalloc
#define krealloc_noprof		krealloc
#define kvmalloc_noprof		kvmalloc
#define get_free_pages_noprof	__get_free_pages
#endif

/* kvrealloc() dropped its old-size argument in 6.12. */
static inline void *memkit_kvrealloc(const void *p, size_t old_size,
				     size_t new_size, gfp_t gfp)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	return kvrealloc_noprof(p, new_size, gfp);
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
	return kvrealloc_noprof(p, old_size, new_size, gfp);
#else
	return kvrealloc(p, old_size, new_size, gfp);
#endif
}

/*
 * The largest page order: MAX_ORDER was exclusive before 6.4, inclusive
 * from 6.4, and renamed MAX_PAGE_ORDER in 6.8.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
#define MAX_PAGE_ORDER (MAX_ORDER - 1)
#elif LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
#define MAX_PAGE_ORDER MAX_ORDER
#endif

#endif /* _MEMKIT_COMPAT_H */
