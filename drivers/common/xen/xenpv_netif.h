/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * The netif wire, written once for both drivers: every xenstore key of a
 * vif, the limits both ends share, the extra-info codec and the offload
 * mappings between mbuf flags and netif flags. xen/io/netif.h defines the
 * ring layouts; this file adds what netif.h leaves to prose and to Linux's
 * netfront/netback. Each driver keeps only its side's logic.
 *
 * Include after xenpv.h (which pins the Xen interface version and the ring
 * barriers before xen/io/netif.h is seen).
 */

#ifndef XENPV_NETIF_H
#define XENPV_NETIF_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "xenpv.h"

/*
 * Keys of a vif's two directories.
 *
 * The toolstack (libxl) creates both: the frontend's
 * /local/domain/<fe>/device/vif/<devid> with backend, backend-id, mac, mtu
 * and state; the backend's /local/domain/<be>/backend/vif/<fe>/<devid>
 * with frontend, frontend-id, mac, mtu, online, hotplug-status and state.
 */
#define XENPV_NETIF_STATE		"state"
#define XENPV_NETIF_BACKEND		"backend"
#define XENPV_NETIF_BACKEND_ID		"backend-id"
#define XENPV_NETIF_FRONTEND		"frontend"
#define XENPV_NETIF_FRONTEND_ID		"frontend-id"
#define XENPV_NETIF_MAC			"mac"
#define XENPV_NETIF_MTU			"mtu"
/*
 * libxl writes hotplug-status empty, waits for the backend's InitWait, runs
 * the vif's hotplug script, which writes "connected" when the host side is
 * plugged in; a backend goes Connected only after that (Linux netback
 * does). No key at all: a toolstack without hotplug scripts.
 */
#define XENPV_NETIF_HOTPLUG_STATUS	"hotplug-status"
#define XENPV_NETIF_HOTPLUG_CONNECTED	"connected"
#define XENPV_NETIF_ONLINE		"online"

/* What the backend offers, in its directory, before InitWait. */
#define XENPV_NETIF_FEATURE_SG		"feature-sg"
#define XENPV_NETIF_FEATURE_GSO_TCPV4	"feature-gso-tcpv4"
#define XENPV_NETIF_FEATURE_GSO_TCPV6	"feature-gso-tcpv6"
#define XENPV_NETIF_FEATURE_IPV6_CSUM	"feature-ipv6-csum-offload"
#define XENPV_NETIF_FEATURE_NO_CSUM	"feature-no-csum-offload"
#define XENPV_NETIF_FEATURE_RX_COPY	"feature-rx-copy"
#define XENPV_NETIF_FEATURE_RX_FLIP	"feature-rx-flip"
#define XENPV_NETIF_FEATURE_RX_NOTIFY	"feature-rx-notify"
#define XENPV_NETIF_FEATURE_SPLIT_EVTCHN "feature-split-event-channels"
#define XENPV_NETIF_MAX_QUEUES_KEY	"multi-queue-max-queues"
#define XENPV_NETIF_MAX_RING_ORDER	"max-ring-page-order"
/*
 * The backend filters multicast for a guest that asks (netif.h: the guest
 * then sends MCAST_ADD/MCAST_DEL extras on dummy TX requests); without the
 * dynamic variant below the request is sampled at connect.
 */
#define XENPV_NETIF_FEATURE_MCAST_CTRL	"feature-multicast-control"
/*
 * ... and follows the guest's request-multicast-control while connected
 * (it watches the key), so filtering starts and stops without reconnecting.
 */
#define XENPV_NETIF_FEATURE_MCAST_DYN	"feature-dynamic-multicast-control"
/* the most addresses a guest subscribes to (Linux netback: 64) */
#define XENPV_NETIF_MCAST_MAX		64
/* the backend serves a control ring (netif.h, "Control ring") */
#define XENPV_NETIF_FEATURE_CTRL_RING	"feature-ctrl-ring"

/*
 * What the frontend writes in its directory before Connected. The feature-
 * keys above are also the frontend's (what it accepts on its RX ring).
 */
#define XENPV_NETIF_REQUEST_RX_COPY	"request-rx-copy"
#define XENPV_NETIF_REQUEST_MCAST_CTRL	"request-multicast-control"
#define XENPV_NETIF_NUM_QUEUES		"multi-queue-num-queues"
#define XENPV_NETIF_RING_ORDER		"ring-page-order"
/*
 * Per queue: in the frontend directory, or queue-<i>/ with several
 * (xenpv_netif_queue_dir); a ring's references, "tx-ring-ref" alone at
 * order 0, "tx-ring-ref<page>" for each page at order > 0
 * (xenpv_netif_ring_ref_key).
 */
