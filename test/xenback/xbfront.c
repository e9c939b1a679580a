/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * xbfront: a Xen netfront of our own, for testing net_xenback.
 *
 * It plays the guest's side of the netif protocol with nothing but the Xen
 * libraries (libxenstore, libxengnttab's grant sharing, libxenevtchn): it
 * shares its rings and data pages, writes its keys the way Linux netfront
 * does, and then runs one scenario against a backend that echoes every
 * packet back on the queue it came from (test/xenback/xbecho.c or
 * dpdk-testpmd in io forwarding). Every packet carries a sequence number and
 * a pattern, and comes back checked byte for byte. What it shares with
 * test/xennet/xennet_peer.c (xenstore, xenbus, grants, event channels, the
 * frame codec, note/fail, options) is in test/lib/.
 *
 * Scenarios that break the protocol on purpose check how the backend
 * answers: error responses for a packet it must drop, or the vif closed
 * over xenbus for a violation that makes the ring unusable - after which
 * the frontend reconnects with fresh rings and traffic must flow again.
 *
 * Prints "xbfront: PASS <scenario>" and exits 0, or "xbfront: FAIL ..." and
 * exits 1.
 */

/*
 * Pin the Xen interface version before any Xen header (xengnttab.h pulls
 * some in): with the legacy default, ring.h's barriers would resolve to
 * kernel names.
 */
#define __XEN_INTERFACE_VERSION__ 0x00040e00

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>
#include <xengnttab.h>
#include <xenevtchn.h>

/* Xen's ring macros need their barriers defined before the header. */
#define xen_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#include <xen/io/ring.h>
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>

#include "tl_frame.h"
#include "tl_log.h"
#include "tl_ring.h"
#include "tl_xs.h"

#define PAGE TL_PAGE
#define MAXQ 16
#define MAX_ORDER 4
#define MAX_PKT TL_MAX_FRAME
#define MAX_TX_PAGES 512u	/* data pages per queue for guest TX */
#define MAX_RX_BUFS 512u	/* buffers per queue posted for guest RX */
/* net_xenback's persistent grants: the key, and its bound per ring */
#define PGNT_KEY "feature-xen-dpdk-persistent-grants"
#define PGNT_MAX(slots) ((slots) * XEN_NETIF_NR_SLOTS_MIN)

/* One netif queue: its two rings, channels and data pages. */
struct fq {
	unsigned int id;
	netif_tx_front_ring_t tx;
	netif_rx_front_ring_t rx;
	void *tx_va, *rx_va;		/* shared ring pages */
	uint32_t tx_ref[1u << MAX_ORDER], rx_ref[1u << MAX_ORDER];
	evtchn_port_t ptx, prx;		/* our ports (equal if shared) */

	uint8_t *txp;			/* guest TX data pages */
	uint32_t txp_ref[MAX_TX_PAGES];
	unsigned int ntxp;
	uint16_t txfree[MAX_TX_PAGES];	/* free TX ids = page numbers */
	unsigned int ntxfree;
	bool tx_busy[MAX_TX_PAGES];

	uint8_t *rxp;			/* guest RX buffers */
	uint32_t rxp_ref[MAX_RX_BUFS];
	unsigned int nrxb;
	uint16_t rxfree[MAX_RX_BUFS];
	unsigned int nrxfree;
	uint16_t *slot_buf;		/* rx ring slot -> buffer posted there */
	uint32_t bad_rx_gref;		/* post this gref once (hostile) */
	bool post_bad_rx;

	/* what came back */
	uint64_t tx_ok, tx_err, tx_null, tx_dropped;
	uint64_t rx_pkts, rx_err_pkts;
	uint64_t sent, echoed;
	uint8_t *seen;			/* per sequence number */
};

/* A packet received on a guest RX ring. */
struct rxpkt {
	uint8_t data[MAX_PKT + PAGE];
	uint32_t len;
	uint16_t flags;			/* of the first response */
	bool error;
	bool gso;
	uint16_t gso_size;
	uint8_t gso_type;
	unsigned int nbuf;
	uint16_t buf_len[64];
};

struct fe {
	struct xs_handle *xs;
	xengntshr_handle *xgs;
	xenevtchn_handle *xce;
	unsigned int devid;
	unsigned int be_domid;
	char fe_dir[128];
	char be_dir[192];

	/* options */
	unsigned int nq, order;
	int split;			/* -1: if offered */
	bool sg, gso, csum, rearm;
	bool greedy_kicks;		/* rsp_event = rsp_cons + 1 always */
	bool no_echo;			/* hostile-*: the backend does not echo */
	bool no_drain;			/* traffic: leave with requests unanswered */
	bool mcast_filter;		/* request-multicast-control=1 */
	bool pgnt;			/* promise persistent grants */
	unsigned int count;
	unsigned int timeout;
	unsigned int expect_seg;
	unsigned int window;		/* packets in flight per queue */
	unsigned int storm_ms;		/* hostile-xs-storm's length */
	unsigned int cycles;		/* reconnect-loop's start-overs */
	const char *sync_dir;

	/* negotiated */
	bool be_split, be_sg, be_gso4, be_gso6, be_ipv6_csum;
	unsigned int be_max_queues, be_max_order;
	unsigned int be_mtu;		/* the backend's mtu key, 0: none */
	bool connected;
	uint64_t events;

	struct fq q[MAXQ];
	struct rxpkt pkt;
};

static struct fe F;
static const char *scenario = "traffic";

/*
 * The control ring (netif.h, "Control ring") of hostile-ctrl and
 * hostile-ctrl-prod: one shared ring page, one data page for keys and
 * tables, a channel on a handle of its own. Requests are ours to get
 * wrong; every answer is checked against what netif.h prescribes.
 */
static struct {
	bool on;			/* write its keys at connect */
	xen_netif_ctrl_front_ring_t ring;
	void *va;
	uint32_t ref;
	uint8_t *data;
	uint32_t data_ref;
	xenevtchn_handle *xce;
	evtchn_port_t port;
	uint16_t id;
} C;

static void
nap(void)
{
	struct timespec ts = { 0, 200000 };

	nanosleep(&ts, NULL);
}

/* ---------------------------------------------------------------------
 * xenstore
 * ---------------------------------------------------------------------
 */

#define B(s) TL_STATE_BIT(s)

/* Wait until the backend state is one of the @mask bits; return it. */
static int
wait_be(unsigned int mask, double secs, const char *what)
{
	int s;

	if (!tl_xenbus_wait(F.xs, F.be_dir, mask, (unsigned int)(secs * 1000),
			    &s))
		tl_fail("backend state %d, waited %.1f s for %s", s, secs,
			what);
	return s;
}

static void
set_state(enum xenbus_state s)
{
	tl_xenbus_switch(F.xs, F.fe_dir, (int)s);
}


/* ---------------------------------------------------------------------
 * Connecting and disconnecting
 * ---------------------------------------------------------------------
 */

/* Post every free RX buffer. */
static void
rx_refill(struct fq *q)
{
	netif_rx_request_t *req;
	bool any = false;

	while (q->nrxfree > 0 && RING_FREE_REQUESTS(&q->rx) > 0) {
		uint16_t b = q->rxfree[--q->nrxfree];

		req = RING_GET_REQUEST(&q->rx, q->rx.req_prod_pvt);
		req->id = b;
		req->gref = q->rxp_ref[b];
		if (q->post_bad_rx) {
			req->gref = q->bad_rx_gref;
			q->post_bad_rx = false;
		}
		q->slot_buf[q->rx.req_prod_pvt & (RING_SIZE(&q->rx) - 1)] = b;
		q->rx.req_prod_pvt++;
		any = true;
	}
	if (!any)
		return;
	TL_PUSH(REQUESTS, &q->rx, F.xce, q->prx);
}

static void
queue_setup(struct fq *q, unsigned int id)
{
	unsigned int pages = 1u << F.order, i, slots;

	memset(q, 0, sizeof(*q));
	q->id = id;
	q->tx_va = tl_share_pages(F.xgs, F.be_domid, pages, q->tx_ref);
	q->rx_va = tl_share_pages(F.xgs, F.be_domid, pages, q->rx_ref);
	SHARED_RING_INIT((netif_tx_sring_t *)q->tx_va);
	SHARED_RING_INIT((netif_rx_sring_t *)q->rx_va);
	FRONT_RING_INIT(&q->tx, (netif_tx_sring_t *)q->tx_va, PAGE * pages);
	FRONT_RING_INIT(&q->rx, (netif_rx_sring_t *)q->rx_va, PAGE * pages);

	slots = RING_SIZE(&q->tx);
	q->ntxp = slots < MAX_TX_PAGES ? slots : MAX_TX_PAGES;
	q->txp = tl_share_pages(F.xgs, F.be_domid, q->ntxp, q->txp_ref);
	for (i = 0; i < q->ntxp; i++)
		q->txfree[q->ntxfree++] = (uint16_t)(q->ntxp - 1 - i);

	slots = RING_SIZE(&q->rx);
	q->nrxb = slots < MAX_RX_BUFS ? slots : MAX_RX_BUFS;
	q->rxp = tl_share_pages(F.xgs, F.be_domid, q->nrxb, q->rxp_ref);
	for (i = 0; i < q->nrxb; i++)
		q->rxfree[q->nrxfree++] = (uint16_t)i;
	q->slot_buf = calloc(slots, sizeof(*q->slot_buf));
	q->seen = calloc(1u << 20, 1);
	if (q->slot_buf == NULL || q->seen == NULL)
		tl_fail("no memory");

	q->ptx = tl_evtchn_alloc(F.xce, F.be_domid);
	q->prx = F.be_split ? tl_evtchn_alloc(F.xce, F.be_domid) : q->ptx;
}

static void
queue_teardown(struct fq *q)
{
	unsigned int pages = 1u << F.order;

	xenevtchn_unbind(F.xce, q->ptx);
	if (q->prx != q->ptx)
		xenevtchn_unbind(F.xce, q->prx);
	xengntshr_unshare(F.xgs, q->tx_va, pages);
	xengntshr_unshare(F.xgs, q->rx_va, pages);
	xengntshr_unshare(F.xgs, q->txp, q->ntxp);
	xengntshr_unshare(F.xgs, q->rxp, q->nrxb);
	free(q->slot_buf);
	free(q->seen);
	memset(q, 0, sizeof(*q));
}

/* Our keys: every write must work. */
#define put(t, dir, key, ...) tl_xs_put(F.xs, t, dir, key, __VA_ARGS__)

/* Hooks a scenario may use to spoil the keys (garbage in xenstore). */
static const char *spoil_key;
static const char *spoil_val;
static bool omit_rx_copy;

static void
write_keys(xs_transaction_t t, void *arg)
{
	unsigned int i, j, pages = 1u << F.order;
	char dir[160], key[32];

	(void)arg;
	if (!omit_rx_copy)
		put(t, F.fe_dir, "request-rx-copy", "1");
	put(t, F.fe_dir, "feature-rx-notify", "1");
	put(t, F.fe_dir, "feature-sg", "%d", F.sg);
	put(t, F.fe_dir, "feature-gso-tcpv4", "%d", F.gso);
	put(t, F.fe_dir, "feature-gso-tcpv6", "%d", F.gso);
	put(t, F.fe_dir, "feature-no-csum-offload", "%d", !F.csum);
	put(t, F.fe_dir, "feature-ipv6-csum-offload", "%d", F.csum);
	put(t, F.fe_dir, "multi-queue-num-queues", "%u", F.nq);
	if (F.order > 0)
		put(t, F.fe_dir, "ring-page-order", "%u", F.order);
	for (i = 0; i < F.nq; i++) {
		struct fq *q = &F.q[i];

		tl_queue_dir(dir, sizeof(dir), F.fe_dir, F.nq, i);
		for (j = 0; j < pages; j++) {
			tl_ring_ref_key(key, sizeof(key), "tx", F.order, j);
			put(t, dir, key, "%u", q->tx_ref[j]);
			tl_ring_ref_key(key, sizeof(key), "rx", F.order, j);
			put(t, dir, key, "%u", q->rx_ref[j]);
		}
		if (F.be_split) {
			put(t, dir, "event-channel-tx", "%u", q->ptx);
			put(t, dir, "event-channel-rx", "%u", q->prx);
		} else {
			put(t, dir, "event-channel", "%u", q->ptx);
		}
	}
	if (F.mcast_filter)
		put(t, F.fe_dir, "request-multicast-control", "1");
	/*
	 * net_xenback's persistent grants (xenpv_netif.h): we promise that
	 * our requests name only the pages queue_setup shared - a ring's
	 * worth each way - which hostile-pgnt-* then break.
	 */
	if (F.pgnt)
		put(t, F.fe_dir, PGNT_KEY, "1");
	if (C.on) {
		put(t, F.fe_dir, "ctrl-ring-ref", "%u", C.ref);
		put(t, F.fe_dir, "event-channel-ctrl", "%u", C.port);
	}
	if (spoil_key != NULL && strcmp(spoil_key, "event-channel*") == 0)
		put(t, F.fe_dir, F.be_split ? "event-channel-tx" :
		       "event-channel", "%s", spoil_val);
	else if (spoil_key != NULL)
		put(t, F.fe_dir, spoil_key, "%s", spoil_val);
}

/* Remove what a previous connection wrote, so nothing stale remains. */
static void
clear_keys(void)
{
	static const char * const keys[] = {
		"request-rx-copy", "feature-rx-notify", "feature-sg",
		"feature-gso-tcpv4", "feature-gso-tcpv6",
		"feature-no-csum-offload", "feature-ipv6-csum-offload",
		"multi-queue-num-queues", "ring-page-order", "tx-ring-ref",
		"rx-ring-ref", "event-channel", "event-channel-tx",
		"event-channel-rx", "ctrl-ring-ref", "event-channel-ctrl",
		"request-multicast-control", PGNT_KEY,
	};
	char key[32];
	unsigned int i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		tl_xs_rm(F.xs, F.fe_dir, keys[i]);
	for (i = 0; i < (1u << MAX_ORDER); i++) {
		/* order > 0 names: order 0 ones are in keys[] */
		tl_ring_ref_key(key, sizeof(key), "tx", 1, i);
		tl_xs_rm(F.xs, F.fe_dir, key);
		tl_ring_ref_key(key, sizeof(key), "rx", 1, i);
		tl_xs_rm(F.xs, F.fe_dir, key);
	}
	for (i = 0; i < MAXQ; i++) {
		tl_path(key, sizeof(key), "queue-%u", i);
		tl_xs_rm(F.xs, F.fe_dir, key);
	}
}

/* A number the backend advertised, @def if absent or garbage. */
static long
be_key(const char *key, long def)
{
	return tl_xs_long(F.xs, F.be_dir, key, def);
}

/*
 * Set up rings and write the keys in one transaction (retried on EAGAIN),
 * then go Connected. With @expect_connect, wait for the backend too.
 */
static void
fe_connect(bool expect_connect)
{
	unsigned int i;

	wait_be(B(XenbusStateInitWait) | B(XenbusStateConnected), 10,
		"InitWait");
	if (!be_key("feature-rx-copy", 0))
		tl_fail("backend does not offer feature-rx-copy");
	if (be_key("feature-rx-flip", 1) != 0)
		tl_fail("backend does not say feature-rx-flip=0");
	F.be_max_queues = (unsigned int)tl_xs_long(F.xs, F.be_dir,
						    "multi-queue-max-queues", 1);
	F.be_max_order = (unsigned int)tl_xs_long(F.xs, F.be_dir,
						   "max-ring-page-order", 0);
	F.be_sg = be_key("feature-sg", 0) != 0;
	F.be_mtu = (unsigned int)be_key("mtu", 0);
	F.be_gso4 = be_key("feature-gso-tcpv4", 0) != 0;
	F.be_gso6 = be_key("feature-gso-tcpv6", 0) != 0;
	F.be_ipv6_csum = be_key("feature-ipv6-csum-offload",
				     0) != 0;
	F.be_split = be_key("feature-split-event-channels",
				 0) != 0;
	if (F.split == 0)
		F.be_split = false;
	else if (F.split == 1 && !F.be_split)
		tl_fail("split event channels asked for, backend does not offer them");
	if (F.nq > F.be_max_queues)
		tl_fail("%u queues asked for, backend offers %u", F.nq,
		     F.be_max_queues);
	if (F.order > F.be_max_order)
		tl_fail("ring order %u asked for, backend offers %u", F.order,
		     F.be_max_order);

	for (i = 0; i < F.nq; i++)
		queue_setup(&F.q[i], i);
	clear_keys();
	tl_xs_transact(F.xs, write_keys, NULL);
	for (i = 0; i < F.nq; i++)
		rx_refill(&F.q[i]);
	set_state(XenbusStateConnected);
	if (expect_connect) {
		wait_be(B(XenbusStateConnected), 10, "Connected");
		F.connected = true;
	}
}

/* Close as Linux netfront does, wait for the backend, free everything. */
static void
fe_disconnect(void)
{
	unsigned int i;

	set_state(XenbusStateClosing);
	wait_be(B(XenbusStateClosing) | B(XenbusStateClosed), 10, "Closing");
	set_state(XenbusStateClosed);
	wait_be(B(XenbusStateClosed), 10, "Closed");
	for (i = 0; i < F.nq; i++)
		queue_teardown(&F.q[i]);
	F.connected = false;
}

/* After the backend closed the vif on us: clean up and start over. */
static void
fe_reconnect_after_close(void)
{
	unsigned int i;

	wait_be(B(XenbusStateClosing) | B(XenbusStateClosed), 10,
		"the backend to close the vif");
	set_state(XenbusStateClosed);
	wait_be(B(XenbusStateClosed), 10, "Closed");
	for (i = 0; i < F.nq; i++)
		queue_teardown(&F.q[i]);
	spoil_key = NULL;
	omit_rx_copy = false;
	set_state(XenbusStateInitialising);
	fe_connect(true);
}

/* ---------------------------------------------------------------------
 * Packets
 * ---------------------------------------------------------------------
 */

enum pkind { K_RAW, K_TCP4, K_UDP4, K_TCP6, K_UDP6 };

/*
 * Build packet @seq of length @len (tl_frame.h). For IP kinds the L4
 * checksum is the pseudo-header sum (what a partial checksum holds) when
 * @partial, the full checksum otherwise. Returns the offset of the L4
 * checksum field (0 for raw frames).
 */
static uint32_t
build(uint8_t *f, enum pkind k, uint32_t seq, unsigned int q, uint32_t len,
      bool partial)
{
	struct tl_frame fr = {
		.dst = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff },
		.src = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x01 },
		.l3 = k == K_RAW ? TL_L3_RAW :
		      k == K_TCP4 || k == K_UDP4 ? TL_L3_IPV4 : TL_L3_IPV6,
		.tcp = k == K_TCP4 || k == K_TCP6,
		.partial = partial,
		.queue = (uint8_t)q,
		.kind = (uint8_t)k,
		.seq = seq,
		.len = len,
	};

	return tl_frame_build(f, &fr);
}

