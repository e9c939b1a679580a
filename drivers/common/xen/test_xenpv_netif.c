/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * Unit test of the netif wire (xenpv_netif.h) that both drivers use, with
 * no peer and no EAL: the extra-info codec (every type, bad types, a MORE
 * chain that never ends, a bad GSO extra), and the offload mappings both
 * ways (each flag of both rings to the neutral checksum state and back,
 * the receiver's mbuf flags, the sender's mbuf requests against what the
 * peer offers). Table-driven: one row per case.
 */

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenpv.h"
#include "xenpv_netif.h"

#include "tl_rss.h"

static int failures;

#define CHECK(cond, what) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: %s: check failed: %s\n",	\
			__FILE__, __LINE__, (what), #cond);		\
		failures++;						\
	}								\
} while (0)

static struct netif_extra_info
extra(uint8_t type, bool more, uint16_t gso_size, uint8_t gso_type)
{
	struct netif_extra_info ex;

	xenpv_netif_extra_init(&ex, type, more);
	if (type == XEN_NETIF_EXTRA_TYPE_GSO) {
		ex.u.gso.size = gso_size;
		ex.u.gso.type = gso_type;
	}
	return ex;
}

/* One chain of extras and what the codec must make of it. */
struct extras_case {
	const char *name;
	unsigned int n;
	struct {
		uint8_t type;
		bool more;
		uint16_t gso_size;
		uint8_t gso_type;
	} slot[6];
	enum xenpv_netif_extra_result last;	/* result of the last slot */
	uint16_t gso_size;
	uint8_t gso_type;
	bool mcast, hash;
};

static const struct extras_case extras_cases[] = {
	{ "gso v4", 1, { { XEN_NETIF_EXTRA_TYPE_GSO, false, 1448,
			   XEN_NETIF_GSO_TYPE_TCPV4 } },
	  XENPV_EXTRA_DONE, 1448, XEN_NETIF_GSO_TYPE_TCPV4, false, false },
	{ "gso v6", 1, { { XEN_NETIF_EXTRA_TYPE_GSO, false, 1428,
			   XEN_NETIF_GSO_TYPE_TCPV6 } },
	  XENPV_EXTRA_DONE, 1428, XEN_NETIF_GSO_TYPE_TCPV6, false, false },
	{ "mcast add", 1, { { XEN_NETIF_EXTRA_TYPE_MCAST_ADD, false, 0, 0 } },
	  XENPV_EXTRA_DONE, 0, 0, true, false },
	{ "mcast del", 1, { { XEN_NETIF_EXTRA_TYPE_MCAST_DEL, false, 0, 0 } },
	  XENPV_EXTRA_DONE, 0, 0, true, false },
	{ "hash", 1, { { XEN_NETIF_EXTRA_TYPE_HASH, false, 0, 0 } },
	  XENPV_EXTRA_DONE, 0, 0, false, true },
	{ "gso then hash", 2,
	  { { XEN_NETIF_EXTRA_TYPE_GSO, true, 536, XEN_NETIF_GSO_TYPE_TCPV4 },
	    { XEN_NETIF_EXTRA_TYPE_HASH, false, 0, 0 } },
	  XENPV_EXTRA_DONE, 536, XEN_NETIF_GSO_TYPE_TCPV4, false, true },
	{ "type none", 1, { { XEN_NETIF_EXTRA_TYPE_NONE, false, 0, 0 } },
	  XENPV_EXTRA_BAD_TYPE, 0, 0, false, false },
	{ "type too big", 1, { { XEN_NETIF_EXTRA_TYPE_MAX, false, 0, 0 } },
	  XENPV_EXTRA_BAD_TYPE, 0, 0, false, false },
	{ "type 255", 1, { { 255, false, 0, 0 } },
	  XENPV_EXTRA_BAD_TYPE, 0, 0, false, false },
	{ "gso size 0", 1, { { XEN_NETIF_EXTRA_TYPE_GSO, false, 0,
			       XEN_NETIF_GSO_TYPE_TCPV4 } },
	  XENPV_EXTRA_BAD_GSO, 0, 0, false, false },
	{ "gso type none", 1, { { XEN_NETIF_EXTRA_TYPE_GSO, false, 1448,
				  XEN_NETIF_GSO_TYPE_NONE } },
	  XENPV_EXTRA_BAD_GSO, 0, 0, false, false },
	{ "gso type 9", 1, { { XEN_NETIF_EXTRA_TYPE_GSO, false, 1448, 9 } },
	  XENPV_EXTRA_BAD_GSO, 0, 0, false, false },
	/* a MORE loop: the fifth slot is one more than there are types */
	{ "more loop", 5,
	  { { XEN_NETIF_EXTRA_TYPE_HASH, true, 0, 0 },
	    { XEN_NETIF_EXTRA_TYPE_HASH, true, 0, 0 },
	    { XEN_NETIF_EXTRA_TYPE_HASH, true, 0, 0 },
	    { XEN_NETIF_EXTRA_TYPE_HASH, true, 0, 0 },
	    { XEN_NETIF_EXTRA_TYPE_HASH, true, 0, 0 } },
	  XENPV_EXTRA_TOO_MANY, 0, 0, false, true },
	/* four is the most: one of each type */
	{ "four", 4,
	  { { XEN_NETIF_EXTRA_TYPE_GSO, true, 1000, XEN_NETIF_GSO_TYPE_TCPV6 },
	    { XEN_NETIF_EXTRA_TYPE_MCAST_ADD, true, 0, 0 },
	    { XEN_NETIF_EXTRA_TYPE_MCAST_DEL, true, 0, 0 },
	    { XEN_NETIF_EXTRA_TYPE_HASH, false, 0, 0 } },
	  XENPV_EXTRA_DONE, 1000, XEN_NETIF_GSO_TYPE_TCPV6, true, true },
};

