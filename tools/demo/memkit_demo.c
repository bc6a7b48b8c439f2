// SPDX-License-Identifier: GPL-2.0
/*
 * memkit_demo: a sample client driver.
 *
 * It manages a simulated 256 MiB of device memory with a memkit_range, the
 * way a GPU or accelerator driver manages VRAM: buffers of 4 KiB to 8 MiB,
 * 4 KiB aligned, a firmware region reserved at the top.  At load it runs a
 * batch that allocates 96 buffers and frees every third, so
 * /sys/kernel/debug/memkit/demo-vram/ shows a fragmented range; everything
 * is given back at unload.
 */

#include <linux/module.h>
#include <linux/random.h>
#include <linux/sizes.h>

#include <memkit/compat.h>
#include <memkit/range.h>

#define DEMO_VRAM_SIZE		SZ_256M
#define DEMO_FW_SIZE		SZ_16M
#define DEMO_BUFFERS		96

static struct memkit_range *demo_vram;
static struct memkit_oa_handle demo_fw;
static struct memkit_oa_handle demo_buf[DEMO_BUFFERS];

static int __init memkit_demo_init(void)
{
	unsigned int i;
	int ret;

	demo_vram = memkit_range_create("demo-vram", DEMO_VRAM_SIZE,
					MEMKIT_RANGE_OFFSET, 1024);
	if (IS_ERR(demo_vram))
		return PTR_ERR(demo_vram);

	ret = memkit_range_reserve(demo_vram, DEMO_VRAM_SIZE - DEMO_FW_SIZE,
				   DEMO_FW_SIZE, &demo_fw);
	if (ret)
		goto err;

	for (i = 0; i < DEMO_BUFFERS; i++) {
		/* 4 KiB .. 8 MiB, log-uniform, like textures and rings. */
		u64 size = SZ_4K << get_random_u32_below(12);

		ret = memkit_range_alloc(demo_vram, size, SZ_4K, &demo_buf[i]);
		if (ret == -ENOSPC)
			continue;
		if (ret)
			goto err;
	}
	for (i = 0; i < DEMO_BUFFERS; i += 3) {
		if (demo_buf[i].node != MEMKIT_OA_NO_NODE)
			memkit_range_free(demo_vram, &demo_buf[i]);
		demo_buf[i].node = MEMKIT_OA_NO_NODE;
	}
	return 0;

err:
	memkit_range_destroy(demo_vram);
	return ret;
}

static void __exit memkit_demo_exit(void)
{
	unsigned int i;

	for (i = 0; i < DEMO_BUFFERS; i++)
		if (demo_buf[i].node != MEMKIT_OA_NO_NODE)
			memkit_range_free(demo_vram, &demo_buf[i]);
	memkit_range_free(demo_vram, &demo_fw);
	memkit_range_destroy(demo_vram);
}

module_init(memkit_demo_init);
module_exit(memkit_demo_exit);

MODULE_DESCRIPTION("memkit sample client: simulated device memory");
MODULE_LICENSE("GPL");
MEMKIT_IMPORT_NS();
