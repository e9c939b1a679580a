/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xenback: the vif's control ring (netif.h, "Control ring" and
 * "Control messages"), served by the port's control thread with the port's
 * lock held.
 *
 * We offer feature-ctrl-ring; a frontend that wants it writes ctrl-ring-ref
 * and event-channel-ctrl before Connected, and we map the page and bind
 * the channel with the rest of the vif (xenback_xenbus.c). Each request is
 * copied out of the ring once and answered in its slot's turn; nothing in
 * it is trusted: the algorithm and hash types must be netif's, a key is at
 * most XENPV_NETIF_HASH_KEY_MAX octets, a mapping (sub-)table must fit the
 * size set before and one page, and every entry must name a netif queue of
 * this connection; a grant that cannot be copied is an invalid parameter.
 * A bad request is answered with netif's error status and changes nothing;
 * only a request producer running past the ring is a violation (the vif is
 * closed, as for the data rings). The requests of one round are bounded by
 * the ring's size, so a flood costs the frontend its own latency only.
 *
 * What the guest sets steers what the application transmits to it
 * (xenback_guest_rx.c). The bursts read xd->hash_dp, a copy published with
 * every TX guard closed (xenback_ctrl_publish), so a burst never sees half
 * a key or table.
 */

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_common.h>

#include "xenback.h"

/* One granted page of mapping entries at most (netif.h). */
#define XENBACK_CTRL_MAP_PER_PAGE (XENPV_PAGE_SIZE / sizeof(uint32_t))

/* Copy @len octets at the start of the guest's grant @ref into @dst. */
static int
xenback_ctrl_copy_in(struct xenback_dev *xd, uint32_t ref, void *dst,
		     uint16_t len)
{
	xengnttab_grant_copy_segment_t seg;

	memset(&seg, 0, sizeof(seg));
	seg.source.foreign.ref = ref;
	seg.source.foreign.offset = 0;
	seg.source.foreign.domid = xd->fe_domid;
	seg.dest.virt = dst;
	seg.len = len;
	seg.flags = GNTCOPY_source_gref;
	if (xengnttab_grant_copy(xd->xgt, 1, &seg) != 0 ||
	    seg.status != GNTST_okay)
		return -EFAULT;
	return 0;
}

static uint32_t
xenback_ctrl_set_key(struct xenback_dev *xd, uint32_t ref, uint32_t len)
{
	uint8_t key[XENPV_NETIF_HASH_KEY_MAX];

	if (len > XENPV_NETIF_HASH_KEY_MAX)
		return XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW;
	memset(key, 0, sizeof(key));
	if (len > 0 && xenback_ctrl_copy_in(xd, ref, key, (uint16_t)len) < 0)
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	memcpy(xd->ctrl.hash.key, key, sizeof(key));
	return XEN_NETIF_CTRL_STATUS_SUCCESS;
}

static uint32_t
xenback_ctrl_set_mapping(struct xenback_dev *xd, uint32_t ref, uint32_t len,
			 uint32_t off)
{
	uint32_t m[XENBACK_CTRL_MAP_PER_PAGE];
	struct xenback_hash *h = &xd->ctrl.hash;
	uint32_t i;

	if (len > XENBACK_CTRL_MAP_PER_PAGE ||
	    (uint64_t)off + len > h->size)
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	if (len == 0)
		return XEN_NETIF_CTRL_STATUS_SUCCESS;
	if (xenback_ctrl_copy_in(xd, ref, m,
				 (uint16_t)(len * sizeof(m[0]))) < 0)
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	/* all or nothing: one bad entry leaves the table as it was */
	for (i = 0; i < len; i++)
		if (m[i] >= xd->neg.queues)
			return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	memcpy(&h->mapping[off], m, len * sizeof(m[0]));
	return XEN_NETIF_CTRL_STATUS_SUCCESS;
}