/*
 * Queue one packet on a guest TX ring over @nslots_max or fewer slots,
 * at varying offsets. Returns false if the ring or the pages are busy.
 */
static bool
tx_send(struct fq *q, const uint8_t *f, uint32_t len, uint16_t txflags,
	uint16_t gso_size, uint8_t gso_type, uint32_t seq)
{
	uint32_t off[20], size[20], rem = len, cap, minchunk;
	unsigned int n = 0, k, need;
	RING_IDX idx;

	/* lay the packet out: slot sizes vary, never across a page */
	minchunk = (len + 15) / 16;
	while (rem > 0) {
		if (!F.sg || !F.be_sg) {
			off[n] = len <= PAGE - 64 ? (seq * 8) % 64 : 0;
			size[n] = rem;
			if (off[n] + size[n] > PAGE)
				tl_fail("%u bytes do not fit one slot", len);
		} else {
			cap = 600 + (seq * 977 + n * 331) % 3200;
			if (cap < minchunk)
				cap = minchunk;
			if (cap > PAGE)
				cap = PAGE;
			off[n] = (seq * 8 + n * 24) % (PAGE - cap + 1);
			off[n] &= ~7u;
			size[n] = rem < cap ? rem : cap;
		}
		rem -= size[n];
		n++;
		if (n > 18)
			tl_fail("layout needs more than 18 slots");
	}
	need = n + (gso_size ? 1 : 0);
	if (RING_FREE_REQUESTS(&q->tx) < need || q->ntxfree < n)
		return false;

	rem = 0;
	idx = q->tx.req_prod_pvt;
	for (k = 0; k < n; k++) {
		uint16_t id = q->txfree[--q->ntxfree];
		netif_tx_request_t *req;

		q->tx_busy[id] = true;
		memcpy(q->txp + (size_t)id * PAGE + off[k], f + rem, size[k]);
		rem += size[k];
		req = RING_GET_REQUEST(&q->tx, idx);
		req->gref = q->txp_ref[id];
		req->offset = (uint16_t)off[k];
		req->id = id;
		req->size = (uint16_t)(k == 0 ? len : size[k]);
		req->flags = k + 1 < n ? NETTXF_more_data : 0;
		if (k == 0) {
			req->flags |= txflags;
			if (gso_size)
				req->flags |= NETTXF_extra_info;
		}
		idx++;
		if (k == 0 && gso_size) {
			netif_extra_info_t *ex =
				(netif_extra_info_t *)RING_GET_REQUEST(&q->tx,
								       idx);

			memset(ex, 0, sizeof(*ex));
			ex->type = XEN_NETIF_EXTRA_TYPE_GSO;
			ex->u.gso.size = gso_size;
			ex->u.gso.type = gso_type;
			idx++;
		}
	}
	q->tx.req_prod_pvt = idx;
	TL_PUSH(REQUESTS, &q->tx, F.xce, q->ptx);
	q->sent++;
	return true;
}

