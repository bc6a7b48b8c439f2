/* SPDX-License-Identifier: GPL-2.0 */
/* userspace shim: no tracepoint is ever enabled */
#ifndef _USHIM_TRACEPOINT_DEFS_H
#define _USHIM_TRACEPOINT_DEFS_H

#define DECLARE_TRACEPOINT(tp)	extern int __ushim_tracepoint_##tp
#define tracepoint_enabled(tp)	false

#endif
