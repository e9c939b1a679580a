/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xennet: netif's multicast control (netif.h, "feature-multicast-
 * control"), the port's multicast filter.
 *
 * A backend that offers feature-multicast-control filters what it sends
 * us once we write request-multicast-control=1 before Connected: it then
 * drops every multicast frame (broadcast excepted) whose group we did not
 * subscribe to, and we subscribe and unsubscribe with dummy TX requests
 * carrying an MCAST_ADD or MCAST_DEL extra, each answered OKAY or ERROR.
 * The key is written before Connected; a backend that also offers
 * feature-dynamic-multicast-control (Linux netback, net_xenback) watches
 * it while connected, so:
 *
 *  - allmulticast (the port's default, as a vif without filtering always
 *    is) means: do not ask for filtering. allmulticast_disable asks for it,
 *    allmulticast_enable stops it: at once against a dynamic backend
 *    (request-multicast-control rewritten while connected: on, after our
 *    groups were sent, so that none of them is dropped meanwhile; off,
 *    before), otherwise from the next connection on (at once if the port
 *    is not connected yet, e.g. before dev_start; while connected a change
 *    is logged and waits for a port restart, or the backend's). Linux
 *    netfront never asks for filtering, so a Linux guest gets every group
 *    whatever IFF_ALLMULTI says: the default here is the same.
 *  - set_mc_addr_list keeps the application's groups (across
 *    connections) and, while the backend filters for us, brings its list
 *    to them at once: MCAST_DEL for each group dropped, then MCAST_ADD for
 *    each new one, each answer awaited at most XENNET_CTRL_TIMEOUT_MS. An
 *    ERROR (a backend holds 64 groups, Linux netback too) fails the call
 *    with -ENOSPC, a missing answer with -ETIMEDOUT; the port's list is
 *    then what the backend holds. At each connection the whole list is
 *    sent once the backend is Connected (before the link goes up); a
 *    failure there is counted (mcast_control_errors) and logged.
 *
 * Serialising with the application's bursts: a request goes on the TX ring
 * of netif queue 0, which the application's tx_burst on ethdev TX queue 0
 * (and on every TX queue i with i mod n == 0) fills without a lock. The
 * control path (under ad->lock: the application's thread or the port's
 * control thread) closes the guards of those queues (xenpv_dp_close waits
 * for a burst inside to leave; a burst meanwhile returns 0, as while the
 * port is disconnected), posts and awaits its requests on the ring it then
 * owns, and opens the guards again. A tx_burst on those queues may thus
 * send nothing for the few microseconds a request takes (at most the
 * timeout, against a backend that does not answer).
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <ethdev_driver.h>

#include "xennet.h"

static bool
xennet_mc_has(const struct rte_ether_addr *list, uint32_t n,
	      const struct rte_ether_addr *a)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (rte_is_same_ether_addr(&list[i], a))
			return true;
	return false;
}

/* Does the backend filter for us now, with a ring to talk to it? */
static bool
xennet_mc_live(const struct xennet_adapter *ad)
{
	return ad->connected && ad->be_caught_up && ad->neg.mc_filter &&
		!ad->failed;
}

/*
 * Close (@open false) or open again the guards of every ethdev TX queue
 * that sends on netif queue 0's ring (TX queue i, i mod n == 0). @was
 * remembers which were open, so that only those are opened again.
 */
static void
xennet_mc_ring0(struct xennet_adapter *ad, bool open, bool *was)
{
	struct rte_eth_dev_data *data = ad->dev->data;
	uint16_t q;

	for (q = 0; q < data->nb_tx_queues; q += ad->neg.queues) {
		struct xennet_txq *txq = data->tx_queues[q];

		if (txq == NULL)
			continue;
		if (!open) {
			was[q] = xenpv_dp_is_open(&txq->guard);
			xenpv_dp_close(&txq->guard);
		} else if (was[q]) {
			xenpv_dp_open(&txq->guard);
		}
	}
}

