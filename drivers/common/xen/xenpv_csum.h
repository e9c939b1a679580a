/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * Checksum pieces both drivers need where DPDK's conventions and Linux's
 * (which the netif wire follows) differ: DPDK's TSO pseudo-header sum
 * leaves the L4 length out, Linux's partial checksum (CHECKSUM_PARTIAL,
 * what a GSO packet carries on the wire) counts it; and the IPv4 header
 * checksum RTE_MBUF_F_TX_IP_CKSUM leaves to the device.
 */

#ifndef XENPV_CSUM_H
#define XENPV_CSUM_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf_core.h>
#include <rte_mbuf_ptype.h>
#include <rte_tcp.h>
#include <rte_udp.h>

/* The L4 protocol of a parsed packet type: IPPROTO_TCP/UDP, 0 if neither. */
static inline uint8_t
xenpv_ptype_l4_proto(uint32_t ptype)
{
	switch (ptype & RTE_PTYPE_L4_MASK) {
	case RTE_PTYPE_L4_TCP:
		return IPPROTO_TCP;
	case RTE_PTYPE_L4_UDP:
		return IPPROTO_UDP;
	}
	return 0;
}

/* The L4 checksum an mbuf asks the device for: IPPROTO_TCP/UDP, or 0. */
static inline uint8_t
xenpv_ol_l4_proto(uint64_t ol_flags)
{
	uint64_t l4 = ol_flags & RTE_MBUF_F_TX_L4_MASK;

	if (l4 == RTE_MBUF_F_TX_TCP_CKSUM)
		return IPPROTO_TCP;
	return l4 == RTE_MBUF_F_TX_UDP_CKSUM ? IPPROTO_UDP : 0;
}

/* Where the checksum field of a TCP or UDP header (@proto) is. */
static inline uint32_t
xenpv_l4_csum_off(uint8_t proto)
{
	return proto == IPPROTO_TCP ? offsetof(struct rte_tcp_hdr, cksum) :
		offsetof(struct rte_udp_hdr, dgram_cksum);
}

/*
 * Unreduced sum of the TCP/UDP pseudo header of the IP header at @l3 with
 * the explicit L4 length @l4len (the IP header's own length fields are not
 * trusted for it).
 */
uint32_t xenpv_pseudo_sum(const void *l3, bool v6, uint32_t l4len,
			  uint8_t proto);

/* The pseudo-header sum a partial (offloaded) checksum field holds. */
uint16_t xenpv_pseudo_cksum(const void *l3, bool v6, uint32_t l4len,
			    uint8_t proto);

/*
 * The checksum of the IPv4 header at @l3 (@l3len bytes, options included)
 * with its checksum field counted as zero, to store as is.
 */
uint16_t xenpv_ipv4_hdr_cksum(const void *l3, uint32_t l3len);

/*
 * Both drivers' tx_pkt_prepare (rte_eth_tx_prepare): what DPDK's offload
 * contract lets an application leave to the PMD's prepare step. For each
 * packet asking for an L4 checksum or TSO, the checksum field gets the
 * pseudo-header sum (TSO: without the L4 length, which the TX path then
 * adds for Linux), and an IPv4 header checksum asked of the device is
 * zeroed. An application that forwards a received frame with its complete
 * checksum and asks for the offload (testpmd's csum engine does) otherwise
 * puts that checksum on the wire under csum_blank, and the peer's
 * completion of it comes out wrong. Returns the number of packets ready;
 * at the first that cannot be prepared (headers not in its first segment,
 * or with RTE_LIBRTE_ETHDEV_DEBUG an inconsistent offload request),
 * rte_errno says why.
 */
uint16_t xenpv_tx_prepare(void *txq, struct rte_mbuf **pkts, uint16_t nb);

#endif /* XENPV_CSUM_H */
