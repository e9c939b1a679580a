/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xenback private state.
 *
 * One ethdev port serves one guest vif (frontend domain + vif number). The
 * control path (xenback_xenbus.c) runs on the port's own control thread
 * (struct xenpv_ctl), never on the EAL interrupt thread: it watches the
 * vif's xenstore directories, maps the frontend's rings and binds
 * its event channels when the frontend connects, and tears them down when it
 * goes away. The data path (xenback_guest_tx.c, xenback_guest_rx.c) runs on
 * the application's lcores and only ever touches a queue whose guard the
 * control path has opened.
 *
 * Naming follows the ethdev view: an ethdev RX queue (struct xenback_rxq)
 * consumes the guest's TX ring, an ethdev TX queue (struct xenback_txq)
 * fills the guest's RX ring. The port keeps XENPV_NETIF_MAX_QUEUES of each;
 * entry j holds the rings of netif queue j while the guest uses it, and is
 * also ethdev queue j. How ethdev queues map onto the n netif queues of
 * the current connection (set by the control path while every guard is
 * closed, so a burst sees one mapping from enter to exit):
 *
 *  - ethdev TX queue i sends on the guest RX ring of netif queue i mod n;
 *    when two ethdev TX queues share a ring (more TX queues than netif
 *    queues, as OVS-DPDK configures), that ring's spinlock serialises
 *    them; a ring with one sender takes no lock;
 *  - ethdev RX queue i consumes the guest TX ring of netif queue i, and
 *    also of i + r, i + 2r, ... (r RX queues) if the guest negotiated more
 *    netif queues than the port has RX queues (it connected before a
 *    reconfiguration); an RX queue with no netif queue behind it returns 0.
 *
 * We advertise min(RX queues, TX queues, max_queues devarg) netif queues,
 * so normally every guest TX ring has one ethdev RX queue.
 *
 * Only the primary process drives the port: ring mappings, event channels
 * and the xenstore connection are per-process resources. A secondary
 * process attaches with the read-only ops of XENPV_ETH_DEV_OPS_SECONDARY
 * (xenpv_vdev.h): configuration, counters (xd->rxq/txq are rte_malloc'd,
 * shared) and the link, under the process-shared lock where needed.
 */

#ifndef XENBACK_H
#define XENBACK_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/queue.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_rwlock.h>
#include <rte_spinlock.h>

/* xenpv.h first: it pins the Xen interface version for every xen/ header */
#include "xenpv.h"
#include "xenpv_stash.h"
#include "xenback_proto.h"
#include "xenpv_intr.h"

#include <xengnttab.h>
#include <xenevtchn.h>

extern int xenback_logtype;

#define XENBACK_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, xenback_logtype, "%s(): " fmt "\n", \
		__func__, ##__VA_ARGS__)

/*
 * The vif's rate limit on what the guest sends (the toolstack's "rate" key,
 * "<bytes>,<usec>": bytes allowed per interval), a credit scheduler as Linux
 * netback's: each guest TX ring gets the credit, refilled every interval up
 * to a burst of max(bytes, 128 KiB) so one packet of any size gets through;
 * a packet larger than what is left waits in the ring. Set by the control
 * path with the ring closed; used by the ring's burst.
 */
struct xenback_credit {
	uint64_t bytes;		/* per interval; 0: no limit */
	uint64_t interval;	/* in TSC cycles */
	uint64_t burst;		/* the most credit that accumulates */
	uint64_t remaining;	/* bytes the ring may still take */
	uint64_t next;		/* TSC of the next refill */
};

/*
 * Counters of an ethdev RX queue (guest TX ring). Written only by the
 * queue's burst; the control path reads them for stats and xstats.
 */
