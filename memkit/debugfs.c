// SPDX-License-Identifier: GPL-2.0
/*
 * memkit debugfs registry, and the views of the arena, pool and hash map.
 */

#include <linux/debugfs.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <memkit/arena.h>
#include <memkit/bug.h>
#include <memkit/compat.h>
#include <memkit/debugfs.h>
#include <memkit/hashmap.h>
#include <memkit/pool.h>

#include "internal.h"

/**
 * DOC: Overview
 *
 * Every memkit object that a user wants to inspect registers a
 * &struct memkit_debugfs_entry, which becomes a directory
 * ``/sys/kernel/debug/memkit/<name>/`` holding read-only (0400) seq_file
 * files, and one line in ``/sys/kernel/debug/memkit/summary``.  Files
 * print offsets, sizes and counts, never kernel pointers.
 *
 * Names are 1 to %MEMKIT_NAME_MAX - 1 characters from ``[A-Za-z0-9_.:-]``
 * (so a PCI device's dev_name(), ``0000:03:00.0``, is one), do not start
 * with a dot and are unique within their directory; ``summary`` is
 * reserved.  An instance may go under a directory of the caller's, such
 * as a DRM minor's debugfs root, instead of ``memkit/``; the summary then
 * names it ``<parent>/<name>``, and the caller must unregister it before
 * removing that directory.
 *
 * Lifetime: memkit_debugfs_unregister() removes the directory with
 * debugfs_remove(), which waits for every show callback already running and
 * makes later reads of files that are still open fail with -EIO.  Once it
 * returns, the owner may free the object behind the files.  Each entry
 * records the module that registered it; a module that unloads without
 * unregistering (a client bug) has its entries removed and reported by a
 * module notifier while its memory still exists, so a later ``cat`` of
 * the summary or of the entry's files cannot reach freed module memory.
 *
 * Complexity: register and unregister are O(number of registered
 * instances) for the duplicate check and O(files) for the directory;
 * reading ``summary`` is O(instances).
 *
 * Locking: one mutex (the registry lock) serialises registration,
 * unregistration and the summary reader.  Registration sleeps: call it from
 * process context without spinlocks held.  Show callbacks run without the
 * registry lock, except &memkit_debugfs_ops.summary, which runs under it.
 */

/*
 * The registry's record of one instance.  It is allocated here rather than
 * embedded in the owner so that the registry never has to touch the
 * owner's memory to walk its list (see memkit_debugfs_exit()).
 */
struct memkit_debugfs_node {
	struct list_head link;
	struct dentry *dir;
	struct dentry *parent;	/* the caller's directory, or NULL for memkit/ */
	const struct memkit_debugfs_ops *ops;
	void *data;
	struct module *owner;	/* whose memory @data and @ops may be */
	char name[MEMKIT_NAME_MAX];
};

static DEFINE_MUTEX(memkit_debugfs_lock);
static LIST_HEAD(memkit_debugfs_list);
static struct dentry *memkit_debugfs_root;

static const char * const memkit_debugfs_reserved[] = { "summary" };

/*
 * The name alphabet, spelled out: the kernel's isalnum() follows Latin-1,
 * which would let bytes such as 0xe9 through.
 */
static bool memkit_debugfs_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' || c == ':';
}

static bool memkit_debugfs_name_valid(const char *name)
{
	size_t len = strnlen(name, MEMKIT_NAME_MAX);
	size_t i;

	if (len == 0 || len == MEMKIT_NAME_MAX || name[0] == '.')
		return false;
	for (i = 0; i < len; i++)
		if (!memkit_debugfs_name_char(name[i]))
			return false;
	for (i = 0; i < ARRAY_SIZE(memkit_debugfs_reserved); i++)
		if (!strcmp(name, memkit_debugfs_reserved[i]))
			return false;
	return true;
}

static struct memkit_debugfs_node *
__memkit_debugfs_find(struct dentry *parent, const char *name)
{
	struct memkit_debugfs_node *e;

	lockdep_assert_held(&memkit_debugfs_lock);
	list_for_each_entry(e, &memkit_debugfs_list, link)
		if (e->parent == parent && !strcmp(e->name, name))
			return e;
	return NULL;
}

/*
 * All instance files share these fops; i_private is the node, and the
 * file's own name picks the show callback.  The debugfs proxy guarantees
 * the node is alive while open() or show() runs.
 */
