/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * xennet_peer: a small netback of our own that drives net_xennet through
 * the Xen netif protocol and checks everything it sees.
 *
 * It runs as the backend domain (under `xenemu exec --domid 0`), uses the
 * real Xen libraries (libxenstore, libxengnttab map and grant copy,
 * libxenevtchn), and behaves like Linux netback where the frontend can
 * tell: it writes its features and goes InitWait, waits for the
 * frontend's keys and Connected, checks those keys against what the test
 * expects, maps the rings, binds the event channels and goes Connected.
 * By default it is event driven like Linux netback: when it runs out of
 * work it arms req_event on both rings and sleeps on the event channel, so
 * a frontend that does not kick when RING_PUSH_REQUESTS_AND_CHECK_NOTIFY
 * says so stalls it, and the test fails.
 *
 * A session starts when the application says (a READY packet on queue 0)
 * that it saw the link come up. Traffic: on every queue it sends numbered packets of many shapes
 * (single slot, several slots, page-sized, GSO with an extra-info slot,
 * checksum flags, first slots at odd offsets) into the frontend's RX
 * buffers; the test application echoes each one back on the same queue,
 * turning the RX offload flags into TX offload requests; the peer checks
 * every echo byte for byte, with the checksum flags and GSO extra it
 * expects, and counts the echoes the frontend must drop because this
 * backend does not offer what they need.
 *
 * Scenarios: echo (one session, then a STOP packet and the frontend's
 * orderly close; with --tx-lockstep one packet at a time, each echo paced
 * by a TX kick the frontend must send), flood (the application only receives: more packets than
 * the ring holds, paced by the frontend's RX kicks alone), reconnect (the
 * backend closes and comes back), cycles (the application stops and starts
 * the port, a new connection each time), crash (exit with the connection
 * up, for "restart" to take over), restart (a new backend process on a vif
 * whose frontend is still connected), restarts (the backend restarts
 * --cycles times, going back to InitWait while connected, and reports how
 * long each new connection took: the frontend's reconnect budget; with
 * --keep-maps it keeps every ring and RX page of each connection mapped,
 * as a backend that never unmaps, and with --expect-reuse it checks that
 * each new connection brings the first one's grants again, hostile review
 * D1) and
 * hostile (inject one protocol violation, expect the frontend to close).
 * With --ctrl MODE it also offers a control ring and answers it badly
 * (silent: never; bad-id: with another id; refuse: NOT_SUPPORTED to all),
 * for the frontend's RSS calls to fail with a clear error, the data path
 * unaffected.
 *
 * Prints "PEER OK ..." and exits 0, or "PEER FAIL: why" and exits 1.
 *
 * What it shares with test/xenback/xbfront.c (xenstore, xenbus, grants,
 * event channels, the frame codec, note/fail, options) is in test/lib/.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xenpv_ring.h"		/* barriers before Xen's ring headers */

#include <xenstore.h>
#include <xengnttab.h>
#include <xenevtchn.h>

#include "tl_frame.h"
#include "tl_log.h"
#include "tl_ring.h"
#include "tl_xs.h"

#define PAGE_SZ		XENPV_PAGE_SIZE
#define MAX_QUEUES	16
#define MAX_PKT		TL_MAX_FRAME
#define MAX_SLOTS	20
#define WINDOW		32		/* packets in flight per queue */
/* --tx-lockstep: how long a requested TX kick may take (a generous bound) */
#define KICK_WAIT_MS	10000
/* xennet_app's READY and STOP control frames */
#define STOP_ETHERTYPE	0x88b5

/*
 * Packet shapes. Each packet is a function of (kind, seq, queue), so an
 * echo is checked by building the packet again.
 */
struct kind {
	uint32_t len;
	bool v6;
	bool tcp;
	uint16_t rx_flags;	/* NETRXF_csum_blank / _data_validated */
	uint16_t gso_size;	/* 0: no GSO */
};

#define CB (NETRXF_csum_blank | NETRXF_data_validated)
#define DV NETRXF_data_validated
static const struct kind kinds[] = {
	{ 60, false, false, 0, 0 },
	{ 1514, false, true, DV, 0 },
	{ 1514, false, true, CB, 0 },
	{ 4096, true, false, DV, 0 },
	{ 4097, false, true, 0, 0 },
	{ 9014, true, false, CB, 0 },
	{ 65000, false, true, CB, 1448 },
	{ 30000, true, true, CB, 1440 },
	{ 12289, false, false, 0, 0 },
	{ 200, true, true, CB, 0 },
	/*
	 * LRO of one segment's worth (payload 946 <= 1448): the echo, TSO
	 * with tso_segsz 1448, must come without a GSO extra, as a checksum
	 * offload: Linux's software GSO drops a GSO packet no longer than
	 * its gso_size.
	 */
	{ 1000, false, true, CB, 1448 },
};
#define NB_KINDS (sizeof(kinds) / sizeof(kinds[0]))

/*
 * The injections of --scenario hostile, each listed once as its enum value
 * (H_ID) and its --hostile name.
 */
#define HOSTILE_KINDS(X)						\
	X(NONE, "none")							\
	/* not violations: the frontend drops the packet, counts it, goes on */ \
	X(RX_OVERSIZE, "rx-oversize")					\
	X(RX_GSO_UNASKED, "rx-gso-unasked")				\
	X(RX_CSUM_UNASKED, "rx-csum-unasked")				\
	X(RX_PARTIAL, "rx-partial")					\
	/* violations: the frontend logs one and closes the vif */	\
	X(RX_BAD_ID, "rx-bad-id")					\
	X(RX_BAD_BOUNDS, "rx-bad-bounds")				\
	X(RX_OVERFLOW, "rx-overflow")					\
	X(RX_BAD_EXTRA, "rx-bad-extra")					\
	X(TX_BAD_ID, "tx-bad-id")					\
	X(TX_DUP_ID, "tx-dup-id")					\
	X(TX_DUP_REF, "tx-dup-ref")					\
	X(TX_OVERFLOW, "tx-overflow")					\
	X(TX_BAD_STATUS, "tx-bad-status")				\
	X(TX_NULL_DATA, "tx-null-data")

#define H_ENUM(id, name) H_ ## id,
#define H_NAME(id, name) [H_ ## id] = name,

enum hostile { HOSTILE_KINDS(H_ENUM) };

/* The first packet a drop kind sends, and the injection's name */
#define H_IS_DROP(h) ((h) >= H_RX_OVERSIZE && (h) <= H_RX_PARTIAL)

static const char * const hostile_names[] = { HOSTILE_KINDS(H_NAME) };

/* One netif queue as the backend sees it. */
struct pq {
	netif_tx_back_ring_t tx;	/* frontend -> us */
	netif_rx_back_ring_t rx;	/* us -> frontend */
	void *tx_map;
	void *rx_map;
	evtchn_port_t tx_port;		/* our ends of the channels */
	evtchn_port_t rx_port;
	/* traffic of the current session */
	uint32_t sent;			/* packets sent */
	uint32_t expected;		/* echoes we expect */
	uint32_t expected_total;	/* ... once every packet is sent */
	uint32_t echoed;		/* echoes received */
	uint32_t expect_drop_nosg;	/* echoes the frontend must drop */
	uint32_t expect_drop_offload;
	uint8_t *seen;			/* [count] echo received */
	uint8_t *want;			/* [count] echo expected */
	uint64_t rx_kicks;
	uint64_t tx_kicks;
	/* --rx-lockstep: use no RX buffer posted after rx_cap */
	bool rx_capped;
	RING_IDX rx_cap;
	/*
	 * --expect-reuse: the first connection's grants (ring pages, TX then
	 * RX; the RX buffers posted at connect), which later ones must bring
	 */
	uint32_t ring_refs[2 * XENPV_MAX_RING_PAGES];
	grant_ref_t *rx_grefs;		/* [RX ring size] */
	/* the latest connection's: after a violation they must be revoked */
	uint32_t cur_ring_refs[2 * XENPV_MAX_RING_PAGES];
	grant_ref_t cur_rx_grefs[XENPV_RX_RING_SIZE(XENPV_MAX_RING_PAGE_ORDER)];
	unsigned int nr_cur_rx;
};

struct peer {
	struct xs_handle *xs;
	xengnttab_handle *xgt;
	xenevtchn_handle *xce;
	unsigned int fe_domid;
	unsigned int devid;
	char fe_path[256];
	char be_path[256];
	uint8_t fe_mac[6];

	/* what we offer */
	int max_queues;		/* 0: key not written */
	int max_order;		/* -1: key not written */
	int split;
	int sg;
	int gso;
	int ipv6_csum;

	/* what the test expects the frontend to write */
	unsigned int exp_queues;
	unsigned int exp_order;
	int exp_split;
	int exp_sg;
	int exp_gso;
	int exp_csum;
	/*
	 * --echo-csum-all: the application asks for the L4 checksum offload
	 * on every echo (xennet_app --csum-all), so every echo must come
	 * flagged csum_blank with the pseudo-header sum in its field
	 */
	bool echo_csum_all;

	/* what the frontend wrote */
	unsigned int nq;
	unsigned int order;
	bool fe_sg;
	bool fe_gso;
	bool fe_csum;
	bool is_split;

	struct pq q[MAX_QUEUES];
	unsigned int packets;
	unsigned int timeout_s;
	bool polling;
	bool tx_lockstep;	/* one packet at a time, each echo kicked */
	bool rx_lockstep;	/* flood in rounds, each ended by a kick */
	bool restart_inject;	/* go back to InitWait right after it */
	/*
	 * --tx-unanswered N: the echoes of queue 0's last N packets stay in
	 * its TX ring, unanswered, when a session ends (crash, restarts)
	 */
	unsigned int tx_unanswered;
	unsigned int window;	/* packets in flight per queue */
	bool greedy_kicks;	/* ask for a kick on every request, always */
	bool keep_maps;		/* never unmap a ring or RX page (hostile) */
	bool rx_pool;		/* the frontend has rx_zero_copy=1 */
	bool expect_reuse;	/* each connection: the first one's grants */
	unsigned int connections;	/* handshakes made */
	bool arm_tx;		/* ask for kicks on new TX requests */
	bool arm_rx;		/* ask for kicks on new RX buffers */
	bool sink;		/* the application echoes nothing */
	/*
	 * --rewrite (hostile): the grants of every RX page we wrote a
	 * packet into, written over again once the session is echoed
	 */
	bool rewrite;
	unsigned int nr_written;
	grant_ref_t written[8192];
	enum hostile hostile;
	bool injected;
	bool closing;		/* frontend may revoke grants any time */
	uint64_t deadline;
	uint64_t stalls;
	uint32_t ready;		/* READY packets received */