/* Reap guest TX responses. */
static void
tx_poll(struct fq *q)
{
	RING_IDX prod = __atomic_load_n(&q->tx.sring->rsp_prod,
					__ATOMIC_ACQUIRE);
	netif_tx_response_t rsp;
	int more;

	if (RING_RESPONSE_PROD_OVERFLOW(&q->tx, prod))
		tl_fail("queue %u: impossible tx response producer %u", q->id,
		     prod);
	while (q->tx.rsp_cons != prod) {
		RING_COPY_RESPONSE(&q->tx, q->tx.rsp_cons, &rsp);
		q->tx.rsp_cons++;
		if (rsp.status == NETIF_RSP_NULL) {
			q->tx_null++;
			continue;
		}
		if (rsp.id >= q->ntxp || !q->tx_busy[rsp.id])
			tl_fail("queue %u: tx response for id %u not in flight",
			     q->id, rsp.id);
		q->tx_busy[rsp.id] = false;
		q->txfree[q->ntxfree++] = rsp.id;
		if (rsp.status == NETIF_RSP_OKAY)
			q->tx_ok++;
		else if (rsp.status == NETIF_RSP_ERROR)
			q->tx_err++;
		else if (rsp.status == NETIF_RSP_DROPPED)
			q->tx_dropped++;
		else
			tl_fail("queue %u: tx response status %d", q->id,
			     rsp.status);
	}
	if (F.rearm)
		RING_FINAL_CHECK_FOR_RESPONSES(&q->tx, more);
	(void)more;
	/* hostile: a kick for every next response, at every poll */
	if (F.greedy_kicks)
		__atomic_store_n(&q->tx.sring->rsp_event, q->tx.rsp_cons + 1,
				 __ATOMIC_RELEASE);
}

/*
 * Take one whole packet off a guest RX ring into F.pkt. Returns false if
 * none is complete. Checks what Linux netfront relies on: each response in
 * its request's slot, offsets and sizes inside the page, a non-empty first
 * buffer, at most XEN_NETIF_NR_SLOTS_MIN data slots.
 */
