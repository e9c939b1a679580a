/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xennet private state.
 *
 * One port is one vif of this domain (device/vif/<devid>). The port's
 * struct xennet_adapter lives in the ethdev's dev_private; its queues are
 * struct xennet_txq / struct xennet_rxq in dev->data->{tx,rx}_queues.
 * Every pointer into shared pages, and every Xen handle, is valid in the
 * primary process only: a secondary process attaches with the read-only
 * ops of XENPV_ETH_DEV_OPS_SECONDARY (xenpv_vdev.h), which read only the
 * configuration, the queues' counters (rte_malloc'd, shared) and the
 * link, under the process-shared lock where needed.
 *
 * Who owns what:
 *  - the shared ring pages: the sring's req_prod and rsp_event are ours,
 *    rsp_prod and req_event the backend's; the slots alternate (a request
 *    we write, then the response the backend writes in its place);
 *  - the data pages: ours; RX pages are granted writable (the backend
 *    copies packets in), TX pages read-only (the backend copies out); with
 *    tx_zero_copy=1 a TX request may also name an RX page of a zero-copy
 *    pool, writable, which the backend then only reads (xennet_rxtx.c);
 *  - everything else: ours, the data-path part touched only by the lcore
 *    running the queue's bursts, the control-path part only under
 *    adapter->lock.
 */

#ifndef XENNET_H
#define XENNET_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <ethdev_driver.h>

/* xenpv.h first: it must define the ring barriers before any Xen header */
#include "xenpv.h"
#include "xenpv_stash.h"
#include "xennet_proto.h"
#include "xenpv_intr.h"

#include <xengnttab.h>
#include <xenevtchn.h>

extern int xennet_logtype;
#define XENNET_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, xennet_logtype, "%s(): " fmt "\n", \
		__func__, ##__VA_ARGS__)

/*
 * Most pages one ring of data pages needs: one per slot at order 4, twice
 * that for a zero-copy RX pool (struct xennet_zc_pool).
 */
#define XENNET_MAX_RING_SLOTS XENPV_TX_RING_SIZE(XENPV_MAX_RING_PAGE_ORDER)
#define XENNET_MAX_PAGES (2 * XENNET_MAX_RING_SLOTS)
#define XENNET_MAX_CHUNKS (XENNET_MAX_PAGES / XENNET_SHARE_CHUNK)

/*
 * Pages we shared with the backend through xengntshr_share_pages(), in
 * chunks of up to XENNET_SHARE_CHUNK contiguous pages. Page i is at
 * chunk[i / XENNET_SHARE_CHUNK] + (i % XENNET_SHARE_CHUNK) pages; its grant
 * is refs[i].
 */
struct xennet_pages {
	uint32_t nr;				/* pages shared so far */
	uint32_t nr_chunks;			/* chunks mapped */
	uint8_t *chunk[XENNET_MAX_CHUNKS];	/* our mapping of each chunk */
	grant_ref_t *refs;			/* [capacity] grant refs */
};

/* Pages in chunk @c of a page set. */
static inline uint32_t
xennet_chunk_pages(const struct xennet_pages *p, uint32_t c)
{
	return RTE_MIN(XENNET_SHARE_CHUNK, p->nr - c * XENNET_SHARE_CHUNK);
}

/*
 * The granted TX pool (devarg tx_pool=N, xennet_txpool.c): a mempool of N
 * mbufs whose 2048-byte data rooms, two per page, lie in pages shared
 * read-only with the backend domain; their headers and shared infos are in
 * ordinary memory. At most XENNET_TX_POOL_MAX mbufs: 2048 pages, a
 * sixteenth of a guest's grant table at Xen's default size (64 frames of
 * v1 entries, 32768 grants), which all its PV devices share, and within
 * persistent grants' bound for the smallest ring (XENPV_NETIF_PGNT_MAX(256)
 * = 4608 refs) together with the ring's own pages and a zero-copy RX pool
 * (256 + 512 + 2048). Made at
 * probe, freed at dev_close once every mbuf is back (else kept until they
 * are: xennet_txpool.c); read by the TX bursts (struct xennet_txq's
 * txpool) while the port lives. Process memory (calloc), primary only.
 */
#define XENNET_TX_POOL_MAX	4096u
#define XENNET_TX_POOL_BUF	2048u
#define XENNET_TX_POOL_PER_PAGE	(XENPV_PAGE_SIZE / XENNET_TX_POOL_BUF)
#define XENNET_TX_POOL_NAME_FMT	"xennet_tx_%u"	/* the port id */

