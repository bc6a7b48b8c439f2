// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_demo: a sample client driver that uses every memkit part the way
 * a real driver would.
 *
 * - A simulated 256 MiB of device memory managed by a memkit_range with
 *   4 KiB alignment, a firmware region reserved at the top.  The range is
 *   serialised by the driver's own mutex (the one its commands take), so
 *   the driver calls the _locked variants; each buffer object is the private
 *   pointer of its allocation, found again from a handle, from any offset
 *   inside it (lookup) and by walking the allocations in address order.
 *   Node storage starts small and grows as buffers are allocated, and
 *   `grow` adds memory at the end, as a resized BAR would.  Buffers go
 *   top-down (HIGH) to keep the CPU-visible first 64 MiB free for the
 *   ones that need it (`alloc-visible`, LOW inside that window); when
 *   the window is full, an eviction scan over the buffers in LRU order
 *   says which to evict (freed here; a driver would move them out).  Its debugfs
 *   directory is in the driver's own: /sys/kernel/debug/memkit_demo/vram.
 * - A memkit_pool of buffer objects, one per live buffer.
 * - A memkit_arena for per-batch scratch, reset (keeping its capacity)
 *   after each batch.
 * - A memkit_hashmap from the handle user space holds (as a GEM handle
 *   table would) to the buffer object, living in a relocatable buffer
 *   that `relocate` copies elsewhere and re-attaches.
 *
 * Drive it through /sys/kernel/debug/memkit_demo/ctl:
 *
 *   echo "alloc 1M" > ctl      allocate a buffer (K/M/G suffixes)
 *   echo "alloc-visible 8M" > ctl  one in the CPU-visible window, evicting
 *                              from the LRU if it is full
 *   echo "free 5" > ctl        free buffer handle 5
 *   echo "free-at 0x10000" > ctl  free the buffer covering a VRAM offset
 *   echo "resize 5 2M" > ctl   grow or shrink buffer 5 in place
 *   echo "free-half" > ctl     free every other live buffer
 *   echo "run 100" > ctl       a batch of 100 random allocs and frees
 *   echo "grow 64M" > ctl      add VRAM at the end of the range
 *   echo "relocate" > ctl      move the handle map to a new buffer
 *   cat ctl                    the commands and the last result
 *
 * Live state is under /sys/kernel/debug/memkit/ (demo-requests,
 * demo-scratch, demo-handles) and /sys/kernel/debug/memkit_demo/vram.
 * Bad commands get -EINVAL and a message.
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
#define DEMO_VRAM_MAX		SZ_1G
#define DEMO_FW_SIZE		SZ_16M
#define DEMO_VISIBLE		SZ_64M
#define DEMO_MAX_BUFFERS	2048
#define DEMO_MAP_CAPACITY	4096

/* A buffer object: what the driver keeps per live buffer. */
struct demo_req {
	struct memkit_oa_handle vram;
	u64 handle;
	struct list_head lru;	/* oldest first */
	bool evict;		/* the eviction scan said so */
};

static const struct memkit_hashmap_params demo_map_params = {
	.key_size = sizeof(u64), .key_align = __alignof__(u64),
	.value_size = sizeof(struct demo_req *),
	.value_align = __alignof__(struct demo_req *),
};

static struct demo {
	struct mutex lock;		/* serialises commands; also the VRAM range's lock */
	spinlock_t map_lock;		/* the handle map, also for debugfs */
	struct memkit_range *vram;
	struct list_head lru;		/* every buffer, least recently used first */
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
	struct dentry *ctl;
} demo;

/*
 * Allocate a buffer where @want says: VRAM, its object as the
 * allocation's pointer, a handle.  *@offset, if given, receives where in
 * VRAM it went.
 */
