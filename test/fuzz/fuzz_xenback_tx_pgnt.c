/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * libFuzzer harness: fuzz_xenback_tx with persistent grants (see the
 * header of fuzz_xenback_tx.c): the same input format and checks, the
 * guest's grants mapped once and copied with memcpy.
 */

#define FUZZ_XB_PGNT 1
#include "fuzz_xenback_tx.c"
