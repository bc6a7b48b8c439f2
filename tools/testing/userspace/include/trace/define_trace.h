/* SPDX-License-Identifier: GPL-2.0 */
/* userspace shim: no trace events are created in a program */