/* One MCAST_ADD/DEL on the quiesced ring @txq, its answer awaited. */
static int
xennet_mc_op(struct xennet_adapter *ad, struct xennet_txq *txq,
	     uint8_t type, const struct rte_ether_addr *a)
{
	const char *what = type == XEN_NETIF_EXTRA_TYPE_MCAST_ADD ?
		"subscribe to" : "unsubscribe from";
	uint64_t end = xenpv_now_ms() + XENNET_CTRL_TIMEOUT_MS;
	char s[RTE_ETHER_ADDR_FMT_SIZE];
	int16_t status = NETIF_RSP_NULL;
	uint16_t id;
	int rc;

	rte_ether_format_addr(s, sizeof(s), a);
	while ((rc = xennet_tx_ctl_post(txq, type, a, &id)) == -EAGAIN &&
	       xenpv_now_ms() < end)
		rte_delay_us_sleep(20);
	while (rc == 0) {
		rc = xennet_tx_ctl_poll(txq, id, &status);
		if (rc != 0)
			break;
		if (xenpv_now_ms() >= end) {
			rc = -ETIMEDOUT;
			break;
		}
		rte_delay_us_sleep(20);
	}
	if (rc == 1 && status == NETIF_RSP_OKAY) {
		ad->mc.ops++;
		return 0;
	}
	ad->mc.errors++;
	if (rc == 1) {
		/* we send multicast groups only: ERROR is a full list */
		XENNET_LOG(ERR, "%s: backend %s refused to %s multicast group %s (status %d%s)",
			   ad->name, ad->be_path, what, s, status,
			   status == NETIF_RSP_ERROR ? ": its list is full" : "");
		return -ENOSPC;
	}
	if (rc == -EAGAIN || rc == -ETIMEDOUT) {
		XENNET_LOG(ERR, "%s: backend %s did not answer in %u ms (request to %s multicast group %s)",
			   ad->name, ad->be_path, XENNET_CTRL_TIMEOUT_MS, what,
			   s);
		return -ETIMEDOUT;
	}
	XENNET_LOG(ERR, "%s: the TX ring of backend %s is broken: cannot %s multicast group %s",
		   ad->name, ad->be_path, what, s);
	return -EPROTO;
}

/*
 * Bring the backend's list (mc.be) to the application's (mc.addr): the
 * groups dropped first (room for the new ones), then the new ones. Stops
 * at the first failure; mc.be is what the backend holds either way.
 */
static int
xennet_mc_sync(struct xennet_adapter *ad)
{
	struct xennet_mc *mc = &ad->mc;
	struct xennet_txq *txq = ad->dev->data->tx_queues[0];
	bool was[RTE_MAX_QUEUES_PER_PORT];
	uint32_t i;
	int rc = 0;

	xennet_mc_ring0(ad, false, was);
	for (i = 0; i < mc->nb_be && rc == 0; ) {
		if (xennet_mc_has(mc->addr, mc->n, &mc->be[i])) {
			i++;
			continue;
		}
		rc = xennet_mc_op(ad, txq, XEN_NETIF_EXTRA_TYPE_MCAST_DEL,
				  &mc->be[i]);
		if (rc == 0)
			mc->be[i] = mc->be[--mc->nb_be];
	}
	for (i = 0; i < mc->n && rc == 0; i++) {
		if (xennet_mc_has(mc->be, mc->nb_be, &mc->addr[i]))
			continue;
		rc = xennet_mc_op(ad, txq, XEN_NETIF_EXTRA_TYPE_MCAST_ADD,
				  &mc->addr[i]);
		if (rc == 0)
			mc->be[mc->nb_be++] = mc->addr[i];
	}
	xennet_mc_ring0(ad, true, was);
	return rc;
}

/* The control thread, the backend Connected: send the whole list. */
void
xennet_mcast_apply(struct xennet_adapter *ad)
{
	int rc;

	if (!xennet_mc_live(ad))
		return;
	rc = xennet_mc_sync(ad);
	if (rc < 0)
		XENNET_LOG(ERR, "%s: backend %s filters multicast for %u of the %u group(s) asked for: %s",
			   ad->name, ad->be_path, ad->mc.nb_be, ad->mc.n,
			   strerror(-rc));
	else
		XENNET_LOG(INFO, "%s: backend %s filters multicast: %u group(s)",
			   ad->name, ad->be_path, ad->mc.nb_be);
}