static void
test_extras(void)
{
	unsigned int c, i;

	for (c = 0; c < RTE_DIM(extras_cases); c++) {
		const struct extras_case *t = &extras_cases[c];
		struct xenpv_netif_extras x;
		enum xenpv_netif_extra_result r = XENPV_EXTRA_MORE;

		xenpv_netif_extras_init(&x);
		for (i = 0; i < t->n; i++) {
			struct netif_extra_info ex = extra(t->slot[i].type,
				t->slot[i].more, t->slot[i].gso_size,
				t->slot[i].gso_type);

			r = xenpv_netif_extra_take(&x, &ex);
			if (i + 1 < t->n)
				CHECK(r == XENPV_EXTRA_MORE, t->name);
		}
		CHECK(r == t->last, t->name);
		if (t->last <= XENPV_EXTRA_MORE) {
			CHECK(x.nr == t->n, t->name);
			CHECK(x.gso_size == t->gso_size, t->name);
			CHECK(x.gso_type == t->gso_type, t->name);
			CHECK(x.mcast == t->mcast, t->name);
			CHECK(x.hash == t->hash, t->name);
		}
		CHECK(strcmp(xenpv_netif_extra_result_str(r), "?") != 0,
		      t->name);
	}

	/* the writer's GSO extra reads back through the codec */
	{
		struct netif_extra_info ex;
		struct xenpv_netif_extras x;

		xenpv_netif_extra_gso(&ex, 1448, XEN_NETIF_GSO_TYPE_TCPV6,
				      false);
		xenpv_netif_extras_init(&x);
		CHECK(xenpv_netif_extra_take(&x, &ex) == XENPV_EXTRA_DONE,
		      "gso write");
		CHECK(x.gso_size == 1448 &&
		      x.gso_type == XEN_NETIF_GSO_TYPE_TCPV6, "gso write");
	}
}

