/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/* Checksum pieces of both drivers (xenpv_csum.h). */

#include <stddef.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_net.h>

#include "xenpv_csum.h"

uint32_t
xenpv_pseudo_sum(const void *l3, bool v6, uint32_t l4len, uint8_t proto)
{
	uint32_t sum;

	if (v6) {
		const struct rte_ipv6_hdr *ip = l3;
		uint32_t w[2] = { rte_cpu_to_be_32(l4len),
				  rte_cpu_to_be_32(proto) };

		sum = rte_raw_cksum(ip->src_addr, 32);
		sum += rte_raw_cksum(w, sizeof(w));
	} else {
		const struct rte_ipv4_hdr *ip = l3;
		uint16_t w[2] = { rte_cpu_to_be_16(proto),
				  rte_cpu_to_be_16((uint16_t)l4len) };

		sum = rte_raw_cksum(&ip->src_addr, 8);
		sum += rte_raw_cksum(w, sizeof(w));
	}
	return sum;
}

uint16_t
xenpv_pseudo_cksum(const void *l3, bool v6, uint32_t l4len, uint8_t proto)
{
	return __rte_raw_cksum_reduce(xenpv_pseudo_sum(l3, v6, l4len, proto));
}

uint16_t
xenpv_ipv4_hdr_cksum(const void *l3, uint32_t l3len)
{
	const struct rte_ipv4_hdr *ip = l3;
	uint32_t sum;

	/* the field's own content taken back out, as if it were zero */
	sum = __rte_raw_cksum(l3, l3len, 0);
	sum += (uint16_t)~ip->hdr_checksum;
	return (uint16_t)~__rte_raw_cksum_reduce(sum);
}

uint16_t
xenpv_tx_prepare(void *txq __rte_unused, struct rte_mbuf **pkts, uint16_t nb)
{
	uint16_t i;
	int rc;

	for (i = 0; i < nb; i++) {
#ifdef RTE_LIBRTE_ETHDEV_DEBUG
		rc = rte_validate_tx_offload(pkts[i]);
		if (rc != 0) {
			rte_errno = -rc;
			break;
		}
#endif
		rc = rte_net_intel_cksum_prepare(pkts[i]);
		if (rc != 0) {
			rte_errno = -rc;
			break;
		}
	}
	return i;
}
