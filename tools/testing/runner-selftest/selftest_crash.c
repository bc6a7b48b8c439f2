// SPDX-License-Identifier: GPL-2.0
/*
 * Runner self-test: a KUnit case that dereferences a NULL pointer.  The
 * test kernel panics on an oops, so the guest never reports its results;
 * the runner must fail.
 */

#include <kunit/test.h>
#include <linux/module.h>

static void selftest_crashes(struct kunit *test)
{
	int *p = NULL;

	/* The compiler must not see that p is NULL, or it drops the load. */
	OPTIMIZER_HIDE_VAR(p);
	KUNIT_EXPECT_EQ(test, *p, 0);
}

static struct kunit_case selftest_cases[] = {
	KUNIT_CASE(selftest_crashes),
	{}
};

static struct kunit_suite selftest_suite = {
	.name = "memkit_runner_crash",
	.test_cases = selftest_cases,
};

kunit_test_suites(&selftest_suite);

MODULE_DESCRIPTION("memkit runner self-test: a KUnit case that crashes");
MODULE_LICENSE("GPL");
