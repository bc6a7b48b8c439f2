/* SPDX-License-Identifier: GPL-2.0 */
/*
 * userspace shim: every tracepoint is a no-op that is never enabled, so
 * the core files compile their trace calls unchanged.
 */
#ifndef _USHIM_TRACEPOINT_H
#define _USHIM_TRACEPOINT_H

#include "../ushim.h"
#include "tracepoint-defs.h"

#define TP_PROTO(args...)	args
#define TP_ARGS(args...)	args
#define TRACE_DEFINE_ENUM(e)

#define DECLARE_EVENT_CLASS(name, proto, args, tstruct, assign, print)
#define DEFINE_EVENT(class, name, proto, args)				\
	static inline void trace_##name(proto) {}			\
	static inline bool trace_##name##_enabled(void) { return false; }
#define TRACE_EVENT(name, proto, args, tstruct, assign, print)		\
	DEFINE_EVENT(none, name, PARAMS(proto), PARAMS(args))
#define PARAMS(args...)		args

#endif