/* Each ring's flag bits to the neutral checksum state and back. */
static void
test_csum_flags(void)
{
	static const struct {
		uint16_t txf, rxf;
		enum xenpv_netif_csum c;
	} rows[] = {
		{ 0, 0, XENPV_CSUM_UNKNOWN },
		{ NETTXF_data_validated, NETRXF_data_validated,
		  XENPV_CSUM_VALID },
		{ NETTXF_csum_blank | NETTXF_data_validated,
		  NETRXF_csum_blank | NETRXF_data_validated,
		  XENPV_CSUM_BLANK },
	};
	unsigned int i;

	const struct xenpv_netif_csum_bits tx = XENPV_NETIF_TX_CSUM;
	const struct xenpv_netif_csum_bits rx = XENPV_NETIF_RX_CSUM;

	for (i = 0; i < RTE_DIM(rows); i++) {
		CHECK(xenpv_netif_csum_from(rows[i].txf, tx) == rows[i].c,
		      "from txf");
		CHECK(xenpv_netif_csum_from(rows[i].rxf, rx) == rows[i].c,
		      "from rxf");
		CHECK(xenpv_netif_csum_to(rows[i].c, tx) == rows[i].txf,
		      "to txf");
		CHECK(xenpv_netif_csum_to(rows[i].c, rx) == rows[i].rxf,
		      "to rxf");
	}
	/* blank alone (as some frontends send it) is still blank */
	CHECK(xenpv_netif_csum_from(NETTXF_csum_blank, tx) == XENPV_CSUM_BLANK,
	      "blank alone");
	CHECK(xenpv_netif_csum_from(NETRXF_csum_blank, rx) == XENPV_CSUM_BLANK,
	      "blank alone");
	/* the other flags of the slot do not count */
	CHECK(xenpv_netif_csum_from(NETTXF_more_data | NETTXF_extra_info, tx) ==
	      XENPV_CSUM_UNKNOWN, "other flags");
	CHECK(xenpv_netif_csum_from(NETRXF_more_data | NETRXF_extra_info, rx) ==
	      XENPV_CSUM_UNKNOWN, "other flags");
}

/* The receiver's mapping: checksum state and GSO size to mbuf flags. */
static void
test_rx_ol_flags(void)
{
	static const struct {
		const char *name;
		enum xenpv_netif_csum csum;
		uint16_t gso_size;
		uint64_t ol;
	} rows[] = {
		{ "rx none", XENPV_CSUM_UNKNOWN, 0, 0 },
		{ "rx valid", XENPV_CSUM_VALID, 0, RTE_MBUF_F_RX_L4_CKSUM_GOOD },
		{ "rx blank", XENPV_CSUM_BLANK, 0, RTE_MBUF_F_RX_L4_CKSUM_NONE },
		{ "rx gso", XENPV_CSUM_BLANK, 1448,
		  RTE_MBUF_F_RX_L4_CKSUM_NONE | RTE_MBUF_F_RX_LRO },
		{ "rx gso, valid", XENPV_CSUM_VALID, 536,
		  RTE_MBUF_F_RX_L4_CKSUM_GOOD | RTE_MBUF_F_RX_LRO },
	};
	struct rte_mbuf m;
	unsigned int i;

	for (i = 0; i < RTE_DIM(rows); i++) {
		memset(&m, 0, sizeof(m));
		CHECK(xenpv_netif_rx_ol_flags(&m, rows[i].csum,
					      rows[i].gso_size) == rows[i].ol,
		      rows[i].name);
		/* the segment size an LRO packet carries */
		CHECK(m.tso_segsz == rows[i].gso_size, rows[i].name);
	}
}

/* One mbuf request, what the peer offers, and the mapping expected. */
struct tx_case {
	const char *name;
	uint64_t ol;
	uint16_t tso_segsz;
	struct xenpv_netif_ol_caps caps;
	enum xenpv_netif_ol_verdict verdict;
	enum xenpv_netif_csum csum;
	uint8_t gso_type;
};

#define ALL_CAPS { true, true, true, true }
#define NO_CAPS { false, false, false, false }