	/* --ctrl: a control ring answered badly */
	const char *ctrl_mode;	/* NULL: feature-ctrl-ring not offered */
	void *ctrl_map;
	xen_netif_ctrl_back_ring_t ctrl;
	xenevtchn_handle *ctrl_xce;
	evtchn_port_t ctrl_port;
	uint64_t ctrl_requests;

	/* --mcast: multicast control offered, its requests answered badly */
	const char *mcast_mode;	/* NULL: feature-multicast-control not offered */
	uint64_t mcast_requests;

	uint8_t buf[MAX_PKT + PAGE_SZ];
	uint8_t ref[MAX_PKT + PAGE_SZ];
};

/*
 * xenstore
 */

static int
fe_state(struct peer *p)
{
	return tl_xenbus_state(p->xs, p->fe_path);
}

static void
be_switch(struct peer *p, int state)
{
	tl_xenbus_switch(p->xs, p->be_path, state);
	tl_note("backend -> %s", tl_xenbus_name(state));
}

/* Wait until the frontend's state is @want; fail after @ms. */
static void
wait_fe_state(struct peer *p, int want, unsigned int ms, const char *why)
{
	int s;

	if (!tl_xenbus_wait(p->xs, p->fe_path, TL_STATE_BIT(want), ms, &s))
		tl_fail("%s: frontend is %d, not %d, after %u ms", why, s, want,
		     ms);
}

/*
 * Connected with a NEW set of keys: before InitWait we remove
 * request-rx-copy, which the frontend writes again in its handshake
 * transaction (after going Initialising). One transaction reads the state
 * and the key, so "Connected and the key is back" means a new connection,
 * never the stale state of the one before.
 */
static void
wait_fe_connected(struct peer *p, unsigned int ms)
{
	if (!tl_xs_wait_state_key(p->xs, p->fe_path, XenbusStateConnected,
				  "request-rx-copy", ms))
		tl_fail("frontend did not connect within %u ms", ms);
}

/* Our keys: every write must work. */
#define put(p, dir, key, ...) \
	tl_xs_put((p)->xs, XBT_NULL, dir, key, __VA_ARGS__)

/* Write our features, then InitWait. */
static void
advertise(struct peer *p)
{
	tl_xs_rm(p->xs, p->fe_path, "request-rx-copy");
	put(p, p->be_path, "feature-rx-copy", "1");
	put(p, p->be_path, "feature-rx-flip", "0");
	put(p, p->be_path, "feature-sg", "%d", p->sg);
	put(p, p->be_path, "feature-gso-tcpv4", "%d", p->gso);
	put(p, p->be_path, "feature-gso-tcpv6", "%d", p->gso);
	put(p, p->be_path, "feature-ipv6-csum-offload", "%d", p->ipv6_csum);
	put(p, p->be_path, "feature-split-event-channels", "%d", p->split);
	if (p->max_queues > 0)
		put(p, p->be_path, "multi-queue-max-queues", "%d",
		    p->max_queues);
	else
		tl_xs_rm(p->xs, p->be_path, "multi-queue-max-queues");
	if (p->max_order >= 0)
		put(p, p->be_path, "max-ring-page-order", "%d", p->max_order);
	else
		tl_xs_rm(p->xs, p->be_path, "max-ring-page-order");
	if (p->ctrl_mode != NULL)
		put(p, p->be_path, "feature-ctrl-ring", "1");
	else
		tl_xs_rm(p->xs, p->be_path, "feature-ctrl-ring");
	if (p->mcast_mode != NULL)
		put(p, p->be_path, "feature-multicast-control", "1");
	else
		tl_xs_rm(p->xs, p->be_path, "feature-multicast-control");
	be_switch(p, XenbusStateInitWait);
}

/* A key that must be present with exactly this value. */
static void
expect_key(struct peer *p, const char *dir, const char *key, long want)
{
	long v = tl_xs_long_strict(p->xs, dir, key, -1);

	if (v != want)
		tl_fail("%s/%s is %ld, expected %ld", dir, key, v, want);
}

static void
expect_absent(struct peer *p, const char *dir, const char *key)
{
	char *s = tl_xs_get(p->xs, dir, key);

	if (s != NULL)
		tl_fail("%s/%s = \"%s\" should not be written", dir, key, s);
}

static long
need_key(struct peer *p, const char *dir, const char *key)
{
	long v = tl_xs_long_strict(p->xs, dir, key, -1);

	if (v < 0)
		tl_fail("%s/%s missing", dir, key);
	return v;
}

/* Map one ring of 2^order pages from the keys in @dir, its refs in @refs. */
static void *
map_ring(struct peer *p, const char *dir, const char *name, uint32_t *refs)
{
	unsigned int n = 1u << p->order, i;
	char key[64];
	void *m;

	for (i = 0; i < n; i++) {
		tl_ring_ref_key(key, sizeof(key), name, p->order, i);
		refs[i] = (uint32_t)need_key(p, dir, key);
	}
	/* no key of the other naming, none past the last page */
	if (p->order == 0) {
		tl_ring_ref_key(key, sizeof(key), name, 1, 0);
		expect_absent(p, dir, key);
	} else {
		tl_ring_ref_key(key, sizeof(key), name, p->order, n);
		expect_absent(p, dir, key);
		tl_ring_ref_key(key, sizeof(key), name, 0, 0);
		expect_absent(p, dir, key);
	}
	m = tl_map_pages(p->xgt, p->fe_domid, n, refs);
	if (m == NULL)
		tl_fail("map %s ring (%u pages): %s", name, n, strerror(errno));
	return m;
}

static evtchn_port_t
bind_port(struct peer *p, const char *dir, const char *key)
{
	long remote = need_key(p, dir, key);
	xenevtchn_port_or_error_t port;

	port = tl_evtchn_bind(p->xce, p->fe_domid, (evtchn_port_t)remote);
	if (port < 0)
		tl_fail("bind %s/%s = %ld: %s", dir, key, remote,
		     strerror(errno));
	return (evtchn_port_t)port;
}

/*
 * --keep-maps: map queue @qid's @n RX buffers too and never unmap them (nor
 * its rings, disconnect_frontend), as a backend that keeps every grant it
 * was given mapped across its restarts (hostile review D1).
 * --expect-reuse: the first connection's grants are noted; every later one
 * must bring the same ring refs and the same RX buffer grants, slot for
 * slot: the frontend used its pages again instead of sharing new ones.
 */
static void
keep_or_check_grants(struct peer *p, unsigned int qid, const uint32_t *ring_refs,
		     grant_ref_t *rx_grefs, unsigned int n)
{
	struct pq *q = &p->q[qid];
	unsigned int nr = 2u << p->order, i;

	memcpy(q->cur_ring_refs, ring_refs, nr * sizeof(*ring_refs));
	memcpy(q->cur_rx_grefs, rx_grefs, n * sizeof(*rx_grefs));
	q->nr_cur_rx = n;
	if (p->keep_maps &&
	    tl_map_pages(p->xgt, p->fe_domid, n, rx_grefs) == NULL)
		tl_fail("queue %u: map the %u RX buffers: %s", qid, n,
			strerror(errno));
	if (!p->expect_reuse)
		return;
	if (q->rx_grefs == NULL) {
		q->rx_grefs = malloc(n * sizeof(*q->rx_grefs));
		if (q->rx_grefs == NULL)
			tl_fail("out of memory");
		memcpy(q->rx_grefs, rx_grefs, n * sizeof(*rx_grefs));
		memcpy(q->ring_refs, ring_refs, nr * sizeof(*ring_refs));
		return;
	}
	for (i = 0; i < nr; i++)
		if (ring_refs[i] != q->ring_refs[i])
			tl_fail("connection %u, queue %u: ring page %u is grant %u, was %u: new pages shared",
				p->connections, qid, i, ring_refs[i],
				q->ring_refs[i]);
	for (i = 0; i < n; i++)
		if (rx_grefs[i] != q->rx_grefs[i])
			tl_fail("connection %u, queue %u: RX buffer %u is grant %u, was %u: new pages shared",
				p->connections, qid, i, rx_grefs[i],
				q->rx_grefs[i]);
	tl_note("connection %u, queue %u: the first connection's %u ring and %u RX grants again",
		p->connections, qid, nr, n);
}

/*
 * After a violation the frontend has released every grant of the
 * connection (its pages too, even those it would keep across a restart):
 * none of its ring or RX buffer grants can be mapped any more. With
 * --rx-pool (rx_zero_copy=1) the RX buffers are pages of a pool that
 * lives on, granted, while the application holds some of them: only the
 * rings are checked.
 */
static void
expect_revoked(struct peer *p)
{
	unsigned int nr = 2u << p->order, i, j;
	void *m;

	for (i = 0; i < p->nq; i++) {
		struct pq *q = &p->q[i];
		unsigned int n = nr + (p->rx_pool ? 0 : q->nr_cur_rx);

		for (j = 0; j < n; j++) {
			uint32_t ref = j < nr ? q->cur_ring_refs[j] :
				q->cur_rx_grefs[j - nr];

			m = tl_map_pages(p->xgt, p->fe_domid, 1, &ref);
			if (m != NULL) {
				xengnttab_unmap(p->xgt, m, 1);
				tl_fail("queue %u: %s grant %u still valid after the violation",
					i, j < nr ? "ring" : "RX buffer", ref);
			}
		}
	}
	tl_note("every ring%s grant of the connection revoked",
		p->rx_pool ? "" : " and RX buffer");
}

