// SPDX-License-Identifier: GPL-2.0
/*
 * Runner self-test: a module whose init takes two mutexes in one order and
 * then in the other.  Nothing deadlocks (one thread), but lockdep reports
 * the possible circular dependency; the runner must fail.
 */

#include <linux/module.h>
#include <linux/mutex.h>

static DEFINE_MUTEX(selftest_a);
static DEFINE_MUTEX(selftest_b);

static int __init selftest_lockdep_init(void)
{
	mutex_lock(&selftest_a);
	mutex_lock(&selftest_b);
	mutex_unlock(&selftest_b);
	mutex_unlock(&selftest_a);

	mutex_lock(&selftest_b);
	mutex_lock(&selftest_a);
	mutex_unlock(&selftest_a);
	mutex_unlock(&selftest_b);
	return 0;
}

static void __exit selftest_lockdep_exit(void)
{
}

module_init(selftest_lockdep_init);
module_exit(selftest_lockdep_exit);

MODULE_DESCRIPTION("memkit runner self-test: a lockdep report at load");
MODULE_LICENSE("GPL");