int
xennet_set_mc_addr_list(struct rte_eth_dev *dev, struct rte_ether_addr *mc,
			uint32_t nb)
{
	struct xennet_adapter *ad = xennet_adapter(dev);
	char s[RTE_ETHER_ADDR_FMT_SIZE];
	uint32_t i, n = 0;
	int rc = 0;

	if (nb > XENNET_MC_MAX) {
		XENNET_LOG(ERR, "%s: %u multicast groups: at most %u",
			   ad->name, nb, XENNET_MC_MAX);
		return -ENOSPC;
	}
	for (i = 0; i < nb; i++) {
		if (!rte_is_multicast_ether_addr(&mc[i])) {
			rte_ether_format_addr(s, sizeof(s), &mc[i]);
			XENNET_LOG(ERR, "%s: %s is not a multicast address",
				   ad->name, s);
			return -EINVAL;
		}
	}
	pthread_mutex_lock(&ad->lock);
	for (i = 0; i < nb; i++)
		if (!xennet_mc_has(ad->mc.addr, n, &mc[i]))
			ad->mc.addr[n++] = mc[i];
	ad->mc.n = n;
	if (xennet_mc_live(ad)) {
		rc = xennet_mc_sync(ad);
		if (rc < 0) {
			/* what the port filters for: the backend's list */
			memcpy(ad->mc.addr, ad->mc.be,
			       sizeof(ad->mc.be[0]) * ad->mc.nb_be);
			ad->mc.n = ad->mc.nb_be;
		}
	} else if (ad->connected && !ad->neg.mc_filter &&
		   !dev->data->all_multicast) {
		XENNET_LOG(NOTICE, "%s: multicast groups kept; backend %s %s: every group arrives until %s",
			   ad->name, ad->be_path,
			   ad->neg.peer.mcast_ctrl ?
			   "filters from the next connection on" :
			   "offers no multicast control",
			   ad->neg.peer.mcast_ctrl ? "then" : "it does");
	}
	pthread_mutex_unlock(&ad->lock);
	return rc;
}

/*
 * allmulticast_enable (@filter false) and _disable (true): ethdev keeps
 * the mode. While connected to a backend that follows the key
 * (feature-dynamic-multicast-control) the change is made at once;
 * otherwise it waits for the next connection.
 */
static int
xennet_allmulti_set(struct rte_eth_dev *dev, bool filter)
{
	struct xennet_adapter *ad = xennet_adapter(dev);
	int rc = 0;

	pthread_mutex_lock(&ad->lock);
	if (!ad->connected || !ad->neg.peer.mcast_ctrl ||
	    ad->neg.mc_filter == filter) {
		pthread_mutex_unlock(&ad->lock);
		return 0;
	}
	if (!ad->neg.peer.mcast_dyn) {
		XENNET_LOG(NOTICE, "%s: backend %s samples request-multicast-control at connection: multicast %s from the next connection on",
			   ad->name, ad->be_path,
			   filter ? "filtered" : "unfiltered");
		pthread_mutex_unlock(&ad->lock);
		return 0;
	}
	if (filter) {
		/* our groups first: none of them is dropped meanwhile */
		ad->neg.mc_filter = true;
		if (xennet_mc_live(ad) && xennet_mc_sync(ad) < 0)
			XENNET_LOG(ERR, "%s: backend %s filters multicast for %u of the %u group(s) asked for",
				   ad->name, ad->be_path, ad->mc.nb_be,
				   ad->mc.n);
	}
	rc = xenpv_xs_write(ad->xs, XBT_NULL, ad->fe_path,
			    XENPV_NETIF_REQUEST_MCAST_CTRL, filter ? "1" : "0");
	if (rc < 0) {
		XENNET_LOG(ERR, "%s: cannot write %s/%s: %s", ad->name,
			   ad->fe_path, XENPV_NETIF_REQUEST_MCAST_CTRL,
			   strerror(-rc));
		/* the backend goes on as it was */
		ad->neg.mc_filter = !filter;
	} else {
		ad->neg.mc_filter = filter;
		XENNET_LOG(INFO, "%s: backend %s: multicast %s", ad->name,
			   ad->be_path, filter ? "filtered" : "unfiltered");
	}
	pthread_mutex_unlock(&ad->lock);
	return rc;
}

int
xennet_allmulticast_enable(struct rte_eth_dev *dev)
{
	return xennet_allmulti_set(dev, false);
}

int
xennet_allmulticast_disable(struct rte_eth_dev *dev)
{
	return xennet_allmulti_set(dev, true);
}

/* priv_dump's part (under lock, connected). */
void
xennet_mcast_dump(struct xennet_adapter *ad, FILE *f)
{
	char s[RTE_ETHER_ADDR_FMT_SIZE];
	uint32_t i;

	fprintf(f, "multicast: backend offers control %d (dynamic %d), filtering %s, %u group(s) kept, %u held by the backend, %" PRIu64 " requests, %" PRIu64 " errors\n",
		ad->neg.peer.mcast_ctrl, ad->neg.peer.mcast_dyn,
		ad->neg.mc_filter ? "on" : "off",
		ad->mc.n, ad->mc.nb_be, ad->mc.ops, ad->mc.errors);
	for (i = 0; i < ad->mc.nb_be; i++) {
		rte_ether_format_addr(s, sizeof(s), &ad->mc.be[i]);
		fprintf(f, "  group %s\n", s);
	}
}