#define XENPV_NETIF_QUEUE_DIR		"queue-"
#define XENPV_NETIF_TX_RING_REF		"tx-ring-ref"
#define XENPV_NETIF_RX_RING_REF		"rx-ring-ref"
#define XENPV_NETIF_EVTCHN		"event-channel"
#define XENPV_NETIF_EVTCHN_TX		"event-channel-tx"
#define XENPV_NETIF_EVTCHN_RX		"event-channel-rx"
/*
 * The control ring, once per vif (not per queue), in the frontend
 * directory before Connected: one granted page and its event channel.
 */
#define XENPV_NETIF_CTRL_RING_REF	"ctrl-ring-ref"
#define XENPV_NETIF_EVTCHN_CTRL		"event-channel-ctrl"

/*
 * netif names a thing plainly when it is alone and by index when there
 * are several. Into @buf of @len bytes: the directory of queue @q of @nq
 * under the frontend directory @fe (@fe itself when @nq is 1); the key of
 * page @page of a ring's reference @ring (XENPV_NETIF_TX_RING_REF or
 * XENPV_NETIF_RX_RING_REF), indexed when the frontend wrote
 * XENPV_NETIF_RING_ORDER (@indexed). Both drivers name the keys with
 * these. 0, or -ENAMETOOLONG when @buf is too short.
 */
int xenpv_netif_queue_dir(char *buf, size_t len, const char *fe,
			  unsigned int nq, unsigned int q);
int xenpv_netif_ring_ref_key(char *buf, size_t len, const char *ring,
			     bool indexed, unsigned int page);
/*
 * Persistent grants, a feature of our own: only net_xennet and
 * net_xenback speak it (netif.h has no such key; Linux netfront and
 * netback neither write nor read it, so against them nothing changes).
 * Modelled on blkif's feature-persistent. The backend writes it = 1 in its
 * directory to offer it (devarg persistent_grants=1); the frontend writes
 * it = 1 in its directory, before Connected, as a promise: every grant ref
 * it puts in a request of one ring is one of at most
 * XENPV_NETIF_PGNT_MAX(ring slots) refs, each granted for the whole
 * connection (never revoked nor given another page while connected).
 * The backend then maps each ref the first time a request names it,
 * keeps the mapping until the connection ends, and copies with the CPU;
 * a ref beyond the bound, or one it cannot map, breaks the promise (a
 * protocol violation). The key's name says whose it is.
 */
#define XENPV_NETIF_FEATURE_PGNT	"feature-xen-dpdk-persistent-grants"
/*
 * The most distinct grant refs the requests of one ring may name under
 * that promise (per ring, per direction): a ring's slots times the data
 * slots of a packet, what blkif bounds the same way. net_xennet uses one
 * page per TX slot, one per RX slot (two with rx_zero_copy).
 */
#define XENPV_NETIF_PGNT_MAX(slots)	((uint32_t)(slots) * XENPV_NETIF_MAX_SLOTS)
/* every key prefix above that the frontend writes, for clean-up */
#define XENPV_NETIF_FEATURE_PREFIX	"feature-"

/*
 * Limits both ends share.
 *
 * A packet is at most XEN_NETIF_NR_SLOTS_MIN (18) data slots on either
 * ring: Linux netback disables a vif that sends it more on TX, Linux
 * netfront drops a longer RX packet. Sizes are 16-bit: 65535 bytes at
 * most, and no slot's data crosses a 4 KiB page.
 */
#define XENPV_NETIF_MAX_QUEUES		16
#define XENPV_NETIF_MAX_SLOTS		XEN_NETIF_NR_SLOTS_MIN
#define XENPV_NETIF_MAX_FRAME		XEN_NETIF_MAX_TX_SIZE
#define XENPV_NETIF_MIN_FRAME		RTE_ETHER_HDR_LEN
/* the MTU with scatter-gather on both ends, and without */
#define XENPV_NETIF_MTU_MAX_SG		(XENPV_NETIF_MAX_FRAME - RTE_ETHER_HDR_LEN)
#define XENPV_NETIF_MTU_MAX_NOSG	RTE_ETHER_MTU
/* The largest MTU of a vif whose two ends both do (or not) scatter-gather. */
static inline uint16_t
xenpv_netif_mtu_max(bool sg)
{
	return sg ? XENPV_NETIF_MTU_MAX_SG : XENPV_NETIF_MTU_MAX_NOSG;
}

