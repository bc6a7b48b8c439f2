// SPDX-License-Identifier: GPL-2.0
/*
 * Runner self-test: one passing and one failing KUnit case.  The runner
 * must report "1 passed, 1 failed" and exit non-zero.
 */

#include <kunit/test.h>
#include <linux/module.h>

static void selftest_passes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1 + 1, 2);
}

static void selftest_fails(struct kunit *test)
{
	KUNIT_EXPECT_EQ_MSG(test, 1 + 1, 3, "deliberate failure for the runner self-test");
}

static struct kunit_case selftest_cases[] = {
	KUNIT_CASE(selftest_passes),
	KUNIT_CASE(selftest_fails),
	{}
};

static struct kunit_suite selftest_suite = {
	.name = "memkit_runner_selftest",
	.test_cases = selftest_cases,
};

kunit_test_suites(&selftest_suite);

MODULE_DESCRIPTION("memkit runner self-test: a failing KUnit case");
MODULE_LICENSE("GPL");
