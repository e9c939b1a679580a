/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * xenrss: RSS on net_xennet through the control ring, net_xenback steering
 * by the guest's Toeplitz hash (issue 14), over xenemu. test/pair/xenops.sh
 * runs one process per side (case rss): 4 queues each, ring order 0.
 *
 * The front (net_xennet) configures RSS with its own key and all four
 * hash types, sets a RETA of its own (reta_update, read back with
 * reta_query and rss_hash_conf_get) and sends a "go" frame. The back
 * (net_xenback, no RSS of its own) then sends FLOWS flows of PER frames
 * each (TCP and UDP over IPv4 and IPv6), the frames of one flow spread
 * over its four ethdev TX queues. For every frame the front computes the
 * Toeplitz hash itself (a bit-at-a-time reference, not the drivers' code),
 * and checks that it came with RTE_MBUF_F_RX_RSS_HASH and that value, on
 * the RX queue its RETA names for that hash, every frame of a flow on one
 * queue, every queue used. Phase 2 changes the key and the hash types
 * (rss_hash_update: addresses only) and the RETA while connected, and
 * checks the same again. Then "done", and both sides stop.
 *
 * Prints "XENOPS OK" on success (xenops.sh looks for it), "FAIL:" and
 * exits 1 otherwise.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "pair_side.h"
#include "tl_rss.h"

#define NQ 4
#define NB_DESC 512
#define FLOWS 48
#define PER 4
#define RETA 128
#define CTL_TYPE PAIR_ETHER_TYPE	/* go / done */
#define KEYLEN 40


/*
 * The reference: Toeplitz one input bit at a time, the 32 key bits from
 * that bit's position read bit by bit (zero past the key).
 */
static uint32_t
ref_toeplitz(const uint8_t *key, const uint8_t *in, unsigned int len)
{
	uint32_t h = 0, w;
	unsigned int i, k, b;

	for (i = 0; i < len * 8; i++) {
		if (!(in[i / 8] & (0x80 >> (i % 8))))
			continue;
		w = 0;
		for (k = 0; k < 32; k++) {
			b = i + k;
			w <<= 1;
			if (b / 8 < KEYLEN && (key[b / 8] & (0x80 >> (b % 8))))
				w |= 1;
		}
		h ^= w;
	}
	return h;
}

/* Flow @f: TCPv4, UDPv4, TCPv6, UDPv6 in turn, addresses and ports from f. */
struct flow {
	bool v6, tcp;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
};

static struct flow
flow_of(unsigned int f)
{
	struct flow fl;
	unsigned int i;

	memset(&fl, 0, sizeof(fl));
	fl.v6 = (f / 2) % 2 == 1;
	fl.tcp = f % 2 == 0;
	for (i = 0; i < 16; i++) {
		fl.src[i] = (uint8_t)(10 + f * 7 + i * 13);
		fl.dst[i] = (uint8_t)(192 + f * 3 + i * 29);
	}
	fl.sport = (uint16_t)(1024 + f * 577);
	fl.dport = (uint16_t)(80 + f * 31);
	return fl;
}

/* netif's hash input of flow @fl with TCP ports if @ports. */
static uint32_t
flow_hash(const uint8_t *key, const struct flow *fl, bool ports)
{
	uint8_t in[TL_RSS_INPUT_MAX];
	unsigned int n = tl_rss_input(in, fl->v6, fl->src, fl->dst,
				      fl->sport, fl->dport);

	return ref_toeplitz(key, in, ports ? n + 4 : n);
}

/* A frame of flow @f, its number and frame index in the payload. */
static struct rte_mbuf *
build(unsigned int f, unsigned int k)
{
	struct flow fl = flow_of(f);
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eh;
	uint8_t *p, *l4;
	unsigned int l3len = fl.v6 ? 40 : 20, l4len = fl.tcp ? 20 : 8;
	unsigned int len = 14 + l3len + l4len + 8;

	if (m == NULL)
		fail("mbuf pool empty");
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	if (p == NULL)
		fail("mbuf too small");
	memset(p, 0, len);
	eh = (struct rte_ether_hdr *)p;
	memset(&eh->dst_addr, 0x02, sizeof(eh->dst_addr));
	memset(&eh->src_addr, 0x04, sizeof(eh->src_addr));
	if (fl.v6) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(p + 14);

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		ip->vtc_flow = rte_cpu_to_be_32(0x60000000);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(l4len + 8));
		ip->proto = fl.tcp ? IPPROTO_TCP : IPPROTO_UDP;
		ip->hop_limits = 64;
		memcpy(ip->src_addr, fl.src, 16);
		memcpy(ip->dst_addr, fl.dst, 16);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + 14);

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + l4len + 8));
		ip->time_to_live = 64;
		ip->next_proto_id = fl.tcp ? IPPROTO_TCP : IPPROTO_UDP;
		memcpy(&ip->src_addr, fl.src, 4);
		memcpy(&ip->dst_addr, fl.dst, 4);
	}
	l4 = p + 14 + l3len;
	l4[0] = (uint8_t)(fl.sport >> 8);
	l4[1] = (uint8_t)fl.sport;
	l4[2] = (uint8_t)(fl.dport >> 8);
	l4[3] = (uint8_t)fl.dport;
	if (fl.tcp)
		l4[12] = 0x50;
	else
		l4[5] = (uint8_t)(l4len + 8);
	p[len - 8] = 0xee;
	p[len - 7] = (uint8_t)f;
	p[len - 6] = (uint8_t)k;
	return m;
}