/* extra-info slots after a packet's first slot: one of each type */
#define XENPV_NETIF_MAX_EXTRAS		(XEN_NETIF_EXTRA_TYPE_MAX - 1)

/*
 * The extra-info codec.
 *
 * A packet's first slot may announce extra-info slots (NETTXF_extra_info,
 * NETRXF_extra_info); each overlays a request or response slot and says
 * with XEN_NETIF_EXTRA_FLAG_MORE whether another follows. The reader copies
 * each slot out of the ring (never reading the shared slot twice) and hands
 * it to xenpv_netif_extra_take(), which checks it and collects what it says.
 */
struct xenpv_netif_extras {
	uint8_t nr;		/* slots taken */
	bool more;		/* the last one announced another */
	uint16_t gso_size;	/* GSO: MSS, 0 if no GSO extra */
	uint8_t gso_type;	/* XEN_NETIF_GSO_TYPE_TCPV4 or _TCPV6 */
	bool mcast;		/* a MCAST_ADD or MCAST_DEL was seen */
	bool mcast_add, mcast_del;	/* which, with its address: */
	uint8_t add_addr[RTE_ETHER_ADDR_LEN];
	uint8_t del_addr[RTE_ETHER_ADDR_LEN];
	bool hash;		/* a HASH extra was seen */
	uint8_t hash_type;	/* its _XEN_NETIF_CTRL_HASH_TYPE_* (bit number) */
	uint8_t hash_alg;	/* its XEN_NETIF_CTRL_HASH_ALGORITHM_* */
	uint32_t hash_value;	/* its value (little-endian on the wire) */
};

enum xenpv_netif_extra_result {
	XENPV_EXTRA_DONE = 0,	/* the chain ended with this slot */
	XENPV_EXTRA_MORE,	/* another slot follows */
	XENPV_EXTRA_BAD_TYPE,	/* type 0 or unknown */
	XENPV_EXTRA_TOO_MANY,	/* more than XENPV_NETIF_MAX_EXTRAS slots */
	XENPV_EXTRA_BAD_GSO,	/* GSO size 0 or type neither TCPv4 nor v6 */
};

static inline void
xenpv_netif_extras_init(struct xenpv_netif_extras *x)
{
	*x = (struct xenpv_netif_extras){ .more = true };
}

/*
 * Take the next extra-info slot @ex (a private copy) of a chain: checks its
 * position in the chain, its type and its content. Call again while it
 * returns XENPV_EXTRA_MORE; any value above that is the peer's violation.
 */