/* Read and check the frontend's keys, map, bind. */
static void
connect_frontend(struct peer *p)
{
	const char *fe = p->fe_path;
	uint32_t ring_refs[2 * XENPV_MAX_RING_PAGES];
	grant_ref_t rx_grefs[XENPV_RX_RING_SIZE(XENPV_MAX_RING_PAGE_ORDER)];
	char dir[512];
	unsigned int i, s;

	p->connections++;
	expect_key(p, fe, "request-rx-copy", 1);
	expect_key(p, fe, "feature-rx-notify", 1);
	expect_key(p, fe, "feature-sg", p->exp_sg);
	expect_key(p, fe, "feature-gso-tcpv4", p->exp_gso);
	expect_key(p, fe, "feature-gso-tcpv6", p->exp_gso);
	expect_key(p, fe, "feature-ipv6-csum-offload", p->exp_csum);
	expect_key(p, fe, "feature-no-csum-offload", !p->exp_csum);
	p->fe_sg = p->exp_sg;
	p->fe_gso = p->exp_gso;
	p->fe_csum = p->exp_csum;

	if (p->max_queues > 0) {
		p->nq = (unsigned int)need_key(p, fe, "multi-queue-num-queues");
	} else {
		expect_absent(p, fe, "multi-queue-num-queues");
		p->nq = 1;
	}
	if (p->nq != p->exp_queues)
		tl_fail("frontend asked for %u queues, expected %u", p->nq,
		     p->exp_queues);
	if (p->max_order >= 0 && p->exp_order > 0) {
		p->order = (unsigned int)need_key(p, fe, "ring-page-order");
	} else {
		expect_absent(p, fe, "ring-page-order");
		p->order = 0;
	}
	if (p->order != p->exp_order)
		tl_fail("frontend wrote ring-page-order %u, expected %u",
		     p->order, p->exp_order);

	for (i = 0; i < p->nq; i++) {
		struct pq *q = &p->q[i];
		RING_IDX prod;

		tl_queue_dir(dir, sizeof(dir), fe, p->nq, i);
		if (p->nq == 1) {
			expect_absent(p, fe, "queue-0/tx-ring-ref");
		} else {
			expect_absent(p, fe, "tx-ring-ref");
			expect_absent(p, fe, "event-channel");
		}
		q->tx_map = map_ring(p, dir, "tx", ring_refs);
		q->rx_map = map_ring(p, dir, "rx",
				     ring_refs + (1u << p->order));
		BACK_RING_INIT(&q->tx, (netif_tx_sring_t *)q->tx_map,
			       PAGE_SZ << p->order);
		BACK_RING_INIT(&q->rx, (netif_rx_sring_t *)q->rx_map,
			       PAGE_SZ << p->order);
		if (RING_SIZE(&q->tx) != XENPV_TX_RING_SIZE(p->order))
			tl_fail("TX ring size %u", RING_SIZE(&q->tx));

		p->is_split = p->exp_split;
		if (p->exp_split) {
			expect_absent(p, dir, "event-channel");
			q->tx_port = bind_port(p, dir, "event-channel-tx");
			q->rx_port = bind_port(p, dir, "event-channel-rx");
		} else {
			expect_absent(p, dir, "event-channel-tx");
			q->tx_port = bind_port(p, dir, "event-channel");
			q->rx_port = q->tx_port;
		}

		/* every RX slot is posted, request i in slot i */
		prod = xenpv_load_acquire(&q->rx.sring->req_prod);
		if (prod != RING_SIZE(&q->rx))
			tl_fail("queue %u: %u RX buffers posted, expected %u", i,
			     prod, RING_SIZE(&q->rx));
		for (s = 0; s < prod; s++) {
			netif_rx_request_t req;

			RING_COPY_REQUEST(&q->rx, s, &req);
			if (req.id != s)
				tl_fail("queue %u: RX request %u has id %u", i,
				     s, req.id);
			rx_grefs[s] = req.gref;
		}
		keep_or_check_grants(p, i, ring_refs, rx_grefs, prod);
		/* the TX ring is empty, its event fields initialised */
		if (q->tx.sring->req_prod != 0)
			tl_fail("queue %u: TX req_prod %u at connect", i,
			     q->tx.sring->req_prod);
	}
	if (p->ctrl_mode != NULL) {
		uint32_t ref = (uint32_t)need_key(p, fe, "ctrl-ring-ref");
		long remote = need_key(p, fe, "event-channel-ctrl");
		xenevtchn_port_or_error_t port;

		p->ctrl_map = tl_map_pages(p->xgt, p->fe_domid, 1, &ref);
		if (p->ctrl_map == NULL)
			tl_fail("map the control ring: %s", strerror(errno));
		BACK_RING_INIT(&p->ctrl,
			       (xen_netif_ctrl_sring_t *)p->ctrl_map, PAGE_SZ);
		port = tl_evtchn_bind(p->ctrl_xce, p->fe_domid,
				      (evtchn_port_t)remote);
		if (port < 0)
			tl_fail("bind event-channel-ctrl %ld: %s", remote,
				strerror(errno));
		p->ctrl_port = (evtchn_port_t)port;
	} else {
		expect_absent(p, fe, "ctrl-ring-ref");
	}
	/* --mcast: the application asked for filtering */
	if (p->mcast_mode != NULL && need_key(p, fe, "request-multicast-control") != 1)
		tl_fail("request-multicast-control is not 1");
	if (p->mcast_mode == NULL)
		expect_absent(p, fe, "request-multicast-control");
	tl_note("frontend keys ok: %u queue(s), order %u, %s event channels, sg %d gso %d csum %d",
	     p->nq, p->order, p->exp_split ? "split" : "shared", p->fe_sg,
	     p->fe_gso, p->fe_csum);
}

static void
disconnect_frontend(struct peer *p)
{
	unsigned int i;

	if (p->ctrl_map != NULL) {
		xengnttab_unmap(p->xgt, p->ctrl_map, 1);
		xenevtchn_unbind(p->ctrl_xce, p->ctrl_port);
		p->ctrl_map = NULL;
		tl_note("control ring: %" PRIu64 " requests (%s)",
			p->ctrl_requests, p->ctrl_mode);
	}
	if (p->mcast_mode != NULL)
		tl_note("multicast control: %" PRIu64 " requests (%s)",
			p->mcast_requests, p->mcast_mode);
	for (i = 0; i < p->nq; i++) {
		struct pq *q = &p->q[i];

		/* --keep-maps: left mapped, for good (hostile) */
		if (q->tx_map != NULL && !p->keep_maps)
			xengnttab_unmap(p->xgt, q->tx_map, 1u << p->order);
		if (q->rx_map != NULL && !p->keep_maps)
			xengnttab_unmap(p->xgt, q->rx_map, 1u << p->order);
		q->tx_map = NULL;
		q->rx_map = NULL;
		if (q->rx_port != q->tx_port)
			xenevtchn_unbind(p->xce, q->rx_port);
		xenevtchn_unbind(p->xce, q->tx_port);
		tl_note("queue %u: %" PRIu64 " TX kicks, %" PRIu64 " RX kicks",
		     i, q->tx_kicks, q->rx_kicks);
		q->tx_kicks = 0;
		q->rx_kicks = 0;
	}
}

/* Full handshake: InitWait, the frontend connects, we go Connected. */
static void
handshake(struct peer *p)
{
	advertise(p);
	wait_fe_connected(p, 15000);
	connect_frontend(p);
	be_switch(p, XenbusStateConnected);
}

/*
 * Packets
 */

/*
 * Packet @seq of @kind on queue @qid (tl_frame.h), its L4 checksum the
 * pseudo-header sum if @partial, else complete.
 */
static void
build_frame(struct peer *p, uint8_t *b, unsigned int kind, uint32_t seq,
	    uint16_t qid, bool partial)
{
	const struct kind *k = &kinds[kind];
	struct tl_frame fr = {
		.src = { 0x00, 0x16, 0x3e, 0xff, 0xff, 0xfe },
		.l3 = k->v6 ? TL_L3_IPV6 : TL_L3_IPV4,
		.tcp = k->tcp,
		.partial = partial,
		.queue = (uint8_t)qid,
		.kind = (uint8_t)kind,
		.seq = seq,
		.len = k->len,
	};

	memcpy(fr.dst, p->fe_mac, sizeof(fr.dst));
	tl_frame_build(b, &fr);
}

/*
 * Packet @seq of @kind as we send it: its L4 checksum is partial when we
 * flag it csum_blank, as netback hands such a packet on.
 */
static void
build_packet(struct peer *p, uint8_t *b, unsigned int kind, uint32_t seq,
	     uint16_t qid)
{
	build_frame(p, b, kind, seq, qid, p->fe_csum &&
		    (kinds[kind].rx_flags & NETRXF_csum_blank));
}

/* The RX flags and GSO we send this kind with, given what was agreed. */
static void
kind_rx_offloads(const struct peer *p, unsigned int kind, uint16_t *flags,
		 uint16_t *gso)
{
	const struct kind *k = &kinds[kind];

	*flags = k->rx_flags;
	*gso = p->fe_gso ? k->gso_size : 0;
	/* a frontend without csum offload gets full checksums */
	if (!p->fe_csum && (*flags & NETRXF_csum_blank))
		*flags = NETRXF_data_validated;
}

/* Kinds this frontend can receive (feature-sg=0: one slot, 1514 bytes). */
static unsigned int
pick_kind(const struct peer *p, uint32_t i, uint16_t qid)
{
	unsigned int k = (i + qid) % NB_KINDS;

	while (!p->fe_sg && kinds[k].len > 1514)
		k = (k + 1) % NB_KINDS;
	return k;
}

/*
 * What the echo of a kind looks like after the application turned our RX
 * flags into TX offloads (LRO -> TSO, csum_blank -> L4 checksum): the TX
 * flags, GSO size, and whether this backend's features let the frontend
 * send it at all (else it must drop it and count why).
 */
enum echo_fate { ECHO_OK, ECHO_DROP_NOSG, ECHO_DROP_OFFLOAD };

static enum echo_fate
echo_expect(const struct peer *p, unsigned int kind, uint16_t *tx_flags,
	    uint16_t *gso)
{
	const struct kind *k = &kinds[kind];
	uint16_t rxf;

	kind_rx_offloads(p, kind, &rxf, gso);
	*tx_flags = (rxf & NETRXF_csum_blank) || p->echo_csum_all ?
		NETTXF_csum_blank | NETTXF_data_validated : 0;
	if (k->len > PAGE_SZ && !p->sg)
		return ECHO_DROP_NOSG;
	if (*gso != 0 && !p->gso)
		return ECHO_DROP_OFFLOAD;
	if (*gso == 0 && k->v6 && (*tx_flags & NETTXF_csum_blank) &&
	    !p->ipv6_csum)
		return ECHO_DROP_OFFLOAD;
	/* TSO of a payload that fits one segment: no GSO extra */
	if (*gso != 0 && k->len - 14 - (k->v6 ? 40 : 20) - 20 <= *gso)
		*gso = 0;
	return ECHO_OK;
}

