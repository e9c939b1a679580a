/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/* The netif wire (xenpv_netif.h): what is not inline. */

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>

#include "xenpv_netif.h"

static const char * const xenpv_violation_names[XENPV_VIOL_MAX] = {
	[XENPV_VIOL_NONE] = "none",
	[XENPV_VIOL_REQ_PROD] = "request producer index beyond the ring",
	[XENPV_VIOL_REQ_SLOTS] = "packet with far too many slots",
	[XENPV_VIOL_REQ_CROSS_PAGE] = "slot data crossing a page boundary",
	[XENPV_VIOL_REQ_EXTRA] = "unknown or unterminated extra-info slot",
	[XENPV_VIOL_REQ_GSO] = "GSO extra with a bad size or type",
	[XENPV_VIOL_PGNT_BOUND] = "more distinct grant refs than persistent grants allow",
	[XENPV_VIOL_PGNT_MAP] = "a persistent grant ref that cannot be mapped",
	[XENPV_VIOL_TX_RSP_OVERFLOW] = "TX response producer beyond requests",
	[XENPV_VIOL_TX_BAD_ID] = "TX response id outside the ring",
	[XENPV_VIOL_TX_STALE_ID] = "TX response for an id not in flight",
	[XENPV_VIOL_TX_BAD_NULL] = "TX null response without an extra slot",
	[XENPV_VIOL_TX_BAD_STATUS] = "TX response status unknown",
	[XENPV_VIOL_RX_RSP_OVERFLOW] = "RX response producer beyond posted buffers",
	[XENPV_VIOL_RX_BAD_ID] = "RX response id is not its slot's",
	[XENPV_VIOL_RX_BAD_BOUNDS] = "RX offset/size outside the posted page",
	[XENPV_VIOL_RX_BAD_EXTRA] = "RX extra info unknown or malformed",
	[XENPV_VIOL_RX_STUCK] = "RX packet longer than the ring",
};

const char *
xenpv_violation_name(uint32_t v)
{
	return v < XENPV_VIOL_MAX ? xenpv_violation_names[v] : "unknown";
}

const char *
xenpv_netif_extra_result_str(enum xenpv_netif_extra_result r)
{
	switch (r) {
	case XENPV_EXTRA_DONE:
		return "complete";
	case XENPV_EXTRA_MORE:
		return "more to come";
	case XENPV_EXTRA_BAD_TYPE:
		return "extra info of an unknown type";
	case XENPV_EXTRA_TOO_MANY:
		return "more extra-info slots than types";
	case XENPV_EXTRA_BAD_GSO:
		return "GSO extra with a bad size or type";
	}
	return "?";
}