struct xennet_tx_pool {
	struct rte_mempool *mp;		/* what the application allocates from */
	uint32_t n;			/* its mbufs */
	xengntshr_handle *xgs;		/* shares the pages (may outlive the port) */
	struct xennet_pages pages;	/* the data rooms' pages and grants */
	uint32_t nr_registered;		/* chunks given to rte_extmem_register */
	char name[RTE_MEMPOOL_NAMESIZE];
	struct xennet_tx_pool *next;	/* on the list of kept pools */
};

/* The pages of one shared ring (2^order contiguous pages). */
struct xennet_ring_mem {
	void *mem;				/* our mapping, NULL if none */
	uint32_t nr_pages;
	grant_ref_t refs[XENPV_MAX_RING_PAGES];	/* written to xenstore */
};

struct xennet_zc_page;

/*
 * One TX request id. Each id owns one granted data page for the life of the
 * connection: a packet's data is copied into the pages of the ids it takes,
 * and an id is free again when the backend answers it. The mbuf is freed as
 * soon as its burst ends, so no mbuf is ever in flight. With tx_zero_copy=1
 * a request may instead name a zero-copy RX page an mbuf segment is
 * attached to (by reference): the id then holds one reference on that page
 * (ref), taken when the request is written and dropped when the backend
 * answers the id or the connection is torn down, so the page is neither
 * posted to an RX ring again nor its grant revoked while the backend may
 * still read it. Data path only (the lcore of the ring's bursts), and the
 * control path's teardown with the guards closed.
 */
struct xennet_tx_slot {
	uint8_t *page;		/* our mapping of the id's data page */
	struct xennet_zc_page *ref; /* page sent by reference, or NULL */
	/*
	 * A segment of the granted TX pool sent by reference (tx_pool), or
	 * NULL: the id holds one mbuf reference on it (rte_mbuf_refcnt) from
	 * its request to its response or the teardown, which free it.
	 */
	struct rte_mbuf *held;
	grant_ref_t gref;	/* its grant (read-only for the backend) */
	uint16_t next_free;	/* next free id, while this one is free */
	uint8_t in_flight;	/* 1 from request to response */
	uint8_t extras;		/* extra-info slots after this request */
	/*
	 * A multicast-control request of the control path (xennet_mcast.c):
	 * XENNET_TX_CTL_POSTED until its response, then _ANSWERED with the
	 * backend's status in ctl_status, which the control path reads and
	 * resets. 0 for the application's packets (set when an id is taken).
	 */
	uint8_t ctl;
	int16_t ctl_status;
};

#define XENNET_TX_CTL_POSTED	1
#define XENNET_TX_CTL_ANSWERED	2

/*
 * One RX ring slot. Linux netback answers each RX request in the ring slot
 * of the request, so slot i always posts request id i with page i, and the
 * response found in slot i must carry id i.
 */
struct xennet_rx_slot {
	const uint8_t *page;	/* our mapping of the slot's data page */
	grant_ref_t gref;	/* its grant (writable by the backend) */
	uint32_t zc_page;	/* rx_zero_copy: the page's pool index */
};

struct xennet_zc_pool;

/*
 * One page of a zero-copy RX pool (rx_zero_copy=1), in our own memory,
 * never in the granted page it describes: the backend can write the page,
 * not what frees it. An mbuf delivered with the page attached as its
 * external buffer points its shinfo here; the last free of the page calls
 * xennet_zc_page_free, which gives the page back to the pool.
 */
struct xennet_zc_page {
	struct rte_mbuf_ext_shared_info shinfo;	/* refcnt, free_cb */
	struct xennet_zc_pool *pool;
	uint8_t *addr;		/* our mapping of the page */
	rte_iova_t iova;	/* what attach_extbuf records */
	grant_ref_t gref;	/* its grant (writable by the backend) */
	uint32_t idx;		/* in pool->page[] */
};

/*
 * The pages of one RX ring with rx_zero_copy=1: twice the ring, so the
 * application can hold a ring's worth of packets while the ring stays
 * posted. A page is in exactly one place: the burst's free stack, posted in
 * a ring slot, attached to mbufs the application holds, or on the way back
 * in the free ring. Created by the control path at each connection (its
 * own grant-sharing handle), used by the RX burst of its queue and, after a
 * backend restart, again if no page is out (xennet_zc_pool_reuse),
 * released by the control path (xennet_zc_pool_put): it then lives on, its
 * pages granted, until the application has freed every mbuf that points
 * into it, and the last such free revokes the grants and frees it. A page
 * is never posted again, nor its grant revoked, while an mbuf points at it.
 */
