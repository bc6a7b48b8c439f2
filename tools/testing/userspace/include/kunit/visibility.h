/* SPDX-License-Identifier: GPL-2.0 */
/* userspace shim: a program exports nothing */
#define EXPORT_SYMBOL_IF_KUNIT(sym)