struct xenback_rxq_stats {
	uint64_t packets;	/* packets delivered to the application */
	uint64_t bytes;
	uint64_t errors;	/* packets answered NETIF_RSP_ERROR */
	uint64_t nombuf;	/* bursts cut short by an empty mempool */
	uint64_t drop_slots;	/* more than XENBACK_TX_MAX_SLOTS slots */
	uint64_t drop_size;	/* runt, or slot sizes that do not add up */
	uint64_t drop_proto;	/* a feature we did not advertise was used */
	uint64_t drop_gso;	/* GSO packet but TCP_LRO not enabled */
	uint64_t drop_too_big;	/* needs chained mbufs but no SCATTER */
	uint64_t drop_copy;	/* a grant copy of the packet failed */
	uint64_t drop_bad_gso;	/* GSO extra that does not fit the packet */
	uint64_t drop_oversize;	/* non-GSO frame above the port's MTU */
	uint64_t copy_errors;	/* failed grant-copy segments */
	uint64_t copy_calls;	/* xengnttab_grant_copy() calls */
	uint64_t notify;	/* event-channel kicks sent */
	uint64_t notify_held;	/* kicks owed (notify_gap_us) */
	uint64_t gso;		/* LRO packets delivered */
	uint64_t csum_fixed;	/* blank checksums completed in software */
	uint64_t csum_unknown;	/* blank checksum on a non TCP/UDP packet */
	uint64_t rate_held;	/* bursts cut short by the vif's rate */
	uint64_t mcast_ops;	/* MCAST_ADD/DEL requests taken */
	uint64_t pgnt_maps;	/* persistent grants mapped (cumulative) */
	uint64_t pgnt_mapped;	/* ... mapped now (0 after a disconnect) */
	uint64_t zc_packets;	/* delivered by reference (rx_zero_copy) */
	uint64_t zc_held;	/* ... whose mbufs the application holds now */
	uint64_t zc_fallback;	/* ... copied: the budget of held ones spent */
};

/* Counters of an ethdev TX queue (guest RX ring); same rules. */
struct xenback_txq_stats {
	uint64_t packets;	/* packets placed in the guest's buffers */
	uint64_t bytes;
	uint64_t errors;	/* packets answered NETIF_RSP_ERROR */
	uint64_t drop_len;	/* empty or longer than 65535 bytes */
	uint64_t drop_sg;	/* needs several buffers, guest lacks sg */
	uint64_t drop_gso;	/* TSO the guest cannot take */
	uint64_t drop_mbuf;	/* offload request the mbuf does not support */
	uint64_t copy_errors;	/* failed grant-copy segments */
	uint64_t copy_calls;
	uint64_t notify;
	uint64_t notify_held;
	uint64_t ring_full;	/* bursts cut short by too few guest buffers */
	uint64_t gso;		/* packets sent with a GSO extra */
	uint64_t csum_blank;	/* packets sent with NETRXF_csum_blank */
	uint64_t csum_sw;	/* checksums computed in software */
	uint64_t link_down;	/* dropped: link down (carrier 0) */
	uint64_t hash;		/* packets sent with a HASH extra */
	uint64_t drop_mcast;	/* multicast the guest did not subscribe */
	uint64_t pgnt_maps;	/* persistent grants mapped (cumulative) */
	uint64_t pgnt_mapped;	/* ... mapped now (0 after a disconnect) */
};

/*
 * A ring's persistent grants (xenback_pgnt.c): the guest's grant refs this
 * ring's requests named, each mapped once, by ref, in an open-addressing
 * table at most half full. Used only by the ring's burst, created and
 * destroyed by the control path with the guard closed.
 */
struct xenback_pgnt {
	struct {
		uint8_t *va;	/* the mapping of ref; NULL: empty entry */
		uint32_t ref;
	} *ent;			/* [1 << bits] */
	unsigned int bits;
	uint32_t max;		/* the bound: XENPV_NETIF_PGNT_MAX(slots) */
	uint32_t n;		/* refs mapped */
	int prot;		/* PROT_READ, or | PROT_WRITE for guest RX */
	uint16_t domid;		/* the guest */
	xengnttab_handle *xgt;
};

/*
 * rx_zero_copy (xenback_zc.c): one guest TX packet delivered by reference.
 * Its first bytes were copied into the head mbuf; the rest stays in the
 * guest's pages, mapped through the ring's persistent grants, and is
 * attached to the chain's further mbufs, which share @shinfo. The guest's
 * requests are answered only when the application has freed all of them.
 * Filled and answered by the ring's burst; @shinfo's callback runs on
 * whatever thread frees the last mbuf.
 */