/*
 * One grant copy call for a packet; every segment must succeed, except
 * while a broken frontend closes (p->closing), when it may already have
 * revoked its grants: then false.
 */
static bool
copy_check(struct peer *p, xengnttab_grant_copy_segment_t *seg,
	   unsigned int n, const char *what)
{
	unsigned int i;

	if (n == 0)
		return true;
	if (xengnttab_grant_copy(p->xgt, n, seg) != 0) {
		if (p->closing)
			return false;
		tl_fail("grant copy (%s): %s", what, strerror(errno));
	}
	for (i = 0; i < n; i++) {
		if (seg[i].status == GNTST_okay)
			continue;
		if (p->closing)
			return false;
		tl_fail("grant copy (%s) segment %u: status %d", what, i,
		     seg[i].status);
	}
	return true;
}

/*
 * Send one packet to the frontend on queue @q, if it posted enough
 * buffers: first slot at an offset that varies with the packet, more slots
 * as needed, the GSO extra in the slot after the first. @inject: break
 * this packet the way p->hostile says. Returns false if there is no room.
 */
static bool
send_packet(struct peer *p, struct pq *q, uint16_t qid, const uint8_t *pkt,
	    uint32_t len, uint16_t flags, uint16_t gso_size, bool gso_v6,
	    bool inject)
{
	xengnttab_grant_copy_segment_t seg[MAX_SLOTS];
	netif_rx_request_t reqs[MAX_SLOTS];
	netif_rx_back_ring_t *r = &q->rx;
	uint32_t off0 = p->fe_sg ? (len % 4) * 64 : 0;
	uint32_t mask = RING_SIZE(r) - 1;
	uint32_t nr_data, first, done, d, i, nslots;
	bool bad_extra = inject && p->hostile == H_RX_BAD_EXTRA;
	bool has_extra = gso_size != 0 || bad_extra;
	RING_IDX prod;

	first = len < PAGE_SZ - off0 ? len : PAGE_SZ - off0;
	nr_data = 1 + (len - first + PAGE_SZ - 1) / PAGE_SZ;
	nslots = nr_data + has_extra;
	prod = xenpv_load_acquire(&r->sring->req_prod);
	if (prod - r->req_cons > RING_SIZE(r))
		tl_fail("queue %u: RX request producer overflow (%u - %u)", qid,
		     prod, r->req_cons);
	if (q->rx_capped)
		prod = q->rx_cap;	/* an earlier value of req_prod */
	if (prod - r->req_cons < nslots)
		return false;

	/* the posted requests: request i is in slot i, with id i */
	for (i = 0; i < nslots; i++) {
		RING_COPY_REQUEST(r, r->req_cons + i, &reqs[i]);
		if (reqs[i].id != ((r->req_cons + i) & mask))
			tl_fail("queue %u: RX request in slot %u has id %u", qid,
			     (r->req_cons + i) & mask, reqs[i].id);
	}

	/* data slot d uses request 0, or d + 1 after an extra-info slot */
	done = 0;
	for (d = 0; d < nr_data; d++) {
		uint32_t ri = d == 0 ? 0 : d + has_extra;
		uint32_t off = d == 0 ? off0 : 0;
		uint32_t chunk = len - done < PAGE_SZ - off ?
			len - done : PAGE_SZ - off;

		memset(&seg[d], 0, sizeof(seg[d]));
		seg[d].source.virt = (void *)(uintptr_t)(pkt + done);
		seg[d].dest.foreign.ref = reqs[ri].gref;
		seg[d].dest.foreign.offset = (uint16_t)off;
		seg[d].dest.foreign.domid = (uint16_t)p->fe_domid;
		seg[d].len = (uint16_t)chunk;
		seg[d].flags = GNTCOPY_dest_gref;
		done += chunk;
	}
	if (done != len)
		tl_fail("slot arithmetic");
	if (!copy_check(p, seg, nr_data, "RX"))
		return false;
	for (d = 0; p->rewrite && d < nr_data; d++)
		if (p->nr_written < sizeof(p->written) / sizeof(p->written[0]))
			p->written[p->nr_written++] = seg[d].dest.foreign.ref;

	/* responses, each in its request's slot */
	for (i = 0; i < nslots; i++) {
		netif_rx_response_t *rsp =
			RING_GET_RESPONSE(r, r->rsp_prod_pvt + i);

		if (has_extra && i == 1) {
			struct netif_extra_info ex;

			memset(&ex, 0, sizeof(ex));
			ex.type = bad_extra ? 0x7f : XEN_NETIF_EXTRA_TYPE_GSO;
			ex.u.gso.size = gso_size ? gso_size : 1000;
			ex.u.gso.type = gso_v6 ? XEN_NETIF_GSO_TYPE_TCPV6 :
				XEN_NETIF_GSO_TYPE_TCPV4;
			memcpy(rsp, &ex, sizeof(ex));
			continue;
		}
		d = i == 0 ? 0 : i - has_extra;
		rsp->id = reqs[i].id;
		rsp->offset = seg[d].dest.foreign.offset;
		rsp->status = (int16_t)seg[d].len;
		rsp->flags = d + 1 < nr_data ? NETRXF_more_data : 0;
		if (i == 0) {
			rsp->flags |= flags;
			if (has_extra)
				rsp->flags |= NETRXF_extra_info;
			if (inject && p->hostile == H_RX_BAD_ID)
				rsp->id = (uint16_t)((reqs[0].id + 1) & mask);
			if (inject && p->hostile == H_RX_BAD_BOUNDS) {
				rsp->offset = 4000;
				rsp->status = 200;
			}
		}
	}
	r->req_cons += nslots;
	r->rsp_prod_pvt += nslots;
	if (inject && p->hostile == H_RX_OVERFLOW) {
		RING_PUSH_RESPONSES(r);
		/*
		 * responses for buffers never posted: a ring's worth beyond
		 * the last request we saw, so the frontend's posted count
		 * (at most one ring) is exceeded whatever it reposts meanwhile
		 */
		r->sring->rsp_prod = xenpv_load_acquire(&r->sring->req_prod) +
				     RING_SIZE(r) + 1;
	} else {
		TL_PUSH(RESPONSES, r, p->xce, q->rx_port);
	}
	return true;
}

static void
check_echo(struct peer *p, uint16_t qid, const uint8_t *b, uint32_t len,
	   uint16_t flags, uint16_t gso_size, uint8_t gso_type)
{
	struct pq *q = &p->q[qid];
	struct tl_frame fr;
	uint16_t pq_id, want_flags, want_gso;
	unsigned int kind;
	uint32_t seq;

	if (tl_frame_parse(b, len, &fr) == 0)
		tl_fail("queue %u: TX packet of %u bytes is not one of ours", qid,
		     len);
	seq = fr.seq;
	pq_id = fr.queue;
	kind = fr.kind;
	if (pq_id != qid)
		tl_fail("echo of queue %u's packet %u came on queue %u", pq_id,
		     seq, qid);
	if (seq >= q->sent || kind >= NB_KINDS)
		tl_fail("queue %u: echo of a packet never sent (seq %u kind %u)",
		     qid, seq, kind);
	if (!q->want[seq])
		tl_fail("queue %u: echo of packet %u (kind %u, %u bytes) that the frontend had to drop",
		     qid, seq, kind, len);
	if (q->seen[seq])
		tl_fail("queue %u: packet %u echoed twice", qid, seq);
	echo_expect(p, kind, &want_flags, &want_gso);
	/* partial where the echo asks for the checksum offload */
	build_frame(p, p->ref, kind, seq, qid,
		    (want_flags & NETTXF_csum_blank) != 0);
	if (len != kinds[kind].len || memcmp(b, p->ref, len) != 0)
		tl_fail("queue %u: echo of packet %u (kind %u) differs: %u bytes, expected %u%s",
		     qid, seq, kind, len, kinds[kind].len,
		     len == kinds[kind].len && p->echo_csum_all &&
		     tl_frame_l4_csum_ok(b, len) ?
		     " (a complete checksum where the offload wants the pseudo-header sum)" :
		     "");
	if ((flags & (NETTXF_csum_blank | NETTXF_data_validated)) !=
	    want_flags)
		tl_fail("queue %u: echo of packet %u (kind %u) has TX flags %#x, expected %#x",
		     qid, seq, kind, flags, want_flags);
	if (gso_size != want_gso ||
	    (want_gso != 0 && gso_type != (kinds[kind].v6 ?
			XEN_NETIF_GSO_TYPE_TCPV6 : XEN_NETIF_GSO_TYPE_TCPV4)))
		tl_fail("queue %u: echo of packet %u has GSO %u/%u, expected %u",
		     qid, seq, gso_size, gso_type, want_gso);
	q->seen[seq] = 1;
	q->echoed++;
}

/*
 * --tx-unanswered: queue 0's last N echoes are not taken (nor answered).
 * Counted against the echoes the whole session expects, not those of the
 * packets sent so far: with up to a window of packets in flight, the
 * application may echo one of the last N before the last packet is sent,
 * and taking that echo would leave fewer than N to hold back (the session
 * would then wait for them forever).
 */
static bool
tx_held_back(const struct peer *p, const struct pq *q, uint16_t qid)
{
	return p->tx_unanswered > 0 && qid == 0 &&
		q->echoed + p->tx_unanswered >= q->expected_total;
}

