/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * What only net_xenback chooses about the netif wire: how it treats a
 * frontend that sends too many slots, its burst sizes, and why it marks a
 * ring broken. The wire itself (keys, shared limits, extra-info and offload
 * codecs) is drivers/common/xen/xenpv_netif.h; the ring layouts come from
 * Xen's headers through xenpv_ring.h.
 */

#ifndef XENBACK_PROTO_H
#define XENBACK_PROTO_H

#include "xenpv.h"
#include "xenpv_netif.h"

/*
 * Guest TX packets, counted as Linux netback counts them (its
 * XEN_NETBK_LEGACY_SLOTS_MAX and fatal_skb_slots defaults, which count the
 * slots after the first): a packet of up to XENBACK_TX_MAX_SLOTS data slots
 * is taken (netif.h obliges 18; frontends of the MAX_SKB_FRAGS = 18 era
 * send 19); 20 or 21 are dropped with error responses; more than
 * XENBACK_TX_FATAL_SLOTS is a frontend gone wrong and closes the vif.
 */
#define XENBACK_TX_MAX_SLOTS	(XENPV_NETIF_MAX_SLOTS + 1)
#define XENBACK_TX_FATAL_SLOTS	21

/*
 * The most slots a packet can span before it is either complete or fatal:
 * far below the smallest ring, so a half-posted packet can never fill the
 * ring and wedge it.
 */
#define XENBACK_TX_PKT_SLOTS_MAX \
	(1 + XENPV_NETIF_MAX_EXTRAS + XENBACK_TX_FATAL_SLOTS)

/*
 * The smallest GSO segment size delivered as LRO (B2 of the hostile
 * review): below it NICs refuse a TSO request (i40e's minimum MSS).
 */
#define XENBACK_GSO_MIN_MSS	64

/* What a frame may carry beyond the MTU: Ethernet header, two VLAN tags. */
#define XENBACK_MTU_OVERHEAD	(14 + 2 * 4)

/* A rate-limited ring may always take a packet this big (Linux's 128 KiB). */
#define XENBACK_RATE_MIN_BURST	131072u

/* Netif queues offered by default (the max_queues devarg). */
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
 * rx_zero_copy (xenback_zc.c): the bytes of a guest TX packet copied into
 * the head mbuf, the headers the backend and the application parse, which
 * the guest can then no longer change; a packet no longer than this is
 * copied whole. At most the smallest data room allowed.
 */
#define XENBACK_ZC_HEAD		256

#endif /* XENBACK_PROTO_H */
