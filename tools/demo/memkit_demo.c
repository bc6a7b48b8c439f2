// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_demo: a sample client driver that uses every memkit part the way
 * a real driver would.
 *
 * - A simulated 256 MiB of device memory managed by a memkit_range with
 *   4 KiB alignment, a firmware region reserved at the top.
 * - A memkit_pool of request objects, one per live buffer.
 * - A memkit_arena for per-batch scratch, reset (keeping its capacity)
 *   after each batch.
 * - A memkit_hashmap from buffer handle to descriptor, living in a
 *   relocatable buffer that `relocate` copies elsewhere and re-attaches.
 *
 * Drive it through /sys/kernel/debug/memkit_demo/ctl:
 *
 *   echo "alloc 1M" > ctl      allocate a buffer (K/M/G suffixes)
 *   echo "free 5" > ctl        free buffer handle 5
 *   echo "free-half" > ctl     free every other live buffer
 *   echo "run 100" > ctl       a batch of 100 random allocs and frees
 *   echo "relocate" > ctl      move the handle map to a new buffer
 *   cat ctl                    the commands and the last result
 *
 * Live state is under /sys/kernel/debug/memkit/ (demo-vram, demo-requests,
 * demo-scratch, demo-handles).  Bad commands get -EINVAL and a message.
 */

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <memkit/arena.h>
#include <memkit/compat.h>
#include <memkit/hashmap.h>
#include <memkit/pool.h>
#include <memkit/range.h>

#define DEMO_VRAM_SIZE		SZ_256M
#define DEMO_FW_SIZE		SZ_16M
#define DEMO_MAX_BUFFERS	2048
#define DEMO_MAP_CAPACITY	4096

/* A request: what the driver keeps per live buffer. */
struct demo_req {
	struct memkit_oa_handle vram;
	u64 handle;
	u64 size;
};

/* What the handle map stores for each buffer. */
struct demo_desc {
	struct demo_req *req;
	u64 offset;
};

static const struct memkit_hashmap_params demo_map_params = {
	.key_size = sizeof(u64), .key_align = __alignof__(u64),
	.value_size = sizeof(struct demo_desc),
	.value_align = __alignof__(struct demo_desc),
};

static struct demo {
	struct mutex lock;		/* serialises commands */
	spinlock_t map_lock;		/* the handle map, also for debugfs */
	struct memkit_range *vram;
	struct memkit_oa_handle fw;
	struct memkit_pool reqs;
	struct memkit_arena scratch;
	struct memkit_hashmap map;
	struct memkit_hashmap_debugfs map_dbg;
	void *map_buf;
	size_t map_size;
	u64 next_handle;
	u64 relocations;
	char last[128];
	struct dentry *dir;
} demo;

static int demo_alloc(u64 size)
{
	struct demo_desc desc;
	struct demo_req *req;
	unsigned long flags;
	int ret;

	req = memkit_pool_new(&demo.reqs, struct demo_req, GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	ret = memkit_range_alloc(demo.vram, size, SZ_4K, &req->vram);
	if (ret) {
		memkit_pool_destroy(&demo.reqs, req);
		return ret;
	}
	req->handle = ++demo.next_handle;
	req->size = size;
	desc = (struct demo_desc){ .req = req, .offset = req->vram.offset };
	spin_lock_irqsave(&demo.map_lock, flags);
	ret = memkit_hashmap_put_no_clobber(&demo.map, &req->handle, &desc, demo_map_params);
	spin_unlock_irqrestore(&demo.map_lock, flags);
	if (ret) {
		memkit_range_free(demo.vram, &req->vram);
		memkit_pool_destroy(&demo.reqs, req);
		return ret;
	}
	return 0;
}

static int demo_free(u64 handle)
{
	struct demo_desc desc;
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&demo.map_lock, flags);
	ret = memkit_hashmap_fetch_remove(&demo.map, &handle, &desc, demo_map_params);
	spin_unlock_irqrestore(&demo.map_lock, flags);
	if (ret)
		return ret;
	memkit_range_free(demo.vram, &desc.req->vram);
	memkit_pool_destroy(&demo.reqs, desc.req);
	return 0;
}

/*
 * The live handles, collected into per-batch scratch from the arena.
 * Returns how many; the array is valid until the next arena reset.
 */