/* Whole packets the frontend has requested on @q's TX ring, not taken. */
static unsigned int
tx_pending_packets(struct pq *q)
{
	netif_tx_back_ring_t *r = &q->tx;
	RING_IDX prod = xenpv_load_acquire(&r->sring->req_prod), i;
	netif_tx_request_t req;
	struct netif_extra_info ex;
	bool first = true, extra = false, more = false;
	unsigned int n = 0;

	for (i = r->req_cons; i != prod; i++) {
		RING_COPY_REQUEST(r, i, &req);
		if (extra) {
			memcpy(&ex, &req, sizeof(ex));
			extra = (ex.flags & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
		} else if (first) {
			extra = (req.flags & NETTXF_extra_info) != 0;
			more = (req.flags & NETTXF_more_data) != 0;
			first = false;
		} else {
			more = (req.flags & NETTXF_more_data) != 0;
		}
		if (!first && !extra && !more) {
			n++;
			first = true;
		}
	}
	return n;
}

/*
 * Take the frontend's TX requests on queue @q: assemble each packet (first
 * slot, extra-info slots, more_data slots), check the slot rules Linux
 * netback enforces, grant-copy it out, answer every slot, check the echo.
 * Returns the number of packets taken.
 */
static unsigned int
take_tx(struct peer *p, struct pq *q, uint16_t qid)
{
	netif_tx_back_ring_t *r = &q->tx;
	xengnttab_grant_copy_segment_t seg[MAX_SLOTS];
	unsigned int taken = 0;
	RING_IDX prod, cons;

	prod = xenpv_load_acquire(&r->sring->req_prod);
	if (RING_REQUEST_PROD_OVERFLOW(r, prod))
		tl_fail("queue %u: TX request producer overflow", qid);
	cons = r->req_cons;
	while (cons != prod) {
		netif_tx_request_t first, req, slot_req[MAX_SLOTS];
		struct netif_extra_info ex;
		unsigned int nr = 0, nslots = 0, i, extra_slots = 0;
		uint16_t gso_size = 0;
		uint8_t gso_type = 0;
		uint32_t total = 0, first_len;
		RING_IDX idx = cons;
		bool extra_slot[MAX_SLOTS] = { false };
		bool null_data, mcast = false;

		if (tx_held_back(p, q, qid))
			break;
		RING_COPY_REQUEST(r, idx, &first);
		idx++;
		slot_req[nslots++] = first;
		if (first.flags & NETTXF_extra_info) {
			do {
				if (idx == prod)
					goto incomplete;
				RING_COPY_REQUEST(r, idx, &req);
				memcpy(&ex, &req, sizeof(ex));
				idx++;
				extra_slot[nslots] = true;
				slot_req[nslots++] = req;
				extra_slots++;
				if (p->mcast_mode != NULL &&
				    (ex.type == XEN_NETIF_EXTRA_TYPE_MCAST_ADD ||
				     ex.type == XEN_NETIF_EXTRA_TYPE_MCAST_DEL)) {
					mcast = true;
					continue;
				}
				if (ex.type != XEN_NETIF_EXTRA_TYPE_GSO)
					tl_fail("queue %u: TX extra type %u", qid,
					     ex.type);
				gso_size = ex.u.gso.size;
				gso_type = ex.u.gso.type;
				if (gso_size == 0)
					tl_fail("queue %u: GSO size 0", qid);
			} while (ex.flags & XEN_NETIF_EXTRA_FLAG_MORE);
		}
		if (mcast) {
			/*
			 * a multicast request (netif.h: a dummy request, size
			 * 0, one extra): silent answers nothing, refuse
			 * answers ERROR and NULL for the extra
			 */
			if (first.size != 0 || nslots != 2 ||
			    (first.flags & NETTXF_more_data))
				tl_fail("queue %u: multicast request of size %u in %u slots",
					qid, first.size, nslots);
			p->mcast_requests++;
			if (strcmp(p->mcast_mode, "refuse") == 0) {
				netif_tx_response_t *rsp;

				rsp = RING_GET_RESPONSE(r, r->rsp_prod_pvt++);
				rsp->id = first.id;
				rsp->status = NETIF_RSP_ERROR;
				rsp = RING_GET_RESPONSE(r, r->rsp_prod_pvt++);
				rsp->status = NETIF_RSP_NULL;
			}
			r->req_cons = idx;
			cons = idx;
			continue;
		}
		req = first;
		while (req.flags & NETTXF_more_data) {
			if (idx == prod)
				goto incomplete;
			if (nslots >= MAX_SLOTS)
				tl_fail("queue %u: TX packet over %u slots", qid,
				     MAX_SLOTS);
			RING_COPY_REQUEST(r, idx, &req);
			idx++;
			slot_req[nslots++] = req;
		}
		if (nslots - extra_slots > XEN_NETIF_NR_SLOTS_MIN)
			tl_fail("queue %u: TX packet in %u data slots (max %u)",
			     qid, nslots - extra_slots,
			     XEN_NETIF_NR_SLOTS_MIN);

		/* data slots: sizes add up, none crosses a page */
		for (i = 1; i < nslots; i++)
			if (!extra_slot[i])
				total += slot_req[i].size;
		if (first.size < total)
			tl_fail("queue %u: TX first size %u < rest %u", qid,
			     first.size, total);
		first_len = first.size - total;
		total = first.size;
		for (i = 0; i < nslots; i++) {
			uint32_t l = i == 0 ? first_len : slot_req[i].size;

			if (extra_slot[i])
				continue;
			if (slot_req[i].offset + l > PAGE_SZ)
				tl_fail("queue %u: TX slot crosses a page (%u + %u)",
				     qid, slot_req[i].offset, l);
			memset(&seg[nr], 0, sizeof(seg[nr]));
			seg[nr].source.foreign.ref = slot_req[i].gref;
			seg[nr].source.foreign.offset = slot_req[i].offset;
			seg[nr].source.foreign.domid = (uint16_t)p->fe_domid;
			seg[nr].len = (uint16_t)l;
			seg[nr].flags = GNTCOPY_source_gref;
			nr++;
		}
		/* the packet's data, in slot order */
		{
			uint32_t pos = 0;

			for (i = 0; i < nr; i++) {
				seg[i].dest.virt = p->buf + pos;
				pos += seg[i].len;
			}
		}
		copy_check(p, seg, nr, "TX");

		/*
		 * one response per slot, in order; tx-null-data answers the
		 * first data slot of a GSO packet with NETIF_RSP_NULL, as if
		 * it were the extra, and the extra not at all
		 */
		null_data = p->hostile == H_TX_NULL_DATA && !p->injected &&
			q->echoed >= 4 && extra_slots > 0;
		for (i = 0; i < nslots; i++) {
			netif_tx_response_t *rsp;

			if (null_data && extra_slot[i])
				continue;
			rsp = RING_GET_RESPONSE(r, r->rsp_prod_pvt);
			r->rsp_prod_pvt++;
			if (null_data && i == 0) {
				rsp->status = NETIF_RSP_NULL;
				continue;
			}
			if (extra_slot[i]) {
				rsp->status = NETIF_RSP_NULL;
				continue;
			}
			rsp->id = slot_req[i].id;
			rsp->status = NETIF_RSP_OKAY;
			if (p->injected || q->echoed < 4)
				continue;
			if (p->hostile == H_TX_BAD_ID) {
				rsp->id = 0xffff;
				p->injected = true;
			} else if (p->hostile == H_TX_BAD_STATUS) {
				rsp->status = 7;
				p->injected = true;
			} else if (p->hostile == H_TX_DUP_ID && i > 0) {
				rsp->id = slot_req[0].id;
				p->injected = true;
			} else if (p->hostile == H_TX_DUP_REF && i == 0 &&
				   nslots > 1 && !extra_slot[1] &&
				   slot_req[1].offset != 0) {
				/*
				 * the second data slot's id for the first slot,
				 * then again in its own answer; an offset
				 * inside the page: sent by reference
				 * (net_xennet's copied slots start at 0)
				 */
				rsp->id = slot_req[1].id;
				p->injected = true;
			}
		}
		if (null_data)
			p->injected = true;
		r->req_cons = idx;
		cons = idx;
		taken++;
		if (total >= 24 && p->buf[12] == (STOP_ETHERTYPE >> 8) &&
		    p->buf[13] == (STOP_ETHERTYPE & 0xff) &&
		    memcmp(p->buf + 14, "XNET-READY", 10) == 0) {
			p->ready++;
			continue;
		}
		check_echo(p, qid, p->buf, total, first.flags, gso_size,
			   gso_type);
		if (p->hostile == H_TX_OVERFLOW && !p->injected &&
		    q->echoed >= 4) {
			RING_PUSH_RESPONSES(r);
			/* responses beyond any request the frontend made */
			r->sring->rsp_prod =
				xenpv_load_acquire(&r->sring->req_prod) +
				RING_SIZE(r);
			p->injected = true;
			return taken;
		}
	}
incomplete:
	TL_PUSH(RESPONSES, r, p->xce, q->tx_port);
	return taken;
}

/*
 * rx-partial: a packet of a ring's worth of 1-byte slots, all but the last
 * published at once, the last one a second later. Meanwhile the frontend
 * polls a packet one slot short of complete (not a violation: there is
 * room for the rest); then it drops it (too many slots).
 */
static bool
send_partial(struct peer *p, struct pq *q)
{
	netif_rx_back_ring_t *r = &q->rx;
	uint32_t n = RING_SIZE(r), mask = n - 1, i;
	uint64_t end = tl_now_ms() + 5000;
	netif_rx_request_t req;

	/* wait until the frontend has posted every slot again */
	while (xenpv_load_acquire(&r->sring->req_prod) - r->req_cons < n) {
		if (tl_now_ms() > end)
			tl_fail("rx-partial: the frontend did not repost its ring");
		usleep(1000);
	}
	for (i = 0; i < n; i++) {
		netif_rx_response_t *rsp =
			RING_GET_RESPONSE(r, r->rsp_prod_pvt + i);

		RING_COPY_REQUEST(r, r->req_cons + i, &req);
		if (req.id != ((r->req_cons + i) & mask))
			tl_fail("rx-partial: request %u has id %u", i, req.id);
		rsp->id = req.id;
		rsp->offset = 0;
		rsp->status = 1;
		rsp->flags = i + 1 < n ? NETRXF_more_data : 0;
		if (i + 1 == n - 1) {
			/* all but the last slot */
			r->rsp_prod_pvt += n - 1;
			TL_PUSH(RESPONSES, r, p->xce, q->rx_port);
			r->rsp_prod_pvt -= n - 1;
			usleep(1000 * 1000);
		}
	}
	r->req_cons += n;
	r->rsp_prod_pvt += n;
	TL_PUSH(RESPONSES, r, p->xce, q->rx_port);
	return true;
}

/*
 * One packet the frontend must drop and count, not deliver (p->hostile is
 * a drop kind): it is not part of the echo session.
 */
static bool
send_unwanted(struct peer *p, struct pq *q)
{
	/* 19 full slots: the most the frontend parses, above 65535 */
	static uint8_t big[19 * PAGE_SZ];

	switch (p->hostile) {
	case H_RX_OVERSIZE:
		memcpy(big, p->fe_mac, 6);
		return send_packet(p, q, 0, big, sizeof(big), 0, 0, false,
				   false);
	case H_RX_GSO_UNASKED:
		/* the frontend wrote feature-gso-tcpv4=0 */
		build_packet(p, p->ref, 6, 4, 0);
		return send_packet(p, q, 0, p->ref, kinds[6].len, 0,
				   kinds[6].gso_size, false, false);
	case H_RX_CSUM_UNASKED:
		/* the frontend wrote feature-no-csum-offload=1 */
		build_packet(p, p->ref, 2, 4, 0);
		return send_packet(p, q, 0, p->ref, kinds[2].len, CB, 0,
				   false, false);
	case H_RX_PARTIAL:
		return send_partial(p, q);
	default:
		return false;
	}
}

/* Send what the window allows on queue @q; returns packets sent. */
static unsigned int
feed_rx(struct peer *p, struct pq *q, uint16_t qid)
{
	unsigned int n = 0;

	while (q->sent < p->packets &&
	       (p->sink || q->sent - q->echoed - q->expect_drop_nosg -
		q->expect_drop_offload < p->window)) {
		unsigned int kind = pick_kind(p, q->sent, qid);
		uint16_t flags, gso, txf, txg;
		enum echo_fate fate;

		bool inject = p->hostile >= H_RX_BAD_ID &&
			p->hostile <= H_RX_BAD_EXTRA && !p->injected &&
			qid == 0 && q->sent == 4;

		if (H_IS_DROP(p->hostile) && !p->injected && qid == 0 &&
		    q->sent == 4) {
			if (!send_unwanted(p, q))
				break;
			p->injected = true;
		}

		kind_rx_offloads(p, kind, &flags, &gso);
		build_packet(p, p->ref, kind, q->sent, qid);
		if (!send_packet(p, q, qid, p->ref, kinds[kind].len, flags,
				 gso, kinds[kind].v6, inject))
			break;
		if (inject) {
			p->injected = true;
			break;
		}
		fate = echo_expect(p, kind, &txf, &txg);
		q->want[q->sent] = fate == ECHO_OK && !p->sink;
		if (p->sink)
			;	/* the application only counts */
		else if (fate == ECHO_OK)
			q->expected++;
		else if (fate == ECHO_DROP_NOSG)
			q->expect_drop_nosg++;
		else
			q->expect_drop_offload++;
		q->sent++;
		n++;
	}
	return n;
}

/* What take_events() counts while it drains the event channels. */
struct kick_count {
	struct peer *p;
	evtchn_port_t want;
	int hits;
};

static void
count_kick(evtchn_port_t port, void *arg)
{
	struct kick_count *kc = arg;
	struct peer *p = kc->p;
	unsigned int i;

	for (i = 0; i < p->nq; i++) {
		if (port == p->q[i].tx_port)
			p->q[i].tx_kicks++;
		else if (port == p->q[i].rx_port)
			p->q[i].rx_kicks++;
	}
	if (port == kc->want)
		kc->hits++;
}

/*
 * Wait up to @timeout_ms for event-channel notifications, then take (and
 * unmask) every pending one, counted per queue and ring. Returns how many
 * came on port @want, or -1 if none came in time.
 */
static int
take_events(struct peer *p, unsigned int timeout_ms, evtchn_port_t want)
{
	struct kick_count kc = { .p = p, .want = want, .hits = 0 };

	if (tl_evtchn_drain(p->xce, (int)timeout_ms, count_kick, &kc) < 0)
		return -1;
	return kc.hits;
}

/*
 * Event-driven idle, as Linux netback: ask for a kick on the next TX
 * request and on the next RX buffer (if we are waiting for buffers), check
 * once more, then sleep on the event channel. Returns false on a timeout.
 * Arming only one ring makes the test depend on that ring's kicks alone.
 */
static bool
idle_wait(struct peer *p, bool arm_tx, bool arm_rx, unsigned int timeout_ms)
{
	unsigned int i;
	int more = 0;

	for (i = 0; i < p->nq; i++) {
		struct pq *q = &p->q[i];
		int w;

		if (arm_tx) {
			RING_FINAL_CHECK_FOR_REQUESTS(&q->tx, w);
		} else {
			xen_mb();
			w = RING_HAS_UNCONSUMED_REQUESTS(&q->tx) != 0;
		}
		more |= w;
		if (arm_rx && q->sent < p->packets) {
			RING_IDX prod = q->rx.sring->req_prod;

			q->rx.sring->req_event = prod + 1;
			xen_mb();
			if (q->rx.sring->req_prod != prod)
				more = 1;
		}
	}
	if (more)
		return true;
	return take_events(p, timeout_ms, p->q[0].tx_port) >= 0;
}

static void
session_reset(struct peer *p)
{
	unsigned int i, seq;

	for (i = 0; i < MAX_QUEUES; i++) {
		struct pq *q = &p->q[i];

		free(q->seen);
		free(q->want);
		q->seen = calloc(p->packets, 1);
		q->want = calloc(p->packets, 1);
		if (q->seen == NULL || q->want == NULL)
			tl_fail("out of memory");
		q->sent = 0;
		q->expected = 0;
		q->expected_total = 0;
		for (seq = 0; i < p->nq && !p->sink && seq < p->packets;
		     seq++) {
			uint16_t f, g;

			if (echo_expect(p, pick_kind(p, seq, (uint16_t)i), &f,
					&g) == ECHO_OK)
				q->expected_total++;
		}
		q->echoed = 0;
		q->expect_drop_nosg = 0;
		q->expect_drop_offload = 0;
	}
	p->injected = false;
	if (p->tx_unanswered > p->q[0].expected_total)
		tl_fail("--tx-unanswered %u: a session echoes only %u packets on queue 0",
			p->tx_unanswered, p->q[0].expected_total);
}

/*
 * Answer the control ring's requests as --ctrl says: silent leaves them
 * (counted), bad-id answers with another id, refuse with NOT_SUPPORTED.
 */
static void
ctrl_serve(struct peer *p)
{
	struct xen_netif_ctrl_request req;
	struct xen_netif_ctrl_response *rsp;
	RING_IDX prod;
	int notify;

	if (p->ctrl_map == NULL)
		return;
	prod = xenpv_load_acquire(&p->ctrl.sring->req_prod);
	if (strcmp(p->ctrl_mode, "silent") == 0) {
		p->ctrl_requests += prod - p->ctrl.req_cons;
		p->ctrl.req_cons = prod;
		return;
	}
	while (p->ctrl.req_cons != prod) {
		RING_COPY_REQUEST(&p->ctrl, p->ctrl.req_cons, &req);
		p->ctrl.req_cons++;
		p->ctrl_requests++;
		rsp = RING_GET_RESPONSE(&p->ctrl, p->ctrl.rsp_prod_pvt++);
		rsp->id = strcmp(p->ctrl_mode, "bad-id") == 0 ?
			(uint16_t)(req.id + 7) : req.id;
		rsp->type = req.type;
		rsp->status = XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED;
		rsp->data = 0;
	}
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&p->ctrl, notify);
	if (notify)
		xenevtchn_notify(p->ctrl_xce, p->ctrl_port);
}