static int demo_alloc_req(const struct memkit_oa_req *want, u64 *offset)
{
	struct demo_req *req;
	unsigned long flags;
	int ret;

	lockdep_assert_held(&demo.lock);
	req = memkit_pool_new(&demo.reqs, struct demo_req, GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	/* Node storage grows here if it must: the range's config says GFP_KERNEL. */
	ret = memkit_range_alloc_in_locked(demo.vram, want, &req->vram);
	if (ret) {
		memkit_pool_free(&demo.reqs, req);
		return ret;
	}
	memkit_range_set_priv_locked(demo.vram, &req->vram, req);
	req->handle = ++demo.next_handle;
	spin_lock_irqsave(&demo.map_lock, flags);
	ret = memkit_hashmap_put_no_clobber(&demo.map, &req->handle, &req, demo_map_params);
	spin_unlock_irqrestore(&demo.map_lock, flags);
	if (ret) {
		memkit_range_free_locked(demo.vram, &req->vram);
		memkit_pool_free(&demo.reqs, req);
		return ret;
	}
	req->evict = false;
	list_add_tail(&req->lru, &demo.lru);
	if (offset)
		*offset = req->vram.offset;
	return 0;
}

/* An ordinary buffer: top-down, away from the CPU-visible window. */
static int demo_alloc(u64 size, u64 *offset)
{
	struct memkit_oa_req want = { .size = size, .align = SZ_4K, .mode = MEMKIT_OA_HIGH };

	return demo_alloc_req(&want, offset);
}

/* The buffer object user-space handle @handle names, or NULL. */
static struct demo_req *demo_find(u64 handle)
{
	struct demo_req *req = NULL;
	unsigned long flags;

	spin_lock_irqsave(&demo.map_lock, flags);
	memkit_hashmap_get(&demo.map, &handle, &req, demo_map_params);
	spin_unlock_irqrestore(&demo.map_lock, flags);
	return req;
}

static void demo_release(struct demo_req *req)
{
	unsigned long flags;

	spin_lock_irqsave(&demo.map_lock, flags);
	memkit_hashmap_remove(&demo.map, &req->handle, demo_map_params);
	spin_unlock_irqrestore(&demo.map_lock, flags);
	list_del(&req->lru);
	memkit_range_free_locked(demo.vram, &req->vram);
	memkit_pool_free(&demo.reqs, req);
}

/*
 * Make room for @want: feed the buffers to an eviction scan, least
 * recently used first, until it says a hole would open; ask it of every
 * one fed, and only then evict those it names.  Buffers outside the hole
 * (all those outside the window, say) stay.  Returns how many went.
 */
static int demo_evict_for(const struct memkit_oa_req *want)
{
	struct memkit_oa_scan scan;
	struct demo_req *req, *tmp;
	int ret, evicted = 0;
	u32 fed = 0;

	ret = memkit_range_scan_init_locked(demo.vram, &scan, want);
	if (ret)
		return ret;
	list_for_each_entry(req, &demo.lru, lru) {
		req->evict = false;
		fed++;
		ret = memkit_range_scan_add_locked(demo.vram, &scan, &req->vram);
		if (ret)
			break;
	}
	if (ret != 1)
		return ret < 0 ? ret : -ENOSPC;
	list_for_each_entry(req, &demo.lru, lru) {
		if (!fed--)
			break;
		req->evict = memkit_range_scan_evict_locked(demo.vram, &scan, &req->vram) == 1;
	}
	list_for_each_entry_safe(req, tmp, &demo.lru, lru) {
		if (req->evict) {
			demo_release(req);
			evicted++;
		}
	}
	return evicted;
}

/* A buffer the CPU maps: inside the visible window, evicting if it is full. */
static int demo_alloc_visible(u64 size, u64 *offset, int *evicted)
{
	struct memkit_oa_req want = {
		.size = size, .align = SZ_4K, .end = DEMO_VISIBLE, .mode = MEMKIT_OA_LOW,
	};
	int ret = demo_alloc_req(&want, offset);

	*evicted = 0;
	if (ret != -ENOSPC)
		return ret;
	*evicted = demo_evict_for(&want);
	if (*evicted < 0)
		return *evicted;
	return demo_alloc_req(&want, offset);
}

static int demo_free(u64 handle)
{
	struct demo_req *req = demo_find(handle);

	if (!req)
		return -ENOENT;
	demo_release(req);
	return 0;
}

/* Free whatever buffer covers a VRAM offset: lookup, then its object. */
static int demo_free_at(u64 offset)
{
	struct memkit_oa_handle h;
	struct demo_req *req;
	int ret;

	ret = memkit_range_lookup_locked(demo.vram, offset, &h);
	if (ret)
		return ret;
	req = memkit_range_priv_locked(demo.vram, &h);
	/* The firmware region has no buffer object. */
	if (!req)
		return -EPERM;
	demo_release(req);
	return 0;
}

static int demo_resize(u64 handle, u64 size)
{
	struct demo_req *req = demo_find(handle);

	if (!req)
		return -ENOENT;
	return memkit_range_resize_locked(demo.vram, &req->vram, size);
}

/*
 * The live buffers in VRAM order, collected into per-batch scratch from
 * the arena by walking the range.  Returns how many; the array is valid
 * until the next arena reset.
 */
static u32 demo_live_buffers(struct demo_req ***out)
{
	struct memkit_allocator a = memkit_arena_allocator(&demo.scratch);
	struct memkit_oa_handle h;
	struct demo_req **reqs, *req;
	u32 n = 0;

	reqs = memkit_alloc_array(&a, DEMO_MAX_BUFFERS, sizeof(*reqs), 0, GFP_KERNEL);
	if (!reqs)
		return 0;
	memkit_range_for_each_alloc(demo.vram, &h) {
		req = memkit_range_priv_locked(demo.vram, &h);
		if (req && n < DEMO_MAX_BUFFERS)
			reqs[n++] = req;
	}
	*out = reqs;
	return n;
}

static void demo_end_batch(void)
{
	memkit_arena_reset(&demo.scratch, MEMKIT_ARENA_RETAIN_CAPACITY, 0, GFP_KERNEL);
}

/* Every other buffer in VRAM order, freed while walking the range. */
static u32 demo_free_half(void)
{
	struct memkit_oa_handle h;
	struct demo_req *req;
	u32 i = 0, freed = 0;

	memkit_range_for_each_alloc_safe(demo.vram, &h) {
		req = memkit_range_priv_locked(demo.vram, &h);
		if (req && i++ % 2 == 0) {
			demo_release(req);
			freed++;
		}
	}
	return freed;
}

/* A batch: random sizes from 4 KiB to 512 KiB, about 2 allocs per free. */
static void demo_run(u32 ops, u32 *allocs, u32 *frees, u32 *nospc)
{
	struct demo_req **reqs;
	u32 i, n;

	for (i = 0; i < ops; i++) {
		n = demo_live_buffers(&reqs);
		if (n && get_random_u32_below(3) == 0) {
			demo_release(reqs[get_random_u32_below(n)]);
			++*frees;
		} else {
			int ret = demo_alloc(SZ_4K << get_random_u32_below(8), NULL);

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
		u64 at = 0;

		val = memparse(arg, &arg);
		if (!val || *arg)
			return -EINVAL;
		ret = demo_alloc(val, &at);
		snprintf(demo.last, sizeof(demo.last), "alloc %llu: %d (handle %llu at %#llx)",
			 val, ret, ret ? 0 : demo.next_handle, at);
	} else if (!strcmp(verb, "alloc-visible") && arg) {
		u64 at = 0;
		int evicted;

		val = memparse(arg, &arg);
		if (!val || *arg)
			return -EINVAL;
		ret = demo_alloc_visible(val, &at, &evicted);
		snprintf(demo.last, sizeof(demo.last),
			 "alloc-visible %llu: %d (handle %llu at %#llx, %d evicted)",
			 val, ret, ret ? 0 : demo.next_handle, at, evicted);
	} else if (!strcmp(verb, "free") && arg) {
		if (kstrtou64(arg, 0, &val))
			return -EINVAL;
		ret = demo_free(val);
		snprintf(demo.last, sizeof(demo.last), "free %llu: %d", val, ret);
	} else if (!strcmp(verb, "free-at") && arg) {
		if (kstrtou64(arg, 0, &val))
			return -EINVAL;
		ret = demo_free_at(val);
		snprintf(demo.last, sizeof(demo.last), "free-at %#llx: %d", val, ret);
	} else if (!strcmp(verb, "resize") && arg) {
		char *size = arg;
		u64 new_size;

		strsep(&size, " \t");
		if (!size || kstrtou64(arg, 0, &val))
			return -EINVAL;
		new_size = memparse(size, &size);
		if (*size)
			return -EINVAL;
		ret = demo_resize(val, new_size);
		snprintf(demo.last, sizeof(demo.last), "resize %llu %llu: %d", val, new_size, ret);
	} else if (!strcmp(verb, "grow") && arg) {
		struct memkit_oa_usage r;

		val = memparse(arg, &arg);
		if (!val || *arg)
			return -EINVAL;
		memkit_range_report_locked(demo.vram, &r);
		ret = r.size + val > DEMO_VRAM_MAX ? -ENOSPC :
		      memkit_range_extend_locked(demo.vram, r.size + val);
		snprintf(demo.last, sizeof(demo.last), "grow %llu: %d (VRAM now %llu)", val, ret,
			 ret ? r.size : r.size + val);
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
		pr_info("memkit_demo: bad command; try: alloc 1M | alloc-visible 8M | free N | free-at OFFSET | resize N 2M | free-half | run N | grow 64M | relocate\n");
	return ret ? ret : len;
}

static ssize_t demo_ctl_read(struct file *file, char __user *ubuf, size_t len,
			     loff_t *ppos)
{
	char buf[256];
	int n;

	mutex_lock(&demo.lock);
	n = scnprintf(buf, sizeof(buf),
		      "commands: alloc SIZE | alloc-visible SIZE | free HANDLE | free-at OFFSET | resize HANDLE SIZE | free-half | run N | grow SIZE | relocate\nlast: %s\n",
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
	struct memkit_oa_handle h;
	struct demo_req *req;

	debugfs_remove(demo.ctl);
	memkit_hashmap_unregister(&demo.map_dbg);
	if (!IS_ERR_OR_NULL(demo.vram)) {
		mutex_lock(&demo.lock);
		memkit_range_for_each_alloc_safe(demo.vram, &h) {
			req = memkit_range_priv_locked(demo.vram, &h);
			if (req)
				demo_release(req);
		}
		if (demo.fw.node != MEMKIT_OA_NO_NODE)
			memkit_range_free_locked(demo.vram, &demo.fw);
		mutex_unlock(&demo.lock);
	}
	/* Destroy takes the range's lock (the mutex) itself. */
	memkit_range_destroy(demo.vram);
	debugfs_remove(demo.dir);
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
	struct memkit_range_config vram = {
		.name = "vram",
		.size = DEMO_VRAM_SIZE,
		.kind = MEMKIT_RANGE_OFFSET,
		.initial_allocs = 16,
		.max_allocs = DEMO_MAX_BUFFERS,
		.flags = MEMKIT_RANGE_PRIV | MEMKIT_RANGE_LOOKUP | MEMKIT_RANGE_PLACE,
		.gfp = GFP_KERNEL,
		.lock = &demo.lock,
	};
	struct memkit_hashmap_layout l;
	int ret;

	mutex_init(&demo.lock);
	spin_lock_init(&demo.map_lock);
	INIT_LIST_HEAD(&demo.lru);
	demo.fw.node = MEMKIT_OA_NO_NODE;

	/* The driver's own debugfs directory; memkit puts the range's in it. */
	demo.dir = debugfs_create_dir("memkit_demo", NULL);
	vram.debugfs_parent = demo.dir;
	demo.vram = memkit_range_create_config(&vram);
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
	demo.ctl = debugfs_create_file("ctl", 0600, demo.dir, NULL, &demo_ctl_fops);
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