static u32 demo_live_handles(u64 **out)
{
	struct memkit_allocator a = memkit_arena_allocator(&demo.scratch);
	unsigned long flags;
	u32 n = 0, idx;
	u64 *handles;

	handles = memkit_alloc_array(&a, DEMO_MAP_CAPACITY, sizeof(u64), 0, GFP_KERNEL);
	if (!handles)
		return 0;
	spin_lock_irqsave(&demo.map_lock, flags);
	memkit_hashmap_for_each(&demo.map, idx)
		handles[n++] = *(u64 *)memkit_hashmap_key(&demo.map, idx, demo_map_params);
	spin_unlock_irqrestore(&demo.map_lock, flags);
	*out = handles;
	return n;
}

static void demo_end_batch(void)
{
	memkit_arena_reset(&demo.scratch, MEMKIT_ARENA_RETAIN_CAPACITY, 0, GFP_KERNEL);
}

static u32 demo_free_half(void)
{
	u32 n, i, freed = 0;
	u64 *handles;

	n = demo_live_handles(&handles);
	for (i = 0; i < n; i += 2)
		freed += !demo_free(handles[i]);
	demo_end_batch();
	return freed;
}

/* A batch: random sizes from 4 KiB to 512 KiB, about 2 allocs per free. */
static void demo_run(u32 ops, u32 *allocs, u32 *frees, u32 *nospc)
{
	u32 i, n;
	u64 *handles;

	for (i = 0; i < ops; i++) {
		n = demo_live_handles(&handles);
		if (n && get_random_u32_below(3) == 0) {
			*frees += !demo_free(handles[get_random_u32_below(n)]);
		} else {
			int ret = demo_alloc(SZ_4K << get_random_u32_below(8));

			*allocs += !ret;
			*nospc += ret == -ENOSPC;
		}
		/* Scratch for this op is done with. */
		demo_end_batch();
	}
}

/* Copy the handle map to a new buffer and carry on with the copy. */
static int demo_relocate(void)
{
	void *nbuf = kvmalloc(demo.map_size, GFP_KERNEL), *old;
	struct memkit_hashmap moved;
	unsigned long flags;
	int ret;

	if (!nbuf)
		return -ENOMEM;
	spin_lock_irqsave(&demo.map_lock, flags);
	memcpy(nbuf, demo.map_buf, demo.map_size);
	ret = memkit_hashmap_attach(&moved, nbuf, demo.map_size, demo_map_params);
	if (!ret) {
		demo.map = moved;
		old = demo.map_buf;
		demo.map_buf = nbuf;
		nbuf = old;
		demo.relocations++;
	}
	spin_unlock_irqrestore(&demo.map_lock, flags);
	/* The old buffer is scribbled on first: nothing may still use it. */
	if (!ret)
		memset(nbuf, 0x6b, demo.map_size);
	kvfree(nbuf);
	return ret;
}

static int demo_command(char *cmd)
{
	u32 allocs = 0, frees = 0, nospc = 0, n;
	char *arg = strim(cmd), *verb = strsep(&arg, " \t");
	u64 val;
	int ret;

	if (!strcmp(verb, "alloc") && arg) {
		val = memparse(arg, &arg);
		if (!val || *arg)
			return -EINVAL;
		ret = demo_alloc(val);
		snprintf(demo.last, sizeof(demo.last), "alloc %llu: %d (handle %llu)", val, ret,
			 ret ? 0 : demo.next_handle);
	} else if (!strcmp(verb, "free") && arg) {
		if (kstrtou64(arg, 0, &val))
			return -EINVAL;
		ret = demo_free(val);
		snprintf(demo.last, sizeof(demo.last), "free %llu: %d", val, ret);
	} else if (!strcmp(verb, "free-half") && !arg) {
		n = demo_free_half();
		ret = 0;
		snprintf(demo.last, sizeof(demo.last), "free-half: %u freed", n);
	} else if (!strcmp(verb, "run") && arg) {
		if (kstrtou32(arg, 0, &n) || !n || n > 100000)
			return -EINVAL;
		demo_run(n, &allocs, &frees, &nospc);
		ret = 0;
		snprintf(demo.last, sizeof(demo.last), "run %u: %u allocs, %u frees, %u -ENOSPC",
			 n, allocs, frees, nospc);
	} else if (!strcmp(verb, "relocate") && !arg) {
		ret = demo_relocate();
		snprintf(demo.last, sizeof(demo.last), "relocate: %d (%llu so far)", ret,
			 demo.relocations);
	} else {
		return -EINVAL;
	}
	return ret == -ENOSPC || ret == -ENOENT ? 0 : ret;
}

static ssize_t demo_ctl_write(struct file *file, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	char buf[64];
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	mutex_lock(&demo.lock);
	ret = demo_command(buf);
	mutex_unlock(&demo.lock);
	if (ret == -EINVAL)
		pr_info("memkit_demo: bad command; try: alloc 1M | free N | free-half | run N | relocate\n");
	return ret ? ret : len;
}

