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

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "xennet.h"

/* xennet_ethdev.c's, which the harness does not link */
int xennet_logtype;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NB_MBUFS 2048
#define RING_PAGE 4096

static struct rte_mempool *mp;
static struct xennet_rxq rxq;
static uint8_t *pages;
static void *sring_mem;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal[] = { (*argv)[0], "--no-huge", "-m", "64", "--no-pci",
		"--no-shconf", "-l", "0", "--log-level=lib.eal:error",
		NULL };
	uint32_t n;

	(void)argc;
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		abort();
	mp = rte_pktmbuf_pool_create("fuzz", NB_MBUFS, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (mp == NULL)
		abort();
	n = XENPV_RX_RING_SIZE(0);
	sring_mem = aligned_alloc(RING_PAGE, RING_PAGE);
	pages = aligned_alloc(RING_PAGE, (size_t)n * XENPV_PAGE_SIZE);
	rxq.slots = calloc(n, sizeof(*rxq.slots));
	rxq.pages.refs = calloc(n, sizeof(*rxq.pages.refs));
	if (sring_mem == NULL || pages == NULL || rxq.slots == NULL ||
	    rxq.pages.refs == NULL)
		abort();
	rxq.pages.nr = n;
	rxq.pages.nr_chunks = 1;
	rxq.pages.chunk[0] = pages;
	rxq.mp = mp;
	xenpv_dp_open(&rxq.guard);
	return 0;
}

/* What the application may rely on for each mbuf delivered. */
static void
check_mbuf(const struct rte_mbuf *m)
{
	const struct rte_mbuf *s;
	uint32_t len = 0;
	uint16_t nb = 0;

	for (s = m; s != NULL; s = s->next) {
		len += s->data_len;
		nb++;
	}
	if (len != m->pkt_len || nb != m->nb_segs || len == 0 ||
	    len > rxq.max_len || (nb > 1 && !rxq.scatter))
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
	uint32_t nslots, split, extra, i, ring_size;
	RING_IDX cons;

	if (size < 3)
		return 0;
	/* a fresh connection each time, as xennet_queue_connect makes it */
	memset(sring_mem, 0, RING_PAGE);
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(r, sring, RING_PAGE);
	ring_size = RING_SIZE(r);
	rxq.scatter = data[0] & 1;
	rxq.gso = (data[0] >> 1) & 1;
	rxq.csum = (data[0] >> 2) & 1;
	rxq.max_len = (data[0] >> 3) & 1 ? XENPV_NETIF_MAX_FRAME :
		XENPV_PAGE_SIZE;
	memset(&rxq.stats, 0, sizeof(rxq.stats));
	xennet_rxq_post_all(&rxq);
	/* never ask for a kick: there is no event channel here */
	sring->req_event = 0;

	nslots = (uint32_t)(size - 3) / sizeof(netif_rx_response_t);
	if (nslots > ring_size)
		nslots = ring_size;
	split = nslots == 0 ? 0 : data[1] % (nslots + 1);
	extra = data[2] & 0x80 ? data[2] & 0x7f : 0;
	cons = r->rsp_cons;
	for (i = 0; i < nslots; i++)
		memcpy(RING_GET_RESPONSE(r, cons + i),
		       data + 3 + i * sizeof(netif_rx_response_t),
		       sizeof(netif_rx_response_t));

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