static const struct tx_case tx_cases[] = {
	{ "plain", 0, 0, NO_CAPS, XENPV_OL_OK, XENPV_CSUM_UNKNOWN,
	  XEN_NETIF_GSO_TYPE_NONE },
	{ "tcp v4", RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM, 0, ALL_CAPS,
	  XENPV_OL_OK, XENPV_CSUM_BLANK, XEN_NETIF_GSO_TYPE_NONE },
	{ "udp v6", RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM, 0, ALL_CAPS,
	  XENPV_OL_OK, XENPV_CSUM_BLANK, XEN_NETIF_GSO_TYPE_NONE },
	{ "udp v6, no v6 csum", RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM, 0,
	  { true, false, true, true }, XENPV_OL_NOT_OFFERED,
	  XENPV_CSUM_UNKNOWN, XEN_NETIF_GSO_TYPE_NONE },
	{ "tcp v4, no csum", RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM, 0,
	  NO_CAPS, XENPV_OL_NOT_OFFERED, XENPV_CSUM_UNKNOWN,
	  XEN_NETIF_GSO_TYPE_NONE },
	{ "sctp", RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_SCTP_CKSUM, 0, ALL_CAPS,
	  XENPV_OL_NOT_OFFERED, XENPV_CSUM_UNKNOWN, XEN_NETIF_GSO_TYPE_NONE },
	{ "tso v4", RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_SEG |
	  RTE_MBUF_F_TX_TCP_CKSUM, 1448, ALL_CAPS, XENPV_OL_OK,
	  XENPV_CSUM_BLANK, XEN_NETIF_GSO_TYPE_TCPV4 },
	{ "tso v6", RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_TCP_SEG, 1428, ALL_CAPS,
	  XENPV_OL_OK, XENPV_CSUM_BLANK, XEN_NETIF_GSO_TYPE_TCPV6 },
	{ "tso v6, v4 only", RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_TCP_SEG, 1428,
	  { true, true, true, false }, XENPV_OL_NOT_OFFERED,
	  XENPV_CSUM_UNKNOWN, XEN_NETIF_GSO_TYPE_NONE },
	{ "tso, mss 0", RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_SEG, 0,
	  ALL_CAPS, XENPV_OL_BAD_MBUF, XENPV_CSUM_UNKNOWN,
	  XEN_NETIF_GSO_TYPE_NONE },
	/* the IPv4 header checksum alone is not netif's */
	{ "ip csum", RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM, 0, NO_CAPS,
	  XENPV_OL_OK, XENPV_CSUM_UNKNOWN, XEN_NETIF_GSO_TYPE_NONE },
};

static void
test_tx_offload(void)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(tx_cases); i++) {
		const struct tx_case *t = &tx_cases[i];
		struct xenpv_netif_tx_ol o;
		struct rte_mbuf m;

		memset(&m, 0, sizeof(m));
		m.ol_flags = t->ol;
		m.tso_segsz = t->tso_segsz;
		CHECK(xenpv_netif_tx_offload(&m, &t->caps, &o) == t->verdict,
		      t->name);
		if (t->verdict != XENPV_OL_OK)
			continue;
		CHECK(o.csum == t->csum, t->name);
		CHECK(o.gso_type == t->gso_type, t->name);
		CHECK(o.gso_size == (t->gso_type != XEN_NETIF_GSO_TYPE_NONE ?
				     t->tso_segsz : 0), t->name);
	}
}

/* The toolstack's rate key: "<bytes>,<usec>", nothing else. */
static void
test_rate(void)
{
	static const struct {
		const char *s;
		int rc;
		uint64_t bytes, usec;
	} rows[] = {
		{ "1000000,20000", 0, 1000000, 20000 },
		{ "0,1", 0, 0, 1 },
		{ "18446744073709551,1", 0, 18446744073709551ull, 1 },
		{ "1,0", -EINVAL, 0, 0 },
		{ "1000000", -EINVAL, 0, 0 },
		{ "1000000,", -EINVAL, 0, 0 },
		{ ",20000", -EINVAL, 0, 0 },
		{ "1000000,20000,", -EINVAL, 0, 0 },
		{ " 1000000,20000", -EINVAL, 0, 0 },
		{ "-1,20000", -EINVAL, 0, 0 },
		{ "1e6,20000", -EINVAL, 0, 0 },
		{ "99999999999999999999,1", -EINVAL, 0, 0 },
		{ "", -EINVAL, 0, 0 },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(rows); i++) {
		uint64_t b = 7, u = 7;
		int rc = xenpv_netif_parse_rate(rows[i].s, &b, &u);

		CHECK(rc == rows[i].rc, rows[i].s);
		if (rc == 0)
			CHECK(b == rows[i].bytes && u == rows[i].usec,
			      rows[i].s);
	}
	CHECK(xenpv_netif_parse_rate(NULL, NULL, NULL) == -EINVAL, "NULL");
}

/*
 * Toeplitz against the RSS verification vectors Microsoft publishes
 * ("Verifying the RSS Hash Calculation"): its 40-octet key, five IPv4 and
 * three IPv6 flows, each hashed over the addresses alone and with the TCP
 * ports. Each flow is hashed twice: over netif's input octets directly,
 * and through xenpv_netif_hash_input from a frame carrying it.
 */
static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

struct rss_vector {
	bool v6;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint32_t ip, ip_tcp;	/* expected: addresses; addresses + ports */
};