struct xennet_zc_pool {
	/*
	 * References (atomic): one for the queue that posts the pages, one
	 * per page out with the application. Whoever drops the last one
	 * destroys the pool.
	 */
	uint32_t refs;
	uint32_t nr;			/* pages */
	domid_t domid;			/* the domain the pages are granted to */
	xengntshr_handle *xgs;		/* shares pages (may outlive the port) */
	struct xennet_pages pages;	/* the shared chunks and grants */
	struct xennet_zc_page *page;	/* [nr], rte_zmalloc */
	/* pages the application freed (any lcore: multi-producer) */
	struct rte_ring *returned;
	/* the burst's own free pages (single lcore, no atomics) */
	uint32_t *stack;		/* [nr] page indices */
	uint32_t nr_stack;
};

/* One received packet as found in the ring, before it is copied. */
struct xennet_rx_pkt {
	RING_IDX end;		/* index after the packet's last slot */
	uint32_t len;		/* sum of the data slots' sizes */
	uint16_t nr_data;	/* data slots (may exceed seg[]) */
	uint16_t flags;		/* NETRXF_* of the first response */
	uint16_t gso_size;	/* from a GSO extra, 0 if none */
	bool error;		/* a slot had a negative status */
	bool has_hash;		/* a HASH extra came: hash is its value */
	uint32_t hash;
	struct {
		uint16_t slot;
		uint16_t offset;
		uint16_t len;
	} seg[XENNET_RX_MAX_SLOTS];
};

enum xennet_rx_stage {
	XENNET_RX_STAGE_NONE = 0,	/* no walk under way */
	XENNET_RX_STAGE_FIRST,		/* next: the first response */
	XENNET_RX_STAGE_EXTRAS,		/* next: an extra-info slot */
	XENNET_RX_STAGE_DATA,		/* next: a more_data response */
	XENNET_RX_STAGE_DONE,		/* parsed whole, not consumed yet */
};

/*
 * Where the walk of the packet at rsp_cons stands: a packet whose slots
 * are not all produced yet is resumed there by the next burst.
 */
struct xennet_rx_cursor {
	RING_IDX start;			/* the packet's first slot */
	RING_IDX idx;			/* the next slot to read */
	enum xennet_rx_stage stage;
	uint16_t last_flags;		/* flags of the last data response */
	struct xenpv_netif_extras x;	/* the extra-info chain so far */
	struct xennet_rx_pkt pkt;	/* the packet so far */
};

/*
 * Counters of one queue, written only by the lcore running its bursts.
 * stats_reset does not write them: it copies them into the queue's
 * stats_base, and readers report the difference.
 */
struct xennet_txq_stats {
	uint64_t packets;	/* packets queued to the backend */
	uint64_t bytes;
	uint64_t drop_len;	/* shorter than a header or over 65535 */
	uint64_t drop_nosg;	/* needs several slots; no feature-sg */
	uint64_t drop_offload;	/* offload the backend did not offer */
	uint64_t drop_malformed; /* mbuf chain whose lengths disagree */
	uint64_t rsp_error;	/* slots answered NETIF_RSP_ERROR */
	uint64_t rsp_dropped;	/* slots answered NETIF_RSP_DROPPED */
	uint64_t ring_full;	/* bursts cut short by a full ring */
	uint64_t gso;		/* packets sent with a GSO extra */
	uint64_t kicks;		/* event-channel notifications */
	uint64_t kicks_held;	/* kicks owed (notify_gap_us) */
	uint64_t kick_errors;	/* failed notifications */
	uint64_t violations;	/* protocol violations seen */
	uint64_t link_down;	/* dropped: the application set link down */
	uint64_t zc_segments;	/* tx_zero_copy: segments sent by reference */
	uint64_t zc_fallback;	/* ... external-buffer segments copied */
	uint64_t pool_segments;	/* tx_pool: its segments sent by reference */
	uint64_t pool_fallback;	/* ... its segments copied */
};

