/* SPDX-License-Identifier: GPL-2.0 */
/* userspace shim: no allocation profiling, so no tag around a call */
#ifndef _USHIM_ALLOC_TAG_H
#define _USHIM_ALLOC_TAG_H

#define alloc_hooks(_do_alloc)	(_do_alloc)

#endif