/* Answer one request (a private copy); *data is the response's data. */
static uint32_t
xenback_ctrl_handle(struct xenback_dev *xd,
		    const struct xen_netif_ctrl_request *req, uint32_t *data)
{
	struct xenback_hash *h = &xd->ctrl.hash;

	*data = 0;
	switch (req->type) {
	case XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM:
		if (req->data[0] != XEN_NETIF_CTRL_HASH_ALGORITHM_NONE &&
		    req->data[0] != XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ)
			return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
		h->alg = req->data[0];
		return XEN_NETIF_CTRL_STATUS_SUCCESS;
	case XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS:
		if (h->alg == XEN_NETIF_CTRL_HASH_ALGORITHM_NONE)
			return XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED;
		*data = XENPV_NETIF_HASH_TYPES_ALL;
		return XEN_NETIF_CTRL_STATUS_SUCCESS;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS:
		if (h->alg == XEN_NETIF_CTRL_HASH_ALGORITHM_NONE)
			return XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED;
		if (req->data[0] & ~(uint32_t)XENPV_NETIF_HASH_TYPES_ALL)
			return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
		h->types = req->data[0];
		return XEN_NETIF_CTRL_STATUS_SUCCESS;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_KEY:
		return xenback_ctrl_set_key(xd, req->data[0], req->data[1]);
	case XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE:
		*data = XENPV_NETIF_HASH_MAPPING_MAX;
		return XEN_NETIF_CTRL_STATUS_SUCCESS;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE:
		if (req->data[0] > XENPV_NETIF_HASH_MAPPING_MAX)
			return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
		/* a new table is all zeros (netif.h) */
		h->size = req->data[0];
		memset(h->mapping, 0, sizeof(h->mapping));
		return XEN_NETIF_CTRL_STATUS_SUCCESS;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING:
		return xenback_ctrl_set_mapping(xd, req->data[0], req->data[1],
						req->data[2]);
	default:
		/* static grant mappings, INVALID, anything newer */
		return XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED;
	}
}

/*
 * Set every ethdev TX queue's steering from xd->hash_dp (guards closed):
 * on while the guest chose Toeplitz and some hash type.
 */
void
xenback_ctrl_steer(struct xenback_dev *xd)
{
	const struct xenback_hash *h = &xd->hash_dp;
	unsigned int ntx = xd->eth_dev->data->nb_tx_queues, n = xd->neg.queues;
	bool on = xd->ctrl.ring_va != NULL && n > 0 &&
		  h->alg == XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ &&
		  h->types != 0;
	unsigned int i;

	for (i = 0; i < XENPV_NETIF_MAX_QUEUES; i++) {
		struct xenback_txq *q = &xd->txq[i];

		q->hash = on && i < ntx ? h : NULL;
		q->rings = xd->txq;
		q->nb_rings = (uint16_t)n;
		q->home = n > 0 ? (uint16_t)(i % n) : 0;
		q->steer_lock = ntx > 1;
	}
}

/*
 * The guest's settings to the bursts: every open TX guard is closed (the
 * bursts inside finish), the copy made, the steering set, the guards
 * reopened. A control-path pause of a few microseconds per change.
 */
static void
xenback_ctrl_publish(struct xenback_dev *xd)
{
	bool was_open[XENPV_NETIF_MAX_QUEUES];

	xenback_tx_quiesce(xd, was_open);
	xd->hash_dp = xd->ctrl.hash;
	xenback_ctrl_steer(xd);
	xenback_tx_resume(xd, was_open);
	xd->ctrl.dirty = false;
}

int
xenback_ctrl_connect(struct xenback_dev *xd, uint32_t ref, uint32_t remote)
{
	struct xenback_ctrl *c = &xd->ctrl;
	xen_netif_ctrl_sring_t *sring;
	xenevtchn_port_or_error_t p;
	uint32_t r = ref;

	c->ring_va = xengnttab_map_domain_grant_refs(xd->xgt, 1, xd->fe_domid,
						     &r, PROT_READ | PROT_WRITE);
	if (c->ring_va == NULL) {
		XENBACK_LOG(ERR, "%s: cannot map the control ring (grant %u): %s",
			    xd->name, ref, strerror(errno));
		return -EIO;
	}
	p = xenevtchn_bind_interdomain(xd->ctrl_xce, xd->fe_domid, remote);
	if (p < 0) {
		int rc = -(errno ? errno : EINVAL);

		XENBACK_LOG(ERR, "%s: cannot bind control event channel %u: %s",
			    xd->name, remote, strerror(-rc));
		xengnttab_unmap(xd->xgt, c->ring_va, 1);
		c->ring_va = NULL;
		return rc;
	}
	c->evtchn = (evtchn_port_t)p;
	c->ref = ref;
	c->remote = remote;
	/* where the indices say a previous backend stopped, as data rings */
	sring = c->ring_va;
	BACK_RING_ATTACH(&c->ring, sring,
			 __atomic_load_n(&sring->rsp_prod, __ATOMIC_ACQUIRE),
			 XENPV_PAGE_SIZE);
	/* a new connection starts with netif's defaults: no hashing */
	memset(&c->hash, 0, sizeof(c->hash));
	xd->hash_dp = c->hash;
	c->dirty = false;
	xenpv_viol_clear(&c->viol);
	return 0;
}