struct xennet_rxq_stats {
	uint64_t packets;	/* packets handed to the application */
	uint64_t bytes;
	uint64_t rsp_error;	/* packets with an error/dropped status */
	uint64_t drop_slots;	/* more than XENNET_RX_MAX_SLOTS slots */
	uint64_t drop_noscatter; /* larger than one mbuf, no scatter */
	uint64_t drop_empty;	/* zero-length packets */
	uint64_t drop_len;	/* longer than feature-sg allows */
	uint64_t drop_offload;	/* GSO or csum_blank we did not ask for */
	uint64_t nombuf;	/* mbuf allocation failures */
	uint64_t slots_read;	/* responses read from the ring */
	uint64_t gso;		/* packets with a GSO extra (LRO) */
	uint64_t kicks;		/* event-channel notifications */
	uint64_t kicks_held;	/* kicks owed (notify_gap_us) */
	uint64_t kick_errors;	/* failed notifications */
	uint64_t violations;	/* protocol violations seen */
	uint64_t zc_packets;	/* delivered with pages attached */
	uint64_t zc_refill_short; /* bursts that left slots unposted */
};


/* What the backend offered, read from its directory at connect. */
struct xennet_be_features {
	bool sg;
	bool gso_v4;
	bool gso_v6;
	bool ipv6_csum;
	bool split;
	bool has_max_order;		/* max-ring-page-order present */
	unsigned int max_order;		/* clamped to our maximum */
	unsigned int max_queues;	/* 1 if not advertised */
	bool has_max_queues;		/* multi-queue-max-queues present */
	bool ctrl_ring;			/* feature-ctrl-ring */
	bool pgnt;			/* XENPV_NETIF_FEATURE_PGNT offered */
	bool mcast_ctrl;		/* feature-multicast-control */
	bool mcast_dyn;			/* feature-dynamic-multicast-control */
};

/*
 * The vif's control ring (xennet_ctrl.c): one shared page of requests and
 * responses, two read-only pages that carry the key and the mapping table
 * to the backend, an event channel on a handle of its own. Set up with the
 * rest of a connection when the backend offers it, used only under
 * ad->lock: the settings queued before Connected (pre_n requests from id
 * pre_id, answered together once the backend is Connected), then one
 * request at a time, each answer awaited at most XENNET_CTRL_TIMEOUT_MS.
 */
struct xennet_ctrl {
	xen_netif_ctrl_front_ring_t ring;
	void *ring_va;			/* NULL: no control ring */
	grant_ref_t ring_ref;
	uint8_t *data_va;		/* two pages: the key, the table */
	grant_ref_t data_ref[2];
	xenevtchn_handle *xce;
	int evtchn;			/* local port, -1: none */
	uint16_t next_id;
	uint16_t pre_id, pre_n;		/* queued before Connected */
	uint16_t pre_size;		/* the table size they set */
	bool pre_stale;			/* changed by the application since */
	uint32_t lost;			/* timed out, answer still owed */
	bool broken;			/* a bad answer: no more requests */
	/* what the backend answered when we configured it */
	bool active;			/* it hashes with our settings */
	uint32_t types;			/* hash types it supports */
	uint32_t map_max;		/* its largest mapping table */
	uint64_t calls, errors, timeouts;
};

/*
 * RSS as the application asked for it (dev_configure's rss_conf, then
 * rss_hash_update and reta_update): kept across connections and sent to
 * each backend that connects. reta[i] is an ethdev RX queue, which is
 * netif queue i (xennet.h); until the application sets a RETA the table
 * spreads the hash over the connection's netif queues.
 */
struct xennet_rss {
	bool on;			/* mq_mode RSS and some hash type */
	uint64_t rss_hf;		/* RTE_ETH_RSS_* */
	uint8_t key[XENPV_NETIF_HASH_KEY_MAX];
	bool reta_set;
	uint16_t reta[XENPV_NETIF_HASH_MAPPING_MAX];
};

/*
 * Multicast control (xennet_mcast.c). The application's groups
 * (set_mc_addr_list) are kept across connections; be[] is what the
 * backend holds on this connection, every MCAST_ADD it answered OKAY and
 * no MCAST_DEL since (empty at each connection: a backend starts a
 * connection with an empty list).
 */
#define XENNET_MC_MAX	128	/* groups kept (backends hold 64) */
struct xennet_mc {
	uint32_t n;
	struct rte_ether_addr addr[XENNET_MC_MAX];
	uint32_t nb_be;
	struct rte_ether_addr be[XENNET_MC_MAX];
	uint64_t ops;			/* MCAST_ADD/DEL answered OKAY */
	uint64_t errors;		/* answered ERROR, or not in time */
	bool apply_failed_logged;	/* at connect: logged once */
};

struct xennet_adapter;