struct xenback_zc_held {
	struct rte_mbuf_ext_shared_info shinfo;
	struct xenback_zc *zc;		/* the context it belongs to */
	uint16_t idx;			/* its index in zc->held */
	uint16_t next_free;		/* the burst's free list */
	uint8_t nextra;			/* extra-info slots after the first */
	uint8_t ndata;			/* data slots (ids) */
	uint8_t npiece;			/* attached pieces (mbufs past the head) */
	int16_t status;			/* the answer: NETIF_RSP_OKAY or _ERROR */
	uint16_t id[XENBACK_TX_MAX_SLOTS];	/* request ids, in ring order */
	/* the pieces: guest page (ref), offset and length of each */
	uint32_t ref[XENBACK_TX_MAX_SLOTS];
	uint16_t off[XENBACK_TX_MAX_SLOTS];
	uint16_t len[XENBACK_TX_MAX_SLOTS];
};

/*
 * rx_zero_copy's context of one guest TX ring for one connection. The ring
 * holds one reference and every held packet one more; the last one (the
 * control path at teardown, or the thread freeing the last mbuf of the last
 * held packet after it) unmaps the guest's pages, closes the grant handle
 * they were mapped on and frees the context: a mapping outlives its
 * connection exactly as long as an mbuf still points into it.
 */
struct xenback_zc {
	uint32_t refs;			/* atomic */
	xengnttab_handle *xgt;		/* its own: it may outlive the port */
	struct xenback_pgnt *pgnt;	/* the ring's persistent grants */
	/* held packets whose mbufs are all freed: MP enqueue, burst dequeue */
	struct rte_ring *done;
	struct xenback_zc_held *held;	/* [nr] */
	uint32_t nr;			/* records: half the ring's slots */
	uint32_t nr_free;		/* burst only, with free_head... */
	uint32_t slots_free;		/* ...and the ring slots left to hold */
	uint16_t free_head;
};

/*
 * The guest's multicast subscriptions (netif.h: feature-multicast-control):
 * the addresses of its MCAST_ADD extras, at most XENPV_NETIF_MCAST_MAX (a
 * further one is refused with an error response, as Linux netback), kept
 * for the connection. Written by the bursts of the guest's TX rings, read
 * by the bursts to the guest while it asked for filtering, read by xstats
 * and priv_dump: under @lock.
 */
struct xenback_mcast {
	rte_rwlock_t lock;
	uint64_t n;			/* 64 bits: an xstat */
	struct rte_ether_addr addr[XENPV_NETIF_MCAST_MAX];
};

/*
 * The guest's hash settings (netif's control ring, xenback_ctrl.c): what
 * its requests chose. Toeplitz steering is on when alg is Toeplitz and
 * types is not 0; the key reads as zero past what the guest set.
 */
struct xenback_hash {
	uint32_t alg;		/* XEN_NETIF_CTRL_HASH_ALGORITHM_* */
	uint32_t types;		/* XEN_NETIF_CTRL_HASH_TYPE_* bits */
	uint32_t size;		/* mapping entries; 0: hash mod queues */
	uint8_t key[XENPV_NETIF_HASH_KEY_MAX];
	uint32_t mapping[XENPV_NETIF_HASH_MAPPING_MAX];	/* netif queues */
};

/*
 * The vif's control ring, when the frontend gave one (ctrl-ring-ref,
 * event-channel-ctrl): mapped and bound at connect, served by the port's
 * control thread only (its channel is on xd->ctrl_xce, whose descriptor
 * the thread polls), unmapped at disconnect. Every request is copied out
 * of the ring and checked; the answers are netif's XEN_NETIF_CTRL_STATUS_*.
 * @hash is what the guest set; the bursts read a copy of it (xd->hash_dp)
 * published with every TX guard closed.
 */
