/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xennet control path: the xenbus handshake with the backend and the
 * life of a connection.
 *
 * The connection follows ethdev's lifecycle. dev_configure fixes the queue
 * count; dev_start lets the state machine below connect; dev_stop closes
 * the vif (Closing, then Closed) and reclaims every grant and event
 * channel. Between the two, the state machine runs on the port's control
 * thread (struct xenpv_ctl, as net_xenback's) whenever the backend's state
 * key changes (a xenstore watch), so a backend that closes or restarts is
 * followed by itself:
 *
 *   backend state       what we do (while started)
 *   InitWait            share rings and pages, bind event channels, write
 *                       all keys in one transaction, go Connected
 *   Connected           link up once we are connected too; if we are not,
 *                       it serves a stale connection: go Closing
 *   InitWait again      after it was Connected to us: it restarted; tear
 *                       down and connect anew, on the same shared pages
 *                       (xennet_share_queue)
 *   Closing             tear down (link down), go Closed
 *   Closed              go Initialising (asks the backend for InitWait)
 *   Initialising        go Initialising and wait
 *
 * This is what Linux netfront does, so Linux netback and our net_xenback
 * both see the sequence they expect. A backend that breaks the protocol on
 * a ring (the bursts record it, the control thread's next round notices,
 * within XENNET_CTL_PERIOD_MS) or that cannot be
 * used makes the port "failed": we log once, close the vif and stay closed
 * until the application stops and starts the port again.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <ethdev_driver.h>

#include "xennet.h"

/* How long dev_stop waits for the backend to follow each close step. */
#define XENNET_CLOSE_WAIT_MS	2000
#define XENNET_POLL_US		5000
/*
 * While connected, the control thread comes round at least this often: it
 * acts on violations the bursts recorded and sends kicks owed on queues
 * nobody polls.
 */
#define XENNET_CTL_PERIOD_MS	100

/*
 * The backend's features
 */

/* A 0/1 feature key; missing is 0, garbage is 0 with a warning. */
static bool
xennet_be_flag(struct xennet_adapter *ad, const char *key)
{
	unsigned long v;
	int rc;

	rc = xenpv_xs_read_uint_default(ad->xs, XBT_NULL, &v, 0, 1, "%s/%s",
					ad->be_path, key);
	if (rc < 0) {
		XENNET_LOG(WARNING, "%s: backend key %s/%s is not 0 or 1: taken as 0",
			   ad->name, ad->be_path, key);
		return false;
	}
	return v == 1;
}

int
xennet_read_backend_features(struct xennet_adapter *ad,
			     struct xennet_be_features *f)
{
	unsigned long v;
	int rc;

	memset(f, 0, sizeof(*f));
	rc = xenpv_xs_read_uint(ad->xs, XBT_NULL, &v, 1, "%s/%s", ad->be_path,
				XENPV_NETIF_FEATURE_RX_COPY);
	if (rc < 0 || v != 1) {
		XENNET_LOG(ERR, "%s: backend %s does not offer %s=1: only receive-copy backends are supported",
			   ad->name, ad->be_path, XENPV_NETIF_FEATURE_RX_COPY);
		return -EPROTONOSUPPORT;
	}
	f->sg = xennet_be_flag(ad, XENPV_NETIF_FEATURE_SG);
	f->gso_v4 = xennet_be_flag(ad, XENPV_NETIF_FEATURE_GSO_TCPV4);
	f->gso_v6 = xennet_be_flag(ad, XENPV_NETIF_FEATURE_GSO_TCPV6);
	f->ipv6_csum = xennet_be_flag(ad, XENPV_NETIF_FEATURE_IPV6_CSUM);
	f->split = xennet_be_flag(ad, XENPV_NETIF_FEATURE_SPLIT_EVTCHN);
	f->ctrl_ring = xennet_be_flag(ad, XENPV_NETIF_FEATURE_CTRL_RING);
	f->mcast_ctrl = xennet_be_flag(ad, XENPV_NETIF_FEATURE_MCAST_CTRL);
	f->mcast_dyn = f->mcast_ctrl &&
		xennet_be_flag(ad, XENPV_NETIF_FEATURE_MCAST_DYN);
	f->pgnt = xennet_be_flag(ad, XENPV_NETIF_FEATURE_PGNT);

	f->max_queues = 1;
	rc = xenpv_xs_read_uint(ad->xs, XBT_NULL, &v,
				XENNET_BE_QUEUES_PARSE_MAX, "%s/%s",
				ad->be_path, XENPV_NETIF_MAX_QUEUES_KEY);
	if (rc == 0 && v > 0) {
		f->has_max_queues = true;
		f->max_queues = (unsigned int)v;
	} else if (rc != -ENOENT) {
		XENNET_LOG(WARNING, "%s: backend key %s/%s is garbage: one queue",
			   ad->name, ad->be_path, XENPV_NETIF_MAX_QUEUES_KEY);
	}

	rc = xenpv_xs_read_uint(ad->xs, XBT_NULL, &v, UINT32_MAX, "%s/%s",
				ad->be_path, XENPV_NETIF_MAX_RING_ORDER);
	if (rc == 0) {
		f->has_max_order = true;
		f->max_order = (unsigned int)RTE_MIN(v,
				(unsigned long)XENPV_MAX_RING_PAGE_ORDER);
	} else if (rc != -ENOENT) {
		XENNET_LOG(WARNING, "%s: backend key %s/%s is garbage: single-page rings",
			   ad->name, ad->be_path, XENPV_NETIF_MAX_RING_ORDER);
	}
	return 0;
}

/*
 * Shared pages
 */

/*
 * A ring's 2^@order pages, shared writable; or, when the port kept them
 * from its previous connection (xennet_share_queue), the same ones again.
 * Either way they start zeroed: nothing the previous backend instance left
 * in them is read as ours.
 */
static int
xennet_share_ring(struct xennet_adapter *ad, struct xennet_ring_mem *rm,
		  unsigned int order)
{
	uint32_t n = 1u << order;

	if (rm->mem == NULL) {
		errno = 0;
		rm->mem = xengntshr_share_pages(ad->xgs, ad->be_domid, n,
						rm->refs, 1);
		if (rm->mem == NULL)
			return -(errno ? errno : ENOMEM);
		rm->nr_pages = n;
		ad->pages_shared += n;
	}
	RTE_VERIFY(rm->nr_pages == n);
	memset(rm->mem, 0, (size_t)n * XENPV_PAGE_SIZE);
	return 0;
}

static void
xennet_unshare_ring(struct xennet_adapter *ad, struct xennet_ring_mem *rm)
{
	if (rm->mem != NULL)
		xengntshr_unshare(ad->xgs, rm->mem, rm->nr_pages);
	rm->mem = NULL;
	rm->nr_pages = 0;
}

/* Share @count data pages in chunks; on failure the caller unshares. */
int
xennet_share_pages(xengntshr_handle *xgs, unsigned int domid,
		   struct xennet_pages *p, uint32_t count, int writable)
{
	p->refs = calloc(count, sizeof(*p->refs));
	if (p->refs == NULL)
		return -ENOMEM;
	while (p->nr < count) {
		uint32_t n = RTE_MIN(XENNET_SHARE_CHUNK, count - p->nr);
		void *mem;

		errno = 0;
		mem = xengntshr_share_pages(xgs, domid, n, &p->refs[p->nr],
					    writable);
		if (mem == NULL)
			return -(errno ? errno : ENOMEM);
		p->chunk[p->nr_chunks++] = mem;
		p->nr += n;
	}
	return 0;
}

void
xennet_unshare_pages(xengntshr_handle *xgs, struct xennet_pages *p)
{
	uint32_t c;

	for (c = 0; c < p->nr_chunks; c++) {
		uint32_t first = c * XENNET_SHARE_CHUNK;

		xengntshr_unshare(xgs, p->chunk[c],
				  RTE_MIN(XENNET_SHARE_CHUNK, p->nr - first));
	}
	free(p->refs);
	memset(p, 0, sizeof(*p));
}

/*
 * One ring of a netif queue: its shared ring pages (2^@order) and @size
 * data pages, which the backend may write only if @writable (RX); undone
 * by xennet_unshare_queue.
 *
 * Pages kept from the previous connection (a backend restart: see
 * xennet_teardown) are used again as they are, with their grants, instead
 * of sharing a new set (hostile review D1): the ring pages are zeroed, the
 * data pages keep their role (read-only TX, writable RX) and their slot.
 * They were never revoked, so the backend domain could map them all along;
 * using them again gives it nothing it did not hold, whereas revoking and
 * sharing anew at each restart would let a backend that keeps the old
 * grants mapped pin ~514 x 2^order grants and pages per queue and restart.
 */
static int
xennet_share_queue(struct xennet_adapter *ad, struct xennet_ring_mem *rm,
		   struct xennet_pages *pages, unsigned int order,
		   uint32_t size, int writable)
{
	int rc = xennet_share_ring(ad, rm, order);

	if (rc == 0 && size > 0 && pages->nr == 0) {
		rc = xennet_share_pages(ad->xgs, ad->be_domid, pages, size,
					writable);
		ad->pages_shared += pages->nr;
	}
	if (rc == 0 && pages->nr != size)
		rc = -EINVAL;	/* cannot be: the order is fixed while started */
	return rc;
}

static void
xennet_unshare_queue(struct xennet_adapter *ad, struct xennet_ring_mem *rm,
		     struct xennet_pages *pages)
{
	xennet_unshare_pages(ad->xgs, pages);
	xennet_unshare_ring(ad, rm);
}

/*
 * One netif queue: a TX and an RX ring, their data pages, one or two
 * event channels
 */

/*
 * Undo xennet_queue_connect: unbind the event channels, drop the slot
 * tables and the zero-copy pool's reference; the ring and data pages are
 * unshared too, unless @keep (a backend restart: the next connection uses
 * them again, xennet_share_queue; xennet_unshare_kept gives them back at
 * dev_stop or when the port fails).
 */
static void
xennet_queue_release(struct xennet_adapter *ad, uint16_t qid, bool keep)
{
	struct xennet_txq *txq = ad->dev->data->tx_queues[qid];
	struct xennet_rxq *rxq = ad->dev->data->rx_queues[qid];
	struct xennet_evtchn *ev = &ad->evtchn[qid];

	if (ev->rx >= 0 && ev->rx != ev->tx)
		xenevtchn_unbind(ev->rx_xce, ev->rx);
	if (ev->tx >= 0)
		xenevtchn_unbind(ev->tx_xce, ev->tx);
	ev->tx = -1;
	ev->rx = -1;

	if (txq != NULL) {
		/* tx_zero_copy: pages the backend never answered for */
		xennet_txq_drop_refs(txq);
		if (!keep)
			xennet_unshare_queue(ad, &txq->ring_mem, &txq->pages);
		rte_free(txq->slots);
		txq->slots = NULL;
		memset(&txq->ring, 0, sizeof(txq->ring));
	}
	if (rxq != NULL) {
		/*
		 * rx_zero_copy: pages the application still holds keep their
		 * pool, and their grants, until it frees them (xennet_zc.c);
		 * kept, the pool may serve the next connection.
		 */
		if (!keep) {
			xennet_zc_pool_put(rxq->zc);
			rxq->zc = NULL;
			xennet_unshare_queue(ad, &rxq->ring_mem, &rxq->pages);
		}
		rte_free(rxq->slots);
		rxq->slots = NULL;
		memset(&rxq->ring, 0, sizeof(rxq->ring));
	}
}

static int
xennet_queue_connect(struct xennet_adapter *ad, uint16_t qid)
{
	struct rte_eth_dev *dev = ad->dev;
	struct xennet_txq *txq = dev->data->tx_queues[qid];
	struct xennet_rxq *rxq = dev->data->rx_queues[qid];
	struct xennet_evtchn *ev = &ad->evtchn[qid];
	unsigned int order = ad->cfg.ring_order;
	uint32_t tx_size = xennet_tx_ring_size(order);
	uint32_t rx_size = xennet_rx_ring_size(order);
	xenevtchn_handle *rx_xce;
	const char *what;
	bool split;
	int rc;

	/* the backend only reads TX pages: share them read-only */
	what = "share the rings and their data pages";
	rc = xennet_share_queue(ad, &txq->ring_mem, &txq->pages, order,
				tx_size, 0);
	/*
	 * The backend writes RX pages: share them writable. With
	 * rx_zero_copy, from a pool of twice the ring (xennet_zc.c), so
	 * that the application may hold a ring's worth of packets.
	 */
	if (rc == 0)
		rc = xennet_share_queue(ad, &rxq->ring_mem, &rxq->pages,
					order, ad->cfg.rx_zero_copy ? 0 :
					rx_size, 1);
	/* the pool kept from before a backend restart, if no page is out */
	if (rc == 0 && rxq->zc != NULL && !xennet_zc_pool_reuse(rxq->zc)) {
		xennet_zc_pool_put(rxq->zc);
		rxq->zc = NULL;
	}
	if (rc == 0 && ad->cfg.rx_zero_copy && rxq->zc == NULL) {
		what = "share the zero-copy RX pages";
		rxq->zc = xennet_zc_pool_create((domid_t)ad->be_domid,
						2 * rx_size,
						dev->data->numa_node, &rc);
		if (rxq->zc != NULL)
			ad->pages_shared += 2 * rx_size;
	}
	if (rc < 0)
		goto fail;
	XEN_FRONT_RING_INIT(&txq->ring,
			    (netif_tx_sring_t *)txq->ring_mem.mem,
			    XENPV_PAGE_SIZE << order);
	XEN_FRONT_RING_INIT(&rxq->ring,
			    (netif_rx_sring_t *)rxq->ring_mem.mem,
			    XENPV_PAGE_SIZE << order);
	RTE_VERIFY(RING_SIZE(&txq->ring) == tx_size &&
		   RING_SIZE(&rxq->ring) == rx_size);

	what = "allocate the slot tables";
	rc = -ENOMEM;
	txq->slots = rte_zmalloc_socket("xennet_tx_slots",
					tx_size * sizeof(*txq->slots),
					RTE_CACHE_LINE_SIZE,
					dev->data->numa_node);
	rxq->slots = rte_zmalloc_socket("xennet_rx_slots",
					rx_size * sizeof(*rxq->slots),
					RTE_CACHE_LINE_SIZE,
					dev->data->numa_node);
	if (txq->slots == NULL || rxq->slots == NULL)
		goto fail;

	/*
	 * With Rx interrupts, the channel the backend kicks for our RX ring
	 * (the RX one if split, else the only one) goes on the queue's own
	 * handle, whose descriptor the application waits on (xenpv_intr.h).
	 */
	what = "allocate an event channel";
	split = ad->cfg.pv.split && ad->neg.peer.split;
	rx_xce = xenpv_rx_intr_handle(dev, &ad->rx_intr, qid);
	if (rx_xce == NULL)
		rx_xce = ad->xce;
	ev->tx_xce = split ? ad->xce : rx_xce;
	ev->rx_xce = rx_xce;
	rc = xenevtchn_bind_unbound_port(ev->tx_xce, ad->be_domid);
	if (rc < 0) {
		rc = -(errno ? errno : EIO);
		goto fail;
	}
	ev->tx = rc;
	ev->rx = rc;
	if (split) {
		rc = xenevtchn_bind_unbound_port(ev->rx_xce, ad->be_domid);
		if (rc < 0) {
			rc = -(errno ? errno : EIO);
			goto fail;
		}
		ev->rx = rc;
	}

	xenpv_kick_init(&txq->kick, ev->tx_xce, (evtchn_port_t)ev->tx,
			ad->cfg.pv.notify_gap_us);
	txq->sg = ad->cfg.pv.sg && ad->neg.peer.sg;
	txq->zc_free_cb = ad->cfg.tx_zero_copy ? xennet_zc_page_free : NULL;
	txq->be_domid = (domid_t)ad->be_domid;
	/* persistent grants promised: this netif queue's pool only */
	txq->zc_only = ad->neg.pgnt ? rxq->zc : NULL;
	if (ad->neg.pgnt && rxq->zc == NULL)
		txq->zc_free_cb = NULL;
	/*
	 * tx_pool: by reference with or without tx_zero_copy, persistent
	 * grants or not (its pages, granted for the port's life, are within
	 * their bound: xennet.h, XENNET_TX_POOL_MAX)
	 */
	txq->txpool = ad->txpool;
	txq->txpool_mp = ad->txpool != NULL ? ad->txpool->mp : NULL;
	txq->caps.csum_v4 = ad->cfg.pv.csum;
	txq->caps.csum_v6 = ad->cfg.pv.csum && ad->neg.peer.ipv6_csum;
	/* TSO packets span pages: GSO needs scatter-gather too */
	txq->caps.gso_v4 = ad->cfg.pv.gso && txq->sg && ad->neg.peer.gso_v4;
	txq->caps.gso_v6 = ad->cfg.pv.gso && txq->sg && ad->neg.peer.gso_v6;
	xennet_txq_init_slots(txq);

	xenpv_kick_init(&rxq->kick, ev->rx_xce, (evtchn_port_t)ev->rx,
			ad->cfg.pv.notify_gap_us);
	rxq->tx = txq;
	rxq->port_id = dev->data->port_id;
	/*
	 * Up to 19 slots of a page would make 77824 bytes: nothing longer
	 * than what our feature-sg lets the backend send (65535, a GSO
	 * frame, or one page without it) reaches the application. Not the
	 * backend's feature-sg: that one is about our TX ring.
	 */
	rxq->max_len = ad->neg.rx_sg ? XENPV_NETIF_MAX_FRAME : XENPV_PAGE_SIZE;
	rxq->gso = ad->neg.rx_gso;
	rxq->csum = ad->neg.rx_csum;
	xennet_rxq_post_all(rxq);
	return 0;

fail:
	XENNET_LOG(ERR, "%s: queue %u: cannot %s for domain %u: %s",
		   ad->name, qid, what, ad->be_domid, strerror(-rc));
	xennet_queue_release(ad, qid, false);
	return rc;
}

/*
 * The keys
 */

/* Keys of a frontend directory that we, not the toolstack, write. */
static bool
xennet_is_our_key(const char *key)
{
	static const char * const prefixes[] = {
		XENPV_NETIF_TX_RING_REF, XENPV_NETIF_RX_RING_REF, XENPV_NETIF_EVTCHN, XENPV_NETIF_QUEUE_DIR,
		XENPV_NETIF_RING_ORDER, XENPV_NETIF_NUM_QUEUES,
		XENPV_NETIF_REQUEST_RX_COPY, XENPV_NETIF_REQUEST_MCAST_CTRL, XENPV_NETIF_FEATURE_PREFIX,
		XENPV_NETIF_CTRL_RING_REF,	/* event-channel-ctrl: above */
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(prefixes); i++)
		if (strncmp(key, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* Remove what an earlier connection wrote (another queue count...). */
static int
xennet_remove_stale_keys(struct xs_handle *xs, xs_transaction_t t,
			 struct xennet_adapter *ad)
{
	unsigned int n, i;
	char **ents;
	int rc = 0;

	errno = 0;
	ents = xs_directory(xs, t, ad->fe_path, &n);
	if (ents == NULL)
		return errno == ENOENT ? 0 : -(errno ? errno : EIO);
	for (i = 0; i < n && rc == 0; i++)
		if (xennet_is_our_key(ents[i]))
			rc = xenpv_xs_rm(xs, t, ad->fe_path, ents[i]);
	free(ents);
	return rc;
}

/* One ring's references, a key per page (xenpv_netif_ring_ref_key). */
static int
xennet_write_ring_refs(struct xs_handle *xs, xs_transaction_t t,
		       const char *dir, const char *ring, bool indexed,
		       const struct xennet_ring_mem *rm)
{
	char key[32];
	uint32_t i;
	int rc = 0;

	for (i = 0; i < rm->nr_pages && rc == 0; i++) {
		rc = xenpv_netif_ring_ref_key(key, sizeof(key), ring, indexed, i);
		if (rc == 0)
			rc = xenpv_xs_printf(xs, t, dir, key, "%u", rm->refs[i]);
	}
	return rc;
}

static int
xennet_write_queue_keys(struct xs_handle *xs, xs_transaction_t t,
			struct xennet_adapter *ad, uint16_t qid,
			const char *dir)
{
	struct xennet_txq *txq = ad->dev->data->tx_queues[qid];
	struct xennet_rxq *rxq = ad->dev->data->rx_queues[qid];
	const struct xennet_evtchn *ev = &ad->evtchn[qid];
	/* at order 0 (one page), the plain keys every backend knows */
	bool indexed = ad->cfg.ring_order > 0;
	int rc;

	rc = xennet_write_ring_refs(xs, t, dir, XENPV_NETIF_TX_RING_REF,
				    indexed, &txq->ring_mem);
	if (rc == 0)
		rc = xennet_write_ring_refs(xs, t, dir, XENPV_NETIF_RX_RING_REF,
					    indexed, &rxq->ring_mem);
	if (rc < 0)
		return rc;
	if (ev->rx != ev->tx) {
		rc = xenpv_xs_printf(xs, t, dir, XENPV_NETIF_EVTCHN_TX, "%d",
				     ev->tx);
		if (rc == 0)
			rc = xenpv_xs_printf(xs, t, dir, XENPV_NETIF_EVTCHN_RX,
					     "%d", ev->rx);
	} else {
		rc = xenpv_xs_printf(xs, t, dir, XENPV_NETIF_EVTCHN, "%d", ev->tx);
	}
	return rc;
}

/* Body of the handshake transaction (retried whole on EAGAIN). */
static int
xennet_write_keys(struct xs_handle *xs, xs_transaction_t t, void *arg)
{
	struct xennet_adapter *ad = arg;
	const char *fe = ad->fe_path;
	char dir[XENPV_PATH_MAX];
	uint16_t q;
	int rc;

	rc = xennet_remove_stale_keys(xs, t, ad);
	if (rc < 0)
		return rc;
	for (q = 0; q < ad->neg.queues && rc == 0; q++) {
		rc = xenpv_netif_queue_dir(dir, sizeof(dir), fe, ad->neg.queues,
					   q);
		if (rc == 0)
			rc = xennet_write_queue_keys(xs, t, ad, q, dir);
	}
	/* the control ring, once per vif (xennet_ctrl.c) */
	if (rc == 0 && ad->ctrl.ring_va != NULL)
		rc = xenpv_xs_printf(xs, t, fe, XENPV_NETIF_CTRL_RING_REF, "%u",
				     ad->ctrl.ring_ref);
	if (rc == 0 && ad->ctrl.ring_va != NULL)
		rc = xenpv_xs_printf(xs, t, fe, XENPV_NETIF_EVTCHN_CTRL, "%d",
				     ad->ctrl.evtchn);
	if (rc == 0 && ad->neg.peer.has_max_queues)
		rc = xenpv_xs_printf(xs, t, fe, XENPV_NETIF_NUM_QUEUES, "%u",
				     ad->neg.queues);
	if (rc == 0 && ad->cfg.ring_order > 0)
		rc = xenpv_xs_printf(xs, t, fe, XENPV_NETIF_RING_ORDER, "%u",
				     ad->cfg.ring_order);
	if (rc == 0)
		rc = xenpv_xs_write(xs, t, fe, XENPV_NETIF_REQUEST_RX_COPY, "1");
	/* multicast filtering (xennet_mcast.c), sampled at Connected */
	if (rc == 0 && ad->neg.mc_filter)
		rc = xenpv_xs_write(xs, t, fe, XENPV_NETIF_REQUEST_MCAST_CTRL,
				    "1");
	if (rc == 0)
		rc = xenpv_xs_write(xs, t, fe, XENPV_NETIF_FEATURE_RX_NOTIFY, "1");
	/* the promise of persistent grants (xennet.h, neg.pgnt) */
	if (rc == 0 && ad->neg.pgnt)
		rc = xenpv_xs_write(xs, t, fe, XENPV_NETIF_FEATURE_PGNT, "1");
	if (rc == 0)
		rc = xenpv_xs_printf(xs, t, fe, XENPV_NETIF_FEATURE_SG, "%d",
				     ad->neg.rx_sg);
	if (rc == 0)
		rc = xenpv_xs_printf(xs, t, fe, XENPV_NETIF_FEATURE_GSO_TCPV4, "%d",
				     ad->neg.rx_gso);
	if (rc == 0)
		rc = xenpv_xs_printf(xs, t, fe, XENPV_NETIF_FEATURE_GSO_TCPV6, "%d",
				     ad->neg.rx_gso);
	if (rc == 0)
		rc = xenpv_xs_printf(xs, t, fe, XENPV_NETIF_FEATURE_IPV6_CSUM,
				     "%d", ad->neg.rx_csum);
	if (rc == 0)
		rc = xenpv_xs_printf(xs, t, fe, XENPV_NETIF_FEATURE_NO_CSUM, "%d",
				     !ad->neg.rx_csum);
	return rc;
}

/*
 * State, link
 */

static int
xennet_switch_state(struct xennet_adapter *ad, enum xenbus_state state)
{
	int rc;

	rc = xenpv_bus_switch_state(ad->xs, ad->fe_path, state);
	if (rc < 0) {
		XENNET_LOG(ERR, "%s: cannot write %s/state = %s: %s", ad->name,
			   ad->fe_path, xenpv_bus_state_name(state),
			   strerror(-rc));
		return rc;
	}
	XENNET_LOG(DEBUG, "%s: frontend %s -> %s", ad->name,
		   xenpv_bus_state_name(ad->fe_state),
		   xenpv_bus_state_name(state));
	ad->fe_state = state;
	return 0;
}

static void
xennet_set_link(struct xennet_adapter *ad, bool up, bool *lsc)
{
	struct rte_eth_link link;

	if (__atomic_exchange_n(&ad->link_up, up, __ATOMIC_ACQ_REL) == up)
		return;
	/* what ethdev reports: the application may hold the link down */
	link = xennet_link(up && !__atomic_load_n(&ad->admin_down,
						  __ATOMIC_RELAXED));
	rte_eth_linkstatus_set(ad->dev, &link);
	XENNET_LOG(INFO, "%s: link %s", ad->name, up ? "up" : "down");
	*lsc = true;
}

static void
xennet_lsc_notify(struct xennet_adapter *ad)
{
	if (ad->dev->data->dev_conf.intr_conf.lsc)
		rte_eth_dev_callback_process(ad->dev, RTE_ETH_EVENT_INTR_LSC,
					     NULL);
}

/*
 * Link down, and no burst may touch the rings from here on: wait until
 * none is inside one (the rings stay mapped until xennet_teardown).
 */
static void
xennet_quiesce(struct xennet_adapter *ad, bool *lsc)
{
	struct rte_eth_dev *dev = ad->dev;
	uint16_t q;

	xennet_set_link(ad, false, lsc);
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		struct xennet_txq *txq = dev->data->tx_queues[q];

		if (txq != NULL)
			xenpv_dp_close(&txq->guard);
	}
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct xennet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq != NULL)
			xenpv_dp_close(&rxq->guard);
	}
}

/*
 * Map the ethdev queues onto the connection's nr_queues netif queues
 * (xennet.h) and let bursts in: RX queue i < n drains ring i, TX queue i
 * fills ring i mod n, under the ring's lock if another TX queue fills it.
 */
static void
xennet_open_queues(struct xennet_adapter *ad)
{
	struct rte_eth_dev_data *data = ad->dev->data;
	uint16_t n = ad->neg.queues, ntx = data->nb_tx_queues, q;

	for (q = 0; q < ntx; q++) {
		struct xennet_txq *txq = data->tx_queues[q];
		struct xennet_txq *ring = data->tx_queues[q % n];

		txq->map.ring = ring;
		txq->map.lock = xenpv_tx_ring_shared(q, n, ntx) ?
			&ring->lock : NULL;
		xenpv_dp_open(&txq->guard);
	}
	for (q = 0; q < n; q++) {
		struct xennet_rxq *rxq = data->rx_queues[q];

		xenpv_dp_open(&rxq->guard);
	}
}

/*
 * Give back the ring and data pages (and zero-copy pools) that queues kept
 * across a backend restart (xennet_queue_release with keep): at dev_stop, when the port
 * fails, and when a connection cannot be made. Every queue of the port,
 * not only the last connection's: a connection with fewer netif queues
 * leaves the others' pages kept and unused.
 */
static void
xennet_unshare_kept(struct xennet_adapter *ad)
{
	struct rte_eth_dev_data *data = ad->dev->data;
	uint16_t q;

	for (q = 0; q < data->nb_tx_queues; q++) {
		struct xennet_txq *txq = data->tx_queues[q];

		if (txq != NULL)
			xennet_unshare_queue(ad, &txq->ring_mem, &txq->pages);
	}
	for (q = 0; q < data->nb_rx_queues; q++) {
		struct xennet_rxq *rxq = data->rx_queues[q];

		if (rxq == NULL)
			continue;
		xennet_zc_pool_put(rxq->zc);
		rxq->zc = NULL;
		xennet_unshare_queue(ad, &rxq->ring_mem, &rxq->pages);
	}
}

/*
 * Quiesce the bursts, then reclaim every event channel and grant of the
 * connection; with @keep_pages (the backend restarted, we connect again
 * when it is back) the ring and data pages stay shared for the next
 * connection (xennet_share_queue).
 */
static void
xennet_teardown(struct xennet_adapter *ad, bool *lsc, bool keep_pages)
{
	uint16_t q;

	xennet_quiesce(ad, lsc);
	for (q = 0; q < ad->neg.queues; q++)
		xennet_queue_release(ad, q, keep_pages);
	xennet_ctrl_release(ad);
	ad->connected = false;
	ad->cnt.disconnects++;
}

/* The smallest mbuf data room of the port's RX queues. */
static uint32_t
xennet_rx_room_min(struct rte_eth_dev *dev)
{
	uint32_t room, min = UINT32_MAX;
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct xennet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq == NULL)
			continue;
		room = rte_pktmbuf_data_room_size(rxq->mp) -
			RTE_PKTMBUF_HEADROOM;
		min = RTE_MIN(min, room);
	}
	return min == UINT32_MAX ? 0 : min;
}

