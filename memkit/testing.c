// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_test.ko: test support for memkit and its clients.
 */

#include <linux/align.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include <memkit/bug.h>
#include <memkit/compat.h>
#include <memkit/testing.h>

/**
 * DOC: Test support
 *
 * memkit_test.ko holds what only tests need, so that memkit.ko's exports
 * are the production API alone.  It is built for kernels with KUnit and
 * is not installed by ``make install``.
 *
 * - &struct memkit_failing_allocator: forwards to a child and fails the
 *   allocation (and, counted apart, the resize or remap) with a chosen
 *   index and every one after it, counting bytes both ways; modelled on
 *   the original's FailingAllocator.
 * - memkit_check_all_allocation_failures(): runs a body once cleanly and
 *   then once per allocation with that allocation failing, and checks that
 *   each run unwinds to -ENOMEM with nothing leaked.
 * - &struct memkit_validating_allocator: forwards to a child, records every
 *   live buffer in an xarray, and warns on contract violations (a zero
 *   length reaching the backend, a misaligned buffer from the child, a
 *   resize or free with the wrong length or alignment), refusing them.
 *
 * Complexity: O(1) per call for the failing backend, O(log n) in the
 * number of live buffers for the validating one; the sweep runs its body
 * once per allocation it makes.  Locking: none; one test thread at a
 * time per instance (the validating backend's xarray has its own lock).
 */

/* failing backend */

static void *failing_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			   unsigned long ip)
{
	struct memkit_failing_allocator *fa = ctx;
	void *buf;

	if (fa->alloc_index == fa->fail_index) {
		fa->failures++;
		if (!fa->has_induced_failure) {
			fa->has_induced_failure = true;
			fa->fail_ip = ip;
		}
		return NULL;
	}
	buf = fa->child.ops->alloc(fa->child.ctx, len, align, gfp, ip);
	if (!buf)
		return NULL;
	fa->allocated_bytes += len;
	fa->allocations++;
	fa->alloc_index++;
	return buf;
}

/* Count a successful resize or remap from @old_len to @new_len. */
static void failing_account_resize(struct memkit_failing_allocator *fa,
				   size_t old_len, size_t new_len)
{
	if (new_len > old_len)
		fa->allocated_bytes += new_len - old_len;
	else
		fa->freed_bytes += old_len - new_len;
	fa->resize_index++;
}

static bool failing_resize_fails(struct memkit_failing_allocator *fa,
				 unsigned long ip)
{
	if (fa->resize_index != fa->resize_fail_index)
		return false;
	fa->failures++;
	if (!fa->has_induced_failure) {
		fa->has_induced_failure = true;
		fa->fail_ip = ip;
	}
	return true;
}

static bool failing_resize(void *ctx, void *buf, size_t old_len, size_t new_len,
			   size_t align, unsigned long ip)
{
	struct memkit_failing_allocator *fa = ctx;
	const struct memkit_allocator *c = &fa->child;

	if (failing_resize_fails(fa, ip) || !c->ops->resize ||
	    !c->ops->resize(c->ctx, buf, old_len, new_len, align, ip))
		return false;
	failing_account_resize(fa, old_len, new_len);
	return true;
}

static void *failing_remap(void *ctx, void *buf, size_t old_len, size_t new_len,
			   size_t align, gfp_t gfp, unsigned long ip)
{
	struct memkit_failing_allocator *fa = ctx;
	const struct memkit_allocator *c = &fa->child;
	void *ret = NULL;

	if (failing_resize_fails(fa, ip))
		return NULL;
	if (c->ops->remap)
		ret = c->ops->remap(c->ctx, buf, old_len, new_len, align, gfp, ip);
	else if (c->ops->resize && c->ops->resize(c->ctx, buf, old_len, new_len, align, ip))
		ret = buf;
	if (ret)
		failing_account_resize(fa, old_len, new_len);
	return ret;
}

static void failing_free(void *ctx, void *buf, size_t len, size_t align,
			 unsigned long ip)
{
	struct memkit_failing_allocator *fa = ctx;

	fa->child.ops->free(fa->child.ctx, buf, len, align, ip);
	fa->freed_bytes += len;
	fa->deallocations++;
}

static const struct memkit_allocator_ops failing_ops = {
	.alloc = failing_alloc,
	.resize = failing_resize,
	.remap = failing_remap,
	.free = failing_free,
};

/**
 * memkit_failing_allocator_init() - set up a failing allocator
 * @fa: the allocator to set up.
 * @child: does the real work; copied.
 * @fail_index: the first allocation to fail (0: the first one); UINT_MAX
 *	for never.  Once failing, allocations keep failing.
 * @resize_fail_index: the same for resize and remap, counted together.
 *
 * Modelled on the original's FailingAllocator; for tests.  Not locked:
 * one test thread at a time.
 *
 * Context: any context.
 */
void memkit_failing_allocator_init(struct memkit_failing_allocator *fa,
				   const struct memkit_allocator *child,
				   unsigned int fail_index,
				   unsigned int resize_fail_index)
{
	memset(fa, 0, sizeof(*fa));
	fa->child = *child;
	fa->fail_index = fail_index;
	fa->resize_fail_index = resize_fail_index;
}
EXPORT_SYMBOL_MEMKIT(memkit_failing_allocator_init);