static bool
rx_poll(struct fq *q)
{
	struct rxpkt *p = &F.pkt;
	RING_IDX prod = __atomic_load_n(&q->rx.sring->rsp_prod,
					__ATOMIC_ACQUIRE);
	RING_IDX idx = q->rx.rsp_cons;
	netif_rx_response_t rsp;
	unsigned int mask = RING_SIZE(&q->rx) - 1, nbuf = 0;
	bool more = true, first = true, extra = false;
	int work;

	if (RING_RESPONSE_PROD_OVERFLOW(&q->rx, prod))
		tl_fail("queue %u: impossible rx response producer", q->id);
	/* is a whole packet there? */
	while (more || extra) {
		if (idx == prod)
			goto none;
		if (extra) {
			netif_extra_info_t ex;

			memcpy(&ex, RING_GET_RESPONSE(&q->rx, idx), sizeof(ex));
			extra = (ex.flags & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
			idx++;
			continue;
		}
		RING_COPY_RESPONSE(&q->rx, idx, &rsp);
		more = (rsp.flags & NETRXF_more_data) != 0;
		if (first)
			extra = (rsp.flags & NETRXF_extra_info) != 0;
		first = false;
		idx++;
	}

	memset(p, 0, offsetof(struct rxpkt, buf_len));
	idx = q->rx.rsp_cons;
	more = true;
	first = true;
	extra = false;
	while (more || extra) {
		uint16_t b = q->slot_buf[idx & mask];

		if (extra) {
			netif_extra_info_t ex;

			memcpy(&ex, RING_GET_RESPONSE(&q->rx, idx), sizeof(ex));
			if (ex.type != XEN_NETIF_EXTRA_TYPE_GSO)
				tl_fail("queue %u: rx extra of type %u", q->id,
				     ex.type);
			p->gso = true;
			p->gso_size = ex.u.gso.size;
			p->gso_type = ex.u.gso.type;
			extra = (ex.flags & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
		} else {
			RING_COPY_RESPONSE(&q->rx, idx, &rsp);
			if (rsp.id != b)
				tl_fail("queue %u: rx response id %u in the slot of buffer %u",
				     q->id, rsp.id, b);
			if (first) {
				p->flags = rsp.flags;
				extra = (rsp.flags & NETRXF_extra_info) != 0;
			}
			more = (rsp.flags & NETRXF_more_data) != 0;
			if (rsp.status < 0) {
				p->error = true;
			} else {
				if (rsp.offset + (uint32_t)rsp.status > PAGE)
					tl_fail("queue %u: rx data %u+%d crosses the page",
					     q->id, rsp.offset, rsp.status);
				if (first && rsp.status == 0)
					tl_fail("queue %u: empty first rx buffer",
					     q->id);
				if (p->len + rsp.status > sizeof(p->data))
					tl_fail("queue %u: rx packet too long",
					     q->id);
				memcpy(p->data + p->len,
				       q->rxp + (size_t)b * PAGE + rsp.offset,
				       rsp.status);
				p->len += rsp.status;
			}
			if (nbuf < 64)
				p->buf_len[nbuf] = rsp.status < 0 ? 0 :
						   (uint16_t)rsp.status;
			nbuf++;
			first = false;
		}
		q->rxfree[q->nrxfree++] = b;
		idx++;
	}
	p->nbuf = nbuf;
	if (nbuf > XEN_NETIF_NR_SLOTS_MIN)
		tl_fail("queue %u: rx packet over %u buffers", q->id, nbuf);
	q->rx.rsp_cons = idx;
	if (F.rearm)
		RING_FINAL_CHECK_FOR_RESPONSES(&q->rx, work);
	rx_refill(q);
	if (F.greedy_kicks)
		__atomic_store_n(&q->rx.sring->rsp_event, q->rx.rsp_cons + 1,
				 __ATOMIC_RELEASE);
	q->rx_pkts++;
	if (p->error)
		q->rx_err_pkts++;
	return true;
none:
	if (F.rearm)
		RING_FINAL_CHECK_FOR_RESPONSES(&q->rx, work);
	(void)work;
	rx_refill(q);
	if (F.greedy_kicks)
		__atomic_store_n(&q->rx.sring->rsp_event, q->rx.rsp_cons + 1,
				 __ATOMIC_RELEASE);
	return false;
}

static void
count_event(evtchn_port_t port, void *arg)
{
	(void)port;
	(void)arg;
	F.events++;
}

/* Count event-channel kicks from the backend (and re-enable them). */
static void
poll_events(void)
{
	tl_evtchn_drain(F.xce, 0, count_event, NULL);
}

/* ---------------------------------------------------------------------
 * Scenarios
 * ---------------------------------------------------------------------
 */

static const uint32_t sizes_small[] = {
	60, 64, 61, 100, 128, 255, 256, 512, 777, 1000, 1400, 1500, 1514,
};
static const uint32_t sizes_big[] = {
	60, 1514, 2000, 2047, 2048, 2049, 3000, 4000, 4096, 4097, 6000, 8192,
	9000, 9018, 12000, 16384, 20000, 32768, 40000, 50000, 65000, 65535,
};

/*
 * The layout the backend must give a packet of @len bytes sent to it in
 * segments of @seg bytes: a segment starts a new page only when the current
 * one is full, or when it would not fit in what is left but fits a page
 * whole (and the page already holds data); segments larger than a page are
 * split. More than XEN_NETIF_NR_SLOTS_MIN pages: every page filled instead.
 */
static unsigned int
expected_layout(uint32_t len, uint32_t seg, uint16_t *out)
{
	unsigned int pass, nb = 0;

	for (pass = 0; pass < 2; pass++) {
		uint32_t done = 0, off = 0, size, bytes;

		nb = 1;
		memset(out, 0, 64 * sizeof(*out));
		while (done < len) {
			size = len - done < seg ? len - done : seg;
			done += size;
			while (size > 0) {
				if (off == PAGE ||
				    (pass == 0 && off + size > PAGE &&
				     size <= PAGE && off != 0)) {
					nb++;
					off = 0;
				}
				bytes = size < PAGE - off ? size : PAGE - off;
				if (nb <= 64)
					out[nb - 1] += (uint16_t)bytes;
				off += bytes;
				size -= bytes;
			}
		}
		if (nb <= XEN_NETIF_NR_SLOTS_MIN)
			break;
	}
	return nb;
}

/* Check a received packet against what was sent; returns its seq. */
static uint32_t
check_raw(struct fq *q, const struct rxpkt *p)
{
	static uint8_t ref[MAX_PKT];
	struct tl_frame fr;
	uint32_t seq, len, i;
	unsigned int qq;

	if (p->error)
		tl_fail("queue %u: error response on the rx ring", q->id);
	if (tl_frame_parse(p->data, p->len, &fr) == 0 || fr.l3 != TL_L3_RAW)
		tl_fail("queue %u: foreign packet of %u bytes", q->id, p->len);
	seq = fr.seq;
	len = fr.len;
	qq = fr.queue;
	if (len != p->len)
		tl_fail("queue %u: seq %u came back with %u bytes, sent %u",
		     q->id, seq, p->len, len);
	if (qq != q->id)
		tl_fail("seq %u sent on queue %u came back on queue %u", seq,
			qq, q->id);
	build(ref, K_RAW, seq, qq, len, false);
	for (i = 0; i < len; i++)
		if (ref[i] != p->data[i])
			tl_fail("queue %u: seq %u len %u differs at byte %u",
				q->id, seq, len, i);
	if (seq >= (1u << 20) * 8)
		tl_fail("seq out of range");
	if (q->seen[seq / 8] & (1u << (seq % 8)))
		tl_fail("queue %u: seq %u came back twice", q->id, seq);
	q->seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
	q->echoed++;

	/* how the backend packed it into our pages */
	if (F.expect_seg != 0 && !p->error) {
		uint16_t want[64];
		unsigned int b, nb = expected_layout(len, F.expect_seg, want);

		if (nb != p->nbuf)
			tl_fail("queue %u: seq %u (%u bytes in segments of %u) took %u buffers, want %u",
			     q->id, seq, len, F.expect_seg, p->nbuf, nb);
		for (b = 0; b < nb; b++)
			if (p->buf_len[b] != want[b])
				tl_fail("queue %u: seq %u buffer %u holds %u bytes, want %u (segments of %u)",
				     q->id, seq, b, p->buf_len[b], want[b],
				     F.expect_seg);
	}
	return seq;
}

/* Send @count raw packets per queue, every one echoed and checked. */
static void
run_traffic(unsigned int count, const uint32_t *sizes, unsigned int nsizes,
	    unsigned int window)
{
	static uint8_t f[MAX_PKT];
	double end = tl_now() + F.timeout;
	unsigned int i;
	bool done;

	for (i = 0; i < F.nq; i++) {
		F.q[i].sent = 0;
		F.q[i].echoed = 0;
		F.q[i].tx_err = 0;
		F.q[i].tx_dropped = 0;
		memset(F.q[i].seen, 0, 1u << 20);
	}
	do {
		done = true;
		for (i = 0; i < F.nq; i++) {
			struct fq *q = &F.q[i];

			while (q->sent < count && q->sent - q->echoed < window) {
				uint32_t seq = (uint32_t)q->sent;
				uint32_t len = sizes[seq % nsizes];

				build(f, K_RAW, seq, i, len, false);
				if (!tx_send(q, f, len, 0, 0, 0, seq))
					break;
			}
			tx_poll(q);
			while (rx_poll(q))
				check_raw(q, &F.pkt);
			if (q->echoed < count)
				done = false;
		}
		poll_events();
		if (!done && tl_now() > end) {
			for (i = 0; i < F.nq; i++) {
				struct fq *q = &F.q[i];
				uint64_t s, miss = UINT64_MAX;

				for (s = 0; s < q->sent && miss == UINT64_MAX;
				     s++)
					if (!(q->seen[s / 8] & (1u << (s % 8))))
						miss = s;
				tl_note("queue %u: sent %" PRIu64 " echoed %" PRIu64
				     " tx ok %" PRIu64 " err %" PRIu64
				     " first missing %" PRId64
				     " free rx buffers %u",
				     i, q->sent, q->echoed, q->tx_ok,
				     q->tx_err, (int64_t)miss, q->nrxfree);
			}
			tl_fail("timeout after %u s", F.timeout);
		}
		if (!done)
			nap();
	} while (!done);

	/*
	 * every TX request must get its response, unless we leave without
	 * (--no-drain: a guest shut down while the backend holds some)
	 */
	if (F.no_drain) {
		for (i = 0; i < F.nq; i++) {
			tx_poll(&F.q[i]);
			tl_note("queue %u: leaving with %u tx requests unanswered",
				i, F.q[i].ntxp - F.q[i].ntxfree);
		}
		return;
	}
	end = tl_now() + 5;
	for (i = 0; i < F.nq; i++) {
		struct fq *q = &F.q[i];

		while (q->ntxfree != q->ntxp) {
			tx_poll(q);
			if (tl_now() > end)
				tl_fail("queue %u: %u tx requests never answered",
				     i, q->ntxp - q->ntxfree);
			nap();
		}
		if (q->tx_err != 0 || q->tx_dropped != 0)
			tl_fail("queue %u: %" PRIu64 " error / %" PRIu64
			     " dropped tx responses", i, q->tx_err,
			     q->tx_dropped);
	}
}

/* Frame sizes to send: large ones with sg, up to the backend's mtu key. */
static const uint32_t *
traffic_sizes(unsigned int *n)
{
	static uint32_t fit[sizeof(sizes_big) / sizeof(sizes_big[0])];
	unsigned int i, k = 0;

	if (F.sg && F.be_sg) {
		*n = sizeof(sizes_big) / sizeof(sizes_big[0]);
		if (F.be_mtu == 0)
			return sizes_big;
		/* as Linux netfront takes the vif's MTU from the key */
		for (i = 0; i < *n; i++)
			if (sizes_big[i] <= F.be_mtu + 14)
				fit[k++] = sizes_big[i];
		*n = k;
		return fit;
	}
	*n = sizeof(sizes_small) / sizeof(sizes_small[0]);
	return sizes_small;
}

static void
scenario_traffic(void)
{
	const uint32_t *sizes;
	unsigned int n;

	sizes = traffic_sizes(&n);
	run_traffic(F.count, sizes, n, F.window);
	tl_note("%u queue(s), order %u, %s event channels: %u packets each echoed, %" PRIu64 " kicks from the backend",
	     F.nq, F.order, F.be_split ? "split" : "shared", F.count, F.events);
	/*
	 * Notification suppression: a frontend that never re-arms its
	 * rsp_event gets at most the first kick per channel; one that
	 * re-arms is kicked again.
	 */
	if (!F.rearm && !F.greedy_kicks && F.events > 2u * F.nq)
		tl_fail("%" PRIu64 " kicks although we never asked for more",
		     F.events);
	if (F.rearm && F.events <= 2u * F.nq)
		tl_fail("only %" PRIu64 " kicks although we re-armed rsp_event",
		     F.events);
}

/* Offloads: checksum and GSO packets out, and the echo checked. */
static void
expect_ip_packet(struct fq *q, const uint8_t *sent, uint32_t len,
		 uint32_t csoff, const char *csum_mode, uint16_t gso_size,
		 uint8_t gso_type, const char *what)
{
	static uint8_t full[MAX_PKT];
	double end = tl_now() + 10;
	struct rxpkt *p = &F.pkt;

	for (;;) {
		tx_poll(q);
		if (rx_poll(q))
			break;
		if (tl_now() > end)
			tl_fail("%s: no echo", what);
		nap();
	}
	if (p->error)
		tl_fail("%s: error response", what);
	if (p->len != len)
		tl_fail("%s: %u bytes came back, sent %u", what, p->len, len);
	if (gso_size) {
		if (!p->gso || p->gso_size != gso_size ||
		    p->gso_type != gso_type)
			tl_fail("%s: GSO extra %d size %u type %u, want %u/%u",
			     what, p->gso, p->gso_size, p->gso_type, gso_size,
			     gso_type);
	} else if (p->gso) {
		tl_fail("%s: unexpected GSO extra", what);
	}
	if (strcmp(csum_mode, "blank") == 0) {
		/* partial checksum, flagged so, bytes as sent */
		if (!(p->flags & NETRXF_csum_blank) ||
		    !(p->flags & NETRXF_data_validated))
			tl_fail("%s: flags %#x lack csum_blank|data_validated",
			     what, p->flags);
		if (memcmp(p->data, sent, len) != 0)
			tl_fail("%s: bytes differ", what);
	} else {
		/* a complete checksum, correct, no blank flag */
		uint32_t i;

		if (p->flags & NETRXF_csum_blank)
			tl_fail("%s: csum_blank set, the guest asked for full checksums",
			     what);
		memcpy(full, sent, len);
		full[csoff] = p->data[csoff];
		full[csoff + 1] = p->data[csoff + 1];
		for (i = 0; i < len; i++)
			if (full[i] != p->data[i])
				tl_fail("%s: byte %u differs", what, i);
		if (!tl_frame_l4_csum_ok(p->data, len))
			tl_fail("%s: the checksum that came back is wrong",
				what);
	}
}

/*
 * Checksum offload, @mode: "full" (partial checksums sent flagged
 * csum_blank must come back complete), "blank" (they must come back
 * blank, bytes as sent), or "complete": complete checksums sent flagged
 * data_validated, which an application asking for the offload on every
 * packet (xbecho --csum-all) must get back to us blank, the field the
 * pseudo-header sum (its tx_prepare did that).
 */
static void
scenario_csum(const char *mode)
{
	static const enum pkind kinds[] = { K_TCP4, K_UDP4, K_TCP6, K_UDP6 };
	static const uint32_t lens[] = { 42, 60, 74, 90, 333, 1514, 3000,
					 9000 };
	static uint8_t f[MAX_PKT], e[MAX_PKT];
	bool complete = strcmp(mode, "complete") == 0;
	struct fq *q = &F.q[0];
	unsigned int i, j, seq = 0;
	char what[64];

	for (i = 0; i < 4; i++) {
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++, seq++) {
			uint32_t len = lens[j], csoff;

			if (len > 1514 && !(F.sg && F.be_sg))
				continue;
			/* headers must fit: 14 + 20/40 + 8/20 bytes */
			if (len < 14u + (kinds[i] >= K_TCP6 ? 40u : 20u) +
				  (kinds[i] == K_TCP4 || kinds[i] == K_TCP6 ?
				   20u : 8u))
				continue;
			if ((kinds[i] == K_TCP6 || kinds[i] == K_UDP6) &&
			    !F.be_ipv6_csum)
				continue;
			csoff = build(f, kinds[i], seq, 0, len, !complete);
			snprintf(what, sizeof(what), "kind %d len %u", kinds[i],
				 len);
			while (!tx_send(q, f, len, complete ?
					NETTXF_data_validated :
					NETTXF_csum_blank |
					NETTXF_data_validated, 0, 0, seq))
				tx_poll(q);
			if (complete) {
				build(e, kinds[i], seq, 0, len, true);
				expect_ip_packet(q, e, len, csoff, "blank", 0,
						 0, what);
			} else {
				expect_ip_packet(q, f, len, csoff, mode, 0, 0,
						 what);
			}
		}
	}
	tl_note("checksum offload: every packet came back %s",
	     complete ? "blank, its complete checksum made partial" :
	     strcmp(mode, "blank") == 0 ? "with its partial checksum flagged" :
	     "with a correct checksum");
}

static void
scenario_gso(void)
{
	static const uint32_t lens[] = { 3000, 9000, 20000, 65000 };
	static uint8_t f[MAX_PKT];
	struct fq *q = &F.q[0];
	unsigned int i, v6, seq = 0;
	char what[64];

	if (!F.be_gso4 || !F.be_gso6 || !F.be_sg)
		tl_fail("backend does not offer sg and GSO");
	for (v6 = 0; v6 < 2; v6++) {
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++, seq++) {
			uint16_t mss = (uint16_t)(v6 ? 1440 : 1448 - i * 100);
			uint32_t csoff = build(f, v6 ? K_TCP6 : K_TCP4, seq, 0,
					       lens[i], true);
			uint8_t type = v6 ? XEN_NETIF_GSO_TYPE_TCPV6 :
					    XEN_NETIF_GSO_TYPE_TCPV4;

			snprintf(what, sizeof(what), "GSO %s len %u",
				 v6 ? "tcpv6" : "tcpv4", lens[i]);
			while (!tx_send(q, f, lens[i],
					NETTXF_csum_blank |
					NETTXF_data_validated, mss, type, seq))
				tx_poll(q);
			expect_ip_packet(q, f, lens[i], csoff, "blank", mss,
					 type, what);
		}
	}
	tl_note("GSO: tcpv4 and tcpv6 packets came back with their GSO extra");
}

/* ---------------------------------------------------------------------
 * Hostile scenarios
 * ---------------------------------------------------------------------
 */

/* Put raw requests on the TX ring (data pages from the free list). */
static uint16_t
grab_page(struct fq *q)
{
	uint16_t id;

	if (q->ntxfree == 0)
		tl_fail("no free tx page");
	id = q->txfree[--q->ntxfree];
	q->tx_busy[id] = true;
	memset(q->txp + (size_t)id * PAGE, 0x5a, PAGE);
	return id;
}

static void
put_req(struct fq *q, uint16_t id, uint32_t gref, uint16_t off, uint16_t size,
	uint16_t flags)
{
	netif_tx_request_t *req = RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt);

	req->gref = gref;
	req->offset = off;
	req->size = size;
	req->flags = flags;
	req->id = id;
	q->tx.req_prod_pvt++;
}

static void
put_extra(struct fq *q, uint8_t type, uint8_t flags, uint16_t gso_size,
	  uint8_t gso_type)
{
	netif_extra_info_t *ex = (netif_extra_info_t *)
		RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt);

	memset(ex, 0, sizeof(*ex));
	ex->type = type;
	ex->flags = flags;
	ex->u.gso.size = gso_size;
	ex->u.gso.type = gso_type;
	q->tx.req_prod_pvt++;
}