static int
xennet_connect(struct xennet_adapter *ad)
{
	struct rte_eth_dev *dev = ad->dev;
	uint64_t rxo = dev->data->dev_conf.rxmode.offloads;
	struct xennet_be_features f;
	uint16_t nq;
	uint16_t q;
	int rc;

	rc = xennet_read_backend_features(ad, &f);
	if (rc < 0)
		return rc;
	/* as many netif queues as every side can serve (xennet.h) */
	nq = RTE_MIN(dev->data->nb_rx_queues, dev->data->nb_tx_queues);
	nq = RTE_MIN(nq, ad->cfg.max_queues);
	nq = RTE_MIN(nq, f.max_queues);
	if (nq < dev->data->nb_rx_queues || nq < dev->data->nb_tx_queues)
		XENNET_LOG(INFO, "%s: %u rx / %u tx queues over %u netif queue(s) (backend %s offers %u): tx queue i sends on netif queue i mod %u, rx queues from %u on stay empty",
			   ad->name, dev->data->nb_rx_queues,
			   dev->data->nb_tx_queues, nq, ad->be_path,
			   f.max_queues, nq, nq);
	ad->be_no_sg = !f.sg;
	if (dev->data->mtu > xennet_mtu_max(ad))
		XENNET_LOG(WARNING, "%s: MTU %u but backend %s offers no feature-sg: frames above %u bytes are dropped",
			   ad->name, dev->data->mtu, ad->be_path,
			   XENPV_PAGE_SIZE);
	if (ad->cfg.ring_order > 0 &&
	    (!f.has_max_order || ad->cfg.ring_order > f.max_order)) {
		XENNET_LOG(ERR, "%s: ring_page_order=%u but backend %s offers %s%u",
			   ad->name, ad->cfg.ring_order, ad->be_path,
			   f.has_max_order ? "" : "single-page rings, order ",
			   f.max_order);
		return -EINVAL;
	}
	ad->neg.peer = f;
	ad->neg.queues = nq;
	/*
	 * The application turned allmulticast off: ask the backend to
	 * filter (xennet_mcast.c); its list starts empty, ours is sent once
	 * it is Connected.
	 */
	ad->neg.mc_filter = f.mcast_ctrl && !dev->data->all_multicast;
	/* persistent grants: our pages already are (xennet.h, neg.pgnt) */
	RTE_BUILD_BUG_ON(XENNET_MAX_PAGES >
			 XENPV_NETIF_PGNT_MAX(XENNET_MAX_RING_SLOTS));
	ad->neg.pgnt = ad->cfg.pgnt && f.pgnt;
	ad->mc.nb_be = 0;
	/* what we accept on RX is what the application enabled */
	ad->neg.rx_csum = ad->cfg.pv.csum && (rxo & (RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
					  RTE_ETH_RX_OFFLOAD_UDP_CKSUM));
	ad->neg.rx_gso = ad->cfg.pv.gso && ad->cfg.pv.sg && (rxo & RTE_ETH_RX_OFFLOAD_TCP_LRO) &&
		(rxo & RTE_ETH_RX_OFFLOAD_SCATTER);
	/*
	 * Our feature-sg is about what we receive: a multi-slot frame that
	 * neither fits one mbuf nor may be chained could only be dropped,
	 * after the backend copied it (and Linux netback lets the vif's MTU
	 * grow with feature-sg).
	 */
	ad->neg.rx_sg = ad->cfg.pv.sg && ((rxo & RTE_ETH_RX_OFFLOAD_SCATTER) ||
			       xennet_rx_room_min(dev) > XENPV_PAGE_SIZE);

	/* a backend that just restarted must not act on our old keys */
	if (ad->fe_state != XenbusStateInitialising) {
		rc = xennet_switch_state(ad, XenbusStateInitialising);
		if (rc < 0)
			return rc;
	}
	for (q = 0; q < nq; q++) {
		rc = xennet_queue_connect(ad, q);
		if (rc < 0)
			goto release;
	}
	/* without it the vif works, with no RSS (xennet_ctrl.c logs why) */
	if (f.ctrl_ring && xennet_ctrl_setup(ad) == 0)
		xennet_ctrl_prequeue(ad);
	rc = xenpv_xs_transaction(ad->xs, xennet_write_keys, ad);
	if (rc < 0) {
		XENNET_LOG(ERR, "%s: cannot write the handshake keys under %s: %s",
			   ad->name, ad->fe_path, strerror(-rc));
		goto release;
	}
	xennet_open_queues(ad);
	ad->connected = true;
	ad->be_caught_up = false;
	ad->cnt.connects++;
	rc = xennet_switch_state(ad, XenbusStateConnected);
	if (rc < 0) {
		bool lsc = false;

		xennet_teardown(ad, &lsc, false);
		xennet_unshare_kept(ad);
		return rc;
	}
	XENNET_LOG(INFO, "%s: connected to %s (domain %u): %u queue(s), ring order %u, %s event channel(s), sg %d, tx csum %d/%d, tx gso %d/%d, rx csum %d, rx gso %d, persistent grants %d",
		   ad->name, ad->be_path, ad->be_domid, nq, ad->cfg.ring_order,
		   ad->cfg.pv.split && f.split ? "split" : "shared",
		   ad->cfg.pv.sg && f.sg, ad->cfg.pv.csum, ad->cfg.pv.csum && f.ipv6_csum,
		   ad->cfg.pv.gso && ad->cfg.pv.sg && f.sg && f.gso_v4,
		   ad->cfg.pv.gso && ad->cfg.pv.sg && f.sg && f.gso_v6,
		   ad->neg.rx_csum, ad->neg.rx_gso, ad->neg.pgnt);
	return 0;

release:
	xennet_ctrl_release(ad);
	while (q-- > 0)
		xennet_queue_release(ad, q, false);
	xennet_unshare_kept(ad);
	return rc;
}

