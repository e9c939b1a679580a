/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xenback control path: the xenbus side of a netback.
 *
 * Everything here runs with the port's lock held, either on the port's
 * control thread (xenstore watch events, violations, timers: struct
 * xenpv_ctl, nothing on the EAL interrupt thread) or on the application
 * thread that calls an ethdev op. The state machine follows Linux netback:
 *
 *  - the toolstack creates /local/domain/<self>/backend/vif/<fe>/<devid>;
 *    we write our features and go InitWait (2);
 *  - frontend Initialised (3) or Connected (4): read its keys, map each
 *    ring's pages once, bind the event channels, go Connected (4), link up;
 *  - frontend Closing (5) / Closed (6) / gone: quiesce the queues, unmap,
 *    unbind, link down, follow it to Closing / Closed;
 *  - frontend Initialising (1) after that: back to InitWait for the next
 *    connection;
 *  - the toolstack writing Closing into our directory: close and go Closed;
 *    the directory disappearing: forget the vif and wait for a new one.
 *
 * A frontend that is already Connected when the port starts (the backend
 * process was restarted while the guest lived) gets InitWait then Connected:
 * its rings are reattached where the shared indices say the previous
 * backend stopped. For the same reason closing the port hands the vif back
 * in InitWait with the frontend's rings untouched.
 *
 * The vif's connection is one state (enum xenback_conn, xd->conn), changed
 * only by xenback_set_conn(). What we write to our xenbus "state" key is in
 * brackets:
 *
 *                 toolstack writes the backend directory
 *   ABSENT ------------------------------------------------> HELD
 *     ^                                                        |
 *     | directory gone,                      dev_configure:    |
 *     | port closed (from any state)         features written  |
 *     |                                                        v
 *     |      frontend Initialising (features rewritten)   INITWAIT [2]
 *     |   +----------------------------------------------> |   ^  |
 *     |   |                                                |   |  |
 *     |   |                    frontend Initialised or     |   |  | bad keys:
 *     |   |                    Connected: map, bind        v   |  | refused
 *     |   |                                       CONNECTED [4]|  |
 *     |   |          frontend Closing/Closed, toolstack  |  |  |  |
 *     |   |          Closing: unmap, unbind              |  |  |  |
 *     |   +---------------- CLOSING [5]/[6] <------------+  |  |  |
 *     |                        ^   ^------------------------|--|--+
 *     |   +---------------- BROKEN [5] <--------------------+  |
 *     |   | frontend        a burst recorded a violation:      |
 *     |   | Initialising    logged once, unmap, unbind         |
 *     |   +----------------------------------------------------+
 *
 * A new frontend key set while CONNECTED (it re-keyed) is a disconnect and
 * a new connection. BROKEN differs from CLOSING only in being logged once
 * and counted: both wait for the frontend to start over (Initialising).
 *
 * A hostile frontend owns its state node and can write it (or nodes below
 * it) in a loop; every write fires our watch. So events are coalesced: the
 * control thread drains every queued event, keeps one bit per kind
 * (XB_WHY_*), and reconciles once per batch; a write below the state node
 * is ignored, and a rewrite of the state it already had costs one read (a
 * look at its keys, in case it restarted between two reads, at most every
 * XENBACK_REKEY_MS). Starting over is budgeted (devarg max_reconnects):
 * beyond the budget InitWait is held back with an exponential back-off.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_string_fns.h>

#include <ethdev_driver.h>

#include "xenback.h"

/* How often the control thread looks for violations the bursts flagged. */
#define XENBACK_VIOL_CHECK_MS	100
/* The least time between two reads of a connected frontend's keys. */
#define XENBACK_REKEY_MS	200

/* Why the control thread reconciles (xd->pending). */
#define XB_WHY_BE	0x1u	/* an event on our backend directory */
#define XB_WHY_FE	0x2u	/* the frontend wrote its state node */
#define XB_WHY_TIMER	0x4u	/* a held-back InitWait is due */
#define XB_WHY_REKEY	0x8u	/* look whether the frontend re-keyed */
#define XB_WHY_ALL	0x10u	/* configure, start: everything */
#define XB_WHY_MCAST	0x20u	/* the frontend wrote request-multicast-control */

/* fe_seen before any frontend state was read */
#define XB_FE_NONE	(-100)

#define XB_TOKEN_BE "be"
#define XB_TOKEN_FE "fe"
#define XB_TOKEN_DIR "dir"	/* backend/vif, while a by-name port waits */
#define XB_TOKEN_MC "mc"	/* XENPV_NETIF_REQUEST_MCAST_CTRL, the frontend's */

/* Everything a connection is made of, read before anything is mapped. */
struct xenback_conn_keys {
	unsigned int nb_queues;
	unsigned int order;
	struct xenback_fe_features fe;
	struct xenback_qkeys q[XENPV_NETIF_MAX_QUEUES];
	bool ctrl;			/* a control ring was given */
	uint32_t ctrl_ref, ctrl_evtchn;
};

/*
 * Why a connection cannot be made: an error, except while we try to take
 * over the rings of a frontend that was connected before we started (it
 * may be tearing them down to reconnect).
 */