/* "<base>" alone, or "<base><infix><i>" one of several. */
static int
xenpv_netif_name(char *buf, size_t len, const char *base, const char *infix,
		 bool indexed, unsigned int i)
{
	int n;

	if (indexed)
		n = snprintf(buf, len, "%s%s%u", base, infix, i);
	else
		n = snprintf(buf, len, "%s", base);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int
xenpv_netif_queue_dir(char *buf, size_t len, const char *fe, unsigned int nq,
		      unsigned int q)
{
	return xenpv_netif_name(buf, len, fe, "/" XENPV_NETIF_QUEUE_DIR, nq > 1,
				q);
}

int
xenpv_netif_ring_ref_key(char *buf, size_t len, const char *ring,
			 bool indexed, unsigned int page)
{
	return xenpv_netif_name(buf, len, ring, "", indexed, page);
}

/* A plain decimal of at most 19 digits at *p; advances *p past it. */
static int
xenpv_netif_decimal(const char **p, uint64_t *v)
{
	const char *c = *p;
	uint64_t x = 0;

	if (*c < '0' || *c > '9')
		return -EINVAL;
	for (; *c >= '0' && *c <= '9'; c++) {
		if (c - *p >= 19)
			return -EINVAL;
		x = x * 10 + (uint64_t)(*c - '0');
	}
	*p = c;
	*v = x;
	return 0;
}

int
xenpv_netif_parse_rate(const char *s, uint64_t *bytes, uint64_t *usec)
{
	uint64_t b, u;

	if (s == NULL || xenpv_netif_decimal(&s, &b) < 0 || *s++ != ',' ||
	    xenpv_netif_decimal(&s, &u) < 0 || *s != '\0' || u == 0)
		return -EINVAL;
	*bytes = b;
	*usec = u;
	return 0;
}

/* Octet @i of a key that reads as zero past its @keylen octets. */
static inline uint8_t
xenpv_key_octet(const uint8_t *key, unsigned int keylen, unsigned int i)
{
	return i < keylen ? key[i] : 0;
}

uint32_t
xenpv_toeplitz(const uint8_t *key, unsigned int keylen, const uint8_t *in,
	       unsigned int len)
{
	uint64_t win = 0;	/* key bits 8j .. 8j + 63, bit 8j leftmost */
	uint32_t h = 0;
	unsigned int i, j, b;

	for (i = 0; i < 8; i++)
		win = win << 8 | xenpv_key_octet(key, keylen, i);
	for (j = 0; j < len; j++) {
		uint8_t octet = in[j];

		/* input bit 8j + b selects key bits 8j + b .. 8j + b + 31 */
		for (b = 0; b < 8; b++)
			if (octet & (0x80u >> b))
				h ^= (uint32_t)(win >> (32 - b));
		win = win << 8 | xenpv_key_octet(key, keylen, j + 8);
	}
	return h;
}

bool
xenpv_netif_hash_input(const struct rte_mbuf *m, uint32_t types,
		       uint8_t *in, unsigned int *len, uint8_t *htype)
{
	/* an Ethernet header, one tag, the larger IP header, the ports */
	uint8_t hdr[RTE_ETHER_HDR_LEN + 4 + 40 + 4];
	const uint8_t *p, *ip;
	uint32_t off = RTE_ETHER_HDR_LEN, avail;
	uint16_t et;
	bool tcp;

	avail = RTE_MIN(m->pkt_len, (uint32_t)sizeof(hdr));
	p = rte_pktmbuf_read(m, 0, avail, hdr);
	if (p == NULL || avail < RTE_ETHER_HDR_LEN)
		return false;
	et = (uint16_t)(p[12] << 8 | p[13]);
	if (et == RTE_ETHER_TYPE_VLAN) {
		if (avail < RTE_ETHER_HDR_LEN + 4)
			return false;
		et = (uint16_t)(p[16] << 8 | p[17]);
		off += 4;
	}
	ip = p + off;
	avail -= off;
	if (et == RTE_ETHER_TYPE_IPV4) {
		unsigned int ihl;
		uint16_t frag;

		if (avail < 20 || (ip[0] >> 4) != 4)
			return false;
		ihl = (ip[0] & 0xfu) * 4u;
		frag = (uint16_t)((ip[6] << 8 | ip[7]) & 0x3fff);
		/* ports only in a TCP header we have, of a whole datagram */
		tcp = ip[9] == IPPROTO_TCP && frag == 0 && ihl >= 20 &&
		      avail >= ihl + 4;
		if (tcp && (types & XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP)) {
			memcpy(in, ip + 12, 8);
			memcpy(in + 8, ip + ihl, 4);
			*len = 12;
			*htype = _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP;
			return true;
		}
		if (!(types & XEN_NETIF_CTRL_HASH_TYPE_IPV4))
			return false;
		memcpy(in, ip + 12, 8);
		*len = 8;
		*htype = _XEN_NETIF_CTRL_HASH_TYPE_IPV4;
		return true;
	}
	if (et == RTE_ETHER_TYPE_IPV6) {
		if (avail < 40 || (ip[0] >> 4) != 6)
			return false;
		tcp = ip[6] == IPPROTO_TCP && avail >= 44;
		if (tcp && (types & XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP)) {
			memcpy(in, ip + 8, 32);
			memcpy(in + 32, ip + 40, 4);
			*len = 36;
			*htype = _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP;
			return true;
		}
		if (!(types & XEN_NETIF_CTRL_HASH_TYPE_IPV6))
			return false;
		memcpy(in, ip + 8, 32);
		*len = 32;
		*htype = _XEN_NETIF_CTRL_HASH_TYPE_IPV6;
		return true;
	}
	return false;
}
