/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * Test frames: Ethernet / IPv4 / UDP / struct xt_hdr / payload.
 *
 * Building is cheap on purpose (a header template copy, one pattern copy and
 * a 16-byte crc), so the generator is not the bottleneck of what it measures.
 * Checking is strict: the mbuf chain must be consistent, every length field
 * must match the frame, and the crc32c covers the test header and every
 * payload byte, wherever the receiving PMD split the frame into segments.
 */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

#include "xt.h"

#define XT_IP_OFF	RTE_ETHER_HDR_LEN
#define XT_UDP_OFF	(RTE_ETHER_HDR_LEN + 20)
#define XT_CRC_HDR_LEN	16	/* magic, stream, len, seq */

/* UDP source port of stream s is XT_UDP_SPORT_BASE + s: RSS spreads streams. */
#define XT_UDP_SPORT_BASE	49152

/* Pattern bytes; frame payloads are slices of it (see XT_PATTERN_SPAN). */
static uint8_t xt_pattern[XT_MAX_FRAME + XT_PATTERN_SPAN];

static inline uint32_t
xt_pattern_off(uint16_t stream, uint64_t seq)
{
	uint64_t h = (seq + ((uint64_t)stream << 40)) * UINT64_C(0x9e3779b97f4a7c15);

	/* Top 10 bits of a multiplicative hash: 0 .. XT_PATTERN_SPAN - 1. */
	return (uint32_t)(h >> 54);
}

uint32_t
xt_crc32c(const void *data, uint32_t len, uint32_t crc)
{
	const uint8_t *p = data;

	/* memcpy loads: test payloads start at odd offsets. */
	while (len >= 8) {
		uint64_t v;

		memcpy(&v, p, sizeof(v));
#ifdef __SSE4_2__
		crc = (uint32_t)_mm_crc32_u64(crc, v);
#else
		crc = rte_hash_crc_8byte(v, crc);
#endif
		p += 8;
		len -= 8;
	}
	while (len > 0) {
#ifdef __SSE4_2__
		crc = _mm_crc32_u8(crc, *p);
#else
		crc = rte_hash_crc_1byte(*p, crc);
#endif
		p++;
		len--;
	}
	return crc;
}

void
xt_frame_init(void)
{
	uint64_t x = UINT64_C(0x2545f4914f6cdd1d);
	size_t i;

	RTE_BUILD_BUG_ON(sizeof(struct xt_hdr) != XT_HDR_LEN);
	RTE_BUILD_BUG_ON(sizeof(struct rte_ipv4_hdr) != 20);
	RTE_BUILD_BUG_ON(sizeof(struct rte_udp_hdr) != 8);
	RTE_BUILD_BUG_ON(XT_PATTERN_SPAN != 1u << 10);

	/* xorshift64*: fixed seed, so every run sends the same bytes. */
	for (i = 0; i < sizeof(xt_pattern); i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		xt_pattern[i] = (uint8_t)((x * UINT64_C(0x2545f4914f6cdd1d)) >> 56);
	}
}

void
xt_size_init(struct xt_size *sz, uint16_t size)
{
	uint32_t plen = size - XT_MIN_FRAME;
	uint32_t off;

	sz->size = size;
	for (off = 0; off < XT_PATTERN_SPAN; off++)
		sz->pcrc[off] = xt_crc32c(xt_pattern + off, plen, XT_CRC_SEED);
}

void
xt_tmpl_init(struct xt_tmpl *t, const struct xt_size *sz,
	     const struct xt_config *cfg, const struct rte_ether_addr *src_mac,
	     uint16_t stream)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)t->hdr;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(t->hdr + XT_IP_OFF);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(t->hdr + XT_UDP_OFF);
	struct xt_hdr *h = (struct xt_hdr *)(t->hdr + XT_L2L3L4_LEN);
	uint16_t size = sz->size;

	memset(t->hdr, 0, sizeof(t->hdr));
	t->sz = sz;
	t->stream = stream;

	if (cfg->dst_mac_set)
		rte_ether_addr_copy(&cfg->dst_mac, &eth->dst_addr);
	else
		memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	rte_ether_addr_copy(src_mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);

	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(size - RTE_ETHER_HDR_LEN);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = cfg->src_ip;
	ip->dst_addr = cfg->dst_ip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);

	/* UDP checksum 0: "not computed", which IPv4 receivers accept. */
	udp->src_port = rte_cpu_to_be_16(XT_UDP_SPORT_BASE + stream);
	udp->dst_port = rte_cpu_to_be_16(cfg->udp_port);
	udp->dgram_len = rte_cpu_to_be_16(size - XT_UDP_OFF);

	h->magic = rte_cpu_to_be_32(XT_MAGIC);
	h->stream = rte_cpu_to_be_16(stream);
	h->len = rte_cpu_to_be_16(size);
}

uint16_t
xt_frame_nb_segs(uint16_t size, uint16_t seg_room)
{
	/* The headers stay in the first segment (seg_room >= XT_MIN_FRAME). */
	return (uint16_t)((size + seg_room - 1) / seg_room);
}

