// SPDX-License-Identifier: GPL-2.0
/*
 * memkit debugfs registry: the instance directories and the summary.
 */

#include <linux/debugfs.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
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
struct memkit_debugfs_node;

/* What a file's i_private points at: its instance and its own callback. */
struct memkit_debugfs_file_ref {
	struct memkit_debugfs_node *node;
	const struct memkit_debugfs_file *file;
};

struct memkit_debugfs_node {
	struct list_head link;
	struct dentry *dir;
	struct dentry *parent;	/* the caller's directory, or NULL for memkit/ */
	const struct memkit_debugfs_ops *ops;
	void *data;
	struct module *owner;	/* whose memory @data and @ops may be */
	char name[MEMKIT_NAME_MAX];
	struct memkit_debugfs_file_ref files[];	/* one per @ops->files entry */
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
 * All instance files share these fops; i_private is the file's own
 * &struct memkit_debugfs_file_ref, which names its callback and instance.
 * The debugfs proxy guarantees the node is alive while open() or show()
 * runs.
 */
static int memkit_debugfs_file_show(struct seq_file *m, void *unused)
{
	const struct memkit_debugfs_file_ref *ref = m->private;

	return ref->file->show(m, ref->node->data);
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

	node = kzalloc_noprof(struct_size(node, files, ops->nr_files), GFP_KERNEL);
	if (!node)
		return -ENOMEM;
	for (i = 0; i < ops->nr_files; i++)
		node->files[i] = (struct memkit_debugfs_file_ref){ node, &ops->files[i] };
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
		debugfs_create_file(ops->files[i].name, 0400, node->dir, &node->files[i],
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
