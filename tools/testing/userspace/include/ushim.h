/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel API that memkit's core files use, for userspace.
 *
 * offset_alloc.c, hashmap.c, allocator.c, arena.c and pool.c include only
 * a handful of kernel headers; every one of them (include/linux/<name>.h
 * here) forwards to this file.  It is deliberately small: what the core
 * files need, implemented plainly, with the checks that make the harness
 * useful.
 *
 *  - kmalloc() and friends count live allocations; ut_finish() fails the
 *    program if any are left, ut_fuzz_end() the fuzzer's input.
 *  - A memkit_warn_once() outside an expected-warnings window records a
 *    failure (ushim_failures) and, in fuzzers, aborts.
 *  - spinlock_t is a pthread mutex that knows its owner, so
 *    lockdep_assert_held() is a real check.
 */
#ifndef _MEMKIT_USHIM_H
#define _MEMKIT_USHIM_H

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the userspace harness assumes a little-endian host"
#endif

/* Types */

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;
typedef unsigned int gfp_t;
typedef u64 __le64;	/* the harness runs on little-endian hosts only */

#define le64_to_cpu(x)		((u64)(x))

/* Compiler attributes and annotations */

#undef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#define noinline		__attribute__((__noinline__))
#define fallthrough		__attribute__((__fallthrough__))
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#define __section(s)		__attribute__((__section__(s)))
#define __acquires(x)
#define __releases(x)
#define __acquire(x)		((void)0)
#define __release(x)		((void)0)
#define __force
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define READ_ONCE(x)		(*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, val)	(*(volatile typeof(x) *)&(x) = (val))
#define data_race(expr)		(expr)
#define _RET_IP_		((unsigned long)__builtin_return_address(0))
#define _THIS_IP_		({ __label__ __here; __here: (unsigned long)&&__here; })

/* IS_ENABLED(CONFIG_X): 1 if the harness defines CONFIG_X to 1, else 0. */
#define __ushim_arg_1		0,
#define __ushim_second(ignored, val, ...) val
#define __ushim_enabled(x)	___ushim_enabled(__ushim_arg_##x)
#define ___ushim_enabled(junk)	__ushim_second(junk 1, 0, 0)
#define IS_ENABLED(option)	__ushim_enabled(option)

#define static_assert(expr, ...)	_Static_assert(expr, #expr)
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* Bits, alignment, arithmetic */

#define BITS_PER_LONG		64
#define BIT(n)			(1UL << (n))
#define BIT_ULL(n)		(1ULL << (n))
#define U32_MAX			UINT32_MAX
#define U64_MAX			UINT64_MAX

#define __aligned(x)		__attribute__((aligned(x)))

#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))
#define min_t(t, a, b)		min((t)(a), (t)(b))
#define max_t(t, a, b)		max((t)(a), (t)(b))
#define max3(a, b, c)		max(max(a, b), c)
#define swap(a, b) \
	do { typeof(a) __ushim_tmp = (a); (a) = (b); (b) = __ushim_tmp; } while (0)

#define __ALIGN_MASK(x, m)	(((x) + (m)) & ~(m))
#define ALIGN(x, a)		__ALIGN_MASK(x, (typeof(x))(a) - 1)
#define lower_32_bits(n)	((u32)((n) & 0xffffffff))
#define upper_32_bits(n)	((u32)((u64)(n) >> 32))
#define ALIGN_DOWN(x, a)	((x) & ~((typeof(x))(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((typeof(x))(a) - 1)) == 0)
#define round_up(x, y)		ALIGN(x, y)
#define round_down(x, y)	ALIGN_DOWN(x, y)

static inline int fls(unsigned int x) { return x ? 32 - __builtin_clz(x) : 0; }
static inline int fls64(u64 x) { return x ? 64 - __builtin_clzll(x) : 0; }
static inline unsigned long __ffs(unsigned long x) { return __builtin_ctzl(x); }
static inline unsigned int __ffs64(u64 x) { return __builtin_ctzll(x); }

static inline bool is_power_of_2(unsigned long n) { return n && !(n & (n - 1)); }
static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return 1UL << fls64(n - 1);
}

#define ilog2(n)		(fls64(n) - 1)

static inline u64 div_u64(u64 n, u32 d) { return n / d; }
static inline u64 div64_u64(u64 n, u64 d) { return n / d; }
static inline u64 div64_u64_rem(u64 n, u64 d, u64 *rem)
{
	*rem = n % d;
	return n / d;
}

/* The largest x with x * x <= n, as lib/math/int_sqrt.c. */
static inline unsigned long int_sqrt(unsigned long n)
{
	unsigned long x = 0, bit;

	for (bit = 1UL << 62; bit > n; bit >>= 2)
		;
	for (; bit; bit >>= 2) {
		if (n >= x + bit) {
			n -= x + bit;
			x = (x >> 1) + bit;
		} else {
			x >>= 1;
		}
	}
	return x;
}

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)

static inline size_t size_mul(size_t a, size_t b)
{
	size_t r;

	return check_mul_overflow(a, b, &r) ? SIZE_MAX : r;
}

static inline size_t size_add(size_t a, size_t b)
{
	size_t r;

	return check_add_overflow(a, b, &r) ? SIZE_MAX : r;
}