struct xenback_ctrl {
	xen_netif_ctrl_back_ring_t ring;
	void *ring_va;			/* NULL: no control ring */
	evtchn_port_t evtchn;		/* local port on xd->ctrl_xce */
	uint32_t ref, remote;		/* the frontend's keys, to see re-keys */
	struct xenback_hash hash;
	bool dirty;			/* hash changed, not yet published */
	struct xenpv_viol viol;		/* a request producer past the ring */
	uint64_t requests;		/* requests answered */
	uint64_t errors;		/* ... with a status other than success */
};

/*
 * What the frontend negotiated, read when it connects. The data path reads
 * a copy of the fields it needs from its own queue structure.
 */
struct xenback_fe_features {
	bool sg;		/* feature-sg: accepts multi-slot RX packets */
	bool gso_tcpv4;		/* feature-gso-tcpv4 */
	bool gso_tcpv6;		/* feature-gso-tcpv6 */
	bool csum;		/* !feature-no-csum-offload */
	bool ipv6_csum;		/* feature-ipv6-csum-offload */
	bool rx_notify;		/* feature-rx-notify */
	bool split;		/* two event channels per queue */
	bool mcast_filter;	/* request-multicast-control */
	bool pgnt;		/* persistent grants: offered and promised */
};

/* The keys of one netif queue, as the frontend wrote them. */
struct xenback_qkeys {
	uint32_t tx_ref[XENPV_MAX_RING_PAGES];
	uint32_t rx_ref[XENPV_MAX_RING_PAGES];
	uint32_t evtchn_tx;
	uint32_t evtchn_rx;
	bool split;
};

/*
 * Entry j: the guest TX ring of netif queue j, and ethdev RX queue j. The
 * ring pages and the event channel are owned by the control path; a burst
 * of ethdev RX queue i reads the rings it serves only while i's guard is
 * open (the control path closes every guard before it touches a ring).
 *
 * In the shared ring page (ring.sring) the guest owns req_prod and
 * rsp_event and the request slots it has not yet handed over; we own
 * rsp_prod, req_event and the slots of requests we consumed (where our
 * responses go). Nothing the guest owns is trusted: requests are copied out
 * before use and req_prod is range-checked once per burst.
 */
struct xenback_rxq {
	struct xenpv_dp_guard guard;
	/*
	 * 1 while the carrier is down (xenback_ops.c), as ethdev queue:
	 * the burst returns 0 and leaves the guest's requests in its ring.
	 * Written by the control path, read by bursts (relaxed atomics).
	 */
	uint32_t link_down;
	/* the guest's first violation on this ring (enum xenpv_violation) */
	struct xenpv_viol viol;

	netif_tx_back_ring_t ring;	/* our private indices + shared ring */
	xengnttab_handle *xgt;
	xenevtchn_handle *xce;
	evtchn_port_t evtchn;		/* local port for TX-ring kicks */
	uint16_t fe_domid;
	uint16_t port_id;		/* stamped on every mbuf */
	uint16_t buf_size;		/* data room of the mempool's mbufs */
	bool scatter;			/* RTE_ETH_RX_OFFLOAD_SCATTER */
	bool borrowed;			/* mp is another ethdev queue's */
	bool lro;			/* TCP_LRO: GSO packets are delivered */
	bool csum_offload;		/* L4 checksum offload enabled */
	bool sg;			/* we advertised feature-sg */
	/*
	 * The longest non-GSO frame delivered: the MTU the application set
	 * (plus Ethernet header and two VLAN tags), or any size if it set
	 * none. Also written by mtu_set while bursts run (atomic, relaxed).
	 */
	uint32_t max_frame;
	struct rte_mempool *mp;

	/* persistent grants of this ring (NULL: grant copy) */
	struct xenback_pgnt *pgnt;
	/* rx_zero_copy's context (NULL: every packet copied); its pgnt */
	struct xenback_zc *zc;

	struct xenback_credit credit;	/* the vif's rate limit */
	struct xenpv_kick kick;	/* kicks on the guest TX ring */
	/* the guest RX ring of the same netif queue (its owed kicks) */
	struct xenback_txq *peer;

	/* burst scratch, sized for the ring at connect */
	netif_tx_request_t *reqs;	/* copies of the requests consumed */
	struct xenback_rx_plan *plans;
	xengnttab_grant_copy_segment_t *segs;
	unsigned int nb_segs_max;
	struct xenpv_mbuf_stash stash;	/* the running burst's mbufs */