static ssize_t demo_ctl_read(struct file *file, char __user *ubuf, size_t len,
			     loff_t *ppos)
{
	char buf[256];
	int n;

	mutex_lock(&demo.lock);
	n = scnprintf(buf, sizeof(buf),
		      "commands: alloc SIZE | free HANDLE | free-half | run N | relocate\nlast: %s\n",
		      demo.last[0] ? demo.last : "(none)");
	mutex_unlock(&demo.lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations demo_ctl_fops = {
	.owner = THIS_MODULE,
	.read = demo_ctl_read,
	.write = demo_ctl_write,
	.llseek = default_llseek,
};

static void demo_teardown(void)
{
	u32 n, i;
	u64 *handles;

	debugfs_remove(demo.dir);
	memkit_hashmap_unregister(&demo.map_dbg);
	if (demo.map.hdr) {
		n = demo_live_handles(&handles);
		for (i = 0; i < n; i++)
			demo_free(handles[i]);
	}
	if (!IS_ERR_OR_NULL(demo.vram) && demo.fw.node != MEMKIT_OA_NO_NODE)
		memkit_range_free(demo.vram, &demo.fw);
	memkit_range_destroy(demo.vram);
	memkit_pool_exit(&demo.reqs);
	memkit_arena_exit(&demo.scratch);
	kvfree(demo.map_buf);
}

/*
 * For the lifecycle test: a driver bug on purpose.  With leak_registration=1
 * the demo registers one more (empty) pool in debugfs and never
 * unregisters it, so memkit must notice the unload and drop the entry
 * before anything reads it.
 */
static bool leak_registration;
module_param(leak_registration, bool, 0400);
MODULE_PARM_DESC(leak_registration, "leave a pool registered at unload (a test of memkit)");
static struct memkit_pool demo_leaked;

static int __init memkit_demo_init(void)
{
	struct memkit_hashmap_layout l;
	int ret;

	mutex_init(&demo.lock);
	spin_lock_init(&demo.map_lock);
	demo.fw.node = MEMKIT_OA_NO_NODE;

	demo.vram = memkit_range_create("demo-vram", DEMO_VRAM_SIZE, MEMKIT_RANGE_OFFSET,
					DEMO_MAX_BUFFERS);
	ret = PTR_ERR_OR_ZERO(demo.vram);
	if (!ret)
		ret = memkit_range_reserve(demo.vram, DEMO_VRAM_SIZE - DEMO_FW_SIZE,
					   DEMO_FW_SIZE, &demo.fw);
	if (!ret)
		ret = memkit_pool_init_for(&demo.reqs, &memkit_kmalloc_allocator,
					   struct demo_req, 0);
	if (!ret)
		ret = memkit_pool_register(&demo.reqs, "demo-requests");
	if (!ret)
		ret = memkit_arena_init(&demo.scratch, &memkit_kmalloc_allocator,
					MEMKIT_ARENA_DEFAULT);
	if (!ret)
		ret = memkit_arena_register(&demo.scratch, "demo-scratch");
	if (!ret)
		ret = memkit_hashmap_layout_for_capacity(DEMO_MAP_CAPACITY, demo_map_params, &l);
	if (!ret) {
		demo.map_size = l.total;
		demo.map_buf = kvmalloc(l.total, GFP_KERNEL);
		ret = demo.map_buf ? 0 : -ENOMEM;
	}
	if (!ret)
		ret = memkit_hashmap_init(&demo.map, demo.map_buf, demo.map_size,
					  DEMO_MAP_CAPACITY, 0, demo_map_params);
	if (!ret)
		ret = memkit_hashmap_register(&demo.map_dbg, &demo.map, "demo-handles",
					      demo_map_params, &demo.map_lock);
	if (ret) {
		demo_teardown();
		return ret;
	}
	if (leak_registration && !memkit_pool_init(&demo_leaked, &memkit_kmalloc_allocator,
						   16, 0, MEMKIT_POOL_LOCKED))
		memkit_pool_register(&demo_leaked, "demo-leaked");
	demo.dir = debugfs_create_dir("memkit_demo", NULL);
	debugfs_create_file("ctl", 0600, demo.dir, NULL, &demo_ctl_fops);
	return 0;
}

static void __exit memkit_demo_exit(void)
{
	demo_teardown();
}

module_init(memkit_demo_init);
module_exit(memkit_demo_exit);

MODULE_DESCRIPTION("memkit sample client: device memory, requests, scratch and a handle map");
MODULE_LICENSE("GPL");
MEMKIT_IMPORT_NS();