/* Frame k of each flow f, on TX queue (f + k) % NQ. */
static void
send_flows(void)
{
	unsigned int f, k;

	for (k = 0; k < PER; k++)
		for (f = 0; f < FLOWS; f++)
			pair_send_one((uint16_t)((f + k) % NQ), build(f, k));
}

/*
 * The back: the flows once as soon as its link is up (phase 0: the
 * guest's settings from dev_configure must already steer them), then at
 * each "go", until "done".
 */
static void
run_back(void)
{
	struct rte_mbuf *m[32];
	uint64_t end = ms() + 30000;
	uint16_t q, n, i;
	unsigned int phases = 1;

	send_flows();
	for (;;) {
		if (ms() > end)
			fail("no done from the front within 30 s");
		for (q = 0; q < NQ; q++) {
			n = rte_eth_rx_burst(port, q, m, 32);
			for (i = 0; i < n; i++) {
				uint8_t what = 0, b;
				uint64_t v;

				pair_parse(m[i], CTL_TYPE, &what, &b);
				rte_pktmbuf_free(m[i]);
				if (what == 'd') {
					/* every frame went with a HASH extra */
					v = xstat("tx_hash_packets");
					if (v != (uint64_t)phases * FLOWS * PER)
						fail("tx_hash_packets %" PRIu64 ", want %u",
						     v, phases * FLOWS * PER);
					printf("back: %u phase(s) sent\n",
					       phases);
					return;
				}
				if (what != 'g')
					continue;
				send_flows();
				phases++;
			}
		}
	}
}

/* What the front expects of one phase. */
struct expect {
	const uint8_t *key;
	bool ports;		/* TCP flows hashed with their ports */
	uint16_t reta[RETA];
};