static inline enum xenpv_netif_extra_result
xenpv_netif_extra_take(struct xenpv_netif_extras *x,
		       const struct netif_extra_info *ex)
{
	if (x->nr >= XENPV_NETIF_MAX_EXTRAS)
		return XENPV_EXTRA_TOO_MANY;
	x->nr++;
	switch (ex->type) {
	case XEN_NETIF_EXTRA_TYPE_GSO:
		if (ex->u.gso.size == 0 ||
		    (ex->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
		     ex->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6))
			return XENPV_EXTRA_BAD_GSO;
		x->gso_size = ex->u.gso.size;
		x->gso_type = ex->u.gso.type;
		break;
	case XEN_NETIF_EXTRA_TYPE_MCAST_ADD:
		x->mcast = true;
		x->mcast_add = true;
		memcpy(x->add_addr, ex->u.mcast.addr, RTE_ETHER_ADDR_LEN);
		break;
	case XEN_NETIF_EXTRA_TYPE_MCAST_DEL:
		x->mcast = true;
		x->mcast_del = true;
		memcpy(x->del_addr, ex->u.mcast.addr, RTE_ETHER_ADDR_LEN);
		break;
	case XEN_NETIF_EXTRA_TYPE_HASH:
		x->hash = true;
		x->hash_type = ex->u.hash.type;
		x->hash_alg = ex->u.hash.algorithm;
		x->hash_value = (uint32_t)ex->u.hash.value[0] |
			(uint32_t)ex->u.hash.value[1] << 8 |
			(uint32_t)ex->u.hash.value[2] << 16 |
			(uint32_t)ex->u.hash.value[3] << 24;
		break;
	default:
		return XENPV_EXTRA_BAD_TYPE;
	}
	x->more = (ex->flags & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
	return x->more ? XENPV_EXTRA_MORE : XENPV_EXTRA_DONE;
}

/*
 * Start an extra of @type in @ex: zeroed, its MORE flag set when another
 * extra follows it. The writers below fill in the rest.
 */
static inline void
xenpv_netif_extra_init(struct netif_extra_info *ex, uint8_t type, bool more)
{
	memset(ex, 0, sizeof(*ex));
	ex->type = type;
	ex->flags = more ? XEN_NETIF_EXTRA_FLAG_MORE : 0;
}

/* Write a GSO extra into @ex (a HASH extra: xenpv_netif_extra_hash). */
static inline void
xenpv_netif_extra_gso(struct netif_extra_info *ex, uint16_t mss,
		      uint8_t gso_type, bool more)
{
	xenpv_netif_extra_init(ex, XEN_NETIF_EXTRA_TYPE_GSO, more);
	ex->u.gso.size = mss;
	ex->u.gso.type = gso_type;
}

/*
 * Write a HASH extra into @ex: the value @hash of hash type @htype (a bit
 * number, _XEN_NETIF_CTRL_HASH_TYPE_*) computed with Toeplitz.
 */
static inline void
xenpv_netif_extra_hash(struct netif_extra_info *ex, uint32_t hash,
		       uint8_t htype, bool more)
{
	xenpv_netif_extra_init(ex, XEN_NETIF_EXTRA_TYPE_HASH, more);
	ex->u.hash.type = htype;
	ex->u.hash.algorithm = XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ;
	ex->u.hash.value[0] = (uint8_t)hash;
	ex->u.hash.value[1] = (uint8_t)(hash >> 8);
	ex->u.hash.value[2] = (uint8_t)(hash >> 16);
	ex->u.hash.value[3] = (uint8_t)(hash >> 24);
}

const char *xenpv_netif_extra_result_str(enum xenpv_netif_extra_result r);

/*
 * Hashing (netif.h, "Hash types", "Hash algorithms" and the control
 * messages). The frontend chooses, over the control ring, the algorithm
 * (Toeplitz or none), the hash types (which header fields are hashed), a
 * key and a mapping table from hash to queue; the backend hashes what it
 * delivers to the guest with them, steers each packet to the queue the
 * table names, and passes the value in a HASH extra.
 *
 * The most key octets a backend takes: 40, as Linux netback and the
 * Microsoft RSS key (octets past the key's size are zero).
 */
#define XENPV_NETIF_HASH_KEY_MAX	40
/* the most mapping-table entries a backend offers (Linux netback: 128) */
#define XENPV_NETIF_HASH_MAPPING_MAX	128
/* every hash type netif defines */
#define XENPV_NETIF_HASH_TYPES_ALL \
	(XEN_NETIF_CTRL_HASH_TYPE_IPV4 | XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP | \
	 XEN_NETIF_CTRL_HASH_TYPE_IPV6 | XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP)
/* the longest hash input: IPv6 addresses and TCP ports */
#define XENPV_NETIF_HASH_INPUT_MAX	36

/*
 * Toeplitz over @len octets of @in with @key (@keylen octets, zero past
 * it): for each input bit from the most significant bit of in[0] on, the
 * 32 key bits starting at that bit's position are XORed into the result
 * when the bit is 1. Any length works; a key shorter than len + 4 octets
 * reads as zero-padded.
 */
uint32_t xenpv_toeplitz(const uint8_t *key, unsigned int keylen,
			const uint8_t *in, unsigned int len);

/*
 * The hash input of packet @m (an Ethernet frame, at most one 802.1Q tag)
 * for the hash types @types (XEN_NETIF_CTRL_HASH_TYPE_* bits): the
 * 'maximal' type that applies (TCP over a non-fragment before the bare
 * address pair) writes its octets to @in (XENPV_NETIF_HASH_INPUT_MAX) in
 * netif's order (source address, destination address, source port,
 * destination port), its length to *len and its bit number to *htype.
 * Returns false when no requested type applies (not IP, a truncated
 * header, or the type not requested). IPv6 extension headers are not
 * walked: a TCP segment after one is hashed as IPv6.
 */
bool xenpv_netif_hash_input(const struct rte_mbuf *m, uint32_t types,
			    uint8_t *in, unsigned int *len, uint8_t *htype);

/*
 * The toolstack's "rate" key of a vif's backend directory: "<bytes>,<usec>"
 * (libxl's rate= in the vif spec), two plain decimals, usec at least 1.
 * 0 or -EINVAL.
 */
#define XENPV_NETIF_RATE		"rate"
int xenpv_netif_parse_rate(const char *s, uint64_t *bytes, uint64_t *usec);

/*
 * The vif's link ("carrier") in the backend directory (netif.h, "Link
 * state"): "0" down, "1" up, no key: up. The backend advertises it to the
 * frontend; net_xenback also follows it when the toolstack writes it, and
 * writes it when the application sets its link (dev_set_link_up/down).
 */
#define XENPV_NETIF_CARRIER		"carrier"

/*
 * Offload mappings. The two rings spell the same two checksum flags at
 * different bits (NETTXF_csum_blank is bit 0, NETRXF_csum_blank bit 1), so
 * both are read into and written from one neutral state.
 *
 *  - BLANK: the L4 checksum field holds only the pseudo-header sum, the
 *    data is intact (DPDK's RTE_MBUF_F_TX_L4_* on the way out, and
 *    RTE_MBUF_F_RX_L4_CKSUM_NONE on the way in);
 *  - VALID: the checksum was checked or the data cannot be corrupt
 *    (RTE_MBUF_F_RX_L4_CKSUM_GOOD);
 *  - UNKNOWN: neither flag; nothing is known.
 */
enum xenpv_netif_csum {
	XENPV_CSUM_UNKNOWN = 0,
	XENPV_CSUM_BLANK,
	XENPV_CSUM_VALID,
};

/*
 * The two checksum bits of a ring's slots: TX requests (NETTXF_*) and RX
 * responses (NETRXF_*) place them differently.
 */
struct xenpv_netif_csum_bits {
	uint16_t blank;
	uint16_t validated;
};

#define XENPV_NETIF_TX_CSUM \
	((struct xenpv_netif_csum_bits){ NETTXF_csum_blank, NETTXF_data_validated })
#define XENPV_NETIF_RX_CSUM \
	((struct xenpv_netif_csum_bits){ NETRXF_csum_blank, NETRXF_data_validated })

/* The checksum state of a slot's @flags (ring bits @b). */
static inline enum xenpv_netif_csum
xenpv_netif_csum_from(uint16_t flags, struct xenpv_netif_csum_bits b)
{
	if (flags & b.blank)
		return XENPV_CSUM_BLANK;
	return (flags & b.validated) ? XENPV_CSUM_VALID : XENPV_CSUM_UNKNOWN;
}

/*
 * The flags of checksum state @c on a ring with bits @b. A blank checksum
 * is always sent as validated data too, as Linux does.
 */
static inline uint16_t
xenpv_netif_csum_to(enum xenpv_netif_csum c, struct xenpv_netif_csum_bits b)
{
	if (c == XENPV_CSUM_BLANK)
		return b.blank | b.validated;
	return c == XENPV_CSUM_VALID ? b.validated : 0;
}

/*
 * Receiver: the mbuf flags of a packet that arrived with checksum state @c
 * and, if @gso_size is not 0, a GSO extra (then also m->tso_segsz).
 */
static inline uint64_t
xenpv_netif_rx_ol_flags(struct rte_mbuf *m, enum xenpv_netif_csum c,
			uint16_t gso_size)
{
	uint64_t ol = 0;

	if (c == XENPV_CSUM_BLANK)
		ol |= RTE_MBUF_F_RX_L4_CKSUM_NONE;
	else if (c == XENPV_CSUM_VALID)
		ol |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	if (gso_size != 0) {
		ol |= RTE_MBUF_F_RX_LRO;
		m->tso_segsz = gso_size;
	}
	return ol;
}

/* What the peer accepts on the ring we send on. */
struct xenpv_netif_ol_caps {
	bool csum_v4;		/* blank TCP/UDP checksums over IPv4 */
	bool csum_v6;		/* ... over IPv6 */
	bool gso_v4;		/* TCPv4 GSO extras */
	bool gso_v6;		/* TCPv6 GSO extras */
};

/* What one mbuf asks of the peer: its first slot's flags and GSO extra. */
struct xenpv_netif_tx_ol {
	enum xenpv_netif_csum csum;
	uint8_t gso_type;	/* XEN_NETIF_GSO_TYPE_NONE/_TCPV4/_TCPV6 */
	uint16_t gso_size;	/* the MSS when gso_type is not NONE */
};

enum xenpv_netif_ol_verdict {
	XENPV_OL_OK = 0,
	XENPV_OL_NOT_OFFERED,	/* an offload the peer does not accept */
	XENPV_OL_BAD_MBUF,	/* an offload the mbuf describes wrongly */
};

/*
 * Sender: map an mbuf's offload requests (RTE_MBUF_F_TX_TCP_SEG, _TCP_CKSUM,
 * _UDP_CKSUM with _IPV4/_IPV6) onto netif, given what the peer accepts.
 * TSO implies a blank checksum (the segments' checksums are the peer's
 * work). SCTP checksums and the IPv4 header checksum are not netif's: the
 * former is refused, the latter is left to the caller (it has the header).
 */
static inline enum xenpv_netif_ol_verdict
xenpv_netif_tx_offload(const struct rte_mbuf *m,
		       const struct xenpv_netif_ol_caps *caps,
		       struct xenpv_netif_tx_ol *o)
{
	uint64_t ol = m->ol_flags, l4 = ol & RTE_MBUF_F_TX_L4_MASK;
	bool v6 = (ol & RTE_MBUF_F_TX_IPV6) != 0;

	o->csum = XENPV_CSUM_UNKNOWN;
	o->gso_type = XEN_NETIF_GSO_TYPE_NONE;
	o->gso_size = 0;
	if (!(ol & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_L4_MASK)))
		return XENPV_OL_OK;
	if (ol & RTE_MBUF_F_TX_TCP_SEG) {
		if (m->tso_segsz == 0)
			return XENPV_OL_BAD_MBUF;
		if (!(v6 ? caps->gso_v6 : caps->gso_v4))
			return XENPV_OL_NOT_OFFERED;
		o->gso_type = v6 ? XEN_NETIF_GSO_TYPE_TCPV6 :
			XEN_NETIF_GSO_TYPE_TCPV4;
		o->gso_size = m->tso_segsz;
	} else if (l4 != RTE_MBUF_F_TX_TCP_CKSUM &&
		   l4 != RTE_MBUF_F_TX_UDP_CKSUM) {
		return XENPV_OL_NOT_OFFERED;
	} else if (!(v6 ? caps->csum_v6 : caps->csum_v4)) {
		return XENPV_OL_NOT_OFFERED;
	}
	o->csum = XENPV_CSUM_BLANK;
	return XENPV_OL_OK;
}