static void
push_tx(struct fq *q)
{
	TL_PUSH(REQUESTS, &q->tx, F.xce, q->ptx);
}

/* A packet of @n data slots (of 100 bytes, the first holding the rest). */
static void
put_packet(struct fq *q, unsigned int n, uint16_t first_size, bool bad_gref)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		uint16_t id = grab_page(q);
		uint32_t gref = bad_gref ? 0x7ffffff0u : q->txp_ref[id];

		put_req(q, id, gref, 0, k == 0 ? first_size : 100,
			k + 1 < n ? NETTXF_more_data : 0);
	}
}

/*
 * One well-formed frame of kind @k and @len bytes in one slot, with a
 * blank checksum and, if @gso_size, a GSO extra of type @gso_type (which
 * may lie about the frame).
 */
static void
put_frame(struct fq *q, enum pkind k, uint32_t len, uint16_t gso_size,
	  uint8_t gso_type)
{
	uint16_t id = grab_page(q);

	build(q->txp + (size_t)id * PAGE, k, 0, q->id, len, true);
	put_req(q, id, q->txp_ref[id], 0, (uint16_t)len,
		NETTXF_csum_blank | NETTXF_data_validated |
		(gso_size != 0 ? NETTXF_extra_info : 0));
	if (gso_size != 0)
		put_extra(q, XEN_NETIF_EXTRA_TYPE_GSO, 0, gso_size, gso_type);
}

/* The backend must answer @n requests of a dropped packet with errors. */
static void
expect_error_responses(struct fq *q, unsigned int nerr, unsigned int nnull)
{
	double end = tl_now() + 5;
	uint64_t err0 = q->tx_err + q->tx_dropped, null0 = q->tx_null;

	while (q->tx_err + q->tx_dropped - err0 < nerr ||
	       q->tx_null - null0 < nnull) {
		tx_poll(q);
		if (tl_now() > end)
			tl_fail("got %" PRIu64 " error and %" PRIu64
			     " null responses, want %u and %u",
			     q->tx_err + q->tx_dropped - err0,
			     q->tx_null - null0, nerr, nnull);
		nap();
	}
	if (q->tx_ok != 0)
		tl_fail("%" PRIu64 " requests of a bad packet answered OKAY",
		     q->tx_ok);
	if (tl_xenbus_state(F.xs, F.be_dir) != XenbusStateConnected)
		tl_fail("the backend left Connected for a packet it should drop");
}

static void
expect_closed_by_backend(const char *what)
{
	int s = wait_be(B(XenbusStateClosing) | B(XenbusStateClosed), 5,
			"the vif to be closed");

	tl_note("%s: the backend closed the vif (state %d)", what, s);
}

/* ---------------------------------------------------------------------
 * The control ring
 * ---------------------------------------------------------------------
 */

static void
ctrl_setup(void)
{
	C.xce = xenevtchn_open(NULL, 0);
	if (C.xce == NULL)
		tl_fail("cannot open an event channel handle: %s",
			strerror(errno));
	C.va = tl_share_pages(F.xgs, F.be_domid, 1, &C.ref);
	C.data = tl_share_pages(F.xgs, F.be_domid, 1, &C.data_ref);
	C.port = tl_evtchn_alloc(C.xce, F.be_domid);
	SHARED_RING_INIT((xen_netif_ctrl_sring_t *)C.va);
	FRONT_RING_INIT(&C.ring, (xen_netif_ctrl_sring_t *)C.va, PAGE);
	C.on = be_key("feature-ctrl-ring", 0) == 1;
	if (!C.on)
		tl_fail("the backend does not offer feature-ctrl-ring");
}

/* Queue one request (not published); returns its id. */
static uint16_t
ctrl_put(uint16_t type, uint32_t d0, uint32_t d1, uint32_t d2)
{
	struct xen_netif_ctrl_request *req;

	req = RING_GET_REQUEST(&C.ring, C.ring.req_prod_pvt);
	req->id = C.id;
	req->type = type;
	req->data[0] = d0;
	req->data[1] = d1;
	req->data[2] = d2;
	C.ring.req_prod_pvt++;
	return C.id++;
}

static void
ctrl_push(void)
{
	TL_PUSH(REQUESTS, &C.ring, C.xce, C.port);
}

/* The next answer, which must be the one to request @id of @type. */
static struct xen_netif_ctrl_response
ctrl_get(uint16_t id, uint16_t type)
{
	struct xen_netif_ctrl_response rsp;
	double end = tl_now() + 5;

	while (C.ring.rsp_cons ==
	       __atomic_load_n(&C.ring.sring->rsp_prod, __ATOMIC_ACQUIRE)) {
		if (tl_now() > end)
			tl_fail("no control answer to request %u (type %u) in 5 s",
				id, type);
		nap();
	}
	RING_COPY_RESPONSE(&C.ring, C.ring.rsp_cons, &rsp);
	C.ring.rsp_cons++;
	if (rsp.id != id || rsp.type != type)
		tl_fail("control answer id %u type %u, want id %u type %u",
			rsp.id, rsp.type, id, type);
	return rsp;
}

/* One request, its answer's status must be @status; returns its data. */
static uint32_t
ctrl_expect(const char *what, uint16_t type, uint32_t d0, uint32_t d1,
	    uint32_t d2, uint32_t status)
{
	struct xen_netif_ctrl_response rsp;
	uint16_t id = ctrl_put(type, d0, d1, d2);

	ctrl_push();
	rsp = ctrl_get(id, type);
	if (rsp.status != status)
		tl_fail("%s: status %u, want %u", what, rsp.status, status);
	tl_note("ctrl %s: status %u as netif.h says", what, status);
	return rsp.data;
}

/*
 * Requests netif.h tells a backend to refuse, each answered with its
 * error status and changing nothing, then the same made right; a flood
 * of a whole ring's worth at once, each answered in turn.
 */