#define array_size(n, s)	size_mul(n, s)

/* printk */

#define pr_fmt(fmt) fmt
#define pr_err(fmt, ...)	fprintf(stderr, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)	ushim_log(pr_fmt(fmt), ##__VA_ARGS__)
__printf(1, 2) void ushim_log(const char *fmt, ...);

/* Module glue: nothing to export in a program. */

#define LINUX_VERSION_CODE	KERNEL_VERSION(6, 12, 0)
#define KERNEL_VERSION(a, b, c)	(((a) << 16) + ((b) << 8) + (c))
#define EXPORT_SYMBOL_NS_GPL(sym, ns)
#define MODULE_IMPORT_NS(ns)
#define MODULE_DESCRIPTION(s)
#define MODULE_LICENSE(s)
#define MAX_PAGE_ORDER		10

/* Allocation: counted, checked at exit */

#define GFP_KERNEL		0x1u
#define GFP_ATOMIC		0x2u
#define GFP_NOWAIT		0x4u
#define __GFP_NOWARN		0x8u
#define __GFP_RETRY_MAYFAIL	0x20u
#define __GFP_ZERO		0x10u

/* GFP_KERNEL may sleep; the others may not. */
static inline bool gfpflags_allow_blocking(gfp_t gfp)
{
	return gfp & GFP_KERNEL;
}

void *kmalloc(size_t size, gfp_t gfp);
void *krealloc(const void *p, size_t size, gfp_t gfp);
void kfree(const void *p);
#define kvmalloc(size, gfp)	kmalloc(size, gfp)
#define kvrealloc(p, size, gfp)	krealloc(p, size, gfp)
/* No allocation profiling: the _noprof calls are the plain ones. */
#define kmalloc_noprof		kmalloc
#define kzalloc_noprof		kzalloc
#define krealloc_noprof		krealloc
#define kvmalloc_noprof		kvmalloc
#define kvrealloc_noprof	kvrealloc
#define kvfree(p)		kfree(p)

/*
 * Allocations still live.  ushim_fail_nth works as a task's fail-nth in
 * the kernel: set to N, the N-th kmalloc/krealloc from then on fails,
 * once; it counts down to 0, so a value left above 0 says fewer than N
 * allocations were made.
 */
extern long ushim_live_allocs;
extern unsigned int ushim_fail_nth;

/* Locks: a mutex that knows its owner. */

typedef struct {
	pthread_mutex_t mutex;
	pthread_t owner;
	bool held;
} spinlock_t;

void spin_lock_init(spinlock_t *lock);
void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
bool ushim_lock_held(spinlock_t *lock);
#define spin_lock_irqsave(lock, flags)	do { (flags) = 0; spin_lock(lock); } while (0)
#define spin_unlock_irqrestore(lock, flags) do { (void)(flags); spin_unlock(lock); } while (0)
#define lockdep_assert_held(lock) \
	do { if (!ushim_lock_held(lock)) ushim_fail("lock not held: %s", #lock); } while (0)

/* Lists */

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name)	{ &(name), &(name) }
#define LIST_HEAD(name)		struct list_head name = LIST_HEAD_INIT(name)

static inline void INIT_LIST_HEAD(struct list_head *l)
{
	l->next = l;
	l->prev = l;
}

static inline void __list_link(struct list_head *n, struct list_head *prev,
			       struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

static inline void list_add(struct list_head *n, struct list_head *head)
{
	__list_link(n, head, head->next);
}

static inline void list_del(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	e->next = NULL;
	e->prev = NULL;
}

#define list_entry(ptr, type, member)	container_of(ptr, type, member)
#define list_for_each_entry(pos, head, member)					\
	for (pos = list_entry((head)->next, typeof(*pos), member);		\
	     &pos->member != (head);						\
	     pos = list_entry(pos->member.next, typeof(*pos), member))
#define list_for_each_entry_safe(pos, n, head, member)				\
	for (pos = list_entry((head)->next, typeof(*pos), member),		\
	     n = list_entry(pos->member.next, typeof(*pos), member);		\
	     &pos->member != (head);						\
	     pos = n, n = list_entry(n->member.next, typeof(*n), member))

/* Randomness and SipHash-2-4 */

/* The state of get_random_bytes()' stream: set it to replay a run. */
extern u64 ushim_random_state;
void get_random_bytes(void *buf, size_t len);

static inline u32 get_random_u32(void)
{
	u32 v;

	get_random_bytes(&v, sizeof(v));
	return v;
}

typedef struct {
	u64 key[2];
} siphash_key_t;

u64 siphash(const void *data, size_t len, const siphash_key_t *key);
u64 siphash_1u64(u64 a, const siphash_key_t *key);
u64 siphash_1u32(u32 a, const siphash_key_t *key);

typedef struct {
	unsigned long key[2];
} hsiphash_key_t;

u32 hsiphash(const void *data, size_t len, const hsiphash_key_t *key);
u32 hsiphash_1u32(u32 a, const hsiphash_key_t *key);
u32 hsiphash_2u32(u32 a, u32 b, const hsiphash_key_t *key);

/* Failures: counted, reported by the harness. */

extern unsigned int ushim_failures;
__printf(1, 2) void ushim_fail(const char *fmt, ...);

#endif /* _MEMKIT_USHIM_H */
