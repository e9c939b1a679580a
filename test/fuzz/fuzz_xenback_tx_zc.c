/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * libFuzzer harness: fuzz_xenback_tx with persistent grants and
 * rx_zero_copy (see the header of fuzz_xenback_tx.c): the same input
 * format and checks, packets longer than their head delivered with the
 * guest's mapped pages attached, answered once freed.
 */

#define FUZZ_XB_PGNT 1
#define FUZZ_XB_ZC 1
#include "fuzz_xenback_tx.c"