/* Log a queue's violation if it has one; returns its code. */
static uint32_t
xennet_log_violation(struct xennet_adapter *ad, const char *dir, uint16_t q,
		     const struct xenpv_viol *viol)
{
	uint32_t v = xenpv_viol_take(viol);
	char peer[XENPV_PATH_MAX + 16];

	if (v != XENPV_VIOL_NONE) {
		snprintf(peer, sizeof(peer), "backend %s", ad->be_path);
		xenpv_viol_log(xennet_logtype, ad->name, peer, dir, q, viol);
	}
	return v;
}

/* Log the first protocol violation a burst recorded; 0 if none. */
static uint32_t
xennet_check_violations(struct xennet_adapter *ad)
{
	struct rte_eth_dev *dev = ad->dev;
	uint32_t v;
	uint16_t q;

	for (q = 0; q < ad->neg.queues; q++) {
		struct xennet_txq *txq = dev->data->tx_queues[q];
		struct xennet_rxq *rxq = dev->data->rx_queues[q];

		v = xennet_log_violation(ad, "tx", q, &txq->viol);
		if (v == XENPV_VIOL_NONE)
			v = xennet_log_violation(ad, "rx", q, &rxq->viol);
		if (v != XENPV_VIOL_NONE)
			return v;
	}
	return XENPV_VIOL_NONE;
}