static const struct rss_vector rss_vectors[] = {
	{ false, { 66, 9, 149, 187 }, { 161, 142, 100, 80 }, 2794, 1766,
	  0x323e8fc2, 0x51ccc178 },
	{ false, { 199, 92, 111, 2 }, { 65, 69, 140, 83 }, 14230, 4739,
	  0xd718262a, 0xc626b0ea },
	{ false, { 24, 19, 198, 95 }, { 12, 22, 207, 184 }, 12898, 38024,
	  0xd2d0a5de, 0x5c2b394a },
	{ false, { 38, 27, 205, 30 }, { 209, 142, 163, 6 }, 48228, 2217,
	  0x82989176, 0xafc7327f },
	{ false, { 153, 39, 163, 191 }, { 202, 188, 127, 2 }, 44251, 1303,
	  0x5d1809c5, 0x10e828a2 },
	/* 3ffe:2501:200:1fff::7 -> 3ffe:2501:200:3::1 */
	{ true, { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff,
		  0, 0, 0, 0, 0, 0, 0, 0x07 },
	  { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03,
	    0, 0, 0, 0, 0, 0, 0, 0x01 }, 2794, 1766,
	  0x2cc18cd5, 0x40207d3d },
	/* 3ffe:501:8::260:97ff:fe40:efab -> ff02::1 */
	{ true, { 0x3f, 0xfe, 0x05, 0x01, 0x00, 0x08, 0x00, 0x00,
		  0x02, 0x60, 0x97, 0xff, 0xfe, 0x40, 0xef, 0xab },
	  { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 },
	  14230, 4739, 0x0f0c461c, 0xdde51bbf },
	/* 3ffe:1900:4545:3:200:f8ff:fe21:67cf -> fe80::200:f8ff:fe21:67cf */
	{ true, { 0x3f, 0xfe, 0x19, 0x00, 0x45, 0x45, 0x00, 0x03,
		  0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67, 0xcf },
	  { 0xfe, 0x80, 0, 0, 0, 0, 0, 0,
	    0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67, 0xcf }, 44251, 38024,
	  0x4b61e985, 0x02d1feef },
};

/* A frame of vector @v (TCP if @tcp, else UDP; @vlan: one 802.1Q tag). */
static unsigned int
rss_frame(uint8_t *f, const struct rss_vector *v, bool tcp, bool vlan,
	  uint16_t frag)
{
	unsigned int al = v->v6 ? 16 : 4, o = 12, ip;

	memset(f, 0, 128);
	if (vlan) {
		f[o++] = 0x81;
		f[o++] = 0x00;
		f[o++] = 0;
		f[o++] = 5;
	}
	f[o++] = v->v6 ? 0x86 : 0x08;
	f[o++] = v->v6 ? 0xdd : 0x00;
	ip = o;
	if (v->v6) {
		f[ip] = 0x60;
		f[ip + 6] = tcp ? IPPROTO_TCP : IPPROTO_UDP;
		o = ip + 8;
	} else {
		f[ip] = 0x45;
		f[ip + 6] = (uint8_t)(frag >> 8);
		f[ip + 7] = (uint8_t)frag;
		f[ip + 9] = tcp ? IPPROTO_TCP : IPPROTO_UDP;
		o = ip + 12;
	}
	memcpy(f + o, v->src, al);
	memcpy(f + o + al, v->dst, al);
	o = ip + (v->v6 ? 40 : 20);
	f[o] = (uint8_t)(v->sport >> 8);
	f[o + 1] = (uint8_t)v->sport;
	f[o + 2] = (uint8_t)(v->dport >> 8);
	f[o + 3] = (uint8_t)v->dport;
	return o + 20;
}