/*
 * Ethdev queues and netif queues. A connection has n netif queues, n the
 * smallest of the port's RX queues, its TX queues, the queues devarg and
 * what the backend offers (every netif queue then has an ethdev RX queue
 * to drain it, and a TX queue structure to hold its TX ring):
 *
 *  - ethdev RX queue i < n is the RX ring of netif queue i; an RX queue
 *    i >= n has no ring behind it and its bursts return 0;
 *  - ethdev TX queue i < n holds the TX ring of netif queue i, and every
 *    ethdev TX queue i sends on the ring of queue i mod n. A ring that two
 *    ethdev TX queues send on (more TX queues than netif queues, as OVS-DPDK
 *    configures) is serialised by its spinlock; a ring with one sender
 *    takes no lock.
 *
 * The control path sets the mapping (serve, shared) while every guard is
 * closed, so a burst sees one mapping from entering its guard to leaving.
 */

/*
 * One TX ring of a netif queue, and an ethdev TX queue. The shared page's
 * req_prod and rsp_event are ours, rsp_prod and req_event the backend's;
 * every response slot is the backend's and is copied out with
 * RING_COPY_RESPONSE and checked before use. The data-path part belongs to
 * the lcore(s) running bursts on the ring; the control path sets it up
 * before opening the guards and tears it down only after closing them.
 */
struct xennet_txq {
	struct xenpv_dp_guard guard;	/* bursts vs. control path */
	/*
	 * dev_set_link_down: 1 while the application holds the link down
	 * (written by the control path, read by bursts: relaxed atomics).
	 * A TX burst then drops and counts (stats.link_down) what it is
	 * given; an RX burst returns 0 and leaves the ring to the backend.
	 */
	uint32_t link_down;
	struct xenpv_tx_map map;	/* the ring this ethdev queue fills */
	rte_spinlock_t lock;		/* as a ring: serialises shared senders */

	/* Data path: set up at connect, used by bursts while open. */
	netif_tx_front_ring_t ring;	/* private indices + shared page */
	struct xennet_tx_slot *slots;	/* [ring size], by request id */
	uint32_t nr_free;		/* ids on the free list */
	uint16_t free_head;		/* first free id */
	uint32_t nulls_due;		/* extras of answered ids, unanswered */
	bool sg;			/* backend takes multi-slot packets */
	/*
	 * tx_zero_copy=1: the free callback of our zero-copy RX pages
	 * (xennet_zc_page_free), by which a segment's external buffer is
	 * known as one of them; NULL: tx_zero_copy=0
	 */
	rte_mbuf_extbuf_free_callback_t zc_free_cb;
	domid_t be_domid;		/* the backend's domain (tx_zero_copy) */
	/*
	 * With persistent grants promised (neg.pgnt): the one pool whose
	 * pages may go by reference, this netif queue's, so that the refs
	 * this ring names stay within the promise (its pages and that
	 * pool's, granted for the connection; without a pool nothing goes
	 * by reference); NULL: any pool of be_domid.
	 */
	const struct xennet_zc_pool *zc_only;
	/*
	 * tx_pool: the port's granted TX pool, whose segments go by
	 * reference (ad->txpool, NULL: none); its mempool, to know them.
	 */
	const struct xennet_tx_pool *txpool;
	const struct rte_mempool *txpool_mp;
	struct xenpv_netif_ol_caps caps; /* ... blank csums, GSO extras */
	struct xenpv_kick kick;		/* our end of the TX channel */
	struct xenpv_viol viol;		/* enum xenpv_violation: broken */
	struct xennet_txq_stats stats;

	/* Control path. */
	struct xennet_txq_stats stats_base;
	struct xennet_adapter *ad;
	uint16_t queue_id;
	uint16_t nb_desc;		/* what the application asked for */
	struct xennet_ring_mem ring_mem;
	struct xennet_pages pages;	/* one page per id */
};

/*
 * One RX ring of a netif queue. Every slot always holds a posted request
 * (slot i: id i, data page i); the backend answers in the same slot. Who
 * owns what is as for struct xennet_txq.
 */
struct xennet_rxq {
	struct xenpv_dp_guard guard;	/* bursts vs. control path */
	uint32_t link_down;		/* as struct xennet_txq's */