	/* control path only */
	void *ring_va;			/* the mapped ring pages */
	unsigned int ring_pages;

	struct xenback_rxq_stats st;
	struct xenback_mcast *mcast;	/* the vif's subscriptions */

	/*
	 * As ethdev RX queue: the rings its bursts serve (set by the control
	 * path with the guard closed); next is the burst's round-robin start.
	 */
	struct xenback_rxq *serve[XENPV_NETIF_MAX_QUEUES];
	uint8_t nb_serve;
	uint8_t next;
	uint16_t nb_desc;		/* what the application asked for */
} __rte_cache_aligned;

/*
 * Entry j: the guest RX ring of netif queue j, and ethdev TX queue j; same
 * rules. The
 * guest owns req_prod, rsp_event and the buffers (requests) it posted; we
 * own rsp_prod, req_event and the slots of the requests we took, where each
 * response goes (the guest reads responses by slot, not by id).
 */
struct xenback_txq {
	struct xenpv_dp_guard guard;
	/* as ethdev queue: the burst drops and counts (st.link_down) */
	uint32_t link_down;
	/* the guest's first violation on this ring (enum xenpv_violation) */
	struct xenpv_viol viol;

	netif_rx_back_ring_t ring;
	xengnttab_handle *xgt;
	xenevtchn_handle *xce;
	evtchn_port_t evtchn;		/* local port for RX-ring kicks */
	uint16_t fe_domid;
	struct xenback_fe_features fe;	/* what the guest can take */
	bool csum;			/* our csum switch */
	bool sg;			/* our sg switch */
	/* the guest's subscriptions if it asked for filtering, else NULL */
	struct xenback_mcast *mcast_filter;
	struct xenpv_kick kick;	/* kicks on the guest RX ring */
	/* persistent grants of this ring (NULL: grant copy) */
	struct xenback_pgnt *pgnt;

	/* burst scratch, sized for the ring at connect */
	netif_rx_request_t *reqs;	/* copies of the guest's buffers */
	uint16_t *buf_len;		/* bytes placed in each of them */
	struct xenback_tx_plan *plans;
	uint16_t *patch;		/* checksum values patched in */
	xengnttab_grant_copy_segment_t *segs;
	unsigned int nb_segs_max;

	/* control path only */
	void *ring_va;
	unsigned int ring_pages;

	struct xenback_txq_stats st;

	/* As a ring: serialises its senders when it has more than one. */
	rte_spinlock_t lock;

	/* As ethdev TX queue: the ring it fills (set with the guard closed). */
	struct xenpv_tx_map map;
	/*
	 * As ethdev TX queue while the guest steers (xenback_guest_rx.c):
	 * its hash (NULL: no steering), the rings (xd->txq, nb_rings netif
	 * queues), the ring of packets no hash type applies to (i mod n),
	 * and whether rings are taken under their lock (more than one TX
	 * queue). Set with the guard closed.
	 */
	const struct xenback_hash *hash;
	struct xenback_txq *rings;
	uint16_t nb_rings;
	uint16_t home;
	bool steer_lock;
	uint16_t nb_desc;		/* what the application asked for */
} __rte_cache_aligned;

/*
 * The vif's connection as the control path sees it (the diagram is at the
 * top of xenback_xenbus.c). xenback_set_conn() is its only writer.
 */
enum xenback_conn {
	XENBACK_CONN_ABSENT = 0,	/* no backend directory yet */
	XENBACK_CONN_HELD,		/* vif seen; port not configured */
	XENBACK_CONN_INITWAIT,		/* offered; waiting for the frontend */
	XENBACK_CONN_CONNECTED,		/* rings mapped, channels bound */
	XENBACK_CONN_CLOSING,		/* closed or refused; until restart */
	XENBACK_CONN_BROKEN,		/* closed on a violation; same */
	XENBACK_CONN_MAX,
};

/*
 * The longest domain name a port binds to (devarg domain, discovery): with
 * "net_xenback_", "_" and a devid, a port's name fits RTE_DEV_NAME_MAX_LEN.
 */