static void
test_toeplitz(void)
{
	uint8_t frame[128], in[XENPV_NETIF_HASH_INPUT_MAX], got[36];
	unsigned int i, pair, n, len;
	struct rte_mbuf m;
	uint8_t htype;

	for (i = 0; i < RTE_DIM(rss_vectors); i++) {
		const struct rss_vector *v = &rss_vectors[i];
		uint32_t all = XENPV_NETIF_HASH_TYPES_ALL;
		uint32_t l3 = v->v6 ? XEN_NETIF_CTRL_HASH_TYPE_IPV6 :
			XEN_NETIF_CTRL_HASH_TYPE_IPV4;
		uint32_t l4 = v->v6 ? XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP :
			XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP;
		char what[48];

		snprintf(what, sizeof(what), "rss vector %u", i);
		pair = tl_rss_input(in, v->v6, v->src, v->dst, v->sport,
				    v->dport);
		CHECK(xenpv_toeplitz(ms_key, 40, in, pair) == v->ip, what);
		CHECK(xenpv_toeplitz(ms_key, 40, in, pair + 4) == v->ip_tcp,
		      what);

		/* from a frame: TCP with every type, then each type alone */
		n = rss_frame(frame, v, true, i % 2 == 1, 0);
		memset(&m, 0, sizeof(m));
		m.buf_addr = frame;
		m.data_off = 0;
		m.data_len = (uint16_t)n;
		m.pkt_len = n;
		m.nb_segs = 1;
		CHECK(xenpv_netif_hash_input(&m, all, got, &len, &htype), what);
		CHECK(len == pair + 4 && memcmp(got, in, len) == 0, what);
		CHECK(htype == (v->v6 ? _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP :
				_XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP), what);
		CHECK(xenpv_toeplitz(ms_key, 40, got, len) == v->ip_tcp, what);
		CHECK(xenpv_netif_hash_input(&m, l3, got, &len, &htype), what);
		CHECK(xenpv_toeplitz(ms_key, 40, got, len) == v->ip, what);
		CHECK(!xenpv_netif_hash_input(&m, v->v6 ?
			XEN_NETIF_CTRL_HASH_TYPE_IPV4 |
			XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP :
			XEN_NETIF_CTRL_HASH_TYPE_IPV6 |
			XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP, got, &len, &htype),
		      what);
		CHECK(xenpv_netif_hash_input(&m, l4 | l3, got, &len, &htype) &&
		      len == pair + 4, what);
		/* UDP: the TCP type does not apply, the address pair does */
		n = rss_frame(frame, v, false, false, 0);
		m.data_len = (uint16_t)n;
		m.pkt_len = n;
		CHECK(!xenpv_netif_hash_input(&m, l4, got, &len, &htype), what);
		CHECK(xenpv_netif_hash_input(&m, all, got, &len, &htype) &&
		      len == pair && htype == (v->v6 ?
		      _XEN_NETIF_CTRL_HASH_TYPE_IPV6 :
		      _XEN_NETIF_CTRL_HASH_TYPE_IPV4), what);
		CHECK(xenpv_toeplitz(ms_key, 40, got, len) == v->ip, what);
		/* an IPv4 fragment has no ports to hash */
		if (!v->v6) {
			n = rss_frame(frame, v, true, false, 0x2000);
			CHECK(xenpv_netif_hash_input(&m, all, got, &len,
						     &htype) && len == 8, what);
		}
		/* truncated: no header, no hash */
		m.data_len = 20;
		m.pkt_len = 20;
		CHECK(!xenpv_netif_hash_input(&m, all, got, &len, &htype), what);
	}
	/* a key of zero length hashes to 0; a short key reads zero-padded */
	CHECK(xenpv_toeplitz(ms_key, 0, in, 12) == 0, "empty key");
	{
		uint8_t k8[40] = { 0 };

		memcpy(k8, ms_key, 8);
		CHECK(xenpv_toeplitz(ms_key, 8, in, 12) ==
		      xenpv_toeplitz(k8, 40, in, 12), "short key");
	}
	/* a multicast extra's address is kept, per operation */
	{
		struct netif_extra_info ex[2];
		struct xenpv_netif_extras x;
		static const uint8_t a1[6] = { 1, 0, 0x5e, 0, 0, 1 };
		static const uint8_t a2[6] = { 0x33, 0x33, 0, 0, 0, 2 };

		xenpv_netif_extra_init(&ex[0], XEN_NETIF_EXTRA_TYPE_MCAST_DEL,
				       true);
		memcpy(ex[0].u.mcast.addr, a1, 6);
		xenpv_netif_extra_init(&ex[1], XEN_NETIF_EXTRA_TYPE_MCAST_ADD,
				       false);
		memcpy(ex[1].u.mcast.addr, a2, 6);
		xenpv_netif_extras_init(&x);
		CHECK(xenpv_netif_extra_take(&x, &ex[0]) == XENPV_EXTRA_MORE &&
		      xenpv_netif_extra_take(&x, &ex[1]) == XENPV_EXTRA_DONE,
		      "mcast extras");
		CHECK(x.mcast && x.mcast_del && x.mcast_add &&
		      memcmp(x.del_addr, a1, 6) == 0 &&
		      memcmp(x.add_addr, a2, 6) == 0, "mcast addresses");
	}
	/* the HASH extra round-trips through the codec */
	{
		struct netif_extra_info ex;
		struct xenpv_netif_extras x;

		xenpv_netif_extra_hash(&ex, 0x51ccc178,
				       _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP, false);
		xenpv_netif_extras_init(&x);
		CHECK(xenpv_netif_extra_take(&x, &ex) == XENPV_EXTRA_DONE,
		      "hash extra");
		CHECK(x.hash && x.hash_value == 0x51ccc178 &&
		      x.hash_type == _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP &&
		      x.hash_alg == XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ,
		      "hash extra");
		CHECK(ex.u.hash.value[0] == 0x78 && ex.u.hash.value[3] == 0x51,
		      "hash extra little-endian");
	}
}

