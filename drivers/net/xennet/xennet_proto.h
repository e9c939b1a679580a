/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * What net_xennet needs to know about the Xen netif wire protocol beyond
 * xen/io/netif.h: the xenstore keys of the handshake, the limits a frontend
 * must respect so Linux netback accepts its packets, and the limits it
 * enforces on what a backend sends it.
 *
 * Include only after xenpv.h (which pins the Xen interface version and the
 * ring barriers before xen/io/netif.h is seen).
 */

#ifndef XENNET_PROTO_H
#define XENNET_PROTO_H

#include <rte_ether.h>

#include "xenpv.h"

/*
 * Keys of the frontend directory device/vif/<devid> (relative to our
 * domain's home in xenstore). The toolstack writes backend, backend-id, mac,
 * mtu and the initial state; everything else is ours.
 */
#define XENNET_KEY_BACKEND	"backend"
#define XENNET_KEY_BACKEND_ID	"backend-id"
#define XENNET_KEY_MAC		"mac"
#define XENNET_KEY_MTU		"mtu"

/* Backend feature keys we read (all optional but feature-rx-copy). */
#define XENNET_BE_RX_COPY	"feature-rx-copy"
#define XENNET_BE_SG		"feature-sg"
#define XENNET_BE_GSO_TCPV4	"feature-gso-tcpv4"
#define XENNET_BE_GSO_TCPV6	"feature-gso-tcpv6"
#define XENNET_BE_IPV6_CSUM	"feature-ipv6-csum-offload"
#define XENNET_BE_SPLIT_EVTCHN	"feature-split-event-channels"
#define XENNET_BE_MAX_QUEUES	"multi-queue-max-queues"
#define XENNET_BE_MAX_ORDER	"max-ring-page-order"

/*
 * Highest value of multi-queue-max-queues we parse (Linux netback offers
 * one queue per dom0 vCPU); anything above is garbage.
 */
#define XENNET_BE_QUEUES_PARSE_MAX 65535UL

/* Queues a port can have: ethdev queue i is netif queue i. */
#define XENNET_MAX_QUEUES 16

/*
 * Transmit limits (what Linux netback accepts): at most
 * XEN_NETIF_NR_SLOTS_MIN data slots per packet, no slot's data crosses a
 * page, and the first slot's 16-bit size is the whole packet. We copy each
 * packet into whole pages, so a packet of up to 65535 bytes always fits in
 * 16 slots, whatever its mbuf chain looks like.
 */
#define XENNET_TX_MAX_PKT_LEN	XEN_NETIF_MAX_TX_SIZE
#define XENNET_TX_MAX_SLOTS	XEN_NETIF_NR_SLOTS_MIN
#define XENNET_TX_MIN_PKT_LEN	RTE_ETHER_HDR_LEN

/*
 * Receive limits: the data slots of one packet (Linux netfront accepts
 * XEN_NETIF_NR_SLOTS_MIN plus one for a small head), and the extra-info
 * slots after the first response (at most one of each defined type).
 */
#define XENNET_RX_MAX_SLOTS	(XEN_NETIF_NR_SLOTS_MIN + 1)
#define XENNET_RX_MAX_EXTRAS	(XEN_NETIF_EXTRA_TYPE_MAX - 1)

/* MTU: 65535 - 14 with scatter-gather, the plain Ethernet MTU without. */
#define XENNET_MTU_MAX_SG	(XEN_NETIF_MAX_TX_SIZE - RTE_ETHER_HDR_LEN)
#define XENNET_MTU_MAX_NOSG	RTE_ETHER_MTU

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
enum xennet_violation {
	XENNET_VIOL_NONE = 0,
	XENNET_VIOL_TX_RSP_OVERFLOW,	/* responses beyond requests */
	XENNET_VIOL_TX_BAD_ID,		/* id outside the ring */
	XENNET_VIOL_TX_STALE_ID,	/* id not in flight (repeated) */
	XENNET_VIOL_TX_BAD_NULL,	/* NETIF_RSP_NULL without an extra */
	XENNET_VIOL_TX_BAD_STATUS,	/* status not a NETIF_RSP_* value */
	XENNET_VIOL_RX_RSP_OVERFLOW,	/* responses beyond posted buffers */
	XENNET_VIOL_RX_BAD_ID,		/* response id is not its slot's */
	XENNET_VIOL_RX_BAD_BOUNDS,	/* offset + size outside the page */
	XENNET_VIOL_RX_BAD_EXTRA,	/* unknown or malformed extra info */
	XENNET_VIOL_RX_STUCK,		/* a packet larger than the ring */
	XENNET_VIOL_MAX,
};

#endif /* XENNET_PROTO_H */