/* Mark the port failed and close the vif (under lock). */
static void
xennet_fail(struct xennet_adapter *ad, uint32_t why, bool *lsc)
{
	ad->failed = why;
	if (ad->connected)
		xennet_teardown(ad, lsc, false);
	/* pages kept from before a restart go too: we stay down */
	xennet_unshare_kept(ad);
	if (ad->fe_state != XenbusStateClosing &&
	    ad->fe_state != XenbusStateClosed)
		xennet_switch_state(ad, XenbusStateClosing);
}

/*
 * Act on a violation the bursts recorded, if any (under lock): count it,
 * log it once, fail the port. The port stays down until the application
 * restarts it.
 */
static void
xennet_act_on_violations(struct xennet_adapter *ad, bool *lsc)
{
	uint32_t v;

	if (ad->failed)
		return;
	v = xennet_check_violations(ad);
	if (v != XENPV_VIOL_NONE) {
		ad->cnt.violations++;
		xennet_fail(ad, v, lsc);
	}
}

/*
 * The reconnect budget (xenpv_budget, hostile review D1): each connection
 * is a start-over of the backend's; one that restarts more often than
 * max_reconnects a minute waits, 250 ms and up to a minute, so that it
 * cannot make us share and revoke hundreds of pages per queue in a loop.
 * Logged once per episode; counted (vif_management_reconnects_delayed).
 */