static void
check_phase(const struct expect *e, uint8_t phase)
{
	int flow_q[FLOWS];
	unsigned int got = 0, per_q[NQ] = { 0 }, used = 0, f, k;
	struct rte_mbuf *m[32];
	uint64_t end;
	uint16_t q, n, i;

	for (f = 0; f < FLOWS; f++)
		flow_q[f] = -1;
	/* phase 0 the back sends unasked, as soon as its link is up */
	if (phase > 0)
		pair_send_one(0, pair_frame(NULL, CTL_TYPE, 'g', phase));
	end = ms() + 10000;
	while (got < FLOWS * PER) {
		if (ms() > end)
			fail("phase %u: %u of %u frames within 10 s", phase,
			     got, FLOWS * PER);
		for (q = 0; q < NQ; q++) {
			n = rte_eth_rx_burst(port, q, m, 32);
			for (i = 0; i < n; i++) {
				const uint8_t *p = rte_pktmbuf_mtod(m[i],
							const uint8_t *);
				uint32_t len = m[i]->data_len, want;
				struct flow fl;

				if (len < 22 || p[len - 8] != 0xee)
					fail("phase %u: a frame not ours", phase);
				f = p[len - 7];
				k = p[len - 6];
				if (f >= FLOWS || k >= PER)
					fail("phase %u: bad frame %u/%u", phase,
					     f, k);
				fl = flow_of(f);
				want = flow_hash(e->key, &fl, e->ports && fl.tcp);
				if (!(m[i]->ol_flags & RTE_MBUF_F_RX_RSS_HASH))
					fail("phase %u: flow %u frame %u without RTE_MBUF_F_RX_RSS_HASH",
					     phase, f, k);
				if (m[i]->hash.rss != want)
					fail("phase %u: flow %u (%s%s) hash 0x%08x, the reference says 0x%08x",
					     phase, f, fl.v6 ? "v6" : "v4",
					     fl.tcp ? " tcp" : " udp",
					     m[i]->hash.rss, want);
				if (q != e->reta[want % RETA])
					fail("phase %u: flow %u on RX queue %u, the RETA says %u (hash 0x%08x)",
					     phase, f, q, e->reta[want % RETA],
					     want);
				if (flow_q[f] >= 0 && flow_q[f] != q)
					fail("phase %u: flow %u on queues %d and %u",
					     phase, f, flow_q[f], q);
				if (flow_q[f] < 0)
					used += per_q[q] == 0;
				flow_q[f] = q;
				per_q[q]++;
				got++;
				rte_pktmbuf_free(m[i]);
			}
		}
	}
	printf("stat phase%u_per_queue %u %u %u %u\n", phase, per_q[0],
	       per_q[1], per_q[2], per_q[3]);
	for (q = 0; q < NQ; q++)
		if (per_q[q] == 0 && e->reta[0] != e->reta[1])
			fail("phase %u: no flow on RX queue %u", phase, q);
	(void)used;
}

static void
reta_set(const uint16_t *t)
{
	struct rte_eth_rss_reta_entry64 r[RETA / RTE_ETH_RETA_GROUP_SIZE];
	unsigned int i;
	int rc;

	memset(r, 0, sizeof(r));
	for (i = 0; i < RETA; i++) {
		r[i / 64].mask |= 1ull << (i % 64);
		r[i / 64].reta[i % 64] = t[i];
	}
	rc = rte_eth_dev_rss_reta_update(port, r, RETA);
	if (rc != 0)
		fail("reta_update: %s", strerror(-rc));
	memset(r, 0, sizeof(r));
	for (i = 0; i < RETA; i++)
		r[i / 64].mask |= 1ull << (i % 64);
	rc = rte_eth_dev_rss_reta_query(port, r, RETA);
	if (rc != 0)
		fail("reta_query: %s", strerror(-rc));
	for (i = 0; i < RETA; i++)
		if (r[i / 64].reta[i % 64] != t[i])
			fail("reta_query: entry %u is %u, set %u", i,
			     r[i / 64].reta[i % 64], t[i]);
	/* a table of another size is refused both ways, the table kept */
	if (rte_eth_dev_rss_reta_update(port, r, RETA / 2) != -EINVAL ||
	    rte_eth_dev_rss_reta_query(port, r, RETA / 2) != -EINVAL)
		fail("a RETA of %u entries was not refused", RETA / 2);
}

