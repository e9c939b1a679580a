/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * What only net_xennet chooses about the netif wire: the limits it enforces
 * on what a backend sends it, how it shares its pages, and why it marks a
 * queue broken. The wire itself (keys, shared limits, extra-info and
 * offload codecs) is drivers/common/xen/xenpv_netif.h.
 *
 * Include only after xenpv.h (which pins the Xen interface version and the
 * ring barriers before xen/io/netif.h is seen).
 */

#ifndef XENNET_PROTO_H
#define XENNET_PROTO_H

#include <rte_ether.h>

#include "xenpv.h"
#include "xenpv_netif.h"

/*
 * Highest value of multi-queue-max-queues we parse (Linux netback offers
 * one queue per dom0 vCPU); anything above is garbage.
 */
#define XENNET_BE_QUEUES_PARSE_MAX 65535UL

/*
 * Transmit: we copy each packet into whole pages, so a packet of up to
 * XENPV_NETIF_MAX_FRAME bytes always fits in 16 slots, under the
 * XENPV_NETIF_MAX_SLOTS Linux netback accepts, whatever its mbuf chain.
 *
 * Receive: the data slots of one packet (Linux netfront accepts
 * XEN_NETIF_NR_SLOTS_MIN plus one for a small head).
 */
#define XENNET_RX_MAX_SLOTS	(XEN_NETIF_NR_SLOTS_MIN + 1)
/*
 * Data pages are shared in chunks of this many pages per
 * xengntshr_share_pages() call: one call per ring would ask gntalloc for up
 * to 4096 pages at once.
 */
#define XENNET_SHARE_CHUNK	256u

/*
 * Why a queue was marked broken. The burst records the first violation
 * (and two numbers that explain it); the control path logs it once.
 */
#endif /* XENNET_PROTO_H */
