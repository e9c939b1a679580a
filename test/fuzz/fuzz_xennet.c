/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/* The fixture of the net_xennet harnesses: see fuzz_xennet.h. */

#include <stdlib.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "fuzz_xennet.h"

/* xennet_ethdev.c's, which the harnesses do not link */
int xennet_logtype;

struct rte_mempool *
fuzz_xennet_eal(char *argv0, unsigned int nb_mbufs, uint16_t buf_size)
{
	char *eal[] = { argv0, "--no-huge", "-m", "64", "--no-pci",
		"--no-shconf", "-l", "0", "--log-level=lib.eal:error",
		NULL };
	struct rte_mempool *mp;

	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		abort();
	mp = rte_pktmbuf_pool_create("fuzz", nb_mbufs, 0, 0, buf_size,
				     SOCKET_ID_ANY);
	if (mp == NULL)
		abort();
	return mp;
}

void *
fuzz_xennet_queue_mem(uint32_t n, size_t slot_size, void **slots,
		      struct xennet_pages *pages)
{
	void *sring = aligned_alloc(FUZZ_RING_PAGE, FUZZ_RING_PAGE);
	uint8_t *data = aligned_alloc(FUZZ_RING_PAGE,
				      (size_t)n * XENPV_PAGE_SIZE);

	*slots = calloc(n, slot_size);
	pages->refs = calloc(n, sizeof(*pages->refs));
	if (sring == NULL || data == NULL || *slots == NULL ||
	    pages->refs == NULL)
		abort();
	pages->nr = n;
	pages->nr_chunks = 1;
	pages->chunk[0] = data;
	return sring;
}
