/* SPDX-License-Identifier: GPL-2.0 */
/* userspace shim: a mutex is the shim's spinlock, which may block anyway */
#ifndef _USHIM_MUTEX_H
#define _USHIM_MUTEX_H

#include "../ushim.h"

struct mutex {
	spinlock_t lock;	/* the shim's spinlock already sleeps */
};

static inline void mutex_lock(struct mutex *m)
{
	spin_lock(&m->lock);
}

static inline void mutex_unlock(struct mutex *m)
{
	spin_unlock(&m->lock);
}

#endif
