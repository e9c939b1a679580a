/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xenback's checksum helpers, for both directions: complete a blank
 * TCP/UDP checksum a guest sent for an application without checksum
 * offload and compute one for a guest that does not take blank checksums
 * (the pseudo-header sums, which net_xennet needs too, are in
 * drivers/common/xen/xenpv_csum.c). The headers are parsed from the
 * packet, never trusted from the guest's fields beyond their bounds.
 */

#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include <ethdev_driver.h>

#include "xenback_dp.h"
#include "xenpv_csum.h"

/*
 * One's-complement checksum of the L4 part of @m, with the checksum field
 * (at @l4off + @csum_off, inside the first segment) counted as zero and the
 * pseudo header built from the addresses of the IP header at @l3 and the
 * explicit L4 length @l4len. Returns the value to store in the field, in
 * packet byte order, or -1 if the mbuf is too short.
 */
int
xenback_l4_cksum(const struct rte_mbuf *m, const void *l3, bool v6,
		 uint32_t l4off, uint32_t l4len, uint8_t proto,
		 uint32_t csum_off)
{
	uint16_t raw, field;
	uint32_t sum;

	if (l4off + l4len > m->pkt_len || l4off + csum_off + 2 > m->data_len)
		return -1;
	if (rte_raw_cksum_mbuf(m, l4off, l4len, &raw) != 0)
		return -1;
	memcpy(&field, rte_pktmbuf_mtod_offset(m, const char *,
					       l4off + csum_off), 2);
	/* take the field's current content out of the sum */
	sum = (uint32_t)raw + (uint16_t)~field;
	sum += xenpv_pseudo_sum(l3, v6, l4len, proto);
	raw = (uint16_t)~__rte_raw_cksum_reduce(sum);
	if (raw == 0 && proto == IPPROTO_UDP)
		raw = 0xffff;
	return raw;
}

/*
 * L4 length from the IP header at @l3off (@l3len bytes of IP header and
 * extension headers), checked against the packet: -1 if inconsistent.
 */
int64_t
xenback_l4_len(const struct rte_mbuf *m, const void *l3, bool v6,
	       uint32_t l3off, uint32_t l3len)
{
	uint32_t iplen;

	if (v6)
		iplen = sizeof(struct rte_ipv6_hdr) + rte_be_to_cpu_16(
			((const struct rte_ipv6_hdr *)l3)->payload_len);
	else
		iplen = rte_be_to_cpu_16(
			((const struct rte_ipv4_hdr *)l3)->total_length);
	if (iplen < l3len || l3off + iplen > m->pkt_len)
		return -1;
	return iplen - l3len;
}

/*
 * Complete the blank L4 checksum of a packet the guest sent with
 * NETTXF_csum_blank, for an application that did not enable checksum
 * offload. The field holds the pseudo-header sum (partial checksum); the
 * headers are found by parsing, as Linux netback does.
 */
bool
xenback_rx_csum_complete(struct rte_mbuf *m)
{
	struct rte_net_hdr_lens hl;
	uint32_t ptype, l3off, l4off, csum_off;
	const void *l3;
	int64_t l4len;
	uint8_t proto;
	bool v6;
	int cks;

	ptype = rte_net_get_ptype(m, &hl, RTE_PTYPE_L2_MASK |
				  RTE_PTYPE_L3_MASK | RTE_PTYPE_L4_MASK);
	if (RTE_ETH_IS_IPV4_HDR(ptype))
		v6 = false;
	else if (RTE_ETH_IS_IPV6_HDR(ptype))
		v6 = true;
	else
		return false;
	proto = xenpv_ptype_l4_proto(ptype);
	if (proto == 0)
		return false;
	csum_off = xenpv_l4_csum_off(proto);
	l3off = hl.l2_len;
	l4off = l3off + hl.l3_len;
	if (l4off + csum_off + 2 > m->data_len)
		return false;
	l3 = rte_pktmbuf_mtod_offset(m, const void *, l3off);
	l4len = xenback_l4_len(m, l3, v6, l3off, hl.l3_len);
	if (l4len < 0)
		return false;
	cks = xenback_l4_cksum(m, l3, v6, l4off, (uint32_t)l4len, proto,
			       csum_off);
	if (cks < 0)
		return false;
	memcpy(rte_pktmbuf_mtod_offset(m, char *, l4off + csum_off), &cks, 2);
	return true;
}