static void
scenario_ctrl(void)
{
	const uint32_t ok = XEN_NETIF_CTRL_STATUS_SUCCESS;
	const uint32_t inval = XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	const uint32_t nosup = XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED;
	const uint32_t bad_gref = 0x7ffffff0u;
	uint32_t *map = (uint32_t *)C.data, v, i, size;
	uint16_t first, n;

	ctrl_expect("flags before an algorithm",
		    XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS, 0, 0, 0, nosup);
	ctrl_expect("set flags before an algorithm",
		    XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS, 1, 0, 0, nosup);
	ctrl_expect("algorithm 7", XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM, 7,
		    0, 0, inval);
	ctrl_expect("toeplitz", XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM,
		    XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ, 0, 0, ok);
	v = ctrl_expect("flags", XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS, 0, 0, 0,
			ok);
	if (v != 0xf)
		tl_fail("supported hash types 0x%x, want the four of netif", v);
	ctrl_expect("unknown flag", XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS, 0x10,
		    0, 0, inval);
	ctrl_expect("flags ipv4+tcp", XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS, 0x3,
		    0, 0, ok);
	memset(C.data, 0x5a, 64);
	ctrl_expect("key of 41 octets", XEN_NETIF_CTRL_TYPE_SET_HASH_KEY,
		    C.data_ref, 41, 0, XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
	ctrl_expect("key of 4 billion octets", XEN_NETIF_CTRL_TYPE_SET_HASH_KEY,
		    C.data_ref, UINT32_MAX, 0,
		    XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
	ctrl_expect("key in a bad grant", XEN_NETIF_CTRL_TYPE_SET_HASH_KEY,
		    bad_gref, 40, 0, inval);
	ctrl_expect("key", XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, C.data_ref, 40, 0,
		    ok);
	ctrl_expect("empty key", XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, bad_gref, 0,
		    0, ok);
	size = ctrl_expect("mapping size",
			   XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE, 0, 0, 0,
			   ok);
	if (size != 128)
		tl_fail("mapping size %u, want 128", size);
	ctrl_expect("table of 129", XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE,
		    129, 0, 0, inval);
	ctrl_expect("table of 64", XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE,
		    64, 0, 0, ok);
	for (i = 0; i < 64; i++)
		map[i] = i % F.nq;
	map[17] = F.nq;		/* one queue past the last */
	ctrl_expect("entry past the queues", XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING,
		    C.data_ref, 64, 0, inval);
	map[17] = UINT32_MAX;
	ctrl_expect("entry 2^32-1", XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING,
		    C.data_ref, 64, 0, inval);
	map[17] = 0;
	ctrl_expect("sub-table past the size",
		    XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, C.data_ref, 10, 60,
		    inval);
	ctrl_expect("offset + size wrapping",
		    XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, C.data_ref,
		    UINT32_MAX, 2, inval);
	ctrl_expect("offset 2^32-1", XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING,
		    C.data_ref, 1, UINT32_MAX, inval);
	ctrl_expect("table in a bad grant",
		    XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, bad_gref, 4, 0,
		    inval);
	ctrl_expect("table", XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, C.data_ref,
		    64, 0, ok);
	ctrl_expect("sub-table", XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING,
		    C.data_ref, 4, 60, ok);
	ctrl_expect("type 0", XEN_NETIF_CTRL_TYPE_INVALID, 0, 0, 0, nosup);
	ctrl_expect("static grants", XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING,
		    C.data_ref, 1, 0, nosup);
	ctrl_expect("type 65535", 65535, 1, 2, 3, nosup);

	/* a whole ring of requests at once: every one answered, in turn */
	n = (uint16_t)RING_SIZE(&C.ring);
	first = C.id;
	for (i = 0; i < n; i++)
		ctrl_put(XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE, 0, 0, 0);
	ctrl_push();
	for (i = 0; i < n; i++)
		if (ctrl_get((uint16_t)(first + i),
			     XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE).data !=
		    size)
			tl_fail("flood: answer %u lost its data", i);
	tl_note("ctrl flood: %u requests at once, each answered", n);
	/* hashing off again: the vif as it was */
	ctrl_expect("algorithm none", XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM,
		    XEN_NETIF_CTRL_HASH_ALGORITHM_NONE, 0, 0, ok);
}

/* ---------------------------------------------------------------------
 * Multicast control
 * ---------------------------------------------------------------------
 */

static void prove_traffic(void);

/*
 * Subscribe (MCAST_ADD) or unsubscribe (MCAST_DEL) @addr with a dummy
 * request, as netif.h describes: OKAY (or ERROR if !@ok) for the request,
 * NULL for the extra.
 */
static void
mcast_op(struct fq *q, uint8_t type, const uint8_t *addr, bool ok)
{
	uint64_t ok0, err0, null0;
	netif_extra_info_t *ex;
	double end = tl_now() + 5;
	uint16_t id;

	/* every earlier request answered: the next answer is this one's */
	while (q->ntxfree != q->ntxp) {
		tx_poll(q);
		if (tl_now() > end)
			tl_fail("earlier tx requests unanswered");
		nap();
	}
	ok0 = q->tx_ok;
	err0 = q->tx_err;
	null0 = q->tx_null;
	id = grab_page(q);
	put_req(q, id, q->txp_ref[id], 0, 0, NETTXF_extra_info);
	ex = (netif_extra_info_t *)RING_GET_REQUEST(&q->tx,
						    q->tx.req_prod_pvt);
	memset(ex, 0, sizeof(*ex));
	ex->type = type;
	memcpy(ex->u.mcast.addr, addr, 6);
	q->tx.req_prod_pvt++;
	push_tx(q);
	while (q->tx_ok + q->tx_err == ok0 + err0 || q->tx_null == null0) {
		tx_poll(q);
		if (tl_now() > end)
			tl_fail("no answer to a multicast %s",
				type == XEN_NETIF_EXTRA_TYPE_MCAST_ADD ? "add" :
				"del");
		nap();
	}
	if (ok ? q->tx_ok != ok0 + 1 : q->tx_err != err0 + 1)
		tl_fail("multicast %s of %02x:..:%02x answered %s, want %s",
			type == XEN_NETIF_EXTRA_TYPE_MCAST_ADD ? "add" : "del",
			addr[0], addr[5], q->tx_ok != ok0 ? "OKAY" : "ERROR",
			ok ? "OKAY" : "ERROR");
}

/*
 * A frame to @dst (echoed back unchanged by the backend application),
 * then a unicast marker: the marker's echo must come, and the first
 * frame's before it if and only if @want.
 */
static void
mcast_probe(struct fq *q, const uint8_t *dst, bool want, uint32_t seq)
{
	static uint8_t f[256];
	struct tl_frame fr;
	bool seen = false;
	double end;

	build(f, K_RAW, seq, q->id, 200, false);
	memcpy(f, dst, 6);
	while (!tx_send(q, f, 200, 0, 0, 0, seq))
		tx_poll(q);
	build(f, K_RAW, seq + 1, q->id, 200, false);
	while (!tx_send(q, f, 200, 0, 0, 0, seq + 1))
		tx_poll(q);
	end = tl_now() + 5;
	for (;;) {
		while (!rx_poll(q)) {
			tx_poll(q);
			if (tl_now() > end)
				tl_fail("no echo of the unicast marker %u", seq + 1);
			nap();
		}
		if (tl_frame_parse(F.pkt.data, F.pkt.len, &fr) == 0)
			tl_fail("an echo that is no test frame");
		if (fr.seq == seq)
			seen = true;
		else if (fr.seq == seq + 1)
			break;
	}
	if (seen != want)
		tl_fail("multicast %02x:%02x:%02x:%02x:%02x:%02x %s, want %s",
			dst[0], dst[1], dst[2], dst[3], dst[4], dst[5],
			seen ? "delivered" : "filtered",
			want ? "delivered" : "filtered");
	tl_note("multicast %02x:..:%02x %s, as it should", dst[0], dst[5],
		seen ? "delivered" : "filtered");
}

/*
 * The guest asked for filtering (--mcast-filter): multicast comes only to
 * the groups it subscribed, broadcast always; a subscription is undone by
 * MCAST_DEL; the 65th is refused; a unicast "subscription" too.
 */
static void
scenario_mcast(void)
{
	static const uint8_t g1[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	static const uint8_t g2[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x02 };
	static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t uc[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x07 };
	struct fq *q = &F.q[0];
	uint8_t g[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x00 };
	unsigned int i;

	prove_traffic();
	if (!F.mcast_filter) {
		/* no filtering asked for: every group comes, listed or not */
		mcast_op(q, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, g1, true);
		mcast_probe(q, g1, true, 100000);
		mcast_probe(q, g2, true, 100002);
		tl_note("mcast: no filter asked for, nothing filtered");
		return;
	}
	mcast_probe(q, g1, false, 100000);
	mcast_probe(q, bc, true, 100002);
	mcast_op(q, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, g1, true);
	mcast_probe(q, g1, true, 100004);
	mcast_probe(q, g2, false, 100006);
	mcast_op(q, XEN_NETIF_EXTRA_TYPE_MCAST_DEL, g1, true);
	mcast_probe(q, g1, false, 100008);
	mcast_op(q, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, uc, false);
	/* the list holds 64: the 65th is refused, the others stay */
	for (i = 0; i < 64; i++) {
		g[5] = (uint8_t)i;
		mcast_op(q, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, g, true);
	}
	mcast_op(q, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, g1, false);
	g[5] = 63;
	mcast_probe(q, g, true, 100010);
	tl_note("mcast: subscriptions, filtering and the bound as expected");
}

/* Small traffic proving the connection works. */
static void
prove_traffic(void)
{
	const uint32_t *sizes;
	unsigned int n;

	sizes = traffic_sizes(&n);
	run_traffic(200, sizes, n, 32);
}

/*
 * The hostile packets of one put_packet() that the backend drops with one
 * error response per slot, the vif staying connected.
 */
static const struct tx_drop {
	const char *name;
	unsigned int slots;
	uint16_t first_size;
	bool bad_gref;
} tx_drops[] = {
	/* 20 and 21 slots: more than the 19 taken, not fatal (as Linux) */
	{ "too-many-slots", 20, 2000, false },
	{ "too-many-slots-21", 21, 2100, false },
	/* the first size smaller than what the other slots hold */
	{ "bad-size", 3, 150, false },
	{ "runt", 1, 10, false },
	/* grants that do not exist: the copy fails, ERROR comes back */
	{ "bad-gref", 2, 400, true },
};

/*
 * The hostile frames of one put_frame(), 3000 bytes, whose metadata does
 * not fit them: the backend answers an error (and a null response for
 * the GSO extra, if any), the vif staying connected.
 */
static const struct tx_bad_meta {
	const char *name;
	enum pkind kind;
	uint16_t gso_size;
	uint8_t gso_type;
} tx_bad_metas[] = {
	/* a TCPv4 GSO extra on a UDP frame: never LRO */
	{ "gso-udp", K_UDP4, 1448, XEN_NETIF_GSO_TYPE_TCPV4 },
	/* a TCPv6 GSO extra on a TCP/IPv4 frame */
	{ "gso-wrong-ip", K_TCP4, 1448, XEN_NETIF_GSO_TYPE_TCPV6 },
	/* a segment size no NIC takes */
	{ "gso-tiny-mss", K_TCP4, 1, XEN_NETIF_GSO_TYPE_TCPV4 },
	/* a non-GSO frame above the MTU the port set (1500) */
	{ "oversize", K_RAW, 0, 0 },
};

/*
 * Persistent grants promised, then broken: one frame from each of
 * PGNT_MAX(ring) + 1 pages shared for the purpose, after the ring's own
 * pages prove_traffic used. The backend must take frames until the
 * ring's distinct refs reach the bound, and close the vif at the next.
 */
static void
scenario_pgnt_bound(struct fq *q)
{
	unsigned int bound = PGNT_MAX(RING_SIZE(&q->tx)), n = bound + 1, k;
	uint32_t *refs = calloc(n, sizeof(*refs));
	uint64_t ok0 = q->tx_ok;
	uint8_t *va;
	double end = tl_now() + 20;
	uint16_t id;

	if (!F.pgnt)
		tl_fail("pgnt-bound needs --pgnt");
	if (refs == NULL)
		tl_fail("no memory");
	va = tl_share_pages(F.xgs, F.be_domid, n, refs);
	for (k = 0; k < n; k++)
		build(va + (size_t)k * PAGE, K_RAW, k, q->id, 60, false);
	for (k = 0; k < n; k++) {
		while (q->ntxfree == 0 || RING_FREE_REQUESTS(&q->tx) == 0) {
			tx_poll(q);
			while (rx_poll(q))
				;	/* echoes: not checked */
			if (tl_xenbus_state(F.xs, F.be_dir) !=
			    XenbusStateConnected)
				goto closed;
			if (tl_now() > end)
				tl_fail("pgnt-bound: stuck at frame %u", k);
			nap();
		}
		id = q->txfree[--q->ntxfree];
		q->tx_busy[id] = true;
		put_req(q, id, refs[k], 0, 60, 0);
		push_tx(q);
	}
closed:
	expect_closed_by_backend("pgnt-bound");
	tx_poll(q);
	/* every frame below the bound taken: the ring's pages count too */
	if (q->tx_ok - ok0 < bound - q->ntxp - RING_SIZE(&q->tx))
		tl_fail("pgnt-bound: only %" PRIu64 " frames of %u taken before the close",
			q->tx_ok - ok0, bound - q->ntxp);
	tl_note("pgnt-bound: %" PRIu64 " frames from distinct pages taken, the vif closed past %u refs",
		q->tx_ok - ok0, bound);
	xengntshr_unshare(F.xgs, va, n);
	free(refs);
}

/*
 * Persistent grants promised, then an RX buffer posted with a read-only
 * grant: the backend maps RX buffers writable, cannot, and must close the
 * vif (without the promise it answers that packet with an error, see
 * hostile-bad-rx-gref). Returns once it has.
 */
static bool
pgnt_poll_closed(struct fq *q, double end, unsigned int k)
{
	tx_poll(q);
	if (tl_xenbus_state(F.xs, F.be_dir) != XenbusStateConnected)
		return true;
	if (tl_now() > end)
		tl_fail("stuck at frame %u", k);
	nap();
	return false;
}

static void
scenario_pgnt_ro_rx(struct fq *q)
{
	static uint8_t f[MAX_PKT];
	double end = tl_now() + 10;
	unsigned int k;
	uint32_t ref;
	void *va;

	if (!F.pgnt)
		tl_fail("pgnt-ro-rx needs --pgnt");
	va = xengntshr_share_pages(F.xgs, F.be_domid, 1, &ref, 0);
	if (va == NULL)
		tl_fail("sharing a read-only page: %s", strerror(errno));
	q->bad_rx_gref = ref;
	q->post_bad_rx = true;
	/* one echo frees a buffer; its re-post carries the read-only grant */
	for (k = 0; k < q->nrxb + 2; k++) {
		build(f, K_RAW, k, 0, 200, false);
		while (!tx_send(q, f, 200, 0, 0, 0, k))
			if (pgnt_poll_closed(q, end, k))
				goto closed;
		while (!rx_poll(q))
			if (pgnt_poll_closed(q, end, k))
				goto closed;
		/*
		 * The frame meant for the read-only buffer failed: send no
		 * more (the echo application would hold a frame for the
		 * broken ring and deliver it on the next connection).
		 */
		if (F.pkt.error) {
			while (!pgnt_poll_closed(q, end, k))
				;
			goto closed;
		}
	}
	tl_fail("pgnt-ro-rx: %u frames echoed, the read-only buffer among them",
		k);
closed:
	expect_closed_by_backend("pgnt-ro-rx");
	xengntshr_unshare(F.xgs, va, 1);
}

static void
scenario_hostile(const char *name)
{
	struct fq *q = &F.q[0];
	unsigned int size = RING_SIZE(&q->tx);
	const struct tx_drop *drop = NULL;
	const struct tx_bad_meta *meta = NULL;
	uint16_t id;
	bool fatal = true, taken = false;
	unsigned int i;

	for (i = 0; i < sizeof(tx_drops) / sizeof(tx_drops[0]); i++)
		if (strcmp(name, tx_drops[i].name) == 0)
			drop = &tx_drops[i];
	for (i = 0; i < sizeof(tx_bad_metas) / sizeof(tx_bad_metas[0]); i++)
		if (strcmp(name, tx_bad_metas[i].name) == 0)
			meta = &tx_bad_metas[i];

	if (!F.no_echo)
		prove_traffic();
	q->tx_ok = q->tx_err = q->tx_null = q->tx_dropped = 0;

	if (strcmp(name, "ctrl") == 0) {
		fatal = false;
		taken = true;
		scenario_ctrl();
		tl_note("ctrl: every bad request refused, vif still connected");
	} else if (strcmp(name, "ctrl-prod") == 0) {
		/* the control ring's producer further than the ring is long */
		C.ring.req_prod_pvt += RING_SIZE(&C.ring) + 3;
		ctrl_push();
		/* reconnect without a control ring */
		C.on = false;
	} else if (strcmp(name, "prod-overflow") == 0) {
		/* a producer index further than the ring is long */
		q->tx.req_prod_pvt += size + 7;
		push_tx(q);
	} else if (strcmp(name, "fatal-slots") == 0) {
		/* 22 data slots: far beyond the 19 taken (as Linux) */
		put_packet(q, 22, 2200, false);
		push_tx(q);
	} else if (strcmp(name, "cross-page") == 0) {
		/* a second slot whose data runs over its page */
		id = grab_page(q);
		put_req(q, id, q->txp_ref[id], 0, 300, NETTXF_more_data);
		id = grab_page(q);
		put_req(q, id, q->txp_ref[id], 4000, 200, 0);
		push_tx(q);
	} else if (strcmp(name, "first-cross-page") == 0) {
		id = grab_page(q);
		put_req(q, id, q->txp_ref[id], 4090, 100, 0);
		push_tx(q);
	} else if (strcmp(name, "bad-extra") == 0) {
		id = grab_page(q);
		put_req(q, id, q->txp_ref[id], 0, 100, NETTXF_extra_info);
		put_extra(q, 9, 0, 0, 0);
		push_tx(q);
	} else if (strcmp(name, "endless-extra") == 0) {
		unsigned int k;

		id = grab_page(q);
		put_req(q, id, q->txp_ref[id], 0, 100, NETTXF_extra_info);
		for (k = 0; k < 8; k++)
			put_extra(q, XEN_NETIF_EXTRA_TYPE_HASH,
				  XEN_NETIF_EXTRA_FLAG_MORE, 0, 0);
		push_tx(q);
	} else if (strcmp(name, "bad-gso") == 0) {
		id = grab_page(q);
		put_req(q, id, q->txp_ref[id], 0, 100, NETTXF_extra_info);
		put_extra(q, XEN_NETIF_EXTRA_TYPE_GSO, 0, 0,
			  XEN_NETIF_GSO_TYPE_TCPV4);
		push_tx(q);
	} else if (strcmp(name, "pgnt-bad-gref") == 0) {
		/* persistent grants promised: a ref that is not ours can not
		 * be mapped, and breaks the promise (not a dropped packet) */
		if (!F.pgnt)
			tl_fail("pgnt-bad-gref needs --pgnt");
		put_packet(q, 1, 100, true);
		push_tx(q);
	} else if (strcmp(name, "pgnt-bound") == 0) {
		scenario_pgnt_bound(q);
	} else if (strcmp(name, "pgnt-ro-rx") == 0) {
		scenario_pgnt_ro_rx(q);
	} else if (drop != NULL) {
		fatal = false;
		put_packet(q, drop->slots, drop->first_size, drop->bad_gref);
		push_tx(q);
		expect_error_responses(q, drop->slots, 0);
	} else if (strcmp(name, "slots-19") == 0) {
		/* 19 slots, as frontends of the MAX_SKB_FRAGS = 18 era send:
		 * taken (as Linux) and echoed */
		static uint8_t f[MAX_PKT];
		unsigned int k;
		double end;

		fatal = false;
		build(f, K_RAW, 999999, q->id, 1900, false);
		for (k = 0; k < 19; k++) {
			id = grab_page(q);
			memcpy(q->txp + (size_t)id * PAGE, f + 100 * k, 100);
			put_req(q, id, q->txp_ref[id], 0, k == 0 ? 1900 : 100,
				k < 18 ? NETTXF_more_data : 0);
		}
		push_tx(q);
		end = tl_now() + 5;
		while (!rx_poll(q)) {
			tx_poll(q);
			if (tl_now() > end)
				tl_fail("no echo of the 19-slot packet");
			nap();
		}
		check_raw(q, &F.pkt);
		while (q->tx_ok < 19 && tl_now() < end)
			tx_poll(q);
		if (q->tx_ok != 19 || q->tx_err + q->tx_dropped != 0)
			tl_fail("19-slot packet: %" PRIu64 " ok, %" PRIu64
				" error responses", q->tx_ok,
				q->tx_err + q->tx_dropped);
		tl_note("slots-19: taken and echoed");
		taken = true;
	} else if (strcmp(name, "mcast-extra") == 0) {
		/* a "subscription" to a unicast address: error, with a null */
		fatal = false;
		id = grab_page(q);
		put_req(q, id, q->txp_ref[id], 0, 100, NETTXF_extra_info);
		put_extra(q, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0, 0, 0);
		push_tx(q);
		expect_error_responses(q, 1, 1);
	} else if (meta != NULL) {
		fatal = false;
		put_frame(q, meta->kind, 3000, meta->gso_size, meta->gso_type);
		push_tx(q);
		expect_error_responses(q, 1, meta->gso_size != 0);
	} else if (strcmp(name, "bad-rx-gref") == 0) {
		/*
		 * A posted RX buffer whose grant does not exist: the packet
		 * the backend puts there must come back as an error
		 * response, and only that one.
		 */
		static uint8_t f[MAX_PKT];
		uint64_t err0 = q->rx_err_pkts;
		unsigned int k, errors = 0;
		double end;

		fatal = false;
		q->bad_rx_gref = 0x7ffffff0u;
		q->post_bad_rx = true;
		/* one echo frees a buffer; its re-post carries the bad grant,
		 * behind every buffer already posted */
		for (k = 0; k < q->nrxb + 2; k++) {
			build(f, K_RAW, k, 0, 200, false);
			while (!tx_send(q, f, 200, 0, 0, 0, k))
				tx_poll(q);
			end = tl_now() + 5;
			while (!rx_poll(q)) {
				tx_poll(q);
				if (tl_now() > end)
					tl_fail("no echo of packet %u", k);
				nap();
			}
			if (F.pkt.error)
				errors++;
		}
		if (errors != 1 || q->rx_err_pkts - err0 != 1)
			tl_fail("%u error packets on the rx ring, want 1",
				errors);
		tl_note("bad-rx-gref: the packet for the bad buffer came back as an error");
	} else {
		tl_fail("unknown hostile case %s", name);
	}

	if (fatal) {
		expect_closed_by_backend(name);
		if (F.no_echo)
			return;	/* whoever comes next starts the vif over */
		fe_reconnect_after_close();
	} else if (!taken) {
		tl_note("%s: dropped with error responses, vif still connected",
		     name);
	}
	if (F.no_echo)
		return;
	prove_traffic();
	tl_note("%s: traffic flows again", name);
}

/* Garbage in our xenstore keys: the backend refuses, then recovers. */
static void
scenario_xs(const char *name)
{
	if (strcmp(name, "ring-ref") == 0) {
		spoil_key = F.order > 0 ? "tx-ring-ref0" : "tx-ring-ref";
		spoil_val = "12abc";
		if (F.nq > 1)
			tl_fail("use one queue");
	} else if (strcmp(name, "bad-grant") == 0) {
		spoil_key = F.order > 0 ? "rx-ring-ref0" : "rx-ring-ref";
		spoil_val = "99999999";
	} else if (strcmp(name, "queues") == 0) {
		spoil_key = "multi-queue-num-queues";
		spoil_val = "1000";
	} else if (strcmp(name, "order") == 0) {
		spoil_key = "ring-page-order";
		spoil_val = "7";
	} else if (strcmp(name, "evtchn") == 0) {
		spoil_key = "event-channel*";
		spoil_val = "-1";
	} else if (strcmp(name, "state") == 0) {
		spoil_key = NULL;
	} else if (strcmp(name, "no-rx-copy") == 0) {
		omit_rx_copy = true;
	} else {
		tl_fail("unknown xenstore case %s", name);
	}
	if (strcmp(name, "state") == 0) {
		/* a state that is no state: the backend closes */
		fe_connect(true);
		prove_traffic();
		tl_xs_put(F.xs, XBT_NULL, F.fe_dir, "state", "%s", "4x");
	} else {
		fe_connect(false);
	}
	expect_closed_by_backend(name);
	fe_reconnect_after_close();
	prove_traffic();
	tl_note("xenstore %s: refused, then connected with good keys", name);
}

static void
scenario_reconnect(void)
{
	unsigned int r;

	for (r = 0; r < 3; r++) {
		prove_traffic();
		fe_disconnect();
		set_state(XenbusStateInitialising);
		fe_connect(true);
	}
	prove_traffic();
	tl_note("three disconnect/reconnect cycles, traffic after each");
}

/*
 * A guest that starts over again and again (B5 of the hostile review):
 * --cycles times close, Initialising, connect, a little traffic. Prints how
 * long each start-over waited for InitWait, for the test to check the
 * backend's reconnect budget.
 */
static void
scenario_reconnect_loop(void)
{
	unsigned int r;
	uint64_t t0;

	for (r = 1; r <= F.cycles; r++) {
		fe_disconnect();
		t0 = tl_now_ms();
		set_state(XenbusStateInitialising);
		wait_be(B(XenbusStateInitWait), 70, "InitWait");
		tl_note("cycle %u: InitWait after %" PRIu64 " ms", r,
			tl_now_ms() - t0);
		fe_connect(true);
		prove_traffic();
	}
	tl_note("%u start-overs, traffic after each", F.cycles);
}

/* Create $sync_dir/@name: tells run.sh that we reached that point. */
static void
sync_touch(const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", F.sync_dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		tl_fail("cannot create %s: %s", path, strerror(errno));
	fclose(f);
}

/*
 * Wait up to 40 s for run.sh to create $sync_dir/@name, its sign that it
 * did its part; fail with "the test never @what" otherwise.
 */
static void
sync_wait(const char *name, const char *what)
{
	char path[512];
	struct stat st;
	double end = tl_now() + 40;

	snprintf(path, sizeof(path), "%s/%s", F.sync_dir, name);
	while (stat(path, &st) != 0) {
		if (tl_now() > end)
			tl_fail("the test never %s", what);
		usleep(10000);
	}
}

/*
 * The first phase of a scenario run.sh acts in (front_phase1): traffic
 * flows, and $sync_dir/phase1 tells the script so.
 */
static void
sync_phase1(const char *name)
{
	if (F.sync_dir == NULL)
		tl_fail("%s needs --sync-dir", name);
	prove_traffic();
	sync_touch("phase1");
}

/* The backend process is killed and started again while we stay up. */
static void
scenario_restart(void)
{
	sync_phase1("restart");
	tl_note("phase 1 done, waiting for the backend restart");
	sync_wait("restarted", "restarted the backend");
	wait_be(B(XenbusStateConnected), 20, "the new backend to reconnect");
	prove_traffic();
	tl_note("traffic flows through the restarted backend on the same rings");
}

/*
 * A xenstore storm (B1 of the hostile review, the XSA-349 class): while
 * connected, write our state node (the same value, Connected) and a node
 * below it as fast as the store takes them for --storm-ms. Every write
 * fires the backend's watch. Then traffic must still flow. With
 * --sync-dir, "phase1" tells the test the storm has begun, "storm-done"
 * that it has ended.
 */
static void
scenario_xs_storm(void)
{
	double end;
	unsigned long n = 0;

	prove_traffic();
	if (F.sync_dir != NULL)
		sync_touch("phase1");
	end = tl_now() + F.storm_ms / 1000.0;
	while (tl_now() < end) {
		tl_xs_put(F.xs, XBT_NULL, F.fe_dir, "state", "%d",
			  XenbusStateConnected);
		if (n % 4 == 3)
			tl_xs_put(F.xs, XBT_NULL, F.fe_dir, "state/x", "%lu", n);
		n++;
	}
	if (F.sync_dir != NULL)
		sync_touch("storm-done");
	tl_note("storm: %lu writes of our state node in %u ms", n, F.storm_ms);
	if (tl_xenbus_state(F.xs, F.be_dir) != XenbusStateConnected)
		tl_fail("the backend left Connected during the storm");
	prove_traffic();
	tl_note("traffic flows after the storm");
}

/*
 * The application reconfigures the port for fewer queues while we stay
 * connected (B3 of the hostile review): after "phase1", the test has the
 * backend reconfigured and touches "go"; we rewrite our state node (which
 * makes the backend look at our keys), and the connection must stay up:
 * a live connection is checked against what it negotiated, not against
 * the port's new offer. Traffic then flows on queue 0, where the port now
 * sends everything.
 */
static void
scenario_reconfigured(void)
{
	unsigned int nq = F.nq;

	sync_phase1("reconfigured");
	sync_wait("go", "reconfigured the backend");
	tl_xs_put(F.xs, XBT_NULL, F.fe_dir, "state", "%d",
		  XenbusStateConnected);
	usleep(500000);
	if (tl_xenbus_state(F.xs, F.be_dir) != XenbusStateConnected)
		tl_fail("the backend dropped our connection after its reconfiguration");
	F.nq = 1;
	prove_traffic();
	F.nq = nq;
	tl_note("still connected with %u queues after the port's reconfiguration",
		nq);
}

/* The toolstack detaches the vif while we are connected. */
static void
scenario_detach(void)
{
	sync_phase1("detach");
	tl_note("connected, waiting for the toolstack to detach the vif");
	wait_be(B(XenbusStateClosed) | B(XenbusStateUnknown), 30,
		"the backend to close");
	tl_note("the backend closed the vif for the toolstack");
}

/* ---------------------------------------------------------------------
 */

static const struct tl_opt opts[] = {
	{ NULL, 'd', TL_OPT_UINT, &F.devid, "DEVID", "vif number (0)", NULL },
	{ NULL, 'q', TL_OPT_UINT, &F.nq, "N", "queues (1)", NULL },
	{ NULL, 'o', TL_OPT_UINT, &F.order, "ORDER", "ring page order (0)",
	  NULL },
	{ NULL, 'n', TL_OPT_UINT, &F.count, "N", "packets per queue (2000)",
	  NULL },
	{ NULL, 't', TL_OPT_UINT, &F.timeout, "SECS", "timeout (30)", NULL },
	{ NULL, 'w', TL_OPT_UINT, &F.window, "N",
	  "packets in flight per queue (64)", NULL },
	{ "split", 0, TL_OPT_INT, &F.split, "0|1",
	  "split event channels (default: if offered)", NULL },
	{ "no-sg", 0, TL_OPT_CLEAR, &F.sg, NULL, NULL, NULL },
	{ "no-gso", 0, TL_OPT_CLEAR, &F.gso, NULL, NULL, NULL },
	{ "no-csum", 0, TL_OPT_CLEAR, &F.csum, NULL, NULL, NULL },
	{ "rearm", 0, TL_OPT_SET, &F.rearm, NULL, "re-arm rsp_event", NULL },
	{ "mcast-filter", 0, TL_OPT_SET, &F.mcast_filter, NULL,
	  "write request-multicast-control=1", NULL },
	{ "pgnt", 0, TL_OPT_SET, &F.pgnt, NULL,
	  "promise persistent grants (" PGNT_KEY "=1)", NULL },
	{ "greedy-kicks", 0, TL_OPT_SET, &F.greedy_kicks, NULL,
	  "hostile: ask for a kick after every response, at every poll",
	  NULL },
	{ "expect-seg", 0, TL_OPT_UINT, &F.expect_seg, "N",
	  "RX packing of segments of N bytes", NULL },
	{ "cycles", 0, TL_OPT_UINT, &F.cycles, "N",
	  "start-overs of reconnect-loop (6)", NULL },
	{ "no-echo", 0, TL_OPT_SET, &F.no_echo, NULL,
	  "hostile-*: the backend does not echo (a soak's traffic peer): no "
	  "traffic before or after; a fatal case ends once the backend "
	  "closed the vif", NULL },
	{ "no-drain", 0, TL_OPT_SET, &F.no_drain, NULL,
	  "traffic: do not wait for the last tx responses (a guest shut down "
	  "while the backend holds some)", NULL },
	{ "storm-ms", 0, TL_OPT_UINT, &F.storm_ms, "MS",
	  "length of the xenstore storm (3000)", NULL },
	{ "sync-dir", 0, TL_OPT_STR, &F.sync_dir, "DIR",
	  "phase files of restart and detach", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL },
};

static const struct tl_cmd cmd = {
	.prog = "xbfront",
	.synopsis = "[options] SCENARIO",
	.epilog = "scenarios: traffic, csum-sw, csum-blank, csum-complete, gso, reconnect,\n"
		  "  reconnect-loop, reconfigured,"
		  "  restart, detach, hostile-<case>, xs-<case>, xs-storm\n",
	.opts = opts,
};

/*
 * The scenarios, looked up by name before anything starts: a name ending
 * in '-' is a prefix, the rest of the scenario's name its argument
 * (hostile-prod-overflow runs scenario_hostile("prod-overflow")). Most run
 * on a connected vif that main disconnects after; xs-<case> connects
 * itself (with spoiled keys), detach leaves the vif to the toolstack.
 */
struct scenario_def {
	const char *name;
	void (*run)(void);
	void (*run_arg)(const char *arg);	/* instead of run */
	const char *arg;	/* run_arg's argument; NULL: the name's rest */
	bool connect;		/* main connects the vif first */
	bool disconnect;	/* main disconnects it after */
};

static const struct scenario_def scenario_defs[] = {
	{ "traffic", scenario_traffic, NULL, NULL, true, true },
	{ "csum-sw", NULL, scenario_csum, "full", true, true },
	{ "csum-blank", NULL, scenario_csum, "blank", true, true },
	{ "csum-complete", NULL, scenario_csum, "complete", true, true },
	{ "gso", scenario_gso, NULL, NULL, true, true },
	{ "reconnect", scenario_reconnect, NULL, NULL, true, true },
	{ "reconnect-loop", scenario_reconnect_loop, NULL, NULL, true, true },
	{ "restart", scenario_restart, NULL, NULL, true, true },
	{ "xs-storm", scenario_xs_storm, NULL, NULL, true, true },
	{ "reconfigured", scenario_reconfigured, NULL, NULL, true, true },
	{ "mcast", scenario_mcast, NULL, NULL, true, true },
	{ "detach", scenario_detach, NULL, NULL, true, false },
	{ "hostile-", NULL, scenario_hostile, NULL, true, true },
	{ "xs-", NULL, scenario_xs, NULL, false, true },
};

/* The definition of scenario @name, or NULL. */
static const struct scenario_def *
scenario_find(const char *name)
{
	size_t i, n;

	for (i = 0; i < sizeof(scenario_defs) / sizeof(scenario_defs[0]);
	     i++) {
		const struct scenario_def *d = &scenario_defs[i];

		n = strlen(d->name);
		if (d->name[n - 1] == '-' ? strncmp(name, d->name, n) == 0 :
		    strcmp(name, d->name) == 0)
			return d;
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	static char fail_prefix[128];
	const struct scenario_def *def;
	char *be;
	int first;

	tl_log_init("xbfront: ", "xbfront: FAIL traffic: ");
	F.nq = 1;
	F.split = -1;
	F.sg = F.gso = F.csum = true;
	F.count = 2000;
	F.timeout = 30;
	F.window = 64;
	F.storm_ms = 3000;
	F.cycles = 6;
	first = tl_opt_parse(&cmd, argc, argv);
	if (first + 1 != argc)
		tl_usage();
	scenario = argv[first];
	def = scenario_find(scenario);
	if (def == NULL)
		tl_usage();
	snprintf(fail_prefix, sizeof(fail_prefix), "xbfront: FAIL %s: ",
		 scenario);
	tl_log_init("xbfront: ", fail_prefix);
	if (F.nq == 0 || F.nq > MAXQ || F.order > MAX_ORDER || F.window == 0 ||
	    F.count > 8u << 20)
		tl_usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(F.timeout + 60);

	F.xs = xs_open(0);
	F.xgs = xengntshr_open(NULL, 0);
	F.xce = xenevtchn_open(NULL, 0);
	if (F.xs == NULL || F.xgs == NULL || F.xce == NULL)
		tl_fail("cannot open the Xen interfaces: %s", strerror(errno));
	tl_path(F.fe_dir, sizeof(F.fe_dir), "device/vif/%u", F.devid);
	be = tl_xs_get(F.xs, F.fe_dir, "backend");
	if (be == NULL)
		tl_fail("no %s/backend: is the vif attached?", F.fe_dir);
	tl_path(F.be_dir, sizeof(F.be_dir), "%s", be);
	free(be);
	F.be_domid = (unsigned int)tl_xs_long(F.xs, F.fe_dir, "backend-id",
					      0);

	/* a frontend starting up, as after a guest boots */
	set_state(XenbusStateInitialising);
	if (strncmp(scenario, "hostile-ctrl", 12) == 0)
		ctrl_setup();
	if (def->connect)
		fe_connect(true);
	if (def->run != NULL)
		def->run();
	else
		def->run_arg(def->arg != NULL ? def->arg :
			     scenario + strlen(def->name));
	if (def->disconnect)
		fe_disconnect();
	xenevtchn_close(F.xce);
	xengntshr_close(F.xgs);
	xs_close(F.xs);
	printf("xbfront: PASS %s\n", scenario);
	return 0;
}