/*
 * The ways a peer breaks the netif protocol, one list for both sides: the
 * backend checks what a guest puts on its TX ring (XENPV_VIOL_REQ_*), the
 * frontend what a backend answers on either ring (XENPV_VIOL_TX_* and
 * XENPV_VIOL_RX_*). A burst records one in struct xenpv_viol (xenpv.h);
 * xenpv_violation_name() is the text of its log line.
 */
enum xenpv_violation {
	XENPV_VIOL_NONE = 0,
	/* a guest's TX requests (net_xenback) */
	XENPV_VIOL_REQ_PROD,		/* producer index beyond the ring */
	XENPV_VIOL_REQ_SLOTS,		/* far more slots than allowed */
	XENPV_VIOL_REQ_CROSS_PAGE,	/* slot data crosses a page */
	XENPV_VIOL_REQ_EXTRA,		/* unknown or unterminated extra */
	XENPV_VIOL_REQ_GSO,		/* GSO extra with bad size or type */
	XENPV_VIOL_PGNT_BOUND,		/* persistent grants: too many refs */
	XENPV_VIOL_PGNT_MAP,		/* persistent grants: a ref unmappable */
	/* a backend's responses (net_xennet) */
	XENPV_VIOL_TX_RSP_OVERFLOW,	/* responses beyond requests */
	XENPV_VIOL_TX_BAD_ID,		/* id outside the ring */
	XENPV_VIOL_TX_STALE_ID,		/* id not in flight (repeated) */
	XENPV_VIOL_TX_BAD_NULL,		/* NETIF_RSP_NULL without an extra */
	XENPV_VIOL_TX_BAD_STATUS,	/* status not a NETIF_RSP_* value */
	XENPV_VIOL_RX_RSP_OVERFLOW,	/* responses beyond posted buffers */
	XENPV_VIOL_RX_BAD_ID,		/* response id is not its slot's */
	XENPV_VIOL_RX_BAD_BOUNDS,	/* offset + size outside the page */
	XENPV_VIOL_RX_BAD_EXTRA,	/* unknown or malformed extra info */
	XENPV_VIOL_RX_STUCK,		/* a packet larger than the ring */
	XENPV_VIOL_MAX,
};

/* The text of a violation for its log line ("unknown" past the list). */
const char *xenpv_violation_name(uint32_t v);

#endif /* XENPV_NETIF_H */
