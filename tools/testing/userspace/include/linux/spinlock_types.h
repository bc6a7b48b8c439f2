/* SPDX-License-Identifier: GPL-2.0 */
/* userspace shim: everything lives in ushim.h */
#include "../ushim.h"