#define XENBACK_CONN_LOG(xd, fmt, ...) \
	rte_log((xd)->reattach ? RTE_LOG_NOTICE : RTE_LOG_ERR, \
		xenback_logtype, "%s(): " fmt "\n", __func__, ##__VA_ARGS__)

static void
xenback_switch(struct xenback_dev *xd, enum xenbus_state state)
{
	int rc;

	if (xd->be_state == (int)state)
		return;
	rc = xenpv_bus_switch_state(xd->xs, xd->be_path, state);
	if (rc < 0) {
		XENBACK_LOG(ERR, "%s: cannot write %s/state: %s", xd->name,
			    xd->be_path, strerror(-rc));
		return;
	}
	XENBACK_LOG(INFO, "%s: backend %s -> %s", xd->name,
		    xenpv_bus_state_name(xd->be_state),
		    xenpv_bus_state_name(state));
	xd->be_state = state;
}

static const char * const xenback_conn_names[XENBACK_CONN_MAX] = {
	[XENBACK_CONN_ABSENT] = "absent",
	[XENBACK_CONN_HELD] = "held",
	[XENBACK_CONN_INITWAIT] = "initwait",
	[XENBACK_CONN_CONNECTED] = "connected",
	[XENBACK_CONN_CLOSING] = "closing",
	[XENBACK_CONN_BROKEN] = "broken",
};

#define XB_TO(s) (1u << XENBACK_CONN_ ## s)

/* The transitions of the diagram above: from each state, where to. */
static const uint32_t xenback_conn_next[XENBACK_CONN_MAX] = {
	[XENBACK_CONN_ABSENT] = XB_TO(ABSENT) | XB_TO(HELD),
	[XENBACK_CONN_HELD] = XB_TO(ABSENT) | XB_TO(HELD) | XB_TO(INITWAIT) |
		XB_TO(CLOSING),
	[XENBACK_CONN_INITWAIT] = XB_TO(ABSENT) | XB_TO(INITWAIT) |
		XB_TO(CONNECTED) | XB_TO(CLOSING),
	[XENBACK_CONN_CONNECTED] = XB_TO(CLOSING),
	[XENBACK_CONN_CLOSING] = XB_TO(ABSENT) | XB_TO(INITWAIT) |
		XB_TO(CONNECTED) | XB_TO(CLOSING) | XB_TO(BROKEN),
	[XENBACK_CONN_BROKEN] = XB_TO(ABSENT) | XB_TO(INITWAIT) |
		XB_TO(BROKEN),
};

/*
 * The one writer of xd->conn. BROKEN is sticky: closing a broken
 * connection further leaves it broken until the frontend starts over.
 */
static void
xenback_set_conn(struct xenback_dev *xd, enum xenback_conn next)
{
	enum xenback_conn cur = xd->conn;

	if (cur == XENBACK_CONN_BROKEN && next == XENBACK_CONN_CLOSING)
		return;
	if (!(xenback_conn_next[cur] & (1u << next)))
		XENBACK_LOG(ERR, "%s: unexpected vif transition %s -> %s",
			    xd->name, xenback_conn_names[cur],
			    xenback_conn_names[next]);
	else if (cur != next)
		XENBACK_LOG(DEBUG, "%s: vif %s -> %s", xd->name,
			    xenback_conn_names[cur], xenback_conn_names[next]);
	xd->conn = next;
}

/*
 * Link is up while a frontend is connected and the port is started, unless
 * the carrier is down (the toolstack's carrier key or the application's
 * dev_set_link_down, xenback_ops.c).
 */
void
xenback_update_link(struct xenback_dev *xd)
{
	struct rte_eth_link link = {
		.link_speed = RTE_ETH_SPEED_NUM_10G,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
		.link_status = (xd->conn == XENBACK_CONN_CONNECTED &&
				xd->started && !xd->carrier_down) ?
			RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN,
	};

	if (rte_eth_linkstatus_set(xd->eth_dev, &link) == 0)
		xd->lsc_pending = true;
}

/*
 * Copy the port configuration into the rings (guards closed). A guest TX
 * ring j beyond the port's RX queues (the guest negotiated more netif
 * queues than the port has now) borrows the mempool of the ethdev RX queue
 * that serves it, j mod the number of RX queues.
 */
static void
xenback_apply_config(struct xenback_dev *xd)
{
	struct rte_eth_dev_data *data = xd->eth_dev->data;
	uint64_t rxo = data->dev_conf.rxmode.offloads;
	unsigned int i;

	for (i = 0; i < XENPV_NETIF_MAX_QUEUES; i++) {
		struct xenback_rxq *rxq = &xd->rxq[i];
		struct xenback_txq *txq = &xd->txq[i];

		if (i >= data->nb_rx_queues && i < xd->neg.queues &&
		    data->nb_rx_queues > 0) {
			const struct xenback_rxq *owner =
				&xd->rxq[i % data->nb_rx_queues];

			rxq->mp = owner->mp;
			rxq->buf_size = owner->buf_size;
			rxq->borrowed = true;
		}

		rxq->scatter = (rxo & RTE_ETH_RX_OFFLOAD_SCATTER) != 0;
		rxq->lro = xd->cfg.pv.gso && (rxo & RTE_ETH_RX_OFFLOAD_TCP_LRO);
		rxq->csum_offload = xd->cfg.pv.csum &&
			(rxo & RTE_ETH_RX_OFFLOAD_TCP_CKSUM) &&
			(rxo & RTE_ETH_RX_OFFLOAD_UDP_CKSUM);
		rxq->sg = xd->cfg.pv.sg;
		__atomic_store_n(&rxq->max_frame, xenback_port_mtu(xd) != 0 ?
				 (uint32_t)xenback_port_mtu(xd) +
				 XENBACK_MTU_OVERHEAD : UINT32_MAX,
				 __ATOMIC_RELAXED);
		txq->csum = xd->cfg.pv.csum;
		txq->sg = xd->cfg.pv.sg;
		txq->fe = xd->neg.fe;
		if (!xd->cfg.pv.gso) {
			txq->fe.gso_tcpv4 = false;
			txq->fe.gso_tcpv6 = false;
		}
	}
}

/*
 * Map the ethdev queues onto the connection's n netif queues (xenback.h)
 * and let bursts in. Ethdev TX queue i sends on ring i mod n, locked when
 * another TX queue sends there too; ethdev RX queue i serves rings i,
 * i + r, i + 2r, ... (r RX queues).
 */
static void
xenback_open_queues(struct xenback_dev *xd)
{
	struct rte_eth_dev_data *data = xd->eth_dev->data;
	unsigned int i, j, n = xd->neg.queues;
	unsigned int nrx = data->nb_rx_queues, ntx = data->nb_tx_queues;

	if (xd->conn != XENBACK_CONN_CONNECTED || !xd->started || n == 0)
		return;
	xenback_apply_config(xd);
	for (i = 0; i < nrx && i < XENPV_NETIF_MAX_QUEUES; i++) {
		struct xenback_rxq *q = &xd->rxq[i];

		q->nb_serve = 0;
		q->next = 0;
		for (j = i; j < n; j += nrx)
			q->serve[q->nb_serve++] = &xd->rxq[j];
		if (q->nb_serve > 0 && q->mp != NULL)
			xenpv_dp_open(&q->guard);
	}
	for (i = 0; i < ntx && i < XENPV_NETIF_MAX_QUEUES; i++) {
		struct xenback_txq *q = &xd->txq[i];

		q->map.ring = &xd->txq[i % n];
		q->map.lock = xenpv_tx_ring_shared(i, n, ntx) ?
			&xd->txq[i % n].lock : NULL;
	}
	/* the guest's multicast subscriptions: kept by its TX rings, used
	 * by its RX rings if it asked for filtering */
	for (i = 0; i < n; i++) {
		xd->rxq[i].mcast = &xd->mcast;
		xd->txq[i].mcast_filter = xd->neg.fe.mcast_filter ?
			&xd->mcast : NULL;
	}
	/* the guest's hash, if it steers (xenback_ctrl.c) */
	xenback_ctrl_steer(xd);
	for (i = 0; i < ntx && i < XENPV_NETIF_MAX_QUEUES; i++)
		xenpv_dp_open(&xd->txq[i].guard);
	if (n > nrx)
		XENBACK_LOG(NOTICE,
			    "%s: the frontend uses %u queues, the port has %u rx queues: rx queue i also serves netif queues i + %u, i + %u, ...",
			    xd->name, n, nrx, nrx, 2 * nrx);
}

/* Stop bursts on every queue and wait for those inside to leave. */
static void
xenback_close_queues(struct xenback_dev *xd)
{
	unsigned int i;

	for (i = 0; i < XENPV_NETIF_MAX_QUEUES; i++) {
		xenpv_dp_close(&xd->rxq[i].guard);
		xenpv_dp_close(&xd->txq[i].guard);
		if (xd->rxq[i].borrowed) {
			xd->rxq[i].mp = NULL;
			xd->rxq[i].borrowed = false;
		}
	}
}

/* Undo what connecting queue @i did (any part of it). */
static void
xenback_queue_teardown(struct xenback_dev *xd, unsigned int i)
{
	struct xenback_rxq *rxq = &xd->rxq[i];
	struct xenback_txq *txq = &xd->txq[i];

	/* each on the handle it was bound on (xenback_queue_connect) */
	if (txq->evtchn != 0 && txq->evtchn != rxq->evtchn)
		xenevtchn_unbind(txq->xce, txq->evtchn);
	if (rxq->evtchn != 0)
		xenevtchn_unbind(rxq->xce, rxq->evtchn);
	rxq->evtchn = 0;
	txq->evtchn = 0;
	/*
	 * every persistent grant the guest's requests made us map; with
	 * rx_zero_copy, those of its TX ring once no mbuf points into them
	 */
	if (rxq->zc != NULL) {
		rxq->pgnt = NULL;
		xenback_zc_put(&rxq->zc);
	}
	xenback_pgnt_destroy(&rxq->pgnt);
	xenback_pgnt_destroy(&txq->pgnt);
	rxq->st.pgnt_mapped = 0;
	txq->st.pgnt_mapped = 0;
	rxq->st.zc_held = 0;
	if (rxq->ring_va != NULL)
		xengnttab_unmap(xd->xgt, rxq->ring_va, rxq->ring_pages);
	if (txq->ring_va != NULL)
		xengnttab_unmap(xd->xgt, txq->ring_va, txq->ring_pages);
	rxq->ring_va = NULL;
	txq->ring_va = NULL;
	xenback_rxq_free_scratch(rxq);
	xenback_txq_free_scratch(txq);
	memset(&rxq->ring, 0, sizeof(rxq->ring));
	memset(&txq->ring, 0, sizeof(txq->ring));
	xenpv_viol_clear(&rxq->viol);
	xenpv_viol_clear(&txq->viol);
	__atomic_store_n(&rxq->kick.owed, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&txq->kick.owed, 0, __ATOMIC_RELAXED);
}

/* Quiesce the data path and release the frontend's rings and channels. */
static void
xenback_disconnect(struct xenback_dev *xd)
{
	unsigned int i;

	if (xd->conn != XENBACK_CONN_CONNECTED)
		return;
	xenback_close_queues(xd);
	xenback_ctrl_disconnect(xd);
	/* subscriptions belong to the connection (bursts are out) */
	xd->mcast.n = 0;
	for (i = 0; i < xd->neg.queues; i++)
		xenback_queue_teardown(xd, i);
	xenback_set_conn(xd, XENBACK_CONN_CLOSING);
	xd->neg.queues = 0;
	xd->cnt.disconnects++;
	xenback_update_link(xd);
	XENBACK_LOG(NOTICE, "%s: frontend domain %u disconnected", xd->name,
		    xd->fe_domid);
}

/* A boolean feature key: missing is 0; anything but a number is refused. */
static int
xenback_read_flag(struct xenback_dev *xd, const char *key, bool *val)
{
	unsigned long v;
	int rc;

	rc = xenpv_xs_read_uint_default(xd->xs, XBT_NULL, &v, 0, UINT32_MAX,
					"%s/%s", xd->fe_path, key);
	if (rc < 0) {
		XENBACK_CONN_LOG(xd, "%s: bad %s/%s: %s", xd->name, xd->fe_path,
			    key, strerror(-rc));
		return -EINVAL;
	}
	*val = v != 0;
	return 0;
}

static int
xenback_read_u32(struct xenback_dev *xd, const char *dir, const char *key,
		 uint32_t *val)
{
	unsigned long v;
	int rc;

	rc = xenpv_xs_read_uint(xd->xs, XBT_NULL, &v, UINT32_MAX, "%s/%s",
				dir, key);
	if (rc < 0) {
		XENBACK_CONN_LOG(xd, "%s: %s %s/%s: %s", xd->name,
			    rc == -ENOENT ? "missing" : "bad", dir, key,
			    strerror(-rc));
		return rc == -ENOENT ? -ENOENT : -EINVAL;
	}
	*val = (uint32_t)v;
	return 0;
}

/* An optional number in the frontend directory: -ENOENT if absent. */
static int
xenback_read_u32_opt(struct xenback_dev *xd, const char *key, uint32_t *val)
{
	unsigned long v;
	int rc;

	rc = xenpv_xs_read_uint(xd->xs, XBT_NULL, &v, UINT32_MAX, "%s/%s",
				xd->fe_path, key);
	if (rc < 0)
		return rc == -ENOENT ? -ENOENT : -EINVAL;
	*val = (uint32_t)v;
	return 0;
}

/* Read one queue's ring references and event channels from @dir. */
static int
xenback_read_queue_keys(struct xenback_dev *xd, const char *dir,
			unsigned int order, bool indexed,
			struct xenback_qkeys *k)
{
	static const char * const ref_keys[2] = {
		XENPV_NETIF_TX_RING_REF, XENPV_NETIF_RX_RING_REF,
	};
	uint32_t *refs[2] = { k->tx_ref, k->rx_ref };
	unsigned int j, d, pages = 1u << order;
	char key[32];
	int rc;

	/* page by page, the TX ring's reference then the RX ring's */
	for (j = 0; j < pages; j++) {
		for (d = 0; d < 2; d++) {
			rc = xenpv_netif_ring_ref_key(key, sizeof(key),
						      ref_keys[d], indexed, j);
			if (rc == 0)
				rc = xenback_read_u32(xd, dir, key,
						      &refs[d][j]);
			if (rc < 0)
				return rc;
		}
	}

	/* two channels if we offered them and the frontend took them */
	k->split = false;
	if (xd->cfg.pv.split) {
		char *s = xenpv_xs_read(xd->xs, XBT_NULL,
					"%s/%s", dir, XENPV_NETIF_EVTCHN_TX);

		if (s != NULL) {
			free(s);
			k->split = true;
		}
	}
	if (k->split) {
		rc = xenback_read_u32(xd, dir, XENPV_NETIF_EVTCHN_TX,
				      &k->evtchn_tx);
		if (rc == 0)
			rc = xenback_read_u32(xd, dir, XENPV_NETIF_EVTCHN_RX,
					      &k->evtchn_rx);
	} else {
		rc = xenback_read_u32(xd, dir, XENPV_NETIF_EVTCHN, &k->evtchn_tx);
		k->evtchn_rx = k->evtchn_tx;
	}
	return rc;
}

/*
 * The control ring (offered unless devarg ctrl_ring=0): both keys or
 * neither; one alone is refused, as a half-written ring could never be
 * served. Keys we did not offer the ring for are left alone.
 */
static int
xenback_read_ctrl_keys(struct xenback_dev *xd, struct xenback_conn_keys *ck)
{
	int r1, r2;

	if (!xd->cfg.ctrl_ring)
		return 0;
	r1 = xenback_read_u32_opt(xd, XENPV_NETIF_CTRL_RING_REF, &ck->ctrl_ref);
	r2 = xenback_read_u32_opt(xd, XENPV_NETIF_EVTCHN_CTRL, &ck->ctrl_evtchn);
	if (r1 == -ENOENT && r2 == -ENOENT)
		return 0;
	if (r1 < 0 || r2 < 0) {
		XENBACK_CONN_LOG(xd,
			    "%s: frontend %s gives %s without %s (or a bad value)",
			    xd->name, xd->fe_path,
			    r1 == 0 ? XENPV_NETIF_CTRL_RING_REF : XENPV_NETIF_EVTCHN_CTRL,
			    r1 == 0 ? XENPV_NETIF_EVTCHN_CTRL : XENPV_NETIF_CTRL_RING_REF);
		return -EINVAL;
	}
	ck->ctrl = true;
	return 0;
}

/*
 * Read and check everything the frontend wrote for a connection, with at
 * most @max_queues queues: the offer when it connects, the protocol's
 * limit when a live connection is looked at again (it was checked against
 * the offer it was made under; a later offer does not apply to it).
 */
static int
xenback_read_conn_keys(struct xenback_dev *xd, struct xenback_conn_keys *ck,
		       unsigned int max_queues)
{
	char dir[XENPV_PATH_MAX];
	unsigned long v;
	bool rx_copy, no_csum, indexed = false;
	unsigned int i;
	int rc;

	memset(ck, 0, sizeof(*ck));
	rc = xenback_read_flag(xd, XENPV_NETIF_REQUEST_RX_COPY, &rx_copy);
	if (rc < 0)
		return rc;
	if (!rx_copy) {
		XENBACK_CONN_LOG(xd,
			    "%s: frontend %s does not request rx-copy, the only receive mode we have",
			    xd->name, xd->fe_path);
		return -EOPNOTSUPP;
	}

	rc = xenpv_xs_read_uint_default(xd->xs, XBT_NULL, &v, 1, UINT32_MAX,
					"%s/%s", xd->fe_path,
					XENPV_NETIF_NUM_QUEUES);
	if (rc < 0 || v == 0 || v > max_queues) {
		char *s = xenpv_xs_read(xd->xs, XBT_NULL,
					"%s/%s", xd->fe_path,
					XENPV_NETIF_NUM_QUEUES);

		XENBACK_CONN_LOG(xd,
			    "%s: frontend asks for \"%s\" queues, valid is 1 to %u",
			    xd->name, s != NULL ? s : "?", max_queues);
		free(s);
		return -EINVAL;
	}
	ck->nb_queues = (unsigned int)v;

	rc = xenpv_xs_read_uint(xd->xs, XBT_NULL, &v, UINT32_MAX,
				"%s/%s", xd->fe_path, XENPV_NETIF_RING_ORDER);
	if (rc == -ENOENT) {
		v = 0;
	} else if (rc < 0 || v > xd->cfg.max_order) {
		XENBACK_CONN_LOG(xd,
			    "%s: bad %s/" XENPV_NETIF_RING_ORDER " (we offered at most %u)",
			    xd->name, xd->fe_path, xd->cfg.max_order);
		return -EINVAL;
	} else {
		indexed = v > 0;
	}
	ck->order = (unsigned int)v;

	if (xenback_read_flag(xd, XENPV_NETIF_FEATURE_SG, &ck->fe.sg) < 0 ||
	    xenback_read_flag(xd, XENPV_NETIF_FEATURE_GSO_TCPV4, &ck->fe.gso_tcpv4) < 0 ||
	    xenback_read_flag(xd, XENPV_NETIF_FEATURE_GSO_TCPV6, &ck->fe.gso_tcpv6) < 0 ||
	    xenback_read_flag(xd, XENPV_NETIF_FEATURE_NO_CSUM, &no_csum) < 0 ||
	    xenback_read_flag(xd, XENPV_NETIF_FEATURE_IPV6_CSUM,
			      &ck->fe.ipv6_csum) < 0 ||
	    xenback_read_flag(xd, XENPV_NETIF_FEATURE_RX_NOTIFY, &ck->fe.rx_notify) < 0 ||
	    xenback_read_flag(xd, XENPV_NETIF_REQUEST_MCAST_CTRL,
			      &ck->fe.mcast_filter) < 0)
		return -EINVAL;
	ck->fe.csum = !no_csum;
	/* persistent grants: the frontend's promise counts only if offered */
	if (xd->cfg.pgnt &&
	    xenback_read_flag(xd, XENPV_NETIF_FEATURE_PGNT, &ck->fe.pgnt) < 0)
		return -EINVAL;

	for (i = 0; i < ck->nb_queues; i++) {
		rc = xenpv_netif_queue_dir(dir, sizeof(dir), xd->fe_path,
					   ck->nb_queues, i);
		if (rc < 0)
			return rc;
		rc = xenback_read_queue_keys(xd, dir, ck->order, indexed,
					     &ck->q[i]);
		/* order 0 with ring-page-order written: accept either name */
		if (rc == -ENOENT && ck->order == 0 && !indexed)
			rc = xenback_read_queue_keys(xd, dir, 0, true,
						     &ck->q[i]);
		if (rc < 0)
			return rc;
		ck->fe.split = ck->q[i].split;
	}
	return xenback_read_ctrl_keys(xd, ck);
}

/* Map one ring's pages into one contiguous mapping. */
static void *
xenback_map_ring(struct xenback_dev *xd, const uint32_t *refs,
		 unsigned int pages, const char *what, unsigned int qi)
{
	uint32_t r[XENPV_MAX_RING_PAGES];
	void *va;

	memcpy(r, refs, pages * sizeof(r[0]));
	va = xengnttab_map_domain_grant_refs(xd->xgt, pages, xd->fe_domid, r,
					     PROT_READ | PROT_WRITE);
	if (va == NULL)
		XENBACK_CONN_LOG(xd,
			    "%s: cannot map the %s ring of queue %u (%u pages, first grant %u): %s",
			    xd->name, what, qi, pages, refs[0],
			    strerror(errno));
	return va;
}

static int
xenback_bind(struct xenback_dev *xd, xenevtchn_handle *xce, uint32_t remote,
	     const char *what, unsigned int qi, evtchn_port_t *local)
{
	xenevtchn_port_or_error_t p;

	p = xenevtchn_bind_interdomain(xce, xd->fe_domid, remote);
	if (p < 0) {
		XENBACK_CONN_LOG(xd,
			    "%s: cannot bind %s event channel %u of queue %u: %s",
			    xd->name, what, remote, qi, strerror(errno));
		return -(errno ? errno : EINVAL);
	}
	*local = (evtchn_port_t)p;
	return 0;
}

/* Map, bind and prepare netif queue @i. */
static int
xenback_queue_connect(struct xenback_dev *xd, unsigned int i,
		      const struct xenback_conn_keys *ck)
{
	const struct xenback_qkeys *k = &ck->q[i];
	struct xenback_rxq *rxq = &xd->rxq[i];
	struct xenback_txq *txq = &xd->txq[i];
	unsigned int pages = 1u << ck->order;
	size_t size = (size_t)XENPV_PAGE_SIZE << ck->order;
	int socket = xd->eth_dev->data->numa_node;
	netif_tx_sring_t *tx_sring;
	netif_rx_sring_t *rx_sring;
	int rc;

	rxq->ring_va = xenback_map_ring(xd, k->tx_ref, pages, "tx", i);
	if (rxq->ring_va == NULL)
		return -EIO;
	rxq->ring_pages = pages;
	txq->ring_va = xenback_map_ring(xd, k->rx_ref, pages, "rx", i);
	if (txq->ring_va == NULL)
		return -EIO;
	txq->ring_pages = pages;

	/*
	 * Start where the shared indices say the last backend stopped: 0
	 * on a fresh ring, the old position when a restarted backend
	 * reattaches. A bogus value only makes the next burst see an
	 * impossible producer index.
	 */
	tx_sring = rxq->ring_va;
	rx_sring = txq->ring_va;
	BACK_RING_ATTACH(&rxq->ring, tx_sring,
			 __atomic_load_n(&tx_sring->rsp_prod, __ATOMIC_ACQUIRE),
			 size);
	BACK_RING_ATTACH(&txq->ring, rx_sring,
			 __atomic_load_n(&rx_sring->rsp_prod, __ATOMIC_ACQUIRE),
			 size);

	/*
	 * The channel the guest kicks for its TX ring (the one channel if
	 * not split) goes on the Rx interrupt handle of the ethdev RX queue
	 * that serves the ring, if any (xenpv_intr.h); kicks for its RX ring
	 * must go out on the handle that channel is bound on.
	 */
	rxq->xce = xenback_ring_intr_handle(xd, i);
	txq->xce = k->split ? xd->xce : rxq->xce;
	rc = xenback_bind(xd, rxq->xce, k->evtchn_tx,
			  k->split ? "tx" : "shared", i, &rxq->evtchn);
	if (rc < 0)
		return rc;
	if (k->split) {
		rc = xenback_bind(xd, txq->xce, k->evtchn_rx, "rx", i,
				  &txq->evtchn);
		if (rc < 0)
			return rc;
	} else {
		txq->evtchn = rxq->evtchn;
	}

	if (xenback_rxq_alloc_scratch(rxq, socket) < 0 ||
	    xenback_txq_alloc_scratch(txq, socket) < 0) {
		XENBACK_CONN_LOG(xd, "%s: no memory for queue %u", xd->name, i);
		return -ENOMEM;
	}
	/*
	 * Persistent grants (xenback_pgnt.c): the guest's TX grants mapped
	 * read-only, its RX buffers writable, each as first named. With
	 * rx_zero_copy the TX ring's belong to its zero-copy context
	 * (xenback_zc.c), which keeps them while the application holds them.
	 */
	if (ck->fe.pgnt && xd->cfg.rx_zc) {
		rc = xenback_zc_create(&rxq->zc, xd->fe_domid,
				       RING_SIZE(&rxq->ring), socket);
		if (rc < 0) {
			XENBACK_CONN_LOG(xd, "%s: queue %u: no zero-copy context: %s",
					 xd->name, i, strerror(-rc));
			return rc;
		}
		rxq->pgnt = rxq->zc->pgnt;
	}
	if (ck->fe.pgnt &&
	    ((rxq->pgnt == NULL &&
	      xenback_pgnt_create(&rxq->pgnt, xd->xgt, xd->fe_domid,
				  RING_SIZE(&rxq->ring), false) < 0) ||
	     xenback_pgnt_create(&txq->pgnt, xd->xgt, xd->fe_domid,
				 RING_SIZE(&txq->ring), true) < 0)) {
		XENBACK_CONN_LOG(xd, "%s: no memory for the persistent grants of queue %u",
				 xd->name, i);
		return -ENOMEM;
	}

	rxq->xgt = xd->xgt;
	rxq->fe_domid = xd->fe_domid;
	rxq->port_id = xd->port_id;
	rxq->peer = txq;
	xenpv_kick_init(&rxq->kick, rxq->xce, rxq->evtchn,
			xd->cfg.pv.notify_gap_us);
	txq->xgt = xd->xgt;
	txq->fe_domid = xd->fe_domid;
	xenpv_kick_init(&txq->kick, txq->xce, txq->evtchn,
			xd->cfg.pv.notify_gap_us);
	return 0;
}

/*
 * The toolstack's rate limit of the vif (xenpv_netif.h: "rate" =
 * "<bytes>,<usec>"), read at each connection into every guest TX ring's
 * credit, as Linux netback gives each queue the full rate. No key: no
 * limit; a bad one is logged and ignored.
 */
static void
xenback_read_rate(struct xenback_dev *xd, unsigned int nb_queues)
{
	struct xenback_credit c = { .bytes = 0 };
	uint64_t bytes, usec;
	unsigned int i;
	char *s;

	errno = 0;
	s = xenpv_xs_read(xd->xs, XBT_NULL, "%s/%s", xd->be_path,
			  XENPV_NETIF_RATE);
	if (s != NULL && xenpv_netif_parse_rate(s, &bytes, &usec) == 0 &&
	    bytes != 0) {
		/* an hour at most: the interval in TSC cycles cannot wrap */
		usec = RTE_MIN(usec, (uint64_t)3600 * 1000000);
		c.bytes = bytes;
		c.interval = RTE_MAX(usec * rte_get_tsc_hz() / 1000000,
				     (uint64_t)1);
		c.burst = RTE_MAX(bytes, (uint64_t)XENBACK_RATE_MIN_BURST);
		c.remaining = bytes;
		c.next = rte_get_tsc_cycles() + c.interval;
		XENBACK_LOG(INFO, "%s: rate limit %" PRIu64 " bytes per %" PRIu64 " us on what the guest sends",
			    xd->name, bytes, usec);
	} else if (s != NULL && strcmp(s, "") != 0) {
		XENBACK_LOG(WARNING, "%s: %s/%s is not \"<bytes>,<usec>\": no rate limit",
			    xd->name, xd->be_path, XENPV_NETIF_RATE);
	}
	free(s);
	for (i = 0; i < nb_queues; i++)
		xd->rxq[i].credit = c;
}

/* The frontend is ready: bring the whole vif up, or nothing of it. */
static int
xenback_connect(struct xenback_dev *xd)
{
	struct xenback_conn_keys ck;
	unsigned int i;
	int rc;

	rc = xenback_read_conn_keys(xd, &ck, xd->adv.queues);
	if (rc < 0)
		return rc;

	xd->neg.queues = (uint16_t)ck.nb_queues;
	for (i = 0; i < ck.nb_queues; i++) {
		rc = xenback_queue_connect(xd, i, &ck);
		if (rc < 0) {
			do {
				xenback_queue_teardown(xd, i);
			} while (i-- > 0);
			xd->neg.queues = 0;
			return rc;
		}
	}
	if (ck.ctrl) {
		rc = xenback_ctrl_connect(xd, ck.ctrl_ref, ck.ctrl_evtchn);
		if (rc < 0) {
			for (i = 0; i < ck.nb_queues; i++)
				xenback_queue_teardown(xd, i);
			xd->neg.queues = 0;
			return rc;
		}
	}
	xenback_read_rate(xd, ck.nb_queues);
	memcpy(xd->neg.qkeys, ck.q, sizeof(xd->neg.qkeys));
	xd->neg.order = (uint8_t)ck.order;
	xd->neg.fe = ck.fe;
	/*
	 * What the frontend queued on its control ring before Connected
	 * (net_xennet's RSS settings) is in force before the first frame is
	 * steered: one ring's worth, answered now.
	 */
	if (ck.ctrl)
		(void)xenback_ctrl_serve(xd);
	xenback_set_conn(xd, XENBACK_CONN_CONNECTED);
	xd->cnt.connects++;
	xenback_apply_config(xd);
	xenback_open_queues(xd);
	xenback_update_link(xd);
	XENBACK_LOG(NOTICE,
		    "%s: frontend domain %u connected: %u queue(s), ring order %u (%u tx / %u rx slots), %s event channels, sg %d, gso v4/v6 %d/%d, csum %d, ipv6 csum %d, rx-notify %d, control ring %d, multicast filter %d, persistent grants %d",
		    xd->name, xd->fe_domid, ck.nb_queues, ck.order,
		    (unsigned int)XENPV_TX_RING_SIZE(ck.order),
		    (unsigned int)XENPV_RX_RING_SIZE(ck.order),
		    ck.fe.split ? "split" : "shared", ck.fe.sg,
		    ck.fe.gso_tcpv4, ck.fe.gso_tcpv6, ck.fe.csum,
		    ck.fe.ipv6_csum, ck.fe.rx_notify, ck.ctrl,
		    ck.fe.mcast_filter, ck.fe.pgnt);
	return 0;
}

/* True if the frontend's current keys are not the ones we are using. */
static bool
xenback_rekeyed(struct xenback_dev *xd)
{
	struct xenback_conn_keys ck;
	unsigned int i, j, pages;

	if (xenback_read_conn_keys(xd, &ck, XENPV_NETIF_MAX_QUEUES) < 0)
		return true;
	if (ck.nb_queues != xd->neg.queues || ck.order != xd->neg.order)
		return true;
	if (ck.ctrl != (xd->ctrl.ring_va != NULL) ||
	    (ck.ctrl && (ck.ctrl_ref != xd->ctrl.ref ||
			 ck.ctrl_evtchn != xd->ctrl.remote)))
		return true;
	pages = 1u << ck.order;
	for (i = 0; i < ck.nb_queues; i++) {
		/* the rings are mapped: compare what they are made of */
		for (j = 0; j < pages; j++)
			if (ck.q[i].tx_ref[j] != xd->neg.qkeys[i].tx_ref[j] ||
			    ck.q[i].rx_ref[j] != xd->neg.qkeys[i].rx_ref[j])
				return true;
		if (ck.q[i].evtchn_tx != xd->neg.qkeys[i].evtchn_tx ||
		    ck.q[i].evtchn_rx != xd->neg.qkeys[i].evtchn_rx)
			return true;
	}
	return false;
}

/* The features we advertise, in one transaction. */
static int
xenback_write_features_tx(struct xs_handle *xs, xs_transaction_t t,
			  void *arg)
{
	struct xenback_dev *xd = arg;
	const char *d = xd->be_path;
	int rc = 0;

	rc |= xenpv_xs_printf(xs, t, d, XENPV_NETIF_FEATURE_SG, "%d", xd->cfg.pv.sg);
	rc |= xenpv_xs_printf(xs, t, d, XENPV_NETIF_FEATURE_GSO_TCPV4, "%d",
			      xd->want.gso);
	rc |= xenpv_xs_printf(xs, t, d, XENPV_NETIF_FEATURE_GSO_TCPV6, "%d",
			      xd->want.gso);
	rc |= xenpv_xs_printf(xs, t, d, XENPV_NETIF_FEATURE_IPV6_CSUM, "%d",
			      xd->cfg.pv.csum);
	rc |= xenpv_xs_printf(xs, t, d, XENPV_NETIF_FEATURE_RX_COPY, "1");
	rc |= xenpv_xs_printf(xs, t, d, XENPV_NETIF_FEATURE_RX_FLIP, "0");
	rc |= xenpv_xs_printf(xs, t, d, XENPV_NETIF_FEATURE_SPLIT_EVTCHN, "%d",
			      xd->cfg.pv.split);
	rc |= xenpv_xs_printf(xs, t, d, XENPV_NETIF_MAX_QUEUES_KEY, "%u",
			      xd->want.queues);
	rc |= xenpv_xs_printf(xs, t, d, XENPV_NETIF_MAX_RING_ORDER, "%u",
			      xd->cfg.max_order);
	/* the control ring: hash settings (xenback_ctrl.c), unless withheld */
	rc |= xenpv_xs_printf(xs, t, d, XENPV_NETIF_FEATURE_CTRL_RING, "%d",
			      xd->cfg.ctrl_ring);
	/* persistent grants (xenback_pgnt.c), if asked for */
	rc |= xenpv_xs_printf(xs, t, d, XENPV_NETIF_FEATURE_PGNT, "%d",
			      xd->cfg.pgnt);
	/* multicast filtering, sampled at connect (xenback_guest_tx.c) */
	rc |= xenpv_xs_printf(xs, t, d, XENPV_NETIF_FEATURE_MCAST_CTRL, "1");
	/* ... followed while connected too (xenback_mcast_follow) */
	rc |= xenpv_xs_printf(xs, t, d, XENPV_NETIF_FEATURE_MCAST_DYN, "1");
	/* the application's MTU, where libxl writes the vif's */
	if (xd->app_mtu != 0)
		rc |= xenpv_xs_printf(xs, t, d, XENPV_NETIF_MTU, "%u", xd->app_mtu);
	return rc != 0 ? -EIO : 0;
}

static int
xenback_write_features(struct xenback_dev *xd)
{
	int rc = xenpv_xs_transaction(xd->xs, xenback_write_features_tx, xd);

	if (rc < 0)
		XENBACK_LOG(ERR, "%s: cannot write features into %s: %s",
			    xd->name, xd->be_path, strerror(-rc));
	else
		xd->adv = xd->want;
	return rc;
}

/* Has the toolstack taken the vif offline (online 0: it is removing it)? */
static bool
xenback_vif_offline(struct xenback_dev *xd)
{
	unsigned long v;

	return xenpv_xs_read_uint(xd->xs, XBT_NULL, &v, UINT32_MAX, "%s/%s",
				  xd->be_path, XENPV_NETIF_ONLINE) == 0 &&
	       v == 0;
}

/*
 * (Back) to InitWait: what we offer is rewritten first, from the port's
 * configuration now, so a frontend that starts over negotiates what the
 * application configured. Until the application has configured the port
 * (dev_configure) the vif is held before InitWait: a frontend cannot
 * connect with features or queues nobody asked for.
 *
 * Except on a port bound by name (devarg domain, discovery): libxl waits
 * up to 10 s for InitWait before it runs the vif's hotplug script, and it
 * is that script that makes the application take the port (vif-dpdk adds
 * it to an OVS bridge, which configures it). Such a port offers at once
 * what is safe whatever the application configures later: its max_queues
 * (netif queues beyond its RX queues are served by them) and no GSO (the
 * application may not take LRO packets). It connects only once configured.
 */
static void
xenback_initwait(struct xenback_dev *xd)
{
	if (!xd->configured && !xd->by_name)
		return;
	/*
	 * libxl's online key: 0 while the toolstack is taking the vif away.
	 * Not offered then; an event on our directory (online back to 1)
	 * brings us back (xenback_reconcile).
	 */
	if (xenback_vif_offline(xd)) {
		if (!xd->offline_held)
			XENBACK_LOG(NOTICE, "%s: %s/%s is 0 (the toolstack is taking the vif away): not offered",
				    xd->name, xd->be_path, XENPV_NETIF_ONLINE);
		xd->offline_held = true;
		return;
	}
	xd->offline_held = false;
	if (xenback_write_features(xd) < 0)
		return;
	xenback_switch(xd, XenbusStateInitWait);
	xenback_set_conn(xd, XENBACK_CONN_INITWAIT);
}

/* A frontend path we accept: /local/domain/<fe_domid>/<plain> */
static bool
xenback_fe_path_ok(struct xenback_dev *xd, const char *p)
{
	char prefix[40];

	snprintf(prefix, sizeof(prefix), "/local/domain/%u/", xd->fe_domid);
	return xenpv_path_ok(p, prefix);
}

/*
 * Watch (@on) the frontend's request-multicast-control, or stop: we offer
 * feature-dynamic-multicast-control, so a guest may turn filtering on and
 * off while connected (xenback_mcast_follow).
 */
static void
xenback_watch_mcast(struct xenback_dev *xd, bool on)
{
	char p[XENPV_PATH_MAX + sizeof(XENPV_NETIF_REQUEST_MCAST_CTRL) + 1];
	int rc;

	if (on == xd->mc_watched)
		return;
	snprintf(p, sizeof(p), "%s/%s", xd->fe_path,
		 XENPV_NETIF_REQUEST_MCAST_CTRL);
	if (!on) {
		xs_unwatch(xd->xs, p, XB_TOKEN_MC);
		xd->mc_watched = false;
		return;
	}
	rc = xenpv_xs_watch(xd->xs, p, XB_TOKEN_MC);
	if (rc < 0) {
		XENBACK_LOG(ERR, "%s: cannot watch %s: %s (multicast filtering changes at reconnection only)",
			    xd->name, p, strerror(-rc));
		return;
	}
	xd->mc_watched = true;
}

void
xenback_tx_quiesce(struct xenback_dev *xd, bool *was_open)
{
	unsigned int i;

	for (i = 0; i < XENPV_NETIF_MAX_QUEUES; i++) {
		was_open[i] = xenpv_dp_is_open(&xd->txq[i].guard);
		if (was_open[i])
			xenpv_dp_close(&xd->txq[i].guard);
	}
}

void
xenback_tx_resume(struct xenback_dev *xd, const bool *was_open)
{
	unsigned int i;

	for (i = 0; i < XENPV_NETIF_MAX_QUEUES; i++)
		if (was_open[i])
			xenpv_dp_open(&xd->txq[i].guard);
}

/*
 * The guest rewrote request-multicast-control while connected: filtering
 * of what the application sends it starts or stops at once (its list is
 * kept either way, as Linux netback keeps it). The bursts see the change
 * with every TX guard closed. A value that is not a number changes
 * nothing; a guest rewriting the key in a loop costs one read per batch
 * of watch events, and a pause of the TX bursts only when the value flips.
 */
static void
xenback_mcast_follow(struct xenback_dev *xd)
{
	bool was_open[XENPV_NETIF_MAX_QUEUES];
	unsigned long v;
	unsigned int i;
	bool on;

	if (xd->conn != XENBACK_CONN_CONNECTED ||
	    xenpv_xs_read_uint_default(xd->xs, XBT_NULL, &v, 0, UINT32_MAX,
				       "%s/%s", xd->fe_path,
				       XENPV_NETIF_REQUEST_MCAST_CTRL) < 0)
		return;
	on = v != 0;
	if (on == xd->neg.fe.mcast_filter)
		return;
	xenback_tx_quiesce(xd, was_open);
	xd->neg.fe.mcast_filter = on;
	for (i = 0; i < xd->neg.queues; i++)
		xd->txq[i].mcast_filter = on ? &xd->mcast : NULL;
	xenback_tx_resume(xd, was_open);
	xd->mcast_switches++;
	XENBACK_LOG(INFO, "%s: frontend domain %u turned multicast filtering %s (%" PRIu64 " group(s))",
		    xd->name, xd->fe_domid, on ? "on" : "off", xd->mcast.n);
}

static void
xenback_forget_vif(struct xenback_dev *xd)
{
	xenback_disconnect(xd);
	if (xd->fe_watched)
		xs_unwatch(xd->xs, xd->fe_state_path, XB_TOKEN_FE);
	xd->fe_watched = false;
	xenback_watch_mcast(xd, false);
	xenback_set_conn(xd, XENBACK_CONN_ABSENT);
	xd->be_state = XenbusStateUnknown;
	xd->fe_path[0] = '\0';
	xd->fe_seen = XB_FE_NONE;
	xd->rekey_pending = false;
}

/* Watch backend/vif (a by-name port waiting for its domain's vif). */
static void
xenback_watch_dir(struct xenback_dev *xd, bool on)
{
	int rc;

	if (on == xd->dir_watched)
		return;
	if (!on) {
		xs_unwatch(xd->xs, xd->be_dir, XB_TOKEN_DIR);
		xd->dir_watched = false;
		return;
	}
	rc = xenpv_xs_watch(xd->xs, xd->be_dir, XB_TOKEN_DIR);
	if (rc < 0)
		XENBACK_LOG(ERR, "%s: cannot watch %s: %s", xd->name,
			    xd->be_dir, strerror(-rc));
	else
		xd->dir_watched = true;
}

/*
 * A port bound by name: is there a vif @devid of the domain called
 * xd->domain that no other port serves? Then it is ours: its directory
 * becomes be_path, watched; if not, backend/vif is watched until one
 * appears. Returns whether the port is bound.
 */
static bool
xenback_vif_bind(struct xenback_dev *xd)
{
	char path[XENPV_PATH_MAX], dom[XENBACK_DOMAIN_NAME_MAX + 1], **doms;
	unsigned int nd, i;
	unsigned long domid;
	bool found = false;
	int rc, n;

	doms = xenback_list_ids(xd->xs, xd->be_dir, DOMID_FIRST_RESERVED - 1,
				&nd);
	for (i = 0; i < nd && !found; i++) {
		domid = strtoul(doms[i], NULL, 10);
		n = snprintf(path, sizeof(path), "%s/%lu/%u", xd->be_dir,
			     domid, xd->devid);
		if (n < 0 || (size_t)n >= sizeof(path) ||
		    xenback_vif_dying(xd->xs, path) ||
		    xenback_domain_name(xd->xs, domid, dom, sizeof(dom)) < 0 ||
		    strcmp(dom, xd->domain) != 0)
			continue;
		if (xenback_netback_serves(domid, xd->devid)) {
			if (!xd->netback_logged)
				XENBACK_LOG(NOTICE,
					    "%s: vif %lu.%u of domain \"%s\" is served by Linux's xen-netback: left alone",
					    xd->name, domid, xd->devid,
					    xd->domain);
			xd->netback_logged = true;
			continue;
		}
		if (!xenback_reg_claim(xd, (uint16_t)domid)) {
			XENBACK_LOG(NOTICE,
				    "%s: vif %lu.%u of domain \"%s\" is served by another port",
				    xd->name, domid, xd->devid, xd->domain);
			continue;
		}
		found = true;
	}
	free(doms);
	if (!found) {
		xenback_watch_dir(xd, true);
		return false;
	}
	xd->netback_logged = false;
	strlcpy(xd->be_path, path, sizeof(xd->be_path));
	xenback_watch_dir(xd, false);
	rc = xenpv_xs_watch(xd->xs, xd->be_path, XB_TOKEN_BE);
	if (rc < 0)
		XENBACK_LOG(ERR, "%s: cannot watch %s: %s", xd->name,
			    xd->be_path, strerror(-rc));
	XENBACK_LOG(NOTICE, "%s: domain \"%s\" is domain %u: serving its vif %u",
		    xd->name, xd->domain, xd->fe_domid, xd->devid);
	return true;
}

/* A port bound by name lets go of a vif that went. */
static void
xenback_vif_unbind(struct xenback_dev *xd)
{
	xs_unwatch(xd->xs, xd->be_path, XB_TOKEN_BE);
	xd->be_path[0] = '\0';
	xenback_reg_release(xd);
}

/*
 * The toolstack's mac and mtu keys of a vif just found (libxl writes them
 * with the backend directory; a guest cannot write there, but they are
 * checked as any value read). Without an MTU from the application the
 * port's MTU follows the mtu key, within what the guest can receive; when
 * the application has set one, the key is the one we wrote and is left
 * alone.
 */
static void
xenback_toolstack_keys(struct xenback_dev *xd)
{
	struct rte_eth_dev_data *data = xd->eth_dev->data;
	unsigned long v;
	uint32_t max;
	char *s;
	int rc;

	memset(&xd->guest_mac, 0, sizeof(xd->guest_mac));
	s = xenpv_xs_read(xd->xs, XBT_NULL, "%s/%s", xd->be_path,
			  XENPV_NETIF_MAC);
	if (s != NULL &&
	    (xenpv_parse_mac(s, xd->guest_mac.addr_bytes) < 0 ||
	     !rte_is_unicast_ether_addr(&xd->guest_mac) ||
	     rte_is_zero_ether_addr(&xd->guest_mac))) {
		XENBACK_LOG(WARNING, "%s: %s/%s is not a unicast MAC: ignored",
			    xd->name, xd->be_path, XENPV_NETIF_MAC);
		memset(&xd->guest_mac, 0, sizeof(xd->guest_mac));
	}
	free(s);

	if (xd->app_mtu != 0)
		return;
	xd->ts_mtu = 0;
	rc = xenpv_xs_read_uint(xd->xs, XBT_NULL, &v, UINT16_MAX, "%s/%s",
				xd->be_path, XENPV_NETIF_MTU);
	if (rc == -ENOENT)
		return;
	if (rc < 0 || v < RTE_ETHER_MIN_MTU) {
		XENBACK_LOG(WARNING, "%s: %s/%s is not an MTU: ignored",
			    xd->name, xd->be_path, XENPV_NETIF_MTU);
		return;
	}
	max = xenback_mtu_max(xd);
	if (v > max) {
		XENBACK_LOG(WARNING, "%s: the toolstack's MTU %lu is above %u, the most the guest can receive%s: using %u",
			    xd->name, v, max,
			    !xd->cfg.pv.sg ? " (devarg sg=0)" : "", max);
		v = max;
	}
	xd->ts_mtu = (uint16_t)v;
	data->mtu = xd->ts_mtu;
}

/*
 * Is our backend directory there? Takes the vif on when it appears (write
 * features, InitWait, watch the frontend), forgets it when it goes. A port
 * bound by name then looks for its domain's next incarnation.
 */
static bool
xenback_vif_probe(struct xenback_dev *xd)
{
	unsigned long feid;
	int rc, fe_state, tries = 0;
	char *fe;

again:
	if (!xd->bound && (!xd->by_name || !xenback_vif_bind(xd)))
		return false;
	fe = xenpv_xs_read(xd->xs, XBT_NULL, "%s/%s", xd->be_path,
			   XENPV_NETIF_FRONTEND);
	if (fe == NULL) {
		if (xd->conn != XENBACK_CONN_ABSENT) {
			XENBACK_LOG(NOTICE, "%s: vif %s removed", xd->name,
				    xd->be_path);
			xenback_forget_vif(xd);
			/* the port stays: the application may drop it */
			if (xd->eth_dev->data->dev_conf.intr_conf.rmv)
				xd->rmv_pending = true;
		}
		if (xd->by_name && xd->bound) {
			xenback_vif_unbind(xd);
			/* its next incarnation may be there already */
			if (tries++ == 0)
				goto again;
			xenback_watch_dir(xd, true);
		}
		return false;
	}
	if (!xd->by_name && xd->conn == XENBACK_CONN_ABSENT &&
	    xenback_netback_serves(xd->fe_domid, xd->devid)) {
		if (!xd->netback_logged)
			XENBACK_LOG(NOTICE,
				    "%s: vif %u.%u is served by Linux's xen-netback: left alone",
				    xd->name, xd->fe_domid, xd->devid);
		xd->netback_logged = true;
		free(fe);
		return false;
	}
	if (xd->conn != XENBACK_CONN_ABSENT) {
		if (strcmp(fe, xd->fe_path) == 0) {
			free(fe);
			return true;
		}
		XENBACK_LOG(NOTICE, "%s: vif now points to frontend %s",
			    xd->name, fe);
		xenback_forget_vif(xd);
	}

	rc = xenpv_xs_read_uint(xd->xs, XBT_NULL, &feid, UINT16_MAX,
				"%s/%s", xd->be_path, XENPV_NETIF_FRONTEND_ID);
	if (rc < 0 || feid != xd->fe_domid || !xenback_fe_path_ok(xd, fe)) {
		XENBACK_LOG(ERR,
			    "%s: %s names frontend \"%s\" of domain %lu, expected one of domain %u: ignoring it",
			    xd->name, xd->be_path, fe, rc < 0 ? 0UL : feid,
			    xd->fe_domid);
		free(fe);
		return false;
	}
	snprintf(xd->fe_path, sizeof(xd->fe_path), "%s", fe);
	snprintf(xd->fe_state_path, sizeof(xd->fe_state_path), "%s/" XENPV_NETIF_STATE,
		 fe);
	free(fe);

	xenback_toolstack_keys(xd);
	xd->be_state = xenpv_bus_read_state(xd->xs, xd->be_path);
	xenback_set_conn(xd, XENBACK_CONN_HELD);
	xenback_initwait(xd);
	rc = xenpv_xs_watch(xd->xs, xd->fe_state_path, XB_TOKEN_FE);
	if (rc < 0) {
		XENBACK_LOG(ERR, "%s: cannot watch %s: %s", xd->name,
			    xd->fe_state_path, strerror(-rc));
		return false;
	}
	xd->fe_watched = true;
	xenback_watch_mcast(xd, true);
	/* a frontend already connected: its backend was restarted */
	fe_state = xenpv_bus_read_state(xd->xs, xd->fe_path);
	xd->reattach = fe_state == XenbusStateConnected ||
		       fe_state == XenbusStateInitialised;
	XENBACK_LOG(NOTICE, "%s: serving vif %s for frontend %s (guest MAC " RTE_ETHER_ADDR_PRT_FMT ", MTU %u)",
		    xd->name, xd->be_path, xd->fe_path,
		    RTE_ETHER_ADDR_BYTES(&xd->guest_mac),
		    xd->eth_dev->data->mtu);
	return true;
}

/*
 * libxl's contract (xenpv_netif.h): with a hotplug-status key in our
 * directory, connect only once the hotplug script wrote "connected"; the
 * watch on our directory brings us back here when it does. Logged once per
 * wait.
 */
static bool
xenback_hotplug_ready(struct xenback_dev *xd)
{
	bool ready;
	char *s;

	errno = 0;
	s = xenpv_xs_read(xd->xs, XBT_NULL, "%s/%s", xd->be_path,
			  XENPV_NETIF_HOTPLUG_STATUS);
	if (s == NULL)
		return errno == ENOENT;
	ready = strcmp(s, XENPV_NETIF_HOTPLUG_CONNECTED) == 0;
	if (!ready && !xd->hotplug_wait)
		XENBACK_LOG(NOTICE,
			    "%s: %s/%s is \"%s\": waiting for the hotplug script before connecting",
			    xd->name, xd->be_path, XENPV_NETIF_HOTPLUG_STATUS,
			    s);
	xd->hotplug_wait = !ready;
	free(s);
	return ready;
}

/*
 * The reconnect budget (xenpv_budget): may the frontend, which started
 * over, get InitWait now? If not, the control thread comes back at
 * xd->reconnect.at (XB_WHY_TIMER). Logged once per episode; counted
 * (vif_management_reconnects_delayed).
 */
static bool
xenback_cycle_allowed(struct xenback_dev *xd, uint64_t now)
{
	char peer[32];

	snprintf(peer, sizeof(peer), "frontend domain %u", xd->fe_domid);
	return xenpv_budget_allow(&xd->reconnect, now, xenback_logtype,
				  xd->name, peer, "InitWait",
				  &xd->cnt.reconnects_delayed);
}

/*
 * Bring the port in line with the two state nodes, for the reasons in @why
 * (XB_WHY_*). Only an event on our backend directory (or configure/start)
 * re-reads the directory; a frontend state write that did not change the
 * state does nothing but, while connected, a rate-limited look at its keys.
 */
static void
xenback_reconcile(struct xenback_dev *xd, uint32_t why)
{
	int be_state = -1, fe_state, rc;
	uint64_t now = xenpv_now_ms();
	bool changed;

	if ((why & (XB_WHY_BE | XB_WHY_ALL)) ||
	    xd->conn == XENBACK_CONN_ABSENT) {
		if (!xenback_vif_probe(xd))
			return;
	}
	/*
	 * The toolstack taking the device away is answered whether or not
	 * the application configured the port yet: a port bound by name
	 * offered InitWait before dev_configure, and libxl waits for Closed.
	 */
	if (why & (XB_WHY_BE | XB_WHY_ALL)) {
		be_state = xenpv_bus_read_state(xd->xs, xd->be_path);
		if (be_state == XenbusStateClosing &&
		    xd->be_state != XenbusStateClosing) {
			xenback_disconnect(xd);
			xenback_set_conn(xd, XENBACK_CONN_CLOSING);
			xd->be_state = XenbusStateClosing;
			xenback_switch(xd, XenbusStateClosed);
			return;
		}
	}
	/* a vif held while offline: offer it once it is online again */
	if ((why & XB_WHY_BE) && xd->offline_held &&
	    xd->conn == XENBACK_CONN_HELD && !xd->closing)
		xenback_initwait(xd);
	/* held until dev_configure: nothing else is offered or connected */
	if (!xd->configured) {
		/*
		 * Except InitWait again, by a port bound by name, for a vif
		 * the toolstack removed and made anew between two of our
		 * rounds (same paths, its state back to Initialising): the
		 * configured port learns it from the frontend, this one has
		 * only the backend's state to go by.
		 */
		if (xd->by_name && be_state == XenbusStateInitialising &&
		    xd->conn != XENBACK_CONN_INITWAIT && !xd->closing &&
		    !xenback_vif_offline(xd))
			xenback_initwait(xd);
		return;
	}

	fe_state = xenpv_bus_read_state(xd->xs, xd->fe_path);
	changed = fe_state != xd->fe_seen;
	xd->fe_seen = fe_state;
	if (!changed && why == XB_WHY_FE) {
		/* the same state written again */
		if (xd->conn != XENBACK_CONN_CONNECTED ||
		    (fe_state != XenbusStateConnected &&
		     fe_state != XenbusStateInitialised))
			return;
		/*
		 * Connected again while connected: a frontend that restarted
		 * between two of our reads (its Initialising coalesced away)
		 * has new keys. Look, but not more often than every
		 * XENBACK_REKEY_MS whatever the guest writes.
		 */
		if (now < xd->rekey_next) {
			xd->rekey_pending = true;
			return;
		}
		why |= XB_WHY_REKEY;
	}
	if (why & XB_WHY_REKEY) {
		xd->rekey_pending = false;
		xd->rekey_next = now + XENBACK_REKEY_MS;
	}

	if (fe_state != XenbusStateConnected &&
	    fe_state != XenbusStateInitialised)
		xd->reattach = false;
	switch (fe_state) {
	case XenbusStateInitialising:
		if (xd->conn == XENBACK_CONN_CONNECTED ||
		    xd->conn == XENBACK_CONN_CLOSING ||
		    xd->conn == XENBACK_CONN_BROKEN ||
		    xd->be_state == XenbusStateClosed ||
		    xd->be_state == XenbusStateClosing) {
			xenback_disconnect(xd);
			/*
			 * Not while the toolstack is taking the vif away: it
			 * waits for Closed, and a frontend that never started
			 * (the toolstack's Initialising) would otherwise get
			 * InitWait back at the next event of our directory.
			 */
			if (xenback_vif_offline(xd))
				break;
			if (!xenback_cycle_allowed(xd, now))
				break;	/* XB_WHY_TIMER brings us back */
			if (xd->conn == XENBACK_CONN_BROKEN)
				XENBACK_LOG(NOTICE,
					    "%s: frontend starts over after a protocol violation",
					    xd->name);
			xenback_initwait(xd);
		}
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (xd->conn == XENBACK_CONN_CONNECTED) {
			if (!(why & XB_WHY_REKEY) || !xenback_rekeyed(xd))
				break;
			xenback_disconnect(xd);
			if (!xenback_cycle_allowed(xd, now)) {
				/* over budget: it must start over properly */
				XENBACK_LOG(NOTICE,
					    "%s: frontend changed its rings: closing",
					    xd->name);
				xenback_switch(xd, XenbusStateClosing);
				break;
			}
			XENBACK_LOG(NOTICE,
				    "%s: frontend changed its rings: reconnecting",
				    xd->name);
		}
		if (xd->be_state != XenbusStateInitWait &&
		    xd->be_state != XenbusStateConnected)
			break;	/* wait for the frontend to start over */
		if (!xenback_hotplug_ready(xd))
			break;	/* the watch on our directory brings us back */
		rc = xenback_connect(xd);
		if (rc == 0) {
			xd->reattach = false;
			xenback_switch(xd, XenbusStateConnected);
		} else if (xd->reattach) {
			/*
			 * Its rings are gone: it is starting over (net_xennet
			 * does on seeing InitWait). Wait for its new keys.
			 */
			XENBACK_LOG(NOTICE,
				    "%s: cannot take over the frontend's rings; waiting for it to reconnect",
				    xd->name);
			xd->reattach = false;
		} else {
			/* what xenbus_dev_fatal does: refuse, close */
			xd->refused++;
			xenback_set_conn(xd, XENBACK_CONN_CLOSING);
			xenback_switch(xd, XenbusStateClosing);
		}
		break;
	case XenbusStateClosing:
		xenback_disconnect(xd);
		xenback_set_conn(xd, XENBACK_CONN_CLOSING);
		xenback_switch(xd, XenbusStateClosing);
		break;
	case XenbusStateClosed:
	case XenbusStateUnknown:
		xenback_disconnect(xd);
		xenback_set_conn(xd, XENBACK_CONN_CLOSING);
		xenback_switch(xd, XenbusStateClosed);
		break;
	case XenbusStateReconfiguring:
	case XenbusStateReconfigured:
		break;	/* nothing of ours can be reconfigured */
	default:
		XENBACK_LOG(ERR, "%s: frontend %s has a bad state: closing",
			    xd->name, xd->fe_path);
		xenback_disconnect(xd);
		xenback_set_conn(xd, XENBACK_CONN_CLOSING);
		xenback_switch(xd, XenbusStateClosing);
		break;
	}
}

static void
xenback_fire_lsc(struct xenback_dev *xd, bool lsc)
{
	if (lsc)
		rte_eth_dev_callback_process(xd->eth_dev,
					     RTE_ETH_EVENT_INTR_LSC, NULL);
}

/*
 * eth_dev_priv_dump (rte_eth_dev_priv_dump, telemetry's /ethdev/dump_priv):
 * the vif as the control path sees it, and each ring's indices.
 */
int
xenback_xenbus_dump(struct xenback_dev *xd, FILE *f)
{
	unsigned int i;

	pthread_mutex_lock(&xd->lock);
	if (xd->by_name)
		fprintf(f, "vif %u of domain \"%s\": %s\n", xd->devid,
			xd->domain, xd->bound ? "bound" :
			"waiting for the domain's vif");
	fprintf(f, "vif %u.%u: backend %s, frontend %s\n", xd->fe_domid,
		xd->devid, xd->be_path[0] ? xd->be_path : "-",
		xd->fe_path[0] ? xd->fe_path : "-");
	fprintf(f, "connection: %s, backend state %s, %s, %s\n",
		xenback_conn_names[xd->conn],
		xenpv_bus_state_name(xd->be_state),
		xd->configured ? "configured" : "not configured",
		xd->started ? "started" : "stopped");
	if (xd->hotplug_wait)
		fprintf(f, "waiting for hotplug-status=connected\n");
	if (xd->offline_held)
		fprintf(f, "not offered: the vif's online key is 0\n");
	if (xd->conn != XENBACK_CONN_ABSENT)
		fprintf(f, "toolstack: guest MAC " RTE_ETHER_ADDR_PRT_FMT ", MTU %u%s; port MTU %u (%s)\n",
			RTE_ETHER_ADDR_BYTES(&xd->guest_mac), xd->ts_mtu,
			xd->ts_mtu == 0 ? " (no mtu key)" : "",
			xd->eth_dev->data->mtu,
			xd->app_mtu != 0 ? "the application's" :
			xd->ts_mtu != 0 ? "the toolstack's" : "ethdev's default");
	fprintf(f, "configured: max %u queues, ring order %u, sg %d, csum %d, gso %d, split %d\n",
		xd->cfg.max_queues, xd->cfg.max_order, xd->cfg.pv.sg,
		xd->cfg.pv.csum, xd->cfg.pv.gso, xd->cfg.pv.split);
	fprintf(f, "advertised: %u queues, gso %d (configured: %u queues, gso %d)\n",
		xd->adv.queues, xd->adv.gso, xd->want.queues, xd->want.gso);
	fprintf(f, "carrier: %s; Rx interrupts: %s\n",
		xd->carrier_down ? "down" : "up",
		xd->eth_dev->data->dev_conf.intr_conf.rxq ? "on" : "off");
	fprintf(f, "connections %" PRIu64 ", disconnections %" PRIu64
		", violations %" PRIu64 ", refused %" PRIu64 "\n",
		xd->cnt.connects, xd->cnt.disconnects, xd->cnt.violations,
		xd->refused);
	if (xd->conn == XENBACK_CONN_CONNECTED) {
		fprintf(f, "negotiated: %u queues, ring order %u, %s event channels, sg %d, gso v4/v6 %d/%d, csum %d, ipv6 csum %d\n",
			xd->neg.queues, xd->neg.order,
			xd->neg.fe.split ? "split" : "shared", xd->neg.fe.sg,
			xd->neg.fe.gso_tcpv4, xd->neg.fe.gso_tcpv6,
			xd->neg.fe.csum, xd->neg.fe.ipv6_csum);
		fprintf(f, "persistent grants: %s\n", xd->neg.fe.pgnt ? "on" :
			xd->cfg.pgnt ? "offered, not promised" : "off");
		fprintf(f, "zero-copy receive: %s\n", !xd->cfg.rx_zc ? "off" :
			xd->neg.fe.pgnt ? "on" : "configured, no persistent grants");
		for (i = 0; i < xd->neg.queues; i++) {
			const netif_tx_back_ring_t *t = &xd->rxq[i].ring;
			const netif_rx_back_ring_t *r = &xd->txq[i].ring;

			fprintf(f, "queue %u: guest tx ring req_cons %u rsp_prod %u, guest rx ring req_cons %u rsp_prod %u, violations %u/%u\n",
				i, t->req_cons, t->rsp_prod_pvt, r->req_cons,
				r->rsp_prod_pvt,
				xenpv_viol_take(&xd->rxq[i].viol),
				xenpv_viol_take(&xd->txq[i].viol));
		}
		if (xd->ctrl.ring_va != NULL)
			fprintf(f, "control ring: %" PRIu64 " requests, %" PRIu64 " refused; hash %s, types 0x%x, mapping %u entries, steering %s\n",
				xd->ctrl.requests, xd->ctrl.errors,
				xd->hash_dp.alg == XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ ?
				"toeplitz" : "none", xd->hash_dp.types,
				xd->hash_dp.size,
				xd->txq[0].hash != NULL ? "on" : "off");
		else
			fprintf(f, "control ring: none\n");
		rte_rwlock_read_lock(&xd->mcast.lock);
		fprintf(f, "multicast: filter %s (turned on/off %" PRIu64 " time(s) while connected), %" PRIu64 " subscription(s)",
			xd->neg.fe.mcast_filter ? "on" : "off",
			xd->mcast_switches, xd->mcast.n);
		for (i = 0; i < xd->mcast.n; i++)
			fprintf(f, " " RTE_ETHER_ADDR_PRT_FMT,
				RTE_ETHER_ADDR_BYTES(&xd->mcast.addr[i]));
		fprintf(f, "\n");
		rte_rwlock_read_unlock(&xd->mcast.lock);
	}
	pthread_mutex_unlock(&xd->lock);
	return 0;
}

/*
 * A watch event, on the control thread: only noted (XB_WHY_*), acted on
 * once per batch by xenback_ctl_run. A write below the frontend's state
 * node (state/x) changes no state: ignored. Events on our own directory
 * are the toolstack's or our own writes: a re-read, once per batch.
 */
static void
xenback_ctl_event(void *arg, const char *path, const char *token)
{
	struct xenback_dev *xd = arg;

	pthread_mutex_lock(&xd->lock);
	xd->xs_events++;
	xd->batch_events++;
	if (strcmp(token, XB_TOKEN_DIR) == 0) {
		/* a vif appeared or went: of interest only while unbound */
		if (!xd->bound && xenback_dir_event(xd->be_dir, path))
			xd->pending |= XB_WHY_BE;
	} else if (strcmp(token, XB_TOKEN_MC) == 0) {
		xd->pending |= XB_WHY_MCAST;
	} else if (strcmp(token, XB_TOKEN_FE) != 0)
		xd->pending |= XB_WHY_BE;
	else if (xd->fe_watched && strcmp(path, xd->fe_state_path) == 0)
		xd->pending |= XB_WHY_FE;
	pthread_mutex_unlock(&xd->lock);
}

/*
 * What the bursts flagged: logged (once: the connection ends) and the vif
 * closed over xenbus, as xenbus_dev_fatal does. Called from every round of
 * the control thread, at least every XENBACK_VIOL_CHECK_MS while connected.
 */
static void
xenback_check_violations(struct xenback_dev *xd)
{
	const struct xenpv_viol *viol = NULL;
	uint32_t reason = XENPV_VIOL_NONE;
	const char *dir = "tx";
	unsigned int i, qi = 0;
	char peer[32];

	if (xd->conn != XENBACK_CONN_CONNECTED)
		return;
	for (i = 0; i < xd->neg.queues && reason == 0; i++) {
		qi = i;
		dir = "tx";
		viol = &xd->rxq[i].viol;
		reason = xenpv_viol_take(viol);
		if (reason == 0) {
			dir = "rx";
			viol = &xd->txq[i].viol;
			reason = xenpv_viol_take(viol);
		}
	}
	if (reason == XENPV_VIOL_NONE) {
		dir = "control";
		qi = 0;
		viol = &xd->ctrl.viol;
		reason = xenpv_viol_take(viol);
	}
	if (reason == XENPV_VIOL_NONE)
		return;
	snprintf(peer, sizeof(peer), "frontend domain %u", xd->fe_domid);
	xenpv_viol_log(xenback_logtype, xd->name, peer, dir, qi, viol);
	xd->cnt.violations++;
	xenback_disconnect(xd);
	xenback_set_conn(xd, XENBACK_CONN_BROKEN);
	xenback_switch(xd, XenbusStateClosing);
}

/*
 * One round of the control thread (struct xenpv_ctl): after a batch of
 * watch events, a kick, or the timeout it returned last. Returns how long
 * the thread may sleep (ms; -1: until an event).
 */
static int
xenback_ctl_run(void *arg)
{
	struct xenback_dev *xd = arg;
	uint64_t now = xenpv_now_ms(), t = UINT64_MAX;
	uint32_t why;
	bool lsc, rmv;

	pthread_mutex_lock(&xd->lock);
	why = xd->pending;
	xd->pending = 0;
	if (xd->batch_events > 1)
		xd->xs_coalesced += xd->batch_events - 1;
	xd->batch_events = 0;
	if (!xd->closing) {
		if (xd->reconnect.at != 0 && now >= xd->reconnect.at)
			why |= XB_WHY_TIMER;
		if (xd->rekey_pending && now >= xd->rekey_next)
			why |= XB_WHY_REKEY;
		/* the vif's carrier key (xenback_ops.c) */
		if (why & (XB_WHY_BE | XB_WHY_ALL))
			xenback_carrier_follow(xd);
		if (why & ~XB_WHY_MCAST)
			xenback_reconcile(xd, why & ~XB_WHY_MCAST);
		if (why & XB_WHY_MCAST)
			xenback_mcast_follow(xd);
		/* a held InitWait nobody asked for any more lapses */
		if (xd->reconnect.at != 0 && now >= xd->reconnect.at)
			xd->reconnect.at = 0;
		/* the control ring's requests; its channel woke us */
		if (xenback_ctrl_serve(xd))
			t = now;
		xenback_check_violations(xd);
		if (xd->conn == XENBACK_CONN_CONNECTED) {
			unsigned int i;

			/* kicks owed on rings nobody polls now */
			for (i = 0; i < xd->neg.queues; i++) {
				xenpv_kick_flush(&xd->rxq[i].kick, false,
						 &xd->rxq[i].st.notify);
				xenpv_kick_flush(&xd->txq[i].kick, false,
						 &xd->txq[i].st.notify);
			}
			t = RTE_MIN(t, now + XENBACK_VIOL_CHECK_MS);
		}
		if (xd->reconnect.at != 0)
			t = RTE_MIN(t, xd->reconnect.at);
		if (xd->rekey_pending)
			t = RTE_MIN(t, xd->rekey_next);
	}
	lsc = xd->lsc_pending;
	xd->lsc_pending = false;
	rmv = xd->rmv_pending;
	xd->rmv_pending = false;
	pthread_mutex_unlock(&xd->lock);
	xenback_fire_lsc(xd, lsc);
	/*
	 * The vif went: the application may let the port go (testpmd
	 * does, from an alarm; closing it from inside the callback, on
	 * this thread, cannot join this thread). The port stays otherwise,
	 * and a port bound by name serves the domain's next vif.
	 */
	if (rmv)
		rte_eth_dev_callback_process(xd->eth_dev,
					     RTE_ETH_EVENT_INTR_RMV, NULL);
	if (t == UINT64_MAX)
		return -1;
	return t > now ? (int)RTE_MIN(t - now, (uint64_t)INT32_MAX) : 0;
}

/* Our own domain id: the store resolves the relative key per caller. */
static uint16_t
xenback_self_domid(struct xenback_dev *xd)
{
	unsigned long v;

	if (xenpv_xs_read_uint(xd->xs, XBT_NULL, &v, DOMID_FIRST_RESERVED - 1,
			       "domid") == 0)
		return (uint16_t)v;
	XENBACK_LOG(INFO, "%s: no readable \"domid\" key: assuming domain 0",
		    xd->name);
	return 0;
}

int
xenback_xenbus_start(struct xenback_dev *xd)
{
	char tname[RTE_MAX_THREAD_NAME_LEN];
	int rc, n;

	xd->be_state = XenbusStateUnknown;
	xd->fe_seen = XB_FE_NONE;
	xd->want.queues = xd->cfg.max_queues;
	/* by name: offered before dev_configure, without GSO (initwait) */
	xd->want.gso = xd->cfg.pv.gso && !xd->by_name;
	xd->adv = xd->want;

	xd->xs = xs_open(0);
	if (xd->xs == NULL) {
		XENBACK_LOG(ERR, "%s: cannot connect to xenstore: %s",
			    xd->name, strerror(errno));
		return errno ? -errno : -EIO;
	}
	xd->xgt = xengnttab_open(NULL, 0);
	xd->xce = xenevtchn_open(NULL, 0);
	xd->ctrl_xce = xenevtchn_open(NULL, 0);
	if (xd->xgt == NULL || xd->xce == NULL || xd->ctrl_xce == NULL) {
		rc = -(errno ? errno : EIO);
		XENBACK_LOG(ERR, "%s: cannot open the %s device: %s", xd->name,
			    xd->xgt == NULL ? "grant-table" : "event channel",
			    strerror(-rc));
		goto fail;
	}
	/* two rings of up to 2^max_order pages per queue, the control ring */
	(void)xengnttab_set_max_grants(xd->xgt,
				       (2u * xd->cfg.max_queues << xd->cfg.max_order) + 1);

	xd->self_domid = xenback_self_domid(xd);
	snprintf(xd->be_dir, sizeof(xd->be_dir),
		 "/local/domain/%u/backend/vif", xd->self_domid);
	n = snprintf(xd->be_path, sizeof(xd->be_path), "%s/%u/%u",
		     xd->be_dir, xd->fe_domid, xd->devid);
	if (n < 0 || (size_t)n >= sizeof(xd->be_path)) {
		rc = -ENAMETOOLONG;
		goto fail;
	}
	if (xd->by_name)
		xd->be_path[0] = '\0';	/* xenback_vif_bind finds it */

	/* the port's control thread, before the first watch fires */
	snprintf(tname, sizeof(tname), "xb-ctl-%u", xd->port_id);
	rc = xenpv_ctl_start_fd(&xd->ctl, tname, xd->xs, xenback_ctl_event,
				xenback_ctl_run, xd, xenback_logtype,
				xenevtchn_fd(xd->ctrl_xce));
	if (rc < 0)
		goto fail;
	/*
	 * Fires once at once: a vif that already exists is taken on. The
	 * first watch starts libxenstore's reader thread: on a control
	 * thread, so that it does not share the main lcore with the poller.
	 * A port bound by name watches backend/vif until it finds its
	 * domain's vif (xenback_vif_bind).
	 */
	/* (set first: the watch fires at once, on the control thread) */
	xd->dir_watched = xd->by_name;
	rc = xenpv_xs_watch(xd->xs, xd->by_name ? xd->be_dir : xd->be_path,
			    xd->by_name ? XB_TOKEN_DIR : XB_TOKEN_BE);
	if (rc < 0) {
		xd->dir_watched = false;
		XENBACK_LOG(ERR, "%s: cannot watch %s: %s", xd->name,
			    xd->by_name ? xd->be_dir : xd->be_path,
			    strerror(-rc));
		xenpv_ctl_stop(&xd->ctl);
		goto fail;
	}
	XENBACK_LOG(INFO, "%s: watching %s", xd->name,
		    xd->by_name ? xd->be_dir : xd->be_path);
	/*
	 * Take on a vif that exists already now rather than when the
	 * watch's first event arrives, so that dev_configure finds it.
	 */
	pthread_mutex_lock(&xd->lock);
	xenback_reconcile(xd, XB_WHY_ALL);
	xd->lsc_pending = false;
	pthread_mutex_unlock(&xd->lock);
	return 0;

fail:
	if (xd->ctrl_xce != NULL)
		xenevtchn_close(xd->ctrl_xce);
	xd->ctrl_xce = NULL;
	if (xd->xce != NULL)
		xenevtchn_close(xd->xce);
	if (xd->xgt != NULL)
		xengnttab_close(xd->xgt);
	xs_close(xd->xs);
	xd->xce = NULL;
	xd->xgt = NULL;
	xd->xs = NULL;
	return rc;
}

void
xenback_xenbus_stop(struct xenback_dev *xd)
{
	if (xd->xs == NULL)
		return;
	pthread_mutex_lock(&xd->lock);
	xd->closing = true;
	pthread_mutex_unlock(&xd->lock);

	/* the control thread takes the lock: end it without holding it */
	xenpv_ctl_stop(&xd->ctl);

	pthread_mutex_lock(&xd->lock);
	if (xd->conn == XENBACK_CONN_CONNECTED) {
		xenback_disconnect(xd);
		/*
		 * Leave the frontend's rings as they are and say the backend
		 * is waiting again: a backend process started later
		 * reattaches (Linux netfront ignores InitWait once connected).
		 */
		xenback_switch(xd, XenbusStateInitWait);
	}
	if (xd->fe_watched)
		xs_unwatch(xd->xs, xd->fe_state_path, XB_TOKEN_FE);
	xenback_watch_mcast(xd, false);
	if (xd->be_path[0] != '\0')
		xs_unwatch(xd->xs, xd->be_path, XB_TOKEN_BE);
	xenback_watch_dir(xd, false);
	xd->fe_watched = false;
	xenback_set_conn(xd, XENBACK_CONN_ABSENT);
	pthread_mutex_unlock(&xd->lock);

	xenevtchn_close(xd->ctrl_xce);
	xenevtchn_close(xd->xce);
	xengnttab_close(xd->xgt);
	xs_close(xd->xs);
	xd->ctrl_xce = NULL;
	xd->xce = NULL;
	xd->xgt = NULL;
	xd->xs = NULL;
}

/*
 * dev_configure: advertise what the port is now configured to take: as
 * many netif queues as it has RX and TX queues, the smaller of the two
 * (bounded by max_queues), so that every guest TX ring has an RX queue of
 * its own that even an application polling only min(RX, TX) queues
 * (testpmd) reads; more TX queues share them (xenback.h). GSO only if the
 * application takes LRO packets.
 *
 * The first configuration releases a vif held before InitWait. A frontend
 * connected already keeps what it negotiated (Linux netfront cannot
 * renegotiate without reconnecting); every one of its queues is still
 * served, and it gets the new offer the next time it starts over.
 */
int
xenback_xenbus_configure(struct xenback_dev *xd)
{
	struct rte_eth_dev_data *data = xd->eth_dev->data;
	uint16_t queues;
	bool gso, first;
	int rc = 0, fe_state;

	queues = RTE_MIN(data->nb_rx_queues, data->nb_tx_queues);
	queues = RTE_MIN(queues, xd->cfg.max_queues);
	if (queues == 0)
		queues = 1;
	gso = xd->cfg.pv.gso &&
	      (data->dev_conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_TCP_LRO);

	pthread_mutex_lock(&xd->lock);
	xd->want.queues = queues;
	xd->want.gso = gso;
	first = !xd->configured;
	xd->configured = true;
	if (xd->conn == XENBACK_CONN_HELD) {
		/* a vif held before InitWait: offer */
		if (!xd->closing)
			xenback_initwait(xd);
	} else if (xd->conn != XENBACK_CONN_ABSENT &&
		   xd->conn != XENBACK_CONN_CONNECTED &&
		   (xd->want.queues != xd->adv.queues ||
		    xd->want.gso != xd->adv.gso)) {
		fe_state = xd->conn == XENBACK_CONN_INITWAIT ?
			xenpv_bus_read_state(xd->xs, xd->fe_path) :
			XenbusStateUnknown;
		if (fe_state == XenbusStateInitialising ||
		    fe_state == XenbusStateInitialised ||
		    fe_state == XenbusStateConnected)
			/* it may have read the offer: never change it under it */
			XENBACK_LOG(NOTICE,
				    "%s: frontend %s may be connecting with the offer of %u queue(s), gso %d: the new offer (%u, gso %d) applies when it next starts over",
				    xd->name, xd->fe_path, xd->adv.queues,
				    xd->adv.gso, xd->want.queues,
				    xd->want.gso);
		else
			rc = xenback_write_features(xd);
	}
	/* the first configuration: see who waits (connect) */
	if (first && xd->conn != XENBACK_CONN_ABSENT && !xd->closing)
		xenback_reconcile(xd, XB_WHY_ALL);
	pthread_mutex_unlock(&xd->lock);
	return rc;
}

/* mtu_set: the largest MTU the guest can take (xenback.h), written for it. */
int
xenback_xenbus_set_mtu(struct xenback_dev *xd, uint16_t mtu)
{
	uint32_t max;
	int rc = 0;

	pthread_mutex_lock(&xd->lock);
	max = xenback_mtu_max(xd);
	if (mtu > max) {
		XENBACK_LOG(ERR,
			    "%s: MTU %u is above %u, the most the guest can receive%s",
			    xd->name, mtu, max,
			    !xd->cfg.pv.sg ? " (devarg sg=0)" :
			    " (it did not negotiate " XENPV_NETIF_FEATURE_SG ")");
		rc = -EINVAL;
	} else {
		unsigned int i;

		xd->app_mtu = mtu;
		/* bursts may be running: they read it relaxed */
		for (i = 0; i < XENPV_NETIF_MAX_QUEUES; i++)
			__atomic_store_n(&xd->rxq[i].max_frame,
					 (uint32_t)mtu + XENBACK_MTU_OVERHEAD,
					 __ATOMIC_RELAXED);
		if (xd->conn != XENBACK_CONN_ABSENT && xd->xs != NULL &&
		    xenpv_xs_printf(xd->xs, XBT_NULL, xd->be_path, XENPV_NETIF_MTU, "%u",
				    mtu) < 0)
			XENBACK_LOG(WARNING, "%s: cannot write %s/mtu",
				    xd->name, xd->be_path);
	}
	pthread_mutex_unlock(&xd->lock);
	return rc;
}

void
xenback_xenbus_set_started(struct xenback_dev *xd, bool started)
{
	pthread_mutex_lock(&xd->lock);
	xd->started = started;
	if (started)
		xenback_open_queues(xd);
	else
		xenback_close_queues(xd);
	xenback_update_link(xd);
	/* the application changed the link itself: no event */
	xd->lsc_pending = false;
	pthread_mutex_unlock(&xd->lock);
}