	/* Data path. */
	netif_rx_front_ring_t ring;
	struct xennet_rx_slot *slots;	/* [ring size], by slot */
	struct rte_mempool *mp;		/* mbufs we copy packets into */
	uint16_t port_id;
	bool scatter;			/* may chain mbufs */
	uint32_t max_len;		/* longest frame we deliver */
	bool gso;			/* we wrote feature-gso-tcpv4/6=1 */
	bool csum;			/* we wrote feature-no-csum-offload=0 */
	struct xenpv_kick kick;		/* our end of the RX channel */
	struct xennet_txq *tx;		/* the same netif queue's TX ring */
	struct xenpv_viol viol;		/* enum xenpv_violation: broken */
	struct xennet_rx_cursor cur;	/* the walk of the packet at cons */
	struct xennet_zc_pool *zc;	/* rx_zero_copy=1: the ring's pages */
	struct xenpv_mbuf_stash stash;	/* the running burst's mbufs */
	struct xennet_rxq_stats stats;

	/* Control path. */
	struct xennet_rxq_stats stats_base;
	struct xennet_adapter *ad;
	uint16_t queue_id;
	uint16_t nb_desc;		/* what the application asked for */
	struct xennet_ring_mem ring_mem;
	struct xennet_pages pages;	/* one page per slot (copy mode) */
};

/* The event channel(s) of one netif queue (-1: not bound). */
struct xennet_evtchn {
	int tx;
	int rx;		/* == tx without split event channels */
	xenevtchn_handle *tx_xce;	/* the handle each is bound on: */
	xenevtchn_handle *rx_xce;	/* ad->xce, or the Rx interrupt one */
};

/*
 * One net_xennet port (the ethdev's dev_private): its devargs, what the
 * toolstack wrote for the vif, the Xen handles, and the state of the
 * connection with the backend. Nothing here is shared with the backend;
 * the backend's xenstore keys are read into it (and range-checked) by the
 * control path.
 */
struct xennet_adapter {
	char name[RTE_ETH_NAME_MAX_LEN];
	struct rte_eth_dev *dev;

	unsigned int devid;		/* device/vif/<devid> (devarg) */

	/*
	 * What the user configured (devargs), fixed at probe. With neg
	 * below, the twin structures memif keeps as cfg and run.
	 */
	struct {
		unsigned int max_queues;	/* netif queues we ask for */
		unsigned int ring_order;	/* 2^order pages per ring */
		bool rx_zero_copy;	/* deliver RX pages as extbufs */
		bool tx_zero_copy;	/* send such pages by reference */
		bool pgnt;		/* promise persistent grants if offered */
		uint32_t tx_pool;	/* mbufs of the granted TX pool, 0: none */
		struct xenpv_cfg pv;	/* sg (MTU up to 65521), csum, gso,
					 * split, kick gap */
	} cfg;

	/* From the toolstack's keys, read at probe. */
	char fe_path[XENPV_PATH_MAX];	/* device/vif/<devid> (relative) */
	char be_path[XENPV_PATH_MAX];	/* absolute backend directory */
	char be_state[XENPV_PATH_MAX];	/* <be_path>/state, watched */
	unsigned int be_domid;
	bool be_no_sg;			/* backend offered feature-sg=0 */
	struct rte_ether_addr mac;
	uint16_t mtu;			/* the toolstack's mtu key */

	/* Handles, opened at probe. */
	struct xs_handle *xs;
	struct xenpv_ctl ctl;		/* the port's control thread */
	bool watching;			/* watch on <be_path>/state added */
	bool be_event;			/* a watch event since the last round
					 * (the control thread's own) */
	xengntshr_handle *xgs;
	xenevtchn_handle *xce;
	/* tx_pool: the granted TX pool, from probe to dev_close, or NULL */
	struct xennet_tx_pool *txpool;

	/* Connection state, under lock. */
	pthread_mutex_t lock;
	bool started;			/* between dev_start and dev_stop */
	bool connected;			/* rings shared, keys written */
	bool be_caught_up;		/* backend Connected since then */
	uint32_t failed;		/* sticky: broken or refused backend */
	int fe_state;			/* the state we last wrote */
	struct xennet_evtchn evtchn[XENPV_NETIF_MAX_QUEUES];
	/*
	 * The current connection: what the backend offered, and what we
	 * asked for against it (our request-/feature- keys), from the
	 * application's configuration.
	 */
	struct {
		uint16_t queues;		/* netif queues */
		struct xennet_be_features peer;	/* the backend's offer */
		bool rx_csum;		/* we accept csum_blank packets */
		bool rx_gso;		/* we accept GSO packets */
		bool rx_sg;		/* we accept multi-slot packets */
		bool mc_filter;		/* we wrote request-multicast-control=1 */
		/*
		 * We wrote XENPV_NETIF_FEATURE_PGNT=1: the promise that every
		 * ref in our requests is one of the pages each queue shares
		 * at connect (txq/rxq pages, the zero-copy pool), granted
		 * until the connection ends: at most a ring's slots (twice
		 * for the zero-copy pool), below XENPV_NETIF_PGNT_MAX.
		 */
		bool pgnt;
	} neg;
	/*
	 * Reconnect budget (devarg max_reconnects, xenpv.h): a backend that
	 * restarts more often than that in a minute waits for its next
	 * connection until reconnect.at (hostile review D1).
	 */
	struct xenpv_budget reconnect;
	struct xenpv_vif_counts cnt;	/* control-path counters */
	/*
	 * Pages shared with the backend since probe (rings, data pages,
	 * zero-copy pools), under lock: a backend restart shares none, the
	 * pages are used again (xennet_share_queue).
	 */
	uint64_t pages_shared;

