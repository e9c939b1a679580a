/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * The fixture both net_xennet harnesses (fuzz_xennet_rx.c, fuzz_xennet_tx.c)
 * stand on: an EAL without hugepages, an mbuf pool, one shared ring page and
 * a queue's data pages in plain memory (no grants: the bursts only read and
 * write the pages), and the hostile backend's side of a ring: responses
 * copied from the input and a producer published with release.
 */

#ifndef FUZZ_XENNET_H
#define FUZZ_XENNET_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_mempool.h>

#include "xennet.h"

/* Size of the one shared ring page (order 0). */
#define FUZZ_RING_PAGE 4096

/*
 * Start the EAL (argv0 as the program name) and make the pool of @nb_mbufs
 * mbufs of @buf_size bytes each. Aborts on failure.
 */
struct rte_mempool *fuzz_xennet_eal(char *argv0, unsigned int nb_mbufs,
				    uint16_t buf_size);

/*
 * Allocate a queue's memory for a ring of @n slots: the shared ring page
 * (returned), @n slot records of @slot_size bytes (zeroed, in *@slots) and
 * @n data pages described by @pages as one chunk. Aborts on failure.
 */
void *fuzz_xennet_queue_mem(uint32_t n, size_t slot_size, void **slots,
			    struct xennet_pages *pages);

/*
 * A fresh connection on front ring @r over the shared page @sring, as
 * xennet_queue_connect makes it; the backend never asks for a kick (there
 * is no event channel here).
 */
#define FUZZ_XENNET_FRESH_RING(r, sring) do {				\
	memset(sring, 0, FUZZ_RING_PAGE);				\
	SHARED_RING_INIT(sring);					\
	FRONT_RING_INIT(r, sring, FUZZ_RING_PAGE);			\
	(sring)->req_event = 0;						\
} while (0)

/*
 * The backend writes @n responses on @r (a netif front ring) from
 * rsp_cons on, copied from @src; publishing them is the caller's (a
 * producer may announce fewer or more). @n must not exceed the ring's size.
 */
#define FUZZ_XENNET_WRITE_RSPS(r, src, n) do {				\
	RING_IDX cons_ = (r)->rsp_cons;					\
	uint32_t i_;							\
									\
	for (i_ = 0; i_ < (n); i_++)					\
		memcpy(RING_GET_RESPONSE(r, cons_ + i_),		\
		       (src) + i_ * sizeof(*RING_GET_RESPONSE(r, 0)),	\
		       sizeof(*RING_GET_RESPONSE(r, 0)));		\
} while (0)

#endif /* FUZZ_XENNET_H */
