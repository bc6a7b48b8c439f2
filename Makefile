# SPDX-License-Identifier: GPL-2.0
#
# memkit: the user's entry points.
#
#   make                build against KDIR (default: the running kernel)
#   make check          everything CI runs: deps, lint, the builds, native tests,
#                       fuzz smoke runs, KUnit in QEMU on 64-bit and 32-bit kernels;
#                       SEED=N replays a run (every randomised native test and
#                       KUnit suite, hash map seeds included)
#   make utest          the core files natively under ASan/UBSan vs reference models
#   make fuzz           each libFuzzer target for FUZZ_SECONDS (default 60)
#   make coverage       line and branch coverage of each core file by the native tests
#   make mutation       mutants of the core files against the native tests: the score
#   make bench-native   native benchmarks: memkit vs absl::flat_hash_map, glibc
#   make demo           boot the test kernel, load memkit, show its debugfs tree
#   make shell          a shell in the test kernel with memkit and the demo loaded
#   make bench          memkit vs drm_mm, gen_pool, rhashtable, ... in a perf kernel
#   make lint           checkpatch --strict, sparse, kernel-doc, htmldocs: zero findings
#   make htmldocs       Documentation/ to HTML in build/htmldocs
#   make check-runner   prove the QEMU runner fails when it should
#   make lifecycle      50 load/unload cycles of memkit + the demo
#   make dkms           the DKMS package: add, build, install, remove in a scratch tree
#   make install        memkit.ko and its headers, against KDIR
#   make install-demo   the same and the sample driver
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
# The stock Debian headers that the core must keep building against.
STOCK_KDIR ?= $(firstword $(wildcard /usr/src/linux-headers-*-amd64))