	/* Written under lock, read by any thread (atomic). */
	uint32_t link_up;		/* connected to the backend */
	uint32_t admin_down;		/* dev_set_link_down, until _up */

	/* Rx interrupts (intr_conf.rxq): one handle per RX queue. */
	struct xenpv_rx_intr rx_intr;

	/* Control ring and RSS (xennet_ctrl.c), under lock. */
	struct xennet_ctrl ctrl;
	struct xennet_rss rss;

	/* Multicast control (xennet_mcast.c), under lock. */
	struct xennet_mc mc;
};

static inline struct xennet_adapter *
xennet_adapter(struct rte_eth_dev *dev)
{
	return dev->data->dev_private;
}

/*
 * Highest MTU of a port: a frame above one page needs scatter-gather, ours
 * (devarg sg) and the backend's (feature-sg, once it has offered it).
 */
static inline uint16_t
xennet_mtu_max(const struct xennet_adapter *ad)
{
	return xenpv_netif_mtu_max(ad->cfg.pv.sg && !ad->be_no_sg);
}

/*
 * The link as ethdev reports it: nominal speed, full duplex, fixed. Up
 * while connected to the backend, unless the application set it down.
 */
static inline struct rte_eth_link
xennet_link(bool up)
{
	struct rte_eth_link link = {
		/* nominal: a vif has no line rate (net_xenback reports the same) */
		.link_speed = up ? RTE_ETH_SPEED_NUM_10G :
			RTE_ETH_SPEED_NUM_NONE,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
		.link_status = up ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN,
	};

	return link;
}

/* Slots of a TX or RX ring of 2^order pages. */
static inline uint16_t
xennet_tx_ring_size(unsigned int order)
{
	return (uint16_t)XENPV_TX_RING_SIZE(order);
}

static inline uint16_t
xennet_rx_ring_size(unsigned int order)
{
	return (uint16_t)XENPV_RX_RING_SIZE(order);
}

/* Address of page @i of a page set. */
static inline uint8_t *
xennet_page(const struct xennet_pages *p, uint32_t i)
{
	return p->chunk[i / XENNET_SHARE_CHUNK] +
		(size_t)(i % XENNET_SHARE_CHUNK) * XENPV_PAGE_SIZE;
}

/* xennet_xenbus.c: the handshake and the connection's life. */
int xennet_share_pages(xengntshr_handle *xgs, unsigned int domid,
		       struct xennet_pages *p, uint32_t count, int writable);
void xennet_unshare_pages(xengntshr_handle *xgs, struct xennet_pages *p);
int xennet_xenbus_start(struct xennet_adapter *ad);
void xennet_xenbus_stop(struct xennet_adapter *ad);
int xennet_xenbus_dump(struct xennet_adapter *ad, FILE *f);
int xennet_read_backend_features(struct xennet_adapter *ad,
				 struct xennet_be_features *f);
void xennet_ctl_event(void *arg, const char *path, const char *token);
int xennet_ctl_run(void *arg);

/* xennet_ctrl.c: the control ring, RSS. */
#define XENNET_CTRL_TIMEOUT_MS	1000
#define XENNET_CTRL_KEY(c)	((c)->data_va)
#define XENNET_CTRL_TABLE(c)	((c)->data_va + XENPV_PAGE_SIZE)
#define XENNET_RSS_HF \
	(RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_IPV6 | \
	 RTE_ETH_RSS_NONFRAG_IPV6_TCP)