#define XENBACK_DOMAIN_NAME_MAX	40

/*
 * The port (dev_private). Like memif's cfg/run, what the user configured,
 * what we advertised and what the current connection negotiated are three
 * twin sub-structures: cfg is fixed at probe; everything else is owned by
 * the control path and protected by @lock.
 */
struct xenback_dev {
	/*
	 * Which vif: vif @devid of domain @fe_domid (devarg domid), or of
	 * the domain called @domain (devarg domain, and every port that
	 * discovery creates): such a port binds to the domain of that name
	 * that has the vif, and when that vif goes (the guest is destroyed
	 * or reboots under a new domid) it waits for the next one, so one
	 * port follows a guest across reboots. fe_domid, bound and be_path
	 * are written by the control path with xd->lock and the port
	 * registry's lock (xenback_discover.c) held.
	 */
	uint16_t fe_domid;		/* the frontend's domain */
	uint32_t devid;			/* vif number */
	char domain[XENBACK_DOMAIN_NAME_MAX + 1];	/* "": by domid */
	bool by_name;			/* bound by @domain */
	bool bound;			/* fe_domid and be_path name the vif */
	bool dir_watched;		/* watching backend/vif (unbound) */
	bool rmv_pending;		/* raise INTR_RMV once unlocked */
	bool netback_logged;		/* "xen-netback serves it" said */
	TAILQ_ENTRY(xenback_dev) reg;	/* in the port registry */

	/* what the user configured (devargs): the most we offer */
	struct {
		uint16_t max_queues;	/* multi-queue-max-queues bound */
		uint8_t max_order;	/* max-ring-page-order */
		bool ctrl_ring;		/* feature-ctrl-ring offered (devarg) */
		bool pgnt;		/* persistent grants offered (devarg) */
		bool rx_zc;		/* rx_zero_copy (devarg) */
		struct xenpv_cfg pv;	/* sg, csum, gso, split, kick gap */
	} cfg;

	uint16_t self_domid;
	uint16_t port_id;
	struct rte_eth_dev *eth_dev;
	char name[RTE_ETH_NAME_MAX_LEN];
	char be_path[XENPV_PATH_MAX];	/* our backend directory */
	char be_dir[XENPV_PATH_MAX];	/* backend/vif: where vifs appear */
	char fe_path[XENPV_PATH_MAX];	/* the frontend's, from the toolstack */
	char fe_state_path[XENPV_PATH_MAX];

	/* per-process Xen handles */
	struct xs_handle *xs;
	xengnttab_handle *xgt;
	xenevtchn_handle *xce;
	/* the control ring's channel only: its descriptor wakes ctl */
	xenevtchn_handle *ctrl_xce;
	/* the port's control thread: watch events, violations, timers */
	struct xenpv_ctl ctl;

	pthread_mutex_t lock;		/* serialises the control path */
	enum xenback_conn conn;		/* the vif's connection */
	bool fe_watched;		/* watch on fe_state_path registered */
	bool mc_watched;		/* ... on its request-multicast-control */
	int be_state;			/* the state we last wrote */
	bool started;			/* dev_start done */
	bool closing;			/* dev_close in progress */
	bool lsc_pending;		/* raise LSC once the lock is dropped */

	/*
	 * Watch events, coalesced (xenback_xenbus.c): the control thread
	 * sets a bit per kind of event it drains and acts once per batch;
	 * fe_seen is the frontend state the last reconcile acted on, so a
	 * rewrite of the same value costs one read, not a reconnect.
	 */
	uint32_t pending;		/* XB_WHY_* bits not yet acted on */
	uint32_t batch_events;		/* events in the current batch */
	int fe_seen;			/* frontend state last acted on */
	bool rekey_pending;		/* look at its keys at rekey_next */
	uint64_t rekey_next;		/* ms: no key read before this */

