/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xennet: the vif's control ring (netif.h, "Control ring") and the RSS
 * ops built on it.
 *
 * When the backend offers feature-ctrl-ring, each connection shares one
 * ring page and two read-only data pages (the key, the mapping table) and
 * binds an event channel on a handle of its own; ctrl-ring-ref and
 * event-channel-ctrl are written with the other keys (xennet_xenbus.c).
 * The application's RSS settings are queued in the ring before we say
 * Connected (xennet_ctrl_prequeue, as RX buffers are posted before), and
 * their answers are taken once the backend is Connected
 * (xennet_ctrl_apply): a backend that serves what it finds queued as it
 * connects (net_xenback does) steers the first frame it sends us by them,
 * so no flow moves to another queue under traffic, and our link comes up
 * without a round trip per request. A backend that refuses one of them
 * gets them again one at a time, adapted to its answers (its hash types,
 * its largest table). rss_hash_update / reta_update send theirs while
 * connected; otherwise they are kept and sent at the next connection.
 * rss_hash_conf_get and reta_query read back what is kept (netif has no
 * request that reads a key or a table).
 *
 * Otherwise one request at a time, under ad->lock (the application's thread or the
 * port's control thread). Each answer is checked: its id must be the
 * request's (an answer to an earlier request that timed out is skipped),
 * its type the request's, its status one of netif's, and a producer index
 * past our requests is a bad backend: the ring is not used again on this
 * connection. An answer that does not come within XENNET_CTRL_TIMEOUT_MS
 * fails the call with -ETIMEDOUT; the thread polls the channel's
 * descriptor meanwhile, it never waits unbounded. A key or table is
 * written into the data page before its request and the page is not
 * reused until the answer (after a timeout a late backend may read the
 * next one's: it only ever reads it).
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <ethdev_driver.h>

#include "xennet.h"

/*
 * The key until the application gives one: the RSS key of Microsoft's
 * verification vectors, the common default of NICs.
 */
static const uint8_t xennet_default_key[XENPV_NETIF_HASH_KEY_MAX] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static const char *
xennet_ctrl_type_name(uint16_t type)
{
	switch (type) {
	case XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS: return "GET_HASH_FLAGS";
	case XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS: return "SET_HASH_FLAGS";
	case XEN_NETIF_CTRL_TYPE_SET_HASH_KEY: return "SET_HASH_KEY";
	case XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE:
		return "GET_HASH_MAPPING_SIZE";
	case XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE:
		return "SET_HASH_MAPPING_SIZE";
	case XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING: return "SET_HASH_MAPPING";
	case XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM:
		return "SET_HASH_ALGORITHM";
	default: return "?";
	}
}

/* The RSS types of DPDK as netif hash types, and back. */
static uint32_t
xennet_hf_to_types(uint64_t hf)
{
	uint32_t t = 0;

	if (hf & RTE_ETH_RSS_IPV4)
		t |= XEN_NETIF_CTRL_HASH_TYPE_IPV4;
	if (hf & RTE_ETH_RSS_NONFRAG_IPV4_TCP)
		t |= XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP;
	if (hf & RTE_ETH_RSS_IPV6)
		t |= XEN_NETIF_CTRL_HASH_TYPE_IPV6;
	if (hf & RTE_ETH_RSS_NONFRAG_IPV6_TCP)
		t |= XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP;
	return t;
}

/* Wait up to @ms for the channel (a kick); the pending event is taken. */
static void
xennet_ctrl_wait(struct xennet_ctrl *c, int ms)
{
	struct pollfd pfd = { .fd = xenevtchn_fd(c->xce), .events = POLLIN };
	xenevtchn_port_or_error_t p;

	unsigned int i;

	/* xenevtchn_pending blocks when nothing is pending: poll first */
	for (i = 0; i < 16; i++, ms = 0) {
		if (poll(&pfd, 1, ms) != 1 || !(pfd.revents & POLLIN))
			return;
		p = xenevtchn_pending(c->xce);
		if (p < 0)
			return;
		xenevtchn_unmask(c->xce, (evtchn_port_t)p);
	}
}

/* Put one request in the ring (not yet published); returns its id. */
static uint16_t
xennet_ctrl_post(struct xennet_ctrl *c, uint16_t type, uint32_t d0,
		 uint32_t d1, uint32_t d2)
{
	xen_netif_ctrl_front_ring_t *r = &c->ring;
	struct xen_netif_ctrl_request *req;
	uint16_t id = c->next_id++;

	req = RING_GET_REQUEST(r, r->req_prod_pvt);
	req->id = id;
	req->type = type;
	req->data[0] = d0;
	req->data[1] = d1;
	req->data[2] = d2;
	r->req_prod_pvt++;
	c->calls++;
	return id;
}

/*
 * The answer to request @id of @type, awaited until @deadline (ms): 0 with
 * its data in *data; -ENOTSUP, -EINVAL, -ENOSPC for netif's NOT_SUPPORTED,
 * INVALID_PARAMETER and BUFFER_OVERFLOW (*status says which); -ETIMEDOUT;
 * -EPROTO for a bad answer (the ring is abandoned, logged). Answers to
 * requests that timed out earlier are skipped.
 */
static int
xennet_ctrl_await(struct xennet_adapter *ad, uint16_t id, uint16_t type,
		  uint64_t deadline, uint32_t *data, uint32_t *status)
{
	struct xennet_ctrl *c = &ad->ctrl;
	xen_netif_ctrl_front_ring_t *r = &c->ring;
	struct xen_netif_ctrl_response rsp;
	RING_IDX prod;
	uint64_t now;

	for (;;) {
		if (!xenpv_front_rsp_prod(r, &prod)) {
			XENNET_LOG(ERR, "%s: backend %s: control response producer %u beyond our requests (%u): control ring abandoned",
				   ad->name, ad->be_path, prod, r->req_prod_pvt);
			c->broken = true;
			return -EPROTO;
		}
		while (r->rsp_cons != prod) {
			RING_COPY_RESPONSE(r, r->rsp_cons, &rsp);
			r->rsp_cons++;
			if (rsp.id != id && c->lost > 0) {
				c->lost--;	/* a late answer: dropped */
				continue;
			}
			if (rsp.id != id || rsp.type != type) {
				XENNET_LOG(ERR, "%s: backend %s answered %s (id %u) with id %u, type %u: control ring abandoned",
					   ad->name, ad->be_path,
					   xennet_ctrl_type_name(type), id,
					   rsp.id, rsp.type);
				c->broken = true;
				return -EPROTO;
			}
			*data = rsp.data;
			*status = rsp.status;
			switch (rsp.status) {
			case XEN_NETIF_CTRL_STATUS_SUCCESS:
				return 0;
			case XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED:
				c->errors++;
				return -ENOTSUP;
			case XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER:
				c->errors++;
				return -EINVAL;
			case XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW:
				c->errors++;
				return -ENOSPC;
			default:
				c->errors++;
				XENNET_LOG(ERR, "%s: backend %s answered %s with status %u, not one of netif's",
					   ad->name, ad->be_path,
					   xennet_ctrl_type_name(type),
					   rsp.status);
				return -EPROTO;
			}
		}
		/* ask for a kick at the next answer, then look once more */
		r->sring->rsp_event = r->rsp_cons + 1;
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (xenpv_load_acquire(&r->sring->rsp_prod) != prod)
			continue;
		now = xenpv_now_ms();
		if (now >= deadline)
			break;
		xennet_ctrl_wait(c, (int)RTE_MIN(deadline - now, (uint64_t)10));
	}
	c->lost++;
	c->timeouts++;
	XENNET_LOG(ERR, "%s: backend %s did not answer %s within %u ms",
		   ad->name, ad->be_path, xennet_ctrl_type_name(type),
		   XENNET_CTRL_TIMEOUT_MS);
	return -ETIMEDOUT;
}

/*
 * One request and its answer: 0 with the answer's data in *data, or a
 * negative errno (xennet_ctrl_await's; a refusal is logged here), or
 * -ENODEV without a control ring. Under ad->lock.
 */
static int
xennet_ctrl_call(struct xennet_adapter *ad, uint16_t type, uint32_t d0,
		 uint32_t d1, uint32_t d2, uint32_t *data)
{
	struct xennet_ctrl *c = &ad->ctrl;
	xen_netif_ctrl_front_ring_t *r = &c->ring;
	uint32_t status = 0;
	uint16_t id;
	int notify, rc;

	if (c->ring_va == NULL)
		return -ENODEV;
	if (c->broken)
		return -EPROTO;	/* abandoned after a bad answer */
	if (RING_FULL(r)) {
		XENNET_LOG(ERR, "%s: control ring full of unanswered requests (%u timed out)",
			   ad->name, c->lost);
		return -ETIMEDOUT;
	}
	id = xennet_ctrl_post(c, type, d0, d1, d2);
	xenpv_front_push(r, notify);
	if (notify)
		xenevtchn_notify(c->xce, (evtchn_port_t)c->evtchn);
	rc = xennet_ctrl_await(ad, id, type,
			       xenpv_now_ms() + XENNET_CTRL_TIMEOUT_MS, data,
			       &status);
	if (rc == -ENOTSUP || rc == -EINVAL || rc == -ENOSPC)
		XENNET_LOG(ERR, "%s: backend %s refused %s(%u, %u, %u): status %u (%s)",
			   ad->name, ad->be_path, xennet_ctrl_type_name(type),
			   d0, d1, d2, status, strerror(-rc));
	return rc;
}

/* Entries of the table we send: the backend's limit, ours, the RETA's. */
uint16_t
xennet_reta_size(const struct xennet_adapter *ad)
{
	if (ad->ctrl.map_max != 0)
		return (uint16_t)RTE_MIN(ad->ctrl.map_max,
				(uint32_t)XENPV_NETIF_HASH_MAPPING_MAX);
	return XENPV_NETIF_HASH_MAPPING_MAX;
}

/* RETA entry @i as sent: the application's, or spread over @n queues. */
static uint16_t
xennet_reta_entry(const struct xennet_adapter *ad, unsigned int i,
		  unsigned int n)
{
	return ad->rss.reta_set ? ad->rss.reta[i] : (uint16_t)(i % n);
}

/* Send the mapping table (SET_HASH_MAPPING_SIZE first if @resize). */
static int
xennet_ctrl_send_table(struct xennet_adapter *ad, bool resize)
{
	uint16_t size = xennet_reta_size(ad), i, n = ad->neg.queues;
	uint32_t *t = (uint32_t *)XENNET_CTRL_TABLE(&ad->ctrl), data;
	int rc;

	for (i = 0; i < size; i++) {
		t[i] = xennet_reta_entry(ad, i, n);
		if (t[i] >= n) {
			XENNET_LOG(ERR, "%s: RETA entry %u names RX queue %u, but the connection has %u netif queue(s) (RX queues from %u on have no ring)",
				   ad->name, i, t[i], n, n);
			return -EINVAL;
		}
	}
	if (resize) {
		rc = xennet_ctrl_call(ad,
				      XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE,
				      size, 0, 0, &data);
		if (rc < 0)
			return rc;
	}
	return xennet_ctrl_call(ad, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING,
				ad->ctrl.data_ref[1], size, 0, &data);
}

static int
xennet_ctrl_send_hash(struct xennet_adapter *ad)
{
	uint32_t want = xennet_hf_to_types(ad->rss.rss_hf), data;
	int rc;

	if (want & ~ad->ctrl.types) {
		XENNET_LOG(ERR, "%s: backend %s hashes types 0x%x, not all of 0x%x",
			   ad->name, ad->be_path, ad->ctrl.types, want);
		return -ENOTSUP;
	}
	rc = xennet_ctrl_call(ad, XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS, want, 0,
			      0, &data);
	if (rc < 0)
		return rc;
	memcpy(XENNET_CTRL_KEY(&ad->ctrl), ad->rss.key, sizeof(ad->rss.key));
	return xennet_ctrl_call(ad, XEN_NETIF_CTRL_TYPE_SET_HASH_KEY,
				ad->ctrl.data_ref[0], sizeof(ad->rss.key), 0,
				&data);
}

/* Everything, from the algorithm on; or hashing off if RSS is off. */
static int
xennet_ctrl_send_all(struct xennet_adapter *ad)
{
	struct xennet_ctrl *c = &ad->ctrl;
	uint32_t data;
	int rc;

	if (!ad->rss.on) {
		rc = 0;
		if (c->active)
			rc = xennet_ctrl_call(ad,
				XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM,
				XEN_NETIF_CTRL_HASH_ALGORITHM_NONE, 0, 0,
				&data);
		c->active = false;
		return rc;
	}
	c->active = false;
	rc = xennet_ctrl_call(ad, XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM,
			      XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ, 0, 0,
			      &data);
	if (rc == 0)
		rc = xennet_ctrl_call(ad, XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS,
				      0, 0, 0, &c->types);
	if (rc == 0)
		rc = xennet_ctrl_call(ad,
				      XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE,
				      0, 0, 0, &c->map_max);
	if (rc == 0 && c->map_max == 0) {
		XENNET_LOG(ERR, "%s: backend %s takes no mapping table (hash mod queues only): no RETA",
			   ad->name, ad->be_path);
		rc = -ENOTSUP;
	}
	if (rc == 0)
		rc = xennet_ctrl_send_hash(ad);
	if (rc == 0)
		rc = xennet_ctrl_send_table(ad, true);
	c->active = rc == 0;
	return rc;
}

/*
 * While connected: 0 if RSS settings can reach this backend, -ENOTSUP
 * without a control ring, -EPROTO once it was abandoned (logged).
 */
static int
xennet_ctrl_usable(const struct xennet_adapter *ad)
{
	if (!ad->connected)
		return 0;
	if (ad->ctrl.ring_va == NULL) {
		XENNET_LOG(ERR, "%s: backend %s offers no control ring: no RSS",
			   ad->name, ad->be_path);
		return -ENOTSUP;
	}
	if (ad->ctrl.broken) {
		XENNET_LOG(ERR, "%s: the control ring of backend %s was abandoned after a bad answer: no RSS until it reconnects",
			   ad->name, ad->be_path);
		return -EPROTO;
	}
	return 0;
}

/* Can a request go out now (connected, the backend too, with a ring)? */
static bool
xennet_ctrl_live(const struct xennet_adapter *ad)
{
	return ad->connected && ad->be_caught_up && ad->ctrl.ring_va != NULL &&
	       !ad->ctrl.broken;
}

/*
 * The requests queued before Connected, in order: the same settings as
 * xennet_ctrl_send_all sends one by one, with the largest table netif
 * allows (the backend's limit is not known yet).
 */
static const uint16_t xennet_ctrl_pre_types[] = {
	XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM,
	XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS,
	XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE,
	XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS,
	XEN_NETIF_CTRL_TYPE_SET_HASH_KEY,
	XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE,
	XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING,
};

/*
 * A new connection's RSS settings, put in its control ring before we say
 * Connected (as the data rings' RX buffers are): a backend that serves
 * what it finds queued when it connects (net_xenback does) steers the
 * first frame it sends us by them, so no flow changes queue under traffic
 * when they would otherwise arrive, and our link comes up without a round
 * trip per request. Nothing is kicked now (the backend has not bound the
 * channel); xennet_ctrl_apply kicks and takes the answers. Under lock.
 */
void
xennet_ctrl_prequeue(struct xennet_adapter *ad)
{
	struct xennet_ctrl *c = &ad->ctrl;
	uint16_t size = XENPV_NETIF_HASH_MAPPING_MAX, i, n = ad->neg.queues;
	uint32_t *t = (uint32_t *)XENNET_CTRL_TABLE(c);
	uint32_t d[RTE_DIM(xennet_ctrl_pre_types)][2];
	int notify;

	c->pre_n = 0;
	c->pre_stale = false;
	if (c->ring_va == NULL || !ad->rss.on || n == 0)
		return;
	for (i = 0; i < size; i++) {
		t[i] = xennet_reta_entry(ad, i, n);
		if (t[i] >= n)
			return;	/* xennet_ctrl_send_all says why */
	}
	memcpy(XENNET_CTRL_KEY(c), ad->rss.key, sizeof(ad->rss.key));
	memset(d, 0, sizeof(d));
	d[0][0] = XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ;
	d[3][0] = xennet_hf_to_types(ad->rss.rss_hf);
	d[4][0] = c->data_ref[0];
	d[4][1] = sizeof(ad->rss.key);
	d[5][0] = size;
	d[6][0] = c->data_ref[1];
	d[6][1] = size;
	c->pre_id = c->next_id;
	for (i = 0; i < RTE_DIM(xennet_ctrl_pre_types); i++)
		(void)xennet_ctrl_post(c, xennet_ctrl_pre_types[i], d[i][0],
				       d[i][1], 0);
	c->pre_n = RTE_DIM(xennet_ctrl_pre_types);
	c->pre_size = size;
	xenpv_front_push(&c->ring, notify);
	RTE_SET_USED(notify);
}

/*
 * The answers to what xennet_ctrl_prequeue queued: 0 if the backend took
 * every setting (it hashes with ours), -ETIMEDOUT, -EPROTO (abandoned), or
 * a refusal's errno (the caller sends them again one by one).
 */
static int
xennet_ctrl_collect(struct xennet_adapter *ad)
{
	struct xennet_ctrl *c = &ad->ctrl;
	uint64_t deadline = xenpv_now_ms() + XENNET_CTRL_TIMEOUT_MS;
	uint32_t data, status, want = xennet_hf_to_types(ad->rss.rss_hf);
	uint16_t i, n = c->pre_n;
	int rc, first = 0;

	c->pre_n = 0;
	/* the backend bound the channel since: it may not have looked */
	xenevtchn_notify(c->xce, (evtchn_port_t)c->evtchn);
	for (i = 0; i < n; i++) {
		rc = xennet_ctrl_await(ad, (uint16_t)(c->pre_id + i),
				       xennet_ctrl_pre_types[i], deadline,
				       &data, &status);
		if (rc == -ETIMEDOUT) {
			c->lost += n - i - 1;	/* their answers are late */
			return rc;
		}
		if (c->broken)
			return -EPROTO;
		if (rc == 0 && i == 1)
			c->types = data;
		if (rc == 0 && i == 2)
			c->map_max = data;
		if (rc < 0 && first == 0)
			first = rc;
	}
	if (first == 0 && ((want & ~c->types) || c->map_max < c->pre_size))
		first = -ENOTSUP;
	return first;
}

void
xennet_ctrl_apply(struct xennet_adapter *ad)
{
	struct xennet_ctrl *c = &ad->ctrl;
	int rc = -1;

	if (c->ring_va == NULL) {
		if (ad->rss.on)
			XENNET_LOG(ERR, "%s: RSS asked for, but backend %s offers no control ring: the backend picks each packet's queue",
				   ad->name, ad->be_path);
		return;
	}
	if (c->pre_n > 0) {
		rc = xennet_ctrl_collect(ad);
		c->active = rc == 0;
		/* the application changed them since: send what it set */
		if (rc == 0 && c->pre_stale)
			rc = -ESTALE;
		c->pre_stale = false;
		if (rc == -ETIMEDOUT || rc == -EPROTO) {
			XENNET_LOG(ERR, "%s: RSS not set on backend %s: %s",
				   ad->name, ad->be_path, strerror(-rc));
			return;
		}
		if (rc == -ESTALE)
			XENNET_LOG(INFO, "%s: RSS settings changed while backend %s connected: sending them again",
				   ad->name, ad->be_path);
		else if (rc < 0)
			XENNET_LOG(INFO, "%s: backend %s did not take the RSS settings queued at connection (%s): sending them one by one",
				   ad->name, ad->be_path, strerror(-rc));
	}
	if (rc < 0)
		rc = xennet_ctrl_send_all(ad);
	if (rc < 0)
		XENNET_LOG(ERR, "%s: RSS not set on backend %s: %s",
			   ad->name, ad->be_path, strerror(-rc));
	else if (ad->rss.on)
		XENNET_LOG(INFO, "%s: RSS on backend %s: Toeplitz, types 0x%x, %u-entry table over %u queue(s)",
			   ad->name, ad->be_path,
			   xennet_hf_to_types(ad->rss.rss_hf),
			   xennet_reta_size(ad), ad->neg.queues);
}

int
xennet_ctrl_setup(struct xennet_adapter *ad)
{
	struct xennet_ctrl *c = &ad->ctrl;
	xen_netif_ctrl_sring_t *sring;
	xenevtchn_port_or_error_t p;
	int rc;

	c->evtchn = -1;
	c->xce = xenevtchn_open(NULL, 0);
	if (c->xce == NULL)
		goto fail;
	errno = 0;
	c->ring_va = xengntshr_share_pages(ad->xgs, ad->be_domid, 1,
					   &c->ring_ref, 1);
	if (c->ring_va == NULL)
		goto fail;
	c->data_va = xengntshr_share_pages(ad->xgs, ad->be_domid, 2,
					   c->data_ref, 0);
	if (c->data_va == NULL)
		goto fail;
	memset(c->data_va, 0, 2 * XENPV_PAGE_SIZE);
	p = xenevtchn_bind_unbound_port(c->xce, ad->be_domid);
	if (p < 0)
		goto fail;
	c->evtchn = p;
	sring = c->ring_va;
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&c->ring, sring, XENPV_PAGE_SIZE);
	c->next_id = 0;
	c->lost = 0;
	c->broken = false;
	c->active = false;
	c->types = 0;
	c->map_max = 0;
	return 0;

fail:
	rc = -(errno ? errno : ENOMEM);
	XENNET_LOG(WARNING, "%s: cannot set up the control ring: %s; no RSS",
		   ad->name, strerror(-rc));
	xennet_ctrl_release(ad);
	return rc;
}

void
xennet_ctrl_release(struct xennet_adapter *ad)
{
	struct xennet_ctrl *c = &ad->ctrl;

	if (c->xce != NULL && c->evtchn >= 0)
		xenevtchn_unbind(c->xce, (evtchn_port_t)c->evtchn);
	c->evtchn = -1;
	if (c->data_va != NULL)
		xengntshr_unshare(ad->xgs, c->data_va, 2);
	if (c->ring_va != NULL)
		xengntshr_unshare(ad->xgs, c->ring_va, 1);
	c->data_va = NULL;
	c->ring_va = NULL;
	if (c->xce != NULL)
		xenevtchn_close(c->xce);
	c->xce = NULL;
	memset(&c->ring, 0, sizeof(c->ring));
	c->active = false;
	c->broken = false;
	c->map_max = 0;
	c->pre_n = 0;
	c->pre_stale = false;
}

/* A key the application gives (NULL: none) must be netif's key size. */
static int
xennet_rss_key_check(const struct xennet_adapter *ad, const uint8_t *key,
		     uint8_t len)
{
	if (key != NULL && len != XENPV_NETIF_HASH_KEY_MAX) {
		XENNET_LOG(ERR, "%s: RSS key of %u bytes: the key is %u bytes",
			   ad->name, len, XENPV_NETIF_HASH_KEY_MAX);
		return -EINVAL;
	}
	return 0;
}

/* A RETA the application updates or queries must be the table's size. */
static int
xennet_reta_size_check(const struct xennet_adapter *ad, uint16_t size)
{
	uint16_t want = xennet_reta_size(ad);

	if (size != want) {
		XENNET_LOG(ERR, "%s: RETA of %u entries: the table has %u",
			   ad->name, size, want);
		return -EINVAL;
	}
	return 0;
}

/* The table alone, its size unchanged (an update of some entries). */
static int
xennet_ctrl_send_reta(struct xennet_adapter *ad)
{
	return xennet_ctrl_send_table(ad, false);
}

/*
 * The end of an RSS update (rss_hash_update, reta_update), under ad->lock,
 * the new settings in ad->rss, @old those before. When they matter to the
 * backend (@needed: RSS on, or the backend hashing and to be turned off),
 * check that it can take them and, if a request can go out, send them:
 * @part alone (what the update changes) if the backend hashes already,
 * everything otherwise (which also turns hashing off). On failure the
 * settings are @old again. Returns 0 or a negative errno.
 */
static int
xennet_rss_commit(struct xennet_adapter *ad, const struct xennet_rss *old,
		  bool needed, int (*part)(struct xennet_adapter *ad))
{
	int rc = 0;

	if (needed)
		rc = xennet_ctrl_usable(ad);
	if (rc == 0 && needed && xennet_ctrl_live(ad))
		rc = ad->ctrl.active && ad->rss.on ? part(ad) :
			xennet_ctrl_send_all(ad);
	/*
	 * Connected, the backend not yet: what was queued at connection is
	 * stale now; xennet_ctrl_apply sends these after its answers.
	 */
	if (rc == 0 && !xennet_ctrl_live(ad) && ad->ctrl.pre_n > 0)
		ad->ctrl.pre_stale = true;
	if (rc < 0)
		ad->rss = *old;
	return rc;
}

/* dev_configure: the application's rss_conf (ethdev checked rss_hf). */
int
xennet_ctrl_configure(struct xennet_adapter *ad)
{
	const struct rte_eth_conf *conf = &ad->dev->data->dev_conf;
	const struct rte_eth_rss_conf *rc = &conf->rx_adv_conf.rss_conf;

	if (xennet_rss_key_check(ad, rc->rss_key, rc->rss_key_len) != 0)
		return -EINVAL;
	pthread_mutex_lock(&ad->lock);
	ad->rss.rss_hf = rc->rss_hf & XENNET_RSS_HF;
	ad->rss.on = (conf->rxmode.mq_mode & RTE_ETH_MQ_RX_RSS_FLAG) &&
		     ad->rss.rss_hf != 0;
	memcpy(ad->rss.key, rc->rss_key != NULL ? rc->rss_key :
	       xennet_default_key, sizeof(ad->rss.key));
	ad->rss.reta_set = false;
	pthread_mutex_unlock(&ad->lock);
	return 0;
}

int
xennet_rss_hash_update(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf)
{
	struct xennet_adapter *ad = xennet_adapter(dev);
	struct xennet_rss old;
	int rc;

	if (conf->rss_hf & ~XENNET_RSS_HF) {
		XENNET_LOG(ERR, "%s: RSS types 0x%" PRIx64 " not supported (only 0x%" PRIx64 ")",
			   ad->name, conf->rss_hf, (uint64_t)XENNET_RSS_HF);
		return -EINVAL;
	}
	if (xennet_rss_key_check(ad, conf->rss_key, conf->rss_key_len) != 0)
		return -EINVAL;
	pthread_mutex_lock(&ad->lock);
	old = ad->rss;
	ad->rss.rss_hf = conf->rss_hf;
	ad->rss.on = conf->rss_hf != 0;
	if (conf->rss_key != NULL)
		memcpy(ad->rss.key, conf->rss_key, sizeof(ad->rss.key));
	/* types and key alone if the backend hashes already */
	rc = xennet_rss_commit(ad, &old, ad->rss.on || ad->ctrl.active,
			       xennet_ctrl_send_hash);
	pthread_mutex_unlock(&ad->lock);
	return rc;
}

int
xennet_rss_hash_conf_get(struct rte_eth_dev *dev,
			 struct rte_eth_rss_conf *conf)
{
	struct xennet_adapter *ad = xennet_adapter(dev);

	pthread_mutex_lock(&ad->lock);
	conf->rss_hf = ad->rss.on ? ad->rss.rss_hf : 0;
	if (conf->rss_key != NULL) {
		if (conf->rss_key_len < XENPV_NETIF_HASH_KEY_MAX) {
			pthread_mutex_unlock(&ad->lock);
			XENNET_LOG(ERR, "%s: RSS key buffer of %u bytes: the key is %u",
				   ad->name, conf->rss_key_len,
				   XENPV_NETIF_HASH_KEY_MAX);
			return -EINVAL;
		}
		memcpy(conf->rss_key, ad->rss.key, sizeof(ad->rss.key));
	}
	conf->rss_key_len = XENPV_NETIF_HASH_KEY_MAX;
	pthread_mutex_unlock(&ad->lock);
	return 0;
}

/* Queues the default table spreads over: the connection's, or the RX. */
static unsigned int
xennet_reta_queues(const struct xennet_adapter *ad)
{
	if (ad->connected && ad->neg.queues > 0)
		return ad->neg.queues;
	return RTE_MAX(ad->dev->data->nb_rx_queues, (uint16_t)1);
}

int
xennet_reta_update(struct rte_eth_dev *dev,
		   struct rte_eth_rss_reta_entry64 *reta, uint16_t size)
{
	struct xennet_adapter *ad = xennet_adapter(dev);
	uint16_t i, q;
	unsigned int n;
	struct xennet_rss old;
	int rc;

	if (xennet_reta_size_check(ad, size) != 0)
		return -EINVAL;
	pthread_mutex_lock(&ad->lock);
	n = xennet_reta_queues(ad);
	old = ad->rss;
	if (!ad->rss.reta_set)
		for (i = 0; i < size; i++)
			ad->rss.reta[i] = (uint16_t)(i % n);
	for (i = 0; i < size; i++) {
		if (!(reta[i / RTE_ETH_RETA_GROUP_SIZE].mask &
		      (1ull << (i % RTE_ETH_RETA_GROUP_SIZE))))
			continue;
		q = reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE];
		if (q >= dev->data->nb_rx_queues ||
		    (ad->connected && q >= ad->neg.queues)) {
			XENNET_LOG(ERR, "%s: RETA entry %u: RX queue %u has no ring (%u netif queue(s))",
				   ad->name, i, q, n);
			ad->rss = old;
			pthread_mutex_unlock(&ad->lock);
			return -EINVAL;
		}
		ad->rss.reta[i] = q;
	}
	ad->rss.reta_set = true;
	rc = xennet_rss_commit(ad, &old, ad->rss.on, xennet_ctrl_send_reta);
	pthread_mutex_unlock(&ad->lock);
	return rc;
}