int xennet_ctrl_setup(struct xennet_adapter *ad);
void xennet_ctrl_release(struct xennet_adapter *ad);
void xennet_ctrl_prequeue(struct xennet_adapter *ad);
void xennet_ctrl_apply(struct xennet_adapter *ad);
int xennet_ctrl_configure(struct xennet_adapter *ad);
void xennet_ctrl_dump(struct xennet_adapter *ad, FILE *f);
uint16_t xennet_reta_size(const struct xennet_adapter *ad);
int xennet_rss_hash_update(struct rte_eth_dev *dev,
			   struct rte_eth_rss_conf *conf);
int xennet_rss_hash_conf_get(struct rte_eth_dev *dev,
			     struct rte_eth_rss_conf *conf);
int xennet_reta_update(struct rte_eth_dev *dev,
		       struct rte_eth_rss_reta_entry64 *reta, uint16_t size);
int xennet_reta_query(struct rte_eth_dev *dev,
		      struct rte_eth_rss_reta_entry64 *reta, uint16_t size);

/* xennet_mcast.c: multicast control. */
void xennet_mcast_apply(struct xennet_adapter *ad);
void xennet_mcast_dump(struct xennet_adapter *ad, FILE *f);

/* xennet_ops.c: descriptor status, link up/down, Rx interrupts. */
XENPV_OPS_DECLARE(xennet);
void xennet_apply_link_down(struct xennet_adapter *ad);

/* xennet_rxtx.c: the bursts. */
uint16_t xennet_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n);
uint16_t xennet_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n);
void xennet_txq_init_slots(struct xennet_txq *txq);
void xennet_txq_drop_refs(struct xennet_txq *txq);
int xennet_tx_ctl_post(struct xennet_txq *txq, uint8_t type,
		       const struct rte_ether_addr *addr, uint16_t *idp);
int xennet_tx_ctl_poll(struct xennet_txq *txq, uint16_t id,
		       int16_t *status);
void xennet_rxq_post_all(struct xennet_rxq *rxq);

/*
 * rx_zero_copy=1: the bytes of a frame copied into the head mbuf's own
 * data room before the rest is attached (the headers the application
 * reads cannot change after delivery, whatever the backend writes later).
 */
#define XENNET_ZC_HEAD 256u
/* xennet_txpool.c: the granted TX pool (tx_pool=N). */
int xennet_tx_pool_create(struct xennet_adapter *ad, uint32_t n, int socket);
void xennet_tx_pool_release(struct xennet_adapter *ad);

/* xennet_zc.c: a connection's zero-copy pool, and its release. */
struct xennet_zc_pool *xennet_zc_pool_create(domid_t domid, uint32_t nr,
					     int socket, int *rc);
bool xennet_zc_pool_reuse(struct xennet_zc_pool *pool);
void xennet_zc_pool_put(struct xennet_zc_pool *pool);
void xennet_zc_page_free(void *addr, void *opaque);

/*
 * tx_zero_copy: the zero-copy RX page an mbuf segment's data lies in, or
 * NULL. Ours only if the segment's external buffer is one of our pages
 * (its shared info, in our own memory, has our free callback, @free_cb:
 * xennet_zc_page_free, which the data path knows through its queue), the
 * buffer is the whole page and the data stays inside it. The page cannot
 * go away meanwhile: the segment holds a reference on it.
 */
static inline struct xennet_zc_page *
xennet_zc_page_of(const struct rte_mbuf *seg,
		  rte_mbuf_extbuf_free_callback_t free_cb)
{
	struct xennet_zc_page *pg;

	if (!RTE_MBUF_HAS_EXTBUF(seg) || seg->shinfo->free_cb != free_cb)
		return NULL;
	pg = container_of(seg->shinfo, struct xennet_zc_page, shinfo);
	if (seg->buf_addr != pg->addr ||
	    (uint32_t)seg->data_off + seg->data_len > XENPV_PAGE_SIZE)
		return NULL;
	return pg;
}

/* Take one more reference on a page (its holder already has one). */
static inline void
xennet_zc_page_hold(struct xennet_zc_page *pg)
{
	rte_mbuf_ext_refcnt_update(&pg->shinfo, 1);
}

/*
 * Drop a reference taken by xennet_zc_page_hold: the last one gives the
 * page back to its pool through its free callback, as the last mbuf
 * attached to it would.
 */
static inline void
xennet_zc_page_drop(struct xennet_zc_page *pg)
{
	if (rte_mbuf_ext_refcnt_update(&pg->shinfo, -1) == 0)
		pg->shinfo.free_cb(pg->addr, pg->shinfo.fcb_opaque);
}

#endif /* XENNET_H */