static void
run_front(void)
{
	static uint8_t key1[KEYLEN], key2[KEYLEN];
	struct rte_eth_rss_conf rc;
	struct rte_eth_dev_info info;
	struct expect e;
	uint8_t got[KEYLEN];
	unsigned int i;
	int r;

	for (i = 0; i < KEYLEN; i++) {
		key1[i] = (uint8_t)(i * 37 + 11);
		key2[i] = (uint8_t)(0xa5 ^ (i * 101));
	}
	if (rte_eth_dev_info_get(port, &info) != 0)
		fail("dev_info");
	if (info.hash_key_size != KEYLEN || info.reta_size != RETA ||
	    (info.flow_type_rss_offloads & (RTE_ETH_RSS_IPV4 |
	     RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_IPV6 |
	     RTE_ETH_RSS_NONFRAG_IPV6_TCP)) == 0)
		fail("dev_info: key %u, reta %u, rss types 0x%" PRIx64,
		     info.hash_key_size, info.reta_size,
		     info.flow_type_rss_offloads);

	/*
	 * phase 0: what the back sent the moment its link came up, steered
	 * by dev_configure's key and types and the default table (entry i
	 * on queue i % NQ): net_xennet queues its settings before it says
	 * Connected, and net_xenback takes them before it does.
	 */
	wait_link_up();
	e.key = key1;
	e.ports = true;
	for (i = 0; i < RETA; i++)
		e.reta[i] = (uint16_t)(i % NQ);
	check_phase(&e, 0);

	/* phase 1: the same key and types, a RETA of ours */
	e.key = key1;
	e.ports = true;
	for (i = 0; i < RETA; i++)
		e.reta[i] = (uint16_t)((i * 5 + 3) % NQ);
	reta_set(e.reta);
	memset(&rc, 0, sizeof(rc));
	rc.rss_key = got;
	rc.rss_key_len = KEYLEN;
	r = rte_eth_dev_rss_hash_conf_get(port, &rc);
	if (r != 0 || memcmp(got, key1, KEYLEN) != 0 ||
	    !(rc.rss_hf & RTE_ETH_RSS_NONFRAG_IPV4_TCP))
		fail("rss_hash_conf_get: %d, key or types not as set", r);
	check_phase(&e, 1);

	/* phase 2: another key, addresses only, another RETA, live */
	memset(&rc, 0, sizeof(rc));
	rc.rss_key = key2;
	rc.rss_key_len = KEYLEN;
	rc.rss_hf = RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_IPV6;
	r = rte_eth_dev_rss_hash_update(port, &rc);
	if (r != 0)
		fail("rss_hash_update: %s", strerror(-r));
	rc.rss_key_len = 39;
	if (rte_eth_dev_rss_hash_update(port, &rc) == 0)
		fail("rss_hash_update took a 39-byte key");
	rc.rss_key_len = KEYLEN;
	e.key = key2;
	e.ports = false;
	for (i = 0; i < RETA; i++)
		e.reta[i] = (uint16_t)(NQ - 1 - i % NQ);
	reta_set(e.reta);
	check_phase(&e, 2);
	pair_send_one(0, pair_frame(NULL, CTL_TYPE, 'd', 0));
}

int
main(int argc, char **argv)
{
	static uint8_t key1[KEYLEN];
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	static const char *const scenarios[] = { "rss", NULL };
	const struct pair_side_cmd cmd = { "xenrss", scenarios, NULL, 8191 };
	unsigned int i;

	pair_side_start(&cmd, argc, argv, &info);

	memset(&conf, 0, sizeof(conf));
	if (!back) {
		for (i = 0; i < KEYLEN; i++)
			key1[i] = (uint8_t)(i * 37 + 11);
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = key1;
		conf.rx_adv_conf.rss_conf.rss_key_len = KEYLEN;
		conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IPV4 |
			RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_IPV6 |
			RTE_ETH_RSS_NONFRAG_IPV6_TCP;
		/* what net_xennet's rx_zero_copy=1 needs (case rss-zc) */
		conf.rxmode.offloads = info.rx_offload_capa &
			RTE_ETH_RX_OFFLOAD_SCATTER;
	}
	return pair_side_run(NQ, NB_DESC, &conf, run_back, run_front);
}