/**
 * memkit_failing_as_allocator() - the interface of a failing allocator
 * @fa: an initialised failing allocator.
 *
 * Context: any context.
 * Return: an allocator that forwards to @fa.
 */
struct memkit_allocator memkit_failing_as_allocator(struct memkit_failing_allocator *fa)
{
	return (struct memkit_allocator){ .ctx = fa, .ops = &failing_ops };
}
EXPORT_SYMBOL_MEMKIT(memkit_failing_as_allocator);

/* One run of @body with allocation @index failing (UINT_MAX: none). */
static int failure_run(const struct memkit_allocator *backing, unsigned int index,
		       int (*body)(const struct memkit_allocator *a, void *arg),
		       void *arg, struct memkit_failing_allocator *fa)
{
	struct memkit_allocator a;

	memkit_failing_allocator_init(fa, backing, index, UINT_MAX);
	a = memkit_failing_as_allocator(fa);
	return body(&a, arg);
}

/**
 * memkit_check_all_allocation_failures() - fail each allocation of a body in turn
 * @backing: the allocator the body really uses, through a failing one.
 * @body: the code under test: allocate through @a, free everything it
 *	allocated before returning, and return 0 or a negative errno.
 * @arg: passed to @body.
 * @report: receives what was found.
 *
 * Runs @body once with nothing failing, to count its allocations (it must
 * return 0 and free everything), then once per allocation index with that
 * allocation failing: each of those runs must return -ENOMEM and free
 * everything it allocated.  A crash in the error path shows up as one
 * (KASAN, an oops) in the run that provoked it.  The sweep stops at the
 * first misbehaving run and describes it in @report.
 *
 * Context: whatever @body needs; may sleep if @body does.
 * Return: 0 if every run behaved; -EIO if the clean run failed or leaked;
 * -EINVAL if a run with a failing allocation returned anything but -ENOMEM
 * or leaked (@report says which run, what it returned and what it leaked).
 */
int memkit_check_all_allocation_failures(const struct memkit_allocator *backing,
					 int (*body)(const struct memkit_allocator *a,
						     void *arg),
					 void *arg,
					 struct memkit_alloc_failure_report *report)
{
	struct memkit_failing_allocator fa;
	unsigned int i;

	memset(report, 0, sizeof(*report));
	report->bad_index = -1;
	report->ret = failure_run(backing, UINT_MAX, body, arg, &fa);
	report->allocations = fa.alloc_index;
	report->leaked_bytes = fa.allocated_bytes - fa.freed_bytes;
	if (report->ret || report->leaked_bytes)
		return -EIO;

	for (i = 0; i < report->allocations; i++) {
		report->ret = failure_run(backing, i, body, arg, &fa);
		report->leaked_bytes = fa.allocated_bytes - fa.freed_bytes;
		if (report->ret != -ENOMEM || report->leaked_bytes) {
			report->bad_index = i;
			return -EINVAL;
		}
	}
	report->ret = 0;
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_check_all_allocation_failures);

/* validating backend */

/*
 * A buffer's record, an xarray value entry (up to LONG_MAX): its length
 * above the log2 of its alignment.  Longer buffers cannot be recorded, so
 * the backend refuses them as a lack of memory (2^56 bytes on 64-bit
 * kernels, 32 MiB on 32-bit ones).
 */
#define VALID_ALIGN_BITS	6
#define VALID_MAX_LEN		((size_t)(LONG_MAX >> VALID_ALIGN_BITS))

static unsigned long valid_record(size_t len, size_t align)
{
	return ((unsigned long)len << VALID_ALIGN_BITS) | ilog2(align);
}

/* Is @buf live with exactly this length and alignment?  Warns if not. */
static bool valid_check(struct memkit_validating_allocator *va, void *buf,
			size_t len, size_t align, const char *op)
{
	void *entry = xa_load(va->live, (unsigned long)buf);

	if (memkit_warn_once(!entry, "%s of a buffer this allocator does not hold", op))
		return false;
	return !memkit_warn_once(xa_to_value(entry) != valid_record(len, align),
				 "%s with length %zu align %zu; allocated with %lu align %lu",
				 op, len, align, xa_to_value(entry) >> VALID_ALIGN_BITS,
				 1UL << (xa_to_value(entry) & (BIT(VALID_ALIGN_BITS) - 1)));
}

static bool valid_store(struct memkit_validating_allocator *va, void *buf,
			size_t len, size_t align, gfp_t gfp)
{
	return !xa_err(xa_store(va->live, (unsigned long)buf,
				xa_mk_value(valid_record(len, align)), gfp));
}