	/*
	 * Reconnect budget (devarg max_reconnects, xenpv.h): when the
	 * frontend started over (Initialising) more often than that in the
	 * last minute, InitWait is held back until reconnect.at.
	 */
	struct xenpv_budget reconnect;
	bool reattach;			/* frontend was connected when we came */
	bool configured;		/* dev_configure done: InitWait allowed */
	bool hotplug_wait;		/* waiting for hotplug-status=connected */
	bool offline_held;		/* not offered: the vif's online key is 0 */
	uint16_t app_mtu;		/* MTU set by the application, 0: none */
	/*
	 * The toolstack's keys of the vif (libxl writes them in our
	 * directory), read each time a vif is found: @guest_mac, the
	 * guest's MAC ("mac", all zero when absent or not a unicast MAC),
	 * and @ts_mtu, the vif's MTU ("mtu", 0 when absent or not an MTU,
	 * clamped to what the guest can receive). While the application has
	 * set no MTU (@app_mtu 0) the port's MTU follows @ts_mtu
	 * (xenback_port_mtu).
	 */
	struct rte_ether_addr guest_mac;
	uint16_t ts_mtu;
	bool carrier_down;		/* carrier "0": ours or the toolstack's */

	/* Rx interrupts (intr_conf.rxq): one handle per RX queue */
	struct xenpv_rx_intr rx_intr;

	/*
	 * What dev_configure wants offered (cfg narrowed by the port's
	 * configuration), and what the keys in our directory offer now: want
	 * becomes adv when it is written, which is never while a frontend
	 * may have read adv and be connecting with it (B3 of the hostile
	 * review). A connection is checked against adv.
	 */
	struct {
		uint16_t queues;	/* multi-queue-max-queues */
		bool gso;		/* feature-gso-tcpv4/6 */
	} want, adv;

	/* what the current connection negotiated (zero when none) */
	struct {
		uint16_t queues;	/* netif queues */
		uint8_t order;		/* ring-page-order */
		struct xenback_fe_features fe;
		/* the keys in use, to notice a frontend that re-keyed */
		struct xenback_qkeys qkeys[XENPV_NETIF_MAX_QUEUES];
	} neg;

	/* the guest's multicast subscriptions (xenback_guest_tx.c) */
	struct xenback_mcast mcast;

	/* the control ring, and the hash the bursts read (xenback_ctrl.c) */
	struct xenback_ctrl ctrl;
	struct xenback_hash hash_dp;

	/* control-path counters (violations: fatal protocol violations) */
	struct xenpv_vif_counts cnt;
	uint64_t refused;		/* connections refused (bad keys) */
	uint64_t xs_events;		/* xenstore watch events taken */
	uint64_t xs_coalesced;		/* events handled with another */
	uint64_t mcast_switches;	/* filtering turned on/off, connected */

	struct xenback_rxq *rxq;	/* XENPV_NETIF_MAX_QUEUES of each */
	struct xenback_txq *txq;
};

/*
 * The largest MTU the guest can receive: a frame above one page needs
 * several of its buffers (feature-sg, both ways). Without it, the plain
 * Ethernet MTU, as Linux netback limits a vif without sg. Under xd->lock.
 */
static inline uint32_t
xenback_mtu_max(const struct xenback_dev *xd)
{
	return xenpv_netif_mtu_max(xd->cfg.pv.sg &&
		(xd->conn != XENBACK_CONN_CONNECTED || xd->neg.fe.sg));
}

/*
 * The port's MTU, under xd->lock: the application's (mtu_set), else the
 * toolstack's mtu key of the vif, else 0 (none: frames of any size the
 * guest's features allow are taken).
 */
static inline uint16_t
xenback_port_mtu(const struct xenback_dev *xd)
{
	return xd->app_mtu != 0 ? xd->app_mtu : xd->ts_mtu;
}

/* xenback_ops.c: descriptor status, link up/down, Rx interrupts */
XENPV_OPS_DECLARE(xenback);
void xenback_carrier_follow(struct xenback_dev *xd);
void xenback_apply_link_down(struct xenback_dev *xd);
xenevtchn_handle *xenback_ring_intr_handle(struct xenback_dev *xd,
					   unsigned int ring);