static bool
xennet_reconnect_allowed(struct xennet_adapter *ad)
{
	uint64_t now = rte_get_timer_cycles() * 1000 / rte_get_timer_hz();
	char peer[XENPV_PATH_MAX + 16];

	snprintf(peer, sizeof(peer), "backend %s", ad->be_path);
	return xenpv_budget_allow(&ad->reconnect, now, xennet_logtype,
				  ad->name, peer, "the next connection",
				  &ad->cnt.reconnects_delayed);
}

/*
 * Kicks owed past their gap (xenpv_kick) on a connected port: the bursts
 * send them as they run; this catches a queue the application stopped
 * polling, within XENNET_CTL_PERIOD_MS (under lock).
 */
static void
xennet_flush_kicks(struct xennet_adapter *ad)
{
	struct rte_eth_dev *dev = ad->dev;
	uint16_t q;

	for (q = 0; q < ad->neg.queues; q++) {
		struct xennet_txq *txq = dev->data->tx_queues[q];
		struct xennet_rxq *rxq = dev->data->rx_queues[q];

		xenpv_kick_flush(&txq->kick, false, &txq->stats.kicks);
		xenpv_kick_flush(&rxq->kick, false, &rxq->stats.kicks);
	}
}

/* One step of the state machine (under lock); see the table on top. */
static void
xennet_sm_step(struct xennet_adapter *ad, bool *lsc, int *error)
{
	int bs;
	int rc;

	if (!ad->started)
		return;
	bs = xenpv_bus_read_state(ad->xs, ad->be_path);

	if (ad->connected) {
		switch (bs) {
		case XenbusStateConnected:
			/* its control ring is served now: our RSS settings */
			if (!ad->be_caught_up) {
				ad->be_caught_up = true;
				xennet_ctrl_apply(ad);
				xennet_mcast_apply(ad);
			}
			xennet_set_link(ad, true, lsc);
			return;
		case XenbusStateInitialising:
		case XenbusStateInitWait:
		case XenbusStateInitialised:
			/*
			 * Before the backend first reaches Connected it is
			 * still mapping our rings; after, going back means
			 * it restarted.
			 */
			if (!ad->be_caught_up)
				return;
			break;
		default:
			break;
		}
		XENNET_LOG(NOTICE, "%s: backend %s went %s: disconnecting",
			   ad->name, ad->be_path, xenpv_bus_state_name(bs));
		/* it comes back: the next connection uses the pages again */
		xennet_teardown(ad, lsc, true);
		/*
		 * A violation a burst recorded before the backend left
		 * must not be lost to the reconnect (which clears it), or
		 * a backend could dodge the control thread by restarting
		 * between two of its rounds and probe us again and again.
		 * The guards are
		 * closed now: nothing more gets recorded.
		 */
		xennet_act_on_violations(ad, lsc);
	}

	if (ad->failed) {
		/* stay closed; only follow the backend down */
		if ((bs == XenbusStateClosing || bs == XenbusStateClosed) &&
		    ad->fe_state != XenbusStateClosed)
			xennet_switch_state(ad, XenbusStateClosed);
		return;
	}

	switch (bs) {
	case XenbusStateInitWait:
		if (!xennet_reconnect_allowed(ad))
			break;	/* the control thread comes back at reconnect.at */
		rc = xennet_connect(ad);
		if (rc < 0) {
			XENNET_LOG(ERR, "%s: cannot connect to backend %s: %s; port stays down until restarted",
				   ad->name, ad->be_path, strerror(-rc));
			if (error != NULL)
				*error = rc;
			xennet_fail(ad, UINT32_MAX, lsc);
		}
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
	case XenbusStateReconfiguring:
	case XenbusStateReconfigured:
		/* the backend still serves an earlier connection of ours */
		if (ad->fe_state != XenbusStateClosing)
			xennet_switch_state(ad, XenbusStateClosing);
		break;
	case XenbusStateClosing:
		if (ad->fe_state != XenbusStateClosed)
			xennet_switch_state(ad, XenbusStateClosed);
		break;
	case XenbusStateClosed:
	case XenbusStateInitialising:
		/* Initialising asks a closed backend for InitWait again */
		if (ad->fe_state != XenbusStateInitialising)
			xennet_switch_state(ad, XenbusStateInitialising);
		break;
	default:
		/* no backend directory (yet, or any more): wait */
		break;
	}
}