/* Every violation has its own text; a code past the list reads "unknown". */
static void
test_violations(void)
{
	uint32_t i, j;

	CHECK(strcmp(xenpv_violation_name(XENPV_VIOL_NONE), "none") == 0,
	      "violation none");
	for (i = 1; i < XENPV_VIOL_MAX; i++) {
		const char *n = xenpv_violation_name(i);

		CHECK(n != NULL && n[0] != '\0' && strcmp(n, "unknown") != 0,
		      "violation named");
		for (j = 1; j < i && n != NULL; j++)
			CHECK(strcmp(n, xenpv_violation_name(j)) != 0,
			      "violation names distinct");
	}
	CHECK(strcmp(xenpv_violation_name(XENPV_VIOL_MAX), "unknown") == 0,
	      "violation past the list");
	CHECK(strcmp(xenpv_violation_name(UINT32_MAX), "unknown") == 0,
	      "violation far past the list");
}

/* The per-queue directory and the ring-reference keys, by queue count and order. */
static void
test_names(void)
{
	static const struct {
		bool dir;		/* queue dir, else ring ref key */
		const char *base;
		unsigned int n;		/* queues; or indexed (0/1) */
		unsigned int i;
		size_t len;
		int rc;
		const char *want;
	} cases[] = {
		{ true, "device/vif/0", 1, 0, 64, 0, "device/vif/0" },
		{ true, "device/vif/0", 4, 0, 64, 0, "device/vif/0/queue-0" },
		{ true, "device/vif/0", 16, 15, 64, 0, "device/vif/0/queue-15" },
		{ true, "device/vif/0", 2, 1, 21, 0, "device/vif/0/queue-1" },
		{ true, "device/vif/0", 2, 1, 20, -ENAMETOOLONG, NULL },
		{ true, "device/vif/0", 1, 0, 12, -ENAMETOOLONG, NULL },
		{ false, XENPV_NETIF_TX_RING_REF, 0, 0, 32, 0, "tx-ring-ref" },
		{ false, XENPV_NETIF_RX_RING_REF, 0, 0, 32, 0, "rx-ring-ref" },
		{ false, XENPV_NETIF_TX_RING_REF, 1, 0, 32, 0, "tx-ring-ref0" },
		{ false, XENPV_NETIF_RX_RING_REF, 1, 7, 32, 0, "rx-ring-ref7" },
		{ false, XENPV_NETIF_RX_RING_REF, 1, 7, 12, -ENAMETOOLONG, NULL },
	};
	unsigned int i;
	char buf[64];
	int rc;

	for (i = 0; i < RTE_DIM(cases); i++) {
		if (cases[i].dir)
			rc = xenpv_netif_queue_dir(buf, cases[i].len,
						   cases[i].base, cases[i].n,
						   cases[i].i);
		else
			rc = xenpv_netif_ring_ref_key(buf, cases[i].len,
						      cases[i].base,
						      cases[i].n != 0,
						      cases[i].i);
		CHECK(rc == cases[i].rc, "name: result");
		if (rc == 0 && cases[i].want != NULL)
			CHECK(strcmp(buf, cases[i].want) == 0, "name: text");
	}
}

int
main(void)
{
	test_names();
	test_rate();
	test_extras();
	test_csum_flags();
	test_rx_ol_flags();
	test_tx_offload();
	test_violations();
	test_toeplitz();
	if (failures != 0) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("xenpv_netif: key names, extras codec, offload mappings, violations and Toeplitz OK\n");
	return 0;
}