struct rte_mbuf *
xt_frame_write(struct rte_mbuf **segs, uint16_t seg_room,
	       const struct xt_tmpl *t, uint64_t seq)
{
	struct rte_mbuf *m = segs[0];
	struct rte_mbuf *prev = m;
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	struct xt_hdr *h = (struct xt_hdr *)(d + XT_L2L3L4_LEN);
	uint32_t off = xt_pattern_off(t->stream, seq);
	const uint8_t *src = xt_pattern + off;
	uint32_t left = t->sz->size - XT_MIN_FRAME;
	uint32_t n;
	uint16_t i = 1;

	memcpy(d, t->hdr, XT_MIN_FRAME);
	h->seq = rte_cpu_to_be_64(seq);
	h->csum = rte_cpu_to_be_32(xt_crc32c(h, XT_CRC_HDR_LEN, XT_CRC_SEED) ^
				   t->sz->pcrc[off]);

	n = RTE_MIN(left, (uint32_t)(seg_room - XT_MIN_FRAME));
	memcpy(d + XT_MIN_FRAME, src, n);
	m->data_len = (uint16_t)(XT_MIN_FRAME + n);
	src += n;
	left -= n;
	while (left > 0) {
		struct rte_mbuf *s = segs[i++];

		n = RTE_MIN(left, (uint32_t)seg_room);
		memcpy(rte_pktmbuf_mtod(s, uint8_t *), src, n);
		s->data_len = (uint16_t)n;
		prev->next = s;
		prev = s;
		src += n;
		left -= n;
	}
	prev->next = NULL;
	m->nb_segs = i;
	m->pkt_len = t->sz->size;
	return m;
}

void
xt_frame_corrupt(struct rte_mbuf *m)
{
	struct rte_mbuf *last = rte_pktmbuf_lastseg(m);
	uint8_t *b = rte_pktmbuf_mtod_offset(last, uint8_t *, last->data_len - 1);

	/* The last byte: payload, or the checksum itself for minimum frames. */
	*b ^= 0xff;
}

/* Check the chain is what pkt_len and nb_segs claim, before reading it. */
static bool
xt_chain_ok(const struct rte_mbuf *m)
{
	const struct rte_mbuf *s;
	uint32_t len = 0;
	uint32_t segs = 0;

	for (s = m; s != NULL && segs <= m->nb_segs; s = s->next) {
		len += s->data_len;
		segs++;
	}
	return s == NULL && segs == m->nb_segs && len == m->pkt_len;
}

/* crc32c of the frame bytes from off to the end, across segments. */
static uint32_t
xt_crc_from(const struct rte_mbuf *m, uint32_t off, uint32_t crc)
{
	const struct rte_mbuf *s = m;

	while (s != NULL && off >= s->data_len) {
		off -= s->data_len;
		s = s->next;
	}
	for (; s != NULL; s = s->next) {
		crc = xt_crc32c(rte_pktmbuf_mtod_offset(s, const uint8_t *, off),
				s->data_len - off, crc);
		off = 0;
	}
	return crc;
}

enum xt_verdict
xt_frame_check(const struct rte_mbuf *m, uint16_t udp_port,
	       struct xt_rx_frame *f)
{
	uint8_t buf[XT_MIN_FRAME];
	const uint8_t *p;
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;
	const struct xt_hdr *h;
	uint32_t len = m->pkt_len;
	uint32_t crc;

	/* A chain that contradicts its own lengths is a receive-path bug. */
	if (!xt_chain_ok(m))
		return XT_FRAME_BAD_LEN;
	if (len < XT_L2L3L4_LEN)
		return XT_FRAME_OTHER;
	p = rte_pktmbuf_read(m, 0, RTE_MIN(len, (uint32_t)XT_MIN_FRAME), buf);
	if (p == NULL)
		return XT_FRAME_BAD_LEN;
	eth = (const struct rte_ether_hdr *)p;
	ip = (const struct rte_ipv4_hdr *)(p + XT_IP_OFF);
	udp = (const struct rte_udp_hdr *)(p + XT_UDP_OFF);
	h = (const struct xt_hdr *)(p + XT_L2L3L4_LEN);

	/*
	 * Test frames are IPv4 (no options) UDP to our port, or from it once a
	 * forwarder swapped the ports back (testpmd's 5tswap); others are not
	 * ours.
	 */
	if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    ip->version_ihl != RTE_IPV4_VHL_DEF ||
	    ip->next_proto_id != IPPROTO_UDP ||
	    (udp->dst_port != rte_cpu_to_be_16(udp_port) &&
	     udp->src_port != rte_cpu_to_be_16(udp_port)))
		return XT_FRAME_OTHER;

	if (rte_ipv4_cksum(ip) != 0)
		return XT_FRAME_BAD_CSUM;
	if (len < XT_MIN_FRAME ||
	    rte_be_to_cpu_16(ip->total_length) != len - RTE_ETHER_HDR_LEN ||
	    rte_be_to_cpu_16(udp->dgram_len) != len - XT_UDP_OFF ||
	    rte_be_to_cpu_16(h->len) != len)
		return XT_FRAME_BAD_LEN;
	if (h->magic != rte_cpu_to_be_32(XT_MAGIC))
		return XT_FRAME_BAD_MAGIC;

	crc = xt_crc32c(h, XT_CRC_HDR_LEN, XT_CRC_SEED) ^
	      xt_crc_from(m, XT_MIN_FRAME, XT_CRC_SEED);
	if (crc != rte_be_to_cpu_32(h->csum))
		return XT_FRAME_BAD_CSUM;

	f->stream = rte_be_to_cpu_16(h->stream);
	f->seq = rte_be_to_cpu_64(h->seq);
	if (f->stream >= XT_MAX_STREAMS)
		return XT_FRAME_BAD_STREAM;
	return XT_FRAME_OK;
}