/*
 * A watch event (on the control thread, struct xenpv_ctl): only noted; the
 * round that follows the batch reads the backend's state once.
 */
void
xennet_ctl_event(void *arg, const char *path, const char *token)
{
	struct xennet_adapter *ad = arg;

	RTE_SET_USED(path);
	RTE_SET_USED(token);
	ad->be_event = true;	/* the control thread's own field */
}

/*
 * One round of the control thread: after a batch of watch events, a kick
 * (dev_start) or the timeout it returned last. Acts on the backend's state
 * if it changed, on violations the bursts recorded and on owed kicks, so
 * that log lines and xenbus writes happen here and never in a burst.
 * Returns how long the thread may sleep (ms; -1: until an event).
 */
int
xennet_ctl_run(void *arg)
{
	struct xennet_adapter *ad = arg;
	uint64_t now = rte_get_timer_cycles() * 1000 / rte_get_timer_hz();
	bool lsc = false, event = ad->be_event;
	int timeout = -1;

	ad->be_event = false;
	pthread_mutex_lock(&ad->lock);
	if (ad->started) {
		/* a held connection may be due too */
		if (event || (!ad->connected && ad->reconnect.at != 0 &&
			      now >= ad->reconnect.at))
			xennet_sm_step(ad, &lsc, NULL);
		if (ad->connected) {
			xennet_act_on_violations(ad, &lsc);
			xennet_flush_kicks(ad);
		}
		if (ad->connected)
			timeout = XENNET_CTL_PERIOD_MS;
		else if (ad->reconnect.at != 0)
			timeout = ad->reconnect.at > now ?
				(int)RTE_MIN(ad->reconnect.at - now,
					     (uint64_t)XENNET_CTL_PERIOD_MS) : 0;
	}
	pthread_mutex_unlock(&ad->lock);
	if (lsc)
		xennet_lsc_notify(ad);
	return timeout;
}

