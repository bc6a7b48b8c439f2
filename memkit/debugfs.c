// SPDX-License-Identifier: GPL-2.0
/*
 * memkit debugfs registry.
 */

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <memkit/bug.h>
#include <memkit/compat.h>
#include <memkit/debugfs.h>

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
 * Names are 1 to %MEMKIT_NAME_MAX - 1 characters from ``[A-Za-z0-9_.-]``,
 * do not start with a dot and are unique; ``summary`` is reserved.
 *
 * Lifetime: memkit_debugfs_unregister() removes the directory with
 * debugfs_remove(), which waits for every show callback already running and
 * makes later reads of files that are still open fail with -EIO.  Once it
 * returns, the owner may free the object behind the files.
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
	const struct memkit_debugfs_ops *ops;
	void *data;
	char name[MEMKIT_NAME_MAX];
};

static DEFINE_MUTEX(memkit_debugfs_lock);
static LIST_HEAD(memkit_debugfs_list);
static struct dentry *memkit_debugfs_root;

static const char * const memkit_debugfs_reserved[] = { "summary" };

static bool memkit_debugfs_name_valid(const char *name)
{
	size_t len = strnlen(name, MEMKIT_NAME_MAX);
	size_t i;

	if (len == 0 || len == MEMKIT_NAME_MAX || name[0] == '.')
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && !strchr("_.-", name[i]))
			return false;
	for (i = 0; i < ARRAY_SIZE(memkit_debugfs_reserved); i++)
		if (!strcmp(name, memkit_debugfs_reserved[i]))
			return false;
	return true;
}

static struct memkit_debugfs_node *__memkit_debugfs_find(const char *name)
{
	struct memkit_debugfs_node *e;

	lockdep_assert_held(&memkit_debugfs_lock);
	list_for_each_entry(e, &memkit_debugfs_list, link)
		if (!strcmp(e->name, name))
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
 * memkit_debugfs_register() - publish an instance in debugfs
 * @entry: zero-initialised entry embedded in the instance.
 * @name: directory name, copied; see the naming rules in the overview.
 * @ops: the instance's kind, summary line and files; must outlive the
 *       registration.
 * @data: passed to every callback in @ops.
 *
 * Creates ``/sys/kernel/debug/memkit/@name/`` with one file per entry of
 * @ops->files and adds the instance to the summary.  If debugfs itself is
 * unavailable the instance is still registered (names stay unique and the
 * call succeeds); there is just nothing to read.
 *
 * Context: process context; takes the registry mutex and allocates with
 * GFP_KERNEL.
 * Return: 0 on success; -EINVAL for a bad name, NULL @ops or an @entry that
 * is already registered; -EEXIST if @name is taken; -ENOMEM.
 */
int memkit_debugfs_register(struct memkit_debugfs_entry *entry,
			    const char *name,
			    const struct memkit_debugfs_ops *ops, void *data)
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

	mutex_lock(&memkit_debugfs_lock);
	if (__memkit_debugfs_find(name)) {
		mutex_unlock(&memkit_debugfs_lock);
		kfree(node);
		return -EEXIST;
	}
	node->dir = debugfs_create_dir(node->name, memkit_debugfs_root);
	for (i = 0; i < ops->nr_files; i++)
		debugfs_create_file(ops->files[i].name, 0400, node->dir, node,
				    &memkit_debugfs_file_fops);
	list_add_tail(&node->link, &memkit_debugfs_list);
	entry->node = node;
	mutex_unlock(&memkit_debugfs_lock);
	return 0;
}
EXPORT_SYMBOL_MEMKIT(memkit_debugfs_register);

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

static int memkit_debugfs_summary_show(struct seq_file *m, void *unused)
{
	struct memkit_debugfs_node *e;

	mutex_lock(&memkit_debugfs_lock);
	list_for_each_entry(e, &memkit_debugfs_list, link) {
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
	memkit_debugfs_root = debugfs_create_dir("memkit", NULL);
	debugfs_create_file("summary", 0400, memkit_debugfs_root, NULL,
			    &memkit_debugfs_summary_fops);
}

void memkit_debugfs_exit(void)
{
	struct memkit_debugfs_node *e, *next;

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
