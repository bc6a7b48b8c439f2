/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memkit's tracepoints: events/memkit/ in tracefs.  Private to memkit.ko;
 * the hash map's inline operations reach theirs through
 * tracepoint_enabled() in <memkit/hashmap.h>.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM memkit

#if !defined(_MEMKIT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MEMKIT_TRACE_H

#include <linux/string.h>
#include <linux/tracepoint.h>

#include <memkit/arena.h>
#include <memkit/debugfs.h>
#include <memkit/offset_alloc.h>

/* How a range allocation was asked for: a placement mode, or one of these. */
#define MEMKIT_TRACE_ALLOC	MEMKIT_OA_NR_MODES
#define MEMKIT_TRACE_RESERVE	(MEMKIT_OA_NR_MODES + 1)

TRACE_DEFINE_ENUM(MEMKIT_OA_FAST);
TRACE_DEFINE_ENUM(MEMKIT_OA_BEST);
TRACE_DEFINE_ENUM(MEMKIT_OA_LOW);
TRACE_DEFINE_ENUM(MEMKIT_OA_HIGH);
TRACE_DEFINE_ENUM(MEMKIT_OA_NR_MODES);
TRACE_DEFINE_ENUM(MEMKIT_ARENA_FREE_ALL);
TRACE_DEFINE_ENUM(MEMKIT_ARENA_RETAIN_CAPACITY);
TRACE_DEFINE_ENUM(MEMKIT_ARENA_RETAIN_WITH_LIMIT);

#define memkit_trace_how(how)						\
	__print_symbolic(how,						\
			 { MEMKIT_OA_FAST, "fast" },			\
			 { MEMKIT_OA_BEST, "best" },			\
			 { MEMKIT_OA_LOW, "low" },			\
			 { MEMKIT_OA_HIGH, "high" },			\
			 { MEMKIT_TRACE_ALLOC, "alloc" },		\
			 { MEMKIT_TRACE_RESERVE, "reserve" })

TRACE_EVENT(memkit_range_alloc,
	TP_PROTO(const char *name, u64 offset, u64 size, u64 align, unsigned int how,
		 unsigned long ip),
	TP_ARGS(name, offset, size, align, how, ip),
	TP_STRUCT__entry(
		__array(char, name, MEMKIT_NAME_MAX)
		__field(u64, offset)
		__field(u64, size)
		__field(u64, align)
		__field(unsigned int, how)
		__field(unsigned long, ip)
	),
	TP_fast_assign(
		strscpy(__entry->name, name, MEMKIT_NAME_MAX);
		__entry->offset = offset;
		__entry->size = size;
		__entry->align = align;
		__entry->how = how;
		__entry->ip = ip;
	),
	TP_printk("range=%s offset=%llu size=%llu align=%llu how=%s caller=%pS",
		  __entry->name, __entry->offset, __entry->size, __entry->align,
		  memkit_trace_how(__entry->how), (void *)__entry->ip)
);

TRACE_EVENT(memkit_range_alloc_fail,
	TP_PROTO(const char *name, u64 size, u64 align, unsigned int how, int err,
		 unsigned long ip),
	TP_ARGS(name, size, align, how, err, ip),
	TP_STRUCT__entry(
		__array(char, name, MEMKIT_NAME_MAX)
		__field(u64, size)
		__field(u64, align)
		__field(unsigned int, how)
		__field(int, err)
		__field(unsigned long, ip)
	),
	TP_fast_assign(
		strscpy(__entry->name, name, MEMKIT_NAME_MAX);
		__entry->size = size;
		__entry->align = align;
		__entry->how = how;
		__entry->err = err;
		__entry->ip = ip;
	),
	TP_printk("range=%s size=%llu align=%llu how=%s err=%d caller=%pS",
		  __entry->name, __entry->size, __entry->align,
		  memkit_trace_how(__entry->how), __entry->err, (void *)__entry->ip)
);

TRACE_EVENT(memkit_range_free,
	TP_PROTO(const char *name, u64 offset, u64 size, unsigned long ip),
	TP_ARGS(name, offset, size, ip),
	TP_STRUCT__entry(
		__array(char, name, MEMKIT_NAME_MAX)
		__field(u64, offset)
		__field(u64, size)
		__field(unsigned long, ip)
	),
	TP_fast_assign(
		strscpy(__entry->name, name, MEMKIT_NAME_MAX);
		__entry->offset = offset;
		__entry->size = size;
		__entry->ip = ip;
	),
	TP_printk("range=%s offset=%llu size=%llu caller=%pS",
		  __entry->name, __entry->offset, __entry->size, (void *)__entry->ip)
);