T := tools/testing
# Suites that must report: every suite named in kunit/*.c, each with the
# number of results kunit/manifest gives it.
SUITES = $(shell sed -n 's/^[[:space:]]*\.name = "\(memkit_[a-z_]*\)",/\1/p' kunit/*_kunit.c)
MANIFEST = kunit/manifest
# SEED=N: the seed of every randomised test (default: each picks and logs one).
SEED ?=
KUNIT_SEED = $(if $(SEED),-p "memkit_kunit seed=$(SEED)")
# The debug test kernels, 64-bit and 32-bit (i386), built once and cached
# outside the repository.
TEST_KDIR = $$($(T)/kernel.sh build debug)
TEST32_KDIR = $$($(T)/kernel.sh build debug32)

.PHONY: all modules check deps lint htmldocs build-stock build-test build-test32 kunit kunit32 demo \
	lifecycle bench check-runner install install-demo dkms shell check-shell clean utest fuzz fuzz-smoke bench-native coverage \
	mutation mutation-smoke

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# memkit.ko into /lib/modules/<release>/updates, then depmod (kbuild skips
# it without a System.map, as with distribution headers; a staged install
# with INSTALL_MOD_PATH leaves it to the packager); the public headers and
# Module.symvers into $(PREFIX)/src/memkit for consumer modules.  The test
# support, the suites and the benchmarks are never installed; the sample
# driver only by make install-demo.
PREFIX ?= /usr
KRELEASE = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)
INSTALL_HDRS = $(filter-out include/memkit/testing.h,$(wildcard include/memkit/*.h))

install: MEMKIT_ONLY = lib
install-demo: MEMKIT_ONLY = demo
install install-demo:
	$(MAKE) -C $(KDIR) M=$(CURDIR) MEMKIT_ONLY=$(MEMKIT_ONLY) modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) MEMKIT_ONLY=$(MEMKIT_ONLY) INSTALL_MOD_DIR=updates \
		modules_install
	$(if $(INSTALL_MOD_PATH),,depmod -a $(KRELEASE))
	install -d $(DESTDIR)$(PREFIX)/src/memkit/include/memkit
	install -m 0644 $(INSTALL_HDRS) $(DESTDIR)$(PREFIX)/src/memkit/include/memkit/
	install -m 0644 Module.symvers $(DESTDIR)$(PREFIX)/src/memkit/

deps:
	@$(T)/deps.sh build test user

check: deps lint build-stock dkms utest fuzz-smoke mutation-smoke check-runner lifecycle check-shell kunit kunit32

# The core files compiled unchanged in userspace (tools/testing/userspace).
USERSPACE = $(MAKE) --no-print-directory -C $(T)/userspace O=$(CURDIR)/build/userspace \
	SEED=$(SEED)
FUZZ_SECONDS ?= 60

utest: deps
	$(USERSPACE) test

fuzz-smoke: deps
	$(USERSPACE) fuzz-smoke

fuzz: deps
	$(USERSPACE) fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

bench-native: deps
	$(USERSPACE) bench

coverage: deps
	$(USERSPACE) coverage

# Mutation testing (tools/testing/mutation.py): a fixed sample of
# MUTANTS_PER_FILE mutants of each core file, each run through every native
# test and fuzz corpus; about half an hour.  The smoke run, in make check,
# is one mutant of each kind, and each must be killed: it proves the
# harness still notices.  Its ids name a line by its function and its
# distance from the function's opening brace, so edits elsewhere in the file
# leave them be; if the function changes under one, the run says so: pick
# another from `mutation.py --list`.
MUTANTS_PER_FILE ?= 20
MUTATION_SMOKE = offset_alloc.c:oa_check_bins+5:20:<,offset_alloc.c:memkit_oa_resize+30:9:&&,offset_alloc.c:oa_fits+6:14:drop-1,pool.c:pool_push+4:1:drop

mutation: deps
	python3 $(T)/mutation.py -n $(MUTANTS_PER_FILE)

mutation-smoke: deps
	python3 $(T)/mutation.py --expect-killed --only '$(MUTATION_SMOKE)'

build-stock: deps
	@if [ -z "$(STOCK_KDIR)" ]; then echo "no stock headers in /usr/src" >&2; exit 1; fi
	$(T)/build.sh stock $(STOCK_KDIR)

# The DKMS package, built, installed and removed in a scratch tree
# against the stock headers (tools/testing/dkms.sh).
dkms: deps
	@$(T)/deps.sh package
	@if [ -z "$(STOCK_KDIR)" ]; then echo "no stock headers in /usr/src" >&2; exit 1; fi
	$(T)/dkms.sh $(STOCK_KDIR)

build-test: deps
	kdir=$(TEST_KDIR) && $(T)/build.sh test $$kdir

build-test32: deps
	kdir=$(TEST32_KDIR) && $(T)/build.sh test32 $$kdir

lint: deps
	$(T)/lint.sh

# HTML from Documentation/, kernel-doc pulled from the sources; any Sphinx
# warning fails it (make lint runs it too).
htmldocs: deps
	$(T)/htmldocs.sh

# Allocation profiling is built into the 64-bit test kernel but off at
# boot: a slab allocation that fault injection fails while profiling is on
# makes the kernel warn about its tag vector.
kunit: build-test
	kdir=$(TEST_KDIR) && $(T)/run-qemu.sh -q -a "tsc=reliable sysctl.vm.mem_profiling=0" \
		-k $$kdir -o build/run-kunit \
		-s "$(SUITES)" -M $(MANIFEST) $(KUNIT_SEED) \
		build/test/memkit/memkit.ko build/test/memkit/memkit_test.ko \
		build/test/kunit/memkit_kunit.ko \
		build/test/tools/demo/memkit_demo.ko

# The same suites on the 32-bit kernel, under qemu-system-i386.
kunit32: build-test32
	@$(T)/deps.sh i386 >/dev/null
	kdir=$(TEST32_KDIR) && $(T)/run-qemu.sh -q -a tsc=reliable -k $$kdir -o build/run-kunit32 \
		-s "$(SUITES)" -M $(MANIFEST) $(KUNIT_SEED) \
		build/test32/memkit/memkit.ko build/test32/memkit/memkit_test.ko \
		build/test32/kunit/memkit_kunit.ko \
		build/test32/tools/demo/memkit_demo.ko

demo: build-test
	kdir=$(TEST_KDIR) && $(T)/run-qemu.sh -q -k $$kdir -o build/run-demo \
		-x tools/demo/demo.sh \
		build/test/memkit/memkit.ko build/test/tools/demo/memkit_demo.ko
	@mkdir -p build/demo
	@awk '/^==== /{ f = ($$0 == "==== json vram") } f && !/^==== /' build/run-demo/show.txt \
		>build/demo/vram.json
	python3 tools/range-svg/range-svg.py build/demo/vram.json -o build/demo/vram.svg
	@echo "The demo's VRAM range, drawn: build/demo/vram.svg (from build/demo/vram.json)"
	@echo "Live state is in /sys/kernel/debug/memkit/ (summary, <name>/...); in make shell, drive the demo with"
	@echo "echo 'alloc 1M' | 'alloc-visible 8M' | 'free N' | 'free-at OFFSET' | 'resize N 2M' | 'free-half' | 'run N' | 'grow 64M' | 'relocate' > /sys/kernel/debug/memkit_demo/ctl"

# A shell in the debug test kernel with memkit and the demo loaded, on
# this terminal; exit ends the run, which is judged as any other.
# check-shell types commands into it (tools/testing/shell-check.sh).
SHELL_SECONDS ?= 3600
shell: build-test
	kdir=$(TEST_KDIR) && $(T)/run-qemu.sh -q -I -t $(SHELL_SECONDS) -k $$kdir -o build/run-shell \
		build/test/memkit/memkit.ko build/test/tools/demo/memkit_demo.ko

check-shell: build-test
	$(T)/shell-check.sh

# memkit against the kernel's peers in one boot of the perf kernel (no
# debug checkers, DRM and GENERIC_ALLOCATOR on): table, CSV and a chart.
# tsc=reliable: under TCG the clocksource watchdog otherwise drops the
# TSC for jiffies, and every timing becomes a multiple of a tick.
bench:
	@$(T)/deps.sh build test bench
	kdir=$$($(T)/kernel.sh build perf) && $(T)/build.sh perf $$kdir && \
	$(T)/run-qemu.sh -q -L -m 3072 -t 1500 -a tsc=reliable -k $$kdir -o build/run-bench \
		-x tools/bench/bench.sh \
		build/perf/memkit/memkit.ko build/perf/tools/bench/memkit_bench.ko
	tools/bench/report.sh build/run-bench build/bench

# 50 load/unload cycles of memkit + the demo, with workloads, in one boot.
lifecycle: build-test
	kdir=$(TEST_KDIR) && $(T)/run-qemu.sh -q -L -k $$kdir -o build/run-lifecycle \
		-x $(T)/lifecycle.sh \
		build/test/memkit/memkit.ko build/test/tools/demo/memkit_demo.ko

check-runner: deps
	$(T)/check-runner.sh

# Whatever an in-tree build left, whichever kernel it was for (KDIR may
# not exist any more): kbuild's own clean needs it, so do it by name.
clean:
	rm -rf build
	find . -path ./.git -prune -o \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name '*.a' -o -name modules.order \
		-o -name Module.symvers -o -name '.*.d' \) -type f -print0 | xargs -0 rm -f
	rm -rf .tmp_versions
