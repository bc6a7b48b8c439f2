/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memkit debugfs registration: one directory per live instance under
 * /sys/kernel/debug/memkit/, plus a top-level summary file.
 */
#ifndef _MEMKIT_DEBUGFS_H
#define _MEMKIT_DEBUGFS_H

#include <linux/module.h>
#include <linux/types.h>

struct dentry;
struct memkit_debugfs_node;
struct module;
struct seq_file;

/* Longest instance name, including the terminating NUL. */
#define MEMKIT_NAME_MAX 32

/**
 * struct memkit_debugfs_file - one read-only file in an instance directory
 * @name: file name inside the instance directory.
 * @show: fills the file; @data is the pointer given at registration.
 *        Called in process context, may sleep, never after
 *        memkit_debugfs_unregister() has returned.
 */
struct memkit_debugfs_file {
	const char *name;
	int (*show)(struct seq_file *m, void *data);
};

/**
 * struct memkit_debugfs_ops - what a kind of object shows in debugfs
 * @kind: short type name shown in the summary ("range", "pool", ...).
 * @summary: optional; prints one line (no trailing newline) describing the
 *           instance for the top-level summary file.  Called with the
 *           registry mutex held: it must not register or unregister.
 * @files: the instance's files.
 * @nr_files: number of entries in @files.
 */
struct memkit_debugfs_ops {
	const char *kind;
	void (*summary)(struct seq_file *m, void *data);
	const struct memkit_debugfs_file *files;
	unsigned int nr_files;
};

/**
 * struct memkit_debugfs_entry - a registered instance, embedded by its owner
 *
 * Zero-initialise it; memkit_debugfs_unregister() is a no-op on an entry
 * that was never registered, so owners can call it unconditionally in
 * their teardown.
 */
struct memkit_debugfs_entry {
	/* private: owned by the registry, so leaks can be reported safely */
	struct memkit_debugfs_node *node;
};

int __memkit_debugfs_register(struct memkit_debugfs_entry *entry, struct dentry *parent,
			      const char *name, const struct memkit_debugfs_ops *ops,
			      void *data, struct module *owner);

/**
 * memkit_debugfs_register() - publish an instance in debugfs
 * @entry: zero-initialised entry embedded in the instance.
 * @name: directory name, copied; see the naming rules.
 * @ops: the instance's kind, summary line and files.
 * @data: passed to every callback in @ops.
 *
 * The directory goes under ``memkit/``.  The calling module owns the
 * entry: see __memkit_debugfs_register().
 */
#define memkit_debugfs_register(entry, name, ops, data)			\
	__memkit_debugfs_register(entry, NULL, name, ops, data, THIS_MODULE)

/**
 * memkit_debugfs_register_at() - publish an instance in a given directory
 * @entry: zero-initialised entry embedded in the instance.
 * @parent: the directory, such as a driver's own; NULL for ``memkit/``.
 * @name: directory name, copied; see the naming rules.
 * @ops: the instance's kind, summary line and files.
 * @data: passed to every callback in @ops.
 */
#define memkit_debugfs_register_at(entry, parent, name, ops, data)		\
	__memkit_debugfs_register(entry, parent, name, ops, data, THIS_MODULE)
void memkit_debugfs_unregister(struct memkit_debugfs_entry *entry);

/**
 * memkit_debugfs_registered() - is this entry currently registered?
 * @entry: an entry, registered or zero-initialised.
 *
 * Context: any context.
 * Return: true between a successful memkit_debugfs_register() and the
 * matching memkit_debugfs_unregister().
 */
static inline bool memkit_debugfs_registered(const struct memkit_debugfs_entry *entry)
{
	return entry->node;
}

#endif /* _MEMKIT_DEBUGFS_H */