void
xenback_ctrl_disconnect(struct xenback_dev *xd)
{
	struct xenback_ctrl *c = &xd->ctrl;

	/* a violation belongs to the connection that made it */
	xenpv_viol_clear(&c->viol);
	if (c->ring_va == NULL)
		return;
	xenevtchn_unbind(xd->ctrl_xce, c->evtchn);
	xengnttab_unmap(xd->xgt, c->ring_va, 1);
	c->ring_va = NULL;
	c->evtchn = 0;
	c->ref = 0;
	c->remote = 0;
	memset(&c->ring, 0, sizeof(c->ring));
	memset(&c->hash, 0, sizeof(c->hash));
	memset(&xd->hash_dp, 0, sizeof(xd->hash_dp));
	c->dirty = false;
}

/*
 * Take the channel's pending events (the thread polls its descriptor) and
 * unmask: xenevtchn_pending blocks when nothing is pending, so poll first.
 */
static void
xenback_ctrl_drain(struct xenback_dev *xd)
{
	struct pollfd pfd = { .fd = xenevtchn_fd(xd->ctrl_xce),
			      .events = POLLIN };
	xenevtchn_port_or_error_t p;
	unsigned int i;

	for (i = 0; i < 16; i++) {
		if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLIN))
			return;
		p = xenevtchn_pending(xd->ctrl_xce);
		if (p < 0)
			return;
		xenevtchn_unmask(xd->ctrl_xce, (evtchn_port_t)p);
	}
}

/*
 * One round: answer what the frontend queued, at most a ring's worth.
 * Returns true if more is queued (come back at once). A request producer
 * beyond the ring is recorded in ctrl.viol for xenback_check_violations.
 */
bool
xenback_ctrl_serve(struct xenback_dev *xd)
{
	struct xenback_ctrl *c = &xd->ctrl;
	xen_netif_ctrl_back_ring_t *ring = &c->ring;
	struct xen_netif_ctrl_request req;
	struct xen_netif_ctrl_response *rsp;
	unsigned int done = 0, size;
	RING_IDX prod;
	uint32_t status, data;
	int notify;

	if (xd->ctrl_xce != NULL)
		xenback_ctrl_drain(xd);
	if (c->ring_va == NULL || xenpv_viol_is_set(&c->viol))
		return false;
	if (!xenpv_back_req_prod(ring, &prod)) {
		xenpv_viol_set(&c->viol, XENPV_VIOL_REQ_PROD, prod,
			       ring->req_cons);
		return false;
	}
	size = RING_SIZE(ring);
	while (ring->req_cons != prod && done < size) {
		RING_COPY_REQUEST(ring, ring->req_cons, &req);
		ring->req_cons++;
		status = xenback_ctrl_handle(xd, &req, &data);
		c->requests++;
		if (status != XEN_NETIF_CTRL_STATUS_SUCCESS)
			c->errors++;
		else if (req.type != XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS &&
			 req.type != XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE)
			c->dirty = true;
		rsp = RING_GET_RESPONSE(ring, ring->rsp_prod_pvt);
		rsp->id = req.id;
		rsp->type = req.type;
		rsp->status = status;
		rsp->data = data;
		ring->rsp_prod_pvt++;
		done++;
	}
	/* the bursts use a setting before the guest hears it is set */
	if (c->dirty)
		xenback_ctrl_publish(xd);
	if (done > 0) {
		xenpv_back_push(ring, notify);
		if (notify)
			xenevtchn_notify(xd->ctrl_xce, c->evtchn);
	}
	return ring->req_cons != prod;
}