static int memkit_debugfs_file_show(struct seq_file *m, void *unused)
{
	struct memkit_debugfs_node *e = m->private;
	const char *fname = m->file->f_path.dentry->d_name.name;
	unsigned int i;

	for (i = 0; i < e->ops->nr_files; i++)
		if (!strcmp(e->ops->files[i].name, fname))
			return e->ops->files[i].show(m, e->data);
	return -ENOENT;
}

static int memkit_debugfs_file_open(struct inode *inode, struct file *file)
{
	return single_open(file, memkit_debugfs_file_show, inode->i_private);
}

static const struct file_operations memkit_debugfs_file_fops = {
	.owner = THIS_MODULE,
	.open = memkit_debugfs_file_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

/**
 * __memkit_debugfs_register() - publish an instance in debugfs
 * @entry: zero-initialised entry embedded in the instance.
 * @parent: the directory to create the instance's in, or NULL for
 *	``memkit/``; it must outlive the registration.
 * @name: directory name, copied; see the naming rules in the overview.
 * @ops: the instance's kind, summary line and files; must outlive the
 *       registration.
 * @data: passed to every callback in @ops.
 * @owner: the module whose memory @entry, @ops and @data may live in
 *	(memkit_debugfs_register() passes the caller's THIS_MODULE).  If it
 *	unloads with the entry still registered, the entry is removed and
 *	the leak reported, so no later read reaches the freed module.
 *
 * Creates ``@parent/@name/`` (``/sys/kernel/debug/memkit/@name/`` by
 * default) with one file per entry of
 * @ops->files and adds the instance to the summary.  If debugfs itself is
 * unavailable the instance is still registered (names stay unique and the
 * call succeeds); there is just nothing to read.
 *
 * Context: process context; takes the registry mutex and allocates with
 * GFP_KERNEL.
 * Return: 0 on success; -EINVAL for a bad name, NULL @ops or an @entry that
 * is already registered; -EEXIST if @name is taken in that directory;
 * -ENOMEM.
 */
int __memkit_debugfs_register(struct memkit_debugfs_entry *entry, struct dentry *parent,
			      const char *name, const struct memkit_debugfs_ops *ops,
			      void *data, struct module *owner)
{
	struct memkit_debugfs_node *node;
	unsigned int i;

	if (!name || !ops || !ops->kind || (ops->nr_files && !ops->files))
		return -EINVAL;
	if (!memkit_debugfs_name_valid(name))
		return -EINVAL;
	if (memkit_warn_once(memkit_debugfs_registered(entry),
			     "debugfs entry registered twice (as %s)", name))
		return -EINVAL;

	node = kzalloc(sizeof(*node), GFP_KERNEL);
	if (!node)
		return -ENOMEM;
	strscpy(node->name, name, sizeof(node->name));
	node->ops = ops;
	node->data = data;
	node->owner = owner;
	node->parent = parent;

	mutex_lock(&memkit_debugfs_lock);
	if (__memkit_debugfs_find(parent, name)) {
		mutex_unlock(&memkit_debugfs_lock);
		kfree(node);
		return -EEXIST;
	}
	node->dir = debugfs_create_dir(node->name, parent ?: memkit_debugfs_root);
	for (i = 0; i < ops->nr_files; i++)
		debugfs_create_file(ops->files[i].name, 0400, node->dir, node,
				    &memkit_debugfs_file_fops);
	list_add_tail(&node->link, &memkit_debugfs_list);
	entry->node = node;
	mutex_unlock(&memkit_debugfs_lock);
	return 0;
}
EXPORT_SYMBOL_MEMKIT(__memkit_debugfs_register);

/**
 * memkit_debugfs_unregister() - remove an instance from debugfs
 * @entry: a registered entry, or a zero-initialised one (then a no-op).
 *
 * Waits for show callbacks already running on the instance's files; files
 * still held open return -EIO from then on.  The entry is zeroed again and
 * may be registered anew.
 *
 * Context: process context; takes the registry mutex and may sleep.
 */
void memkit_debugfs_unregister(struct memkit_debugfs_entry *entry)
{
	struct memkit_debugfs_node *node = entry->node;

	if (!node)
		return;

	mutex_lock(&memkit_debugfs_lock);
	list_del(&node->link);
	debugfs_remove(node->dir);
	entry->node = NULL;
	mutex_unlock(&memkit_debugfs_lock);
	kfree(node);
}
EXPORT_SYMBOL_MEMKIT(memkit_debugfs_unregister);

/*
 * A module going away with entries still registered leaked them: remove
 * each (debugfs_remove() waits for readers, and the module's memory is
 * still there while GOING runs) and say so.  The entry embedded in the
 * module's memory is not touched: it is about to be freed.
 */
static int memkit_debugfs_module_going(struct notifier_block *nb, unsigned long state,
				       void *data)
{
	struct memkit_debugfs_node *e, *next;
	struct module *mod = data;

	if (state != MODULE_STATE_GOING)
		return NOTIFY_DONE;
	mutex_lock(&memkit_debugfs_lock);
	list_for_each_entry_safe(e, next, &memkit_debugfs_list, link) {
		if (e->owner != mod)
			continue;
		pr_err("memkit: %s unloaded with '%s' still registered; removed it\n",
		       mod->name, e->name);
		list_del(&e->link);
		debugfs_remove(e->dir);
		kfree(e);
	}
	mutex_unlock(&memkit_debugfs_lock);
	return NOTIFY_DONE;
}

static struct notifier_block memkit_debugfs_module_nb = {
	.notifier_call = memkit_debugfs_module_going,
};

static int memkit_debugfs_summary_show(struct seq_file *m, void *unused)
{
	struct memkit_debugfs_node *e;

	mutex_lock(&memkit_debugfs_lock);
	list_for_each_entry(e, &memkit_debugfs_list, link) {
		if (e->parent)
			seq_printf(m, "%-8s %pd/%s", e->ops->kind, e->parent, e->name);
		else
			seq_printf(m, "%-8s %-31s", e->ops->kind, e->name);
		if (e->ops->summary) {
			seq_putc(m, ' ');
			e->ops->summary(m, e->data);
		}
		seq_putc(m, '\n');
	}
	mutex_unlock(&memkit_debugfs_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(memkit_debugfs_summary);

void memkit_debugfs_init(void)
{
	register_module_notifier(&memkit_debugfs_module_nb);
	memkit_debugfs_root = debugfs_create_dir("memkit", NULL);
	debugfs_create_file("summary", 0400, memkit_debugfs_root, NULL,
			    &memkit_debugfs_summary_fops);
}

void memkit_debugfs_exit(void)
{
	struct memkit_debugfs_node *e, *next;

	unregister_module_notifier(&memkit_debugfs_module_nb);
	/*
	 * Every client module holds a reference on memkit, so anything still
	 * listed was leaked by a client that has already gone: report it and
	 * free the node without touching the (freed) owner.
	 */
	mutex_lock(&memkit_debugfs_lock);
	list_for_each_entry_safe(e, next, &memkit_debugfs_list, link) {
		pr_warn("memkit: debugfs entry '%s' still registered at exit\n",
			e->name);
		list_del(&e->link);
		kfree(e);
	}
	mutex_unlock(&memkit_debugfs_lock);
	debugfs_remove(memkit_debugfs_root);
	memkit_debugfs_root = NULL;
}

/*
 * Views of the arena, the pool and the hash map.  They live here, built on
 * each part's public stats and walk functions, so that arena.c, pool.c and
 * hashmap.c include no kernel-only header and compile unchanged in the
 * userspace harness.  range.c is kernel glue throughout and keeps its own.
 */

static void arena_summary(struct seq_file *m, void *data)
{
	struct memkit_arena_usage st;

	memkit_arena_stats(data, &st);
	seq_printf(m, "%s capacity=%zu handed_out=%zu resets=%lu child_allocs=%lu",
		   st.passthrough ? "passthrough" : "bump", st.capacity,
		   st.handed_out, st.resets, st.child_allocs);
}

static int arena_stats_show(struct seq_file *m, void *data)
{
	struct memkit_arena_usage st;

	memkit_arena_stats(data, &st);
	seq_printf(m, "mode          %s\n", st.passthrough ? "passthrough" : "bump");
	seq_printf(m, "buffers       %u\n", st.buffers);
	seq_printf(m, "current_size  %zu\n", st.current_size);
	seq_printf(m, "current_used  %zu\n", st.current_used);
	seq_printf(m, "objects       %zu\n", st.objects);
	seq_printf(m, "capacity      %zu\n", st.capacity);
	seq_printf(m, "handed_out    %zu\n", st.handed_out);
	seq_printf(m, "resets        %lu\n", st.resets);
	seq_printf(m, "child_allocs  %lu\n", st.child_allocs);
	return 0;
}

static const struct memkit_debugfs_file arena_files[] = {
	{ .name = "stats", .show = arena_stats_show },
};

static const struct memkit_debugfs_ops arena_debugfs_ops = {
	.kind = "arena",
	.summary = arena_summary,
	.files = arena_files,
	.nr_files = ARRAY_SIZE(arena_files),
};

/**
 * __memkit_arena_register() - show an arena in debugfs
 * @arena: an initialised arena.
 * @name: its debugfs name; see memkit_debugfs_register().
 * @owner: the module the arena belongs to; see __memkit_debugfs_register().
 *
 * ``memkit/<name>/stats`` then shows the mode, the buffers held, the size
 * of the current one and how much of it is used, passthrough objects,
 * capacity, bytes handed out since the last reset, resets and child
 * allocations so far.  memkit_arena_exit() unregisters it.
 *
 * Context: process context.
 * Return: 0 or what memkit_debugfs_register() returns.
 */
int __memkit_arena_register(struct memkit_arena *arena, const char *name,
			    struct module *owner)
{
	return __memkit_debugfs_register(&arena->debugfs, NULL, name, &arena_debugfs_ops, arena,
					 owner);
}
EXPORT_SYMBOL_MEMKIT(__memkit_arena_register);

static void pool_summary(struct seq_file *m, void *data)
{
	struct memkit_pool_usage st;

	memkit_pool_stats(data, &st);
	seq_printf(m, "size=%zu align=%zu live=%zu free=%zu high_water=%zu failed=%lu",
		   st.item_size, st.item_align, st.live, st.free, st.high_water,
		   st.failed);
}

static int pool_stats_show(struct seq_file *m, void *data)
{
	struct memkit_pool_usage st;

	memkit_pool_stats(data, &st);
	seq_printf(m, "object_size   %zu\n", st.item_size);
	seq_printf(m, "object_align  %zu\n", st.item_align);
	seq_printf(m, "mode          %s\n", st.passthrough ? "passthrough" : "bump");
	seq_printf(m, "live          %zu\n", st.live);
	seq_printf(m, "free_list     %zu\n", st.free);
	seq_printf(m, "capacity      %zu\n", st.capacity);
	seq_printf(m, "high_water    %zu\n", st.high_water);
	seq_printf(m, "creates       %lu\n", st.creates);
	seq_printf(m, "destroys      %lu\n", st.destroys);
	seq_printf(m, "failed        %lu\n", st.failed);
	return 0;
}

static const struct memkit_debugfs_file pool_files[] = {
	{ .name = "stats", .show = pool_stats_show },
};

static const struct memkit_debugfs_ops pool_debugfs_ops = {
	.kind = "pool",
	.summary = pool_summary,
	.files = pool_files,
	.nr_files = ARRAY_SIZE(pool_files),
};

/**
 * __memkit_pool_register() - show a pool in debugfs
 * @pool: an initialised pool.
 * @name: its debugfs name; see memkit_debugfs_register().
 * @owner: the module the pool belongs to; see __memkit_debugfs_register().
 *
 * ``memkit/<name>/stats`` then shows the object size and alignment, live
 * objects, free-list length, capacity, high watermark, creates, destroys
 * and failed creates.  memkit_pool_exit() unregisters it.
 *
 * Context: process context.
 * Return: 0 or what memkit_debugfs_register() returns.
 */
int __memkit_pool_register(struct memkit_pool *pool, const char *name, struct module *owner)
{
	return __memkit_debugfs_register(&pool->debugfs, NULL, name, &pool_debugfs_ops, pool,
					 owner);
}
EXPORT_SYMBOL_MEMKIT(__memkit_pool_register);

#define HASHMAP_MAP_CELLS	64

static const char * const hashmap_buckets[] = {
	"0", "1", "2", "3-4", "5-8", "9-16", "17+",
};

static unsigned int hashmap_bucket(u32 dist)
{
	if (dist <= 2)
		return dist;
	if (dist > 16)
		return 6;
	return 1 + order_base_2(dist);	/* 3-4: 3, 5-8: 4, 9-16: 5 */
}

static unsigned long hashmap_lock(struct memkit_hashmap_debugfs *dbg)
	__acquires(dbg->lock)
{
	unsigned long flags = 0;

	if (dbg->lock)
		spin_lock_irqsave(dbg->lock, flags);
	else
		__acquire(dbg->lock);
	return flags;
}

static void hashmap_unlock(struct memkit_hashmap_debugfs *dbg, unsigned long flags)
	__releases(dbg->lock)
{
	if (dbg->lock)
		spin_unlock_irqrestore(dbg->lock, flags);
	else
		__release(dbg->lock);
}

/* Slots walked per hold of the owner's lock. */
#define HASHMAP_WALK_CHUNK	4096

struct hashmap_report {
	u64 hist[ARRAY_SIZE(hashmap_buckets)];
	u32 cells[HASHMAP_MAP_CELLS];
	u64 dist_sum;
	u32 dist_max;
	u32 count, capacity, max_load, max_size;
	u64 bytes;
	bool attached;
	bool changed;		/* re-attached while walking: walk cut short */
	u32 chunks;
	u64 max_hold_ns;
};

/* Slots [@from, @to) into the histogram and the occupancy cells. */
static void hashmap_walk_slots(struct memkit_hashmap_debugfs *dbg, struct hashmap_report *r,
			       u32 from, u32 to)
{
	struct memkit_hashmap *map = dbg->map;
	u32 ncells = min_t(u32, HASHMAP_MAP_CELLS, r->capacity), idx;

	for (idx = from; idx < to; idx++) {
		u32 dist;

		if (!map->meta[idx])
			continue;
		dist = memkit_hashmap_probe_length(map, idx, dbg->params);
		r->hist[hashmap_bucket(dist)]++;
		r->dist_sum += dist;
		r->dist_max = max(r->dist_max, dist);
		r->cells[div_u64((u64)idx * ncells, r->capacity)]++;
	}
}

/*
 * Everything debugfs shows, read under the owner's lock: the totals in one
 * hold, the slots HASHMAP_WALK_CHUNK per hold, so that interrupts are
 * never off for more than that many slots.  A map re-attached between two
 * chunks ends the walk.
 */
static void hashmap_report(struct memkit_hashmap_debugfs *dbg, struct hashmap_report *r,
			   bool walk)
{
	struct memkit_hashmap *map = dbg->map;
	unsigned long flags = hashmap_lock(dbg);
	struct memkit_hashmap_header *hdr;
	u32 from;
	u64 t;

	/* A failed re-attach leaves a zeroed handle. */
	hdr = map->hdr;
	r->attached = hdr;
	if (r->attached) {
		r->count = hdr->size;
		r->capacity = map->capacity;
		r->max_load = hdr->max_load_percent;
		r->max_size = map->max_size;
		r->bytes = hdr->total;
	}
	hashmap_unlock(dbg, flags);
	if (!r->attached || !walk)
		return;
	for (from = 0; from < r->capacity; from += HASHMAP_WALK_CHUNK) {
		flags = hashmap_lock(dbg);
		t = ktime_get_ns();
		r->changed = map->hdr != hdr || map->capacity != r->capacity;
		if (!r->changed)
			hashmap_walk_slots(dbg, r, from,
					   min_t(u64, (u64)from + HASHMAP_WALK_CHUNK, r->capacity));
		t = ktime_get_ns() - t;
		hashmap_unlock(dbg, flags);
		r->max_hold_ns = max(r->max_hold_ns, t);
		r->chunks++;
		if (r->changed)
			break;
		cond_resched();
	}
}

static u32 hashmap_load(const struct hashmap_report *r)
{
	return r->capacity ? div_u64((u64)r->count * 100, r->capacity) : 0;
}

static void hashmap_summary(struct seq_file *m, void *data)
{
	struct hashmap_report r = {};

	hashmap_report(data, &r, false);
	if (!r.attached)
		seq_puts(m, "detached");
	else
		seq_printf(m, "capacity=%u count=%u load=%u%%", r.capacity, r.count,
			   hashmap_load(&r));
}

static int hashmap_stats_show(struct seq_file *m, void *data)
{
	struct hashmap_report *r;
	u32 i, ncells, per;
	u64 mean;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	hashmap_report(data, r, true);
	if (!r->attached) {
		seq_puts(m, "detached\n");
		goto out;
	}
	seq_printf(m, "capacity      %u\n", r->capacity);
	seq_printf(m, "count         %u\n", r->count);
	seq_printf(m, "max_count     %u\n", r->max_size);
	seq_printf(m, "max_load      %u%%\n", r->max_load);
	seq_printf(m, "load          %u%%\n", hashmap_load(r));
	seq_printf(m, "bytes         %llu\n", r->bytes);
	mean = r->count ? div_u64(r->dist_sum * 100, r->count) : 0;
	mean = div_u64_rem(mean, 100, &i);
	seq_printf(m, "probe_mean    %llu.%02u\n", mean, i);
	seq_printf(m, "probe_max     %u\n", r->dist_max);
	seq_printf(m, "walked in %u chunks of up to %u slots%s; longest with the lock held %llu us\n",
		   r->chunks, HASHMAP_WALK_CHUNK,
		   r->changed ? " (re-attached meanwhile: partial)" : "",
		   div_u64(r->max_hold_ns, 1000));
	seq_puts(m, "probe_histogram (distance from home slot: entries)\n");
	for (i = 0; i < ARRAY_SIZE(hashmap_buckets); i++)
		seq_printf(m, "  %-5s %llu\n", hashmap_buckets[i], r->hist[i]);
	ncells = min_t(u32, HASHMAP_MAP_CELLS, r->capacity);
	per = ncells ? r->capacity / ncells : 0;
	seq_printf(m, "occupancy, %u slots per cell: '.' empty, 1-9 tenths used, '#' full\n|",
		   per);
	for (i = 0; i < ncells; i++) {
		u32 used = r->cells[i];

		seq_putc(m, !used ? '.' : used == per ? '#' :
			 '0' + clamp_t(u32, used * 10 / per, 1, 9));
	}
	seq_puts(m, "|\n");
out:
	kfree(r);
	return 0;
}

static const struct memkit_debugfs_file hashmap_files[] = {
	{ .name = "stats", .show = hashmap_stats_show },
};

static const struct memkit_debugfs_ops hashmap_debugfs_ops = {
	.kind = "hashmap",
	.summary = hashmap_summary,
	.files = hashmap_files,
	.nr_files = ARRAY_SIZE(hashmap_files),
};

/**
 * __memkit_hashmap_register() - show a map in debugfs
 * @dbg: a zero-initialised registration, kept alive while registered.
 * @map: the handle it shows; the owner may re-attach it (under @lock).
 * @name: its debugfs name; see memkit_debugfs_register().
 * @p: the map's params (copied; used to compute probe lengths).
 * @lock: the irq-safe spinlock the owner serialises the map with, taken
 *	while reading it; NULL for a map that no longer changes.
 * @owner: the module the map belongs to; see __memkit_debugfs_register().
 *
 * ``memkit/<name>/stats`` then shows capacity, count, maximum load, bytes,
 * load, mean and maximum probe length, a probe-length histogram in
 * buckets 0, 1, 2, 3-4, 5-8, 9-16, 17+, and an occupancy line.
 * Unregister before freeing the buffer, the handle or the lock.
 *
 * Context: process context.
 * Return: 0 or what memkit_debugfs_register() returns.
 */
int __memkit_hashmap_register(struct memkit_hashmap_debugfs *dbg,
			      struct memkit_hashmap *map, const char *name,
			      const struct memkit_hashmap_params p, spinlock_t *lock,
			      struct module *owner)
{
	dbg->map = map;
	dbg->params = p;
	dbg->lock = lock;
	return __memkit_debugfs_register(&dbg->entry, NULL, name, &hashmap_debugfs_ops, dbg, owner);
}
EXPORT_SYMBOL_MEMKIT(__memkit_hashmap_register);

/**
 * memkit_hashmap_unregister() - remove a map from debugfs
 * @dbg: the registration, or a zeroed one (then a no-op).
 *
 * Context: process context.
 */
void memkit_hashmap_unregister(struct memkit_hashmap_debugfs *dbg)
{
	memkit_debugfs_unregister(&dbg->entry);
}
EXPORT_SYMBOL_MEMKIT(memkit_hashmap_unregister);
