/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memkit: declarations shared between memkit.ko's own files only.
 */
#ifndef _MEMKIT_INTERNAL_H
#define _MEMKIT_INTERNAL_H

void memkit_debugfs_init(void);
void memkit_debugfs_exit(void);

/* Fill new and freed allocator buffers with 0xaa (module parameter). */
extern bool memkit_poison;

#endif /* _MEMKIT_INTERNAL_H */