/* Wait for the application to say it saw the link come up (READY). */
static void
wait_ready(struct peer *p, const char *name)
{
	unsigned int i;

	while (p->ready == 0) {
		unsigned int work = 0;

		ctrl_serve(p);
		for (i = 0; i < p->nq; i++)
			work += take_tx(p, &p->q[i], (uint16_t)i);
		if (tl_now_ms() > p->deadline)
			tl_fail("%s: no READY from the application (no link up?)",
			     name);
		if (work == 0 && (p->polling || !idle_wait(p, true, true, 1000)))
			usleep(p->polling ? 50 : 0);
	}
	p->ready--;
}

/*
 * The TX kick test (--tx-lockstep): one packet at a time on queue 0, and
 * before each goes out we ask for a kick on the next TX request
 * (req_event = req_cons + 1). The echo cannot be queued before we asked,
 * so the frontend's RING_PUSH_REQUESTS_AND_CHECK_NOTIFY must find
 * req_event crossed and kick: we sleep on the event channel until that TX
 * kick has come, however loaded the machine is. A frontend that does not
 * kick leaves us asleep until KICK_WAIT_MS and fails the test. Every echo
 * is thus one kick the frontend had to send; we print how many.
 */
static void
run_tx_lockstep(struct peer *p, const char *name)
{
	struct pq *q = &p->q[0];
	uint32_t kicked = 0;

	if (p->nq != 1 || !p->is_split)
		tl_fail("%s: the TX kick test needs one queue and split event channels (to tell TX kicks from RX kicks)",
		     name);
	session_reset(p);
	wait_ready(p, name);
	p->window = 1;
	while (q->sent < p->packets) {
		uint32_t expected = q->expected;
		bool kick = false;

		if (tl_now_ms() > p->deadline)
			tl_fail("%s: timed out after %u packets", name, q->sent);
		/* start clean: no kick from before may count for this one */
		take_events(p, 0, q->tx_port);
		q->tx.sring->req_event = q->tx.req_cons + 1;
		/* req_event is visible before we look at req_prod again */
		xen_mb();
		if (RING_HAS_UNCONSUMED_REQUESTS(&q->tx))
			tl_fail("%s: TX request %u nobody asked for", name,
			     q->tx.req_cons);
		if (feed_rx(p, q, 0) == 0) {
			/* no RX buffer yet: the frontend reposts them */
			usleep(100);
			continue;
		}
		if (q->expected == expected)
			continue;	/* the frontend must drop this echo */
		for (;;) {
			int n;

			take_tx(p, q, 0);
			if (q->echoed == q->expected && kick)
				break;
			n = take_events(p, KICK_WAIT_MS, q->tx_port);
			if (n < 0) {
				take_tx(p, q, 0);
				tl_fail("%s: packet %u: %s within %u ms (req_event %u, req_prod %u)",
				     name, q->sent - 1,
				     q->echoed < q->expected ? "no echo" :
				     "echo queued but no TX kick",
				     KICK_WAIT_MS, q->tx.sring->req_event,
				     q->tx.sring->req_prod);
			}
			if (n > 0)
				kick = true;
		}
		kicked++;
	}
	p->window = WINDOW;
	tl_note("%s: %u echoes checked, each after a TX kick", name, q->echoed);
	printf("PEER tx_kicks_needed=%u\n", kicked);
	fflush(stdout);
}

