/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * libFuzzer harness: net_xennet's RX response walk (xennet_rx_burst of
 * drivers/net/xennet/xennet_rxtx.c, compiled in as is) on a ring in memory,
 * as a hostile backend fills it. The input:
 *   byte 0: the queue's settings (scatter, LRO and RX checksum negotiated,
 *           feature-sg);
 *   byte 1: where the responses are split in two publications (a burst
 *           runs between them, so a packet may be left unfinished);
 *   byte 2: responses announced beyond those written (the producer
 *           overflow check);
 *   then 8 bytes per response slot, written over the posted requests.
 * Beyond the sanitizers: every mbuf delivered is consistent (lengths,
 * segments), within the queue's length bound, carries only the offloads
 * negotiated, and every mbuf is back in the pool after each input.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "fuzz_xennet.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NB_MBUFS 2048

static struct rte_mempool *mp;
static struct xennet_rxq rxq;
static void *sring_mem;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	void *slots;

	(void)argc;
	mp = fuzz_xennet_eal((*argv)[0], NB_MBUFS, RTE_MBUF_DEFAULT_BUF_SIZE);
	sring_mem = fuzz_xennet_queue_mem(XENPV_RX_RING_SIZE(0),
					  sizeof(*rxq.slots), &slots,
					  &rxq.pages);
	rxq.slots = slots;
	rxq.mp = mp;
	xenpv_dp_open(&rxq.guard);
	return 0;
}

/* What the application may rely on for each mbuf delivered. */
static void
check_mbuf(const struct rte_mbuf *m)
{
	const char *reason;

	/* segment lengths add up to pkt_len, nb_segs is the chain's length */
	if (rte_mbuf_check(m, 1, &reason) != 0 || m->pkt_len == 0 ||
	    m->pkt_len > rxq.max_len || (m->nb_segs > 1 && !rxq.scatter))
		abort();
	if ((m->ol_flags & RTE_MBUF_F_RX_LRO) && !rxq.gso)
		abort();
	if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
	    RTE_MBUF_F_RX_L4_CKSUM_NONE && !rxq.csum)
		abort();
}

static void
bursts(unsigned int times)
{
	struct rte_mbuf *pkts[32];
	uint16_t n, i;

	while (times-- > 0) {
		n = xennet_rx_burst(&rxq, pkts, RTE_DIM(pkts));
		for (i = 0; i < n; i++)
			check_mbuf(pkts[i]);
		rte_pktmbuf_free_bulk(pkts, n);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	netif_rx_sring_t *sring = sring_mem;
	netif_rx_front_ring_t *r = &rxq.ring;
	uint32_t nslots, split, extra, ring_size;
	RING_IDX cons;

	if (size < 3)
		return 0;
	/* a fresh connection each time */
	FUZZ_XENNET_FRESH_RING(r, sring);
	ring_size = RING_SIZE(r);
	rxq.scatter = data[0] & 1;
	rxq.gso = (data[0] >> 1) & 1;
	rxq.csum = (data[0] >> 2) & 1;
	rxq.max_len = (data[0] >> 3) & 1 ? XENPV_NETIF_MAX_FRAME :
		XENPV_PAGE_SIZE;
	memset(&rxq.stats, 0, sizeof(rxq.stats));
	xennet_rxq_post_all(&rxq);

	nslots = (uint32_t)(size - 3) / sizeof(netif_rx_response_t);
	if (nslots > ring_size)
		nslots = ring_size;
	split = nslots == 0 ? 0 : data[1] % (nslots + 1);
	extra = data[2] & 0x80 ? data[2] & 0x7f : 0;
	cons = r->rsp_cons;
	FUZZ_XENNET_WRITE_RSPS(r, data + 3, nslots);

	__atomic_store_n(&sring->rsp_prod, cons + split, __ATOMIC_RELEASE);
	bursts(2);
	__atomic_store_n(&sring->rsp_prod, cons + nslots + extra,
			 __ATOMIC_RELEASE);
	bursts(4);

	/* nothing kept: every mbuf is back */
	if (rte_mempool_avail_count(mp) != NB_MBUFS)
		abort();
	return 0;
}