static void *valid_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			 unsigned long ip)
{
	struct memkit_validating_allocator *va = ctx;
	const struct memkit_allocator *c = &va->child;
	void *buf;

	if (memkit_warn_once(!len, "zero-length allocation reached the backend") ||
	    len > VALID_MAX_LEN)
		return NULL;
	buf = c->ops->alloc(c->ctx, len, align, gfp, ip);
	if (!buf)
		return NULL;
	if (memkit_warn_once(!IS_ALIGNED((unsigned long)buf, align),
			     "backend returned a buffer misaligned for %zu", align) ||
	    !valid_store(va, buf, len, align, gfp)) {
		c->ops->free(c->ctx, buf, len, align, ip);
		return NULL;
	}
	return buf;
}

static bool valid_resize(void *ctx, void *buf, size_t old_len, size_t new_len,
			 size_t align, unsigned long ip)
{
	struct memkit_validating_allocator *va = ctx;
	const struct memkit_allocator *c = &va->child;

	if (!valid_check(va, buf, old_len, align, "resize") ||
	    memkit_warn_once(!new_len, "zero-length resize reached the backend") ||
	    new_len > VALID_MAX_LEN || !c->ops->resize ||
	    !c->ops->resize(c->ctx, buf, old_len, new_len, align, ip))
		return false;
	/* Same index: the slot exists, so this store cannot fail. */
	valid_store(va, buf, new_len, align, GFP_ATOMIC);
	return true;
}

static void *valid_remap(void *ctx, void *buf, size_t old_len, size_t new_len,
			 size_t align, gfp_t gfp, unsigned long ip)
{
	struct memkit_validating_allocator *va = ctx;
	const struct memkit_allocator *c = &va->child;
	void *ret;

	if (!c->ops->remap)
		return valid_resize(ctx, buf, old_len, new_len, align, ip) ? buf : NULL;
	if (!valid_check(va, buf, old_len, align, "remap") ||
	    memkit_warn_once(!new_len, "zero-length remap reached the backend") ||
	    new_len > VALID_MAX_LEN)
		return NULL;
	ret = c->ops->remap(c->ctx, buf, old_len, new_len, align, gfp, ip);
	if (!ret)
		return NULL;
	if (ret != buf)
		xa_erase(va->live, (unsigned long)buf);
	memkit_warn_once(!IS_ALIGNED((unsigned long)ret, align),
			 "backend remapped a buffer misaligned for %zu", align);
	memkit_warn_once(!valid_store(va, ret, new_len, align, gfp),
			 "validating allocator lost track of a remapped buffer");
	return ret;
}

static void valid_free(void *ctx, void *buf, size_t len, size_t align,
		       unsigned long ip)
{
	struct memkit_validating_allocator *va = ctx;

	if (!valid_check(va, buf, len, align, "free"))
		return;
	xa_erase(va->live, (unsigned long)buf);
	va->child.ops->free(va->child.ctx, buf, len, align, ip);
}

static const struct memkit_allocator_ops validating_ops = {
	.alloc = valid_alloc,
	.resize = valid_resize,
	.remap = valid_remap,
	.free = valid_free,
};

/**
 * memkit_validating_allocator_init() - set up a validating allocator
 * @va: the allocator to set up.
 * @child: does the real work; copied.
 *
 * Context: process context.
 * Return: 0 or -ENOMEM.
 */
int memkit_validating_allocator_init(struct memkit_validating_allocator *va,
				     const struct memkit_allocator *child)
{
	va->child = *child;
	va->live = kmalloc(sizeof(*va->live), GFP_KERNEL);
	if (!va->live)
		return -ENOMEM;
	xa_init(va->live);
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_validating_allocator_init);

/**
 * memkit_validating_allocator_exit() - tear down, freeing what is left
 * @va: the allocator.
 *
 * Buffers still live are a leak in the code under test: reported with a
 * warning, then given back to the child.
 *
 * Context: process context.
 */
void memkit_validating_allocator_exit(struct memkit_validating_allocator *va)
{
	unsigned long index, count = 0;
	void *entry;

	if (!va->live)
		return;
	xa_for_each(va->live, index, entry) {
		unsigned long rec = xa_to_value(entry);

		va->child.ops->free(va->child.ctx, (void *)index, rec >> VALID_ALIGN_BITS,
				    1UL << (rec & (BIT(VALID_ALIGN_BITS) - 1)), _RET_IP_);
		count++;
	}
	memkit_warn_once(count, "validating allocator: %lu buffers leaked", count);
	xa_destroy(va->live);
	kfree(va->live);
	va->live = NULL;
}
EXPORT_SYMBOL_MEMKIT(memkit_validating_allocator_exit);

/**
 * memkit_validating_as_allocator() - the interface of a validating allocator
 * @va: an initialised validating allocator.
 *
 * Context: any context the child allows.
 * Return: an allocator that checks and forwards to @va's child.
 */
struct memkit_allocator memkit_validating_as_allocator(struct memkit_validating_allocator *va)
{
	return (struct memkit_allocator){ .ctx = va, .ops = &validating_ops };
}
EXPORT_SYMBOL_MEMKIT(memkit_validating_as_allocator);

MODULE_DESCRIPTION("memkit test support: failing and validating allocators, failure sweeps");
MODULE_LICENSE("GPL");
MEMKIT_IMPORT_NS();