/*
 * The RX kick test (--rx-lockstep, flood): before each round we ask for a
 * kick on the next RX buffer (req_event = req_prod + 1, checked again after
 * the barrier so no buffer was posted meanwhile), send what fits into the
 * buffers posted up to that req_prod (none posted later), and sleep until
 * the RX kick comes. The application then holds responses it has not
 * consumed (the ones just sent, or nearly a ring of them if none fitted),
 * so it must post buffers past req_event and kick; a frontend that does
 * not leaves us asleep until KICK_WAIT_MS and fails the test. A round uses
 * at most a ring of slots, so the rounds (each one kick) are at least the
 * slots sent divided by the ring size, however the two sides are scheduled.
 */
static void
run_rx_lockstep(struct peer *p, const char *name)
{
	struct pq *q = &p->q[0];
	netif_rx_sring_t *sr = q->rx.sring;
	uint32_t rounds = 0;
	RING_IDX prod;

	if (p->nq != 1 || !p->is_split)
		tl_fail("%s: the RX kick test needs one queue and split event channels (to tell RX kicks from TX kicks)",
		     name);
	session_reset(p);
	wait_ready(p, name);
	while (q->sent < p->packets) {
		int n;

		if (tl_now_ms() > p->deadline)
			tl_fail("%s: timed out after %u packets", name, q->sent);
		/* start clean: no kick from before may count for this round */
		take_events(p, 0, q->rx_port);
		do {
			prod = xenpv_load_acquire(&sr->req_prod);
			sr->req_event = prod + 1;
			/* req_event is visible before we look at req_prod again */
			xen_mb();
		} while (xenpv_load_acquire(&sr->req_prod) != prod);
		q->rx_cap = prod;
		q->rx_capped = true;
		feed_rx(p, q, 0);
		q->rx_capped = false;
		do {
			n = take_events(p, KICK_WAIT_MS, q->rx_port);
			if (n < 0)
				tl_fail("%s: round %u: no RX kick within %u ms (req_event %u, req_prod %u, %u packets sent)",
				     name, rounds, KICK_WAIT_MS, sr->req_event,
				     sr->req_prod, q->sent);
		} while (n == 0);
		rounds++;
	}
	tl_note("%s: %u packets in %u rounds, each ended by an RX kick", name,
	     q->sent, rounds);
	printf("PEER rx_kicks_needed=%u\n", rounds);
	fflush(stdout);
}

/* Exchange p->packets packets per queue; returns when all are echoed. */
static void
run_session(struct peer *p, const char *name)
{
	uint64_t last_progress = tl_now_ms(), started = last_progress;
	unsigned int i, iter = 0;
	uint32_t nosg = 0, offload = 0, echoed = 0;

	session_reset(p);
	wait_ready(p, name);
	for (;;) {
		unsigned int work = 0;
		bool done = true, held = false;

		for (i = 0; i < p->nq; i++)
			work += take_tx(p, &p->q[i], (uint16_t)i);
		for (i = 0; i < p->nq; i++)
			work += feed_rx(p, &p->q[i], (uint16_t)i);
		for (i = 0; p->greedy_kicks && i < p->nq; i++) {
			/* hostile (D8): a kick for every request pushed */
			p->q[i].tx.sring->req_event =
				p->q[i].tx.sring->req_prod + 1;
			p->q[i].rx.sring->req_event =
				p->q[i].rx.sring->req_prod + 1;
		}
		if (p->hostile != H_NONE && !H_IS_DROP(p->hostile) &&
		    p->injected) {
			tl_note("injected %s", hostile_names[p->hostile]);
			return;
		}
		for (i = 0; i < p->nq; i++) {
			struct pq *q = &p->q[i];

			if (tx_held_back(p, q, (uint16_t)i)) {
				/* until the held-back echoes are all requested */
				held = true;
				if (q->sent < p->packets ||
				    tx_pending_packets(q) < p->tx_unanswered)
					done = false;
			} else if (q->sent < p->packets ||
				   q->echoed < q->expected) {
				done = false;
			}
		}
		if (done)
			break;
		if (work > 0 || held)
			last_progress = tl_now_ms();
		if ((++iter & 255) == 0 && fe_state(p) != XenbusStateConnected)
			tl_fail("%s: frontend left Connected (state %d) mid-session",
			     name, fe_state(p));
		if (tl_now_ms() > p->deadline) {
			for (i = 0; i < p->nq; i++) {
				struct pq *q = &p->q[i];

				tl_note("queue %u: sent %u, expected %u echoes, echoed %u, %u pending in the TX ring (req_cons %u, req_prod %u); RX rsp_prod %u, req_prod %u",
					i, q->sent, q->expected, q->echoed,
					tx_pending_packets(q), q->tx.req_cons,
					q->tx.sring->req_prod,
					q->rx.sring->rsp_prod,
					q->rx.sring->req_prod);
			}
			tl_fail("%s: timed out", name);
		}
		if (work == 0) {
			if (p->polling || held) {
				usleep(50);
			} else if (!idle_wait(p, p->arm_tx, p->arm_rx, 1000)) {
				p->stalls++;
				if (tl_now_ms() - last_progress > 3000)
					tl_fail("%s: stalled 3 s waiting for the frontend (no kick?)",
					     name);
			}
		}
	}
	for (i = 0; i < p->nq; i++) {
		nosg += p->q[i].expect_drop_nosg;
		offload += p->q[i].expect_drop_offload;
		echoed += p->q[i].echoed;
	}
	tl_note("%s: %u echoes checked on %u queue(s)", name, echoed, p->nq);
	printf("PEER session_ms=%" PRIu64 "\n", tl_now_ms() - started);
	printf("PEER expect tx_drop_nosg=%u tx_drop_offload=%u\n", nosg,
	       offload);
	fflush(stdout);
}

/*
 * After a violation: the frontend goes Closing (and may be Closed by the
 * time we look, if the application stopped the port at link down). TX
 * responses are only read when the application transmits, so after a
 * TX-side violation keep it echoing.
 */
static void
wait_fe_closing(struct peer *p, unsigned int ms)
{
	uint64_t end = tl_now_ms() + ms;
	int s;

	p->closing = true;
	for (;;) {
		s = fe_state(p);
		if (s == XenbusStateClosing || s == XenbusStateClosed)
			return;
		if (tl_now_ms() > end)
			tl_fail("frontend did not close after the violation (state %d after %u ms)",
			     s, ms);
		if (p->hostile >= H_TX_BAD_ID) {
			/* one more small packet for the application to echo */
			build_packet(p, p->ref, 0, 0, 0);
			send_packet(p, &p->q[0], 0, p->ref, kinds[0].len, 0, 0,
				    false, false);
		}
		usleep(2000);
	}
}

/* The frontend closes (dev_stop): Closing, we follow, Closed, we follow. */
static void
follow_frontend_close(struct peer *p, unsigned int ms)
{
	wait_fe_state(p, XenbusStateClosing, ms, "frontend close");
	disconnect_frontend(p);
	be_switch(p, XenbusStateClosing);
	wait_fe_state(p, XenbusStateClosed, ms, "frontend closed");
	be_switch(p, XenbusStateClosed);
}

/*
 * --rewrite: a hostile backend writes over every RX page it delivered a
 * packet in, after the application received (and echoed) it: the grant is
 * still writable, so nothing stops it. The pages the application still
 * holds (rx_zero_copy=1) change; the headers it read must not.
 */
static void
rewrite_pages(struct peer *p)
{
	static uint8_t junk[PAGE_SZ];
	xengnttab_grant_copy_segment_t seg;
	unsigned int i, ok = 0;

	memset(junk, 0xa5, sizeof(junk));
	for (i = 0; i < p->nr_written; i++) {
		memset(&seg, 0, sizeof(seg));
		seg.source.virt = junk;
		seg.dest.foreign.ref = p->written[i];
		seg.dest.foreign.offset = 0;
		seg.dest.foreign.domid = (uint16_t)p->fe_domid;
		seg.len = PAGE_SZ;
		seg.flags = GNTCOPY_dest_gref;
		if (xengnttab_grant_copy(p->xgt, 1, &seg) == 0 &&
		    seg.status == GNTST_okay)
			ok++;
	}
	tl_note("rewrote %u of %u delivered pages", ok, p->nr_written);
	printf("PEER rewrote=%u\n", ok);
	fflush(stdout);
}

/*
 * End a session: the STOP packet tells the application to stop its port;
 * then follow the frontend as it closes.
 */
static void
stop_app(struct peer *p)
{
	uint8_t b[60];
	uint64_t end = tl_now_ms() + 5000;

	memset(b, 0, sizeof(b));
	memcpy(b, p->fe_mac, 6);
	memcpy(b + 6, "\x00\x16\x3e\xff\xff\xfe", 6);
	b[12] = STOP_ETHERTYPE >> 8;
	b[13] = STOP_ETHERTYPE & 0xff;
	memcpy(b + 14, "XNET-STOP", 9);
	while (!send_packet(p, &p->q[0], 0, b, sizeof(b), 0, 0, false,
			    false)) {
		if (tl_now_ms() > end)
			tl_fail("no RX buffer for the STOP packet");
		usleep(1000);
	}
	follow_frontend_close(p, 5000);
}

/* We close (as netback when the vif goes offline), the frontend follows. */
static void
backend_close(struct peer *p)
{
	be_switch(p, XenbusStateClosing);
	wait_fe_state(p, XenbusStateClosed, 5000, "frontend follows Closing");
	disconnect_frontend(p);
	be_switch(p, XenbusStateClosed);
	/* a closed backend is asked back by the frontend's Initialising */
	wait_fe_state(p, XenbusStateInitialising, 5000, "frontend asks again");
}