int
xennet_reta_query(struct rte_eth_dev *dev,
		  struct rte_eth_rss_reta_entry64 *reta, uint16_t size)
{
	struct xennet_adapter *ad = xennet_adapter(dev);
	uint16_t i;
	unsigned int n;

	if (xennet_reta_size_check(ad, size) != 0)
		return -EINVAL;
	pthread_mutex_lock(&ad->lock);
	n = xennet_reta_queues(ad);
	for (i = 0; i < size; i++)
		if (reta[i / RTE_ETH_RETA_GROUP_SIZE].mask &
		    (1ull << (i % RTE_ETH_RETA_GROUP_SIZE)))
			reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] =
				xennet_reta_entry(ad, i, n);
	pthread_mutex_unlock(&ad->lock);
	return 0;
}

/* eth_dev_priv_dump's lines about the control ring (under ad->lock). */
void
xennet_ctrl_dump(struct xennet_adapter *ad, FILE *f)
{
	const struct xennet_ctrl *c = &ad->ctrl;

	if (c->ring_va == NULL) {
		fprintf(f, "control ring: none\n");
		return;
	}
	fprintf(f, "control ring: %" PRIu64 " requests, %" PRIu64 " refused, %" PRIu64 " timed out%s; RSS %s, types 0x%x of 0x%x, table %u of %u entries\n",
		c->calls, c->errors, c->timeouts,
		c->broken ? ", abandoned (bad answer)" : "",
		c->active ? "on" : "off", xennet_hf_to_types(ad->rss.rss_hf),
		c->types, xennet_reta_size(ad), c->map_max);
}
