/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * tl_frame: build, parse and compare the test peers' frames, and the
 * Internet checksum arithmetic they need.
 */

#include <string.h>

#include "tl_frame.h"

#define ETH_LEN		14
#define IP4_LEN		20
#define IP6_LEN		40
#define TCP_LEN		20
#define UDP_LEN		8
#define PROTO_TCP	6
#define PROTO_UDP	17
#define SPORT_BASE	1000	/* + queue: each queue its own flow */
#define DPORT		2000

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* One's complement sum of big-endian 16-bit words, not yet folded. */
static uint32_t
csum_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The pseudo-header sum of an IP frame whose L3 header starts at @l3. */
static uint32_t
pseudo_sum(const uint8_t *l3, bool v6, uint8_t proto, uint32_t l4len)
{
	uint32_t sum = v6 ? csum_add(0, l3 + 8, 32) : csum_add(0, l3 + 12, 8);

	return sum + proto + l4len;
}

/* Pattern byte at offset @i of frame @seq on queue @q. */
static uint8_t
pat(uint32_t seq, unsigned int q, uint32_t i)
{
	return (uint8_t)(seq * 7u + q * 31u + i * 13u + (i >> 8));
}

uint32_t
tl_frame_build(uint8_t *f, const struct tl_frame *fr)
{
	uint32_t len = fr->len, l3 = ETH_LEN, l4, hl, plen, i, csoff = 0;
	bool v6 = fr->l3 == TL_L3_IPV6;
	uint8_t proto = fr->tcp ? PROTO_TCP : PROTO_UDP;
	uint8_t hdr[TL_HDR_LEN];

	memcpy(f, fr->dst, 6);
	memcpy(f + 6, fr->src, 6);
	if (fr->l3 == TL_L3_RAW) {
		put16(f + 12, TL_ETHERTYPE_TEST);
		l4 = hl = 0;
		i = ETH_LEN;
	} else {
		hl = fr->tcp ? TCP_LEN : UDP_LEN;
		l4 = l3 + (v6 ? IP6_LEN : IP4_LEN);
		i = l4 + hl;
	}
	/* the payload: test header (if it fits) over the pattern */
	for (; i < len; i++)
		f[i] = pat(fr->seq, fr->queue, i);
	i = l4 + hl > 0 ? l4 + hl : ETH_LEN;
	if (i + TL_HDR_LEN <= len) {
		put32(hdr, TL_FRAME_MAGIC);
		put32(hdr + 4, fr->seq);
		put16(hdr + 8, (uint16_t)len);
		hdr[10] = fr->queue;
		hdr[11] = fr->kind;
		memcpy(f + i, hdr, sizeof(hdr));
	}
	if (fr->l3 == TL_L3_RAW)
		return 0;

	if (!v6) {
		put16(f + 12, 0x0800);
		memset(f + l3, 0, IP4_LEN);
		f[l3] = 0x45;
		put16(f + l3 + 2, (uint16_t)(len - l3));
		put16(f + l3 + 4, (uint16_t)fr->seq);
		f[l3 + 8] = 64;
		f[l3 + 9] = proto;
		put32(f + l3 + 12, 0x0a000001);	/* 10.0.0.1 -> 10.0.0.2 */
		put32(f + l3 + 16, 0x0a000002);
		put16(f + l3 + 10,
		      (uint16_t)~csum_fold(csum_add(0, f + l3, IP4_LEN)));
	} else {
		put16(f + 12, 0x86dd);
		memset(f + l3, 0, IP6_LEN);
		f[l3] = 0x60;
		put16(f + l3 + 4, (uint16_t)(len - l4));
		f[l3 + 6] = proto;
		f[l3 + 7] = 64;
		f[l3 + 8] = 0xfd;		/* fd::1 -> fd::2 */
		f[l3 + 23] = 1;
		f[l3 + 24] = 0xfd;
		f[l3 + 39] = 2;
	}
	plen = len - l4;
	memset(f + l4, 0, hl);
	put16(f + l4, (uint16_t)(SPORT_BASE + fr->queue));
	put16(f + l4 + 2, DPORT);
	if (fr->tcp) {
		put32(f + l4 + 4, fr->seq);
		f[l4 + 12] = 0x50;		/* 5 words, no options */
		f[l4 + 13] = 0x18;		/* PSH | ACK */
		put16(f + l4 + 14, 65535);
		csoff = l4 + 16;
	} else {
		put16(f + l4 + 4, (uint16_t)plen);
		csoff = l4 + 6;
	}
	if (fr->partial) {
		put16(f + csoff, csum_fold(pseudo_sum(f + l3, v6, proto,
						      plen)));
	} else {
		uint16_t c = (uint16_t)~csum_fold(
			csum_add(pseudo_sum(f + l3, v6, proto, plen), f + l4,
				 plen));

		/* UDP sends 0 as "no checksum": a computed 0 is 0xffff */
		if (c == 0 && proto == PROTO_UDP)
			c = 0xffff;
		put16(f + csoff, c);
	}
	return csoff;
}

/* Offset of the L4 header and its protocol; 0 if no IP test shape. */
static uint32_t
l4_of(const uint8_t *f, uint32_t len, bool *v6, uint8_t *proto)
{
	if (len < ETH_LEN + IP4_LEN)
		return 0;
	if (f[12] == 0x08 && f[13] == 0x00 && f[ETH_LEN] == 0x45) {
		*v6 = false;
		*proto = f[ETH_LEN + 9];
		return ETH_LEN + IP4_LEN;
	}
	if (f[12] == 0x86 && f[13] == 0xdd && len >= ETH_LEN + IP6_LEN) {
		*v6 = true;
		*proto = f[ETH_LEN + 6];
		return ETH_LEN + IP6_LEN;
	}
	return 0;
}

uint32_t
tl_frame_parse(const uint8_t *f, uint32_t len, struct tl_frame *fr)
{
	uint32_t off;
	uint8_t proto;
	bool v6;

	if (len < ETH_LEN)
		return 0;
	memset(fr, 0, sizeof(*fr));
	memcpy(fr->dst, f, 6);
	memcpy(fr->src, f + 6, 6);
	if (get16(f + 12) == TL_ETHERTYPE_TEST) {
		fr->l3 = TL_L3_RAW;
		off = ETH_LEN;
	} else {
		off = l4_of(f, len, &v6, &proto);
		if (off == 0 || (proto != PROTO_TCP && proto != PROTO_UDP))
			return 0;
		fr->l3 = v6 ? TL_L3_IPV6 : TL_L3_IPV4;
		fr->tcp = proto == PROTO_TCP;
		off += fr->tcp ? TCP_LEN : UDP_LEN;
	}
	if (off + TL_HDR_LEN > len || get32(f + off) != TL_FRAME_MAGIC)
		return 0;
	fr->seq = get32(f + off + 4);
	fr->len = get16(f + off + 8);
	fr->queue = f[off + 10];
	fr->kind = f[off + 11];
	return off;
}

bool
tl_frame_l4_csum_ok(const uint8_t *f, uint32_t len)
{
	uint32_t l4;
	uint8_t proto;
	bool v6;

	l4 = l4_of(f, len, &v6, &proto);
	if (l4 == 0 || l4 > len)
		return false;
	return csum_fold(csum_add(pseudo_sum(f + ETH_LEN, v6, proto, len - l4),
				  f + l4, len - l4)) == 0xffff;
}
