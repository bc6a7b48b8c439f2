/* SPDX-License-Identifier: GPL-2.0 */
/*
 * userspace shim: an xarray of value entries as an unsorted list, enough
 * for memkit's validating test backend (linear time; tests only).
 */
#ifndef _USHIM_XARRAY_H
#define _USHIM_XARRAY_H

#include "../ushim.h"

struct ushim_xa_node {
	struct ushim_xa_node *next;
	unsigned long index;
	void *entry;
};

struct xarray {
	struct ushim_xa_node *head;
};

static inline void xa_init(struct xarray *xa)
{
	xa->head = NULL;
}

static inline void *xa_mk_value(unsigned long v)
{
	return (void *)((v << 1) | 1);
}

static inline unsigned long xa_to_value(const void *entry)
{
	return (unsigned long)entry >> 1;
}

static inline int xa_err(void *entry)
{
	return entry == (void *)-ENOMEM ? -ENOMEM : 0;
}

static inline struct ushim_xa_node **ushim_xa_find(struct xarray *xa, unsigned long index)
{
	struct ushim_xa_node **p = &xa->head;

	while (*p && (*p)->index != index)
		p = &(*p)->next;
	return p;
}

static inline void *xa_load(struct xarray *xa, unsigned long index)
{
	struct ushim_xa_node *n = *ushim_xa_find(xa, index);

	return n ? n->entry : NULL;
}

static inline void *xa_store(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp)
{
	struct ushim_xa_node **p = ushim_xa_find(xa, index);
	void *old;

	if (*p) {
		old = (*p)->entry;
		(*p)->entry = entry;
		return old;
	}
	*p = kmalloc(sizeof(**p), gfp);
	if (!*p)
		return (void *)-ENOMEM;
	(*p)->next = NULL;
	(*p)->index = index;
	(*p)->entry = entry;
	return NULL;
}

static inline void *xa_erase(struct xarray *xa, unsigned long index)
{
	struct ushim_xa_node **p = ushim_xa_find(xa, index), *n = *p;
	void *old;

	if (!n)
		return NULL;
	old = n->entry;
	*p = n->next;
	kfree(n);
	return old;
}

static inline void xa_destroy(struct xarray *xa)
{
	while (xa->head)
		xa_erase(xa, xa->head->index);
}

#define xa_for_each(xa, index, entry)					\
	for (struct ushim_xa_node *__n = (xa)->head;			\
	     __n && ((index) = __n->index, (entry) = __n->entry, 1);	\
	     __n = __n->next)

#endif