/* xenback_discover.c: the port registry, names, the wildcard */
int xenback_reg_add(struct xenback_dev *xd);
void xenback_reg_del(struct xenback_dev *xd);
bool xenback_reg_claim(struct xenback_dev *xd, uint16_t domid);
void xenback_reg_release(struct xenback_dev *xd);
int xenback_domain_name(struct xs_handle *xs, unsigned int domid, char *buf,
			size_t size);
bool xenback_netback_serves(unsigned int domid, unsigned int devid);
bool xenback_vif_dying(struct xs_handle *xs, const char *be_path);
bool xenback_dir_event(const char *dir, const char *path);
char **xenback_list_ids(struct xs_handle *xs, const char *path,
			unsigned long max, unsigned int *num);
int xenback_wild_start(const char *name, const char *port_args,
		       int64_t devid);
bool xenback_wild_stop(const char *name);

/* xenback_ctrl.c: the vif's control ring (hash settings) */
int xenback_ctrl_connect(struct xenback_dev *xd, uint32_t ref,
			 uint32_t remote);
void xenback_ctrl_disconnect(struct xenback_dev *xd);
bool xenback_ctrl_serve(struct xenback_dev *xd);
void xenback_ctrl_steer(struct xenback_dev *xd);
/* xenback_xenbus.c: every TX guard closed (bursts inside leave), reopened */
void xenback_tx_quiesce(struct xenback_dev *xd, bool *was_open);
void xenback_tx_resume(struct xenback_dev *xd, const bool *was_open);

/* xenback_xenbus.c: the control path */
int xenback_xenbus_start(struct xenback_dev *xd);
void xenback_xenbus_stop(struct xenback_dev *xd);
int xenback_xenbus_configure(struct xenback_dev *xd);
int xenback_xenbus_set_mtu(struct xenback_dev *xd, uint16_t mtu);
int xenback_xenbus_dump(struct xenback_dev *xd, FILE *f);
void xenback_xenbus_set_started(struct xenback_dev *xd, bool started);
void xenback_update_link(struct xenback_dev *xd);


/* xenback_guest_tx.c: what the guest sends (rx_burst) */
uint16_t xenback_rx_burst(void *queue, struct rte_mbuf **pkts,
			  uint16_t nb_pkts);
int xenback_rxq_alloc_scratch(struct xenback_rxq *rxq, int socket);
void xenback_rxq_free_scratch(struct xenback_rxq *rxq);

/* xenback_pgnt.c: persistent grants */
int xenback_pgnt_create(struct xenback_pgnt **pgp, xengnttab_handle *xgt,
			uint16_t domid, unsigned int slots, bool writable);
unsigned int xenback_pgnt_destroy(struct xenback_pgnt **pgp);
uint8_t *xenback_pgnt_page(struct xenback_pgnt *pg, uint32_t ref,
			   struct xenpv_viol *viol, uint64_t *maps);
void xenback_pgnt_copy(struct xenback_pgnt *pg,
		       xengnttab_grant_copy_segment_t *segs, unsigned int nseg,
		       bool to_guest, struct xenpv_viol *viol, uint64_t *maps,
		       uint64_t *mapped);

/* xenback_zc.c: rx_zero_copy */
int xenback_zc_create(struct xenback_zc **zcp, uint16_t domid,
		      unsigned int slots, int socket);
void xenback_zc_put(struct xenback_zc **zcp);

/* xenback_guest_rx.c: what the guest receives (tx_burst) */
uint16_t xenback_tx_burst(void *queue, struct rte_mbuf **pkts,
			  uint16_t nb_pkts);
int xenback_txq_alloc_scratch(struct xenback_txq *txq, int socket);
void xenback_txq_free_scratch(struct xenback_txq *txq);

/*
 * A queue's scratch array @p of @n elements, zeroed, named @name, on
 * @socket (NULL on failure); freed (and forgotten) by XENBACK_SCRATCH_FREE.
 */
#define XENBACK_SCRATCH_ALLOC(p, name, n, socket)			\
	((p) = rte_zmalloc_socket(name, (size_t)(n) * sizeof(*(p)), 0, socket))

#define XENBACK_SCRATCH_FREE(p) do {					\
	rte_free(p);							\
	(p) = NULL;							\
} while (0)

#endif /* XENBACK_H */
