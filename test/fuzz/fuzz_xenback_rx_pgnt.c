/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * libFuzzer harness: fuzz_xenback_rx with persistent grants (see the
 * header of fuzz_xenback_rx.c): the guest's RX buffers mapped writable
 * once in a table whose bound the input chooses (byte 9), and written
 * with memcpy; the same checks, and those of the table and its violations.
 */

#define FUZZ_XB_PGNT 1
#include "fuzz_xenback_rx.c"
