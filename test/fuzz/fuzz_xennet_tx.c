/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * libFuzzer harness: net_xennet's TX response walk (xennet_tx_burst of
 * drivers/net/xennet/xennet_rxtx.c, compiled in as is) on a ring in memory,
 * as a hostile backend answers it. The input:
 *   byte 0: the ring's kick gap (notify_gap_us, bits 0-1: 0, 5, 50 or
 *           65535 us);
 *   bytes 1, 2: the backend's req_event before the first and the second
 *           burst (FUZZ_XENNET_REQ_EVENT);
 *   byte 3: packets of the first burst (1 to 16);
 *   then per packet 2 bytes: its length (60 to 65000 bytes) and, in the
 *           top bit, TSO (a GSO extra slot after its first);
 *   byte: responses announced beyond those written (the producer overflow
 *         check), if its top bit is set;
 *   then 4 bytes per response slot (id, status), written from rsp_cons.
 * A second burst then reclaims; once a short gap is over, a third burst
 * (the backend asks no kick for it) and the control thread's round send
 * what is owed. Beyond the sanitizers: the id free list and the in-flight
 * marks agree (no id lost or freed twice), every mbuf is back in the pool,
 * and the kicks the backend asked for are sent, owed or failed as
 * fuzz_xennet.h says (the owed-kick path, review D8).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "fuzz_xennet.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NB_MBUFS 64
#define MAX_LEN 65000u

static struct rte_mempool *mp;
static struct xennet_txq txq;
static void *sring_mem;
static struct fuzz_kick fk;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	void *slots;

	(void)argc;
	/* one segment holds any packet: the chain walk is not fuzzed here */
	mp = fuzz_xennet_eal((*argv)[0], NB_MBUFS,
			     MAX_LEN + RTE_PKTMBUF_HEADROOM);
	sring_mem = fuzz_xennet_queue_mem(XENPV_TX_RING_SIZE(0),
					  sizeof(*txq.slots), &slots,
					  &txq.pages);
	txq.slots = slots;
	txq.sg = true;
	txq.caps.csum_v4 = true;
	txq.caps.csum_v6 = true;
	txq.caps.gso_v4 = true;
	txq.caps.gso_v6 = true;
	txq.map.ring = &txq;
	txq.map.lock = NULL;
	xenpv_dp_open(&txq.guard);
	return 0;
}

/* A TCP/IPv4 frame of @len bytes, TSO if asked. */
static struct rte_mbuf *
make_packet(uint32_t len, bool tso)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ipv4_hdr *ip;
	uint8_t *p;

	if (m == NULL)
		abort();
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	if (p == NULL)
		abort();
	memset(p, 0, 54);
	p[12] = 0x08;
	ip = (struct rte_ipv4_hdr *)(p + 14);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - 14));
	ip->next_proto_id = IPPROTO_TCP;
	if (tso) {
		m->l2_len = 14;
		m->l3_len = 20;
		m->l4_len = 20;
		m->tso_segsz = 1448;
		m->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4 |
			RTE_MBUF_F_TX_IP_CKSUM;
	}
	return m;
}

/* One burst of @pkts, its kick checked; frees what it did not take. */
static void
burst(struct rte_mbuf **pkts, uint32_t n)
{
	netif_tx_sring_t *sring = sring_mem;
	uint32_t i;

	fuzz_kick_before(&fk, txq.ring.sring->req_prod);
	i = xennet_tx_burst(&txq, pkts, (uint16_t)n);
	rte_pktmbuf_free_bulk(pkts + i, n - i);
	fuzz_kick_after(&fk, sring->req_prod, sring->req_event);
}

/* Free ids and in-flight marks agree. */
static void
check_ids(void)
{
	uint32_t n = RING_SIZE(&txq.ring), i, free = 0, busy = 0;
	uint16_t id = txq.free_head;
	static uint8_t seen[XENNET_MAX_RING_SLOTS];

	memset(seen, 0, n);
	for (i = 0; i < txq.nr_free; i++) {
		if (id >= n || seen[id] || txq.slots[id].in_flight)
			abort();
		seen[id] = 1;
		free++;
		id = txq.slots[id].next_free;
	}
	for (i = 0; i < n; i++)
		busy += txq.slots[i].in_flight;
	if (free + busy != n)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	netif_tx_sring_t *sring = sring_mem;
	netif_tx_front_ring_t *r = &txq.ring;
	static const unsigned int gaps[] = FUZZ_XENNET_GAPS;
	struct rte_mbuf *pkts[16];
	uint32_t npkts, i, nrsp, extra;
	size_t off = 4;
	RING_IDX cons;
	bool gap_over;

	if (size < 4)
		return 0;
	/* a fresh connection each time */
	FUZZ_XENNET_FRESH_RING(r, sring);
	xennet_txq_init_slots(&txq);
	memset(&txq.stats, 0, sizeof(txq.stats));
	fuzz_kick_arm(&fk, &txq.kick, gaps[data[0] & 3], &txq.stats.kicks,
		      &txq.stats.kicks_held, &txq.stats.kick_errors);

	npkts = 1 + data[3] % 16;
	for (i = 0; i < npkts; i++) {
		uint16_t v = 0;

		if (off + 2 <= size) {
			v = (uint16_t)(data[off] | data[off + 1] << 8);
			off += 2;
		}
		pkts[i] = make_packet(60 + (v & 0x7fff) * 2 % (MAX_LEN - 59),
				      (v & 0x8000) != 0);
	}
	FUZZ_XENNET_REQ_EVENT(sring, data[1]);
	burst(pkts, npkts);
	check_ids();

	/* the backend's answers */
	extra = off < size && (data[off] & 0x80) ? data[off] & 0x7f : 0;
	off++;
	cons = r->rsp_cons;
	nrsp = off < size ? (uint32_t)(size - off) /
		sizeof(netif_tx_response_t) : 0;
	if (nrsp > RING_SIZE(r))
		nrsp = RING_SIZE(r);
	FUZZ_XENNET_WRITE_RSPS(r, data + off, nrsp);
	__atomic_store_n(&sring->rsp_prod, cons + nrsp + extra,
			 __ATOMIC_RELEASE);

	/* the next burst reclaims first */
	FUZZ_XENNET_REQ_EVENT(sring, data[2]);
	pkts[0] = make_packet(60, false);
	burst(pkts, 1);
	check_ids();

	/*
	 * Past a short gap, the next burst sends an owed kick (unless the
	 * ring broke: it reads nothing more), else the control thread does.
	 */
	gap_over = fuzz_kick_wait_gap(&fk);
	FUZZ_XENNET_REQ_EVENT(sring, 0x80);
	pkts[0] = make_packet(60, false);
	burst(pkts, 1);
	check_ids();
	if (gap_over && !xenpv_viol_is_set(&txq.viol) &&
	    __atomic_load_n(&txq.kick.owed, __ATOMIC_RELAXED))
		abort();
	fuzz_kick_ctl_flush(&fk);
	fuzz_kick_end(&fk, gap_over);

	if (rte_mempool_avail_count(mp) != NB_MBUFS)
		abort();
	return 0;
}
