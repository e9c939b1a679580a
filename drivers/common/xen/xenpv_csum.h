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

#include <stdbool.h>
#include <stdint.h>

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

#endif /* XENPV_CSUM_H */