/* Poll the backend's state until it is in @states (a bit mask). */
static int
xennet_wait_backend(struct xennet_adapter *ad, unsigned int states,
		    unsigned int timeout_ms)
{
	uint64_t deadline = rte_get_timer_cycles() +
		rte_get_timer_hz() * timeout_ms / 1000;
	int bs;

	for (;;) {
		bs = xenpv_bus_read_state(ad->xs, ad->be_path);
		if (bs >= 0 && (states & (1u << bs)))
			return bs;
		if (rte_get_timer_cycles() > deadline)
			return -ETIMEDOUT;
		rte_delay_us_sleep(XENNET_POLL_US);
	}
}

int
xennet_xenbus_start(struct xennet_adapter *ad)
{
	bool lsc = false;
	int error = 0;

	pthread_mutex_lock(&ad->lock);
	ad->started = true;
	ad->failed = 0;
	xennet_sm_step(ad, &lsc, &error);
	if (error < 0) {
		ad->started = false;
		pthread_mutex_unlock(&ad->lock);
		return error;
	}
	pthread_mutex_unlock(&ad->lock);
	/* its rounds (and timer) from now on */
	xenpv_ctl_kick(&ad->ctl);
	if (lsc)
		xennet_lsc_notify(ad);
	return 0;
}