DECLARE_EVENT_CLASS(memkit_pool_object,
	TP_PROTO(const void *pool, const void *obj, unsigned long ip),
	TP_ARGS(pool, obj, ip),
	TP_STRUCT__entry(
		__field(const void *, pool)
		__field(const void *, obj)
		__field(unsigned long, ip)
	),
	TP_fast_assign(
		__entry->pool = pool;
		__entry->obj = obj;
		__entry->ip = ip;
	),
	TP_printk("pool=%p obj=%p caller=%pS", __entry->pool, __entry->obj,
		  (void *)__entry->ip)
);

DEFINE_EVENT(memkit_pool_object, memkit_pool_alloc,
	TP_PROTO(const void *pool, const void *obj, unsigned long ip),
	TP_ARGS(pool, obj, ip)
);

DEFINE_EVENT(memkit_pool_object, memkit_pool_free,
	TP_PROTO(const void *pool, const void *obj, unsigned long ip),
	TP_ARGS(pool, obj, ip)
);

TRACE_EVENT(memkit_arena_reset,
	TP_PROTO(const void *arena, unsigned int mode, size_t before, size_t after, bool ok,
		 unsigned long ip),
	TP_ARGS(arena, mode, before, after, ok, ip),
	TP_STRUCT__entry(
		__field(const void *, arena)
		__field(unsigned int, mode)
		__field(size_t, before)
		__field(size_t, after)
		__field(bool, ok)
		__field(unsigned long, ip)
	),
	TP_fast_assign(
		__entry->arena = arena;
		__entry->mode = mode;
		__entry->before = before;
		__entry->after = after;
		__entry->ok = ok;
		__entry->ip = ip;
	),
	TP_printk("arena=%p mode=%s capacity=%zu->%zu ok=%d caller=%pS", __entry->arena,
		  __print_symbolic(__entry->mode,
				   { MEMKIT_ARENA_FREE_ALL, "free_all" },
				   { MEMKIT_ARENA_RETAIN_CAPACITY, "retain_capacity" },
				   { MEMKIT_ARENA_RETAIN_WITH_LIMIT, "retain_with_limit" }),
		  __entry->before, __entry->after, __entry->ok, (void *)__entry->ip)
);

DECLARE_EVENT_CLASS(memkit_hashmap_slot,
	TP_PROTO(const void *map, u32 idx, u32 dist, u32 count, u32 capacity, unsigned long ip),
	TP_ARGS(map, idx, dist, count, capacity, ip),
	TP_STRUCT__entry(
		__field(const void *, map)
		__field(u32, idx)
		__field(u32, dist)
		__field(u32, count)
		__field(u32, capacity)
		__field(unsigned long, ip)
	),
	TP_fast_assign(
		__entry->map = map;
		__entry->idx = idx;
		__entry->dist = dist;
		__entry->count = count;
		__entry->capacity = capacity;
		__entry->ip = ip;
	),
	TP_printk("map=%p slot=%u dist=%u count=%u/%u caller=%pS", __entry->map,
		  __entry->idx, __entry->dist, __entry->count, __entry->capacity,
		  (void *)__entry->ip)
);

DEFINE_EVENT(memkit_hashmap_slot, memkit_hashmap_insert,
	TP_PROTO(const void *map, u32 idx, u32 dist, u32 count, u32 capacity, unsigned long ip),
	TP_ARGS(map, idx, dist, count, capacity, ip)
);

DEFINE_EVENT(memkit_hashmap_slot, memkit_hashmap_remove,
	TP_PROTO(const void *map, u32 idx, u32 dist, u32 count, u32 capacity, unsigned long ip),
	TP_ARGS(map, idx, dist, count, capacity, ip)
);

TRACE_EVENT(memkit_hashmap_attach,
	TP_PROTO(const void *buf, u32 capacity, u32 count, bool reseed, int ret,
		 unsigned long ip),
	TP_ARGS(buf, capacity, count, reseed, ret, ip),
	TP_STRUCT__entry(
		__field(const void *, buf)
		__field(u32, capacity)
		__field(u32, count)
		__field(bool, reseed)
		__field(int, ret)
		__field(unsigned long, ip)
	),
	TP_fast_assign(
		__entry->buf = buf;
		__entry->capacity = capacity;
		__entry->count = count;
		__entry->reseed = reseed;
		__entry->ret = ret;
		__entry->ip = ip;
	),
	TP_printk("buf=%p capacity=%u count=%u reseed=%d ret=%d caller=%pS", __entry->buf,
		  __entry->capacity, __entry->count, __entry->reseed, __entry->ret,
		  (void *)__entry->ip)
);

#endif /* _MEMKIT_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE memkit_trace
#include <trace/define_trace.h>
