/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * The parts of the Xen netif protocol (xen/io/netif.h) that net_xenback
 * enforces on a frontend, and the limits the backend chooses for itself.
 * The ring and slot layouts themselves come from Xen's headers through
 * drivers/common/xen/xenpv_ring.h.
 */

#ifndef XENBACK_PROTO_H
#define XENBACK_PROTO_H

#include "xenpv.h"

/*
 * Guest TX packets: a frontend may use up to XEN_NETIF_NR_SLOTS_MIN data
 * slots for one packet. A packet with a few slots more is dropped with
 * error responses (old frontends did that with big skbs); one with more than
 * XENBACK_TX_FATAL_SLOTS is a frontend gone wrong and disables the port, as
 * Linux netback does (its fatal_skb_slots default).
 */
#define XENBACK_TX_MAX_SLOTS	XEN_NETIF_NR_SLOTS_MIN
#define XENBACK_TX_FATAL_SLOTS	20

/* Extra-info slots one packet may carry: one of each type at most. */
#define XENBACK_TX_MAX_EXTRAS	(XEN_NETIF_EXTRA_TYPE_MAX - 1)

/*
 * The most slots a packet can span before it is either complete or fatal:
 * far below the smallest ring, so a half-posted packet can never fill the
 * ring and wedge it.
 */
#define XENBACK_TX_PKT_SLOTS_MAX \
	(1 + XENBACK_TX_MAX_EXTRAS + XENBACK_TX_FATAL_SLOTS)

/* Guest RX packets: the most data slots Linux netfront accepts per packet. */
#define XENBACK_RX_MAX_SLOTS	XEN_NETIF_NR_SLOTS_MIN

/* The largest packet either direction can carry (netif sizes are 16 bit). */
#define XENBACK_MAX_PKT_LEN	XEN_NETIF_MAX_TX_SIZE

/* The smallest packet a frontend may send: an Ethernet header. */
#define XENBACK_MIN_PKT_LEN	14

/* Queues a frontend may ask for (multi-queue-max-queues upper bound). */
#define XENBACK_MAX_QUEUES	16
#define XENBACK_DEFAULT_QUEUES	8

/* Packets a burst handles per grant-copy batch. */
#define XENBACK_BURST_MAX	256

/*
 * Mbuf data room a queue's mempool must offer: every header the backend
 * parses (Ethernet, VLAN, IPv6 with options, TCP with options) must fit in
 * the first segment.
 */
#define XENBACK_MIN_RX_BUFSIZE	256

/*
 * Why a queue stopped: a frontend broke the protocol in a way that leaves
 * the ring unusable. Set by a burst, logged and acted on by the control
 * path (never from the data path).
 */
enum xenback_fatal {
	XENBACK_FATAL_NONE = 0,
	XENBACK_FATAL_REQ_PROD,		/* producer index beyond the ring */
	XENBACK_FATAL_SLOTS,		/* far more slots than allowed */
	XENBACK_FATAL_CROSS_PAGE,	/* slot data crosses a page */
	XENBACK_FATAL_EXTRA,		/* unknown or unterminated extra */
	XENBACK_FATAL_GSO,		/* GSO extra with bad size or type */
	XENBACK_FATAL_MAX,
};

#endif /* XENBACK_PROTO_H */