/* The peer, with the defaults of its options. */
static struct peer peer = {
	.fe_domid = 1, .max_order = -1, .packets = 64, .timeout_s = 40,
	.window = WINDOW, .arm_tx = true, .arm_rx = true,
	/* what we offer */
	.split = 1, .sg = 1, .gso = 1, .ipv6_csum = 1,
	/* what the test expects the frontend to write */
	.exp_queues = 1, .exp_split = 1, .exp_sg = 1, .exp_gso = 1,
	.exp_csum = 1,
};
static const char *scenario = "echo";
static unsigned int cycles = 1;

static bool
opt_hostile(const char *arg, void *var)
{
	enum hostile *h = var;
	unsigned int i;

	for (i = 1; i < sizeof(hostile_names) / sizeof(hostile_names[0]); i++)
		if (strcmp(arg, hostile_names[i]) == 0)
			*h = (enum hostile)i;
	return *h != H_NONE;
}

static bool
opt_arm(const char *arg, void *var)
{
	struct peer *p = var;

	p->arm_tx = strcmp(arg, "rx") != 0;
	p->arm_rx = strcmp(arg, "tx") != 0;
	return true;
}

static const struct tl_opt opts[] = {
	TL_OPT("frontend-domid", UINT, &peer.fe_domid, "N", "(1)"),
	TL_OPT("devid", UINT, &peer.devid, "N", "(0)"),
	TL_OPT("scenario", STR, &scenario, "NAME",
	       "echo|flood|reconnect|cycles|crash|restart|restarts|hostile"),
	{ "hostile", 0, TL_OPT_FN, &peer.hostile, "KIND", NULL, opt_hostile },
	TL_OPT("restart-after-inject", SET, &peer.restart_inject, NULL,
	       "restart (InitWait) before the frontend's control thread comes round"),
	TL_OPT("tx-unanswered", UINT, &peer.tx_unanswered, "N",
	       "leave queue 0's last N echoes unanswered at a session's end"),
	TL_OPT("packets", UINT, &peer.packets, "N", "per queue (64)"),
	TL_OPT("cycles", UINT, &cycles, "N", NULL),
	TL_OPT("timeout", UINT, &peer.timeout_s, "S", "(40)"),
	TL_OPT("polling", SET, &peer.polling, NULL, "never sleep"),
	TL_OPT("rewrite", SET, &peer.rewrite, NULL,
	       "echo: then write over every RX page delivered (hostile)"),
	TL_OPT("keep-maps", SET, &peer.keep_maps, NULL,
	       "never unmap a ring or RX buffer of a connection (hostile)"),
	TL_OPT("rx-pool", SET, &peer.rx_pool, NULL,
	       "the frontend receives into a zero-copy pool (rx_zero_copy=1)"),
	TL_OPT("expect-reuse", SET, &peer.expect_reuse, NULL,
	       "each connection must bring the first one's grants"),
	TL_OPT("greedy-kicks", SET, &peer.greedy_kicks, NULL,
	       "keep req_event one ahead on both rings (a kick per push)"),
	TL_OPT("tx-lockstep", SET, &peer.tx_lockstep, NULL,
	       "echo: one packet at a time, each echo must be kicked"),
	TL_OPT("rx-lockstep", SET, &peer.rx_lockstep, NULL,
	       "flood: rounds of a ring at most, each ended by an RX kick"),
	{ "arm", 0, TL_OPT_FN, &peer, "tx|rx|both", NULL, opt_arm },
	TL_OPT("max-queues", INT, &peer.max_queues, "N", "backend offers"),
	TL_OPT("max-order", INT, &peer.max_order, "N", NULL),
	TL_OPT("split", INT, &peer.split, "0|1", NULL),
	TL_OPT("sg", INT, &peer.sg, "0|1", NULL),
	TL_OPT("gso", INT, &peer.gso, "0|1", NULL),
	TL_OPT("ipv6-csum", INT, &peer.ipv6_csum, "0|1", NULL),
	TL_OPT("expect-queues", UINT, &peer.exp_queues, "N",
	       "the frontend must write"),
	TL_OPT("expect-order", UINT, &peer.exp_order, "N", NULL),
	TL_OPT("expect-split", INT, &peer.exp_split, "0|1", NULL),
	TL_OPT("expect-sg", INT, &peer.exp_sg, "0|1", NULL),
	TL_OPT("expect-gso", INT, &peer.exp_gso, "0|1", NULL),
	TL_OPT("expect-csum", INT, &peer.exp_csum, "0|1", NULL),
	TL_OPT("echo-csum-all", SET, &peer.echo_csum_all, NULL,
	       "every echo flagged csum_blank, its checksum partial"),
	TL_OPT("ctrl", STR, &peer.ctrl_mode, "silent|bad-id|refuse",
	       "offer a control ring, answer it so (use --polling)"),
	TL_OPT("mcast", STR, &peer.mcast_mode, "silent|refuse",
	       "offer multicast control, expect it asked for, answer it so"),
	{ NULL, 0, 0, NULL, NULL, NULL, NULL },
};
#undef OPT

static const struct tl_cmd cmd = {
	.prog = "xennet_peer",
	.synopsis = "[options]",
	.opts = opts,
};

int
main(int argc, char **argv)
{
	struct peer *p = &peer;
	char *s;
	unsigned int i;

	tl_log_init("peer: ", "PEER FAIL: ");
	tl_opt_parse(&cmd, argc, argv);
	if (p->exp_queues == 0 || p->exp_queues > MAX_QUEUES ||
	    p->packets == 0)
		tl_usage();
	p->deadline = tl_now_ms() + (uint64_t)p->timeout_s * 1000;

	p->xs = xs_open(0);
	p->xgt = xengnttab_open(NULL, 0);
	p->xce = xenevtchn_open(NULL, 0);
	p->ctrl_xce = xenevtchn_open(NULL, 0);
	if (p->xs == NULL || p->xgt == NULL || p->xce == NULL ||
	    p->ctrl_xce == NULL)
		tl_fail("cannot open xenstore/gnttab/evtchn: %s", strerror(errno));
	tl_path(p->fe_path, sizeof(p->fe_path),
		 "/local/domain/%u/device/vif/%u", p->fe_domid, p->devid);
	s = tl_xs_get(p->xs, p->fe_path, "backend");
	if (s == NULL)
		tl_fail("no %s/backend", p->fe_path);
	tl_path(p->be_path, sizeof(p->be_path), "%s", s);
	free(s);
	s = tl_xs_get(p->xs, p->fe_path, "mac");
	if (s == NULL || sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx",
				&p->fe_mac[0], &p->fe_mac[1], &p->fe_mac[2],
				&p->fe_mac[3], &p->fe_mac[4],
				&p->fe_mac[5]) != 6)
		tl_fail("no usable %s/mac", p->fe_path);
	free(s);

	handshake(p);
	if (strcmp(scenario, "echo") == 0) {
		if (p->tx_lockstep)
			run_tx_lockstep(p, "session");
		else
			run_session(p, "session");
		if (p->rewrite)
			rewrite_pages(p);
		stop_app(p);
	} else if (strcmp(scenario, "reconnect") == 0) {
		run_session(p, "session 1");
		backend_close(p);
		handshake(p);
		run_session(p, "session 2");
		stop_app(p);
	} else if (strcmp(scenario, "flood") == 0) {
		/* the application only receives (--sink) */
		p->sink = true;
		if (p->rx_lockstep)
			run_rx_lockstep(p, "flood");
		else
			run_session(p, "flood");
		stop_app(p);
	} else if (strcmp(scenario, "restarts") == 0) {
		/* restart while connected, as a crashing backend would */
		run_session(p, "restart 0");
		for (i = 1; i < cycles; i++) {
			uint64_t t0 = tl_now_ms();

			disconnect_frontend(p);
			handshake(p);
			tl_note("restart %u: connected after %" PRIu64 " ms", i,
				tl_now_ms() - t0);
			run_session(p, "restart");
		}
		stop_app(p);
	} else if (strcmp(scenario, "cycles") == 0) {
		/* the application stops and starts the port each time */
		for (i = 0; i < cycles; i++) {
			if (i > 0) {
				wait_fe_state(p, XenbusStateInitialising, 5000,
					      "frontend restarts");
				handshake(p);
			}
			run_session(p, "cycle");
			stop_app(p);
		}
	} else if (strcmp(scenario, "crash") == 0) {
		/* leave with the connection up, as a killed backend would */
		run_session(p, "session 1");
	} else if (strcmp(scenario, "restart") == 0) {
		/* handshake() above took over a live frontend */
		run_session(p, "session 2");
		stop_app(p);
	} else if (strcmp(scenario, "hostile") == 0) {
		if (p->hostile == H_NONE)
			tl_usage();
		run_session(p, "hostile");
		if (!p->injected)
			tl_fail("could not inject %s", hostile_names[p->hostile]);
		if (H_IS_DROP(p->hostile)) {
			/* dropped and counted: the session went on */
			stop_app(p);
			goto done;
		}
		if (p->restart_inject) {
			/*
			 * The frontend's burst records the violation within
			 * microseconds, its control thread acts on it within 100
			 * ms: restart in between, which must not wipe it.
			 */
			usleep(5000);
			be_switch(p, XenbusStateInitWait);
		}
		/* the frontend must notice, log, and close the vif */
		wait_fe_closing(p, 5000);
		disconnect_frontend(p);
		expect_revoked(p);
		be_switch(p, XenbusStateClosing);
		wait_fe_state(p, XenbusStateClosed, 5000, "frontend closed");
		be_switch(p, XenbusStateClosed);
	} else {
		tl_usage();
	}
done:
	printf("PEER OK scenario=%s queues=%u order=%u stalls=%" PRIu64 "\n",
	       scenario, p->nq, p->order, p->stalls);
	for (i = 0; i < MAX_QUEUES; i++) {
		free(p->q[i].seen);
		free(p->q[i].want);
	}
	xenevtchn_close(p->xce);
	xengnttab_close(p->xgt);
	xs_close(p->xs);
	return 0;
}