void
xennet_xenbus_stop(struct xennet_adapter *ad)
{
	const unsigned int closing = 1u << XenbusStateClosing |
		1u << XenbusStateClosed | 1u << XenbusStateUnknown |
		1u << XenbusStateInitialising | 1u << XenbusStateInitWait;
	const unsigned int closed = 1u << XenbusStateClosed |
		1u << XenbusStateUnknown | 1u << XenbusStateInitialising |
		1u << XenbusStateInitWait;
	bool lsc = false;

	/* the control thread's rounds do nothing once this is false */
	pthread_mutex_lock(&ad->lock);
	ad->started = false;
	if (ad->connected) {
		xennet_quiesce(ad, &lsc);
		/*
		 * Closing, and let the backend unmap our pages, then Closed.
		 * A backend that does not follow in time does no harm: the
		 * pages it still maps stay valid for it until it unmaps them.
		 */
		if (xennet_switch_state(ad, XenbusStateClosing) == 0 &&
		    xennet_wait_backend(ad, closing, XENNET_CLOSE_WAIT_MS) < 0)
			XENNET_LOG(WARNING, "%s: backend %s did not close in %u ms",
				   ad->name, ad->be_path,
				   XENNET_CLOSE_WAIT_MS);
		if (xennet_switch_state(ad, XenbusStateClosed) == 0 &&
		    xennet_wait_backend(ad, closed, XENNET_CLOSE_WAIT_MS) < 0)
			XENNET_LOG(WARNING, "%s: backend %s did not reach Closed in %u ms",
				   ad->name, ad->be_path,
				   XENNET_CLOSE_WAIT_MS);
		xennet_teardown(ad, &lsc, false);
	} else if (ad->fe_state != XenbusStateClosed &&
		   ad->fe_state != XenbusStateUnknown) {
		xennet_switch_state(ad, XenbusStateClosed);
	}
	/* and what an earlier connection kept (a backend restart) */
	xennet_unshare_kept(ad);
	pthread_mutex_unlock(&ad->lock);
	if (lsc)
		xennet_lsc_notify(ad);
}

/*
 * eth_dev_priv_dump (rte_eth_dev_priv_dump, telemetry's /ethdev/dump_priv):
 * the vif as the control path sees it, and each ring's indices.
 */
int
xennet_xenbus_dump(struct xennet_adapter *ad, FILE *f)
{
	struct rte_eth_dev_data *data = ad->dev->data;
	uint16_t q;

	pthread_mutex_lock(&ad->lock);
	fprintf(f, "vif %u: %s, backend %s (domain %u)\n", ad->devid,
		ad->fe_path, ad->be_path, ad->be_domid);
	fprintf(f, "connection: %s, frontend state %s, backend state %s, %s%s%s\n",
		ad->connected ? "connected" : "not connected",
		xenpv_bus_state_name(ad->fe_state),
		xenpv_bus_state_name(xenpv_bus_read_state(ad->xs,
							  ad->be_path)),
		ad->started ? "started" : "stopped",
		ad->failed ? ", failed: " : "",
		ad->failed ? xenpv_violation_name(ad->failed) : "");
	fprintf(f, "configured: up to %u queues, ring order %u, sg %d, csum %d, gso %d, split %d\n",
		ad->cfg.max_queues, ad->cfg.ring_order, ad->cfg.pv.sg,
		ad->cfg.pv.csum, ad->cfg.pv.gso, ad->cfg.pv.split);
	fprintf(f, "link: %s by the application; Rx interrupts: %s\n",
		__atomic_load_n(&ad->admin_down, __ATOMIC_RELAXED) ?
			"set down" : "not held down",
		ad->dev->data->dev_conf.intr_conf.rxq ? "on" : "off");
	fprintf(f, "connections %" PRIu64 ", disconnections %" PRIu64
		", violations %" PRIu64 "\n", ad->cnt.connects,
		ad->cnt.disconnects, ad->cnt.violations);
	if (ad->connected) {
		const struct xennet_be_features *p = &ad->neg.peer;

		fprintf(f, "negotiated: %u queues; backend offers sg %d, gso v4/v6 %d/%d, ipv6 csum %d, split %d, %u queues; we accept csum %d, gso %d, sg %d\n",
			ad->neg.queues, p->sg, p->gso_v4, p->gso_v6,
			p->ipv6_csum, p->split, p->max_queues,
			ad->neg.rx_csum, ad->neg.rx_gso, ad->neg.rx_sg);
		for (q = 0; q < ad->neg.queues; q++) {
			const struct xennet_txq *txq = data->tx_queues[q];
			const struct xennet_rxq *rxq = data->rx_queues[q];

			fprintf(f, "queue %u: tx req_prod %u rsp_cons %u free ids %u, rx req_prod %u rsp_cons %u\n",
				q, txq->ring.req_prod_pvt, txq->ring.rsp_cons,
				txq->nr_free, rxq->ring.req_prod_pvt,
				rxq->ring.rsp_cons);
			/* the bursts' and free callbacks' view, unlocked */
			if (rxq->zc != NULL)
				fprintf(f, "queue %u: rx zero-copy pool of %u pages, %u referenced (queue and held pages)\n",
					q, rxq->zc->nr,
					__atomic_load_n(&rxq->zc->refs,
							__ATOMIC_RELAXED));
		}
		xennet_ctrl_dump(ad, f);
		xennet_mcast_dump(ad, f);
	}
	pthread_mutex_unlock(&ad->lock);
	return 0;
}
